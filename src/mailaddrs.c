/* SPDX-License-Identifier: ISC */
/*
 * src/mailaddrs.c - the addresses of a domain's mail, for rdns and dnsbl
 *
 * Level 1 asks the domain's MX records; level 2 the A and AAAA records of
 * every MX host (or of the domain itself when it has no MX), all at once.
 * The --ip addresses are added as given.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mailcheck/limits.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/util.h"
#include "banned.h"

int
mc_mailaddr_sends(const struct mc_mailaddr *a)
{
	return (a->sources & (MC_MAILADDR_IP | MC_MAILADDR_SPF)) != 0;
}

int
mc_reverse_name(const unsigned char *addr, size_t len, const char *suffix,
    char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0, i;
	int n;

	if (len == 4) {
		n = snprintf(buf, size, "%u.%u.%u.%u.%s", addr[3], addr[2],
		    addr[1], addr[0], suffix);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	if (len != 16 || size < 64 + strlen(suffix) + 1)
		return -1;
	for (i = 16; i-- > 0;) {
		buf[used++] = hex[addr[i] & 0x0f];
		buf[used++] = '.';
		buf[used++] = hex[addr[i] >> 4];
		buf[used++] = '.';
	}
	memcpy(buf + used, suffix, strlen(suffix) + 1);
	return 0;
}

/* Add an address (or merge its source into an earlier one). */
static int
add_addr(struct mc_mailaddrs *out, const unsigned char *addr, size_t len,
    unsigned source, const char *mx_host, const char *spf_term)
{
	struct mc_mailaddr *a;
	size_t i;

	for (i = 0; i < out->naddrs; i++) {
		a = &out->addrs[i];
		if (a->len == len && memcmp(a->addr, addr, len) == 0) {
			a->sources |= source;
			if (a->mx_host == NULL)
				a->mx_host = mx_host;
			if (a->spf_term == NULL)
				a->spf_term = spf_term;
			return 0;
		}
	}
	if (out->naddrs == MC_MAILADDRS_MAX) {
		out->truncated = 1;
		return 0;
	}
	a = &out->addrs[out->naddrs++];
	memcpy(a->addr, addr, len);
	a->len = len;
	if (inet_ntop(len == 4 ? AF_INET : AF_INET6, addr, a->text,
	    sizeof(a->text)) == NULL)
		return -1;
	a->sources = source;
	a->mx_host = mx_host;
	a->spf_term = spf_term;
	a->public = mc_addr_classify(addr, len) == MC_ADDR_PUBLIC;
	return 0;
}

