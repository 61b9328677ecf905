/* SPDX-License-Identifier: ISC */
/*
 * src/dnssec.c - DNSSEC validation with ldns primitives (RFC 4035 5)
 *
 * Why ldns and not libunbound: libunbound is a whole recursive resolver
 * with its own sockets, cache and threads; it would ask the world by
 * itself, around our DNS layer (its deadline, its loopback-only rule, the
 * zone backend of offline runs).  What a health check needs is the chain
 * of one name, asked through the session every check shares, and the
 * reason when it breaks (an expired RRSIG, a DS that matches no key), which
 * libunbound reduces to "bogus" and a string.  ldns, already the DNS
 * layer's wire library, has the primitives: RRSIG verification with a
 * given time, DS digests, key tags, NSEC/NSEC3 bitmaps and hashes.  This
 * file is the second one that includes ldns; it sees DNS only through
 * mailcheck/dns.h and turns the presentation format the layer keeps back
 * into ldns records.
 *
 * The walk (mc_dnssec_name_state): from the closest anchor's zone, whose
 * DNSKEY RRset must be signed by a key the anchor names, one label at a
 * time down to the name; at each label DS, DNSKEY and SOA are asked at
 * once.  A DS RRset signed by the zone's keys makes the label a secure
 * zone when one of its DNSKEYs matches a DS and signs the DNSKEY RRset; a
 * signed NSEC or NSEC3 at the label (or an opt-out NSEC3 covering it)
 * without DS but with NS makes it insecure; a label without DS that is no
 * zone apex (no DNSKEY, no SOA) stays in the zone.  Limits, against hostile
 * key sets (KeyTrap, CVE-2023-50387): at most MC_DNSSEC_MAX_SIGS RRSIGs
 * tried per RRset and MC_DNSSEC_MAX_KEYS candidate keys per RRSIG.
 *
 * Answers (mc_dnssec_answer_state): the records' RRSIGs (TXT rebuilt from
 * the RDATA the layer keeps), the proof a wildcard answer needs, NSEC and
 * NSEC3 proofs for NODATA and NXDOMAIN (closest encloser, opt-out spans
 * insecure), CNAME chains one hop at a time.  A per-run cache
 * (mc_dnssec_cache_new) keeps the keys of the zones walked and the
 * verdicts reached, so each DNSKEY and DS RRset is verified once a run.
 *
 * Not done: the RFC 5011 rollover of anchors (docs/checks/dnssec.md).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns_impl.h"
#include "mailcheck/check.h"
#include "mailcheck/dnssec_state.h"
#include "banned.h"

#define MC_DNSSEC_MAX_SIGS 8 /* RRSIGs tried over one RRset */
#define MC_DNSSEC_MAX_KEYS 4 /* keys with the RRSIG's tag tried for it */
#define CACHE_ZONES 32       /* secure zones a run's cache keeps */
#define CACHE_NAMES 128      /* names on the way a run's cache keeps */

/*
 * The root zone's KSKs as IANA publishes them in
 * https://data.iana.org/root-anchors/root-anchors.xml (KSK-2017, tag
 * 20326, valid from 2017-02-02; KSK-2024, tag 38696, valid from
 * 2024-07-18), the same DS records as Debian's dns-root-data 2024071801
 * (/usr/share/dns/root.ds).
 */
static const char *const root_anchors[] = {
	". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
	". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
};

struct mc_dnssec_anchor {
	ldns_rr_list *rrs; /* DS and DNSKEY records, any owners */
};

/*
 * What a run has walked (see mc_dnssec_cache_new()): the keys of the
 * secure zones it reached, and for every name on the way either the zone
 * it is in (a walk below goes on from there) or the verdict that ended
 * the walk there (it holds for every name below: below an insecure or a
 * bogus zone nothing is secure).  Full tables are not grown: the walk
 * then goes without.
 */
struct cache_zone {
	char zone[MC_DNS_NAME_MAX + 2];
	ldns_rr_list *keys; /* the zone's DNSKEY RRset, validated; owned */
};

struct cache_name {
	char name[MC_DNS_NAME_MAX + 2];
	int zone;                   /* index in zones, -1: res is final */
	struct mc_dnssec_result res;
};

struct mc_dnssec_cache {
	struct cache_zone zones[CACHE_ZONES];
	size_t nzones;
	struct cache_name names[CACHE_NAMES];
	size_t nnames;
};

struct walk {
	const struct mc_dnssec_anchor *ta;
	struct mc_dns_session *dns;
	struct mc_dnssec_cache *cache; /* NULL: none */
	struct mc_dnssec_result *res;
	time_t now;
};

const char *
mc_dnssec_state_str(enum mc_dnssec_state s)
{
	switch (s) {
	case MC_DNSSEC_SECURE:
		return "secure";
	case MC_DNSSEC_INSECURE:
		return "insecure";
	case MC_DNSSEC_BOGUS:
		return "bogus";
	case MC_DNSSEC_INDETERMINATE:
		break;
	}
	return "indeterminate";
}

static enum mc_dnssec_state
verdict(struct mc_dnssec_result *res, enum mc_dnssec_state st,
    enum mc_dnssec_why why, const char *zone, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static enum mc_dnssec_state
verdict(struct mc_dnssec_result *res, enum mc_dnssec_state st,
    enum mc_dnssec_why why, const char *zone, const char *fmt, ...)
{
	va_list ap;

	res->state = st;
	res->why = why;
	snprintf(res->zone, sizeof(res->zone), "%s", zone);
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
	return st;
}

/* Algorithms we validate (RFC 8624 3.1: RSAMD5, DSA are MUST NOT). */
static int
algo_supported(unsigned algo)
{
	switch (algo) {
	case LDNS_RSASHA1:
	case LDNS_RSASHA1_NSEC3:
	case LDNS_RSASHA256:
	case LDNS_RSASHA512:
	case LDNS_ECDSAP256SHA256:
	case LDNS_ECDSAP384SHA384:
	case LDNS_ED25519:
	case LDNS_ED448:
		return 1;
	}
	return 0;
}

/* Is this DS (or DNSKEY anchor) usable: a known algorithm and digest? */
static int
anchor_usable(const ldns_rr *rr)
{
	unsigned digest;

	if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY)
		return ldns_rr_rd_count(rr) == 4 &&
		    algo_supported(ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)));
	if (ldns_rr_rd_count(rr) != 4)
		return 0;
	digest = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
	return algo_supported(ldns_rdf2native_int8(ldns_rr_rdf(rr, 1))) &&
	    (digest == LDNS_SHA1 || digest == LDNS_SHA256 ||
	    digest == LDNS_SHA384);
}

/* "owner." for a canonical name ("" the root: "."). */
static ldns_rdf *
dname(const char *name)
{
	char buf[MC_DNS_NAME_MAX + 3];

	snprintf(buf, sizeof(buf), "%s.", name);
	return ldns_dname_new_frm_str(*name == '\0' ? "." : buf);
}

