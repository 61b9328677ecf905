/* SPDX-License-Identifier: ISC */
/*
 * src/mta_sts_policy.c - MTA-STS record and policy parsers (RFC 8461)
 *
 * The policy is read line by line with a cursor over the bytes as they
 * came (no copy of the whole body): each line is measured first, and only
 * a line that is short enough, free of NUL bytes and of the form
 * "key: value" is copied into the arena.  Problems are recorded and the
 * next line read, so that one bad line does not hide the others; what the
 * sender-side rules need (version, mode, max_age, mx) is judged at the
 * end.  The RFC's grammar (3.2):
 *
 *   sts-policy-field = sts-policy-key ":" *WSP sts-policy-value *WSP
 *   version: STSv1   mode: enforce|testing|none   max_age: 1*10DIGIT
 *   mx: ["*."] Domain (repeatable)   extension keys: 1*32(ALNUM/"_"/"-"/".")
 *
 * The record (3.1) goes through the shared tag=value tokenizer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/mta_sts_policy.h"
#include "mailcheck/tagvalue.h"
#include "mailcheck/txt_record.h"
#include "banned.h"

static const char *const mode_names[] = { "none", "testing", "enforce",
	"invalid" };

const char *
mc_sts_mode_str(enum mc_sts_mode m)
{
	return (unsigned)m <= MC_STS_MODE_INVALID ? mode_names[m] : "invalid";
}

static int
add_problem(struct mc_arena *a, struct mc_sts_policy *p,
    enum mc_sts_problem_kind kind, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
add_problem(struct mc_arena *a, struct mc_sts_policy *p,
    enum mc_sts_problem_kind kind, size_t line, const char *fmt, ...)
{
	va_list ap;
	char *d;

	p->nproblems_total++;
	if (p->nproblems == MC_STS_MAX_PROBLEMS)
		return 0;
	va_start(ap, fmt);
	d = mc_arena_vprintf(a, fmt, ap);
	va_end(ap);
	if (d == NULL)
		return -1;
	p->problem[p->nproblems++] = (struct mc_sts_problem){ .kind = kind,
	    .line = line, .detail = d };
	return 0;
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* A Domain (RFC 5321 4.1.2) with an optional "*." prefix, lower-cased. */
static int
valid_mx(char *v)
{
	size_t i, label = 0, labels = 0, len;
	char *s = v;

	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	len = strlen(s);
	if (len == 0 || len > 253 || s[len - 1] == '.')
		return 0;
	for (i = 0; i <= len; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			labels++;
			label = 0;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			s[i] = c = (char)(c + 32);
		if (!is_alnum(c) && !(c == '-' && label > 0))
			return 0;
		label++;
	}
	return labels >= 1;
}

static int
all_digits(const char *v, size_t max)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return i > 0 && i <= max;
}

static int
valid_ext_key(const char *k)
{
	size_t i;

	if (!is_alnum((unsigned char)k[0]))
		return 0;
	for (i = 1; k[i] != '\0'; i++)
		if (!is_alnum((unsigned char)k[i]) && k[i] != '_' &&
		    k[i] != '-' && k[i] != '.')
			return 0;
	return i <= 32;
}

