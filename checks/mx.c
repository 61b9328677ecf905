/* SPDX-License-Identifier: ISC */
/*
 * checks/mx.c - can the domain receive mail? (RFC 5321 5.1, RFC 7505)
 *
 * MX records, or their absence (implicit MX: the domain's own address, or
 * a null MX: "accepts no mail"); each MX host's A and AAAA records, asked
 * all at once; targets that are CNAMEs, IP literals or missing; private,
 * loopback and reserved addresses; duplicates.  At most MC_MX_MAX_HOSTS
 * records are examined, the most preferred; more are reported as cut.  The data lists the hosts
 * with preferences and addresses for later checks (which ask the same
 * questions again and get them from the cache).
 */
#include <stdlib.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/limits.h"
#include "mailcheck/parked.h"
#include "mailcheck/util.h"
#include "banned.h"

struct host {
	uint16_t pref;
	const char *name;
	int duplicate;  /* the same name appeared earlier */
	int literal;    /* an IP address instead of a name */
	size_t q;       /* index of its A question in the batch */
	int usable;     /* has a public address */
	json_t *addrs;
	const char *cname;
};

static int
cmp_host(const void *a, const void *b)
{
	const struct host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Flag an address that does not belong on a public mail host. */
static int
check_address(struct mc_result *r, const char *host, const struct mc_rr *rr)
{
	enum mc_addr_class cls;

	cls = mc_addr_classify(rr->addr, rr->type == MC_RR_A ? 4 : 16);
	if (cls == MC_ADDR_PUBLIC)
		return 1;
	mc_finding_add(r, MC_F_MX_ADDRESS_PRIVATE, rr->data,
	    "MX host %s has a %s address: %s", host, mc_addr_class_str(cls),
	    rr->data);
	return 0;
}

/* Evaluate the A and AAAA answers of one host; returns -1 on failure. */
static int
host_addresses(struct mc_ctx *ctx, struct host *h,
    const struct mc_dns_answer *a, const struct mc_dns_answer *aaaa,
    json_t *seen)
{
	struct mc_result *r = ctx->result;
	const struct mc_dns_answer *both[2] = { a, aaaa };
	const struct mc_rr *rr;
	json_t *other;
	size_t i, k;
	int failed = 0;

	h->addrs = json_array();
	for (k = 0; k < 2; k++) {
		if (mc_dns_failed(both[k])) {
			mc_finding_dns(r, both[k], "the address of an MX host");
			failed = 1;
			continue;
		}
		if (both[k]->cname != NULL)
			h->cname = both[k]->cname;
		for (i = 0; i < both[k]->count; i++) {
			rr = &both[k]->rr[i];
			json_array_append_new(h->addrs, json_string(rr->data));
			if (check_address(r, h->name, rr))
				h->usable = 1;
			other = json_object_get(seen, rr->data);
			if (other != NULL && strcmp(json_string_value(other),
			    h->name) != 0)
				mc_finding_add(r, MC_F_MX_SHARED_ADDRESS, rr->data,
				    "MX hosts %s and %s share the address %s",
				    json_string_value(other), h->name, rr->data);
			else
				json_object_set_new(seen, rr->data,
				    json_string(h->name));
		}
	}
	if (h->cname != NULL)
		mc_finding_add(r, MC_F_MX_TARGET_CNAME, h->name,
		    "MX host %s is an alias (CNAME) of %s", h->name, h->cname);
	if (failed || json_array_size(h->addrs) > 0)
		return 0;
	if (a->status == MC_DNS_NXDOMAIN)
		mc_finding_add(r, MC_F_MX_TARGET_NXDOMAIN, h->name,
		    "MX host %s does not exist (NXDOMAIN)", h->name);
	else
		mc_finding_add(r, MC_F_MX_TARGET_NO_ADDRESS, h->name,
		    "MX host %s has no A or AAAA record", h->name);
	return 0;
}

/*
 * A host without an address loses no mail while another MX host receives
 * it (senders try the next): its findings are warnings then.  They were
 * added host by host, before the count of usable hosts was known.
 */
static void
backups_receive(struct mc_result *r)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if ((r->findings[i].id == MC_F_MX_TARGET_NXDOMAIN ||
		    r->findings[i].id == MC_F_MX_TARGET_NO_ADDRESS) &&
		    r->findings[i].severity == MC_CRIT)
			r->findings[i].severity = MC_WARN;
}

