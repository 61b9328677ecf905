/* SPDX-License-Identifier: ISC */
/*
 * src/tlsrpt_record.c - the TLS-RPT record parser (RFC 8460 3)
 *
 * Tokenize, check that v=TLSRPTv1 comes first, split rua= at commas and
 * judge every URI: mailto: with a local part and a domain (RFC 6068,
 * without hfields), or an https: URL the HTTP layer could fetch.
 */
#include <string.h>
#include <strings.h>

#include "mailcheck/http.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/tlsrpt_record.h"
#include "mailcheck/txt_record.h"
#include "banned.h"

int
mc_tlsrpt_is_tlsrpt(const char *txt, size_t len)
{
	return mc_txt_has_version(txt, len, "v=TLSRPTv1");
}

int
mc_mailto_valid(const char *s)
{
	const char *at, *d;

	if (strncasecmp(s, "mailto:", 7) != 0)
		return 0;
	s += 7;
	at = strrchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' || strchr(s, '?') != NULL)
		return 0;
	for (d = at + 1; *d != '\0'; d++)
		if (!((*d >= 'a' && *d <= 'z') || (*d >= 'A' && *d <= 'Z') ||
		    (*d >= '0' && *d <= '9') || *d == '-' || *d == '.'))
			return 0;
	return strchr(at + 1, '.') != NULL && at[1] != '.' && d[-1] != '.';
}

static int
fail(struct mc_arena *a, struct mc_tlsrpt_record *rec,
    enum mc_tlsrpt_error e, const char *detail)
{
	rec->err = e;
	rec->detail = mc_arena_strdup(a, detail);
	return -1;
}

int
mc_tlsrpt_parse(struct mc_arena *a, const char *txt, size_t len,
    struct mc_tlsrpt_record *rec)
{
	static const char *const known[] = { "rua", NULL };
	static const enum mc_tlsrpt_error map[] = {
		[MC_TXT_SYNTAX] = MC_TLSRPT_SYNTAX,
		[MC_TXT_VERSION] = MC_TLSRPT_VERSION,
		[MC_TXT_NOMEM] = MC_TLSRPT_NOMEM,
	};
	const char *el[MC_TLSRPT_MAX_URIS];
	struct mc_txt_record base;
	const struct mc_tv_tag *rua;
	long n;
	size_t i;

	memset(rec, 0, sizeof(*rec));
	if (mc_txt_record_parse(a, txt, len, "TLSRPTv1", known, &base) == -1)
		return fail(a, rec, map[base.err], base.detail);
	memcpy(rec->ext, base.ext, sizeof(rec->ext));
	rec->next = base.next;
	rua = mc_tv_get(base.tags, "rua");
	if (rua == NULL)
		return fail(a, rec, MC_TLSRPT_RUA_MISSING, "no rua= tag");
	n = mc_tv_split(a, rua->value, ',', el, MC_TLSRPT_MAX_URIS);
	if (n < 0)
		return fail(a, rec, MC_TLSRPT_NOMEM, "out of memory");
	if (n == 0)
		return fail(a, rec, MC_TLSRPT_RUA_MISSING, "rua= is empty");
	rec->nuri_total = (size_t)n;
	for (i = 0; i < (size_t)n && i < MC_TLSRPT_MAX_URIS; i++) {
		rec->uri[i].text = el[i];
		rec->uri[i].valid = strncasecmp(el[i], "mailto:", 7) == 0 ?
		    mc_mailto_valid(el[i]) : mc_http_url_valid(el[i]);
		rec->nuri++;
	}
	return 0;
}
