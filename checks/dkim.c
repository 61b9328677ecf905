/* SPDX-License-Identifier: ISC */
/*
 * checks/dkim.c - DKIM public keys and selector discovery (RFC 6376 3.6,
 * RFC 8301, RFC 8463)
 *
 * Selectors cannot be listed, so they are guessed: the user's selectors
 * (--dkim-selector) and the shipped list data/dkim-selectors (read once by
 * the CLI and passed in struct mc_options; read here only for library users
 * that pass none), asked all at once, each once, as
 * <selector>._domainkey.<domain> TXT.  First, _domainkey.<domain>
 * is asked: NXDOMAIN there means nothing exists below it (RFC 8020), so
 * there is nothing to guess.  Not finding a guessed selector proves nothing;
 * only the user's selectors can be "missing".
 *
 * Each key record goes through the shared tag=value tokenizer; p= is
 * decoded with a bounded, strict base64 decoder and handed to OpenSSL:
 * RSA as SubjectPublicKeyInfo or as a bare PKCS#1 RSAPublicKey (both occur
 * in the wild), ed25519 as the raw 32 bytes of RFC 8463.  Only DER parsing
 * is done (no primality or other key checks), so a 16384-bit key costs
 * microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mailcheck/check.h"
#include "mailcheck/datafile.h"
#include "mailcheck/dkim_selectors.h"
#include "mailcheck/limits.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/util.h"
#include "banned.h"

struct sel {
	const char *name;     /* the selector */
	const char *provider; /* from the list, or NULL */
	int user;             /* given with --dkim-selector */
	const char *qname;    /* <selector>._domainkey.<domain>, or NULL */
};

struct key {
	const char *type;     /* "rsa", "ed25519", or NULL: no usable key */
	const char *encoding; /* "spki", "pkcs1", "raw" */
	int bits;
	int revoked;
	int testing;
};

/*
 * Add a selector unless it is there already (a user's selector that is also
 * in the list is asked once, as the user's); 0 or -1.  s has room for every
 * selector offered.
 */
static int
sel_add(struct mc_ctx *ctx, struct sel *s, size_t *n, const char *name,
    const char *provider, int user)
{
	char buf[MC_DNS_NAME_MAX + 2], err[128];
	const char *qn;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcasecmp(s[i].name, name) == 0)
			return 0;
	qn = mc_arena_printf(ctx->arena, "%s._domainkey.%s", name, ctx->domain);
	if (qn == NULL)
		return -1;
	s[*n].name = mc_arena_strdup(ctx->arena, name);
	s[*n].provider = provider != NULL ?
	    mc_arena_strdup(ctx->arena, provider) : NULL;
	s[*n].user = user;
	s[*n].qname = mc_domain_normalise(qn, buf, sizeof(buf), 1, err,
	    sizeof(err)) == 0 ? mc_arena_strdup(ctx->arena, buf) : NULL;
	if (s[*n].name == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * setup: the shipped selector list, read once for every domain of the run.
 * Missing, unreadable or malformed: an error naming the file (and line).
 */
static int
dkim_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	char path[4096];

	(void)opts;
	if (mc_datafile_find(MC_DKIM_SELECTOR_FILE, "DKIM selector list", "",
	    path, sizeof(path), err, errsize) == -1)
		return -1;
	*state = mc_dkim_selector_list_load(path, err, errsize);
	return *state != NULL ? 0 : -1;
}

