/* SPDX-License-Identifier: ISC */
/*
 * src/dmarc_record.c - DMARC records and the policy receivers apply
 * (RFC 7489, RFC 9989)
 *
 * A record is read tag by tag with the shared tokenizer's cursor
 * (mc_tv_next), so a bad tag-spec costs that tag only, as receivers do
 * (RFC 9989 4.7, RFC 7489 6.3: syntax errors are discarded, unknown tags
 * ignored), and a record of any length is read in one pass.  Known tags go
 * into one slot each, found by name in any case (the ABNF literals of RFC
 * 7489 6.4 and RFC 9989 4.8 are case-insensitive, RFC 5234 2.3); a second
 * one makes the record invalid.  Unknown tags are not compared with each
 * other (that would be quadratic in a hostile record): they are ignored.
 *
 * Where RFC 7489 and RFC 9989 differ, the policy applied follows RFC 9989;
 * a problem that only RFC 7489 receivers see says so and is a warning.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/dmarc_record.h"
#include "mailcheck/psl.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/util.h"
#include "banned.h"

static const char *const policy_names[] = { "none", "quarantine", "reject" };

enum tag {
	T_V, T_P, T_SP, T_NP, T_ADKIM, T_ASPF, T_FO, T_PCT, T_RF, T_RI,
	T_RUA, T_RUF, T_PSD, T_T, T__COUNT
};

static const char *const tag_names[T__COUNT] = {
	[T_V] = "v", [T_P] = "p", [T_SP] = "sp", [T_NP] = "np",
	[T_ADKIM] = "adkim", [T_ASPF] = "aspf", [T_FO] = "fo", [T_PCT] = "pct",
	[T_RF] = "rf", [T_RI] = "ri", [T_RUA] = "rua", [T_RUF] = "ruf",
	[T_PSD] = "psd", [T_T] = "t",
};

/* The parse in progress. */
struct parse {
	struct mc_arena *a;
	const char *subject;
	struct mc_dmarc_record *r;
	const struct mc_tv_tag *slot[T__COUNT];
	size_t nunknown;
	int err;             /* out of memory: sticky */
	/* the worst problem past MC_DMARC_MAX_PROBLEMS */
	enum mc_finding_id drop_id;
	enum mc_status drop_sev;
};

const char *
mc_dmarc_policy_str(int policy)
{
	if (policy < MC_DMARC_NONE || policy > MC_DMARC_REJECT)
		return "no policy";
	return policy_names[policy];
}

const char *
mc_dmarc_source_str(enum mc_dmarc_source s)
{
	switch (s) {
	case MC_DMARC_SRC_NONE:
		return "none";
	case MC_DMARC_SRC_RECORD:
		return "record";
	case MC_DMARC_SRC_INHERITED:
		return "inherited";
	case MC_DMARC_SRC_FALLBACK:
		return "fallback";
	}
	return "none";
}

