/* SPDX-License-Identifier: ISC */
/*
 * checks/spf.c - does the domain publish a sound SPF policy? (RFC 7208)
 *
 * Three parts.  The record: selection, syntax, length, type SPF, risky
 * terms.  The lookup tree: every include and redirect followed
 * breadth-first, all questions of one level in one mc_dns_lookup_batch()
 * (the TXT records of the next includes, the MX and address records of the
 * a, mx and exists terms, the addresses of MX hosts), so a tree costs about
 * as many round trips as it is deep; each node counts the lookups and void
 * lookups check_host() would spend on it when nothing matches early.  Void
 * lookups are counted per address family of the client: an a term asks A
 * for an IPv4 client and AAAA for an IPv6 one (RFC 7208 5.3), so a name
 * with only A records is void for IPv6 clients alone.  The exp= explanation
 * of the domain's record is asked with the second level.  The tree is
 * shown even when the record is broken or over the limits.
 * Authorisation: every address of the domain's MX hosts and every --ip goes
 * through check_host() (src/spf_eval.c), which by then finds almost every
 * answer in the cache.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/dns_batch.h"
#include "mailcheck/escape.h"
#include "mailcheck/limits.h"
#include "mailcheck/spf.h"
#include "mailcheck/util.h"
#include "banned.h"

#define MAX_NODES 64     /* records in the tree */
#define MAX_PENDING 512  /* questions of one level */
#define FIRST_PENDING 32 /* room for them at first: most levels ask few */
#define MAX_AUTH 32      /* MX addresses evaluated */
/* lookup terms after which includes are no longer followed: enough to show
   how far over the limit a policy is, without fetching an endless tree */
#define MC_SPF_TREE_LOOKUPS (4 * MC_SPF_MAX_LOOKUPS)
#define MAX_DEAD_SHOWN 5 /* dead terms named in a finding */

/* The client's address family, for void lookups (RFC 7208 5.3). */
enum family { F_IPV4, F_IPV6, F_COUNT };
#define FAM_IPV4 (1u << F_IPV4)
#define FAM_IPV6 (1u << F_IPV6)
#define FAM_BOTH (FAM_IPV4 | FAM_IPV6)

struct node {
	const char *domain;
	const char *via;          /* the include/redirect term, NULL: root */
	struct node *parent;
	int depth;
	struct mc_spf_record rec;
	int ok;                   /* has a parsed record */
	size_t lookups;
	size_t voids[F_COUNT];    /* void lookups per client family */
	json_t *json;
	json_t *children;
	json_t *terms;            /* per term: lookups and void lookups */
	json_t *via_json;         /* the parent's entry for the via term */
	size_t total;             /* lookups: this and below */
	size_t vtotal[F_COUNT];   /* void lookups: this and below */
};

enum pend_kind { P_TXT, P_ADDR, P_MX, P_HOST, P_EXP };

struct pend {
	enum pend_kind kind;
	struct node *n;
	const char *term;
	json_t *tj;               /* the term's entry in the tree, or NULL */
	struct mc_dns_query q;    /* the question, and its answer */
	unsigned fam;             /* P_ADDR: the families an empty answer is
	                             void for (a: A IPv4, AAAA IPv6; exists:
	                             both, it asks A whatever the client) */
};

struct tree {
	struct mc_ctx *ctx;
	struct node *nodes[MAX_NODES]; /* from the arena, as they come: most
	                                  trees have a few, and zeroing 64
	                                  cost more than the rest of the tree */
	size_t nnodes;
	struct pend *pend, *next;
	size_t npend, nnext;
	size_t pend_room, next_room; /* grown up to MAX_PENDING */
	int nomem;
	size_t lookups;
	size_t voids[F_COUNT];    /* void lookups per client family */
	size_t walked;            /* lookup terms met so far, in fetch order */
	size_t uncounted;         /* includes whose records could not be read:
	                             their lookups are not in the total */
	size_t questions;         /* DNS questions this check asked */
	int truncated;
	const struct mc_dns_answer *root_mx;
	const struct mc_rr *root_rr;     /* the domain's record, or NULL */
	const struct mc_dns_answer *exp; /* TXT at the root's exp=, or NULL */
};

/* What authorisation found for the MX addresses, for the summary. */
struct auth {
	size_t nmx, npass;
	const char *first;        /* the first MX address that passes */
	size_t failed;            /* MX address lookups that failed */
};

static json_t *
dstr(const char *s)
{
	return s != NULL ? mc_json_dns_string(s, strlen(s)) : json_null();
}

static size_t
worst(const size_t v[F_COUNT])
{
	return v[F_IPV4] > v[F_IPV6] ? v[F_IPV4] : v[F_IPV6];
}

static void
push_fam(struct tree *t, enum pend_kind kind, struct node *n,
    const char *term, json_t *tj, const char *name, uint16_t type,
    unsigned fam)
{
	struct pend *grown;
	size_t room;

	if (t->nnext == MAX_PENDING) {
		t->truncated = 1;
		return;
	}
	if (t->nnext == t->next_room) {
		/* only the next level grows: the batch points into pend */
		room = t->next_room * 2 < MAX_PENDING ? t->next_room * 2 :
		    MAX_PENDING;
		grown = mc_arena_calloc(t->ctx->arena, room, sizeof(*grown));
		if (grown == NULL) {
			t->nomem = 1;
			return;
		}
		memcpy(grown, t->next, t->nnext * sizeof(*grown));
		t->next = grown;
		t->next_room = room;
	}
	t->next[t->nnext++] = (struct pend){ .kind = kind, .n = n,
	    .term = term, .tj = tj, .q = { .name = name, .type = type },
	    .fam = fam };
}

