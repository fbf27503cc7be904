/* SPDX-License-Identifier: BSD-2-Clause */
/* A call's media session: one thread paced by the clock moves audio and RTP. */

#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <speex/speex_resampler.h>

#include "audio.h"
#include "codec.h"
#include "jbuf.h"
#include "log.h"
#include "media.h"
#include "rtp.h"

#define MEDIA_FRAME	(MEDIA_RATE * MEDIA_FRAME_MS / 1000)	/* samples */
#define MEDIA_MAX_CODEC_FRAME	640	/* samples: 20 ms at 32 kHz */
#define MEDIA_PKT_MAX	1500		/* bytes */
#define MEDIA_RTCP_MS	5000		/* RFC 3550 6.2: ~5 s minimum interval */
#define MEDIA_STATS_MS	1000
#define MEDIA_DTMF_TICKS	5	/* 100 ms tone */
#define MEDIA_DTMF_GAP_TICKS	3	/* 60 ms between digits */
#define MEDIA_DTMF_PAUSE_TICKS	50	/* ',' = 1 s */
#define MEDIA_DTMF_QUEUE	64
#define MEDIA_RX_BATCH		8	/* datagrams per recvmmsg() */
#define MEDIA_RTCP_RX_TICKS	25	/* read RTCP every 0.5 s */
/* Decoded far-end audio held between ticks: a frame short, plus a packet. */
#define MEDIA_RX_FIFO		((JBUF_MAX_SPAN + 1) * MEDIA_MAX_CODEC_FRAME)
/* samples: one longest packet and the frame that completes it */
#define MEDIA_TX_FIFO	((CODEC_MAX_PTIME / MEDIA_FRAME_MS + 1) * \
			    MEDIA_MAX_CODEC_FRAME)

enum media_cmd_type { MEDIA_CMD_START, MEDIA_CMD_TONE, MEDIA_CMD_DTMF,
	MEDIA_CMD_MUTE, MEDIA_CMD_STOP };

/* A command from the loop thread to the media thread (through a pipe). */
struct media_cmd {
	enum media_cmd_type	 type;
	enum media_tone		 tone;
	char			 digit;
	bool			 mute;
	struct media_stream	 stream;
};

/* State owned by the media thread once it runs. */
struct media_rt {
	bool			 active;	/* a stream is negotiated */
	struct media_stream	 st;
	struct sockaddr_storage	 rtp_peer, rtcp_peer;
	socklen_t		 peer_len;
	struct codec_state	*cs;
	const struct codec_desc	*cs_codec;
	size_t			 codec_frame;	/* samples per frame at the codec rate */
	SpeexResamplerState	*down, *up;	/* MEDIA_RATE <-> codec rate */
	struct jbuf		*jb;
	uint32_t		 ssrc;
	uint16_t		 seq;
	uint32_t		 ts;		/* RTP timestamp of tx_fifo[0] */
	bool			 first_packet;	/* marker bit on the next packet */
	/* Frames captured but not yet sent: a packet is tx_samples long. */
	int16_t			 tx_fifo[MEDIA_TX_FIFO];	/* codec rate */
	size_t			 tx_len;	/* samples */
	size_t			 tx_samples;	/* samples per packet (ptime) */
	uint32_t		 pkts_sent, octets_sent;
	uint32_t		 last_rtp_ts;
	bool			 have_peer_ssrc;
	uint32_t		 peer_ssrc;
	struct rtp_rx_stats	 rx;
	/* The far end's packetisation, and what it sent decoded but unplayed. */
	uint32_t		 rx_span;	/* clock units per packet, last seen */
	uint32_t		 rx_last_ts;
	uint16_t		 rx_last_seq;
	int16_t			 rx_fifo[MEDIA_RX_FIFO];	/* codec rate */
	size_t			 rx_fifo_len;	/* samples */
	uint32_t		 dropped;
	uint32_t		 plc_frames;
	uint32_t		 last_dtmf_ts;
	bool			 have_dtmf_ts;
	uint32_t		 lsr;		/* middle of the last SR's NTP time */
	struct timespec		 lsr_at;
	/* DTMF transmit queue and the digit in progress */
	char			 dq[MEDIA_DTMF_QUEUE];
	unsigned		 dq_head, dq_tail;
	int			 d_event;	/* -1: none */
	unsigned		 d_tick;	/* ticks into the current digit */
	unsigned		 d_wait;	/* ticks of silence still to wait */
	uint32_t		 d_ts;
	/* local tone */
	enum media_tone		 tone;
	struct audio_dev	*tone_dev;
	bool			 played;	/* the play file ended */
	bool			 muted;		/* send silence */
	uint64_t		 ticks;
};

struct media {
	struct tp_loop		*loop;
	void			(*on_event)(const struct media_event *, void *);
	void			*arg;
	int			 rtp_fd, rtcp_fd;
	uint16_t		 port;
	char			 local_addr[64];
	int			 family;
	int			 evpipe[2];	/* media thread -> loop */
	int			 cmdpipe[2];	/* loop -> media thread */
	atomic_bool		 cmd_pending;	/* cmdpipe has commands */
	pthread_t		 thread;
	bool			 thread_started;
	struct audio_dev	*mic;		/* microphone or null */
	struct audio_dev	*play;		/* --play file, or NULL */
	struct audio_dev	*sink;		/* speaker, null or echo */
	struct audio_dev	*rec;		/* --record */
	bool			 echo;
	char			 sounds_dir[512];
	char			 codec_name[32];	/* loop thread's copy */
	bool			 started;	/* loop thread: media_start() ran */
	int			 dtmf_pt;	/* loop thread's copy */
	struct media_rt		 rt;
	uint8_t			 rxbuf[MEDIA_RX_BATCH][MEDIA_PKT_MAX];
};

