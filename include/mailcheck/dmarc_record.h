/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dmarc_record.h - DMARC records and the policy receivers apply
 *
 * Two steps, both free of DNS: the caller asks the questions.
 *
 * mc_dmarc_parse() reads one record into struct mc_dmarc_record the way
 * receivers read it: a bad tag-spec is discarded and the rest kept (RFC
 * 9989 4.7, RFC 7489 6.3), tag names match in any case (RFC 5234 2.3), the
 * version is exactly "DMARC1".  What it finds wrong is a list of problems,
 * each a finding id, a severity and a message; the caller turns them into
 * findings (mc_dmarc_report()) or ignores them.
 *
 * mc_dmarc_walk_begin() names the RFC 9989 4.10 tree walk; the caller asks
 * TXT at every node's qname (all at once) and stores the answers in the
 * nodes; mc_dmarc_walk_end() reads them and says which record holds the
 * policy, the policy applied and where it comes from: the domain's own
 * record, an inherited one, an RFC 9989 4.10.1 fallback (an invalid p=, sp=
 * or np= beside a valid rua=: p=none), or no DMARC processing, with the
 * reason.  The dmarc check, `mailcheck verify` and the BIMI check read that
 * output.
 *
 * Memory: everything (records, messages, URIs) comes from the arena given;
 * nothing is freed piecemeal.  Answers are borrowed: they must outlive the
 * discovery.
 */
#ifndef MAILCHECK_DMARC_RECORD_H
#define MAILCHECK_DMARC_RECORD_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/dns.h"
#include "mailcheck/limits.h"
#include "mailcheck/report.h"

enum mc_dmarc_policy {
	MC_DMARC_UNSET = -1, /* absent, invalid, or no DMARC processing */
	MC_DMARC_NONE,
	MC_DMARC_QUARANTINE,
	MC_DMARC_REJECT,
};

/* "none", "quarantine", "reject"; "no policy" for MC_DMARC_UNSET. */
const char *mc_dmarc_policy_str(int policy);

/* What a TXT record at _dmarc is (RFC 7489 6.6.3, RFC 9989 4.10). */
enum mc_dmarc_txt {
	MC_DMARC_TXT_OTHER,     /* not DMARC (v=DMARC2 included): discarded */
	MC_DMARC_TXT_RECORD,    /* starts with a v=DMARC1 tag */
	MC_DMARC_TXT_LOOKALIKE, /* "v=dmarc1", "v=DMARC1 p=...": meant as
	                           DMARC, discarded by receivers */
};
enum mc_dmarc_txt mc_dmarc_classify(const char *s, size_t len);

struct mc_dmarc_problem {
	enum mc_finding_id id;
	enum mc_status severity;
	const char *subject;  /* the record's name, or the URI */
	const char *message;
};

struct mc_dmarc_uri {
	const char *text;
	const char *tag;      /* "rua" or "ruf" */
	const char *host;     /* a mailto: URI's destination domain, or NULL */
	int valid;            /* a well-formed URI (RFC 3986; mailto: with an
	                         address, RFC 6068) */
};

struct mc_dmarc_record {
	int p, sp, np;        /* enum mc_dmarc_policy; UNSET when absent or
	                         invalid */
	int has_p;            /* p= present, valid or not */
	int p_discarded;      /* a p= tag-spec with a syntax error, dropped */
	const char *bad_policy; /* the first invalid p=, sp= or np=, as
	                         "sp=rejct", or NULL */
	int pct;              /* 0-100; 100 when absent or invalid */
	int testing;          /* t=y */
	char psd;             /* 'y', 'n' or 'u' (absent or invalid) */
	const char *repeated; /* a tag given twice, or NULL: when set the
	                         record is invalid (RFC 6376 3.2) */
	int has_rua;
	int rua_valid;        /* at least one valid rua= URI */
	struct mc_dmarc_uri uri[2 * MC_DMARC_MAX_URIS]; /* rua, then ruf */
	size_t nuri;
	struct mc_dmarc_problem problem[MC_DMARC_MAX_PROBLEMS];
	size_t nproblem;
	size_t nproblem_dropped; /* problems past the bound, counted */
};

