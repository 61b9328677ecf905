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
#include "mailcheck/dns_batch.h"
#include "mailcheck/limits.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/util.h"
#include "banned.h"

#define RDNS_MAX_PTR 8 /* PTR names examined per address */

struct item {
	const struct mc_mailaddr *a;
	char rev[80];
	struct mc_dns_query ptr;                /* its PTR question */
	struct mc_dns_query fwd[RDNS_MAX_PTR];  /* its PTR names, forward */
	size_t nnames;                          /* PTR names asked forward */
};

/* The counts of the run, for metrics and the summary. */
struct tally {
	size_t nptr, nmissing, nconfirmed;
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
 * Was forward question k of item i asked before it, for another address or
 * another PTR record (several addresses often share one host name)?  Its
 * failure is then reported already.
 */
static int
asked_before(const struct item *its, size_t i, size_t k)
{
	const struct mc_dns_query *x = &its[i].fwd[k], *y;
	size_t j, m;

	for (j = 0; j <= i; j++)
		for (m = 0; m < (j < i ? its[j].nnames : k); m++) {
			y = &its[j].fwd[m];
			if (y->type == x->type && strcasecmp(y->name, x->name) == 0)
				return 1;
		}
	return 0;
}

/* Findings and data of one address, after both rounds. */
static int
evaluate(struct mc_ctx *ctx, const struct mc_mailaddrs *ma,
    const struct item *its, size_t idx, json_t *out, struct tally *n)
{
	struct mc_result *r = ctx->result;
	const struct item *it = &its[idx];
	const struct mc_mailaddr *a = it->a;
	const struct mc_dns_answer *ptr = it->ptr.ans, *fwd;
	enum mc_status sev = mc_mailaddr_sends(a) ? MC_CRIT : MC_WARN;
	json_t *o, *names;
	const char *why, *name;
	size_t i, k;
	int confirmed = 0, unknown = 0, mxmatch = 0, generic = 0;

	o = mc_mailaddr_json(a);
	if (o == NULL)
		return -1;
	json_object_set_new(o, "ptr_status",
	    json_string(mc_dns_status_str(ptr->status)));
	names = json_array();
	json_object_set_new(o, "ptr", names);
	json_array_append_new(out, o);

	if (mc_dns_failed(ptr)) {
		mc_finding_dns(r, ptr, "the PTR record");
		json_object_set_new(o, "confirmed", json_null());
		return 0;
	}
	if (ptr->count == 0) {
		mc_finding_add_sev(r, MC_F_RDNS_PTR_MISSING, sev, a->text,
		    "%s %s has no PTR record (%s)%s", role(a), a->text,
		    mc_dns_status_str(ptr->status),
		    sev == MC_CRIT ? ": receivers such as Gmail refuse mail "
		    "from it" : "");
		mc_finding_brief(r, "%s no PTR", a->text);
		mc_finding_metric(r, "missing"); /* thresholds may override */
		n->nmissing++;
		json_object_set_new(o, "confirmed", json_false());
		return 0;
	}
	n->nptr++;
	if (ptr->count > 1)
		mc_finding_add(r, MC_F_RDNS_MULTIPLE_PTR, a->text,
		    "%s has %zu PTR records", a->text, ptr->count);
	for (i = 0; i < it->nnames; i++) {
		name = it->fwd[i].name;
		fwd = it->fwd[i].ans;
		json_array_append_new(names, mc_json_shown(name));
		if (mc_dns_failed(fwd)) {
			if (!asked_before(its, idx, i))
				mc_finding_dns(r, fwd,
				    "the address of a PTR name");
			unknown = 1;
		} else if (confirms(fwd, a))
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
		n->nconfirmed++;
	else if (!unknown && it->nnames > 0) {
		name = it->fwd[0].name;
		mc_finding_add_sev(r, MC_F_RDNS_NOT_CONFIRMED, sev, a->text,
		    "PTR name %s of %s %s does not resolve back to it (%s)",
		    name, role(a), a->text,
		    it->fwd[0].ans->count == 0 ?
		    mc_dns_status_str(it->fwd[0].ans->status) :
		    "other addresses");
		mc_finding_brief(r, "%s PTR not confirmed", a->text);
	}
	if (a->sources & MC_MAILADDR_MX) {
		json_object_set_new(o, "matches_mx", json_boolean(mxmatch));
		if (!mxmatch && it->nnames > 0)
			mc_finding_add(r, MC_F_RDNS_MX_MISMATCH, a->text,
			    "PTR name of %s is %s, not its MX host name %s",
			    a->text, it->fwd[0].name, a->mx_host);
	}
	return 0;
}

/*
 * The public addresses, as items with their reverse names (arena; *n of
 * them); the others are listed in the data as skipped.
 */
static struct item *
pick(struct mc_ctx *ctx, const struct mc_mailaddrs *ma, json_t *data,
    size_t *n)
{
	const struct mc_mailaddr *m;
	struct item *it;
	json_t *skipped;
	size_t i;

	*n = 0;
	it = mc_arena_calloc(ctx->arena, ma->naddrs + 1, sizeof(*it));
	if (it == NULL)
		return NULL;
	skipped = json_array();
	json_object_set_new(data, "skipped", skipped);
	for (i = 0; i < ma->naddrs; i++) {
		m = &ma->addrs[i];
		if (!m->public) {
			json_array_append_new(skipped, json_pack("{s:s, s:s}",
			    "address", m->text, "class", mc_addr_class_str(
			    mc_addr_classify(m->addr, m->len))));
			continue;
		}
		it[*n].a = m;
		if (mc_reverse_name(m->addr, m->len, m->len == 4 ?
		    "in-addr.arpa" : "ip6.arpa", it[*n].rev,
		    sizeof(it[*n].rev)) == -1)
			return NULL;
		(*n)++;
	}
	return it;
}

/* Every PTR at once, then every PTR name forward at once. */
static int
ask(struct mc_ctx *ctx, struct item *it, size_t n)
{
	struct mc_dns_batch b;
	const struct mc_dns_answer *ptr;
	size_t i, k;

	mc_dns_batch_init(&b, ctx);
	for (i = 0; i < n; i++)
		mc_dns_batch_add(&b, &it[i].ptr, it[i].rev, MC_RR_PTR);
	if (mc_dns_batch_run(&b) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		ptr = it[i].ptr.ans;
		for (k = 0; k < ptr->count && it[i].nnames < RDNS_MAX_PTR;
		    k++) {
			if (ptr->rr[k].type != MC_RR_PTR ||
			    *ptr->rr[k].data == '\0')
				continue;
			mc_dns_batch_add(&b, &it[i].fwd[it[i].nnames++],
			    ptr->rr[k].data, it[i].a->len == 4 ? MC_RR_A :
			    MC_RR_AAAA);
		}
	}
	return mc_dns_batch_run(&b);
}

static int
rdns_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_mailaddrs ma;
	struct tally t = { 0 };
	struct item *it;
	json_t *data, *addrs;
	size_t i, n;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	if (mc_mailaddrs_collect(ctx, &ma) == -1)
		return -1;
	for (i = 0; i < ma.nfailed; i++)
		mc_finding_dns(r, ma.failed[i], "the addresses of the mail hosts");
	mc_mailaddrs_report_cut(&ma, r, MC_F_RDNS_ADDRESSES_CUT, ctx->domain);
	it = pick(ctx, &ma, data, &n);
	if (it == NULL)
		return -1;
	if (n == 0 && ma.nfailed == 0)
		mc_finding_add(r, MC_F_RDNS_NO_ADDRESS, ctx->domain,
		    "no public address of %s's mail to look up (no MX address "
		    "and no --ip)", ctx->domain);
	if (ask(ctx, it, n) == -1)
		return -1;

	addrs = json_array();
	json_object_set_new(data, "addresses", addrs);
	json_object_set_new(data, "truncated", json_boolean(ma.truncated));
	json_object_set_new(data, "addresses_cut",
	    json_integer((json_int_t)ma.ncut));
	json_object_set_new(data, "spf_record", json_boolean(ma.spf));
	json_object_set_new(data, "spf_terms_skipped",
	    json_integer((json_int_t)ma.spf_skipped));
	for (i = 0; i < n; i++)
		if (evaluate(ctx, &ma, it, i, addrs, &t) == -1)
			return -1;
	mc_metric_set(r, "addresses", (double)n);
	mc_metric_set(r, "with_ptr", (double)t.nptr);
	mc_metric_set(r, "missing", (double)t.nmissing);
	mc_metric_set(r, "confirmed", (double)t.nconfirmed);
	if (n > 0)
		mc_result_summary(r, "%zu address%s, %zu with PTR, %zu "
		    "forward-confirmed", n, n == 1 ? "" : "es", t.nptr,
		    t.nconfirmed);
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
