/* SPDX-License-Identifier: ISC */
/*
 * src/spf_parse.c - SPF record selection, term parser, macro language
 *
 * The grammar is RFC 7208 4.5, 5, 6 and 7.1, followed to the letter: a
 * record is "v=spf1" and terms separated by spaces; every byte of a term
 * is visible ASCII; mechanisms and modifier names are case-insensitive;
 * domain-specs are macro-strings ending in a top label or a macro.  Errors
 * name the term, its offset and the rule broken.  Nothing here asks DNS.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/escape.h"
#include "mailcheck/limits.h"
#include "mailcheck/spf.h"
#include "banned.h"

static const char *const result_names[] = {
	[MC_SPF_NONE] = "none",
	[MC_SPF_NEUTRAL] = "neutral",
	[MC_SPF_PASS] = "pass",
	[MC_SPF_FAIL] = "fail",
	[MC_SPF_SOFTFAIL] = "softfail",
	[MC_SPF_TEMPERROR] = "temperror",
	[MC_SPF_PERMERROR] = "permerror",
};

static const struct {
	const char *name;
	enum mc_spf_kind kind;
} mechanisms[] = {
	{ "all", MC_SPF_ALL },
	{ "include", MC_SPF_INCLUDE },
	{ "a", MC_SPF_A },
	{ "mx", MC_SPF_MX },
	{ "ptr", MC_SPF_PTR },
	{ "ip4", MC_SPF_IP4 },
	{ "ip6", MC_SPF_IP6 },
	{ "exists", MC_SPF_EXISTS },
};

const char *
mc_spf_result_str(enum mc_spf_result r)
{
	if ((size_t)r < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[r];
	return "?";
}

const char *
mc_spf_kind_str(enum mc_spf_kind k)
{
	size_t i;

	for (i = 0; i < sizeof(mechanisms) / sizeof(mechanisms[0]); i++)
		if (mechanisms[i].kind == k)
			return mechanisms[i].name;
	switch (k) {
	case MC_SPF_REDIRECT:
		return "redirect";
	case MC_SPF_EXP:
		return "exp";
	default:
		return "modifier";
	}
}

int
mc_spf_kind_counts(enum mc_spf_kind k)
{
	return k == MC_SPF_INCLUDE || k == MC_SPF_A || k == MC_SPF_MX ||
	    k == MC_SPF_PTR || k == MC_SPF_EXISTS || k == MC_SPF_REDIRECT;
}

int
mc_spf_is_record(const char *s, size_t len)
{
	if (len < 6 || strncasecmp(s, "v=spf1", 6) != 0)
		return 0;
	return len == 6 || s[6] == ' ';
}

int
mc_spf_select(const struct mc_dns_answer *ans, size_t *index)
{
	size_t i, n = 0;

	for (i = 0; i < ans->count; i++) {
		if (ans->rr[i].type != MC_RR_TXT && ans->rr[i].type != MC_RR_SPF)
			continue;
		if (!mc_spf_is_record(ans->rr[i].data, ans->rr[i].len))
			continue;
		if (n++ == 0)
			*index = i;
	}
	if (n > 1)
		return -1;
	return n == 1;
}

/* Macros (7.1) */

static int
is_macro_letter(int c, int exp)
{
	c = tolower(c);
	if (strchr("slodiphv", c) != NULL)
		return 1;
	return exp && strchr("crt", c) != NULL;
}

