/* SPDX-License-Identifier: ISC */
/*
 * src/cli/merge_cmd.c - `mailcheck merge`: shard outputs joined into one
 *
 * Reads the JSON Lines outputs of the shards of a run (--shard, --resume)
 * in the order given and writes every domain's first line to stdout,
 * byte for byte.  A domain found again with the same verdict (status, and
 * each check's name, status and finding codes: durations and raw data may
 * differ between runs) is kept once and noted; with another verdict it is
 * an error.  A torn last line (a shard killed while writing) is reported
 * and not merged; with --domains-file the list's domains without a line
 * are listed as missing, and lines for domains not on the list are noted.
 * Only 24 bytes a domain are kept (the hashes of the name and of the
 * verdict, where it was found), so merging millions of lines stays small.
 * Exit codes: a complete merge exits as one unsharded run would have (the
 * worst status of its lines); an incomplete one (missing domains,
 * conflicting duplicates, torn or invalid lines, unreadable files) exits
 * 3 whatever the lines hold, since its verdict is not the run's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mailcheck/bulk.h"
#include "mailcheck/resume.h"
#include "mailcheck/shard.h"
#include "banned.h"

static const char merge_usage[] =
"usage: mailcheck merge [--domains-file FILE] OUT.jsonl...\n"
"\n"
"Joins the JSON Lines outputs of the shards of a bulk run (each shard's,\n"
"perhaps resumed) into one, a line a domain, on stdout.  A domain found\n"
"twice with the same verdict (status, each check's status and finding\n"
"codes) is kept once; with another verdict it is an error.  A torn last\n"
"line (a shard killed while writing: resume it) is reported, not merged.\n"
"\n"
"      --domains-file FILE      the run's domains file: list the domains that\n"
"                               have no line, and the lines not on the list\n"
"  -h, --help                   print this help and exit\n"
"\n"
"Exit codes: a complete merge exits as one unsharded run would: 0 all ok or\n"
"info, 1 a warning, 2 a critical finding, 3 unknown.  An incomplete merge\n"
"(missing domains, conflicting duplicates, torn or invalid lines, unreadable\n"
"files) exits 3, as does bad usage.\n";

/* A domain merged: where its first line was, and its verdict. */
struct entry {
	uint64_t name;      /* mc_shard_hash(), 0: empty slot */
	uint64_t verdict;
	uint32_t file;      /* index in argv */
	uint32_t line;      /* 1-based; a listed domain's is marked */
};
#define LISTED 0x80000000u

struct merge {
	struct entry *t;
	size_t cap, n;
	char **files;
	size_t nfiles;
	size_t by_status[MC_CRIT + 1];
	enum mc_status worst;
	size_t dups, conflicts, torn, invalid, unreadable, missing, unlisted;
};

static size_t
first_slot(uint64_t h, size_t cap)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* The entry of name hash h: found, or a new one; NULL out of memory. */
static struct entry *
lookup(struct merge *m, uint64_t h, int *isnew)
{
	struct entry *nt;
	size_t i, k, cap;

	if (h == 0)
		h = 1;
	if (2 * (m->n + 1) > m->cap) {
		cap = m->cap > 0 ? 2 * m->cap : 4096;
		nt = calloc(cap, sizeof(*nt));
		if (nt == NULL)
			return NULL;
		for (i = 0; i < m->cap; i++) {
			if (m->t[i].name == 0)
				continue;
			for (k = first_slot(m->t[i].name, cap); nt[k].name != 0;
			    k = (k + 1) & (cap - 1))
				;
			nt[k] = m->t[i];
		}
		free(m->t);
		m->t = nt;
		m->cap = cap;
	}
	for (k = first_slot(h, m->cap); m->t[k].name != 0;
	    k = (k + 1) & (m->cap - 1))
		if (m->t[k].name == h) {
			*isnew = 0;
			return &m->t[k];
		}
	m->t[k].name = h;
	m->n++;
	*isnew = 1;
	return &m->t[k];
}

/* One whole line of file fi. */
static int
merge_line(struct merge *m, uint32_t fi, const struct mc_report_line *l)
{
	struct entry *e;
	int isnew;

	e = lookup(m, mc_shard_hash(l->domain), &isnew);
	if (e == NULL)
		return -1;
	if (!isnew) {
		if (e->verdict == l->verdict) {
			m->dups++;
			mc_cli_error("%s:%zu: domain %s repeats %s:%u with the "
			    "same verdict: kept once", m->files[fi], l->lineno,
			    l->domain, m->files[e->file], e->line);
		} else {
			m->conflicts++;
			mc_cli_error("%s:%zu: domain %s repeats %s:%u with "
			    "another verdict (%s): the first kept",
			    m->files[fi], l->lineno, l->domain,
			    m->files[e->file], e->line,
			    mc_status_str(l->status));
		}
		return 0;
	}
	e->verdict = l->verdict;
	e->file = fi;
	e->line = l->lineno < LISTED ? (uint32_t)l->lineno : LISTED - 1;
	m->by_status[l->status]++;
	if (l->status > m->worst)
		m->worst = l->status;
	if (fwrite(l->text, 1, l->len, stdout) != l->len)
		return -1;
	return 0;
}

