/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dkim_key.c - the DKIM key record parser, table-driven
 *
 * Each row is a key record (a prefix, one of the keys below, a suffix) and
 * what the parser must make of it: key type, bits, encoding, flags, hash
 * and service sets, and the problems as finding codes in order.  Rows cite
 * the section that decides them; "class 9" is the class of issue 16.
 * The keys are the ones of fixtures/dkim (generated for the project).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "mailcheck/dkim_key.h"
#include "mc_table.h"

static const char SPKI2048[] =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxT4yqFjQmyJev+CxN4YL"
    "UDp7Bc7y/y1Sk6YB0nD1Y97J7cqwmLebucvudJ5W61i8zMG+EB/+aRA0t1LCUGqw"
    "ZC00qrMtWZa8NF/kDbOa28+Vd31cU+WQWtR17lMRcDCwSyfgUrNSQiEStrdWEi4W"
    "eh+SNcOENuR3Y0dR2VWWlyRps9taW3SacdT398z+QaDpKT633HxuSb5KCs+h+OJT"
    "khccxv3BChwX1BibnFmqOEENERgvAcngNCbascBCEwJb0nx7P/g9XaKaXdIWwrSF"
    "gr9wmwFzNgWawGh36GNYME0hxgRrwTE31LsGlgxffrFmUNsG9Yd1ZStmG686tum2"
    "1QIDAQAB";
static const char PKCS1_2048[] =
    "MIIBCgKCAQEAxT4yqFjQmyJev+CxN4YLUDp7Bc7y/y1Sk6YB0nD1Y97J7cqwmLeb"
    "ucvudJ5W61i8zMG+EB/+aRA0t1LCUGqwZC00qrMtWZa8NF/kDbOa28+Vd31cU+WQ"
    "WtR17lMRcDCwSyfgUrNSQiEStrdWEi4Weh+SNcOENuR3Y0dR2VWWlyRps9taW3Sa"
    "cdT398z+QaDpKT633HxuSb5KCs+h+OJTkhccxv3BChwX1BibnFmqOEENERgvAcng"
    "NCbascBCEwJb0nx7P/g9XaKaXdIWwrSFgr9wmwFzNgWawGh36GNYME0hxgRrwTE3"
    "1LsGlgxffrFmUNsG9Yd1ZStmG686tum21QIDAQAB";
static const char SPKI1024[] =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC0LNf8wdRCk2eXt1+EAIAdDSfq"
    "4aLMR/a6hCdPzJdAZ5OB1Z2LvOJlUGtx81MAttOG2lztjMmdrEq4mmGe0LUXOmOT"
    "qMcY8/woNspqvj9N4zPUEZXFP6yrYlgVGuVcLYWV6huCviwlt49KciaB9al+E2Po"
    "gZJxDda5/cYffrI4PQIDAQAB";
static const char ED25519[] =
    "0U5SYzTJO5vAY0+gLuUpZYILkDWXlazeRVpP4GRcU7E=";

struct row {
	const char *name;
	const char *pre, *key, *post; /* the record: pre key post */
	enum mc_dkim_key_type type;
	int bits;
	const char *encoding;         /* NULL: none */
	unsigned hashes, flags, services;
	const char *problems;         /* "code code", "" for none */
};

#define RSA MC_DKIM_KEY_RSA
#define ED MC_DKIM_KEY_ED25519
#define NOKEY MC_DKIM_KEY_NONE
#define H_ALL (MC_DKIM_HASH_SHA1 | MC_DKIM_HASH_SHA256)
#define S_ANY MC_DKIM_SERVICE_ANY

