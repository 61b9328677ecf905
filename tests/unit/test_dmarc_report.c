/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dmarc_report.c - the aggregate report parser, table-driven
 *
 * Each row is one report and what the parser must make of it: the error
 * (a substring) or none, whether it was refused for declaring entities,
 * the records delivered, their messages, the first record as
 * "ip count disposition dkim spf ndkim nspf auth-dkim-result
 * auth-spf-domain", and the metadata as "org id domain p begin end bis".
 * Every row is fed three ways, whole, one byte at a time and in pieces of
 * seven bytes, and must come out the same: the parser is streamed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailcheck/dmarc_report.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *xml;
	const char *error;    /* substring of the error; NULL: none */
	int refused;
	uint64_t records, messages;
	const char *first;    /* the first record, see above; NULL: none */
	const char *meta;
};

#define HEAD "<?xml version=\"1.0\"?>"
#define META_7489 "<report_metadata><org_name>google.com</org_name>" \
	"<report_id>42</report_id><date_range><begin>1432684800</begin>" \
	"<end>1432771199</end></date_range></report_metadata>" \
	"<policy_published><domain>Example.ORG</domain><p>reject</p>" \
	"</policy_published>"
#define REC(ip, n) "<record><row><source_ip>" ip "</source_ip><count>" n \
	"</count><policy_evaluated><disposition>none</disposition><dkim>pass" \
	"</dkim><spf>fail</spf></policy_evaluated></row><identifiers>" \
	"<header_from>example.org</header_from></identifiers><auth_results>" \
	"<dkim><domain>example.org</domain><result>pass</result></dkim><spf>" \
	"<domain>bounce.example.net</domain><result>pass</result></spf>" \
	"</auth_results></record>"

