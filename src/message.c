/* SPDX-License-Identifier: ISC */
/*
 * src/message.c - reading an RFC 5322 message as a verifier does
 *
 * The message is held once: read into one heap block, which then drops
 * an mbox "From " line and turns every bare LF into CRLF in place (the
 * block grows by the bare LFs and is rewritten from the end backwards),
 * so a 60 MB message costs 60 MB plus its bare LFs, not a second copy;
 * then one pass cuts the header into fields (a line that starts with a
 * space or a tab continues the field before it, RFC 5322 2.2.3) up to the
 * first empty line.  The
 * bounds (size cap, field count, field length) are checked while cutting,
 * so a hostile message costs one pass over at most the cap's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/message.h"
#include "banned.h"

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static size_t
bare_lfs(const char *p, size_t len)
{
	size_t i, lf = 0;

	for (i = 0; i < len; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			lf++;
	return lf;
}

/*
 * Turn the len bytes at buf (a heap block of at least len + 1 bytes)
 * into CRLF line ends in place: grow the block by the bare LFs, then copy
 * from the end backwards, so that a byte is written only at or after the
 * place it is read from.  Returns the block (moved, maybe), or NULL when
 * out of memory (buf still valid).
 */
static char *
crlf_in_place(char *buf, size_t len, size_t *outlen, size_t *fixed)
{
	size_t lf = bare_lfs(buf, len), i, o;
	char *nb;

	if (lf > 0) {
		/* glibc moves a large block with mremap(): no second copy */
		nb = realloc(buf, len + lf + 1);
		if (nb == NULL)
			return NULL;
		buf = nb;
	}
	o = len + lf;
	buf[o] = '\0';
	/* i bytes still to move, the first o still to write: once they are
	   equal, no bare LF is left and the rest is already in place */
	for (i = len; i > 0 && o > i;) {
		i--;
		buf[--o] = buf[i];
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			buf[--o] = '\r';
	}
	*outlen = len + lf;
	*fixed = lf;
	return buf;
}

/* Cut the header of m->buf into fields; 0, or -1 with err. */
static int
cut_fields(struct mc_message *m, size_t start, char *err, size_t errsize)
{
	const char *b = m->buf, *colon;
	size_t pos = start, end, cap = 64, line = 1;
	struct mc_msg_field *f, *nf;

	m->field = malloc(cap * sizeof(*m->field));
	if (m->field == NULL)
		goto nomem;
	while (pos < m->len) {
		if (m->len - pos >= 2 && b[pos] == '\r' && b[pos + 1] == '\n') {
			pos += 2; /* the empty line: the body follows */
			m->body = b + pos;
			m->bodylen = m->len - pos;
			return 0;
		}
		if (is_wsp((unsigned char)b[pos])) {
			snprintf(err, errsize, "header line %zu starts with "
			    "whitespace but continues no field", line);
			return -1;
		}
		/* the field runs to a CRLF not followed by WSP */
		end = pos;
		for (;;) {
			const char *nl = memchr(b + end, '\n', m->len - end);

			end = nl == NULL ? m->len : (size_t)(nl - b) + 1;
			line++;
			if (end >= m->len || !is_wsp((unsigned char)b[end]))
				break;
			if (end - pos > MC_MSG_MAX_FIELD)
				break;
		}
		if (end - pos > MC_MSG_MAX_FIELD) {
			snprintf(err, errsize, "header field at line %zu is "
			    "longer than %u bytes", line, MC_MSG_MAX_FIELD);
			return -1;
		}
		if (memchr(b + pos, '\0', end - pos) != NULL) {
			snprintf(err, errsize, "NUL byte in the header field "
			    "before line %zu", line);
			return -1;
		}
		colon = memchr(b + pos, ':', end - pos);
		if (colon == NULL || colon == b + pos) {
			snprintf(err, errsize, "header line %zu is not a "
			    "field (no name before a colon)", line - 1);
			return -1;
		}
		if (m->nfield == MC_MSG_MAX_HEADERS) {
			snprintf(err, errsize, "more than %d header fields",
			    MC_MSG_MAX_HEADERS);
			return -1;
		}
		if (m->nfield == cap) {
			cap *= 2;
			nf = realloc(m->field, cap * sizeof(*m->field));
			if (nf == NULL)
				goto nomem;
			m->field = nf;
		}
		f = &m->field[m->nfield++];
		f->raw = b + pos;
		f->len = end - pos;
		f->name = b + pos;
		f->namelen = (size_t)(colon - (b + pos));
		while (f->namelen > 0 && is_wsp((unsigned char)f->name[f->namelen - 1]))
			f->namelen--;
		f->value = colon + 1;
		f->valuelen = (size_t)(b + end - f->value);
		if (f->valuelen >= 2 && b[end - 1] == '\n' && b[end - 2] == '\r')
			f->valuelen -= 2;
		pos = end;
	}
	m->body = b + m->len; /* no empty line: no body */
	m->bodylen = 0;
	return 0;
nomem:
	snprintf(err, errsize, "out of memory reading the message");
	return -1;
}

