/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dns_cname_net.c - CNAME chains on the network path
 *
 * A scripted server on loopback, started here, answers each name with one
 * hop of a chain, as an authoritative server does for a target outside its
 * zone: the engine must ask again for the last target, follow the chain up
 * to MC_DNS_CNAME_MAX hops over all the answers, and end a loop or an
 * over-long chain as a failure with its reason, never as "no records".  A
 * chain that ends with an SOA in the authority section is a real NODATA
 * and is not asked again.
 *
 *   a.test   CNAME b.test          b.test A 192.0.2.7
 *   l1.test  CNAME l2.test         l2.test CNAME l1.test
 *   cN.test  CNAME cN+1.test       (for ever)
 *   n.test   CNAME m.test, SOA in the authority section, no A
 *   silent.test  never answered; anything else NXDOMAIN
 *
 * The same server shows that an answer is published the moment it
 * arrives: a thread waiting on one question of another thread's batch is
 * not held until the batch's silent question gives up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/dns.h"
#include "mailcheck/limits.h"
#include "mc_pkt.h"
#include "banned.h"

struct server {
	int fd;
	int port;
	atomic_int stop;
	atomic_int received;
	pthread_t thread;
};

static void
rr_cname(struct pkt *p, const char *owner, const char *target)
{
	struct pkt t = { .len = 0 };

	put_name(&t, target);
	rr_head(p, owner, MC_RR_CNAME, (unsigned)t.len);
	memcpy(p->b + p->len, t.b, t.len);
	p->len += t.len;
}

/* The question's name as text, and the end of the question. */
static int
qname_of(const unsigned char *b, size_t len, char *name, size_t size,
    size_t *end)
{
	size_t i = 12, o = 0, n;

	while (i < len && b[i] != 0) {
		n = b[i++];
		if (n > 63 || i + n > len || o + n + 2 > size)
			return -1;
		if (o > 0)
			name[o++] = '.';
		memcpy(name + o, b + i, n);
		o += n;
		i += n;
	}
	name[o] = '\0';
	if (i + 5 > len)
		return -1;
	*end = i + 5;
	return 0;
}

static void
reply(const unsigned char *q, size_t qend, const char *name, struct pkt *p)
{
	char target[64];
	int n;

	memcpy(p->b, q, qend);
	p->len = qend;
	p->b[2] = 0x84 | (q[2] & 0x01); /* QR AA, RD copied */
	p->b[3] = 0x00;
	p->b[4] = 0;
	p->b[5] = 1;
	memset(p->b + 6, 0, 6);
	p->b[7] = 1; /* one answer */
	if (strcmp(name, "a.test") == 0)
		rr_cname(p, name, "b.test");
	else if (strcmp(name, "b.test") == 0) {
		rr_head(p, name, MC_RR_A, 4);
		put16(p, 0xc000);
		put16(p, 0x0207);
	} else if (strcmp(name, "l1.test") == 0)
		rr_cname(p, name, "l2.test");
	else if (strcmp(name, "l2.test") == 0)
		rr_cname(p, name, "l1.test");
	else if (name[0] == 'c' && name[1] >= '0' && name[1] <= '9') {
		n = (int)strtol(name + 1, NULL, 10);
		snprintf(target, sizeof(target), "c%d.test", n + 1);
		rr_cname(p, name, target);
	} else if (strcmp(name, "n.test") == 0) {
		rr_cname(p, name, "m.test");
		p->b[9] = 1; /* an SOA in the authority section */
		rr_head(p, "test", MC_RR_SOA, 2 + 2 + 20);
		put8(p, 0);
		put8(p, 0);
		put8(p, 0);
		put8(p, 0);
		for (n = 0; n < 20; n++)
			put8(p, 0);
	} else {
		p->b[3] = 3; /* NXDOMAIN */
		p->b[7] = 0;
	}
}

