/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_https_records.c - the TLS-RPT and BIMI record parsers
 * (and its selectors) and the SVG Tiny PS checker, table-driven
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
#include "mailcheck/bimi_record.h"
#include "mailcheck/limits.h"
#include "mailcheck/svg_check.h"
#include "mailcheck/tlsrpt_record.h"

struct tlsrpt_row {
	const char *name;
	const char *in;
	int is_tlsrpt;
	enum mc_tlsrpt_error err;
	const char *uris;      /* "uri+|uri-" (+ valid, - invalid) */
	size_t next;
};

static const struct tlsrpt_row tlsrpt_rows[] = {
	{ "mailto", "v=TLSRPTv1; rua=mailto:tls@example.com", 1, MC_TLSRPT_OK,
	    "mailto:tls@example.com+", 0 },
	{ "two URIs", "v=TLSRPTv1;rua=mailto:a@example.com, https://r.example.com/x",
	    1, MC_TLSRPT_OK, "mailto:a@example.com+|https://r.example.com/x+", 0 },
	{ "http is not https", "v=TLSRPTv1; rua=http://r.example.com/", 1,
	    MC_TLSRPT_OK, "http://r.example.com/-", 0 },
	{ "mailto without domain", "v=TLSRPTv1; rua=mailto:nobody", 1,
	    MC_TLSRPT_OK, "mailto:nobody-", 0 },
	{ "mailto with hfields", "v=TLSRPTv1; rua=mailto:a@b.c?subject=x", 1,
	    MC_TLSRPT_OK, "mailto:a@b.c?subject=x-", 0 },
	{ "empty element", "v=TLSRPTv1; rua=mailto:a@b.c,", 1, MC_TLSRPT_OK,
	    "mailto:a@b.c+|-", 0 },
	{ "extension", "v=TLSRPTv1; rua=mailto:a@b.c; ext=1", 1, MC_TLSRPT_OK,
	    "mailto:a@b.c+", 1 },
	{ "no rua", "v=TLSRPTv1;", 1, MC_TLSRPT_RUA_MISSING, "", 0 },
	{ "empty rua", "v=TLSRPTv1; rua=", 1, MC_TLSRPT_RUA_MISSING, "", 0 },
	{ "not first", "rua=mailto:a@b.c; v=TLSRPTv1", 0, MC_TLSRPT_VERSION, "", 0 },
	{ "bad tag list", "v=TLSRPTv1; rua=mailto:a@b.c; 9=x", 1, MC_TLSRPT_SYNTAX,
	    "", 0 },
	{ NULL, NULL, 0, 0, NULL, 0 },
};

static void
test_tlsrpt(void **state)
{
	const struct tlsrpt_row *row = MC_ROW(state, struct tlsrpt_row);
	struct mc_arena *a = mc_arena_new();
	struct mc_tlsrpt_record rec;
	char got[512] = "";
	size_t i;

	assert_int_equal(mc_tlsrpt_is_tlsrpt(row->in, strlen(row->in)),
	    row->is_tlsrpt);
	mc_tlsrpt_parse(a, row->in, strlen(row->in), &rec);
	for (i = 0; i < rec.nuri; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s%c",
		    i > 0 ? "|" : "", rec.uri[i].text, rec.uri[i].valid ? '+' : '-');
	if (rec.err != row->err || strcmp(got, row->uris) != 0 ||
	    rec.next != row->next)
		fail_msg("%s: error %d (%s) uris '%s' ext %zu", row->name,
		    rec.err, rec.detail != NULL ? rec.detail : "", got, rec.next);
	mc_arena_free(a);
}

struct bimi_row {
	const char *name;
	const char *in;
	enum mc_bimi_error err;
	const char *l, *a;      /* NULL: absent */
	int l_valid, a_valid, declined;
	size_t next;
};

static const struct bimi_row bimi_rows[] = {
	{ "logo and certificate", "v=BIMI1; l=https://x.example/l.svg; "
	    "a=https://x.example/a.pem", MC_BIMI_OK, "https://x.example/l.svg",
	    "https://x.example/a.pem", 1, 1, 0, 0 },
	{ "logo only", "v=BIMI1; l=https://x.example/l.svg;", MC_BIMI_OK,
	    "https://x.example/l.svg", NULL, 1, 0, 0, 0 },
	{ "declination", "v=BIMI1; l=;", MC_BIMI_OK, "", NULL, 0, 0, 1, 0 },
	{ "declination with empty a", "v=BIMI1; l=; a=", MC_BIMI_OK, "", "", 0,
	    0, 1, 0 },
	{ "http logo", "v=BIMI1; l=http://x.example/l.svg", MC_BIMI_OK,
	    "http://x.example/l.svg", NULL, 0, 0, 0, 0 },
	{ "userinfo refused", "v=BIMI1; l=https://u@x.example/l.svg", MC_BIMI_OK,
	    "https://u@x.example/l.svg", NULL, 0, 0, 0, 0 },
	{ "unknown tag", "v=BIMI1; l=https://x.example/; avp=brand", MC_BIMI_OK,
	    "https://x.example/", NULL, 1, 0, 0, 1 },
	{ "version not first", "l=https://x.example/; v=BIMI1", MC_BIMI_VERSION,
	    NULL, NULL, 0, 0, 0, 0 },
	{ "duplicate l", "v=BIMI1; l=https://a.example/; l=https://b.example/",
	    MC_BIMI_SYNTAX, NULL, NULL, 0, 0, 0, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0, 0, 0, 0 },
};

