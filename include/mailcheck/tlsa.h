/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/tlsa.h - TLSA records (RFC 6698, RFC 7671, RFC 7672): parsing
 * and matching against a certificate chain
 *
 * The DNS layer hands TLSA RDATA over in presentation format
 * ("3 1 1 0A1B..."); mc_tlsa_parse() turns that into numbers and bytes and
 * mc_tlsa_match() matches one record against a chain of DER certificates
 * (leaf first) as a DANE SMTP sender would (RFC 7672 3.1).  The chain is
 * what the SMTP probe saw (mailcheck/smtp.h); nothing here touches the
 * network.  Memory comes from the caller's arena.
 */
#ifndef MAILCHECK_TLSA_H
#define MAILCHECK_TLSA_H

#include <stddef.h>

#include "mailcheck/arena.h"

#define MC_TLSA_MAX_DATA 65535 /* RDATA is at most 64 KiB (RFC 1035 3.2.1) */

/* Certificate usages, selectors, matching types (RFC 6698 2.1, 7218). */
enum mc_tlsa_usage {
	MC_TLSA_PKIX_TA = 0,
	MC_TLSA_PKIX_EE = 1,
	MC_TLSA_DANE_TA = 2,
	MC_TLSA_DANE_EE = 3,
};
enum mc_tlsa_selector { MC_TLSA_CERT = 0, MC_TLSA_SPKI = 1 };
enum mc_tlsa_mtype { MC_TLSA_FULL = 0, MC_TLSA_SHA256 = 1, MC_TLSA_SHA512 = 2 };

struct mc_tlsa {
	unsigned usage, selector, mtype; /* 0..255 as published */
	unsigned char *data;             /* from the arena */
	size_t len;
};

/* Why a record cannot be used (enum mc_tlsa_status), as parsed. */
enum mc_tlsa_status {
	MC_TLSA_OK,
	MC_TLSA_MALFORMED,     /* not "U S M HEX": err says where */
	MC_TLSA_BAD_LENGTH,    /* digest length differs from the mtype's */
	MC_TLSA_UNKNOWN_USAGE,
	MC_TLSA_UNKNOWN_SELECTOR,
	MC_TLSA_UNKNOWN_MTYPE,
};

/*
 * Parse presentation-format RDATA (len bytes, need not be NUL-terminated:
 * DNS content is hostile).  Fills *t (data from a) and returns its status;
 * for MC_TLSA_MALFORMED writes the reason to err.  Unknown usages,
 * selectors and matching types still fill *t (RFC 7671 4: such records
 * are unusable, not errors).
 */
enum mc_tlsa_status mc_tlsa_parse(struct mc_arena *a, const char *s,
    size_t len, struct mc_tlsa *t, char *err, size_t errsize);
/* "PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE" or NULL */
const char *mc_tlsa_usage_str(unsigned usage);

/*
 * Does usable record t match the chain (der[0] is the server's certificate,
 * then what the server sent after it)?  DANE-EE and PKIX-EE match the leaf
 * only; DANE-TA and PKIX-TA a certificate at depth 1 or deeper whose
 * signatures down to the leaf verify (a TA record naming the leaf itself
 * would make any certificate acceptable).  Returns the matching depth
 * (>= 0), -1 for no match, -2 on an error (unparsable certificate, no
 * memory).  Name checks and dates are the caller's: RFC 7672 3.1.1 and
 * 3.2.2 say which apply.
 */
int mc_tlsa_match(const struct mc_tlsa *t, const unsigned char *const *der,
    const size_t *derlen, size_t n);

/*
 * The selected data of one certificate, hashed by mtype, in a malloc'ed
 * buffer (*len bytes); NULL on error.  Tests use it to build records.
 */
unsigned char *mc_tlsa_digest(const unsigned char *der, size_t derlen,
    unsigned selector, unsigned mtype, size_t *len);

#endif
