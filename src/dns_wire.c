/* SPDX-License-Identifier: ISC */
/*
 * src/dns_wire.c - DNS messages in wire format: the query we send, the
 * reply we judge
 *
 * The engine's hot path, without a library: a query is written octet by
 * octet, and a reply is read in place into the answer vocabulary
 * (dns_answer.c).  ldns_wire2pkt() built a packet of allocated records,
 * rdfs and lists for every reply only for us to copy a few fields out and
 * free it all: 28 % of the instructions of a bulk run (callgrind,
 * bench/bulk.sh).  ldns still writes what only it knows how to write: the
 * presentation form of record types we do not read here (SOA, TLSA, DS,
 * DNSKEY, RRSIG, NSEC, NSEC3, ...: mc_ldns_wire_rr()).
 *
 * A reply is hostile.  It is read in two passes: the first walks every
 * section and checks every length against the message (names: label
 * lengths, the 255-octet limit, compression pointers inside the message
 * and at most PTR_MAX of them, so a loop ends; records: ten octets of
 * header and RDLENGTH inside the message); a message that fails is
 * "malformed reply", as it was when ldns refused it.  The second pass reads
 * only what the first has checked, and still bounds every read: an RDATA
 * that does not hold what its type says (an A record of 3 octets, an MX
 * whose name runs past its RDLENGTH, a TXT string longer than what is left)
 * is a malformed record, left out of the answer (the answer fails as
 * malformed when nothing else is left).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "banned.h"

#define HEADER_SIZE 12    /* RFC 1035 4.1.1 */
#define WIRE_NAME_MAX 255 /* a name in wire format (RFC 1035 3.1) */
#define PTR_MAX 128       /* compression pointers followed in one name */
#define RR_TYPE_OPT 41    /* RFC 6891 6.1.2 */
#define RR_CLASS_IN 1
#define RCODE_NXDOMAIN 3

#define FLAG_QR(w) ((w)[2] & 0x80)
#define FLAG_TC(w) ((w)[2] & 0x02)

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/*
 * name (presentation format: "\\X" and "\\DDD" escapes, a final dot or
 * none, "" or "." for the root) in wire format, uncompressed, into out
 * (at least 255 octets); its length, or 0 when it is no domain name (an
 * empty label, a label over 63 octets, over 255 in all, a bad escape).
 * No library call and no allocation: this runs for every query sent and
 * every name a reply is matched against.
 */
static size_t
name_wire(const char *name, unsigned char *out)
{
	size_t len = 0, lab = 0;  /* out[lab] is the open label's length */
	const char *p = name;
	unsigned v;
	int c;

	if (p[0] == '\0' || (p[0] == '.' && p[1] == '\0')) {
		out[0] = 0;
		return 1;
	}
	out[len++] = 0;
	while (*p != '\0') {
		c = (unsigned char)*p++;
		if (c == '.') {
			if (out[lab] == 0)
				return 0;  /* an empty label */
			if (*p == '\0')
				break;     /* the final dot */
			lab = len;
			if (len >= WIRE_NAME_MAX)
				return 0;
			out[len++] = 0;
			continue;
		}
		if (c == '\\') {
			if (p[0] >= '0' && p[0] <= '9') {
				if (!(p[1] >= '0' && p[1] <= '9') ||
				    !(p[2] >= '0' && p[2] <= '9'))
					return 0;
				v = (unsigned)(p[0] - '0') * 100 +
				    (unsigned)(p[1] - '0') * 10 +
				    (unsigned)(p[2] - '0');
				if (v > 255)
					return 0;
				c = (int)v;
				p += 3;
			} else if (p[0] == '\0')
				return 0;
			else
				c = (unsigned char)*p++;
		}
		if (out[lab] == 63 || len >= WIRE_NAME_MAX - 1)
			return 0;
		out[len++] = (unsigned char)c;
		out[lab]++;
	}
	if (out[lab] == 0)
		return 0;
	out[len++] = 0;
	return len;
}

