/* SPDX-License-Identifier: BSD-2-Clause */
/* RTP packets, per-source receive statistics and RFC 4733 telephone-events. */

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "rtp.h"

#define RTP_VERSION		2
#define RTP_SEQ_MOD		(1u << 16)
/* RFC 3550 A.1: how far the sequence may jump before we call it a restart. */
#define RTP_MAX_DROPOUT		3000
#define RTP_MAX_MISORDER	100
#define RTP_MIN_SEQUENTIAL	2

/* Read a big-endian 16-bit value. */
static uint16_t
rtp_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Read a big-endian 32-bit value. */
static uint32_t
rtp_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

/* Write a big-endian 16-bit value. */
static void
rtp_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Write a big-endian 32-bit value. */
static void
rtp_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/*
 * Parse an RTP packet (RFC 3550 5.1, 5.3.1).  The padding count in the
 * last octet includes itself, so 0 is invalid; a padding count that eats
 * into the header, CSRC list or extension is invalid too (A.1).  An empty
 * payload is allowed.
 */
int
rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h)
{
	size_t	off, pad;
	uint8_t	i;

	if (buf == NULL || h == NULL || len < RTP_HDR_LEN)
		return EINVAL;
	memset(h, 0, sizeof *h);
	h->version = buf[0] >> 6;
	if (h->version != RTP_VERSION)
		return EINVAL;
	h->padding = (buf[0] & 0x20) != 0;
	h->extension = (buf[0] & 0x10) != 0;
	h->cc = buf[0] & 0x0f;
	h->marker = (buf[1] & 0x80) != 0;
	h->pt = buf[1] & 0x7f;
	h->seq = rtp_get16(buf + 2);
	h->ts = rtp_get32(buf + 4);
	h->ssrc = rtp_get32(buf + 8);

	off = RTP_HDR_LEN + 4 * (size_t)h->cc;
	if (len < off)
		return EINVAL;
	for (i = 0; i < h->cc; i++)
		h->csrc[i] = rtp_get32(buf + RTP_HDR_LEN + 4 * i);

	if (h->extension) {
		if (len - off < 4)
			return EINVAL;
		h->ext_profile = rtp_get16(buf + off);
		h->ext_len = 4 * (size_t)rtp_get16(buf + off + 2);
		off += 4;
		if (len - off < h->ext_len)
			return EINVAL;
		h->ext = buf + off;
		off += h->ext_len;
	}

	pad = 0;
	if (h->padding) {
		pad = buf[len - 1];
		if (pad == 0 || pad > len - off)
			return EINVAL;
	}
	h->payload = buf + off;
	h->payload_len = len - off - pad;
	return 0;
}

/*
 * Write a fixed 12-byte header from h (version 2; padding, extension and
 * CSRC count always 0) followed by the payload (RFC 3550 5.1).
 */
int
rtp_pack(const struct rtp_hdr *h, const uint8_t *payload, size_t plen,
    uint8_t *out, size_t outsz)
{
	if (outsz < RTP_HDR_LEN || plen > outsz - RTP_HDR_LEN ||
	    RTP_HDR_LEN + plen > (size_t)INT_MAX)
		return -ENOSPC;
	out[0] = RTP_VERSION << 6;
	out[1] = (h->marker ? 0x80 : 0) | (h->pt & 0x7f);
	rtp_put16(out + 2, h->seq);
	rtp_put32(out + 4, h->ts);
	rtp_put32(out + 8, h->ssrc);
	if (plen > 0)
		memcpy(out + RTP_HDR_LEN, payload, plen);
	return (int)(RTP_HDR_LEN + plen);
}