static int
is_delimiter(int c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

static void
seterr(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsize == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
}

/*
 * The length of the macro-expand at s (s[0] == '%'), or 0 with a reason.
 */
static size_t
macro_len(const char *s, size_t len, int exp, char *err, size_t errsize)
{
	size_t i, k;

	if (len < 2) {
		seterr(err, errsize, "'%%' at the end of a macro-string");
		return 0;
	}
	if (s[1] == '%' || s[1] == '_' || s[1] == '-')
		return 2;
	if (s[1] != '{') {
		seterr(err, errsize, "'%%' followed by '%c', not by '{', '%%', "
		    "'_' or '-'", isprint((unsigned char)s[1]) ? s[1] : '?');
		return 0;
	}
	if (len < 3 || !is_macro_letter((unsigned char)s[2], 1)) {
		seterr(err, errsize, "no macro letter after '%%{'");
		return 0;
	}
	if (!is_macro_letter((unsigned char)s[2], exp)) {
		seterr(err, errsize, "macro '%%{%c}' is allowed only in exp "
		    "text", s[2]);
		return 0;
	}
	i = 3;
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	for (k = 3; k < i && s[k] == '0'; k++)
		;
	if (i > 3 && k == i) { /* 7.3: the value must be nonzero */
		seterr(err, errsize, "macro transformer 0: must be at least 1");
		return 0;
	}
	if (i - 3 > 3) {
		seterr(err, errsize, "macro transformer too large");
		return 0;
	}
	if (i < len && (s[i] == 'r' || s[i] == 'R'))
		i++;
	while (i < len && is_delimiter(s[i]))
		i++;
	if (i >= len || s[i] != '}') {
		seterr(err, errsize, "macro not closed by '}'");
		return 0;
	}
	return i + 1;
}

int
mc_spf_macro_check(const char *s, size_t len, int exp, size_t *pos,
    char *err, size_t errsize)
{
	size_t i, n;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) {
			if (!(exp && s[i] == ' ')) {
				*pos = i;
				seterr(err, errsize, "invalid character 0x%02x",
				    (unsigned char)s[i]);
				return -1;
			}
		}
		if (s[i] != '%')
			continue;
		n = macro_len(s + i, len - i, exp, err, errsize);
		if (n == 0) {
			*pos = i;
			return -1;
		}
		i += n - 1;
	}
	return 0;
}

int
mc_spf_macro_uses(const char *s, char c)
{
	for (; *s != '\0'; s++) {
		if (s[0] != '%' || s[1] == '\0')
			continue;
		if (s[1] == '{' && tolower((unsigned char)s[2]) == c)
			return 1;
		s++;
	}
	return 0;
}

/* Parser */

struct cursor {
	struct mc_arena *a;
	const char *rec;
	size_t len;
	struct mc_spf_error *err;
	int failed;
};

static int
fail(struct cursor *c, size_t tpos, size_t tlen, size_t pos,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fail(struct cursor *c, size_t tpos, size_t tlen, size_t pos,
    const char *fmt, ...)
{
	struct mc_spf_error *e = c->err;
	va_list ap;
	size_t i;

	if (c->failed)
		return -1;
	c->failed = 1;
	e->pos = pos;
	/* escaped here, once (mailcheck/escape.h): renderers never again */
	i = mc_escape_buf(e->term, sizeof(e->term) - 3, c->rec + tpos, tlen);
	if (i < tlen)
		memcpy(e->term + strlen(e->term), "...", 4);
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static int
is_alnum(int c)
{
	return isascii(c) && isalnum(c);
}

/* toplabel (7.1) */
static int
is_toplabel(const char *s, size_t len)
{
	size_t i;
	int alpha = 0, hyphen = 0;

	if (len == 0 || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[len - 1]))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			hyphen = 1;
		else if (!is_alnum((unsigned char)s[i]))
			return 0;
		else if (isalpha((unsigned char)s[i]))
			alpha = 1;
	}
	return alpha || hyphen;
}

/*
 * Check a domain-spec (macro-string and domain-end).  The spec is at
 * offset off in the record.
 */
static int
check_domain_spec(struct cursor *c, size_t tpos, size_t tlen, size_t off,
    size_t len, int *has_macros)
{
	const char *s = c->rec + off;
	char why[128];
	size_t i, n, pos, dot = (size_t)-1, end = len;
	int last_macro = 0;

	*has_macros = 0;
	if (len == 0)
		return fail(c, tpos, tlen, off, "empty domain-spec");
	if (mc_spf_macro_check(s, len, 0, &pos, why, sizeof(why)) == -1)
		return fail(c, tpos, tlen, off + pos, "%s", why);
	for (i = 0; i < len; i++) {
		last_macro = 0;
		if (s[i] == '%') {
			n = macro_len(s + i, len - i, 0, NULL, 0);
			*has_macros = 1;
			i += n - 1;
			last_macro = 1;
		} else if (s[i] == '.' && i + 1 < len)
			dot = i;
	}
	if (last_macro)
		return 0;
	if (s[len - 1] == '.')
		end = len - 1;
	if (dot == (size_t)-1 || dot >= end)
		return fail(c, tpos, tlen, off, "domain-spec '%.*s' does not "
		    "end in a top label or a macro", (int)(len > 64 ? 64 : len),
		    s);
	if (memchr(s + dot + 1, '%', end - dot - 1) != NULL ||
	    !is_toplabel(s + dot + 1, end - dot - 1))
		return fail(c, tpos, tlen, off + dot + 1, "invalid top label "
		    "'%.*s' in domain-spec", (int)(end - dot - 1 > 64 ? 64 :
		    end - dot - 1), s + dot + 1);
	return 0;
}