/* Two names in wire format, uncompressed: equal but for ASCII case? */
static int
wire_name_eq(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	/* length octets are at most 63, below 'A': lowering leaves them */
	for (i = 0; i < alen; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return 0;
	return 1;
}

int
mc_dns_build_query(const char *name, uint16_t type, uint16_t id, int edns,
    unsigned char **wire, size_t *len)
{
	unsigned char qname[WIRE_NAME_MAX], *w;
	size_t qlen, n;

	qlen = name_wire(name, qname);
	if (qlen == 0)
		return -1;
	n = HEADER_SIZE + qlen + 4 + (edns ? 11 : 0);
	w = calloc(1, n);
	if (w == NULL)
		return -1;
	/* header: ID, flags (RD only), QDCOUNT 1, ARCOUNT 1 with EDNS */
	w[0] = (unsigned char)(id >> 8);
	w[1] = (unsigned char)id;
	w[2] = 0x01;
	w[5] = 1;
	w[11] = edns ? 1 : 0;
	memcpy(w + HEADER_SIZE, qname, qlen);
	w += HEADER_SIZE + qlen;
	w[0] = (unsigned char)(type >> 8);
	w[1] = (unsigned char)type;
	w[3] = RR_CLASS_IN;
	if (edns) {
		/* OPT (RFC 6891 6.1.2): root owner, type 41, class = our UDP
		   size, TTL = extended RCODE, version 0, flags (DO); no RDATA */
		w[5] = 0;
		w[6] = RR_TYPE_OPT;
		w[7] = (unsigned char)(MC_DNS_EDNS_SIZE >> 8);
		w[8] = (unsigned char)(MC_DNS_EDNS_SIZE & 0xff);
		w[11] = 0x80; /* DO: RRSIGs for the validator */
	}
	*wire = w - HEADER_SIZE - qlen;
	*len = n;
	return 0;
}

/* A reply being read: the message and where its sections start. */
struct msg {
	const unsigned char *w;
	size_t len;
	uint16_t qdcount, ancount, nscount, arcount;
	size_t qd, an, ns;  /* offsets of the sections */
	int opt;            /* an OPT record in the additional section */
	unsigned ext_rcode; /* its upper 8 bits of the RCODE */
};

/* One resource record of a reply, its offsets checked against the message. */
struct wrr {
	size_t start;  /* the owner name */
	size_t rdata;
	uint16_t type, class, rdlen;
	uint32_t ttl;
};

/*
 * Read the name at offset off of m: its length in wire format, with the
 * uncompressed name in out (NULL: not wanted), or 0 when it is malformed
 * (a label past the end, a label type other than length or pointer, a
 * pointer outside the message, more than PTR_MAX pointers, over 255
 * octets).  *end gets the offset after the name where it is, never after a
 * pointer's target.
 */
static size_t
name_read(const struct msg *m, size_t off, size_t *end, unsigned char *out)
{
	size_t n = 0, pos = off, hops = 0;
	int jumped = 0;
	unsigned c;

	for (;;) {
		if (pos >= m->len)
			return 0;
		c = m->w[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= m->len || ++hops > PTR_MAX)
				return 0;
			if (!jumped)
				*end = pos + 2;
			jumped = 1;
			pos = ((size_t)(c & 0x3f) << 8) | m->w[pos + 1];
			continue;
		}
		if ((c & 0xc0) != 0)
			return 0; /* 01 and 10: no label types of ours */
		if (c >= m->len - pos || n + c + 1 > WIRE_NAME_MAX)
			return 0;
		if (out != NULL)
			memcpy(out + n, m->w + pos, c + 1);
		n += c + 1;
		if (c == 0) {
			if (!jumped)
				*end = pos + 1;
			return n;
		}
		pos += c + 1;
	}
}

/* Read the record at *pos and step past it: 0, or -1 (malformed). */
static int
rr_read(const struct msg *m, size_t *pos, struct wrr *rr)
{
	const unsigned char *h;
	size_t end;

	rr->start = *pos;
	if (name_read(m, *pos, &end, NULL) == 0 || m->len - end < 10)
		return -1;
	h = m->w + end;
	rr->type = get16(h);
	rr->class = get16(h + 2);
	rr->ttl = ((uint32_t)h[4] << 24) | ((uint32_t)h[5] << 16) |
	    ((uint32_t)h[6] << 8) | h[7];
	rr->rdlen = get16(h + 8);
	rr->rdata = end + 10;
	if (rr->rdlen > m->len - rr->rdata)
		return -1;
	*pos = rr->rdata + rr->rdlen;
	return 0;
}