static void
push(struct tree *t, enum pend_kind kind, struct node *n, const char *term,
    json_t *tj, const char *name, uint16_t type)
{
	push_fam(t, kind, n, term, tj, name, type, FAM_BOTH);
}

/* Do a and b name the same domain (case, and a final dot, aside)? */
static int
same_domain(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* How many steps up from n domain is (0: n itself), or -1: not above n. */
static int
ancestor(const struct node *n, const char *domain)
{
	int up;

	for (up = 0; n != NULL; n = n->parent, up++)
		if (same_domain(n->domain, domain))
			return up;
	return -1;
}

static struct node *
new_node(struct tree *t, struct node *parent, const char *domain,
    const char *via, json_t *via_json)
{
	struct node *n;

	if (t->nnodes == MAX_NODES) {
		t->truncated = 1;
		return NULL;
	}
	n = mc_arena_calloc(t->ctx->arena, 1, sizeof(*n));
	if (n == NULL) {
		t->nomem = 1;
		return NULL;
	}
	t->nodes[t->nnodes++] = n;
	n->domain = domain;
	n->via = via;
	n->parent = parent;
	n->depth = parent != NULL ? parent->depth + 1 : 0;
	n->via_json = via_json;
	n->json = json_object();
	n->children = json_array();
	n->terms = json_array();
	json_object_set_new(n->json, "domain", dstr(domain));
	json_object_set_new(n->json, "via", dstr(via));
	json_object_set_new(n->json, "terms", n->terms);
	json_object_set_new(n->json, "includes", n->children);
	if (parent != NULL)
		json_array_append_new(parent->children, n->json);
	push(t, P_TXT, n, via, via_json, domain, MC_RR_TXT);
	return n;
}

/*
 * Has an earlier node of the tree the same domain, and so the same record?
 * Then the findings about the record itself were reported with it.
 */
static int
seen_before(const struct tree *t, const struct node *n)
{
	size_t i;

	for (i = 0; i < t->nnodes && t->nodes[i] != n; i++)
		if (same_domain(t->nodes[i]->domain, n->domain))
			return 1;
	return 0;
}

/*
 * Mechanisms after the first "all" are never evaluated (5.1), and a
 * redirect beside an "all" is ignored (6.1): the record's author may
 * believe them active.  Modifiers elsewhere (exp=, unknown ones) are fine
 * after "all".
 */
static void
dead_terms(struct tree *t, const struct node *n)
{
	struct mc_result *r = t->ctx->result;
	const struct mc_spf_term *term, *all = NULL;
	const char *list = "";
	size_t i, ndead = 0;

	for (i = 0; i < n->rec.nterms; i++) {
		term = &n->rec.terms[i];
		if (term->kind >= MC_SPF_REDIRECT)
			continue; /* modifiers */
		if (all == NULL) {
			if (term->kind == MC_SPF_ALL)
				all = term;
			continue;
		}
		if (ndead++ < MAX_DEAD_SHOWN) {
			list = mc_arena_printf(t->ctx->arena, "%s%s'%s'", list,
			    ndead > 1 ? " " : "", term->text);
			if (list == NULL)
				return;
		}
	}
	if (ndead > MAX_DEAD_SHOWN) {
		list = mc_arena_printf(t->ctx->arena, "%s and %zu more", list,
		    ndead - MAX_DEAD_SHOWN);
		if (list == NULL)
			return;
	}
	if (ndead > 0) {
		mc_finding_add(r, MC_F_SPF_TERMS_AFTER_ALL, n->domain, "the SPF "
		    "record of %s has %zu mechanism%s after '%s' that %s never "
		    "evaluated: %s", n->domain, ndead, ndead == 1 ? "" : "s",
		    all->text, ndead == 1 ? "is" : "are", list);
		mc_finding_hint(r, "move %s before '%s' in the SPF record of %s, "
		    "or remove %s: nothing after 'all' is ever tested", list,
		    all->text, n->domain, ndead == 1 ? "it" : "them");
	}
	if (all != NULL && n->rec.redirect != NULL)
		mc_finding_add(r, MC_F_SPF_REDIRECT_IGNORED, n->domain, "'%s' in "
		    "the SPF record of %s is ignored: the record has '%s'",
		    n->rec.redirect->text, n->domain, all->text);
}

/* Walk the terms of a freshly parsed record and queue what they ask. */
static void
expand_node(struct tree *t, struct node *n)
{
	struct mc_result *r = t->ctx->result;
	const struct mc_spf_term *term;
	const char *target;
	json_t *tj;
	size_t i;
	/* a hostile record repeats terms: one finding per problem, not per
	   term (ptr once; a loop once per ancestor, at most depth + 1) */
	unsigned long long loops = 0;
	int ptr_seen = 0, up;

	/* the parser decides what costs a lookup (term->costs): nothing
	   after "all" (5.1), no redirect beside "all" (6.1) */
	n->lookups = n->rec.nlookup_terms;
	for (i = 0; i < n->rec.nterms; i++) {
		term = &n->rec.terms[i];
		tj = json_object();
		json_object_set_new(tj, "term", dstr(term->text));
		json_object_set_new(tj, "lookups", json_integer(term->costs));
		json_object_set_new(tj, "void_lookups", json_integer(0));
		json_array_append_new(n->terms, tj);
		if (!term->costs)
			continue;
		t->walked++;
		target = term->domain != NULL ? term->domain : n->domain;
		if (term->kind == MC_SPF_PTR) {
			if (!ptr_seen++)
				mc_finding_add(r, MC_F_SPF_PTR, n->domain, "the "
				    "SPF record of %s uses '%s', which is slow "
				    "and deprecated", n->domain, term->text);
			continue;
		}
		if (term->has_macros)
			continue; /* depends on the sender: cannot follow */
		switch (term->kind) {
		case MC_SPF_INCLUDE:
		case MC_SPF_REDIRECT:
			if ((up = ancestor(n, target)) != -1) {
				if (up >= 64 || !(loops & 1ULL << up))
					mc_finding_add(r, MC_F_SPF_LOOP, target,
					    "'%s' in the SPF record of %s loops "
					    "back to %s", term->text, n->domain,
					    target);
				if (up < 64)
					loops |= 1ULL << up;
				continue;
			}
			if (n->depth < MC_SPF_MAX_DEPTH &&
			    t->walked <= MC_SPF_TREE_LOOKUPS)
				new_node(t, n, target, term->text, tj);
			else
				t->truncated = 1;
			break;
		case MC_SPF_A:
		case MC_SPF_MX:
		case MC_SPF_EXISTS:
			/* past the limit check_host() asks nothing more */
			if (t->walked > MC_SPF_MAX_LOOKUPS)
				continue;
			break;
		default:
			break;
		}
		switch (term->kind) {
		case MC_SPF_A:
			push_fam(t, P_ADDR, n, term->text, tj, target, MC_RR_A,
			    FAM_IPV4);
			push_fam(t, P_ADDR, n, term->text, tj, target,
			    MC_RR_AAAA, FAM_IPV6);
			break;
		case MC_SPF_MX:
			push(t, P_MX, n, term->text, tj, target, MC_RR_MX);
			break;
		case MC_SPF_EXISTS:
			push(t, P_ADDR, n, term->text, tj, target, MC_RR_A);
			break;
		default:
			break;
		}
	}
	/* the explanation of the domain's own record: asked now, with the
	   next level, instead of after the walk (one round trip less) */
	if (n->parent == NULL && n->rec.exp != NULL &&
	    !n->rec.exp->has_macros)
		push(t, P_EXP, n, n->rec.exp->text, NULL, n->rec.exp->domain,
		    MC_RR_TXT);
	if (!seen_before(t, n))
		dead_terms(t, n);
}

static void
record_findings(struct tree *t, struct node *n, const struct mc_rr *rr)
{
	struct mc_result *r = t->ctx->result;
	struct mc_spf_error err;

	json_object_set_new(n->json, "record", mc_json_dns_string(rr->data,
	    rr->len));
	if (mc_spf_parse(t->ctx->arena, rr->data, rr->len, &n->rec, &err) ==
	    -1) {
		mc_finding_add(r, MC_F_SPF_SYNTAX, n->domain, "syntax error in "
		    "the SPF record of %s at offset %zu, in '%s': %s",
		    n->domain, err.pos, err.term, err.reason);
		json_object_set_new(n->json, "error", json_pack("{s:I, s:o, s:o}",
		    "offset", (json_int_t)err.pos, "term", mc_json_shown(err.term),
		    "reason", dstr(err.reason)));
		return;
	}
	n->ok = 1;
}

/* A TXT answer for a node arrived. */
static void
got_txt(struct tree *t, struct node *n, const struct mc_dns_answer *ans)
{
	struct mc_result *r = t->ctx->result;
	size_t idx = 0;
	int sel;

	if (mc_dns_failed(ans)) {
		mc_finding_dns(r, ans, "the SPF record");
		if (n->parent != NULL)
			t->uncounted++;
		json_object_set_new(n->json, "error", json_string("lookup failed"));
		return;
	}
	sel = mc_spf_select(ans, &idx);
	if (sel == -1) {
		mc_finding_add(r, MC_F_SPF_MULTIPLE, n->domain, "%s publishes "
		    "more than one SPF record: every check of it is a "
		    "permerror", n->domain);
		json_object_set_new(n->json, "error",
		    json_string("several records"));
		return;
	}
	if (sel == 0) {
		if (n->parent == NULL) {
			mc_finding_add(r, MC_F_SPF_NONE, n->domain, "%s publishes "
			    "no SPF record", n->domain);
			mc_finding_brief(r, "no SPF");
		} else
			mc_finding_add(r, MC_F_SPF_TARGET_NONE, n->domain,
			    "'%s' in the SPF record of %s names %s, which has "
			    "no SPF record (permerror)", n->via,
			    n->parent->domain, n->domain);
		json_object_set_new(n->json, "error", json_string("no record"));
		return;
	}
	record_findings(t, n, &ans->rr[idx]);
	if (n->parent == NULL) {
		const struct mc_rr *rr = &ans->rr[idx];

		t->root_rr = rr;
		/* a string over 255 octets cannot exist: DNS and the zone
		   parser both refuse it (RFC 7208 3.3) */
		if (rr->len > MC_SPF_RECORD_UDP)
			mc_finding_add(r, MC_F_SPF_RECORD_TOO_LONG, n->domain,
			    "the SPF record of %s is %zu octets long; over %d "
			    "it may not fit a UDP answer", n->domain, rr->len,
			    MC_SPF_RECORD_UDP);
		else if (rr->len > MC_SPF_RECORD_LONG)
			mc_finding_add(r, MC_F_SPF_RECORD_LONG, n->domain,
			    "the SPF record of %s is %zu octets long; RFC 7208 "
			    "asks for at most %d", n->domain, rr->len,
			    MC_SPF_RECORD_LONG);
	}
	if (n->ok)
		expand_node(t, n);
}

/* The term of p found nothing for the clients of the families fam. */
static void
count_void(const struct pend *p, unsigned fam)
{
	static const char *const fam_str[] = {
		[FAM_IPV4] = "ipv4", [FAM_IPV6] = "ipv6", [FAM_BOTH] = "both",
	};
	int f;

	for (f = 0; f < F_COUNT; f++)
		if (fam & 1u << f)
			p->n->voids[f]++;
	/* a term is void at most once for a client, whatever its family */
	if (p->tj != NULL)
		json_object_set_new(p->tj, "void_lookups", json_integer(
		    json_integer_value(json_object_get(p->tj,
		    "void_lookups")) + 1));
	json_array_append_new(json_object_get(p->n->json, "void"),
	    mc_json_object_of("term", dstr(p->term), "name",
	    dstr(p->q.name), "family", json_string(fam_str[fam]), NULL));
}

static void
got_answer(struct tree *t, const struct pend *p, const struct mc_dns_answer *ans,
    const struct mc_dns_answer *pair)
{
	size_t i, n = 0;
	unsigned fam = 0;

	switch (p->kind) {
	case P_TXT:
		got_txt(t, p->n, ans);
		break;
	case P_ADDR:
		/* each family on its own: a failed A does not hide an
		   empty AAAA */
		if (p->q.type == MC_RR_AAAA)
			break; /* judged with its A twin */
		if (!mc_dns_failed(ans) && ans->count == 0)
			fam |= p->fam;
		if (pair != NULL && !mc_dns_failed(pair) && pair->count == 0)
			fam |= FAM_IPV6;
		if (fam != 0)
			count_void(p, fam);
		break;
	case P_MX:
		if (mc_dns_failed(ans))
			break;
		if (ans->count == 0) {
			count_void(p, FAM_BOTH);
			break;
		}
		for (i = 0; i < ans->count; i++) {
			if (ans->rr[i].data[0] == '\0')
				continue;
			if (++n > MC_SPF_MAX_ADDRS) {
				mc_finding_add(t->ctx->result, MC_F_SPF_MX_TOO_MANY,
				    p->q.name, "'%s' in the SPF record of %s: %s has "
				    "more than %d MX hosts (permerror)", p->term,
				    p->n->domain, p->q.name, MC_SPF_MAX_ADDRS);
				break;
			}
			push(t, P_HOST, p->n, p->term, NULL, ans->rr[i].data,
			    MC_RR_A);
			push(t, P_HOST, p->n, p->term, NULL, ans->rr[i].data,
			    MC_RR_AAAA);
		}
		break;
	case P_HOST:
		break;
	case P_EXP:
		t->exp = ans;
		break;
	}
}

/* Is pend[i + 1] the AAAA question of the same a term as pend[i]? */
static int
is_twin(const struct tree *t, size_t i)
{
	const struct pend *p = &t->pend[i], *q = p + 1;

	return i + 1 < t->npend && p->kind == P_ADDR &&
	    p->q.type == MC_RR_A && p->fam == FAM_IPV4 && q->kind == P_ADDR &&
	    q->q.type == MC_RR_AAAA && q->n == p->n && q->term == p->term;
}

/*
 * The first level also asks what authorisation needs: the domain's MX
 * (its hosts' addresses go with the next level) and type SPF (99).
 */
static void
first_level(struct tree *t, const struct mc_dns_query *mxq,
    const struct mc_dns_query *spfq)
{
	struct mc_ctx *ctx = t->ctx;
	size_t i;

	t->root_mx = mxq->ans;
	if (spfq->ans->status == MC_DNS_OK)
		mc_finding_add(ctx->result, MC_F_SPF_TYPE_SPF, ctx->domain,
		    "%s publishes a record of type SPF (99), which RFC 7208 "
		    "removed", ctx->domain);
	for (i = 0; i < t->root_mx->count && i < MAX_AUTH; i++) {
		if (t->root_mx->rr[i].data[0] == '\0')
			continue;
		push(t, P_HOST, t->nodes[0], NULL, NULL,
		    t->root_mx->rr[i].data, MC_RR_A);
		push(t, P_HOST, t->nodes[0], NULL, NULL,
		    t->root_mx->rr[i].data, MC_RR_AAAA);
	}
}

/* Fetch the tree, one batch per level. */
static int
fetch_tree(struct tree *t)
{
	struct mc_ctx *ctx = t->ctx;
	struct mc_dns_query mxq, spfq;
	struct mc_dns_batch b;
	struct pend *swap, *p;
	size_t i, room;

	t->pend = mc_arena_calloc(ctx->arena, FIRST_PENDING, sizeof(*t->pend));
	t->next = mc_arena_calloc(ctx->arena, FIRST_PENDING, sizeof(*t->next));
	if (t->pend == NULL || t->next == NULL)
		return -1;
	t->pend_room = t->next_room = FIRST_PENDING;
	if (new_node(t, NULL, ctx->domain, NULL, NULL) == NULL)
		return -1;
	json_object_set_new(t->nodes[0]->json, "void", json_array());
	mc_dns_batch_init(&b, ctx);
	mc_dns_batch_add(&b, &mxq, ctx->domain, MC_RR_MX);
	mc_dns_batch_add(&b, &spfq, ctx->domain, MC_RR_SPF);
	while (t->nnext > 0) {
		swap = t->pend;
		t->pend = t->next;
		t->next = swap;
		room = t->pend_room;
		t->pend_room = t->next_room;
		t->next_room = room;
		t->npend = t->nnext;
		t->nnext = 0;
		for (i = 0; i < t->npend; i++) {
			p = &t->pend[i];
			mc_dns_batch_add(&b, &p->q, p->q.name, p->q.type);
			if (p->kind == P_TXT &&
			    json_object_get(p->n->json, "void") == NULL)
				json_object_set_new(p->n->json, "void",
				    json_array());
		}
		t->questions += b.n;
		if (mc_dns_batch_run(&b) == -1)
			return -1;
		if (t->root_mx == NULL)
			first_level(t, &mxq, &spfq);
		for (i = 0; i < t->npend; i++)
			got_answer(t, &t->pend[i], t->pend[i].q.ans,
			    is_twin(t, i) ? t->pend[i + 1].q.ans : NULL);
	}
	return t->nomem ? -1 : 0;
}

/* The family check_host() treats ip as (IPv4-mapped IPv6 is IPv4). */
static enum family
ip_family(const char *ip)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char v6[16];

	if (inet_pton(AF_INET6, ip, v6) == 1 && memcmp(v6, mapped, 12) != 0)
		return F_IPV6;
	return F_IPV4;
}