static void
dkim_teardown(void *state)
{
	mc_dkim_selector_list_free(state);
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

/* Is v one of the colon-separated elements of list? */
static int
list_has(struct mc_ctx *ctx, const char *list, const char *v)
{
	const char *el[MC_TV_MAX_TAGS];
	long n, i;

	n = mc_tv_split(ctx->arena, list, ':', el, MC_TV_MAX_TAGS);
	for (i = 0; i < n && i < MC_TV_MAX_TAGS; i++)
		if (strcmp(el[i], v) == 0)
			return 1;
	return 0;
}

/* Grade one RSA or ed25519 key from its decoded p=. */
static void
eval_key(struct mc_ctx *ctx, const char *subject, const char *ktype,
    const unsigned char *der, size_t len, struct key *k)
{
	struct mc_result *r = ctx->result;
	const char *why = NULL, *enc = NULL, *dk;
	EVP_PKEY *pkey;

	if (strcmp(ktype, "ed25519") == 0) {
		if (len != 32) {
			mc_finding_add(r, MC_F_DKIM_KEY_INVALID, subject,
			    "ed25519 key at %s is %zu bytes, not 32%s", subject,
			    len, len == 44 ? " (a SubjectPublicKeyInfo: RFC 8463 "
			    "wants the raw key)" : "");
			return;
		}
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der,
		    len);
		ERR_clear_error();
		if (pkey == NULL) {
			mc_finding_add(r, MC_F_DKIM_KEY_INVALID, subject,
			    "OpenSSL cannot read the ed25519 key at %s", subject);
			return;
		}
		EVP_PKEY_free(pkey);
		k->type = "ed25519";
		k->encoding = "raw";
		k->bits = 256;
		return;
	}
	pkey = rsa_from_der(der, len, &enc, &why);
	if (pkey == NULL) {
		mc_finding_add(r, MC_F_DKIM_KEY_INVALID, subject,
		    "OpenSSL cannot read the RSA key at %s: %s", subject, why);
		return;
	}
	k->type = "rsa";
	k->encoding = enc;
	k->bits = EVP_PKEY_get_bits(pkey);
	EVP_PKEY_free(pkey);
	if (k->bits < 1024)
		mc_finding_add(r, MC_F_DKIM_KEY_TOO_SHORT, subject,
		    "RSA key at %s is %d bits: verifiers ignore signatures with "
		    "keys under 1024 bits", subject, k->bits);
	else if (k->bits < 2048)
		mc_finding_add(r, MC_F_DKIM_KEY_WEAK, subject,
		    "RSA key at %s is %d bits; 2048 bits is the current "
		    "recommendation", subject, k->bits);
	if (k->bits < 2048) {
		/* "DKIM mail 1024 bit": the selector, for the plugin's line */
		dk = strstr(subject, "._domainkey.");
		mc_finding_brief(r, "DKIM %.*s %d bit", dk != NULL ?
		    (int)(dk - subject) : (int)strlen(subject), subject, k->bits);
		mc_finding_metric(r, "min_key_bits"); /* thresholds may override */
	}
}

/*
 * Evaluate one key record (joined TXT strings) into k, adding findings
 * about subject (the selector's name).
 */
