/* SPDX-License-Identifier: BSD-2-Clause */
/* The "pa" device: PortAudio at the device's own rate, behind two rings. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <portaudio.h>

#include "audio_impl.h"
#include "log.h"
#include "ring.h"

/* Room in each ring, in ms at the device rate. */
#define AUDIO_PA_RING_MS	200
/* Scratch frames the callback converts at a time for multi-channel devices. */
#define AUDIO_PA_CB_CHUNK	256
/* Frame length the media-thread buffers are first sized for, in ms. */
#define AUDIO_PA_FRAME_MS	100

/*
 * Threads: the PortAudio callback is the producer of the capture ring and
 * the consumer of the playback ring; the media thread (read()/write()) is
 * the other end of each.  The callback only copies between the stream and
 * the rings and bumps atomic counters.  Rate conversion, priming and
 * latency trimming all happen in read()/write().
 */
struct audio_pa {
	struct audio_dev	 dev;		/* first */
	PaStream		*stream;
	unsigned		 dir;
	uint32_t		 rate;		/* Hz of read()/write() */
	uint32_t		 dev_rate;	/* Hz of the stream */
	int			 in_ch, out_ch;
	struct ring		 cap;		/* device rate, mono */
	struct ring		 play;		/* device rate, mono */

	/* Media thread only. */
	SpeexResamplerState	*cap_rs;	/* dev_rate -> rate, or NULL */
	SpeexResamplerState	*play_rs;	/* rate -> dev_rate, or NULL */
	int16_t			*cap_pend;	/* captured, not yet converted */
	size_t			 cap_pendlen;
	size_t			 cap_pendcap;
	int16_t			*play_buf;	/* converted, about to be queued */
	size_t			 play_bufcap;
	bool			 cap_primed;

	/* Callback only. */
	bool			 play_running;

	/* Shared: written by one side, read by the other. */
	atomic_size_t		 play_margin;	/* samples, set by write() */
	atomic_uint_least32_t	 max_block;	/* frames, set by callback */
	atomic_uint_least64_t	 callbacks;
	atomic_uint_least64_t	 frames;
	atomic_uint_least64_t	 host_xruns;
	atomic_uint_least64_t	 cap_overrun;
	atomic_uint_least64_t	 cap_skipped;
	atomic_uint_least64_t	 cap_silence;
	atomic_uint_least64_t	 play_underrun;
	atomic_uint_least64_t	 play_dropped;
};

static pthread_mutex_t	audio_pa_lock = PTHREAD_MUTEX_INITIALIZER;
static bool		audio_pa_ready;