/*
 * The first pass: every section walked, every length checked, the OPT
 * record found.  0, or -1 for a malformed message.
 */
static int
msg_scan(struct msg *m, const unsigned char *wire, size_t len)
{
	struct wrr rr;
	size_t pos = HEADER_SIZE, end, i;

	memset(m, 0, sizeof(*m));
	m->w = wire;
	m->len = len;
	m->qdcount = get16(wire + 4);
	m->ancount = get16(wire + 6);
	m->nscount = get16(wire + 8);
	m->arcount = get16(wire + 10);
	m->qd = pos;
	for (i = 0; i < m->qdcount; i++) {
		if (name_read(m, pos, &end, NULL) == 0 || len - end < 4)
			return -1;
		pos = end + 4;
	}
	m->an = pos;
	for (i = 0; i < m->ancount; i++)
		if (rr_read(m, &pos, &rr) == -1)
			return -1;
	m->ns = pos;
	for (i = 0; i < m->nscount; i++)
		if (rr_read(m, &pos, &rr) == -1)
			return -1;
	for (i = 0; i < m->arcount; i++) {
		if (rr_read(m, &pos, &rr) == -1)
			return -1;
		if (rr.type == RR_TYPE_OPT && !m->opt) {
			m->opt = 1;
			m->ext_rcode = rr.ttl >> 24;
		}
	}
	return 0;
}

/*
 * A name in wire format, uncompressed, as a canonical name: the
 * presentation form ldns writes (".;()\\" escaped with a backslash, other
 * octets that are not printable ASCII as \DDD, the root as ""), lower
 * case, no final dot.  0, or -1 when that is over MC_DNS_NAME_MAX.
 */
