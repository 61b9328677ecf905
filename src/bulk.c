/* SPDX-License-Identifier: ISC */
/*
 * src/bulk.c - many domains in flight, reports written as they finish
 *
 * A fixed pool of worker threads (--parallel) pulls domains from one
 * source and runs each with its own runner (mc_runner_run(), reusing its
 * jobs and arenas) on the shared DNS handle; the checks of every domain
 * run on one shared pool of workers, created once and sized for all the
 * checks in flight (mc_run_pool_size()).  The runner makes each domain a
 * DNS session, so the cache can drop what finished domains used.  Output
 * is written under one lock, a whole report at a time, and flushed per
 * domain in JSON Lines mode.  The progress line (a terminal only) is
 * erased before each write and redrawn after.
 */
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailcheck/baseline.h"
#include "mailcheck/bulk.h"
#include "mailcheck/limits.h"
#include "mailcheck/resume.h"
#include "mailcheck/shard.h"
#include "mailcheck/util.h"
#include "banned.h"

struct bulk {
	const struct mc_bulk_config *cfg;
	struct mc_domain_source *src;
	struct mc_bulk_stats *st;
	struct mc_run_config run;  /* cfg->run with the shared pool */
	pthread_mutex_t src_mu;
	pthread_mutex_t out_mu;
	int eof;
	int wrote;        /* a report is out: text needs a separator */
	int drawn;        /* the progress line is on the screen */
	double start, last_draw;
	size_t taken;     /* domains handed to workers */
	size_t invalid;   /* src->invalid as of the last read; __atomic */
	size_t repeated;  /* src->repeated likewise */
	size_t skipped;   /* src->other_shard + src->resumed likewise */
	int stopped;      /* a worker saw cfg->stop before the end */
	/* ordered output: reports rendered ahead of their turn */
	char **pending;   /* by sequence number; NULL: not ready */
	size_t *pending_len;
	size_t npending, next_out;
};

/*
 * One line into buf, at most size - 1 bytes kept; the rest of a longer
 * line is read and dropped (*toolong set).  Returns its length, or -1 at
 * the end of input.
 */
