/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_dkim_selectors.c - libFuzzer target for the DKIM selector list
 * parser and the selector name check
 *
 * Build and run: scripts/fuzz 60 dkim_selectors; by hand (from the source tree):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     -D_DEFAULT_SOURCE fuzz/fuzz_dkim_selectors.c src/dkim_selectors.c \
 *     src/domain.c -lidn2 -o fuzz_dkim_selectors &&
 *   ./fuzz_dkim_selectors -max_total_time=60
 * Invariants checked: a parsed list holds at most MC_DKIM_MAX_LIST_SELECTORS
 * selectors, each valid by mc_dkim_selector_normalise(), already normal,
 * and listed once; a failed parse leaves a one-line message naming the
 * input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/dkim_selectors.h"
#include "mailcheck/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_dkim_selector_list *l;
	char err[1024], out[MC_DNS_NAME_MAX + 2];
	size_t i, k;

	err[0] = '\0';
	l = mc_dkim_selector_list_parse((const char *)data, size, "f", err,
	    sizeof(err));
	if (l == NULL) {
		if (strncmp(err, "f", 1) != 0 || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	if (l->n > MC_DKIM_MAX_LIST_SELECTORS)
		abort();
	for (i = 0; i < l->n; i++) {
		if (mc_dkim_selector_normalise(l->v[i].name, out, sizeof(out),
		    err, sizeof(err)) == -1 || strcmp(out, l->v[i].name) != 0)
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(l->v[k].name, l->v[i].name) == 0)
				abort();
	}
	mc_dkim_selector_list_free(l);
	return 0;
}
