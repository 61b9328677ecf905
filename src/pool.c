/* SPDX-License-Identifier: ISC */
/*
 * src/pool.c - a fixed pool of worker threads for blocking jobs
 *
 * One lock, one condition variable and a FIFO of caller-owned jobs.  The
 * pool counts its workers and those running a job; a submitted job needs
 * a worker when the queue would hold more jobs than there are workers not
 * running one, and then a new worker is started (up to the maximum).
 * Counting rather than tracking who sleeps keeps this right through
 * spurious wake-ups: every queued job has a worker that is not busy and
 * will take it.  Thread creation is what a thread per check cost: a stack
 * to map, fault in and unmap (glibc's stack cache keeps only 40 MB, five
 * default stacks, far fewer than a bulk run's checks in flight), clone3,
 * and TLB shoot-downs on every core.
 */
#include <pthread.h>
#include <stdlib.h>

#include "mailcheck/pool.h"
#include "banned.h"

struct mc_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mc_pool_job *head, *tail;
	size_t queued;   /* jobs in the queue */
	size_t busy;     /* workers running a job */
	size_t nthreads; /* workers started */
	size_t max;
	size_t room;     /* entries of threads[] */
	pthread_t *threads;
	int stop;
};

static void *
worker(void *arg)
{
	struct mc_pool *pool = arg;
	struct mc_pool_job *job;

	pthread_mutex_lock(&pool->mu);
	for (;;) {
		while (pool->head == NULL && !pool->stop)
			pthread_cond_wait(&pool->cv, &pool->mu);
		if (pool->head == NULL)
			break;
		job = pool->head;
		pool->head = job->next;
		if (pool->head == NULL)
			pool->tail = NULL;
		pool->queued--;
		pool->busy++;
		pthread_mutex_unlock(&pool->mu);
		job->fn(job->arg);
		pthread_mutex_lock(&pool->mu);
		pool->busy--;
		if (job->done != NULL) {
			pthread_mutex_unlock(&pool->mu);
			job->done(job->arg);
			pthread_mutex_lock(&pool->mu);
		}
	}
	pthread_mutex_unlock(&pool->mu);
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
	pthread_cond_init(&pool->cv, NULL);
	return pool;
}

/* Start one more worker.  Caller holds the lock.  0 or -1. */
static int
grow(struct mc_pool *pool)
{
	pthread_t *t;
	size_t room;

	if (pool->nthreads >= pool->max)
		return -1;
	if (pool->nthreads == pool->room) {
		room = pool->room > 0 ? pool->room * 2 : 16;
		if (room > pool->max)
			room = pool->max;
		t = realloc(pool->threads, room * sizeof(*t));
		if (t == NULL)
			return -1;
		pool->threads = t;
		pool->room = room;
	}
	if (pthread_create(&pool->threads[pool->nthreads], NULL, worker,
	    pool) != 0)
		return -1;
	pool->nthreads++;
	return 0;
}

int
mc_pool_submit(struct mc_pool *pool, struct mc_pool_job *job)
{
	pthread_mutex_lock(&pool->mu);
	/* a worker not running a job for every queued job and this one */
	if (pool->queued + 1 > pool->nthreads - pool->busy &&
	    grow(pool) == -1) {
		pthread_mutex_unlock(&pool->mu);
		return -1;
	}
	job->next = NULL;
	if (pool->tail != NULL)
		pool->tail->next = job;
	else
		pool->head = job;
	pool->tail = job;
	pool->queued++;
	pthread_cond_signal(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
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
	pthread_mutex_lock(&pool->mu);
	pool->stop = 1;
	pthread_cond_broadcast(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	for (i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_cond_destroy(&pool->cv);
	pthread_mutex_destroy(&pool->mu);
	free(pool->threads);
	free(pool);
}
