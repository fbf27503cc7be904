/* SPDX-License-Identifier: BSD-2-Clause */
/* The headless front-end: one line per event on stdout, commands on stdin. */

#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend.h"

#define HEADLESS_LINE_MAX	1024

static struct {
	struct tp_core	*core;
	struct tp_loop	*loop;
	bool		 json;
	bool		 watching;
	bool		 from_file;	/* stdin is a file: not on the loop */
	char		 line[HEADLESS_LINE_MAX];
	size_t		 len;
} hl;

/* Write s as a JSON string (RFC 8259 7) to stdout. */
static void
headless_json_str(const char *s)
{
	const unsigned char	*p;

	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

/* Print one "key":"string" member, comma first. */
static void
headless_json_kv(const char *key, const char *val)
{
	printf(",\"%s\":", key);
	headless_json_str(val);
}

/* Print one event as a JSON object on one line. */
static void
headless_json(const struct tp_event *ev)
{
	printf("{\"event\":\"%s\"", tp_event_name(ev->type));
	if (ev->call_id != 0)
		printf(",\"call\":%u", ev->call_id);
	switch (ev->type) {
	case TP_EV_REG_STATE:
		headless_json_kv("aor", ev->u.reg.aor);
		headless_json_kv("state", tp_reg_state_name(ev->u.reg.state));
		printf(",\"status\":%d", ev->u.reg.status);
		headless_json_kv("reason", ev->u.reg.reason);
		printf(",\"expires\":%u", ev->u.reg.expires);
		break;
	case TP_EV_CALL_INCOMING:
	case TP_EV_CALL_STATE:
		headless_json_kv("state", tp_call_state_name(ev->u.call.state));
		headless_json_kv("peer", ev->u.call.peer);
		headless_json_kv("display", ev->u.call.display);
		printf(",\"outgoing\":%s,\"status\":%d",
		    ev->u.call.outgoing ? "true" : "false", ev->u.call.status);
		headless_json_kv("reason", ev->u.call.reason);
		headless_json_kv("codec", ev->u.call.codec);
		break;
	case TP_EV_CALL_REDIRECT:
		printf(",\"status\":%d", ev->u.redirect.status);
		headless_json_kv("target", ev->u.redirect.target);
		break;
	case TP_EV_SIP_MESSAGE:
		headless_json_kv("dir", ev->u.sip.sent ? "sent" : "received");
		headless_json_kv("summary", ev->u.sip.summary);
		headless_json_kv("method", ev->u.sip.method);
		headless_json_kv("peer", ev->u.sip.peer);
		printf(",\"time\":%.6f", ev->u.sip.time);
		break;
	case TP_EV_DTMF:
		printf(",\"digit\":\"%c\",\"dir\":\"%s\"", ev->u.dtmf.digit,
		    ev->u.dtmf.received ? "received" : "sent");
		break;
	case TP_EV_MEDIA_STATS:
		printf(",\"sent\":%u,\"received\":%u,\"lost\":%u,\"dropped\":%u,"
		    "\"jitter_ms\":%u,\"plc\":%u", ev->u.media.pkts_sent,
		    ev->u.media.pkts_recv, ev->u.media.pkts_lost,
		    ev->u.media.pkts_dropped, ev->u.media.jitter_ms,
		    ev->u.media.plc_frames);
		break;
	case TP_EV_NOTICE:
		headless_json_kv("level", ev->u.notice.level == 0 ? "error" :
		    ev->u.notice.level == 1 ? "warning" : "info");
		headless_json_kv("text", ev->u.notice.text);
		break;
	case TP_EV_CALL_MUTE:
		printf(",\"muted\":%s", ev->u.mute.muted ? "true" : "false");
		break;
	case TP_EV_CALL_HOLD:
		printf(",\"held\":%s", ev->u.hold.held ? "true" : "false");
		headless_json_kv("by", ev->u.hold.local ? "here" : "peer");
		break;
	default:
		break;
	}
	fputs("}\n", stdout);
}

/* Print one event as a line of text: the event name, then key=value. */
static void
headless_text(const struct tp_event *ev)
{
	const char	*name = tp_event_name(ev->type);

	switch (ev->type) {
	case TP_EV_REG_STATE:
		printf("%s %s aor=%s status=%d reason=\"%s\" expires=%u\n", name,
		    tp_reg_state_name(ev->u.reg.state),
		    ev->u.reg.aor != NULL ? ev->u.reg.aor : "-",
		    ev->u.reg.status, ev->u.reg.reason != NULL ?
		    ev->u.reg.reason : "", ev->u.reg.expires);
		break;
	case TP_EV_CALL_INCOMING:
	case TP_EV_CALL_STATE:
		printf("%s %u %s peer=%s status=%d reason=\"%s\" codec=%s\n", name,
		    ev->call_id, tp_call_state_name(ev->u.call.state),
		    ev->u.call.peer, ev->u.call.status, ev->u.call.reason != NULL ?
		    ev->u.call.reason : "", ev->u.call.codec != NULL &&
		    ev->u.call.codec[0] != '\0' ? ev->u.call.codec : "-");
		break;
	case TP_EV_CALL_REDIRECT:
		printf("%s %u status=%d target=%s\n", name, ev->call_id,
		    ev->u.redirect.status, ev->u.redirect.target);
		break;
	case TP_EV_SIP_MESSAGE:
		printf("%s %s %s %s %.3f\n", name, ev->u.sip.sent ? "-->" : "<--",
		    ev->u.sip.summary, ev->u.sip.peer, ev->u.sip.time);
		break;
	case TP_EV_DTMF:
		printf("%s %u %c %s\n", name, ev->call_id, ev->u.dtmf.digit,
		    ev->u.dtmf.received ? "received" : "sent");
		break;
	case TP_EV_MEDIA_STATS:
		printf("%s %u sent=%u received=%u lost=%u dropped=%u jitter_ms=%u "
		    "plc=%u\n", name, ev->call_id, ev->u.media.pkts_sent,
		    ev->u.media.pkts_recv, ev->u.media.pkts_lost,
		    ev->u.media.pkts_dropped, ev->u.media.jitter_ms,
		    ev->u.media.plc_frames);
		break;
	case TP_EV_NOTICE:
		printf("%s %s %s\n", name, ev->u.notice.level == 0 ? "error" :
		    ev->u.notice.level == 1 ? "warning" : "info",
		    ev->u.notice.text);
		break;
	case TP_EV_CALL_MUTE:
		printf("%s %u %s\n", name, ev->call_id,
		    ev->u.mute.muted ? "muted" : "unmuted");
		break;
	case TP_EV_CALL_HOLD:
		printf("%s %u %s by=%s\n", name, ev->call_id,
		    ev->u.hold.held ? "held" : "resumed",
		    ev->u.hold.local ? "here" : "peer");
		break;
	default:
		printf("%s %u\n", name, ev->call_id);
		break;
	}
}

/* The event sink. */
static void
headless_event(const struct tp_event *ev, void *arg)
{
	(void)arg;
	if (hl.json)
		headless_json(ev);
	else
		headless_text(ev);
}

/* Report a command error as an event-like line. */
static void
headless_cmd_error(const char *cmd, const char *what)
{
	if (hl.json) {
		fputs("{\"event\":\"error\"", stdout);
		headless_json_kv("command", cmd);
		headless_json_kv("text", what);
		fputs("}\n", stdout);
	} else
		printf("error %s: %s\n", cmd, what);
}

/* The call id a command names, or the current call. */
static unsigned
headless_call_arg(const char *arg)
{
	if (arg != NULL && arg[0] >= '0' && arg[0] <= '9')
		return (unsigned)strtoul(arg, NULL, 10);
	return tp_current_call(hl.core);
}

/* Run one command line (dial, answer, reject, hangup, hold, mute, dtmf...). */
static void
headless_command(char *line)
{
	char	*cmd, *arg, *save = NULL;
	int	 err = 0;

	cmd = strtok_r(line, " \t", &save);
	if (cmd == NULL)
		return;
	arg = strtok_r(NULL, " \t", &save);
	if (strcmp(cmd, "dial") == 0) {
		if (arg == NULL) {
			headless_cmd_error(cmd, "usage: dial URI");
			return;
		}
		err = tp_dial(hl.core, arg, NULL);
	} else if (strcmp(cmd, "answer") == 0)
		err = tp_answer(hl.core, headless_call_arg(arg));
	else if (strcmp(cmd, "reject") == 0) {
		int code = arg != NULL ? atoi(arg) : 486;

		err = tp_reject(hl.core, tp_current_call(hl.core), code);
	} else if (strcmp(cmd, "hangup") == 0)
		err = tp_hangup(hl.core, headless_call_arg(arg));
	else if (strcmp(cmd, "mute") == 0 || strcmp(cmd, "unmute") == 0)
		err = tp_mute(hl.core, headless_call_arg(arg),
		    strcmp(cmd, "mute") == 0);
	else if (strcmp(cmd, "hold") == 0 || strcmp(cmd, "resume") == 0)
		err = tp_hold(hl.core, headless_call_arg(arg),
		    strcmp(cmd, "hold") == 0);
	else if (strcmp(cmd, "dtmf") == 0) {
		if (arg == NULL) {
			headless_cmd_error(cmd, "usage: dtmf DIGITS");
			return;
		}
		err = tp_send_dtmf(hl.core, tp_current_call(hl.core), arg);
	} else if (strcmp(cmd, "quit") == 0)
		tp_shutdown(hl.core);
	else {
		headless_cmd_error(cmd, "unknown command (dial, answer, reject, "
		    "hangup, hold, resume, mute, unmute, dtmf, quit)");
		return;
	}
	if (err == EINVAL && (strcmp(cmd, "hold") == 0 ||
	    strcmp(cmd, "resume") == 0))
		headless_cmd_error(cmd, "the call is not connected");
	else if (err != 0)
		headless_cmd_error(cmd, err == ENOENT ? "no such call" :
		    strerror(err));
}

/* Stdin is readable: collect lines and run them. */
static void
headless_readable(int fd, void *arg)
{
	char	*nl;
	ssize_t	 n;

	(void)arg;
	n = read(fd, hl.line + hl.len, sizeof hl.line - 1 - hl.len);
	if (n <= 0) {
		/* EOF: keep running; scripts often close stdin. */
		if (!hl.from_file)
			tp_loop_unwatch_fd(hl.loop, fd);
		hl.watching = false;
		return;
	}
	hl.len += (size_t)n;
	hl.line[hl.len] = '\0';
	while ((nl = strchr(hl.line, '\n')) != NULL) {
		*nl = '\0';
		if (nl > hl.line && nl[-1] == '\r')
			nl[-1] = '\0';
		headless_command(hl.line);
		hl.len -= (size_t)(nl + 1 - hl.line);
		memmove(hl.line, nl + 1, hl.len + 1);
	}
	if (hl.len == sizeof hl.line - 1) {
		headless_cmd_error("input", "line too long");
		hl.len = 0;
	}
}

/*
 * Stdin is a regular file or /dev/null, which epoll cannot watch: run its
 * commands once the loop is running.
 */
static void
headless_read_file(void *arg)
{
	(void)arg;
	while (hl.watching)
		headless_readable(STDIN_FILENO, NULL);
}

/* Subscribe and watch stdin. */
static int
headless_start(struct tp_core *core, struct tp_loop *loop,
    const struct fe_options *opts)
{
	struct stat	st;
	int		err;

	hl.core = core;
	hl.loop = loop;
	hl.json = opts->json;
	if ((err = tp_subscribe(core, headless_event, NULL)) != 0)
		return err;
	if (fstat(STDIN_FILENO, &st) != 0)
		return 0;		/* no stdin at all: events only */
	if (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(STDIN_FILENO))) {
		hl.watching = true;
		hl.from_file = true;
		tp_loop_after(loop, 0, headless_read_file, NULL);
	} else if (tp_loop_watch_fd(loop, STDIN_FILENO, headless_readable,
	    NULL) == 0)
		hl.watching = true;
	return 0;
}

/* Stop watching stdin. */
static void
headless_stop(void)
{
	if (hl.watching && !hl.from_file)
		tp_loop_unwatch_fd(hl.loop, STDIN_FILENO);
	hl.watching = false;
	fflush(stdout);
}

const struct frontend fe_headless = {
	.name = "headless",
	.start = headless_start,
	.stop = headless_stop,
	.emergency_restore = NULL,
};
