/* SPDX-License-Identifier: ISC */
/*
 * src/dns_ldns.c - the only file that knows ldns
 *
 * Zone files are read, queries built and replies parsed here; everything
 * leaves as struct mc_rr / struct mc_dns_answer.  ldns ownership rules in
 * short: ldns_rr_free() frees an RR and its rdfs; ldns_pkt_free() frees a
 * packet and its lists; ldns_rdf2str() and ldns_pkt2wire() return malloc'ed
 * memory that we free() ourselves.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "banned.h"

#define WIRE_NAME_MAX 255 /* a name in wire format (RFC 1035 3.1) */

/* A dname rdf as a canonical name (lower case, no final dot) in buf. */
static int
dname_str(const ldns_rdf *rdf, char *buf, size_t size)
{
	char *s;
	int rc;

	s = ldns_rdf2str(rdf);
	if (s == NULL)
		return -1;
	rc = mc_dns_name_canon(s, buf, size);
	free(s);
	return rc;
}

/*
 * Convert rr into out; out->data is malloc'ed (the caller frees it).
 * Returns 0, or -1 for records we cannot represent.  A TXT or SPF record
 * without strings (RFC 1035 3.3.14: one or more) is malformed, but kept as
 * such (see mc_rr_malformed()), never as "": an answer of nothing else is
 * malformed, one with good records besides is those records.
 */