/*
 * Has the record already been reported as a permerror for a client at ip?
 * The tree sees most causes; some only check_host() meets (a term whose
 * macros expand to a loop, an invalid name, a target without a record).
 * Too many void lookups may hold for one family only.
 */
static int
permerror_reported(const struct tree *t, const char *ip)
{
	const struct mc_result *r = t->ctx->result;
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		switch (r->findings[i].id) {
		case MC_F_SPF_MULTIPLE:
		case MC_F_SPF_SYNTAX:
		case MC_F_SPF_TARGET_NONE:
		case MC_F_SPF_TOO_MANY_LOOKUPS:
		case MC_F_SPF_LOOP:
		case MC_F_SPF_MX_TOO_MANY:
			return 1;
		case MC_F_SPF_TOO_MANY_VOID:
			if (t->voids[ip_family(ip)] > MC_SPF_MAX_VOID)
				return 1;
			break;
		default:
			break;
		}
	return 0;
}

/*
 * Evaluate one address with check_host(); adds to the authorisation list.
 * Returns the result, or -1 when the address cannot be evaluated.
 */
static int
authorise(const struct tree *t, const char *ip, int from_option,
    json_t *list)
{
	struct mc_ctx *ctx = t->ctx;
	struct mc_result *r = ctx->result;
	struct mc_spf_request req = {
		.ip = ip,
		.domain = ctx->domain,
		.helo = ctx->domain,
		.no_trace = 1, /* only the result is reported */
	};
	struct mc_spf_outcome out;
	char err[256];

	req.sender = mc_arena_printf(ctx->arena, "postmaster@%s", ctx->domain);
	if (mc_spf_check_host(ctx->dns, ctx->arena, &req, &out, err,
	    sizeof(err)) == -1)
		return -1;
	json_array_append_new(list, mc_json_object_of("ip", json_string(ip),
	    "source", json_string(from_option ? "option" : "mx"),
	    "result", json_string(mc_spf_result_str(out.result)),
	    "reason", dstr(out.reason),
	    "lookups", json_integer((json_int_t)out.lookups), NULL));
	switch (out.result) {
	case MC_SPF_PASS:
		return (int)out.result;
	case MC_SPF_TEMPERROR:
		mc_finding_add(r, MC_F_SPF_TEMPERROR, ip, "SPF check of %s for "
		    "%s ends in temperror: %s", ip, ctx->domain, out.reason);
		return (int)out.result;
	case MC_SPF_PERMERROR:
		if (permerror_reported(t, ip))
			return (int)out.result; /* a record problem, reported */
		break;
	case MC_SPF_NONE:
		return (int)out.result; /* a record problem, reported */
	default:
		break;
	}
	mc_finding_add(r, from_option ? MC_F_SPF_IP_NOT_AUTHORISED :
	    MC_F_SPF_MX_NOT_AUTHORISED, ip, "%s %s is not authorised by the "
	    "SPF record of %s: %s (%s)", from_option ? "outbound address" :
	    "MX address", ip, ctx->domain, mc_spf_result_str(out.result),
	    out.reason);
	mc_finding_brief(r, "%s SPF %s", ip, mc_spf_result_str(out.result));
	if (out.result == MC_SPF_PERMERROR)
		mc_finding_hint(r, "check_host() cannot evaluate the SPF record "
		    "of %s: fix the cause named, then make sure it passes %s",
		    ctx->domain, ip);
	else
		mc_finding_hint(r, "add 'ip%c:%s' (or the mechanism naming this "
		    "host) before the 'all' of the SPF record of %s",
		    strchr(ip, ':') != NULL ? '6' : '4', ip, ctx->domain);
	return (int)out.result;
}

