/* SPDX-License-Identifier: ISC */
/*
 * src/runner.c - the check runner
 *
 * The shared work is done here once: the domain is validated and
 * normalised, every check runs in its own thread with its own arena, is
 * timed, and a check that fails becomes an internal-error finding.  Checks
 * overlap their DNS questions through the shared cache; the run's deadline
 * lives in the DNS layer, which fails every question past it, so checks end
 * promptly and are joined.  Each domain's run is a DNS session (see dns.h),
 * so a bulk run's cache can drop what finished domains used.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/limits.h"
#include "mailcheck/runner.h"
#include "mailcheck/util.h"
#include "banned.h"

struct job {
	const struct mc_check *check;
	struct mc_ctx ctx;
	double deadline;
	uint64_t session;
	pthread_t thread;
	int started;
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

static void *
job_run(void *arg)
{
	struct job *j = arg;
	struct mc_result *r = j->ctx.result;
	double start;
	int rc;

	mc_dns_session_enter(j->session, j->deadline);
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
	r->status = mc_result_worst(r);
	return NULL;
}

int
mc_run_domain(const struct mc_run_config *cfg, const char *domain,
    struct mc_report *rep, char *err, size_t errsize)
{
	char name[MC_DNS_NAME_MAX + 2];
	struct job *jobs;
	uint64_t session;
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
	jobs = calloc(cfg->set->n > 0 ? cfg->set->n : 1, sizeof(*jobs));
	if (rep->domain == NULL || rep->results == NULL || jobs == NULL) {
		free(jobs);
		mc_report_release(rep);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	rep->nresults = cfg->set->n;
	session = mc_dns_session_begin(cfg->dns);
	for (i = 0; i < cfg->set->n; i++) {
		mc_result_init(&rep->results[i], cfg->set->v[i].check->name);
		jobs[i].check = cfg->set->v[i].check;
		jobs[i].ctx.state = cfg->set->v[i].state;
		jobs[i].ctx.deadline = cfg->deadline;
		jobs[i].deadline = cfg->deadline;
		jobs[i].session = session;
		jobs[i].ctx.domain = rep->domain;
		jobs[i].ctx.dns = cfg->dns;
		jobs[i].ctx.opts = cfg->opts;
		jobs[i].ctx.result = &rep->results[i];
		jobs[i].ctx.arena = mc_arena_new();
	}
	for (i = 0; i < cfg->set->n; i++) {
		if (jobs[i].ctx.arena == NULL)
			continue;
		jobs[i].started = pthread_create(&jobs[i].thread, NULL,
		    job_run, &jobs[i]) == 0;
		if (!jobs[i].started)
			job_run(&jobs[i]);
	}
	for (i = 0; i < cfg->set->n; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].thread, NULL);
		if (jobs[i].ctx.arena == NULL)
			mc_finding_add(&rep->results[i], MC_F_INTERNAL_ERROR,
			    NULL, "out of memory");
		mc_arena_free(jobs[i].ctx.arena);
		rep->results[i].status = mc_result_worst(&rep->results[i]);
		if (rep->results[i].status > rep->status)
			rep->status = rep->results[i].status;
	}
	free(jobs);
	mc_dns_session_end(cfg->dns, session);
	rep->duration_ms = (long)((mc_now() - start) * 1000.0 + 0.5);
	return 0;
}