static const struct row rows[] = {
	{ "RFC 7489 Appendix C, two records", HEAD "<feedback>" META_7489
	    REC("192.0.2.1", "3") REC("2001:db8::1", "4") "</feedback>", NULL, 0,
	    2, 7, "192.0.2.1 3 none pass fail 1 1 pass bounce.example.net",
	    "google.com 42 example.org reject 1432684800 1432771199 0" },
	{ "DMARCbis namespace, version 1.0 (RFC 9990)", HEAD
	    "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\"><version>1.0"
	    "</version>" META_7489 REC("192.0.2.1", "5") "</feedback>", NULL, 0,
	    1, 5, "192.0.2.1 5 none pass fail 1 1 pass bounce.example.net",
	    "google.com 42 example.org reject 1432684800 1432771199 1" },
	{ "a prefixed namespace of a reporter's own", HEAD
	    "<d:feedback xmlns:d=\"http://dmarc.org/dmarc-xml/0.1\">"
	    "<d:policy_published><d:domain>example.org</d:domain>"
	    "</d:policy_published><d:record><d:row><d:source_ip>192.0.2.7"
	    "</d:source_ip><d:count>2</d:count></d:row></d:record>"
	    "</d:feedback>", NULL, 0, 1, 2, "192.0.2.7 2    0 0  ",
	    "  example.org  -1 -1 0" },
	{ "capitalised results are read lower case", HEAD "<feedback>"
	    META_7489 "<record><row><source_ip>192.0.2.1</source_ip><count>1"
	    "</count><policy_evaluated><disposition>None</disposition><dkim>"
	    "Pass</dkim><spf>PASS</spf></policy_evaluated></row></record>"
	    "</feedback>", NULL, 0, 1, 1, "192.0.2.1 1 none pass pass 0 0  ",
	    NULL },
	{ "blanks around values are trimmed", HEAD "<feedback>" META_7489
	    "<record><row><source_ip>\n  192.0.2.1 \n</source_ip><count> 9 "
	    "</count></row></record></feedback>", NULL, 0, 1, 9,
	    "192.0.2.1 9    0 0  ", NULL },
	{ "a CDATA section and a character reference", HEAD "<feedback>"
	    META_7489 "<record><row><source_ip><![CDATA[192.0.2.1]]>"
	    "</source_ip><count>&#49;&#50;</count></row></record></feedback>",
	    NULL, 0, 1, 12, "192.0.2.1 12    0 0  ", NULL },
	{ "more auth_results than kept are counted", HEAD "<feedback>"
	    META_7489 "<record><row><source_ip>192.0.2.1</source_ip><count>1"
	    "</count></row><auth_results>"
	    "<spf><result>fail</result></spf><spf><result>fail</result></spf>"
	    "<spf><result>fail</result></spf><spf><result>fail</result></spf>"
	    "<spf><result>fail</result></spf><spf><result>fail</result></spf>"
	    "<spf><result>fail</result></spf><spf><result>fail</result></spf>"
	    "<spf><result>pass</result></spf></auth_results></record>"
	    "</feedback>", NULL, 0, 1, 1, "192.0.2.1 1    0 9  ", NULL },
	{ "billion laughs: refused at the first entity", HEAD
	    "<!DOCTYPE feedback [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
	    "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><feedback>" META_7489
	    "<record><row><source_ip>192.0.2.1</source_ip><count>1</count>"
	    "</row><identifiers><header_from>&b;</header_from></identifiers>"
	    "</record></feedback>", "entity 'a': refused", 1, 0, 0, NULL,
	    NULL },
	{ "external entity: refused, never fetched", HEAD
	    "<!DOCTYPE feedback [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<feedback>" META_7489 "</feedback>", "an external entity 'x'", 1,
	    0, 0, NULL, NULL },
	{ "a parameter entity: refused", HEAD
	    "<!DOCTYPE feedback [<!ENTITY % p SYSTEM \"http://192.0.2.1/x\">"
	    "%p;]><feedback/>", "refused", 1, 0, 0, NULL, NULL },
	{ "an undefined entity is an error", HEAD "<feedback>" META_7489
	    "<record><row><source_ip>&x;</source_ip></row></record>"
	    "</feedback>", "undefined entity", 0, 0, 0, NULL, NULL },
	{ "another root element", HEAD "<html><feedback/></html>",
	    "not <feedback>", 0, 0, 0, NULL, NULL },
	{ "not XML", "Subject: hello\n\nbody", "line 1:", 0, 0, 0, NULL,
	    NULL },
	{ "empty", "", "no element found", 0, 0, 0, NULL, NULL },
	{ "truncated after a record: the record stays delivered", HEAD
	    "<feedback>" META_7489 REC("192.0.2.1", "3") "<record>",
	    "line 1:", 0, 1, 3, NULL, NULL },
	{ "no policy and no record", HEAD "<feedback><report_metadata>"
	    "</report_metadata></feedback>", "not a DMARC aggregate report", 0,
	    0, 0, NULL, NULL },
	{ "an invalid count", HEAD "<feedback>" META_7489
	    "<record><row><source_ip>192.0.2.1</source_ip><count>-1</count>"
	    "</row></record></feedback>", "invalid count '-1'", 0, 0, 0, NULL,
	    NULL },
	{ "a count past 2^48", HEAD "<feedback>" META_7489
	    "<record><row><source_ip>192.0.2.1</source_ip><count>"
	    "99999999999999999999</count></row></record></feedback>",
	    "invalid count", 0, 0, 0, NULL, NULL },
	{ "an invalid source_ip", HEAD "<feedback>" META_7489
	    "<record><row><source_ip>192.0.2.300</source_ip><count>1</count>"
	    "</row></record></feedback>", "invalid source_ip '192.0.2.300'", 0,
	    0, 0, NULL, NULL },
	{ "a record without a source_ip", HEAD "<feedback>" META_7489
	    "<record><row><count>1</count></row></record></feedback>",
	    "without a source_ip", 0, 0, 0, NULL, NULL },
	{ "an invalid date", HEAD "<feedback><report_metadata><date_range>"
	    "<begin>yesterday</begin></date_range></report_metadata>"
	    "</feedback>", "invalid time 'yesterday'", 0, 0, 0, NULL, NULL },
	{ "an over-long field is cut, not overrun", HEAD "<feedback>"
	    "<report_metadata><org_name>"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "yyyy</org_name></report_metadata><policy_published><domain>a.b"
	    "</domain></policy_published></feedback>", NULL, 0, 0, 0, NULL,
	    NULL },
};

struct got {
	uint64_t records, messages;
	char first[512];
};

static int
on_record(void *arg, const struct mc_dmarc_meta *m,
    const struct mc_dmarc_row *r)
{
	struct got *g = arg;

	(void)m;
	if (g->records++ == 0)
		snprintf(g->first, sizeof(g->first),
		    "%s %llu %s %s %s %zu %zu %s %s", r->source_ip,
		    (unsigned long long)r->count, r->disposition, r->dkim,
		    r->spf, r->ndkim, r->nspf,
		    r->ndkim > 0 ? r->dkim_auth[0].result : "",
		    r->nspf > 0 ? r->spf_auth[0].domain : "");
	g->messages += r->count;
	return 0;
}

