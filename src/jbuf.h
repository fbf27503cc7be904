/* SPDX-License-Identifier: BSD-2-Clause */
/* Jitter buffer for one RTP stream: a thin wrapper on speexdsp's JitterBuffer. */
#ifndef TP_JBUF_H
#define TP_JBUF_H

#include <stddef.h>
#include <stdint.h>

struct jbuf;

enum jbuf_result {
	JBUF_OK,		/* a frame was returned */
	JBUF_MISSING,		/* the frame is lost or late: conceal it */
	JBUF_EMPTY,		/* nothing buffered yet: play silence */
};

/*
 * Create a jitter buffer for frames of frame_ts media clock units
 * (e.g. 160 at 8 kHz, 20 ms).  Not thread-safe: one thread uses it.
 * Returns 0 or ENOMEM.
 */
int	jbuf_new(struct jbuf **jbp, uint32_t frame_ts);
/* Free; NULL is ignored. */
void	jbuf_free(struct jbuf *);
/* Drop everything buffered (e.g. on SSRC change). */
void	jbuf_reset(struct jbuf *);
/*
 * Put one received payload (copied, at most 1500 bytes) with its RTP
 * timestamp and sequence.  Late packets are dropped by speexdsp.
 * Returns 0, or EMSGSIZE if len is too large.
 */
int	jbuf_put(struct jbuf *, const uint8_t *payload, size_t len,
	    uint32_t ts, uint16_t seq);
/*
 * Get the next frame for playout into out (room *len bytes; *len is set).
 * Call once per frame interval; it also advances the buffer's clock.
 */
enum jbuf_result jbuf_get(struct jbuf *, uint8_t *out, size_t *len);
/* Frames currently buffered. */
int	jbuf_count(const struct jbuf *);

#endif
