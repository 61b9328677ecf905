/* SPDX-License-Identifier: ISC */
/*
 * checks/dkim.c - DKIM public keys and selector discovery (RFC 6376 3.6,
 * RFC 8301, RFC 8463)
 *
 * Selectors cannot be listed, so they are guessed: the user's selectors
 * (--dkim-selector) and the shipped list data/dkim-selectors (read once, in
 * setup, for every domain of the run), asked all at once, each once, as
 * <selector>._domainkey.<domain> TXT.  First, _domainkey.<domain>
 * is asked: NXDOMAIN there means nothing exists below it (RFC 8020), so
 * there is nothing to guess.  Not finding a guessed selector proves nothing;
 * only the user's selectors can be "missing".
 *
 * Ask, judge, report: each key record is read by src/dkim_key.c (the
 * parser the message verifier shares), whose problems become findings;
 * this file judges the key's size (RFC 8301) and what else the selector's
 * name holds: several key records, or a TXT record that is not a key
 * beside it (verifiers that read the first record fail when it comes
 * first).
 *
 * A wildcard (*._domainkey) answers every guessed selector alike, so a
 * selector nobody uses (MC_DKIM_WILDCARD_PROBE) is asked in the same
 * batch: when it holds a key, the guessed selectors that got the same
 * answer are the wildcard's, reported once (dkim.wildcard), not once
 * each.  The usual wildcard, an empty key, revokes every selector: with a
 * null MX and "v=spf1 -all" it locks a parked domain down (parked.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/datafile.h"
#include "mailcheck/dkim_key.h"
#include "mailcheck/dkim_selectors.h"
#include "mailcheck/limits.h"
#include "mailcheck/parked.h"
#include "mailcheck/util.h"
#include "banned.h"

struct sel {
	const char *name;     /* the selector */
	const char *provider; /* from the list, or NULL */
	int user;             /* given with --dkim-selector */
	const char *qname;    /* <selector>._domainkey.<domain>, or NULL */
};

/*
 * <name>._domainkey.<domain> in normal form into *qname, or NULL there when
 * it is not a valid name; 0, or -1 on no memory.  dk is
 * "_domainkey.<domain>" when that is a valid name in normal form already,
 * else NULL.  A name from the list is in normal form too
 * (mc_dkim_selector_normalise(), no final dot), so the joined name is valid
 * exactly when it is not too long, which is all mc_domain_normalise()
 * would find; it is joined without normalising it again (38 selectors a
 * domain, 8 % of a bulk run before).  Anything else is normalised whole.
 */
static int
sel_qname(struct mc_ctx *ctx, const char *name, int normal, const char *dk,
    const char **qname)
{
	char buf[MC_DNS_NAME_MAX + 2], err[128], *p;
	const char *qn;
	size_t nlen, dlen;

	*qname = NULL;
	if (normal && dk != NULL) {
		nlen = strlen(name);
		dlen = strlen(dk);
		if (nlen + 1 + dlen > MC_DNS_NAME_MAX)
			return 0;
		p = mc_arena_alloc(ctx->arena, nlen + 1 + dlen + 1);
		if (p == NULL)
			return -1;
		memcpy(p, name, nlen);
		p[nlen] = '.';
		memcpy(p + nlen + 1, dk, dlen + 1);
		*qname = p;
		return 0;
	}
	qn = mc_arena_printf(ctx->arena, "%s._domainkey.%s", name, ctx->domain);
	if (qn == NULL)
		return -1;
	if (mc_domain_normalise(qn, buf, sizeof(buf), 1, err,
	    sizeof(err)) == -1)
		return 0; /* not a valid name */
	*qname = mc_arena_strdup(ctx->arena, buf);
	return *qname != NULL ? 0 : -1;
}

/*
 * Add a selector unless one of the first ncmp is the same (a user's
 * selector that is also in the list is asked once, as the user's); 0 or
 * -1.  s has room for every selector offered.  The names point into the
 * options and the list, which outlive the run.
 */
static int
sel_add(struct mc_ctx *ctx, struct sel *s, size_t *n, size_t ncmp,
    const char *name, const char *provider, int user, const char *dk)
{
	size_t i;

	for (i = 0; i < ncmp; i++)
		if (strcasecmp(s[i].name, name) == 0)
			return 0;
	s[*n].name = name;
	s[*n].provider = provider;
	s[*n].user = user;
	if (sel_qname(ctx, name, !user, dk, &s[*n].qname) == -1)
		return -1;
	(*n)++;
	return 0;
}

