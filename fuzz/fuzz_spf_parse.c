/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_spf_parse.c - libFuzzer target: SPF parser and macro expansion
 *
 * Parses the input as a record (with "v=spf1 " put in front when missing),
 * then expands every domain-spec of the terms as check_host() would, and
 * the whole input as an explanation string.
 *
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     fuzz/fuzz_spf_parse.c src/spf_parse.c src/arena.c src/escape.c -o fz
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char ip[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct mc_spf_macro_env env = { .sender = "a.b-c@example.org",
	    .local = "a.b-c", .sender_domain = "example.org",
	    .domain = "example.org", .ip = ip, .ipv6 = 1,
	    .helo = "mx.example.org", .now = 1 };
	struct mc_spf_record rec;
	struct mc_spf_error err;
	struct mc_arena *a;
	char *buf, *out, why[160];
	size_t i, len;

	a = mc_arena_new();
	buf = malloc(size + 8);
	if (a == NULL || buf == NULL)
		goto out;
	memcpy(buf, "v=spf1 ", 7);
	memcpy(buf + 7, data, size);
	len = size + 7;
	if (size >= 6 && mc_spf_is_record((const char *)data, size)) {
		memcpy(buf, data, size);
		len = size;
	}
	buf[len] = '\0';
	if (mc_spf_parse(a, buf, len, &rec, &err) == 0) {
		for (i = 0; i < rec.nterms; i++)
			if (rec.terms[i].domain != NULL)
				(void)mc_spf_expand(a, rec.terms[i].domain,
				    strlen(rec.terms[i].domain), &env, 0,
				    rec.terms[i].kind != MC_SPF_UNKNOWN_MODIFIER,
				    &out, why, sizeof(why));
	}
	(void)mc_spf_expand(a, (const char *)data, size, &env, 1, 0, &out, why,
	    sizeof(why));
out:
	free(buf);
	mc_arena_free(a);
	return 0;
}
