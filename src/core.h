/* SPDX-License-Identifier: BSD-2-Clause */
/* Core internals shared by core.c, sip.c, script.c and demo.c (no Sofia here). */
#ifndef TP_CORE_H
#define TP_CORE_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "termphone.h"
#include "media.h"

struct sip;
struct sip_call;

#define CORE_MAX_SINKS	8

/* One call: UAC or UAS, from first INVITE to the end of its dialog. */
struct call {
	struct call		*next;
	struct tp_core		*core;
	unsigned		 id;
	bool			 outgoing;
	enum tp_call_state	 state;
	char			*peer;		/* remote URI */
	char			*display;
	struct sip_call		*sc;		/* the SIP module's side */
	struct media		*media;
	bool			 answered;	/* reached CONNECTED */
	bool			 held_by_peer;	/* its SDP: sendonly or inactive */
	bool			 held_here;	/* tp_hold(): we hold it */
	bool			 muted;		/* tp_mute() */
	bool			 have_stream;	/* stream holds the last media_start() */
	struct media_stream	 stream;
	bool			 local_hangup;
	bool			 no_response;	/* no answer at all from the network */
	int			 redirects;
	char			*offer_sdp;	/* UAS: the INVITE's SDP offer, or NULL */
	int			 exit_status;	/* outcome decided ahead of the end */
	bool			 exit_status_set;
};

struct tp_core {
	struct tp_loop		*loop;
	struct tp_config	 cfg;		/* owned copy */
	struct {
		tp_event_cb	 cb;
		void		*arg;
	}			 sinks[CORE_MAX_SINKS];
	size_t			 nsinks;
	struct sip		*sip;
	struct call		*calls;
	unsigned		 next_call_id;
	enum tp_reg_state	 reg_state;
	int			 exit_status;
	bool			 exit_status_set;
	bool			 shutting_down;
	bool			 shutdown_done;
	unsigned		 shutdown_timer;
	unsigned		 start_timer;
	bool			 no_device_said;	/* "no audio device" told once */
	struct timespec		 t0;
	char			 listen_addr[96];
	FILE			*trace;		/* --sip-trace */
	struct script		*script;
};

/* Send ev to every sink in order. */
void	core_emit(struct tp_core *, struct tp_event *ev);
/* Post a notice event (level 0 error, 1 warning, 2 info) and log it. */
void	core_notice(struct tp_core *, int level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Seconds since the core started, for event times. */
double	core_now(const struct tp_core *);

/*
 * Create a call record (id assigned, state CALLING or INCOMING) with its
 * media session bound to the local address that routes to route_host (NULL:
 * the listen address or loopback), and link it.  Emits nothing.  Returns
 * NULL on failure (a notice says why).
 */
struct call *core_call_new(struct tp_core *, bool outgoing, const char *peer,
	    const char *display, const char *route_host);
/* Tell the sinks that digit arrived on call outside RTP (SIP INFO). */
void	core_call_dtmf_received(struct call *call, char digit);
/* Emit TP_EV_CALL_INCOMING and the INCOMING state, start the ringtone. */
void	core_call_announce(struct call *);
/* Decide call's exit status ahead of its end (enum tp_exit). */
void	core_call_set_outcome(struct call *, int exit_status);
/* Find a call by id; NULL if none. */
struct call *core_call_find(struct tp_core *, unsigned id);
/* Number of calls not yet ended. */
unsigned core_call_count(const struct tp_core *);
/*
 * Move call to state and emit TP_EV_CALL_STATE; status/reason are the SIP
 * status behind it (0/NULL if none).  Entering ENDED unlinks and frees the
 * call after the event (the SIP module must drop its pointer first).
 */
void	core_call_set_state(struct call *, enum tp_call_state, int status,
	    const char *reason);
/*
 * Start or update media for call from the peer's final SDP (RFC 3264);
 * we_offered says whether it is the answer.  Before the call is answered
 * (early media, RFC 3960) it only receives.  Returns 0 or an errno value
 * (a notice says why).
 */
int	core_call_media(struct call *, const char *remote_sdp, bool we_offered,
	    bool answered);
/* Registration changed: record it and emit TP_EV_REG_STATE. */
void	core_reg_state(struct tp_core *, enum tp_reg_state, int status,
	    const char *reason, unsigned expires);
/*
 * A SIP message of call call_id (0: none) went out or came in (full text,
 * len bytes): emit TP_EV_SIP_MESSAGE and append it to the --sip-trace file.
 */
void	core_sip_message(struct tp_core *, unsigned call_id, bool sent,
	    const char *peer, const char *text, size_t len);
/* The SIP module finished its shutdown: emit TP_EV_SHUTDOWN once. */
void	core_shutdown_done(struct tp_core *);
/* Record the exit status for a finished call (enum tp_exit). */
void	core_set_exit_status(struct tp_core *, int status);
/* Map a final SIP failure to enum tp_exit (RFC 3261 21.4-21.6). */
int	core_exit_for_status(int status, bool no_response);

/* Scripted behaviours (auto-answer, hang-up timers, DTMF, exit after call). */
struct script;
/* Create the script sink and subscribe it.  Returns 0 or ENOMEM. */
int	script_new(struct script **, struct tp_core *);
/* Cancel its timers and free it; NULL ignored. */
void	script_free(struct script *);

#endif
