/* SPDX-License-Identifier: ISC */
/*
 * checks/bimi.c - the BIMI record, its DMARC prerequisite, logo and mark
 * certificate (draft-brand-indicators-for-message-identification)
 *
 * One batch asks <selector>._bimi.<domain> for "default" and every
 * --bimi-selector (parsed and checked in setup, once for the run) and the
 * TXT records of the DMARC tree walk (RFC 9989 4.10).  The DMARC
 * prerequisite is read by the DMARC record module (src/dmarc_record.c),
 * never here: the policy applied to the domain and to its organizational
 * domain, with its source (the record, an inherited one, a fallback and
 * its reason), exactly as the dmarc check reports it; the questions are the
 * dmarc check's, so the DNS cache answers them once.  Every selector's
 * record is judged; the logos and certificates they name are fetched in
 * one HTTP batch (each URL once); the SVG goes to the SVG Tiny PS checker
 * (src/svg_check.c) and the PEM to the mark certificate reader
 * (src/bimi_cert.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailcheck/bimi_cert.h"
#include "mailcheck/bimi_record.h"
#include "mailcheck/check.h"
#include "mailcheck/dmarc_record.h"
#include "mailcheck/http.h"
#include "mailcheck/limits.h"
#include "mailcheck/svg_check.h"
#include "mailcheck/txt_record.h"
#include "banned.h"

#define NO_LOGO "receivers show no logo"

static const enum mc_finding_id svg_finding[MC_SVG_NPROBLEMS] = {
	[MC_SVG_NOT_XML] = MC_F_BIMI_SVG_INVALID,
	[MC_SVG_NOT_SVG] = MC_F_BIMI_SVG_INVALID,
	[MC_SVG_ENTITIES] = MC_F_BIMI_SVG_INVALID,
	[MC_SVG_PROFILE] = MC_F_BIMI_SVG_PROFILE,
	[MC_SVG_NO_TITLE] = MC_F_BIMI_SVG_NO_TITLE,
	[MC_SVG_SCRIPT] = MC_F_BIMI_SVG_SCRIPT,
	[MC_SVG_EXTERNAL] = MC_F_BIMI_SVG_EXTERNAL,
	[MC_SVG_ANIMATION] = MC_F_BIMI_SVG_ANIMATION,
	[MC_SVG_ROOT_XY] = MC_F_BIMI_SVG_ROOT_POSITION,
	[MC_SVG_NOT_SQUARE] = MC_F_BIMI_SVG_NOT_SQUARE,
};

/* The record whose policy the walk applies, or NULL. */
static const struct mc_dmarc_node *
pol_node(const struct mc_dmarc_discovery *d)
{
	return d->pol != MC_DMARC_NO_NODE ? &d->node[d->pol] : NULL;
}

/* pct= of the record applied (100 unless it is the record's own). */
static int
applied_pct(const struct mc_dmarc_discovery *d)
{
	const struct mc_dmarc_node *nd = pol_node(d);

	if (nd == NULL || nd->rec == NULL || (d->source !=
	    MC_DMARC_SRC_RECORD && d->source != MC_DMARC_SRC_INHERITED))
		return 100;
	return nd->rec->pct;
}

/* Receivers show a logo only for quarantine at pct=100, or reject. */
static int
enforced(const struct mc_dmarc_discovery *d)
{
	return d->policy == MC_DMARC_REJECT ||
	    (d->policy == MC_DMARC_QUARANTINE && applied_pct(d) == 100);
}

/* Where the policy applied comes from, in words (arena). */
static const char *
source_text(struct mc_ctx *ctx, const struct mc_dmarc_discovery *d)
{
	const struct mc_dmarc_node *nd = pol_node(d);

	switch (d->source) {
	case MC_DMARC_SRC_RECORD:
		return mc_arena_printf(ctx->arena, "from its record at %s",
		    nd->qname);
	case MC_DMARC_SRC_INHERITED:
		return mc_arena_printf(ctx->arena, "inherited from %s: its "
		    "%s=%s applies to subdomains", nd->qname,
		    nd->rec->sp != MC_DMARC_UNSET ? "sp" : "p",
		    mc_dmarc_policy_str(d->policy));
	case MC_DMARC_SRC_FALLBACK:
		return mc_arena_printf(ctx->arena, "a fallback: %s", d->reason);
	case MC_DMARC_SRC_NONE:
		break;
	}
	return mc_arena_printf(ctx->arena, "no DMARC processing: %s",
	    d->reason != NULL ? d->reason : "no DMARC record was found");
}

