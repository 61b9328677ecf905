/* SPDX-License-Identifier: ISC */
/*
 * src/parked.c - is the domain parked, and locked down?
 *
 * Three questions asked at once (mailcheck/parked.h says which), each
 * answered from the cache when a check asked it before: the verdict costs
 * no round trip of its own in a full run.  The SPF record must be exactly
 * "v=spf1 -all" (case and runs of spaces aside): any mechanism before
 * -all means the domain sends mail from somewhere.
 */
#include <ctype.h>
#include <string.h>

#include "mailcheck/dkim_key.h"
#include "mailcheck/parked.h"
#include "mailcheck/spf.h"
#include "mailcheck/util.h"
#include "banned.h"

const char *
mc_dkim_wildcard_probe(struct mc_ctx *ctx)
{
	return mc_arena_printf(ctx->arena, "%s._domainkey.%s",
	    MC_DKIM_WILDCARD_PROBE, ctx->domain);
}

int
mc_dkim_wildcard_key(struct mc_ctx *ctx, const struct mc_dns_answer *ans,
    int *revoked)
{
	struct mc_dkim_key k;
	size_t i;

	*revoked = 0;
	if (ans->status != MC_DNS_OK)
		return 0;
	for (i = 0; i < ans->count; i++) {
		if (ans->rr[i].type != MC_RR_TXT ||
		    !mc_dkim_key_looks(ctx->arena, ans->rr[i].data,
		    ans->rr[i].len))
			continue;
		memset(&k, 0, sizeof(k));
		if (mc_dkim_key_parse(ctx->arena, ans->qname, ans->rr[i].data,
		    ans->rr[i].len, 0, &k) == -1)
			return -1;
		*revoked = k.revoked;
		mc_dkim_key_release(&k);
		return 1;
	}
	return 0;
}

/* Is the record "v=spf1 -all", case and runs of blanks aside? */
static int
spf_rejects_all(const char *s, size_t len)
{
	static const char want[] = "v=spf1 -all";
	size_t i = 0, w = 0;

	while (i < len && s[i] == ' ')
		i++;
	for (; i < len; i++) {
		if (s[i] == ' ' && (i + 1 == len || s[i + 1] == ' '))
			continue;
		if (w == sizeof(want) - 1 ||
		    tolower((unsigned char)s[i]) != want[w])
			return 0;
		w++;
	}
	return w == sizeof(want) - 1;
}

int
mc_domain_parked(struct mc_ctx *ctx)
{
	struct mc_dns_query q[3] = {
		{ .name = ctx->domain, .type = MC_RR_MX },
		{ .name = ctx->domain, .type = MC_RR_TXT },
		{ .name = NULL, .type = MC_RR_TXT },
	};
	const struct mc_dns_answer *mx, *txt;
	size_t i, nspf = 0, null_mx = 0, other_mx = 0, rejects = 0;
	int wild, revoked;

	q[2].name = mc_dkim_wildcard_probe(ctx);
	if (q[2].name == NULL)
		return -1;
	mc_dns_lookup_batch(ctx->dns, q, 3);
	mx = q[0].ans;
	txt = q[1].ans;
	if (mc_dns_failed(mx) || mc_dns_failed(txt) || mc_dns_failed(q[2].ans))
		return -1;
	for (i = 0; i < mx->count; i++) {
		if (mx->rr[i].type != MC_RR_MX)
			continue;
		if (mx->rr[i].data[0] == '\0')
			null_mx++;
		else
			other_mx++;
	}
	for (i = 0; i < txt->count; i++) {
		if (txt->rr[i].type != MC_RR_TXT ||
		    !mc_spf_is_record(txt->rr[i].data, txt->rr[i].len))
			continue;
		nspf++;
		rejects += spf_rejects_all(txt->rr[i].data, txt->rr[i].len);
	}
	wild = mc_dkim_wildcard_key(ctx, q[2].ans, &revoked);
	if (wild == -1)
		return -1;
	return null_mx > 0 && other_mx == 0 && nspf == 1 && rejects == 1 &&
	    wild == 1 && revoked;
}
