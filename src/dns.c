/* SPDX-License-Identifier: ISC */
/*
 * src/dns.c - the DNS cache with in-flight de-duplication, and answers
 *
 * A question is an entry in a hash table keyed by (name, type).  The thread
 * that creates the entry asks the backend; any other thread asking the same
 * question meanwhile waits on the condition variable until the answer is
 * stored.  Answers never change once stored.
 *
 * Bulk runs bound the cache with sessions (see dns.h): each entry carries
 * the highest session id that used it, and closing a session evicts, when
 * the cache is over its limit, the answered entries older than every open
 * session.  In-flight entries (ans NULL) are never evicted, and a waiter
 * stamps its entry before waiting, so no waiter loses its answer.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "banned.h"

#define CACHE_BUCKETS 4096
#define STAMP_PERMANENT UINT64_MAX

struct entry {
	struct entry *next;
	char *name;
	uint16_t type;
	struct mc_dns_answer *ans; /* NULL while the question is in flight */
	uint64_t stamp;            /* highest session that used it */
	uint64_t born;             /* sessions from this id on began after
	                              the answer was stored */
	int stale;                 /* failed by a session's deadline */
};

static size_t hash(const char *name, uint16_t type);

/* The session of the calling thread, and its deadline. */
static _Thread_local uint64_t tl_session;
static _Thread_local double tl_deadline;

struct mc_dns {
	const struct mc_dns_backend *be;
	void *state;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry *buckets[CACHE_BUCKETS];
	double deadline;
	size_t sent;
	size_t nentries;         /* in the buckets */
	size_t limit;            /* 0: keep everything */
	size_t sweep_at;         /* sweep when nentries passes this */
	struct entry *graveyard; /* unlinked stale entries, maybe still read */
	size_t ngrave;           /* in the graveyard */
	uint64_t next_session;
	uint64_t *open;          /* open sessions */
	size_t nopen, openmax;
};

static char nomem_why[] = "out of memory";
static char empty_name[] = "";
static const struct mc_dns_answer nomem_answer = {
	.status = MC_DNS_TEMPFAIL, .rcode = -1, .qname = empty_name,
	.why = nomem_why,
};
static char deadline_why[] = "deadline reached";
static const struct mc_dns_answer deadline_answer = {
	.status = MC_DNS_TEMPFAIL, .rcode = -1, .qname = empty_name,
	.why = deadline_why,
};
static char badname_why[] = "not a valid domain name";
static const struct mc_dns_answer badname_answer = {
	.status = MC_DNS_PERMFAIL, .rcode = -1, .qname = empty_name,
	.why = badname_why,
};

double
mc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *
mc_dns_status_str(enum mc_dns_status s)
{
	switch (s) {
	case MC_DNS_OK:
		return "ok";
	case MC_DNS_NODATA:
		return "nodata";
	case MC_DNS_NXDOMAIN:
		return "nxdomain";
	case MC_DNS_TEMPFAIL:
		return "tempfail";
	case MC_DNS_PERMFAIL:
		return "permfail";
	}
	return "?";
}

static const struct {
	uint16_t type;
	const char *name;
} rr_types[] = {
	{ MC_RR_A, "A" }, { MC_RR_NS, "NS" }, { MC_RR_CNAME, "CNAME" },
	{ MC_RR_SOA, "SOA" }, { MC_RR_PTR, "PTR" }, { MC_RR_MX, "MX" },
	{ MC_RR_TXT, "TXT" }, { MC_RR_AAAA, "AAAA" }, { MC_RR_SPF, "SPF" },
	{ MC_RR_TLSA, "TLSA" },
};

const char *
mc_rr_type_str(uint16_t type, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(rr_types) / sizeof(rr_types[0]); i++)
		if (rr_types[i].type == type)
			return rr_types[i].name;
	snprintf(buf, size, "TYPE%u", (unsigned)type);
	return buf;
}

