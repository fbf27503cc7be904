/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for the codec table, G.711 against G.711's tables, and Speex. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex.h>

#include "codec.h"

#define TEST_FRAMES	50		/* one second of audio */
#define TEST_MAX_FRAME	320

/* The table holds our four codecs in preference order. */
static void
test_codec_table(void **state)
{
	const struct codec_desc *const	*t = codec_table();

	assert_non_null(t[0]);
	assert_string_equal(t[0]->name, "speex");
	assert_int_equal(t[0]->clock_rate, 16000);
	assert_int_equal(t[0]->pt, -1);
	assert_string_equal(t[1]->name, "speex");
	assert_int_equal(t[1]->clock_rate, 8000);
	assert_int_equal(t[1]->pt, -1);
	assert_string_equal(t[2]->name, "PCMU");
	assert_int_equal(t[2]->pt, 0);
	assert_int_equal(t[2]->clock_rate, 8000);
	assert_string_equal(t[3]->name, "PCMA");
	assert_int_equal(t[3]->pt, 8);
	assert_int_equal(t[3]->clock_rate, 8000);
	assert_null(t[4]);

	assert_int_equal(codec_frame_samples(t[0]), 320);
	assert_int_equal(codec_frame_samples(t[1]), 160);
	assert_int_equal(codec_frame_samples(t[2]), 160);
	assert_int_equal(codec_frame_samples(t[3]), 160);
	for (; *t != NULL; t++) {
		assert_int_equal((*t)->frame_ms, 20);
		/* G.711 packs in 10 ms steps (RFC 3551 4.5), Speex in frames. */
		assert_int_equal((*t)->step_ms,
		    (*t)->pt >= 0 ? 10 : (*t)->frame_ms);
		assert_non_null((*t)->init);
		assert_non_null((*t)->fini);
		assert_non_null((*t)->encode);
		assert_non_null((*t)->decode);
	}
}

/* Lookup by SDP name and rate, and by config name, ignores case. */
static void
test_codec_find(void **state)
{
	const struct codec_desc *const	*t = codec_table();

	assert_ptr_equal(codec_find("speex", 0), t[0]);
	assert_ptr_equal(codec_find("SPEEX", 16000), t[0]);
	assert_ptr_equal(codec_find("Speex", 8000), t[1]);
	assert_null(codec_find("speex", 32000));
	assert_ptr_equal(codec_find("pcmu", 8000), t[2]);
	assert_ptr_equal(codec_find("PCMA", 0), t[3]);
	assert_null(codec_find("PCMA", 16000));
	assert_null(codec_find("G722", 0));
	assert_null(codec_find(NULL, 0));

	assert_ptr_equal(codec_find_config("speex-wb"), t[0]);
	assert_ptr_equal(codec_find_config("Speex-NB"), t[1]);
	assert_ptr_equal(codec_find_config("pcmu"), t[2]);
	assert_ptr_equal(codec_find_config("PCMA"), t[3]);
	assert_null(codec_find_config("speex"));
	assert_null(codec_find_config(""));
	assert_null(codec_find_config(NULL));
}

/*
 * mu-law reference values worked out from G.711 Table 2: 14-bit input,
 * code = inverted sign/segment/step, decoder output at the interval's
 * middle (top output 8031, times 4 for 16 bits).  Negative inputs are
 * mapped by one's complement as in ITU-T G.191's reference coder.
 */
