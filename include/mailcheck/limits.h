/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/limits.h - named limits, from the RFCs and our own
 */
#ifndef MAILCHECK_LIMITS_H
#define MAILCHECK_LIMITS_H

#define MC_DNS_NAME_MAX 253      /* RFC 1035 2.3.4, presentation, no final dot */
#define MC_DNS_STRING_MAX 255    /* RFC 1035 3.3: bytes of one character-string */
#define MC_ZONE_INCLUDE_DEPTH 8  /* $INCLUDE nesting in zone files */
#define MC_DNS_LABEL_MAX 63      /* RFC 1035 2.3.4 */
#define MC_NSEC3_MAX_ITERATIONS 150 /* NSEC3 records with more are not
                                       read: insecure (RFC 9276 3.2) */
#define MC_DNS_MAX_RRS 4096      /* records kept from one answer */
#define MC_DNS_CNAME_MAX 16      /* CNAME hops followed, over all the answers
                                    of one question (the zone backend too) */
#define MC_DNS_EDNS_SIZE 1232    /* EDNS0 UDP payload we advertise */
#define MC_DNS_INFLIGHT_MAX 128  /* questions on the wire per batch: 512 overran
                                    a slow resolver's socket buffer (bench/dns_batch.sh) */

/*
 * --qps N: a token bucket for each server holds at most MC_QPS_BURST(N)
 * tokens (a tenth of a second's worth, at least one) and gains N a second;
 * a query takes one.  Any T seconds so see at most N x T + MC_QPS_BURST(N)
 * queries to one server from one process.
 */
#define MC_QPS_MAX 1000000.0
#define MC_QPS_BURST(n) ((n) >= 10.0 ? (n) / 10.0 : 1.0)

#define MC_DEFAULT_TIMEOUT 30.0  /* --timeout: seconds for the whole run */
#define MC_QUERY_TIMEOUT 5.0     /* seconds for one question, all tries */
#define MC_ATTEMPT_TIMEOUT 1.0   /* seconds before the first retransmission */
#define MC_QUERY_TRIES 3         /* sends per question, over all servers */

#define MC_MX_MAX_HOSTS 64       /* MX hosts examined */

#define MC_DKIM_MAX_USER_SELECTORS 64  /* --dkim-selector: more is a usage error */
#define MC_DKIM_MAX_LIST_SELECTORS 128 /* a selector list: more is an error */
#define MC_DKIM_MAX_SELECTORS (MC_DKIM_MAX_USER_SELECTORS + \
    MC_DKIM_MAX_LIST_SELECTORS)       /* selectors asked for one domain */
#define MC_DKIM_SELECTOR_MAX 238  /* octets of a selector: 253 less
                                     "._domainkey." and a domain "a.b" */
#define MC_DKIM_MAX_KEY_B64 8192  /* base64 characters of a p= we decode
                                     (a 16384-bit key needs about 2800) */
#define MC_DKIM_MAX_RECORDS 8     /* TXT records examined at one selector */

#define MC_DMARC_WALK_MAX 8       /* RFC 9989 4.10: queries in a tree walk */
#define MC_DMARC_MAX_URIS 32      /* rua/ruf URIs examined (more: counted) */
#define MC_DMARC_MAX_PROBLEMS 32  /* problems kept from one record (more:
                                     counted, reported as one) */
#define MC_DMARC_MAX_UNKNOWN 4    /* unknown tags named one by one */
#define MC_SPF_MAX_LOOKUPS 10    /* RFC 7208 4.6.4: terms causing DNS lookups */
#define MC_SPF_MAX_VOID 2        /* RFC 7208 4.6.4: lookups finding nothing */
#define MC_SPF_MAX_ADDRS 10      /* RFC 7208 4.6.4: MX hosts, PTR names */
#define MC_SPF_WARN_LOOKUPS 8    /* our own: close to the limit */
#define MC_SPF_MAX_DEPTH 20      /* our own: nesting of the lookup tree */
#define MC_SPF_RECORD_LONG 450   /* RFC 7208 3.4: octets a record should
                                    stay within, with the rest of an answer */
#define MC_SPF_RECORD_UDP 512    /* RFC 7208 3.4: over this the answer may
                                    not fit a UDP reply (RFC 1035 2.3.4) */

#endif
