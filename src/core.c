/* SPDX-License-Identifier: BSD-2-Clause */
/* The core: calls, registration state, the event bus and the command API. */

#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "codec.h"
#include "config.h"
#include "core.h"
#include "log.h"
#include "media.h"
#include "sdp.h"
#include "sip.h"
#include "uri.h"

#define CORE_SHUTDOWN_GUARD_MS	6000	/* give up on a clean shutdown */

static void	core_shutdown_guard_final(void *);
static void	core_call_free(struct call *);

/* Seconds since the core started. */
double
core_now(const struct tp_core *core)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - core->t0.tv_sec) +
	    (double)(now.tv_nsec - core->t0.tv_nsec) / 1e9;
}

/* Deliver ev to every sink in subscription order. */
void
core_emit(struct tp_core *core, struct tp_event *ev)
{
	size_t	i;

	for (i = 0; i < core->nsinks; i++)
		core->sinks[i].cb(ev, core->sinks[i].arg);
}

/* Log a notice and emit it as TP_EV_NOTICE. */
void
core_notice(struct tp_core *core, int level, const char *fmt, ...)
{
	struct tp_event	ev;
	char		text[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_msg(level == 0 ? LOG_LVL_ERROR : level == 1 ? LOG_LVL_WARN :
	    LOG_LVL_INFO, "%s", text);
	memset(&ev, 0, sizeof ev);
	ev.type = TP_EV_NOTICE;
	ev.u.notice.level = level;
	ev.u.notice.text = text;
	core_emit(core, &ev);
}

/* Deep-copy every string of src into dst (which starts zeroed). */
static int
core_config_copy(struct tp_config *dst, const struct tp_config *src)
{
	size_t	i;
	int	err = 0;

	*dst = *src;
#define COPY(f)	do { dst->f = NULL; err |= config_set_str(&dst->f, src->f); } while (0)
	COPY(listen);
	COPY(account.name);
	COPY(account.aor);
	COPY(account.auth_user);
	COPY(account.password);
	COPY(account.registrar);
	COPY(account.proxy);
	COPY(user_agent);
	COPY(audio_device);
	COPY(play_file);
	COPY(record_file);
	COPY(sounds_dir);
	COPY(dial);
	COPY(dtmf);
	COPY(sip_trace);
	COPY(log_file);
#undef COPY
	for (i = 0; i < TP_MAX_CODECS; i++) {
		dst->codecs[i] = NULL;
		if (i < src->ncodecs)
			err |= config_set_str(&dst->codecs[i], src->codecs[i]);
	}
	return err != 0 ? ENOMEM : 0;
}

/* Start registration once the front-ends have subscribed. */
static void
core_start(void *arg)
{
	struct tp_core	*core = arg;

	core->start_timer = 0;
	if (core->cfg.account.registrar != NULL)
		sip_register(core->sip);
}

/* Create a core; see termphone.h. */
int
tp_core_new(struct tp_core **corep, struct tp_loop *loop,
    const struct tp_config *cfg)
{
	struct tp_core	*core;
	int		 err;

	if ((core = calloc(1, sizeof *core)) == NULL)
		return ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &core->t0);
	core->loop = loop;
	core->next_call_id = 1;
	core->reg_state = TP_REG_NONE;
	if ((err = core_config_copy(&core->cfg, cfg)) != 0)
		goto fail;
	if (core->cfg.sip_trace != NULL &&
	    (core->trace = fopen(core->cfg.sip_trace, "a")) == NULL) {
		err = errno;
		log_error("cannot open SIP trace file '%s': %s",
		    core->cfg.sip_trace, strerror(err));
		goto fail;
	}
	/* The first core in a process owns the trace (main makes the user's). */
	if ((err = sip_new(&core->sip, core, true)) != 0)
		goto fail;
	if ((err = script_new(&core->script, core)) != 0)
		goto fail;
	core->start_timer = tp_loop_after(loop, 0, core_start, core);
	*corep = core;
	return 0;
fail:
	tp_core_free(core);
	return err;
}

