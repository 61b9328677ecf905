/* SPDX-License-Identifier: ISC */
/*
 * src/dmarc_summary.c - DMARC aggregate reports added up per domain and
 * source, judged, and written as text or JSON
 *
 * Sources live in one open-addressing hash table keyed by "domain ip"
 * and in an array per domain; a record costs one lookup and a few
 * additions.  Messages per source are also counted per UTC day of the
 * report's period (its begin), at most MC_DMARC_MAX_DAYS days, which is
 * what finds a sudden jump from an address of the domain's own.  Per
 * domain, the reports are also kept one row per report period (their
 * date_range), at most MC_DMARC_MAX_PERIODS: the domain's begin and end
 * are only the span of them all.
 *
 * Whether a source is the domain's own comes from two places: the
 * receivers' own SPF results (an SPF pass for the policy domain or one
 * below it, aligned or not, means the address is SPF-authorised) and,
 * with DNS, check_host() run here for the failing sources.  Everything a
 * report says is outside data: the text renderer escapes it, the JSON
 * renderer makes it valid JSON strings (mc_json_dns_string()).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailcheck/arena.h"
#include "mailcheck/dmarc_summary.h"
#include "mailcheck/escape.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/pool.h"
#include "mailcheck/report.h"
#include "mailcheck/spf.h"
#include "banned.h"

enum { D_NONE, D_QUARANTINE, D_REJECT, D_OTHER, D_N };
static const char *const disp_names[D_N] = {
	[D_NONE] = "none", [D_QUARANTINE] = "quarantine",
	[D_REJECT] = "reject", [D_OTHER] = "other",
};

struct day {
	long long day;
	uint64_t n;
};

struct domain;

struct source {
	struct domain *d;
	char ip[64];
	char *ptr;              /* NULL: not asked or none */
	const char *ptr_status; /* "ok", "none", "tempfail"...; NULL: not asked */
	uint64_t msgs, pass, fail, spf_aligned, dkim_aligned, spf_pass,
	    dkim_pass;
	uint64_t disp[D_N];
	uint64_t reporters;     /* bit i: the domain's reporter i */
	struct day *days;
	size_t ndays;
	int own;                /* 1 by the reports, 2 by check_host() */
	int spf_asked;
	enum mc_dmarc_verdict verdict;
};

/* One report period of a domain: the reports with this date_range. */
struct period {
	long long begin, end;
	uint64_t reports, records, msgs, pass, fail;
	uint64_t reporters;     /* bit i: the domain's reporter i */
};

struct flag {
	enum mc_finding_id id;  /* findings.def: code, severity, spec, hint */
	char *subject, *message;
};

struct domain {
	char name[MC_DMARC_FIELD_MAX];
	long long begin, end;
	uint64_t reports, records, msgs, pass, fail, disp[D_N];
	char *reporters[MC_DMARC_MAX_REPORTERS];
	size_t nreporters;
	char p[16];
	struct source **src;
	size_t nsrc, cap;
	uint64_t other_msgs, other_fail; /* past MC_DMARC_MAX_SOURCES */
	struct flag *flags;
	size_t nflags;
	struct period *per;     /* in the order first seen; sorted to write */
	size_t nper, percap;
	uint64_t other_periods; /* reports past MC_DMARC_MAX_PERIODS */
};

struct file {
	char *name, *org, *report_id, *domain, *error;
	long long begin, end;
	uint64_t records, msgs;
	int refused;
};

struct mc_dmarc_summary {
	struct domain **dom;
	size_t ndom, domcap;
	struct source **tab;    /* hash table of sources */
	size_t tabcap, nsources;
	struct file *files;
	size_t nfiles, filecap;
	uint64_t cur_msgs;      /* messages of the report being read */
	size_t readable;
	int nomem;
};

const char *
mc_dmarc_verdict_str(enum mc_dmarc_verdict v)
{
	switch (v) {
	case MC_DMARC_PASSES:
		return "passes";
	case MC_DMARC_FORWARDER:
		return "forwarder";
	case MC_DMARC_OWN_FAILING:
		return "own-server-failing-dkim";
	case MC_DMARC_NOT_YOU:
		return "not-you";
	}
	return "?";
}

static uint64_t
hash2(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *a != '\0'; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	h = (h ^ ' ') * 1099511628211ULL;
	for (; *b != '\0'; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ULL;
	return h;
}

struct mc_dmarc_summary *
mc_dmarc_summary_new(void)
{
	return calloc(1, sizeof(struct mc_dmarc_summary));
}

void
mc_dmarc_summary_free(struct mc_dmarc_summary *s)
{
	size_t i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->ndom; i++) {
		struct domain *d = s->dom[i];

		for (j = 0; j < d->nsrc; j++) {
			free(d->src[j]->ptr);
			free(d->src[j]->days);
			free(d->src[j]);
		}
		for (j = 0; j < d->nreporters; j++)
			free(d->reporters[j]);
		for (j = 0; j < d->nflags; j++) {
			free(d->flags[j].subject);
			free(d->flags[j].message);
		}
		free(d->flags);
		free(d->per);
		free(d->src);
		free(d);
	}
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].name);
		free(s->files[i].org);
		free(s->files[i].report_id);
		free(s->files[i].domain);
		free(s->files[i].error);
	}
	free(s->files);
	free(s->dom);
	free(s->tab);
	free(s);
}

