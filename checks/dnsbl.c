/* SPDX-License-Identifier: ISC */
/*
 * checks/dnsbl.c - is the domain's mail on a blocklist? (RFC 5782)
 *
 * The zones come from the zone list (mailcheck/dnsbl_zones.h): the shipped
 * data/dnsbl-zones, --dnsbl-config or --dnsbl-zone.  IP zones are asked
 * for every public address of the domain's mail (src/mailaddrs.c), domain
 * zones for the domain and its MX host names; each zone's self-test
 * entries (RFC 5782 5) are asked in the same batch as the real questions,
 * so the check costs one round trip, plus one for the TXT reasons of
 * listed entries.  An ip zone asked for an IPv6 address is also asked its
 * IPv6 test entries (::FFFF:7F00:2 listed, ::FFFF:7F00:1 not, in nibble
 * form); zones flagged ipv4-only are asked neither.
 *
 * Never a false alarm: only a documented listing code is a listing.  An
 * error code (Spamhaus 127.255.255.254 for public resolvers, URIBL
 * 127.0.0.1, SURBL bit 1), an answer outside 127.0.0.0/8 (a resolver that
 * rewrites NXDOMAIN), too many records, or a failed self-test make the zone
 * unusable: it is reported so, and none of its answers count.  A SERVFAIL
 * or timeout is unknown, never clean.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/datafile.h"
#include "mailcheck/dns_batch.h"
#include "mailcheck/dnsbl_zones.h"
#include "mailcheck/escape.h"
#include "mailcheck/limits.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/util.h"
#include "banned.h"

#define DNSBL_MAX_ANSWERS 16  /* records a sane blocklist answer holds */
#define DNSBL_MAX_TXT 4       /* TXT records joined into a reason */
#define DNSBL_REASON_MAX 400  /* bytes of a reason kept */

/* Z_UNTESTED: IPv6 only, the listed test entry absent (see self_test()) */
enum zstate { Z_USABLE, Z_UNUSABLE, Z_SELF_TEST, Z_TEMPFAIL, Z_UNTESTED };

static const char *const zstate_str[] = {
	[Z_USABLE] = "usable",
	[Z_UNUSABLE] = "unusable",
	[Z_SELF_TEST] = "self-test-failed",
	[Z_TEMPFAIL] = "tempfail",
	[Z_UNTESTED] = "untested",
};

/* One question of the batch, and what it is for. */
struct ask {
	struct mc_dns_query q;  /* the A question */
	struct mc_dns_query txt;/* its TXT reason, when has_txt */
	size_t zone;
	const char *subject;   /* address, domain, or test entry */
	int test;              /* 1: listed test entry, 2: unlisted; 3 and 4
	                          the same for IPv6; 0: a real question */
	int v6;                /* an IPv6 address's question */
	enum mc_dnsbl_verdict verdict;
	int answered;          /* records present */
	char codes[128];
	char meaning[512];
	int has_txt;
};

struct zres {
	enum zstate state;
	size_t first;          /* its first question: the two self-tests */
	size_t first6;         /* its two IPv6 self-tests, when has6 */
	int has6;
	char reason[600];
	/* the IPv6 self-test's verdict: when it fails, only the zone's
	   answers for IPv6 addresses are not counted */
	enum zstate state6;
	char reason6[600];
};

/* The run: what is asked, of which zones, and what came back. */
struct run {
	struct mc_ctx *ctx;
	const struct mc_dnsbl_list *list;
	struct mc_mailaddrs ma;
	const char **doms;     /* the domain and its MX host names */
	size_t ndoms, nip, nip6;
	struct ask *asks;      /* every question, zone by zone */
	size_t nasks, max;
	struct zres *zr;       /* per zone */
};

/*
 * setup: the blocklist zone list, from --dnsbl-zone, --dnsbl-config or the
 * shipped data/dnsbl-zones, read once.  Errors name file and line.
 */
