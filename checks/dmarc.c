/* SPDX-License-Identifier: ISC */
/*
 * checks/dmarc.c - the domain's DMARC policy (RFC 7489, RFC 9989)
 *
 * One batch asks everything the policy depends on: the TXT records at
 * _dmarc.<name> for every name of the RFC 9989 4.10 tree walk (the domain,
 * then, for 8 labels or more, its last 7 labels, then one label fewer at a
 * time down to the top-level domain: at most 8 names), and the domain's own
 * TXT records (a DMARC record misplaced at the apex).  The answers are read
 * in walk order: the first name with exactly one DMARC record holds the
 * policy.  The organizational domain by the RFC 9989 rules (psd= tags, else
 * the shortest name with a record) is compared with the RFC 7489 one from
 * the Public Suffix List (libpsl's built-in list or the system's copy,
 * never the network).
 *
 * The record goes through the shared tag=value tokenizer; every known tag
 * is validated, unknown ones are ignored (RFC 9989 4.7) and reported.
 * Report URIs in other organizational domains need the destination's
 * consent (RFC 7489 7.1): <domain>._report._dmarc.<destination> and the
 * "*" form, asked together in a second batch.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "mailcheck/check.h"
#include "mailcheck/limits.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/util.h"
#include "banned.h"

#define PSL_SYSTEM_FILE "/usr/share/publicsuffix/public_suffix_list.dafsa"

enum { POLICY_NONE, POLICY_QUARANTINE, POLICY_REJECT };
static const char *const policy_names[] = { "none", "quarantine", "reject" };

/* What one _dmarc name held. */
struct node {
	const char *domain;   /* the name the record is for */
	const char *qname;    /* _dmarc.<domain> */
	const struct mc_dns_answer *ans;
	size_t ndmarc;        /* records that start with v=DMARC1 */
	size_t nother;        /* other TXT records */
	const struct mc_rr *rr; /* the first DMARC record */
	struct mc_tv_list *l; /* its tags, when they tokenize */
	int valid;            /* tokenized with v=DMARC1 first */
};

struct uri {
	const char *text;
	const char *tag;      /* "rua" or "ruf" */
	const char *host;     /* destination domain, NULL if malformed */
	size_t q;             /* index of its first question */
};

