/* SPDX-License-Identifier: ISC */
/*
 * fuzz/replay.c - run a libFuzzer target over saved inputs, without libFuzzer
 *
 *   replay_NAME FILE|DIR...
 *
 * Every file named, and every regular file in every directory named, is
 * given to LLVMFuzzerTestOneInput() once, in name order.  Built with the
 * ordinary compiler (and the sanitizers in the ASan build), this keeps each
 * target's corpus, and every input that once crashed it, a regression test
 * in ctest (tests "fuzz/NAME").  Exit 0 when all ran; 1 when an input could
 * not be read; a crash is the sanitizer's or the signal's.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	unsigned char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				goto out;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		goto out;
	}
	/* an exact-size copy, so that ASan sees reads past the input */
	if ((nbuf = malloc(len > 0 ? len : 1)) == NULL)
		goto out;
	memcpy(nbuf, buf, len);
	(void)LLVMFuzzerTestOneInput(nbuf, len);
	free(nbuf);
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The number of inputs run, or -1. */
static long
run_dir(const char *dir)
{
	struct dirent *de;
	struct stat sb;
	char **names = NULL, **nn, path[4096];
	size_t n = 0, cap = 0, i;
	long count = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", dir,
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL)
				goto fail;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto fail;
		n++;
	}
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) >= sizeof(path) || stat(path, &sb) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (run_file(path) == -1)
			goto fail;
		count++;
	}
	goto out;
fail:
	count = -1;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return count;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	long total = 0, n;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			fprintf(stderr, "replay: cannot open '%s': %s\n",
			    argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(sb.st_mode))
			n = run_dir(argv[i]);
		else
			n = run_file(argv[i]) == 0 ? 1 : -1;
		if (n == -1)
			return 1;
		total += n;
	}
	printf("%ld inputs ran\n", total);
	return 0;
}
