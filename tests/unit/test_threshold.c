/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_threshold.c - ranges, --warning/--critical and their effect
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/threshold.h"

/* A range and a value: does it alert? */
static const struct {
	const char *name, *range;
	double value;
	int alert;
} alerts[] = {
	{ "plain-inside", "10", 5, 0 },
	{ "plain-end", "10", 10, 0 },
	{ "plain-above", "10", 10.5, 1 },
	{ "plain-below-zero", "10", -1, 1 },
	{ "plain-zero", "0", 0, 0 },
	{ "plain-zero-above", "0", 1, 1 },
	{ "start-only-below", "10:", 9, 1 },
	{ "start-only-at", "10:", 10, 0 },
	{ "start-only-huge", "10:", 1e12, 0 },
	{ "minus-inf-below", "~:10", -1e9, 0 },
	{ "minus-inf-above", "~:10", 11, 1 },
	{ "between-inside", "10:20", 15, 0 },
	{ "between-low", "10:20", 9.99, 1 },
	{ "between-high", "10:20", 20.01, 1 },
	{ "at-inside", "@10:20", 10, 1 },
	{ "at-inside-end", "@10:20", 20, 1 },
	{ "at-outside", "@10:20", 21, 0 },
	{ "decimals", "0.5:1.5", 1.6, 1 },
	{ "negative", "-5:-1", -3, 0 },
	{ "empty-start", ":10", -1, 1 },
	{ "inf-both", "~:", 1e300, 0 },
};

static const struct {
	const char *name, *range;
} bad[] = {
	{ "empty", "" },
	{ "only-at", "@" },
	{ "letters", "ten" },
	{ "start-after-end", "20:10" },
	{ "two-colons", "1:2:3" },
	{ "trailing-junk", "10x" },
	{ "inf-word", "inf" },
	{ "nan", "nan" },
	{ "hex", "0x10" },
	{ "blank", " 10" },
	{ "tilde-end", "1:~" },
	{ "double-at", "@@10" },
	{ "overlong", "1000000000000000000000000000000000000000000000000000000000000000000000" },
	{ "non-ascii", "1\xc3\xa9" },
};

static void
test_range_alerts(void **state)
{
	struct mc_range r;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
		if (mc_range_parse(alerts[i].range, &r, err, sizeof(err)) != 0)
			fail_msg("%s: '%s' rejected: %s", alerts[i].name,
			    alerts[i].range, err);
		if (mc_range_alert(&r, alerts[i].value) != alerts[i].alert)
			fail_msg("%s: '%s' with %g: alert %d, want %d",
			    alerts[i].name, alerts[i].range, alerts[i].value,
			    !alerts[i].alert, alerts[i].alert);
		assert_string_equal(r.text, alerts[i].range);
	}
}

static void
test_range_rejects(void **state)
{
	struct mc_range r;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (mc_range_parse(bad[i].range, &r, err, sizeof(err)) != -1)
			fail_msg("%s: '%s' accepted", bad[i].name, bad[i].range);
		if (err[0] == '\0')
			fail_msg("%s: no reason given", bad[i].name);
	}
}

