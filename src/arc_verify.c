/* SPDX-License-Identifier: ISC */
/*
 * src/arc_verify.c - the ARC chain of a message (RFC 8617 5.2)
 *
 * Three passes: collect the fields of every instance (a field whose tags
 * do not parse fails the chain with the parser's reason), check the
 * structure and the cv= values, then ask the keys of every
 * ARC-Message-Signature and every ARC-Seal at once and verify them, newest
 * first.  The newest AMS and every seal decide the chain (5.2 steps 4
 * and 6); the older AMSs only give oldest-pass (step 5, optional there):
 * each intermediary that changes the message breaks the signatures before
 * it, which is the case ARC exists for.  A seal signs the sets up to its own, each as
 * ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal, relaxed,
 * with its own b= emptied (5.1.1); mc_dkim_verify_seal() builds that
 * block from the fields handed to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/arc_verify.h"
#include "banned.h"

enum { AAR, AMS, SEAL, NKIND };

static const char *const field_names[NKIND] = {
	[AAR] = "ARC-Authentication-Results",
	[AMS] = "ARC-Message-Signature",
	[SEAL] = "ARC-Seal",
};

/* What collecting found, per instance (index 1-MC_ARC_MAX_INSTANCE). */
struct arc_fields {
	const struct mc_msg_field *f[MC_ARC_MAX_INSTANCE + 1][NKIND];
	int count[MC_ARC_MAX_INSTANCE + 1][NKIND];
	struct mc_dkim_sig sig[MC_ARC_MAX_INSTANCE + 1][NKIND];
	const char *aar[MC_ARC_MAX_INSTANCE + 1];
	int max;
};

static int
fail(struct mc_arc_chain *out, const char *reason)
{
	out->result = MC_AUTH_FAIL;
	out->reason = reason;
	return reason == NULL ? -1 : 0;
}

/* "i=N; rest" of an unfolded AAR: N (0 if it is not so) and rest. */
static int
aar_instance(const char *u, const char **rest)
{
	int n = 0;
	size_t i = 0;

	while (u[i] == ' ')
		i++;
	if (u[i] != 'i' || u[i + 1] != '=')
		return 0;
	for (i += 2; u[i] >= '0' && u[i] <= '9' && n <= MC_ARC_MAX_INSTANCE;
	    i++)
		n = n * 10 + (u[i] - '0');
	while (u[i] == ' ')
		i++;
	if (u[i] != ';')
		return 0;
	*rest = u + i + 1;
	while (**rest == ' ')
		(*rest)++;
	return n;
}

/* Collect and parse; 1 went on, 0 verdict made (out), -1 no memory. */
static int
collect(struct mc_arena *a, const struct mc_message *m,
    struct arc_fields *af, struct mc_arc_chain *out)
{
	const struct mc_msg_field *f;
	const char *why, *rest;
	size_t k;
	int kind, inst, rc;
	char *u;

	for (k = 0; k < m->nfield; k++) {
		f = &m->field[k];
		for (kind = 0; kind < NKIND; kind++)
			if (mc_msg_field_is(f, field_names[kind]))
				break;
		if (kind == NKIND)
			continue;
		out->result = MC_AUTH_FAIL; /* ARC present from here on */
		if (kind == AAR) {
			if ((u = mc_message_unfold(a, f)) == NULL)
				return -1;
			inst = aar_instance(u, &rest);
			if (inst < 1 || inst > MC_ARC_MAX_INSTANCE)
				return fail(out, mc_arena_printf(a, "%s "
				    "without an instance i= of 1-%d",
				    field_names[kind], MC_ARC_MAX_INSTANCE));
			af->aar[inst] = rest;
		} else {
			why = NULL;
			rc = mc_dkim_sig_parse_kind(a, f->value, f->valuelen,
			    kind == AMS ? MC_DKIM_KIND_AMS : MC_DKIM_KIND_SEAL,
			    &af->sig[0][kind], &why);
			if (rc == -1)
				return -1;
			if (rc == 1)
				return fail(out, mc_arena_printf(a, "%s: %s",
				    field_names[kind], why));
			inst = af->sig[0][kind].instance;
			af->sig[inst][kind] = af->sig[0][kind];
		}
		af->f[inst][kind] = f;
		af->count[inst][kind]++;
		if (inst > af->max)
			af->max = inst;
	}
	return 1;
}

/* RFC 8617 5.2 steps 2-4: structure and cv=; 1 went on, 0 failed. */
static int
structure(struct mc_arena *a, const struct arc_fields *af,
    struct mc_arc_chain *out)
{
	int i, kind;
	const char *cv;

