/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_mta_sts_policy.c - the MTA-STS policy and record parsers
 * and the mx pattern matcher (RFC 8461), table-driven
 *
 * A policy row gives the input (with its length, so NUL bytes can be in
 * it) and what must come out: mode, max_age, the kept mx patterns joined by
 * '|', usability, and the problems as "kind@line" joined by ' '.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc_table.h"
#include "mailcheck/mta_sts_policy.h"

static const char *const kinds[] = { "syntax", "nul", "long-line",
	"unknown-key", "duplicate-key", "version", "mode", "max-age",
	"mx-missing", "mx-invalid", "too-many-mx" };

struct policy_row {
	const char *name;
	const char *in;
	size_t len;           /* 0: strlen(in) */
	enum mc_sts_mode mode;
	long max_age;
	const char *mx;
	int usable;
	const char *problems;
};

#define GOOD "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n"

static const struct policy_row policy_rows[] = {
	{ "valid enforce, LF", GOOD, 0, MC_STS_MODE_ENFORCE, 604800,
	    "mx.example.com", 1, "" },
	{ "valid, CRLF", "version: STSv1\r\nmode: testing\r\nmx: *.example.com\r\n"
	    "max_age: 86400\r\n", 0, MC_STS_MODE_TESTING, 86400, "*.example.com",
	    1, "" },
	{ "no final newline", "version: STSv1\nmode: none\nmax_age: 0", 0,
	    MC_STS_MODE_NONE, 0, "", 1, "" },
	{ "whitespace around values", "version:STSv1\nmode:\t enforce \n"
	    "mx:  MX.Example.COM\nmax_age: 1\n", 0, MC_STS_MODE_ENFORCE, 1,
	    "mx.example.com", 1, "" },
	{ "blank lines skipped", "\n\nversion: STSv1\n\nmode: none\n\n"
	    "max_age: 5\n\n", 0, MC_STS_MODE_NONE, 5, "", 1, "" },
	{ "empty input", "", 0, MC_STS_MODE_INVALID, -1, "", 0,
	    "version@0 mode@0 max-age@0" },
	{ "no version", "mode: none\nmax_age: 5\n", 0, MC_STS_MODE_NONE, 5, "",
	    0, "version@0" },
	{ "wrong version", "version: STSv2\nmode: none\nmax_age: 5\n", 0,
	    MC_STS_MODE_NONE, 5, "", 0, "version@1" },
	{ "mode case matters", "version: STSv1\nmode: Enforce\nmx: a.b\n"
	    "max_age: 5\n", 0, MC_STS_MODE_INVALID, 5, "a.b", 0, "mode@2" },
	{ "max_age too large", "version: STSv1\nmode: none\n"
	    "max_age: 31557601\n", 0, MC_STS_MODE_NONE, -1, "", 0, "max-age@3" },
	{ "max_age at the limit", "version: STSv1\nmode: none\n"
	    "max_age: 31557600\n", 0, MC_STS_MODE_NONE, 31557600, "", 1, "" },
	{ "max_age not digits", "version: STSv1\nmode: none\nmax_age: -5\n", 0,
	    MC_STS_MODE_NONE, -1, "", 0, "max-age@3" },
	{ "max_age 11 digits", "version: STSv1\nmode: none\n"
	    "max_age: 00000000001\n", 0, MC_STS_MODE_NONE, -1, "", 0,
	    "max-age@3" },
	{ "enforce without mx", "version: STSv1\nmode: enforce\nmax_age: 5\n", 0,
	    MC_STS_MODE_ENFORCE, 5, "", 0, "mx-missing@0" },
	{ "duplicate mode, first counts", "version: STSv1\nmode: enforce\n"
	    "mode: none\nmx: a.b\nmax_age: 5\n", 0, MC_STS_MODE_ENFORCE, 5,
	    "a.b", 1, "duplicate-key@3" },
	{ "unknown key", GOOD "colour: blue\n", 0, MC_STS_MODE_ENFORCE, 604800,
	    "mx.example.com", 1, "unknown-key@5" },
	{ "invalid key", GOOD "bad key!: x\n", 0, MC_STS_MODE_ENFORCE, 604800,
	    "mx.example.com", 1, "unknown-key@5" },
	{ "no colon", GOOD "just words\n", 0, MC_STS_MODE_ENFORCE, 604800,
	    "mx.example.com", 1, "syntax@5" },
	{ "empty key", GOOD ": value\n", 0, MC_STS_MODE_ENFORCE, 604800,
	    "mx.example.com", 1, "syntax@5" },
	{ "control character", GOOD "mx: a\x1b[31m.b\n", 0, MC_STS_MODE_ENFORCE,
	    604800, "mx.example.com", 1, "syntax@5" },
	{ "NUL byte skips the line", "version: STSv1\nmode: enforce\n"
	    "mx: a\0.b\nmax_age: 5\n", 49, MC_STS_MODE_ENFORCE, 5, "", 0,
	    "nul@3 mx-missing@0" },
	{ "invalid mx values", "version: STSv1\nmode: enforce\nmx: a..b\n"
	    "mx: *.\nmx: -a.b\nmx: a*.b\nmx: **.b\nmx: ok.b\nmax_age: 5\n", 0,
	    MC_STS_MODE_ENFORCE, 5, "ok.b", 1,
	    "mx-invalid@3 mx-invalid@4 mx-invalid@5 mx-invalid@6 mx-invalid@7" },
	{ "trailing dot in mx", "version: STSv1\nmode: enforce\nmx: a.b.\n"
	    "max_age: 5\n", 0, MC_STS_MODE_ENFORCE, 5, "", 0,
	    "mx-invalid@3 mx-missing@0" },
	{ NULL, NULL, 0, 0, 0, NULL, 0, NULL },
};

