/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dns_batch.c - the batch helper of checks (dns_batch.h)
 *
 * Queries live inside the caller's own structs; a run must hand every one
 * its own answer (name and type as asked), past the helper's first growth
 * (16), and leave the batch empty for the next round.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/dns_batch.h"
#include "mc_table.h"

#define NITEMS 40

static char tmpdir[] = "/tmp/mc-batch-test.XXXXXX";
static char path[512];

/* What a check keeps per question: the query inside, and its own data. */
struct item {
	int tag;
	struct mc_dns_query q;
	char name[32];
};

static struct mc_dns *
open_zone(void)
{
	const char *files[1] = { path };
	const struct mc_dns_config cfg = {
		.zone_files = files,
		.nzone_files = 1,
		.query_timeout = 5,
		.attempt_timeout = 1,
		.tries = 3,
	};
	char err[256];
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "%s/batch.zone", tmpdir);
	fp = fopen(path, "w");
	if (fp == NULL)
		return NULL;
	fputs("$ORIGIN batch.test.\n", fp);
	/* even names have an A record, odd ones a TXT record */
	for (i = 0; i < NITEMS; i++)
		fprintf(fp, i % 2 == 0 ? "n%d A 192.0.2.%d\n" :
		    "n%d TXT \"%d\"\n", i, i);
	if (fclose(fp) != 0)
		return NULL;
	return mc_dns_new(&cfg, err, sizeof(err));
}

static void
test_answers_reach_their_items(void **state)
{
	struct mc_dns *dns;
	struct mc_dns_session *session;
	struct mc_arena *a = mc_arena_new();
	struct mc_ctx ctx = { .domain = "batch.test" };
	struct mc_dns_batch b;
	struct item it[NITEMS];
	size_t round;
	int i;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	dns = open_zone();
	assert_non_null(dns);
	assert_non_null(a);
	session = mc_dns_session_begin(dns, 0);
	assert_non_null(session);
	ctx.dns = session;
	ctx.arena = a;
	mc_dns_batch_init(&b, &ctx);
	assert_int_equal(mc_dns_batch_run(&b), 0); /* empty: asks nothing */
	for (round = 0; round < 2; round++) {
		memset(it, 0, sizeof(it));
		for (i = 0; i < NITEMS; i++) {
			it[i].tag = i;
			snprintf(it[i].name, sizeof(it[i].name),
			    "n%d.batch.test", i);
			/* the second round asks the other type */
			assert_int_equal(mc_dns_batch_add(&b, &it[i].q,
			    it[i].name, (i + (int)round) % 2 == 0 ? MC_RR_A :
			    MC_RR_TXT), 0);
		}
		assert_int_equal(b.n, NITEMS);
		assert_int_equal(mc_dns_batch_run(&b), 0);
		assert_int_equal(b.n, 0);
		for (i = 0; i < NITEMS; i++) {
			assert_non_null(it[i].q.ans);
			assert_int_equal(it[i].tag, i);
			assert_string_equal(it[i].q.ans->qname, it[i].name);
			assert_int_equal(it[i].q.ans->qtype, it[i].q.type);
			/* round 0 asks each name the type it has */
			assert_int_equal(it[i].q.ans->status, round == 0 ?
			    MC_DNS_OK : MC_DNS_NODATA);
		}
	}
	mc_arena_free(a);
	mc_dns_session_end(session);
	mc_dns_free(dns);
	unlink(path);
	rmdir(tmpdir);
}

int
main(void)
{
	struct CMUnitTest t[4];
	size_t n = 0;

	MC_TEST_ADD(t, &n, test_answers_reach_their_items);
	return mc_table_run("dns_batch", t, n, NULL, NULL);
}
