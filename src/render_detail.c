/* SPDX-License-Identifier: ISC */
/*
 * src/render_detail.c - what -v, -vv and -vvv add to the text report
 *
 *   -v    the SPF include tree: each include with its lookup cost, and,
 *         when the policy is over the limit, which includes to cut
 *   -vv   also every record and value each check saw (its data, as in
 *         the JSON report, laid out for reading)
 *   -vvv  also each check's metrics
 *
 * Everything comes from the checks' data (the same the JSON report holds),
 * so this file knows the shape of the spf check's "tree" and nothing else;
 * every string is printed through mc_safe_fputs(), as in the rest of the
 * text report (the data holds presentation form: nothing escaped twice).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/limits.h"
#include "mailcheck/escape.h"
#include "mailcheck/report.h"
#include "mailcheck/util.h"
#include "banned.h"

#define DETAIL_DEPTH_MAX 8   /* nesting shown; deeper values are elided */
#define DETAIL_ITEMS_MAX 64  /* array items shown a level */

static void
indent(FILE *out, int n)
{
	fprintf(out, "%*s", n, "");
}

static long
int_of(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static const char *
str_of(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One node of the include tree and its includes, depth levels in. */
static void
spf_node(FILE *out, const json_t *node, int depth)
{
	const char *via = str_of(node, "via"), *dom = str_of(node, "domain");
	json_t *inc;
	size_t i;
	long own = int_of(node, "lookups"), all = int_of(node,
	    "total_lookups"), voids = int_of(node, "total_void_lookups");

	indent(out, 4 + 2 * depth);
	mc_safe_fputs(out, via != NULL ? via : dom != NULL ? dom : "?",
	    strlen(via != NULL ? via : dom != NULL ? dom : "?"));
	/* the include term itself is one lookup, counted by its parent */
	if (via != NULL)
		fprintf(out, "  costs %ld lookup%s (1 + %ld inside)", all + 1,
		    all + 1 == 1 ? "" : "s", all);
	else
		fprintf(out, "  %ld lookup%s here, %ld in all", own,
		    own == 1 ? "" : "s", all);
	if (voids > 0)
		fprintf(out, ", %ld void", voids);
	fputc('\n', out);
	if (depth >= DETAIL_DEPTH_MAX)
		return;
	json_array_foreach(json_object_get(node, "includes"), i, inc)
		spf_node(out, inc, depth + 1);
}

static int
cmp_cost(const void *a, const void *b)
{
	long x = int_of(*(json_t *const *)a, "total_lookups");
	long y = int_of(*(json_t *const *)b, "total_lookups");

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * Over the limit: the fewest of the root's includes whose removal brings
 * the count to MC_SPF_MAX_LOOKUPS, costliest first.
 */
static void
spf_cut(FILE *out, const json_t *tree)
{
	json_t *incs = json_object_get(tree, "includes"), *v[64];
	long total = int_of(tree, "total_lookups"), saved = 0;
	size_t i, n = 0, k;

	if (total <= MC_SPF_MAX_LOOKUPS)
		return;
	for (i = 0; i < json_array_size(incs) && n < 64; i++)
		v[n++] = json_array_get(incs, i);
	qsort(v, n, sizeof(v[0]), cmp_cost);
	for (k = 0; k < n && total - saved > MC_SPF_MAX_LOOKUPS; k++)
		saved += int_of(v[k], "total_lookups") + 1;
	if (total - saved > MC_SPF_MAX_LOOKUPS) {
		fprintf(out, "    %ld lookups, %d allowed: removing every "
		    "include is not enough; the record's own a, mx, ptr and "
		    "exists terms cost the rest\n", total, MC_SPF_MAX_LOOKUPS);
		return;
	}
	fprintf(out, "    %ld lookups, %d allowed: the costliest include%s to "
	    "cut or move to a subdomain: ", total, MC_SPF_MAX_LOOKUPS,
	    k == 1 ? "" : "s");
	for (i = 0; i < k; i++) {
		const char *via = str_of(v[i], "via");

		if (i > 0)
			fputs(", ", out);
		mc_safe_fputs(out, via != NULL ? via : "?",
		    strlen(via != NULL ? via : "?"));
		fprintf(out, " (%ld)", int_of(v[i], "total_lookups") + 1);
	}
	fprintf(out, " saves %ld\n", saved);
}

static void
spf_tree(FILE *out, const struct mc_result *r)
{
	json_t *tree = json_object_get(r->data, "tree");

	if (!json_is_object(tree))
		return;
	fputs("  SPF include tree:\n", out);
	spf_node(out, tree, 0);
	spf_cut(out, tree);
}

/* A value for reading: scalars on the key's line, containers below. */
static void
value(FILE *out, const char *key, json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;
	char *d;

	indent(out, 4 + 2 * depth);
	if (key != NULL) {
		mc_safe_fputs(out, key, strlen(key));
		fputs(":", out);
	} else
		fputs("-", out);
	if (json_is_string(v)) {
		fputc(' ', out);
		mc_safe_fputs(out, json_string_value(v), json_string_length(v));
		fputc('\n', out);
		return;
	}
	if (!json_is_object(v) && !json_is_array(v)) {
		d = json_dumps(v, JSON_ENCODE_ANY);
		fprintf(out, " %s\n", d != NULL ? d : "?");
		free(d);
		return;
	}
	if ((json_is_object(v) && json_object_size(v) == 0) ||
	    (json_is_array(v) && json_array_size(v) == 0)) {
		fputs(" (none)\n", out);
		return;
	}
	fputc('\n', out);
	if (depth >= DETAIL_DEPTH_MAX) {
		indent(out, 6 + 2 * depth);
		fputs("...\n", out);
		return;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
			value(out, k, x, depth + 1);
		return;
	}
	json_array_foreach(v, i, x) {
		if (i == DETAIL_ITEMS_MAX) {
			indent(out, 6 + 2 * depth);
			fprintf(out, "... %zu more\n", json_array_size(v) - i);
			break;
		}
		value(out, NULL, x, depth + 1);
	}
}

void
mc_render_text_detail(FILE *out, const struct mc_result *r, int verbose)
{
	const char *k;
	json_t *x;
	size_t i;

	if (verbose >= 1 && strcmp(r->check, "spf") == 0)
		spf_tree(out, r);
	if (verbose >= 2 && json_is_object(r->data) &&
	    json_object_size(r->data) > 0) {
		fputs("  seen:\n", out);
		json_object_foreach(r->data, k, x)
			value(out, k, x, 0);
	}
	if (verbose >= 3 && r->nmetrics > 0) {
		fputs("  metrics:\n", out);
		for (i = 0; i < r->nmetrics; i++) {
			indent(out, 4);
			mc_safe_fputs(out, r->metrics[i].name,
			    strlen(r->metrics[i].name));
			fprintf(out, ": %g\n", r->metrics[i].value);
		}
	}
}
