/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for our SDP offer, parsing the peer's SDP and codec negotiation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "sdp.h"

/* Our default preference, as config names. */
static const char *const test_sdp_default[] = {
	"speex-wb", "speex-nb", "PCMU", "PCMA"
};

/* Look up config names into prefs; returns how many. */
static size_t
test_sdp_prefs(const struct codec_desc **prefs, const char *const *names,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		prefs[i] = codec_find_config(names[i]);
		assert_non_null(prefs[i]);
	}
	return n;
}

/* Check that every needle occurs in text, each after the previous one. */
static void
test_sdp_in_order(const char *text, const char *const *needles, size_t n)
{
	const char	*at = text, *p;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((p = strstr(at, needles[i])) == NULL)
			fail_msg("'%s' missing or out of order in:\n%s",
			    needles[i], text);
		at = p + strlen(needles[i]);
	}
}

/* Parse sdp, which must succeed. */
static void
test_sdp_parse_ok(const char *sdp, struct sdp_audio *a)
{
	assert_int_equal(sdp_parse_audio(sdp, a), 0);
}

/* The full offer: lines, payload types from 96 in config order, DTMF at both rates. */
static void
test_sdp_offer_default(void **state)
{
	const struct codec_desc	*prefs[4];
	const struct codec_desc	*wb = codec_find_config("speex-wb");
	const struct codec_desc	*nb = codec_find_config("speex-nb");
	char			 buf[2048], line[256];
	size_t			 n;
	int			 len;
	const char *const	 want[] = {
		"v=0\r\n",
		"o=- 123456789 2 IN IP4 192.0.2.10\r\n",
		"s=termphone\r\n",
		"c=IN IP4 192.0.2.10\r\n",
		"t=0 0\r\n",
		"m=audio 4000 RTP/AVP 96 97 0 8 98 99\r\n",
		"a=rtpmap:96 speex/16000\r\n",
		"a=rtpmap:97 speex/8000\r\n",
		"a=rtpmap:0 PCMU/8000\r\n",
		"a=rtpmap:8 PCMA/8000\r\n",
		"a=rtpmap:98 telephone-event/8000\r\n",
		"a=fmtp:98 0-16\r\n",
		"a=rtpmap:99 telephone-event/16000\r\n",
		"a=fmtp:99 0-16\r\n",
		"a=ptime:20\r\n",
		"a=sendrecv\r\n",
	};

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	len = sdp_build_offer(buf, sizeof buf, "192.0.2.10", 4000, prefs, n,
	    123456789, 2);
	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(buf));
	assert_int_equal(strncmp(buf, "v=0\r\n", 5), 0);
	test_sdp_in_order(buf, want, sizeof want / sizeof want[0]);
	assert_null(strstr(buf, "m=audio 4000 RTP/AVP 96 97 0 8 98 99 "));

	/* a=fmtp for the codecs that have parameters, none for the others. */
	if (wb->fmtp != NULL) {
		snprintf(line, sizeof line, "a=fmtp:96 %s\r\n", wb->fmtp);
		assert_non_null(strstr(buf, line));
	}
	if (nb->fmtp != NULL) {
		snprintf(line, sizeof line, "a=fmtp:97 %s\r\n", nb->fmtp);
		assert_non_null(strstr(buf, line));
	}
	assert_null(strstr(buf, "a=fmtp:0 "));
	assert_null(strstr(buf, "a=fmtp:8 "));
}

/* Another order, narrowband only: no telephone-event/16000; IPv6 addresses. */
static void
test_sdp_offer_order(void **state)
{
	static const char *const names[] = { "PCMA", "speex-nb", "PCMU" };
	const struct codec_desc	*prefs[3];
	char			 buf[1024];
	size_t			 n;
	const char *const	 want[] = {
		"o=- 1 7 IN IP6 2001:db8::5\r\n",
		"c=IN IP6 2001:db8::5\r\n",
		"m=audio 5004 RTP/AVP 8 96 0 97\r\n",
		"a=rtpmap:8 PCMA/8000\r\n",
		"a=rtpmap:96 speex/8000\r\n",
		"a=rtpmap:0 PCMU/8000\r\n",
		"a=rtpmap:97 telephone-event/8000\r\n",
	};

	(void)state;
	n = test_sdp_prefs(prefs, names, 3);
	assert_true(sdp_build_offer(buf, sizeof buf, "2001:db8::5", 5004,
	    prefs, n, 1, 7) > 0);
	test_sdp_in_order(buf, want, sizeof want / sizeof want[0]);
	assert_null(strstr(buf, "/16000"));
}

