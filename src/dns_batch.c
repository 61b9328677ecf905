/* SPDX-License-Identifier: ISC */
/*
 * src/dns_batch.c - gather a check's questions, ask them at once
 *
 * The batch holds pointers to queries that live inside the caller's own
 * structs; a run copies them into one contiguous array for
 * mc_dns_lookup_batch() and hands the answers back.  The pointer array
 * grows by doubling in the check's arena (an arena never frees, so a grown
 * array leaves the old one behind: at most as much again).
 */
#include <string.h>

#include "mailcheck/dns_batch.h"
#include "banned.h"

void
mc_dns_batch_init(struct mc_dns_batch *b, struct mc_ctx *ctx)
{
	*b = (struct mc_dns_batch){ .ctx = ctx };
}

int
mc_dns_batch_add(struct mc_dns_batch *b, struct mc_dns_query *q,
    const char *name, uint16_t type)
{
	struct mc_dns_query **grown;
	size_t cap;

	if (b->err)
		return -1;
	if (b->n == b->cap) {
		cap = b->cap == 0 ? 16 : 2 * b->cap;
		grown = mc_arena_calloc(b->ctx->arena, cap, sizeof(*grown));
		if (grown == NULL) {
			b->err = 1;
			return -1;
		}
		if (b->n > 0)
			memcpy(grown, b->q, b->n * sizeof(*grown));
		b->q = grown;
		b->cap = cap;
	}
	q->name = name;
	q->type = type;
	q->ans = NULL;
	b->q[b->n++] = q;
	return 0;
}

int
mc_dns_batch_run(struct mc_dns_batch *b)
{
	struct mc_dns_query *flat;
	size_t i, n = b->n;

	b->n = 0;
	if (b->err)
		return -1;
	if (n == 0)
		return 0;
	flat = mc_arena_calloc(b->ctx->arena, n, sizeof(*flat));
	if (flat == NULL) {
		b->err = 1;
		return -1;
	}
	for (i = 0; i < n; i++)
		flat[i] = *b->q[i];
	mc_dns_lookup_batch(b->ctx->dns, flat, n);
	for (i = 0; i < n; i++)
		b->q[i]->ans = flat[i].ans;
	return 0;
}
