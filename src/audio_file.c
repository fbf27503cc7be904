/* SPDX-License-Identifier: BSD-2-Clause */
/* The "file" device: capture plays a sound file, playback records a WAV. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "audio_impl.h"
#include "log.h"

/* Frames read from the sound file at a time. */
#define AUDIO_FILE_CHUNK	1024

/* A file device: one direction only, a source file or a recording. */
struct audio_file {
	struct audio_dev	 dev;		/* first */
	unsigned		 dir;		/* AUDIO_CAPTURE or AUDIO_PLAYBACK */
	uint32_t		 rate;		/* Hz of read()/write() */
	SNDFILE			*sf;
	int			 fd;		/* under sf; we close it */

	/* Capture: the source, its conversion and what is left of it. */
	int			 channels;
	SpeexResamplerState	*rs;		/* NULL: file is at rate */
	int16_t			*frames;	/* CHUNK interleaved frames */
	int16_t			*pend;		/* CHUNK mono samples, file rate */
	size_t			 pendlen;
	size_t			 flush_left;	/* zeros still to push through rs */
	bool			 eof;		/* the file gave its last frame */
	bool			 done;		/* read() has given everything */

	/* Playback: the final path, the temp file and the first failure. */
	char			*path;
	char			*tmp;
	int			 failed;
};

/*
 * Open path for reading with libsndfile into *sfp and *fdp (the caller
 * closes both), filling info.  Returns 0, or ENOENT/EACCES/EINVAL with a
 * one-line reason naming the file in err (errlen bytes, may be 0).
 */
static int
audio_file_sfopen(const char *path, SF_INFO *info, SNDFILE **sfp, int *fdp,
    char *err, size_t errlen)
{
	struct stat	st;
	int		fd, e;

	*sfp = NULL;
	*fdp = -1;
	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "no sound file given");
		return EINVAL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(e));
		return e == ENOENT || e == EACCES ? e : EINVAL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': not a regular file",
		    path);
		close(fd);
		return EINVAL;
	}
	memset(info, 0, sizeof *info);
	if ((*sfp = sf_open_fd(fd, SFM_READ, info, SF_FALSE)) == NULL) {
		snprintf(err, errlen, "cannot read '%s': %s", path,
		    sf_strerror(NULL));
		close(fd);
		return EINVAL;
	}
	if (info->channels < 1 || info->samplerate < 1) {
		snprintf(err, errlen, "cannot read '%s': no audio channels",
		    path);
		sf_close(*sfp);
		*sfp = NULL;
		close(fd);
		return EINVAL;
	}
	*fdp = fd;
	return 0;
}

/* Check that path is a readable sound file; see audio.h. */
int
audio_file_check(const char *path, char *err, size_t errlen)
{
	SF_INFO	 info;
	SNDFILE	*sf;
	int	 fd, rc;

	if ((rc = audio_file_sfopen(path, &info, &sf, &fd, err, errlen)) != 0)
		return rc;
	sf_close(sf);
	close(fd);
	if (errlen > 0)
		*err = '\0';
	return 0;
}

/* Free a file device's memory (files must already be closed). */
static void
audio_file_free(struct audio_file *af)
{
	if (af->rs != NULL)
		speex_resampler_destroy(af->rs);
	free(af->frames);
	free(af->pend);
	free(af->path);
	free(af->tmp);
	free(af);
}

/* Open path as the source of read(), converted to mono at af->rate. */
static int
audio_file_open_capture(struct audio_file *af, const char *path)
{
	SF_INFO	info;
	char	why[256];
	int	err;

	err = audio_file_sfopen(path, &info, &af->sf, &af->fd, why, sizeof why);
	if (err != 0) {
		log_error("audio: %s", why);
		return err;
	}
	af->channels = info.channels;
	af->frames = calloc((size_t)AUDIO_FILE_CHUNK * (size_t)info.channels,
	    sizeof *af->frames);
	af->pend = calloc(AUDIO_FILE_CHUNK, sizeof *af->pend);
	if (af->frames == NULL || af->pend == NULL)
		return ENOMEM;
	if ((err = audio_rs_new(&af->rs, (uint32_t)info.samplerate,
	    af->rate)) != 0)
		return err;
	/* At the end, push the filter's delay out with this many zeros. */
	if (af->rs != NULL)
		af->flush_left = (size_t)speex_resampler_get_input_latency(af->rs);
	log_info("audio: playing '%s' (%d Hz, %d ch) at %u Hz", path,
	    info.samplerate, info.channels, af->rate);
	return 0;
}

/*
 * Open a temp file next to path for write() to record into; close()
 * renames it over path, so path never holds half a recording.  The temp
 * file keeps mkstemp's mode 0600: call audio is private.
 */
static int
audio_file_open_record(struct audio_file *af, const char *path)
{
	SF_INFO	info;
	size_t	len;
	int	err;

	if (path == NULL || *path == '\0')
		return EINVAL;
	len = strlen(path);
	if ((af->path = strdup(path)) == NULL ||
	    (af->tmp = malloc(len + sizeof ".XXXXXX")) == NULL)
		return ENOMEM;
	memcpy(af->tmp, path, len);
	memcpy(af->tmp + len, ".XXXXXX", sizeof ".XXXXXX");
	if ((af->fd = mkstemp(af->tmp)) == -1) {
		err = errno;
		log_error("audio: cannot record to '%s': %s", path,
		    strerror(err));
		free(af->tmp);
		af->tmp = NULL;
		return err;
	}
	memset(&info, 0, sizeof info);
	info.samplerate = (int)af->rate;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	if ((af->sf = sf_open_fd(af->fd, SFM_WRITE, &info, SF_FALSE)) == NULL) {
		log_error("audio: cannot record to '%s': %s", path,
		    sf_strerror(NULL));
		return EIO;		/* the caller removes the temp file */
	}
	log_info("audio: recording to '%s' via '%s'", path, af->tmp);
	return 0;
}

