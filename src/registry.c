/* SPDX-License-Identifier: ISC */
/*
 * src/registry.c - the one list of checks
 */
#include <stddef.h>
#include <string.h>

#include "mailcheck/check.h"
#include "banned.h"

extern const struct mc_check mc_check_mx;
extern const struct mc_check mc_check_spf;
extern const struct mc_check mc_check_dkim;
extern const struct mc_check mc_check_dmarc;
extern const struct mc_check mc_check_rdns;
extern const struct mc_check mc_check_dnsbl;
extern const struct mc_check mc_check_mta_sts;
extern const struct mc_check mc_check_tlsrpt;
extern const struct mc_check mc_check_bimi;
extern const struct mc_check mc_check_smtp;
extern const struct mc_check mc_check_dane;
extern const struct mc_check mc_check_dnssec;

const struct mc_check *const mc_checks[] = {
	&mc_check_mx,
	&mc_check_spf,
	&mc_check_dkim,
	&mc_check_dmarc,
	&mc_check_rdns,
	&mc_check_dnsbl,
	&mc_check_mta_sts,
	&mc_check_tlsrpt,
	&mc_check_bimi,
	&mc_check_smtp,
	&mc_check_dane,
	&mc_check_dnssec,
	NULL,
};

const struct mc_check *
mc_check_find(const char *name)
{
	size_t i;

	for (i = 0; mc_checks[i] != NULL; i++)
		if (strcmp(mc_checks[i]->name, name) == 0)
			return mc_checks[i];
	return NULL;
}
