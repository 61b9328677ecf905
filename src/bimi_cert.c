/* SPDX-License-Identifier: ISC */
/*
 * src/bimi_cert.c - reading a BIMI mark certificate with OpenSSL
 *
 * PEM_read_bio_X509 takes the first CERTIFICATE block and skips anything
 * else; every further block is counted.  Extensions are looked up by OID
 * text so that no OpenSSL build needs to know the BIMI names.  The dates
 * are compared with X509_cmp_time against the caller's now, and
 * ASN1_TIME_diff gives the days left.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mailcheck/bimi_cert.h"
#include "banned.h"

static void
name_line(const X509_NAME *n, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int len;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_read(b, buf, (int)size - 1);
		buf[len > 0 ? len : 0] = '\0';
	}
	BIO_free(b);
}

static int
has_eku(X509 *x, const char *oid)
{
	EXTENDED_KEY_USAGE *eku;
	char txt[64];
	int i, found = 0;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	if (eku == NULL)
		return 0;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku) && !found; i++) {
		OBJ_obj2txt(txt, sizeof(txt), sk_ASN1_OBJECT_value(eku, i), 1);
		found = strcmp(txt, oid) == 0;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

static int
has_ext(X509 *x, const char *oid)
{
	char txt[64];
	int i;

	for (i = 0; i < X509_get_ext_count(x); i++) {
		OBJ_obj2txt(txt, sizeof(txt),
		    X509_EXTENSION_get_object(X509_get_ext(x, i)), 1);
		if (strcmp(txt, oid) == 0)
			return 1;
	}
	return 0;
}

static void
sans(X509 *x, const char *domain, struct mc_bimi_cert *c)
{
	GENERAL_NAMES *gens;
	size_t at = 0;
	int i;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *d;
		int len;

		if (g->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		if ((size_t)len == strlen(domain) &&
		    strncasecmp((const char *)d, domain, (size_t)len) == 0)
			c->name_match = 1;
		if (at + (size_t)len + 3 < sizeof(c->sans)) {
			at += (size_t)snprintf(c->sans + at, sizeof(c->sans) - at,
			    "%s%.*s", at > 0 ? ", " : "", len, (const char *)d);
		}
	}
	GENERAL_NAMES_free(gens);
}

int
mc_bimi_cert_check(const char *pem, size_t len, const char *domain,
    time_t now, struct mc_bimi_cert *c)
{
	BIO *b;
	X509 *x, *more;
	ASN1_TIME *t;
	int days = 0, secs = 0;

	memset(c, 0, sizeof(*c));
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	b = BIO_new_mem_buf(pem, (int)len);
	if (b == NULL)
		return -1;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (x == NULL) {
		snprintf(c->error, sizeof(c->error), "no PEM certificate "
		    "('-----BEGIN CERTIFICATE-----' block) could be read");
		ERR_clear_error();
		BIO_free(b);
		return 0;
	}
	c->parsed = 1;
	c->ncerts = 1;
	while ((more = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		c->ncerts++;
		X509_free(more);
	}
	ERR_clear_error();
	BIO_free(b);
	name_line(X509_get_subject_name(x), c->subject, sizeof(c->subject));
	name_line(X509_get_issuer_name(x), c->issuer, sizeof(c->issuer));
	c->not_yet_valid = X509_cmp_time(X509_get0_notBefore(x), &now) > 0;
	c->expired = X509_cmp_time(X509_get0_notAfter(x), &now) < 0;
	t = ASN1_TIME_set(NULL, now);
	if (t != NULL && ASN1_TIME_diff(&days, &secs, t,
	    X509_get0_notAfter(x)))
		c->days_left = days;
	ASN1_TIME_free(t);
	c->bimi_eku = has_eku(x, MC_BIMI_EKU_OID);
	c->logotype = has_ext(x, MC_LOGOTYPE_OID);
	sans(x, domain, c);
	X509_free(x);
	return 0;
}
