/* SPDX-License-Identifier: ISC */
/*
 * src/dns.c - the DNS cache with in-flight de-duplication, and sessions
 *
 * A question is an entry in a hash table keyed by (name, type).  The thread
 * that creates the entry hands its request to the backend; any other thread
 * asking the same question meanwhile waits on the entry's own futex word
 * (wait_answer()).  The backend hands each answer back the moment it has
 * it (cache_done()), which stores it and wakes the entry's waiters, if
 * any, and no one else: no answer waits for the rest of its batch.
 * Answers never change once stored; an answered entry is read without a
 * lock.
 *
 * A session (see dns.h) is one run: it carries the run's deadline, which
 * bounds every question asked through it and every wait on another
 * session's question.  A waiter whose deadline passes gets an answer of its
 * own, with its own name and type, owned by its session (freed when the
 * session ends).
 *
 * Bulk runs bound the cache with sessions: each entry counts the lookups
 * of open sessions that found or claimed it (refs), each session keeps the
 * entries it used and gives them back when it ends, and ending a session
 * evicts, when the cache is over its limit, the answered entries no open
 * session used.  In-flight entries (ans NULL) are never evicted, and a
 * waiter holds its reference while it waits, so no waiter loses its
 * answer.  (The entries were stamped with the newest session that used
 * them and evicted when older than every open session: one slow domain
 * then pinned every entry made after it, and a 20,000-domain run held
 * 84,000 to 165,000 entries, not 16,384.)
 *
 * Locks: the buckets are split into DNS_SHARDS shards, each with its own
 * mutex and graveyard, so that threads asking different questions do not
 * queue on one lock (in bulk runs that lock was most of the futex calls
 * left).  A shard's lock is taken once a question, to find or claim its
 * entry; storing an answer and waiting for one take none (condition
 * variables under the shard locks made every woken waiter fight the
 * others for the lock again: half the futex calls left in bulk mode, by
 * perf's count of syscalls:sys_enter_futex).  Linux futexes: the engine
 * is Linux's anyway (recvmmsg(), getrandom()).  dns->mu guards only the
 * open sessions, the limit and the sweep; a session's own answers and
 * record have the session's lock.  Order: a shard's lock, then a session's; dns->mu is
 * never held with another (evict() takes the shards one after another).
 *
 * The backend is the first of backends[] that takes the configuration;
 * dns.c calls the backends and the answer vocabulary (dns_answer.c), and
 * neither calls back into dns.c but through the request's done pointer.
 */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "banned.h"

/*
 * Buckets: bulk mode keeps about 16,000 to 25,000 entries (its limit,
 * MC_BULK_CACHE_ENTRIES, plus what the sweep leaves), and with 4096
 * buckets the walk along a chain of 5 or 6 entries, a cache miss each,
 * was most of mc_dns_lookup_batch()'s time (perf); an entry's hash is
 * compared before its name.
 */
#define CACHE_BUCKETS 65536
#define DNS_SHARDS 16 /* a power of two dividing CACHE_BUCKETS */

static const struct mc_dns_backend *const backends[] = {
	&mc_dns_backend_overlay, /* zone files and a resolver: first */
	&mc_dns_backend_zone,
	&mc_dns_backend_net, /* takes every configuration: last */
	NULL,
};

struct mc_dns;

struct shard;

struct entry {
	struct entry *next;
	struct mc_dns *dns;
	struct shard *sh;          /* the shard whose lock guards it */
	struct mc_dns_request req; /* while the question is in flight */
	char *name;
	uint32_t hash;             /* of name and type (hash()) */
	uint16_t type;
	struct mc_dns_answer *ans; /* NULL while the question is in flight;
	                              set once, last, with a release store */
	uint32_t refs;             /* atomic, raised under the shard lock:
	                              lookups of open sessions (see above) */
	uint64_t born;             /* sessions from this id on began after
	                              the answer was stored */
	int stale;                 /* failed by a session's deadline */
	uint32_t ready;            /* futex word: 1 once ans is stored */
	int waiters;               /* atomic: threads waiting for ready */
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
	pthread_mutex_t mu; /* the checks of one domain share the session */
	struct owned *own;  /* under mu */
	/* the overlay's record of the answers given (under mu) */
	const struct mc_dns_answer **seen;
	size_t nseen, seenmax;
	/* the entries its lookups hold a reference to (under mu); reserved:
	   slots promised to lookups in progress */
	struct entry **used;
	size_t nused, usedmax, reserved;
};

