/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/mailaddrs.h - the addresses of a domain's mail
 *
 * The rdns and dnsbl checks examine the same set of addresses: every A and
 * AAAA of the domain's MX hosts (or of the domain itself when it has no MX:
 * the implicit MX of RFC 5321 5.1), every --ip, and the addresses the
 * domain's own SPF record names directly: ip4/ip6 hosts and ranges up to
 * /28 and /124, "a" of the domain or of names under it, "mx" of the domain
 * (qualifier "+" only; include and redirect are providers' ranges and are
 * not followed).
 * The questions are the ones checks/mx.c asks, so the DNS cache answers
 * them for free when both run.
 *
 * The list holds at most MC_MAILADDRS_MAX addresses, filled by priority:
 * the MX hosts' addresses (most preferred host first), then --ip, then
 * the SPF record's; the rest is counted as cut, and reported so.
 */
#ifndef MAILCHECK_MAILADDRS_H
#define MAILCHECK_MAILADDRS_H

#include <stddef.h>

#include <jansson.h>

#include "mailcheck/check.h"

/* Where an address came from (several may apply). */
#define MC_MAILADDR_MX (1 << 0)  /* an A/AAAA of an MX host (or implicit MX) */
#define MC_MAILADDR_IP (1 << 1)  /* given with --ip */
#define MC_MAILADDR_SPF (1 << 2) /* named by the domain's own SPF record */

#define MC_MAILADDRS_MAX 64      /* addresses examined */

struct mc_mailaddr {
	unsigned char addr[16];
	size_t len;           /* 4 or 16 */
	char text[48];        /* presentation form */
	unsigned sources;     /* MC_MAILADDR_* */
	const char *mx_host;  /* first MX host with this address, or NULL */
	const char *spf_term; /* SPF term naming it ("ip4:...", "a", "mx"), or NULL */
	int public;           /* a public address (worth a PTR or DNSBL lookup) */
};

struct mc_mailaddrs {
	struct mc_mailaddr *addrs;    /* arena */
	size_t naddrs;
	const char **mx_hosts;        /* MX host names, without repeats */
	size_t nmx_hosts;
	const struct mc_dns_answer **failed; /* lookups that failed */
	size_t nfailed;
	int truncated;                /* more than MC_MAILADDRS_MAX addresses */
	size_t ncut;                  /* addresses left out for want of room
	                                 (a repeat of one counts again) */
	unsigned cut_sources;         /* MC_MAILADDR_* of those left out */
	size_t mx_hosts_cut;          /* MX hosts past MC_MX_MAX_HOSTS, not
	                                 asked */
	int spf;                      /* the domain has an SPF record, parsed */
	size_t spf_skipped;           /* SPF terms not followed: ranges wider
	                                 than /28 or /124, names outside the
	                                 domain, macros, MX of other names */
};

/*
 * Collect the addresses of ctx->domain's mail, from ctx->arena, asking
 * every question of one level at once (depth 2).  Failed lookups are in
 * out->failed (report them with mc_finding_dns()); they never make an
 * address "missing".  Returns 0, or -1 when out of memory.
 */
int mc_mailaddrs_collect(struct mc_ctx *ctx, struct mc_mailaddrs *out);

/*
 * When the list was cut (addresses or MX hosts left out), say so with
 * finding id (an info code of the calling check) about domain.  Returns
 * 0, or -1 when out of memory.
 */
int mc_mailaddrs_report_cut(const struct mc_mailaddrs *ma, struct mc_result *r,
    enum mc_finding_id id, const char *domain);

/* Does this address send mail (--ip, or named by SPF)? */
int mc_mailaddr_sends(const struct mc_mailaddr *a);

/* {"address", "sources": [...], "mx_host", "spf_term"}: new reference */
json_t *mc_mailaddr_json(const struct mc_mailaddr *a);

/*
 * The reverse name of an address under suffix (RFC 5782 2.1, 2.4):
 * "4.3.2.1.<suffix>" for IPv4, 32 nibbles for IPv6.  suffix is
 * "in-addr.arpa", "ip6.arpa" or a blocklist zone.  Returns 0, or -1 when
 * buf is too small.
 */
int mc_reverse_name(const unsigned char *addr, size_t len, const char *suffix,
    char *buf, size_t size);

#endif