static int
rr_convert(const ldns_rr *rr, struct mc_rr *out)
{
	char name[MC_DNS_NAME_MAX + 2], text[INET6_ADDRSTRLEN];
	const ldns_rdf *rdf;
	unsigned char *wire;
	size_t i, len;
	char *s, *p;
	int ok;

	memset(out, 0, sizeof(*out));
	out->type = (uint16_t)ldns_rr_get_type(rr);
	out->ttl = ldns_rr_ttl(rr);
	switch (out->type) {
	case MC_RR_A:
	case MC_RR_AAAA:
		rdf = ldns_rr_rdf(rr, 0);
		len = out->type == MC_RR_A ? 4 : 16;
		if (rdf == NULL || ldns_rdf_size(rdf) != len)
			return -1;
		memcpy(out->addr, ldns_rdf_data(rdf), len);
		inet_ntop(out->type == MC_RR_A ? AF_INET : AF_INET6, out->addr,
		    text, sizeof(text));
		out->data = strdup(text);
		break;
	case MC_RR_MX:
		if (ldns_rr_rd_count(rr) != 2 ||
		    ldns_rdf_size(ldns_rr_rdf(rr, 0)) != 2)
			return -1;
		out->pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		if (dname_str(ldns_rr_rdf(rr, 1), name, sizeof(name)) == -1)
			return -1;
		out->data = strdup(name);
		break;
	case MC_RR_PTR:
	case MC_RR_CNAME:
	case MC_RR_NS:
		if (ldns_rr_rd_count(rr) != 1 ||
		    dname_str(ldns_rr_rdf(rr, 0), name, sizeof(name)) == -1)
			return -1;
		out->data = strdup(name);
		break;
	case MC_RR_TXT:
	case MC_RR_SPF:
		len = 0;
		for (i = 0; i < ldns_rr_rd_count(rr); i++)
			len += ldns_rdf_size(ldns_rr_rdf(rr, i));
		wire = malloc(len + 1);
		if (wire == NULL)
			return -1;
		len = 0;
		for (i = 0; i < ldns_rr_rd_count(rr); i++) {
			rdf = ldns_rr_rdf(rr, i);
			memcpy(wire + len, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
			len += ldns_rdf_size(rdf);
		}
		ok = mc_rr_set_txt(out, wire, len);
		free(wire);
		return ok;
	default:
		s = ldns_rr2str(rr);
		if (s == NULL)
			return -1;
		/* keep the RDATA: everything after owner, ttl, class, type */
		p = s;
		for (i = 0; i < 4 && p != NULL; i++) {
			p = strchr(p, '\t');
			if (p != NULL)
				p++;
		}
		out->data = strdup(p != NULL ? p : "");
		free(s);
		if (out->data != NULL && (len = strlen(out->data)) > 0 &&
		    out->data[len - 1] == '\n')
			out->data[len - 1] = '\0';
		break;
	}
	if (out->data == NULL)
		return -1;
	out->len = strlen(out->data);
	return 0;
}

/*
 * Is there an
 * entry from offset pos on, i.e. a line with more than blanks and a
 * comment?  Returns its line (first is the line pos is on), or 0.  A read
 * error counts as text: the caller fails either way.
 */
static int
text_left(FILE *fp, long pos, int first)
{
	int c, line = first, comment = 0;

	if (pos < 0 || fseek(fp, pos, SEEK_SET) != 0)
		return first;
	while ((c = getc(fp)) != EOF) {
		if (c == '\n') {
			line++;
			comment = 0;
		} else if (comment || c == ' ' || c == '\t' || c == '\r')
			continue;
		else if (c == ';')
			comment = 1;
		else
			return line;
	}
	return ferror(fp) ? first : 0;
}

/*
 * ldns says only "could not parse the RR's rdata" for a character-string
 * over 255 bytes (a DKIM key pasted as one string): find one in the lines
 * first..last of the entry that starts at pos, and say what is wrong and
 * how to write it.  1 with the message in err, else 0.
 */
static int
long_string(FILE *fp, long pos, int first, int last, const char *path,
    char *err, size_t errsize)
{
	int c, line = first, quoted = 0, comment = 0, esc = 0;
	size_t len = 0;

	if (pos < 0 || fseek(fp, pos, SEEK_SET) != 0)
		return 0;
	while (line <= last && (c = getc(fp)) != EOF) {
		if (c == '\n') {
			line++;
			comment = 0;
			continue;
		}
		if (comment)
			continue;
		if (!quoted) {
			if (c == ';')
				comment = 1;
			else if (c == '"') {
				quoted = 1;
				len = 0;
			}
			continue;
		}
		/* in a string: \X and \DDD are one byte each */
		if (esc > 0) {
			if (esc == 1 && !(c >= '0' && c <= '9'))
				esc = 0;
			else if (++esc == 4)
				esc = 0;
			continue;
		}
		if (c == '\\') {
			esc = 1;
			len++;
		} else if (c == '"')
			quoted = 0;
		else
			len++;
		if (len > MC_DNS_STRING_MAX) {
			/* count the rest of it for the message */
			while ((c = getc(fp)) != EOF && c != '"' && c != '\n')
				len++;
			snprintf(err, errsize, "%s:%d: a quoted string of %zu%s "
			    "bytes is over the limit of %d for one string "
			    "(RFC 1035 3.3): split it into strings of at most "
			    "%d bytes, \"...\" \"...\" (a TXT record joins "
			    "them)", path, line, len, c == '"' ? "" : " or more",
			    MC_DNS_STRING_MAX, MC_DNS_STRING_MAX);
			return 1;
		}
	}
	return 0;
}

int
mc_ldns_read_zone(FILE *fp, const char *path, const char *start_origin,
    const char *const *origins, size_t norigins,
    int (*cb)(void *arg, const char *owner, const struct mc_rr *rr), void *arg,
    char *err, size_t errsize)
{
	char owner[MC_DNS_NAME_MAX + 2], abs[MC_DNS_NAME_MAX + 3];
	ldns_rdf *origin = NULL, *prev = NULL;
	size_t norigin = 0;
	uint32_t ttl = 3600;
	ldns_status st;
	struct mc_rr rr;
	ldns_rr *lrr;
	int line = 1, start, errline, rc = -1, ok;
	long pos;

	snprintf(abs, sizeof(abs), "%s.", start_origin);
	origin = ldns_dname_new_frm_str(abs);
	if (origin == NULL) {
		snprintf(err, errsize, "%s: bad origin '%s'", path, abs);
		return -1;
	}
	for (;;) {
		lrr = NULL;
		start = line;
		pos = ftell(fp);
		st = ldns_rr_new_frm_fp_l(&lrr, fp, &ttl, &origin, &prev, &line);
		/*
		 * ldns has counted the newline ending the entry (and any
		 * comment lines before it): the entry's last line is the one
		 * before, unless the file ended without a newline.
		 */
		errline = line > start ? line - 1 : line;
		if (ferror(fp)) {
			/* ldns takes a read error for the end of a line */
			snprintf(err, errsize, "cannot read zone file '%s': %s",
			    path, strerror(errno));
			ldns_rr_free(lrr);
			goto out;
		}
		/*
		 * At the end of the file ldns says "empty" (or a syntax error)
		 * for a clean end and for an entry the end cut short, such as
		 * an open parenthesis: only the text left tells them apart.
		 */
		if (feof(fp) && lrr == NULL && (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_ERR)) {
			errline = text_left(fp, pos, start);
			if (errline == 0)
				break;
			snprintf(err, errsize, "%s:%d: %s", path, errline,
			    ldns_get_errorstr_by_id(LDNS_STATUS_SYNTAX_ERR));
			goto out;
		}
		/*
		 * The caller read the $ORIGIN lines first, each made absolute
		 * (ldns takes a relative one for absolute), and loaded the
		 * $INCLUDE files.
		 */
		if (st == LDNS_STATUS_SYNTAX_ORIGIN) {
			if (norigin == norigins) {
				snprintf(err, errsize, "%s:%d: unexpected "
				    "$ORIGIN", path, errline);
				goto out;
			}
			snprintf(abs, sizeof(abs), "%s.", origins[norigin++]);
			ldns_rdf_deep_free(origin);
			origin = ldns_dname_new_frm_str(abs);
			if (origin == NULL) {
				snprintf(err, errsize, "%s:%d: bad $ORIGIN",
				    path, errline);
				goto out;
			}
		}
		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN ||
		    st == LDNS_STATUS_SYNTAX_INCLUDE) {
			if (feof(fp))
				break;
			continue;
		}
		if (st != LDNS_STATUS_OK && long_string(fp, pos, start, errline,
		    path, err, errsize))
			goto out;
		if (st != LDNS_STATUS_OK) {
			snprintf(err, errsize, "%s:%d: %s", path, errline,
			    ldns_get_errorstr_by_id(st));
			goto out;
		}
		if (ldns_rr_get_class(lrr) != LDNS_RR_CLASS_IN) {
			ldns_rr_free(lrr);
			continue;
		}
		ok = dname_str(ldns_rr_owner(lrr), owner, sizeof(owner)) == 0 &&
		    rr_convert(lrr, &rr) == 0;
		ldns_rr_free(lrr);
		if (!ok) {
			snprintf(err, errsize, "%s:%d: cannot use this record", path,
			    errline);
			goto out;
		}
		ok = cb(arg, owner, &rr) == 0;
		free(rr.data);
		if (!ok) {
			snprintf(err, errsize, "%s:%d: out of memory", path, errline);
			goto out;
		}
	}
	rc = 0;
out:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
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

/*
 * The one place a query is made.  Built by hand, not with ldns_pkt2wire():
 * that compresses names through a red-black tree and cost about as much as
 * everything else the engine does for a question (callgrind, bench/bulk.sh).
 * A question never repeats a name, so there is nothing to compress.
 */
int
mc_ldns_build_query(const char *name, uint16_t type, uint16_t id, int edns,
    unsigned char **wire, size_t *len)
{
	unsigned char qname[WIRE_NAME_MAX], *w;
	size_t qlen, n;

	qlen = name_wire(name, qname);
	if (qlen == 0)
		return -1;
	n = LDNS_HEADER_SIZE + qlen + 4 + (edns ? 11 : 0);
	w = calloc(1, n);
	if (w == NULL)
		return -1;
	/* header: ID, flags (RD only), QDCOUNT 1, ARCOUNT 1 with EDNS */
	w[0] = (unsigned char)(id >> 8);
	w[1] = (unsigned char)id;
	w[2] = 0x01;
	w[5] = 1;
	w[11] = edns ? 1 : 0;
	memcpy(w + LDNS_HEADER_SIZE, qname, qlen);
	w += LDNS_HEADER_SIZE + qlen;
	w[0] = (unsigned char)(type >> 8);
	w[1] = (unsigned char)type;
	w[3] = LDNS_RR_CLASS_IN;
	if (edns) {
		/* OPT (RFC 6891 6.1.2): root owner, type 41, class = our UDP
		   size, TTL = extended RCODE, version 0, flags (DO); no RDATA */
		w[5] = 0;
		w[6] = LDNS_RR_TYPE_OPT;
		w[7] = (unsigned char)(MC_DNS_EDNS_SIZE >> 8);
		w[8] = (unsigned char)(MC_DNS_EDNS_SIZE & 0xff);
		w[11] = 0x80; /* DO: RRSIGs for the validator */
	}
	*wire = w - LDNS_HEADER_SIZE - qlen;
	*len = n;
	return 0;
}

/* Is rr of type, class IN, owned by the name owner (wire format)? */
static int
rr_is(const ldns_rr *rr, const unsigned char *owner, size_t olen,
    uint16_t type)
{
	const ldns_rdf *o = ldns_rr_owner(rr);

	return ldns_rr_get_type(rr) == type &&
	    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN && o != NULL &&
	    wire_name_eq(ldns_rdf_data(o), ldns_rdf_size(o), owner, olen);
}

/* Does the authority section hold an SOA record (a negative answer)? */
static int
has_soa(const ldns_pkt *pkt)
{
	const ldns_rr_list *ns = ldns_pkt_authority(pkt);
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(ns); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(ns, i)) == LDNS_RR_TYPE_SOA)
			return 1;
	return 0;
}

