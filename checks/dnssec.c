/* SPDX-License-Identifier: ISC */
/*
 * checks/dnssec.c - is the domain's zone signed, and does it validate?
 * (RFC 4033, RFC 4035)
 *
 * The chain of trust from the trust anchor (the root KSKs, or
 * --trust-anchor, loaded once in setup) down to the domain's zone, then
 * the RRSIGs over the zone's SOA and the domain's MX, TXT and DMARC
 * answers; then the zones of the MX hosts, which DANE needs signed too.
 * One cache of validated zones per run (mc_dnssec_cache_new()): each
 * DNSKEY and DS RRset on the way is verified once, not once per answer.  The validator is
 * src/dnssec.c; this file only asks it and judges: secure is ok, insecure
 * is info (no DNSSEC, so no DANE), bogus is critical (validating
 * resolvers answer SERVFAIL: mail to the domain fails) with what broke,
 * indeterminate is unknown.
 */
#include <stdio.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/dnssec_state.h"
#include "mailcheck/limits.h"
#include "banned.h"

/* The finding for a state that is not secure; subject is what it is about. */
static void
judge(struct mc_ctx *ctx, const char *subject, const char *what,
    const struct mc_dnssec_result *res, int mx)
{
	enum mc_finding_id id;

	switch (res->state) {
	case MC_DNSSEC_SECURE:
		return;
	case MC_DNSSEC_INSECURE:
		id = res->why == MC_DNSSEC_WHY_ALGORITHM ?
		    MC_F_DNSSEC_ALGORITHM_UNSUPPORTED : mx ?
		    MC_F_DNSSEC_MX_UNSIGNED : MC_F_DNSSEC_UNSIGNED;
		break;
	case MC_DNSSEC_BOGUS:
		id = res->why == MC_DNSSEC_WHY_RRSIG_EXPIRED ?
		    MC_F_DNSSEC_RRSIG_EXPIRED :
		    res->why == MC_DNSSEC_WHY_DS_MISMATCH ?
		    MC_F_DNSSEC_DS_MISMATCH :
		    res->why == MC_DNSSEC_WHY_RRSIG_MISSING ?
		    MC_F_DNSSEC_RRSIG_MISSING : MC_F_DNSSEC_BOGUS;
		break;
	default:
		id = MC_F_DNSSEC_INDETERMINATE;
		break;
	}
	mc_finding_add(ctx->result, id, subject, "%s is DNSSEC-%s: %s", what,
	    mc_dnssec_state_str(res->state), res->detail);
}

static json_t *
state_json(const char *name, const struct mc_dnssec_result *res)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "name", name, "state",
	    mc_dnssec_state_str(res->state), "zone",
	    mc_json_dns_string(res->zone, strlen(res->zone)), "detail",
	    mc_json_dns_string(res->detail, strlen(res->detail)));
}

/*
 * The domain's own state: its zone's chain, then the answers for the
 * zone's SOA, the domain's MX and TXT records and its DMARC record: their
 * RRSIGs (through CNAME chains, with the proof a wildcard answer needs),
 * or the NSEC/NSEC3 proof that there are none.  The first answer that is
 * not secure, nor indeterminate, decides.
 */
static void
domain_state(struct mc_ctx *ctx, struct mc_dnssec_cache *cache,
    const struct mc_dns_answer *mx, struct mc_dnssec_result *res)
{
	struct mc_dnssec_result sub;
	char dmarc[MC_DNS_NAME_MAX + 8];
	struct mc_dns_query q[3] = {
		{ .name = NULL, .type = MC_RR_SOA },
		{ .name = ctx->domain, .type = MC_RR_TXT },
		{ .name = dmarc, .type = MC_RR_TXT },
	};
	const struct mc_dns_answer *ans[4] = { mx };
	size_t i;

	if (mc_dnssec_name_state(ctx->state, ctx->dns, cache, ctx->domain,
	    res) != MC_DNSSEC_SECURE)
		return;
	q[0].name = res->zone[0] != '\0' ? res->zone : ".";
	snprintf(dmarc, sizeof(dmarc), "_dmarc.%s", ctx->domain);
	mc_dns_lookup_batch(ctx->dns, q, 3);
	for (i = 0; i < 3; i++)
		ans[i + 1] = q[i].ans;
	for (i = 0; i < 4; i++)
		if (!mc_dns_failed(ans[i]) && mc_dnssec_answer_state(
		    ctx->state, ctx->dns, cache, ans[i], &sub) !=
		    MC_DNSSEC_SECURE && sub.state != MC_DNSSEC_INDETERMINATE) {
			*res = sub;
			return;
		}
}

static int
dnssec_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_dnssec_result res;
	struct mc_dnssec_cache *cache;
	const struct mc_dns_answer *mx;
	json_t *hosts;
	size_t i, n = 0, notsecure = 0;
	char what[MC_DNS_NAME_MAX + 32];

	if ((r->data = json_object()) == NULL)
		return -1;
	cache = mc_dnssec_cache_new(); /* NULL: walks without */
	mx = mc_dns_lookup(ctx->dns, ctx->domain, MC_RR_MX);
	domain_state(ctx, cache, mx, &res);
	json_object_set_new(r->data, "domain", state_json(ctx->domain, &res));
	mc_metric_set(r, "secure", res.state == MC_DNSSEC_SECURE ? 1 : 0);
	judge(ctx, ctx->domain, ctx->domain, &res, 0);
	mc_result_summary(r, "%s is %s", ctx->domain,
	    mc_dnssec_state_str(res.state));

	hosts = json_array();
	json_object_set_new(r->data, "mx_hosts", hosts);
	if (mc_dns_failed(mx))
		mc_finding_dns(r, mx, "MX records");
	for (i = 0; mx->status == MC_DNS_OK && i < mx->count &&
	    n < MC_MX_MAX_HOSTS; i++) {
		if (mx->rr[i].type != MC_RR_MX || mx->rr[i].data[0] == '\0')
			continue;
		n++;
		mc_dnssec_name_state(ctx->state, ctx->dns, cache,
		    mx->rr[i].data, &res);
		json_array_append_new(hosts, state_json(mx->rr[i].data, &res));
		if (res.state == MC_DNSSEC_SECURE)
			continue;
		notsecure++;
		snprintf(what, sizeof(what), "MX host %s", mx->rr[i].data);
		judge(ctx, mx->rr[i].data, what, &res, 1);
	}
	mc_metric_set(r, "mx_hosts_not_secure", (double)notsecure);
	mc_dnssec_cache_free(cache);
	return 0;
}

static int
dnssec_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	*state = mc_dnssec_anchor_load(opts->trust_anchor, err, errsize);
	return *state != NULL ? 0 : -1;
}

static void
dnssec_teardown(void *state)
{
	mc_dnssec_anchor_free(state);
}

static const char *const dnssec_metrics[] = {
	"secure", "mx_hosts_not_secure", NULL,
};

const struct mc_check mc_check_dnssec = {
	.name = "dnssec",
	.summary = "DNSSEC chain of trust of the domain's and MX hosts' zones",
	.rfc = "RFC 4033, RFC 4035, RFC 6840",
	.flags = MC_CHECK_NEEDS_DNS,
	.setup = dnssec_setup,
	.teardown = dnssec_teardown,
	.run = dnssec_run,
	.metrics = dnssec_metrics,
};