static int
same(const char *x, const char *y)
{
	return (x == NULL && y == NULL) ||
	    (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static void
test_bimi(void **state)
{
	const struct bimi_row *row = MC_ROW(state, struct bimi_row);
	struct mc_arena *a = mc_arena_new();
	struct mc_bimi_record rec;

	mc_bimi_parse(a, row->in, strlen(row->in), &rec);
	if (rec.err != row->err || (row->err == MC_BIMI_OK &&
	    (!same(rec.l, row->l) || !same(rec.a, row->a) ||
	    rec.l_valid != row->l_valid || rec.a_valid != row->a_valid ||
	    rec.declined != row->declined || rec.next != row->next)))
		fail_msg("%s: error %d l '%s' (%d) a '%s' (%d) declined %d "
		    "ext %zu", row->name, rec.err, rec.l ? rec.l : "(null)",
		    rec.l_valid, rec.a ? rec.a : "(null)", rec.a_valid,
		    rec.declined, rec.next);
	mc_arena_free(a);
}

#define SVG_HEAD "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" " \
	"baseProfile=\"tiny-ps\" viewBox=\"0 0 10 10\"><title>T</title>"

struct svg_row {
	const char *name;
	const char *in;
	size_t len;        /* 0: strlen */
	unsigned problems;
};

#define P(k) (1u << (k))

static const struct svg_row svg_rows[] = {
	{ "valid", SVG_HEAD "<rect width=\"1\" height=\"1\"/></svg>", 0, 0 },
	{ "internal reference", SVG_HEAD "<defs><linearGradient id=\"g\"/></defs>"
	    "<rect fill=\"url(#g)\" width=\"1\" height=\"1\"/>"
	    "<use xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"#g\"/>"
	    "</svg>", 0, 0 },
	{ "script", SVG_HEAD "<script>x()</script></svg>", 0, P(MC_SVG_SCRIPT) },
	{ "event attribute", SVG_HEAD "<rect onclick=\"x()\"/></svg>", 0,
	    P(MC_SVG_SCRIPT) },
	{ "external href", SVG_HEAD "<image href=\"https://e.example/x.png\"/></svg>",
	    0, P(MC_SVG_EXTERNAL) },
	{ "external url() in style", SVG_HEAD "<rect style=\"fill:url(https://e/x)\"/>"
	    "</svg>", 0, P(MC_SVG_EXTERNAL) },
	{ "foreignObject", SVG_HEAD "<foreignObject/></svg>", 0, P(MC_SVG_EXTERNAL) },
	{ "animation", SVG_HEAD "<set attributeName=\"x\" to=\"1\"/></svg>", 0,
	    P(MC_SVG_ANIMATION) },
	{ "wrong profile", "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" "
	    "baseProfile=\"tiny\" viewBox=\"0 0 1 1\"><title>T</title></svg>", 0,
	    P(MC_SVG_PROFILE) },
	{ "wrong version", "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "baseProfile=\"tiny-ps\" viewBox=\"0 0 1 1\"><title>T</title></svg>", 0,
	    P(MC_SVG_PROFILE) },
	{ "no title, x and y, not square", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "version=\"1.2\" baseProfile=\"tiny-ps\" x=\"1\" y=\"1\" "
	    "viewBox=\"0,0,20,10\"/>", 0,
	    P(MC_SVG_NO_TITLE) | P(MC_SVG_ROOT_XY) | P(MC_SVG_NOT_SQUARE) },
	{ "title not a child of the root", "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "version=\"1.2\" baseProfile=\"tiny-ps\" viewBox=\"0 0 1 1\"><g>"
	    "<title>T</title></g></svg>", 0, P(MC_SVG_NO_TITLE) },
	{ "no viewBox", "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" "
	    "baseProfile=\"tiny-ps\"><title>T</title></svg>", 0, P(MC_SVG_NOT_SQUARE) },
	{ "no namespace", "<svg version=\"1.2\" baseProfile=\"tiny-ps\" "
	    "viewBox=\"0 0 1 1\"><title>T</title></svg>", 0, P(MC_SVG_NOT_SVG) },
	{ "not XML", "this is not XML", 0, P(MC_SVG_NOT_XML) },
	{ "empty", "", 0, P(MC_SVG_NOT_XML) },
	{ "truncated", SVG_HEAD "<rect", 0, P(MC_SVG_NOT_XML) },
	{ "NUL byte", SVG_HEAD "\0</svg>", sizeof(SVG_HEAD "\0</svg>") - 1,
	    P(MC_SVG_NOT_XML) },
	{ "billion laughs", "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a "
	    "\"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>" SVG_HEAD "&c;</svg>",
	    0, P(MC_SVG_ENTITIES) },
	{ "external entity", "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x "
	    "SYSTEM \"file:///etc/passwd\">]>" SVG_HEAD "&x;</svg>", 0,
	    P(MC_SVG_ENTITIES) },
	{ NULL, NULL, 0, 0 },
};

static void
test_svg(void **state)
{
	const struct svg_row *row = MC_ROW(state, struct svg_row);
	struct mc_svg_report r;
	size_t len = row->len != 0 ? row->len : strlen(row->in);
	int k;

	assert_int_equal(mc_svg_check(row->in, len, &r), 0);
	if (r.problems != row->problems) {
		for (k = 0; k < MC_SVG_NPROBLEMS; k++)
			if (r.problems & P(k))
				fprintf(stderr, "  problem %d: %s\n", k, r.detail[k]);
		fail_msg("%s: problems 0x%x, want 0x%x", row->name, r.problems,
		    row->problems);
	}
}

/* 20,000 nested or sibling elements: stopped at the limit, no crash. */
static void
test_svg_bounds(void **state)
{
	size_t n = 20000, i, len = 0, cap = n * 16 + 256;
	char *buf = malloc(cap);
	struct mc_svg_report r;

	(void)state;
	assert_non_null(buf);
	len += (size_t)snprintf(buf, cap, "%s", SVG_HEAD);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "<g>");
	assert_int_equal(mc_svg_check(buf, len, &r), 0);
	assert_true(r.problems & P(MC_SVG_NOT_XML));
	len = (size_t)snprintf(buf, cap, "%s", SVG_HEAD);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "<g/>");
	assert_int_equal(mc_svg_check(buf, len, &r), 0);
	assert_true(r.problems & P(MC_SVG_NOT_XML));
	assert_true(r.elements <= MC_SVG_MAX_ELEMENTS + 1);
	free(buf);
}

