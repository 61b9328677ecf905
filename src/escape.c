/* SPDX-License-Identifier: ISC */
/*
 * src/escape.c - escaping hostile bytes before they reach a screen or report
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/escape.h"
#include "banned.h"

/* Write the escaped form of s into out (room for 4*len+1); returns length. */
static size_t
escape_into(char *out, const char *s, size_t len)
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else {
			snprintf(out + o, 5, "\\%03u", c);
			o += 4;
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
		escape_into(out, s, len);
	return out;
}

char *
mc_escape_dup(const char *s, size_t len)
{
	char *out;

	out = malloc(4 * len + 1);
	if (out != NULL)
		escape_into(out, s, len);
	return out;
}

char *
mc_quote(struct mc_arena *a, const char *s, size_t len, size_t max)
{
	size_t k, n = len > max ? max : len;
	char *out;

	out = mc_arena_alloc(a, n + 6);
	if (out == NULL)
		return NULL;
	out[0] = '"';
	for (k = 0; k < n; k++)
		out[k + 1] = s[k] != '\0' ? s[k] : '?';
	memcpy(out + n + 1, len > max ? "...\"" : "\"", len > max ? 5 : 2);
	return out;
}

void
mc_escape_fputs(FILE *out, const char *s, size_t len)
{
	char *e = mc_escape_dup(s, len);

	fputs(e != NULL ? e : "(out of memory)", out);
	free(e);
}