static json_t *
host_json(const struct host *h)
{
	return mc_json_object_of(
	    "preference", json_integer((json_int_t)h->pref),
	    "host", json_string(h->name),
	    "cname", h->cname != NULL ? json_string(h->cname) : json_null(),
	    "addresses", h->addrs != NULL ? json_incref(h->addrs) : json_array(),
	    NULL);
}

static int
explicit_mx(struct mc_ctx *ctx, const struct mc_dns_answer *mx, json_t *data)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query *q;
	struct host *h;
	json_t *hosts, *seen;
	size_t i, j, n, nq = 0, nnull = 0, usable = 0, naddr = 0;

	/* the MC_MX_MAX_HOSTS most preferred hosts, the ones senders try */
	n = mx->count < MC_MX_MAX_HOSTS ? mx->count : MC_MX_MAX_HOSTS;
	h = mc_arena_calloc(ctx->arena, mx->count, sizeof(*h));
	q = mc_arena_calloc(ctx->arena, 2 * n, sizeof(*q));
	if (h == NULL || q == NULL)
		return -1;
	for (i = 0; i < mx->count; i++) {
		h[i].pref = mx->rr[i].pref;
		h[i].name = mx->rr[i].data;
	}
	qsort(h, mx->count, sizeof(*h), cmp_host);
	json_object_set_new(data, "hosts_cut",
	    json_integer((json_int_t)(mx->count - n)));
	if (mx->count > n)
		mc_finding_add(r, MC_F_MX_HOSTS_CUT, ctx->domain, "%s has %zu MX "
		    "records; only the %zu most preferred were examined",
		    ctx->domain, mx->count, n);

	for (i = 0; i < n; i++) {
		if (*h[i].name == '\0') {
			nnull++;
			if (h[i].pref != 0)
				mc_finding_add(r, MC_F_MX_NULL_PREFERENCE,
				    ctx->domain, "null MX of %s has preference "
				    "%u, not 0", ctx->domain, h[i].pref);
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(h[j].name, h[i].name) == 0)
				break;
		if (j < i) {
			h[i].duplicate = 1;
			mc_finding_add(r, MC_F_MX_DUPLICATE, h[i].name,
			    "MX host %s is listed more than once", h[i].name);
			continue;
		}
		if (mc_is_ip_literal(h[i].name)) {
			h[i].literal = 1;
			mc_finding_add(r, MC_F_MX_TARGET_IP, h[i].name,
			    "MX record of %s names an IP address (%s), not a host",
			    ctx->domain, h[i].name);
			continue;
		}
		h[i].q = nq;
		q[nq].name = h[i].name;
		q[nq++].type = MC_RR_A;
		q[nq].name = h[i].name;
		q[nq++].type = MC_RR_AAAA;
	}
	json_object_set_new(data, "null_mx", json_boolean(nnull > 0));
	if (nnull > 0) {
		if (nnull == mx->count) {
			mc_finding_add(r, MC_F_MX_NULL, ctx->domain,
			    "%s publishes a null MX: it accepts no mail",
			    ctx->domain);
			mc_result_summary(r, "null MX: accepts no mail");
			if (mc_domain_parked(ctx) == 1) {
				mc_finding_add(r, MC_F_MX_PARKED, ctx->domain,
				    "%s is parked and locked down: a null MX, "
				    "'v=spf1 -all' and a revoked key for every "
				    "DKIM selector (*._domainkey): it receives "
				    "no mail, and no mail in its name passes SPF "
				    "or DKIM", ctx->domain);
				mc_result_summary(r, "null MX: a parked domain, "
				    "locked down");
			}
		} else
			mc_finding_add(r, MC_F_MX_NULL_MIXED, ctx->domain,
			    "%s publishes a null MX beside %zu other MX "
			    "record(s)", ctx->domain, mx->count - nnull);
	}

	mc_dns_lookup_batch(ctx->dns, q, nq);

	seen = json_object();
	hosts = json_array();
	for (i = 0; i < n; i++) {
		if (*h[i].name == '\0' || h[i].duplicate)
			continue;
		if (!h[i].literal &&
		    host_addresses(ctx, &h[i], q[h[i].q].ans, q[h[i].q + 1].ans,
		    seen) == -1) {
			json_decref(seen);
			json_decref(hosts);
			return -1;
		}
		if (h[i].usable)
			usable++;
		naddr += json_array_size(h[i].addrs);
		json_array_append_new(hosts, host_json(&h[i]));
		json_decref(h[i].addrs);
		h[i].addrs = NULL;
	}
	json_decref(seen);
	json_object_set_new(data, "hosts", hosts);
	mc_metric_set(r, "hosts", (double)json_array_size(hosts));
	mc_metric_set(r, "addresses", (double)naddr);

	if (usable > 0)
		backups_receive(r);
	if (json_array_size(hosts) > 0 && usable == 0 &&
	    mc_result_worst(r) != MC_UNKNOWN) {
		mc_finding_add(r, MC_F_MX_UNREACHABLE, ctx->domain,
		    "none of the %zu MX host(s) of %s has a usable address",
		    json_array_size(hosts), ctx->domain);
		mc_finding_brief(r, "no usable MX");
	}
	if (nnull == 0 && json_array_size(hosts) > 0) {
		json_t *first = json_array_get(hosts, 0);
		json_t *addrs = json_object_get(first, "addresses");

		mc_result_summary(r, "%zu host%s; first %s (%s%s)",
		    json_array_size(hosts), json_array_size(hosts) == 1 ? "" : "s",
		    json_string_value(json_object_get(first, "host")),
		    json_array_size(addrs) > 0 ?
		    json_string_value(json_array_get(addrs, 0)) : "no address",
		    json_array_size(addrs) > 1 ? ", ..." : "");
	}
	return 0;
}

