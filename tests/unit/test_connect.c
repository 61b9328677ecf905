/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_connect.c - --connect-to parsing and mapping, and the
 * loopback guard (MAILCHECK_NET_LOOPBACK_ONLY)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/connect.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *spec;
	int ok;
	const char *host;
	int port;
	const char *addr;
	int addr_port;
};

static const struct row rows[] = {
	{ "full", "mta-sts.example.org:443:127.0.0.1:8443", 1,
	    "mta-sts.example.org", 443, "127.0.0.1", 8443 },
	{ "any host", ":25:127.0.0.1:2525", 1, "", 25, "127.0.0.1", 2525 },
	{ "any port", "mx.example.org::127.0.0.2:2525", 1, "mx.example.org",
	    0, "127.0.0.2", 2525 },
	{ "host lower-cased, final dot dropped", "MX.Example.ORG.:25:::1:25",
	    0, NULL, 0, NULL, 0 },
	{ "ipv6 in brackets", "MX.Example.ORG.:25:[::1]:2525", 1,
	    "mx.example.org", 25, "::1", 2525 },
	{ "name as address", "a:1:localhost:2", 0, NULL, 0, NULL, 0 },
	{ "missing fields", "a:1:127.0.0.1", 0, NULL, 0, NULL, 0 },
	{ "port 0", "a:1:127.0.0.1:0", 0, NULL, 0, NULL, 0 },
	{ "port too large", "a:65536:127.0.0.1:1", 0, NULL, 0, NULL, 0 },
	{ "port not digits", "a:1:127.0.0.1:2x", 0, NULL, 0, NULL, 0 },
	{ "unclosed bracket", "a:1:[::1:2", 0, NULL, 0, NULL, 0 },
	{ "empty", "", 0, NULL, 0, NULL, 0 },
};

static void
test_parse(void **state)
{
	const struct row *r = *state;
	struct mc_connect_to ct;
	char err[256] = "";
	int rc;

	rc = mc_connect_to_parse(r->spec, &ct, err, sizeof(err));
	if (!r->ok) {
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err, "--connect-to"));
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(ct.host, r->host);
	assert_int_equal(ct.port, r->port);
	assert_string_equal(ct.addr, r->addr);
	assert_int_equal(ct.addr_port, r->addr_port);
}

static void
test_map(void **state)
{
	const char *specs[] = { "mx1.example.org:25:127.0.0.1:2525",
		":443:[::1]:8443" };
	char addr[64];
	int port = 0;

	(void)state;
	assert_int_equal(mc_connect_to_map(specs, 2, "MX1.example.org", 25,
	    addr, sizeof(addr), &port), 1);
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 2525);
	assert_int_equal(mc_connect_to_map(specs, 2, "mx1.example.org", 26,
	    addr, sizeof(addr), &port), 0);
	assert_int_equal(mc_connect_to_map(specs, 2, "anything.example", 443,
	    addr, sizeof(addr), &port), 1);
	assert_string_equal(addr, "::1");
	assert_int_equal(port, 8443);
}

static void
guard(const char *text, int family, int want)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	char err[256] = "";

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	else
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	assert_int_equal(mc_net_guard_check((struct sockaddr *)&ss, err,
	    sizeof(err)), want);
	if (want == -1) {
		assert_non_null(strstr(err, text));
		assert_non_null(strstr(err, MC_NET_GUARD_ENV));
	}
}

static void
test_guard(void **state)
{
	(void)state;
	assert_int_equal(setenv(MC_NET_GUARD_ENV, "1", 1), 0);
	guard("127.0.0.1", AF_INET, 0);
	guard("127.9.8.7", AF_INET, 0);
	guard("::1", AF_INET6, 0);
	guard("::ffff:127.0.0.1", AF_INET6, 0);
	guard("192.0.2.1", AF_INET, -1);
	guard("2001:db8::1", AF_INET6, -1);
	guard("::ffff:192.0.2.1", AF_INET6, -1);
	assert_int_equal(setenv(MC_NET_GUARD_ENV, "0", 1), 0);
	guard("192.0.2.1", AF_INET, 0);
	assert_int_equal(unsetenv(MC_NET_GUARD_ENV), 0);
	guard("192.0.2.1", AF_INET, 0);
}

int
main(void)
{
	struct CMUnitTest t[32];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_parse);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_map);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_guard);
	return mc_table_run("connect", t, n, NULL, NULL);
}
