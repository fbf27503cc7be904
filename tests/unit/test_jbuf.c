/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for the jitter buffer: ordering, loss, lateness, priming and ptime. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "jbuf.h"

#define FRAME_TS	160
#define TS0		0xfffff000u	/* the RTP clock wraps during tests */
#define SEQ0		65500		/* and so does the sequence number */

/* A buffer per test, made by the setup function. */
static int
test_setup(void **state)
{
	struct jbuf	*jb;

	if (jbuf_new(&jb, FRAME_TS) != 0)
		return -1;
	*state = jb;
	return 0;
}

/* Free the test's buffer. */
static int
test_teardown(void **state)
{
	jbuf_free(*state);
	return 0;
}

/* Put packet i: its payload holds i, and its length varies with i. */
static void
test_put(struct jbuf *jb, uint32_t i)
{
	uint8_t	p[16];

	memset(p, 0xa5, sizeof p);
	p[0] = i >> 24;
	p[1] = i >> 16;
	p[2] = i >> 8;
	p[3] = i;
	assert_int_equal(jbuf_put(jb, p, 4 + i % 7, TS0 + i * FRAME_TS,
	    (uint16_t)(SEQ0 + i), 0), 0);
}

/* Get one frame; *ip is the packet number on JBUF_OK. */
static enum jbuf_result
test_get(struct jbuf *jb, uint32_t *ip)
{
	uint8_t			out[64];
	size_t			len = sizeof out;
	uint32_t		span = 0;
	enum jbuf_result	r;

	r = jbuf_get(jb, 0, out, &len, &span);
	jbuf_tick(jb, 0);
	assert_int_equal(span, FRAME_TS);
	if (r != JBUF_OK) {
		assert_int_equal(len, 0);
		return r;
	}
	*ip = ((uint32_t)out[0] << 24) | ((uint32_t)out[1] << 16) |
	    ((uint32_t)out[2] << 8) | out[3];
	assert_int_equal(len, 4 + *ip % 7);
	return r;
}

/* Expect a frame with packet number want. */
static void
test_expect(struct jbuf *jb, uint32_t want)
{
	uint32_t	i = ~0u;

	assert_int_equal(test_get(jb, &i), JBUF_OK);
	assert_int_equal(i, want);
}

/* Only the result of a get, for steps where no frame is expected. */
static enum jbuf_result
test_get_result_only(struct jbuf *jb)
{
	uint32_t	i;

	return test_get(jb, &i);
}

/* Before any packet, and after a reset, the buffer is empty. */
static void
test_jbuf_empty(void **state)
{
	struct jbuf	*jb = *state;
	uint32_t	 i;
	int		 k;

	for (k = 0; k < 30; k++)
		assert_int_equal(test_get(jb, &i), JBUF_EMPTY);
	assert_int_equal(jbuf_count(jb), 0);

	test_put(jb, 0);
	test_put(jb, 1);
	test_expect(jb, 0);
	jbuf_reset(jb);
	assert_int_equal(jbuf_count(jb), 0);
	assert_int_equal(test_get(jb, &i), JBUF_EMPTY);
	assert_int_equal(test_get(jb, &i), JBUF_EMPTY);
}

/*
 * Packets arriving one per frame play in order, after one frame of
 * priming, with no frame dropped or inserted for a long steady run.
 */
static void
test_jbuf_in_order(void **state)
{
	struct jbuf	*jb = *state;
	uint32_t	 n;

	test_put(jb, 0);
	assert_int_equal(jbuf_count(jb), 1);
	assert_int_equal(test_get_result_only(jb), JBUF_EMPTY);
	for (n = 1; n < 500; n++) {
		test_put(jb, n);
		assert_int_equal(jbuf_count(jb), 2);
		test_expect(jb, n - 1);
		assert_int_equal(jbuf_count(jb), 1);
	}
}

/* Two packets at once start playout without waiting. */
static void
test_jbuf_burst_start(void **state)
{
	struct jbuf	*jb = *state;
	uint32_t	 n;

	test_put(jb, 0);
	test_put(jb, 1);
	assert_int_equal(jbuf_count(jb), 2);
	test_expect(jb, 0);
	for (n = 2; n < 100; n++) {
		test_put(jb, n);
		test_expect(jb, n - 1);
	}
}

/* Packets swapped within one frame time play in order, with no gap. */
static void
test_jbuf_reordered(void **state)
{
	struct jbuf	*jb = *state;
	uint32_t	 n;

	test_put(jb, 0);
	assert_int_equal(test_get_result_only(jb), JBUF_EMPTY);
	test_put(jb, 1);
	test_expect(jb, 0);
	for (n = 2; n < 200; n += 2) {
		/* A pair arrives swapped, then nothing for a frame time. */
		test_put(jb, n + 1);
		test_put(jb, n);
		test_expect(jb, n - 1);
		test_expect(jb, n);
	}
}

