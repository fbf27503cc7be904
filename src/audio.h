/* SPDX-License-Identifier: BSD-2-Clause */
/* Audio devices behind one ops struct: PortAudio, sound files, null, echo. */
#ifndef TP_AUDIO_H
#define TP_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_CAPTURE	0x1		/* microphone side: read() */
#define AUDIO_PLAYBACK	0x2		/* speaker side: write() */

struct audio_dev;

/*
 * A device backend, picked at run time by scheme.  Every device works at
 * the rate given to open() (Hz), mono, signed 16-bit, and converts to its
 * own rate internally.  read() and write() are called from the media
 * thread once per frame; they never block.  Pacing is the media thread's
 * job (its clock), so file and null devices run in real time.
 */
struct audio_dev_ops {
	const char	*scheme;	/* "pa", "file", "null", "echo" */
	/*
	 * Open spec (scheme-specific: a device name for "pa", a path for
	 * "file", ignored for "null"/"echo") for dir (AUDIO_CAPTURE,
	 * AUDIO_PLAYBACK or both).  Returns 0, ENOENT (no such device or
	 * file), ENODEV (no audio device at all), EINVAL (unreadable or
	 * unknown file format) or ENOMEM.
	 */
	int	(*open)(struct audio_dev **, const char *spec, uint32_t rate,
		    unsigned dir);
	/* Close and free; for a recording, finish the file atomically. */
	void	(*close)(struct audio_dev *);
	/*
	 * Capture n samples into pcm.  Fills all n (silence where nothing is
	 * available) and returns n, or returns -1 once a file source has
	 * played to its end (pcm is then silence).
	 */
	int	(*read)(struct audio_dev *, int16_t *pcm, size_t n);
	/* Play or store n samples; returns 0 or an errno value. */
	int	(*write)(struct audio_dev *, const int16_t *pcm, size_t n);
};

struct audio_dev {
	const struct audio_dev_ops *ops;
};

/*
 * Open a device by scheme ("pa", "file", "null", "echo"); see
 * audio_dev_ops.open for spec and errors.  EINVAL for an unknown scheme.
 */
int	audio_open(struct audio_dev **devp, const char *scheme,
	    const char *spec, uint32_t rate, unsigned dir);
/* Close a device; NULL is ignored. */
void	audio_close(struct audio_dev *);
/* Capture n samples; see audio_dev_ops.read. */
int	audio_read(struct audio_dev *, int16_t *pcm, size_t n);
/* Play n samples; see audio_dev_ops.write. */
int	audio_write(struct audio_dev *, const int16_t *pcm, size_t n);

/*
 * Check that path is a sound file libsndfile can read.  Returns 0, or
 * ENOENT/EACCES/EINVAL with a one-line reason in err (room errlen bytes).
 */
int	audio_file_check(const char *path, char *err, size_t errlen);

/*
 * Initialise PortAudio once per process, with its (and ALSA's/JACK's)
 * stderr noise going to the log.  Returns 0 or ENODEV when PortAudio has no
 * device at all.  Safe to call again; audio_pa_terminate() undoes it.
 */
int	audio_pa_init(void);
/*
 * Check, before any call, that PortAudio can find both directions of the
 * device spec names ("[jack:|alsa:|oss:]NAME", as for the "pa" device;
 * "" is the default device).  Initialises PortAudio (audio_pa_init()).
 * Returns 0; ENODEV when PortAudio has no device at all or not that host
 * API; ENOENT when no input or no output device matches NAME.  On an error
 * err (room errlen bytes) holds a one-line reason that names spec.
 */
int	audio_pa_check(const char *spec, char *err, size_t errlen);
/* Terminate PortAudio if audio_pa_init() succeeded. */
void	audio_pa_terminate(void);
/*
 * Print one line per PortAudio device to fp: index, host API, name,
 * channels in/out and default rate.  Returns the number of devices.
 */
int	audio_pa_list(void *fp);

#endif
