/* SPDX-License-Identifier: BSD-2-Clause */
/* Audio codecs as descriptors in a table: G.711 (PCMU, PCMA) and Speex NB/WB. */
#ifndef TP_CODEC_H
#define TP_CODEC_H

#include <stddef.h>
#include <stdint.h>

struct codec_state;

/* The longest packet we send or take, ms (six 20 ms frames). */
#define CODEC_MAX_PTIME	120

/* One codec; codec_table()'s order is the built-in preference. */
struct codec_desc {
	const char	*name;		/* SDP encoding name: "PCMU", "speex" */
	int		 pt;		/* static payload type, or -1 for dynamic */
	uint32_t	 clock_rate;	/* Hz, RTP clock = sample rate here */
	uint32_t	 frame_ms;	/* our frame (and default ptime), ms */
	uint32_t	 step_ms;	/* shortest packet, ms: any multiple packs */
	const char	*fmtp;		/* a=fmtp parameters we offer, or NULL */
	/* Allocate encoder+decoder state; 0 or ENOMEM. */
	int	(*init)(struct codec_state **);
	void	(*fini)(struct codec_state *);
	/*
	 * Encode n samples (a whole multiple of step_ms, one packet's worth)
	 * into out (room *outlen bytes); sets *outlen.  Returns 0, EINVAL if
	 * n is not a whole number of steps, or ENOSPC.
	 */
	int	(*encode)(struct codec_state *, const int16_t *pcm, size_t n,
		    uint8_t *out, size_t *outlen);
	/*
	 * Decode len bytes (a whole payload, of any ptime) into pcm (room *n
	 * samples); sets *n.  in == NULL: conceal one lost frame of frame_ms
	 * (PLC).  Returns 0 or EINVAL.
	 */
	int	(*decode)(struct codec_state *, const uint8_t *in, size_t len,
		    int16_t *pcm, size_t *n);
	/*
	 * Samples (RTP clock units) that a payload of len bytes carries, or
	 * NULL when that cannot be told without decoding (Speex: the media
	 * session then takes the RTP timestamp step, RFC 3550 5.1).
	 */
	size_t	(*samples)(const uint8_t *payload, size_t len);
};

/* The table of codecs, NULL-terminated, in built-in preference order. */
const struct codec_desc *const *codec_table(void);
/*
 * Find a codec by SDP encoding name (case-insensitive) and clock rate in Hz
 * (0 = any).  Returns NULL if unknown.  Aliases: "speex-nb"/"speex-wb" in
 * config select speex at 8000/16000 Hz (see codec_find_config()).
 */
const struct codec_desc *codec_find(const char *name, uint32_t clock_rate);
/*
 * Find a codec by its config name: "PCMU", "PCMA", "speex-nb", "speex-wb"
 * (case-insensitive).  Returns NULL if unknown.
 */
const struct codec_desc *codec_find_config(const char *cfgname);
/* Samples in one frame of d (clock_rate * frame_ms / 1000). */
size_t	codec_frame_samples(const struct codec_desc *d);
/*
 * The packet duration to send with d, in ms, from the peer's SDP: its
 * a=ptime (what it would like to receive, RFC 3264 5.1 and 6.1; 0 when
 * absent) and a=maxptime (the most it takes, RFC 4566 6; 0 when absent).
 * Absent ptime means d's frame_ms.  The result is rounded down to a whole
 * multiple of d->step_ms, then capped at maxptime (rounded down alike)
 * and at CODEC_MAX_PTIME; it is never below step_ms.
 */
uint32_t codec_tx_ptime(const struct codec_desc *d, uint32_t ptime,
	    uint32_t maxptime);

/* ITU-T G.711 mu-law: encode one linear 16-bit sample. */
uint8_t	g711_ulaw_encode(int16_t);
/* ITU-T G.711 mu-law: decode one byte to linear 16-bit. */
int16_t	g711_ulaw_decode(uint8_t);
/* ITU-T G.711 A-law: encode one linear 16-bit sample. */
uint8_t	g711_alaw_encode(int16_t);
/* ITU-T G.711 A-law: decode one byte to linear 16-bit. */
int16_t	g711_alaw_decode(uint8_t);

#endif
