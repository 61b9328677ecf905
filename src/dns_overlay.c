/* SPDX-License-Identifier: ISC */
/*
 * src/dns_overlay.c - zone files over a resolver: a pre-deploy check that
 * still sees the names its zone points at
 *
 * The overlay composes the two other backends and adds no DNS of its own.
 * Every question goes to the zone backend first.  It answers the names at
 * or below the zones its files define (their SOA or $ORIGIN apex), and
 * the names the files hold, as the authority: an absent name there is a
 * real NXDOMAIN.  For any other name it fails with reason
 * MC_DNS_REASON_OUTSIDE, naming in cname the name a CNAME chain from the
 * files had reached; the overlay then asks the network backend for that
 * name (the question's own name when no chain) and hands its answer on
 * under the question's name.  Each answer says where it came from
 * (mc_dns_answer.source), and each is handed to the cache the moment it
 * is known: the zone's at once, the network's as they arrive.
 *
 * The network backend obeys the same rules as on its own: its servers are
 * --resolver's, else resolv.conf (MAILCHECK_RESOLV_CONF in tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_impl.h"
#include "banned.h"

struct overlay {
	void *zone;
	void *net;
};

/* A request of ours, standing for the cache's request orig. */
struct sub {
	struct mc_dns_request r;
	struct mc_dns_request *orig;
	struct mc_dns_answer *zans; /* the zone's answer */
};

static int
overlay_use(const struct mc_dns_config *cfg)
{
	return cfg->nzone_files > 0 && (cfg->nresolvers > 0 || cfg->overlay);
}

static void overlay_free(void *state);

static void *
overlay_open(const struct mc_dns_config *cfg, char *err, size_t errsize)
{
	struct overlay *o;

	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	o->zone = mc_dns_backend_zone.open(cfg, err, errsize);
	if (o->zone != NULL)
		o->net = mc_dns_backend_net.open(cfg, err, errsize);
	if (o->net == NULL) {
		overlay_free(o);
		return NULL;
	}
	return o;
}

/* The zone answered: keep its answer for the second step. */
static void
zone_done(struct mc_dns_request *req)
{
	struct sub *s = (struct sub *)(void *)req;

	s->zans = req->ans;
	req->ans = NULL;
}

/*
 * The network answered a name the zone left to it: the answer goes to the
 * cache under the question's name, with the chain from the files (if any)
 * in cname.  From any thread.
 */
static void
net_done(struct mc_dns_request *req)
{
	struct sub *s = (struct sub *)(void *)req;
	struct mc_dns_answer *a = req->ans;
	const char *via = s->zans->cname;
	char *q;

	req->ans = NULL;
	if (a != NULL) {
		a->source = MC_DNS_SOURCE_NETWORK;
		q = strdup(s->orig->name);
		if (q == NULL || (via != NULL && a->cname == NULL &&
		    mc_answer_set_cname(a, via) == -1)) {
			free(q);
			mc_answer_free(a);
			a = NULL;
		} else {
			free(a->qname);
			a->qname = q;
		}
	}
	s->orig->ans = a;
	mc_dns_request_done(s->orig);
}

static void
overlay_resolve(void *state, struct mc_dns_request *const *req, size_t n,
    double deadline)
{
	struct overlay *o = state;
	struct mc_dns_request **zr = NULL, **nr = NULL;
	struct sub *sub;
	size_t i, m = 0;

	sub = calloc(n, sizeof(*sub));
	zr = calloc(n, sizeof(*zr));
	nr = calloc(n, sizeof(*nr));
	if (sub == NULL || zr == NULL || nr == NULL) {
		for (i = 0; i < n; i++) {
			req[i]->ans = NULL;
			mc_dns_request_done(req[i]);
		}
		goto out;
	}
	for (i = 0; i < n; i++) {
		sub[i].orig = req[i];
		sub[i].r = (struct mc_dns_request){ .name = req[i]->name,
		    .type = req[i]->type, .done = zone_done };
		zr[i] = &sub[i].r;
	}
	mc_dns_backend_zone.resolve(o->zone, zr, n, deadline);
	for (i = 0; i < n; i++) {
		if (sub[i].zans == NULL ||
		    sub[i].zans->reason != MC_DNS_REASON_OUTSIDE) {
			req[i]->ans = sub[i].zans;
			sub[i].zans = NULL;
			mc_dns_request_done(req[i]);
			continue;
		}
		/* outside the files: the network, from where the chain is */
		sub[i].r = (struct mc_dns_request){
		    .name = sub[i].zans->cname != NULL ? sub[i].zans->cname :
		        req[i]->name,
		    .type = req[i]->type, .done = net_done };
		nr[m++] = &sub[i].r;
	}
	if (m > 0)
		mc_dns_backend_net.resolve(o->net, nr, m, deadline);
out:
	for (i = 0; sub != NULL && i < n; i++)
		mc_answer_free(sub[i].zans);
	free(sub);
	free(zr);
	free(nr);
}

static void
overlay_free(void *state)
{
	struct overlay *o = state;

	if (o == NULL)
		return;
	if (o->zone != NULL)
		mc_dns_backend_zone.free(o->zone);
	if (o->net != NULL)
		mc_dns_backend_net.free(o->net);
	free(o);
}

const struct mc_dns_backend mc_dns_backend_overlay = {
	.name = "overlay",
	.use = overlay_use,
	.open = overlay_open,
	.resolve = overlay_resolve,
	.free = overlay_free,
	.source = MC_DNS_SOURCE_NONE, /* each answer names its own */
};
