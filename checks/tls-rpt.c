/* SPDX-License-Identifier: ISC */
/*
 * checks/tls-rpt.c - the domain's TLS reporting record (RFC 8460)
 *
 * One batch asks the TXT records at _smtp._tls.<domain>, at _mta-sts.<domain>
 * and the domain's MX records; a second asks TLSA at _25._tcp.<host> for
 * every MX host (DANE, RFC 7672).  Exactly one v=TLSRPTv1 record is
 * parsed and every rua URI judged.  A domain that asks senders for
 * MTA-STS or DANE but publishes no TLS-RPT record gets a warning: the
 * deliveries those policies fail go unseen.  The answers are the mta-sts
 * and mx checks' own questions, so the cache answers most of them.
 */
#include <stdio.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/limits.h"
#include "mailcheck/mta_sts_policy.h"
#include "mailcheck/tlsrpt_record.h"
#include "banned.h"

#define RR_TLSA 52

/* Does the domain ask for MTA-STS or DANE?  The reason in why. */
static int
transport_policy(struct mc_ctx *ctx, const struct mc_dns_answer *sts,
    const struct mc_dns_answer *mx, char *why, size_t size)
{
	struct mc_dns_query q[MC_MX_MAX_HOSTS];
	char names[MC_MX_MAX_HOSTS][MC_DNS_NAME_MAX + 12];
	size_t i, n = 0;

	for (i = 0; i < sts->count; i++)
		if (mc_sts_record_is_sts(sts->rr[i].data, sts->rr[i].len)) {
			snprintf(why, size, "an MTA-STS record at %s",
			    sts->qname);
			return 1;
		}
	for (i = 0; i < mx->count && n < MC_MX_MAX_HOSTS; i++) {
		if (mx->rr[i].type != MC_RR_MX || mx->rr[i].data[0] == '\0')
			continue;
		snprintf(names[n], sizeof(names[n]), "_25._tcp.%s",
		    mx->rr[i].data);
		q[n] = (struct mc_dns_query){ .name = names[n],
		    .type = RR_TLSA };
		n++;
	}
	mc_dns_lookup_batch(ctx->dns, q, n);
	for (i = 0; i < n; i++)
		if (q[i].ans->status == MC_DNS_OK) {
			snprintf(why, size, "TLSA records at %s (DANE)",
			    q[i].name);
			return 1;
		}
	return 0;
}

static void
judge_record(struct mc_ctx *ctx, const char *name, const struct mc_rr *rr,
    json_t *data)
{
	struct mc_result *r = ctx->result;
	struct mc_tlsrpt_record rec;
	json_t *uris;
	size_t i;

	json_object_set_new(data, "record", mc_json_dns_string(rr->data,
	    rr->len));
	if (mc_tlsrpt_parse(ctx->arena, rr->data, rr->len, &rec) == -1) {
		mc_finding_add(r, rec.err == MC_TLSRPT_RUA_MISSING ?
		    MC_F_TLSRPT_RUA_MISSING : MC_F_TLSRPT_RECORD_SYNTAX, name,
		    "the TLS-RPT record is invalid (%s): reporters send no "
		    "reports", rec.detail);
		return;
	}
	uris = json_array();
	for (i = 0; i < rec.nuri; i++) {
		json_array_append_new(uris, mc_json_dns_string(
		    rec.uri[i].text, strlen(rec.uri[i].text)));
		if (!rec.uri[i].valid)
			mc_finding_add(r, MC_F_TLSRPT_URI_INVALID, name,
			    "rua URI '%s' is not mailto:local@domain nor an "
			    "https:// URL", rec.uri[i].text);
	}
	json_object_set_new(data, "rua", uris);
	mc_metric_set(r, "uris", (double)rec.nuri_total);
	mc_result_summary(r, "reports to %s%s", rec.uri[0].text,
	    rec.nuri_total > 1 ? " and more" : "");
	for (i = 0; i < rec.next && i < MC_TXT_MAX_EXT; i++)
		mc_finding_add(r, MC_F_TLSRPT_TAG_UNKNOWN, name,
		    "unknown tag '%s' (ignored by reporters)", rec.ext[i]);
}

static int
tlsrpt_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	char name[MC_DNS_NAME_MAX + 16], sts[MC_DNS_NAME_MAX + 16], why[300];
	const struct mc_rr *rr = NULL;
	struct mc_dns_query q[3];
	const struct mc_dns_answer *txt;
	size_t i, n = 0;
	json_t *data;

	if ((data = json_object()) == NULL)
		return -1;
	r->data = data;
	snprintf(name, sizeof(name), "_smtp._tls.%s", ctx->domain);
	snprintf(sts, sizeof(sts), "_mta-sts.%s", ctx->domain);
	q[0] = (struct mc_dns_query){ .name = name, .type = MC_RR_TXT };
	q[1] = (struct mc_dns_query){ .name = sts, .type = MC_RR_TXT };
	q[2] = (struct mc_dns_query){ .name = ctx->domain, .type = MC_RR_MX };
	mc_dns_lookup_batch(ctx->dns, q, 3);
	txt = q[0].ans;
	if (mc_dns_failed(txt))
		return mc_finding_dns(r, txt, "the TLS-RPT record");
	for (i = 0; i < txt->count; i++)
		if (mc_tlsrpt_is_tlsrpt(txt->rr[i].data, txt->rr[i].len) &&
		    n++ == 0)
			rr = &txt->rr[i];
	if (n > 1) {
		mc_finding_add(r, MC_F_TLSRPT_MULTIPLE_RECORDS, name,
		    "%zu v=TLSRPTv1 records at %s: reporters send no reports",
		    n, name);
		return 0;
	}
	if (n == 1) {
		judge_record(ctx, name, rr, data);
		return 0;
	}
	mc_metric_set(r, "uris", 0);
	if (transport_policy(ctx, q[1].ans, q[2].ans, why, sizeof(why)))
		mc_finding_add(r, MC_F_TLSRPT_NONE_WITH_POLICY, name,
		    "%s publishes %s but no TLS-RPT record: nobody sees the "
		    "deliveries that fail it", ctx->domain, why);
	else
		mc_finding_add(r, MC_F_TLSRPT_NONE, name,
		    "%s publishes no TLS-RPT record", ctx->domain);
	return 0;
}

static const char *const tlsrpt_metrics[] = { "uris", NULL };

const struct mc_check mc_check_tlsrpt = {
	.name = "tls-rpt",
	.summary = "TLS reporting record and its report URIs",
	.rfc = "RFC 8460",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.run = tlsrpt_run,
	.metrics = tlsrpt_metrics,
};
