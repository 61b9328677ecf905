/* SPDX-License-Identifier: ISC */
/*
 * src/dmarc_align.c - DMARC result and disposition for one message
 *
 * The From address is read with a small RFC 5322 3.4 scanner that knows
 * enough to count addresses: quoted strings, comments, angle brackets and
 * groups.  The policy comes from mc_dmarc_walk_begin()/_end() exactly as
 * the dmarc check asks and reads it; alignment compares names (strict) or
 * registrable domains by the PSL (relaxed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/dmarc_align.h"
#include "mailcheck/dmarc_record.h"
#include "mailcheck/domain.h"
#include "mailcheck/limits.h"
#include "mailcheck/psl.h"
#include "mailcheck/tagvalue.h"
#include "banned.h"

/*
 * The addresses of an unfolded From value: their count, and the domain
 * of the last one in *dom (arena).  Comments and display names are
 * skipped; an address is what stands in <> or, without <>, the word
 * holding '@' between separators.
 */
static size_t
scan_addresses(struct mc_arena *a, const char *s, const char **dom)
{
	size_t n = 0, i;
	int depth = 0, quoted = 0, angle = 0, sawangle = 0;
	const char *at = NULL, *end = NULL;

	*dom = NULL;
	for (i = 0;; i++) {
		char c = s[i];

		if (quoted) {
			if (c == '\\' && s[i + 1] != '\0')
				i++;
			else if (c == '"')
				quoted = 0;
			else if (c == '\0')
				break;
			continue;
		}
		if (depth > 0) {
			if (c == '\\' && s[i + 1] != '\0')
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			else if (c == '\0')
				break;
			continue;
		}
		if (at != NULL && end == NULL && (c == ' ' || c == '(' ||
		    c == '"'))
			end = s + i; /* the address ends at a space or comment */
		if (c == '"')
			quoted = 1;
		else if (c == '(')
			depth = 1;
		else if (c == '<') {
			angle = 1;
			sawangle = 1;
			at = end = NULL;
		} else if (c == '>' && angle) {
			angle = 0;
			if (at != NULL) {
				*dom = mc_arena_strndup(a, at + 1,
				    (size_t)(s + i - at - 1));
				n++;
			}
			at = end = NULL;
		} else if (c == '@') {
			at = s + i;
			end = NULL;
		} else if (c == ':' && !angle)
			at = end = NULL; /* a group's display name */
		else if (c == ',' || c == ';' || c == '\0') {
			if (!sawangle && at != NULL) {
				if (end == NULL)
					end = s + i;
				*dom = mc_arena_strndup(a, at + 1,
				    (size_t)(end - at - 1));
				n++;
			}
			sawangle = 0;
			at = end = NULL;
			if (c == '\0')
				break;
		}
	}
	return n;
}

int
mc_dmarc_from_domain(struct mc_arena *a, const struct mc_message *m,
    const char **domain, const char **why)
{
	const struct mc_msg_field *from = NULL;
	char norm[MC_DNS_NAME_MAX + 2], err[256];
	const char *dom;
	char *u;
	size_t k, nfrom = 0, naddr;

	*domain = NULL;
	for (k = 0; k < m->nfield; k++)
		if (mc_msg_field_is(&m->field[k], "From")) {
			from = &m->field[k];
			nfrom++;
		}
	if (nfrom != 1) {
		*why = nfrom == 0 ? "the message has no From field" :
		    "the message has several From fields";
		return 1;
	}
	u = mc_message_unfold(a, from);
	if (u == NULL)
		return -1;
	naddr = scan_addresses(a, u, &dom);
	if (naddr != 1 || dom == NULL) {
		*why = naddr == 0 ? "the From field holds no address" :
		    "the From field holds several addresses";
		return 1;
	}
	if (mc_domain_normalise(dom, norm, sizeof(norm), 1, err,
	    sizeof(err)) == -1) {
		*why = mc_arena_printf(a, "the From domain is not a domain "
		    "name: %s", err);
		return *why == NULL ? -1 : 1;
	}
	*domain = mc_arena_strdup(a, norm);
	return *domain == NULL ? -1 : 0;
}

/* The organizational domain of name, or NULL. */
static const char *
org(struct mc_arena *a, const psl_ctx_t *psl, const char *name,
    const struct mc_dmarc_discovery *d)
{
	const char *r;

	if (psl == NULL)
		psl = mc_psl();
	if (psl != NULL && (r = psl_registrable_domain(psl, name)) != NULL)
		return mc_arena_strdup(a, r);
	return d->org_domain;
}

