/* SPDX-License-Identifier: ISC */
/*
 * checks/mta-sts.c - the domain's MTA-STS record and policy (RFC 8461)
 *
 * One batch asks the TXT records at _mta-sts.<domain> and the domain's MX
 * records.  Exactly one v=STSv1 record makes a policy worth fetching; the
 * policy comes through the HTTP layer (HTTPS, certificate checked for
 * mta-sts.<domain>, no redirects, 64 KiB, the run's deadline), is judged
 * as senders judge it (status 200, text/plain, the parser's problems), and
 * its mx patterns are matched against the real MX hosts: in enforce mode a
 * host no pattern matches is mail that senders refuse to deliver.  Whether
 * the id changed with the policy body cannot be told from one run, so it
 * is not claimed.
 */
#include <stdio.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/http.h"
#include "mailcheck/limits.h"
#include "mailcheck/mta_sts_policy.h"
#include "banned.h"

#define NO_POLICY "senders treat the domain as having no MTA-STS policy"

/* What each parser problem becomes. */
static const enum mc_finding_id problem_finding[] = {
	[MC_STS_P_SYNTAX] = MC_F_MTA_STS_POLICY_SYNTAX,
	[MC_STS_P_NUL] = MC_F_MTA_STS_POLICY_SYNTAX,
	[MC_STS_P_LONG_LINE] = MC_F_MTA_STS_POLICY_SYNTAX,
	[MC_STS_P_UNKNOWN_KEY] = MC_F_MTA_STS_POLICY_UNKNOWN_KEY,
	[MC_STS_P_DUPLICATE_KEY] = MC_F_MTA_STS_POLICY_DUPLICATE_KEY,
	[MC_STS_P_VERSION] = MC_F_MTA_STS_POLICY_VERSION,
	[MC_STS_P_MODE] = MC_F_MTA_STS_POLICY_MODE,
	[MC_STS_P_MAX_AGE] = MC_F_MTA_STS_MAX_AGE_INVALID,
	[MC_STS_P_MX_MISSING] = MC_F_MTA_STS_MX_MISSING,
	[MC_STS_P_MX_INVALID] = MC_F_MTA_STS_POLICY_SYNTAX,
	[MC_STS_P_TOO_MANY_MX] = MC_F_MTA_STS_TOO_MANY_MX,
};

/*
 * The one v=STSv1 record, or NULL after reporting why there is none.
 * Returns -1 on a failed lookup (reported), else 0.
 */
static int
find_record(struct mc_ctx *ctx, const struct mc_dns_answer *txt,
    const struct mc_rr **out)
{
	struct mc_result *r = ctx->result;
	size_t i, n = 0;

	*out = NULL;
	if (mc_dns_failed(txt)) {
		mc_finding_dns(r, txt, "the MTA-STS record");
		return -1;
	}
	for (i = 0; i < txt->count; i++)
		if (txt->rr[i].type == MC_RR_TXT &&
		    mc_sts_record_is_sts(txt->rr[i].data, txt->rr[i].len)) {
			if (n++ == 0)
				*out = &txt->rr[i];
		}
	if (n == 0) {
		mc_finding_add(r, MC_F_MTA_STS_NONE, txt->qname,
		    "%s publishes no MTA-STS record", ctx->domain);
		mc_finding_brief(r, "no MTA-STS");
	} else if (n > 1) {
		mc_finding_add(r, MC_F_MTA_STS_MULTIPLE_RECORDS, txt->qname,
		    "%zu v=STSv1 records at %s: " NO_POLICY, n, txt->qname);
		*out = NULL;
	}
	return 0;
}

/* Report a policy fetch that gave no usable body; 1 if it did not. */
static int
fetch_failed(struct mc_ctx *ctx, const char *url,
    const struct mc_http_response *h)
{
	struct mc_result *r = ctx->result;

	switch (h->status) {
	case MC_HTTP_OK:
		return 0;
	case MC_HTTP_SKIPPED:
		mc_finding_add(r, MC_F_MTA_STS_FETCH_SKIPPED, url,
		    "the policy was not fetched: %s", h->why);
		break;
	case MC_HTTP_NOTFOUND:
		mc_finding_add(r, MC_F_MTA_STS_POLICY_NOT_FOUND, url,
		    "%s: not found (%ld): " NO_POLICY, url, h->code);
		break;
	case MC_HTTP_TEMPFAIL:
		mc_finding_add(r, MC_F_MTA_STS_FETCH_TEMPFAIL, url,
		    "cannot fetch %s: %s; senders keep a cached policy, and "
		    "those without one send without MTA-STS", url, h->why);
		break;
	case MC_HTTP_PERMFAIL:
		if (h->error == MC_HTTP_E_CERT)
			mc_finding_add(r, MC_F_MTA_STS_CERTIFICATE, url,
			    "the certificate of %s does not verify (%s): "
			    NO_POLICY, url, h->why);
		else if (h->error == MC_HTTP_E_REDIRECT)
			mc_finding_add(r, MC_F_MTA_STS_REDIRECT, url,
			    "%s redirects (status %ld%s%s): senders do not "
			    "follow it and " NO_POLICY, url, h->code,
			    h->location != NULL ? " to " : "",
			    h->location != NULL ? h->location : "");
		else if (h->error == MC_HTTP_E_STATUS)
			mc_finding_add(r, MC_F_MTA_STS_HTTP_STATUS, url,
			    "%s answers status %ld, not 200: " NO_POLICY, url,
			    h->code);
		else
			mc_finding_add(r, MC_F_MTA_STS_POLICY_UNREACHABLE, url,
			    "cannot fetch %s: %s: " NO_POLICY, url, h->why);
		break;
	}
	return 1;
}

