/* SPDX-License-Identifier: BSD-2-Clause */
/* Dial strings: a small SIP URI checker and the number/name completer. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "uri.h"

/* The pieces of a checked SIP URI, as offsets into the string. */
struct uri_parts {
	size_t	 user, userlen;		/* userlen 0: no user part */
	size_t	 hostport, hostportlen;	/* host[:port] */
};

/* Visual separators dropped from phone numbers (RFC 3966 5.1.1, plus space). */
#define URI_SEPARATORS	" -.()"

/* Whether c is an ASCII letter or digit (locale-independent). */
static bool
uri_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Whether c is an ASCII digit. */
static bool
uri_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Whether c is a hex digit. */
static bool
uri_xdigit(int c)
{
	return uri_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether c is in the non-NUL character set chars. */
static bool
uri_in(int c, const char *chars)
{
	return c != '\0' && strchr(chars, c) != NULL;
}

/* Whether c is "unreserved" (RFC 3261 25.1: alphanum / mark). */
static bool
uri_unreserved(int c)
{
	return uri_alnum(c) || uri_in(c, "-_.!~*'()");
}

/* Whether s starts with a valid "escaped" triplet (%HH). */
static bool
uri_escaped(const char *s)
{
	return s[0] == '%' && uri_xdigit(s[1]) && uri_xdigit(s[2]);
}

/* Write a one-line reason into err (room errlen bytes) and return EINVAL. */
static int __attribute__((format(printf, 3, 4)))
uri_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

/*
 * Check that s[0..len) is made only of unreserved characters, escapes and
 * the extra characters in extra; returns the offset of the first bad
 * character, or len if all are good.
 */
static size_t
uri_span(const char *s, size_t len, const char *extra)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (uri_unreserved(s[i]) || uri_in(s[i], extra))
			continue;
		if (s[i] == '%' && len - i >= 3 && uri_escaped(s + i)) {
			i += 2;
			continue;
		}
		return i;
	}
	return len;
}

/* Describe the character c for an error message ("'<'" or "byte 0x07"). */
static const char *
uri_char_name(int c, char *buf, size_t bufsz)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, bufsz, "'%c'", c);
	else
		snprintf(buf, bufsz, "byte 0x%02x", (unsigned char)c);
	return buf;
}

/* Check a hostname (RFC 3261 25.1: labels of alphanum and '-', top label alpha first). */
static bool
uri_hostname_ok(const char *h, size_t len)
{
	size_t	i, start = 0, last = 0;

	if (len == 0 || len > 253)
		return false;
	if (h[len - 1] == '.')			/* a trailing dot is allowed */
		len--;
	for (i = 0; i <= len; i++) {
		if (i < len && h[i] != '.') {
			if (!uri_alnum(h[i]) && h[i] != '-')
				return false;
			continue;
		}
		/* a label h[start..i) */
		if (i == start || i - start > 63)
			return false;
		if (h[start] == '-' || h[i - 1] == '-')
			return false;
		last = start;
		start = i + 1;
	}
	return (h[last] >= 'a' && h[last] <= 'z') ||
	    (h[last] >= 'A' && h[last] <= 'Z');
}