static void
test_g711_ulaw_ref(void **state)
{
	assert_int_equal(g711_ulaw_encode(0), 0xff);
	assert_int_equal(g711_ulaw_encode(3), 0xff);
	assert_int_equal(g711_ulaw_encode(4), 0xfe);
	assert_int_equal(g711_ulaw_encode(-1), 0x7f);
	assert_int_equal(g711_ulaw_encode(-4), 0x7f);
	assert_int_equal(g711_ulaw_encode(-5), 0x7e);
	assert_int_equal(g711_ulaw_encode(100), 0xf2);
	assert_int_equal(g711_ulaw_encode(-100), 0x73);
	assert_int_equal(g711_ulaw_encode(1000), 0xce);
	assert_int_equal(g711_ulaw_encode(-1000), 0x4e);
	assert_int_equal(g711_ulaw_encode(32767), 0x80);
	assert_int_equal(g711_ulaw_encode(32000), 0x80);
	assert_int_equal(g711_ulaw_encode(-32768), 0x00);
	assert_int_equal(g711_ulaw_encode(-32767), 0x00);

	assert_int_equal(g711_ulaw_decode(0xff), 0);
	assert_int_equal(g711_ulaw_decode(0x7f), 0);
	assert_int_equal(g711_ulaw_decode(0x80), 32124);
	assert_int_equal(g711_ulaw_decode(0x00), -32124);
	assert_int_equal(g711_ulaw_decode(0xfe), 8);
	assert_int_equal(g711_ulaw_decode(0xf2), 104);
	assert_int_equal(g711_ulaw_decode(0x73), -96);
	assert_int_equal(g711_ulaw_decode(0xce), 988);
	assert_int_equal(g711_ulaw_decode(0xef), 132);	/* segment 1 start */
}

/*
 * A-law reference values from G.711 Table 1: 13-bit input, sign bit 1 for
 * positive, even bits inverted (XOR 0x55), top output 4032 (times 8).
 */
static void
test_g711_alaw_ref(void **state)
{
	assert_int_equal(g711_alaw_encode(0), 0xd5);
	assert_int_equal(g711_alaw_encode(15), 0xd5);
	assert_int_equal(g711_alaw_encode(16), 0xd4);
	assert_int_equal(g711_alaw_encode(-1), 0x55);
	assert_int_equal(g711_alaw_encode(-8), 0x55);
	assert_int_equal(g711_alaw_encode(1000), 0xfa);
	assert_int_equal(g711_alaw_encode(-1000), 0x7a);
	assert_int_equal(g711_alaw_encode(32767), 0xaa);
	assert_int_equal(g711_alaw_encode(-32768), 0x2a);

	assert_int_equal(g711_alaw_decode(0xd5), 8);
	assert_int_equal(g711_alaw_decode(0x55), -8);
	assert_int_equal(g711_alaw_decode(0xaa), 32256);
	assert_int_equal(g711_alaw_decode(0x2a), -32256);
	assert_int_equal(g711_alaw_decode(0xfa), 1008);
	assert_int_equal(g711_alaw_decode(0x7a), -1008);
	assert_int_equal(g711_alaw_decode(0xc5), 264);	/* segment 1 start */
}

/*
 * Every code decodes and re-encodes to itself, except mu-law's negative
 * zero (0x7f), whose value 0 encodes as positive zero (0xff).  Decoded
 * values rise monotonically with the magnitude bits.
 */
static void
test_g711_roundtrip(void **state)
{
	int	c, prev_u = -1, prev_a = -1;

	for (c = 0; c < 256; c++) {
		uint8_t	u = (uint8_t)c, a = (uint8_t)c;

		if (u == 0x7f)
			assert_int_equal(g711_ulaw_encode(g711_ulaw_decode(u)),
			    0xff);
		else
			assert_int_equal(g711_ulaw_encode(g711_ulaw_decode(u)),
			    u);
		assert_int_equal(g711_alaw_encode(g711_alaw_decode(a)), a);
	}
	/* Positive mu-law codes 0xff down to 0x80 grow. */
	for (c = 0xff; c >= 0x80; c--) {
		int	v = g711_ulaw_decode((uint8_t)c);

		assert_true(v > prev_u || (c == 0xff && v == 0));
		prev_u = v;
		assert_int_equal(g711_ulaw_decode((uint8_t)(c & 0x7f)), -v);
	}
	/* Positive A-law codes, undoing the 0x55 mask, grow. */
	for (c = 0x80; c <= 0xff; c++) {
		int	v = g711_alaw_decode((uint8_t)(c ^ 0x55));

		assert_true(v > prev_a);
		prev_a = v;
		assert_int_equal(g711_alaw_decode((uint8_t)((c & 0x7f) ^ 0x55)),
		    -v);
	}
}