/* The parser's problems as findings; the body's shape (type, size). */
static void
judge_policy(struct mc_ctx *ctx, const char *url,
    const struct mc_http_response *h, const struct mc_sts_policy *p)
{
	struct mc_result *r = ctx->result;
	char type[64];
	size_t i;

	mc_http_media_type(h->content_type, type, sizeof(type));
	if (strcmp(type, "text/plain") != 0)
		mc_finding_add(r, MC_F_MTA_STS_CONTENT_TYPE, url,
		    "%s is served as '%s', not text/plain: " NO_POLICY, url,
		    h->content_type != NULL ? h->content_type : "(none)");
	if (h->truncated)
		mc_finding_add(r, MC_F_MTA_STS_POLICY_TOO_LARGE, url,
		    "%s is longer than %d bytes (read no further): "
		    NO_POLICY, url, MC_STS_POLICY_MAX);
	for (i = 0; i < p->nproblems; i++) {
		const struct mc_sts_problem *pb = &p->problem[i];

		if (pb->line > 0)
			mc_finding_add(r, problem_finding[pb->kind], url,
			    "policy line %zu: %s", pb->line, pb->detail);
		else
			mc_finding_add(r, problem_finding[pb->kind], url,
			    "policy: %s", pb->detail);
	}
	if (p->nproblems_total > p->nproblems)
		mc_finding_add(r, MC_F_MTA_STS_POLICY_SYNTAX, url,
		    "%zu more problems in the policy (not listed)",
		    p->nproblems_total - p->nproblems);
	if (p->max_age >= 0 && p->max_age < MC_STS_MAX_AGE_LOW) {
		mc_finding_add(r, MC_F_MTA_STS_MAX_AGE_SHORT, url,
		    "max_age is %ld seconds, under a day", p->max_age);
		mc_finding_metric(r, "max_age");
	}
	if (!mc_sts_policy_usable(p))
		mc_finding_add(r, MC_F_MTA_STS_POLICY_SYNTAX, url,
		    "the policy lacks what senders need (version, mode, "
		    "max_age, mx): " NO_POLICY);
}

/* Match the MX hosts against the policy's patterns, by mode. */
static void
grade_hosts(struct mc_ctx *ctx, const struct mc_dns_answer *mx,
    const struct mc_sts_policy *p, json_t *hosts)
{
	struct mc_result *r = ctx->result;
	size_t i, missed = 0, n = 0;
	char list[512] = "";

	for (i = 0; i < mx->count; i++) {
		const char *host = mx->rr[i].data;
		long m;

		if (mx->rr[i].type != MC_RR_MX || host[0] == '\0')
			continue;
		n++;
		m = mc_sts_policy_match(p, host);
		json_array_append_new(hosts, json_pack("{s:o,s:o}", "host",
		    mc_json_shown(host), "pattern",
		    m >= 0 ? mc_json_dns_string(p->mx[m], strlen(p->mx[m])) :
		    json_null()));
		if (m >= 0 || p->mode == MC_STS_MODE_NONE)
			continue;
		missed++;
		if (strlen(list) + strlen(host) + 3 < sizeof(list))
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
			    "%s%s", list[0] != '\0' ? ", " : "", host);
		if (p->mode == MC_STS_MODE_ENFORCE)
			mc_finding_add(r, MC_F_MTA_STS_MX_NOT_COVERED, host,
			    "MX host %s matches no mx line of the enforced "
			    "policy: senders refuse to deliver to it", host);
		else
			mc_finding_add_sev(r, MC_F_MTA_STS_MX_NOT_COVERED,
			    MC_WARN, host, "MX host %s matches no mx line of "
			    "the policy: in enforce mode senders would refuse "
			    "to deliver to it", host);
	}
	mc_result_summary(r, "mode %s, max_age %ld; %zu of %zu MX hosts "
	    "covered", mc_sts_mode_str(p->mode), p->max_age, n - missed, n);
	if (p->mode == MC_STS_MODE_TESTING)
		mc_finding_add(r, MC_F_MTA_STS_TESTING, ctx->domain,
		    "the policy is in testing mode: senders report TLS "
		    "failures but still deliver; enforce would %s%s",
		    missed > 0 ? "refuse delivery to " : "break nothing "
		    "for the current MX hosts", list);
	else if (p->mode == MC_STS_MODE_NONE)
		mc_finding_add(r, MC_F_MTA_STS_MODE_NONE, ctx->domain,
		    "the policy is in mode none: senders apply no MTA-STS "
		    "(the way to withdraw a policy)");
}

