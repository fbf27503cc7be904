/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for RTP/RTCP packets, receive statistics and RFC 4733 events. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "rtp.h"

/* Write a big-endian 32-bit value into a test packet. */
static void
test_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Read a big-endian 32-bit value from a built packet. */
static uint32_t
test_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

/* Fill a minimal valid 12-byte header with seq 1, ts 2, SSRC 3, PT 0. */
static void
test_min_hdr(uint8_t *p, uint8_t b0)
{
	memset(p, 0, RTP_HDR_LEN);
	p[0] = b0;
	p[3] = 1;
	test_put32(p + 4, 2);
	test_put32(p + 8, 3);
}

/* Packing then parsing gives back every field and the payload. */
static void
test_rtp_roundtrip(void **state)
{
	struct rtp_hdr	h, p;
	uint8_t		payload[160], buf[200];
	int		n;
	size_t		i;

	for (i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7);
	memset(&h, 0, sizeof h);
	h.pt = 96;
	h.seq = 0xfedc;
	h.ts = 0x89abcdef;
	h.ssrc = 0x01234567;
	n = rtp_pack(&h, payload, sizeof payload, buf, sizeof buf);
	assert_int_equal(n, RTP_HDR_LEN + sizeof payload);
	assert_int_equal(buf[0], 0x80);
	assert_int_equal(buf[1], 96);
	assert_int_equal(buf[2], 0xfe);
	assert_int_equal(buf[3], 0xdc);
	assert_int_equal(test_get32(buf + 4), 0x89abcdef);
	assert_int_equal(test_get32(buf + 8), 0x01234567);

	assert_int_equal(rtp_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(p.version, 2);
	assert_false(p.padding);
	assert_false(p.extension);
	assert_false(p.marker);
	assert_int_equal(p.cc, 0);
	assert_int_equal(p.pt, 96);
	assert_int_equal(p.seq, 0xfedc);
	assert_int_equal(p.ts, 0x89abcdef);
	assert_int_equal(p.ssrc, 0x01234567);
	assert_ptr_equal(p.payload, buf + RTP_HDR_LEN);
	assert_int_equal(p.payload_len, sizeof payload);
	assert_memory_equal(p.payload, payload, sizeof payload);
}

/* The marker bit is packed into the top of byte 1 and parsed back. */
static void
test_rtp_marker(void **state)
{
	struct rtp_hdr	h, p;
	uint8_t		buf[32];
	int		n;

	memset(&h, 0, sizeof h);
	h.marker = true;
	h.pt = 0;
	n = rtp_pack(&h, (const uint8_t *)"x", 1, buf, sizeof buf);
	assert_int_equal(n, 13);
	assert_int_equal(buf[1], 0x80);
	assert_int_equal(rtp_parse(buf, (size_t)n, &p), 0);
	assert_true(p.marker);
	assert_int_equal(p.pt, 0);

	h.marker = false;
	h.pt = 127;
	n = rtp_pack(&h, NULL, 0, buf, sizeof buf);
	assert_int_equal(n, RTP_HDR_LEN);
	assert_int_equal(buf[1], 0x7f);
	assert_int_equal(rtp_parse(buf, (size_t)n, &p), 0);
	assert_false(p.marker);
	assert_int_equal(p.pt, 127);
	assert_int_equal(p.payload_len, 0);
}

/* rtp_pack needs room for the header and the whole payload. */
static void
test_rtp_pack_nospace(void **state)
{
	struct rtp_hdr	h;
	uint8_t		payload[20] = { 0 }, buf[64];

	memset(&h, 0, sizeof h);
	assert_int_equal(rtp_pack(&h, payload, 20, buf, 31), -ENOSPC);
	assert_int_equal(rtp_pack(&h, payload, 20, buf, 32), 32);
	assert_int_equal(rtp_pack(&h, payload, 0, buf, 11), -ENOSPC);
	assert_int_equal(rtp_pack(&h, payload, 0, buf, 0), -ENOSPC);
}

/* Every length shorter than the fixed header is rejected. */
static void
test_rtp_truncated_header(void **state)
{
	struct rtp_hdr	p;
	uint8_t		buf[RTP_HDR_LEN];
	size_t		len;

	test_min_hdr(buf, 0x80);
	assert_int_equal(rtp_parse(buf, RTP_HDR_LEN, &p), 0);
	for (len = 0; len < RTP_HDR_LEN; len++)
		assert_int_equal(rtp_parse(buf, len, &p), EINVAL);
}

/* Versions 0, 1 and 3 are rejected. */
static void
test_rtp_bad_version(void **state)
{
	struct rtp_hdr	p;
	uint8_t		buf[16];

	test_min_hdr(buf, 0x00);
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), EINVAL);
	buf[0] = 0x40;
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), EINVAL);
	buf[0] = 0xc0;
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), EINVAL);
	buf[0] = 0x80;
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), 0);
}

