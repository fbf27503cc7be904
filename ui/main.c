/* SPDX-License-Identifier: BSD-2-Clause */
/* termphone's entry point: options and config, then one loop and one front-end. */

#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "config.h"
#include "frontend.h"
#include "log.h"
#include "termphone.h"
#include "uri.h"

#define DEMO_CALL_SECONDS	12

enum main_opt {
	OPT_AUTO_ANSWER = 256, OPT_HANGUP_AFTER, OPT_EXIT_AFTER_CALL, OPT_DTMF,
	OPT_PLAY, OPT_HANGUP_WHEN_PLAYED, OPT_RECORD, OPT_NULL_AUDIO,
	OPT_AUDIO_DEVICE, OPT_LIST_DEVICES, OPT_LISTEN, OPT_CONFIG, OPT_ACCOUNT,
	OPT_USER, OPT_PASSWORD, OPT_REGISTRAR, OPT_PROXY, OPT_SIP_TRACE,
	OPT_HEADLESS, OPT_EVENTS, OPT_LOG, OPT_DEMO, OPT_VERSION, OPT_HELP,
	OPT_CODECS, OPT_NO_ANSWER_TIMEOUT, OPT_AUTH_USER, OPT_EXPIRES,
	OPT_SOUNDS,
};

static const struct option main_options[] = {
	{ "auto-answer",	optional_argument, NULL, OPT_AUTO_ANSWER },
	{ "hangup-after",	required_argument, NULL, OPT_HANGUP_AFTER },
	{ "exit-after-call",	no_argument,	   NULL, OPT_EXIT_AFTER_CALL },
	{ "dtmf",		required_argument, NULL, OPT_DTMF },
	{ "play",		required_argument, NULL, OPT_PLAY },
	{ "hangup-when-played",	no_argument,	   NULL, OPT_HANGUP_WHEN_PLAYED },
	{ "record",		required_argument, NULL, OPT_RECORD },
	{ "null-audio",		no_argument,	   NULL, OPT_NULL_AUDIO },
	{ "audio-device",	required_argument, NULL, OPT_AUDIO_DEVICE },
	{ "list-devices",	no_argument,	   NULL, OPT_LIST_DEVICES },
	{ "listen",		required_argument, NULL, OPT_LISTEN },
	{ "config",		required_argument, NULL, OPT_CONFIG },
	{ "account",		required_argument, NULL, OPT_ACCOUNT },
	{ "user",		required_argument, NULL, OPT_USER },
	{ "auth-user",		required_argument, NULL, OPT_AUTH_USER },
	{ "password",		required_argument, NULL, OPT_PASSWORD },
	{ "registrar",		required_argument, NULL, OPT_REGISTRAR },
	{ "proxy",		required_argument, NULL, OPT_PROXY },
	{ "expires",		required_argument, NULL, OPT_EXPIRES },
	{ "sip-trace",		required_argument, NULL, OPT_SIP_TRACE },
	{ "headless",		no_argument,	   NULL, OPT_HEADLESS },
	{ "events",		required_argument, NULL, OPT_EVENTS },
	{ "log",		required_argument, NULL, OPT_LOG },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "demo",		no_argument,	   NULL, OPT_DEMO },
	{ "codecs",		required_argument, NULL, OPT_CODECS },
	{ "no-answer-timeout",	required_argument, NULL, OPT_NO_ANSWER_TIMEOUT },
	{ "sounds",		required_argument, NULL, OPT_SOUNDS },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ "help",		no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* Everything main() collects before it starts the core. */
struct main_state {
	struct tp_loop		*loop;
	struct tp_core		*core;
	struct tp_core		*peer;		/* --demo */
	const struct frontend	*fe;
	int			 sigpipe[2];
	volatile sig_atomic_t	 signals;	/* touched by the signal handler */
	unsigned		 pending_shutdowns;
	int			 user_stderr;	/* the terminal's stderr, kept */
};

static struct main_state main_st = { .sigpipe = { -1, -1 }, .user_stderr = 2 };

