/* SPDX-License-Identifier: ISC */
/*
 * src/render_nagios.c - the report as a Nagios/Icinga plugin's output
 *
 * Follows the Monitoring Plugins Development Guidelines: a short first line
 * with the state and the worst problems, long output (one line a finding),
 * and performance data in the 'label'=value[UOM];warn;crit;min;max syntax
 * after a '|'.  Every string is escaped and '|' in text becomes '/', so
 * DNS content can neither reach the terminal raw nor forge perfdata.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/plugin.h"
#include "mailcheck/util.h"
#include "banned.h"

/* Escaped text without '|': malloc'ed, or NULL. */
static char *
clean(const char *s)
{
	char *e, *p;

	e = mc_escape_dup(s, strlen(s));
	if (e == NULL)
		return NULL;
	for (p = e; *p != '\0'; p++)
		if (*p == '|')
			*p = '/';
	return e;
}

static int
timed_out(const struct mc_result *r)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].id == MC_F_CHECK_TIMEOUT)
			return 1;
	return 0;
}

enum mc_status
mc_nagios_state(const struct mc_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nresults; i++)
		if (timed_out(&rep->results[i]))
			return MC_UNKNOWN;
	return rep->status;
}

const char *
mc_nagios_state_str(enum mc_status s)
{
	switch (s) {
	case MC_OK:
	case MC_INFO:
		return "OK";
	case MC_WARN:
		return "WARNING";
	case MC_CRIT:
		return "CRITICAL";
	case MC_UNKNOWN:
		return "UNKNOWN";
	}
	return "UNKNOWN";
}

/* Plugin order of severity: critical, unknown, warning, info, ok. */
static int
rank(enum mc_status s)
{
	switch (s) {
	case MC_CRIT:
		return 4;
	case MC_UNKNOWN:
		return 3;
	case MC_WARN:
		return 2;
	case MC_INFO:
		return 1;
	case MC_OK:
		return 0;
	}
	return 0;
}

struct item {
	const struct mc_result *r;
	const struct mc_finding *f;
};

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (rank(x->f->severity) != rank(y->f->severity))
		return rank(x->f->severity) > rank(y->f->severity) ? -1 : 1;
	return x->f < y->f ? -1 : x->f > y->f;
}

/*
 * The headline of a message for the first line: up to its first " (",
 * "; " or ": ", where the details begin (the long output has them).
 */
static void
headline(char *text)
{
	static const char *const seps[] = { " (", "; ", ": " };
	char *p, *cut = NULL;
	size_t i;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		p = strstr(text, seps[i]);
		if (p != NULL && p > text && (cut == NULL || p < cut))
			cut = p;
	}
	if (cut != NULL)
		*cut = '\0';
}

/* Every finding of the report, worst first; *n set.  NULL: no memory. */
static struct item *
sorted_findings(const struct mc_report *rep, size_t *n)
{
	struct item *it;
	size_t i, j, count = 0;

	for (i = 0; i < rep->nresults; i++)
		count += rep->results[i].nfindings;
	it = calloc(count > 0 ? count : 1, sizeof(*it));
	if (it == NULL)
		return NULL;
	count = 0;
	for (i = 0; i < rep->nresults; i++)
		for (j = 0; j < rep->results[i].nfindings; j++) {
			it[count].r = &rep->results[i];
			it[count].f = &rep->results[i].findings[j];
			count++;
		}
	qsort(it, count, sizeof(*it), cmp_item);
	*n = count;
	return it;
}

/* Append s to buf (length *len, size size) if it fits; 1 if it did. */
static int
append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		return 0;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 1;
}