/* A CSRC list is parsed, and one cut short is rejected. */
static void
test_rtp_csrc(void **state)
{
	struct rtp_hdr	p;
	uint8_t		buf[RTP_HDR_LEN + 12 + 4];
	size_t		len;

	test_min_hdr(buf, 0x83);
	test_put32(buf + 12, 0x11111111);
	test_put32(buf + 16, 0x22222222);
	test_put32(buf + 20, 0x33333333);
	memcpy(buf + 24, "abcd", 4);
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), 0);
	assert_int_equal(p.cc, 3);
	assert_int_equal(p.csrc[0], 0x11111111);
	assert_int_equal(p.csrc[1], 0x22222222);
	assert_int_equal(p.csrc[2], 0x33333333);
	assert_ptr_equal(p.payload, buf + 24);
	assert_int_equal(p.payload_len, 4);

	/* Exactly the CSRC list and no payload is fine... */
	assert_int_equal(rtp_parse(buf, 24, &p), 0);
	assert_int_equal(p.payload_len, 0);
	/* ...one octet less is not. */
	for (len = RTP_HDR_LEN; len < 24; len++)
		assert_int_equal(rtp_parse(buf, len, &p), EINVAL);
}

/* A header extension after the CSRC list is parsed and bounds-checked. */
static void
test_rtp_extension(void **state)
{
	struct rtp_hdr	p;
	uint8_t		buf[RTP_HDR_LEN + 4 + 4 + 8 + 3];
	size_t		len;

	test_min_hdr(buf, 0x91);		/* X set, one CSRC */
	test_put32(buf + 12, 0xcafebabe);
	buf[16] = 0xbe;
	buf[17] = 0xde;
	buf[18] = 0;
	buf[19] = 2;				/* two words of data */
	memcpy(buf + 20, "12345678", 8);
	memcpy(buf + 28, "xyz", 3);
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), 0);
	assert_true(p.extension);
	assert_int_equal(p.csrc[0], 0xcafebabe);
	assert_int_equal(p.ext_profile, 0xbede);
	assert_int_equal(p.ext_len, 8);
	assert_ptr_equal(p.ext, buf + 20);
	assert_ptr_equal(p.payload, buf + 28);
	assert_int_equal(p.payload_len, 3);

	/* Cut in the extension header or its data. */
	for (len = 16; len < 28; len++)
		assert_int_equal(rtp_parse(buf, len, &p), EINVAL);
	assert_int_equal(rtp_parse(buf, 28, &p), 0);
}

