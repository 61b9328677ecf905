/* SPDX-License-Identifier: ISC */
/*
 * src/dns_answer.c - the answer vocabulary of the DNS layer
 *
 * What every layer speaks: statuses and record types with their names,
 * canonical names, the one TXT joiner, the builders of struct mc_dns_answer
 * the backends fill, the CNAME chain walk both backends share, and the one
 * hash function of the layer.  Nothing here knows the cache or a backend.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_impl.h"
#include "mailcheck/limits.h"
#include "banned.h"

uint32_t
mc_dns_hash(const void *data, size_t len, uint32_t h)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

double
mc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *
mc_dns_status_str(enum mc_dns_status s)
{
	switch (s) {
	case MC_DNS_OK:
		return "ok";
	case MC_DNS_NODATA:
		return "nodata";
	case MC_DNS_NXDOMAIN:
		return "nxdomain";
	case MC_DNS_TEMPFAIL:
		return "tempfail";
	case MC_DNS_PERMFAIL:
		return "permfail";
	}
	return "?";
}

const char *
mc_dns_source_str(enum mc_dns_source s)
{
	switch (s) {
	case MC_DNS_SOURCE_NONE:
		return "none";
	case MC_DNS_SOURCE_NETWORK:
		return "network";
	case MC_DNS_SOURCE_ZONE:
		return "zone";
	}
	return "?";
}

static const struct {
	uint16_t type;
	const char *name;
} rr_types[] = {
	{ MC_RR_A, "A" }, { MC_RR_NS, "NS" }, { MC_RR_CNAME, "CNAME" },
	{ MC_RR_SOA, "SOA" }, { MC_RR_PTR, "PTR" }, { MC_RR_MX, "MX" },
	{ MC_RR_TXT, "TXT" }, { MC_RR_AAAA, "AAAA" }, { MC_RR_SPF, "SPF" },
	{ MC_RR_TLSA, "TLSA" }, { MC_RR_DS, "DS" }, { MC_RR_RRSIG, "RRSIG" },
	{ MC_RR_NSEC, "NSEC" }, { MC_RR_DNSKEY, "DNSKEY" },
	{ MC_RR_NSEC3, "NSEC3" }, { MC_RR_NSEC3PARAM, "NSEC3PARAM" },
};

const char *
mc_rr_type_str(uint16_t type, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(rr_types) / sizeof(rr_types[0]); i++)
		if (rr_types[i].type == type)
			return rr_types[i].name;
	snprintf(buf, size, "TYPE%u", (unsigned)type);
	return buf;
}

uint16_t
mc_rr_type_from_str(const char *s)
{
	size_t i;
	unsigned long v;
	char *end;

	for (i = 0; i < sizeof(rr_types) / sizeof(rr_types[0]); i++)
		if (strcasecmp(rr_types[i].name, s) == 0)
			return rr_types[i].type;
	if (strncasecmp(s, "TYPE", 4) == 0 && isdigit((unsigned char)s[4])) {
		v = strtoul(s + 4, &end, 10);
		if (*end == '\0' && v > 0 && v <= 65535)
			return (uint16_t)v;
	}
	return 0;
}

int
mc_dns_name_canon(const char *name, char *buf, size_t size)
{
	size_t len, i;

	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len >= size || len > MC_DNS_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[len] = '\0';
	return 0;
}

int
mc_dns_name_below(const char *name, const char *zone)
{
	size_t nl = strlen(name), zl = strlen(zone);

	if (zl == 0 || strcmp(name, zone) == 0)
		return 1;
	return nl > zl && name[nl - zl - 1] == '.' &&
	    strcmp(name + nl - zl, zone) == 0;
}

char *
mc_txt_join(const unsigned char *rdata, size_t rdlen, size_t *len,
    size_t *nstrings, size_t *longest)
{
	size_t i, n, out, count, max;
	char *buf;

	buf = malloc(rdlen + 1);
	if (buf == NULL)
		return NULL;
	out = count = max = 0;
	if (rdlen == 0) {
		/* one or more strings (RFC 1035 3.3.14): none is malformed */
		free(buf);
		return NULL;
	}
	for (i = 0; i < rdlen; i += n) {
		n = rdata[i++];
		if (n > rdlen - i) {
			free(buf);
			return NULL;
		}
		memcpy(buf + out, rdata + i, n);
		out += n;
		count++;
		if (n > max)
			max = n;
	}
	buf[out] = '\0';
	*len = out;
	*nstrings = count;
	*longest = max;
	return buf;
}

const unsigned char *
mc_rr_rdata(const struct mc_rr *rr)
{
	return rr->rdlen > 0 ? (const unsigned char *)rr->data + rr->len + 1 :
	    NULL;
}

int
mc_rr_set_txt(struct mc_rr *out, const unsigned char *rdata, size_t rdlen)
{
	char *joined, *all;

	out->rdlen = out->len = out->nstrings = out->longest = 0;
	if (rdlen == 0) {
		out->data = strdup("");
		return out->data != NULL ? 0 : -1; /* nstrings 0 */
	}
	joined = mc_txt_join(rdata, rdlen, &out->len, &out->nstrings,
	    &out->longest);
	if (joined == NULL)
		return -1;
	all = realloc(joined, out->len + 1 + rdlen);
	if (all == NULL) {
		free(joined);
		return -1;
	}
	memcpy(all + out->len + 1, rdata, rdlen);
	out->data = all;
	out->rdlen = rdlen;
	return 0;
}

