/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/report.h - the report model: statuses, findings, results
 *
 * A check appends findings, metrics and raw data to its struct mc_result and
 * never prints.  Renderers (src/render_*.c) walk finished reports.  Strings
 * stored in a result are copies owned by the result, in presentation form:
 * DNS names as the DNS layer gives them, other outside content escaped
 * once as it enters (the rule is in mailcheck/escape.h).
 *
 * An error sticks until someone looks (curl's CURLcode, OpenSMTPD's
 * unpack cursor): a finding, metric, summary or decoration that cannot be
 * recorded (out of memory) is counted in the result, a decoration after a
 * failed add does nothing (it would land on the wrong finding), and the
 * runner's mc_result_settle() turns the count into one internal-error
 * finding.  Checks may therefore ignore what these calls return.
 */
#ifndef MAILCHECK_REPORT_H
#define MAILCHECK_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Numeric order is severity order: a maximum is the worst. */
enum mc_status {
	MC_OK,
	MC_INFO,
	MC_WARN,
	MC_UNKNOWN, /* no verdict: worse than a warning, better than critical */
	MC_CRIT,
};

/* "ok", "info", "warn", "crit", "unknown" */
const char *mc_status_str(enum mc_status s);
/* Exit code for a report status: 0 ok/info, 1 warn, 2 crit, 3 unknown. */
int mc_status_exit(enum mc_status s);

enum mc_finding_id {
#define MC_FINDING(id, code, sev, spec, hint) MC_F_##id,
#include "mailcheck/findings.def"
#undef MC_FINDING
	MC_F__COUNT
};

struct mc_finding_def {
	const char *code;
	enum mc_status severity;
	const char *spec;
	const char *hint; /* NULL: none */
};

/* The definition of a finding id. */
const struct mc_finding_def *mc_finding_def(enum mc_finding_id id);
/* The definition with this code, or NULL. */
const struct mc_finding_def *mc_finding_def_by_code(const char *code);
/* All definitions, MC_F__COUNT of them. */
const struct mc_finding_def *mc_finding_defs(void);

struct mc_finding {
	enum mc_finding_id id;
	enum mc_status severity;
	char *subject; /* the record, name, IP or zone concerned; may be NULL */
	char *message;
	char *hint;    /* NULL: the definition's hint */
	char *brief;   /* a few words for the plugin's first line when the
	                  message's headline does not fit ("DKIM mail 1024
	                  bit"), or NULL */
	const char *metric; /* the metric whose value this finding judges
	                       (static, see mc_finding_metric()), or NULL */
};

struct mc_metric {
	char *name;
	double value;
};

struct mc_result {
	const char *check;      /* the check's name (static) */
	enum mc_status status;  /* worst finding, or set by the runner */
	long duration_ms;
	struct mc_finding *findings;
	size_t nfindings;
	struct mc_metric *metrics;
	size_t nmetrics;
	json_t *data;           /* the raw data the check saw (owned) */
	char *summary;          /* one line on what was seen, or NULL */
	size_t nlost;           /* sticky: additions and decorations that
	                           could not be recorded (mc_result_settle()) */
	int last_lost;          /* the last finding could not be added: its
	                           decorations are dropped */
};

struct mc_report {
	char *domain;
	enum mc_status status;
	long duration_ms;
	struct mc_result *results;
	size_t nresults;
	json_t *changes;        /* --baseline: the changes array
	                           (mailcheck/baseline.h; owned), or NULL */
	json_t *dns;            /* an overlay run (zone files over a
	                           resolver): every answer the run was given,
	                           [{name, type, status, source}] (owned),
	                           else NULL */
};

/*
 * Findings and summaries hold text as the check wrote it: DNS names in
 * presentation form, record content quoted with mc_quote(); renderers
 * print every string through mc_safe_dup(), which escapes nothing twice.
 *
 * Append a finding with the default severity of id.  subject may be NULL.
 * Returns 0, or -1 when out of memory (or fmt cannot be formatted): then
 * r->nlost counts it and the decorations below do nothing until the next
 * finding is added.
 */
