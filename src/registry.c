/* SPDX-License-Identifier: ISC */
/*
 * src/registry.c - the one list of checks
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "mailcheck/check.h"
#include "banned.h"

extern const struct mc_check mc_check_mx;
extern const struct mc_check mc_check_spf;
extern const struct mc_check mc_check_dkim;
extern const struct mc_check mc_check_dmarc;
extern const struct mc_check mc_check_rdns;
extern const struct mc_check mc_check_dnsbl;

const struct mc_check *const mc_checks[] = {
	&mc_check_mx,
	&mc_check_spf,
	&mc_check_dkim,
	&mc_check_dmarc,
	&mc_check_rdns,
	&mc_check_dnsbl,
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

int
mc_dns_failed(const struct mc_dns_answer *ans)
{
	return ans->status == MC_DNS_TEMPFAIL || ans->status == MC_DNS_PERMFAIL;
}

int
mc_finding_dns(struct mc_result *r, const struct mc_dns_answer *ans,
    const char *what)
{
	char tbuf[16], subject[300];
	const char *why = ans->why != NULL ? ans->why :
	    mc_dns_status_str(ans->status);

	snprintf(subject, sizeof(subject), "%s %s", ans->qname,
	    mc_rr_type_str(ans->qtype, tbuf, sizeof(tbuf)));
	if (mc_finding_add(r, ans->status == MC_DNS_PERMFAIL ?
	    MC_F_DNS_PERMFAIL : MC_F_DNS_TEMPFAIL, subject,
	    "cannot look up %s of %s: %s", what, ans->qname, why) == -1)
		return -1;
	/* the reason alone: the plugin groups a check's failures by it */
	return mc_finding_brief(r, "%s", why);
}
