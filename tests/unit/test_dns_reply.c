/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_dns_reply.c - reply validation and parsing of the engine
 *
 * mc_dns_parse_reply() decides whether a packet is the answer to our
 * question (ID, QR, one question with our name, type and class), whether it
 * sends us to TCP (TC), and what the answer says.  The packets are built
 * here octet by octet, so damaged ones are as easy to make as good ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "mc_table.h"
#include "mc_pkt.h"
#include "banned.h"

#define ID 0x4d2e
#define F_QR 0x8000
#define F_TC 0x0200
#define F_RESP 0x8180 /* QR RD RA, NOERROR */
#define C_IN 1

static void
header(struct pkt *p, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	p->len = 0;
	put16(p, id);
	put16(p, flags);
	put16(p, qd);
	put16(p, an);
	put16(p, 0);
	put16(p, 0);
}

static void
question(struct pkt *p, const char *name, unsigned type, unsigned class)
{
	put_name(p, name);
	put16(p, type);
	put16(p, class);
}

static void
rr_a(struct pkt *p, const char *owner, unsigned last)
{
	rr_head(p, owner, MC_RR_A, 4);
	put8(p, 192);
	put8(p, 0);
	put8(p, 2);
	put8(p, last);
}

static void
rr_name(struct pkt *p, const char *owner, unsigned type, int pref,
    const char *target)
{
	struct pkt t = { .len = 0 };

	if (pref >= 0)
		put16(&t, (unsigned)pref);
	put_name(&t, target);
	rr_head(p, owner, type, (unsigned)t.len);
	memcpy(p->b + p->len, t.b, t.len);
	p->len += t.len;
}

/* An OPT record (1232 octets, extended RCODE ext) in the additional section. */
static void
opt(struct pkt *p, unsigned ext)
{
	put8(p, 0);
	put16(p, 41);
	put16(p, MC_DNS_EDNS_SIZE);
	put8(p, ext);
	put8(p, 0);
	put16(p, 0);
	put16(p, 0);
	p->b[11]++; /* ARCOUNT */
}

/*
 * Parse p as the reply to (name, type) with ID, asked with EDNS when edns
 * is set; *out gets the answer.
 */
static enum mc_reply
parse_edns(const struct pkt *p, const char *name, uint16_t type, int edns,
    struct mc_dns_answer **out)
{
	*out = mc_answer_new(name, type);
	assert_non_null(*out);
	return mc_dns_parse_reply(p->b, p->len, ID, name, type, edns, NULL,
	    *out);
}

/* The same for a query with EDNS, as the engine sends first. */
static enum mc_reply
parse(const struct pkt *p, const char *name, uint16_t type,
    struct mc_dns_answer **out)
{
	return parse_edns(p, name, type, 1, out);
}

static void
test_good_answer(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;

	(void)state;
	header(&p, ID, F_RESP, 1, 2);
	question(&p, "example.test", MC_RR_A, C_IN);
	rr_a(&p, "example.test", 1);
	rr_a(&p, "example.test", 2);
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a), MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->rcode, 0);
	assert_int_equal(a->count, 2);
	assert_string_equal(a->rr[0].data, "192.0.2.1");
	assert_string_equal(a->rr[1].data, "192.0.2.2");
	mc_answer_free(a);
}

static void
test_question_case_ignored(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;

	(void)state;
	header(&p, ID, F_RESP, 1, 1);
	question(&p, "ExAmPlE.TEST", MC_RR_A, C_IN);
	rr_a(&p, "EXAMPLE.test", 7);
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a), MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->count, 1);
	mc_answer_free(a);
}

