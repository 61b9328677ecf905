/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_dkim_key.c - libFuzzer target for the DKIM key record parser
 *
 * The input is one key record.  Invariants checked: parsing never fails
 * on hostile bytes; problems stay within MC_DKIM_MAX_PROBLEMS and each has
 * a message; a key read has a type, an encoding and a size (256 for
 * ed25519, at least 1 bit for RSA), and the EVP_PKEY kept for it agrees;
 * no key read means no EVP_PKEY; release frees it (LeakSanitizer sees a
 * leak otherwise).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "mailcheck/dkim_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_arena *a;
	struct mc_dkim_key k;
	size_t i;

	a = mc_arena_new();
	if (a == NULL)
		return 0;
	(void)mc_dkim_key_looks(a, (const char *)data, size);
	if (mc_dkim_key_parse(a, "s._domainkey.example.org",
	    (const char *)data, size, MC_DKIM_KEY_KEEP_PKEY, &k) == -1)
		goto out;
	if (k.nproblem > MC_DKIM_MAX_PROBLEMS)
		abort();
	for (i = 0; i < k.nproblem; i++)
		if (k.problem[i].message == NULL)
			abort();
	if (k.type == MC_DKIM_KEY_NONE) {
		if (k.pkey != NULL)
			abort();
	} else {
		if (k.pkey == NULL || k.encoding == NULL || k.bits < 1 ||
		    EVP_PKEY_get_bits(k.pkey) != k.bits)
			abort();
		if (k.type == MC_DKIM_KEY_ED25519 && k.bits != 256)
			abort();
	}
	mc_dkim_key_release(&k);
out:
	mc_arena_free(a);
	return 0;
}
