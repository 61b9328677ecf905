/* SPDX-License-Identifier: ISC */
/*
 * src/dkim_selectors.c - DKIM selector names and selector lists
 *
 * The format is documented in include/mailcheck/dkim_selectors.h and at
 * the top of data/dkim-selectors.  The parser reads physical lines, so an
 * error names the exact line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/dkim_selectors.h"
#include "mailcheck/limits.h"
#include "mailcheck/util.h"
#include "mailcheck/datafile.h"
#include "banned.h"

#define LIST_FILE_MAX (256 * 1024)

int
mc_selector_normalise(const char *in, size_t max, const char *under,
    char *out, size_t outsize, char *err, size_t errsize)
{
	size_t len;

	if (*in == '\0' || strcmp(in, ".") == 0) {
		snprintf(err, errsize, "empty selector");
		return -1;
	}
	if (mc_domain_normalise(in, out, outsize, 1, err, errsize) == -1)
		return -1;
	len = strlen(in);
	if (in[len - 1] == '.') {
		/* relative to <under>.<domain>; in passed the checks above */
		snprintf(err, errsize, "'%s' ends with a dot", in);
		return -1;
	}
	if (strlen(out) > max) {
		snprintf(err, errsize, "a selector is at most %zu octets, leaving "
		    "room for .%s.<domain>", max, under);
		return -1;
	}
	return 0;
}

int
mc_dkim_selector_normalise(const char *in, char *out, size_t outsize,
    char *err, size_t errsize)
{
	return mc_selector_normalise(in, MC_DKIM_SELECTOR_MAX, "_domainkey",
	    out, outsize, err, errsize);
}

void
mc_dkim_selector_list_free(struct mc_dkim_selector_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].provider);
	}
	free(l->v);
	free(l->source);
	free(l);
}

static int __attribute__((format(printf, 4, 5)))
perr(char *err, size_t errsize, const char *where, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errsize, "%s: %s", where, msg);
	return -1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* One line without its newline: add its selector to l; 0 or -1. */
static int
parse_line(struct mc_dkim_selector_list *l, size_t *lines, char *s,
    const char *where, size_t lineno, char *err, size_t errsize)
{
	char name[MC_DNS_NAME_MAX + 2], why[512], *end, *prov;
	size_t i, n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	if (*s == '\0' || *s == '#')
		return 0;
	end = s + strcspn(s, " \t");
	prov = NULL;
	if (*end != '\0') {
		*end = '\0';
		prov = end + 1;
		while (is_space(*prov))
			prov++;
		if (*prov == '#')
			prov = NULL;
	}
	if (mc_dkim_selector_normalise(s, name, sizeof(name), why,
	    sizeof(why)) == -1)
		return perr(err, errsize, where, "invalid selector: %s", why);
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return perr(err, errsize, where, "selector '%s' is listed "
			    "twice (first on line %zu)", name, lines[i]);
	if (l->n == MC_DKIM_MAX_LIST_SELECTORS)
		return perr(err, errsize, where, "more than %d selectors",
		    MC_DKIM_MAX_LIST_SELECTORS);
	l->v[l->n].name = strdup(name);
	l->v[l->n].provider = prov != NULL ? strdup(prov) : NULL;
	if (l->v[l->n].name == NULL || (prov != NULL &&
	    l->v[l->n].provider == NULL)) {
		free(l->v[l->n].name);
		free(l->v[l->n].provider);
		return perr(err, errsize, where, "out of memory");
	}
	lines[l->n++] = lineno;
	return 0;
}

struct mc_dkim_selector_list *
mc_dkim_selector_list_parse(const char *text, size_t len, const char *name,
    char *err, size_t errsize)
{
	struct mc_dkim_selector_list *l;
	char line[MC_DKIM_LIST_LINE_MAX + 2], where[1100];
	size_t lines[MC_DKIM_MAX_LIST_SELECTORS];
	const char *pos = text, *end = text + len, *nl;
	size_t n, cr, lineno = 0;

	l = calloc(1, sizeof(*l));
	if (l != NULL) {
		l->v = calloc(MC_DKIM_MAX_LIST_SELECTORS, sizeof(*l->v));
		l->source = strdup(name);
	}
	if (l == NULL || l->v == NULL || l->source == NULL) {
		snprintf(err, errsize, "%s: out of memory", name);
		goto fail;
	}
	while (pos < end) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%zu", name, lineno);
		nl = memchr(pos, '\n', (size_t)(end - pos));
		n = (size_t)((nl != NULL ? nl : end) - pos);
		/* a CRLF line: its CR is not content */
		cr = n > 0 && pos[n - 1] == '\r';
		if (n - cr > MC_DKIM_LIST_LINE_MAX) {
			perr(err, errsize, where, "line longer than %d bytes",
			    MC_DKIM_LIST_LINE_MAX);
			goto fail;
		}
		memcpy(line, pos, n - cr);
		n -= cr;
		line[n] = '\0';
		pos = nl != NULL ? nl + 1 : end;
		if (strlen(line) != n) {
			perr(err, errsize, where, "NUL byte in line");
			goto fail;
		}
		if (parse_line(l, lines, line, where, lineno, err,
		    errsize) == -1)
			goto fail;
	}
	return l;
fail:
	mc_dkim_selector_list_free(l);
	return NULL;
}

struct mc_dkim_selector_list *
mc_dkim_selector_list_load(const char *path, char *err, size_t errsize)
{
	struct mc_dkim_selector_list *l;
	char *buf;
	size_t n;

	buf = mc_file_read(path, LIST_FILE_MAX, "DKIM selector list", &n, err, errsize);
	if (buf == NULL)
		return NULL;
	l = mc_dkim_selector_list_parse(buf, n, path, err, errsize);
	free(buf);
	return l;
}
