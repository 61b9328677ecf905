/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_runner.c - the runner's shared work, with checks of its own
 *
 * A check that fails becomes an internal-error finding and the run goes on;
 * checks run at the same time; the status is the worst finding; a check
 * still running at the deadline gets check.timeout; the domain is
 * normalised once, before any check runs.  A runner reuses its jobs and
 * arenas from one domain to the next, and a shared pool sized with
 * mc_run_pool_size() gives every check in flight a worker, however long
 * they all block, and starts no more.
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

/*
 * Count this caller in *in and wait (5 s at most) until *want have come.
 * Returns 1, or 0 when they did not.
 */
static int
meet_at(int *in, const int *want)
{
	struct timespec until;
	int ok = 1;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&mu);
	(*in)++;
	pthread_cond_broadcast(&cv);
	while (*in < *want && ok)
		ok = pthread_cond_timedwait(&cv, &mu, &until) == 0;
	pthread_mutex_unlock(&mu);
	return ok;
}

static int
run_meet(struct mc_ctx *ctx)
{
	static const int two = 2;

	if (!meet_at(&arrived, &two))
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

/*
 * Checks that all wait until `barrier_want` of them have arrived: only a
 * pool with a worker for every check in flight lets them all finish.
 */
static int barrier_want, barrier_in;

static int
run_barrier(struct mc_ctx *ctx)
{
	if (!meet_at(&barrier_in, &barrier_want))
		mc_finding_add(ctx->result, MC_F_INTERNAL_ERROR, NULL,
		    "only %d of %d checks ran at once", barrier_in,
		    barrier_want);
	return 0;
}

/* Remembers its arena and fills it: a reused arena is the same one, reset. */
static struct mc_arena *arena_seen[2];
static int arena_runs;

static int
run_arena(struct mc_ctx *ctx)
{
	char *p;
	size_t i;

	if (arena_runs < 2)
		arena_seen[arena_runs] = ctx->arena;
	arena_runs++;
	/* more than a block's worth, and a big block of its own */
	for (i = 0; i < 64; i++) {
		p = mc_arena_alloc(ctx->arena, 512);
		if (p == NULL)
			return -1;
		/* zeroed even when the arena was used before */
		if (p[0] != 0 || p[511] != 0)
			return -1;
		memset(p, 0xab, 512);
	}
	p = mc_arena_alloc(ctx->arena, 100000);
	if (p == NULL || p[99999] != 0)
		return -1;
	memset(p, 0xcd, 100000);
	return mc_finding_add(ctx->result, MC_F_MX_IMPLICIT, ctx->domain,
	    "ran on %s", ctx->domain);
}

/* A pool job that waits, as run_barrier does, until released. */
static void
pool_wait(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	barrier_in++;
	pthread_cond_broadcast(&cv);
	while (barrier_in < barrier_want)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
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
static const struct mc_check barrier = { .name = "barrier", .summary = "",
	.rfc = "", .run = run_barrier };
static const struct mc_check arena = { .name = "arena", .summary = "",
	.rfc = "", .run = run_arena };

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
	dns = mc_dns_new(&cfg, err, sizeof(err));
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

/* A runner reuses its jobs and arenas: the second domain sees a clean one. */
static void
test_runner_reused_across_domains(void **state)
{
	const struct mc_check *checks[] = { &arena, &warns };
	struct mc_options opts = { 0 };
	struct mc_checkset set;
	struct mc_run_config cfg = { .set = &set, .opts = &opts, .dns = dns };
	struct mc_runner *r;
	struct mc_report rep;
	char err[256];

	(void)state;
	arena_runs = 0;
	assert_int_equal(mc_checkset_setup(&set, checks, 2, &opts, err,
	    sizeof(err)), 0);
	r = mc_runner_new(&cfg);
	assert_non_null(r);
	assert_int_equal(mc_runner_run(r, "example.org", 0, &rep, err,
	    sizeof(err)), 0);
	assert_int_equal(rep.results[0].nfindings, 1);
	assert_string_equal(rep.results[0].findings[0].message,
	    "ran on example.org");
	assert_int_equal(rep.results[1].status, MC_WARN);
	mc_report_release(&rep);
	assert_int_equal(mc_runner_run(r, "EXAMPLE.org.", 0, &rep, err,
	    sizeof(err)), 0);
	assert_string_equal(rep.domain, "example.org");
	assert_int_equal(rep.results[0].nfindings, 1);
	assert_int_equal(rep.results[0].findings[0].id, MC_F_MX_IMPLICIT);
	assert_int_equal(rep.status, MC_WARN);
	mc_report_release(&rep);
	assert_int_equal(arena_runs, 2);
	assert_ptr_equal(arena_seen[0], arena_seen[1]);
	/* an invalid name runs nothing and leaves the runner usable */
	assert_int_equal(mc_runner_run(r, "a..b", 0, &rep, err, sizeof(err)),
	    -1);
	assert_int_equal(arena_runs, 2);
	mc_runner_free(r);
	mc_checkset_release(&set);
}

struct domain_thread {
	struct mc_runner *runner;
	const char *domain;
	struct mc_report rep;
	int rc;
};

static void *
domain_thread(void *arg)
{
	struct domain_thread *d = arg;
	char err[256];

	d->rc = mc_runner_run(d->runner, d->domain, 0, &d->rep, err,
	    sizeof(err));
	return NULL;
}

/*
 * Two domains of six checks at once on one shared pool sized for them:
 * all twelve checks block until all have started, so the pool must give
 * every one a worker (no deadlock when every worker waits), and it starts
 * no more workers than the size.
 */
static void
test_shared_pool_runs_every_check_at_once(void **state)
{
	const struct mc_check *checks[] = { &barrier, &barrier, &barrier,
	    &barrier, &barrier, &barrier };
	struct mc_options opts = { 0 };
	struct mc_checkset set;
	struct mc_run_config cfg = { .set = &set, .opts = &opts, .dns = dns };
	char err[256];
	struct domain_thread d[2] = {
		{ .domain = "example.org" }, { .domain = "example.net" },
	};
	pthread_t t[2];
	size_t i, k;

	(void)state;
	barrier_in = 0;
	barrier_want = 12;
	assert_int_equal(mc_checkset_setup(&set, checks, 6, &opts, err,
	    sizeof(err)), 0);
	cfg.pool = mc_pool_new(mc_run_pool_size(2, 6));
	assert_non_null(cfg.pool);
	/*
	 * every thread is joined before any assertion on what it did: a
	 * failed assertion leaves this function at once, and no thread may
	 * outlive the frame d lives in (if the second cannot start, the
	 * first waits at the checks' barrier and never writes to d)
	 */
	for (i = 0; i < 2; i++) {
		d[i].runner = mc_runner_new(&cfg);
		assert_non_null(d[i].runner);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, domain_thread,
		    &d[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		assert_int_equal(d[i].rc, 0);
		for (k = 0; k < 6; k++)
			assert_int_equal(d[i].rep.results[k].nfindings, 0);
		assert_int_equal(d[i].rep.status, MC_OK);
		mc_report_release(&d[i].rep);
	}
	/* the calling threads ran one check each: 10 workers */
	assert_int_equal(mc_pool_threads(cfg.pool), 10);
	/* a third domain reuses the workers */
	barrier_in = 0;
	barrier_want = 6;
	d[0].rc = -1;
	domain_thread(&d[0]);
	assert_int_equal(d[0].rc, 0);
	assert_int_equal(d[0].rep.status, MC_OK);
	mc_report_release(&d[0].rep);
	assert_int_equal(mc_pool_threads(cfg.pool), 10);
	for (i = 0; i < 2; i++)
		mc_runner_free(d[i].runner);
	mc_pool_free(cfg.pool);
	mc_checkset_release(&set);
}

/* A job the pool cannot take (it is full) is refused, not queued. */
static void
test_pool_refuses_past_its_size(void **state)
{
	struct mc_pool_job job[2];
	struct mc_pool *pool;
	int i;

	(void)state;
	barrier_in = 0;
	barrier_want = 1000; /* the first job waits until released */
	pool = mc_pool_new(1);
	assert_non_null(pool);
	for (i = 0; i < 2; i++)
		job[i] = (struct mc_pool_job){ .fn = pool_wait, .arg = NULL };
	assert_int_equal(mc_pool_submit(pool, &job[0]), 0);
	pthread_mutex_lock(&mu);
	while (barrier_in == 0)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	assert_int_equal(mc_pool_submit(pool, &job[1]), -1);
	pthread_mutex_lock(&mu);
	barrier_want = 0;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	/* waits for the running job */
	mc_pool_free(pool);
	assert_int_equal(barrier_in, 1);
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
		cmocka_unit_test(test_runner_reused_across_domains),
		cmocka_unit_test(test_shared_pool_runs_every_check_at_once),
		cmocka_unit_test(test_pool_refuses_past_its_size),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
