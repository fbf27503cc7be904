/* SPDX-License-Identifier: BSD-2-Clause */
/* Jitter buffer for one RTP stream: a thin wrapper on speexdsp's JitterBuffer. */
#ifndef TP_JBUF_H
#define TP_JBUF_H

#include <stddef.h>
#include <stdint.h>

struct jbuf;

/* The longest packet we buffer, in frames (6 x 20 ms = 120 ms). */
#define JBUF_MAX_SPAN	6

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
 * timestamp, sequence and span: the media clock units it carries (0: one
 * frame; 30 ms of PCMU is 240).  Late packets are dropped by speexdsp.
 * Returns 0, EMSGSIZE if len is too large, or EINVAL if span is over
 * JBUF_MAX_SPAN frames.
 */
int	jbuf_put(struct jbuf *, const uint8_t *payload, size_t len,
	    uint32_t ts, uint16_t seq, uint32_t span);
/*
 * Get the next payload for playout into out (room *len bytes; *len is
 * set), and in *span the media clock units it carries.  want is the units
 * the player lacks for its next frame (0 or more than a frame: a frame);
 * give the expected packet span when that is less, so that short packets
 * (10 ms) are asked for one at a time.  On JBUF_MISSING, *span is the units
 * to conceal (at most want).  Call it whenever the player holds less than
 * a frame; then call jbuf_tick() once per frame interval.
 */
enum jbuf_result jbuf_get(struct jbuf *, uint32_t want, uint8_t *out,
	    size_t *len, uint32_t *span);
/*
 * End one frame interval of playout: held is the media clock units the
 * player still holds from what jbuf_get() gave it (speexdsp's
 * jitter_buffer_remaining_span()), so the buffer knows where playout is.
 */
void	jbuf_tick(struct jbuf *, uint32_t held);
/* Frames currently buffered. */
int	jbuf_count(const struct jbuf *);

#endif
