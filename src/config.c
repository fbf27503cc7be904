/* SPDX-License-Identifier: BSD-2-Clause */
/* The INI config file, read with inih, and the built-in defaults. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include <ini.h>

#include "codec.h"
#include "config.h"
#include "xdg.h"
#include "uri.h"

#ifndef TP_SOUNDS_DIR
#define TP_SOUNDS_DIR	"/usr/local/share/termphone/sounds"
#endif
#ifdef PACKAGE_VERSION
#define CONFIG_VERSION	PACKAGE_VERSION
#else
#define CONFIG_VERSION	"0.1.0"
#endif

#define CONFIG_DEFAULT_CODECS	"speex-wb, speex-nb, PCMU, PCMA"

enum config_section {
	CONFIG_SEC_NONE,		/* before the first [section] */
	CONFIG_SEC_GENERAL,
	CONFIG_SEC_ACCOUNT,
};

/*
 * State of one config_load().  inih does not tell the handler the line
 * number (Debian builds it without INI_HANDLER_LINENO), so we feed it one
 * line at a time through our own reader, which counts lines and also sees
 * the [section] headers (even of empty sections) before inih does.
 */
struct config_ctx {
	struct tp_config	*cfg;
	const char		*path;
	const char		*want;		/* requested account, or NULL */
	FILE			*fp;
	char			*line;		/* getline() buffer */
	size_t			 linesz;
	int			 lineno;	/* of the line inih is handling */

	enum config_section	 sec;
	char			*sec_name;	/* account name */
	int			 sec_line;	/* line of the [account] header */
	struct tp_account	 acc;		/* the account being read */
	bool			 chosen;	/* an account went into cfg */
	char			**names;	/* account names seen so far */
	size_t			 nnames;

	bool			 eof;		/* the reader has seen the whole file */
	int			 err_at;	/* line (+1 at EOF) the first error was seen at; 0 = none */
	char			*err;
	size_t			 errlen;
};

/* Record the first error as "PATH:LINE: problem" (line 0: "PATH: problem"). */
static void __attribute__((format(printf, 3, 4)))
config_error(struct config_ctx *ctx, int line, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	if (ctx->err_at != 0)
		return;
	ctx->err_at = ctx->lineno + (ctx->eof ? 1 : 0);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ctx->err == NULL || ctx->errlen == 0)
		return;
	if (line > 0)
		snprintf(ctx->err, ctx->errlen, "%s:%d: %s", ctx->path, line,
		    msg);
	else
		snprintf(ctx->err, ctx->errlen, "%s: %s", ctx->path, msg);
}

/* strdup() that aborts on allocation failure (defaults cannot fail). */
static char *
config_xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		abort();
	return p;
}

/* Replace *dst with a copy of src; see config.h. */
int
config_set_str(char **dst, const char *src)
{
	char	*p = NULL;

	if (src != NULL && (p = strdup(src)) == NULL)
		return ENOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

/* Free the strings of an account and zero it; the password is wiped first. */
static void
config_account_free(struct tp_account *a)
{
	if (a->password != NULL)
		explicit_bzero(a->password, strlen(a->password));
	free(a->name);
	free(a->aor);
	free(a->auth_user);
	free(a->password);
	free(a->registrar);
	free(a->proxy);
	memset(a, 0, sizeof *a);
}

/* Free every string cfg owns; see config.h. */
void
config_free(struct tp_config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	free(cfg->listen);
	config_account_free(&cfg->account);
	for (i = 0; i < TP_MAX_CODECS; i++)	/* unused slots are NULL */
		free(cfg->codecs[i]);
	free(cfg->user_agent);
	free(cfg->dial);
	free(cfg->audio_device);
	free(cfg->play_file);
	free(cfg->record_file);
	free(cfg->sounds_dir);
	free(cfg->dtmf);
	free(cfg->sip_trace);
	free(cfg->log_file);
	memset(cfg, 0, sizeof *cfg);
}

/* Fill cfg with the built-in defaults; see config.h. */
void
config_defaults(struct tp_config *cfg)
{
	char	err[128];

	memset(cfg, 0, sizeof *cfg);
	cfg->account.expires = 3600;
	cfg->rtp_port_min = 16384;
	cfg->rtp_port_max = 32767;
	cfg->user_agent = config_xstrdup("termphone/" CONFIG_VERSION);
	cfg->sounds_dir = config_xstrdup(TP_SOUNDS_DIR);
	cfg->auto_answer = -1;
	cfg->hangup_after = -1;
	cfg->no_answer_timeout = 0;
	if (config_set_codecs(cfg, CONFIG_DEFAULT_CODECS, err, sizeof err) != 0)
		abort();
}

/* Join a and b into a malloc'd string; NULL if out of memory. */
static char *
config_join(const char *a, const char *b)
{
	size_t	 len = strlen(a) + strlen(b) + 1;
	char	*s;

	if ((s = malloc(len)) == NULL)
		return NULL;
	snprintf(s, len, "%s%s", a, b);
	return s;
}

/* The default config path; see config.h. */
char *
config_default_path(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "termphone/config");
}