/* The buckets b with b % DNS_SHARDS == its index, and what guards them. */
struct shard {
	pthread_mutex_t mu;
	size_t nentries;         /* in its buckets */
	struct entry *graveyard; /* unlinked stale entries, maybe still read */
	size_t ngrave;           /* in the graveyard */
};

struct mc_dns {
	const struct mc_dns_backend *be;
	void *state;
	int record;              /* sessions record their answers */
	struct shard shards[DNS_SHARDS];
	struct entry *buckets[CACHE_BUCKETS]; /* under their shard's lock */
	size_t sent;             /* atomic */
	uint64_t next_session;   /* atomic; written under mu */
	pthread_mutex_t mu;      /* the fields below */
	size_t limit;            /* 0: keep everything */
	size_t sweep_at;         /* sweep when the entries pass this */
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
	for (i = 0; i < DNS_SHARDS; i++)
		pthread_mutex_init(&dns->shards[i].mu, NULL);
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
	struct shard *sh;
	size_t i;

	if (dns == NULL)
		return;
	for (i = 0; i < CACHE_BUCKETS; i++) {
		for (e = dns->buckets[i]; e != NULL; e = next) {
			next = e->next;
			entry_free(e);
		}
	}
	for (i = 0; i < DNS_SHARDS; i++) {
		sh = &dns->shards[i];
		for (e = sh->graveyard; e != NULL; e = next) {
			next = e->next;
			entry_free(e);
		}
		pthread_mutex_destroy(&sh->mu);
	}
	dns->be->free(dns->state);
	pthread_mutex_destroy(&dns->mu);
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
	return __atomic_load_n(&dns->sent, __ATOMIC_RELAXED);
}

struct mc_dns_session *
mc_dns_session_begin(struct mc_dns *dns, double deadline)
{
	struct mc_dns_session *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->dns = dns;
	s->deadline = deadline;
	pthread_mutex_init(&s->mu, NULL);
	s->id = __atomic_fetch_add(&dns->next_session, 1, __ATOMIC_RELAXED);
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
 * of one domain are a few hundred, so a linear search does.  Takes the
 * session's lock.
 */
static void
record_seen(struct mc_dns_session *s, const struct mc_dns_answer *a)
{
	const struct mc_dns_answer **n;
	size_t i;

	if (!s->dns->record || a == &nomem_answer)
		return;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nseen; i++)
		if (s->seen[i] == a)
			goto out;
	if (s->nseen == s->seenmax) {
		n = realloc(s->seen, (s->seenmax * 2 + 16) * sizeof(*n));
		if (n == NULL)
			goto out; /* the record is a courtesy: the run goes on */
		s->seen = n;
		s->seenmax = s->seenmax * 2 + 16;
	}
	s->seen[s->nseen++] = a;
out:
	pthread_mutex_unlock(&s->mu);
}

double
mc_dns_session_deadline(const struct mc_dns_session *s)
{
	return s->deadline;
}

/*
 * Evict the answered entries no open session holds, one shard after
 * another.  A reference is taken under the shard's lock only, so an entry
 * seen here without one cannot gain one before it is freed.
 */
static void
evict(struct mc_dns *dns)
{
	struct entry **pp, *e;
	struct shard *sh;
	size_t i, b;

	for (i = 0; i < DNS_SHARDS; i++) {
		sh = &dns->shards[i];
		pthread_mutex_lock(&sh->mu);
		for (b = i; b < CACHE_BUCKETS; b += DNS_SHARDS) {
			for (pp = &dns->buckets[b]; (e = *pp) != NULL;) {
				if (__atomic_load_n(&e->ans,
				    __ATOMIC_ACQUIRE) != NULL &&
				    __atomic_load_n(&e->refs,
				    __ATOMIC_ACQUIRE) == 0) {
					*pp = e->next;
					entry_free(e);
					sh->nentries--;
				} else
					pp = &e->next;
			}
		}
		for (pp = &sh->graveyard; (e = *pp) != NULL;) {
			if (__atomic_load_n(&e->refs, __ATOMIC_ACQUIRE) == 0) {
				*pp = e->next;
				entry_free(e);
				sh->ngrave--;
			} else
				pp = &e->next;
		}
		pthread_mutex_unlock(&sh->mu);
	}
}

