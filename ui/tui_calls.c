/* SPDX-License-Identifier: BSD-2-Clause */
/* The main screen: status, calls, SIP messages, a notice and the dial input line. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

/* Rows of the message pane at the last draw, for paging. */
static int	tui_calls_pane_rows = 10;

/* Width of the peer column for the current screen width. */
static int
tui_calls_peer_width(void)
{
	int	w = COLS - 10 - 12 - 7 - (COLS >= 80 ? 20 : 12);

	return w < 12 ? 12 : w;
}

/* The colour of a call state. */
static attr_t
tui_calls_state_attr(enum tp_call_state state)
{
	switch (state) {
	case TP_CALL_CONNECTED:
		return tui_attr(TUI_COLOR_OK);
	case TP_CALL_INCOMING:
	case TP_CALL_RINGING:
	case TP_CALL_EARLY:
		return tui_attr(TUI_COLOR_WARN);
	case TP_CALL_ENDED:
		return tui_attr(TUI_COLOR_DIM);
	default:
		return A_NORMAL;
	}
}

/* Draw one call row at y; target marks the call keys act on. */
static void
tui_calls_draw_call(struct tui *tui, int y, const struct tui_call *c,
    bool target)
{
	char	 dur[16], peer[256], detail[128];
	int	 peer_w, x;

	if (c->display[0] != '\0')
		snprintf(peer, sizeof peer, "%s <%s>", c->display, c->peer);
	else
		snprintf(peer, sizeof peer, "%s", c->peer);
	tui_format_duration(c, dur, sizeof dur);
	if (c->state == TP_CALL_ENDED && c->status >= 300)
		snprintf(detail, sizeof detail, "%d %s", c->status, c->reason);
	else
		snprintf(detail, sizeof detail, "%s%s", c->codec,
		    c->muted && c->state == TP_CALL_CONNECTED ? "  muted" : "");

	/* "> 12 out PEER...  connected  01:05  PCMU/8000" */
	peer_w = tui_calls_peer_width();
	if (target)
		attron(A_BOLD);
	tui_put(y, 0, 10, "%c %-3u %-3s", target ? '>' : ' ', c->id,
	    c->outgoing ? "out" : "in");
	tui_put(y, 10, peer_w - 1, "%s", peer);
	if (target)
		attroff(A_BOLD);
	x = 10 + peer_w;
	attron(tui_calls_state_attr(c->state));
	tui_put(y, x, 11, "%s", c->state != TP_CALL_CONNECTED ?
	    tp_call_state_name(c->state) : c->held_here ? "on hold" :
	    c->held_peer ? "held there" : tp_call_state_name(c->state));
	attroff(tui_calls_state_attr(c->state));
	tui_put(y, x + 12, 6, "%s", dur);
	tui_put(y, x + 19, COLS - x - 19, "%s", detail);
}

/* Draw the media statistics and last DTMF line at y. */
static void
tui_calls_draw_media(struct tui *tui, int y, const struct tui_call *c)
{
	char	 media[160] = "", dtmf[48] = "";

	if (c != NULL && c->have_stats)
		snprintf(media, sizeof media, "rtp sent %u recv %u lost %u "
		    "jitter %u ms plc %u   ", c->stats.pkts_sent,
		    c->stats.pkts_recv, c->stats.pkts_lost, c->stats.jitter_ms,
		    c->stats.plc_frames);
	if (tui->dtmf != '\0')
		snprintf(dtmf, sizeof dtmf, "dtmf %c %s", tui->dtmf,
		    tui->dtmf_received ? "received" : "sent");
	tui_put(y, 2, COLS - 2, "%s%s", media, dtmf);
}

/* Draw one SIP message line at y. */
static void
tui_calls_draw_msg(struct tui *tui, int y, const struct tui_msg *m)
{
	char	 t[32], what[96];

	tui_format_time(tui, m->time, t, sizeof t);
	if (m->summary[0] >= '0' && m->summary[0] <= '9' && m->method[0] != '\0')
		snprintf(what, sizeof what, "%s (%s)", m->summary, m->method);
	else
		snprintf(what, sizeof what, "%s", m->summary);
	tui_put(y, 0, COLS, "%s %s %-*s %s", t, m->sent ? "-->" : "<--",
	    COLS >= 90 ? 28 : 22, what, m->peer);
}

