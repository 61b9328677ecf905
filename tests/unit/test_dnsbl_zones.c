/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dnsbl_zones.c - the blocklist zone list parser, answer
 * classification, reverse names, and the shipped data/dnsbl-zones
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/datafile.h"
#include "mailcheck/dnsbl_zones.h"
#include "mailcheck/mailaddrs.h"

struct bad_case {
	const char *name;
	const char *text;
	const char *err; /* expected message, "t:LINE: ..." */
};

static const struct bad_case bad_cases[] = {
	{ "unknown kind", "zen.example ipv4 ; listed 127.0.0.2 x\n",
	  "t:1: unknown kind 'ipv4' (expected ip or domain)" },
	{ "kind missing", "zen.example\n",
	  "t:1: kind of zone 'zen.example' missing (ip or domain)" },
	{ "zone not a name", "bad..example ip ; listed 127.0.0.2 x\n",
	  "t:1: zone 'bad..example' is not a domain name" },
	{ "single label", "localhost ip ; listed 127.0.0.2 x\n",
	  "t:1: zone 'localhost' is not a domain name" },
	{ "bad code on line 3", "# c\na.example ip ; listed 127.0.0.2 x\n"
	  "b.example ip ; listed 127.0.0.256 y\n",
	  "t:3: invalid answer code '127.0.0.256'" },
	{ "bad range end", "a.example ip ; listed 127.0.0.2-127.0.0 x\n",
	  "t:1: invalid answer code '127.0.0'" },
	{ "empty range", "a.example ip ; listed 127.0.0.9-127.0.0.2 x\n",
	  "t:1: answer range '127.0.0.9-127.0.0.2' is empty" },
	{ "bad bit", "a.example domain ; listed bit:3 x\n",
	  "t:1: invalid bit 'bit:3'" },
	{ "bit 256", "a.example domain ; listed bit:256 x\n",
	  "t:1: invalid bit 'bit:256'" },
	{ "meaning missing", "a.example ip ; listed 127.0.0.2\n",
	  "t:1: meaning of '127.0.0.2' missing" },
	{ "unknown rule", "a.example ip ; listd 127.0.0.2 x\n",
	  "t:1: unknown rule 'listd'" },
	{ "unknown flag", "a.example ip fast ; listed 127.0.0.2 x\n",
	  "t:1: unknown flag 'fast'" },
	{ "ipv4-only on domain", "a.example domain ipv4-only ; listed 127.0.0.2 x\n",
	  "t:1: unknown flag 'ipv4-only'" },
	{ "no listing codes", "a.example ip ; error 127.0.0.1 blocked\n",
	  "t:1: zone 'a.example' has no listing codes" },
	{ "no listing codes, next zone", "a.example ip\n    error 127.0.0.1 b\n"
	  "b.example ip ; listed 127.0.0.2 x\n",
	  "t:3: zone 'a.example' has no listing codes" },
	{ "indented first", "  listed 127.0.0.2 x\n",
	  "t:1: indented rules without a zone above" },
	{ "duplicate zone", "a.example ip ; listed 127.0.0.2 x\n"
	  "A.example. ip ; listed 127.0.0.2 x\n",
	  "t:2: zone 'a.example' is listed twice" },
	{ "test of ip zone", "a.example ip ; listed 127.0.0.2 x ; test foo\n",
	  "t:1: test entry 'foo' of an ip zone is not an IPv4 address" },
	{ "test of domain zone", "a.example domain ; listed 127.0.0.2 x ; test a..b\n",
	  "t:1: test entry 'a..b' is not a domain name" },
	{ "test arity", "a.example ip ; listed 127.0.0.2 x ; "
	  "test 127.0.0.2 127.0.0.1 127.0.0.3\n",
	  "t:1: expected 'test LISTED [UNLISTED]'" },
	{ "test6 not IPv6", "a.example ip ; listed 127.0.0.2 x ; test6 127.0.0.2\n",
	  "t:1: IPv6 test entry '127.0.0.2' is not an IPv6 address" },
	{ "test6 of domain zone", "a.example domain ; listed 127.0.1.2 x ; "
	  "test6 ::ffff:7f00:2\n",
	  "t:1: 'test6' in domain zone 'a.example' (IPv6 test entries belong "
	  "to ip zones)" },
	{ "test6 arity", "a.example ip ; listed 127.0.0.2 x ; test6\n",
	  "t:1: expected 'test6 LISTED [UNLISTED]'" },
	{ "test6 of an ipv4-only zone", "a.example ip ipv4-only\n"
	  "    listed 127.0.0.2 x\n    ; test6 2001:db8::2\n",
	  "t:3: zone 'a.example' is ipv4-only but has IPv6 test entries" },
	{ "rules without a zone", "; listed 127.0.0.2 x\n",
	  "t:1: zone name missing before the rules" },
	{ "empty", "# nothing\n\n", "t: no zones" },
	{ "NUL byte", "a.example ip ; listed 127.0.0.2 x\0y\n",
	  "t:1: NUL byte in line" },
};

