/* SPDX-License-Identifier: ISC */
/*
 * src/dmarc_input.c - find DMARC aggregate reports in what users hand over
 *
 * A file is recognised by its first bytes, never by its name: gzip
 * (1f 8b), zip (PK 03 04, or PK 05 06 for an empty one), XML ('<' after
 * blanks or a byte order mark), else a mail: an mbox when it starts with
 * "From ", one message otherwise.  Plain and gzip'ed XML stream from the
 * file into the parser in 64 KiB pieces; zips, mails and mboxes are read
 * whole (at most MC_DMARC_MAX_MAIL bytes) and walked in memory.
 *
 * Decompression is zlib's inflate, for gzip (every member of a
 * multi-member file, RFC 1952 2.2) and for zip members alike: a
 * zip reader of our own over the local file headers (stored and deflate,
 * the two methods reporters use) needs no second library, and a zip
 * member's name is never even copied, let alone used as a path.  Every
 * file has one budget: MC_DMARC_MAX_INFLATE bytes of output and
 * MC_DMARC_MAX_RATIO times its compressed size, whichever is less; the
 * inflate stops the moment either is passed.
 *
 * The MIME walker follows multipart/ * and message/rfc822 (at most
 * MC_DMARC_MAX_MIME_DEPTH deep), decodes base64 and quoted-printable, and
 * hands on the parts that are gzip or zip, or XML labelled as XML.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "mailcheck/dmarc_report.h"
#include "banned.h"

#define CHUNK 65536
#define NAME_MAX_LEN 1024

/* Where the bytes of one report come from: a FILE or memory. */
struct src {
	FILE *f;
	const unsigned char *buf;
	size_t len, pos;
	size_t insize;        /* the compressed size the ratio is against */
	size_t out;           /* bytes inflated so far, for this file */
};

static size_t
src_read(struct src *s, unsigned char *out, size_t n)
{
	size_t k;

	if (s->f != NULL)
		return fread(out, 1, n, s->f);
	k = s->len - s->pos < n ? s->len - s->pos : n;
	memcpy(out, s->buf + s->pos, k);
	s->pos += k;
	return k;
}

/* The inflate budget: 0 within it, -1 past it (why in err). */
static int
budget(struct src *s, size_t more, char *err, size_t errsize)
{
	s->out += more;
	if (s->out > MC_DMARC_MAX_INFLATE) {
		snprintf(err, errsize, "decompressed size over %u MiB: "
		    "refused (a zip bomb?)", MC_DMARC_MAX_INFLATE >> 20);
		return -1;
	}
	if (s->out > (size_t)MC_DMARC_MAX_RATIO * s->insize) {
		snprintf(err, errsize, "decompresses more than %d times its "
		    "size: refused (a zip bomb?)", MC_DMARC_MAX_RATIO);
		return -1;
	}
	return 0;
}

/* A report ends: tell the sink; 1 when it was read whole. */
static int
finish(struct mc_dmarc_parser *p, const char *name, const char *err,
    const struct mc_dmarc_sink *sink)
{
	static const struct mc_dmarc_meta none = { .begin = -1, .end = -1 };
	const char *perr = p != NULL ? mc_dmarc_parser_error(p) : NULL;

	if (err == NULL && p == NULL)
		err = "out of memory";
	if (err == NULL)
		err = perr;
	sink->done(sink->arg, name, p != NULL ? mc_dmarc_parser_meta(p) : &none,
	    p != NULL ? mc_dmarc_parser_records(p) : 0, err,
	    p != NULL && mc_dmarc_parser_refused(p));
	mc_dmarc_parser_free(p);
	return err == NULL;
}

/* XML from s, with head (already read) in front. */
static int
read_xml(const char *name, struct src *s, const unsigned char *head,
    size_t headlen, const struct mc_dmarc_sink *sink)
{
	struct mc_dmarc_parser *p;
	unsigned char *buf = NULL;
	const char *err = NULL;
	size_t n;

	p = mc_dmarc_parser_new(sink);
	if (p == NULL)
		return finish(NULL, name, NULL, sink);
	if (s->f == NULL) {
		/* memory: head is the front of s's buffer, not yet consumed */
		mc_dmarc_parser_feed(p, (const char *)s->buf + s->pos,
		    s->len - s->pos, 1);
		return finish(p, name, NULL, sink);
	}
	buf = malloc(CHUNK);
	if (buf == NULL) {
		err = "out of memory";
		goto out;
	}
	if (mc_dmarc_parser_feed(p, (const char *)head, headlen, 0) == -1)
		goto out;
	while ((n = src_read(s, buf, CHUNK)) > 0)
		if (mc_dmarc_parser_feed(p, (const char *)buf, n, 0) == -1)
			goto out;
	if (ferror(s->f)) {
		err = "read error";
		goto out;
	}
	mc_dmarc_parser_feed(p, "", 0, 1);
out:
	free(buf);
	return finish(p, name, err, sink);
}

