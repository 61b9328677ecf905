/* SPDX-License-Identifier: ISC */
/*
 * checks/smtp.c - do the MX hosts offer STARTTLS with a good certificate?
 * (RFC 3207, RFC 7435, RFC 6125, RFC 7672 3.1.1)
 *
 * Every MX host, each of its addresses (--smtp-addresses: the first IPv4
 * and IPv6 address, or all), probed at once through the run's SMTP client
 * (src/smtp.c); the chain it saw is judged here with src/x509_check.c.
 * PKIX failures (an untrusted chain, a name mismatch) are graded by the
 * rule a sender applies (issue 11, step 5): opportunistic TLS (RFC 7435)
 * makes them a warning; MTA-STS enforce (RFC 8461 4.2) makes them
 * critical; under DANE (usable TLSA records published for the host) the
 * TLSA match decides, so they are information here and the dane check
 * grades the match.  An expired certificate is critical unless a DANE-EE
 * record matches it (RFC 7672 3.1.1), and so is an MX host without
 * STARTTLS (issue 11, step 2).  The message names the rule applied.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "mailcheck/check.h"
#include "mailcheck/http.h"
#include "mailcheck/limits.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/mta_sts_policy.h"
#include "mailcheck/mxhosts.h"
#include "mailcheck/smtp.h"
#include "mailcheck/tlsa.h"
#include "mailcheck/x509_check.h"
#include "banned.h"

#define SMTP_EXPIRY_WARN_DAYS 14

enum rule { RULE_OPPORTUNISTIC, RULE_MTA_STS, RULE_DANE };

struct probe_ref {
	const struct mc_mxhost *h;
	const char *addr;
};

struct tally {
	size_t tls_hosts, starttls_missing, skipped;
	double days_left;  /* minimum, -1e9: no certificate seen */
};

/* What setup() makes: the shared SMTP client and the HTTP handle. */
struct smtp_state {
	void *smtp;
	struct mc_http *http;
};

/*
 * Is the domain's MTA-STS policy in enforce mode, and does it list host?
 * The record at _mta-sts.<domain> and the policy come through the DNS and
 * HTTP caches, so the mta-sts check's questions cost nothing twice; an
 * offline run without --http-root fetches nothing (no policy known).  A
 * policy that is not usable by senders (RFC 8461 3.2) is no policy.
 */
static int
mta_sts_enforced(struct mc_ctx *ctx, const char *host)
{
	const struct smtp_state *st = ctx->state;
	char name[MC_DNS_NAME_MAX + 16], url[MC_DNS_NAME_MAX + 64];
	const struct mc_dns_answer *txt;
	struct mc_http_response h;
	struct mc_sts_policy p;
	size_t i, len;
	int found = 0;

	snprintf(name, sizeof(name), "_mta-sts.%s", ctx->domain);
	txt = mc_dns_lookup(ctx->dns, name, MC_RR_TXT);
	for (i = 0; txt->status == MC_DNS_OK && i < txt->count; i++)
		found |= mc_sts_record_is_sts(txt->rr[i].data, txt->rr[i].len);
	if (!found)
		return 0;
	snprintf(url, sizeof(url), MC_STS_POLICY_URL_FMT, ctx->domain);
	mc_http_fetch(st->http, ctx->dns, ctx->deadline, ctx->arena, url,
	    MC_STS_POLICY_MAX, &h);
	if (h.status != MC_HTTP_OK)
		return 0;
	/* a cut body: its last, partial line is not read (as mta-sts does) */
	for (len = h.len; h.truncated && len > 0 && h.body[len - 1] != '\n';)
		len--;
	if (mc_sts_policy_parse(ctx->arena, (const char *)h.body, len,
	    &p) == -1 || !mc_sts_policy_usable(&p))
		return 0;
	return p.mode == MC_STS_MODE_ENFORCE &&
	    mc_sts_policy_match(&p, host) >= 0;
}