/* Encoding every 16-bit value stays within half a step of the input. */
static void
test_g711_error(void **state)
{
	int32_t	s;

	for (s = -32768; s <= 32767; s++) {
		int32_t	u = g711_ulaw_decode(g711_ulaw_encode((int16_t)s));
		int32_t	a = g711_alaw_decode(g711_alaw_encode((int16_t)s));

		/*
		 * Steps double per segment, so half a step plus the bits
		 * dropped to 14 or 13 bits is within 16 + 1/16 of the value.
		 */
		if (abs(s) < 32124)
			assert_true(abs(u - s) <= 16 + abs(s) / 16);
		if (abs(s) < 32256)
			assert_true(abs(a - s) <= 16 + abs(s) / 16);
	}
}

/* The PCMU/PCMA codec encodes a frame and decodes it back. */
static void
test_g711_codec(void **state)
{
	const struct codec_desc	*d[2] = { codec_find("PCMU", 8000),
					  codec_find("PCMA", 8000) };
	struct codec_state	*st;
	int16_t			 pcm[160], out[160];
	uint8_t			 enc[160];
	size_t			 i, k, n;

	for (i = 0; i < 160; i++)
		pcm[i] = (int16_t)(8000 * sin(2 * M_PI * 440 * i / 8000.0));
	for (k = 0; k < 2; k++) {
		assert_int_equal(d[k]->init(&st), 0);
		n = 159;
		assert_int_equal(d[k]->encode(st, pcm, 160, enc, &n), ENOSPC);
		n = sizeof enc;
		assert_int_equal(d[k]->encode(st, pcm, 160, enc, &n), 0);
		assert_int_equal(n, 160);
		for (i = 0; i < 160; i++) {
			uint8_t	want = k == 0 ? g711_ulaw_encode(pcm[i]) :
			    g711_alaw_encode(pcm[i]);

			assert_int_equal(enc[i], want);
		}
		n = 159;
		assert_int_equal(d[k]->decode(st, enc, 160, out, &n), EINVAL);
		n = 160;
		assert_int_equal(d[k]->decode(st, enc, 160, out, &n), 0);
		assert_int_equal(n, 160);
		for (i = 0; i < 160; i++)
			assert_true(abs(out[i] - pcm[i]) <=
			    16 + abs(pcm[i]) / 16);
		d[k]->fini(st);
	}
	d[0]->fini(NULL);
}

/* Sum of absolute sample values. */
static long
test_abs_sum(const int16_t *p, size_t n)
{
	long	sum = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		sum += labs((long)p[i]);
	return sum;
}

/* G.711 PLC repeats the last frame, fading out over five frames. */
static void
test_g711_plc(void **state)
{
	const struct codec_desc	*d = codec_find("PCMU", 8000);
	struct codec_state	*st;
	int16_t			 pcm[160], out[200];
	uint8_t			 enc[160];
	size_t			 i, n;
	long			 full, prev;
	int			 f;

	assert_int_equal(d->init(&st), 0);

	/* Before anything was decoded: one silent 20 ms frame. */
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, NULL, 0, out, &n), 0);
	assert_int_equal(n, 160);
	assert_int_equal(test_abs_sum(out, n), 0);

	for (i = 0; i < 160; i++)
		pcm[i] = (int16_t)(10000 * sin(2 * M_PI * 250 * i / 8000.0));
	n = sizeof enc;
	assert_int_equal(d->encode(st, pcm, 160, enc, &n), 0);
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, enc, 160, out, &n), 0);
	full = test_abs_sum(out, 160);
	assert_true(full > 0);

	/* Room for less than the frame is an error. */
	n = 100;
	assert_int_equal(d->decode(st, NULL, 0, out, &n), EINVAL);

	prev = full;
	for (f = 1; f <= 5; f++) {
		long	sum;

		n = sizeof out / sizeof out[0];
		assert_int_equal(d->decode(st, NULL, 0, out, &n), 0);
		assert_int_equal(n, 160);
		sum = test_abs_sum(out, 160);
		assert_true(sum < prev);
		assert_true(sum > 0);
		if (f == 1) {
			/* It is the same waveform, only quieter. */
			assert_true(sum > full * 8 / 10);
			assert_true(abs(out[10] - g711_ulaw_decode(enc[10])) <
			    300);
		}
		prev = sum;
	}
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, NULL, 0, out, &n), 0);
	assert_int_equal(test_abs_sum(out, 160), 0);

	/* A good frame restores full level. */
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, enc, 160, out, &n), 0);
	assert_int_equal(test_abs_sum(out, 160), full);
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, NULL, 0, out, &n), 0);
	assert_true(test_abs_sum(out, 160) > full * 8 / 10);
	d->fini(st);
}