/* Set cfg's codec list from config names; see config.h. */
int
config_set_codecs(struct tp_config *cfg, const char *list, char *err,
    size_t errlen)
{
	char		*names[TP_MAX_CODECS];
	const char	*p, *end;
	size_t		 n = 0, len, i;
	int		 rc;

	for (p = list; ; p = end + 1) {
		end = p + strcspn(p, ",");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			snprintf(err, errlen, "empty codec name in '%s'", list);
			rc = EINVAL;
			goto fail;
		}
		if (n == TP_MAX_CODECS) {
			snprintf(err, errlen, "too many codecs (at most %d)",
			    TP_MAX_CODECS);
			rc = EINVAL;
			goto fail;
		}
		if ((names[n] = strndup(p, len)) == NULL) {
			rc = ENOMEM;
			goto fail;
		}
		n++;
		if (codec_find_config(names[n - 1]) == NULL) {
			snprintf(err, errlen, "unknown codec '%s'", names[n - 1]);
			rc = EINVAL;
			goto fail;
		}
		for (i = 0; i + 1 < n; i++) {
			if (codec_find_config(names[i]) ==
			    codec_find_config(names[n - 1])) {
				snprintf(err, errlen, "codec '%s' listed twice",
				    names[n - 1]);
				rc = EINVAL;
				goto fail;
			}
		}
		if (*end == '\0')
			break;
	}

	for (i = 0; i < cfg->ncodecs && i < TP_MAX_CODECS; i++)
		free(cfg->codecs[i]);
	memset(cfg->codecs, 0, sizeof cfg->codecs);
	memcpy(cfg->codecs, names, n * sizeof names[0]);
	cfg->ncodecs = n;
	return 0;
fail:
	while (n > 0)
		free(names[--n]);
	return rc;
}

/* Parse a decimal number of at most max; false for anything else. */
static bool
config_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long	v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* A port number 1..65535 from s[0..len); 0 if it is not one. */
static unsigned
config_port(const char *s, size_t len)
{
	char		buf[8];
	unsigned long	v;

	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!config_parse_uint(buf, 65535, &v))
		return 0;
	return (unsigned)v;
}

/*
 * Check a listen address, "ADDR:PORT", "[IPV6]:PORT" or ":PORT" (which
 * becomes "0.0.0.0:PORT"; port 0 means ephemeral), and return a malloc'd
 * normalised copy, or NULL if it is malformed.
 */
char *
config_listen(const char *v)
{
	char		 addr[INET6_ADDRSTRLEN + 1];
	unsigned char	 bin[sizeof(struct in6_addr)];
	const char	*colon, *end;
	size_t		 len;

	if (v[0] == '[') {
		if ((end = strchr(v, ']')) == NULL || end[1] != ':')
			return NULL;
		len = (size_t)(end - v - 1);
		if (len == 0 || len >= sizeof addr)
			return NULL;
		memcpy(addr, v + 1, len);
		addr[len] = '\0';
		if (inet_pton(AF_INET6, addr, bin) != 1)
			return NULL;
		colon = end + 1;
	} else {
		if ((colon = strrchr(v, ':')) == NULL)
			return NULL;
		len = (size_t)(colon - v);
		if (len >= sizeof addr)
			return NULL;
		memcpy(addr, v, len);
		addr[len] = '\0';
		if (len > 0 && inet_pton(AF_INET, addr, bin) != 1)
			return NULL;
	}
	/* Port 0 asks for an ephemeral port. */
	if (strcmp(colon + 1, "0") != 0 &&
	    config_port(colon + 1, strlen(colon + 1)) == 0)
		return NULL;
	if (colon == v)
		return config_join("0.0.0.0", v);
	return strdup(v);
}

/*
 * Check that v is a sip:/sips: URI (with a user part if need_user); on
 * failure the reason goes into why.
 */
