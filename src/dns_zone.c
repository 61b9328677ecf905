/* SPDX-License-Identifier: ISC */
/*
 * src/dns_zone.c - answers from zone files: offline runs, pre-deploy checks
 *
 * All files given (a directory: its *.zone files) are merged into one name
 * space.  The files define zones: each SOA owner, each $ORIGIN, and for an
 * owner name outside those its registrable domain (Public Suffix List),
 * so that a fixture holding a blocklist's test entry speaks for the
 * blocklist.  A name in those zones is answered the way its authority
 * would: any owner names, no SOA needed; an absent name is NXDOMAIN,
 * unless names exist below it (an empty non-terminal: NODATA); a name
 * without the asked type is NODATA; CNAMEs are followed; wildcard owners
 * are expanded at the closest encloser (RFC 4592).  A name outside them
 * fails TEMPFAIL with reason MC_DNS_REASON_OUTSIDE, "not checked", never
 * NXDOMAIN; a CNAME chain that leaves the zones says in cname where it
 * left them, and the overlay (src/dns_overlay.c) goes on from there.
 *
 * Files are read twice: first for the directives ldns leaves to us
 * ($ORIGIN made absolute against the one before it, $INCLUDE FILE [ORIGIN]
 * relative to the including file, loops and depth refused) and the fault
 * lines, then for the records (mc_ldns_read_zone(), given the absolute
 * origins in order).
 *
 * Fault lines, comments to real servers loading the same file:
 *   ;! SERVFAIL <name> [<type>]     the question fails with SERVFAIL
 *   ;! TIMEOUT <name> [<type>]      the question gets no answer
 * Both end in TEMPFAIL at once; a TIMEOUT does not make the run wait.
 * Names in fault lines are relative to the $ORIGIN in effect.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "mailcheck/psl.h"
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
	/* the zones the files define, by apex (no records: a set) */
	struct zname *apex[ZONE_BUCKETS];
	/* the names that own NSEC or NSEC3 records (denial proofs) */
	struct zname **deny;
	size_t ndeny;
};

static size_t
name_hash(const char *s)
{
	return mc_dns_hash(s, strlen(s), MC_DNS_HASH_INIT) % ZONE_BUCKETS;
}

