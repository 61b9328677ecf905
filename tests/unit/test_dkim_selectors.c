/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dkim_selectors.c - DKIM selector names, the selector list
 * parser, and the shipped data/dkim-selectors
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

#include "mailcheck/datafile.h"
#include "mailcheck/dkim_selectors.h"
#include "mailcheck/limits.h"

struct name_case {
	const char *name;
	const char *in;
	const char *out; /* NULL: invalid */
	const char *err; /* expected start of the reason */
};

static const struct name_case name_cases[] = {
	{ "plain", "selector1", "selector1", NULL },
	{ "upper case", "S2048", "s2048", NULL },
	{ "several labels", "k1.eu", "k1.eu", NULL },
	{ "underscore", "mx_2024", "mx_2024", NULL },
	{ "date style", "20230601", "20230601", NULL },
	{ "U-label", "schl\xc3\xbcssel", "xn--schlssel-95a", NULL },
	{ "empty", "", NULL, "empty selector" },
	{ "final dot", "mail.", NULL, "'mail.' ends with a dot" },
	{ "lone dot", ".", NULL, "empty selector" },
	{ "empty label", "a..b", NULL, "'a..b' has an empty label" },
	{ "leading dot", ".a", NULL, "'.a' has an empty label" },
	{ "leading hyphen", "-k", NULL, "a label of '-k' starts with a hyphen" },
	{ "trailing hyphen", "k-", NULL, "a label of 'k-' ends with a hyphen" },
	{ "space", "a b", NULL, "'a b' has a character not allowed" },
	{ "slash", "a/b", NULL, "'a/b' has a character not allowed" },
	{ "control", "a\x01", NULL, "'a\\001' has a character not allowed" },
};

static void
test_names(void **state)
{
	char out[MC_DNS_NAME_MAX + 2], err[512];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];

		err[0] = out[0] = '\0';
		rc = mc_dkim_selector_normalise(c->in, out, sizeof(out), err,
		    sizeof(err));
		if (c->out != NULL && (rc != 0 || strcmp(out, c->out) != 0))
			fail_msg("case '%s': rc %d '%s' (%s), expected '%s'",
			    c->name, rc, out, err, c->out);
		if (c->out == NULL && (rc != -1 ||
		    strncmp(err, c->err, strlen(c->err)) != 0))
			fail_msg("case '%s': rc %d '%s', expected error '%s'",
			    c->name, rc, err, c->err);
	}
}