/*
 * A TXT or SPF record back into ldns from the RDATA the layer keeps (its
 * strings as they came: the joined text cannot say where they were cut).
 */
static ldns_rr *
txt_from(const char *owner, const struct mc_rr *rr)
{
	const unsigned char *rd = mc_rr_rdata(rr);
	ldns_rdf *o, *str;
	ldns_rr *out;
	size_t i, n;

	if (rd == NULL || (out = ldns_rr_new()) == NULL)
		return NULL;
	ldns_rr_set_type(out, (ldns_rr_type)rr->type);
	ldns_rr_set_class(out, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(out, rr->ttl);
	o = dname(owner);
	if (o == NULL)
		goto fail;
	ldns_rr_set_owner(out, o);
	for (i = 0; i < rr->rdlen; i += n) {
		n = (size_t)rd[i] + 1;
		if (n > rr->rdlen - i)
			goto fail;
		str = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, n, rd + i);
		if (str == NULL || !ldns_rr_push_rdf(out, str)) {
			ldns_rdf_deep_free(str);
			goto fail;
		}
	}
	return out;
fail:
	ldns_rr_free(out);
	return NULL;
}

/* One record of the layer's vocabulary back into ldns (NULL: cannot). */
static ldns_rr *
rr_from(const char *owner, const struct mc_rr *rr)
{
	char tbuf[16], *line;
	const char *fmt = "%s. %u IN %s %s";
	ldns_rr *out = NULL;
	char pref[8] = "";
	int len;

	switch (rr->type) {
	case MC_RR_TXT:
	case MC_RR_SPF:
		return txt_from(owner, rr);
	case MC_RR_MX:
		snprintf(pref, sizeof(pref), "%u ", (unsigned)rr->pref);
		/* fall through */
	case MC_RR_NS:
	case MC_RR_CNAME:
	case MC_RR_PTR:
		fmt = "%s. %u IN %s %s%s.";
		break;
	default:
		fmt = "%s. %u IN %s %s%s";
		break;
	}
	len = snprintf(NULL, 0, fmt, owner, (unsigned)rr->ttl,
	    mc_rr_type_str(rr->type, tbuf, sizeof(tbuf)), pref, rr->data);
	if (len < 0 || (line = malloc((size_t)len + 1)) == NULL)
		return NULL;
	snprintf(line, (size_t)len + 1, fmt, owner, (unsigned)rr->ttl,
	    mc_rr_type_str(rr->type, tbuf, sizeof(tbuf)), pref, rr->data);
	if (ldns_rr_new_frm_str(&out, line, 0, NULL, NULL) != LDNS_STATUS_OK)
		out = NULL;
	free(line);
	return out;
}

/* The answer's records as an RRset (NULL: none, or not rebuildable). */
static ldns_rr_list *
rrset_of(const struct mc_dns_answer *a)
{
	const char *owner = a->cname != NULL ? a->cname : a->qname;
	ldns_rr_list *l;
	ldns_rr *rr;
	size_t i;

	if (a->status != MC_DNS_OK || (l = ldns_rr_list_new()) == NULL)
		return NULL;
	for (i = 0; i < a->count; i++) {
		if (a->rr[i].type != a->qtype)
			continue;
		rr = rr_from(owner, &a->rr[i]);
		if (rr == NULL || !ldns_rr_list_push_rr(l, rr)) {
			ldns_rr_free(rr);
			ldns_rr_list_deep_free(l);
			return NULL;
		}
	}
	if (ldns_rr_list_rr_count(l) == 0) {
		ldns_rr_list_free(l);
		return NULL;
	}
	return l;
}

/* The DNSSEC records that came with the answer, parsed. */
static ldns_rr_list *
sec_of(const struct mc_dns_answer *a)
{
	ldns_rr_list *l;
	ldns_rr *rr;
	size_t i;

	l = ldns_rr_list_new();
	for (i = 0; l != NULL && i < a->nsec; i++) {
		rr = NULL;
		if (ldns_rr_new_frm_str(&rr, a->sec[i], 0, NULL, NULL) !=
		    LDNS_STATUS_OK)
			continue; /* not usable: as if it were missing */
		if (!ldns_rr_list_push_rr(l, rr))
			ldns_rr_free(rr);
	}
	return l;
}

/* RRSIGs in sec over type at owner (a borrowed list: free, not deep). */
static ldns_rr_list *
sigs_for(const ldns_rr_list *sec, const ldns_rdf *owner, ldns_rr_type type)
{
	ldns_rr_list *out;
	ldns_rr *rr;
	size_t i;

	out = ldns_rr_list_new();
	for (i = 0; out != NULL && i < ldns_rr_list_rr_count(sec); i++) {
		rr = ldns_rr_list_rr(sec, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
		    ldns_rr_rrsig_typecovered(rr) != NULL &&
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) == type &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
			ldns_rr_list_push_rr(out, rr);
	}
	return out;
}

/*
 * Verify rrset (owner, type, for messages) with its RRSIGs in sec against
 * keys, the DNSKEYs of zone.  Returns 0, or -1 with res filled (bogus).
 */
static int
verify(struct walk *w, const ldns_rr_list *rrset, const ldns_rr_list *sec,
    const ldns_rr_list *keys, const char *zone, const char *what)
{
	ldns_rr_list *sigs, *cand = NULL;
	ldns_rdf *zname;
	ldns_status st, worst = LDNS_STATUS_CRYPTO_NO_RRSIG;
	ldns_rr *sig, *key;
	size_t i, k, tried = 0;
	uint16_t tag;
	int rc = -1;

	zname = dname(zone);
	sigs = sigs_for(sec, ldns_rr_owner(ldns_rr_list_rr(rrset, 0)),
	    ldns_rr_get_type(ldns_rr_list_rr(rrset, 0)));
	if (zname == NULL || sigs == NULL) {
		verdict(w->res, MC_DNSSEC_INDETERMINATE, MC_DNSSEC_WHY_LOOKUP,
		    zone, "out of memory");
		goto out;
	}
	for (i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		sig = ldns_rr_list_rr(sigs, i);
		if (ldns_rr_rrsig_signame(sig) == NULL ||
		    ldns_dname_compare(ldns_rr_rrsig_signame(sig), zname) != 0 ||
		    ldns_rr_rrsig_keytag(sig) == NULL)
			continue; /* another zone's, at a zone cut */
		if (tried++ == MC_DNSSEC_MAX_SIGS)
			break;
		ldns_rr_list_free(cand);
		cand = ldns_rr_list_new();
		if (cand == NULL)
			break;
		tag = ldns_rdf2native_int16(ldns_rr_rrsig_keytag(sig));
		for (k = 0; k < ldns_rr_list_rr_count(keys) &&
		    ldns_rr_list_rr_count(cand) < MC_DNSSEC_MAX_KEYS; k++) {
			key = ldns_rr_list_rr(keys, k);
			if (ldns_calc_keytag(key) == tag)
				ldns_rr_list_push_rr(cand, key);
		}
		st = ldns_verify_rrsig_keylist_time(rrset, sig, cand, w->now,
		    NULL);
		if (st == LDNS_STATUS_OK) {
			rc = 0;
			goto out;
		}
		/* the most telling failure: dates over a bad signature */
		if (worst == LDNS_STATUS_CRYPTO_NO_RRSIG ||
		    st == LDNS_STATUS_CRYPTO_SIG_EXPIRED ||
		    st == LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED ||
		    st == LDNS_STATUS_CRYPTO_EXPIRATION_BEFORE_INCEPTION)
			worst = st;
	}
	switch (worst) {
	case LDNS_STATUS_CRYPTO_NO_RRSIG:
		verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_RRSIG_MISSING,
		    zone, "%s has no RRSIG by zone %s.", what, zone);
		break;
	case LDNS_STATUS_CRYPTO_SIG_EXPIRED:
	case LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED:
		verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_RRSIG_EXPIRED,
		    zone, "the RRSIG over %s %s", what,
		    worst == LDNS_STATUS_CRYPTO_SIG_EXPIRED ? "has expired" :
		    "is not valid yet");
		break;
	case LDNS_STATUS_CRYPTO_EXPIRATION_BEFORE_INCEPTION:
		verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_RRSIG_DATES,
		    zone, "the RRSIG over %s expires before its inception",
		    what);
		break;
	default:
		verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_SIGNATURE, zone,
		    "no RRSIG over %s verifies with the keys of %s.: %s", what,
		    zone, ldns_get_errorstr_by_id(worst));
		break;
	}