static const char *
rule_text(enum rule r)
{
	switch (r) {
	case RULE_DANE:
		return "the host publishes TLSA records, so DANE senders go by "
		    "the TLSA match (see the dane check), not PKIX";
	case RULE_MTA_STS:
		return "the domain's MTA-STS policy is in enforce mode: senders "
		    "refuse to deliver (RFC 8461 4.2)";
	case RULE_OPPORTUNISTIC:
		break;
	}
	return "without MTA-STS or DANE, senders deliver anyway with "
	    "opportunistic TLS (RFC 7435)";
}

static enum mc_status
rule_severity(enum rule r)
{
	return r == RULE_MTA_STS ? MC_CRIT : r == RULE_DANE ? MC_INFO : MC_WARN;
}

/* Usable DANE records of a host (RFC 7672 2.2), parsed; count in *n. */
static struct mc_tlsa *
dane_records(struct mc_arena *a, const struct mc_mxhost *h, size_t *n)
{
	struct mc_tlsa *t;
	char err[128];
	size_t i;

	*n = 0;
	if (h->tlsa == NULL || h->tlsa->status != MC_DNS_OK)
		return NULL;
	t = mc_arena_calloc(a, h->tlsa->count + 1, sizeof(*t));
	if (t == NULL)
		return NULL;
	for (i = 0; i < h->tlsa->count; i++)
		if (h->tlsa->rr[i].type == MC_RR_TLSA &&
		    mc_tlsa_parse(a, h->tlsa->rr[i].data, h->tlsa->rr[i].len,
		    &t[*n], err, sizeof(err)) == MC_TLSA_OK &&
		    (t[*n].usage == MC_TLSA_DANE_EE ||
		    t[*n].usage == MC_TLSA_DANE_TA))
			(*n)++;
	return t;
}

static int
dane_ee_matches(const struct mc_tlsa *t, size_t n,
    const struct mc_smtp_probe *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].usage == MC_TLSA_DANE_EE &&
		    mc_tlsa_match(&t[i], (const unsigned char *const *)p->chain,
		    p->chainlen, p->nchain) == 0)
			return 1;
	return 0;
}

