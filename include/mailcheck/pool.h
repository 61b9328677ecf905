/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/pool.h - a fixed pool of worker threads for blocking jobs
 *
 * The runner's jobs (one check of one domain) block in DNS lookups for
 * most of their life, so a pool that queued them behind busy workers could
 * deadlock or serialise a run.  This pool therefore never lets a job wait
 * for a worker while it may still start one: a job submitted finds a
 * worker that is not running a job, or the pool starts one, up to its
 * maximum.  Sized for every job that may be in flight at once (bulk mode:
 * --parallel domains x their checks), no job ever waits in the queue.
 * Workers are started on demand, never stopped before mc_pool_free(), and
 * reused for every later job: a bulk run creates its threads once, not
 * once per check per domain.
 *
 * The caller owns each struct mc_pool_job and keeps it alive until its
 * function has run; the pool never allocates per job.
 */
#ifndef MAILCHECK_POOL_H
#define MAILCHECK_POOL_H

#include <stddef.h>

struct mc_pool;

struct mc_pool_job {
	void (*fn)(void *arg);
	/*
	 * Called after fn, once the worker counts as free again (NULL:
	 * none): whoever waits for the job and then submits more finds the
	 * worker free, so a pool sized for every job in flight never
	 * refuses one.
	 */
	void (*done)(void *arg);
	void *arg;
	struct mc_pool_job *next; /* the pool's (set to NULL; no queue) */
};

/*
 * A pool of at most max workers (at least 1), none started yet.  NULL when
 * out of memory.
 */
struct mc_pool *mc_pool_new(size_t max);
/*
 * Run job->fn(job->arg) on a worker.  Returns 0, or -1 when no worker is
 * free and none could be started (the job was not queued: run it
 * yourself).  Thread-safe.
 */
int mc_pool_submit(struct mc_pool *pool, struct mc_pool_job *job);
/*
 * Wait for the queued and running jobs to finish, stop the workers and
 * free the pool.  NULL is a no-op.
 */
void mc_pool_free(struct mc_pool *pool);
/* Workers started so far (for tests and benchmarks). */
size_t mc_pool_threads(struct mc_pool *pool);

#endif