struct bimi_sel_row {
	const char *name;
	const char *in;
	const char *out;       /* normalised, or NULL: refused */
	const char *why;       /* for refusals: part of the reason */
};

static const struct bimi_sel_row bimi_sel_rows[] = {
	{ "plain", "brand", "brand", NULL },
	{ "upper case", "Brand", "brand", NULL },
	{ "two labels", "promo.News", "promo.news", NULL },
	{ "underscore", "_b-1", "_b-1", NULL },
	{ "UTF-8 becomes an A-label", "m\xc3\xa4rke", "xn--mrke-loa", NULL },
	{ "empty", "", NULL, "empty selector" },
	{ "a dot", ".", NULL, "empty selector" },
	{ "empty label", "a..b", NULL, "empty label" },
	{ "final dot", "brand.", NULL, "ends with a dot" },
	{ "space", "br and", NULL, "" },
	{ "hyphen at the end", "brand-", NULL, "" },
	{ "label over 63 octets", "0123456789012345678901234567890123456789"
	    "012345678901234567890123", NULL, "longer than 63 octets" },
	{ "over 243 octets", "0123456789012345678901234567890123456789."
	    "0123456789012345678901234567890123456789."
	    "0123456789012345678901234567890123456789."
	    "0123456789012345678901234567890123456789."
	    "0123456789012345678901234567890123456789."
	    "0123456789012345678901234567890123456789", NULL,
	    "at most 243 octets" },
	{ NULL, NULL, NULL, NULL },
};

/* --bimi-selector: DNS labels, normalised, or a reason. */
static void
test_bimi_selector(void **state)
{
	const struct bimi_sel_row *row = MC_ROW(state, struct bimi_sel_row);
	char out[MC_DNS_NAME_MAX + 2], err[256] = "";
	int rc;

	rc = mc_bimi_selector_normalise(row->in, out, sizeof(out), err,
	    sizeof(err));
	if (row->out != NULL) {
		if (rc != 0)
			fail_msg("%s: refused: %s", row->name, err);
		assert_string_equal(out, row->out);
		return;
	}
	assert_int_equal(rc, -1);
	if (strstr(err, row->why) == NULL)
		fail_msg("%s: reason '%s' lacks '%s'", row->name, err, row->why);
	assert_true(err[0] != '\0');
}

int
main(void)
{
	struct CMUnitTest t[128];
	size_t n = 0;

	mc_table_add(t, &n, 128, tlsrpt_rows, sizeof(tlsrpt_rows) /
	    sizeof(tlsrpt_rows[0]) - 1, sizeof(tlsrpt_rows[0]), test_tlsrpt);
	mc_table_add(t, &n, 128, bimi_rows, sizeof(bimi_rows) /
	    sizeof(bimi_rows[0]) - 1, sizeof(bimi_rows[0]), test_bimi);
	mc_table_add(t, &n, 128, svg_rows, sizeof(svg_rows) /
	    sizeof(svg_rows[0]) - 1, sizeof(svg_rows[0]), test_svg);
	mc_table_add(t, &n, 128, bimi_sel_rows, sizeof(bimi_sel_rows) /
	    sizeof(bimi_sel_rows[0]) - 1, sizeof(bimi_sel_rows[0]),
	    test_bimi_selector);
	MC_TEST_ADD(t, &n, test_svg_bounds);
	return mc_table_run("https_records", t, n, NULL, NULL);
}
