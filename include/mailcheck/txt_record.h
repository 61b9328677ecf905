/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/txt_record.h - picking versioned tag=value records out of TXT
 *
 * MTA-STS, TLS-RPT and BIMI records are TXT records that begin with a
 * version tag ("v=STSv1", "v=TLSRPTv1", "v=BIMI1"); the other TXT records
 * at the same name are not theirs and are ignored (RFC 8461 3.1, RFC 8460
 * 3).  The tags themselves go through the tag=value tokenizer
 * (mailcheck/tagvalue.h).
 */
#ifndef MAILCHECK_TXT_RECORD_H
#define MAILCHECK_TXT_RECORD_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/tagvalue.h"

#define MC_TXT_MAX_EXT 8 /* names of unknown tags kept (more are counted) */

/*
 * Does the TXT string (len bytes, may hold NULs) begin with vtag, e.g.
 * "v=STSv1", optionally after whitespace and followed by whitespace, then
 * ';' or the end?  1 or 0.  Case-sensitive, as the RFCs' ABNF says.
 */
int mc_txt_has_version(const char *txt, size_t len, const char *vtag);

enum mc_txt_error {
	MC_TXT_OK,
	MC_TXT_SYNTAX,   /* the tag list does not tokenize */
	MC_TXT_VERSION,  /* the first tag is not v=<version> */
	MC_TXT_NOMEM,
};

struct mc_txt_record {
	enum mc_txt_error err;
	const char *detail;          /* for errors: what and where (arena) */
	struct mc_tv_list *tags;     /* the tags (arena); NULL on error */
	const char *ext[MC_TXT_MAX_EXT]; /* tags neither v nor known */
	size_t next;                 /* such tags, counted past the max */
};

/*
 * The common first steps of the versioned records' parsers: tokenize len
 * bytes, check that the first tag is v=<version>, and name every other tag
 * that is not in known (NULL-terminated).  Returns 0, or -1 with r->err and
 * r->detail set.
 */
int mc_txt_record_parse(struct mc_arena *a, const char *txt, size_t len,
    const char *version, const char *const *known, struct mc_txt_record *r);

#endif