static int
dnsbl_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	char path[4096], line[1024];

	if (opts->ndnsbl_zones > 0)
		*state = mc_dnsbl_list_generic(opts->dnsbl_zones,
		    opts->ndnsbl_zones, err, errsize);
	else if (opts->dnsbl_config != NULL)
		*state = mc_dnsbl_list_load(opts->dnsbl_config, err, errsize);
	else {
		if (mc_datafile_find("dnsbl-zones", "blocklist zone list",
		    " or use --dnsbl-config", path, sizeof(path), err,
		    errsize) == -1)
			return -1;
		*state = mc_dnsbl_list_load(path, err, errsize);
	}
	if (*state == NULL)
		return -1;
	/* a big run through the network: once, before it starts */
	if (opts->notice != NULL && !opts->offline &&
	    mc_dnsbl_terms_warning(*state, opts->ndomains, opts->dqs_key, line,
	    sizeof(line)))
		opts->notice(line);
	return 0;
}

static void
dnsbl_teardown(void *state)
{
	mc_dnsbl_list_free(state);
}

/* Classify every record of one answer into a. */
static void
classify(const struct mc_dnsbl_zone *z, struct ask *a,
    const struct mc_dns_answer *ans, struct zres *zr)
{
	char meaning[512];
	enum mc_dnsbl_verdict v;
	size_t i, used = 0;
	int n;

	a->verdict = MC_DNSBL_UNDOCUMENTED;
	a->codes[0] = a->meaning[0] = '\0';
	if (ans->status != MC_DNS_OK)
		return;
	if (ans->count > DNSBL_MAX_ANSWERS) {
		if (zr->state == Z_USABLE) {
			zr->state = Z_UNUSABLE;
			snprintf(zr->reason, sizeof(zr->reason), "it answered %zu "
			    "records to %s, where a blocklist answers a few: not "
			    "a blocklist answer", ans->count, ans->qname);
		}
		return;
	}
	for (i = 0; i < ans->count; i++) {
		if (ans->rr[i].type != MC_RR_A)
			continue;
		a->answered = 1;
		v = mc_dnsbl_classify(z, ans->rr[i].addr, meaning,
		    sizeof(meaning));
		n = snprintf(a->codes + used, sizeof(a->codes) - used, "%s%s",
		    used > 0 ? ", " : "", ans->rr[i].data);
		if (n > 0 && (size_t)n < sizeof(a->codes) - used)
			used += (size_t)n;
		if (v == MC_DNSBL_ERROR && zr->state == Z_USABLE) {
			zr->state = Z_UNUSABLE;
			snprintf(zr->reason, sizeof(zr->reason), "it answered %s "
			    "for %s: %s", ans->rr[i].data, ans->qname, meaning);
		}
		if (v > a->verdict || (v == a->verdict && v != MC_DNSBL_ERROR &&
		    a->meaning[0] == '\0')) {
			a->verdict = v;
			snprintf(a->meaning, sizeof(a->meaning), "%s", meaning);
		} else if (v == a->verdict && v != MC_DNSBL_UNDOCUMENTED &&
		    strstr(a->meaning, meaning) == NULL) {
			size_t l = strlen(a->meaning);

			snprintf(a->meaning + l, sizeof(a->meaning) - l, "; %s",
			    meaning);
		}
	}
}

/*
 * One self-test of a zone (RFC 5782 5), unless it is unusable already:
 * family is "" or "IPv6 ".
 */