/* Grow *arr (of *cap elements of size) to hold n + 1; -1: no memory. */
static int
grow(void *arr, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap == 0 ? 8 : *cap * 2;
	nv = realloc(*(void **)arr, nc * size);
	if (nv == NULL)
		return -1;
	*(void **)arr = nv;
	*cap = nc;
	return 0;
}

static struct domain *
find_domain(struct mc_dmarc_summary *s, const char *name)
{
	struct domain *d;
	size_t i;

	/* reports mostly come one domain after the other: look back */
	for (i = s->ndom; i > 0; i--)
		if (strcmp(s->dom[i - 1]->name, name) == 0)
			return s->dom[i - 1];
	if (grow(&s->dom, &s->domcap, s->ndom, sizeof(*s->dom)) == -1)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->begin = d->end = -1;
	s->dom[s->ndom++] = d;
	return d;
}

static int
rehash(struct mc_dmarc_summary *s)
{
	struct source **nt;
	size_t nc = s->tabcap == 0 ? 1024 : s->tabcap * 2, i, j;

	nt = calloc(nc, sizeof(*nt));
	if (nt == NULL)
		return -1;
	for (i = 0; i < s->tabcap; i++) {
		if (s->tab[i] == NULL)
			continue;
		j = hash2(s->tab[i]->d->name, s->tab[i]->ip) & (nc - 1);
		while (nt[j] != NULL)
			j = (j + 1) & (nc - 1);
		nt[j] = s->tab[i];
	}
	free(s->tab);
	s->tab = nt;
	s->tabcap = nc;
	return 0;
}

/* The source ip of d: found, added, or NULL (no memory, or the cap). */
static struct source *
find_source(struct mc_dmarc_summary *s, struct domain *d, const char *ip)
{
	struct source *src;
	size_t j;

	if (s->nsources * 2 >= s->tabcap && rehash(s) == -1)
		return NULL;
	j = hash2(d->name, ip) & (s->tabcap - 1);
	for (; s->tab[j] != NULL; j = (j + 1) & (s->tabcap - 1))
		if (s->tab[j]->d == d && strcmp(s->tab[j]->ip, ip) == 0)
			return s->tab[j];
	if (s->nsources >= MC_DMARC_MAX_SOURCES ||
	    grow(&d->src, &d->cap, d->nsrc, sizeof(*d->src)) == -1)
		return NULL;
	src = calloc(1, sizeof(*src));
	if (src == NULL)
		return NULL;
	src->d = d;
	snprintf(src->ip, sizeof(src->ip), "%s", ip);
	d->src[d->nsrc++] = src;
	s->tab[j] = src;
	s->nsources++;
	return src;
}

static void
count_day(struct source *src, long long begin, uint64_t n)
{
	long long day = begin >= 0 ? begin / 86400 : -1;
	size_t i;

	for (i = src->ndays; i > 0; i--)
		if (src->days[i - 1].day == day) {
			src->days[i - 1].n += n;
			return;
		}
	if (src->ndays >= MC_DMARC_MAX_DAYS)
		return;
	if ((src->ndays & (src->ndays - 1)) == 0 || src->ndays == 0) {
		size_t nc = src->ndays == 0 ? 1 : src->ndays * 2;
		struct day *nd = realloc(src->days, nc * sizeof(*nd));

		if (nd == NULL)
			return;
		src->days = nd;
	}
	src->days[src->ndays++] = (struct day){ .day = day, .n = n };
}

/* The period [begin, end] of d: found, added, or NULL (no memory, cap). */
static struct period *
find_period(struct domain *d, long long begin, long long end)
{
	size_t i;

	/* a report's records come together: look back */
	for (i = d->nper; i > 0; i--)
		if (d->per[i - 1].begin == begin && d->per[i - 1].end == end)
			return &d->per[i - 1];
	if (d->nper >= MC_DMARC_MAX_PERIODS ||
	    grow(&d->per, &d->percap, d->nper, sizeof(*d->per)) == -1)
		return NULL;
	d->per[d->nper] = (struct period){ .begin = begin, .end = end };
	return &d->per[d->nper++];
}

static int
reporter_index(struct domain *d, const char *org)
{
	size_t i;

	for (i = 0; i < d->nreporters; i++)
		if (strcmp(d->reporters[i], org) == 0)
			return (int)i;
	if (d->nreporters >= MC_DMARC_MAX_REPORTERS)
		return -1;
	d->reporters[d->nreporters] = strdup(org);
	if (d->reporters[d->nreporters] == NULL)
		return -1;
	return (int)d->nreporters++;
}

