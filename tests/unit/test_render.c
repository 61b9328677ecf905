/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_render.c - the text and JSON renderers
 *
 * Reports are built by hand, with hostile bytes in every string a check or
 * DNS can fill: nothing reaches a terminal as a control character, colours
 * only when asked, checks and findings worst first; the JSON document has
 * the published structure and is valid UTF-8 whatever the input, with the
 * --baseline changes last when the report has them; bulk mode's one line a
 * domain names the worst finding.  These are the functions the product
 * writes every report with, single or bulk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/escape.h"
#include "mailcheck/report.h"
#include "mc_table.h"

#define HOSTILE "evil\033[2J\033]0;title\007\r\n\x9b" "31m\x7f\xff\xfe\\end"
/*
 * As every renderer shows it: each byte that is not printable ASCII as
 * \DDD, the backslash as it is (report text is presentation form already:
 * a renderer never escapes a backslash, so a name's "\027" stays "\027").
 */
#define HOSTILE_ESCAPED "evil\\027[2J\\027]0;title\\007\\013\\010\\155" \
	"31m\\127\\255\\254\\end"

static struct mc_report rep;

/*
 * Checks in report order: alpha ok, bravo crit, charlie warn, delta
 * unknown, echo info, foxtrot warn.  bravo's findings are added info,
 * crit, warn, crit; every string of charlie is hostile.
 */
