/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for the lock-free SPSC sample ring. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ring.h"

/* Samples pushed through the two-thread test. */
#define RING_TEST_TOTAL		(2u * 1000u * 1000u)
/* Give up on the two-thread test after this many seconds. */
#define RING_TEST_DEADLINE	20

/* Fill pcm with n consecutive values starting at first. */
static void
test_ring_seq(int16_t *pcm, size_t n, unsigned first)
{
	size_t	i;

	for (i = 0; i < n; i++)
		pcm[i] = (int16_t)(first + i);
}

/* Check that pcm holds n consecutive values starting at first. */
static void
test_ring_check_seq(const int16_t *pcm, size_t n, unsigned first)
{
	size_t	i;

	for (i = 0; i < n; i++)
		assert_int_equal(pcm[i], (int16_t)(first + i));
}

/* The size is rounded up to a power of two and the ring starts empty. */
static void
test_ring_init_pow2(void **state)
{
	struct ring	r;
	int16_t		pcm[4];

	assert_int_equal(ring_init(&r, 100), 0);
	assert_int_equal(r.size, 128);
	assert_int_equal(ring_count(&r), 0);
	assert_int_equal(ring_space(&r), 128);
	assert_int_equal(ring_read(&r, pcm, 4), 0);
	assert_int_equal(ring_skip(&r, 4), 0);
	ring_fini(&r);
	assert_null(r.buf);

	assert_int_equal(ring_init(&r, 64), 0);
	assert_int_equal(r.size, 64);
	ring_fini(&r);

	assert_int_equal(ring_init(&r, 0), 0);
	assert_true(r.size >= 1);
	ring_fini(&r);

	assert_int_equal(ring_init(&r, SIZE_MAX), ENOMEM);
}

/* A full ring takes no more, and gives back exactly what was written. */
static void
test_ring_full_empty(void **state)
{
	struct ring	r;
	int16_t		in[20], out[20];

	assert_int_equal(ring_init(&r, 16), 0);
	test_ring_seq(in, 20, 1000);

	assert_int_equal(ring_write(&r, in, 20), 16);
	assert_int_equal(ring_count(&r), 16);
	assert_int_equal(ring_space(&r), 0);
	assert_int_equal(ring_write(&r, in, 1), 0);

	memset(out, 0, sizeof out);
	assert_int_equal(ring_read(&r, out, 20), 16);
	test_ring_check_seq(out, 16, 1000);
	assert_int_equal(ring_count(&r), 0);
	assert_int_equal(ring_space(&r), 16);
	assert_int_equal(ring_read(&r, out, 20), 0);
	ring_fini(&r);
}

/* Writes and reads shorter than asked return only what fits or exists. */
static void
test_ring_partial(void **state)
{
	struct ring	r;
	int16_t		in[8], out[8];

	assert_int_equal(ring_init(&r, 8), 0);
	test_ring_seq(in, 8, 0);

	assert_int_equal(ring_write(&r, in, 5), 5);
	assert_int_equal(ring_write(&r, in + 5, 8), 3);
	assert_int_equal(ring_read(&r, out, 3), 3);
	test_ring_check_seq(out, 3, 0);
	assert_int_equal(ring_count(&r), 5);
	assert_int_equal(ring_space(&r), 3);

	test_ring_seq(in, 8, 8);
	assert_int_equal(ring_write(&r, in, 8), 3);
	assert_int_equal(ring_read(&r, out, 8), 8);
	test_ring_check_seq(out, 8, 3);
	assert_int_equal(ring_write(&r, in, 0), 0);
	assert_int_equal(ring_read(&r, out, 0), 0);
	ring_fini(&r);
}

/* Data that crosses the end of the buffer comes out whole, many times over. */
static void
test_ring_wrap(void **state)
{
	struct ring	r;
	int16_t		in[7], out[7];
	unsigned	next = 0, i;

	assert_int_equal(ring_init(&r, 8), 0);
	/* 7 does not divide 8, so every position is a wrap point once. */
	for (i = 0; i < 100; i++) {
		test_ring_seq(in, 7, next);
		assert_int_equal(ring_write(&r, in, 7), 7);
		memset(out, 0, sizeof out);
		assert_int_equal(ring_read(&r, out, 7), 7);
		test_ring_check_seq(out, 7, next);
		next += 7;
	}
	ring_fini(&r);
}