static json_t *
policy_json(const char *url, const struct mc_http_response *h,
    const struct mc_sts_policy *p)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:I}", "url", url, "source",
	    h->source, "status", mc_http_status_str(h->status), "code",
	    (json_int_t)h->code);
	json_t *mx = json_array();
	size_t i;

	if (o == NULL || mx == NULL) {
		json_decref(mx);
		return o;
	}
	if (h->content_type != NULL)
		json_object_set_new(o, "content_type", mc_json_dns_string(
		    h->content_type, strlen(h->content_type)));
	if (h->status != MC_HTTP_OK || p == NULL) {
		json_decref(mx);
		return o;
	}
	json_object_set_new(o, "bytes", json_integer((json_int_t)h->len));
	json_object_set_new(o, "mode", json_string(mc_sts_mode_str(p->mode)));
	json_object_set_new(o, "max_age", p->max_age >= 0 ?
	    json_integer(p->max_age) : json_null());
	for (i = 0; i < p->nmx; i++)
		json_array_append_new(mx, mc_json_dns_string(p->mx[i],
		    strlen(p->mx[i])));
	json_object_set_new(o, "mx", mx);
	return o;
}

static int
mta_sts_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query q[2];
	struct mc_sts_record rec;
	struct mc_sts_policy *p = NULL;
	struct mc_http_response h;
	const struct mc_rr *rr;
	json_t *data, *hosts;
	char name[MC_DNS_NAME_MAX + 16], url[MC_DNS_NAME_MAX + 64];

	if ((data = json_object()) == NULL)
		return -1;
	r->data = data;
	snprintf(name, sizeof(name), "_mta-sts.%s", ctx->domain);
	snprintf(url, sizeof(url), MC_STS_POLICY_URL_FMT, ctx->domain);
	q[0] = (struct mc_dns_query){ .name = name, .type = MC_RR_TXT };
	q[1] = (struct mc_dns_query){ .name = ctx->domain, .type = MC_RR_MX };
	mc_dns_lookup_batch(ctx->dns, q, 2);
	if (find_record(ctx, q[0].ans, &rr) == -1 || rr == NULL)
		return 0;
	json_object_set_new(data, "record", mc_json_dns_string(rr->data,
	    rr->len));
	if (mc_sts_record_parse(ctx->arena, rr->data, rr->len, &rec) == -1) {
		if (rec.err == MC_STS_R_NOMEM)
			return -1;
		mc_finding_add(r, MC_F_MTA_STS_RECORD_SYNTAX, name,
		    "the MTA-STS record is invalid (%s): " NO_POLICY,
		    rec.detail);
		return 0;
	}
	json_object_set_new(data, "id", json_string(rec.id));
	if (rec.next > 0)
		mc_finding_add(r, MC_F_MTA_STS_RECORD_EXTENSION, name,
		    "the record has %zu extension tag%s (first: %s)", rec.next,
		    rec.next == 1 ? "" : "s", rec.ext[0]);
	mc_http_fetch(ctx->state, ctx->dns, ctx->deadline, ctx->arena, url,
	    MC_STS_POLICY_MAX, &h);
	if (!fetch_failed(ctx, url, &h)) {
		size_t len = h.len;

		/* a cut body: its last, partial line is not judged */
		while (h.truncated && len > 0 && h.body[len - 1] != '\n')
			len--;
		p = mc_arena_alloc(ctx->arena, sizeof(*p));
		if (p == NULL || mc_sts_policy_parse(ctx->arena,
		    (const char *)h.body, len, p) == -1)
			return -1;
		judge_policy(ctx, url, &h, p);
	}
	json_object_set_new(data, "policy", policy_json(url, &h, p));
	if (p == NULL || !mc_sts_policy_usable(p))
		return 0;
	mc_metric_set(r, "mode", (double)p->mode);
	mc_metric_set(r, "max_age", (double)p->max_age);
	if (mc_dns_failed(q[1].ans))
		return mc_finding_dns(r, q[1].ans, "the MX records");
	hosts = json_array();
	json_object_set_new(data, "hosts", hosts);
	if (hosts == NULL)
		return -1;
	grade_hosts(ctx, q[1].ans, p, hosts);
	return 0;
}

static const char *const mta_sts_metrics[] = { "mode", "max_age", NULL };

const struct mc_check mc_check_mta_sts = {
	.name = "mta-sts",
	.summary = "MTA-STS record, policy over HTTPS, and the MX hosts it covers",
	.rfc = "RFC 8461",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_NEEDS_NET | MC_CHECK_DEFAULT,
	.run = mta_sts_run,
	.setup = mc_http_check_setup,
	.teardown = mc_http_check_teardown,
	.metrics = mta_sts_metrics,
};
