/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/spf.h - SPF (RFC 7208): record selection, terms, check_host()
 *
 * Three layers, each usable alone:
 *   - selection: which TXT record of a name is the SPF record (4.5);
 *   - the parser: a record string into an array of terms, or a precise
 *     syntax error (the term, its offset, the reason);
 *   - the evaluator: check_host() (4-7), asking DNS through mc_dns_lookup()
 *     and mc_dns_lookup_batch(), counting lookups and void lookups.
 *
 * A user that only wants the addresses a record lists (e.g. its ip4, ip6,
 * a and mx terms) selects, parses and walks rec.terms:
 *
 *	struct mc_spf_record rec;
 *	struct mc_spf_error err;
 *	if (mc_spf_parse(arena, txt, len, &rec, &err) == 0)
 *		for (i = 0; i < rec.nterms; i++)
 *			if (rec.terms[i].kind == MC_SPF_IP4) ... rec.terms[i].ip ...
 *
 * Memory: everything returned comes from the arena given and lives as
 * long as it.
 */
#ifndef MAILCHECK_SPF_H
#define MAILCHECK_SPF_H

#include <stddef.h>

#include <jansson.h>

#include "mailcheck/arena.h"
#include "mailcheck/dns.h"

/* Results of check_host() (RFC 7208 2.6); qualifiers use the first four. */
enum mc_spf_result {
	MC_SPF_NONE,
	MC_SPF_NEUTRAL,
	MC_SPF_PASS,
	MC_SPF_FAIL,
	MC_SPF_SOFTFAIL,
	MC_SPF_TEMPERROR,
	MC_SPF_PERMERROR,
};
/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror" */
const char *mc_spf_result_str(enum mc_spf_result r);

enum mc_spf_kind {
	/* mechanisms (5) */
	MC_SPF_ALL,
	MC_SPF_INCLUDE,
	MC_SPF_A,
	MC_SPF_MX,
	MC_SPF_PTR,
	MC_SPF_IP4,
	MC_SPF_IP6,
	MC_SPF_EXISTS,
	/* modifiers (6) */
	MC_SPF_REDIRECT,
	MC_SPF_EXP,
	MC_SPF_UNKNOWN_MODIFIER,
};
/* "all", "include", ..., "redirect", "exp", "modifier" */
const char *mc_spf_kind_str(enum mc_spf_kind k);
/* Is the kind one that costs one of the 10 DNS lookups (4.6.4)?  Whether
   a given term is reached is the term's costs field. */
int mc_spf_kind_counts(enum mc_spf_kind k);

struct mc_spf_term {
	enum mc_spf_kind kind;
	enum mc_spf_result qualifier; /* mechanisms: PASS (also when no
	                                 qualifier was written), FAIL,
	                                 SOFTFAIL, NEUTRAL; modifiers: NONE */
	char qualifier_char;          /* '+', '-', '~', '?', or 0 if none */
	const char *text;             /* the term as written */
	size_t pos;                   /* its offset in the record */
	const char *name;             /* modifiers: the name as written */
	const char *domain;           /* domain-spec (include a mx ptr exists
	                                 redirect exp), or the value of an
	                                 unknown modifier; NULL if none given;
	                                 may hold macros */
	int has_macros;               /* domain holds a macro-expand */
	unsigned char ip[16];         /* ip4: the first 4 bytes; ip6: 16 */
	int cidr4;                    /* ip4 a mx: prefix length, -1 if none */
	int cidr6;                    /* ip6 a mx: prefix length, -1 if none */
	int costs;                    /* check_host() spends one of the DNS
	                                 lookups of 4.6.4 on it when it gets
	                                 there: a term of a counting kind,
	                                 before the first "all", and not a
	                                 redirect beside an "all" (6.1).  The
	                                 one place lookups are decided: the
	                                 evaluator and the spf check's tree
	                                 both count this */
};

struct mc_spf_record {
	struct mc_spf_term *terms;    /* in record order, modifiers included */
	size_t nterms;
	const struct mc_spf_term *redirect; /* NULL: none */
	const struct mc_spf_term *exp;      /* NULL: none */
	int has_all;                  /* an "all" mechanism is present */
	size_t nlookup_terms;         /* terms that cost a lookup (costs):
	                                 what check_host() spends on this
	                                 record when no term matches */
};

#define MC_SPF_ERR_TERM 80
#define MC_SPF_ERR_REASON 160

