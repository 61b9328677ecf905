/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_spf_parse.c - SPF record selection and the term parser
 *
 * Table-driven: each row names its case, a record, and either the terms
 * expected (kind letters) or the error (offset and a reason substring).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/spf.h"

struct row {
	const char *name;
	const char *rec;
	size_t len;          /* 0: strlen(rec) */
	int rc;
	size_t nterms;       /* rc 0 */
	long errpos;         /* rc -1; -1: do not compare */
	const char *reason;  /* rc -1: substring of the reason */
};

static const struct row rows[] = {
	{ "version only", "v=spf1", 0, 0, 0, 0, NULL },
	{ "upper case version", "V=SPF1 -ALL", 0, 0, 1, 0, NULL },
	{ "all four qualifiers", "v=spf1 +a -mx ~ptr ?all", 0, 0, 4, 0, NULL },
	{ "two spaces and trailing space", "v=spf1 a  -all ", 0, 0, 2, 0, NULL },
	{ "ip4 with cidr", "v=spf1 ip4:192.0.2.0/24 -all", 0, 0, 2, 0, NULL },
	{ "ip6 with cidr", "v=spf1 ip6:2001:db8::/32 -all", 0, 0, 2, 0, NULL },
	{ "a with dual cidr", "v=spf1 a:example.org/24//64", 0, 0, 1, 0, NULL },
	{ "mx with ip6 cidr only", "v=spf1 mx//64", 0, 0, 1, 0, NULL },
	{ "macro domain", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d}", 0, 0, 1, 0,
	    NULL },
	{ "unknown modifier", "v=spf1 foo=bar -all", 0, 0, 2, 0, NULL },
	{ "redirect and exp", "v=spf1 redirect=_spf.example.org "
	    "exp=why.example.org", 0, 0, 2, 0, NULL },
	{ "trailing dot domain", "v=spf1 a:example.org.", 0, 0, 1, 0, NULL },
	{ "dash in top label", "v=spf1 a:foo.example-org", 0, 0, 1, 0, NULL },
	/* bad input */
	{ "not spf", "v=spf10 -all", 0, -1, 0, 0, "not an SPF record" },
	{ "empty", "", 0, -1, 0, 0, "not an SPF record" },
	{ "control character", "v=spf1 a:ctrl.example.com\rptr -all", 0, -1, 0,
	    25, "invalid character 0x0d" },
	{ "tab separator", "v=spf1 a\t-all", 0, -1, 0, 8,
	    "invalid character 0x09" },
	{ "NUL byte", "v=spf1 a\0 -all", 10, -1, 0, 8, "invalid character 0x00" },
	{ "non-ascii", "v=spf1 \xc2\x80" "a -all", 0, -1, 0, 7,
	    "invalid character" },
	{ "unknown mechanism", "v=spf1 foo -all", 0, -1, 0, 7,
	    "unknown mechanism 'foo'" },
	{ "ip4 out of range", "v=spf1 ip4:192.0.2.256", 0, -1, 0, 11,
	    "not an IPv4 address" },
	{ "ip4 short", "v=spf1 ip4:192.0.2", 0, -1, 0, 11, "not an IPv4" },
	{ "ip4 holding ip6", "v=spf1 ip4:2001:db8::1", 0, -1, 0, 11,
	    "not an IPv4" },
	{ "ip6 malformed", "v=spf1 ip6:2001:db8:::1", 0, -1, 0, 11,
	    "not an IPv6" },
	{ "ip4 cidr 33", "v=spf1 ip4:192.0.2.0/33", 0, -1, 0, 20,
	    "is not 0-32" },
	{ "ip6 cidr 129", "v=spf1 ip6:2001:db8::/129", 0, -1, 0, 21,
	    "is not 0-128" },
	{ "cidr leading zero", "v=spf1 ip4:192.0.2.0/08", 0, -1, 0, 20,
	    "is not 0-32" },
	{ "a cidr 33", "v=spf1 a/33", 0, -1, 0, 8, "is not 0-32" },
	{ "mx ip6 cidr 200", "v=spf1 mx//200", 0, -1, 0, 10, "is not 0-128" },
	{ "ip4 without address", "v=spf1 ip4", 0, -1, 0, 10, "needs ':'" },
	{ "include without domain", "v=spf1 include", 0, -1, 0, 14,
	    "needs ':'" },
	{ "empty domain", "v=spf1 a:", 0, -1, 0, 9, "empty domain-spec" },
	{ "numeric top label", "v=spf1 a:foo.example.123", 0, -1, 0, 21,
	    "invalid top label" },
	{ "single label", "v=spf1 a:museum", 0, -1, 0, 9, "does not end" },
	{ "macro at the end", "v=spf1 a:foo.%", 0, -1, 0, 13,
	    "'%' at the end" },
	{ "macro unclosed", "v=spf1 exists:%{d", 0, -1, 0, 14, "not closed" },
	{ "bad macro letter", "v=spf1 exists:%{x}.example.org", 0, -1, 0, 14,
	    "no macro letter" },
	{ "c macro outside exp", "v=spf1 exists:%{c}.example.org", 0, -1, 0,
	    14, "only in exp" },
	{ "percent then letter", "v=spf1 a:%a.example.org", 0, -1, 0, 9,
	    "not by '{'" },
	{ "transformer zero", "v=spf1 exists:%{d0}.example.org", 0, -1, 0, 14,
	    "at least 1" },
	{ "all with argument", "v=spf1 all:foo", 0, -1, 0, 10, "no argument" },
	{ "two redirects", "v=spf1 redirect=a.example.org "
	    "redirect=b.example.org", 0, -1, 0, 30, "more than once" },
	{ "two exp", "v=spf1 exp=a.example.org exp=b.example.org", 0, -1, 0,
	    25, "more than once" },
	{ "modifier with qualifier", "v=spf1 -redirect=a.example.org", 0, -1,
	    0, 7, "no qualifier" },
	{ "empty modifier name", "v=spf1 =foo", 0, -1, 0, 7,
	    "start with a letter" },
	{ "bare qualifier", "v=spf1 -", 0, -1, 0, 8, "start with a letter" },
	{ "unknown modifier bad macro", "v=spf1 foo=%{q}", 0, -1, 0, 11,
	    "no macro letter" },
};