uint16_t
mc_rr_type_from_str(const char *s)
{
	size_t i;
	unsigned long v;
	char *end;

	for (i = 0; i < sizeof(rr_types) / sizeof(rr_types[0]); i++)
		if (strcasecmp(rr_types[i].name, s) == 0)
			return rr_types[i].type;
	if (strncasecmp(s, "TYPE", 4) == 0 && isdigit((unsigned char)s[4])) {
		v = strtoul(s + 4, &end, 10);
		if (*end == '\0' && v > 0 && v <= 65535)
			return (uint16_t)v;
	}
	return 0;
}

int
mc_dns_name_canon(const char *name, char *buf, size_t size)
{
	size_t len, i;

	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len >= size || len > MC_DNS_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[len] = '\0';
	return 0;
}

char *
mc_txt_join(const unsigned char *rdata, size_t rdlen, size_t *len,
    size_t *nstrings, size_t *longest)
{
	size_t i, n, out, count, max;
	char *buf;

	buf = malloc(rdlen + 1);
	if (buf == NULL)
		return NULL;
	out = count = max = 0;
	for (i = 0; i < rdlen; i += n) {
		n = rdata[i++];
		if (n > rdlen - i) {
			free(buf);
			return NULL;
		}
		memcpy(buf + out, rdata + i, n);
		out += n;
		count++;
		if (n > max)
			max = n;
	}
	buf[out] = '\0';
	*len = out;
	*nstrings = count;
	*longest = max;
	return buf;
}

struct mc_dns_answer *
mc_answer_new(const char *qname, uint16_t qtype)
{
	struct mc_dns_answer *a;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->qname = strdup(qname);
	if (a->qname == NULL) {
		free(a);
		return NULL;
	}
	a->qtype = qtype;
	a->status = MC_DNS_NODATA;
	return a;
}

void
mc_answer_free(struct mc_dns_answer *a)
{
	size_t i;

	if (a == NULL || a == &nomem_answer || a == &badname_answer ||
	    a == &deadline_answer)
		return;
	for (i = 0; i < a->count; i++)
		free(a->rr[i].data);
	free(a->rr);
	free(a->qname);
	free(a->cname);
	free(a->why);
	free(a);
}

int
mc_answer_add(struct mc_dns_answer *a, const struct mc_rr *rr)
{
	struct mc_rr *n;
	char *data;

	if (a->count >= MC_DNS_MAX_RRS)
		return -1;
	data = malloc(rr->len + 1);
	if (data == NULL)
		return -1;
	memcpy(data, rr->data, rr->len);
	data[rr->len] = '\0';
	n = realloc(a->rr, (a->count + 1) * sizeof(*n));
	if (n == NULL) {
		free(data);
		return -1;
	}
	a->rr = n;
	a->rr[a->count] = *rr;
	a->rr[a->count].data = data;
	a->count++;
	return 0;
}

int
mc_answer_set_cname(struct mc_dns_answer *a, const char *cname)
{
	char *c;

	c = strdup(cname);
	if (c == NULL)
		return -1;
	free(a->cname);
	a->cname = c;
	return 0;
}

void
mc_answer_fail(struct mc_dns_answer *a, enum mc_dns_status status, int rcode,
    const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->status = status;
	a->rcode = rcode;
	free(a->why);
	a->why = strdup(buf);
}

void
mc_answer_finish(struct mc_dns_answer *a)
{
	if (a->count > 0)
		a->status = MC_DNS_OK;
}

