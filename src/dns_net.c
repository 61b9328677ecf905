/* SPDX-License-Identifier: ISC */
/*
 * src/dns_net.c - the network backend: many questions in flight at once
 *
 * One call answers a batch.  Every question gets a random ID and EDNS0,
 * and goes out on one of the batch's UDP sockets, which up to
 * NET_PER_SOCKET (32) questions share; one poll() loop multiplexes the
 * sockets (and any TCP connections).  A reply counts only when it comes
 * from a server we asked and its ID and question match those of a
 * question on the socket it came to; anything else is dropped and we go
 * on waiting.  The sockets are long-lived: each is bound once to a port
 * the kernel picks at random from its ephemeral range, and when the batch
 * ends it waits, open, for the next batch of any thread (at most
 * NET_IDLE_MAX of each address family wait; the rest are closed).  Bulk
 * mode so opens a few dozen sockets in a run instead of one for each of
 * its millions of questions: a socket, bind and close cost more kernel
 * time than the exchange itself.  Unanswered
 * questions are sent again, rotating over the servers, with a doubling
 * interval; a question keeps its socket (and ID) over its retransmissions,
 * so a late answer to an earlier send still counts.  A truncated reply
 * sends the question again over TCP to the same server.  A failure that
 * speaks for one server (SERVFAIL, REFUSED, NOTIMP, FORMERR, a malformed
 * reply, a TCP exchange that failed or hung) sends the question on to the
 * next server at once, over UDP, while one is left; the last verdict
 * stands.  Such a failure from a server asked earlier, while the server
 * asked since may still answer, waits for that answer, and stands if none
 * comes in time.  A server that answers our EDNS query with FORMERR or
 * NOTIMP and no OPT record, or with BADVERS, gets the same question again
 * without EDNS (RFC 6891 7); that holds for that question and server only.
 * The query without EDNS has an ID of its own, so a late reply to an
 * earlier copy with EDNS is not taken for the reply to it.  New questions
 * go first to the server that answered last, so a dead first server costs
 * one retransmission interval, not one per round.  No question outlives its
 * own budget or the run's deadline.
 *
 * The schedule of one question (documented for users in docs/mailcheck.1,
 * "THE DNS ENGINE"):
 *   budget   = the query timeout (MC_QUERY_TIMEOUT, 5 s), but at most
 *              NET_BUDGET_SHARE (1/2) of the time left before the session's
 *              deadline, and not under NET_BUDGET_MIN (0.25 s) while that
 *              much is left;
 *   attempt  = MC_ATTEMPT_TIMEOUT (1 s), shortened to budget / tries;
 *   sends    = up to MC_QUERY_TRIES (3), rotating over the servers, at
 *              0, attempt, 3 x attempt, ... (the interval doubles), never
 *              past the budget;
 *   then     TEMPFAIL "timeout"; when the deadline cut the budget short,
 *              with reason MC_DNS_REASON_BUDGET, so that a session with
 *              more time asks again instead of taking this failure.
 * One silent question so ends well before the run's deadline, and the
 * questions that depend on others (MX -> A -> PTR) still have time.
 *
 * Answers are handed to the cache one by one, the moment each is final
 * (mc_dns_request_done()), never at the end of the batch: a check waiting
 * on one question of another check's batch is woken at once.
 *
 * CNAMEs: the reply's chain is followed within the answer
 * (mc_dns_parse_reply()); a chain that stops short (its last name has no
 * record and no CNAME in the answer, and no SOA or NXDOMAIN says it has
 * none) is asked again for its last name, as a new query with a new ID,
 * within the same budget, the chain carried over; over all the answers at
 * most MC_DNS_CNAME_MAX hops.  A loop or a longer chain ends the question
 * with TEMPFAIL and its reason, never NODATA or NXDOMAIN.
 *
 * Spoofing (RFC 5452): a forged reply must guess, at once, the source
 * port of the question's socket (a random one of the kernel's ephemeral
 * range, about 28,000 ports here), the question's random 16-bit ID and
 * the question itself, and come from the server's address and port; for
 * one question that is still about 2^31 tries, and a miss costs nothing
 * but the packet (it is dropped and the question goes on waiting).  What
 * the long-lived sockets give up (this is unbound's outgoing port range,
 * not a fresh port a question): the port of a socket no longer changes
 * from one question to the next, so an attacker who learned it (by a side
 * channel such as SAD DNS's ICMP rate limit, or by seeing one query) has
 * only the ID and the question left to guess for the later ones, 2^16
 * tries; and with k sockets open a blind packet finds one of them k times
 * as often, though it must still match a question on that socket.  An
 * attacker who can see our queries wins either way (RFC 5452 4.2); TCP,
 * DNS cookies or DNSSEC are the answers to that, not port choice.
 *
 * The wire in batches: the datagrams a turn of the loop sends (its new
 * questions and its retransmissions) are queued and go out with one
 * sendmmsg() call for each run of them on one socket, just before the
 * loop polls; a socket that poll() says is readable is drained with
 * recvmmsg(), NET_RECV_BATCH datagrams a call, and a call that returns
 * fewer ends the draining (the recvfrom() that returned EAGAIN after each
 * reply was one system call in three).  Query IDs come from getrandom()
 * in blocks of NET_RANDOM_POOL kept in the handle, NET_RANDOM_IDS taken
 * at a time by a batch (one getrandom() call a batch before).  Bulk mode
 * so went from about 128 sendto/recvfrom/getrandom calls a domain to
 * about 22 sendmmsg/recvmmsg calls (bench/README.md, "fourth step").
 * None of this changes what a forger must guess (above): each question
 * still has its own random ID, used once, on a socket with a random port,
 * and every datagram read is still matched alone against the server's
 * address, the ID and the question.  A datagram longer than NET_RECV_SIZE
 * (4096 bytes, over three times the MC_DNS_EDNS_SIZE we advertise) is
 * dropped unread, like any other datagram that matches nothing.
 *
 * poll(), not epoll: a batch polls its few sockets (one for every 32
 * questions in flight) and its TCP connections, so poll()'s cost per call
 * is small, while epoll would need a descriptor of its own and a system
 * call for every socket added or removed in each batch, most of which
 * ask a handful of questions.
 *
 * The loop keeps at most MC_DNS_INFLIGHT_MAX questions on the wire, and
 * sends at most NET_BURST new ones per turn (a millisecond apart at most);
 * the rest start as others finish.  When the process runs out of
 * descriptors, the loop keeps fewer questions in flight instead of failing
 * them.  Nothing here is shared between calls but the preferred server and
 * the rate caps, so any number of threads may resolve batches at the same
 * time.
 *
 * The rate cap (--qps, cfg->qps): every server has a token bucket, shared
 * by all the handle's threads under the handle's lock, that holds at most
 * MC_QPS_BURST(qps) tokens and gains qps a second; every datagram and every
 * TCP query sent to the server takes one (retransmissions and the query
 * without EDNS too).  A send that finds no token waits for one: a first
 * send or a retransmission moves to the time the next token comes (the
 * question's budget starts with its first send), a query over TCP waits in
 * SLOT_TCP_WAIT, and a query without EDNS is left to the question's next
 * retransmission.  While a batch's new question had to wait, no more of
 * them start in that turn of the loop.  So one process sends a server at
 * most qps x T + MC_QPS_BURST(qps) queries in any T seconds.
 *
 * A Spamhaus DQS key (cfg->dqs_key, mailcheck/dqs.h): a question under
 * one of Spamhaus's public zones goes on the wire under its DQS twin,
 * <key>.<list>.dq.spamhaus.net; its answer keeps the name asked.  Only
 * this file sees the name sent, and anything a reply brings back that
 * holds the key (a CNAME, a record, a failure's text) has it masked, so
 * the key reaches no cache entry, finding, report or message.
 */
