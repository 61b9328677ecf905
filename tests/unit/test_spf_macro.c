/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_spf_macro.c - the SPF macro language (RFC 7208 7)
 *
 * The examples of RFC 7208 7.4 and bad input, one named row each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailcheck/spf.h"

struct row {
	const char *name;
	int v6;       /* use the IPv6 example address */
	int exp;      /* explanation string: c r t allowed */
	int domain;   /* domain-spec: truncate to 253 */
	const char *in;
	const char *out; /* NULL: must fail */
};

static const struct row rows[] = {
	{ "s", 0, 0, 0, "%{s}", "strong-bad@email.example.com" },
	{ "o", 0, 0, 0, "%{o}", "email.example.com" },
	{ "d", 0, 0, 0, "%{d}", "email.example.com" },
	{ "d4", 0, 0, 0, "%{d4}", "email.example.com" },
	{ "d3", 0, 0, 0, "%{d3}", "email.example.com" },
	{ "d2", 0, 0, 0, "%{d2}", "example.com" },
	{ "d1", 0, 0, 0, "%{d1}", "com" },
	{ "dr", 0, 0, 0, "%{dr}", "com.example.email" },
	{ "d2r", 0, 0, 0, "%{d2r}", "example.email" },
	{ "l", 0, 0, 0, "%{l}", "strong-bad" },
	{ "l-", 0, 0, 0, "%{l-}", "strong.bad" },
	{ "lr", 0, 0, 0, "%{lr}", "strong-bad" },
	{ "lr-", 0, 0, 0, "%{lr-}", "bad.strong" },
	{ "l1r-", 0, 0, 0, "%{l1r-}", "strong" },
	{ "rfc example 1", 0, 0, 0, "%{ir}.%{v}._spf.%{d2}",
	    "3.2.0.192.in-addr._spf.example.com" },
	{ "rfc example 2", 0, 0, 0, "%{lr-}.lp._spf.%{d2}",
	    "bad.strong.lp._spf.example.com" },
	{ "rfc example 3", 0, 0, 0, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
	{ "rfc example 4", 0, 0, 0, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
	{ "rfc example 5", 0, 0, 0, "%{d2}.trusted-domains.example.net",
	    "example.com.trusted-domains.example.net" },
	{ "rfc example ipv6", 1, 0, 0, "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "ip6._spf.example.com" },
	{ "escapes", 0, 0, 0, "a%%b%_c%-d", "a%b c%20d" },
	{ "url-escaped upper", 0, 0, 0, "%{S}", "strong-bad%40email.example.com" },
	{ "several delimiters", 0, 0, 0, "%{l2r+-.}", "bad.strong" },
	{ "c in exp", 0, 1, 0, "%{c} at %{t}", "192.0.2.3 at 1000" },
	{ "c in exp ipv6", 1, 1, 0, "%{c}", "2001:db8::cb01" },
	{ "r in exp", 0, 1, 0, "%{r}", "mx.example.org" },
	{ "p unknown", 0, 0, 0, "%{p}", "unknown" },
	{ "many digits", 0, 0, 0, "%{d100}", "email.example.com" },
	/* bad input */
	{ "c outside exp", 0, 0, 0, "%{c}", NULL },
	{ "t outside exp", 0, 0, 0, "%{t}", NULL },
	{ "percent at the end", 0, 0, 0, "foo%", NULL },
	{ "unclosed", 0, 0, 0, "%{d", NULL },
	{ "bad letter", 0, 0, 0, "%{x}", NULL },
	{ "bad delimiter", 0, 0, 0, "%{d:}", NULL },
	{ "zero digits", 0, 0, 0, "%{d0}", NULL },
	{ "zero digits, twice", 0, 0, 0, "%{d00}", NULL },
	{ "four digits", 0, 0, 0, "%{d1000}", NULL },
	{ "percent letter", 0, 0, 0, "%d", NULL },
	{ "control character", 0, 0, 0, "a\x01" "b", NULL },
	{ "space outside exp", 0, 0, 0, "a b", NULL },
	{ "space in exp", 0, 1, 0, "a b", "a b" },
};

static void
env_for(struct mc_spf_macro_env *env, int v6)
{
	static const unsigned char ip4[4] = { 192, 0, 2, 3 };
	static const unsigned char ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01 };

	memset(env, 0, sizeof(*env));
	env->sender = "strong-bad@email.example.com";
	env->local = "strong-bad";
	env->sender_domain = "email.example.com";
	env->domain = "email.example.com";
	env->ip = v6 ? ip6 : ip4;
	env->ipv6 = v6;
	env->helo = "mx.example.com";
	env->receiver = "mx.example.org";
	env->now = 1000;
}

static void
test_table(void **state)
{
	struct mc_spf_macro_env env;
	struct mc_arena *a = mc_arena_new();
	char err[160], *out;
	size_t i;
	int rc, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		env_for(&env, r->v6);
		out = NULL;
		rc = mc_spf_expand(a, r->in, strlen(r->in), &env, r->exp,
		    r->domain, &out, err, sizeof(err));
		if (r->out == NULL && rc != -1) {
			print_error("%s: expanded to '%s', expected an error\n",
			    r->name, out);
			bad++;
		} else if (r->out != NULL && (rc != 0 ||
		    strcmp(out, r->out) != 0)) {
			print_error("%s: got '%s' (%s), expected '%s'\n", r->name,
			    rc == 0 ? out : "error", rc == 0 ? "" : err, r->out);
			bad++;
		}
	}
	mc_arena_free(a);
	assert_int_equal(bad, 0);
}

/* 7.3: a long expansion loses labels on the left until it fits 253. */
static void
test_truncation(void **state)
{
	struct mc_spf_macro_env env;
	struct mc_arena *a = mc_arena_new();
	static const char spec[] = "%{l}.%{l}.%{l}.%{l}.%{l}.example.com";
	char local[64], err[160], *out;

	(void)state;
	env_for(&env, 0);
	memset(local, 'x', 60);
	local[60] = '\0';
	env.local = local;

	assert_int_equal(mc_spf_expand(a, spec, strlen(spec), &env, 0, 1, &out,
	    err, sizeof(err)), 0);
	assert_true(strlen(out) <= 253);
	assert_string_equal(out + strlen(out) - 12, ".example.com");
	assert_int_equal(out[0], 'x');
	mc_arena_free(a);
}

/* A macro at the very end of a string and a huge expansion do not crash. */
static void
test_uses_and_limits(void **state)
{
	struct mc_spf_macro_env env;
	struct mc_arena *a = mc_arena_new();
	char in[6001], err[160], *out;
	size_t i;

	(void)state;
	assert_true(mc_spf_macro_uses("%{ir}.%{p}.x", 'p'));
	assert_false(mc_spf_macro_uses("%%{p}", 'p'));
	assert_false(mc_spf_macro_uses("%", 'p'));
	env_for(&env, 1);
	for (i = 0; i + 4 <= 6000; i += 4)
		memcpy(in + i, "%{i}", 4);
	in[i] = '\0';
	/* 1500 IPv6 nibble strings: over the 64 KiB cap, an error */
	assert_int_equal(mc_spf_expand(a, in, strlen(in), &env, 0, 0, &out,
	    err, sizeof(err)), -1);
	mc_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_uses_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