static void
self_test(enum zstate *state, char *why, size_t whysize, const char *family,
    const struct ask *listed, const struct ask *unlisted)
{
	const struct mc_dns_answer *lans = listed->q.ans, *uans = unlisted->q.ans;

	if (*state != Z_USABLE)
		return;
	if (mc_dns_failed(lans) || mc_dns_failed(uans)) {
		*state = Z_TEMPFAIL;
		snprintf(why, whysize, "its %stest entry %s: "
		    "%s", family, mc_dns_failed(lans) ? lans->qname :
		    uans->qname, mc_dns_failed(lans) ?
		    (lans->why != NULL ? lans->why : "no answer") :
		    (uans->why != NULL ? uans->why : "no answer"));
		return;
	}
	/*
	 * No IPv6 test entry at all: many lists carry none, often because
	 * they list no IPv6 addresses.  That is no sign of a broken zone or
	 * resolver (the IPv4 self-test, and the unlisted entry below, watch
	 * for those), so its IPv6 answers still count, with a note; failing
	 * the zone would make every dual-stack domain unknown.
	 */
	if (*family != '\0' && !listed->answered && !unlisted->answered) {
		*state = Z_UNTESTED;
		snprintf(why, whysize, "its IPv6 test entry %s is not listed "
		    "(%s): the zone may list no IPv6 addresses",
		    listed->subject, mc_dns_status_str(lans->status));
		return;
	}
	if (listed->verdict != MC_DNSBL_LISTED &&
	    listed->verdict != MC_DNSBL_POLICY) {
		*state = Z_SELF_TEST;
		snprintf(why, whysize, "its %stest entry %s "
		    "is not listed (%s%s): %s, or the resolver filters it",
		    family, listed->subject, listed->answered ?
		    "undocumented answer " : mc_dns_status_str(lans->status),
		    listed->answered ? listed->codes : "", *family == '\0' ?
		    "the zone is retired" : "the zone lists no IPv6 addresses "
		    "(flag it ipv4-only in the zone list)");
		return;
	}
	if (unlisted->answered) {
		*state = Z_SELF_TEST;
		snprintf(why, whysize, "its %stest entry %s, "
		    "which no blocklist lists, is listed (%s): the zone or the "
		    "resolver answers everything", family, unlisted->subject,
		    unlisted->codes);
	}
}

/* Join up to DNSBL_MAX_TXT TXT records into a reason (arena). */
static char *
txt_reason(struct mc_arena *arena, const struct mc_dns_answer *txt,
    size_t *lenp)
{
	char *buf;
	size_t i, used = 0, n, k = 0;

	*lenp = 0;
	if (txt == NULL || txt->status != MC_DNS_OK)
		return NULL;
	buf = mc_arena_alloc(arena, DNSBL_REASON_MAX + 1);
	if (buf == NULL)
		return NULL;
	for (i = 0; i < txt->count && k < DNSBL_MAX_TXT; i++) {
		if (txt->rr[i].type != MC_RR_TXT)
			continue;
		if (k++ > 0 && used + 3 < DNSBL_REASON_MAX) {
			memcpy(buf + used, " / ", 3);
			used += 3;
		}
		n = txt->rr[i].len;
		if (n > DNSBL_REASON_MAX - used)
			n = DNSBL_REASON_MAX - used;
		memcpy(buf + used, txt->rr[i].data, n);
		used += n;
	}
	buf[used] = '\0';
	*lenp = used;
	return k > 0 ? buf : NULL;
}

/*
 * The question for one key in zone zi: the reversed address (addr, len)
 * or the domain.  Returns 1 added, 0 when the name is too long, -1 on
 * error.
 */
static int
add_query(struct run *d, struct mc_dns_batch *b, size_t zi,
    const unsigned char *addr, size_t len, const char *domain,
    const char *subject, int test)
{
	const struct mc_dnsbl_zone *z = &d->list->zones[zi];
	struct ask *a;
	char *name;
	size_t size = 80 + strlen(z->zone);

	if (addr != NULL) {
		name = mc_arena_alloc(d->ctx->arena, size);
		if (name == NULL || mc_reverse_name(addr, len, z->zone, name,
		    size) == -1)
			return -1;
	} else {
		name = mc_arena_printf(d->ctx->arena, "%s.%s", domain, z->zone);
		if (name == NULL)
			return -1;
	}
	if (strlen(name) > MC_DNS_NAME_MAX)
		return 0;
	if (d->nasks == d->max)
		return -1; /* sized for every question: cannot happen */
	a = &d->asks[d->nasks++];
	a->zone = zi;
	a->subject = subject;
	a->test = test;
	a->v6 = addr != NULL && len == 16;
	return mc_dns_batch_add(b, &a->q, name, MC_RR_A) == -1 ? -1 : 1;
}

/* A test entry (an address in text, or a domain) as a question. */
static int
add_test(struct run *d, struct mc_dns_batch *b, size_t zi, const char *entry,
    int test)
{
	unsigned char tb[16];
	int v6 = test >= 3;

	if (d->list->zones[zi].kind == MC_DNSBL_KIND_DOMAIN)
		return add_query(d, b, zi, NULL, 0, entry, entry, test);
	if (inet_pton(v6 ? AF_INET6 : AF_INET, entry, tb) != 1)
		return -1;
	return add_query(d, b, zi, tb, v6 ? 16 : 4, NULL, entry, test);
}

