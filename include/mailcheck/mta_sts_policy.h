/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/mta_sts_policy.h - MTA-STS records and policies (RFC 8461)
 *
 * Two parsers and a matcher, shared by the mta-sts check and the SMTP
 * probe.  Neither fetches anything: the caller asks DNS for the record at
 * _mta-sts.<domain> and the HTTP layer (mailcheck/http.h) for the policy at
 * MC_STS_POLICY_URL_FMT with the cap MC_STS_POLICY_MAX, then parses here.
 *
 * The policy parser (RFC 8461 3.2) reads "key: value" lines ending in LF
 * or CRLF.  It never fails on content: every problem becomes an entry of
 * p->problem (kind, line number, detail), at most MC_STS_MAX_PROBLEMS of
 * them (more are counted in p->nproblems_total), and the fields it could
 * read are set.  Work and memory are bounded whatever the input: at most
 * MC_STS_MAX_MX mx patterns are kept (more are counted), a line longer
 * than MC_STS_LINE_MAX is a problem and skipped, and a NUL byte is a
 * problem (the line it is on is skipped).  Strings point into arena a.
 *
 * A policy is usable by senders (RFC 8461 3.2, 5) when it has version
 * STSv1, a valid mode, a valid max_age and, unless the mode is none, at
 * least one mx line: see mc_sts_policy_usable().
 */
#ifndef MAILCHECK_MTA_STS_POLICY_H
#define MAILCHECK_MTA_STS_POLICY_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/txt_record.h"

#define MC_STS_POLICY_URL_FMT "https://mta-sts.%s/.well-known/mta-sts.txt"
#define MC_STS_POLICY_MAX 65536     /* RFC 8461 3.3: bytes of a policy read */
#define MC_STS_MAX_AGE_MAX 31557600 /* RFC 8461 3.2: seconds, one year */
#define MC_STS_MAX_AGE_LOW 86400    /* our own: under a day draws a warning */
#define MC_STS_MAX_MX 64            /* mx patterns kept (more are counted) */
#define MC_STS_LINE_MAX 1024        /* bytes of one policy line */
#define MC_STS_MAX_PROBLEMS 32      /* problems kept (more are counted) */
#define MC_STS_ID_MAX 32            /* RFC 8461 3.1: characters of id= */

enum mc_sts_mode {
	MC_STS_MODE_NONE,
	MC_STS_MODE_TESTING,
	MC_STS_MODE_ENFORCE,
	MC_STS_MODE_INVALID, /* absent or not one of the three */
};

enum mc_sts_problem_kind {
	MC_STS_P_SYNTAX,        /* a line that is not "key: value" */
	MC_STS_P_NUL,           /* a NUL byte */
	MC_STS_P_LONG_LINE,     /* a line over MC_STS_LINE_MAX bytes */
	MC_STS_P_UNKNOWN_KEY,   /* a key RFC 8461 does not define */
	MC_STS_P_DUPLICATE_KEY, /* version, mode or max_age twice */
	MC_STS_P_VERSION,       /* version missing or not STSv1 */
	MC_STS_P_MODE,          /* mode missing or invalid */
	MC_STS_P_MAX_AGE,       /* max_age missing, not digits, too large */
	MC_STS_P_MX_MISSING,    /* no mx line while the mode is not none */
	MC_STS_P_MX_INVALID,    /* an mx value that is not a (*.)domain */
	MC_STS_P_TOO_MANY_MX,   /* more than MC_STS_MAX_MX mx lines */
};

struct mc_sts_problem {
	enum mc_sts_problem_kind kind;
	size_t line;            /* 1-based; 0: about the whole policy */
	const char *detail;     /* what was wrong, lower case (arena) */
};

struct mc_sts_policy {
	const char *version;    /* as given, or NULL */
	enum mc_sts_mode mode;
	long max_age;           /* -1: absent or invalid */
	const char *mx[MC_STS_MAX_MX]; /* valid patterns, lower case */
	size_t nmx;
	size_t nmx_lines;       /* every mx line, kept or not */
	size_t nlines;
	struct mc_sts_problem problem[MC_STS_MAX_PROBLEMS];
	size_t nproblems;
	size_t nproblems_total;
};

/*
 * Parse len bytes at text into p (zeroed first).  Returns 0, or -1 when
 * out of memory (p then holds what was read).
 */
int mc_sts_policy_parse(struct mc_arena *a, const char *text, size_t len,
    struct mc_sts_policy *p);

/* 1 when senders can apply the policy (see above), else 0. */
int mc_sts_policy_usable(const struct mc_sts_policy *p);

/* "none", "testing", "enforce", "invalid" */
const char *mc_sts_mode_str(enum mc_sts_mode m);

/*
 * Does the mx pattern match host (RFC 8461 4.1)?  Both lower case, no
 * final dot; "*.example.com" matches exactly one extra leftmost label
 * ("mx.example.com", not "example.com" nor "a.b.example.com").  1 or 0.
 */
int mc_sts_mx_match(const char *pattern, const char *host);

/* The index in p->mx of the first pattern matching host, or -1. */
long mc_sts_policy_match(const struct mc_sts_policy *p, const char *host);

/*
 * The TXT record at _mta-sts.<domain> (RFC 8461 3.1): "v=STSv1; id=...;"
 * through the shared tag=value tokenizer.
 */
enum mc_sts_record_error {
	MC_STS_R_OK,
	MC_STS_R_SYNTAX,     /* the tag list does not tokenize */
	MC_STS_R_VERSION,    /* v=STSv1 is not the first tag */
	MC_STS_R_ID_MISSING, /* no id= */
	MC_STS_R_ID_INVALID, /* id= is not 1-32 letters and digits */
	MC_STS_R_NOMEM,
};

struct mc_sts_record {
	enum mc_sts_record_error err;
	const char *detail;     /* for errors: what and where (arena) */
	const char *id;         /* the id, when valid (arena) */
	const char *ext[MC_TXT_MAX_EXT]; /* extension tag names (arena) */
	size_t next;            /* extension tags, counted past 8 too */
};

/* Does this TXT string start a STS record ("v=STSv1" then ';' or end)? */
int mc_sts_record_is_sts(const char *txt, size_t len);
/* Parse one record.  Returns 0, or -1 with rec->err set. */
int mc_sts_record_parse(struct mc_arena *a, const char *txt, size_t len,
    struct mc_sts_record *rec);

#endif
