/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/datafile.h - finding the shipped data files (data/ in the tree)
 *
 * A data file NAME ("dnsbl-zones", "dkim-selectors") is looked for in
 * $MAILCHECK_DATADIR alone when it is set; else, in order, beside the
 * binary (../share/mailcheck, then data/ of a build tree), in the installed
 * data directory (MC_DATADIR) and in the source tree's data/ directory.
 */
#ifndef MAILCHECK_DATAFILE_H
#define MAILCHECK_DATAFILE_H

#include <stddef.h>

/*
 * Write the path of the first readable data file called name to buf.
 * Returns 1 found, 0 not found (buf then lists the directories tried, for
 * an error message), -1 when buf is too small.
 */
int mc_datafile_path(const char *name, char *buf, size_t size);

/*
 * The same for a check's setup(): 0 with the path in buf, or -1 with
 * "cannot find the WHAT 'NAME' (looked in DIRS): set MAILCHECK_DATADIR"
 * and instead (may be "") appended, in err.
 */
int mc_datafile_find(const char *name, const char *what, const char *instead,
    char *buf, size_t size, char *err, size_t errsize);

/*
 * Read the whole file at path, at most max bytes, into a new buffer
 * (free() it) with a NUL after its *len bytes.  NULL with a one-line
 * reason naming the file as "WHAT 'PATH'" in err when it cannot be opened
 * or read, or is larger than max.
 */
char *mc_file_read(const char *path, size_t max, const char *what,
    size_t *len, char *err, size_t errsize);

#endif