static void
root_findings(struct tree *t)
{
	struct mc_result *r = t->ctx->result;
	const struct node *root = t->nodes[0];
	const struct mc_spf_term *term;
	size_t i;

	if (!root->ok)
		return;
	for (i = 0; i < root->rec.nterms; i++) {
		term = &root->rec.terms[i];
		if (term->kind != MC_SPF_ALL)
			continue;
		if (term->qualifier == MC_SPF_PASS)
			mc_finding_add(r, MC_F_SPF_PLUS_ALL, root->domain,
			    "the SPF record of %s ends in '%s': every host on "
			    "the Internet may send as %s", root->domain,
			    term->text, root->domain);
		else if (term->qualifier == MC_SPF_NEUTRAL)
			mc_finding_add(r, MC_F_SPF_NEUTRAL_ALL, root->domain,
			    "the SPF record of %s ends in '?all': it asserts "
			    "nothing about other hosts", root->domain);
		break; /* terms after the first 'all' are never reached */
	}
	if (!root->rec.has_all && root->rec.redirect == NULL)
		mc_finding_add(r, MC_F_SPF_NO_ALL, root->domain, "the SPF record "
		    "of %s has no 'all' and no 'redirect': other hosts get "
		    "neutral", root->domain);
	if (root->rec.exp != NULL && !root->rec.exp->has_macros) {
		const struct mc_dns_answer *e;
		size_t pos;
		char why[160];

		/* asked with the second level; here only if that batch was
		   full */
		e = t->exp != NULL ? t->exp : mc_dns_lookup(t->ctx->dns,
		    root->rec.exp->domain, MC_RR_TXT);
		/* one finding, however many records the name holds */
		for (i = 0; e->status == MC_DNS_OK && i < e->count; i++)
			if (mc_spf_macro_check(e->rr[i].data, e->rr[i].len, 1,
			    &pos, why, sizeof(why)) == -1) {
				mc_finding_add(r, MC_F_SPF_MACRO_INVALID,
				    root->rec.exp->domain, "the explanation at "
				    "%s cannot expand (offset %zu: %s); receivers "
				    "show no explanation", root->rec.exp->domain,
				    pos, why);
				break;
			}
	}
}

