/* SPDX-License-Identifier: BSD-2-Clause */
/* termphone core: the one public header the front-ends use (events out, commands in). */
#ifndef TERMPHONE_H
#define TERMPHONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Exit statuses of the termphone binary.  Scripts rely on these; they are
 * documented in --help, the README and termphone(1).  Keep them stable.
 */
enum tp_exit {
	TP_EXIT_OK		= 0,	/* call answered and ended normally (or no call) */
	TP_EXIT_INTERNAL	= 1,	/* internal error */
	TP_EXIT_USAGE		= 2,	/* bad option, URI, file or config */
	TP_EXIT_REG_FAILED	= 3,	/* registration rejected or timed out */
	TP_EXIT_BUSY		= 4,	/* 486 Busy Here / 600 Busy Everywhere */
	TP_EXIT_DECLINED	= 5,	/* 603 Decline */
	TP_EXIT_REJECTED	= 6,	/* any other 4xx/5xx/6xx from the far end */
	TP_EXIT_NO_ANSWER	= 7,	/* 408/480, or no answer before our timeout */
	TP_EXIT_NETWORK		= 8,	/* transport failure (no response, ICMP, TCP reset) */
};

struct tp_loop;
struct tp_core;

/* One SIP account: an AOR with its credentials and servers. */
struct tp_account {
	char		*name;		/* [account NAME] section name */
	char		*aor;		/* "sip:alice@example.com"; host = service domain */
	char		*auth_user;	/* digest user; NULL = AOR user part */
	char		*password;	/* never logged */
	char		*registrar;	/* "sip:example.com"; NULL = no REGISTER */
	char		*proxy;		/* outbound proxy URI or NULL */
	unsigned	 expires;	/* requested registration expiry, s */
};

#define TP_MAX_CODECS	8

/* Everything the core needs to run: built from the config file and options. */
struct tp_config {
	char		*listen;	/* "ADDR:PORT"; NULL = 0.0.0.0:5060, ephemeral if taken */
	bool		 listen_explicit; /* the user chose it: a taken port is an error */
	struct tp_account account;	/* the active account (aor NULL = none) */
	char		*codecs[TP_MAX_CODECS]; /* SDP encoding names, preference order */
	size_t		 ncodecs;
	unsigned	 rtp_port_min, rtp_port_max;	/* even ports, inclusive */
	char		*user_agent;

	/* audio */
	char		*audio_device;	/* PortAudio device name substring; NULL = default */
	bool		 null_audio;
	char		*play_file;	/* sent as the microphone, once then silence */
	char		*record_file;	/* far-end audio written as WAV */
	char		*sounds_dir;	/* ringtone.wav, ringback.wav, busy.wav, greeting.wav */
	bool		 echo;		/* after play_file ends, send back what we hear */

	/* scripting */
	char		*dial;		/* URI or number to call at start (after REGISTER) */
	int		 auto_answer;	/* seconds before answering; -1 = off */
	int		 hangup_after;	/* seconds after answer; -1 = never */
	bool		 hangup_when_played;
	bool		 exit_after_call;
	char		*dtmf;		/* sent after answer; ',' = 1 s pause */
	int		 no_answer_timeout; /* s to wait for an answer; 0 = forever */

	/* diagnostics */
	char		*sip_trace;	/* file receiving the full text of every SIP message */
	char		*log_file;
	int		 verbosity;	/* 0 = notices, 1 = info, 2+ = debug */
};

enum tp_reg_state {
	TP_REG_NONE,			/* no registrar configured */
	TP_REG_REGISTERING,
	TP_REG_REGISTERED,
	TP_REG_UNREGISTERING,
	TP_REG_UNREGISTERED,
	TP_REG_FAILED,
};

enum tp_call_state {
	TP_CALL_CALLING,		/* UAC: INVITE sent */
	TP_CALL_RINGING,		/* UAC: 180, local ringback */
	TP_CALL_EARLY,			/* UAC: 183 with SDP, early media */
	TP_CALL_INCOMING,		/* UAS: INVITE received, 180 sent */
	TP_CALL_CONNECTED,		/* 200 OK / ACK exchanged, media up */
	TP_CALL_ENDING,			/* BYE or CANCEL sent */
	TP_CALL_ENDED,			/* terminal; the call id is then forgotten */
};

