/* SPDX-License-Identifier: BSD-2-Clause */
/* A call's media session: RTP/RTCP, jitter buffer, codec and audio on one thread. */
#ifndef TP_MEDIA_H
#define TP_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "termphone.h"

struct media;
struct codec_desc;

#define MEDIA_RATE	16000		/* Hz: the audio devices' rate */
#define MEDIA_FRAME_MS	20

/* What the session plays locally while there is no far-end audio. */
enum media_tone {
	MEDIA_TONE_NONE,
	MEDIA_TONE_RINGBACK,		/* UAC: 180 without early media */
	MEDIA_TONE_RINGTONE,		/* UAS: incoming call */
	MEDIA_TONE_BUSY,
};

/* Where audio comes from and goes to; strings are borrowed during media_new. */
struct media_audio {
	bool		 null_audio;	/* silence in, discard out */
	const char	*device;	/* PortAudio device, NULL = default */
	const char	*play_file;	/* replaces the microphone */
	const char	*record_file;	/* far-end audio to WAV */
	bool		 echo;		/* after play_file: send back what we hear */
	const char	*sounds_dir;	/* tone files */
};

/* Events the media thread posts to the main loop. */
enum media_event_type {
	MEDIA_EV_DTMF,			/* digit received (RFC 4733) */
	MEDIA_EV_STATS,			/* about once a second */
	MEDIA_EV_PLAYED,		/* play_file reached its end */
	MEDIA_EV_DTMF_SENT,		/* one queued digit went out */
	MEDIA_EV_NO_DEVICE,		/* no sound card: null audio instead */
};

struct media_event {
	enum media_event_type	 type;
	char			 digit;
	struct tp_media_stats	 stats;
};

/* The negotiated stream: where to send and what to send and expect. */
struct media_stream {
	char		 remote_addr[64];	/* numeric IPv4 or IPv6 */
	uint16_t	 remote_port;		/* RTP; RTCP is +1 */
	const struct codec_desc *codec;
	uint8_t		 pt;
	int		 dtmf_pt;		/* -1: none */
	uint32_t	 dtmf_rate;		/* telephone-event clock, Hz */
	uint32_t	 ptime;			/* ms per packet we send; 0 = frame */
	bool		 send, recv;		/* from the SDP direction */
};

/*
 * Create a session bound to local_addr on the first free even port pair in
 * [port_min, port_max], open its audio devices and start its thread (tones
 * only until media_start()).  Events go to on_event on the loop thread.
 * Returns 0; EADDRINUSE if no port pair is free; ENOENT/EINVAL for an
 * unreadable play file; EIO/ENOMEM otherwise.  A missing sound card is not
 * an error: a notice event is posted and null audio is used.
 */
int	media_new(struct media **mp, struct tp_loop *loop, const char *local_addr,
	    unsigned port_min, unsigned port_max, const struct media_audio *audio,
	    void (*on_event)(const struct media_event *, void *), void *arg);
/* Stop the thread, send RTCP BYE if media ran, close files.  NULL ignored. */
void	media_free(struct media *);
/* Local RTP port (RTCP is +1). */
uint16_t media_local_port(const struct media *);
/* Local address the RTP socket is bound to; borrowed. */
const char *media_local_addr(const struct media *);
/* Switch the local tone.  Returns 0. */
int	media_set_tone(struct media *, enum media_tone);
/*
 * Mute (send silence in place of the microphone or play file, which goes
 * on running) or unmute.  RTP keeps flowing.  Returns 0.
 */
int	media_set_mute(struct media *, bool mute);
/*
 * Start or update the RTP stream (RFC 3550).  Packets are accepted only
 * from remote_addr:remote_port.  Returns 0, or EINVAL for a bad address.
 */
int	media_start(struct media *, const struct media_stream *);
/*
 * Queue digits ("0-9*#A-D", ',' = 1 s pause) as RFC 4733 events, 100 ms
 * each with 50 ms gaps.  Returns 0, ENOTCONN before media_start() or without
 * a telephone-event payload type, EINVAL for a bad digit, ENOBUFS for more
 * than 64 digits at once (the queue is 64; digits beyond it are dropped).
 */
int	media_send_dtmf(struct media *, const char *digits);
/* Codec in use as "PCMU/8000"; "" before media_start(). */
const char *media_codec_name(const struct media *);

#endif