static void
test_policy(void **state)
{
	const struct policy_row *row = MC_ROW(state, struct policy_row);
	struct mc_arena *a = mc_arena_new();
	struct mc_sts_policy p;
	char mx[512] = "", probs[512] = "";
	size_t i, len = row->len != 0 ? row->len : strlen(row->in);

	assert_non_null(a);
	assert_int_equal(mc_sts_policy_parse(a, row->in, len, &p), 0);
	for (i = 0; i < p.nmx; i++)
		snprintf(mx + strlen(mx), sizeof(mx) - strlen(mx), "%s%s",
		    i > 0 ? "|" : "", p.mx[i]);
	for (i = 0; i < p.nproblems; i++)
		snprintf(probs + strlen(probs), sizeof(probs) - strlen(probs),
		    "%s%s@%zu", i > 0 ? " " : "", kinds[p.problem[i].kind],
		    p.problem[i].line);
	if (p.mode != row->mode || p.max_age != row->max_age ||
	    strcmp(mx, row->mx) != 0 || mc_sts_policy_usable(&p) != row->usable ||
	    strcmp(probs, row->problems) != 0)
		fail_msg("%s: mode %s max_age %ld mx '%s' usable %d problems '%s'",
		    row->name, mc_sts_mode_str(p.mode), p.max_age, mx,
		    mc_sts_policy_usable(&p), probs);
	mc_arena_free(a);
}

/* Bounded whatever the input: 10,000 mx lines, a 1 MB line, 1000 bad lines. */
static void
test_bounds(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_sts_policy p;
	size_t cap = 400000, len = 0, i;
	char *buf = malloc(cap + (1u << 20) + 64);

	(void)state;
	assert_non_null(buf);
	len += (size_t)snprintf(buf, cap, "version: STSv1\nmode: enforce\n"
	    "max_age: 5\n");
	for (i = 0; i < 10000; i++)
		len += (size_t)snprintf(buf + len, cap - len, "mx: h%zu.b\n", i);
	assert_int_equal(mc_sts_policy_parse(a, buf, len, &p), 0);
	assert_int_equal(p.nmx, MC_STS_MAX_MX);
	assert_int_equal(p.nmx_lines, 10000);
	assert_int_equal(p.nproblems, 1);
	assert_int_equal(p.problem[0].kind, MC_STS_P_TOO_MANY_MX);
	assert_true(mc_sts_policy_usable(&p));

	memset(buf, 'x', 1u << 20);
	memcpy(buf + (1u << 20), "\nversion: STSv1\n", 16);
	assert_int_equal(mc_sts_policy_parse(a, buf, (1u << 20) + 16, &p), 0);
	assert_int_equal(p.problem[0].kind, MC_STS_P_LONG_LINE);
	assert_int_equal(p.problem[0].line, 1);
	assert_string_equal(p.version, "STSv1");

	len = 0;
	for (i = 0; i < 1000; i++)
		len += (size_t)snprintf(buf + len, cap - len, "junk\n");
	assert_int_equal(mc_sts_policy_parse(a, buf, len, &p), 0);
	assert_int_equal(p.nproblems, MC_STS_MAX_PROBLEMS);
	assert_int_equal(p.nproblems_total, 1003);
	free(buf);
	mc_arena_free(a);
}

