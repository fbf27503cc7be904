/* SPDX-License-Identifier: BSD-2-Clause */
/* The call-flow (ladder) view: one arrow per SIP message between termphone and the peer. */

#include <stdio.h>
#include <string.h>

#include "tui.h"

/* Indices of the messages shown at the last draw, oldest first. */
static size_t	tui_flow_shown[TUI_MAX_MSGS];
/* Ladder rows at the last draw, for paging. */
static int	tui_flow_rows = 10;

/* Whether the filter hides m: registration and keep-alive noise. */
static bool
tui_flow_hidden(const struct tui *tui, const struct tui_msg *m)
{
	if (!tui->flow_filter)
		return false;
	return strcmp(m->method, "REGISTER") == 0 ||
	    strcmp(m->method, "OPTIONS") == 0 ||
	    strcmp(m->summary, "REGISTER") == 0 ||
	    strcmp(m->summary, "OPTIONS") == 0;
}

/* Fill tui_flow_shown with the messages that pass the filter; returns how many. */
static size_t
tui_flow_collect(const struct tui *tui)
{
	size_t	i, n = 0;

	for (i = 0; i < tui->nmsgs; i++) {
		if (!tui_flow_hidden(tui, tui_msg_at(tui, i)))
			tui_flow_shown[n++] = i;
	}
	return n;
}

/* Print s centred on column x of row y. */
static void
tui_flow_center(int y, int x, const char *s)
{
	int	w = tui_width(s);

	x -= w / 2;
	if (x < 0)
		x = 0;
	tui_put(y, x, COLS - x, "%s", s);
}

/* Draw one arrow row at y between lanes l and r. */
static void
tui_flow_draw_msg(struct tui *tui, int y, int l, int r, bool with_time,
    const struct tui_msg *m, const char *lane_peer)
{
	char	 t[32], label[128];
	int	 n = r - l - 1, w, x;
	attr_t	 a = A_NORMAL;

	if (with_time) {
		tui_format_time(tui, m->time, t, sizeof t);
		tui_put(y, 0, l - 1, "%s", t);
	}
	if (strcmp(m->peer, lane_peer) != 0 && m->peer[0] != '\0')
		snprintf(label, sizeof label, " %s [%s] ", m->summary, m->peer);
	else
		snprintf(label, sizeof label, " %s ", m->summary);
	if (m->summary[0] >= '4' && m->summary[0] <= '6')
		a = tui_attr(TUI_COLOR_ERR);
	else if (m->summary[0] >= '1' && m->summary[0] <= '3')
		a = m->summary[0] == '2' ? tui_attr(TUI_COLOR_OK) :
		    tui_attr(TUI_COLOR_WARN);

	mvaddch(y, l, '|');
	mvaddch(y, r, '|');
	if (n < 6) {
		/* No room for a ladder: arrow and label side by side. */
		tui_put(y, l + 1, COLS - l - 1, "%s%s", m->sent ? "-->" : "<--",
		    label);
		return;
	}
	attron(a);
	mvhline(y, l + 1, '-', n);
	if (m->sent)
		mvaddch(y, r - 1, '>');
	else
		mvaddch(y, l + 1, '<');
	w = tui_width(label);
	if (w > n - 4)
		w = n - 4;
	x = l + 1 + (n - w) / 2;
	tui_put(y, x, w, "%s", label);
	attroff(a);
}

