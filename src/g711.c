/* SPDX-License-Identifier: BSD-2-Clause */
/* ITU-T G.711 mu-law and A-law, and the PCMU/PCMA codecs with a fading PLC. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* Lost frames after which concealment is silent. */
#define G711_PLC_FRAMES		5
/* Samples in one 20 ms frame: what one concealment produces. */
#define G711_FRAME		160

/*
 * Encoder and decoder state: the last 20 ms decoded, whatever the packets'
 * ptime (10, 20, 30 ms ...), and the run of losses.
 */
struct codec_state {
	int16_t	(*dec)(uint8_t);
	uint8_t	(*enc)(int16_t);
	int16_t	 last[G711_FRAME];
	size_t	 last_n;		/* samples in last, up to G711_FRAME */
	unsigned lost;			/* consecutive concealed frames */
};

/* Segment (0-7) of a magnitude: the number of doublings above base. */
static int
g711_segment(unsigned int mag, unsigned int base)
{
	int	seg = 0;

	while (seg < 7 && mag >= base << (seg + 1))
		seg++;
	return seg;
}

/*
 * G.711 mu-law works on 14-bit magnitudes, biased by 33 so that the eight
 * segments start at powers of two (G.711 Table 2).  Negative inputs use the
 * one's complement, as the ITU-T G.191 reference does, so that quantisation
 * is symmetric about zero and -32768 needs no special case.
 */
uint8_t
g711_ulaw_encode(int16_t s)
{
	unsigned int	mag, code;
	int		seg;
	uint8_t		sign = 0;

	if (s < 0) {
		mag = (unsigned int)~s;
		sign = 0x80;
	} else
		mag = (unsigned int)s;
	mag = (mag >> 2) + 33;
	if (mag > 0x1fff)
		mag = 0x1fff;
	seg = g711_segment(mag, 32);
	code = sign | (unsigned int)seg << 4 | ((mag >> (seg + 1)) & 0x0f);
	return (uint8_t)~code;		/* transmitted inverted */
}

/* Decode to the middle of the mu-law interval, scaled from 14 to 16 bits. */
int16_t
g711_ulaw_decode(uint8_t code)
{
	unsigned int	seg, mant;
	int		mag;

	code = (uint8_t)~code;
	seg = (code >> 4) & 0x07;
	mant = code & 0x0f;
	mag = (int)(((2 * mant + 33) << seg) - 33) << 2;
	return (int16_t)((code & 0x80) ? -mag : mag);
}

/*
 * G.711 A-law works on 13-bit magnitudes: segment 0 and 1 both have steps
 * of 2, then each segment doubles (G.711 Table 1).  The sign bit is 1 for
 * positive values and even bits are inverted on the line (XOR 0x55).
 */
uint8_t
g711_alaw_encode(int16_t s)
{
	unsigned int	mag, code;
	int		seg;
	uint8_t		sign = 0x80;

	if (s < 0) {
		mag = (unsigned int)~s;
		sign = 0;
	} else
		mag = (unsigned int)s;
	mag >>= 3;
	if (mag < 32) {
		seg = 0;
		code = mag >> 1;
	} else {
		seg = g711_segment(mag, 32) + 1;
		code = (mag >> seg) & 0x0f;
	}
	code |= sign | (unsigned int)seg << 4;
	return (uint8_t)(code ^ 0x55);
}

/* Decode to the middle of the A-law interval, scaled from 13 to 16 bits. */
int16_t
g711_alaw_decode(uint8_t code)
{
	unsigned int	seg, mant;
	int		mag;

	code ^= 0x55;
	seg = (code >> 4) & 0x07;
	mant = code & 0x0f;
	if (seg == 0)
		mag = (int)(2 * mant + 1);
	else
		mag = (int)((2 * mant + 33) << (seg - 1));
	mag <<= 3;
	return (int16_t)((code & 0x80) ? mag : -mag);
}

/* Allocate state for one companding law. */
static int
g711_init(struct codec_state **stp, int16_t (*dec)(uint8_t),
    uint8_t (*enc)(int16_t))
{
	struct codec_state	*st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return ENOMEM;
	st->dec = dec;
	st->enc = enc;
	*stp = st;
	return 0;
}

/* Allocate PCMU state. */
static int
g711_init_ulaw(struct codec_state **stp)
{
	return g711_init(stp, g711_ulaw_decode, g711_ulaw_encode);
}