/* Post ev to the loop; dropped if the pipe is full (never blocks). */
static void
media_post(struct media *m, const struct media_event *ev)
{
	ssize_t	n;

	n = write(m->evpipe[1], ev, sizeof *ev);
	(void)n;
}

/* Deliver events the media thread posted, on the loop thread. */
static void
media_events_readable(int fd, void *arg)
{
	struct media		*m = arg;
	struct media_event	 ev;

	while (read(fd, &ev, sizeof ev) == (ssize_t)sizeof ev)
		m->on_event(&ev, m->arg);
}

/* Send a command to the media thread; it takes it at its next frame. */
static int
media_cmd(struct media *m, const struct media_cmd *cmd)
{
	if (write(m->cmdpipe[1], cmd, sizeof *cmd) != (ssize_t)sizeof *cmd)
		return errno != 0 ? errno : EIO;
	atomic_store(&m->cmd_pending, true);
	return 0;
}

/* Fill sa from a numeric address and port.  Returns 0 or EINVAL. */
static int
media_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return EINVAL;
		*len = sizeof *s6;
	} else {
		struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return EINVAL;
		*len = sizeof *s4;
	}
	return 0;
}

/* Is from (as received) the same address and port as want? */
static bool
media_same_peer(const struct sockaddr_storage *from,
    const struct sockaddr_storage *want)
{
	if (from->ss_family != want->ss_family)
		return false;
	if (from->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)from, *b = (const void *)want;

		return a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)from, *b = (const void *)want;

		return a->sin6_port == b->sin6_port &&
		    memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
	}
	return false;
}

/* Bind the RTP/RTCP pair on the first free even port from a random start. */
static int
media_bind(struct media *m, unsigned pmin, unsigned pmax)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	unsigned		 span, start, i, port;
	int			 fd1, fd2;

	if (pmin < 1024)
		pmin = 1024;
	pmin += pmin & 1;
	if (pmax > 65534 || pmax <= pmin)
		pmax = pmin + 2000 > 65534 ? 65534 : pmin + 2000;
	span = (pmax - pmin) / 2 + 1;
	start = (unsigned)random() % span;
	for (i = 0; i < span; i++) {
		port = pmin + 2 * ((start + i) % span);
		if (port + 1 > 65535 ||
		    media_sockaddr(m->local_addr, (uint16_t)port, &ss, &len) != 0)
			return EINVAL;
		fd1 = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd1 < 0)
			return errno;
		if (bind(fd1, (struct sockaddr *)&ss, len) != 0) {
			close(fd1);
			continue;
		}
		media_sockaddr(m->local_addr, (uint16_t)(port + 1), &ss, &len);
		fd2 = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd2 < 0 || bind(fd2, (struct sockaddr *)&ss, len) != 0) {
			if (fd2 >= 0)
				close(fd2);
			close(fd1);
			continue;
		}
		/* Arrival times for jitter, since we read once per tick. */
		setsockopt(fd1, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 },
		    sizeof(int));
		m->rtp_fd = fd1;
		m->rtcp_fd = fd2;
		m->port = (uint16_t)port;
		m->family = ss.ss_family;
		return 0;
	}
	return EADDRINUSE;
}

/* Open the file for tone t from the sounds directory (loop it by reopening). */
static void
media_tone_open(struct media *m, enum media_tone t)
{
	static const char *const files[] = {
		[MEDIA_TONE_RINGBACK] = "ringback.wav",
		[MEDIA_TONE_RINGTONE] = "ringtone.wav",
		[MEDIA_TONE_BUSY] = "busy.wav",
	};
	char	path[600];

	audio_close(m->rt.tone_dev);
	m->rt.tone_dev = NULL;
	m->rt.tone = t;
	if (t == MEDIA_TONE_NONE || m->sounds_dir[0] == '\0')
		return;
	snprintf(path, sizeof path, "%s/%s", m->sounds_dir, files[t]);
	if (audio_open(&m->rt.tone_dev, "file", path, MEDIA_RATE,
	    AUDIO_CAPTURE) != 0)
		log_warn("media: cannot open tone '%s'", path);
}

/* Free the codec state and resamplers of the current stream. */
static void
media_stream_fini(struct media_rt *rt)
{
	if (rt->cs != NULL)
		rt->cs_codec->fini(rt->cs);
	rt->cs = NULL;
	rt->cs_codec = NULL;
	if (rt->down != NULL)
		speex_resampler_destroy(rt->down);
	if (rt->up != NULL)
		speex_resampler_destroy(rt->up);
	rt->down = rt->up = NULL;
	jbuf_free(rt->jb);
	rt->jb = NULL;
}

/* Samples per packet we send, from the stream's ptime (0: one frame). */
static void
media_set_ptime(struct media_rt *rt)
{
	size_t	n = (size_t)rt->st.ptime * rt->st.codec->clock_rate / 1000;

	rt->tx_samples = n > 0 && n <= MEDIA_TX_FIFO - MEDIA_MAX_CODEC_FRAME ?
	    n : rt->codec_frame;
}