static int
policy_word(const char *v)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (strcasecmp(v, policy_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
valid_policy(struct mc_ctx *ctx, const char *v)
{
	(void)ctx;
	return policy_word(v) != -1;
}

static int
valid_align(struct mc_ctx *ctx, const char *v)
{
	(void)ctx;
	return strcasecmp(v, "r") == 0 || strcasecmp(v, "s") == 0;
}

static int
valid_yn(struct mc_ctx *ctx, const char *v)
{
	(void)ctx;
	return strcasecmp(v, "y") == 0 || strcasecmp(v, "n") == 0;
}

static int
valid_psd(struct mc_ctx *ctx, const char *v)
{
	return valid_yn(ctx, v) || strcasecmp(v, "u") == 0;
}

static int
all_digits(const char *v, size_t maxlen)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return i > 0 && i <= maxlen;
}

static int
valid_pct(struct mc_ctx *ctx, const char *v)
{
	(void)ctx;
	return all_digits(v, 3) && strtol(v, NULL, 10) <= 100;
}

static int
valid_ri(struct mc_ctx *ctx, const char *v)
{
	(void)ctx;
	return all_digits(v, 10) && strtoull(v, NULL, 10) <= 4294967295ULL;
}

/* Every element of a colon list is one of the words in allowed. */
static int
colon_list_of(struct mc_ctx *ctx, const char *v, const char *const *allowed)
{
	const char *el[MC_TV_MAX_TAGS];
	long n, i;
	size_t k;

	n = mc_tv_split(ctx->arena, v, ':', el, MC_TV_MAX_TAGS);
	if (n <= 0 || n > MC_TV_MAX_TAGS)
		return 0;
	for (i = 0; i < n; i++) {
		for (k = 0; allowed[k] != NULL; k++)
			if (strcasecmp(el[i], allowed[k]) == 0)
				break;
		if (allowed[k] == NULL)
			return 0;
	}
	return 1;
}

static int
valid_fo(struct mc_ctx *ctx, const char *v)
{
	static const char *const fo[] = { "0", "1", "d", "s", NULL };

	return colon_list_of(ctx, v, fo);
}

static int
valid_rf(struct mc_ctx *ctx, const char *v)
{
	static const char *const rf[] = { "afrf", NULL };

	return colon_list_of(ctx, v, rf);
}

/* URIs are checked one by one later. */
static int
valid_any(struct mc_ctx *ctx, const char *v)
{
	(void)ctx;
	(void)v;
	return 1;
}

static const struct tagdef {
	const char *name;
	int (*valid)(struct mc_ctx *ctx, const char *v);
	const char *expect;
} tagdefs[] = {
	{ .name = "v", .valid = valid_any, .expect = "DMARC1" },
	{ .name = "p", .valid = valid_policy,
	    .expect = "none, quarantine or reject" },
	{ .name = "sp", .valid = valid_policy,
	    .expect = "none, quarantine or reject" },
	{ .name = "np", .valid = valid_policy,
	    .expect = "none, quarantine or reject" },
	{ .name = "adkim", .valid = valid_align, .expect = "r or s" },
	{ .name = "aspf", .valid = valid_align, .expect = "r or s" },
	{ .name = "fo", .valid = valid_fo,
	    .expect = "a colon-separated list of 0, 1, d, s" },
	{ .name = "pct", .valid = valid_pct, .expect = "an integer 0-100" },
	{ .name = "rf", .valid = valid_rf, .expect = "afrf" },
	{ .name = "ri", .valid = valid_ri,
	    .expect = "seconds, a 32-bit unsigned integer" },
	{ .name = "rua", .valid = valid_any, .expect = "URIs" },
	{ .name = "ruf", .valid = valid_any, .expect = "URIs" },
	{ .name = "psd", .valid = valid_psd, .expect = "y, n or u" },
	{ .name = "t", .valid = valid_yn, .expect = "y or n" },
	{ .name = NULL },
};

/*
 * Does a TXT record claim to be DMARC ("v=DMARC1", spaces and case aside,
 * ending there or before a character that is not a letter or digit)?
 * RFC 7489 6.6.3 discards records of any other version ("v=DMARC2"): they
 * are not DMARC records and must not count as a second one.
 */
static int
claims_dmarc(const char *s, size_t len)
{
	size_t i = 0;
	unsigned char c;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len || (s[i] != 'v' && s[i] != 'V'))
		return 0;
	for (i++; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i == len || s[i] != '=')
		return 0;
	for (i++; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (len - i < 6 || strncasecmp(s + i, "DMARC1", 6) != 0)
		return 0;
	if (len - i == 6)
		return 1;
	c = (unsigned char)s[i + 6];
	return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'));
}

/* Tokenize a TXT record; 1 when it is a valid-looking DMARC record. */
static int
parse_dmarc(struct mc_ctx *ctx, const struct mc_rr *rr, struct mc_tv_list **lp)
{
	struct mc_tv_list *l;

	l = mc_arena_alloc(ctx->arena, sizeof(*l));
	*lp = l;
	if (l == NULL)
		return 0;
	if (mc_tv_parse(ctx->arena, rr->data, rr->len, l) == -1)
		return 0;
	return l->n > 0 && strcmp(l->tag[0].name, "v") == 0 &&
	    strcmp(l->tag[0].value, "DMARC1") == 0;
}

/* Classify the TXT records of one _dmarc name. */
static void
read_node(struct mc_ctx *ctx, struct node *nd)
{
	struct mc_tv_list *l;
	size_t i;

	for (i = 0; i < nd->ans->count; i++) {
		const struct mc_rr *rr = &nd->ans->rr[i];

		if (rr->type != MC_RR_TXT)
			continue;
		if (!claims_dmarc(rr->data, rr->len)) {
			nd->nother++;
			continue;
		}
		if (nd->ndmarc++ == 0) {
			nd->rr = rr;
			nd->valid = parse_dmarc(ctx, rr, &l);
			nd->l = l;
		}
	}
}

static size_t
count_labels(const char *domain)
{
	size_t x = 1;

	for (; *domain != '\0'; domain++)
		if (*domain == '.')
			x++;
	return x;
}

/* The last k labels of domain (a pointer into it); k >= 1. */
static const char *
suffix(const char *domain, size_t k)
{
	size_t skip;

	for (skip = count_labels(domain); skip > k; skip--)
		domain = strchr(domain, '.') + 1;
	return domain;
}

/*
 * The walk's names (RFC 9989 4.10), pointers into domain: the domain; then,
 * when it has 8 labels or more, its last 7; then one label fewer at a time,
 * down to one label.  Returns the count (at most MC_DMARC_WALK_MAX).
 */
static size_t
walk_names(const char *domain, const char **out)
{
	size_t x, n = 0, k;

	x = count_labels(domain);
	out[n++] = domain;
	k = x >= MC_DMARC_WALK_MAX ? MC_DMARC_WALK_MAX - 1 : x - 1;
	for (; k >= 1; k--)
		out[n++] = suffix(domain, k);
	return n;
}

/* The RFC 7489 organizational domain (PSL), or NULL. */
static const char *
psl_org(struct mc_ctx *ctx, const psl_ctx_t *psl, const char *domain)
{
	const char *r;

	if (psl == NULL)
		return NULL;
	r = psl_registrable_domain(psl, domain);
	return r != NULL ? mc_arena_strdup(ctx->arena, r) : NULL;
}

/*
 * Validate the tags of a record: 0 when every known tag is valid, -1 when
 * one is not, -2 when a tag is repeated (the record is invalid).
 */
static int
check_tags(struct mc_ctx *ctx, const char *subject, const struct mc_tv_list *l)
{
	struct mc_result *r = ctx->result;
	const struct tagdef *d;
	size_t i, j;
	int bad = 0;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < i; j++) {
			if (strcasecmp(l->tag[i].name, l->tag[j].name) == 0) {
				mc_finding_add(r, MC_F_DMARC_RECORD_SYNTAX, subject,
				    "DMARC record at %s repeats tag '%s' (offsets "
				    "%zu and %zu)", subject, l->tag[i].name,
				    l->tag[j].pos, l->tag[i].pos);
				return -2;
			}
		}
	}
	for (i = 1; i < l->n; i++) {
		for (d = tagdefs; d->name != NULL; d++)
			if (strcasecmp(d->name, l->tag[i].name) == 0)
				break;
		if (d->name == NULL) {
			mc_finding_add(r, MC_F_DMARC_TAG_UNKNOWN, subject,
			    "DMARC record at %s has unknown tag '%s' (ignored)",
			    subject, l->tag[i].name);
			continue;
		}
		if (strcmp(d->name, "v") == 0) {
			bad = 1;
			mc_finding_add(r, MC_F_DMARC_VERSION_INVALID, subject,
			    "DMARC record at %s has v= again at offset %zu",
			    subject, l->tag[i].pos);
			continue;
		}
		if (!d->valid(ctx, l->tag[i].value)) {
			bad = 1;
			mc_finding_add(r, MC_F_DMARC_TAG_INVALID, subject,
			    "DMARC record at %s: invalid value %s=%s (expected "
			    "%s)", subject, d->name, l->tag[i].value, d->expect);
		}
	}
	return bad ? -1 : 0;
}

