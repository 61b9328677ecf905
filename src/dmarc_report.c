/* SPDX-License-Identifier: ISC */
/*
 * src/dmarc_report.c - the DMARC aggregate report parser, streamed
 *
 * expat, namespace-aware (names arrive as "URI local"), matched by local
 * name so that RFC 7489 Appendix C reports (no namespace), the old drafts
 * and DMARCbis reports (urn:ietf:params:xml:ns:dmarc-2.0, or a reporter's
 * own URI) read the same.  The parser keeps the path of open elements as a
 * string ("feedback/record/row/count") and, when an element ends, looks
 * its path up in one table that says which field its text fills.  The end
 * of a <record> hands the record to the sink and clears it: memory stays
 * the size of one record whatever the report's length.
 *
 * The first entity declaration stops the parser (billion laughs, external
 * entities): nothing is expanded, and expat never loads a DTD or an
 * external entity (no handler is set, parameter entities are off).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "mailcheck/dmarc_report.h"
#include "banned.h"

#define DMARCBIS_NS "urn:ietf:params:xml:ns:dmarc-2.0"
#define PATH_MAX_LEN 512
#define TEXT_MAX MC_DMARC_FIELD_MAX

enum field_where { IN_META, IN_ROW, IN_DKIM, IN_SPF };
enum field_kind { F_TEXT, F_LOWER, F_TIME, F_COUNT, F_IP };

/* One leaf element of the report and the field its text fills. */
struct field {
	const char *path;
	enum field_where where;
	enum field_kind kind;
	size_t off, size;
};

#define META(p, m, k) { .path = p, .where = IN_META, .kind = k, \
	.off = offsetof(struct mc_dmarc_meta, m), \
	.size = sizeof(((struct mc_dmarc_meta *)0)->m) }
#define ROW(p, m, k) { .path = p, .where = IN_ROW, .kind = k, \
	.off = offsetof(struct mc_dmarc_row, m), \
	.size = sizeof(((struct mc_dmarc_row *)0)->m) }
#define AUTH(p, w, m, k) { .path = p, .where = w, .kind = k, \
	.off = offsetof(struct mc_dmarc_auth, m), \
	.size = sizeof(((struct mc_dmarc_auth *)0)->m) }

static const struct field fields[] = {
	META("feedback/version", version, F_TEXT),
	META("feedback/report_metadata/org_name", org_name, F_TEXT),
	META("feedback/report_metadata/email", email, F_TEXT),
	META("feedback/report_metadata/report_id", report_id, F_TEXT),
	META("feedback/report_metadata/date_range/begin", begin, F_TIME),
	META("feedback/report_metadata/date_range/end", end, F_TIME),
	META("feedback/policy_published/domain", domain, F_LOWER),
	META("feedback/policy_published/adkim", adkim, F_LOWER),
	META("feedback/policy_published/aspf", aspf, F_LOWER),
	META("feedback/policy_published/p", p, F_LOWER),
	META("feedback/policy_published/sp", sp, F_LOWER),
	META("feedback/policy_published/np", np, F_LOWER),
	META("feedback/policy_published/pct", pct, F_TEXT),
	META("feedback/policy_published/testing", testing, F_LOWER),
	ROW("feedback/record/row/source_ip", source_ip, F_IP),
	ROW("feedback/record/row/count", count, F_COUNT),
	ROW("feedback/record/row/policy_evaluated/disposition", disposition,
	    F_LOWER),
	ROW("feedback/record/row/policy_evaluated/dkim", dkim, F_LOWER),
	ROW("feedback/record/row/policy_evaluated/spf", spf, F_LOWER),
	ROW("feedback/record/identifiers/header_from", header_from, F_LOWER),
	ROW("feedback/record/identifiers/envelope_from", envelope_from,
	    F_LOWER),
	AUTH("feedback/record/auth_results/dkim/domain", IN_DKIM, domain,
	    F_LOWER),
	AUTH("feedback/record/auth_results/dkim/result", IN_DKIM, result,
	    F_LOWER),
	AUTH("feedback/record/auth_results/dkim/selector", IN_DKIM, selector,
	    F_TEXT),
	AUTH("feedback/record/auth_results/spf/domain", IN_SPF, domain,
	    F_LOWER),
	AUTH("feedback/record/auth_results/spf/result", IN_SPF, result,
	    F_LOWER),
};

