/* SPDX-License-Identifier: ISC */
/*
 * src/dns_findings.c - failed DNS answers as findings
 *
 * Every check reports a failed lookup through mc_finding_dns(), so a
 * failure reads the same in every check and is never taken for "missing".
 * The answer's reason picks the finding: a CNAME loop or an over-long
 * CNAME chain is a finding of its own; any other failure is dns.tempfail
 * or dns.permfail by its status.
 */
#include <stdio.h>

#include "mailcheck/check.h"
#include "banned.h"

int
mc_dns_failed(const struct mc_dns_answer *ans)
{
	return ans->status == MC_DNS_TEMPFAIL || ans->status == MC_DNS_PERMFAIL;
}

static enum mc_finding_id
finding_of(const struct mc_dns_answer *ans)
{
	switch (ans->reason) {
	case MC_DNS_REASON_CNAME_LOOP:
		return MC_F_DNS_CNAME_LOOP;
	case MC_DNS_REASON_CNAME_CHAIN:
		return MC_F_DNS_CNAME_CHAIN_TOO_LONG;
	case MC_DNS_REASON_NONE:
	case MC_DNS_REASON_DEADLINE:
	case MC_DNS_REASON_BUDGET:
	case MC_DNS_REASON_MALFORMED:
	case MC_DNS_REASON_OUTSIDE:
		break;
	}
	return ans->status == MC_DNS_PERMFAIL ? MC_F_DNS_PERMFAIL :
	    MC_F_DNS_TEMPFAIL;
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
	if (mc_finding_add(r, finding_of(ans), subject,
	    "cannot look up %s of %s: %s", what, ans->qname, why) == -1)
		return -1;
	/* the reason alone: the plugin groups a check's failures by it */
	return mc_finding_brief(r, "%s", why);
}
