/* SPDX-License-Identifier: BSD-2-Clause */
/* Lock-free single-producer/single-consumer ring of int16 samples (C11 atomics). */
#ifndef TP_RING_H
#define TP_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Why our own: libportaudio2 exports no ring buffer and speexdsp installs no
 * speex_buffer.h.  One thread writes, one thread reads; neither blocks,
 * locks or allocates, so the PortAudio callback may use either end.
 */
struct ring {
	int16_t		*buf;
	size_t		 size;		/* samples, a power of two */
	atomic_size_t	 head;		/* next write, producer-owned */
	atomic_size_t	 tail;		/* next read, consumer-owned */
};

/*
 * Allocate room for at least min_samples (rounded up to a power of two).
 * Returns 0 or ENOMEM.  Call before the threads start.
 */
int	ring_init(struct ring *, size_t min_samples);
/* Free the storage; the ring must no longer be in use. */
void	ring_fini(struct ring *);
/* Samples ready to read. */
size_t	ring_count(const struct ring *);
/* Samples of free space. */
size_t	ring_space(const struct ring *);
/* Write up to n samples; returns how many fit (producer only). */
size_t	ring_write(struct ring *, const int16_t *pcm, size_t n);
/* Read up to n samples; returns how many were read (consumer only). */
size_t	ring_read(struct ring *, int16_t *pcm, size_t n);
/* Drop up to n samples from the read end (consumer only); returns count. */
size_t	ring_skip(struct ring *, size_t n);

#endif