/*
 * setup: the shipped selector list, read once for every domain of the run.
 * Missing, unreadable or malformed: an error naming the file (and line).
 */
static int
dkim_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	char path[4096];

	(void)opts;
	if (mc_datafile_find(MC_DKIM_SELECTOR_FILE, "DKIM selector list", "",
	    path, sizeof(path), err, errsize) == -1)
		return -1;
	*state = mc_dkim_selector_list_load(path, err, errsize);
	return *state != NULL ? 0 : -1;
}

static void
dkim_teardown(void *state)
{
	mc_dkim_selector_list_free(state);
}

/* A TXT record quoted for a message: its first 60 bytes. */
static const char *
quote(struct mc_ctx *ctx, const struct mc_rr *rr)
{
	return mc_quote(ctx->arena, rr->data, rr->len, 60);
}

/* Judge the key's size (RFC 8301 3.2): the parser only measures it. */
static void
judge_size(struct mc_ctx *ctx, const char *subject, const struct mc_dkim_key *k)
{
	struct mc_result *r = ctx->result;
	const char *dk;

	if (k->type != MC_DKIM_KEY_RSA || k->bits >= 2048)
		return;
	if (k->bits < 1024)
		mc_finding_add(r, MC_F_DKIM_KEY_TOO_SHORT, subject,
		    "RSA key at %s is %d bits: verifiers ignore signatures with "
		    "keys under 1024 bits", subject, k->bits);
	else
		mc_finding_add(r, MC_F_DKIM_KEY_WEAK, subject,
		    "RSA key at %s is %d bits; 2048 bits is the current "
		    "recommendation", subject, k->bits);
	/* "DKIM mail 1024 bit": the selector, for the plugin's line */
	dk = strstr(subject, "._domainkey.");
	mc_finding_brief(r, "DKIM %.*s %d bit", dk != NULL ?
	    (int)(dk - subject) : (int)strlen(subject), subject, k->bits);
	mc_finding_metric(r, "min_key_bits"); /* thresholds may override */
}

/* Parse the key record, report its problems and judge its size. */
static int
eval_record(struct mc_ctx *ctx, const char *subject, const struct mc_rr *rr,
    struct mc_dkim_key *k)
{
	size_t i;

	if (mc_dkim_key_parse(ctx->arena, subject, rr->data, rr->len, 0,
	    k) == -1)
		return -1;
	for (i = 0; i < k->nproblem; i++)
		mc_finding_add(ctx->result, k->problem[i].id, subject, "%s",
		    k->problem[i].message);
	judge_size(ctx, subject, k);
	return 0;
}

/*
 * One selector's answer; returns 1 when a key record was found (and read
 * into k, the record into *rec), 0 when not, -1 on no memory.
 */
