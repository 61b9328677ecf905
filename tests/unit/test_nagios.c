/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_nagios.c - plugin output: first line, long output, perfdata
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/plugin.h"

static struct mc_result results[3];
static struct mc_report rep;

static void
setup_report(void)
{
	size_t i;

	memset(&rep, 0, sizeof(rep));
	rep.domain = strdup("example.org");
	rep.results = results;
	rep.nresults = 3;
	mc_result_init(&results[0], "mx");
	mc_result_init(&results[1], "spf");
	mc_result_init(&results[2], "dnsbl");
	mc_metric_set(&results[0], "hosts", 2);
	mc_metric_set(&results[1], "lookups", 11);
	mc_metric_set(&results[2], "listed", 1);
	mc_metric_set(&results[2], "zones_checked", 12.5);
	for (i = 0; i < 3; i++)
		results[i].status = MC_OK;
}

static void
finish_report(void)
{
	size_t i;

	rep.status = MC_OK;
	for (i = 0; i < rep.nresults; i++) {
		results[i].status = mc_result_worst(&results[i]);
		if (results[i].status > rep.status)
			rep.status = results[i].status;
	}
}

static void
release_report(void)
{
	size_t i;

	for (i = 0; i < rep.nresults; i++)
		mc_result_release(&results[i]);
	free(rep.domain);
}

/* The whole output in a malloc'ed string. */
static char *
render(const struct mc_nagios_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(mc_render_nagios(f, &rep, o), 0);
	fclose(f);
	return buf;
}

static void
test_ok(void **state)
{
	struct mc_nagios_opts o = { .elapsed = 0.25 };
	char *out;

	(void)state;
	setup_report();
	finish_report();
	out = render(&o);
	assert_true(strncmp(out, "MAILCHECK OK - example.org: 3 checks ok\n",
	    40) == 0);
	assert_non_null(strstr(out, "\n[OK] mx"));
	assert_non_null(strstr(out, "| 'time'=0.250s;;;0 'mx_hosts'=2 "
	    "'spf_lookups'=11 'dnsbl_listed'=1 'dnsbl_zones_checked'=12.5\n"));
	assert_int_equal(mc_status_exit(mc_nagios_state(&rep)), 0);
	free(out);
	release_report();
}

static void
test_first_line_worst_first_and_short(void **state)
{
	struct mc_nagios_opts o = { 0 };
	char line[MC_NAGIOS_LINE_MAX + 1];
	int i;

	(void)state;
	setup_report();
	mc_finding_add_sev(&results[0], MC_F_MX_IMPLICIT, MC_WARN, NULL,
	    "no MX record | implicit");
	for (i = 0; i < 5; i++)
		mc_finding_add_sev(&results[2], MC_F_INTERNAL_ERROR, MC_CRIT,
		    "zen.example", "192.0.2.%d listed on zen.example", i);
	finish_report();
	mc_nagios_first_line(&rep, &o, line, sizeof(line));
	assert_true(strlen(line) <= MC_NAGIOS_LINE_MAX);
	assert_string_equal(line, "MAILCHECK CRITICAL - example.org: "
	    "192.0.2.0 listed on zen.example (+5 more)");
	release_report();

	/* the first line takes each message up to its details */
	setup_report();
	mc_finding_add_sev(&results[2], MC_F_INTERNAL_ERROR, MC_CRIT, NULL,
	    "192.0.2.1 is listed on zen (127.0.0.2: SBL)");
	mc_finding_add_sev(&results[1], MC_F_INTERNAL_ERROR, MC_WARN, NULL,
	    "key is 1024 bits; 2048 bits is better");
	finish_report();
	mc_nagios_first_line(&rep, &o, line, sizeof(line));
	assert_string_equal(line, "MAILCHECK CRITICAL - example.org: "
	    "192.0.2.1 is listed on zen; key is 1024 bits");
	release_report();

	/* one long message is shortened, never longer than the limit */
	setup_report();
	mc_finding_add_sev(&results[1], MC_F_INTERNAL_ERROR, MC_WARN, NULL,
	    "%0200d", 7);
	finish_report();
	mc_nagios_first_line(&rep, &o, line, sizeof(line));
	assert_int_equal(strlen(line), MC_NAGIOS_LINE_MAX);
	assert_true(strncmp(line, "MAILCHECK WARNING - example.org: 000", 36) == 0);
	assert_string_equal(line + MC_NAGIOS_LINE_MAX - 3, "...");
	release_report();

	/* a finding's brief form stands in when its headline does not fit */
	setup_report();
	mc_finding_add_sev(&results[2], MC_F_INTERNAL_ERROR, MC_CRIT, NULL,
	    "144.76.187.44 listed on zen.spamhaus.org (127.0.0.2: SBL)");
	mc_finding_brief(&results[2], "never used: the headline fits");
	mc_finding_add_sev(&results[1], MC_F_INTERNAL_ERROR, MC_WARN, NULL,
	    "RSA key at mail._domainkey.example.org is 1024 bits; 2048 bits "
	    "is the current recommendation");
	mc_finding_brief(&results[1], "DKIM mail 1024 bit");
	finish_report();
	mc_nagios_first_line(&rep, &o, line, sizeof(line));
	assert_string_equal(line, "MAILCHECK CRITICAL - example.org: "
	    "144.76.187.44 listed on zen.spamhaus.org; DKIM mail 1024 bit");
	release_report();

	/* the count of the others is never dropped, however many digits */
	setup_report();
	for (i = 0; i < 150; i++)
		mc_finding_add_sev(&results[2], MC_F_INTERNAL_ERROR, MC_CRIT,
		    NULL, "%055d", i);
	finish_report();
	mc_nagios_first_line(&rep, &o, line, sizeof(line));
	assert_true(strlen(line) <= MC_NAGIOS_LINE_MAX);
	assert_non_null(strstr(line, " (+149 more)"));
	release_report();
}