/* Free a core; see termphone.h. */
void
tp_core_free(struct tp_core *core)
{
	if (core == NULL)
		return;
	script_free(core->script);
	while (core->calls != NULL)
		core_call_free(core->calls);
	sip_free(core->sip);
	tp_loop_cancel(core->loop, core->shutdown_timer);
	tp_loop_cancel(core->loop, core->start_timer);
	if (core->trace != NULL)
		fclose(core->trace);
	config_free(&core->cfg);
	free(core);
}

/* Add a sink; see termphone.h. */
int
tp_subscribe(struct tp_core *core, tp_event_cb cb, void *arg)
{
	if (core->nsinks == CORE_MAX_SINKS)
		return ENOMEM;
	core->sinks[core->nsinks].cb = cb;
	core->sinks[core->nsinks].arg = arg;
	core->nsinks++;
	return 0;
}

/* The listen address; see termphone.h. */
const char *
tp_core_listen_addr(const struct tp_core *core)
{
	return core->listen_addr;
}

/* The account AOR; see termphone.h. */
const char *
tp_core_aor(const struct tp_core *core)
{
	return core->cfg.account.aor;
}

/* The registration state; see termphone.h. */
enum tp_reg_state
tp_core_reg_state(const struct tp_core *core)
{
	return core->reg_state;
}

/* Record a registration change and tell the sinks. */
void
core_reg_state(struct tp_core *core, enum tp_reg_state state, int status,
    const char *reason, unsigned expires)
{
	struct tp_event	ev;

	core->reg_state = state;
	if (state == TP_REG_FAILED)
		core_set_exit_status(core, TP_EXIT_REG_FAILED);
	log_info("registration %s %d %s", tp_reg_state_name(state), status,
	    reason != NULL ? reason : "");
	memset(&ev, 0, sizeof ev);
	ev.type = TP_EV_REG_STATE;
	ev.u.reg.aor = core->cfg.account.aor;
	ev.u.reg.state = state;
	ev.u.reg.status = status;
	ev.u.reg.reason = reason;
	ev.u.reg.expires = expires;
	core_emit(core, &ev);
}