/* The policy applied to a walk's domain, for data.dmarc. */
static json_t *
applied_json(const struct mc_dmarc_discovery *d)
{
	const struct mc_dmarc_node *nd = pol_node(d);
	json_t *o;

	o = json_pack("{s:s,s:s,s:s,s:o}", "domain", d->node[0].domain,
	    "policy", d->policy == MC_DMARC_UNSET ? "none applied" :
	    mc_dmarc_policy_str(d->policy), "source",
	    mc_dmarc_source_str(d->source), "record", nd != NULL ?
	    json_string(nd->qname) : json_null());
	if (o == NULL)
		return NULL;
	if (d->policy != MC_DMARC_UNSET) {
		json_object_set_new(o, "sp", json_string(
		    mc_dmarc_policy_str(d->sp)));
		json_object_set_new(o, "pct", json_integer(applied_pct(d)));
	}
	if (d->reason != NULL)
		json_object_set_new(o, "reason", mc_json_dns_string(d->reason,
		    strlen(d->reason)));
	json_object_set_new(o, "enforced", json_boolean(enforced(d)));
	return o;
}

/* A policy that is not enforced, as a finding; who names the domain. */
static void
not_enforced(struct mc_ctx *ctx, const struct mc_dmarc_discovery *d,
    const char *who)
{
	const struct mc_dmarc_node *nd = pol_node(d);
	const char *subject = nd != NULL ? nd->qname : d->node[0].qname;

	if (d->policy == MC_DMARC_UNSET)
		mc_finding_add(ctx->result, MC_F_BIMI_DMARC_NOT_ENFORCED, subject,
		    "no DMARC policy applies to %s%s (%s): " NO_LOGO,
		    who, d->node[0].domain, source_text(ctx, d));
	else
		mc_finding_add(ctx->result, MC_F_BIMI_DMARC_NOT_ENFORCED, subject,
		    "the DMARC policy applied to %s%s is %s%s (%s), not "
		    "quarantine with pct=100 or reject: " NO_LOGO, who,
		    d->node[0].domain, mc_dmarc_policy_str(d->policy),
		    applied_pct(d) < 100 && d->policy != MC_DMARC_NONE ?
		    mc_arena_printf(ctx->arena, " with pct=%d", applied_pct(d)) :
		    "", source_text(ctx, d));
}

/*
 * Ask the RFC 9989 tree walk for domain and read it with the DMARC record
 * module (src/dmarc_record.c), the reading the dmarc check reports.  The
 * questions are the dmarc check's: the DNS cache answers them once.  NULL
 * when out of memory.
 */
static struct mc_dmarc_discovery *
walk(struct mc_ctx *ctx, const char *domain, struct mc_dns_query *q,
    size_t *nq)
{
	struct mc_dmarc_discovery *d;
	size_t i;

	d = mc_arena_alloc(ctx->arena, sizeof(*d));
	if (d == NULL || mc_dmarc_walk_begin(ctx->arena, domain, d) == -1)
		return NULL;
	for (i = 0; i < d->n; i++)
		q[(*nq)++] = (struct mc_dns_query){ .name = d->node[i].qname,
		    .type = MC_RR_TXT };
	return d;
}

static int
walk_read(struct mc_ctx *ctx, struct mc_dmarc_discovery *d,
    const struct mc_dns_query *q)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		d->node[i].ans = q[i].ans;
	return mc_dmarc_walk_end(ctx->arena, d);
}

/*
 * The BIMI draft's DMARC prerequisite: the policy applied to the domain,
 * and to its organizational domain (RFC 9989 4.10.2), is quarantine with
 * pct=100 or reject, and the organizational domain's sp is not none.
 * d is the domain's walk, already read.  0, or -1 when out of memory.
 */
