/* SPDX-License-Identifier: ISC */
/*
 * src/report.c - findings, metrics and results
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/arena.h"
#include "mailcheck/escape.h"
#include "mailcheck/report.h"
#include "banned.h"

static const struct mc_finding_def defs[] = {
#define MC_FINDING(id, c, sev, sp, h) \
	[MC_F_##id] = { .code = c, .severity = sev, .spec = sp, .hint = h },
#include "mailcheck/findings.def"
#undef MC_FINDING
};

const char *
mc_status_str(enum mc_status s)
{
	switch (s) {
	case MC_OK:
		return "ok";
	case MC_INFO:
		return "info";
	case MC_WARN:
		return "warn";
	case MC_CRIT:
		return "crit";
	case MC_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

int
mc_status_exit(enum mc_status s)
{
	switch (s) {
	case MC_OK:
	case MC_INFO:
		return 0;
	case MC_WARN:
		return 1;
	case MC_CRIT:
		return 2;
	case MC_UNKNOWN:
		return 3;
	}
	return 3;
}

const struct mc_finding_def *
mc_finding_def(enum mc_finding_id id)
{
	return &defs[id];
}

const struct mc_finding_def *
mc_finding_def_by_code(const char *code)
{
	size_t i;

	for (i = 0; i < MC_F__COUNT; i++)
		if (strcmp(defs[i].code, code) == 0)
			return &defs[i];
	return NULL;
}

const struct mc_finding_def *
mc_finding_defs(void)
{
	return defs;
}

/* Count what could not be recorded; returns -1 for the caller to pass on. */
static int
lost(struct mc_result *r)
{
	r->nlost++;
	return -1;
}

static int
vadd(struct mc_result *r, enum mc_finding_id id, enum mc_status sev,
    const char *subject, const char *fmt, va_list ap)
{
	struct mc_finding *n, *f;

	r->last_lost = 1;
	n = realloc(r->findings, (r->nfindings + 1) * sizeof(*n));
	if (n == NULL)
		return lost(r);
	r->findings = n;
	f = &r->findings[r->nfindings];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = sev;
	f->message = mc_vasprintf(NULL, fmt, ap);
	if (f->message == NULL)
		return lost(r);
	if (subject != NULL && (f->subject = strdup(subject)) == NULL) {
		free(f->message);
		return lost(r);
	}
	r->nfindings++;
	r->last_lost = 0;
	return 0;
}

int
mc_finding_add(struct mc_result *r, enum mc_finding_id id, const char *subject,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vadd(r, id, defs[id].severity, subject, fmt, ap);
	va_end(ap);
	return rc;
}

