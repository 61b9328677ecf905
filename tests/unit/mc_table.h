/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/mc_table.h - table-driven cmocka tests, one named test a row
 *
 * A table is an array of structs whose first member is `const char *name`.
 * mc_table_add() appends one cmocka test per row, named after the row and
 * given the row as its state, so a failure names its case:
 *
 *	struct CMUnitTest t[64];
 *	size_t n = 0;
 *	MC_TABLE_ADD(t, &n, rows, test_row);
 *	return mc_table_run("group", t, n, NULL, NULL);
 *
 * Include after <cmocka.h>.  A group setup must leave its state NULL (or the
 * rows would not reach their tests): keep group-wide things in statics.
 */
#ifndef MC_TEST_TABLE_H
#define MC_TEST_TABLE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline void
mc_table_add(struct CMUnitTest *t, size_t *n, size_t max, const void *rows,
    size_t nrows, size_t rowsize, CMUnitTestFunction fn)
{
	const char *row;
	size_t i;

	for (i = 0; i < nrows; i++) {
		if (*n == max) {
			fprintf(stderr, "mc_table_add: more than %zu tests\n", max);
			abort();
		}
		row = (const char *)rows + i * rowsize;
		t[*n] = (struct CMUnitTest){
			.name = *(const char *const *)(const void *)row,
			.test_func = fn,
			.initial_state = (void *)(uintptr_t)row,
		};
		(*n)++;
	}
}

#define MC_TABLE_ADD(t, n, rows, fn) \
	mc_table_add((t), (n), sizeof(t) / sizeof((t)[0]), (rows), \
	    sizeof(rows) / sizeof((rows)[0]), sizeof((rows)[0]), (fn))

/* A single, non-table test. */
#define MC_TEST_ADD(t, n, fn) \
	mc_table_add((t), (n), sizeof(t) / sizeof((t)[0]), \
	    &(const struct { const char *name; }){ #fn }, 1, \
	    sizeof(struct { const char *name; }), (fn))

static inline int
mc_table_run(const char *group, const struct CMUnitTest *t, size_t n,
    CMFixtureFunction setup, CMFixtureFunction teardown)
{
	return _cmocka_run_group_tests(group, t, n, setup, teardown);
}

#define MC_ROW(state, type) ((const type *)*(state))

#endif