/*
 * After a gzip member: another one follows (RFC 1952 2.2: a gzip file is
 * a series of members, as `cat a.gz b.gz` makes)?  1 with z reset for it,
 * 0 at the end of the input or before trailing bytes that are not a
 * member (ignored, as gzip does), -1 when inflate cannot be reset.  in is
 * z's input buffer of CHUNK bytes.
 */
static int
next_member(struct src *s, z_stream *z, unsigned char *in)
{
	size_t n;

	if (z->avail_in < 2) {
		if (z->avail_in == 1)
			in[0] = z->next_in[0];
		n = src_read(s, in + z->avail_in, CHUNK - z->avail_in);
		z->next_in = in;
		z->avail_in += (uInt)n;
	}
	if (z->avail_in < 2 || z->next_in[0] != 0x1f || z->next_in[1] != 0x8b)
		return 0;
	return inflateReset(z) == Z_OK ? 1 : -1;
}

/*
 * Inflate from s (gzip when gz, else a raw deflate stream of at most
 * inlen bytes) into the parser; stops at the end of the stream (gzip: of
 * its last member, every member read within the same caps).  Returns
 * 0, or -1 with err set (or the parser's error).
 */
static int
inflate_into(struct mc_dmarc_parser *p, struct src *s, int gz, size_t inlen,
    const unsigned char *head, size_t headlen, char *err, size_t errsize)
{
	unsigned char *in = NULL, *out = NULL;
	z_stream z = { 0 };
	size_t n, left = inlen;
	int zr = Z_OK, rc = -1, inited = 0, more;

	in = malloc(CHUNK);
	out = malloc(CHUNK);
	if (in == NULL || out == NULL) {
		snprintf(err, errsize, "out of memory");
		goto out;
	}
	if (inflateInit2(&z, gz ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) {
		snprintf(err, errsize, "cannot start inflate");
		goto out;
	}
	inited = 1;
	if (headlen > 0)
		memcpy(in, head, headlen);
	z.next_in = in;
	z.avail_in = (uInt)headlen;
	for (;;) {
		if (z.avail_in == 0) {
			n = src_read(s, in, left < CHUNK ? left : CHUNK);
			left -= n;
			if (n == 0) {
				snprintf(err, errsize, "compressed data "
				    "truncated");
				goto out;
			}
			z.next_in = in;
			z.avail_in = (uInt)n;
		}
		z.next_out = out;
		z.avail_out = CHUNK;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			snprintf(err, errsize, "corrupt compressed data (%s)",
			    z.msg != NULL ? z.msg : "inflate failed");
			goto out;
		}
		n = CHUNK - z.avail_out;
		if (budget(s, n, err, errsize) == -1)
			goto out;
		if (mc_dmarc_parser_feed(p, (const char *)out, n, 0) == -1) {
			*err = '\0';
			goto out;
		}
		if (zr != Z_STREAM_END)
			continue;
		more = gz ? next_member(s, &z, in) : 0;
		if (more == -1) {
			snprintf(err, errsize, "cannot restart inflate");
			goto out;
		}
		if (more == 0)
			break;
	}
	/* give back what the stream did not use (zip: the next header) */
	if (s->f == NULL)
		s->pos -= z.avail_in;
	rc = mc_dmarc_parser_feed(p, "", 0, 1);
	if (rc == -1)
		*err = '\0';
out:
	if (inited)
		inflateEnd(&z);
	free(in);
	free(out);
	return rc;
}

static int
read_gzip(const char *name, struct src *s, const unsigned char *head,
    size_t headlen, const struct mc_dmarc_sink *sink)
{
	struct mc_dmarc_parser *p;
	char err[256] = "";

	p = mc_dmarc_parser_new(sink);
	if (p == NULL)
		return finish(NULL, name, NULL, sink);
	if (s->f == NULL)
		headlen = 0;
	if (inflate_into(p, s, 1, (size_t)-1, head, headlen, err,
	    sizeof(err)) == -1 && err[0] != '\0')
		return finish(p, name, err, sink);
	return finish(p, name, NULL, sink);
}