/*
 * Parse one report URI, mailto:addr[?hfields][!size]; the destination host,
 * or NULL when malformed.  RFC 7489 6.2 makes '!' start the size limit (a
 * '!' in the URI itself must be percent-encoded); RFC 6068 allows ?hfields
 * after the address, and an empty address with the recipient in "to=".
 */
static const char *
uri_host(struct mc_ctx *ctx, const char *uri, const char **why)
{
	char name[MC_DNS_NAME_MAX + 2], err[128];
	const char *addr, *at, *host, *p, *q;
	size_t len, end, alen, i;

	if (strncasecmp(uri, "mailto:", 7) != 0) {
		*why = strchr(uri, ':') != NULL ?
		    "only mailto: URIs receive reports" : "not a URI";
		return NULL;
	}
	addr = uri + 7;
	end = strcspn(addr, "!");
	if (addr[end] == '!') {
		/* the size limit of RFC 7489 6.2: !digits[kmgt] */
		p = addr + end + 1;
		if (*p < '0' || *p > '9') {
			*why = "bad size limit after '!'";
			return NULL;
		}
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != '\0' && strchr("kmgtKMGT", *p) != NULL)
			p++;
		if (*p != '\0') {
			*why = "bad size limit after '!'";
			return NULL;
		}
	}
	alen = strcspn(addr, "?");
	if (alen > end)
		alen = end;
	if (alen == 0 && alen < end) {
		/* RFC 6068 "mailto:?to=addr": the first to= hfield */
		for (q = addr + 1; q < addr + end; q++)
			if ((q[-1] == '?' || q[-1] == '&') &&
			    strncasecmp(q, "to=", 3) == 0) {
				addr = q + 3;
				alen = strcspn(addr, "&!");
				break;
			}
	}
	at = NULL;
	for (i = 0; i < alen; i++)
		if (addr[i] == '@')
			at = addr + i;
	if (at == NULL || at == addr) {
		*why = "no user@domain address";
		return NULL;
	}
	host = at + 1;
	len = (size_t)(addr + alen - host);
	host = mc_arena_strndup(ctx->arena, host, len);
	if (host == NULL || mc_domain_normalise(host, name, sizeof(name), 0,
	    err, sizeof(err)) == -1) {
		*why = "the address's domain is not a valid domain name";
		return NULL;
	}
	return mc_arena_strdup(ctx->arena, name);
}

