/* SPDX-License-Identifier: BSD-2-Clause */
/* RTP and RTCP packet formats (RFC 3550) and RFC 4733 telephone-events. */
#ifndef TP_RTP_H
#define TP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_HDR_LEN	12
#define RTP_MAX_CSRC	15

/* A parsed RTP header (RFC 3550 5.1); payload points into the packet. */
struct rtp_hdr {
	uint8_t		 version;	/* must be 2 */
	bool		 padding, extension, marker;
	uint8_t		 cc;		/* CSRC count */
	uint8_t		 pt;		/* payload type, 0..127 */
	uint16_t	 seq;
	uint32_t	 ts;		/* media clock units */
	uint32_t	 ssrc;
	uint32_t	 csrc[RTP_MAX_CSRC];
	uint16_t	 ext_profile;	/* when extension */
	const uint8_t	*ext;		/* extension data, ext_len bytes */
	size_t		 ext_len;
	const uint8_t	*payload;	/* borrowed from the packet */
	size_t		 payload_len;	/* bytes, padding removed */
};

/*
 * Parse len bytes of buf as RTP (RFC 3550 5.1, 5.3.1).  Returns 0, or
 * EINVAL for a truncated packet, a version other than 2, or bad padding
 * or extension lengths.  h borrows from buf.
 */
int	rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h);
/*
 * Write a 12-byte header (no CSRC, no extension) and the payload into out
 * (room outsz bytes).  Returns the packet length, or -ENOSPC.
 */
int	rtp_pack(const struct rtp_hdr *h, const uint8_t *payload, size_t plen,
	    uint8_t *out, size_t outsz);

/* RFC 3550 A.1/A.3/A.8 receiver state for one source. */
struct rtp_rx_stats {
	uint16_t	 max_seq;
	uint32_t	 cycles;	/* shifted count of seq wraps */
	uint32_t	 base_seq;
	uint32_t	 bad_seq;
	uint32_t	 probation;
	uint32_t	 received;
	uint32_t	 expected_prior, received_prior;
	uint32_t	 transit;	/* relative transit, media clock units */
	uint32_t	 jitter;	/* estimate, media clock units << 4 (A.8) */
	bool		 started;
};

/* Start tracking a source whose first packet had sequence seq (A.1). */
void	rtp_rx_init(struct rtp_rx_stats *, uint16_t seq);
/*
 * Account one packet: seq, its RTP ts and the arrival time in media clock
 * units.  Returns true if it is valid in sequence terms (A.1).
 */
bool	rtp_rx_update(struct rtp_rx_stats *, uint16_t seq, uint32_t ts,
	    uint32_t arrival);
/* Cumulative packets lost (A.3), clamped to >= 0. */
uint32_t rtp_rx_lost(const struct rtp_rx_stats *);
/* Interarrival jitter in media clock units (A.8). */
uint32_t rtp_rx_jitter(const struct rtp_rx_stats *);

/* RTCP report builders (RFC 3550 6.4). */
struct rtcp_sr_info {
	uint32_t	 ssrc;
	uint64_t	 ntp;		/* NTP timestamp, 32.32 fixed point */
	uint32_t	 rtp_ts;
	uint32_t	 pkt_count, octet_count;
	bool		 have_rr;	/* add one report block */
	uint32_t	 rr_ssrc;	/* source the block reports on */
	uint8_t		 fraction_lost;
	uint32_t	 cum_lost;	/* 24 bits */
	uint32_t	 ext_max_seq;
	uint32_t	 jitter;
	uint32_t	 lsr, dlsr;
	const char	*cname;		/* SDES CNAME, required in every compound */
};

/*
 * Build a compound RTCP packet: SR (if sender) or RR, then SDES CNAME.
 * Returns the length in bytes, or -ENOSPC if outsz is too small.
 */
int	rtcp_build_report(const struct rtcp_sr_info *, bool sender,
	    uint8_t *out, size_t outsz);
/*
 * Build a compound RTCP BYE (RR + SDES + BYE) for ssrc.  Returns the length
 * or -ENOSPC.
 */
int	rtcp_build_bye(uint32_t ssrc, const char *cname, uint8_t *out,
	    size_t outsz);
/*
 * Check a compound RTCP packet: version 2, lengths add up, first packet SR
 * or RR (RFC 3550 A.2).  Returns 0 or EINVAL.  If it holds an SR, *lsr is
 * set to the middle 32 bits of its NTP timestamp, else left alone.
 */
int	rtcp_parse(const uint8_t *buf, size_t len, uint32_t *sender_ssrc,
	    uint32_t *lsr);

/* RFC 4733 2.3 telephone-event payload. */
struct rtp_dtmf {
	uint8_t		 event;		/* 0-9, 10 '*', 11 '#', 12-15 A-D */
	bool		 end;
	uint8_t		 volume;	/* 0..63, -dBm0 */
	uint16_t	 duration;	/* media clock units */
};

/* Pack a 4-byte telephone-event payload.  Returns 4. */
int	rtp_dtmf_pack(const struct rtp_dtmf *, uint8_t out[4]);
/* Parse a telephone-event payload; 0, or EINVAL if len < 4 or event > 15. */
int	rtp_dtmf_parse(const uint8_t *in, size_t len, struct rtp_dtmf *);
/* Map '0'-'9','*','#','A'-'D' to its event code; -1 if not a DTMF char. */
int	rtp_dtmf_event(char digit);
/* Map an event code 0..15 to its character; 0 if out of range. */
char	rtp_dtmf_char(uint8_t event);

#endif
