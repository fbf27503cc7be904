/* SPDX-License-Identifier: BSD-2-Clause */
/* The ncurses front-end: terminal setup, the model built from core events, input and redraws. */

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "tui.h"

/*
 * How often the tick runs.  ncurses catches SIGWINCH itself but reports it
 * only as KEY_RESIZE from getch(), and getch() only runs when stdin is
 * readable; the tick polls getch() so a resize shows without a keypress.
 * Call durations are redrawn only when a displayed second changes, so the
 * clock still updates once a second.
 */
#define TUI_TICK_MS	250
/* Events are coalesced: a burst of them costs one redraw. */
#define TUI_REDRAW_MS	10
/* Consecutive empty wake-ups with nothing to read before stdin counts as gone. */
#define TUI_EOF_WAKEUPS	3

static struct tui	 tui_state;
static SCREEN		*tui_scr;
static bool		 tui_active;		/* between start() and stop() */
static volatile sig_atomic_t tui_curses;	/* the terminal is in curses mode */
static struct tp_core	*tui_subscribed;	/* core we already subscribed to */
static unsigned		 tui_tick_id;
static unsigned		 tui_redraw_id;
static bool		 tui_dirty;
static bool		 tui_stdin_watched;
static int		 tui_empty_wakeups;
static uint64_t		 tui_clock_sig;
static bool		 tui_colors;

/* Saved for tui_emergency_restore(), which may only use signal-safe calls. */
static struct termios	 tui_saved_tio;
static bool		 tui_have_tio;
static char		 tui_reset_seq[256];
static size_t		 tui_reset_len;

/* Copy src into dst (size len), truncating; a NULL src gives "". */
static void
tui_copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* Milliseconds on the monotonic clock. */
uint64_t
tui_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The attribute for a colour pair, or a monochrome stand-in. */
attr_t
tui_attr(enum tui_color c)
{
	if (tui_colors)
		return COLOR_PAIR(c) | (c == TUI_COLOR_DIM ? A_NORMAL : A_BOLD);
	switch (c) {
	case TUI_COLOR_DIM:
		return A_DIM;
	case TUI_COLOR_OK:
		return A_NORMAL;
	default:
		return A_BOLD;
	}
}

