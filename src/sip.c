/* SPDX-License-Identifier: BSD-2-Clause */
/* SIP user agent glue: Sofia NUA events in, core calls and registration out. */

#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define NUA_MAGIC_T	struct sip
#define NUA_HMAGIC_T	struct sip_call
#define SU_ROOT_MAGIC_T	void

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/soa_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "core.h"
#include "dtmf.h"
#include "log.h"
#include "sdp.h"
#include "sip.h"
#include "uri.h"

#define SIP_MAX_AUTH_TRIES	2	/* the same challenge twice = bad credentials */
#define SIP_MAX_REDIRECTS	5

/* Our side of one call's NUA handle. */
struct sip_call {
	struct sip		*sip;
	struct call		*call;		/* NULL once the call is gone */
	nua_handle_t		*nh;
	int			 auth_tries;
	bool			 got_response;	/* any response from the network */
	bool			 we_offered;	/* in the latest offer/answer */
	bool			 sdp_new;	/* SDP since media last started */
	char			*local_sdp;	/* latest, owned */
	char			*remote_sdp;
	int			 last_status;	/* final failure status */
	char			*last_phrase;
	char			 media_addr[64];	/* our RTP address, for From */
	char			 call_id[128];	/* the dialog's Call-ID */
};

struct sip {
	struct tp_core		*core;
	nua_t			*nua;
	su_home_t		 home[1];
	nua_handle_t		*reg_nh;
	int			 reg_auth_tries;
	int			 reg_challenge;	/* last 401/407 seen */
	bool			 reg_active;	/* REGISTER or un-REGISTER pending/valid */
	bool			 unregistering;
	bool			 shutdown_started;
	bool			 nua_shutdown_sent;
	bool			 nua_shutdown_done;
	bool			 trace;
	int			 trace_pipe[2];	/* stack thread -> main loop */
	char			 heard[16][80];	/* Call-IDs of messages received */
	unsigned		 nheard;
	char			 contact_user[64];	/* user part of our Contact */
};

/* The one core whose messages the trace redirect delivers (see sip_new). */
static struct sip	*sip_trace_owner;

static void	sip_shutdown_step(struct sip *);
static int	sip_call_invite_id(struct sip *, struct call *, const char *,
		    const char *, const char *, const char *);

/*
 * Our Contact's parameters in a dialog whose requests go over TCP.  We
 * listen on UDP and TCP on one port, so Sofia's Contact names neither, and
 * the far end would send its in-dialog requests (BYE, re-INVITE) over UDP
 * (RFC 3263 4.1).  Naming TCP keeps the dialog on the transport it began on.
 */
#define SIP_TCP_CONTACT_PARAMS	"transport=tcp"

/* Does uri (text) ask for TCP with ";transport=tcp"?  False if it does not parse. */
static bool
sip_uri_wants_tcp(su_home_t *home, const char *uri)
{
	url_t	*url;
	char	 transport[16];
	bool	 tcp = false;

	if (uri == NULL || (url = url_make(home, uri)) == NULL)
		return false;
	if (url->url_params != NULL && url_param(url->url_params, "transport",
	    transport, sizeof transport) > 0)
		tcp = strcasecmp(transport, "tcp") == 0;
	su_free(home, url);
	return tcp;
}

/* Free our per-call record. */
static void
sip_call_free(struct sip_call *sc)
{
	if (sc == NULL)
		return;
	free(sc->local_sdp);
	free(sc->remote_sdp);
	free(sc->last_phrase);
	free(sc);
}

/* Replace *dst with a copy of src (NULL keeps *dst). */
static void
sip_keep_str(char **dst, const char *src)
{
	char	*copy;

	if (src == NULL || (copy = strdup(src)) == NULL)
		return;
	free(*dst);
	*dst = copy;
}

/* A trace entry being assembled from Sofia's line-by-line log calls. */
static struct {
	pthread_mutex_t	 lock;
	char		*buf;
	size_t		 len, size;
	int		 dashes;	/* framing lines seen */
	bool		 collecting;
} sip_trace_acc = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Append n bytes of s to the trace entry being assembled. */
static void
sip_trace_append(const char *s, size_t n)
{
	char	*nb;
	size_t	 want = sip_trace_acc.len + n + 1;

	if (want > sip_trace_acc.size) {
		size_t size = want < 4096 ? 4096 : want * 2;

		if ((nb = realloc(sip_trace_acc.buf, size)) == NULL)
			return;
		sip_trace_acc.buf = nb;
		sip_trace_acc.size = size;
	}
	memcpy(sip_trace_acc.buf + sip_trace_acc.len, s, n);
	sip_trace_acc.len += n;
	sip_trace_acc.buf[sip_trace_acc.len] = '\0';
}

/* Is the line [p, p+n) a framing line of dashes (maybe indented)? */
static bool
sip_trace_is_dashes(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
		n--;
	return n >= 8 && strspn(p, "-") >= n;
}

/*
 * Turn the raw text collected for one message (indented lines between two
 * lines of dashes) into the message with CRLF line ends, and queue it with
 * its header line for the main loop.
 */
