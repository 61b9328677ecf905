/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dns_vocab.c - the result vocabulary, type names, the cache
 *
 * Status and type strings, and the per-run cache: a question asked twice
 * in a batch, again later, in another spelling, or by many threads at once
 * reaches the backend once (mc_dns_queries_sent()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/dns.h"
#include "mc_table.h"

struct status_row {
	const char *name;
	enum mc_dns_status status;
	const char *str;
};

static const struct status_row status_rows[] = {
	{ "status ok", MC_DNS_OK, "ok" },
	{ "status nodata", MC_DNS_NODATA, "nodata" },
	{ "status nxdomain", MC_DNS_NXDOMAIN, "nxdomain" },
	{ "status tempfail", MC_DNS_TEMPFAIL, "tempfail" },
	{ "status permfail", MC_DNS_PERMFAIL, "permfail" },
};

static void
test_status(void **state)
{
	const struct status_row *r = MC_ROW(state, struct status_row);

	assert_string_equal(mc_dns_status_str(r->status), r->str);
}

struct type_row {
	const char *name;
	uint16_t type;
	const char *str;  /* mc_rr_type_str() */
	const char *alt;  /* another spelling mc_rr_type_from_str() takes */
};

static const struct type_row type_rows[] = {
	{ "type A", MC_RR_A, "A", "a" },
	{ "type NS", MC_RR_NS, "NS", "TYPE2" },
	{ "type CNAME", MC_RR_CNAME, "CNAME", "cname" },
	{ "type SOA", MC_RR_SOA, "SOA", "Soa" },
	{ "type PTR", MC_RR_PTR, "PTR", "type12" },
	{ "type MX", MC_RR_MX, "MX", "mx" },
	{ "type TXT", MC_RR_TXT, "TXT", "TYPE16" },
	{ "type AAAA", MC_RR_AAAA, "AAAA", "aaaa" },
	{ "type SPF", MC_RR_SPF, "SPF", "TYPE99" },
	{ "unnamed type 65 as TYPE65", 65, "TYPE65", "type65" },
	{ "unnamed type 257", 257, "TYPE257", "TYPE257" },
	{ "largest type", 65535, "TYPE65535", "TYPE65535" },
};

static void
test_type(void **state)
{
	const struct type_row *r = MC_ROW(state, struct type_row);
	char buf[16];

	assert_string_equal(mc_rr_type_str(r->type, buf, sizeof(buf)), r->str);
	/* the round trip, and another spelling */
	assert_int_equal(mc_rr_type_from_str(r->str), r->type);
	assert_int_equal(mc_rr_type_from_str(r->alt), r->type);
}

struct bad_type_row {
	const char *name;
	const char *str;
};

static const struct bad_type_row bad_type_rows[] = {
	{ "empty type name", "" },
	{ "unknown mnemonic", "BOGUS" },
	{ "TYPE without number", "TYPE" },
	{ "TYPE0 is not a type", "TYPE0" },
	{ "TYPE beyond 16 bits", "TYPE65536" },
	{ "TYPE with trailing junk", "TYPE12x" },
	{ "TYPE with a sign", "TYPE+1" },
	{ "mnemonic with trailing space", "MX " },
	{ "mnemonic prefix", "AAA" },
};

static void
test_bad_type(void **state)
{
	const struct bad_type_row *r = MC_ROW(state, struct bad_type_row);

	assert_int_equal(mc_rr_type_from_str(r->str), 0);
}

/* ---- the cache ---- */

static char tmpdir[] = "/tmp/mc-vocab-test.XXXXXX";
static char zone_path[512];

static const char zone[] =
"$ORIGIN cache.test.\n"
"@     MX   10 mail\n"
"mail  A    192.0.2.1\n"
"mail  AAAA 2001:db8::1\n"
"alias CNAME mail\n";

/* The slow server of test_cache_in_flight (below), kept for the group. */
static int slow_group_start(void);
static void slow_group_stop(void);

static int
group_setup(void **state)
{
	FILE *fp;

	(void)state;
	if (slow_group_start() == -1)
		return -1;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(zone_path, sizeof(zone_path), "%s/cache.zone", tmpdir);
	fp = fopen(zone_path, "w");
	if (fp == NULL)
		return -1;
	fputs(zone, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	slow_group_stop();
	unlink(zone_path);
	return rmdir(tmpdir);
}

static struct mc_dns *
open_dns(void)
{
	const char *files[1] = { zone_path };
	const struct mc_dns_config cfg = {
		.zone_files = files,
		.nzone_files = 1,
	};
	char err[512];
	struct mc_dns *d;

	d = mc_dns_new(&cfg, err, sizeof(err));
	if (d == NULL)
		fail_msg("mc_dns_new: %s", err);
	return d;
}

static void
test_cache_same_question_in_a_batch(void **state)
{
	struct mc_dns_query q[4] = {
		{ .name = "mail.cache.test", .type = MC_RR_A },
		{ .name = "mail.cache.test", .type = MC_RR_A },
		{ .name = "MAIL.Cache.Test.", .type = MC_RR_A },
		{ .name = "mail.cache.test", .type = MC_RR_AAAA },
	};
	struct mc_dns *d = open_dns();
	struct mc_dns_session *ses = mc_dns_session_begin(d, 0);

	(void)state;
	assert_non_null(ses);
	assert_int_equal(mc_dns_queries_sent(d), 0);
	mc_dns_lookup_batch(ses, q, 4);
	/* three spellings of one question, and one other question */
	assert_int_equal(mc_dns_queries_sent(d), 2);
	assert_ptr_equal(q[0].ans, q[1].ans);
	assert_ptr_equal(q[0].ans, q[2].ans);
	assert_ptr_not_equal(q[0].ans, q[3].ans);
	assert_int_equal(q[0].ans->status, MC_DNS_OK);
	assert_int_equal(q[3].ans->status, MC_DNS_OK);
	/* asked again later: from the cache */
	assert_ptr_equal(mc_dns_lookup(ses, "mail.cache.test", MC_RR_A),
	    q[0].ans);
	assert_int_equal(mc_dns_queries_sent(d), 2);
	/* a new question is a miss */
	assert_int_equal(mc_dns_lookup(ses, "cache.test", MC_RR_MX)->status,
	    MC_DNS_OK);
	assert_int_equal(mc_dns_queries_sent(d), 3);
	/* negative answers are cached too */
	assert_int_equal(mc_dns_lookup(ses, "nope.cache.test", MC_RR_A)->status,
	    MC_DNS_NXDOMAIN);
	assert_int_equal(mc_dns_lookup(ses, "nope.cache.test", MC_RR_A)->status,
	    MC_DNS_NXDOMAIN);
	assert_int_equal(mc_dns_queries_sent(d), 4);
	mc_dns_session_end(ses);
	mc_dns_free(d);
}

#define NTHREADS 8

struct thread_arg {
	struct mc_dns_session *dns;
	pthread_barrier_t *barrier;
	const struct mc_dns_answer *ans[4];
};

static void *
asker(void *p)
{
	struct thread_arg *t = p;
	struct mc_dns_query q[3] = {
		{ .name = "cache.test", .type = MC_RR_MX },
		{ .name = "mail.cache.test", .type = MC_RR_A },
		{ .name = "alias.cache.test", .type = MC_RR_AAAA },
	};

	pthread_barrier_wait(t->barrier);
	mc_dns_lookup_batch(t->dns, q, 3);
	t->ans[0] = q[0].ans;
	t->ans[1] = q[1].ans;
	t->ans[2] = q[2].ans;
	t->ans[3] = mc_dns_lookup(t->dns, "mail.cache.test.", MC_RR_AAAA);
	return NULL;
}

static void
test_cache_many_threads(void **state)
{
	struct thread_arg args[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t barrier;
	struct mc_dns *d = open_dns();
	struct mc_dns_session *ses = mc_dns_session_begin(d, 0);
	size_t i, k;

	(void)state;
	assert_non_null(ses);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct thread_arg){ .dns = ses, .barrier = &barrier };
		assert_int_equal(pthread_create(&th[i], NULL, asker, &args[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&barrier);
	/* four distinct questions, however many threads asked them */
	assert_int_equal(mc_dns_queries_sent(d), 4);
	for (i = 0; i < NTHREADS; i++)
		for (k = 0; k < 4; k++) {
			assert_non_null(args[i].ans[k]);
			assert_ptr_equal(args[i].ans[k], args[0].ans[k]);
			assert_int_equal(args[i].ans[k]->status, MC_DNS_OK);
		}
	assert_string_equal(args[0].ans[2]->cname, "mail.cache.test");
	mc_dns_session_end(ses);
	mc_dns_free(d);
}

/*
 * In-flight de-duplication needs questions that take time: a tiny server
 * on loopback answers every query after 200 ms with NXDOMAIN and counts
 * what it received.  Threads asking the same question while it is in
 * flight must wait for the one query, not send their own.
 *
 * The server and the askers' state are statics, not the test's locals: a
 * failed assertion leaves the test function at once (cmocka longjmps), and
 * a thread still running must not be left using a dead stack frame (seen
 * under valgrind).  The group's teardown, which runs whatever the tests
 * did, stops the server.
 */
struct slow_server {
	int fd;
	int port;
	atomic_int stop;
	atomic_int received;
	int running;
	pthread_t thread;
};

static struct slow_server slow = { .fd = -1 };

static void *
slow_serve(void *p)
{
	struct slow_server *srv = p;
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct pollfd pfd;
	unsigned char buf[1500];
	ssize_t len;

	pfd.fd = srv->fd;
	pfd.events = POLLIN;
	while (!srv->stop) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fromlen = sizeof(from);
		len = recvfrom(srv->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (len < 12)
			continue;
		srv->received++;
		usleep(200 * 1000);
		buf[2] |= 0x80;                        /* QR */
		buf[3] = (unsigned char)((buf[3] & 0xf0) | 3); /* NXDOMAIN */
		(void)sendto(srv->fd, buf, (size_t)len, 0,
		    (struct sockaddr *)&from, fromlen);
	}
	return NULL;
}

/* Start the server (group setup): 0, or -1. */
static int
slow_server_start(struct slow_server *srv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);

	srv->stop = 0;
	srv->received = 0;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (srv->fd < 0 || bind(srv->fd, (struct sockaddr *)&sin,
	    sizeof(sin)) != 0 || getsockname(srv->fd,
	    (struct sockaddr *)&sin, &slen) != 0)
		return -1;
	srv->port = ntohs(sin.sin_port);
	if (pthread_create(&srv->thread, NULL, slow_serve, srv) != 0)
		return -1;
	srv->running = 1;
	return 0;
}

/* Stop it (group teardown), whatever was started. */
static void
slow_server_stop(struct slow_server *srv)
{
	srv->stop = 1;
	if (srv->running)
		pthread_join(srv->thread, NULL);
	srv->running = 0;
	if (srv->fd >= 0)
		close(srv->fd);
	srv->fd = -1;
}

static int
slow_group_start(void)
{
	return slow_server_start(&slow);
}

static void
slow_group_stop(void)
{
	slow_server_stop(&slow);
}

struct inflight_arg {
	struct mc_dns_session *dns;
	pthread_barrier_t *barrier;
	const struct mc_dns_answer *ans;
};

static void *
inflight_asker(void *p)
{
	struct inflight_arg *t = p;

	pthread_barrier_wait(t->barrier);
	t->ans = mc_dns_lookup(t->dns, "slow.cache.test", MC_RR_TXT);
	return NULL;
}

/* The askers' state: static, see struct slow_server. */
static struct inflight_arg inflight_args[NTHREADS];
static pthread_t inflight_th[NTHREADS];
static pthread_barrier_t inflight_barrier;

static void
test_cache_in_flight(void **state)
{
	struct inflight_arg *args = inflight_args;
	pthread_t *th = inflight_th;
	char resolver[64], err[512];
	const char *resolvers[1] = { resolver };
	struct mc_dns_config cfg = {
		.resolvers = resolvers,
		.nresolvers = 1,
		.query_timeout = 3,
		.attempt_timeout = 2, /* no retransmission within 200 ms */
		.tries = 1,
	};
	struct mc_dns *d;
	int before = slow.received;
	size_t i;

	(void)state;
	assert_true(slow.running);
	snprintf(resolver, sizeof(resolver), "127.0.0.1:%d", slow.port);
	d = mc_dns_new(&cfg, err, sizeof(err));
	if (d == NULL)
		fail_msg("mc_dns_new: %s", err);
	assert_string_equal(mc_dns_backend_name(d), "network");
	/* every session before any thread, so no assertion fails between */
	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct inflight_arg){
			.dns = mc_dns_session_begin(d, 0),
			.barrier = &inflight_barrier };
		assert_non_null(args[i].dns);
	}
	assert_int_equal(pthread_barrier_init(&inflight_barrier, NULL,
	    NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, inflight_asker,
		    &args[i]), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&inflight_barrier);
	/* the waiters shared the one query (counted, not timed) */
	assert_int_equal(mc_dns_queries_sent(d), 1);
	for (i = 0; i < NTHREADS; i++) {
		assert_ptr_equal(args[i].ans, args[0].ans);
		assert_int_equal(args[i].ans->status, MC_DNS_NXDOMAIN);
	}
	for (i = 0; i < NTHREADS; i++)
		mc_dns_session_end(args[i].dns);
	mc_dns_free(d);
	assert_int_equal(slow.received - before, 1);
}

static void
test_deadline(void **state)
{
	struct mc_dns *d = open_dns();
	struct mc_dns_session *late, *ses;
	const struct mc_dns_answer *a;

	(void)state;
	late = mc_dns_session_begin(d, mc_now() - 1);
	assert_non_null(late);
	a = mc_dns_lookup(late, "mail.cache.test", MC_RR_A);
	assert_int_equal(a->status, MC_DNS_TEMPFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_DEADLINE);
	assert_string_equal(a->qname, "mail.cache.test");
	assert_int_equal(a->qtype, MC_RR_A);
	assert_non_null(a->why);
	assert_non_null(strstr(a->why, "deadline"));
	/* another session, without a deadline, is not given that failure */
	ses = mc_dns_session_begin(d, 0);
	assert_non_null(ses);
	assert_int_equal(mc_dns_lookup(ses, "mail.cache.test", MC_RR_A)->status,
	    MC_DNS_OK);
	assert_int_equal(mc_dns_lookup(ses, "mail.cache.test",
	    MC_RR_AAAA)->status, MC_DNS_OK);
	mc_dns_session_end(late);
	mc_dns_session_end(ses);
	mc_dns_free(d);
}

static void
test_bad_name(void **state)
{
	struct mc_dns *d = open_dns();
	struct mc_dns_session *ses = mc_dns_session_begin(d, 0);
	const struct mc_dns_answer *a;
	char name[300];

	(void)state;
	assert_non_null(ses);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	a = mc_dns_lookup(ses, name, MC_RR_A);
	assert_int_equal(a->status, MC_DNS_PERMFAIL);
	assert_non_null(a->why);
	/* the failure names the question, as every failure does */
	assert_string_equal(a->qname, name);
	assert_int_equal(a->qtype, MC_RR_A);
	assert_int_equal(mc_dns_queries_sent(d), 0);
	mc_dns_session_end(ses);
	mc_dns_free(d);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, status_rows, test_status);
	MC_TABLE_ADD(t, &n, type_rows, test_type);
	MC_TABLE_ADD(t, &n, bad_type_rows, test_bad_type);
	MC_TEST_ADD(t, &n, test_cache_same_question_in_a_batch);
	MC_TEST_ADD(t, &n, test_cache_many_threads);
	MC_TEST_ADD(t, &n, test_cache_in_flight);
	MC_TEST_ADD(t, &n, test_deadline);
	MC_TEST_ADD(t, &n, test_bad_name);
	return mc_table_run("dns_vocab", t, n, group_setup, group_teardown);
}