static void
test_bad_input(void **state)
{
	struct mc_dnsbl_list *l;
	char err[512];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		len = strlen(bad_cases[i].text);
		if (strcmp(bad_cases[i].name, "NUL byte") == 0)
			len += 1 + strlen(bad_cases[i].text + len + 1);
		err[0] = '\0';
		l = mc_dnsbl_list_parse(bad_cases[i].text, len, "t", err,
		    sizeof(err));
		if (l != NULL) {
			mc_dnsbl_list_free(l);
			fail_msg("case '%s': parsed, expected an error",
			    bad_cases[i].name);
		}
		if (strncmp(err, bad_cases[i].err,
		    strlen(bad_cases[i].err)) != 0)
			fail_msg("case '%s': error '%s', expected '%s...'",
			    bad_cases[i].name, err, bad_cases[i].err);
	}
}

static void
test_long_line(void **state)
{
	char text[MC_DNSBL_LINE_MAX + 64], err[512];

	(void)state;
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_null(mc_dnsbl_list_parse(text, strlen(text), "t", err,
	    sizeof(err)));
	assert_string_equal(err, "t:1: line longer than 1024 bytes");
}

/* A valid name too long for "<32 nibbles>.<zone>" questions. */
static void
test_long_zone(void **state)
{
	char zone[200], text[300], want[300], err[512];

	(void)state;
	memset(zone, 'a', 3 * 64);
	zone[63] = zone[127] = '.';
	memcpy(zone + 191, ".example", 9);
	snprintf(text, sizeof(text), "%s ip ; listed 127.0.0.2 x\n", zone);
	snprintf(want, sizeof(want), "t:1: zone '%s' is too long for its "
	    "questions", zone);
	assert_null(mc_dnsbl_list_parse(text, strlen(text), "t", err,
	    sizeof(err)));
	assert_string_equal(err, want);
}

static const char good[] =
	"# a comment\r\n"
	"zen.example ip\n"
	"    listed 127.0.0.2 SBL: spam\n"
	"    ; listed 127.0.0.4-127.0.0.7 XBL: bot\n"
	"\t; policy 127.0.0.10,127.0.0.11 PBL: end users ;\n"
	"    ; error 127.255.255.254 public resolver\n"
	"\n"
	"Multi.Example. domain ; test test.example invalid.example\n"
	"    ; listed bit:8 PH ; listed bit:64 ABUSE ; error bit:1 blocked\n"
	"pol.example ip policy ipv4-only ; listed 127.0.0.2 pol\n";

static const char own6[] = "v6.example ip ; listed 127.0.0.2 x ; "
	"test6 2001:DB8::2 ; test6 ::FFFF:7F00:2 2001:0db8::1";