static int
dmarc_prerequisite(struct mc_ctx *ctx, const struct mc_dmarc_discovery *d,
    json_t *data)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query q[MC_DMARC_WALK_MAX];
	const struct mc_dmarc_discovery *org = d;
	struct mc_dmarc_discovery *od;
	const struct mc_dmarc_node *nd = pol_node(d);
	json_t *dm;
	size_t i, nq = 0;
	int ok;

	if (d->failed != MC_DMARC_NO_NODE)
		return mc_finding_dns(r, d->node[d->failed].ans, d->failed == 0 ?
		    "the DMARC record" : "the DMARC record of a parent domain");
	for (i = 0; d->org_domain == NULL && i < d->n; i++)
		/* a shorter name may hold the organizational record */
		if (!d->node[i].unasked && mc_dns_failed(d->node[i].ans))
			return mc_finding_dns(r, d->node[i].ans, "the DMARC "
			    "record (needed to find the organizational "
			    "domain)");
	if (d->org_domain != NULL && strcmp(d->org_domain, ctx->domain) != 0) {
		if ((od = walk(ctx, d->org_domain, q, &nq)) == NULL)
			return -1;
		mc_dns_lookup_batch(ctx->dns, q, nq);
		if (walk_read(ctx, od, q) == -1)
			return -1;
		if (od->failed != MC_DMARC_NO_NODE)
			return mc_finding_dns(r, od->node[od->failed].ans,
			    "the DMARC record of the organizational domain");
		org = od;
	}
	ok = enforced(d);
	if (!ok)
		not_enforced(ctx, d, "");
	if (org != d && !enforced(org)) {
		not_enforced(ctx, org, "the organizational domain ");
		ok = 0;
	}
	/* unless the domain inherits that sp= and was reported just now */
	if (enforced(org) && org->sp == MC_DMARC_NONE) {
		if (enforced(d) || d->source != MC_DMARC_SRC_INHERITED ||
		    strcmp(nd->domain, org->node[0].domain) != 0)
			mc_finding_add(r, MC_F_BIMI_DMARC_NOT_ENFORCED,
			    pol_node(org)->qname, "the DMARC policy of the "
			    "organizational domain %s has sp=none (%s): " NO_LOGO,
			    org->node[0].domain, source_text(ctx, org));
		ok = 0;
	}
	dm = json_pack("{s:o,s:o,s:o,s:b}", "applied", applied_json(d),
	    "org_domain", d->org_domain != NULL ? json_string(d->org_domain) :
	    json_null(), "organizational", d->org_domain != NULL ?
	    applied_json(org) : json_null(), "prerequisite_met", ok);
	json_object_set_new(data, "dmarc", dm);
	return 0;
}

/* A failed fetch as the check's findings; 1 when there is no body. */
static int
fetch_failed(struct mc_ctx *ctx, const char *what, const char *url,
    const struct mc_http_response *h, enum mc_finding_id unavailable)
{
	struct mc_result *r = ctx->result;

	switch (h->status) {
	case MC_HTTP_OK:
		return 0;
	case MC_HTTP_SKIPPED:
		mc_finding_add(r, MC_F_BIMI_FETCH_SKIPPED, url,
		    "the %s was not fetched: %s", what, h->why);
		break;
	case MC_HTTP_TEMPFAIL:
		mc_finding_add(r, MC_F_BIMI_FETCH_TEMPFAIL, url,
		    "cannot fetch the %s at %s: %s", what, url, h->why);
		break;
	case MC_HTTP_NOTFOUND:
		mc_finding_add(r, unavailable, url, "the %s at %s is not found "
		    "(%ld): " NO_LOGO, what, url, h->code);
		break;
	case MC_HTTP_PERMFAIL:
		mc_finding_add(r, unavailable, url, "cannot fetch the %s at "
		    "%s: %s%s%s: " NO_LOGO, what, url, h->why,
		    h->location != NULL ? " to " : "",
		    h->location != NULL ? h->location : "");
		break;
	}
	return 1;
}

/* The worst of what every selector's fetches showed, as metrics. */
struct tally {
	double logo_bytes;    /* the largest logo read whole; < 0: none */
	long days_left;       /* the certificate expiring first */
	int have_cert;
};

