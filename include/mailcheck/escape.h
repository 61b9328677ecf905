/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/escape.h - escaping hostile bytes before they reach a screen
 *
 * DNS content, HTTP and SMTP replies and whatever a user typed may hold
 * terminal escapes and invalid UTF-8; every message and report shows them
 * escaped with these rules, so that a byte that is not printable ASCII
 * never reaches a terminal.
 */
#ifndef MAILCHECK_ESCAPE_H
#define MAILCHECK_ESCAPE_H

#include <stddef.h>

#include <stdio.h>

#include "mailcheck/arena.h"

/*
 * Escape bytes for a terminal or a report: printable ASCII is kept, a
 * backslash becomes "\\", every other byte "\DDD" (decimal, as in DNS
 * presentation format).  Returns a string from the arena, or NULL.
 */
char *mc_escape(struct mc_arena *a, const char *s, size_t len);
/* The same into a malloc'ed string. */
char *mc_escape_dup(const char *s, size_t len);
/* Write len bytes of s to out, escaped ("(out of memory)" when it fails). */
void mc_escape_fputs(FILE *out, const char *s, size_t len);
/*
 * Quote DNS content for a finding's message: "first max bytes..." in
 * double quotes, raw (the renderers escape it) but with NUL bytes as '?'
 * so that none cuts the message.  A string from the arena, or NULL.
 */
char *mc_quote(struct mc_arena *a, const char *s, size_t len, size_t max);

#endif
