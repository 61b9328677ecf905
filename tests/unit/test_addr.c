/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_addr.c - mc_addr_classify() (RFC 6890) and IP literals
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "mailcheck/util.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *addr;
	enum mc_addr_class cls;
};

static const struct row rows[] = {
	/* IPv4 */
	{ "v4 public", "144.76.187.44", MC_ADDR_PUBLIC },
	{ "v4 public 8.8.8.8", "8.8.8.8", MC_ADDR_PUBLIC },
	{ "v4 this network 0/8", "0.1.2.3", MC_ADDR_RESERVED },
	{ "v4 unspecified", "0.0.0.0", MC_ADDR_RESERVED },
	{ "v4 private 10/8", "10.20.30.40", MC_ADDR_PRIVATE },
	{ "v4 just below 10/8", "9.255.255.255", MC_ADDR_PUBLIC },
	{ "v4 just above 10/8", "11.0.0.0", MC_ADDR_PUBLIC },
	{ "v4 shared 100.64/10 first", "100.64.0.0", MC_ADDR_SHARED },
	{ "v4 shared 100.64/10 last", "100.127.255.255", MC_ADDR_SHARED },
	{ "v4 just below 100.64/10", "100.63.255.255", MC_ADDR_PUBLIC },
	{ "v4 just above 100.64/10", "100.128.0.0", MC_ADDR_PUBLIC },
	{ "v4 loopback", "127.0.0.1", MC_ADDR_LOOPBACK },
	{ "v4 loopback 127/8 last", "127.255.255.254", MC_ADDR_LOOPBACK },
	{ "v4 link-local", "169.254.10.1", MC_ADDR_LINKLOCAL },
	{ "v4 private 172.16/12 first", "172.16.0.0", MC_ADDR_PRIVATE },
	{ "v4 private 172.16/12 last", "172.31.255.255", MC_ADDR_PRIVATE },
	{ "v4 just below 172.16/12", "172.15.255.255", MC_ADDR_PUBLIC },
	{ "v4 just above 172.16/12", "172.32.0.0", MC_ADDR_PUBLIC },
	{ "v4 IETF protocol assignments 192.0.0/24", "192.0.0.8",
	    MC_ADDR_RESERVED },
	{ "v4 documentation 192.0.2/24", "192.0.2.1", MC_ADDR_DOC },
	{ "v4 private 192.168/16", "192.168.1.1", MC_ADDR_PRIVATE },
	{ "v4 just above 192.168/16", "192.169.0.1", MC_ADDR_PUBLIC },
	{ "v4 benchmarking 198.18/15 first", "198.18.0.1", MC_ADDR_RESERVED },
	{ "v4 benchmarking 198.18/15 last", "198.19.255.255",
	    MC_ADDR_RESERVED },
	{ "v4 just above 198.18/15", "198.20.0.1", MC_ADDR_PUBLIC },
	{ "v4 documentation 198.51.100/24", "198.51.100.7", MC_ADDR_DOC },
	{ "v4 documentation 203.0.113/24", "203.0.113.9", MC_ADDR_DOC },
	{ "v4 multicast first", "224.0.0.1", MC_ADDR_RESERVED },
	{ "v4 multicast last", "239.255.255.255", MC_ADDR_RESERVED },
	{ "v4 240/4", "240.0.0.1", MC_ADDR_RESERVED },
	{ "v4 limited broadcast", "255.255.255.255", MC_ADDR_RESERVED },
	{ "v4 just below multicast", "223.255.255.255", MC_ADDR_PUBLIC },
	/* IPv6 */
	{ "v6 public", "2606:2800:220:1:248:1893:25c8:1946", MC_ADDR_PUBLIC },
	{ "v6 public 2a01:4f8::1", "2a01:4f8::1", MC_ADDR_PUBLIC },
	{ "v6 unspecified", "::", MC_ADDR_RESERVED },
	{ "v6 loopback", "::1", MC_ADDR_LOOPBACK },
	{ "v6 v4-mapped", "::ffff:192.0.2.1", MC_ADDR_RESERVED },
	{ "v6 v4-mapped public address", "::ffff:8.8.8.8", MC_ADDR_RESERVED },
	{ "v6 discard-only 100::/64", "100::1", MC_ADDR_RESERVED },
	{ "v6 documentation 2001:db8::/32", "2001:db8::25", MC_ADDR_DOC },
	{ "v6 documentation last", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	    MC_ADDR_DOC },
	{ "v6 just above 2001:db8::/32", "2001:db9::1", MC_ADDR_PUBLIC },
	{ "v6 unique local fc00::/7", "fc00::1", MC_ADDR_PRIVATE },
	{ "v6 unique local fd00::/8", "fd12:3456::1", MC_ADDR_PRIVATE },
	{ "v6 just below fc00::/7", "fbff:ffff::1", MC_ADDR_PUBLIC },
	{ "v6 link-local", "fe80::1", MC_ADDR_LINKLOCAL },
	{ "v6 link-local fe80::/10 last", "febf:ffff::1", MC_ADDR_LINKLOCAL },
	{ "v6 multicast", "ff02::1", MC_ADDR_RESERVED },
};

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);
	unsigned char buf[16];
	size_t len = 0;
	enum mc_addr_class got;

	if (inet_pton(AF_INET, r->addr, buf) == 1)
		len = 4;
	else if (inet_pton(AF_INET6, r->addr, buf) == 1)
		len = 16;
	else
		fail_msg("bad test address '%s'", r->addr);
	got = mc_addr_classify(buf, len);
	if (got != r->cls)
		fail_msg("%s is %s, expected %s", r->addr,
		    mc_addr_class_str(got), mc_addr_class_str(r->cls));
}