static unsigned
le16(const unsigned char *b)
{
	return (unsigned)b[0] | (unsigned)b[1] << 8;
}

static unsigned long
le32(const unsigned char *b)
{
	return (unsigned long)le16(b) | (unsigned long)le16(b + 2) << 16;
}

/* The members of a zip in memory, walked by their local headers. */
static size_t
read_zip(const char *name, struct src *s, const struct mc_dmarc_sink *sink)
{
	struct mc_dmarc_parser *p;
	char err[256], mname[NAME_MAX_LEN + 32];
	const unsigned char *h;
	unsigned flags, method, nlen, xlen;
	unsigned long csize;
	size_t ok = 0, member = 0, data;

	while (s->len - s->pos >= 30 && le32(s->buf + s->pos) == 0x04034b50) {
		h = s->buf + s->pos;
		flags = le16(h + 6);
		method = le16(h + 8);
		csize = le32(h + 18);
		nlen = le16(h + 26);
		xlen = le16(h + 28);
		member++;
		snprintf(mname, sizeof(mname), "%s member %zu", name, member);
		data = s->pos + 30 + nlen + xlen;
		if (data > s->len || (!(flags & 8) && csize > s->len - data)) {
			finish(mc_dmarc_parser_new(sink), mname,
			    "zip member truncated", sink);
			return ok;
		}
		if (flags & 1) {
			finish(mc_dmarc_parser_new(sink), mname,
			    "zip member encrypted", sink);
			return ok;
		}
		s->pos = data;
		if (method == 0 && !(flags & 8)) {
			struct src m = { .buf = s->buf + data, .len = csize };

			ok += read_xml(mname, &m, NULL, 0, sink);
			s->pos += csize;
			continue;
		}
		if (method != 8) {
			snprintf(err, sizeof(err), method == 0 ? "zip member "
			    "stored without its size (a data descriptor): not "
			    "read" : "zip member compressed with method %u "
			    "(only stored and deflate are read)", method);
			finish(mc_dmarc_parser_new(sink), mname, err, sink);
			return ok;
		}
		p = mc_dmarc_parser_new(sink);
		if (p == NULL)
			return ok + (size_t)finish(NULL, mname, NULL, sink);
		err[0] = '\0';
		if (inflate_into(p, s, 0, flags & 8 ? s->len - data : csize,
		    NULL, 0, err, sizeof(err)) == -1) {
			finish(p, mname, err[0] != '\0' ? err : NULL, sink);
			return ok;
		}
		ok += (size_t)finish(p, mname, NULL, sink);
		if (flags & 8) {
			/* the data descriptor: optional signature, 12 bytes */
			if (s->len - s->pos >= 4 &&
			    le32(s->buf + s->pos) == 0x08074b50)
				s->pos += 4;
			s->pos += s->len - s->pos < 12 ? s->len - s->pos : 12;
		} else
			s->pos = data + csize;
	}
	if (member == 0)
		finish(mc_dmarc_parser_new(sink), name, "a zip without members",
		    sink);
	return ok;
}

enum kind { K_GZIP, K_ZIP, K_XML, K_MBOX, K_MAIL };

static enum kind
sniff(const unsigned char *b, size_t n)
{
	size_t i = 0;

	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return K_GZIP;
	if (n >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 &&
	    b[3] == 4) || (b[2] == 5 && b[3] == 6)))
		return K_ZIP;
	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3;
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' ||
	    b[i] == '\n'))
		i++;
	if (i < n && b[i] == '<')
		return K_XML;
	if (n >= 5 && memcmp(b, "From ", 5) == 0)
		return K_MBOX;
	return K_MAIL;
}

static size_t walk_entity(const char *name, const unsigned char *b,
    size_t n, int depth, size_t *found, const struct mc_dmarc_sink *sink);
static size_t read_mail(const char *name, const unsigned char *b, size_t n,
    const struct mc_dmarc_sink *sink);
static size_t read_mbox(const char *name, const unsigned char *b, size_t n,
    const struct mc_dmarc_sink *sink);

