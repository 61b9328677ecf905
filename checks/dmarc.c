/* SPDX-License-Identifier: ISC */
/*
 * checks/dmarc.c - the domain's DMARC policy (RFC 7489, RFC 9989)
 *
 * Ask, judge, report.  One batch asks everything the policy depends on:
 * the TXT records at _dmarc.<name> for every name of the RFC 9989 4.10 tree
 * walk (named by src/dmarc_record.c: at most 8 names), and the domain's own
 * TXT records (a DMARC record misplaced at the apex).  The record module
 * reads the answers as receivers do and says which policy applies and
 * where it comes from (the domain's record, an inherited one, an RFC 9989
 * 4.10.1 fallback to p=none, or none); this file reports that.  The
 * organizational domain by the RFC 9989 rules is compared with the RFC
 * 7489 one from the Public Suffix List (mailcheck/psl.h: libpsl's built-in
 * list or the system's copy, loaded once per process, never the network).
 *
 * Report URIs in other organizational domains need the destination's
 * consent (RFC 7489 7.1): <domain>._report._dmarc.<destination> and the
 * "*" form, asked together in a second batch.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/check.h"
#include "mailcheck/dmarc_record.h"
#include "mailcheck/limits.h"
#include "mailcheck/parked.h"
#include "mailcheck/psl.h"
#include "mailcheck/util.h"
#include "banned.h"

/* The RFC 7489 organizational domain (PSL), or NULL. */
static const char *
psl_org(struct mc_ctx *ctx, const psl_ctx_t *psl, const char *domain)
{
	const char *r;

	if (psl == NULL)
		return NULL;
	r = psl_registrable_domain(psl, domain);
	return r != NULL ? mc_arena_strdup(ctx->arena, r) : NULL;
}

/*
 * Is TXT answer a DMARC authorisation ("v=DMARC1")?  A lookalike
 * ("v=dmarc1; ...") counts: the destination meant to consent.
 */
static int
authorises(const struct mc_dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->count; i++)
		if (a->rr[i].type == MC_RR_TXT &&
		    mc_dmarc_classify(a->rr[i].data, a->rr[i].len) !=
		    MC_DMARC_TXT_OTHER)
			return 1;
	return 0;
}

/* RFC 7489 7.1: external destinations must consent. */
static int
check_destinations(struct mc_ctx *ctx, const psl_ctx_t *psl,
    const char *poldomain, const struct mc_dmarc_uri *u, size_t *uq,
    size_t nu)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query *q;
	const char *org = NULL, *dorg;
	size_t i, j, nq = 0;
	int org_asked = 0;

	q = mc_arena_calloc(ctx->arena, 2 * nu + 1, sizeof(*q));
	if (q == NULL)
		return -1;
	for (i = 0; i < nu; i++) {
		uq[i] = (size_t)-1;
		/* the PSL only for a host that is not the domain itself (a
		   lookup costs about 10,000 instructions) */
		if (u[i].host == NULL || strcmp(u[i].host, poldomain) == 0)
			continue;
		if (!org_asked) {
			org = psl_org(ctx, psl, poldomain);
			org_asked = 1;
		}
		dorg = psl_org(ctx, psl, u[i].host);
		if (org != NULL && dorg != NULL && strcmp(org, dorg) == 0)
			continue;
		for (j = 0; j < i; j++)
			if (uq[j] != (size_t)-1 &&
			    strcmp(u[j].host, u[i].host) == 0)
				break;
		if (j < i) {
			uq[i] = uq[j];
			continue;
		}
		uq[i] = nq;
		q[nq].name = mc_arena_printf(ctx->arena, "%s._report._dmarc.%s",
		    poldomain, u[i].host);
		q[nq++].type = MC_RR_TXT;
		q[nq].name = mc_arena_printf(ctx->arena, "*._report._dmarc.%s",
		    u[i].host);
		q[nq++].type = MC_RR_TXT;
		if (q[nq - 1].name == NULL || q[nq - 2].name == NULL)
			return -1;
	}
	mc_dns_lookup_batch(ctx->dns, q, nq);
	for (i = 0; i < nu; i++) {
		if (uq[i] == (size_t)-1)
			continue;
		for (j = 0; j < i; j++)
			if (uq[j] == uq[i])
				break;
		if (j < i)
			continue; /* reported once per destination */
		if (authorises(q[uq[i]].ans) || authorises(q[uq[i] + 1].ans))
			continue;
		/* either form may hold the consent: a failure of one is
		   no verdict, never "unauthorised" */
		if (mc_dns_failed(q[uq[i]].ans) ||
		    mc_dns_failed(q[uq[i] + 1].ans)) {
			for (j = 0; j < 2; j++)
				if (mc_dns_failed(q[uq[i] + j].ans))
					mc_finding_dns(r, q[uq[i] + j].ans,
					    "the report authorisation");
			continue;
		}
		mc_finding_add(r, MC_F_DMARC_REPORT_UNAUTHORIZED, u[i].text,
		    "%s destination %s has not authorised reports for %s: no "
		    "v=DMARC1 record at %s", u[i].tag, u[i].host, poldomain,
		    q[uq[i]].name);
		mc_finding_brief(r, "%s %s unauthorised", u[i].tag, u[i].host);
		mc_finding_hint(r, "publish '%s TXT \"v=DMARC1\"' in the zone "
		    "of %s, or send the reports to an address in %s",
		    q[uq[i]].name, u[i].host, poldomain);
	}
	return 0;
}