struct mc_spf_error {
	size_t pos;                   /* offset of the offending byte */
	char term[MC_SPF_ERR_TERM];   /* the term as in the record, escaped
	                                 with mc_escape() rules (a NUL byte
	                                 as "\000"), maybe cut short with
	                                 "...": report text (mc_safe*()) */
	char reason[MC_SPF_ERR_REASON];
};

/*
 * Is s (len bytes) an SPF version 1 record: "v=spf1" (any case) followed by
 * a space or the end?  1 yes, 0 no.
 */
int mc_spf_is_record(const char *s, size_t len);

/*
 * Select the SPF record among the TXT (or SPF) records of an answer
 * (4.5): 1 exactly one, its index in *index; 0 none; -1 several (which is
 * permerror).
 */
int mc_spf_select(const struct mc_dns_answer *ans, size_t *index);

/*
 * Parse a record (len bytes, may hold NUL) into out.  Returns 0, or -1
 * with err filled in (a syntax error is a permerror) or, when memory runs
 * out, err->reason "out of memory".  The record must start with v=spf1.
 */
int mc_spf_parse(struct mc_arena *a, const char *rec, size_t len,
    struct mc_spf_record *out, struct mc_spf_error *err);

/*
 * Check the syntax of a macro-string (7.1); exp: letters c r t allowed.
 * 0 valid, -1 with a reason in err (offset in *pos).
 */
int mc_spf_macro_check(const char *s, size_t len, int exp, size_t *pos,
    char *err, size_t errsize);

/* The values macros expand to (7.2). */
struct mc_spf_macro_env {
	const char *sender;        /* s: local-part@domain */
	const char *local;         /* l */
	const char *sender_domain; /* o */
	const char *domain;        /* d: the current domain */
	const unsigned char *ip;   /* i c: 4 or 16 bytes */
	int ipv6;
	int upper_hex;             /* i: IPv6 nibbles in upper case (the
	                              address was given so) */
	const char *ptr;           /* p: validated name, or NULL: "unknown" */
	const char *helo;          /* h */
	const char *receiver;      /* r: NULL: "unknown" */
	long long now;             /* t */
};

/*
 * Expand a macro-string.  domain: the result is a domain-spec, truncated
 * from the left to 253 octets (7.3); exp: an explanation string (c r t
 * allowed).  Returns 0 with *out from the arena, or -1 with a reason.
 */
int mc_spf_expand(struct mc_arena *a, const char *s, size_t len,
    const struct mc_spf_macro_env *env, int exp, int domain, char **out,
    char *err, size_t errsize);

/* Does the macro-string use the macro letter c (lower case)? */
int mc_spf_macro_uses(const char *s, char c);

/* check_host() */

struct mc_spf_request {
	const char *ip;       /* the client address, IPv4 or IPv6 text */
	const char *domain;   /* NULL: the sender's domain, else the HELO name */
	const char *sender;   /* MAIL FROM, may be NULL or ""
	                         (then postmaster@helo) */
	const char *helo;     /* may be NULL */
	const char *receiver; /* %{r}; NULL: "unknown" */
	long long now;        /* %{t}; 0: the current time */
	size_t max_lookups;   /* 0: MC_SPF_MAX_LOOKUPS */
	size_t max_void;      /* 0: MC_SPF_MAX_VOID */
	int no_trace;         /* 1: no evaluation tree (out->trace NULL), for
	                         a caller that wants only the result */
};

struct mc_spf_outcome {
	enum mc_spf_result result;
	const char *explanation;  /* on fail, from exp= (or NULL) */
	const char *reason;       /* why: the term that matched, the error */
	const char *domain;       /* the domain checked */
	size_t lookups;           /* terms that caused DNS lookups (4.6.4) */
	size_t void_lookups;      /* lookups that found nothing (4.6.4) */
	size_t queries;           /* DNS questions asked */
	json_t *trace;            /* new reference: the evaluation tree, or
	                             NULL with req->no_trace */
};

/*
 * Run check_host() through the DNS session.  Returns 0 with out filled in (any
 * result, permerror included), or -1 on bad input (an IP that does not
 * parse, no domain) with a message in err.  out->trace must be released
 * with json_decref().
 */
int mc_spf_check_host(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_spf_request *req, struct mc_spf_outcome *out,
    char *err, size_t errsize);

#endif
