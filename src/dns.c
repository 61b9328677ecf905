/* SPDX-License-Identifier: ISC */
/*
 * src/dns.c - the DNS cache with in-flight de-duplication, and sessions
 *
 * A question is an entry in a hash table keyed by (name, type).  The thread
 * that creates the entry hands its request to the backend; any other thread
 * asking the same question meanwhile waits on the condition variable.  The
 * backend hands each answer back the moment it has it (cache_done()), which
 * stores it and wakes every waiter: no answer waits for the rest of its
 * batch.  Answers never change once stored.
 *
 * A session (see dns.h) is one run: it carries the run's deadline, which
 * bounds every question asked through it and every wait on another
 * session's question.  A waiter whose deadline passes gets an answer of its
 * own, with its own name and type, owned by its session (freed when the
 * session ends).
 *
 * Bulk runs bound the cache with sessions: each entry carries the highest
 * session id that used it, and ending a session evicts, when the cache is
 * over its limit, the answered entries older than every open session.
 * In-flight entries (ans NULL) are never evicted, and a waiter stamps its
 * entry before waiting, so no waiter loses its answer.
 *
 * The backend is the first of backends[] that takes the configuration;
 * dns.c calls the backends and the answer vocabulary (dns_answer.c), and
 * neither calls back into dns.c but through the request's done pointer.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "banned.h"

#define CACHE_BUCKETS 4096

static const struct mc_dns_backend *const backends[] = {
	&mc_dns_backend_overlay, /* zone files and a resolver: first */
	&mc_dns_backend_zone,
	&mc_dns_backend_net, /* takes every configuration: last */
	NULL,
};

struct mc_dns;

#define DNS_WAIT_CVS 32

struct entry {
	struct entry *next;
	struct mc_dns *dns;
	struct mc_dns_request req; /* while the question is in flight */
	char *name;
	uint16_t type;
	struct mc_dns_answer *ans; /* NULL while the question is in flight */
	uint64_t stamp;            /* highest session that used it */
	uint64_t born;             /* sessions from this id on began after
	                              the answer was stored */
	int stale;                 /* failed by a session's deadline */
	int waiters;               /* sessions waiting for the answer */
	double deadline;           /* of the session that asked (0: none) */
};

/* An answer made for one session alone (a deadline, a bad name). */
struct owned {
	struct owned *next;
	struct mc_dns_answer *ans;
};

struct mc_dns_session {
	struct mc_dns *dns;
	uint64_t id;
	double deadline;
	struct owned *own; /* under dns->mu */
	/* the overlay's record of the answers given (under dns->mu) */
	const struct mc_dns_answer **seen;
	size_t nseen, seenmax;
};