/* One "key: value" line of len bytes (no NUL, no line end). */
static int
parse_line(struct mc_arena *a, struct mc_sts_policy *p, const char *s,
    size_t len, size_t lineno, int *seen)
{
	const char *colon = memchr(s, ':', len);
	char *key, *val;
	size_t vlen, i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return add_problem(a, p, MC_STS_P_SYNTAX, lineno,
			    "a control character at byte %zu", i + 1);
	if (colon == NULL || colon == s)
		return add_problem(a, p, MC_STS_P_SYNTAX, lineno,
		    "not a 'key: value' line");
	key = mc_arena_strndup(a, s, (size_t)(colon - s));
	colon++;
	while (colon < s + len && (*colon == ' ' || *colon == '\t'))
		colon++;
	vlen = (size_t)(s + len - colon);
	while (vlen > 0 && (colon[vlen - 1] == ' ' || colon[vlen - 1] == '\t'))
		vlen--;
	val = mc_arena_strndup(a, colon, vlen);
	if (key == NULL || val == NULL)
		return -1;
	if (strcmp(key, "version") == 0 || strcmp(key, "mode") == 0 ||
	    strcmp(key, "max_age") == 0) {
		int k = key[0] == 'v' ? 0 : key[1] == 'o' ? 1 : 2;

		if (seen[k]++)
			return add_problem(a, p, MC_STS_P_DUPLICATE_KEY, lineno,
			    "'%s' appears again (the first one counts)", key);
	}
	if (strcmp(key, "version") == 0) {
		p->version = val;
		if (strcmp(val, "STSv1") != 0)
			return add_problem(a, p, MC_STS_P_VERSION, lineno,
			    "version is '%s', not 'STSv1'", val);
	} else if (strcmp(key, "mode") == 0) {
		for (i = 0; i < MC_STS_MODE_INVALID; i++)
			if (strcmp(val, mode_names[i]) == 0)
				break;
		p->mode = (enum mc_sts_mode)i;
		if (i == MC_STS_MODE_INVALID)
			return add_problem(a, p, MC_STS_P_MODE, lineno,
			    "mode '%s' is not enforce, testing or none", val);
	} else if (strcmp(key, "max_age") == 0) {
		if (!all_digits(val, 10) ||
		    strtol(val, NULL, 10) > MC_STS_MAX_AGE_MAX)
			return add_problem(a, p, MC_STS_P_MAX_AGE, lineno,
			    "max_age '%s' is not a number of seconds up to "
			    "%d", val, MC_STS_MAX_AGE_MAX);
		p->max_age = strtol(val, NULL, 10);
	} else if (strcmp(key, "mx") == 0) {
		p->nmx_lines++;
		if (!valid_mx(val))
			return add_problem(a, p, MC_STS_P_MX_INVALID, lineno,
			    "mx '%s' is not a host name or *.domain", val);
		if (p->nmx == MC_STS_MAX_MX)
			return 0; /* counted; reported once at the end */
		p->mx[p->nmx++] = val;
	} else
		return add_problem(a, p, MC_STS_P_UNKNOWN_KEY, lineno,
		    valid_ext_key(key) ? "unknown key '%s' (ignored)" :
		    "'%s' is not a valid key", key);
	return 0;
}

int
mc_sts_policy_parse(struct mc_arena *a, const char *text, size_t len,
    struct mc_sts_policy *p)
{
	int seen[3] = { 0, 0, 0 };
	size_t pos = 0, end, cut, lineno = 0;
	const char *nul;

	memset(p, 0, sizeof(*p));
	p->mode = MC_STS_MODE_INVALID;
	p->max_age = -1;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);

		end = nl != NULL ? (size_t)(nl - text) : len;
		cut = end;
		if (cut > pos && text[cut - 1] == '\r')
			cut--;
		lineno++;
		nul = memchr(text + pos, '\0', cut - pos);
		if (nul != NULL) {
			if (add_problem(a, p, MC_STS_P_NUL, lineno,
			    "a NUL byte at byte %zu of the line (line skipped)",
			    (size_t)(nul - (text + pos)) + 1) == -1)
				return -1;
		} else if (cut - pos > MC_STS_LINE_MAX) {
			if (add_problem(a, p, MC_STS_P_LONG_LINE, lineno,
			    "a line of %zu bytes (at most %d read; skipped)",
			    cut - pos, MC_STS_LINE_MAX) == -1)
				return -1;
		} else if (cut > pos) {
			if (parse_line(a, p, text + pos, cut - pos, lineno,
			    seen) == -1)
				return -1;
		}
		pos = end + 1;
	}
	p->nlines = lineno;
	if (p->version == NULL &&
	    add_problem(a, p, MC_STS_P_VERSION, 0, "no 'version: STSv1' line")
	    == -1)
		return -1;
	if (!seen[1] && add_problem(a, p, MC_STS_P_MODE, 0, "no 'mode' line")
	    == -1)
		return -1;
	if (!seen[2] && add_problem(a, p, MC_STS_P_MAX_AGE, 0,
	    "no 'max_age' line") == -1)
		return -1;
	if (p->nmx == 0 && p->mode != MC_STS_MODE_NONE &&
	    p->mode != MC_STS_MODE_INVALID &&
	    add_problem(a, p, MC_STS_P_MX_MISSING, 0, "mode %s without a "
	    "valid 'mx' line", mc_sts_mode_str(p->mode)) == -1)
		return -1;
	if (p->nmx_lines > MC_STS_MAX_MX &&
	    add_problem(a, p, MC_STS_P_TOO_MANY_MX, 0, "%zu mx lines (the "
	    "first %d valid ones are used)", p->nmx_lines, MC_STS_MAX_MX)
	    == -1)
		return -1;
	return 0;
}