static int
judge_logo(struct mc_ctx *ctx, const char *url,
    const struct mc_http_response *h, json_t **out, struct tally *t)
{
	struct mc_result *r = ctx->result;
	struct mc_svg_report svg;
	char type[64];
	int k;

	if (fetch_failed(ctx, "logo", url, h, MC_F_BIMI_LOGO_UNAVAILABLE))
		return 0;
	*out = json_pack("{s:s,s:s,s:I,s:o}", "url", url, "source", h->source,
	    "bytes", (json_int_t)h->len, "content_type", h->content_type !=
	    NULL ? mc_json_dns_string(h->content_type,
	    strlen(h->content_type)) : json_null());
	if (h->truncated) {
		mc_finding_add(r, MC_F_BIMI_LOGO_TOO_LARGE, url,
		    "the logo at %s is larger than %d bytes (read no "
		    "further)", url, MC_BIMI_LOGO_MAX);
		return 0;
	}
	if ((double)h->len > t->logo_bytes)
		t->logo_bytes = (double)h->len;
	if (strcmp(mc_http_media_type(h->content_type, type, sizeof(type)),
	    "image/svg+xml") != 0)
		mc_finding_add(r, MC_F_BIMI_SVG_INVALID, url, "the logo is "
		    "served as '%s', not image/svg+xml",
		    h->content_type != NULL ? h->content_type : "(none)");
	if (mc_svg_check((const char *)h->body, h->len, &svg) == -1)
		return -1;
	for (k = 0; k < MC_SVG_NPROBLEMS; k++)
		if (svg.problems & (1u << k))
			mc_finding_add(r, svg_finding[k], url, "logo: %s",
			    svg.detail[k]);
	return 0;
}

static int
judge_cert(struct mc_ctx *ctx, const char *url,
    const struct mc_http_response *h, json_t **out, struct tally *t)
{
	struct mc_result *r = ctx->result;
	struct mc_bimi_cert c;

	if (fetch_failed(ctx, "mark certificate", url, h,
	    MC_F_BIMI_CERT_UNAVAILABLE))
		return 0;
	if (mc_bimi_cert_check((const char *)h->body, h->len, ctx->domain,
	    time(NULL), &c) == -1)
		return -1;
	if (!c.parsed)
		return mc_finding_add(r, MC_F_BIMI_CERT_INVALID, url,
		    "the mark certificate at %s: %s%s", url, c.error,
		    h->truncated ? " (the document was cut at the size "
		    "limit)" : "");
	*out = json_pack("{s:s,s:s,s:s,s:s,s:I,s:b,s:b}", "url", url,
	    "subject", c.subject, "issuer", c.issuer, "dns_names", c.sans,
	    "days_left", (json_int_t)c.days_left, "bimi_eku", c.bimi_eku,
	    "logotype", c.logotype);
	if (!t->have_cert || c.days_left < t->days_left)
		t->days_left = c.days_left;
	t->have_cert = 1;
	if (c.expired || c.not_yet_valid)
		mc_finding_add(r, MC_F_BIMI_CERT_EXPIRED, url,
		    "the mark certificate is %s: " NO_LOGO, c.expired ?
		    "expired" : "not yet valid");
	else if (c.days_left < MC_BIMI_CERT_WARN_DAYS) {
		mc_finding_add(r, MC_F_BIMI_CERT_EXPIRING, url,
		    "the mark certificate expires in %ld days", c.days_left);
		mc_finding_metric(r, "cert_days_left");
	}
	if (!c.bimi_eku)
		mc_finding_add(r, MC_F_BIMI_CERT_NO_EKU, url, "the certificate "
		    "lacks the BIMI extended key usage " MC_BIMI_EKU_OID
		    ": it is not a mark certificate and " NO_LOGO);
	if (!c.logotype)
		mc_finding_add(r, MC_F_BIMI_CERT_NO_LOGOTYPE, url, "the "
		    "certificate has no logotype extension " MC_LOGOTYPE_OID
		    ": " NO_LOGO);
	if (!c.name_match)
		mc_finding_add(r, MC_F_BIMI_CERT_NAME, url, "%s is not among "
		    "the certificate's names (%s): " NO_LOGO, ctx->domain,
		    c.sans[0] != '\0' ? c.sans : "none");
	return mc_finding_add(r, MC_F_BIMI_CERT_ISSUER, url, "issued by %s "
	    "to %s (%zu certificate%s served); checked: dates, BIMI key "
	    "usage, logotype, names; not verified: the chain to a mark "
	    "verifying authority, revocation, the logo's hash in the "
	    "certificate", c.issuer, c.subject, c.ncerts,
	    c.ncerts == 1 ? "" : "s");
}