/* Set up (or update) the stream from a START command. */
static void
media_stream_start(struct media *m, const struct media_stream *st)
{
	struct media_rt	*rt = &m->rt;
	socklen_t	 len;
	int		 err = 0;

	if (rt->active && rt->st.codec == st->codec && rt->st.pt == st->pt) {
		/* A re-INVITE: new address, direction or ptime, same codec. */
		rt->st = *st;
		media_set_ptime(rt);
		media_sockaddr(st->remote_addr, st->remote_port, &rt->rtp_peer,
		    &rt->peer_len);
		media_sockaddr(st->remote_addr, (uint16_t)(st->remote_port + 1),
		    &rt->rtcp_peer, &len);
		return;
	}
	media_stream_fini(rt);
	rt->st = *st;
	if (media_sockaddr(st->remote_addr, st->remote_port, &rt->rtp_peer,
	    &rt->peer_len) != 0 ||
	    media_sockaddr(st->remote_addr, (uint16_t)(st->remote_port + 1),
	    &rt->rtcp_peer, &len) != 0) {
		log_error("media: bad remote address '%s'", st->remote_addr);
		return;
	}
	rt->codec_frame = codec_frame_samples(st->codec);
	if (st->codec->init(&rt->cs) != 0 ||
	    jbuf_new(&rt->jb, (uint32_t)rt->codec_frame) != 0) {
		log_error("media: cannot initialise %s", st->codec->name);
		media_stream_fini(rt);
		return;
	}
	rt->cs_codec = st->codec;
	if (st->codec->clock_rate != MEDIA_RATE) {
		rt->down = speex_resampler_init(1, MEDIA_RATE,
		    st->codec->clock_rate, SPEEX_RESAMPLER_QUALITY_VOIP, &err);
		rt->up = speex_resampler_init(1, st->codec->clock_rate,
		    MEDIA_RATE, SPEEX_RESAMPLER_QUALITY_VOIP, &err);
		if (rt->down == NULL || rt->up == NULL) {
			media_stream_fini(rt);
			return;
		}
		speex_resampler_skip_zeros(rt->down);
		speex_resampler_skip_zeros(rt->up);
	}
	media_set_ptime(rt);
	rt->tx_len = 0;
	rt->have_peer_ssrc = false;
	rt->rx_span = (uint32_t)rt->codec_frame;
	rt->rx_fifo_len = 0;
	rt->first_packet = true;
	rt->active = true;
}

/* Convert n_in samples between rates with r (NULL: copy); pads to n_out. */
static void
media_resample(SpeexResamplerState *r, const int16_t *in, size_t n_in,
    int16_t *out, size_t n_out)
{
	spx_uint32_t	il = (spx_uint32_t)n_in, ol = (spx_uint32_t)n_out;

	if (r == NULL) {
		memcpy(out, in, (n_in < n_out ? n_in : n_out) * sizeof *out);
		if (n_in < n_out)
			memset(out + n_in, 0, (n_out - n_in) * sizeof *out);
		return;
	}
	speex_resampler_process_int(r, 0, in, &il, out, &ol);
	if (ol < n_out)
		memset(out + ol, 0, (n_out - ol) * sizeof *out);
}

/* Send one RTP packet with payload on the stream. */
static void
media_send_rtp(struct media *m, uint8_t pt, bool marker, uint32_t ts,
    const uint8_t *payload, size_t plen)
{
	struct media_rt	*rt = &m->rt;
	struct rtp_hdr	 h;
	uint8_t		 pkt[MEDIA_PKT_MAX];
	int		 n;

	memset(&h, 0, sizeof h);
	h.version = 2;
	h.marker = marker;
	h.pt = pt;
	h.seq = rt->seq++;
	h.ts = ts;
	h.ssrc = rt->ssrc;
	if ((n = rtp_pack(&h, payload, plen, pkt, sizeof pkt)) < 0)
		return;
	if (sendto(m->rtp_fd, pkt, (size_t)n, 0,
	    (struct sockaddr *)&rt->rtp_peer, rt->peer_len) == n) {
		rt->pkts_sent++;
		rt->octets_sent += (uint32_t)plen;
		rt->last_rtp_ts = ts;
	}
}

/*
 * Send what tx_fifo holds as packets of tx_samples, and, when all is set,
 * what is left over as one shorter packet.  rt->ts follows the samples.
 */
static void
media_tx_flush(struct media *m, bool all)
{
	struct media_rt	*rt = &m->rt;
	uint8_t		 payload[MEDIA_PKT_MAX];
	size_t		 plen, n, off = 0;

	while (rt->tx_len - off >= rt->tx_samples ||
	    (all && rt->tx_len > off)) {
		n = rt->tx_len - off < rt->tx_samples ? rt->tx_len - off :
		    rt->tx_samples;
		plen = sizeof payload;
		if (rt->cs_codec->encode(rt->cs, rt->tx_fifo + off, n, payload,
		    &plen) == 0) {
			media_send_rtp(m, rt->st.pt, rt->first_packet, rt->ts,
			    payload, plen);
			rt->first_packet = false;
		}
		rt->ts += (uint32_t)n;
		off += n;
	}
	rt->tx_len -= off;
	memmove(rt->tx_fifo, rt->tx_fifo + off, rt->tx_len * sizeof *rt->tx_fifo);
}

/*
 * Run one tick of the RFC 4733 sender.  Returns true if it used this frame
 * (audio is then not sent).  Each digit: MEDIA_DTMF_TICKS packets with
 * growing duration, the first with the marker bit, then the end packet
 * three times (RFC 4733 2.5.1.4), then a short gap.
 */
