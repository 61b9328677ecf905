/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/runner.h - running checks on a domain
 *
 * A domain's checks run at once: the calling thread runs the first, and
 * a pool of worker threads (mailcheck/pool.h) the others, each job with
 * its own arena, reset and reused for the next domain.  A struct
 * mc_runner holds those jobs and arenas for one thread that runs domains
 * one after another (a bulk worker); mc_run_domain() is the one-off form.
 */
#ifndef MAILCHECK_RUNNER_H
#define MAILCHECK_RUNNER_H

#include <stddef.h>

#include "mailcheck/check.h"
#include "mailcheck/pool.h"
#include "mailcheck/report.h"

/* A selected check and what its setup() made. */
struct mc_checkset_entry {
	const struct mc_check *check;
	void *state;
};

/* The selected checks, in report order, set up for a run. */
struct mc_checkset {
	struct mc_checkset_entry *v;
	size_t n;
};

/*
 * Set up the n checks (in report order) for runs with opts: each check's
 * setup() once.  0, or -1 with the failing check's message in err (the
 * checks set up so far are torn down again, set is left empty).
 */
int mc_checkset_setup(struct mc_checkset *set,
    const struct mc_check *const *checks, size_t n,
    const struct mc_options *opts, char *err, size_t errsize);
/* Tear every check down and empty set; a zeroed set is fine. */
void mc_checkset_release(struct mc_checkset *set);

struct mc_run_config {
	const struct mc_checkset *set; /* the selection, set up */
	const struct mc_options *opts;
	struct mc_dns *dns;
	double deadline; /* absolute mc_now() seconds; 0: none */
	/*
	 * Workers for the checks, shared by every runner of a bulk run and
	 * sized with mc_run_pool_size() for all the checks that may be in
	 * flight at once (a smaller pool may make checks wait for each
	 * other's DNS).  NULL: each runner makes one of its own.
	 */
	struct mc_pool *pool;
};

/*
 * Parse a comma-separated list of check names into out (room for every
 * registered check), in registry order, without repeats.  Returns the count,
 * or -1 with a message naming the unknown check in err.
 */
int mc_checks_select(const char *list, const struct mc_check **out,
    size_t outsize, char *err, size_t errsize);

/* Workers a pool needs for parallel domains of nchecks checks at once. */
size_t mc_run_pool_size(size_t parallel, size_t nchecks);

struct mc_runner;
/*
 * A runner for cfg (copied; the checks, options, DNS handle and pool must
 * outlive it), used by one thread at a time.  NULL when out of memory.
 */
struct mc_runner *mc_runner_new(const struct mc_run_config *cfg);
void mc_runner_free(struct mc_runner *r);
/*
 * Run the checks on domain until deadline (absolute mc_now() seconds; 0:
 * none; cfg->deadline is not used) and fill rep, as mc_run_domain().
 */
int mc_runner_run(struct mc_runner *r, const char *domain, double deadline,
    struct mc_report *rep, char *err, size_t errsize);

/*
 * Run the selected checks on domain, all at once, and fill rep (release it
 * with mc_report_release()).  Returns 0, or -1 when the domain is not a
 * valid name (message in err; rep untouched).
 */
int mc_run_domain(const struct mc_run_config *cfg, const char *domain,
    struct mc_report *rep, char *err, size_t errsize);

#endif
