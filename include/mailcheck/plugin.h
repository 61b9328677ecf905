/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/plugin.h - Nagios/Icinga plugin output (Monitoring Plugins
 * Development Guidelines)
 *
 * The first line is "MAILCHECK <STATE> - <domain>: <summary>", under
 * MC_NAGIOS_LINE_MAX characters, naming the worst problems.  Then one line
 * a finding (long output), and last the performance data after a '|':
 * 'time'=<seconds>s;;;0 and one 'label'=value;warn;crit for every metric
 * the checks published, labelled "<check>_<metric>" (mc_metric_label()).
 * Labels are unique in their first MC_PERF_LABEL_UNIQUE characters
 * (tests/unit/test_perfdata_labels.c proves it for the registry).
 */
#ifndef MAILCHECK_PLUGIN_H
#define MAILCHECK_PLUGIN_H

#include <stdio.h>

#include "mailcheck/report.h"
#include "mailcheck/threshold.h"

#define MC_NAGIOS_LINE_MAX 100 /* "about 80" in the guidelines; the issue's own example is 99 */
#define MC_PERF_LABEL_UNIQUE 19

struct mc_nagios_opts {
	int verbose;       /* -v: 0 problems only; 1 also info and passing
	                      checks' summaries; 2 also fixes and specs;
	                      3 also each check's data */
	const struct mc_threshold *thresholds; /* for perfdata warn;crit */
	size_t nthresholds;
	double elapsed;    /* seconds: the 'time' perfdata */
	double timeout;    /* -t in seconds, for the timeout message */
};

/*
 * The plugin state of a report: its status, except UNKNOWN when a check
 * did not finish before the deadline (a check.timeout finding).
 */
enum mc_status mc_nagios_state(const struct mc_report *rep);
/* "OK", "WARNING", "CRITICAL", "UNKNOWN" (info is OK). */
const char *mc_nagios_state_str(enum mc_status s);
/*
 * Write the first line (no newline) into buf: at most
 * MC_NAGIOS_LINE_MAX characters when size allows.
 */
void mc_nagios_first_line(const struct mc_report *rep,
    const struct mc_nagios_opts *o, char *buf, size_t size);
/* Write the whole plugin output.  Returns 0, or -1 on a write error. */
int mc_render_nagios(FILE *out, const struct mc_report *rep,
    const struct mc_nagios_opts *o);

#endif