/* A buffer that is too small gives -ENOSPC. */
static void
test_sdp_offer_nospace(void **state)
{
	const struct codec_desc	*prefs[4];
	char			 buf[64];
	size_t			 n;

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	assert_int_equal(sdp_build_offer(buf, sizeof buf, "192.0.2.10", 4000,
	    prefs, n, 1, 1), -ENOSPC);
	assert_int_equal(sdp_build_offer(buf, 0, "192.0.2.10", 4000,
	    prefs, n, 1, 1), -ENOSPC);
}

/* Our own offer reads back through the parser unchanged. */
static void
test_sdp_offer_roundtrip(void **state)
{
	const struct codec_desc	*prefs[4];
	struct sdp_audio	 a;
	char			 buf[2048];
	size_t			 n;

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	assert_true(sdp_build_offer(buf, sizeof buf, "10.1.2.3", 16384, prefs,
	    n, 42, 1) > 0);
	test_sdp_parse_ok(buf, &a);
	assert_string_equal(a.addr, "10.1.2.3");
	assert_int_equal(a.port, 16384);
	assert_int_equal(a.nfmts, 6);
	assert_int_equal(a.fmts[0].pt, 96);
	assert_string_equal(a.fmts[0].name, "speex");
	assert_int_equal(a.fmts[0].rate, 16000);
	assert_int_equal(a.fmts[2].pt, 0);
	assert_string_equal(a.fmts[2].name, "PCMU");
	assert_int_equal(a.fmts[5].pt, 99);
	assert_string_equal(a.fmts[5].name, "telephone-event");
	assert_string_equal(a.fmts[5].fmtp, "0-16");
	assert_int_equal(a.ptime, 20);
	assert_int_equal(a.maxptime, 0);
	assert_int_equal(a.dir, SDP_SENDRECV);
}

/* A typical offer from a desk phone. */
static const char test_sdp_phone[] =
    "v=0\r\n"
    "o=user 53655765 2353687637 IN IP4 198.51.100.7\r\n"
    "s=-\r\n"
    "c=IN IP4 198.51.100.7\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 101 0 8 100 102\r\n"
    "a=rtpmap:101 speex/16000\r\n"
    "a=fmtp:101 vbr=on\r\n"
    "a=rtpmap:100 telephone-event/8000\r\n"
    "a=fmtp:100 0-15\r\n"
    "a=rtpmap:102 telephone-event/16000\r\n"
    "a=ptime:30\r\n"
    "a=maxptime:60\r\n"
    "a=sendrecv\r\n";

/* Parse the typical offer: address, port, formats in m= order, fmtp, ptime. */
static void
test_sdp_parse_typical(void **state)
{
	struct sdp_audio	a;

	(void)state;
	test_sdp_parse_ok(test_sdp_phone, &a);
	assert_string_equal(a.addr, "198.51.100.7");
	assert_int_equal(a.port, 49170);
	assert_int_equal(a.nfmts, 5);
	assert_int_equal(a.fmts[0].pt, 101);
	assert_string_equal(a.fmts[0].name, "speex");
	assert_int_equal(a.fmts[0].rate, 16000);
	assert_string_equal(a.fmts[0].fmtp, "vbr=on");
	assert_int_equal(a.fmts[1].pt, 0);
	assert_string_equal(a.fmts[1].name, "PCMU");
	assert_int_equal(a.fmts[1].rate, 8000);
	assert_int_equal(a.fmts[2].pt, 8);
	assert_string_equal(a.fmts[2].name, "PCMA");
	assert_string_equal(a.fmts[2].fmtp, "");
	assert_int_equal(a.fmts[3].pt, 100);
	assert_string_equal(a.fmts[3].name, "telephone-event");
	assert_string_equal(a.fmts[3].fmtp, "0-15");
	assert_int_equal(a.fmts[4].pt, 102);
	assert_int_equal(a.fmts[4].rate, 16000);
	assert_int_equal(a.ptime, 30);
	assert_int_equal(a.maxptime, 60);
	assert_int_equal(a.dir, SDP_SENDRECV);
}