/* Findings about a probe that did not reach TLS. */
static void
judge_failure(struct mc_ctx *ctx, const struct mc_mxhost *h, const char *subj,
    const struct mc_smtp_probe *p)
{
	struct mc_result *r = ctx->result;
	const char *why = p->why != NULL ? p->why : "";

	switch (p->result) {
	case MC_SMTP_SKIPPED:
		mc_finding_add(r, MC_F_SMTP_SKIPPED_OFFLINE, subj,
		    "%s not probed: %s", subj, why);
		break;
	case MC_SMTP_REFUSED:
		mc_finding_add(r, MC_F_SMTP_CONNECT_REFUSED, subj,
		    "cannot connect to %s (%s): connection refused; port 25 "
		    "is often blocked on home and cloud networks, so this says "
		    "nothing about TLS", subj, p->peer);
		break;
	case MC_SMTP_CONNECT_TIMEOUT:
		mc_finding_add(r, MC_F_SMTP_CONNECT_TIMEOUT, subj,
		    "cannot connect to %s (%s): %s; port 25 is often blocked "
		    "on home and cloud networks, so this says nothing about "
		    "TLS", subj, p->peer, why);
		break;
	case MC_SMTP_UNREACHABLE:
		mc_finding_add(r, MC_F_SMTP_CONNECT_UNREACHABLE, subj,
		    "cannot connect to %s: %s", subj, why);
		break;
	case MC_SMTP_CONNECT_FAILED:
	case MC_SMTP_ERROR:
		mc_finding_add(r, MC_F_SMTP_CONNECT_FAILED, subj,
		    "cannot probe %s: %s", subj, why);
		break;
	case MC_SMTP_TIMEOUT:
		mc_finding_add(r, MC_F_SMTP_TIMEOUT, subj, "%s: %s", subj, why);
		break;
	case MC_SMTP_CLOSED:
		mc_finding_add(r, MC_F_SMTP_CLOSED, subj, "%s: %s", subj, why);
		break;
	case MC_SMTP_GREETING_REJECTED:
		mc_finding_add(r, MC_F_SMTP_GREETING_REJECTED, subj,
		    "%s greets with %d, not 220: %s", subj, p->greeting_code,
		    p->greeting != NULL ? p->greeting : "");
		break;
	case MC_SMTP_EHLO_REJECTED:
		mc_finding_add(r, MC_F_SMTP_EHLO_REJECTED, subj,
		    "%s answers EHLO with %d: %s", subj, p->reply_code,
		    p->reply != NULL ? p->reply : "");
		break;
	case MC_SMTP_NO_STARTTLS:
		/* crit for an MX host (issue 11): its mail travels in clear
		   text, and every sender that requires TLS (an MTA-STS
		   policy, REQUIRETLS, a local rule) bounces it now; DANE's
		   view is the dane check's dane.no-tls */
		mc_finding_add(r, MC_F_SMTP_NO_STARTTLS, subj,
		    "%s does not offer STARTTLS: mail to it travels in clear "
		    "text, and senders that require TLS%s refuse it", subj,
		    mta_sts_enforced(ctx, h->name) ? " (this domain's "
		    "MTA-STS policy in enforce mode tells every sender to)" :
		    "");
		mc_finding_brief(r, "%s no STARTTLS", subj);
		break;
	case MC_SMTP_STARTTLS_REJECTED:
		mc_finding_add(r, MC_F_SMTP_STARTTLS_REJECTED, subj,
		    "%s offers STARTTLS but answers it with %d: %s", subj,
		    p->reply_code, p->reply != NULL ? p->reply : "");
		break;
	case MC_SMTP_TLS_FAILED:
		mc_finding_add(r, MC_F_SMTP_TLS_FAILED, subj, "%s: %s", subj,
		    why);
		break;
	case MC_SMTP_OVERSIZE:
		mc_finding_add(r, MC_F_SMTP_REPLY_OVERSIZE, subj,
		    "%s during the %s: %s", subj, mc_smtp_stage_str(p->stage),
		    why);
		break;
	case MC_SMTP_MALFORMED:
		mc_finding_add(r, MC_F_SMTP_REPLY_MALFORMED, subj,
		    "%s during the %s: %s", subj, mc_smtp_stage_str(p->stage),
		    why);
		break;
	case MC_SMTP_TLS_OK:
		break;
	}
}