/* Restart the sequence state at seq (RFC 3550 A.1 init_seq()). */
static void
rtp_rx_init_seq(struct rtp_rx_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1;	/* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

/*
 * Start tracking a source (A.1).  The source stays on probation until
 * RTP_MIN_SEQUENTIAL packets arrived in sequence; the packet with seq is
 * not counted here, so pass it to rtp_rx_update() as well.
 */
void
rtp_rx_init(struct rtp_rx_stats *s, uint16_t seq)
{
	memset(s, 0, sizeof *s);
	rtp_rx_init_seq(s, seq);
	s->max_seq = seq - 1;
	s->probation = RTP_MIN_SEQUENTIAL;
	s->started = true;
}

/* Fold one transit time into the interarrival jitter (RFC 3550 A.8). */
static void
rtp_rx_jitter_update(struct rtp_rx_stats *s, uint32_t transit)
{
	int32_t	d;

	d = (int32_t)(transit - s->transit);
	s->transit = transit;
	if (d < 0)
		d = -d;
	s->jitter += (uint32_t)d - ((s->jitter + 8) >> 4);
}

/*
 * Account one packet (A.1 update_seq() and A.8).  While on probation only
 * the transit time is recorded, so the first jitter sample compares two
 * real packets rather than a packet and zero.  Returns false for the
 * first packet of a new source, and for a jump the peer has not yet
 * confirmed with a second packet.
 */
bool
rtp_rx_update(struct rtp_rx_stats *s, uint16_t seq, uint32_t ts,
    uint32_t arrival)
{
	uint16_t	udelta = seq - s->max_seq;
	uint32_t	transit = arrival - ts;

	if (s->probation) {
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				/* The previous packet was in sequence too. */
				rtp_rx_init_seq(s, seq);
				s->received++;
				rtp_rx_jitter_update(s, transit);
				return true;
			}
			s->transit = transit;
		} else {
			s->transit = transit;
			s->probation = RTP_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return false;
	}
	if (udelta < RTP_MAX_DROPOUT) {
		/* In order, with a permissible gap. */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
		/* A very large jump: restart if the peer really did. */
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return false;
		}
		rtp_rx_init_seq(s, seq);
		s->transit = transit;
		s->received++;
		return true;
	}
	/* In order, or a duplicate or reordered one: all count (A.1). */
	s->received++;
	rtp_rx_jitter_update(s, transit);
	return true;
}

/* Cumulative number of packets lost: expected minus received (A.3). */
uint32_t
rtp_rx_lost(const struct rtp_rx_stats *s)
{
	int64_t	expected, lost;

	if (!s->started || s->probation)
		return 0;
	expected = (int64_t)s->cycles + s->max_seq - s->base_seq + 1;
	lost = expected - s->received;
	return lost > 0 ? (uint32_t)lost : 0;
}

/* Interarrival jitter estimate in media clock units (A.8). */
uint32_t
rtp_rx_jitter(const struct rtp_rx_stats *s)
{
	return s->jitter >> 4;
}

/* Pack a telephone-event payload (RFC 4733 2.3). */
int
rtp_dtmf_pack(const struct rtp_dtmf *d, uint8_t out[4])
{
	out[0] = d->event;
	out[1] = (d->end ? 0x80 : 0) | (d->volume & 0x3f);
	rtp_put16(out + 2, d->duration);
	return 4;
}

/* Parse a telephone-event payload (RFC 4733 2.3); only DTMF events 0-15. */
int
rtp_dtmf_parse(const uint8_t *in, size_t len, struct rtp_dtmf *d)
{
	if (in == NULL || len < 4 || in[0] > 15)
		return EINVAL;
	d->event = in[0];
	d->end = (in[1] & 0x80) != 0;
	d->volume = in[1] & 0x3f;
	d->duration = rtp_get16(in + 2);
	return 0;
}

/* Map a DTMF character to its RFC 4733 3.2 event code; a-d count as A-D. */
int
rtp_dtmf_event(char digit)
{
	if (digit >= '0' && digit <= '9')
		return digit - '0';
	if (digit == '*')
		return 10;
	if (digit == '#')
		return 11;
	if (digit >= 'A' && digit <= 'D')
		return 12 + (digit - 'A');
	if (digit >= 'a' && digit <= 'd')
		return 12 + (digit - 'a');
	return -1;
}

/* Map an RFC 4733 3.2 event code to its DTMF character. */
char
rtp_dtmf_char(uint8_t event)
{
	static const char	chars[] = "0123456789*#ABCD";

	if (event > 15)
		return 0;
	return chars[event];
}