/* The domain and its MX host names, without repeats (arena). */
static const char **
domain_subjects(struct mc_ctx *ctx, const struct mc_mailaddrs *ma, size_t *n)
{
	const char **v;
	size_t i, k;

	v = mc_arena_calloc(ctx->arena, ma->nmx_hosts + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	*n = 0;
	v[(*n)++] = ctx->domain;
	for (i = 0; i < ma->nmx_hosts; i++) {
		for (k = 0; k < *n; k++)
			if (strcmp(v[k], ma->mx_hosts[i]) == 0)
				break;
		if (k == *n)
			v[(*n)++] = ma->mx_hosts[i];
	}
	return v;
}

static json_t *
result_json(const struct ask *a, const struct mc_dns_answer *ans,
    const char *reason, size_t rlen)
{
	const char *st;

	if (mc_dns_failed(ans))
		st = mc_dns_status_str(ans->status);
	else if (!a->answered)
		st = "clean";
	else if (a->verdict == MC_DNSBL_LISTED)
		st = "listed";
	else if (a->verdict == MC_DNSBL_POLICY)
		st = "policy";
	else
		st = "undocumented";
	return mc_json_object_of(
	    "subject", mc_json_shown(a->subject),
	    "status", json_string(st),
	    "codes", a->answered ? json_string(a->codes) : json_null(),
	    "meaning", a->answered && a->meaning[0] != '\0' ?
	    mc_json_dns_string(a->meaning, strlen(a->meaning)) : json_null(),
	    "reason", reason != NULL ? mc_json_dns_string(reason, rlen) :
	    json_null(), NULL);
}

/* Findings of one counted answer. */
static void
report_answer(struct mc_ctx *ctx, const struct mc_dnsbl_zone *z,
    const struct ask *a, const struct mc_dns_answer *ans,
    const char *txt, size_t tlen)
{
	struct mc_result *r = ctx->result;
	char *reason = NULL;

	/* escaped once for the message (mailcheck/escape.h): a NUL is \000 */
	if (txt != NULL)
		reason = mc_escape(ctx->arena, txt, tlen);

	if (mc_dns_failed(ans)) {
		mc_finding_dns(r, ans, "a blocklist entry");
		return;
	}
	if (!a->answered)
		return;
	switch (a->verdict) {
	case MC_DNSBL_LISTED:
	case MC_DNSBL_POLICY:
		mc_finding_add(r, a->verdict == MC_DNSBL_LISTED ?
		    MC_F_DNSBL_LISTED : MC_F_DNSBL_LISTED_POLICY, a->subject,
		    "%s listed on %s (%s: %s)%s%s%s", a->subject, z->zone,
		    a->codes, a->meaning, reason != NULL ? "; reason: \"" : "",
		    reason != NULL ? reason : "", reason != NULL ? "\"" : "");
		mc_finding_metric(r, "listed"); /* thresholds may override */
		break;
	case MC_DNSBL_UNDOCUMENTED:
		mc_finding_add(r, MC_F_DNSBL_UNDOCUMENTED, a->subject,
		    "%s answered %s for %s, a code its documentation does not "
		    "define: no verdict", z->zone, a->codes, a->subject);
		break;
	case MC_DNSBL_ERROR:
		break; /* the zone is unusable: reported once */
	}
}

/* Does the answer to a count: its zone usable for its address family? */
static int
counted(const struct zres *zr, const struct ask *a)
{
	return zr->state == Z_USABLE && (!a->v6 || zr->state6 == Z_USABLE ||
	    zr->state6 == Z_UNTESTED);
}

static void
report_zone(struct mc_ctx *ctx, const struct mc_dnsbl_zone *z,
    const struct zres *zr)
{
	struct mc_result *r = ctx->result;

	switch (zr->state) {
	case Z_USABLE:
		if (zr->state6 == Z_SELF_TEST)
			mc_finding_add(r, MC_F_DNSBL_SELF_TEST_FAILED, z->zone,
			    "blocklist %s failed its IPv6 self-test: %s; its "
			    "answers for IPv6 addresses are not counted",
			    z->zone, zr->reason6);
		else if (zr->state6 == Z_UNTESTED)
			mc_finding_add(r, MC_F_DNSBL_IPV6_UNTESTED, z->zone,
			    "blocklist %s could not be tested for IPv6: %s; its "
			    "answers for IPv6 addresses are counted as given",
			    z->zone, zr->reason6);
		else if (zr->state6 == Z_TEMPFAIL)
			mc_finding_add(r, MC_F_DNSBL_ZONE_TEMPFAIL, z->zone,
			    "blocklist %s did not answer %s; its answers for "
			    "IPv6 addresses are not counted", z->zone,
			    zr->reason6);
		break;
	case Z_UNUSABLE:
		mc_finding_add(r, MC_F_DNSBL_ZONE_UNUSABLE, z->zone,
		    "blocklist %s cannot be used: %s; its answers are not "
		    "counted", z->zone, zr->reason);
		break;
	case Z_SELF_TEST:
		mc_finding_add(r, MC_F_DNSBL_SELF_TEST_FAILED, z->zone,
		    "blocklist %s failed its self-test: %s; its answers are not "
		    "counted", z->zone, zr->reason);
		break;
	case Z_TEMPFAIL:
		mc_finding_add(r, MC_F_DNSBL_ZONE_TEMPFAIL, z->zone,
		    "blocklist %s did not answer %s; its answers are not "
		    "counted", z->zone, zr->reason);
		break;
	case Z_UNTESTED:
		break; /* IPv6 only (state6), above */
	}
}

/*
 * The addresses and domains to look up, in the data; a cut address list
 * and failed lookups as findings.  Returns 0, or -1 when out of memory.
 */
static int
gather(struct run *d, json_t *data)
{
	struct mc_result *r = d->ctx->result;
	const struct mc_mailaddrs *ma = &d->ma;
	json_t *addrs, *jd;
	size_t i;

	if (mc_mailaddrs_collect(d->ctx, &d->ma) == -1)
		return -1;
	for (i = 0; i < ma->nfailed; i++)
		mc_finding_dns(r, ma->failed[i], "the addresses of the mail hosts");
	mc_mailaddrs_report_cut(ma, r, MC_F_DNSBL_ADDRESSES_CUT, d->ctx->domain);
	d->doms = domain_subjects(d->ctx, ma, &d->ndoms);
	if (d->doms == NULL)
		return -1;
	addrs = json_array();
	json_object_set_new(data, "addresses", addrs);
	for (i = 0; i < ma->naddrs; i++) {
		json_t *o = mc_mailaddr_json(&ma->addrs[i]);

		json_object_set_new(o, "checked",
		    json_boolean(ma->addrs[i].public));
		json_array_append_new(addrs, o);
		if (ma->addrs[i].public)
			d->nip++;
		if (ma->addrs[i].public && ma->addrs[i].len == 16)
			d->nip6++;
	}
	jd = json_array();
	for (i = 0; i < d->ndoms; i++)
		json_array_append_new(jd, mc_json_shown(d->doms[i]));
	json_object_set_new(data, "domains", jd);
	json_object_set_new(data, "spf_record", json_boolean(ma->spf));
	json_object_set_new(data, "spf_terms_skipped",
	    json_integer((json_int_t)ma->spf_skipped));
	json_object_set_new(data, "addresses_cut",
	    json_integer((json_int_t)ma->ncut));
	return 0;
}

/* The questions of one zone: its self-tests first, then the real ones. */
static int
ask_zone(struct run *d, struct mc_dns_batch *b, size_t zi)
{
	const struct mc_dnsbl_zone *z = &d->list->zones[zi];
	const struct mc_mailaddr *m;
	size_t i;

	d->zr[zi].first = d->nasks;
	if (add_test(d, b, zi, z->test_listed, 1) != 1 ||
	    add_test(d, b, zi, z->test_unlisted, 2) != 1)
		return -1;
	if (z->kind == MC_DNSBL_KIND_DOMAIN) {
		for (i = 0; i < d->ndoms; i++)
			if (add_query(d, b, zi, NULL, 0, d->doms[i], d->doms[i],
			    0) == -1)
				return -1;
		return 0;
	}
	/* RFC 5782 5: an IPv6 question, the IPv6 self-test */
	if (d->nip6 > 0 && !z->ipv4_only) {
		d->zr[zi].has6 = 1;
		d->zr[zi].first6 = d->nasks;
		if (add_test(d, b, zi, z->test6_listed, 3) != 1 ||
		    add_test(d, b, zi, z->test6_unlisted, 4) != 1)
			return -1;
	}
	for (i = 0; i < d->ma.naddrs; i++) {
		m = &d->ma.addrs[i];
		if (!m->public || (z->ipv4_only && m->len != 4))
			continue;
		if (add_query(d, b, zi, m->addr, m->len, NULL, m->text, 0) == -1)
			return -1;
	}
	return 0;
}

/* Asking: every question of every zone, self-tests included, at once. */
static int
ask_all(struct run *d)
{
	struct mc_dns_batch b;
	size_t zi, nz = d->list->nzones;

	d->max = nz * (4 + (d->nip > d->ndoms ? d->nip : d->ndoms));
	d->asks = mc_arena_calloc(d->ctx->arena, d->max + 1, sizeof(*d->asks));
	d->zr = mc_arena_calloc(d->ctx->arena, nz + 1, sizeof(*d->zr));
	if (d->asks == NULL || d->zr == NULL)
		return -1;
	mc_dns_batch_init(&b, d->ctx);
	for (zi = 0; zi < nz; zi++)
		if (ask_zone(d, &b, zi) == -1)
			return -1;
	return mc_dns_batch_run(&b);
}

static int
is_listing(const struct ask *a)
{
	return a->verdict == MC_DNSBL_LISTED || a->verdict == MC_DNSBL_POLICY;
}

/*
 * Judging: classify every answer (an error code anywhere makes the zone
 * unusable), run the self-tests, then ask the TXT reasons of the listings
 * that count, at once.
 */
static int
judge(struct run *d)
{
	struct mc_dns_batch b;
	struct zres *zr;
	struct ask *a;
	size_t i, zi;

	for (i = 0; i < d->nasks; i++) {
		a = &d->asks[i];
		classify(&d->list->zones[a->zone], a, a->q.ans, &d->zr[a->zone]);
	}
	for (zi = 0; zi < d->list->nzones; zi++) {
		zr = &d->zr[zi];
		self_test(&zr->state, zr->reason, sizeof(zr->reason), "",
		    &d->asks[zr->first], &d->asks[zr->first + 1]);
		if (zr->has6)
			self_test(&zr->state6, zr->reason6, sizeof(zr->reason6),
			    "IPv6 ", &d->asks[zr->first6],
			    &d->asks[zr->first6 + 1]);
	}
	mc_dns_batch_init(&b, d->ctx);
	for (i = 0; i < d->nasks; i++) {
		a = &d->asks[i];
		if (a->test || !counted(&d->zr[a->zone], a) || !is_listing(a))
			continue;
		a->has_txt = 1;
		if (mc_dns_batch_add(&b, &a->txt, a->q.name, MC_RR_TXT) == -1)
			return -1;
	}
	return mc_dns_batch_run(&b);
}

/* Reporting, one zone: its findings, and its entry in the data. */
static json_t *
report_one(struct run *d, size_t zi, size_t *nlisted)
{
	const struct mc_dnsbl_zone *z = &d->list->zones[zi];
	const struct zres *zr = &d->zr[zi];
	const struct ask *a;
	const char *reason;
	json_t *results;
	size_t i, rlen;

	report_zone(d->ctx, z, zr);
	results = json_array();
	for (i = zr->first; i < d->nasks && d->asks[i].zone == zi; i++) {
		a = &d->asks[i];
		if (a->test)
			continue;
		reason = txt_reason(d->ctx->arena, a->has_txt ? a->txt.ans :
		    NULL, &rlen);
		if (counted(zr, a)) {
			report_answer(d->ctx, z, a, a->q.ans, reason, rlen);
			if (a->answered && is_listing(a))
				(*nlisted)++;
		}
		if (zr->state == Z_USABLE)
			json_array_append_new(results, result_json(a, a->q.ans,
			    reason, rlen));
	}
	return mc_json_object_of(
	    "zone", json_string(z->zone),
	    "kind", json_string(z->kind == MC_DNSBL_KIND_IP ? "ip" : "domain"),
	    "status", json_string(zstate_str[zr->state]),
	    "self_test_ipv6", json_boolean(zr->has6),
	    "ipv6_status", zr->has6 && zr->state == Z_USABLE ?
	    json_string(zstate_str[zr->state6]) : json_null(),
	    "ipv6_reason", zr->has6 && zr->state == Z_USABLE &&
	    zr->state6 != Z_USABLE ? mc_json_dns_string(zr->reason6,
	    strlen(zr->reason6)) : json_null(),
	    "reason", zr->state == Z_USABLE ? json_null() :
	    mc_json_dns_string(zr->reason, strlen(zr->reason)),
	    "results", results, NULL);
}

/* Reporting: every zone, the metrics and the summary. */
static void
report(struct run *d, json_t *data)
{
	struct mc_result *r = d->ctx->result;
	size_t zi, nlisted = 0, nchecked = 0, nunusable = 0, ntempfail = 0;
	json_t *zones;

	zones = json_array();
	json_object_set_new(data, "zones", zones);
	for (zi = 0; zi < d->list->nzones; zi++) {
		json_array_append_new(zones, report_one(d, zi, &nlisted));
		if (d->zr[zi].state == Z_USABLE)
			nchecked++;
		else if (d->zr[zi].state == Z_TEMPFAIL)
			ntempfail++;
		else
			nunusable++;
	}
	mc_metric_set(r, "listed", (double)nlisted);
	mc_metric_set(r, "zones_checked", (double)nchecked);
	mc_metric_set(r, "zones_unusable", (double)nunusable);
	mc_metric_set(r, "zones_tempfail", (double)ntempfail);
	mc_result_summary(r, "%zu listing%s on %zu usable zone%s (%zu "
	    "address%s, %zu domain%s)%s", nlisted, nlisted == 1 ? "" : "s",
	    nchecked, nchecked == 1 ? "" : "s", d->nip, d->nip == 1 ? "" : "es",
	    d->ndoms, d->ndoms == 1 ? "" : "s", nunusable + ntempfail > 0 ?
	    "; some zones could not be used" : "");
}

/* Are there only domain zones to ask, for want of an address? */
static void
no_address(struct run *d)
{
	size_t zi;

	if (d->nip > 0 || d->ma.nfailed > 0)
		return;
	for (zi = 0; zi < d->list->nzones; zi++)
		if (d->list->zones[zi].kind == MC_DNSBL_KIND_DOMAIN)
			break;
	mc_finding_add(d->ctx->result, MC_F_DNSBL_NO_ADDRESS, d->ctx->domain,
	    "no public address of %s's mail to look up (no MX address and no "
	    "--ip)%s", d->ctx->domain, zi < d->list->nzones ?
	    "; only domain lists were asked" : "");
}

static int
dnsbl_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct run d = { .ctx = ctx, .list = ctx->state };
	json_t *data;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	if (d.list == NULL) {
		mc_finding_add(r, MC_F_INTERNAL_ERROR, NULL, "the dnsbl check "
		    "was not set up: it has no zone list");
		return 0;
	}
	json_object_set_new(data, "zone_list",
	    mc_json_dns_string(d.list->source, strlen(d.list->source)));
	if (gather(&d, data) == -1)
		return -1;
	no_address(&d);
	if (ask_all(&d) == -1 || judge(&d) == -1)
		return -1;
	report(&d, data);
	return 0;
}

static const char *const dnsbl_metrics[] = {
	"listed", "zones_checked", "zones_unusable", "zones_tempfail", NULL
};

const struct mc_check mc_check_dnsbl = {
	.name = "dnsbl",
	.summary = "blocklists (DNSBL) of the mail addresses and the domain",
	.rfc = "RFC 5782",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.setup = dnsbl_setup,
	.teardown = dnsbl_teardown,
	.run = dnsbl_run,
	.metrics = dnsbl_metrics,
};
