/* SPDX-License-Identifier: ISC */
/*
 * checks/rdns.c - reverse DNS of the domain's mail addresses
 *
 * For every address of the domain's mail (src/mailaddrs.c: its MX hosts'
 * addresses, --ip, its SPF record's own addresses): the PTR records, all
 * asked at once; then the A or AAAA records of every PTR name, all at once,
 * for forward confirmation (RFC 8601 3, "iprev").  A sending address
 * without PTR, or whose PTR does not confirm, is critical: receivers such
 * as Gmail refuse its mail.  Generic provider names, several PTR names and
 * PTR names that differ from the MX host name are reported too.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/check.h"
#include "mailcheck/limits.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/util.h"
#include "banned.h"

#define RDNS_MAX_PTR 8 /* PTR names examined per address */

struct item {
	const struct mc_mailaddr *a;
	char rev[80];
	const struct mc_dns_answer *ptr;
	size_t fq;     /* first forward question of this address */
	size_t nnames; /* PTR names asked forward */
};

/* Words in generic names handed out by access providers. */
static const char *const generic_words[] = {
	"dynamic", "dyn", "dsl", "adsl", "vdsl", "xdsl", "sdsl", "pool",
	"dhcp", "cable", "dialup", "dial", "ppp", "pppoe", NULL,
};

/* Does name hold the address's octets as four numbers in a row? */
static int
has_octets(const unsigned char *addr, const char *name)
{
	unsigned long runs[64];
	size_t n = 0, i, k;
	const char *p = name;
	char pad[16];
	int fwd, rev;

	snprintf(pad, sizeof(pad), "%03u%03u%03u%03u", addr[0], addr[1],
	    addr[2], addr[3]);
	if (strstr(name, pad) != NULL)
		return 1;
	while (*p != '\0' && n < sizeof(runs) / sizeof(runs[0])) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		runs[n] = 0;
		for (k = 0; isdigit((unsigned char)*p); p++, k++)
			if (k < 6)
				runs[n] = runs[n] * 10 + (unsigned long)(*p - '0');
		n++;
	}
	for (i = 0; i + 4 <= n; i++) {
		fwd = rev = 1;
		for (k = 0; k < 4; k++) {
			if (runs[i + k] != addr[k])
				fwd = 0;
			if (runs[i + k] != addr[3 - k])
				rev = 0;
		}
		if (fwd || rev)
			return 1;
	}
	return 0;
}

/* A generic-looking PTR name; *why says what made it look so. */
static int
looks_generic(const struct mc_mailaddr *a, const char *name,
    const char **why)
{
	char word[32];
	const char *p = name, *start;
	size_t len, i;

	if (a->len == 4 && has_octets(a->addr, name)) {
		*why = "it holds the address's digits";
		return 1;
	}
	while (*p != '\0') {
		if (!isalpha((unsigned char)*p)) {
			p++;
			continue;
		}
		start = p;
		while (isalpha((unsigned char)*p))
			p++;
		len = (size_t)(p - start);
		if (len >= sizeof(word))
			continue;
		memcpy(word, start, len);
		word[len] = '\0';
		if (strcmp(word, "ip") == 0 && (*p == '-' ||
		    isdigit((unsigned char)*p))) {
			*why = "it has the form ip-...";
			return 1;
		}
		for (i = 0; generic_words[i] != NULL; i++)
			if (strcmp(word, generic_words[i]) == 0) {
				*why = generic_words[i];
				return 1;
			}
	}
	return 0;
}

static int
confirms(const struct mc_dns_answer *fwd, const struct mc_mailaddr *a)
{
	size_t i;

	for (i = 0; i < fwd->count; i++)
		if ((fwd->rr[i].type == MC_RR_A || fwd->rr[i].type ==
		    MC_RR_AAAA) && memcmp(fwd->rr[i].addr, a->addr, a->len) == 0)
			return 1;
	return 0;
}

static const char *
role(const struct mc_mailaddr *a)
{
	if (a->sources & MC_MAILADDR_IP)
		return "outbound address";
	if (a->sources & MC_MAILADDR_SPF)
		return "sending address (SPF)";
	return "MX address";
}

/*
 * Was forward question x asked before it, for another address or another
 * PTR record (several addresses often share one host name)?  Its failure
 * is then reported already.
 */
