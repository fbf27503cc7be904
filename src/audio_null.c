/* SPDX-License-Identifier: BSD-2-Clause */
/* The "null" device (silence in, discard out) and the "echo" loopback. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audio_impl.h"
#include "ring.h"

/* How much audio the echo device holds at most, in ms. */
#define AUDIO_ECHO_MAX_MS	500

/* An echo device: what write() stores, read() gives back. */
struct audio_echo {
	struct audio_dev	dev;		/* first */
	struct ring		ring;
	size_t			max;		/* samples held at most */
};

/* Open a null device; spec is ignored.  Returns 0 or ENOMEM. */
static int
audio_null_open(struct audio_dev **devp, const char *spec, uint32_t rate,
    unsigned dir)
{
	struct audio_dev	*dev;

	if ((dev = calloc(1, sizeof *dev)) == NULL)
		return ENOMEM;
	dev->ops = &audio_null_ops;
	*devp = dev;
	return 0;
}

/* Free a null device. */
static void
audio_null_close(struct audio_dev *dev)
{
	free(dev);
}

/* Capture silence: fill all n samples with zeros. */
static int
audio_null_read(struct audio_dev *dev, int16_t *pcm, size_t n)
{
	memset(pcm, 0, n * sizeof *pcm);
	return (int)n;
}

/* Discard n samples. */
static int
audio_null_write(struct audio_dev *dev, const int16_t *pcm, size_t n)
{
	return 0;
}

const struct audio_dev_ops audio_null_ops = {
	.scheme = "null",
	.open = audio_null_open,
	.close = audio_null_close,
	.read = audio_null_read,
	.write = audio_null_write,
};

/* Open an echo device holding up to AUDIO_ECHO_MAX_MS at rate Hz. */
static int
audio_echo_open(struct audio_dev **devp, const char *spec, uint32_t rate,
    unsigned dir)
{
	struct audio_echo	*ae;

	if ((ae = calloc(1, sizeof *ae)) == NULL)
		return ENOMEM;
	ae->max = (size_t)rate * AUDIO_ECHO_MAX_MS / 1000;
	if (ring_init(&ae->ring, ae->max) != 0) {
		free(ae);
		return ENOMEM;
	}
	ae->dev.ops = &audio_echo_ops;
	*devp = &ae->dev;
	return 0;
}

/* Free an echo device and whatever it still holds. */
static void
audio_echo_close(struct audio_dev *dev)
{
	struct audio_echo	*ae = (struct audio_echo *)dev;

	ring_fini(&ae->ring);
	free(ae);
}

/* Give back the oldest n stored samples; silence where there are none. */
static int
audio_echo_read(struct audio_dev *dev, int16_t *pcm, size_t n)
{
	struct audio_echo	*ae = (struct audio_echo *)dev;
	size_t			 got;

	got = ring_read(&ae->ring, pcm, n);
	memset(pcm + got, 0, (n - got) * sizeof *pcm);
	return (int)n;
}

/* Store n samples for read(); what does not fit is dropped. */
static int
audio_echo_write(struct audio_dev *dev, const int16_t *pcm, size_t n)
{
	struct audio_echo	*ae = (struct audio_echo *)dev;
	size_t			 held;

	/* The ring is rounded up to a power of two; cap the delay at max. */
	held = ring_count(&ae->ring);
	if (held >= ae->max)
		return 0;
	if (n > ae->max - held)
		n = ae->max - held;
	ring_write(&ae->ring, pcm, n);
	return 0;
}

const struct audio_dev_ops audio_echo_ops = {
	.scheme = "echo",
	.open = audio_echo_open,
	.close = audio_echo_close,
	.read = audio_echo_read,
	.write = audio_echo_write,
};