/* Is sub the domain d or below it? */
static int
at_or_below(const char *sub, const char *d)
{
	size_t sl = strlen(sub), dl = strlen(d);

	if (sl == dl)
		return strcmp(sub, d) == 0;
	return sl > dl && sub[sl - dl - 1] == '.' && strcmp(sub + sl - dl,
	    d) == 0;
}

static int
on_record(void *arg, const struct mc_dmarc_meta *m,
    const struct mc_dmarc_row *r)
{
	struct mc_dmarc_summary *s = arg;
	struct domain *d;
	struct source *src;
	struct period *per;
	uint64_t n = r->count;
	size_t i;
	int dk = 0, sp = 0, spf_dom_pass = 0, pass, di, ri;

	d = find_domain(s, m->domain[0] != '\0' ? m->domain : "(unknown)");
	if (d == NULL) {
		s->nomem = 1;
		return -1;
	}
	s->cur_msgs += n;
	d->records++;
	d->msgs += n;
	for (i = 0; i < r->ndkim && i < MC_DMARC_MAX_AUTH; i++)
		dk |= strcmp(r->dkim_auth[i].result, "pass") == 0;
	for (i = 0; i < r->nspf && i < MC_DMARC_MAX_AUTH; i++)
		if (strcmp(r->spf_auth[i].result, "pass") == 0) {
			sp = 1;
			spf_dom_pass |= at_or_below(r->spf_auth[i].domain,
			    d->name);
		}
	pass = strcmp(r->dkim, "pass") == 0 || strcmp(r->spf, "pass") == 0;
	if (strcmp(r->disposition, "none") == 0 ||
	    strcmp(r->disposition, "pass") == 0)
		di = D_NONE;
	else if (strcmp(r->disposition, "quarantine") == 0)
		di = D_QUARANTINE;
	else if (strcmp(r->disposition, "reject") == 0)
		di = D_REJECT;
	else
		di = D_OTHER;
	d->disp[di] += n;
	if (pass)
		d->pass += n;
	else
		d->fail += n;
	per = find_period(d, m->begin, m->end);
	if (per != NULL) {
		per->records++;
		per->msgs += n;
		if (pass)
			per->pass += n;
		else
			per->fail += n;
	}
	src = find_source(s, d, r->source_ip);
	if (src == NULL) {
		d->other_msgs += n;
		if (!pass)
			d->other_fail += n;
		return 0;
	}
	src->msgs += n;
	src->disp[di] += n;
	if (pass)
		src->pass += n;
	else
		src->fail += n;
	if (strcmp(r->spf, "pass") == 0)
		src->spf_aligned += n;
	if (strcmp(r->dkim, "pass") == 0)
		src->dkim_aligned += n;
	if (sp)
		src->spf_pass += n;
	if (dk)
		src->dkim_pass += n;
	if (spf_dom_pass || strcmp(r->spf, "pass") == 0)
		src->own = 1;
	ri = reporter_index(d, m->org_name);
	if (ri >= 0)
		src->reporters |= 1ULL << ri;
	count_day(src, m->begin, n);
	return 0;
}

/* v copied; NULL for NULL or "" (a field the report did not give) */
static char *
dup_or_null(const char *v)
{
	return v != NULL && *v != '\0' ? strdup(v) : NULL;
}

static void
on_done(void *arg, const char *name, const struct mc_dmarc_meta *m,
    uint64_t records, const char *error, int refused)
{
	struct mc_dmarc_summary *s = arg;
	struct domain *d;
	struct file *f;
	struct period *per;
	int ri;

	if (grow(&s->files, &s->filecap, s->nfiles, sizeof(*s->files)) ==
	    -1) {
		s->nomem = 1;
		return;
	}
	f = &s->files[s->nfiles++];
	*f = (struct file){
		.name = dup_or_null(name), .org = dup_or_null(m->org_name),
		.report_id = dup_or_null(m->report_id),
		.domain = dup_or_null(m->domain), .error = dup_or_null(error),
		.begin = m->begin, .end = m->end, .records = records,
		.msgs = s->cur_msgs, .refused = refused,
	};
	s->cur_msgs = 0;
	if (error != NULL || m->domain[0] == '\0')
		return;
	s->readable++;
	d = find_domain(s, m->domain);
	if (d == NULL) {
		s->nomem = 1;
		return;
	}
	d->reports++;
	ri = reporter_index(d, m->org_name);
	per = find_period(d, m->begin, m->end);
	if (per == NULL)
		d->other_periods++;
	else {
		per->reports++;
		if (ri >= 0)
			per->reporters |= 1ULL << ri;
	}
	snprintf(d->p, sizeof(d->p), "%s", m->p);
	if (m->begin >= 0 && (d->begin < 0 || m->begin < d->begin))
		d->begin = m->begin;
	if (m->end >= 0 && m->end > d->end)
		d->end = m->end;
}

