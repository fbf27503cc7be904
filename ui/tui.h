/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal header shared by the ncurses front-end's files (ui/tui*.c). */
#ifndef TP_TUI_H
#define TP_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* addnwstr() and friends need the wide-character curses API. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "frontend.h"
#include "termphone.h"

/* What a key handler did with a key; REDRAW may be or'ed with HANDLED. */
#define TUI_KEY_IGNORED	0x0		/* not ours: the caller may try elsewhere */
#define TUI_KEY_HANDLED	0x1		/* consumed, nothing visible changed */
#define TUI_KEY_REDRAW	0x2		/* consumed, the screen must be redrawn */

#define TUI_MAX_CALLS	8		/* ended calls are dropped to make room */
#define TUI_MAX_MSGS	1024		/* SIP message summaries kept (a ring) */
#define TUI_INPUT_MAX	256		/* bytes of the dial input line */

#define TUI_CTRL(c)	((c) & 0x1f)
#define TUI_KEY_ESC	27
#define TUI_KEY_TAB	'\t'

/* Colour pairs; tui_attr() falls back to plain attributes without colour. */
enum tui_color {
	TUI_COLOR_OK = 1,		/* connected, registered */
	TUI_COLOR_WARN,			/* ringing, incoming, warnings */
	TUI_COLOR_ERR,			/* failures, errors */
	TUI_COLOR_DIM,			/* ended calls, hints */
};

struct tui;

/* A screen or overlay: the calls view, the call-flow view, the help. */
struct tui_screen {
	const char	*name;			/* "calls", "flow", "help" */
	void	(*draw)(struct tui *);		/* draw on stdscr, no refresh */
	int	(*key)(struct tui *, int key);	/* returns TUI_KEY_* flags */
};

/* One call as the TUI knows it, built only from core events. */
struct tui_call {
	unsigned		 id;
	char			 peer[128];	/* remote URI */
	char			 display[64];	/* remote display name, "" if none */
	enum tp_call_state	 state;
	bool			 outgoing;
	int			 status;	/* SIP status of the last change */
	char			 reason[64];
	char			 codec[32];	/* "" until known */
	bool			 was_connected;
	bool			 held_here;	/* we put it on hold */
	bool			 held_peer;	/* the far end did */
	bool			 muted;		/* we send silence */
	uint64_t		 connected_ms;	/* monotonic, when it connected */
	uint64_t		 ended_ms;	/* monotonic, when it ended */
	bool			 have_stats;
	struct tp_media_stats	 stats;
};

/* One SIP message summary from TP_EV_SIP_MESSAGE. */
struct tui_msg {
	bool		 sent;		/* false: received */
	unsigned	 call_id;
	double		 time;		/* seconds since the core started */
	char		 summary[48];	/* "INVITE", "180 Ringing" */
	char		 method[16];	/* CSeq method */
	char		 peer[64];	/* "udp/127.0.0.1:5070" */
};

/* The whole front-end state; there is one, owned by tui.c. */
struct tui {
	struct tp_core		*core;
	struct tp_loop		*loop;
	bool			 demo;
	const char		*log_path;	/* borrowed from fe_options */

	const struct tui_screen	*screen;	/* calls or flow */
	const struct tui_screen	*overlay;	/* help, or NULL */

	/* registration and transport */
	char			 aor[128];	/* "" = no account */
	enum tp_reg_state	 reg_state;
	int			 reg_status;
	char			 reg_reason[64];
	unsigned		 reg_expires;
	char			 listen[64];

	/* calls, oldest first */
	struct tui_call		 calls[TUI_MAX_CALLS];
	size_t			 ncalls;
	unsigned		 sel_id;	/* call chosen with Up/Down, 0 = auto */

	/* SIP messages: a ring of the last TUI_MAX_MSGS */
	struct tui_msg		 msgs[TUI_MAX_MSGS];
	size_t			 msg_first;	/* index of the oldest */
	size_t			 nmsgs;
	bool			 have_epoch;
	double			 wall_epoch;	/* wall clock when core time was 0 */

	/* the last DTMF digit seen, sent or received */
	char			 dtmf;
	bool			 dtmf_received;

	char			 notice[256];
	int			 notice_level;	/* as in tp_event.u.notice */

	char			 input[TUI_INPUT_MAX];
	size_t			 input_len;

	int			 calls_scroll;	/* message pane: lines up from bottom */
	int			 flow_scroll;	/* flow view: rows up from bottom */
	bool			 flow_filter;	/* flow view hides REGISTER/OPTIONS */
	bool			 shutting_down;
};

/* tui.c */
void			 tui_set_screen(struct tui *, const struct tui_screen *);
void			 tui_set_notice(struct tui *, int level, const char *fmt, ...)
			    __attribute__((format(printf, 3, 4)));
uint64_t		 tui_now_ms(void);
const struct tui_msg	*tui_msg_at(const struct tui *, size_t i);
void			 tui_format_time(const struct tui *, double t,
			    char *buf, size_t len);
struct tui_call		*tui_call_target(struct tui *, bool incoming_only);
void			 tui_format_duration(const struct tui_call *, char *buf,
			    size_t len);
attr_t			 tui_attr(enum tui_color);
int			 tui_width(const char *);
void			 tui_put(int y, int x, int width, const char *fmt, ...)
			    __attribute__((format(printf, 4, 5)));
void			 tui_fill(int y, attr_t attr, const char *fmt, ...)
			    __attribute__((format(printf, 3, 4)));
void			 tui_draw_status(struct tui *);

/* tui_calls.c */
extern const struct tui_screen	 tui_calls_screen;
int			 tui_calls_action(struct tui *, int key);

/* tui_flow.c */
extern const struct tui_screen	 tui_flow_screen;

/* tui_help.c */
extern const struct tui_screen	 tui_help_screen;

#endif /* TP_TUI_H */
