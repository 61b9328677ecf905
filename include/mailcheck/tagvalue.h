/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/tagvalue.h - the one tokenizer for tag=value records
 *
 * DKIM key records, DMARC records, and every later record of the same shape
 * (TLS-RPT, BIMI) go through mc_tv_parse(): the tag-list syntax of RFC 6376
 * 3.2.
 *
 *   tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  =  ALPHA *ALNUMPUNC           (ALNUMPUNC: ALPHA / DIGIT / "_")
 *   tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
 *   tval      =  1*VALCHAR                  (VALCHAR: %x21-3A / %x3C-7E)
 *
 * FWS is [*WSP CRLF] 1*WSP.  Whitespace inside a value is kept (a base64
 * p= may be folded; the caller strips it); whitespace around it is not.
 * One leniency, counted so a check may report it: an empty tag-spec (";;",
 * seen in the wild) is skipped.
 *
 * Errors are sticky: parsing stops at the first one, which is reported with
 * its byte offset in the input; the tags before it stay available.  A tag
 * name that occurs twice is an error (RFC 6376 3.2: the whole list is
 * invalid).  At most MC_TV_MAX_TAGS tags are kept; one more is an error, so
 * the work is bounded whatever the input.
 */
#ifndef MAILCHECK_TAGVALUE_H
#define MAILCHECK_TAGVALUE_H

#include <stddef.h>

#include "mailcheck/arena.h"

#define MC_TV_MAX_TAGS 64

enum mc_tv_error {
	MC_TV_OK,
	MC_TV_ERR_NAME,      /* no tag name, or a byte not allowed in one */
	MC_TV_ERR_EQUALS,    /* the tag name is not followed by "=" */
	MC_TV_ERR_VALUE,     /* a byte not allowed in a value (control, 8-bit) */
	MC_TV_ERR_DUPLICATE, /* a tag name occurs twice */
	MC_TV_ERR_TOO_MANY,  /* more than MC_TV_MAX_TAGS tags */
	MC_TV_ERR_NOMEM,
};

struct mc_tv_tag {
	const char *name;  /* NUL-terminated copy (arena), case kept */
	const char *value; /* NUL-terminated copy (arena), "" when empty */
	size_t pos;        /* byte offset of the name in the input */
	size_t vpos;       /* byte offset of the value in the input */
};

struct mc_tv_list {
	struct mc_tv_tag tag[MC_TV_MAX_TAGS];
	size_t n;
	size_t nempty;          /* empty tag-specs skipped (";;") */
	enum mc_tv_error err;   /* MC_TV_OK, or the first error */
	size_t errpos;          /* byte offset of the error in the input */
	size_t duppos;          /* for MC_TV_ERR_DUPLICATE: where the first
	                           occurrence of the name is */
};

/*
 * Tokenize len bytes at s (NUL bytes are ordinary, invalid bytes) into l,
 * copying names and values into the arena.  Returns 0, or -1 with l->err
 * and l->errpos set; l->tag[0 .. l->n) hold the tags read before the error.
 */
int mc_tv_parse(struct mc_arena *a, const char *s, size_t len,
    struct mc_tv_list *l);

/* The tag with this exact (case-sensitive) name, or NULL. */
const struct mc_tv_tag *mc_tv_get(const struct mc_tv_list *l,
    const char *name);
/* The same, comparing names without regard to case (DMARC, RFC 7489 6.4). */
const struct mc_tv_tag *mc_tv_get_icase(const struct mc_tv_list *l,
    const char *name);

/* "bad tag name", "missing '='", ... for an error code. */
const char *mc_tv_strerror(enum mc_tv_error e);

/*
 * Split a value at sep (':' for DKIM h=, k=, s=, t=; ',' for DMARC rua),
 * trimming whitespace around each element.  Stores up to max elements
 * (arena copies) in out and returns the number of elements in the value,
 * which may exceed max (the caller reports "too many"); -1 on no memory.
 */
long mc_tv_split(struct mc_arena *a, const char *value, char sep,
    const char **out, size_t max);

#endif
