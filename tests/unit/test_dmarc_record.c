/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dmarc_record.c - the DMARC record module, table-driven
 *
 * Each row is one tree walk: the TXT records at _dmarc.<domain> (up to
 * two) and at _dmarc.example.org (the parent, for mail.example.org), and
 * what must come out: the policy applied, its source, and the problems of
 * the record that applies as "code/severity" in order.  Rows cite the
 * section that decides them; "class N" is the class of issue 16.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailcheck/dmarc_record.h"
#include "mc_table.h"

struct row {
	const char *name;     /* the case, with the section that decides it */
	const char *domain;   /* example.org or mail.example.org */
	const char *own, *own2; /* TXT at _dmarc.<domain>, NULL: none */
	const char *parent;   /* TXT at _dmarc.example.org (subdomain rows) */
	int policy;           /* applied to the domain; MC_DMARC_UNSET: none */
	enum mc_dmarc_source source;
	const char *problems; /* "code/sev code/sev", "" for none */
};

#define U MC_DMARC_UNSET
#define N MC_DMARC_NONE
#define Q MC_DMARC_QUARANTINE
#define R MC_DMARC_REJECT
#define REC MC_DMARC_SRC_RECORD
#define INH MC_DMARC_SRC_INHERITED
#define FB MC_DMARC_SRC_FALLBACK
#define NO MC_DMARC_SRC_NONE
#define RUA "rua=mailto:d@example.org"

