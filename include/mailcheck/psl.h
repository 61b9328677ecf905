/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/psl.h - the Public Suffix List, loaded once for the process
 *
 * Three users need the PSL: the dmarc check (organizational domains,
 * RFC 7489 3.2), DMARC alignment of a message (src/dmarc_align.c) and the
 * zone backend (a name outside every zone of the files speaks for its
 * registrable domain).  They share this one list: libpsl's built-in list
 * when the library has one, else the system's file (package
 * publicsuffix).  It is loaded on first use, once, by whichever thread
 * comes first, lives until the process exits and is read-only: any thread
 * may use it.
 */
#ifndef MAILCHECK_PSL_H
#define MAILCHECK_PSL_H

#include <libpsl.h>

/* The list, or NULL when there is none (borrowed: never free it). */
const psl_ctx_t *mc_psl(void);

/*
 * Is name (lower case, no trailing dot) a public suffix by the list
 * ("org", "co.uk", and the implicit "*" rule's single labels)?  1 yes,
 * 0 no, -1 no list.
 */
int mc_psl_is_public_suffix(const char *name);

#endif
