/* SPDX-License-Identifier: BSD-2-Clause */
/* Speex narrowband and wideband codecs (RFC 5574) on libspeex. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex.h>

#include "codec.h"

/*
 * Encoder settings, measured on a 2-core AMD EPYC host at -O2 with one
 * encoder and one decoder running for a minute of audio.  Wideband at
 * quality 8 (27.8 kbit/s) costs about 0.43 CPU-s, too much of our budget
 * of 0.6 CPU-s per call-minute; quality 7 (23.8 kbit/s) costs about 0.33.
 * Narrowband at quality 8 (15 kbit/s) costs about 0.2.  Complexity 3
 * costs 40% more than 2, and 1 saves nothing over 2.
 */
#define SPEEX_NB_QUALITY	8
#define SPEEX_WB_QUALITY	7
#define SPEEX_COMPLEXITY	2
/* One wideband frame: 20 ms at 16 kHz. */
#define SPEEX_MAX_FRAME		320

/* Encoder and decoder state for one Speex mode. */
struct codec_state {
	void		*enc;
	void		*dec;
	SpeexBits	 ebits;
	SpeexBits	 dbits;
	int		 frame;		/* samples per 20 ms frame */
};

/* Free the state; NULL is ignored. */
static void
codec_speex_fini(struct codec_state *st)
{
	if (st == NULL)
		return;
	if (st->enc != NULL)
		speex_encoder_destroy(st->enc);
	if (st->dec != NULL)
		speex_decoder_destroy(st->dec);
	speex_bits_destroy(&st->ebits);
	speex_bits_destroy(&st->dbits);
	free(st);
}

/* Allocate an encoder at quality q and a decoder for mode. */
static int
codec_speex_init(struct codec_state **stp, const SpeexMode *mode, int q)
{
	struct codec_state	*st;
	int			 v;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return ENOMEM;
	speex_bits_init(&st->ebits);
	speex_bits_init(&st->dbits);
	st->enc = speex_encoder_init(mode);
	st->dec = speex_decoder_init(mode);
	if (st->enc == NULL || st->dec == NULL) {
		codec_speex_fini(st);
		return ENOMEM;
	}
	speex_encoder_ctl(st->enc, SPEEX_SET_QUALITY, &q);
	v = SPEEX_COMPLEXITY;
	speex_encoder_ctl(st->enc, SPEEX_SET_COMPLEXITY, &v);
	v = 1;
	speex_decoder_ctl(st->dec, SPEEX_SET_ENH, &v);
	speex_encoder_ctl(st->enc, SPEEX_GET_FRAME_SIZE, &st->frame);
	if (st->frame <= 0 || st->frame > SPEEX_MAX_FRAME) {
		codec_speex_fini(st);
		return EINVAL;
	}
	*stp = st;
	return 0;
}

/* Allocate narrowband state. */
static int
codec_speex_init_nb(struct codec_state **stp)
{
	return codec_speex_init(stp, &speex_nb_mode, SPEEX_NB_QUALITY);
}

/* Allocate wideband state. */
static int
codec_speex_init_wb(struct codec_state **stp)
{
	return codec_speex_init(stp, &speex_wb_mode, SPEEX_WB_QUALITY);
}

/*
 * Encode n samples, a whole number of frames, into one payload: the
 * frames are packed one after another in one bit stream, whose last byte
 * speex_bits_write() pads with the terminator (RFC 5574 3.3).  libspeex may
 * overwrite its input, so each frame is copied first.  Returns EINVAL if
 * n is not a whole number of frames, ENOSPC if out is short.
 */
static int
codec_speex_encode(struct codec_state *st, const int16_t *pcm, size_t n,
    uint8_t *out, size_t *outlen)
{
	spx_int16_t	buf[SPEEX_MAX_FRAME];
	size_t		done;
	int		nbytes;

	if (n == 0 || n % (size_t)st->frame != 0)
		return EINVAL;
	speex_bits_reset(&st->ebits);
	for (done = 0; done < n; done += (size_t)st->frame) {
		memcpy(buf, pcm + done, (size_t)st->frame * sizeof *buf);
		speex_encode_int(st->enc, buf, &st->ebits);
	}
	nbytes = speex_bits_nbytes(&st->ebits);
	if (*outlen < (size_t)nbytes)
		return ENOSPC;
	*outlen = (size_t)speex_bits_write(&st->ebits, (char *)out, nbytes);
	return 0;
}

/*
 * Decode every frame in a payload that fits in pcm (RFC 5574 3.3 allows
 * several per packet), or conceal one frame when in is NULL.  The encoder
 * pads its last byte with a terminator that the decoder reports as the end
 * (-1); a tail shorter than a byte is padding from other encoders, so it is
 * not taken for another frame.  Returns EINVAL if nothing decodes.
 */
static int
codec_speex_decode(struct codec_state *st, const uint8_t *in, size_t len,
    int16_t *pcm, size_t *n)
{
	size_t	done = 0;
	int	ret;

	if (*n < (size_t)st->frame)
		return EINVAL;
	if (in == NULL) {
		speex_decode_int(st->dec, NULL, pcm);
		*n = (size_t)st->frame;
		return 0;
	}
	if (len == 0 || len > INT32_MAX)
		return EINVAL;
	speex_bits_read_from(&st->dbits, (const char *)in, (int)len);
	while (*n - done >= (size_t)st->frame) {
		if (done > 0 && speex_bits_remaining(&st->dbits) < 8)
			break;
		ret = speex_decode_int(st->dec, &st->dbits, pcm + done);
		if (ret != 0 || speex_bits_remaining(&st->dbits) < 0)
			break;
		done += (size_t)st->frame;
	}
	if (done == 0)
		return EINVAL;
	*n = done;
	return 0;
}

/* Speex narrowband, 8 kHz, dynamic payload type (RFC 5574). */
const struct codec_desc codec_speex_nb = {
	.name = "speex",
	.pt = -1,
	.clock_rate = 8000,
	.frame_ms = 20,
	.step_ms = 20,
	.fmtp = NULL,
	.init = codec_speex_init_nb,
	.fini = codec_speex_fini,
	.encode = codec_speex_encode,
	.decode = codec_speex_decode,
};

/* Speex wideband, 16 kHz, dynamic payload type (RFC 5574). */
const struct codec_desc codec_speex_wb = {
	.name = "speex",
	.pt = -1,
	.clock_rate = 16000,
	.frame_ms = 20,
	.step_ms = 20,
	.fmtp = NULL,
	.init = codec_speex_init_wb,
	.fini = codec_speex_fini,
	.encode = codec_speex_encode,
	.decode = codec_speex_decode,
};