/*
 * Collect the records for name, following CNAMEs within the answer from
 * the chain's last name (see mc_cname_step).  Returns 0 (ans holds what
 * there is), -1 (ans failed: a loop, an over-long chain, a malformed record,
 * no memory) or 1: the chain stops short, at a name with neither records
 * nor a CNAME in the answer while the reply does not say that name has
 * none (NXDOMAIN, or an SOA in the authority section): ask that name.
 */
static int
collect(const ldns_pkt *pkt, const char *name, uint16_t type,
    struct mc_cname_chain *chain, struct mc_dns_answer *ans, int rcode)
{
	const ldns_rr_list *an = ldns_pkt_answer(pkt);
	const char *cur = name;
	char target[MC_DNS_NAME_MAX + 2], tbuf[16];
	unsigned char cw[WIRE_NAME_MAX];
	size_t clen;
	struct mc_rr rr;
	const ldns_rr *cn;
	size_t i;
	int found, rc, bad = 0;

	for (;;) {
		found = 0;
		/* a name that has no wire form owns nothing */
		clen = name_wire(cur, cw);
		for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
			if (!rr_is(ldns_rr_list_rr(an, i), cw, clen, type))
				continue;
			found = 1;
			if (rr_convert(ldns_rr_list_rr(an, i), &rr) == -1) {
				bad = 1;
				continue;
			}
			rc = mc_rr_malformed(&rr) ? 0 : mc_answer_add(ans, &rr);
			bad |= mc_rr_malformed(&rr);
			free(rr.data);
			if (rc == -1) {
				mc_answer_fail(ans, MC_DNS_TEMPFAIL, rcode,
				    "out of memory");
				return -1;
			}
		}
		if (found && ans->count == 0 && bad) {
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode,
			    "malformed %s record in the reply",
			    mc_rr_type_str(type, tbuf, sizeof(tbuf)));
			ans->reason = MC_DNS_REASON_MALFORMED;
			return -1;
		}
		if (found || type == MC_RR_CNAME)
			return 0;
		cn = NULL;
		for (i = 0; i < ldns_rr_list_rr_count(an) && cn == NULL; i++)
			if (rr_is(ldns_rr_list_rr(an, i), cw, clen, MC_RR_CNAME))
				cn = ldns_rr_list_rr(an, i);
		if (cn == NULL)
			break;
		if (ldns_rr_rd_count(cn) != 1 || dname_str(ldns_rr_rdf(cn, 0),
		    target, sizeof(target)) == -1) {
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode,
			    "malformed CNAME record in the reply");
			ans->reason = MC_DNS_REASON_MALFORMED;
			return -1;
		}
		if (mc_cname_step(chain, target, ans, rcode) == -1)
			return -1;
		cur = chain->names[chain->n - 1];
	}
	if (cur == name || rcode == LDNS_RCODE_NXDOMAIN || has_soa(pkt))
		return 0;
	return 1;
}