/* Check host (hostname, IPv4address or [IPv6reference]) of length len. */
static int
uri_check_host(const char *h, size_t len, char *err, size_t errlen)
{
	char	 buf[64];
	struct in6_addr a6;
	struct in_addr a4;
	size_t	 i;
	bool	 numeric = true;

	if (len == 0)
		return uri_fail(err, errlen, "missing host");
	if (h[0] == '[') {
		if (len < 3 || h[len - 1] != ']' || len - 2 >= sizeof buf)
			return uri_fail(err, errlen, "bad IPv6 reference '%.*s'",
			    (int)len, h);
		memcpy(buf, h + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return uri_fail(err, errlen, "bad IPv6 address '%s'",
			    buf);
		return 0;
	}
	for (i = 0; i < len; i++)
		if (!uri_digit(h[i]) && h[i] != '.')
			numeric = false;
	if (numeric) {
		if (len >= sizeof buf)
			return uri_fail(err, errlen, "bad IPv4 address");
		memcpy(buf, h, len);
		buf[len] = '\0';
		if (inet_pton(AF_INET, buf, &a4) != 1)
			return uri_fail(err, errlen, "bad IPv4 address '%s'",
			    buf);
		return 0;
	}
	if (!uri_hostname_ok(h, len))
		return uri_fail(err, errlen, "bad host name '%.*s'", (int)len,
		    h);
	return 0;
}

/*
 * Check uri against RFC 3261 25.1 SIP-URI / SIPS-URI (without the
 * deprecated password) and record where its parts are.
 */
static int
uri_parse(const char *uri, struct uri_parts *p, char *err, size_t errlen)
{
	const char	*s, *at, *h, *e;
	char		 cn[16];
	size_t		 n, bad;
	unsigned long	 port;
	int		 rc;

	memset(p, 0, sizeof *p);
	if (strncasecmp(uri, "sip:", 4) == 0)
		s = uri + 4;
	else if (strncasecmp(uri, "sips:", 5) == 0)
		s = uri + 5;
	else
		return uri_fail(err, errlen, "not a sip: or sips: URI");

	/* '@' is not allowed unescaped after the host, so the first one ends the user part. */
	if ((at = strchr(s, '@')) != NULL) {
		n = (size_t)(at - s);
		if (n == 0)
			return uri_fail(err, errlen, "empty user part");
		if ((bad = uri_span(s, n, "&=+$,;?/")) < n)
			return uri_fail(err, errlen,
			    "invalid character %s in user part",
			    uri_char_name(s[bad], cn, sizeof cn));
		p->user = (size_t)(s - uri);
		p->userlen = n;
		s = at + 1;
	}

	/* host */
	h = s;
	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL)
			return uri_fail(err, errlen, "unterminated IPv6 reference");
		s = e + 1;
	} else {
		s += strcspn(s, ":;?");
	}
	if ((rc = uri_check_host(h, (size_t)(s - h), err, errlen)) != 0)
		return rc;

	/* port */
	if (*s == ':') {
		s++;
		n = strspn(s, "0123456789");
		port = 0;
		if (n > 0 && n <= 5)
			port = strtoul(s, NULL, 10);
		if (port < 1 || port > 65535)
			return uri_fail(err, errlen, "bad port '%.*s' (1-65535)",
			    (int)strcspn(s, ";?"), s);
		s += n;
	}
	p->hostport = (size_t)(h - uri);
	p->hostportlen = (size_t)(s - h);

	/* uri-parameters: *( ";" pname [ "=" pvalue ] ) */
	while (*s == ';') {
		s++;
		n = strcspn(s, ";?=");
		if (n == 0)
			return uri_fail(err, errlen, "empty URI parameter");
		if ((bad = uri_span(s, n, "[]/:&+$")) < n)
			goto badchar_at;
		s += n;
		if (*s == '=') {
			s++;
			n = strcspn(s, ";?");
			if (n == 0)
				return uri_fail(err, errlen,
				    "empty URI parameter value");
			if ((bad = uri_span(s, n, "[]/:&+$")) < n)
				goto badchar_at;
			s += n;
		}
	}

	/* headers: "?" hname "=" hvalue *( "&" hname "=" hvalue ) */
	if (*s == '?') {
		s++;
		n = strlen(s);
		if (n == 0)
			return uri_fail(err, errlen, "empty URI headers");
		if ((bad = uri_span(s, n, "[]/?:+$=&")) < n)
			goto badchar_at;
		s += n;
	}
	if (*s != '\0') {
		bad = 0;
		goto badchar_at;
	}
	return 0;
badchar_at:
	return uri_fail(err, errlen, "invalid character %s in URI",
	    uri_char_name(s[bad], cn, sizeof cn));
}

/* Whether s is a phone number: digits, '+', '*', '#' and visual separators. */
static bool
uri_numberlike(const char *s)
{
	bool	digit = false;

	for (; *s != '\0'; s++) {
		if (uri_digit(*s) || *s == '*' || *s == '#')
			digit = true;
		else if (*s != '+' && !uri_in(*s, URI_SEPARATORS))
			return false;
	}
	return digit;
}

/*
 * Append the number in s[0..len) to out without visual separators and
 * with '#' escaped; returns the new end, or NULL if a '+' is misplaced, a
 * character is not a phone digit or there is no digit at all.
 */
static char *
uri_put_number(char *out, const char *s, size_t len)
{
	char	*start = out;
	size_t	 i;
	bool	 digit = false;

	for (i = 0; i < len; i++) {
		if (uri_in(s[i], URI_SEPARATORS))
			continue;
		if (s[i] == '+' && out != start)
			return NULL;
		if (s[i] == '#') {
			memcpy(out, "%23", 3);
			out += 3;
		} else if (uri_digit(s[i]) || s[i] == '*') {
			*out++ = s[i];
		} else if (s[i] == '+') {
			*out++ = s[i];
			continue;
		} else {
			return NULL;
		}
		digit = true;
	}
	return digit ? out : NULL;
}

