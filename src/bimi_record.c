/* SPDX-License-Identifier: ISC */
/*
 * src/bimi_record.c - the BIMI assertion record parser
 *
 * Tokenize, check that v=BIMI1 comes first, and judge l= and a= as URLs
 * the HTTP layer could fetch (https only).
 */
#include <stdio.h>
#include <string.h>

#include "mailcheck/bimi_record.h"
#include "mailcheck/http.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/txt_record.h"
#include "banned.h"

int
mc_bimi_is_bimi(const char *txt, size_t len)
{
	return mc_txt_has_version(txt, len, "v=BIMI1");
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
	const struct mc_tv_tag *t;
	struct mc_tv_list *l;
	char msg[128];
	size_t i;

	memset(rec, 0, sizeof(*rec));
	l = mc_arena_alloc(a, sizeof(*l));
	if (l == NULL)
		return fail(a, rec, MC_BIMI_NOMEM, "out of memory");
	if (mc_tv_parse(a, txt, len, l) == -1) {
		snprintf(msg, sizeof(msg), "%s at byte %zu",
		    mc_tv_strerror(l->err), l->errpos + 1);
		return fail(a, rec, l->err == MC_TV_ERR_NOMEM ?
		    MC_BIMI_NOMEM : MC_BIMI_SYNTAX, msg);
	}
	if (l->n == 0 || strcmp(l->tag[0].name, "v") != 0 ||
	    strcmp(l->tag[0].value, "BIMI1") != 0)
		return fail(a, rec, MC_BIMI_VERSION,
		    "the first tag is not v=BIMI1");
	for (i = 1; i < l->n; i++)
		if (strcmp(l->tag[i].name, "l") != 0 &&
		    strcmp(l->tag[i].name, "a") != 0) {
			if (rec->next < MC_BIMI_MAX_EXT)
				rec->ext[rec->next] = l->tag[i].name;
			rec->next++;
		}
	if ((t = mc_tv_get(l, "l")) != NULL) {
		rec->l = t->value;
		rec->l_valid = mc_http_url_valid(t->value);
	}
	if ((t = mc_tv_get(l, "a")) != NULL) {
		rec->a = t->value;
		rec->a_valid = mc_http_url_valid(t->value);
	}
	rec->declined = (rec->l == NULL || rec->l[0] == '\0') &&
	    (rec->a == NULL || rec->a[0] == '\0');
	return 0;
}