#define _GNU_SOURCE /* recvmmsg(), sendmmsg() */
#include <sys/random.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns_impl.h"
#include "mailcheck/dqs.h"
#include "mailcheck/limits.h"
#include "banned.h"

#define NET_MAX_SERVERS 8
/*
 * New questions sent per turn of the loop, and the longest pause (ms)
 * between turns while more wait to start: a big batch goes out in steps
 * of NET_BURST instead of one burst that overflows the server's socket
 * buffer (each packet lost there costs a whole retransmission interval).
 */
#define NET_BURST 64
#define NET_BURST_GAP_MS 1
/*
 * A question's budget: at most this share of the time left, but not under
 * NET_BUDGET_MIN seconds while that much is left (see the header).
 */
#define NET_BUDGET_SHARE 0.5
#define NET_BUDGET_MIN 0.25
#define RESOLV_CONF "/etc/resolv.conf"
/*
 * UDP sockets (see the header): at most NET_PER_SOCKET questions of a
 * batch share one, and at most NET_IDLE_MAX of each address family wait
 * between batches for the next.
 */
#define NET_PER_SOCKET 32
#define NET_IDLE_MAX 256
/*
 * Random query IDs: a batch takes NET_RANDOM_IDS at a time from the
 * handle's store of NET_RANDOM_POOL, which one getrandom() call fills.
 * Every ID is used once.
 */
#define NET_RANDOM_IDS 32
#define NET_RANDOM_POOL 2048
/*
 * Datagrams read by one recvmmsg() call, and the room for each: a reply
 * is at most MC_DNS_EDNS_SIZE (1232) bytes, or 512 without EDNS.
 */
#define NET_RECV_BATCH 16
#define NET_RECV_SIZE 4096

struct server {
	struct sockaddr_storage sa;
	socklen_t salen;
	char text[96];
	double tokens;      /* --qps: the bucket, under the net's lock */
	double stamp;       /* when tokens was last brought up to date */
};

struct net {
	struct server srv[NET_MAX_SERVERS];
	size_t nsrv;
	int preferred;      /* the server that answered last; __atomic access */
	double query_timeout, attempt_timeout;
	int tries;
	double qps;         /* queries a second to each server; 0: no cap */
	char dqs_key[MC_DQS_KEY_MAX + 1]; /* "" when none */
	/* UDP sockets between batches, [0] IPv4, [1] IPv6, and the servers'
	   buckets, under lock */
	pthread_mutex_t lock;
	int idle[2][NET_IDLE_MAX];
	size_t nidle[2];
	/* random IDs for the batches, under lock: rnd[0..nrnd) unused */
	uint16_t rnd[NET_RANDOM_POOL];
	size_t nrnd;
};

/* A UDP socket a batch holds: its questions are told apart by ID. */
struct chan {
	int fd;
	int family;
	int users;          /* questions on it now */
};

/*
 * The sockets of one batch (one net_resolve call), random IDs, and the
 * UDP datagrams to send, queued by udp_send() and sent by send_flush()
 * with one sendmmsg() call for each run of them on one socket.
 */
#define NET_SEND_BATCH 64
struct chans {
	struct chan *c;
	size_t n, cap;
	uint16_t rnd[NET_RANDOM_IDS]; /* rnd[0..nrnd) are unused */
	size_t nrnd;
	struct mmsghdr out[NET_SEND_BATCH]; /* out[0..nout) wait */
	struct iovec outiov[NET_SEND_BATCH];
	int outfd[NET_SEND_BATCH];
	size_t nout;
};

enum slot_state {
	SLOT_WAITING,
	SLOT_UDP,
	SLOT_TCP_WAIT,      /* a TCP query waits for a token (--qps) */
	SLOT_TCP_CONNECT,
	SLOT_TCP_WRITE,
	SLOT_TCP_READ,
	SLOT_DONE,
};

struct slot {
	struct mc_dns_request *req;
	const char *qname;  /* asked now: req->name (or wname), or a CNAME's
	                       target */
	char *wname;        /* the DQS name sent for req->name, or NULL */
	const char *key;    /* with wname: the DQS key, to mask in the answer */
	struct mc_cname_chain *chain; /* once a reply's chain stopped short */
	enum slot_state st;
	int fd;             /* TCP only */
	struct chans *cs;   /* the batch's UDP sockets */
	int ch;             /* the UDP socket: index into cs, or -1 */
	uint16_t id;
	unsigned char *wire; /* the query with EDNS */
	size_t wlen;
	unsigned char *plain; /* without EDNS, made when a server needs it */
	size_t plen;
	uint16_t pid;       /* the ID of plain, not id */
	unsigned noedns;    /* bit i: server i rejected EDNS for this query */
	struct mc_dns_answer *held; /* see hold_failure() */
	int tries;
	size_t server;      /* index of the server asked last */
	size_t first;       /* index of the server asked first */
	double started;     /* first send */
	double budget;      /* seconds from started: the question's own */
	double attempt;     /* the first retransmission interval */
	int cut;            /* the deadline cut the budget short */
	double next;        /* next retransmission, or TCP give-up time */
	unsigned char *buf; /* TCP: length-prefixed query, then the reply */
	size_t have, need;
};