struct mc_dmarc_parser {
	XML_Parser xp;
	struct mc_dmarc_sink sink;
	struct mc_dmarc_meta meta;
	struct mc_dmarc_row row;
	char path[PATH_MAX_LEN];
	size_t pathlen;
	size_t lens[64];        /* pathlen before each open element */
	int depth;              /* open elements */
	int toodeep;            /* elements open beyond the path's room */
	char text[TEXT_MAX];
	size_t textlen;
	int root_seen;
	uint64_t records;
	int refused;
	int failed;
	char error[256];
};

static void
fail(struct mc_dmarc_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct mc_dmarc_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	p->failed = 1;
	n = snprintf(p->error, sizeof(p->error), "line %lu: ",
	    (unsigned long)XML_GetCurrentLineNumber(p->xp));
	if (n < 0 || (size_t)n >= sizeof(p->error))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(p->error + n, sizeof(p->error) - (size_t)n, fmt, ap);
	va_end(ap);
	XML_StopParser(p->xp, XML_FALSE);
}

static const char *
local_name(const char *name, int *bis)
{
	const char *sp = strrchr(name, ' ');

	*bis = sp != NULL && (size_t)(sp - name) == strlen(DMARCBIS_NS) &&
	    strncmp(name, DMARCBIS_NS, strlen(DMARCBIS_NS)) == 0;
	return sp != NULL ? sp + 1 : name;
}

static void XMLCALL
on_start(void *arg, const char *name, const char **attr)
{
	struct mc_dmarc_parser *p = arg;
	const char *l;
	size_t ll;
	int bis;

	(void)attr;
	l = local_name(name, &bis);
	p->textlen = 0;
	if (p->depth == 0) {
		if (p->root_seen || strcmp(l, "feedback") != 0) {
			fail(p, "the root element is <%.40s>, not <feedback>",
			    l);
			return;
		}
		p->root_seen = 1;
		p->meta.dmarcbis = bis;
	}
	ll = strlen(l);
	if (p->toodeep > 0 || (size_t)p->depth >= sizeof(p->lens) /
	    sizeof(p->lens[0]) || p->pathlen + ll + 2 > sizeof(p->path)) {
		p->toodeep++;
		return;
	}
	p->lens[p->depth++] = p->pathlen;
	if (p->pathlen > 0)
		p->path[p->pathlen++] = '/';
	memcpy(p->path + p->pathlen, l, ll + 1);
	p->pathlen += ll;
	if (strcmp(p->path, "feedback/record") == 0)
		memset(&p->row, 0, sizeof(p->row));
	else if (strcmp(p->path, "feedback/record/auth_results/dkim") == 0)
		p->row.ndkim++;
	else if (strcmp(p->path, "feedback/record/auth_results/spf") == 0)
		p->row.nspf++;
}

static void XMLCALL
on_text(void *arg, const char *s, int len)
{
	struct mc_dmarc_parser *p = arg;
	size_t n = (size_t)len;

	if (n > sizeof(p->text) - 1 - p->textlen)
		n = sizeof(p->text) - 1 - p->textlen;
	memcpy(p->text + p->textlen, s, n);
	p->textlen += n;
}

