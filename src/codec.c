/* SPDX-License-Identifier: BSD-2-Clause */
/* The codec table: which codecs we have, in our order of preference. */

#include <stddef.h>
#include <strings.h>

#include "codec.h"

/*
 * The descriptors live with their implementations (g711.c, codec_speex.c);
 * only this file needs to name them.
 */
extern const struct codec_desc codec_speex_wb, codec_speex_nb;
extern const struct codec_desc codec_pcmu, codec_pcma;

/* Built-in preference: wideband first, then narrowband, then G.711. */
static const struct codec_desc *const codec_list[] = {
	&codec_speex_wb,
	&codec_speex_nb,
	&codec_pcmu,
	&codec_pcma,
	NULL
};

/* Config names and the codec each selects. */
static const struct {
	const char		*cfgname;
	const struct codec_desc	*desc;
} codec_cfgnames[] = {
	{ "speex-wb",	&codec_speex_wb },
	{ "speex-nb",	&codec_speex_nb },
	{ "PCMU",	&codec_pcmu },
	{ "PCMA",	&codec_pcma },
};

/* Return the NULL-terminated table in preference order. */
const struct codec_desc *const *
codec_table(void)
{
	return codec_list;
}

/* Find the first codec in preference order with this name and rate. */
const struct codec_desc *
codec_find(const char *name, uint32_t clock_rate)
{
	const struct codec_desc *const	*d;

	if (name == NULL)
		return NULL;
	for (d = codec_list; *d != NULL; d++) {
		if (strcasecmp((*d)->name, name) != 0)
			continue;
		if (clock_rate == 0 || (*d)->clock_rate == clock_rate)
			return *d;
	}
	return NULL;
}

/* Find a codec by the name the config file uses for it. */
const struct codec_desc *
codec_find_config(const char *cfgname)
{
	size_t	i;

	if (cfgname == NULL)
		return NULL;
	for (i = 0; i < sizeof codec_cfgnames / sizeof codec_cfgnames[0]; i++) {
		if (strcasecmp(codec_cfgnames[i].cfgname, cfgname) == 0)
			return codec_cfgnames[i].desc;
	}
	return NULL;
}

/* Samples per frame: clock_rate (Hz) times frame_ms (ms) over 1000. */
size_t
codec_frame_samples(const struct codec_desc *d)
{
	return (size_t)d->clock_rate * d->frame_ms / 1000;
}

/* Round ms down to a whole multiple of step (at least one step). */
static uint32_t
codec_round_ptime(uint32_t ms, uint32_t step)
{
	ms -= ms % step;
	return ms < step ? step : ms;
}

/* The packet duration to send; see codec.h. */
uint32_t
codec_tx_ptime(const struct codec_desc *d, uint32_t ptime, uint32_t maxptime)
{
	uint32_t	step = d->step_ms > 0 ? d->step_ms : d->frame_ms;
	uint32_t	ms;

	ms = codec_round_ptime(ptime > 0 ? ptime : d->frame_ms, step);
	if (maxptime > 0 && ms > codec_round_ptime(maxptime, step))
		ms = codec_round_ptime(maxptime, step);
	if (ms > codec_round_ptime(CODEC_MAX_PTIME, step))
		ms = codec_round_ptime(CODEC_MAX_PTIME, step);
	return ms;
}
