/* SPDX-License-Identifier: ISC */
/*
 * src/dkim_verify.c - verifying DKIM signatures (RFC 6376 3.4-3.7, 6;
 * RFC 8301; RFC 8463)
 *
 * mc_dkim_verify() works in three steps: parse every DKIM-Signature (the
 * value through the tag=value tokenizer, mc_tv_parse), ask every key at
 * once (mc_dns_lookup_batch), then verify each signature: the key read by
 * mc_dkim_key_parse() and its constraints applied, the body canonicalized
 * and hashed and compared with bh=, the header block built (the h= fields
 * taken bottom-up, a name listed more often than it occurs contributing
 * nothing: oversigning) and the signature checked with OpenSSL.  The two
 * canonical bodies are built at most once each and shared by the
 * signatures that use them.  Every failure says why, in the words of RFC
 * 6376 6.1 where it has some.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "mailcheck/dkim_key.h"
#include "mailcheck/dkim_verify.h"
#include "mailcheck/domain.h"
#include "mailcheck/limits.h"
#include "mailcheck/tagvalue.h"
#include "banned.h"

const char *
mc_auth_result_str(enum mc_auth_result r)
{
	static const char *const names[] = {
		[MC_AUTH_NONE] = "none", [MC_AUTH_PASS] = "pass",
		[MC_AUTH_FAIL] = "fail", [MC_AUTH_NEUTRAL] = "neutral",
		[MC_AUTH_TEMPERROR] = "temperror",
		[MC_AUTH_PERMERROR] = "permerror",
		[MC_AUTH_SOFTFAIL] = "softfail",
	};

	if ((size_t)r >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[r];
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * Decode base64 with folding whitespace allowed (RFC 6376 2.11); NULL
 * with *why when it is not base64 or longer than MC_DKIM_MAX_B64.
 */
static unsigned char *
b64_decode(struct mc_arena *a, const char *in, size_t *outlen,
    const char **text, const char **why)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *clean;
	unsigned char *out;
	size_t i, n = 0, pad = 0, inlen = strlen(in);
	int dec;

	clean = mc_arena_alloc(a, (inlen < MC_DKIM_MAX_B64 ? inlen :
	    MC_DKIM_MAX_B64) + 1);
	if (clean == NULL) {
		*why = "out of memory";
		return NULL;
	}
	for (i = 0; i < inlen; i++) {
		char c = in[i];

		if (is_wsp((unsigned char)c) || c == '\r' || c == '\n')
			continue;
		if (n == MC_DKIM_MAX_B64) {
			*why = "too long";
			return NULL;
		}
		if (c == '=')
			pad++;
		else if (pad > 0 || c == '\0' || strchr(alpha, c) == NULL) {
			*why = "not base64";
			return NULL;
		}
		clean[n++] = c;
	}
	clean[n] = '\0';
	if (n == 0 || n % 4 != 0 || pad > 2) {
		*why = "not base64";
		return NULL;
	}
	out = mc_arena_alloc(a, n / 4 * 3 + 1);
	if (out == NULL) {
		*why = "out of memory";
		return NULL;
	}
	dec = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
	if (dec < 0) {
		*why = "not base64";
		return NULL;
	}
	*outlen = (size_t)dec - pad;
	if (text != NULL)
		*text = clean;
	return out;
}

/* A decimal number of at most 15 digits; -1 when it is not one. */
static long long
number(const char *s)
{
	long long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i == 15)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return i == 0 ? -1 : v;
}

/* Decode a DKIM-quoted-printable i= (RFC 6376 2.11); NULL if bad. */
static char *
qp_decode(struct mc_arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = mc_arena_alloc(a, strlen(s) + 1);
	const char *h1, *h2;
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '=') {
			out[o++] = s[i];
			continue;
		}
		if (s[i + 1] == '\0' || s[i + 2] == '\0')
			return NULL;
		h1 = strchr(hex, s[i + 1]);
		h2 = strchr(hex, s[i + 2]);
		if (h1 == NULL || h2 == NULL)
			return NULL;
		out[o++] = (char)((h1 - hex) * 16 + (h2 - hex));
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static int
parse_alg(struct mc_dkim_sig *sig, const char *a)
{
	if (strcmp(a, "rsa-sha256") == 0)
		sig->alg = MC_DKIM_RSA_SHA256;
	else if (strcmp(a, "rsa-sha1") == 0)
		sig->alg = MC_DKIM_RSA_SHA1;
	else if (strcmp(a, "ed25519-sha256") == 0)
		sig->alg = MC_DKIM_ED25519_SHA256;
	else
		return -1;
	return 0;
}