/* Write one message to the trace file and emit TP_EV_SIP_MESSAGE. */
void
core_sip_message(struct tp_core *core, unsigned call_id, bool sent,
    const char *peer, const char *text, size_t len)
{
	struct tp_event	 ev;
	char		 summary[80], method[32] = "";
	const char	*eol, *p;
	size_t		 n;
	double		 now = core_now(core);

	eol = memchr(text, '\r', len);
	if (eol == NULL)
		eol = memchr(text, '\n', len);
	n = eol != NULL ? (size_t)(eol - text) : len;
	if (n > 8 && strncmp(text, "SIP/2.0 ", 8) == 0)
		snprintf(summary, sizeof summary, "%.*s", (int)(n - 8), text + 8);
	else {
		p = memchr(text, ' ', n);
		snprintf(summary, sizeof summary, "%.*s",
		    (int)(p != NULL ? (size_t)(p - text) : n), text);
	}
	/* CSeq: NUMBER METHOD */
	for (p = text; p != NULL && p < text + len; p = memchr(p, '\n', (size_t)(text + len - p))) {
		if (*p == '\n')
			p++;
		if ((size_t)(text + len - p) > 6 && strncasecmp(p, "CSeq:", 5) == 0) {
			sscanf(p + 5, "%*u %31[A-Za-z]", method);
			break;
		}
	}
	if (core->trace != NULL) {
		fprintf(core->trace, "%s %s %.3f\n%.*s\n\n", sent ? "SENT to" :
		    "RECEIVED from", peer, now, (int)len, text);
		fflush(core->trace);
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TP_EV_SIP_MESSAGE;
	ev.call_id = call_id;
	ev.u.sip.sent = sent;
	ev.u.sip.summary = summary;
	ev.u.sip.method = method;
	ev.u.sip.peer = peer;
	ev.u.sip.text = text;
	ev.u.sip.len = len;
	ev.u.sip.time = now;
	core_emit(core, &ev);
}

/* Map a failure status to an exit status; see core.h. */
int
core_exit_for_status(int status, bool no_response)
{
	if (status < 300)
		return TP_EXIT_OK;
	if (no_response)
		return TP_EXIT_NETWORK;
	switch (status) {
	case 486:
	case 600:
		return TP_EXIT_BUSY;
	case 603:
		return TP_EXIT_DECLINED;
	case 408:
	case 480:
	case 487:
		return TP_EXIT_NO_ANSWER;
	default:
		return TP_EXIT_REJECTED;
	}
}

/* Remember the outcome; registration failure is never overwritten. */
void
core_set_exit_status(struct tp_core *core, int status)
{
	if (core->exit_status_set && core->exit_status == TP_EXIT_REG_FAILED)
		return;
	core->exit_status = status;
	core->exit_status_set = true;
}

/* The exit status; see termphone.h. */
int
tp_core_exit_status(const struct tp_core *core)
{
	return core->exit_status;
}

/* Clear ev and make it an event of type about call. */
static void
core_call_event(struct tp_event *ev, const struct call *call,
    enum tp_event_type type)
{
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->call_id = call->id;
}

/* Media thread events arrive here on the loop thread. */
static void
core_media_event(const struct media_event *mev, void *arg)
{
	struct call	*call = arg;
	struct tp_event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.call_id = call->id;
	switch (mev->type) {
	case MEDIA_EV_DTMF:
	case MEDIA_EV_DTMF_SENT:
		ev.type = TP_EV_DTMF;
		ev.u.dtmf.digit = mev->digit;
		ev.u.dtmf.received = mev->type == MEDIA_EV_DTMF;
		break;
	case MEDIA_EV_STATS:
		ev.type = TP_EV_MEDIA_STATS;
		ev.u.media = mev->stats;
		break;
	case MEDIA_EV_PLAYED:
		ev.type = TP_EV_PLAYBACK_DONE;
		break;
	case MEDIA_EV_NO_DEVICE:
		if (!call->core->no_device_said)
			core_notice(call->core, 1, "no audio device found; "
			    "using null audio (silence)");
		call->core->no_device_said = true;
		return;
	default:
		return;
	}
	core_emit(call->core, &ev);
}

/*
 * Find the local address that routes to host (a name or a literal), for
 * SDP c= and the RTP socket: the listen address if it is specific, else
 * what the kernel picks for a UDP "connect" to host.
 */
static void
core_local_addr_for(struct tp_core *core, const char *host, char *out,
    size_t outsz)
{
	struct addrinfo		 hints, *res = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 h[96], *p;
	int			 fd;

	snprintf(out, outsz, "127.0.0.1");
	snprintf(h, sizeof h, "%s", core->listen_addr);
	if (h[0] == '[') {
		memmove(h, h + 1, strlen(h));
		if ((p = strchr(h, ']')) != NULL)
			*p = '\0';
	} else if ((p = strrchr(h, ':')) != NULL)
		*p = '\0';
	if (strcmp(h, "0.0.0.0") != 0 && strcmp(h, "::") != 0 && h[0] != '\0') {
		snprintf(out, outsz, "%s", h);
		return;
	}
	if (host == NULL)
		return;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_family = strcmp(h, "0.0.0.0") == 0 ? AF_INET : AF_UNSPEC;
	if (getaddrinfo(host, "9", &hints, &res) != 0 || res == NULL)
		return;
	fd = socket(res->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			    out, (socklen_t)outsz);
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
			    out, (socklen_t)outsz);
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
}

/* The host part of a URI without port or brackets, into out. */
static void
core_uri_hostname(const char *uri, char *out, size_t outsz)
{
	char	*p;

	out[0] = '\0';
	if (uri == NULL || uri_host(uri, out, outsz) != 0)
		return;
	if (out[0] == '[') {
		memmove(out, out + 1, strlen(out));
		if ((p = strchr(out, ']')) != NULL)
			*p = '\0';
	} else if ((p = strrchr(out, ':')) != NULL)
		*p = '\0';
}