void
mc_dmarc_summary_sink(struct mc_dmarc_summary *s, struct mc_dmarc_sink *out)
{
	*out = (struct mc_dmarc_sink){
		.arg = s, .record = on_record, .done = on_done,
	};
}

static int
by_volume(const void *a, const void *b)
{
	const struct source *x = *(struct source *const *)a;
	const struct source *y = *(struct source *const *)b;

	if (x->msgs != y->msgs)
		return x->msgs < y->msgs ? 1 : -1;
	return strcmp(x->ip, y->ip);
}

/* A PTR question for one source. */
struct ask {
	struct mc_dns_query q;
	struct source *src;
	char name[80];
};

static int
parse_ip(const char *ip, unsigned char *addr, size_t *len)
{
	if (inet_pton(AF_INET, ip, addr) == 1) {
		*len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, addr) == 1) {
		*len = 16;
		return 0;
	}
	return -1;
}

static int
resolve_ptr(struct mc_dmarc_summary *s, struct mc_dns_session *dns)
{
	struct ask *asks;
	struct mc_dns_query *qs;
	unsigned char addr[16];
	size_t i, j, n = 0, alen, total = 0;

	for (i = 0; i < s->ndom; i++)
		total += s->dom[i]->nsrc < MC_DMARC_MAX_PTR ?
		    s->dom[i]->nsrc : MC_DMARC_MAX_PTR;
	if (total == 0)
		return 0;
	asks = calloc(total, sizeof(*asks));
	qs = calloc(total, sizeof(*qs));
	if (asks == NULL || qs == NULL) {
		free(asks);
		free(qs);
		return -1;
	}
	for (i = 0; i < s->ndom; i++)
		for (j = 0; j < s->dom[i]->nsrc && j < MC_DMARC_MAX_PTR; j++) {
			struct source *src = s->dom[i]->src[j];

			if (parse_ip(src->ip, addr, &alen) == -1 ||
			    mc_reverse_name(addr, alen, alen == 4 ?
			    "in-addr.arpa" : "ip6.arpa", asks[n].name,
			    sizeof(asks[n].name)) == -1)
				continue;
			asks[n].src = src;
			qs[n] = (struct mc_dns_query){ .name = asks[n].name,
			    .type = MC_RR_PTR };
			n++;
		}
	/* all at once: the wall time is one round trip, not n */
	mc_dns_lookup_batch(dns, qs, n);
	for (i = 0; i < n; i++) {
		const struct mc_dns_answer *a = qs[i].ans;
		struct source *src = asks[i].src;

		src->ptr_status = a->status == MC_DNS_OK ? "ok" :
		    a->status == MC_DNS_TEMPFAIL ? "tempfail" :
		    a->status == MC_DNS_PERMFAIL ? "permfail" : "none";
		for (j = 0; j < a->count; j++)
			if (a->rr[j].type == MC_RR_PTR) {
				src->ptr = strdup(a->rr[j].data);
				break;
			}
		if (a->status == MC_DNS_OK && src->ptr == NULL)
			src->ptr_status = "none";
	}
	free(asks);
	free(qs);
	return 0;
}

/* check_host() for one failing source, on a worker of the pool. */
struct spf_job {
	struct mc_pool_job job;
	struct source *src;
	struct mc_dns_session *dns;
};

static void
spf_job_run(void *arg)
{
	struct spf_job *j = arg;
	struct mc_spf_request req = { .ip = j->src->ip,
	    .domain = j->src->d->name, .helo = j->src->d->name };
	struct mc_spf_outcome out;
	struct mc_arena *a;
	char err[256];

	a = mc_arena_new();
	if (a == NULL)
		return;
	if (mc_spf_check_host(j->dns, a, &req, &out, err, sizeof(err)) == 0) {
		j->src->spf_asked = 1;
		if (out.result == MC_SPF_PASS)
			j->src->own = 2;
		json_decref(out.trace);
	}
	mc_arena_free(a);
}

int
mc_dmarc_summary_resolve(struct mc_dmarc_summary *s,
    struct mc_dns_session *dns)
{
	struct spf_job *jobs;
	struct mc_pool *pool;
	size_t i, j, n = 0;

	for (i = 0; i < s->ndom; i++)
		qsort(s->dom[i]->src, s->dom[i]->nsrc, sizeof(*s->dom[i]->src),
		    by_volume);
	if (resolve_ptr(s, dns) == -1)
		return -1;
	jobs = calloc(MC_DMARC_MAX_SPF, sizeof(*jobs));
	pool = mc_pool_new(MC_DMARC_SPF_PARALLEL);
	if (jobs == NULL || pool == NULL) {
		free(jobs);
		mc_pool_free(pool);
		return -1;
	}
	/* the busiest failing sources not known to be the domain's own */
	for (i = 0; i < s->ndom; i++)
		for (j = 0; j < s->dom[i]->nsrc && n < MC_DMARC_MAX_SPF; j++) {
			struct source *src = s->dom[i]->src[j];

			if (src->fail == 0 || src->own)
				continue;
			jobs[n] = (struct spf_job){ .src = src, .dns = dns };
			jobs[n].job = (struct mc_pool_job){ .fn = spf_job_run,
			    .arg = &jobs[n] };
			if (mc_pool_submit(pool, &jobs[n].job) == -1)
				spf_job_run(&jobs[n]);
			n++;
		}
	mc_pool_free(pool);  /* waits for every job */
	free(jobs);
	return 0;
}