/*
 * Whatever the ptime of the packets before it, G.711 PLC conceals exactly
 * one 20 ms frame, made from the last 20 ms decoded.
 */
static void
test_g711_plc_ptime(void **state)
{
	const struct codec_desc	*d = codec_find("PCMA", 8000);
	struct codec_state	*st;
	int16_t			 pcm[240], dec[240], out[400];
	uint8_t			 enc[240];
	size_t			 i, n;

	for (i = 0; i < 240; i++)
		pcm[i] = (int16_t)(9000 * sin(2 * M_PI * 300 * i / 8000.0));
	assert_int_equal(d->init(&st), 0);
	n = sizeof enc;
	assert_int_equal(d->encode(st, pcm, 240, enc, &n), 0);

	/* A 30 ms packet decodes whole; the concealment starts from its last 20 ms. */
	assert_int_equal(d->samples(enc, 240), 240);
	n = 240;
	assert_int_equal(d->decode(st, enc, 240, dec, &n), 0);
	assert_int_equal(n, 240);
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, NULL, 0, out, &n), 0);
	assert_int_equal(n, 160);
	/* First sample at full gain, so the repeat is the waveform itself. */
	assert_int_equal(out[0], dec[80]);
	assert_int_equal(out[5], (int16_t)((int64_t)dec[85] * 795 / 800));
	d->fini(st);

	/* Two 10 ms packets make the 20 ms that is repeated. */
	assert_int_equal(d->init(&st), 0);
	n = 80;
	assert_int_equal(d->decode(st, enc, 80, dec, &n), 0);
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, NULL, 0, out, &n), 0);
	assert_int_equal(test_abs_sum(out, 160), 0);	/* 10 ms is not enough */
	n = 80;
	assert_int_equal(d->decode(st, enc, 80, dec, &n), 0);
	n = 80;
	assert_int_equal(d->decode(st, enc + 80, 80, dec + 80, &n), 0);
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, NULL, 0, out, &n), 0);
	assert_int_equal(n, 160);
	assert_int_equal(out[0], dec[0]);
	/* The gain falls within the frame: 5 * 160 - 90 parts of 5 * 160. */
	assert_int_equal(out[90], (int16_t)((int64_t)dec[90] * 710 / 800));
	d->fini(st);
}

/*
 * Best normalised correlation of y against x delayed by 0..maxlag samples,
 * over x[from..n-maxlag); the lag is returned in *lagp.
 */
static double
test_best_corr(const int16_t *x, const int16_t *y, size_t n, size_t from,
    size_t maxlag, size_t *lagp)
{
	double	best = -2.0;
	size_t	lag, i;

	for (lag = 0; lag <= maxlag; lag++) {
		double	xy = 0, xx = 0, yy = 0, c;

		for (i = from; i + maxlag < n; i++) {
			xy += (double)x[i] * y[i + lag];
			xx += (double)x[i] * x[i];
			yy += (double)y[i + lag] * y[i + lag];
		}
		c = (xx > 0 && yy > 0) ? xy / sqrt(xx * yy) : 0.0;
		if (c > best) {
			best = c;
			*lagp = lag;
		}
	}
	return best;
}

/*
 * Encode and decode a second of a sine gliding from f0 to f1 Hz with a
 * slow swell, so that only the codec's true delay correlates well.
 */
