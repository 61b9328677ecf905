/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_tagvalue.c - the tag=value tokenizer, table-driven
 *
 * Each row names its case, gives the input (with its length, so NUL bytes
 * can be in it), and the expected outcome: the error and its offset, or the
 * tags as "name=value|name=value".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/tagvalue.h"

struct row {
	const char *name;
	const char *in;
	size_t len;          /* 0: strlen(in) */
	enum mc_tv_error err;
	size_t errpos;
	const char *tags;    /* "n=v|n=v" when err is MC_TV_OK */
	size_t nempty;
};

#define L(s) s, sizeof(s) - 1

static const struct row rows[] = {
	{ "empty input", "", 0, MC_TV_OK, 0, "", 0 },
	{ "whitespace only", "  \t ", 0, MC_TV_OK, 0, "", 0 },
	{ "one tag", "v=DKIM1", 0, MC_TV_OK, 0, "v=DKIM1", 0 },
	{ "trailing semicolon", "v=DKIM1;", 0, MC_TV_OK, 0, "v=DKIM1", 0 },
	{ "trailing semicolon and space", "v=DKIM1; ", 0, MC_TV_OK, 0,
	    "v=DKIM1", 0 },
	{ "spaces around", " v = DKIM1 ; k = rsa ", 0, MC_TV_OK, 0,
	    "v=DKIM1|k=rsa", 0 },
	{ "empty value", "v=DKIM1; p=", 0, MC_TV_OK, 0, "v=DKIM1|p=", 0 },
	{ "empty value mid", "p=;k=rsa", 0, MC_TV_OK, 0, "p=|k=rsa", 0 },
	{ "inner whitespace kept", "p=AB CD\tEF", 0, MC_TV_OK, 0,
	    "p=AB CD\tEF", 0 },
	{ "folding whitespace", "v=DKIM1;\r\n p=AB\r\n\tCD", 0, MC_TV_OK, 0,
	    "v=DKIM1|p=AB\r\n\tCD", 0 },
	{ "name with digit and underscore", "a1_b=x", 0, MC_TV_OK, 0,
	    "a1_b=x", 0 },
	{ "case kept", "V=DMARC1; P=Reject", 0, MC_TV_OK, 0,
	    "V=DMARC1|P=Reject", 0 },
	{ "equals inside value", "n=a=b", 0, MC_TV_OK, 0, "n=a=b", 0 },
	{ "empty spec skipped", "v=DMARC1;; p=none", 0, MC_TV_OK, 0,
	    "v=DMARC1|p=none", 1 },
	{ "leading semicolon", ";v=1", 0, MC_TV_OK, 0, "v=1", 1 },
	{ "colon instead of semicolon", "v=DKIM1: g=*; k=rsa", 0, MC_TV_OK, 0,
	    "v=DKIM1: g=*|k=rsa", 0 },
	{ "name starts with digit", "1v=x", 0, MC_TV_ERR_NAME, 0, NULL, 0 },
	{ "name is empty", "=x", 0, MC_TV_ERR_NAME, 0, NULL, 0 },
	{ "second name is empty", "v=1; =x", 0, MC_TV_ERR_NAME, 5, NULL, 0 },
	{ "hyphen in name", "v-x=1", 0, MC_TV_ERR_NAME, 1, NULL, 0 },
	{ "no equals", "v=1; abc", 0, MC_TV_ERR_EQUALS, 8, NULL, 0 },
	{ "no equals before semicolon", "abc;d=1", 0, MC_TV_ERR_EQUALS, 3,
	    NULL, 0 },
	{ "two words as name", "ab cd=1", 0, MC_TV_ERR_EQUALS, 3, NULL, 0 },
	{ "NUL byte in value", L("p=AB\0CD"), MC_TV_ERR_VALUE, 4, NULL, 0 },
	{ "NUL byte in name", L("v\0=1"), MC_TV_ERR_NAME, 1, NULL, 0 },
	{ "8-bit byte in value", "p=caf\xc3\xa9", 0, MC_TV_ERR_VALUE, 5,
	    NULL, 0 },
	{ "escape sequence in value", "p=\x1b[31mred", 0, MC_TV_ERR_VALUE, 2,
	    NULL, 0 },
	{ "bare CR in value", "p=a\rb", 0, MC_TV_ERR_VALUE, 3, NULL, 0 },
	{ "bare LF in value", "p=a\nb", 0, MC_TV_ERR_VALUE, 3, NULL, 0 },
	{ "CRLF without WSP", "p=a\r\nb", 0, MC_TV_ERR_VALUE, 3, NULL, 0 },
	{ "DEL in value", "p=a\x7f", 0, MC_TV_ERR_VALUE, 3, NULL, 0 },
	{ "duplicate tag", "v=DKIM1; p=A; k=rsa; p=B", 0, MC_TV_ERR_DUPLICATE,
	    21, NULL, 0 },
	{ "duplicate differs in case only", "p=a; P=b", 0, MC_TV_OK, 0,
	    "p=a|P=b", 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void
format_tags(const struct mc_tv_list *l, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s=%s",
		    i > 0 ? "|" : "", l->tag[i].name, l->tag[i].value);
}

static void
test_table(void **state)
{
	struct mc_arena *a;
	struct mc_tv_list l;
	char got[512];
	size_t i, len;
	int rc;

	(void)state;
	for (i = 0; rows[i].name != NULL; i++) {
		a = mc_arena_new();
		assert_non_null(a);
		len = rows[i].len != 0 ? rows[i].len : strlen(rows[i].in);
		rc = mc_tv_parse(a, rows[i].in, len, &l);
		if (rows[i].err == MC_TV_OK) {
			if (rc != 0)
				fail_msg("%s: error %s at %zu", rows[i].name,
				    mc_tv_strerror(l.err), l.errpos);
			format_tags(&l, got, sizeof(got));
			if (strcmp(got, rows[i].tags) != 0)
				fail_msg("%s: tags '%s', want '%s'", rows[i].name,
				    got, rows[i].tags);
			if (l.nempty != rows[i].nempty)
				fail_msg("%s: %zu empty specs, want %zu",
				    rows[i].name, l.nempty, rows[i].nempty);
		} else {
			if (rc != -1 || l.err != rows[i].err ||
			    l.errpos != rows[i].errpos)
				fail_msg("%s: rc %d error '%s' at %zu, want '%s' "
				    "at %zu", rows[i].name, rc,
				    mc_tv_strerror(l.err), l.errpos,
				    mc_tv_strerror(rows[i].err), rows[i].errpos);
		}
		mc_arena_free(a);
	}
}

static void
test_positions(void **state)
{
	static const char in[] = "v=DKIM1; k=rsa;  p=ABC";
	struct mc_arena *a = mc_arena_new();
	struct mc_tv_list l;
	const struct mc_tv_tag *t;

	(void)state;
	assert_int_equal(mc_tv_parse(a, in, strlen(in), &l), 0);
	t = mc_tv_get(&l, "p");
	assert_non_null(t);
	assert_int_equal(t->pos, 17);
	assert_int_equal(t->vpos, 19);
	assert_null(mc_tv_get(&l, "P"));
	assert_null(mc_tv_get(&l, "x"));
	/* DMARC compares tag names without regard to case */
	assert_ptr_equal(mc_tv_get_icase(&l, "P"), t);
	assert_null(mc_tv_get_icase(&l, "x"));
	/* the first occurrence of a duplicate is named too */
	assert_int_equal(mc_tv_parse(a, "a=1;b=2;a=3", 11, &l), -1);
	assert_int_equal(l.err, MC_TV_ERR_DUPLICATE);
	assert_int_equal(l.errpos, 8);
	assert_int_equal(l.duppos, 0);
	assert_int_equal(l.n, 2); /* the tags before the error stay */
	mc_arena_free(a);
}

/* Hundreds of tags: bounded, with a clear error at the first extra one. */
static void
test_too_many(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_tv_list l;
	char *buf;
	size_t i, o = 0, size = 500 * 16, pos65 = 0;

	(void)state;
	buf = malloc(size);
	assert_non_null(buf);
	for (i = 0; i < 500; i++) {
		if (i == MC_TV_MAX_TAGS)
			pos65 = o;
		o += (size_t)snprintf(buf + o, size - o, "t%zu=v;", i);
	}
	assert_int_equal(mc_tv_parse(a, buf, o, &l), -1);
	assert_int_equal(l.err, MC_TV_ERR_TOO_MANY);
	assert_int_equal(l.n, MC_TV_MAX_TAGS);
	assert_int_equal(l.errpos, pos65);
	/* exactly the maximum is fine */
	assert_int_equal(mc_tv_parse(a, buf, pos65, &l), 0);
	assert_int_equal(l.n, MC_TV_MAX_TAGS);
	free(buf);
	mc_arena_free(a);
}

/* A huge value (a 16384-bit key and more) is one linear pass. */
static void
test_huge_value(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_tv_list l;
	size_t n = 1 << 20;
	char *buf;

	(void)state;
	buf = malloc(n);
	assert_non_null(buf);
	memset(buf, 'A', n);
	memcpy(buf, "v=DKIM1; p=", 11);
	assert_int_equal(mc_tv_parse(a, buf, n, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(strlen(l.tag[1].value), n - 11);
	free(buf);
	mc_arena_free(a);
}

static void
test_split(void **state)
{
	struct mc_arena *a = mc_arena_new();
	const char *out[4];

	(void)state;
	assert_int_equal(mc_tv_split(a, "sha1:sha256", ':', out, 4), 2);
	assert_string_equal(out[0], "sha1");
	assert_string_equal(out[1], "sha256");
	assert_int_equal(mc_tv_split(a, " mailto:a@b , mailto:c@d ", ',', out,
	    4), 2);
	assert_string_equal(out[0], "mailto:a@b");
	assert_string_equal(out[1], "mailto:c@d");
	assert_int_equal(mc_tv_split(a, "", ',', out, 4), 0);
	assert_int_equal(mc_tv_split(a, "  ", ',', out, 4), 0);
	assert_int_equal(mc_tv_split(a, "a,,b", ',', out, 4), 3);
	assert_string_equal(out[1], "");
	assert_int_equal(mc_tv_split(a, "a,b,c,d,e,f", ',', out, 4), 6);
	assert_string_equal(out[3], "d");
	mc_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_huge_value),
		cmocka_unit_test(test_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
