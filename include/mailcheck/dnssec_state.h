/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dnssec_state.h - is an answer DNSSEC-secure? (RFC 4035 4.3)
 *
 * The seam between the dane check, which must ignore TLSA records that are
 * not secure (RFC 7672 2.2), and DNSSEC validation, which belongs to the
 * DNS layer and the dnssec check (issue 11, part 2).  Until the DNS layer
 * asks with the DO bit and reports the AD bit or validates, the answer is
 * always MC_DNSSEC_INDETERMINATE, and the dane check says so in a finding
 * of its own instead of pretending.
 */
#ifndef MAILCHECK_DNSSEC_STATE_H
#define MAILCHECK_DNSSEC_STATE_H

#include "mailcheck/dns.h"

enum mc_dnssec_state {
	MC_DNSSEC_SECURE,
	MC_DNSSEC_INSECURE,      /* provably unsigned */
	MC_DNSSEC_BOGUS,         /* signed, and validation failed */
	MC_DNSSEC_INDETERMINATE, /* not known (not validated) */
};

/* "secure", "insecure", "bogus", "indeterminate" */
const char *mc_dnssec_state_str(enum mc_dnssec_state s);
/* The state of the records of ans, as asked through dns. */
enum mc_dnssec_state mc_dnssec_answer_state(struct mc_dns_session *dns,
    const struct mc_dns_answer *ans);

#endif