static void
add_flag(struct domain *d, enum mc_finding_id id, const char *subject,
    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
add_flag(struct domain *d, enum mc_finding_id id, const char *subject,
    const char *fmt, ...)
{
	struct flag *nf;
	va_list ap;
	char msg[512];

	nf = realloc(d->flags, (d->nflags + 1) * sizeof(*nf));
	if (nf == NULL)
		return;
	d->flags = nf;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->flags[d->nflags++] = (struct flag){ .id = id,
	    .subject = strdup(subject), .message = strdup(msg) };
}

static int
by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A jump: the busiest day of an own address over MC_DMARC_JUMP_MIN
 * messages and MC_DMARC_JUMP_FACTOR times the median of its other days.
 */
static void
find_jump(struct domain *d, struct source *src)
{
	uint64_t other[MC_DMARC_MAX_DAYS], med;
	size_t i, n = 0, top = 0;
	char when[32];
	time_t t;
	struct tm tm;

	if (src->ndays < 2)
		return;
	for (i = 1; i < src->ndays; i++)
		if (src->days[i].n > src->days[top].n)
			top = i;
	for (i = 0; i < src->ndays; i++)
		if (i != top)
			other[n++] = src->days[i].n;
	qsort(other, n, sizeof(other[0]), by_u64);
	med = other[n / 2];
	if (src->days[top].n < MC_DMARC_JUMP_MIN ||
	    src->days[top].n < MC_DMARC_JUMP_FACTOR * (med > 0 ? med : 1))
		return;
	t = (time_t)(src->days[top].day * 86400);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	add_flag(d, MC_F_DMARC_REPORT_OWN_VOLUME_JUMP, src->ip,
	    "%llu messages from the domain's own address on %s, %llu "
	    "times its usual %llu a day: a compromised account or server?",
	    (unsigned long long)src->days[top].n, when,
	    (unsigned long long)(src->days[top].n / (med > 0 ? med : 1)),
	    (unsigned long long)med);
}

static int
by_period(const void *a, const void *b)
{
	const struct period *x = a, *y = b;

	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

void
mc_dmarc_summary_judge(struct mc_dmarc_summary *s)
{
	uint64_t notyou, nsrc;
	size_t i, j;

	for (i = 0; i < s->ndom; i++) {
		struct domain *d = s->dom[i];

		qsort(d->src, d->nsrc, sizeof(*d->src), by_volume);
		qsort(d->per, d->nper, sizeof(*d->per), by_period);
		notyou = nsrc = 0;
		for (j = 0; j < d->nsrc; j++) {
			struct source *src = d->src[j];

			if (src->fail == 0)
				src->verdict = src->spf_aligned == 0 &&
				    src->own == 0 ? MC_DMARC_FORWARDER :
				    MC_DMARC_PASSES;
			else if (src->own)
				src->verdict = MC_DMARC_OWN_FAILING;
			else if (src->dkim_pass > 0)
				src->verdict = MC_DMARC_FORWARDER;
			else {
				src->verdict = MC_DMARC_NOT_YOU;
				notyou += src->fail;
				nsrc++;
			}
			if (src->verdict == MC_DMARC_OWN_FAILING)
				add_flag(d, MC_F_DMARC_REPORT_OWN_FAILING_DKIM,
				    src->ip, "%llu messages from the "
				    "domain's own address failed DMARC: its "
				    "DKIM signature is missing or does not "
				    "align", (unsigned long long)src->fail);
			if (src->own)
				find_jump(d, src);
		}
		notyou += d->other_fail;
		if (notyou >= MC_DMARC_BURST_MIN)
			add_flag(d, MC_F_DMARC_REPORT_NOT_YOU_BURST,
			    d->name, "%llu messages from %llu%s sources "
			    "that are not the domain's failed DMARC: someone "
			    "is sending in its name", (unsigned long long)notyou,
			    (unsigned long long)nsrc, d->other_fail > 0 ?
			    " or more" : "");
		if (d->other_msgs > 0)
			add_flag(d, MC_F_DMARC_REPORT_SOURCES_CAPPED,
			    d->name, "%llu messages from sources past the "
			    "first %d are counted, not listed",
			    (unsigned long long)d->other_msgs,
			    MC_DMARC_MAX_SOURCES);
	}
}

int
mc_dmarc_summary_exit(const struct mc_dmarc_summary *s)
{
	size_t i;

	if (s->readable == 0)
		return 3;
	for (i = 0; i < s->ndom; i++)
		if (s->dom[i]->fail > 0)
			return 1;
	return 0;
}

/* ---- rendering ---- */

static json_t *
jstr(const char *v)
{
	if (v == NULL)
		return json_null();
	return mc_json_dns_string(v, strlen(v));
}

static json_t *
jtime(long long t)
{
	return t >= 0 ? json_integer(t) : json_null();
}

static json_t *
disp_json(const uint64_t *disp)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < D_N && o != NULL; i++)
		json_object_set_new(o, disp_names[i], json_integer(
		    (json_int_t)disp[i]));
	return o;
}

