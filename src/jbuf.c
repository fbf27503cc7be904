/* SPDX-License-Identifier: BSD-2-Clause */
/* Jitter buffer for one RTP stream on speexdsp's adaptive JitterBuffer. */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_jitter.h>

#include "jbuf.h"

/* Largest payload we accept, bytes. */
#define JBUF_MAX_PAYLOAD	1500
/*
 * Before playout starts, hold two frames or two packets, whichever is
 * longer: one to play, one in reserve.
 */
#define JBUF_PRIME		2
/* Consecutive misses after which the stream is taken as stopped. */
#define JBUF_RESYNC_MISSES	20

/*
 * How speexdsp behaves, read from its jitter.c (1.2.1), and why we wrap it
 * the way we do:
 *
 * - Until a packet has been put, jitter_buffer_get() answers MISSING, the
 *   same as for a lost frame.  We keep our own "started" flag to tell the
 *   caller JBUF_EMPTY (play silence) rather than JBUF_MISSING (conceal).
 *
 * - It needs no run of initial packets: the first get() after any put()
 *   syncs to the oldest packet buffered and returns it at once, so playout
 *   starts with no slack.  The delay then only grows once packets arrive
 *   late, and each growth step is an INSERTION, an audible concealed frame.
 *   We prime instead: playout starts when JBUF_PRIME frames or packets
 *   (whichever is longer) are buffered, or at the second get() after the
 *   first packet, so a frame or a packet of slack is there from the start.
 *
 * - Its delay estimate measures every on-time packet against the playout
 *   point minus the margin, and after about 40 packets it drops frames to
 *   take away slack it thinks it does not need.  Setting the margin to one
 *   frame makes the primed frame of slack its target, so it neither skips
 *   a frame nor inserts one while the network is steady.
 *
 * - A packet older than what was already played is never returned (put()
 *   discards it later), but it still counts in the delay statistics: one
 *   late packet makes it grow the delay by a frame (an INSERTION), and a
 *   few hundred frames later, once the packet has left its statistics
 *   window, it skips a frame to shrink the delay again.
 *
 * - After more than 20 failed gets it resyncs on the next put().  We do
 *   the same at JBUF_RESYNC_MISSES ourselves, so a stream that stopped and
 *   restarts is primed again and reports JBUF_EMPTY meanwhile.
 */
struct jbuf {
	JitterBuffer	*jb;
	uint32_t	 frame_ts;	/* media clock units per frame */
	bool		 started;	/* playout began */
	int		 pending;	/* packets put before playout began */
	uint32_t	 pending_ts;	/* the media clock units they span */
	uint32_t	 pending_max;	/* the longest span among them */
	int		 waited;	/* gets answered EMPTY since a put */
	int		 misses;	/* consecutive non-OK gets */
	uint8_t		 scratch[JBUF_MAX_PAYLOAD];
};

/* Create the buffer, with one frame of margin (see above). */
int
jbuf_new(struct jbuf **jbp, uint32_t frame_ts)
{
	struct jbuf	*jb;
	spx_int32_t	 margin, conceal;

	if (frame_ts == 0 || frame_ts > INT16_MAX)
		return EINVAL;
	if ((jb = calloc(1, sizeof *jb)) == NULL)
		return ENOMEM;
	if ((jb->jb = jitter_buffer_init((int)frame_ts)) == NULL) {
		free(jb);
		return ENOMEM;
	}
	jb->frame_ts = frame_ts;
	margin = (spx_int32_t)frame_ts;
	jitter_buffer_ctl(jb->jb, JITTER_BUFFER_SET_MARGIN, &margin);
	/*
	 * A loss is reported for exactly what was asked (speexdsp rounds it
	 * down to this), so a lost 10 ms packet moves playout by 10 ms.
	 */
	conceal = 1;
	jitter_buffer_ctl(jb->jb, JITTER_BUFFER_SET_CONCEALMENT_SIZE, &conceal);
	*jbp = jb;
	return 0;
}

/* Free the buffer and anything in it. */
void
jbuf_free(struct jbuf *jb)
{
	if (jb == NULL)
		return;
	jitter_buffer_destroy(jb->jb);
	free(jb);
}