/* Padding is stripped; a count of 0 or beyond the payload is rejected. */
static void
test_rtp_padding(void **state)
{
	struct rtp_hdr	p;
	uint8_t		buf[RTP_HDR_LEN + 10 + 4];

	test_min_hdr(buf, 0xa0);		/* P set */
	memset(buf + 12, 'p', 10);
	memset(buf + 22, 0, 3);
	buf[25] = 4;
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), 0);
	assert_true(p.padding);
	assert_int_equal(p.payload_len, 10);

	buf[25] = 14;				/* all of it is padding */
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), 0);
	assert_int_equal(p.payload_len, 0);
	buf[25] = 15;				/* larger than the payload */
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), EINVAL);
	buf[25] = 255;
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), EINVAL);
	buf[25] = 0;				/* must count itself */
	assert_int_equal(rtp_parse(buf, sizeof buf, &p), EINVAL);

	/* Padding may not reach into a header extension. */
	test_min_hdr(buf, 0xb0);
	buf[12] = 0;
	buf[13] = 0;
	buf[14] = 0;
	buf[15] = 1;
	buf[20] = 0;
	buf[21] = 2;
	assert_int_equal(rtp_parse(buf, 22, &p), 0);
	assert_int_equal(p.payload_len, 0);
	buf[21] = 3;
	assert_int_equal(rtp_parse(buf, 22, &p), EINVAL);
}

/* RFC 4733 payloads pack to the documented layout and parse back. */
static void
test_rtp_dtmf(void **state)
{
	struct rtp_dtmf	d = { .event = 11, .end = true, .volume = 10,
			      .duration = 800 };
	struct rtp_dtmf	q;
	uint8_t		out[4];
	const uint8_t	want[4] = { 0x0b, 0x8a, 0x03, 0x20 };
	const uint8_t	bad[4] = { 16, 0, 0, 0 };
	const uint8_t	rbit[4] = { 5, 0x7f, 0xff, 0xff };

	assert_int_equal(rtp_dtmf_pack(&d, out), 4);
	assert_memory_equal(out, want, 4);
	memset(&q, 0xff, sizeof q);
	assert_int_equal(rtp_dtmf_parse(out, 4, &q), 0);
	assert_int_equal(q.event, 11);
	assert_true(q.end);
	assert_int_equal(q.volume, 10);
	assert_int_equal(q.duration, 800);

	/* The reserved bit is ignored; volume is 6 bits. */
	assert_int_equal(rtp_dtmf_parse(rbit, 4, &q), 0);
	assert_int_equal(q.event, 5);
	assert_false(q.end);
	assert_int_equal(q.volume, 63);
	assert_int_equal(q.duration, 65535);

	/* Volume is masked to its 6 bits, leaving E alone. */
	d.end = false;
	d.volume = 0xff;
	assert_int_equal(rtp_dtmf_pack(&d, out), 4);
	assert_int_equal(out[1], 0x3f);
	d.volume = 10;
	assert_int_equal(rtp_dtmf_pack(&d, out), 4);

	assert_int_equal(rtp_dtmf_parse(out, 3, &q), EINVAL);
	assert_int_equal(rtp_dtmf_parse(bad, 4, &q), EINVAL);
}

/* Digits, '*', '#' and A-D map to events 0-15 and back. */
static void
test_rtp_dtmf_chars(void **state)
{
	const char	*all = "0123456789*#ABCD";
	int		 i;

	for (i = 0; i < 16; i++) {
		assert_int_equal(rtp_dtmf_event(all[i]), i);
		assert_int_equal(rtp_dtmf_char((uint8_t)i), all[i]);
	}
	assert_int_equal(rtp_dtmf_event('a'), 12);
	assert_int_equal(rtp_dtmf_event('E'), -1);
	assert_int_equal(rtp_dtmf_event('x'), -1);
	assert_int_equal(rtp_dtmf_event(' '), -1);
	assert_int_equal(rtp_dtmf_char(16), 0);
	assert_int_equal(rtp_dtmf_char(255), 0);
}

/* Feed seq first..first+n-1 with a constant transit. */
static void
test_feed(struct rtp_rx_stats *s, uint16_t first, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		uint16_t	seq = (uint16_t)(first + i);

		rtp_rx_update(s, seq, (uint32_t)seq * 160,
		    (uint32_t)seq * 160 + 1000);
	}
}

