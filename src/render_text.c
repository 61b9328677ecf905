/* SPDX-License-Identifier: ISC */
/*
 * src/render_text.c - the report for people at a terminal
 *
 * Checks are shown worst first, findings worst first within a check, each
 * with its fix and the specification it enforces.  Every string is escaped:
 * no byte from DNS reaches the terminal as a control character.
 *
 * Repeats collapse, as in the plugin's output: a check's DNS failures,
 * and its repeats of one finding without a verdict (eight blocklists
 * that failed their self-test), print as the first one with "and N more
 * like it" and their subjects; a failed question that an earlier check
 * showed already (the MX lookup seen by mx, rdns, dnsbl, smtp and dane)
 * prints as one line pointing there, without its fix again.  Bulk
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

/* Print s escaped. */
static void
put(FILE *out, const char *s)
{
	char *e;

	e = mc_escape_dup(s, strlen(s));
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



/* The DNS failures shown so far in a report, and under which check. */
struct shown {
	const struct mc_finding **f;
	const char **check;
	size_t n;
};

/* The check that showed a failure of f's question before, or NULL. */
static const char *
shown_before(const struct shown *sh, const struct mc_finding *f)
{
	size_t i;

	if (!mc_finding_dns_failed(f) || f->subject == NULL)
		return NULL;
	for (i = 0; i < sh->n; i++)
		if (sh->f[i]->id == f->id &&
		    strcmp(sh->f[i]->subject, f->subject) == 0)
			return sh->check[i];
	return NULL;
}

/*
 * The rest of f[i]'s group (marked in skip): "and N more like it, at
 * SUBJECT, ..." (at most MAX_SUBJECTS named) under the first.
 */
#define MAX_SUBJECTS 8
static void
group_rest(FILE *out, const struct mc_finding **f, size_t n, size_t i,
    char *skip)
{
	size_t j, more = 0, named = 0;

	for (j = i + 1; j < n; j++)
		if (!skip[j] && mc_findings_collapse(f[i], f[j]))
			more++;
	if (more == 0)
		return;
	fprintf(out, "          and %zu more like it%s", more,
	    mc_finding_dns_failed(f[i]) ? " (DNS questions that failed)" : "");
	for (j = i + 1; j < n; j++) {
		if (skip[j] || !mc_findings_collapse(f[i], f[j]))
			continue;
		skip[j] = 1;
		if (f[j]->subject == NULL)
			continue;
		if (named++ == MAX_SUBJECTS) {
			fputs(", ...", out);
			continue;
		}
		if (named > MAX_SUBJECTS)
			continue;
		fputs(named == 1 ? ", at " : ", ", out);
		put(out, f[j]->subject);
	}
	fputc('\n', out);
}

static void
render_result(FILE *out, const struct mc_result *r,
    const struct mc_render_opts *opts, struct shown *sh)
{
	const struct mc_finding **f;
	const struct mc_finding_def *def;
	const char *hint, *where;
	char *skip;
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
	skip = calloc(r->nfindings ? r->nfindings : 1, 1);
	if (f == NULL || skip == NULL) {
		free(f);
		free(skip);
		return;
	}
	for (i = 0; i < r->nfindings; i++)
		f[i] = &r->findings[i];
	qsort(f, r->nfindings, sizeof(*f), cmp_finding);
	for (i = 0; i < r->nfindings; i++) {
		if (skip[i])
			continue;
		def = mc_finding_def(f[i]->id);
		fputs("  ", out);
		label(out, f[i]->severity, opts->color);
		fputc(' ', out);
		put(out, f[i]->message);
		where = shown_before(sh, f[i]);
		if (where != NULL) {
			/* the same failed question, shown under an earlier
			   check: one line pointing there */
			fprintf(out, " (the failure shown under %s, %s)\n",
			    where, def->code);
			group_rest(out, f, r->nfindings, i, skip);
			continue;
		}
		fputc('\n', out);
		if (mc_finding_dns_failed(f[i]) && f[i]->subject != NULL) {
			const struct mc_finding **nf;
			const char **nc;

			nf = realloc(sh->f, (sh->n + 1) * sizeof(*nf));
			if (nf != NULL)
				sh->f = nf;
			nc = realloc(sh->check, (sh->n + 1) * sizeof(*nc));
			if (nc != NULL)
				sh->check = nc;
			if (nf != NULL && nc != NULL) {
				sh->f[sh->n] = f[i];
				sh->check[sh->n++] = r->check;
			}
		}
		if (f[i]->subject != NULL) {
			fputs("          at:   ", out);
			put(out, f[i]->subject);
			fputc('\n', out);
		}
		group_rest(out, f, r->nfindings, i, skip);
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
	free(skip);
	if (opts->verbose > 0)
		mc_render_text_detail(out, r, opts->verbose);
}

/*
 * An overlay run says once that its answers came from both the zone files
 * and the network, and how many from each.
 */
static void
sources(FILE *out, const json_t *dns)
{
	size_t i, nzone = 0, nnet = 0;
	const char *src;

	for (i = 0; i < json_array_size(dns); i++) {
		src = json_string_value(json_object_get(json_array_get(dns, i),
		    "source"));
		if (src != NULL && strcmp(src, "zone") == 0)
			nzone++;
		else if (src != NULL && strcmp(src, "network") == 0)
			nnet++;
	}
	if (dns != NULL)
		fprintf(out, "DNS: zone files over the network: %zu answer%s "
		    "from the zone files, %zu from the resolver\n", nzone,
		    nzone == 1 ? "" : "s", nnet);
}

int
mc_render_text(FILE *out, const struct mc_report *rep,
    const struct mc_render_opts *opts)
{
	const struct mc_result **r;
	struct shown sh = { .n = 0 };
	size_t i;

	fprintf(out, "%s", opts->color ? C_BOLD : "");
	put(out, rep->domain);
	fprintf(out, "%s  ", opts->color ? C_RESET : "");
	label(out, rep->status, opts->color);
	fprintf(out, " (%zu check%s, %ld ms)\n", rep->nresults,
	    rep->nresults == 1 ? "" : "s", rep->duration_ms);
	sources(out, rep->dns);
	fputc('\n', out);

	r = calloc(rep->nresults ? rep->nresults : 1, sizeof(*r));
	if (r == NULL)
		return -1;
	for (i = 0; i < rep->nresults; i++)
		r[i] = &rep->results[i];
	qsort(r, rep->nresults, sizeof(*r), cmp_result);
	for (i = 0; i < rep->nresults; i++)
		render_result(out, r[i], opts, &sh);
	free(r);
	free(sh.f);
	free(sh.check);
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