static bool
config_sip_uri(const char *v, bool need_user, char *why, size_t whysz)
{
	char	*uri, user[256];

	if (strncasecmp(v, "sip:", 4) != 0 && strncasecmp(v, "sips:", 5) != 0) {
		snprintf(why, whysz, "not a sip: or sips: URI");
		return false;
	}
	if (uri_complete(v, NULL, &uri, why, whysz) != 0)
		return false;
	free(uri);
	if (need_user && (uri_user(v, user, sizeof user) != 0 ||
	    user[0] == '\0')) {
		snprintf(why, whysz, "expected sip:USER@DOMAIN");
		return false;
	}
	return true;
}

/* The current section as it appears in messages, "[account work]". */
static const char *
config_sec_label(const struct config_ctx *ctx, char *buf, size_t bufsz)
{
	if (ctx->sec == CONFIG_SEC_ACCOUNT)
		snprintf(buf, bufsz, "[account %s]", ctx->sec_name);
	else
		snprintf(buf, bufsz, "[general]");
	return buf;
}

/* Store a copy of v in *dst, reporting ENOMEM; returns false on failure. */
static bool
config_store(struct config_ctx *ctx, char **dst, const char *v)
{
	if (config_set_str(dst, v) != 0) {
		config_error(ctx, ctx->lineno, "out of memory");
		return false;
	}
	return true;
}

/* Parse v as a number in min..max for key, reporting a bad value. */
static bool
config_number(struct config_ctx *ctx, const char *key, const char *v,
    unsigned long min, unsigned long max, unsigned long *out)
{
	char	label[128];

	if (config_parse_uint(v, max, out) && *out >= min)
		return true;
	config_error(ctx, ctx->lineno,
	    "bad value '%s' for '%s' in %s: expected a number from %lu to %lu",
	    v, key, config_sec_label(ctx, label, sizeof label), min, max);
	return false;
}

/* Handle one key of [general]; false after reporting an error. */
static bool
config_general(struct config_ctx *ctx, const char *key, const char *v)
{
	struct tp_config	*cfg = ctx->cfg;
	unsigned long		 n, lo, hi;
	char			 why[160], *s;
	const char		*dash;

	if (strcmp(key, "listen") == 0) {
		if ((s = config_listen(v)) == NULL) {
			config_error(ctx, ctx->lineno, "bad listen address '%s' "
			    "in [general]: expected ADDR:PORT, [IPV6]:PORT or "
			    ":PORT", v);
			return false;
		}
		free(cfg->listen);
		cfg->listen = s;
		cfg->listen_explicit = true;
	} else if (strcmp(key, "codecs") == 0) {
		if (config_set_codecs(cfg, v, why, sizeof why) != 0) {
			config_error(ctx, ctx->lineno, "%s in [general]", why);
			return false;
		}
	} else if (strcmp(key, "rtp_ports") == 0) {
		dash = strchr(v, '-');
		if (dash == NULL || dash - v >= (long)sizeof why)
			goto bad_ports;
		memcpy(why, v, (size_t)(dash - v));
		why[dash - v] = '\0';
		if (!config_parse_uint(why, 65535, &lo) ||
		    !config_parse_uint(dash + 1, 65535, &hi) ||
		    lo == 0 || lo % 2 != 0 || lo >= hi)
			goto bad_ports;
		cfg->rtp_port_min = (unsigned)lo;
		cfg->rtp_port_max = (unsigned)hi;
	} else if (strcmp(key, "audio_device") == 0) {
		return config_store(ctx, &cfg->audio_device, v);
	} else if (strcmp(key, "sounds") == 0) {
		return config_store(ctx, &cfg->sounds_dir, v);
	} else if (strcmp(key, "log") == 0) {
		return config_store(ctx, &cfg->log_file, v);
	} else if (strcmp(key, "user_agent") == 0) {
		return config_store(ctx, &cfg->user_agent, v);
	} else if (strcmp(key, "auto_answer") == 0) {
		if (strcasecmp(v, "off") == 0)
			cfg->auto_answer = -1;
		else if (config_number(ctx, key, v, 0, 3600, &n))
			cfg->auto_answer = (int)n;
		else
			return false;
	} else if (strcmp(key, "no_answer_timeout") == 0) {
		if (!config_number(ctx, key, v, 0, 86400, &n))
			return false;
		cfg->no_answer_timeout = (int)n;
	} else {
		config_error(ctx, ctx->lineno, "unknown key '%s' in [general]",
		    key);
		return false;
	}
	return true;
bad_ports:
	config_error(ctx, ctx->lineno, "bad value '%s' for 'rtp_ports' in "
	    "[general]: expected MIN-MAX with an even MIN below MAX", v);
	return false;
}

