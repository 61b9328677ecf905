/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dnsbl_zones.h - blocklist zone lists: parsing and answer codes
 *
 * A zone list names each blocklist zone, what it lists (IP addresses or
 * domains), which answers mean "listed" and what each means, and which
 * answers are errors.  The shipped default is data/dnsbl-zones; its first
 * lines document the format:
 *
 *   ZONE KIND [FLAG...] [; RULE]...
 *       RULE [; RULE]...             (an indented line: more rules)
 *
 *   KIND   ip | domain
 *   FLAG   policy     every listing is a policy listing (warn, not crit)
 *          ipv4-only  the zone lists no IPv6 addresses: not asked for them
 *          terms      its terms of use limit free use (volume, resolvers)
 *          dqs        a Spamhaus zone that a DQS key lifts the limit of
 *                     (asked as <key>.<list>.dq.spamhaus.net; dqs.h)
 *   RULE   listed CODES MEANING     a listing (crit)
 *          policy CODES MEANING     a policy listing (warn): e.g. Spamhaus PBL
 *          error CODES MEANING      not a listing: the zone is unusable
 *          test LISTED [UNLISTED]   the self-test entries (RFC 5782 5);
 *                                   default 127.0.0.2/127.0.0.1, TEST/INVALID
 *          test6 LISTED [UNLISTED]  an ip zone's IPv6 self-test entries,
 *                                   asked when an IPv6 address is; default
 *                                   ::FFFF:7F00:2/::FFFF:7F00:1 (RFC 5782 5)
 *   CODES  comma-separated: 127.0.0.2 | 127.0.0.10-127.0.0.11 | bit:8
 *          (bit:N: the last octet has bit value N set, for bitmask lists)
 *
 * Answers outside 127.0.0.0/8 are always errors; answers matching no rule
 * are undocumented (no verdict).  Lists are plain heap objects, read-only
 * once built, and may be shared by threads.
 */
#ifndef MAILCHECK_DNSBL_ZONES_H
#define MAILCHECK_DNSBL_ZONES_H

#include <stddef.h>
#include <stdint.h>

#define MC_DNSBL_MAX_ZONES 64
#define MC_DNSBL_MAX_RULES 64    /* rules of one zone */
#define MC_DNSBL_LINE_MAX 1024   /* one line of a zone list */
/* a bulk run of more domains than this warns about zones flagged terms
   (every domain asks every zone at least once) */
#define MC_DNSBL_TERMS_QUERIES 10000

enum mc_dnsbl_kind {
	MC_DNSBL_KIND_IP,
	MC_DNSBL_KIND_DOMAIN,
};

/* The verdict on one answer record, in order of precedence. */
enum mc_dnsbl_verdict {
	MC_DNSBL_UNDOCUMENTED, /* in 127/8 but matching no rule: no verdict */
	MC_DNSBL_POLICY,       /* a policy listing */
	MC_DNSBL_LISTED,       /* a listing */
	MC_DNSBL_ERROR,        /* an error code, or outside 127/8 */
};

struct mc_dnsbl_rule {
	enum mc_dnsbl_verdict verdict; /* LISTED, POLICY or ERROR */
	uint32_t lo, hi;               /* answer range (host order); or */
	unsigned bit;                  /* nonzero: last-octet bit value */
	char *meaning;
};

struct mc_dnsbl_zone {
	char *zone;
	enum mc_dnsbl_kind kind;
	int policy;                    /* every listing is a policy listing */
	int ipv4_only;
	int terms;                     /* terms of use limit free use */
	int dqs;                       /* a DQS key lifts that limit */
	char *test_listed;             /* IP literal or domain */
	char *test_unlisted;
	/* IPv6 literals (inet_ntop form): ip zones that are not ipv4-only;
	   NULL otherwise */
	char *test6_listed;
	char *test6_unlisted;
	struct mc_dnsbl_rule *rules;
	size_t nrules;
};

struct mc_dnsbl_list {
	char *source;                  /* file name, or "--dnsbl-zone" */
	struct mc_dnsbl_zone *zones;
	size_t nzones;
};

/*
 * Parse a zone list from text (len bytes; name is used in messages).
 * Returns a new list, or NULL with "NAME:LINE: problem" in err.
 */
struct mc_dnsbl_list *mc_dnsbl_list_parse(const char *text, size_t len,
    const char *name, char *err, size_t errsize);
/* Read and parse the file at path: the same, with the file's name. */
struct mc_dnsbl_list *mc_dnsbl_list_load(const char *path, char *err,
    size_t errsize);
/*
 * A list of generic IP zones (--dnsbl-zone): 127.0.0.2-127.0.0.254 listed.
 * NULL with a message naming a zone that is not a domain name.
 */
struct mc_dnsbl_list *mc_dnsbl_list_generic(const char *const *zones,
    size_t n, char *err, size_t errsize);
void mc_dnsbl_list_free(struct mc_dnsbl_list *l);
/*
 * A bulk run of ndomains (0: unknown) asks each zone at least ndomains
 * times.  When that is more than MC_DNSBL_TERMS_QUERIES and the list has
 * zones flagged terms (but not those flagged dqs when dqs_key is set),
 * writes one line naming them to buf and returns 1; else 0.
 */
int mc_dnsbl_terms_warning(const struct mc_dnsbl_list *l, size_t ndomains,
    int dqs_key, char *buf, size_t size);

/*
 * The verdict on one IPv4 answer (4 bytes) from zone z.  The meanings of
 * every matching rule of that verdict are joined with "; " into buf
 * ("127.0.0.2 SBL: ..."); buf always ends up NUL-terminated.
 */
enum mc_dnsbl_verdict mc_dnsbl_classify(const struct mc_dnsbl_zone *z,
    const unsigned char *addr, char *buf, size_t size);

#endif
