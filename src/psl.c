/* SPDX-License-Identifier: ISC */
/*
 * src/psl.c - the Public Suffix List, loaded once for the process
 *
 * libpsl's built-in list when the library was built with one, else the
 * system's DAFSA file; the choice and the load happen once, under
 * pthread_once(), whoever asks first (the dmarc check, verify's alignment
 * or the zone backend).  The loaded list is never freed: it lives as long
 * as the process, reachable from here.
 */
#include <pthread.h>
#include <stddef.h>

#include "mailcheck/psl.h"
#include "banned.h"

#define PSL_SYSTEM_FILE "/usr/share/publicsuffix/public_suffix_list.dafsa"

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl_list;

static void
psl_load(void)
{
	psl_list = psl_builtin();
	if (psl_list == NULL)
		psl_list = psl_load_file(PSL_SYSTEM_FILE);
}

const psl_ctx_t *
mc_psl(void)
{
	pthread_once(&psl_once, psl_load);
	return psl_list;
}

int
mc_psl_is_public_suffix(const char *name)
{
	const psl_ctx_t *psl = mc_psl();

	if (psl == NULL)
		return -1;
	return psl_is_public_suffix2(psl, name, PSL_TYPE_ANY) ? 1 : 0;
}