/* The text of the element, blanks trimmed; NUL-terminated in place. */
static char *
trimmed(struct mc_dmarc_parser *p)
{
	char *s = p->text, *e = p->text + p->textlen;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

static int
parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
set_field(struct mc_dmarc_parser *p, const struct field *f, const char *v)
{
	struct mc_dmarc_auth *a = NULL;
	unsigned char addr[16];
	unsigned long long u;
	char *base;
	size_t i;

	if (f->where == IN_META)
		base = (char *)&p->meta;
	else if (f->where == IN_ROW)
		base = (char *)&p->row;
	else {
		if (f->where == IN_DKIM && p->row.ndkim > 0 &&
		    p->row.ndkim <= MC_DMARC_MAX_AUTH)
			a = &p->row.dkim_auth[p->row.ndkim - 1];
		else if (f->where == IN_SPF && p->row.nspf > 0 &&
		    p->row.nspf <= MC_DMARC_MAX_AUTH)
			a = &p->row.spf_auth[p->row.nspf - 1];
		if (a == NULL)
			return;
		base = (char *)a;
	}
	switch (f->kind) {
	case F_TIME:
		if (parse_u64(v, 1ULL << 40, &u) == -1) {
			fail(p, "invalid time '%.40s'", v);
			return;
		}
		*(long long *)(void *)(base + f->off) = (long long)u;
		return;
	case F_COUNT:
		if (parse_u64(v, 1ULL << 48, &u) == -1) {
			fail(p, "invalid count '%.40s'", v);
			return;
		}
		*(uint64_t *)(void *)(base + f->off) = u;
		return;
	case F_IP:
		if (inet_pton(AF_INET, v, addr) != 1 &&
		    inet_pton(AF_INET6, v, addr) != 1) {
			fail(p, "invalid source_ip '%.60s'", v);
			return;
		}
		break;
	case F_TEXT:
	case F_LOWER:
		break;
	}
	snprintf(base + f->off, f->size, "%s", v);
	if (f->kind == F_LOWER)
		for (i = 0; base[f->off + i] != '\0'; i++)
			base[f->off + i] = (char)tolower(
			    (unsigned char)base[f->off + i]);
}

static void XMLCALL
on_end(void *arg, const char *name)
{
	struct mc_dmarc_parser *p = arg;
	size_t i;

	(void)name;
	if (p->toodeep > 0) {
		p->toodeep--;
		return;
	}
	if (p->depth == 0)
		return;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].path, p->path) == 0) {
			set_field(p, &fields[i], trimmed(p));
			break;
		}
	if (strcmp(p->path, "feedback/record") == 0 && !p->failed) {
		if (p->row.source_ip[0] == '\0')
			fail(p, "a record without a source_ip");
		else if (p->sink.record != NULL &&
		    p->sink.record(p->sink.arg, &p->meta, &p->row) == -1)
			fail(p, "stopped");
		else
			p->records++;
	}
	p->textlen = 0;
	p->pathlen = p->lens[--p->depth];
	p->path[p->pathlen] = '\0';
}

static void XMLCALL
on_entity(void *arg, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *system_id, const XML_Char *public_id,
    const XML_Char *notation)
{
	struct mc_dmarc_parser *p = arg;

	(void)is_param; (void)value; (void)value_len; (void)base;
	(void)public_id; (void)notation;
	p->refused = 1;
	fail(p, "the report declares %s entity '%.40s': refused (entity "
	    "expansion and external entities are never done)",
	    system_id != NULL ? "an external" : "an", name);
}

struct mc_dmarc_parser *
mc_dmarc_parser_new(const struct mc_dmarc_sink *sink)
{
	struct mc_dmarc_parser *p;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->xp = XML_ParserCreateNS(NULL, ' ');
	if (p->xp == NULL) {
		free(p);
		return NULL;
	}
	p->sink = *sink;
	p->meta.begin = p->meta.end = -1;
	XML_SetUserData(p->xp, p);
	XML_SetElementHandler(p->xp, on_start, on_end);
	XML_SetCharacterDataHandler(p->xp, on_text);
	XML_SetEntityDeclHandler(p->xp, on_entity);
	XML_SetParamEntityParsing(p->xp, XML_PARAM_ENTITY_PARSING_NEVER);
	return p;
}

int
mc_dmarc_parser_feed(struct mc_dmarc_parser *p, const char *buf, size_t len,
    int final)
{
	size_t n;

	if (p->failed)
		return -1;
	do {
		n = len > (1u << 20) ? 1u << 20 : len;
		if (XML_Parse(p->xp, buf, (int)n, final && n == len) ==
		    XML_STATUS_ERROR && !p->failed)
			fail(p, "%s", XML_ErrorString(XML_GetErrorCode(p->xp)));
		if (p->failed)
			return -1;
		buf += n;
		len -= n;
	} while (len > 0);
	if (final && p->records == 0 && p->meta.domain[0] == '\0') {
		fail(p, "no policy_published domain and no record: not a "
		    "DMARC aggregate report");
		return -1;
	}
	return 0;
}

const char *
mc_dmarc_parser_error(const struct mc_dmarc_parser *p)
{
	return p->failed ? p->error : NULL;
}

int
mc_dmarc_parser_refused(const struct mc_dmarc_parser *p)
{
	return p->refused;
}

uint64_t
mc_dmarc_parser_records(const struct mc_dmarc_parser *p)
{
	return p->records;
}

const struct mc_dmarc_meta *
mc_dmarc_parser_meta(const struct mc_dmarc_parser *p)
{
	return &p->meta;
}

void
mc_dmarc_parser_free(struct mc_dmarc_parser *p)
{
	if (p == NULL)
		return;
	XML_ParserFree(p->xp);
	free(p);
}