static int
setup(void **state)
{
	static const char *names[] = { "alpha", "bravo", "charlie", "delta",
	    "echo", "foxtrot" };
	struct mc_result *r;
	size_t i;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	rep.domain = strdup("example.org");
	rep.nresults = 6;
	rep.results = calloc(rep.nresults, sizeof(*rep.results));
	rep.duration_ms = 42;
	if (rep.domain == NULL || rep.results == NULL)
		return -1;
	for (i = 0; i < rep.nresults; i++)
		mc_result_init(&rep.results[i], names[i]);

	r = &rep.results[0];
	mc_result_summary(r, "1 host; first mail.example.org (192.0.2.1)");
	mc_metric_set(r, "hosts", 1);
	mc_metric_set(r, "ratio", 0.5);
	r->data = json_pack("{s:b, s:[s]}", "null_mx", 0, "hosts", "mail");

	r = &rep.results[1];
	mc_finding_add(r, MC_F_MX_NULL, "example.org", "first: info");
	mc_finding_add(r, MC_F_MX_UNREACHABLE, NULL, "second: crit");
	mc_finding_add(r, MC_F_MX_TARGET_CNAME, "mx.example.org",
	    "third: warn");
	mc_finding_add(r, MC_F_MX_TARGET_NXDOMAIN, "gone.example.org",
	    "fourth: crit");
	mc_finding_hint(r, "a custom hint");

	r = &rep.results[2];
	mc_finding_add(r, MC_F_MX_TARGET_CNAME, HOSTILE, "%s", HOSTILE);
	mc_finding_hint(r, "%s", HOSTILE);
	mc_result_summary(r, "%s", HOSTILE);

	r = &rep.results[3];
	mc_finding_add(r, MC_F_DNS_TEMPFAIL, "example.org MX", "SERVFAIL");

	r = &rep.results[4];
	mc_finding_add(r, MC_F_MX_SHARED_ADDRESS, "192.0.2.1", "shared");

	r = &rep.results[5];
	mc_finding_add(r, MC_F_MX_IMPLICIT, "example.org", "implicit");

	for (i = 0; i < rep.nresults; i++) {
		rep.results[i].status = mc_result_worst(&rep.results[i]);
		rep.results[i].duration_ms = (long)i;
		if (rep.results[i].status > rep.status)
			rep.status = rep.results[i].status;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mc_report_release(&rep);
	return 0;
}

/* The report rendered into a malloc'ed string. */
static char *
render_text(int color, size_t *len)
{
	struct mc_render_opts opts = { .color = color };
	char *buf = NULL;
	FILE *fp;

	fp = open_memstream(&buf, len);
	assert_non_null(fp);
	assert_int_equal(mc_render_text(fp, &rep, &opts), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static char *
render_json(int compact, size_t *len)
{
	char *buf = NULL;
	FILE *fp;

	fp = open_memstream(&buf, len);
	assert_non_null(fp);
	assert_int_equal(mc_render_json(fp, &rep, compact), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* Every ESC in s starts an SGR sequence "\033[<digits;>m". */
static void
assert_only_sgr(const char *s, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		if (s[i] != '\033')
			continue;
		if (i + 1 >= len || s[i + 1] != '[')
			fail_msg("ESC not followed by '[' at %zu", i);
		for (j = i + 2; j < len && ((s[j] >= '0' && s[j] <= '9') ||
		    s[j] == ';'); j++)
			;
		if (j >= len || s[j] != 'm')
			fail_msg("ESC sequence at %zu is not a colour", i);
	}
}

static void
assert_no_control(const char *s, size_t len, int allow_esc)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\n' || (allow_esc && c == '\033'))
			continue;
		if (c < 0x20 || c >= 0x7f)
			fail_msg("byte %u at %zu reaches the output", c, i);
	}
}

struct text_row {
	const char *name;
	int color;
};

static const struct text_row text_rows[] = {
	{ "text without colour", 0 },
	{ "text with colour", 1 },
};

static void
test_text_hostile(void **state)
{
	const struct text_row *r = MC_ROW(state, struct text_row);
	size_t len;
	char *out;

	out = render_text(r->color, &len);
	assert_int_equal(strlen(out), len);
	assert_no_control(out, len, r->color);
	if (r->color) {
		assert_only_sgr(out, len);
		assert_non_null(strchr(out, '\033'));
	} else
		assert_null(strchr(out, '\033'));
	/* message, subject, hint and summary, each escaped */
	assert_non_null(strstr(out, ": " HOSTILE_ESCAPED "\n"));
	assert_non_null(strstr(out, " " HOSTILE_ESCAPED "\n"));
	assert_non_null(strstr(out, "at:   " HOSTILE_ESCAPED "\n"));
	assert_non_null(strstr(out, "fix:  " HOSTILE_ESCAPED "\n"));
	free(out);
}

/* Give the report a hostile domain; returns the one to put back. */
static char *
hostile_domain(void)
{
	char *saved = rep.domain;

	rep.domain = strdup("a\033[2Jb.example");
	assert_non_null(rep.domain);
	return saved;
}

static void
test_text_hostile_domain(void **state)
{
	size_t len;
	char *out, *saved = hostile_domain();

	(void)state;
	out = render_text(0, &len);
	assert_no_control(out, len, 0);
	assert_non_null(strstr(out, "a\\027[2Jb.example"));
	free(out);
	free(rep.domain);
	rep.domain = saved;
}

/* Position of needle in out, failing when absent. */
static size_t
pos(const char *out, const char *needle)
{
	const char *p = strstr(out, needle);

	if (p == NULL)
		fail_msg("'%s' not in the output", needle);
	return (size_t)(p - out);
}

static void
test_text_checks_worst_first(void **state)
{
	size_t len;
	char *out;

	(void)state;
	out = render_text(0, &len);
	/* crit, unknown, warn (report order among equals), info, ok */
	assert_true(pos(out, "CRIT    bravo") < pos(out, "UNKNOWN delta"));
	assert_true(pos(out, "UNKNOWN delta") < pos(out, "WARN    charlie"));
	assert_true(pos(out, "WARN    charlie") < pos(out, "WARN    foxtrot"));
	assert_true(pos(out, "WARN    foxtrot") < pos(out, "INFO    echo"));
	assert_true(pos(out, "INFO    echo") < pos(out, "OK      alpha"));
	/* the header: domain, worst status, counts */
	assert_int_equal(pos(out, "example.org  CRIT    (6 checks, 42 ms)\n"), 0);
	free(out);
}

static void
test_text_findings_worst_first(void **state)
{
	size_t len;
	char *out;

	(void)state;
	out = render_text(0, &len);
	/* crit in the order added, then warn, then info */
	assert_true(pos(out, "CRIT    second: crit") <
	    pos(out, "CRIT    fourth: crit"));
	assert_true(pos(out, "CRIT    fourth: crit") <
	    pos(out, "WARN    third: warn"));
	assert_true(pos(out, "WARN    third: warn") <
	    pos(out, "INFO    first: info"));
	free(out);
}

static void
test_text_hints_and_specs(void **state)
{
	const struct mc_finding_def *cname = mc_finding_def(MC_F_MX_TARGET_CNAME);
	char want[512];
	size_t len;
	char *out;

	(void)state;
	out = render_text(0, &len);
	/* the custom hint replaces the definition's */
	assert_true(pos(out, "fourth: crit") < pos(out, "fix:  a custom hint"));
	assert_null(strstr(out, mc_finding_def(MC_F_MX_TARGET_NXDOMAIN)->hint));
	/* the definition's hint, code and spec */
	snprintf(want, sizeof(want), "          fix:  %s\n          %s, %s\n",
	    cname->hint, cname->code, cname->spec);
	pos(out, want);
	/* a finding without a hint has no fix line, and no subject no at line */
	pos(out, "INFO    first: info\n          at:   example.org\n"
	    "          mx.null, RFC 7505 3\n");
	pos(out, "CRIT    second: crit\n          fix:  ");
	/* the summary follows the check's name */
	pos(out, "OK      alpha: 1 host; first mail.example.org (192.0.2.1)\n");
	free(out);
}

/* A check with no findings and no summary, and an empty report. */
static void
test_text_empty(void **state)
{
	struct mc_report empty = { .domain = strdup("example.org") };
	struct mc_render_opts opts = { 0 };
	char *buf = NULL;
	size_t len;
	FILE *fp;

	(void)state;
	fp = open_memstream(&buf, &len);
	assert_int_equal(mc_render_text(fp, &empty, &opts), 0);
	fclose(fp);
	assert_string_equal(buf, "example.org  OK      (0 checks, 0 ms)\n\n");
	free(buf);
	mc_report_release(&empty);
}

static void
test_write_error(void **state)
{
	struct mc_render_opts opts = { 0 };
	FILE *fp;

	(void)state;
	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		skip();
	setvbuf(fp, NULL, _IONBF, 0);
	assert_int_equal(mc_render_text(fp, &rep, &opts), -1);
	clearerr(fp);
	assert_int_equal(mc_render_json(fp, &rep, 0), -1);
	fclose(fp);
}

/* ---- JSON ---- */

/* Is s[0..len) valid UTF-8 (no overlongs, no surrogates)? */
static int
valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static void
test_json_structure(void **state)
{
	json_t *doc, *c, *f, *m;
	json_error_t jerr;
	size_t len;
	char *out;

	(void)state;
	out = render_json(0, &len);
	doc = json_loadb(out, len, 0, &jerr);
	if (doc == NULL)
		fail_msg("not JSON: %s", jerr.text);
	assert_int_equal(json_object_size(doc), 6);
	assert_int_equal(json_integer_value(json_object_get(doc,
	    "schema_version")), MC_SCHEMA_VERSION);
	assert_string_equal(json_string_value(json_object_get(doc,
	    "mailcheck_version")), MC_VERSION);
	assert_string_equal(json_string_value(json_object_get(doc, "domain")),
	    "example.org");
	assert_string_equal(json_string_value(json_object_get(doc, "status")),
	    "crit");
	assert_int_equal(json_integer_value(json_object_get(doc,
	    "duration_ms")), 42);
	/* checks in report order, not sorted */
	c = json_object_get(doc, "checks");
	assert_int_equal(json_array_size(c), 6);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(c, 0), "name")), "alpha");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(c, 5), "name")), "foxtrot");

	/* alpha: no findings, metrics integer and real, data, summary */
	c = json_array_get(json_object_get(doc, "checks"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "status")),
	    "ok");
	assert_int_equal(json_array_size(json_object_get(c, "findings")), 0);
	m = json_object_get(c, "metrics");
	assert_true(json_is_integer(json_object_get(m, "hosts")));
	assert_int_equal(json_integer_value(json_object_get(m, "hosts")), 1);
	assert_true(json_is_real(json_object_get(m, "ratio")));
	assert_true(json_real_value(json_object_get(m, "ratio")) == 0.5);
	assert_true(json_is_false(json_object_get(json_object_get(c, "data"),
	    "null_mx")));
	assert_string_equal(json_string_value(json_object_get(c, "summary")),
	    "1 host; first mail.example.org (192.0.2.1)");

	/* bravo: findings in the order added, with all their fields */
	c = json_array_get(json_object_get(doc, "checks"), 1);
	assert_null(json_object_get(c, "summary"));
	assert_true(json_is_object(json_object_get(c, "data")));
	assert_int_equal(json_integer_value(json_object_get(c, "duration_ms")),
	    1);
	f = json_array_get(json_object_get(c, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "code")),
	    "mx.null");
	assert_string_equal(json_string_value(json_object_get(f, "severity")),
	    "info");
	assert_string_equal(json_string_value(json_object_get(f, "subject")),
	    "example.org");
	assert_string_equal(json_string_value(json_object_get(f, "message")),
	    "first: info");
	assert_string_equal(json_string_value(json_object_get(f, "spec")),
	    "RFC 7505 3");
	assert_null(json_object_get(f, "hint")); /* mx.null has none */
	f = json_array_get(json_object_get(c, "findings"), 1);
	assert_true(json_is_null(json_object_get(f, "subject")));
	assert_string_equal(json_string_value(json_object_get(f, "hint")),
	    mc_finding_def(MC_F_MX_UNREACHABLE)->hint);
	f = json_array_get(json_object_get(c, "findings"), 3);
	assert_string_equal(json_string_value(json_object_get(f, "hint")),
	    "a custom hint");
	json_decref(doc);
	free(out);
}

