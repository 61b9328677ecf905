/* SPDX-License-Identifier: ISC */
/*
 * src/dns_impl.h - what the DNS cache and its backends share
 *
 * Three layers, each calling only the ones below it (no circle):
 *   dns.c          the cache and the sessions; picks a backend from its
 *                  table (the first whose use() accepts the configuration)
 *   dns_overlay.c  the overlay: composes the two below, no DNS of its own
 *   dns_net.c,     the backends, behind struct mc_dns_backend
 *   dns_zone.c
 *   dns_answer.c   the answer vocabulary every layer builds answers with:
 *   dns_wire.c     the builders below; queries and replies in wire format
 *   dns_ldns.c     (dns_wire.c), and ldns (zone files, and the presentation
 *                  form of the record types dns_wire.c does not read)
 *
 * A backend answers requests: for each it builds a heap answer with the
 * helpers below and hands it over with mc_dns_request_done() the moment it
 * has it (ownership moves to the cache, which wakes that question's
 * waiters at once), never holding it back for the rest of the batch.
 * resolve() returns once every request of the call is done; no request
 * outlives its deadline (absolute mc_now() seconds, 0: none).
 */
#ifndef MAILCHECK_DNS_IMPL_H
#define MAILCHECK_DNS_IMPL_H

#include <stdio.h>

#include "mailcheck/dns.h"
#include "mailcheck/limits.h"

struct mc_dns_request {
	const char *name; /* lower case, no final dot; valid until done */
	uint16_t type;
	struct mc_dns_answer *ans; /* the backend's, until it calls done */
	/* the cache's: called once per request, from any thread */
	void (*done)(struct mc_dns_request *req);
};

/* Hand req->ans (NULL: out of memory) to the cache; req is gone after. */
void mc_dns_request_done(struct mc_dns_request *req);

struct mc_dns_backend {
	const char *name;
	/* Does this backend serve cfg?  The cache asks its table in order. */
	int (*use)(const struct mc_dns_config *cfg);
	/* State, or NULL with a one-line message in err. */
	void *(*open)(const struct mc_dns_config *cfg, char *err,
	    size_t errsize);
	void (*resolve)(void *state, struct mc_dns_request *const *req,
	    size_t n, double deadline);
	void (*free)(void *state);
	/* the source of its answers that do not name one (the overlay's
	   all do) */
	enum mc_dns_source source;
};

extern const struct mc_dns_backend mc_dns_backend_overlay;
extern const struct mc_dns_backend mc_dns_backend_zone;
extern const struct mc_dns_backend mc_dns_backend_net;

/* The one hash of the DNS layer (FNV-1a), over len bytes, from h. */
#define MC_DNS_HASH_INIT 2166136261u
uint32_t mc_dns_hash(const void *data, size_t len, uint32_t h);

/* Answers: a new empty answer (status NODATA, rcode 0) or NULL. */
struct mc_dns_answer *mc_answer_new(const char *qname, uint16_t qtype);
void mc_answer_free(struct mc_dns_answer *a);
/* Append a copy of rr (its data and RDATA copied); 0 or -1. */
int mc_answer_add(struct mc_dns_answer *a, const struct mc_rr *rr);
/*
 * Append a DNSSEC record (RRSIG, NSEC, NSEC3: rr->data its presentation
 * RDATA) owned by owner (canonical; "" the root) to a->sec; 0 or -1.
 */
int mc_answer_add_sec(struct mc_dns_answer *a, const char *owner,
    const struct mc_rr *rr);