/* Complete what the user typed to a SIP URI; see uri.h. */
int
uri_complete(const char *target, const char *domain, char **out, char *err,
    size_t errlen)
{
	struct uri_parts parts;
	const char	*t, *params;
	char		*uri = NULL, *w, cn[16];
	size_t		 len, cap, n, bad;
	int		 rc;

	*out = NULL;
	if (target == NULL)
		target = "";
	while (*target == ' ' || *target == '\t')
		target++;
	len = strlen(target);
	while (len > 0 && (target[len - 1] == ' ' || target[len - 1] == '\t'))
		len--;
	if (len == 0)
		return uri_fail(err, errlen, "empty target");

	/* Room for: scheme, every character tripled (escapes), domain, params. */
	cap = 3 * len + (domain != NULL ? strlen(domain) : 0) + 32;
	if ((uri = malloc(cap)) == NULL)
		return ENOMEM;

	if (strncasecmp(target, "sip:", 4) == 0 ||
	    strncasecmp(target, "sips:", 5) == 0) {
		memcpy(uri, target, len);
		uri[len] = '\0';
	} else if (strncasecmp(target, "tel:", 4) == 0) {
		/* RFC 3261 19.1.6: the whole tel URI becomes the user part. */
		t = target + 4;
		params = memchr(t, ';', len - 4);
		n = params != NULL ? (size_t)(params - t) : len - 4;
		if (domain == NULL || *domain == '\0') {
			rc = uri_fail(err, errlen,
			    "no service domain to complete '%.*s'", (int)len,
			    target);
			goto fail;
		}
		w = uri + 4;
		memcpy(uri, "sip:", 4);
		if ((w = uri_put_number(w, t, n)) == NULL) {
			rc = uri_fail(err, errlen, "bad telephone number '%.*s'",
			    (int)len, target);
			goto fail;
		}
		if (params != NULL) {
			n = len - (size_t)(params - target);
			if ((bad = uri_span(params, n, "&=+$,;?/")) < n) {
				rc = uri_fail(err, errlen,
				    "invalid character %s in tel: parameters",
				    uri_char_name(params[bad], cn, sizeof cn));
				goto fail;
			}
			memcpy(w, params, n);
			w += n;
		}
		snprintf(w, cap - (size_t)(w - uri), "@%s;user=phone", domain);
	} else if (memchr(target, '@', len) != NULL) {
		snprintf(uri, cap, "sip:%.*s", (int)len, target);
	} else {
		if (domain == NULL || *domain == '\0') {
			rc = uri_fail(err, errlen,
			    "no service domain to complete '%.*s'", (int)len,
			    target);
			goto fail;
		}
		memcpy(uri, "sip:", 4);
		w = uri + 4;
		memcpy(w, target, len);
		w[len] = '\0';
		if (uri_numberlike(w)) {
			if ((w = uri_put_number(uri + 4, target, len)) == NULL) {
				rc = uri_fail(err, errlen,
				    "bad telephone number '%.*s'", (int)len,
				    target);
				goto fail;
			}
		} else {
			if ((bad = uri_span(target, len, "&=+$,;?/")) < len) {
				rc = uri_fail(err, errlen,
				    "invalid character %s in '%.*s'",
				    uri_char_name(target[bad], cn, sizeof cn),
				    (int)len, target);
				goto fail;
			}
			w += len;
		}
		*w++ = '@';
		memcpy(w, domain, strlen(domain) + 1);
	}

	if ((rc = uri_parse(uri, &parts, err, errlen)) != 0)
		goto fail;
	*out = uri;
	return 0;
fail:
	free(uri);
	return rc;
}

/* Copy s[0..len) into out (room outsz bytes); ENOSPC if it does not fit. */
static int
uri_copy(char *out, size_t outsz, const char *s, size_t len)
{
	if (outsz == 0 || len >= outsz)
		return ENOSPC;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* Copy the host[:port] of a SIP URI; see uri.h. */
int
uri_host(const char *uri, char *out, size_t outsz)
{
	struct uri_parts p;

	if (uri == NULL || uri_parse(uri, &p, NULL, 0) != 0)
		return EINVAL;
	return uri_copy(out, outsz, uri + p.hostport, p.hostportlen);
}

/* Copy the user part of a SIP URI; see uri.h. */
int
uri_user(const char *uri, char *out, size_t outsz)
{
	struct uri_parts p;

	if (uri == NULL || uri_parse(uri, &p, NULL, 0) != 0)
		return EINVAL;
	return uri_copy(out, outsz, uri + p.user, p.userlen);
}