static void
test_json_hostile(void **state)
{
	json_t *doc, *f, *c;
	json_error_t jerr;
	size_t len, i;
	char *out;

	(void)state;
	out = render_json(0, &len);
	assert_true(valid_utf8((const unsigned char *)out, len));
	/* in fact pure printable ASCII and newlines */
	for (i = 0; i < len; i++)
		assert_true(out[i] == '\n' ||
		    (out[i] >= 0x20 && out[i] < 0x7f));
	doc = json_loadb(out, len, 0, &jerr);
	assert_non_null(doc);
	c = json_array_get(json_object_get(doc, "checks"), 2);
	assert_string_equal(json_string_value(json_object_get(c, "summary")),
	    HOSTILE_ESCAPED);
	f = json_array_get(json_object_get(c, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "message")),
	    HOSTILE_ESCAPED);
	assert_string_equal(json_string_value(json_object_get(f, "subject")),
	    HOSTILE_ESCAPED);
	assert_string_equal(json_string_value(json_object_get(f, "hint")),
	    HOSTILE_ESCAPED);
	json_decref(doc);
	free(out);
}

/* Bytes that are valid UTF-8 are escaped too: one rule for all. */
static void
test_json_utf8_domain(void **state)
{
	char *saved = rep.domain, *out;
	json_t *doc;
	size_t len;

	(void)state;
	rep.domain = strdup("b\xc3\xbc" "cher.example");
	out = render_json(1, &len);
	assert_true(valid_utf8((const unsigned char *)out, len));
	doc = json_loadb(out, len, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "domain")),
	    "b\\195\\188cher.example");
	json_decref(doc);
	free(out);
	free(rep.domain);
	rep.domain = saved;
}

