/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_txt.c - mc_txt_join(), the one place TXT strings are joined,
 * and mc_rr_set_txt(), which keeps the RDATA after the joined text for the
 * DNSSEC validator (an answer's copy keeps it too)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dns_impl.h"
#include "mailcheck/dns.h"
#include "mc_table.h"

struct row {
	const char *name;
	const char *rdata;     /* wire RDATA */
	size_t rdlen;
	int ok;                /* 0: must be refused (NULL) */
	const char *joined;
	size_t len, nstrings, longest;
};

#define W(s) s, sizeof(s) - 1

static const struct row rows[] = {
	{ "no strings at all (RFC 1035 3.3.14: one or more)", W(""), 0, NULL,
	    0, 0, 0 },
	{ "one empty string", W("\x00"), 1, "", 0, 1, 0 },
	{ "one string", W("\x07v=spf1 "), 1, "v=spf1 ", 7, 1, 7 },
	{ "two strings joined without separator", W("\x07v=spf1 \x04-all"), 1,
	    "v=spf1 -all", 11, 2, 7 },
	{ "three strings, the middle one empty", W("\x02" "ab" "\x00" "\x03" "cde"),
	    1, "abcde", 5, 3, 3 },
	{ "empty strings only", W("\x00\x00\x00"), 1, "", 0, 3, 0 },
	{ "length byte beyond the end", W("\x05" "abc"), 0, NULL, 0, 0, 0 },
	{ "second length byte beyond the end", W("\x03" "abc" "\x05" "ab"), 0,
	    NULL, 0, 0, 0 },
	{ "length byte alone at the end", W("\x03" "abc" "\x01"), 0, NULL, 0, 0,
	    0 },
	{ "a lone length byte", W("\x01"), 0, NULL, 0, 0, 0 },
	{ "NUL bytes inside a string are kept", W("\x03" "a\0b" "\x02" "\0c"), 1,
	    "a\0b\0c", 5, 2, 3 },
};

static void
test_row(void **state)
{
	const struct row *r = MC_ROW(state, struct row);
	size_t len = 99, nstrings = 99, longest = 99;
	char *out;

	out = mc_txt_join((const unsigned char *)r->rdata, r->rdlen, &len,
	    &nstrings, &longest);
	if (!r->ok) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_int_equal(len, r->len);
	assert_int_equal(nstrings, r->nstrings);
	assert_int_equal(longest, r->longest);
	assert_memory_equal(out, r->joined, r->len);
	assert_int_equal(out[len], '\0');
	free(out);
}

/* Strings of the maximum length, 255 octets, and one more of 1. */
static void
test_max_length_strings(void **state)
{
	unsigned char rdata[2 * 256 + 2];
	size_t len, nstrings, longest, i;
	char *out;

	(void)state;
	rdata[0] = 255;
	memset(rdata + 1, 'a', 255);
	rdata[256] = 255;
	memset(rdata + 257, 'b', 255);
	rdata[512] = 1;
	rdata[513] = 'c';
	out = mc_txt_join(rdata, sizeof(rdata), &len, &nstrings, &longest);
	assert_non_null(out);
	assert_int_equal(len, 511);
	assert_int_equal(nstrings, 3);
	assert_int_equal(longest, 255);
	for (i = 0; i < 255; i++) {
		assert_int_equal(out[i], 'a');
		assert_int_equal(out[255 + i], 'b');
	}
	assert_int_equal(out[510], 'c');
	assert_int_equal(out[511], '\0');
	free(out);
	/* the same, cut one octet short */
	assert_null(mc_txt_join(rdata, 255, &len, &nstrings, &longest));
	assert_null(mc_txt_join(rdata, sizeof(rdata) - 1, &len, &nstrings,
	    &longest));
}

/* Every byte value survives joining. */
static void
test_all_bytes(void **state)
{
	unsigned char rdata[257];
	size_t len, nstrings, longest, i;
	char *out;

	(void)state;
	rdata[0] = 255;
	rdata[256] = 0;
	for (i = 0; i < 255; i++)
		rdata[1 + i] = (unsigned char)(i + 1);
	out = mc_txt_join(rdata, sizeof(rdata), &len, &nstrings, &longest);
	assert_non_null(out);
	assert_int_equal(len, 255);
	assert_int_equal(nstrings, 2);
	assert_memory_equal(out, rdata + 1, 255);
	free(out);
}

/* The RDATA, string boundaries and all, survives joining and copying. */
static void
test_rdata_kept(void **state)
{
	static const unsigned char rdata[] = "\x07v=spf1 \x04-all";
	struct mc_rr rr = { .type = MC_RR_TXT, .ttl = 300 };
	struct mc_dns_answer *a;
	char addr[] = "127.0.0.1";

	(void)state;
	assert_int_equal(mc_rr_set_txt(&rr, rdata, sizeof(rdata) - 1), 0);
	assert_string_equal(rr.data, "v=spf1 -all");
	assert_int_equal(rr.len, 11);
	assert_int_equal(rr.nstrings, 2);
	assert_int_equal(rr.rdlen, sizeof(rdata) - 1);
	assert_memory_equal(mc_rr_rdata(&rr), rdata, sizeof(rdata) - 1);
	a = mc_answer_new("example.org", MC_RR_TXT);
	assert_non_null(a);
	assert_int_equal(mc_answer_add(a, &rr), 0);
	free(rr.data);
	assert_string_equal(a->rr[0].data, "v=spf1 -all");
	assert_memory_equal(mc_rr_rdata(&a->rr[0]), rdata, sizeof(rdata) - 1);
	mc_answer_free(a);

	/* no strings: malformed, kept as such, without RDATA */
	memset(&rr, 0, sizeof(rr));
	assert_int_equal(mc_rr_set_txt(&rr, rdata, 0), 0);
	assert_int_equal(rr.nstrings, 0);
	assert_null(mc_rr_rdata(&rr));
	free(rr.data);
	/* a string cut short: refused */
	memset(&rr, 0, sizeof(rr));
	assert_int_equal(mc_rr_set_txt(&rr, rdata, 5), -1);
	/* other types keep none */
	rr = (struct mc_rr){ .type = MC_RR_A, .data = addr,
	    .len = 9 };
	assert_null(mc_rr_rdata(&rr));
}

int
main(void)
{
	struct CMUnitTest t[32];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, rows, test_row);
	MC_TEST_ADD(t, &n, test_max_length_strings);
	MC_TEST_ADD(t, &n, test_all_bytes);
	MC_TEST_ADD(t, &n, test_rdata_kept);
	return mc_table_run("txt", t, n, NULL, NULL);
}
