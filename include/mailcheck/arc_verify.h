/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/arc_verify.h - verifying a message's ARC chain (RFC 8617)
 *
 * mc_arc_verify() collects the ARC sets (ARC-Authentication-Results,
 * ARC-Message-Signature, ARC-Seal, each with its instance i=), checks the
 * chain's structure (every instance from 1 to the highest exactly once,
 * at most MC_ARC_MAX_INSTANCE), the cv= values (none on the first seal,
 * pass on the others, no fail), then verifies every ARC-Message-Signature
 * (the newest decides; the older ones give oldest-pass) and every ARC-Seal with the DKIM verifier's code
 * (src/dkim_verify.c: the same tag parser, keys, canonicalization and
 * OpenSSL checks), asking every key at once.  The result is the chain's:
 * none (no ARC fields), pass, fail, or temperror when a key could not be
 * asked; and per set, what its sealer said about the authentication it
 * saw (the ARC-Authentication-Results).
 *
 * Memory: everything returned comes from the arena given.
 */
#ifndef MAILCHECK_ARC_VERIFY_H
#define MAILCHECK_ARC_VERIFY_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/dkim_verify.h"
#include "mailcheck/dns.h"
#include "mailcheck/message.h"

struct mc_arc_set {
	int instance;
	const char *authserv_id;  /* of the ARC-Authentication-Results */
	const char *results;      /* what that sealer said, unfolded */
	const char *cv;           /* the seal's cv= */
	const char *domain;       /* the seal's d= */
	int ams_checked;          /* the AMS was verified (all are, once
	                             the structure holds) */
	struct mc_dkim_verdict ams, seal;
};

struct mc_arc_chain {
	enum mc_auth_result result; /* none, pass, fail, temperror */
	const char *reason;
	struct mc_arc_set *set;   /* instance order (arena) */
	size_t nset;
	int oldest_pass;          /* pass: RFC 8617 5.2 step 5 (0: every
	                             AMS verifies; else the lowest instance
	                             from which all newer AMSs verify) */
};

/* Verify m's ARC chain at time now; 0, or -1 when out of memory. */
int mc_arc_verify(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_message *m, long long now, struct mc_arc_chain *out);

/*
 * What ARC could change about a DMARC result (RFC 8617 7.2: a receiver's
 * local policy may override a DMARC fail when it trusts the sealers):
 * for dmarc fail with a passing chain, a sentence naming the sealers to
 * trust (newest first) and whether the first sealer saw dmarc=pass;
 * NULL otherwise.  mailcheck never changes the DMARC result itself.
 * The string comes from a; NULL also when out of memory.
 */
const char *mc_arc_dmarc_note(struct mc_arena *a,
    const struct mc_arc_chain *c, enum mc_auth_result dmarc);

#endif
