/* SPDX-License-Identifier: ISC */
/*
 * checks/bimi.c - the BIMI record, its DMARC prerequisite, logo and mark
 * certificate (draft-brand-indicators-for-message-identification)
 *
 * One batch asks default._bimi.<domain> and the DMARC records at
 * _dmarc.<domain> and _dmarc.<organizational domain> (the Public Suffix
 * List's, libpsl).  The DMARC reading here is deliberately minimal (p=,
 * sp=, pct= of the first v=DMARC1 record, through the shared tokenizer):
 * the dmarc check owns the full evaluation, and receivers only ask whether
 * the policy is enforced.  The logo and the certificate are fetched in one
 * HTTP batch; the SVG goes to the SVG Tiny PS checker (src/svg_check.c)
 * and the PEM to the mark certificate reader (src/bimi_cert.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpsl.h>

#include "mailcheck/bimi_cert.h"
#include "mailcheck/bimi_record.h"
#include "mailcheck/check.h"
#include "mailcheck/http.h"
#include "mailcheck/limits.h"
#include "mailcheck/svg_check.h"
#include "mailcheck/tagvalue.h"
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

/* The first v=DMARC1 record of an answer, tokenized, or NULL. */
static struct mc_tv_list *
dmarc_tags(struct mc_ctx *ctx, const struct mc_dns_answer *ans)
{
	struct mc_tv_list *l;
	size_t i;

	for (i = 0; i < ans->count; i++) {
		if (!mc_txt_has_version(ans->rr[i].data, ans->rr[i].len,
		    "v=DMARC1"))
			continue;
		l = mc_arena_alloc(ctx->arena, sizeof(*l));
		if (l != NULL && mc_tv_parse(ctx->arena, ans->rr[i].data,
		    ans->rr[i].len, l) == 0)
			return l;
		return NULL;
	}
	return NULL;
}