/* A new source is on probation for one packet, then valid. */
static void
test_rx_probation(void **state)
{
	struct rtp_rx_stats	s;

	rtp_rx_init(&s, 500);
	assert_true(s.started);
	assert_false(rtp_rx_update(&s, 500, 0, 0));
	assert_int_equal(rtp_rx_lost(&s), 0);
	assert_true(rtp_rx_update(&s, 501, 160, 160));
	assert_true(rtp_rx_update(&s, 502, 320, 320));
	assert_int_equal(s.received, 2);
	assert_int_equal(rtp_rx_lost(&s), 0);

	/* Out of sequence during probation restarts it. */
	rtp_rx_init(&s, 10);
	assert_false(rtp_rx_update(&s, 10, 0, 0));
	assert_false(rtp_rx_update(&s, 12, 0, 0));
	assert_true(rtp_rx_update(&s, 13, 0, 0));
}

/* The sequence number wraps into the cycle count with no false loss. */
static void
test_rx_wrap(void **state)
{
	struct rtp_rx_stats	s;

	rtp_rx_init(&s, 65530);
	test_feed(&s, 65530, 16);		/* 65530..65535, 0..9 */
	assert_int_equal(s.cycles, 65536);
	assert_int_equal(s.max_seq, 9);
	assert_int_equal(s.received, 15);	/* the first was probation */
	assert_int_equal(rtp_rx_lost(&s), 0);
	assert_int_equal(rtp_rx_jitter(&s), 0);

	/* Loss across the wrap still counts. */
	rtp_rx_init(&s, 65533);
	test_feed(&s, 65533, 2);
	test_feed(&s, 1, 3);			/* 65535 and 0 lost */
	assert_int_equal(s.cycles, 65536);
	assert_int_equal(rtp_rx_lost(&s), 2);
}

/* Gaps count as lost; late arrivals and duplicates are accounted. */
static void
test_rx_loss(void **state)
{
	struct rtp_rx_stats	s;

	rtp_rx_init(&s, 1000);
	test_feed(&s, 1000, 3);			/* 1000..1002 */
	test_feed(&s, 1004, 1);			/* 1003 lost */
	test_feed(&s, 1007, 3);			/* 1005, 1006 lost */
	assert_int_equal(rtp_rx_lost(&s), 3);
	assert_int_equal(s.max_seq, 1009);

	/* 1003 turns up late: it is valid and no longer lost. */
	assert_true(rtp_rx_update(&s, 1003, 1003 * 160, 1009 * 160));
	assert_int_equal(rtp_rx_lost(&s), 2);
	assert_int_equal(s.max_seq, 1009);

	/* Duplicates never make the count negative. */
	test_feed(&s, 1009, 1);
	test_feed(&s, 1009, 1);
	test_feed(&s, 1009, 1);
	assert_int_equal(rtp_rx_lost(&s), 0);
}

/* A huge jump is ignored once, and taken as a restart if it continues. */
static void
test_rx_restart(void **state)
{
	struct rtp_rx_stats	s;

	rtp_rx_init(&s, 100);
	test_feed(&s, 100, 10);
	assert_false(rtp_rx_update(&s, 30000, 0, 0));
	assert_int_equal(s.max_seq, 109);
	assert_true(rtp_rx_update(&s, 30001, 0, 0));
	assert_int_equal(s.base_seq, 30001);
	assert_int_equal(s.received, 1);
	assert_int_equal(rtp_rx_lost(&s), 0);
}

