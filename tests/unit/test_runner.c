/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_runner.c - the runner's shared work, with checks of its own
 *
 * A check that fails becomes an internal-error finding and the run goes on;
 * checks run at the same time; the status is the worst finding; a check
 * still running at the deadline gets check.timeout; the domain is
 * normalised once, before any check runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/runner.h"

static struct mc_dns *dns;
static char zone_path[] = "/tmp/mc-test-runner-XXXXXX";

static int
run_fails(struct mc_ctx *ctx)
{
	(void)ctx;
	return -1;
}

static int
run_warns(struct mc_ctx *ctx)
{
	const struct mc_dns_answer *a;

	a = mc_dns_lookup(ctx->dns, ctx->domain, MC_RR_TXT);
	if (a->status != MC_DNS_OK)
		return -1;
	mc_finding_add(ctx->result, MC_F_MX_IMPLICIT, ctx->domain, "warned about %s",
	    ctx->domain);
	return 0;
}

/* Two checks that each wait until the other has started: only concurrent
 * runs can finish. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int arrived;

static int
run_meet(struct mc_ctx *ctx)
{
	struct timespec until;
	int ok = 1;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&mu);
	arrived++;
	pthread_cond_broadcast(&cv);
	while (arrived < 2 && ok)
		ok = pthread_cond_timedwait(&cv, &mu, &until) == 0;
	pthread_mutex_unlock(&mu);
	if (!ok)
		mc_finding_add(ctx->result, MC_F_INTERNAL_ERROR, NULL,
		    "the other check never ran beside this one");
	return 0;
}

static int
run_slow(struct mc_ctx *ctx)
{
	(void)ctx;
	usleep(300 * 1000);
	return 0;
}

/* Publishes a metric it declares and one it does not. */
static int
run_metrics(struct mc_ctx *ctx)
{
	mc_metric_set(ctx->result, "declared", 1);
	mc_metric_set(ctx->result, "sneaked", 2);
	return 0;
}

static const char *const metrics_declared[] = { "declared", NULL };

static const struct mc_check metrics = { .name = "metrics", .summary = "",
	.rfc = "", .run = run_metrics, .metrics = metrics_declared };
static const struct mc_check fails = { .name = "fails", .summary = "",
	.rfc = "", .run = run_fails };
static const struct mc_check warns = { .name = "warns", .summary = "",
	.rfc = "", .run = run_warns };
static const struct mc_check meet = { .name = "meet", .summary = "",
	.rfc = "", .run = run_meet };
static const struct mc_check slow = { .name = "slow", .summary = "",
	.rfc = "", .run = run_slow };

static int
setup(void **state)
{
	char err[256];
	const char *files[1] = { zone_path };
	struct mc_dns_config cfg = { .zone_files = files, .nzone_files = 1 };
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(zone_path);
	if (fd == -1)
		return -1;
	fp = fdopen(fd, "w");
	fputs("example.org. 300 IN TXT \"hello\"\n", fp);
	fclose(fp);
	dns = mc_dns_new(&cfg, 0, err, sizeof(err));
	return dns == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	mc_dns_free(dns);
	unlink(zone_path);
	return 0;
}

static void
run(const struct mc_check *const *checks, size_t n, double deadline,
    const char *domain, struct mc_report *rep)
{
	struct mc_options opts = { 0 };
	struct mc_checkset set;
	struct mc_run_config cfg = { .set = &set, .opts = &opts, .dns = dns,
		.deadline = deadline };
	char err[256];

	assert_int_equal(mc_checkset_setup(&set, checks, n, &opts, err,
	    sizeof(err)), 0);
	assert_int_equal(mc_run_domain(&cfg, domain, rep, err, sizeof(err)), 0);
	mc_checkset_release(&set);
}

static void
test_failed_check_becomes_internal_error(void **state)
{
	const struct mc_check *checks[] = { &fails, &warns };
	struct mc_report rep;

	(void)state;
	run(checks, 2, 0, "Example.ORG.", &rep);
	assert_string_equal(rep.domain, "example.org");
	assert_int_equal(rep.nresults, 2);
	assert_int_equal(rep.results[0].nfindings, 1);
	assert_int_equal(rep.results[0].findings[0].id, MC_F_INTERNAL_ERROR);
	assert_int_equal(rep.results[0].status, MC_UNKNOWN);
	/* the run went on: the second check ran and saw the normalised name */
	assert_int_equal(rep.results[1].status, MC_WARN);
	assert_string_equal(rep.results[1].findings[0].subject, "example.org");
	assert_int_equal(rep.status, MC_UNKNOWN);
	mc_report_release(&rep);
}

static void
test_undeclared_metric_is_internal_error(void **state)
{
	const struct mc_check *checks[] = { &metrics };
	struct mc_report rep;

	(void)state;
	run(checks, 1, 0, "example.org", &rep);
	assert_int_equal(rep.results[0].nfindings, 1);
	assert_int_equal(rep.results[0].findings[0].id, MC_F_INTERNAL_ERROR);
	assert_non_null(strstr(rep.results[0].findings[0].message,
	    "'sneaked'"));
	assert_int_equal(rep.status, MC_UNKNOWN);
	mc_report_release(&rep);
}

static void
test_checks_run_concurrently(void **state)
{
	const struct mc_check *checks[] = { &meet, &meet };
	struct mc_report rep;

	(void)state;
	arrived = 0;
	run(checks, 2, 0, "example.org", &rep);
	assert_int_equal(rep.results[0].nfindings, 0);
	assert_int_equal(rep.results[1].nfindings, 0);
	assert_int_equal(rep.status, MC_OK);
	mc_report_release(&rep);
}

static void
test_deadline_gives_check_timeout(void **state)
{
	const struct mc_check *checks[] = { &slow };
	struct mc_report rep;

	(void)state;
	run(checks, 1, mc_now() + 0.05, "example.org", &rep);
	assert_int_equal(rep.results[0].nfindings, 1);
	assert_int_equal(rep.results[0].findings[0].id, MC_F_CHECK_TIMEOUT);
	assert_int_equal(rep.status, MC_UNKNOWN);
	mc_report_release(&rep);
}

static void
test_invalid_domain_runs_nothing(void **state)
{
	const struct mc_check *checks[] = { &fails };
	struct mc_options opts = { 0 };
	struct mc_checkset set;
	struct mc_run_config cfg = { .set = &set, .opts = &opts, .dns = dns };
	struct mc_report rep = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(mc_checkset_setup(&set, checks, 1, &opts, err,
	    sizeof(err)), 0);
	assert_int_equal(mc_run_domain(&cfg, "a..b", &rep, err, sizeof(err)), -1);
	mc_checkset_release(&set);
	assert_non_null(strstr(err, "empty label"));
	assert_null(rep.results);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_check_becomes_internal_error),
		cmocka_unit_test(test_undeclared_metric_is_internal_error),
		cmocka_unit_test(test_checks_run_concurrently),
		cmocka_unit_test(test_deadline_gives_check_timeout),
		cmocka_unit_test(test_invalid_domain_runs_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
