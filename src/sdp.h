/* SPDX-License-Identifier: BSD-2-Clause */
/* SDP for one audio stream: our offer, parsing the peer's, and codec choice. */
#ifndef TP_SDP_H
#define TP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define SDP_MAX_FMTS	32

/* One payload format of an m=audio line (RFC 4566 6, a=rtpmap). */
struct sdp_fmt {
	uint8_t		 pt;
	char		 name[32];	/* encoding name, as written */
	uint32_t	 rate;		/* clock rate, Hz */
	char		 fmtp[128];	/* a=fmtp parameters or "" */
};

enum sdp_dir { SDP_SENDRECV, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };

/* The first m=audio line of a session description, flattened. */
struct sdp_audio {
	char		 addr[64];	/* connection address (media c= or session c=) */
	uint16_t	 port;		/* 0 = stream rejected */
	struct sdp_fmt	 fmts[SDP_MAX_FMTS];	/* in m= line order */
	size_t		 nfmts;
	uint32_t	 ptime;		/* a=ptime, ms, 0 if absent */
	uint32_t	 maxptime;	/* a=maxptime, ms, 0 if absent */
	enum sdp_dir	 dir;
};

/* The outcome of offer/answer for the audio stream. */
struct sdp_choice {
	const struct codec_desc *codec;	/* NULL = no common codec */
	uint8_t		 pt;		/* payload type to send and expect */
	int		 dtmf_pt;	/* telephone-event pt, -1 if none */
	uint32_t	 dtmf_rate;
};

/*
 * Write our SDP (RFC 4566, RFC 3264 5) for one audio stream at addr:port
 * offering codecs (preference order) plus telephone-event/8000 (and /16000
 * when a 16 kHz codec is offered), ptime 20.  Dynamic payload types are
 * numbered from 96.  Returns the length, or -ENOSPC.
 */
int	sdp_build_offer(char *out, size_t outsz, const char *addr, uint16_t port,
	    const struct codec_desc *const *codecs, size_t ncodecs,
	    uint64_t sess_id, uint64_t sess_version);
/*
 * Parse sdp (a NUL-terminated session description) with Sofia's SDP
 * parser and flatten its first m=audio line into *out.  Returns 0, EINVAL
 * if it does not parse, or ENOENT if it has no audio stream.
 */
int	sdp_parse_audio(const char *sdp, struct sdp_audio *out);
/*
 * Choose the codec for a stream: the first of the peer's formats (in
 * their order when peer_is_answer, else in the order of prefs) that is in
 * prefs, matching static payload types by number and dynamic ones by name
 * and rate (RFC 3264 6.1).  Picks telephone-event at the chosen codec's
 * rate if offered.  Returns 0, or ENOENT if there is no common codec.
 */
int	sdp_negotiate(const struct sdp_audio *peer,
	    const struct codec_desc *const *prefs, size_t nprefs,
	    bool peer_is_answer, struct sdp_choice *out);

#endif