static void problem(struct parse *ps, enum mc_finding_id id,
    enum mc_status sev, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
problem(struct parse *ps, enum mc_finding_id id, enum mc_status sev,
    const char *subject, const char *fmt, ...)
{
	struct mc_dmarc_record *r = ps->r;
	struct mc_dmarc_problem *pr;
	va_list ap;

	if (r->nproblem == MC_DMARC_MAX_PROBLEMS) {
		if (r->nproblem_dropped++ == 0 || sev > ps->drop_sev) {
			ps->drop_id = id;
			ps->drop_sev = sev;
		}
		return;
	}
	pr = &r->problem[r->nproblem];
	va_start(ap, fmt);
	pr->message = mc_arena_vprintf(ps->a, fmt, ap);
	va_end(ap);
	if (pr->message == NULL) {
		ps->err = 1;
		return;
	}
	pr->id = id;
	pr->severity = sev;
	pr->subject = subject != NULL ? subject : ps->subject;
	r->nproblem++;
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/*
 * RFC 7489 6.4 and RFC 9989 4.8: dmarc-version = "v" *WSP "=" *WSP
 * %x44.4d.41.52.43.31, then dmarc-sep (*WSP ";") or the end.  The name "v"
 * matches either case; the value is exactly "DMARC1".  Leading whitespace
 * is outside the ABNF but receivers strip it (mc_dmarc_parse reports it).
 * A record that starts "v=DMARC1" in another case, or without the ';'
 * after it, was meant as DMARC and is discarded: a lookalike.
 */
enum mc_dmarc_txt
mc_dmarc_classify(const char *s, size_t len)
{
	size_t i = 0, v;

	while (i < len && is_wsp((unsigned char)s[i]))
		i++;
	if (i == len || (s[i] != 'v' && s[i] != 'V'))
		return MC_DMARC_TXT_OTHER;
	for (i++; i < len && is_wsp((unsigned char)s[i]); i++)
		;
	if (i == len || s[i] != '=')
		return MC_DMARC_TXT_OTHER;
	for (i++; i < len && is_wsp((unsigned char)s[i]); i++)
		;
	v = i;
	if (len - v < 6 || strncasecmp(s + v, "DMARC1", 6) != 0)
		return MC_DMARC_TXT_OTHER;
	if (len - v > 6 && is_alnum((unsigned char)s[v + 6]))
		return MC_DMARC_TXT_OTHER; /* "DMARC10": another version */
	if (memcmp(s + v, "DMARC1", 6) != 0)
		return MC_DMARC_TXT_LOOKALIKE;
	for (i = v + 6; i < len && is_wsp((unsigned char)s[i]); i++)
		;
	if (i < len && s[i] != ';')
		return MC_DMARC_TXT_LOOKALIKE;
	return MC_DMARC_TXT_RECORD;
}

static int
policy_word(const char *v)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (strcasecmp(v, policy_names[i]) == 0)
			return (int)i;
	return MC_DMARC_UNSET;
}

static int
all_digits(const char *v, size_t maxlen)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return i > 0 && i <= maxlen;
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * RFC 3986 3.1 and 2: scheme ":" then unreserved, reserved or
 * pct-encoded characters only; a space or a control character is never
 * part of a URI.  0, or 1 with the scheme's length in *slen.
 */
static int
uri_syntax(const char *u, size_t *slen, const char **why)
{
	static const char allowed[] = "-._~:/?#[]@!$&'()*+,;=";
	size_t i;

	if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z'))) {
		*why = "not a URI (no scheme)";
		return 0;
	}
	for (i = 1; is_alnum((unsigned char)u[i]) || u[i] == '+' ||
	    u[i] == '-' || u[i] == '.'; i++)
		;
	if (u[i] != ':') {
		*why = "not a URI (no scheme)";
		return 0;
	}
	*slen = i;
	for (i++; u[i] != '\0'; i++) {
		if (u[i] == '%') {
			if (!is_hex((unsigned char)u[i + 1]) ||
			    !is_hex((unsigned char)u[i + 2])) {
				*why = "a '%' not followed by two hex digits";
				return 0;
			}
			i += 2;
			continue;
		}
		if (is_alnum((unsigned char)u[i]) ||
		    strchr(allowed, u[i]) != NULL)
			continue;
		*why = u[i] == ' ' || u[i] == '\t' ? "it contains a space "
		    "(RFC 3986 allows none)" : "it contains a character RFC "
		    "3986 does not allow";
		return 0;
	}
	return 1;
}

/*
 * The destination domain of mailto:addr[?hfields][!size], or NULL with a
 * reason.  RFC 7489 6.2 makes '!' start the size limit (a '!' in the URI
 * itself must be percent-encoded); RFC 6068 allows ?hfields after the
 * address, and an empty address with the recipient in "to=".
 */
static const char *
mailto_host(struct mc_arena *a, const char *uri, const char **why)
{
	char name[MC_DNS_NAME_MAX + 2], err[128];
	const char *addr, *at, *host, *p, *q;
	size_t end, alen, i;

	addr = uri + 7;
	end = strcspn(addr, "!");
	if (addr[end] == '!') {
		/* the size limit of RFC 7489 6.2: !digits[kmgt] */
		p = addr + end + 1;
		if (*p < '0' || *p > '9') {
			*why = "bad size limit after '!'";
			return NULL;
		}
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != '\0' && strchr("kmgtKMGT", *p) != NULL)
			p++;
		if (*p != '\0') {
			*why = "bad size limit after '!'";
			return NULL;
		}
	}
	alen = strcspn(addr, "?");
	if (alen > end)
		alen = end;
	if (alen == 0 && alen < end) {
		/* RFC 6068 "mailto:?to=addr": the first to= hfield */
		for (q = addr + 1; q < addr + end; q++)
			if ((q[-1] == '?' || q[-1] == '&') &&
			    strncasecmp(q, "to=", 3) == 0) {
				addr = q + 3;
				alen = strcspn(addr, "&!");
				break;
			}
	}
	at = NULL;
	for (i = 0; i < alen; i++)
		if (addr[i] == '@')
			at = addr + i;
	if (at == NULL || at == addr) {
		*why = "no user@domain address";
		return NULL;
	}
	host = mc_arena_strndup(a, at + 1, (size_t)(addr + alen - at - 1));
	if (host == NULL || mc_domain_normalise(host, name, sizeof(name), 0,
	    err, sizeof(err)) == -1) {
		*why = "the address's domain is not a valid domain name";
		return NULL;
	}
	return mc_arena_strdup(a, name);
}

