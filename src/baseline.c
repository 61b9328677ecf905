/* SPDX-License-Identifier: ISC */
/*
 * src/baseline.c - --baseline: load an earlier report and list the changes
 *
 * Works on JSON documents on both sides, so a baseline written by an older
 * build (same schema version) compares like a fresh one.  Findings are
 * matched by code and subject; data by top-level key of each check's data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/baseline.h"
#include "mailcheck/escape.h"
#include "mailcheck/report.h"
#include "mailcheck/util.h"
#include "banned.h"

json_t *
mc_baseline_load(const char *path, char *err, size_t errsize)
{
	json_t *all, *doc, *v;
	json_error_t jerr;
	FILE *f;
	int c, ndocs = 0;

	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errsize, "cannot read baseline '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	all = json_object();
	for (;;) {
		/* skip white space between documents; stop at the end */
		do
			c = getc(f);
		while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
		if (c == EOF)
			break;
		ungetc(c, f);
		doc = json_loadf(f, JSON_DISABLE_EOF_CHECK, &jerr);
		if (doc == NULL) {
			snprintf(err, errsize, "cannot parse baseline '%s': line "
			    "%d: %s", path, jerr.line, jerr.text);
			goto fail;
		}
		v = json_object_get(doc, "schema_version");
		if (!json_is_integer(v) ||
		    json_integer_value(v) != MC_SCHEMA_VERSION) {
			snprintf(err, errsize, "baseline '%s' is not a mailcheck "
			    "report of schema version %d", path,
			    MC_SCHEMA_VERSION);
			json_decref(doc);
			goto fail;
		}
		v = json_object_get(doc, "domain");
		if (!json_is_string(v) ||
		    !json_is_array(json_object_get(doc, "checks"))) {
			snprintf(err, errsize, "baseline '%s': a report without "
			    "domain or checks", path);
			json_decref(doc);
			goto fail;
		}
		json_object_set_new(all, json_string_value(v), doc);
		ndocs++;
	}
	if (ferror(f)) {
		snprintf(err, errsize, "cannot read baseline '%s': %s", path,
		    strerror(errno));
		goto fail;
	}
	if (ndocs == 0) {
		snprintf(err, errsize, "baseline '%s' holds no report", path);
		goto fail;
	}
	fclose(f);
	return all;
fail:
	fclose(f);
	json_decref(all);
	return NULL;
}

/* The rank of a status string (enum mc_status order), -1 if none. */
static int
rank(const json_t *v)
{
	static const enum mc_status all[] = { MC_OK, MC_INFO, MC_WARN,
		MC_UNKNOWN, MC_CRIT };
	size_t i;

	if (!json_is_string(v))
		return -1;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(json_string_value(v), mc_status_str(all[i])) == 0)
			return (int)all[i];
	return -1;
}

/* Append change c (stolen) to out, marked worse or not. */
static void
add_change(json_t *out, json_t *c, int worse)
{
	if (c == NULL)
		return;
	json_object_set_new(c, "worse", json_boolean(worse));
	json_array_append_new(out, c);
}

/* The check named name in a document's checks, or NULL. */
static json_t *
find_check(const json_t *doc, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "checks"), i, c)
		if (json_is_string(json_object_get(c, "name")) &&
		    strcmp(json_string_value(json_object_get(c, "name")),
		    name) == 0)
			return c;
	return NULL;
}

static int
same_finding(const json_t *a, const json_t *b)
{
	return json_equal(json_object_get(a, "code"),
	    json_object_get(b, "code")) &&
	    json_equal(json_object_get(a, "subject"),
	    json_object_get(b, "subject"));
}

/*
 * Findings of a (check object) that b lacks, as changes of kind; with
 * now set, a is the current report: a new finding of warn or worse is a
 * change for the worse, and a finding in both whose severity differs is a
 * finding-changed (worse when it rose).
 */