/* Findings about the certificate and the TLS parameters. */
static int
judge_tls(struct mc_ctx *ctx, const char *subj, const struct mc_mxhost *h,
    const struct mc_smtp_probe *p, struct tally *t, json_t *o)
{
	struct mc_result *r = ctx->result;
	struct mc_cert_info ci;
	struct mc_tlsa *recs;
	enum mc_chain_status cs;
	enum rule rule = RULE_OPPORTUNISTIC;
	char why[256], err[128];
	size_t nrecs;
	double days;
	int ee;

	if (p->tls_version_num != 0 && p->tls_version_num < 0x0303)
		mc_finding_add(r, MC_F_SMTP_TLS_OLD, subj, "%s negotiates %s, "
		    "older than TLS 1.2", subj, p->tls_version);
	if (p->nchain_total > MC_SMTP_MAX_CHAIN)
		mc_finding_add(r, MC_F_SMTP_CHAIN_LONG, subj, "%s sends a "
		    "chain of %zu certificates (the first %d are judged)", subj,
		    p->nchain_total, MC_SMTP_MAX_CHAIN);
	recs = dane_records(ctx->arena, h, &nrecs);
	if (nrecs > 0)
		rule = RULE_DANE;
	else if (mta_sts_enforced(ctx, h->name))
		rule = RULE_MTA_STS;
	if (p->nchain == 0 || mc_cert_parse(ctx->arena, p->chain[0],
	    p->chainlen[0], &ci, err, sizeof(err)) == -1) {
		mc_finding_add_sev(r, MC_F_SMTP_CERT_UNTRUSTED,
		    rule_severity(rule), subj, "%s: %s; %s", subj,
		    p->nchain == 0 ? "the server sent no certificate" : err,
		    rule_text(rule));
		return 0;
	}
	ee = nrecs > 0 && dane_ee_matches(recs, nrecs, p);

	cs = mc_chain_verify((const unsigned char *const *)p->chain,
	    p->chainlen, p->nchain, ctx->opts->ca_file, why, sizeof(why));
	json_object_set_new(o, "chain_verified", cs == MC_CHAIN_OK ?
	    json_true() : json_false());
	if (cs != MC_CHAIN_OK)
		mc_finding_add_sev(r, MC_F_SMTP_CERT_UNTRUSTED,
		    rule_severity(rule), subj, "the certificate of %s does not "
		    "verify%s: %s; %s", subj, ctx->opts->ca_file != NULL ?
		    " against --ca-file" : " against the system trust store",
		    why, rule_text(rule));
	if (!mc_cert_matches_host(&ci, h->name))
		mc_finding_add_sev(r, MC_F_SMTP_CERT_NAME_MISMATCH,
		    rule_severity(rule), subj, "the certificate of %s does not "
		    "name %s (subjectAltName: %s%s); %s", subj, h->name,
		    ci.ndns > 0 ? ci.dns_names[0] : "none",
		    ci.ndns > 1 ? ", ..." : "", rule_text(rule));

	days = difftime(ci.not_after, time(NULL)) / 86400.0;
	json_object_set_new(o, "cert_days_left", json_integer((json_int_t)days));
	if (days < t->days_left)
		t->days_left = days;
	if (days < 0)
		mc_finding_add_sev(r, MC_F_SMTP_CERT_EXPIRED, ee ? MC_INFO :
		    MC_CRIT, subj,
		    "the certificate of %s expired %.0f days ago; %s", subj,
		    -days, ee ? "a DANE-EE record matches it, so DANE "
		    "senders ignore its dates (RFC 7672 3.1.1)" :
		    rule == RULE_OPPORTUNISTIC ? "critical whatever the "
		    "policy: every sender that checks certificates refuses "
		    "it, and the others' TLS only hides the problem" :
		    rule_text(rule));
	else if (days < SMTP_EXPIRY_WARN_DAYS)
		mc_finding_add(r, MC_F_SMTP_CERT_EXPIRING, subj, "the "
		    "certificate of %s expires in %.0f days", subj, days);
	if (days < SMTP_EXPIRY_WARN_DAYS)
		mc_finding_metric(r, "cert_days_left");
	if (strcmp(ci.key_type, "RSA") == 0 && ci.key_bits < 2048)
		mc_finding_add(r, MC_F_SMTP_CERT_KEY_WEAK, subj, "the "
		    "certificate of %s has a %d-bit RSA key", subj, ci.key_bits);
	json_object_set_new(o, "certificate", json_pack("{s:o, s:o, s:i, s:s, "
	    "s:i}", "subject", mc_json_dns_string(ci.subject ? ci.subject : "",
	    ci.subject ? strlen(ci.subject) : 0), "issuer", mc_json_dns_string(
	    ci.issuer ? ci.issuer : "", ci.issuer ? strlen(ci.issuer) : 0),
	    "not_after", (json_int_t)ci.not_after, "key_type", ci.key_type,
	    "key_bits", ci.key_bits));
	return 0;
}

/* Does the greeting name the host, or the address's PTR name? */
static void
judge_greeting(struct mc_ctx *ctx, const char *subj,
    const struct mc_mxhost *h, const struct mc_smtp_probe *p)
{
	const struct mc_dns_answer *ptr;
	unsigned char bin[16];
	char name[256], rev[80];
	size_t i, len;
	int family;

	if (p->greeting == NULL || p->greeting_code != 220)
		return;
	len = strcspn(p->greeting, " \t");
	if (len == 0 || len >= sizeof(name))
		return;
	memcpy(name, p->greeting, len);
	name[len] = '\0';
	if (len > 0 && name[len - 1] == '.')
		name[len - 1] = '\0';
	if (strcasecmp(name, h->name) == 0)
		return;
	family = strchr(p->addr, ':') != NULL ? 16 : 4;
	if (inet_pton(family == 16 ? AF_INET6 : AF_INET, p->addr, bin) == 1 &&
	    mc_reverse_name(bin, (size_t)family, family == 16 ? "ip6.arpa" :
	    "in-addr.arpa", rev, sizeof(rev)) == 0) {
		ptr = mc_dns_lookup(ctx->dns, rev, MC_RR_PTR);
		for (i = 0; i < ptr->count; i++)
			if (strcasecmp(ptr->rr[i].data, name) == 0)
				return;
	}
	mc_finding_add(ctx->result, MC_F_SMTP_GREETING_NAME, subj, "%s greets "
	    "as '%s', neither the MX host name nor the address's PTR name",
	    subj, name);
}