/*
 * More than 2 void lookups is a permerror (4.6.4) for a client of the
 * family that meets them; the check knows no client, so either family
 * over the limit is reported, named when only one is.
 */
/*
 * Does the domain's own mail use family f: an address of that family on
 * one of its MX hosts (the ones the tree fetched, answered by the cache)
 * or among the --ip addresses?
 */
static int
sends_over(const struct tree *t, enum family f)
{
	const struct mc_ctx *ctx = t->ctx;
	const struct mc_dns_answer *a;
	size_t i;

	for (i = 0; t->root_mx != NULL && i < t->root_mx->count &&
	    i < MAX_AUTH; i++) {
		if (t->root_mx->rr[i].data[0] == '\0')
			continue;
		a = mc_dns_lookup(ctx->dns, t->root_mx->rr[i].data,
		    f == F_IPV4 ? MC_RR_A : MC_RR_AAAA);
		if (a->count > 0)
			return 1;
	}
	for (i = 0; ctx->opts != NULL && i < ctx->opts->nips; i++)
		if ((strchr(ctx->opts->ips[i], ':') != NULL) == (f == F_IPV6))
			return 1;
	return 0;
}

static void
too_many_void(const struct tree *t)
{
	struct mc_result *r = t->ctx->result;
	const char *d = t->ctx->domain;
	size_t v4 = t->voids[F_IPV4], v6 = t->voids[F_IPV6];
	enum family over = v4 > v6 ? F_IPV4 : F_IPV6;
	enum mc_status sev = mc_finding_def(MC_F_SPF_TOO_MANY_VOID)->severity;
	int one, others;

	if (v4 <= MC_SPF_MAX_VOID && v6 <= MC_SPF_MAX_VOID)
		return;
	/*
	 * Over the limit for one family only, which the domain's own mail
	 * does not use: only mail from others meets the permerror (a
	 * weakness: a receiver may treat it more leniently than "-all"),
	 * never the domain's own, so a warning.
	 */
	one = (v4 > MC_SPF_MAX_VOID) != (v6 > MC_SPF_MAX_VOID);
	others = one && !sends_over(t, over);
	if (others)
		sev = MC_WARN;
	if (v4 == v6)
		mc_finding_add_sev(r, MC_F_SPF_TOO_MANY_VOID, sev, d, "the SPF "
		    "policy of %s has %zu void lookups (names without "
		    "records); more than %d is a permerror", d, v4,
		    MC_SPF_MAX_VOID);
	else if (!one)
		mc_finding_add_sev(r, MC_F_SPF_TOO_MANY_VOID, sev, d, "the SPF "
		    "policy of %s has %zu void lookups for IPv4 clients and %zu "
		    "for IPv6 clients (names without records); more than %d is "
		    "a permerror", d, v4, v6, MC_SPF_MAX_VOID);
	else
		mc_finding_add_sev(r, MC_F_SPF_TOO_MANY_VOID, sev, d, "the SPF "
		    "policy of %s has %zu void lookups for %s clients (%zu for "
		    "%s clients): an 'a' term whose name has no %s record finds "
		    "nothing for them; more than %d is a permerror for those "
		    "clients%s", d,
		    v4 > v6 ? v4 : v6, v4 > v6 ? "IPv4" : "IPv6",
		    v4 > v6 ? v6 : v4, v4 > v6 ? "IPv6" : "IPv4",
		    v4 > v6 ? "A" : "AAAA", MC_SPF_MAX_VOID, others ?
		    ", and the domain's own mail hosts have no such address" :
		    "");
	if (v4 != v6)
		mc_finding_hint(r, "publish %s records for the names of the 'a' "
		    "terms that lack them (or replace those terms by %s "
		    "ranges), and remove terms naming domains without "
		    "records", over == F_IPV4 ? "A" : "AAAA",
		    over == F_IPV4 ? "ip6" : "ip4");
	mc_finding_brief(r, "SPF %zu void lookups", worst(t->voids));
	mc_finding_metric(r, "void_lookups");
}