/* The record's syntax; 1 when there is something to fetch. */
static int
judge_record(struct mc_ctx *ctx, const char *name, const struct mc_rr *rr,
    struct mc_bimi_record *rec, json_t *data)
{
	struct mc_result *r = ctx->result;
	size_t i;

	json_object_set_new(data, "record", mc_json_dns_string(rr->data,
	    rr->len));
	if (mc_bimi_parse(ctx->arena, rr->data, rr->len, rec) == -1) {
		mc_finding_add(r, MC_F_BIMI_RECORD_SYNTAX, name, "the BIMI "
		    "record is invalid (%s): " NO_LOGO, rec->detail);
		return 0;
	}
	for (i = 0; i < rec->next && i < MC_TXT_MAX_EXT; i++)
		mc_finding_add(r, MC_F_BIMI_TAG_UNKNOWN, name, "unknown tag "
		    "'%s' (ignored by receivers)", rec->ext[i]);
	if (rec->declined) {
		mc_finding_add(r, MC_F_BIMI_DECLINED, name, "the record "
		    "declines to show a logo (l= empty, no a=)");
		return 0;
	}
	if (rec->l == NULL || !rec->l_valid)
		mc_finding_add(r, MC_F_BIMI_URI_INVALID, name, "l= %s%s%s is "
		    "not an https:// URL of the logo", rec->l != NULL ? "'" :
		    "", rec->l != NULL ? rec->l : "(absent)",
		    rec->l != NULL ? "'" : "");
	if (rec->a != NULL && rec->a[0] != '\0' && !rec->a_valid)
		mc_finding_add(r, MC_F_BIMI_URI_INVALID, name, "a= '%s' is not "
		    "an https:// URL of the certificate", rec->a);
	if (rec->a == NULL || rec->a[0] == '\0')
		mc_finding_add(r, MC_F_BIMI_NO_CERTIFICATE, name, "the record "
		    "names no mark certificate (a=)");
	return 1;
}

/* The selectors of the run: default, then --bimi-selector's, each once. */
struct bimi_state {
	struct mc_http *http;
	size_t nsel;
	char sel[MC_BIMI_MAX_SELECTORS][MC_DNS_NAME_MAX + 2];
};

/* One selector asked for one domain. */
struct sel {
	const char *selector;
	const char *qname;     /* <selector>._bimi.<domain>; NULL: too long */
	const struct mc_dns_answer *ans;
	struct mc_bimi_record rec;
	json_t *data;          /* its element of data.selectors */
	size_t logo, cert;     /* its requests in the batch, or NO_REQ */
};

#define NO_REQ ((size_t)-1)

/*
 * One selector's record: found, exactly one, its syntax.  1 when it
 * names something to fetch.
 */
static int
judge_selector(struct mc_ctx *ctx, struct sel *s)
{
	struct mc_result *r = ctx->result;
	const struct mc_rr *rr = NULL;
	char which[MC_DNS_NAME_MAX + 32] = "";
	size_t i, n = 0;

	if (s->qname == NULL) {
		mc_finding_add(r, MC_F_BIMI_NONE, s->selector, "selector '%s' "
		    "with %s makes a name longer than 253 octets: not asked",
		    s->selector, ctx->domain);
		return 0;
	}
	if (mc_dns_failed(s->ans)) {
		mc_finding_dns(r, s->ans, "the BIMI record");
		return 0;
	}
	for (i = 0; i < s->ans->count; i++)
		if (mc_bimi_is_bimi(s->ans->rr[i].data, s->ans->rr[i].len) &&
		    n++ == 0)
			rr = &s->ans->rr[i];
	if (n == 0) {
		if (strcmp(s->selector, "default") != 0)
			snprintf(which, sizeof(which), " for selector '%s'",
			    s->selector);
		mc_finding_add(r, MC_F_BIMI_NONE, s->qname, "%s publishes no "
		    "BIMI record%s", ctx->domain, which);
		return 0;
	}
	if (n > 1) {
		mc_finding_add(r, MC_F_BIMI_MULTIPLE_RECORDS, s->qname, "%zu "
		    "v=BIMI1 records at %s: " NO_LOGO, n, s->qname);
		return 0;
	}
	return judge_record(ctx, s->qname, rr, &s->rec, s->data);
}