static json_t *
probe_json(const struct mc_smtp_probe *p)
{
	json_t *o, *ext;
	size_t i;

	ext = json_array();
	for (i = 0; i < p->next; i++)
		json_array_append_new(ext, mc_json_dns_string(p->ext[i],
		    strlen(p->ext[i])));
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b}",
	    "address", p->addr, "result", mc_smtp_result_str(p->result),
	    "stage", mc_smtp_stage_str(p->stage),
	    "peer", p->peer != NULL ? json_string(p->peer) : json_null(),
	    "greeting", p->greeting != NULL ? mc_json_dns_string(p->greeting,
	    strlen(p->greeting)) : json_null(),
	    "extensions", ext, "starttls", p->starttls);
	if (o == NULL)
		return NULL;
	if (p->tls_version != NULL)
		json_object_set_new(o, "tls_version", json_string(p->tls_version));
	if (p->cipher != NULL)
		json_object_set_new(o, "cipher", json_string(p->cipher));
	json_object_set_new(o, "chain_length", json_integer(
	    (json_int_t)p->nchain_total));
	return o;
}

/*
 * Judge the probes of host h: ref[] and pr[] (n of them left) start with
 * its addresses; each address's entry goes into addrs, counts into *t, and
 * *next steps past the host's probes.  0 or -1.
 */
static int
judge_host(struct mc_ctx *ctx, const struct mc_mxhost *h,
    const struct probe_ref *ref, const struct mc_smtp_probe **pr, size_t n,
    json_t *addrs, struct tally *t, size_t *next)
{
	struct mc_result *r = ctx->result;
	const char *subj;
	json_t *o;
	size_t k;
	int tls_ok = h->naddrs > 0, missing = 0;

	for (k = 0; k < n && ref[k].h == h; k++) {
		subj = mc_arena_printf(ctx->arena, "%s [%s]", h->name,
		    ref[k].addr);
		o = probe_json(pr[k]);
		if (subj == NULL || o == NULL)
			return -1;
		json_array_append_new(addrs, o);
		if (pr[k]->bare_lf)
			mc_finding_add(r, MC_F_SMTP_BARE_LF, subj, "%s "
			    "ends reply lines with LF alone, not CR LF", subj);
		judge_greeting(ctx, subj, h, pr[k]);
		if (pr[k]->result != MC_SMTP_TLS_OK) {
			tls_ok = 0;
			t->skipped += pr[k]->result == MC_SMTP_SKIPPED;
			if (pr[k]->result == MC_SMTP_NO_STARTTLS ||
			    pr[k]->result == MC_SMTP_STARTTLS_REJECTED)
				missing = 1;
			judge_failure(ctx, h, subj, pr[k]);
			continue;
		}
		if (judge_tls(ctx, subj, h, pr[k], t, o) == -1)
			return -1;
	}
	t->tls_hosts += tls_ok ? 1 : 0;
	t->starttls_missing += missing ? 1 : 0;
	*next += k;
	return 0;
}

