/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/bimi_cert.h - what a BIMI mark certificate (VMC, CMC) holds
 *
 * mc_bimi_cert_check() reads the first certificate of a PEM document (the
 * a= URL serves the leaf, then its chain) with OpenSSL and reports what a
 * receiver looks at: the validity dates, the BIMI extended key usage
 * (1.3.6.1.5.5.7.3.31), the logotype extension (RFC 3709,
 * 1.3.6.1.5.5.7.1.12) being present, and the domain among the
 * SubjectAltName's dNSNames.  The chain up to a mark verifying authority
 * is NOT verified (receivers keep their own list of such authorities);
 * the issuer is reported so that a reader can judge it.
 */
#ifndef MAILCHECK_BIMI_CERT_H
#define MAILCHECK_BIMI_CERT_H

#include <stddef.h>
#include <time.h>

#define MC_BIMI_EKU_OID "1.3.6.1.5.5.7.3.31"
#define MC_LOGOTYPE_OID "1.3.6.1.5.5.7.1.12"
#define MC_BIMI_CERT_WARN_DAYS 14

struct mc_bimi_cert {
	int parsed;            /* a certificate was read */
	char error[160];       /* when not: why, lower case */
	size_t ncerts;         /* certificates in the document */
	char subject[256];     /* one-line RFC 2253 forms (escaped by the
	                          renderers like all text) */
	char issuer[256];
	time_t not_before, not_after;
	int not_yet_valid, expired;
	long days_left;        /* whole days until not_after (may be < 0) */
	int bimi_eku;          /* the BIMI extended key usage is present */
	int logotype;          /* the logotype extension is present */
	int name_match;        /* the domain is a SubjectAltName dNSName */
	char sans[512];        /* the dNSNames, comma-separated (cut) */
};

/*
 * Read len bytes of PEM (may hold anything) and fill c for domain (lower
 * case) as of now.  Returns 0 (c->parsed says whether a certificate was
 * found), or -1 when out of memory.
 */
int mc_bimi_cert_check(const char *pem, size_t len, const char *domain,
    time_t now, struct mc_bimi_cert *c);

#endif