/* Draw the calls screen. */
static void
tui_calls_draw(struct tui *tui)
{
	const struct tui_call	*target, *c;
	int			 y, ncalls, max_calls, pane, first, i;

	tui_draw_status(tui);
	target = tui_call_target(tui, false);

	/* Calls: at most a third of the screen. */
	attron(A_BOLD);
	tui_put(1, 0, COLS, "  #   dir peer");
	tui_put(1, 10 + tui_calls_peer_width(), COLS,
	    "state       time   codec");
	attroff(A_BOLD);
	y = 2;
	max_calls = (LINES - 6) / 3;
	if (max_calls < 1)
		max_calls = 1;
	ncalls = (int)tui->ncalls;
	if (ncalls == 0) {
		attron(tui_attr(TUI_COLOR_DIM));
		tui_put(y++, 2, COLS - 2, "no calls: type a SIP URI or number "
		    "and press Enter");
		attroff(tui_attr(TUI_COLOR_DIM));
	}
	for (i = ncalls > max_calls ? ncalls - max_calls : 0; i < ncalls; i++) {
		c = &tui->calls[i];
		tui_calls_draw_call(tui, y++, c, c == target);
	}
	if (target == NULL && ncalls > 0)
		target = &tui->calls[ncalls - 1];
	if ((target != NULL && target->have_stats) || tui->dtmf != '\0')
		tui_calls_draw_media(tui, y++, target);

	/* SIP messages, newest at the bottom. */
	attron(A_BOLD);
	mvhline(y, 0, '-', COLS);
	tui_put(y, 2, COLS - 4, " SIP messages%s ", tui->calls_scroll > 0 ?
	    " (scrolled back; End follows)" : "");
	attroff(A_BOLD);
	y++;
	pane = LINES - 2 - y;
	if (pane < 0)
		pane = 0;
	tui_calls_pane_rows = pane > 0 ? pane : 1;
	if (tui->calls_scroll > (int)tui->nmsgs - pane)
		tui->calls_scroll = (int)tui->nmsgs - pane;
	if (tui->calls_scroll < 0)
		tui->calls_scroll = 0;
	first = (int)tui->nmsgs - pane - tui->calls_scroll;
	if (first < 0)
		first = 0;
	for (i = 0; i < pane && first + i < (int)tui->nmsgs -
	    tui->calls_scroll; i++)
		tui_calls_draw_msg(tui, y + i, tui_msg_at(tui, first + i));

	/* Notice, or the key hints when there is none. */
	if (tui->notice[0] != '\0') {
		attr_t	a = tui->notice_level == 0 ? tui_attr(TUI_COLOR_ERR) :
		    tui->notice_level == 1 ? tui_attr(TUI_COLOR_WARN) : A_NORMAL;

		attron(a);
		tui_put(LINES - 2, 0, COLS, "%s%s",
		    tui->notice_level == 0 ? "error: " :
		    tui->notice_level == 1 ? "warning: " : "", tui->notice);
		attroff(a);
	} else {
		attron(tui_attr(TUI_COLOR_DIM));
		tui_put(LINES - 2, 0, COLS, "a answer  r busy  d decline  "
		    "h hang up  p hold  m mute  Tab flow  ? help  q quit");
		attroff(tui_attr(TUI_COLOR_DIM));
	}

	/* The input line keeps the cursor. */
	{
		int	 w = COLS - 7, off = 0;

		if (w < 1)
			w = 1;
		if ((int)tui->input_len > w - 1)
			off = (int)tui->input_len - (w - 1);
		attron(A_BOLD);
		tui_put(LINES - 1, 0, 6, "dial> ");
		attroff(A_BOLD);
		tui_put(LINES - 1, 6, COLS - 6, "%s", tui->input + off);
		move(LINES - 1, 6 + (int)tui->input_len - off);
		curs_set(1);
	}
}

/* Dial what the input line holds. */
static int
tui_calls_dial(struct tui *tui)
{
	char		 target[TUI_INPUT_MAX];
	unsigned	 id = 0;
	size_t		 len;
	char		*s;
	int		 err;

	s = tui->input;
	while (*s == ' ')
		s++;
	snprintf(target, sizeof target, "%s", s);
	len = strlen(target);
	while (len > 0 && target[len - 1] == ' ')
		target[--len] = '\0';
	if (len == 0)
		return TUI_KEY_HANDLED;

	err = tp_dial(tui->core, target, &id);
	switch (err) {
	case 0:
		tui->input_len = 0;
		tui->input[0] = '\0';
		tui->sel_id = id;
		tui_set_notice(tui, 2, "dialling %s", target);
		break;
	case EINVAL:
		tui_set_notice(tui, 0, "cannot dial \"%s\": not a SIP URI or "
		    "number", target);
		break;
	case EBUSY:
		tui_set_notice(tui, 1, "a call is already up: hang it up "
		    "first (h)");
		break;
	default:
		tui_set_notice(tui, 0, "cannot dial \"%s\": %s", target,
		    strerror(err));
		break;
	}
	return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
}

/* Report a failed call command on the notice line. */
static void
tui_calls_failed(struct tui *tui, const char *what, int err)
{
	if (err != 0)
		tui_set_notice(tui, 0, "%s: %s", what, strerror(err));
}

/*
 * The command keys, shared by the calls and flow views: a r d h p m q ? and
 * DTMF digits.  Returns TUI_KEY_IGNORED when the key does not apply now
 * (for instance 'a' with no incoming call), so it can be typed instead.
 */
