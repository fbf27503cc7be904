/* SPDX-License-Identifier: BSD-2-Clause */
/* RTCP compound packets: SR/RR with SDES CNAME, BYE, and A.2 validity. */

#include <errno.h>
#include <string.h>

#include "rtp.h"

#define RTCP_VERSION	2
#define RTCP_SR		200
#define RTCP_RR		201
#define RTCP_SDES	202
#define RTCP_BYE	203
#define RTCP_SDES_END	0
#define RTCP_SDES_CNAME	1

#define RTCP_HDR_LEN	4
#define RTCP_SR_LEN	28	/* header, SSRC, sender info (6.4.1) */
#define RTCP_RR_LEN	8	/* header, SSRC (6.4.2) */
#define RTCP_BLOCK_LEN	24	/* one report block */
#define RTCP_BYE_LEN	8	/* header, one SSRC, no reason (6.6) */
#define RTCP_CNAME_MAX	255

/* Write a big-endian 32-bit value. */
static void
rtcp_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* Read a big-endian 32-bit value. */
static uint32_t
rtcp_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

/* Write a common header: version 2, no padding, count, type, len bytes. */
static void
rtcp_put_hdr(uint8_t *p, uint8_t count, uint8_t pt, size_t len)
{
	p[0] = (RTCP_VERSION << 6) | (count & 0x1f);
	p[1] = pt;
	p[2] = ((len / 4 - 1) >> 8) & 0xff;
	p[3] = (len / 4 - 1) & 0xff;
}

/* Length of the CNAME we send: NULL is sent as empty, long ones are cut. */
static size_t
rtcp_cname_len(const char *cname)
{
	size_t	n;

	if (cname == NULL)
		return 0;
	n = strlen(cname);
	return n > RTCP_CNAME_MAX ? RTCP_CNAME_MAX : n;
}

/*
 * Size of an SDES packet with one CNAME chunk: header, SSRC, item type and
 * length, the text, then at least one null octet up to a 32-bit boundary
 * (RFC 3550 6.5).
 */
static size_t
rtcp_sdes_size(size_t cnlen)
{
	return RTCP_HDR_LEN + ((4 + 2 + cnlen + 1 + 3) & ~(size_t)3);
}

/* Write the SDES CNAME packet; out has rtcp_sdes_size() bytes of room. */
static size_t
rtcp_put_sdes(uint8_t *out, uint32_t ssrc, const char *cname, size_t cnlen)
{
	size_t	len = rtcp_sdes_size(cnlen);

	memset(out, 0, len);
	rtcp_put_hdr(out, 1, RTCP_SDES, len);
	rtcp_put32(out + 4, ssrc);
	out[8] = RTCP_SDES_CNAME;
	out[9] = (uint8_t)cnlen;
	if (cnlen > 0)
		memcpy(out + 10, cname, cnlen);
	/* The rest stays zero: the END item and the padding. */
	return len;
}

/* Write one report block (RFC 3550 6.4.1) from the receiver fields of i. */
static void
rtcp_put_block(uint8_t *p, const struct rtcp_sr_info *i)
{
	uint32_t	lost = i->cum_lost;

	/* A signed 24-bit field: clamp rather than wrap to negative. */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	rtcp_put32(p, i->rr_ssrc);
	rtcp_put32(p + 4, ((uint32_t)i->fraction_lost << 24) | lost);
	rtcp_put32(p + 8, i->ext_max_seq);
	rtcp_put32(p + 12, i->jitter);
	rtcp_put32(p + 16, i->lsr);
	rtcp_put32(p + 20, i->dlsr);
}

/*
 * Build SR (RFC 3550 6.4.1) or RR (6.4.2) with at most one report block,
 * followed by SDES CNAME (6.5); a NULL cname is sent as an empty one.
 */
