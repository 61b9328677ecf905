/* SPDX-License-Identifier: ISC */
/*
 * src/dns_zone.c - answers from zone files: offline runs, pre-deploy checks
 *
 * All files given are merged into one name space, answered the way a
 * resolver would see it: any owner names, no SOA needed; an absent name is
 * NXDOMAIN, unless names exist below it (an empty non-terminal: NODATA);
 * a name without the asked type is NODATA; CNAMEs are followed; wildcard
 * owners are expanded at the closest encloser (RFC 4592).
 *
 * Fault lines, comments to real servers loading the same file:
 *   ;! SERVFAIL <name> [<type>]     the question fails with SERVFAIL
 *   ;! TIMEOUT <name> [<type>]      the question gets no answer
 * Both end in TEMPFAIL at once; a TIMEOUT does not make the run wait.
 * Names in fault lines are relative to the $ORIGIN in effect.  A relative
 * $ORIGIN is refused: ldns would take it for an absolute name.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "banned.h"

#define ZONE_BUCKETS 8192

struct zrec {
	struct zrec *next;
	struct mc_rr rr;
};

struct zname {
	struct zname *next;
	char *name;
	struct zrec *recs; /* NULL for an empty non-terminal */
};

enum fault_kind { FAULT_SERVFAIL, FAULT_TIMEOUT };

struct fault {
	char *name;
	uint16_t type; /* 0: every type */
	enum fault_kind kind;
};

struct zone {
	struct zname *buckets[ZONE_BUCKETS];
	struct fault *faults;
	size_t nfaults;
};

static size_t
name_hash(const char *s)
{
	return mc_dns_hash(s, strlen(s), MC_DNS_HASH_INIT) % ZONE_BUCKETS;
}

