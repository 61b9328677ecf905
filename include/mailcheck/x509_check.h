/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/x509_check.h - what a certificate says, and whether to trust it
 *
 * Certificates arrive as DER bytes (the SMTP probe keeps what the server
 * sent, leaf first); this module reads them with libcrypto and answers the
 * questions the smtp and dane checks ask: the names (RFC 6125 / RFC 9525
 * matching of SAN DNS names, one-label wildcards), the dates, the key, and
 * whether the chain verifies against the system trust store or a CA file.
 * No OpenSSL type crosses this header.  Strings come from the caller's arena.
 */
#ifndef MAILCHECK_X509_CHECK_H
#define MAILCHECK_X509_CHECK_H

#include <stddef.h>
#include <time.h>

#include "mailcheck/arena.h"

#define MC_CERT_MAX_NAMES 64 /* SAN DNS names kept from one certificate */

struct mc_cert_info {
	char *subject;      /* one-line RFC 2253 form */
	char *issuer;
	time_t not_before;
	time_t not_after;
	char key_type[16];  /* "RSA", "EC", "ED25519", ... */
	int key_bits;
	char **dns_names;   /* SAN dNSName entries, lower case */
	size_t ndns;
	size_t ndns_total;  /* before the MC_CERT_MAX_NAMES cap */
	int self_signed;    /* issuer name equals subject and the key verifies */
};

/*
 * Read one DER certificate into *ci (strings from a).  Returns 0, or -1
 * with the reason in err.
 */
int mc_cert_parse(struct mc_arena *a, const unsigned char *der, size_t len,
    struct mc_cert_info *ci, char *err, size_t errsize);

/*
 * Does the reference identity host (a DNS name, any case, no final dot)
 * match the presented identifier pattern?  RFC 6125 6.4: labels compare
 * case-insensitively; "*" is allowed only as the whole left-most label,
 * matches exactly one label, and not under fewer than two labels; IDN
 * A-labels are compared as they are.  Returns 1 or 0.
 */
int mc_cert_name_match(const char *pattern, const char *host);
/* Does any SAN DNS name of ci match host?  1 or 0. */
int mc_cert_matches_host(const struct mc_cert_info *ci, const char *host);

/* Chain verdicts of mc_chain_verify(). */
enum mc_chain_status {
	MC_CHAIN_OK,
	MC_CHAIN_UNTRUSTED, /* self-signed, unknown issuer, bad signature ... */
	MC_CHAIN_ERROR,     /* cannot load the trust store, no memory */
};

/*
 * Verify the chain der[0..n-1] (leaf first, the rest untrusted helpers)
 * against ca_file (NULL: the system trust store) for TLS server use.  Dates
 * are not checked here (the caller reports expiry itself, and a DANE-EE
 * match makes them moot); names neither.  Writes OpenSSL's reason to why.
 */
enum mc_chain_status mc_chain_verify(const unsigned char *const *der,
    const size_t *derlen, size_t n, const char *ca_file, char *why,
    size_t whysize);

#endif
