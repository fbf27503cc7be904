/* SPDX-License-Identifier: BSD-2-Clause */
/* The key help overlay, opened with '?' and closed by any key. */

#include "tui.h"

/* The help text, one line each; "" is a blank line. */
static const char *const tui_help_lines[] = {
	"typing        a SIP URI or number; Enter dials",
	"Backspace     delete a character; Esc or ^U clears",
	"a             answer the incoming call",
	"r / d         reject it busy (486) / decline (603)",
	"h             hang up (cancel before the answer)",
	"p / m         hold or resume / mute or unmute the call",
	"0-9 * #       send DTMF while a call is connected",
	"Up / Down     choose the call the keys act on",
	"PgUp / PgDn   scroll the SIP messages (Home, End)",
	"Tab           switch between calls and call flow",
	"f             call flow: hide REGISTER/OPTIONS",
	"^L            redraw the screen",
	"?             this help",
	"q             quit: hang up, unregister, exit",
	"^C            quit; a second ^C quits at once",
	"",
	"a r d h p m q act while the input line is empty;",
	"digits dial unless a call is connected.",
};

/* Draw the help box centred over the current screen. */
static void
tui_help_draw(struct tui *tui)
{
	size_t	 nlines = sizeof tui_help_lines / sizeof tui_help_lines[0];
	int	 w, h, x, y, i, body;

	w = 56;
	if (w > COLS - 2)
		w = COLS - 2;
	h = (int)nlines + 4 + (tui->log_path != NULL ? 1 : 0);
	if (h > LINES - 2)
		h = LINES - 2;
	if (w < 10 || h < 4)
		return;
	x = (COLS - w) / 2;
	y = (LINES - h) / 2;

	/* Plain ASCII borders: they survive any terminal and capture-pane. */
	attron(A_BOLD);
	mvhline(y, x, '-', w);
	mvhline(y + h - 1, x, '-', w);
	for (i = 1; i < h - 1; i++) {
		mvaddch(y + i, x, '|');
		mvhline(y + i, x + 1, ' ', w - 2);
		mvaddch(y + i, x + w - 1, '|');
	}
	mvaddch(y, x, '+');
	mvaddch(y, x + w - 1, '+');
	mvaddch(y + h - 1, x, '+');
	mvaddch(y + h - 1, x + w - 1, '+');
	tui_put(y, x + 2, w - 4, " termphone %s: keys ", tp_version());
	attroff(A_BOLD);

	body = h - 3;
	for (i = 0; i < body && i < (int)nlines; i++)
		tui_put(y + 1 + i, x + 2, w - 4, "%s", tui_help_lines[i]);
	if (tui->log_path != NULL && i < body)
		tui_put(y + 1 + i, x + 2, w - 4, "log: %s", tui->log_path);
	attron(tui_attr(TUI_COLOR_DIM));
	tui_put(y + h - 2, x + 2, w - 4, "press any key to close");
	attroff(tui_attr(TUI_COLOR_DIM));
	curs_set(0);
}

/* Any key closes the help. */
static int
tui_help_key(struct tui *tui, int key)
{
	tui->overlay = NULL;
	return TUI_KEY_HANDLED | TUI_KEY_REDRAW;
}

const struct tui_screen tui_help_screen = {
	.name = "help",
	.draw = tui_help_draw,
	.key = tui_help_key,
};