static struct zname *
zfind(const struct zone *z, const char *name)
{
	struct zname *n;

	for (n = z->buckets[name_hash(name)]; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static struct zname *
zinsert(struct zone *z, const char *name)
{
	struct zname *n;
	size_t h;

	n = zfind(z, name);
	if (n != NULL)
		return n;
	n = calloc(1, sizeof(*n));
	if (n == NULL || (n->name = strdup(name)) == NULL) {
		free(n);
		return NULL;
	}
	h = name_hash(name);
	n->next = z->buckets[h];
	z->buckets[h] = n;
	return n;
}

/* The parent of a canonical name: "a.b" -> "b", "b" -> "", "" -> NULL. */
static const char *
parent(const char *name)
{
	const char *dot;

	if (*name == '\0')
		return NULL;
	dot = strchr(name, '.');
	return dot != NULL ? dot + 1 : "";
}

static int
add_record(void *arg, const char *owner, const struct mc_rr *rr)
{
	struct zone *z = arg;
	struct zname *n;
	struct zrec *r, **tail;
	const char *p;

	n = zinsert(z, owner);
	if (n == NULL)
		return -1;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -1;
	r->rr = *rr;
	r->rr.data = malloc(rr->len + 1);
	if (r->rr.data == NULL) {
		free(r);
		return -1;
	}
	memcpy(r->rr.data, rr->data, rr->len + 1);
	for (tail = &n->recs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = r;
	/* every ancestor exists, if only as an empty non-terminal */
	for (p = parent(owner); p != NULL; p = parent(p))
		if (zinsert(z, p) == NULL)
			return -1;
	return 0;
}

/* Make name absolute against origin, canonical, into buf. */
static int
fault_name(const char *name, const char *origin, char *buf, size_t size)
{
	char tmp[2 * (MC_DNS_NAME_MAX + 2)];
	size_t len = strlen(name);

	if (strcmp(name, "@") == 0)
		snprintf(tmp, sizeof(tmp), "%s", origin);
	else if (len > 0 && name[len - 1] == '.')
		snprintf(tmp, sizeof(tmp), "%s", name);
	else if (*origin == '\0')
		snprintf(tmp, sizeof(tmp), "%s", name);
	else
		snprintf(tmp, sizeof(tmp), "%s.%s", name, origin);
	return mc_dns_name_canon(tmp, buf, size);
}

/* Next whitespace-separated word of *p, or NULL; NUL-terminates it. */
static char *
word(char **p)
{
	char *s = *p, *w;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == ';')
		return NULL;
	w = s;
	while (*s != '\0' && !isspace((unsigned char)*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return w;
}

static int
read_faults(struct zone *z, FILE *fp, const char *path, char *err,
    size_t errsize)
{
	char line[1024], origin[MC_DNS_NAME_MAX + 2] = "", name[MC_DNS_NAME_MAX + 2];
	char *p, *kind, *owner, *type;
	struct fault *f;
	int lineno = 0, bol, at_start = 1;

	while (fgets(line, sizeof(line), fp) != NULL) {
		/* the rest of a line longer than the buffer is no new line */
		bol = at_start;
		at_start = strchr(line, '\n') != NULL;
		if (!bol)
			continue;
		lineno++;
		p = line;
		if (strncmp(p, "$ORIGIN", 7) == 0 && isspace((unsigned char)p[7])) {
			p += 7;
			owner = word(&p);
			if (owner == NULL)
				continue;
			/* ldns would take a relative one for absolute */
			if (owner[strlen(owner) - 1] != '.') {
				snprintf(err, errsize, "%s:%d: relative $ORIGIN "
				    "'%s' is not supported: end it with a dot",
				    path, lineno, owner);
				return -1;
			}
			if (mc_dns_name_canon(owner, origin, sizeof(origin)) == -1)
				origin[0] = '\0';
			continue;
		}
		if (strncmp(p, ";!", 2) != 0)
			continue;
		p += 2;
		kind = word(&p);
		owner = kind != NULL ? word(&p) : NULL;
		type = owner != NULL ? word(&p) : NULL;
		if (kind == NULL || owner == NULL ||
		    (strcmp(kind, "SERVFAIL") != 0 && strcmp(kind, "TIMEOUT") != 0)) {
			snprintf(err, errsize, "%s:%d: fault line must read "
			    "';! SERVFAIL|TIMEOUT <name> [<type>]'", path, lineno);
			return -1;
		}
		if (fault_name(owner, origin, name, sizeof(name)) == -1) {
			snprintf(err, errsize, "%s:%d: name too long", path, lineno);
			return -1;
		}
		f = realloc(z->faults, (z->nfaults + 1) * sizeof(*f));
		if (f == NULL) {
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		z->faults = f;
		f = &z->faults[z->nfaults];
		f->kind = strcmp(kind, "SERVFAIL") == 0 ? FAULT_SERVFAIL : FAULT_TIMEOUT;
		f->type = 0;
		if (type != NULL && (f->type = mc_rr_type_from_str(type)) == 0) {
			snprintf(err, errsize, "%s:%d: unknown type '%s'", path,
			    lineno, type);
			return -1;
		}
		f->name = strdup(name);
		if (f->name == NULL) {
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		z->nfaults++;
	}
	if (ferror(fp)) {
		/* a directory, say: fopen() succeeds, reading does not */
		snprintf(err, errsize, "cannot read zone file '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void zone_free(void *state);

static int
zone_use(const struct mc_dns_config *cfg)
{
	return cfg->nzone_files > 0;
}

static void *
zone_open(const struct mc_dns_config *cfg, char *err, size_t errsize)
{
	const char *const *files = cfg->zone_files;
	size_t n = cfg->nzone_files;
	struct zone *z;
	size_t i;
	FILE *fp;
	int rc;

	z = calloc(1, sizeof(*z));
	if (z == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		/* one open: the fault lines first, then the records */
		fp = fopen(files[i], "r");
		if (fp == NULL) {
			snprintf(err, errsize, "cannot read zone file '%s': %s",
			    files[i], strerror(errno));
			zone_free(z);
			return NULL;
		}
		rc = read_faults(z, fp, files[i], err, errsize);
		if (rc == 0) {
			rewind(fp);
			rc = mc_ldns_read_zone(fp, files[i], add_record, z, err,
			    errsize);
		}
		fclose(fp);
		if (rc == -1) {
			zone_free(z);
			return NULL;
		}
	}
	return z;
}

static const struct fault *
fault_for(const struct zone *z, const char *name, uint16_t type)
{
	size_t i;

	for (i = 0; i < z->nfaults; i++)
		if ((z->faults[i].type == 0 || z->faults[i].type == type) &&
		    strcmp(z->faults[i].name, name) == 0)
			return &z->faults[i];
	return NULL;
}

/* The node answering for name: itself, a wildcard, or NULL (NXDOMAIN). */
static const struct zname *
node_for(const struct zone *z, const char *name)
{
	char wild[MC_DNS_NAME_MAX + 4];
	const struct zname *n;
	const char *enc;

	n = zfind(z, name);
	if (n != NULL)
		return n;
	for (enc = parent(name); enc != NULL; enc = parent(enc)) {
		if (zfind(z, enc) == NULL)
			continue;
		/* enc is the closest encloser: only its wildcard applies */
		snprintf(wild, sizeof(wild), *enc != '\0' ? "*.%s" : "*", enc);
		return zfind(z, wild);
	}
	return NULL;
}

/* The type an RRSIG covers (the first word of its RDATA), or 0. */
static uint16_t
covered(const struct mc_rr *rr)
{
	char word[16];
	size_t i;

	for (i = 0; i + 1 < sizeof(word) && rr->data[i] != '\0' &&
	    !isspace((unsigned char)rr->data[i]); i++)
		word[i] = rr->data[i];
	word[i] = '\0';
	return mc_rr_type_from_str(word);
}

/*
 * The DNSSEC records a signed server sends with the answer, as they are
 * in the files: the RRSIGs over the records at owner (node n) and, for
 * NODATA, the NSEC records at n with theirs.  NSEC3 owners are hashes,
 * and NXDOMAIN proofs need the NSEC chain: neither is served here.
 */
static int
add_sec(const struct zname *n, const char *owner, uint16_t type,
    struct mc_dns_answer *a)
{
	const struct zrec *r;
	uint16_t t;

	for (r = n->recs; r != NULL; r = r->next) {
		t = r->rr.type == MC_RR_RRSIG ? covered(&r->rr) : r->rr.type;
		if ((r->rr.type == MC_RR_RRSIG && t == type) ||
		    (a->count == 0 && t == MC_RR_NSEC && type != MC_RR_NSEC))
			if (mc_answer_add_sec(a, owner, &r->rr) == -1)
				return -1;
	}
	return 0;
}

static void
answer_one(const struct zone *z, struct mc_dns_request *req)
{
	struct mc_dns_answer *a;
	const struct fault *f;
	const struct zname *n;
	const struct zrec *r, *cname;
	struct mc_cname_chain chain = { .n = 1 };
	char tbuf[16];
	int bad = 0;
	const char *cur = chain.names[0];

	a = req->ans = mc_answer_new(req->name, req->type);
	if (a == NULL)
		return;
	snprintf(chain.names[0], sizeof(chain.names[0]), "%s", req->name);
	for (;;) {
		f = fault_for(z, cur, req->type);
		if (f != NULL) {
			if (f->kind == FAULT_SERVFAIL)
				mc_answer_fail(a, MC_DNS_TEMPFAIL, 2, "SERVFAIL");
			else
				mc_answer_fail(a, MC_DNS_TEMPFAIL, -1, "timeout");
			return;
		}
		n = node_for(z, cur);
		if (n == NULL) {
			a->status = MC_DNS_NXDOMAIN;
			a->rcode = 3;
			return;
		}
		cname = NULL;
		for (r = n->recs; r != NULL; r = r->next) {
			if (r->rr.type == req->type && mc_rr_malformed(&r->rr))
				bad = 1;
			else if (r->rr.type == req->type) {
				if (mc_answer_add(a, &r->rr) == -1) {
					mc_answer_fail(a, MC_DNS_TEMPFAIL, -1,
					    "out of memory");
					return;
				}
			} else if (r->rr.type == MC_RR_CNAME)
				cname = r;
		}
		if (a->count == 0 && bad) {
			mc_answer_fail(a, MC_DNS_PERMFAIL, 0,
			    "malformed %s record", mc_rr_type_str(req->type,
			    tbuf, sizeof(tbuf)));
			a->reason = MC_DNS_REASON_MALFORMED;
			return;
		}
		if (a->count > 0 || cname == NULL || req->type == MC_RR_CNAME)
			break;
		/* a resolver would answer SERVFAIL: rcode 2 */
		if (mc_cname_step(&chain, cname->rr.data, a, 2) == -1)
			return;
		cur = chain.names[chain.n - 1];
	}
	if (add_sec(n, cur, req->type, a) == -1) {
		mc_answer_fail(a, MC_DNS_TEMPFAIL, -1, "out of memory");
		return;
	}
	a->rcode = 0;
	mc_answer_finish(a);
}

static void
zone_resolve(void *state, struct mc_dns_request *const *req, size_t n,
    double deadline)
{
	size_t i;

	(void)deadline;
	for (i = 0; i < n; i++) {
		answer_one(state, req[i]);
		mc_dns_request_done(req[i]);
	}
}

static void
zone_free(void *state)
{
	struct zone *z = state;
	struct zname *n, *nn;
	struct zrec *r, *rn;
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < ZONE_BUCKETS; i++) {
		for (n = z->buckets[i]; n != NULL; n = nn) {
			nn = n->next;
			for (r = n->recs; r != NULL; r = rn) {
				rn = r->next;
				free(r->rr.data);
				free(r);
			}
			free(n->name);
			free(n);
		}
	}
	for (i = 0; i < z->nfaults; i++)
		free(z->faults[i].name);
	free(z->faults);
	free(z);
}

const struct mc_dns_backend mc_dns_backend_zone = {
	.name = "zone",
	.use = zone_use,
	.open = zone_open,
	.resolve = zone_resolve,
	.free = zone_free,
};