/* Parse "/N" with value at most max at s (len bytes): the value, or -1. */
static int
cidr_value(const char *s, size_t len, int max)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Is s[0..len) "/" followed by 1-3 digits at its end? Returns the start. */
static size_t
trailing_slash_digits(const char *s, size_t len)
{
	size_t i = len;

	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	if (i == len || i == 0 || s[i - 1] != '/')
		return (size_t)-1;
	return i - 1;
}

/*
 * Split a dual-cidr-length off the end of s (offset off, len bytes);
 * sets *speclen to what remains before it.
 */
static int
dual_cidr(struct cursor *c, size_t tpos, size_t tlen, size_t off, size_t len,
    struct mc_spf_term *t, size_t *speclen)
{
	const char *s = c->rec + off;
	size_t p;

	t->cidr4 = t->cidr6 = -1;
	p = trailing_slash_digits(s, len);
	if (p != (size_t)-1 && p > 0 && s[p - 1] == '/') {
		t->cidr6 = cidr_value(s + p + 1, len - p - 1, 128);
		if (t->cidr6 < 0)
			return fail(c, tpos, tlen, off + p, "IPv6 prefix length "
			    "'%.*s' is not 0-128", (int)(len - p - 1), s + p + 1);
		len = p - 1;
		p = trailing_slash_digits(s, len);
	}
	if (p != (size_t)-1) {
		t->cidr4 = cidr_value(s + p + 1, len - p - 1, 32);
		if (t->cidr4 < 0)
			return fail(c, tpos, tlen, off + p, "IPv4 prefix length "
			    "'%.*s' is not 0-32", (int)(len - p - 1), s + p + 1);
		len = p;
	}
	*speclen = len;
	return 0;
}

static int
parse_ip(struct cursor *c, size_t tpos, size_t tlen, size_t off, size_t len,
    struct mc_spf_term *t)
{
	const char *s = c->rec + off;
	char buf[64];
	size_t p;
	int v6 = t->kind == MC_SPF_IP6;

	t->cidr4 = t->cidr6 = -1;
	p = trailing_slash_digits(s, len);
	if (p != (size_t)-1) {
		int v = cidr_value(s + p + 1, len - p - 1, v6 ? 128 : 32);

		if (v < 0)
			return fail(c, tpos, tlen, off + p, "%s prefix length "
			    "'%.*s' is not 0-%d", v6 ? "IPv6" : "IPv4",
			    (int)(len - p - 1), s + p + 1, v6 ? 128 : 32);
		if (v6)
			t->cidr6 = v;
		else
			t->cidr4 = v;
		len = p;
	}
	if (len == 0 || len >= sizeof(buf))
		return fail(c, tpos, tlen, off, "missing or overlong %s address",
		    v6 ? "IPv6" : "IPv4");
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, t->ip) != 1)
		return fail(c, tpos, tlen, off, "'%s' is not an %s address", buf,
		    v6 ? "IPv6" : "IPv4");
	return 0;
}