/* Set up the colour pairs if the terminal has colours. */
static void
tui_colors_init(void)
{
	tui_colors = false;
	if (!has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	init_pair(TUI_COLOR_OK, COLOR_GREEN, -1);
	init_pair(TUI_COLOR_WARN, COLOR_YELLOW, -1);
	init_pair(TUI_COLOR_ERR, COLOR_RED, -1);
	init_pair(TUI_COLOR_DIM, COLOR_BLUE, -1);
	tui_colors = true;
}

/* Append terminfo capability cap to the reset sequence, minus its padding. */
static void
tui_reset_add(const char *cap)
{
	char	*s;

	s = tigetstr(cap);
	if (s == NULL || s == (char *)-1)
		return;
	while (*s != '\0' && tui_reset_len + 1 < sizeof tui_reset_seq) {
		if (s[0] == '$' && s[1] == '<' && strchr(s, '>') != NULL) {
			s = strchr(s, '>') + 1;
			continue;
		}
		tui_reset_seq[tui_reset_len++] = *s++;
	}
}

/* Precompute the bytes that take the terminal out of curses mode. */
static void
tui_reset_init(void)
{
	tui_reset_len = 0;
	tui_reset_add("sgr0");
	tui_reset_add("rmkx");
	tui_reset_add("cnorm");
	tui_reset_add("rmcup");
	if (tui_reset_len + 2 < sizeof tui_reset_seq) {
		tui_reset_seq[tui_reset_len++] = '\r';
		tui_reset_seq[tui_reset_len++] = '\n';
	}
}

/* Display columns of the multibyte string s, as tui_put() would draw it. */
int
tui_width(const char *s)
{
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 r;
	int		 w, cols = 0;

	memset(&ps, 0, sizeof ps);
	while (*s != '\0') {
		r = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
		if (r == (size_t)-1 || r == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			r = 1;
			w = 1;
		} else if (!iswprint((wint_t)wc) || (w = wcwidth(wc)) < 0)
			w = 1;
		cols += w;
		s += r;
	}
	return cols;
}

/*
 * Convert s to at most width columns of printable wide characters in out
 * (outlen elements); bad bytes and control characters become '?'.
 */
static void
tui_widen(const char *s, wchar_t *out, size_t outlen, int width)
{
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 r, n = 0;
	int		 w, cols = 0;

	memset(&ps, 0, sizeof ps);
	while (*s != '\0' && n + 1 < outlen) {
		r = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
		if (r == (size_t)-1 || r == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			r = 1;
			wc = L'?';
		}
		if (!iswprint((wint_t)wc) || (w = wcwidth(wc)) < 0) {
			wc = L'?';
			w = 1;
		}
		if (cols + w > width)
			break;
		out[n++] = wc;
		cols += w;
		s += r;
	}
	out[n] = L'\0';
}

/* Print a formatted string at (y, x), clipped to width columns and the screen. */
void
tui_put(int y, int x, int width, const char *fmt, ...)
{
	char	 buf[1024];
	wchar_t	 wbuf[512];
	va_list	 ap;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	if (width > COLS - x)
		width = COLS - x;
	if (width <= 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tui_widen(buf, wbuf, sizeof wbuf / sizeof wbuf[0], width);
	mvaddnwstr(y, x, wbuf, -1);
}

/* Fill row y with attr and print a formatted string on it. */
void
tui_fill(int y, attr_t attr, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	if (y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	attron(attr);
	mvhline(y, 0, ' ' | attr, COLS);
	tui_put(y, 0, COLS, "%s", buf);
	attroff(attr);
}

/* Draw the status line on the top row: account, registration, listen address. */
void
tui_draw_status(struct tui *tui)
{
	char	 reg[128];

	if (tui->aor[0] == '\0' && tui->reg_state == TP_REG_NONE)
		tui_copy(reg, sizeof reg, "");
	else if (tui->reg_status != 0)
		snprintf(reg, sizeof reg, " | %s (%d%s%s)",
		    tp_reg_state_name(tui->reg_state), tui->reg_status,
		    tui->reg_reason[0] != '\0' ? " " : "", tui->reg_reason);
	else
		snprintf(reg, sizeof reg, " | %s",
		    tp_reg_state_name(tui->reg_state));
	tui_fill(0, A_REVERSE, " termphone | %s%s | listening on %s",
	    tui->aor[0] != '\0' ? tui->aor : "no account", reg,
	    tui->listen[0] != '\0' ? tui->listen : "?");
}

/* Make s the current screen (the calls or the flow view). */
void
tui_set_screen(struct tui *tui, const struct tui_screen *s)
{
	tui->screen = s;
}

/* Set the notice line; level is 0 error, 1 warning, 2 info. */
void
tui_set_notice(struct tui *tui, int level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(tui->notice, sizeof tui->notice, fmt, ap);
	va_end(ap);
	tui->notice_level = level;
}

/* The i-th kept SIP message, oldest first; i < nmsgs. */
const struct tui_msg *
tui_msg_at(const struct tui *tui, size_t i)
{
	return &tui->msgs[(tui->msg_first + i) % TUI_MAX_MSGS];
}

/* Format core time t as wall clock "HH:MM:SS.mmm" (relative before the epoch is known). */
void
tui_format_time(const struct tui *tui, double t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 sec;
	double		 w;
	int		 ms;

	if (!tui->have_epoch) {
		sec = (time_t)t;
		ms = (int)((t - (double)sec) * 1000.0);
		snprintf(buf, len, "%02d:%02d:%02d.%03d", (int)(sec / 3600),
		    (int)(sec / 60 % 60), (int)(sec % 60), ms);
		return;
	}
	w = tui->wall_epoch + t;
	sec = (time_t)w;
	ms = (int)((w - (double)sec) * 1000.0);
	if (ms > 999)
		ms = 999;
	if (ms < 0)
		ms = 0;
	localtime_r(&sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ms);
}

/* Format a call's connected time as "mm:ss", or "--:--" before it connects. */
void
tui_format_duration(const struct tui_call *c, char *buf, size_t len)
{
	uint64_t	end, secs;

	if (!c->was_connected) {
		snprintf(buf, len, "--:--");
		return;
	}
	end = c->state == TP_CALL_ENDED ? c->ended_ms : tui_now_ms();
	secs = end > c->connected_ms ? (end - c->connected_ms) / 1000 : 0;
	snprintf(buf, len, "%02u:%02u", (unsigned)(secs / 60),
	    (unsigned)(secs % 60));
}

/* Find a call of the model by id, or NULL. */
static struct tui_call *
tui_call_find(struct tui *tui, unsigned id)
{
	size_t	i;

	for (i = 0; i < tui->ncalls; i++) {
		if (tui->calls[i].id == id)
			return &tui->calls[i];
	}
	return NULL;
}

/* Remove the call at index i, keeping the order of the rest. */
static void
tui_call_remove(struct tui *tui, size_t i)
{
	memmove(&tui->calls[i], &tui->calls[i + 1],
	    (tui->ncalls - i - 1) * sizeof tui->calls[0]);
	tui->ncalls--;
}

/* Add a call to the model, dropping ended calls (or the oldest) to make room. */
static struct tui_call *
tui_call_add(struct tui *tui, unsigned id)
{
	struct tui_call	*c;
	size_t		 i;

	for (i = tui->ncalls; i > 0; i--) {
		if (tui->calls[i - 1].state == TP_CALL_ENDED)
			tui_call_remove(tui, i - 1);
	}
	if (tui->ncalls == TUI_MAX_CALLS)
		tui_call_remove(tui, 0);
	c = &tui->calls[tui->ncalls++];
	memset(c, 0, sizeof *c);
	c->id = id;
	return c;
}

/*
 * The call a key acts on: the one chosen with Up/Down if it is still up (and
 * ringing in, with incoming_only), else the newest that is; NULL if none.
 */
struct tui_call *
tui_call_target(struct tui *tui, bool incoming_only)
{
	struct tui_call	*c;
	size_t		 i;

	if ((c = tui_call_find(tui, tui->sel_id)) != NULL &&
	    c->state != TP_CALL_ENDED &&
	    (!incoming_only || c->state == TP_CALL_INCOMING))
		return c;
	for (i = tui->ncalls; i > 0; i--) {
		c = &tui->calls[i - 1];
		if (c->state != TP_CALL_ENDED &&
		    (!incoming_only || c->state == TP_CALL_INCOMING))
			return c;
	}
	return NULL;
}

/* Update the registration part of the model. */
static void
tui_on_reg(struct tui *tui, const struct tp_event *ev)
{
	if (ev->u.reg.aor != NULL)
		tui_copy(tui->aor, sizeof tui->aor, ev->u.reg.aor);
	tui->reg_state = ev->u.reg.state;
	tui->reg_status = ev->u.reg.status;
	tui->reg_expires = ev->u.reg.expires;
	tui_copy(tui->reg_reason, sizeof tui->reg_reason, ev->u.reg.reason);
	if (ev->u.reg.state == TP_REG_FAILED)
		tui_set_notice(tui, 0, "registration failed: %d %s",
		    ev->u.reg.status,
		    ev->u.reg.reason != NULL ? ev->u.reg.reason : "");
}

/* Update the calls part of the model from a call event. */
static void
tui_on_call(struct tui *tui, const struct tp_event *ev)
{
	struct tui_call	*c;
	const char	*who;

	if ((c = tui_call_find(tui, ev->call_id)) == NULL)
		c = tui_call_add(tui, ev->call_id);
	if (ev->u.call.peer != NULL)
		tui_copy(c->peer, sizeof c->peer, ev->u.call.peer);
	if (ev->u.call.display != NULL)
		tui_copy(c->display, sizeof c->display, ev->u.call.display);
	if (ev->u.call.codec != NULL && ev->u.call.codec[0] != '\0')
		tui_copy(c->codec, sizeof c->codec, ev->u.call.codec);
	c->outgoing = ev->u.call.outgoing;
	c->state = ev->type == TP_EV_CALL_INCOMING ? TP_CALL_INCOMING :
	    ev->u.call.state;
	c->status = ev->u.call.status;
	tui_copy(c->reason, sizeof c->reason, ev->u.call.reason);
	who = c->display[0] != '\0' ? c->display : c->peer;

	switch (c->state) {
	case TP_CALL_INCOMING:
		tui_set_notice(tui, 1, "incoming call from %s: a answer, "
		    "r busy, d decline", who);
		break;
	case TP_CALL_CONNECTED:
		if (!c->was_connected) {
			c->was_connected = true;
			c->connected_ms = tui_now_ms();
		}
		tui_set_notice(tui, 2, "connected to %s%s%s", who,
		    c->codec[0] != '\0' ? " with " : "", c->codec);
		break;
	case TP_CALL_ENDED:
		c->ended_ms = tui_now_ms();
		if (ev->u.call.local && c->status >= 300)
			tui_set_notice(tui, 2, "call from %s rejected here: %d %s",
			    who, c->status, c->reason);
		else if (ev->u.call.local)
			tui_set_notice(tui, 2, "call with %s ended: hung up here",
			    who);
		else if (c->status >= 300)
			tui_set_notice(tui, 2, "call with %s ended: %d %s", who,
			    c->status, c->reason);
		else
			tui_set_notice(tui, 2, "call with %s ended by the peer",
			    who);
		if (tui->sel_id == c->id)
			tui->sel_id = 0;
		break;
	default:
		break;
	}
}

/* Add a SIP message summary to the ring. */
static void
tui_on_sip(struct tui *tui, const struct tp_event *ev)
{
	struct timespec	 ts;
	struct tui_msg	*m;

	if (!tui->have_epoch) {
		clock_gettime(CLOCK_REALTIME, &ts);
		tui->wall_epoch = (double)ts.tv_sec + ts.tv_nsec / 1e9 -
		    ev->u.sip.time;
		tui->have_epoch = true;
	}
	if (tui->nmsgs < TUI_MAX_MSGS)
		m = &tui->msgs[(tui->msg_first + tui->nmsgs++) % TUI_MAX_MSGS];
	else {
		m = &tui->msgs[tui->msg_first];
		tui->msg_first = (tui->msg_first + 1) % TUI_MAX_MSGS;
	}
	m->sent = ev->u.sip.sent;
	m->call_id = ev->call_id;
	m->time = ev->u.sip.time;
	tui_copy(m->summary, sizeof m->summary, ev->u.sip.summary);
	tui_copy(m->method, sizeof m->method, ev->u.sip.method);
	tui_copy(m->peer, sizeof m->peer, ev->u.sip.peer);

	/* Keep a scrolled-back view looking at the same messages. */
	if (tui->calls_scroll > 0)
		tui->calls_scroll++;
	if (tui->flow_scroll > 0)
		tui->flow_scroll++;
}

/* Draw the whole screen now. */
static void
tui_draw(struct tui *tui)
{
	tui_dirty = false;
	if (!tui_curses)
		return;
	erase();
	if (LINES < 4 || COLS < 20)
		tui_put(0, 0, COLS, "too small");
	else {
		tui->screen->draw(tui);
		if (tui->overlay != NULL)
			tui->overlay->draw(tui);
	}
	refresh();
}

/* Timer callback: draw if something changed since the last draw. */
static void
tui_redraw_cb(void *arg)
{
	tui_redraw_id = 0;
	if (tui_active && tui_dirty)
		tui_draw(arg);
}

/* Mark the screen dirty and draw soon, coalescing bursts of events. */
static void
tui_schedule(struct tui *tui)
{
	tui_dirty = true;
	if (tui_redraw_id != 0)
		return;
	tui_redraw_id = tp_loop_after(tui->loop, TUI_REDRAW_MS, tui_redraw_cb,
	    tui);
	if (tui_redraw_id == 0)
		tui_draw(tui);
}

/* The core's event sink: fold the event into the model and redraw. */
static void
tui_event(const struct tp_event *ev, void *arg)
{
	struct tui	*tui = arg;

	if (!tui_active)
		return;
	switch (ev->type) {
	case TP_EV_REG_STATE:
		tui_on_reg(tui, ev);
		break;
	case TP_EV_CALL_INCOMING:
	case TP_EV_CALL_STATE:
		tui_on_call(tui, ev);
		break;
	case TP_EV_CALL_REDIRECT:
		tui_set_notice(tui, 2, "redirected (%d) to %s",
		    ev->u.redirect.status, ev->u.redirect.target != NULL ?
		    ev->u.redirect.target : "?");
		break;
	case TP_EV_SIP_MESSAGE:
		tui_on_sip(tui, ev);
		break;
	case TP_EV_DTMF:
		tui->dtmf = ev->u.dtmf.digit;
		tui->dtmf_received = ev->u.dtmf.received;
		break;
	case TP_EV_MEDIA_STATS: {
		struct tui_call	*c;

		if ((c = tui_call_find(tui, ev->call_id)) == NULL)
			return;
		c->stats = ev->u.media;
		c->have_stats = true;
		break;
	}
	case TP_EV_NOTICE:
		tui_set_notice(tui, ev->u.notice.level, "%s",
		    ev->u.notice.text != NULL ? ev->u.notice.text : "");
		break;
	case TP_EV_CALL_MUTE: {
		struct tui_call	*c;

		if ((c = tui_call_find(tui, ev->call_id)) == NULL)
			return;
		c->muted = ev->u.mute.muted;
		tui_set_notice(tui, 2, "%s", c->muted ?
		    "muted: the far end hears silence (m unmutes)" : "unmuted");
		break;
	}
	case TP_EV_CALL_HOLD: {
		struct tui_call	*c;

		if ((c = tui_call_find(tui, ev->call_id)) == NULL)
			return;
		if (ev->u.hold.local)
			c->held_here = ev->u.hold.held;
		else
			c->held_peer = ev->u.hold.held;
		tui_set_notice(tui, 2, "%s", ev->u.hold.local ?
		    (ev->u.hold.held ? "call on hold: p resumes" :
		    "call taken off hold") : (ev->u.hold.held ?
		    "the far end put the call on hold" :
		    "the far end took the call off hold"));
		break;
	}
	case TP_EV_PLAYBACK_DONE:
		tui_set_notice(tui, 2, "playback finished");
		break;
	case TP_EV_SHUTDOWN:
		tui_set_notice(tui, 2, "shut down");
		break;
	default:
		return;
	}
	tui_schedule(tui);
}

/* Handle one key: global keys first, then the overlay or the screen. */
static void
tui_key(struct tui *tui, int key)
{
	int	flags;

	if (key == KEY_RESIZE) {
		/* ncurses has already resized stdscr; just draw again. */
		tui_dirty = true;
		return;
	}
	if (key == TUI_CTRL('l')) {
		clearok(curscr, TRUE);
		tui_dirty = true;
		return;
	}
	if (tui->overlay != NULL)
		flags = tui->overlay->key(tui, key);
	else
		flags = tui->screen->key(tui, key);
	if (flags & TUI_KEY_REDRAW)
		tui_dirty = true;
}

/* Stop reading a terminal that went away and shut down gracefully. */
static void
tui_stdin_gone(struct tui *tui)
{
	tp_loop_unwatch_fd(tui->loop, STDIN_FILENO);
	tui_stdin_watched = false;
	if (!tui->shutting_down) {
		tui->shutting_down = true;
		tp_shutdown(tui->core);
	}
}

/*
 * Read every pending key.  Returns the number read.  A key handler may call
 * into the core, whose events may end in stop(): check tui_active each time.
 */
static int
tui_drain(struct tui *tui)
{
	int	key, n = 0;

	while (tui_active && n < 512 && (key = getch()) != ERR) {
		tui_key(tui, key);
		n++;
	}
	if (tui_active && tui_dirty)
		tui_draw(tui);
	return n;
}

/* stdin is readable: handle the keys, and notice a terminal that hung up. */
static void
tui_input_cb(int fd, void *arg)
{
	struct tui	*tui = arg;
	int		 avail = 0;

	if (!tui_active)
		return;
	if (tui_drain(tui) > 0) {
		tui_empty_wakeups = 0;
		return;
	}
	/*
	 * Readable with nothing to read is end of file (or half an escape
	 * sequence, which FIONREAD tells apart); without this the loop would spin.
	 */
	if (tui_active && (ioctl(fd, FIONREAD, &avail) != 0 || avail == 0) &&
	    ++tui_empty_wakeups >= TUI_EOF_WAKEUPS)
		tui_stdin_gone(tui);
}

/* Sum of the connected calls' displayed seconds: changes when the clock must redraw. */
static uint64_t
tui_clock_signature(struct tui *tui)
{
	uint64_t	 now = tui_now_ms(), sig = 0;
	size_t		 i;

	for (i = 0; i < tui->ncalls; i++) {
		if (tui->calls[i].state == TP_CALL_CONNECTED)
			sig += (now - tui->calls[i].connected_ms) / 1000 + 1;
	}
	return sig;
}

/* The periodic tick: catch resizes, advance call clocks. */
static void
tui_tick_cb(void *arg)
{
	struct tui	*tui = arg;
	uint64_t	 sig;

	tui_tick_id = 0;
	if (!tui_active)
		return;
	tui_tick_id = tp_loop_after(tui->loop, TUI_TICK_MS, tui_tick_cb, tui);
	if (tui_stdin_watched)
		tui_drain(tui);
	if (!tui_active)
		return;
	if ((sig = tui_clock_signature(tui)) != tui_clock_sig) {
		tui_clock_sig = sig;
		tui_dirty = true;
	}
	if (tui_dirty)
		tui_draw(tui);
}

/* Leave curses mode and free the screen, if in it. */
static void
tui_curses_end(void)
{
	if (!tui_curses)
		return;
	endwin();
	tui_curses = 0;
	delscreen(tui_scr);
	tui_scr = NULL;
}

/* Start the TUI: subscribe, watch stdin, take over the terminal, draw. */
static int
tui_start(struct tp_core *core, struct tp_loop *loop,
    const struct fe_options *opts)
{
	struct tui	*tui = &tui_state;
	const char	*s;
	int		 err;

	if (tui_active)
		return EALREADY;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return ENOTTY;

	memset(tui, 0, sizeof *tui);
	tui->core = core;
	tui->loop = loop;
	tui->demo = opts != NULL && opts->demo;
	tui->log_path = opts != NULL ? opts->log_path : NULL;
	tui->screen = tui->demo ? &tui_flow_screen : &tui_calls_screen;
	tui->reg_state = tp_core_reg_state(core);
	tui_copy(tui->aor, sizeof tui->aor, tp_core_aor(core));
	tui_copy(tui->listen, sizeof tui->listen, tp_core_listen_addr(core));
	tui_empty_wakeups = 0;
	tui_clock_sig = 0;

	/* No unsubscribe exists: subscribe once per core, and ignore events while stopped. */
	if (tui_subscribed != core) {
		if ((err = tp_subscribe(core, tui_event, tui)) != 0)
			return err;
		tui_subscribed = core;
	}
	if ((err = tp_loop_watch_fd(loop, STDIN_FILENO, tui_input_cb, tui)) != 0)
		return err;
	tui_stdin_watched = true;

	/*
	 * Only the character type: LC_NUMERIC would change how the core
	 * prints numbers ("0,5" in SDP or logs).
	 */
	setlocale(LC_CTYPE, "");
	tui_have_tio = tcgetattr(STDIN_FILENO, &tui_saved_tio) == 0;
	if ((s = getenv("TERM")) == NULL || *s == '\0' ||
	    (tui_scr = newterm(NULL, stdout, stdin)) == NULL) {
		tp_loop_unwatch_fd(loop, STDIN_FILENO);
		tui_stdin_watched = false;
		return ENOTTY;
	}
	set_term(tui_scr);
	tui_curses = 1;
	cbreak();		/* not raw(): Ctrl-C stays SIGINT for main */
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	tui_colors_init();
	tui_reset_init();

	tui_active = true;
	tui_tick_id = tp_loop_after(loop, TUI_TICK_MS, tui_tick_cb, tui);
	tui_draw(tui);
	return 0;
}

/* Undo start(): stop timers and input, restore the terminal.  Idempotent. */
static void
tui_stop(void)
{
	struct tui	*tui = &tui_state;

	if (!tui_active)
		return;
	tui_active = false;
	if (tui_stdin_watched)
		tp_loop_unwatch_fd(tui->loop, STDIN_FILENO);
	tui_stdin_watched = false;
	if (tui_tick_id != 0)
		tp_loop_cancel(tui->loop, tui_tick_id);
	if (tui_redraw_id != 0)
		tp_loop_cancel(tui->loop, tui_redraw_id);
	tui_tick_id = tui_redraw_id = 0;
	tui_curses_end();
}

/* Restore the terminal from a signal handler: only tcsetattr() and write(). */
static void
tui_emergency_restore(void)
{
	ssize_t	n;

	if (!tui_curses)
		return;
	if (tui_have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &tui_saved_tio);
	n = write(STDOUT_FILENO, tui_reset_seq, tui_reset_len);
	(void)n;
}

const struct frontend fe_tui = {
	.name = "tui",
	.start = tui_start,
	.stop = tui_stop,
	.emergency_restore = tui_emergency_restore,
};