/* The URIs of rua= or ruf= (RFC 7489 6.4 dmarc-urilist). */
static void
read_uris(struct parse *ps, enum tag tg)
{
	struct mc_dmarc_record *r = ps->r;
	const struct mc_tv_tag *t = ps->slot[tg];
	const char *el[MC_DMARC_MAX_URIS], *why = "", *name = tag_names[tg];
	struct mc_dmarc_uri *u;
	size_t slen = 0;
	long n, i;

	if (t == NULL)
		return;
	n = mc_tv_split(ps->a, t->value, ',', el, MC_DMARC_MAX_URIS);
	if (n < 0) {
		ps->err = 1;
		return;
	}
	if (n > 2)
		problem(ps, MC_F_DMARC_MANY_URIS, MC_INFO, NULL,
		    "%s= lists %ld URIs%s", name, n, n > MC_DMARC_MAX_URIS ?
		    "; only the first 32 were examined" : "");
	if (n == 0)
		problem(ps, MC_F_DMARC_URI_INVALID, MC_WARN, NULL,
		    "%s= is empty", name);
	for (i = 0; i < n && i < MC_DMARC_MAX_URIS; i++) {
		u = &r->uri[r->nuri++];
		u->text = el[i];
		u->tag = name;
		u->host = NULL;
		u->valid = 0;
		if (!uri_syntax(el[i], &slen, &why)) {
			problem(ps, MC_F_DMARC_URI_INVALID, MC_WARN, el[i],
			    "%s URI '%s' is malformed: %s; no report is sent "
			    "to it", name, el[i], why);
			continue;
		}
		if (slen != 6 || strncasecmp(el[i], "mailto", 6) != 0) {
			/* RFC 7489 6.2: only mailto: must be supported; the
			   URI is still valid, which RFC 9989 4.10.1 counts */
			u->valid = 1;
			if (tg == T_RUA)
				r->rua_valid = 1;
			problem(ps, MC_F_DMARC_URI_UNSUPPORTED, MC_WARN, el[i],
			    "%s URI '%s' uses the %.*s: scheme: receivers send "
			    "reports by mail only and skip it, so no report "
			    "arrives there", name, el[i], (int)slen, el[i]);
			continue;
		}
		u->host = mailto_host(ps->a, el[i], &why);
		if (u->host == NULL) {
			problem(ps, MC_F_DMARC_URI_INVALID, MC_WARN, el[i],
			    "%s URI '%s' is malformed: %s", name, el[i], why);
			continue;
		}
		u->valid = 1;
		if (tg == T_RUA)
			r->rua_valid = 1;
	}
}

/*
 * fo= (RFC 7489 6.3: a colon list of 0, 1, d, s).  RFC 9989 4.8 allows
 * 0 or 1, not both ("all mechanisms fail" and "any fails" contradict),
 * and each option once.  0 valid, 1 valid under RFC 7489 only, 2 invalid
 * under both.
 */
static int
fo_check(struct parse *ps, const char *v)
{
	const char *el[8];
	unsigned seen = 0, bit;
	long n, i, idx;
	int bis_ok = 1;

	n = mc_tv_split(ps->a, v, ':', el, 8);
	if (n <= 0 || n > 8)
		return 2;
	for (i = 0; i < n; i++) {
		if (strlen(el[i]) != 1 || strchr("01dsDS", el[i][0]) == NULL)
			return 2;
		idx = (long)(strchr("01dsDS", el[i][0]) - "01dsDS");
		bit = 1u << (idx >= 4 ? idx - 2 : idx);
		if (seen & bit)
			bis_ok = 0;
		seen |= bit;
	}
	if ((seen & 3) == 3)
		bis_ok = 0;
	return bis_ok ? 0 : 1;
}

