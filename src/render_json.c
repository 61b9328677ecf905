/* SPDX-License-Identifier: ISC */
/*
 * src/render_json.c - the report as JSON (docs/report.schema.json)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/report.h"
#include "mailcheck/util.h"
#include "banned.h"

/* An escaped JSON string of s (which may be NULL: JSON null). */
static json_t *
str(const char *s)
{
	if (s == NULL)
		return json_null();
	return mc_json_dns_string(s, strlen(s));
}

static json_t *
finding_json(const struct mc_finding *f)
{
	const struct mc_finding_def *def = mc_finding_def(f->id);
	const char *hint = f->hint != NULL ? f->hint : def->hint;
	json_t *o;

	o = json_pack("{s:s, s:s, s:o, s:o, s:s}",
	    "code", def->code,
	    "severity", mc_status_str(f->severity),
	    "subject", str(f->subject),
	    "message", str(f->message),
	    "spec", def->spec);
	if (o != NULL && hint != NULL)
		json_object_set_new(o, "hint", str(hint));
	return o;
}

/*
 * Whole numbers as integers, the rest as reals; NULL for NaN and the
 * infinities, which JSON cannot hold (the metric is left out).  The range
 * test comes first: converting a double outside it to an integer is
 * undefined behaviour.
 */
static json_t *
metric_json(double v)
{
	if (!isfinite(v))
		return NULL;
	if (fabs(v) <= 9007199254740992.0 && v == trunc(v))
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *
result_json(const struct mc_result *r)
{
	json_t *o, *findings, *metrics, *m;
	size_t i;

	findings = json_array();
	metrics = json_object();
	for (i = 0; i < r->nfindings; i++)
		json_array_append_new(findings, finding_json(&r->findings[i]));
	for (i = 0; i < r->nmetrics; i++) {
		m = metric_json(r->metrics[i].value);
		if (m != NULL)
			json_object_set_new(metrics, r->metrics[i].name, m);
	}
	o = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o}",
	    "name", r->check,
	    "status", mc_status_str(r->status),
	    "duration_ms", (json_int_t)r->duration_ms,
	    "findings", findings,
	    "metrics", metrics,
	    "data", r->data != NULL ? json_incref(r->data) : json_object());
	if (o != NULL && r->summary != NULL)
		json_object_set_new(o, "summary", str(r->summary));
	return o;
}

json_t *
mc_report_json(const struct mc_report *rep)
{
	json_t *doc, *checks;
	size_t i;

	checks = json_array();
	for (i = 0; i < rep->nresults; i++)
		json_array_append_new(checks, result_json(&rep->results[i]));
	doc = json_pack("{s:i, s:s, s:o, s:s, s:I, s:o}",
	    "schema_version", MC_SCHEMA_VERSION,
	    "mailcheck_version", MC_VERSION,
	    "domain", str(rep->domain),
	    "status", mc_status_str(rep->status),
	    "duration_ms", (json_int_t)rep->duration_ms,
	    "checks", checks);
	if (doc != NULL && rep->changes != NULL &&
	    json_object_set(doc, "changes", rep->changes) == -1) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int
mc_render_json(FILE *out, const struct mc_report *rep, int compact)
{
	json_t *doc;
	int rc;

	char *text;
	size_t len;

	doc = mc_report_json(rep);
	if (doc == NULL)
		return -1;
	/*
	 * Into memory, then one write: json_dumpf() writes token by token,
	 * a locked stdio call each, several times the cost of the document.
	 */
	text = json_dumps(doc, (compact ? JSON_COMPACT : JSON_INDENT(2)) |
	    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(doc);
	if (text == NULL)
		return -1;
	len = strlen(text);
	text[len] = '\n';
	rc = fwrite(text, 1, len + 1, out) == len + 1 ? 0 : -1;
	free(text);
	return rc;
}