enum tp_event_type {
	TP_EV_REG_STATE,
	TP_EV_CALL_INCOMING,
	TP_EV_CALL_STATE,
	TP_EV_CALL_REDIRECT,
	TP_EV_SIP_MESSAGE,
	TP_EV_DTMF,
	TP_EV_MEDIA_STATS,
	TP_EV_NOTICE,			/* a line for the user (warnings, info) */
	TP_EV_PLAYBACK_DONE,		/* --play file reached its end */
	TP_EV_SHUTDOWN,			/* graceful shutdown finished; stop the loop */
	TP_EV_CALL_HOLD,		/* a connected call went on or off hold */
	TP_EV_CALL_MUTE,		/* our side of a call was muted or unmuted */
	TP_EV_COUNT			/* keep last */
};

/* Media statistics of one call, sent every ~1 s while media runs. */
struct tp_media_stats {
	uint32_t	 pkts_sent, pkts_recv;
	uint32_t	 pkts_lost;		/* RFC 3550 A.3 cumulative lost */
	uint32_t	 pkts_dropped;		/* from a source other than the peer */
	uint32_t	 jitter_ms;		/* RFC 3550 A.8 interarrival jitter */
	uint32_t	 plc_frames;		/* frames concealed */
};

/*
 * One event.  All pointers are borrowed: valid only during the callback.
 * call_id is 0 for events that belong to no call.  A SIP message carries
 * its call's id once the call exists (matched by Call-ID); the INVITE that
 * starts an incoming call, and the 100 Trying to it, may come first with 0.
 */
struct tp_event {
	enum tp_event_type	 type;
	unsigned		 call_id;
	union {
		struct {
			const char	*aor;
			enum tp_reg_state state;
			int		 status;	/* last SIP status, 0 if none */
			const char	*reason;
			unsigned	 expires;	/* s granted, when registered */
		} reg;
		struct {
			const char	*peer;		/* remote URI */
			const char	*display;	/* remote display name or NULL */
			enum tp_call_state state;
			bool		 outgoing;
			int		 status;	/* SIP status that caused it */
			const char	*reason;
			const char	*codec;		/* "speex/16000" once known */
			bool		 local;		/* ENDED: we hung up */
		} call;
		struct {
			int		 status;	/* 3xx */
			const char	*target;	/* new Request-URI */
		} redirect;
		struct {
			bool		 sent;		/* false: received */
			const char	*summary;	/* "INVITE" or "180 Ringing" */
			const char	*method;	/* CSeq method */
			const char	*peer;		/* "udp/127.0.0.1:5070" */
			const char	*text;		/* full message */
			size_t		 len;		/* bytes of text */
			double		 time;		/* seconds since the core started */
		} sip;
		struct {
			char		 digit;		/* 0-9 * # A-D */
			bool		 received;	/* false: we sent it */
		} dtmf;
		struct tp_media_stats media;
		struct {
			int		 level;		/* 0 error, 1 warning, 2 info */
			const char	*text;
		} notice;
		struct {
			bool		 held;		/* false: taken off hold */
			bool		 local;		/* we held it; false: the peer */
		} hold;
		struct {
			bool		 muted;
		} mute;
	} u;
};

typedef void (*tp_event_cb)(const struct tp_event *, void *arg);

/* Name of an event type, e.g. "call_state"; never NULL. */
const char	*tp_event_name(enum tp_event_type);
/* Name of a call state, e.g. "connected"; never NULL. */
const char	*tp_call_state_name(enum tp_call_state);
/* Name of a registration state, e.g. "registered"; never NULL. */
const char	*tp_reg_state_name(enum tp_reg_state);

/*
 * Create the main loop (a Sofia su_root underneath).  Returns 0 or an errno
 * value.  The caller owns *loopp and frees it with tp_loop_free().
 */
int		 tp_loop_new(struct tp_loop **loopp);
/* Free a loop; NULL is ignored. */
void		 tp_loop_free(struct tp_loop *);
/* Run the loop until tp_loop_break(); returns 0. */
int		 tp_loop_run(struct tp_loop *);
/* Make tp_loop_run() return after the current callback. */
void		 tp_loop_break(struct tp_loop *);
/*
 * Watch fd for input; cb runs on the loop thread when it is readable.
 * Returns 0, or ENOMEM/EINVAL.
 */
int		 tp_loop_watch_fd(struct tp_loop *, int fd,
		    void (*cb)(int fd, void *arg), void *arg);
/* Stop watching fd; unknown fds are ignored. */
void		 tp_loop_unwatch_fd(struct tp_loop *, int fd);
/*
 * Call cb once after ms milliseconds.  Returns a timer id > 0, or 0 on
 * allocation failure.  Cancel with tp_loop_cancel().
 */
unsigned	 tp_loop_after(struct tp_loop *, unsigned ms,
		    void (*cb)(void *arg), void *arg);