int
rtcp_build_report(const struct rtcp_sr_info *i, bool sender, uint8_t *out,
    size_t outsz)
{
	size_t	cnlen = rtcp_cname_len(i->cname);
	size_t	first, len;
	uint8_t	rc = i->have_rr ? 1 : 0;

	first = (sender ? RTCP_SR_LEN : RTCP_RR_LEN) + rc * RTCP_BLOCK_LEN;
	len = first + rtcp_sdes_size(cnlen);
	if (outsz < len)
		return -ENOSPC;

	rtcp_put_hdr(out, rc, sender ? RTCP_SR : RTCP_RR, first);
	rtcp_put32(out + 4, i->ssrc);
	if (sender) {
		rtcp_put32(out + 8, (uint32_t)(i->ntp >> 32));
		rtcp_put32(out + 12, (uint32_t)i->ntp);
		rtcp_put32(out + 16, i->rtp_ts);
		rtcp_put32(out + 20, i->pkt_count);
		rtcp_put32(out + 24, i->octet_count);
	}
	if (rc)
		rtcp_put_block(out + first - RTCP_BLOCK_LEN, i);
	rtcp_put_sdes(out + first, i->ssrc, i->cname, cnlen);
	return (int)len;
}

/* Build an empty RR, SDES CNAME and a BYE without reason (RFC 3550 6.6). */
int
rtcp_build_bye(uint32_t ssrc, const char *cname, uint8_t *out, size_t outsz)
{
	size_t	cnlen = rtcp_cname_len(cname);
	size_t	off, len;

	len = RTCP_RR_LEN + rtcp_sdes_size(cnlen) + RTCP_BYE_LEN;
	if (outsz < len)
		return -ENOSPC;
	rtcp_put_hdr(out, 0, RTCP_RR, RTCP_RR_LEN);
	rtcp_put32(out + 4, ssrc);
	off = RTCP_RR_LEN;
	off += rtcp_put_sdes(out + off, ssrc, cname, cnlen);
	rtcp_put_hdr(out + off, 1, RTCP_BYE, RTCP_BYE_LEN);
	rtcp_put32(out + off + 4, ssrc);
	return (int)len;
}

/*
 * Validate a compound packet as RFC 3550 A.2 does: every packet is version
 * 2, only the last may be padded, the lengths add up to len exactly, and
 * the first is an SR or RR whose report blocks fit in it.  Outputs are set
 * only on success; either pointer may be NULL.
 */
int
rtcp_parse(const uint8_t *buf, size_t len, uint32_t *sender_ssrc,
    uint32_t *lsr)
{
	size_t	off, plen, first_len = 0;
	uint8_t	pt, rc;

	if (buf == NULL || len < RTCP_RR_LEN)
		return EINVAL;
	for (off = 0; off < len; off += plen) {
		if (len - off < RTCP_HDR_LEN)
			return EINVAL;
		if ((buf[off] >> 6) != RTCP_VERSION)
			return EINVAL;
		plen = 4 * ((size_t)((buf[off + 2] << 8) | buf[off + 3]) + 1);
		if (plen > len - off)
			return EINVAL;
		if ((buf[off] & 0x20) && off + plen != len)
			return EINVAL;
		if (off == 0)
			first_len = plen;
	}

	pt = buf[1];
	rc = buf[0] & 0x1f;
	if (buf[0] & 0x20)
		return EINVAL;		/* padding belongs in the last packet */
	if (pt == RTCP_SR) {
		if (first_len < RTCP_SR_LEN + rc * (size_t)RTCP_BLOCK_LEN)
			return EINVAL;
	} else if (pt == RTCP_RR) {
		if (first_len < RTCP_RR_LEN + rc * (size_t)RTCP_BLOCK_LEN)
			return EINVAL;
	} else
		return EINVAL;

	if (sender_ssrc != NULL)
		*sender_ssrc = rtcp_get32(buf + 4);
	if (pt == RTCP_SR && lsr != NULL)
		*lsr = (rtcp_get32(buf + 8) << 16) |
		    (rtcp_get32(buf + 12) >> 16);
	return 0;
}
