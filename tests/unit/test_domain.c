/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_domain.c - mc_domain_normalise(), names given by users
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailcheck/limits.h"
#include "mailcheck/domain.h"
#include "mc_table.h"

/* Names of a given length built at run time: "L63" a 63-octet label, ... */
enum gen {
	GEN_NONE,
	GEN_LABEL63,   /* <63 x a>.org */
	GEN_LABEL64,   /* <64 x a>.org */
	GEN_NAME253,   /* 253 octets: 63.63.63.61 */
	GEN_NAME253DOT,/* the same with a final dot: 254 characters */
	GEN_NAME254,   /* 254 octets: 63.63.63.62 */
	GEN_LONG,      /* 5000 octets of labels */
};

struct row {
	const char *name;
	const char *in;       /* used when gen is GEN_NONE */
	enum gen gen;
	int allow_single;
	const char *out;      /* NULL: refused; "=": the input, unchanged */
	const char *err;      /* substring of the message when refused */
};

static const struct row rows[] = {
	{ "plain name", "example.org", GEN_NONE, 0, "example.org", NULL },
	{ "upper case is lowered", "MAIL.Example.ORG", GEN_NONE, 0,
	    "mail.example.org", NULL },
	{ "final dot is dropped", "example.org.", GEN_NONE, 0, "example.org",
	    NULL },
	{ "underscore labels", "_dmarc.example.org", GEN_NONE, 0,
	    "_dmarc.example.org", NULL },
	{ "digits and inner hyphens", "xn--bcher-kva.ex-ample.123", GEN_NONE,
	    0, "xn--bcher-kva.ex-ample.123", NULL },
	{ "one-octet labels", "a.b", GEN_NONE, 0, "a.b", NULL },
	{ "label of 63 octets", NULL, GEN_LABEL63, 0, "=", NULL },
	{ "name of 253 octets", NULL, GEN_NAME253, 0, "=", NULL },
	{ "name of 253 octets and a final dot", NULL, GEN_NAME253DOT, 0, "-",
	    NULL },
	{ "single label when allowed", "localhost", GEN_NONE, 1, "localhost",
	    NULL },

	{ "empty name", "", GEN_NONE, 0, NULL, "empty domain name" },
	{ "the root alone", ".", GEN_NONE, 0, NULL, "empty domain name" },
	{ "empty label inside", "example..org", GEN_NONE, 0, NULL,
	    "'example..org' has an empty label" },
	{ "empty first label", ".example.org", GEN_NONE, 0, NULL,
	    "has an empty label" },
	{ "two final dots", "example.org..", GEN_NONE, 0, NULL,
	    "has an empty label" },
	{ "label of 64 octets", NULL, GEN_LABEL64, 0, NULL,
	    "is longer than 63 octets" },
	{ "name of 254 octets", NULL, GEN_NAME254, 0, NULL,
	    "domain name is longer than 253 octets" },
	{ "name of 5000 octets", NULL, GEN_LONG, 0, NULL, "longer than" },
	{ "single label", "localhost", GEN_NONE, 0, NULL,
	    "'localhost' is a single label, not a mail domain" },
	{ "space", "exa mple.org", GEN_NONE, 0, NULL,
	    "character not allowed in a host name: ' '" },
	{ "exclamation mark", "ex!ample.org", GEN_NONE, 0, NULL,
	    "not allowed in a host name: '!'" },
	{ "slash", "example.org/x", GEN_NONE, 0, NULL, "'/'" },
	{ "at sign of an address", "user@example.org", GEN_NONE, 0, NULL,
	    "'@'" },
	{ "control character is shown escaped", "exa\tmple.org", GEN_NONE, 0,
	    NULL, "'exa\\009mple.org' has a character not allowed in a host "
	    "name: '\\009'" },
	{ "terminal escape is shown escaped", "a\033[2Jb.org", GEN_NONE, 0,
	    NULL, "'a\\027[2Jb.org'" },
	{ "backslash is shown escaped", "a\\b.org", GEN_NONE, 0, NULL,
	    "'a\\092b.org'" },
	{ "leading hyphen", "-example.org", GEN_NONE, 0, NULL,
	    "starts with a hyphen" },
	{ "trailing hyphen", "example-.org", GEN_NONE, 0, NULL,
	    "ends with a hyphen" },
	{ "trailing hyphen in the last label", "example.org-", GEN_NONE, 0,
	    NULL, "ends with a hyphen" },
	{ "IDN input becomes its A-label", "b\xc3\xbc" "cher.de", GEN_NONE, 0,
	    "xn--bcher-kva.de", NULL },
	{ "IDN in a later label", "mail.\xe4\xbe\x8b.jp", GEN_NONE, 0,
	    "mail.xn--fsq.jp", NULL },
	{ "IDN in upper case is folded", "B\xc3\x9c" "CHER.DE", GEN_NONE, 0,
	    "xn--bcher-kva.de", NULL },
	{ "a stray high byte", "ex\xff.org", GEN_NONE, 0, NULL,
	    "is not a valid internationalised domain name" },
	{ "IDN with a disallowed character", "a\xe2\x98\x83" "b.org", GEN_NONE,
	    0, NULL, "is not a valid internationalised domain name" },
	{ "invalid UTF-8 is shown escaped (0x9b: a C1 CSI)",
	    "ex\x9b" "31m\xff.org", GEN_NONE, 0, NULL,
	    "'ex\\15531m\\255.org' is not a valid internationalised" },
	{ "valid UTF-8 in a message is shown escaped too",
	    "a\xe2\x98\x83" "b.org", GEN_NONE, 0, NULL,
	    "'a\\226\\152\\131b.org'" },
	{ "IPv4 address", "127.0.0.1", GEN_NONE, 0, NULL,
	    "'127.0.0.1' is an IP address, not a mail domain" },
	{ "IPv4 address with a final dot", "192.0.2.1.", GEN_NONE, 0, NULL,
	    "is an IP address" },
	{ "IPv6 address", "2001:db8::1", GEN_NONE, 0, NULL,
	    "'2001:db8::1' is an IP address, not a mail domain" },
	{ "address literal in brackets", "[192.0.2.1]", GEN_NONE, 0, NULL,
	    "is an IP address" },
	{ "four numeric labels are a host name where one label is allowed",
	    "127.0.0.1", GEN_NONE, 1, "127.0.0.1", NULL },
};

