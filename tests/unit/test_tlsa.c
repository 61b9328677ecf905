/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_tlsa.c - TLSA parsing (table-driven) and matching
 *
 * Parsing rows give the presentation form and the expected status, fields
 * and data length.  Matching builds a small CA and a leaf it signed with
 * libcrypto at run time, computes records from them with mc_tlsa_digest()
 * and checks which depth each record matches, including the records that
 * must not match (a TA record naming the leaf, a chain whose leaf the TA
 * did not sign, an unknown usage).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mailcheck/tlsa.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *in;
	enum mc_tlsa_status st;
	unsigned usage, selector, mtype;
	size_t len;
};

#define H32 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct row rows[] = {
	{ "dane-ee spki sha256", "3 1 1 " H32, MC_TLSA_OK, 3, 1, 1, 32 },
	{ "upper-case hex", "3 1 1 0123456789ABCDEF0123456789ABCDEF"
	    "0123456789ABCDEF0123456789ABCDEF", MC_TLSA_OK, 3, 1, 1, 32 },
	{ "hex split by spaces", "2 0 1 01234567 89abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", MC_TLSA_OK, 2, 0, 1, 32 },
	{ "sha512", "3 1 2 " H32 H32, MC_TLSA_OK, 3, 1, 2, 64 },
	{ "full data any length", "3 0 0 3082", MC_TLSA_OK, 3, 0, 0, 2 },
	{ "pkix-ee parses", "1 1 1 " H32, MC_TLSA_OK, 1, 1, 1, 32 },
	{ "sha256 too short", "3 1 1 0123", MC_TLSA_BAD_LENGTH, 3, 1, 1, 2 },
	{ "sha512 with 32 bytes", "3 1 2 " H32, MC_TLSA_BAD_LENGTH, 3, 1, 2,
	    32 },
	{ "unknown usage", "4 1 1 " H32, MC_TLSA_UNKNOWN_USAGE, 4, 1, 1, 32 },
	{ "unknown selector", "3 2 1 " H32, MC_TLSA_UNKNOWN_SELECTOR, 3, 2,
	    1, 32 },
	{ "unknown mtype", "3 1 9 " H32, MC_TLSA_UNKNOWN_MTYPE, 3, 1, 9, 32 },
	{ "usage 255", "255 1 1 " H32, MC_TLSA_UNKNOWN_USAGE, 255, 1, 1, 32 },
	{ "usage 256", "256 1 1 " H32, MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "empty", "", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "two numbers", "3 1", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "no data", "3 1 1", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "no data, trailing space", "3 1 1 ", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "odd digits", "3 1 1 012", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "not hex", "3 1 1 01zz", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "letters for numbers", "a b c 00", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "number glued to data", "3 1 1abc", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
	{ "control byte", "3 1 1 00\x01", MC_TLSA_MALFORMED, 0, 0, 0, 0 },
};

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct mc_arena *a = mc_arena_new();
	struct mc_tlsa t;
	char err[128] = "";
	enum mc_tlsa_status st;

	assert_non_null(a);
	st = mc_tlsa_parse(a, r->in, strlen(r->in), &t, err, sizeof(err));
	assert_int_equal(st, r->st);
	if (st == MC_TLSA_MALFORMED) {
		assert_true(err[0] != '\0');
	} else {
		assert_int_equal(t.usage, r->usage);
		assert_int_equal(t.selector, r->selector);
		assert_int_equal(t.mtype, r->mtype);
		assert_int_equal(t.len, r->len);
	}
	mc_arena_free(a);
}

/* 64 KiB of data: parsed without overflow, and refused as too big. */
static void
test_huge(void **state)
{
	struct mc_arena *a = mc_arena_new();
	size_t n = 6 + 2 * 70000;
	char *s = malloc(n + 1), err[128];
	struct mc_tlsa t;

	(void)state;
	assert_non_null(s);
	memcpy(s, "3 0 0 ", 6);
	memset(s + 6, 'a', n - 6);
	s[n] = '\0';
	assert_int_equal(mc_tlsa_parse(a, s, n, &t, err, sizeof(err)),
	    MC_TLSA_MALFORMED);
	/* exactly 65535 bytes is fine */
	n = 6 + 2 * 65535;
	assert_int_equal(mc_tlsa_parse(a, s, n, &t, err, sizeof(err)),
	    MC_TLSA_OK);
	assert_int_equal(t.len, 65535);
	free(s);
	mc_arena_free(a);
}