/* Handle one key of an [account NAME] section; false after reporting an error. */
static bool
config_account_key(struct config_ctx *ctx, const char *key, const char *v)
{
	struct tp_account	*a = &ctx->acc;
	unsigned long		 n;
	char			 why[160];
	bool			 is_aor;

	is_aor = strcmp(key, "aor") == 0;
	if (is_aor || strcmp(key, "registrar") == 0 ||
	    strcmp(key, "proxy") == 0) {
		if (!config_sip_uri(v, is_aor, why, sizeof why)) {
			config_error(ctx, ctx->lineno,
			    "bad %s '%s' in [account %s]: %s", key, v,
			    ctx->sec_name, why);
			return false;
		}
		return config_store(ctx, is_aor ? &a->aor : key[0] == 'r' ?
		    &a->registrar : &a->proxy, v);
	} else if (strcmp(key, "auth_user") == 0) {
		return config_store(ctx, &a->auth_user, v);
	} else if (strcmp(key, "password") == 0) {
		if (a->password != NULL)
			explicit_bzero(a->password, strlen(a->password));
		return config_store(ctx, &a->password, v);
	} else if (strcmp(key, "expires") == 0) {
		if (!config_number(ctx, key, v, 60, 86400, &n))
			return false;
		a->expires = (unsigned)n;
		return true;
	}
	config_error(ctx, ctx->lineno, "unknown key '%s' in [account %s]", key,
	    ctx->sec_name);
	return false;
}

/* inih's callback for each "key = value" line; returns 0 on error. */
static int
config_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct config_ctx	*ctx = arg;
	char			 label[128];
	bool			 ok;

	if (ctx->err_at != 0)
		return 0;
	if (ctx->sec == CONFIG_SEC_NONE) {
		config_error(ctx, ctx->lineno,
		    "key '%s' outside any section (expected [general] or "
		    "[account NAME] first)", key);
		return 0;
	}
	/* An empty password is legitimate; any other empty value is a slip. */
	if (value[0] == '\0' && strcmp(key, "password") != 0) {
		config_error(ctx, ctx->lineno, "missing value for '%s' in %s",
		    key, config_sec_label(ctx, label, sizeof label));
		return 0;
	}
	if (ctx->sec == CONFIG_SEC_GENERAL)
		ok = config_general(ctx, key, value);
	else
		ok = config_account_key(ctx, key, value);
	return ok ? 1 : 0;
}

/* Finish the current section: check an account and keep it if it is the one wanted. */
static void
config_end_section(struct config_ctx *ctx)
{
	struct tp_account	*a = &ctx->acc;
	bool			 take;

	if (ctx->sec == CONFIG_SEC_ACCOUNT && ctx->err_at == 0) {
		if (a->aor == NULL) {
			config_error(ctx, ctx->sec_line,
			    "[account %s] has no aor", ctx->sec_name);
		} else {
			if (ctx->want != NULL)
				take = strcmp(ctx->sec_name, ctx->want) == 0;
			else
				take = !ctx->chosen;
			if (take) {
				if (a->expires == 0)
					a->expires = ctx->cfg->account.expires;
				if (a->expires == 0)
					a->expires = 3600;
				config_account_free(&ctx->cfg->account);
				a->name = ctx->sec_name;
				ctx->sec_name = NULL;
				ctx->cfg->account = *a;
				memset(a, 0, sizeof *a);
				ctx->chosen = true;
			}
		}
	}
	config_account_free(a);
	free(ctx->sec_name);
	ctx->sec_name = NULL;
	ctx->sec = CONFIG_SEC_NONE;
}

