/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_arena.c - per-run memory regions
 *
 * An arena reused from run to run (reset between them, as the runner does
 * for each check) keeps some of its blocks as spares: every run still gets
 * zeroed, aligned memory that no other allocation of the run overlaps,
 * whatever mix of small and big requests came before.  Each allocation is
 * filled with a pattern of its own and checked after the run; ASan sees
 * any write past a block.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mailcheck/arena.h"

#define NALLOC 400

/* Request sizes of one run: small ones, some of half a block and more, a
   few bigger than a block. */
static size_t
size_of(unsigned run, unsigned i)
{
	switch ((i * 7 + run) % 11) {
	case 0:
		return 5000;
	case 1:
		return 9000 + i;
	case 2:
		return 0;
	default:
		return 1 + (i * 37 + run * 13) % 700;
	}
}

static void
test_runs_after_reset(void **state)
{
	struct mc_arena *a;
	unsigned char *p[NALLOC];
	size_t k, len;
	unsigned run, i;

	(void)state;
	a = mc_arena_new();
	assert_non_null(a);
	for (run = 0; run < 12; run++) {
		for (i = 0; i < NALLOC; i++) {
			len = size_of(run, i);
			p[i] = mc_arena_alloc(a, len);
			assert_non_null(p[i]);
			assert_int_equal((uintptr_t)p[i] % 16, 0);
			for (k = 0; k < len; k++)
				assert_int_equal(p[i][k], 0);
			memset(p[i], (int)(i % 251) + 1, len);
		}
		for (i = 0; i < NALLOC; i++)
			for (k = 0; k < size_of(run, i); k++)
				assert_int_equal(p[i][k], i % 251 + 1);
		mc_arena_reset(a);
	}
	mc_arena_free(a);
}

/* Strings are copied whole, before and after a reset. */
static void
test_strings_after_reset(void **state)
{
	struct mc_arena *a;
	char *s, *t, *u;
	int run;

	(void)state;
	a = mc_arena_new();
	assert_non_null(a);
	for (run = 0; run < 3; run++) {
		s = mc_arena_strdup(a, "example.org");
		t = mc_arena_strndup(a, "abcdef", 3);
		u = mc_arena_printf(a, "%s:%d", s, run);
		assert_non_null(s);
		assert_non_null(t);
		assert_non_null(u);
		assert_string_equal(s, "example.org");
		assert_string_equal(t, "abc");
		assert_true(strncmp(u, "example.org:", 12) == 0);
		assert_int_equal(u[12], '0' + run);
		mc_arena_reset(a);
	}
	mc_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_after_reset),
		cmocka_unit_test(test_strings_after_reset),
	};

	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