static void
sip_trace_finish(void)
{
	const char	*raw = sip_trace_acc.buf, *eol, *line;
	char		*out, *o;
	size_t		 n, hdr;
	bool		 opened = false;

	if (sip_trace_owner == NULL || raw == NULL)
		return;
	hdr = strcspn(raw, "\n");
	if ((out = malloc(sip_trace_acc.len * 2 + 2)) == NULL)
		return;
	memcpy(out, raw, hdr);
	o = out + hdr;
	*o++ = '\n';
	for (line = raw + hdr + (raw[hdr] == '\n'); *line != '\0'; line = eol + 1) {
		eol = strchr(line, '\n');
		if (eol == NULL)
			eol = line + strlen(line);
		n = (size_t)(eol - line);
		if (sip_trace_is_dashes(line, n)) {
			if (opened)
				break;
			opened = true;
		} else {
			if (n >= 3 && strncmp(line, "   ", 3) == 0) {
				line += 3;
				n -= 3;
			}
			while (n > 0 && line[n - 1] == '\r')
				n--;
			memcpy(o, line, n);
			o += n;
			*o++ = '\r';
			*o++ = '\n';
		}
		if (*eol == '\0')
			break;
	}
	*o = '\0';
	if (write(sip_trace_owner->trace_pipe[1], &out, sizeof out) !=
	    (ssize_t)sizeof out)
		free(out);
}

/*
 * Feed one log call's text to the trace assembler.  With TPTAG_LOG(1), tport
 * logs a message as a header "send N bytes to udp/[ADDR]:PORT at TIME:" (or
 * "recv ... from ..."), a line of dashes, the message's lines indented by
 * three spaces (in several calls, not one per line), and a second line of
 * dashes, which ends it.  Returns true if the text was trace.
 */
static bool
sip_trace_line(const char *text)
{
	const char	*buf, *last;
	size_t		 n;

	if ((strncmp(text, "send ", 5) == 0 || strncmp(text, "recv ", 5) == 0) &&
	    strstr(text, " bytes ") != NULL) {
		sip_trace_acc.len = 0;
		sip_trace_acc.dashes = 0;
		sip_trace_acc.collecting = true;
	} else if (!sip_trace_acc.collecting)
		return false;
	sip_trace_append(text, strlen(text));
	buf = sip_trace_acc.buf;
	n = sip_trace_acc.len;
	if (buf == NULL || n == 0 || buf[n - 1] != '\n')
		return true;
	/* Look at the line this text completed. */
	for (last = buf + n - 1; last > buf && last[-1] != '\n'; last--)
		;
	if (sip_trace_is_dashes(last, (size_t)(buf + n - 1 - last)) &&
	    ++sip_trace_acc.dashes == 2) {
		sip_trace_acc.collecting = false;
		sip_trace_finish();
	}
	return true;
}

/*
 * Sofia's default log sink, called on the stack threads.  SIP messages are
 * reassembled and handed to the main loop through a pipe (a pointer per
 * write, atomic under PIPE_BUF); the rest is library chatter for the log.
 */
static void
sip_log_redirect(void *stream, const char *fmt, va_list ap)
{
	char	 small[2048], *buf = small;
	int	 n;
	va_list	 aq;
	bool	 traced;

	(void)stream;
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof small, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		if ((buf = malloc((size_t)n + 1)) == NULL)
			return;
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
	}
	pthread_mutex_lock(&sip_trace_acc.lock);
	traced = sip_trace_line(buf);
	pthread_mutex_unlock(&sip_trace_acc.lock);
	if (!traced) {
		n = (int)strlen(buf);
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n > 0)
			log_debug("sofia: %s", buf);
	}
	if (buf != small)
		free(buf);
}

/*
 * Split one trace entry into direction, peer and message text and pass it
 * to the core.  The entry is "recv 512 bytes from udp/[127.0.0.1]:5070 at
 * 12:00:00.000000:\n" and then the message as sip_trace_line() assembled
 * it (CRLF line ends).
 */
static void
sip_trace_entry(struct sip *sip, char *entry)
{
	char		*nl, *text, *peer, *p, *end, call_id[128];
	const char	*h;
	bool		 sent = entry[0] == 's';
	char		 peerbuf[96] = "";
	struct call	*call;

	if ((nl = strchr(entry, '\n')) == NULL)
		return;
	*nl = '\0';
	text = nl + 1;
	peer = strstr(entry, sent ? " to " : " from ");
	if (peer != NULL) {
		peer += sent ? 4 : 6;
		if ((p = strstr(peer, " at ")) != NULL)
			*p = '\0';
		/* "udp/[127.0.0.1]:5070" -> "udp/127.0.0.1:5070" for IPv4 */
		for (p = peer, end = peerbuf; *p != '\0' &&
		    end < peerbuf + sizeof peerbuf - 1; p++) {
			if ((*p == '[' || *p == ']') && strchr(peer, '.') != NULL)
				continue;
			*end++ = *p;
		}
		*end = '\0';
	}
	call_id[0] = '\0';
	for (h = text; (h = strchr(h, '\n')) != NULL; ) {
		/* The Call-ID, long or compact form. */
		h++;
		if (strncasecmp(h, "Call-ID:", 8) == 0)
			h += 8;
		else if (strncasecmp(h, "i:", 2) == 0)
			h += 2;
		else
			continue;
		h += strspn(h, " \t");
		snprintf(call_id, sizeof call_id, "%.*s",
		    (int)strcspn(h, "\r\n \t"), h);
		break;
	}
	if (!sent && call_id[0] != '\0')	/* for sip_heard() */
		snprintf(sip->heard[sip->nheard++ % 16], sizeof sip->heard[0],
		    "%s", call_id);
	for (call = sip->core->calls; call != NULL; call = call->next)
		if (call->sc != NULL && call_id[0] != '\0' &&
		    strcmp(call->sc->call_id, call_id) == 0)
			break;
	if (*text != '\0')
		core_sip_message(sip->core, call != NULL ? call->id : 0, sent,
		    peerbuf, text, strlen(text));
}