static void
eval_record(struct mc_ctx *ctx, const char *subject, const char *rec,
    size_t len, struct key *k)
{
	struct mc_result *r = ctx->result;
	struct mc_tv_list *l;
	const struct mc_tv_tag *t, *p;
	const char *ktype = "rsa", *why = "";
	unsigned char *der;
	size_t bad = 0, plen, i;
	long n;

	l = mc_arena_alloc(ctx->arena, sizeof(*l));
	if (l == NULL)
		return;
	if (mc_tv_parse(ctx->arena, rec, len, l) == -1) {
		if (l->err == MC_TV_ERR_DUPLICATE)
			mc_finding_add(r, MC_F_DKIM_RECORD_SYNTAX, subject,
			    "key record at %s repeats tag '%s' (offsets %zu and "
			    "%zu): the record is invalid", subject,
			    mc_escape(ctx->arena, rec + l->errpos,
			    strcspn(rec + l->errpos, " \t=;")), l->duppos,
			    l->errpos);
		else
			mc_finding_add(r, MC_F_DKIM_RECORD_SYNTAX, subject,
			    "key record at %s: %s at offset %zu", subject,
			    mc_tv_strerror(l->err), l->errpos);
		return;
	}
	t = mc_tv_get(l, "v");
	if (t != NULL && t != &l->tag[0]) {
		mc_finding_add(r, MC_F_DKIM_VERSION_INVALID, subject,
		    "key record at %s has v= but not as its first tag", subject);
		return;
	}
	if (t != NULL && strcmp(t->value, "DKIM1") != 0) {
		mc_finding_add(r, MC_F_DKIM_VERSION_INVALID, subject,
		    "key record at %s has v=%s, not v=DKIM1", subject, t->value);
		return;
	}
	t = mc_tv_get(l, "k");
	if (t != NULL)
		ktype = t->value;
	if (strcmp(ktype, "rsa") != 0 && strcmp(ktype, "ed25519") != 0) {
		mc_finding_add(r, MC_F_DKIM_KEY_TYPE_UNKNOWN, subject,
		    "key record at %s has unknown key type k=%s", subject, ktype);
		return;
	}
	t = mc_tv_get(l, "h");
	if (t != NULL && !list_has(ctx, t->value, "sha256")) {
		if (list_has(ctx, t->value, "sha1"))
			mc_finding_add(r, MC_F_DKIM_HASH_SHA1_ONLY, subject,
			    "key record at %s allows only sha1 (h=%s)", subject,
			    t->value);
		else
			mc_finding_add(r, MC_F_DKIM_HASH_SHA1_ONLY, subject,
			    "key record at %s allows no hash verifiers use "
			    "(h=%s)", subject, t->value);
	}
	t = mc_tv_get(l, "s");
	if (t != NULL && !list_has(ctx, t->value, "*") &&
	    !list_has(ctx, t->value, "email"))
		mc_finding_add(r, MC_F_DKIM_SERVICE_NOT_EMAIL, subject,
		    "key record at %s is for service s=%s, not email", subject,
		    t->value);
	t = mc_tv_get(l, "t");
	if (t != NULL && list_has(ctx, t->value, "y")) {
		k->testing = 1;
		mc_finding_add(r, MC_F_DKIM_TESTING, subject,
		    "key at %s is in testing mode (t=y)", subject);
	}
	p = mc_tv_get(l, "p");
	if (p == NULL) {
		mc_finding_add(r, MC_F_DKIM_KEY_MISSING, subject,
		    "key record at %s has no p= tag", subject);
		return;
	}
	for (i = 0, plen = 0; p->value[i] != '\0'; i++)
		if (!is_space((unsigned char)p->value[i]))
			plen++;
	if (plen == 0) {
		k->revoked = 1;
		mc_finding_add(r, MC_F_DKIM_KEY_REVOKED, subject,
		    "key at %s is revoked (empty p=)", subject);
		return;
	}
	if (plen > MC_DKIM_MAX_KEY_B64) {
		mc_finding_add(r, MC_F_DKIM_KEY_INVALID, subject,
		    "key at %s is %zu base64 characters, more than any key "
		    "mailcheck reads (%d)", subject, plen, MC_DKIM_MAX_KEY_B64);
		return;
	}
	der = mc_arena_alloc(ctx->arena, plen);
	if (der == NULL)
		return;
	n = b64_decode(p->value, der, plen, &bad, &why);
	if (n == -1) {
		mc_finding_add(r, MC_F_DKIM_KEY_BASE64, subject,
		    "p= of the key at %s is not valid base64: %s (offset %zu)",
		    subject, why, p->vpos + bad);
		return;
	}
	eval_key(ctx, subject, ktype, der, (size_t)n, k);
}

/* Does this TXT record look like a DKIM key record at all? */
static int
looks_dkim(struct mc_ctx *ctx, const char *rec, size_t len)
{
	struct mc_tv_list *l;

	if (len >= 6 && strncmp(rec, "v=DKIM", 6) == 0)
		return 1;
	l = mc_arena_alloc(ctx->arena, sizeof(*l));
	if (l == NULL)
		return 0;
	(void)mc_tv_parse(ctx->arena, rec, len, l);
	if (mc_tv_get(l, "v") != NULL &&
	    strncmp(mc_tv_get(l, "v")->value, "DKIM", 4) != 0)
		return 0;
	return mc_tv_get(l, "p") != NULL || mc_tv_get(l, "k") != NULL;
}