/* name in a table of ZONE_BUCKETS buckets, or NULL */
static struct zname *
tfind(struct zname *const *tab, const char *name)
{
	struct zname *n;

	for (n = tab[name_hash(name)]; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static struct zname *
tinsert(struct zname **tab, const char *name)
{
	struct zname *n;
	size_t h;

	n = tfind(tab, name);
	if (n != NULL)
		return n;
	n = calloc(1, sizeof(*n));
	if (n == NULL || (n->name = strdup(name)) == NULL) {
		free(n);
		return NULL;
	}
	h = name_hash(name);
	n->next = tab[h];
	tab[h] = n;
	return n;
}

static struct zname *
zfind(const struct zone *z, const char *name)
{
	return tfind(z->buckets, name);
}

static struct zname *
zinsert(struct zone *z, const char *name)
{
	return tinsert(z->buckets, name);
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

static int add_apex(struct zone *z, const char *name);
static const char *apex_of(const struct zone *z, const char *name);

/* Does n own an NSEC or NSEC3 record? */
static int
owns_denial(const struct zname *n)
{
	const struct zrec *r;

	for (r = n->recs; r != NULL; r = r->next)
		if (r->rr.type == MC_RR_NSEC || r->rr.type == MC_RR_NSEC3)
			return 1;
	return 0;
}

static int
add_deny(struct zone *z, struct zname *n)
{
	struct zname **d;

	d = realloc(z->deny, (z->ndeny + 1) * sizeof(*d));
	if (d == NULL)
		return -1;
	z->deny = d;
	z->deny[z->ndeny++] = n;
	return 0;
}

static int
add_record(void *arg, const char *owner, const struct mc_rr *rr)
{
	struct zone *z = arg;
	struct zname *n;
	struct zrec *r, **tail;
	const char *p, *reg;

	n = zinsert(z, owner);
	if (n == NULL)
		return -1;
	if ((rr->type == MC_RR_NSEC || rr->type == MC_RR_NSEC3) &&
	    !owns_denial(n) && add_deny(z, n) == -1)
		return -1;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -1;
	r->rr = *rr;
	r->rr.data = mc_rr_dup_data(rr);
	if (r->rr.data == NULL) {
		free(r);
		return -1;
	}
	/*
	 * An SOA is an apex; a name outside every zone so far speaks for
	 * its registrable domain (a file holding a blocklist's test entry
	 * answers for the blocklist's names).
	 */
	if (rr->type == MC_RR_SOA && add_apex(z, owner) == -1)
		return -1;
	if (apex_of(z, owner) == NULL) {
		reg = mc_psl() != NULL ?
		    psl_registrable_domain(mc_psl(), owner) : NULL;
		if (add_apex(z, reg != NULL ? reg : owner) == -1)
			return -1;
	}
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

/* Add name (canonical) to the zones the files define. */
static int
add_apex(struct zone *z, const char *name)
{
	return tinsert(z->apex, name) != NULL ? 0 : -1;
}

/* The apex of the zone that holds name, or NULL: outside the files. */
static const char *
apex_of(const struct zone *z, const char *name)
{
	const char *p;

	for (p = name; p != NULL; p = parent(p))
		if (tfind(z->apex, p) != NULL)
			return p;
	return NULL;
}

static int
add_fault(struct zone *z, const char *kind, const char *name,
    const char *type, const char *where, char *err, size_t errsize)
{
	struct fault *f;

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
		snprintf(err, errsize, "%s: unknown type '%s'", where, type);
		return -1;
	}
	f->name = strdup(name);
	if (f->name == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	z->nfaults++;
	return 0;
}

/*
 * One file being read, on the stack of $INCLUDEs: its path, for loops
 * and messages, and the $ORIGIN values of its lines, made absolute, in
 * order, for the record reader (mc_ldns_read_zone()).
 */
struct zfile {
	const struct zfile *up;  /* the file that includes this one */
	const char *path;
	char **origins;
	size_t norigins;
};

static int load_file(struct zone *z, const struct zfile *up,
    const char *where, const char *path, const char *origin, char *err,
    size_t errsize);

/* Push an absolute $ORIGIN value onto f's list; -1 when out of memory. */
static int
push_origin(struct zfile *f, const char *origin)
{
	char **o;

	o = realloc(f->origins, (f->norigins + 1) * sizeof(*o));
	if (o == NULL)
		return -1;
	f->origins = o;
	if ((o[f->norigins] = strdup(origin)) == NULL)
		return -1;
	f->norigins++;
	return 0;
}

/*
 * "$INCLUDE <file> [<origin>]" at where: the file, relative to the
 * including file's directory, loaded with its own origin (the given one,
 * else the current one; RFC 1035 5.1), which does not change the
 * including file's.  Loops and nesting past MC_ZONE_INCLUDE_DEPTH fail.
 */
static int
include(struct zone *z, const struct zfile *f, char *p, const char *origin,
    const char *where, char *err, size_t errsize)
{
	char path[4096], inc_origin[MC_DNS_NAME_MAX + 2];
	const struct zfile *u;
	const char *file, *o, *slash;
	int depth = 0;

	file = word(&p);
	o = file != NULL ? word(&p) : NULL;
	if (file == NULL) {
		snprintf(err, errsize, "%s: $INCLUDE names no file", where);
		return -1;
	}
	slash = strrchr(f->path, '/');
	if (file[0] == '/' || slash == NULL)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - f->path),
		    f->path, file);
	if (o != NULL && fault_name(o, origin, inc_origin,
	    sizeof(inc_origin)) == -1) {
		snprintf(err, errsize, "%s: bad $INCLUDE origin '%s'", where, o);
		return -1;
	}
	for (u = f; u != NULL; u = u->up) {
		depth++;
		if (strcmp(u->path, path) == 0) {
			snprintf(err, errsize, "%s: $INCLUDE loop: '%s' "
			    "includes itself", where, path);
			return -1;
		}
	}
	if (depth > MC_ZONE_INCLUDE_DEPTH) {
		snprintf(err, errsize, "%s: $INCLUDE nested deeper than %d "
		    "files", where, MC_ZONE_INCLUDE_DEPTH);
		return -1;
	}
	return load_file(z, f, where, path, o != NULL ? inc_origin : origin,
	    err, errsize);
}

/*
 * The first pass over a file: the directives the record reader leaves to
 * us ($ORIGIN made absolute, $INCLUDE), and the fault lines.  origin is
 * the file's starting origin; each $ORIGIN value is a zone the files
 * define.
 */
static int
read_directives(struct zone *z, struct zfile *f, FILE *fp,
    const char *start_origin, char *err, size_t errsize)
{
	char line[1024], origin[MC_DNS_NAME_MAX + 2], name[MC_DNS_NAME_MAX + 2];
	char where[4200];
	char *p, *kind, *owner, *type;
	int lineno = 0, bol, at_start = 1;

	snprintf(origin, sizeof(origin), "%s", start_origin);
	while (fgets(line, sizeof(line), fp) != NULL) {
		/* the rest of a line longer than the buffer is no new line */
		bol = at_start;
		at_start = strchr(line, '\n') != NULL;
		if (!bol)
			continue;
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", f->path, lineno);
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "$ORIGIN", 7) == 0 && isspace((unsigned char)p[7])) {
			p += 7;
			owner = word(&p);
			if (owner == NULL)
				continue;
			/* relative to the origin before it (RFC 1035 5.1) */
			if (fault_name(owner, origin, name, sizeof(name)) == -1) {
				snprintf(err, errsize, "%s: $ORIGIN '%s' is too "
				    "long", where, owner);
				return -1;
			}
			snprintf(origin, sizeof(origin), "%s", name);
			if (push_origin(f, origin) == -1 ||
			    add_apex(z, origin) == -1) {
				snprintf(err, errsize, "out of memory");
				return -1;
			}
			continue;
		}
		if (strncmp(p, "$INCLUDE", 8) == 0 &&
		    isspace((unsigned char)p[8])) {
			if (include(z, f, p + 8, origin, where, err,
			    errsize) == -1)
				return -1;
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
			snprintf(err, errsize, "%s: fault line must read "
			    "';! SERVFAIL|TIMEOUT <name> [<type>]'", where);
			return -1;
		}
		if (fault_name(owner, origin, name, sizeof(name)) == -1) {
			snprintf(err, errsize, "%s: name too long", where);
			return -1;
		}
		if (add_fault(z, kind, name, type, where, err, errsize) == -1)
			return -1;
	}
	if (ferror(fp)) {
		snprintf(err, errsize, "cannot read zone file '%s': %s", f->path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Read one file, and the files it includes, starting at origin; up and
 * where ("file:line") name the $INCLUDE that asked, or are NULL.
 */
static int
load_file(struct zone *z, const struct zfile *up, const char *where,
    const char *path, const char *origin, char *err, size_t errsize)
{
	struct zfile f = { .up = up, .path = path };
	FILE *fp;
	size_t i;
	int rc;

	fp = fopen(path, "r");
	if (fp == NULL) {
		if (where != NULL)
			snprintf(err, errsize, "%s: cannot read the included "
			    "zone file '%s': %s", where, path, strerror(errno));
		else
			snprintf(err, errsize, "cannot read zone file '%s': %s",
			    path, strerror(errno));
		return -1;
	}
	/* one open: the directives and fault lines first, then the records */
	rc = read_directives(z, &f, fp, origin, err, errsize);
	if (rc == 0) {
		rewind(fp);
		rc = mc_ldns_read_zone(fp, path, origin,
		    (const char *const *)f.origins, f.norigins, add_record, z,
		    err, errsize);
	}
	fclose(fp);
	for (i = 0; i < f.norigins; i++)
		free(f.origins[i]);
	free(f.origins);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A directory given as a zone file: its files named *.zone, in name
 * order (no subdirectories, no hidden files).
 */
static int
load_dir(struct zone *z, DIR *d, const char *dir, char *err, size_t errsize)
{
	char **names = NULL, **nn, path[4096];
	struct dirent *de;
	size_t n = 0, len, i;
	int rc = 0;

	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".zone") != 0)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (nn == NULL || (nn[n] = strdup(de->d_name)) == NULL) {
			names = nn != NULL ? nn : names;
			snprintf(err, errsize, "out of memory");
			rc = -1;
			goto out;
		}
		names = nn;
		n++;
	}
	if (n == 0) {
		snprintf(err, errsize, "zone directory '%s' holds no *.zone "
		    "file", dir);
		rc = -1;
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = load_file(z, NULL, NULL, path, "", err, errsize);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* A path given: a file, or a directory of *.zone files. */
static int
load_path(struct zone *z, const char *path, char *err, size_t errsize)
{
	DIR *d;
	int rc;

	d = opendir(path);
	if (d == NULL)
		return load_file(z, NULL, NULL, path, "", err, errsize);
	rc = load_dir(z, d, path, err, errsize);
	closedir(d);
	return rc;
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
	struct zone *z;
	size_t i;

	z = calloc(1, sizeof(*z));
	if (z == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	for (i = 0; i < cfg->nzone_files; i++) {
		if (load_path(z, cfg->zone_files[i], err, errsize) == -1) {
			zone_free(z);
			return NULL;
		}
	}
	return z;
}

/* Is name answered from the files: at or below a zone they define? */
static int
inside(const struct zone *z, const char *name)
{
	return apex_of(z, name) != NULL;
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

/* Canonical order of two canonical names (RFC 4034 6.1). */
static int
canon_cmp(const char *a, const char *b)
{
	const char *ae = a + strlen(a), *be = b + strlen(b), *al, *bl;
	size_t la, lb;
	int c;

	for (;;) {
		if (ae == a || be == b)
			return ae == a ? (be == b ? 0 : -1) : 1;
		for (al = ae; al > a && al[-1] != '.'; al--)
			;
		for (bl = be; bl > b && bl[-1] != '.'; bl--)
			;
		la = (size_t)(ae - al);
		lb = (size_t)(be - bl);
		c = memcmp(al, bl, la < lb ? la : lb);
		if (c != 0 || la != lb)
			return c != 0 ? c : la < lb ? -1 : 1;
		ae = al > a ? al - 1 : a;
		be = bl > b ? bl - 1 : b;
	}
}

/* The nth word (from 0) of s, lower case, into buf ("" none). */
static void
nth_word(const char *s, int nth, char *buf, size_t size)
{
	size_t i = 0;

	for (; nth > 0 && *s != '\0'; nth--) {
		while (*s != '\0' && !isspace((unsigned char)*s))
			s++;
		while (isspace((unsigned char)*s))
			s++;
	}
	while (*s != '\0' && !isspace((unsigned char)*s) && i + 1 < size)
		buf[i++] = (char)tolower((unsigned char)*s++);
	buf[i] = '\0';
}

/* Does the span (own, next) of a chain match (own == x) or cover x? */
static int
spans(const char *own, const char *next, const char *x,
    int (*cmp)(const char *, const char *))
{
	if (cmp(own, x) == 0)
		return 1;
	if (cmp(next, own) <= 0) /* the last span wraps to the first */
		return cmp(own, x) < 0 || cmp(x, next) < 0;
	return cmp(own, x) < 0 && cmp(x, next) < 0;
}

/*
 * The denial proofs a signed server sends (RFC 4035 3.1.3, RFC 5155 7.2)
 * for cur (NXDOMAIN, NODATA, or an answer from a wildcard): every NSEC and
 * NSEC3 record of cur's zone (and the zones below it) that matches or
 * covers cur, its closest encloser, the next closer name or the wildcard
 * at the closest encloser, with their RRSIGs.  A superset of the proof:
 * the validator takes what it needs.  NSEC records owned by cur itself
 * come with add_sec().
 */
static int
add_proof(const struct zone *z, const char *cur, struct mc_dns_answer *a)
{
	char names[4][MC_DNS_NAME_MAX + 4], hashes[4][64];
	char own[MC_DNS_NAME_MAX + 2], next[MC_DNS_NAME_MAX + 2];
	const char *ce, *apex, *nc = cur, *pkey = NULL;
	const struct zrec *r, *s;
	const struct zname *d;
	size_t i, k, nn = 1, plen, pkeylen = 0;
	int hit;

	apex = apex_of(z, cur);
	if (apex == NULL)
		return 0;
	snprintf(names[0], sizeof(names[0]), "%s", cur);
	for (ce = cur; ce != NULL && zfind(z, ce) == NULL; nc = ce,
	    ce = parent(ce))
		;
	if (ce != NULL && ce != cur) {
		snprintf(names[1], sizeof(names[1]), "%s", ce);
		snprintf(names[2], sizeof(names[2]), "%s", nc);
		snprintf(names[3], sizeof(names[3]), *ce != '\0' ? "*.%s" :
		    "*", ce);
		nn = 4;
	}
	for (i = 0; i < z->ndeny; i++) {
		d = z->deny[i];
		if (!mc_dns_name_below(d->name, apex) || strcmp(d->name, cur) == 0)
			continue;
		for (r = d->recs; r != NULL; r = r->next) {
			hit = 0;
			if (r->rr.type == MC_RR_NSEC) {
				nth_word(r->rr.data, 0, next, sizeof(next));
				if (mc_dns_name_canon(next, next,
				    sizeof(next)) == -1)
					continue;
				for (k = 0; k < nn && !hit; k++)
					hit = spans(d->name, next, names[k],
					    canon_cmp);
			} else if (r->rr.type == MC_RR_NSEC3) {
				/* hash the names once per parameter set:
				   the first 4 words (algorithm, flags,
				   iterations, salt) */
				for (plen = 0, k = 0; k < 4; k++) {
					plen += strcspn(r->rr.data + plen,
					    " \t");
					plen += strspn(r->rr.data + plen,
					    " \t");
				}
				if (pkey == NULL || plen != pkeylen ||
				    memcmp(pkey, r->rr.data, plen) != 0) {
					for (k = 0; k < nn; k++)
						if (mc_ldns_nsec3_hash(r->rr.data,
						    names[k], hashes[k],
						    sizeof(hashes[k])) == -1)
							hashes[k][0] = '\0';
					pkey = r->rr.data;
					pkeylen = plen;
				}
				snprintf(own, sizeof(own), "%.*s", (int)strcspn(
				    d->name, "."), d->name);
				nth_word(r->rr.data, 4, next, sizeof(next));
				for (k = 0; k < nn && !hit; k++)
					hit = hashes[k][0] != '\0' && spans(own,
					    next, hashes[k], strcmp);
			}
			if (!hit)
				continue;
			if (mc_answer_add_sec(a, d->name, &r->rr) == -1)
				return -1;
			for (s = d->recs; s != NULL; s = s->next)
				if (s->rr.type == MC_RR_RRSIG &&
				    covered(&s->rr) == r->rr.type &&
				    mc_answer_add_sec(a, d->name, &s->rr) == -1)
					return -1;
		}
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
	a->source = MC_DNS_SOURCE_ZONE;
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
		if (!inside(z, cur)) {
			/* the overlay goes on from cur through the network */
			if (chain.n > 1 && mc_answer_set_cname(a, cur) == -1) {
				mc_answer_fail(a, MC_DNS_TEMPFAIL, -1,
				    "out of memory");
				return;
			}
			mc_answer_fail(a, MC_DNS_TEMPFAIL, -1, "outside the "
			    "zone files: not checked");
			a->reason = MC_DNS_REASON_OUTSIDE;
			return;
		}
		n = node_for(z, cur);
		if (n == NULL) {
			a->status = MC_DNS_NXDOMAIN;
			a->rcode = 3;
			if (add_proof(z, cur, a) == -1)
				mc_answer_fail(a, MC_DNS_TEMPFAIL, -1,
				    "out of memory");
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
	if (add_sec(n, cur, req->type, a) == -1 || ((a->count == 0 ||
	    strcmp(n->name, cur) != 0) && add_proof(z, cur, a) == -1)) {
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
	free(z->deny);
	for (i = 0; i < ZONE_BUCKETS; i++) {
		for (n = z->apex[i]; n != NULL; n = nn) {
			nn = n->next;
			free(n->name);
			free(n);
		}
	}
	free(z);
}

const struct mc_dns_backend mc_dns_backend_zone = {
	.name = "zone",
	.use = zone_use,
	.open = zone_open,
	.resolve = zone_resolve,
	.free = zone_free,
	.source = MC_DNS_SOURCE_ZONE,
};
