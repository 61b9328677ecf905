/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dmarc_align.h - DMARC for one message (RFC 7489 3.1, 6.6;
 * RFC 9989 where they differ)
 *
 * mc_dmarc_from_domain() finds the RFC5322.From domain (exactly one From
 * field with exactly one address, else a permerror).  mc_dmarc_evaluate()
 * finds the policy through the dmarc check's own code (the RFC 9989 tree
 * walk of src/dmarc_record.c, all names asked at once), reads adkim= and
 * aspf= through the tag=value tokenizer, decides identifier alignment
 * (strict: the same name; relaxed: the same organizational domain by the
 * Public Suffix List, as the dmarc check computes it) for the passing DKIM
 * signatures and the SPF result, and says the result and the disposition
 * the policy asks for (pct= and t=y honoured).  A From domain below the
 * policy domain gets sp=, or np= when it does not exist (RFC 9989: no A,
 * AAAA or MX; asked through the DNS layer only when np= and sp= differ).
 *
 * Memory: everything returned comes from the arena given.
 */
#ifndef MAILCHECK_DMARC_ALIGN_H
#define MAILCHECK_DMARC_ALIGN_H

#include <stddef.h>

#include <libpsl.h>

#include "mailcheck/arena.h"
#include "mailcheck/dkim_verify.h"
#include "mailcheck/dns.h"
#include "mailcheck/message.h"

struct mc_dmarc_eval {
	enum mc_auth_result result; /* none, pass, fail, temperror, permerror */
	const char *reason;
	const char *from_domain;  /* NULL: none or several */
	const char *policy_domain; /* the domain whose record applies */
	const char *record;       /* that record's text */
	const char *org_domain;   /* of the From domain (PSL), or NULL */
	int policy;               /* enum mc_dmarc_policy applied */
	const char *policy_tag;   /* the tag it comes from: "p", "sp" or
	                             "np" (RFC 9989 4.10.1); NULL: none */
	int from_exists;          /* asked only for np=: 1 the From domain
	                             exists, 0 not (no A, AAAA or MX), -1
	                             not asked or unknown */
	const char *policy_note;  /* why np= was not applied, or NULL */
	const char *source;       /* mc_dmarc_source_str() */
	int pct;
	int testing;              /* t=y */
	char adkim, aspf;         /* 'r' or 's' */
	const char *dkim_aligned; /* d= of an aligned passing signature */
	const char *spf_aligned;  /* the SPF domain when aligned and pass */
	const char *disposition;  /* "none", "quarantine", "reject" */
};

/*
 * The From domain of m: 0 with *domain (normalised, arena), or 1 with the
 * reason in *why (no From, several From fields or addresses, no domain);
 * -1 when out of memory.
 */
int mc_dmarc_from_domain(struct mc_arena *a, const struct mc_message *m,
    const char **domain, const char **why);

/*
 * Evaluate DMARC for from_domain (NULL: permerror with from_why) given
 * the DKIM verdicts and the SPF result for spf_domain (spf_domain NULL:
 * SPF not evaluated).  psl may be NULL: then the process's list
 * (mailcheck/psl.h), and without one the tree walk's organizational
 * domain, serve relaxed alignment.  Returns 0, or -1 out of memory.
 */
int mc_dmarc_evaluate(struct mc_dns_session *dns, struct mc_arena *a,
    const psl_ctx_t *psl, const char *from_domain, const char *from_why,
    const struct mc_dkim_verdict *v, size_t nv, const char *spf_domain,
    enum mc_auth_result spf, struct mc_dmarc_eval *out);

#endif