static int
eval_selector(struct mc_ctx *ctx, const struct sel *s,
    const struct mc_dns_answer *ans, struct mc_dkim_key *k,
    const struct mc_rr **rec)
{
	struct mc_result *r = ctx->result;
	const struct mc_rr *first = NULL, *other = NULL;
	size_t i, nrec = 0, nother = 0;

	if (mc_dns_failed(ans)) {
		mc_finding_dns(r, ans, "the DKIM key");
		return 0;
	}
	for (i = 0; i < ans->count && i < MC_DKIM_MAX_RECORDS; i++) {
		if (ans->rr[i].type != MC_RR_TXT)
			continue;
		if (!mc_dkim_key_looks(ctx->arena, ans->rr[i].data,
		    ans->rr[i].len)) {
			if (nother++ == 0)
				other = &ans->rr[i];
			continue;
		}
		if (nrec++ == 0)
			first = &ans->rr[i];
	}
	if (ans->cname != NULL) {
		/* the message leads with what is wrong (the plugin's first
		   line keeps only the part before the first ':'); a
		   selector the user signs with fails verification now, a
		   guessed one is a leftover alias another may take over */
		if (nrec > 0)
			mc_finding_add(r, MC_F_DKIM_SELECTOR_CNAME, s->qname,
			    "selector %s is an alias (CNAME) of %s", s->name,
			    ans->cname);
		else if (s->user || ans->status == MC_DNS_NXDOMAIN ||
		    ans->status == MC_DNS_NODATA || ans->count == 0)
			mc_finding_add_sev(r, MC_F_DKIM_CNAME_DANGLING,
			    s->user ? MC_CRIT : MC_WARN, s->qname,
			    "no key record for DKIM selector %s: it is an "
			    "alias (CNAME) of %s, which has none", s->name,
			    ans->cname);
		if (nrec == 0)
			return 0;
	}
	if (nrec == 0) {
		if (s->user)
			mc_finding_add(r, MC_F_DKIM_SELECTOR_MISSING, s->qname,
			    "no DKIM key record at %s (%s)", s->qname,
			    ans->count > 0 ? "a TXT record that is not a key" :
			    mc_dns_status_str(ans->status));
		return 0;
	}
	if (nrec > 1)
		mc_finding_add(r, MC_F_DKIM_MULTIPLE_RECORDS, s->qname,
		    "selector %s has %zu key records", s->name, nrec);
	/* RFC 6376 3.6.2.2: verifiers reading the first TXT record fail when
	   the other one comes first, and DNS order varies */
	if (nother > 0)
		mc_finding_add(r, MC_F_DKIM_NON_KEY_RECORD, s->qname,
		    "selector %s holds %s TXT record%s that %s not a key "
		    "beside the key: %s; verifiers that read only the first "
		    "record fail whenever DNS returns %s first", s->name,
		    nother == 1 ? "a" : mc_arena_printf(ctx->arena, "%zu",
		    nother), nother == 1 ? "" : "s", nother == 1 ? "is" : "are",
		    quote(ctx, other), nother == 1 ? "it" : "one");
	*rec = first;
	if (eval_record(ctx, s->qname, first, k) == -1)
		return -1;
	return 1;
}

/*
 * A selector's entry in the data: its name, the answer and, when a key
 * record was found (rec not NULL), the record and what the key is; NULL
 * on no memory.
 */
static json_t *
selector_json(const struct sel *s, const struct mc_dns_answer *ans,
    const struct mc_rr *rec, const struct mc_dkim_key *k)
{
	json_t *js;
	int rc = 0;

	/* built by hand: json_pack() parses its format each time */
	js = json_object();
	if (js == NULL)
		return NULL;
	rc |= json_object_set_new(js, "selector", json_string(s->name));
	rc |= json_object_set_new(js, "name", json_string(s->qname));
	rc |= json_object_set_new(js, "source", json_string(s->user ? "user" :
	    "list"));
	if (s->provider != NULL)
		rc |= json_object_set_new(js, "provider", mc_json_dns_string(
		    s->provider, strlen(s->provider)));
	rc |= json_object_set_new(js, "status", json_string(
	    mc_dns_status_str(ans->status)));
	if (!mc_dns_failed(ans) && ans->cname != NULL)
		rc |= json_object_set_new(js, "cname", json_string(ans->cname));
	if (rec != NULL) {
		rc |= json_object_set_new(js, "record", mc_json_dns_string(
		    rec->data, rec->len));
		rc |= json_object_set_new(js, "key_type",
		    k->type != MC_DKIM_KEY_NONE ? json_string(k->ktype) :
		    json_null());
		if (k->type != MC_DKIM_KEY_NONE) {
			rc |= json_object_set_new(js, "bits",
			    json_integer(k->bits));
			rc |= json_object_set_new(js, "encoding",
			    json_string(k->encoding));
		}
		rc |= json_object_set_new(js, "revoked",
		    json_boolean(k->revoked));
		rc |= json_object_set_new(js, "testing", json_boolean(
		    (k->flags & MC_DKIM_FLAG_TESTING) != 0));
	}
	if (rc != 0) {
		json_decref(js);
		return NULL;
	}
	return js;
}

/* "rsa 2048", "ed25519", "revoked", "invalid": for the summary */
static const char *
key_desc(struct mc_ctx *ctx, const struct mc_dkim_key *k)
{
	if (k->type == MC_DKIM_KEY_NONE)
		return k->revoked ? "revoked" : "invalid";
	if (k->type == MC_DKIM_KEY_RSA)
		return mc_arena_printf(ctx->arena, "rsa %d", k->bits);
	return "ed25519";
}

