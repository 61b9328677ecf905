/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/domain.h - domain names given by users
 *
 * Every name a user gives (a domain to check, an SPF HELO name) passes
 * mc_domain_normalise() before anything is asked about it; error texts show
 * the name escaped, never its raw bytes.
 */
#ifndef MAILCHECK_DOMAIN_H
#define MAILCHECK_DOMAIN_H

#include <stddef.h>

/*
 * Validate and normalise a domain name given by a user: lower case, no final
 * dot, LDH labels (underscore allowed, for names like _dmarc), 1-63 octets a
 * label, at most 253 in all, at least two labels and not an IP address
 * unless allow_single (a DNS name, not necessarily a mail domain).
 * Internationalised names (UTF-8) become their A-labels.  Writes the name
 * to out (at least 254 bytes).  Returns 0, or -1 with a one-line reason in
 * err ("label 'x' is longer than 63 octets"), in printable ASCII.
 */
int mc_domain_normalise(const char *in, char *out, size_t outsize,
    int allow_single, char *err, size_t errsize);

#endif
