/* SPDX-License-Identifier: ISC */
/*
 * src/escape.c - escaping hostile bytes before they reach a screen or report
 *
 * Two functions of one rule (mailcheck/escape.h).  mc_escape() turns raw
 * bytes into presentation form, once, where outside content enters a
 * report (a backslash doubled, so an escape stays distinct from text that
 * looks like one).  mc_safe() is what every renderer applies to report
 * text, which holds presentation form already: it writes a byte that is
 * still not printable ASCII as \DDD and leaves a backslash alone, so it
 * never escapes anything a second time (mc_safe() of its own output is
 * the same output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/escape.h"
#include "banned.h"

/*
 * Write the escaped form of s into out (room for 4*len+1); returns length.
 * A backslash is doubled unless keep_backslash.
 */
size_t
mc_escape_into(char *out, const char *s, size_t len, int keep_backslash)
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\\' && !keep_backslash) {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else {
			/* "\\%03u", without snprintf()'s cost a byte */
			out[o++] = '\\';
			out[o++] = (char)('0' + c / 100);
			out[o++] = (char)('0' + c / 10 % 10);
			out[o++] = (char)('0' + c % 10);
		}
	}
	out[o] = '\0';
	return o;
}

char *
mc_escape(struct mc_arena *a, const char *s, size_t len)
{
	char *out;

	out = mc_arena_alloc(a, 4 * len + 1);
	if (out != NULL)
		mc_escape_into(out, s, len, 0);
	return out;
}

size_t
mc_escape_buf(char *out, size_t size, const char *s, size_t len)
{
	char one[5];
	size_t i, o = 0, n;

	for (i = 0; i < len; i++) {
		n = mc_escape_into(one, s + i, 1, 0);
		if (o + n >= size)
			break;
		memcpy(out + o, one, n);
		o += n;
	}
	out[o] = '\0';
	return i;
}

static char *
dup_escaped(const char *s, size_t len, int keep_backslash)
{
	char *out;

	out = malloc(4 * len + 1);
	if (out != NULL)
		mc_escape_into(out, s, len, keep_backslash);
	return out;
}

char *
mc_escape_dup(const char *s, size_t len)
{
	return dup_escaped(s, len, 0);
}

char *
mc_safe_dup(const char *s, size_t len)
{
	return dup_escaped(s, len, 1);
}

char *
mc_quote(struct mc_arena *a, const char *s, size_t len, size_t max)
{
	size_t k, n = len > max ? max : len;
	char *out;

	out = mc_arena_alloc(a, 4 * n + 6);
	if (out == NULL)
		return NULL;
	out[0] = '"';
	k = mc_escape_into(out + 1, s, n, 0);
	memcpy(out + k + 1, len > max ? "...\"" : "\"", len > max ? 5 : 2);
	return out;
}

static void
put_escaped(FILE *out, const char *s, size_t len, int keep_backslash)
{
	char *e = dup_escaped(s, len, keep_backslash);

	fputs(e != NULL ? e : "(out of memory)", out);
	free(e);
}

void
mc_escape_fputs(FILE *out, const char *s, size_t len)
{
	put_escaped(out, s, len, 0);
}

void
mc_safe_fputs(FILE *out, const char *s, size_t len)
{
	put_escaped(out, s, len, 1);
}