/* What the selectors found, over the whole run. */
struct tally {
	size_t found, nrsa, ned, nfailed;
	size_t nwild;         /* guessed selectors the wildcard answered */
	int minbits;
	char summary[256];
	size_t so;
};

/*
 * Ask every selector (the user's, then the list's) at once, and the
 * wildcard probe with them, last (*probe).
 */
static struct mc_dns_query *
ask_selectors(struct mc_ctx *ctx, const struct sel *s, size_t n,
    const struct mc_dns_answer **probe)
{
	struct mc_dns_query *q;
	size_t i, nq = 0;

	q = mc_arena_calloc(ctx->arena, n + 2, sizeof(*q));
	if (q == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (s[i].qname != NULL)
			q[nq++] = (struct mc_dns_query){ .name = s[i].qname,
			    .type = MC_RR_TXT };
	q[nq].name = mc_dkim_wildcard_probe(ctx);
	q[nq].type = MC_RR_TXT;
	if (q[nq].name == NULL)
		return NULL;
	mc_dns_lookup_batch(ctx->dns, q, nq + 1);
	*probe = q[nq].ans;
	return q;
}

/* The same records, in the same order (a wildcard's answer)? */
static int
same_records(const struct mc_dns_answer *a, const struct mc_dns_answer *b)
{
	size_t i;

	if (a->status != b->status || a->count != b->count ||
	    a->cname != NULL || b->cname != NULL)
		return 0;
	for (i = 0; i < a->count; i++)
		if (a->rr[i].type != b->rr[i].type ||
		    a->rr[i].len != b->rr[i].len ||
		    memcmp(a->rr[i].data, b->rr[i].data, a->rr[i].len) != 0)
			return 0;
	return 1;
}

/* Count a key found: by type, and the smallest RSA key. */
static void
count_key(struct tally *t, const struct mc_dkim_key *k)
{
	t->found++;
	if (k->type == MC_DKIM_KEY_RSA) {
		t->nrsa++;
		if (t->minbits == 0 || k->bits < t->minbits)
			t->minbits = k->bits;
	} else if (k->type == MC_DKIM_KEY_ED25519)
		t->ned++;
}

/*
 * The wildcard key, once: its record read and judged under the name
 * *._domainkey.<domain>, and one finding for every selector it answered.
 */
static int
report_wildcard(struct mc_ctx *ctx, const struct mc_dns_answer *probe,
    struct tally *t, json_t *data)
{
	struct mc_result *r = ctx->result;
	struct mc_dkim_key k;
	const char *subject;
	const struct mc_rr *rr = NULL;
	size_t i;

	subject = mc_arena_printf(ctx->arena, "*._domainkey.%s", ctx->domain);
	if (subject == NULL)
		return -1;
	for (i = 0; i < probe->count && rr == NULL; i++)
		if (probe->rr[i].type == MC_RR_TXT &&
		    mc_dkim_key_looks(ctx->arena, probe->rr[i].data,
		    probe->rr[i].len))
			rr = &probe->rr[i];
	if (rr == NULL)
		return 0;
	memset(&k, 0, sizeof(k));
	if (mc_dkim_key_parse(ctx->arena, subject, rr->data, rr->len, 0,
	    &k) == -1)
		return -1;
	json_object_set_new(data, "wildcard", json_pack("{s:o, s:b, s:I}",
	    "record", mc_json_dns_string(rr->data, rr->len), "revoked",
	    k.revoked, "selectors", (json_int_t)t->nwild));
	if (k.revoked) {
		mc_finding_add(r, MC_F_DKIM_WILDCARD, subject, "a wildcard "
		    "key record with an empty key (p=) at %s answers every "
		    "selector (%zu of those tried): every DKIM key of the "
		    "domain is revoked, so no signature in its name verifies",
		    subject, t->nwild);
		mc_dkim_key_release(&k);
		return 0;
	}
	mc_dkim_key_release(&k);
	mc_finding_add(r, MC_F_DKIM_WILDCARD, subject, "a wildcard key record "
	    "at %s answers every selector (%zu of those tried) with the same "
	    "key; it is judged once", subject, t->nwild);
	if (eval_record(ctx, subject, rr, &k) == -1)
		return -1;
	count_key(t, &k);
	mc_dkim_key_release(&k);
	return 0;
}

/*
 * Judge one selector's answer and count it; 0 or -1.  Its entry in the
 * data is built only when kept (most of the ~40 guessed selectors of a
 * domain are absent, and dropped).
 */
static int
judge_selector(struct mc_ctx *ctx, const struct sel *s,
    const struct mc_dns_answer *ans, json_t *list, struct tally *t)
{
	const struct mc_rr *rec = NULL;
	struct mc_dkim_key k;
	int rc;

	rc = eval_selector(ctx, s, ans, &k, &rec);
	if (rc == -1)
		return -1;
	if (rc == 0 && mc_dns_failed(ans))
		t->nfailed++;
	if (rc == 0 && !s->user && !mc_dns_failed(ans) && ans->cname == NULL)
		return 0;
	if (json_array_append_new(list, selector_json(s, ans, rec, &k)) == -1)
		return -1;
	if (rc == 0)
		return 0;
	count_key(t, &k);
	if (t->so < sizeof(t->summary))
		t->so += (size_t)snprintf(t->summary + t->so,
		    sizeof(t->summary) - t->so, "%s%s (%s)", t->found > 1 ?
		    ", " : "", s->name, key_desc(ctx, &k));
	return 0;
}

/* Metrics, the findings over all selectors, and the summary. */
static void
report_tally(struct mc_ctx *ctx, const struct sel *s, size_t n,
    const struct tally *t)
{
	struct mc_result *r = ctx->result;
	size_t i;

	mc_metric_set(r, "selectors_found", (double)t->found);
	if (t->nrsa > 0)
		mc_metric_set(r, "min_key_bits", t->minbits);
	if (t->ned > 0 && t->nrsa == 0)
		mc_finding_add(r, MC_F_DKIM_ED25519_ONLY, ctx->domain,
		    "only ed25519 keys were found for %s", ctx->domain);
	if (t->nwild > 0) {
		/* the wildcard answered the guesses: the user's own, if
		   any, were judged one by one */
		mc_result_summary(r, "a wildcard answers every selector%s%s",
		    t->found == 0 ? " with a revoked key" : "",
		    t->so > 0 ? mc_arena_printf(ctx->arena, "; %s",
		    t->summary) : "");
		return;
	}
	if (t->found > 0) {
		mc_result_summary(r, "%zu selector%s: %s", t->found,
		    t->found == 1 ? "" : "s", t->summary);
		return;
	}
	if (t->nfailed > 0) {
		/* a failed selector may hold the key: no verdict */
		mc_result_summary(r, "no selector found among %zu tried; %zu "
		    "lookup%s failed", n, t->nfailed, t->nfailed == 1 ? "" : "s");
		return;
	}
	for (i = 0; i < n; i++)
		if (s[i].user)
			break;
	if (n == 0)
		/* an empty list and no -s: nothing was asked */
		mc_finding_add(r, MC_F_DKIM_NO_SELECTOR_FOUND, ctx->domain,
		    "no DKIM selector was tried: the selector list is empty and "
		    "none was given with --dkim-selector");
	else if (i == n)
		mc_finding_add(r, MC_F_DKIM_NO_SELECTOR_FOUND, ctx->domain,
		    "no DKIM selector found among %zu tried", n);
	if (n == 0)
		mc_result_summary(r, "no selector tried");
	else
		mc_result_summary(r, "no selector found among %zu tried", n);
}

/* RFC 8020: NXDOMAIN at _domainkey means no selector below it; 1 then. */
static int
domainkey_absent(struct mc_ctx *ctx, const struct sel *s, size_t n,
    json_t *data)
{
	struct mc_result *r = ctx->result;
	const struct mc_dns_answer *dk;
	const char *qn;
	size_t i;

	qn = mc_arena_printf(ctx->arena, "_domainkey.%s", ctx->domain);
	if (qn == NULL)
		return -1;
	dk = mc_dns_lookup(ctx->dns, qn, MC_RR_TXT);
	json_object_set_new(data, "domainkey", json_string(
	    mc_dns_status_str(dk->status)));
	if (dk->status != MC_DNS_NXDOMAIN)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i].user)
			mc_finding_add(r, MC_F_DKIM_SELECTOR_MISSING,
			    s[i].qname != NULL ? s[i].qname : s[i].name,
			    "no DKIM key record for selector %s: %s does not "
			    "exist", s[i].name, qn);
	mc_finding_add(r, MC_F_DKIM_DOMAINKEY_NXDOMAIN, qn, "%s does not exist "
	    "(NXDOMAIN), so no DKIM selector can exist below it", qn);
	mc_metric_set(r, "selectors_found", 0);
	mc_result_summary(r, "no DKIM keys: %s does not exist", qn);
	return 1;
}