/* Drain trace entries the stack thread queued. */
static void
sip_trace_readable(int fd, void *arg)
{
	struct sip	*sip = arg;
	char		*entry;

	while (read(fd, &entry, sizeof entry) == (ssize_t)sizeof entry) {
		sip_trace_entry(sip, entry);
		free(entry);
	}
}

/* Deliver what the trace pipe holds now (a no-op without the trace). */
static void
sip_trace_drain(struct sip *sip)
{
	if (sip->trace)
		sip_trace_readable(sip->trace_pipe[0], sip);
}

/*
 * Did a message of dialog call_id come from the network?  With the trace
 * on, drain it first (tport logs a message before nta handles it, so it is
 * already in the pipe) and look the Call-ID up; without it, fall back to
 * to_tagged (a peer's final response has a To tag, RFC 3261 8.2.6.2).
 */
static bool
sip_heard(struct sip *sip, const char *call_id, bool to_tagged)
{
	unsigned	i;

	if (!sip->trace)
		return to_tagged;
	sip_trace_drain(sip);
	for (i = 0; i < 16 && i < sip->nheard; i++)
		if (strcmp(sip->heard[i], call_id) == 0)
			return true;
	return false;
}

/* Copy a SIP URL as text into a malloc'd string. */
static char *
sip_url_str(su_home_t *home, const url_t *url)
{
	char	*s, *copy;

	if (url == NULL || (s = url_as_string(home, url)) == NULL)
		return NULL;
	copy = strdup(s);
	su_free(home, s);
	return copy;
}

/*
 * Build "Digest:"REALM":USER:PASS" for every challenge in au and answer with
 * nua_authenticate() (RFC 2617 via Sofia's auth client).  Returns 0, or
 * EACCES when we have no credentials.
 */
static int
sip_auth(struct sip *sip, nua_handle_t *nh, const sip_t *sipm)
{
	const struct tp_account	*acct = &sip->core->cfg.account;
	const msg_auth_t	*au;
	char			 user[128], cred[512];
	const char		*realm, *scheme;

	if (acct->password == NULL || sipm == NULL)
		return EACCES;
	au = sipm->sip_www_authenticate != NULL ?
	    (const msg_auth_t *)sipm->sip_www_authenticate :
	    (const msg_auth_t *)sipm->sip_proxy_authenticate;
	if (au == NULL)
		return EACCES;
	if (acct->auth_user != NULL)
		snprintf(user, sizeof user, "%s", acct->auth_user);
	else if (acct->aor == NULL ||
	    uri_user(acct->aor, user, sizeof user) != 0 || user[0] == '\0')
		return EACCES;
	scheme = au->au_scheme;
	realm = msg_params_find(au->au_params, "realm=");
	if (scheme == NULL || realm == NULL)
		return EACCES;
	/* The realm keeps its quotes (SOFIA-NOTES). */
	snprintf(cred, sizeof cred, "%s:%s:%s:%s", scheme, realm, user,
	    acct->password);
	nua_authenticate(nh, NUTAG_AUTH(cred), TAG_END());
	explicit_bzero(cred, sizeof cred);
	return 0;
}

/* Handle a response to REGISTER or un-REGISTER. */
static void
sip_r_register(struct sip *sip, int status, const char *phrase, nua_handle_t *nh,
    const sip_t *sipm, bool unreg)
{
	unsigned	 expires = 0;

	if (status < 200)
		return;
	if ((status == 401 || status == 407) &&
	    ++sip->reg_auth_tries <= SIP_MAX_AUTH_TRIES &&
	    sip_auth(sip, nh, sipm) == 0)
		return;
	/*
	 * 904 is Sofia's "no matching challenge": the registrar challenged
	 * credentials we already sent.  Report it as the 401/407 it is.
	 */
	if (status == 904) {
		status = sip->reg_challenge != 0 ? sip->reg_challenge : 401;
		phrase = "Unauthorized";
	}
	sip->reg_auth_tries = 0;
	if (unreg) {
		sip->reg_active = false;
		sip->unregistering = false;
		core_reg_state(sip->core, TP_REG_UNREGISTERED, status, phrase, 0);
		sip_shutdown_step(sip);
		return;
	}
	if (status >= 200 && status < 300) {
		if (sipm != NULL && sipm->sip_contact != NULL &&
		    sipm->sip_contact->m_expires != NULL)
			expires = (unsigned)strtoul(sipm->sip_contact->m_expires,
			    NULL, 10);
		else if (sipm != NULL && sipm->sip_expires != NULL)
			expires = (unsigned)sipm->sip_expires->ex_delta;
		sip->reg_active = true;
		core_reg_state(sip->core, TP_REG_REGISTERED, status, phrase,
		    expires);
		return;
	}
	sip->reg_active = false;
	if (status == 401 || status == 407)
		phrase = sip->core->cfg.account.password == NULL ?
		    "authentication required but no password is set" :
		    "authentication rejected: check user and password";
	core_reg_state(sip->core, TP_REG_FAILED, status, phrase, 0);
	sip_shutdown_step(sip);
}