/*
 * Keep the DNSSEC records of a reply in ans->sec: the answer section's
 * RRSIGs, the authority section's NSEC, NSEC3 and RRSIGs.  0 or -1.
 */
static int
keep_sec(const ldns_pkt *pkt, struct mc_dns_answer *ans)
{
	const ldns_rr_list *l;
	char owner[MC_DNS_NAME_MAX + 2];
	const ldns_rr *lrr;
	struct mc_rr rr;
	size_t i, s;
	uint16_t t;
	int rc;

	for (s = 0; s < 2; s++) {
		l = s == 0 ? ldns_pkt_answer(pkt) : ldns_pkt_authority(pkt);
		for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
			lrr = ldns_rr_list_rr(l, i);
			t = (uint16_t)ldns_rr_get_type(lrr);
			if (t != MC_RR_RRSIG && (s == 0 ||
			    (t != MC_RR_NSEC && t != MC_RR_NSEC3)))
				continue;
			if (dname_str(ldns_rr_owner(lrr), owner,
			    sizeof(owner)) == -1 || rr_convert(lrr, &rr) == -1)
				continue; /* the validator misses it: bogus */
			rc = mc_answer_add_sec(ans, owner, &rr);
			free(rr.data);
			if (rc == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * Does pkt, the reply to a query with EDNS, say that the server does not
 * understand EDNS (RFC 6891 7)?  FORMERR or NOTIMP without an OPT record,
 * or BADVERS, which a server that knows EDNS cannot send to our version 0.
 */
static int
edns_rejected(const ldns_pkt *pkt)
{
	int rcode = ldns_pkt_get_rcode(pkt);

	if (!ldns_pkt_edns(pkt))
		return rcode == LDNS_RCODE_FORMERR || rcode == LDNS_RCODE_NOTIMPL;
	return ldns_pkt_edns_extended_rcode(pkt) == 1 && rcode == 0;
}

enum mc_reply
mc_ldns_parse_reply(const unsigned char *wire, size_t len, uint16_t id,
    const char *name, uint16_t type, int edns, struct mc_cname_chain *chain,
    struct mc_dns_answer *ans)
{
	struct mc_cname_chain first; /* a first answer's: a stack is enough */
	unsigned char qw[WIRE_NAME_MAX];
	size_t qlen;
	const ldns_rr_list *qd;
	enum mc_reply rc = MC_REPLY_DONE;
	ldns_lookup_table *rname;
	ldns_pkt *pkt = NULL;
	ldns_rr *q;
	int rcode;

	if (len < LDNS_HEADER_SIZE || ((wire[0] << 8) | wire[1]) != id)
		return MC_REPLY_FOREIGN;
	if (ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK) {
		/* a truncated reply may not parse; TC tells us to use TCP */
		if (!LDNS_QR_WIRE(wire))
			return MC_REPLY_FOREIGN;
		if (LDNS_TC_WIRE(wire))
			return MC_REPLY_TRUNCATED;
		mc_answer_fail(ans, MC_DNS_PERMFAIL, -1, "malformed reply");
		return MC_REPLY_DONE;
	}
	qd = ldns_pkt_question(pkt);
	if (!ldns_pkt_qr(pkt)) {
		rc = MC_REPLY_FOREIGN;
		goto out;
	}
	/*
	 * A server that cannot parse our OPT record may not send the
	 * question back either: such a reply only makes us ask again
	 * without EDNS, never ends the question.
	 */
	if (edns && ldns_rr_list_rr_count(qd) == 0 && edns_rejected(pkt)) {
		rc = MC_REPLY_NOEDNS;
		goto out;
	}
	if (ldns_rr_list_rr_count(qd) != 1) {
		rc = MC_REPLY_FOREIGN;
		goto out;
	}
	q = ldns_rr_list_rr(qd, 0);
	qlen = name_wire(name, qw);
	if (qlen == 0 || !rr_is(q, qw, qlen, type)) {
		rc = MC_REPLY_FOREIGN;
		goto out;
	}
	if (edns && edns_rejected(pkt)) {
		rc = MC_REPLY_NOEDNS;
		goto out;
	}
	if (ldns_pkt_tc(pkt)) {
		rc = MC_REPLY_TRUNCATED;
		goto out;
	}
	/* the OPT record carries the upper 8 bits of the RCODE */
	rcode = ldns_pkt_get_rcode(pkt);
	if (ldns_pkt_edns(pkt))
		rcode |= ldns_pkt_edns_extended_rcode(pkt) << 4;
	ans->rcode = rcode;
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
	case LDNS_RCODE_NXDOMAIN:
		if (chain == NULL) {
			first.n = 1;
			snprintf(first.names[0], sizeof(first.names[0]), "%s",
			    name);
		}
		switch (collect(pkt, name, type, chain != NULL ? chain : &first,
		    ans, rcode)) {
		case -1:
			goto out;
		case 1:
			rc = MC_REPLY_SHORT;
			goto out;
		}
		if (keep_sec(pkt, ans) == -1) {
			mc_answer_fail(ans, MC_DNS_TEMPFAIL, rcode,
			    "out of memory");
			goto out;
		}
		if (ans->count > 0)
			ans->status = MC_DNS_OK;
		else
			ans->status = rcode == LDNS_RCODE_NXDOMAIN ?
			    MC_DNS_NXDOMAIN : MC_DNS_NODATA;
		break;
	case LDNS_RCODE_SERVFAIL:
		mc_answer_fail(ans, MC_DNS_TEMPFAIL, rcode, "SERVFAIL");
		break;
	case MC_DNS_RCODE_BADVERS:
		mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode, "BADVERS");
		break;
	default:
		rname = ldns_lookup_by_id(ldns_rcodes, rcode);
		if (rname != NULL)
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode, "%s",
			    rname->name);
		else
			mc_answer_fail(ans, MC_DNS_PERMFAIL, rcode, "rcode %d",
			    rcode);
		break;
	}
out:
	ldns_pkt_free(pkt);
	return rc;
}

int
mc_ldns_nsec3_hash(const char *rdata, const char *name, char *out,
    size_t size)
{
	char line[1024], buf[MC_DNS_NAME_MAX + 3];
	ldns_rdf *n = NULL, *h = NULL;
	ldns_rr *rr = NULL;
	int rc = -1;

	if ((size_t)snprintf(line, sizeof(line), "h. 0 IN NSEC3 %s", rdata) >=
	    sizeof(line) || ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) !=
	    LDNS_STATUS_OK ||
	    ldns_nsec3_iterations(rr) > MC_NSEC3_MAX_ITERATIONS)
		goto out;
	snprintf(buf, sizeof(buf), "%s.", name);
	n = ldns_dname_new_frm_str(*name != '\0' ? buf : ".");
	if (n != NULL && (h = ldns_nsec3_hash_name_frm_nsec3(rr, n)) != NULL)
		rc = dname_str(h, out, size);
out:
	ldns_rdf_deep_free(h);
	ldns_rdf_deep_free(n);
	ldns_rr_free(rr);
	return rc;
}