static bool
media_dtmf_tick(struct media *m)
{
	struct media_rt	*rt = &m->rt;
	struct rtp_dtmf	 d;
	struct media_event ev;
	uint8_t		 payload[4];
	uint32_t	 step;
	int		 i;

	if (rt->d_wait > 0) {
		rt->d_wait--;
		return false;
	}
	if (rt->d_event < 0) {
		char	c;

		if (rt->dq_head == rt->dq_tail)
			return false;
		c = rt->dq[rt->dq_tail++ % MEDIA_DTMF_QUEUE];
		if (c == ',') {
			rt->d_wait = MEDIA_DTMF_PAUSE_TICKS;
			return false;
		}
		/* Audio queued before the digit goes first, shorter. */
		media_tx_flush(m, true);
		rt->d_event = rtp_dtmf_event(c);
		rt->d_tick = 0;
		rt->d_ts = rt->ts;
		memset(&ev, 0, sizeof ev);
		ev.type = MEDIA_EV_DTMF_SENT;
		ev.digit = c;
		media_post(m, &ev);
	}
	step = rt->st.dtmf_rate * MEDIA_FRAME_MS / 1000;
	memset(&d, 0, sizeof d);
	d.event = (uint8_t)rt->d_event;
	d.volume = 10;
	rt->d_tick++;
	d.duration = (uint16_t)(step * rt->d_tick);
	if (rt->d_tick < MEDIA_DTMF_TICKS) {
		rtp_dtmf_pack(&d, payload);
		media_send_rtp(m, (uint8_t)rt->st.dtmf_pt, rt->d_tick == 1,
		    rt->d_ts, payload, sizeof payload);
		return true;
	}
	d.end = true;
	rtp_dtmf_pack(&d, payload);
	for (i = 0; i < 3; i++)
		media_send_rtp(m, (uint8_t)rt->st.dtmf_pt, false, rt->d_ts,
		    payload, sizeof payload);
	rt->d_event = -1;
	rt->d_wait = MEDIA_DTMF_GAP_TICKS;
	return true;
}

/* Handle one received telephone-event payload. */
static void
media_rx_dtmf(struct media *m, const struct rtp_hdr *h)
{
	struct media_rt		*rt = &m->rt;
	struct rtp_dtmf		 d;
	struct media_event	 ev;

	if (rtp_dtmf_parse(h->payload, h->payload_len, &d) != 0)
		return;
	if (rt->have_dtmf_ts && rt->last_dtmf_ts == h->ts)
		return;		/* a retransmission of the same event */
	rt->have_dtmf_ts = true;
	rt->last_dtmf_ts = h->ts;
	memset(&ev, 0, sizeof ev);
	ev.type = MEDIA_EV_DTMF;
	ev.digit = rtp_dtmf_char(d.event);
	if (ev.digit != 0)
		media_post(m, &ev);
}

/* Media clock units (rate Hz) of a CLOCK_REALTIME arrival time. */
static uint32_t
media_clock_at(const struct timespec *ts, uint32_t rate)
{
	return (uint32_t)((uint64_t)ts->tv_sec * rate +
	    (uint64_t)ts->tv_nsec * rate / 1000000000u);
}

/*
 * The media clock units packet h carries: what the payload says where the
 * codec can tell (G.711: a sample a byte), else the stream's timestamp step.
 */
static uint32_t
media_rx_span(const struct media_rt *rt, const struct rtp_hdr *h)
{
	if (rt->cs_codec->samples != NULL)
		return (uint32_t)rt->cs_codec->samples(h->payload, h->payload_len);
	return rt->rx_span;
}

/* Account one received datagram: keep it only if it is the peer's. */
static void
media_rx_packet(struct media *m, const uint8_t *pkt, size_t len,
    const struct sockaddr_storage *from, const struct timespec *arrival)
{
	struct media_rt	*rt = &m->rt;
	struct rtp_hdr	 h;

	if (!rt->active || !rt->st.recv || !media_same_peer(from, &rt->rtp_peer) ||
	    rtp_parse(pkt, len, &h) != 0) {
		rt->dropped++;
		return;
	}
	if (rt->st.dtmf_pt >= 0 && h.pt == rt->st.dtmf_pt) {
		media_rx_dtmf(m, &h);
		return;
	}
	if (h.pt != rt->st.pt) {
		rt->dropped++;
		return;
	}
	if (!rt->have_peer_ssrc || h.ssrc != rt->peer_ssrc) {
		/* New source: start its statistics and buffer afresh. */
		rt->have_peer_ssrc = true;
		rt->peer_ssrc = h.ssrc;
		rtp_rx_init(&rt->rx, h.seq);
		jbuf_reset(rt->jb);
		rt->rx_span = (uint32_t)rt->codec_frame;
		rt->rx_fifo_len = 0;
	} else if (h.seq == (uint16_t)(rt->rx_last_seq + 1) &&
	    h.ts - rt->rx_last_ts > 0 &&
	    h.ts - rt->rx_last_ts <= JBUF_MAX_SPAN * rt->codec_frame)
		/* The timestamp step between neighbours is the packet's span. */
		rt->rx_span = h.ts - rt->rx_last_ts;
	rt->rx_last_ts = h.ts;
	rt->rx_last_seq = h.seq;
	rtp_rx_update(&rt->rx, h.seq, h.ts,
	    media_clock_at(arrival, rt->st.codec->clock_rate));
	if (jbuf_put(rt->jb, h.payload, h.payload_len, h.ts, h.seq,
	    media_rx_span(rt, &h)) != 0)
		rt->dropped++;
}