/* Cancel a pending timer; unknown or fired ids are ignored. */
void		 tp_loop_cancel(struct tp_loop *, unsigned id);

/*
 * Create a core on loop with cfg (copied; the caller keeps cfg).  Binds the
 * SIP transports and, if an account has a registrar, starts registering.
 * Returns 0, EADDRINUSE (explicit --listen port taken), EINVAL (bad
 * config, reported as a notice first), or another errno value.
 */
int		 tp_core_new(struct tp_core **corep, struct tp_loop *loop,
		    const struct tp_config *cfg);
/* Free a core (after TP_EV_SHUTDOWN for a clean exit); NULL is ignored. */
void		 tp_core_free(struct tp_core *);
/*
 * Subscribe cb to every event of core.  Sinks are called in subscription
 * order on the loop thread.  Returns 0 or ENOMEM.
 */
int		 tp_subscribe(struct tp_core *, tp_event_cb cb, void *arg);
/* The address SIP listens on, "127.0.0.1:5060"; borrowed. */
const char	*tp_core_listen_addr(const struct tp_core *);
/* The active account's AOR or NULL; borrowed. */
const char	*tp_core_aor(const struct tp_core *);
/* Current registration state. */
enum tp_reg_state tp_core_reg_state(const struct tp_core *);

/*
 * Place a call to target: a SIP URI or a bare number/name, which is completed
 * to sip:TARGET@service-domain (RFC 3261 19.1).  Returns 0 and the new call
 * id in *call_idp, EINVAL for a malformed target, EBUSY if a call is up.
 */
int		 tp_dial(struct tp_core *, const char *target, unsigned *call_idp);
/* Answer incoming call_id with 200 OK and SDP.  Returns 0, ENOENT, EINVAL. */
int		 tp_answer(struct tp_core *, unsigned call_id);
/* Reject incoming call_id with status (486, 603, ...).  Returns 0 or ENOENT. */
int		 tp_reject(struct tp_core *, unsigned call_id, int status);
/* Hang up call_id: CANCEL before the answer, BYE after.  0 or ENOENT. */
int		 tp_hangup(struct tp_core *, unsigned call_id);
/*
 * Put connected call_id on hold (hold true) or take it off hold: a
 * re-INVITE whose SDP offers a=sendonly, then a=sendrecv again (RFC 3264
 * 8.4).  While it is held here nothing is sent or played.  Emits
 * TP_EV_CALL_HOLD at once.  Returns 0 (also when already so), ENOENT (no
 * such call) or EINVAL (not connected).
 */
int		 tp_hold(struct tp_core *, unsigned call_id, bool hold);
/*
 * Mute call_id (send silence in place of the microphone; RTP goes on) or
 * unmute it.  Emits TP_EV_CALL_MUTE.  Returns 0 (also when already so) or
 * ENOENT (no such call).
 */
int		 tp_mute(struct tp_core *, unsigned call_id, bool mute);
/*
 * Queue RFC 4733 digits on call_id ("0-9*#A-D", ',' = 1 s pause).
 * Returns 0, ENOENT (no such connected call) or EINVAL (bad digit).
 */
int		 tp_send_dtmf(struct tp_core *, unsigned call_id, const char *digits);
/* The id of the call to act on by default (the only one), or 0. */
unsigned	 tp_current_call(const struct tp_core *);
/*
 * Start a graceful shutdown: hang up every call, unregister, then emit
 * TP_EV_SHUTDOWN.  Bounded: gives up waiting after a few seconds.
 */
void		 tp_shutdown(struct tp_core *);
/*
 * The exit status that summarises what happened so far (enum tp_exit):
 * the outcome of the last call, or of registration if it failed.
 */
int		 tp_core_exit_status(const struct tp_core *);

/*
 * Start the in-process demo peer on 127.0.0.1 (an ephemeral port): a second
 * UA on loop that rings for a second, answers, plays greeting.wav from
 * base->sounds_dir, then echoes the caller's audio back, and hangs up after
 * hangup_after seconds.  Its codecs and RTP ports come from base.  Writes
 * the URI to dial into uri (room urisz bytes).  Returns 0, or an errno
 * value from tp_core_new().  Free it with tp_shutdown()/tp_core_free().
 */
int		 tp_demo_new(struct tp_core **peerp, struct tp_loop *loop,
		    const struct tp_config *base, int hangup_after, char *uri,
		    size_t urisz);

/* Library version string, e.g. "0.1.0". */
const char	*tp_version(void);

#endif /* TERMPHONE_H */
