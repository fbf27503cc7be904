/* SPDX-License-Identifier: BSD-2-Clause */
/* DTMF outside RTP: the bodies of SIP INFO requests that carry a digit. */

#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dtmf.h"
#include "rtp.h"

/* The digit a signal value names ("5", "*", "b", "10"), or 0. */
static char
dtmf_signal(const char *s, size_t n)
{
	char		buf[8];
	char		*end;
	unsigned long	code;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (n == 1 && rtp_dtmf_event((char)toupper((unsigned char)buf[0])) >= 0)
		return (char)toupper((unsigned char)buf[0]);
	code = strtoul(buf, &end, 10);
	if (*end != '\0' || code > 15)
		return 0;
	return rtp_dtmf_char((unsigned char)code);
}

/* Whether ctype is type/subtype want, parameters and case aside. */
static int
dtmf_ctype_is(const char *ctype, const char *want)
{
	size_t	n = strlen(want);

	return strncasecmp(ctype, want, n) == 0 &&
	    (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

/* Find the digit in an INFO body; see dtmf.h. */
int
dtmf_info_parse(const char *ctype, const char *body, size_t len, char *digit)
{
	const char	*line, *end = body + len, *nl, *eq;
	char		 d;

	if (ctype == NULL)
		return ENOTSUP;
	if (dtmf_ctype_is(ctype, "application/dtmf")) {
		if ((d = dtmf_signal(body, len)) == 0)
			return EINVAL;
		*digit = d;
		return 0;
	}
	if (!dtmf_ctype_is(ctype, "application/dtmf-relay"))
		return ENOTSUP;
	for (line = body; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		while (line < nl && isspace((unsigned char)*line))
			line++;
		eq = memchr(line, '=', (size_t)(nl - line));
		if (eq != NULL && eq - line >= 6 &&
		    strncasecmp(line, "signal", 6) == 0) {
			const char *k = line + 6;

			while (k < eq && isspace((unsigned char)*k))
				k++;
			if (k == eq) {
				if ((d = dtmf_signal(eq + 1,
				    (size_t)(nl - eq - 1))) == 0)
					return EINVAL;
				*digit = d;
				return 0;
			}
		}
		if (nl == end)
			break;
	}
	return EINVAL;
}
