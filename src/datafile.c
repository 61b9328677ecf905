/* SPDX-License-Identifier: ISC */
/*
 * src/datafile.c - finding the shipped data files
 */
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

int
mc_datafile_path(const char *name, char *buf, size_t size)
{
	const char *dirs[3];
	size_t i, n = 0, used;
	int len;

	dirs[n] = getenv("MAILCHECK_DATADIR");
	if (dirs[n] != NULL && *dirs[n] != '\0')
		n++;
	dirs[n++] = MC_DATADIR;
	dirs[n++] = MC_SOURCE_DATADIR;
	for (i = 0; i < n; i++) {
		len = snprintf(buf, size, "%s/%s", dirs[i], name);
		if (len < 0 || (size_t)len >= size)
			return -1;
		if (access(buf, R_OK) == 0)
			return 1;
	}
	/* not found: say where we looked */
	used = 0;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		len = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "",
		    dirs[i]);
		if (len < 0 || (size_t)len >= size - used)
			return -1;
		used += (size_t)len;
	}
	return 0;
}