static int
parse_canon(struct mc_dkim_sig *sig, const char *c)
{
	const char *slash = strchr(c, '/');
	size_t hl = slash != NULL ? (size_t)(slash - c) : strlen(c);

	if (hl == 6 && strncmp(c, "simple", 6) == 0)
		sig->relaxed_header = 0;
	else if (hl == 7 && strncmp(c, "relaxed", 7) == 0)
		sig->relaxed_header = 1;
	else
		return -1;
	if (slash == NULL || strcmp(slash + 1, "simple") == 0)
		sig->relaxed_body = 0;
	else if (strcmp(slash + 1, "relaxed") == 0)
		sig->relaxed_body = 1;
	else
		return -1;
	return 0;
}

/* The domain part of an i= is d or under it?  1 or 0. */
static int
identity_in_domain(const char *i, const char *d)
{
	const char *at = strrchr(i, '@');
	size_t il, dl = strlen(d);

	if (at == NULL)
		return 0;
	at++;
	il = strlen(at);
	if (il > 0 && at[il - 1] == '.')
		il--;
	if (il == dl)
		return strncasecmp(at, d, dl) == 0;
	return il > dl && at[il - dl - 1] == '.' &&
	    strncasecmp(at + il - dl, d, dl) == 0;
}

static int read_common(struct mc_arena *a, const struct mc_tv_list *l,
    struct mc_dkim_sig *sig, const char **why);
static int read_arc_tags(struct mc_arena *a, const struct mc_tv_list *l,
    struct mc_dkim_sig *sig, const char **why);

/* The tags every signature needs, and the rules between them. */
static int
read_tags(struct mc_arena *a, const struct mc_tv_list *l,
    struct mc_dkim_sig *sig, const char **why)
{
	static const char *const req_dkim[] = { "v", "a", "b", "bh", "d",
	    "h", "s", NULL };
	static const char *const req_ams[] = { "i", "a", "b", "bh", "d",
	    "h", "s", NULL };
	static const char *const req_seal[] = { "i", "a", "b", "cv", "d", "s",
	    NULL };
	const char *const *required = sig->kind == MC_DKIM_KIND_DKIM ?
	    req_dkim : sig->kind == MC_DKIM_KIND_AMS ? req_ams : req_seal;
	size_t r;

	for (r = 0; required[r] != NULL; r++)
		if (mc_tv_get(l, required[r]) == NULL) {
			*why = mc_arena_printf(a, "signature has no %s= tag",
			    required[r]);
			return 1;
		}
	if (sig->kind != MC_DKIM_KIND_DKIM)
		return read_arc_tags(a, l, sig, why);
	if (strcmp(mc_tv_get(l, "v")->value, "1") != 0) {
		*why = "signature version is not v=1";
		return 1;
	}
	return read_common(a, l, sig, why);
}

/* The tags DKIM-Signature and the ARC fields share. */
static int
read_common(struct mc_arena *a, const struct mc_tv_list *l,
    struct mc_dkim_sig *sig, const char **why)
{
	const struct mc_tv_tag *t;
	char dom[MC_DNS_NAME_MAX + 2], err[256];
	const char *el[MC_DKIM_MAX_H + 1], *reason;
	long n, k;
	size_t from = 0;

