/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/check.h - the life of a check, and how to add one
 *
 * The life of a check.  Once per process, before the first domain, the
 * runner calls every selected check's setup() (mc_checkset_setup()): the
 * check loads what it owns (a zone list, a selector list, the Public Suffix
 * List, a trust anchor, a connection handle) from the user's raw options
 * into a state of its own; a setup that fails stops the run before it
 * starts, with its one-line message.  The state reaches every run() as
 * ctx->state, shared read-only by the runs of all domains (a check whose
 * state changes must lock it), and teardown() releases it at the end.
 * Nothing outside the check loads or names its data.
 *
 * For each domain the runner validates and normalises the name, opens a
 * DNS session, and starts every selected check at once, each with its own
 * arena and an empty struct mc_result.  A check's run()
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

/*
 * Flags: what a check needs from the runner.  A check that is not
 * MC_CHECK_DEFAULT runs only when --checks names it.  A check that is
 * MC_CHECK_NEEDS_NET connects to hosts other than DNS servers (HTTPS,
 * SMTP); in offline runs (opts->offline) it connects only to the hosts
 * --connect-to names and says so for the others.
 */
#define MC_CHECK_NEEDS_DNS (1 << 0) /* asks DNS (every check so far) */
#define MC_CHECK_DEFAULT (1 << 1)   /* part of the full check by default */
#define MC_CHECK_NEEDS_NET (1 << 2) /* connects beyond DNS */

/*
 * What the user asked for, as given (validated for syntax by the CLI),
 * shared read-only by every check.  Data a check derives from these
 * (a loaded list, a parsed file) is the check's own: see setup().
 */
struct mc_options {
	const char *const *ips;       /* --ip, textual addresses */
	size_t nips;
	/* --dkim-selector, valid selectors (mc_dkim_selector_normalise);
	   all are asked: the CLI takes at most MC_DKIM_MAX_USER_SELECTORS */
	const char *const *selectors;
	size_t nselectors;
	/* --dnsbl-zone (replaces the configured list), or NULL, 0 */
	const char *const *dnsbl_zones;
	size_t ndnsbl_zones;
	const char *dnsbl_config;     /* --dnsbl-config FILE, or NULL */
	/* --bimi-selector as given, unchecked: the bimi check's setup
	   validates them (a bad one fails the setup) */
	const char *const *bimi_selectors;
	size_t nbimi_selectors;

	/* connections other than DNS (HTTPS, SMTP) */
	const char *const *connect_to; /* --connect-to HOST:PORT:ADDR:PORT */
	size_t nconnect_to;
	const char *ca_file;          /* --ca-file; NULL: system trust store */
	const char *http_root;        /* --http-root DIR, or NULL */
	const char *helo_name;        /* --helo-name; NULL: the host name */
	int smtp_port;                /* --smtp-port; 0: 25 */
	int smtp_all_addresses;       /* --smtp-addresses all */
	const char *trust_anchor;     /* --trust-anchor FILE; NULL: built in */
	/* DNS answers come from zone files only: connect to no host but
	   those --connect-to names */
	int offline;
	/* bulk runs: the domains to check when known (0: unknown); a
	   Spamhaus DQS key is set (the key itself is the DNS layer's); where
	   a setup may tell the user one line before the run (NULL: nowhere) */
	size_t ndomains;
	int dqs_key;
	void (*notice)(const char *line);
};

struct mc_ctx {
	const char *domain;           /* normalised: lower case, no final dot */
	struct mc_dns_session *dns;   /* the run's: its deadline bounds lookups */
	struct mc_arena *arena;
	const struct mc_options *opts;
	struct mc_result *result;
	void *state;                  /* what the check's setup() made, or NULL */
	double deadline;              /* the run's, absolute mc_now() seconds;
	                                 0: none.  Connections end by then. */
};

struct mc_check {
	const char *name;     /* "mx": used in --checks and in the report */
	const char *summary;  /* one line for --list-checks */
	const char *rfc;      /* the main specifications */
	unsigned flags;
	/*
	 * Optional.  Load what the check owns from opts into *state (set
	 * to NULL before the call); 0, or -1 with a one-line message in
	 * err.  Called once per process, before any run.
	 */
	int (*setup)(const struct mc_options *opts, void **state, char *err,
	    size_t errsize);
	/* Optional.  Release what setup() made (called even for NULL). */
	void (*teardown)(void *state);
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