int
tui_calls_action(struct tui *tui, int key)
{
	struct tui_call	*c;
	unsigned	 id;
	char		 digit[2];

	switch (key) {
	case 'q':
		if (!tui->shutting_down) {
			tui->shutting_down = true;
			tui_set_notice(tui, 2, "shutting down: hanging up, "
			    "unregistering...");
			tp_shutdown(tui->core);
		}
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case '?':
		tui->overlay = &tui_help_screen;
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case 'a':
	case 'r':
	case 'd':
		if ((c = tui_call_target(tui, true)) == NULL)
			return TUI_KEY_IGNORED;
		/* The command may emit events that move the calls array. */
		id = c->id;
		if (key == 'a')
			tui_calls_failed(tui, "answer",
			    tp_answer(tui->core, id));
		else
			tui_calls_failed(tui, "reject",
			    tp_reject(tui->core, id, key == 'r' ? 486 : 603));
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case 'm':
		c = tui_call_target(tui, false);
		if (c == NULL || c->state != TP_CALL_CONNECTED)
			return TUI_KEY_IGNORED;
		tui_calls_failed(tui, c->muted ? "unmute" : "mute",
		    tp_mute(tui->core, c->id, !c->muted));
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case 'p':
		c = tui_call_target(tui, false);
		if (c == NULL || c->state != TP_CALL_CONNECTED)
			return TUI_KEY_IGNORED;
		tui_calls_failed(tui, c->held_here ? "resume" : "hold",
		    tp_hold(tui->core, c->id, !c->held_here));
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case 'h':
		if ((c = tui_call_target(tui, false)) == NULL)
			return TUI_KEY_IGNORED;
		id = c->id;
		if (c->state == TP_CALL_INCOMING)
			tui_calls_failed(tui, "decline",
			    tp_reject(tui->core, id, 603));
		else
			tui_calls_failed(tui, "hang up",
			    tp_hangup(tui->core, id));
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	}
	if ((key >= '0' && key <= '9') || key == '*' || key == '#') {
		c = tui_call_target(tui, false);
		if (c == NULL || c->state != TP_CALL_CONNECTED)
			return TUI_KEY_IGNORED;
		digit[0] = (char)key;
		digit[1] = '\0';
		tui_calls_failed(tui, "DTMF",
		    tp_send_dtmf(tui->core, c->id, digit));
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	}
	return TUI_KEY_IGNORED;
}

/* Move the call selection by delta, wrapping around. */
static int
tui_calls_select(struct tui *tui, int delta)
{
	const struct tui_call	*c;
	int			 i, n = (int)tui->ncalls;

	if (n == 0)
		return TUI_KEY_HANDLED;
	c = tui_call_target(tui, false);
	i = c != NULL ? (int)(c - tui->calls) : n - 1;
	i = ((i + delta) % n + n) % n;
	tui->sel_id = tui->calls[i].id;
	return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
}

/* Scroll the message pane by delta lines (positive: back in time). */
static int
tui_calls_scroll(struct tui *tui, int delta)
{
	tui->calls_scroll += delta;
	if (tui->calls_scroll > (int)tui->nmsgs)
		tui->calls_scroll = (int)tui->nmsgs;
	if (tui->calls_scroll < 0)
		tui->calls_scroll = 0;
	return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
}

/*
 * Keys of the calls screen.  Printable characters go to the input line,
 * except that the command keys act while it is empty; digits are DTMF while
 * a call is connected and start a number otherwise.
 */
static int
tui_calls_key(struct tui *tui, int key)
{
	int	flags;

	switch (key) {
	case TUI_KEY_TAB:
		tui_set_screen(tui, &tui_flow_screen);
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case '\r':
	case '\n':
	case KEY_ENTER:
		return tui_calls_dial(tui);
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (tui->input_len > 0)
			tui->input[--tui->input_len] = '\0';
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case TUI_CTRL('u'):
	case TUI_KEY_ESC:
		tui->input_len = 0;
		tui->input[0] = '\0';
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case KEY_UP:
		return tui_calls_select(tui, -1);
	case KEY_DOWN:
		return tui_calls_select(tui, 1);
	case KEY_PPAGE:
		return tui_calls_scroll(tui, tui_calls_pane_rows - 1);
	case KEY_NPAGE:
		return tui_calls_scroll(tui, -(tui_calls_pane_rows - 1));
	case KEY_HOME:
		return tui_calls_scroll(tui, (int)tui->nmsgs);
	case KEY_END:
		return tui_calls_scroll(tui, -(int)tui->nmsgs);
	}
	if (tui->input_len == 0 &&
	    (flags = tui_calls_action(tui, key)) != TUI_KEY_IGNORED)
		return flags;
	if ((key > ' ' || (key == ' ' && tui->input_len > 0)) && key < 0x7f) {
		if (tui->input_len + 1 < sizeof tui->input) {
			tui->input[tui->input_len++] = (char)key;
			tui->input[tui->input_len] = '\0';
		}
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	}
	return TUI_KEY_IGNORED;
}

const struct tui_screen tui_calls_screen = {
	.name = "calls",
	.draw = tui_calls_draw,
	.key = tui_calls_key,
};