static void
test_good(void **state)
{
	struct mc_dnsbl_list *l;
	const struct mc_dnsbl_zone *z;
	char err[512];

	(void)state;
	l = mc_dnsbl_list_parse(good, strlen(good), "good", err, sizeof(err));
	if (l == NULL)
		fail_msg("%s", err);
	assert_int_equal(l->nzones, 3);
	z = &l->zones[0];
	assert_string_equal(z->zone, "zen.example");
	assert_int_equal(z->kind, MC_DNSBL_KIND_IP);
	assert_int_equal(z->nrules, 5);
	assert_string_equal(z->test_listed, "127.0.0.2");
	assert_string_equal(z->test_unlisted, "127.0.0.1");
	assert_string_equal(z->rules[2].meaning, "PBL: end users");
	/* RFC 5782 5: ::FFFF:7F00:2 and ::FFFF:7F00:1 */
	assert_string_equal(z->test6_listed, "::ffff:127.0.0.2");
	assert_string_equal(z->test6_unlisted, "::ffff:127.0.0.1");
	z = &l->zones[1];
	assert_string_equal(z->zone, "multi.example");
	assert_int_equal(z->kind, MC_DNSBL_KIND_DOMAIN);
	assert_string_equal(z->test_listed, "test.example");
	assert_string_equal(z->test_unlisted, "invalid.example");
	assert_null(z->test6_listed);
	z = &l->zones[2];
	assert_true(z->policy);
	assert_true(z->ipv4_only);
	assert_null(z->test6_listed);
	assert_null(z->test6_unlisted);
	mc_dnsbl_list_free(l);

	/* IPv6 test entries of the list's own, in inet_ntop form */
	l = mc_dnsbl_list_parse(own6, strlen(own6), "t", err, sizeof(err));
	if (l == NULL)
		fail_msg("%s", err);
	assert_string_equal(l->zones[0].test6_listed, "::ffff:127.0.0.2");
	assert_string_equal(l->zones[0].test6_unlisted, "2001:db8::1");
	assert_string_equal(l->zones[0].test_listed, "127.0.0.2");
	mc_dnsbl_list_free(l);

	/* domain zones default to TEST and INVALID */
	l = mc_dnsbl_list_parse("d.example domain ; listed 127.0.1.2 x", 37,
	    "t", err, sizeof(err));
	assert_non_null(l);
	assert_string_equal(l->zones[0].test_listed, "test");
	assert_string_equal(l->zones[0].test_unlisted, "invalid");
	mc_dnsbl_list_free(l);
}

struct class_case {
	const char *name;
	size_t zone;
	unsigned char addr[4];
	enum mc_dnsbl_verdict verdict;
	const char *meaning;
};

static const struct class_case class_cases[] = {
	{ "SBL", 0, { 127, 0, 0, 2 }, MC_DNSBL_LISTED, "SBL: spam" },
	{ "XBL range", 0, { 127, 0, 0, 6 }, MC_DNSBL_LISTED, "XBL: bot" },
	{ "PBL policy", 0, { 127, 0, 0, 11 }, MC_DNSBL_POLICY, "PBL: end users" },
	{ "public resolver error", 0, { 127, 255, 255, 254 }, MC_DNSBL_ERROR,
	  "public resolver" },
	{ "undocumented", 0, { 127, 0, 0, 99 }, MC_DNSBL_UNDOCUMENTED, "" },
	{ "hijack 10.0.0.1", 0, { 10, 0, 0, 1 }, MC_DNSBL_ERROR,
	  "the answer 10.0.0.1 is outside 127.0.0.0/8" },
	{ "bitmask two lists", 1, { 127, 0, 0, 72 }, MC_DNSBL_LISTED,
	  "PH; ABUSE" },
	{ "bitmask bit 1 error wins", 1, { 127, 0, 0, 73 }, MC_DNSBL_ERROR,
	  "blocked" },
	{ "bitmask unknown bit", 1, { 127, 0, 0, 4 }, MC_DNSBL_UNDOCUMENTED, "" },
	{ "policy zone", 2, { 127, 0, 0, 2 }, MC_DNSBL_POLICY, "pol" },
};

static void
test_classify(void **state)
{
	struct mc_dnsbl_list *l;
	char err[512], buf[256];
	enum mc_dnsbl_verdict v;
	size_t i;

	(void)state;
	l = mc_dnsbl_list_parse(good, strlen(good), "good", err, sizeof(err));
	assert_non_null(l);
	for (i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		const struct class_case *c = &class_cases[i];

		v = mc_dnsbl_classify(&l->zones[c->zone], c->addr, buf,
		    sizeof(buf));
		if (v != c->verdict || strncmp(buf, c->meaning,
		    strlen(c->meaning)) != 0)
			fail_msg("case '%s': verdict %d '%s', expected %d '%s'",
			    c->name, (int)v, buf, (int)c->verdict, c->meaning);
	}
	/* a tiny buffer is still terminated */
	v = mc_dnsbl_classify(&l->zones[0], class_cases[0].addr, buf, 4);
	assert_int_equal(v, MC_DNSBL_LISTED);
	assert_true(strlen(buf) < 4);
	mc_dnsbl_list_free(l);
}