static int
valid_rf(struct parse *ps, const char *v)
{
	const char *el[8];
	long n, i;

	n = mc_tv_split(ps->a, v, ':', el, 8);
	if (n <= 0 || n > 8)
		return 0;
	for (i = 0; i < n; i++)
		if (strcasecmp(el[i], "afrf") != 0)
			return 0;
	return 1;
}

/* r (relaxed) or s (strict); y or n; y, n or u */
static int
one_of(const char *v, const char *words)
{
	return strlen(v) == 1 && v[0] != '\0' &&
	    strchr(words, v[0] | 0x20) != NULL;
}

/* The tags RFC 9989 dropped: pct, ri, rf. */
static void
legacy_tags(struct parse *ps)
{
	const struct mc_tv_tag *t;
	int ok;

	if ((t = ps->slot[T_PCT]) != NULL) {
		ok = all_digits(t->value, 3) && strtol(t->value, NULL, 10) <= 100;
		if (ok)
			ps->r->pct = (int)strtol(t->value, NULL, 10);
		else
			problem(ps, MC_F_DMARC_LEGACY_TAG_INVALID, MC_WARN, NULL,
			    "pct=%s is invalid under RFC 7489 (expected an "
			    "integer 0-100); RFC 9989 dropped pct= and its "
			    "receivers ignore it", t->value);
	}
	if ((t = ps->slot[T_RI]) != NULL && !(all_digits(t->value, 10) &&
	    strtoull(t->value, NULL, 10) <= 4294967295ULL))
		problem(ps, MC_F_DMARC_LEGACY_TAG_INVALID, MC_WARN, NULL,
		    "ri=%s is invalid under RFC 7489 (expected seconds, a "
		    "32-bit unsigned integer); RFC 9989 dropped ri= and its "
		    "receivers ignore it", t->value);
	if ((t = ps->slot[T_RF]) != NULL && !valid_rf(ps, t->value))
		problem(ps, MC_F_DMARC_LEGACY_TAG_INVALID, MC_WARN, NULL,
		    "rf=%s is invalid under RFC 7489 (expected afrf); RFC 9989 "
		    "dropped rf= and its receivers ignore it", t->value);
}

/* p, sp, np: what an invalid one makes receivers do (RFC 9989 4.10.1). */
static void
policy_tags(struct parse *ps)
{
	static const enum tag pt[] = { T_P, T_SP, T_NP };
	struct mc_dmarc_record *r = ps->r;
	const struct mc_tv_tag *t;
	int *dst[] = { &r->p, &r->sp, &r->np };
	size_t i;

	for (i = 0; i < 3; i++) {
		if ((t = ps->slot[pt[i]]) == NULL)
			continue;
		*dst[i] = policy_word(t->value);
		if (*dst[i] != MC_DMARC_UNSET)
			continue;
		if (r->bad_policy == NULL)
			r->bad_policy = mc_arena_printf(ps->a, "%s=%s",
			    tag_names[pt[i]], t->value);
		problem(ps, MC_F_DMARC_TAG_INVALID, MC_WARN, NULL,
		    "DMARC record at %s: invalid value %s=%s (expected none, "
		    "quarantine or reject): %s (RFC 9989 4.10.1, RFC 7489 "
		    "6.6.3)", ps->subject, tag_names[pt[i]], t->value,
		    r->rua_valid ? "receivers ignore the record's policy and "
		    "act as if it said p=none, since rua= holds a valid URI" :
		    "receivers apply no DMARC policy at all, since no valid "
		    "rua= URI is given");
	}
}