/* One selector's answer; returns 1 when a key record was found. */
static int
eval_selector(struct mc_ctx *ctx, const struct sel *s,
    const struct mc_dns_answer *ans, struct key *k, json_t *js)
{
	struct mc_result *r = ctx->result;
	size_t i, nrec = 0, first = 0;

	json_object_set_new(js, "status", json_string(
	    mc_dns_status_str(ans->status)));
	if (mc_dns_failed(ans)) {
		mc_finding_dns(r, ans, "the DKIM key");
		return 0;
	}
	for (i = 0; i < ans->count && i < MC_DKIM_MAX_RECORDS; i++) {
		if (ans->rr[i].type != MC_RR_TXT)
			continue;
		if (!looks_dkim(ctx, ans->rr[i].data, ans->rr[i].len))
			continue;
		if (nrec++ == 0)
			first = i;
	}
	if (ans->cname != NULL) {
		json_object_set_new(js, "cname", json_string(ans->cname));
		if (nrec > 0 || s->user)
			mc_finding_add(r, nrec > 0 ? MC_F_DKIM_SELECTOR_CNAME :
			    MC_F_DKIM_CNAME_DANGLING, s->qname,
			    "selector %s is an alias (CNAME) of %s%s", s->name,
			    ans->cname, nrec > 0 ? "" : ", which has no key "
			    "record");
		else if (ans->status == MC_DNS_NXDOMAIN ||
		    ans->status == MC_DNS_NODATA || ans->count == 0)
			mc_finding_add(r, MC_F_DKIM_CNAME_DANGLING, s->qname,
			    "selector %s is an alias (CNAME) of %s, which has "
			    "no key record", s->name, ans->cname);
		if (nrec == 0)
			return 0;
	}
	if (nrec == 0) {
		if (s->user)
			mc_finding_add(r, MC_F_DKIM_SELECTOR_MISSING, s->qname,
			    "no DKIM key record at %s (%s)", s->qname,
			    ans->count > 0 ? "a TXT record that is not a key" :
			    mc_dns_status_str(ans->status));
		return 0;
	}
	if (nrec > 1)
		mc_finding_add(r, MC_F_DKIM_MULTIPLE_RECORDS, s->qname,
		    "selector %s has %zu key records", s->name, nrec);
	json_object_set_new(js, "record", mc_json_dns_string(
	    ans->rr[first].data, ans->rr[first].len));
	eval_record(ctx, s->qname, ans->rr[first].data, ans->rr[first].len, k);
	json_object_set_new(js, "key_type", k->type != NULL ?
	    json_string(k->type) : json_null());
	if (k->type != NULL) {
		json_object_set_new(js, "bits", json_integer(k->bits));
		json_object_set_new(js, "encoding", json_string(k->encoding));
	}
	json_object_set_new(js, "revoked", json_boolean(k->revoked));
	json_object_set_new(js, "testing", json_boolean(k->testing));
	return 1;
}

/* "rsa 2048", "ed25519", "revoked", "invalid": for the summary */
static const char *
key_desc(struct mc_ctx *ctx, const struct key *k)
{
	if (k->type == NULL)
		return k->revoked ? "revoked" : "invalid";
	if (strcmp(k->type, "rsa") == 0)
		return mc_arena_printf(ctx->arena, "rsa %d", k->bits);
	return k->type;
}

