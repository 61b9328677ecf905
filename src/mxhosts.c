/* SPDX-License-Identifier: ISC */
/*
 * src/mxhosts.c - MX hosts, their addresses and TLSA records, two levels
 *
 * The smtp and dane checks both start here, and ask the same questions, so
 * the DNS cache answers the second one.  The MX check judges the records;
 * this file only selects: hosts sorted by preference, duplicates, the null
 * MX and IP literals left out (the MX check reports them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/limits.h"
#include "mailcheck/mxhosts.h"
#include "mailcheck/smtp.h"
#include "mailcheck/util.h"
#include "banned.h"

static int
cmp_host(const void *x, const void *y)
{
	const struct mc_mxhost *a = x, *b = y;

	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Pick the addresses to probe from the A and AAAA answers. */
static int
pick(struct mc_arena *ar, struct mc_mxhost *h, int all)
{
	const struct mc_dns_answer *both[2] = { h->a, h->aaaa };
	size_t k, i, n = 0, room;

	room = h->a->count + h->aaaa->count;
	h->addrs = mc_arena_calloc(ar, room + 1, sizeof(*h->addrs));
	if (h->addrs == NULL)
		return -1;
	for (k = 0; k < 2; k++)
		for (i = 0; i < both[k]->count; i++) {
			if (both[k]->rr[i].type != (k == 0 ? MC_RR_A :
			    MC_RR_AAAA))
				continue;
			h->addrs[n++] = both[k]->rr[i].data;
			if (!all)
				break;
		}
	h->naddrs = n;
	return 0;
}

int
mc_mxhosts_collect(struct mc_dns_session *dns, struct mc_arena *ar,
    const char *domain, int all, unsigned port, struct mc_mxhosts *out)
{
	struct mc_dns_query *q;
	const struct mc_rr *rr;
	size_t i, j, n = 0;

	memset(out, 0, sizeof(*out));
	out->mx = mc_dns_lookup(dns, domain, MC_RR_MX);
	if (out->mx->status == MC_DNS_TEMPFAIL ||
	    out->mx->status == MC_DNS_PERMFAIL ||
	    out->mx->status == MC_DNS_NXDOMAIN)
		return 0;
	out->h = mc_arena_calloc(ar, out->mx->count + 1, sizeof(*out->h));
	if (out->h == NULL)
		return -1;
	if (out->mx->count == 0) {
		out->implicit = 1;
		out->h[n++].name = domain;
	}
	for (i = 0; i < out->mx->count && n < MC_MX_MAX_HOSTS; i++) {
		rr = &out->mx->rr[i];
		if (rr->type != MC_RR_MX)
			continue;
		if (rr->data[0] == '\0') {
			out->null_mx = 1;
			continue;
		}
		if (mc_is_ip_literal(rr->data))
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(out->h[j].name, rr->data) == 0)
				break;
		if (j < n)
			continue;
		out->h[n].name = rr->data;
		out->h[n++].pref = rr->pref;
	}
	if (n > 0 && out->null_mx)
		out->null_mx = 0; /* mixed: the mx check reports it */
	qsort(out->h, n, sizeof(*out->h), cmp_host);
	out->n = n;
	if (n == 0)
		return 0;
	q = mc_arena_calloc(ar, 3 * n, sizeof(*q));
	if (q == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		q[3 * i] = (struct mc_dns_query){ .name = out->h[i].name,
		    .type = MC_RR_A };
		q[3 * i + 1] = (struct mc_dns_query){ .name = out->h[i].name,
		    .type = MC_RR_AAAA };
		q[3 * i + 2] = (struct mc_dns_query){ .name = mc_arena_printf(
		    ar, "_%u._tcp.%s", port, out->h[i].name),
		    .type = MC_RR_TLSA };
		if (q[3 * i + 2].name == NULL)
			return -1;
	}
	mc_dns_lookup_batch(dns, q, 3 * n);
	for (i = 0; i < n; i++) {
		out->h[i].a = q[3 * i].ans;
		out->h[i].aaaa = q[3 * i + 1].ans;
		out->h[i].tlsa = q[3 * i + 2].ans;
		if (pick(ar, &out->h[i], all) == -1)
			return -1;
	}
	return 0;
}

unsigned
mc_mxhosts_port(const struct mc_options *opts)
{
	return opts->smtp_port > 0 ? (unsigned)opts->smtp_port : MC_SMTP_PORT;
}

double
mc_mxhosts_probe_deadline(double run_deadline)
{
	double left;

	if (run_deadline <= 0)
		return 0;
	/* keep a tenth of what is left, at most half a second, for judging */
	left = run_deadline - mc_now();
	return run_deadline - (left > 5.0 ? 0.5 : left > 0 ? left / 10 : 0);
}

int
mc_mxhosts_smtp_setup(const struct mc_options *opts, void **state,
    char *err, size_t errsize)
{
	struct mc_smtp_config cfg = {
		.helo_name = opts->helo_name,
		.port = mc_mxhosts_port(opts),
		.connect_to = opts->connect_to,
		.nconnect_to = opts->nconnect_to,
		.offline = opts->offline,
	};

	*state = mc_smtp_shared_get(opts, &cfg, err, errsize);
	return *state != NULL ? 0 : -1;
}

void
mc_mxhosts_smtp_teardown(void *state)
{
	mc_smtp_shared_put(state);
}

int
mc_mxhosts_start(struct mc_ctx *ctx, struct mc_mxhosts *mx)
{
	if (ctx->state == NULL)
		return -1;
	ctx->result->data = json_object();
	if (ctx->result->data == NULL)
		return -1;
	if (mc_mxhosts_collect(ctx->dns, ctx->arena, ctx->domain,
	    ctx->opts->smtp_all_addresses, mc_mxhosts_port(ctx->opts), mx) == -1)
		return -1;
	if (!mc_dns_failed(mx->mx))
		return 0;
	return mc_finding_dns(ctx->result, mx->mx, "the MX records") == -1 ?
	    -1 : 1;
}