static const struct row rows[] = {
	{ "rsa 2048 spki (RFC 6376 3.6.1)", "v=DKIM1; k=rsa; p=", SPKI2048, "",
	    RSA, 2048, "spki", H_ALL, 0, S_ANY, "" },
	{ "rsa 2048 pkcs1 (seen in the wild)", "v=DKIM1; p=", PKCS1_2048, "",
	    RSA, 2048, "pkcs1", H_ALL, 0, S_ANY, "" },
	{ "rsa 1024: measured, judged by the check (RFC 8301 3.2)", "p=",
	    SPKI1024, "", RSA, 1024, "spki", H_ALL, 0, S_ANY, "" },
	{ "ed25519 raw (RFC 8463 4)", "v=DKIM1; k=ed25519; p=", ED25519, "",
	    ED, 256, "raw", H_ALL, 0, S_ANY, "" },
	{ "ed25519 given an RSA key (RFC 8463 4)", "k=ed25519; p=", SPKI2048,
	    "", NOKEY, 0, NULL, H_ALL, 0, S_ANY, "dkim.key-invalid" },
	{ "folded p= (RFC 6376 3.6.1 allows FWS)", "v=DKIM1; p=MIIBIjANBg "
	    "kqhkiG9w0B", SPKI2048 + 20, "", RSA, 2048, "spki", H_ALL, 0, S_ANY,
	    "" },
	{ "class 9: ';;' is an empty tag entry (RFC 6376 3.2)",
	    "v=DKIM1; k=rsa;; p=", SPKI2048, "", RSA, 2048, "spki", H_ALL, 0,
	    S_ANY, "dkim.record-syntax" },
	{ "class 9: a leading ';' (RFC 6376 3.2)", ";v=DKIM1; p=", SPKI2048,
	    "", RSA, 2048, "spki", H_ALL, 0, S_ANY, "dkim.record-syntax" },
	{ "class 9: two trailing ';' (RFC 6376 3.2)", "v=DKIM1; p=", SPKI2048,
	    ";;", RSA, 2048, "spki", H_ALL, 0, S_ANY, "dkim.record-syntax" },
	{ "one trailing ';' is allowed (RFC 6376 3.2)", "v=DKIM1; p=",
	    SPKI2048, ";", RSA, 2048, "spki", H_ALL, 0, S_ANY, "" },
	{ "revoked: empty p= (RFC 6376 3.6.1)", "v=DKIM1; p=", "", "", NOKEY,
	    0, NULL, H_ALL, 0, S_ANY, "dkim.key-revoked" },
	{ "no p= (RFC 6376 3.6.1)", "v=DKIM1; k=rsa", "", "", NOKEY, 0, NULL,
	    H_ALL, 0, S_ANY, "dkim.key-missing" },
	{ "v= not first (RFC 6376 3.6.1)", "k=rsa; v=DKIM1; p=", SPKI2048, "",
	    NOKEY, 0, NULL, H_ALL, 0, S_ANY, "dkim.version-invalid" },
	{ "v=DKIM2 (RFC 6376 3.6.1)", "v=DKIM2; p=", SPKI2048, "", NOKEY, 0,
	    NULL, H_ALL, 0, S_ANY, "dkim.version-invalid" },
	{ "unknown k= (RFC 6376 3.6.1)", "v=DKIM1; k=dsa; p=", SPKI2048, "",
	    NOKEY, 0, NULL, H_ALL, 0, S_ANY, "dkim.key-type-unknown" },
	{ "h=sha1 only (RFC 8301 3.1)", "v=DKIM1; h=sha1; p=", SPKI2048, "",
	    RSA, 2048, "spki", MC_DKIM_HASH_SHA1, 0, S_ANY,
	    "dkim.hash-sha1-only" },
	{ "h=sha256 (RFC 6376 3.6.1)", "v=DKIM1; h=sha256; p=", SPKI2048, "",
	    RSA, 2048, "spki", MC_DKIM_HASH_SHA256, 0, S_ANY, "" },
	{ "s=email, t=y:s (RFC 6376 3.6.1)", "v=DKIM1; s=email; t=y:s; p=",
	    SPKI2048, "", RSA, 2048, "spki", H_ALL,
	    MC_DKIM_FLAG_TESTING | MC_DKIM_FLAG_STRICT, MC_DKIM_SERVICE_EMAIL,
	    "dkim.testing" },
	{ "s=tlsrpt only (RFC 6376 3.6.1)", "v=DKIM1; s=tlsrpt; p=", SPKI2048,
	    "", RSA, 2048, "spki", H_ALL, 0, 0, "dkim.service-not-email" },
	{ "rsa: base64 of bytes that are no key (RFC 6376 3.6.1)",
	    "v=DKIM1; p=", "AAAA", "", NOKEY, 0, NULL, H_ALL, 0, S_ANY,
	    "dkim.key-invalid" },
	{ "bad base64 (RFC 6376 3.6.1)", "v=DKIM1; p=MIIB!", "", "", NOKEY, 0,
	    NULL, H_ALL, 0, S_ANY, "dkim.key-base64" },
	{ "repeated tag (RFC 6376 3.2)", "v=DKIM1; p=A; p=", SPKI2048, "",
	    NOKEY, 0, NULL, H_ALL, 0, S_ANY, "dkim.record-syntax" },
	{ "non-ASCII byte (RFC 6376 3.2)", "v=DKIM1; n=\xc3\xa9; p=",
	    SPKI2048, "", NOKEY, 0, NULL, H_ALL, 0, S_ANY,
	    "dkim.record-syntax" },
};