static void *
serve(void *arg)
{
	struct server *srv = arg;
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct pollfd pfd = { .fd = srv->fd, .events = POLLIN };
	unsigned char buf[1500];
	char name[256];
	struct pkt p;
	size_t qend;
	ssize_t len;

	while (!srv->stop) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fromlen = sizeof(from);
		len = recvfrom(srv->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (len < 12 || qname_of(buf, (size_t)len, name, sizeof(name),
		    &qend) == -1)
			continue;
		srv->received++;
		if (strcmp(name, "silent.test") == 0)
			continue;
		reply(buf, qend, name, &p);
		(void)sendto(srv->fd, p.b, p.len, 0, (struct sockaddr *)&from,
		    fromlen);
	}
	return NULL;
}

static struct server srv;
static struct mc_dns *dns;

static int
group_setup(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	char resolver[64], err[256];
	const char *res[1] = { resolver };
	struct mc_dns_config cfg = { .resolvers = res, .nresolvers = 1,
	    .query_timeout = 3 };

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (srv.fd < 0 || bind(srv.fd, (struct sockaddr *)&sin,
	    sizeof(sin)) != 0 || getsockname(srv.fd, (struct sockaddr *)&sin,
	    &slen) != 0)
		return -1;
	srv.port = ntohs(sin.sin_port);
	if (pthread_create(&srv.thread, NULL, serve, &srv) != 0)
		return -1;
	snprintf(resolver, sizeof(resolver), "127.0.0.1:%d", srv.port);
	dns = mc_dns_new(&cfg, err, sizeof(err));
	if (dns == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	mc_dns_free(dns);
	srv.stop = 1;
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	return 0;
}

/* Ask one question in a session of its own; how many queries it took. */
static const struct mc_dns_answer *
ask(const char *name, int *queries, struct mc_dns_session **s)
{
	const struct mc_dns_answer *a;
	int before = srv.received;

	*s = mc_dns_session_begin(dns, mc_now() + 10);
	assert_non_null(*s);
	a = mc_dns_lookup(*s, name, MC_RR_A);
	*queries = srv.received - before;
	return a;
}

static void
test_chain_asked_again(void **state)
{
	struct mc_dns_session *s;
	const struct mc_dns_answer *a;
	int queries;

	(void)state;
	a = ask("a.test", &queries, &s);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rr[0].data, "192.0.2.7");
	assert_string_equal(a->qname, "a.test");
	assert_string_equal(a->cname, "b.test");
	assert_int_equal(queries, 2);
	mc_dns_session_end(s);
}

static void
test_loop_over_answers(void **state)
{
	struct mc_dns_session *s;
	const struct mc_dns_answer *a;
	int queries;

	(void)state;
	a = ask("l1.test", &queries, &s);
	assert_int_equal(a->status, MC_DNS_TEMPFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_CNAME_LOOP);
	assert_non_null(strstr(a->why, "CNAME loop at l1.test"));
	assert_int_equal(a->count, 0);
	assert_int_equal(queries, 2);
	mc_dns_session_end(s);
}

static void
test_chain_too_long(void **state)
{
	struct mc_dns_session *s;
	const struct mc_dns_answer *a;
	char want[64];
	int queries;

	(void)state;
	a = ask("c0.test", &queries, &s);
	assert_int_equal(a->status, MC_DNS_TEMPFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_CNAME_CHAIN);
	snprintf(want, sizeof(want), "CNAME chain longer than %d",
	    MC_DNS_CNAME_MAX);
	assert_non_null(strstr(a->why, want));
	/* one query a hop, and no more than the limit allows */
	assert_int_equal(queries, MC_DNS_CNAME_MAX + 1);
	mc_dns_session_end(s);
}

static void
test_nodata_at_the_end(void **state)
{
	struct mc_dns_session *s;
	const struct mc_dns_answer *a;
	int queries;

	(void)state;
	a = ask("n.test", &queries, &s);
	assert_int_equal(a->status, MC_DNS_NODATA);
	assert_string_equal(a->cname, "m.test");
	assert_int_equal(queries, 1);
	mc_dns_session_end(s);
}

