/* SPDX-License-Identifier: ISC */
/*
 * src/render_text.c - the report for people at a terminal
 *
 * Checks are shown worst first, findings worst first within a check, each
 * with its fix and the specification it enforces.  Every string is escaped:
 * no byte from DNS reaches the terminal as a control character.  Bulk
 * mode's one line a domain (mc_render_text_line()) is here too: its status,
 * name and worst finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/report.h"
#include "mailcheck/util.h"
#include "banned.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *
status_color(enum mc_status s)
{
	switch (s) {
	case MC_OK:
		return "\033[32m";
	case MC_INFO:
		return "\033[36m";
	case MC_WARN:
		return "\033[33m";
	case MC_CRIT:
		return "\033[31;1m";
	case MC_UNKNOWN:
		return "\033[35m";
	}
	return "";
}

static const char *
status_label(enum mc_status s)
{
	switch (s) {
	case MC_OK:
		return "OK";
	case MC_INFO:
		return "INFO";
	case MC_WARN:
		return "WARN";
	case MC_CRIT:
		return "CRIT";
	case MC_UNKNOWN:
		return "UNKNOWN";
	}
	return "?";
}

/* Print report text s (mc_safe_dup(): nothing escaped twice). */
static void
put(FILE *out, const char *s)
{
	char *e;

	e = mc_safe_dup(s, strlen(s));
	if (e == NULL) {
		fputs("(out of memory)", out);
		return;
	}
	fputs(e, out);
	free(e);
}

static void
label(FILE *out, enum mc_status s, int color)
{
	if (color)
		fprintf(out, "%s%-7s%s", status_color(s), status_label(s), C_RESET);
	else
		fprintf(out, "%-7s", status_label(s));
}

static int
cmp_result(const void *a, const void *b)
{
	const struct mc_result *x = *(const struct mc_result *const *)a;
	const struct mc_result *y = *(const struct mc_result *const *)b;

	if (x->status != y->status)
		return x->status > y->status ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct mc_finding *x = *(const struct mc_finding *const *)a;
	const struct mc_finding *y = *(const struct mc_finding *const *)b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void
render_result(FILE *out, const struct mc_result *r,
    const struct mc_render_opts *opts)
{
	const struct mc_finding **f;
	const struct mc_finding_def *def;
	const char *hint;
	size_t i;

	label(out, r->status, opts->color);
	fprintf(out, " %s%s%s", opts->color ? C_BOLD : "", r->check,
	    opts->color ? C_RESET : "");
	if (r->summary != NULL) {
		fputs(": ", out);
		put(out, r->summary);
	}
	fputc('\n', out);

	f = calloc(r->nfindings ? r->nfindings : 1, sizeof(*f));
	if (f == NULL)
		return;
	for (i = 0; i < r->nfindings; i++)
		f[i] = &r->findings[i];
	qsort(f, r->nfindings, sizeof(*f), cmp_finding);
	for (i = 0; i < r->nfindings; i++) {
		def = mc_finding_def(f[i]->id);
		fputs("  ", out);
		label(out, f[i]->severity, opts->color);
		fputc(' ', out);
		put(out, f[i]->message);
		fputc('\n', out);
		if (f[i]->subject != NULL) {
			fputs("          at:   ", out);
			put(out, f[i]->subject);
			fputc('\n', out);
		}
		hint = f[i]->hint != NULL ? f[i]->hint : def->hint;
		if (hint != NULL) {
			fputs("          fix:  ", out);
			put(out, hint);
			fputc('\n', out);
		}
		fprintf(out, "          %s%s%s%s%s\n", opts->color ? C_DIM : "",
		    def->code, *def->spec != '\0' ? ", " : "", def->spec,
		    opts->color ? C_RESET : "");
	}
	free(f);
	if (opts->verbose > 0)
		mc_render_text_detail(out, r, opts->verbose);
}

int
mc_render_text(FILE *out, const struct mc_report *rep,
    const struct mc_render_opts *opts)
{
	const struct mc_result **r;
	size_t i;

	fprintf(out, "%s", opts->color ? C_BOLD : "");
	put(out, rep->domain);
	fprintf(out, "%s  ", opts->color ? C_RESET : "");
	label(out, rep->status, opts->color);
	fprintf(out, " (%zu check%s, %ld ms)\n\n", rep->nresults,
	    rep->nresults == 1 ? "" : "s", rep->duration_ms);

	r = calloc(rep->nresults ? rep->nresults : 1, sizeof(*r));
	if (r == NULL)
		return -1;
	for (i = 0; i < rep->nresults; i++)
		r[i] = &rep->results[i];
	qsort(r, rep->nresults, sizeof(*r), cmp_result);
	for (i = 0; i < rep->nresults; i++)
		render_result(out, r[i], opts);
	free(r);
	return ferror(out) ? -1 : 0;
}

/* The worst finding of a report, for one-line output; NULL if none. */
static const struct mc_finding *
worst_finding(const struct mc_report *rep, const char **check, size_t *count)
{
	const struct mc_finding *w = NULL, *f;
	size_t i, j;

	*count = 0;
	for (i = 0; i < rep->nresults; i++) {
		for (j = 0; j < rep->results[i].nfindings; j++) {
			f = &rep->results[i].findings[j];
			if (f->severity < MC_WARN)
				continue;
			(*count)++;
			if (w == NULL || f->severity > w->severity) {
				w = f;
				*check = rep->results[i].check;
			}
		}
	}
	return w;
}

int
mc_render_text_line(FILE *out, const struct mc_report *rep)
{
	const struct mc_finding *f;
	const char *check = "";
	size_t n, nchanges = json_array_size(rep->changes);

	fprintf(out, "%-7s ", mc_status_str(rep->status));
	put(out, rep->domain);
	f = worst_finding(rep, &check, &n);
	if (f != NULL) {
		fprintf(out, "  %s: ", check);
		put(out, f->message);
		fprintf(out, " (%s)", mc_finding_def(f->id)->code);
		if (n > 1)
			fprintf(out, " (+%zu more)", n - 1);
	}
	if (nchanges > 0)
		fprintf(out, " [%zu change%s]", nchanges,
		    nchanges == 1 ? "" : "s");
	fputc('\n', out);
	if (fflush(out) == EOF)
		return -1;
	return ferror(out) ? -1 : 0;
}
