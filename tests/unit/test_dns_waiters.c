/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dns_waiters.c - a thread waiting on another's question
 *
 * In bulk mode domains share the cache but not their deadlines.  A thread
 * that finds its question already in flight for another domain must still
 * return by its own deadline, and must not be handed the other domain's
 * "deadline reached" failure while its own deadline is still ahead.  The
 * server here is a loopback socket that never answers.
 *
 * The other thread's state is static, its thread asserts nothing (a cmocka
 * assertion belongs to the test's own thread), and the test joins it
 * before its own assertions: a failed assertion leaves the test function
 * at once, and must not leave a thread writing into its dead stack frame.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/dns.h"

struct silent {
	int fd;
	char addr[32];
};

static void
silent_start(struct silent *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sin, &slen), 0);
	snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%u",
	    (unsigned)ntohs(sin.sin_port));
}

static struct mc_dns *
open_dns(struct silent *s)
{
	const char *res[1] = { s->addr };
	struct mc_dns_config cfg = {
		.resolvers = res, .nresolvers = 1, .query_timeout = 1.0,
	};
	char err[256];
	struct mc_dns *dns;

	dns = mc_dns_new(&cfg, err, sizeof(err));
	if (dns == NULL)
		fail_msg("%s", err);
	return dns;
}

struct asker {
	struct mc_dns *dns;
	const char *name;
	double timeout;
	const struct mc_dns_answer *ans;
	struct mc_dns_session *session;
};

static void *
ask(void *p)
{
	struct asker *a = p;

	a->session = mc_dns_session_begin(a->dns, mc_now() + a->timeout);
	if (a->session != NULL)
		a->ans = mc_dns_lookup(a->session, a->name, MC_RR_TXT);
	return NULL;
}

/* The other domain's question outlives this one's deadline. */
static void
test_waiter_keeps_its_deadline(void **state)
{
	struct silent srv;
	struct mc_dns *dns;
	static struct asker other;
	const struct mc_dns_answer *ans;
	pthread_t t;
	double start, took;
	struct mc_dns_session *mine;

	(void)state;
	silent_start(&srv);
	dns = open_dns(&srv);
	other = (struct asker){ .dns = dns, .name = "shared.test",
	    .timeout = 5.0 };
	assert_int_equal(pthread_create(&t, NULL, ask, &other), 0);
	usleep(100 * 1000); /* the other's question is on the wire */

	start = mc_now();
	mine = mc_dns_session_begin(dns, start + 0.2);
	ans = mine != NULL ? mc_dns_lookup(mine, "shared.test", MC_RR_TXT) :
	    NULL;
	took = mc_now() - start;
	pthread_join(t, NULL);
	assert_non_null(ans);
	assert_int_equal(ans->status, MC_DNS_TEMPFAIL);
	assert_int_equal(ans->reason, MC_DNS_REASON_DEADLINE);
	/* its own question, never a shared answer without one */
	assert_string_equal(ans->qname, "shared.test");
	assert_int_equal(ans->qtype, MC_RR_TXT);
	if (took > 0.5)
		fail_msg("waited %.2f s past a 0.2 s deadline", took);
	assert_non_null(other.ans);
	assert_int_equal(other.ans->status, MC_DNS_TEMPFAIL);
	mc_dns_session_end(mine);
	mc_dns_session_end(other.session);
	mc_dns_free(dns);
	close(srv.fd);
}

/* The other domain's deadline ends the question while ours runs on. */
static void
test_waiter_not_given_anothers_deadline(void **state)
{
	struct silent srv;
	struct mc_dns *dns;
	static struct asker other;
	const struct mc_dns_answer *ans;
	pthread_t t;
	double start, took;
	struct mc_dns_session *mine;

	(void)state;
	silent_start(&srv);
	dns = open_dns(&srv);
	other = (struct asker){ .dns = dns, .name = "shared.test",
	    .timeout = 0.2 };
	assert_int_equal(pthread_create(&t, NULL, ask, &other), 0);
	usleep(50 * 1000);

	start = mc_now();
	mine = mc_dns_session_begin(dns, start + 5.0);
	ans = mine != NULL ? mc_dns_lookup(mine, "shared.test", MC_RR_TXT) :
	    NULL;
	took = mc_now() - start;
	pthread_join(t, NULL);
	assert_non_null(ans);
	assert_int_equal(ans->status, MC_DNS_TEMPFAIL);
	assert_non_null(ans->why);
	/* asked again for this session: its own query timeout, not theirs */
	if (strstr(ans->why, "deadline") != NULL)
		fail_msg("given the other session's failure '%s' after %.2f s",
		    ans->why, took);
	assert_true(took >= 0.5);
	assert_true(took < 2.5);
	mc_dns_session_end(mine);
	mc_dns_session_end(other.session);
	mc_dns_free(dns);
	close(srv.fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waiter_keeps_its_deadline),
		cmocka_unit_test(test_waiter_not_given_anothers_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
