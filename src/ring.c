/* SPDX-License-Identifier: BSD-2-Clause */
/* Lock-free single-producer/single-consumer ring of int16 samples. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

/*
 * head and tail are free-running counters: they only ever grow (wrapping at
 * SIZE_MAX + 1, which is a multiple of size), so head - tail is the fill
 * level and "& (size - 1)" the position.  Each end owns one counter and
 * publishes it with a release store after touching the samples; the other
 * end reads it with an acquire load before touching them.  Hence the
 * producer never overwrites samples the consumer has not finished with,
 * and the consumer never sees samples before they are written.
 */

/* Round n up to a power of two; returns 0 if that does not fit. */
static size_t
ring_pow2(size_t n)
{
	size_t	p = 1;

	while (p < n) {
		if (p > SIZE_MAX / 2)
			return 0;
		p <<= 1;
	}
	return p;
}

/* Allocate storage for at least min_samples; see ring.h. */
int
ring_init(struct ring *r, size_t min_samples)
{
	size_t	size;

	size = ring_pow2(min_samples < 2 ? 2 : min_samples);
	if (size == 0 || size > SIZE_MAX / sizeof *r->buf)
		return ENOMEM;
	if ((r->buf = calloc(size, sizeof *r->buf)) == NULL)
		return ENOMEM;
	r->size = size;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

/* Free the storage; the ring is left empty with no buffer. */
void
ring_fini(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->size = 0;
	atomic_store(&r->head, 0);
	atomic_store(&r->tail, 0);
}

/* Samples ready to read, as seen by either end. */
size_t
ring_count(const struct ring *r)
{
	size_t	tail, head, n;

	/*
	 * Load tail first: head is never behind it, so the difference cannot
	 * underflow.  A third thread may see a stale tail and a newer head,
	 * so clamp to the size.
	 */
	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	n = head - tail;
	return n > r->size ? r->size : n;
}

/* Samples of free space, as seen by either end. */
size_t
ring_space(const struct ring *r)
{
	return r->size - ring_count(r);
}

/* Copy up to n samples in at the head; producer only. */
size_t
ring_write(struct ring *r, const int16_t *pcm, size_t n)
{
	size_t	head, tail, space, pos, first;

	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	space = r->size - (head - tail);
	if (n > space)
		n = space;
	if (n == 0)
		return 0;

	pos = head & (r->size - 1);
	first = r->size - pos;
	if (first > n)
		first = n;
	memcpy(r->buf + pos, pcm, first * sizeof *pcm);
	memcpy(r->buf, pcm + first, (n - first) * sizeof *pcm);

	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

/* Copy up to n samples out from the tail; consumer only. */
size_t
ring_read(struct ring *r, int16_t *pcm, size_t n)
{
	size_t	head, tail, avail, pos, first;

	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	avail = head - tail;
	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;

	pos = tail & (r->size - 1);
	first = r->size - pos;
	if (first > n)
		first = n;
	memcpy(pcm, r->buf + pos, first * sizeof *pcm);
	memcpy(pcm + first, r->buf, (n - first) * sizeof *pcm);

	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

/* Drop up to n samples from the tail; consumer only. */
size_t
ring_skip(struct ring *r, size_t n)
{
	size_t	head, tail, avail;

	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	avail = head - tail;
	if (n > avail)
		n = avail;
	if (n != 0)
		atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}
