/* SPDX-License-Identifier: BSD-2-Clause */
/* Audio device front door: pick a backend by scheme and dispatch to its ops. */
#include <errno.h>
#include <string.h>

#include "audio_impl.h"
#include "log.h"

/* Every backend, looked up by scheme. */
static const struct audio_dev_ops *const audio_backends[] = {
	&audio_pa_ops,
	&audio_file_ops,
	&audio_null_ops,
	&audio_echo_ops,
};

/* Open a device of the named scheme; see audio.h. */
int
audio_open(struct audio_dev **devp, const char *scheme, const char *spec,
    uint32_t rate, unsigned dir)
{
	const struct audio_dev_ops	*ops = NULL;
	size_t				 i;
	int				 err;

	*devp = NULL;
	if (scheme == NULL || rate == 0 ||
	    (dir & (AUDIO_CAPTURE | AUDIO_PLAYBACK)) == 0 ||
	    (dir & ~(unsigned)(AUDIO_CAPTURE | AUDIO_PLAYBACK)) != 0)
		return EINVAL;
	for (i = 0; i < sizeof audio_backends / sizeof *audio_backends; i++) {
		if (strcmp(audio_backends[i]->scheme, scheme) == 0) {
			ops = audio_backends[i];
			break;
		}
	}
	if (ops == NULL) {
		log_warn("audio: unknown device scheme '%s'", scheme);
		return EINVAL;
	}
	if ((err = ops->open(devp, spec, rate, dir)) != 0)
		return err;
	(*devp)->ops = ops;
	return 0;
}

/* Close a device through its backend; NULL is ignored. */
void
audio_close(struct audio_dev *dev)
{
	if (dev != NULL)
		dev->ops->close(dev);
}

/* Capture n samples through the device's backend. */
int
audio_read(struct audio_dev *dev, int16_t *pcm, size_t n)
{
	return dev->ops->read(dev, pcm, n);
}

/* Play n samples through the device's backend. */
int
audio_write(struct audio_dev *dev, const int16_t *pcm, size_t n)
{
	return dev->ops->write(dev, pcm, n);
}

/* Create a resampler, or none for equal rates; see audio_impl.h. */
int
audio_rs_new(SpeexResamplerState **rsp, uint32_t in_rate, uint32_t out_rate)
{
	int	serr = 0;

	*rsp = NULL;
	if (in_rate == 0 || out_rate == 0)
		return EINVAL;
	if (in_rate == out_rate)
		return 0;
	*rsp = speex_resampler_init(1, in_rate, out_rate,
	    SPEEX_RESAMPLER_QUALITY_VOIP, &serr);
	if (*rsp == NULL) {
		log_error("audio: resampler %u -> %u Hz: %s", in_rate,
		    out_rate, speex_resampler_strerror(serr));
		return serr == RESAMPLER_ERR_ALLOC_FAILED ? ENOMEM : EINVAL;
	}
	/* Start without the filter's leading run of zeros. */
	speex_resampler_skip_zeros(*rsp);
	return 0;
}

/* Convert pending input into at most n outputs; see audio_impl.h. */
size_t
audio_rs_pull(SpeexResamplerState *rs, int16_t *pend, size_t *pendlen,
    int16_t *out, size_t n)
{
	spx_uint32_t	in_len, out_len;
	size_t		used, made;

	if (rs == NULL) {
		made = *pendlen < n ? *pendlen : n;
		memcpy(out, pend, made * sizeof *out);
		used = made;
	} else {
		made = used = 0;
		/* A few rounds: the filter may take input before it gives. */
		while (made < n && used < *pendlen) {
			in_len = (spx_uint32_t)(*pendlen - used);
			out_len = (spx_uint32_t)(n - made);
			speex_resampler_process_int(rs, 0, pend + used,
			    &in_len, out + made, &out_len);
			if (in_len == 0 && out_len == 0)
				break;
			used += in_len;
			made += out_len;
		}
	}
	memmove(pend, pend + used, (*pendlen - used) * sizeof *pend);
	*pendlen -= used;
	return made;
}

/* Input samples needed for n outputs, with slack; see audio_impl.h. */
size_t
audio_rs_in_len(size_t n, uint32_t in_rate, uint32_t out_rate)
{
	if (in_rate == out_rate)
		return n;
	return (size_t)(((uint64_t)n * in_rate + out_rate - 1) / out_rate) + 2;
}