out:
	ldns_rr_list_free(cand);
	ldns_rr_list_free(sigs);
	ldns_rdf_deep_free(zname);
	return rc;
}

/*
 * Trust zone's DNSKEY RRset (ans) through ds, the DS RRset or anchors
 * naming its keys: *keys becomes the RRset (the caller frees it deep).
 * Returns the state: SECURE, or res filled.
 */
static enum mc_dnssec_state
trust_keys(struct walk *w, const char *zone, const ldns_rr_list *ds,
    const struct mc_dns_answer *ans, ldns_rr_list **keys)
{
	ldns_rr_list *set = NULL, *sec = NULL, *good = NULL;
	enum mc_dnssec_state st = MC_DNSSEC_BOGUS;
	ldns_rr *key, *d;
	size_t i, k, usable = 0;

	*keys = NULL;
	for (k = 0; k < ldns_rr_list_rr_count(ds); k++)
		usable += anchor_usable(ldns_rr_list_rr(ds, k));
	if (usable == 0)
		return verdict(w->res, MC_DNSSEC_INSECURE,
		    MC_DNSSEC_WHY_ALGORITHM, zone, "no DS of %s. has an "
		    "algorithm and digest this validator supports", zone);
	if (mc_dns_failed(ans))
		return verdict(w->res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_LOOKUP, zone, "DNSKEY lookup of %s. failed: "
		    "%s", zone, ans->why != NULL ? ans->why : "?");
	set = rrset_of(ans);
	if (set == NULL)
		return verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_NO_DNSKEY,
		    zone, "%s. has a DS but no DNSKEY records", zone);
	good = ldns_rr_list_new();
	for (i = 0; good != NULL && i < ldns_rr_list_rr_count(set); i++) {
		key = ldns_rr_list_rr(set, i);
		for (k = 0; k < ldns_rr_list_rr_count(ds); k++) {
			d = ldns_rr_list_rr(ds, k);
			if (!anchor_usable(d))
				continue;
			/* the key tag first: a digest per key is dear */
			if (ldns_rr_get_type(d) == LDNS_RR_TYPE_DNSKEY ?
			    ldns_rdf_compare(ldns_rr_rdf(d, 3),
			    ldns_rr_rdf(key, 3)) == 0 :
			    ldns_calc_keytag(key) == ldns_rdf2native_int16(
			    ldns_rr_rdf(d, 0)) && ldns_rr_compare_ds(key, d)) {
				ldns_rr_list_push_rr(good, key);
				break;
			}
		}
	}
	if (good == NULL || ldns_rr_list_rr_count(good) == 0) {
		verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_DS_MISMATCH,
		    zone, "no DNSKEY of %s. matches its DS", zone);
		goto out;
	}
	sec = sec_of(ans);
	if (sec == NULL || verify(w, set, sec, good, zone, "the DNSKEY "
	    "RRset") == -1) {
		if (sec == NULL)
			verdict(w->res, MC_DNSSEC_INDETERMINATE,
			    MC_DNSSEC_WHY_LOOKUP, zone, "out of memory");
		st = w->res->state;
		goto out;
	}
	*keys = set;
	set = NULL;
	st = MC_DNSSEC_SECURE;
out:
	ldns_rr_list_free(good);
	ldns_rr_list_deep_free(sec);
	ldns_rr_list_deep_free(set);
	return st;
}

/*
 * What the NSEC and NSEC3 records of an answer prove about a name
 * (RFC 4035 5.4, RFC 5155 8): read from records whose signatures were
 * verified (proved()).
 */
struct proof {
	int match;             /* a record owned by the name (its hash): */
	const ldns_rdf *types; /*   its type bitmap */
	int absent;            /* the name does not exist: an NSEC covers
	                          it, or an NSEC3 closest-encloser proof */
	int optout;            /* NSEC3: the next closer name is in an
	                          opt-out span (it may be an unsigned
	                          delegation: insecure, RFC 5155 9.2) */
	int wildcard;          /* at the closest encloser: 1 a wildcard is
	                          proven absent, 2 one exists: */
	const ldns_rdf *wtypes; /*   its type bitmap */
};

#define MC_DNSSEC_MAX_DENIALS 8     /* NSEC/NSEC3 records read per answer */

/* A name of ldns as the layer writes it (canonical, no final dot). */
static int
name_of(const ldns_rdf *rdf, char *buf, size_t size)
{
	char *s = ldns_rdf2str(rdf);
	int rc;

	rc = s != NULL ? mc_dns_name_canon(s, buf, size) : -1;
	free(s);
	return rc;
}

/* The name one label up ("" the root's parent is NULL). */
static const char *
up(const char *name)
{
	const char *p = strchr(name, '.');

	if (*name == '\0')
		return NULL;
	return p != NULL ? p + 1 : "";
}

/* Canonical order of two names (RFC 4034 6.1); -2 when one is bad. */
static int
name_cmp(const char *a, const char *b)
{
	ldns_rdf *x = dname(a), *y = dname(b);
	int c = -2;

	if (x != NULL && y != NULL)
		c = ldns_dname_compare(x, y);
	ldns_rdf_deep_free(x);
	ldns_rdf_deep_free(y);
	return c;
}