static long
read_line(FILE *f, char *buf, size_t size, int *toolong, int *nul)
{
	size_t n = 0;
	int c, any = 0;

	*toolong = *nul = 0;
	while ((c = getc(f)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (c == '\0')
			*nul = 1;
		if (n + 1 < size)
			buf[n++] = (char)c;
		else
			*toolong = 1;
	}
	buf[n] = '\0';
	if (!any)
		return -1;
	return (long)n;
}

/* Cut a comment and surrounding blanks; returns the start of the text. */
static char *
trim(char *s, size_t len)
{
	char *hash, *end;

	hash = memchr(s, '#', len);
	if (hash != NULL)
		*hash = '\0';
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

size_t
mc_domain_file_count(FILE *f)
{
	char buf[MC_BULK_LINE_MAX + 1], *s;
	struct stat sb;
	size_t n = 0;
	long len;
	int toolong, nul;

	if (fstat(fileno(f), &sb) == -1 || !S_ISREG(sb.st_mode))
		return 0;
	while ((len = read_line(f, buf, sizeof(buf), &toolong, &nul)) != -1) {
		s = trim(buf, (size_t)len);
		/* as mc_domain_source_next() sees them: a NUL is invalid */
		if (*s != '\0' || toolong || nul)
			n++;
	}
	clearerr(f);
	if (fseek(f, 0, SEEK_SET) == -1)
		return 0;
	return n;
}

/* The shard hash (FNV-1a 64), never 0 (the empty slot). */
static uint64_t
name_hash(const char *s)
{
	uint64_t h = mc_shard_hash(s);

	return h != 0 ? h : 1;
}

/*
 * The first slot for hash h in a table of cap (a power of two) slots:
 * the product's high bits, since in a shard every hash has the same
 * remainder modulo the shard count and the low bits would crowd.
 */
static size_t
first_slot(uint64_t h, size_t cap)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* The line of a name marked done (--resume) in the seen table. */
#define SEEN_DONE ((size_t)-2)

/*
 * Remember name (normalised), first seen at line (1-based); returns 0
 * when new, the line of its first appearance when seen before, or
 * (size_t)-1 when out of memory.
 */
static size_t
seen_before(struct mc_domain_source *src, const char *name, size_t line)
{
	uint64_t h = name_hash(name), *nh;
	size_t i, k, cap, first, *nl;

	if (2 * (src->nseen + 1) > src->seen_cap) {
		cap = src->seen_cap > 0 ? 2 * src->seen_cap : 1024;
		nh = calloc(cap, sizeof(*nh));
		nl = calloc(cap, sizeof(*nl));
		if (nh == NULL || nl == NULL) {
			free(nh);
			free(nl);
			return (size_t)-1;
		}
		for (i = 0; i < src->seen_cap; i++) {
			if (src->seen_hash[i] == 0)
				continue;
			for (k = first_slot(src->seen_hash[i], cap); nh[k] != 0;
			    k = (k + 1) & (cap - 1))
				;
			nh[k] = src->seen_hash[i];
			nl[k] = src->seen_line[i];
		}
		free(src->seen_hash);
		free(src->seen_line);
		src->seen_hash = nh;
		src->seen_line = nl;
		src->seen_cap = cap;
	}
	for (k = first_slot(h, src->seen_cap); src->seen_hash[k] != 0;
	    k = (k + 1) & (src->seen_cap - 1))
		if (src->seen_hash[k] == h) {
			first = src->seen_line[k];
			/* done before: now given, a later line repeats it */
			if (first == SEEN_DONE)
				src->seen_line[k] = line;
			return first;
		}
	src->seen_hash[k] = h;
	src->seen_line[k] = line;
	src->nseen++;
	return 0;
}

int
mc_domain_source_done(struct mc_domain_source *src, const char *name)
{
	return seen_before(src, name, SEEN_DONE) == (size_t)-1 ? -1 : 0;
}

void
mc_domain_source_release(struct mc_domain_source *src)
{
	free(src->seen_hash);
	free(src->seen_line);
	src->seen_hash = NULL;
	src->seen_line = NULL;
	src->seen_cap = src->nseen = 0;
}

/*
 * A valid name in buf, given at line (or argument) at: 1 to check it, 0
 * to skip it as a repeat (noted on err), -1 when out of memory.
 */
static int
first_time(struct mc_domain_source *src, const char *buf, size_t at,
    const char *path, FILE *err)
{
	size_t first;

	/* names and the file share one line count: arguments come first */
	first = seen_before(src, buf, at);
	if (first == 0)
		return 1;
	if (first == (size_t)-1) {
		fprintf(err, "mailcheck: out of memory\n");
		return -1;
	}
	if (first == SEEN_DONE) {
		src->resumed++;
		return 0;
	}
	src->repeated++;
	if (path == NULL)
		fprintf(err, "mailcheck: domain %s is given twice: checked "
		    "once\n", buf);
	else if (first > src->nnames)
		fprintf(err, "mailcheck: %s:%zu: domain %s repeats line %zu: "
		    "checked once\n", path, at - src->nnames, buf,
		    first - src->nnames);
	else
		fprintf(err, "mailcheck: %s:%zu: domain %s is also given on "
		    "the command line: checked once\n", path, at - src->nnames,
		    buf);
	return 0;
}

int
mc_domain_source_next(struct mc_domain_source *src, char *buf, size_t size,
    FILE *err)
{
	char line[MC_BULK_LINE_MAX + 1], why[256], *s, *e;
	const char *path;
	long len;
	int toolong, nul, rc;

	while (src->names != NULL && src->next < src->nnames) {
		if (mc_domain_normalise(src->names[src->next++], buf, size, 0,
		    why, sizeof(why)) == 0) {
			if (!mc_shard_mine(src->shard, buf)) {
				src->other_shard++;
				continue;
			}
			rc = first_time(src, buf, src->next, NULL, err);
			if (rc != 0)
				return rc;
			continue;
		}
		fprintf(err, "mailcheck: invalid domain: %s\n", why);
		src->invalid++;
	}
	if (src->file == NULL)
		return 0;
	path = strcmp(src->path, "-") == 0 ? "stdin" : src->path;
	for (;;) {
		len = read_line(src->file, line, sizeof(line), &toolong, &nul);
		if (len == -1)
			break;
		src->line++;
		if (toolong) {
			fprintf(err, "mailcheck: %s:%zu: line longer than %d "
			    "bytes, skipped\n", path, src->line, MC_BULK_LINE_MAX);
			src->invalid++;
			continue;
		}
		if (nul) {
			fprintf(err, "mailcheck: %s:%zu: line holds a NUL byte, "
			    "skipped\n", path, src->line);
			src->invalid++;
			continue;
		}
		s = trim(line, (size_t)len);
		if (*s == '\0')
			continue;
		if (mc_domain_normalise(s, buf, size, 0, why,
		    sizeof(why)) == 0) {
			if (!mc_shard_mine(src->shard, buf)) {
				src->other_shard++;
				continue;
			}
			rc = first_time(src, buf, src->nnames + src->line, path,
			    err);
			if (rc != 0)
				return rc;
			continue;
		}
		e = mc_escape_dup(s, strlen(s));
		fprintf(err, "mailcheck: %s:%zu: invalid domain '%s': %s, "
		    "skipped\n", path, src->line, e != NULL ? e : "?", why);
		free(e);
		src->invalid++;
	}
	if (ferror(src->file)) {
		fprintf(err, "mailcheck: cannot read '%s'\n", path);
		return -1;
	}
	return 0;
}

/* Caller holds out_mu. */
static void
progress(struct bulk *b, int force)
{
	const struct mc_bulk_stats *st = b->st;
	double now = mc_now(), rate, elapsed;
	size_t total = b->src->total, failed, seen, invalid;

	if (!b->cfg->progress || (!force && now - b->last_draw < 0.2))
		return;
	b->last_draw = now;
	elapsed = now - b->start;
	rate = elapsed > 0 ? (double)st->done / elapsed : 0;
	invalid = __atomic_load_n(&b->invalid, __ATOMIC_RELAXED);
	failed = st->by_status[MC_UNKNOWN] + invalid;
	/* the total counts invalid and repeated lines too: count them as
	   seen */
	seen = st->done + invalid +
	    __atomic_load_n(&b->repeated, __ATOMIC_RELAXED) +
	    __atomic_load_n(&b->skipped, __ATOMIC_RELAXED);
	fputs("\r\033[K", b->cfg->err);
	if (total > 0)
		fprintf(b->cfg->err, "%zu/%zu domains, %.0f/s, %zu failed, "
		    "%.0f s left", seen, total, rate, failed,
		    rate > 0 && total > seen ?
		    (double)(total - seen) / rate : 0.0);
	else
		fprintf(b->cfg->err, "%zu domains, %.0f/s, %zu failed",
		    st->done, rate, failed);
	if (b->cfg->qps > 0)
		fprintf(b->cfg->err, ", at most %g queries/s a server",
		    b->cfg->qps);
	fflush(b->cfg->err);
	b->drawn = 1;
}

/* Caller holds out_mu. */
static void
erase_progress(struct bulk *b)
{
	if (b->drawn) {
		fputs("\r\033[K", b->cfg->err);
		fflush(b->cfg->err);
		b->drawn = 0;
	}
}

/* Write one report to out; first: no separator before it. */
static int
emit(const struct mc_bulk_config *cfg, FILE *out, int first,
    const struct mc_report *rep)
{
	struct mc_nagios_opts no = {
		.verbose = cfg->verbose,
		.thresholds = cfg->thresholds,
		.nthresholds = cfg->nthresholds,
		.elapsed = (double)rep->duration_ms / 1000.0,
		.timeout = cfg->timeout,
	};
	int rc = 0;

	switch (cfg->format) {
	case MC_FORMAT_TEXT:
		if (cfg->one_line)
			return mc_render_text_line(out, rep);
		if (!first)
			fputc('\n', out);
		rc = mc_render_text(out, rep, &cfg->render);
		if (rc == 0 && rep->changes != NULL) {
			fputc('\n', out);
			rc = mc_render_changes_text(out, rep->changes);
		}
		break;
	case MC_FORMAT_JSON:
	case MC_FORMAT_JSONL:
		rc = mc_render_json(out, rep, cfg->format == MC_FORMAT_JSONL);
		/* a line a domain, visible as it finishes */
		if (cfg->format == MC_FORMAT_JSONL && fflush(out) == EOF)
			rc = -1;
		break;
	case MC_FORMAT_NAGIOS:
		rc = mc_render_nagios(out, rep, &no);
		break;
	}
	return rc;
}

/*
 * Ordered output: keep report seq (text, or NULL for none) until those
 * before it are out, then write every report whose turn has come.
 * Caller holds out_mu.
 */
static void
emit_in_order(struct bulk *b, size_t seq, char *text, size_t len)
{
	FILE *out = b->cfg->out;

	if (seq >= b->npending) {
		free(text);
		return;
	}
	b->pending[seq] = text != NULL ? text : strdup("");
	b->pending_len[seq] = text != NULL ? len : 0;
	if (b->pending[seq] == NULL)
		b->st->write_error = 1;
	while (b->next_out < b->npending && b->pending[b->next_out] != NULL) {
		if (fwrite(b->pending[b->next_out], 1,
		    b->pending_len[b->next_out], out) !=
		    b->pending_len[b->next_out] || fflush(out) == EOF)
			b->st->write_error = 1;
		free(b->pending[b->next_out]);
		/* a sentinel: written, never again NULL */
		b->pending[b->next_out] = (char *)(uintptr_t)1;
		b->next_out++;
	}
}

/* The report rendered into memory for ordered output; NULL on error. */
static char *
render_to_memory(const struct mc_bulk_config *cfg, int first,
    const struct mc_report *rep, size_t *len)
{
	char *buf = NULL;
	FILE *f;
	int rc;

	f = open_memstream(&buf, len);
	if (f == NULL)
		return NULL;
	rc = emit(cfg, f, first, rep);
	if (fclose(f) == EOF || rc == -1) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
run_one(struct bulk *b, struct mc_runner *runner, const char *name,
    size_t seq)
{
	const struct mc_bulk_config *cfg = b->cfg;
	struct mc_report rep;
	double deadline;
	json_t *doc;
	enum mc_status state;
	char err[512], *text = NULL;
	size_t len = 0;

	deadline = cfg->timeout > 0 ? mc_now() + cfg->timeout : 0;
	if (cfg->run_deadline > 0 &&
	    (deadline == 0 || cfg->run_deadline < deadline))
		deadline = cfg->run_deadline;
	if (runner == NULL)
		snprintf(err, sizeof(err), "out of memory");
	if (runner == NULL || mc_runner_run(runner, name, deadline, &rep, err,
	    sizeof(err)) == -1) {
		pthread_mutex_lock(&b->out_mu);
		erase_progress(b);
		fprintf(cfg->err, "mailcheck: %s: %s\n", name, err);
		b->st->done++; /* seen, so the progress line reaches its total */
		b->st->by_status[MC_UNKNOWN]++;
		if (b->st->worst < MC_UNKNOWN)
			b->st->worst = MC_UNKNOWN;
		if (cfg->ordered)
			emit_in_order(b, seq, NULL, 0);
		pthread_mutex_unlock(&b->out_mu);
		return;
	}
	if (mc_thresholds_apply(&rep, cfg->thresholds, cfg->nthresholds) == -1 ||
	    (cfg->format == MC_FORMAT_NAGIOS && mc_thresholds_apply_time(&rep,
	    cfg->thresholds, cfg->nthresholds,
	    (double)rep.duration_ms / 1000.0) == -1))
		rep.status = MC_UNKNOWN;
	if (cfg->baseline != NULL) {
		/* the document without changes, as the baseline holds it */
		doc = mc_report_json(&rep);
		if (doc != NULL)
			rep.changes = mc_changes(json_object_get(cfg->baseline,
			    rep.domain), doc);
		json_decref(doc);
	}
	state = cfg->format == MC_FORMAT_NAGIOS ? mc_nagios_state(&rep) :
	    rep.status;
	if (cfg->ordered || cfg->append) {
		text = render_to_memory(cfg, seq == 0, &rep, &len);
		if (text == NULL) {
			/* len may hold what was written before the failure */
			len = 0;
			text = strdup(""); /* counted as a write error below */
		}
	}

	pthread_mutex_lock(&b->out_mu);
	erase_progress(b);
	if (cfg->ordered) {
		if (text == NULL || (len == 0 && *text == '\0'))
			b->st->write_error = 1;
		emit_in_order(b, seq, text, len);
	} else if (cfg->append) {
		/* one write(2) a line: a kill leaves it whole or absent */
		if (len == 0 || mc_resume_append(cfg->append_fd, text,
		    len) == -1)
			b->st->write_error = 1;
		free(text);
	} else if (emit(cfg, cfg->out, !b->wrote, &rep) == -1)
		b->st->write_error = 1;
	b->wrote = 1;
	b->st->done++;
	b->st->by_status[rep.status]++;
	if (state > b->st->worst)
		b->st->worst = state;
	if (json_array_size(rep.changes) > 0)
		b->st->changed++;
	if (rep.changes != NULL && mc_changes_worse(rep.changes) > 0)
		b->st->worse++;
	progress(b, 0);
	pthread_mutex_unlock(&b->out_mu);

	mc_report_release(&rep);
}

static void *
worker(void *arg)
{
	struct bulk *b = arg;
	struct mc_runner *runner;
	char name[MC_DNS_NAME_MAX + 2], *msg;
	size_t seq = 0, msglen;
	FILE *err;
	int rc;

	/* NULL: every domain of this worker is reported out of memory */
	runner = mc_runner_new(&b->run);
	for (;;) {
		/*
		 * Messages about skipped lines wait in memory while a
		 * progress line may be on the screen: they are written
		 * under out_mu after erasing it, and the (maybe slow) read
		 * does not hold up the output.
		 */
		msg = NULL;
		msglen = 0;
		err = b->cfg->progress ? open_memstream(&msg, &msglen) : NULL;
		pthread_mutex_lock(&b->src_mu);
		if (!b->eof && b->cfg->stop != NULL &&
		    __atomic_load_n(b->cfg->stop, __ATOMIC_SEQ_CST) != 0)
			b->stopped = 1;
		rc = b->eof || b->stopped ? 0 : mc_domain_source_next(b->src,
		    name, sizeof(name), err != NULL ? err : b->cfg->err);
		if (rc != 1 && !b->stopped)
			b->eof = 1;
		if (rc == 1)
			seq = b->taken++;
		__atomic_store_n(&b->invalid, b->src->invalid, __ATOMIC_RELAXED);
		__atomic_store_n(&b->repeated, b->src->repeated,
		    __ATOMIC_RELAXED);
		__atomic_store_n(&b->skipped, b->src->other_shard +
		    b->src->resumed, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&b->src_mu);
		if (err != NULL && fclose(err) == 0 && msglen > 0) {
			pthread_mutex_lock(&b->out_mu);
			erase_progress(b);
			fwrite(msg, 1, msglen, b->cfg->err);
			fflush(b->cfg->err);
			pthread_mutex_unlock(&b->out_mu);
		}
		free(msg);
		if (rc == -1) {
			pthread_mutex_lock(&b->out_mu);
			b->st->write_error = 1;
			pthread_mutex_unlock(&b->out_mu);
		}
		if (rc != 1)
			break;
		run_one(b, runner, name, seq);
	}
	mc_runner_free(runner);
	return NULL;
}

/*
 * glibc gives threads up to 8 malloc arenas a core, and a bulk run's
 * hundreds of long-lived workers spread the DNS cache and the reports over
 * all of them: peak memory grew with the run (145 MiB for 100,000 domains
 * at --parallel 32, against 54 MiB with one arena for 10,000; no CPU
 * difference measured on 2 cores, the workers mostly wait for DNS).  One
 * arena for every two cores, at most 8; MALLOC_ARENA_MAX still rules.
 */
static void
limit_malloc_arenas(void)
{
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	long ncpu;

	if (getenv("MALLOC_ARENA_MAX") != NULL)
		return;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	mallopt(M_ARENA_MAX, ncpu >= 16 ? 8 : ncpu >= 4 ? (int)(ncpu / 2) : 1);
#endif
}

static void
summary(const struct bulk *b)
{
	const struct mc_bulk_stats *st = b->st;

	fprintf(b->cfg->err, "mailcheck: %zu domain%s in %.1f s (%.0f/s): "
	    "%zu ok, %zu info, %zu warn, %zu crit, %zu unknown",
	    st->done, st->done == 1 ? "" : "s", st->seconds,
	    st->seconds > 0 ? (double)st->done / st->seconds : 0.0,
	    st->by_status[MC_OK], st->by_status[MC_INFO],
	    st->by_status[MC_WARN], st->by_status[MC_CRIT],
	    st->by_status[MC_UNKNOWN]);
	if (b->cfg->baseline != NULL)
		fprintf(b->cfg->err, "; %zu changed, %zu for the worse",
		    st->changed, st->worse);
	if (st->invalid > 0)
		fprintf(b->cfg->err, "; %zu invalid line%s skipped", st->invalid,
		    st->invalid == 1 ? "" : "s");
	if (st->repeated > 0)
		fprintf(b->cfg->err, "; %zu repeated domain%s checked once",
		    st->repeated, st->repeated == 1 ? "" : "s");
	if (b->src->shard != NULL)
		fprintf(b->cfg->err, "; shard %lu/%lu: %zu domain%s of other "
		    "shards skipped", b->src->shard->index,
		    b->src->shard->count, st->other_shard,
		    st->other_shard == 1 ? "" : "s");
	if (b->cfg->append)
		fprintf(b->cfg->err, "; %zu domain%s already in %s skipped",
		    st->resumed, st->resumed == 1 ? "" : "s",
		    b->cfg->append_path);
	if (st->interrupted != 0)
		fprintf(b->cfg->err, "; interrupted by %s: the rest not "
		    "checked", st->interrupted == SIGINT ? "SIGINT" :
		    st->interrupted == SIGTERM ? "SIGTERM" : "a signal");
	fputc('\n', b->cfg->err);
}

int
mc_bulk_run(const struct mc_bulk_config *cfg, struct mc_domain_source *src,
    struct mc_bulk_stats *st)
{
	struct bulk b = {
		.cfg = cfg, .src = src, .st = st,
	};
	pthread_t *threads;
	int i, n, started = 0;

	memset(st, 0, sizeof(*st));
	n = cfg->parallel < 1 ? 1 : cfg->parallel;
	if (src->total > 0 && (size_t)n > src->total)
		n = (int)src->total;
	if (n > 1)
		limit_malloc_arenas();
	threads = calloc((size_t)n, sizeof(*threads));
	if (cfg->ordered) {
		/* only command-line names are ordered: a known, small number */
		b.npending = src->nnames;
		b.pending = calloc(b.npending + 1, sizeof(*b.pending));
		b.pending_len = calloc(b.npending + 1, sizeof(*b.pending_len));
	}
	b.run = cfg->run;
	b.run.pool = mc_pool_new(mc_run_pool_size((size_t)n,
	    cfg->run.set->n));
	if (threads == NULL || b.run.pool == NULL || (cfg->ordered &&
	    (b.pending == NULL || b.pending_len == NULL))) {
		mc_pool_free(b.run.pool);
		free(threads);
		free(b.pending);
		free(b.pending_len);
		return -1;
	}
	pthread_mutex_init(&b.src_mu, NULL);
	pthread_mutex_init(&b.out_mu, NULL);
	mc_dns_set_cache_limit(cfg->run.dns, MC_BULK_CACHE_ENTRIES);
	b.start = mc_now();
	/* one domain needs no pool: run it on this thread */
	if (n > 1) {
		for (i = 0; i < n; i++) {
			if (pthread_create(&threads[i], NULL, worker, &b) != 0)
				break;
			started++;
		}
	}
	if (started == 0)
		worker(&b);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	st->seconds = mc_now() - b.start;
	st->invalid = src->invalid;
	st->repeated = src->repeated;
	st->other_shard = src->other_shard;
	st->resumed = src->resumed;
	if (b.stopped)
		st->interrupted = __atomic_load_n(cfg->stop, __ATOMIC_SEQ_CST);
	mc_pool_free(b.run.pool);
	pthread_mutex_lock(&b.out_mu);
	progress(&b, 1);
	erase_progress(&b);
	if (cfg->summary)
		summary(&b);
	pthread_mutex_unlock(&b.out_mu);
	pthread_mutex_destroy(&b.src_mu);
	pthread_mutex_destroy(&b.out_mu);
	/* every report was written: only sentinels are left */
	free(b.pending);
	free(b.pending_len);
	free(threads);
	return 0;
}
