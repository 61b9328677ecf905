/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_tlsa.c - libFuzzer target for TLSA records and certificates
 *
 * The input is split at its first NUL byte: before it, the presentation
 * form of a TLSA record (src/tlsa.c); after it, DER bytes taken as a
 * certificate chain of one (src/x509_check.c, and mc_tlsa_match() over it).
 * Invariants checked: a parsed record's data fits the input (at most half
 * of it), a usable record's digest length fits its matching type, matching
 * returns a depth inside the chain, -1 or -2, and name matching of the
 * certificate's SAN names terminates.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/tlsa.h"
#include "mailcheck/x509_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t rlen = nul != NULL ? (size_t)(nul - data) : size;
	const unsigned char *chain[1];
	size_t lens[1];
	struct mc_cert_info ci;
	struct mc_arena *a;
	struct mc_tlsa t;
	enum mc_tlsa_status st;
	char err[160];
	int m;

	a = mc_arena_new();
	if (a == NULL)
		return 0;
	st = mc_tlsa_parse(a, (const char *)data, rlen, &t, err, sizeof(err));
	if (st != MC_TLSA_MALFORMED && t.len > rlen / 2)
		abort();
	if (st == MC_TLSA_OK && ((t.mtype == MC_TLSA_SHA256 && t.len != 32) ||
	    (t.mtype == MC_TLSA_SHA512 && t.len != 64)))
		abort();
	if (nul != NULL) {
		chain[0] = nul + 1;
		lens[0] = size - rlen - 1;
		if (mc_cert_parse(a, chain[0], lens[0], &ci, err,
		    sizeof(err)) == 0) {
			(void)mc_cert_matches_host(&ci, "mx.example.org");
			if (ci.ndns > MC_CERT_MAX_NAMES)
				abort();
		}
		if (st == MC_TLSA_OK) {
			m = mc_tlsa_match(&t, chain, lens, 1);
			if (m < -2 || m > 0)
				abort();
		}
	}
	mc_arena_free(a);
	return 0;
}