/* Create a call record with its media session; see core.h. */
struct call *
core_call_new(struct tp_core *core, bool outgoing, const char *peer,
    const char *display, const char *route_host)
{
	struct call		*call;
	struct media_audio	 audio;
	char			 addr[64];
	int			 err;

	if ((call = calloc(1, sizeof *call)) == NULL)
		return NULL;
	call->core = core;
	call->id = core->next_call_id++;
	call->outgoing = outgoing;
	call->state = outgoing ? TP_CALL_CALLING : TP_CALL_INCOMING;
	call->peer = strdup(peer);
	call->display = display != NULL ? strdup(display) : NULL;
	if (call->peer == NULL)
		goto fail;
	core_local_addr_for(core, route_host, addr, sizeof addr);
	memset(&audio, 0, sizeof audio);
	audio.null_audio = core->cfg.null_audio;
	audio.device = core->cfg.audio_device;
	audio.play_file = core->cfg.play_file;
	audio.record_file = core->cfg.record_file;
	audio.echo = core->cfg.echo;
	audio.sounds_dir = core->cfg.sounds_dir;
	err = media_new(&call->media, core->loop, addr, core->cfg.rtp_port_min,
	    core->cfg.rtp_port_max, &audio, core_media_event, call);
	if (err != 0) {
		core_notice(core, 0, "cannot start media on %s: %s", addr,
		    strerror(err));
		goto fail;
	}
	call->next = core->calls;
	core->calls = call;
	return call;
fail:
	free(call->peer);
	free(call->display);
	free(call);
	return NULL;
}

/* Find a call by id. */
struct call *
core_call_find(struct tp_core *core, unsigned id)
{
	struct call	*call;

	for (call = core->calls; call != NULL; call = call->next)
		if (call->id == id)
			return call;
	return NULL;
}

/* Count calls that are not over. */
unsigned
core_call_count(const struct tp_core *core)
{
	const struct call	*call;
	unsigned		 n = 0;

	for (call = core->calls; call != NULL; call = call->next)
		n++;
	return n;
}

/* The call to act on by default; see termphone.h. */
unsigned
tp_current_call(const struct tp_core *core)
{
	return core->calls != NULL ? core->calls->id : 0;
}

/* Fill and emit a TP_EV_CALL_STATE for call. */
static void
core_call_emit(struct call *call, enum tp_event_type type, int status,
    const char *reason)
{
	struct tp_event	ev;

	core_call_event(&ev, call, type);
	ev.u.call.peer = call->peer;
	ev.u.call.display = call->display;
	ev.u.call.state = call->state;
	ev.u.call.outgoing = call->outgoing;
	ev.u.call.status = status;
	ev.u.call.reason = reason;
	ev.u.call.codec = call->media != NULL ? media_codec_name(call->media) : "";
	ev.u.call.local = call->local_hangup;
	core_emit(call->core, &ev);
}

/* A digit from SIP INFO; see core.h. */
void
core_call_dtmf_received(struct call *call, char digit)
{
	struct media_event	mev;

	log_info("call %u: DTMF %c received in SIP INFO", call->id, digit);
	memset(&mev, 0, sizeof mev);
	mev.type = MEDIA_EV_DTMF;	/* as if from RTP: one path to the sinks */
	mev.digit = digit;
	core_media_event(&mev, call);
}

/* Tell the sinks about a new incoming call; see core.h. */
void
core_call_announce(struct call *call)
{
	media_set_tone(call->media, MEDIA_TONE_RINGTONE);
	log_info("call %u: incoming from %s", call->id, call->peer);
	core_call_emit(call, TP_EV_CALL_INCOMING, 0, NULL);
	core_call_emit(call, TP_EV_CALL_STATE, 0, NULL);
}

/* Unlink call from the core and free it. */
static void
core_call_free(struct call *call)
{
	struct call	**cp;

	for (cp = &call->core->calls; *cp != NULL; cp = &(*cp)->next) {
		if (*cp == call) {
			*cp = call->next;
			break;
		}
	}
	media_free(call->media);
	free(call->peer);
	free(call->display);
	free(call->offer_sdp);
	free(call);
}

/* Change a call's state; see core.h. */
void
core_call_set_state(struct call *call, enum tp_call_state state, int status,
    const char *reason)
{
	struct tp_core	*core = call->core;

	call->state = state;
	log_info("call %u: %s %d %s", call->id, tp_call_state_name(state),
	    status, reason != NULL ? reason : "");
	switch (state) {
	case TP_CALL_RINGING:
		media_set_tone(call->media, MEDIA_TONE_RINGBACK);
		break;
	case TP_CALL_CONNECTED:
		call->answered = true;
		media_set_tone(call->media, MEDIA_TONE_NONE);
		break;
	case TP_CALL_EARLY:
	case TP_CALL_ENDING:
		media_set_tone(call->media, MEDIA_TONE_NONE);
		break;
	case TP_CALL_ENDED:
		if (call->answered)
			core_set_exit_status(core, TP_EXIT_OK);
		else if (!call->exit_status_set)
			core_set_exit_status(core, core_exit_for_status(
			    status >= 300 ? status : 487, call->no_response));
		else
			core_set_exit_status(core, call->exit_status);
		break;
	default:
		break;
	}
	core_call_emit(call, TP_EV_CALL_STATE, status, reason);
	if (state == TP_CALL_ENDED)
		core_call_free(call);
}