static const struct row rows[] = {
	{ "plain reject (RFC 9989 4.7)", "example.org",
	    "v=DMARC1; p=reject; " RUA, NULL, NULL, R, REC, "" },
	{ "class 1: invalid sp without rua, no policy (RFC 9989 4.10.1)",
	    "example.org", "v=DMARC1; p=reject; sp=rejct", NULL, NULL, U, NO,
	    "dmarc.tag-invalid/warn" },
	{ "class 1: invalid sp with rua, p=none (RFC 9989 4.10.1)",
	    "example.org", "v=DMARC1; p=reject; sp=rejct; " RUA, NULL, NULL, N,
	    FB, "dmarc.tag-invalid/warn" },
	{ "class 1: invalid np with rua, p=none (RFC 9989 4.10.1)",
	    "example.org", "v=DMARC1; p=reject; np=x; " RUA, NULL, NULL, N, FB,
	    "dmarc.tag-invalid/warn" },
	{ "class 1: subdomain does not inherit reject past an invalid sp "
	    "(RFC 9989 4.10.1)", "mail.example.org", NULL, NULL,
	    "v=DMARC1; p=reject; sp=rejct", U, NO, "dmarc.tag-invalid/warn" },
	{ "class 2: invalid p with valid rua acts as p=none (RFC 9989 "
	    "4.10.1)", "example.org", "v=DMARC1; p=rejct; " RUA, NULL, NULL, N,
	    FB, "dmarc.tag-invalid/warn" },
	{ "class 2: invalid p with an invalid rua, no policy (RFC 9989 "
	    "4.10.1)", "example.org", "v=DMARC1; p=rejct; rua=mailto:a b@d.org",
	    NULL, NULL, U, NO, "dmarc.uri-invalid/warn dmarc.tag-invalid/warn" },
	{ "class 3: a tag without '=' is discarded, the rest kept (RFC 9989 "
	    "4.7)", "example.org", "v=DMARC1; p=reject; foo; " RUA, NULL, NULL,
	    R, REC, "dmarc.record-syntax/warn" },
	{ "class 3: a non-ASCII byte costs its tag only (RFC 9989 4.7)",
	    "example.org", "v=DMARC1; p=reject; adkim=r\xc3\xa9; " RUA, NULL,
	    NULL, R, REC, "dmarc.record-syntax/warn" },
	{ "class 3: a non-ASCII byte in p= loses the policy: p=none (RFC 9989 "
	    "4.7)", "example.org", "v=DMARC1; p=reject\xff; " RUA, NULL, NULL,
	    N, REC, "dmarc.record-syntax/warn" },
	{ "class 3: the parent's record with a syntax error still applies "
	    "(RFC 9989 4.10)", "mail.example.org", NULL, NULL,
	    "v=DMARC1; p=reject; foo bar; " RUA, R, INH,
	    "dmarc.record-syntax/warn" },
	{ "class 4: v=dmarc1 beside a valid record is no second record (RFC "
	    "7489 6.4)", "example.org", "v=DMARC1; p=reject; " RUA,
	    "v=dmarc1; p=none", NULL, R, REC, "" },
	{ "class 4: v=DMARC2 beside a valid record (RFC 7489 6.6.3)",
	    "example.org", "v=DMARC2; p=none", "v=DMARC1; p=quarantine; " RUA,
	    NULL, Q, REC, "" },
	{ "class 4: two DMARC1 records, none applies (RFC 7489 6.6.3)",
	    "example.org", "v=DMARC1; p=reject", "v=DMARC1; p=none", NULL, U,
	    NO, "" },
	{ "class 4: a lone v=dmarc1 is discarded, the walk goes on (RFC 9989 "
	    "4.10)", "mail.example.org", "v=dmarc1; p=none", NULL,
	    "v=DMARC1; p=quarantine; " RUA, Q, INH, "" },
	{ "class 5: tag names in any case (RFC 5234 2.3)", "example.org",
	    "V=DMARC1; P=Reject; RUA=mailto:d@example.org", NULL, NULL, R, REC,
	    "" },
	{ "class 5: a repeated tag in another case is a repeat (RFC 6376 "
	    "3.2)", "example.org", "v=DMARC1; p=reject; P=none", NULL, NULL, U,
	    NO, "dmarc.record-syntax/warn" },
	{ "class 6: a URI with a space is no URI (RFC 3986)", "example.org",
	    "v=DMARC1; p=reject; rua=mailto: a@example.org", NULL, NULL, R, REC,
	    "dmarc.uri-invalid/warn" },
	{ "class 7: pct, ri, rf out of range: RFC 7489 only (RFC 9989 4.7)",
	    "example.org", "v=DMARC1; p=reject; pct=101; ri=x; rf=xml; " RUA,
	    NULL, NULL, R, REC, "dmarc.legacy-tag-invalid/warn "
	    "dmarc.legacy-tag-invalid/warn dmarc.legacy-tag-invalid/warn" },
	{ "class 7: an https: URI is valid but unsupported (RFC 7489 6.2)",
	    "example.org", "v=DMARC1; p=reject; rua=https://example.org/r", NULL,
	    NULL, R, REC, "dmarc.uri-unsupported/warn" },
	{ "class 7: an https: URI counts as a valid rua for the fallback "
	    "(RFC 9989 4.10.1)", "example.org",
	    "v=DMARC1; p=bad; rua=https://example.org/r", NULL, NULL, N, FB,
	    "dmarc.uri-unsupported/warn dmarc.tag-invalid/warn" },
	{ "class 7: fo=0:1 (RFC 9989 4.8)", "example.org",
	    "v=DMARC1; p=reject; fo=0:1; " RUA, NULL, NULL, R, REC,
	    "dmarc.fo-invalid/info" },
	{ "class 7: fo=1:d:s is fine (RFC 9989 4.8)", "example.org",
	    "v=DMARC1; p=reject; fo=1:d:s; " RUA, NULL, NULL, R, REC, "" },
	{ "class 7: fo=x is invalid under both (RFC 7489 6.3)", "example.org",
	    "v=DMARC1; p=reject; fo=x; " RUA, NULL, NULL, R, REC,
	    "dmarc.fo-invalid/warn" },
	{ "class 8: leading whitespace kept (RFC 9989 4.8)", "example.org",
	    "  v=DMARC1; p=reject; " RUA, NULL, NULL, R, REC,
	    "dmarc.record-lenient/info" },
	{ "class 8: ';;' kept (RFC 9989 4.8)", "example.org",
	    "v=DMARC1;; p=reject;; " RUA, NULL, NULL, R, REC,
	    "dmarc.record-lenient/info" },
	{ "class 8: v=DMARC1 without ';' is a lookalike (RFC 7489 6.4)",
	    "example.org", "v=DMARC1 p=reject", NULL, NULL, U, NO, "" },
	{ "no p= reads p=none (RFC 9989 4.7)", "example.org",
	    "v=DMARC1; " RUA, NULL, NULL, N, REC, "" },
	{ "subdomain gets sp (RFC 9989 4.7)", "mail.example.org", NULL, NULL,
	    "v=DMARC1; p=reject; sp=quarantine; " RUA, Q, INH, "" },
	{ "nothing found (RFC 9989 4.10)", "example.org", NULL, NULL, NULL, U,
	    NO, "" },
};