/* Is the DMARC policy one receivers accept for BIMI?  Reports if not. */
static void
dmarc_prerequisite(struct mc_ctx *ctx, const struct mc_dns_answer *own,
    const struct mc_dns_answer *org, json_t *data)
{
	struct mc_result *r = ctx->result;
	const struct mc_tv_tag *p, *sp, *pct;
	struct mc_tv_list *l;
	const char *where = own->qname;
	long pctv = 100;

	if (mc_dns_failed(own) || mc_dns_failed(org)) {
		mc_finding_dns(r, mc_dns_failed(own) ? own : org,
		    "the DMARC record");
		return;
	}
	l = dmarc_tags(ctx, own);
	if (l == NULL && org != own) {
		l = dmarc_tags(ctx, org);
		where = org->qname;
	}
	if (l == NULL) {
		mc_finding_add(r, MC_F_BIMI_DMARC_NOT_ENFORCED, own->qname,
		    "no valid DMARC record for %s: " NO_LOGO, ctx->domain);
		return;
	}
	p = mc_tv_get_icase(l, "p");
	sp = mc_tv_get_icase(l, "sp");
	pct = mc_tv_get_icase(l, "pct");
	if (pct != NULL)
		pctv = strtol(pct->value, NULL, 10);
	json_object_set_new(data, "dmarc", json_pack("{s:s,s:o,s:o,s:I}",
	    "record", where, "p", p != NULL ? mc_json_dns_string(p->value,
	    strlen(p->value)) : json_null(), "sp", sp != NULL ?
	    mc_json_dns_string(sp->value, strlen(sp->value)) : json_null(),
	    "pct", (json_int_t)pctv));
	if (p == NULL || !(strcasecmp(p->value, "reject") == 0 ||
	    (strcasecmp(p->value, "quarantine") == 0 && pctv == 100)))
		mc_finding_add(r, MC_F_BIMI_DMARC_NOT_ENFORCED, where,
		    "the DMARC policy at %s is p=%s with pct=%ld, not "
		    "quarantine at 100%% or reject: " NO_LOGO, where,
		    p != NULL ? p->value : "(none)", pctv);
	else if (sp != NULL && strcasecmp(sp->value, "none") == 0)
		mc_finding_add(r, MC_F_BIMI_DMARC_NOT_ENFORCED, where,
		    "the DMARC policy at %s has sp=none: " NO_LOGO, where);
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

static int
judge_logo(struct mc_ctx *ctx, const char *url,
    const struct mc_http_response *h, json_t *data)
{
	struct mc_result *r = ctx->result;
	struct mc_svg_report svg;
	char type[64];
	int k;

	if (fetch_failed(ctx, "logo", url, h, MC_F_BIMI_LOGO_UNAVAILABLE))
		return 0;
	json_object_set_new(data, "logo", json_pack("{s:s,s:s,s:I,s:o}",
	    "url", url, "source", h->source, "bytes", (json_int_t)h->len,
	    "content_type", h->content_type != NULL ? mc_json_dns_string(
	    h->content_type, strlen(h->content_type)) : json_null()));
	if (h->truncated) {
		mc_finding_add(r, MC_F_BIMI_LOGO_TOO_LARGE, url,
		    "the logo at %s is larger than %d bytes (read no "
		    "further)", url, MC_BIMI_LOGO_MAX);
		return 0;
	}
	mc_metric_set(r, "logo_bytes", (double)h->len);
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
    const struct mc_http_response *h, json_t *data)
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
	json_object_set_new(data, "certificate", json_pack(
	    "{s:s,s:s,s:s,s:s,s:I,s:b,s:b}", "url", url, "subject", c.subject,
	    "issuer", c.issuer, "dns_names", c.sans, "days_left",
	    (json_int_t)c.days_left, "bimi_eku", c.bimi_eku, "logotype",
	    c.logotype));
	mc_metric_set(r, "cert_days_left", (double)c.days_left);
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
	    "verifying authority", c.issuer, c.subject, c.ncerts,
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

static int
bimi_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	char name[MC_DNS_NAME_MAX + 16], dm[MC_DNS_NAME_MAX + 16];
	char odm[MC_DNS_NAME_MAX + 16];
	struct mc_http_request req[2];
	struct mc_bimi_record rec;
	struct mc_dns_query q[3];
	const struct mc_rr *rr = NULL;
	const char *org;
	size_t i, n = 0, nreq = 0;
	json_t *data;
	int rc = 0;

	if ((data = json_object()) == NULL)
		return -1;
	r->data = data;
	org = psl_registrable_domain(psl_builtin(), ctx->domain);
	snprintf(name, sizeof(name), "default._bimi.%s", ctx->domain);
	snprintf(dm, sizeof(dm), "_dmarc.%s", ctx->domain);
	snprintf(odm, sizeof(odm), "_dmarc.%s", org != NULL ? org :
	    ctx->domain);
	q[0] = (struct mc_dns_query){ .name = name, .type = MC_RR_TXT };
	q[1] = (struct mc_dns_query){ .name = dm, .type = MC_RR_TXT };
	q[2] = (struct mc_dns_query){ .name = odm, .type = MC_RR_TXT };
	mc_dns_lookup_batch(ctx->dns, q, 3);
	if (mc_dns_failed(q[0].ans))
		return mc_finding_dns(r, q[0].ans, "the BIMI record");
	for (i = 0; i < q[0].ans->count; i++)
		if (mc_bimi_is_bimi(q[0].ans->rr[i].data,
		    q[0].ans->rr[i].len) && n++ == 0)
			rr = &q[0].ans->rr[i];
	if (n == 0)
		return mc_finding_add(r, MC_F_BIMI_NONE, name, "%s publishes "
		    "no BIMI record", ctx->domain);
	if (n > 1)
		return mc_finding_add(r, MC_F_BIMI_MULTIPLE_RECORDS, name,
		    "%zu v=BIMI1 records at %s: " NO_LOGO, n, name);
	if (!judge_record(ctx, name, rr, &rec, data))
		return 0;
	mc_result_summary(r, "logo %s%s", rec.l != NULL ? rec.l : "(none)",
	    rec.a != NULL && rec.a[0] != '\0' ? ", mark certificate" : "");
	dmarc_prerequisite(ctx, q[1].ans, q[2].ans, data);
	if (rec.l_valid)
		req[nreq++] = (struct mc_http_request){ .url = rec.l,
		    .max_body = MC_BIMI_LOGO_MAX };
	if (rec.a != NULL && rec.a_valid)
		req[nreq++] = (struct mc_http_request){ .url = rec.a,
		    .max_body = MC_BIMI_CERT_MAX };
	mc_http_fetch_batch(ctx->state, ctx->dns, ctx->deadline, ctx->arena,
	    req, nreq);
	for (i = 0; i < nreq && rc == 0; i++)
		rc = req[i].max_body == MC_BIMI_LOGO_MAX &&
		    req[i].url == rec.l ?
		    judge_logo(ctx, req[i].url, &req[i].resp, data) :
		    judge_cert(ctx, req[i].url, &req[i].resp, data);
	return rc;
}

static const char *const bimi_metrics[] = { "logo_bytes", "cert_days_left",
	NULL };

const struct mc_check mc_check_bimi = {
	.name = "bimi",
	.summary = "BIMI record, DMARC prerequisite, SVG logo and mark certificate",
	.rfc = "draft-brand-indicators-for-message-identification",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_NEEDS_NET | MC_CHECK_DEFAULT,
	.run = bimi_run,
	.setup = mc_http_check_setup,
	.teardown = mc_http_check_teardown,
	.metrics = bimi_metrics,
};
