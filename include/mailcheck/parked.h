/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/parked.h - is the domain parked, and locked down?
 *
 * A domain that sends and receives no mail is parked; it is locked down
 * (M3AAWG's parked-domain practice) when it says so to every receiver:
 * a null MX (RFC 7505), the SPF record "v=spf1 -all", and a wildcard
 * *._domainkey TXT record with an empty key, which revokes every DKIM
 * selector (RFC 6376 3.6.1).  The mx check grades such a domain
 * (mx.parked), the dkim check reports the wildcard once (dkim.wildcard),
 * and the dmarc check does not ask a parked domain for report addresses.
 *
 * The questions are cached, so the checks that ask them share the
 * answers: MX and TXT at the domain, TXT at MC_DKIM_WILDCARD_PROBE.
 */
#ifndef MAILCHECK_PARKED_H
#define MAILCHECK_PARKED_H

#include "mailcheck/check.h"

/* A selector nobody uses: only a wildcard answers it. */
#define MC_DKIM_WILDCARD_PROBE "_wildcard-probe-mailcheck"

/*
 * <MC_DKIM_WILDCARD_PROBE>._domainkey.<domain>, from ctx's arena, or NULL
 * when out of memory.
 */
const char *mc_dkim_wildcard_probe(struct mc_ctx *ctx);

/*
 * Does the answer to the probe hold a DKIM key record (a wildcard key)?
 * 1 yes (*revoked set: its p= is empty), 0 no, -1 out of memory.
 */
int mc_dkim_wildcard_key(struct mc_ctx *ctx, const struct mc_dns_answer *ans,
    int *revoked);

/*
 * 1 when ctx->domain is parked and locked down (all three records), 0
 * when not, -1 when a lookup failed or memory ran out (no verdict).
 */
int mc_domain_parked(struct mc_ctx *ctx);

#endif
