/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_result_error.c - a result's sticky error
 *
 * The allocator fails on demand (the program is linked with
 * -Wl,--wrap=malloc,--wrap=realloc,--wrap=strdup, so libmailcheck's calls
 * come here first): a finding, decoration, metric or summary that cannot be
 * recorded is counted, a decoration after a failed add lands on no finding
 * (never on the one before), and mc_result_settle() turns the count into
 * one internal-error finding, or keeps the status unknown when even that
 * cannot be added.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mailcheck/arena.h"
#include "mailcheck/report.h"

void *__real_malloc(size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

/* The allocation (1: the next) that fails; 0: none.  all: every one. */
static int fail_in, fail_all;

static int
failing(void)
{
	if (fail_all)
		return 1;
	if (fail_in == 0)
		return 0;
	return --fail_in == 0;
}

void *
__wrap_malloc(size_t size)
{
	return failing() ? NULL : __real_malloc(size);
}

void *
__wrap_realloc(void *p, size_t size)
{
	return failing() ? NULL : __real_realloc(p, size);
}

char *
__wrap_strdup(const char *s)
{
	return failing() ? NULL : __real_strdup(s);
}

static struct mc_result r;

static int
setup(void **state)
{
	(void)state;
	fail_in = fail_all = 0;
	mc_result_init(&r, "mx");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fail_in = fail_all = 0;
	mc_result_release(&r);
	return 0;
}

/* The internal-error finding settle added, or NULL. */
static const struct mc_finding *
internal_error(void)
{
	size_t i;

	for (i = 0; i < r.nfindings; i++)
		if (r.findings[i].id == MC_F_INTERNAL_ERROR)
			return &r.findings[i];
	return NULL;
}

static void
nothing_lost_adds_nothing(void **state)
{
	(void)state;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_NULL, NULL, "null MX"), 0);
	assert_int_equal(mc_finding_hint(&r, "hint"), 0);
	mc_result_settle(&r);
	assert_int_equal(r.nfindings, 1);
	assert_null(internal_error());
	assert_int_equal(r.status, MC_INFO);
}

/* mc_vasprintf(): past its small buffer the text is formatted whole. */
static void
long_texts_are_whole(void **state)
{
	struct mc_arena *a;
	char big[1000];
	char *p;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(mc_finding_add(&r, MC_F_MX_NULL, NULL, "<%s>", big),
	    0);
	assert_int_equal(strlen(r.findings[0].message), sizeof(big) + 1);
	assert_int_equal(r.findings[0].message[sizeof(big)], '>');
	a = mc_arena_new();
	assert_non_null(a);
	p = mc_arena_printf(a, "%s|%d", big, 42);
	assert_non_null(p);
	assert_int_equal(strlen(p), sizeof(big) + 2);
	assert_string_equal(p + sizeof(big) - 1, "|42");
	assert_string_equal(mc_arena_printf(a, "%d-%s", 7, "short"), "7-short");
	mc_arena_free(a);
}

/* The array cannot grow: the hint and metric must not reach finding 1. */
static void
failed_add_drops_its_decorations(void **state)
{
	(void)state;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_NULL, NULL, "first"), 0);
	fail_in = 1;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_UNREACHABLE, NULL,
	    "second"), -1);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(mc_finding_hint(&r, "for the second"), -1);
	assert_int_equal(mc_finding_brief(&r, "second"), -1);
	assert_int_equal(mc_finding_metric(&r, "hosts"), -1);
	assert_null(r.findings[0].hint);
	assert_null(r.findings[0].brief);
	assert_null(r.findings[0].metric);
	assert_int_equal(r.nlost, 1);
	/* the next add succeeds, and its decorations apply to it */
	assert_int_equal(mc_finding_add(&r, MC_F_MX_DUPLICATE, NULL, "third"),
	    0);
	assert_int_equal(mc_finding_hint(&r, "for the third"), 0);
	assert_string_equal(r.findings[1].hint, "for the third");
	assert_null(r.findings[0].hint);
	mc_result_settle(&r);
	assert_int_equal(r.nlost, 0);
	assert_int_equal(r.nfindings, 3);
	assert_non_null(internal_error());
	assert_non_null(strstr(internal_error()->message,
	    "the mx check could not record 1 of its findings"));
	assert_int_equal(r.status, MC_UNKNOWN);
}

