/* SPDX-License-Identifier: ISC */
/*
 * src/dnssec_state.c - the DNSSEC state of an answer: not known yet
 *
 * The honest implementation until the DNS layer reports the AD bit (or the
 * dnssec check validates): every answer is indeterminate.  See
 * mailcheck/dnssec_state.h.
 */
#include "mailcheck/dnssec_state.h"
#include "banned.h"

const char *
mc_dnssec_state_str(enum mc_dnssec_state s)
{
	switch (s) {
	case MC_DNSSEC_SECURE:
		return "secure";
	case MC_DNSSEC_INSECURE:
		return "insecure";
	case MC_DNSSEC_BOGUS:
		return "bogus";
	case MC_DNSSEC_INDETERMINATE:
		break;
	}
	return "indeterminate";
}

enum mc_dnssec_state
mc_dnssec_answer_state(struct mc_dns_session *dns, const struct mc_dns_answer *ans)
{
	(void)dns;
	(void)ans;
	return MC_DNSSEC_INDETERMINATE;
}
