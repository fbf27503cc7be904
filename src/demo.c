/* SPDX-License-Identifier: BSD-2-Clause */
/* The demo peer: a second UA in the same process that answers and echoes. */

#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "core.h"

/* Create the demo peer; see termphone.h. */
int
tp_demo_new(struct tp_core **peerp, struct tp_loop *loop,
    const struct tp_config *base, int hangup_after, char *uri, size_t urisz)
{
	struct tp_config	 pc;
	char			 greeting[600];
	size_t			 i;
	int			 err;

	config_defaults(&pc);
	snprintf(greeting, sizeof greeting, "%s/greeting.wav",
	    base->sounds_dir != NULL ? base->sounds_dir : ".");
	err = config_set_str(&pc.listen, "127.0.0.1:0");
	err |= config_set_str(&pc.sounds_dir, base->sounds_dir);
	err |= config_set_str(&pc.play_file, greeting);
	err |= config_set_str(&pc.user_agent, "termphone-demo-peer");
	for (i = 0; i < TP_MAX_CODECS; i++) {
		err |= config_set_str(&pc.codecs[i], i < base->ncodecs ?
		    base->codecs[i] : NULL);
	}
	if (err != 0) {
		config_free(&pc);
		return ENOMEM;
	}
	pc.ncodecs = base->ncodecs;
	pc.listen_explicit = true;
	pc.rtp_port_min = base->rtp_port_min;
	pc.rtp_port_max = base->rtp_port_max;
	pc.echo = true;
	pc.auto_answer = 1;
	pc.hangup_after = hangup_after;
	err = tp_core_new(peerp, loop, &pc);
	config_free(&pc);
	if (err != 0)
		return err;
	snprintf(uri, urisz, "sip:demo@%s", tp_core_listen_addr(*peerp));
	return 0;
}
