/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_shard.c - the shard hash (a contract: pinned values),
 * --shard I/N and --shard auto from the schedulers' variables
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/domain.h"
#include "mailcheck/shard.h"
#include "mc_table.h"

/*
 * FNV-1a 64: the first three are the FNV reference's own test vectors;
 * the rest pin the names users give.  Never change a row: a changed hash
 * puts domains in other shards and breaks every resume and merge.
 */
struct hash_row {
	const char *name, *given;
	uint64_t hash;
	unsigned long shard_of_4, shard_of_10;
};

static const struct hash_row hashes[] = {
	{ "fnv-empty", "", 0xcbf29ce484222325ULL, 1, 7 },
	{ "fnv-a", "a", 0xaf63dc4c8601ec8cULL, 0, 6 },
	{ "fnv-foobar", "foobar", 0x85944171f73967e8ULL, 0, 8 },
	{ "example-org", "example.org", 0xee7160631269bf51ULL, 1, 1 },
	{ "upper-case-final-dot", "Example.ORG.", 0xee7160631269bf51ULL, 1, 1 },
	{ "u-label", "b\xc3\xbc" "cher.example", 0x7b26509724e3d0d4ULL, 0, 0 },
	{ "a-label", "xn--bcher-kva.example", 0x7b26509724e3d0d4ULL, 0, 0 },
	{ "fixture", "d0.shard.test", 0xb6dc58aa527863dbULL, 3, 5 },
	{ "subdomain", "mail.example.com", 0x854f759079312fedULL, 1, 7 },
};

static void
test_hash(void **state)
{
	const struct hash_row *row = *state;
	char name[256] = "", err[256];
	struct mc_shard s4 = { .count = 4 }, s10 = { .count = 10 };

	/* the hash is over the normalised name, as the runner sees it */
	if (row->given[0] != '\0' && strchr(row->given, '.') != NULL)
		assert_int_equal(mc_domain_normalise(row->given, name,
		    sizeof(name), 0, err, sizeof(err)), 0);
	else
		snprintf(name, sizeof(name), "%s", row->given);
	assert_true(mc_shard_hash(name) == row->hash);
	s4.index = row->shard_of_4;
	s10.index = row->shard_of_10;
	assert_true(mc_shard_mine(&s4, name));
	assert_true(mc_shard_mine(&s10, name));
	s4.index = (row->shard_of_4 + 1) % 4;
	assert_false(mc_shard_mine(&s4, name));
	assert_true(mc_shard_mine(NULL, name));
}

struct parse_row {
	const char *name, *arg;
	int rc;
	unsigned long index, count;
	const char *err;
};

static const struct parse_row parses[] = {
	{ "first", "0/4", 0, 0, 4, NULL },
	{ "last", "3/4", 0, 3, 4, NULL },
	{ "one", "0/1", 0, 0, 1, NULL },
	{ "max", "999999/1000000", 0, 999999, 1000000, NULL },
	{ "index-is-count", "4/4", -1, 0, 0, "counted from 0" },
	{ "zero-count", "0/0", -1, 0, 0, "expected I/N" },
	{ "over-max", "0/1000001", -1, 0, 0, "expected I/N" },
	{ "no-slash", "3", -1, 0, 0, "expected I/N" },
	{ "sign", "+1/4", -1, 0, 0, "expected I/N" },
	{ "negative", "-1/4", -1, 0, 0, "expected I/N" },
	{ "blank", " 1/4", -1, 0, 0, "expected I/N" },
	{ "trailing", "1/4x", -1, 0, 0, "expected I/N" },
	{ "empty-index", "/4", -1, 0, 0, "expected I/N" },
	{ "empty-count", "1/", -1, 0, 0, "expected I/N" },
	{ "huge", "99999999999999999999/4", -1, 0, 0, "expected I/N" },
};

static void
test_parse(void **state)
{
	const struct parse_row *row = *state;
	struct mc_shard s = { 0 };
	char err[256] = "";

	assert_int_equal(mc_shard_parse(row->arg, &s, err, sizeof(err)),
	    row->rc);
	if (row->rc == 0) {
		assert_int_equal(s.index, row->index);
		assert_int_equal(s.count, row->count);
	} else
		assert_non_null(strstr(err, row->err));
}

/* The environment of one row: "NAME=VALUE" strings. */
static const char *const *env_now;

static char *
fake_getenv(const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; env_now[i] != NULL; i++)
		if (strncmp(env_now[i], name, len) == 0 &&
		    env_now[i][len] == '=')
			return (char *)(uintptr_t)(env_now[i] + len + 1);
	return NULL;
}

struct auto_row {
	const char *name;
	const char *env[6];
	unsigned long shards;
	int rc;
	unsigned long index, count;
	const char *err;          /* a part of the message: the variable */
};

