/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/runner.h - running checks on a domain
 */
#ifndef MAILCHECK_RUNNER_H
#define MAILCHECK_RUNNER_H

#include <stddef.h>

#include "mailcheck/check.h"
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
};

/*
 * Parse a comma-separated list of check names into out (room for every
 * registered check), in registry order, without repeats.  Returns the count,
 * or -1 with a message naming the unknown check in err.
 */
int mc_checks_select(const char *list, const struct mc_check **out,
    size_t outsize, char *err, size_t errsize);

/*
 * Run the selected checks on domain, all at once, and fill rep (release it
 * with mc_report_release()).  Returns 0, or -1 when the domain is not a
 * valid name (message in err; rep untouched).
 */
int mc_run_domain(const struct mc_run_config *cfg, const char *domain,
    struct mc_report *rep, char *err, size_t errsize);

#endif
