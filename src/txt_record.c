/* SPDX-License-Identifier: ISC */
/*
 * src/txt_record.c - picking versioned tag=value records out of TXT
 */
#include <stdio.h>
#include <string.h>

#include "mailcheck/txt_record.h"
#include "banned.h"

int
mc_txt_has_version(const char *txt, size_t len, const char *vtag)
{
	size_t i = 0, vl = strlen(vtag);

	while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
		i++;
	if (len - i < vl || memcmp(txt + i, vtag, vl) != 0)
		return 0;
	for (i += vl; i < len && (txt[i] == ' ' || txt[i] == '\t'); i++)
		;
	return i == len || txt[i] == ';';
}

static int
fail(struct mc_arena *a, struct mc_txt_record *r, enum mc_txt_error e,
    const char *detail)
{
	r->err = e;
	r->detail = mc_arena_strdup(a, detail);
	r->tags = NULL;
	return -1;
}

int
mc_txt_record_parse(struct mc_arena *a, const char *txt, size_t len,
    const char *version, const char *const *known, struct mc_txt_record *r)
{
	struct mc_tv_list *l;
	char msg[128];
	size_t i, k;

	memset(r, 0, sizeof(*r));
	l = mc_arena_alloc(a, sizeof(*l));
	if (l == NULL)
		return fail(a, r, MC_TXT_NOMEM, "out of memory");
	if (mc_tv_parse(a, txt, len, l) == -1) {
		snprintf(msg, sizeof(msg), "%s at byte %zu",
		    mc_tv_strerror(l->err), l->errpos + 1);
		return fail(a, r, l->err == MC_TV_ERR_NOMEM ? MC_TXT_NOMEM :
		    MC_TXT_SYNTAX, msg);
	}
	if (l->n == 0 || strcmp(l->tag[0].name, "v") != 0 ||
	    strcmp(l->tag[0].value, version) != 0) {
		snprintf(msg, sizeof(msg), "the first tag is not v=%s", version);
		return fail(a, r, MC_TXT_VERSION, msg);
	}
	for (i = 1; i < l->n; i++) {
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(l->tag[i].name, known[k]) == 0)
				break;
		if (known[k] != NULL)
			continue;
		if (r->next < MC_TXT_MAX_EXT)
			r->ext[r->next] = l->tag[i].name;
		r->next++;
	}
	r->tags = l;
	return 0;
}