/* An answer holding the given TXT records (NULL: NXDOMAIN). */
static void
answer(struct mc_dns_answer *ans, struct mc_rr *rr, const char *a,
    const char *b)
{
	memset(ans, 0, sizeof(*ans));
	ans->status = a == NULL ? MC_DNS_NXDOMAIN : MC_DNS_OK;
	ans->rr = rr;
	if (a != NULL) {
		rr[ans->count] = (struct mc_rr){ .type = MC_RR_TXT,
		    .data = (char *)(uintptr_t)a, .len = strlen(a) };
		ans->count++;
	}
	if (b != NULL) {
		rr[ans->count] = (struct mc_rr){ .type = MC_RR_TXT,
		    .data = (char *)(uintptr_t)b, .len = strlen(b) };
		ans->count++;
	}
}

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);
	struct mc_dns_answer ans[MC_DMARC_WALK_MAX];
	struct mc_rr rr[MC_DMARC_WALK_MAX][2];
	struct mc_dmarc_discovery d;
	const struct mc_dmarc_record *rec;
	struct mc_arena *a = mc_arena_new();
	char got[1024];
	size_t i, o = 0;

	assert_non_null(a);
	assert_int_equal(mc_dmarc_walk_begin(a, r->domain, &d), 0);
	for (i = 0; i < d.n; i++) {
		if (i == 0)
			answer(&ans[i], rr[i], r->own, r->own2);
		else if (strcmp(d.node[i].domain, "example.org") == 0)
			answer(&ans[i], rr[i], r->parent, NULL);
		else
			answer(&ans[i], rr[i], NULL, NULL);
		d.node[i].ans = &ans[i];
	}
	assert_int_equal(mc_dmarc_walk_end(a, &d), 0);
	if (d.policy != r->policy || d.source != r->source)
		fail_msg("%s: policy %s from %s (%s), want %s from %s", r->name,
		    mc_dmarc_policy_str(d.policy), mc_dmarc_source_str(d.source),
		    d.reason != NULL ? d.reason : "",
		    mc_dmarc_policy_str(r->policy), mc_dmarc_source_str(r->source));
	got[0] = '\0';
	rec = d.pol != MC_DMARC_NO_NODE ? d.node[d.pol].rec : NULL;
	for (i = 0; rec != NULL && i < rec->nproblem; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s/%s",
		    i > 0 ? " " : "", mc_finding_def(rec->problem[i].id)->code,
		    mc_status_str(rec->problem[i].severity));
	if (strcmp(got, r->problems) != 0)
		fail_msg("%s: problems '%s', want '%s'", r->name, got,
		    r->problems);
	mc_arena_free(a);
}

/* Every byte value in a record, and every length: no crash, bounded. */
static void
test_hostile(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_dmarc_record rec;
	char buf[300];
	size_t i;

	(void)state;
	assert_non_null(a);
	memcpy(buf, "v=DMARC1;", 9);
	for (i = 9; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	for (i = 9; i <= sizeof(buf); i++)
		assert_int_equal(mc_dmarc_parse(a, "_dmarc.x", buf, i, &rec), 0);
	assert_true(rec.nproblem <= MC_DMARC_MAX_PROBLEMS);
	mc_arena_free(a);
}

/* Thousands of bad tags: the problems stay bounded, the count kept. */
static void
test_many_problems(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_dmarc_record rec;
	char buf[8192];
	size_t o;

	(void)state;
	assert_non_null(a);
	o = (size_t)snprintf(buf, sizeof(buf), "v=DMARC1; p=reject");
	while (o + 4 < sizeof(buf)) {
		memcpy(buf + o, "; =", 3);
		o += 3;
	}
	assert_int_equal(mc_dmarc_parse(a, "_dmarc.x", buf, o, &rec), 0);
	assert_int_equal(rec.nproblem, MC_DMARC_MAX_PROBLEMS);
	assert_true(rec.nproblem_dropped > 1000);
	assert_int_equal(rec.p, MC_DMARC_REJECT);
	mc_arena_free(a);
}

static const struct {
	const char *in;
	enum mc_dmarc_txt want;
} classify_rows[] = {
	{ "v=DMARC1", MC_DMARC_TXT_RECORD },
	{ "v = DMARC1 ;p=none", MC_DMARC_TXT_RECORD },
	{ "V=DMARC1;", MC_DMARC_TXT_RECORD },
	{ "v=dmarc1;", MC_DMARC_TXT_LOOKALIKE },
	{ "v=DMARC1 p=none", MC_DMARC_TXT_LOOKALIKE },
	{ "v=DMARC10;", MC_DMARC_TXT_OTHER },
	{ "v=DMARC2; p=none", MC_DMARC_TXT_OTHER },
	{ "v=spf1 -all", MC_DMARC_TXT_OTHER },
	{ "", MC_DMARC_TXT_OTHER },
};

static void
test_classify(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(classify_rows) / sizeof(classify_rows[0]); i++)
		if (mc_dmarc_classify(classify_rows[i].in,
		    strlen(classify_rows[i].in)) != classify_rows[i].want)
			fail_msg("classify '%s': not %d", classify_rows[i].in,
			    classify_rows[i].want);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_hostile);
	MC_TEST_ADD(t, &n, test_many_problems);
	MC_TEST_ADD(t, &n, test_classify);
	return mc_table_run("dmarc_record", t, n, NULL, NULL);
}