/* Drop everything and wait for a new stream to prime. */
void
jbuf_reset(struct jbuf *jb)
{
	jitter_buffer_reset(jb->jb);
	jb->started = false;
	jb->pending = 0;
	jb->pending_ts = 0;
	jb->pending_max = 0;
	jb->waited = 0;
	jb->misses = 0;
}

/* Hand one payload and its span to speexdsp (which copies it). */
int
jbuf_put(struct jbuf *jb, const uint8_t *payload, size_t len, uint32_t ts,
    uint16_t seq, uint32_t span)
{
	JitterBufferPacket	pkt;

	if (len > JBUF_MAX_PAYLOAD)
		return EMSGSIZE;
	if (span == 0)
		span = jb->frame_ts;
	if (span > JBUF_MAX_SPAN * jb->frame_ts)
		return EINVAL;
	memset(&pkt, 0, sizeof pkt);
	pkt.data = (char *)(uintptr_t)payload;	/* only read: no destroy cb */
	pkt.len = (spx_uint32_t)len;
	pkt.timestamp = ts;
	pkt.span = span;
	pkt.sequence = seq;
	jitter_buffer_put(jb->jb, &pkt);
	if (!jb->started) {
		jb->pending++;
		jb->pending_ts += span;
		if (span > jb->pending_max)
			jb->pending_max = span;
	}
	return 0;
}

/*
 * Return the next payload, or tell the caller to conceal a frame or play
 * silence.  speexdsp's INSERTION (it wants more delay) is concealed like a
 * loss, as is a payload too large for out.  A payload longer than a frame
 * moves speexdsp's playout point past its end; jbuf_tick() then tells it
 * how much of that the player still holds.
 */
enum jbuf_result
jbuf_get(struct jbuf *jb, uint32_t want, uint8_t *out, size_t *len,
    uint32_t *span)
{
	JitterBufferPacket	pkt;
	spx_int32_t		offset;
	size_t			room = *len;
	int			ret;

	if (want == 0 || want > jb->frame_ts)
		want = jb->frame_ts;
	*len = 0;
	*span = want;
	if (!jb->started) {
		if (jb->pending == 0 || (jb->pending_ts < JBUF_PRIME *
		    (jb->pending_max > jb->frame_ts ? jb->pending_max :
		    jb->frame_ts) && jb->waited++ == 0))
			return JBUF_EMPTY;
		jb->started = true;
		jb->pending = 0;
		jb->pending_ts = 0;
		jb->pending_max = 0;
		jb->waited = 0;
	}

	memset(&pkt, 0, sizeof pkt);
	pkt.data = (char *)jb->scratch;
	pkt.len = sizeof jb->scratch;
	ret = jitter_buffer_get(jb->jb, &pkt, (spx_int32_t)want, &offset);

	if (ret == JITTER_BUFFER_OK && pkt.len <= room) {
		memcpy(out, jb->scratch, pkt.len);
		*len = pkt.len;
		*span = pkt.span;
		jb->misses = 0;
		return JBUF_OK;
	}
	if (++jb->misses >= JBUF_RESYNC_MISSES) {
		jbuf_reset(jb);
		return JBUF_EMPTY;
	}
	/* speexdsp's span for a loss (what its playout point moved by). */
	if (ret != JITTER_BUFFER_OK && pkt.span > 0 && pkt.span <= want)
		*span = pkt.span;
	return JBUF_MISSING;
}

/* Tell speexdsp how much the player still holds; see jbuf.h. */
void
jbuf_tick(struct jbuf *jb, uint32_t held)
{
	if (jb->started)
		jitter_buffer_remaining_span(jb->jb, held);
}

/* Count frames waiting to be played. */
int
jbuf_count(const struct jbuf *jb)
{
	spx_int32_t	n = 0;

	/*
	 * Before the first get() speexdsp's playout point is 0, and its count
	 * only includes timestamps that compare as later than 0, so use ours.
	 */
	if (!jb->started)
		return jb->pending;
	jitter_buffer_ctl(jb->jb, JITTER_BUFFER_GET_AVAILABLE_COUNT, &n);
	return n;
}
