/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_tagvalue.c - libFuzzer target for the tag=value tokenizer
 *
 * Build and run (from the source tree):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     -D_DEFAULT_SOURCE fuzz/fuzz_tagvalue.c src/tagvalue.c src/arena.c \
 *     -o fuzz_tagvalue && ./fuzz_tagvalue -max_total_time=60
 * Invariants checked: the result is consistent (error offsets inside the
 * input, at most MC_TV_MAX_TAGS tags, names and values made only of the
 * bytes the grammar allows) and splitting every value terminates; the
 * cursor (mc_tv_next) moves forward on every step, stays inside the input,
 * and agrees with mc_tv_parse on the tags before the first error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/tagvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_arena *a;
	struct mc_tv_list l;
	const char *el[8];
	size_t i, k;
	int rc;

	a = mc_arena_new();
	if (a == NULL)
		return 0;
	rc = mc_tv_parse(a, (const char *)data, size, &l);
	if (rc == -1 && l.errpos > size)
		abort();
	if (l.n > MC_TV_MAX_TAGS)
		abort();
	for (i = 0; i < l.n; i++) {
		for (k = 0; l.tag[i].value[k] != '\0'; k++) {
			unsigned char c = (unsigned char)l.tag[i].value[k];

			if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
				abort();
			if (c >= 0x7f || c == ';')
				abort();
		}
		if (l.tag[i].pos >= size || l.tag[i].vpos > size)
			abort();
		(void)mc_tv_split(a, l.tag[i].value, ':', el, 8);
	}
	{
		struct mc_tv_cursor c;
		struct mc_tv_tag t;
		enum mc_tv_step st;
		size_t last = 0, ntag = 0;
		int clean = 1;

		mc_tv_cursor_init(&c, (const char *)data, size);
		while ((st = mc_tv_next(a, &c, &t)) != MC_TV_STEP_END) {
			if (c.pos <= last && size > 0 && c.pos != size)
				abort();
			if (c.pos > size || t.pos > size)
				abort();
			last = c.pos;
			if (st == MC_TV_STEP_BAD)
				clean = 0;
			if (st == MC_TV_STEP_TAG && clean && ntag < l.n &&
			    strcmp(t.name, l.tag[ntag++].name) != 0)
				abort();
		}
	}
	mc_arena_free(a);
	return 0;
}
