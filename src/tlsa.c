/* SPDX-License-Identifier: ISC */
/*
 * src/tlsa.c - TLSA records: parse the presentation form, match a chain
 *
 * Parsing is strict about the shape (three decimal numbers of at most 255,
 * then hexadecimal digits, white space anywhere between digit pairs as
 * RFC 6698 2.2 allows) and lenient about values: a usage, selector or
 * matching type this code does not know is reported, never an error
 * (RFC 7671 4).  Matching uses libcrypto for the digests, the SPKI and the
 * signature checks of DANE-TA chains; certificates arrive as DER bytes, so
 * no OpenSSL type crosses the header.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mailcheck/tlsa.h"
#include "banned.h"

const char *
mc_tlsa_usage_str(unsigned usage)
{
	static const char *const names[] = { "PKIX-TA", "PKIX-EE", "DANE-TA",
	    "DANE-EE" };

	return usage < 4 ? names[usage] : NULL;
}

/* One decimal field of at most 255; advances *p; -1 on error. */
static int
number(const char **p, const char *end, unsigned *out)
{
	unsigned v = 0;
	size_t digits = 0;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*p < end && isdigit((unsigned char)**p)) {
		v = v * 10 + (unsigned)(**p - '0');
		if (v > 255)
			return -1;
		(*p)++;
		digits++;
	}
	if (digits == 0 || (*p < end && **p != ' ' && **p != '\t'))
		return -1;
	*out = v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

enum mc_tlsa_status
mc_tlsa_parse(struct mc_arena *a, const char *s, size_t len,
    struct mc_tlsa *t, char *err, size_t errsize)
{
	const char *p = s, *end = s + len;
	size_t n = 0;
	int hi = -1, v;

	memset(t, 0, sizeof(*t));
	if (number(&p, end, &t->usage) == -1 ||
	    number(&p, end, &t->selector) == -1 ||
	    number(&p, end, &t->mtype) == -1) {
		snprintf(err, errsize, "cannot parse the usage, selector and "
		    "matching type (three numbers up to 255)");
		return MC_TLSA_MALFORMED;
	}
	t->data = mc_arena_alloc(a, len / 2 + 1);
	if (t->data == NULL) {
		snprintf(err, errsize, "out of memory");
		return MC_TLSA_MALFORMED;
	}
	for (; p < end; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		v = hexval((unsigned char)*p);
		if (v < 0) {
			snprintf(err, errsize, "certificate data has a "
			    "character that is not hexadecimal at offset %zu",
			    (size_t)(p - s));
			return MC_TLSA_MALFORMED;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		t->data[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	t->len = n;
	if (hi >= 0) {
		snprintf(err, errsize, "certificate data has an odd number "
		    "of hexadecimal digits");
		return MC_TLSA_MALFORMED;
	}
	if (n == 0) {
		snprintf(err, errsize, "certificate data is empty");
		return MC_TLSA_MALFORMED;
	}
	if (n > MC_TLSA_MAX_DATA) {
		snprintf(err, errsize, "certificate data is %zu bytes, more "
		    "than RDATA can hold", n);
		return MC_TLSA_MALFORMED;
	}
	if (t->usage > MC_TLSA_DANE_EE)
		return MC_TLSA_UNKNOWN_USAGE;
	if (t->selector > MC_TLSA_SPKI)
		return MC_TLSA_UNKNOWN_SELECTOR;
	if (t->mtype > MC_TLSA_SHA512)
		return MC_TLSA_UNKNOWN_MTYPE;
	if ((t->mtype == MC_TLSA_SHA256 && n != 32) ||
	    (t->mtype == MC_TLSA_SHA512 && n != 64))
		return MC_TLSA_BAD_LENGTH;
	return MC_TLSA_OK;
}

unsigned char *
mc_tlsa_digest(const unsigned char *der, size_t derlen, unsigned selector,
    unsigned mtype, size_t *len)
{
	const unsigned char *p = der;
	unsigned char *sel = NULL, *out = NULL, *q;
	X509 *x = NULL;
	unsigned int mdlen;
	int n;

	if (derlen > (size_t)0x7fffffff)
		return NULL;
	x = d2i_X509(NULL, &p, (long)derlen);
	if (x == NULL || p != der + derlen)
		goto out;
	if (selector == MC_TLSA_CERT)
		n = i2d_X509(x, NULL);
	else
		n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), NULL);
	if (n <= 0)
		goto out;
	sel = malloc((size_t)n);
	if (sel == NULL)
		goto out;
	q = sel;
	if (selector == MC_TLSA_CERT)
		i2d_X509(x, &q);
	else
		i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &q);
	if (mtype == MC_TLSA_FULL) {
		out = sel;
		sel = NULL;
		*len = (size_t)n;
		goto out;
	}
	out = malloc(EVP_MAX_MD_SIZE);
	if (out == NULL)
		goto out;
	if (EVP_Digest(sel, (size_t)n, out, &mdlen, mtype == MC_TLSA_SHA256 ?
	    EVP_sha256() : EVP_sha512(), NULL) != 1) {
		free(out);
		out = NULL;
		goto out;
	}
	*len = mdlen;
out:
	free(sel);
	X509_free(x);
	return out;
}

/* Does cert[i] carry a signature made by cert[i + 1]'s key? */
static int
signed_by(const unsigned char *der, size_t len, const unsigned char *ider,
    size_t ilen)
{
	const unsigned char *p = der, *q = ider;
	X509 *x, *issuer;
	EVP_PKEY *k;
	int ok = 0;

	x = d2i_X509(NULL, &p, (long)len);
	issuer = d2i_X509(NULL, &q, (long)ilen);
	if (x != NULL && issuer != NULL) {
		k = X509_get0_pubkey(issuer);
		ok = k != NULL && X509_verify(x, k) == 1 &&
		    X509_NAME_cmp(X509_get_issuer_name(x),
		    X509_get_subject_name(issuer)) == 0;
	}
	X509_free(x);
	X509_free(issuer);
	return ok;
}

int
mc_tlsa_match(const struct mc_tlsa *t, const unsigned char *const *der,
    const size_t *derlen, size_t n)
{
	unsigned char *d;
	size_t i, k, dlen = 0;
	int ee = t->usage == MC_TLSA_DANE_EE || t->usage == MC_TLSA_PKIX_EE;

	if (t->usage > MC_TLSA_DANE_EE || t->selector > MC_TLSA_SPKI ||
	    t->mtype > MC_TLSA_SHA512)
		return -1;
	for (i = ee ? 0 : 1; i < n && (ee ? i < 1 : 1); i++) {
		d = mc_tlsa_digest(der[i], derlen[i], t->selector, t->mtype,
		    &dlen);
		if (d == NULL)
			return -2;
		if (dlen == t->len && memcmp(d, t->data, dlen) == 0) {
			free(d);
			for (k = 0; k < i; k++)
				if (!signed_by(der[k], derlen[k], der[k + 1],
				    derlen[k + 1]))
					return -1;
			return (int)i;
		}
		free(d);
	}
	return -1;
}
