/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dkim_selectors.h - DKIM selector names and selector lists
 *
 * A selector (RFC 6376 3.1) is one or more DNS labels, asked as
 * <selector>._domainkey.<domain>.  mc_dkim_selector_normalise() is the
 * one test of a selector name, used for --dkim-selector and for every
 * line of a selector list.
 *
 * A selector list (the shipped data/dkim-selectors; its first lines
 * document the format) names one selector a line, then optionally the
 * providers that use it, free text to the end of the line.  '#' starts a
 * comment line; blank lines are ignored.  A list holds at most
 * MC_DKIM_MAX_LIST_SELECTORS selectors, each once.  Lists are plain heap
 * objects, read-only once built, and may be shared by threads: the CLI
 * loads the list once for a whole run (struct mc_options).
 */
#ifndef MAILCHECK_DKIM_SELECTORS_H
#define MAILCHECK_DKIM_SELECTORS_H

#include <stddef.h>

#define MC_DKIM_SELECTOR_FILE "dkim-selectors" /* the shipped data file */
#define MC_DKIM_LIST_LINE_MAX 512              /* one line of a list */

struct mc_dkim_selector {
	char *name;        /* normalised: lower case, A-labels */
	char *provider;    /* free text (raw bytes of the file), or NULL */
};

struct mc_dkim_selector_list {
	char *source;      /* the file name */
	struct mc_dkim_selector *v;
	size_t n;
};

/*
 * Validate and normalise a selector: DNS labels (letters, digits, '-' not
 * at either end of a label, '_'; UTF-8 becomes A-labels), no empty label,
 * no final dot, at most MC_DKIM_SELECTOR_MAX octets (room for
 * "._domainkey." and a domain).  Writes it to out (at least
 * MC_DNS_NAME_MAX + 2 bytes).  Returns 0, or -1 with a one-line reason in
 * err that quotes the selector.
 */
int mc_dkim_selector_normalise(const char *in, char *out, size_t outsize,
    char *err, size_t errsize);
/*
 * The same for selectors asked under another name (BIMI's
 * <selector>._bimi.<domain> takes DKIM's selector syntax): at most max
 * octets, under ("_bimi") named in the reason.
 */
int mc_selector_normalise(const char *in, size_t max, const char *under,
    char *out, size_t outsize, char *err, size_t errsize);

/*
 * Parse a selector list from text (len bytes; name is used in messages).
 * Returns a new list (possibly empty), or NULL with "NAME:LINE: problem"
 * in err: an invalid selector, a selector listed twice, a line longer than
 * MC_DKIM_LIST_LINE_MAX, a NUL byte, more than MC_DKIM_MAX_LIST_SELECTORS.
 */
struct mc_dkim_selector_list *mc_dkim_selector_list_parse(const char *text,
    size_t len, const char *name, char *err, size_t errsize);
/*
 * Read and parse the file at path: the same, with the file's name; a file
 * that cannot be opened or read is an error naming it.
 */
struct mc_dkim_selector_list *mc_dkim_selector_list_load(const char *path,
    char *err, size_t errsize);
void mc_dkim_selector_list_free(struct mc_dkim_selector_list *l);

#endif