/* The array grew but the message could not be copied. */
static void
failed_message_is_counted(void **state)
{
	(void)state;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_NULL, NULL, "first"), 0);
	fail_in = 2;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_UNREACHABLE, "subject",
	    "second %d", 2), -1);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(mc_finding_hint(&r, "for the second"), -1);
	assert_null(r.findings[0].hint);
	assert_int_equal(r.nlost, 1);
}

/* The subject could not be copied: no half finding stays. */
static void
failed_subject_is_counted(void **state)
{
	(void)state;
	fail_in = 3;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_UNREACHABLE, "subject",
	    "message"), -1);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(r.nlost, 1);
	assert_int_equal(mc_finding_metric(&r, "hosts"), -1);
	assert_int_equal(r.nlost, 1);
}

static void
failed_decorations_metrics_summaries_are_counted(void **state)
{
	double v;

	(void)state;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_NULL, NULL, "first"), 0);
	fail_in = 1;
	assert_int_equal(mc_finding_hint(&r, "hint"), -1);
	fail_in = 1;
	assert_int_equal(mc_finding_brief(&r, "brief"), -1);
	fail_in = 1;
	assert_int_equal(mc_metric_set(&r, "hosts", 1), -1);
	fail_in = 2;
	assert_int_equal(mc_metric_set(&r, "hosts", 1), -1);
	fail_in = 1;
	assert_int_equal(mc_result_summary(&r, "summary"), -1);
	assert_int_equal(r.nlost, 5);
	assert_null(r.findings[0].hint);
	assert_int_equal(mc_metric_get(&r, "hosts", &v), 0);
	/* the finding itself is intact, and a later decoration applies */
	assert_int_equal(mc_finding_hint(&r, "hint"), 0);
	assert_string_equal(r.findings[0].hint, "hint");
	assert_int_equal(mc_result_worst(&r), MC_UNKNOWN);
	mc_result_settle(&r);
	assert_non_null(strstr(internal_error()->message,
	    "could not record 5 of"));
}

/* Decorating when nothing was added is the caller's bug: counted. */
static void
decoration_without_finding_is_counted(void **state)
{
	(void)state;
	assert_int_equal(mc_finding_hint(&r, "hint"), -1);
	assert_int_equal(mc_finding_metric(&r, "hosts"), -1);
	assert_int_equal(r.nlost, 2);
	mc_result_settle(&r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].id, MC_F_INTERNAL_ERROR);
}

/* A critical finding still outranks the lost ones. */
static void
crit_outranks_lost(void **state)
{
	(void)state;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_UNREACHABLE, NULL, "crit"),
	    0);
	fail_in = 1;
	mc_finding_add(&r, MC_F_MX_NULL, NULL, "lost");
	mc_result_settle(&r);
	assert_int_equal(r.status, MC_CRIT);
	assert_non_null(internal_error());
}

/* Nothing can be allocated: the result still says unknown. */
static void
settle_without_memory_stays_unknown(void **state)
{
	(void)state;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_NULL, NULL, "info"), 0);
	fail_all = 1;
	assert_int_equal(mc_finding_add(&r, MC_F_MX_DUPLICATE, NULL, "lost"),
	    -1);
	mc_result_settle(&r);
	fail_all = 0;
	assert_null(internal_error());
	assert_true(r.nlost > 0);
	assert_int_equal(r.status, MC_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nothing_lost_adds_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(long_texts_are_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    failed_add_drops_its_decorations, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_message_is_counted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(failed_subject_is_counted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    failed_decorations_metrics_summaries_are_counted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    decoration_without_finding_is_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(crit_outranks_lost,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    settle_without_memory_stays_unknown, setup, teardown),
	};

	return cmocka_run_group_tests_name("result_error", tests, NULL, NULL);
}
