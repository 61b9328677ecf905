/* SPDX-License-Identifier: ISC */
/*
 * src/datafile.c - finding the shipped data files
 *
 * Directories tried: $MAILCHECK_DATADIR alone when it is set; else, in
 * order, beside the running
 * binary, <exe dir>/../share/mailcheck (a relocated install) and
 * <exe dir>/data (the build tree, where CMake links the source tree's
 * data/); the installed MC_DATADIR; the source tree's data/ directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/datafile.h"
#include "banned.h"

#ifndef MC_DATADIR
#define MC_DATADIR "/usr/local/share/mailcheck"
#endif
#ifndef MC_SOURCE_DATADIR
#define MC_SOURCE_DATADIR "data"
#endif

#define MAX_DIRS 5

int
mc_datafile_path(const char *name, char *buf, size_t size)
{
	char exe[PATH_MAX], rel[2][PATH_MAX + 32], *slash;
	const char *dirs[MAX_DIRS];
	size_t i, n = 0, used;
	ssize_t len;
	int w;

	dirs[n] = getenv("MAILCHECK_DATADIR");
	if (dirs[n] != NULL && *dirs[n] != '\0') {
		n++;
		goto search; /* the user's choice: no fallback */
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(rel[0], sizeof(rel[0]), "%s/../share/mailcheck", exe);
			snprintf(rel[1], sizeof(rel[1]), "%s/data", exe);
			dirs[n++] = rel[0];
			dirs[n++] = rel[1];
		}
	}
	dirs[n++] = MC_DATADIR;
	dirs[n++] = MC_SOURCE_DATADIR;
search:
	for (i = 0; i < n; i++) {
		w = snprintf(buf, size, "%s/%s", dirs[i], name);
		if (w < 0 || (size_t)w >= size)
			continue;
		if (access(buf, R_OK) == 0)
			return 1;
	}
	/* not found: say where we looked */
	used = 0;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "",
		    dirs[i]);
		if (w < 0 || (size_t)w >= size - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

char *
mc_file_read(const char *path, size_t max, const char *what, size_t *len,
    char *err, size_t errsize)
{
	char *buf;
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errsize, "cannot open %s '%s': %s", what, path,
		    strerror(errno));
		return NULL;
	}
	buf = malloc(max + 2);
	if (buf == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		goto fail;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		snprintf(err, errsize, "cannot read %s '%s': %s", what, path,
		    strerror(errno));
		goto fail;
	}
	if (n > max) {
		snprintf(err, errsize, "%s '%s' is larger than %zu bytes", what,
		    path, max);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

int
mc_datafile_find(const char *name, const char *what, const char *instead,
    char *buf, size_t size, char *err, size_t errsize)
{
	if (mc_datafile_path(name, buf, size) == 1)
		return 0;
	snprintf(err, errsize, "cannot find the %s '%s' (looked in %s): set "
	    "MAILCHECK_DATADIR%s", what, name, buf, instead);
	return -1;
}
