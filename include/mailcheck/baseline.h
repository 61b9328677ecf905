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
 *   data-changed      a key of a check's data (records, hosts, keys,
 *                     listings) changed: check, key, before, after
 *   metric-changed    a metric changed: check, key, before, after
 *   check-new, check-removed   a check ran only now / only then: check
 *   domain-new        the baseline has no report for the domain
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
/* The changes for people, one a line, indented; 0 or -1 (write error). */
int mc_render_changes_text(FILE *out, const json_t *changes);

#endif