struct mc_dns *
mc_dns_new(const struct mc_dns_config *cfg, double deadline, char *err,
    size_t errsize)
{
	pthread_condattr_t ca;
	struct mc_dns *dns;

	dns = calloc(1, sizeof(*dns));
	if (dns == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (cfg->nzone_files > 0) {
		dns->be = &mc_dns_backend_zone;
		dns->state = mc_dns_zone_open(cfg->zone_files, cfg->nzone_files,
		    err, errsize);
	} else {
		dns->be = &mc_dns_backend_net;
		dns->state = mc_dns_net_open(cfg, err, errsize);
	}
	if (dns->state == NULL) {
		free(dns);
		return NULL;
	}
	pthread_mutex_init(&dns->mu, NULL);
	/* waiters time out by mc_now() deadlines: the same clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&dns->cv, &ca);
	pthread_condattr_destroy(&ca);
	dns->deadline = deadline;
	dns->next_session = 1;
	return dns;
}

void
mc_dns_free(struct mc_dns *dns)
{
	struct entry *e, *next;
	size_t i;

	if (dns == NULL)
		return;
	for (i = 0; i < CACHE_BUCKETS; i++) {
		for (e = dns->buckets[i]; e != NULL; e = next) {
			next = e->next;
			mc_answer_free(e->ans);
			free(e->name);
			free(e);
		}
	}
	for (e = dns->graveyard; e != NULL; e = next) {
		next = e->next;
		mc_answer_free(e->ans);
		free(e->name);
		free(e);
	}
	free(dns->open);
	dns->be->free(dns->state);
	pthread_mutex_destroy(&dns->mu);
	pthread_cond_destroy(&dns->cv);
	free(dns);
}

void
mc_dns_set_deadline(struct mc_dns *dns, double deadline)
{
	pthread_mutex_lock(&dns->mu);
	dns->deadline = deadline;
	pthread_mutex_unlock(&dns->mu);
}

const char *
mc_dns_backend_name(const struct mc_dns *dns)
{
	return dns->be->name;
}

size_t
mc_dns_queries_sent(struct mc_dns *dns)
{
	size_t n;

	pthread_mutex_lock(&dns->mu);
	n = dns->sent;
	pthread_mutex_unlock(&dns->mu);
	return n;
}

void
mc_dns_session_enter(uint64_t session, double deadline)
{
	tl_session = session;
	tl_deadline = deadline;
}

uint64_t
mc_dns_session_begin(struct mc_dns *dns)
{
	uint64_t id = 0, *n;

	pthread_mutex_lock(&dns->mu);
	if (dns->nopen == dns->openmax) {
		n = realloc(dns->open, (dns->openmax * 2 + 8) * sizeof(*n));
		if (n == NULL)
			goto out;
		dns->open = n;
		dns->openmax = dns->openmax * 2 + 8;
	}
	id = dns->next_session++;
	dns->open[dns->nopen++] = id;
out:
	pthread_mutex_unlock(&dns->mu);
	/* 0 (no memory) works too: its entries are never evicted */
	return id;
}

static void
entry_free(struct entry *e)
{
	mc_answer_free(e->ans);
	free(e->name);
	free(e);
}

/* Evict answered entries no open session used.  Caller holds the lock. */
static void
evict(struct mc_dns *dns)
{
	struct entry **pp, *e;
	uint64_t oldest = dns->next_session;
	size_t i;

	for (i = 0; i < dns->nopen; i++)
		if (dns->open[i] < oldest)
			oldest = dns->open[i];
	for (i = 0; i < CACHE_BUCKETS; i++) {
		for (pp = &dns->buckets[i]; (e = *pp) != NULL;) {
			if (e->ans != NULL && e->stamp < oldest) {
				*pp = e->next;
				entry_free(e);
				dns->nentries--;
			} else
				pp = &e->next;
		}
	}
	for (pp = &dns->graveyard; (e = *pp) != NULL;) {
		if (e->stamp < oldest) {
			*pp = e->next;
			entry_free(e);
			dns->ngrave--;
		} else
			pp = &e->next;
	}
}

void
mc_dns_session_end(struct mc_dns *dns, uint64_t session)
{
	size_t i;

	if (session == 0)
		return;
	pthread_mutex_lock(&dns->mu);
	for (i = 0; i < dns->nopen; i++) {
		if (dns->open[i] == session) {
			dns->open[i] = dns->open[--dns->nopen];
			break;
		}
	}
	/*
	 * Sweep when over the limit (buried entries count: they hold memory
	 * too), then not again until another half limit has been added: an old session still open can pin entries, and
	 * sweeping after every session would cost O(entries) each time.
	 */
	if (dns->limit > 0 && dns->nentries + dns->ngrave > dns->limit &&
	    dns->nentries + dns->ngrave >= dns->sweep_at) {
		evict(dns);
		dns->sweep_at = dns->nentries + dns->ngrave + dns->limit / 2;
	}
	pthread_mutex_unlock(&dns->mu);
}

void
mc_dns_set_cache_limit(struct mc_dns *dns, size_t max)
{
	pthread_mutex_lock(&dns->mu);
	dns->limit = max;
	pthread_mutex_unlock(&dns->mu);
}

size_t
mc_dns_cache_entries(struct mc_dns *dns)
{
	size_t n;

	pthread_mutex_lock(&dns->mu);
	n = dns->nentries + dns->ngrave;
	pthread_mutex_unlock(&dns->mu);
	return n;
}

/* Stamp e as used by this thread's session.  Caller holds the lock. */
static void
stamp(struct entry *e)
{
	uint64_t s = tl_session != 0 ? tl_session : STAMP_PERMANENT;

	if (s > e->stamp)
		e->stamp = s;
}

/* Unlink e from its bucket into the graveyard.  Caller holds the lock. */
static void
bury(struct mc_dns *dns, struct entry *e)
{
	struct entry **pp;

	for (pp = &dns->buckets[hash(e->name, e->type)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			e->next = dns->graveyard;
			dns->graveyard = e;
			dns->nentries--;
			dns->ngrave++;
			return;
		}
	}
}

static size_t
hash(const char *name, uint16_t type)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	h = (h ^ type) * 16777619u;
	return h % CACHE_BUCKETS;
}

