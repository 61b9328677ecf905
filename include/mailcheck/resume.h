/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/resume.h - JSON Lines report files: reading them back,
 * resuming them, merging them
 *
 * A bulk run's output (--format jsonl) is one report a line.  A run killed
 * at any moment leaves whole lines and perhaps one torn last line (no
 * final newline): the reader tells that line apart and never hands it
 * out.  --resume reads the lines an earlier run wrote, cuts a torn last
 * line off the file, and appends each new report with one write(2) on an
 * O_APPEND descriptor, so that a kill -9 at any moment leaves a file the
 * next resume completes.  `mailcheck merge` reads shard outputs with the
 * same reader.
 */
#ifndef MAILCHECK_RESUME_H
#define MAILCHECK_RESUME_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "mailcheck/limits.h"
#include "mailcheck/report.h"

#define MC_REPORT_LINE_MAX (64 * 1024 * 1024) /* longest report line read */

/* One complete line of a report file. */
struct mc_report_line {
	char domain[MC_DNS_NAME_MAX + 2]; /* normalised */
	enum mc_status status;
	/* FNV-1a 64 over the status and each check's name, status and
	   finding codes, in order: equal for the same verdict, whatever
	   the durations and raw data */
	uint64_t verdict;
	const char *text;                 /* the line with its newline;
	                                     the reader's, until the next
	                                     call */
	size_t len;
	size_t lineno;                    /* 1-based */
};

struct mc_report_reader {
	FILE *f;                /* the caller's */
	const char *path;       /* for messages */
	char *buf;
	size_t cap;
	size_t lineno;
	off_t whole;            /* bytes up to the end of the last whole line */
	size_t torn;            /* at the end: bytes of a torn last line */
};

/* Read the report file f (named path in messages) from its position. */
void mc_report_reader_init(struct mc_report_reader *r, FILE *f,
    const char *path);
/*
 * The next whole line into l: 1; 0 at the end (r->torn says whether a
 * torn last line was left out, r->whole where it starts); -1 with a
 * reason ("FILE:N: not a mailcheck report line") in err when the line is
 * no report, too long, or the file cannot be read.
 */
int mc_report_reader_next(struct mc_report_reader *r,
    struct mc_report_line *l, char *err, size_t errsize);
void mc_report_reader_release(struct mc_report_reader *r);

/*
 * --resume path: open it (created when absent) for this process alone
 * (an advisory lock; a second mailcheck on the same file is refused),
 * call each(arg, line) for every whole line (each returns 0, or -1 to
 * stop), cut a torn last line off the file (its byte count in *torn, 0:
 * none), and return a descriptor that appends (O_APPEND), or -1 with a
 * reason in err.  The caller closes it.
 */
int mc_resume_open(const char *path,
    int (*each)(void *arg, const struct mc_report_line *l), void *arg,
    size_t *torn, char *err, size_t errsize);
/*
 * Append one report line (with its newline) with a single write(2), so a
 * kill leaves it whole or absent, never half; 0, or -1 (errno set; a
 * short write, only possible when the disk is full, is cut by the next
 * resume).
 */
int mc_resume_append(int fd, const char *line, size_t len);

#endif
