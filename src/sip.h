/* SPDX-License-Identifier: BSD-2-Clause */
/* The SIP module's interface to the core: Sofia NUA behind plain C calls. */
#ifndef TP_SIP_H
#define TP_SIP_H

#include <stdbool.h>

#include "termphone.h"

struct sip;
struct call;
struct tp_core;
struct su_root_s;

/* The su_root under loop (sip_loop.c), for nua_create(). */
struct su_root_s *sip_loop_root(struct tp_loop *loop);

/*
 * Create the user agent for core: bind UDP and TCP on cfg->listen (default
 * 0.0.0.0:5060, or an ephemeral port with a notice if that is taken) and
 * fill core->listen_addr.  trace: capture every message for
 * TP_EV_SIP_MESSAGE (one core per process may set it).  Returns 0,
 * EADDRINUSE (explicit listen address taken), EINVAL (bad listen address)
 * or EIO.
 */
int	sip_new(struct sip **sipp, struct tp_core *core, bool trace);
/* Free after sip_shutdown() finished (or at once if it never started). */
void	sip_free(struct sip *);
/*
 * REGISTER the account's AOR with its registrar (RFC 3261 10), answering
 * 401/407 with digest credentials (RFC 2617) and refreshing before expiry.
 * Returns 0, or ENOENT if the account has no registrar.
 */
int	sip_register(struct sip *);
/*
 * Send an INVITE for call to uri with our SDP offer (RFC 3264 5).
 * media_addr is the address our RTP uses.  Returns 0 or EINVAL (bad URI).
 */
int	sip_call_invite(struct sip *, struct call *, const char *uri,
	    const char *sdp, const char *media_addr);
/*
 * Answer call with 200 OK carrying sdp (our capabilities; soa answers the
 * offer from them, RFC 3264 6).  Returns 0 or ENOENT.
 */
int	sip_call_answer(struct call *, const char *sdp, const char *media_addr);
/* Reject an incoming call with status (RFC 3261 13.3.1.3).  0 or ENOENT. */
int	sip_call_reject(struct call *, int status);
/* CANCEL before the answer (RFC 3261 9), BYE after (15.1).  0 or ENOENT. */
int	sip_call_hangup(struct call *);
/*
 * Send a re-INVITE that holds the call (our SDP a=sendonly) or takes it
 * off hold (a=sendrecv), RFC 3264 8.4.  Returns 0 or ENOENT.
 */
int	sip_call_hold(struct call *, bool hold);
/*
 * Hang up every call, unregister, then shut NUA down; core_shutdown_done()
 * is called when all of it finished.
 */
void	sip_shutdown(struct sip *);
/* Give up waiting for a clean shutdown (core's guard timer fired). */
void	sip_shutdown_force(struct sip *);

#endif