/* Is name aligned with the From domain in mode ('r' or 's')? */
static int
aligned(struct mc_arena *a, const psl_ctx_t *psl, const char *name,
    const char *from, char mode, const struct mc_dmarc_discovery *d)
{
	const char *o1, *o2;

	if (strcasecmp(name, from) == 0)
		return 1;
	if (mode == 's')
		return 0;
	o1 = org(a, psl, name, d);
	o2 = org(a, psl, from, d);
	return o1 != NULL && o2 != NULL && strcasecmp(o1, o2) == 0;
}

/* adkim= or aspf= of the record: 'r' (default) or 's'. */
static char
mode_of(const struct mc_tv_list *l, const char *tag)
{
	const struct mc_tv_tag *t = mc_tv_get_icase(l, tag);

	return t != NULL && strcasecmp(t->value, "s") == 0 ? 's' : 'r';
}

/*
 * Does domain exist?  RFC 9989 (after RFC 9091 2.1): a domain is
 * non-existent when A, AAAA and MX are each NXDOMAIN or NODATA.  Returns
 * 1 exists, 0 does not, -1 unknown (a lookup failed); the three are asked
 * at once.
 */
static int
domain_exists(struct mc_dns_session *dns, const char *domain)
{
	struct mc_dns_query q[3] = {
		{ .name = domain, .type = MC_RR_A },
		{ .name = domain, .type = MC_RR_AAAA },
		{ .name = domain, .type = MC_RR_MX },
	};
	int k, unknown = 0;

	mc_dns_lookup_batch(dns, q, 3);
	for (k = 0; k < 3; k++) {
		if (q[k].ans == NULL)
			unknown = 1;
		else if (q[k].ans->status == MC_DNS_OK)
			return 1;
		else if (q[k].ans->status != MC_DNS_NODATA &&
		    q[k].ans->status != MC_DNS_NXDOMAIN)
			unknown = 1;
	}
	return unknown ? -1 : 0;
}

/*
 * The policy for a From domain below the policy domain: sp=, or np= when
 * the domain does not exist (RFC 9989 4.10.1).  Existence is asked only
 * when np= and sp= differ; when it cannot be told, sp= stays and the
 * reason says so.  Returns 0, or -1 when out of memory.
 */
static int
subdomain_policy(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_dmarc_discovery *d, struct mc_dmarc_eval *out)
{
	out->policy_tag = "sp";
	if (d->np == d->sp)
		return 0;
	out->from_exists = domain_exists(dns, out->from_domain);
	if (out->from_exists == 0) {
		out->policy = d->np;
		out->policy_tag = "np";
	} else if (out->from_exists == -1) {
		out->policy_note = mc_arena_printf(a, "np=%s not applied: "
		    "whether %s exists is unknown (its A, AAAA or MX lookup "
		    "failed)", mc_dmarc_policy_str(d->np), out->from_domain);
		if (out->policy_note == NULL)
			return -1;
	}
	return 0;
}

static const char *
lower_policy(int policy, int testing)
{
	if (testing && policy == MC_DMARC_REJECT)
		policy = MC_DMARC_QUARANTINE;
	else if (testing)
		policy = MC_DMARC_NONE;
	return policy == MC_DMARC_REJECT ? "reject" :
	    policy == MC_DMARC_QUARANTINE ? "quarantine" : "none";
}

int
mc_dmarc_evaluate(struct mc_dns_session *dns, struct mc_arena *a,
    const psl_ctx_t *psl, const char *from_domain, const char *from_why,
    const struct mc_dkim_verdict *v, size_t nv, const char *spf_domain,
    enum mc_auth_result spf, struct mc_dmarc_eval *out)
{
	struct mc_dns_query q[MC_DMARC_WALK_MAX];
	struct mc_dmarc_discovery *d;
	const struct mc_dmarc_node *nd;
	struct mc_tv_list *tags;
	size_t k;

