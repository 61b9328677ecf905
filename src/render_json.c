/* SPDX-License-Identifier: ISC */
/*
 * src/render_json.c - the report as JSON (docs/report.schema.json)
 *
 * One path: the report is written straight from struct mc_report into one
 * growing buffer, the checks' data trees walked by the same writer, and
 * each string escaped once on the way (mc_safe() rules, then JSON's).
 * Building the whole document as a jansson tree first, and freeing it
 * after, cost a sixth of a bulk run (callgrind).  mc_report_json(), the
 * document as a tree for --baseline, is the text read back, so the two
 * cannot differ.  tests/unit/test_render.c compares the text with what
 * jansson writes of the document built member by member.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/report.h"
#include "mailcheck/util.h"
#include "banned.h"

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

/* Room for n more bytes; -1 (and b->err) when there is none. */
static int
jgrow(struct jbuf *b, size_t n)
{
	size_t size;
	char *p;

	if (b->err)
		return -1;
	size = b->size > 0 ? b->size : 8192; /* a report of every check fits */
	while (n > size - b->len) {
		if (size > SIZE_MAX / 2) {
			b->err = 1;
			return -1;
		}
		size *= 2;
	}
	p = realloc(b->s, size);
	if (p == NULL) {
		b->err = 1;
		return -1;
	}
	b->s = p;
	b->size = size;
	return 0;
}