int mc_finding_add(struct mc_result *r, enum mc_finding_id id,
    const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with a severity other than the default. */
int mc_finding_add_sev(struct mc_result *r, enum mc_finding_id id,
    enum mc_status sev, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/*
 * Decorations of the last finding added.  Each returns 0, or -1 and does
 * nothing when that finding could not be added (or there is none, a bug
 * counted in r->nlost) or the decoration itself cannot be recorded (counted).
 *
 * A brief form (copied): a few words the plugin's first line uses when the
 * message's headline does not fit.
 */
int mc_finding_brief(struct mc_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Give the last finding added a specific hint (copied). */
int mc_finding_hint(struct mc_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Tie the last finding added to one of the result's metrics (metric is a
 * static string, not copied): --warning/--critical thresholds for that
 * metric then decide the finding's severity.
 */
int mc_finding_metric(struct mc_result *r, const char *metric);
/* Set the result's one-line summary (copied); -1 counted in r->nlost. */
int mc_result_summary(struct mc_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A JSON string of raw outside content (a TXT record, a header, a reply):
 * escaped with mc_escape() rules, so always valid (new reference, or NULL).
 * Not for a DNS name, which is presentation form already: mc_json_shown().
 */
json_t *mc_json_dns_string(const char *s, size_t len);
/*
 * A JSON string of report text (a DNS name, a message): mc_safe_dup()
 * rules, nothing escaped twice (new reference, or NULL for NULL or out of
 * memory).
 */
json_t *mc_json_shown(const char *s);
/*
 * An object of the key/value pairs given, in order, up to a NULL key:
 * json_pack("{s:o, ...}") without a format to parse (checks build one
 * for every host, term and zone of every domain).  Keys are ASCII the
 * program wrote.  Each value's reference is taken, also on failure; NULL
 * when a value is NULL or memory runs out.
 */
json_t *mc_json_object_of(const char *key, json_t *value, ...);
/* Set (or replace) a metric; -1 counted in r->nlost. */
int mc_metric_set(struct mc_result *r, const char *name, double value);
/* The metric's value in *value: 1 found, 0 not. */
int mc_metric_get(const struct mc_result *r, const char *name, double *value);

void mc_result_init(struct mc_result *r, const char *check);
void mc_result_release(struct mc_result *r);
/*
 * The worst severity of r's findings (MC_OK with none); at least
 * MC_UNKNOWN while r->nlost is not 0.
 */
enum mc_status mc_result_worst(const struct mc_result *r);
/*
 * Close a finished result: what was lost (r->nlost) becomes one
 * internal-error finding naming r->check, and r->status the worst
 * severity.  The runner calls it once per check run.
 */
void mc_result_settle(struct mc_result *r);

void mc_report_release(struct mc_report *rep);

/* Is f a failed DNS question (dns.tempfail, dns.permfail)?  1 or 0. */
int mc_finding_dns_failed(const struct mc_finding *f);
/*
 * Do two findings of one check collapse into one entry when rendered
 * (both DNS failures, or repeats of one code without a verdict)?  1 or 0.
 * The text and plugin renderers show such a group once, with a count.
 */
int mc_findings_collapse(const struct mc_finding *a,
    const struct mc_finding *b);

/* Renderers.  Each returns 0, or -1 on a write error. */
struct mc_render_opts {
	int color;   /* text: use ANSI colours */
	int verbose; /* text: 1 the SPF include tree, 2 also every record
	                seen, 3 also metrics (src/render_detail.c) */
};
int mc_render_text(FILE *out, const struct mc_report *rep,
    const struct mc_render_opts *opts);
/* What -v (1), -vv (2) and -vvv (3) add below a check's findings. */
void mc_render_text_detail(FILE *out, const struct mc_result *r, int verbose);
/*
 * Bulk mode's text: one line a domain, its status, name and worst finding
 * (with how many more), and the number of changes when rep->changes is
 * set.  Flushed, so that each line shows as its domain finishes.
 */
int mc_render_text_line(FILE *out, const struct mc_report *rep);
/*
 * The report as a JSON document (new reference), or NULL; with
 * rep->changes, a "changes" member last.  It is the text mc_render_json()
 * writes, read back: there is no other JSON path to the report.
 */
json_t *mc_report_json(const struct mc_report *rep);
/*
 * json: indented; jsonl: one line.  Both end with a newline.  This is how
 * every report reaches JSON output, single or bulk.
 */
int mc_render_json(FILE *out, const struct mc_report *rep, int compact);
/*
 * doc as text, as jansson's json_dumps() writes it with JSON_COMPACT
 * (compact) or JSON_INDENT(2), JSON_PRESERVE_ORDER and
 * JSON_REAL_PRECISION(10), without a final newline: a malloc'ed string of
 * *len bytes plus a NUL, or NULL when out of memory.
 */
char *mc_json_text(const json_t *doc, int compact, size_t *len);

#define MC_SCHEMA_VERSION 1

#endif