/* Print the usage text to fp. */
static void
main_usage(FILE *fp)
{
	fprintf(fp,
"Usage: termphone [OPTIONS] [URI]\n"
"A terminal SIP softphone. A URI (or a number or name, completed with the\n"
"account's domain) is dialled at start, after registration if an account\n"
"has a registrar.\n"
"\n"
"Calls and scripting:\n"
"  --auto-answer[=SECONDS]  answer incoming calls (after SECONDS, default 0)\n"
"  --hangup-after=SECONDS   hang up SECONDS after the call is answered\n"
"  --no-answer-timeout=SECONDS  give up if nobody answers in time\n"
"  --exit-after-call        exit when the first call ends\n"
"  --dtmf=DIGITS            send RFC 4733 DTMF after answer (',' = 1 s pause)\n"
"  --play=FILE              send FILE as the microphone (once, then silence)\n"
"  --hangup-when-played     hang up when the --play file has been sent\n"
"  --record=FILE            record what the far end sends, as WAV\n"
"  --demo                   call a demo peer inside this process (no server,\n"
"                           no sound card needed)\n"
"Audio:\n"
"  --null-audio             send silence, discard what is heard\n"
"  --audio-device=NAME      PortAudio device (a name substring; 'jack:' for JACK)\n"
"  --list-devices           list audio devices and exit\n"
"  --sounds=DIR             ringtone, ringback and greeting files\n"
"Account and network:\n"
"  --listen=ADDR:PORT       SIP address (default 0.0.0.0:5060, UDP and TCP)\n"
"  --config=FILE            config file (default $XDG_CONFIG_HOME/termphone/config)\n"
"  --account=NAME           use [account NAME] from the config\n"
"  --user=AOR               account AOR, e.g. sip:alice@example.com\n"
"  --auth-user=NAME         digest user name (default: the AOR's user)\n"
"  --password=PASSWORD      digest password\n"
"  --registrar=URI          REGISTER there\n"
"  --proxy=URI              outbound proxy\n"
"  --expires=SECONDS        registration expiry (default 3600)\n"
"  --codecs=LIST            e.g. speex-wb,speex-nb,PCMU,PCMA (the default)\n"
"Output:\n"
"  --headless               no TUI: one line per event on stdout, commands on\n"
"                           stdin (the default when stdout is not a terminal):\n"
"                           dial URI, answer, reject [CODE], hangup, hold,\n"
"                           resume, mute, unmute, dtmf DIGITS, quit\n"
"  --events=json            JSON lines instead of text (headless)\n"
"  --sip-trace=FILE         write the full text of every SIP message to FILE\n"
"  --log=FILE               log file (default $XDG_STATE_HOME/termphone/termphone.log)\n"
"  -v, --verbose            more logging (repeat for debug)\n"
"  --version, --help\n"
"\n"
"Exit status:\n"
"  0  the call was answered and ended normally (or there was no call)\n"
"  1  internal error\n"
"  2  usage or config error (bad option, URI, file, config line, audio\n"
"     device, port in use)\n"
"  3  registration failed\n"
"  4  busy (486 Busy Here, 600 Busy Everywhere)\n"
"  5  declined (603 Decline)\n"
"  6  rejected with another 4xx/5xx/6xx\n"
"  7  no answer (408, 480, or --no-answer-timeout)\n"
"  8  transport or network failure (no response at all)\n");
}

/* Print "termphone: MESSAGE" on the user's stderr. */
static void
main_error(const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	dprintf(main_st.user_stderr, "termphone: %s\n", buf);
}

/* Parse a count of seconds for option name.  Returns 0 or EINVAL. */
static int
main_seconds(const char *name, const char *arg, int *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 86400) {
		main_error("--%s: '%s' is not a number of seconds (0-86400)",
		    name, arg);
		return EINVAL;
	}
	*out = (int)v;
	return 0;
}

/* Check that a file we will write can be created in its directory. */
static int
main_check_writable(const char *opt, const char *path)
{
	char		*copy, *dir;
	struct stat	 st;
	int		 err = 0;

	if ((copy = strdup(path)) == NULL)
		return ENOMEM;
	dir = dirname(copy);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		main_error("--%s: '%s': directory '%s' does not exist", opt, path,
		    dir);
		err = ENOENT;
	} else if (access(dir, W_OK) != 0) {
		main_error("--%s: '%s': directory '%s' is not writable", opt,
		    path, dir);
		err = EACCES;
	}
	free(copy);
	return err;
}

