/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dkim_verify.h - verifying a message's DKIM signatures
 *
 * mc_dkim_sig_parse() reads the value of one DKIM-Signature field (RFC
 * 6376 3.5) through the shared tag=value tokenizer into struct
 * mc_dkim_sig, or says why the signature is unusable (a permerror).
 *
 * mc_dkim_verify() verifies every DKIM-Signature of a message the way a
 * receiver does (RFC 6376 6, RFC 8301, RFC 8463): the keys are asked
 * through the DNS layer at once (so zone files and --resolver work), read
 * by the dkim check's key parser (src/dkim_key.c) and their constraints
 * applied (h=, k=, s=, t=s); the body and the signed header block are
 * canonicalized (simple or relaxed), hashed and verified with OpenSSL.
 * Each signature ends in an RFC 8601 result with a reason.  rsa-sha1 is
 * verified and then fails the RFC 8301 policy; a DNS failure is a
 * temperror, never a fail.  The steps (canonical body, body hash, signed
 * header block, key) are kept for --explain.
 *
 * Memory: everything returned comes from the arena given.
 */
#ifndef MAILCHECK_DKIM_VERIFY_H
#define MAILCHECK_DKIM_VERIFY_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/dns.h"
#include "mailcheck/message.h"

#define MC_DKIM_MAX_SIGS 32      /* signatures verified; more: neutral */
#define MC_DKIM_MAX_B64 4096     /* base64 characters of b= or bh= */
#define MC_DKIM_MAX_H 128        /* names in h= */
#define MC_DKIM_FUTURE_SLOP 300  /* seconds a t= may be ahead of our clock */
#define MC_DKIM_MIN_RSA_BITS 1024 /* RFC 8301 3.2 */
#define MC_ARC_MAX_INSTANCE 50   /* RFC 8617 4.2.1 */

/* RFC 8601 2.7.1 results */
enum mc_auth_result {
	MC_AUTH_NONE,
	MC_AUTH_PASS,
	MC_AUTH_FAIL,
	MC_AUTH_NEUTRAL,
	MC_AUTH_TEMPERROR,
	MC_AUTH_PERMERROR,
	MC_AUTH_SOFTFAIL,        /* SPF only */
};
/* "none", "pass", "fail", "neutral", "temperror", "permerror", "softfail" */
const char *mc_auth_result_str(enum mc_auth_result r);

enum mc_dkim_alg {
	MC_DKIM_RSA_SHA256,
	MC_DKIM_RSA_SHA1,
	MC_DKIM_ED25519_SHA256,
};

/* What a signature field is: RFC 6376, or RFC 8617's two. */
enum mc_dkim_kind {
	MC_DKIM_KIND_DKIM,    /* DKIM-Signature */
	MC_DKIM_KIND_AMS,     /* ARC-Message-Signature: no v=, i= instance */
	MC_DKIM_KIND_SEAL,    /* ARC-Seal: cv=, no h= or bh=, relaxed */
};

/* A parsed DKIM-Signature (strings NUL-terminated, arena). */
struct mc_dkim_sig {
	enum mc_dkim_kind kind;
	int instance;            /* ARC: i= (1-MC_ARC_MAX_INSTANCE) */
	const char *cv;          /* ARC-Seal: "none", "pass" or "fail" */
	enum mc_dkim_alg alg;
	const char *a;           /* a= as written */
	unsigned char *b;        /* b= decoded */
	size_t blen;
	unsigned char *bh;       /* bh= decoded */
	size_t bhlen;
	const char *bh_text;     /* bh= as written, whitespace removed */
	int relaxed_header, relaxed_body; /* c= */
	const char *d;           /* d=, lower case */
	const char *s;           /* s= */
	const char *i;           /* i=, or "@d" when absent */
	const char *h[MC_DKIM_MAX_H]; /* h= names, as written */
	size_t nh;
	long long l;             /* l=, or -1 */
	long long t, x;          /* t=, x=, or -1 */
	const char *z;           /* z=, or NULL */
	size_t bpos, bend;       /* b= value's bytes in the field's value */
};

/*
 * Parse len bytes at value (a DKIM-Signature's value) into *sig.  Returns
 * 0; 1 when the signature is unusable, with the reason (a permerror) in
 * *why; -1 when out of memory.
 */
int mc_dkim_sig_parse(struct mc_arena *a, const char *value, size_t len,
    struct mc_dkim_sig *sig, const char **why);
/* The same for a field of the given kind (RFC 8617 4.1.2, 4.1.3). */
int mc_dkim_sig_parse_kind(struct mc_arena *a, const char *value,
    size_t len, enum mc_dkim_kind kind, struct mc_dkim_sig *sig,
    const char **why);

/* The steps of one verification, for --explain. */
struct mc_dkim_explain {
	size_t body_len;         /* canonical body bytes hashed */
	size_t body_total;       /* canonical body bytes (l= may cut) */
	const char *body_first;  /* its first line and last line (arena) */
	const char *body_last;
	const char *bh_computed; /* base64 */
	const char *headers;     /* the canonical header block that was
	                            signed, the DKIM-Signature with b= emptied
	                            last (arena; may hold any byte) */
	size_t headers_len;
	const char *key_name;    /* s._domainkey.d */
	const char *key_record;  /* the TXT record used (arena), or NULL */
	int key_bits;            /* 0: no key read */
	const char *key_type;    /* "rsa", "ed25519", or NULL */
};

/* The verdict on one signature. */
struct mc_dkim_verdict {
	enum mc_auth_result result;
	const char *reason;      /* why (NULL for pass without remarks) */
	const char *domain;      /* d=, or NULL when it did not parse */
	const char *selector;    /* s=, or NULL */
	const char *identity;    /* i= (or @d), or NULL */
	const char *algorithm;   /* a=, or NULL */
	const char *canon;       /* "relaxed/simple", ... or NULL */
	const char *b_prefix;    /* first 8 characters of b= (RFC 6008) */
	long long l;             /* l= or -1 */
	int testing;             /* the key says t=y */
	const char *warning;     /* e.g. the l= warning, or NULL */
	struct mc_dkim_explain ex;
};

/*
 * Verify every DKIM-Signature of m at time now (seconds since the epoch)
 * through the DNS session.  *out gets an array (arena) of *n verdicts in
 * the fields' order.  Returns 0, or -1 when out of memory.
 */
int mc_dkim_verify(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_message *m, long long now,
    struct mc_dkim_verdict **out, size_t *n);

/*
 * One signature field sigf (parsed into sig) of m, with the answer to its
 * key question: the steps of mc_dkim_verify() for one signature (an
 * ARC-Message-Signature goes this way too).  0, or -1 out of memory.
 */
int mc_dkim_verify_field(struct mc_arena *a, const struct mc_message *m,
    const struct mc_msg_field *sigf, const struct mc_dkim_sig *sig,
    const struct mc_dns_answer *ans, long long now,
    struct mc_dkim_verdict *v);
/*
 * An ARC-Seal (RFC 8617 5.1.1): the signature over fields[0 .. n), in
 * that order and relaxed, the last being the seal itself with b= emptied.
 * 0, or -1 out of memory.
 */
int mc_dkim_verify_seal(struct mc_arena *a,
    const struct mc_msg_field *const *fields, size_t n,
    const struct mc_dkim_sig *sig, const struct mc_dns_answer *ans,
    long long now, struct mc_dkim_verdict *v);
/* The key name s._domainkey.d of a parsed signature (arena), or NULL
   (why in *why) when s= and d= do not make a DNS name. */
const char *mc_dkim_key_name(struct mc_arena *a,
    const struct mc_dkim_sig *sig, const char **why);

#endif