static int
asked_before(const struct mc_dns_query *fq, size_t x)
{
	size_t j;

	for (j = 0; j < x; j++)
		if (fq[j].type == fq[x].type &&
		    strcasecmp(fq[j].name, fq[x].name) == 0)
			return 1;
	return 0;
}

/* Findings and data of one address, after both rounds. */
static int
evaluate(struct mc_ctx *ctx, const struct mc_mailaddrs *ma,
    const struct item *it, const struct mc_dns_query *fq, json_t *out,
    size_t *nptr, size_t *nmissing, size_t *nconfirmed)
{
	struct mc_result *r = ctx->result;
	const struct mc_mailaddr *a = it->a;
	enum mc_status sev = mc_mailaddr_sends(a) ? MC_CRIT : MC_WARN;
	json_t *o, *names;
	const char *why, *name;
	size_t i, k;
	int confirmed = 0, unknown = 0, mxmatch = 0, generic = 0;

	o = mc_mailaddr_json(a);
	if (o == NULL)
		return -1;
	json_object_set_new(o, "ptr_status",
	    json_string(mc_dns_status_str(it->ptr->status)));
	names = json_array();
	json_object_set_new(o, "ptr", names);
	json_array_append_new(out, o);

	if (mc_dns_failed(it->ptr)) {
		mc_finding_dns(r, it->ptr, "the PTR record");
		json_object_set_new(o, "confirmed", json_null());
		return 0;
	}
	if (it->ptr->count == 0) {
		mc_finding_add_sev(r, MC_F_RDNS_PTR_MISSING, sev, a->text,
		    "%s %s has no PTR record (%s)%s", role(a), a->text,
		    mc_dns_status_str(it->ptr->status),
		    sev == MC_CRIT ? ": receivers such as Gmail refuse mail "
		    "from it" : "");
		mc_finding_brief(r, "%s no PTR", a->text);
		mc_finding_metric(r, "missing"); /* thresholds may override */
		(*nmissing)++;
		json_object_set_new(o, "confirmed", json_false());
		return 0;
	}
	(*nptr)++;
	if (it->ptr->count > 1)
		mc_finding_add(r, MC_F_RDNS_MULTIPLE_PTR, a->text,
		    "%s has %zu PTR records", a->text, it->ptr->count);
	for (i = 0; i < it->nnames; i++) {
		name = fq[it->fq + i].name;
		json_array_append_new(names, mc_json_dns_string(name,
		    strlen(name)));
		if (mc_dns_failed(fq[it->fq + i].ans)) {
			if (!asked_before(fq, it->fq + i))
				mc_finding_dns(r, fq[it->fq + i].ans,
				    "the address of a PTR name");
			unknown = 1;
		} else if (confirms(fq[it->fq + i].ans, a))
			confirmed = 1;
		if (looks_generic(a, name, &why)) {
			generic = 1;
			mc_finding_add(r, MC_F_RDNS_GENERIC, a->text,
			    "PTR name %s of %s looks generic (%s)", name,
			    a->text, why);
			mc_finding_brief(r, "%s generic PTR", a->text);
		}
		for (k = 0; k < ma->nmx_hosts; k++)
			if (strcmp(ma->mx_hosts[k], name) == 0)
				mxmatch = 1;
		if (a->mx_host != NULL && strcmp(a->mx_host, name) == 0)
			mxmatch = 1;
	}
	json_object_set_new(o, "confirmed", unknown && !confirmed ?
	    json_null() : json_boolean(confirmed));
	json_object_set_new(o, "generic", json_boolean(generic));
	if (confirmed)
		(*nconfirmed)++;
	else if (!unknown && it->nnames > 0) {
		name = fq[it->fq].name;
		mc_finding_add_sev(r, MC_F_RDNS_NOT_CONFIRMED, sev, a->text,
		    "PTR name %s of %s %s does not resolve back to it (%s)",
		    name, role(a), a->text,
		    fq[it->fq].ans->count == 0 ?
		    mc_dns_status_str(fq[it->fq].ans->status) :
		    "other addresses");
		mc_finding_brief(r, "%s PTR not confirmed", a->text);
	}
	if (a->sources & MC_MAILADDR_MX) {
		json_object_set_new(o, "matches_mx", json_boolean(mxmatch));
		if (!mxmatch && it->nnames > 0)
			mc_finding_add(r, MC_F_RDNS_MX_MISMATCH, a->text,
			    "PTR name of %s is %s, not its MX host name %s",
			    a->text, fq[it->fq].name, a->mx_host);
	}
	return 0;
}