static void
test_speex_roundtrip(const struct codec_desc *d, double f0, double f1)
{
	struct codec_state	*st;
	size_t			 frame = codec_frame_samples(d);
	size_t			 total = frame * TEST_FRAMES;
	size_t			 i, n, len, lag = 0;
	int16_t			*in, *out;
	uint8_t			 enc[200];
	double			 corr, ein = 0, eout = 0, dur;

	in = calloc(total, sizeof *in);
	out = calloc(total, sizeof *out);
	assert_non_null(in);
	assert_non_null(out);
	dur = (double)total / d->clock_rate;
	for (i = 0; i < total; i++) {
		double	t = (double)i / d->clock_rate;
		double	env = 0.6 + 0.4 * sin(2 * M_PI * 1.5 * t);
		double	ph = 2 * M_PI * (f0 + (f1 - f0) * t / (2 * dur)) * t;

		in[i] = (int16_t)(env * 8000 * sin(ph));
	}

	assert_int_equal(d->init(&st), 0);
	for (i = 0; i < TEST_FRAMES; i++) {
		n = sizeof enc;
		assert_int_equal(d->encode(st, in + i * frame, frame, enc, &n),
		    0);
		assert_true(n > 10 && n < sizeof enc);
		len = n;
		n = frame;
		assert_int_equal(d->decode(st, enc, len, out + i * frame, &n),
		    0);
		assert_int_equal(n, frame);
	}
	corr = test_best_corr(in, out, total, 5 * frame, 2 * frame, &lag);
	print_message("# %s/%u: correlation %.3f at lag %zu\n", d->name,
	    d->clock_rate, corr, lag);
	assert_true(corr >= 0.8);
	/* Speex delays by its lookahead, well under a frame. */
	assert_true(lag < frame);
	for (i = 5 * frame; i + 2 * frame < total; i++) {
		ein += (double)in[i] * in[i];
		eout += (double)out[i + lag] * out[i + lag];
	}
	/* The level survives within a factor of two in amplitude. */
	assert_true(eout > ein / 4 && eout < ein * 4);

	/* Encoding a wrong-sized frame, or into too little room, fails. */
	n = sizeof enc;
	assert_int_equal(d->encode(st, in, frame - 1, enc, &n), EINVAL);
	n = 2;
	assert_int_equal(d->encode(st, in, frame, enc, &n), ENOSPC);
	/* A frame is needed to decode into. */
	n = frame - 1;
	assert_int_equal(d->decode(st, enc, 20, out, &n), EINVAL);
	d->fini(st);
	free(in);
	free(out);
}

/* Speex narrowband round trip on a glide within telephone band. */
static void
test_speex_nb(void **state)
{
	test_speex_roundtrip(codec_find("speex", 8000), 300, 1500);
}

/* Speex wideband round trip on a glide up to 3 kHz. */
static void
test_speex_wb(void **state)
{
	test_speex_roundtrip(codec_find("speex", 16000), 300, 3000);
}

/* Speex PLC makes a whole frame after real ones, and even before any. */
static void
test_speex_plc(void **state)
{
	const struct codec_desc	*d[2] = { codec_find("speex", 8000),
					  codec_find("speex", 16000) };
	struct codec_state	*st;
	int16_t			 pcm[TEST_MAX_FRAME], out[2 * TEST_MAX_FRAME];
	uint8_t			 enc[200];
	size_t			 i, k, n, frame;
	int			 f;

	for (k = 0; k < 2; k++) {
		frame = codec_frame_samples(d[k]);
		assert_int_equal(d[k]->init(&st), 0);
		n = sizeof out / sizeof out[0];
		assert_int_equal(d[k]->decode(st, NULL, 0, out, &n), 0);
		assert_int_equal(n, frame);
		for (i = 0; i < frame; i++)
			pcm[i] = (int16_t)(5000 * sin(2 * M_PI * 300 * i /
			    d[k]->clock_rate));
		for (f = 0; f < 5; f++) {
			n = sizeof enc;
			assert_int_equal(d[k]->encode(st, pcm, frame, enc, &n),
			    0);
			i = n;
			n = frame;
			assert_int_equal(d[k]->decode(st, enc, i, out, &n), 0);
		}
		memset(out, 0, sizeof out);
		n = sizeof out / sizeof out[0];
		assert_int_equal(d[k]->decode(st, NULL, 0, out, &n), 0);
		assert_int_equal(n, frame);
		/* It continues the sine rather than going silent. */
		assert_true(test_abs_sum(out, frame) > (long)frame * 300);
		/* Garbage shorter than any frame does not decode. */
		n = frame;
		assert_int_equal(d[k]->decode(st, (const uint8_t *)"", 0, out,
		    &n), EINVAL);
		d[k]->fini(st);
	}
}

