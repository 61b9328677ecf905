/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/bulk.h - running many domains: the command's main loop
 *
 * mc_bulk_run() takes domains from a source (the command line, or a
 * domains file read as it goes), keeps up to `parallel` of them in flight
 * on one DNS handle, and writes each report as soon as its domain finishes
 * (so output order is completion order when parallel > 1), or, for names
 * from the command line, in their order.  Memory stays
 * bounded however long the list: one report a domain in flight, and the
 * DNS cache evicts what finished domains used (mc_dns_set_cache_limit()).
 * One domain is simply a bulk run of one.
 */
#ifndef MAILCHECK_BULK_H
#define MAILCHECK_BULK_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "mailcheck/plugin.h"
#include "mailcheck/runner.h"
#include "mailcheck/shard.h"
#include "mailcheck/threshold.h"

#define MC_BULK_PARALLEL 32        /* --parallel default */
#define MC_BULK_PARALLEL_MAX 1024
#define MC_BULK_LINE_MAX 1024      /* longest line of a domains file */
#define MC_BULK_CACHE_ENTRIES 16384 /* DNS cache entries before eviction */

enum mc_format {
	MC_FORMAT_TEXT,
	MC_FORMAT_JSON,
	MC_FORMAT_JSONL,
	MC_FORMAT_NAGIOS,
};

/* Where the domains come from: names, or a file (path for messages). */
struct mc_domain_source {
	const char *const *names;
	size_t nnames;
	FILE *file;
	const char *path;      /* "-" shows as "stdin" */
	size_t total;          /* domains expected, 0: unknown */
	/* kept by mc_domain_source_next() */
	size_t next, line, invalid;
	size_t repeated;       /* names skipped as given before */
	const struct mc_shard *shard; /* NULL: every domain; else only
	                                 those of this shard (--shard) */
	size_t other_shard;    /* names skipped as another shard's */
	size_t resumed;        /* names skipped as done before (--resume) */
	/* the names given so far, as 64-bit hashes of the normalised name
	   with the line (or argument) of their first appearance: open
	   addressing, 16 bytes a name whatever its length */
	uint64_t *seen_hash;   /* 0: empty slot */
	size_t *seen_line;
	size_t seen_cap, nseen;
};

/*
 * The next valid domain, normalised, into buf (at least 254 bytes).
 * Blank lines and '#' comments are skipped; invalid lines (bad names,
 * NUL bytes, lines over MC_BULK_LINE_MAX) are reported on err with file
 * and line, counted in src->invalid and skipped.  A name given before
 * (in any case, with or without the final dot) is checked once: each
 * repeat is noted on err with both lines ("repeats line N, checked
 * once"), counted in src->repeated and skipped; it is no error.
 * A name of another shard (src->shard) is skipped silently before that,
 * counted in src->other_shard; a name marked done is skipped silently,
 * counted in src->resumed.
 * Returns 1, 0 at the end, -1 on a read error (reported) or when out of
 * memory.  Not thread-safe: one caller.
 */
int mc_domain_source_next(struct mc_domain_source *src, char *buf,
    size_t size, FILE *err);
/*
 * Mark the normalised name as done before (a line of a --resume file):
 * mc_domain_source_next() skips it.  0, or -1 when out of memory.
 */
int mc_domain_source_done(struct mc_domain_source *src, const char *name);
/* Free what mc_domain_source_next() kept; src itself is the caller's. */
void mc_domain_source_release(struct mc_domain_source *src);
/* Count the domain lines of a seekable file and rewind; 0 if not. */
size_t mc_domain_file_count(FILE *f);

struct mc_bulk_config {
	struct mc_run_config run;      /* checks, options, DNS; no deadline */
	double timeout;                /* seconds for each domain; 0: none */
	double run_deadline;           /* absolute mc_now() time no domain's
	                                  deadline passes; 0: none */
	int parallel;                  /* domains in flight, at least 1 */
	enum mc_format format;
	struct mc_render_opts render;  /* text */
	int one_line;                  /* text: one line a domain */
	int ordered;                   /* write reports in the source's
	                                  order (command-line names only),
	                                  not as they finish */
	const struct mc_threshold *thresholds;
	size_t nthresholds;
	const json_t *baseline;        /* from mc_baseline_load(), or NULL */
	int verbose;                   /* nagios -v */
	int progress;                  /* draw a progress line on err */
	double qps;                    /* the --qps cap, for the progress
	                                  line; 0: none */
	int summary;                   /* write a summary line on err */
	FILE *out, *err;
	int append;                    /* JSON Lines appended to append_fd
	                                  (--resume), a write(2) a line,
	                                  instead of written to out */
	int append_fd;
	const char *append_path;       /* for the summary */
	/* set (to a signal number) by the caller, from any thread: take no
	   more domains, let those in flight finish (each within its
	   deadline), report them and return; NULL: never */
	const int *stop;
};

struct mc_bulk_stats {
	size_t done;                   /* domains reported */
	size_t by_status[MC_CRIT + 1]; /* reports by status */
	size_t changed;                /* reports with changes (baseline) */
	size_t worse;                  /* ... with changes for the worse */
	size_t invalid;                /* lines skipped */
	size_t repeated;               /* names skipped as repeats */
	size_t other_shard;            /* names of other shards skipped */
	size_t resumed;                /* names skipped as done before */
	int interrupted;               /* the signal in *stop that ended the
	                                  run before its last domain; 0 */
	enum mc_status worst;          /* nagios: the plugin state */
	int write_error;
	double seconds;
};

/* Run every domain of src.  Returns 0, or -1 when out of memory. */
int mc_bulk_run(const struct mc_bulk_config *cfg,
    struct mc_domain_source *src, struct mc_bulk_stats *st);

#endif
