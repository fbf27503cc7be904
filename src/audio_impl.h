/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal to the audio backends: their ops and shared resampling helpers. */
#ifndef TP_AUDIO_IMPL_H
#define TP_AUDIO_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <speex/speex_resampler.h>

#include "audio.h"

extern const struct audio_dev_ops audio_pa_ops;
extern const struct audio_dev_ops audio_file_ops;
extern const struct audio_dev_ops audio_null_ops;
extern const struct audio_dev_ops audio_echo_ops;

/*
 * Create a mono speexdsp resampler from in_rate to out_rate (Hz) at VOIP
 * quality into *rsp; *rsp is NULL when the rates are equal (no conversion
 * needed).  The caller owns it (speex_resampler_destroy).  Returns 0,
 * EINVAL for a zero rate or ENOMEM.
 */
int	audio_rs_new(SpeexResamplerState **rsp, uint32_t in_rate,
	    uint32_t out_rate);
/*
 * Convert from the pending input pend (*pendlen samples, in_rate) into at
 * most n output samples at out, then move the unconsumed input to the front
 * of pend and update *pendlen.  rs NULL copies.  Returns the number of
 * samples written to out (fewer than n when the input runs short).
 */
size_t	audio_rs_pull(SpeexResamplerState *rs, int16_t *pend, size_t *pendlen,
	    int16_t *out, size_t n);
/*
 * Input samples (at in_rate) that yield n samples at out_rate, rounded up,
 * plus a little slack for the resampler's fractional phase.
 */
size_t	audio_rs_in_len(size_t n, uint32_t in_rate, uint32_t out_rate);

/* Counters of a PortAudio device since open(); see audio_pa_stats(). */
struct audio_pa_stats {
	uint32_t	dev_rate;	/* Hz the stream runs at */
	uint32_t	max_block;	/* largest callback, frames */
	uint64_t	callbacks;	/* callbacks run */
	uint64_t	frames;		/* frames passed through callbacks */
	uint64_t	host_xruns;	/* callbacks flagged under/overflow */
	uint64_t	cap_overrun;	/* captured samples dropped: ring full */
	uint64_t	cap_skipped;	/* samples skipped by read() to cut latency */
	uint64_t	cap_silence;	/* samples read() padded with silence */
	uint64_t	play_underrun;	/* zero samples the callback played */
	uint64_t	play_dropped;	/* samples write() dropped: ring full */
};

/*
 * Copy the counters of dev (opened with scheme "pa") to st.  Safe from the
 * media thread while the stream runs.  Returns 0, or EINVAL if dev is not
 * a PortAudio device.
 */
int	audio_pa_stats(struct audio_dev *dev, struct audio_pa_stats *st);

#endif
