/* SPDX-License-Identifier: ISC */
/*
 * src/dkim_key.c - DKIM key records (RFC 6376 3.6.1, RFC 8301, RFC 8463)
 *
 * The record goes through the shared tag=value tokenizer (mc_tv_parse: a
 * DKIM tag-list is invalid as a whole when one tag-spec is, RFC 6376 3.2),
 * then its tags are read in the order a verifier needs them: v=, k=, h=,
 * s=, t=, p=.  An empty tag entry (";;", a leading ';') is outside the
 * tag-list ABNF: dkimpy and strict verifiers reject such a key, so it is
 * a problem, but the rest is still read so that every problem is named.
 *
 * Decoding an RSA key with OpenSSL 3 (d2i_PUBKEY builds a decoder context
 * each time) costs about 2 million instructions, more than the rest of a
 * domain's checks together in bulk mode, where many domains publish the
 * same key.  What the check needs of it (does it decode, its encoding, its
 * size) depends on the key bytes alone, so it is remembered in a small
 * table keyed by those bytes (compared in full, never by a hash alone),
 * shared by the threads under a lock.  The EVP_PKEY itself is never
 * shared: MC_DKIM_KEY_KEEP_PKEY always decodes.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mailcheck/dkim_key.h"
#include "mailcheck/limits.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/util.h"
#include "banned.h"

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int problem(struct mc_arena *a, struct mc_dkim_key *k,
    enum mc_finding_id id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Add a problem; -1 when out of memory (more than the bound: dropped). */
static int
problem(struct mc_arena *a, struct mc_dkim_key *k, enum mc_finding_id id,
    const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (k->nproblem == MC_DKIM_MAX_PROBLEMS)
		return 0;
	va_start(ap, fmt);
	m = mc_arena_vprintf(a, fmt, ap);
	va_end(ap);
	if (m == NULL)
		return -1;
	k->problem[k->nproblem].id = id;
	k->problem[k->nproblem++].message = m;
	return 0;
}

/*
 * Strict base64 (RFC 4648 4) with whitespace allowed between characters,
 * as RFC 6376 3.6.1 permits in p=.  Writes at most outsize bytes; returns
 * the decoded length, or -1 with the offending character's index in *bad
 * and a reason.
 */
static long
b64_decode(const char *in, unsigned char *out, size_t outsize, size_t *bad,
    const char **why)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p;
	unsigned long acc = 0;
	size_t i, nchar = 0, npad = 0, o = 0;
	int v;

	for (i = 0; in[i] != '\0'; i++) {
		if (is_space((unsigned char)in[i]))
			continue;
		if (in[i] == '=') {
			npad++;
			nchar++;
			if (npad > 2) {
				*bad = i;
				*why = "too much padding";
				return -1;
			}
			continue;
		}
		p = strchr(alpha, in[i]);
		if (p == NULL) {
			*bad = i;
			*why = "character not in the base64 alphabet";
			return -1;
		}
		if (npad > 0) {
			*bad = i;
			*why = "data after the padding";
			return -1;
		}
		v = (int)(p - alpha);
		acc = (acc << 6) | (unsigned long)v;
		nchar++;
		if (nchar % 4 == 0) {
			if (o + 3 > outsize) {
				*bad = i;
				*why = "too long";
				return -1;
			}
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (nchar % 4 != 0) {
		*bad = i;
		*why = "truncated (length not a multiple of 4)";
		return -1;
	}
	if (npad > 0) {
		/* the last group held padding: acc holds 4 - npad characters */
		acc <<= 6 * npad;
		if (o + 3 - npad > outsize) {
			*bad = i;
			*why = "too long";
			return -1;
		}
		out[o++] = (unsigned char)(acc >> 16);
		if (npad == 1)
			out[o++] = (unsigned char)(acc >> 8);
	}
	return (long)o;
}

/* Parse an RSA public key in either DER encoding; NULL if neither. */
static EVP_PKEY *
rsa_from_der(const unsigned char *der, size_t len, const char **encoding,
    const char **why)
{
	OSSL_DECODER_CTX *dctx;
	const unsigned char *p = der;
	size_t left = len;
	EVP_PKEY *pkey;

	pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (pkey != NULL) {
		if ((size_t)(p - der) != len) {
			EVP_PKEY_free(pkey);
			*why = "bytes after the key";
			return NULL;
		}
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
			EVP_PKEY_free(pkey);
			*why = "the key is not an RSA key";
			return NULL;
		}
		*encoding = "spki";
		return pkey;
	}
	ERR_clear_error();
	pkey = NULL;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "type-specific",
	    "RSA", EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	if (dctx != NULL) {
		p = der;
		if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || left != 0) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		OSSL_DECODER_CTX_free(dctx);
	}
	ERR_clear_error();
	if (pkey == NULL) {
		*why = "neither a SubjectPublicKeyInfo nor an RSAPublicKey";
		return NULL;
	}
	*encoding = "pkcs1";
	return pkey;
}