/* Start a new INVITE from the same call to target (after a 3xx). */
static int
sip_redirect(struct sip_call *sc, const sip_t *sipm, int status)
{
	struct call	*call = sc->call;
	char		*target;
	struct tp_event	 ev;
	int		 err;

	if (sipm == NULL || sipm->sip_contact == NULL ||
	    call->redirects >= SIP_MAX_REDIRECTS)
		return ENOENT;
	if ((target = sip_url_str(sc->sip->home, sipm->sip_contact->m_url)) == NULL)
		return ENOMEM;
	call->redirects++;
	memset(&ev, 0, sizeof ev);
	ev.type = TP_EV_CALL_REDIRECT;
	ev.call_id = call->id;
	ev.u.redirect.status = status;
	ev.u.redirect.target = target;
	core_emit(call->core, &ev);
	core_notice(call->core, 2, "call %u redirected (%d) to %s", call->id,
	    status, target);
	/*
	 * The new INVITE first (it takes over call->sc); only then let the
	 * old handle end on its own.  If it fails, the call stays on the old
	 * handle and ends with the 3xx.
	 */
	if ((err = sip_call_invite_id(sc->sip, call, target, sc->local_sdp,
	    sc->media_addr[0] != '\0' ? sc->media_addr : NULL,
	    sc->call_id)) != 0) {
		free(target);
		return err;
	}
	sc->call = NULL;
	free(call->peer);
	call->peer = target;
	return 0;
}

/* Handle a response to our INVITE. */
static void
sip_r_invite(struct sip_call *sc, int status, const char *phrase,
    const sip_t *sipm)
{
	struct call	*call = sc->call;

	/*
	 * nta makes up a response (with a To tag) when the transport fails or
	 * times out, so a message alone proves nothing.  Provisional responses
	 * only come from the network; for a final one, ask the trace whether
	 * anything with this Call-ID was received.
	 */
	if (sipm != NULL && status < 200)
		sc->got_response = true;
	else if (sipm != NULL && sipm->sip_call_id != NULL)
		sc->got_response |= sip_heard(sc->sip, sipm->sip_call_id->i_id,
		    sipm->sip_to != NULL && sipm->sip_to->a_tag != NULL);
	if (call == NULL || status < 200)
		return;
	if ((status == 401 || status == 407) &&
	    ++sc->auth_tries <= SIP_MAX_AUTH_TRIES &&
	    sip_auth(sc->sip, sc->nh, sipm) == 0)
		return;
	if (call->state == TP_CALL_CONNECTED) {
		/*
		 * A re-INVITE (hold, resume) the far end refused: the call and
		 * its last offer/answer stand (RFC 3261 14.1), so this is
		 * neither the call's outcome nor a redirect.
		 */
		if (status >= 300)
			core_notice(sc->sip->core, 1, "call %u: the far end "
			    "refused the re-INVITE: %d %s", call->id, status,
			    phrase != NULL ? phrase : "");
		return;
	}
	if (status >= 300 && status < 400 && sip_redirect(sc, sipm, status) == 0)
		return;
	if (status >= 300) {
		sc->last_status = status;
		sip_keep_str(&sc->last_phrase, phrase);
		call->no_response = !sc->got_response;
	}
}