/*
 * Parse len bytes at s (a record mc_dmarc_classify() called RECORD: the
 * first tag is v=DMARC1) into *r; subject names the record in messages.
 * Returns 0, or -1 when out of memory.
 */
int mc_dmarc_parse(struct mc_arena *a, const char *subject, const char *s,
    size_t len, struct mc_dmarc_record *r);

#define MC_DMARC_NO_NODE ((size_t)-1)

enum mc_dmarc_source {
	MC_DMARC_SRC_NONE,      /* no DMARC processing; reason says why */
	MC_DMARC_SRC_RECORD,    /* the domain's own record */
	MC_DMARC_SRC_INHERITED, /* a record the tree walk found above it */
	MC_DMARC_SRC_FALLBACK,  /* RFC 9989 4.10.1: an invalid p=, sp= or
	                           np= beside a valid rua=: p=none */
};

/* "none", "record", "inherited", "fallback" */
const char *mc_dmarc_source_str(enum mc_dmarc_source s);

/* One name of the tree walk and what it held. */
struct mc_dmarc_node {
	const char *domain;   /* the name the record is for */
	const char *qname;    /* _dmarc.<domain> */
	const struct mc_dns_answer *ans; /* set by the caller */
	size_t ndmarc;        /* DMARC1 records */
	size_t nother;        /* other TXT records (lookalikes included) */
	size_t nlookalike;    /* of them, meant as DMARC (see above) */
	const struct mc_rr *rr;        /* the first DMARC1 record */
	const struct mc_rr *other;     /* the first other TXT record */
	const struct mc_rr *lookalike; /* the first lookalike */
	struct mc_dmarc_record *rec;   /* rr parsed, or NULL */
	int unasked;          /* a public suffix outside the zone files of a
	                         pure zone-file run: not checked, taken as
	                         holding no record (mc_dmarc_walk_end()) */
};

struct mc_dmarc_discovery {
	struct mc_dmarc_node node[MC_DMARC_WALK_MAX];
	size_t n;
	size_t pol;           /* the node whose record applies, or NO_NODE */
	size_t failed;        /* a failed lookup that leaves the policy (or
	                         the organizational domain) unknown, or
	                         NO_NODE */
	const char *org_domain; /* RFC 9989 4.10.2 (psd= tags, else the
	                         shortest name with a record); NULL: unknown */
	/* the policy applied, to the domain and below the policy domain */
	int policy;           /* to the domain; UNSET: no DMARC processing */
	int sp, np;           /* to subdomains and non-existent subdomains */
	enum mc_dmarc_source source;
	const char *reason;   /* for NONE and FALLBACK: why (arena) */
};

/*
 * Name the walk's nodes for domain (normalised, no final dot): the domain;
 * then, for 8 labels or more, its last 7; then one label fewer at a time
 * down to the top-level domain.  Returns 0, or -1 when out of memory.
 */
int mc_dmarc_walk_begin(struct mc_arena *a, const char *domain,
    struct mc_dmarc_discovery *d);
/*
 * Read the answers (every node's ans set; a node after a failed one may be
 * left NULL) and fill in pol, failed, org_domain and the policy applied.
 * A pure zone-file run cannot ask a name outside its files (TEMPFAIL with
 * MC_DNS_REASON_OUTSIDE, "not checked"); at a public suffix by the PSL
 * (its "*" rule too: "example", "test") the walk takes that as no record,
 * and marks the node unasked, so that the dmarc and bimi checks and
 * verify read _dmarc.<tld> alike and no zone file need speak for a TLD.
 * Any other failed lookup stays a failure.  Returns 0, or -1 when out of
 * memory.
 */
int mc_dmarc_walk_end(struct mc_arena *a, struct mc_dmarc_discovery *d);

/* Add a record's problems to r as findings; 0, or -1 when one failed. */
int mc_dmarc_report(struct mc_result *res, const struct mc_dmarc_record *r);

#endif