/* Start the section whose header is s (at '['), the way inih reads it. */
static void
config_begin_section(struct config_ctx *ctx, const char *s)
{
	const char	*end, *p;
	char		*copy, *name, *dup = NULL;
	size_t		 i, len;

	/* inih ends the header at ']' or at an inline " ;" comment. */
	for (end = s + 1; *end != '\0' && *end != ']'; end++)
		if (*end == ';' && (end[-1] == ' ' || end[-1] == '\t'))
			break;
	if (*end != ']') {
		config_error(ctx, ctx->lineno, "syntax error: missing ']'");
		return;
	}
	for (p = end + 1; *p == ' ' || *p == '\t'; p++)
		;
	if (*p != '\0' && *p != ';') {
		config_error(ctx, ctx->lineno,
		    "syntax error: unexpected text after ']'");
		return;
	}
	config_end_section(ctx);
	if (ctx->err_at != 0)
		return;

	if ((copy = strndup(s + 1, (size_t)(end - s - 1))) == NULL) {
		config_error(ctx, ctx->lineno, "out of memory");
		return;
	}
	for (name = copy; *name == ' ' || *name == '\t'; name++)
		;
	len = strlen(name);
	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		name[--len] = '\0';

	if (strcmp(name, "general") == 0) {
		ctx->sec = CONFIG_SEC_GENERAL;
		goto out;
	}
	if (strncmp(name, "account", 7) != 0 ||
	    (name[7] != '\0' && name[7] != ' ' && name[7] != '\t')) {
		config_error(ctx, ctx->lineno, "unknown section [%s]", name);
		goto out;
	}
	for (name += 7; *name == ' ' || *name == '\t'; name++)
		;
	if (*name == '\0') {
		config_error(ctx, ctx->lineno,
		    "account section without a name: use [account NAME]");
		goto out;
	}
	for (i = 0; i < ctx->nnames; i++) {
		if (strcmp(ctx->names[i], name) == 0) {
			config_error(ctx, ctx->lineno,
			    "duplicate section [account %s]", name);
			goto out;
		}
	}
	if ((ctx->sec_name = strdup(name)) == NULL ||
	    (dup = strdup(name)) == NULL) {
		config_error(ctx, ctx->lineno, "out of memory");
		goto out;
	}
	if ((ctx->names = reallocarray(ctx->names, ctx->nnames + 1,
	    sizeof *ctx->names)) == NULL)
		abort();
	ctx->names[ctx->nnames++] = dup;
	ctx->sec = CONFIG_SEC_ACCOUNT;
	ctx->sec_line = ctx->lineno;
out:
	free(copy);
}

/* inih's line reader: counts lines and sees section headers; see struct config_ctx. */
static char *
config_reader(char *buf, int num, void *arg)
{
	struct config_ctx	*ctx = arg;
	ssize_t			 n;
	char			*s;
	size_t			 len;

	if (ctx->err_at != 0)		/* stop at the first error */
		return NULL;
	if ((n = getline(&ctx->line, &ctx->linesz, ctx->fp)) < 0) {
		ctx->eof = true;
		return NULL;
	}
	ctx->lineno++;
	s = ctx->line;
	if (ctx->lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	/*
	 * Dropping leading blanks means inih never sees a continuation line
	 * (an indented line would otherwise extend the previous value).
	 */
	while (*s == ' ' || *s == '\t')
		s++;
	len = strcspn(s, "\r\n");
	s[len] = '\0';
	if (num < 1 || len > (size_t)num - 1) {
		config_error(ctx, ctx->lineno,
		    "line too long (at most %d characters)", num - 1);
		buf[0] = '\0';
		return buf;
	}
	if (*s == '[')
		config_begin_section(ctx, s);
	memcpy(buf, s, len + 1);
	return buf;
}

/* Read the config file at path into cfg; see config.h. */
int
config_load(struct tp_config *cfg, const char *path, const char *account,
    char *err, size_t errlen)
{
	struct config_ctx	 ctx;
	size_t			 i;
	int			 rc, line;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&ctx, 0, sizeof ctx);
	ctx.cfg = cfg;
	ctx.path = path;
	ctx.want = account;
	ctx.err = err;
	ctx.errlen = errlen;
	if ((ctx.fp = fopen(path, "re")) == NULL) {
		rc = errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(rc));
		return rc;
	}

	line = ini_parse_stream(config_reader, &ctx, config_handler, &ctx);
	if (ctx.err_at == 0 && ferror(ctx.fp)) {
		rc = errno != 0 ? errno : EIO;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(rc));
		goto out;
	}
	if (line == -2) {
		rc = ENOMEM;
		goto out;
	}
	ctx.eof = true;
	if (ctx.err_at == 0)
		config_end_section(&ctx);	/* also checks the last account */

	/* inih reports its own syntax errors only at the end, by line. */
	if (line > 0 && (ctx.err_at == 0 || line < ctx.err_at)) {
		ctx.err_at = 0;
		config_error(&ctx, line, "syntax error: expected '[section]' "
		    "or 'key = value'");
	}
	rc = EINVAL;
	if (ctx.err_at == 0 && account != NULL && !ctx.chosen)
		config_error(&ctx, 0, "no [account %s]", account);
	else if (ctx.err_at == 0)
		rc = 0;
out:
	config_account_free(&ctx.acc);
	free(ctx.sec_name);
	for (i = 0; i < ctx.nnames; i++)
		free(ctx.names[i]);
	free(ctx.names);
	free(ctx.line);
	fclose(ctx.fp);
	return rc;
}