static void
test_class_names(void **state)
{
	static const enum mc_addr_class all[] = { MC_ADDR_PUBLIC,
	    MC_ADDR_PRIVATE, MC_ADDR_LOOPBACK, MC_ADDR_LINKLOCAL,
	    MC_ADDR_SHARED, MC_ADDR_DOC, MC_ADDR_RESERVED };
	size_t i, j;

	(void)state;
	assert_string_equal(mc_addr_class_str(MC_ADDR_PUBLIC), "public");
	assert_string_equal(mc_addr_class_str(MC_ADDR_PRIVATE), "private");
	assert_string_equal(mc_addr_class_str(MC_ADDR_LOOPBACK), "loopback");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_true(strlen(mc_addr_class_str(all[i])) > 0);
		assert_string_not_equal(mc_addr_class_str(all[i]), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(mc_addr_class_str(all[i]),
			    mc_addr_class_str(all[j]));
	}
}

struct literal_row {
	const char *name;
	const char *s;
	int literal;
};

static const struct literal_row literal_rows[] = {
	{ "literal v4", "192.0.2.1", 1 },
	{ "literal v6", "2001:db8::1", 1 },
	{ "literal v6 loopback", "::1", 1 },
	{ "bracketed v4", "[192.0.2.1]", 1 },
	{ "bracketed v6", "[2001:db8::1]", 1 },
	{ "host name", "mail.example.org", 0 },
	{ "name of digits", "1.2.3.example", 0 },
	{ "three octets", "192.0.2", 0 },
	{ "octet too large", "192.0.2.256", 0 },
	{ "empty", "", 0 },
	{ "empty brackets", "[]", 0 },
	{ "unbalanced bracket", "[192.0.2.1", 0 },
};

static void
test_literal(void **state)
{
	const struct literal_row *r = MC_ROW(state, struct literal_row);

	assert_int_equal(mc_is_ip_literal(r->s), r->literal);
}

int
main(void)
{
	struct CMUnitTest t[96];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_class_names);
	MC_TABLE_ADD(t, &n, literal_rows, test_literal);
	return mc_table_run("addr", t, n, NULL, NULL);
}