/* Entries in the buckets and the graveyards, shard by shard. */
static size_t
count_entries(struct mc_dns *dns)
{
	size_t i, n = 0;

	for (i = 0; i < DNS_SHARDS; i++) {
		pthread_mutex_lock(&dns->shards[i].mu);
		n += dns->shards[i].nentries + dns->shards[i].ngrave;
		pthread_mutex_unlock(&dns->shards[i].mu);
	}
	return n;
}

void
mc_dns_session_end(struct mc_dns_session *s)
{
	struct mc_dns *dns;
	struct owned *o, *next;
	size_t i, n = 0, limit;
	int sweep;

	if (s == NULL)
		return;
	dns = s->dns;
	/* no lock: a reference is given back, and e not touched after */
	for (i = 0; i < s->nused; i++)
		__atomic_sub_fetch(&s->used[i]->refs, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&dns->mu);
	limit = dns->limit;
	sweep = limit > 0;
	pthread_mutex_unlock(&dns->mu);
	/*
	 * Sweep when over the limit (buried entries count: they hold memory
	 * too), then not again until another half limit has been added:
	 * the open sessions' entries stay, and sweeping after every session
	 * would cost O(entries) each time.
	 */
	if (sweep) {
		n = count_entries(dns);
		pthread_mutex_lock(&dns->mu);
		sweep = n > limit && n >= dns->sweep_at;
		if (sweep)
			dns->sweep_at = SIZE_MAX; /* one sweeper at a time */
		pthread_mutex_unlock(&dns->mu);
	}
	if (sweep) {
		evict(dns);
		n = count_entries(dns);
		pthread_mutex_lock(&dns->mu);
		dns->sweep_at = n + limit / 2;
		pthread_mutex_unlock(&dns->mu);
	}
	for (o = s->own; o != NULL; o = next) {
		next = o->next;
		answer_free(o->ans);
		free(o);
	}
	pthread_mutex_destroy(&s->mu);
	free(s->seen);
	free(s->used);
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
	return count_entries(dns);
}

/*
 * A failed answer for this session alone, with the name and type asked:
 * a finding about it names the question.  Takes the session's lock.
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
	pthread_mutex_lock(&s->mu);
	o->next = s->own;
	s->own = o;
	pthread_mutex_unlock(&s->mu);
	return o->ans;
}

static uint32_t
hash(const char *name, uint16_t type)
{
	uint32_t h;

	h = mc_dns_hash(name, strlen(name), MC_DNS_HASH_INIT);
	return mc_dns_hash(&type, sizeof(type), h);
}

/*
 * Promise n slots of s->used to a lookup (0), or -1 when memory ran out.
 * Taken before any reference, so that recording one cannot fail.
 */
static int
reserve_used(struct mc_dns_session *s, size_t n)
{
	struct entry **u;
	size_t want, max;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	want = s->nused + s->reserved + n;
	if (want > s->usedmax) {
		max = want > s->usedmax * 2 ? want : s->usedmax * 2;
		u = realloc(s->used, max * sizeof(*u));
		if (u == NULL)
			rc = -1;
		else {
			s->used = u;
			s->usedmax = max;
		}
	}
	if (rc == 0)
		s->reserved += n;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* Record the k references of ent[] (NULLs skipped) in the n slots promised. */
static void
record_used(struct mc_dns_session *s, struct entry *const *ent, size_t n)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < n; i++)
		if (ent[i] != NULL)
			s->used[s->nused++] = ent[i];
	s->reserved -= n;
	pthread_mutex_unlock(&s->mu);
}

/*
 * Unlink e from its bucket b into its shard's graveyard.  Caller holds the
 * shard's lock.
 */
static void
bury(struct mc_dns *dns, struct entry *e, size_t b)
{
	struct entry **pp;

	for (pp = &dns->buckets[b]; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			e->next = e->sh->graveyard;
			e->sh->graveyard = e;
			e->sh->nentries--;
			e->sh->ngrave++;
			return;
		}
	}
}

