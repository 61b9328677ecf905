/* SPDX-License-Identifier: ISC */
/*
 * src/render_json.c - the report as JSON (docs/report.schema.json)
 */
#include <math.h>
#include <stdint.h>
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
	if (doc != NULL && rep->dns != NULL &&
	    json_object_set(doc, "dns", rep->dns) == -1) {
		json_decref(doc);
		return NULL;
	}
	if (doc != NULL && rep->changes != NULL &&
	    json_object_set(doc, "changes", rep->changes) == -1) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * The writer.  jansson's json_dumps() costs about 100 instructions a byte
 * of output (a callback a token, snprintf for every integer), more than
 * building the document; this one writes what json_dumps() writes with
 * JSON_COMPACT or JSON_INDENT(2), JSON_PRESERVE_ORDER and
 * JSON_REAL_PRECISION(10) (jansson 2.14: keys in insertion order; '"',
 * '\\' and control characters escaped, \uXXXX upper case; UTF-8 kept, as
 * jansson's strings are valid UTF-8) at a few instructions a byte.
 * tests/unit/test_render.c compares the two on documents of every kind.
 */
struct jbuf {
	char *s;
	size_t len, size;
	int err;
};

static void
jput(struct jbuf *b, const char *s, size_t n)
{
	size_t size;
	char *p;

	if (b->err)
		return;
	if (n > b->size - b->len) {
		size = b->size > 0 ? b->size : 4096;
		while (n > size - b->len) {
			if (size > SIZE_MAX / 2) {
				b->err = 1;
				return;
			}
			size *= 2;
		}
		p = realloc(b->s, size);
		if (p == NULL) {
			b->err = 1;
			return;
		}
		b->s = p;
		b->size = size;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
}

/* A new line and depth levels of indent; nothing when compact. */
static void
jindent(struct jbuf *b, int indent, int depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)indent * (size_t)depth;

	if (indent == 0)
		return;
	jput(b, "\n", 1);
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		jput(b, spaces, sizeof(spaces) - 1);
	jput(b, spaces, n);
}

static void
jstring(struct jbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[6] = { '\\', 'u', '0', '0' };
	size_t i, from = 0;
	unsigned char c;

	jput(b, "\"", 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jput(b, s + from, i - from);
		from = i + 1;
		switch (c) {
		case '"':
			jput(b, "\\\"", 2);
			break;
		case '\\':
			jput(b, "\\\\", 2);
			break;
		case '\b':
			jput(b, "\\b", 2);
			break;
		case '\f':
			jput(b, "\\f", 2);
			break;
		case '\n':
			jput(b, "\\n", 2);
			break;
		case '\r':
			jput(b, "\\r", 2);
			break;
		case '\t':
			jput(b, "\\t", 2);
			break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			jput(b, esc, 6);
			break;
		}
	}
	jput(b, s + from, len - from);
	jput(b, "\"", 1);
}

static void
jinteger(struct jbuf *b, json_int_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u;

	u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	jput(b, p, (size_t)(buf + sizeof(buf) - p));
}

/* As jansson's jsonp_dtostr() with precision 10. */
static void
jreal(struct jbuf *b, double v)
{
	char buf[64], *e, *end;
	int n;

	n = snprintf(buf, sizeof(buf) - 3, "%.10g", v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3) {
		b->err = 1;
		return;
	}
	/* a dot or an exponent, or it would read back as an integer */
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	/* no '+' and no leading zeros in the exponent */
	e = strchr(buf, 'e');
	if (e != NULL) {
		e++;
		end = e + 1;
		if (*e == '-')
			e++;
		while (*end == '0')
			end++;
		if (end != e) {
			memmove(e, end, (size_t)(buf + n - end) + 1);
			n -= (int)(end - e);
		}
	}
	jput(b, buf, (size_t)n);
}

static void
jvalue(struct jbuf *b, const json_t *v, int indent, int depth)
{
	const char *sep = indent > 0 ? ": " : ":";
	void *it, *next;
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jput(b, "{", 1);
		it = json_object_iter((json_t *)(uintptr_t)v);
		if (it != NULL)
			jindent(b, indent, depth + 1);
		for (; it != NULL; it = next) {
			next = json_object_iter_next((json_t *)(uintptr_t)v, it);
			jstring(b, json_object_iter_key(it),
			    json_object_iter_key_len(it));
			jput(b, sep, strlen(sep));
			jvalue(b, json_object_iter_value(it), indent, depth + 1);
			if (next != NULL)
				jput(b, ",", 1);
			jindent(b, indent, next != NULL ? depth + 1 : depth);
		}
		jput(b, "}", 1);
		break;
	case JSON_ARRAY:
		jput(b, "[", 1);
		n = json_array_size(v);
		if (n > 0)
			jindent(b, indent, depth + 1);
		for (i = 0; i < n; i++) {
			jvalue(b, json_array_get(v, i), indent, depth + 1);
			if (i + 1 < n)
				jput(b, ",", 1);
			jindent(b, indent, i + 1 < n ? depth + 1 : depth);
		}
		jput(b, "]", 1);
		break;
	case JSON_STRING:
		jstring(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jinteger(b, json_integer_value(v));
		break;
	case JSON_REAL:
		jreal(b, json_real_value(v));
		break;
	case JSON_TRUE:
		jput(b, "true", 4);
		break;
	case JSON_FALSE:
		jput(b, "false", 5);
		break;
	case JSON_NULL:
		jput(b, "null", 4);
		break;
	}
}

char *
mc_json_text(const json_t *doc, int compact, size_t *len)
{
	struct jbuf b = { 0 };

	jvalue(&b, doc, compact ? 0 : 2, 0);
	jput(&b, "", 1);
	if (b.err) {
		free(b.s);
		return NULL;
	}
	*len = b.len - 1;
	return b.s;
}

int
mc_render_json(FILE *out, const struct mc_report *rep, int compact)
{
	json_t *doc;
	char *text;
	size_t len;
	int rc;

	doc = mc_report_json(rep);
	if (doc == NULL)
		return -1;
	/* into memory, then one write with the newline */
	text = mc_json_text(doc, compact, &len);
	json_decref(doc);
	if (text == NULL)
		return -1;
	text[len] = '\n';
	rc = fwrite(text, 1, len + 1, out) == len + 1 ? 0 : -1;
	free(text);
	return rc;
}