/* Is name strictly between owner and next (next <= owner: the last)? */
static int
between(const char *owner, const char *next, const char *name)
{
	int on = name_cmp(owner, name), nn = name_cmp(name, next);

	if (on == -2 || nn == -2)
		return 0;
	if (name_cmp(next, owner) <= 0)
		return on < 0;
	return on < 0 && nn < 0;
}

/* The NSEC3 hash of name under rr's parameters (lower case) into h. */
static int
n3hash(const ldns_rr *rr, const char *name, char *h, size_t size)
{
	ldns_rdf *n, *hash;
	int rc = -1;

	if ((n = dname(name)) == NULL)
		return -1;
	hash = ldns_nsec3_hash_name_frm_nsec3(rr, n);
	if (hash != NULL)
		rc = name_of(hash, h, size);
	ldns_rdf_deep_free(hash);
	ldns_rdf_deep_free(n);
	return rc;
}

/* rr's own hash (its owner's first label) and next hash, lower case. */
static int
n3span(const ldns_rr *rr, char *own, char *next, size_t size)
{
	ldns_rdf *first;
	char *s;
	size_t i;
	int rc;

	first = ldns_dname_label(ldns_rr_owner(rr), 0);
	rc = first != NULL ? name_of(first, own, size) : -1;
	ldns_rdf_deep_free(first);
	if (rc == -1 || ldns_nsec3_next_owner(rr) == NULL ||
	    (s = ldns_rdf2str(ldns_nsec3_next_owner(rr))) == NULL)
		return -1;
	for (i = 0; s[i] != '\0' && s[i] != '.' && i + 1 < size; i++)
		next[i] = (char)tolower((unsigned char)s[i]);
	next[i] = '\0';
	free(s);
	return 0;
}

/* Does rr, an NSEC3, match (1) or cover (2) name?  0: neither. */
static int
n3has(const ldns_rr *rr, const char *name)
{
	char h[64], own[64], next[64];
	int c;

	if (n3hash(rr, name, h, sizeof(h)) == -1 ||
	    n3span(rr, own, next, sizeof(own)) == -1)
		return 0;
	if (strcmp(h, own) == 0)
		return 1;
	c = strcmp(next, own);
	if (c <= 0)
		return strcmp(h, own) > 0 || strcmp(h, next) < 0 ? 2 : 0;
	return strcmp(h, own) > 0 && strcmp(h, next) < 0 ? 2 : 0;
}

/* The NSEC3 of l that matches name (want 1) or covers it (2), or NULL. */
static const ldns_rr *
n3find(const ldns_rr_list *l, const char *name, int want)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(l, i)) ==
		    LDNS_RR_TYPE_NSEC3 && n3has(ldns_rr_list_rr(l, i), name) ==
		    want)
			return ldns_rr_list_rr(l, i);
	return NULL;
}

/* The NSEC of l owned by name (want 1) or covering it (2), or NULL. */
static const ldns_rr *
nsec_find(const ldns_rr_list *l, const char *name, int want)
{
	char own[MC_DNS_NAME_MAX + 2], next[MC_DNS_NAME_MAX + 2];
	const ldns_rr *rr;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC ||
		    name_of(ldns_rr_owner(rr), own, sizeof(own)) == -1 ||
		    ldns_rr_rdf(rr, 0) == NULL ||
		    name_of(ldns_rr_rdf(rr, 0), next, sizeof(next)) == -1)
			continue;
		if (want == 1 ? strcmp(own, name) == 0 :
		    between(own, next, name))
			return rr;
	}
	return NULL;
}

/*
 * Read what the records of l prove about name in zone (RFC 4035 5.4 with
 * NSEC; RFC 5155 8.3 to 8.7 with NSEC3: the closest encloser is the
 * deepest ancestor whose hash an NSEC3 matches, the next closer name one
 * label below it must be covered).
 */
static void
prove(const ldns_rr_list *l, const char *zone, const char *name,
    struct proof *p)
{
	char own[MC_DNS_NAME_MAX + 2], next[MC_DNS_NAME_MAX + 2];
	char wild[MC_DNS_NAME_MAX + 4];
	const char *ce = NULL, *nc = name, *a;
	const ldns_rr *rr, *cov;

	memset(p, 0, sizeof(*p));
	if ((rr = nsec_find(l, name, 1)) != NULL) {
		p->match = 1;
		p->types = ldns_nsec_get_bitmap(rr);
		return;
	}
	if ((rr = n3find(l, name, 1)) != NULL) {
		p->match = 1;
		p->types = ldns_nsec3_bitmap(rr);
		return;
	}
	if ((cov = nsec_find(l, name, 2)) != NULL) {
		p->absent = 1;
		/* the closest encloser: the deepest ancestor of name that is
		   an ancestor of the covering NSEC's owner or next name */
		if (name_of(ldns_rr_owner(cov), own, sizeof(own)) == -1 ||
		    name_of(ldns_rr_rdf(cov, 0), next, sizeof(next)) == -1)
			return;
		for (a = up(name); a != NULL && ce == NULL; a = up(a))
			if (mc_dns_name_below(own, a) || mc_dns_name_below(next, a))
				ce = a;
	} else {
		for (a = up(name); a != NULL && mc_dns_name_below(a, zone);
		    nc = a, a = up(a))
			if (n3find(l, a, 1) != NULL) {
				ce = a;
				break;
			}
		if (ce == NULL || (cov = n3find(l, nc, 2)) == NULL)
			return;
		p->absent = 1;
		p->optout = ldns_nsec3_optout(cov);
	}
	if (ce == NULL)
		return;
	snprintf(wild, sizeof(wild), *ce != '\0' ? "*.%s" : "*", ce);
	if ((rr = nsec_find(l, wild, 1)) != NULL ||
	    (rr = n3find(l, wild, 1)) != NULL) {
		p->wildcard = 2;
		p->wtypes = ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC ?
		    ldns_nsec_get_bitmap(rr) : ldns_nsec3_bitmap(rr);
	} else if (nsec_find(l, wild, 2) != NULL ||
	    n3find(l, wild, 2) != NULL)
		p->wildcard = 1;
}

/* Does a type bitmap (NULL: none) list type? */
static int
lists(const ldns_rdf *types, ldns_rr_type type)
{
	return types != NULL && ldns_nsec_bitmap_covers_type(types, type);
}

/* Is there an RRSIG in sec over rr's RRset by zone? */
static int
signed_by(const ldns_rr_list *sec, const ldns_rr *rr, const char *zone)
{
	ldns_rr_list *sigs;
	ldns_rdf *z;
	size_t i;
	int found = 0;

	z = dname(zone);
	sigs = sigs_for(sec, ldns_rr_owner(rr), ldns_rr_get_type(rr));
	for (i = 0; z != NULL && sigs != NULL &&
	    i < ldns_rr_list_rr_count(sigs) && !found; i++)
		found = ldns_rr_rrsig_signame(ldns_rr_list_rr(sigs, i)) != NULL &&
		    ldns_dname_compare(ldns_rr_rrsig_signame(
		    ldns_rr_list_rr(sigs, i)), z) == 0;
	ldns_rr_list_free(sigs);
	ldns_rdf_deep_free(z);
	return found;
}