/* Parse "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address. */
static int
parse_server(const char *spec, struct server *s)
{
	char host[INET6_ADDRSTRLEN + 2];
	struct sockaddr_in *sin = (struct sockaddr_in *)&s->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->sa;
	const char *port = NULL, *colon;
	unsigned long p = 53;
	size_t len;
	char *end;
	int bracket = spec[0] == '[';

	memset(s, 0, sizeof(*s));
	if (bracket) {
		colon = strchr(spec, ']');
		if (colon == NULL)
			return -1;
		len = (size_t)(colon - spec - 1);
		if (colon[1] == ':')
			port = colon + 2;
		else if (colon[1] != '\0')
			return -1;
		spec++;
	} else if ((colon = strchr(spec, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		len = (size_t)(colon - spec);
		port = colon + 1;
	} else
		len = strlen(spec);
	if (len >= sizeof(host))
		return -1;
	memcpy(host, spec, len);
	host[len] = '\0';
	if (port != NULL) {
		if (!isdigit((unsigned char)*port))
			return -1;
		errno = 0;
		p = strtoul(port, &end, 10);
		if (errno != 0 || *end != '\0' || p == 0 || p > 65535)
			return -1;
	}
	if (!bracket && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		s->salen = sizeof(*sin);
		snprintf(s->text, sizeof(s->text), "%s:%lu", host, p);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		s->salen = sizeof(*sin6);
		snprintf(s->text, sizeof(s->text), "[%s]:%lu", host, p);
	} else
		return -1;
	return 0;
}

static int
read_resolv_conf(struct net *net, char *err, size_t errsize)
{
	const char *path = getenv("MAILCHECK_RESOLV_CONF");
	char line[512], *p, *w;
	FILE *fp;

	/* another file: for test suites, which must never reach the
	   machine's resolver even when a run forgets --resolver */
	if (path == NULL || *path == '\0')
		path = RESOLV_CONF;
	fp = fopen(path, "r");
	if (fp == NULL) {
		snprintf(err, errsize, "cannot read %s: %s (use --resolver)",
		    path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL &&
	    net->nsrv < NET_MAX_SERVERS) {
		if (strncmp(line, "nameserver", 10) != 0 ||
		    !isspace((unsigned char)line[10]))
			continue;
		p = line + 10;
		while (isspace((unsigned char)*p))
			p++;
		w = p;
		while (*p != '\0' && !isspace((unsigned char)*p) && *p != '%')
			p++;
		*p = '\0';
		if (parse_server(w, &net->srv[net->nsrv]) == 0)
			net->nsrv++;
	}
	fclose(fp);
	if (net->nsrv == 0) {
		snprintf(err, errsize, "no nameserver in %s (use --resolver)",
		    path);
		return -1;
	}
	return 0;
}

static int
net_use(const struct mc_dns_config *cfg)
{
	(void)cfg;
	return 1;
}

static void *
net_open(const struct mc_dns_config *cfg, char *err, size_t errsize)
{
	struct net *net;
	size_t i;

	net = calloc(1, sizeof(*net));
	if (net == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	net->query_timeout = cfg->query_timeout > 0 ? cfg->query_timeout :
	    MC_QUERY_TIMEOUT;
	net->attempt_timeout = cfg->attempt_timeout > 0 ? cfg->attempt_timeout :
	    MC_ATTEMPT_TIMEOUT;
	net->tries = cfg->tries > 0 ? cfg->tries : MC_QUERY_TRIES;
	/* a short query timeout still leaves room for a second server */
	if (net->attempt_timeout > net->query_timeout / net->tries)
		net->attempt_timeout = net->query_timeout / net->tries;
	if (cfg->nresolvers > NET_MAX_SERVERS) {
		snprintf(err, errsize, "too many resolvers (at most %d)",
		    NET_MAX_SERVERS);
		free(net);
		return NULL;
	}
	for (i = 0; i < cfg->nresolvers; i++) {
		if (parse_server(cfg->resolvers[i], &net->srv[i]) == -1) {
			snprintf(err, errsize, "invalid resolver '%s' (expected "
			    "ADDR, ADDR:PORT or [IPV6]:PORT)", cfg->resolvers[i]);
			free(net);
			return NULL;
		}
	}
	net->nsrv = cfg->nresolvers;
	if (net->nsrv == 0 && read_resolv_conf(net, err, errsize) == -1) {
		free(net);
		return NULL;
	}
	net->qps = cfg->qps > 0 ? cfg->qps : 0;
	if (cfg->dqs_key != NULL) {
		if (!mc_dqs_key_valid(cfg->dqs_key)) {
			/* never shown: it is a secret */
			snprintf(err, errsize, "invalid DQS key (expected 1 to "
			    "%d letters and digits)", MC_DQS_KEY_MAX);
			free(net);
			return NULL;
		}
		/* lower case, as the names of the answers are */
		for (i = 0; cfg->dqs_key[i] != '\0'; i++)
			net->dqs_key[i] = (char)tolower(
			    (unsigned char)cfg->dqs_key[i]);
		net->dqs_key[i] = '\0';
	}
	for (i = 0; i < net->nsrv; i++)
		net->srv[i].tokens = MC_QPS_BURST(net->qps);
	if (pthread_mutex_init(&net->lock, NULL) != 0) {
		snprintf(err, errsize, "cannot create a lock");
		free(net);
		return NULL;
	}
	return net;
}

static void
net_free(void *state)
{
	struct net *net = state;
	size_t f, i;

	if (net == NULL)
		return;
	for (f = 0; f < 2; f++)
		for (i = 0; i < net->nidle[f]; i++)
			close(net->idle[f][i]);
	pthread_mutex_destroy(&net->lock);
	explicit_bzero(net->dqs_key, sizeof(net->dqs_key));
	free(net);
}

static int
open_socket(int family, int type)
{
	/* non-blocking from the start: one system call, not three */
	return socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
}

/*
 * A UDP socket of family for a batch: one left by an earlier batch, or a
 * new one bound at once to a port the kernel picks at random from its
 * ephemeral range, kept for its whole life.  -1 (errno set) when none.
 */
static int
udp_socket_get(struct net *net, int family)
{
	struct sockaddr_storage ss;
	int f = family == AF_INET6, fd = -1;

	pthread_mutex_lock(&net->lock);
	if (net->nidle[f] > 0)
		fd = net->idle[f][--net->nidle[f]];
	pthread_mutex_unlock(&net->lock);
	if (fd != -1)
		return fd;
	fd = open_socket(family, SOCK_DGRAM);
	if (fd == -1)
		return -1;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (bind(fd, (const struct sockaddr *)&ss, family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A batch is over: its sockets wait for the next (replies still on their
   way to them are dropped there: their IDs and questions match nothing) */
static void
udp_socket_put(struct net *net, int fd, int family)
{
	int f = family == AF_INET6;

	pthread_mutex_lock(&net->lock);
	if (net->nidle[f] < NET_IDLE_MAX) {
		net->idle[f][net->nidle[f]++] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&net->lock);
	if (fd != -1)
		close(fd);
}

/* The index in cs of the UDP socket fd (one of them). */
static int
chan_of(const struct chans *cs, int fd)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (cs->c[i].fd == fd)
			break;
	return (int)i;
}

/* Leave the UDP socket, if any. */
static void
chan_leave(struct slot *s)
{
	if (s->ch != -1)
		s->cs->c[s->ch].users--;
	s->ch = -1;
}

/*
 * Put s on a UDP socket of family: its own while it is of that family,
 * else the first of the batch's with room, else a new one.  0, or -1
 * (errno set).
 */
static int
chan_join(struct net *net, struct slot *s, int family)
{
	struct chans *cs = s->cs;
	struct chan *nc;
	size_t i;
	int fd;

	if (s->ch != -1 && cs->c[s->ch].family == family)
		return 0;
	chan_leave(s);
	for (i = 0; i < cs->n; i++)
		if (cs->c[i].family == family &&
		    cs->c[i].users < NET_PER_SOCKET)
			break;
	if (i == cs->n) {
		if (cs->n == cs->cap) {
			nc = realloc(cs->c, (cs->cap * 2 + 4) * sizeof(*nc));
			if (nc == NULL) {
				errno = ENOMEM;
				return -1;
			}
			cs->c = nc;
			cs->cap = cs->cap * 2 + 4;
		}
		fd = udp_socket_get(net, family);
		if (fd == -1)
			return -1;
		cs->c[i] = (struct chan){ .fd = fd, .family = family };
		cs->n++;
	}
	cs->c[i].users++;
	s->ch = (int)i;
	return 0;
}

/* Close the TCP connection and leave the UDP socket, if any. */
static void
slot_close(struct slot *s)
{
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	chan_leave(s);
}

/*
 * Send the queued datagrams, a sendmmsg() call for each run of them on one
 * socket.  A datagram that cannot be sent is a lost packet, as a failed
 * sendto() was: the retransmission handles it.
 */
static void
send_flush(struct chans *cs)
{
	size_t i = 0, j;
	int sent;

	while (i < cs->nout) {
		for (j = i + 1; j < cs->nout && cs->outfd[j] == cs->outfd[i];
		    j++)
			;
		while (i < j) {
			sent = sendmmsg(cs->outfd[i], &cs->out[i],
			    (unsigned)(j - i), 0);
			/* -1: the first failed; skip it, send the rest */
			i += sent > 0 ? (size_t)sent : 1;
		}
	}
	cs->nout = 0;
}

/* Queue len bytes at wire for sa on UDP socket fd. */
static void
send_queue(struct chans *cs, int fd, unsigned char *wire, size_t len,
    struct server *srv)
{
	size_t k;

	if (cs->nout == NET_SEND_BATCH)
		send_flush(cs);
	k = cs->nout++;
	cs->outfd[k] = fd;
	cs->outiov[k] = (struct iovec){ .iov_base = wire, .iov_len = len };
	cs->out[k] = (struct mmsghdr){ .msg_hdr = { .msg_name = &srv->sa,
	    .msg_namelen = srv->salen, .msg_iov = &cs->outiov[k],
	    .msg_iovlen = 1 } };
}

static void
slot_free_wire(struct slot *s)
{
	struct chans *cs = s->cs;
	size_t k;

	/* a queued datagram may point into the wire: send it first */
	for (k = 0; cs != NULL && k < cs->nout; k++) {
		if (cs->outiov[k].iov_base == s->wire ||
		    cs->outiov[k].iov_base == s->plain) {
			send_flush(cs);
			break;
		}
	}
	free(s->wire);
	free(s->plain);
	s->wire = s->plain = NULL;
}

/* Overwrite every copy of the key in len bytes at p with '*'. */
static void
mask_key(const char *key, char *p, size_t len)
{
	size_t klen = strlen(key), i;

	if (p == NULL || klen == 0)
		return;
	for (i = 0; i + klen <= len; i++)
		if (memcmp(p + i, key, klen) == 0) {
			memset(p + i, '*', klen);
			i += klen - 1;
		}
}

/* The answer to a DQS name: the key masked wherever the reply put it. */
static void
dqs_scrub(const char *key, struct mc_dns_answer *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (a->cname != NULL)
		mask_key(key, a->cname, strlen(a->cname));
	if (a->why != NULL)
		mask_key(key, a->why, strlen(a->why));
	for (i = 0; i < a->count; i++)
		mask_key(key, a->rr[i].data, a->rr[i].len);
	for (i = 0; i < a->nsec; i++)
		mask_key(key, a->sec[i], strlen(a->sec[i]));
}

static void
slot_finish(struct slot *s, int *active)
{
	slot_close(s);
	slot_free_wire(s);
	free(s->buf);
	s->buf = NULL;
	mc_answer_free(s->held);
	s->held = NULL;
	free(s->chain);
	s->chain = NULL;
	s->st = SLOT_DONE;
	if (s->wname != NULL)
		dqs_scrub(s->key, s->req->ans);
	free(s->wname);
	s->wname = NULL;
	if (s->req->ans != NULL)
		mc_answer_finish(s->req->ans);
	(*active)--;
	/* the answer goes to the cache, and its waiters, now */
	mc_dns_request_done(s->req);
	s->req = NULL;
}

static void
slot_fail(struct slot *s, int *active, const char *why)
{
	mc_answer_fail(s->req->ans, MC_DNS_TEMPFAIL, -1, "%s", why);
	slot_finish(s, active);
	/* mc_answer_finish() keeps a failure: there are no records */
}

/* Out of time: a server's failure held back is the verdict, else why. */
static void
slot_timeout(struct slot *s, int *active, const char *why)
{
	if (s->held == NULL) {
		mc_answer_fail(s->req->ans, MC_DNS_TEMPFAIL, -1, "%s", why);
		/* a session with more time asks again (see dns.c) */
		if (s->cut)
			s->req->ans->reason = MC_DNS_REASON_BUDGET;
		slot_finish(s, active);
		return;
	}
	mc_answer_free(s->req->ans);
	s->req->ans = s->held;
	s->held = NULL;
	slot_finish(s, active);
}

/* A question the deadline ended (reason DEADLINE), or NULL. */
static struct mc_dns_answer *
deadline_answer(const struct mc_dns_request *req)
{
	struct mc_dns_answer *a;

	a = mc_answer_new(req->name, req->type);
	if (a != NULL) {
		mc_answer_fail(a, MC_DNS_TEMPFAIL, -1, "deadline reached");
		a->reason = MC_DNS_REASON_DEADLINE;
	}
	return a;
}

/* The deadline passed: a failure held back stands, else the deadline. */
static void
slot_deadline(struct slot *s, int *active)
{
	if (s->held == NULL) {
		mc_answer_free(s->req->ans);
		s->req->ans = deadline_answer(s->req);
		slot_finish(s, active);
		return;
	}
	slot_timeout(s, active, "deadline reached");
}

/* Does server i get the query with EDNS?  Not once it rejected EDNS. */
static int
slot_edns(const struct slot *s, size_t i)
{
	return !(s->noedns & (1u << i));
}

/* The query as server i gets it. */
static void
slot_query(const struct slot *s, size_t i, const unsigned char **wire,
    size_t *len)
{
	if (slot_edns(s, i)) {
		*wire = s->wire;
		*len = s->wlen;
	} else {
		*wire = s->plain;
		*len = s->plen;
	}
}

/*
 * --qps: may a query go to server i now?  0 when it may (a token taken),
 * else the time the next token comes (none taken).
 */
static double
qps_take(struct net *net, size_t i, double now)
{
	struct server *srv = &net->srv[i];
	double burst = MC_QPS_BURST(net->qps), at = 0;

	if (net->qps <= 0)
		return 0;
	pthread_mutex_lock(&net->lock);
	if (now > srv->stamp) {
		srv->tokens += (now - srv->stamp) * net->qps;
		if (srv->tokens > burst)
			srv->tokens = burst;
		srv->stamp = now;
	}
	if (srv->tokens >= 1)
		srv->tokens -= 1;
	else
		at = srv->stamp + (1 - srv->tokens) / net->qps;
	pthread_mutex_unlock(&net->lock);
	return at;
}

/*
 * Send the question over UDP to the next server in turn: 0, or -1 (errno
 * set).  Without a token (--qps) nothing is sent: s->next is set to when
 * one comes, and the send is tried again then.
 */
static int
udp_send(struct net *net, struct slot *s, double now)
{
	struct server *srv;
	double wait, at;

	if (s->tries == 0)
		s->first = (size_t)__atomic_load_n(&net->preferred,
		    __ATOMIC_RELAXED) % net->nsrv;
	s->server = (s->first + (size_t)s->tries) % net->nsrv;
	srv = &net->srv[s->server];
	/* another family needs another socket */
	if (chan_join(net, s, srv->sa.ss_family) == -1)
		return -1;
	at = qps_take(net, s->server, now);
	if (at > 0) {
		/* a question's budget starts with its first send (a CNAME's
		   target is asked within the budget of the question) */
		if (s->tries == 0 && s->chain == NULL)
			s->started = at;
		s->next = at;
		return 0;
	}
	/* sent before the loop polls (send_flush()); a failed send is a
	   lost packet: the retransmission handles it */
	if (slot_edns(s, s->server))
		send_queue(s->cs, s->cs->c[s->ch].fd, s->wire, s->wlen, srv);
	else
		send_queue(s->cs, s->cs->c[s->ch].fd, s->plain, s->plen, srv);
	wait = s->attempt * (double)(1 << (s->tries < 8 ? s->tries : 8));
	s->tries++;
	s->next = now + wait;
	if (s->next > s->started + s->budget)
		s->next = s->started + s->budget;
	return 0;
}

/*
 * Put a question on the wire: 0, or -1 when it failed (its answer says
 * why), or 1 when the process is out of descriptors and others are in
 * flight: then nothing is left allocated and the question can start later.
 */
/*
 * The question's own budget (see the header): its query timeout, but at
 * most NET_BUDGET_SHARE of the time left before the deadline, and a first
 * retransmission interval that leaves room for every try within it.
 */
static void
slot_budget(struct net *net, struct slot *s, double now,
    double deadline)
{
	double left = deadline - now, share = NET_BUDGET_SHARE * left;

	if (share < NET_BUDGET_MIN)
		share = left < NET_BUDGET_MIN ? left : NET_BUDGET_MIN;
	s->budget = net->query_timeout;
	s->cut = deadline > 0 && s->budget > share;
	if (s->cut)
		s->budget = share;
	s->attempt = net->attempt_timeout;
	if (s->attempt > s->budget / net->tries)
		s->attempt = s->budget / net->tries;
}

/*
 * A random query ID, from the batch's store of random bits: one
 * getrandom() call for NET_RANDOM_IDS IDs, not one for each.
 */
static uint16_t
new_id(struct net *net, struct slot *s, double now)
{
	struct chans *cs = s->cs;

	if (cs->nrnd == 0) {
		/* NET_RANDOM_IDS from the handle's store, which one
		   getrandom() call fills for many batches */
		pthread_mutex_lock(&net->lock);
		if (net->nrnd < NET_RANDOM_IDS &&
		    getrandom(net->rnd, sizeof(net->rnd), 0) ==
		    sizeof(net->rnd))
			net->nrnd = NET_RANDOM_POOL;
		if (net->nrnd >= NET_RANDOM_IDS) {
			net->nrnd -= NET_RANDOM_IDS;
			memcpy(cs->rnd, &net->rnd[net->nrnd],
			    sizeof(cs->rnd));
			cs->nrnd = NET_RANDOM_IDS;
		}
		pthread_mutex_unlock(&net->lock);
		if (cs->nrnd == 0)
			return (uint16_t)((uintptr_t)s ^ (uint16_t)(now * 1e6));
	}
	return cs->rnd[--cs->nrnd];
}

/* The query for s->qname with EDNS, under a new ID; 0 or -1. */
static int
slot_query_new(struct net *net, struct slot *s, double now)
{
	slot_free_wire(s);
	s->id = new_id(net, s, now);
	s->noedns = 0;
	return mc_dns_build_query(s->qname, s->req->type, s->id, 1, &s->wire,
	    &s->wlen);
}

static int
slot_start(struct net *net, struct slot *s, double now, double deadline,
    int others)
{
	char wname[MC_DNS_NAME_MAX + 2];
	int rc;

	s->fd = -1;
	s->qname = s->req->name;
	s->req->ans = mc_answer_new(s->req->name, s->req->type);
	if (s->req->ans == NULL)
		return -1;
	if (net->dqs_key[0] != '\0') {
		rc = mc_dqs_wire_name(net->dqs_key, s->req->name, wname,
		    sizeof(wname));
		if (rc == -1) {
			mc_answer_fail(s->req->ans, MC_DNS_PERMFAIL, -1,
			    "the name is too long for its DQS twin");
			return -1;
		}
		if (rc == 1) {
			s->wname = strdup(wname);
			if (s->wname == NULL) {
				mc_answer_fail(s->req->ans, MC_DNS_TEMPFAIL,
				    -1, "out of memory");
				return -1;
			}
			s->key = net->dqs_key;
			s->qname = s->wname;
		}
	}
	if (slot_query_new(net, s, now) == -1) {
		mc_answer_fail(s->req->ans, MC_DNS_PERMFAIL, -1,
		    "cannot build a query for this name");
		return -1;
	}
	s->started = now;
	slot_budget(net, s, now, deadline);
	s->st = SLOT_UDP;
	if (udp_send(net, s, now) == -1) {
		if ((errno == EMFILE || errno == ENFILE) && others) {
			slot_free_wire(s);
			free(s->wname);
			s->wname = NULL;
			mc_answer_free(s->req->ans);
			s->req->ans = NULL;
			s->st = SLOT_WAITING;
			return 1;
		}
		mc_answer_fail(s->req->ans, MC_DNS_TEMPFAIL, -1,
		    "cannot open a socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

/*
 * A new empty answer for the question, in place of one a server failed:
 * the CNAME chain followed so far stays.  NULL when memory runs out.
 */
static struct mc_dns_answer *
fresh_answer(const struct slot *s)
{
	struct mc_dns_answer *a;

	a = mc_answer_new(s->req->name, s->req->type);
	if (a != NULL && s->req->ans->cname != NULL &&
	    mc_answer_set_cname(a, s->req->ans->cname) == -1) {
		mc_answer_free(a);
		a = NULL;
	}
	return a;
}

/* Name the server in a failed answer: "SERVFAIL from 127.0.0.1:53". */
static void
blame(struct mc_dns_answer *a, const struct server *srv)
{
	char why[256];

	if (a->why == NULL)
		return;
	snprintf(why, sizeof(why), "%s from %s", a->why, srv->text);
	mc_answer_fail(a, a->status, a->rcode, "%s", why);
}

/*
 * Does a failed answer speak for one server only?  SERVFAIL, REFUSED,
 * NOTIMP and FORMERR do (our queries are well formed, so FORMERR says the
 * server is broken, not the question), and so do BADVERS (only a reply to
 * a query without EDNS ends with it, and there it makes no sense) and
 * failures without an RCODE: a malformed reply, a TCP exchange that went
 * wrong.
 */
static int
server_failure(const struct mc_dns_answer *a)
{
	switch (a->rcode) {
	case -1:
		return a->status == MC_DNS_TEMPFAIL ||
		    a->status == MC_DNS_PERMFAIL;
	case 1: /* FORMERR */
	case 2: /* SERVFAIL */
	case 4: /* NOTIMP */
	case 5: /* REFUSED */
	case MC_DNS_RCODE_BADVERS:
		return 1;
	default:
		return 0;
	}
}

/* Is a server left that this question has not been sent to? */
static int
server_left(struct net *net, const struct slot *s)
{
	return (size_t)s->tries < net->nsrv && s->tries < net->tries;
}

/*
 * A failure that speaks for one server sends the question on to the next
 * at once, over UDP, as res_send() does, while a server is left and the
 * question has time.  Returns 1 when the question is on the wire again
 * (or failed), 0 to keep the answer.
 */
static int
ask_elsewhere(struct net *net, struct slot *s, double now, int *active)
{
	struct mc_dns_answer *fresh;

	if (!server_failure(s->req->ans) || !server_left(net, s) ||
	    now >= s->started + s->budget)
		return 0;
	fresh = fresh_answer(s);
	if (fresh == NULL)
		return 0;
	mc_answer_free(s->req->ans);
	s->req->ans = fresh;
	if (s->st != SLOT_UDP) {
		/* back from TCP: udp_send() opens a datagram socket */
		slot_close(s);
		free(s->buf);
		s->buf = NULL;
		s->st = SLOT_UDP;
	}
	if (udp_send(net, s, now) == -1)
		slot_fail(s, active, "cannot open a socket");
	return 1;
}

/*
 * Server i failed the question (see server_failure) and no server is left
 * to ask, but i is not the server asked last, whose answer is still to
 * come: keep the failure (the verdict if nothing else comes in time) and go
 * on waiting.  Returns 1 when the failure is held.
 */
static int
hold_failure(struct net *net, struct slot *s, size_t i, double now)
{
	struct mc_dns_answer *fresh;

	if (!server_failure(s->req->ans) || i == s->server ||
	    now >= s->started + s->budget)
		return 0;
	fresh = fresh_answer(s);
	if (fresh == NULL)
		return 0;
	blame(s->req->ans, &net->srv[i]);
	mc_answer_free(s->held);
	s->held = s->req->ans;
	s->req->ans = fresh;
	return 1;
}

/* The TCP exchange is over, its verdict in s->req->ans. */
static void
tcp_done(struct net *net, struct slot *s, double now, int *active)
{
	if (ask_elsewhere(net, s, now, active))
		return;
	blame(s->req->ans, &net->srv[s->server]);
	slot_finish(s, active);
}

/* The TCP exchange failed: a failure of that server (see tcp_done). */
static void
tcp_fail(struct net *net, struct slot *s, double now, int *active,
    enum mc_dns_status status, const char *why)
{
	mc_answer_fail(s->req->ans, status, -1, "%s", why);
	tcp_done(net, s, now, active);
}

static void
tcp_start(struct net *net, struct slot *s, size_t server, double now,
    int *active)
{
	const struct server *srv = &net->srv[server];
	const unsigned char *wire;
	size_t wlen;
	double at;

	slot_close(s);
	s->server = server;
	at = qps_take(net, server, now);
	if (at > 0) {
		/* no token (--qps): the loop starts it when one comes */
		s->st = SLOT_TCP_WAIT;
		s->next = at;
		return;
	}
	s->st = SLOT_TCP_CONNECT;
	s->fd = open_socket(srv->sa.ss_family, SOCK_STREAM);
	if (s->fd == -1) {
		slot_fail(s, active, "truncated reply and no TCP socket");
		return;
	}
	slot_query(s, server, &wire, &wlen);
	free(s->buf);
	s->buf = malloc(wlen + 2);
	if (s->buf == NULL) {
		slot_fail(s, active, "out of memory");
		return;
	}
	s->buf[0] = (unsigned char)(wlen >> 8);
	s->buf[1] = (unsigned char)wlen;
	memcpy(s->buf + 2, wire, wlen);
	s->have = 0;
	s->need = wlen + 2;
	/*
	 * TCP may take the rest of the question's time; but while another
	 * server could be asked, two retransmission intervals at most (a
	 * connection and an exchange), so that a hung connection leaves the
	 * next server time to answer.
	 */
	s->next = s->started + s->budget;
	if (server_left(net, s) && s->next > now + 2 * s->attempt)
		s->next = now + 2 * s->attempt;
	if (s->next < now + s->attempt)
		s->next = now + s->attempt;
	if (connect(s->fd, (const struct sockaddr *)&srv->sa, srv->salen) == 0)
		s->st = SLOT_TCP_WRITE;
	else if (errno != EINPROGRESS)
		tcp_fail(net, s, now, active, MC_DNS_TEMPFAIL,
		    "TCP connection refused");
}

/* The ID of the query server i gets. */
static uint16_t
slot_id(const struct slot *s, size_t i)
{
	return slot_edns(s, i) ? s->id : s->pid;
}

/* Make the query without EDNS, with its own ID, once; 0 or -1. */
static int
slot_plain(struct net *net, struct slot *s)
{
	if (s->plain != NULL)
		return 0;
	s->pid = new_id(net, s, mc_now());
	if (s->pid == s->id)
		s->pid ^= 1;
	return mc_dns_build_query(s->qname, s->req->type, s->pid, 0,
	    &s->plain, &s->plen);
}

/*
 * Server i does not understand EDNS (RFC 6891 7): ask it the same question
 * again without EDNS, at once, on the same socket.  That query has its own
 * ID: the server's replies to copies with EDNS sent before (a
 * retransmission) may still come, and a FORMERR to one of them is no
 * verdict on the query without EDNS.  Other servers and other questions
 * keep EDNS; the retransmission timer runs on.
 */
static void
edns_fallback(struct net *net, struct slot *s, size_t i, int *active)
{
	const struct server *srv = &net->srv[i];

	if (slot_plain(net, s) == -1) {
		slot_fail(s, active, "out of memory");
		return;
	}
	s->noedns |= 1u << i;
	/* no token (--qps): the next retransmission asks without EDNS */
	if (qps_take(net, i, mc_now()) > 0)
		return;
	/* a failed send is a lost packet: the retransmission handles it */
	(void)sendto(s->cs->c[s->ch].fd, s->plain, s->plen, 0,
	    (const struct sockaddr *)&srv->sa, srv->salen);
}

/*
 * The reply (wire, asked without EDNS when plain) follows a CNAME chain
 * that stops short: ask its last target, with the chain kept, over UDP, as
 * a new query (new ID) within the question's own budget.  A first such
 * reply is parsed again with a chain of the slot's own, to carry it on.
 */
static void
follow_cname(struct net *net, struct slot *s, const unsigned char *wire,
    size_t len, int plain, double now, int *active)
{
	enum mc_reply r;

	if (s->chain == NULL) {
		s->chain = malloc(sizeof(*s->chain));
		if (s->chain == NULL) {
			slot_fail(s, active, "out of memory");
			return;
		}
		s->chain->n = 1;
		snprintf(s->chain->names[0], sizeof(s->chain->names[0]), "%s",
		    s->qname);
		r = mc_dns_parse_reply(wire, len, plain ? s->pid : s->id,
		    s->qname, s->req->type, !plain, s->chain, s->req->ans);
		if (r != MC_REPLY_SHORT) {
			/* a loop or an over-long chain: the answer says so */
			slot_finish(s, active);
			return;
		}
	}
	s->qname = s->chain->names[s->chain->n - 1];
	if (slot_query_new(net, s, now) == -1) {
		slot_fail(s, active, "out of memory");
		return;
	}
	if (s->st != SLOT_UDP) {
		slot_close(s);
		free(s->buf);
		s->buf = NULL;
		s->st = SLOT_UDP;
	}
	s->tries = 0;
	mc_answer_free(s->held);
	s->held = NULL;
	if (now >= s->started + s->budget) {
		slot_timeout(s, active, "timeout");
		return;
	}
	if (udp_send(net, s, now) == -1)
		slot_fail(s, active, "cannot open a socket");
}

/*
 * A datagram from server i that carries s's ID (with EDNS or without):
 * 0 when it is not the reply to s's question (another question on the
 * socket may have the same ID), else 1, whatever became of it.
 */
static int
udp_reply(struct net *net, struct slot *s, const unsigned char *pkt,
    size_t n, size_t i, double now, int *active)
{
	enum mc_reply r;
	int plain;

	/* the ID says which query, with EDNS or without, it answers */
	plain = s->plain != NULL && ((pkt[0] << 8) | pkt[1]) == s->pid;
	r = mc_dns_parse_reply(pkt, n, plain ? s->pid : s->id, s->qname,
	    s->req->type, !plain, s->chain, s->req->ans);
	if (r == MC_REPLY_FOREIGN)
		return 0;
	if (r == MC_REPLY_SHORT) {
		__atomic_store_n(&net->preferred, (int)i, __ATOMIC_RELAXED);
		follow_cname(net, s, pkt, n, plain, now, active);
		return 1;
	}
	if (r == MC_REPLY_NOEDNS) {
		/* a copy sent before server i's fallback: no news */
		if (slot_edns(s, i))
			edns_fallback(net, s, i, active);
		return 1;
	}
	if (r == MC_REPLY_DONE && ask_elsewhere(net, s, now, active))
		return 1;
	if (r == MC_REPLY_DONE && hold_failure(net, s, i, now))
		return 1;
	__atomic_store_n(&net->preferred, (int)i, __ATOMIC_RELAXED);
	if (r == MC_REPLY_TRUNCATED)
		tcp_start(net, s, i, now, active);
	else {
		blame(s->req->ans, &net->srv[i]);
		slot_finish(s, active);
	}
	return 1;
}

/*
 * One datagram read from UDP socket c: it goes to the question on c whose
 * ID and question it matches (slot[lo..hi)), if it comes from a server we
 * asked; anything else is dropped.
 */
static void
udp_datagram(struct net *net, int c, struct slot *slot, size_t lo,
    size_t hi, const unsigned char *pkt, size_t n,
    const struct sockaddr_storage *from, double now, int *active)
{
	struct slot *s;
	size_t i, k;
	unsigned id;

	if (n < 2)
		return;
	for (i = 0; i < net->nsrv; i++)
		if (same_addr(from, &net->srv[i].sa))
			break;
	if (i == net->nsrv)
		return; /* not from a server we asked */
	id = ((unsigned)pkt[0] << 8) | pkt[1];
	for (k = lo; k < hi; k++) {
		s = &slot[k];
		if (s->st != SLOT_UDP || s->ch != c || (s->id != id &&
		    (s->plain == NULL || s->pid != id)))
			continue;
		if (udp_reply(net, s, pkt, n, i, now, active))
			break;
	}
}

/*
 * Read what UDP socket c holds, NET_RECV_BATCH datagrams a recvmmsg()
 * call, until a call returns fewer (the socket is drained: no call is
 * spent on EAGAIN, the next poll() says when more came).  A datagram over
 * NET_RECV_SIZE bytes (we advertise MC_DNS_EDNS_SIZE) is dropped like any
 * datagram that matches nothing.
 */
static void
udp_read(struct net *net, const struct chans *cs, int c, struct slot *slot,
    size_t lo, size_t hi, double now, int *active)
{
	unsigned char pkt[NET_RECV_BATCH][NET_RECV_SIZE];
	struct sockaddr_storage from[NET_RECV_BATCH];
	struct iovec iov[NET_RECV_BATCH];
	struct mmsghdr mm[NET_RECV_BATCH];
	int got, m;

	for (;;) {
		for (m = 0; m < NET_RECV_BATCH; m++) {
			iov[m] = (struct iovec){ .iov_base = pkt[m],
			    .iov_len = sizeof(pkt[m]) };
			mm[m] = (struct mmsghdr){ .msg_hdr = {
			    .msg_name = &from[m],
			    .msg_namelen = sizeof(from[m]),
			    .msg_iov = &iov[m], .msg_iovlen = 1 } };
		}
		got = recvmmsg(cs->c[c].fd, mm, NET_RECV_BATCH, MSG_DONTWAIT,
		    NULL);
		if (got <= 0)
			return; /* EAGAIN, or an ICMP error: keep waiting */
		for (m = 0; m < got; m++)
			if (!(mm[m].msg_hdr.msg_flags & MSG_TRUNC))
				udp_datagram(net, c, slot, lo, hi, pkt[m],
				    mm[m].msg_len, &from[m], now, active);
		if (got < NET_RECV_BATCH)
			return;
	}
}

static void
tcp_io(struct net *net, struct slot *s, short revents, double now,
    int *active)
{
	unsigned char *nb;
	socklen_t len;
	ssize_t n;
	int err;

	if (s->st == SLOT_TCP_CONNECT) {
		err = 0;
		len = sizeof(err);
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			tcp_fail(net, s, now, active, MC_DNS_TEMPFAIL,
			    "TCP connection failed");
			return;
		}
		s->st = SLOT_TCP_WRITE;
	}
	if (s->st == SLOT_TCP_WRITE) {
		n = write(s->fd, s->buf + s->have, s->need - s->have);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				tcp_fail(net, s, now, active, MC_DNS_TEMPFAIL,
				    "TCP write failed");
			return;
		}
		s->have += (size_t)n;
		if (s->have == s->need) {
			s->st = SLOT_TCP_READ;
			s->have = 0;
			s->need = 2;
		}
		return;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = read(s->fd, s->buf + s->have, s->need - s->have);
	if (n == 0) {
		tcp_fail(net, s, now, active, MC_DNS_TEMPFAIL,
		    "TCP connection closed early");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			tcp_fail(net, s, now, active, MC_DNS_TEMPFAIL,
			    "TCP read failed");
		return;
	}
	s->have += (size_t)n;
	if (s->have < s->need)
		return;
	if (s->need == 2) {
		s->need = 2 + (((size_t)s->buf[0] << 8) | s->buf[1]);
		if (s->need < 2 + 12) {
			tcp_fail(net, s, now, active, MC_DNS_PERMFAIL,
			    "malformed reply over TCP");
			return;
		}
		nb = realloc(s->buf, s->need);
		if (nb == NULL) {
			slot_fail(s, active, "out of memory");
			return;
		}
		s->buf = nb;
		return;
	}
	switch (mc_dns_parse_reply(s->buf + 2, s->need - 2,
	    slot_id(s, s->server), s->qname, s->req->type,
	    slot_edns(s, s->server), s->chain, s->req->ans)) {
	case MC_REPLY_DONE:
		break;
	case MC_REPLY_SHORT:
		follow_cname(net, s, s->buf + 2, s->need - 2,
		    !slot_edns(s, s->server), now, active);
		return;
	case MC_REPLY_NOEDNS:
		/* the same server, over TCP again, without EDNS (RFC 6891 7) */
		if (slot_plain(net, s) == -1) {
			slot_fail(s, active, "out of memory");
			return;
		}
		s->noedns |= 1u << s->server;
		tcp_start(net, s, s->server, now, active);
		return;
	case MC_REPLY_TRUNCATED:
		mc_answer_fail(s->req->ans, MC_DNS_PERMFAIL, -1,
		    "truncated reply over TCP");
		break;
	case MC_REPLY_FOREIGN:
		mc_answer_fail(s->req->ans, MC_DNS_PERMFAIL, -1,
		    "reply over TCP does not match the question");
		break;
	}
	tcp_done(net, s, now, active);
}

static void
net_resolve(void *state, struct mc_dns_request *const *req, size_t n,
    double deadline)
{
	struct net *net = state;
	struct chans cs = { .c = NULL };
	struct pollfd *pfd = NULL;
	struct slot *slot = NULL, **polled = NULL;
	size_t i, lo = 0, next = 0, np, burst, npmax;
	double now, wake;
	int active = 0, limit = MC_DNS_INFLIGHT_MAX, ms, rc, paced;

	/* the questions in flight over TCP, and the UDP sockets (a socket
	   holds NET_PER_SOCKET questions: far fewer than MC_DNS_INFLIGHT_MAX
	   of them, but every one of them may be polled besides) */
	npmax = 2 * MC_DNS_INFLIGHT_MAX;
	slot = calloc(n, sizeof(*slot));
	pfd = calloc(npmax, sizeof(*pfd));
	polled = calloc(npmax, sizeof(*polled));
	if (slot == NULL || pfd == NULL || polled == NULL) {
		for (i = 0; i < n; i++) {
			req[i]->ans = NULL; /* out of memory */
			mc_dns_request_done(req[i]);
		}
		goto out;
	}
	for (i = 0; i < n; i++) {
		slot[i].req = req[i];
		slot[i].fd = -1;
		slot[i].cs = &cs;
		slot[i].ch = -1;
	}

	for (;;) {
		now = mc_now();
		/* past the deadline nothing more goes on the wire */
		for (; deadline > 0 && now >= deadline && next < n; next++) {
			req[next]->ans = deadline_answer(req[next]);
			slot[next].st = SLOT_DONE;
			mc_dns_request_done(req[next]);
		}
		paced = 0;
		for (burst = 0; next < n && active < limit && burst < NET_BURST &&
		    !paced; burst++) {
			rc = slot_start(net, &slot[next], now, deadline,
			    active > 0);
			if (rc == 1) {
				/* out of descriptors: wait for some to close */
				limit = active;
				break;
			}
			active++;
			if (rc == -1) {
				/* slot_start() said why in the answer */
				slot_finish(&slot[next], &active);
			} else if (slot[next].tries == 0) {
				/* it waits for a token (--qps): so would more */
				paced = 1;
			}
			next++;
		}
		if (active == 0 && next == n)
			break;
		if (active == 0)
			continue; /* a burst that all failed at once: more to start */

		/* timers, then the poll set; slot[0..lo) are all done */
		np = 0;
		wake = deadline > 0 ? deadline : now + 3600;
		while (lo < next && slot[lo].st == SLOT_DONE)
			lo++;
		for (i = lo; i < next; i++) {
			struct slot *s = &slot[i];

			if (s->st == SLOT_DONE || s->st == SLOT_WAITING)
				continue;
			if (deadline > 0 && now >= deadline) {
				slot_deadline(s, &active);
				continue;
			}
			if (s->st == SLOT_TCP_WAIT) {
				if (now >= s->started + s->budget)
					slot_timeout(s, &active, "timeout");
				else if (now >= s->next)
					tcp_start(net, s, s->server, now,
					    &active);
				if (s->st == SLOT_TCP_WAIT && s->next < wake)
					wake = s->next;
				if (s->st == SLOT_TCP_WAIT || s->st == SLOT_DONE)
					continue;
			}
			if (now >= s->started + s->budget &&
			    s->st == SLOT_UDP) {
				slot_timeout(s, &active, "timeout");
				continue;
			}
			if (now >= s->next && s->st != SLOT_UDP) {
				/* the next server, if any, is asked over UDP */
				tcp_fail(net, s, now, &active, MC_DNS_TEMPFAIL,
				    "timeout over TCP");
				if (s->st == SLOT_DONE)
					continue;
			} else if (now >= s->next) {
				if (s->tries < net->tries) {
					if (udp_send(net, s, now) == -1) {
						slot_fail(s, &active,
						    "cannot open a socket");
						continue;
					}
				} else
					s->next = s->started + s->budget;
			}
			if (s->next < wake)
				wake = s->next;
			if (s->st == SLOT_UDP || np == npmax)
				continue; /* its socket is polled below */
			pfd[np].fd = s->fd;
			pfd[np].events = (s->st == SLOT_TCP_CONNECT ||
			    s->st == SLOT_TCP_WRITE) ? POLLOUT : POLLIN;
			pfd[np].revents = 0;
			polled[np++] = s;
		}
		/* the UDP sockets with questions on them (polled[] NULL) */
		for (i = 0; i < cs.n && np < npmax; i++) {
			if (cs.c[i].users == 0)
				continue;
			pfd[np].fd = cs.c[i].fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			polled[np++] = NULL;
		}
		ms = (int)((wake - now) * 1000.0) + 1;
		if (ms < 0)
			ms = 0;
		if (next < n && active < limit && !paced &&
		    ms > NET_BURST_GAP_MS)
			ms = NET_BURST_GAP_MS;
		/* what this turn put on the wire, in a call or a few */
		send_flush(&cs);
		if (np == 0) {
			/* nothing on the wire: done, or only TCP queries
			   waiting for a token (--qps) */
			if (active > 0 && ms > 0)
				(void)poll(NULL, 0, ms);
			continue;
		}
		if (poll(pfd, np, ms) <= 0)
			continue;
		now = mc_now();
		for (i = 0; i < np; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (polled[i] == NULL)
				udp_read(net, &cs, chan_of(&cs, pfd[i].fd), slot,
				    lo, next, now, &active);
			else if (polled[i]->st != SLOT_DONE &&
			    polled[i]->st != SLOT_UDP)
				tcp_io(net, polled[i], pfd[i].revents, now,
				    &active);
		}
	}
out:
	send_flush(&cs);
	for (i = 0; i < cs.n; i++)
		udp_socket_put(net, cs.c[i].fd, cs.c[i].family);
	free(cs.c);
	free(slot);
	free(pfd);
	free(polled);
}

const struct mc_dns_backend mc_dns_backend_net = {
	.name = "network",
	.use = net_use,
	.open = net_open,
	.resolve = net_resolve,
	.free = net_free,
	.source = MC_DNS_SOURCE_NETWORK,
};