size_t
mc_dmarc_read_buffer(const char *name, const unsigned char *buf, size_t len,
    const struct mc_dmarc_sink *sink)
{
	struct src s = { .buf = buf, .len = len, .insize = len };

	switch (sniff(buf, len)) {
	case K_GZIP:
		return (size_t)read_gzip(name, &s, NULL, 0, sink);
	case K_ZIP:
		return read_zip(name, &s, sink);
	case K_MBOX:
		return read_mbox(name, buf, len, sink);
	case K_MAIL:
		return read_mail(name, buf, len, sink);
	case K_XML:
		break;
	}
	return (size_t)read_xml(name, &s, NULL, 0, sink);
}

/* ---- mail ---- */

/* The end of the header block at b (the body's start); n when none. */
static size_t
header_end(const unsigned char *b, size_t n, size_t *body)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] != '\n')
			continue;
		if (i + 1 < n && b[i + 1] == '\n') {
			*body = i + 2;
			return i + 1;
		}
		if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n') {
			*body = i + 3;
			return i + 1;
		}
	}
	if (n > 0 && b[0] == '\n') {
		*body = 1;
		return 0;
	}
	*body = n;
	return n;
}

/*
 * The value of header field fname in the block b (n bytes), unfolded and
 * with blanks squeezed, into out; 1 found, 0 not.
 */
static int
header_get(const unsigned char *b, size_t n, const char *fname, char *out,
    size_t size)
{
	size_t fl = strlen(fname), i = 0, o = 0;
	int at_line = 1;

	for (i = 0; i < n; i++) {
		if (!at_line) {
			at_line = b[i] == '\n';
			continue;
		}
		at_line = b[i] == '\n';
		if (n - i <= fl || strncasecmp((const char *)b + i, fname,
		    fl) != 0 || b[i + fl] != ':')
			continue;
		for (i += fl + 1; i < n; i++) {
			if (b[i] == '\n' && (i + 1 >= n || (b[i + 1] != ' ' &&
			    b[i + 1] != '\t')))
				break;
			if (b[i] == '\r' || b[i] == '\n' || b[i] == '\t')
				continue;
			if (o + 1 < size && !(b[i] == ' ' && (o == 0 ||
			    out[o - 1] == ' ')))
				out[o++] = (char)b[i];
		}
		out[o] = '\0';
		return 1;
	}
	return 0;
}