/*
 * The NSEC and NSEC3 records of sec that verify with keys (the keys of
 * zone): a list borrowing them in *out.  0, or -1 with res filled (no
 * memory).  A record that does not verify is left out: an answer whose
 * proof needs it is bogus for want of a proof.
 */
static int
proved(struct walk *w, const ldns_rr_list *sec, const ldns_rr_list *keys,
    const char *zone, ldns_rr_list **out)
{
	ldns_rr_list *one;
	ldns_rr_type t;
	ldns_rr *rr;
	size_t i;
	int rc = -1;

	*out = ldns_rr_list_new();
	one = ldns_rr_list_new();
	if (*out == NULL || one == NULL) {
		verdict(w->res, MC_DNSSEC_INDETERMINATE, MC_DNSSEC_WHY_LOOKUP,
		    zone, "out of memory");
		goto out;
	}
	for (i = 0; i < ldns_rr_list_rr_count(sec) &&
	    ldns_rr_list_rr_count(*out) < MC_DNSSEC_MAX_DENIALS; i++) {
		rr = ldns_rr_list_rr(sec, i);
		t = ldns_rr_get_type(rr);
		if (t != LDNS_RR_TYPE_NSEC && (t != LDNS_RR_TYPE_NSEC3 ||
		    ldns_nsec3_iterations(rr) > MC_NSEC3_MAX_ITERATIONS))
			continue;
		if (!signed_by(sec, rr, zone))
			continue; /* another zone's, or unsigned: no proof */
		ldns_rr_list_set_rr_count(one, 0);
		ldns_rr_list_push_rr(one, rr);
		/* one that does not verify proves nothing (the zone backend
		   serves both zones' NSEC records at a zone cut) */
		if (verify(w, one, sec, keys, zone, "the NSEC record") == 0)
			ldns_rr_list_push_rr(*out, rr);
	}
	rc = 0;
out:
	ldns_rr_list_free(one);
	if (rc == -1) {
		ldns_rr_list_free(*out);
		*out = NULL;
	}
	return rc;
}

enum cut { CUT_NONE, CUT_NO, CUT_INSECURE, CUT_DS };

/*
 * What the signed NSEC/NSEC3 records of a DS answer say about name, a
 * label below zone: CUT_INSECURE (a delegation without DS, or in an
 * opt-out span), CUT_NO (no delegation: the name exists without NS, or
 * does not exist), CUT_DS (the bitmap claims a DS), or CUT_NONE.  -1 on
 * a record that fails verification (res filled).
 */
static int
denial(struct walk *w, const struct mc_dns_answer *ans, const char *zone,
    const char *name, const ldns_rr_list *keys)
{
	ldns_rr_list *sec, *l = NULL;
	struct proof p;
	int rc = -1;

	sec = sec_of(ans);
	if (sec == NULL) {
		verdict(w->res, MC_DNSSEC_INDETERMINATE, MC_DNSSEC_WHY_LOOKUP,
		    zone, "out of memory");
		return -1;
	}
	if (proved(w, sec, keys, zone, &l) == -1)
		goto out;
	prove(l, zone, name, &p);
	if (p.match)
		rc = lists(p.types, LDNS_RR_TYPE_DS) ? CUT_DS :
		    lists(p.types, LDNS_RR_TYPE_NS) &&
		    !lists(p.types, LDNS_RR_TYPE_SOA) ? CUT_INSECURE : CUT_NO;
	else if (p.absent)
		rc = p.optout ? CUT_INSECURE : CUT_NO;
	else
		rc = CUT_NONE;
out:
	ldns_rr_list_free(l);
	ldns_rr_list_deep_free(sec);
	return rc;
}

/* The anchor records at the closest anchor owner above name, or NULL. */
static ldns_rr_list *
anchor_for(const struct mc_dnssec_anchor *ta, const char *name, char *zone,
    size_t zsize)
{
	ldns_rr_list *out = NULL;
	ldns_rdf *n, *best = NULL, *o;
	char *s;
	size_t i;

	n = dname(name);
	if (n == NULL)
		return NULL;
	for (i = 0; i < ldns_rr_list_rr_count(ta->rrs); i++) {
		o = ldns_rr_owner(ldns_rr_list_rr(ta->rrs, i));
		if ((ldns_dname_compare(o, n) == 0 ||
		    ldns_dname_is_subdomain(n, o)) && (best == NULL ||
		    ldns_dname_label_count(o) > ldns_dname_label_count(best)))
			best = o;
	}
	if (best != NULL && (out = ldns_rr_list_new()) != NULL) {
		for (i = 0; i < ldns_rr_list_rr_count(ta->rrs); i++)
			if (ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(
			    ta->rrs, i)), best) == 0)
				ldns_rr_list_push_rr(out,
				    ldns_rr_list_rr(ta->rrs, i));
		s = ldns_rdf2str(best);
		if (s == NULL || mc_dns_name_canon(s, zone, zsize) == -1)
			zone[0] = '\0';
		free(s);
	}
	ldns_rdf_deep_free(n);
	return out;
}

/* The name one label longer than zone on the way to name. */
static const char *
next_label(const char *name, const char *zone)
{
	size_t nl = strlen(name), zl = strlen(zone);
	const char *p;

	/* name ends in "." zone, or zone is the root */
	p = name + nl - zl - (zl > 0 ? 1 : 0);
	while (p > name && p[-1] != '.')
		p--;
	return p;
}

/*
 * One step below zone (keys): child, a label on the way to name.  Returns
 * 1 when child is a secure zone (*keys replaced, zone updated), 0 when it
 * is no zone cut, or -1 with res filled (insecure, bogus, indeterminate).
 */