/* A new INVITE arrived: check it, create the call, send 180 Ringing. */
static void
sip_i_invite(struct sip *sip, nua_handle_t *nh, const sip_t *sipm)
{
	struct tp_core		*core = sip->core;
	struct sip_call		*sc;
	struct call		*call;
	struct sdp_audio	 offer;
	struct sdp_choice	 choice;
	const struct codec_desc	*prefs[TP_MAX_CODECS];
	size_t			 i, n = 0;
	char			*peer;
	char			 sdpbuf[4096];

	if (sip->shutdown_started || core_call_count(core) > 0) {
		sip_trace_drain(sip);
		if (sip->shutdown_started)
			nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
		else
			nua_respond(nh, SIP_486_BUSY_HERE, TAG_END());
		return;
	}
	if (sipm->sip_payload != NULL && sipm->sip_payload->pl_len > 0) {
		size_t len = sipm->sip_payload->pl_len;

		if (len >= sizeof sdpbuf)
			len = sizeof sdpbuf - 1;
		memcpy(sdpbuf, sipm->sip_payload->pl_data, len);
		sdpbuf[len] = '\0';
		for (i = 0; i < core->cfg.ncodecs; i++)
			if ((prefs[n] = codec_find_config(core->cfg.codecs[i])) != NULL)
				n++;
		if (sdp_parse_audio(sdpbuf, &offer) != 0 ||
		    sdp_negotiate(&offer, prefs, n, false, &choice) != 0) {
			sip_trace_drain(sip);
			nua_respond(nh, SIP_488_NOT_ACCEPTABLE,
			    SIPTAG_WARNING_STR("399 termphone \"No common codec\""),
			    TAG_END());
			core_notice(core, 1, "incoming call rejected: no common codec");
			return;
		}
	}
	if ((sc = calloc(1, sizeof *sc)) == NULL) {
		sip_trace_drain(sip);
		nua_respond(nh, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		return;
	}
	if (sipm->sip_call_id != NULL)
		snprintf(sc->call_id, sizeof sc->call_id, "%s",
		    sipm->sip_call_id->i_id);
	peer = sip_url_str(sip->home, sipm->sip_from->a_url);
	call = core_call_new(core, false, peer != NULL ? peer : "sip:unknown",
	    sipm->sip_from->a_display, sipm->sip_via == NULL ? NULL :
	    sipm->sip_via->v_received != NULL ? sipm->sip_via->v_received :
	    sipm->sip_via->v_host);
	free(peer);
	if (call == NULL) {
		free(sc);
		sip_trace_drain(sip);
		nua_respond(nh, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		return;
	}
	sc->sip = sip;
	sc->call = call;
	sc->nh = nh;
	sc->got_response = true;
	call->sc = sc;
	sip_trace_drain(sip);	/* the INVITE, now with its call id */
	if (sipm->sip_payload != NULL && sipm->sip_payload->pl_len > 0)
		call->offer_sdp = strdup(sdpbuf);
	nua_handle_bind(nh, sc);
	/* Our answers' Contact: the user part, and TCP if the INVITE came so. */
	nua_set_hparams(nh, NUTAG_M_USERNAME(sip->contact_user),
	    TAG_IF(sipm->sip_via != NULL && sipm->sip_via->v_protocol != NULL &&
	    strcasecmp(sipm->sip_via->v_protocol, sip_transport_tcp) == 0,
	    NUTAG_M_PARAMS(SIP_TCP_CONTACT_PARAMS)),
	    TAG_END());
	nua_respond(nh, SIP_180_RINGING, TAG_END());
	core_call_announce(call);
}

/* Let go of the handle and tell the core the call ended. */
static void
sip_call_terminated(struct sip_call *sc, int status, const char *phrase)
{
	struct call	*call = sc->call;

	nua_handle_bind(sc->nh, NULL);
	nua_handle_destroy(sc->nh);
	if (call != NULL) {
		call->sc = NULL;
		if (sc->last_status >= 300) {
			status = sc->last_status;
			phrase = sc->last_phrase;
		}
		core_call_set_state(call, TP_CALL_ENDED, status, phrase);
	}
	sip_call_free(sc);
}

/* Follow NUA's call state (nua_i_state) into core call states and media. */
static void
sip_i_state(struct sip *sip, struct sip_call *sc, nua_handle_t *nh, int status,
    const char *phrase, tagi_t tags[])
{
	int		 ss = nua_callstate_init;
	const char	*l_sdp = NULL, *r_sdp = NULL;
	int		 offer_sent = 0, answer_recv = 0;
	int		 offer_recv = 0, answer_sent = 0;
	struct call	*call;

	tl_gets(tags, NUTAG_CALLSTATE_REF(ss),
	    SOATAG_LOCAL_SDP_STR_REF(l_sdp), SOATAG_REMOTE_SDP_STR_REF(r_sdp),
	    NUTAG_OFFER_SENT_REF(offer_sent), NUTAG_ANSWER_RECV_REF(answer_recv),
	    NUTAG_OFFER_RECV_REF(offer_recv), NUTAG_ANSWER_SENT_REF(answer_sent),
	    TAG_END());
	if (sc == NULL) {
		/* A call we refused (busy, 488, 503): just clean up. */
		if (ss == nua_callstate_terminated)
			nua_handle_destroy(nh);
		return;
	}
	sip_keep_str(&sc->local_sdp, l_sdp);
	sip_keep_str(&sc->remote_sdp, r_sdp);
	/*
	 * Who offered is per exchange: a re-INVITE from the far end is its
	 * offer even in a call we placed (RFC 3264 8).  A re-INVITE's SDP
	 * comes with the 200 we send ("completed"), not with the ACK
	 * ("ready"), so remember it until media is updated.
	 */
	if (offer_sent || answer_recv)
		sc->we_offered = true;
	else if (offer_recv || answer_sent)
		sc->we_offered = false;
	if (l_sdp != NULL || r_sdp != NULL)
		sc->sdp_new = true;
	call = sc->call;
	if (ss == nua_callstate_terminated) {
		sip_call_terminated(sc, status, phrase);
		sip_shutdown_step(sip);
		return;
	}
	if (call == NULL)
		return;
	switch (ss) {
	case nua_callstate_proceeding:
		if (r_sdp != NULL) {
			/* Media first, so the state event names the codec. */
			core_call_media(call, sc->remote_sdp, true, false);
			core_call_set_state(call, TP_CALL_EARLY, status, phrase);
		} else if (status == 180 && call->state == TP_CALL_CALLING)
			core_call_set_state(call, TP_CALL_RINGING, status, phrase);
		break;
	case nua_callstate_ready:
		if (sc->local_sdp != NULL && sc->remote_sdp != NULL &&
		    (sc->sdp_new || call->state != TP_CALL_CONNECTED)) {
			sc->sdp_new = false;
			core_call_media(call, sc->remote_sdp, sc->we_offered,
			    true);
		}
		if (call->state != TP_CALL_CONNECTED)
			core_call_set_state(call, TP_CALL_CONNECTED, status,
			    phrase);
		break;
	case nua_callstate_terminating:
		if (call->state != TP_CALL_ENDING)
			core_call_set_state(call, TP_CALL_ENDING, status, phrase);
		break;
	default:
		break;
	}
}

/*
 * An INFO in a call (RFC 6086): a DTMF digit in it is received like an
 * RFC 4733 one.  NUA has answered it 200 already.
 */
static void
sip_i_info(struct call *call, const sip_t *sipm)
{
	char	digit;

	if (sipm->sip_payload == NULL || sipm->sip_content_type == NULL)
		return;
	if (dtmf_info_parse(sipm->sip_content_type->c_type,
	    sipm->sip_payload->pl_data, sipm->sip_payload->pl_len, &digit) == 0)
		core_call_dtmf_received(call, digit);
	else
		log_info("call %u: INFO (%s) carries no DTMF digit", call->id,
		    sipm->sip_content_type->c_type);
}

/* The NUA event callback: runs on the loop thread. */
static void
sip_nua_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
    struct sip *sip, nua_handle_t *nh, struct sip_call *sc, sip_t const *sipm,
    tagi_t tags[])
{
	(void)nua;
	log_debug("nua %s %d %s", nua_event_name(event), status,
	    phrase != NULL ? phrase : "");
	/*
	 * tport logs a message before nta handles it, so what caused this
	 * event is already in the trace pipe: deliver it first, and the
	 * call-flow shows "180 Ringing" before the call turns "ringing".  A
	 * new INVITE waits until its call exists (sip_i_invite), so the
	 * message carries the call's id.
	 */
	if (!(event == nua_i_invite && sc == NULL))
		sip_trace_drain(sip);
	switch (event) {
	case nua_i_invite:
		if (sc == NULL && status == 100 && sipm != NULL)
			sip_i_invite(sip, nh, sipm);
		break;
	case nua_r_invite:
		if (sc != NULL)
			sip_r_invite(sc, status, phrase, sipm);
		break;
	case nua_i_state:
		sip_i_state(sip, sc, nh, status, phrase, tags);
		break;
	case nua_i_info:
		if (sc != NULL && sc->call != NULL && sipm != NULL)
			sip_i_info(sc->call, sipm);
		else if (sc == NULL && nh != NULL)
			nua_handle_destroy(nh);
		break;
	case nua_r_register:
		sip_r_register(sip, status, phrase, nh, sipm, false);
		break;
	case nua_r_unregister:
		sip_r_register(sip, status, phrase, nh, sipm, true);
		break;
	case nua_r_shutdown:
		if (status >= 200) {
			sip->nua_shutdown_done = true;
			core_shutdown_done(sip->core);
		}
		break;
	case nua_i_error:
		log_warn("sip: error %d %s", status, phrase);
		break;
	default:
		/* Stray handles NUA made for requests we don't serve. */
		if (sc == NULL && nh != NULL && nh != sip->reg_nh &&
		    (event == nua_i_options || event == nua_i_message ||
		    event == nua_i_bye))
			nua_handle_destroy(nh);
		break;
	}
}

/*
 * Find a port that is free for both UDP and TCP on addr (IPv4 or IPv6
 * literal; the wildcard if NULL), by binding port 0.  Returns 0 or errno.
 */
static int
sip_free_port(const char *addr, unsigned *portp)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 u, t, tries, err = EADDRINUSE;
	unsigned		 port;

	for (tries = 0; tries < 20; tries++) {
		memset(&ss, 0, sizeof ss);
		if (addr != NULL && strchr(addr, ':') != NULL) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
				return EINVAL;
			len = sizeof *s6;
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			if (addr != NULL &&
			    inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
				return EINVAL;
			len = sizeof *s4;
		}
		if ((u = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0)
			return errno;
		if (bind(u, (struct sockaddr *)&ss, len) != 0 ||
		    getsockname(u, (struct sockaddr *)&ss, &len) != 0) {
			err = errno;
			close(u);
			return err;
		}
		port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
		if ((t = socket(ss.ss_family, SOCK_STREAM, 0)) < 0) {
			err = errno;
			close(u);
			return err;
		}
		if (bind(t, (struct sockaddr *)&ss, len) == 0) {
			close(t);
			close(u);
			*portp = port;
			return 0;
		}
		close(t);
		close(u);
	}
	return err;
}

/*
 * Split "ADDR:PORT", "[V6]:PORT", ":PORT" or "ADDR" into host and port.
 * Returns 0 or EINVAL.
 */
static int
sip_split_listen(const char *listen, char *host, size_t hostsz, unsigned *portp)
{
	const char	*colon;
	char		*end;
	unsigned long	 port = 5060;

	host[0] = '\0';
	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');

		if (rb == NULL || (size_t)(rb - listen - 1) >= hostsz)
			return EINVAL;
		memcpy(host, listen + 1, (size_t)(rb - listen - 1));
		host[rb - listen - 1] = '\0';
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && rb[1] != ':')
			return EINVAL;
	} else {
		colon = strrchr(listen, ':');
		if ((size_t)(colon != NULL ? colon - listen :
		    (ptrdiff_t)strlen(listen)) >= hostsz)
			return EINVAL;
		snprintf(host, hostsz, "%.*s", colon != NULL ?
		    (int)(colon - listen) : (int)strlen(listen), listen);
	}
	if (colon != NULL) {
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || colon[1] == '\0' || port > 65535)
			return EINVAL;
	}
	if (host[0] == '\0')
		snprintf(host, hostsz, "0.0.0.0");
	*portp = (unsigned)port;
	return 0;
}

