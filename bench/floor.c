/* SPDX-License-Identifier: BSD-2-Clause */
/* The CPU floor of a 20 ms media loop on this machine, without SIP or termphone's media thread. */

/*
 * Why this exists: a call's CPU cost per minute is mostly what the machine
 * charges for waking a thread 50 times a second and moving one RTP packet
 * each way, plus the codec.  This program measures exactly that and
 * nothing else, so bench/run.sh can show how far termphone's media thread
 * is above the floor that any implementation pacing 20 ms frames pays.
 *
 * Each mode runs for --secs seconds in all, one iteration every 20 ms on
 * an absolute CLOCK_MONOTONIC deadline, as src/media.c does.  The modes
 * take turns a second at a time, so a change in what the host does
 * meanwhile (this is a shared VM) weighs on all of them alike:
 *   wake     clock_nanosleep() only.
 *   rtp      wake, then one 172-byte datagram (a 20 ms PCMU packet with
 *            its RTP header) sent to a second socket on 127.0.0.1 and
 *            read back.  On loopback the sender's sendto() also does the
 *            receiving side's IP and UDP work, as it does between two
 *            termphones on one machine.
 *   codec    rtp, plus one frame of the codec encoded and decoded through
 *            termphone's own codec table (src/codec_speex.c settings).
 *   hot      the codec alone, back to back with no sleep (warm caches).
 * The result is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID, read once
 * at each end) per frame, and that times the 3000 frames of a call-minute:
 * CPU-seconds per call-minute, comparable with bench/run.sh's figures.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "codec.h"

#define FLOOR_FRAME_MS	20
#define FLOOR_PKT	172	/* bytes: 12 RTP header + 160 PCMU */
#define FLOOR_MAX_FRAME	640	/* samples */

/* What one mode measured. */
struct floor_result {
	double	cpu_s;		/* thread CPU, s */
	long	frames;
};

/* The loopback socket pair and the speech to encode. */
struct floor_ctx {
	int				 tx, rx;
	struct sockaddr_in		 rx_addr;
	const struct codec_desc		*codec;
	struct codec_state		*cs;
	int16_t				*pcm;	/* whole file, mono, codec rate */
	size_t				 pcm_len;	/* samples */
	size_t				 pos;
};

