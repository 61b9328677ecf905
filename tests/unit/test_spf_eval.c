/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_spf_eval.c - check_host() and its limits
 *
 * Each row evaluates one domain of a zone written by the test (zone
 * backend) and names the result, and the lookups, void lookups and DNS
 * questions it may cost at most: hostile records (loops, fan-out, a
 * thousand terms) must stop at the limits of RFC 7208 4.6.4.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/limits.h"
#include "mailcheck/spf.h"

static char zone_path[64];

static int
write_zone(void **state)
{
	FILE *f;
	int fd, i;

	(void)state;
	snprintf(zone_path, sizeof(zone_path), "/tmp/mc-spf-eval-XXXXXX");
	fd = mkstemp(zone_path);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fputs("$ORIGIN example.org.\n"
	    "pass      TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	    "inc       TXT \"v=spf1 include:pass.example.org -all\"\n"
	    "redir     TXT \"v=spf1 redirect=pass.example.org\"\n"
	    "loop      TXT \"v=spf1 include:loop.example.org -all\"\n"
	    "loop2a    TXT \"v=spf1 include:loop2b.example.org -all\"\n"
	    "loop2b    TXT \"v=spf1 redirect=loop2a.example.org\"\n"
	    "void      TXT \"v=spf1 a:n1.example.org a:n2.example.org "
	    "a:n3.example.org a:h.example.org -all\"\n"
	    "void2     TXT \"v=spf1 a:n1.example.org a:n2.example.org "
	    "a:h.example.org -all\"\n"
	    "h         A   192.0.2.1\n"
	    "mx11      TXT \"v=spf1 mx -all\"\n"
	    "mx10      TXT \"v=spf1 mx -all\"\n"
	    "slow      TXT \"v=spf1 include:gone.example.org -all\"\n"
	    "tempinc   TXT \"v=spf1 include:timeout.example.org -all\"\n"
	    ";! TIMEOUT timeout\n"
	    "fail      TXT \"v=spf1 -all exp=why.example.org\"\n"
	    "why       TXT \"%{i} is not one of %{d}'s hosts\"\n", f);
	for (i = 1; i <= 11; i++)
		fprintf(f, "mx11 MX %d m%d\nm%d A 198.51.100.%d\n", i, i, i, i);
	for (i = 1; i <= 10; i++)
		fprintf(f, "mx10 MX %d m%d\n", i, i);
	/* fan-out: 5 includes, each with 5 includes */
	fputs("fan TXT \"v=spf1", f);
	for (i = 0; i < 5; i++)
		fprintf(f, " include:f%d.example.org", i);
	fputs(" -all\"\n", f);
	for (i = 0; i < 5; i++) {
		fprintf(f, "f%d TXT \"v=spf1", i);
		for (int k = 0; k < 5; k++)
			fprintf(f, " include:g%d.example.org", k);
		fputs("\"\n", f);
	}
	for (i = 0; i < 5; i++)
		fprintf(f, "g%d TXT \"v=spf1 a:h.example.org\"\n", i);
	/* a thousand a terms in one record (many strings) */
	fputs("*.w A 192.0.2.1\nmany TXT ( \"v=spf1\"", f);
	for (i = 0; i < 1000; i++)
		fprintf(f, " \" a:h%d.w.example.org\"", i);
	fputs(" )\n", f);
	if (fclose(f) != 0)
		return -1;
	return 0;
}

static int
remove_zone(void **state)
{
	(void)state;
	unlink(zone_path);
	return 0;
}

struct row {
	const char *name;
	const char *domain;
	const char *ip;
	enum mc_spf_result result;
	size_t lookups;      /* exactly */
	size_t voids;        /* exactly */
	size_t max_queries;  /* DNS questions at most */
	const char *reason;  /* substring, or NULL */
};

static const struct row rows[] = {
	{ "ip4 pass", "pass.example.org", "192.0.2.77", MC_SPF_PASS, 0, 0, 1,
	    "matched 'ip4" },
	{ "ip4 fail", "pass.example.org", "203.0.113.1", MC_SPF_FAIL, 0, 0, 1,
	    "'-all'" },
	{ "include pass", "inc.example.org", "192.0.2.1", MC_SPF_PASS, 1, 0, 2,
	    NULL },
	{ "redirect fail", "redir.example.org", "203.0.113.1", MC_SPF_FAIL, 1,
	    0, 2, NULL },
	{ "self include loop stops at 10", "loop.example.org", "192.0.2.1",
	    MC_SPF_PERMERROR, 11, 0, 12, "more than 10 DNS lookups" },
	{ "include/redirect loop stops", "loop2a.example.org", "192.0.2.1",
	    MC_SPF_PERMERROR, 11, 0, 12, "more than 10 DNS lookups" },
	{ "fan-out stops at 10", "fan.example.org", "203.0.113.1",
	    MC_SPF_PERMERROR, 11, 0, 20, "more than 10 DNS lookups" },
	{ "thousand terms stop at 10", "many.example.org", "203.0.113.1",
	    MC_SPF_PERMERROR, 11, 0, 12, "more than 10 DNS lookups" },
	{ "third void lookup", "void.example.org", "192.0.2.1",
	    MC_SPF_PERMERROR, 3, 3, 4, "more than 2 void lookups" },
	{ "two void lookups are fine", "void2.example.org", "192.0.2.1",
	    MC_SPF_PASS, 3, 2, 4, NULL },
	{ "11 MX hosts", "mx11.example.org", "198.51.100.1", MC_SPF_PERMERROR,
	    1, 0, 2, "more than 10 MX hosts" },
	{ "10 MX hosts", "mx10.example.org", "198.51.100.10", MC_SPF_PASS, 1,
	    0, 12, NULL },
	{ "include without record", "slow.example.org", "192.0.2.1",
	    MC_SPF_PERMERROR, 1, 0, 2, "has no SPF record" },
	{ "include times out", "tempinc.example.org", "192.0.2.1",
	    MC_SPF_TEMPERROR, 1, 0, 2, "timeout" },
	{ "no record", "h.example.org", "192.0.2.1", MC_SPF_NONE, 0, 0, 1,
	    NULL },
	{ "malformed domain", "a..example.org", "192.0.2.1", MC_SPF_NONE, 0, 0,
	    0, NULL },
};

