/* SPDX-License-Identifier: ISC */
/*
 * src/spf_eval.c - check_host() of RFC 7208 4-7
 *
 * A straight recursive evaluator over parsed records.  All run state lives
 * in one struct eval; DNS goes through mc_dns_lookup() (and a batch for the
 * addresses of MX hosts and PTR names, which do not depend on each other).
 * The limits of 4.6.4 are counted across includes and redirects: the 11th
 * term that needs DNS, the 3rd void lookup and the 11th MX host are a
 * permerror, so no record, however hostile, costs more than about
 * 10 * (1 + 10) questions.  Each check_host() call adds a node to a JSON
 * trace: the record, every term evaluated, what it cost, what matched.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailcheck/check.h"
#include "mailcheck/limits.h"
#include "mailcheck/mailaddrs.h"
#include "mailcheck/report.h"
#include "mailcheck/spf.h"
#include "banned.h"

enum match { M_NOMATCH, M_MATCH, M_TEMPERROR, M_PERMERROR };

struct eval {
	struct mc_dns_session *dns;
	struct mc_arena *a;
	unsigned char ip[16];
	int ipv6;
	struct mc_spf_macro_env env;
	size_t lookups, voids, queries;
	size_t max_lookups, max_void;
	const char *reason;
	const char *explanation;
	int ptr_done;
};

static void
why(struct eval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
why(struct eval *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ev->reason = mc_arena_vprintf(ev->a, fmt, ap);
	va_end(ap);
}

/*
 * A name as the DNS layer takes it: presentation format, so bytes that
 * macros may bring (spaces, control characters, ';') are escaped as ldns
 * writes them.  Dots stay label separators.
 */
static const char *
presentation(struct eval *ev, const char *name)
{
	const unsigned char *p;
	char *out, *o;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (!isgraph(*p) || *p > 0x7e || strchr(";()\\\"$@", *p) != NULL)
			break;
	if (*p == '\0')
		return name;
	out = mc_arena_alloc(ev->a, 4 * strlen(name) + 1);
	if (out == NULL)
		return name;
	for (o = out, p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p > 0x7e || !isgraph(*p))
			o += snprintf(o, 5, "\\%03u", *p);
		else if (strchr(";()\\\"$@", *p) != NULL) {
			*o++ = '\\';
			*o++ = (char)*p;
		} else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

static const struct mc_dns_answer *
ask(struct eval *ev, const char *name, uint16_t type)
{
	ev->queries++;
	return mc_dns_lookup(ev->dns, presentation(ev, name), type);
}

static void
jset(json_t *o, const char *k, const char *v)
{
	if (o == NULL)
		return; /* no trace */
	json_object_set_new(o, k, v != NULL ? mc_json_dns_string(v, strlen(v)) :
	    json_null());
}

/*
 * Is name a valid domain for check_host() (4.3): labels of 1-63 octets,
 * at least two labels, at most 253 octets?
 */
static int
valid_domain(const char *name)
{
	size_t len = strlen(name), label = 0, labels = 1, i;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > MC_DNS_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
			labels++;
		} else if (++label > MC_DNS_LABEL_MAX)
			return 0;
	}
	return label > 0 && labels >= 2;
}

