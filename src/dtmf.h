/* SPDX-License-Identifier: BSD-2-Clause */
/* DTMF outside RTP: the bodies of SIP INFO requests that carry a digit. */
#ifndef TP_DTMF_H
#define TP_DTMF_H

#include <stddef.h>

/*
 * Find the digit in the body of an INFO request (RFC 6086 carries it; no
 * RFC defines the bodies, these are the two every PBX sends):
 *   - "application/dtmf-relay": lines "Signal=5" and "Duration=160" (ms);
 *     the signal may also be the event code 10 ('*') or 11 ('#');
 *   - "application/dtmf": the digit or its event code alone.
 * ctype is the Content-Type (type/subtype, any case, parameters ignored);
 * body is len bytes, not NUL-terminated.  Returns 0 with the digit
 * ('0'-'9', '*', '#', 'A'-'D') in *digit, ENOTSUP for another content
 * type, or EINVAL when the body names no digit.
 */
int	dtmf_info_parse(const char *ctype, const char *body, size_t len,
	    char *digit);

#endif