/* Collect the URIs of a tag into u; returns the number stored. */
static size_t
collect_uris(struct mc_ctx *ctx, const char *subject,
    const struct mc_tv_list *l, const char *tagname, struct uri *u, size_t nu,
    json_t *data)
{
	struct mc_result *r = ctx->result;
	const struct mc_tv_tag *t;
	const char *el[MC_DMARC_MAX_URIS], *why = "";
	json_t *arr;
	long n, i;

	t = mc_tv_get_icase(l, tagname);
	if (t == NULL)
		return nu;
	n = mc_tv_split(ctx->arena, t->value, ',', el, MC_DMARC_MAX_URIS);
	if (n < 0)
		return nu;
	if (n > 2)
		mc_finding_add(r, MC_F_DMARC_MANY_URIS, subject,
		    "%s= lists %ld URIs%s", tagname, n,
		    n > MC_DMARC_MAX_URIS ? mc_arena_printf(ctx->arena,
		    "; only the first %d were examined", MC_DMARC_MAX_URIS) :
		    "");
	if (n == 0)
		mc_finding_add(r, MC_F_DMARC_URI_INVALID, subject,
		    "%s= is empty", tagname);
	arr = json_array();
	for (i = 0; i < n && i < MC_DMARC_MAX_URIS; i++) {
		json_array_append_new(arr, mc_json_dns_string(el[i],
		    strlen(el[i])));
		u[nu].text = el[i];
		u[nu].tag = tagname;
		u[nu].host = uri_host(ctx, el[i], &why);
		if (u[nu].host == NULL)
			mc_finding_add(r, MC_F_DMARC_URI_INVALID, el[i],
			    "%s URI '%s' is malformed: %s", tagname, el[i], why);
		nu++;
	}
	json_object_set_new(data, tagname, arr);
	return nu;
}

/* Is TXT answer a DMARC authorisation ("v=DMARC1")? */
static int
authorises(const struct mc_dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->count; i++)
		if (a->rr[i].type == MC_RR_TXT &&
		    claims_dmarc(a->rr[i].data, a->rr[i].len))
			return 1;
	return 0;
}

