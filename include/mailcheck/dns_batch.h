/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dns_batch.h - gather a check's questions, ask them at once
 *
 * A check that fans out keeps what each question is for in its own
 * struct, with a struct mc_dns_query inside it; the batch collects
 * pointers to those queries and mc_dns_batch_run() asks them all in one
 * mc_dns_lookup_batch() and fills in each query's ans.  No parallel
 * "question i belongs to item i" arrays:
 *
 *	struct ask { struct mc_dns_query q; ... what it is for ... };
 *	struct mc_dns_batch b;
 *	mc_dns_batch_init(&b, ctx);
 *	for (...)
 *		mc_dns_batch_add(&b, &asks[i].q, name, MC_RR_A);
 *	if (mc_dns_batch_run(&b) == -1) ... out of memory ...
 *	... asks[i].q.ans ...
 *
 * Memory comes from ctx->arena; the queries stay the caller's.  A failed
 * add (out of memory) sticks: mc_dns_batch_run() then asks nothing and
 * returns -1.  After a run the batch is empty and may be filled again.
 */
#ifndef MAILCHECK_DNS_BATCH_H
#define MAILCHECK_DNS_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "mailcheck/check.h"

struct mc_dns_batch {
	struct mc_ctx *ctx;
	struct mc_dns_query **q;  /* the caller's queries (arena array) */
	size_t n, cap;
	int err;                  /* sticky: an add ran out of memory */
};

void mc_dns_batch_init(struct mc_dns_batch *b, struct mc_ctx *ctx);
/*
 * Set q's question (name is not copied: it must live until the run) and
 * add q to the batch.  Returns 0, or -1 when out of memory (sticky).
 */
int mc_dns_batch_add(struct mc_dns_batch *b, struct mc_dns_query *q,
    const char *name, uint16_t type);
/*
 * Ask every question added, at once, blocking this thread; each query's
 * ans is set.  Returns 0, or -1 after a failed add (nothing asked, every
 * ans left NULL).  The batch is empty afterwards either way.
 */
int mc_dns_batch_run(struct mc_dns_batch *b);

#endif
