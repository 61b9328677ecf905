/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/mxhosts.h - the MX hosts a sender would connect to, with the
 * addresses to probe and their TLSA records (smtp and dane checks)
 *
 * Level 1 asks the domain's MX; level 2 asks, all at once, every host's A,
 * AAAA and _PORT._tcp.HOST TLSA records (RFC 7672 2.2: TLSA together with
 * the addresses).  Both checks call this; the DNS cache makes the second
 * call free.  No MX: the domain itself (implicit MX, RFC 5321 5.1).
 * Memory comes from the arena; answers belong to the DNS handle.  The
 * two checks' shared setup (their SMTP client) is here too.
 */
#ifndef MAILCHECK_MXHOSTS_H
#define MAILCHECK_MXHOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "mailcheck/arena.h"
#include "mailcheck/dns.h"

struct mc_mxhost {
	const char *name;       /* lower case, no final dot */
	uint16_t pref;
	const struct mc_dns_answer *a, *aaaa, *tlsa;
	const char **addrs;     /* the addresses to probe (text) */
	size_t naddrs;
};

struct mc_mxhosts {
	const struct mc_dns_answer *mx; /* the MX answer (failures included) */
	int implicit;           /* no MX: the domain is its own host */
	int null_mx;            /* "MX 0 ." only: accepts no mail */
	struct mc_mxhost *h;    /* by preference, then name; duplicates and
	                           IP literals left out */
	size_t n;
};

/*
 * Collect the hosts of domain.  all: every address (--smtp-addresses all),
 * else the first IPv4 and the first IPv6 address.  port names the TLSA
 * owner (_PORT._tcp).  Returns 0, or -1 when out of memory; a failed MX
 * lookup leaves n at 0 with out->mx telling why.
 */
int mc_mxhosts_collect(struct mc_dns_session *dns, struct mc_arena *a,
    const char *domain, int all, unsigned port, struct mc_mxhosts *out);

struct mc_options;
struct mc_ctx;
/*
 * The common start of the smtp and dane runs: the result's data object,
 * the hosts of ctx->domain by the run's options, and a dns finding when
 * the MX lookup failed.  Returns 0 to go on, 1 when the MX lookup failed
 * (reported), -1 on error (no SMTP client from setup, no memory).
 */
int mc_mxhosts_start(struct mc_ctx *ctx, struct mc_mxhosts *mx);
/*
 * The setup and teardown of the smtp and dane checks: *state becomes the
 * run's shared SMTP client (mc_smtp_shared_get() keyed by opts), made from
 * --helo-name, --smtp-port, --connect-to and the offline flag.
 */
int mc_mxhosts_smtp_setup(const struct mc_options *opts, void **state,
    char *err, size_t errsize);
void mc_mxhosts_smtp_teardown(void *state);
/* The SMTP port of the run (--smtp-port, default 25). */
unsigned mc_mxhosts_port(const struct mc_options *opts);
/*
 * The deadline to give probes: a little before the run's (ctx->deadline,
 * 0: none), so that the check can still report what the probes saw.
 */
double mc_mxhosts_probe_deadline(double run_deadline);

#endif
