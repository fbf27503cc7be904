/* SPDX-License-Identifier: BSD-2-Clause */
/* The config file (INI, parsed with inih) and defaults for struct tp_config. */
#ifndef TP_CONFIG_H
#define TP_CONFIG_H

#include <stddef.h>

#include "termphone.h"

/* Fill cfg with the built-in defaults (all strings owned by cfg). */
void	config_defaults(struct tp_config *cfg);
/* Free every string cfg owns and zero it; NULL is ignored. */
void	config_free(struct tp_config *cfg);
/*
 * The default config path, $XDG_CONFIG_HOME/termphone/config or
 * ~/.config/termphone/config.  Returns a malloc'd string (caller frees).
 */
char	*config_default_path(void);
/*
 * Read the INI file at path into cfg.  account selects the [account NAME]
 * section to use (NULL: the first one).  Returns 0; ENOENT if the file does
 * not exist; EINVAL for an unknown section or key, a bad value, a syntax
 * error or an unknown account, with "PATH:LINE: problem" written to err
 * (room errlen bytes).  Never logs the password.
 */
int	config_load(struct tp_config *cfg, const char *path, const char *account,
	    char *err, size_t errlen);
/*
 * Set cfg's codec list from a comma-separated list of config names
 * ("speex-wb,PCMU").  Returns 0, or EINVAL naming the unknown codec in err.
 */
int	config_set_codecs(struct tp_config *cfg, const char *list, char *err,
	    size_t errlen);
/*
 * Check a listen address: "ADDR:PORT" (IPv4), "[IPv6]:PORT" or ":PORT"
 * (port 1-65535, or 0 for an ephemeral port).  Returns a malloc'd normalised copy ("0.0.0.0:PORT" for
 * ":PORT"), or NULL if it is malformed (or on allocation failure).
 */
char	*config_listen(const char *v);
/*
 * Replace the string *dst with a copy of src (NULL frees it).  Returns 0 or
 * ENOMEM.
 */
int	config_set_str(char **dst, const char *src);

#endif