/* Each packet is a plausible reply, but not to our question. */
static void
test_foreign(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++) {
		unsigned id = ID, flags = F_RESP, qd = 1, type = MC_RR_A;
		unsigned class = C_IN;
		const char *qname = "example.test";

		switch (i) {
		case 0: id = ID ^ 1; break;
		case 1: flags = 0x0100; break;        /* a query, QR clear */
		case 2: qname = "evil.example.test"; break;
		case 3: type = MC_RR_AAAA; break;
		case 4: class = 3; break;             /* CH */
		case 5: qd = 0; break;
		case 6: qd = 2; break;
		}
		header(&p, id, flags, qd, 1);
		if (qd > 0)
			question(&p, qname, type, class);
		if (qd > 1)
			question(&p, "example.test", MC_RR_A, C_IN);
		rr_a(&p, "example.test", 66);
		assert_int_equal(parse(&p, "example.test", MC_RR_A, &a),
		    MC_REPLY_FOREIGN);
		assert_int_equal(a->count, 0);
		mc_answer_free(a);
	}
	/* shorter than a header */
	header(&p, ID, F_RESP, 1, 0);
	p.len = 11;
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a),
	    MC_REPLY_FOREIGN);
	mc_answer_free(a);
}

static void
test_truncated(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;

	(void)state;
	header(&p, ID, F_RESP | F_TC, 1, 0);
	question(&p, "example.test", MC_RR_MX, C_IN);
	assert_int_equal(parse(&p, "example.test", MC_RR_MX, &a),
	    MC_REPLY_TRUNCATED);
	mc_answer_free(a);

	/* cut in the middle of a record, as a truncating server may do */
	header(&p, ID, F_RESP | F_TC, 1, 3);
	question(&p, "example.test", MC_RR_MX, C_IN);
	rr_name(&p, "example.test", MC_RR_MX, 10, "mx1.example.test");
	p.len -= 5;
	assert_int_equal(parse(&p, "example.test", MC_RR_MX, &a),
	    MC_REPLY_TRUNCATED);
	mc_answer_free(a);

	/* TC on a reply to another question is still foreign */
	header(&p, ID, F_RESP | F_TC, 1, 0);
	question(&p, "other.test", MC_RR_MX, C_IN);
	assert_int_equal(parse(&p, "example.test", MC_RR_MX, &a),
	    MC_REPLY_FOREIGN);
	mc_answer_free(a);
}

static void
test_rcodes(void **state)
{
	static const struct {
		unsigned rcode;
		enum mc_dns_status status;
		const char *why;
	} t[] = {
		{ 0, MC_DNS_NODATA, NULL }, { 1, MC_DNS_PERMFAIL, "FORMERR" },
		{ 2, MC_DNS_TEMPFAIL, "SERVFAIL" }, { 3, MC_DNS_NXDOMAIN, NULL },
		{ 4, MC_DNS_PERMFAIL, "NOTIMPL" }, { 5, MC_DNS_PERMFAIL, "REFUSED" },
	};
	struct mc_dns_answer *a;
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		header(&p, ID, F_RESP | t[i].rcode, 1, 0);
		question(&p, "example.test", MC_RR_TXT, C_IN);
		/* asked without EDNS: FORMERR and NOTIMP are verdicts */
		assert_int_equal(parse_edns(&p, "example.test", MC_RR_TXT, 0,
		    &a), MC_REPLY_DONE);
		assert_int_equal(a->status, t[i].status);
		assert_int_equal(a->rcode, (int)t[i].rcode);
		if (t[i].why != NULL)
			assert_string_equal(a->why, t[i].why);
		else
			assert_null(a->why);
		mc_answer_free(a);
	}
}

/*
 * EDNS rejected (RFC 6891 6.2.2, 7): to a query with EDNS, FORMERR or NOTIMP
 * without an OPT record (with our question or none), and BADVERS to our
 * version 0, ask again without EDNS; nothing else does, and to a query
 * without EDNS they are plain answers.  With OPT the RCODE has 12 bits.
 */
struct edns_row {
	const char *name;
	unsigned flags;             /* header flags and RCODE */
	int qd;                     /* question: 0 none, 1 ours, 2 another */
	int ext;                    /* extended RCODE in an OPT record, -1 none */
	int edns;                   /* the query carried EDNS */
	enum mc_reply reply;
	enum mc_dns_status status;  /* for MC_REPLY_DONE */
	int rcode;
	const char *why;
};