static int
run_row(const struct row *r)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_spf_record rec;
	struct mc_spf_error err;
	size_t len = r->len != 0 ? r->len : strlen(r->rec);
	int rc, bad = 0;

	assert_non_null(a);
	rc = mc_spf_parse(a, r->rec, len, &rec, &err);
	if (rc != r->rc) {
		print_error("%s: rc %d, expected %d (%s)\n", r->name, rc, r->rc,
		    err.reason);
		bad = 1;
	} else if (rc == 0 && rec.nterms != r->nterms) {
		print_error("%s: %zu terms, expected %zu\n", r->name, rec.nterms,
		    r->nterms);
		bad = 1;
	} else if (rc == -1) {
		if (r->errpos >= 0 && err.pos != (size_t)r->errpos) {
			print_error("%s: error at %zu, expected %ld (%s)\n",
			    r->name, err.pos, r->errpos, err.reason);
			bad = 1;
		}
		if (strstr(err.reason, r->reason) == NULL) {
			print_error("%s: reason '%s', expected '%s'\n", r->name,
			    err.reason, r->reason);
			bad = 1;
		}
	}
	mc_arena_free(a);
	return bad;
}

static void
test_table(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		bad += run_row(&rows[i]);
	assert_int_equal(bad, 0);
}

static void
test_term_fields(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_spf_record rec;
	struct mc_spf_error err;
	const char *s = "v=spf1 ~ip4:192.0.2.0/24 ip6:2001:db8::/48 "
	    "a:mail.example.org/28//64 mx include:_spf.example.net "
	    "redirect=_spf.example.org exp=why.example.org -all";
	static const unsigned char v4[4] = { 192, 0, 2, 0 };

	(void)state;
	assert_int_equal(mc_spf_parse(a, s, strlen(s), &rec, &err), 0);
	assert_int_equal(rec.nterms, 8);
	assert_int_equal(rec.terms[0].kind, MC_SPF_IP4);
	assert_int_equal(rec.terms[0].qualifier, MC_SPF_SOFTFAIL);
	assert_int_equal(rec.terms[0].cidr4, 24);
	assert_memory_equal(rec.terms[0].ip, v4, 4);
	assert_int_equal(rec.terms[1].kind, MC_SPF_IP6);
	assert_int_equal(rec.terms[1].cidr6, 48);
	assert_int_equal(rec.terms[2].kind, MC_SPF_A);
	assert_string_equal(rec.terms[2].domain, "mail.example.org");
	assert_int_equal(rec.terms[2].cidr4, 28);
	assert_int_equal(rec.terms[2].cidr6, 64);
	assert_int_equal(rec.terms[3].kind, MC_SPF_MX);
	assert_null(rec.terms[3].domain);
	assert_int_equal(rec.terms[3].cidr4, -1);
	assert_int_equal(rec.terms[4].pos, 72);
	assert_string_equal(rec.redirect->domain, "_spf.example.org");
	assert_string_equal(rec.exp->domain, "why.example.org");
	assert_int_equal(rec.terms[7].qualifier, MC_SPF_FAIL);
	assert_true(rec.has_all);
	/* a mx include cost a lookup; the redirect beside -all does not */
	assert_int_equal(rec.nlookup_terms, 3);
	assert_true(rec.terms[4].costs);
	assert_false(rec.terms[5].costs);
	mc_arena_free(a);
}