static void
test_json_compact(void **state)
{
	size_t len;
	char *out, *indented;

	(void)state;
	out = render_json(1, &len);
	/* one line, ending in a newline */
	assert_true(len > 2);
	assert_int_equal(out[len - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + len - 1);
	indented = render_json(0, &len);
	assert_int_equal(indented[len - 1], '\n');
	assert_ptr_not_equal(strchr(indented, '\n'), indented + len - 1);
	free(out);
	free(indented);
}

struct metric_row {
	const char *name;
	double value;
	int present;      /* 0: left out of the document */
	int integer;      /* written as a JSON integer */
	double want;
};

static const struct metric_row metric_rows[] = {
	{ "metric zero", 0.0, 1, 1, 0 },
	{ "metric whole number", 1024.0, 1, 1, 1024 },
	{ "metric negative whole number", -3.0, 1, 1, -3 },
	{ "metric fraction", 0.25, 1, 0, 0.25 },
	{ "metric negative fraction", -0.5, 1, 0, -0.5 },
	{ "metric 2^53", 9007199254740992.0, 1, 1, 9007199254740992.0 },
	{ "metric too large for an integer", 1e300, 1, 0, 1e300 },
	{ "metric too small for an integer", -1e300, 1, 0, -1e300 },
	{ "metric NaN is left out", NAN, 0, 0, 0 },
	{ "metric infinity is left out", INFINITY, 0, 0, 0 },
	{ "metric minus infinity is left out", -INFINITY, 0, 0, 0 },
};

/* Every double a check may compute gives valid JSON (and no UB). */
static void
test_json_metric(void **state)
{
	const struct metric_row *r = MC_ROW(state, struct metric_row);
	json_t *doc, *m, *v;
	size_t len;
	char *out;

	mc_metric_set(&rep.results[0], "m", r->value);
	out = render_json(1, &len);
	doc = json_loadb(out, len, 0, NULL);
	assert_non_null(doc);
	m = json_object_get(json_array_get(json_object_get(doc, "checks"), 0),
	    "metrics");
	/* the other metrics are still there */
	assert_int_equal(json_integer_value(json_object_get(m, "hosts")), 1);
	v = json_object_get(m, "m");
	if (!r->present) {
		assert_null(v);
	} else {
		assert_non_null(v);
		assert_int_equal(json_is_integer(v), r->integer);
		assert_true(json_number_value(v) == r->want);
	}
	json_decref(doc);
	free(out);
}

/* ---- bulk mode's one line a domain ---- */

static char *
render_line(const struct mc_report *r, size_t *len)
{
	char *buf = NULL;
	FILE *fp;

	fp = open_memstream(&buf, len);
	assert_non_null(fp);
	assert_int_equal(mc_render_text_line(fp, r), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* Status, domain, the first of the worst findings, how many more. */
static void
test_text_line(void **state)
{
	size_t len;
	char *out;

	(void)state;
	out = render_line(&rep, &len);
	/* 6 findings warn or worse; the first crit is bravo's second */
	assert_string_equal(out, "crit    example.org  bravo: second: crit "
	    "(mx.unreachable) (+5 more)\n");
	free(out);
}

static void
test_text_line_hostile(void **state)
{
	size_t len;
	char *out, *saved = hostile_domain();

	(void)state;
	/* charlie's hostile finding becomes the worst */
	rep.results[2].findings[0].severity = MC_CRIT;
	rep.results[1].findings[1].severity = MC_WARN;
	rep.results[1].findings[3].severity = MC_WARN;
	out = render_line(&rep, &len);
	assert_no_control(out, len, 0);
	assert_string_equal(out, "crit    a\\027[2Jb.example  charlie: "
	    HOSTILE_ESCAPED " (mx.target-cname) (+5 more)\n");
	free(out);
	free(rep.domain);
	rep.domain = saved;
}

static void
test_text_line_ok_and_changes(void **state)
{
	struct mc_report ok = { 0 };
	size_t len;
	char *out;

	(void)state;
	ok.domain = strdup("example.net");
	assert_non_null(ok.domain);
	ok.changes = json_pack("[{s:s}]", "kind", "domain-new");
	rep.changes = json_pack("[{s:s}, {s:s}]", "kind", "status", "kind",
	    "check-new");
	assert_non_null(ok.changes);
	assert_non_null(rep.changes);
	out = render_line(&rep, &len);
	assert_non_null(strstr(out, " (+5 more) [2 changes]\n"));
	free(out);
	out = render_line(&ok, &len);
	assert_string_equal(out, "ok      example.net [1 change]\n");
	free(out);
	mc_report_release(&ok);
}

/* The report's changes (--baseline) are the document's last member. */
static void
test_json_changes(void **state)
{
	json_t *doc, *changes;
	const char *key = NULL;
	void *it;
	size_t len;
	char *out;

	(void)state;
	out = render_json(1, &len);
	doc = json_loadb(out, len, 0, NULL);
	assert_non_null(doc);
	assert_null(json_object_get(doc, "changes"));
	json_decref(doc);
	free(out);

	rep.changes = json_pack("[{s:s, s:s, s:s}]", "kind", "status",
	    "before", "ok", "after", "crit");
	assert_non_null(rep.changes);
	out = render_json(0, &len);
	doc = json_loadb(out, len, JSON_PRESERVE_ORDER, NULL);
	assert_non_null(doc);
	changes = json_object_get(doc, "changes");
	assert_true(json_equal(changes, rep.changes));
	for (it = json_object_iter(doc); it != NULL;
	    it = json_object_iter_next(doc, it))
		key = json_object_iter_key(it);
	assert_string_equal(key, "changes");
	/* the same document mc_report_json() gives */
	json_decref(doc);
	doc = mc_report_json(&rep);
	assert_true(json_equal(json_object_get(doc, "changes"), rep.changes));
	json_decref(doc);
	free(out);
}

/* ---- the JSON writer against jansson's ---- */

struct writer_row {
	const char *name;
	const char *json; /* parsed, then written both ways */
};

static const struct writer_row writer_rows[] = {
	{ "writer empty object", "{}" },
	{ "writer empty array", "[]" },
	{ "writer empty containers nested", "{\"a\": {}, \"b\": [], \"c\": [{}, []]}" },
	{ "writer nested", "{\"a\": {\"b\": {\"c\": [1, [2, [3, {\"d\": null}]]]}}}" },
	{ "writer literals", "[true, false, null, \"\", 0]" },
	{ "writer key order kept", "{\"z\": 1, \"a\": 2, \"m\": 3, \"b\": 4}" },
	{ "writer integers", "[0, 1, -1, 9007199254740993, 9223372036854775807, "
	    "-9223372036854775808, 1234567890123]" },
	{ "writer reals", "[0.5, -0.25, 0.1, 3.0, -0.0, 1e300, -1e-300, 1e-5, 1.5e-10, "
	    "123456789012.0, 12345678901234567890.0, 1e21, 2.5e+15, 0.000123456789012]" },
	{ "writer control characters", "[\"\\u0000\\u0001\\u0007\\b\\t\\n\\u000b\\f"
	    "\\r\\u000e\\u001b\\u001f \\u007f\"]" },
	{ "writer quotes, backslash, slash", "{\"k\\\"ey\\\\\": \"a\\\"b\\\\c/d\"}" },
	{ "writer UTF-8 kept", "[\"caf\u00e9 \u65e5\u672c \\ud83d\\ude00 \u00ff\"]" },
	{ "writer control characters in keys", "{\"a\\nb\\u0001\": [\"\\t\"]}" },
	{ "writer deep indent", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]" },
	{ "writer bare string", "\"bare\"" },
	{ "writer bare real", "2.0" },
};

static void
assert_writer_matches(const json_t *doc)
{
	char *mine, *theirs;
	size_t len;
	int compact;

	for (compact = 0; compact <= 1; compact++) {
		mine = mc_json_text(doc, compact, &len);
		theirs = json_dumps(doc, (compact ? JSON_COMPACT : JSON_INDENT(2)) |
		    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10) |
		    JSON_ENCODE_ANY);
		assert_non_null(mine);
		assert_non_null(theirs);
		assert_string_equal(mine, theirs);
		assert_int_equal(len, strlen(theirs));
		free(mine);
		free(theirs);
	}
}

static void
test_writer_as_jansson(void **state)
{
	const struct writer_row *r = MC_ROW(state, struct writer_row);
	json_error_t err;
	json_t *doc;

	doc = json_loads(r->json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (doc == NULL)
		fail_msg("row does not parse: %s", err.text);
	assert_writer_matches(doc);
	json_decref(doc);
}

/* The whole report, hostile strings and metrics included. */
static void
test_writer_report_as_jansson(void **state)
{
	json_t *doc;

	(void)state;
	mc_metric_set(&rep.results[0], "tiny", 1e-7);
	mc_metric_set(&rep.results[0], "huge", -3.5e250);
	rep.changes = json_pack("[{s:s, s:s, s:s}]", "kind", "status",
	    "before", "ok", "after", HOSTILE);
	doc = mc_report_json(&rep);
	assert_non_null(doc);
	assert_writer_matches(doc);
	json_decref(doc);
}

/*
 * ---- the report writer against the document built member by member ----
 * mc_render_json() writes the report straight from the struct; the oracle
 * builds the published document as a jansson tree (report text through
 * mc_json_shown(), metrics that are whole numbers as integers, NaN and the
 * infinities left out) for jansson's json_dumps() to write.
 */
static json_t *
oracle_str(const char *s)
{
	return s != NULL ? mc_json_shown(s) : json_null();
}

static json_t *
oracle_doc(const struct mc_report *r)
{
	json_t *doc, *checks, *c, *fs, *f, *ms;
	const struct mc_finding_def *def;
	const struct mc_result *res;
	const char *hint;
	double v;
	size_t i, k;

	checks = json_array();
	for (i = 0; i < r->nresults; i++) {
		res = &r->results[i];
		fs = json_array();
		for (k = 0; k < res->nfindings; k++) {
			def = mc_finding_def(res->findings[k].id);
			hint = res->findings[k].hint != NULL ?
			    res->findings[k].hint : def->hint;
			f = json_pack("{s:s, s:s, s:o, s:o, s:s}", "code",
			    def->code, "severity",
			    mc_status_str(res->findings[k].severity), "subject",
			    oracle_str(res->findings[k].subject), "message",
			    oracle_str(res->findings[k].message), "spec",
			    def->spec);
			if (hint != NULL)
				json_object_set_new(f, "hint", oracle_str(hint));
			json_array_append_new(fs, f);
		}
		ms = json_object();
		for (k = 0; k < res->nmetrics; k++) {
			v = res->metrics[k].value;
			if (!isfinite(v))
				continue;
			json_object_set_new(ms, res->metrics[k].name,
			    fabs(v) <= 9007199254740992.0 && v == trunc(v) ?
			    json_integer((json_int_t)v) : json_real(v));
		}
		c = json_pack("{s:s, s:s, s:I, s:o, s:o, s:O}", "name",
		    res->check, "status", mc_status_str(res->status),
		    "duration_ms", (json_int_t)res->duration_ms, "findings", fs,
		    "metrics", ms, "data", res->data != NULL ? res->data :
		    json_object());
		if (res->data == NULL)
			json_decref(json_object_get(c, "data"));
		if (res->summary != NULL)
			json_object_set_new(c, "summary",
			    oracle_str(res->summary));
		json_array_append_new(checks, c);
	}
	doc = json_pack("{s:i, s:s, s:o, s:s, s:I, s:o}", "schema_version",
	    MC_SCHEMA_VERSION, "mailcheck_version", MC_VERSION, "domain",
	    oracle_str(r->domain), "status", mc_status_str(r->status),
	    "duration_ms", (json_int_t)r->duration_ms, "checks", checks);
	if (r->dns != NULL)
		json_object_set(doc, "dns", r->dns);
	if (r->changes != NULL)
		json_object_set(doc, "changes", r->changes);
	return doc;
}

static void
test_report_writer_as_oracle(void **state)
{
	json_t *doc, *back;
	char *out, *want;
	size_t len;
	int compact;

	(void)state;
	mc_metric_set(&rep.results[0], "tiny", 1e-7);
	mc_metric_set(&rep.results[0], "huge", -3.5e250);
	mc_metric_set(&rep.results[0], "not a number", NAN);
	mc_metric_set(&rep.results[1], "infinite", INFINITY);
	mc_metric_set(&rep.results[1], "negative", -12);
	mc_metric_set(&rep.results[3], "big", 9007199254740993.0);
	rep.changes = json_pack("[{s:s, s:s, s:s}]", "kind", "status",
	    "before", "ok", "after", HOSTILE_ESCAPED);
	rep.dns = json_pack("{s:[s, s]}", "zones", "a.test", "b.test");
	free(rep.domain);
	rep.domain = strdup(HOSTILE);
	assert_non_null(rep.changes);
	assert_non_null(rep.dns);
	assert_non_null(rep.domain);
	doc = oracle_doc(&rep);
	assert_non_null(doc);
	for (compact = 0; compact <= 1; compact++) {
		out = render_json(compact, &len);
		want = json_dumps(doc, (compact ? JSON_COMPACT :
		    JSON_INDENT(2)) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(10));
		assert_non_null(want);
		assert_int_equal(len, strlen(want) + 1);
		assert_int_equal(out[len - 1], '\n');
		out[len - 1] = '\0';
		assert_string_equal(out, want);
		free(out);
		free(want);
	}
	/* the tree for --baseline is the same document */
	back = mc_report_json(&rep);
	assert_non_null(back);
	assert_true(json_equal(back, doc));
	json_decref(back);
	json_decref(doc);
}

/* Pairs in order; a NULL value fails the whole object (ASan: no leak). */
static void
test_json_object_of(void **state)
{
	json_t *o;
	char *text;

	(void)state;
	o = mc_json_object_of("z", json_integer(1), "a", json_string("x"),
	    "m", json_null(), NULL);
	assert_non_null(o);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "{\"z\":1,\"a\":\"x\",\"m\":null}");
	free(text);
	json_decref(o);
	o = mc_json_object_of(NULL, NULL);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
	/* the values before and after the NULL one are released */
	assert_null(mc_json_object_of("a", json_string("before"), "b", NULL,
	    "c", json_string("after"), NULL));
}

/* Escaped strings, short (on the stack) and long (on the heap), alike. */
static void
test_json_escaped_lengths(void **state)
{
	static const size_t lens[] = { 0, 1, 511, 512, 513, 3000 };
	char *raw, *want;
	json_t *j;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		raw = malloc(lens[i] + 1);
		assert_non_null(raw);
		for (k = 0; k < lens[i]; k++)
			raw[k] = HOSTILE[k % (sizeof(HOSTILE) - 1)];
		raw[lens[i]] = '\0';
		want = mc_escape_dup(raw, lens[i]);
		j = mc_json_dns_string(raw, lens[i]);
		assert_non_null(j);
		assert_string_equal(json_string_value(j), want);
		json_decref(j);
		free(want);
		want = mc_safe_dup(raw, strlen(raw));
		j = mc_json_shown(raw);
		assert_non_null(j);
		assert_string_equal(json_string_value(j), want);
		json_decref(j);
		free(want);
		free(raw);
	}
	assert_null(mc_json_shown(NULL));
}

int
main(void)
{
	struct CMUnitTest t[72];
	size_t n = 0, i;

	MC_TABLE_ADD(t, &n, text_rows, test_text_hostile);
	MC_TEST_ADD(t, &n, test_text_hostile_domain);
	MC_TEST_ADD(t, &n, test_text_checks_worst_first);
	MC_TEST_ADD(t, &n, test_text_findings_worst_first);
	MC_TEST_ADD(t, &n, test_text_hints_and_specs);
	MC_TEST_ADD(t, &n, test_text_empty);
	MC_TEST_ADD(t, &n, test_write_error);
	MC_TEST_ADD(t, &n, test_json_structure);
	MC_TEST_ADD(t, &n, test_json_hostile);
	MC_TEST_ADD(t, &n, test_json_utf8_domain);
	MC_TEST_ADD(t, &n, test_json_compact);
	MC_TEST_ADD(t, &n, test_json_changes);
	MC_TABLE_ADD(t, &n, writer_rows, test_writer_as_jansson);
	MC_TEST_ADD(t, &n, test_writer_report_as_jansson);
	MC_TEST_ADD(t, &n, test_report_writer_as_oracle);
	MC_TEST_ADD(t, &n, test_json_object_of);
	MC_TEST_ADD(t, &n, test_json_escaped_lengths);
	MC_TEST_ADD(t, &n, test_text_line);
	MC_TEST_ADD(t, &n, test_text_line_hostile);
	MC_TEST_ADD(t, &n, test_text_line_ok_and_changes);
	MC_TABLE_ADD(t, &n, metric_rows, test_json_metric);
	for (i = 0; i < n; i++) {
		t[i].setup_func = setup;
		t[i].teardown_func = teardown;
	}
	return mc_table_run("render", t, n, NULL, NULL);
}
