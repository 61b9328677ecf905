/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/mc_pkt.h - DNS messages written byte by byte, for tests
 *
 * The engine's tests build replies (good, foreign, damaged) by hand, so
 * that every octet a test depends on is visible in the test:
 *
 *	struct pkt p = { .len = 0 };
 *	put16(&p, id); ...; put_name(&p, "example.test");
 *	rr_head(&p, "example.test", MC_RR_TXT, rdlen); put8(&p, ...);
 *
 * Names are written without compression; nothing checks the 512 octets.
 */
#ifndef MC_TEST_PKT_H
#define MC_TEST_PKT_H

#include <stddef.h>
#include <string.h>

struct pkt {
	unsigned char b[1024];
	size_t len;
};

static inline void
put8(struct pkt *p, unsigned v)
{
	p->b[p->len++] = (unsigned char)v;
}

static inline void
put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static inline void
put_name(struct pkt *p, const char *name)
{
	const char *dot;
	size_t n;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		put8(p, (unsigned)n);
		memcpy(p->b + p->len, name, n);
		p->len += n;
		name += n;
		if (*name == '.')
			name++;
	}
	put8(p, 0);
}

/* An RR's owner, type, class IN, TTL 300 and RDLENGTH; the RDATA follows. */
static inline void
rr_head(struct pkt *p, const char *owner, unsigned type, unsigned rdlen)
{
	put_name(p, owner);
	put16(p, type);
	put16(p, 1);
	put16(p, 0);
	put16(p, 300);
	put16(p, rdlen);
}

#endif