/* Children come after their parents: sum the subtrees upwards. */
static void
sum_tree(struct tree *t)
{
	struct node *n;
	size_t i;
	int f;

	for (i = t->nnodes; i-- > 0;) {
		n = t->nodes[i];
		n->total += n->lookups;
		t->lookups += n->lookups;
		for (f = 0; f < F_COUNT; f++) {
			n->vtotal[f] += n->voids[f];
			t->voids[f] += n->voids[f];
		}
		if (n->parent != NULL) {
			n->parent->total += n->total;
			for (f = 0; f < F_COUNT; f++)
				n->parent->vtotal[f] += n->vtotal[f];
		}
		/* void lookup counts of the tree: the worse family */
		if (n->via_json != NULL) {
			json_object_set_new(n->via_json, "lookups",
			    json_integer((json_int_t)(1 + n->total)));
			json_object_set_new(n->via_json, "void_lookups",
			    json_integer((json_int_t)worst(n->vtotal)));
		}
		json_object_set_new(n->json, "lookups",
		    json_integer((json_int_t)n->lookups));
		json_object_set_new(n->json, "void_lookups",
		    json_integer((json_int_t)worst(n->voids)));
		json_object_set_new(n->json, "total_lookups",
		    json_integer((json_int_t)n->total));
		json_object_set_new(n->json, "total_void_lookups",
		    json_integer((json_int_t)worst(n->vtotal)));
	}
}