static const struct edns_row edns_rows[] = {
	{ "edns: FORMERR, no OPT", F_RESP | 1, 1, -1, 1, MC_REPLY_NOEDNS,
	    0, 0, NULL },
	{ "edns: NOTIMP, no OPT", F_RESP | 4, 1, -1, 1, MC_REPLY_NOEDNS,
	    0, 0, NULL },
	{ "edns: FORMERR, no OPT, no question", F_RESP | 1, 0, -1, 1,
	    MC_REPLY_NOEDNS, 0, 0, NULL },
	{ "edns: TC and FORMERR, no OPT", F_RESP | F_TC | 1, 1, -1, 1,
	    MC_REPLY_NOEDNS, 0, 0, NULL },
	{ "edns: BADVERS to version 0", F_RESP, 1, 1, 1, MC_REPLY_NOEDNS,
	    0, 0, NULL },
	{ "edns: FORMERR with OPT", F_RESP | 1, 1, 0, 1, MC_REPLY_DONE,
	    MC_DNS_PERMFAIL, 1, "FORMERR" },
	{ "edns: SERVFAIL, no OPT", F_RESP | 2, 1, -1, 1, MC_REPLY_DONE,
	    MC_DNS_TEMPFAIL, 2, "SERVFAIL" },
	{ "edns: NOERROR with OPT", F_RESP, 1, 0, 1, MC_REPLY_DONE,
	    MC_DNS_NODATA, 0, NULL },
	{ "edns: extended RCODE 37", F_RESP | 5, 1, 2, 1, MC_REPLY_DONE,
	    MC_DNS_PERMFAIL, 37, "rcode 37" },
	{ "edns: FORMERR, no OPT, another question", F_RESP | 1, 2, -1, 1,
	    MC_REPLY_FOREIGN, 0, 0, NULL },
	{ "edns: FORMERR, no OPT, QR clear", 0x0101, 1, -1, 1,
	    MC_REPLY_FOREIGN, 0, 0, NULL },
	{ "plain: FORMERR", F_RESP | 1, 1, -1, 0, MC_REPLY_DONE,
	    MC_DNS_PERMFAIL, 1, "FORMERR" },
	{ "plain: NOTIMP", F_RESP | 4, 1, -1, 0, MC_REPLY_DONE,
	    MC_DNS_PERMFAIL, 4, "NOTIMPL" },
	{ "plain: BADVERS", F_RESP, 1, 1, 0, MC_REPLY_DONE,
	    MC_DNS_PERMFAIL, 16, "BADVERS" },
	{ "plain: FORMERR, no question", F_RESP | 1, 0, -1, 0,
	    MC_REPLY_FOREIGN, 0, 0, NULL },
};

static void
test_edns_row(void **state)
{
	const struct edns_row *t = *state;
	struct mc_dns_answer *a;
	struct pkt p;

	header(&p, ID, t->flags, t->qd > 0, 0);
	if (t->qd == 1)
		question(&p, "example.test", MC_RR_MX, C_IN);
	else if (t->qd == 2)
		question(&p, "other.test", MC_RR_MX, C_IN);
	if (t->ext >= 0)
		opt(&p, (unsigned)t->ext);
	assert_int_equal(parse_edns(&p, "example.test", MC_RR_MX, t->edns, &a),
	    t->reply);
	if (t->reply == MC_REPLY_DONE) {
		assert_int_equal(a->status, t->status);
		assert_int_equal(a->rcode, t->rcode);
		if (t->why != NULL)
			assert_string_equal(a->why, t->why);
		else
			assert_null(a->why);
	} else {
		/* the answer is left alone */
		assert_int_equal(a->status, MC_DNS_NODATA);
		assert_int_equal(a->rcode, 0);
		assert_null(a->why);
	}
	mc_answer_free(a);
}

/* Records owned by other names are not ours, whatever their type. */
static void
test_other_owners_ignored(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;

	(void)state;
	header(&p, ID, F_RESP, 1, 2);
	question(&p, "example.test", MC_RR_A, C_IN);
	rr_a(&p, "evil.test", 66);
	rr_a(&p, "www.example.test", 67);
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a), MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_NODATA);
	assert_int_equal(a->count, 0);
	mc_answer_free(a);
}

