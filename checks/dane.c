/* SPDX-License-Identifier: ISC */
/*
 * checks/dane.c - do the MX hosts' TLSA records match their certificates?
 * (RFC 7672, RFC 7671, RFC 6698)
 *
 * TLSA records at _25._tcp.<mx-host>, asked together with the hosts'
 * addresses (src/mxhosts.c), are parsed and judged record by record
 * (usages, selectors, matching types; PKIX usages are unusable for SMTP,
 * RFC 7672 3.1.3), then matched against the chain the smtp check's probe
 * saw: the same probe, from the run's shared SMTP client, never a second
 * connection.  A host whose usable records match nothing is critical:
 * DANE senders do not deliver to it.  DANE-TA matches also need the MX
 * host name in the certificate (RFC 7672 3.2.2); DANE-EE matches ignore
 * names and dates (RFC 7672 3.1.1).
 *
 * Senders ignore TLSA records that are not DNSSEC-secure (RFC 7672 2.2).
 * The DNSSEC state comes from the validator, mc_dnssec_answer_state(),
 * with the trust anchor this check loads in its setup (--trust-anchor, or
 * the root's): records that are insecure or bogus draw dane.tlsa-insecure
 * and are not graded as working; when no state could be reached (a failed
 * lookup), dane.dnssec-unverified says so and the records are matched as
 * if they were secure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/dnssec_state.h"
#include "mailcheck/mxhosts.h"
#include "mailcheck/smtp.h"
#include "mailcheck/tlsa.h"
#include "mailcheck/x509_check.h"
#include "banned.h"

/* What setup() makes: the shared SMTP client and the trust anchor. */
struct dane_state {
	void *smtp;
	struct mc_dnssec_anchor *ta;
};

struct hostrecs {
	struct mc_tlsa *t;  /* usable DANE-TA and DANE-EE records */
	size_t n;
	int published;      /* has TLSA records at all */
};

/* Parse and judge the records of one host. */
static int
judge_records(struct mc_ctx *ctx, const struct mc_mxhost *h,
    struct hostrecs *hr, json_t *out)
{
	struct mc_result *r = ctx->result;
	const struct mc_rr *rr;
	struct mc_tlsa t;
	enum mc_tlsa_status st;
	char err[160];
	size_t i;

	hr->t = mc_arena_calloc(ctx->arena, h->tlsa->count + 1, sizeof(*hr->t));
	if (hr->t == NULL)
		return -1;
	for (i = 0; i < h->tlsa->count; i++) {
		rr = &h->tlsa->rr[i];
		if (rr->type != MC_RR_TLSA)
			continue;
		hr->published = 1;
		st = mc_tlsa_parse(ctx->arena, rr->data, rr->len, &t, err,
		    sizeof(err));
		json_array_append_new(out, mc_json_dns_string(rr->data,
		    rr->len > 200 ? 200 : rr->len));
		switch (st) {
		case MC_TLSA_MALFORMED:
			mc_finding_add(r, MC_F_DANE_TLSA_MALFORMED, h->tlsa->qname,
			    "TLSA record of %s cannot be parsed: %s", h->name,
			    err);
			continue;
		case MC_TLSA_BAD_LENGTH:
			mc_finding_add(r, MC_F_DANE_TLSA_MALFORMED, h->tlsa->qname,
			    "TLSA record %u %u %u of %s has %zu bytes of data, "
			    "not the %d its matching type gives", t.usage,
			    t.selector, t.mtype, h->name, t.len,
			    t.mtype == MC_TLSA_SHA256 ? 32 : 64);
			continue;
		case MC_TLSA_UNKNOWN_USAGE:
		case MC_TLSA_UNKNOWN_SELECTOR:
		case MC_TLSA_UNKNOWN_MTYPE:
			mc_finding_add(r, MC_F_DANE_UNKNOWN_PARAMETER,
			    h->tlsa->qname, "TLSA record %u %u %u of %s has an "
			    "unknown %s: senders skip it", t.usage, t.selector,
			    t.mtype, h->name, st == MC_TLSA_UNKNOWN_USAGE ?
			    "certificate usage" : st == MC_TLSA_UNKNOWN_SELECTOR ?
			    "selector" : "matching type");
			continue;
		case MC_TLSA_OK:
			break;
		}
		if (t.usage == MC_TLSA_PKIX_TA || t.usage == MC_TLSA_PKIX_EE) {
			mc_finding_add(r, MC_F_DANE_PKIX_USAGE, h->tlsa->qname,
			    "TLSA record %u %u %u of %s uses %s, which SMTP "
			    "senders treat as unusable", t.usage, t.selector,
			    t.mtype, h->name, mc_tlsa_usage_str(t.usage));
			continue;
		}
		hr->t[hr->n++] = t;
	}
	if (hr->n == 1)
		mc_finding_add(r, MC_F_DANE_SINGLE_RECORD, h->tlsa->qname,
		    "%s has one usable TLSA record: a key or certificate change "
		    "leaves it unmatched until the new record is published and "
		    "cached", h->name);
	return 0;
}