static int
smtp_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_mxhosts mx;
	struct mc_smtp_target *tg;
	const struct mc_smtp_probe **pr;
	struct probe_ref *ref;
	struct tally t = { .days_left = 1e9 };
	json_t *hosts, *ho;
	size_t i, k, n = 0;
	int rc;

	rc = mc_mxhosts_start(ctx, &mx);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	for (i = 0; i < mx.n; i++) {
		if (mc_dns_failed(mx.h[i].a))
			mc_finding_dns(r, mx.h[i].a, "the address of an MX host");
		if (mc_dns_failed(mx.h[i].aaaa))
			mc_finding_dns(r, mx.h[i].aaaa,
			    "the address of an MX host");
		n += mx.h[i].naddrs;
	}
	tg = mc_arena_calloc(ctx->arena, n + 1, sizeof(*tg));
	pr = mc_arena_calloc(ctx->arena, n + 1, sizeof(*pr));
	ref = mc_arena_calloc(ctx->arena, n + 1, sizeof(*ref));
	if (tg == NULL || pr == NULL || ref == NULL)
		return -1;
	for (i = n = 0; i < mx.n; i++)
		for (k = 0; k < mx.h[i].naddrs; k++) {
			tg[n] = (struct mc_smtp_target){ .host = mx.h[i].name,
			    .addr = mx.h[i].addrs[k] };
			ref[n++] = (struct probe_ref){ .h = &mx.h[i],
			    .addr = mx.h[i].addrs[k] };
		}
	if (mc_smtp_probe(((const struct smtp_state *)ctx->state)->smtp, tg, n, mc_mxhosts_probe_deadline(
	    ctx->deadline), pr) == -1)
		return -1;

	hosts = json_array();
	json_object_set_new(r->data, "hosts", hosts);
	for (i = k = 0; i < mx.n; i++) {
		ho = json_pack("{s:s, s:i, s:[]}", "host", mx.h[i].name,
		    "preference", (int)mx.h[i].pref, "addresses");
		json_array_append_new(hosts, ho);
		if (judge_host(ctx, &mx.h[i], ref + k, pr + k, n - k,
		    json_object_get(ho, "addresses"), &t, &k) == -1)
			return -1;
	}
	mc_metric_set(r, "tls_hosts", (double)t.tls_hosts);
	mc_metric_set(r, "starttls_missing", (double)t.starttls_missing);
	if (t.days_left < 1e9)
		mc_metric_set(r, "cert_days_left", (double)(long)t.days_left);
	if (mx.null_mx)
		return mc_result_summary(r, "null MX: the domain accepts no "
		    "mail, nothing to probe");
	if (n > 0 && t.skipped == n)
		return mc_result_summary(r, "not probed: an offline run (%zu "
		    "address%s of %zu MX host%s skipped)", n, n == 1 ? "" : "es",
		    mx.n, mx.n == 1 ? "" : "s");
	return mc_result_summary(r, "%zu of %zu MX host%s completed STARTTLS "
	    "(%zu address%s probed, %zu skipped)", t.tls_hosts, mx.n,
	    mx.n == 1 ? "" : "s", n - t.skipped, n - t.skipped == 1 ? "" : "es",
	    t.skipped);
}

static int
smtp_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	struct smtp_state *st;

	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (mc_mxhosts_smtp_setup(opts, &st->smtp, err, errsize) == -1) {
		free(st);
		return -1;
	}
	if (mc_http_check_setup(opts, (void **)&st->http, err, errsize) ==
	    -1) {
		mc_mxhosts_smtp_teardown(st->smtp);
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

static void
smtp_teardown(void *state)
{
	struct smtp_state *st = state;

	if (st == NULL)
		return;
	mc_http_check_teardown(st->http);
	mc_mxhosts_smtp_teardown(st->smtp);
	free(st);
}

static const char *const smtp_metrics[] = {
	"tls_hosts", "cert_days_left", "starttls_missing", NULL,
};

const struct mc_check mc_check_smtp = {
	.name = "smtp",
	.summary = "STARTTLS, TLS version and certificate of every MX host",
	.rfc = "RFC 3207, RFC 7435, RFC 6125",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_NEEDS_NET | MC_CHECK_DEFAULT,
	.run = smtp_run,
	.setup = smtp_setup,
	.teardown = smtp_teardown,
	.metrics = smtp_metrics,
};
