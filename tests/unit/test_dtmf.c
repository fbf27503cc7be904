/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for DTMF digits in SIP INFO bodies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dtmf.h"

/* Parse body (a C string) as ctype; returns the status, digit in *d. */
static int
test_parse(const char *ctype, const char *body, char *d)
{
	*d = '?';
	return dtmf_info_parse(ctype, body, strlen(body), d);
}

/* application/dtmf-relay: Signal= lines, any case and spacing. */
static void
test_dtmf_relay(void **state)
{
	char	d;

	(void)state;
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Signal=5\r\nDuration=160\r\n", &d), 0);
	assert_int_equal(d, '5');
	assert_int_equal(test_parse("Application/DTMF-Relay; x=y",
	    "Duration=250\r\nsignal = #\r\n", &d), 0);
	assert_int_equal(d, '#');
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Signal=10\r\nDuration=100", &d), 0);
	assert_int_equal(d, '*');
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Signal=11", &d), 0);
	assert_int_equal(d, '#');
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Signal=b\n", &d), 0);
	assert_int_equal(d, 'B');
	/* Not a digit, no Signal line, or a near-miss key. */
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Signal=x\r\n", &d), EINVAL);
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Signal=16\r\n", &d), EINVAL);
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Duration=160\r\n", &d), EINVAL);
	assert_int_equal(test_parse("application/dtmf-relay",
	    "Signals=5\r\n", &d), EINVAL);
	assert_int_equal(test_parse("application/dtmf-relay", "", &d),
	    EINVAL);
	assert_int_equal(d, '?');
}

/* application/dtmf: the digit or its event code alone. */
static void
test_dtmf_plain(void **state)
{
	char	d;

	(void)state;
	assert_int_equal(test_parse("application/dtmf", "7", &d), 0);
	assert_int_equal(d, '7');
	assert_int_equal(test_parse("application/dtmf", " 11\r\n", &d), 0);
	assert_int_equal(d, '#');
	assert_int_equal(test_parse("application/dtmf", "", &d), EINVAL);
	assert_int_equal(test_parse("application/dtmf", "77", &d), EINVAL);
}

/* Other content types are not DTMF. */
static void
test_dtmf_other(void **state)
{
	char	d;

	(void)state;
	assert_int_equal(test_parse("application/sdp", "Signal=5", &d),
	    ENOTSUP);
	assert_int_equal(test_parse("application/dtmf-relayx", "Signal=5",
	    &d), ENOTSUP);
	assert_int_equal(dtmf_info_parse(NULL, "5", 1, &d), ENOTSUP);
	assert_int_equal(d, '?');
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dtmf_relay),
		cmocka_unit_test(test_dtmf_plain),
		cmocka_unit_test(test_dtmf_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