static void
findings_diff(json_t *out, const char *check, const json_t *a,
    const json_t *b, const char *kind, int now)
{
	json_t *fa, *fb, *fs, *match, *sa, *sb;
	size_t i, j;

	fs = json_object_get(b, "findings");
	json_array_foreach(json_object_get(a, "findings"), i, fa) {
		match = NULL;
		json_array_foreach(fs, j, fb)
			if (same_finding(fa, fb))
				match = fb;
		sa = json_object_get(fa, "severity");
		if (match != NULL) {
			sb = json_object_get(match, "severity");
			if (now && !json_equal(sa, sb))
				add_change(out, json_pack("{s:s, s:s, s:O, "
				    "s:O, s:O, s:O, s:O, s:O}", "kind",
				    "finding-changed", "check", check, "code",
				    json_object_get(fa, "code"), "subject",
				    json_object_get(fa, "subject") != NULL ?
				    json_object_get(fa, "subject") :
				    json_null(), "severity", sa, "message",
				    json_object_get(fa, "message"), "before",
				    sb, "after", sa), rank(sa) > rank(sb));
			continue;
		}
		add_change(out, json_pack("{s:s, s:s, s:O, s:O, s:O, s:O}",
		    "kind", kind, "check", check,
		    "code", json_object_get(fa, "code"),
		    "subject", json_object_get(fa, "subject") != NULL ?
		    json_object_get(fa, "subject") : json_null(),
		    "severity", sa, "message", json_object_get(fa, "message")),
		    now && rank(sa) >= (int)MC_WARN);
	}
}

/* Keys of two objects whose values differ, as changes of kind. */
static void
object_diff(json_t *out, const char *check, json_t *a, json_t *b,
    const char *kind)
{
	const char *k;
	json_t *va, *vb;

	json_object_foreach(a, k, va) {
		vb = json_object_get(b, k);
		if (json_equal(va, vb))
			continue;
		add_change(out, json_pack("{s:s, s:s, s:s, s:O, s:O}",
		    "kind", kind, "check", check, "key", k, "before", va,
		    "after", vb != NULL ? vb : json_null()), 0);
	}
	json_object_foreach(b, k, vb) {
		if (json_object_get(a, k) != NULL)
			continue;
		add_change(out, json_pack("{s:s, s:s, s:s, s:n, s:O}",
		    "kind", kind, "check", check, "key", k, "after", vb), 0);
	}
}

json_t *
mc_changes(const json_t *before, const json_t *after)
{
	json_t *out, *c, *old, *name;
	const char *n;
	size_t i;

	out = json_array();
	if (out == NULL)
		return NULL;
	if (before == NULL) {
		add_change(out, json_pack("{s:s}", "kind", "domain-new"), 0);
		return out;
	}
	if (!json_equal(json_object_get(before, "status"),
	    json_object_get(after, "status")))
		add_change(out, json_pack("{s:s, s:O, s:O}",
		    "kind", "status", "before", json_object_get(before, "status"),
		    "after", json_object_get(after, "status")),
		    rank(json_object_get(after, "status")) >
		    rank(json_object_get(before, "status")));
	json_array_foreach(json_object_get(after, "checks"), i, c) {
		name = json_object_get(c, "name");
		if (!json_is_string(name))
			continue;
		n = json_string_value(name);
		old = find_check(before, n);
		if (old == NULL) {
			add_change(out, json_pack("{s:s, s:s}",
			    "kind", "check-new", "check", n), 0);
			continue;
		}
		findings_diff(out, n, c, old, "finding-new", 1);
		findings_diff(out, n, old, c, "finding-resolved", 0);
		object_diff(out, n, json_object_get(old, "data"),
		    json_object_get(c, "data"), "data-changed");
		object_diff(out, n, json_object_get(old, "metrics"),
		    json_object_get(c, "metrics"), "metric-changed");
	}
	json_array_foreach(json_object_get(before, "checks"), i, c) {
		name = json_object_get(c, "name");
		if (json_is_string(name) &&
		    find_check(after, json_string_value(name)) == NULL)
			add_change(out, json_pack("{s:s, s:O}",
			    "kind", "check-removed", "check", name), 0);
	}
	return out;
}

#define DIFF_WHOLE 60     /* strings up to this long are shown whole */
#define DIFF_CONTEXT 16   /* bytes kept around the part that differs */
#define DIFF_PATH_MAX 256
#define DIFF_LINES_MAX 24 /* lines a change prints at most */

