/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/message.h - an RFC 5322 message as a verifier reads it
 *
 * mc_message_parse() keeps the message's bytes, because DKIM
 * canonicalization works on them, with two repairs that verifiers make:
 * an mbox "From " line in front is dropped, and a bare LF (a file saved
 * by a mail client, or by a Unix MTA) is read as CRLF.  The header is cut
 * into fields, each the raw bytes from its name to its final CRLF with its
 * folding kept (RFC 5322 2.2.3); the body is what follows the first empty
 * line.  mc_message_unfold() gives a field's value unfolded as RFC 6376
 * 3.4.2 does (CRLF removed, whitespace runs made one space, trimmed).
 *
 * Hostile input ends in a clear error, never in unbounded work: a message
 * over the size cap, a header of more than MC_MSG_MAX_HEADERS fields, a
 * field over MC_MSG_MAX_FIELD bytes, a NUL byte or a line without a colon
 * in the header.  NUL bytes in the body are ordinary bytes.
 *
 * Memory: the message owns one heap buffer (mc_message_release() frees it
 * and the field table); every pointer in it points into that buffer.
 */
#ifndef MAILCHECK_MESSAGE_H
#define MAILCHECK_MESSAGE_H

#include <stddef.h>
#include <stdio.h>

#include "mailcheck/arena.h"

#define MC_MSG_MAX_SIZE (64u << 20)   /* default cap on a message's bytes */
#define MC_MSG_MAX_HEADERS 10000      /* header fields */
#define MC_MSG_MAX_FIELD (4u << 20)   /* bytes of one header field */

/* One header field; raw and name point into the message's buffer. */
struct mc_msg_field {
	const char *raw;      /* the field: name, ':', value, final CRLF */
	size_t len;           /* bytes of raw, the final CRLF included */
	const char *name;     /* the field name (raw), namelen bytes */
	size_t namelen;
	const char *value;    /* after the ':' up to the final CRLF */
	size_t valuelen;
};

struct mc_message {
	char *buf;            /* the message with CRLF line ends (owned) */
	size_t len;
	struct mc_msg_field *field; /* in message order (owned) */
	size_t nfield;
	const char *body;     /* after the empty line; len 0 when none */
	size_t bodylen;
	int mbox_from;        /* an mbox "From " line was dropped */
	size_t lf_fixed;      /* bare LFs read as CRLF */
};

/*
 * Parse len bytes at data (copied) into *m; cap is the size cap in bytes
 * (0: MC_MSG_MAX_SIZE), applied to the input.  Returns 0, or -1 with a
 * one-line message in err (m is then empty and needs no release).
 */
int mc_message_parse(const char *data, size_t len, size_t cap,
    struct mc_message *m, char *err, size_t errsize);
/* Read f to its end (at most cap bytes, 0: MC_MSG_MAX_SIZE) and parse. */
int mc_message_read(FILE *f, size_t cap, struct mc_message *m, char *err,
    size_t errsize);
/* Free what m owns; m may be zeroed. */
void mc_message_release(struct mc_message *m);
/* Does field f have this name (any case)?  1 or 0. */
int mc_msg_field_is(const struct mc_msg_field *f, const char *name);
/*
 * The value of f unfolded (RFC 6376 3.4.2): CRLF removed, runs of
 * whitespace made one space, no leading or trailing whitespace.  A
 * NUL-terminated copy from the arena, or NULL when out of memory.
 */
char *mc_message_unfold(struct mc_arena *a, const struct mc_msg_field *f);

#endif