static int
parse_mechanism(struct cursor *c, size_t tpos, size_t tlen, size_t off,
    size_t nlen, struct mc_spf_term *t)
{
	const char *rest = c->rec + off + nlen;
	size_t rlen = tlen - (off - tpos) - nlen, speclen, i;

	for (i = 0; i < sizeof(mechanisms) / sizeof(mechanisms[0]); i++)
		if (strlen(mechanisms[i].name) == nlen &&
		    strncasecmp(mechanisms[i].name, c->rec + off, nlen) == 0)
			break;
	if (i == sizeof(mechanisms) / sizeof(mechanisms[0]))
		return fail(c, tpos, tlen, off, "unknown mechanism '%.*s'",
		    (int)(nlen > 64 ? 64 : nlen), c->rec + off);
	t->kind = mechanisms[i].kind;
	t->cidr4 = t->cidr6 = -1;
	off += nlen;
	switch (t->kind) {
	case MC_SPF_ALL:
		if (rlen != 0)
			return fail(c, tpos, tlen, off, "'all' takes no "
			    "argument");
		return 0;
	case MC_SPF_INCLUDE:
	case MC_SPF_EXISTS:
		if (rlen == 0 || rest[0] != ':')
			return fail(c, tpos, tlen, off, "'%s' needs ':' and a "
			    "domain", mc_spf_kind_str(t->kind));
		speclen = rlen - 1;
		break;
	case MC_SPF_IP4:
	case MC_SPF_IP6:
		if (rlen == 0 || rest[0] != ':')
			return fail(c, tpos, tlen, off, "'%s' needs ':' and an "
			    "address", mc_spf_kind_str(t->kind));
		return parse_ip(c, tpos, tlen, off + 1, rlen - 1, t);
	case MC_SPF_A:
	case MC_SPF_MX:
		if (dual_cidr(c, tpos, tlen, off, rlen, t, &rlen) == -1)
			return -1;
		/* FALLTHROUGH */
	case MC_SPF_PTR:
		if (rlen == 0)
			return 0;
		if (rest[0] != ':')
			return fail(c, tpos, tlen, off, "unexpected '%c' after "
			    "'%s'", rest[0], mc_spf_kind_str(t->kind));
		speclen = rlen - 1;
		break;
	default:
		return -1;
	}
	if (check_domain_spec(c, tpos, tlen, off + 1, speclen,
	    &t->has_macros) == -1)
		return -1;
	t->domain = mc_arena_strndup(c->a, c->rec + off + 1, speclen);
	return t->domain == NULL ? fail(c, tpos, tlen, off, "out of memory") :
	    0;
}

static int
parse_modifier(struct cursor *c, size_t tpos, size_t tlen, size_t nlen,
    struct mc_spf_term *t)
{
	size_t voff = tpos + nlen + 1, vlen = tlen - nlen - 1, pos;
	char why[128];

	t->name = mc_arena_strndup(c->a, c->rec + tpos, nlen);
	if (t->name == NULL)
		return fail(c, tpos, tlen, tpos, "out of memory");
	if (strcasecmp(t->name, "redirect") == 0)
		t->kind = MC_SPF_REDIRECT;
	else if (strcasecmp(t->name, "exp") == 0)
		t->kind = MC_SPF_EXP;
	else
		t->kind = MC_SPF_UNKNOWN_MODIFIER;
	t->qualifier = MC_SPF_NONE;
	t->cidr4 = t->cidr6 = -1;
	if (t->kind == MC_SPF_UNKNOWN_MODIFIER) {
		if (mc_spf_macro_check(c->rec + voff, vlen, 0, &pos, why,
		    sizeof(why)) == -1)
			return fail(c, tpos, tlen, voff + pos, "%s", why);
	} else if (check_domain_spec(c, tpos, tlen, voff, vlen,
	    &t->has_macros) == -1)
		return -1;
	t->domain = mc_arena_strndup(c->a, c->rec + voff, vlen);
	return t->domain == NULL ? fail(c, tpos, tlen, tpos, "out of memory") :
	    0;
}

