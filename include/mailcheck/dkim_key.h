/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dkim_key.h - DKIM key records (RFC 6376 3.6.1, RFC 8463)
 *
 * mc_dkim_key_parse() reads the text of one key record (the joined TXT
 * strings at <selector>._domainkey.<domain>) into struct mc_dkim_key: key
 * type, size, flags, hash and service lists, the decoded public key (raw
 * bytes, and as an OpenSSL EVP_PKEY on request), and the problems found,
 * each a finding id and a message.  The dkim check reports the problems
 * and judges the key size; the message verifier uses the key.
 *
 * p= is decoded with a bounded, strict base64 decoder and handed to
 * OpenSSL: RSA as SubjectPublicKeyInfo or as a bare PKCS#1 RSAPublicKey
 * (both occur in the wild), ed25519 as the raw 32 bytes of RFC 8463.  Only
 * DER parsing is done (no primality or other key checks), so a 16384-bit
 * key costs microseconds.
 *
 * Memory: strings and the decoded key come from the arena given.  The
 * EVP_PKEY, when MC_DKIM_KEY_KEEP_PKEY asked for it, is owned by the
 * struct: mc_dkim_key_release() frees it (and may always be called).
 */
#ifndef MAILCHECK_DKIM_KEY_H
#define MAILCHECK_DKIM_KEY_H

#include <stddef.h>

#include <openssl/types.h>

#include "mailcheck/arena.h"
#include "mailcheck/report.h"

enum mc_dkim_key_type {
	MC_DKIM_KEY_NONE,     /* no key read (see the problems) */
	MC_DKIM_KEY_RSA,
	MC_DKIM_KEY_ED25519,
};

/* h= (hash algorithms; both when absent) */
#define MC_DKIM_HASH_SHA1 (1u << 0)
#define MC_DKIM_HASH_SHA256 (1u << 1)
/* t= flags */
#define MC_DKIM_FLAG_TESTING (1u << 0) /* y */
#define MC_DKIM_FLAG_STRICT (1u << 1)  /* s: no subdomains in i= */
/* s= service types ("*" when absent) */
#define MC_DKIM_SERVICE_ANY (1u << 0)  /* * */
#define MC_DKIM_SERVICE_EMAIL (1u << 1)

#define MC_DKIM_KEY_KEEP_PKEY (1u << 0) /* mc_dkim_key_parse: keep pkey */

#define MC_DKIM_MAX_PROBLEMS 8

struct mc_dkim_key_problem {
	enum mc_finding_id id;
	const char *message;
};

struct mc_dkim_key {
	enum mc_dkim_key_type type;
	const char *ktype;        /* k= as written; "rsa" when absent */
	const char *encoding;     /* "spki", "pkcs1" (RSA), "raw" (ed25519) */
	int bits;                 /* RSA modulus bits; 256 for ed25519 */
	int revoked;              /* empty p= (RFC 6376 3.6.1) */
	unsigned hashes;          /* MC_DKIM_HASH_* */
	unsigned flags;           /* MC_DKIM_FLAG_* */
	unsigned services;        /* MC_DKIM_SERVICE_* */
	const unsigned char *raw; /* p= decoded (arena), or NULL */
	size_t rawlen;
	EVP_PKEY *pkey;           /* with MC_DKIM_KEY_KEEP_PKEY, or NULL */
	struct mc_dkim_key_problem problem[MC_DKIM_MAX_PROBLEMS];
	size_t nproblem;
};

/*
 * Parse len bytes at rec into *k; subject names the record in messages.
 * Problems are findings about the record (syntax, version, key type,
 * hashes, services, testing, a missing, revoked or unreadable key); the
 * key's size is the caller's to judge.  Returns 0, or -1 when out of
 * memory.
 */
int mc_dkim_key_parse(struct mc_arena *a, const char *subject,
    const char *rec, size_t len, unsigned opts, struct mc_dkim_key *k);
/* Free what k owns (the EVP_PKEY); k may be zeroed or parsed. */
void mc_dkim_key_release(struct mc_dkim_key *k);
/*
 * Does this TXT record look like a DKIM key record at all (v=DKIM..., or
 * a p= or k= tag without another v=)?  1 or 0.
 */
int mc_dkim_key_looks(struct mc_arena *a, const char *rec, size_t len);

#endif