static void
generate(enum gen g, char *buf, size_t size)
{
	size_t i, o = 0;
	static const size_t parts[][5] = {
		[GEN_LABEL63] = { 63, 3, 0 },
		[GEN_LABEL64] = { 64, 3, 0 },
		[GEN_NAME253] = { 63, 63, 63, 61, 0 },
		[GEN_NAME253DOT] = { 63, 63, 63, 61, 0 },
		[GEN_NAME254] = { 63, 63, 63, 62, 0 },
	};

	if (g == GEN_LONG) {
		for (i = 0; i + 2 < 5000 && o + 2 < size; i += 2) {
			buf[o++] = 'a';
			buf[o++] = '.';
		}
		buf[o++] = 'a';
		buf[o] = '\0';
		return;
	}
	for (i = 0; i < 5 && parts[g][i] != 0; i++) {
		if (i > 0)
			buf[o++] = '.';
		memset(buf + o, 'a' + (char)i, parts[g][i]);
		o += parts[g][i];
	}
	if (g == GEN_NAME253DOT)
		buf[o++] = '.';
	buf[o] = '\0';
}

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);
	char in[6000], out[MC_DNS_NAME_MAX + 2], err[512];
	int rc;

	if (r->gen != GEN_NONE)
		generate(r->gen, in, sizeof(in));
	else
		snprintf(in, sizeof(in), "%s", r->in);
	err[0] = '\0';
	rc = mc_domain_normalise(in, out, sizeof(out), r->allow_single, err,
	    sizeof(err));
	if (r->out != NULL) {
		if (rc != 0)
			fail_msg("refused: %s", err);
		if (strcmp(r->out, "=") == 0)
			assert_string_equal(out, in);
		else if (strcmp(r->out, "-") == 0) {
			/* the input without its final dot */
			assert_int_equal(strlen(out), strlen(in) - 1);
			assert_memory_equal(out, in, strlen(out));
		} else
			assert_string_equal(out, r->out);
		return;
	}
	assert_int_equal(rc, -1);
	if (strstr(err, r->err) == NULL)
		fail_msg("message '%s' does not contain '%s'", err, r->err);
	/* one line, printable ASCII only */
	for (rc = 0; err[rc] != '\0'; rc++)
		if ((unsigned char)err[rc] < 0x20 || (unsigned char)err[rc] >= 0x7f)
			fail_msg("control character %d in '%s'", err[rc], err);
}

/* The output buffer is respected. */
static void
test_small_output(void **state)
{
	char out[8], err[128];

	(void)state;
	assert_int_equal(mc_domain_normalise("example.org", out, sizeof(out), 0,
	    err, sizeof(err)), -1);
	assert_int_equal(mc_domain_normalise("ab.org", out, sizeof(out), 0,
	    err, sizeof(err)), 0);
	assert_string_equal(out, "ab.org");
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_small_output);
	return mc_table_run("domain", t, n, NULL, NULL);
}
