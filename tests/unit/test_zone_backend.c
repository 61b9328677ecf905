/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_zone_backend.c - the zone backend through mc_dns_new()
 *
 * Zone files are written to a temporary directory and served through the
 * public DNS interface, as the checks see them: NXDOMAIN versus NODATA,
 * empty non-terminals, CNAME chains and loops, wildcards with the RFC 4592
 * closest-encloser rule (its own examples, section 2.2.1), fault lines, and
 * the error messages for broken or missing files; the zones the files
 * define (names outside them are not checked), $INCLUDE, relative $ORIGIN
 * and directories.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailcheck/dns.h"
#include "mailcheck/limits.h"
#include "mc_table.h"

static char tmpdir[] = "/tmp/mc-zone-test.XXXXXX";

#define LONG30 "abcdefghijklmnopqrstuvwxyz0123"
#define LONG300 LONG30 LONG30 LONG30 LONG30 LONG30 LONG30 LONG30 LONG30 \
	LONG30 LONG30
static struct mc_dns *dns;

/* RFC 4592 2.2.1, plus our own names for CNAMEs, faults and the rest. */
static const char main_zone[] =
"$ORIGIN example.\n"
"$TTL 3600\n"
"example.                 SOA   ns.example.com. hostmaster.example. 1 2 3 4 5\n"
"example.                 NS    ns.example.com.\n"
"example.                 NS    ns.example.net.\n"
"*.example.               TXT   \"this is a wildcard\"\n"
"*.example.               MX    10 host1.example.\n"
"sub.*.example.           TXT   \"this is not a wildcard\"\n"
"host1.example.           A     192.0.2.1\n"
"_ssh._tcp.host1.example. SRV   0 0 22 host1.example.\n"
"_ssh._tcp.host2.example. SRV   0 0 22 host2.example.\n"
"subdel.example.          NS    ns.example.com.\n"
"subdel.example.          NS    ns.example.net.\n"
"\n"
"$ORIGIN mc.test.\n"
"host      A      192.0.2.10\n"
"host      A      192.0.2.11\n"
"host      AAAA   2001:db8::10\n"
"a.b.c.deep TXT   \"deep\"\n"
"alias     CNAME  host\n"
"chain1    CNAME  chain2\n"
"chain2    CNAME  chain3\n"
"chain3    CNAME  host\n"
"loop1     CNAME  loop2\n"
"loop2     CNAME  loop1\n"
"self      CNAME  self\n"
"dangling  CNAME  nowhere.mc.test.\n"
"toempty   CNAME  c.deep\n"
"towild    CNAME  x.wild\n"
"*.wild    A      192.0.2.20\n"
"*.walias  CNAME  host\n"
"tofault   CNAME  sf\n"
"txt       TXT    \"v=spf1 \" \"-all\"\n"
"mx        MX     10 host\n"
"mx        MX     20 alias.mc.test.\n"
"null      MX     0 .\n"
"\n"
"; sixteen hops (MC_DNS_CNAME_MAX) are followed, a seventeenth is not\n"
"h0 CNAME h1\nh1 CNAME h2\nh2 CNAME h3\nh3 CNAME h4\n"
"h4 CNAME h5\nh5 CNAME h6\nh6 CNAME h7\nh7 CNAME h8\n"
"h8 CNAME h9\nh9 CNAME h10\nh10 CNAME h11\nh11 CNAME h12\n"
"h12 CNAME h13\nh13 CNAME h14\nh14 CNAME h15\nh15 CNAME h16\n"
"h16 A 192.0.2.30\n"
"g0 CNAME g1\ng1 CNAME g2\ng2 CNAME g3\ng3 CNAME g4\n"
"g4 CNAME g5\ng5 CNAME g6\ng6 CNAME g7\ng7 CNAME g8\n"
"g8 CNAME g9\ng9 CNAME g10\ng10 CNAME g11\ng11 CNAME g12\n"
"g12 CNAME g13\ng13 CNAME g14\ng14 CNAME g15\ng15 CNAME g16\n"
"g16 CNAME g17\ng17 A 192.0.2.31\n"
"\n"
";! SERVFAIL sf.mc.test.\n"
";! SERVFAIL sftype.mc.test. MX\n"
";! TIMEOUT  to.mc.test.\n"
";! TIMEOUT  totype.mc.test. aaaa\n"
"sftype    A      192.0.2.40\n"
"sftype    MX     10 host\n"
"totype    A      192.0.2.41\n"
"totype    AAAA   2001:db8::41\n"
"\n"
"$ORIGIN rel.mc.test.\n"
";! SERVFAIL relative\n"
";! TIMEOUT @ TXT\n"
";! SERVFAIL absolute.mc.test.\n"
"@         A      192.0.2.50\n"
"@         TXT    \"origin\"\n"
"relative  A      192.0.2.51\n"
"\n"
"$ORIGIN mc.test.\n"
"outward   CNAME  provider.invalid.\n"
"$ORIGIN sub\n"
"host      A      192.0.2.60\n"
"$INCLUDE inc/one.zone\n"
"after     A      192.0.2.63\n"
"$INCLUDE inc/two.zone inc2.test.\n";