static int
parse_term(struct cursor *c, size_t tpos, size_t tlen, struct mc_spf_term *t)
{
	const char *s = c->rec + tpos;
	size_t i, n;

	t->pos = tpos;
	t->text = mc_arena_strndup(c->a, s, tlen);
	if (t->text == NULL)
		return fail(c, tpos, tlen, tpos, "out of memory");
	for (i = 0; i < tlen; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return fail(c, tpos, tlen, tpos + i, "invalid character "
			    "0x%02x", (unsigned char)s[i]);
	i = 0;
	if (strchr("+-~?", s[0]) != NULL) {
		t->qualifier_char = s[0];
		i = 1;
	}
	switch (t->qualifier_char) {
	case '-':
		t->qualifier = MC_SPF_FAIL;
		break;
	case '~':
		t->qualifier = MC_SPF_SOFTFAIL;
		break;
	case '?':
		t->qualifier = MC_SPF_NEUTRAL;
		break;
	default:
		t->qualifier = MC_SPF_PASS;
		break;
	}
	if (i >= tlen || !isalpha((unsigned char)s[i]))
		return fail(c, tpos, tlen, tpos + i, "a term must start with a "
		    "letter");
	n = i + 1;
	while (n < tlen && (is_alnum((unsigned char)s[n]) || s[n] == '-' ||
	    s[n] == '_' || s[n] == '.'))
		n++;
	if (n < tlen && s[n] == '=') {
		if (i != 0)
			return fail(c, tpos, tlen, tpos, "a modifier takes no "
			    "qualifier");
		return parse_modifier(c, tpos, tlen, n, t);
	}
	/* a mechanism name is letters and digits only */
	n = i;
	while (n < tlen && is_alnum((unsigned char)s[n]))
		n++;
	return parse_mechanism(c, tpos, tlen, tpos + i, n - i, t);
}

int
mc_spf_parse(struct mc_arena *a, const char *rec, size_t len,
    struct mc_spf_record *out, struct mc_spf_error *err)
{
	struct cursor c = { .a = a, .rec = rec, .len = len, .err = err };
	struct mc_spf_term *terms = NULL, *grown;
	size_t i, start, cap = 0, n = 0;
	int after_all;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (!mc_spf_is_record(rec, len))
		return fail(&c, 0, len < 6 ? len : 6, 0, "not an SPF record "
		    "(no 'v=spf1')");
	i = 6;
	while (i < len) {
		if (rec[i] == ' ') {
			i++;
			continue;
		}
		start = i;
		while (i < len && rec[i] != ' ')
			i++;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			grown = mc_arena_calloc(a, cap, sizeof(*grown));
			if (grown == NULL)
				return fail(&c, start, i - start, start,
				    "out of memory");
			if (n > 0)
				memcpy(grown, terms, n * sizeof(*grown));
			terms = grown;
		}
		if (parse_term(&c, start, i - start, &terms[n]) == -1)
			return -1;
		if (terms[n].kind == MC_SPF_REDIRECT ||
		    terms[n].kind == MC_SPF_EXP) {
			const struct mc_spf_term **slot =
			    terms[n].kind == MC_SPF_REDIRECT ? &out->redirect :
			    &out->exp;

			if (*slot != NULL)
				return fail(&c, start, i - start, start,
				    "'%s' appears more than once",
				    mc_spf_kind_str(terms[n].kind));
			*slot = &terms[n];
		}
		n++;
	}
	/* the array may have moved: re-point redirect and exp */
	out->redirect = out->exp = NULL;
	for (i = 0; i < n; i++) {
		if (terms[i].kind == MC_SPF_REDIRECT)
			out->redirect = &terms[i];
		else if (terms[i].kind == MC_SPF_EXP)
			out->exp = &terms[i];
		else if (terms[i].kind == MC_SPF_ALL)
			out->has_all = 1;
	}
	/* what check_host() spends: nothing after the first "all" is
	   evaluated (5.1), and a redirect beside an "all" is ignored (6.1) */
	for (i = 0, after_all = 0; i < n; i++) {
		terms[i].costs = !after_all &&
		    mc_spf_kind_counts(terms[i].kind) &&
		    !(terms[i].kind == MC_SPF_REDIRECT && out->has_all);
		if (terms[i].kind == MC_SPF_ALL)
			after_all = 1;
		out->nlookup_terms += (size_t)terms[i].costs;
	}
	out->terms = terms;
	out->nterms = n;
	return 0;
}

/* Expansion (7.3, 7.4) */