/* Choose the sounds directory: option, env, install dir, or next to us. */
static void
main_sounds_dir(struct tp_config *cfg, const char *opt)
{
	char		 exe[PATH_MAX], path[PATH_MAX + 32];
	const char	*env = getenv("TP_SOUNDS_DIR");
	ssize_t		 n;

	if (opt != NULL) {
		config_set_str(&cfg->sounds_dir, opt);
		return;
	}
	if (env != NULL && env[0] != '\0') {
		config_set_str(&cfg->sounds_dir, env);
		return;
	}
	if (cfg->sounds_dir != NULL) {
		snprintf(path, sizeof path, "%s/greeting.wav", cfg->sounds_dir);
		if (access(path, R_OK) == 0)
			return;
	}
	/* Not installed: use the source tree's sounds/ next to the binary. */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(path, sizeof path, "%s/sounds", dirname(exe));
		config_set_str(&cfg->sounds_dir, path);
	}
}

/* Signal handler: first signal asks for a clean exit, second exits now. */
static void
main_signal(int sig)
{
	ssize_t	n;

	if (++main_st.signals >= 2) {
		if (main_st.fe != NULL && main_st.fe->emergency_restore != NULL)
			main_st.fe->emergency_restore();
		_exit(128 + sig);
	}
	n = write(main_st.sigpipe[1], &sig, sizeof sig);
	(void)n;
}

/* The signal pipe is readable: start the graceful shutdown. */
static void
main_sigpipe_readable(int fd, void *arg)
{
	int	sig;

	(void)arg;
	while (read(fd, &sig, sizeof sig) == (ssize_t)sizeof sig) {
		log_info("signal %d: shutting down", sig);
		tp_shutdown(main_st.core);
		if (main_st.peer != NULL)
			tp_shutdown(main_st.peer);
	}
}

/* Watch for the shutdown of the user's core (and the demo peer's). */
static void
main_event(const struct tp_event *ev, void *arg)
{
	(void)arg;
	if (ev->type != TP_EV_SHUTDOWN)
		return;
	if (main_st.pending_shutdowns > 0)
		main_st.pending_shutdowns--;
	if (main_st.peer != NULL && main_st.pending_shutdowns == 1)
		tp_shutdown(main_st.peer);
	if (main_st.pending_shutdowns == 0)
		tp_loop_break(main_st.loop);
}