/*
 * Two Speex frames packed in one payload (RFC 5574 3.3) decode to two
 * frames; the payload is built with libspeex alone, so this does not
 * lean on our encoder.
 */
static void
test_speex_multiframe(void **state)
{
	const struct codec_desc	*d = codec_find("speex", 8000);
	struct codec_state	*st;
	SpeexBits		 bits;
	void			*enc;
	spx_int16_t		 pcm[160];
	int16_t			 out[3 * 160];
	char			 pkt[200];
	size_t			 i, n, len;
	int			 q = 8;

	for (i = 0; i < 160; i++)
		pcm[i] = (int16_t)(5000 * sin(2 * M_PI * 500 * i / 8000.0));
	enc = speex_encoder_init(&speex_nb_mode);
	speex_encoder_ctl(enc, SPEEX_SET_QUALITY, &q);
	speex_bits_init(&bits);
	speex_encode_int(enc, pcm, &bits);
	for (i = 0; i < 160; i++)
		pcm[i] = (int16_t)(5000 * sin(2 * M_PI * 500 * i / 8000.0));
	speex_encode_int(enc, pcm, &bits);
	len = (size_t)speex_bits_write(&bits, pkt, sizeof pkt);
	speex_bits_destroy(&bits);
	speex_encoder_destroy(enc);

	assert_int_equal(d->init(&st), 0);
	memset(out, 0, sizeof out);
	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, (uint8_t *)pkt, len, out, &n), 0);
	assert_int_equal(n, 320);
	/* The second frame landed after the first. */
	assert_true(test_abs_sum(out + 160, 160) > 160 * 500);
	/* With room for only one frame, one is decoded. */
	n = 160;
	assert_int_equal(d->decode(st, (uint8_t *)pkt, len, out, &n), 0);
	assert_int_equal(n, 160);
	d->fini(st);
}

/*
 * Our encoder packs three frames into one payload (a 60 ms packet); the
 * libspeex decoder alone, frame by frame from one bit stream, finds the
 * three, and so does our decoder.  A length that is not whole frames is
 * refused.
 */
static void
test_speex_encode_multiframe(void **state)
{
	const struct codec_desc	*d = codec_find("speex", 16000);
	struct codec_state	*st;
	SpeexBits		 bits;
	void			*dec;
	int16_t			 pcm[3 * 320], out[4 * 320];
	spx_int16_t		 frame[320];
	uint8_t			 pkt[400];
	size_t			 i, n, len;
	int			 k;

	for (i = 0; i < 3 * 320; i++)
		pcm[i] = (int16_t)(5000 * sin(2 * M_PI * 700 * i / 16000.0));
	assert_int_equal(d->init(&st), 0);
	n = sizeof pkt;
	assert_int_equal(d->encode(st, pcm, 3 * 320, pkt, &n), 0);
	len = n;
	assert_true(len > 3 * 40 && len < 3 * 80);

	dec = speex_decoder_init(&speex_wb_mode);
	speex_bits_init(&bits);
	speex_bits_read_from(&bits, (char *)pkt, (int)len);
	for (k = 0; k < 3; k++) {
		assert_int_equal(speex_decode_int(dec, &bits, frame), 0);
		assert_true(speex_bits_remaining(&bits) >= 0);
	}
	/* What is left is the terminator's padding: under a byte. */
	assert_true(speex_bits_remaining(&bits) < 8);
	assert_true(test_abs_sum(frame, 320) > 320 * 500);
	speex_bits_destroy(&bits);
	speex_decoder_destroy(dec);

	n = sizeof out / sizeof out[0];
	assert_int_equal(d->decode(st, pkt, len, out, &n), 0);
	assert_int_equal(n, 3 * 320);
	assert_true(test_abs_sum(out + 2 * 320, 320) > 320 * 500);

	n = sizeof pkt;
	assert_int_equal(d->encode(st, pcm, 2 * 320 + 160, pkt, &n), EINVAL);
	n = sizeof pkt;
	assert_int_equal(d->encode(st, pcm, 0, pkt, &n), EINVAL);
	d->fini(st);
}