	sig->a = mc_tv_get(l, "a")->value;
	if (parse_alg(sig, sig->a) == -1) {
		*why = mc_arena_printf(a, "unknown algorithm a=%s", sig->a);
		return 1;
	}
	sig->b = b64_decode(a, mc_tv_get(l, "b")->value, &sig->blen, NULL,
	    &reason);
	if (sig->b == NULL) {
		*why = mc_arena_printf(a, "b= is %s", reason);
		return 1;
	}
	if (sig->kind != MC_DKIM_KIND_SEAL) {
		sig->bh = b64_decode(a, mc_tv_get(l, "bh")->value, &sig->bhlen,
		    &sig->bh_text, &reason);
		if (sig->bh == NULL) {
			*why = mc_arena_printf(a, "bh= is %s", reason);
			return 1;
		}
	}
	t = mc_tv_get(l, "c");
	if (t != NULL && parse_canon(sig, t->value) == -1) {
		*why = mc_arena_printf(a, "unknown canonicalization c=%s",
		    t->value);
		return 1;
	}
	if (mc_domain_normalise(mc_tv_get(l, "d")->value, dom, sizeof(dom), 1,
	    err, sizeof(err)) == -1) {
		*why = mc_arena_printf(a, "d= is not a domain name: %s", err);
		return 1;
	}
	sig->d = mc_arena_strdup(a, dom);
	sig->s = mc_tv_get(l, "s")->value;
	sig->t = sig->x = sig->l = -1;
	t = mc_tv_get(l, "b");
	sig->bpos = t->vpos;
	if ((t = mc_tv_get(l, "t")) != NULL && (sig->t = number(t->value)) < 0) {
		*why = "t= is not a number";
		return 1;
	}
	if (sig->kind == MC_DKIM_KIND_SEAL) {
		sig->relaxed_header = 1;
		return 0;
	}
	n = mc_tv_split(a, mc_tv_get(l, "h")->value, ':', el, MC_DKIM_MAX_H);
	if (n < 0 || n > MC_DKIM_MAX_H) {
		*why = n < 0 ? "out of memory" : "h= lists too many fields";
		return 1;
	}
	for (k = 0; k < n; k++) {
		sig->h[k] = el[k];
		if (strcasecmp(el[k], "from") == 0)
			from++;
	}
	sig->nh = (size_t)n;
	if (sig->kind == MC_DKIM_KIND_AMS) {
		sig->i = mc_arena_printf(a, "@%s", sig->d);
		return 0;
	}
	if (from == 0) {
		*why = "From is not among the signed fields (h=)";
		return 1;
	}
	t = mc_tv_get(l, "i");
	if (t != NULL) {
		sig->i = qp_decode(a, t->value);
		if (sig->i == NULL || !identity_in_domain(sig->i, sig->d)) {
			*why = "i= is not in the signing domain d=";
			return 1;
		}
	} else
		sig->i = mc_arena_printf(a, "@%s", sig->d);
	t = mc_tv_get(l, "q");
	if (t != NULL && strstr(t->value, "dns/txt") == NULL) {
		*why = "no known query method in q=";
		return 1;
	}
	if ((t = mc_tv_get(l, "l")) != NULL && (sig->l = number(t->value)) < 0) {
		*why = "l= is not a number";
		return 1;
	}
	if ((t = mc_tv_get(l, "x")) != NULL && (sig->x = number(t->value)) < 0) {
		*why = "x= is not a number";
		return 1;
	}
	if (sig->x >= 0 && sig->t >= 0 && sig->x < sig->t) {
		*why = "x= is before t=";
		return 1;
	}
	t = mc_tv_get(l, "z");
	sig->z = t != NULL ? t->value : NULL;
	return 0;
}

/* ARC: the instance, cv= and what a seal may not carry. */
static int
read_arc_tags(struct mc_arena *a, const struct mc_tv_list *l,
    struct mc_dkim_sig *sig, const char **why)
{
	const char *cv;

	sig->instance = (int)number(mc_tv_get(l, "i")->value);
	if (sig->instance < 1 || sig->instance > MC_ARC_MAX_INSTANCE) {
		*why = mc_arena_printf(a, "instance i=%s is not 1-%d",
		    mc_tv_get(l, "i")->value, MC_ARC_MAX_INSTANCE);
		return 1;
	}
	if (sig->kind == MC_DKIM_KIND_SEAL) {
		cv = mc_tv_get(l, "cv")->value;
		if (strcmp(cv, "none") != 0 && strcmp(cv, "pass") != 0 &&
		    strcmp(cv, "fail") != 0) {
			*why = mc_arena_printf(a, "unknown cv=%s", cv);
			return 1;
		}
		sig->cv = cv;
		if (mc_tv_get(l, "h") != NULL) {
			*why = "h= is not allowed in a seal (RFC 8617 4.1.3)";
			return 1;
		}
	}
	return read_common(a, l, sig, why);
}

int
mc_dkim_sig_parse(struct mc_arena *a, const char *value, size_t len,
    struct mc_dkim_sig *sig, const char **why)
{
	return mc_dkim_sig_parse_kind(a, value, len, MC_DKIM_KIND_DKIM, sig,
	    why);
}

int
mc_dkim_sig_parse_kind(struct mc_arena *a, const char *value, size_t len,
    enum mc_dkim_kind kind, struct mc_dkim_sig *sig, const char **why)
{
	struct mc_tv_list *l;
	size_t e;
	int rc;