/* Match one probe; returns 1 matched, 0 not, -1 no verdict. */
static int
match_probe(struct mc_ctx *ctx, const struct mc_mxhost *h,
    const struct hostrecs *hr, const struct mc_smtp_probe *p, json_t *o)
{
	struct mc_result *r = ctx->result;
	struct mc_cert_info ci;
	const char *subj;
	char err[128];
	size_t i;
	int depth, named = -1;

	subj = mc_arena_printf(ctx->arena, "%s [%s]", h->name, p->addr);
	if (subj == NULL)
		return -1;
	switch (p->result) {
	case MC_SMTP_TLS_OK:
		break;
	case MC_SMTP_SKIPPED:
		mc_finding_add(r, MC_F_DANE_SKIPPED_OFFLINE, subj, "TLSA "
		    "records of %s not matched: the host was not probed (%s)",
		    subj, p->why != NULL ? p->why : "offline");
		return -1;
	case MC_SMTP_NO_STARTTLS:
	case MC_SMTP_STARTTLS_REJECTED:
	case MC_SMTP_TLS_FAILED:
		mc_finding_add(r, MC_F_DANE_NO_TLS, subj, "%s publishes TLSA "
		    "records but has no working STARTTLS (%s): DANE senders "
		    "do not deliver to it", subj,
		    mc_smtp_result_str(p->result));
		return 0;
	default:
		mc_finding_add(r, MC_F_DANE_NOT_MATCHED, subj, "TLSA records of "
		    "%s not matched: the probe ended with %s during the %s",
		    subj, mc_smtp_result_str(p->result),
		    mc_smtp_stage_str(p->stage));
		return -1;
	}
	for (i = 0; i < hr->n; i++) {
		depth = mc_tlsa_match(&hr->t[i],
		    (const unsigned char *const *)p->chain, p->chainlen,
		    p->nchain);
		if (depth < 0)
			continue;
		if (hr->t[i].usage == MC_TLSA_DANE_TA) {
			/* RFC 7672 3.2.2: the name must match as well */
			if (named < 0)
				named = p->nchain > 0 && mc_cert_parse(
				    ctx->arena, p->chain[0], p->chainlen[0],
				    &ci, err, sizeof(err)) == 0 &&
				    mc_cert_matches_host(&ci, h->name);
			if (!named)
				continue;
		}
		json_object_set_new(o, "matched", json_pack("{s:i, s:i, s:i, "
		    "s:i}", "usage", (int)hr->t[i].usage, "selector",
		    (int)hr->t[i].selector, "mtype", (int)hr->t[i].mtype,
		    "depth", depth));
		return 1;
	}
	mc_finding_add(r, MC_F_DANE_MISMATCH, subj, "no TLSA record of %s "
	    "matches the certificate chain %s presents%s: DANE senders do "
	    "not deliver to it", h->name, subj, named == 0 ? " (a DANE-TA "
	    "record matches an issuer, but the certificate does not name the "
	    "host)" : "");
	mc_finding_brief(r, "%s TLSA mismatch", h->name);
	mc_finding_metric(r, "tlsa_mismatch");
	return 0;
}

