/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for dial-string completion and the SIP URI checker. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uri.h"

/* Complete target against domain and check the result is want. */
static void
test_uri_ok(const char *target, const char *domain, const char *want)
{
	char	 err[128] = "", *out = (char *)"unset";

	if (uri_complete(target, domain, &out, err, sizeof err) != 0)
		fail_msg("'%s' rejected: %s", target, err);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

/* Check that target is rejected with EINVAL, a NULL result and a reason. */
static void
test_uri_bad(const char *target, const char *domain)
{
	char	 err[128] = "", *out = (char *)"unset";
	int	 rc;

	rc = uri_complete(target, domain, &out, err, sizeof err);
	if (rc != EINVAL)
		fail_msg("'%s' gave %d, expected EINVAL", target ? target : "(null)",
		    rc);
	assert_null(out);
	assert_true(err[0] != '\0');
}

/* Phone numbers lose their visual separators and get the service domain. */
static void
test_uri_numbers(void **state)
{
	(void)state;
	test_uri_ok("1234", "example.com", "sip:1234@example.com");
	test_uri_ok("+1 555-0100", "example.com", "sip:+15550100@example.com");
	test_uri_ok("(030) 123.45-67", "example.com",
	    "sip:0301234567@example.com");
	test_uri_ok("  *97  ", "example.com", "sip:*97@example.com");
	test_uri_ok("12#", "example.com:5070", "sip:12%23@example.com:5070");
}

/* Names are completed as they are; a misplaced '+' in a number is refused. */
static void
test_uri_names(void **state)
{
	(void)state;
	test_uri_ok("bob", "example.com", "sip:bob@example.com");
	test_uri_ok("bob.smith", "example.com", "sip:bob.smith@example.com");
	test_uri_ok("1-800-FLOWERS", "example.com",
	    "sip:1-800-FLOWERS@example.com");
	test_uri_bad("bob smith", "example.com");
	test_uri_bad("bob<x>", "example.com");
	test_uri_bad("1+2 3", "example.com");
}

/* user@host gets the scheme; full URIs are kept verbatim. */
static void
test_uri_full(void **state)
{
	(void)state;
	test_uri_ok("bob@example.org", "example.com", "sip:bob@example.org");
	test_uri_ok("bob@example.org", NULL, "sip:bob@example.org");
	test_uri_ok("sip:bob@example.org", NULL, "sip:bob@example.org");
	test_uri_ok("sips:alice@10.0.0.1:5061;transport=tls", NULL,
	    "sips:alice@10.0.0.1:5061;transport=tls");
	test_uri_ok("sip:carol@[2001:db8::1]:5080;lr", NULL,
	    "sip:carol@[2001:db8::1]:5080;lr");
	test_uri_ok("SIP:pbx.example.com", NULL, "SIP:pbx.example.com");
	test_uri_ok("sip:%62ob@host?subject=hi&priority=urgent", NULL,
	    "sip:%62ob@host?subject=hi&priority=urgent");
	test_uri_ok("sip:+358-555;postd=pp22@foo.com;user=phone", NULL,
	    "sip:+358-555;postd=pp22@foo.com;user=phone");
}

/* tel: URIs become user=phone SIP URIs (RFC 3261 19.1.6). */
static void
test_uri_tel(void **state)
{
	(void)state;
	test_uri_ok("tel:+1555", "example.com",
	    "sip:+1555@example.com;user=phone");
	test_uri_ok("tel:+1-555-0100", "example.com",
	    "sip:+15550100@example.com;user=phone");
	test_uri_ok("tel:7042;phone-context=example.com", "example.com",
	    "sip:7042;phone-context=example.com@example.com;user=phone");
	test_uri_bad("tel:", "example.com");
	test_uri_bad("tel:abc", "example.com");
	test_uri_bad("tel:+1555", NULL);
}

/* Malformed URIs and targets that cannot be completed are EINVAL. */
static void
test_uri_rejects(void **state)
{
	(void)state;
	test_uri_bad("sip:", NULL);
	test_uri_bad("sip:@host", NULL);
	test_uri_bad("sip:bob@", NULL);
	test_uri_bad("sip:bob@ho st", NULL);
	test_uri_bad("sip:bob@host:99999", NULL);
	test_uri_bad("sip:bob@host:0", NULL);
	test_uri_bad("sip:bob@host:", NULL);
	test_uri_bad("sip:bob@[::1", NULL);
	test_uri_bad("sip:bob@[zz::1]", NULL);
	test_uri_bad("sip:bob@1.2.3", NULL);
	test_uri_bad("sip:bob@-host", NULL);
	test_uri_bad("sip:bob@host;", NULL);
	test_uri_bad("sip:bob@host;a b", NULL);
	test_uri_bad("sip:b ob@host", NULL);
	test_uri_bad("sip:bob@host>", NULL);
	test_uri_bad("sip:bo%4@host", NULL);
	test_uri_bad("bob", NULL);
	test_uri_bad("1234", NULL);
	test_uri_bad("", "example.com");
	test_uri_bad("   ", "example.com");
	test_uri_bad(NULL, "example.com");
	test_uri_bad("bob@", NULL);
	test_uri_bad("http://example.com", "example.com");
}

/* uri_host() and uri_user() split a SIP URI. */
static void
test_uri_parts(void **state)
{
	char	buf[64];

	(void)state;
	assert_int_equal(uri_host("sip:alice@example.com", buf, sizeof buf), 0);
	assert_string_equal(buf, "example.com");
	assert_int_equal(uri_host("sips:a@[::1]:5061;lr", buf, sizeof buf), 0);
	assert_string_equal(buf, "[::1]:5061");
	assert_int_equal(uri_user("sip:alice@example.com;x=y", buf,
	    sizeof buf), 0);
	assert_string_equal(buf, "alice");
	assert_int_equal(uri_user("sip:example.com", buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(uri_host("tel:+1555", buf, sizeof buf), EINVAL);
	assert_int_equal(uri_user("sip:@x", buf, sizeof buf), EINVAL);
	assert_int_equal(uri_host("sip:a@example.com", buf, 4), ENOSPC);
}

/* Run the URI tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_numbers),
		cmocka_unit_test(test_uri_names),
		cmocka_unit_test(test_uri_full),
		cmocka_unit_test(test_uri_tel),
		cmocka_unit_test(test_uri_rejects),
		cmocka_unit_test(test_uri_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