/* RFC 7489 7.1: external destinations must consent. */
static int
check_destinations(struct mc_ctx *ctx, const psl_ctx_t *psl,
    const char *poldomain, struct uri *u, size_t nu)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query *q;
	const char *org, *dorg;
	size_t i, j, nq = 0;

	q = mc_arena_calloc(ctx->arena, 2 * nu + 1, sizeof(*q));
	if (q == NULL)
		return -1;
	org = psl_org(ctx, psl, poldomain);
	for (i = 0; i < nu; i++) {
		u[i].q = (size_t)-1;
		if (u[i].host == NULL)
			continue;
		dorg = psl_org(ctx, psl, u[i].host);
		if (strcmp(u[i].host, poldomain) == 0 || (org != NULL &&
		    dorg != NULL && strcmp(org, dorg) == 0))
			continue;
		for (j = 0; j < i; j++)
			if (u[j].q != (size_t)-1 &&
			    strcmp(u[j].host, u[i].host) == 0)
				break;
		if (j < i) {
			u[i].q = u[j].q;
			continue;
		}
		u[i].q = nq;
		q[nq].name = mc_arena_printf(ctx->arena, "%s._report._dmarc.%s",
		    poldomain, u[i].host);
		q[nq++].type = MC_RR_TXT;
		q[nq].name = mc_arena_printf(ctx->arena, "*._report._dmarc.%s",
		    u[i].host);
		q[nq++].type = MC_RR_TXT;
		if (q[nq - 1].name == NULL || q[nq - 2].name == NULL)
			return -1;
	}
	mc_dns_lookup_batch(ctx->dns, q, nq);
	for (i = 0; i < nu; i++) {
		if (u[i].q == (size_t)-1)
			continue;
		for (j = 0; j < i; j++)
			if (u[j].q == u[i].q)
				break;
		if (j < i)
			continue; /* reported once per destination */
		if (authorises(q[u[i].q].ans) || authorises(q[u[i].q + 1].ans))
			continue;
		/* either form may hold the consent: a failure of one is
		   no verdict, never "unauthorised" */
		if (mc_dns_failed(q[u[i].q].ans) ||
		    mc_dns_failed(q[u[i].q + 1].ans)) {
			for (j = 0; j < 2; j++)
				if (mc_dns_failed(q[u[i].q + j].ans))
					mc_finding_dns(r, q[u[i].q + j].ans,
					    "the report authorisation");
			continue;
		}
		mc_finding_add(r, MC_F_DMARC_REPORT_UNAUTHORIZED, u[i].text,
		    "%s destination %s has not authorised reports for %s: no "
		    "v=DMARC1 record at %s", u[i].tag, u[i].host, poldomain,
		    q[u[i].q].name);
		mc_finding_brief(r, "%s %s unauthorised", u[i].tag, u[i].host);
		mc_finding_hint(r, "publish '%s TXT \"v=DMARC1\"' in the zone "
		    "of %s, or send the reports to an address in %s",
		    q[u[i].q].name, u[i].host, poldomain);
	}
	return 0;
}