/* A TXT record quoted for a message: its first 60 bytes. */
static const char *
quote(struct mc_ctx *ctx, const struct mc_rr *rr)
{
	return mc_quote(ctx->arena, rr->data, rr->len, 60);
}

/* What the domain's own _dmarc name holds besides one DMARC1 record. */
static void
report_own(struct mc_ctx *ctx, const struct mc_dmarc_node *nd,
    const struct mc_dns_answer *apex)
{
	struct mc_result *r = ctx->result;
	size_t i;

	if (nd->nlookalike > 0 && nd->ndmarc == 0)
		mc_finding_add(r, MC_F_DMARC_VERSION_INVALID, nd->qname,
		    "record at %s does not start with exactly v=DMARC1 and a "
		    "';' (the version is case-sensitive, RFC 7489 6.4): "
		    "receivers discard %s", nd->qname,
		    quote(ctx, nd->lookalike));
	else if (nd->nother == 1)
		mc_finding_add(r, MC_F_DMARC_NOT_DMARC, nd->qname,
		    "%s holds a TXT record that is not DMARC: %s%s", nd->qname,
		    quote(ctx, nd->other), nd->nlookalike > 0 ? " (not "
		    "exactly v=DMARC1: receivers discard it)" : "");
	else if (nd->nother > 1)
		/* one finding: thousands of records must not make thousands */
		mc_finding_add(r, MC_F_DMARC_NOT_DMARC, nd->qname,
		    "%s holds %zu TXT records that are not DMARC, the first: "
		    "%s", nd->qname, nd->nother, quote(ctx, nd->other));
	if (nd->ndmarc > 1)
		mc_finding_add(r, MC_F_DMARC_MULTIPLE_RECORDS, nd->qname,
		    "%s has %zu DMARC records: receivers ignore them all",
		    nd->qname, nd->ndmarc);
	if (mc_dns_failed(apex))
		return;
	for (i = 0; i < apex->count; i++)
		if (apex->rr[i].type == MC_RR_TXT &&
		    mc_dmarc_classify(apex->rr[i].data, apex->rr[i].len) ==
		    MC_DMARC_TXT_RECORD) {
			mc_finding_add(r, MC_F_DMARC_RECORD_AT_APEX, ctx->domain,
			    "%s has a DMARC record at its apex, where receivers "
			    "do not look", ctx->domain);
			break; /* one finding, however many */
		}
}