/* Add url to the batch unless it is there; its index. */
static size_t
request(struct mc_http_request *req, size_t *nreq, const char *url,
    size_t cap)
{
	size_t i;

	for (i = 0; i < *nreq; i++)
		if (req[i].max_body == cap && strcmp(req[i].url, url) == 0)
			return i;
	req[*nreq] = (struct mc_http_request){ .url = url, .max_body = cap };
	return (*nreq)++;
}

/* The one-line summary: each selector's logo. */
static void
summarise(struct mc_ctx *ctx, const struct sel *s, size_t nsel)
{
	const char *sum = NULL;
	size_t i;

	for (i = 0; i < nsel; i++) {
		if (s[i].logo == NO_REQ && s[i].cert == NO_REQ)
			continue;
		sum = mc_arena_printf(ctx->arena, "%s%s%s%s%slogo %s%s",
		    sum != NULL ? sum : "", sum != NULL ? "; " : "",
		    nsel > 1 ? "selector " : "", nsel > 1 ? s[i].selector : "",
		    nsel > 1 ? ": " : "", s[i].rec.l != NULL &&
		    s[i].rec.l[0] != '\0' ? s[i].rec.l : "(none)",
		    s[i].cert != NO_REQ ? ", mark certificate" : "");
		if (sum == NULL)
			return;
	}
	if (sum != NULL)
		mc_result_summary(ctx->result, "%s", sum);
}

/*
 * Fetch the logos and certificates of req[] (nreq of them) at once, judge
 * each, and put what they gave into the entries of the nsel selectors s[]
 * that asked for them; the metrics.  0 or -1.
 */
static int
fetch_and_judge(struct mc_ctx *ctx, struct sel *s, size_t nsel,
    struct mc_http_request *req, size_t nreq)
{
	const struct bimi_state *st = ctx->state;
	struct mc_result *r = ctx->result;
	json_t *got[2 * MC_BIMI_MAX_SELECTORS] = { NULL };
	struct tally t = { .logo_bytes = -1 };
	size_t i;
	int rc = 0;

	mc_http_fetch_batch(st->http, ctx->dns, ctx->deadline, ctx->arena,
	    req, nreq);
	for (i = 0; i < nreq && rc == 0; i++)
		rc = req[i].max_body == MC_BIMI_LOGO_MAX ?
		    judge_logo(ctx, req[i].url, &req[i].resp, &got[i], &t) :
		    judge_cert(ctx, req[i].url, &req[i].resp, &got[i], &t);
	for (i = 0; i < nsel; i++) {
		if (s[i].logo != NO_REQ && got[s[i].logo] != NULL)
			json_object_set(s[i].data, "logo", got[s[i].logo]);
		if (s[i].cert != NO_REQ && got[s[i].cert] != NULL)
			json_object_set(s[i].data, "certificate",
			    got[s[i].cert]);
	}
	for (i = 0; i < nreq; i++)
		json_decref(got[i]);
	if (t.logo_bytes >= 0)
		mc_metric_set(r, "logo_bytes", t.logo_bytes);
	if (t.have_cert)
		mc_metric_set(r, "cert_days_left", (double)t.days_left);
	return rc;
}