static int
step(struct walk *w, char *zone, size_t zsize, const char *child,
    ldns_rr_list **keys)
{
	struct mc_dns_query q[3] = {
		{ .name = child, .type = MC_RR_DS },
		{ .name = child, .type = MC_RR_DNSKEY },
		{ .name = child, .type = MC_RR_SOA },
	};
	ldns_rr_list *ds = NULL, *sec = NULL, *nk = NULL;
	char what[MC_DNS_NAME_MAX + 32];
	int rc = -1;

	mc_dns_lookup_batch(w->dns, q, 3);
	if (mc_dns_failed(q[0].ans)) {
		verdict(w->res, MC_DNSSEC_INDETERMINATE, MC_DNSSEC_WHY_LOOKUP,
		    zone, "DS lookup of %s. failed: %s", child,
		    q[0].ans->why != NULL ? q[0].ans->why : "?");
		return -1;
	}
	if (q[0].ans->status == MC_DNS_OK) {
		ds = rrset_of(q[0].ans);
		sec = sec_of(q[0].ans);
		snprintf(what, sizeof(what), "the DS RRset of %s.", child);
		if (ds == NULL || sec == NULL) {
			verdict(w->res, MC_DNSSEC_INDETERMINATE,
			    MC_DNSSEC_WHY_LOOKUP, zone, "out of memory");
			goto out;
		}
		if (verify(w, ds, sec, *keys, zone, what) == -1)
			goto out;
		if (trust_keys(w, child, ds, q[1].ans, &nk) !=
		    MC_DNSSEC_SECURE)
			goto out;
		ldns_rr_list_deep_free(*keys);
		*keys = nk;
		snprintf(zone, zsize, "%s", child);
		rc = 1;
		goto out;
	}
	switch (denial(w, q[0].ans, zone, child, *keys)) {
	case -1:
		goto out;
	case CUT_INSECURE:
		verdict(w->res, MC_DNSSEC_INSECURE, MC_DNSSEC_WHY_NO_DS, child,
		    "%s. is delegated from %s. without DS: it is unsigned",
		    child, *zone != '\0' ? zone : "the root");
		goto out;
	case CUT_DS:
		verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_DENIAL, zone,
		    "the DS lookup of %s. found nothing while its NSEC "
		    "bitmap names a DS", child);
		goto out;
	case CUT_NO:
		rc = 0;
		goto out;
	}
	/* no proof: only a zone apex below a signed parent is an error */
	if (q[1].ans->status == MC_DNS_OK || q[2].ans->status == MC_DNS_OK) {
		if (q[1].ans->status == MC_DNS_OK)
			verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_DENIAL,
			    zone, "%s. publishes DNSKEY records but its parent "
			    "%s. has no DS for it and no proof of that", child,
			    zone);
		else
			verdict(w->res, MC_DNSSEC_INSECURE, MC_DNSSEC_WHY_NO_DS,
			    child, "%s. is a zone without DS in %s. (no "
			    "NSEC/NSEC3 proof was given)", child,
			    *zone != '\0' ? zone : "the root");
		goto out;
	}
	rc = 0;
out:
	ldns_rr_list_deep_free(ds);
	ldns_rr_list_deep_free(sec);
	return rc;
}

struct mc_dnssec_cache *
mc_dnssec_cache_new(void)
{
	return calloc(1, sizeof(struct mc_dnssec_cache));
}

void
mc_dnssec_cache_free(struct mc_dnssec_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nzones; i++)
		ldns_rr_list_deep_free(c->zones[i].keys);
	free(c);
}

/*
 * The deepest name the cache knows on the way from anchor (the zone of
 * the anchor the walk starts from) to name, or NULL.
 */
static const struct cache_name *
cache_find(const struct mc_dnssec_cache *c, const char *anchor,
    const char *name)
{
	const struct cache_name *best = NULL;
	size_t i;

	for (i = 0; c != NULL && i < c->nnames; i++)
		if (mc_dns_name_below(name, c->names[i].name) &&
		    mc_dns_name_below(c->names[i].name, anchor) && (best == NULL ||
		    strlen(c->names[i].name) > strlen(best->name)))
			best = &c->names[i];
	return best;
}

/*
 * Remember name: in the secure zone zone with keys (a copy is kept; NULL:
 * the zone the cache knows by that name), or, zone NULL, with the final
 * verdict in w->res.
 */
static void
cache_put(struct walk *w, const char *name, const char *zone,
    const ldns_rr_list *keys)
{
	struct mc_dnssec_cache *c = w->cache;
	struct cache_name *cn;
	size_t z;

	if (c == NULL || c->nnames == CACHE_NAMES)
		return;
	cn = &c->names[c->nnames];
	snprintf(cn->name, sizeof(cn->name), "%s", name);
	cn->zone = -1;
	if (zone == NULL) {
		cn->res = *w->res;
		c->nnames++;
		return;
	}
	for (z = 0; z < c->nzones; z++)
		if (strcmp(c->zones[z].zone, zone) == 0)
			break;
	if (z == c->nzones) {
		if (keys == NULL || z == CACHE_ZONES ||
		    (c->zones[z].keys = ldns_rr_list_clone(keys)) == NULL)
			return;
		snprintf(c->zones[z].zone, sizeof(c->zones[z].zone), "%s",
		    zone);
		c->nzones++;
	}
	cn->zone = (int)z;
	c->nnames++;
}

/* Walk to name; on SECURE *keys are the keys of its zone (in res->zone). */
static enum mc_dnssec_state
walk(struct walk *w, const char *name, ldns_rr_list **keys)
{
	ldns_rr_list *anchors;
	const struct mc_dns_answer *a;
	char zone[MC_DNS_NAME_MAX + 2], pos[MC_DNS_NAME_MAX + 2];
	const struct cache_name *known;
	enum mc_dnssec_state st;
	const char *child;
	int rc;

	*keys = NULL;
	anchors = anchor_for(w->ta, name, zone, sizeof(zone));
	if (anchors == NULL)
		return verdict(w->res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_NO_ANCHOR, "", "no trust anchor above %s.",
		    name);
	known = cache_find(w->cache, zone, name);
	if (known != NULL) {
		ldns_rr_list_free(anchors);
		if (known->zone == -1) {
			*w->res = known->res;
			return w->res->state;
		}
		*keys = ldns_rr_list_clone(w->cache->zones[known->zone].keys);
		if (*keys == NULL)
			return verdict(w->res, MC_DNSSEC_INDETERMINATE,
			    MC_DNSSEC_WHY_LOOKUP, zone, "out of memory");
		snprintf(zone, sizeof(zone), "%s",
		    w->cache->zones[known->zone].zone);
		snprintf(pos, sizeof(pos), "%s", known->name);
		goto down;
	}
	a = mc_dns_lookup(w->dns, *zone != '\0' ? zone : ".", MC_RR_DNSKEY);
	if (a->status == MC_DNS_NODATA || a->status == MC_DNS_NXDOMAIN) {
		/* zone files without the anchor's zone: nothing to say */
		ldns_rr_list_free(anchors);
		return verdict(w->res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_NO_ANCHOR, zone, "the trust anchor's zone "
		    "%s has no DNSKEY records in the data asked",
		    *zone != '\0' ? zone : "(the root)");
	}
	if (a->status == MC_DNS_TEMPFAIL && a->reason == MC_DNS_REASON_OUTSIDE) {
		/* a zone-file run whose files do not hold the anchor's zone */
		ldns_rr_list_free(anchors);
		return verdict(w->res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_NO_ANCHOR, zone, "the trust anchor's zone "
		    "%s is outside the zone files: not checked",
		    *zone != '\0' ? zone : "(the root)");
	}
	st = trust_keys(w, zone, anchors, a, keys);
	ldns_rr_list_free(anchors);
	if (st != MC_DNSSEC_SECURE) {
		cache_put(w, zone, NULL, NULL);
		return st;
	}
	cache_put(w, zone, zone, *keys);
	snprintf(pos, sizeof(pos), "%s", zone);
down:
	while (strcmp(pos, name) != 0) {
		child = next_label(name, pos);
		rc = step(w, zone, sizeof(zone), child, keys);
		if (rc == -1) {
			cache_put(w, child, NULL, NULL);
			ldns_rr_list_deep_free(*keys);
			*keys = NULL;
			return w->res->state;
		}
		cache_put(w, child, zone, rc == 1 ? *keys : NULL);
		snprintf(pos, sizeof(pos), "%s", child);
	}
	return verdict(w->res, MC_DNSSEC_SECURE, MC_DNSSEC_WHY_NONE, zone,
	    "%s. is signed and validates from the trust anchor",
	    *zone != '\0' ? zone : "the root");
}

