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

/* Findings of a (check object) that b lacks, as changes of kind. */
static void
findings_diff(json_t *out, const char *check, const json_t *a,
    const json_t *b, const char *kind)
{
	json_t *fa, *fb, *fs;
	size_t i, j;
	int found;

	fs = json_object_get(b, "findings");
	json_array_foreach(json_object_get(a, "findings"), i, fa) {
		found = 0;
		json_array_foreach(fs, j, fb)
			if (same_finding(fa, fb))
				found = 1;
		if (found)
			continue;
		json_array_append_new(out, json_pack("{s:s, s:s, s:O, s:O, "
		    "s:O, s:O}", "kind", kind, "check", check,
		    "code", json_object_get(fa, "code"),
		    "subject", json_object_get(fa, "subject") != NULL ?
		    json_object_get(fa, "subject") : json_null(),
		    "severity", json_object_get(fa, "severity"),
		    "message", json_object_get(fa, "message")));
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
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:O, s:O}",
		    "kind", kind, "check", check, "key", k, "before", va,
		    "after", vb != NULL ? vb : json_null()));
	}
	json_object_foreach(b, k, vb) {
		if (json_object_get(a, k) != NULL)
			continue;
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:n, s:O}",
		    "kind", kind, "check", check, "key", k, "after", vb));
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
		json_array_append_new(out, json_pack("{s:s}", "kind",
		    "domain-new"));
		return out;
	}
	if (!json_equal(json_object_get(before, "status"),
	    json_object_get(after, "status")))
		json_array_append_new(out, json_pack("{s:s, s:O, s:O}",
		    "kind", "status", "before", json_object_get(before, "status"),
		    "after", json_object_get(after, "status")));
	json_array_foreach(json_object_get(after, "checks"), i, c) {
		name = json_object_get(c, "name");
		if (!json_is_string(name))
			continue;
		n = json_string_value(name);
		old = find_check(before, n);
		if (old == NULL) {
			json_array_append_new(out, json_pack("{s:s, s:s}",
			    "kind", "check-new", "check", n));
			continue;
		}
		findings_diff(out, n, c, old, "finding-new");
		findings_diff(out, n, old, c, "finding-resolved");
		object_diff(out, n, json_object_get(old, "data"),
		    json_object_get(c, "data"), "data-changed");
		object_diff(out, n, json_object_get(old, "metrics"),
		    json_object_get(c, "metrics"), "metric-changed");
	}
	json_array_foreach(json_object_get(before, "checks"), i, c) {
		name = json_object_get(c, "name");
		if (json_is_string(name) &&
		    find_check(after, json_string_value(name)) == NULL)
			json_array_append_new(out, json_pack("{s:s, s:O}",
			    "kind", "check-removed", "check", name));
	}
	return out;
}

/* Print a JSON value compactly and escaped. */
static void
put_json(FILE *out, const json_t *v)
{
	char *s, *e;

	if (v == NULL) {
		fputs("(none)", out);
		return;
	}
	if (json_is_string(v)) {
		s = strdup(json_string_value(v));
	} else
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
		    JSON_PRESERVE_ORDER);
	if (s == NULL)
		return;
	e = mc_escape_dup(s, strlen(s));
	if (e != NULL && strlen(e) > 200)
		memcpy(e + 190, "...", 4);
	fputs(e != NULL ? e : "", out);
	free(e);
	free(s);
}

int
mc_render_changes_text(FILE *out, const json_t *changes)
{
	const char *kind;
	json_t *c;
	size_t i;

	if (json_array_size(changes) == 0) {
		fputs("No changes since the baseline.\n", out);
		return ferror(out) ? -1 : 0;
	}
	fprintf(out, "Changes since the baseline (%zu):\n",
	    json_array_size(changes));
	json_array_foreach(changes, i, c) {
		kind = json_string_value(json_object_get(c, "kind"));
		if (kind == NULL)
			continue;
		if (strcmp(kind, "finding-new") == 0 ||
		    strcmp(kind, "finding-resolved") == 0) {
			fprintf(out, "  %s %s ", kind[8] == 'n' ? "new     " :
			    "resolved", json_string_value(json_object_get(c,
			    "check")));
			put_json(out, json_object_get(c, "code"));
			if (json_is_string(json_object_get(c, "subject"))) {
				fputs(" at ", out);
				put_json(out, json_object_get(c, "subject"));
			}
			fputs(": ", out);
			put_json(out, json_object_get(c, "message"));
		} else if (strcmp(kind, "data-changed") == 0 ||
		    strcmp(kind, "metric-changed") == 0) {
			fprintf(out, "  changed  %s %s ", json_string_value(
			    json_object_get(c, "check")), kind[0] == 'd' ?
			    "data" : "metric");
			put_json(out, json_object_get(c, "key"));
			fputs(": ", out);
			put_json(out, json_object_get(c, "before"));
			fputs(" -> ", out);
			put_json(out, json_object_get(c, "after"));
		} else if (strcmp(kind, "status") == 0) {
			fputs("  status   ", out);
			put_json(out, json_object_get(c, "before"));
			fputs(" -> ", out);
			put_json(out, json_object_get(c, "after"));
		} else if (strcmp(kind, "domain-new") == 0)
			fputs("  the baseline has no report for this domain", out);
		else {
			fprintf(out, "  %s ", kind);
			put_json(out, json_object_get(c, "check"));
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
