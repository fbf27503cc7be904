/* SPDX-License-Identifier: BSD-2-Clause */
/* SDP for the audio stream: writing our offer, reading the peer's with Sofia, choosing a codec. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sdp.h>

#include "log.h"
#include "sdp.h"

/* First dynamic RTP payload type (RFC 3551 6). */
#define SDP_PT_DYNAMIC	96
/* The last payload type that fits the 7-bit RTP field. */
#define SDP_PT_MAX	127

/* An output buffer that remembers whether anything was cut off. */
struct sdp_buf {
	char	*out;
	size_t	 size, len;
	bool	 full;
};

/* Append printf-formatted text to b; sets b->full if it does not fit. */
static void __attribute__((format(printf, 2, 3)))
sdp_printf(struct sdp_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->out + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len) {
		b->full = true;
		return;
	}
	b->len += (size_t)n;
}

/* Write our offer; see sdp.h. */
int
sdp_build_offer(char *out, size_t outsz, const char *addr, uint16_t port,
    const struct codec_desc *const *codecs, size_t ncodecs,
    uint64_t sess_id, uint64_t sess_version)
{
	struct sdp_buf	 b = { out, outsz, 0, false };
	int		 pts[SDP_MAX_FMTS], next = SDP_PT_DYNAMIC;
	int		 te8, te16 = -1;
	const char	*ipv;
	size_t		 i;
	bool		 wide = false;

	if (outsz == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (ncodecs > SDP_MAX_FMTS - 2)
		ncodecs = SDP_MAX_FMTS - 2;
	for (i = 0; i < ncodecs; i++) {
		pts[i] = codecs[i]->pt >= 0 ? codecs[i]->pt : next++;
		if (codecs[i]->clock_rate == 16000)
			wide = true;
	}
	te8 = next++;
	if (wide)
		te16 = next++;
	if (next - 1 > SDP_PT_MAX)
		return -ENOSPC;		/* out of payload types */

	ipv = strchr(addr, ':') != NULL ? "IP6" : "IP4";
	sdp_printf(&b, "v=0\r\n");
	sdp_printf(&b, "o=- %" PRIu64 " %" PRIu64 " IN %s %s\r\n", sess_id,
	    sess_version, ipv, addr);
	sdp_printf(&b, "s=termphone\r\n");
	sdp_printf(&b, "c=IN %s %s\r\n", ipv, addr);
	sdp_printf(&b, "t=0 0\r\n");
	sdp_printf(&b, "m=audio %u RTP/AVP", (unsigned)port);
	for (i = 0; i < ncodecs; i++)
		sdp_printf(&b, " %d", pts[i]);
	sdp_printf(&b, " %d", te8);
	if (te16 >= 0)
		sdp_printf(&b, " %d", te16);
	sdp_printf(&b, "\r\n");
	for (i = 0; i < ncodecs; i++) {
		sdp_printf(&b, "a=rtpmap:%d %s/%" PRIu32 "\r\n", pts[i],
		    codecs[i]->name, codecs[i]->clock_rate);
		if (codecs[i]->fmtp != NULL && codecs[i]->fmtp[0] != '\0')
			sdp_printf(&b, "a=fmtp:%d %s\r\n", pts[i],
			    codecs[i]->fmtp);
	}
	sdp_printf(&b, "a=rtpmap:%d telephone-event/8000\r\n", te8);
	sdp_printf(&b, "a=fmtp:%d 0-16\r\n", te8);
	if (te16 >= 0) {
		sdp_printf(&b, "a=rtpmap:%d telephone-event/16000\r\n", te16);
		sdp_printf(&b, "a=fmtp:%d 0-16\r\n", te16);
	}
	sdp_printf(&b, "a=ptime:20\r\n");
	sdp_printf(&b, "a=sendrecv\r\n");
	if (b.full) {
		log_warn("sdp: offer does not fit in %zu bytes", outsz);
		out[0] = '\0';
		return -ENOSPC;
	}
	return (int)b.len;
}

/*
 * The static payload types of RFC 3551 6 that carry audio, for formats
 * listed without an a=rtpmap when the parser has not filled them in.
 */
static const struct {
	uint8_t		 pt;
	const char	*name;
	uint32_t	 rate;
} sdp_static_pts[] = {
	{ 0, "PCMU", 8000 }, { 3, "GSM", 8000 }, { 4, "G723", 8000 },
	{ 5, "DVI4", 8000 }, { 6, "DVI4", 16000 }, { 7, "LPC", 8000 },
	{ 8, "PCMA", 8000 }, { 9, "G722", 8000 }, { 10, "L16", 44100 },
	{ 11, "L16", 44100 }, { 12, "QCELP", 8000 }, { 13, "CN", 8000 },
	{ 14, "MPA", 90000 }, { 15, "G728", 8000 }, { 16, "DVI4", 11025 },
	{ 17, "DVI4", 22050 }, { 18, "G729", 8000 },
};

/* Fill in the name and rate of a static payload type listed without a=rtpmap. */
static void
sdp_fill_static(struct sdp_fmt *f)
{
	size_t	i;

	for (i = 0; i < sizeof sdp_static_pts / sizeof sdp_static_pts[0]; i++) {
		if (sdp_static_pts[i].pt == f->pt) {
			snprintf(f->name, sizeof f->name, "%s",
			    sdp_static_pts[i].name);
			f->rate = sdp_static_pts[i].rate;
			return;
		}
	}
}

/* The first RTP/AVP audio stream of sess, or NULL. */
static sdp_media_t *
sdp_find_audio(sdp_session_t *sess)
{
	sdp_media_t	*m;

	for (m = sess->sdp_media; m != NULL; m = m->m_next)
		if (m->m_type == sdp_media_audio && m->m_proto == sdp_proto_rtp)
			return m;
	return NULL;
}

/*
 * The value of attribute name (a=ptime, a=maxptime: ms, RFC 4566 6) of m,
 * or else of the session; 0 if absent or bad.
 */
static uint32_t
sdp_ms_attr(const sdp_session_t *sess, const sdp_media_t *m, const char *name)
{
	sdp_attribute_t	*a;
	unsigned long	 v;
	char		*end;

	if ((a = sdp_attribute_find(m->m_attributes, name)) == NULL)
		a = sdp_attribute_find(sess->sdp_attributes, name);
	if (a == NULL || a->a_value == NULL)
		return 0;
	v = strtoul(a->a_value, &end, 10);
	if (end == a->a_value || v > 1000)
		return 0;
	return (uint32_t)v;
}

/* Flatten the first audio stream of a session description; see sdp.h. */
int
sdp_parse_audio(const char *sdp, struct sdp_audio *out)
{
	sdp_parser_t		*p;
	sdp_session_t		*sess;
	sdp_media_t		*m;
	sdp_connection_t	*c;
	sdp_rtpmap_t		*rm;
	struct sdp_fmt		*f;
	int			 rc = 0;

	memset(out, 0, sizeof *out);
	p = sdp_parse(NULL, sdp, (issize_t)strlen(sdp), 0);
	if ((sess = sdp_session(p)) == NULL) {
		log_info("sdp: cannot parse peer SDP: %s",
		    sdp_parsing_error(p) != NULL ? sdp_parsing_error(p) : "?");
		rc = EINVAL;
		goto out;
	}
	if ((m = sdp_find_audio(sess)) == NULL) {
		log_info("sdp: peer SDP has no RTP/AVP audio stream");
		rc = ENOENT;
		goto out;
	}

	c = m->m_connections != NULL ? m->m_connections : sess->sdp_connection;
	if (c == NULL || c->c_address == NULL ||
	    strlen(c->c_address) >= sizeof out->addr || m->m_port > 65535) {
		log_info("sdp: peer audio stream has a bad address or port");
		rc = EINVAL;
		goto out;
	}
	snprintf(out->addr, sizeof out->addr, "%s", c->c_address);
	out->port = m->m_rejected ? 0 : (uint16_t)m->m_port;

	/* Sofia lists every format of the m= line here, in order. */
	for (rm = m->m_rtpmaps; rm != NULL && out->nfmts < SDP_MAX_FMTS;
	    rm = rm->rm_next) {
		f = &out->fmts[out->nfmts++];
		f->pt = (uint8_t)rm->rm_pt;
		snprintf(f->name, sizeof f->name, "%s",
		    rm->rm_encoding != NULL ? rm->rm_encoding : "");
		f->rate = (uint32_t)rm->rm_rate;
		snprintf(f->fmtp, sizeof f->fmtp, "%s",
		    rm->rm_fmtp != NULL ? rm->rm_fmtp : "");
		if (f->name[0] == '\0' && f->pt < SDP_PT_DYNAMIC)
			sdp_fill_static(f);
	}
	out->ptime = sdp_ms_attr(sess, m, "ptime");
	out->maxptime = sdp_ms_attr(sess, m, "maxptime");
	switch (m->m_mode) {
	case sdp_sendonly:
		out->dir = SDP_SENDONLY;
		break;
	case sdp_recvonly:
		out->dir = SDP_RECVONLY;
		break;
	case sdp_inactive:
		out->dir = SDP_INACTIVE;
		break;
	default:
		out->dir = SDP_SENDRECV;
		break;
	}
out:
	sdp_parser_free(p);
	return rc;
}

/* Whether peer format f is codec c: static PT by number, else name and rate. */
static bool
sdp_fmt_is(const struct sdp_fmt *f, const struct codec_desc *c)
{
	if (c->pt >= 0 && f->pt == c->pt)
		return true;
	return f->name[0] != '\0' && strcasecmp(f->name, c->name) == 0 &&
	    f->rate == c->clock_rate;
}

/* The peer's telephone-event format at rate, or NULL. */
static const struct sdp_fmt *
sdp_find_dtmf(const struct sdp_audio *peer, uint32_t rate)
{
	size_t	i;

	for (i = 0; i < peer->nfmts; i++)
		if (strcasecmp(peer->fmts[i].name, "telephone-event") == 0 &&
		    peer->fmts[i].rate == rate)
			return &peer->fmts[i];
	return NULL;
}

/* Choose the codec and DTMF payload types; see sdp.h. */
int
sdp_negotiate(const struct sdp_audio *peer,
    const struct codec_desc *const *prefs, size_t nprefs,
    bool peer_is_answer, struct sdp_choice *out)
{
	const struct sdp_fmt	*f = NULL, *te;
	const struct codec_desc	*c = NULL;
	size_t			 i, j, nf;

	memset(out, 0, sizeof *out);
	out->dtmf_pt = -1;
	nf = peer->nfmts < SDP_MAX_FMTS ? peer->nfmts : SDP_MAX_FMTS;

	/*
	 * RFC 3264 6.1: when we answer, our preference decides; when we read
	 * the answer to our offer, the answerer's order does.
	 */
	for (i = 0; c == NULL && i < (peer_is_answer ? nf : nprefs); i++) {
		for (j = 0; j < (peer_is_answer ? nprefs : nf); j++) {
			f = &peer->fmts[peer_is_answer ? i : j];
			c = prefs[peer_is_answer ? j : i];
			if (c != NULL && sdp_fmt_is(f, c))
				break;
			c = NULL;
		}
	}
	if (c == NULL) {
		log_info("sdp: no codec in common with the peer");
		return ENOENT;
	}
	out->codec = c;
	out->pt = f->pt;
	if ((te = sdp_find_dtmf(peer, c->clock_rate)) == NULL)
		te = sdp_find_dtmf(peer, 8000);
	if (te != NULL) {
		out->dtmf_pt = te->pt;
		out->dtmf_rate = te->rate;
	}
	return 0;
}
