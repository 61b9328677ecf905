/* SPDX-License-Identifier: ISC */
/*
 * src/mailaddrs.c - the addresses of a domain's mail, for rdns and dnsbl
 *
 * Level 1 asks the domain's MX and TXT (SPF) records at once; level 2 the
 * A and AAAA records of every MX host (or of the domain itself when it has
 * no MX) and of the names its SPF record's "a" terms give, all at once.
 * The --ip addresses are added as given, SPF ip4/ip6 terms as written.
 * The list is bounded (MC_MAILADDRS_MAX) and filled by priority: the MX
 * hosts' addresses, then --ip, then SPF; what did not fit is counted, and
 * the checks report it (mc_mailaddrs_report_cut()).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/dns_batch.h"
#include "mailcheck/limits.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/spf.h"
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
		out->ncut++;
		out->cut_sources |= source;
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

/* A level-2 question and what its addresses are. */
struct l2q {
	struct mc_dns_query q;
	unsigned src;
	const char *host;    /* MX host (or the domain, implicit MX) */
	const char *term;    /* SPF term */
};

struct level2 {
	struct l2q *v;
	size_t n, max;
};

static void
ask(struct level2 *l, const char *name, unsigned src, const char *host,
    const char *term)
{
	size_t i, k;
	uint16_t types[2] = { MC_RR_A, MC_RR_AAAA };
	struct l2q *e;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < l->n; i++)
			if (l->v[i].q.type == types[k] &&
			    strcmp(l->v[i].q.name, name) == 0)
				break;
		if (i == l->n) {
			if (l->n == l->max)
				return;
			l->v[i].q.name = name;
			l->v[i].q.type = types[k];
			l->n++;
		}
		e = &l->v[i];
		e->src |= src;
		if (e->host == NULL)
			e->host = host;
		if (e->term == NULL)
			e->term = term;
	}
}

/* 2: name is the domain itself; 1: a name under it; 0: neither. */
static int
own_name(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == d)
		return strncasecmp(name, domain, d) == 0 ? 2 : 0;
	return n > d && name[n - d - 1] == '.' &&
	    strncasecmp(name + n - d, domain, d) == 0;
}

/* Addresses of a small ip4/ip6 range; ranges wider than /28, /124 skipped. */
static int
add_range(struct mc_mailaddrs *out, const struct mc_spf_term *t)
{
	unsigned char a[16];
	size_t len = t->kind == MC_SPF_IP4 ? 4 : 16;
	int prefix = t->kind == MC_SPF_IP4 ? t->cidr4 : t->cidr6;
	int bits = (int)len * 8;
	unsigned i, count;

	if (prefix < 0)
		prefix = bits;
	if (bits - prefix > 4) {
		out->spf_skipped++;
		return 0;
	}
	count = 1u << (bits - prefix);
	memcpy(a, t->ip, len);
	a[len - 1] &= (unsigned char)(0xff << (bits - prefix));
	for (i = 0; i < count; i++) {
		if (add_addr(out, a, len, MC_MAILADDR_SPF, NULL, t->text) == -1)
			return -1;
		a[len - 1]++;
	}
	return 0;
}

/*
 * The addresses the domain's own SPF record names directly, in two passes.
 * Names (ranges 0): a and mx of the domain (or names under it) become
 * level-2 questions, and *mx_term is set when the record has "mx" of the
 * domain.  Ranges (ranges 1): ip4/ip6 hosts and ranges up to /28 and
 * /124 are added.  include, redirect, exists, ptr and macros are not
 * followed.
 */
static int
spf_terms(struct mc_ctx *ctx, struct mc_mailaddrs *out,
    const struct mc_spf_record *rec, int ranges, struct level2 *l2,
    const char **mx_term)
{
	const struct mc_spf_term *t;
	const char *name;
	size_t i;

	for (i = 0; i < rec->nterms; i++) {
		t = &rec->terms[i];
		/* check_host() never reads past the first "all" (RFC 7208
		   5.1), whatever its qualifier */
		if (t->kind == MC_SPF_ALL)
			break;
		if (t->qualifier != MC_SPF_PASS)
			continue;
		if (t->kind == MC_SPF_IP4 || t->kind == MC_SPF_IP6) {
			if (ranges && add_range(out, t) == -1)
				return -1;
			continue;
		}
		if (ranges || (t->kind != MC_SPF_A && t->kind != MC_SPF_MX))
			continue;
		name = t->domain != NULL ? t->domain : ctx->domain;
		if (t->has_macros || !own_name(name, ctx->domain)) {
			out->spf_skipped++;
			continue;
		}
		if (t->kind == MC_SPF_MX) {
			/* the MX of a name under the domain: not asked */
			if (own_name(name, ctx->domain) == 2)
				*mx_term = t->text;
			else
				out->spf_skipped++;
			continue;
		}
		name = mc_arena_strdup(ctx->arena, name);
		if (name == NULL)
			return -1;
		ask(l2, name, MC_MAILADDR_SPF, NULL, t->text);
	}
	return 0;
}