/* The two organizational domains, and whether they differ. */
static void
report_org(struct mc_ctx *ctx, const psl_ctx_t *psl,
    const struct mc_dmarc_discovery *d, json_t *data)
{
	const char *pslorg = psl_org(ctx, psl, ctx->domain);

	json_object_set_new(data, "org_domain", d->org_domain != NULL ?
	    json_string(d->org_domain) : json_null());
	json_object_set_new(data, "org_domain_psl", pslorg != NULL ?
	    json_string(pslorg) : json_null());
	if (d->org_domain != NULL && pslorg != NULL &&
	    strcmp(d->org_domain, pslorg) != 0)
		mc_finding_add(ctx->result, MC_F_DMARC_ORG_DOMAIN_DIFFERS,
		    ctx->domain, "the organizational domain of %s is %s by the "
		    "DNS tree walk (RFC 9989) but %s by the Public Suffix List "
		    "(RFC 7489)", ctx->domain, d->org_domain, pslorg);
}

/* Judge the policy applied from a record (the domain's or inherited). */
static void
judge_policy(struct mc_ctx *ctx, const struct mc_dmarc_discovery *d)
{
	struct mc_result *r = ctx->result;
	const struct mc_dmarc_node *nd = &d->node[d->pol];
	const struct mc_dmarc_record *rec = nd->rec;
	const char *subject = nd->qname;
	int p = d->source == MC_DMARC_SRC_FALLBACK ? MC_DMARC_NONE :
	    (rec->has_p ? rec->p : MC_DMARC_NONE);

	if (!rec->has_p)
		mc_finding_add(r, MC_F_DMARC_POLICY_MISSING, subject,
		    "DMARC record at %s has no %sp= tag: receivers read "
		    "p=none", subject, rec->p_discarded ? "valid " : "");
	if (d->source == MC_DMARC_SRC_RECORD ||
	    d->source == MC_DMARC_SRC_INHERITED) {
		if (p == MC_DMARC_NONE && rec->has_p) {
			mc_finding_add(r, MC_F_DMARC_POLICY_NONE, subject,
			    "DMARC policy of %s is p=none: failing mail is "
			    "delivered as usual", nd->domain);
			mc_finding_brief(r, "DMARC p=none");
		}
		if (rec->pct < 100 && p != MC_DMARC_NONE) {
			mc_finding_add(r, MC_F_DMARC_PCT_PARTIAL, subject,
			    "DMARC policy of %s applies to %d%% of failing mail "
			    "(pct=%d)", nd->domain, rec->pct, rec->pct);
			mc_finding_brief(r, "DMARC pct=%d", rec->pct);
		}
		if (d->sp < p)
			mc_finding_add(r, MC_F_DMARC_SUBDOMAIN_WEAKER, subject,
			    "subdomain policy sp=%s is weaker than p=%s",
			    mc_dmarc_policy_str(d->sp), mc_dmarc_policy_str(p));
		if (rec->np != MC_DMARC_UNSET && rec->np < p)
			mc_finding_add(r, MC_F_DMARC_SUBDOMAIN_WEAKER, subject,
			    "policy for non-existent subdomains np=%s is weaker "
			    "than p=%s", mc_dmarc_policy_str(rec->np),
			    mc_dmarc_policy_str(p));
	}
	if (rec->testing)
		mc_finding_add(r, MC_F_DMARC_TESTING, subject,
		    "DMARC policy of %s is in testing mode (t=y)", nd->domain);
	/* a parked domain locked down with p=reject sends no mail: its
	   reports would list only forgeries that are refused anyway */
	if (!rec->has_rua && p == MC_DMARC_REJECT &&
	    mc_domain_parked(ctx) == 1)
		mc_finding_add_sev(r, MC_F_DMARC_NO_RUA, MC_INFO, subject,
		    "DMARC record at %s has no rua=: nobody receives aggregate "
		    "reports; %s is parked (see mx.parked), so they would list "
		    "only forgeries, which p=reject refuses", subject,
		    ctx->domain);
	else if (!rec->has_rua)
		mc_finding_add(r, MC_F_DMARC_NO_RUA, subject,
		    "DMARC record at %s has no rua=: nobody receives aggregate "
		    "reports", subject);
}