static void
plain_tags(struct parse *ps)
{
	static const struct {
		enum tag tag;
		const char *words, *expect;
	} plain[] = {
		{ T_ADKIM, "rs", "r or s" },
		{ T_ASPF, "rs", "r or s" },
		{ T_PSD, "ynu", "y, n or u" },
		{ T_T, "yn", "y or n" },
	};
	const struct mc_tv_tag *t;
	size_t i;
	int fo;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		t = ps->slot[plain[i].tag];
		if (t == NULL || one_of(t->value, plain[i].words))
			continue;
		problem(ps, MC_F_DMARC_TAG_INVALID, MC_WARN, NULL,
		    "DMARC record at %s: invalid value %s=%s (expected %s)",
		    ps->subject, tag_names[plain[i].tag], t->value,
		    plain[i].expect);
	}
	if ((t = ps->slot[T_PSD]) != NULL && one_of(t->value, "ynu"))
		ps->r->psd = (char)(t->value[0] | 0x20);
	if ((t = ps->slot[T_T]) != NULL && one_of(t->value, "y"))
		ps->r->testing = 1;
	if ((t = ps->slot[T_FO]) != NULL && (fo = fo_check(ps, t->value)) != 0)
		problem(ps, MC_F_DMARC_FO_INVALID, fo == 1 ? MC_INFO : MC_WARN,
		    NULL, "fo=%s is not a failure-reporting option RFC 9989 "
		    "4.8 allows (0 or 1, then d and s, each once)%s; receivers "
		    "use the default fo=0", t->value, fo == 1 ? "" :
		    ", and is invalid under RFC 7489 too");
}

/* One tag-spec read by the cursor. */
static void
take(struct parse *ps, enum mc_tv_step st, const struct mc_tv_tag *t,
    size_t *nempty)
{
	size_t i;
	int pol;

	if (st == MC_TV_STEP_EMPTY) {
		if ((*nempty)++ == 0)
			problem(ps, MC_F_DMARC_RECORD_LENIENT, MC_INFO, NULL,
			    "DMARC record at %s has an empty tag entry (';;') "
			    "at offset %zu: outside the ABNF of RFC 7489 6.4 and "
			    "RFC 9989 4.8, but receivers skip it", ps->subject,
			    t->pos);
		return;
	}
	if (st == MC_TV_STEP_BAD) {
		if (t->err == MC_TV_ERR_NOMEM) {
			ps->err = 1;
			return;
		}
		for (i = 0; t->name != NULL && i < T__COUNT; i++)
			if (strcasecmp(t->name, tag_names[i]) == 0)
				break;
		/* losing p=, sp= or np= changes the policy applied */
		pol = t->name != NULL && (i == T_P || i == T_SP || i == T_NP);
		if (pol && i == T_P)
			ps->r->p_discarded = 1;
		problem(ps, MC_F_DMARC_RECORD_SYNTAX, MC_WARN,
		    NULL, "DMARC record at %s: %s at offset %zu; receivers "
		    "discard that tag%s%s%s and keep the rest (RFC 9989 4.7, "
		    "RFC 7489 6.3)", ps->subject, mc_tv_strerror(t->err),
		    t->pos, t->name != NULL ? " (" : "", t->name != NULL ?
		    t->name : "", t->name != NULL ? "=)" : "");
		return;
	}
	for (i = 0; i < T__COUNT; i++)
		if (strcasecmp(t->name, tag_names[i]) == 0)
			break;
	if (i == T__COUNT) {
		if (ps->nunknown++ < MC_DMARC_MAX_UNKNOWN)
			problem(ps, MC_F_DMARC_TAG_UNKNOWN, MC_INFO, NULL,
			    "DMARC record at %s has unknown tag '%s' (ignored)",
			    ps->subject, t->name);
		return;
	}
	if (ps->slot[i] != NULL) {
		if (ps->r->repeated == NULL) {
			ps->r->repeated = tag_names[i];
			problem(ps, MC_F_DMARC_RECORD_SYNTAX, MC_WARN, NULL,
			    "DMARC record at %s repeats tag '%s' (offsets %zu "
			    "and %zu): the record is invalid", ps->subject,
			    t->name, ps->slot[i]->pos, t->pos);
		}
		return;
	}
	ps->slot[i] = t;
}

