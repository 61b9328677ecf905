/* SPDX-License-Identifier: ISC */
/*
 * src/runner.c - the check runner
 *
 * The shared work is done here once: the domain is validated and
 * normalised, every check runs at the same time as the others with its own
 * arena, is timed, and a check that fails becomes an internal-error
 * finding.  Checks overlap their DNS questions through the shared cache;
 * the run's deadline lives in the DNS layer, which fails every question
 * past it, so checks end promptly and are waited for.  Each domain's run
 * is a DNS session (see dns.h), so a bulk run's cache can drop what
 * finished domains used.
 *
 * The checks run as jobs on a pool of long-lived workers (src/pool.c), the
 * first on the calling thread, never a thread created per check: creating
 * and reaping a thread for each check of each domain was most of a bulk
 * run's kernel time.  A struct mc_runner keeps its jobs and their arenas
 * from one domain to the next; the arenas are reset, not freed.  The
 * checks count themselves down with an atomic; the last one posts the
 * runner's semaphore, so the runner sleeps (one futex wait, one wake)
 * only when its own check is not the last to end, and no check takes a
 * lock to say it is done.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/limits.h"
#include "mailcheck/pool.h"
#include "mailcheck/runner.h"
#include "mailcheck/util.h"
#include "banned.h"

/* One check of one domain; reused for the next domain. */
struct job {
	struct mc_pool_job pj;
	struct mc_runner *runner;
	const struct mc_check *check;
	struct mc_ctx ctx;            /* ctx.arena is reset after each run */
	double deadline;
};

struct mc_runner {
	struct mc_run_config cfg;     /* cfg.pool: the given or own pool */
	struct mc_pool *own_pool;     /* made when cfg has none */
	struct job *jobs;             /* one per check, in report order */
	sem_t done;                   /* posted when running drops to 0 */
	size_t running;               /* atomic: jobs of this domain not done */
};

int
mc_checks_select(const char *list, const struct mc_check **out,
    size_t outsize, char *err, size_t errsize)
{
	char name[64];
	const char *p, *end;
	const struct mc_check *c;
	int want[64] = { 0 };
	size_t i, len, n = 0;

	for (p = list;; p = end + 1) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 0 || len >= sizeof(name)) {
			snprintf(err, errsize, "invalid check list '%s' "
			    "(see --list-checks)", list);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		c = mc_check_find(name);
		if (c == NULL) {
			snprintf(err, errsize, "unknown check '%s' "
			    "(see --list-checks)", name);
			return -1;
		}
		if (c->run == NULL) {
			snprintf(err, errsize, "check '%s' is not built into "
			    "this binary", name);
			return -1;
		}
		for (i = 0; mc_checks[i] != NULL && i < 64; i++)
			if (mc_checks[i] == c)
				want[i] = 1;
		if (*end == '\0')
			break;
	}
	for (i = 0; mc_checks[i] != NULL && i < 64; i++)
		if (want[i] && n < outsize)
			out[n++] = mc_checks[i];
	return (int)n;
}

int
mc_checkset_setup(struct mc_checkset *set,
    const struct mc_check *const *checks, size_t n,
    const struct mc_options *opts, char *err, size_t errsize)
{
	char why[512];
	size_t i;

	memset(set, 0, sizeof(*set));
	set->v = calloc(n > 0 ? n : 1, sizeof(*set->v));
	if (set->v == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		set->v[i].check = checks[i];
		set->n = i + 1;
		if (checks[i]->setup == NULL)
			continue;
		why[0] = '\0';
		if (checks[i]->setup(opts, &set->v[i].state, why,
		    sizeof(why)) == -1) {
			snprintf(err, errsize, "%s", why[0] != '\0' ? why :
			    "a check could not be set up");
			set->n = i; /* its own state is its setup's to free */
			mc_checkset_release(set);
			return -1;
		}
	}
	return 0;
}

