/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_svg_check.c - libFuzzer target for the SVG Tiny PS checker
 *
 * The input is a logo as fetched (at most the 32 KiB cap is ever given in
 * production; libFuzzer's -max_len decides here).  Invariants checked:
 * only known problem bits are set, each with a detail, at most one element
 * past the limit is counted, and a document with no problem has a square
 * viewBox.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mailcheck/svg_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_svg_report r;
	int k;

	if (mc_svg_check((const char *)data, size, &r) == -1)
		return 0;
	if (r.problems >> MC_SVG_NPROBLEMS)
		abort();
	for (k = 0; k < MC_SVG_NPROBLEMS; k++)
		if ((r.problems & (1u << k)) && r.detail[k][0] == '\0')
			abort();
	if (r.elements > MC_SVG_MAX_ELEMENTS + 1)
		abort();
	if (r.problems == 0 && (r.width <= 0 || r.width != r.height))
		abort();
	return 0;
}
