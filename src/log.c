/* SPDX-License-Identifier: BSD-2-Clause */
/* Timestamped, thread-safe logging to a file, with stderr optionally captured. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xdg.h"

/* Guards everything below; the audio callback never logs, so a lock is fine. */
static pthread_mutex_t	 log_mtx = PTHREAD_MUTEX_INITIALIZER;
static FILE		*log_fp;		/* NULL: write to stderr */
static int		 log_level = LOG_LVL_WARN;
static int		 log_saved_stderr = -1;	/* fd 2 before the redirect */

/* Level names as they appear in the file, indexed by enum log_level. */
static const char *const log_names[] = { "error", "warn", "info", "debug" };

/* The default log path; see log.h. */
char *
log_default_path(void)
{
	return xdg_path("XDG_STATE_HOME", ".local/state",
	    "termphone/termphone.log");
}

/* Create every missing directory above the file path (like mkdir -p). */
static int
log_mkdirs(const char *path)
{
	char	*dir, *p, c;
	int	 err = 0;

	if ((dir = strdup(path)) == NULL)
		return ENOMEM;
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		goto out;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			err = errno;
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
out:
	free(dir);
	return err;
}

/* Close the file and undo the stderr redirect; the caller holds log_mtx. */
static void
log_close_locked(void)
{
	if (log_saved_stderr >= 0) {
		dup2(log_saved_stderr, STDERR_FILENO);
		close(log_saved_stderr);
		log_saved_stderr = -1;
	}
	if (log_fp != NULL) {
		fclose(log_fp);
		log_fp = NULL;
	}
}

/* Open the log file and set the level; see log.h. */
int
log_open(const char *path, int verbosity, int redirect_stderr)
{
	FILE	*fp = NULL;
	int	 fd = -1, saved = -1, level, err;

	if (verbosity <= 0)
		level = LOG_LVL_WARN;
	else if (verbosity == 1)
		level = LOG_LVL_INFO;
	else
		level = LOG_LVL_DEBUG;

	if (path != NULL) {
		if ((err = log_mkdirs(path)) != 0)
			goto fail;
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = errno;
			goto fail;
		}
		if ((fp = fdopen(fd, "a")) == NULL) {
			err = errno;
			goto fail;
		}
		fd = -1;	/* owned by fp now */
	}

	pthread_mutex_lock(&log_mtx);
	log_close_locked();
	log_level = level;
	log_fp = fp;
	if (fp != NULL && redirect_stderr) {
		fflush(stderr);
		saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		if (saved < 0 || dup2(fileno(fp), STDERR_FILENO) < 0) {
			err = errno;
			if (saved >= 0)
				close(saved);
			pthread_mutex_unlock(&log_mtx);
			log_warn("log: cannot redirect stderr to %s: %s", path,
			    strerror(err));
			return err;
		}
		log_saved_stderr = saved;
	}
	pthread_mutex_unlock(&log_mtx);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (fp != NULL)
		fclose(fp);
	log_error("log: cannot open %s: %s", path, strerror(err));
	return err;
}

/* Close the log file; see log.h. */
void
log_close(void)
{
	pthread_mutex_lock(&log_mtx);
	log_close_locked();
	pthread_mutex_unlock(&log_mtx);
}

/* Write one timestamped line; see log.h.  errno is preserved. */
void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[32];
	FILE		*fp;
	int		 saved_errno = errno;

	if ((int)level < LOG_LVL_ERROR || level > LOG_LVL_DEBUG)
		level = LOG_LVL_ERROR;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);

	pthread_mutex_lock(&log_mtx);
	if ((int)level <= log_level) {
		fp = log_fp != NULL ? log_fp : stderr;
		fprintf(fp, "%s.%03ld %s: ", stamp, ts.tv_nsec / 1000000L,
		    log_names[level]);
		vfprintf(fp, fmt, ap);
		fputc('\n', fp);
		fflush(fp);
	}
	pthread_mutex_unlock(&log_mtx);
	errno = saved_errno;
}

/* Write one line at level; see log.h. */
void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