int
mc_dmarc_parse(struct mc_arena *a, const char *subject, const char *s,
    size_t len, struct mc_dmarc_record *r)
{
	struct parse ps = { .a = a, .subject = subject, .r = r };
	struct mc_tv_cursor c;
	struct mc_tv_tag *t;
	enum mc_tv_step st;
	size_t nempty = 0;

	memset(r, 0, sizeof(*r));
	r->p = r->sp = r->np = MC_DMARC_UNSET;
	r->pct = 100;
	r->psd = 'u';
	if (len > 0 && is_wsp((unsigned char)s[0]))
		problem(&ps, MC_F_DMARC_RECORD_LENIENT, MC_INFO, NULL,
		    "DMARC record at %s starts with whitespace: outside the "
		    "ABNF of RFC 7489 6.4 and RFC 9989 4.8, but receivers strip "
		    "it", subject);
	mc_tv_cursor_init(&c, s, len);
	for (;;) {
		t = mc_arena_alloc(a, sizeof(*t));
		if (t == NULL)
			return -1;
		st = mc_tv_next(a, &c, t);
		if (st == MC_TV_STEP_END)
			break;
		take(&ps, st, t, &nempty);
	}
	if (ps.nunknown > MC_DMARC_MAX_UNKNOWN)
		problem(&ps, MC_F_DMARC_TAG_UNKNOWN, MC_INFO, NULL,
		    "DMARC record at %s has %zu more unknown tags (ignored)",
		    subject, ps.nunknown - MC_DMARC_MAX_UNKNOWN);
	r->has_p = ps.slot[T_P] != NULL;
	r->has_rua = ps.slot[T_RUA] != NULL;
	read_uris(&ps, T_RUA);
	read_uris(&ps, T_RUF);
	policy_tags(&ps);
	plain_tags(&ps);
	legacy_tags(&ps);
	if (r->nproblem_dropped > 0) {
		/* the last slot says what was left out */
		r->nproblem--;
		problem(&ps, ps.drop_id, ps.drop_sev, NULL, "DMARC record at %s "
		    "has %zu more problems, not listed one by one", subject,
		    r->nproblem_dropped + 1);
	}
	return ps.err ? -1 : 0;
}

int
mc_dmarc_report(struct mc_result *res, const struct mc_dmarc_record *r)
{
	const struct mc_dmarc_problem *pr;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nproblem; i++) {
		pr = &r->problem[i];
		if (mc_finding_add_sev(res, pr->id, pr->severity, pr->subject,
		    "%s", pr->message) == -1)
			rc = -1;
	}
	return rc;
}

static size_t
count_labels(const char *domain)
{
	size_t x = 1;

	for (; *domain != '\0'; domain++)
		if (*domain == '.')
			x++;
	return x;
}

/* The last k labels of domain (a pointer into it); k >= 1. */
static const char *
suffix(const char *domain, size_t k)
{
	size_t skip;

	for (skip = count_labels(domain); skip > k; skip--)
		domain = strchr(domain, '.') + 1;
	return domain;
}

int
mc_dmarc_walk_begin(struct mc_arena *a, const char *domain,
    struct mc_dmarc_discovery *d)
{
	size_t x, k, i;

	memset(d, 0, sizeof(*d));
	d->pol = d->failed = MC_DMARC_NO_NODE;
	d->policy = d->sp = d->np = MC_DMARC_UNSET;
	x = count_labels(domain);
	d->node[d->n++].domain = domain;
	k = x >= MC_DMARC_WALK_MAX ? MC_DMARC_WALK_MAX - 1 : x - 1;
	for (; k >= 1; k--)
		d->node[d->n++].domain = suffix(domain, k);
	for (i = 0; i < d->n; i++) {
		d->node[i].qname = mc_arena_printf(a, "_dmarc.%s",
		    d->node[i].domain);
		if (d->node[i].qname == NULL)
			return -1;
	}
	return 0;
}

/* Did node nd's lookup fail (a public suffix left unasked does not)? */
static int
failed(const struct mc_dmarc_node *nd)
{
	const struct mc_dns_answer *ans = nd->ans;

	return !nd->unasked && (ans == NULL || ans->status == MC_DNS_TEMPFAIL ||
	    ans->status == MC_DNS_PERMFAIL);
}

/*
 * The one rule for the names a pure zone-file run cannot ask (see
 * mc_dmarc_walk_end()): a public suffix outside the files holds no record.
 */
static int
unasked(const struct mc_dmarc_node *nd)
{
	return nd->ans != NULL && nd->ans->status == MC_DNS_TEMPFAIL &&
	    nd->ans->reason == MC_DNS_REASON_OUTSIDE &&
	    mc_psl_is_public_suffix(nd->domain) == 1;
}