enum mc_dnssec_state
mc_dnssec_name_state(const struct mc_dnssec_anchor *ta,
    struct mc_dns_session *dns, struct mc_dnssec_cache *cache,
    const char *name, struct mc_dnssec_result *res)
{
	struct walk w = { .ta = ta, .dns = dns, .cache = cache, .res = res,
	    .now = time(NULL) };
	ldns_rr_list *keys;
	enum mc_dnssec_state st;

	memset(res, 0, sizeof(*res));
	st = walk(&w, name, &keys);
	ldns_rr_list_deep_free(keys);
	return st;
}

/*
 * Was the RRset of owner and type in sec, signed by zone, synthesized from
 * a wildcard (RFC 4035 5.3.4: its RRSIG's labels field counts fewer
 * labels than the owner)?  Returns the number of labels of the source
 * ("*." and that many labels of owner), or -1 when it was not.
 */
static int
wildcard_labels(const ldns_rr_list *sec, const char *owner, ldns_rr_type type)
{
	ldns_rr_list *sigs;
	ldns_rdf *o;
	size_t i;
	int labels = -1, n;

	o = dname(owner);
	sigs = o != NULL ? sigs_for(sec, o, type) : NULL;
	for (i = 0; sigs != NULL && i < ldns_rr_list_rr_count(sigs); i++) {
		if (ldns_rr_rrsig_labels(ldns_rr_list_rr(sigs, i)) == NULL)
			continue;
		n = ldns_rdf2native_int8(ldns_rr_rrsig_labels(
		    ldns_rr_list_rr(sigs, i)));
		if ((size_t)n < ldns_dname_label_count(o))
			labels = n;
	}
	ldns_rr_list_free(sigs);
	ldns_rdf_deep_free(o);
	return labels;
}

/*
 * A secure zone's answer without records (NODATA or NXDOMAIN, RFC 4035
 * 5.4, RFC 5155 8), or one synthesized from a wildcard (labels >= 0: the
 * name itself must be proven absent, RFC 4035 5.3.4, RFC 5155 8.8).
 */
static enum mc_dnssec_state
denied(struct walk *w, const struct mc_dns_answer *ans, const char *owner,
    const ldns_rr_list *sec, const ldns_rr_list *keys, const char *zone,
    int labels)
{
	char tbuf[16], nc[MC_DNS_NAME_MAX + 2];
	const char *type = mc_rr_type_str(ans->qtype, tbuf, sizeof(tbuf));
	enum mc_dnssec_state st = MC_DNSSEC_BOGUS;
	ldns_rr_list *l = NULL;
	struct proof p;
	const char *q;
	size_t dots;

	if (proved(w, sec, keys, zone, &l) == -1)
		return w->res->state;
	if (labels >= 0) {
		/* the next closer name: labels + 1 labels of owner */
		for (q = owner + strlen(owner), dots = 0; q > owner; q--)
			if (q[-1] == '.' && ++dots == (size_t)labels + 1)
				break;
		snprintf(nc, sizeof(nc), "%s", q);
		if (nsec_find(l, owner, 2) != NULL ||
		    n3find(l, nc, 2) != NULL)
			st = verdict(w->res, MC_DNSSEC_SECURE,
			    MC_DNSSEC_WHY_NONE, zone, "the %s RRset of %s. "
			    "comes from a wildcard, with proof that the name "
			    "does not exist", type, owner);
		else
			verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_DENIAL,
			    zone, "the %s RRset of %s. comes from a wildcard "
			    "without NSEC or NSEC3 proof that the name does "
			    "not exist", type, owner);
		goto out;
	}
	prove(l, zone, owner, &p);
	if (ans->status == MC_DNS_NODATA && p.match &&
	    !lists(p.types, (ldns_rr_type)ans->qtype) &&
	    !lists(p.types, LDNS_RR_TYPE_CNAME))
		st = MC_DNSSEC_SECURE;
	else if (ans->status == MC_DNS_NODATA && p.absent &&
	    p.wildcard == 2 && !lists(p.wtypes, (ldns_rr_type)ans->qtype))
		st = MC_DNSSEC_SECURE;
	else if (ans->status == MC_DNS_NXDOMAIN && p.absent &&
	    p.wildcard == 1)
		st = MC_DNSSEC_SECURE;
	else if (p.absent && p.optout)
		st = MC_DNSSEC_INSECURE;
	if (st == MC_DNSSEC_SECURE)
		verdict(w->res, st, MC_DNSSEC_WHY_NONE, zone, "%s. has no %s "
		    "records, and the %s. zone proves it", owner, type, zone);
	else if (st == MC_DNSSEC_INSECURE)
		verdict(w->res, st, MC_DNSSEC_WHY_NO_DS, zone, "%s. is in an "
		    "NSEC3 opt-out span of %s.: it may be an unsigned "
		    "delegation", owner, zone);
	else
		verdict(w->res, st, MC_DNSSEC_WHY_DENIAL, zone, "the %s answer "
		    "for %s %s. has no valid NSEC or NSEC3 proof",
		    mc_dns_status_str(ans->status), type, owner);
out:
	ldns_rr_list_free(l);
	return st;
}

/* ans in the zone of owner (the name its records belong to). */
static enum mc_dnssec_state
one_answer(struct walk *w, const struct mc_dns_answer *ans,
    const char *owner)
{
	ldns_rr_list *keys = NULL, *set = NULL, *sec = NULL;
	char tbuf[16], what[MC_DNS_NAME_MAX + 48], zone[MC_DNS_NAME_MAX + 2];
	enum mc_dnssec_state st;
	int labels;

	st = walk(w, owner, &keys);
	if (st != MC_DNSSEC_SECURE)
		goto out;
	snprintf(zone, sizeof(zone), "%s", w->res->zone); /* verdict() writes it */
	sec = sec_of(ans);
	if (sec == NULL) {
		st = verdict(w->res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_LOOKUP, zone, "out of memory");
		goto out;
	}
	if (ans->status != MC_DNS_OK) {
		st = denied(w, ans, owner, sec, keys, zone, -1);
		goto out;
	}
	set = rrset_of(ans);
	if (set == NULL) {
		st = verdict(w->res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_UNCHECKED, zone, "the %s records of "
		    "%s. cannot be rebuilt for validation", mc_rr_type_str(
		    ans->qtype, tbuf, sizeof(tbuf)), owner);
		goto out;
	}
	snprintf(what, sizeof(what), "the %s RRset of %s.", mc_rr_type_str(
	    ans->qtype, tbuf, sizeof(tbuf)), owner);
	if (verify(w, set, sec, keys, zone, what) == -1)
		st = w->res->state;
	else if ((labels = wildcard_labels(sec, owner,
	    (ldns_rr_type)ans->qtype)) >= 0)
		st = denied(w, ans, owner, sec, keys, zone, labels);
out:
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sec);
	return st;
}

