/* SPDX-License-Identifier: ISC */
/*
 * src/dns_impl.h - what the DNS cache and its backends share
 *
 * A backend answers a batch of requests and must fill every req[i].ans with
 * a heap answer built by the helpers below (ownership moves to the cache),
 * returning no later than the deadline (absolute mc_now() seconds, 0: none).
 */
#ifndef MAILCHECK_DNS_IMPL_H
#define MAILCHECK_DNS_IMPL_H

#include <stdio.h>

#include "mailcheck/dns.h"

struct mc_dns_request {
	const char *name; /* lower case, no final dot */
	uint16_t type;
	struct mc_dns_answer *ans;
};

struct mc_dns_backend {
	const char *name;
	void (*resolve)(void *state, struct mc_dns_request *req, size_t n,
	    double deadline);
	void (*free)(void *state);
};

extern const struct mc_dns_backend mc_dns_backend_zone;
extern const struct mc_dns_backend mc_dns_backend_net;

/* Backend constructors: state or NULL with a message in err. */
void *mc_dns_zone_open(const char *const *files, size_t n, char *err,
    size_t errsize);
void *mc_dns_net_open(const struct mc_dns_config *cfg, char *err,
    size_t errsize);

/* Answers: a new empty answer (status NODATA, rcode 0) or NULL. */
struct mc_dns_answer *mc_answer_new(const char *qname, uint16_t qtype);
void mc_answer_free(struct mc_dns_answer *a);
/* Append a copy of rr (its data copied, len bytes); 0 or -1. */
int mc_answer_add(struct mc_dns_answer *a, const struct mc_rr *rr);
/* Record that records belong to cname; 0 or -1. */
int mc_answer_set_cname(struct mc_dns_answer *a, const char *cname);
/* Set a failure status, rcode and reason. */
void mc_answer_fail(struct mc_dns_answer *a, enum mc_dns_status status,
    int rcode, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Status of an answer: OK when it holds records, else keeps its status. */
void mc_answer_finish(struct mc_dns_answer *a);

/* Lower-case name without final dot, written to buf; -1 if too long. */
int mc_dns_name_canon(const char *name, char *buf, size_t size);

/* ldns helpers (src/dns_ldns.c): the only code that knows ldns. */
/*
 * Read the records of an open zone file (path names it in messages) and
 * hand each to cb; 0, or -1 with "path:line: problem" in err.  fp stays
 * open.
 */
int mc_ldns_read_zone(FILE *fp, const char *path,
    int (*cb)(void *arg, const char *owner, const struct mc_rr *rr),
    void *arg, char *err, size_t errsize);
/*
 * Query in wire format, RD set, with EDNS0 (1232 octets) when edns is
 * non-zero; *wire is malloc'ed.  0 or -1.
 */
int mc_ldns_build_query(const char *name, uint16_t type, uint16_t id,
    int edns, unsigned char **wire, size_t *len);

#define MC_DNS_RCODE_BADVERS 16 /* extended RCODE (RFC 6891 6.1.3) */

enum mc_reply {
	MC_REPLY_FOREIGN,   /* not the reply to this query: ignore it */
	MC_REPLY_TRUNCATED, /* TC set: ask again over TCP */
	MC_REPLY_NOEDNS,    /* EDNS not understood: ask again without it */
	MC_REPLY_DONE,      /* ans filled in (any status) */
};
/*
 * Judge wire as the reply to the query (id, name, type), which carried
 * EDNS when edns is non-zero.  ans is filled in only for MC_REPLY_DONE.
 * MC_REPLY_NOEDNS (only when edns is set): FORMERR or NOTIMP without an
 * OPT record, with our question or none, or BADVERS (RFC 6891 6.2.2, 7).
 * An RCODE is the full 12-bit one when the reply has an OPT record.
 */
enum mc_reply mc_ldns_parse_reply(const unsigned char *wire, size_t len,
    uint16_t id, const char *name, uint16_t type, int edns,
    struct mc_dns_answer *ans);

#endif