static json_t *
reporters_json(const struct domain *d, uint64_t bits)
{
	json_t *rep = json_array();
	size_t i;

	for (i = 0; i < d->nreporters && rep != NULL; i++)
		if (bits & (1ULL << i))
			json_array_append_new(rep, jstr(d->reporters[i]));
	return rep;
}

static json_t *
source_json(const struct domain *d, const struct source *src)
{
	json_t *o, *rep;

	rep = reporters_json(d, src->reporters);
	o = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:o, s:o, s:b, s:s}",
	    "ip", jstr(src->ip), "ptr", jstr(src->ptr),
	    "ptr_status", src->ptr_status != NULL ?
	    json_string(src->ptr_status) : json_null(),
	    "messages", (json_int_t)src->msgs,
	    "dmarc_pass", (json_int_t)src->pass,
	    "dmarc_fail", (json_int_t)src->fail,
	    "spf_aligned_pass", (json_int_t)src->spf_aligned,
	    "dkim_aligned_pass", (json_int_t)src->dkim_aligned,
	    "spf_pass", (json_int_t)src->spf_pass,
	    "dkim_pass", (json_int_t)src->dkim_pass,
	    "disposition", disp_json(src->disp),
	    "reporters", rep, "own", src->own != 0,
	    "verdict", mc_dmarc_verdict_str(src->verdict));
	return o;
}

/* A writer of one JSON document in pieces; the first error sticks. */
struct jw {
	FILE *out;
	int err;
};

/*
 * Write o (consumed): whole, or with open set without its closing brace,
 * for members to follow.
 */
static void
jw_put(struct jw *w, json_t *o, int open)
{
	char *t;
	size_t n;

	t = o != NULL ? json_dumps(o, JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (t == NULL) {
		w->err = 1;
		return;
	}
	n = strlen(t);
	if (open && n > 0 && t[n - 1] == '}')
		n--;
	if (!w->err && fwrite(t, 1, n, w->out) != n)
		w->err = 1;
	free(t);
}

static void
jw_text(struct jw *w, const char *t)
{
	if (!w->err && fputs(t, w->out) == EOF)
		w->err = 1;
}

/* A finding of findings.def: code, severity, spec and hint from there. */
static json_t *
finding_json(enum mc_finding_id id, const char *subject, const char *message)
{
	const struct mc_finding_def *def = mc_finding_def(id);

	return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o}", "code", def->code,
	    "severity", mc_status_str(def->severity), "subject", jstr(subject),
	    "message", jstr(message), "spec", def->spec, "hint",
	    jstr(def->hint));
}

static json_t *
flags_json(const struct domain *d)
{
	json_t *flags = json_array();
	size_t i;

	for (i = 0; i < d->nflags && flags != NULL; i++)
		json_array_append_new(flags, finding_json(d->flags[i].id,
		    d->flags[i].subject, d->flags[i].message));
	return flags;
}

/* One row per report period (date_range), oldest first. */
static json_t *
periods_json(const struct domain *d)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < d->nper && a != NULL; i++) {
		const struct period *p = &d->per[i];

		json_array_append_new(a, json_pack("{s:o, s:o, s:I, s:o, s:I, "
		    "s:I, s:I, s:I}",
		    "begin", jtime(p->begin), "end", jtime(p->end),
		    "reports", (json_int_t)p->reports,
		    "reporters", reporters_json(d, p->reporters),
		    "records", (json_int_t)p->records,
		    "messages", (json_int_t)p->msgs,
		    "passed", (json_int_t)p->pass,
		    "failed", (json_int_t)p->fail));
	}
	return a;
}

