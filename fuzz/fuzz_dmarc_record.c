/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_dmarc_record.c - libFuzzer target for the DMARC record module
 *
 * The input is a TXT record at _dmarc.example.org; a second copy of it
 * sits at _dmarc.org, so the tree walk of mail.example.org inherits it.
 * Invariants checked: classification and parsing never fail on hostile
 * bytes; problems stay within MC_DMARC_MAX_PROBLEMS; policies are in
 * range; a fallback applies p=none and only beside a valid rua=; every
 * problem has a message and a subject; the discovery names a node it
 * read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/dmarc_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_record(const struct mc_dmarc_record *r)
{
	size_t i;

	if (r->nproblem > MC_DMARC_MAX_PROBLEMS || r->nuri >
	    2 * MC_DMARC_MAX_URIS)
		abort();
	if (r->p < MC_DMARC_UNSET || r->p > MC_DMARC_REJECT ||
	    r->pct < 0 || r->pct > 100)
		abort();
	for (i = 0; i < r->nproblem; i++)
		if (r->problem[i].message == NULL ||
		    r->problem[i].subject == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_arena *a;
	struct mc_dmarc_record *rec;
	struct mc_dmarc_discovery *d;
	struct mc_dns_answer ans[MC_DMARC_WALK_MAX];
	struct mc_rr rr = { .type = MC_RR_TXT, .len = size };
	char *copy;
	size_t i;

	a = mc_arena_new();
	if (a == NULL)
		return 0;
	rec = mc_arena_alloc(a, sizeof(*rec));
	d = mc_arena_alloc(a, sizeof(*d));
	copy = mc_arena_alloc(a, size + 1);
	if (rec == NULL || d == NULL || copy == NULL)
		goto out;
	memcpy(copy, data, size);
	copy[size] = '\0';
	rr.data = copy;
	(void)mc_dmarc_classify(copy, size);
	if (mc_dmarc_parse(a, "_dmarc.example.org", copy, size, rec) == 0)
		check_record(rec);
	if (mc_dmarc_walk_begin(a, "mail.example.org", d) == -1)
		goto out;
	for (i = 0; i < d->n; i++) {
		memset(&ans[i], 0, sizeof(ans[i]));
		ans[i].status = i == 0 ? MC_DNS_NXDOMAIN : MC_DNS_OK;
		ans[i].rr = &rr;
		ans[i].count = i == 0 ? 0 : 1;
		d->node[i].ans = &ans[i];
	}
	if (mc_dmarc_walk_end(a, d) == -1)
		goto out;
	if (d->pol != MC_DMARC_NO_NODE) {
		if (d->pol >= d->n || d->node[d->pol].rec == NULL)
			abort();
		check_record(d->node[d->pol].rec);
		if (d->source == MC_DMARC_SRC_FALLBACK &&
		    (d->policy != MC_DMARC_NONE ||
		    !d->node[d->pol].rec->rua_valid))
			abort();
	}
	if (d->policy == MC_DMARC_UNSET && d->reason == NULL)
		abort();
out:
	mc_arena_free(a);
	return 0;
}
