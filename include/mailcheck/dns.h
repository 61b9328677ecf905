/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dns.h - the DNS layer as checks see it
 *
 * Checks ask questions here and never see ldns.  Every question ends in one
 * of five statuses (see enum mc_dns_status); a TEMPFAIL is never "missing".
 *
 * A run asks through a session (mc_dns_session_begin()): the session
 * carries the run's deadline in the open, from the runner to every lookup,
 * and is shared by the threads working for the run.  Underneath sit a cache
 * with in-flight de-duplication (two threads asking the same question cause
 * one query; the second waits for the first, and every answer is published,
 * its waiters woken, the moment it arrives) and one backend behind a
 * vtable: the network (src/dns_net.c), zone files (src/dns_zone.c), or
 * zone files over the network (the overlay, src/dns_overlay.c).
 * Answers stay valid, unchanged, until the session that received them ends;
 * any thread may read them.
 *
 * All functions here are thread-safe unless said otherwise.
 */
#ifndef MAILCHECK_DNS_H
#define MAILCHECK_DNS_H

#include <stddef.h>
#include <stdint.h>

enum mc_rr_type {
	MC_RR_A = 1,
	MC_RR_NS = 2,
	MC_RR_CNAME = 5,
	MC_RR_SOA = 6,
	MC_RR_PTR = 12,
	MC_RR_MX = 15,
	MC_RR_TXT = 16,
	MC_RR_AAAA = 28,
	MC_RR_DS = 43,
	MC_RR_RRSIG = 46,
	MC_RR_NSEC = 47,
	MC_RR_DNSKEY = 48,
	MC_RR_NSEC3 = 50,
	MC_RR_NSEC3PARAM = 51,
	MC_RR_TLSA = 52,
	MC_RR_SPF = 99,
};

enum mc_dns_status {
	MC_DNS_OK,       /* records of the asked type exist */
	MC_DNS_NODATA,   /* the name exists, without records of that type */
	MC_DNS_NXDOMAIN, /* the name does not exist */
	MC_DNS_TEMPFAIL, /* SERVFAIL, timeout, network error: ask again later */
	MC_DNS_PERMFAIL, /* REFUSED, FORMERR, NOTIMP, malformed reply */
};

/* "ok", "nodata", "nxdomain", "tempfail", "permfail" */
const char *mc_dns_status_str(enum mc_dns_status s);
/* "A", "MX", ... or "TYPE<n>" in buf (at least 16 bytes) */
const char *mc_rr_type_str(uint16_t type, char *buf, size_t size);
/* Parses "A", "mx", "TYPE99"; returns 0 for an unknown name. */
uint16_t mc_rr_type_from_str(const char *s);

/*
 * One resource record in a form checks can use directly.
 *   A, AAAA      addr holds the address (4 or 16 bytes), data its text form
 *   MX           pref, and data the exchange (lower case, no final dot;
 *                "" for the root, i.e. a null MX)
 *   PTR, CNAME, NS  data the target name (lower case, no final dot)
 *   TXT, SPF     data the character-strings joined without separator; it may
 *                hold NUL bytes, so use len; nstrings and longest describe the
 *                strings before joining; the RDATA itself (rdlen bytes, the
 *                length-prefixed strings, for the DNSSEC validator, which
 *                must rebuild the RRset) follows data's NUL: mc_rr_rdata()
 *   others       data the presentation format of the RDATA
 * data is always NUL-terminated; one allocation holds data and the RDATA
 * after it (len + 1 + rdlen bytes; rdlen is 0 for the other types).
 */
struct mc_rr {
	uint16_t type;
	uint16_t pref;
	uint32_t ttl;
	unsigned char addr[16];
	char *data;
	size_t len;
	size_t nstrings;
	size_t longest;
	size_t rdlen;
};

/* The RDATA kept after data (TXT, SPF: see struct mc_rr), or NULL. */
const unsigned char *mc_rr_rdata(const struct mc_rr *rr);