static void
test_hostile_text(void **state)
{
	struct mc_nagios_opts o = { 0 };
	char *out, *bar;

	(void)state;
	setup_report();
	mc_finding_add_sev(&results[1], MC_F_INTERNAL_ERROR, MC_WARN,
	    "a|b", "v=spf1 |'x'=1 \033[31m\nforged");
	finish_report();
	out = render(&o);
	/* the only '|' is the one before the perfdata */
	bar = strchr(out, '|');
	assert_non_null(bar);
	assert_true(strncmp(bar, "| 'time'=", 9) == 0);
	assert_null(strchr(bar + 1, '|'));
	assert_null(strchr(out, '\033'));
	assert_non_null(strstr(out, "\\027[31m\\010forged"));
	free(out);
	release_report();
}

static void
test_timeout_is_unknown(void **state)
{
	struct mc_nagios_opts o = { .timeout = 10 };
	char line[MC_NAGIOS_LINE_MAX + 1];

	(void)state;
	setup_report();
	mc_finding_add_sev(&results[0], MC_F_MX_NONE, MC_CRIT, NULL, "no MX");
	mc_finding_add(&results[1], MC_F_CHECK_TIMEOUT, NULL, "late");
	mc_finding_add(&results[2], MC_F_CHECK_TIMEOUT, NULL, "late");
	finish_report();
	assert_int_equal(rep.status, MC_CRIT);
	assert_int_equal(mc_nagios_state(&rep), MC_UNKNOWN);
	assert_int_equal(mc_status_exit(mc_nagios_state(&rep)), 3);
	mc_nagios_first_line(&rep, &o, line, sizeof(line));
	assert_string_equal(line, "MAILCHECK UNKNOWN - example.org: timeout "
	    "after 10s, unfinished: spf dnsbl");
	release_report();
}

static void
test_perfdata_syntax(void **state)
{
	struct mc_threshold t[3];
	struct mc_nagios_opts o = { .thresholds = t, .nthresholds = 3,
	    .elapsed = 1.5 };
	regex_t re;
	char err[128], *out, *perf, *tok, *save;
	int n = 0;

	(void)state;
	assert_int_equal(mc_threshold_parse("spf_lookups=8", MC_WARN, &t[0],
	    err, sizeof(err)), 0);
	assert_int_equal(mc_threshold_parse("spf_lookups=~:10", MC_CRIT, &t[1],
	    err, sizeof(err)), 0);
	assert_int_equal(mc_threshold_parse("dnsbl_listed=@1:", MC_CRIT, &t[2],
	    err, sizeof(err)), 0);
	setup_report();
	mc_metric_set(&results[0], "negative", -0.125);
	finish_report();
	out = render(&o);
	perf = strstr(out, "\n| ");
	assert_non_null(perf);
	assert_non_null(strstr(perf, " 'spf_lookups'=11;8;~:10 "));
	assert_non_null(strstr(perf, " 'dnsbl_listed'=1;;@1:"));
	assert_non_null(strstr(perf, " 'mx_negative'=-0.125"));
	/* 'label'=value[UOM];warn;crit;min;max, ranges allowed in warn/crit */
	assert_int_equal(regcomp(&re, "^'[a-z0-9_]+'=-?[0-9]+(\\.[0-9]+)?"
	    "(s|%|B|KB|MB|TB|c)?(;[@~0-9.:-]*){0,4}$", REG_EXTENDED), 0);
	perf[strlen(perf) - 1] = '\0';
	for (tok = strtok_r(perf + 3, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save), n++)
		if (regexec(&re, tok, 0, NULL, 0) != 0)
			fail_msg("bad perfdata '%s'", tok);
	assert_int_equal(n, 6);
	regfree(&re);
	free(out);
	release_report();
}

