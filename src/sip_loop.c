/* SPDX-License-Identifier: BSD-2-Clause */
/* The main loop: a Sofia su_root with our fds and one-shot timers on it. */

#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "termphone.h"
#include "sip.h"

/* One fd watched for input. */
struct loop_watch {
	struct loop_watch	*next;
	int			 fd;
	int			 index;		/* su_root_register() result */
	su_wait_t		 wait;
	void			(*cb)(int, void *);
	void			*arg;
};

/* One pending one-shot timer. */
struct loop_timer {
	struct loop_timer	*next;
	unsigned		 id;
	su_timer_t		*timer;
	void			(*cb)(void *);
	void			*arg;
	struct tp_loop		*loop;
};

struct tp_loop {
	su_root_t		*root;
	struct loop_watch	*watches;
	struct loop_timer	*timers;
	unsigned		 next_timer_id;
};

/* Create the su_root; su_init() is process-wide and reference counted. */
int
tp_loop_new(struct tp_loop **loopp)
{
	struct tp_loop	*loop;

	if ((loop = calloc(1, sizeof *loop)) == NULL)
		return ENOMEM;
	if (su_init() != 0) {
		free(loop);
		return EIO;
	}
	if ((loop->root = su_root_create(NULL)) == NULL) {
		su_deinit();
		free(loop);
		return ENOMEM;
	}
	*loopp = loop;
	return 0;
}

/* Free every watch and timer, then the root. */
void
tp_loop_free(struct tp_loop *loop)
{
	struct loop_watch	*w;
	struct loop_timer	*t;

	if (loop == NULL)
		return;
	while ((w = loop->watches) != NULL) {
		loop->watches = w->next;
		su_root_deregister(loop->root, w->index);
		free(w);
	}
	while ((t = loop->timers) != NULL) {
		loop->timers = t->next;
		su_timer_destroy(t->timer);
		free(t);
	}
	su_root_destroy(loop->root);
	su_deinit();
	free(loop);
}

/* Run until tp_loop_break(). */
int
tp_loop_run(struct tp_loop *loop)
{
	su_root_run(loop->root);
	return 0;
}

/* Ask su_root_run() to return. */
void
tp_loop_break(struct tp_loop *loop)
{
	su_root_break(loop->root);
}

/* The su_root under a loop, for the SIP module. */
su_root_t *
sip_loop_root(struct tp_loop *loop)
{
	return loop->root;
}

/* Dispatch readiness of a watched fd to its callback. */
static int
loop_wakeup(su_root_magic_t *magic, su_wait_t *wait, su_wakeup_arg_t *arg)
{
	struct loop_watch	*w = (struct loop_watch *)arg;

	(void)magic;
	(void)wait;
	w->cb(w->fd, w->arg);
	return 0;
}

/* Register fd for input on the root. */
int
tp_loop_watch_fd(struct tp_loop *loop, int fd, void (*cb)(int, void *),
    void *arg)
{
	struct loop_watch	*w;

	if (fd < 0 || cb == NULL)
		return EINVAL;
	if ((w = calloc(1, sizeof *w)) == NULL)
		return ENOMEM;
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
	if (su_wait_create(&w->wait, fd, SU_WAIT_IN | SU_WAIT_HUP) != 0) {
		free(w);
		return EINVAL;
	}
	w->index = su_root_register(loop->root, &w->wait, loop_wakeup,
	    (su_wakeup_arg_t *)w, 0);
	if (w->index < 0) {
		su_wait_destroy(&w->wait);
		free(w);
		return ENOMEM;
	}
	w->next = loop->watches;
	loop->watches = w;
	return 0;
}

/* Deregister fd; unknown fds are ignored. */
void
tp_loop_unwatch_fd(struct tp_loop *loop, int fd)
{
	struct loop_watch	**wp, *w;

	for (wp = &loop->watches; (w = *wp) != NULL; wp = &w->next) {
		if (w->fd != fd)
			continue;
		*wp = w->next;
		su_root_deregister(loop->root, w->index);
		free(w);
		return;
	}
}

/* Unlink t from its loop's timer list and free it. */
static void
loop_timer_free(struct loop_timer *t)
{
	struct loop_timer	**tp;

	for (tp = &t->loop->timers; *tp != NULL; tp = &(*tp)->next) {
		if (*tp == t) {
			*tp = t->next;
			break;
		}
	}
	su_timer_destroy(t->timer);
	free(t);
}

/* A timer fired: forget it first, so the callback may set new timers. */
static void
loop_timer_fire(su_root_magic_t *magic, su_timer_t *timer, su_timer_arg_t *arg)
{
	struct loop_timer	*t = (struct loop_timer *)arg;
	void			(*cb)(void *) = t->cb;
	void			*cbarg = t->arg;

	(void)magic;
	(void)timer;
	loop_timer_free(t);
	cb(cbarg);
}

/* Start a one-shot timer of ms milliseconds. */
unsigned
tp_loop_after(struct tp_loop *loop, unsigned ms, void (*cb)(void *), void *arg)
{
	struct loop_timer	*t;

	if ((t = calloc(1, sizeof *t)) == NULL)
		return 0;
	/* Sofia asserts on a zero duration; 1 ms still means "next turn". */
	t->timer = su_timer_create(su_root_task(loop->root), ms > 0 ? ms : 1);
	if (t->timer == NULL) {
		free(t);
		return 0;
	}
	if (++loop->next_timer_id == 0)
		loop->next_timer_id = 1;
	t->id = loop->next_timer_id;
	t->cb = cb;
	t->arg = arg;
	t->loop = loop;
	t->next = loop->timers;
	loop->timers = t;
	if (su_timer_set(t->timer, loop_timer_fire, (su_timer_arg_t *)t) != 0) {
		loop_timer_free(t);
		return 0;
	}
	return t->id;
}

/* Cancel a pending timer by id. */
void
tp_loop_cancel(struct tp_loop *loop, unsigned id)
{
	struct loop_timer	*t;

	if (id == 0)
		return;
	for (t = loop->timers; t != NULL; t = t->next) {
		if (t->id == id) {
			loop_timer_free(t);
			return;
		}
	}
}