	memset(out, 0, sizeof(*out));
	out->policy = MC_DMARC_UNSET;
	out->adkim = out->aspf = 'r';
	out->pct = 100;
	out->disposition = "none";
	out->from_exists = -1;
	out->source = mc_dmarc_source_str(MC_DMARC_SRC_NONE);
	if (from_domain == NULL) {
		out->result = MC_AUTH_PERMERROR;
		out->reason = from_why;
		return 0;
	}
	out->from_domain = from_domain;
	d = mc_arena_alloc(a, sizeof(*d));
	tags = mc_arena_alloc(a, sizeof(*tags));
	if (d == NULL || tags == NULL ||
	    mc_dmarc_walk_begin(a, from_domain, d) == -1)
		return -1;
	for (k = 0; k < d->n; k++)
		q[k] = (struct mc_dns_query){ .name = d->node[k].qname,
		    .type = MC_RR_TXT };
	mc_dns_lookup_batch(dns, q, d->n);
	for (k = 0; k < d->n; k++)
		d->node[k].ans = q[k].ans;
	if (mc_dmarc_walk_end(a, d) == -1)
		return -1;
	out->org_domain = org(a, psl, from_domain, d);
	if (d->failed != MC_DMARC_NO_NODE) {
		out->result = MC_AUTH_TEMPERROR;
		out->reason = mc_arena_printf(a, "DMARC lookup at %s failed",
		    d->node[d->failed].qname);
		return 0;
	}
	out->source = mc_dmarc_source_str(d->source);
	if (d->pol == MC_DMARC_NO_NODE || d->policy == MC_DMARC_UNSET) {
		out->result = MC_AUTH_NONE;
		out->reason = d->reason != NULL ? d->reason :
		    "no DMARC policy";
		return 0;
	}
	nd = &d->node[d->pol];
	out->policy_domain = nd->domain;
	out->record = mc_arena_strndup(a, nd->rr->data, nd->rr->len);
	out->policy = d->policy;
	out->policy_tag = "p";
	if (d->pol > 0 && d->source != MC_DMARC_SRC_FALLBACK &&
	    subdomain_policy(dns, a, d, out) == -1)
		return -1;
	if (nd->rec != NULL) {
		out->pct = nd->rec->pct;
		out->testing = nd->rec->testing;
	}
	if (mc_tv_parse(a, nd->rr->data, nd->rr->len, tags) == 0 ||
	    tags->n > 0) {
		out->adkim = mode_of(tags, "adkim");
		out->aspf = mode_of(tags, "aspf");
	}
	for (k = 0; k < nv && out->dkim_aligned == NULL; k++)
		if (v[k].result == MC_AUTH_PASS && v[k].domain != NULL &&
		    aligned(a, psl, v[k].domain, from_domain, out->adkim, d))
			out->dkim_aligned = v[k].domain;
	if (spf_domain != NULL && spf == MC_AUTH_PASS &&
	    aligned(a, psl, spf_domain, from_domain, out->aspf, d))
		out->spf_aligned = spf_domain;
	if (out->dkim_aligned != NULL || out->spf_aligned != NULL) {
		out->result = MC_AUTH_PASS;
		out->reason = out->dkim_aligned != NULL ?
		    mc_arena_printf(a, "DKIM d=%s aligned (%s)",
		    out->dkim_aligned, out->adkim == 's' ? "strict" :
		    "relaxed") :
		    mc_arena_printf(a, "SPF %s aligned (%s)", out->spf_aligned,
		    out->aspf == 's' ? "strict" : "relaxed");
		return 0;
	}
	/* RFC 7489 6.6.2: a temporary failure is no verdict */
	for (k = 0; k < nv; k++)
		if (v[k].result == MC_AUTH_TEMPERROR)
			break;
	if (k < nv || (spf_domain != NULL && spf == MC_AUTH_TEMPERROR)) {
		out->result = MC_AUTH_TEMPERROR;
		out->reason = k < nv ? "a DKIM key lookup failed: ask again "
		    "later" : "SPF failed temporarily: ask again later";
		return 0;
	}
	out->result = MC_AUTH_FAIL;
	out->reason = "no aligned DKIM signature passed and no aligned SPF "
	    "pass";
	out->disposition = lower_policy(out->policy, out->testing);
	if (out->policy_tag != NULL && strcmp(out->policy_tag, "np") == 0)
		out->reason = mc_arena_printf(a, "%s; %s does not exist (no A, "
		    "AAAA or MX): np=%s applies", out->reason,
		    out->from_domain, mc_dmarc_policy_str(out->policy));
	if (out->policy_note != NULL)
		out->reason = mc_arena_printf(a, "%s; %s", out->reason,
		    out->policy_note);
	if (out->pct < 100 && out->policy != MC_DMARC_NONE)
		out->reason = mc_arena_printf(a, "%s; pct=%d: the policy "
		    "applies to %d%% of failing mail, the rest gets the next "
		    "lower one", out->reason, out->pct, out->pct);
	return 0;
}
