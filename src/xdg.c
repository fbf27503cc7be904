/* SPDX-License-Identifier: BSD-2-Clause */
/* Paths under the XDG base directories, shared by the config and the log. */

#include "autoconfig.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xdg.h"

/* Build the path; see xdg.h. */
char *
xdg_path(const char *env, const char *home_dir, const char *suffix)
{
	const char	*base, *home;
	struct passwd	*pw;
	char		*s;
	size_t		 len;

	/* The spec says to ignore relative values. */
	base = getenv(env);
	if (base != NULL && base[0] == '/')
		home_dir = NULL;
	else {
		home = getenv("HOME");
		if (home == NULL || home[0] == '\0') {
			if ((pw = getpwuid(getuid())) == NULL || pw->pw_dir == NULL)
				return NULL;
			home = pw->pw_dir;
		}
		base = home;
	}
	len = strlen(base) + (home_dir != NULL ? strlen(home_dir) + 1 : 0) +
	    strlen(suffix) + 2;
	if ((s = malloc(len)) == NULL)
		return NULL;
	if (home_dir != NULL)
		snprintf(s, len, "%s/%s/%s", base, home_dir, suffix);
	else
		snprintf(s, len, "%s/%s", base, suffix);
	return s;
}