/* Caller holds the lock of bucket b's shard. */
static struct entry *
find(struct mc_dns *dns, uint32_t h, const char *name, uint16_t type)
{
	struct entry *e;

	for (e = dns->buckets[h % CACHE_BUCKETS]; e != NULL; e = e->next)
		if (e->hash == h && e->type == type &&
		    strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/*
 * Is a stored answer not to be served to session s?  A failure caused by
 * the deadline of the session that asked is not for a session with more
 * time (a later deadline, or none) while its own time lasts; a TEMPFAIL
 * stored before this session began is asked again, so that one timeout
 * does not stick to every later domain of a bulk run.  a is e's answer
 * as the caller loaded it (NULL: in flight); no lock is needed, since
 * every field read here is stored before the answer is.
 */
static int
must_ask_again(const struct entry *e, const struct mc_dns_answer *a,
    const struct mc_dns_session *s)
{
	int more_time;

	if (a == NULL)
		return 0;
	more_time = e->deadline != 0 && (s->deadline == 0 ||
	    s->deadline > e->deadline);
	if (e->stale && more_time &&
	    (s->deadline == 0 || mc_now() < s->deadline))
		return 1;
	return a->status == MC_DNS_TEMPFAIL && s->id >= e->born;
}

/*
 * Wait until e is answered or deadline (0: none) passes, on e's futex word
 * with no lock held: an answer wakes exactly its own waiters, who need no
 * lock to read it.  The waiter counts itself before it looks at ready,
 * and cache_done() stores ready before it looks at the count (both
 * sequentially consistent), so either the waiter sees the answer or
 * cache_done() sees the waiter and wakes it.  Returns the answer, or NULL
 * once the deadline has passed.
 */
static struct mc_dns_answer *
wait_answer(struct entry *e, double deadline)
{
	struct mc_dns_answer *a;
	struct timespec ts;

	__atomic_add_fetch(&e->waiters, 1, __ATOMIC_SEQ_CST);
	while ((a = __atomic_load_n(&e->ans, __ATOMIC_ACQUIRE)) == NULL) {
		if (deadline > 0 && mc_now() >= deadline)
			break;
		/* mc_now() is CLOCK_MONOTONIC, FUTEX_WAIT_BITSET's clock */
		ts.tv_sec = (time_t)deadline;
		ts.tv_nsec = (long)((deadline - (double)ts.tv_sec) * 1e9);
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_nsec = 999999999L;
		/* returns at once unless ready is still 0 */
		(void)syscall(SYS_futex, &e->ready, FUTEX_WAIT_BITSET_PRIVATE,
		    0, deadline > 0 ? &ts : NULL, NULL, FUTEX_BITSET_MATCH_ANY);
	}
	__atomic_sub_fetch(&e->waiters, 1, __ATOMIC_SEQ_CST);
	return a;
}

/* The backend's answer to e's question arrived: store it, wake waiters. */
static void
cache_done(struct mc_dns_request *req)
{
	struct entry *e = (struct entry *)(void *)((char *)req -
	    offsetof(struct entry, req));
	struct mc_dns *dns = e->dns;

	struct mc_dns_answer *a = req->ans != NULL ? req->ans : &nomem_answer;

	/* the backend answered, unless a deadline passed before asking */
	if (a->source == MC_DNS_SOURCE_NONE && a != &nomem_answer &&
	    a->reason != MC_DNS_REASON_DEADLINE)
		a->source = dns->be->source;
	/*
	 * No lock: nobody reads stale or born before ans, which is stored
	 * after them with a release store, and our session's reference keeps
	 * e from eviction (see wait_answer() for the wake-up).
	 */
	/* a failure a session's deadline caused is not for the others */
	e->stale = a->reason == MC_DNS_REASON_DEADLINE ||
	    a->reason == MC_DNS_REASON_BUDGET;
	e->born = __atomic_load_n(&dns->next_session, __ATOMIC_RELAXED);
	__atomic_store_n(&e->ans, a, __ATOMIC_RELEASE);
	__atomic_store_n(&e->ready, 1, __ATOMIC_SEQ_CST);
	/* most answers have no waiter but the batch that asked: no call */
	if (__atomic_load_n(&e->waiters, __ATOMIC_SEQ_CST) > 0)
		(void)syscall(SYS_futex, &e->ready, FUTEX_WAKE_PRIVATE,
		    INT_MAX, NULL, NULL, 0);
}

/*
 * A new in-flight entry for (name, type) in bucket b, or NULL.  Caller
 * holds the bucket's shard lock.
 */
static struct entry *
claim(struct mc_dns *dns, uint32_t h, const char *name, uint16_t type)
{
	size_t b = h % CACHE_BUCKETS;
	struct entry *e;

	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->name = strdup(name)) == NULL) {
		free(e);
		return NULL;
	}
	e->dns = dns;
	e->sh = &dns->shards[b % DNS_SHARDS];
	e->hash = h;
	e->type = type;
	e->req = (struct mc_dns_request){ .name = e->name, .type = type,
	    .done = cache_done };
	e->next = dns->buckets[b];
	dns->buckets[b] = e;
	e->sh->nentries++;
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
	struct mc_dns_answer *a;
	struct entry **ent, *e;
	struct shard *sh;
	char name[MC_DNS_NAME_MAX + 2];
	size_t i, j, b, nreq = 0, nagain = 0;
	uint32_t h;

	if (n == 0)
		return;
	req = calloc(n, sizeof(*req));
	ent = calloc(n, sizeof(*ent));
	if (req == NULL || ent == NULL || reserve_used(s, n) == -1) {
		for (i = 0; i < n; i++)
			q[i].ans = &nomem_answer;
		goto out;
	}

	/* Claim the questions nobody has asked yet, each under its shard. */
	for (i = 0; i < n; i++) {
		q[i].ans = NULL;
		if (mc_dns_name_canon(q[i].name, name, sizeof(name)) == -1) {
			q[i].ans = session_fail(s, q[i].name, q[i].type,
			    MC_DNS_PERMFAIL, MC_DNS_REASON_NONE,
			    "not a valid domain name");
			continue;
		}
		h = hash(name, q[i].type);
		b = h % CACHE_BUCKETS;
		sh = &dns->shards[b % DNS_SHARDS];
		pthread_mutex_lock(&sh->mu);
		e = find(dns, h, name, q[i].type);
		a = e != NULL ? __atomic_load_n(&e->ans, __ATOMIC_ACQUIRE) :
		    NULL;
		if (e != NULL && must_ask_again(e, a, s)) {
			bury(dns, e, b);
			e = NULL;
		}
		if (e == NULL) {
			a = NULL; /* in flight: the answer comes below */
			e = claim(dns, h, name, q[i].type);
			if (e != NULL) {
				e->deadline = s->deadline;
				req[nreq++] = &e->req;
			}
		}
		if (e != NULL) {
			/* s holds e until it ends: no eviction under us */
			__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
			/* answered already and good for s: no second lock */
			q[i].ans = a;
		}
		pthread_mutex_unlock(&sh->mu);
		if (e == NULL)
			q[i].ans = &nomem_answer;
		else if (q[i].ans != NULL)
			record_seen(s, q[i].ans);
		ent[i] = e;
	}
	record_used(s, ent, n);
	__atomic_fetch_add(&dns->sent, nreq, __ATOMIC_RELAXED);

	ask(dns, req, nreq, s->deadline);

	/*
	 * Every answer, ours or another session's, is waited for until this
	 * session's deadline only, and a failure another session's deadline
	 * caused is asked again.
	 */
	for (i = 0; i < n; i++) {
		if (q[i].ans != NULL)
			continue;
		/*
		 * Answered (our own questions all are by now): an answer
		 * never changes once stored, nor do the fields stored before
		 * it, and our reference keeps the entry from eviction, so no lock
		 * is needed unless it is a failure to ask again.
		 */
		a = __atomic_load_n(&ent[i]->ans, __ATOMIC_ACQUIRE);
		if (a != NULL && !ent[i]->stale) {
			q[i].ans = a;
			record_seen(s, a);
			continue;
		}
		if (a == NULL)
			a = wait_answer(ent[i], s->deadline);
		if (a == NULL)
			q[i].ans = session_fail(s, ent[i]->name, ent[i]->type,
			    MC_DNS_TEMPFAIL, MC_DNS_REASON_DEADLINE,
			    "deadline reached");
		else if (must_ask_again(ent[i], a, s) && ent[i]->stale)
			nagain++;
		else
			q[i].ans = a;
		if (q[i].ans != NULL)
			record_seen(s, q[i].ans);
	}
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
