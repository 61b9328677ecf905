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
 * Two ways in.  mc_tv_next() reads one tag-spec a call and goes on after
 * a bad one (at the byte after its next ';'), so a record parser that must
 * keep what receivers keep (DMARC: RFC 9989 4.7 discards a bad tag, not the
 * record) sees every tag, however many.  mc_tv_parse() collects a list:
 * errors are sticky there, parsing stops at the first one, which is reported with
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
	size_t pos;        /* byte offset of the name in the input (of the
	                      ';' for an empty spec, of the error for a bad
	                      one) */
	size_t vpos;       /* byte offset of the value in the input */
	size_t namelen;
	enum mc_tv_error err; /* MC_TV_OK, or why mc_tv_next() said BAD */
};

struct mc_tv_list {
	struct mc_tv_tag tag[MC_TV_MAX_TAGS];
	size_t n;
	size_t nempty;          /* empty tag-specs skipped (";;") */
	size_t emptypos;        /* byte offset of the first one's ';' */
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

/* A position in a tag-list, for mc_tv_next(). */
struct mc_tv_cursor {
	const char *s;
	size_t len;
	size_t pos;
};

enum mc_tv_step {
	MC_TV_STEP_END,   /* nothing left */
	MC_TV_STEP_TAG,   /* a tag-spec: name and value in the tag */
	MC_TV_STEP_EMPTY, /* an empty tag-spec (";" with only space before
	                     it); the tag's pos is the ';' */
	MC_TV_STEP_BAD,   /* a bad tag-spec: the tag's err and pos say why and
	                     where (for MC_TV_ERR_VALUE its name is set, or
	                     NULL when out of memory); the cursor is past its
	                     next ';' */
};

/* Start a cursor at the first of len bytes at s (not copied: s must live
   as long as the cursor is used). */
void mc_tv_cursor_init(struct mc_tv_cursor *c, const char *s, size_t len);
/*
 * Read the next tag-spec into *t (name and value copied into the arena).
 * Duplicates and the MC_TV_MAX_TAGS bound are the caller's business here:
 * the work per call is linear in the bytes read.
 */
enum mc_tv_step mc_tv_next(struct mc_arena *a, struct mc_tv_cursor *c,
    struct mc_tv_tag *t);

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
