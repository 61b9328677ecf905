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
#include "mailcheck/dnsbl_zones.h"
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

/* One question of the batch. */
struct ask {
	size_t zone;
	const char *subject;   /* address, domain, or test entry */
	int test;              /* 1: listed test entry, 2: unlisted; 3 and 4
	                          the same for IPv6; 0: a real question */
	int v6;                /* an IPv6 address's question */
	enum mc_dnsbl_verdict verdict;
	int answered;          /* records present */
	char codes[128];
	char meaning[512];
	const struct mc_dns_answer *txt;
	size_t tqi;            /* its TXT question, when listed */
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
	json_t *results;
};

/*
 * setup: the blocklist zone list, from --dnsbl-zone, --dnsbl-config or the
 * shipped data/dnsbl-zones, read once.  Errors name file and line.
 */
static int
dnsbl_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	char path[4096];

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
	return *state != NULL ? 0 : -1;
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
    const struct ask *listed, const struct mc_dns_answer *lans,
    const struct ask *unlisted, const struct mc_dns_answer *uans)
{
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
 * The question for one key in zone z: the reversed address (addr, len) or
 * the domain.  Returns 1 added, 0 when the name is too long, -1 on error.
 */
static int
add_query(struct mc_ctx *ctx, struct mc_dns_query *q, struct ask *asks,
    size_t *nq, size_t zi, const struct mc_dnsbl_zone *z,
    const unsigned char *addr, size_t len, const char *domain,
    const char *subject, int test)
{
	char *name;
	size_t size = 80 + strlen(z->zone);

	if (addr != NULL) {
		name = mc_arena_alloc(ctx->arena, size);
		if (name == NULL || mc_reverse_name(addr, len, z->zone, name,
		    size) == -1)
			return -1;
	} else {
		name = mc_arena_printf(ctx->arena, "%s.%s", domain, z->zone);
		if (name == NULL)
			return -1;
	}
	if (strlen(name) > MC_DNS_NAME_MAX)
		return 0;
	q[*nq].name = name;
	q[*nq].type = MC_RR_A;
	asks[*nq].zone = zi;
	asks[*nq].subject = subject;
	asks[*nq].test = test;
	asks[*nq].v6 = addr != NULL && len == 16;
	(*nq)++;
	return 1;
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
	return json_pack("{s:o, s:s, s:o, s:o, s:o}",
	    "subject", mc_json_dns_string(a->subject, strlen(a->subject)),
	    "status", st,
	    "codes", a->answered ? json_string(a->codes) : json_null(),
	    "meaning", a->answered && a->meaning[0] != '\0' ?
	    mc_json_dns_string(a->meaning, strlen(a->meaning)) : json_null(),
	    "reason", reason != NULL ? mc_json_dns_string(reason, rlen) :
	    json_null());
}

/* Findings of one counted answer. */
static void
report_answer(struct mc_ctx *ctx, const struct mc_dnsbl_zone *z,
    const struct ask *a, const struct mc_dns_answer *ans,
    const char *txt, size_t tlen)
{
	struct mc_result *r = ctx->result;
	char *reason = NULL;
	size_t i;

	/* the message is a C string: a NUL must not cut it (data keeps it) */
	if (txt != NULL)
		reason = mc_arena_strndup(ctx->arena, txt, tlen);
	if (reason != NULL)
		for (i = 0; i < tlen; i++)
			if (reason[i] == '\0')
				reason[i] = '?';

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

static int
dnsbl_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	const struct mc_dnsbl_list *list = ctx->state;
	const struct mc_dnsbl_zone *z;
	struct mc_mailaddrs ma;
	struct mc_dns_query *q = NULL, *tq = NULL;
	struct ask *asks = NULL;
	struct zres *zr = NULL;
	const char **doms = NULL;
	unsigned char tb[16];
	json_t *data, *zones, *addrs, *jd, *jz;
	const char *reason;
	size_t i, zi, ndoms = 0, nip = 0, nip6 = 0, nq = 0, ntq = 0, max, rlen;
	size_t nlisted = 0, nchecked = 0, nunusable = 0, ntempfail = 0;
	int rc = -1;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	if (list == NULL) {
		mc_finding_add(r, MC_F_INTERNAL_ERROR, NULL, "the dnsbl check "
		    "was not set up: it has no zone list");
		return 0;
	}
	json_object_set_new(data, "zone_list",
	    mc_json_dns_string(list->source, strlen(list->source)));
	if (mc_mailaddrs_collect(ctx, &ma) == -1)
		goto out;
	for (i = 0; i < ma.nfailed; i++)
		mc_finding_dns(r, ma.failed[i], "the addresses of the mail hosts");
	doms = domain_subjects(ctx, &ma, &ndoms);
	if (doms == NULL)
		goto out;

	addrs = json_array();
	json_object_set_new(data, "addresses", addrs);
	for (i = 0; i < ma.naddrs; i++) {
		json_t *o = mc_mailaddr_json(&ma.addrs[i]);

		json_object_set_new(o, "checked",
		    json_boolean(ma.addrs[i].public));
		json_array_append_new(addrs, o);
		if (ma.addrs[i].public)
			nip++;
		if (ma.addrs[i].public && ma.addrs[i].len == 16)
			nip6++;
	}
	jd = json_array();
	for (i = 0; i < ndoms; i++)
		json_array_append_new(jd, mc_json_dns_string(doms[i],
		    strlen(doms[i])));
	json_object_set_new(data, "domains", jd);
	json_object_set_new(data, "spf_record", json_boolean(ma.spf));
	json_object_set_new(data, "spf_terms_skipped",
	    json_integer((json_int_t)ma.spf_skipped));
	for (zi = 0; zi < list->nzones; zi++)
		if (list->zones[zi].kind == MC_DNSBL_KIND_DOMAIN)
			break;
	if (nip == 0 && ma.nfailed == 0)
		mc_finding_add(r, MC_F_DNSBL_NO_ADDRESS, ctx->domain,
		    "no public address of %s's mail to look up (no MX address "
		    "and no --ip)%s", ctx->domain, zi < list->nzones ?
		    "; only domain lists were asked" : "");

	/* every question of every zone, self-tests included, in one batch */
	max = list->nzones * (4 + (nip > ndoms ? nip : ndoms));
	q = mc_arena_calloc(ctx->arena, max + 1, sizeof(*q));
	asks = mc_arena_calloc(ctx->arena, max + 1, sizeof(*asks));
	zr = mc_arena_calloc(ctx->arena, list->nzones + 1, sizeof(*zr));
	if (q == NULL || asks == NULL || zr == NULL)
		goto out;
	for (zi = 0; zi < list->nzones; zi++) {
		z = &list->zones[zi];
		zr[zi].first = nq;
		if (z->kind == MC_DNSBL_KIND_IP) {
			if (inet_pton(AF_INET, z->test_listed, tb) != 1 ||
			    add_query(ctx, q, asks, &nq, zi, z, tb, 4, NULL,
			    z->test_listed, 1) != 1 ||
			    inet_pton(AF_INET, z->test_unlisted, tb) != 1 ||
			    add_query(ctx, q, asks, &nq, zi, z, tb, 4, NULL,
			    z->test_unlisted, 2) != 1)
				goto out;
			/* RFC 5782 5: an IPv6 question, the IPv6 self-test */
			if (nip6 > 0 && !z->ipv4_only) {
				zr[zi].has6 = 1;
				zr[zi].first6 = nq;
				if (inet_pton(AF_INET6, z->test6_listed, tb) != 1 ||
				    add_query(ctx, q, asks, &nq, zi, z, tb, 16,
				    NULL, z->test6_listed, 3) != 1 ||
				    inet_pton(AF_INET6, z->test6_unlisted,
				    tb) != 1 ||
				    add_query(ctx, q, asks, &nq, zi, z, tb, 16,
				    NULL, z->test6_unlisted, 4) != 1)
					goto out;
			}
			for (i = 0; i < ma.naddrs; i++) {
				if (!ma.addrs[i].public || (z->ipv4_only &&
				    ma.addrs[i].len != 4))
					continue;
				if (add_query(ctx, q, asks, &nq, zi, z,
				    ma.addrs[i].addr, ma.addrs[i].len, NULL,
				    ma.addrs[i].text, 0) == -1)
					goto out;
			}
		} else {
			if (add_query(ctx, q, asks, &nq, zi, z, NULL, 0,
			    z->test_listed, z->test_listed, 1) != 1 ||
			    add_query(ctx, q, asks, &nq, zi, z, NULL, 0,
			    z->test_unlisted, z->test_unlisted, 2) != 1)
				goto out;
			for (i = 0; i < ndoms; i++)
				if (add_query(ctx, q, asks, &nq, zi, z, NULL, 0,
				    doms[i], doms[i], 0) == -1)
					goto out;
		}
	}
	mc_dns_lookup_batch(ctx->dns, q, nq);

	/* classify; errors anywhere make the zone unusable */
	for (i = 0; i < nq; i++)
		classify(&list->zones[asks[i].zone], &asks[i], q[i].ans,
		    &zr[asks[i].zone]);
	for (zi = 0; zi < list->nzones; zi++) {
		i = zr[zi].first;
		self_test(&zr[zi].state, zr[zi].reason, sizeof(zr[zi].reason),
		    "", &asks[i], q[i].ans, &asks[i + 1], q[i + 1].ans);
		i = zr[zi].first6;
		if (zr[zi].has6)
			self_test(&zr[zi].state6, zr[zi].reason6,
			    sizeof(zr[zi].reason6), "IPv6 ", &asks[i],
			    q[i].ans, &asks[i + 1], q[i + 1].ans);
	}

	/* TXT reasons of the listings that count, in one batch */
	tq = mc_arena_calloc(ctx->arena, nq + 1, sizeof(*tq));
	if (tq == NULL)
		goto out;
	for (i = 0; i < nq; i++) {
		if (asks[i].test || !counted(&zr[asks[i].zone], &asks[i]) ||
		    (asks[i].verdict != MC_DNSBL_LISTED &&
		    asks[i].verdict != MC_DNSBL_POLICY))
			continue;
		asks[i].tqi = ntq;
		asks[i].has_txt = 1;
		tq[ntq].name = q[i].name;
		tq[ntq++].type = MC_RR_TXT;
	}
	mc_dns_lookup_batch(ctx->dns, tq, ntq);
	for (i = 0; i < nq; i++)
		if (asks[i].has_txt)
			asks[i].txt = tq[asks[i].tqi].ans;

	zones = json_array();
	json_object_set_new(data, "zones", zones);
	for (zi = 0; zi < list->nzones; zi++) {
		z = &list->zones[zi];
		report_zone(ctx, z, &zr[zi]);
		if (zr[zi].state == Z_USABLE)
			nchecked++;
		else if (zr[zi].state == Z_TEMPFAIL)
			ntempfail++;
		else
			nunusable++;
		zr[zi].results = json_array();
		for (i = 0; i < nq; i++) {
			if (asks[i].zone != zi || asks[i].test)
				continue;
			reason = txt_reason(ctx->arena, asks[i].txt, &rlen);
			if (counted(&zr[zi], &asks[i])) {
				report_answer(ctx, z, &asks[i], q[i].ans, reason,
				    rlen);
				if (asks[i].answered && (asks[i].verdict ==
				    MC_DNSBL_LISTED || asks[i].verdict ==
				    MC_DNSBL_POLICY))
					nlisted++;
			}
			json_array_append_new(zr[zi].results,
			    result_json(&asks[i], q[i].ans, reason, rlen));
		}
		jz = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o}",
		    "zone", z->zone,
		    "kind", z->kind == MC_DNSBL_KIND_IP ? "ip" : "domain",
		    "status", zstate_str[zr[zi].state],
		    "self_test_ipv6", zr[zi].has6,
		    "ipv6_status", zr[zi].has6 && zr[zi].state == Z_USABLE ?
		    json_string(zstate_str[zr[zi].state6]) : json_null(),
		    "ipv6_reason", zr[zi].has6 && zr[zi].state == Z_USABLE &&
		    zr[zi].state6 != Z_USABLE ? mc_json_dns_string(zr[zi].reason6,
		    strlen(zr[zi].reason6)) : json_null(),
		    "reason", zr[zi].state == Z_USABLE ? json_null() :
		    mc_json_dns_string(zr[zi].reason, strlen(zr[zi].reason)),
		    "results", zr[zi].state == Z_USABLE ? zr[zi].results :
		    json_array());
		if (zr[zi].state != Z_USABLE)
			json_decref(zr[zi].results);
		json_array_append_new(zones, jz);
	}
	mc_metric_set(r, "listed", (double)nlisted);
	mc_metric_set(r, "zones_checked", (double)nchecked);
	mc_metric_set(r, "zones_unusable", (double)nunusable);
	mc_metric_set(r, "zones_tempfail", (double)ntempfail);
	mc_result_summary(r, "%zu listing%s on %zu usable zone%s (%zu "
	    "address%s, %zu domain%s)%s", nlisted, nlisted == 1 ? "" : "s",
	    nchecked, nchecked == 1 ? "" : "s", nip, nip == 1 ? "" : "es",
	    ndoms, ndoms == 1 ? "" : "s", nunusable + ntempfail > 0 ?
	    "; some zones could not be used" : "");
	rc = 0;
out:
	return rc;
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