void
mc_checkset_release(struct mc_checkset *set)
{
	size_t i;

	for (i = set->n; i > 0; i--)
		if (set->v[i - 1].check->teardown != NULL)
			set->v[i - 1].check->teardown(set->v[i - 1].state);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/*
 * A metric the check does not declare could not be given a threshold: a
 * bug in the check, shown as one (tests fail on it).
 */
static void
undeclared_metrics(const struct mc_check *c, struct mc_result *r)
{
	size_t i, k;

	for (i = 0; i < r->nmetrics; i++) {
		for (k = 0; c->metrics != NULL && c->metrics[k] != NULL; k++)
			if (strcmp(c->metrics[k], r->metrics[i].name) == 0)
				break;
		if (c->metrics == NULL || c->metrics[k] == NULL)
			mc_finding_add(r, MC_F_INTERNAL_ERROR, NULL,
			    "the %s check published metric '%s', which it "
			    "does not declare", c->name, r->metrics[i].name);
	}
}

static void
job_run(void *arg)
{
	struct job *j = arg;
	struct mc_result *r = j->ctx.result;
	double start;
	int rc;

	start = mc_now();
	rc = j->check->run(&j->ctx);
	r->duration_ms = (long)((mc_now() - start) * 1000.0 + 0.5);
	if (rc == -1)
		mc_finding_add(r, MC_F_INTERNAL_ERROR, NULL,
		    "the %s check failed internally", j->check->name);
	undeclared_metrics(j->check, r);
	if (j->deadline > 0 && mc_now() > j->deadline)
		mc_finding_add(r, MC_F_CHECK_TIMEOUT, NULL,
		    "the %s check did not finish before the deadline",
		    j->check->name);
	mc_result_settle(r);
}

/* After job_run, once its worker (if any) is free for the next domain. */
static void
job_done(void *arg)
{
	struct job *j = arg;
	struct mc_runner *r = j->runner;

	/* the last job wakes the runner; the others touch no lock */
	if (__atomic_sub_fetch(&r->running, 1, __ATOMIC_ACQ_REL) == 0)
		sem_post(&r->done);
}

/* A job on this thread: when the pool has no worker, and the first. */
static void
job_inline(struct job *j)
{
	job_run(j);
	job_done(j);
}

size_t
mc_run_pool_size(size_t parallel, size_t nchecks)
{
	/* the thread running a domain runs one of its checks itself */
	return parallel * (nchecks > 1 ? nchecks - 1 : 1);
}

struct mc_runner *
mc_runner_new(const struct mc_run_config *cfg)
{
	struct mc_runner *r;
	size_t i;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->cfg = *cfg;
	r->jobs = calloc(cfg->set->n > 0 ? cfg->set->n : 1, sizeof(*r->jobs));
	if (r->jobs == NULL)
		goto fail;
	for (i = 0; i < cfg->set->n; i++) {
		r->jobs[i].runner = r;
		r->jobs[i].ctx.arena = mc_arena_new();
		if (r->jobs[i].ctx.arena == NULL)
			goto fail;
	}
	if (cfg->pool == NULL && cfg->set->n > 1) {
		r->own_pool = mc_pool_new(mc_run_pool_size(1, cfg->set->n));
		if (r->own_pool == NULL)
			goto fail;
		r->cfg.pool = r->own_pool;
	}
	if (sem_init(&r->done, 0, 0) == -1)
		goto fail;
	return r;
fail:
	mc_pool_free(r->own_pool);
	if (r->jobs != NULL)
		for (i = 0; i < cfg->set->n; i++)
			mc_arena_free(r->jobs[i].ctx.arena);
	free(r->jobs);
	free(r);
	return NULL;
}

void
mc_runner_free(struct mc_runner *r)
{
	size_t i;

	if (r == NULL)
		return;
	mc_pool_free(r->own_pool);
	for (i = 0; i < r->cfg.set->n; i++)
		mc_arena_free(r->jobs[i].ctx.arena);
	free(r->jobs);
	sem_destroy(&r->done);
	free(r);
}

/*
 * An overlay run's record of where each answer came from (the report's
 * "dns" member), or NULL: not an overlay run, or no memory (the record is
 * a courtesy; the checks' findings stand without it).
 */
static json_t *
answers_json(const struct mc_dns_session *s)
{
	const struct mc_dns_answer *const *a;
	json_t *arr, *o;
	char tbuf[16];
	size_t i, n;

	n = mc_dns_session_answers(s, &a);
	if (n == 0)
		return NULL;
	arr = json_array();
	for (i = 0; arr != NULL && i < n; i++) {
		o = json_pack("{s:o, s:s, s:s, s:s}",
		    "name", mc_json_dns_string(a[i]->qname, strlen(a[i]->qname)),
		    "type", mc_rr_type_str(a[i]->qtype, tbuf, sizeof(tbuf)),
		    "status", mc_dns_status_str(a[i]->status),
		    "source", mc_dns_source_str(a[i]->source));
		if (o == NULL || json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int
mc_runner_run(struct mc_runner *r, const char *domain, double deadline,
    struct mc_report *rep, char *err, size_t errsize)
{
	const struct mc_run_config *cfg = &r->cfg;
	char name[MC_DNS_NAME_MAX + 2];
	struct job *j;
	struct mc_dns_session *session;
	double start;
	size_t i;

	if (mc_domain_normalise(domain, name, sizeof(name), 0, err,
	    errsize) == -1)
		return -1;
	memset(rep, 0, sizeof(*rep));
	start = mc_now();
	rep->domain = strdup(name);
	rep->results = calloc(cfg->set->n > 0 ? cfg->set->n : 1,
	    sizeof(*rep->results));
	session = mc_dns_session_begin(cfg->dns, deadline);
	if (rep->domain == NULL || rep->results == NULL || session == NULL) {
		mc_dns_session_end(session);
		mc_report_release(rep);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	rep->nresults = cfg->set->n;
	__atomic_store_n(&r->running, cfg->set->n, __ATOMIC_RELAXED);
	for (i = 0; i < cfg->set->n; i++) {
		j = &r->jobs[i];
		mc_result_init(&rep->results[i], cfg->set->v[i].check->name);
		j->check = cfg->set->v[i].check;
		j->ctx.state = cfg->set->v[i].state;
		j->ctx.deadline = deadline;
		j->deadline = deadline;
		j->ctx.domain = rep->domain;
		j->ctx.dns = session;
		j->ctx.opts = cfg->opts;
		j->ctx.result = &rep->results[i];
		j->pj.fn = job_run;
		j->pj.done = job_done;
		j->pj.arg = j;
	}
	/* every check but the first on the pool; the first on this thread */
	for (i = 1; i < cfg->set->n; i++)
		if (mc_pool_submit(cfg->pool, &r->jobs[i].pj) == -1)
			job_inline(&r->jobs[i]);
	if (cfg->set->n > 0)
		job_inline(&r->jobs[0]);
	/* no futex call when the checks on the pool finished first */
	if (cfg->set->n > 0)
		while (sem_wait(&r->done) == -1 && errno == EINTR)
			;
	for (i = 0; i < cfg->set->n; i++) {
		mc_arena_reset(r->jobs[i].ctx.arena);
		if (rep->results[i].status > rep->status)
			rep->status = rep->results[i].status;
	}
	rep->dns = answers_json(session);
	mc_dns_session_end(session);
	rep->duration_ms = (long)((mc_now() - start) * 1000.0 + 0.5);
	return 0;
}

int
mc_run_domain(const struct mc_run_config *cfg, const char *domain,
    struct mc_report *rep, char *err, size_t errsize)
{
	struct mc_runner *r;
	int rc;

	r = mc_runner_new(cfg);
	if (r == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	rc = mc_runner_run(r, domain, cfg->deadline, rep, err, errsize);
	mc_runner_free(r);
	return rc;
}
