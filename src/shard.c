/* SPDX-License-Identifier: ISC */
/*
 * src/shard.c - the stable shard of a domain, and the scheduler's index
 *
 * The hash and the numbering are a contract (include/mailcheck/shard.h):
 * shard outputs of different runs, machines and versions join with
 * `mailcheck merge` only if every run picks the same domains.  The index
 * comes from the variables the schedulers set: Kubernetes' Indexed Job
 * (JOB_COMPLETION_INDEX) and Slurm's job arrays (SLURM_ARRAY_TASK_*);
 * each problem names the variable, since the user fixes the job's spec,
 * not mailcheck's command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/shard.h"
#include "banned.h"

uint64_t
mc_shard_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int
mc_shard_mine(const struct mc_shard *s, const char *name)
{
	if (s == NULL || s->count <= 1)
		return 1;
	return mc_shard_hash(name) % s->count == s->index;
}

/* A plain decimal number up to max: 0, or -1. */
static int
number(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int
mc_shard_parse(const char *arg, struct mc_shard *s, char *err,
    size_t errsize)
{
	const char *slash = strchr(arg, '/');

	if (slash == NULL || number(arg, (size_t)(slash - arg), MC_SHARD_MAX,
	    &s->index) == -1 || number(slash + 1, strlen(slash + 1),
	    MC_SHARD_MAX, &s->count) == -1 || s->count == 0) {
		snprintf(err, errsize, "expected I/N with 0 <= I < N <= %d",
		    MC_SHARD_MAX);
		return -1;
	}
	if (s->index >= s->count) {
		snprintf(err, errsize, "shard %lu of %lu: shards are counted "
		    "from 0, so I must be below N", s->index, s->count);
		return -1;
	}
	return 0;
}

/* The variable name as a number: 1, 0 when unset, -1 (told) when bad. */
static int
env_number(char *(*get)(const char *), const char *name,
    unsigned long *out, char *err, size_t errsize)
{
	const char *v = get(name);

	if (v == NULL || *v == '\0')
		return 0;
	if (number(v, strlen(v), 4294967295UL, out) == -1) {
		snprintf(err, errsize, "%s is not a number", name);
		return -1;
	}
	return 1;
}

int
mc_shard_auto(char *(*get)(const char *name), unsigned long shards,
    struct mc_shard *s, char *err, size_t errsize)
{
	unsigned long id, min = 0, max = 0, count = 0, step = 1;
	const char *idvar = "JOB_COMPLETION_INDEX";
	int rc, hasmax, hascount;

	rc = env_number(get, idvar, &id, err, errsize);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		if (shards == 0) {
			snprintf(err, errsize, "--shard auto with "
			    "JOB_COMPLETION_INDEX needs --shards N (the Job's "
			    "completions)");
			return -1;
		}
		count = shards;
		goto check;
	}
	idvar = "SLURM_ARRAY_TASK_ID";
	rc = env_number(get, idvar, &id, err, errsize);
	if (rc == -1)
		return -1;
	if (rc == 0) {
		snprintf(err, errsize, "--shard auto needs JOB_COMPLETION_INDEX "
		    "(a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (a Slurm "
		    "job array): neither is set");
		return -1;
	}
	if (env_number(get, "SLURM_ARRAY_TASK_MIN", &min, err, errsize) == -1 ||
	    env_number(get, "SLURM_ARRAY_TASK_STEP", &step, err, errsize) == -1 ||
	    (hasmax = env_number(get, "SLURM_ARRAY_TASK_MAX", &max, err,
	    errsize)) == -1 ||
	    (hascount = env_number(get, "SLURM_ARRAY_TASK_COUNT", &count, err,
	    errsize)) == -1)
		return -1;
	if (step != 1) {
		snprintf(err, errsize, "SLURM_ARRAY_TASK_STEP is %lu: a stepped "
		    "array has no shard numbering (submit --array=0-N)",
		    step);
		return -1;
	}
	if (id < min) {
		snprintf(err, errsize, "SLURM_ARRAY_TASK_ID %lu is below "
		    "SLURM_ARRAY_TASK_MIN %lu", id, min);
		return -1;
	}
	if (hasmax && max < min) {
		snprintf(err, errsize, "SLURM_ARRAY_TASK_MAX %lu is below "
		    "SLURM_ARRAY_TASK_MIN %lu", max, min);
		return -1;
	}
	if (hasmax && hascount && count != max - min + 1) {
		snprintf(err, errsize, "SLURM_ARRAY_TASK_COUNT %lu is not "
		    "SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1 (%lu): a "
		    "sparse array has no shard numbering", count,
		    max - min + 1);
		return -1;
	}
	if (!hascount && hasmax) {
		count = max - min + 1;
		hascount = 1;
	}
	if (shards != 0 && hascount && shards != count) {
		snprintf(err, errsize, "--shards %lu disagrees with the array's "
		    "%lu tasks (SLURM_ARRAY_TASK_COUNT)", shards, count);
		return -1;
	}
	if (shards != 0)
		count = shards;
	if (count == 0) {
		snprintf(err, errsize, "--shard auto needs --shards N: "
		    "SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MAX are not "
		    "set");
		return -1;
	}
	id -= min;
check:
	if (count > MC_SHARD_MAX) {
		snprintf(err, errsize, "%lu shards: at most %d", count,
		    MC_SHARD_MAX);
		return -1;
	}
	if (id >= count) {
		snprintf(err, errsize, "%s %lu is shard %lu, but there are only "
		    "%lu (counted from 0)", idvar, id + min, id, count);
		return -1;
	}
	s->index = id;
	s->count = count;
	return 0;
}