/* Set call's outcome ahead of its end (e.g. our no-answer timeout). */
void
core_call_set_outcome(struct call *call, int exit_status)
{
	call->exit_status = exit_status;
	call->exit_status_set = true;
}

/* Codec preferences from the config, in order. */
static size_t
core_prefs(const struct tp_core *core, const struct codec_desc **prefs)
{
	size_t	i, n = 0;

	for (i = 0; i < core->cfg.ncodecs && n < TP_MAX_CODECS; i++)
		if ((prefs[n] = codec_find_config(core->cfg.codecs[i])) != NULL)
			n++;
	return n;
}

/* Tell the sinks that call went on (held) or off hold, here (local) or there. */
static void
core_call_hold_emit(struct call *call, bool local, bool held)
{
	struct tp_event	ev;

	log_info("call %u: %s %s", call->id, held ? "held" : "taken off hold",
	    local ? "here" : "by the peer");
	core_call_event(&ev, call, TP_EV_CALL_HOLD);
	ev.u.hold.held = held;
	ev.u.hold.local = local;
	core_emit(call->core, &ev);
}

/*
 * Start (or update) media with the stream last negotiated; held here,
 * nothing goes out or is played, whatever the answer said.  Returns
 * media_start()'s status.
 */
static int
core_call_stream(struct call *call)
{
	struct media_stream	st = call->stream;

	if (call->held_here)
		st.send = st.recv = false;
	return media_start(call->media, &st);
}

/* Start media from the negotiated SDP; see core.h. */
int
core_call_media(struct call *call, const char *remote_sdp, bool we_offered,
    bool answered)
{
	const struct codec_desc	*prefs[TP_MAX_CODECS];
	struct sdp_audio	 remote;
	struct sdp_choice	 choice;
	struct media_stream	 st;
	size_t			 n;
	int			 err;
	bool			 held;

	n = core_prefs(call->core, prefs);
	if ((err = sdp_parse_audio(remote_sdp, &remote)) != 0) {
		core_notice(call->core, 1, "call %u: cannot parse the peer's SDP",
		    call->id);
		return err;
	}
	if ((err = sdp_negotiate(&remote, prefs, n, we_offered, &choice)) != 0) {
		core_notice(call->core, 1, "call %u: no common codec in the SDP",
		    call->id);
		return err;
	}
	memset(&st, 0, sizeof st);
	snprintf(st.remote_addr, sizeof st.remote_addr, "%s", remote.addr);
	st.remote_port = remote.port;
	st.codec = choice.codec;
	st.pt = choice.pt;
	st.dtmf_pt = choice.dtmf_pt;
	st.dtmf_rate = choice.dtmf_rate;
	st.ptime = codec_tx_ptime(choice.codec, remote.ptime, remote.maxptime);
	/*
	 * Before the answer (early media, RFC 3960) we only listen: the far
	 * end plays tones or announcements, and a --play file must wait for
	 * the person who answers.
	 */
	st.send = remote.port != 0 && answered &&
	    (remote.dir == SDP_SENDRECV || remote.dir == SDP_RECVONLY);
	st.recv = remote.port != 0 &&
	    (remote.dir == SDP_SENDRECV || remote.dir == SDP_SENDONLY);
	/* Hold, RFC 3264 8.4, and RFC 2543's c=0.0.0.0 that it replaced. */
	if (strcmp(remote.addr, "0.0.0.0") == 0)
		st.send = st.recv = false;
	held = answered && remote.port != 0 && !st.send;
	if (held != call->held_by_peer) {
		call->held_by_peer = held;
		core_call_hold_emit(call, false, held);
	}
	call->stream = st;
	call->have_stream = true;
	if ((err = core_call_stream(call)) != 0) {
		core_notice(call->core, 1, "call %u: cannot start RTP to %s:%u",
		    call->id, st.remote_addr, st.remote_port);
		return err;
	}
	log_info("call %u: media %s pt %u ptime %u ms to %s:%u (dtmf pt %d)",
	    call->id, media_codec_name(call->media), st.pt, st.ptime,
	    st.remote_addr, st.remote_port, st.dtmf_pt);
	return 0;
}

