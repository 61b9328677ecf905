/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dqs.c - Spamhaus DQS names (mc_dqs_wire_name) and keys
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mailcheck/dqs.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *in;
	int rc;
	const char *out; /* when rc is 1 */
};

#define K "abc123key"
static const struct row rows[] = {
	{ "zen, an IPv4 question", "2.0.0.127.zen.spamhaus.org", 1,
	    "2.0.0.127." K ".zen.dq.spamhaus.net" },
	{ "final dot", "2.0.0.127.zen.spamhaus.org.", 1,
	    "2.0.0.127." K ".zen.dq.spamhaus.net" },
	{ "dbl, a domain question", "dbltest.com.dbl.spamhaus.org", 1,
	    "dbltest.com." K ".dbl.dq.spamhaus.net" },
	{ "sbl-xbl, a list name with a hyphen", "1.2.0.192.sbl-xbl.spamhaus.org",
	    1, "1.2.0.192." K ".sbl-xbl.dq.spamhaus.net" },
	{ "xbl is not sbl-xbl", "1.2.0.192.xbl.spamhaus.org", 1,
	    "1.2.0.192." K ".xbl.dq.spamhaus.net" },
	{ "zrd and authbl", "x.example.zrd.spamhaus.org", 1,
	    "x.example." K ".zrd.dq.spamhaus.net" },
	{ "the zone's apex", "zen.spamhaus.org", 1, K ".zen.dq.spamhaus.net" },
	{ "an IPv6 nibble question",
	    "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.f.f.f.f.0.0.0.0.0.0.0.0.zen.spamhaus.org",
	    1, "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.f.f.f.f.0.0.0.0.0.0.0.0."
	    K ".zen.dq.spamhaus.net" },
	{ "another zone", "2.0.0.127.bl.spamcop.net", 0, NULL },
	{ "a label that only ends in a list name", "2.0.0.127.xzen.spamhaus.org",
	    0, NULL },
	{ "spamhaus.org itself", "spamhaus.org", 0, NULL },
	{ "www.spamhaus.org", "www.spamhaus.org", 0, NULL },
	{ "a lookalike suffix", "2.0.0.127.zen.spamhaus.org.evil", 0, NULL },
	{ "already a DQS name", "2.0.0.127." K ".zen.dq.spamhaus.net", 0, NULL },
	{ "too long for a DNS name",
	    "a234567890123456789012345678901234567890123456789012345678901.b234567890123456789012345678901234567890123456789012345678901.c234567890123456789012345678901234567890123456789012345678901.d2345678901234567890123456789012345678901234567.zen.spamhaus.org",
	    -1, NULL },
};

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);
	char out[300] = "untouched";

	assert_int_equal(mc_dqs_wire_name(K, r->in, out, sizeof(out)), r->rc);
	if (r->rc == 1)
		assert_string_equal(out, r->out);
	else if (r->rc == 0)
		assert_string_equal(out, "untouched");
}

static void
test_small_buffer(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(mc_dqs_wire_name(K, "2.0.0.127.zen.spamhaus.org", out,
	    sizeof(out)), -1);
}

static void
test_keys(void **state)
{
	char long_key[80];

	(void)state;
	assert_int_equal(mc_dqs_key_valid("abc123XYZ"), 1);
	assert_int_equal(mc_dqs_key_valid(""), 0);
	assert_int_equal(mc_dqs_key_valid("abc.def"), 0);
	assert_int_equal(mc_dqs_key_valid("abc def"), 0);
	assert_int_equal(mc_dqs_key_valid("abc\n"), 0);
	assert_int_equal(mc_dqs_key_valid("ab-c"), 0);
	memset(long_key, 'a', 63);
	long_key[63] = '\0';
	assert_int_equal(mc_dqs_key_valid(long_key), 1);
	long_key[63] = 'a';
	long_key[64] = '\0';
	assert_int_equal(mc_dqs_key_valid(long_key), 0);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_small_buffer);
	MC_TEST_ADD(t, &n, test_keys);
	return mc_table_run("dqs", t, n, NULL, NULL);
}
