/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/escape.h - escaping hostile bytes before they reach a screen
 *
 * DNS content, HTTP and SMTP replies and whatever a user typed may hold
 * terminal escapes and invalid UTF-8; every message and report shows them
 * escaped with these rules, so that a byte that is not printable ASCII
 * never reaches a terminal.
 *
 * The one rule: every byte is escaped exactly once.  A report (findings,
 * summaries, data) holds presentation form: DNS names as the DNS layer
 * gives them (RFC 1035 5.1 presentation form: printable ASCII, "\DDD" for
 * any other byte of a label, "\." and "\\" for a dot and a backslash in
 * one), other outside content escaped with mc_escape() as it enters the
 * report (mc_quote() for a message, mc_json_dns_string() for data).  The
 * renderers (text, JSON, nagios, -v detail, --baseline changes) print
 * report text through mc_safe*(), which never touches a backslash, so a
 * name shows as "m\027x.example.org" in every format, never "m\\027x",
 * and a NUL as "\000" (never '?').  What is printed straight from raw
 * input (a user's argument in an error) goes through mc_escape*().
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
/*
 * The same into out, which has room for 4 * len + 1 bytes (NUL-terminated),
 * with mc_safe_dup()'s rule (a backslash kept) when safe; returns the
 * length written.
 */
size_t mc_escape_into(char *out, const char *s, size_t len, int safe);
/* Write len bytes of s to out, escaped ("(out of memory)" when it fails). */
void mc_escape_fputs(FILE *out, const char *s, size_t len);
/*
 * Escape into a buffer of size bytes (NUL-terminated; size > 0): as many
 * whole bytes of s as fit, none cut in the middle of its escape.  Returns
 * how many bytes of s it took.
 */
size_t mc_escape_buf(char *out, size_t size, const char *s, size_t len);
/*
 * Report text (presentation form already) for a screen or a document: a
 * byte that is not printable ASCII becomes "\DDD", a backslash stays as
 * it is, so nothing is escaped twice.  A malloc'ed string, or NULL.
 */
char *mc_safe_dup(const char *s, size_t len);
/* The same written to out ("(out of memory)" when it fails). */
void mc_safe_fputs(FILE *out, const char *s, size_t len);
/*
 * Quote DNS content for a finding's message: "first max bytes..." in
 * double quotes, escaped with mc_escape() rules (a NUL is "\000", and
 * cuts nothing).  A string from the arena, or NULL.
 */
char *mc_quote(struct mc_arena *a, const char *s, size_t len, size_t max);

#endif