/* The longest selector leaves room for "._domainkey." and "a.b". */
static void
test_name_length(void **state)
{
	char in[300], out[MC_DNS_NAME_MAX + 2], err[512];
	size_t i;

	(void)state;
	memset(in, 'a', sizeof(in));
	for (i = 60; i < sizeof(in); i += 61)
		in[i] = '.';
	in[MC_DKIM_SELECTOR_MAX] = '\0';
	if (in[MC_DKIM_SELECTOR_MAX - 1] == '.')
		in[MC_DKIM_SELECTOR_MAX - 1] = 'a';
	assert_int_equal(mc_dkim_selector_normalise(in, out, sizeof(out), err,
	    sizeof(err)), 0);
	assert_int_equal(strlen(out) + strlen("._domainkey.a.b"),
	    MC_DNS_NAME_MAX);
	in[MC_DKIM_SELECTOR_MAX] = 'a';
	in[MC_DKIM_SELECTOR_MAX + 1] = '\0';
	assert_int_equal(mc_dkim_selector_normalise(in, out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_string_equal(err, "a selector is at most 238 octets, leaving "
	    "room for ._domainkey.<domain>");
}

struct list_case {
	const char *name;
	const char *text;
	const char *err; /* expected start of the message */
};

static const struct list_case bad_lists[] = {
	{ "invalid selector on line 3", "# c\ngoogle Google\nbad..x y\n",
	  "t:3: invalid selector: 'bad..x' has an empty label" },
	{ "final dot", "mail. generic\n", "t:1: invalid selector: 'mail.' ends "
	  "with a dot" },
	{ "twice, other case", "k1\n\nK1 again\n",
	  "t:3: selector 'k1' is listed twice (first on line 1)" },
	{ "NUL byte", "k1\nk2\0x\n", "t:2: NUL byte in line" },
};

static void
test_bad_lists(void **state)
{
	struct mc_dkim_selector_list *l;
	char err[512];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++) {
		len = strlen(bad_lists[i].text);
		if (strcmp(bad_lists[i].name, "NUL byte") == 0)
			len += 1 + strlen(bad_lists[i].text + len + 1);
		err[0] = '\0';
		l = mc_dkim_selector_list_parse(bad_lists[i].text, len, "t",
		    err, sizeof(err));
		if (l != NULL) {
			mc_dkim_selector_list_free(l);
			fail_msg("case '%s': parsed, expected an error",
			    bad_lists[i].name);
		}
		if (strncmp(err, bad_lists[i].err,
		    strlen(bad_lists[i].err)) != 0)
			fail_msg("case '%s': error '%s', expected '%s...'",
			    bad_lists[i].name, err, bad_lists[i].err);
	}
}

static void
test_limits(void **state)
{
	char text[MC_DKIM_LIST_LINE_MAX + 64], err[512], *many;
	struct mc_dkim_selector_list *l;
	size_t i, used = 0, size = 16 * (MC_DKIM_MAX_LIST_SELECTORS + 1);

	(void)state;
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_null(mc_dkim_selector_list_parse(text, strlen(text), "t", err,
	    sizeof(err)));
	assert_string_equal(err, "t:1: line longer than 512 bytes");
	/* exactly 512 bytes before a CRLF: the CR is not content */
	memcpy(text, "s1 ", 3);
	memset(text + 3, 'p', MC_DKIM_LIST_LINE_MAX - 3);
	memcpy(text + MC_DKIM_LIST_LINE_MAX, "\r\n", 3);
	l = mc_dkim_selector_list_parse(text, strlen(text), "t", err,
	    sizeof(err));
	if (l == NULL)
		fail_msg("%s", err);
	assert_int_equal(strlen(l->v[0].provider), MC_DKIM_LIST_LINE_MAX - 3);
	mc_dkim_selector_list_free(l);

	many = malloc(size);
	assert_non_null(many);
	for (i = 0; i < MC_DKIM_MAX_LIST_SELECTORS; i++)
		used += (size_t)snprintf(many + used, size - used, "s%zu\n", i);
	l = mc_dkim_selector_list_parse(many, used, "t", err, sizeof(err));
	if (l == NULL)
		fail_msg("%s", err);
	assert_int_equal(l->n, MC_DKIM_MAX_LIST_SELECTORS);
	mc_dkim_selector_list_free(l);
	used += (size_t)snprintf(many + used, size - used, "one-more\n");
	assert_null(mc_dkim_selector_list_parse(many, used, "t", err,
	    sizeof(err)));
	assert_string_equal(err, "t:129: more than 128 selectors");
	free(many);
}

static void
test_good(void **state)
{
	static const char text[] =
	    "# a comment\r\n"
	    "  Google   Google Workspace  \r\n"
	    "\n"
	    "k1\tMailchimp, Mandrill\n"
	    "s1 # a comment, not a provider\n"
	    "last";
	struct mc_dkim_selector_list *l;
	char err[512];

	(void)state;
	l = mc_dkim_selector_list_parse(text, strlen(text), "good", err,
	    sizeof(err));
	if (l == NULL)
		fail_msg("%s", err);
	assert_string_equal(l->source, "good");
	assert_int_equal(l->n, 4);
	assert_string_equal(l->v[0].name, "google");
	assert_string_equal(l->v[0].provider, "Google Workspace");
	assert_string_equal(l->v[1].name, "k1");
	assert_string_equal(l->v[1].provider, "Mailchimp, Mandrill");
	assert_string_equal(l->v[2].name, "s1");
	assert_null(l->v[2].provider);
	assert_string_equal(l->v[3].name, "last");
	assert_null(l->v[3].provider);
	mc_dkim_selector_list_free(l);

	l = mc_dkim_selector_list_parse("", 0, "empty", err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(l->n, 0);
	mc_dkim_selector_list_free(l);
}

/* The shipped list parses, and holds the big providers' selectors. */
static void
test_shipped(void **state)
{
	static const char *const want[] = {
		"google", "selector1", "selector2", "k1", "s1", "mail",
		"default", NULL,
	};
	struct mc_dkim_selector_list *l;
	char path[1024], err[1024];
	size_t i, k;

	(void)state;
	assert_int_equal(mc_datafile_path(MC_DKIM_SELECTOR_FILE, path,
	    sizeof(path)), 1);
	l = mc_dkim_selector_list_load(path, err, sizeof(err));
	if (l == NULL)
		fail_msg("%s", err);
	for (i = 0; want[i] != NULL; i++) {
		for (k = 0; k < l->n; k++)
			if (strcmp(l->v[k].name, want[i]) == 0)
				break;
		if (k == l->n)
			fail_msg("selector %s missing from %s", want[i], path);
	}
	mc_dkim_selector_list_free(l);
	assert_null(mc_dkim_selector_list_load("/nonexistent/selectors", err,
	    sizeof(err)));
	assert_string_equal(err, "cannot open DKIM selector list "
	    "'/nonexistent/selectors': No such file or directory");
}

/* A file larger than any list is refused, naming it (mc_file_read()). */
static void
test_too_large(void **state)
{
	char path[] = "/tmp/mc-selectors.XXXXXX", err[512], want[600];
	FILE *f;
	int fd;
	size_t i;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (i = 0; i < 256 * 1024 + 1; i++)
		fputc(i % 64 == 63 ? '\n' : '#', f);
	assert_int_equal(fclose(f), 0);
	assert_null(mc_dkim_selector_list_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "DKIM selector list '%s' is larger than "
	    "262144 bytes", path);
	assert_string_equal(err, want);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_bad_lists),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