/* The record, its terms and the tree in the data; takes the tree's JSON. */
static void
tree_data(struct tree *t, json_t *data)
{
	const struct node *root = t->nodes[0];
	const struct mc_spf_term *term;
	json_t *terms;
	size_t i;

	json_object_set_new(data, "record", json_incref(
	    json_object_get(root->json, "record") != NULL ?
	    json_object_get(root->json, "record") : json_null()));
	terms = json_array();
	for (i = 0; root->ok && i < root->rec.nterms; i++) {
		term = &root->rec.terms[i];
		json_array_append_new(terms, mc_json_object_of(
		    "term", dstr(term->text),
		    "kind", json_string(mc_spf_kind_str(term->kind)),
		    "qualifier", term->kind < MC_SPF_REDIRECT ?
		    json_string(mc_spf_result_str(term->qualifier)) : json_null(),
		    "domain", dstr(term->domain), NULL));
	}
	json_object_set_new(data, "terms", terms);
	json_object_set_new(data, "tree", json_incref(root->json));
	json_object_set_new(data, "truncated", json_boolean(t->truncated));
	json_object_set_new(data, "questions",
	    json_integer((json_int_t)t->questions));
	json_object_set_new(data, "void_lookups", mc_json_object_of(
	    "ipv4", json_integer((json_int_t)t->voids[F_IPV4]),
	    "ipv6", json_integer((json_int_t)t->voids[F_IPV6]), NULL));
	json_decref(root->json);
}

