/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_escape.c - escaping hostile bytes (mc_escape and friends)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mailcheck/report.h"
#include "mailcheck/escape.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *in;
	size_t len;
	const char *out;
};

#define W(s) s, sizeof(s) - 1

static const struct row rows[] = {
	{ "empty", W(""), "" },
	{ "printable ASCII is kept", W("v=spf1 mx a:b.example ~all"),
	    "v=spf1 mx a:b.example ~all" },
	{ "every printable punctuation", W(" !\"#$%&'()*+,-./:;<=>?@[]^_`{|}~"),
	    " !\"#$%&'()*+,-./:;<=>?@[]^_`{|}~" },
	{ "backslash is doubled", W("a\\b"), "a\\\\b" },
	{ "escaped-looking text stays distinct", W("\\027"), "\\\\027" },
	{ "newline, carriage return, tab", W("a\nb\rc\td"),
	    "a\\010b\\013c\\009d" },
	{ "ESC sequence to clear the screen", W("\033[2J\033[H"),
	    "\\027[2J\\027[H" },
	{ "OSC sequence setting the title", W("\033]0;pwned\007"),
	    "\\027]0;pwned\\007" },
	{ "C1 CSI byte", W("\x9b" "31m"), "\\155" "31m" },
	{ "DEL", W("\x7f"), "\\127" },
	{ "high bytes of UTF-8", W("b\xc3\xbc" "cher"), "b\\195\\188cher" },
	{ "invalid UTF-8", W("\xff\xfe"), "\\255\\254" },
	{ "NUL in the middle", W("a\0b"), "a\\000b" },
	{ "NUL alone", W("\0"), "\\000" },
	{ "byte 1 and byte 31", W("\x01\x1f"), "\\001\\031" },
};

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);
	struct mc_arena *a;
	const char *p;
	char *e;
	json_t *j;

	e = mc_escape_dup(r->in, r->len);
	assert_non_null(e);
	assert_string_equal(e, r->out);
	free(e);

	a = mc_arena_new();
	assert_non_null(a);
	e = mc_escape(a, r->in, r->len);
	assert_non_null(e);
	assert_string_equal(e, r->out);
	/* the result is printable ASCII only */
	for (p = e; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	mc_arena_free(a);

	/* JSON strings of DNS content follow the same rules, always valid */
	j = mc_json_dns_string(r->in, r->len);
	assert_non_null(j);
	assert_string_equal(json_string_value(j), r->out);
	json_decref(j);

	/* what the renderers do to report text escapes nothing twice */
	e = mc_safe_dup(r->out, strlen(r->out));
	assert_non_null(e);
	assert_string_equal(e, r->out);
	free(e);
	j = mc_json_shown(r->out);
	assert_non_null(j);
	assert_string_equal(json_string_value(j), r->out);
	json_decref(j);
}

/*
 * mc_safe_dup(), the renderers' rule: a byte that is not printable ASCII
 * becomes \DDD, a backslash stays, so a DNS name in presentation form is
 * shown as it is ("m\027x", never "m\\027x").
 */
static void
test_safe(void **state)
{
	static const struct row safe_rows[] = {
		{ "name in presentation form", W("m\\027[31m\\000x.example"),
		    "m\\027[31m\\000x.example" },
		{ "escaped backslash of a label", W("a\\\\b"), "a\\\\b" },
		{ "raw control bytes", W("a\033b\0c\x9b"),
		    "a\\027b\\000c\\155" },
	};
	size_t i;
	char *e;

	(void)state;
	for (i = 0; i < sizeof(safe_rows) / sizeof(safe_rows[0]); i++) {
		e = mc_safe_dup(safe_rows[i].in, safe_rows[i].len);
		assert_non_null(e);
		assert_string_equal(e, safe_rows[i].out);
		free(e);
	}
	assert_null(mc_json_shown(NULL));
}

/* The worst case: every byte becomes four. */
static void
test_worst_case_length(void **state)
{
	char in[255], *e;
	size_t i;

	(void)state;
	memset(in, 0xff, sizeof(in));
	e = mc_escape_dup(in, sizeof(in));
	assert_non_null(e);
	assert_int_equal(strlen(e), 4 * sizeof(in));
	for (i = 0; i < sizeof(in); i++)
		assert_memory_equal(e + 4 * i, "\\255", 4);
	free(e);
}

/*
 * mc_quote: cut at max with "...", escaped with mc_escape() rules: a NUL is
 * "\000" (as in JSON), never '?', and cuts nothing.
 */
static void
test_quote(void **state)
{
	struct mc_arena *a = mc_arena_new();

	(void)state;
	assert_non_null(a);
	assert_string_equal(mc_quote(a, "abc", 3, 60), "\"abc\"");
	assert_string_equal(mc_quote(a, "abcdef", 6, 4), "\"abcd...\"");
	assert_string_equal(mc_quote(a, "a\0b", 3, 60), "\"a\\000b\"");
	assert_string_equal(mc_quote(a, "\033[2J\\", 5, 60),
	    "\"\\027[2J\\\\\"");
	assert_string_equal(mc_quote(a, "\001\001\001", 3, 2),
	    "\"\\001\\001...\"");
	assert_string_equal(mc_quote(a, "", 0, 60), "\"\"");
	mc_arena_free(a);
}

int
main(void)
{
	struct CMUnitTest t[32];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_worst_case_length);
	MC_TEST_ADD(t, &n, test_quote);
	MC_TEST_ADD(t, &n, test_safe);
	return mc_table_run("escape", t, n, NULL, NULL);
}