/* No MX records: mail goes to the domain's own address (RFC 5321 5.1). */
static int
implicit_mx(struct mc_ctx *ctx, json_t *data)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query q[2] = {
		{ .name = ctx->domain, .type = MC_RR_A },
		{ .name = ctx->domain, .type = MC_RR_AAAA },
	};
	struct host h = { .name = ctx->domain };
	json_t *seen, *hosts;

	mc_dns_lookup_batch(ctx->dns, q, 2);
	json_object_set_new(data, "implicit", json_true());
	json_object_set_new(data, "null_mx", json_false());
	if (mc_dns_failed(q[0].ans) || mc_dns_failed(q[1].ans)) {
		if (mc_dns_failed(q[0].ans))
			mc_finding_dns(r, q[0].ans, "the address");
		if (mc_dns_failed(q[1].ans))
			mc_finding_dns(r, q[1].ans, "the address");
		return 0;
	}
	if (q[0].ans->count == 0 && q[1].ans->count == 0) {
		mc_finding_add(r, MC_F_MX_NONE, ctx->domain,
		    "%s has no MX record and no address: it cannot receive mail",
		    ctx->domain);
		json_object_set_new(data, "hosts", json_array());
		return 0;
	}
	seen = json_object();
	host_addresses(ctx, &h, q[0].ans, q[1].ans, seen);
	json_decref(seen);
	mc_finding_add(r, MC_F_MX_IMPLICIT, ctx->domain,
	    "%s has no MX record; senders deliver to its address instead "
	    "(implicit MX)", ctx->domain);
	mc_finding_hint(r, "publish '%s. MX 10 %s.' (or the name of the mail "
	    "host)", ctx->domain, ctx->domain);
	hosts = json_array();
	json_array_append_new(hosts, host_json(&h));
	json_object_set_new(data, "hosts", hosts);
	mc_metric_set(r, "hosts", 1);
	mc_metric_set(r, "addresses", (double)json_array_size(h.addrs));
	json_decref(h.addrs);
	if (!h.usable)
		mc_finding_add(r, MC_F_MX_UNREACHABLE, ctx->domain,
		    "%s has no MX record and no usable address", ctx->domain);
	return 0;
}

static int
mx_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	const struct mc_dns_answer *mx;
	json_t *data;
	int rc = 0;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	json_object_set_new(data, "implicit", json_false());
	mx = mc_dns_lookup(ctx->dns, ctx->domain, MC_RR_MX);
	switch (mx->status) {
	case MC_DNS_TEMPFAIL:
	case MC_DNS_PERMFAIL:
		mc_finding_dns(r, mx, "the MX records");
		break;
	case MC_DNS_NXDOMAIN:
		mc_finding_add(r, MC_F_MX_DOMAIN_NXDOMAIN, ctx->domain,
		    "%s does not exist (NXDOMAIN)", ctx->domain);
		break;
	case MC_DNS_NODATA:
		rc = implicit_mx(ctx, data);
		break;
	case MC_DNS_OK:
		rc = explicit_mx(ctx, mx, data);
		break;
	}
	return rc;
}

static const char *const mx_metrics[] = {
	"hosts", "addresses", NULL
};

const struct mc_check mc_check_mx = {
	.name = "mx",
	.summary = "MX records, their hosts and addresses",
	.rfc = "RFC 5321 5.1, RFC 7505",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.run = mx_run,
	.metrics = mx_metrics,
};
