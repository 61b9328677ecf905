/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/runner.h - running checks on a domain
 */
#ifndef MAILCHECK_RUNNER_H
#define MAILCHECK_RUNNER_H

#include <stddef.h>

#include "mailcheck/check.h"
#include "mailcheck/report.h"

struct mc_run_config {
	const struct mc_check *const *checks; /* the selection, in report order */
	size_t nchecks;
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