	for (i = 1; i <= af->max; i++)
		for (kind = 0; kind < NKIND; kind++)
			if (af->count[i][kind] != 1)
				return fail(out, mc_arena_printf(a, "ARC set "
				    "i=%d has %d %s fields (one needed)", i,
				    af->count[i][kind], field_names[kind]));
	if (strcmp(af->sig[af->max][SEAL].cv, "fail") == 0)
		return fail(out, mc_arena_printf(a, "the newest seal (i=%d) "
		    "says cv=fail", af->max));
	for (i = 1; i <= af->max; i++) {
		cv = af->sig[i][SEAL].cv;
		if (strcmp(cv, i == 1 ? "none" : "pass") != 0)
			return fail(out, mc_arena_printf(a, "ARC-Seal i=%d "
			    "has cv=%s (%s expected)", i, cv, i == 1 ?
			    "none" : "pass"));
	}
	return 1;
}

/* Fill the report's sets from what was collected. */
static int
describe(struct mc_arena *a, const struct arc_fields *af,
    struct mc_arc_chain *out)
{
	struct mc_arc_set *s;
	const char *semi;
	int i;

	out->set = mc_arena_calloc(a, (size_t)af->max, sizeof(*out->set));
	if (out->set == NULL)
		return -1;
	out->nset = (size_t)af->max;
	for (i = 1; i <= af->max; i++) {
		s = &out->set[i - 1];
		s->instance = i;
		s->cv = af->sig[i][SEAL].cv;
		s->domain = af->sig[i][SEAL].d;
		if (af->aar[i] != NULL) {
			semi = strchr(af->aar[i], ';');
			s->authserv_id = mc_arena_strndup(a, af->aar[i],
			    semi != NULL ? (size_t)(semi - af->aar[i]) :
			    strlen(af->aar[i]));
			s->results = semi != NULL ? semi + 1 : "";
			while (*s->results == ' ')
				s->results++;
		}
		s->seal.result = s->ams.result = MC_AUTH_NONE;
	}
	return 0;
}

/* Ask every AMS's and every seal's key, all at once; 0, or fail(). */
static int
ask_keys(struct mc_dns_session *dns, struct mc_arena *a,
    const struct arc_fields *af, struct mc_dns_query *q,
    struct mc_arc_chain *out)
{
	struct mc_arc_set *s;
	const char *why;
	int i;

	for (i = 1; i <= af->max; i++) {
		s = &out->set[i - 1];
		s->ams.ex.key_name = mc_dkim_key_name(a, &af->sig[i][AMS],
		    &why);
		if (s->ams.ex.key_name == NULL)
			return fail(out, why);
		s->seal.ex.key_name = mc_dkim_key_name(a, &af->sig[i][SEAL],
		    &why);
		if (s->seal.ex.key_name == NULL)
			return fail(out, why);
		q[2 * (i - 1)] = (struct mc_dns_query){
		    .name = s->ams.ex.key_name, .type = MC_RR_TXT };
		q[2 * (i - 1) + 1] = (struct mc_dns_query){
		    .name = s->seal.ex.key_name, .type = MC_RR_TXT };
	}
	mc_dns_lookup_batch(dns, q, 2 * (size_t)af->max);
	return 1;
}

/*
 * RFC 8617 5.2 step 5: oldest-pass, the lowest instance from which every
 * newer ARC-Message-Signature verifies; 0 when all of them do.  The older
 * AMSs are diagnostics: an intermediary that changes the message breaks
 * the ones before it, which is what ARC is for, so they never fail the
 * chain.
 */
static int
oldest_pass(const struct mc_arc_chain *out)
{
	int i;

	for (i = (int)out->nset - 1; i >= 1; i--)
		if (out->set[i - 1].ams.result != MC_AUTH_PASS)
			return i + 1;
	return 0;
}

/* Ask the keys; verify every AMS and every seal, newest first. */
static int
verify_all(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_message *m, long long now, struct arc_fields *af,
    struct mc_arc_chain *out)
{
	struct mc_dns_query q[2 * MC_ARC_MAX_INSTANCE];
	const struct mc_msg_field *fields[3 * MC_ARC_MAX_INSTANCE];
	struct mc_arc_set *s, *top = &out->set[af->max - 1];
	int i, j, rc;
	size_t n;

