/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_mta_sts_policy.c - libFuzzer target for the MTA-STS policy and
 * record parsers and the mx matcher
 *
 * The input is a policy body (as fetched, NUL bytes and all); it is also
 * parsed as an STS TXT record.  Invariants checked: the counts stay inside
 * their caps, every problem's line exists, every kept mx pattern is lower
 * case and matches the host it names (a "*." pattern: "x." + its rest), and
 * a usable policy has a version, a mode and a max_age in range.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/mta_sts_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_sts_policy p;
	struct mc_sts_record rec;
	char host[300];
	size_t i, k;

	if (a == NULL)
		return 0;
	if (mc_sts_policy_parse(a, (const char *)data, size, &p) == -1)
		goto out;
	if (p.nmx > MC_STS_MAX_MX || p.nproblems > MC_STS_MAX_PROBLEMS ||
	    p.nproblems > p.nproblems_total || p.nmx > p.nmx_lines)
		abort();
	for (i = 0; i < p.nproblems; i++)
		if (p.problem[i].line > p.nlines || p.problem[i].detail == NULL)
			abort();
	for (i = 0; i < p.nmx; i++) {
		for (k = 0; p.mx[i][k] != '\0'; k++)
			if (p.mx[i][k] >= 'A' && p.mx[i][k] <= 'Z')
				abort();
		if (strncmp(p.mx[i], "*.", 2) == 0)
			snprintf(host, sizeof(host), "x.%s", p.mx[i] + 2);
		else
			snprintf(host, sizeof(host), "%s", p.mx[i]);
		if (!mc_sts_mx_match(p.mx[i], host) ||
		    mc_sts_policy_match(&p, host) < 0)
			abort();
	}
	if (mc_sts_policy_usable(&p) && (p.version == NULL ||
	    p.mode == MC_STS_MODE_INVALID || p.max_age < 0 ||
	    p.max_age > MC_STS_MAX_AGE_MAX))
		abort();
	if (mc_sts_record_parse(a, (const char *)data, size, &rec) == 0 &&
	    (rec.id == NULL || strlen(rec.id) > MC_STS_ID_MAX))
		abort();
out:
	mc_arena_free(a);
	return 0;
}