/* Caller holds the lock. */
static struct entry *
find(struct mc_dns *dns, const char *name, uint16_t type)
{
	struct entry *e;

	for (e = dns->buckets[hash(name, type)]; e != NULL; e = e->next)
		if (e->type == type && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/*
 * Is a stored answer not to be served to this thread?  A failure caused
 * by another session's deadline is not ours; a TEMPFAIL stored before
 * this thread's session began is asked again, so that one timeout does
 * not stick to every later domain of a bulk run.  Caller holds the lock.
 */
static int
must_ask_again(const struct entry *e, double deadline)
{
	if (e->ans == NULL)
		return 0;
	if (e->stale && (deadline == 0 || mc_now() < deadline))
		return 1;
	return e->ans->status == MC_DNS_TEMPFAIL && tl_session != 0 &&
	    tl_session >= e->born;
}

/*
 * Wait for a broadcast, but not past deadline (0: none).  Returns -1 once
 * the deadline has passed.  Caller holds the lock.
 */
static int
wait_until(struct mc_dns *dns, double deadline)
{
	struct timespec ts;
	double now;

	if (deadline == 0) {
		pthread_cond_wait(&dns->cv, &dns->mu);
		return 0;
	}
	now = mc_now();
	if (now >= deadline)
		return -1;
	ts.tv_sec = (time_t)deadline;
	ts.tv_nsec = (long)((deadline - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	pthread_cond_timedwait(&dns->cv, &dns->mu, &ts);
	return 0;
}

/* The entry this batch claimed for (name, type). */
static struct entry *
ent_of(struct entry **ent, size_t n, const char *name, uint16_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ent[i] != NULL && ent[i]->type == type &&
		    ent[i]->name == name)
			return ent[i];
	return NULL;
}

void
mc_dns_lookup_batch(struct mc_dns *dns, struct mc_dns_query *q, size_t n)
{
	struct mc_dns_request *req;
	struct mc_dns_query *again = NULL;
	struct entry **ent, *e;
	char name[MC_DNS_NAME_MAX + 2];
	size_t i, j, nreq, nagain = 0;
	double deadline;

	if (n == 0)
		return;
	req = calloc(n, sizeof(*req));
	ent = calloc(n, sizeof(*ent));
	if (req == NULL || ent == NULL) {
		for (i = 0; i < n; i++)
			q[i].ans = &nomem_answer;
		goto out;
	}

	/* Claim the questions nobody has asked yet. */
	nreq = 0;
	pthread_mutex_lock(&dns->mu);
	deadline = dns->deadline;
	if (tl_deadline > 0 && (deadline == 0 || tl_deadline < deadline))
		deadline = tl_deadline;
	for (i = 0; i < n; i++) {
		q[i].ans = NULL;
		if (mc_dns_name_canon(q[i].name, name, sizeof(name)) == -1) {
			q[i].ans = &badname_answer;
			continue;
		}
		e = find(dns, name, q[i].type);
		if (e != NULL && must_ask_again(e, deadline)) {
			bury(dns, e);
			e = NULL;
		}
		if (e == NULL) {
			e = calloc(1, sizeof(*e));
			if (e == NULL || (e->name = strdup(name)) == NULL) {
				free(e);
				q[i].ans = &nomem_answer;
				continue;
			}
			e->type = q[i].type;
			e->next = dns->buckets[hash(name, q[i].type)];
			dns->buckets[hash(name, q[i].type)] = e;
			dns->nentries++;
			req[nreq].name = e->name;
			req[nreq].type = e->type;
			nreq++;
		}
		stamp(e);
		ent[i] = e;
	}
	dns->sent += nreq;
	pthread_mutex_unlock(&dns->mu);

	if (nreq > 0) {
		if (deadline > 0 && mc_now() >= deadline) {
			for (i = 0; i < nreq; i++) {
				req[i].ans = mc_answer_new(req[i].name, req[i].type);
				if (req[i].ans != NULL)
					mc_answer_fail(req[i].ans, MC_DNS_TEMPFAIL,
					    -1, "deadline reached");
			}
		} else
			dns->be->resolve(dns->state, req, nreq, deadline);
	}

	pthread_mutex_lock(&dns->mu);
	for (i = 0; i < nreq; i++) {
		e = ent_of(ent, n, req[i].name, req[i].type);
		e->ans = req[i].ans != NULL ? req[i].ans :
		    (struct mc_dns_answer *)(uintptr_t)&nomem_answer;
		e->stale = e->ans->why != NULL &&
		    strcmp(e->ans->why, "deadline reached") == 0;
		e->born = dns->next_session;
	}
	if (nreq > 0)
		pthread_cond_broadcast(&dns->cv);
	/*
	 * Another session's question is waited for until this thread's own
	 * deadline only, and a failure its deadline caused is asked again.
	 */
	for (i = 0; i < n; i++) {
		if (q[i].ans != NULL)
			continue;
		while (ent[i]->ans == NULL && wait_until(dns, deadline) == 0)
			;
		if (ent[i]->ans == NULL)
			q[i].ans = &deadline_answer;
		else if (must_ask_again(ent[i], deadline) && ent[i]->stale)
			nagain++;
		else
			q[i].ans = ent[i]->ans;
	}
	pthread_mutex_unlock(&dns->mu);
	if (nagain > 0) {
		again = calloc(nagain, sizeof(*again));
		for (i = j = 0; i < n && again != NULL; i++)
			if (q[i].ans == NULL)
				again[j++] = (struct mc_dns_query){
					.name = q[i].name, .type = q[i].type };
		if (again != NULL)
			mc_dns_lookup_batch(dns, again, nagain);
		for (i = j = 0; i < n; i++)
			if (q[i].ans == NULL)
				q[i].ans = again != NULL ? again[j++].ans :
				    &nomem_answer;
	}
out:
	free(again);
	free(req);
	free(ent);
}

const struct mc_dns_answer *
mc_dns_lookup(struct mc_dns *dns, const char *name, uint16_t type)
{
	struct mc_dns_query q = { .name = name, .type = type };

	mc_dns_lookup_batch(dns, &q, 1);
	return q.ans;
}
