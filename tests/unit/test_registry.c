/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_registry.c - the registry and the checklist in check.h
 *
 * Walks the registry: names unique and lower case, metadata present, every
 * finding code prefixed by a registered check (or a shared prefix), with a
 * severity and a spec reference, and every check has fixtures and docs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mailcheck/check.h"
#include "mailcheck/runner.h"

/* dmarc-report.: the findings of `mailcheck dmarc-report`, a command beside
   the runner (its flags are findings too, defined once in findings.def) */
static const char *shared_prefixes[] = { "internal-error", "dns.", "check.",
	"dmarc-report.", NULL };

static void
test_names_unique_and_described(void **state)
{
	size_t i, j;

	(void)state;
	assert_non_null(mc_checks[0]);
	for (i = 0; mc_checks[i] != NULL; i++) {
		const struct mc_check *c = mc_checks[i];
		const char *p;

		assert_non_null(c->name);
		assert_non_null(c->summary);
		assert_non_null(c->rfc);
		for (p = c->name; *p != '\0'; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
		for (j = 0; j < i; j++)
			assert_string_not_equal(c->name, mc_checks[j]->name);
		assert_ptr_equal(mc_check_find(c->name), c);
	}
	assert_null(mc_check_find("no-such-check"));
}

static void
test_finding_codes(void **state)
{
	const struct mc_finding_def *defs = mc_finding_defs();
	char prefix[64];
	size_t i, j, k;
	int ok;

	(void)state;
	for (i = 0; i < MC_F__COUNT; i++) {
		assert_non_null(defs[i].code);
		assert_non_null(defs[i].spec);
		for (j = 0; j < i; j++)
			assert_string_not_equal(defs[i].code, defs[j].code);
		assert_ptr_equal(mc_finding_def_by_code(defs[i].code), &defs[i]);
		ok = 0;
		for (k = 0; shared_prefixes[k] != NULL; k++)
			if (strncmp(defs[i].code, shared_prefixes[k],
			    strlen(shared_prefixes[k])) == 0)
				ok = 1;
		for (k = 0; mc_checks[k] != NULL; k++) {
			snprintf(prefix, sizeof(prefix), "%s.", mc_checks[k]->name);
			if (strncmp(defs[i].code, prefix, strlen(prefix)) == 0)
				ok = 1;
		}
		if (!ok)
			fail_msg("finding code '%s' belongs to no check", defs[i].code);
		/* a check's findings cite a spec */
		if (strchr(defs[i].code, '.') != NULL &&
		    strncmp(defs[i].code, "check.", 6) != 0)
			assert_true(strlen(defs[i].spec) > 0);
	}
}

static void
test_checklist_files(void **state)
{
	const char *src = getenv("MC_SOURCE_DIR");
	char path[1024];
	struct stat st;
	size_t i;

	(void)state;
	if (src == NULL)
		src = ".";
	for (i = 0; mc_checks[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/checks/%s.c", src, mc_checks[i]->name);
		if (stat(path, &st) != 0)
			fail_msg("missing %s", path);
		snprintf(path, sizeof(path), "%s/fixtures/%s", src, mc_checks[i]->name);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			fail_msg("missing fixtures directory %s", path);
		snprintf(path, sizeof(path), "%s/docs/checks/%s.md", src,
		    mc_checks[i]->name);
		if (stat(path, &st) != 0)
			fail_msg("missing %s", path);
	}
}

static void
test_select(void **state)
{
	const struct mc_check *out[64];
	char err[256];

	(void)state;
	assert_int_equal(mc_checks_select("mx", out, 64, err, sizeof(err)), 1);
	assert_string_equal(out[0]->name, "mx");
	assert_int_equal(mc_checks_select("mx,mx", out, 64, err, sizeof(err)), 1);
	assert_int_equal(mc_checks_select("mx,bogus", out, 64, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown check 'bogus'"));
	assert_int_equal(mc_checks_select("", out, 64, err, sizeof(err)), -1);
	assert_int_equal(mc_checks_select("mx,,mx", out, 64, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique_and_described),
		cmocka_unit_test(test_finding_codes),
		cmocka_unit_test(test_checklist_files),
		cmocka_unit_test(test_select),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
