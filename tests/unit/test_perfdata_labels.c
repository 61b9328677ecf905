/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_perfdata_labels.c - perfdata labels are unique in their
 * first 19 characters, over every metric the registry's checks publish
 *
 * Takes the metrics every registered check declares (struct
 * mc_check.metrics) and asserts that the labels "<check>_<metric>" are
 * distinct in MC_PERF_LABEL_UNIQUE characters and accepted as
 * --warning/--critical names; then runs every check on every fixture
 * domain (zone backend) and asserts that each metric published is one
 * declared (a metric that is not could take no threshold).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/plugin.h"
#include "mailcheck/runner.h"

#define MAX_LABELS 512

static char labels[MAX_LABELS][MC_METRIC_NAME_MAX];
static size_t nlabels;

static int
declared(const char *check, const char *metric)
{
	const struct mc_check *c = mc_check_find(check);
	size_t k;

	for (k = 0; c != NULL && c->metrics != NULL && c->metrics[k] != NULL;
	    k++)
		if (strcmp(c->metrics[k], metric) == 0)
			return 1;
	return 0;
}

static void
add_label(const char *check, const char *metric)
{
	char label[MC_METRIC_NAME_MAX];
	size_t i;

	assert_int_equal(mc_metric_label(check, metric, label, sizeof(label)), 0);
	for (i = 0; i < nlabels; i++)
		if (strcmp(labels[i], label) == 0)
			return;
	assert_true(nlabels < MAX_LABELS);
	memcpy(labels[nlabels++], label, sizeof(label));
}

/* The ";@ domain:" of a fixture, or 0. */
static int
fixture_domain(const char *path, char *out, size_t size)
{
	char line[512], *p;
	FILE *f;
	int found = 0;

	f = fopen(path, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ";@ domain:", 10) != 0)
			continue;
		for (p = line + 10; *p == ' '; p++)
			;
		p[strcspn(p, " \r\n")] = '\0';
		if (strlen(p) >= size)
			fail_msg("%s: domain too long", path);
		memcpy(out, p, strlen(p) + 1);
		found = 1;
	}
	fclose(f);
	return found;
}

static void
collect_from_fixtures(void)
{
	const struct mc_check *all[64];
	const char *src = getenv("MC_SOURCE_DIR");
	struct mc_dns_config dcfg = { .query_timeout = 1 };
	struct mc_options opts = { 0 };
	struct mc_checkset set;
	struct mc_run_config rcfg = { .set = &set, .opts = &opts };
	struct mc_report rep;
	char pattern[1024], domain[512], err[256];
	const char *file;
	glob_t g;
	size_t i, j, k, n = 0, runs = 0;

	assert_non_null(src);
	for (n = 0; mc_checks[n] != NULL && n < 64; n++)
		all[n] = mc_checks[n];
	if (mc_checkset_setup(&set, all, n, &opts, err, sizeof(err)) == -1)
		fail_msg("setup: %s", err);
	snprintf(pattern, sizeof(pattern), "%s/fixtures/*/*.zone", src);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		if (!fixture_domain(g.gl_pathv[i], domain, sizeof(domain)))
			continue;
		file = g.gl_pathv[i];
		dcfg.zone_files = &file;
		dcfg.nzone_files = 1;
		rcfg.dns = mc_dns_new(&dcfg, err, sizeof(err));
		if (rcfg.dns == NULL)
			fail_msg("%s: %s", file, err);
		assert_int_equal(mc_run_domain(&rcfg, domain, &rep, err,
		    sizeof(err)), 0);
		for (j = 0; j < rep.nresults; j++)
			for (k = 0; k < rep.results[j].nmetrics; k++)
				if (!declared(rep.results[j].check,
				    rep.results[j].metrics[k].name))
					fail_msg("%s: %s publishes '%s', which "
					    "it does not declare", file,
					    rep.results[j].check,
					    rep.results[j].metrics[k].name);
		mc_report_release(&rep);
		mc_dns_free(rcfg.dns);
		runs++;
	}
	globfree(&g);
	mc_checkset_release(&set);
	assert_true(runs > 0);
}

static void
test_labels_unique(void **state)
{
	struct mc_threshold t;
	char spec[MC_METRIC_NAME_MAX + 8], err[256];
	size_t i, j;

	(void)state;
	for (i = 0; mc_checks[i] != NULL; i++) {
		if (mc_checks[i]->metrics == NULL)
			fail_msg("check %s declares no metrics",
			    mc_checks[i]->name);
		for (j = 0; mc_checks[i]->metrics[j] != NULL; j++)
			add_label(mc_checks[i]->name, mc_checks[i]->metrics[j]);
	}
	assert_true(nlabels >= 10);
	for (i = 0; i < nlabels; i++) {
		for (j = 0; j < i; j++)
			if (strncmp(labels[i], labels[j],
			    MC_PERF_LABEL_UNIQUE) == 0)
				fail_msg("perfdata labels '%s' and '%s' are the "
				    "same in their first %d characters",
				    labels[i], labels[j], MC_PERF_LABEL_UNIQUE);
		memcpy(spec, labels[i], strlen(labels[i]));
		memcpy(spec + strlen(labels[i]), "=1", 3);
		if (mc_threshold_parse(spec, MC_WARN, &t, err, sizeof(err)) != 0 ||
		    mc_threshold_known(&t, err, sizeof(err)) != 0)
			fail_msg("label '%s' is no threshold name: %s",
			    labels[i], err);
	}
}

static void
test_published_declared(void **state)
{
	(void)state;
	collect_from_fixtures();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_unique),
		cmocka_unit_test(test_published_declared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