/* Feed r->xml in pieces of step bytes (0: whole) and check the outcome. */
static void
feed(const struct row *r, size_t step)
{
	struct mc_dmarc_sink sink = { .record = on_record };
	struct mc_dmarc_parser *p;
	const struct mc_dmarc_meta *m;
	struct got g = { 0 };
	const char *err;
	char meta[1024];
	size_t len = strlen(r->xml), off = 0, n;
	int rc = 0;

	sink.arg = &g;
	p = mc_dmarc_parser_new(&sink);
	assert_non_null(p);
	do {
		n = step == 0 || len - off < step ? len - off : step;
		rc = mc_dmarc_parser_feed(p, r->xml + off, n, off + n == len);
		off += n;
	} while (rc == 0 && off < len);
	err = mc_dmarc_parser_error(p);
	if (r->error == NULL) {
		assert_int_equal(rc, 0);
		assert_null(err);
	} else {
		assert_int_equal(rc, -1);
		assert_non_null(err);
		if (strstr(err, r->error) == NULL)
			fail_msg("error '%s' lacks '%s'", err, r->error);
	}
	assert_int_equal(mc_dmarc_parser_refused(p), r->refused);
	assert_int_equal(mc_dmarc_parser_records(p), r->records);
	assert_int_equal(g.records, r->records);
	assert_int_equal(g.messages, r->messages);
	if (r->first != NULL)
		assert_string_equal(g.first, r->first);
	m = mc_dmarc_parser_meta(p);
	assert_true(strlen(m->org_name) < sizeof(m->org_name));
	if (r->meta != NULL) {
		snprintf(meta, sizeof(meta), "%s %s %s %s %lld %lld %d",
		    m->org_name, m->report_id, m->domain, m->p, m->begin,
		    m->end, m->dmarcbis);
		assert_string_equal(meta, r->meta);
	}
	mc_dmarc_parser_free(p);
}

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);

	feed(r, 0);
	feed(r, 1);
	feed(r, 7);
}

/* A feed after an error does nothing and keeps the first error. */
static void
test_sticky(void **state)
{
	struct mc_dmarc_sink sink = { .record = on_record };
	struct mc_dmarc_parser *p;
	struct got g = { 0 };
	char first[256];

	(void)state;
	sink.arg = &g;
	p = mc_dmarc_parser_new(&sink);
	assert_non_null(p);
	assert_int_equal(mc_dmarc_parser_feed(p, "<html>", 6, 0), -1);
	snprintf(first, sizeof(first), "%s", mc_dmarc_parser_error(p));
	assert_int_equal(mc_dmarc_parser_feed(p, "<feedback/>", 11, 1), -1);
	assert_string_equal(mc_dmarc_parser_error(p), first);
	mc_dmarc_parser_free(p);
}

static int
stop_at_second(void *arg, const struct mc_dmarc_meta *m,
    const struct mc_dmarc_row *r)
{
	struct got *g = arg;

	(void)m;
	(void)r;
	return ++g->records == 2 ? -1 : 0;
}

/* A sink that says stop ends the report with "stopped". */
static void
test_sink_stops(void **state)
{
	static const char xml[] = HEAD "<feedback>" META_7489
	    REC("192.0.2.1", "1") REC("192.0.2.2", "1") REC("192.0.2.3", "1")
	    "</feedback>";
	struct mc_dmarc_sink sink = { .record = stop_at_second };
	struct mc_dmarc_parser *p;
	struct got g = { 0 };

	(void)state;
	sink.arg = &g;
	p = mc_dmarc_parser_new(&sink);
	assert_non_null(p);
	assert_int_equal(mc_dmarc_parser_feed(p, xml, strlen(xml), 1), -1);
	assert_non_null(strstr(mc_dmarc_parser_error(p), "stopped"));
	assert_int_equal(mc_dmarc_parser_records(p), 1);
	mc_dmarc_parser_free(p);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_sticky);
	MC_TEST_ADD(t, &n, test_sink_stops);
	return mc_table_run("dmarc_report", t, n, NULL, NULL);
}