/* Media-level c= wins, directions, rejected streams, the first RTP/AVP audio stream. */
static void
test_sdp_parse_variants(void **state)
{
	struct sdp_audio	a;

	(void)state;
	test_sdp_parse_ok("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
	    "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
	    "m=video 5000 RTP/AVP 31\r\n"
	    "m=audio 0 RTP/SAVP 0\r\n"
	    "m=audio 6000 RTP/AVP 0\r\nc=IN IP6 2001:db8::9\r\na=sendonly\r\n",
	    &a);
	assert_string_equal(a.addr, "2001:db8::9");
	assert_int_equal(a.port, 6000);
	assert_int_equal(a.dir, SDP_SENDONLY);
	assert_int_equal(a.ptime, 0);
	assert_int_equal(a.maxptime, 0);

	test_sdp_parse_ok("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n"
	    "c=IN IP4 192.0.2.1\nt=0 0\na=recvonly\na=maxptime:40\n"
	    "m=audio 6000 RTP/AVP 8\n", &a);
	assert_int_equal(a.dir, SDP_RECVONLY);
	assert_int_equal(a.maxptime, 40);	/* from the session level */
	test_sdp_parse_ok("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n"
	    "c=IN IP4 192.0.2.1\nt=0 0\nm=audio 6000 RTP/AVP 8\na=inactive\n",
	    &a);
	assert_int_equal(a.dir, SDP_INACTIVE);
	test_sdp_parse_ok("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n"
	    "c=IN IP4 192.0.2.1\nt=0 0\nm=audio 0 RTP/AVP 8\n", &a);
	assert_int_equal(a.port, 0);
}

/* Static payload types without a=rtpmap get their RFC 3551 names. */
static void
test_sdp_parse_static(void **state)
{
	struct sdp_audio	a;

	(void)state;
	test_sdp_parse_ok("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
	    "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 18\r\n",
	    &a);
	assert_int_equal(a.nfmts, 3);
	assert_int_equal(a.fmts[0].pt, 0);
	assert_string_equal(a.fmts[0].name, "PCMU");
	assert_int_equal(a.fmts[0].rate, 8000);
	assert_int_equal(a.fmts[1].pt, 8);
	assert_string_equal(a.fmts[1].name, "PCMA");
	assert_int_equal(a.fmts[2].pt, 18);
	assert_string_equal(a.fmts[2].name, "G729");
}

/* Garbage is EINVAL; SDP without a usable audio stream is ENOENT. */
static void
test_sdp_parse_errors(void **state)
{
	struct sdp_audio	a;

	(void)state;
	assert_int_equal(sdp_parse_audio("garbage", &a), EINVAL);
	assert_int_equal(sdp_parse_audio("", &a), EINVAL);
	assert_int_equal(sdp_parse_audio("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
	    "s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 31\r\n",
	    &a), ENOENT);
	assert_int_equal(sdp_parse_audio("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
	    "s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n", &a), ENOENT);
	assert_int_equal(sdp_parse_audio("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
	    "s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n",
	    &a), ENOENT);
}

/* Add a format to a hand-built peer description. */
static void
test_sdp_add(struct sdp_audio *a, uint8_t pt, const char *name, uint32_t rate)
{
	struct sdp_fmt	*f = &a->fmts[a->nfmts++];

	f->pt = pt;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->rate = rate;
}

/* A peer offering PCMA, PCMU and speex/8000 (pt 97), in that order. */
static void
test_sdp_peer_nb(struct sdp_audio *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->addr, sizeof a->addr, "192.0.2.1");
	a->port = 4000;
	test_sdp_add(a, 8, "PCMA", 8000);
	test_sdp_add(a, 0, "PCMU", 8000);
	test_sdp_add(a, 97, "speex", 8000);
}

/* Answering an offer: our preference picks; reading an answer: theirs does. */
static void
test_sdp_neg_order(void **state)
{
	const struct codec_desc	*prefs[4];
	struct sdp_audio	 a;
	struct sdp_choice	 c;
	size_t			 n;

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	test_sdp_peer_nb(&a);

	assert_int_equal(sdp_negotiate(&a, prefs, n, false, &c), 0);
	assert_ptr_equal(c.codec, codec_find_config("speex-nb"));
	assert_int_equal(c.pt, 97);

	assert_int_equal(sdp_negotiate(&a, prefs, n, true, &c), 0);
	assert_ptr_equal(c.codec, codec_find_config("PCMA"));
	assert_int_equal(c.pt, 8);

	/* Our preference skips what we did not list. */
	assert_int_equal(sdp_negotiate(&a, prefs + 2, 1, false, &c), 0);
	assert_ptr_equal(c.codec, codec_find_config("PCMU"));
	assert_int_equal(c.pt, 0);
}

/* The peer's dynamic payload type is the one we use; names match case-insensitively. */
static void
test_sdp_neg_pt_mapping(void **state)
{
	const struct codec_desc	*prefs[4];
	struct sdp_audio	 a;
	struct sdp_choice	 c;
	size_t			 n;

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	test_sdp_parse_ok(test_sdp_phone, &a);
	assert_int_equal(sdp_negotiate(&a, prefs, n, false, &c), 0);
	assert_ptr_equal(c.codec, codec_find_config("speex-wb"));
	assert_int_equal(c.pt, 101);

	memset(&a, 0, sizeof a);
	test_sdp_add(&a, 110, "speex", 32000);
	test_sdp_add(&a, 111, "SPEEX", 16000);
	assert_int_equal(sdp_negotiate(&a, prefs, n, true, &c), 0);
	assert_ptr_equal(c.codec, codec_find_config("speex-wb"));
	assert_int_equal(c.pt, 111);
}