/* 10,000 terms parse (and an 80,000-octet record does not crash). */
static void
test_ten_thousand_terms(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_spf_record rec;
	struct mc_spf_error err;
	size_t i, len = 6, cap = 6 + 10000 * 17 + 1;
	char *s = malloc(cap);

	(void)state;
	assert_non_null(s);
	memcpy(s, "v=spf1", 6);
	for (i = 0; i < 10000; i++)
		len += (size_t)snprintf(s + len, cap - len, " ip4:10.%zu.%zu.1",
		    i / 256 % 256, i % 256);
	assert_int_equal(mc_spf_parse(a, s, len, &rec, &err), 0);
	assert_int_equal(rec.nterms, 10000);
	/* the same with an overlong bad term at the end */
	len += (size_t)snprintf(s + len, cap - len, " a:");
	assert_int_equal(mc_spf_parse(a, s, len, &rec, &err), -1);
	assert_non_null(strstr(err.reason, "empty domain-spec"));
	free(s);
	mc_arena_free(a);
}

/* An overlong term: the error names it, truncated with "...". */
static void
test_overlong_term(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_spf_record rec;
	struct mc_spf_error err;
	char s[5000];

	(void)state;
	memcpy(s, "v=spf1 foo", 10);
	memset(s + 10, 'x', sizeof(s) - 10);
	assert_int_equal(mc_spf_parse(a, s, sizeof(s), &rec, &err), -1);
	assert_true(strlen(err.term) < MC_SPF_ERR_TERM);
	assert_non_null(strstr(err.term, "..."));
	assert_non_null(strstr(err.reason, "unknown mechanism"));
	mc_arena_free(a);
}

/*
 * The term is escaped once, where it is kept (mailcheck/escape.h): a NUL as
 * \000 (never '?'), a backslash doubled; renderers never escape it again.
 */
static void
test_error_term_escaped(void **state)
{
	static const char rec[] = "v=spf1 ip4:b\xfc\\c\0d -all";
	struct mc_arena *a = mc_arena_new();
	struct mc_spf_record r;
	struct mc_spf_error err;

	(void)state;
	assert_int_equal(mc_spf_parse(a, rec, sizeof(rec) - 1, &r, &err), -1);
	assert_string_equal(err.term, "ip4:b\\252\\\\c\\000d");
	mc_arena_free(a);
}

static void
test_select(void **state)
{
	char t0[] = "v=spf10", t1[] = "v=spf1 -all", t2[] = "v=spf1";
	struct mc_rr rr[3] = {
		{ .type = MC_RR_TXT, .data = t0, .len = 7 },
		{ .type = MC_RR_TXT, .data = t1, .len = 11 },
		{ .type = MC_RR_TXT, .data = t2, .len = 6 },
	};
	struct mc_dns_answer ans = { .status = MC_DNS_OK, .rr = rr, .count = 2 };
	size_t idx = 99;

	(void)state;
	assert_int_equal(mc_spf_select(&ans, &idx), 1);
	assert_int_equal(idx, 1);
	ans.count = 3;
	assert_int_equal(mc_spf_select(&ans, &idx), -1);
	ans.count = 1;
	assert_int_equal(mc_spf_select(&ans, &idx), 0);
	assert_true(mc_spf_is_record("v=spf1 ", 7));
	assert_false(mc_spf_is_record("v=spf1x", 7));
	assert_false(mc_spf_is_record("v=spf", 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_term_fields),
		cmocka_unit_test(test_ten_thousand_terms),
		cmocka_unit_test(test_overlong_term),
		cmocka_unit_test(test_error_term_escaped),
		cmocka_unit_test(test_select),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