/*
 * Remembered RSA key decodings (see the header): direct-mapped, a key in
 * the slot its middle two octets choose (the modulus: random bytes), a new
 * key replacing the old one there.  Keys longer than KEY_MEMO_DER are
 * decoded each time.
 */
#define KEY_MEMO_SLOTS 64
#define KEY_MEMO_DER 1100 /* an SPKI of a 8192-bit key is about 1060 */

struct key_memo {
	size_t len;         /* 0: empty */
	int bits;           /* 0 when the key does not decode */
	const char *encoding, *why; /* string constants */
	unsigned char der[KEY_MEMO_DER];
};

static struct key_memo key_memo[KEY_MEMO_SLOTS];
static pthread_mutex_t key_memo_lock = PTHREAD_MUTEX_INITIALIZER;

static struct key_memo *
memo_slot(const unsigned char *der, size_t len)
{
	return &key_memo[((size_t)der[len / 2] << 8 | der[(len + 1) / 2]) %
	    KEY_MEMO_SLOTS];
}

/* The RSA key's size (0: it does not decode, why says why); 0 or -1. */
static int
rsa_memo_get(const unsigned char *der, size_t len, int *bits,
    const char **encoding, const char **why)
{
	struct key_memo *m;
	int found = 0;

	if (len == 0 || len > KEY_MEMO_DER)
		return -1;
	m = memo_slot(der, len);
	pthread_mutex_lock(&key_memo_lock);
	if (m->len == len && memcmp(m->der, der, len) == 0) {
		*bits = m->bits;
		*encoding = m->encoding;
		*why = m->why;
		found = 1;
	}
	pthread_mutex_unlock(&key_memo_lock);
	return found ? 0 : -1;
}

static void
rsa_memo_put(const unsigned char *der, size_t len, int bits,
    const char *encoding, const char *why)
{
	struct key_memo *m;

	if (len == 0 || len > KEY_MEMO_DER)
		return;
	m = memo_slot(der, len);
	pthread_mutex_lock(&key_memo_lock);
	m->len = len;
	m->bits = bits;
	m->encoding = encoding;
	m->why = why;
	memcpy(m->der, der, len);
	pthread_mutex_unlock(&key_memo_lock);
}

/* The colon-separated elements of list that are in words, as bits. */
static unsigned
list_bits(struct mc_arena *a, const char *list, const char *const *words)
{
	const char *el[MC_TV_MAX_TAGS];
	unsigned bits = 0;
	long n, i;
	size_t w;

	n = mc_tv_split(a, list, ':', el, MC_TV_MAX_TAGS);
	for (i = 0; i < n && i < MC_TV_MAX_TAGS; i++)
		for (w = 0; words[w] != NULL; w++)
			if (strcmp(el[i], words[w]) == 0)
				bits |= 1u << w;
	return bits;
}