/* A domain: its head as an open object, then its sources one by one. */
static void
domain_write(struct jw *w, const struct domain *d)
{
	json_t *rep;
	size_t i;

	rep = json_array();
	for (i = 0; i < d->nreporters && rep != NULL; i++)
		json_array_append_new(rep, jstr(d->reporters[i]));
	jw_put(w, json_pack("{s:o, s:o, s:o, s:I, s:o, s:I, s:o, s:o, s:{s:I, "
	    "s:I, s:I, s:I, s:I, s:o, s:I}, s:o}",
	    "domain", jstr(d->name), "begin", jtime(d->begin),
	    "end", jtime(d->end), "reports", (json_int_t)d->reports,
	    "periods", periods_json(d),
	    "other_periods_reports", (json_int_t)d->other_periods,
	    "reporters", rep, "policy", jstr(d->p),
	    "totals", "records", (json_int_t)d->records,
	    "messages", (json_int_t)d->msgs, "passed", (json_int_t)d->pass,
	    "failed", (json_int_t)d->fail, "sources", (json_int_t)d->nsrc,
	    "disposition", disp_json(d->disp),
	    "other_sources_messages", (json_int_t)d->other_msgs,
	    "flags", flags_json(d)), 1);
	jw_text(w, ",\n   \"sources\": [");
	for (i = 0; i < d->nsrc; i++) {
		jw_text(w, i > 0 ? ",\n    " : "\n    ");
		jw_put(w, source_json(d, d->src[i]), 0);
	}
	jw_text(w, d->nsrc > 0 ? "\n   ]}" : "]}");
}

int
mc_dmarc_summary_write_json(const struct mc_dmarc_summary *s, FILE *out)
{
	struct jw w = { .out = out };
	uint64_t rec = 0, msgs = 0, pass = 0, fail = 0;
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		rec += s->files[i].records;
	for (i = 0; i < s->ndom; i++) {
		msgs += s->dom[i]->msgs;
		pass += s->dom[i]->pass;
		fail += s->dom[i]->fail;
	}
	jw_put(&w, json_pack("{s:i, s:s, s:s, s:i, s:{s:I, s:I, s:I, s:I, "
	    "s:I, s:I}}",
	    "schema_version", 1, "mailcheck_version", MC_VERSION,
	    "command", "dmarc-report", "exit_code", mc_dmarc_summary_exit(s),
	    "totals", "reports", (json_int_t)s->nfiles,
	    "unreadable", (json_int_t)(s->nfiles - s->readable),
	    "records", (json_int_t)rec, "messages", (json_int_t)msgs,
	    "passed", (json_int_t)pass, "failed", (json_int_t)fail), 1);
	jw_text(&w, ",\n \"files\": [");
	for (i = 0; i < s->nfiles; i++) {
		const struct file *f = &s->files[i];

		jw_text(&w, i > 0 ? ",\n  " : "\n  ");
		jw_put(&w, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, "
		    "s:o, s:b, s:o}",
		    "name", jstr(f->name), "org_name", jstr(f->org),
		    "report_id", jstr(f->report_id), "domain", jstr(f->domain),
		    "begin", jtime(f->begin), "end", jtime(f->end),
		    "records", (json_int_t)f->records,
		    "messages", (json_int_t)f->msgs,
		    "error", jstr(f->error), "refused", f->refused,
		    "finding", f->refused ? finding_json(
		    MC_F_DMARC_REPORT_ENTITY_REFUSED, f->name, f->error) :
		    json_null()), 0);
	}
	jw_text(&w, s->nfiles > 0 ? "\n ],\n \"domains\": [" :
	    "],\n \"domains\": [");
	for (i = 0; i < s->ndom; i++) {
		jw_text(&w, i > 0 ? ",\n  " : "\n  ");
		domain_write(&w, s->dom[i]);
	}
	jw_text(&w, s->ndom > 0 ? "\n ]}\n" : "]}\n");
	return w.err ? -1 : 0;
}

static void
put(FILE *out, const char *v)
{
	mc_escape_fputs(out, v, strlen(v));
}

static void
put_time(FILE *out, long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm) == 0)
		fputs("?", out);
	else
		fputs(buf, out);
}

static const char *
pf(uint64_t yes, uint64_t all)
{
	return yes == all ? "pass" : yes == 0 ? "fail" : "mixed";
}

/* The PTR column: the name, "-" for none, else why there is none. */
static const char *
ptr_text(const struct source *src)
{
	if (src->ptr != NULL)
		return src->ptr;
	if (src->ptr_status == NULL)
		return "(not asked)";
	if (strcmp(src->ptr_status, "tempfail") == 0)
		return "(tempfail)";
	if (strcmp(src->ptr_status, "permfail") == 0)
		return "(permfail)";
	return "-";
}

/* "period BEGIN - END UTC: N reports (who), M messages: P passed, F failed" */
static void
period_text(const struct domain *d, const struct period *p, FILE *out)
{
	size_t i;
	int first = 1;

	fputs("  period ", out);
	put_time(out, p->begin);
	fputs(" - ", out);
	put_time(out, p->end);
	fprintf(out, " UTC: %llu report%s (", (unsigned long long)p->reports,
	    p->reports == 1 ? "" : "s");
	for (i = 0; i < d->nreporters; i++)
		if (p->reporters & (1ULL << i)) {
			fputs(first ? "" : ", ", out);
			put(out, d->reporters[i][0] != '\0' ? d->reporters[i] :
			    "?");
			first = 0;
		}
	fprintf(out, "), %llu messages: %llu passed, %llu failed\n",
	    (unsigned long long)p->msgs, (unsigned long long)p->pass,
	    (unsigned long long)p->fail);
}

