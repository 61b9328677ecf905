/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/check.h - the life of a check, and how to add one
 *
 * The life of a check.  The runner validates and normalises the domain, opens
 * the DNS layer, and starts every selected check at once, each in its own
 * thread with its own arena and an empty struct mc_result.  A check's run()
 * asks DNS through ctx->dns (mc_dns_lookup, mc_dns_lookup_batch: blocking
 * for this thread, shared cache underneath, so checks that ask the same
 * question cost one query), appends findings, metrics and data to
 * ctx->result, and returns 0.  It never prints and never exits.  Returning
 * -1 means "I broke": the runner adds an internal-error finding and the run
 * goes on.  A finding that judges a metric's value (too many SPF lookups,
 * a weak key) is tied to it with mc_finding_metric(), so that --warning
 * and --critical thresholds on that metric decide its severity.  The
 * runner times the check and sets its status from the worst finding.
 * Everything allocated from ctx->arena is freed after the run.
 *
 * Adding a check, the checklist (tests/unit/test_registry.c enforces what
 * it can):
 *   1. checks/<name>.c exporting only `const struct mc_check mc_check_<name>`
 *      with designated initializers; everything else static.
 *   2. A row in the registry, src/registry.c (order is report order).
 *   3. Its finding codes in include/mailcheck/findings.def, prefixed
 *      "<name>.", each with severity, spec reference and hint.
 *   4. Fixtures under fixtures/<name>/ covering every finding code.
 *   5. docs/checks/<name>.md, and the finding codes in docs/findings.md.
 */
#ifndef MAILCHECK_CHECK_H
#define MAILCHECK_CHECK_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/dns.h"
#include "mailcheck/report.h"

/* Flags: what a check needs from the runner. */
#define MC_CHECK_NEEDS_DNS (1 << 0) /* asks DNS (every check so far) */
#define MC_CHECK_DEFAULT (1 << 1)   /* part of the full check by default */

struct mc_dnsbl_list; /* mailcheck/dnsbl_zones.h */
struct mc_dkim_selector_list; /* mailcheck/dkim_selectors.h */

/* What the user asked for, shared read-only by every check. */
struct mc_options {
	const char *const *ips;       /* --ip, textual addresses */
	size_t nips;
	/* --dkim-selector, valid selectors (mc_dkim_selector_normalise);
	   all are asked: the CLI takes at most MC_DKIM_MAX_USER_SELECTORS */
	const char *const *selectors;
	size_t nselectors;
	/* blocklist zones: --dnsbl-config, --dnsbl-zone or data/dnsbl-zones;
	   NULL: the dnsbl check loads data/dnsbl-zones itself */
	const struct mc_dnsbl_list *dnsbl;
	/* the DKIM selectors guessed besides the user's: data/dkim-selectors,
	   loaded once by the CLI (an empty list: none guessed); NULL: the
	   dkim check loads data/dkim-selectors itself on every run and
	   reports a missing or malformed file as a dkim.selector-list
	   finding */
	const struct mc_dkim_selector_list *dkim_selectors;
};

struct mc_ctx {
	const char *domain;           /* normalised: lower case, no final dot */
	struct mc_dns *dns;
	struct mc_arena *arena;
	const struct mc_options *opts;
	struct mc_result *result;
};

struct mc_check {
	const char *name;     /* "mx": used in --checks and in the report */
	const char *summary;  /* one line for --list-checks */
	const char *rfc;      /* the main specifications */
	unsigned flags;
	int (*run)(struct mc_ctx *ctx); /* NULL: not built into this binary */
	/*
	 * Every metric the check may publish, NULL-terminated: thresholds
	 * (-w/-c) are checked against it, and the runner turns a metric not
	 * listed into an internal-error finding.
	 */
	const char *const *metrics;
};

/*
 * Report a failed lookup (TEMPFAIL or PERMFAIL answer) as a dns.tempfail or
 * dns.permfail finding about "name TYPE"; what names what was being looked
 * for ("MX records").  Returns 0 or -1.
 */
int mc_finding_dns(struct mc_result *r, const struct mc_dns_answer *ans,
    const char *what);
/* Is this answer a failure (TEMPFAIL or PERMFAIL)? */
int mc_dns_failed(const struct mc_dns_answer *ans);

/* The registry, NULL-terminated, in report order. */
extern const struct mc_check *const mc_checks[];
/* The check with this name, or NULL. */
const struct mc_check *mc_check_find(const char *name);

#endif