/* Install SIGINT/SIGTERM handlers that write to the signal pipe. */
static int
main_signals(void)
{
	struct sigaction	sa;

	if (pipe2(main_st.sigpipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return errno;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return tp_loop_watch_fd(main_st.loop, main_st.sigpipe[0],
	    main_sigpipe_readable, NULL);
}

/* Fill cfg from the options; returns 0 or TP_EXIT_USAGE (message printed). */
static int
main_parse(int argc, char **argv, struct tp_config *cfg, struct fe_options *feo,
    bool *headless, bool *list_devices)
{
	const char	*config_path = NULL, *account = NULL, *codecs = NULL;
	const char	*sounds = NULL;
	char		*default_path = NULL, err[512];
	int		 c, verbosity = 0, r;
	struct {
		const char *user, *auth_user, *password, *registrar, *proxy;
		const char *listen, *expires;
	} acct = { 0 };

	/* First pass: where the config comes from. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", main_options, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG:
			config_path = optarg;
			break;
		case OPT_ACCOUNT:
			account = optarg;
			break;
		case OPT_HELP:
			main_usage(stdout);
			exit(TP_EXIT_OK);
		case OPT_VERSION:
			printf("termphone %s\n", tp_version());
			exit(TP_EXIT_OK);
		case ':':
			main_error("option '%s' needs a value; try 'termphone "
			    "--help'", argv[optind - 1]);
			return TP_EXIT_USAGE;
		case '?':
			/* Long options report their value in optopt (>= 256). */
			if (optopt >= 256)
				main_error("option '%.*s' takes no value; try "
				    "'termphone --help'",
				    (int)strcspn(argv[optind - 1], "="),
				    argv[optind - 1]);
			else if (optopt != 0)
				main_error("unknown option '-%c'; try "
				    "'termphone --help'", optopt);
			else
				main_error("unknown option '%s'; try 'termphone "
				    "--help'", argv[optind - 1]);
			return TP_EXIT_USAGE;
		default:
			break;
		}
	}
	if (config_path == NULL)
		config_path = default_path = config_default_path();
	if (config_path != NULL) {
		r = config_load(cfg, config_path, account, err, sizeof err);
		if (r == ENOENT && (default_path == NULL || account != NULL)) {
			main_error("%s: cannot read the config file: %s",
			    config_path, strerror(ENOENT));
			free(default_path);
			return TP_EXIT_USAGE;
		}
		if (r != 0 && r != ENOENT) {
			main_error("%s", err);
			free(default_path);
			return TP_EXIT_USAGE;
		}
	}
	free(default_path);

	/* Second pass: the options override the config. */
	optind = 1;
	while ((c = getopt_long(argc, argv, ":v", main_options, NULL)) != -1) {
		r = 0;
		switch (c) {
		case OPT_AUTO_ANSWER:
			cfg->auto_answer = 0;
			if (optarg != NULL)
				r = main_seconds("auto-answer", optarg,
				    &cfg->auto_answer);
			break;
		case OPT_HANGUP_AFTER:
			r = main_seconds("hangup-after", optarg, &cfg->hangup_after);
			break;
		case OPT_NO_ANSWER_TIMEOUT:
			r = main_seconds("no-answer-timeout", optarg,
			    &cfg->no_answer_timeout);
			break;
		case OPT_EXIT_AFTER_CALL:
			cfg->exit_after_call = true;
			break;
		case OPT_DTMF:
			if (optarg[strspn(optarg, "0123456789*#ABCDabcd,")] != '\0' ||
			    optarg[0] == '\0') {
				main_error("--dtmf: '%s': use only 0-9 * # A-D and "
				    "',' for a pause", optarg);
				return TP_EXIT_USAGE;
			}
			config_set_str(&cfg->dtmf, optarg);
			for (char *p = cfg->dtmf; *p != '\0'; p++)
				if (*p >= 'a' && *p <= 'd')
					*p = (char)(*p - 'a' + 'A');
			break;
		case OPT_PLAY:
			if (audio_file_check(optarg, err, sizeof err) != 0) {
				main_error("--play: %s", err);
				return TP_EXIT_USAGE;
			}
			config_set_str(&cfg->play_file, optarg);
			break;
		case OPT_HANGUP_WHEN_PLAYED:
			cfg->hangup_when_played = true;
			break;
		case OPT_RECORD:
			if (main_check_writable("record", optarg) != 0)
				return TP_EXIT_USAGE;
			config_set_str(&cfg->record_file, optarg);
			break;
		case OPT_NULL_AUDIO:
			cfg->null_audio = true;
			break;
		case OPT_AUDIO_DEVICE:
			config_set_str(&cfg->audio_device, optarg);
			break;
		case OPT_LIST_DEVICES:
			*list_devices = true;
			break;
		case OPT_LISTEN: {
			char *norm = config_listen(optarg);

			if (norm == NULL) {
				main_error("--listen: '%s': expected ADDR:PORT, "
				    "[IPv6]:PORT or :PORT", optarg);
				return TP_EXIT_USAGE;
			}
			free(norm);
			acct.listen = optarg;
			break;
		}
		case OPT_USER:
			acct.user = optarg;
			break;
		case OPT_AUTH_USER:
			acct.auth_user = optarg;
			break;
		case OPT_PASSWORD:
			acct.password = optarg;
			break;
		case OPT_REGISTRAR:
			acct.registrar = optarg;
			break;
		case OPT_PROXY:
			acct.proxy = optarg;
			break;
		case OPT_EXPIRES:
			acct.expires = optarg;
			break;
		case OPT_SIP_TRACE:
			if (main_check_writable("sip-trace", optarg) != 0)
				return TP_EXIT_USAGE;
			config_set_str(&cfg->sip_trace, optarg);
			break;
		case OPT_HEADLESS:
			*headless = true;
			break;
		case OPT_EVENTS:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				main_error("--events: '%s': use 'json' or 'text'",
				    optarg);
				return TP_EXIT_USAGE;
			}
			feo->json = strcmp(optarg, "json") == 0;
			break;
		case OPT_LOG:
			if (main_check_writable("log", optarg) != 0)
				return TP_EXIT_USAGE;
			config_set_str(&cfg->log_file, optarg);
			break;
		case 'v':
			verbosity++;
			break;
		case OPT_DEMO:
			feo->demo = true;
			break;
		case OPT_CODECS:
			codecs = optarg;
			break;
		case OPT_SOUNDS:
			sounds = optarg;
			break;
		default:
			break;
		}
		if (r != 0)
			return TP_EXIT_USAGE;
	}
	if (verbosity > cfg->verbosity)
		cfg->verbosity = verbosity;
	if (codecs != NULL && config_set_codecs(cfg, codecs, err, sizeof err) != 0) {
		main_error("--codecs: %s", err);
		return TP_EXIT_USAGE;
	}
	if (acct.listen != NULL) {
		config_set_str(&cfg->listen, acct.listen);
		cfg->listen_explicit = true;
	} else if (cfg->listen != NULL)
		cfg->listen_explicit = true;
	if (acct.user != NULL) {
		char *uri = NULL;

		if (strncmp(acct.user, "sip:", 4) != 0 &&
		    strncmp(acct.user, "sips:", 5) != 0) {
			main_error("--user: '%s': expected a SIP AOR such as "
			    "sip:alice@example.com", acct.user);
			return TP_EXIT_USAGE;
		}
		if (uri_complete(acct.user, NULL, &uri, err, sizeof err) != 0) {
			main_error("--user: '%s': %s", acct.user, err);
			return TP_EXIT_USAGE;
		}
		free(uri);
		config_set_str(&cfg->account.aor, acct.user);
	}
	if (acct.auth_user != NULL)
		config_set_str(&cfg->account.auth_user, acct.auth_user);
	if (acct.password != NULL)
		config_set_str(&cfg->account.password, acct.password);
	if (acct.registrar != NULL)
		config_set_str(&cfg->account.registrar, acct.registrar);
	if (acct.proxy != NULL)
		config_set_str(&cfg->account.proxy, acct.proxy);
	if (acct.expires != NULL) {
		int e;

		if (main_seconds("expires", acct.expires, &e) != 0)
			return TP_EXIT_USAGE;
		cfg->account.expires = (unsigned)e;
	}
	if (cfg->account.registrar != NULL && cfg->account.aor == NULL) {
		main_error("--registrar needs an account AOR (--user=sip:USER@DOMAIN)");
		return TP_EXIT_USAGE;
	}
	if (cfg->account.registrar != NULL &&
	    strncmp(cfg->account.registrar, "sip:", 4) != 0 &&
	    strncmp(cfg->account.registrar, "sips:", 5) != 0) {
		main_error("--registrar: '%s': expected a SIP URI such as "
		    "sip:example.com", cfg->account.registrar);
		return TP_EXIT_USAGE;
	}
	if (cfg->hangup_when_played && cfg->play_file == NULL) {
		main_error("--hangup-when-played needs --play=FILE");
		return TP_EXIT_USAGE;
	}
	if (optind < argc - 1) {
		main_error("more than one URI given ('%s', '%s')", argv[optind],
		    argv[optind + 1]);
		return TP_EXIT_USAGE;
	}
	if (optind == argc - 1) {
		char domain[128] = "", *uri = NULL, *p;

		if (cfg->account.aor != NULL &&
		    uri_host(cfg->account.aor, domain, sizeof domain) == 0 &&
		    domain[0] != '[' && (p = strchr(domain, ':')) != NULL)
			*p = '\0';
		if (uri_complete(argv[optind], domain[0] != '\0' ? domain : NULL,
		    &uri, err, sizeof err) != 0) {
			main_error("'%s': %s", argv[optind], err);
			return TP_EXIT_USAGE;
		}
		free(uri);
		config_set_str(&cfg->dial, argv[optind]);
	}
	if (feo->demo && cfg->dial != NULL) {
		main_error("--demo calls the demo peer; do not give a URI too");
		return TP_EXIT_USAGE;
	}
	main_sounds_dir(cfg, sounds);
	return 0;
}

