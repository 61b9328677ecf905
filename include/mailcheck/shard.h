/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/shard.h - which domains a shard of a bulk run checks
 *
 * A shard I of N checks the domains whose stable hash, taken modulo N, is
 * I.  The hash is part of the command-line contract: a re-run, another
 * machine or another version must pick the same domains, so it never
 * changes.  It is FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime
 * 0x100000001b3), over the bytes of the domain as mc_domain_normalise()
 * writes it: the A-label, lower case, without the final dot.
 * tests/unit/test_shard.c pins known values.
 */
#ifndef MAILCHECK_SHARD_H
#define MAILCHECK_SHARD_H

#include <stddef.h>
#include <stdint.h>

#define MC_SHARD_MAX 1000000 /* shards of one run, at most */

struct mc_shard {
	unsigned long index; /* 0 <= index < count */
	unsigned long count; /* 1: every domain */
};

/* FNV-1a 64 over the normalised name (see above). */
uint64_t mc_shard_hash(const char *name);

/* Is the normalised name in shard s?  s NULL: every name is. */
int mc_shard_mine(const struct mc_shard *s, const char *name);

/*
 * "I/N" (decimal, 0 <= I < N <= MC_SHARD_MAX) into s.  Returns 0, or -1
 * with a one-line reason in err.
 */
int mc_shard_parse(const char *arg, struct mc_shard *s, char *err,
    size_t errsize);

/*
 * --shard auto: the index from the scheduler's environment, read through
 * get (getenv, or a test's table), the count from shards (--shards N; 0:
 * not given) or the scheduler:
 * - JOB_COMPLETION_INDEX (a Kubernetes Indexed Job): the index; the count
 *   is --shards (the Job's completions are not in the environment);
 * - else SLURM_ARRAY_TASK_ID: the index is SLURM_ARRAY_TASK_ID minus
 *   SLURM_ARRAY_TASK_MIN (0 if unset), the count --shards, else
 *   SLURM_ARRAY_TASK_COUNT, else MAX - MIN + 1.  A stepped or sparse
 *   array (SLURM_ARRAY_TASK_STEP other than 1, or COUNT other than
 *   MAX - MIN + 1) has no shard numbering and is refused.
 * Returns 0, or -1 with a reason naming the variable (missing, not a
 * number, index out of range, counts that disagree) in err.
 */
int mc_shard_auto(char *(*get)(const char *name), unsigned long shards,
    struct mc_shard *s, char *err, size_t errsize);

#endif