static int
prefix_match(const unsigned char *x, const unsigned char *y, int bits)
{
	int full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(x, y, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (x[full] & mask) == (y[full] & mask);
}

/* Does the record rr (A or AAAA) hold the client's address within cidr? */
static int
addr_match(const struct eval *ev, const struct mc_rr *rr, int cidr4, int cidr6)
{
	if (rr->type == MC_RR_A && !ev->ipv6)
		return prefix_match(ev->ip, rr->addr, cidr4 < 0 ? 32 : cidr4);
	if (rr->type == MC_RR_AAAA && ev->ipv6)
		return prefix_match(ev->ip, rr->addr, cidr6 < 0 ? 128 : cidr6);
	return 0;
}

static int
count_lookup(struct eval *ev, const struct mc_spf_term *t)
{
	if (++ev->lookups > ev->max_lookups) {
		why(ev, "more than %zu DNS lookups (at '%s')", ev->max_lookups,
		    t->text);
		return -1;
	}
	return 0;
}

static int
count_void(struct eval *ev, const struct mc_spf_term *t, json_t *node)
{
	if (node != NULL)
		json_object_set_new(node, "void", json_true());
	if (++ev->voids > ev->max_void) {
		why(ev, "more than %zu void lookups (at '%s')", ev->max_void,
		    t->text);
		return -1;
	}
	return 0;
}

static uint16_t
addr_type(const struct eval *ev)
{
	return ev->ipv6 ? MC_RR_AAAA : MC_RR_A;
}

/*
 * The validated names of the client (5.5): PTR names (at most 10) whose
 * addresses include the client.  Returns the number in *n (names from the
 * arena); -1 on a failure of the PTR lookup itself.
 */
static int
validated_names(struct eval *ev, const char ***names, size_t *n, int *isvoid)
{
	const struct mc_dns_answer *ptr;
	struct mc_dns_query q[MC_SPF_MAX_ADDRS];
	char rname[80];
	size_t i, k, nq;

	*n = 0;
	*isvoid = 0;
	if (mc_reverse_name(ev->ip, ev->ipv6 ? 16 : 4,
	    ev->ipv6 ? "ip6.arpa" : "in-addr.arpa", rname, sizeof(rname)) == -1)
		return -1; /* rname holds any reverse name: cannot happen */
	ptr = ask(ev, rname, MC_RR_PTR);
	if (ptr->status == MC_DNS_NXDOMAIN || ptr->status == MC_DNS_NODATA)
		*isvoid = 1;
	if (ptr->status != MC_DNS_OK)
		return ptr->status == MC_DNS_TEMPFAIL ? -1 : 0;
	nq = 0;
	for (i = 0; i < ptr->count && nq < MC_SPF_MAX_ADDRS; i++) {
		if (ptr->rr[i].type != MC_RR_PTR || ptr->rr[i].data[0] == '\0')
			continue;
		q[nq].name = ptr->rr[i].data;
		q[nq++].type = addr_type(ev);
	}
	ev->queries += nq;
	mc_dns_lookup_batch(ev->dns, q, nq);
	*names = mc_arena_calloc(ev->a, nq + 1, sizeof(**names));
	if (*names == NULL)
		return 0;
	for (i = 0; i < nq; i++)
		for (k = 0; k < q[i].ans->count; k++)
			if (addr_match(ev, &q[i].ans->rr[k], -1, -1)) {
				(*names)[(*n)++] = q[i].name;
				break;
			}
	return 0;
}

/* Is name equal to domain or a subdomain of it (case-insensitive)? */
static int
within(const char *name, const char *domain)
{
	size_t nl = strlen(name), dl = strlen(domain);

	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	if (dl > 0 && domain[dl - 1] == '.')
		dl--;
	if (nl < dl || strncasecmp(name + nl - dl, domain, dl) != 0)
		return 0;
	return nl == dl || name[nl - dl - 1] == '.';
}

/* Fill env.ptr for %{p} (7.3) when a macro-string needs it. */
static void
need_ptr(struct eval *ev, const char *spec)
{
	const char **names = NULL;
	size_t n, i;
	int isvoid;

	if (ev->ptr_done || spec == NULL || !mc_spf_macro_uses(spec, 'p'))
		return;
	ev->ptr_done = 1;
	if (validated_names(ev, &names, &n, &isvoid) == -1 || n == 0)
		return;
	ev->env.ptr = names[0];
	for (i = 0; i < n; i++)
		if (within(names[i], ev->env.domain)) {
			ev->env.ptr = names[i];
			break;
		}
}

/* The target of a term: its expanded domain-spec, or the current domain. */
static const char *
target(struct eval *ev, const struct mc_spf_term *t, const char *domain)
{
	char err[160];
	char *out;

	if (t->domain == NULL)
		return domain;
	need_ptr(ev, t->domain);
	if (mc_spf_expand(ev->a, t->domain, strlen(t->domain), &ev->env, 0, 1,
	    &out, err, sizeof(err)) == -1) {
		why(ev, "cannot expand '%s': %s", t->text, err);
		return NULL;
	}
	return out;
}

static enum mc_spf_result check_host(struct eval *ev, const char *domain,
    int depth, json_t *node);

static enum match
dns_error(struct eval *ev, const struct mc_spf_term *t,
    const struct mc_dns_answer *ans)
{
	why(ev, "DNS error at '%s': %s %s", t->text, ans->qname,
	    ans->why != NULL ? ans->why : mc_dns_status_str(ans->status));
	return M_TEMPERROR;
}

static enum match
eval_a(struct eval *ev, const struct mc_spf_term *t, const char *name,
    json_t *node)
{
	const struct mc_dns_answer *ans;
	size_t i;

	if (!valid_domain(name))
		return M_NOMATCH;
	ans = ask(ev, name, addr_type(ev));
	if (mc_dns_failed(ans))
		return dns_error(ev, t, ans);
	if (ans->count == 0)
		return count_void(ev, t, node) == -1 ? M_PERMERROR : M_NOMATCH;
	for (i = 0; i < ans->count; i++)
		if (addr_match(ev, &ans->rr[i], t->cidr4, t->cidr6))
			return M_MATCH;
	return M_NOMATCH;
}

static enum match
eval_mx(struct eval *ev, const struct mc_spf_term *t, const char *name,
    json_t *node)
{
	const struct mc_dns_answer *mx;
	struct mc_dns_query q[MC_SPF_MAX_ADDRS];
	size_t i, k, nq = 0;

	if (!valid_domain(name))
		return M_NOMATCH;
	mx = ask(ev, name, MC_RR_MX);
	if (mc_dns_failed(mx))
		return dns_error(ev, t, mx);
	if (mx->count == 0)
		return count_void(ev, t, node) == -1 ? M_PERMERROR : M_NOMATCH;
	for (i = 0; i < mx->count; i++) {
		if (mx->rr[i].type != MC_RR_MX || mx->rr[i].data[0] == '\0')
			continue;
		if (nq == MC_SPF_MAX_ADDRS) {
			why(ev, "'%s': %s has more than %d MX hosts", t->text,
			    name, MC_SPF_MAX_ADDRS);
			return M_PERMERROR;
		}
		q[nq].name = mx->rr[i].data;
		q[nq++].type = addr_type(ev);
	}
	if (node != NULL)
		json_object_set_new(node, "mx_hosts",
		    json_integer((json_int_t)nq));
	ev->queries += nq;
	mc_dns_lookup_batch(ev->dns, q, nq);
	for (i = 0; i < nq; i++) {
		if (q[i].ans->status == MC_DNS_TEMPFAIL)
			return dns_error(ev, t, q[i].ans);
		for (k = 0; k < q[i].ans->count; k++)
			if (addr_match(ev, &q[i].ans->rr[k], t->cidr4, t->cidr6))
				return M_MATCH;
	}
	return M_NOMATCH;
}

static enum match
eval_ptr(struct eval *ev, const struct mc_spf_term *t, const char *name,
    json_t *node)
{
	const char **names = NULL;
	size_t n, i;
	int isvoid;

	if (validated_names(ev, &names, &n, &isvoid) == -1)
		return M_NOMATCH; /* 5.5: a DNS error here is no match */
	if (isvoid && count_void(ev, t, node) == -1)
		return M_PERMERROR;
	for (i = 0; i < n; i++)
		if (within(names[i], name))
			return M_MATCH;
	return M_NOMATCH;
}

static enum match
eval_exists(struct eval *ev, const struct mc_spf_term *t, const char *name,
    json_t *node)
{
	const struct mc_dns_answer *ans;

	if (!valid_domain(name))
		return M_NOMATCH;
	ans = ask(ev, name, MC_RR_A);
	if (mc_dns_failed(ans))
		return dns_error(ev, t, ans);
	if (ans->count == 0)
		return count_void(ev, t, node) == -1 ? M_PERMERROR : M_NOMATCH;
	return M_MATCH;
}

static enum match
eval_include(struct eval *ev, const struct mc_spf_term *t, const char *name,
    int depth, json_t *node)
{
	const char *saved = ev->explanation;
	json_t *child = node != NULL ? json_object() : NULL;
	enum mc_spf_result r;

	if (node != NULL)
		json_object_set_new(node, "include", child);
	r = check_host(ev, name, depth + 1, child);
	ev->explanation = saved; /* 5.2: the included exp is not used */
	switch (r) {
	case MC_SPF_PASS:
		return M_MATCH;
	case MC_SPF_FAIL:
	case MC_SPF_SOFTFAIL:
	case MC_SPF_NEUTRAL:
		return M_NOMATCH;
	case MC_SPF_TEMPERROR:
		return M_TEMPERROR;
	case MC_SPF_NONE:
		why(ev, "'%s': %s has no SPF record", t->text, name);
		return M_PERMERROR;
	default:
		return M_PERMERROR;
	}
}

static enum match
eval_term(struct eval *ev, const struct mc_spf_term *t, const char *domain,
    int depth, json_t *node)
{
	const char *name = NULL;

	if (t->costs) {
		if (count_lookup(ev, t) == -1)
			return M_PERMERROR;
		name = target(ev, t, domain);
		if (name == NULL)
			return M_PERMERROR;
		jset(node, "target", name);
	}
	switch (t->kind) {
	case MC_SPF_ALL:
		return M_MATCH;
	case MC_SPF_IP4:
		return !ev->ipv6 && prefix_match(ev->ip, t->ip, t->cidr4 < 0 ?
		    32 : t->cidr4) ? M_MATCH : M_NOMATCH;
	case MC_SPF_IP6:
		return ev->ipv6 && prefix_match(ev->ip, t->ip, t->cidr6 < 0 ?
		    128 : t->cidr6) ? M_MATCH : M_NOMATCH;
	case MC_SPF_A:
		return eval_a(ev, t, name, node);
	case MC_SPF_MX:
		return eval_mx(ev, t, name, node);
	case MC_SPF_PTR:
		return eval_ptr(ev, t, name, node);
	case MC_SPF_EXISTS:
		return eval_exists(ev, t, name, node);
	case MC_SPF_INCLUDE:
		return eval_include(ev, t, name, depth, node);
	default:
		return M_NOMATCH;
	}
}

/* The explanation after a fail (6.2); failures leave none. */
static void
explain(struct eval *ev, const struct mc_spf_record *rec)
{
	const struct mc_dns_answer *ans;
	char err[160], *name, *text;
	size_t idx = 0, i, n = 0;

	ev->explanation = NULL;
	if (rec->exp == NULL)
		return;
	need_ptr(ev, rec->exp->domain);
	if (mc_spf_expand(ev->a, rec->exp->domain, strlen(rec->exp->domain),
	    &ev->env, 0, 1, &name, err, sizeof(err)) == -1 ||
	    !valid_domain(name))
		return;
	ans = ask(ev, name, MC_RR_TXT);
	if (ans->status != MC_DNS_OK)
		return;
	for (i = 0; i < ans->count; i++)
		if (ans->rr[i].type == MC_RR_TXT && n++ == 0)
			idx = i;
	if (n != 1)
		return;
	for (i = 0; i < ans->rr[idx].len; i++)
		if ((unsigned char)ans->rr[idx].data[i] > 0x7e ||
		    (unsigned char)ans->rr[idx].data[i] < 0x20)
			return;
	need_ptr(ev, ans->rr[idx].data);
	if (mc_spf_expand(ev->a, ans->rr[idx].data, ans->rr[idx].len,
	    &ev->env, 1, 0, &text, err, sizeof(err)) == -1)
		return;
	ev->explanation = text;
}

static enum mc_spf_result
check_host(struct eval *ev, const char *domain, int depth, json_t *node)
{
	const struct mc_dns_answer *txt;
	const char *saved_domain = ev->env.domain;
	struct mc_spf_record rec;
	struct mc_spf_error perr;
	enum mc_spf_result res = MC_SPF_NEUTRAL;
	enum match m;
	json_t *terms, *tn;
	size_t i, idx = 0;
	int sel;

	jset(node, "domain", domain);
	if (depth > MC_SPF_MAX_DEPTH) {
		why(ev, "includes nested deeper than %d", MC_SPF_MAX_DEPTH);
		res = MC_SPF_PERMERROR;
		goto out;
	}
	if (!valid_domain(domain)) {
		why(ev, "'%s' is not a valid domain name", domain);
		res = MC_SPF_NONE;
		goto out;
	}
	ev->env.domain = domain;
	txt = ask(ev, domain, MC_RR_TXT);
	if (mc_dns_failed(txt)) {
		why(ev, "cannot look up TXT of %s: %s", domain, txt->why != NULL ?
		    txt->why : mc_dns_status_str(txt->status));
		res = MC_SPF_TEMPERROR;
		goto out;
	}
	sel = mc_spf_select(txt, &idx);
	if (sel == 0) {
		why(ev, "%s has no SPF record", domain);
		res = MC_SPF_NONE;
		goto out;
	}
	if (sel == -1) {
		why(ev, "%s has more than one SPF record", domain);
		res = MC_SPF_PERMERROR;
		goto out;
	}
	if (node != NULL)
		json_object_set_new(node, "record", mc_json_dns_string(
		    txt->rr[idx].data, txt->rr[idx].len));
	if (mc_spf_parse(ev->a, txt->rr[idx].data, txt->rr[idx].len, &rec,
	    &perr) == -1) {
		why(ev, "syntax error in the SPF record of %s at offset %zu, "
		    "term '%s': %s", domain, perr.pos, perr.term, perr.reason);
		res = MC_SPF_PERMERROR;
		goto out;
	}
	terms = node != NULL ? json_array() : NULL;
	if (node != NULL)
		json_object_set_new(node, "terms", terms);
	for (i = 0; i < rec.nterms; i++) {
		const struct mc_spf_term *t = &rec.terms[i];

		if (t->kind >= MC_SPF_REDIRECT)
			continue;
		tn = terms != NULL ? json_object() : NULL;
		jset(tn, "term", t->text);
		if (tn != NULL)
			json_array_append_new(terms, tn);
		m = eval_term(ev, t, domain, depth, tn);
		if (tn != NULL)
			json_object_set_new(tn, "lookups_so_far",
			    json_integer((json_int_t)ev->lookups));
		if (m == M_NOMATCH)
			continue;
		if (m == M_TEMPERROR) {
			res = MC_SPF_TEMPERROR;
			goto out;
		}
		if (m == M_PERMERROR) {
			res = MC_SPF_PERMERROR;
			goto out;
		}
		if (tn != NULL)
			json_object_set_new(tn, "matched", json_true());
		res = t->qualifier;
		why(ev, "%s matched '%s'", domain, t->text);
		if (res == MC_SPF_FAIL)
			explain(ev, &rec);
		goto out;
	}
	if (rec.redirect != NULL) {
		const char *name;
		json_t *child;

		tn = terms != NULL ? json_object() : NULL;
		jset(tn, "term", rec.redirect->text);
		if (tn != NULL)
			json_array_append_new(terms, tn);
		if (count_lookup(ev, rec.redirect) == -1) {
			res = MC_SPF_PERMERROR;
			goto out;
		}
		name = target(ev, rec.redirect, domain);
		if (name == NULL) {
			res = MC_SPF_PERMERROR;
			goto out;
		}
		child = tn != NULL ? json_object() : NULL;
		if (tn != NULL)
			json_object_set_new(tn, "redirect", child);
		res = check_host(ev, name, depth + 1, child);
		if (res == MC_SPF_NONE) {
			why(ev, "redirect target %s has no SPF record", name);
			res = MC_SPF_PERMERROR;
		}
		goto out;
	}
	why(ev, "no term of the record of %s matched", domain);
out:
	ev->env.domain = saved_domain;
	if (node != NULL)
		json_object_set_new(node, "result",
		    json_string(mc_spf_result_str(res)));
	return res;
}

int
mc_spf_check_host(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_spf_request *req, struct mc_spf_outcome *out,
    char *err, size_t errsize)
{
	struct eval ev = { .dns = dns, .a = a };
	const char *sender = req->sender, *at, *domain;
	unsigned char v6[16];
	json_t *root;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, req->ip, ev.ip) == 1)
		ev.ipv6 = 0;
	else if (inet_pton(AF_INET6, req->ip, v6) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0xff, 0xff };

		if (memcmp(v6, mapped, 12) == 0)
			memcpy(ev.ip, v6 + 12, 4);
		else {
			memcpy(ev.ip, v6, 16);
			ev.ipv6 = 1;
		}
	} else {
		snprintf(err, errsize, "invalid IP address '%s'", req->ip);
		return -1;
	}
	if (sender == NULL || *sender == '\0') {
		if (req->helo == NULL || *req->helo == '\0') {
			snprintf(err, errsize, "no domain, sender or HELO name");
			if (req->domain == NULL)
				return -1;
			sender = mc_arena_printf(a, "postmaster@%s", req->domain);
		} else
			sender = mc_arena_printf(a, "postmaster@%s", req->helo);
		if (sender == NULL)
			goto nomem;
	}
	at = strrchr(sender, '@');
	ev.env.sender = sender;
	if (at == NULL) {
		ev.env.local = "postmaster";
		ev.env.sender_domain = sender;
	} else {
		ev.env.local = at == sender ? "postmaster" :
		    mc_arena_strndup(a, sender, (size_t)(at - sender));
		ev.env.sender_domain = at + 1;
		if (at == sender)
			ev.env.sender = mc_arena_printf(a, "postmaster%s", sender);
	}
	if (ev.env.local == NULL || ev.env.sender == NULL)
		goto nomem;
	domain = req->domain != NULL ? req->domain : ev.env.sender_domain;
	ev.env.ip = ev.ip;
	ev.env.ipv6 = ev.ipv6;
	ev.env.upper_hex = strpbrk(req->ip, "ABCDEF") != NULL;
	ev.env.helo = req->helo;
	ev.env.receiver = req->receiver;
	ev.env.now = req->now != 0 ? req->now : (long long)time(NULL);
	ev.max_lookups = req->max_lookups != 0 ? req->max_lookups :
	    MC_SPF_MAX_LOOKUPS;
	ev.max_void = req->max_void != 0 ? req->max_void : MC_SPF_MAX_VOID;

	root = req->no_trace ? NULL : json_object();
	if (root == NULL && !req->no_trace)
		goto nomem;
	out->result = check_host(&ev, domain, 0, root);
	out->explanation = out->result == MC_SPF_FAIL ? ev.explanation : NULL;
	out->reason = ev.reason;
	out->domain = domain;
	out->lookups = ev.lookups;
	out->void_lookups = ev.voids;
	out->queries = ev.queries;
	out->trace = root;
	return 0;
nomem:
	snprintf(err, errsize, "out of memory");
	return -1;
}