/*
 * Why a TEMPFAIL or PERMFAIL happened, where a check must tell it apart
 * (the text in why is for people; never compare it).
 */
enum mc_dns_reason {
	MC_DNS_REASON_NONE,        /* see why */
	MC_DNS_REASON_DEADLINE,    /* the session's deadline passed (TEMPFAIL) */
	MC_DNS_REASON_BUDGET,      /* no answer within the question's budget,
	                              which the session's deadline cut short
	                              (TEMPFAIL) */
	MC_DNS_REASON_CNAME_LOOP,  /* the CNAME chain comes back to a name
	                              (TEMPFAIL: resolvers say SERVFAIL) */
	MC_DNS_REASON_CNAME_CHAIN, /* the CNAME chain is longer than
	                              MC_DNS_CNAME_MAX hops (TEMPFAIL) */
	MC_DNS_REASON_MALFORMED,   /* a record of the answer is malformed
	                              (PERMFAIL) */
	MC_DNS_REASON_OUTSIDE,     /* a zone-file run without a resolver
	                              was asked a name outside the zones
	                              of its files: not checked (TEMPFAIL,
	                              never "does not exist") */
};

/* Where an answer came from (the overlay mixes both). */
enum mc_dns_source {
	MC_DNS_SOURCE_NONE,    /* no backend answered (a deadline passed
	                          before asking, a bad name, no memory) */
	MC_DNS_SOURCE_NETWORK, /* a resolver */
	MC_DNS_SOURCE_ZONE,    /* the zone files */
};

/* "none", "network", "zone" */
const char *mc_dns_source_str(enum mc_dns_source s);

struct mc_dns_answer {
	enum mc_dns_status status;
	enum mc_dns_reason reason;
	int rcode;          /* DNS rcode of the final reply, -1 if there was none */
	char *qname;        /* as asked, lower case, no final dot */
	uint16_t qtype;
	char *cname;        /* the name the records belong to when CNAMEs were
	                       followed, else NULL */
	char *why;          /* for TEMPFAIL and PERMFAIL: what happened
	                       ("timeout", "SERVFAIL from 127.0.0.1"), else NULL */
	enum mc_dns_source source;
	size_t count;
	struct mc_rr *rr;
	/*
	 * The DNSSEC records that came with the answer (lookups ask with the
	 * DO bit): the RRSIGs of the answer section and, for NODATA and
	 * NXDOMAIN, the NSEC and NSEC3 records of the authority section with
	 * their RRSIGs.  Each is one whole record in zone-file presentation
	 * format ("owner. TTL IN TYPE RDATA"), for the validator
	 * (mailcheck/dnssec_state.h); NULL, 0 when there were none.
	 */
	size_t nsec;
	char **sec;
};

struct mc_dns;
struct mc_dns_session;

/* One question of a batch; ans is filled in by mc_dns_lookup_batch(). */
struct mc_dns_query {
	const char *name;
	uint16_t type;
	const struct mc_dns_answer *ans;
};

/* Settings of a DNS handle. */
struct mc_dns_config {
	const char *const *resolvers; /* "ADDR[:PORT]" or "[V6]:PORT"; NULL, n 0: resolv.conf */
	size_t nresolvers;
	const char *const *zone_files; /* when n > 0 the zone backend is used:
	                                  files, or directories whose *.zone
	                                  files are read */
	size_t nzone_files;
	int overlay;                   /* with zone files: answer the names
	                                  outside their zones through the
	                                  resolvers (resolv.conf when none are
	                                  given); set whenever resolvers are */
	double query_timeout;          /* seconds for one question, all tries */
	double attempt_timeout;        /* seconds before the first retransmission */
	int tries;                     /* sends per question, over all servers */
	double qps;                    /* network: at most this many queries a
	                                  second to each server (a token bucket
	                                  of MC_QPS_BURST(qps) tokens, shared
	                                  by the handle's threads); 0: no cap */
	const char *dqs_key;           /* network: a Spamhaus DQS key (copied;
	                                  mailcheck/dqs.h), or NULL */
};