/* Jitter follows A.8 exactly on a known alternating arrival pattern. */
static void
test_rx_jitter(void **state)
{
	struct rtp_rx_stats	s;
	double			j = 0.0;
	uint32_t		i;

	/* Odd packets arrive 80 units late: |D| is 80 every time. */
	rtp_rx_init(&s, 0);
	rtp_rx_update(&s, 0, 0, 0);
	rtp_rx_update(&s, 1, 160, 240);
	assert_int_equal(rtp_rx_jitter(&s), 5);		/* 80/16 */
	rtp_rx_update(&s, 2, 320, 320);
	assert_int_equal(rtp_rx_jitter(&s), 9);		/* 5 + 75/16 */
	/* A.8's rounding: 155 + 80 - ((155 + 8) >> 4). */
	rtp_rx_update(&s, 3, 480, 560);
	assert_int_equal(s.jitter, 225);
	j = 5.0 + (80.0 - 5.0) / 16.0;
	j += (80.0 - j) / 16.0;
	for (i = 4; i < 300; i++) {
		rtp_rx_update(&s, (uint16_t)i, i * 160,
		    i * 160 + ((i & 1) ? 80 : 0));
		j += (80.0 - j) / 16.0;
		assert_in_range(rtp_rx_jitter(&s), (uint32_t)j - 1,
		    (uint32_t)j + 1);
	}
	assert_in_range(rtp_rx_jitter(&s), 78, 80);

	/* The RTP clock wrapping does not disturb it. */
	rtp_rx_init(&s, 0);
	for (i = 0; i < 100; i++)
		rtp_rx_update(&s, (uint16_t)i, 0xffffff00u + i * 160,
		    i * 160 + 7);
	assert_int_equal(rtp_rx_jitter(&s), 0);
}

/* Fill an SR info with distinctive values. */
static void
test_sr_info(struct rtcp_sr_info *i, const char *cname)
{
	memset(i, 0, sizeof *i);
	i->ssrc = 0x11223344;
	i->ntp = 0xaabbccdd55667788ull;
	i->rtp_ts = 0x01020304;
	i->pkt_count = 1000;
	i->octet_count = 160000;
	i->have_rr = true;
	i->rr_ssrc = 0x99887766;
	i->fraction_lost = 25;
	i->cum_lost = 0x123456;
	i->ext_max_seq = 0x00015555;
	i->jitter = 42;
	i->lsr = 0x12345678;
	i->dlsr = 0x00010000;
	i->cname = cname;
}

/* SR with one report block and SDES CNAME: every field and length. */
static void
test_rtcp_sr(void **state)
{
	struct rtcp_sr_info	i;
	uint8_t			buf[256];
	uint32_t		ssrc = 0, lsr = 0;
	int			n, k;

	test_sr_info(&i, "alice@host");	/* 10 octets */
	n = rtcp_build_report(&i, true, buf, sizeof buf);
	assert_int_equal(n, 52 + 24);
	assert_int_equal(buf[0], 0x81);		/* V=2, RC=1 */
	assert_int_equal(buf[1], 200);
	assert_int_equal(buf[2], 0);
	assert_int_equal(buf[3], 12);		/* 52/4 - 1 */
	assert_int_equal(test_get32(buf + 4), 0x11223344);
	assert_int_equal(test_get32(buf + 8), 0xaabbccdd);
	assert_int_equal(test_get32(buf + 12), 0x55667788);
	assert_int_equal(test_get32(buf + 16), 0x01020304);
	assert_int_equal(test_get32(buf + 20), 1000);
	assert_int_equal(test_get32(buf + 24), 160000);
	assert_int_equal(test_get32(buf + 28), 0x99887766);
	assert_int_equal(test_get32(buf + 32), (25u << 24) | 0x123456);
	assert_int_equal(test_get32(buf + 36), 0x00015555);
	assert_int_equal(test_get32(buf + 40), 42);
	assert_int_equal(test_get32(buf + 44), 0x12345678);
	assert_int_equal(test_get32(buf + 48), 0x00010000);
	/* SDES: header, SSRC, CNAME item, null-terminated to a word. */
	assert_int_equal(buf[52], 0x81);
	assert_int_equal(buf[53], 202);
	assert_int_equal(buf[55], 5);		/* 24/4 - 1 */
	assert_int_equal(test_get32(buf + 56), 0x11223344);
	assert_int_equal(buf[60], 1);
	assert_int_equal(buf[61], 10);
	assert_memory_equal(buf + 62, "alice@host", 10);
	for (k = 72; k < 76; k++)
		assert_int_equal(buf[k], 0);

	assert_int_equal(rtcp_parse(buf, (size_t)n, &ssrc, &lsr), 0);
	assert_int_equal(ssrc, 0x11223344);
	assert_int_equal(lsr, 0xccdd5566);

	for (k = 0; k < n; k++)
		assert_int_equal(rtcp_build_report(&i, true, buf, (size_t)k),
		    -ENOSPC);
}