static inline void
jput(struct jbuf *b, const char *s, size_t n)
{
	if (n > b->size - b->len && jgrow(b, n) == -1)
		return;
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

/* The bytes JSON escapes: the control characters, '"' and '\\'. */
static const unsigned char jspecial[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1,
	[0x05] = 1, [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1,
	[0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1,
	[0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1,
	[0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1,
	[0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1,
	[0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

static void
jstring(struct jbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[6] = { '\\', 'u', '0', '0' };
	size_t i, from = 0;
	unsigned char c;
	char *p;

	/* most strings need no escape: the quotes and the text at once */
	for (i = 0; i < len && !jspecial[(unsigned char)s[i]]; i++)
		;
	if (i == len) {
		if (len + 2 > b->size - b->len && jgrow(b, len + 2) == -1)
			return;
		p = b->s + b->len;
		p[0] = '"';
		memcpy(p + 1, s, len);
		p[len + 1] = '"';
		b->len += len + 2;
		return;
	}
	jput(b, "\"", 1);
	for (; i < len; i++) {
		c = (unsigned char)s[i];
		if (!jspecial[c])
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

/*
 * Report text (a name, a message; NULL is JSON null) as a JSON string: what
 * jstring() writes of mc_safe_dup(s), without the copy.  The bytes
 * mc_safe() leaves alone are printable ASCII, so JSON escapes only '"' and
 * '\\'; any other byte is mc_safe()'s \DDD, its backslash escaped.
 */
static void
jsafe(struct jbuf *b, const char *s)
{
	char esc[5] = { '\\', '\\' };
	size_t i, from = 0;
	unsigned char c;

	if (s == NULL) {
		jput(b, "null", 4);
		return;
	}
	jput(b, "\"", 1);
	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		jput(b, s + from, i - from);
		from = i + 1;
		if (c == '"')
			jput(b, "\\\"", 2);
		else if (c == '\\')
			jput(b, "\\\\", 2);
		else {
			esc[2] = (char)('0' + c / 100);
			esc[3] = (char)('0' + c / 10 % 10);
			esc[4] = (char)('0' + c % 10);
			jput(b, esc, 5);
		}
	}
	jput(b, s + from, i - from);
	jput(b, "\"", 1);
}

/* A string the program wrote (a code, a spec reference, a status). */
static void
jliteral(struct jbuf *b, const char *s)
{
	jstring(b, s, strlen(s));
}

/*
 * What comes before the next member (key) or element (key NULL) of an
 * object or array at depth: a comma after the first (*n counts them), the
 * indent, the key.  jclose() ends the container as jvalue() does.
 */
static void
jnext(struct jbuf *b, int indent, int depth, size_t *n, const char *key)
{
	if ((*n)++ > 0)
		jput(b, ",", 1);
	jindent(b, indent, depth + 1);
	if (key == NULL)
		return;
	jliteral(b, key);
	jput(b, ": ", indent > 0 ? 2 : 1);
}

/* A member whose value the program wrote (a code, a status). */
static void
jmember(struct jbuf *b, int indent, int depth, size_t *n, const char *key,
    const char *value)
{
	jnext(b, indent, depth, n, key);
	jliteral(b, value);
}

static void
jclose(struct jbuf *b, int indent, int depth, size_t n, const char *end)
{
	if (n > 0)
		jindent(b, indent, depth);
	jput(b, end, 1);
}

static void
jfinding(struct jbuf *b, const struct mc_finding *f, int indent, int depth)
{
	const struct mc_finding_def *def = mc_finding_def(f->id);
	const char *hint = f->hint != NULL ? f->hint : def->hint;
	size_t n = 0;

	jput(b, "{", 1);
	jmember(b, indent, depth, &n, "code", def->code);
	jmember(b, indent, depth, &n, "severity", mc_status_str(f->severity));
	jnext(b, indent, depth, &n, "subject");
	jsafe(b, f->subject);
	jnext(b, indent, depth, &n, "message");
	jsafe(b, f->message);
	jmember(b, indent, depth, &n, "spec", def->spec);
	if (hint != NULL) {
		jnext(b, indent, depth, &n, "hint");
		jsafe(b, hint);
	}
	jclose(b, indent, depth, n, "}");
}

/*
 * Whole numbers as integers, the rest as reals; NaN and the infinities,
 * which JSON cannot hold, are left out.  The range test comes first:
 * converting a double outside it to an integer is undefined behaviour.
 */
static void
jmetric(struct jbuf *b, const struct mc_metric *m, int indent, int depth,
    size_t *n)
{
	if (!isfinite(m->value))
		return;
	jnext(b, indent, depth, n, m->name);
	if (fabs(m->value) <= 9007199254740992.0 &&
	    m->value == trunc(m->value))
		jinteger(b, (json_int_t)m->value);
	else
		jreal(b, m->value);
}

static void
jresult(struct jbuf *b, const struct mc_result *r, int indent, int depth)
{
	size_t i, n = 0, nf = 0, nm = 0;

	jput(b, "{", 1);
	jmember(b, indent, depth, &n, "name", r->check);
	jmember(b, indent, depth, &n, "status", mc_status_str(r->status));
	jnext(b, indent, depth, &n, "duration_ms");
	jinteger(b, (json_int_t)r->duration_ms);
	jnext(b, indent, depth, &n, "findings");
	jput(b, "[", 1);
	for (i = 0; i < r->nfindings; i++) {
		jnext(b, indent, depth + 1, &nf, NULL);
		jfinding(b, &r->findings[i], indent, depth + 2);
	}
	jclose(b, indent, depth + 1, nf, "]");
	jnext(b, indent, depth, &n, "metrics");
	jput(b, "{", 1);
	for (i = 0; i < r->nmetrics; i++)
		jmetric(b, &r->metrics[i], indent, depth + 1, &nm);
	jclose(b, indent, depth + 1, nm, "}");
	jnext(b, indent, depth, &n, "data");
	if (r->data != NULL)
		jvalue(b, r->data, indent, depth + 1);
	else
		jput(b, "{}", 2);
	if (r->summary != NULL) {
		jnext(b, indent, depth, &n, "summary");
		jsafe(b, r->summary);
	}
	jclose(b, indent, depth, n, "}");
}

/* The report, without a final newline, into b. */
static void
jreport(struct jbuf *b, const struct mc_report *rep, int indent)
{
	size_t i, n = 0, nc = 0;

	jput(b, "{", 1);
	jnext(b, indent, 0, &n, "schema_version");
	jinteger(b, MC_SCHEMA_VERSION);
	jmember(b, indent, 0, &n, "mailcheck_version", MC_VERSION);
	jnext(b, indent, 0, &n, "domain");
	jsafe(b, rep->domain);
	jmember(b, indent, 0, &n, "status", mc_status_str(rep->status));
	jnext(b, indent, 0, &n, "duration_ms");
	jinteger(b, (json_int_t)rep->duration_ms);
	jnext(b, indent, 0, &n, "checks");
	jput(b, "[", 1);
	for (i = 0; i < rep->nresults; i++) {
		jnext(b, indent, 1, &nc, NULL);
		jresult(b, &rep->results[i], indent, 2);
	}
	jclose(b, indent, 1, nc, "]");
	if (rep->dns != NULL) {
		jnext(b, indent, 0, &n, "dns");
		jvalue(b, rep->dns, indent, 1);
	}
	if (rep->changes != NULL) {
		jnext(b, indent, 0, &n, "changes");
		jvalue(b, rep->changes, indent, 1);
	}
	jclose(b, indent, 0, n, "}");
}

json_t *
mc_report_json(const struct mc_report *rep)
{
	struct jbuf b = { 0 };
	json_t *doc;

	jreport(&b, rep, 0);
	doc = b.err ? NULL : json_loadb(b.s, b.len, JSON_ALLOW_NUL, NULL);
	free(b.s);
	return doc;
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
	struct jbuf b = { 0 };
	int rc;

	/* into memory, then one write with the newline */
	jreport(&b, rep, compact ? 0 : 2);
	jput(&b, "\n", 1);
	rc = !b.err && fwrite(b.s, 1, b.len, out) == b.len ? 0 : -1;
	free(b.s);
	return rc;
}