/* Write our SDP for call offering codecs (all preferences if only is NULL). */
static int
core_call_sdp(struct call *call, const struct codec_desc *only, char *out,
    size_t outsz)
{
	const struct codec_desc	*prefs[TP_MAX_CODECS];
	size_t			 n;

	if (only != NULL) {
		prefs[0] = only;
		n = 1;
	} else
		n = core_prefs(call->core, prefs);
	return sdp_build_offer(out, outsz, media_local_addr(call->media),
	    media_local_port(call->media), prefs, n, (uint64_t)time(NULL) + call->id,
	    1) < 0 ? ENOSPC : 0;
}

/* Place a call; see termphone.h. */
int
tp_dial(struct tp_core *core, const char *target, unsigned *call_idp)
{
	struct call	*call;
	char		*uri = NULL, err_text[256], domain[128] = "", host[128];
	char		 sdp[2048];
	int		 err;

	if (core->shutting_down)
		return ESHUTDOWN;
	if (core_call_count(core) > 0) {
		core_notice(core, 1, "a call is already up; hang it up first");
		return EBUSY;
	}
	if (core->cfg.account.aor != NULL)
		core_uri_hostname(core->cfg.account.aor, domain, sizeof domain);
	if (uri_complete(target, domain[0] != '\0' ? domain : NULL, &uri,
	    err_text, sizeof err_text) != 0) {
		core_notice(core, 0, "%s", err_text);
		return EINVAL;
	}
	core_uri_hostname(core->cfg.account.proxy != NULL ?
	    core->cfg.account.proxy : uri, host, sizeof host);
	if ((call = core_call_new(core, true, uri, NULL, host)) == NULL) {
		free(uri);
		return EIO;
	}
	if ((err = core_call_sdp(call, NULL, sdp, sizeof sdp)) != 0 ||
	    (err = sip_call_invite(core->sip, call, uri, sdp,
	    media_local_addr(call->media))) != 0) {
		core_notice(core, 0, "cannot call %s: %s", uri, strerror(err));
		free(uri);
		core_call_free(call);
		return err;
	}
	free(uri);
	log_info("call %u: dialling %s", call->id, call->peer);
	core_call_emit(call, TP_EV_CALL_STATE, 0, NULL);
	if (call_idp != NULL)
		*call_idp = call->id;
	return 0;
}

/* Answer an incoming call; see termphone.h. */
int
tp_answer(struct tp_core *core, unsigned call_id)
{
	struct call		*call = core_call_find(core, call_id);
	const struct codec_desc	*prefs[TP_MAX_CODECS];
	struct sdp_audio	 offer;
	struct sdp_choice	 choice;
	const char		*remote;
	char			 sdp[2048];
	size_t			 n;

	if (call == NULL || call->outgoing || call->state != TP_CALL_INCOMING)
		return ENOENT;
	/* Answer with only the codec we choose, so soa's answer holds it. */
	n = core_prefs(core, prefs);
	remote = call->offer_sdp;
	if (remote != NULL && sdp_parse_audio(remote, &offer) == 0 &&
	    sdp_negotiate(&offer, prefs, n, false, &choice) == 0) {
		if (core_call_sdp(call, choice.codec, sdp, sizeof sdp) != 0)
			return ENOSPC;
	} else if (core_call_sdp(call, NULL, sdp, sizeof sdp) != 0)
		return ENOSPC;
	media_set_tone(call->media, MEDIA_TONE_NONE);
	log_debug("call %u: answering from SDP:\n%s", call->id, sdp);
	return sip_call_answer(call, sdp, media_local_addr(call->media));
}