/* The free-running counters may wrap past SIZE_MAX without harm. */
static void
test_ring_counter_wrap(void **state)
{
	struct ring	r;
	int16_t		in[6], out[6];
	unsigned	i;

	assert_int_equal(ring_init(&r, 8), 0);
	atomic_store(&r.head, SIZE_MAX - 2);
	atomic_store(&r.tail, SIZE_MAX - 2);
	for (i = 0; i < 4; i++) {
		test_ring_seq(in, 6, i * 6);
		assert_int_equal(ring_write(&r, in, 6), 6);
		assert_int_equal(ring_count(&r), 6);
		assert_int_equal(ring_space(&r), 2);
		assert_int_equal(ring_read(&r, out, 6), 6);
		test_ring_check_seq(out, 6, i * 6);
	}
	ring_fini(&r);
}

/* Skipping drops the oldest samples, never more than are there. */
static void
test_ring_skip(void **state)
{
	struct ring	r;
	int16_t		in[10], out[10];

	assert_int_equal(ring_init(&r, 16), 0);
	test_ring_seq(in, 10, 50);
	assert_int_equal(ring_write(&r, in, 10), 10);
	assert_int_equal(ring_skip(&r, 4), 4);
	assert_int_equal(ring_count(&r), 6);
	assert_int_equal(ring_read(&r, out, 2), 2);
	test_ring_check_seq(out, 2, 54);
	assert_int_equal(ring_skip(&r, 100), 4);
	assert_int_equal(ring_count(&r), 0);
	assert_int_equal(ring_skip(&r, 1), 0);
	ring_fini(&r);
}

/* Shared state of the producer/consumer test. */
struct test_ring_mt {
	struct ring	ring;
	time_t		deadline;	/* CLOCK_MONOTONIC seconds */
	int		timed_out;	/* set by the producer */
};

/* Seconds on the monotonic clock. */
static time_t
test_ring_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Producer thread: write the sequence 0.. in odd-sized chunks. */
static void *
test_ring_producer(void *arg)
{
	struct test_ring_mt	*mt = arg;
	int16_t			 chunk[97];
	unsigned		 sent = 0, n, want, k = 0;

	while (sent < RING_TEST_TOTAL) {
		want = 1 + (k++ * 37) % 97;
		if (want > RING_TEST_TOTAL - sent)
			want = RING_TEST_TOTAL - sent;
		test_ring_seq(chunk, want, sent);
		n = 0;
		while (n < want) {
			n += ring_write(&mt->ring, chunk + n, want - n);
			if (n < want) {
				if (test_ring_now() > mt->deadline) {
					mt->timed_out = 1;
					return NULL;
				}
				sched_yield();
			}
		}
		sent += want;
	}
	return NULL;
}

/* Every sample crosses between two threads once, in order. */
static void
test_ring_threads(void **state)
{
	struct test_ring_mt	mt;
	pthread_t		th;
	int16_t			out[61];
	unsigned		got = 0, n, i, k = 0, bad = 0;

	memset(&mt, 0, sizeof mt);
	assert_int_equal(ring_init(&mt.ring, 256), 0);
	mt.deadline = test_ring_now() + RING_TEST_DEADLINE;
	assert_int_equal(pthread_create(&th, NULL, test_ring_producer, &mt),
	    0);

	while (got < RING_TEST_TOTAL && test_ring_now() <= mt.deadline) {
		/* Vary the read size so reads and writes straddle each other. */
		if (ring_count(&mt.ring) > mt.ring.size)
			bad++;
		n = ring_read(&mt.ring, out, 1 + (k++ * 13) % 61);
		for (i = 0; i < n; i++) {
			if (out[i] != (int16_t)(got + i))
				bad++;
		}
		got += n;
		if (n == 0)
			sched_yield();
	}
	/* No assert may fire before the join: mt lives on this stack. */
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_false(mt.timed_out);
	assert_int_equal(got, RING_TEST_TOTAL);
	assert_int_equal(bad, 0);
	assert_int_equal(ring_count(&mt.ring), 0);
	ring_fini(&mt.ring);
}

/* Run the ring tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_init_pow2),
		cmocka_unit_test(test_ring_full_empty),
		cmocka_unit_test(test_ring_partial),
		cmocka_unit_test(test_ring_wrap),
		cmocka_unit_test(test_ring_counter_wrap),
		cmocka_unit_test(test_ring_skip),
		cmocka_unit_test(test_ring_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