/* Read the decoded p= as the key type says; 0, or -1 (no memory). */
static int
read_key(struct mc_arena *a, const char *subject, const unsigned char *der,
    size_t len, unsigned opts, struct mc_dkim_key *k)
{
	const char *why = NULL, *enc = NULL;
	EVP_PKEY *pkey;
	int bits;

	if (strcmp(k->ktype, "ed25519") == 0) {
		if (len != 32)
			return problem(a, k, MC_F_DKIM_KEY_INVALID, "ed25519 key "
			    "at %s is %zu bytes, not 32%s", subject, len,
			    len == 44 ? " (a SubjectPublicKeyInfo: RFC 8463 "
			    "wants the raw key)" : "");
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der,
		    len);
		ERR_clear_error();
		if (pkey == NULL)
			return problem(a, k, MC_F_DKIM_KEY_INVALID, "OpenSSL "
			    "cannot read the ed25519 key at %s", subject);
		k->type = MC_DKIM_KEY_ED25519;
		k->encoding = "raw";
		k->bits = 256;
	} else if (!(opts & MC_DKIM_KEY_KEEP_PKEY) &&
	    rsa_memo_get(der, len, &bits, &enc, &why) == 0) {
		/* decoded before: no EVP_PKEY wanted, none made */
		if (bits == 0)
			return problem(a, k, MC_F_DKIM_KEY_INVALID, "OpenSSL "
			    "cannot read the RSA key at %s: %s", subject, why);
		k->type = MC_DKIM_KEY_RSA;
		k->encoding = enc;
		k->bits = bits;
		return 0;
	} else {
		pkey = rsa_from_der(der, len, &enc, &why);
		bits = pkey != NULL ? EVP_PKEY_get_bits(pkey) : 0;
		if (pkey == NULL || bits > 0)
			rsa_memo_put(der, len, bits, enc, why);
		if (pkey == NULL)
			return problem(a, k, MC_F_DKIM_KEY_INVALID, "OpenSSL "
			    "cannot read the RSA key at %s: %s", subject, why);
		k->type = MC_DKIM_KEY_RSA;
		k->encoding = enc;
		k->bits = EVP_PKEY_get_bits(pkey);
	}
	if (opts & MC_DKIM_KEY_KEEP_PKEY)
		k->pkey = pkey;
	else
		EVP_PKEY_free(pkey);
	return 0;
}

/* p=: revoked, too long, not base64, or a key; 0 or -1 (no memory). */
static int
read_p(struct mc_arena *a, const char *subject, const struct mc_tv_tag *p,
    unsigned opts, struct mc_dkim_key *k)
{
	const char *why = "";
	unsigned char *der;
	size_t bad = 0, plen, i;
	long n;

	for (i = 0, plen = 0; p->value[i] != '\0'; i++)
		if (!is_space((unsigned char)p->value[i]))
			plen++;
	if (plen == 0) {
		k->revoked = 1;
		return problem(a, k, MC_F_DKIM_KEY_REVOKED, "key at %s is "
		    "revoked (empty p=)", subject);
	}
	if (plen > MC_DKIM_MAX_KEY_B64)
		return problem(a, k, MC_F_DKIM_KEY_INVALID, "key at %s is %zu "
		    "base64 characters, more than any key mailcheck reads (%d)",
		    subject, plen, MC_DKIM_MAX_KEY_B64);
	der = mc_arena_alloc(a, plen);
	if (der == NULL)
		return -1;
	n = b64_decode(p->value, der, plen, &bad, &why);
	if (n == -1)
		return problem(a, k, MC_F_DKIM_KEY_BASE64, "p= of the key at %s "
		    "is not valid base64: %s (offset %zu)", subject, why,
		    p->vpos + bad);
	k->raw = der;
	k->rawlen = (size_t)n;
	return read_key(a, subject, der, (size_t)n, opts, k);
}

/* The tags before p=: 1 go on, 0 stop (a fatal problem), -1 no memory. */
static int
read_tags(struct mc_arena *a, const char *subject, const struct mc_tv_list *l,
    struct mc_dkim_key *k)
{
	static const char *const hashes[] = { "sha1", "sha256", NULL };
	static const char *const flags[] = { "y", "s", NULL };
	static const char *const services[] = { "*", "email", NULL };
	const struct mc_tv_tag *t;