static int
add_failed(struct mc_ctx *ctx, struct mc_mailaddrs *out,
    const struct mc_dns_answer *ans)
{
	const struct mc_dns_answer **v;

	v = mc_arena_calloc(ctx->arena, out->nfailed + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	if (out->nfailed > 0)
		memcpy(v, out->failed, out->nfailed * sizeof(*v));
	v[out->nfailed++] = ans;
	out->failed = v;
	return 0;
}

/* The A or AAAA records of one answer, from host. */
static int
add_answer(struct mc_ctx *ctx, struct mc_mailaddrs *out,
    const struct mc_dns_answer *ans, unsigned source, const char *mx_host,
    const char *spf_term)
{
	size_t i;

	if (mc_dns_failed(ans))
		return add_failed(ctx, out, ans);
	for (i = 0; i < ans->count; i++) {
		if (ans->rr[i].type != MC_RR_A && ans->rr[i].type != MC_RR_AAAA)
			continue;
		if (add_addr(out, ans->rr[i].addr,
		    ans->rr[i].type == MC_RR_A ? 4 : 16, source, mx_host,
		    spf_term) == -1)
			return -1;
	}
	return 0;
}

static int
add_mx_host(struct mc_ctx *ctx, struct mc_mailaddrs *out, const char *name)
{
	size_t i;

	for (i = 0; i < out->nmx_hosts; i++)
		if (strcmp(out->mx_hosts[i], name) == 0)
			return 0;
	out->mx_hosts[out->nmx_hosts] = mc_arena_strdup(ctx->arena, name);
	if (out->mx_hosts[out->nmx_hosts] == NULL)
		return -1;
	out->nmx_hosts++;
	return 0;
}

int
mc_mailaddrs_collect(struct mc_ctx *ctx, struct mc_mailaddrs *out)
{
	const struct mc_dns_answer *mx;
	struct mc_dns_query *q = NULL;
	unsigned char buf[16];
	size_t i, n, nq = 0;

	memset(out, 0, sizeof(*out));
	out->addrs = mc_arena_calloc(ctx->arena, MC_MAILADDRS_MAX,
	    sizeof(*out->addrs));
	out->mx_hosts = mc_arena_calloc(ctx->arena, MC_MX_MAX_HOSTS + 1,
	    sizeof(*out->mx_hosts));
	if (out->addrs == NULL || out->mx_hosts == NULL)
		return -1;

	/* level 1 */
	mx = mc_dns_lookup(ctx->dns, ctx->domain, MC_RR_MX);

	/* level 2: the MX hosts' addresses, or the implicit MX */
	n = mx->status == MC_DNS_OK ? mx->count : 1;
	if (n > MC_MX_MAX_HOSTS)
		n = MC_MX_MAX_HOSTS;
	q = mc_arena_calloc(ctx->arena, 2 * n, sizeof(*q));
	if (q == NULL)
		return -1;
	switch (mx->status) {
	case MC_DNS_OK:
		for (i = 0; i < n; i++) {
			const char *host = mx->rr[i].data;

			/* a null MX, or an IP literal (mx reports it) */
			if (mx->rr[i].type != MC_RR_MX || *host == '\0' ||
			    mc_is_ip_literal(host))
				continue;
			if (add_mx_host(ctx, out, host) == -1)
				return -1;
		}
		for (i = 0; i < out->nmx_hosts; i++) {
			q[nq].name = out->mx_hosts[i];
			q[nq++].type = MC_RR_A;
			q[nq].name = out->mx_hosts[i];
			q[nq++].type = MC_RR_AAAA;
		}
		break;
	case MC_DNS_NODATA:
		q[nq].name = ctx->domain;
		q[nq++].type = MC_RR_A;
		q[nq].name = ctx->domain;
		q[nq++].type = MC_RR_AAAA;
		break;
	case MC_DNS_NXDOMAIN:
		break;
	case MC_DNS_TEMPFAIL:
	case MC_DNS_PERMFAIL:
		if (add_failed(ctx, out, mx) == -1)
			return -1;
		break;
	}
	mc_dns_lookup_batch(ctx->dns, q, nq);

	/* --ip first: the addresses the user named come first in reports */
	for (i = 0; ctx->opts != NULL && i < ctx->opts->nips; i++) {
		if (inet_pton(AF_INET, ctx->opts->ips[i], buf) == 1) {
			if (add_addr(out, buf, 4, MC_MAILADDR_IP, NULL, NULL) == -1)
				return -1;
		} else if (inet_pton(AF_INET6, ctx->opts->ips[i], buf) == 1) {
			if (add_addr(out, buf, 16, MC_MAILADDR_IP, NULL,
			    NULL) == -1)
				return -1;
		}
	}
	for (i = 0; i < nq; i++)
		if (add_answer(ctx, out, q[i].ans, MC_MAILADDR_MX,
		    mx->status == MC_DNS_OK ? q[i].name : ctx->domain,
		    NULL) == -1)
			return -1;
	return 0;
}

json_t *
mc_mailaddr_json(const struct mc_mailaddr *a)
{
	json_t *o, *src;

	src = json_array();
	if (a->sources & MC_MAILADDR_MX)
		json_array_append_new(src, json_string("mx"));
	if (a->sources & MC_MAILADDR_SPF)
		json_array_append_new(src, json_string("spf"));
	if (a->sources & MC_MAILADDR_IP)
		json_array_append_new(src, json_string("ip"));
	o = json_pack("{s:s, s:o, s:o, s:o, s:b}",
	    "address", a->text,
	    "sources", src,
	    "mx_host", a->mx_host != NULL ?
	    mc_json_dns_string(a->mx_host, strlen(a->mx_host)) : json_null(),
	    "spf_term", a->spf_term != NULL ?
	    mc_json_dns_string(a->spf_term, strlen(a->spf_term)) : json_null(),
	    "sends", mc_mailaddr_sends(a));
	return o;
}