/* Grade the policy record found at nd (the domain's own, or inherited). */
static int
grade(struct mc_ctx *ctx, const psl_ctx_t *psl, const struct node *nd,
    int own, json_t *data)
{
	struct mc_result *r = ctx->result;
	const struct mc_tv_list *l = nd->l;
	const struct mc_tv_tag *t;
	const char *subject = nd->qname;
	struct uri *u;
	size_t nu = 0;
	int p = -1, sp = -1, np = -1, pct = 100, eff;

	if (check_tags(ctx, subject, l) == -2)
		return 0;
	if ((t = mc_tv_get_icase(l, "p")) != NULL && policy_word(t->value) == -1)
		return 0; /* no usable policy: the invalid p= says it all */
	if ((t = mc_tv_get_icase(l, "p")) != NULL)
		p = policy_word(t->value);
	if ((t = mc_tv_get_icase(l, "sp")) != NULL)
		sp = policy_word(t->value);
	if ((t = mc_tv_get_icase(l, "np")) != NULL)
		np = policy_word(t->value);
	if ((t = mc_tv_get_icase(l, "pct")) != NULL && valid_pct(ctx, t->value))
		pct = (int)strtol(t->value, NULL, 10);
	if (mc_tv_get_icase(l, "p") == NULL) {
		mc_finding_add(r, MC_F_DMARC_POLICY_MISSING, subject,
		    "DMARC record at %s has no p= tag", subject);
		p = POLICY_NONE;
	}
	if (p == -1)
		return 0;
	if (sp == -1)
		sp = p;
	if (np == -1)
		np = sp;
	eff = own ? p : sp;
	json_object_set_new(data, "p", json_string(policy_names[p]));
	json_object_set_new(data, "sp", json_string(policy_names[sp]));
	json_object_set_new(data, "np", json_string(policy_names[np]));
	json_object_set_new(data, "pct", json_integer(pct));
	json_object_set_new(data, "effective", json_string(policy_names[eff]));
	mc_metric_set(r, "policy", eff);
	mc_metric_set(r, "pct", pct);

	if (p == POLICY_NONE && mc_tv_get_icase(l, "p") != NULL) {
		mc_finding_add(r, MC_F_DMARC_POLICY_NONE, subject,
		    "DMARC policy of %s is p=none: failing mail is delivered "
		    "as usual", nd->domain);
		mc_finding_brief(r, "DMARC p=none");
	}
	if (pct < 100 && p != POLICY_NONE) {
		mc_finding_add(r, MC_F_DMARC_PCT_PARTIAL, subject,
		    "DMARC policy of %s applies to %d%% of failing mail (pct=%d)",
		    nd->domain, pct, pct);
		mc_finding_brief(r, "DMARC pct=%d", pct);
	}
	if (sp < p)
		mc_finding_add(r, MC_F_DMARC_SUBDOMAIN_WEAKER, subject,
		    "subdomain policy sp=%s is weaker than p=%s",
		    policy_names[sp], policy_names[p]);
	if (np < p && mc_tv_get_icase(l, "np") != NULL &&
	    policy_word(mc_tv_get_icase(l, "np")->value) != -1)
		mc_finding_add(r, MC_F_DMARC_SUBDOMAIN_WEAKER, subject,
		    "policy for non-existent subdomains np=%s is weaker than "
		    "p=%s", policy_names[np], policy_names[p]);
	if ((t = mc_tv_get_icase(l, "t")) != NULL && strcasecmp(t->value, "y") == 0)
		mc_finding_add(r, MC_F_DMARC_TESTING, subject,
		    "DMARC policy of %s is in testing mode (t=y)", nd->domain);
	if (mc_tv_get_icase(l, "rua") == NULL)
		mc_finding_add(r, MC_F_DMARC_NO_RUA, subject,
		    "DMARC record at %s has no rua=: nobody receives aggregate "
		    "reports", subject);

	u = mc_arena_calloc(ctx->arena, 2 * MC_DMARC_MAX_URIS, sizeof(*u));
	if (u == NULL)
		return -1;
	nu = collect_uris(ctx, subject, l, "rua", u, nu, data);
	nu = collect_uris(ctx, subject, l, "ruf", u, nu, data);
	if (nu > 0 && check_destinations(ctx, psl, nd->domain, u, nu) == -1)
		return -1;
	mc_result_summary(r, "p=%s%s%s (%s%s)", policy_names[p],
	    sp != p ? mc_arena_printf(ctx->arena, " sp=%s", policy_names[sp]) :
	    "", pct < 100 ? mc_arena_printf(ctx->arena, " pct=%d", pct) : "",
	    own ? "at " : "inherited from ", subject);
	return 0;
}

/* Report the problems of one node's records; 1 when it has one usable. */
static int
node_usable(struct mc_ctx *ctx, const struct node *nd, int report)
{
	struct mc_result *r = ctx->result;

	if (nd->ndmarc > 1) {
		if (report)
			mc_finding_add(r, MC_F_DMARC_MULTIPLE_RECORDS, nd->qname,
			    "%s has %zu DMARC records: receivers ignore them all",
			    nd->qname, nd->ndmarc);
		return 0;
	}
	if (nd->ndmarc == 0)
		return 0;
	if (!nd->valid) {
		if (!report)
			return 0;
		if (nd->l != NULL && nd->l->err != MC_TV_OK)
			mc_finding_add(r, MC_F_DMARC_RECORD_SYNTAX, nd->qname,
			    "DMARC record at %s: %s at offset %zu", nd->qname,
			    mc_tv_strerror(nd->l->err), nd->l->errpos);
		else
			mc_finding_add(r, MC_F_DMARC_VERSION_INVALID, nd->qname,
			    "record at %s does not start with exactly "
			    "v=DMARC1", nd->qname);
		return 0;
	}
	return 1;
}