/*
 * Print a JSON value compactly and escaped; a long string beside another
 * (other, may be NULL) is cut to the part that differs from it, with some
 * context, so that an edit in a long record can be seen.
 */
static void
put_json_beside(FILE *out, const json_t *v, const json_t *other)
{
	const char *s, *o;
	size_t len, olen, pre = 0, suf = 0, from, to;
	char *d;

	if (v == NULL || json_is_null(v)) {
		fputs("(none)", out);
		return;
	}
	if (!json_is_string(v)) {
		d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
		    JSON_PRESERVE_ORDER);
		if (d == NULL)
			return;
		len = strlen(d);
		mc_safe_fputs(out, d, len > 200 ? 190 : len);
		if (len > 200)
			fputs("...", out);
		free(d);
		return;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	fputc('"', out);
	if (len <= DIFF_WHOLE || !json_is_string(other)) {
		mc_safe_fputs(out, s, len > 200 ? 190 : len);
		fputs(len > 200 ? "...\"" : "\"", out);
		return;
	}
	o = json_string_value(other);
	olen = json_string_length(other);
	while (pre < len && pre < olen && s[pre] == o[pre])
		pre++;
	while (suf < len - pre && suf < olen - pre &&
	    s[len - 1 - suf] == o[olen - 1 - suf])
		suf++;
	from = pre > DIFF_CONTEXT ? pre - DIFF_CONTEXT : 0;
	to = len - suf + DIFF_CONTEXT < len ? len - suf + DIFF_CONTEXT : len;
	if (to - from > 200)
		to = from + 190;
	if (from > 0)
		fputs("...", out);
	mc_safe_fputs(out, s + from, to - from);
	fputs(to < len ? "...\"" : "\"", out);
}

/* A label (code, subject, message, status): a string unquoted. */
static void
put_json(FILE *out, const json_t *v)
{
	size_t len;

	if (!json_is_string(v)) {
		put_json_beside(out, v, NULL);
		return;
	}
	len = json_string_length(v);
	mc_safe_fputs(out, json_string_value(v), len > 200 ? 190 : len);
	if (len > 200)
		fputs("...", out);
}

static int
all_scalars(const json_t *a)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_object(v) || json_is_array(v))
			return 0;
	return 1;
}

static int
array_has(const json_t *a, const json_t *v)
{
	const json_t *x;
	size_t i;

	json_array_foreach(a, i, x)
		if (json_equal(x, v))
			return 1;
	return 0;
}

/* One line of a value diff: "  changed  HEAD PATH: BEFORE -> AFTER". */
static void
diff_line(FILE *out, const char *head, const char *path, const json_t *a,
    const json_t *b, int *lines)
{
	if (++*lines > DIFF_LINES_MAX) {
		if (*lines == DIFF_LINES_MAX + 1)
			fprintf(out, "  changed  %s: ... (more in the JSON "
			    "report's changes)\n", head);
		return;
	}
	fprintf(out, "  changed  %s%s: ", head, path);
	if (a == NULL) {
		fputs("added ", out);
		put_json_beside(out, b, NULL);
	} else if (b == NULL) {
		fputs("removed ", out);
		put_json_beside(out, a, NULL);
	}
	else {
		put_json_beside(out, a, b);
		fputs(" -> ", out);
		put_json_beside(out, b, a);
	}
	fputc('\n', out);
}

/*
 * The leaves of a and b that differ, one line each, named by their path
 * below head (".key", "[i]").  Arrays of plain values compare as sets
 * (records in any order); other arrays index by index.
 */