/* What grading the MX hosts' TLSA records found. */
struct tally {
	size_t with, without, failed; /* hosts with records, without, whose
	                                 TLSA question failed */
	size_t naddrs;                /* addresses of the hosts to probe */
};

/*
 * Grade each MX host's TLSA records and their DNSSEC status into hr[] and
 * the "hosts" array; counts in *t.  0 or -1.
 */
static int
grade_hosts(struct mc_ctx *ctx, const struct mc_mxhosts *mx,
    struct hostrecs *hr, json_t *hosts, struct tally *t)
{
	struct mc_result *r = ctx->result;
	const struct dane_state *st = ctx->state;
	struct mc_dnssec_cache *cache;
	struct mc_dnssec_result why;
	enum mc_dnssec_state ds;
	json_t *ho;
	size_t i;
	int rc = -1;

	cache = mc_dnssec_cache_new(); /* NULL: walks without */
	for (i = 0; i < mx->n; i++) {
		ho = json_pack("{s:s, s:s, s:[], s:[]}", "host", mx->h[i].name,
		    "tlsa_status", mc_dns_status_str(mx->h[i].tlsa->status),
		    "tlsa", "addresses");
		json_array_append_new(hosts, ho);
		if (mc_dns_failed(mx->h[i].tlsa)) {
			mc_finding_dns(r, mx->h[i].tlsa, "the TLSA records");
			t->failed++;
			continue;
		}
		if (judge_records(ctx, &mx->h[i], &hr[i],
		    json_object_get(ho, "tlsa")) == -1)
			goto out;
		if (!hr[i].published) {
			t->without++;
			continue;
		}
		t->with++;
		ds = mc_dnssec_answer_state(st->ta, ctx->dns, cache,
		    mx->h[i].tlsa, &why);
		json_object_set_new(ho, "dnssec", json_string(
		    mc_dnssec_state_str(ds)));
		if (ds == MC_DNSSEC_INDETERMINATE)
			mc_finding_add(r, MC_F_DANE_DNSSEC_UNVERIFIED,
			    mx->h[i].tlsa->qname, "DNSSEC status of the TLSA "
			    "records of %s not verified: senders use them only "
			    "if they validate", mx->h[i].name);
		else if (ds != MC_DNSSEC_SECURE) {
			mc_finding_add(r, MC_F_DANE_TLSA_INSECURE,
			    mx->h[i].tlsa->qname, "the TLSA records of %s are "
			    "DNSSEC-%s (%s): senders ignore them",
			    mx->h[i].name, mc_dnssec_state_str(ds), why.detail);
			hr[i].n = 0; /* not graded as working */
		}
		if (hr[i].n > 0)
			t->naddrs += mx->h[i].naddrs;
	}
	rc = 0;
out:
	mc_dnssec_cache_free(cache);
	return rc;
}

/*
 * Probe every address of the hosts with working records (naddrs of them)
 * and match what they present; *mismatch counts the hosts with an address
 * that does not match.  0 or -1.
 */
