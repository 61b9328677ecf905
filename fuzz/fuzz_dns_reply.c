/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_dns_reply.c - libFuzzer target: reply parsing of the engine
 * (src/dns_wire.c, and dns_ldns.c for the record types it leaves to ldns)
 *
 * The first octet picks the question type (and, by bit 3, whether the query
 * carried EDNS); the rest is the reply, whose own ID is taken as ours so the
 * fuzzer gets past the ID check.  Build and run from the top of the tree:
 *
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc \
 *     fuzz/fuzz_dns_reply.c src/dns_wire.c src/dns_ldns.c src/dns_answer.c \
 *     $(pkg-config --cflags --libs ldns) -o fuzz_dns_reply
 *   ./fuzz_dns_reply -max_total_time=60 -max_len=600
 */
#include <stddef.h>
#include <stdint.h>

#include "dns_impl.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {
		MC_RR_A, MC_RR_AAAA, MC_RR_MX, MC_RR_TXT, MC_RR_PTR,
		MC_RR_CNAME, MC_RR_SOA, MC_RR_SPF,
	};
	static struct mc_cname_chain chain;
	struct mc_dns_answer *a;
	uint16_t type, id;

	if (size < 13)
		return 0;
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	id = (uint16_t)((data[1] << 8) | data[2]);
	a = mc_answer_new("example.test", type);
	if (a == NULL)
		return 0;
	/* bit 3 of the first octet: the query carried EDNS */
	/* bit 4: a later answer of the question, with a chain begun */
	if ((data[0] >> 4) & 1) {
		chain.n = 1;
		snprintf(chain.names[0], sizeof(chain.names[0]), "example.test");
	}
	(void)mc_dns_parse_reply(data + 1, size - 1, id, "example.test", type,
	    (data[0] >> 3) & 1, (data[0] >> 4) & 1 ? &chain : NULL, a);
	mc_answer_free(a);
	return 0;
}