/*
 * Parse the len bytes of buf, a heap block of at least len + 1 bytes that
 * m takes over (freed here on error).  The one copy of the message: the
 * mbox line is moved out and the line ends fixed in place.
 */
static int
parse_owned(char *buf, size_t len, size_t cap, struct mc_message *m,
    char *err, size_t errsize)
{
	const char *nl;
	size_t skip = 0;
	char *nb;

	memset(m, 0, sizeof(*m));
	if (cap == 0)
		cap = MC_MSG_MAX_SIZE;
	if (len > cap) {
		free(buf);
		snprintf(err, errsize, "message is larger than the size cap "
		    "(%zu bytes)", cap);
		return -1;
	}
	if (len >= 5 && memcmp(buf, "From ", 5) == 0) {
		nl = memchr(buf, '\n', len);
		skip = nl == NULL ? len : (size_t)(nl - buf) + 1;
		m->mbox_from = 1;
		memmove(buf, buf + skip, len - skip);
		len -= skip;
	}
	nb = crlf_in_place(buf, len, &m->len, &m->lf_fixed);
	if (nb == NULL) {
		free(buf);
		snprintf(err, errsize, "out of memory reading the message");
		return -1;
	}
	m->buf = nb;
	if (m->len == 0) {
		snprintf(err, errsize, "the message is empty");
		mc_message_release(m);
		return -1;
	}
	if (cut_fields(m, 0, err, errsize) == -1) {
		mc_message_release(m);
		return -1;
	}
	return 0;
}

int
mc_message_parse(const char *data, size_t len, size_t cap,
    struct mc_message *m, char *err, size_t errsize)
{
	char *buf;

	memset(m, 0, sizeof(*m));
	if (cap == 0)
		cap = MC_MSG_MAX_SIZE;
	if (len > cap) {
		snprintf(err, errsize, "message is larger than the size cap "
		    "(%zu bytes)", cap);
		return -1;
	}
	buf = malloc(len + 1);
	if (buf == NULL) {
		snprintf(err, errsize, "out of memory reading the message");
		return -1;
	}
	memcpy(buf, data, len);
	return parse_owned(buf, len, cap, m, err, errsize);
}

int
mc_message_read(FILE *f, size_t cap, struct mc_message *m, char *err,
    size_t errsize)
{
	size_t len = 0, size = 65536, n;
	char *buf, *nb;

	memset(m, 0, sizeof(*m));
	if (cap == 0)
		cap = MC_MSG_MAX_SIZE;
	buf = malloc(size);
	if (buf == NULL) {
		snprintf(err, errsize, "out of memory reading the message");
		return -1;
	}
	for (;;) {
		if (len + 1 >= size) { /* room for the final NUL too */
			if (size > cap) {
				free(buf);
				snprintf(err, errsize, "message is larger than "
				    "the size cap (%zu bytes)", cap);
				return -1;
			}
			size *= 2;
			nb = realloc(buf, size);
			if (nb == NULL) {
				free(buf);
				snprintf(err, errsize, "out of memory reading "
				    "the message");
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, size - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		snprintf(err, errsize, "cannot read the message");
		return -1;
	}
	return parse_owned(buf, len, cap, m, err, errsize);
}

void
mc_message_release(struct mc_message *m)
{
	free(m->buf);
	free(m->field);
	memset(m, 0, sizeof(*m));
}

int
mc_msg_field_is(const struct mc_msg_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->namelen == n && strncasecmp(f->name, name, n) == 0;
}

char *
mc_message_unfold(struct mc_arena *a, const struct mc_msg_field *f)
{
	char *out;
	size_t i, o = 0;
	int space = 0;

	out = mc_arena_alloc(a, f->valuelen + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < f->valuelen; i++) {
		char c = f->value[i];

		if (c == '\r' || c == '\n')
			continue;
		if (is_wsp((unsigned char)c)) {
			space = 1;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = 0;
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}
