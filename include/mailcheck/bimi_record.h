/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/bimi_record.h - the BIMI assertion record
 *
 * draft-brand-indicators-for-message-identification 4.2: the TXT record
 * at <selector>._bimi.<domain>,
 *
 *   v=BIMI1; l=<https URI of an SVG>; a=<https URI of a PEM>
 *
 * l= may be empty, and with no a= (or an empty one) the record declines to
 * show a logo.  Through the shared tag=value tokenizer; unknown tags are
 * kept by name (the draft says to ignore them).  Strings point into the
 * arena.
 */
#ifndef MAILCHECK_BIMI_RECORD_H
#define MAILCHECK_BIMI_RECORD_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/txt_record.h"

#define MC_BIMI_LOGO_MAX 32768  /* bytes of a logo read (AuthIndicators) */
#define MC_BIMI_CERT_MAX 65536  /* bytes of a PEM read */
#define MC_BIMI_MAX_SELECTORS 8 /* selectors asked (default included) */
#define MC_BIMI_SELECTOR_MAX 243 /* octets of a selector: 253 less
                                    "._bimi." and the shortest domain */

enum mc_bimi_error {
	MC_BIMI_OK,
	MC_BIMI_SYNTAX,   /* the tag list does not tokenize */
	MC_BIMI_VERSION,  /* v=BIMI1 is not the first tag */
	MC_BIMI_NOMEM,
};

struct mc_bimi_record {
	enum mc_bimi_error err;
	const char *detail;   /* for errors: what and where */
	const char *l;        /* the logo URI, "" when empty, NULL absent */
	const char *a;        /* the certificate URI, likewise */
	int l_valid;          /* l is a fetchable https: URL */
	int a_valid;          /* a is a fetchable https: URL */
	int declined;         /* l empty and no a: no logo wanted */
	const char *ext[MC_TXT_MAX_EXT];
	size_t next;
};

/* Does this TXT string begin a BIMI record? 1 or 0. */
int mc_bimi_is_bimi(const char *txt, size_t len);
/*
 * Validate and normalise a selector (--bimi-selector): one or more DNS
 * labels (the draft's selector is a DKIM selector, RFC 6376 3.1: letters,
 * digits, '-' not at either end of a label, '_'; UTF-8 becomes A-labels),
 * no empty label, no final dot, at most MC_BIMI_SELECTOR_MAX octets.
 * Writes it to out (at least MC_DNS_NAME_MAX + 2 bytes).  Returns 0, or -1
 * with a one-line reason in err that quotes the selector.
 */
int mc_bimi_selector_normalise(const char *in, char *out, size_t outsize,
    char *err, size_t errsize);
/* Parse one record.  Returns 0, or -1 with rec->err set. */
int mc_bimi_parse(struct mc_arena *a, const char *txt, size_t len,
    struct mc_bimi_record *rec);

#endif