void
mc_nagios_first_line(const struct mc_report *rep,
    const struct mc_nagios_opts *o, char *buf, size_t size)
{
	enum mc_status state = mc_nagios_state(rep);
	struct item *it = NULL;
	char more[32], *dom, *text;
	size_t i, n = 0, len, limit, shown = 0, problems = 0, notes = 0;

	if (size == 0)
		return;
	limit = size < MC_NAGIOS_LINE_MAX + 1 ? size : MC_NAGIOS_LINE_MAX + 1;
	dom = clean(rep->domain != NULL ? rep->domain : "");
	snprintf(buf, limit, "MAILCHECK %s - %s: ", mc_nagios_state_str(state),
	    dom != NULL ? dom : "?");
	free(dom);
	len = strlen(buf);

	for (i = 0; i < rep->nresults && !timed_out(&rep->results[i]); i++)
		;
	if (i < rep->nresults) {
		/* a timeout outranks what the finished checks found */
		snprintf(more, sizeof(more), "timeout after %gs,", o->timeout);
		append(buf, limit, &len, more);
		append(buf, limit, &len, " unfinished:");
		for (i = 0; i < rep->nresults; i++) {
			if (!timed_out(&rep->results[i]))
				continue;
			/* " name", keeping room for " ..." */
			if (len + 1 + strlen(rep->results[i].check) + 4 >=
			    limit) {
				append(buf, limit, &len, " ...");
				break;
			}
			append(buf, limit, &len, " ");
			append(buf, limit, &len, rep->results[i].check);
		}
		return;
	}
	it = sorted_findings(rep, &n);
	if (it == NULL) {
		append(buf, limit, &len, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		if (it[i].f->severity >= MC_WARN)
			problems++;
		else if (it[i].f->severity == MC_INFO)
			notes++;
	}
	if (problems == 0) {
		snprintf(more, sizeof(more), "%zu check%s ok", rep->nresults,
		    rep->nresults == 1 ? "" : "s");
		append(buf, limit, &len, more);
		if (notes > 0) {
			snprintf(more, sizeof(more), ", %zu note%s", notes,
			    notes == 1 ? "" : "s");
			append(buf, limit, &len, more);
		}
		free(it);
		return;
	}
	for (i = 0; i < problems; i++) {
		size_t room, tail, sep = shown > 0 ? 2 : 0;

		text = clean(it[i].f->message);
		if (text == NULL)
			break;
		headline(text);
		/* keep room for " (+N more)" when others follow */
		tail = i + 1 < problems ? (size_t)snprintf(more, sizeof(more),
		    " (+%zu more)", problems - shown - 1) : 0;
		room = limit - 1 - len;
		if (sep + strlen(text) + tail > room && it[i].f->brief != NULL) {
			/* the finding's few words instead */
			free(text);
			text = clean(it[i].f->brief);
			if (text == NULL)
				break;
		}
		if (sep + strlen(text) + tail <= room) {
			if (shown > 0)
				append(buf, limit, &len, "; ");
			append(buf, limit, &len, text);
			shown++;
		} else if (shown == 0 && room > tail + 4) {
			/* the worst problem, shortened */
			text[room - tail - 3] = '\0';
			append(buf, limit, &len, text);
			append(buf, limit, &len, "...");
			shown++;
		}
		free(text);
		if (shown <= i)
			break;
	}
	if (shown < problems) {
		snprintf(more, sizeof(more), " (+%zu more)", problems - shown);
		append(buf, limit, &len, more);
	}
	free(it);
}

static const char *
tag(enum mc_status s)
{
	switch (s) {
	case MC_OK:
		return "[OK]";
	case MC_INFO:
		return "[INFO]";
	case MC_WARN:
		return "[WARNING]";
	case MC_CRIT:
		return "[CRITICAL]";
	case MC_UNKNOWN:
		return "[UNKNOWN]";
	}
	return "[?]";
}

/* Print s cleaned. */
static void
put(FILE *out, const char *s)
{
	char *c;

	c = clean(s);
	fputs(c != NULL ? c : "(out of memory)", out);
	free(c);
}

/* A perfdata number: digits, '.', '-' only (no exponent). */
static void
put_number(FILE *out, double v)
{
	char buf[64];
	size_t n;

	if (!isfinite(v))
		v = 0;
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(out, "%.0f", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%.6f", v);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	fputs(buf, out);
}

/* The first range given for label at severity sev, or "". */
static const char *
range_for(const struct mc_nagios_opts *o, const char *label,
    enum mc_status sev)
{
	size_t i;

	for (i = 0; i < o->nthresholds; i++)
		if (o->thresholds[i].severity == sev &&
		    strcmp(o->thresholds[i].metric, label) == 0)
			return o->thresholds[i].range.text;
	return "";
}

static void
long_output(FILE *out, const struct mc_report *rep,
    const struct mc_nagios_opts *o, const struct item *it, size_t n)
{
	const struct mc_finding_def *def;
	const char *hint;
	char *data;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (it[i].f->severity < MC_WARN && o->verbose < 1)
			continue;
		def = mc_finding_def(it[i].f->id);
		fprintf(out, "%s %s: ", tag(it[i].f->severity), it[i].r->check);
		put(out, it[i].f->message);
		fprintf(out, " (%s", def->code);
		if (it[i].f->subject != NULL) {
			fputs(" at ", out);
			put(out, it[i].f->subject);
		}
		fputs(")\n", out);
		if (o->verbose < 2)
			continue;
		hint = it[i].f->hint != NULL ? it[i].f->hint : def->hint;
		if (hint != NULL) {
			fputs("    fix: ", out);
			put(out, hint);
			fputc('\n', out);
		}
		if (*def->spec != '\0')
			fprintf(out, "    see: %s\n", def->spec);
	}
	for (i = 0; i < rep->nresults; i++) {
		const struct mc_result *r = &rep->results[i];

		/* passing checks always get a line; the others at -v */
		if (o->verbose < 1 && r->status > MC_INFO)
			continue;
		fprintf(out, "%s %s", tag(r->status), r->check);
		if (r->summary != NULL) {
			fputs(": ", out);
			put(out, r->summary);
		}
		fprintf(out, " (%ld ms)\n", r->duration_ms);
		if (o->verbose >= 3 && r->data != NULL) {
			data = json_dumps(r->data, JSON_COMPACT |
			    JSON_PRESERVE_ORDER);
			if (data != NULL) {
				fputs("    data: ", out);
				put(out, data);
				fputc('\n', out);
				free(data);
			}
		}
		for (j = 0; o->verbose >= 3 && j < r->nmetrics; j++) {
			fprintf(out, "    metric %s: ", r->metrics[j].name);
			put_number(out, r->metrics[j].value);
			fputc('\n', out);
		}
	}
}

static void
perfdata(FILE *out, const struct mc_report *rep,
    const struct mc_nagios_opts *o)
{
	char label[MC_METRIC_NAME_MAX];
	const char *warn, *crit;
	size_t i, j;

	fprintf(out, "| 'time'=%.3fs;%s;%s;0", o->elapsed,
	    range_for(o, "time", MC_WARN), range_for(o, "time", MC_CRIT));
	for (i = 0; i < rep->nresults; i++) {
		const struct mc_result *r = &rep->results[i];

		for (j = 0; j < r->nmetrics; j++) {
			if (mc_metric_label(r->check, r->metrics[j].name, label,
			    sizeof(label)) == -1)
				continue;
			fprintf(out, " '%s'=", label);
			put_number(out, r->metrics[j].value);
			warn = range_for(o, label, MC_WARN);
			crit = range_for(o, label, MC_CRIT);
			/* trailing empty fields may be dropped */
			if (*crit != '\0')
				fprintf(out, ";%s;%s", warn, crit);
			else if (*warn != '\0')
				fprintf(out, ";%s", warn);
		}
	}
	fputc('\n', out);
}

int
mc_render_nagios(FILE *out, const struct mc_report *rep,
    const struct mc_nagios_opts *o)
{
	char first[MC_NAGIOS_LINE_MAX + 1];
	struct item *it;
	size_t n = 0;

	mc_nagios_first_line(rep, o, first, sizeof(first));
	fputs(first, out);
	fputc('\n', out);
	it = sorted_findings(rep, &n);
	if (it != NULL)
		long_output(out, rep, o, it, n);
	free(it);
	perfdata(out, rep, o);
	return ferror(out) ? -1 : 0;
}