/* Reject an incoming call; see termphone.h. */
int
tp_reject(struct tp_core *core, unsigned call_id, int status)
{
	struct call	*call = core_call_find(core, call_id);

	if (call == NULL || call->outgoing || call->state != TP_CALL_INCOMING)
		return ENOENT;
	if (status < 400 || status > 699)
		status = 486;
	call->local_hangup = true;
	core_call_set_outcome(call, core_exit_for_status(status, false));
	return sip_call_reject(call, status);
}

/* Hang up; see termphone.h. */
int
tp_hangup(struct tp_core *core, unsigned call_id)
{
	struct call	*call = core_call_find(core, call_id);
	int		 err;

	if (call == NULL)
		return ENOENT;
	if (call->state == TP_CALL_ENDING || call->state == TP_CALL_ENDED)
		return 0;
	call->local_hangup = true;
	if (call->state == TP_CALL_INCOMING)
		core_call_set_outcome(call, TP_EXIT_DECLINED);
	if ((err = sip_call_hangup(call)) != 0)
		return err;
	if (call->state != TP_CALL_INCOMING)
		core_call_set_state(call, TP_CALL_ENDING, 0, NULL);
	return 0;
}

/* Hold or resume; see termphone.h. */
int
tp_hold(struct tp_core *core, unsigned call_id, bool hold)
{
	struct call	*call = core_call_find(core, call_id);
	int		 err;

	if (call == NULL)
		return ENOENT;
	if (call->state != TP_CALL_CONNECTED)
		return EINVAL;
	if (call->held_here == hold)
		return 0;
	if ((err = sip_call_hold(call, hold)) != 0)
		return err;
	call->held_here = hold;
	/* Stop (or restart) at once, not when the answer comes. */
	if (call->have_stream)
		core_call_stream(call);
	core_call_hold_emit(call, true, hold);
	return 0;
}

/* Mute or unmute; see termphone.h. */
int
tp_mute(struct tp_core *core, unsigned call_id, bool mute)
{
	struct call	*call = core_call_find(core, call_id);
	struct tp_event	 ev;

	if (call == NULL)
		return ENOENT;
	if (call->muted == mute)
		return 0;
	call->muted = mute;
	media_set_mute(call->media, mute);
	log_info("call %u: %s", call->id, mute ? "muted" : "unmuted");
	core_call_event(&ev, call, TP_EV_CALL_MUTE);
	ev.u.mute.muted = mute;
	core_emit(core, &ev);
	return 0;
}

/* Send DTMF; see termphone.h. */
int
tp_send_dtmf(struct tp_core *core, unsigned call_id, const char *digits)
{
	struct call	*call = core_call_find(core, call_id);

	if (call == NULL || call->state != TP_CALL_CONNECTED)
		return ENOENT;
	return media_send_dtmf(call->media, digits);
}

/* The guard timer: stop waiting for the far ends. */
static void
core_shutdown_guard(void *arg)
{
	struct tp_core	*core = arg;

	core->shutdown_timer = 0;
	if (core->shutdown_done)
		return;
	log_warn("shutdown: peers did not answer in time; forcing");
	sip_shutdown_force(core->sip);
	core->shutdown_timer = tp_loop_after(core->loop, 2000,
	    core_shutdown_guard_final, core);
}

/* Last resort: report the shutdown done even if NUA never answered. */
static void
core_shutdown_guard_final(void *arg)
{
	struct tp_core	*core = arg;

	core->shutdown_timer = 0;
	core_shutdown_done(core);
}

/* Begin a graceful shutdown; see termphone.h. */
void
tp_shutdown(struct tp_core *core)
{
	if (core->shutting_down)
		return;
	core->shutting_down = true;
	core->shutdown_timer = tp_loop_after(core->loop, CORE_SHUTDOWN_GUARD_MS,
	    core_shutdown_guard, core);
	sip_shutdown(core->sip);
}

/* Emit TP_EV_SHUTDOWN once; see core.h. */
void
core_shutdown_done(struct tp_core *core)
{
	struct tp_event	ev;

	if (core->shutdown_done)
		return;
	core->shutdown_done = true;
	if (core->shutdown_timer != 0) {
		tp_loop_cancel(core->loop, core->shutdown_timer);
		core->shutdown_timer = 0;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TP_EV_SHUTDOWN;
	core_emit(core, &ev);
}