/* Seconds on clock id. */
static double
floor_now(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open two UDP sockets on 127.0.0.1 with ephemeral ports.  Returns 0 or errno. */
static int
floor_sockets(struct floor_ctx *c)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->tx = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    (c->rx = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return errno;
	if (bind(c->tx, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    bind(c->rx, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    getsockname(c->rx, (struct sockaddr *)&c->rx_addr, &len) == -1)
		return errno;
	return 0;
}

/* Read path (mono, at the codec's rate) into c->pcm.  Returns 0 or -1 with a message. */
static int
floor_load(struct floor_ctx *c, const char *path)
{
	SF_INFO		 info;
	SNDFILE		*sf;
	sf_count_t	 n;

	memset(&info, 0, sizeof info);
	if ((sf = sf_open(path, SFM_READ, &info)) == NULL) {
		fprintf(stderr, "floor: cannot read '%s': %s\n", path,
		    sf_strerror(NULL));
		return -1;
	}
	if (info.channels != 1 || (uint32_t)info.samplerate != c->codec->clock_rate ||
	    info.frames < (sf_count_t)codec_frame_samples(c->codec)) {
		fprintf(stderr, "floor: '%s' must be mono at %u Hz and hold at "
		    "least one frame\n", path, c->codec->clock_rate);
		sf_close(sf);
		return -1;
	}
	c->pcm = calloc((size_t)info.frames, sizeof *c->pcm);
	if (c->pcm == NULL) {
		sf_close(sf);
		return -1;
	}
	n = sf_readf_short(sf, c->pcm, info.frames);
	sf_close(sf);
	c->pcm_len = n > 0 ? (size_t)n : 0;
	return 0;
}

/* Encode and decode the next frame of the file, wrapping at its end. */
static void
floor_codec_frame(struct floor_ctx *c)
{
	size_t	frame = codec_frame_samples(c->codec), plen, n = FLOOR_MAX_FRAME;
	uint8_t	payload[1500];
	int16_t	out[FLOOR_MAX_FRAME];

	if (c->pos + frame > c->pcm_len)
		c->pos = 0;
	plen = sizeof payload;
	if (c->codec->encode(c->cs, c->pcm + c->pos, frame, payload, &plen) == 0)
		c->codec->decode(c->cs, payload, plen, out, &n);
	c->pos += frame;
}

/* Run frames iterations of one mode ("wake", "rtp", "codec", "hot"), adding to *r. */
static void
floor_run(struct floor_ctx *c, const char *mode, long frames,
    struct floor_result *r)
{
	uint8_t		pkt[FLOOR_PKT], back[1500];
	struct timespec	next;
	double		c0;
	long		i;
	int		sleep = strcmp(mode, "hot") != 0;
	int		net = strcmp(mode, "rtp") == 0 || strcmp(mode, "codec") == 0;
	int		codec = strcmp(mode, "codec") == 0 || !sleep;

	memset(pkt, 0x80, sizeof pkt);
	clock_gettime(CLOCK_MONOTONIC, &next);
	c0 = floor_now(CLOCK_THREAD_CPUTIME_ID);
	for (i = 0; i < frames; i++) {
		if (sleep) {
			next.tv_nsec += FLOOR_FRAME_MS * 1000000L;
			if (next.tv_nsec >= 1000000000L) {
				next.tv_nsec -= 1000000000L;
				next.tv_sec++;
			}
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
			    &next, NULL) == EINTR)
				;
		}
		if (net) {
			(void)sendto(c->tx, pkt, sizeof pkt, 0,
			    (struct sockaddr *)&c->rx_addr, sizeof c->rx_addr);
			(void)recv(c->rx, back, sizeof back, MSG_DONTWAIT);
		}
		if (codec)
			floor_codec_frame(c);
	}
	r->cpu_s += floor_now(CLOCK_THREAD_CPUTIME_ID) - c0;
	r->frames += frames;
}

/* The modes, in the order they take turns. */
static const char *const floor_modes[] = { "wake", "rtp", "codec", "hot" };
#define FLOOR_NMODES	(sizeof floor_modes / sizeof floor_modes[0])

/*
 * Set use[m] for each mode named in list (comma-separated).  Returns 0,
 * or -1 after printing which word is not a mode.
 */
static int
floor_parse_modes(const char *list, int use[FLOOR_NMODES])
{
	size_t	len, m;

	memset(use, 0, FLOOR_NMODES * sizeof *use);
	for (; *list != '\0'; list += len + (list[len] == ',')) {
		len = strcspn(list, ",");
		for (m = 0; m < FLOOR_NMODES; m++)
			if (strlen(floor_modes[m]) == len &&
			    strncmp(list, floor_modes[m], len) == 0)
				break;
		if (m == FLOOR_NMODES) {
			fprintf(stderr, "floor: unknown mode '%.*s' in --modes "
			    "(wake, rtp, codec, hot)\n", (int)len, list);
			return -1;
		}
		use[m] = 1;
	}
	return 0;
}

/* Print the usage line to f. */
static void
floor_usage(FILE *f)
{
	fprintf(f, "usage: floor [--secs=N] [--codec=NAME] [--modes=wake,rtp,codec,hot] "
	    "--file=WAV\n");
}

/* Parse the options, then run the selected modes in turns and print one line each. */
int
main(int argc, char **argv)
{
	struct floor_ctx	 c;
	struct floor_result	 r[FLOOR_NMODES];
	int			 use[FLOOR_NMODES];
	const char		*file = NULL, *cname = "speex-wb";
	const char		*want = "wake,rtp,codec,hot";
	long			 secs = 30, round;
	char			*end;
	size_t			 m;
	int			 i, err;

	memset(&c, 0, sizeof c);
	c.tx = c.rx = -1;
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--secs=", 7) == 0) {
			secs = strtol(argv[i] + 7, &end, 10);
			if (*end != '\0' || secs < 1 || secs > 3600) {
				fprintf(stderr, "floor: bad --secs '%s' (1 to 3600)\n",
				    argv[i] + 7);
				return 2;
			}
		} else if (strncmp(argv[i], "--codec=", 8) == 0)
			cname = argv[i] + 8;
		else if (strncmp(argv[i], "--modes=", 8) == 0)
			want = argv[i] + 8;
		else if (strncmp(argv[i], "--file=", 7) == 0)
			file = argv[i] + 7;
		else {
			floor_usage(stderr);
			return 2;
		}
	}
	if (file == NULL) {
		floor_usage(stderr);
		return 2;
	}
	if (floor_parse_modes(want, use) != 0)
		return 2;
	if ((c.codec = codec_find_config(cname)) == NULL) {
		fprintf(stderr, "floor: unknown codec '%s'\n", cname);
		return 2;
	}
	if (floor_load(&c, file) != 0)
		return 2;
	if ((err = c.codec->init(&c.cs)) != 0 || (err = floor_sockets(&c)) != 0) {
		fprintf(stderr, "floor: set-up failed: %s\n", strerror(err));
		return 1;
	}
	printf("# mode cpu_s_per_call_minute us_per_frame (%s, %ld s of frames each)\n",
	    cname, secs);
	memset(r, 0, sizeof r);
	for (round = 0; round < secs; round++)
		for (m = 0; m < FLOOR_NMODES; m++)
			if (use[m])
				floor_run(&c, floor_modes[m], 1000 / FLOOR_FRAME_MS,
				    &r[m]);
	for (m = 0; m < FLOOR_NMODES; m++)
		if (r[m].frames > 0)
			printf("%s %.4f %.1f\n", floor_modes[m], r[m].cpu_s /
			    (double)r[m].frames * (60000 / FLOOR_FRAME_MS),
			    r[m].cpu_s / (double)r[m].frames * 1e6);
	c.codec->fini(c.cs);
	close(c.tx);
	close(c.rx);
	free(c.pcm);
	return 0;
}