/* Data, metrics and summary for the policy applied. */
static void
report_applied(struct mc_ctx *ctx, const struct mc_dmarc_discovery *d,
    json_t *data)
{
	struct mc_result *r = ctx->result;
	const struct mc_dmarc_node *nd = &d->node[d->pol];
	const struct mc_dmarc_record *rec = nd->rec;
	const char *pol = mc_dmarc_policy_str(d->policy);
	json_t *ap;

	ap = mc_json_object_of("policy", json_string(
	    d->policy == MC_DMARC_UNSET ? "none applied" : pol), "source",
	    json_string(mc_dmarc_source_str(d->source)), NULL);
	if (ap != NULL && d->reason != NULL)
		json_object_set_new(ap, "reason", mc_json_dns_string(d->reason,
		    strlen(d->reason)));
	json_object_set_new(data, "applied", ap);
	json_object_set_new(data, "policy_domain", json_string(nd->domain));
	json_object_set_new(data, "record", mc_json_dns_string(nd->rr->data,
	    nd->rr->len));
	if (d->policy == MC_DMARC_UNSET) {
		mc_result_summary(r, "no usable DMARC policy at %s: %s",
		    nd->qname, d->reason);
		return;
	}
	json_object_set_new(data, "p", json_string(pol));
	json_object_set_new(data, "sp", json_string(mc_dmarc_policy_str(d->sp)));
	json_object_set_new(data, "np", json_string(mc_dmarc_policy_str(d->np)));
	json_object_set_new(data, "pct", json_integer(rec->pct));
	json_object_set_new(data, "effective", json_string(pol));
	mc_metric_set(r, "policy", d->policy);
	mc_metric_set(r, "pct", rec->pct);
	if (d->source == MC_DMARC_SRC_FALLBACK)
		mc_result_summary(r, "p=none applied: %s", d->reason);
	else
		mc_result_summary(r, "p=%s%s%s (%s%s)", pol, d->sp != d->policy ?
		    mc_arena_printf(ctx->arena, " sp=%s",
		    mc_dmarc_policy_str(d->sp)) : "", rec->pct < 100 ?
		    mc_arena_printf(ctx->arena, " pct=%d", rec->pct) : "",
		    d->pol == 0 ? "at " : "inherited from ", nd->qname);
}

/* The record that applies: its problems, the judgement, the reports. */
static int
report_policy(struct mc_ctx *ctx, const psl_ctx_t *psl,
    const struct mc_dmarc_discovery *d, json_t *data)
{
	const struct mc_dmarc_node *nd = &d->node[d->pol];
	const struct mc_dmarc_record *rec = nd->rec;
	json_t *arr;
	size_t i, uq[2 * MC_DMARC_MAX_URIS];

	if (d->pol > 0)
		mc_finding_add(ctx->result, MC_F_DMARC_INHERITED, d->node[0].qname,
		    "no DMARC record at %s; the policy of %s applies (RFC 9989 "
		    "tree walk)", d->node[0].qname, nd->domain);
	mc_dmarc_report(ctx->result, rec);
	report_applied(ctx, d, data);
	if (rec->repeated != NULL)
		return 0;
	judge_policy(ctx, d);
	for (i = 0; i < rec->nuri; i++) {
		arr = json_object_get(data, rec->uri[i].tag);
		if (arr == NULL) {
			arr = json_array();
			json_object_set_new(data, rec->uri[i].tag, arr);
		}
		json_array_append_new(arr, mc_json_dns_string(rec->uri[i].text,
		    strlen(rec->uri[i].text)));
	}
	if (rec->nuri > 0 && check_destinations(ctx, psl, nd->domain,
	    rec->uri, uq, rec->nuri) == -1)
		return -1;
	return 0;
}