static void
test_threshold_parse(void **state)
{
	static const char *const badspecs[] = {
		"spf_lookups", "=10", "spf_lookups=", "SPF_lookups=1",
		"lookups=1", "_lookups=1", "spf_=1", "spf lookups=1",
		"spf_lookups=1:0", "spf-lookups=1",
	};
	struct mc_threshold t;
	char err[200];
	size_t i;

	(void)state;
	assert_int_equal(mc_threshold_parse("spf_lookups=8", MC_WARN, &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.metric, "spf_lookups");
	assert_int_equal(t.severity, MC_WARN);
	assert_true(mc_range_alert(&t.range, 9));
	assert_int_equal(mc_threshold_parse("dnsbl_zones_unusable=@1:", MC_CRIT,
	    &t, err, sizeof(err)), 0);
	assert_true(t.range.inside);
	for (i = 0; i < sizeof(badspecs) / sizeof(badspecs[0]); i++) {
		err[0] = '\0';
		if (mc_threshold_parse(badspecs[i], MC_CRIT, &t, err,
		    sizeof(err)) != -1)
			fail_msg("'%s' accepted", badspecs[i]);
		assert_true(strstr(err, "threshold") != NULL);
	}
}

static void
test_known(void **state)
{
	struct mc_threshold t;
	char err[200];

	(void)state;
	assert_int_equal(mc_threshold_parse("mx_hosts=1", MC_WARN, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(mc_threshold_known(&t, err, sizeof(err)), 0);
	assert_int_equal(mc_threshold_parse("nosuchcheck_hosts=1", MC_WARN, &t,
	    err, sizeof(err)), 0);
	assert_int_equal(mc_threshold_known(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'nosuchcheck_hosts'"));
	/* a prefix of a check's name is not that check */
	assert_int_equal(mc_threshold_parse("m_x=1", MC_WARN, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(mc_threshold_known(&t, err, sizeof(err)), -1);
	/* a metric the check does not declare: refused, with the list */
	assert_int_equal(mc_threshold_parse("mx_hostz=1", MC_WARN, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(mc_threshold_known(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such metric"));
	assert_non_null(strstr(err, "mx_hosts, mx_addresses"));
	/* the run's time */
	assert_int_equal(mc_threshold_parse("time=5", MC_WARN, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(mc_threshold_known(&t, err, sizeof(err)), 0);
	assert_string_equal(t.metric, "time");
}

static void
test_aliases(void **state)
{
	static const char *const pairs[][2] = {
		{ "spf_void=2", "spf_void_lookups" },
		{ "dkim_min_bits=2048:", "dkim_min_key_bits" },
		{ "dnsbl_unusable=0", "dnsbl_zones_unusable" },
		{ "spf_lookups=8", "spf_lookups" },
	};
	struct mc_threshold t;
	char err[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(mc_threshold_parse(pairs[i][0], MC_CRIT, &t,
		    err, sizeof(err)), 0);
		assert_string_equal(t.metric, pairs[i][1]);
		assert_int_equal(mc_threshold_known(&t, err, sizeof(err)), 0);
	}
}

static void
test_apply_time(void **state)
{
	struct mc_threshold t[2];
	struct mc_report rep;
	struct mc_result *r;
	char err[200];

	(void)state;
	memset(&rep, 0, sizeof(rep));
	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	mc_result_init(r, "spf");
	rep.results = r;
	rep.nresults = 1;
	assert_int_equal(mc_threshold_parse("time=5", MC_WARN, &t[0], err,
	    sizeof(err)), 0);
	assert_int_equal(mc_threshold_parse("time=10", MC_CRIT, &t[1], err,
	    sizeof(err)), 0);
	/* in range: nothing added */
	assert_int_equal(mc_thresholds_apply_time(&rep, t, 2, 4.5), 0);
	assert_int_equal(rep.nresults, 1);
	assert_int_equal(rep.status, MC_OK);
	/* over the warning range: a "time" result with the finding */
	assert_int_equal(mc_thresholds_apply_time(&rep, t, 2, 7.25), 0);
	assert_int_equal(rep.nresults, 2);
	assert_string_equal(rep.results[1].check, "time");
	assert_int_equal(rep.results[1].nfindings, 1);
	assert_int_equal(rep.results[1].findings[0].id, MC_F_CHECK_THRESHOLD);
	assert_int_equal(rep.results[1].findings[0].severity, MC_WARN);
	assert_non_null(strstr(rep.results[1].findings[0].message, "7.250 s"));
	assert_int_equal(rep.status, MC_WARN);
	mc_report_release(&rep);
}

/* A report with one check "spf": lookups 9, one finding tied to it. */
static void
make_report(struct mc_report *rep, struct mc_result *r)
{
	memset(rep, 0, sizeof(*rep));
	mc_result_init(r, "spf");
	mc_metric_set(r, "lookups", 9);
	mc_metric_set(r, "void_lookups", 0);
	rep->results = r;
	rep->nresults = 1;
}

static void
test_apply(void **state)
{
	struct mc_threshold t[2];
	struct mc_report rep;
	struct mc_result r;
	char err[200];

	(void)state;
	/* no tied finding: a check.threshold finding appears */
	make_report(&rep, &r);
	assert_int_equal(mc_threshold_parse("spf_lookups=8", MC_WARN, &t[0],
	    err, sizeof(err)), 0);
	assert_int_equal(mc_threshold_parse("spf_lookups=10", MC_CRIT, &t[1],
	    err, sizeof(err)), 0);
	assert_int_equal(mc_thresholds_apply(&rep, t, 2), 0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].id, MC_F_CHECK_THRESHOLD);
	assert_int_equal(r.findings[0].severity, MC_WARN);
	assert_string_equal(r.findings[0].subject, "spf_lookups");
	assert_int_equal(rep.status, MC_WARN);
	mc_result_release(&r);

	/* a tied finding takes the verdict, even a milder one */
	make_report(&rep, &r);
	mc_finding_add_sev(&r, MC_F_INTERNAL_ERROR, MC_CRIT, NULL, "stand-in");
	assert_int_equal(mc_finding_metric(&r, "lookups"), 0);
	assert_int_equal(mc_thresholds_apply(&rep, &t[1], 1), 0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].severity, MC_INFO);
	assert_int_equal(rep.status, MC_INFO);
	mc_result_release(&r);

	/* a threshold for a metric the report lacks changes nothing */
	make_report(&rep, &r);
	assert_int_equal(mc_threshold_parse("dkim_min_key_bits=2048:", MC_CRIT,
	    &t[0], err, sizeof(err)), 0);
	assert_int_equal(mc_thresholds_apply(&rep, t, 1), 0);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(rep.status, MC_OK);
	mc_result_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_alerts),
		cmocka_unit_test(test_range_rejects),
		cmocka_unit_test(test_threshold_parse),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_apply_time),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
