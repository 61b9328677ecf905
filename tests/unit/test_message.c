/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_message.c - the message reader, field unfolding, the
 * DKIM-Signature tag parser and the From scanner, table-driven
 *
 * Message rows: the input and what the reader must make of it (fields,
 * body, bare LFs fixed, the mbox line) or the start of its error.
 * Signature rows: a DKIM-Signature value and its reason for refusal, or
 * the tags read (RFC 6376 3.5).  From rows: a message's From field and
 * the domain DMARC evaluates, or the start of the permerror's reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mailcheck/dkim_verify.h"
#include "mailcheck/dmarc_align.h"
#include "mailcheck/message.h"
#include "mc_table.h"

struct msg_row {
	const char *name;
	const char *in;
	size_t inlen;          /* 0: strlen(in) */
	const char *error;     /* prefix of the error, or NULL */
	size_t nfield;
	const char *body;
	size_t lf_fixed;
	int mbox;
	const char *unfolded;  /* the last field's value unfolded */
};

static const struct msg_row msg_rows[] = {
	{ "crlf", "From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n", 0, NULL,
	  2, "body\r\n", 0, 0, "x" },
	{ "lf only read as crlf (RFC 5322 2.1)", "From: a\nSubject: y\n\nb\n",
	  0, NULL, 2, "b\r\n", 4, 0, "y" },
	{ "mbox From line skipped", "From x@y Mon Jan 1\nTo: t\n\n", 0, NULL,
	  1, "", 2, 1, "t" },
	{ "mixed CRLF and bare LF, converted in place",
	  "To: t\r\nSubject: s\n\r\n\na\r\nb\nc\rd\n\n", 0, NULL, 2,
	  "\r\na\r\nb\r\nc\rd\r\n\r\n", 5, 0, "s" },
	{ "mbox line and bare LFs", "From x@y\nTo: t\n\n\nx", 0, NULL, 1,
	  "\r\nx", 3, 1, "t" },
	{ "mbox line only", "From x@y Mon Jan 1\n", 0, "the message is empty",
	  0, NULL, 0, 0, NULL },
	{ "folded field unfolded (RFC 6376 3.4.2)",
	  "Subject:  a\r\n  b\t\tc \r\n\td\r\n\r\n", 0, NULL, 1, "", 0, 0,
	  "a b c d" },
	{ "no body", "To: t\r\n", 0, NULL, 1, "", 0, 0, "t" },
	{ "empty value", "To:\r\n\r\n", 0, NULL, 1, "", 0, 0, "" },
	{ "NUL in the body kept", "To: t\r\n\r\na\0b", 12, NULL, 1,
	  NULL, 0, 0, "t" },
	{ "NUL in the header", "To: t\0u\r\n\r\n", 11, "NUL byte", 0, NULL,
	  0, 0, NULL },
	{ "no colon", "To: t\r\nnonsense\r\n\r\n", 0, "header line 2 is not",
	  0, NULL, 0, 0, NULL },
	{ "empty name", ": t\r\n\r\n", 0, "header line 1 is not", 0, NULL, 0,
	  0, NULL },
	{ "continuation first", " t\r\n\r\n", 0, "header line 1 starts", 0,
	  NULL, 0, 0, NULL },
	{ "empty message", "", 0, "the message is empty", 0, NULL, 0, 0,
	  NULL },
};