static int
probe_hosts(struct mc_ctx *ctx, const struct mc_mxhosts *mx,
    const struct hostrecs *hr, json_t *hosts, size_t naddrs,
    size_t *mismatch)
{
	const struct dane_state *st = ctx->state;
	struct mc_smtp_target *tg;
	const struct mc_smtp_probe **pr;
	json_t *addrs, *o;
	size_t i, j, k, n = 0;
	int rc, bad;

	tg = mc_arena_calloc(ctx->arena, naddrs + 1, sizeof(*tg));
	pr = mc_arena_calloc(ctx->arena, naddrs + 1, sizeof(*pr));
	if (tg == NULL || pr == NULL)
		return -1;
	for (i = 0; i < mx->n; i++)
		for (k = 0; hr[i].n > 0 && k < mx->h[i].naddrs; k++)
			tg[n++] = (struct mc_smtp_target){ .host = mx->h[i].name,
			    .addr = mx->h[i].addrs[k] };
	if (mc_smtp_probe(st->smtp, tg, n, mc_mxhosts_probe_deadline(
	    ctx->deadline), pr) == -1)
		return -1;
	for (i = j = 0; i < mx->n; i++) {
		if (hr[i].n == 0)
			continue;
		addrs = json_object_get(json_array_get(hosts, i), "addresses");
		bad = 0;
		for (k = 0; k < mx->h[i].naddrs; k++, j++) {
			o = json_pack("{s:s}", "address", pr[j]->addr);
			json_array_append_new(addrs, o);
			rc = match_probe(ctx, &mx->h[i], &hr[i], pr[j], o);
			json_object_set_new(o, "result", rc == 1 ?
			    json_string("match") : rc == 0 ?
			    json_string("mismatch") : json_string("unknown"));
			if (rc == 0)
				bad = 1;
		}
		*mismatch += bad;
	}
	return 0;
}

static int
dane_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_mxhosts mx;
	struct hostrecs *hr;
	struct tally t = { .with = 0 };
	json_t *hosts;
	size_t i, mismatch = 0;
	int rc;

	rc = mc_mxhosts_start(ctx, &mx);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	hr = mc_arena_calloc(ctx->arena, mx.n + 1, sizeof(*hr));
	if (hr == NULL)
		return -1;
	hosts = json_array();
	json_object_set_new(r->data, "hosts", hosts);
	if (grade_hosts(ctx, &mx, hr, hosts, &t) == -1)
		return -1;
	mc_metric_set(r, "tlsa_hosts", (double)t.with);
	if (t.with == 0) {
		mc_metric_set(r, "tlsa_mismatch", 0);
		if (mx.n > 0 && t.failed == 0)
			mc_finding_add(r, MC_F_DANE_NONE, ctx->domain, "no MX "
			    "host of %s publishes TLSA records: DANE is not in "
			    "use", ctx->domain);
		return mc_result_summary(r, "no TLSA records");
	}
	if (t.without > 0)
		for (i = 0; i < mx.n; i++)
			if (!hr[i].published && !mc_dns_failed(mx.h[i].tlsa))
				mc_finding_add(r, MC_F_DANE_HOST_WITHOUT_TLSA,
				    mx.h[i].name, "MX host %s has no TLSA "
				    "records while %zu other%s do%s", mx.h[i].name,
				    t.with, t.with == 1 ? "" : "s",
				    t.with == 1 ? "es" : "");
	if (probe_hosts(ctx, &mx, hr, hosts, t.naddrs, &mismatch) == -1)
		return -1;
	mc_metric_set(r, "tlsa_mismatch", (double)mismatch);
	return mc_result_summary(r, "%zu MX host%s with TLSA records, %zu "
	    "not matching", t.with, t.with == 1 ? "" : "s", mismatch);
}

static int
dane_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	struct dane_state *st;

	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	st->ta = mc_dnssec_anchor_load(opts->trust_anchor, err, errsize);
	if (st->ta == NULL || mc_mxhosts_smtp_setup(opts, &st->smtp, err,
	    errsize) == -1) {
		mc_dnssec_anchor_free(st->ta);
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

static void
dane_teardown(void *state)
{
	struct dane_state *st = state;

	if (st == NULL)
		return;
	mc_mxhosts_smtp_teardown(st->smtp);
	mc_dnssec_anchor_free(st->ta);
	free(st);
}

static const char *const dane_metrics[] = {
	"tlsa_hosts", "tlsa_mismatch", NULL,
};

const struct mc_check mc_check_dane = {
	.name = "dane",
	.summary = "TLSA records of the MX hosts, matched against their certificates",
	.rfc = "RFC 7672, RFC 7671, RFC 6698",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_NEEDS_NET | MC_CHECK_DEFAULT,
	.run = dane_run,
	.setup = dane_setup,
	.teardown = dane_teardown,
	.metrics = dane_metrics,
};