/* Record that records belong to cname; 0 or -1. */
int mc_answer_set_cname(struct mc_dns_answer *a, const char *cname);
/* Set a failure status, rcode and text (the reason stays as it is). */
void mc_answer_fail(struct mc_dns_answer *a, enum mc_dns_status status,
    int rcode, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Status of an answer: OK when it holds records, else keeps its status. */
void mc_answer_finish(struct mc_dns_answer *a);
/*
 * The CNAME chain failures, in the words the zone and network backends
 * share: TEMPFAIL (what a receiver's resolver says: SERVFAIL) with reason
 * MC_DNS_REASON_CNAME_LOOP, "CNAME loop at NAME", or
 * MC_DNS_REASON_CNAME_CHAIN, "CNAME chain longer than N".
 */
void mc_answer_cname_loop(struct mc_dns_answer *a, int rcode,
    const char *at);
void mc_answer_cname_chain(struct mc_dns_answer *a, int rcode);

/*
 * Fill out, a TXT or SPF record, from its RDATA (length-prefixed
 * strings): data (malloc'ed) the joined strings followed by the RDATA
 * (see struct mc_rr), len, nstrings, longest, rdlen.  An RDATA without
 * strings is kept as malformed (nstrings 0, see mc_rr_malformed()).
 * 0, or -1 (bad lengths, no memory).
 */
int mc_rr_set_txt(struct mc_rr *out, const unsigned char *rdata,
    size_t rdlen);
/* A malloc'ed copy of rr's data and RDATA (see struct mc_rr), or NULL. */
char *mc_rr_dup_data(const struct mc_rr *rr);

/*
 * Is rr malformed but kept as such: a TXT or SPF record without strings?
 * Answers leave it out, and fail PERMFAIL (reason MALFORMED) when nothing
 * else is left.
 */
int mc_rr_malformed(const struct mc_rr *rr);

/* Lower-case name without final dot, written to buf; -1 if too long. */
int mc_dns_name_canon(const char *name, char *buf, size_t size);
/* Is name (canonical) zone or below it ("" the root: every name)? */
int mc_dns_name_below(const char *name, const char *zone);

/*
 * The names a CNAME chain has visited, across the answers of one question:
 * loops and over-long chains are found here, in both backends.
 */
struct mc_cname_chain {
	char names[MC_DNS_CNAME_MAX + 1][MC_DNS_NAME_MAX + 2];
	size_t n;
};
/*
 * Go from the chain's last name to target (canonical): 0, or -1 with the
 * answer failed (a loop, or more than MC_DNS_CNAME_MAX hops).
 */
int mc_cname_step(struct mc_cname_chain *c, const char *target,
    struct mc_dns_answer *a, int rcode);

/* ldns helpers (src/dns_ldns.c): the only code that knows ldns. */
/*
 * Read the records of an open zone file (path names it in messages) and
 * hand each to cb; 0, or -1 with "path:line: problem" in err.  fp stays
 * open.  Relative names start from start_origin (canonical: "" the root);
 * the file's $ORIGIN lines, in order, take the values origins[] (the
 * caller made them absolute: norigins of them); $INCLUDE lines are
 * skipped (the caller loads the files they name).  A character-string
 * over 255 bytes is told as such, with how to split it.
 */
int mc_ldns_read_zone(FILE *fp, const char *path, const char *start_origin,
    const char *const *origins, size_t norigins,
    int (*cb)(void *arg, const char *owner, const struct mc_rr *rr),
    void *arg, char *err, size_t errsize);
/*
 * The record that starts at offset pos of the DNS message wire (len
 * octets) as struct mc_rr: type, TTL and its RDATA in presentation format
 * (out->data malloc'ed: the caller frees it), as the zone reader makes it.
 * For the record types dns_wire.c does not read itself.  0 or -1.
 */
int mc_ldns_wire_rr(const unsigned char *wire, size_t len, size_t pos,
    struct mc_rr *out);

/* DNS messages in wire format (src/dns_wire.c): no library, no ldns. */
/*
 * Query in wire format, RD set, with EDNS0 (1232 octets) and the DO bit
 * (RRSIGs for the validator) when edns is non-zero; *wire is malloc'ed.
 * 0 or -1.
 */
int mc_dns_build_query(const char *name, uint16_t type, uint16_t id,
    int edns, unsigned char **wire, size_t *len);

/*
 * The NSEC3 hash of name (canonical) under the parameters of an NSEC3
 * record (rdata: its presentation RDATA), in base32hex, lower case, into
 * out.  0, or -1 (bad RDATA, more than MC_NSEC3_MAX_ITERATIONS
 * iterations, no memory).
 */
int mc_ldns_nsec3_hash(const char *rdata, const char *name, char *out,
    size_t size);

#define MC_DNS_RCODE_BADVERS 16 /* extended RCODE (RFC 6891 6.1.3) */

enum mc_reply {
	MC_REPLY_FOREIGN,   /* not the reply to this query: ignore it */
	MC_REPLY_TRUNCATED, /* TC set: ask again over TCP */
	MC_REPLY_NOEDNS,    /* EDNS not understood: ask again without it */
	MC_REPLY_SHORT,     /* a CNAME chain that stops short: ask again for
	                       its last target, the chain's last name */
	MC_REPLY_DONE,      /* ans filled in (any status) */
};
/*
 * Judge wire as the reply to the query (id, name, type), which carried
 * EDNS when edns is non-zero.  ans is filled in only for MC_REPLY_DONE.
 * MC_REPLY_NOEDNS (only when edns is set): FORMERR or NOTIMP without an
 * OPT record, with our question or none, or BADVERS (RFC 6891 6.2.2, 7).
 * An RCODE is the full 12-bit one when the reply has an OPT record.
 * CNAMEs in the answer are followed from chain's last name (name: the
 * question asked this time), within MC_DNS_CNAME_MAX hops over all the
 * answers of the question; chain is updated.  chain may be NULL (a first
 * answer): then MC_REPLY_SHORT asks the caller to parse the same reply again
 * with a chain of its own that starts with name.
 */
enum mc_reply mc_dns_parse_reply(const unsigned char *wire, size_t len,
    uint16_t id, const char *name, uint16_t type, int edns,
    struct mc_cname_chain *chain, struct mc_dns_answer *ans);

#endif