/*
 * Packets delayed past their own frame time by a swap still play, in
 * order, each once; the priming frame absorbs the first delay, and
 * speexdsp may grow its delay by one inserted (missing) frame.
 */
static void
test_jbuf_reordered_late(void **state)
{
	struct jbuf		*jb = *state;
	enum jbuf_result	 r;
	uint32_t		 n, i, next = 0;
	int			 missing = 0;

	test_put(jb, 0);
	assert_int_equal(test_get_result_only(jb), JBUF_EMPTY);
	test_put(jb, 1);
	test_expect(jb, next++);
	for (n = 2; n < 200; n++) {
		/* Odd packets overtake the even one before them. */
		if (n % 2 == 0)
			test_put(jb, n + 1);
		else
			test_put(jb, n - 1);
		r = test_get(jb, &i);
		if (r == JBUF_MISSING) {
			missing++;
			continue;
		}
		assert_int_equal(r, JBUF_OK);
		assert_int_equal(i, next);
		next++;
	}
	/* 199 gets: every packet but the last, less the inserted frames. */
	assert_in_range(missing, 0, 2);
	assert_int_equal(next, 199 - (uint32_t)missing);
}

/* Lost packets are reported as missing, once each, then play resumes. */
static void
test_jbuf_lost(void **state)
{
	struct jbuf	*jb = *state;
	uint32_t	 n, i;

	test_put(jb, 0);
	assert_int_equal(test_get_result_only(jb), JBUF_EMPTY);
	for (n = 1; n < 100; n++) {
		if (n != 20 && n != 21 && n != 50)
			test_put(jb, n);
		if (n == 21 || n == 22 || n == 51)
			assert_int_equal(test_get(jb, &i), JBUF_MISSING);
		else
			test_expect(jb, n - 1);
	}
}

/*
 * A packet older than what was played is dropped: it never comes out.
 * speexdsp learns from it that packets can be late and grows its delay by
 * an inserted (missing) frame; a few hundred frames later, once the late
 * packet has left its statistics, it shrinks the delay again by skipping
 * a frame.  Everything else plays once, in order.
 */
static void
test_jbuf_late(void **state)
{
	struct jbuf		*jb = *state;
	enum jbuf_result	 r;
	uint32_t		 n, i, next = 0;
	int			 missing = 0, skipped = 0;

	test_put(jb, 0);
	assert_int_equal(test_get_result_only(jb), JBUF_EMPTY);
	for (n = 1; n < 400; n++) {
		if (n != 10)
			test_put(jb, n);
		if (n == 15)
			test_put(jb, 10);		/* five frames late */
		if (n == 16)
			test_put(jb, 3);		/* long gone */
		r = test_get(jb, &i);
		if (r == JBUF_MISSING) {
			/* The first is 10's own slot. */
			if (missing++ == 0) {
				assert_int_equal(next, 10);
				next = 11;
			}
			continue;
		}
		assert_int_equal(r, JBUF_OK);
		assert_int_not_equal(i, 10);
		assert_true(i >= next);
		skipped += (int)(i - next);
		next = i + 1;
	}
	assert_in_range(missing, 1, 3);
	assert_in_range(skipped, 0, 2);
	assert_int_equal(next + (uint32_t)missing - 1 - (uint32_t)skipped, 399);
}

/* A packet too large for speexdsp's copy or our output is refused. */
static void
test_jbuf_sizes(void **state)
{
	struct jbuf		*jb = *state;
	static uint8_t		 big[1501];
	uint8_t			 out[1500];
	size_t			 len;

	uint32_t		 span;

	assert_int_equal(jbuf_put(jb, big, sizeof big, TS0, 1, 0), EMSGSIZE);
	assert_int_equal(jbuf_count(jb), 0);
	/* Longer than JBUF_MAX_SPAN frames (120 ms) is refused too. */
	assert_int_equal(jbuf_put(jb, big, 10, TS0, 1,
	    (JBUF_MAX_SPAN + 1) * FRAME_TS), EINVAL);
	assert_int_equal(jbuf_count(jb), 0);
	assert_int_equal(jbuf_put(jb, big, 1500, TS0, 1, 0), 0);
	assert_int_equal(jbuf_put(jb, big, 1500, TS0 + FRAME_TS, 2, 0), 0);
	len = sizeof out;
	assert_int_equal(jbuf_get(jb, 0, out, &len, &span), JBUF_OK);
	jbuf_tick(jb, 0);
	assert_int_equal(len, 1500);
	/* Too little room: concealed, not truncated. */
	len = 100;
	assert_int_equal(jbuf_get(jb, 0, out, &len, &span), JBUF_MISSING);
	jbuf_tick(jb, 0);
	assert_int_equal(len, 0);
	assert_int_equal(span, FRAME_TS);
	/* Empty payloads are frames too. */
	assert_int_equal(jbuf_put(jb, big, 0, TS0 + 2 * FRAME_TS, 3, 0), 0);
	len = sizeof out;
	assert_int_equal(jbuf_get(jb, 0, out, &len, &span), JBUF_OK);
	jbuf_tick(jb, 0);
	assert_int_equal(len, 0);
}