static void
test_cname_chain(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;

	(void)state;
	header(&p, ID, F_RESP, 1, 4);
	question(&p, "example.test", MC_RR_A, C_IN);
	rr_name(&p, "example.test", MC_RR_CNAME, -1, "b.test");
	rr_a(&p, "evil.test", 66);
	rr_name(&p, "b.test", MC_RR_CNAME, -1, "c.test");
	rr_a(&p, "c.test", 9);
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a), MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rr[0].data, "192.0.2.9");
	assert_string_equal(a->cname, "c.test");
	mc_answer_free(a);

	/* a CNAME loop is a failure of its own, never "no records" */
	header(&p, ID, F_RESP, 1, 2);
	question(&p, "example.test", MC_RR_A, C_IN);
	rr_name(&p, "example.test", MC_RR_CNAME, -1, "b.test");
	rr_name(&p, "b.test", MC_RR_CNAME, -1, "example.test");
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a), MC_REPLY_DONE);
	assert_int_equal(a->count, 0);
	assert_int_equal(a->status, MC_DNS_TEMPFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_CNAME_LOOP);
	assert_string_equal(a->why, "CNAME loop at example.test");
	mc_answer_free(a);
}

static void
test_mx_and_txt(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;

	(void)state;
	header(&p, ID, F_RESP, 1, 2);
	question(&p, "example.test", MC_RR_MX, C_IN);
	rr_name(&p, "example.test", MC_RR_MX, 10, "MX1.Example.Test");
	rr_name(&p, "example.test", MC_RR_MX, 0, "");
	assert_int_equal(parse(&p, "example.test", MC_RR_MX, &a), MC_REPLY_DONE);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->rr[0].pref, 10);
	assert_string_equal(a->rr[0].data, "mx1.example.test");
	assert_int_equal(a->rr[1].pref, 0);
	assert_string_equal(a->rr[1].data, "");
	mc_answer_free(a);

	header(&p, ID, F_RESP, 1, 1);
	question(&p, "example.test", MC_RR_TXT, C_IN);
	rr_head(&p, "example.test", MC_RR_TXT, 10);
	put8(&p, 4);
	memcpy(p.b + p.len, "v=sp", 4);
	p.len += 4;
	put8(&p, 4);
	memcpy(p.b + p.len, "f1 a", 4);
	p.len += 4;
	assert_int_equal(parse(&p, "example.test", MC_RR_TXT, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->rr[0].len, 8);
	assert_string_equal(a->rr[0].data, "v=spf1 a");
	assert_int_equal(a->rr[0].nstrings, 2);
	mc_answer_free(a);
}

/*
 * A TXT record without strings (RDLENGTH 0) is malformed (RFC 1035
 * 3.3.14): alone it makes the answer PERMFAIL, never the string ""; beside
 * good records it is left out.
 */
static void
test_txt_without_strings(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;

	(void)state;
	header(&p, ID, F_RESP, 1, 1);
	question(&p, "example.test", MC_RR_TXT, C_IN);
	rr_head(&p, "example.test", MC_RR_TXT, 0);
	assert_int_equal(parse(&p, "example.test", MC_RR_TXT, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_PERMFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_MALFORMED);
	assert_int_equal(a->count, 0);
	mc_answer_free(a);

	header(&p, ID, F_RESP, 1, 2);
	question(&p, "example.test", MC_RR_TXT, C_IN);
	rr_head(&p, "example.test", MC_RR_TXT, 0);
	rr_head(&p, "example.test", MC_RR_TXT, 3);
	put8(&p, 2);
	put16(&p, ('o' << 8) | 'k');
	assert_int_equal(parse(&p, "example.test", MC_RR_TXT, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rr[0].data, "ok");
	mc_answer_free(a);
}

/* Our ID and QR set, then damage: a permanent failure, never a crash. */
static void
test_malformed(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;
	size_t i, qend;

	(void)state;
	for (i = 0; i < 6; i++) {
		header(&p, ID, F_RESP, 1, 1);
		question(&p, "example.test", MC_RR_A, C_IN);
		qend = p.len;
		switch (i) {
		case 0: /* header only */
			p.len = 12;
			break;
		case 1: /* an owner that points at itself */
			put16(&p, 0xc000 | (unsigned)qend);
			put16(&p, MC_RR_A);
			put16(&p, C_IN);
			put16(&p, 0);
			put16(&p, 300);
			put16(&p, 4);
			put16(&p, 0x0102);
			put16(&p, 0x0304);
			break;
		case 2: /* RDLENGTH past the end */
			rr_a(&p, "example.test", 1);
			p.b[p.len - 6] = 0x01;
			break;
		case 3: /* a label length of the reserved kind */
			rr_a(&p, "example.test", 1);
			p.b[qend] = 0x50;
			break;
		case 4: /* answer count larger than the answers */
			rr_a(&p, "example.test", 1);
			p.b[7] = 9;
			break;
		case 5: /* junk after the header */
			p.len = 12;
			while (p.len < 200)
				put8(&p, (unsigned)(p.len * 37 + 11));
			break;
		}
		assert_int_equal(parse(&p, "example.test", MC_RR_A, &a),
		    MC_REPLY_DONE);
		assert_int_equal(a->status, MC_DNS_PERMFAIL);
		assert_int_equal(a->count, 0);
		mc_answer_free(a);
	}

	/* damaged and not a reply: nothing to act on */
	header(&p, ID, 0x0100, 1, 1);
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a),
	    MC_REPLY_FOREIGN);
	mc_answer_free(a);
}

