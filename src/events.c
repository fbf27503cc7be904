/* SPDX-License-Identifier: BSD-2-Clause */
/* Names of event types and states, shared by every front-end. */

#include "autoconfig.h"

#include "termphone.h"

/* The event type's name; see termphone.h. */
const char *
tp_event_name(enum tp_event_type type)
{
	static const char *const names[TP_EV_COUNT] = {
		[TP_EV_REG_STATE] = "reg_state",
		[TP_EV_CALL_INCOMING] = "call_incoming",
		[TP_EV_CALL_STATE] = "call_state",
		[TP_EV_CALL_REDIRECT] = "call_redirect",
		[TP_EV_SIP_MESSAGE] = "sip_message",
		[TP_EV_DTMF] = "dtmf",
		[TP_EV_MEDIA_STATS] = "media_stats",
		[TP_EV_NOTICE] = "notice",
		[TP_EV_PLAYBACK_DONE] = "playback_done",
		[TP_EV_SHUTDOWN] = "shutdown",
		[TP_EV_CALL_HOLD] = "call_hold",
		[TP_EV_CALL_MUTE] = "call_mute",
	};

	if ((unsigned)type >= TP_EV_COUNT || names[type] == NULL)
		return "unknown";
	return names[type];
}

/* The call state's name; see termphone.h. */
const char *
tp_call_state_name(enum tp_call_state state)
{
	static const char *const names[] = {
		[TP_CALL_CALLING] = "calling",
		[TP_CALL_RINGING] = "ringing",
		[TP_CALL_EARLY] = "early",
		[TP_CALL_INCOMING] = "incoming",
		[TP_CALL_CONNECTED] = "connected",
		[TP_CALL_ENDING] = "ending",
		[TP_CALL_ENDED] = "ended",
	};

	if ((unsigned)state >= sizeof names / sizeof names[0])
		return "unknown";
	return names[state];
}

/* The registration state's name; see termphone.h. */
const char *
tp_reg_state_name(enum tp_reg_state state)
{
	static const char *const names[] = {
		[TP_REG_NONE] = "none",
		[TP_REG_REGISTERING] = "registering",
		[TP_REG_REGISTERED] = "registered",
		[TP_REG_UNREGISTERING] = "unregistering",
		[TP_REG_UNREGISTERED] = "unregistered",
		[TP_REG_FAILED] = "failed",
	};

	if ((unsigned)state >= sizeof names / sizeof names[0])
		return "unknown";
	return names[state];
}

/* The package version; see termphone.h. */
const char *
tp_version(void)
{
	return PACKAGE_VERSION;
}