/* Run termphone. */
int
main(int argc, char **argv)
{
	struct tp_config	 cfg;
	struct fe_options	 feo;
	bool			 headless = false, list_devices = false;
	char			*log_path = NULL, uri[160];
	char			 errbuf[512];
	int			 status, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	memset(&feo, 0, sizeof feo);
	config_defaults(&cfg);
	if ((status = main_parse(argc, argv, &cfg, &feo, &headless,
	    &list_devices)) != 0) {
		config_free(&cfg);
		return status;
	}
	if (!headless && !isatty(STDOUT_FILENO))
		headless = true;
	if (feo.demo && headless)
		cfg.exit_after_call = true;
	/* The demo is a call on loopback: open no port to the network. */
	if (feo.demo && !cfg.listen_explicit)
		config_set_str(&cfg.listen, "127.0.0.1:0");
	main_st.fe = headless ? &fe_headless : &fe_tui;

	/* From here on library noise goes to the log, never to the screen. */
	log_path = cfg.log_file != NULL ? strdup(cfg.log_file) : log_default_path();
	main_st.user_stderr = dup(STDERR_FILENO);
	if (log_open(log_path, cfg.verbosity, 1) != 0) {
		main_error("cannot open the log file '%s'", log_path);
		status = TP_EXIT_USAGE;
		goto out;
	}
	feo.log_path = log_path;
	log_info("termphone %s starting", tp_version());
	if (list_devices) {
		/* PortAudio's probing noise goes to the log, the list to stdout. */
		if (audio_pa_init() != 0)
			printf("no audio devices found\n");
		else
			audio_pa_list(stdout);
		status = TP_EXIT_OK;
		goto out;
	}

	/*
	 * A device the user named must exist: fail now, with the usage
	 * status, rather than fall back to silence in the middle of a call.
	 */
	if (cfg.audio_device != NULL && !cfg.null_audio &&
	    audio_pa_check(cfg.audio_device, errbuf, sizeof errbuf) != 0) {
		main_error("audio device %s", errbuf);
		status = TP_EXIT_USAGE;
		goto out;
	}

	if ((err = tp_loop_new(&main_st.loop)) != 0) {
		main_error("cannot create the main loop: %s", strerror(err));
		status = TP_EXIT_INTERNAL;
		goto out;
	}
	if ((err = tp_core_new(&main_st.core, main_st.loop, &cfg)) != 0) {
		if (err == EADDRINUSE)
			main_error("--listen: cannot listen on '%s': address in "
			    "use or not available", cfg.listen != NULL ?
			    cfg.listen : "0.0.0.0:5060");
		else if (err == EINVAL)
			main_error("--listen: '%s': expected ADDR:PORT",
			    cfg.listen != NULL ? cfg.listen : "");
		else
			main_error("cannot start: %s", strerror(err));
		status = err == EADDRINUSE || err == EINVAL ? TP_EXIT_USAGE :
		    TP_EXIT_INTERNAL;
		goto out;
	}
	main_st.pending_shutdowns = 1;
	tp_subscribe(main_st.core, main_event, NULL);
	if (feo.demo) {
		if ((err = tp_demo_new(&main_st.peer, main_st.loop, &cfg,
		    DEMO_CALL_SECONDS, uri, sizeof uri)) != 0) {
			main_error("cannot start the demo peer: %s", strerror(err));
			status = TP_EXIT_INTERNAL;
			goto out;
		}
		main_st.pending_shutdowns = 2;
		tp_subscribe(main_st.peer, main_event, NULL);
	}
	if ((err = main_signals()) != 0) {
		main_error("cannot install signal handlers: %s", strerror(err));
		status = TP_EXIT_INTERNAL;
		goto out;
	}
	if ((err = main_st.fe->start(main_st.core, main_st.loop, &feo)) != 0) {
		main_error("cannot start the %s front-end: %s", main_st.fe->name,
		    strerror(err));
		status = TP_EXIT_INTERNAL;
		goto out;
	}
	if (feo.demo)
		tp_dial(main_st.core, uri, NULL);
	tp_loop_run(main_st.loop);
	main_st.fe->stop();
	status = tp_core_exit_status(main_st.core);
out:
	tp_core_free(main_st.peer);
	tp_core_free(main_st.core);
	if (main_st.sigpipe[0] >= 0 && main_st.loop != NULL)
		tp_loop_unwatch_fd(main_st.loop, main_st.sigpipe[0]);
	tp_loop_free(main_st.loop);
	audio_pa_terminate();
	log_info("exit status %d", status);
	log_close();
	free(log_path);
	config_free(&cfg);
	return status;
}
