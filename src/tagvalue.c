/* SPDX-License-Identifier: ISC */
/*
 * src/tagvalue.c - the tag=value tokenizer (RFC 6376 3.2)
 *
 * One pass over the input with a cursor (mc_tv_next: one tag-spec a call,
 * resuming after the next ';' when a spec is bad); mc_tv_parse() stops at
 * the first error and keeps it with its offset.  Work is linear in the input plus MC_TV_MAX_TAGS^2
 * name comparisons for the duplicate check.
 */
#include <string.h>
#include <strings.h>

#include "mailcheck/tagvalue.h"
#include "banned.h"

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnumpunc(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* VALCHAR: %x21-3A / %x3C-7E (visible characters but ';') */
static int
is_valchar(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

/* Length of folding whitespace at pos: WSP, or CRLF followed by WSP. */
static size_t
fws_len(const struct mc_tv_cursor *c, size_t pos)
{
	size_t p = pos;

	for (;;) {
		if (p < c->len && is_wsp((unsigned char)c->s[p]))
			p++;
		else if (p + 2 < c->len && c->s[p] == '\r' &&
		    c->s[p + 1] == '\n' && is_wsp((unsigned char)c->s[p + 2]))
			p += 3;
		else
			break;
	}
	return p - pos;
}

static void
skip_fws(struct mc_tv_cursor *c)
{
	c->pos += fws_len(c, c->pos);
}

static int
fail(struct mc_tv_list *l, enum mc_tv_error e, size_t pos)
{
	l->err = e;
	l->errpos = pos;
	return -1;
}

void
mc_tv_cursor_init(struct mc_tv_cursor *c, const char *s, size_t len)
{
	c->s = s;
	c->len = len;
	c->pos = 0;
}

/* After a bad tag-spec: resume after the next ';' (or at the end). */
static enum mc_tv_step
bad(struct mc_tv_cursor *c, enum mc_tv_error e, size_t pos,
    struct mc_tv_tag *t)
{
	const char *semi;

	t->err = e;
	t->pos = pos;
	semi = memchr(c->s + pos, ';', c->len - pos);
	c->pos = semi != NULL ? (size_t)(semi - c->s) + 1 : c->len;
	return MC_TV_STEP_BAD;
}

enum mc_tv_step
mc_tv_next(struct mc_arena *a, struct mc_tv_cursor *c, struct mc_tv_tag *t)
{
	const char *s = c->s;
	size_t len = c->len, npos, nend, vpos, vend, w;
	unsigned char ch;

	t->name = t->value = NULL;
	t->err = MC_TV_OK;
	skip_fws(c);
	if (c->pos == len)
		return MC_TV_STEP_END;
	if (s[c->pos] == ';') {
		t->pos = c->pos++;
		return MC_TV_STEP_EMPTY;
	}
	npos = c->pos;
	if (!is_alpha((unsigned char)s[c->pos]))
		return bad(c, MC_TV_ERR_NAME, c->pos, t);
	while (c->pos < len && is_alnumpunc((unsigned char)s[c->pos]))
		c->pos++;
	nend = c->pos;
	skip_fws(c);
	if (c->pos == len || s[c->pos] != '=') {
		/* a stray byte inside the name is a bad name */
		if (c->pos == nend && c->pos < len && s[c->pos] != ';')
			return bad(c, MC_TV_ERR_NAME, c->pos, t);
		return bad(c, MC_TV_ERR_EQUALS, c->pos, t);
	}
	c->pos++;
	skip_fws(c);
	vpos = vend = c->pos;
	while (c->pos < len && s[c->pos] != ';') {
		ch = (unsigned char)s[c->pos];
		if (is_valchar(ch)) {
			c->pos++;
			vend = c->pos;
		} else if ((w = fws_len(c, c->pos)) > 0)
			c->pos += w;
		else {
			/* the caller may say which tag it loses */
			t->name = mc_arena_strndup(a, s + npos, nend - npos);
			return bad(c, MC_TV_ERR_VALUE, c->pos, t);
		}
	}
	if (c->pos < len)
		c->pos++; /* the ';' */
	t->pos = npos;
	t->vpos = vpos;
	t->namelen = nend - npos;
	t->name = mc_arena_strndup(a, s + npos, nend - npos);
	t->value = mc_arena_strndup(a, s + vpos, vend - vpos);
	if (t->name == NULL || t->value == NULL) {
		t->err = MC_TV_ERR_NOMEM;
		return MC_TV_STEP_BAD;
	}
	return MC_TV_STEP_TAG;
}

int
mc_tv_parse(struct mc_arena *a, const char *s, size_t len,
    struct mc_tv_list *l)
{
	struct mc_tv_cursor c;
	struct mc_tv_tag t;
	enum mc_tv_step st;
	size_t i;

	l->n = 0;
	l->nempty = 0;
	l->emptypos = 0;
	l->err = MC_TV_OK;
	l->errpos = 0;
	l->duppos = 0;
	mc_tv_cursor_init(&c, s, len);
	while ((st = mc_tv_next(a, &c, &t)) != MC_TV_STEP_END) {
		if (st == MC_TV_STEP_BAD)
			return fail(l, t.err, t.pos);
		if (st == MC_TV_STEP_EMPTY) {
			if (l->nempty++ == 0)
				l->emptypos = t.pos;
			continue;
		}
		if (l->n == MC_TV_MAX_TAGS)
			return fail(l, MC_TV_ERR_TOO_MANY, t.pos);
		for (i = 0; i < l->n; i++) {
			if (strcmp(l->tag[i].name, t.name) == 0) {
				l->duppos = l->tag[i].pos;
				return fail(l, MC_TV_ERR_DUPLICATE, t.pos);
			}
		}
		l->tag[l->n++] = t;
	}
	return 0;
}

static const struct mc_tv_tag *
get(const struct mc_tv_list *l, const char *name,
    int (*cmp)(const char *, const char *))
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (cmp(l->tag[i].name, name) == 0)
			return &l->tag[i];
	return NULL;
}

const struct mc_tv_tag *
mc_tv_get(const struct mc_tv_list *l, const char *name)
{
	return get(l, name, strcmp);
}

const struct mc_tv_tag *
mc_tv_get_icase(const struct mc_tv_list *l, const char *name)
{
	return get(l, name, strcasecmp);
}

const char *
mc_tv_strerror(enum mc_tv_error e)
{
	switch (e) {
	case MC_TV_OK:
		return "no error";
	case MC_TV_ERR_NAME:
		return "bad tag name";
	case MC_TV_ERR_EQUALS:
		return "tag name not followed by '='";
	case MC_TV_ERR_VALUE:
		return "byte not allowed in a tag value";
	case MC_TV_ERR_DUPLICATE:
		return "duplicate tag";
	case MC_TV_ERR_TOO_MANY:
		return "too many tags";
	case MC_TV_ERR_NOMEM:
		return "out of memory";
	}
	return "unknown error";
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

long
mc_tv_split(struct mc_arena *a, const char *value, char sep,
    const char **out, size_t max)
{
	const char *p, *start, *end, *next;
	long n = 0;

	for (p = value; *p != '\0' && is_space((unsigned char)*p); p++)
		;
	if (*p == '\0')
		return 0;
	for (p = value;; p = next + 1) {
		next = strchr(p, sep);
		end = next != NULL ? next : p + strlen(p);
		start = p;
		while (start < end && is_space((unsigned char)*start))
			start++;
		while (end > start && is_space((unsigned char)end[-1]))
			end--;
		if ((size_t)n < max) {
			out[n] = mc_arena_strndup(a, start, (size_t)(end - start));
			if (out[n] == NULL)
				return -1;
		}
		n++;
		if (next == NULL)
			break;
	}
	return n;
}
