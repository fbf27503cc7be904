/* SPDX-License-Identifier: BSD-2-Clause */
/* Dial-string handling: completing numbers and names to SIP URIs. */
#ifndef TP_URI_H
#define TP_URI_H

#include <stddef.h>

/*
 * Turn what the user typed into a SIP URI (RFC 3261 19.1).
 *  - "sip:..." / "sips:..." are checked for user@host[:port][;params] form.
 *  - "tel:+1555" becomes sip:+1555@domain;user=phone (RFC 3261 19.1.6).
 *  - "1234", "+1 555-0100" (visual separators dropped) and "bob" become
 *    sip:TARGET@domain; "bob@host" becomes sip:bob@host.
 * domain is the service domain (host of the AOR, may be NULL: then a
 * bare target is an error).  Returns 0 with a malloc'd URI in *out, or
 * EINVAL with a one-line reason in err (room errlen bytes).
 */
int	uri_complete(const char *target, const char *domain, char **out,
	    char *err, size_t errlen);
/*
 * Copy the host[:port] of a sip:/sips: URI into out (room outsz bytes).
 * Returns 0, EINVAL if uri is not a SIP URI, or ENOSPC if out is too small.
 */
int	uri_host(const char *uri, char *out, size_t outsz);
/*
 * Copy the user part of a sip:/sips: URI into out; empty if none.
 * Returns 0, EINVAL if uri is not a SIP URI, or ENOSPC if out is too small.
 */
int	uri_user(const char *uri, char *out, size_t outsz);

#endif