/* A lookup that failed, as the DNS layer reports it. */
static void
dns_failure(struct mc_result *r, const char *name, const char *why)
{
	struct mc_dns_answer a = { .status = MC_DNS_TEMPFAIL, .rcode = -1,
	    .qtype = MC_RR_TXT };

	a.qname = (char *)(uintptr_t)name;
	a.why = (char *)(uintptr_t)why;
	assert_int_equal(mc_finding_dns(r, &a, "the key"), 0);
}

/*
 * A check whose lookups failed gets one line for them all, naming how
 * many failed and why; a check that repeats one no-verdict finding gets
 * one line with a count.
 */
static void
test_dns_failures_collapse(void **state)
{
	struct mc_nagios_opts o = { .timeout = 10 };
	char name[64], *out, *line;
	int i, lines = 0;

	(void)state;
	setup_report();
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "s%d._domainkey.example.org", i);
		dns_failure(&results[1], name, i < 20 ? "timeout" :
		    "SERVFAIL from 127.0.0.1");
	}
	for (i = 0; i < 8; i++)
		mc_finding_add(&results[2], MC_F_DNSBL_ZONE_TEMPFAIL, "zone",
		    "blocklist z%d did not answer its test entry: timeout", i);
	finish_report();
	out = render(&o);
	for (line = out; (line = strchr(line, '\n')) != NULL; line++)
		lines++;
	/* first line, one for spf's failures, one for dnsbl's, mx ok,
	   perfdata */
	assert_int_equal(lines, 5);
	assert_non_null(strstr(out, "[UNKNOWN] spf: 30 DNS questions failed: "
	    "timeout (20), SERVFAIL from 127.0.0.1 (10) (dns.tempfail, first "
	    "at s0._domainkey.example.org TXT)\n"));
	assert_non_null(strstr(out, "[UNKNOWN] dnsbl: blocklist z0 did not "
	    "answer its test entry (and 7 more like it) "
	    "(dnsbl.zone-tempfail, first at zone)\n"));
	/* the first line names one group, short, and counts the other */
	line = strchr(out, '\n');
	*line = '\0';
	assert_true(strncmp(out, "MAILCHECK UNKNOWN - example.org: ", 33) == 0);
	assert_true(strstr(out, "spf: 30 DNS questions failed (timeout) "
	    "(+1 more)") != NULL || strstr(out, "blocklist z0 did not answer "
	    "its test entry (x8) (+1 more)") != NULL);
	free(out);
	release_report();
}

/* A check without a verdict publishes no perfdata: never a false 0. */
static void
test_unknown_metrics_left_out(void **state)
{
	struct mc_nagios_opts o = { .timeout = 10 };
	char *out, *perf;

	(void)state;
	setup_report();
	dns_failure(&results[1], "example.org", "SERVFAIL");
	mc_finding_add(&results[2], MC_F_CHECK_TIMEOUT, NULL, "late");
	finish_report();
	out = render(&o);
	perf = strstr(out, "\n| ");
	assert_non_null(perf);
	assert_non_null(strstr(perf, "'mx_hosts'=2"));
	assert_null(strstr(perf, "spf_"));
	assert_null(strstr(perf, "dnsbl_"));
	free(out);
	release_report();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_first_line_worst_first_and_short),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_timeout_is_unknown),
		cmocka_unit_test(test_perfdata_syntax),
		cmocka_unit_test(test_dns_failures_collapse),
		cmocka_unit_test(test_unknown_metrics_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