/*
 * setup: the Public Suffix List, once.  libpsl's built-in list when it has
 * one, else the system's file; without either the organizational domain
 * is unknown and grading says so (psl NULL).
 */
static int
dmarc_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	(void)opts;
	(void)err;
	(void)errsize;
	if (psl_builtin() == NULL)
		*state = psl_load_file(PSL_SYSTEM_FILE);
	return 0;
}

static void
dmarc_teardown(void *state)
{
	psl_free(state);
}

static const psl_ctx_t *
psl_of(const struct mc_ctx *ctx)
{
	return ctx->state != NULL ? ctx->state : psl_builtin();
}

static int
dmarc_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct mc_dns_query q[MC_DMARC_WALK_MAX + 1];
	struct node nd[MC_DMARC_WALK_MAX];
	const char *names[MC_DMARC_WALK_MAX], *pslorg, *walkorg = NULL, *psd;
	const struct mc_dns_answer *apex;
	const psl_ctx_t *psl = psl_of(ctx);
	json_t *data, *walk;
	size_t i, n, pol = (size_t)-1;
	int rc = 0;

	data = json_object();
	if (data == NULL)
		return -1;
	r->data = data;
	n = walk_names(ctx->domain, names);
	for (i = 0; i < n; i++) {
		memset(&nd[i], 0, sizeof(nd[i]));
		nd[i].domain = names[i];
		nd[i].qname = mc_arena_printf(ctx->arena, "_dmarc.%s", names[i]);
		if (nd[i].qname == NULL)
			return -1;
		q[i].name = nd[i].qname;
		q[i].type = MC_RR_TXT;
	}
	q[n].name = ctx->domain;
	q[n].type = MC_RR_TXT;
	mc_dns_lookup_batch(ctx->dns, q, n + 1);
	apex = q[n].ans;


	walk = json_array();
	json_object_set_new(data, "walk", walk);
	for (i = 0; i < n; i++) {
		nd[i].ans = q[i].ans;
		read_node(ctx, &nd[i]);
		json_array_append_new(walk, json_pack("{s:s, s:s, s:i}",
		    "name", nd[i].qname, "status",
		    mc_dns_status_str(nd[i].ans->status),
		    "records", (int)nd[i].ndmarc));
	}

	/* the domain's own name first: every problem there is reported */
	if (mc_dns_failed(nd[0].ans)) {
		mc_finding_dns(r, nd[0].ans, "the DMARC record");
		goto out;
	}
	/* one finding quoting the first foreign record: the answer is the
	   zone's to fill, and thousands of records must not make thousands */
	for (i = 0; i < nd[0].ans->count && nd[0].nother > 0; i++) {
		const struct mc_rr *rr = &nd[0].ans->rr[i];
		char quote[61];
		size_t k, qlen = rr->len > 60 ? 60 : rr->len;

		if (rr->type != MC_RR_TXT || claims_dmarc(rr->data, rr->len))
			continue;
		/* raw text (the renderers escape it); a NUL must not cut it */
		for (k = 0; k < qlen; k++)
			quote[k] = rr->data[k] != '\0' ? rr->data[k] : '?';
		quote[qlen] = '\0';
		if (nd[0].nother == 1)
			mc_finding_add(r, MC_F_DMARC_NOT_DMARC, nd[0].qname,
			    "%s holds a TXT record that is not DMARC: \"%s%s\"",
			    nd[0].qname, quote, rr->len > 60 ? "..." : "");
		else
			mc_finding_add(r, MC_F_DMARC_NOT_DMARC, nd[0].qname,
			    "%s holds %zu TXT records that are not DMARC, the "
			    "first: \"%s%s\"", nd[0].qname, nd[0].nother, quote,
			    rr->len > 60 ? "..." : "");
		break;
	}
	if (!mc_dns_failed(apex)) {
		for (i = 0; i < apex->count; i++)
			if (apex->rr[i].type == MC_RR_TXT &&
			    claims_dmarc(apex->rr[i].data, apex->rr[i].len)) {
				mc_finding_add(r, MC_F_DMARC_RECORD_AT_APEX,
				    ctx->domain, "%s has a DMARC record at its "
				    "apex, where receivers do not look",
				    ctx->domain);
				break; /* one finding, however many */
			}
	}
	if (node_usable(ctx, &nd[0], 1))
		pol = 0;
	else if (nd[0].ndmarc == 0) {
		/* the walk, read in order: the first usable record applies */
		for (i = 1; i < n; i++) {
			if (mc_dns_failed(nd[i].ans)) {
				mc_finding_dns(r, nd[i].ans,
				    "the DMARC record of a parent domain");
				goto out;
			}
			if (node_usable(ctx, &nd[i], 0)) {
				pol = i;
				break;
			}
		}
	}

	/* RFC 9989 organizational domain: psd= tags, else the shortest */
	for (i = 0; i < n; i++) {
		if (mc_dns_failed(nd[i].ans)) {
			/* a shorter name may hold a record: unknown */
			walkorg = NULL;
			break;
		}
		if (!node_usable(ctx, &nd[i], 0))
			continue;
		psd = mc_tv_get_icase(nd[i].l, "psd") != NULL ?
		    mc_tv_get_icase(nd[i].l, "psd")->value : "u";
		if (strcasecmp(psd, "n") == 0) {
			walkorg = nd[i].domain;
			break;
		}
		if (strcasecmp(psd, "y") == 0) {
			/* one label below the public suffix domain */
			walkorg = i == 0 ? nd[i].domain : suffix(ctx->domain,
			    count_labels(nd[i].domain) + 1);
			break;
		}
		walkorg = nd[i].domain;
	}
	pslorg = psl_org(ctx, psl, ctx->domain);
	json_object_set_new(data, "org_domain", walkorg != NULL ?
	    json_string(walkorg) : json_null());
	json_object_set_new(data, "org_domain_psl", pslorg != NULL ?
	    json_string(pslorg) : json_null());
	if (walkorg != NULL && pslorg != NULL && strcmp(walkorg, pslorg) != 0)
		mc_finding_add(r, MC_F_DMARC_ORG_DOMAIN_DIFFERS, ctx->domain,
		    "the organizational domain of %s is %s by the DNS tree walk "
		    "(RFC 9989) but %s by the Public Suffix List (RFC 7489)",
		    ctx->domain, walkorg, pslorg);

	if (pol == (size_t)-1) {
		json_object_set_new(data, "policy_domain", json_null());
		if (nd[0].ndmarc == 0 || nd[0].ndmarc > 1) {
			if (nd[0].ndmarc == 0) {
				mc_finding_add(r, MC_F_DMARC_MISSING, nd[0].qname,
				    "no DMARC record for %s: none at %s and none "
				    "found by the tree walk (%zu names)",
				    ctx->domain, nd[0].qname, n);
				mc_finding_brief(r, "no DMARC");
			}
			mc_result_summary(r, "no DMARC policy");
		} else
			mc_result_summary(r, "no usable DMARC policy at %s",
			    nd[0].qname);
		goto out;
	}
	json_object_set_new(data, "policy_domain", json_string(nd[pol].domain));
	json_object_set_new(data, "record", mc_json_dns_string(nd[pol].rr->data,
	    nd[pol].rr->len));
	if (pol > 0)
		mc_finding_add(r, MC_F_DMARC_INHERITED, nd[0].qname,
		    "no DMARC record at %s; the policy of %s applies (RFC 9989 "
		    "tree walk)", nd[0].qname, nd[pol].domain);
	rc = grade(ctx, psl, &nd[pol], pol == 0, data);
out:
	return rc;
}

static const char *const dmarc_metrics[] = {
	"policy", "pct", NULL
};

const struct mc_check mc_check_dmarc = {
	.name = "dmarc",
	.summary = "DMARC policy record, discovery and report destinations",
	.rfc = "RFC 7489, RFC 9989",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.setup = dmarc_setup,
	.teardown = dmarc_teardown,
	.run = dmarc_run,
	.metrics = dmarc_metrics,
};