/*
 * "_domainkey.<domain>" when it is a valid name in normal form already
 * (sel_qname() joins the list's names to it), else NULL; dk is the same
 * name as asked.
 */
static const char *
domainkey_normal(const char *dk)
{
	char buf[MC_DNS_NAME_MAX + 2], err[128];

	if (mc_domain_normalise(dk, buf, sizeof(buf), 1, err,
	    sizeof(err)) == -1 || strcmp(buf, dk) != 0)
		return NULL;
	return dk;
}

/* The selectors to ask: the user's, then the list's, each once. */
static struct sel *
gather_selectors(struct mc_ctx *ctx, size_t *np)
{
	const struct mc_dkim_selector_list *sl = ctx->state;
	struct sel *s;
	const char *dk;
	size_t i, nuser;

	*np = 0;
	nuser = ctx->opts != NULL ? ctx->opts->nselectors : 0;
	s = mc_arena_calloc(ctx->arena, nuser + (sl != NULL ? sl->n : 0) + 1,
	    sizeof(*s));
	dk = mc_arena_printf(ctx->arena, "_domainkey.%s", ctx->domain);
	if (dk == NULL)
		return NULL;
	dk = domainkey_normal(dk);
	for (i = 0; s != NULL && i < nuser; i++)
		if (sel_add(ctx, s, np, *np, ctx->opts->selectors[i], NULL, 1,
		    dk) == -1)
			s = NULL;
	/* the list holds each name once: compare with the user's only */
	nuser = *np;
	for (i = 0; s != NULL && sl != NULL && i < sl->n; i++)
		if (sel_add(ctx, s, np, nuser, sl->v[i].name,
		    sl->v[i].provider, 0, dk) == -1)
			s = NULL;
	return s;
}