/*
 * What dns_wire.c reads in place: names through compression pointers,
 * written as ldns wrote them (lower case; ".;()\\" escaped, other octets
 * outside printable ASCII as \DDD), RDATA bounds, the SOA that ldns writes.
 */
static void
test_wire_names(void **state)
{
	struct mc_dns_answer *a;
	struct pkt p;
	size_t at;

	(void)state;
	/* an MX whose target is a pointer to the question's name */
	header(&p, ID, F_RESP, 1, 1);
	question(&p, "example.test", MC_RR_MX, C_IN);
	put16(&p, 0xc00c);
	put16(&p, MC_RR_MX);
	put16(&p, C_IN);
	put16(&p, 0);
	put16(&p, 300);
	put16(&p, 6);
	put16(&p, 5);
	put8(&p, 1);
	put8(&p, 'M');
	put16(&p, 0xc00c); /* "m.example.test" */
	assert_int_equal(parse(&p, "example.test", MC_RR_MX, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->rr[0].pref, 5);
	assert_string_equal(a->rr[0].data, "m.example.test");
	mc_answer_free(a);

	/* a PTR target with a dot, a control octet and upper case in labels */
	header(&p, ID, F_RESP, 1, 1);
	question(&p, "example.test", MC_RR_PTR, C_IN);
	rr_head(&p, "example.test", MC_RR_PTR, 12);
	put8(&p, 3);
	put8(&p, 'A');
	put8(&p, '.');
	put8(&p, 'b');
	put8(&p, 1);
	put8(&p, 7);
	put8(&p, 4);
	put8(&p, 'T');
	put8(&p, '(');
	put8(&p, 's');
	put8(&p, 't');
	put8(&p, 0);
	assert_int_equal(parse(&p, "example.test", MC_RR_PTR, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_string_equal(a->rr[0].data, "a\\.b.\\007.t\\(st");
	mc_answer_free(a);

	/* a PTR target that runs past its RDLENGTH is a malformed record */
	header(&p, ID, F_RESP, 1, 1);
	question(&p, "example.test", MC_RR_PTR, C_IN);
	rr_head(&p, "example.test", MC_RR_PTR, 2);
	put_name(&p, "abc.test");
	assert_int_equal(parse(&p, "example.test", MC_RR_PTR, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_PERMFAIL);
	assert_int_equal(a->reason, MC_DNS_REASON_MALFORMED);
	assert_string_equal(a->why, "malformed PTR record in the reply");
	mc_answer_free(a);

	/* an A record of 3 octets is malformed; octets after 4 are ignored */
	header(&p, ID, F_RESP, 1, 2);
	question(&p, "example.test", MC_RR_A, C_IN);
	rr_head(&p, "example.test", MC_RR_A, 3);
	put8(&p, 1);
	put16(&p, 0x0203);
	rr_head(&p, "example.test", MC_RR_A, 5);
	put16(&p, 0xc000);
	put16(&p, 0x0201);
	put8(&p, 9);
	assert_int_equal(parse(&p, "example.test", MC_RR_A, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rr[0].data, "192.0.2.1");
	mc_answer_free(a);

	/* an SOA, written by ldns: its names decompressed */
	header(&p, ID, F_RESP, 1, 1);
	question(&p, "example.test", MC_RR_SOA, C_IN);
	rr_head(&p, "example.test", MC_RR_SOA, 5 + 5 + 20);
	put8(&p, 2);
	put16(&p, ('n' << 8) | 's');
	put16(&p, 0xc00c);
	put8(&p, 2);
	put16(&p, ('h' << 8) | 'm');
	put16(&p, 0xc00c);
	for (at = 0; at < 5; at++) {
		put16(&p, 0);
		put16(&p, (unsigned)at + 1);
	}
	assert_int_equal(parse(&p, "example.test", MC_RR_SOA, &a),
	    MC_REPLY_DONE);
	assert_int_equal(a->status, MC_DNS_OK);
	assert_string_equal(a->rr[0].data,
	    "ns.example.test. hm.example.test. 1 2 3 4 5");
	mc_answer_free(a);
}

/*
 * Compression pointers: a chain of them is followed up to a bound, so a
 * long one (or a loop) ends as a malformed reply, never as a hang.
 */
static void
test_pointer_chains(void **state)
{
	static const size_t hops[] = { 10, 200 };
	struct mc_dns_answer *a;
	struct pkt p;
	size_t k, i, last;

	(void)state;
	for (k = 0; k < 2; k++) {
		header(&p, ID, F_RESP, 1, 2);
		question(&p, "example.test", MC_RR_A, C_IN);
		/* a TXT record whose RDATA holds the chain: one string */
		rr_head(&p, "chain.test", MC_RR_TXT, 1 + 2 * (unsigned)hops[k]);
		put8(&p, 2 * (unsigned)hops[k]);
		last = 0x0c;
		for (i = 0; i < hops[k]; i++) {
			put16(&p, 0xc000 | (unsigned)last);
			last = p.len - 2;
		}
		put16(&p, 0xc000 | (unsigned)last);
		put16(&p, MC_RR_A);
		put16(&p, C_IN);
		put16(&p, 0);
		put16(&p, 300);
		put16(&p, 4);
		put16(&p, 0xc000);
		put16(&p, 0x0201);
		assert_int_equal(parse(&p, "example.test", MC_RR_A, &a),
		    MC_REPLY_DONE);
		if (k == 0) {
			assert_int_equal(a->status, MC_DNS_OK);
			assert_string_equal(a->rr[0].data, "192.0.2.1");
		} else {
			assert_int_equal(a->status, MC_DNS_PERMFAIL);
			assert_string_equal(a->why, "malformed reply");
		}
		mc_answer_free(a);
	}
}

/*
 * The query we send: our ID, RD, one question, EDNS0 with 1232 octets and
 * the DO bit (the validator needs the RRSIGs).
 */
static void
test_build_query(void **state)
{
	unsigned char *w = NULL;
	size_t len, i;

	(void)state;
	assert_int_equal(mc_dns_build_query("example.test", MC_RR_MX, ID, 1,
	    &w, &len), 0);
	/* header, question (14 + 4 octets), OPT (11 octets) */
	assert_int_equal(len, 12 + 14 + 4 + 11);
	assert_int_equal((w[0] << 8) | w[1], ID);
	assert_int_equal(w[2] & 0x80, 0);      /* QR clear */
	assert_int_equal(w[2] & 0x01, 0x01);   /* RD */
	assert_int_equal((w[4] << 8) | w[5], 1);
	assert_int_equal((w[10] << 8) | w[11], 1);
	/* the OPT record closes the packet: root, type 41, class = size */
	i = len - 11;
	assert_int_equal(w[i], 0);
	assert_int_equal((w[i + 1] << 8) | w[i + 2], 41);
	assert_int_equal((w[i + 3] << 8) | w[i + 4], MC_DNS_EDNS_SIZE);
	/* its TTL: extended RCODE 0, version 0, the DO bit (RFC 3225 3) */
	assert_int_equal(w[i + 5], 0);
	assert_int_equal(w[i + 6], 0);
	assert_int_equal((w[i + 7] << 8) | w[i + 8], 0x8000);
	free(w);
}

/* The fallback query: the same, without the OPT record. */
static void
test_build_query_plain(void **state)
{
	unsigned char *w = NULL;
	size_t len;

	(void)state;
	assert_int_equal(mc_dns_build_query("example.test", MC_RR_MX, ID, 0,
	    &w, &len), 0);
	assert_int_equal(len, 12 + 14 + 4);
	assert_int_equal((w[0] << 8) | w[1], ID);
	assert_int_equal(w[2] & 0x01, 0x01);   /* RD */
	assert_int_equal((w[4] << 8) | w[5], 1);
	assert_int_equal((w[10] << 8) | w[11], 0);
	free(w);
}

/* Names as the query carries them: escapes decoded, bad names refused. */
static void
test_build_query_names(void **state)
{
	static const unsigned char dot[] = { 3, 'a', '.', 'b', 4, 't', 'E',
	    's', 't', 0 };
	char label[80];
	unsigned char *w = NULL;
	size_t len;

	(void)state;
	/* "\." is a dot inside a label, "\069" is 'E', a final dot is fine */
	assert_int_equal(mc_dns_build_query("a\\.b.t\\069st.", MC_RR_A, ID,
	    0, &w, &len), 0);
	assert_int_equal(len, 12 + sizeof(dot) + 4);
	assert_memory_equal(w + 12, dot, sizeof(dot));
	assert_int_equal((w[12 + sizeof(dot)] << 8) | w[13 + sizeof(dot)],
	    MC_RR_A);
	free(w);
	/* the root */
	assert_int_equal(mc_dns_build_query("", MC_RR_NS, ID, 0, &w, &len), 0);
	assert_int_equal(len, 12 + 1 + 4);
	assert_int_equal(w[12], 0);
	free(w);
	/* an empty label, a bad escape, a label of 64 octets */
	w = NULL;
	assert_int_equal(mc_dns_build_query("a..test", MC_RR_A, ID, 1, &w,
	    &len), -1);
	assert_int_equal(mc_dns_build_query(".test", MC_RR_A, ID, 1, &w,
	    &len), -1);
	assert_int_equal(mc_dns_build_query("a\\25x.test", MC_RR_A, ID, 1,
	    &w, &len), -1);
	assert_int_equal(mc_dns_build_query("a\\256.test", MC_RR_A, ID, 1,
	    &w, &len), -1);
	memset(label, 'x', 64);
	snprintf(label + 64, sizeof(label) - 64, ".test");
	assert_int_equal(mc_dns_build_query(label, MC_RR_A, ID, 1, &w, &len),
	    -1);
	/* 63 octets: a label may be that long */
	snprintf(label + 63, sizeof(label) - 63, ".test");
	assert_int_equal(mc_dns_build_query(label, MC_RR_A, ID, 1, &w, &len),
	    0);
	free(w);
}

int
main(void)
{
	struct CMUnitTest t[64];
	size_t n = 0;

	MC_TEST_ADD(t, &n, test_good_answer);
	MC_TEST_ADD(t, &n, test_question_case_ignored);
	MC_TEST_ADD(t, &n, test_foreign);
	MC_TEST_ADD(t, &n, test_truncated);
	MC_TEST_ADD(t, &n, test_rcodes);
	MC_TABLE_ADD(t, &n, edns_rows, test_edns_row);
	MC_TEST_ADD(t, &n, test_other_owners_ignored);
	MC_TEST_ADD(t, &n, test_cname_chain);
	MC_TEST_ADD(t, &n, test_mx_and_txt);
	MC_TEST_ADD(t, &n, test_malformed);
	MC_TEST_ADD(t, &n, test_txt_without_strings);
	MC_TEST_ADD(t, &n, test_wire_names);
	MC_TEST_ADD(t, &n, test_pointer_chains);
	MC_TEST_ADD(t, &n, test_build_query);
	MC_TEST_ADD(t, &n, test_build_query_plain);
	MC_TEST_ADD(t, &n, test_build_query_names);
	return mc_table_run("dns_reply", t, n, NULL, NULL);
}