/* Parameter pname of a structured field value v ("; boundary=...") */
static int
header_param(const char *v, const char *pname, char *out, size_t size)
{
	size_t pl = strlen(pname), o = 0;
	const char *s;

	for (s = strchr(v, ';'); s != NULL; s = strchr(s + 1, ';')) {
		const char *q = s + 1;

		while (*q == ' ')
			q++;
		if (strncasecmp(q, pname, pl) != 0)
			continue;
		q += pl;
		while (*q == ' ')
			q++;
		if (*q != '=')
			continue;
		q++;
		while (*q == ' ')
			q++;
		if (*q == '"') {
			for (q++; *q != '\0' && *q != '"'; q++)
				if (o + 1 < size)
					out[o++] = *q;
		} else
			for (; *q != '\0' && *q != ';' && *q != ' '; q++)
				if (o + 1 < size)
					out[o++] = *q;
		out[o] = '\0';
		return o > 0;
	}
	return 0;
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode b (n bytes) by cte into a malloc'ed buffer; NULL: no memory. */
static unsigned char *
decode(const char *cte, const unsigned char *b, size_t n, size_t *outlen)
{
	unsigned char *out;
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, v, h, l;

	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	if (strcasecmp(cte, "base64") == 0) {
		for (i = 0; i < n && b[i] != '='; i++) {
			if ((v = b64val(b[i])) < 0)
				continue;
			acc = (acc << 6 | (unsigned long)v) & 0xffffff;
			if ((bits += 6) >= 8) {
				bits -= 8;
				out[o++] = (unsigned char)(acc >> bits);
			}
		}
	} else if (strcasecmp(cte, "quoted-printable") == 0) {
		for (i = 0; i < n; i++) {
			if (b[i] != '=') {
				out[o++] = b[i];
				continue;
			}
			if (i + 1 < n && b[i + 1] == '\n') {
				i += 1;
			} else if (i + 2 < n && b[i + 1] == '\r' &&
			    b[i + 2] == '\n') {
				i += 2;
			} else if (i + 2 < n && (h = hexval(b[i + 1])) >= 0 &&
			    (l = hexval(b[i + 2])) >= 0) {
				out[o++] = (unsigned char)(h << 4 | l);
				i += 2;
			} else
				out[o++] = b[i];
		}
	} else {
		memcpy(out, b, n);
		o = n;
	}
	*outlen = o;
	return out;
}

/* Does line at b (up to e) open ("--B") or close ("--B--") boundary? */
static int
is_boundary(const unsigned char *b, const unsigned char *e, const char *bd,
    size_t bl, int *closing)
{
	if ((size_t)(e - b) < bl + 2 || b[0] != '-' || b[1] != '-' ||
	    memcmp(b + 2, bd, bl) != 0)
		return 0;
	b += bl + 2;
	*closing = e - b >= 2 && b[0] == '-' && b[1] == '-';
	return 1;
}

static size_t
walk_multipart(const char *name, const unsigned char *b, size_t n,
    const char *bd, int depth, size_t *found,
    const struct mc_dmarc_sink *sink)
{
	const unsigned char *line = b, *e = b + n, *nl, *part = NULL;
	size_t bl = strlen(bd), ok = 0, plen;
	int closing;

	while (line < e) {
		nl = memchr(line, '\n', (size_t)(e - line));
		if (nl == NULL)
			nl = e;
		if (is_boundary(line, nl, bd, bl, &closing)) {
			if (part != NULL) {
				plen = (size_t)(line - part);
				/* the line break before the boundary is its own */
				if (plen > 0 && part[plen - 1] == '\n')
					plen--;
				if (plen > 0 && part[plen - 1] == '\r')
					plen--;
				ok += walk_entity(name, part, plen, depth + 1,
				    found, sink);
			}
			if (closing)
				return ok;
			part = nl < e ? nl + 1 : e;
		}
		line = nl < e ? nl + 1 : e;
	}
	return ok;
}

/* One MIME entity: a message, or a part of one. */
static size_t
walk_entity(const char *name, const unsigned char *b, size_t n, int depth,
    size_t *found, const struct mc_dmarc_sink *sink)
{
	char ctype[512] = "", cte[64] = "7bit", disp[512] = "", bd[256];
	char fname[256] = "", pname[NAME_MAX_LEN + 32];
	unsigned char *dec;
	size_t hend, body, dlen, ok = 0;
	enum kind k;
	int xml_label;

	if (depth > MC_DMARC_MAX_MIME_DEPTH)
		return 0;
	hend = header_end(b, n, &body);
	header_get(b, hend, "content-type", ctype, sizeof(ctype));
	header_get(b, hend, "content-transfer-encoding", cte, sizeof(cte));
	header_get(b, hend, "content-disposition", disp, sizeof(disp));
	if (strncasecmp(ctype, "multipart/", 10) == 0 &&
	    header_param(ctype, "boundary", bd, sizeof(bd)))
		return walk_multipart(name, b + body, n - body, bd, depth,
		    found, sink);
	if (strncasecmp(ctype, "message/rfc822", 14) == 0)
		return walk_entity(name, b + body, n - body, depth + 1, found,
		    sink);
	if (!header_param(disp, "filename", fname, sizeof(fname)))
		header_param(ctype, "name", fname, sizeof(fname));
	dec = decode(cte, b + body, n - body, &dlen);
	if (dec == NULL)
		return 0;
	k = sniff(dec, dlen);
	xml_label = strstr(ctype, "xml") != NULL || (strlen(fname) > 4 &&
	    strcasecmp(fname + strlen(fname) - 4, ".xml") == 0);
	if (k == K_GZIP || k == K_ZIP || (k == K_XML && xml_label)) {
		++*found;
		snprintf(pname, sizeof(pname), "%s attachment %zu", name,
		    *found);
		ok = mc_dmarc_read_buffer(pname, dec, dlen, sink);
	}
	free(dec);
	return ok;
}

static size_t
read_mail(const char *name, const unsigned char *b, size_t n,
    const struct mc_dmarc_sink *sink)
{
	size_t found = 0, ok;

	ok = walk_entity(name, b, n, 0, &found, sink);
	if (found == 0)
		finish(mc_dmarc_parser_new(sink), name, "not a DMARC report: "
		    "neither XML, gzip nor zip, nor a mail with one attached",
		    sink);
	return ok;
}

/* The messages of an mbox: each starts at a line "From ". */
static size_t
read_mbox(const char *name, const unsigned char *b, size_t n,
    const struct mc_dmarc_sink *sink)
{
	char mname[NAME_MAX_LEN + 32];
	const unsigned char *start, *next, *e = b + n, *p;
	size_t ok = 0, msg = 0;

	start = b;
	while (start < e) {
		/* skip the From_ line itself */
		p = memchr(start, '\n', (size_t)(e - start));
		start = p != NULL ? p + 1 : e;
		for (next = start; next < e; next = p + 1) {
			p = memchr(next, '\n', (size_t)(e - next));
			if (p == NULL) {
				next = e;
				break;
			}
			if (e - (p + 1) >= 5 && memcmp(p + 1, "From ", 5) == 0) {
				next = p + 1;
				break;
			}
		}
		snprintf(mname, sizeof(mname), "%s message %zu", name, ++msg);
		ok += read_mail(mname, start, (size_t)(next - start), sink);
		start = next;
	}
	return ok;
}

/* The whole of f (at most max bytes) in a malloc'ed buffer. */
static unsigned char *
slurp(FILE *f, const unsigned char *head, size_t headlen, size_t max,
    size_t *len, char *err, size_t errsize)
{
	unsigned char *b, *nb;
	size_t cap = headlen + CHUNK, n = headlen, k;

	b = malloc(cap);
	if (b == NULL)
		goto nomem;
	memcpy(b, head, headlen);
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				snprintf(err, errsize, "larger than %zu MiB: "
				    "not read", max >> 20);
				free(b);
				return NULL;
			}
			nb = realloc(b, cap * 2);
			if (nb == NULL)
				goto nomem;
			b = nb;
			cap *= 2;
		}
		k = fread(b + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	if (ferror(f)) {
		snprintf(err, errsize, "read error");
		free(b);
		return NULL;
	}
	*len = n;
	return b;
nomem:
	free(b);
	snprintf(err, errsize, "out of memory");
	return NULL;
}

