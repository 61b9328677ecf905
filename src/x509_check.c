/* SPDX-License-Identifier: ISC */
/*
 * src/x509_check.c - certificate names, dates, keys and chains (libcrypto)
 *
 * Name matching is written out here rather than left to
 * X509_check_host(): the rules are the ones RFC 6125 6.4 and RFC 9525 6.3
 * give (SAN DNS names only, never the CN; a wildcard only as the whole
 * left-most label), and a table-driven test pins them down.  Chain
 * verification uses an X509_STORE built from the system's default paths or
 * from --ca-file, with X509_V_FLAG_NO_CHECK_TIME: dates are judged by the
 * caller, because a DANE-EE match makes them moot (RFC 7672 3.1.1).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mailcheck/x509_check.h"
#include "banned.h"

static char *
name_str(struct mc_arena *a, const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s = NULL;
	long len;

	if (b == NULL)
		return NULL;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_get_mem_data(b, &data);
		if (len >= 0)
			s = mc_arena_strndup(a, data, (size_t)len);
	}
	BIO_free(b);
	return s;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static int
lower_copy(struct mc_arena *a, const unsigned char *s, int len, char **out)
{
	char *p;
	int i;

	if (len < 0 || memchr(s, '\0', (size_t)len) != NULL)
		return -1; /* "mx.example.org\0.evil" must not match */
	p = mc_arena_alloc(a, (size_t)len + 1);
	if (p == NULL)
		return -1;
	for (i = 0; i < len; i++)
		p[i] = (char)tolower(s[i]);
	p[len] = '\0';
	*out = p;
	return 0;
}

static int
san_names(struct mc_arena *a, X509 *x, struct mc_cert_info *ci)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	int i, n;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return 0;
	n = sk_GENERAL_NAME_num(gens);
	ci->dns_names = mc_arena_calloc(a, MC_CERT_MAX_NAMES, sizeof(char *));
	for (i = 0; i < n && ci->dns_names != NULL; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		ci->ndns_total++;
		if (ci->ndns == MC_CERT_MAX_NAMES)
			continue;
		if (lower_copy(a, ASN1_STRING_get0_data(g->d.dNSName),
		    ASN1_STRING_length(g->d.dNSName),
		    &ci->dns_names[ci->ndns]) == 0)
			ci->ndns++;
	}
	GENERAL_NAMES_free(gens);
	return 0;
}

int
mc_cert_parse(struct mc_arena *a, const unsigned char *der, size_t len,
    struct mc_cert_info *ci, char *err, size_t errsize)
{
	const unsigned char *p = der;
	EVP_PKEY *k;
	X509 *x;
	const char *kt;

	memset(ci, 0, sizeof(*ci));
	if (len > (size_t)0x7fffffff ||
	    (x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		snprintf(err, errsize, "cannot parse the certificate (DER)");
		ERR_clear_error();
		return -1;
	}
	ci->subject = name_str(a, X509_get_subject_name(x));
	ci->issuer = name_str(a, X509_get_issuer_name(x));
	ci->not_before = asn1_time(X509_get0_notBefore(x));
	ci->not_after = asn1_time(X509_get0_notAfter(x));
	k = X509_get0_pubkey(x);
	if (k != NULL) {
		ci->key_bits = EVP_PKEY_get_bits(k);
		kt = EVP_PKEY_get0_type_name(k);
		snprintf(ci->key_type, sizeof(ci->key_type), "%s",
		    kt != NULL ? kt : "unknown");
	}
	ci->self_signed = X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) == 0 && k != NULL &&
	    X509_verify(x, k) == 1;
	san_names(a, x, ci);
	X509_free(x);
	ERR_clear_error();
	return 0;
}

int
mc_cert_name_match(const char *pattern, const char *host)
{
	const char *prest, *hrest;
	size_t plen = strlen(pattern), hlen = strlen(host);

	if (plen == 0 || hlen == 0)
		return 0;
	if (pattern[plen - 1] == '.')
		plen--;
	if (host[hlen - 1] == '.')
		hlen--;
	if (pattern[0] != '*')
		return plen == hlen && strncasecmp(pattern, host, plen) == 0 &&
		    memchr(pattern, '*', plen) == NULL;
	/* "*.rest": rest has at least two labels and no other wildcard */
	if (plen < 3 || pattern[1] != '.')
		return 0;
	prest = pattern + 2;
	if (memchr(prest, '*', plen - 2) != NULL ||
	    memchr(prest, '.', plen - 2) == NULL)
		return 0;
	hrest = memchr(host, '.', hlen);
	if (hrest == NULL || hrest == host)
		return 0;
	hrest++;
	return (size_t)(host + hlen - hrest) == plen - 2 &&
	    strncasecmp(prest, hrest, plen - 2) == 0;
}

int
mc_cert_matches_host(const struct mc_cert_info *ci, const char *host)
{
	size_t i;

	for (i = 0; i < ci->ndns; i++)
		if (mc_cert_name_match(ci->dns_names[i], host))
			return 1;
	return 0;
}

enum mc_chain_status
mc_chain_verify(const unsigned char *const *der, const size_t *derlen,
    size_t n, const char *ca_file, char *why, size_t whysize)
{
	enum mc_chain_status st = MC_CHAIN_ERROR;
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *vctx = NULL;
	X509_STORE *store = NULL;
	X509 *leaf = NULL, *x;
	const unsigned char *p;
	size_t i;
	int err;

	snprintf(why, whysize, "%s", "");
	if (n == 0) {
		snprintf(why, whysize, "the server sent no certificate");
		return MC_CHAIN_UNTRUSTED;
	}
	store = X509_STORE_new();
	untrusted = sk_X509_new_null();
	vctx = X509_STORE_CTX_new();
	if (store == NULL || untrusted == NULL || vctx == NULL) {
		snprintf(why, whysize, "out of memory");
		goto out;
	}
	if (ca_file != NULL ? X509_STORE_load_file(store, ca_file) != 1 :
	    X509_STORE_set_default_paths(store) != 1) {
		snprintf(why, whysize, "cannot load the trust store%s%s",
		    ca_file != NULL ? " " : "", ca_file != NULL ? ca_file : "");
		goto out;
	}
	for (i = 0; i < n; i++) {
		p = der[i];
		x = d2i_X509(NULL, &p, (long)derlen[i]);
		if (x == NULL) {
			snprintf(why, whysize, "certificate %zu of the chain "
			    "cannot be parsed", i);
			st = MC_CHAIN_UNTRUSTED;
			goto out;
		}
		if (i == 0)
			leaf = x;
		else if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			goto out;
		}
	}
	if (X509_STORE_CTX_init(vctx, store, leaf, untrusted) != 1)
		goto out;
	X509_STORE_CTX_set_purpose(vctx, X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(vctx),
	    X509_V_FLAG_NO_CHECK_TIME);
	if (X509_verify_cert(vctx) == 1) {
		st = MC_CHAIN_OK;
		goto out;
	}
	err = X509_STORE_CTX_get_error(vctx);
	snprintf(why, whysize, "%s (depth %d)",
	    X509_verify_cert_error_string(err),
	    X509_STORE_CTX_get_error_depth(vctx));
	st = MC_CHAIN_UNTRUSTED;
out:
	X509_STORE_CTX_free(vctx);
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
	X509_STORE_free(store);
	ERR_clear_error();
	return st;
}