static void
test_msg(void **state)
{
	const struct msg_row *r = *state;
	struct mc_message m;
	struct mc_arena *a = mc_arena_new();
	char err[256] = "";
	size_t len = r->inlen != 0 ? r->inlen : strlen(r->in);
	int rc;

	rc = mc_message_parse(r->in, len, 0, &m, err, sizeof(err));
	if (r->error != NULL) {
		assert_int_equal(rc, -1);
		assert_true(strncmp(err, r->error, strlen(r->error)) == 0);
		mc_arena_free(a);
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(m.nfield, r->nfield);
	if (r->body != NULL) {
		assert_int_equal(m.bodylen, strlen(r->body));
		assert_memory_equal(m.body, r->body, m.bodylen);
	} else
		assert_int_equal(m.bodylen, 3);
	assert_int_equal(m.lf_fixed, r->lf_fixed);
	assert_int_equal(m.mbox_from, r->mbox);
	assert_string_equal(mc_message_unfold(a, &m.field[m.nfield - 1]),
	    r->unfolded);
	mc_message_release(&m);
	mc_arena_free(a);
}

/*
 * mc_message_read() from a stream longer than its first buffer, with
 * every kind of line end: the body must be what a plain forward copy (made
 * here, independently of src/message.c) turns it into.
 */
static void
test_read_stream(void **state)
{
	static const char *const ends[] = { "\n", "\r\n", "\r", "\n\n" };
	const size_t n = 300000;
	char *in, *want, err[256];
	struct mc_message m;
	size_t i, k, len = 0, w = 0, lf = 0;
	FILE *f;

	(void)state;
	in = malloc(n + 64);
	want = malloc(2 * n + 64);
	assert_non_null(in);
	assert_non_null(want);
	len = (size_t)snprintf(in, 64, "From mbox\nTo: t\n\n");
	for (k = 0; len < n; k++) {
		const char *e = ends[k % 4];

		in[len++] = (char)('a' + k % 26);
		memcpy(in + len, e, strlen(e));
		len += strlen(e);
	}
	for (i = strlen("From mbox\nTo: t\n\n"); i < len; i++) {
		if (in[i] == '\n' && in[i - 1] != '\r') {
			want[w++] = '\r';
			lf++;
		}
		want[w++] = in[i];
	}
	f = fmemopen(in, len, "rb");
	assert_non_null(f);
	assert_int_equal(mc_message_read(f, 0, &m, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(m.mbox_from, 1);
	assert_int_equal(m.lf_fixed, lf + 2);
	assert_int_equal(m.bodylen, w);
	assert_memory_equal(m.body, want, w);
	assert_int_equal(m.buf[m.len], '\0');
	mc_message_release(&m);
	free(in);
	free(want);
}

static void
test_size_cap(void **state)
{
	static const char in[] = "To: t\r\n\r\n0123456789";
	struct mc_message m;
	char err[256];

	(void)state;
	assert_int_equal(mc_message_parse(in, sizeof(in) - 1, 10, &m, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than the size cap"));
	assert_int_equal(mc_message_parse(in, sizeof(in) - 1, 64, &m, err,
	    sizeof(err)), 0);
	mc_message_release(&m);
}

#define SIG_OK "v=1; a=rsa-sha256; d=Example.ORG; s=sel; h=From:To; " \
    "bh=AAAA; b=AA\r\n AA"

struct sig_row {
	const char *name;
	const char *in;
	const char *why;       /* prefix of the reason, or NULL: usable */
	const char *i;         /* i= read (usable rows) */
	int relaxed_header, relaxed_body;
	long long l;
};

static const struct sig_row sig_rows[] = {
	{ "usable, defaults (RFC 6376 3.5)", SIG_OK, NULL, "@example.org", 0,
	  0, -1 },
	{ "z= and q=dns/txt read (RFC 6376 3.5)", SIG_OK "; q=dns/txt; "
	  "z=From:a@example.org|To:b=3A@x.example", NULL, "@example.org", 0,
	  0, -1 },
	{ "c=relaxed alone is relaxed/simple", SIG_OK "; c=relaxed", NULL,
	  "@example.org", 1, 0, -1 },
	{ "c=simple/relaxed, l=", SIG_OK "; c=simple/relaxed; l=12", NULL,
	  "@example.org", 0, 1, 12 },
	{ "i= quoted-printable in a subdomain", SIG_OK "; i=a=3Db@x.example.org",
	  NULL, "a=b@x.example.org", 0, 0, -1 },
	{ "i= outside d=", SIG_OK "; i=@example.net", "i= is not in", NULL, 0,
	  0, -1 },
	{ "no From in h=", "v=1; a=rsa-sha256; d=a.example; s=s; h=to; "
	  "bh=AAAA; b=AAAA", "From is not among", NULL, 0, 0, -1 },
	{ "missing bh=", "v=1; a=rsa-sha256; d=a.example; s=s; h=from; "
	  "b=AAAA", "signature has no bh= tag", NULL, 0, 0, -1 },
	{ "v=2", "v=2; a=rsa-sha256; d=a.example; s=s; h=from; bh=AAAA; "
	  "b=AAAA", "signature version", NULL, 0, 0, -1 },
	{ "unknown a=", "v=1; a=rsa-md5; d=a.example; s=s; h=from; bh=AAAA; "
	  "b=AAAA", "unknown algorithm", NULL, 0, 0, -1 },
	{ "bad c=", SIG_OK "; c=loose", "unknown canonicalization", NULL, 0,
	  0, -1 },
	{ "bad d=", "v=1; a=rsa-sha256; d=a(.b; s=s; h=from; bh=AAAA; "
	  "b=AAAA", "d= is not a domain name", NULL, 0, 0, -1 },
	{ "b= not base64", "v=1; a=rsa-sha256; d=a.example; s=s; h=from; "
	  "bh=AAAA; b=A*AA", "b= is not base64", NULL, 0, 0, -1 },
	{ "x= before t=", SIG_OK "; t=10; x=5", "x= is before t=", NULL, 0, 0,
	  -1 },
	{ "l= not a number", SIG_OK "; l=-1", "l= is not a number", NULL, 0,
	  0, -1 },
	{ "q= unknown", SIG_OK "; q=http", "no known query method", NULL, 0,
	  0, -1 },
	{ "tag twice (RFC 6376 3.2)", SIG_OK "; s=x", "signature does not "
	  "parse", NULL, 0, 0, -1 },
};

static void
test_sig(void **state)
{
	const struct sig_row *r = *state;
	struct mc_arena *a = mc_arena_new();
	struct mc_dkim_sig sig;
	const char *why = NULL;
	int rc;

	rc = mc_dkim_sig_parse(a, r->in, strlen(r->in), &sig, &why);
	if (r->why != NULL) {
		assert_int_equal(rc, 1);
		assert_non_null(why);
		assert_true(strncmp(why, r->why, strlen(r->why)) == 0);
	} else {
		assert_int_equal(rc, 0);
		assert_string_equal(sig.d, "example.org");
		assert_string_equal(sig.i, r->i);
		assert_int_equal(sig.relaxed_header, r->relaxed_header);
		assert_int_equal(sig.relaxed_body, r->relaxed_body);
		assert_int_equal(sig.l, r->l);
		assert_int_equal(sig.nh, 2);
		assert_int_equal(sig.blen, 3);
		if (strstr(r->in, "z=") != NULL)
			assert_string_equal(sig.z,
			    "From:a@example.org|To:b=3A@x.example");
	}
	mc_arena_free(a);
}

struct from_row {
	const char *name;
	const char *header;
	const char *domain;    /* or NULL */
	const char *why;       /* prefix, when domain is NULL */
};

static const struct from_row from_rows[] = {
	{ "display name", "From: Alice <alice@Example.ORG>\r\n", "example.org",
	  NULL },
	{ "bare address", "From: bob@example.net\r\n", "example.net", NULL },
	{ "comma in a quoted name", "From: \"Doe, J\" <j@x.example>\r\n",
	  "x.example", NULL },
	{ "comment", "From: j@x.example (Jay, the boss)\r\n", "x.example",
	  NULL },
	{ "two addresses (RFC 7489 6.6.1)", "From: a@x.example, b@y.example\r\n",
	  NULL, "the From field holds several" },
	{ "two From fields", "From: a@x.example\r\nFrom: b@x.example\r\n",
	  NULL, "the message has several From" },
	{ "no From", "To: a@x.example\r\n", NULL, "the message has no From" },
	{ "no address", "From: undisclosed\r\n", NULL, "the From field holds "
	  "no" },
};

static void
test_from(void **state)
{
	const struct from_row *r = *state;
	struct mc_arena *a = mc_arena_new();
	struct mc_message m;
	char err[256], in[512];
	const char *dom = NULL, *why = NULL;
	int rc;

	snprintf(in, sizeof(in), "%s\r\nbody", r->header);
	assert_int_equal(mc_message_parse(in, strlen(in), 0, &m, err,
	    sizeof(err)), 0);
	rc = mc_dmarc_from_domain(a, &m, &dom, &why);
	if (r->domain != NULL) {
		assert_int_equal(rc, 0);
		assert_string_equal(dom, r->domain);
	} else {
		assert_int_equal(rc, 1);
		assert_true(strncmp(why, r->why, strlen(r->why)) == 0);
	}
	mc_message_release(&m);
	mc_arena_free(a);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TABLE_ADD(t, &n, msg_rows, test_msg);
	MC_TEST_ADD(t, &n, test_size_cap);
	MC_TEST_ADD(t, &n, test_read_stream);
	MC_TABLE_ADD(t, &n, sig_rows, test_sig);
	MC_TABLE_ADD(t, &n, from_rows, test_from);
	return _cmocka_run_group_tests("message", t, n, NULL, NULL);
}