/*
 * Create a handle: the cache and the backend the configuration names.  On
 * error returns NULL and writes a one-line message (file and line for zone
 * files) to err.
 */
struct mc_dns *mc_dns_new(const struct mc_dns_config *cfg, char *err,
    size_t errsize);
/* Free the handle; every session must have ended. */
void mc_dns_free(struct mc_dns *dns);
/* The name of the backend in use: "network", "zone" or "overlay". */
const char *mc_dns_backend_name(const struct mc_dns *dns);

/*
 * A session is one run (one domain of a bulk run, one spf evaluation): it
 * carries the run's deadline, an absolute mc_now() time after which every
 * question of the session fails at once with TEMPFAIL and reason
 * MC_DNS_REASON_DEADLINE (0: none).  Any number of threads may ask through
 * one session at once.  Returns NULL when memory runs out.
 *
 * Sessions also bound the cache of a long run (bulk mode).  When the cache
 * holds more entries than the limit set with mc_dns_set_cache_limit(),
 * ending a session evicts the answered entries that no open session has
 * used, so an answer stays valid, unchanged, for every session that saw it
 * until that session ends.  Failures caused by a session's deadline are not
 * served to later sessions, nor is a TEMPFAIL stored before the asking
 * session began: it is asked again (the old answer stays valid for those
 * that saw it).
 */
struct mc_dns_session *mc_dns_session_begin(struct mc_dns *dns,
    double deadline);
/*
 * The distinct answers the session was given, in the order first given,
 * for the report's record of where each came from: recorded only when the
 * backend is the overlay (else 0).  *out stays valid until the session
 * ends; call it when no thread asks through s.
 */
size_t mc_dns_session_answers(const struct mc_dns_session *s,
    const struct mc_dns_answer *const **out);
/* End a session (NULL: nothing); its answers become invalid. */
void mc_dns_session_end(struct mc_dns_session *s);
/* The session's deadline (0: none). */
double mc_dns_session_deadline(const struct mc_dns_session *s);

/*
 * Ask one question, blocking this thread.  Never returns NULL: when memory
 * runs out the answer is a shared TEMPFAIL.  name may end in a dot and be in
 * any case.  A failed answer always carries the name and type asked.
 */
const struct mc_dns_answer *mc_dns_lookup(struct mc_dns_session *s,
    const char *name, uint16_t type);
/*
 * Ask n questions at once and wait for all of them; fills q[i].ans.  This is
 * how checks fan out: the wall time is one round trip, not n.
 */
void mc_dns_lookup_batch(struct mc_dns_session *s, struct mc_dns_query *q,
    size_t n);

/* Evict down from more than max entries (0, the default: never evict). */
void mc_dns_set_cache_limit(struct mc_dns *dns, size_t max);
/* Entries the cache holds now: answered, in flight, or replaced but
 * maybe still read by an open session. */
size_t mc_dns_cache_entries(struct mc_dns *dns);

/* Number of questions that reached the backend (cache misses). */
size_t mc_dns_queries_sent(struct mc_dns *dns);

/*
 * Join the character-strings of one TXT RDATA: the one place this is done.
 * rdata points at the RDATA (length-prefixed strings).  Returns a malloc'ed
 * NUL-terminated buffer with the joined bytes and sets *len, *nstrings and
 * *longest; NULL on malformed RDATA (an empty RDATA, RFC 1035 3.3.14:
 * one or more strings) or no memory.
 */
char *mc_txt_join(const unsigned char *rdata, size_t rdlen, size_t *len,
    size_t *nstrings, size_t *longest);

/* Seconds on a monotonic clock. */
double mc_now(void);

#endif
