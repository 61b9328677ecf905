/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/baseline.h - comparing a report with an earlier one (--baseline)
 *
 * A baseline is an earlier JSON report: one document, several, or JSON
 * Lines (bulk mode's output), keyed by domain.  The comparison yields a
 * "changes" array (docs/report.schema.json), each change an object with a
 * "kind":
 *   status            the domain's status: before, after
 *   finding-new       a finding (by code and subject) the baseline lacked:
 *                     check, code, subject, severity, message
 *   finding-resolved  a finding of the baseline that is gone: the same keys
 *   finding-changed   a finding in both whose severity changed: the same
 *                     keys, and before, after (severities)
 *   data-changed      a key of a check's data (records, hosts, keys,
 *                     listings) changed: check, key, before, after
 *   metric-changed    a metric changed: check, key, before, after
 *   check-new, check-removed   a check ran only now / only then: check
 *   domain-new        the baseline has no report for the domain
 * Every change has "worse": true for a change for the worse (the status
 * rose, a new finding of warn or worse, a finding's severity rose: a new
 * listing is a new crit finding), which --fail-on change fails on;
 * improvements and neutral changes are listed with false.
 */
#ifndef MAILCHECK_BASELINE_H
#define MAILCHECK_BASELINE_H

#include <stdio.h>

#include <jansson.h>

/*
 * Load a baseline file: an object mapping each domain to its document (new
 * reference).  NULL with a one-line reason naming the file in err when it
 * cannot be read, is not JSON, or holds a document of another schema
 * version.
 */
json_t *mc_baseline_load(const char *path, char *err, size_t errsize);
/*
 * The changes from before (a report document, or NULL when the baseline
 * has none for the domain) to after: a new array, or NULL (no memory).
 */
json_t *mc_changes(const json_t *before, const json_t *after);
/* How many of the changes are for the worse. */
size_t mc_changes_worse(const json_t *changes);
/*
 * The changes for people, one a line, indented, those for the worse
 * marked "!"; changed data is shown leaf by leaf (path: before -> after),
 * a long string cut to the part that differs.  0 or -1 (write error).
 */
int mc_render_changes_text(FILE *out, const json_t *changes);

#endif