static int
rdns_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_mailaddrs ma;
	struct mc_dns_query *q, *fq;
	struct item *it;
	json_t *data, *addrs, *skipped;
	size_t i, k, n = 0, nfq = 0, nptr = 0, nmissing = 0, nconfirmed = 0;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	if (mc_mailaddrs_collect(ctx, &ma) == -1)
		return -1;
	for (i = 0; i < ma.nfailed; i++)
		mc_finding_dns(r, ma.failed[i], "the addresses of the mail hosts");

	it = mc_arena_calloc(ctx->arena, ma.naddrs + 1, sizeof(*it));
	q = mc_arena_calloc(ctx->arena, ma.naddrs + 1, sizeof(*q));
	if (it == NULL || q == NULL)
		return -1;
	skipped = json_array();
	json_object_set_new(data, "skipped", skipped);
	for (i = 0; i < ma.naddrs; i++) {
		if (!ma.addrs[i].public) {
			json_array_append_new(skipped, json_pack("{s:s, s:s}",
			    "address", ma.addrs[i].text, "class",
			    mc_addr_class_str(mc_addr_classify(ma.addrs[i].addr,
			    ma.addrs[i].len))));
			continue;
		}
		it[n].a = &ma.addrs[i];
		if (mc_reverse_name(ma.addrs[i].addr, ma.addrs[i].len,
		    ma.addrs[i].len == 4 ? "in-addr.arpa" : "ip6.arpa",
		    it[n].rev, sizeof(it[n].rev)) == -1)
			return -1;
		q[n].name = it[n].rev;
		q[n].type = MC_RR_PTR;
		n++;
	}
	if (n == 0 && ma.nfailed == 0)
		mc_finding_add(r, MC_F_RDNS_NO_ADDRESS, ctx->domain,
		    "no public address of %s's mail to look up (no MX address "
		    "and no --ip)", ctx->domain);

	/* level 1: every PTR at once */
	mc_dns_lookup_batch(ctx->dns, q, n);

	/* level 2: every PTR name forward, at once */
	fq = mc_arena_calloc(ctx->arena, n * RDNS_MAX_PTR + 1, sizeof(*fq));
	if (fq == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		it[i].ptr = q[i].ans;
		it[i].fq = nfq;
		for (k = 0; k < it[i].ptr->count && it[i].nnames < RDNS_MAX_PTR;
		    k++) {
			if (it[i].ptr->rr[k].type != MC_RR_PTR ||
			    *it[i].ptr->rr[k].data == '\0')
				continue;
			fq[nfq].name = it[i].ptr->rr[k].data;
			fq[nfq++].type = it[i].a->len == 4 ? MC_RR_A : MC_RR_AAAA;
			it[i].nnames++;
		}
	}
	mc_dns_lookup_batch(ctx->dns, fq, nfq);

	addrs = json_array();
	json_object_set_new(data, "addresses", addrs);
	json_object_set_new(data, "truncated", json_boolean(ma.truncated));
	json_object_set_new(data, "spf_record", json_boolean(ma.spf));
	json_object_set_new(data, "spf_terms_skipped",
	    json_integer((json_int_t)ma.spf_skipped));
	for (i = 0; i < n; i++)
		if (evaluate(ctx, &ma, &it[i], fq, addrs, &nptr, &nmissing,
		    &nconfirmed) == -1)
			return -1;
	mc_metric_set(r, "addresses", (double)n);
	mc_metric_set(r, "with_ptr", (double)nptr);
	mc_metric_set(r, "missing", (double)nmissing);
	mc_metric_set(r, "confirmed", (double)nconfirmed);
	if (n > 0)
		mc_result_summary(r, "%zu address%s, %zu with PTR, %zu "
		    "forward-confirmed", n, n == 1 ? "" : "es", nptr, nconfirmed);
	return 0;
}

static const char *const rdns_metrics[] = {
	"addresses", "with_ptr", "missing", "confirmed", NULL
};

const struct mc_check mc_check_rdns = {
	.name = "rdns",
	.summary = "reverse DNS (PTR) of the mail addresses, forward-confirmed",
	.rfc = "RFC 1912 2.1, RFC 8601 3",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.run = rdns_run,
	.metrics = rdns_metrics,
};