/* Allocate PCMA state. */
static int
g711_init_alaw(struct codec_state **stp)
{
	return g711_init(stp, g711_alaw_decode, g711_alaw_encode);
}

/* Free the state; NULL is ignored. */
static void
g711_fini(struct codec_state *st)
{
	free(st);
}

/* Encode n samples into n bytes. */
static int
g711_encode(struct codec_state *st, const int16_t *pcm, size_t n,
    uint8_t *out, size_t *outlen)
{
	size_t	i;

	if (*outlen < n)
		return ENOSPC;
	for (i = 0; i < n; i++)
		out[i] = st->enc(pcm[i]);
	*outlen = n;
	return 0;
}

/*
 * Conceal one lost 20 ms frame by repeating the last 20 ms decoded with a
 * gain that falls linearly from frame to frame, to silence after
 * G711_PLC_FRAMES.  The gain also ramps within the frame, so there is no
 * step at its edges.  Always G711_FRAME samples, whatever the packets'
 * ptime, so the caller's playout clock advances by exactly one frame.
 */
static int
g711_conceal(struct codec_state *st, int16_t *pcm, size_t *n)
{
	size_t	i, len = G711_FRAME;
	int32_t	g0, g1, span;

	if (*n < len)
		return EINVAL;
	*n = len;
	if (st->lost >= G711_PLC_FRAMES || st->last_n < len) {
		memset(pcm, 0, len * sizeof *pcm);
		st->lost++;
		return 0;
	}
	/* Gains in 1/G711_PLC_FRAMES steps, as numerators over span. */
	span = (int32_t)(G711_PLC_FRAMES * len);
	g0 = (int32_t)(G711_PLC_FRAMES - st->lost);
	g1 = g0 - 1;
	for (i = 0; i < len; i++) {
		int64_t	gain = (int64_t)g0 * (int64_t)len -
		    (int64_t)(g0 - g1) * (int64_t)i;

		pcm[i] = (int16_t)(st->last[i] * gain / span);
	}
	st->lost++;
	return 0;
}

/*
 * Decode len bytes into len samples (one packet of any ptime), or conceal
 * a 20 ms frame when in is NULL.  Keeps the last 20 ms for concealment.
 */
static int
g711_decode(struct codec_state *st, const uint8_t *in, size_t len,
    int16_t *pcm, size_t *n)
{
	size_t	i, keep;

	if (in == NULL)
		return g711_conceal(st, pcm, n);
	if (*n < len)
		return EINVAL;
	for (i = 0; i < len; i++)
		pcm[i] = st->dec(in[i]);
	*n = len;
	/* Slide the last G711_FRAME samples along by this packet. */
	if (len >= G711_FRAME) {
		memcpy(st->last, pcm + len - G711_FRAME, sizeof st->last);
		st->last_n = G711_FRAME;
	} else if (len > 0) {
		keep = st->last_n + len > G711_FRAME ? G711_FRAME - len : st->last_n;
		memmove(st->last, st->last + st->last_n - keep,
		    keep * sizeof *st->last);
		memcpy(st->last + keep, pcm, len * sizeof *pcm);
		st->last_n = keep + len;
	}
	st->lost = 0;
	return 0;
}

/* Samples in a PCMU/PCMA payload of len bytes: one per byte. */
static size_t
g711_samples(const uint8_t *payload, size_t len)
{
	(void)payload;
	return len;
}

/* PCMU, RFC 3551 4.5.14, static payload type 0. */
const struct codec_desc codec_pcmu = {
	.name = "PCMU",
	.pt = 0,
	.clock_rate = 8000,
	.frame_ms = 20,
	.step_ms = 10,
	.fmtp = NULL,
	.init = g711_init_ulaw,
	.fini = g711_fini,
	.encode = g711_encode,
	.decode = g711_decode,
	.samples = g711_samples,
};

/* PCMA, RFC 3551 4.5.14, static payload type 8. */
const struct codec_desc codec_pcma = {
	.name = "PCMA",
	.pt = 8,
	.clock_rate = 8000,
	.frame_ms = 20,
	.step_ms = 10,
	.fmtp = NULL,
	.init = g711_init_alaw,
	.fini = g711_fini,
	.encode = g711_encode,
	.decode = g711_decode,
	.samples = g711_samples,
};