/*
 * Read every pending RTP packet, a batch per recvmmsg() call, once per
 * tick.  The thread wakes only for its clock, not per packet (that halves
 * its wake-ups, the main cost of a call here); the kernel's receive
 * timestamps (SO_TIMESTAMPNS) keep the RFC 3550 A.8 jitter exact.
 */
static void
media_rx_rtp(struct media *m)
{
	struct mmsghdr		 msgs[MEDIA_RX_BATCH];
	struct iovec		 iov[MEDIA_RX_BATCH];
	struct sockaddr_storage	 from[MEDIA_RX_BATCH];
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(struct timespec))];
	}			 ctl[MEDIA_RX_BATCH];
	struct cmsghdr		*cm;
	struct timespec		 arrival;
	int			 n, i;

	for (;;) {
		for (i = 0; i < MEDIA_RX_BATCH; i++) {
			memset(&msgs[i], 0, sizeof msgs[i]);
			iov[i].iov_base = m->rxbuf[i];
			iov[i].iov_len = sizeof m->rxbuf[i];
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof from[i];
			msgs[i].msg_hdr.msg_control = ctl[i].buf;
			msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
		}
		n = recvmmsg(m->rtp_fd, msgs, MEDIA_RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			clock_gettime(CLOCK_REALTIME, &arrival);
			for (cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm != NULL;
			    cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm))
				if (cm->cmsg_level == SOL_SOCKET &&
				    cm->cmsg_type == SCM_TIMESTAMPNS)
					memcpy(&arrival, CMSG_DATA(cm),
					    sizeof arrival);
			media_rx_packet(m, m->rxbuf[i], msgs[i].msg_len, &from[i],
			    &arrival);
		}
		if (n < MEDIA_RX_BATCH)
			return;
	}
}