/* Add v to a statistics counter (relaxed: only totals matter). */
static inline void
audio_pa_count(atomic_uint_least64_t *c, uint64_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

/* Map a PortAudio error to an errno value. */
static int
audio_pa_errno(PaError perr)
{
	switch (perr) {
	case paNoError:
		return 0;
	case paInsufficientMemory:
		return ENOMEM;
	case paInvalidDevice:
	case paDeviceUnavailable:
		return ENODEV;
	case paInvalidChannelCount:
	case paInvalidSampleRate:
	case paSampleFormatNotSupported:
	case paBadIODeviceCombination:
		return EINVAL;
	default:
		return EIO;
	}
}

/*
 * PortAudio is loaded with dlopen() the first time a sound card is wanted,
 * not linked: through libjack and libasound it maps libstdc++, libdb and
 * more, about 2.3 MB of resident memory that a phone on null or file audio
 * (scripts, tests, the demo) never uses.  The headers still give us every
 * type, so each entry point is a pointer of the library's own type.
 */
static struct {
	void	*lib;
	__typeof__(Pa_AbortStream)			*AbortStream;
	__typeof__(Pa_CloseStream)			*CloseStream;
	__typeof__(Pa_GetDefaultInputDevice)		*GetDefaultInputDevice;
	__typeof__(Pa_GetDefaultOutputDevice)		*GetDefaultOutputDevice;
	__typeof__(Pa_GetDeviceCount)			*GetDeviceCount;
	__typeof__(Pa_GetDeviceInfo)			*GetDeviceInfo;
	__typeof__(Pa_GetErrorText)			*GetErrorText;
	__typeof__(Pa_GetHostApiInfo)			*GetHostApiInfo;
	__typeof__(Pa_GetVersionText)			*GetVersionText;
	__typeof__(Pa_HostApiTypeIdToHostApiIndex)	*HostApiTypeIdToHostApiIndex;
	__typeof__(Pa_Initialize)			*Initialize;
	__typeof__(Pa_IsFormatSupported)		*IsFormatSupported;
	__typeof__(Pa_OpenStream)			*OpenStream;
	__typeof__(Pa_StartStream)			*StartStream;
	__typeof__(Pa_Terminate)			*Terminate;
} palib;

/* Load libportaudio.so.2 and its entry points once.  Returns 0 or ENODEV. */
static int
audio_pa_load(void)
{
	if (palib.lib != NULL)
		return 0;
	if ((palib.lib = dlopen("libportaudio.so.2", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		log_error("audio: cannot load PortAudio: %s", dlerror());
		return ENODEV;
	}
#define PA_SYM(name) \
	if ((*(void **)&palib.name = dlsym(palib.lib, "Pa_" #name)) == NULL) \
		goto fail
	PA_SYM(AbortStream);
	PA_SYM(CloseStream);
	PA_SYM(GetDefaultInputDevice);
	PA_SYM(GetDefaultOutputDevice);
	PA_SYM(GetDeviceCount);
	PA_SYM(GetDeviceInfo);
	PA_SYM(GetErrorText);
	PA_SYM(GetHostApiInfo);
	PA_SYM(GetVersionText);
	PA_SYM(HostApiTypeIdToHostApiIndex);
	PA_SYM(Initialize);
	PA_SYM(IsFormatSupported);
	PA_SYM(OpenStream);
	PA_SYM(StartStream);
	PA_SYM(Terminate);
#undef PA_SYM
	return 0;
fail:
	log_error("audio: PortAudio lacks a symbol: %s", dlerror());
	dlclose(palib.lib);
	palib.lib = NULL;
	return ENODEV;
}

/* Initialise PortAudio once; see audio.h. */
int
audio_pa_init(void)
{
	PaError	perr;
	int	n, err = 0;

	pthread_mutex_lock(&audio_pa_lock);
	if (audio_pa_ready)
		goto out;
	if ((err = audio_pa_load()) != 0)
		goto out;
	if ((perr = palib.Initialize()) != paNoError) {
		log_error("audio: PortAudio: %s", palib.GetErrorText(perr));
		err = perr == paInsufficientMemory ? ENOMEM : ENODEV;
		goto out;
	}
	if ((n = palib.GetDeviceCount()) <= 0) {
		log_warn("audio: PortAudio finds no audio device");
		palib.Terminate();
		err = ENODEV;
		goto out;
	}
	log_info("audio: %s, %d devices", palib.GetVersionText(), n);
	audio_pa_ready = true;
out:
	pthread_mutex_unlock(&audio_pa_lock);
	return err;
}

/* Terminate PortAudio if it was initialised. */
void
audio_pa_terminate(void)
{
	pthread_mutex_lock(&audio_pa_lock);
	if (audio_pa_ready) {
		palib.Terminate();
		audio_pa_ready = false;
	}
	pthread_mutex_unlock(&audio_pa_lock);
}

/* List the PortAudio devices on fp (a FILE *); see audio.h. */
int
audio_pa_list(void *fp)
{
	const PaDeviceInfo	*di;
	const PaHostApiInfo	*hi;
	int			 i, n;

	if (audio_pa_init() != 0)
		return 0;
	n = palib.GetDeviceCount();
	for (i = 0; i < n; i++) {
		if ((di = palib.GetDeviceInfo(i)) == NULL)
			continue;
		hi = palib.GetHostApiInfo(di->hostApi);
		fprintf(fp, "%3d  %-5s  %s  (in %d, out %d, %.0f Hz)\n", i,
		    hi != NULL ? hi->name : "?", di->name,
		    di->maxInputChannels, di->maxOutputChannels,
		    di->defaultSampleRate);
	}
	return n < 0 ? 0 : n;
}

/*
 * Take a host-API prefix ("jack:", "alsa:", "oss:") off *specp, or else
 * read TP_PA_HOSTAPI ("jack", "alsa", "oss"), and give its index in *hip
 * (-1: PortAudio's default).  Returns 0, or ENODEV when the requested host
 * API is not available (e.g. jackd was not running at audio_pa_init()).
 */
static int
audio_pa_hostapi(const char **specp, PaHostApiIndex *hip)
{
	static const struct {
		const char		*name;
		PaHostApiTypeId		 type;
	} apis[] = {
		{ "jack", paJACK },
		{ "alsa", paALSA },
		{ "oss", paOSS },
	};
	const char	*spec = *specp, *env;
	size_t		 i, len;
	int		 found = -1;

	*hip = -1;
	for (i = 0; spec != NULL && i < sizeof apis / sizeof *apis; i++) {
		len = strlen(apis[i].name);
		if (strncasecmp(spec, apis[i].name, len) == 0 &&
		    spec[len] == ':') {
			*specp = spec + len + 1;
			found = (int)i;
			break;
		}
	}
	env = getenv("TP_PA_HOSTAPI");
	for (i = 0; found == -1 && env != NULL && *env != '\0' &&
	    i < sizeof apis / sizeof *apis; i++) {
		if (strcasecmp(env, apis[i].name) == 0)
			found = (int)i;
	}
	if (found == -1) {
		if (env != NULL && *env != '\0')
			log_warn("audio: TP_PA_HOSTAPI=%s unknown, ignored", env);
		return 0;
	}
	*hip = palib.HostApiTypeIdToHostApiIndex(apis[found].type);
	if (*hip < 0) {
		log_error("audio: PortAudio host API '%s' not available",
		    apis[found].name);
		return ENODEV;
	}
	return 0;
}

/* True if needle occurs in hay, ignoring ASCII case. */
static bool
audio_pa_match(const char *hay, const char *needle)
{
	size_t	len = strlen(needle);

	for (; *hay != '\0'; hay++) {
		if (strncasecmp(hay, needle, len) == 0)
			return true;
	}
	return false;
}

/*
 * Find the device for one direction: name NULL or "" is the (host API's)
 * default, all digits is an index from audio_pa_list(), anything else a
 * name substring.  Returns 0, ENOENT (no match) or ENODEV (no default).
 */
static int
audio_pa_find(PaHostApiIndex hi, const char *name, bool input,
    PaDeviceIndex *devp)
{
	const PaHostApiInfo	*hinfo;
	const PaDeviceInfo	*di;
	PaDeviceIndex		 d, n;
	char			*end;
	long			 idx;

	if (name == NULL || *name == '\0') {
		if (hi >= 0 && (hinfo = palib.GetHostApiInfo(hi)) != NULL)
			d = input ? hinfo->defaultInputDevice :
			    hinfo->defaultOutputDevice;
		else
			d = input ? palib.GetDefaultInputDevice() :
			    palib.GetDefaultOutputDevice();
		if (d == paNoDevice) {
			log_error("audio: no default %s device",
			    input ? "input" : "output");
			return ENODEV;
		}
		*devp = d;
		return 0;
	}
	n = palib.GetDeviceCount();
	idx = strtol(name, &end, 10);
	if (*end == '\0') {
		if (idx >= 0 && idx < n && (di = palib.GetDeviceInfo(
		    (PaDeviceIndex)idx)) != NULL &&
		    (input ? di->maxInputChannels : di->maxOutputChannels) > 0) {
			*devp = (PaDeviceIndex)idx;
			return 0;
		}
	} else {
		for (d = 0; d < n; d++) {
			if ((di = palib.GetDeviceInfo(d)) == NULL ||
			    (hi >= 0 && di->hostApi != hi) ||
			    (input ? di->maxInputChannels :
			    di->maxOutputChannels) <= 0)
				continue;
			if (audio_pa_match(di->name, name)) {
				*devp = d;
				return 0;
			}
		}
	}
	log_error("audio: no %s device matches '%s'", input ? "input" :
	    "output", name);
	return ENOENT;
}

/* Check that spec names a usable capture and playback device; see audio.h. */
int
audio_pa_check(const char *spec, char *err, size_t errlen)
{
	PaHostApiIndex	 hi;
	PaDeviceIndex	 d;
	const char	*shown = spec != NULL ? spec : "", *name = shown;
	int		 rc;

	if ((rc = audio_pa_init()) != 0) {
		snprintf(err, errlen, "'%s': PortAudio finds no audio device",
		    shown);
		return rc;
	}
	if ((rc = audio_pa_hostapi(&name, &hi)) != 0) {
		snprintf(err, errlen, "'%s': that PortAudio host API is not "
		    "available", shown);
		return rc;
	}
	if ((rc = audio_pa_find(hi, name, true, &d)) != 0 ||
	    (rc = audio_pa_find(hi, name, false, &d)) != 0) {
		snprintf(err, errlen, "'%s': no such input and output device "
		    "(see --list-devices)", shown);
		return rc;
	}
	return 0;
}

/* Fill stream parameters for device d with ch channels of int16. */
static void
audio_pa_params(PaStreamParameters *p, PaDeviceIndex d, int ch, bool input)
{
	const PaDeviceInfo	*di = palib.GetDeviceInfo(d);

	memset(p, 0, sizeof *p);
	p->device = d;
	p->channelCount = ch;
	p->sampleFormat = paInt16;
	p->suggestedLatency = input ? di->defaultLowInputLatency :
	    di->defaultLowOutputLatency;
}

/*
 * Choose channels (mono, else stereo) and a rate the devices support,
 * preferring their default (native) rate, then want.  Returns the rate in
 * Hz, or 0 if nothing fits.
 */
static uint32_t
audio_pa_pick(PaStreamParameters *in, PaStreamParameters *out, uint32_t want)
{
	double	rates[7];
	int	ch, i, nr = 0;

	if (in != NULL)
		rates[nr++] = palib.GetDeviceInfo(in->device)->defaultSampleRate;
	if (out != NULL)
		rates[nr++] = palib.GetDeviceInfo(out->device)->defaultSampleRate;
	rates[nr++] = want;
	rates[nr++] = 48000;
	rates[nr++] = 44100;
	rates[nr++] = 16000;
	rates[nr++] = 8000;
	for (ch = 1; ch <= 2; ch++) {
		if (in != NULL) {
			if (palib.GetDeviceInfo(in->device)->maxInputChannels < ch)
				continue;
			in->channelCount = ch;
		}
		if (out != NULL) {
			if (palib.GetDeviceInfo(out->device)->maxOutputChannels < ch)
				continue;
			out->channelCount = ch;
		}
		for (i = 0; i < nr; i++) {
			if (rates[i] >= 1000 && palib.IsFormatSupported(in, out,
			    rates[i]) == paFormatIsSupported)
				return (uint32_t)rates[i];
		}
	}
	return 0;
}

/* Callback half: move captured frames (mono-mixed) into the capture ring. */
static void
audio_pa_cb_capture(struct audio_pa *pa, const int16_t *in,
    unsigned long frames)
{
	int16_t		mono[AUDIO_PA_CB_CHUNK];
	unsigned long	i, n;
	size_t		put;
	int32_t		sum;
	int		c;

	if (pa->in_ch == 1) {
		put = ring_write(&pa->cap, in, frames);
		if (put < frames)
			audio_pa_count(&pa->cap_overrun, frames - put);
		return;
	}
	while (frames > 0) {
		n = frames < AUDIO_PA_CB_CHUNK ? frames : AUDIO_PA_CB_CHUNK;
		for (i = 0; i < n; i++) {
			sum = 0;
			for (c = 0; c < pa->in_ch; c++)
				sum += in[i * pa->in_ch + c];
			mono[i] = (int16_t)(sum / pa->in_ch);
		}
		put = ring_write(&pa->cap, mono, n);
		if (put < n)
			audio_pa_count(&pa->cap_overrun, n - put);
		in += n * pa->in_ch;
		frames -= n;
	}
}

/*
 * Callback half: fill the output from the playback ring.  Playback starts
 * once a callback's worth plus write()'s margin is queued, and stops again
 * (playing zeros) when the ring runs dry, so a late write costs one gap
 * rather than a crackle every period.
 */
static void
audio_pa_cb_play(struct audio_pa *pa, int16_t *out, unsigned long frames)
{
	int16_t		mono[AUDIO_PA_CB_CHUNK];
	unsigned long	i, n, got;
	size_t		margin;
	int		c;

	if (!pa->play_running) {
		margin = atomic_load_explicit(&pa->play_margin,
		    memory_order_relaxed);
		if (ring_count(&pa->play) >= frames + margin)
			pa->play_running = true;
	}
	while (frames > 0) {
		n = frames < AUDIO_PA_CB_CHUNK ? frames : AUDIO_PA_CB_CHUNK;
		got = pa->play_running ? ring_read(&pa->play, mono, n) : 0;
		if (got < n) {
			memset(mono + got, 0, (n - got) * sizeof *mono);
			if (pa->play_running) {
				audio_pa_count(&pa->play_underrun, n - got);
				pa->play_running = false;
			}
		}
		for (i = 0; i < n; i++) {
			for (c = 0; c < pa->out_ch; c++)
				out[i * pa->out_ch + c] = mono[i];
		}
		out += n * pa->out_ch;
		frames -= n;
	}
}

/* The PortAudio callback: copy through the rings; never block or allocate. */
static int
audio_pa_callback(const void *input, void *output, unsigned long frames,
    const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags,
    void *arg)
{
	struct audio_pa	*pa = arg;

	audio_pa_count(&pa->callbacks, 1);
	audio_pa_count(&pa->frames, frames);
	if (flags & (paInputUnderflow | paInputOverflow | paOutputUnderflow |
	    paOutputOverflow))
		audio_pa_count(&pa->host_xruns, 1);
	/* Only this thread stores max_block, so load-then-store is safe. */
	if (frames > atomic_load_explicit(&pa->max_block, memory_order_relaxed))
		atomic_store_explicit(&pa->max_block, (uint_least32_t)frames,
		    memory_order_relaxed);
	if (input != NULL)
		audio_pa_cb_capture(pa, input, frames);
	if (output != NULL)
		audio_pa_cb_play(pa, output, frames);
	return paContinue;
}

/* Device-rate samples that n samples at the core rate make, plus slack. */
static size_t
audio_pa_dev_len(const struct audio_pa *pa, size_t n)
{
	return audio_rs_in_len(n, pa->dev_rate, pa->rate);
}

/* Grow a media-thread buffer to hold at least need samples. */
static int
audio_pa_grow(int16_t **bufp, size_t *capp, size_t need)
{
	int16_t	*nbuf;

	if (need <= *capp)
		return 0;
	if ((nbuf = realloc(*bufp, need * sizeof *nbuf)) == NULL)
		return ENOMEM;
	*bufp = nbuf;
	*capp = need;
	return 0;
}

/* Stop the stream and free everything; safe on a half-opened device. */
static void
audio_pa_free(struct audio_pa *pa)
{
	if (pa->stream != NULL) {
		palib.AbortStream(pa->stream);
		palib.CloseStream(pa->stream);
	}
	if (pa->cap_rs != NULL)
		speex_resampler_destroy(pa->cap_rs);
	if (pa->play_rs != NULL)
		speex_resampler_destroy(pa->play_rs);
	ring_fini(&pa->cap);
	ring_fini(&pa->play);
	free(pa->cap_pend);
	free(pa->play_buf);
	free(pa);
}

/*
 * Open a PortAudio stream: spec is "[jack:|alsa:|oss:]NAME" where NAME is a
 * device name substring or index ("" = default).  Full duplex when dir has
 * both bits.  The stream runs at the device's native rate; read()/write()
 * convert to and from rate.  Returns 0, ENODEV (no audio device, no such
 * host API or no default device), ENOENT (no matching device), EINVAL (no
 * usable format), ENOMEM or EIO.
 */
static int
audio_pa_open(struct audio_dev **devp, const char *spec, uint32_t rate,
    unsigned dir)
{
	struct audio_pa		*pa;
	PaStreamParameters	 inp, outp;
	PaHostApiIndex		 hi;
	PaDeviceIndex		 d;
	PaError			 perr;
	size_t			 frame;
	int			 err;

	if ((err = audio_pa_init()) != 0)
		return err;
	if ((err = audio_pa_hostapi(&spec, &hi)) != 0)
		return err;
	if ((pa = calloc(1, sizeof *pa)) == NULL)
		return ENOMEM;
	pa->dev.ops = &audio_pa_ops;
	pa->dir = dir;
	pa->rate = rate;

	if (dir & AUDIO_CAPTURE) {
		if ((err = audio_pa_find(hi, spec, true, &d)) != 0)
			goto fail;
		audio_pa_params(&inp, d, 1, true);
	}
	if (dir & AUDIO_PLAYBACK) {
		if ((err = audio_pa_find(hi, spec, false, &d)) != 0)
			goto fail;
		audio_pa_params(&outp, d, 1, false);
	}
	pa->dev_rate = audio_pa_pick(dir & AUDIO_CAPTURE ? &inp : NULL,
	    dir & AUDIO_PLAYBACK ? &outp : NULL, rate);
	if (pa->dev_rate == 0) {
		log_error("audio: device takes no 16-bit mono/stereo format");
		err = EINVAL;
		goto fail;
	}
	pa->in_ch = dir & AUDIO_CAPTURE ? inp.channelCount : 0;
	pa->out_ch = dir & AUDIO_PLAYBACK ? outp.channelCount : 0;

	frame = (size_t)rate * AUDIO_PA_FRAME_MS / 1000;
	if ((err = ring_init(&pa->cap, (size_t)pa->dev_rate *
	    AUDIO_PA_RING_MS / 1000)) != 0 ||
	    (err = ring_init(&pa->play, (size_t)pa->dev_rate *
	    AUDIO_PA_RING_MS / 1000)) != 0 ||
	    (err = audio_rs_new(&pa->cap_rs, pa->dev_rate, rate)) != 0 ||
	    (err = audio_rs_new(&pa->play_rs, rate, pa->dev_rate)) != 0 ||
	    (err = audio_pa_grow(&pa->cap_pend, &pa->cap_pendcap,
	    audio_pa_dev_len(pa, frame))) != 0 ||
	    (err = audio_pa_grow(&pa->play_buf, &pa->play_bufcap,
	    audio_pa_dev_len(pa, frame) + 16)) != 0)
		goto fail;

	perr = palib.OpenStream(&pa->stream, dir & AUDIO_CAPTURE ? &inp : NULL,
	    dir & AUDIO_PLAYBACK ? &outp : NULL, pa->dev_rate,
	    paFramesPerBufferUnspecified, paNoFlag, audio_pa_callback, pa);
	if (perr != paNoError) {
		pa->stream = NULL;
		log_error("audio: opening stream: %s", palib.GetErrorText(perr));
		err = audio_pa_errno(perr);
		goto fail;
	}
	if ((perr = palib.StartStream(pa->stream)) != paNoError) {
		log_error("audio: starting stream: %s", palib.GetErrorText(perr));
		err = audio_pa_errno(perr);
		goto fail;
	}
	log_info("audio: PortAudio %s%s%s at %u Hz (%u Hz to the core), "
	    "%d/%d channels", dir & AUDIO_CAPTURE ?
	    palib.GetDeviceInfo(inp.device)->name : "",
	    dir == (AUDIO_CAPTURE | AUDIO_PLAYBACK) ? " + " : "",
	    dir & AUDIO_PLAYBACK ? palib.GetDeviceInfo(outp.device)->name : "",
	    pa->dev_rate, rate, pa->in_ch, pa->out_ch);
	*devp = &pa->dev;
	return 0;
fail:
	audio_pa_free(pa);
	return err;
}

/* Close the stream and free the device. */
static void
audio_pa_close(struct audio_dev *dev)
{
	audio_pa_free((struct audio_pa *)dev);
}

/*
 * Capture n samples at the open rate from the capture ring.  Waits (giving
 * silence) until a callback's worth plus a frame and 10 ms is queued, then
 * converts; skips the oldest audio when the queue outgrows that by more
 * than a callback and 40 ms (clock drift).  Silence where samples lack.
 */
static int
audio_pa_read(struct audio_dev *dev, int16_t *pcm, size_t n)
{
	struct audio_pa	*pa = (struct audio_pa *)dev;
	size_t		 made = 0, got, want, before, level, prime, high, jit;
	size_t		 block;

	if (!(pa->dir & AUDIO_CAPTURE) || audio_pa_grow(&pa->cap_pend,
	    &pa->cap_pendcap, audio_pa_dev_len(pa, n)) != 0)
		goto silence;

	block = atomic_load_explicit(&pa->max_block, memory_order_relaxed);
	jit = pa->dev_rate / 100;
	prime = audio_pa_dev_len(pa, n) + block + jit;
	high = prime + block + 4 * jit;
	level = ring_count(&pa->cap);
	if (level > high)
		audio_pa_count(&pa->cap_skipped,
		    ring_skip(&pa->cap, level - prime));
	if (!pa->cap_primed) {
		if (level + pa->cap_pendlen < prime)
			goto silence;
		pa->cap_primed = true;
	}

	while (made < n) {
		want = audio_pa_dev_len(pa, n - made);
		if (pa->cap_pendlen < want)
			pa->cap_pendlen += ring_read(&pa->cap,
			    pa->cap_pend + pa->cap_pendlen,
			    want - pa->cap_pendlen);
		if (pa->cap_pendlen == 0)
			break;
		before = pa->cap_pendlen;
		got = audio_rs_pull(pa->cap_rs, pa->cap_pend, &pa->cap_pendlen,
		    pcm + made, n - made);
		made += got;
		if (got == 0 && pa->cap_pendlen == before)
			break;
	}
	if (made < n) {
		/* Ran dry: pad, and wait for a full cushion again. */
		memset(pcm + made, 0, (n - made) * sizeof *pcm);
		audio_pa_count(&pa->cap_silence, n - made);
		pa->cap_primed = false;
	}
	return (int)n;
silence:
	memset(pcm, 0, n * sizeof *pcm);
	if (pa->dir & AUDIO_CAPTURE)
		audio_pa_count(&pa->cap_silence, n);
	return (int)n;
}

/*
 * Convert n samples to the device rate and queue them for the callback.
 * Drops them when the queue already holds more than twice a callback plus
 * a frame, and 50 ms (clock drift).  Returns 0 or ENOMEM.
 */
static int
audio_pa_write(struct audio_dev *dev, const int16_t *pcm, size_t n)
{
	struct audio_pa	*pa = (struct audio_pa *)dev;
	spx_uint32_t	 in_len, out_len;
	size_t		 used = 0, made = 0, margin, high, block, put;

	if (!(pa->dir & AUDIO_PLAYBACK) || n == 0)
		return 0;
	if (audio_pa_grow(&pa->play_buf, &pa->play_bufcap,
	    audio_pa_dev_len(pa, n) + 16) != 0)
		return ENOMEM;
	if (pa->play_rs == NULL) {
		memcpy(pa->play_buf, pcm, n * sizeof *pcm);
		made = n;
	} else {
		while (used < n && made < pa->play_bufcap) {
			in_len = (spx_uint32_t)(n - used);
			out_len = (spx_uint32_t)(pa->play_bufcap - made);
			speex_resampler_process_int(pa->play_rs, 0, pcm + used,
			    &in_len, pa->play_buf + made, &out_len);
			if (in_len == 0 && out_len == 0)
				break;
			used += in_len;
			made += out_len;
		}
	}

	margin = audio_pa_dev_len(pa, n) + pa->dev_rate / 100;
	atomic_store_explicit(&pa->play_margin, margin, memory_order_relaxed);
	block = atomic_load_explicit(&pa->max_block, memory_order_relaxed);
	high = 2 * (block + margin) + pa->dev_rate / 20;
	if (ring_count(&pa->play) + made > high) {
		audio_pa_count(&pa->play_dropped, made);
		return 0;
	}
	put = ring_write(&pa->play, pa->play_buf, made);
	if (put < made)
		audio_pa_count(&pa->play_dropped, made - put);
	return 0;
}

/* Copy a PortAudio device's counters; see audio_impl.h. */
int
audio_pa_stats(struct audio_dev *dev, struct audio_pa_stats *st)
{
	struct audio_pa	*pa = (struct audio_pa *)dev;

	if (dev == NULL || dev->ops != &audio_pa_ops)
		return EINVAL;
	st->dev_rate = pa->dev_rate;
	st->max_block = atomic_load(&pa->max_block);
	st->callbacks = atomic_load(&pa->callbacks);
	st->frames = atomic_load(&pa->frames);
	st->host_xruns = atomic_load(&pa->host_xruns);
	st->cap_overrun = atomic_load(&pa->cap_overrun);
	st->cap_skipped = atomic_load(&pa->cap_skipped);
	st->cap_silence = atomic_load(&pa->cap_silence);
	st->play_underrun = atomic_load(&pa->play_underrun);
	st->play_dropped = atomic_load(&pa->play_dropped);
	return 0;
}

const struct audio_dev_ops audio_pa_ops = {
	.scheme = "pa",
	.open = audio_pa_open,
	.close = audio_pa_close,
	.read = audio_pa_read,
	.write = audio_pa_write,
};