/* RR without a block, SDES padding for several CNAME lengths. */
static void
test_rtcp_rr(void **state)
{
	struct rtcp_sr_info	i;
	uint8_t			buf[512];
	uint32_t		ssrc = 0, lsr = 0xdeadbeef;
	int			n;
	size_t			cl;
	char			cname[300];

	test_sr_info(&i, "ab");
	i.have_rr = false;
	n = rtcp_build_report(&i, false, buf, sizeof buf);
	assert_int_equal(n, 8 + 16);		/* 4+4+2+2+1 -> 12 + 4 */
	assert_int_equal(buf[0], 0x80);
	assert_int_equal(buf[1], 201);
	assert_int_equal(buf[3], 1);
	assert_int_equal(test_get32(buf + 4), 0x11223344);
	assert_int_equal(buf[8 + 3], 3);
	assert_int_equal(rtcp_parse(buf, (size_t)n, &ssrc, &lsr), 0);
	assert_int_equal(ssrc, 0x11223344);
	assert_int_equal(lsr, 0xdeadbeef);	/* no SR: left alone */

	/* RR with a block; the lost count clamps to 24-bit positive. */
	i.have_rr = true;
	i.cum_lost = 0x1000000;
	n = rtcp_build_report(&i, false, buf, sizeof buf);
	assert_int_equal(n, 32 + 16);
	assert_int_equal(buf[0], 0x81);
	assert_int_equal(test_get32(buf + 12), (25u << 24) | 0x7fffff);
	assert_int_equal(rtcp_parse(buf, (size_t)n, NULL, NULL), 0);

	/* The CNAME always ends with a null and the packet on a word. */
	memset(cname, 'c', sizeof cname);
	for (cl = 0; cl < 260; cl++) {
		size_t	want = 4 + ((4 + 2 + (cl > 255 ? 255 : cl) + 1 + 3) &
		    ~(size_t)3);

		cname[cl] = '\0';
		i.cname = cname;
		i.have_rr = false;
		n = rtcp_build_report(&i, false, buf, sizeof buf);
		assert_int_equal(n, 8 + want);
		assert_int_equal(buf[8 + 9], cl > 255 ? 255 : cl);
		assert_int_equal(buf[n - 1], 0);
		assert_int_equal(rtcp_parse(buf, (size_t)n, NULL, NULL), 0);
		cname[cl] = 'c';
	}
}

/* The BYE compound: RR, SDES, BYE with our SSRC. */
static void
test_rtcp_bye(void **state)
{
	uint8_t		buf[128];
	uint32_t	ssrc = 0;
	int		n, k;

	n = rtcp_build_bye(0x5a5a5a5a, "me", buf, sizeof buf);
	assert_int_equal(n, 8 + 16 + 8);
	assert_int_equal(buf[1], 201);
	assert_int_equal(buf[9], 202);
	assert_int_equal(buf[24], 0x81);	/* SC=1 */
	assert_int_equal(buf[25], 203);
	assert_int_equal(buf[27], 1);
	assert_int_equal(test_get32(buf + 28), 0x5a5a5a5a);
	assert_int_equal(rtcp_parse(buf, (size_t)n, &ssrc, NULL), 0);
	assert_int_equal(ssrc, 0x5a5a5a5a);
	for (k = 0; k < n; k++)
		assert_int_equal(rtcp_build_bye(1, "me", buf, (size_t)k),
		    -ENOSPC);
}