/*
 * Parse r's record with opts.  Each row is parsed three times: a first
 * decoding of the key or one remembered (src/dkim_key.c keeps what an RSA
 * key decodes to by its bytes), then once more with the EVP_PKEY kept,
 * which always decodes: all three must agree.
 */
static void
parse_row(const struct row *r, unsigned opts)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_dkim_key k;
	char rec[2048], got[512];
	size_t i, o = 0;
	int len;

	assert_non_null(a);
	len = snprintf(rec, sizeof(rec), "%s%s%s", r->pre, r->key, r->post);
	assert_true(len > 0 && (size_t)len < sizeof(rec));
	assert_int_equal(mc_dkim_key_parse(a, "s._domainkey.x", rec,
	    (size_t)len, opts, &k), 0);
	got[0] = '\0';
	for (i = 0; i < k.nproblem; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s",
		    i > 0 ? " " : "", mc_finding_def(k.problem[i].id)->code);
	if (strcmp(got, r->problems) != 0)
		fail_msg("%s: problems '%s', want '%s'", r->name, got,
		    r->problems);
	if (k.type != r->type || k.bits != r->bits)
		fail_msg("%s: type %d bits %d, want %d %d", r->name, k.type,
		    k.bits, r->type, r->bits);
	if ((k.encoding == NULL) != (r->encoding == NULL) || (k.encoding !=
	    NULL && strcmp(k.encoding, r->encoding) != 0))
		fail_msg("%s: encoding %s, want %s", r->name,
		    k.encoding ? k.encoding : "none",
		    r->encoding ? r->encoding : "none");
	if (k.hashes != r->hashes || k.flags != r->flags ||
	    k.services != r->services)
		fail_msg("%s: h %u t %u s %u, want %u %u %u", r->name, k.hashes,
		    k.flags, k.services, r->hashes, r->flags, r->services);
	/* a key read is kept for the verifier, and only then */
	assert_int_equal(k.pkey != NULL, r->type != NOKEY &&
	    (opts & MC_DKIM_KEY_KEEP_PKEY));
	if (k.pkey != NULL)
		assert_int_equal(EVP_PKEY_get_bits(k.pkey), r->bits);
	mc_dkim_key_release(&k);
	mc_dkim_key_release(&k);
	mc_arena_free(a);
}

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);

	parse_row(r, 0);
	parse_row(r, 0);
	parse_row(r, MC_DKIM_KEY_KEEP_PKEY);
}

static void
test_looks(void **state)
{
	struct mc_arena *a = mc_arena_new();

	(void)state;
	assert_non_null(a);
	assert_true(mc_dkim_key_looks(a, "v=DKIM1; p=", 11));
	assert_true(mc_dkim_key_looks(a, "k=rsa; p=AB", 11));
	assert_false(mc_dkim_key_looks(a, "v=spf1 -all", 11));
	assert_false(mc_dkim_key_looks(a, "google-site-verification=x", 26));
	mc_arena_free(a);
}

int
main(void)
{
	struct CMUnitTest t[48];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_looks);
	return mc_table_run("dkim_key", t, n, NULL, NULL);
}