static int
dmarc_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query q[MC_DMARC_WALK_MAX + 1];
	struct mc_dmarc_discovery *d;
	const psl_ctx_t *psl = mc_psl();
	json_t *data, *walk, *node;
	size_t i;

	/* ask */
	d = mc_arena_alloc(ctx->arena, sizeof(*d));
	data = json_object();
	if (d == NULL || data == NULL ||
	    mc_dmarc_walk_begin(ctx->arena, ctx->domain, d) == -1) {
		json_decref(data);
		return -1;
	}
	r->data = data;
	for (i = 0; i < d->n; i++)
		q[i] = (struct mc_dns_query){ .name = d->node[i].qname,
		    .type = MC_RR_TXT };
	q[d->n] = (struct mc_dns_query){ .name = ctx->domain,
	    .type = MC_RR_TXT };
	mc_dns_lookup_batch(ctx->dns, q, d->n + 1);
	for (i = 0; i < d->n; i++)
		d->node[i].ans = q[i].ans;

	/* judge */
	if (mc_dmarc_walk_end(ctx->arena, d) == -1)
		return -1;

	/* report */
	walk = json_array();
	json_object_set_new(data, "walk", walk);
	for (i = 0; i < d->n; i++) {
		node = mc_json_object_of("name", json_string(d->node[i].qname),
		    "status", json_string(mc_dns_status_str(
		    d->node[i].ans->status)),
		    "records", json_integer((json_int_t)d->node[i].ndmarc),
		    NULL);
		/* the walk's one rule for a pure zone-file run (said here) */
		if (node != NULL && d->node[i].unasked)
			json_object_set_new(node, "note", json_string("a public "
			    "suffix outside the zone files: not checked, taken "
			    "as no record"));
		json_array_append_new(walk, node);
	}
	if (d->failed == 0)
		return mc_finding_dns(r, d->node[0].ans, "the DMARC record");
	report_own(ctx, &d->node[0], q[d->n].ans);
	if (d->failed != MC_DMARC_NO_NODE)
		return mc_finding_dns(r, d->node[d->failed].ans,
		    "the DMARC record of a parent domain");
	report_org(ctx, psl, d, data);
	if (d->pol != MC_DMARC_NO_NODE)
		return report_policy(ctx, psl, d, data);
	json_object_set_new(data, "policy_domain", json_null());
	json_object_set_new(data, "applied", json_pack("{s:s, s:s, s:s}",
	    "policy", "none applied", "source", "none", "reason", d->reason));
	if (d->node[0].ndmarc == 0 && d->node[0].nlookalike == 0) {
		mc_finding_add(r, MC_F_DMARC_MISSING, d->node[0].qname,
		    "no DMARC record for %s: none at %s and none found by the "
		    "tree walk (%zu names)", ctx->domain, d->node[0].qname, d->n);
		mc_finding_brief(r, "no DMARC");
	}
	if (d->node[0].nlookalike > 0 && d->node[0].ndmarc == 0)
		/* dmarc.version-invalid says why receivers discard it */
		mc_result_summary(r, "no usable DMARC policy at %s",
		    d->node[0].qname);
	else
		mc_result_summary(r, "no DMARC policy: %s", d->reason);
	return 0;
}

static const char *const dmarc_metrics[] = {
	"policy", "pct", NULL
};

const struct mc_check mc_check_dmarc = {
	.name = "dmarc",
	.summary = "DMARC policy record, discovery and report destinations",
	.rfc = "RFC 7489, RFC 9989",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.run = dmarc_run,
	.metrics = dmarc_metrics,
};
