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
 * Not done (yet): NXDOMAIN and wildcard proofs (a name that does not exist
 * is not walked below its closest zone), the closest-encloser proof that
 * should go with an opt-out NSEC3, TXT answers (the layer joins their
 * strings, so their RDATA cannot be rebuilt) and CNAME chains, and the
 * RFC 5011 rollover of anchors.
 */
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

enum proof { PROOF_NONE, PROOF_NO_CUT, PROOF_INSECURE, PROOF_DS };

/*
 * What the signed NSEC/NSEC3 records of a DS answer say about name, a
 * label below zone: PROOF_INSECURE (a delegation without DS, or an
 * opt-out span over it), PROOF_NO_CUT (no delegation), PROOF_DS (the
 * bitmap claims a DS), or PROOF_NONE.  -1 on a record that fails
 * verification (res filled).
 */
static int
denial(struct walk *w, const struct mc_dns_answer *ans, const char *zone,
    const char *name, const ldns_rr_list *keys)
{
	ldns_rr_list *sec, *one;
	ldns_rdf *n, *hash = NULL, *bitmap, *first = NULL;
	ldns_rr *rr;
	size_t i;
	int rc = PROOF_NONE, match;
	ldns_rr_type t;

	sec = sec_of(ans);
	n = dname(name);
	one = ldns_rr_list_new();
	if (sec == NULL || n == NULL || one == NULL) {
		rc = -1;
		verdict(w->res, MC_DNSSEC_INDETERMINATE, MC_DNSSEC_WHY_LOOKUP,
		    zone, "out of memory");
		goto out;
	}
	for (i = 0; i < ldns_rr_list_rr_count(sec) && rc == PROOF_NONE; i++) {
		rr = ldns_rr_list_rr(sec, i);
		t = ldns_rr_get_type(rr);
		match = 0;
		if (t == LDNS_RR_TYPE_NSEC)
			match = ldns_dname_compare(ldns_rr_owner(rr), n) == 0;
		else if (t == LDNS_RR_TYPE_NSEC3) {
			ldns_rdf_deep_free(hash);
			ldns_rdf_deep_free(first);
			hash = ldns_nsec3_hash_name_frm_nsec3(rr, n);
			first = ldns_dname_label(ldns_rr_owner(rr), 0);
			if (hash == NULL || first == NULL)
				continue;
			ldns_dname2canonical(first);
			ldns_dname2canonical(hash);
			match = ldns_dname_compare(hash, first) == 0 ? 1 :
			    ldns_nsec3_optout(rr) &&
			    ldns_nsec_covers_name(rr, hash) ? 2 : 0;
		}
		if (!match)
			continue;
		ldns_rr_list_set_rr_count(one, 0);
		ldns_rr_list_push_rr(one, rr);
		if (verify(w, one, sec, keys, zone, t == LDNS_RR_TYPE_NSEC ?
		    "the NSEC record" : "the NSEC3 record") == -1) {
			rc = -1;
			goto out;
		}
		if (match == 2) {
			rc = PROOF_INSECURE; /* opt-out: unsigned delegations */
			break;
		}
		bitmap = t == LDNS_RR_TYPE_NSEC ? ldns_nsec_get_bitmap(rr) :
		    ldns_nsec3_bitmap(rr);
		if (bitmap == NULL)
			continue;
		if (ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_DS))
			rc = PROOF_DS;
		else if (ldns_nsec_bitmap_covers_type(bitmap,
		    LDNS_RR_TYPE_NS) && !ldns_nsec_bitmap_covers_type(bitmap,
		    LDNS_RR_TYPE_SOA))
			rc = PROOF_INSECURE;
		else
			rc = PROOF_NO_CUT;
	}
out:
	ldns_rdf_deep_free(hash);
	ldns_rdf_deep_free(first);
	ldns_rr_list_free(one);
	ldns_rr_list_deep_free(sec);
	ldns_rdf_deep_free(n);
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
	case PROOF_INSECURE:
		verdict(w->res, MC_DNSSEC_INSECURE, MC_DNSSEC_WHY_NO_DS, child,
		    "%s. is delegated from %s. without DS: it is unsigned",
		    child, *zone != '\0' ? zone : "the root");
		goto out;
	case PROOF_DS:
		verdict(w->res, MC_DNSSEC_BOGUS, MC_DNSSEC_WHY_DENIAL, zone,
		    "the DS lookup of %s. found nothing while its NSEC "
		    "bitmap names a DS", child);
		goto out;
	case PROOF_NO_CUT:
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

/* Is name at or below zone (canonical names, "" the root)? */
static int
at_or_below(const char *name, const char *zone)
{
	size_t nl = strlen(name), zl = strlen(zone);

	if (zl == 0 || strcmp(name, zone) == 0)
		return 1;
	return nl > zl && name[nl - zl - 1] == '.' &&
	    strcmp(name + nl - zl, zone) == 0;
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
		if (at_or_below(name, c->names[i].name) &&
		    at_or_below(c->names[i].name, anchor) && (best == NULL ||
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

enum mc_dnssec_state
mc_dnssec_answer_state(const struct mc_dnssec_anchor *ta,
    struct mc_dns_session *dns, struct mc_dnssec_cache *cache,
    const struct mc_dns_answer *ans, struct mc_dnssec_result *res)
{
	struct mc_dnssec_result local;
	struct walk w = { .ta = ta, .dns = dns, .cache = cache,
	    .res = res != NULL ? res : &local, .now = time(NULL) };
	ldns_rr_list *keys = NULL, *set = NULL, *sec = NULL;
	char tbuf[16], what[MC_DNS_NAME_MAX + 48], zone[MC_DNS_NAME_MAX + 2];
	enum mc_dnssec_state st;

	memset(w.res, 0, sizeof(*w.res));
	if (ans->cname != NULL || ans->status != MC_DNS_OK)
		return verdict(w.res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_UNCHECKED, "", "%s answers%s are not "
		    "validated", mc_rr_type_str(ans->qtype, tbuf,
		    sizeof(tbuf)), ans->cname != NULL ? " through a CNAME" :
		    ans->status != MC_DNS_OK ? " without records" : "");
	st = walk(&w, ans->qname, &keys);
	if (st != MC_DNSSEC_SECURE)
		goto out;
	snprintf(zone, sizeof(zone), "%s", w.res->zone); /* verdict() writes it */
	set = rrset_of(ans);
	sec = sec_of(ans);
	if (set == NULL || sec == NULL) {
		st = verdict(w.res, MC_DNSSEC_INDETERMINATE,
		    MC_DNSSEC_WHY_UNCHECKED, zone, "the %s records of "
		    "%s. cannot be rebuilt for validation", mc_rr_type_str(
		    ans->qtype, tbuf, sizeof(tbuf)), ans->qname);
		goto out;
	}
	snprintf(what, sizeof(what), "the %s RRset of %s.", mc_rr_type_str(
	    ans->qtype, tbuf, sizeof(tbuf)), ans->qname);
	if (verify(&w, set, sec, keys, zone, what) == -1)
		st = w.res->state;
out:
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sec);
	return st;
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