	t = mc_tv_get(l, "v");
	if (t != NULL && t != &l->tag[0])
		return problem(a, k, MC_F_DKIM_VERSION_INVALID, "key record at "
		    "%s has v= but not as its first tag", subject);
	if (t != NULL && strcmp(t->value, "DKIM1") != 0)
		return problem(a, k, MC_F_DKIM_VERSION_INVALID, "key record at "
		    "%s has v=%s, not v=DKIM1", subject, t->value);
	if ((t = mc_tv_get(l, "k")) != NULL)
		k->ktype = t->value;
	if (strcmp(k->ktype, "rsa") != 0 && strcmp(k->ktype, "ed25519") != 0)
		return problem(a, k, MC_F_DKIM_KEY_TYPE_UNKNOWN, "key record at "
		    "%s has unknown key type k=%s", subject, k->ktype);
	if ((t = mc_tv_get(l, "h")) != NULL)
		k->hashes = list_bits(a, t->value, hashes);
	if (!(k->hashes & MC_DKIM_HASH_SHA256) && problem(a, k,
	    MC_F_DKIM_HASH_SHA1_ONLY, "key record at %s allows %s (h=%s)",
	    subject, k->hashes & MC_DKIM_HASH_SHA1 ? "only sha1" :
	    "no hash verifiers use", t->value) == -1)
		return -1;
	if ((t = mc_tv_get(l, "s")) != NULL)
		k->services = list_bits(a, t->value, services);
	if (k->services == 0 && problem(a, k, MC_F_DKIM_SERVICE_NOT_EMAIL,
	    "key record at %s is for service s=%s, not email", subject,
	    t->value) == -1)
		return -1;
	if ((t = mc_tv_get(l, "t")) != NULL)
		k->flags = list_bits(a, t->value, flags);
	if ((k->flags & MC_DKIM_FLAG_TESTING) && problem(a, k,
	    MC_F_DKIM_TESTING, "key at %s is in testing mode (t=y)",
	    subject) == -1)
		return -1;
	return 1;
}

int
mc_dkim_key_parse(struct mc_arena *a, const char *subject, const char *rec,
    size_t len, unsigned opts, struct mc_dkim_key *k)
{
	struct mc_tv_list *l;
	const struct mc_tv_tag *p;
	int rc;

	memset(k, 0, sizeof(*k));
	k->ktype = "rsa";
	k->hashes = MC_DKIM_HASH_SHA1 | MC_DKIM_HASH_SHA256;
	k->services = MC_DKIM_SERVICE_ANY;
	l = mc_arena_alloc(a, sizeof(*l));
	if (l == NULL)
		return -1;
	if (mc_tv_parse(a, rec, len, l) == -1) {
		if (l->err == MC_TV_ERR_NOMEM)
			return -1;
		if (l->err == MC_TV_ERR_DUPLICATE)
			return problem(a, k, MC_F_DKIM_RECORD_SYNTAX, "key record "
			    "at %s repeats tag '%s' (offsets %zu and %zu): the "
			    "record is invalid", subject, mc_escape(a,
			    rec + l->errpos, strcspn(rec + l->errpos,
			    " \t=;")), l->duppos, l->errpos);
		return problem(a, k, MC_F_DKIM_RECORD_SYNTAX, "key record at "
		    "%s: %s at offset %zu", subject, mc_tv_strerror(l->err),
		    l->errpos);
	}
	/* RFC 6376 3.2: tag-spec *( ";" tag-spec ) [ ";" ], no empty one */
	if (l->nempty > 0 && problem(a, k, MC_F_DKIM_RECORD_SYNTAX, "key "
	    "record at %s has an empty tag entry (a ';' with no tag before "
	    "it) at offset %zu%s: RFC 6376 3.2 does not allow it, and "
	    "dkimpy and strict verifiers reject the key, so every signature "
	    "fails there", subject, l->emptypos, l->nempty > 1 ?
	    mc_arena_printf(a, " and %zu more", l->nempty - 1) : "") == -1)
		return -1;
	rc = read_tags(a, subject, l, k);
	if (rc != 1)
		return rc;
	p = mc_tv_get(l, "p");
	if (p == NULL)
		return problem(a, k, MC_F_DKIM_KEY_MISSING, "key record at %s "
		    "has no p= tag", subject);
	return read_p(a, subject, p, opts, k);
}

void
mc_dkim_key_release(struct mc_dkim_key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

int
mc_dkim_key_looks(struct mc_arena *a, const char *rec, size_t len)
{
	struct mc_tv_list *l;

	if (len >= 6 && strncmp(rec, "v=DKIM", 6) == 0)
		return 1;
	l = mc_arena_alloc(a, sizeof(*l));
	if (l == NULL)
		return 0;
	(void)mc_tv_parse(a, rec, len, l);
	if (mc_tv_get(l, "v") != NULL &&
	    strncmp(mc_tv_get(l, "v")->value, "DKIM", 4) != 0)
		return 0;
	return mc_tv_get(l, "p") != NULL || mc_tv_get(l, "k") != NULL;
}