/* Draw the flow view. */
static void
tui_flow_draw(struct tui *tui)
{
	const struct tui_msg	*m;
	const struct tui_call	*c;
	const char		*lane_peer = "peer";
	size_t			 n;
	int			 l, r, y, rows, first, i;
	bool			 with_time;

	tui_draw_status(tui);
	curs_set(0);

	n = tui_flow_collect(tui);
	if (n > 0)
		lane_peer = tui_msg_at(tui, tui_flow_shown[n - 1])->peer;
	else if ((c = tui_call_target(tui, false)) != NULL)
		lane_peer = c->peer;

	/* Lanes: room for the time on the left and the peer's name on the right. */
	with_time = COLS >= 48;
	l = with_time ? 17 : 5;
	r = COLS >= 60 ? COLS - 11 : COLS - 2;

	attron(A_BOLD);
	tui_flow_center(1, l, "termphone");
	tui_flow_center(1, r, lane_peer);
	attroff(A_BOLD);
	attron(tui_attr(TUI_COLOR_DIM));
	if (r - l > 40)
		tui_flow_center(1, (l + r) / 2, tui->flow_scroll > 0 ?
		    "(scrolled back: End follows)" :
		    tui->flow_filter ? "(REGISTER/OPTIONS hidden: f)" :
		    "(Tab: calls  ?: help)");
	attroff(tui_attr(TUI_COLOR_DIM));

	rows = LINES - 3;
	if (rows < 1)
		rows = 1;
	tui_flow_rows = rows;
	if (tui->flow_scroll > (int)n - rows)
		tui->flow_scroll = (int)n - rows;
	if (tui->flow_scroll < 0)
		tui->flow_scroll = 0;
	first = (int)n - rows - tui->flow_scroll;

	/* Newest at the bottom; empty rows above carry the lanes on. */
	for (i = 0; i < rows; i++) {
		y = 2 + i;
		if (first + i < 0) {
			mvaddch(y, l, '|');
			mvaddch(y, r, '|');
			continue;
		}
		m = tui_msg_at(tui, tui_flow_shown[first + i]);
		tui_flow_draw_msg(tui, y, l, r, with_time, m, lane_peer);
	}

	if (tui->notice[0] != '\0') {
		attr_t	a = tui->notice_level == 0 ? tui_attr(TUI_COLOR_ERR) :
		    tui->notice_level == 1 ? tui_attr(TUI_COLOR_WARN) : A_NORMAL;

		attron(a);
		tui_put(LINES - 1, 0, COLS, "%s", tui->notice);
		attroff(a);
	} else {
		attron(tui_attr(TUI_COLOR_DIM));
		tui_put(LINES - 1, 0, COLS, "Tab calls  f hide REGISTER/OPTIONS"
		    "  PgUp/PgDn scroll  ? help  q quit");
		attroff(tui_attr(TUI_COLOR_DIM));
	}
}

/* Scroll the ladder by delta rows (positive: back in time). */
static int
tui_flow_scroll(struct tui *tui, int delta)
{
	tui->flow_scroll += delta;
	if (tui->flow_scroll > (int)tui->nmsgs)
		tui->flow_scroll = (int)tui->nmsgs;
	if (tui->flow_scroll < 0)
		tui->flow_scroll = 0;
	return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
}

/*
 * Keys of the flow view: Tab, scrolling and the filter; the command keys
 * act as on the calls screen, and other printable keys go back there to
 * start the dial input.
 */
static int
tui_flow_key(struct tui *tui, int key)
{
	int	flags;

	switch (key) {
	case TUI_KEY_TAB:
		tui_set_screen(tui, &tui_calls_screen);
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	case KEY_UP:
		return tui_flow_scroll(tui, 1);
	case KEY_DOWN:
		return tui_flow_scroll(tui, -1);
	case KEY_PPAGE:
		return tui_flow_scroll(tui, tui_flow_rows - 1);
	case KEY_NPAGE:
		return tui_flow_scroll(tui, -(tui_flow_rows - 1));
	case KEY_HOME:
		return tui_flow_scroll(tui, (int)tui->nmsgs);
	case KEY_END:
		return tui_flow_scroll(tui, -(int)tui->nmsgs);
	case 'f':
		tui->flow_filter = !tui->flow_filter;
		tui->flow_scroll = 0;
		return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
	}
	if ((flags = tui_calls_action(tui, key)) != TUI_KEY_IGNORED)
		return flags;
	if (key > ' ' && key < 0x7f) {
		tui_set_screen(tui, &tui_calls_screen);
		return tui_calls_screen.key(tui, key) | TUI_KEY_REDRAW;
	}
	return TUI_KEY_IGNORED;
}

const struct tui_screen tui_flow_screen = {
	.name = "flow",
	.draw = tui_flow_draw,
	.key = tui_flow_key,
};
