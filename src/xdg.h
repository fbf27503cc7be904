/* SPDX-License-Identifier: BSD-2-Clause */
/* Paths under the XDG base directories (config, state). */
#ifndef TP_XDG_H
#define TP_XDG_H

/*
 * The path "$ENV/SUFFIX", or "$HOME/HOME_DIR/SUFFIX" when the variable env
 * is unset or not absolute (XDG Base Directory Specification 0.8), e.g.
 * xdg_path("XDG_STATE_HOME", ".local/state", "termphone/termphone.log").
 * $HOME falls back to the password database.  Returns a malloc'd string
 * (caller frees), or NULL if out of memory or no home directory is known.
 */
char	*xdg_path(const char *env, const char *home_dir, const char *suffix);

#endif