/* Included by main_zone: at its origin, and at one of their own. */
static const char inc_one[] = "inc.mc.test. TXT \"included\"\n";
static const char inc_two[] =
"www       A      192.0.2.61\n"
";! SERVFAIL broken\n"
"$INCLUDE deeper.zone\n";
static const char inc_deeper[] = "deeper.inc2.test. A 192.0.2.62\n";

/* A second file: files are merged into one name space. */
static const char second_zone[] =
"other.test. A 198.51.100.1\n"
"$ORIGIN other.test.\n"
";! SERVFAIL broken\n";

/* A cname expectation meaning "not checked". */
static const char ANY[] = "(any)";

struct row {
	const char *name;
	const char *qname;
	uint16_t qtype;
	enum mc_dns_status status;
	int rcode;
	size_t count;       /* records expected */
	const char *data;   /* data of the first record, or NULL: not checked */
	const char *cname;  /* expected cname, NULL: none, ANY: not checked */
	const char *why;    /* substring of why, or NULL: why must be NULL */
};

static const struct row rows[] = {
	/* NXDOMAIN versus NODATA */
	{ "existing name and type", "host.mc.test", MC_RR_A, MC_DNS_OK, 0, 2,
	    "192.0.2.10", NULL, NULL },
	{ "name in upper case with final dot", "HOST.Mc.Test.", MC_RR_AAAA,
	    MC_DNS_OK, 0, 1, "2001:db8::10", NULL, NULL },
	{ "existing name without the type is NODATA", "host.mc.test",
	    MC_RR_MX, MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "absent name is NXDOMAIN", "absent.mc.test", MC_RR_A,
	    MC_DNS_NXDOMAIN, 3, 0, NULL, NULL, NULL },
	{ "name below an absent name is NXDOMAIN", "x.absent.mc.test",
	    MC_RR_A, MC_DNS_NXDOMAIN, 3, 0, NULL, NULL, NULL },
	{ "name below a leaf is NXDOMAIN", "x.host.mc.test", MC_RR_A,
	    MC_DNS_NXDOMAIN, 3, 0, NULL, NULL, NULL },
	{ "name outside every zone is not checked, never NXDOMAIN",
	    "nowhere.invalid", MC_RR_A, MC_DNS_TEMPFAIL, -1, 0, NULL, NULL,
	    "outside the zone files: not checked" },
	{ "absent name in the registrable domain of a held name is NXDOMAIN",
	    "absent.other.test", MC_RR_A, MC_DNS_NXDOMAIN, 3, 0, NULL, NULL,
	    NULL },
	{ "CNAME out of the zones is not checked at its target",
	    "outward.mc.test", MC_RR_A, MC_DNS_TEMPFAIL, -1, 0, NULL,
	    "provider.invalid", "outside the zone files" },

	/* zone files as people write them */
	{ "relative $ORIGIN is relative to the one before", "host.sub.mc.test",
	    MC_RR_A, MC_DNS_OK, 0, 1, "192.0.2.60", NULL, NULL },
	{ "$INCLUDE relative to the including file", "inc.mc.test", MC_RR_TXT,
	    MC_DNS_OK, 0, 1, "included", NULL, NULL },
	{ "$INCLUDE with its own origin", "www.inc2.test", MC_RR_A, MC_DNS_OK,
	    0, 1, "192.0.2.61", NULL, NULL },
	{ "$INCLUDE nested, from the included file's directory",
	    "deeper.inc2.test", MC_RR_A, MC_DNS_OK, 0, 1, "192.0.2.62", NULL,
	    NULL },
	{ "fault line in an included file", "broken.inc2.test", MC_RR_A,
	    MC_DNS_TEMPFAIL, 2, 0, NULL, NULL, "SERVFAIL" },
	{ "$INCLUDE leaves the including file's origin", "after.sub.mc.test",
	    MC_RR_A, MC_DNS_OK, 0, 1, "192.0.2.63", NULL, NULL },
	{ "MX records with preference", "mx.mc.test", MC_RR_MX, MC_DNS_OK, 0,
	    2, "host.mc.test", NULL, NULL },
	{ "null MX has an empty exchange", "null.mc.test", MC_RR_MX,
	    MC_DNS_OK, 0, 1, "", NULL, NULL },
	{ "TXT strings are joined", "txt.mc.test", MC_RR_TXT, MC_DNS_OK, 0, 1,
	    "v=spf1 -all", NULL, NULL },
	{ "records from a second file", "other.test", MC_RR_A, MC_DNS_OK, 0,
	    1, "198.51.100.1", NULL, NULL },

	/* empty non-terminals */
	{ "empty non-terminal is NODATA", "b.c.deep.mc.test", MC_RR_A,
	    MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "empty non-terminal one level up is NODATA", "c.deep.mc.test",
	    MC_RR_TXT, MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "empty non-terminal below the origin", "deep.mc.test", MC_RR_TXT,
	    MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "the leaf under empty non-terminals", "a.b.c.deep.mc.test",
	    MC_RR_TXT, MC_DNS_OK, 0, 1, "deep", NULL, NULL },
	{ "sibling of an empty non-terminal is NXDOMAIN", "z.c.deep.mc.test",
	    MC_RR_TXT, MC_DNS_NXDOMAIN, 3, 0, NULL, NULL, NULL },

	/* CNAMEs */
	{ "CNAME is followed", "alias.mc.test", MC_RR_A, MC_DNS_OK, 0, 2,
	    "192.0.2.10", "host.mc.test", NULL },
	{ "CNAME asked for itself is not followed", "alias.mc.test",
	    MC_RR_CNAME, MC_DNS_OK, 0, 1, "host.mc.test", NULL, NULL },
	{ "CNAME chain of three", "chain1.mc.test", MC_RR_AAAA, MC_DNS_OK, 0,
	    1, "2001:db8::10", "host.mc.test", NULL },
	{ "CNAME to a name without the type is NODATA", "alias.mc.test",
	    MC_RR_TXT, MC_DNS_NODATA, 0, 0, NULL, "host.mc.test", NULL },
	{ "dangling CNAME is NXDOMAIN", "dangling.mc.test", MC_RR_A,
	    MC_DNS_NXDOMAIN, 3, 0, NULL, "nowhere.mc.test", NULL },
	{ "CNAME to an empty non-terminal is NODATA", "toempty.mc.test",
	    MC_RR_A, MC_DNS_NODATA, 0, 0, NULL, "c.deep.mc.test", NULL },
	{ "CNAME loop fails", "loop1.mc.test", MC_RR_A, MC_DNS_TEMPFAIL, 2, 0,
	    NULL, ANY, "CNAME loop at loop1.mc.test" },
	{ "CNAME to itself fails", "self.mc.test", MC_RR_A, MC_DNS_TEMPFAIL,
	    2, 0, NULL, ANY, "CNAME loop at self.mc.test" },
	{ "CNAME chain of sixteen hops is followed", "h0.mc.test", MC_RR_A,
	    MC_DNS_OK, 0, 1, "192.0.2.30", "h16.mc.test", NULL },
	{ "CNAME chain of seventeen hops fails", "g0.mc.test", MC_RR_A,
	    MC_DNS_TEMPFAIL, 2, 0, NULL, ANY, "CNAME chain longer than 16" },
	{ "CNAME to a wildcard-expanded name", "towild.mc.test", MC_RR_A,
	    MC_DNS_OK, 0, 1, "192.0.2.20", "x.wild.mc.test", NULL },
	{ "wildcard CNAME is expanded and followed", "any.walias.mc.test",
	    MC_RR_A, MC_DNS_OK, 0, 2, "192.0.2.10", "host.mc.test", NULL },

	/* RFC 4592 2.2.1: synthesised from the wildcard */
	{ "RFC 4592: host3.example MX from *.example", "host3.example",
	    MC_RR_MX, MC_DNS_OK, 0, 1, "host1.example", NULL, NULL },
	{ "RFC 4592: host3.example A is NODATA", "host3.example", MC_RR_A,
	    MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "RFC 4592: foo.bar.example TXT from *.example", "foo.bar.example",
	    MC_RR_TXT, MC_DNS_OK, 0, 1, "this is a wildcard", NULL, NULL },
	/* RFC 4592 2.2.1: not synthesised */
	{ "RFC 4592: host1.example MX is NODATA", "host1.example", MC_RR_MX,
	    MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "RFC 4592: sub.*.example MX is NODATA", "sub.*.example", MC_RR_MX,
	    MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "RFC 4592: _telnet._tcp.host1.example SRV is NXDOMAIN",
	    "_telnet._tcp.host1.example", 33, MC_DNS_NXDOMAIN, 3, 0, NULL,
	    NULL, NULL },
	{ "RFC 4592: ghost.*.example MX is NXDOMAIN", "ghost.*.example",
	    MC_RR_MX, MC_DNS_NXDOMAIN, 3, 0, NULL, NULL, NULL },
	/* more of the closest-encloser rule */
	{ "RFC 4592: the empty non-terminal _tcp.host1 is NODATA",
	    "_tcp.host1.example", MC_RR_TXT, MC_DNS_NODATA, 0, 0, NULL, NULL,
	    NULL },
	{ "wildcard owner asked literally", "*.example", MC_RR_TXT, MC_DNS_OK,
	    0, 1, "this is a wildcard", NULL, NULL },
	{ "wildcard does not cover names below an existing name",
	    "x.host1.example", MC_RR_TXT, MC_DNS_NXDOMAIN, 3, 0, NULL, NULL,
	    NULL },
	{ "wildcard does not cover the name it hangs from", "wild.mc.test",
	    MC_RR_A, MC_DNS_NODATA, 0, 0, NULL, NULL, NULL },
	{ "wildcard covers several labels", "a.b.wild.mc.test", MC_RR_A,
	    MC_DNS_OK, 0, 1, "192.0.2.20", NULL, NULL },

	/* fault lines */
	{ "SERVFAIL without type fails every type", "sf.mc.test", MC_RR_A,
	    MC_DNS_TEMPFAIL, 2, 0, NULL, NULL, "SERVFAIL" },
	{ "SERVFAIL without type fails TXT too", "sf.mc.test", MC_RR_TXT,
	    MC_DNS_TEMPFAIL, 2, 0, NULL, NULL, "SERVFAIL" },
	{ "SERVFAIL with type fails that type", "sftype.mc.test", MC_RR_MX,
	    MC_DNS_TEMPFAIL, 2, 0, NULL, NULL, "SERVFAIL" },
	{ "SERVFAIL with type leaves other types", "sftype.mc.test", MC_RR_A,
	    MC_DNS_OK, 0, 1, "192.0.2.40", NULL, NULL },
	{ "TIMEOUT without type", "to.mc.test", MC_RR_MX, MC_DNS_TEMPFAIL, -1,
	    0, NULL, NULL, "timeout" },
	{ "TIMEOUT with a lower-case type fails that type", "totype.mc.test",
	    MC_RR_AAAA, MC_DNS_TEMPFAIL, -1, 0, NULL, NULL, "timeout" },
	{ "TIMEOUT with type leaves other types", "totype.mc.test", MC_RR_A,
	    MC_DNS_OK, 0, 1, "192.0.2.41", NULL, NULL },
	{ "fault on a CNAME target fails the question", "tofault.mc.test",
	    MC_RR_A, MC_DNS_TEMPFAIL, 2, 0, NULL, "sf.mc.test", "SERVFAIL" },
	{ "relative fault name under $ORIGIN", "relative.rel.mc.test",
	    MC_RR_A, MC_DNS_TEMPFAIL, 2, 0, NULL, NULL, "SERVFAIL" },
	{ "relative fault name is not taken as absolute", "relative",
	    MC_RR_A, MC_DNS_TEMPFAIL, -1, 0, NULL, NULL, "outside the zone" },
	{ "fault at @ is the $ORIGIN", "rel.mc.test", MC_RR_TXT,
	    MC_DNS_TEMPFAIL, -1, 0, NULL, NULL, "timeout" },
	{ "fault at @ with type leaves other types", "rel.mc.test", MC_RR_A,
	    MC_DNS_OK, 0, 1, "192.0.2.50", NULL, NULL },
	{ "absolute fault name under $ORIGIN", "absolute.mc.test", MC_RR_A,
	    MC_DNS_TEMPFAIL, 2, 0, NULL, NULL, "SERVFAIL" },
	{ "relative fault name in a second file", "broken.other.test",
	    MC_RR_TXT, MC_DNS_TEMPFAIL, 2, 0, NULL, NULL, "SERVFAIL" },
};

