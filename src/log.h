/* SPDX-License-Identifier: BSD-2-Clause */
/* Logging to the log file: never to the terminal the UI owns. */
#ifndef TP_LOG_H
#define TP_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/*
 * Open path for appending, creating it (0600) and its parent directory
 * (0700) as needed; NULL keeps logging to stderr.  verbosity 0 logs errors
 * and warnings, 1 adds info, 2 or more adds debug.  When redirect_stderr is
 * set, fd 2 is pointed at the file so library noise (ALSA, JACK, Sofia)
 * never reaches the screen; log_close() restores it.  Returns 0 or the
 * errno value of the failed mkdir/open/dup2 (logging then stays on stderr).
 */
int	log_open(const char *path, int verbosity, int redirect_stderr);
/*
 * The default log path, $XDG_STATE_HOME/termphone/termphone.log or
 * ~/.local/state/termphone/termphone.log.  Returns a malloc'd string the
 * caller frees, or NULL if neither variable nor a home directory is known.
 */
char	*log_default_path(void);
/* Close the log file; safe to call twice. */
void	log_close(void);
/* Write one line at level; a newline is added.  Thread-safe. */
void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* va_list variant of log_msg(). */
void	log_vmsg(enum log_level, const char *fmt, va_list ap);

#define log_error(...)	log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