static size_t read_dir(const char *path, const struct mc_dmarc_sink *sink,
    int depth);

static size_t
read_file(const char *path, const struct mc_dmarc_sink *sink)
{
	unsigned char head[512], *all = NULL;
	char err[256];
	struct stat st;
	struct src s = { 0 };
	size_t headlen, len = 0, ok = 0;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, sizeof(err), "cannot open: %s", strerror(errno));
		finish(mc_dmarc_parser_new(sink), path, err, sink);
		return 0;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return read_dir(path, sink, 0);
	}
	s.f = f;
	s.insize = st.st_size > 0 ? (size_t)st.st_size : 0;
	headlen = fread(head, 1, sizeof(head), f);
	if (headlen == 0) {
		finish(mc_dmarc_parser_new(sink), path, ferror(f) ?
		    "read error" : "empty file", sink);
		goto out;
	}
	switch (sniff(head, headlen)) {
	case K_XML:
		ok = (size_t)read_xml(path, &s, head, headlen, sink);
		goto out;
	case K_GZIP:
		ok = (size_t)read_gzip(path, &s, head, headlen, sink);
		goto out;
	case K_ZIP:
	case K_MBOX:
	case K_MAIL:
		break;
	}
	all = slurp(f, head, headlen, MC_DMARC_MAX_MAIL, &len, err,
	    sizeof(err));
	if (all == NULL) {
		finish(mc_dmarc_parser_new(sink), path, err, sink);
		goto out;
	}
	ok = mc_dmarc_read_buffer(path, all, len, sink);
out:
	free(all);
	fclose(f);
	return ok;
}

/* A directory: its files in name order; a Maildir's cur/ and new/. */
static size_t
read_dir(const char *path, const struct mc_dmarc_sink *sink, int depth)
{
	struct dirent **ents = NULL;
	char sub[4096];
	struct stat st;
	size_t ok = 0;
	int i, n;

	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		snprintf(sub, sizeof(sub), "cannot read directory: %s",
		    strerror(errno));
		finish(mc_dmarc_parser_new(sink), path, sub, sink);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;

		if (e[0] != '.' && i < MC_DMARC_MAX_DIR_FILES &&
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e) <
		    sizeof(sub) && stat(sub, &st) == 0) {
			if (S_ISREG(st.st_mode))
				ok += read_file(sub, sink);
			else if (S_ISDIR(st.st_mode) && depth == 0 &&
			    (strcmp(e, "cur") == 0 || strcmp(e, "new") == 0))
				ok += read_dir(sub, sink, depth + 1);
		}
		free(ents[i]);
	}
	free(ents);
	return ok;
}

size_t
mc_dmarc_read_path(const char *path, const struct mc_dmarc_sink *sink)
{
	return read_file(path, sink);
}