/* Classify one node's TXT records and parse its first DMARC1 record. */
static int
read_node(struct mc_arena *a, struct mc_dmarc_node *nd)
{
	const struct mc_rr *rr;
	enum mc_dmarc_txt k;
	size_t i;

	for (i = 0; i < nd->ans->count; i++) {
		rr = &nd->ans->rr[i];
		if (rr->type != MC_RR_TXT)
			continue;
		k = mc_dmarc_classify(rr->data, rr->len);
		if (k != MC_DMARC_TXT_RECORD) {
			if (nd->nother++ == 0)
				nd->other = rr;
			if (k == MC_DMARC_TXT_LOOKALIKE &&
			    nd->nlookalike++ == 0)
				nd->lookalike = rr;
			continue;
		}
		if (nd->ndmarc++ == 0)
			nd->rr = rr;
	}
	if (nd->rr == NULL)
		return 0;
	nd->rec = mc_arena_alloc(a, sizeof(*nd->rec));
	if (nd->rec == NULL)
		return -1;
	return mc_dmarc_parse(a, nd->qname, nd->rr->data, nd->rr->len,
	    nd->rec);
}

/* The policy applied from the record at node i (RFC 9989 4.10.1). */
static int
apply(struct mc_arena *a, struct mc_dmarc_discovery *d, size_t i)
{
	const struct mc_dmarc_record *r = d->node[i].rec;

	d->pol = i;
	if (r->repeated != NULL) {
		d->reason = mc_arena_printf(a, "the record at %s repeats tag "
		    "'%s', which makes it invalid", d->node[i].qname,
		    r->repeated);
		return d->reason == NULL ? -1 : 0;
	}
	if (r->bad_policy != NULL) {
		d->reason = mc_arena_printf(a, "%s at %s is not a valid policy%s",
		    r->bad_policy, d->node[i].qname, r->rua_valid ? "; rua= is "
		    "valid, so receivers act as if p=none" : " and no valid "
		    "rua= is given");
		if (d->reason == NULL)
			return -1;
		if (!r->rua_valid)
			return 0;
		d->source = MC_DMARC_SRC_FALLBACK;
		d->policy = d->sp = d->np = MC_DMARC_NONE;
		return 0;
	}
	d->source = i == 0 ? MC_DMARC_SRC_RECORD : MC_DMARC_SRC_INHERITED;
	/* no p= at all: RFC 9989 4.7 reads p=none */
	d->policy = r->has_p ? r->p : MC_DMARC_NONE;
	d->sp = r->sp != MC_DMARC_UNSET ? r->sp : d->policy;
	d->np = r->np != MC_DMARC_UNSET ? r->np : d->sp;
	if (i > 0)
		d->policy = d->sp;
	return 0;
}

/* RFC 9989 4.10.2: psd= tags, else the shortest name with a record. */
static void
org_domain(struct mc_dmarc_discovery *d)
{
	const struct mc_dmarc_node *nd;
	size_t i;

	for (i = 0; i < d->n; i++) {
		nd = &d->node[i];
		if (failed(nd)) {
			/* a shorter name may hold a record: unknown */
			d->org_domain = NULL;
			return;
		}
		if (nd->ndmarc != 1 || nd->rec->repeated != NULL)
			continue;
		if (nd->rec->psd == 'n') {
			d->org_domain = nd->domain;
			return;
		}
		if (nd->rec->psd == 'y') {
			/* one label below the public suffix domain */
			d->org_domain = i == 0 ? nd->domain :
			    suffix(d->node[0].domain,
			    count_labels(nd->domain) + 1);
			return;
		}
		d->org_domain = nd->domain;
	}
}

int
mc_dmarc_walk_end(struct mc_arena *a, struct mc_dmarc_discovery *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		d->node[i].unasked = unasked(&d->node[i]);
		if (!failed(&d->node[i]) && !d->node[i].unasked &&
		    read_node(a, &d->node[i]) == -1)
			return -1;
	}
	org_domain(d);
	/* the walk, read in order: the first name with one record applies */
	for (i = 0; i < d->n; i++) {
		if (failed(&d->node[i])) {
			d->failed = i;
			d->reason = "a lookup of the walk failed";
			return 0;
		}
		if (d->node[i].ndmarc == 1)
			return apply(a, d, i);
		if (i == 0 && d->node[0].ndmarc > 1) {
			/* RFC 7489 6.6.3: several records, none applies */
			d->reason = mc_arena_printf(a, "%s has %zu DMARC "
			    "records", d->node[0].qname, d->node[0].ndmarc);
			return d->reason == NULL ? -1 : 0;
		}
	}
	d->reason = "no DMARC record was found";
	return 0;
}