char *
mc_rr_dup_data(const struct mc_rr *rr)
{
	char *data;

	data = malloc(rr->len + 1 + rr->rdlen);
	if (data == NULL)
		return NULL;
	memcpy(data, rr->data, rr->len);
	data[rr->len] = '\0';
	if (rr->rdlen > 0)
		memcpy(data + rr->len + 1, rr->data + rr->len + 1, rr->rdlen);
	return data;
}

struct mc_dns_answer *
mc_answer_new(const char *qname, uint16_t qtype)
{
	struct mc_dns_answer *a;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->qname = strdup(qname);
	if (a->qname == NULL) {
		free(a);
		return NULL;
	}
	a->qtype = qtype;
	a->status = MC_DNS_NODATA;
	return a;
}

void
mc_answer_free(struct mc_dns_answer *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->count; i++)
		free(a->rr[i].data);
	free(a->rr);
	for (i = 0; i < a->nsec; i++)
		free(a->sec[i]);
	free(a->sec);
	free(a->qname);
	free(a->cname);
	free(a->why);
	free(a);
}

int
mc_answer_add(struct mc_dns_answer *a, const struct mc_rr *rr)
{
	struct mc_rr *n;
	char *data;

	if (a->count >= MC_DNS_MAX_RRS)
		return -1;
	data = mc_rr_dup_data(rr);
	if (data == NULL)
		return -1;
	n = realloc(a->rr, (a->count + 1) * sizeof(*n));
	if (n == NULL) {
		free(data);
		return -1;
	}
	a->rr = n;
	a->rr[a->count] = *rr;
	a->rr[a->count].data = data;
	a->count++;
	return 0;
}

int
mc_answer_add_sec(struct mc_dns_answer *a, const char *owner,
    const struct mc_rr *rr)
{
	char tbuf[16], *line, **n;
	const char *tn;
	int len;

	if (a->nsec >= MC_DNS_MAX_RRS)
		return -1;
	tn = mc_rr_type_str(rr->type, tbuf, sizeof(tbuf));
	len = snprintf(NULL, 0, "%s. %u IN %s %s", owner,
	    (unsigned)rr->ttl, tn, rr->data);
	if (len < 0 || (line = malloc((size_t)len + 1)) == NULL)
		return -1;
	snprintf(line, (size_t)len + 1, "%s. %u IN %s %s", owner,
	    (unsigned)rr->ttl, tn, rr->data);
	n = realloc(a->sec, (a->nsec + 1) * sizeof(*n));
	if (n == NULL) {
		free(line);
		return -1;
	}
	a->sec = n;
	a->sec[a->nsec++] = line;
	return 0;
}

int
mc_answer_set_cname(struct mc_dns_answer *a, const char *cname)
{
	char *c;

	c = strdup(cname);
	if (c == NULL)
		return -1;
	free(a->cname);
	a->cname = c;
	return 0;
}

void
mc_answer_fail(struct mc_dns_answer *a, enum mc_dns_status status, int rcode,
    const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->status = status;
	a->rcode = rcode;
	free(a->why);
	a->why = strdup(buf);
}

void
mc_answer_finish(struct mc_dns_answer *a)
{
	if (a->count > 0)
		a->status = MC_DNS_OK;
}

int
mc_rr_malformed(const struct mc_rr *rr)
{
	return (rr->type == MC_RR_TXT || rr->type == MC_RR_SPF) &&
	    rr->nstrings == 0;
}

void
mc_answer_cname_loop(struct mc_dns_answer *a, int rcode, const char *at)
{
	mc_answer_fail(a, MC_DNS_TEMPFAIL, rcode, "CNAME loop at %s", at);
	a->reason = MC_DNS_REASON_CNAME_LOOP;
}

void
mc_answer_cname_chain(struct mc_dns_answer *a, int rcode)
{
	mc_answer_fail(a, MC_DNS_TEMPFAIL, rcode, "CNAME chain longer than %d",
	    MC_DNS_CNAME_MAX);
	a->reason = MC_DNS_REASON_CNAME_CHAIN;
}

int
mc_cname_step(struct mc_cname_chain *c, const char *target,
    struct mc_dns_answer *a, int rcode)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->names[i], target) == 0) {
			mc_answer_cname_loop(a, rcode, target);
			return -1;
		}
	}
	if (c->n > MC_DNS_CNAME_MAX) {
		mc_answer_cname_chain(a, rcode);
		return -1;
	}
	snprintf(c->names[c->n++], sizeof(c->names[0]), "%s", target);
	if (mc_answer_set_cname(a, target) == -1) {
		mc_answer_fail(a, MC_DNS_TEMPFAIL, -1, "out of memory");
		return -1;
	}
	return 0;
}

void
mc_dns_request_done(struct mc_dns_request *req)
{
	req->done(req);
}