/* Read pending RTCP; keep the last SR time for our reports. */
static void
media_rx_rtcp(struct media *m)
{
	struct media_rt		*rt = &m->rt;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	uint8_t			 pkt[MEDIA_PKT_MAX];
	uint32_t		 ssrc, lsr;
	ssize_t			 n;

	for (;;) {
		fromlen = sizeof from;
		n = recvfrom(m->rtcp_fd, pkt, sizeof pkt, 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		if (!rt->active)
			continue;
		lsr = rt->lsr;
		if (rtcp_parse(pkt, (size_t)n, &ssrc, &lsr) == 0 && lsr != rt->lsr) {
			rt->lsr = lsr;
			clock_gettime(CLOCK_MONOTONIC, &rt->lsr_at);
		}
	}
}

/* NTP time now, 32.32 fixed point (RFC 3550 4). */
static uint64_t
media_ntp_now(void)
{
	struct timespec	now;

	clock_gettime(CLOCK_REALTIME, &now);
	return ((uint64_t)(now.tv_sec + 2208988800u) << 32) |
	    (uint64_t)(((uint64_t)now.tv_nsec << 32) / 1000000000u);
}

/* Fill the statistics the core reports. */
static void
media_fill_stats(const struct media_rt *rt, struct tp_media_stats *s)
{
	memset(s, 0, sizeof *s);
	s->pkts_sent = rt->pkts_sent;
	s->pkts_recv = rt->rx.received;
	s->pkts_lost = rt->have_peer_ssrc ? rtp_rx_lost(&rt->rx) : 0;
	s->pkts_dropped = rt->dropped;
	if (rt->have_peer_ssrc && rt->st.codec != NULL)
		s->jitter_ms = rtp_rx_jitter(&rt->rx) * 1000 /
		    rt->st.codec->clock_rate;
	s->plc_frames = rt->plc_frames;
}

/* Send an SR or RR compound packet (RFC 3550 6.4), or a BYE. */
static void
media_send_rtcp(struct media *m, bool bye)
{
	struct media_rt		*rt = &m->rt;
	struct rtcp_sr_info	 info;
	uint8_t			 pkt[512];
	char			 cname[96];
	struct timespec		 now;
	int			 n;

	snprintf(cname, sizeof cname, "termphone@%s", m->local_addr);
	if (bye)
		n = rtcp_build_bye(rt->ssrc, cname, pkt, sizeof pkt);
	else {
		memset(&info, 0, sizeof info);
		info.ssrc = rt->ssrc;
		info.ntp = media_ntp_now();
		info.rtp_ts = rt->ts;
		info.pkt_count = rt->pkts_sent;
		info.octet_count = rt->octets_sent;
		info.cname = cname;
		if (rt->have_peer_ssrc) {
			info.have_rr = true;
			info.rr_ssrc = rt->peer_ssrc;
			info.cum_lost = rtp_rx_lost(&rt->rx);
			info.ext_max_seq = rt->rx.cycles + rt->rx.max_seq;
			info.jitter = rtp_rx_jitter(&rt->rx);
			info.lsr = rt->lsr;
			if (rt->lsr != 0) {
				clock_gettime(CLOCK_MONOTONIC, &now);
				info.dlsr = (uint32_t)(((uint64_t)(now.tv_sec -
				    rt->lsr_at.tv_sec) << 16) + (((uint64_t)
				    (now.tv_nsec - rt->lsr_at.tv_nsec + 1000000000L) <<
				    16) / 1000000000u) - 65536);
			}
		}
		n = rtcp_build_report(&info, rt->pkts_sent > 0, pkt, sizeof pkt);
	}
	if (n > 0)
		sendto(m->rtcp_fd, pkt, (size_t)n, 0,
		    (struct sockaddr *)&rt->rtcp_peer, rt->peer_len);
}

/*
 * Capture one frame and queue it for sending, or send DTMF instead.  A
 * packet goes out once tx_samples are queued: every tick at 20 ms, every
 * other tick at 40 ms, two packets a tick at 10 ms.
 */
static void
media_tick_send(struct media *m, int16_t *cap)
{
	struct media_rt	*rt = &m->rt;
	int16_t		 pcm[MEDIA_MAX_CODEC_FRAME];

	if (rt->st.dtmf_pt >= 0 && media_dtmf_tick(m)) {
		/* Resampler state stays continuous across the DTMF gap. */
		media_resample(rt->down, cap, MEDIA_FRAME, pcm, rt->codec_frame);
		rt->ts += (uint32_t)rt->codec_frame;
		return;
	}
	media_resample(rt->down, cap, MEDIA_FRAME, rt->tx_fifo + rt->tx_len,
	    rt->codec_frame);
	rt->tx_len += rt->codec_frame;
	media_tx_flush(m, false);
}

/*
 * Produce one frame of far-end audio (decoded, concealed or silence).
 * Packets may carry any whole ptime (10, 30, 40 ms ...): each is decoded
 * whole into rx_fifo, and a frame is played from there, so the jitter
 * buffer is asked for a packet only when less than a frame is left.
 */
static bool
media_tick_receive(struct media *m, int16_t *out)
{
	struct media_rt		*rt = &m->rt;
	int16_t			 pcm[MEDIA_MAX_CODEC_FRAME];
	uint8_t			 payload[MEDIA_PKT_MAX];
	size_t			 plen, n, take;
	uint32_t		 span, want;
	enum jbuf_result	 r;

	while (rt->rx_fifo_len < rt->codec_frame) {
		/* What the frame lacks, or one packet's worth if less. */
		want = (uint32_t)(rt->codec_frame - rt->rx_fifo_len);
		if (rt->rx_span < want)
			want = rt->rx_span;
		plen = sizeof payload;
		if ((r = jbuf_get(rt->jb, want, payload, &plen, &span)) ==
		    JBUF_EMPTY)
			break;
		n = MEDIA_RX_FIFO - rt->rx_fifo_len;
		if (r == JBUF_OK && rt->cs_codec->decode(rt->cs, payload, plen,
		    rt->rx_fifo + rt->rx_fifo_len, &n) != 0) {
			r = JBUF_MISSING;
			span = want;
		}
		if (r == JBUF_MISSING) {
			/* Conceal a frame; keep as much as the loss spans. */
			n = rt->codec_frame;
			rt->plc_frames++;
			if (rt->cs_codec->decode(rt->cs, NULL, 0, pcm, &n) != 0)
				memset(pcm, 0, (n = rt->codec_frame) * sizeof *pcm);
			if (n > span)
				n = span;
			memcpy(rt->rx_fifo + rt->rx_fifo_len, pcm, n * sizeof *pcm);
		}
		rt->rx_fifo_len += n;
	}
	if (rt->rx_fifo_len == 0) {
		memset(out, 0, MEDIA_FRAME * sizeof *out);
		return false;
	}
	/* A stream that stopped mid-frame: play what is left, then silence. */
	take = rt->rx_fifo_len < rt->codec_frame ? rt->rx_fifo_len :
	    rt->codec_frame;
	memcpy(pcm, rt->rx_fifo, take * sizeof *pcm);
	if (take < rt->codec_frame)
		memset(pcm + take, 0, (rt->codec_frame - take) * sizeof *pcm);
	rt->rx_fifo_len -= take;
	memmove(rt->rx_fifo, rt->rx_fifo + take,
	    rt->rx_fifo_len * sizeof *rt->rx_fifo);
	jbuf_tick(rt->jb, (uint32_t)rt->rx_fifo_len);
	media_resample(rt->up, pcm, rt->codec_frame, out, MEDIA_FRAME);
	return true;
}

/* One 20 ms tick: capture, send, receive, play, record, report. */
static void
media_tick(struct media *m)
{
	struct media_rt		*rt = &m->rt;
	int16_t			 cap[MEDIA_FRAME], out[MEDIA_FRAME];
	struct media_event	 ev;
	bool			 heard = false;

	rt->ticks++;
	/*
	 * The play file starts with the media stream, so a recording of the
	 * call holds all of it; the microphone is read (and so drained) always.
	 */
	audio_read(m->mic, cap, MEDIA_FRAME);
	if (m->play != NULL && !rt->played && rt->active && rt->st.send) {
		if (audio_read(m->play, cap, MEDIA_FRAME) < 0) {
			rt->played = true;
			memset(&ev, 0, sizeof ev);
			ev.type = MEDIA_EV_PLAYED;
			media_post(m, &ev);
		}
	} else if (m->play != NULL && !m->echo)
		memset(cap, 0, sizeof cap);	/* played once, then silence */
	if (m->echo && (m->play == NULL || rt->played))
		audio_read(m->sink, cap, MEDIA_FRAME);
	if (rt->muted)
		memset(cap, 0, sizeof cap);	/* the play file still runs */
	if (rt->active && rt->st.send && rt->cs != NULL)
		media_tick_send(m, cap);
	if (rt->active && rt->cs != NULL)
		heard = media_tick_receive(m, out);
	if (!heard && rt->tone_dev != NULL) {
		if (audio_read(rt->tone_dev, out, MEDIA_FRAME) < 0)
			media_tone_open(m, rt->tone);	/* loop the tone */
	} else if (!heard)
		memset(out, 0, sizeof out);
	audio_write(m->sink, out, MEDIA_FRAME);
	if (m->rec != NULL && rt->active)
		audio_write(m->rec, out, MEDIA_FRAME);
	if (rt->active && rt->ticks % (MEDIA_RTCP_MS / MEDIA_FRAME_MS) == 0)
		media_send_rtcp(m, false);
	if (rt->active && rt->ticks % (MEDIA_STATS_MS / MEDIA_FRAME_MS) == 0) {
		memset(&ev, 0, sizeof ev);
		ev.type = MEDIA_EV_STATS;
		media_fill_stats(rt, &ev.stats);
		media_post(m, &ev);
	}
}

/* Apply one command; returns false on STOP. */
static bool
media_apply(struct media *m, const struct media_cmd *cmd)
{
	struct media_rt	*rt = &m->rt;

	switch (cmd->type) {
	case MEDIA_CMD_START:
		media_stream_start(m, &cmd->stream);
		break;
	case MEDIA_CMD_TONE:
		if (cmd->tone != rt->tone)
			media_tone_open(m, cmd->tone);
		break;
	case MEDIA_CMD_DTMF:
		if (rt->dq_head - rt->dq_tail < MEDIA_DTMF_QUEUE)
			rt->dq[rt->dq_head++ % MEDIA_DTMF_QUEUE] = cmd->digit;
		break;
	case MEDIA_CMD_MUTE:
		rt->muted = cmd->mute;
		break;
	case MEDIA_CMD_STOP:
		return false;
	}
	return true;
}

/* Add ms milliseconds to ts. */
static void
media_ts_add(struct timespec *ts, long ms)
{
	ts->tv_nsec += ms * 1000000L;
	while (ts->tv_nsec >= 1000000000L) {
		ts->tv_nsec -= 1000000000L;
		ts->tv_sec++;
	}
}

/*
 * The media thread: sleep until the next tick, take any commands, read
 * what arrived and run the tick.  Commands wait at most one frame (20 ms),
 * which costs nothing audible and spares a poll() set-up every frame.
 */
static void *
media_thread(void *arg)
{
	struct media		*m = arg;
	struct timespec		 next, now;
	struct media_cmd	 cmd;
	bool			 run = true;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (run) {
		media_ts_add(&next, MEDIA_FRAME_MS);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
		    NULL) == EINTR)
			;
		if (atomic_exchange(&m->cmd_pending, false))
			while (run && read(m->cmdpipe[0], &cmd, sizeof cmd) ==
			    (ssize_t)sizeof cmd)
				run = media_apply(m, &cmd);
		if (!run)
			break;
		/* If we fell far behind (suspend, debugger), resynchronise. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - next.tv_sec > 1)
			next = now;
		media_rx_rtp(m);
		if (m->rt.ticks % MEDIA_RTCP_RX_TICKS == 0)
			media_rx_rtcp(m);
		media_tick(m);
	}
	if (m->rt.active && m->rt.pkts_sent > 0)
		media_send_rtcp(m, true);
	return NULL;
}

/* Open the session's audio devices; see media_new(). */
static int
media_open_audio(struct media *m, const struct media_audio *a)
{
	int	err;
	bool	no_device = false;

	if (a->play_file != NULL &&
	    (err = audio_open(&m->play, "file", a->play_file, MEDIA_RATE,
	    AUDIO_CAPTURE)) != 0)
		return err;
	if (a->record_file != NULL &&
	    (err = audio_open(&m->rec, "file", a->record_file, MEDIA_RATE,
	    AUDIO_PLAYBACK)) != 0)
		return err;
	if (a->echo) {
		m->echo = true;
		if ((err = audio_open(&m->sink, "echo", NULL, MEDIA_RATE,
		    AUDIO_CAPTURE | AUDIO_PLAYBACK)) != 0)
			return err;
	} else if (!a->null_audio) {
		if (audio_pa_init() != 0 ||
		    audio_open(&m->sink, "pa", a->device, MEDIA_RATE,
		    AUDIO_PLAYBACK | AUDIO_CAPTURE) != 0)
			no_device = true;
		else
			m->mic = m->sink;	/* one full-duplex stream */
	}
	if (m->sink == NULL && (err = audio_open(&m->sink, "null", NULL,
	    MEDIA_RATE, AUDIO_PLAYBACK | AUDIO_CAPTURE)) != 0)
		return err;
	if (m->mic == NULL && (err = audio_open(&m->mic, "null", NULL,
	    MEDIA_RATE, AUDIO_CAPTURE)) != 0)
		return err;
	if (no_device) {
		struct media_event	ev;

		memset(&ev, 0, sizeof ev);
		ev.type = MEDIA_EV_NO_DEVICE;
		media_post(m, &ev);
	}
	return 0;
}

/* Create a session; see media.h. */
int
media_new(struct media **mp, struct tp_loop *loop, const char *local_addr,
    unsigned port_min, unsigned port_max, const struct media_audio *audio,
    void (*on_event)(const struct media_event *, void *), void *arg)
{
	struct media	*m;
	int		 err;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return ENOMEM;
	m->loop = loop;
	m->on_event = on_event;
	m->arg = arg;
	m->rtp_fd = m->rtcp_fd = -1;
	m->evpipe[0] = m->evpipe[1] = m->cmdpipe[0] = m->cmdpipe[1] = -1;
	m->dtmf_pt = -1;
	m->rt.d_event = -1;
	m->rt.ssrc = (uint32_t)random() ^ ((uint32_t)random() << 16);
	m->rt.seq = (uint16_t)random();
	m->rt.ts = (uint32_t)random();
	snprintf(m->local_addr, sizeof m->local_addr, "%s", local_addr);
	if (audio->sounds_dir != NULL)
		snprintf(m->sounds_dir, sizeof m->sounds_dir, "%s",
		    audio->sounds_dir);
	if (pipe2(m->evpipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    pipe2(m->cmdpipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		err = errno;
		goto fail;
	}
	if ((err = media_bind(m, port_min, port_max)) != 0)
		goto fail;
	if ((err = media_open_audio(m, audio)) != 0)
		goto fail;
	if ((err = tp_loop_watch_fd(loop, m->evpipe[0], media_events_readable,
	    m)) != 0)
		goto fail;
	if ((err = pthread_create(&m->thread, NULL, media_thread, m)) != 0) {
		tp_loop_unwatch_fd(loop, m->evpipe[0]);
		goto fail;
	}
	m->thread_started = true;
	*mp = m;
	return 0;
fail:
	media_free(m);
	return err;
}

/* Stop the thread and free everything; see media.h. */
void
media_free(struct media *m)
{
	struct media_cmd	cmd;

	if (m == NULL)
		return;
	if (m->thread_started) {
		memset(&cmd, 0, sizeof cmd);
		cmd.type = MEDIA_CMD_STOP;
		media_cmd(m, &cmd);
		pthread_join(m->thread, NULL);
		tp_loop_unwatch_fd(m->loop, m->evpipe[0]);
		/* Deliver what the thread posted last (e.g. final stats). */
		media_events_readable(m->evpipe[0], m);
	}
	media_stream_fini(&m->rt);
	audio_close(m->rt.tone_dev);
	if (m->mic != m->sink)
		audio_close(m->mic);
	audio_close(m->sink);
	audio_close(m->play);
	audio_close(m->rec);
	if (m->rtp_fd >= 0)
		close(m->rtp_fd);
	if (m->rtcp_fd >= 0)
		close(m->rtcp_fd);
	if (m->evpipe[0] >= 0) {
		close(m->evpipe[0]);
		close(m->evpipe[1]);
	}
	if (m->cmdpipe[0] >= 0) {
		close(m->cmdpipe[0]);
		close(m->cmdpipe[1]);
	}
	free(m);
}

/* The local RTP port; see media.h. */
uint16_t
media_local_port(const struct media *m)
{
	return m->port;
}

/* The local RTP address; see media.h. */
const char *
media_local_addr(const struct media *m)
{
	return m->local_addr;
}

/* Switch the local tone; see media.h. */
int
media_set_tone(struct media *m, enum media_tone tone)
{
	struct media_cmd	cmd;

	memset(&cmd, 0, sizeof cmd);
	cmd.type = MEDIA_CMD_TONE;
	cmd.tone = tone;
	return media_cmd(m, &cmd);
}

/* Start the RTP stream; see media.h. */
int
media_start(struct media *m, const struct media_stream *st)
{
	struct media_cmd	cmd;
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (st->codec == NULL ||
	    media_sockaddr(st->remote_addr, st->remote_port, &ss, &len) != 0)
		return EINVAL;
	memset(&cmd, 0, sizeof cmd);
	cmd.type = MEDIA_CMD_START;
	cmd.stream = *st;
	if (cmd.stream.dtmf_rate == 0)
		cmd.stream.dtmf_rate = 8000;
	snprintf(m->codec_name, sizeof m->codec_name, "%s/%u", st->codec->name,
	    st->codec->clock_rate);
	m->started = true;
	m->dtmf_pt = st->dtmf_pt;
	return media_cmd(m, &cmd);
}

/* Send silence, or the microphone again; see media.h. */
int
media_set_mute(struct media *m, bool mute)
{
	struct media_cmd	cmd;

	memset(&cmd, 0, sizeof cmd);
	cmd.type = MEDIA_CMD_MUTE;
	cmd.mute = mute;
	return media_cmd(m, &cmd);
}

/* Queue DTMF digits; see media.h. */
int
media_send_dtmf(struct media *m, const char *digits)
{
	struct media_cmd	cmd;
	const char		*p;
	int			 err;

	if (!m->started || m->dtmf_pt < 0)
		return ENOTCONN;
	for (p = digits; *p != '\0'; p++)
		if (*p != ',' && rtp_dtmf_event(*p) < 0)
			return EINVAL;
	if (strlen(digits) > MEDIA_DTMF_QUEUE)
		return ENOBUFS;
	memset(&cmd, 0, sizeof cmd);
	cmd.type = MEDIA_CMD_DTMF;
	for (p = digits; *p != '\0'; p++) {
		cmd.digit = *p;
		if ((err = media_cmd(m, &cmd)) != 0)
			return err;
	}
	return 0;
}

/* The codec in use; see media.h. */
const char *
media_codec_name(const struct media *m)
{
	return m->codec_name;
}