/* G.711 packs any number of samples, one byte each. */
static void
test_g711_encode_ptime(void **state)
{
	const struct codec_desc	*d = codec_find("PCMU", 8000);
	struct codec_state	*st;
	int16_t			 pcm[960];
	uint8_t			 pkt[960];
	size_t			 n;

	memset(pcm, 0, sizeof pcm);
	assert_int_equal(d->init(&st), 0);
	n = sizeof pkt;
	assert_int_equal(d->encode(st, pcm, 240, pkt, &n), 0);
	assert_int_equal(n, 240);
	assert_int_equal(pkt[0], 0xff);		/* mu-law silence */
	n = sizeof pkt;
	assert_int_equal(d->encode(st, pcm, 960, pkt, &n), 0);
	assert_int_equal(n, 960);
	n = 100;
	assert_int_equal(d->encode(st, pcm, 240, pkt, &n), ENOSPC);
	d->fini(st);
}

/* The ptime we send, from the peer's a=ptime and a=maxptime. */
static void
test_tx_ptime(void **state)
{
	const struct codec_desc	*u = codec_find("PCMU", 8000);
	const struct codec_desc	*s = codec_find("speex", 16000);

	/* No a=ptime: our 20 ms frame. */
	assert_int_equal(codec_tx_ptime(u, 0, 0), 20);
	assert_int_equal(codec_tx_ptime(s, 0, 0), 20);
	/* G.711 goes in 10 ms steps, Speex in 20 ms frames. */
	assert_int_equal(codec_tx_ptime(u, 10, 0), 10);
	assert_int_equal(codec_tx_ptime(u, 30, 0), 30);
	assert_int_equal(codec_tx_ptime(u, 35, 0), 30);
	assert_int_equal(codec_tx_ptime(s, 30, 0), 20);
	assert_int_equal(codec_tx_ptime(s, 60, 0), 60);
	assert_int_equal(codec_tx_ptime(s, 10, 0), 20);
	assert_int_equal(codec_tx_ptime(u, 5, 0), 10);
	/* a=maxptime caps a=ptime, and so does CODEC_MAX_PTIME. */
	assert_int_equal(codec_tx_ptime(u, 60, 40), 40);
	assert_int_equal(codec_tx_ptime(u, 0, 10), 10);
	assert_int_equal(codec_tx_ptime(s, 60, 50), 40);
	assert_int_equal(codec_tx_ptime(s, 0, 10), 20);
	assert_int_equal(codec_tx_ptime(u, 20, 150), 20);
	assert_int_equal(codec_tx_ptime(u, 500, 0), CODEC_MAX_PTIME);
	assert_int_equal(codec_tx_ptime(s, 1000, 0), CODEC_MAX_PTIME);
}

/* Run the codec tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_table),
		cmocka_unit_test(test_codec_find),
		cmocka_unit_test(test_g711_ulaw_ref),
		cmocka_unit_test(test_g711_alaw_ref),
		cmocka_unit_test(test_g711_roundtrip),
		cmocka_unit_test(test_g711_error),
		cmocka_unit_test(test_g711_codec),
		cmocka_unit_test(test_g711_plc),
		cmocka_unit_test(test_g711_plc_ptime),
		cmocka_unit_test(test_speex_nb),
		cmocka_unit_test(test_speex_wb),
		cmocka_unit_test(test_speex_plc),
		cmocka_unit_test(test_speex_multiframe),
		cmocka_unit_test(test_speex_encode_multiframe),
		cmocka_unit_test(test_g711_encode_ptime),
		cmocka_unit_test(test_tx_ptime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