static int
dkim_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct tally t = { .found = 0 };
	const struct mc_dns_answer *probe = NULL;
	struct mc_dns_query *q;
	struct sel *s;
	json_t *data, *list;
	size_t i, n = 0, nq = 0;
	int rc, wild, revoked;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	s = gather_selectors(ctx, &n);
	if (s == NULL)
		return -1;
	rc = domainkey_absent(ctx, s, n, data);
	json_object_set_new(data, "tried", json_integer((json_int_t)n));
	list = json_array();
	json_object_set_new(data, "selectors", list);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	q = ask_selectors(ctx, s, n, &probe);
	if (q == NULL)
		return -1;
	wild = mc_dkim_wildcard_key(ctx, probe, &revoked);
	if (wild == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i].qname == NULL) {
			if (s[i].user)
				mc_finding_add(r, MC_F_DKIM_SELECTOR_MISSING,
				    s[i].name, "selector '%s' does not make a "
				    "valid name under %s", s[i].name, ctx->domain);
			continue;
		}
		/* a guessed selector the wildcard answered: counted, and
		   reported once below */
		if (wild == 1 && !s[i].user && same_records(q[nq].ans, probe)) {
			t.nwild++;
			nq++;
			continue;
		}
		if (judge_selector(ctx, &s[i], q[nq++].ans, list, &t) == -1)
			return -1;
	}
	if (t.nwild > 0 && report_wildcard(ctx, probe, &t, data) == -1)
		return -1;
	report_tally(ctx, s, n, &t);
	return 0;
}

static const char *const dkim_metrics[] = {
	"selectors_found", "min_key_bits", NULL
};

const struct mc_check mc_check_dkim = {
	.name = "dkim",
	.summary = "DKIM selectors and their public keys",
	.rfc = "RFC 6376 3.6, RFC 8301, RFC 8463",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.setup = dkim_setup,
	.teardown = dkim_teardown,
	.run = dkim_run,
	.metrics = dkim_metrics,
};