/* Create the nua bound to host:port; NULL if binding failed. */
static nua_t *
sip_nua_create(struct sip *sip, const char *host, unsigned port)
{
	char	 url[160];
	bool	 v6 = strchr(host, ':') != NULL;

	snprintf(url, sizeof url, v6 ? "sip:[%s]:%u" : "sip:%s:%u", host, port);
	return nua_create(sip_loop_root(sip->core->loop), sip_nua_event, sip,
	    NUTAG_URL(url),
	    TPTAG_LOG(sip->trace ? 1 : 0),
	    TAG_END());
}

/* Create and bind the NUA; see sip.h. */
int
sip_new(struct sip **sipp, struct tp_core *core, bool trace)
{
	const struct tp_config	*cfg = &core->cfg;
	struct sip		*sip;
	char			 host[80], user[64] = "termphone";
	unsigned		 port;
	int			 err;

	if ((sip = calloc(1, sizeof *sip)) == NULL)
		return ENOMEM;
	su_home_init(sip->home);
	sip->core = core;
	sip->trace_pipe[0] = sip->trace_pipe[1] = -1;
	if ((err = sip_split_listen(cfg->listen != NULL ? cfg->listen : "",
	    host, sizeof host, &port)) != 0) {
		core_notice(core, 0, "listen address '%s': expected ADDR:PORT",
		    cfg->listen);
		goto fail;
	}
	if (trace && sip_trace_owner == NULL) {
		if (pipe2(sip->trace_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
			err = errno;
			goto fail;
		}
		if ((err = tp_loop_watch_fd(core->loop, sip->trace_pipe[0],
		    sip_trace_readable, sip)) != 0)
			goto fail;
		sip->trace = true;
		sip_trace_owner = sip;
	}
	su_log_redirect(su_log_default, sip_log_redirect, NULL);
	su_log_set_level(su_log_default, 3);

	if (port == 0 && (err = sip_free_port(host, &port)) != 0)
		goto fail;
	sip->nua = sip_nua_create(sip, host, port);
	if (sip->nua == NULL && !cfg->listen_explicit) {
		unsigned	wanted = port;

		if ((err = sip_free_port(host, &port)) != 0)
			goto fail;
		sip->nua = sip_nua_create(sip, host, port);
		if (sip->nua != NULL)
			core_notice(core, 1, "port %u is in use; listening on "
			    "port %u instead", wanted, port);
	}
	if (sip->nua == NULL) {
		err = EADDRINUSE;
		core_notice(core, 0, "cannot listen on %s:%u: address in use "
		    "or not available", host, port);
		goto fail;
	}
	snprintf(core->listen_addr, sizeof core->listen_addr,
	    strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host, port);

	if (cfg->account.aor != NULL &&
	    (uri_user(cfg->account.aor, user, sizeof user) != 0 || user[0] == '\0'))
		snprintf(user, sizeof user, "termphone");
	snprintf(sip->contact_user, sizeof sip->contact_user, "%s", user);
	nua_set_params(sip->nua,
	    NUTAG_AUTOANSWER(0),
	    NUTAG_AUTOALERT(0),
	    NUTAG_AUTOACK(1),
	    NUTAG_AUTO302(0),
	    NUTAG_AUTO305(0),
	    NUTAG_ENABLEMESSAGE(0),
	    NUTAG_ALLOW("INFO"),
	    NUTAG_M_USERNAME(user),
	    NUTAG_OUTBOUND("no-options-keepalive no-validate"),
	    SOATAG_RTP_SELECT(SOA_RTP_SELECT_COMMON),
	    SOATAG_RTP_SORT(SOA_RTP_SORT_LOCAL),
	    SOATAG_AUDIO_AUX("telephone-event"),
	    TAG_IF(cfg->user_agent != NULL, SIPTAG_USER_AGENT_STR(cfg->user_agent)),
	    TAG_IF(cfg->account.proxy != NULL, NUTAG_PROXY(cfg->account.proxy)),
	    TAG_END());
	*sipp = sip;
	return 0;
fail:
	sip_free(sip);
	return err;
}

/* Destroy the NUA and our pipes. */
void
sip_free(struct sip *sip)
{
	if (sip == NULL)
		return;
	if (sip->nua != NULL) {
		if (sip->nua_shutdown_done)
			nua_destroy(sip->nua);
		else
			log_warn("sip: NUA did not finish shutting down; "
			    "not destroying it");
	}
	if (sip_trace_owner == sip) {
		su_log_redirect(su_log_default, NULL, NULL);
		sip_trace_owner = NULL;
	}
	if (sip->trace_pipe[0] >= 0) {
		char *entry;

		tp_loop_unwatch_fd(sip->core->loop, sip->trace_pipe[0]);
		while (read(sip->trace_pipe[0], &entry, sizeof entry) ==
		    (ssize_t)sizeof entry)
			free(entry);
		close(sip->trace_pipe[0]);
		close(sip->trace_pipe[1]);
	}
	su_home_deinit(sip->home);
	free(sip);
}

/* Start registering the account; see sip.h. */
int
sip_register(struct sip *sip)
{
	const struct tp_account	*acct = &sip->core->cfg.account;
	char			 expires[16], aor[512];

	if (acct->aor == NULL || acct->registrar == NULL)
		return ENOENT;
	/* name-addr form, so URI parameters stay in the URI (RFC 3261 20). */
	snprintf(aor, sizeof aor, "<%s>", acct->aor);
	if (sip->reg_nh == NULL)
		sip->reg_nh = nua_handle(sip->nua, NULL,
		    SIPTAG_TO_STR(aor), SIPTAG_FROM_STR(aor), TAG_END());
	if (sip->reg_nh == NULL)
		return ENOMEM;
	snprintf(expires, sizeof expires, "%u", acct->expires);
	sip->reg_auth_tries = 0;
	sip->reg_active = true;
	core_reg_state(sip->core, TP_REG_REGISTERING, 0, NULL, 0);
	nua_register(sip->reg_nh,
	    NUTAG_REGISTRAR(URL_STRING_MAKE(acct->registrar)),
	    SIPTAG_EXPIRES_STR(expires),
	    TAG_END());
	return 0;
}

/* Send the INVITE with Call-ID call_id (NULL: a new one); see sip.h. */
static int
sip_call_invite_id(struct sip *sip, struct call *call, const char *uri,
    const char *sdp, const char *media_addr, const char *call_id)
{
	struct sip_call		*sc;
	const struct tp_account	*acct = &sip->core->cfg.account;
	char			 from[512], to[512];
	sip_call_id_t		*cid;
	bool			 tcp;

	if ((sc = calloc(1, sizeof *sc)) == NULL)
		return ENOMEM;
	sc->sip = sip;
	sc->call = call;
	sc->we_offered = true;
	sip_keep_str(&sc->local_sdp, sdp);
	if (media_addr != NULL)
		snprintf(sc->media_addr, sizeof sc->media_addr, "%s", media_addr);
	/*
	 * name-addr form (<...>), so ";transport=tcp" and other URI parameters
	 * stay in the URI instead of becoming header parameters (RFC 3261 20).
	 */
	if (acct->aor != NULL)
		snprintf(from, sizeof from, "<%s>", acct->aor);
	else
		snprintf(from, sizeof from, strchr(media_addr != NULL ?
		    media_addr : "", ':') != NULL ? "<sip:termphone@[%s]>" :
		    "<sip:termphone@%s>", media_addr != NULL ? media_addr :
		    "invalid");
	snprintf(to, sizeof to, "<%s>", uri);
	/*
	 * Our own Call-ID, so every traced message maps to its call; a
	 * redirected call keeps it (RFC 3261 8.1.3.4).
	 */
	if (call_id != NULL)
		snprintf(sc->call_id, sizeof sc->call_id, "%s", call_id);
	else if ((cid = sip_call_id_create(sip->home, NULL)) != NULL) {
		snprintf(sc->call_id, sizeof sc->call_id, "%s", cid->i_id);
		su_free(sip->home, cid);
	}
	/* The first hop (the outbound proxy, else the target) sets the transport. */
	tcp = sip_uri_wants_tcp(sip->home, acct->proxy != NULL ? acct->proxy : uri);
	sc->nh = nua_handle(sip->nua, sc, NUTAG_URL(uri), SIPTAG_TO_STR(to),
	    SIPTAG_FROM_STR(from),
	    NUTAG_M_USERNAME(sip->contact_user),
	    TAG_IF(tcp, NUTAG_M_PARAMS(SIP_TCP_CONTACT_PARAMS)),
	    TAG_IF(sc->call_id[0] != '\0', SIPTAG_CALL_ID_STR(sc->call_id)),
	    TAG_END());
	if (sc->nh == NULL) {
		sip_call_free(sc);
		return EINVAL;
	}
	call->sc = sc;
	nua_invite(sc->nh,
	    SOATAG_USER_SDP_STR(sdp),
	    TAG_IF(media_addr != NULL, SOATAG_ADDRESS(media_addr)),
	    TAG_END());
	return 0;
}

/* Send the INVITE; see sip.h. */
int
sip_call_invite(struct sip *sip, struct call *call, const char *uri,
    const char *sdp, const char *media_addr)
{
	return sip_call_invite_id(sip, call, uri, sdp, media_addr, NULL);
}

/* Answer with 200 OK; see sip.h. */
int
sip_call_answer(struct call *call, const char *sdp, const char *media_addr)
{
	struct sip_call	*sc = call->sc;

	if (sc == NULL)
		return ENOENT;
	/*
	 * sdp already holds only the codec we chose plus telephone-event, so
	 * soa must not select again: with SOA_RTP_SELECT_COMMON this Sofia
	 * drops telephone-event from the answer.
	 */
	nua_respond(sc->nh, SIP_200_OK,
	    SOATAG_RTP_SELECT(SOA_RTP_SELECT_ALL),
	    SOATAG_USER_SDP_STR(sdp),
	    TAG_IF(media_addr != NULL, SOATAG_ADDRESS(media_addr)),
	    TAG_END());
	return 0;
}

/* Reject an incoming call; see sip.h. */
int
sip_call_reject(struct call *call, int status)
{
	struct sip_call	*sc = call->sc;

	if (sc == NULL)
		return ENOENT;
	nua_respond(sc->nh, status, sip_status_phrase(status), TAG_END());
	return 0;
}

/* CANCEL or BYE; see sip.h. */
int
sip_call_hangup(struct call *call)
{
	struct sip_call	*sc = call->sc;

	if (sc == NULL)
		return ENOENT;
	switch (call->state) {
	case TP_CALL_INCOMING:
		nua_respond(sc->nh, SIP_603_DECLINE, TAG_END());
		break;
	case TP_CALL_CALLING:
	case TP_CALL_RINGING:
	case TP_CALL_EARLY:
		nua_cancel(sc->nh, TAG_END());
		break;
	case TP_CALL_CONNECTED:
		nua_bye(sc->nh, TAG_END());
		break;
	default:
		return 0;
	}
	return 0;
}

/* Hold or resume with a re-INVITE; see sip.h. */
int
sip_call_hold(struct call *call, bool hold)
{
	struct sip_call	*sc = call->sc;

	if (sc == NULL)
		return ENOENT;
	/* soa offers a=sendonly for the media named in SOATAG_HOLD. */
	nua_invite(sc->nh, SOATAG_HOLD(hold ? "audio" : ""), TAG_END());
	return 0;
}

/* If everything we waited for is over, shut NUA down. */
static void
sip_shutdown_step(struct sip *sip)
{
	if (sip == NULL || !sip->shutdown_started || sip->nua_shutdown_sent)
		return;
	if (core_call_count(sip->core) > 0 || sip->unregistering)
		return;
	sip->nua_shutdown_sent = true;
	nua_shutdown(sip->nua);
}

/* Begin the graceful shutdown; see sip.h. */
void
sip_shutdown(struct sip *sip)
{
	struct call	*call;

	if (sip->shutdown_started)
		return;
	sip->shutdown_started = true;
	for (call = sip->core->calls; call != NULL; call = call->next)
		if (call->state != TP_CALL_ENDING && call->state != TP_CALL_ENDED)
			sip_call_hangup(call);
	if (sip->reg_nh != NULL && sip->reg_active &&
	    sip->core->reg_state == TP_REG_REGISTERED) {
		sip->unregistering = true;
		core_reg_state(sip->core, TP_REG_UNREGISTERING, 0, NULL, 0);
		nua_unregister(sip->reg_nh, TAG_END());
	}
	sip_shutdown_step(sip);
}

/* Stop waiting for calls and un-REGISTER; shut NUA down now. */
void
sip_shutdown_force(struct sip *sip)
{
	sip->unregistering = false;
	if (!sip->nua_shutdown_sent) {
		sip->nua_shutdown_sent = true;
		nua_shutdown(sip->nua);
	}
}