/* The lookup limit (4.6.4), judged on the tree's total. */
static void
lookup_findings(struct tree *t)
{
	struct mc_result *r = t->ctx->result;
	const char *d = t->ctx->domain;

	mc_metric_set(r, "lookups", (double)t->lookups);
	mc_metric_set(r, "void_lookups", (double)worst(t->voids));
	/* a total without some includes is a floor: no "near the limit" */
	if (t->uncounted > 0 && t->lookups <= MC_SPF_MAX_LOOKUPS) {
		mc_finding_add(r, MC_F_SPF_LOOKUPS_UNCOUNTED, d, "the SPF policy "
		    "of %s needs at least %zu DNS lookups; %zu include%s could "
		    "not be read, so the count against the limit of %d is "
		    "unknown", d, t->lookups, t->uncounted,
		    t->uncounted == 1 ? "" : "s", MC_SPF_MAX_LOOKUPS);
		mc_finding_brief(r, "SPF %zu+ lookups", t->lookups);
		return;
	}
	if (t->lookups < MC_SPF_WARN_LOOKUPS)
		return;
	if (t->lookups > MC_SPF_MAX_LOOKUPS)
		mc_finding_add(r, MC_F_SPF_TOO_MANY_LOOKUPS, d, "the SPF policy "
		    "of %s needs %zu%s DNS lookups; more than %d is a "
		    "permerror", d, t->lookups, t->truncated ? " or more" : "",
		    MC_SPF_MAX_LOOKUPS);
	else
		mc_finding_add(r, MC_F_SPF_LOOKUPS_NEAR_LIMIT, d, "the SPF policy "
		    "of %s needs %zu DNS lookups, close to the limit of %d", d,
		    t->lookups, MC_SPF_MAX_LOOKUPS);
	mc_finding_brief(r, "SPF %zu%s lookups", t->lookups,
	    t->truncated ? "+" : "");
	mc_finding_metric(r, "lookups"); /* thresholds may override */
}

/*
 * The addresses of the MX hosts the tree fetched (MAX_AUTH, no more: each
 * further one would cost questions asked one at a time), then every --ip,
 * through check_host().  A failed MX or address lookup is reported: the
 * MX addresses are then unknown, never "0 of 0 pass".
 */
static void
authorisation(struct tree *t, json_t *list, struct auth *au)
{
	static const uint16_t types[2] = { MC_RR_A, MC_RR_AAAA };
	struct mc_ctx *ctx = t->ctx;
	const struct mc_dns_answer *mx = t->root_mx, *a;
	size_t i, k, n = 0;
	int ty, res;

	if (mx != NULL && mc_dns_failed(mx)) {
		mc_finding_dns(ctx->result, mx, "the MX records");
		au->failed++;
	}
	for (i = 0; mx != NULL && i < mx->count && i < MAX_AUTH &&
	    n < MAX_AUTH; i++) {
		if (mx->rr[i].data[0] == '\0')
			continue;
		for (ty = 0; ty < 2; ty++) {
			a = mc_dns_lookup(ctx->dns, mx->rr[i].data, types[ty]);
			if (mc_dns_failed(a)) {
				mc_finding_dns(ctx->result, a,
				    "the addresses");
				au->failed++;
			}
			for (k = 0; k < a->count && n < MAX_AUTH; k++, n++) {
				res = authorise(t, a->rr[k].data, 0, list);
				if (res == -1)
					continue;
				au->nmx++;
				if (res == MC_SPF_PASS && au->npass++ == 0)
					au->first = a->rr[k].data;
			}
		}
	}
	for (i = 0; ctx->opts != NULL && i < ctx->opts->nips; i++)
		authorise(t, ctx->opts->ips[i], 1, list);
}

static void
summary(const struct tree *t, const struct auth *au)
{
	struct mc_result *r = t->ctx->result;
	size_t n = t->lookups;
	char *rec;

	/* escaped once for the summary (mailcheck/escape.h): NUL is \000 */
	rec = mc_escape(t->ctx->arena, t->root_rr->data, t->root_rr->len);
	if (rec == NULL)
		return;
	if (au->failed > 0)
		mc_result_summary(r, "%s; %zu lookup%s; MX addresses unknown "
		    "(%zu lookup%s failed)", rec, n, n == 1 ? "" : "s",
		    au->failed, au->failed == 1 ? "" : "s");
	else if (au->nmx == 1 && au->npass == 1)
		mc_result_summary(r, "%s; %zu lookup%s; MX %s passes", rec, n,
		    n == 1 ? "" : "s", au->first);
	else
		mc_result_summary(r, "%s; %zu lookup%s; %zu of %zu MX "
		    "address%s pass", rec, n, n == 1 ? "" : "s", au->npass,
		    au->nmx, au->nmx == 1 ? "" : "es");
}

static int
spf_run(struct mc_ctx *ctx)
{
	struct mc_result *r = ctx->result;
	struct auth au = { 0 };
	struct tree *t;
	json_t *data, *list;

	t = mc_arena_calloc(ctx->arena, 1, sizeof(*t));
	data = json_object();
	if (t == NULL || data == NULL) {
		json_decref(data);
		return -1;
	}
	r->data = data;
	t->ctx = ctx;
	if (fetch_tree(t) == -1)
		return -1;
	sum_tree(t);
	tree_data(t, data);
	lookup_findings(t);
	too_many_void(t);
	root_findings(t);
	list = json_array();
	json_object_set_new(data, "authorisation", list);
	if (t->nodes[0]->ok) {
		authorisation(t, list, &au);
		summary(t, &au);
	}
	return 0;
}

static const char *const spf_metrics[] = {
	"lookups", "void_lookups", NULL
};

const struct mc_check mc_check_spf = {
	.name = "spf",
	.summary = "SPF record, its lookup tree, and who it authorises",
	.rfc = "RFC 7208",
	.flags = MC_CHECK_NEEDS_DNS | MC_CHECK_DEFAULT,
	.run = spf_run,
	.metrics = spf_metrics,
};