static int
write_file(const char *name, const char *text, char *path, size_t size)
{
	FILE *fp;

	snprintf(path, size, "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

static struct mc_dns *
open_files(const char *const *files, size_t n, char *err, size_t errsize)
{
	const struct mc_dns_config cfg = {
		.zone_files = files,
		.nzone_files = n,
		.query_timeout = 5,
		.attempt_timeout = 1,
		.tries = 3,
	};

	return mc_dns_new(&cfg, err, errsize);
}

/*
 * One question in a session of its own.  The zone backend never fails for
 * a deadline, so the answer lives in the cache (no limit set) until
 * mc_dns_free(), past the session.
 */
static const struct mc_dns_answer *
ask1(struct mc_dns *d, const char *name, uint16_t type)
{
	struct mc_dns_session *s = mc_dns_session_begin(d, 0);
	const struct mc_dns_answer *a;

	assert_non_null(s);
	a = mc_dns_lookup(s, name, type);
	mc_dns_session_end(s);
	return a;
}

static int
group_setup(void **state)
{
	char p1[512], p2[512], err[512];
	const char *files[2] = { p1, p2 };

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(p1, sizeof(p1), "%s/inc", tmpdir);
	if (mkdir(p1, 0700) == -1 ||
	    write_file("inc/one.zone", inc_one, p2, sizeof(p2)) == -1 ||
	    write_file("inc/two.zone", inc_two, p2, sizeof(p2)) == -1 ||
	    write_file("inc/deeper.zone", inc_deeper, p2, sizeof(p2)) == -1 ||
	    write_file("main.zone", main_zone, p1, sizeof(p1)) == -1 ||
	    write_file("second.zone", second_zone, p2, sizeof(p2)) == -1)
		return -1;
	dns = open_files(files, 2, err, sizeof(err));
	if (dns == NULL) {
		fprintf(stderr, "cannot open the test zones: %s\n", err);
		return -1;
	}
	assert_string_equal(mc_dns_backend_name(dns), "zone");
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[600];

	(void)state;
	mc_dns_free(dns);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);
	const struct mc_dns_answer *a;
	double start;

	start = mc_now();
	a = ask1(dns, r->qname, r->qtype);
	/* nothing in the zone backend waits, TIMEOUT included */
	assert_true(mc_now() - start < 0.5);
	assert_non_null(a);
	if (a->status != r->status)
		fail_msg("status %s, expected %s (why: %s)",
		    mc_dns_status_str(a->status), mc_dns_status_str(r->status),
		    a->why != NULL ? a->why : "-");
	assert_int_equal(a->rcode, r->rcode);
	assert_int_equal(a->qtype, r->qtype);
	assert_int_equal(a->count, r->count);
	if (r->data != NULL) {
		assert_true(a->count > 0);
		assert_string_equal(a->rr[0].data, r->data);
		assert_int_equal(a->rr[0].type, r->qtype);
	}
	if (strcmp(r->cname != NULL ? r->cname : "", ANY) == 0)
		;
	else if (r->cname != NULL) {
		assert_non_null(a->cname);
		assert_string_equal(a->cname, r->cname);
	} else
		assert_null(a->cname);
	if (r->why != NULL) {
		assert_non_null(a->why);
		assert_non_null(strstr(a->why, r->why));
	} else
		assert_null(a->why);
}

/* The details a table row does not show. */
static void
test_record_details(void **state)
{
	const struct mc_dns_answer *a;
	size_t i;
	int seen10 = 0, seen20 = 0;

	(void)state;
	a = ask1(dns, "host.mc.test", MC_RR_A);
	assert_int_equal(a->count, 2);
	assert_string_equal(a->qname, "host.mc.test");
	assert_memory_equal(a->rr[0].addr, "\xc0\x00\x02\x0a", 4);
	assert_int_equal(a->rr[0].ttl, 3600);
	a = ask1(dns, "mx.mc.test", MC_RR_MX);
	assert_int_equal(a->count, 2);
	for (i = 0; i < a->count; i++) {
		if (a->rr[i].pref == 10 &&
		    strcmp(a->rr[i].data, "host.mc.test") == 0)
			seen10 = 1;
		if (a->rr[i].pref == 20 &&
		    strcmp(a->rr[i].data, "alias.mc.test") == 0)
			seen20 = 1;
	}
	assert_true(seen10 && seen20);
	a = ask1(dns, "txt.mc.test", MC_RR_TXT);
	assert_int_equal(a->rr[0].nstrings, 2);
	assert_int_equal(a->rr[0].longest, 7);
	assert_int_equal(a->rr[0].len, 11);
	/* the qname stays as asked when CNAMEs were followed */
	a = ask1(dns, "Chain1.MC.test.", MC_RR_A);
	assert_string_equal(a->qname, "chain1.mc.test");
	assert_string_equal(a->cname, "host.mc.test");
}

struct bad_file {
	const char *name;
	const char *text;  /* NULL: the file does not exist */
	const char *want;  /* substring of the message after "PATH" */
};

static const struct bad_file bad_files[] = {
	{ "missing file names the file", NULL, "': No such file or directory" },
	{ "record with a bad address", "$ORIGIN x.test.\n@ A 192.0.2.1\n"
	    "bad A 300.1.1.1\n", ":3: " },
	{ "unknown record type", "$ORIGIN x.test.\n\n\n\nhost BOGUS 1\n",
	    ":5: " },
	{ "IPv4 address in an AAAA record", "x.test. A 192.0.2.1\n"
	    "; a comment\n\nx.test. AAAA 192.0.2.1\nx.test. A 192.0.2.2\n", ":4: " },
	{ "record after a multi-line record", "x.test. TXT ( \"a\"\n \"b\" )\n"
	    "x.test. MX x\n", ":3: " },
	{ "bad record on the last line without newline", "x.test. A 192.0.2.1\n"
	    "x.test. A 1", ":2: " },
	{ "MX without exchange", "x.test. A 192.0.2.1\nx.test. MX 10\n", ":2: " },
	/* issue 17 item 8: a syntax error at the end is an error too */
	{ "open parentheses on the last line", "x.test. A 192.0.2.1\n"
	    "(((((\n", ":2: " },
	{ "open parentheses at the end without newline",
	    "x.test. A 192.0.2.1\n; c\n(((((", ":3: " },
	{ "open parenthesis after blank lines at the end",
	    "x.test. A 192.0.2.1\n\n  ; c\n\n x.test. A ( 192.0.2.2\n", ":5: " },
	{ "fault line with an unknown kind", "x.test. A 192.0.2.1\n"
	    ";! REFUSED x.test.\n", ":2: fault line must read" },
	{ "fault line without a name", "x.test. A 192.0.2.1\n\n;! SERVFAIL\n",
	    ":3: fault line must read" },
	{ "fault line with an unknown type", ";! TIMEOUT x.test. NOPE\n",
	    ":1: unknown type 'NOPE'" },
	{ "$INCLUDE of a missing file", "x.test. A 192.0.2.1\n"
	    "$INCLUDE missing.zone\n", ":2: cannot read the included zone file '" },
	{ "$INCLUDE of itself is a loop", "x.test. A 192.0.2.1\n"
	    "$INCLUDE bad.zone\n", ":2: $INCLUDE loop: '" },
	{ "$INCLUDE without a file", "$INCLUDE\t\n", ":1: $INCLUDE names no file" },
	{ "a TXT string over 255 bytes says how to split it",
	    "x.test. A 192.0.2.1\nk.x.test. TXT \"v=DKIM1; p=" LONG300 "\"\n",
	    ":2: a quoted string of 311 bytes is over the limit of 255 for one "
	    "string (RFC 1035 3.3): split it into strings of at most 255 bytes, "
	    "\"...\" \"...\"" },
	{ "a long string on the second line of a record",
	    "k.x.test. TXT ( \"v=DKIM1; \"\n \"p=" LONG300 "\" )\n",
	    ":2: a quoted string of 302 bytes" },
};

static void
test_bad_file(void **state)
{
	const struct bad_file *b = MC_ROW(state, struct bad_file);
	char path[512], err[512], want[1024];
	const char *files[1] = { path };
	struct mc_dns *d;

	if (b->text != NULL)
		assert_int_equal(write_file("bad.zone", b->text, path,
		    sizeof(path)), 0);
	else
		snprintf(path, sizeof(path), "%s/no-such.zone", tmpdir);
	if (b->text == NULL)
		snprintf(want, sizeof(want), "cannot read zone file '%s%s", path,
		    b->want);
	else
		snprintf(want, sizeof(want), "%s%s", path, b->want);
	err[0] = '\0';
	d = open_files(files, 1, err, sizeof(err));
	if (d != NULL) {
		mc_dns_free(d);
		fail_msg("the file was accepted");
	}
	/* one line, naming the file, then the problem */
	assert_null(strchr(err, '\n'));
	if (strstr(err, want) == NULL)
		fail_msg("message '%s' does not contain '%s'", err, want);
}

/* A bad file among good ones is still found, and nothing leaks. */
static void
test_bad_second_file(void **state)
{
	char good[512], bad[512], err[512];
	const char *files[2] = { good, bad };

	(void)state;
	assert_int_equal(write_file("good.zone", "x.test. A 192.0.2.1\n", good,
	    sizeof(good)), 0);
	assert_int_equal(write_file("bad2.zone", "x.test. A 192.0.2.1\n"
	    "y.test. A nope\n", bad, sizeof(bad)), 0);
	assert_null(open_files(files, 2, err, sizeof(err)));
	assert_non_null(strstr(err, "bad2.zone:2"));
}

/*
 * A line longer than any buffer: text inside it that happens to start with
 * ";!" where a buffer would end is no fault line, and the line numbers of
 * the lines after it stay right.
 */
static void
test_long_line(void **state)
{
	static const char inner[] = ";! SERVFAIL victim.x.test. ";
	char text[8192], path[512], err[512], want[600];
	const char *files[1] = { path };
	const struct mc_dns_answer *a;
	struct mc_dns *d;
	size_t o;

	(void)state;
	/* strings of up to 200 octets; inner starts at offset 1023 */
	o = (size_t)snprintf(text, sizeof(text), "long.x.test. TXT \"");
	while (o + 103 < 1023) {
		memset(text + o, 'a', 100);
		memcpy(text + o + 100, "\" \"", 3);
		o += 103;
	}
	memset(text + o, 'a', 1023 - o);
	o = 1023;
	memcpy(text + o, inner, sizeof(inner) - 1);
	o += sizeof(inner) - 1;
	text[o++] = '"';
	o += (size_t)snprintf(text + o, sizeof(text) - o,
	    "\nvictim.x.test. A 192.0.2.1\nbad.x.test. A 1\n");
	assert_true(o < sizeof(text));
	assert_int_equal(write_file("long.zone", text, path, sizeof(path)), 0);
	d = open_files(files, 1, err, sizeof(err));
	/* the file is refused for its third line, not for a fault line */
	assert_null(d);
	snprintf(want, sizeof(want), "%s:3: ", path);
	if (strstr(err, want) == NULL)
		fail_msg("message '%s' does not contain '%s'", err, want);
	/* without the bad line it is accepted, and nothing fails */
	*strstr(text, "bad.x.test.") = '\0';
	assert_int_equal(write_file("long.zone", text, path, sizeof(path)), 0);
	d = open_files(files, 1, err, sizeof(err));
	if (d == NULL)
		fail_msg("refused: %s", err);
	a = ask1(d, "victim.x.test", MC_RR_A);
	assert_int_equal(a->status, MC_DNS_OK);
	a = ask1(d, "long.x.test", MC_RR_TXT);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_true(a->rr[0].len > sizeof(inner));
	assert_memory_equal(a->rr[0].data + a->rr[0].len - (sizeof(inner) - 1),
	    inner, sizeof(inner) - 1);
	mc_dns_free(d);
}

/*
 * A directory: its *.zone files, nothing else; one without any is an
 * error, not a hang.
 */
static void
test_directory(void **state)
{
	char dir[512], path[600], err[600], want[700];
	const char *files[1] = { dir };
	const struct mc_dns_answer *a;
	struct mc_dns *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/dir", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_null(open_files(files, 1, err, sizeof(err)));
	snprintf(want, sizeof(want), "zone directory '%s' holds no *.zone", dir);
	assert_non_null(strstr(err, want));
	assert_int_equal(write_file("dir/a.zone", "a.dir.test. A 192.0.2.1\n",
	    path, sizeof(path)), 0);
	assert_int_equal(write_file("dir/b.zone", "b.dir.test. A 192.0.2.2\n",
	    path, sizeof(path)), 0);
	assert_int_equal(write_file("dir/notes.txt", "not a zone\n", path,
	    sizeof(path)), 0);
	d = open_files(files, 1, err, sizeof(err));
	if (d == NULL)
		fail_msg("refused: %s", err);
	a = ask1(d, "a.dir.test", MC_RR_A);
	assert_int_equal(a->status, MC_DNS_OK);
	a = ask1(d, "b.dir.test", MC_RR_A);
	assert_int_equal(a->status, MC_DNS_OK);
	mc_dns_free(d);
}

/* An empty file and a file of comments serve nothing, and that is fine. */
static void
test_empty_file(void **state)
{
	char path[512], err[512];
	const char *files[1] = { path };
	const struct mc_dns_answer *a;
	struct mc_dns *d;

	(void)state;
	assert_int_equal(write_file("empty.zone", "; nothing here\n\n", path,
	    sizeof(path)), 0);
	d = open_files(files, 1, err, sizeof(err));
	assert_non_null(d);
	a = ask1(d, "example.org", MC_RR_MX);
	assert_int_equal(a->status, MC_DNS_TEMPFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_OUTSIDE);
	mc_dns_free(d);
}

/* Does a->sec hold a record that starts with prefix? */
static int
has_sec(const struct mc_dns_answer *a, const char *prefix)
{
	size_t i;

	for (i = 0; i < a->nsec; i++)
		if (strncmp(a->sec[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/*
 * Denial proofs as a signed server sends them (RFC 4035 3.1.3): an NSEC
 * chain (unsigned here: which records come with which answer is the point;
 * tests/e2e/dnssec.sh validates signed ones, NSEC3 included).
 */
static void
test_denial_proofs(void **state)
{
	static const char zone[] =
	    "$ORIGIN nsec.test.\n"
	    "@ SOA ns hostmaster 1 2 3 4 5\n"
	    "@ NSEC a.nsec.test. SOA NSEC NSEC3PARAM\n"
	    "@ NSEC3PARAM 1 0 0 -\n"
	    "a NSEC *.w.nsec.test. TXT NSEC\n"
	    "a TXT \"a\"\n"
	    "*.w NSEC m.nsec.test. TXT NSEC\n"
	    "*.w TXT \"wild\"\n"
	    "m NSEC nsec.test. A NSEC\n"
	    "m A 192.0.2.1\n";
	char path[512], err[512];
	const char *files[1] = { path };
	const struct mc_dns_answer *a;
	struct mc_dns *d;

	(void)state;
	assert_int_equal(write_file("nsec.zone", zone, path, sizeof(path)), 0);
	d = open_files(files, 1, err, sizeof(err));
	if (d == NULL)
		fail_msg("refused: %s", err);
	/* NXDOMAIN: the NSEC covering the name (a < b < *.w) and the one
	   covering the wildcard at the closest encloser (nsec.test < *) */
	a = ask1(d, "b.nsec.test", MC_RR_TXT);
	assert_int_equal(a->status, MC_DNS_NXDOMAIN);
	assert_true(has_sec(a, "a.nsec.test. 3600 IN NSEC "));
	assert_true(has_sec(a, "nsec.test. 3600 IN NSEC "));
	assert_false(has_sec(a, "m.nsec.test. 3600 IN NSEC "));
	/* NODATA: the NSEC at the name */
	a = ask1(d, "m.nsec.test", MC_RR_TXT);
	assert_int_equal(a->status, MC_DNS_NODATA);
	assert_true(has_sec(a, "m.nsec.test. 3600 IN NSEC "));
	/* from the wildcard: the NSEC proving the name itself absent
	   (*.w < x.w < m) */
	a = ask1(d, "x.w.nsec.test", MC_RR_TXT);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_string_equal(a->rr[0].data, "wild");
	assert_true(has_sec(a, "*.w.nsec.test. 3600 IN NSEC "));
	/* an answer that exists brings no proof */
	a = ask1(d, "a.nsec.test", MC_RR_TXT);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->nsec, 0);
	/* NSEC3PARAM is served as it is, by its name */
	a = ask1(d, "nsec.test", MC_RR_NSEC3PARAM);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->rr[0].type, MC_RR_NSEC3PARAM);
	assert_int_equal(mc_rr_type_from_str("NSEC3PARAM"), MC_RR_NSEC3PARAM);
	mc_dns_free(d);
}

int
main(void)
{
	struct CMUnitTest t[128];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_record_details);
	MC_TABLE_ADD(t, &n, bad_files, test_bad_file);
	MC_TEST_ADD(t, &n, test_bad_second_file);
	MC_TEST_ADD(t, &n, test_long_line);
	MC_TEST_ADD(t, &n, test_directory);
	MC_TEST_ADD(t, &n, test_empty_file);
	MC_TEST_ADD(t, &n, test_denial_proofs);
	return mc_table_run("zone_backend", t, n, group_setup, group_teardown);
}
