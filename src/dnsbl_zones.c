/* SPDX-License-Identifier: ISC */
/*
 * src/dnsbl_zones.c - blocklist zone lists: parsing and answer codes
 *
 * The format is documented in include/mailcheck/dnsbl_zones.h and at the
 * top of data/dnsbl-zones.  The parser reads physical lines, so an error
 * names the exact line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/dnsbl_zones.h"
#include "mailcheck/limits.h"
#include "mailcheck/util.h"
#include "mailcheck/datafile.h"
#include "banned.h"

#define LIST_FILE_MAX (1024 * 1024)

struct parser {
	struct mc_dnsbl_list *list;
	struct mc_dnsbl_zone *cur;
	const char *name;
	size_t line;
	char *err;
	size_t errsize;
};

static void
zone_free(struct mc_dnsbl_zone *z)
{
	size_t i;

	for (i = 0; i < z->nrules; i++)
		free(z->rules[i].meaning);
	free(z->rules);
	free(z->zone);
	free(z->test_listed);
	free(z->test_unlisted);
	free(z->test6_listed);
	free(z->test6_unlisted);
}

void
mc_dnsbl_list_free(struct mc_dnsbl_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nzones; i++)
		zone_free(&l->zones[i]);
	free(l->zones);
	free(l->source);
	free(l);
}

static struct mc_dnsbl_list *
list_new(const char *source)
{
	struct mc_dnsbl_list *l;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->zones = calloc(MC_DNSBL_MAX_ZONES, sizeof(*l->zones));
	l->source = strdup(source);
	if (l->zones == NULL || l->source == NULL) {
		mc_dnsbl_list_free(l);
		return NULL;
	}
	return l;
}

static int __attribute__((format(printf, 2, 3)))
perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errsize, "%s:%zu: %s", p->name, p->line, msg);
	return -1;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The next whitespace-separated token of *s, NUL-terminated in place. */