	if ((rc = ask_keys(dns, a, af, q, out)) != 1)
		return rc;
	for (i = af->max; i >= 1; i--) {
		s = &out->set[i - 1];
		s->ams_checked = 1;
		if (mc_dkim_verify_field(a, m, af->f[i][AMS], &af->sig[i][AMS],
		    q[2 * (i - 1)].ans, now, &s->ams) == -1)
			return -1;
		n = 0;
		for (j = 1; j <= i; j++) {
			fields[n++] = af->f[j][AAR];
			fields[n++] = af->f[j][AMS];
			fields[n++] = af->f[j][SEAL];
		}
		if (mc_dkim_verify_seal(a, fields, n, &af->sig[i][SEAL],
		    q[2 * (i - 1) + 1].ans, now, &s->seal) == -1)
			return -1;
	}
	if (top->ams.result != MC_AUTH_PASS) {
		out->result = top->ams.result == MC_AUTH_TEMPERROR ?
		    MC_AUTH_TEMPERROR : MC_AUTH_FAIL;
		out->reason = mc_arena_printf(a, "ARC-Message-Signature i=%d: "
		    "%s", af->max, top->ams.reason);
		return out->reason == NULL ? -1 : 0;
	}
	for (i = af->max; i >= 1; i--) {
		s = &out->set[i - 1];
		if (s->seal.result != MC_AUTH_PASS) {
			out->result = s->seal.result == MC_AUTH_TEMPERROR ?
			    MC_AUTH_TEMPERROR : MC_AUTH_FAIL;
			out->reason = mc_arena_printf(a, "ARC-Seal i=%d: %s",
			    i, s->seal.reason);
			return out->reason == NULL ? -1 : 0;
		}
	}
	out->result = MC_AUTH_PASS;
	out->oldest_pass = oldest_pass(out);
	out->reason = out->oldest_pass == 0 ?
	    mc_arena_printf(a, "%d ARC set%s, every seal and every message "
	    "signature verify", af->max, af->max > 1 ? "s" : "") :
	    mc_arena_printf(a, "%d ARC sets, every seal and the newest "
	    "message signature verify; the message signatures verify from "
	    "i=%d on (oldest-pass): the message changed after i=%d sealed "
	    "it", af->max, out->oldest_pass, out->oldest_pass - 1);
	return out->reason == NULL ? -1 : 0;
}

/* Does an ARC-Authentication-Results payload say dmarc=pass? */
static int
says_dmarc_pass(const char *results)
{
	const char *p = results;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncasecmp(p, "dmarc=pass", 10) == 0 &&
		    (p[10] == '\0' || p[10] == ' ' || p[10] == ';' ||
		    p[10] == '('))
			return 1;
		p = strchr(p, ';');
	}
	return 0;
}

const char *
mc_arc_dmarc_note(struct mc_arena *a, const struct mc_arc_chain *c,
    enum mc_auth_result dmarc)
{
	const struct mc_arc_set *first;
	const char *who;
	size_t k;

	if (dmarc != MC_AUTH_FAIL || c->result != MC_AUTH_PASS ||
	    c->nset == 0)
		return NULL;
	first = &c->set[0];
	who = c->set[c->nset - 1].domain;
	for (k = c->nset - 1; k > 0; k--)
		who = mc_arena_printf(a, "%s, %s", who, c->set[k - 1].domain);
	if (who == NULL)
		return NULL;
	if (first->results == NULL || !says_dmarc_pass(first->results))
		return mc_arena_printf(a, "dmarc fail, arc pass, but the "
		    "first sealer (%s, i=1) did not see DMARC pass either: "
		    "no reason to override", first->domain);
	return mc_arena_printf(a, "dmarc fail, arc pass: a receiver that "
	    "trusts %s would deliver (local policy override, RFC 8617 7.2): "
	    "%s (i=1) saw dmarc=pass before the message was changed",
	    who, first->authserv_id != NULL ? first->authserv_id :
	    first->domain);
}

int
mc_arc_verify(struct mc_dns_session *dns, struct mc_arena *a,
    const struct mc_message *m, long long now, struct mc_arc_chain *out)
{
	struct arc_fields *af;
	int rc;

	memset(out, 0, sizeof(*out));
	out->result = MC_AUTH_NONE;
	af = calloc(1, sizeof(*af));
	if (af == NULL)
		return -1;
	rc = collect(a, m, af, out);
	if (rc == 1 && out->result == MC_AUTH_NONE) {
		out->reason = "the message has no ARC fields";
		rc = 0;
	}
	if (rc == 1)
		rc = structure(a, af, out);
	if (rc == 1)
		rc = describe(a, af, out) == -1 ? -1 : 1;
	if (rc == 1)
		rc = verify_all(dns, a, m, now, af, out);
	free(af);
	return rc == -1 ? -1 : 0;
}