static int
merge_file(struct merge *m, uint32_t fi)
{
	struct mc_report_reader r;
	struct mc_report_line l;
	const char *path = m->files[fi];
	char err[512];
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		mc_cli_error("cannot open '%s': %s", path, strerror(errno));
		m->unreadable++;
		return 0;
	}
	mc_report_reader_init(&r, f, path);
	for (;;) {
		rc = mc_report_reader_next(&r, &l, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc == -1) {
			mc_cli_error("%s", err);
			if (ferror(f)) {
				m->unreadable++;
				break;
			}
			m->invalid++;
			continue;
		}
		if (merge_line(m, fi, &l) == -1) {
			mc_report_reader_release(&r);
			fclose(f);
			return -1;
		}
	}
	if (r.torn > 0) {
		m->torn++;
		mc_cli_error("%s: torn last line (%zu bytes) not merged: resume "
		    "that shard", path, r.torn);
	}
	mc_report_reader_release(&r);
	fclose(f);
	return 0;
}

/* The domains file against what was merged. */
static int
check_list(struct merge *m, const char *path)
{
	struct mc_domain_source src = { .path = path };
	char name[MC_DNS_NAME_MAX + 2];
	struct entry *e;
	size_t i;
	int rc, isnew;

	src.file = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (src.file == NULL) {
		mc_cli_error("cannot open domains file '%s': %s", path,
		    strerror(errno));
		m->unreadable++;
		return 0;
	}
	while ((rc = mc_domain_source_next(&src, name, sizeof(name),
	    stderr)) == 1) {
		e = lookup(m, mc_shard_hash(name), &isnew);
		if (e == NULL) {
			rc = -1;
			break;
		}
		if (isnew) {
			/* an entry nothing merged: listed, missing */
			e->line = LISTED;
			e->file = UINT32_MAX;
			m->missing++;
			mc_cli_error("missing: %s (no line in any output)", name);
		} else
			e->line |= LISTED;
	}
	m->invalid += src.invalid;
	if (src.file != stdin)
		fclose(src.file);
	mc_domain_source_release(&src);
	if (rc == -1)
		return -1;
	for (i = 0; i < m->cap; i++) {
		e = &m->t[i];
		if (e->name != 0 && !(e->line & LISTED)) {
			m->unlisted++;
			mc_cli_error("%s:%u: its domain is not in %s",
			    m->files[e->file], e->line, path);
		}
	}
	return 0;
}

static void
summary(const struct merge *m, const char *list)
{
	const struct {
		size_t n;
		const char *what, *tail;
	} counts[] = {
		{ m->dups, "duplicate", " kept once" },
		{ m->conflicts, "conflicting duplicate", "" },
		{ m->torn, "torn last line", "" },
		{ m->invalid, "invalid line", "" },
		{ m->unreadable, "unreadable file", "" },
	};
	size_t i, merged = m->n - m->missing;

	fprintf(stderr, "mailcheck merge: %zu domain%s from %zu file%s: %zu "
	    "ok, %zu info, %zu warn, %zu crit, %zu unknown", merged,
	    merged == 1 ? "" : "s", m->nfiles, m->nfiles == 1 ? "" : "s",
	    m->by_status[MC_OK], m->by_status[MC_INFO], m->by_status[MC_WARN],
	    m->by_status[MC_CRIT], m->by_status[MC_UNKNOWN]);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i].n > 0)
			fprintf(stderr, "; %zu %s%s%s", counts[i].n,
			    counts[i].what, counts[i].n == 1 ? "" : "s",
			    counts[i].tail);
	if (list != NULL)
		fprintf(stderr, "; %zu missing, %zu not in %s", m->missing,
		    m->unlisted, list);
	fprintf(stderr, "; %s\n", m->conflicts + m->torn + m->invalid +
	    m->unreadable + m->missing > 0 ? "incomplete" : "complete");
}

int
mc_cli_merge(int argc, char **argv)
{
	enum { OPT_DOMAINS_FILE = 256 };
	static const struct option longopts[] = {
		{ "domains-file", required_argument, NULL, OPT_DOMAINS_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mc_cli_getopt opts = {
		.argc = argc, .argv = argv, .shortopts = "h",
		.longopts = longopts, .dns = NULL,
	};
	struct merge m = { .worst = MC_OK };
	const char *list = NULL;
	int c, i, code = MC_CLI_EXIT_USAGE;

	mc_cli_voice("mailcheck merge", 0);
	while ((c = mc_cli_getopt(&opts)) != -1) {
		switch (c) {
		case OPT_DOMAINS_FILE:
			list = optarg;
			break;
		case 'h':
			fputs(merge_usage, stdout);
			return mc_cli_finish(0);
		default: /* MC_CLI_TOLD */
			return MC_CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return mc_cli_usage_error("%s", "no output file given");
	m.files = argv + optind;
	m.nfiles = (size_t)(argc - optind);
	for (i = 0; i < (int)m.nfiles; i++)
		if (merge_file(&m, (uint32_t)i) == -1)
			goto oom;
	if (list != NULL && check_list(&m, list) == -1)
		goto oom;
	summary(&m, list);
	if (m.conflicts + m.torn + m.invalid + m.unreadable + m.missing > 0)
		code = MC_CLI_EXIT_USAGE;
	else
		code = mc_status_exit(m.worst);
	free(m.t);
	return mc_cli_finish(code);
oom:
	/* a write error on stdout is told by mc_cli_finish() */
	if (!ferror(stdout))
		mc_cli_error("out of memory");
	free(m.t);
	return mc_cli_finish(MC_CLI_EXIT_USAGE);
}