struct batcher {
	struct mc_dns_session *s;
	atomic_int done;
};

static void *
batch(void *arg)
{
	struct batcher *b = arg;
	struct mc_dns_query q[2] = {
		{ .name = "silent.test", .type = MC_RR_TXT },
		{ .name = "fast.test", .type = MC_RR_TXT },
	};

	mc_dns_lookup_batch(b->s, q, 2);
	b->done = 1;
	return NULL;
}

/* Issue 17 item 1: no head-of-line blocking between checks. */
static void
test_answer_published_at_once(void **state)
{
	struct batcher b = { .done = 0 };
	struct mc_dns_session *mine;
	const struct mc_dns_answer *a;
	pthread_t t;
	int before = srv.received, done;

	(void)state;
	b.s = mc_dns_session_begin(dns, mc_now() + 10);
	mine = mc_dns_session_begin(dns, mc_now() + 10);
	assert_non_null(b.s);
	assert_non_null(mine);
	assert_int_equal(pthread_create(&t, NULL, batch, &b), 0);
	/* both questions of the batch are on the wire */
	while (srv.received < before + 2)
		usleep(1000);
	a = mc_dns_lookup(mine, "fast.test", MC_RR_TXT);
	done = b.done;
	/*
	 * joined before any assertion: a failed one leaves this function at
	 * once, and the thread must not outlive the frame b lives in
	 */
	pthread_join(t, NULL);
	/* answered while the batch still waited for its silent question */
	assert_int_equal(done, 0);
	assert_int_equal(a->status, MC_DNS_NXDOMAIN);
	mc_dns_session_end(mine);
	mc_dns_session_end(b.s);
}

/*
 * Issue 17 item 2: a silent question has its own budget (half the time
 * left here) and fails before the session's deadline, so the questions
 * that depend on it still have time.
 */
static void
test_question_budget(void **state)
{
	struct mc_dns_session *s;
	const struct mc_dns_answer *a;
	double deadline = mc_now() + 1.0;

	(void)state;
	s = mc_dns_session_begin(dns, deadline);
	assert_non_null(s);
	a = mc_dns_lookup(s, "silent.test", MC_RR_A);
	if (mc_now() >= deadline)
		fail_msg("failed after the deadline: %s", a->why);
	assert_int_equal(a->status, MC_DNS_TEMPFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_BUDGET);
	assert_string_equal(a->qname, "silent.test");
	/* and the session can still ask */
	a = mc_dns_lookup(s, "b.test", MC_RR_A);
	assert_int_equal(a->status, MC_DNS_OK);
	mc_dns_session_end(s);
}

/*
 * More questions than one burst (64) that all fail before they reach the
 * wire (a label too long to build a query): every one gets its answer, at
 * once, not the deadline's.
 */
static void
test_burst_of_failures(void **state)
{
	struct mc_dns_query q[70];
	char names[70][80];
	struct mc_dns_session *s;
	size_t i;

	(void)state;
	for (i = 0; i < 70; i++) {
		memset(names[i], 'x', 64);
		snprintf(names[i] + 64, sizeof(names[i]) - 64, ".%zu.test", i);
		q[i] = (struct mc_dns_query){ .name = names[i], .type = MC_RR_A };
	}
	s = mc_dns_session_begin(dns, mc_now() + 5);
	assert_non_null(s);
	mc_dns_lookup_batch(s, q, 70);
	for (i = 0; i < 70; i++) {
		assert_int_equal(q[i].ans->status, MC_DNS_PERMFAIL);
		assert_int_not_equal(q[i].ans->reason, MC_DNS_REASON_DEADLINE);
	}
	mc_dns_session_end(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_asked_again),
		cmocka_unit_test(test_loop_over_answers),
		cmocka_unit_test(test_chain_too_long),
		cmocka_unit_test(test_nodata_at_the_end),
		cmocka_unit_test(test_answer_published_at_once),
		cmocka_unit_test(test_question_budget),
		cmocka_unit_test(test_burst_of_failures),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