/*
 * Play a stream whose packets span pkt_ts clock units (not one frame),
 * arriving as a sender would send them (once it has captured a packet's
 * last sample), and play them the way media.c does: ask for a packet whenever
 * less than a frame is held, play a frame each interval, and tell the
 * buffer what is left.  Every packet must come out once, in order, with
 * its span, and nothing may be concealed.
 */
static void
test_jbuf_ptime(struct jbuf *jb, uint32_t pkt_ts)
{
	uint8_t			 p[4], out[16];
	size_t			 len;
	uint32_t		 span, held = 0, sent = 0, next = 0, got;
	enum jbuf_result	 r;
	int			 tick, played = 0;

	for (tick = 0; tick < 300; tick++) {
		/* Packets sent by now: the sender has all their samples. */
		while ((sent + 1) * pkt_ts <= (uint32_t)(tick + 1) * FRAME_TS) {
			memcpy(p, &sent, sizeof p);
			assert_int_equal(jbuf_put(jb, p, sizeof p,
			    TS0 + sent * pkt_ts, (uint16_t)(SEQ0 + sent),
			    pkt_ts), 0);
			sent++;
		}
		while (held < FRAME_TS) {
			len = sizeof out;
			r = jbuf_get(jb, FRAME_TS - held < pkt_ts ?
			    FRAME_TS - held : pkt_ts, out, &len, &span);
			if (r == JBUF_EMPTY)
				break;
			assert_int_equal(r, JBUF_OK);
			assert_int_equal(len, sizeof p);
			memcpy(&got, out, sizeof got);
			assert_int_equal(got, next);
			assert_int_equal(span, pkt_ts);
			next++;
			held += span;
		}
		if (held >= FRAME_TS) {
			held -= FRAME_TS;
			played++;
		}
		jbuf_tick(jb, held);
	}
	/* Only the priming ticks at the start played nothing. */
	assert_true(played >= 300 - 3);
	assert_true(next + 2 >= sent);
}

/* 30 ms packets (240 units) into 20 ms frames: none lost, none repeated. */
static void
test_jbuf_ptime30(void **state)
{
	test_jbuf_ptime(*state, FRAME_TS * 3 / 2);
}

/* 10 ms packets: two a frame. */
static void
test_jbuf_ptime10(void **state)
{
	test_jbuf_ptime(*state, FRAME_TS / 2);
}

/* 40 ms packets: one every other frame. */
static void
test_jbuf_ptime40(void **state)
{
	test_jbuf_ptime(*state, FRAME_TS * 2);
}

/*
 * When the stream stops for a while the buffer goes back to empty, and a
 * stream that restarts with a new timestamp base is primed again.
 */
static void
test_jbuf_resync(void **state)
{
	struct jbuf		*jb = *state;
	enum jbuf_result	 r;
	uint32_t		 n, i;
	int			 k, missing = 0;

	test_put(jb, 0);
	test_put(jb, 1);
	test_expect(jb, 0);
	test_expect(jb, 1);
	for (k = 0; k < 100; k++) {
		r = test_get(jb, &i);
		if (r == JBUF_MISSING)
			missing++;
		else
			assert_int_equal(r, JBUF_EMPTY);
	}
	/* 19 frames (380 ms) are concealed before we call it stopped. */
	assert_int_equal(missing, 19);

	/* 10000 frames later: a jump speexdsp could never wait for. */
	test_put(jb, 10000);
	assert_int_equal(test_get_result_only(jb), JBUF_EMPTY);
	for (n = 10001; n < 10100; n++) {
		test_put(jb, n);
		test_expect(jb, n - 1);
	}
}

/* Run the jitter buffer tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_jbuf_empty,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_in_order,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_burst_start,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_reordered,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_reordered_late,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_lost,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_late,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_sizes,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_ptime30,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_ptime10,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_ptime40,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_jbuf_resync,
		    test_setup, test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