struct match_row {
	const char *name;
	const char *pattern;
	const char *host;
	int match;
};

static const struct match_row match_rows[] = {
	{ "exact", "mx.example.com", "mx.example.com", 1 },
	{ "exact differs", "mx.example.com", "mx2.example.com", 0 },
	{ "wildcard one label", "*.example.com", "mx.example.com", 1 },
	{ "wildcard not two labels", "*.example.com", "a.mx.example.com", 0 },
	{ "wildcard not the parent", "*.example.com", "example.com", 0 },
	{ "wildcard not a suffix trick", "*.example.com", "mx.badexample.com", 0 },
	{ "wildcard needs a label", "*.example.com", ".example.com", 0 },
	{ NULL, NULL, NULL, 0 },
};

static void
test_match(void **state)
{
	const struct match_row *row = MC_ROW(state, struct match_row);

	if (mc_sts_mx_match(row->pattern, row->host) != row->match)
		fail_msg("%s: '%s' vs '%s' should %smatch", row->name,
		    row->pattern, row->host, row->match ? "" : "not ");
}

struct record_row {
	const char *name;
	const char *in;
	int is_sts;
	enum mc_sts_record_error err;
	const char *id;
	size_t next;
};

static const struct record_row record_rows[] = {
	{ "valid", "v=STSv1; id=20160831085700Z;", 1, MC_STS_R_OK,
	    "20160831085700Z", 0 },
	{ "no trailing semicolon", "v=STSv1; id=abc", 1, MC_STS_R_OK, "abc", 0 },
	{ "extension", "v=STSv1; id=1; foo=bar", 1, MC_STS_R_OK, "1", 1 },
	{ "id 32 characters", "v=STSv1; id=abcdefghijabcdefghijabcdefghijab", 1,
	    MC_STS_R_OK, "abcdefghijabcdefghijabcdefghijab", 0 },
	{ "id 33 characters", "v=STSv1; id=abcdefghijabcdefghijabcdefghijabc", 1,
	    MC_STS_R_ID_INVALID, NULL, 0 },
	{ "id with a dash", "v=STSv1; id=2016-08", 1, MC_STS_R_ID_INVALID, NULL, 0 },
	{ "id empty", "v=STSv1; id=", 1, MC_STS_R_ID_INVALID, NULL, 0 },
	{ "no id", "v=STSv1;", 1, MC_STS_R_ID_MISSING, NULL, 0 },
	{ "duplicate id", "v=STSv1; id=1; id=2", 1, MC_STS_R_SYNTAX, NULL, 0 },
	{ "not a STS record", "v=spf1 -all", 0, MC_STS_R_VERSION, NULL, 0 },
	{ "STSv10 is not STSv1", "v=STSv10; id=1", 0, MC_STS_R_VERSION, NULL, 0 },
	{ "version later", "id=1; v=STSv1", 0, MC_STS_R_VERSION, NULL, 0 },
	{ NULL, NULL, 0, 0, NULL, 0 },
};

static void
test_record(void **state)
{
	const struct record_row *row = MC_ROW(state, struct record_row);
	struct mc_arena *a = mc_arena_new();
	struct mc_sts_record rec;
	int rc;

	assert_int_equal(mc_sts_record_is_sts(row->in, strlen(row->in)),
	    row->is_sts);
	rc = mc_sts_record_parse(a, row->in, strlen(row->in), &rec);
	if (rec.err != row->err || (rc == 0) != (row->err == MC_STS_R_OK))
		fail_msg("%s: error %d (%s), want %d", row->name, rec.err,
		    rec.detail != NULL ? rec.detail : "", row->err);
	if (row->id != NULL)
		assert_string_equal(rec.id, row->id);
	assert_int_equal(rec.next, row->next);
	mc_arena_free(a);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	mc_table_add(t, &n, 64, policy_rows, sizeof(policy_rows) /
	    sizeof(policy_rows[0]) - 1, sizeof(policy_rows[0]), test_policy);
	MC_TEST_ADD(t, &n, test_bounds);
	mc_table_add(t, &n, 64, match_rows, sizeof(match_rows) /
	    sizeof(match_rows[0]) - 1, sizeof(match_rows[0]), test_match);
	mc_table_add(t, &n, 64, record_rows, sizeof(record_rows) /
	    sizeof(record_rows[0]) - 1, sizeof(record_rows[0]), test_record);
	return mc_table_run("mta_sts_policy", t, n, NULL, NULL);
}