static void
test_generic(void **state)
{
	const char *zones[] = { "bl.example.net", "Other.Example." };
	const char *bad[] = { "bl.example.net", "not a zone" };
	struct mc_dnsbl_list *l;
	char err[512], buf[128];
	unsigned char a[4] = { 127, 0, 0, 254 }, b[4] = { 127, 0, 0, 1 };

	(void)state;
	l = mc_dnsbl_list_generic(zones, 2, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(l->nzones, 2);
	assert_string_equal(l->zones[1].zone, "other.example");
	assert_int_equal(mc_dnsbl_classify(&l->zones[0], a, buf, sizeof(buf)),
	    MC_DNSBL_LISTED);
	assert_int_equal(mc_dnsbl_classify(&l->zones[0], b, buf, sizeof(buf)),
	    MC_DNSBL_UNDOCUMENTED);
	mc_dnsbl_list_free(l);
	assert_null(mc_dnsbl_list_generic(bad, 2, err, sizeof(err)));
	assert_non_null(strstr(err, "invalid --dnsbl-zone 'not a zone'"));
}

/* The shipped list parses and holds the defaults the issue names. */
static void
test_shipped(void **state)
{
	static const char *const want[] = {
		"zen.spamhaus.org", "dbl.spamhaus.org", "bl.spamcop.net",
		"b.barracudacentral.org", "psbl.surriel.com", "bl.mailspike.net",
		"multi.surbl.org", "multi.uribl.com", NULL,
	};
	struct mc_dnsbl_list *l;
	char path[1024], err[512], buf[256];
	unsigned char pub[4] = { 127, 255, 255, 254 };
	unsigned char refused[4] = { 127, 0, 0, 1 };
	unsigned char dblerr[4] = { 127, 0, 1, 255 };
	size_t i, k;

	(void)state;
	assert_int_equal(mc_datafile_path("dnsbl-zones", path, sizeof(path)), 1);
	l = mc_dnsbl_list_load(path, err, sizeof(err));
	if (l == NULL)
		fail_msg("%s", err);
	for (i = 0; want[i] != NULL; i++) {
		for (k = 0; k < l->nzones; k++)
			if (strcmp(l->zones[k].zone, want[i]) == 0)
				break;
		if (k == l->nzones)
			fail_msg("default zone %s missing", want[i]);
	}
	for (k = 0; k < l->nzones; k++) {
		assert_null(strstr(l->zones[k].zone, "sorbs"));
		/* IPv6 self-tests exactly where IPv6 is asked */
		if (l->zones[k].kind == MC_DNSBL_KIND_IP &&
		    !l->zones[k].ipv4_only)
			assert_non_null(l->zones[k].test6_listed);
		else
			assert_null(l->zones[k].test6_listed);
	}
	/* the false alarms of other tools are errors here */
	assert_int_equal(mc_dnsbl_classify(&l->zones[0], pub, buf, sizeof(buf)),
	    MC_DNSBL_ERROR);
	assert_non_null(strstr(buf, "public"));
	assert_int_equal(mc_dnsbl_classify(&l->zones[1], dblerr, buf,
	    sizeof(buf)), MC_DNSBL_ERROR);
	assert_int_equal(mc_dnsbl_classify(&l->zones[7], refused, buf,
	    sizeof(buf)), MC_DNSBL_ERROR);
	assert_int_equal(mc_dnsbl_classify(&l->zones[6], refused, buf,
	    sizeof(buf)), MC_DNSBL_ERROR);
	mc_dnsbl_list_free(l);
	assert_null(mc_dnsbl_list_load("/nonexistent/zones", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open blocklist zone list "
	    "'/nonexistent/zones'"));
}

static void
test_reverse_names(void **state)
{
	unsigned char v4[4] = { 144, 76, 187, 44 };
	unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	char buf[128];

	(void)state;
	assert_int_equal(mc_reverse_name(v4, 4, "in-addr.arpa", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "44.187.76.144.in-addr.arpa");
	assert_int_equal(mc_reverse_name(v4, 4, "zen.spamhaus.org", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "44.187.76.144.zen.spamhaus.org");
	/* RFC 5782 2.4: 2001:db8::1 */
	assert_int_equal(mc_reverse_name(v6, 16, "bl.example", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.8.b.d.0.1.0.0.2.bl.example");
	assert_int_equal(mc_reverse_name(v6, 16, "ip6.arpa", buf, 70), -1);
	assert_int_equal(mc_reverse_name(v4, 4, "in-addr.arpa", buf, 10), -1);
	assert_int_equal(mc_reverse_name(v4, 5, "x", buf, sizeof(buf)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_long_zone),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_reverse_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
