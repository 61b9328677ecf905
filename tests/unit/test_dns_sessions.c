/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dns_sessions.c - the DNS cache's sessions and eviction
 *
 * Bulk mode bounds the cache: closing a session evicts answered entries no
 * open session used, never one an open session saw; an old session still
 * open pins entries; a failure caused by one session's deadline is not
 * served to the next session.  Run under ASan, a use of an evicted answer fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/dns.h"

static char zone_path[] = "/tmp/mc-test-sessions.XXXXXX";

static int
setup(void **state)
{
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(zone_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("$ORIGIN example.org.\n$TTL 300\n"
	    "a IN A 192.0.2.1\nb IN A 192.0.2.2\nc IN A 192.0.2.3\n"
	    "shared IN A 192.0.2.4\n"
	    ";! TIMEOUT flaky.example.org. A\n", f);
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(zone_path);
	return 0;
}

static struct mc_dns *
open_dns(void)
{
	const char *files[1] = { zone_path };
	struct mc_dns_config cfg = { .zone_files = files, .nzone_files = 1 };
	char err[256];
	struct mc_dns *dns;

	dns = mc_dns_new(&cfg, err, sizeof(err));
	if (dns == NULL)
		fail_msg("%s", err);
	return dns;
}

static void
test_eviction_keeps_open_sessions(void **state)
{
	const struct mc_dns_answer *shared_a, *shared_b;
	struct mc_dns_session *s1, *s2;
	struct mc_dns *dns;

	(void)state;
	dns = open_dns();
	mc_dns_set_cache_limit(dns, 1);

	s1 = mc_dns_session_begin(dns, 0);
	s2 = mc_dns_session_begin(dns, 0);
	assert_non_null(s1);
	assert_non_null(s2);
	mc_dns_lookup(s1, "a.example.org", MC_RR_A);
	shared_a = mc_dns_lookup(s1, "shared.example.org", MC_RR_A);
	mc_dns_lookup(s2, "b.example.org", MC_RR_A);
	shared_b = mc_dns_lookup(s2, "shared.example.org", MC_RR_A);
	assert_ptr_equal(shared_a, shared_b);
	assert_int_equal(mc_dns_cache_entries(dns), 3);
	assert_int_equal(mc_dns_queries_sent(dns), 3);

	/* s1 ends while s2 is open: only a goes */
	mc_dns_session_end(s1);
	assert_int_equal(mc_dns_cache_entries(dns), 2);
	assert_int_equal(shared_b->status, MC_DNS_OK);
	assert_string_equal(shared_b->rr[0].data, "192.0.2.4");
	/* a cached answer s2 saw costs no query */
	assert_ptr_equal(mc_dns_lookup(s2, "shared.example.org", MC_RR_A),
	    shared_b);
	assert_int_equal(mc_dns_queries_sent(dns), 3);

	/* s2 ends: b and shared go */
	mc_dns_session_end(s2);
	assert_int_equal(mc_dns_cache_entries(dns), 0);
	mc_dns_free(dns);
}

/*
 * A session still open pins what it used, and only that: a later session's
 * entries go when it ends (a slow domain once pinned every entry made
 * after it, and a bulk run's cache grew past its limit tenfold).
 */
static void
test_old_session_pins(void **state)
{
	const struct mc_dns_answer *perm;
	struct mc_dns_session *s0, *s;
	struct mc_dns *dns;

	(void)state;
	dns = open_dns();
	mc_dns_set_cache_limit(dns, 1);
	s0 = mc_dns_session_begin(dns, 0);
	assert_non_null(s0);
	perm = mc_dns_lookup(s0, "c.example.org", MC_RR_A);
	s = mc_dns_session_begin(dns, 0);
	assert_non_null(s);
	mc_dns_lookup(s, "a.example.org", MC_RR_A);
	assert_ptr_equal(mc_dns_lookup(s, "c.example.org", MC_RR_A), perm);
	assert_int_equal(mc_dns_cache_entries(dns), 2);
	mc_dns_session_end(s);
	assert_int_equal(mc_dns_cache_entries(dns), 1);
	assert_string_equal(perm->rr[0].data, "192.0.2.3");
	assert_int_equal(mc_dns_queries_sent(dns), 2);
	/* at the limit: nothing to sweep */
	mc_dns_session_end(s0);
	assert_int_equal(mc_dns_cache_entries(dns), 1);
	/* over it again: c, no longer held, goes with the new one */
	s = mc_dns_session_begin(dns, 0);
	assert_non_null(s);
	mc_dns_lookup(s, "b.example.org", MC_RR_A);
	mc_dns_session_end(s);
	assert_int_equal(mc_dns_cache_entries(dns), 0);
	mc_dns_free(dns);
}

static void
test_no_limit_no_eviction(void **state)
{
	struct mc_dns_session *s;
	struct mc_dns *dns;

	(void)state;
	dns = open_dns();
	s = mc_dns_session_begin(dns, 0);
	assert_non_null(s);
	mc_dns_lookup(s, "a.example.org", MC_RR_A);
	mc_dns_lookup(s, "b.example.org", MC_RR_A);
	mc_dns_session_end(s);
	assert_int_equal(mc_dns_cache_entries(dns), 2);
	mc_dns_free(dns);
}

static void
test_deadline_failure_not_shared(void **state)
{
	const struct mc_dns_answer *late, *fresh;
	struct mc_dns_session *s1, *s2;
	struct mc_dns *dns;

	(void)state;
	dns = open_dns();
	/* a deadline in the past: the question fails at once */
	s1 = mc_dns_session_begin(dns, mc_now() - 1);
	assert_non_null(s1);
	late = mc_dns_lookup(s1, "a.example.org", MC_RR_A);
	assert_int_equal(late->status, MC_DNS_TEMPFAIL);
	assert_int_equal(late->reason, MC_DNS_REASON_DEADLINE);
	s2 = mc_dns_session_begin(dns, mc_now() + 60);
	assert_non_null(s2);
	fresh = mc_dns_lookup(s2, "a.example.org", MC_RR_A);
	assert_int_equal(fresh->status, MC_DNS_OK);
	/* the first session's answer is still valid for it */
	assert_int_equal(late->status, MC_DNS_TEMPFAIL);
	mc_dns_session_end(s1);
	mc_dns_session_end(s2);
	mc_dns_free(dns);
}

static void
test_tempfail_asked_again_by_later_sessions(void **state)
{
	const struct mc_dns_answer *a1, *a2, *b;
	struct mc_dns_session *s1, *s2;
	struct mc_dns *dns;
	size_t sent;

	(void)state;
	dns = open_dns();
	s1 = mc_dns_session_begin(dns, 0);
	assert_non_null(s1);
	a1 = mc_dns_lookup(s1, "flaky.example.org", MC_RR_A);
	assert_int_equal(a1->status, MC_DNS_TEMPFAIL);
	sent = mc_dns_queries_sent(dns);
	/* the same session gets the same answer: one verdict a domain */
	a2 = mc_dns_lookup(s1, "flaky.example.org", MC_RR_A);
	assert_ptr_equal(a1, a2);
	assert_int_equal(mc_dns_queries_sent(dns), sent);
	/* a session that began later asks again */
	s2 = mc_dns_session_begin(dns, 0);
	assert_non_null(s2);
	b = mc_dns_lookup(s2, "flaky.example.org", MC_RR_A);
	assert_ptr_not_equal(a1, b);
	assert_int_equal(mc_dns_queries_sent(dns), sent + 1);
	/* the first session's answer is still valid for it */
	assert_int_equal(a1->status, MC_DNS_TEMPFAIL);
	/* answers that worked are shared */
	a1 = mc_dns_lookup(s1, "a.example.org", MC_RR_A);
	assert_ptr_equal(mc_dns_lookup(s2, "a.example.org", MC_RR_A), a1);
	mc_dns_session_end(s1);
	mc_dns_session_end(s2);
	mc_dns_free(dns);
}

/*
 * A TEMPFAIL is asked again by every later session, and the entry it
 * replaces is kept until no session can hold its answer: those entries
 * count against the limit too, or a long bulk run over names that keep
 * failing grows the cache without end.
 */
static void
test_replaced_entries_are_bounded(void **state)
{
	struct mc_dns_session *s;
	struct mc_dns *dns;
	int i;

	(void)state;
	dns = open_dns();
	mc_dns_set_cache_limit(dns, 8);
	for (i = 0; i < 1000; i++) {
		s = mc_dns_session_begin(dns, 0);
		assert_non_null(s);
		assert_int_equal(mc_dns_lookup(s, "flaky.example.org",
		    MC_RR_A)->status, MC_DNS_TEMPFAIL);
		mc_dns_session_end(s);
	}
	assert_true(mc_dns_cache_entries(dns) <= 8 + 8 / 2 + 1);
	mc_dns_free(dns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eviction_keeps_open_sessions),
		cmocka_unit_test(test_old_session_pins),
		cmocka_unit_test(test_no_limit_no_eviction),
		cmocka_unit_test(test_deadline_failure_not_shared),
		cmocka_unit_test(test_tempfail_asked_again_by_later_sessions),
		cmocka_unit_test(test_replaced_entries_are_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
