/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/tlsrpt_record.h - the TLS-RPT record (RFC 8460 3)
 *
 *   tlsrpt-record = "v=TLSRPTv1" 1*(";" field) [";"]
 *   field         = "rua=" uri *("," uri)  /  extension
 *   uri           = "mailto:" addr-spec  /  "https://" host [port] path
 *
 * The record goes through the shared tag=value tokenizer.  The parser
 * never stops at a bad URI: each URI is kept with its verdict, so that a
 * check can name every bad one.  Strings point into the arena.
 */
#ifndef MAILCHECK_TLSRPT_RECORD_H
#define MAILCHECK_TLSRPT_RECORD_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/txt_record.h"

#define MC_TLSRPT_MAX_URIS 16   /* rua URIs kept (more are counted) */

enum mc_tlsrpt_error {
	MC_TLSRPT_OK,
	MC_TLSRPT_SYNTAX,      /* the tag list does not tokenize */
	MC_TLSRPT_VERSION,     /* v=TLSRPTv1 is not the first tag */
	MC_TLSRPT_RUA_MISSING, /* no rua= tag, or an empty one */
	MC_TLSRPT_NOMEM,
};

struct mc_tlsrpt_uri {
	const char *text;       /* as given, trimmed */
	int valid;              /* a mailto: or https: URI as above */
};

struct mc_tlsrpt_record {
	enum mc_tlsrpt_error err;
	const char *detail;     /* for errors: what and where */
	struct mc_tlsrpt_uri uri[MC_TLSRPT_MAX_URIS];
	size_t nuri;            /* kept */
	size_t nuri_total;      /* in the record */
	const char *ext[MC_TXT_MAX_EXT]; /* extension tag names */
	size_t next;            /* extension tags, counted past the max */
};

/* Does this TXT string begin a TLS-RPT record? 1 or 0. */
int mc_tlsrpt_is_tlsrpt(const char *txt, size_t len);
/* Parse one record.  Returns 0, or -1 with rec->err set. */
int mc_tlsrpt_parse(struct mc_arena *a, const char *txt, size_t len,
    struct mc_tlsrpt_record *rec);
/* Is s a mailto: URI with one addr-spec (local@domain)?  1 or 0. */
int mc_mailto_valid(const char *s);

#endif