static int
wire_text(const unsigned char *wn, char *buf, size_t size)
{
	size_t i = 0, o = 0, k, lab;
	unsigned c;
	int esc;

	if (size < MC_DNS_NAME_MAX + 1)
		return -1;
	while (wn[i] != 0) {
		lab = wn[i++];
		if (o > 0) {
			if (o >= MC_DNS_NAME_MAX)
				return -1;
			buf[o++] = '.';
		}
		for (k = 0; k < lab; k++) {
			c = wn[i++];
			esc = c == '.' || c == ';' || c == '(' || c == ')' ||
			    c == '\\';
			if (o + (esc ? 2 : c < 0x21 || c > 0x7e ? 4 : 1) >
			    MC_DNS_NAME_MAX)
				return -1;
			if (esc) {
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else if (c < 0x21 || c > 0x7e) {
				buf[o++] = '\\';
				buf[o++] = (char)('0' + c / 100);
				buf[o++] = (char)('0' + c / 10 % 10);
				buf[o++] = (char)('0' + c % 10);
			} else
				buf[o++] = (char)tolower((int)c);
		}
	}
	buf[o] = '\0';
	return 0;
}

/*
 * The name at offset off of the RDATA of rr (compression allowed), as a
 * canonical name in buf; 0 or -1.
 */
static int
rdata_name(const struct msg *m, const struct wrr *rr, size_t off, char *buf,
    size_t size)
{
	unsigned char wn[WIRE_NAME_MAX];
	size_t end;

	/* where the name is, its octets end inside the RDATA (octets after
	   it are ignored, as ldns did); a pointer may reach anywhere in the
	   message */
	if (name_read(m, off, &end, wn) == 0 || end > rr->rdata + rr->rdlen)
		return -1;
	return wire_text(wn, buf, size);
}

/*
 * Record rr as struct mc_rr (out->data malloc'ed: the caller frees it),
 * as dns_ldns.c's zone reader makes it; 0, or -1 for a record whose RDATA
 * does not hold what its type says.  A TXT record without strings becomes
 * nstrings 0 (malformed, see mc_rr_malformed()).
 */
static int
rr_value(const struct msg *m, const struct wrr *rr, struct mc_rr *out)
{
	char name[MC_DNS_NAME_MAX + 2], text[INET6_ADDRSTRLEN];
	const unsigned char *rd = m->w + rr->rdata;
	size_t len;

	memset(out, 0, sizeof(*out));
	out->type = rr->type;
	out->ttl = rr->ttl;
	switch (rr->type) {
	case MC_RR_A:
	case MC_RR_AAAA:
		/* octets after the address are ignored, as ldns did */
		len = rr->type == MC_RR_A ? 4 : 16;
		if (rr->rdlen < len)
			return -1;
		memcpy(out->addr, rd, len);
		inet_ntop(rr->type == MC_RR_A ? AF_INET : AF_INET6, out->addr,
		    text, sizeof(text));
		out->data = strdup(text);
		break;
	case MC_RR_MX:
		if (rr->rdlen < 3 || rdata_name(m, rr, rr->rdata + 2, name,
		    sizeof(name)) == -1)
			return -1;
		out->pref = get16(rd);
		out->data = strdup(name);
		break;
	case MC_RR_PTR:
	case MC_RR_CNAME:
	case MC_RR_NS:
		if (rdata_name(m, rr, rr->rdata, name, sizeof(name)) == -1)
			return -1;
		out->data = strdup(name);
		break;
	case MC_RR_TXT:
	case MC_RR_SPF:
		/* the strings joined, and the RDATA kept for the validator */
		return mc_rr_set_txt(out, rd, rr->rdlen);
	default:
		return mc_ldns_wire_rr(m->w, m->len, rr->start, out);
	}
	if (out->data == NULL)
		return -1;
	out->len = strlen(out->data);
	return 0;
}

/* Is rr of type, class IN, owned by the name owner (wire format)? */
static int
rr_is(const struct msg *m, const struct wrr *rr, const unsigned char *owner,
    size_t olen, uint16_t type)
{
	unsigned char wn[WIRE_NAME_MAX];
	size_t end, n;

	if (rr->type != type || rr->class != RR_CLASS_IN)
		return 0;
	n = name_read(m, rr->start, &end, wn);
	return n > 0 && wire_name_eq(wn, n, owner, olen);
}

/* Does the authority section hold an SOA record (a negative answer)? */
static int
has_soa(const struct msg *m)
{
	struct wrr rr;
	size_t pos = m->ns, i;

	for (i = 0; i < m->nscount && rr_read(m, &pos, &rr) == 0; i++)
		if (rr.type == MC_RR_SOA)
			return 1;
	return 0;
}

/*
 * Add the records of the answer section of type owned by owner (wire
 * format) to ans: 1 if there was one (*bad set when one was malformed),
 * 0 if none, -1 (ans failed: no memory).
 */
static int
collect_owner(const struct msg *m, const unsigned char *owner, size_t olen,
    uint16_t type, struct mc_dns_answer *ans, int rcode, int *bad)
{
	struct mc_rr rr;
	struct wrr w;
	size_t pos = m->an, i;
	int found = 0, rc;

	for (i = 0; i < m->ancount && rr_read(m, &pos, &w) == 0; i++) {
		if (!rr_is(m, &w, owner, olen, type))
			continue;
		found = 1;
		if (rr_value(m, &w, &rr) == -1) {
			*bad = 1;
			continue;
		}
		rc = mc_rr_malformed(&rr) ? 0 : mc_answer_add(ans, &rr);
		*bad |= mc_rr_malformed(&rr);
		free(rr.data);
		if (rc == -1) {
			mc_answer_fail(ans, MC_DNS_TEMPFAIL, rcode,
			    "out of memory");
			return -1;
		}
	}
	return found;
}

/* The first CNAME of the answer section owned by owner, in *cn: 1 or 0. */
static int
find_cname(const struct msg *m, const unsigned char *owner, size_t olen,
    struct wrr *cn)
{
	size_t pos = m->an, i;

	for (i = 0; i < m->ancount && rr_read(m, &pos, cn) == 0; i++)
		if (rr_is(m, cn, owner, olen, MC_RR_CNAME))
			return 1;
	return 0;
}

/*
 * Collect the records for name (qw, qlen: the same in wire format),
 * following CNAMEs within the answer from
 * the chain's last name (see mc_cname_step).  Returns 0 (ans holds what
 * there is), -1 (ans failed: a loop, an over-long chain, a malformed record,
 * no memory) or 1: the chain stops short, at a name with neither records
 * nor a CNAME in the answer while the reply does not say that name has
 * none (NXDOMAIN, or an SOA in the authority section): ask that name.
 */
static int
collect(const struct msg *m, const char *name, const unsigned char *qw,
    size_t qlen, uint16_t type, struct mc_cname_chain *chain,
    struct mc_dns_answer *ans, int rcode)
{
	const char *cur = name;
	char target[MC_DNS_NAME_MAX + 2], tbuf[16];
	unsigned char cbuf[WIRE_NAME_MAX];
	const unsigned char *cw = qw; /* cur in wire format */
	size_t clen = qlen;
	struct wrr cn;
	int found, bad = 0;

	for (;;) {
		found = collect_owner(m, cw, clen, type, ans, rcode, &bad);
		if (found == -1)
			return -1;
		if (found && ans->count == 0 && bad) {
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode,
			    "malformed %s record in the reply",
			    mc_rr_type_str(type, tbuf, sizeof(tbuf)));
			ans->reason = MC_DNS_REASON_MALFORMED;
			return -1;
		}
		if (found || type == MC_RR_CNAME)
			return 0;
		if (!find_cname(m, cw, clen, &cn))
			break;
		if (rdata_name(m, &cn, cn.rdata, target, sizeof(target)) ==
		    -1) {
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode,
			    "malformed CNAME record in the reply");
			ans->reason = MC_DNS_REASON_MALFORMED;
			return -1;
		}
		if (mc_cname_step(chain, target, ans, rcode) == -1)
			return -1;
		cur = chain->names[chain->n - 1];
		/* a name that has no wire form owns nothing */
		clen = name_wire(cur, cbuf);
		cw = cbuf;
	}
	if (cur == name || rcode == RCODE_NXDOMAIN || has_soa(m))
		return 0;
	return 1;
}

