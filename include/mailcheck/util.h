/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/util.h - domain names, addresses, escaping
 */
#ifndef MAILCHECK_UTIL_H
#define MAILCHECK_UTIL_H

#include <stddef.h>

#include "mailcheck/arena.h"

/*
 * Validate and normalise a domain name given by a user: lower case, no final
 * dot, LDH labels (underscore allowed, for names like _dmarc), 1-63 octets a
 * label, at most 253 in all, at least two labels unless allow_single.
 * Writes the name to out (at least 254 bytes).  Returns 0, or -1 with a
 * one-line reason in err ("label 'x' is longer than 63 octets").
 */
int mc_domain_normalise(const char *in, char *out, size_t outsize,
    int allow_single, char *err, size_t errsize);

/*
 * Escape bytes for a terminal or a report: printable ASCII is kept, a
 * backslash becomes "\\", every other byte "\DDD" (decimal, as in DNS
 * presentation format).  Returns a string from the arena, or NULL.
 */
char *mc_escape(struct mc_arena *a, const char *s, size_t len);
/* The same into a malloc'ed string. */
char *mc_escape_dup(const char *s, size_t len);
/*
 * Quote DNS content for a finding's message: "first max bytes..." in
 * double quotes, raw (the renderers escape it) but with NUL bytes as '?'
 * so that none cuts the message.  A string from the arena, or NULL.
 */
char *mc_quote(struct mc_arena *a, const char *s, size_t len, size_t max);

enum mc_addr_class {
	MC_ADDR_PUBLIC,
	MC_ADDR_PRIVATE,    /* RFC 1918, RFC 4193 */
	MC_ADDR_LOOPBACK,
	MC_ADDR_LINKLOCAL,
	MC_ADDR_SHARED,     /* RFC 6598 100.64/10 */
	MC_ADDR_DOC,        /* RFC 5737, RFC 3849 */
	MC_ADDR_RESERVED,   /* unspecified, multicast, 240/4, ... */
};
/* The class of an address: 4 or 16 bytes. */
enum mc_addr_class mc_addr_classify(const unsigned char *addr, size_t len);
/* "public", "private", "loopback", "link-local", ... */
const char *mc_addr_class_str(enum mc_addr_class c);

/* Is s an IPv4 or IPv6 address literal? */
int mc_is_ip_literal(const char *s);

#endif