static char *
token(char **s)
{
	char *p = *s, *start;

	while (is_space(*p))
		p++;
	if (*p == '\0') {
		*s = p;
		return NULL;
	}
	start = p;
	while (*p != '\0' && !is_space(*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*s = p;
	return start;
}

static char *
trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int
parse_v4(const char *s, uint32_t *out)
{
	unsigned char b[4];

	if (inet_pton(AF_INET, s, b) != 1)
		return -1;
	*out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	return 0;
}

static int
add_rule(struct parser *p, enum mc_dnsbl_verdict v, uint32_t lo,
    uint32_t hi, unsigned bit, const char *meaning)
{
	struct mc_dnsbl_rule *r;

	if (p->cur->nrules == MC_DNSBL_MAX_RULES)
		return perr(p, "zone '%s' has more than %d answer codes",
		    p->cur->zone, MC_DNSBL_MAX_RULES);
	r = &p->cur->rules[p->cur->nrules];
	r->meaning = strdup(meaning);
	if (r->meaning == NULL)
		return perr(p, "out of memory");
	r->verdict = v;
	r->lo = lo;
	r->hi = hi;
	r->bit = bit;
	p->cur->nrules++;
	return 0;
}

/* CODES MEANING after the verb. */
static int
parse_codes(struct parser *p, enum mc_dnsbl_verdict v, char *rest)
{
	char *codes, *meaning, *c, *next, *dash, *end;
	uint32_t lo, hi;
	unsigned long bit;

	codes = token(&rest);
	meaning = trim(rest);
	if (codes == NULL)
		return perr(p, "answer codes missing after the rule's verb");
	if (*meaning == '\0')
		return perr(p, "meaning of '%s' missing", codes);
	for (c = codes; c != NULL; c = next) {
		next = strchr(c, ',');
		if (next != NULL)
			*next++ = '\0';
		if (strncmp(c, "bit:", 4) == 0) {
			errno = 0;
			bit = strtoul(c + 4, &end, 10);
			if (errno != 0 || end == c + 4 || *end != '\0' ||
			    bit == 0 || bit > 128 || (bit & (bit - 1)) != 0)
				return perr(p, "invalid bit '%s' (expected bit:N, "
				    "N one of 1, 2, 4, ..., 128)", c);
			if (add_rule(p, v, 0, 0, (unsigned)bit, meaning) == -1)
				return -1;
			continue;
		}
		dash = strchr(c, '-');
		if (dash != NULL)
			*dash++ = '\0';
		if (parse_v4(c, &lo) == -1)
			return perr(p, "invalid answer code '%s' (expected an "
			    "IPv4 address, a range A-B or bit:N)", c);
		hi = lo;
		if (dash != NULL && parse_v4(dash, &hi) == -1)
			return perr(p, "invalid answer code '%s' (expected an "
			    "IPv4 address, a range A-B or bit:N)", dash);
		if (hi < lo)
			return perr(p, "answer range '%s-%s' is empty", c, dash);
		if (add_rule(p, v, lo, hi, 0, meaning) == -1)
			return -1;
	}
	return 0;
}

static int
test_entry(struct parser *p, const char *s, int v6, char **out)
{
	char name[MC_DNS_NAME_MAX + 2], why[256], buf[INET6_ADDRSTRLEN];
	unsigned char b[16];

	if (v6) {
		if (inet_pton(AF_INET6, s, b) != 1 ||
		    inet_ntop(AF_INET6, b, buf, sizeof(buf)) == NULL)
			return perr(p, "IPv6 test entry '%s' is not an IPv6 "
			    "address", s);
		*out = strdup(buf);
	} else if (p->cur->kind == MC_DNSBL_KIND_IP) {
		if (inet_pton(AF_INET, s, b) != 1)
			return perr(p, "test entry '%s' of an ip zone is not an "
			    "IPv4 address", s);
		*out = strdup(s);
	} else {
		if (mc_domain_normalise(s, name, sizeof(name), 1, why,
		    sizeof(why)) == -1)
			return perr(p, "test entry '%s' is not a domain name: %s",
			    s, why);
		*out = strdup(name);
	}
	return *out == NULL ? perr(p, "out of memory") : 0;
}

static int
parse_rule(struct parser *p, char *s)
{
	char *verb, *a, *b, **listed, **unlisted;
	int v6;

	verb = token(&s);
	if (strcmp(verb, "listed") == 0)
		return parse_codes(p, MC_DNSBL_LISTED, s);
	if (strcmp(verb, "policy") == 0)
		return parse_codes(p, MC_DNSBL_POLICY, s);
	if (strcmp(verb, "error") == 0)
		return parse_codes(p, MC_DNSBL_ERROR, s);
	if (strcmp(verb, "test") == 0 || strcmp(verb, "test6") == 0) {
		v6 = strcmp(verb, "test6") == 0;
		if (v6 && p->cur->kind != MC_DNSBL_KIND_IP)
			return perr(p, "'test6' in domain zone '%s' (IPv6 test "
			    "entries belong to ip zones)", p->cur->zone);
		listed = v6 ? &p->cur->test6_listed : &p->cur->test_listed;
		unlisted = v6 ? &p->cur->test6_unlisted :
		    &p->cur->test_unlisted;
		a = token(&s);
		b = token(&s);
		if (a == NULL || token(&s) != NULL)
			return perr(p, "expected '%s LISTED [UNLISTED]'", verb);
		free(*listed);
		*listed = NULL;
		if (test_entry(p, a, v6, listed) == -1)
			return -1;
		if (b != NULL) {
			free(*unlisted);
			*unlisted = NULL;
			if (test_entry(p, b, v6, unlisted) == -1)
				return -1;
		}
		return 0;
	}
	return perr(p, "unknown rule '%s' (expected listed, policy, error, "
	    "test or test6)", verb);
}

static int
parse_rules(struct parser *p, char *s)
{
	char *next;

	for (; s != NULL; s = next) {
		next = strchr(s, ';');
		if (next != NULL)
			*next++ = '\0';
		if (*trim(s) == '\0')
			continue; /* around a leading or final ';' */
		if (parse_rule(p, s) == -1)
			return -1;
	}
	return 0;
}

/* Defaults and consistency of a finished zone. */
static int
zone_finish(struct parser *p)
{
	struct mc_dnsbl_zone *z = p->cur;
	size_t i, nlisted = 0, longest;
	int ip;

	if (z == NULL)
		return 0;
	ip = z->kind == MC_DNSBL_KIND_IP;
	for (i = 0; i < z->nrules; i++)
		if (z->rules[i].verdict != MC_DNSBL_ERROR)
			nlisted++;
	if (nlisted == 0)
		return perr(p, "zone '%s' has no listing codes (a 'listed' or "
		    "'policy' rule)", z->zone);
	if (z->test_listed == NULL)
		z->test_listed = strdup(ip ? "127.0.0.2" : "test");
	if (z->test_unlisted == NULL)
		z->test_unlisted = strdup(ip ? "127.0.0.1" : "invalid");
	if (z->test_listed == NULL || z->test_unlisted == NULL)
		return perr(p, "out of memory");
	if (ip && z->ipv4_only && z->test6_listed != NULL)
		return perr(p, "zone '%s' is ipv4-only but has IPv6 test "
		    "entries (test6)", z->zone);
	if (ip && !z->ipv4_only) {
		/* RFC 5782 5: ::FFFF:7F00:2 listed, ::FFFF:7F00:1 not */
		if (z->test6_listed == NULL)
			z->test6_listed = strdup("::ffff:127.0.0.2");
		if (z->test6_unlisted == NULL)
			z->test6_unlisted = strdup("::ffff:127.0.0.1");
		if (z->test6_listed == NULL || z->test6_unlisted == NULL)
			return perr(p, "out of memory");
	}
	/* every question must fit in a name: IPv6 nibbles, test entries */
	longest = ip ? 64 : strlen(z->test_listed);
	if (!ip && strlen(z->test_unlisted) > longest)
		longest = strlen(z->test_unlisted);
	if (strlen(z->zone) + 1 + longest > MC_DNS_NAME_MAX)
		return perr(p, "zone '%s' is too long for its questions",
		    z->zone);
	p->cur = NULL;
	return 0;
}

static int
parse_zone_line(struct parser *p, char *s)
{
	struct mc_dnsbl_zone *z;
	char name[MC_DNS_NAME_MAX + 2], why[256];
	char *rules, *zone, *kind, *flag;
	size_t i;

	if (zone_finish(p) == -1)
		return -1;
	rules = strchr(s, ';');
	if (rules != NULL)
		*rules++ = '\0';
	zone = token(&s);
	kind = token(&s);
	if (zone == NULL)
		return perr(p, "zone name missing before the rules");
	if (mc_domain_normalise(zone, name, sizeof(name), 0, why,
	    sizeof(why)) == -1)
		return perr(p, "zone '%s' is not a domain name: %s", zone, why);
	if (kind == NULL)
		return perr(p, "kind of zone '%s' missing (ip or domain)", name);
	for (i = 0; i < p->list->nzones; i++)
		if (strcmp(p->list->zones[i].zone, name) == 0)
			return perr(p, "zone '%s' is listed twice", name);
	if (p->list->nzones == MC_DNSBL_MAX_ZONES)
		return perr(p, "more than %d zones", MC_DNSBL_MAX_ZONES);
	z = &p->list->zones[p->list->nzones++];
	z->zone = strdup(name);
	z->rules = calloc(MC_DNSBL_MAX_RULES, sizeof(*z->rules));
	if (z->zone == NULL || z->rules == NULL)
		return perr(p, "out of memory");
	p->cur = z;
	if (strcmp(kind, "ip") == 0)
		z->kind = MC_DNSBL_KIND_IP;
	else if (strcmp(kind, "domain") == 0)
		z->kind = MC_DNSBL_KIND_DOMAIN;
	else
		return perr(p, "unknown kind '%s' (expected ip or domain)", kind);
	for (flag = token(&s); flag != NULL; flag = token(&s)) {
		if (strcmp(flag, "policy") == 0)
			z->policy = 1;
		else if (strcmp(flag, "ipv4-only") == 0 &&
		    z->kind == MC_DNSBL_KIND_IP)
			z->ipv4_only = 1;
		else if (strcmp(flag, "terms") == 0)
			z->terms = 1;
		else if (strcmp(flag, "dqs") == 0)
			z->dqs = 1;
		else
			return perr(p, "unknown flag '%s' (expected policy, "
			    "ipv4-only, terms or dqs)", flag);
	}
	return parse_rules(p, rules);
}

int
mc_dnsbl_terms_warning(const struct mc_dnsbl_list *l, size_t ndomains,
    int dqs_key, char *buf, size_t size)
{
	size_t i, n = 0, used;
	int w;

	if (ndomains <= MC_DNSBL_TERMS_QUERIES)
		return 0;
	w = snprintf(buf, size, "warning: %zu domains ask each blocklist zone "
	    "at least %zu times, more than the %d that its terms of use "
	    "allow for free without a key or registration, at",
	    ndomains, ndomains, MC_DNSBL_TERMS_QUERIES);
	used = w > 0 && (size_t)w < size ? (size_t)w : size;
	for (i = 0; i < l->nzones; i++) {
		if (!l->zones[i].terms || (l->zones[i].dqs && dqs_key))
			continue;
		w = snprintf(buf + used, size - used, "%s %s", n > 0 ? "," : "",
		    l->zones[i].zone);
		n++;
		if (w > 0 && used + (size_t)w < size)
			used += (size_t)w;
	}
	if (n == 0)
		return 0;
	snprintf(buf + used, size - used, " (see their sites; Spamhaus zones: "
	    "set MAILCHECK_DQS_KEY or --dnsbl-dqs-key-file)");
	return 1;
}

struct mc_dnsbl_list *
mc_dnsbl_list_parse(const char *text, size_t len, const char *name,
    char *err, size_t errsize)
{
	struct parser p = { .name = name, .err = err, .errsize = errsize };
	char line[MC_DNSBL_LINE_MAX + 2], *s;
	const char *pos = text, *end = text + len, *nl;
	size_t n;

	p.list = list_new(name);
	if (p.list == NULL) {
		snprintf(err, errsize, "%s: out of memory", name);
		return NULL;
	}
	while (pos < end) {
		p.line++;
		nl = memchr(pos, '\n', (size_t)(end - pos));
		n = (size_t)((nl != NULL ? nl : end) - pos);
		if (n > MC_DNSBL_LINE_MAX) {
			perr(&p, "line longer than %d bytes", MC_DNSBL_LINE_MAX);
			goto fail;
		}
		memcpy(line, pos, n);
		line[n] = '\0';
		pos = nl != NULL ? nl + 1 : end;
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strlen(line) != n) {
			perr(&p, "NUL byte in line");
			goto fail;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (is_space(line[0])) {
			if (p.cur == NULL) {
				perr(&p, "indented rules without a zone above");
				goto fail;
			}
			if (parse_rules(&p, s) == -1)
				goto fail;
		} else if (parse_zone_line(&p, s) == -1)
			goto fail;
	}
	if (zone_finish(&p) == -1)
		goto fail;
	if (p.list->nzones == 0) {
		snprintf(err, errsize, "%s: no zones", name);
		goto fail;
	}
	return p.list;
fail:
	mc_dnsbl_list_free(p.list);
	return NULL;
}

struct mc_dnsbl_list *
mc_dnsbl_list_load(const char *path, char *err, size_t errsize)
{
	struct mc_dnsbl_list *l;
	char *buf;
	size_t n;

	buf = mc_file_read(path, LIST_FILE_MAX, "blocklist zone list", &n, err, errsize);
	if (buf == NULL)
		return NULL;
	l = mc_dnsbl_list_parse(buf, n, path, err, errsize);
	free(buf);
	return l;
}

struct mc_dnsbl_list *
mc_dnsbl_list_generic(const char *const *zones, size_t n, char *err,
    size_t errsize)
{
	struct parser p = { .name = "--dnsbl-zone", .err = err,
	    .errsize = errsize };
	char line[MC_DNSBL_LINE_MAX + 2], name[MC_DNS_NAME_MAX + 2], why[256];
	size_t i;
	int len;

	p.list = list_new("--dnsbl-zone");
	if (p.list == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		p.line = i + 1;
		if (mc_domain_normalise(zones[i], name, sizeof(name), 0, why,
		    sizeof(why)) == -1) {
			snprintf(err, errsize, "invalid --dnsbl-zone '%s': %s",
			    zones[i], why);
			goto fail;
		}
		len = snprintf(line, sizeof(line), "%s ip; listed "
		    "127.0.0.2-127.0.0.254 listed (a generic zone: the code is "
		    "not interpreted)", name);
		if (len < 0 || (size_t)len >= sizeof(line) ||
		    parse_zone_line(&p, line) == -1 || zone_finish(&p) == -1)
			goto fail;
	}
	return p.list;
fail:
	mc_dnsbl_list_free(p.list);
	return NULL;
}

/* Append "; text" (or text) to buf without overflowing it. */
static void
append(char *buf, size_t size, const char *text)
{
	size_t used = strlen(buf);

	if (used + 1 >= size)
		return;
	snprintf(buf + used, size - used, "%s%s", used > 0 ? "; " : "", text);
}

enum mc_dnsbl_verdict
mc_dnsbl_classify(const struct mc_dnsbl_zone *z, const unsigned char *addr,
    char *buf, size_t size)
{
	static const enum mc_dnsbl_verdict order[] = {
		MC_DNSBL_ERROR, MC_DNSBL_LISTED, MC_DNSBL_POLICY,
	};
	const struct mc_dnsbl_rule *r;
	uint32_t v;
	size_t i, k;
	int hit;

	if (size > 0)
		buf[0] = '\0';
	if (addr[0] != 127) {
		snprintf(buf, size, "the answer %u.%u.%u.%u is outside "
		    "127.0.0.0/8, which no blocklist answers: the resolver or "
		    "the network rewrites answers", addr[0], addr[1], addr[2],
		    addr[3]);
		return MC_DNSBL_ERROR;
	}
	v = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
	    (uint32_t)addr[2] << 8 | addr[3];
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		hit = 0;
		for (i = 0; i < z->nrules; i++) {
			r = &z->rules[i];
			if (r->verdict != order[k])
				continue;
			if (r->bit != 0 ? (addr[3] & r->bit) == 0 :
			    v < r->lo || v > r->hi)
				continue;
			append(buf, size, r->meaning);
			hit = 1;
		}
		if (hit)
			return order[k] == MC_DNSBL_LISTED && z->policy ?
			    MC_DNSBL_POLICY : order[k];
	}
	return MC_DNSBL_UNDOCUMENTED;
}