	memset(sig, 0, sizeof(*sig));
	sig->kind = kind;
	l = mc_arena_alloc(a, sizeof(*l));
	if (l == NULL)
		return -1;
	if (mc_tv_parse(a, value, len, l) == -1) {
		if (l->err == MC_TV_ERR_NOMEM)
			return -1;
		*why = mc_arena_printf(a, "signature does not parse: %s at "
		    "byte %zu", mc_tv_strerror(l->err), l->errpos);
		return *why == NULL ? -1 : 1;
	}
	rc = read_tags(a, l, sig, why);
	if (rc == 0) {
		for (e = sig->bpos; e < len && value[e] != ';'; e++)
			;
		sig->bend = e;
	}
	if (rc == 1 && *why == NULL)
		return -1;
	return rc;
}

/* A growing byte buffer on the heap. */
struct buf {
	char *p;
	size_t len, size;
	int err;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	char *np;
	size_t ns;

	if (b->err)
		return;
	if (b->len + n + 1 > b->size) {
		ns = b->size == 0 ? 4096 : b->size;
		while (ns < b->len + n + 1)
			ns *= 2;
		np = realloc(b->p, ns);
		if (np == NULL) {
			b->err = 1;
			return;
		}
		b->p = np;
		b->size = ns;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int
ends_crlf(const struct buf *b, size_t at)
{
	return at >= 2 && b->p[at - 2] == '\r' && b->p[at - 1] == '\n';
}

/* The canonical body (RFC 6376 3.4.3, 3.4.4) into out; 0 or -1. */
static int
canon_body(const char *body, size_t len, int relaxed, struct buf *out)
{
	size_t i;
	int space = 0;

	if (!relaxed)
		buf_add(out, body, len);
	else
		for (i = 0; i < len; i++) {
			char c = body[i];

			if (is_wsp((unsigned char)c)) {
				space = 1;
				continue;
			}
			if (c == '\r' && i + 1 < len && body[i + 1] == '\n') {
				buf_add(out, "\r\n", 2);
				i++;
				space = 0;
				continue;
			}
			if (space)
				buf_add(out, " ", 1);
			space = 0;
			buf_add(out, &c, 1);
		}
	if (out->err)
		return -1;
	if (out->len > 0 && !ends_crlf(out, out->len))
		buf_add(out, "\r\n", 2);
	/* no empty lines at the end */
	while (out->len >= 4 && ends_crlf(out, out->len) &&
	    ends_crlf(out, out->len - 2))
		out->len -= 2;
	if (out->len == 2 && relaxed)
		out->len = 0;
	if (out->len == 0 && !relaxed)
		buf_add(out, "\r\n", 2);
	return out->err ? -1 : 0;
}

/* A header field canonicalized onto out, without its final CRLF when
   last is set; value/valuelen replace the field's own value (b= empty). */
static void
canon_field(struct mc_arena *a, const struct mc_msg_field *f, int relaxed,
    int last, struct buf *out)
{
	size_t i;
	char *u, c;

	if (!relaxed) {
		buf_add(out, f->raw, f->len - (last ? f->len -
		    (size_t)(f->value + f->valuelen - f->raw) : 0));
		return;
	}
	for (i = 0; i < f->namelen; i++) {
		c = f->name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf_add(out, &c, 1);
	}
	buf_add(out, ":", 1);
	u = mc_message_unfold(a, f);
	if (u == NULL) {
		out->err = 1;
		return;
	}
	buf_add(out, u, strlen(u));
	if (!last)
		buf_add(out, "\r\n", 2);
}

/* The two canonical bodies, built when first needed. */
struct bodies {
	struct buf b[2]; /* simple, relaxed */
	int built[2];
};

/* First and last line of the hashed body, for --explain. */
static void
explain_body(struct mc_arena *a, const char *p, size_t len,
    struct mc_dkim_explain *ex)
{
	const char *nl;
	size_t fl, ls;

	nl = memchr(p, '\n', len);
	fl = nl != NULL ? (size_t)(nl - p) : len;
	if (fl > 0 && p[fl - 1] == '\r')
		fl--;
	ex->body_first = mc_arena_strndup(a, p, fl > 200 ? 200 : fl);
	ls = len;
	if (ls >= 2 && p[ls - 1] == '\n' && p[ls - 2] == '\r')
		ls -= 2;
	fl = ls;
	while (fl > 0 && p[fl - 1] != '\n')
		fl--;
	ex->body_last = mc_arena_strndup(a, p + fl,
	    ls - fl > 200 ? 200 : ls - fl);
}

static const char *
b64(struct mc_arena *a, const unsigned char *d, size_t n)
{
	char *out = mc_arena_alloc(a, 4 * ((n + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, d, (int)n);
	return out;
}

/* The first 8 characters of b= (RFC 6008 header.b), arena. */
static const char *
b_prefix(struct mc_arena *a, const char *p, size_t len)
{
	char out[9];
	size_t i, o = 0;

	for (i = 0; i < len && o < 8; i++)
		if (!is_wsp((unsigned char)p[i]) && p[i] != '\r' &&
		    p[i] != '\n')
			out[o++] = p[i];
	return mc_arena_strndup(a, out, o);
}

/* Body hash: 1 matches, 0 mismatch, -1 error (why set). */
static int
check_body(struct mc_arena *a, const struct mc_message *m,
    const struct mc_dkim_sig *sig, struct bodies *bodies,
    struct mc_dkim_verdict *v)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct buf *b = &bodies->b[sig->relaxed_body];
	size_t n;

	if (!bodies->built[sig->relaxed_body]) {
		if (canon_body(m->body, m->bodylen, sig->relaxed_body, b) == -1)
			return -1;
		bodies->built[sig->relaxed_body] = 1;
	}
	n = b->len;
	if (sig->l >= 0) {
		if ((unsigned long long)sig->l > n) {
			v->reason = "l= is longer than the body";
			return 0;
		}
		n = (size_t)sig->l;
	}
	v->ex.body_total = b->len;
	v->ex.body_len = n;
	explain_body(a, b->p != NULL ? b->p : "", n, &v->ex);
	if (EVP_Digest(b->p != NULL ? b->p : "", n, md, &mdlen,
	    sig->alg == MC_DKIM_RSA_SHA1 ? EVP_sha1() : EVP_sha256(),
	    NULL) != 1)
		return -1;
	v->ex.bh_computed = b64(a, md, mdlen);
	if (mdlen != sig->bhlen || memcmp(md, sig->bh, mdlen) != 0) {
		v->reason = "body hash mismatch";
		return 0;
	}
	return 1;
}

static int append_emptied(struct mc_arena *a,
    const struct mc_msg_field *sigf, const struct mc_dkim_sig *sig,
    struct buf *out);

/* The header block that was signed, onto out (RFC 6376 5.4.2). */
static int
header_block(struct mc_arena *a, const struct mc_message *m,
    const struct mc_msg_field *sigf, const struct mc_dkim_sig *sig,
    struct buf *out)
{
	unsigned char *used;
	size_t k, j;

	used = mc_arena_calloc(a, m->nfield > 0 ? m->nfield : 1, 1);
	if (used == NULL)
		return -1;
	for (k = 0; k < sig->nh; k++)
		for (j = m->nfield; j-- > 0;)
			if (!used[j] && mc_msg_field_is(&m->field[j],
			    sig->h[k])) {
				used[j] = 1;
				canon_field(a, &m->field[j],
				    sig->relaxed_header, 0, out);
				break;
			}
	return append_emptied(a, sigf, sig, out);
}

/* The signature field itself, b= emptied, no final CRLF, onto out. */
static int
append_emptied(struct mc_arena *a, const struct mc_msg_field *sigf,
    const struct mc_dkim_sig *sig, struct buf *out)
{
	struct mc_msg_field empty = *sigf;
	char *raw;
	size_t j, cut;

	cut = sig->bend - sig->bpos;
	raw = mc_arena_alloc(a, sigf->len - cut + 1);
	if (raw == NULL)
		return -1;
	j = (size_t)(sigf->value - sigf->raw) + sig->bpos;
	memcpy(raw, sigf->raw, j);
	memcpy(raw + j, sigf->raw + j + cut, sigf->len - j - cut);
	empty.raw = raw;
	empty.len = sigf->len - cut;
	empty.name = raw;
	empty.value = raw + (sigf->value - sigf->raw);
	empty.valuelen = sigf->valuelen - cut;
	canon_field(a, &empty, sig->relaxed_header, 1, out);
	return out->err ? -1 : 0;
}

/* The signature over the header block: 1 good, 0 bad, -1 error. */
static int
check_signature(EVP_PKEY *pkey, const struct mc_dkim_sig *sig,
    const struct buf *hb)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	EVP_MD_CTX *ctx;
	int ok;

	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -1;
	if (sig->alg == MC_DKIM_ED25519_SHA256) {
		/* RFC 8463 3: Ed25519 signs the SHA-256 hash */
		ok = EVP_Digest(hb->p, hb->len, md, &mdlen, EVP_sha256(),
		    NULL) == 1 &&
		    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
		    EVP_DigestVerify(ctx, sig->b, sig->blen, md, mdlen) == 1;
	} else
		ok = EVP_DigestVerifyInit(ctx, NULL, sig->alg ==
		    MC_DKIM_RSA_SHA1 ? EVP_sha1() : EVP_sha256(), NULL,
		    pkey) == 1 &&
		    EVP_DigestVerify(ctx, sig->b, sig->blen,
		    (const unsigned char *)hb->p, hb->len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The key record a signature uses, among the TXT records; NULL if none. */
static const struct mc_rr *
pick_key(struct mc_arena *a, const struct mc_dns_answer *ans)
{
	size_t k;

	for (k = 0; k < ans->count; k++)
		if (ans->rr[k].type == MC_RR_TXT &&
		    mc_dkim_key_looks(a, ans->rr[k].data, ans->rr[k].len))
			return &ans->rr[k];
	for (k = 0; k < ans->count; k++)
		if (ans->rr[k].type == MC_RR_TXT)
			return &ans->rr[k];
	return NULL;
}

/* Is the key usable for this signature?  NULL, or why not. */
static const char *
key_refuses(struct mc_arena *a, const struct mc_dkim_key *k,
    const struct mc_dkim_sig *sig)
{
	size_t p;

	if (k->revoked)
		return "key revoked";
	for (p = 0; p < k->nproblem; p++)
		switch (k->problem[p].id) {
		case MC_F_DKIM_KEY_TYPE_UNKNOWN:
		case MC_F_DKIM_KEY_BASE64:
		case MC_F_DKIM_KEY_INVALID:
		case MC_F_DKIM_KEY_MISSING:
		case MC_F_DKIM_VERSION_INVALID:
		case MC_F_DKIM_RECORD_SYNTAX:
			return mc_arena_printf(a, "key unusable: %s",
			    k->problem[p].message);
		default:
			break;
		}
	if (k->pkey == NULL || k->type == MC_DKIM_KEY_NONE)
		return "key unusable";
	if ((sig->alg == MC_DKIM_ED25519_SHA256) !=
	    (k->type == MC_DKIM_KEY_ED25519))
		return mc_arena_printf(a, "key type k=%s does not match a=%s",
		    k->ktype, sig->a);
	if (!(k->hashes & (sig->alg == MC_DKIM_RSA_SHA1 ? MC_DKIM_HASH_SHA1 :
	    MC_DKIM_HASH_SHA256)))
		return mc_arena_printf(a, "key does not allow the hash of "
		    "a=%s (h=)", sig->a);
	if (!(k->services & (MC_DKIM_SERVICE_ANY | MC_DKIM_SERVICE_EMAIL)))
		return "key is not for email (s=)";
	if (k->flags & MC_DKIM_FLAG_STRICT) {
		const char *at = strrchr(sig->i, '@');

		if (at == NULL || strcasecmp(at + 1, sig->d) != 0)
			return "key has t=s but i= is a subdomain of d=";
	}
	if (k->type == MC_DKIM_KEY_RSA && k->bits < MC_DKIM_MIN_RSA_BITS)
		return mc_arena_printf(a, "RSA key of %d bits is shorter than "
		    "%d (RFC 8301 3.2)", k->bits, MC_DKIM_MIN_RSA_BITS);
	return NULL;
}

/*
 * The steps before the content: time, the key asked, read and judged.
 * 1 with *key read and usable (release it), 0 when the verdict is made,
 * -1 out of memory.
 */
static int
key_stage(struct mc_arena *a, const struct mc_dkim_sig *sig,
    const struct mc_dns_answer *ans, long long now, struct mc_dkim_key *key,
    struct mc_dkim_verdict *v)
{
	const struct mc_rr *rr;
	const char *refuse;

	memset(key, 0, sizeof(*key));
	v->result = MC_AUTH_PERMERROR;
	if (sig->x >= 0 && sig->x < now) {
		v->reason = "signature expired (x=)";
		return 0;
	}
	if (sig->t >= 0 && sig->t > now + MC_DKIM_FUTURE_SLOP) {
		v->reason = "signature timestamp t= is in the future";
		return 0;
	}
	if (ans->status == MC_DNS_TEMPFAIL) {
		v->result = MC_AUTH_TEMPERROR;
		v->reason = mc_arena_printf(a, "key lookup at %s failed "
		    "(%s)", v->ex.key_name, ans->why != NULL ? ans->why :
		    "tempfail");
		return v->reason == NULL ? -1 : 0;
	}
	rr = ans->status == MC_DNS_OK ? pick_key(a, ans) : NULL;
	if (ans->status == MC_DNS_PERMFAIL || rr == NULL) {
		v->reason = mc_arena_printf(a, "no key at %s",
		    v->ex.key_name);
		return v->reason == NULL ? -1 : 0;
	}
	v->ex.key_record = mc_arena_strndup(a, rr->data, rr->len);
	if (mc_dkim_key_parse(a, v->ex.key_name, rr->data, rr->len,
	    MC_DKIM_KEY_KEEP_PKEY, key) == -1)
		return -1;
	v->ex.key_bits = key->bits;
	v->ex.key_type = key->type == MC_DKIM_KEY_RSA ? "rsa" :
	    key->type == MC_DKIM_KEY_ED25519 ? "ed25519" : NULL;
	v->testing = (key->flags & MC_DKIM_FLAG_TESTING) != 0;
	if ((refuse = key_refuses(a, key, sig)) != NULL) {
		v->reason = refuse;
		mc_dkim_key_release(key);
		return 0;
	}
	return 1;
}

/*
 * The verdict from the signature over the header block hb, which is kept
 * for --explain.  0, or -1 when out of memory or OpenSSL failed.
 */
static int
judge(struct mc_arena *a, EVP_PKEY *pkey, const struct mc_dkim_sig *sig,
    const struct buf *hb, struct mc_dkim_verdict *v)
{
	int ok;

	v->ex.headers = mc_arena_strndup(a, hb->p != NULL ? hb->p : "",
	    hb->len);
	v->ex.headers_len = hb->len;
	ok = check_signature(pkey, sig, hb);
	if (ok == -1)
		return -1;
	v->result = MC_AUTH_FAIL;
	if (ok == 0)
		v->reason = "signature did not verify";
	else if (sig->alg == MC_DKIM_RSA_SHA1)
		v->reason = "rsa-sha1 verified, but RFC 8301 3.1 forbids "
		    "accepting it";
	else
		v->result = MC_AUTH_PASS;
	if (v->result == MC_AUTH_PASS && sig->l >= 0)
		v->warning = "l= signs only part of the body: content may have "
		    "been appended";
	return 0;
}

/* Verify one parsed signature with its key's answer. */
static int
verify_one(struct mc_arena *a, const struct mc_message *m,
    const struct mc_msg_field *sigf, const struct mc_dkim_sig *sig,
    const struct mc_dns_answer *ans, long long now, struct bodies *bodies,
    struct mc_dkim_verdict *v)
{
	struct mc_dkim_key key;
	struct buf hb = { 0 };
	int rc = -1, ok;

	ok = key_stage(a, sig, ans, now, &key, v);
	if (ok != 1)
		return ok;
	v->result = MC_AUTH_FAIL;
	ok = check_body(a, m, sig, bodies, v);
	if (ok == -1)
		goto out;
	if (ok == 0) {
		if (sig->l >= 0 && v->ex.bh_computed == NULL)
			v->result = MC_AUTH_PERMERROR;
		rc = 0;
		goto out;
	}
	if (header_block(a, m, sigf, sig, &hb) == -1 ||
	    judge(a, key.pkey, sig, &hb, v) == -1)
		goto out;
	rc = 0;
out:
	free(hb.p);
	mc_dkim_key_release(&key);
	return rc;
}

int
mc_dkim_verify_field(struct mc_arena *a, const struct mc_message *m,
    const struct mc_msg_field *sigf, const struct mc_dkim_sig *sig,
    const struct mc_dns_answer *ans, long long now,
    struct mc_dkim_verdict *v)
{
	struct bodies bodies = { 0 };
	int rc;

	rc = verify_one(a, m, sigf, sig, ans, now, &bodies, v);
	free(bodies.b[0].p);
	free(bodies.b[1].p);
	return rc;
}

int
mc_dkim_verify_seal(struct mc_arena *a,
    const struct mc_msg_field *const *fields, size_t n,
    const struct mc_dkim_sig *sig, const struct mc_dns_answer *ans,
    long long now, struct mc_dkim_verdict *v)
{
	struct mc_dkim_key key;
	struct buf hb = { 0 };
	size_t k;
	int rc = -1, ok;

	ok = key_stage(a, sig, ans, now, &key, v);
	if (ok != 1)
		return ok;
	for (k = 0; k + 1 < n; k++)
		canon_field(a, fields[k], 1, 0, &hb);
	if ((n > 0 && append_emptied(a, fields[n - 1], sig, &hb) == -1) ||
	    judge(a, key.pkey, sig, &hb, v) == -1)
		goto out;
	rc = 0;
out:
	free(hb.p);
	mc_dkim_key_release(&key);
	return rc;
}

const char *
mc_dkim_key_name(struct mc_arena *a, const struct mc_dkim_sig *sig,
    const char **why)
{
	char kn[MC_DNS_NAME_MAX + 2], err[256];
	const char *name;

	name = mc_arena_printf(a, "%s._domainkey.%s", sig->s, sig->d);
	if (name == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (mc_domain_normalise(name, kn, sizeof(kn), 1, err,
	    sizeof(err)) == -1) {
		*why = mc_arena_printf(a, "s= and d= do not make a key name: "
		    "%s", err);
		return NULL;
	}
	return name;
}

int
mc_dkim_verify(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_message *m, long long now,
    struct mc_dkim_verdict **out, size_t *n)
{
	struct mc_dkim_verdict *v;
	struct mc_dkim_sig *sig;
	struct mc_dns_query *q;
	const struct mc_msg_field **f;
	struct bodies bodies = { 0 };
	size_t k, nsig = 0, nq = 0, *qi;
	const char *why;
	int rc = -1, pr;

	*out = NULL;
	*n = 0;
	for (k = 0; k < m->nfield; k++)
		nsig += mc_msg_field_is(&m->field[k], "DKIM-Signature");
	if (nsig == 0)
		return 0;
	v = mc_arena_calloc(a, nsig, sizeof(*v));
	sig = mc_arena_calloc(a, nsig, sizeof(*sig));
	f = mc_arena_calloc(a, nsig, sizeof(*f));
	q = mc_arena_calloc(a, nsig, sizeof(*q));
	qi = mc_arena_calloc(a, nsig, sizeof(*qi));
	if (v == NULL || sig == NULL || f == NULL || q == NULL || qi == NULL)
		return -1;
	nsig = 0;
	for (k = 0; k < m->nfield; k++)
		if (mc_msg_field_is(&m->field[k], "DKIM-Signature"))
			f[nsig++] = &m->field[k];
	for (k = 0; k < nsig; k++) {
		v[k].result = MC_AUTH_PERMERROR;
		v[k].l = -1;
		qi[k] = (size_t)-1;
		if (k >= MC_DKIM_MAX_SIGS) {
			/* not processed, not found bad (RFC 8601 2.7.1) */
			v[k].result = MC_AUTH_NEUTRAL;
			v[k].reason = mc_arena_printf(a, "not verified: more "
			    "than %d signatures", MC_DKIM_MAX_SIGS);
			continue;
		}
		why = NULL;
		pr = mc_dkim_sig_parse(a, f[k]->value, f[k]->valuelen, &sig[k],
		    &why);
		if (pr == -1)
			return -1;
		if (sig[k].d != NULL)
			v[k].domain = sig[k].d;
		if (pr == 1) {
			v[k].reason = why;
			continue;
		}
		v[k].selector = sig[k].s;
		v[k].identity = sig[k].i;
		v[k].algorithm = sig[k].a;
		v[k].l = sig[k].l;
		v[k].canon = mc_arena_printf(a, "%s/%s",
		    sig[k].relaxed_header ? "relaxed" : "simple",
		    sig[k].relaxed_body ? "relaxed" : "simple");
		v[k].b_prefix = b_prefix(a, f[k]->value + sig[k].bpos,
		    sig[k].bend - sig[k].bpos);
		v[k].ex.key_name = mc_dkim_key_name(a, &sig[k], &why);
		if (v[k].ex.key_name == NULL) {
			v[k].reason = why;
			continue;
		}
		q[nq].name = v[k].ex.key_name;
		q[nq].type = MC_RR_TXT;
		qi[k] = nq++;
	}
	if (nq > 0)
		mc_dns_lookup_batch(dns, q, nq);
	for (k = 0; k < nsig; k++) {
		if (qi[k] == (size_t)-1)
			continue;
		if (verify_one(a, m, f[k], &sig[k], q[qi[k]].ans, now, &bodies,
		    &v[k]) == -1)
			goto out;
	}
	*out = v;
	*n = nsig;
	rc = 0;
out:
	free(bodies.b[0].p);
	free(bodies.b[1].p);
	return rc;
}
