/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dnssec_state.h - is a name's data DNSSEC-secure? (RFC 4035 4.3)
 *
 * The validator (src/dnssec.c) walks the chain of trust from a trust
 * anchor down to the zone that holds a name, through the run's DNS session
 * (every question goes through the shared cache, asked with the DO bit, so
 * both backends serve it): the DNSKEY RRset of each zone signed by a key
 * that the parent's DS (or the anchor) names, the DS RRsets signed by the
 * parent's keys, NSEC/NSEC3 proof that a delegation has no DS (insecure),
 * and the RRSIGs over the answers asked about, with their validity dates.
 *
 * A trust anchor is data a check owns (mailcheck/check.h): the dnssec and
 * dane checks load it in their setup() and pass it to every call.
 */
#ifndef MAILCHECK_DNSSEC_STATE_H
#define MAILCHECK_DNSSEC_STATE_H

#include "mailcheck/dns.h"
#include "mailcheck/limits.h"

enum mc_dnssec_state {
	MC_DNSSEC_SECURE,
	MC_DNSSEC_INSECURE,      /* provably unsigned */
	MC_DNSSEC_BOGUS,         /* signed, and validation failed */
	MC_DNSSEC_INDETERMINATE, /* not known (not validated) */
};

/* Why the state is what it is. */
enum mc_dnssec_why {
	MC_DNSSEC_WHY_NONE,          /* secure */
	MC_DNSSEC_WHY_NO_DS,         /* insecure: a delegation without DS */
	MC_DNSSEC_WHY_ALGORITHM,     /* insecure: no DS (or anchor) with an
	                                algorithm and digest we validate
	                                (RFC 4035 5.2, RFC 6840 5.2) */
	MC_DNSSEC_WHY_NO_ANCHOR,     /* indeterminate: no anchor above */
	MC_DNSSEC_WHY_LOOKUP,        /* indeterminate: a lookup failed */
	MC_DNSSEC_WHY_UNCHECKED,     /* indeterminate: records that cannot
	                                be rebuilt for validation */
	MC_DNSSEC_WHY_RRSIG_MISSING, /* bogus: an RRset without RRSIG */
	MC_DNSSEC_WHY_RRSIG_EXPIRED, /* bogus: expired or not yet valid */
	MC_DNSSEC_WHY_RRSIG_DATES,   /* bogus: expiration before inception */
	MC_DNSSEC_WHY_SIGNATURE,     /* bogus: no signature verifies */
	MC_DNSSEC_WHY_DS_MISMATCH,   /* bogus: no DNSKEY matches the DS */
	MC_DNSSEC_WHY_NO_DNSKEY,     /* bogus: a DS, and no DNSKEY RRset */
	MC_DNSSEC_WHY_DENIAL,        /* bogus: a signed zone below a signed
	                                parent, without DS or a proof of
	                                its absence; an answer without
	                                records, or from a wildcard, without
	                                its NSEC/NSEC3 proof */
};

struct mc_dnssec_result {
	enum mc_dnssec_state state;
	enum mc_dnssec_why why;
	char zone[MC_DNS_NAME_MAX + 2]; /* the zone where the state was
	                                   decided ("" the root) */
	char detail[320];               /* one line for people: what broke,
	                                   where (names as ldns prints them) */
};

struct mc_dnssec_anchor;

/*
 * Load trust anchors: DS and DNSKEY records in zone-file syntax, as
 * unbound's trust-anchor-file (path), or the built-in root KSKs (path
 * NULL).  NULL on error with a one-line message in err.
 */
struct mc_dnssec_anchor *mc_dnssec_anchor_load(const char *path, char *err,
    size_t errsize);
void mc_dnssec_anchor_free(struct mc_dnssec_anchor *ta);

/* "secure", "insecure", "bogus", "indeterminate" */
const char *mc_dnssec_state_str(enum mc_dnssec_state s);

/*
 * A cache of what one run has validated: the keys of the secure zones its
 * walks reached and the verdicts they ended in, so that the walks for a
 * domain's SOA, MX and TXT answers and its MX hosts verify each DNSKEY
 * and DS RRset once.  A check's run makes one and frees it at its end
 * (the DNS answers it was built from belong to that run's session).  Not
 * thread-safe: one thread at a time.  NULL when memory runs out; every
 * call below takes NULL for "no cache".
 */
struct mc_dnssec_cache;
struct mc_dnssec_cache *mc_dnssec_cache_new(void);
void mc_dnssec_cache_free(struct mc_dnssec_cache *c);

/*
 * The state of the zone that holds name (lower case, no final dot): the
 * chain of trust from the closest anchor down to it.  Fills res and
 * returns res->state.  Thread-safe but for cache; ta is only read.
 */
enum mc_dnssec_state mc_dnssec_name_state(const struct mc_dnssec_anchor *ta,
    struct mc_dns_session *dns, struct mc_dnssec_cache *cache,
    const char *name, struct mc_dnssec_result *res);
/*
 * The state of the records of ans, as asked through dns: the chain to
 * their zone, then their RRSIGs (TXT and SPF records rebuilt from the
 * RDATA the DNS layer keeps); for NODATA and NXDOMAIN answers, and those
 * from a wildcard, the NSEC/NSEC3 proof; through a CNAME chain, every
 * hop in its zone.  res may be NULL.
 */
enum mc_dnssec_state mc_dnssec_answer_state(const struct mc_dnssec_anchor *ta,
    struct mc_dns_session *dns, struct mc_dnssec_cache *cache,
    const struct mc_dns_answer *ans, struct mc_dnssec_result *res);

#endif