int
mc_finding_add_sev(struct mc_result *r, enum mc_finding_id id,
    enum mc_status sev, const char *subject, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vadd(r, id, sev, subject, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The finding a decoration applies to: the last one added, or NULL when
 * its add failed (nothing to do, already counted) or there is none (a bug
 * in the caller, counted).
 */
static struct mc_finding *
decorated(struct mc_result *r)
{
	if (r->last_lost)
		return NULL;
	if (r->nfindings == 0) {
		lost(r);
		return NULL;
	}
	return &r->findings[r->nfindings - 1];
}

/* Replace *slot with the formatted text; 0, or -1 (counted in r). */
static int
replace_text(struct mc_result *r, char **slot, const char *fmt, va_list ap)
{
	char *s;

	s = mc_vasprintf(NULL, fmt, ap);
	if (s == NULL)
		return lost(r);
	free(*slot);
	*slot = s;
	return 0;
}

int
mc_finding_hint(struct mc_result *r, const char *fmt, ...)
{
	struct mc_finding *f;
	va_list ap;
	int rc;

	if ((f = decorated(r)) == NULL)
		return -1;
	va_start(ap, fmt);
	rc = replace_text(r, &f->hint, fmt, ap);
	va_end(ap);
	return rc;
}

int
mc_finding_brief(struct mc_result *r, const char *fmt, ...)
{
	struct mc_finding *f;
	va_list ap;
	int rc;

	if ((f = decorated(r)) == NULL)
		return -1;
	va_start(ap, fmt);
	rc = replace_text(r, &f->brief, fmt, ap);
	va_end(ap);
	return rc;
}

int
mc_finding_metric(struct mc_result *r, const char *metric)
{
	struct mc_finding *f;

	if ((f = decorated(r)) == NULL)
		return -1;
	f->metric = metric;
	return 0;
}

int
mc_result_summary(struct mc_result *r, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = replace_text(r, &r->summary, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * s escaped (mc_escape(), or mc_safe() when safe) as a JSON string: on the
 * stack when short, and without jansson's UTF-8 test, as the escaped form
 * is printable ASCII.
 */
static json_t *
json_escaped(const char *s, size_t len, int safe)
{
	char buf[2048], *e = buf;
	json_t *j;
	size_t n;

	if (len > (sizeof(buf) - 1) / 4) {
		e = malloc(4 * len + 1);
		if (e == NULL)
			return NULL;
	}
	n = mc_escape_into(e, s, len, safe);
	j = json_stringn_nocheck(e, n);
	if (e != buf)
		free(e);
	return j;
}

json_t *
mc_json_dns_string(const char *s, size_t len)
{
	return json_escaped(s, len, 0);
}

json_t *
mc_json_shown(const char *s)
{
	return s != NULL ? json_escaped(s, strlen(s), 1) : NULL;
}

json_t *
mc_json_object_of(const char *key, json_t *value, ...)
{
	json_t *o;
	va_list ap;
	int failed;

	o = json_object();
	failed = o == NULL;
	va_start(ap, value);
	while (key != NULL) {
		if (value == NULL)
			failed = 1;
		else if (failed)
			json_decref(value);
		else if (json_object_set_new_nocheck(o, key, value) == -1)
			failed = 1; /* value released */
		key = va_arg(ap, const char *);
		if (key != NULL)
			value = va_arg(ap, json_t *);
	}
	va_end(ap);
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
mc_metric_set(struct mc_result *r, const char *name, double value)
{
	struct mc_metric *n;
	size_t i;

	for (i = 0; i < r->nmetrics; i++) {
		if (strcmp(r->metrics[i].name, name) == 0) {
			r->metrics[i].value = value;
			return 0;
		}
	}
	n = realloc(r->metrics, (r->nmetrics + 1) * sizeof(*n));
	if (n == NULL)
		return lost(r);
	r->metrics = n;
	r->metrics[r->nmetrics].name = strdup(name);
	if (r->metrics[r->nmetrics].name == NULL)
		return lost(r);
	r->metrics[r->nmetrics].value = value;
	r->nmetrics++;
	return 0;
}

int
mc_metric_get(const struct mc_result *r, const char *name, double *value)
{
	size_t i;

	for (i = 0; i < r->nmetrics; i++) {
		if (strcmp(r->metrics[i].name, name) == 0) {
			*value = r->metrics[i].value;
			return 1;
		}
	}
	return 0;
}

void
mc_result_init(struct mc_result *r, const char *check)
{
	memset(r, 0, sizeof(*r));
	r->check = check;
}

void
mc_result_release(struct mc_result *r)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].subject);
		free(r->findings[i].message);
		free(r->findings[i].hint);
		free(r->findings[i].brief);
	}
	free(r->findings);
	for (i = 0; i < r->nmetrics; i++)
		free(r->metrics[i].name);
	free(r->metrics);
	json_decref(r->data);
	free(r->summary);
	memset(r, 0, sizeof(*r));
}

enum mc_status
mc_result_worst(const struct mc_result *r)
{
	enum mc_status worst = MC_OK;
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].severity > worst)
			worst = r->findings[i].severity;
	if (r->nlost > 0 && worst < MC_UNKNOWN)
		worst = MC_UNKNOWN;
	return worst;
}

void
mc_result_settle(struct mc_result *r)
{
	/* if even this fails, r->nlost keeps the status unknown */
	if (r->nlost > 0 && mc_finding_add(r, MC_F_INTERNAL_ERROR, NULL,
	    "the %s check could not record %zu of its findings, metrics or "
	    "details (out of memory)", r->check, r->nlost) == 0)
		r->nlost = 0;
	r->status = mc_result_worst(r);
}

void
mc_report_release(struct mc_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nresults; i++)
		mc_result_release(&rep->results[i]);
	free(rep->results);
	free(rep->domain);
	json_decref(rep->changes);
	json_decref(rep->dns);
	memset(rep, 0, sizeof(*rep));
}

int
mc_finding_dns_failed(const struct mc_finding *f)
{
	return f->id == MC_F_DNS_TEMPFAIL || f->id == MC_F_DNS_PERMFAIL;
}

int
mc_findings_collapse(const struct mc_finding *a, const struct mc_finding *b)
{
	if (mc_finding_dns_failed(a))
		return mc_finding_dns_failed(b);
	return a->id == b->id && a->severity == MC_UNKNOWN &&
	    b->severity == MC_UNKNOWN;
}