/* Bad versions, lengths, padding and first packet types are rejected. */
static void
test_rtcp_parse_bad(void **state)
{
	struct rtcp_sr_info	i;
	uint8_t			buf[256], bad[256];
	int			n;
	size_t			k;
	uint32_t		ssrc = 7;

	test_sr_info(&i, "alice@host");
	n = rtcp_build_report(&i, true, buf, sizeof buf);
	assert_int_equal(rtcp_parse(buf, (size_t)n, NULL, NULL), 0);

	/* Version in the first and in a later packet. */
	memcpy(bad, buf, (size_t)n);
	bad[0] = 0x41;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &ssrc, NULL), EINVAL);
	assert_int_equal(ssrc, 7);		/* untouched on error */
	memcpy(bad, buf, (size_t)n);
	bad[52] = 0xc1;
	assert_int_equal(rtcp_parse(bad, (size_t)n, NULL, NULL), EINVAL);

	/*
	 * Every truncation but the one at the packet boundary (an SR on its
	 * own is valid), and trailing bytes, break the length sum.
	 */
	for (k = 0; k < (size_t)n; k++)
		assert_int_equal(rtcp_parse(buf, k, NULL, NULL),
		    k == 52 ? 0 : EINVAL);
	memcpy(bad, buf, (size_t)n);
	memset(bad + n, 0, 8);
	assert_int_equal(rtcp_parse(bad, (size_t)n + 4, NULL, NULL), EINVAL);

	/* A length field past the end. */
	memcpy(bad, buf, (size_t)n);
	bad[55] = 6;
	assert_int_equal(rtcp_parse(bad, (size_t)n, NULL, NULL), EINVAL);
	/* A report count that does not fit the SR. */
	memcpy(bad, buf, (size_t)n);
	bad[0] = 0x82;
	assert_int_equal(rtcp_parse(bad, (size_t)n, NULL, NULL), EINVAL);
	/* Padding on the first packet. */
	memcpy(bad, buf, (size_t)n);
	bad[0] |= 0x20;
	assert_int_equal(rtcp_parse(bad, (size_t)n, NULL, NULL), EINVAL);
	/* The first packet must be SR or RR. */
	assert_int_equal(rtcp_parse(buf + 52, (size_t)n - 52, NULL, NULL),
	    EINVAL);
	memcpy(bad, buf, (size_t)n);
	bad[1] = 203;
	assert_int_equal(rtcp_parse(bad, (size_t)n, NULL, NULL), EINVAL);

	/* Padding on the last packet is fine. */
	memcpy(bad, buf, (size_t)n);
	bad[52] |= 0x20;
	assert_int_equal(rtcp_parse(bad, (size_t)n, NULL, NULL), 0);
}

/* Run the RTP and RTCP tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtp_roundtrip),
		cmocka_unit_test(test_rtp_marker),
		cmocka_unit_test(test_rtp_pack_nospace),
		cmocka_unit_test(test_rtp_truncated_header),
		cmocka_unit_test(test_rtp_bad_version),
		cmocka_unit_test(test_rtp_csrc),
		cmocka_unit_test(test_rtp_extension),
		cmocka_unit_test(test_rtp_padding),
		cmocka_unit_test(test_rtp_dtmf),
		cmocka_unit_test(test_rtp_dtmf_chars),
		cmocka_unit_test(test_rx_probation),
		cmocka_unit_test(test_rx_wrap),
		cmocka_unit_test(test_rx_loss),
		cmocka_unit_test(test_rx_restart),
		cmocka_unit_test(test_rx_jitter),
		cmocka_unit_test(test_rtcp_sr),
		cmocka_unit_test(test_rtcp_rr),
		cmocka_unit_test(test_rtcp_bye),
		cmocka_unit_test(test_rtcp_parse_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