struct buf {
	char *p;
	size_t len, cap;
	int err;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap == 0 ? 256 : b->cap;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if (ncap > 65536) {
			b->err = 1;
			return;
		}
		np = realloc(b->p, ncap);
		if (np == NULL) {
			b->err = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* The value of a macro letter into v (malloc'ed buffer). */
static void
letter_value(int letter, const struct mc_spf_macro_env *env, struct buf *v)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	size_t i;

	switch (letter) {
	case 's':
		buf_str(v, env->sender != NULL ? env->sender : "");
		break;
	case 'l':
		buf_str(v, env->local != NULL ? env->local : "postmaster");
		break;
	case 'o':
		buf_str(v, env->sender_domain != NULL ? env->sender_domain : "");
		break;
	case 'd':
		buf_str(v, env->domain != NULL ? env->domain : "");
		break;
	case 'i':
		if (!env->ipv6) {
			inet_ntop(AF_INET, env->ip, tmp, sizeof(tmp));
			buf_str(v, tmp);
			break;
		}
		for (i = 0; i < 16; i++) {
			snprintf(tmp, sizeof(tmp), env->upper_hex ? "%X.%X%s" :
			    "%x.%x%s", env->ip[i] >> 4,
			    env->ip[i] & 15, i < 15 ? "." : "");
			buf_str(v, tmp);
		}
		break;
	case 'c':
		inet_ntop(env->ipv6 ? AF_INET6 : AF_INET, env->ip, tmp,
		    sizeof(tmp));
		buf_str(v, tmp);
		break;
	case 'p':
		buf_str(v, env->ptr != NULL ? env->ptr : "unknown");
		break;
	case 'h':
		buf_str(v, env->helo != NULL ? env->helo : "");
		break;
	case 'r':
		buf_str(v, env->receiver != NULL ? env->receiver : "unknown");
		break;
	case 't':
		snprintf(tmp, sizeof(tmp), "%lld", env->now);
		buf_str(v, tmp);
		break;
	case 'v':
		buf_str(v, env->ipv6 ? "ip6" : "in-addr");
		break;
	}
}

/* Apply the transformers of one macro and append to out. */
static void
transform(const char *val, size_t vlen, unsigned digits, int reverse,
    const char *delims, size_t ndelims, int upper, struct buf *out)
{
	const char *parts[256];
	size_t plen[256], n = 0, i, start = 0, first;
	static const char hex[] = "0123456789ABCDEF";

	for (i = 0; i <= vlen && n < 256; i++) {
		int isdelim = i < vlen && (ndelims == 0 ? val[i] == '.' :
		    memchr(delims, val[i], ndelims) != NULL);

		if (i == vlen || isdelim) {
			parts[n] = val + start;
			plen[n++] = i - start;
			start = i + 1;
		}
	}
	if (reverse)
		for (i = 0; i < n / 2; i++) {
			const char *tp = parts[i];
			size_t tl = plen[i];

			parts[i] = parts[n - 1 - i];
			plen[i] = plen[n - 1 - i];
			parts[n - 1 - i] = tp;
			plen[n - 1 - i] = tl;
		}
	first = digits > 0 && digits < n ? n - digits : 0;
	for (i = first; i < n; i++) {
		if (i > first)
			buf_add(out, ".", 1);
		if (!upper) {
			buf_add(out, parts[i], plen[i]);
			continue;
		}
		for (size_t k = 0; k < plen[i]; k++) {
			unsigned char ch = (unsigned char)parts[i][k];
			char enc[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			if (is_alnum(ch) || strchr("-._~", ch) != NULL)
				buf_add(out, (const char *)&ch, 1);
			else
				buf_add(out, enc, 3);
		}
	}
}

int
mc_spf_expand(struct mc_arena *a, const char *s, size_t len,
    const struct mc_spf_macro_env *env, int exp, int domain, char **out,
    char *err, size_t errsize)
{
	struct buf b = { 0 }, v = { 0 };
	size_t i, n, pos, k;
	unsigned digits;
	const char *p;
	int rc = -1;

	if (mc_spf_macro_check(s, len, exp, &pos, err, errsize) == -1)
		goto out;
	buf_add(&b, "", 0);
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			buf_add(&b, s + i, 1);
			continue;
		}
		n = macro_len(s + i, len - i, exp, NULL, 0);
		if (s[i + 1] == '%')
			buf_add(&b, "%", 1);
		else if (s[i + 1] == '_')
			buf_add(&b, " ", 1);
		else if (s[i + 1] == '-')
			buf_add(&b, "%20", 3);
		else {
			p = s + i + 2;
			v.len = 0;
			letter_value(tolower((unsigned char)*p), env, &v);
			buf_add(&v, "", 0);
			digits = 0;
			for (k = 1; isdigit((unsigned char)p[k]); k++)
				digits = digits * 10 + (unsigned)(p[k] - '0');
			int reverse = p[k] == 'r' || p[k] == 'R';

			if (reverse)
				k++;
			transform(v.err ? "" : v.p, v.err ? 0 : v.len, digits,
			    reverse, p + k, (size_t)(s + i + n - 1 - (p + k)),
			    isupper((unsigned char)*p), &b);
		}
		i += n - 1;
	}
	if (b.err || v.err) {
		seterr(err, errsize, "macro expansion too long or out of memory");
		goto out;
	}
	p = b.p;
	if (domain) {
		/* 7.3: drop left labels until at most 253 octets remain */
		size_t l = b.len;

		if (l > 0 && p[l - 1] == '.')
			l--;
		while (l - (size_t)(p - b.p) > MC_DNS_NAME_MAX) {
			const char *dot = memchr(p, '.', l - (size_t)(p - b.p));

			if (dot == NULL)
				break;
			p = dot + 1;
		}
		*out = mc_arena_strndup(a, p, l - (size_t)(p - b.p));
	} else
		*out = mc_arena_strndup(a, p, b.len);
	if (*out == NULL) {
		seterr(err, errsize, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(b.p);
	free(v.p);
	return rc;
}
