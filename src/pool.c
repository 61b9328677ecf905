/* SPDX-License-Identifier: ISC */
/*
 * src/pool.c - a fixed pool of worker threads for blocking jobs
 *
 * Every worker has a semaphore of its own and a slot for the job handed to
 * it.  A worker that is free waits on its semaphore, on a stack of idle
 * workers; a job submitted is handed straight to the worker on top of the
 * stack (the last to finish, whose stack and caches are warm), or to a
 * worker started for it (up to the maximum), and that one worker is woken.
 * There is no queue: the pool never lets a job wait for a worker (see
 * mailcheck/pool.h), so a job either has a worker at once or is refused.
 *
 * Why not one lock, one condition variable and a FIFO, as before: in bulk
 * mode some 150 workers slept on one condition variable under one mutex,
 * and every hand-off (four a domain) went through both: the submitter
 * signalled, the woken worker fought the submitter and the other workers
 * for the mutex on its way out of pthread_cond_wait(), and the finishing
 * workers fought them again.  That was most of bulk mode's 70 futex calls
 * a domain (perf, syscalls:sys_enter_futex).  Now the lock guards only the
 * stack and is held for a few instructions, never while a thread sleeps or
 * wakes another; a hand-off costs one futex wake (sem_post() finds the
 * worker asleep) and the worker's one futex wait, and nothing when the
 * worker has not gone to sleep yet (sem_wait() finds the count raised).
 *
 * Thread creation is what a thread per check cost: a stack to map, fault
 * in and unmap (glibc's stack cache keeps only 40 MB, five default stacks,
 * far fewer than a bulk run's checks in flight), clone3, and TLB
 * shoot-downs on every core; workers are started once and reused.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

#include "mailcheck/pool.h"
#include "banned.h"

struct worker {
	struct mc_pool *pool;
	sem_t sem;                /* posted when job is set, or to stop */
	struct mc_pool_job *job;  /* set before the post that wakes it */
	struct worker *next_idle; /* on pool->idle */
	pthread_t thread;
};

struct mc_pool {
	pthread_mutex_t mu;       /* idle, nthreads, workers */
	struct worker *idle;      /* free workers, the last freed on top */
	struct worker **workers;  /* every worker started, for mc_pool_free */
	size_t nthreads;          /* workers started */
	size_t max;
	size_t room;              /* entries of workers[] */
};

static void
sleep_on(sem_t *sem)
{
	while (sem_wait(sem) == -1 && errno == EINTR)
		;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct mc_pool *pool = w->pool;
	struct mc_pool_job *job;

	for (;;) {
		/* the post orders the hand-over before this read */
		sleep_on(&w->sem);
		job = w->job;
		w->job = NULL;
		if (job == NULL)
			break; /* posted with no job: the pool stops */
		job->fn(job->arg);
		/* free again before done() runs: see mailcheck/pool.h */
		pthread_mutex_lock(&pool->mu);
		w->next_idle = pool->idle;
		pool->idle = w;
		pthread_mutex_unlock(&pool->mu);
		if (job->done != NULL)
			job->done(job->arg);
	}
	return NULL;
}

struct mc_pool *
mc_pool_new(size_t max)
{
	struct mc_pool *pool;

	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;
	pool->max = max > 0 ? max : 1;
	pthread_mutex_init(&pool->mu, NULL);
	return pool;
}

/*
 * Start one more worker with job handed to it.  Caller holds the lock.
 * 0 or -1.
 */
static int
grow(struct mc_pool *pool, struct mc_pool_job *job)
{
	struct worker **t, *w;
	size_t room;

	if (pool->nthreads >= pool->max)
		return -1;
	if (pool->nthreads == pool->room) {
		room = pool->room > 0 ? pool->room * 2 : 16;
		if (room > pool->max)
			room = pool->max;
		t = realloc(pool->workers, room * sizeof(*t));
		if (t == NULL)
			return -1;
		pool->workers = t;
		pool->room = room;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->pool = pool;
	w->job = job;
	if (sem_init(&w->sem, 0, 1) == -1) {
		free(w);
		return -1;
	}
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		sem_destroy(&w->sem);
		free(w);
		return -1;
	}
	pool->workers[pool->nthreads++] = w;
	return 0;
}

int
mc_pool_submit(struct mc_pool *pool, struct mc_pool_job *job)
{
	struct worker *w;

	job->next = NULL;
	pthread_mutex_lock(&pool->mu);
	w = pool->idle;
	if (w == NULL) {
		/* the new worker finds its semaphore posted */
		if (grow(pool, job) == -1) {
			pthread_mutex_unlock(&pool->mu);
			return -1;
		}
		pthread_mutex_unlock(&pool->mu);
		return 0;
	}
	pool->idle = w->next_idle;
	w->job = job;
	pthread_mutex_unlock(&pool->mu);
	sem_post(&w->sem);
	return 0;
}

size_t
mc_pool_threads(struct mc_pool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->mu);
	n = pool->nthreads;
	pthread_mutex_unlock(&pool->mu);
	return n;
}

void
mc_pool_free(struct mc_pool *pool)
{
	size_t i;

	if (pool == NULL)
		return;
	/*
	 * A worker runs the job it holds before it looks at its semaphore
	 * again, so one more post with no job stops each after its last job.
	 */
	for (i = 0; i < pool->nthreads; i++)
		sem_post(&pool->workers[i]->sem);
	for (i = 0; i < pool->nthreads; i++) {
		pthread_join(pool->workers[i]->thread, NULL);
		sem_destroy(&pool->workers[i]->sem);
		free(pool->workers[i]);
	}
	pthread_mutex_destroy(&pool->mu);
	free(pool->workers);
	free(pool);
}