static int
bimi_run(struct mc_ctx *ctx)
{
	const struct bimi_state *st = ctx->state;
	struct mc_result *r = ctx->result;
	struct mc_http_request req[2 * MC_BIMI_MAX_SELECTORS];
	struct mc_dns_query q[MC_BIMI_MAX_SELECTORS + MC_DMARC_WALK_MAX];
	struct mc_dmarc_discovery *d;
	struct sel s[MC_BIMI_MAX_SELECTORS];
	json_t *data, *sels;
	size_t i, nq = 0, nreq = 0, wanted = 0;

	data = json_object();
	sels = json_array();
	if (data == NULL || sels == NULL) {
		json_decref(data);
		json_decref(sels);
		return -1;
	}
	r->data = data;
	json_object_set_new(data, "selectors", sels);
	/* ask: every selector and the DMARC tree walk, one batch */
	for (i = 0; i < st->nsel; i++) {
		s[i] = (struct sel){ .selector = st->sel[i], .logo = NO_REQ,
		    .cert = NO_REQ };
		if (strlen(st->sel[i]) + strlen(ctx->domain) + 7 <=
		    MC_DNS_NAME_MAX) {
			s[i].qname = mc_arena_printf(ctx->arena, "%s._bimi.%s",
			    st->sel[i], ctx->domain);
			if (s[i].qname == NULL)
				return -1;
			q[nq++] = (struct mc_dns_query){ .name = s[i].qname,
			    .type = MC_RR_TXT };
		}
	}
	if ((d = walk(ctx, ctx->domain, q, &nq)) == NULL)
		return -1;
	mc_dns_lookup_batch(ctx->dns, q, nq);
	if (walk_read(ctx, d, q + (nq - d->n)) == -1)
		return -1;

	/* judge the records, then fetch what they name, all at once */
	for (i = 0, nq = 0; i < st->nsel; i++) {
		s[i].data = json_pack("{s:s,s:o}", "selector", s[i].selector,
		    "name", s[i].qname != NULL ? json_string(s[i].qname) :
		    json_null());
		if (s[i].data == NULL || json_array_append_new(sels,
		    s[i].data) == -1)
			return -1;
		if (s[i].qname != NULL)
			s[i].ans = q[nq++].ans;
		if (!judge_selector(ctx, &s[i]))
			continue;
		wanted++;
		if (s[i].rec.l_valid)
			s[i].logo = request(req, &nreq, s[i].rec.l,
			    MC_BIMI_LOGO_MAX);
		if (s[i].rec.a != NULL && s[i].rec.a_valid)
			s[i].cert = request(req, &nreq, s[i].rec.a,
			    MC_BIMI_CERT_MAX);
	}
	if (wanted == 0)
		return 0;
	summarise(ctx, s, st->nsel);
	if (dmarc_prerequisite(ctx, d, data) == -1)
		return -1;
	return fetch_and_judge(ctx, s, st->nsel, req, nreq);
}

/*
 * setup: the HTTP handle and the selectors, once for the run.  A bad
 * --bimi-selector fails the setup, so the command line is refused (exit
 * 3) before anything is asked.
 */
static int
bimi_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	struct bimi_state *st;
	char name[MC_DNS_NAME_MAX + 2], why[256];
	size_t i, j;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	memcpy(st->sel[0], "default", sizeof("default"));
	st->nsel = 1;
	for (i = 0; i < opts->nbimi_selectors; i++) {
		if (mc_bimi_selector_normalise(opts->bimi_selectors[i], name,
		    sizeof(name), why, sizeof(why)) == -1) {
			snprintf(err, errsize, "invalid --bimi-selector: %s", why);
			goto fail;
		}
		for (j = 0; j < st->nsel; j++)
			if (strcmp(st->sel[j], name) == 0)
				break;
		if (j < st->nsel)
			continue; /* given twice, or "default": asked once */
		if (st->nsel == MC_BIMI_MAX_SELECTORS) {
			snprintf(err, errsize, "too many --bimi-selector options "
			    "(at most %d besides default)",
			    MC_BIMI_MAX_SELECTORS - 1);
			goto fail;
		}
		memcpy(st->sel[st->nsel++], name, strlen(name) + 1);
	}
	if (mc_http_check_setup(opts, (void **)&st->http, err, errsize) == -1)
		goto fail;
	*state = st;
	return 0;
fail:
	free(st);
	return -1;
}

static void
bimi_teardown(void *state)
{
	struct bimi_state *st = state;

	if (st == NULL)
		return;
	mc_http_check_teardown(st->http);
	free(st);
}

static const char *const bimi_metrics[] = { "logo_bytes", "cert_days_left",
	NULL };

const struct mc_check mc_check_bimi = {
	.name = "bimi",
	.summary = "BIMI record, DMARC prerequisite, SVG logo and mark certificate",
	.rfc = "draft-brand-indicators-for-message-identification",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_NEEDS_NET | MC_CHECK_DEFAULT,
	.run = bimi_run,
	.setup = bimi_setup,
	.teardown = bimi_teardown,
	.metrics = bimi_metrics,
};