/*
 * The CNAME chain from ans->qname to ans->cname, one hop at a time: each
 * CNAME RRset asked again (the answer keeps only the chain's end) and
 * validated in its own zone.  SECURE, or res filled with the first hop
 * that is not.
 */
static enum mc_dnssec_state
cname_chain(struct walk *w, const struct mc_dns_answer *ans)
{
	char cur[MC_DNS_NAME_MAX + 2];
	const struct mc_dns_answer *a;
	enum mc_dnssec_state st;
	size_t hops;

	snprintf(cur, sizeof(cur), "%s", ans->qname);
	for (hops = 0; strcmp(cur, ans->cname) != 0; hops++) {
		if (hops == MC_DNS_CNAME_MAX)
			return verdict(w->res, MC_DNSSEC_INDETERMINATE,
			    MC_DNSSEC_WHY_LOOKUP, "", "the CNAME chain from "
			    "%s. does not reach %s.", ans->qname, ans->cname);
		a = mc_dns_lookup(w->dns, cur, MC_RR_CNAME);
		if (a->status != MC_DNS_OK || a->count == 0 ||
		    a->rr[0].type != MC_RR_CNAME)
			return verdict(w->res, MC_DNSSEC_INDETERMINATE,
			    MC_DNSSEC_WHY_LOOKUP, "", "the CNAME of %s. on the "
			    "way to %s. could not be asked again (%s)", cur,
			    ans->cname, mc_dns_status_str(a->status));
		st = one_answer(w, a, cur);
		if (st != MC_DNSSEC_SECURE)
			return st;
		snprintf(cur, sizeof(cur), "%s", a->rr[0].data);
	}
	return MC_DNSSEC_SECURE;
}

enum mc_dnssec_state
mc_dnssec_answer_state(const struct mc_dnssec_anchor *ta,
    struct mc_dns_session *dns, struct mc_dnssec_cache *cache,
    const struct mc_dns_answer *ans, struct mc_dnssec_result *res)
{
	struct mc_dnssec_result local;
	struct walk w = { .ta = ta, .dns = dns, .cache = cache,
	    .res = res != NULL ? res : &local, .now = time(NULL) };
	char tbuf[16];

	memset(w.res, 0, sizeof(*w.res));
	if (mc_dns_failed(ans))
		return verdict(w.res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_LOOKUP, "", "the %s lookup of %s. failed: %s",
		    mc_rr_type_str(ans->qtype, tbuf, sizeof(tbuf)), ans->qname,
		    ans->why != NULL ? ans->why : "?");
	if (ans->cname != NULL && cname_chain(&w, ans) != MC_DNSSEC_SECURE)
		return w.res->state;
	return one_answer(&w, ans, ans->cname != NULL ? ans->cname :
	    ans->qname);
}

/* Take rr (owned) into ta when it is a DS or DNSKEY of class IN. */
static int
anchor_add(struct mc_dnssec_anchor *ta, ldns_rr *rr, char *err,
    size_t errsize, const char *where)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	if ((t != LDNS_RR_TYPE_DS && t != LDNS_RR_TYPE_DNSKEY) ||
	    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		snprintf(err, errsize, "%s: trust anchors must be DS or DNSKEY "
		    "records", where);
		ldns_rr_free(rr);
		return -1;
	}
	ldns_dname2canonical(ldns_rr_owner(rr));
	if (!ldns_rr_list_push_rr(ta->rrs, rr)) {
		snprintf(err, errsize, "out of memory");
		ldns_rr_free(rr);
		return -1;
	}
	return 0;
}

struct mc_dnssec_anchor *
mc_dnssec_anchor_load(const char *path, char *err, size_t errsize)
{
	struct mc_dnssec_anchor *ta;
	char where[64];
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	ldns_status st;
	ldns_rr *rr;
	FILE *fp = NULL;
	size_t i;
	int line = 1, ok = 0;

	ta = calloc(1, sizeof(*ta));
	if (ta == NULL || (ta->rrs = ldns_rr_list_new()) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto out;
	}
	if (path == NULL) {
		for (i = 0; i < sizeof(root_anchors) / sizeof(root_anchors[0]);
		    i++) {
			rr = NULL;
			if (ldns_rr_new_frm_str(&rr, root_anchors[i], 0, NULL,
			    NULL) != LDNS_STATUS_OK) {
				snprintf(err, errsize, "built-in trust anchor "
				    "%zu does not parse", i);
				goto out;
			}
			if (anchor_add(ta, rr, err, errsize, "built in") == -1)
				goto out;
		}
		ok = 1;
		goto out;
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		snprintf(err, errsize, "cannot read trust anchor file '%s': %s",
		    path, strerror(errno));
		goto out;
	}
	origin = ldns_dname_new_frm_str(".");
	for (;;) {
		rr = NULL;
		st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN) {
			if (feof(fp) || ferror(fp))
				break;
			continue;
		}
		snprintf(where, sizeof(where), "%.40s:%d",
		    strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path,
		    line > 1 ? line - 1 : line);
		if (st != LDNS_STATUS_OK) {
			if (feof(fp) && rr == NULL &&
			    st == LDNS_STATUS_SYNTAX_ERR &&
			    ldns_rr_list_rr_count(ta->rrs) > 0)
				break; /* blanks after the last record */
			snprintf(err, errsize, "trust anchor file %s: %s", where,
			    ldns_get_errorstr_by_id(st));
			goto out;
		}
		if (anchor_add(ta, rr, err, errsize, where) == -1)
			goto out;
	}
	if (ferror(fp)) {
		snprintf(err, errsize, "cannot read trust anchor file '%s': %s",
		    path, strerror(errno));
		goto out;
	}
	if (ldns_rr_list_rr_count(ta->rrs) == 0) {
		snprintf(err, errsize, "trust anchor file '%s' holds no DS or "
		    "DNSKEY record", path);
		goto out;
	}
	ok = 1;
out:
	if (fp != NULL)
		fclose(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (!ok) {
		mc_dnssec_anchor_free(ta);
		return NULL;
	}
	return ta;
}

void
mc_dnssec_anchor_free(struct mc_dnssec_anchor *ta)
{
	if (ta == NULL)
		return;
	ldns_rr_list_deep_free(ta->rrs);
	free(ta);
}