/*
 * Keep the DNSSEC records of a reply in ans->sec: the answer section's
 * RRSIGs, the authority section's NSEC, NSEC3 and RRSIGs.  0 or -1.
 */
static int
keep_sec(const struct msg *m, struct mc_dns_answer *ans)
{
	char owner[MC_DNS_NAME_MAX + 2];
	unsigned char wn[WIRE_NAME_MAX];
	struct mc_rr rr;
	struct wrr w;
	size_t pos = m->an, i, n = (size_t)m->ancount + m->nscount, end;
	int rc;

	for (i = 0; i < n && rr_read(m, &pos, &w) == 0; i++) {
		if (w.type != MC_RR_RRSIG && (i < m->ancount ||
		    (w.type != MC_RR_NSEC && w.type != MC_RR_NSEC3)))
			continue;
		if (name_read(m, w.start, &end, wn) == 0 ||
		    wire_text(wn, owner, sizeof(owner)) == -1 ||
		    rr_value(m, &w, &rr) == -1)
			continue; /* the validator misses it: bogus */
		rc = mc_answer_add_sec(ans, owner, &rr);
		free(rr.data);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * Does m, the reply to a query with EDNS, say that the server does not
 * understand EDNS (RFC 6891 7)?  FORMERR or NOTIMP without an OPT record,
 * or BADVERS, which a server that knows EDNS cannot send to our version 0.
 */
static int
edns_rejected(const struct msg *m)
{
	unsigned rcode = m->w[3] & 0x0f;

	if (!m->opt)
		return rcode == 1 || rcode == 4; /* FORMERR, NOTIMP */
	return m->ext_rcode == 1 && rcode == 0;
}

/* The rcode names ldns gave these (kept: they reach reports). */
static const char *const rcode_names[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMPL", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

/*
 * Fill ans from a reply with rcode NOERROR or NXDOMAIN to the question
 * name (qw, qlen: the same in wire format); enum mc_reply.
 */
static enum mc_reply
answer(const struct msg *m, const char *name, const unsigned char *qw,
    size_t qlen, uint16_t type, struct mc_cname_chain *chain,
    struct mc_dns_answer *ans, int rcode)
{
	struct mc_cname_chain first; /* a first answer's: a stack is enough */

	if (chain == NULL) {
		first.n = 1;
		snprintf(first.names[0], sizeof(first.names[0]), "%s", name);
	}
	switch (collect(m, name, qw, qlen, type, chain != NULL ? chain :
	    &first, ans, rcode)) {
	case -1:
		return MC_REPLY_DONE;
	case 1:
		return MC_REPLY_SHORT;
	}
	if (keep_sec(m, ans) == -1) {
		mc_answer_fail(ans, MC_DNS_TEMPFAIL, rcode, "out of memory");
		return MC_REPLY_DONE;
	}
	if (ans->count > 0)
		ans->status = MC_DNS_OK;
	else
		ans->status = rcode == RCODE_NXDOMAIN ? MC_DNS_NXDOMAIN :
		    MC_DNS_NODATA;
	return MC_REPLY_DONE;
}

enum mc_reply
mc_dns_parse_reply(const unsigned char *wire, size_t len, uint16_t id,
    const char *name, uint16_t type, int edns, struct mc_cname_chain *chain,
    struct mc_dns_answer *ans)
{
	unsigned char qw[WIRE_NAME_MAX];
	struct wrr q;
	struct msg m;
	size_t qlen, end;
	int rcode;

	if (len < HEADER_SIZE || get16(wire) != id)
		return MC_REPLY_FOREIGN;
	if (msg_scan(&m, wire, len) == -1) {
		/* a truncated reply may not parse; TC tells us to use TCP */
		if (!FLAG_QR(wire))
			return MC_REPLY_FOREIGN;
		if (FLAG_TC(wire))
			return MC_REPLY_TRUNCATED;
		mc_answer_fail(ans, MC_DNS_PERMFAIL, -1, "malformed reply");
		return MC_REPLY_DONE;
	}
	if (!FLAG_QR(wire))
		return MC_REPLY_FOREIGN;
	/*
	 * A server that cannot parse our OPT record may not send the
	 * question back either: such a reply only makes us ask again
	 * without EDNS, never ends the question.
	 */
	if (edns && m.qdcount == 0 && edns_rejected(&m))
		return MC_REPLY_NOEDNS;
	if (m.qdcount != 1)
		return MC_REPLY_FOREIGN;
	/* the question: its name, then type and class (checked by the scan) */
	q.start = m.qd;
	if (name_read(&m, m.qd, &end, NULL) == 0)
		return MC_REPLY_FOREIGN;
	q.type = get16(wire + end);
	q.class = get16(wire + end + 2);
	qlen = name_wire(name, qw);
	if (qlen == 0 || !rr_is(&m, &q, qw, qlen, type))
		return MC_REPLY_FOREIGN;
	if (edns && edns_rejected(&m))
		return MC_REPLY_NOEDNS;
	if (FLAG_TC(wire))
		return MC_REPLY_TRUNCATED;
	/* the OPT record carries the upper 8 bits of the RCODE */
	rcode = wire[3] & 0x0f;
	if (m.opt)
		rcode |= (int)(m.ext_rcode << 4);
	ans->rcode = rcode;
	switch (rcode) {
	case 0: /* NOERROR */
	case RCODE_NXDOMAIN:
		return answer(&m, name, qw, qlen, type, chain, ans, rcode);
	case 2:
		mc_answer_fail(ans, MC_DNS_TEMPFAIL, rcode, "SERVFAIL");
		break;
	case MC_DNS_RCODE_BADVERS:
		mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode, "BADVERS");
		break;
	default:
		if ((size_t)rcode < sizeof(rcode_names) / sizeof(rcode_names[0]))
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode, "%s",
			    rcode_names[rcode]);
		else
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode, "rcode %d",
			    rcode);
		break;
	}
	return MC_REPLY_DONE;
}