/* The domain's own SPF record, parsed: 1, or 0 when it has none. */
static int
spf_record(struct mc_ctx *ctx, struct mc_mailaddrs *out,
    const struct mc_dns_answer *txt, struct mc_spf_record *rec)
{
	struct mc_spf_error err;
	size_t idx = 0;

	if (mc_dns_failed(txt))
		return add_failed(ctx, out, txt) == -1 ? -1 : 0;
	if (txt->status != MC_DNS_OK || mc_spf_select(txt, &idx) != 1)
		return 0;
	if (mc_spf_parse(ctx->arena, txt->rr[idx].data, txt->rr[idx].len, rec,
	    &err) == -1)
		return 0; /* the spf check reports it */
	out->spf = 1;
	return 1;
}

static int
cmp_pref(const void *a, const void *b)
{
	const struct mc_rr *x = *(const struct mc_rr *const *)a;
	const struct mc_rr *y = *(const struct mc_rr *const *)b;

	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

/*
 * The MX host names, most preferred first, at most MC_MX_MAX_HOSTS (the
 * rest counted in out->mx_hosts_cut); null MX and IP literals (which mx
 * reports) left out.
 */
static int
mx_hosts(struct mc_ctx *ctx, struct mc_mailaddrs *out,
    const struct mc_dns_answer *mx)
{
	const struct mc_rr **v;
	const char *host;
	size_t i, k;

	v = mc_arena_calloc(ctx->arena, mx->count + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = 0; i < mx->count; i++)
		v[i] = &mx->rr[i];
	qsort(v, mx->count, sizeof(*v), cmp_pref);
	for (i = 0; i < mx->count; i++) {
		host = v[i]->data;
		if (v[i]->type != MC_RR_MX || *host == '\0' ||
		    mc_is_ip_literal(host))
			continue;
		for (k = 0; k < out->nmx_hosts; k++)
			if (strcmp(out->mx_hosts[k], host) == 0)
				break;
		if (k < out->nmx_hosts)
			continue;
		if (out->nmx_hosts == MC_MX_MAX_HOSTS) {
			out->mx_hosts_cut++;
			continue;
		}
		out->mx_hosts[out->nmx_hosts] = mc_arena_strdup(ctx->arena,
		    host);
		if (out->mx_hosts[out->nmx_hosts++] == NULL)
			return -1;
	}
	return 0;
}

/* The --ip addresses. */
static int
add_ips(struct mc_ctx *ctx, struct mc_mailaddrs *out)
{
	unsigned char buf[16];
	size_t i;
	int v6;

	for (i = 0; ctx->opts != NULL && i < ctx->opts->nips; i++) {
		v6 = inet_pton(AF_INET, ctx->opts->ips[i], buf) != 1;
		if (v6 && inet_pton(AF_INET6, ctx->opts->ips[i], buf) != 1)
			continue;
		if (add_addr(out, buf, v6 ? 16 : 4, MC_MAILADDR_IP, NULL,
		    NULL) == -1)
			return -1;
	}
	return 0;
}

/* The answers of level 2 whose source is (mx 1) or is not (mx 0) an MX. */
static int
add_level2(struct mc_ctx *ctx, struct mc_mailaddrs *out,
    const struct level2 *l2, int mx)
{
	const struct l2q *e;
	size_t i;

	for (i = 0; i < l2->n; i++) {
		e = &l2->v[i];
		if (((e->src & MC_MAILADDR_MX) != 0) != mx)
			continue;
		if (add_answer(ctx, out, e->q.ans, e->src, e->host,
		    e->term) == -1)
			return -1;
	}
	return 0;
}

/*
 * The budget of MC_MAILADDRS_MAX addresses is filled in order: the MX
 * hosts' addresses (most preferred host first), then --ip, then the SPF
 * record's ranges and its a terms' addresses, so that a long SPF record
 * never hides the mail servers themselves.
 */
int
mc_mailaddrs_collect(struct mc_ctx *ctx, struct mc_mailaddrs *out)
{
	struct mc_dns_query l1[2] = {
		{ .name = ctx->domain, .type = MC_RR_MX },
		{ .name = ctx->domain, .type = MC_RR_TXT },
	};
	const struct mc_dns_answer *mx;
	const char *mx_term = NULL;
	struct mc_spf_record rec;
	struct mc_dns_batch b;
	struct level2 l2 = { 0 };
	size_t i;
	int spf;

	memset(out, 0, sizeof(*out));
	out->addrs = mc_arena_calloc(ctx->arena, MC_MAILADDRS_MAX,
	    sizeof(*out->addrs));
	out->mx_hosts = mc_arena_calloc(ctx->arena, MC_MX_MAX_HOSTS + 1,
	    sizeof(*out->mx_hosts));
	if (out->addrs == NULL || out->mx_hosts == NULL)
		return -1;

	/* level 1: the MX records and the SPF record, at once */
	mc_dns_lookup_batch(ctx->dns, l1, 2);
	mx = l1[0].ans;
	if (mx->status == MC_DNS_OK && mx_hosts(ctx, out, mx) == -1)
		return -1;

	/* level 2: the MX hosts' addresses (or the implicit MX), and SPF */
	l2.max = 2 * (out->nmx_hosts + MC_SPF_MAX_LOOKUPS + 1);
	l2.v = mc_arena_calloc(ctx->arena, l2.max, sizeof(*l2.v));
	if (l2.v == NULL)
		return -1;
	spf = spf_record(ctx, out, l1[1].ans, &rec);
	if (spf == -1 || (spf && spf_terms(ctx, out, &rec, 0, &l2,
	    &mx_term) == -1))
		return -1;
	switch (mx->status) {
	case MC_DNS_OK:
		for (i = 0; i < out->nmx_hosts; i++)
			ask(&l2, out->mx_hosts[i], MC_MAILADDR_MX |
			    (mx_term != NULL ? MC_MAILADDR_SPF : 0),
			    out->mx_hosts[i], mx_term);
		break;
	case MC_DNS_NODATA:
		/* implicit MX; SPF "mx" matches nothing here (RFC 7208 5.4) */
		ask(&l2, ctx->domain, MC_MAILADDR_MX, ctx->domain, NULL);
		break;
	case MC_DNS_NXDOMAIN:
		break;
	case MC_DNS_TEMPFAIL:
	case MC_DNS_PERMFAIL:
		if (add_failed(ctx, out, mx) == -1)
			return -1;
		break;
	}
	mc_dns_batch_init(&b, ctx);
	for (i = 0; i < l2.n; i++)
		mc_dns_batch_add(&b, &l2.v[i].q, l2.v[i].q.name, l2.v[i].q.type);
	if (mc_dns_batch_run(&b) == -1)
		return -1;

	/* the budget, in order: MX, --ip, SPF */
	if (add_level2(ctx, out, &l2, 1) == -1 || add_ips(ctx, out) == -1 ||
	    (spf && spf_terms(ctx, out, &rec, 1, NULL, NULL) == -1) ||
	    add_level2(ctx, out, &l2, 0) == -1)
		return -1;
	return 0;
}

int
mc_mailaddrs_report_cut(const struct mc_mailaddrs *ma, struct mc_result *r,
    enum mc_finding_id id, const char *domain)
{
	char from[64] = "";

	if (ma->mx_hosts_cut > 0 && mc_finding_add(r, id, domain, "%s has "
	    "%zu MX hosts beyond the first %d, whose addresses were not "
	    "looked up", domain, ma->mx_hosts_cut, MC_MX_MAX_HOSTS) == -1)
		return -1;
	if (ma->ncut == 0)
		return 0;
	snprintf(from, sizeof(from), "%s%s%s%s%s",
	    ma->cut_sources & MC_MAILADDR_MX ? "MX hosts" : "",
	    ma->cut_sources & MC_MAILADDR_MX &&
	    ma->cut_sources & ~MC_MAILADDR_MX ? ", " : "",
	    ma->cut_sources & MC_MAILADDR_IP ? "--ip" : "",
	    ma->cut_sources & MC_MAILADDR_IP &&
	    ma->cut_sources & MC_MAILADDR_SPF ? ", " : "",
	    ma->cut_sources & MC_MAILADDR_SPF ? "the SPF record" : "");
	return mc_finding_add(r, id, domain, "only the first %d addresses of "
	    "%s's mail were examined: %zu more (from %s) were not",
	    MC_MAILADDRS_MAX, domain, ma->ncut, from);
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
	o = mc_json_object_of(
	    "address", json_string(a->text),
	    "sources", src,
	    "mx_host", a->mx_host != NULL ?
	    mc_json_shown(a->mx_host) : json_null(),
	    "spf_term", a->spf_term != NULL ?
	    mc_json_dns_string(a->spf_term, strlen(a->spf_term)) : json_null(),
	    "sends", json_boolean(mc_mailaddr_sends(a)), NULL);
	return o;
}
