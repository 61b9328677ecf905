/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_cert_names.c - RFC 6125 6.4 name matching, table-driven
 *
 * Each row: a presented identifier (a SAN DNS name), a reference identity
 * (the MX host name), and whether they match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mailcheck/x509_check.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *pattern;
	const char *host;
	int match;
};

static const struct row rows[] = {
	{ "exact", "mx.example.org", "mx.example.org", 1 },
	{ "case differs", "MX.Example.ORG", "mx.example.org", 1 },
	{ "final dot on either side", "mx.example.org.", "mx.example.org", 1 },
	{ "final dot on the host", "mx.example.org", "mx.example.org.", 1 },
	{ "other name", "mx2.example.org", "mx.example.org", 0 },
	{ "suffix only", "example.org", "mx.example.org", 0 },
	{ "longer", "mx.example.org.evil", "mx.example.org", 0 },
	{ "wildcard one label", "*.example.org", "mx.example.org", 1 },
	{ "wildcard upper case", "*.EXAMPLE.org", "mx.example.org", 1 },
	{ "wildcard not two labels", "*.example.org", "a.mx.example.org", 0 },
	{ "wildcard not zero labels", "*.example.org", "example.org", 0 },
	{ "wildcard not empty label", "*.example.org", ".example.org", 0 },
	{ "wildcard over a TLD only", "*.org", "example.org", 0 },
	{ "partial wildcard refused", "m*.example.org", "mx.example.org", 0 },
	{ "wildcard in the middle", "mx.*.org", "mx.example.org", 0 },
	{ "two wildcards", "*.*.org", "mx.example.org", 0 },
	{ "bare star", "*", "mx", 0 },
	{ "star dot", "*.", "mx.", 0 },
	{ "empty pattern", "", "mx.example.org", 0 },
	{ "empty host", "mx.example.org", "", 0 },
	{ "A-labels compared as they are", "xn--bcher-kva.example",
	    "xn--bcher-kva.example", 1 },
	{ "wildcard never matches a bare A-label mismatch", "*.example.org",
	    "xn--bcher-kva.example.net", 0 },
};

static void
test_row(void **state)
{
	const struct row *r = *state;

	assert_int_equal(mc_cert_name_match(r->pattern, r->host), r->match);
}

/* A certificate with no SAN matches nothing (the CN is not a name). */
static void
test_no_san(void **state)
{
	struct mc_cert_info ci;

	(void)state;
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(mc_cert_matches_host(&ci, "mx.example.org"), 0);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_san);
	return mc_table_run("cert_names", t, n, NULL, NULL);
}