static int
dkim_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	const struct mc_dns_answer *dk;
	struct mc_dns_query *q;
	struct sel *s;
	struct key k;
	json_t *data, *list, *js;
	const struct mc_dkim_selector_list *sl = ctx->state;
	const char *qn;
	size_t i, n = 0, nq = 0, found = 0, nrsa = 0, ned = 0, nfailed = 0;
	size_t nuser, cap;
	int minbits = 0;
	char summary[256];
	size_t so = 0;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	nuser = ctx->opts != NULL ? ctx->opts->nselectors : 0;
	cap = nuser + (sl != NULL ? sl->n : 0);
	s = mc_arena_calloc(ctx->arena, cap + 1, sizeof(*s));
	q = mc_arena_calloc(ctx->arena, cap + 1, sizeof(*q));
	if (s == NULL || q == NULL)
		return -1;
	for (i = 0; i < nuser; i++)
		if (sel_add(ctx, s, &n, ctx->opts->selectors[i], NULL, 1) == -1)
			return -1;
	for (i = 0; sl != NULL && i < sl->n; i++)
		if (sel_add(ctx, s, &n, sl->v[i].name, sl->v[i].provider,
		    0) == -1)
			return -1;

	/* RFC 8020: NXDOMAIN at _domainkey means no selector below it */
	qn = mc_arena_printf(ctx->arena, "_domainkey.%s", ctx->domain);
	if (qn == NULL)
		return -1;
	dk = mc_dns_lookup(ctx->dns, qn, MC_RR_TXT);
	json_object_set_new(data, "domainkey", json_string(
	    mc_dns_status_str(dk->status)));
	json_object_set_new(data, "tried", json_integer((json_int_t)n));
	list = json_array();
	json_object_set_new(data, "selectors", list);
	if (dk->status == MC_DNS_NXDOMAIN) {
		for (i = 0; i < n; i++)
			if (s[i].user)
				mc_finding_add(r, MC_F_DKIM_SELECTOR_MISSING,
				    s[i].qname != NULL ? s[i].qname : s[i].name,
				    "no DKIM key record for selector %s: %s does "
				    "not exist", s[i].name, qn);
		mc_finding_add(r, MC_F_DKIM_DOMAINKEY_NXDOMAIN, qn,
		    "%s does not exist (NXDOMAIN), so no DKIM selector can "
		    "exist below it", qn);
		mc_metric_set(r, "selectors_found", 0);
		mc_result_summary(r, "no DKIM keys: %s does not exist", qn);
		return 0;
	}

	for (i = 0; i < n; i++) {
		if (s[i].qname == NULL)
			continue;
		q[nq].name = s[i].qname;
		q[nq++].type = MC_RR_TXT;
	}
	mc_dns_lookup_batch(ctx->dns, q, nq);

	for (i = 0, nq = 0; i < n; i++) {
		if (s[i].qname == NULL) {
			if (s[i].user)
				mc_finding_add(r, MC_F_DKIM_SELECTOR_MISSING,
				    s[i].name, "selector '%s' does not make a "
				    "valid name under %s", s[i].name, ctx->domain);
			continue;
		}
		memset(&k, 0, sizeof(k));
		js = json_pack("{s:s, s:s, s:s}", "selector", s[i].name,
		    "name", s[i].qname, "source", s[i].user ? "user" : "list");
		if (js == NULL)
			return -1;
		if (s[i].provider != NULL)
			json_object_set_new(js, "provider", mc_json_dns_string(
			    s[i].provider, strlen(s[i].provider)));
		if (!eval_selector(ctx, &s[i], q[nq++].ans, &k, js)) {
			if (mc_dns_failed(q[nq - 1].ans))
				nfailed++;
			if (s[i].user || json_object_get(js, "cname") != NULL ||
			    mc_dns_failed(q[nq - 1].ans))
				json_array_append_new(list, js);
			else
				json_decref(js);
			continue;
		}
		found++;
		json_array_append_new(list, js);
		if (k.type != NULL && strcmp(k.type, "rsa") == 0) {
			nrsa++;
			if (minbits == 0 || k.bits < minbits)
				minbits = k.bits;
		} else if (k.type != NULL)
			ned++;
		if (so < sizeof(summary))
			so += (size_t)snprintf(summary + so, sizeof(summary) - so,
			    "%s%s (%s)", found > 1 ? ", " : "", s[i].name,
			    key_desc(ctx, &k));
	}
	mc_metric_set(r, "selectors_found", (double)found);
	if (nrsa > 0)
		mc_metric_set(r, "min_key_bits", minbits);
	if (ned > 0 && nrsa == 0)
		mc_finding_add(r, MC_F_DKIM_ED25519_ONLY, ctx->domain,
		    "only ed25519 keys were found for %s", ctx->domain);
	if (found == 0 && nfailed > 0) {
		/* a failed selector may hold the key: no verdict */
		mc_result_summary(r, "no selector found among %zu tried; %zu "
		    "lookup%s failed", n, nfailed, nfailed == 1 ? "" : "s");
	} else if (found == 0) {
		for (i = 0; i < n; i++)
			if (s[i].user)
				break;
		if (i == n && n == 0)
			/* an empty list and no -s: nothing was asked */
			mc_finding_add(r, MC_F_DKIM_NO_SELECTOR_FOUND, ctx->domain,
			    "no DKIM selector was tried: the selector list is "
			    "empty and none was given with --dkim-selector");
		else if (i == n)
			mc_finding_add(r, MC_F_DKIM_NO_SELECTOR_FOUND, ctx->domain,
			    "no DKIM selector found among %zu tried", n);
		if (n == 0)
			mc_result_summary(r, "no selector tried");
		else
			mc_result_summary(r, "no selector found among %zu "
			    "tried", n);
	} else
		mc_result_summary(r, "%zu selector%s: %s", found,
		    found == 1 ? "" : "s", summary);
	return 0;
}

static const char *const dkim_metrics[] = {
	"selectors_found", "min_key_bits", NULL
};

const struct mc_check mc_check_dkim = {
	.name = "dkim",
	.summary = "DKIM selectors and their public keys",
	.rfc = "RFC 6376 3.6, RFC 8301, RFC 8463",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.setup = dkim_setup,
	.teardown = dkim_teardown,
	.run = dkim_run,
	.metrics = dkim_metrics,
};
