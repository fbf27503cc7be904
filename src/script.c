/* SPDX-License-Identifier: BSD-2-Clause */
/* Scripted behaviours as one more event sink: dial at start, timers, DTMF, exit. */

#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>

#include "core.h"
#include "log.h"

struct script {
	struct tp_core	*core;
	bool		 dialled;	/* the start-up dial was placed */
	unsigned	 answer_timer;
	unsigned	 answer_call;
	unsigned	 hangup_timer;
	unsigned	 noanswer_timer;
	unsigned	 timer_call;	/* call the hang-up timers act on */
	unsigned	 start_timer;
};

/* Place the start-up call (cfg->dial); on failure end the run. */
static void
script_dial(struct script *s)
{
	struct tp_core	*core = s->core;

	if (s->dialled || core->cfg.dial == NULL)
		return;
	s->dialled = true;
	if (tp_dial(core, core->cfg.dial, NULL) != 0) {
		core_set_exit_status(core, TP_EXIT_USAGE);
		tp_shutdown(core);
	}
}

/* The start-up check, run from the loop once everything is subscribed. */
static void
script_start(void *arg)
{
	struct script	*s = arg;

	s->start_timer = 0;
	if (s->core->cfg.account.registrar == NULL)
		script_dial(s);
}

/* --auto-answer fired. */
static void
script_answer(void *arg)
{
	struct script	*s = arg;

	s->answer_timer = 0;
	tp_answer(s->core, s->answer_call);
}

/* --hangup-after fired. */
static void
script_hangup(void *arg)
{
	struct script	*s = arg;

	s->hangup_timer = 0;
	tp_hangup(s->core, s->timer_call);
}

/* --no-answer-timeout fired: give up on the call. */
static void
script_noanswer(void *arg)
{
	struct script	*s = arg;
	struct call	*call = core_call_find(s->core, s->timer_call);

	s->noanswer_timer = 0;
	if (call == NULL || call->answered)
		return;
	core_notice(s->core, 1, "no answer after %d s; hanging up",
	    s->core->cfg.no_answer_timeout);
	core_call_set_outcome(call, TP_EXIT_NO_ANSWER);
	tp_hangup(s->core, call->id);
}

/* Cancel every timer. */
static void
script_cancel(struct script *s)
{
	tp_loop_cancel(s->core->loop, s->answer_timer);
	tp_loop_cancel(s->core->loop, s->hangup_timer);
	tp_loop_cancel(s->core->loop, s->noanswer_timer);
	s->answer_timer = s->hangup_timer = s->noanswer_timer = 0;
}

/* React to a call's state change. */
static void
script_call_state(struct script *s, const struct tp_event *ev)
{
	const struct tp_config	*cfg = &s->core->cfg;
	struct tp_loop		*loop = s->core->loop;

	switch (ev->u.call.state) {
	case TP_CALL_CALLING:
		s->timer_call = ev->call_id;
		if (cfg->no_answer_timeout > 0 && s->noanswer_timer == 0)
			s->noanswer_timer = tp_loop_after(loop,
			    (unsigned)cfg->no_answer_timeout * 1000,
			    script_noanswer, s);
		break;
	case TP_CALL_CONNECTED:
		tp_loop_cancel(loop, s->noanswer_timer);
		s->noanswer_timer = 0;
		s->timer_call = ev->call_id;
		if (cfg->hangup_after >= 0 && s->hangup_timer == 0)
			s->hangup_timer = tp_loop_after(loop,
			    (unsigned)cfg->hangup_after * 1000, script_hangup, s);
		if (cfg->dtmf != NULL && tp_send_dtmf(s->core, ev->call_id,
		    cfg->dtmf) != 0)
			core_notice(s->core, 1, "cannot send DTMF '%s': the peer "
			    "offered no telephone-event", cfg->dtmf);
		break;
	case TP_CALL_ENDED:
		script_cancel(s);
		if (cfg->exit_after_call && core_call_count(s->core) <= 1)
			tp_shutdown(s->core);
		break;
	default:
		break;
	}
}

/* The script's event sink. */
static void
script_event(const struct tp_event *ev, void *arg)
{
	struct script		*s = arg;
	const struct tp_config	*cfg = &s->core->cfg;

	switch (ev->type) {
	case TP_EV_REG_STATE:
		if (ev->u.reg.state == TP_REG_REGISTERED)
			script_dial(s);
		else if (ev->u.reg.state == TP_REG_FAILED &&
		    (cfg->dial != NULL || cfg->exit_after_call) &&
		    !s->core->shutting_down) {
			core_notice(s->core, 0, "registration failed: %d %s",
			    ev->u.reg.status, ev->u.reg.reason != NULL ?
			    ev->u.reg.reason : "");
			tp_shutdown(s->core);
		}
		break;
	case TP_EV_CALL_INCOMING:
		if (cfg->auto_answer == 0)
			/* No timer: Sofia's have a 1 ms floor, setup costs ~2 ms. */
			tp_answer(s->core, ev->call_id);
		else if (cfg->auto_answer > 0) {
			s->answer_call = ev->call_id;
			s->answer_timer = tp_loop_after(s->core->loop,
			    (unsigned)cfg->auto_answer * 1000, script_answer, s);
		}
		break;
	case TP_EV_CALL_STATE:
		script_call_state(s, ev);
		break;
	case TP_EV_PLAYBACK_DONE:
		if (cfg->hangup_when_played)
			tp_hangup(s->core, ev->call_id);
		break;
	default:
		break;
	}
}

/* Create and subscribe the script sink; see core.h. */
int
script_new(struct script **sp, struct tp_core *core)
{
	struct script	*s;
	int		 err;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return ENOMEM;
	s->core = core;
	if ((err = tp_subscribe(core, script_event, s)) != 0) {
		free(s);
		return err;
	}
	s->start_timer = tp_loop_after(core->loop, 0, script_start, s);
	*sp = s;
	return 0;
}

/* Cancel timers and free; see core.h. */
void
script_free(struct script *s)
{
	if (s == NULL)
		return;
	script_cancel(s);
	tp_loop_cancel(s->core->loop, s->start_timer);
	free(s);
}
