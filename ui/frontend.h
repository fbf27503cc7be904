/* SPDX-License-Identifier: BSD-2-Clause */
/* The contract between main.c and a front-end (the TUI or the headless one). */
#ifndef TP_FRONTEND_H
#define TP_FRONTEND_H

#include <stdbool.h>

#include "termphone.h"

/* What main.c tells a front-end about this run. */
struct fe_options {
	bool		 json;		/* headless: --events=json */
	bool		 demo;		/* --demo: the TUI shows the flow view first */
	const char	*log_path;	/* where library noise goes, for the help */
};

/*
 * A front-end.  start() subscribes to the core's events, registers its
 * input fd (stdin) on the loop and draws; it never calls into the other
 * front-end.  User commands go to the core through tp_*() calls; "quit"
 * is tp_shutdown(), and main.c stops the loop on TP_EV_SHUTDOWN.
 */
struct frontend {
	const char	*name;		/* "tui", "headless" */
	/* Returns 0 or an errno value (the terminal is left untouched then). */
	int	(*start)(struct tp_core *, struct tp_loop *,
		    const struct fe_options *);
	/* Undo start(): unwatch fds and restore the terminal.  Idempotent. */
	void	(*stop)(void);
	/*
	 * Restore the terminal from a signal handler on the second SIGINT,
	 * just before _exit().  May be NULL.
	 */
	void	(*emergency_restore)(void);
};

extern const struct frontend fe_tui;
extern const struct frontend fe_headless;

#endif
