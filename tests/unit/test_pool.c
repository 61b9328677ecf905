/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_pool.c - the worker pool: every job has a worker at
 * once, a full pool refuses, done() finds the worker free, workers are
 * reused, mc_pool_free() waits for the jobs
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "mailcheck/pool.h"

/* Jobs that meet at a gate: each waits until `want` have arrived. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int arrived, want, open, ran, done;
	int timed_out;
};

static void
gate_init(struct gate *g, int want)
{
	*g = (struct gate){ .want = want };
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
}

static void
gate_release(struct gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

/*
 * Wait for a broadcast under g->mu.  A hang guard of 30 s, not a timing
 * assertion: it fires only if what the caller waits for never comes.
 */
static void
gate_wait(struct gate *g)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	if (pthread_cond_timedwait(&g->cv, &g->mu, &ts) != 0)
		g->timed_out = 1;
}

/* Arrive, then wait until every job has arrived (or the gate opens). */
static void
meet(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->mu);
	g->arrived++;
	g->ran++;
	pthread_cond_broadcast(&g->cv);
	while (g->arrived < g->want && !g->open && !g->timed_out)
		gate_wait(g);
	pthread_mutex_unlock(&g->mu);
}

static void
count_done(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->mu);
	g->done++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Eight jobs that each wait for all eight: only if each has a worker. */
static void
test_every_job_has_a_worker(void **state)
{
	struct mc_pool *pool = mc_pool_new(8);
	struct mc_pool_job jobs[8];
	struct gate g;
	int i;

	(void)state;
	assert_non_null(pool);
	gate_init(&g, 8);
	for (i = 0; i < 8; i++) {
		jobs[i] = (struct mc_pool_job){ .fn = meet, .done = count_done,
		    .arg = &g };
		assert_int_equal(mc_pool_submit(pool, &jobs[i]), 0);
	}
	mc_pool_free(pool); /* waits for every job */
	assert_int_equal(g.timed_out, 0);
	assert_int_equal(g.ran, 8);
	assert_int_equal(g.done, 8);
	gate_release(&g);
}

/* A full pool refuses; once the jobs are done, the same workers take more. */
static void
test_full_pool_refuses_then_reuses(void **state)
{
	struct mc_pool *pool = mc_pool_new(2);
	struct mc_pool_job jobs[3];
	struct gate g;
	int i;

	(void)state;
	assert_non_null(pool);
	gate_init(&g, 1000); /* nobody gets through until the gate opens */
	for (i = 0; i < 3; i++)
		jobs[i] = (struct mc_pool_job){ .fn = meet, .done = count_done,
		    .arg = &g };
	assert_int_equal(mc_pool_submit(pool, &jobs[0]), 0);
	assert_int_equal(mc_pool_submit(pool, &jobs[1]), 0);
	assert_int_equal(mc_pool_submit(pool, &jobs[2]), -1);
	assert_int_equal(mc_pool_threads(pool), 2);

	pthread_mutex_lock(&g.mu);
	g.open = 1;
	pthread_cond_broadcast(&g.cv);
	while (g.done < 2 && !g.timed_out)
		gate_wait(&g);
	pthread_mutex_unlock(&g.mu);
	assert_int_equal(g.done, 2);

	/* both workers are free again: two more jobs, no third thread */
	assert_int_equal(mc_pool_submit(pool, &jobs[0]), 0);
	assert_int_equal(mc_pool_submit(pool, &jobs[1]), 0);
	mc_pool_free(pool);
	assert_int_equal(g.timed_out, 0);
	assert_int_equal(g.ran, 4);
	assert_int_equal(g.done, 4);
	gate_release(&g);
}

/* done() runs once the worker is free: it may submit to a pool of one. */
struct chain {
	struct mc_pool *pool;
	struct mc_pool_job next;
	int first_done, next_ran, resubmit;
};

static void
nothing(void *arg)
{
	(void)arg;
}

static void
next_fn(void *arg)
{
	struct chain *c = arg;

	c->next_ran = 1;
}

static void
first_done(void *arg)
{
	struct chain *c = arg;

	c->first_done = 1;
	c->next = (struct mc_pool_job){ .fn = next_fn, .arg = c };
	c->resubmit = mc_pool_submit(c->pool, &c->next);
}

static void
test_done_finds_the_worker_free(void **state)
{
	struct chain c = { .pool = mc_pool_new(1) };
	struct mc_pool_job first = { .fn = nothing, .done = first_done,
	    .arg = &c };

	(void)state;
	assert_non_null(c.pool);
	assert_int_equal(mc_pool_submit(c.pool, &first), 0);
	/* mc_pool_free() waits for the job, its done() and the job that
	   done() submitted */
	mc_pool_free(c.pool);
	assert_int_equal(c.first_done, 1);
	assert_int_equal(c.resubmit, 0);
	assert_int_equal(c.next_ran, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_job_has_a_worker),
		cmocka_unit_test(test_full_pool_refuses_then_reuses),
		cmocka_unit_test(test_done_finds_the_worker_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
