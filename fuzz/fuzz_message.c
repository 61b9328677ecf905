/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_message.c - libFuzzer target for the message reader and what
 * reads its header
 *
 * The input is a message.  Invariants checked: a parsed message's fields
 * and body lie inside its buffer, in order, each field's name non-empty
 * and its value inside the field; the buffer has no bare LF; unfolding
 * never grows a value and leaves no CR, LF or double space; every
 * DKIM-Signature goes through the tag parser (a usable one has d=, s=, a
 * From in h= and its b= inside the value); the From scanner finds a
 * domain or says why not.  A refused message has a reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/dkim_verify.h"
#include "mailcheck/dmarc_align.h"
#include "mailcheck/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_message m;
	struct mc_dkim_sig sig;
	struct mc_arena *a;
	const char *why, *dom, *end;
	char err[256], *u;
	size_t i;
	int rc;

	err[0] = '\0';
	if (mc_message_parse((const char *)data, size, 1u << 20, &m, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	a = mc_arena_new();
	if (a == NULL)
		goto out;
	end = m.buf + m.len;
	for (i = 0; i < m.len; i++)
		if (m.buf[i] == '\n' && (i == 0 || m.buf[i - 1] != '\r'))
			abort();
	if (m.body < m.buf || m.body > end || m.body + m.bodylen != end)
		abort();
	for (i = 0; i < m.nfield; i++) {
		const struct mc_msg_field *f = &m.field[i];

		if (f->raw < m.buf || f->raw + f->len > m.body ||
		    f->namelen == 0 || f->value < f->raw ||
		    f->value + f->valuelen > f->raw + f->len ||
		    (i > 0 && f->raw < m.field[i - 1].raw +
		    m.field[i - 1].len))
			abort();
		u = mc_message_unfold(a, f);
		if (u == NULL)
			goto out;
		if (strlen(u) > f->valuelen || strchr(u, '\r') != NULL ||
		    strchr(u, '\n') != NULL || strstr(u, "  ") != NULL)
			abort();
		if (!mc_msg_field_is(f, "DKIM-Signature"))
			continue;
		why = NULL;
		rc = mc_dkim_sig_parse(a, f->value, f->valuelen, &sig, &why);
		if (rc == 1 && why == NULL)
			abort();
		if (rc == 0 && (sig.d == NULL || sig.s == NULL ||
		    sig.nh == 0 || sig.bpos > sig.bend ||
		    sig.bend > f->valuelen))
			abort();
	}
	why = NULL;
	rc = mc_dmarc_from_domain(a, &m, &dom, &why);
	if ((rc == 0 && dom == NULL) || (rc == 1 && why == NULL))
		abort();
out:
	mc_arena_free(a);
	mc_message_release(&m);
	return 0;
}