static void
diff_value(FILE *out, const char *head, char *path, size_t plen,
    json_t *a, json_t *b, int *lines)
{
	const char *k;
	json_t *v;
	size_t i, n;

	if (json_equal(a, b))
		return;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(a, k, v) {
			snprintf(path + plen, DIFF_PATH_MAX - plen, ".%s", k);
			diff_value(out, head, path, strlen(path), v,
			    json_object_get(b, k), lines);
		}
		json_object_foreach(b, k, v) {
			if (json_object_get(a, k) != NULL)
				continue;
			snprintf(path + plen, DIFF_PATH_MAX - plen, ".%s", k);
			diff_line(out, head, path, NULL, v, lines);
		}
		path[plen] = '\0';
		return;
	}
	if (json_is_array(a) && json_is_array(b)) {
		if (all_scalars(a) && all_scalars(b)) {
			json_array_foreach(a, i, v)
				if (!array_has(b, v))
					diff_line(out, head, path, v, NULL,
					    lines);
			json_array_foreach(b, i, v)
				if (!array_has(a, v))
					diff_line(out, head, path, NULL, v,
					    lines);
			return;
		}
		n = json_array_size(a) > json_array_size(b) ?
		    json_array_size(a) : json_array_size(b);
		for (i = 0; i < n; i++) {
			snprintf(path + plen, DIFF_PATH_MAX - plen, "[%zu]", i);
			if (i >= json_array_size(a))
				diff_line(out, head, path, NULL,
				    json_array_get(b, i), lines);
			else if (i >= json_array_size(b))
				diff_line(out, head, path, json_array_get(a,
				    i), NULL, lines);
			else
				diff_value(out, head, path, strlen(path),
				    json_array_get(a, i), json_array_get(b, i),
				    lines);
		}
		path[plen] = '\0';
		return;
	}
	diff_line(out, head, path, json_is_null(a) ? NULL : a,
	    json_is_null(b) ? NULL : b, lines);
}

size_t
mc_changes_worse(const json_t *changes)
{
	const json_t *c;
	size_t i, n = 0;

	json_array_foreach(changes, i, c)
		if (json_is_true(json_object_get(c, "worse")))
			n++;
	return n;
}

int
mc_render_changes_text(FILE *out, const json_t *changes)
{
	char head[128], path[DIFF_PATH_MAX];
	const char *kind, *check, *key;
	json_t *c;
	size_t i, worse;
	int lines;

	if (json_array_size(changes) == 0) {
		fputs("No changes since the baseline.\n", out);
		return ferror(out) ? -1 : 0;
	}
	worse = mc_changes_worse(changes);
	fprintf(out, "Changes since the baseline (%zu, %zu for the worse):\n",
	    json_array_size(changes), worse);
	json_array_foreach(changes, i, c) {
		kind = json_string_value(json_object_get(c, "kind"));
		check = json_string_value(json_object_get(c, "check"));
		if (kind == NULL)
			continue;
		if (strcmp(kind, "data-changed") == 0 ||
		    strcmp(kind, "metric-changed") == 0) {
			key = json_string_value(json_object_get(c, "key"));
			snprintf(head, sizeof(head), "%s %s %s",
			    check != NULL ? check : "?", kind[0] == 'd' ?
			    "data" : "metric", key != NULL ? key : "?");
			path[0] = '\0';
			lines = 0;
			diff_value(out, head, path, 0, json_object_get(c,
			    "before"), json_object_get(c, "after"), &lines);
			continue;
		}
		fputs(json_is_true(json_object_get(c, "worse")) ? "! " : "  ",
		    out);
		if (strcmp(kind, "finding-new") == 0 ||
		    strcmp(kind, "finding-resolved") == 0 ||
		    strcmp(kind, "finding-changed") == 0) {
			fprintf(out, "%s %s ", kind[8] == 'n' ? "new     " :
			    kind[8] == 'r' ? "resolved" : "severity",
			    check != NULL ? check : "?");
			put_json(out, json_object_get(c, "code"));
			if (json_is_string(json_object_get(c, "subject"))) {
				fputs(" at ", out);
				put_json(out, json_object_get(c, "subject"));
			}
			if (kind[8] == 'c') {
				fputs(" ", out);
				put_json(out, json_object_get(c, "before"));
				fputs(" -> ", out);
				put_json(out, json_object_get(c, "after"));
			}
			fputs(": ", out);
			put_json(out, json_object_get(c, "message"));
		} else if (strcmp(kind, "status") == 0) {
			fputs("status   ", out);
			put_json(out, json_object_get(c, "before"));
			fputs(" -> ", out);
			put_json(out, json_object_get(c, "after"));
		} else if (strcmp(kind, "domain-new") == 0)
			fputs("the baseline has no report for this domain", out);
		else {
			fprintf(out, "%s ", kind);
			put_json(out, json_object_get(c, "check"));
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