static void
test_table(void **state)
{
	const char *zones[1] = { zone_path };
	struct mc_dns_config cfg = { .zone_files = zones, .nzone_files = 1 };
	struct mc_spf_outcome out;
	struct mc_dns *dns;
	struct mc_dns_session *s;
	struct mc_arena *a;
	char err[256];
	size_t i, before;
	int bad = 0;

	(void)state;
	/* every row with the evaluation tree and without: the same outcome */
	for (i = 0; i < 2 * (sizeof(rows) / sizeof(rows[0])); i++) {
		const struct row *r = &rows[i / 2];
		struct mc_spf_request req = { .ip = r->ip, .domain = r->domain,
		    .sender = "someone@example.org", .helo = "mx.example.net",
		    .no_trace = (int)(i % 2) };

		/* a fresh handle: the cache must not hide questions */
		dns = mc_dns_new(&cfg, err, sizeof(err));
		if (dns == NULL)
			fail_msg("%s", err);
		a = mc_arena_new();
		before = mc_dns_queries_sent(dns);
		s = mc_dns_session_begin(dns, 0);
		assert_non_null(s);
		assert_int_equal(mc_spf_check_host(s, a, &req, &out, err,
		    sizeof(err)), 0);
		if (out.result != r->result || out.lookups != r->lookups ||
		    out.void_lookups != r->voids ||
		    mc_dns_queries_sent(dns) - before > r->max_queries ||
		    (r->reason != NULL && (out.reason == NULL ||
		    strstr(out.reason, r->reason) == NULL))) {
			print_error("%s: %s, %zu lookups, %zu void, %zu queries "
			    "(%s); expected %s, %zu, %zu, at most %zu (%s)\n",
			    r->name, mc_spf_result_str(out.result), out.lookups,
			    out.void_lookups, mc_dns_queries_sent(dns) - before,
			    out.reason, mc_spf_result_str(r->result), r->lookups,
			    r->voids, r->max_queries, r->reason);
			bad++;
		}
		if (req.no_trace ? out.trace != NULL :
		    !json_is_object(out.trace)) {
			print_error("%s: the trace is %s with no_trace %d\n",
			    r->name, out.trace != NULL ? "there" : "missing",
			    req.no_trace);
			bad++;
		}
		json_decref(out.trace);
		mc_arena_free(a);
		mc_dns_session_end(s);
		mc_dns_free(dns);
	}
	assert_int_equal(bad, 0);
}

/* exp= after fail: the macro-expanded explanation. */
static void
test_explanation(void **state)
{
	const char *zones[1] = { zone_path };
	struct mc_dns_config cfg = { .zone_files = zones, .nzone_files = 1 };
	struct mc_spf_request req = { .ip = "203.0.113.5",
	    .domain = "fail.example.org", .sender = "x@fail.example.org" };
	struct mc_spf_outcome out;
	struct mc_dns *dns;
	struct mc_dns_session *s;
	struct mc_arena *a = mc_arena_new();
	char err[256];

	(void)state;
	dns = mc_dns_new(&cfg, err, sizeof(err));
	assert_non_null(dns);
	s = mc_dns_session_begin(dns, 0);
	assert_non_null(s);
	assert_int_equal(mc_spf_check_host(s, a, &req, &out, err,
	    sizeof(err)), 0);
	assert_int_equal(out.result, MC_SPF_FAIL);
	assert_string_equal(out.explanation,
	    "203.0.113.5 is not one of fail.example.org's hosts");
	json_decref(out.trace);
	/* bad input: not an address */
	req.ip = "203.0.113";
	assert_int_equal(mc_spf_check_host(s, a, &req, &out, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid IP address"));
	mc_arena_free(a);
	mc_dns_session_end(s);
	mc_dns_free(dns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_explanation),
	};
	return cmocka_run_group_tests(tests, write_zone, remove_zone);
}