struct mc_dns {
	const struct mc_dns_backend *be;
	void *state;
	int record;              /* sessions record their answers */
	pthread_mutex_t mu;
	/* waiters for an entry wait on cv[entry_cv(e)]: an answer wakes the
	   threads waiting for it (and a few others), not every waiter */
	pthread_cond_t cv[DNS_WAIT_CVS];
	struct entry *buckets[CACHE_BUCKETS];
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

/* The one answer shared by all: memory ran out, nothing else can be said. */
static char nomem_why[] = "out of memory";
static char empty_name[] = "";
static struct mc_dns_answer nomem_answer = {
	.status = MC_DNS_TEMPFAIL, .rcode = -1, .qname = empty_name,
	.why = nomem_why,
};

static void
answer_free(struct mc_dns_answer *a)
{
	if (a != &nomem_answer)
		mc_answer_free(a);
}

struct mc_dns *
mc_dns_new(const struct mc_dns_config *cfg, char *err, size_t errsize)
{
	pthread_condattr_t ca;
	struct mc_dns *dns;
	size_t i;

	dns = calloc(1, sizeof(*dns));
	if (dns == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	for (i = 0; backends[i] != NULL && !backends[i]->use(cfg); i++)
		;
	dns->be = backends[i];
	dns->record = dns->be == &mc_dns_backend_overlay;
	dns->state = dns->be->open(cfg, err, errsize);
	if (dns->state == NULL) {
		free(dns);
		return NULL;
	}
	pthread_mutex_init(&dns->mu, NULL);
	/* waiters time out by mc_now() deadlines: the same clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (i = 0; i < DNS_WAIT_CVS; i++)
		pthread_cond_init(&dns->cv[i], &ca);
	pthread_condattr_destroy(&ca);
	dns->next_session = 1;
	return dns;
}

static void
entry_free(struct entry *e)
{
	answer_free(e->ans);
	free(e->name);
	free(e);
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
			entry_free(e);
		}
	}
	for (e = dns->graveyard; e != NULL; e = next) {
		next = e->next;
		entry_free(e);
	}
	free(dns->open);
	dns->be->free(dns->state);
	pthread_mutex_destroy(&dns->mu);
	for (i = 0; i < DNS_WAIT_CVS; i++)
		pthread_cond_destroy(&dns->cv[i]);
	free(dns);
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

struct mc_dns_session *
mc_dns_session_begin(struct mc_dns *dns, double deadline)
{
	struct mc_dns_session *s;
	uint64_t *n;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->dns = dns;
	s->deadline = deadline;
	pthread_mutex_lock(&dns->mu);
	if (dns->nopen == dns->openmax) {
		n = realloc(dns->open, (dns->openmax * 2 + 8) * sizeof(*n));
		if (n == NULL) {
			pthread_mutex_unlock(&dns->mu);
			free(s);
			return NULL;
		}
		dns->open = n;
		dns->openmax = dns->openmax * 2 + 8;
	}
	s->id = dns->next_session++;
	dns->open[dns->nopen++] = s->id;
	pthread_mutex_unlock(&dns->mu);
	return s;
}

size_t
mc_dns_session_answers(const struct mc_dns_session *s,
    const struct mc_dns_answer *const **out)
{
	*out = s->seen;
	return s->nseen;
}

/*
 * Record that s was given a (the overlay's runs only), once: the answers
 * of one domain are a few hundred, so a linear search does.  Caller holds
 * the lock.
 */
static void
record_seen(struct mc_dns_session *s, const struct mc_dns_answer *a)
{
	const struct mc_dns_answer **n;
	size_t i;

	if (!s->dns->record || a == &nomem_answer)
		return;
	for (i = 0; i < s->nseen; i++)
		if (s->seen[i] == a)
			return;
	if (s->nseen == s->seenmax) {
		n = realloc(s->seen, (s->seenmax * 2 + 16) * sizeof(*n));
		if (n == NULL)
			return; /* the record is a courtesy: the run goes on */
		s->seen = n;
		s->seenmax = s->seenmax * 2 + 16;
	}
	s->seen[s->nseen++] = a;
}

double
mc_dns_session_deadline(const struct mc_dns_session *s)
{
	return s->deadline;
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
mc_dns_session_end(struct mc_dns_session *s)
{
	struct mc_dns *dns;
	struct owned *o, *next;
	size_t i;

	if (s == NULL)
		return;
	dns = s->dns;
	pthread_mutex_lock(&dns->mu);
	for (i = 0; i < dns->nopen; i++) {
		if (dns->open[i] == s->id) {
			dns->open[i] = dns->open[--dns->nopen];
			break;
		}
	}
	/*
	 * Sweep when over the limit (buried entries count: they hold memory
	 * too), then not again until another half limit has been added: an
	 * old session still open can pin entries, and sweeping after every
	 * session would cost O(entries) each time.
	 */
	if (dns->limit > 0 && dns->nentries + dns->ngrave > dns->limit &&
	    dns->nentries + dns->ngrave >= dns->sweep_at) {
		evict(dns);
		dns->sweep_at = dns->nentries + dns->ngrave + dns->limit / 2;
	}
	pthread_mutex_unlock(&dns->mu);
	for (o = s->own; o != NULL; o = next) {
		next = o->next;
		answer_free(o->ans);
		free(o);
	}
	free(s->seen);
	free(s);
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

/*
 * A failed answer for this session alone, with the name and type asked:
 * a finding about it names the question.  Caller holds the lock.
 */
static const struct mc_dns_answer *
session_fail(struct mc_dns_session *s, const char *name, uint16_t type,
    enum mc_dns_status status, enum mc_dns_reason reason, const char *why)
{
	struct owned *o;

	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return &nomem_answer;
	o->ans = mc_answer_new(name, type);
	if (o->ans == NULL) {
		free(o);
		return &nomem_answer;
	}
	mc_answer_fail(o->ans, status, -1, "%s", why);
	o->ans->reason = reason;
	o->next = s->own;
	s->own = o;
	return o->ans;
}

static size_t
bucket(const char *name, uint16_t type)
{
	uint32_t h;

	h = mc_dns_hash(name, strlen(name), MC_DNS_HASH_INIT);
	h = mc_dns_hash(&type, sizeof(type), h);
	return h % CACHE_BUCKETS;
}

/* Stamp e as used by session s.  Caller holds the lock. */
static void
stamp(struct entry *e, const struct mc_dns_session *s)
{
	if (s->id > e->stamp)
		e->stamp = s->id;
}

/* Unlink e from its bucket into the graveyard.  Caller holds the lock. */
static void
bury(struct mc_dns *dns, struct entry *e)
{
	struct entry **pp;

	for (pp = &dns->buckets[bucket(e->name, e->type)]; *pp != NULL;
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

/* Caller holds the lock. */
static struct entry *
find(struct mc_dns *dns, const char *name, uint16_t type)
{
	struct entry *e;

	for (e = dns->buckets[bucket(name, type)]; e != NULL; e = e->next)
		if (e->type == type && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/*
 * Is a stored answer not to be served to session s?  A failure caused by
 * the deadline of the session that asked is not for a session with more
 * time (a later deadline, or none) while its own time lasts; a TEMPFAIL
 * stored before this session began is asked again, so that one timeout
 * does not stick to every later domain of a bulk run.  Caller holds the
 * lock.
 */
static int
must_ask_again(const struct entry *e, const struct mc_dns_session *s)
{
	int more_time;

	if (e->ans == NULL)
		return 0;
	more_time = e->deadline != 0 && (s->deadline == 0 ||
	    s->deadline > e->deadline);
	if (e->stale && more_time &&
	    (s->deadline == 0 || mc_now() < s->deadline))
		return 1;
	return e->ans->status == MC_DNS_TEMPFAIL && s->id >= e->born;
}

/* The condition variable the waiters for e wait on. */
static pthread_cond_t *
entry_cv(struct entry *e)
{
	return &e->dns->cv[((uintptr_t)e / sizeof(*e)) % DNS_WAIT_CVS];
}

/*
 * Wait for a broadcast, but not past deadline (0: none).  Returns -1 once
 * the deadline has passed.  Caller holds the lock.
 */
static int
wait_until(struct mc_dns *dns, pthread_cond_t *cv, double deadline)
{
	struct timespec ts;
	double now;

	if (deadline == 0) {
		pthread_cond_wait(cv, &dns->mu);
		return 0;
	}
	now = mc_now();
	if (now >= deadline)
		return -1;
	ts.tv_sec = (time_t)deadline;
	ts.tv_nsec = (long)((deadline - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	pthread_cond_timedwait(cv, &dns->mu, &ts);
	return 0;
}

/* The backend's answer to e's question arrived: store it, wake waiters. */
static void
cache_done(struct mc_dns_request *req)
{
	struct entry *e = (struct entry *)(void *)((char *)req -
	    offsetof(struct entry, req));
	struct mc_dns *dns = e->dns;

	pthread_mutex_lock(&dns->mu);
	e->ans = req->ans != NULL ? req->ans : &nomem_answer;
	/* the backend answered, unless a deadline passed before asking */
	if (e->ans->source == MC_DNS_SOURCE_NONE && e->ans != &nomem_answer &&
	    e->ans->reason != MC_DNS_REASON_DEADLINE)
		e->ans->source = dns->be->source;
	/* a failure a session's deadline caused is not for the others */
	e->stale = e->ans->reason == MC_DNS_REASON_DEADLINE ||
	    e->ans->reason == MC_DNS_REASON_BUDGET;
	e->born = dns->next_session;
	/* most answers have no waiter but the batch that asked: waking every
	   waiting thread for each of them was most of bulk mode's futex calls */
	if (e->waiters > 0)
		pthread_cond_broadcast(entry_cv(e));
	pthread_mutex_unlock(&dns->mu);
}

/* A new in-flight entry for (name, type), or NULL.  Caller holds the lock. */
static struct entry *
claim(struct mc_dns *dns, const char *name, uint16_t type)
{
	struct entry *e;
	size_t b;

	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->name = strdup(name)) == NULL) {
		free(e);
		return NULL;
	}
	e->dns = dns;
	e->type = type;
	e->req = (struct mc_dns_request){ .name = e->name, .type = type,
	    .done = cache_done };
	b = bucket(name, type);
	e->next = dns->buckets[b];
	dns->buckets[b] = e;
	dns->nentries++;
	return e;
}

/* Ask the backend; past the deadline, fail at once.  No lock held. */
static void
ask(struct mc_dns *dns, struct mc_dns_request **req, size_t n,
    double deadline)
{
	size_t i;

	if (n == 0)
		return;
	if (deadline == 0 || mc_now() < deadline) {
		dns->be->resolve(dns->state, req, n, deadline);
		return;
	}
	for (i = 0; i < n; i++) {
		req[i]->ans = mc_answer_new(req[i]->name, req[i]->type);
		if (req[i]->ans != NULL) {
			mc_answer_fail(req[i]->ans, MC_DNS_TEMPFAIL, -1,
			    "deadline reached");
			req[i]->ans->reason = MC_DNS_REASON_DEADLINE;
		}
		mc_dns_request_done(req[i]);
	}
}

void
mc_dns_lookup_batch(struct mc_dns_session *s, struct mc_dns_query *q,
    size_t n)
{
	struct mc_dns *dns = s->dns;
	struct mc_dns_request **req;
	struct mc_dns_query *again = NULL;
	struct entry **ent, *e;
	char name[MC_DNS_NAME_MAX + 2];
	size_t i, j, nreq = 0, nagain = 0;

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
	pthread_mutex_lock(&dns->mu);
	for (i = 0; i < n; i++) {
		q[i].ans = NULL;
		if (mc_dns_name_canon(q[i].name, name, sizeof(name)) == -1) {
			q[i].ans = session_fail(s, q[i].name, q[i].type,
			    MC_DNS_PERMFAIL, MC_DNS_REASON_NONE,
			    "not a valid domain name");
			continue;
		}
		e = find(dns, name, q[i].type);
		if (e != NULL && must_ask_again(e, s)) {
			bury(dns, e);
			e = NULL;
		}
		if (e == NULL) {
			e = claim(dns, name, q[i].type);
			if (e == NULL) {
				q[i].ans = &nomem_answer;
				continue;
			}
			e->deadline = s->deadline;
			req[nreq++] = &e->req;
		}
		stamp(e, s);
		ent[i] = e;
	}
	dns->sent += nreq;
	pthread_mutex_unlock(&dns->mu);

	ask(dns, req, nreq, s->deadline);

	/*
	 * Every answer, ours or another session's, is waited for until this
	 * session's deadline only, and a failure another session's deadline
	 * caused is asked again.
	 */
	pthread_mutex_lock(&dns->mu);
	for (i = 0; i < n; i++) {
		if (q[i].ans != NULL)
			continue;
		ent[i]->waiters++;
		while (ent[i]->ans == NULL && wait_until(dns,
		    entry_cv(ent[i]), s->deadline) == 0)
			;
		ent[i]->waiters--;
		if (ent[i]->ans == NULL)
			q[i].ans = session_fail(s, ent[i]->name, ent[i]->type,
			    MC_DNS_TEMPFAIL, MC_DNS_REASON_DEADLINE,
			    "deadline reached");
		else if (must_ask_again(ent[i], s) && ent[i]->stale)
			nagain++;
		else
			q[i].ans = ent[i]->ans;
		if (q[i].ans != NULL)
			record_seen(s, q[i].ans);
	}
	pthread_mutex_unlock(&dns->mu);
	if (nagain > 0) {
		again = calloc(nagain, sizeof(*again));
		for (i = j = 0; i < n && again != NULL; i++)
			if (q[i].ans == NULL)
				again[j++] = (struct mc_dns_query){
					.name = q[i].name, .type = q[i].type };
		if (again != NULL)
			mc_dns_lookup_batch(s, again, nagain);
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
mc_dns_lookup(struct mc_dns_session *s, const char *name, uint16_t type)
{
	struct mc_dns_query q = { .name = name, .type = type };

	mc_dns_lookup_batch(s, &q, 1);
	return q.ans;
}