static void
domain_text(const struct domain *d, FILE *out)
{
	size_t i, j;

	fputs("domain ", out);
	put(out, d->name);
	fputs("  ", out);
	put_time(out, d->begin);
	fputs(" - ", out);
	put_time(out, d->end);
	fprintf(out, " UTC  policy p=");
	put(out, d->p[0] != '\0' ? d->p : "?");
	fprintf(out, "\n  %llu report%s from: ", (unsigned long long)d->reports,
	    d->reports == 1 ? "" : "s");
	for (i = 0; i < d->nreporters; i++) {
		fputs(i > 0 ? ", " : "", out);
		put(out, d->reporters[i][0] != '\0' ? d->reporters[i] : "?");
	}
	fputc('\n', out);
	for (i = 0; i < d->nper && i < MC_DMARC_TEXT_PERIODS; i++)
		period_text(d, &d->per[i], out);
	if (d->nper > MC_DMARC_TEXT_PERIODS)
		fprintf(out, "  ... %zu more periods (see --format json)\n",
		    d->nper - MC_DMARC_TEXT_PERIODS);
	if (d->other_periods > 0)
		fprintf(out, "  ... %llu reports of periods past the first %d "
		    "(counted in the totals)\n",
		    (unsigned long long)d->other_periods, MC_DMARC_MAX_PERIODS);
	fprintf(out, "  %-39s %-30s %9s %-5s %-5s %-5s %-10s %s\n", "source",
	    "ptr", "messages", "dmarc", "spf", "dkim", "applied", "verdict");
	for (i = 0; i < d->nsrc && i < MC_DMARC_TEXT_SOURCES; i++) {
		const struct source *src = d->src[i];
		const char *applied = "none";
		char *p;

		for (j = 1; j < D_N; j++)
			if (src->disp[j] > 0)
				applied = disp_names[j];
		p = mc_escape_dup(ptr_text(src), strlen(ptr_text(src)));
		fprintf(out, "  %-39s %-30s %9llu %-5s %-5s %-5s %-10s %s\n",
		    src->ip, p != NULL ? p : "?",
		    (unsigned long long)src->msgs, pf(src->pass, src->msgs),
		    pf(src->spf_aligned, src->msgs),
		    pf(src->dkim_aligned, src->msgs), applied,
		    mc_dmarc_verdict_str(src->verdict));
		free(p);
	}
	if (d->nsrc > MC_DMARC_TEXT_SOURCES)
		fprintf(out, "  ... %zu more sources (see --format json)\n",
		    d->nsrc - MC_DMARC_TEXT_SOURCES);
	fprintf(out, "  totals: %llu messages in %llu records from %zu "
	    "sources: %llu passed DMARC, %llu failed; %llu delivered, %llu "
	    "quarantined, %llu rejected\n", (unsigned long long)d->msgs,
	    (unsigned long long)d->records, d->nsrc,
	    (unsigned long long)d->pass, (unsigned long long)d->fail,
	    (unsigned long long)(d->disp[D_NONE] + d->disp[D_OTHER]),
	    (unsigned long long)d->disp[D_QUARANTINE],
	    (unsigned long long)d->disp[D_REJECT]);
	for (i = 0; i < d->nflags; i++) {
		const struct mc_finding_def *def =
		    mc_finding_def(d->flags[i].id);

		fprintf(out, "  %s: %s ", mc_status_str(def->severity),
		    def->code);
		put(out, d->flags[i].subject);
		fputs(": ", out);
		put(out, d->flags[i].message);
		fputc('\n', out);
		if (def->hint != NULL)
			fprintf(out, "    fix: %s\n", def->hint);
	}
}

void
mc_dmarc_summary_text(const struct mc_dmarc_summary *s, FILE *out)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		const struct mc_finding_def *def =
		    mc_finding_def(MC_F_DMARC_REPORT_ENTITY_REFUSED);

		if (s->files[i].error == NULL)
			continue;
		if (s->files[i].refused)
			fprintf(out, "%s: %s ", mc_status_str(def->severity),
			    def->code);
		else
			fputs("unreadable: ", out);
		put(out, s->files[i].name != NULL ? s->files[i].name : "?");
		fputs(": ", out);
		put(out, s->files[i].error);
		fputc('\n', out);
		if (s->files[i].refused)
			fprintf(out, "  fix: %s\n", def->hint);
	}
	for (i = 0; i < s->ndom; i++) {
		if (i > 0 || s->nfiles > s->readable)
			fputc('\n', out);
		domain_text(s->dom[i], out);
	}
	fprintf(out, "%s%zu report%s read, %zu unreadable\n",
	    s->ndom > 0 ? "\n" : "", s->readable, s->readable == 1 ? "" : "s",
	    s->nfiles - s->readable);
}