static const struct auto_row autos[] = {
	{ "k8s", { "JOB_COMPLETION_INDEX=2" }, 4, 0, 2, 4, NULL },
	{ "k8s-no-shards", { "JOB_COMPLETION_INDEX=2" }, 0, -1, 0, 0,
	  "JOB_COMPLETION_INDEX needs --shards" },
	{ "k8s-out-of-range", { "JOB_COMPLETION_INDEX=4" }, 4, -1, 0, 0,
	  "JOB_COMPLETION_INDEX 4 is shard 4" },
	{ "k8s-not-a-number", { "JOB_COMPLETION_INDEX=two" }, 4, -1, 0, 0,
	  "JOB_COMPLETION_INDEX is not a number" },
	{ "k8s-before-slurm", { "JOB_COMPLETION_INDEX=1",
	  "SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_COUNT=8" }, 2, 0, 1, 2,
	  NULL },
	{ "none", { NULL }, 4, -1, 0, 0,
	  "JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or "
	  "SLURM_ARRAY_TASK_ID" },
	{ "empty-is-unset", { "JOB_COMPLETION_INDEX=" }, 4, -1, 0, 0,
	  "neither is set" },
	{ "slurm-count", { "SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_COUNT=8",
	  "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_MAX=7" }, 0, 0, 3, 8,
	  NULL },
	{ "slurm-from-one", { "SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=4",
	  "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_MAX=4" }, 0, 0, 0, 4,
	  NULL },
	{ "slurm-max-only", { "SLURM_ARRAY_TASK_ID=4", "SLURM_ARRAY_TASK_MIN=1",
	  "SLURM_ARRAY_TASK_MAX=4" }, 0, 0, 3, 4, NULL },
	{ "slurm-shards-agree", { "SLURM_ARRAY_TASK_ID=3",
	  "SLURM_ARRAY_TASK_COUNT=8" }, 8, 0, 3, 8, NULL },
	{ "slurm-shards-only", { "SLURM_ARRAY_TASK_ID=3" }, 5, 0, 3, 5, NULL },
	{ "slurm-shards-disagree", { "SLURM_ARRAY_TASK_ID=3",
	  "SLURM_ARRAY_TASK_COUNT=8" }, 4, -1, 0, 0,
	  "--shards 4 disagrees with the array's 8 tasks "
	  "(SLURM_ARRAY_TASK_COUNT)" },
	{ "slurm-no-count", { "SLURM_ARRAY_TASK_ID=3" }, 0, -1, 0, 0,
	  "SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MAX are not set" },
	{ "slurm-sparse", { "SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_COUNT=4",
	  "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_MAX=7" }, 0, -1, 0, 0,
	  "SLURM_ARRAY_TASK_COUNT 4 is not SLURM_ARRAY_TASK_MAX" },
	{ "slurm-step", { "SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_STEP=2",
	  "SLURM_ARRAY_TASK_COUNT=4" }, 0, -1, 0, 0,
	  "SLURM_ARRAY_TASK_STEP is 2" },
	{ "slurm-below-min", { "SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_MIN=1",
	  "SLURM_ARRAY_TASK_COUNT=4" }, 0, -1, 0, 0,
	  "SLURM_ARRAY_TASK_ID 0 is below SLURM_ARRAY_TASK_MIN 1" },
	{ "slurm-out-of-range", { "SLURM_ARRAY_TASK_ID=9",
	  "SLURM_ARRAY_TASK_COUNT=4" }, 0, -1, 0, 0,
	  "SLURM_ARRAY_TASK_ID 9 is shard 9, but there are only 4" },
	{ "slurm-bad-min", { "SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_MIN=x",
	  "SLURM_ARRAY_TASK_COUNT=4" }, 0, -1, 0, 0,
	  "SLURM_ARRAY_TASK_MIN is not a number" },
	{ "too-many", { "SLURM_ARRAY_TASK_ID=1",
	  "SLURM_ARRAY_TASK_COUNT=2000000" }, 0, -1, 0, 0, "at most 1000000" },
};

static void
test_auto(void **state)
{
	const struct auto_row *row = *state;
	struct mc_shard s = { 0 };
	char err[512] = "";

	env_now = row->env;
	assert_int_equal(mc_shard_auto(fake_getenv, row->shards, &s, err,
	    sizeof(err)), row->rc);
	if (row->rc == 0) {
		assert_int_equal(s.index, row->index);
		assert_int_equal(s.count, row->count);
	} else {
		if (strstr(err, row->err) == NULL)
			fail_msg("message '%s' lacks '%s'", err, row->err);
	}
}

/* Every name lands in exactly one shard, and the shards are near even. */
static void
test_partition(void **state)
{
	struct mc_shard s = { .count = 7 };
	size_t per[7] = { 0 }, i, k, mine;
	char name[64];

	(void)state;
	for (i = 0; i < 7000; i++) {
		snprintf(name, sizeof(name), "d%zu.example", i);
		mine = 0;
		for (k = 0; k < 7; k++) {
			s.index = k;
			if (mc_shard_mine(&s, name)) {
				mine++;
				per[k]++;
			}
		}
		assert_int_equal(mine, 1);
	}
	for (k = 0; k < 7; k++)
		assert_in_range(per[k], 800, 1200);
}

int
main(void)
{
	struct CMUnitTest t[128];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, hashes, test_hash);
	MC_TABLE_ADD(t, &n, parses, test_parse);
	MC_TABLE_ADD(t, &n, autos, test_auto);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_partition);
	return mc_table_run("shard", t, n, NULL, NULL);
}