/* A static payload type with no name still matches by number. */
static void
test_sdp_neg_static(void **state)
{
	const struct codec_desc	*prefs[4];
	struct sdp_audio	 a;
	struct sdp_choice	 c;
	size_t			 n;

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	memset(&a, 0, sizeof a);
	test_sdp_add(&a, 8, "", 0);
	assert_int_equal(sdp_negotiate(&a, prefs, n, false, &c), 0);
	assert_ptr_equal(c.codec, codec_find_config("PCMA"));
	assert_int_equal(c.pt, 8);

	test_sdp_parse_ok("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
	    "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 0\r\n", &a);
	assert_int_equal(sdp_negotiate(&a, prefs, n, true, &c), 0);
	assert_ptr_equal(c.codec, codec_find_config("PCMU"));
	assert_int_equal(c.pt, 0);
	assert_int_equal(c.dtmf_pt, -1);
}

/* Nothing in common: ENOENT and an empty choice. */
static void
test_sdp_neg_none(void **state)
{
	const struct codec_desc	*prefs[4];
	struct sdp_audio	 a;
	struct sdp_choice	 c;
	size_t			 n;

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	memset(&a, 0, sizeof a);
	test_sdp_add(&a, 18, "G729", 8000);
	test_sdp_add(&a, 96, "opus", 48000);
	test_sdp_add(&a, 97, "speex", 32000);
	test_sdp_add(&a, 98, "telephone-event", 8000);
	test_sdp_add(&a, 99, "", 0);
	assert_int_equal(sdp_negotiate(&a, prefs, n, false, &c), ENOENT);
	assert_null(c.codec);
	assert_int_equal(c.dtmf_pt, -1);
	assert_int_equal(sdp_negotiate(&a, prefs, n, true, &c), ENOENT);

	/* Speex NB only matches speex/8000, not a G.711 peer. */
	test_sdp_peer_nb(&a);
	a.nfmts = 2;
	assert_int_equal(sdp_negotiate(&a, prefs + 1, 1, false, &c), ENOENT);
}

/* telephone-event at the codec's rate, else at 8000, else none. */
static void
test_sdp_neg_dtmf(void **state)
{
	const struct codec_desc	*prefs[4];
	struct sdp_audio	 a;
	struct sdp_choice	 c;
	size_t			 n;

	(void)state;
	n = test_sdp_prefs(prefs, test_sdp_default, 4);
	test_sdp_parse_ok(test_sdp_phone, &a);

	/* speex/16000 chosen: the 16 kHz telephone-event. */
	assert_int_equal(sdp_negotiate(&a, prefs, n, false, &c), 0);
	assert_int_equal(c.dtmf_pt, 102);
	assert_int_equal(c.dtmf_rate, 16000);

	/* PCMU chosen: the 8 kHz one. */
	assert_int_equal(sdp_negotiate(&a, prefs + 2, 1, false, &c), 0);
	assert_int_equal(c.pt, 0);
	assert_int_equal(c.dtmf_pt, 100);
	assert_int_equal(c.dtmf_rate, 8000);

	/* speex/16000 chosen but only 8 kHz DTMF offered: fall back to it. */
	a.nfmts = 4;
	assert_int_equal(sdp_negotiate(&a, prefs, n, false, &c), 0);
	assert_int_equal(c.pt, 101);
	assert_int_equal(c.dtmf_pt, 100);
	assert_int_equal(c.dtmf_rate, 8000);

	/* No telephone-event at all. */
	a.nfmts = 3;
	assert_int_equal(sdp_negotiate(&a, prefs, n, false, &c), 0);
	assert_int_equal(c.dtmf_pt, -1);
}

/* Run the SDP tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdp_offer_default),
		cmocka_unit_test(test_sdp_offer_order),
		cmocka_unit_test(test_sdp_offer_nospace),
		cmocka_unit_test(test_sdp_offer_roundtrip),
		cmocka_unit_test(test_sdp_parse_typical),
		cmocka_unit_test(test_sdp_parse_variants),
		cmocka_unit_test(test_sdp_parse_static),
		cmocka_unit_test(test_sdp_parse_errors),
		cmocka_unit_test(test_sdp_neg_order),
		cmocka_unit_test(test_sdp_neg_pt_mapping),
		cmocka_unit_test(test_sdp_neg_static),
		cmocka_unit_test(test_sdp_neg_none),
		cmocka_unit_test(test_sdp_neg_dtmf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
