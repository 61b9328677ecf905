/* SPDX-License-Identifier: ISC */
/*
 * src/bimi_record.c - the BIMI assertion record parser
 *
 * Tokenize, check that v=BIMI1 comes first, and judge l= and a= as URLs
 * the HTTP layer could fetch (https only).  Selectors take DKIM's
 * selector syntax (src/dkim_selectors.c).
 */
#include <string.h>

#include "mailcheck/bimi_record.h"
#include "mailcheck/dkim_selectors.h"
#include "mailcheck/http.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/txt_record.h"
#include "banned.h"

int
mc_bimi_is_bimi(const char *txt, size_t len)
{
	return mc_txt_has_version(txt, len, "v=BIMI1");
}

int
mc_bimi_selector_normalise(const char *in, char *out, size_t outsize,
    char *err, size_t errsize)
{
	return mc_selector_normalise(in, MC_BIMI_SELECTOR_MAX, "_bimi", out,
	    outsize, err, errsize);
}

static int
fail(struct mc_arena *a, struct mc_bimi_record *rec, enum mc_bimi_error e,
    const char *detail)
{
	rec->err = e;
	rec->detail = mc_arena_strdup(a, detail);
	return -1;
}

int
mc_bimi_parse(struct mc_arena *a, const char *txt, size_t len,
    struct mc_bimi_record *rec)
{
	static const char *const known[] = { "l", "a", NULL };
	static const enum mc_bimi_error map[] = {
		[MC_TXT_SYNTAX] = MC_BIMI_SYNTAX,
		[MC_TXT_VERSION] = MC_BIMI_VERSION,
		[MC_TXT_NOMEM] = MC_BIMI_NOMEM,
	};
	struct mc_txt_record base;
	const struct mc_tv_tag *t;

	memset(rec, 0, sizeof(*rec));
	if (mc_txt_record_parse(a, txt, len, "BIMI1", known, &base) == -1)
		return fail(a, rec, map[base.err], base.detail);
	memcpy(rec->ext, base.ext, sizeof(rec->ext));
	rec->next = base.next;
	if ((t = mc_tv_get(base.tags, "l")) != NULL) {
		rec->l = t->value;
		rec->l_valid = mc_http_url_valid(t->value);
	}
	if ((t = mc_tv_get(base.tags, "a")) != NULL) {
		rec->a = t->value;
		rec->a_valid = mc_http_url_valid(t->value);
	}
	rec->declined = (rec->l == NULL || rec->l[0] == '\0') &&
	    (rec->a == NULL || rec->a[0] == '\0');
	return 0;
}
