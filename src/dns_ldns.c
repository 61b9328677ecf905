/* SPDX-License-Identifier: ISC */
/*
 * src/dns_ldns.c - the only file that knows ldns
 *
 * Zone files are read here, and records of the types the wire parser
 * (dns_wire.c) does not read itself are written in presentation format;
 * everything leaves as struct mc_rr.  ldns ownership rules in short:
 * ldns_rr_free() frees an RR and its rdfs; ldns_rdf2str() and ldns_rr2str()
 * return malloc'ed memory that we free() ourselves.
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

int
mc_ldns_wire_rr(const unsigned char *wire, size_t len, size_t pos,
    struct mc_rr *out)
{
	ldns_rr *lrr = NULL;
	int rc;

	if (ldns_wire2rr(&lrr, wire, len, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return -1;
	rc = rr_convert(lrr, out);
	ldns_rr_free(lrr);
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
