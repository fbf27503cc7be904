/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for the config file reader, its error messages and the defaults. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/*
 * By path: automake puts the build root (which holds autoconf's config.h)
 * on the include path before src/.
 */
#include "../../src/config.h"

/* A scratch directory and the file the current test writes. */
static char	test_config_dir[] = "/tmp/tp-config-XXXXXX";
static char	test_config_path[sizeof test_config_dir + 16];

/* Write text to the scratch config file. */
static void
test_config_write(const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(test_config_path, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Load text as a config (after defaults); returns config_load()'s result. */
static int
test_config_load(struct tp_config *cfg, const char *text, const char *account,
    char *err, size_t errlen)
{
	test_config_write(text);
	config_defaults(cfg);
	return config_load(cfg, test_config_path, account, err, errlen);
}

/*
 * Check that text fails with EINVAL and the message "PATH:LINE: ..."
 * containing needle.
 */
static void
test_config_fails(const char *text, int line, const char *needle)
{
	struct tp_config cfg;
	char		 err[512] = "", prefix[128];

	assert_int_equal(test_config_load(&cfg, text, NULL, err, sizeof err),
	    EINVAL);
	snprintf(prefix, sizeof prefix, "%s:%d: ", test_config_path, line);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("expected prefix '%s', got '%s'", prefix, err);
	if (strstr(err, needle) == NULL)
		fail_msg("expected '%s' in '%s'", needle, err);
	config_free(&cfg);
}

/* Two accounts: the first is taken by default, the other by name. */
static const char test_config_good[] =
    "; termphone config\n"
    "[general]\n"
    "listen = 192.0.2.1:5070\n"
    "codecs = PCMA, speex-nb ; narrowband only\n"
    "rtp_ports = 20000-20099\n"
    "  audio_device = USB Headset\n"
    "sounds = /opt/sounds\n"
    "log = /tmp/tp.log\n"
    "user_agent = test/1\n"
    "auto_answer = 3\n"
    "no_answer_timeout = 60\n"
    "\n"
    "[account work]\n"
    "aor = sip:alice@example.com\n"
    "auth_user = alice01\n"
    "password = s3cr;et\n"
    "registrar = sip:example.com\n"
    "proxy = sip:proxy.example.com;lr\n"
    "expires = 600\n"
    "\n"
    "[ account home ]\n"
    "aor = sips:bob@home.example.net\n";

/* The good file: every key lands in its field, the first account wins. */
static void
test_config_good_first(void **state)
{
	struct tp_config cfg;
	char		 err[256] = "";

	(void)state;
	if (test_config_load(&cfg, test_config_good, NULL, err, sizeof err))
		fail_msg("%s", err);
	assert_string_equal(cfg.listen, "192.0.2.1:5070");
	assert_true(cfg.listen_explicit);
	assert_int_equal(cfg.ncodecs, 2);
	assert_string_equal(cfg.codecs[0], "PCMA");
	assert_string_equal(cfg.codecs[1], "speex-nb");
	assert_null(cfg.codecs[2]);
	assert_int_equal(cfg.rtp_port_min, 20000);
	assert_int_equal(cfg.rtp_port_max, 20099);
	assert_string_equal(cfg.audio_device, "USB Headset");
	assert_string_equal(cfg.sounds_dir, "/opt/sounds");
	assert_string_equal(cfg.log_file, "/tmp/tp.log");
	assert_string_equal(cfg.user_agent, "test/1");
	assert_int_equal(cfg.auto_answer, 3);
	assert_int_equal(cfg.no_answer_timeout, 60);
	assert_string_equal(cfg.account.name, "work");
	assert_string_equal(cfg.account.aor, "sip:alice@example.com");
	assert_string_equal(cfg.account.auth_user, "alice01");
	assert_string_equal(cfg.account.password, "s3cr;et");
	assert_string_equal(cfg.account.registrar, "sip:example.com");
	assert_string_equal(cfg.account.proxy, "sip:proxy.example.com;lr");
	assert_int_equal(cfg.account.expires, 600);
	config_free(&cfg);
	assert_null(cfg.listen);
	assert_null(cfg.account.aor);
	config_free(NULL);
}

/* The good file with an account chosen by name; the others are ignored. */
static void
test_config_good_named(void **state)
{
	struct tp_config cfg;
	char		 err[256] = "";

	(void)state;
	if (test_config_load(&cfg, test_config_good, "home", err, sizeof err))
		fail_msg("%s", err);
	assert_string_equal(cfg.account.name, "home");
	assert_string_equal(cfg.account.aor, "sips:bob@home.example.net");
	assert_null(cfg.account.password);
	assert_null(cfg.account.registrar);
	assert_int_equal(cfg.account.expires, 3600);
	config_free(&cfg);
}

/* config_defaults() gives the documented values. */
static void
test_config_defaults(void **state)
{
	struct tp_config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_null(cfg.listen);
	assert_false(cfg.listen_explicit);
	assert_null(cfg.account.aor);
	assert_int_equal(cfg.ncodecs, 4);
	assert_string_equal(cfg.codecs[0], "speex-wb");
	assert_string_equal(cfg.codecs[1], "speex-nb");
	assert_string_equal(cfg.codecs[2], "PCMU");
	assert_string_equal(cfg.codecs[3], "PCMA");
	assert_int_equal(cfg.rtp_port_min, 16384);
	assert_int_equal(cfg.rtp_port_max, 32767);
	assert_int_equal(cfg.auto_answer, -1);
	assert_int_equal(cfg.hangup_after, -1);
	assert_int_equal(cfg.no_answer_timeout, 0);
	assert_int_equal(cfg.account.expires, 3600);
	assert_non_null(cfg.sounds_dir);
	assert_non_null(cfg.user_agent);
	assert_int_equal(strncmp(cfg.user_agent, "termphone/", 10), 0);
	assert_true(cfg.user_agent[10] != '\0');
	config_free(&cfg);
}

/* An unknown key names itself and its section, never the value. */
static void
test_config_unknown_key(void **state)
{
	struct tp_config cfg;
	char		 err[256] = "", want[256];

	(void)state;
	assert_int_equal(test_config_load(&cfg,
	    "[general]\n"
	    "auto_answer = off\n"
	    "\n"
	    "[account work]\n"
	    "; the password is misspelt below\n"
	    "aor = sip:alice@example.com\n"
	    "pasword = hunter2\n", NULL, err, sizeof err), EINVAL);
	snprintf(want, sizeof want,
	    "%s:7: unknown key 'pasword' in [account work]", test_config_path);
	assert_string_equal(err, want);
	assert_null(strstr(err, "hunter2"));
	config_free(&cfg);

	test_config_fails("[general]\nlisten = :5060\nsound = /x\n", 3,
	    "unknown key 'sound' in [general]");
	test_config_fails("aor = sip:a@b\n", 1, "'aor'");
}

/* Unknown, malformed and duplicate sections. */
static void
test_config_sections(void **state)
{
	(void)state;
	test_config_fails("[general]\n\n[generl]\nlog = /x\n", 3,
	    "unknown section [generl]");
	test_config_fails("[general]\n[account]\n", 2, "[account NAME]");
	test_config_fails("[general]\n[account a\n", 2, "syntax error");
	test_config_fails("[general] x\n", 1, "syntax error");
	test_config_fails("[account a]\naor = sip:a@b\n[account a]\n"
	    "aor = sip:c@d\n", 3, "duplicate section [account a]");
}

/* Numbers: not numeric, out of range. */
static void
test_config_bad_numbers(void **state)
{
	(void)state;
	test_config_fails("[account a]\naor = sip:a@b\nexpires = 59\n", 3,
	    "'expires'");
	test_config_fails("[account a]\naor = sip:a@b\nexpires = 86401\n", 3,
	    "'expires'");
	test_config_fails("[general]\nauto_answer = soon\n", 2,
	    "'auto_answer'");
	test_config_fails("[general]\nno_answer_timeout = -1\n", 2,
	    "'no_answer_timeout'");
	test_config_fails("[general]\nno_answer_timeout = 99999999999999999999\n",
	    2, "'no_answer_timeout'");
	test_config_fails("[general]\nrtp_ports = 16001-16999\n", 2,
	    "'rtp_ports'");
	test_config_fails("[general]\nrtp_ports = 17000-16000\n", 2,
	    "'rtp_ports'");
	test_config_fails("[general]\nrtp_ports = 16000\n", 2, "'rtp_ports'");
	test_config_fails("[general]\nrtp_ports = 16000-70000\n", 2,
	    "'rtp_ports'");
	test_config_fails("[general]\nuser_agent =\n", 2, "'user_agent'");
}

/* Listen addresses: good forms are kept (":PORT" gets 0.0.0.0), bad ones fail. */
static void
test_config_listen(void **state)
{
	struct tp_config cfg;
	char		 err[256] = "";

	(void)state;
	assert_int_equal(test_config_load(&cfg, "[general]\nlisten = :5070\n",
	    NULL, err, sizeof err), 0);
	assert_string_equal(cfg.listen, "0.0.0.0:5070");
	assert_true(cfg.listen_explicit);
	config_free(&cfg);
	assert_int_equal(test_config_load(&cfg,
	    "[general]\nlisten = [::1]:5062\n", NULL, err, sizeof err), 0);
	assert_string_equal(cfg.listen, "[::1]:5062");
	config_free(&cfg);
	/* Port 0 asks for an ephemeral port. */
	assert_int_equal(test_config_load(&cfg,
	    "[general]\nlisten = 127.0.0.1:0\n", NULL, err, sizeof err), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:0");
	config_free(&cfg);

	test_config_fails("[general]\nlisten = 1.2.3.4\n", 2, "listen");
	test_config_fails("[general]\nlisten = 1.2.3.4:00\n", 2, "listen");
	test_config_fails("[general]\nlisten = 1.2.3.4:65536\n", 2, "listen");
	test_config_fails("[general]\nlisten = 300.1.1.1:5060\n", 2, "listen");
	test_config_fails("[general]\nlisten = [::1]5060\n", 2, "listen");
	test_config_fails("[general]\nlisten = ::1:5060\n", 2, "listen");
	test_config_fails("[general]\nlisten = host:x\n", 2, "listen");
}

/* Unknown, repeated and empty codec names. */
static void
test_config_bad_codecs(void **state)
{
	struct tp_config cfg;
	char		 err[128];

	(void)state;
	test_config_fails("[general]\ncodecs = PCMU, g729\n", 2,
	    "unknown codec 'g729'");
	test_config_fails("[general]\ncodecs = PCMU,,PCMA\n", 2, "codec");
	test_config_fails("[general]\ncodecs = pcmu, PCMU\n", 2, "twice");

	/* The list is replaced only on success. */
	config_defaults(&cfg);
	assert_int_equal(config_set_codecs(&cfg, "PCMU, bogus", err,
	    sizeof err), EINVAL);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(cfg.ncodecs, 4);
	assert_int_equal(config_set_codecs(&cfg, " speex-wb ,pcma", err,
	    sizeof err), 0);
	assert_int_equal(cfg.ncodecs, 2);
	assert_string_equal(cfg.codecs[0], "speex-wb");
	assert_string_equal(cfg.codecs[1], "pcma");
	config_free(&cfg);
}

/* Accounts: missing or bad AOR, bad registrar, unknown account name. */
static void
test_config_accounts(void **state)
{
	struct tp_config cfg;
	char		 err[256] = "", want[256];

	(void)state;
	test_config_fails("[general]\n\n[account work]\npassword = x\n"
	    "[account b]\naor = sip:b@c\n", 3, "no aor");
	test_config_fails("[account a]\naor = sip:a@b\n[account work]\n", 3,
	    "[account work] has no aor");
	test_config_fails("[account a]\naor = mailto:a@b\n", 2, "aor");
	test_config_fails("[account a]\naor = sip:example.com\n", 2, "aor");
	test_config_fails("[account a]\naor = sip:a@b\nregistrar = example.com\n",
	    3, "registrar");
	test_config_fails("[account a]\naor = sip:a@b\nproxy = sip:p@x y\n",
	    3, "proxy");

	assert_int_equal(test_config_load(&cfg, test_config_good, "nope", err,
	    sizeof err), EINVAL);
	snprintf(want, sizeof want, "%s: no [account nope]", test_config_path);
	assert_string_equal(err, want);
	config_free(&cfg);

	/* No account at all is fine when none is asked for. */
	assert_int_equal(test_config_load(&cfg, "[general]\n", NULL, err,
	    sizeof err), 0);
	assert_null(cfg.account.aor);
	config_free(&cfg);
}

/* Lines inih cannot parse are syntax errors at their own line, and the first error wins. */
static void
test_config_syntax(void **state)
{
	(void)state;
	test_config_fails("[general]\nlisten = :5060\nauto_answer\n", 3,
	    "syntax error");
	test_config_fails("[general]\njunk\nbogus = 1\n", 2, "syntax error");
	test_config_fails("[general]\nbogus = 1\njunk\n", 2, "'bogus'");
	test_config_fails("[account a]\njunk\n", 2, "syntax error");
}

/* CRLF line ends and a UTF-8 byte order mark are accepted; overlong lines are not. */
static void
test_config_file_format(void **state)
{
	struct tp_config cfg;
	char		 err[256] = "", text[400];

	(void)state;
	assert_int_equal(test_config_load(&cfg, "\xEF\xBB\xBF[general]\r\n"
	    "no_answer_timeout = 5\r\n[account a]\r\naor = sip:a@b\r\n", NULL,
	    err, sizeof err), 0);
	assert_int_equal(cfg.no_answer_timeout, 5);
	assert_string_equal(cfg.account.aor, "sip:a@b");
	config_free(&cfg);

	snprintf(text, sizeof text, "[general]\n\nuser_agent = %0300d\n", 0);
	test_config_fails(text, 3, "too long");
}

/* A missing file is ENOENT with the path in the message. */
static void
test_config_missing_file(void **state)
{
	struct tp_config cfg;
	char		 err[256] = "", path[128];

	(void)state;
	snprintf(path, sizeof path, "%s/nonexistent", test_config_dir);
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, path, NULL, err, sizeof err),
	    ENOENT);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	config_free(&cfg);
}

/* The default path follows XDG_CONFIG_HOME, else HOME. */
static void
test_config_default_path(void **state)
{
	char	*p;

	(void)state;
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	assert_non_null(p = config_default_path());
	assert_string_equal(p, "/xdg/termphone/config");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	assert_non_null(p = config_default_path());
	assert_string_equal(p, "/home/u/.config/termphone/config");
	free(p);
}

/* config_set_str() copies and frees. */
static void
test_config_set_str(void **state)
{
	char	*s = NULL;

	(void)state;
	assert_int_equal(config_set_str(&s, "a"), 0);
	assert_string_equal(s, "a");
	assert_int_equal(config_set_str(&s, NULL), 0);
	assert_null(s);
}

/* Create the scratch directory. */
static int
test_config_setup(void **state)
{
	(void)state;
	if (mkdtemp(test_config_dir) == NULL)
		return -1;
	snprintf(test_config_path, sizeof test_config_path, "%s/config",
	    test_config_dir);
	return 0;
}

/* Remove the scratch directory. */
static int
test_config_teardown(void **state)
{
	(void)state;
	unlink(test_config_path);
	rmdir(test_config_dir);
	return 0;
}

/* Run the config tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_good_first),
		cmocka_unit_test(test_config_good_named),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_unknown_key),
		cmocka_unit_test(test_config_sections),
		cmocka_unit_test(test_config_bad_numbers),
		cmocka_unit_test(test_config_listen),
		cmocka_unit_test(test_config_bad_codecs),
		cmocka_unit_test(test_config_accounts),
		cmocka_unit_test(test_config_syntax),
		cmocka_unit_test(test_config_file_format),
		cmocka_unit_test(test_config_missing_file),
		cmocka_unit_test(test_config_default_path),
		cmocka_unit_test(test_config_set_str),
	};

	return cmocka_run_group_tests(tests, test_config_setup,
	    test_config_teardown);
}