int
mc_sts_policy_usable(const struct mc_sts_policy *p)
{
	return p->version != NULL && strcmp(p->version, "STSv1") == 0 &&
	    p->mode != MC_STS_MODE_INVALID && p->max_age >= 0 &&
	    (p->mode == MC_STS_MODE_NONE || p->nmx > 0);
}

int
mc_sts_mx_match(const char *pattern, const char *host)
{
	const char *dot;

	if (strncmp(pattern, "*.", 2) != 0)
		return strcmp(pattern, host) == 0;
	dot = strchr(host, '.');
	return dot != NULL && dot != host && strcmp(dot + 1, pattern + 2) == 0;
}

long
mc_sts_policy_match(const struct mc_sts_policy *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->nmx; i++)
		if (mc_sts_mx_match(p->mx[i], host))
			return (long)i;
	return -1;
}

int
mc_sts_record_is_sts(const char *txt, size_t len)
{
	return mc_txt_has_version(txt, len, "v=STSv1");
}

static int
rec_fail(struct mc_arena *a, struct mc_sts_record *rec,
    enum mc_sts_record_error e, const char *detail)
{
	rec->err = e;
	rec->detail = mc_arena_strdup(a, detail);
	return -1;
}

int
mc_sts_record_parse(struct mc_arena *a, const char *txt, size_t len,
    struct mc_sts_record *rec)
{
	static const char *const known[] = { "id", NULL };
	static const enum mc_sts_record_error map[] = {
		[MC_TXT_SYNTAX] = MC_STS_R_SYNTAX,
		[MC_TXT_VERSION] = MC_STS_R_VERSION,
		[MC_TXT_NOMEM] = MC_STS_R_NOMEM,
	};
	struct mc_txt_record base;
	const struct mc_tv_tag *id;
	char msg[128];
	size_t i;

	memset(rec, 0, sizeof(*rec));
	if (mc_txt_record_parse(a, txt, len, "STSv1", known, &base) == -1)
		return rec_fail(a, rec, map[base.err], base.detail);
	memcpy(rec->ext, base.ext, sizeof(rec->ext));
	rec->next = base.next;
	id = mc_tv_get(base.tags, "id");
	if (id == NULL)
		return rec_fail(a, rec, MC_STS_R_ID_MISSING, "no id= tag");
	for (i = 0; id->value[i] != '\0'; i++)
		if (!is_alnum((unsigned char)id->value[i]))
			break;
	if (i == 0 || id->value[i] != '\0' || i > MC_STS_ID_MAX) {
		snprintf(msg, sizeof(msg), "id= must be 1-%d letters and "
		    "digits", MC_STS_ID_MAX);
		return rec_fail(a, rec, MC_STS_R_ID_INVALID, msg);
	}
	rec->id = id->value;
	return 0;
}