/* A certificate for subject cn with key k, signed by issuer (NULL: self). */
static unsigned char *
make_cert(const char *cn, EVP_PKEY *k, const char *issuer, EVP_PKEY *ik,
    size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *n;
	unsigned char *der = NULL;
	int l;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)(issuer ? issuer : cn), -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	X509_sign(x, ik ? ik : k, EVP_sha256());
	l = i2d_X509(x, &der);
	X509_free(x);
	assert_true(l > 0);
	*len = (size_t)l;
	return der;
}

static void
record(struct mc_tlsa *t, unsigned u, unsigned s, unsigned m,
    const unsigned char *der, size_t len)
{
	t->usage = u;
	t->selector = s;
	t->mtype = m;
	t->data = mc_tlsa_digest(der, len, s, m, &t->len);
	assert_non_null(t->data);
}

static void
test_match(void **state)
{
	EVP_PKEY *cak = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *leafk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *otherk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	unsigned char *ca, *leaf, *stray, junk[3] = { 1, 2, 3 };
	const unsigned char *chain[2], *bad[2];
	size_t calen, leaflen, straylen, lens[2], badlens[2];
	struct mc_tlsa t;

	(void)state;
	assert_non_null(cak);
	ca = make_cert("test ca", cak, NULL, NULL, &calen);
	leaf = make_cert("mx.example", leafk, "test ca", cak, &leaflen);
	/* claims the CA as issuer, signed by another key */
	stray = make_cert("mx.example", leafk, "test ca", otherk, &straylen);
	chain[0] = leaf;
	chain[1] = ca;
	lens[0] = leaflen;
	lens[1] = calen;

	record(&t, MC_TLSA_DANE_EE, MC_TLSA_SPKI, MC_TLSA_SHA256, leaf, leaflen);
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), 0);
	free(t.data);
	record(&t, MC_TLSA_DANE_EE, MC_TLSA_CERT, MC_TLSA_FULL, leaf, leaflen);
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), 0);
	free(t.data);
	record(&t, MC_TLSA_DANE_EE, MC_TLSA_CERT, MC_TLSA_SHA512, leaf, leaflen);
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), 0);
	/* the same digest, one bit off */
	t.data[0] ^= 1;
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), -1);
	free(t.data);
	/* DANE-EE names the leaf only, never the CA */
	record(&t, MC_TLSA_DANE_EE, MC_TLSA_SPKI, MC_TLSA_SHA256, ca, calen);
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), -1);
	free(t.data);
	/* DANE-TA names the CA at depth 1 */
	record(&t, MC_TLSA_DANE_TA, MC_TLSA_SPKI, MC_TLSA_SHA256, ca, calen);
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), 1);
	/* ... but not when the leaf was not signed by it */
	chain[0] = stray;
	lens[0] = straylen;
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), -1);
	chain[0] = leaf;
	lens[0] = leaflen;
	free(t.data);
	/* a TA record naming the leaf itself matches nothing */
	record(&t, MC_TLSA_DANE_TA, MC_TLSA_SPKI, MC_TLSA_SHA256, leaf, leaflen);
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), -1);
	/* unknown usage: never a match */
	t.usage = 7;
	assert_int_equal(mc_tlsa_match(&t, chain, lens, 2), -1);
	free(t.data);
	/* a certificate that is not DER: an error, not a crash */
	record(&t, MC_TLSA_DANE_EE, MC_TLSA_SPKI, MC_TLSA_SHA256, leaf, leaflen);
	bad[0] = junk;
	badlens[0] = sizeof(junk);
	assert_int_equal(mc_tlsa_match(&t, bad, badlens, 1), -2);
	assert_null(mc_tlsa_digest(junk, sizeof(junk), 1, 1, &badlens[1]));
	free(t.data);

	OPENSSL_free(ca);
	OPENSSL_free(leaf);
	OPENSSL_free(stray);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(leafk);
	EVP_PKEY_free(otherk);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_huge);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_match);
	return mc_table_run("tlsa", t, n, NULL, NULL);
}
