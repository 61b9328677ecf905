/* SPDX-License-Identifier: ISC */
/*
 * src/resume.c - reading report files back; resuming one
 *
 * The reader takes whole lines only: a line without its newline at the
 * end of the file is what a kill in the middle of a write could leave, so
 * it is reported (r->torn), never parsed.  The appender relies on two
 * properties of regular files on a local disk: a write(2) on an O_APPEND
 * descriptor lands at the end as one piece, and what a process has
 * written survives its kill -9 (the page cache is the kernel's).  A
 * machine crash may still lose the last lines (no fsync per line: a
 * resume redoes them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "mailcheck/domain.h"
#include "mailcheck/resume.h"
#include "banned.h"

void
mc_report_reader_init(struct mc_report_reader *r, FILE *f, const char *path)
{
	*r = (struct mc_report_reader){ .f = f, .path = path };
}

void
mc_report_reader_release(struct mc_report_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

static void
fnv(uint64_t *h, const char *s)
{
	for (; *s != '\0'; s++) {
		*h ^= (unsigned char)*s;
		*h *= 0x100000001b3ULL;
	}
	*h ^= 0xff; /* a separator no string holds */
	*h *= 0x100000001b3ULL;
}

static const char *
str_member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
status_of(const char *s, enum mc_status *out)
{
	static const enum mc_status all[] = {
		MC_OK, MC_INFO, MC_WARN, MC_UNKNOWN, MC_CRIT,
	};
	size_t i;

	for (i = 0; s != NULL && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, mc_status_str(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -1;
}

/* The domain, status and verdict of one report document: 0, or -1. */
static int
parse_report(const char *text, size_t len, struct mc_report_line *l)
{
	json_t *doc, *checks, *c, *f;
	const char *domain, *s;
	char why[256];
	size_t i, k;
	int rc = -1;

	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	domain = str_member(doc, "domain");
	if (domain == NULL || mc_domain_normalise(domain, l->domain,
	    sizeof(l->domain), 0, why, sizeof(why)) == -1 ||
	    status_of(str_member(doc, "status"), &l->status) == -1)
		goto out;
	l->verdict = 0xcbf29ce484222325ULL;
	fnv(&l->verdict, mc_status_str(l->status));
	checks = json_object_get(doc, "checks");
	json_array_foreach(checks, i, c) {
		s = str_member(c, "name");
		fnv(&l->verdict, s != NULL ? s : "");
		s = str_member(c, "status");
		fnv(&l->verdict, s != NULL ? s : "");
		json_array_foreach(json_object_get(c, "findings"), k, f) {
			s = str_member(f, "code");
			fnv(&l->verdict, s != NULL ? s : "");
		}
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

int
mc_report_reader_next(struct mc_report_reader *r, struct mc_report_line *l,
    char *err, size_t errsize)
{
	ssize_t n;

	errno = 0;
	n = getline(&r->buf, &r->cap, r->f);
	if (n == -1) {
		if (ferror(r->f)) {
			snprintf(err, errsize, "cannot read '%s': %s", r->path,
			    strerror(errno != 0 ? errno : EIO));
			return -1;
		}
		return 0;
	}
	if (r->buf[n - 1] != '\n') {
		/* the last line, torn: left out and reported */
		r->torn = (size_t)n;
		return 0;
	}
	r->lineno++;
	if ((size_t)n > MC_REPORT_LINE_MAX || memchr(r->buf, '\0',
	    (size_t)n) != NULL || parse_report(r->buf, (size_t)n, l) == -1) {
		snprintf(err, errsize, "%s:%zu: not a mailcheck report line",
		    r->path, r->lineno);
		return -1;
	}
	r->whole += n;
	l->text = r->buf;
	l->len = (size_t)n;
	l->lineno = r->lineno;
	return 1;
}

int
mc_resume_open(const char *path,
    int (*each)(void *arg, const struct mc_report_line *l), void *arg,
    size_t *torn, char *err, size_t errsize)
{
	struct mc_report_reader r;
	struct mc_report_line l;
	FILE *f = NULL;
	int fd, rfd = -1, rc;

	*torn = 0;
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd == -1) {
		snprintf(err, errsize, "cannot open --resume file '%s': %s",
		    path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errsize, "--resume file '%s' is in use by another "
		    "process (%s)", path, errno == EWOULDBLOCK ?
		    "locked" : strerror(errno));
		goto fail;
	}
	rfd = dup(fd);
	f = rfd == -1 ? NULL : fdopen(rfd, "r");
	if (f == NULL) {
		snprintf(err, errsize, "cannot read --resume file '%s': %s",
		    path, strerror(errno));
		if (rfd != -1)
			close(rfd);
		goto fail;
	}
	mc_report_reader_init(&r, f, path);
	while ((rc = mc_report_reader_next(&r, &l, err, errsize)) == 1)
		if (each(arg, &l) == -1) {
			rc = -1;
			snprintf(err, errsize, "out of memory");
			break;
		}
	mc_report_reader_release(&r);
	fclose(f);
	if (rc == -1)
		goto fail;
	if (r.torn > 0) {
		if (ftruncate(fd, r.whole) == -1) {
			snprintf(err, errsize, "cannot cut the torn last line of "
			    "'%s': %s", path, strerror(errno));
			goto fail;
		}
		*torn = r.torn;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int
mc_resume_append(int fd, const char *line, size_t len)
{
	ssize_t n;

	do
		n = write(fd, line, len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}
