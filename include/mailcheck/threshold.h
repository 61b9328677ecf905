/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/threshold.h - threshold ranges of the Monitoring Plugins guidelines
 *
 * A range is "[@][START:]END": START defaults to 0, "~" as START is minus
 * infinity, an empty END is plus infinity.  A value alerts when it lies
 * outside [START, END], or, with the leading "@", inside it.  So "10"
 * alerts above 10 or below 0, "10:" below 10, "~:10" above 10, "10:20"
 * outside 10..20 and "@10:20" inside 10..20.
 *
 * --warning and --critical take METRIC=RANGE, where METRIC is a perfdata
 * label "<check>_<metric>" (see src/render_nagios.c).
 */
#ifndef MAILCHECK_THRESHOLD_H
#define MAILCHECK_THRESHOLD_H

#include <stddef.h>

#include "mailcheck/report.h"

#define MC_METRIC_NAME_MAX 64   /* "<check>_<metric>" */
#define MC_RANGE_TEXT_MAX 64    /* a range as given */

struct mc_range {
	double start;     /* meaningless when start_inf */
	double end;       /* meaningless when end_inf */
	int start_inf;    /* START is minus infinity ("~") */
	int end_inf;      /* END is plus infinity (empty) */
	int inside;       /* "@": alert inside the range */
	char text[MC_RANGE_TEXT_MAX]; /* as given, for perfdata */
};

/*
 * Parse a range.  Returns 0, or -1 with a one-line reason in err
 * ("start 20 is greater than end 10").
 */
int mc_range_parse(const char *s, struct mc_range *r, char *err,
    size_t errsize);
/* Does value alert against r? 1 yes, 0 no. */
int mc_range_alert(const struct mc_range *r, double value);

/* One --warning or --critical. */
struct mc_threshold {
	char metric[MC_METRIC_NAME_MAX]; /* "<check>_<metric>" */
	enum mc_status severity;         /* MC_WARN or MC_CRIT */
	struct mc_range range;
};

/*
 * Parse "METRIC=RANGE" given to --warning (sev MC_WARN) or --critical
 * (MC_CRIT).  METRIC is lower-case letters, digits and '_' with a '_'
 * after the check's name.  Returns 0, or -1 with a reason in err.
 */
int mc_threshold_parse(const char *s, enum mc_status sev,
    struct mc_threshold *t, char *err, size_t errsize);

/*
 * Does t name a metric of a registered check (its label starts with the
 * label form of a check's name and '_')?  Returns 0, or -1 with a reason
 * in err.  Which metrics a check publishes depends on what it finds, so
 * the part after the check's name is not checked.
 */
int mc_threshold_known(const struct mc_threshold *t, char *err,
    size_t errsize);

/*
 * Write the label of a check's metric, "<check>_<metric>", to buf.
 * Returns 0, or -1 when it does not fit.
 */
int mc_metric_label(const char *check, const char *metric, char *buf,
    size_t size);

/*
 * Apply thresholds to a finished report.  For every metric with a
 * threshold the verdict is the worst range that alerts (or ok when none
 * does).  That verdict overrides the severity of the check's findings
 * tied to the metric (struct mc_finding.metric; findings that no longer
 * alert are kept as info); when no finding is tied to it and a range
 * alerts, a check.threshold finding is added.  Statuses are recomputed.
 * A threshold for a metric the report lacks changes nothing.  Returns 0,
 * or -1 when out of memory.
 */
int mc_thresholds_apply(struct mc_report *rep,
    const struct mc_threshold *t, size_t n);
/*
 * Apply thresholds on "time" (the run's seconds, the plugin's 'time'
 * perfdata): when one alerts, a result named "time" holding a
 * check.threshold finding is appended to rep, and its status raised.
 * Plugin mode only: the JSON report has no place for a result that is not
 * a check's.  Returns 0, or -1 when out of memory.
 */
int mc_thresholds_apply_time(struct mc_report *rep,
    const struct mc_threshold *t, size_t n, double seconds);

#endif
