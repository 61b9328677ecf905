/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dnssec.c - trust anchor files (table-driven) and the
 * validator's answers when it cannot walk
 *
 * Each row writes a trust anchor file and says whether it loads, and what
 * the error names when it does not.  The signed cases (secure, insecure,
 * bogus in three ways, an unsupported algorithm, absurd dates, 500 keys)
 * need zones signed at test time: tests/e2e/dnssec.sh.  Here: the built-in
 * root anchors load; zone files without the anchor's zone, and a name no
 * anchor covers, give no verdict (indeterminate, never insecure), TXT
 * answers included.
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

#include "mailcheck/dnssec_state.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *text; /* the file's content */
	const char *err;  /* NULL: loads; else a part of the message */
};

static const struct row rows[] = {
	{ "one DS", ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n", NULL },
	{ "DS and DNSKEY, another owner, comments",
	  "; test root\ntest. 300 IN DS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	  "test. IN DNSKEY 257 3 13 fOkGVFxwrbXu6tnNuGfza3A3o16M3Ne1IMUQwI5k/Q4VA2n6jrAiip2D0Wk79LREXrdRDPYFI1vEMXSEJF/swQ==\n\n", NULL },
	{ "unbound style with $ORIGIN", "$ORIGIN test.\n@ IN DS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", NULL },
	{ "an A record", "example. IN A 192.0.2.1\n", "DS or DNSKEY" },
	{ "empty", "", "no DS or DNSKEY" },
	{ "comments only", "; nothing\n\n", "no DS or DNSKEY" },
	{ "syntax error", ". IN DS notanumber 8 2 00\n", "trust anchor file" },
	{ "class CH", ". CH DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n", "DS or DNSKEY" },
};

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct mc_dnssec_anchor *ta;
	char path[] = "/tmp/mc-ta.XXXXXX", err[256] = "";
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(r->text, fp);
	fclose(fp);
	ta = mc_dnssec_anchor_load(path, err, sizeof(err));
	unlink(path);
	if (r->err == NULL) {
		if (ta == NULL)
			fail_msg("did not load: %s", err);
	} else {
		assert_null(ta);
		if (strstr(err, r->err) == NULL)
			fail_msg("message '%s' lacks '%s'", err, r->err);
	}
	mc_dnssec_anchor_free(ta);
}

static void
test_builtin_and_missing(void **state)
{
	struct mc_dnssec_anchor *ta;
	char err[256] = "";

	(void)state;
	ta = mc_dnssec_anchor_load(NULL, err, sizeof(err));
	assert_non_null(ta);
	mc_dnssec_anchor_free(ta);
	ta = mc_dnssec_anchor_load("/nonexistent/ta.ds", err, sizeof(err));
	assert_null(ta);
	assert_non_null(strstr(err, "cannot read trust anchor file"));
}

/* zone files without the root: the built-in anchor cannot be walked */
static void
test_no_verdict(void **state)
{
	char path[] = "/tmp/mc-zone.XXXXXX", path2[] = "/tmp/mc-ta.XXXXXX";
	char err[256] = "";
	const char *files[1] = { path };
	struct mc_dns_config cfg = { .zone_files = files, .nzone_files = 1 };
	struct mc_dnssec_result res;
	struct mc_dnssec_anchor *ta, *test_ta;
	struct mc_dns_session *s;
	struct mc_dns *dns;
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("example.org. 300 IN MX 10 mx.example.org.\n"
	    "example.org. 300 IN TXT \"v=spf1 -all\"\n", fp);
	fclose(fp);
	dns = mc_dns_new(&cfg, err, sizeof(err));
	unlink(path);
	assert_non_null(dns);
	s = mc_dns_session_begin(dns, 0);
	ta = mc_dnssec_anchor_load(NULL, err, sizeof(err));
	assert_non_null(ta);
	assert_int_equal(mc_dnssec_name_state(ta, s, NULL, "example.org", &res),
	    MC_DNSSEC_INDETERMINATE);
	assert_int_equal(res.why, MC_DNSSEC_WHY_NO_ANCHOR);

	/* an anchor for another tree: none covers the name */
	fd = mkstemp(path2);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("test. IN DS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", fp);
	fclose(fp);
	test_ta = mc_dnssec_anchor_load(path2, err, sizeof(err));
	unlink(path2);
	assert_non_null(test_ta);
	assert_int_equal(mc_dnssec_name_state(test_ta, s, NULL, "example.org", &res),
	    MC_DNSSEC_INDETERMINATE);
	assert_int_equal(res.why, MC_DNSSEC_WHY_NO_ANCHOR);

	/* TXT answers are walked like the others: no anchor either */
	assert_int_equal(mc_dnssec_answer_state(ta, s, NULL, mc_dns_lookup(s,
	    "example.org", MC_RR_TXT), &res), MC_DNSSEC_INDETERMINATE);
	assert_int_equal(res.why, MC_DNSSEC_WHY_NO_ANCHOR);
	assert_int_equal(mc_dnssec_answer_state(ta, s, NULL, mc_dns_lookup(s,
	    "example.org", MC_RR_MX), NULL), MC_DNSSEC_INDETERMINATE);

	mc_dnssec_anchor_free(test_ta);
	mc_dnssec_anchor_free(ta);
	mc_dns_session_end(s);
	mc_dns_free(dns);
}

int
main(void)
{
	struct CMUnitTest t[32];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_builtin_and_missing);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_verdict);
	return mc_table_run("dnssec", t, n, NULL, NULL);
}