/*
 * Open spec (a path) for capture (play the file) or playback (record a
 * WAV), not both.  Returns 0, ENOENT, EACCES, EINVAL, EIO or ENOMEM.
 */
static int
audio_file_open(struct audio_dev **devp, const char *spec, uint32_t rate,
    unsigned dir)
{
	struct audio_file	*af;
	int			 err;

	if (dir != AUDIO_CAPTURE && dir != AUDIO_PLAYBACK) {
		log_error("audio: a file device plays or records, not both");
		return EINVAL;
	}
	if ((af = calloc(1, sizeof *af)) == NULL)
		return ENOMEM;
	af->dev.ops = &audio_file_ops;
	af->dir = dir;
	af->rate = rate;
	af->fd = -1;
	if (dir == AUDIO_CAPTURE)
		err = audio_file_open_capture(af, spec);
	else
		err = audio_file_open_record(af, spec);
	if (err != 0)
		goto fail;
	*devp = &af->dev;
	return 0;
fail:
	if (af->sf != NULL)
		sf_close(af->sf);
	if (af->fd != -1)
		close(af->fd);
	if (af->tmp != NULL && af->dir == AUDIO_PLAYBACK)
		unlink(af->tmp);
	audio_file_free(af);
	return err;
}

/*
 * Finish a recording: flush, sync and rename the temp file over the final
 * path, or remove it if anything failed.  Returns 0 or an errno value.
 */
static int
audio_file_finish(struct audio_file *af)
{
	int	err = af->failed;

	if (sf_close(af->sf) != 0 && err == 0)
		err = EIO;
	af->sf = NULL;
	if (err == 0 && fsync(af->fd) == -1)
		err = errno;
	if (close(af->fd) == -1 && err == 0)
		err = errno;
	af->fd = -1;
	if (err == 0 && rename(af->tmp, af->path) == -1)
		err = errno;
	if (err != 0) {
		log_error("audio: recording to '%s' failed: %s", af->path,
		    strerror(err));
		unlink(af->tmp);
		return err;
	}
	log_info("audio: recorded '%s'", af->path);
	return 0;
}

/* Close the device; a recording is finished atomically. */
static void
audio_file_close(struct audio_dev *dev)
{
	struct audio_file	*af = (struct audio_file *)dev;

	if (af->dir == AUDIO_PLAYBACK)
		audio_file_finish(af);
	else {
		sf_close(af->sf);
		close(af->fd);
	}
	audio_file_free(af);
}

/*
 * Put the next run of mono input (file rate) into the empty pend buffer:
 * file frames, then the resampler's flush zeros.  Returns false when
 * nothing is left.
 */
static bool
audio_file_refill(struct audio_file *af)
{
	sf_count_t	got, i;
	int		c;
	int32_t		sum;
	size_t		n;

	if (!af->eof) {
		got = sf_readf_short(af->sf, af->frames, AUDIO_FILE_CHUNK);
		if (got > 0) {
			for (i = 0; i < got; i++) {
				sum = 0;
				for (c = 0; c < af->channels; c++)
					sum += af->frames[i * af->channels + c];
				af->pend[i] = (int16_t)(sum / af->channels);
			}
			af->pendlen = (size_t)got;
			return true;
		}
		af->eof = true;
	}
	if (af->flush_left > 0) {
		n = af->flush_left < AUDIO_FILE_CHUNK ?
		    af->flush_left : AUDIO_FILE_CHUNK;
		memset(af->pend, 0, n * sizeof *af->pend);
		af->pendlen = n;
		af->flush_left -= n;
		return true;
	}
	return false;
}

/*
 * Fill pcm with the next n samples of the file; the last part is padded
 * with silence.  Returns n, or -1 (pcm silent) once the file is done.
 */
static int
audio_file_read(struct audio_dev *dev, int16_t *pcm, size_t n)
{
	struct audio_file	*af = (struct audio_file *)dev;
	size_t			 made = 0, got, before;

	if (af->dir != AUDIO_CAPTURE || af->done) {
		memset(pcm, 0, n * sizeof *pcm);
		return af->dir == AUDIO_CAPTURE ? -1 : (int)n;
	}
	while (made < n) {
		if (af->pendlen == 0 && !audio_file_refill(af))
			break;
		before = af->pendlen;
		got = audio_rs_pull(af->rs, af->pend, &af->pendlen, pcm + made,
		    n - made);
		made += got;
		if (got == 0 && af->pendlen == before)
			break;		/* no progress: give up, don't spin */
	}
	if (made < n) {
		memset(pcm + made, 0, (n - made) * sizeof *pcm);
		af->done = true;
		if (made == 0)
			return -1;
	}
	return (int)n;
}

/* Append n samples to the recording; returns 0 or EIO (kept for close). */
static int
audio_file_write(struct audio_dev *dev, const int16_t *pcm, size_t n)
{
	struct audio_file	*af = (struct audio_file *)dev;

	if (af->dir != AUDIO_PLAYBACK)
		return 0;
	if (af->failed != 0)
		return af->failed;
	if (sf_write_short(af->sf, pcm, (sf_count_t)n) != (sf_count_t)n) {
		log_error("audio: writing '%s': %s", af->tmp,
		    sf_strerror(af->sf));
		af->failed = EIO;
	}
	return af->failed;
}

const struct audio_dev_ops audio_file_ops = {
	.scheme = "file",
	.open = audio_file_open,
	.close = audio_file_close,
	.read = audio_file_read,
	.write = audio_file_write,
};
