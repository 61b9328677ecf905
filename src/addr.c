/* SPDX-License-Identifier: ISC */
/*
 * src/addr.c - classifying addresses (RFC 6890 special-purpose registries)
 */
#include <arpa/inet.h>
#include <string.h>

#include "mailcheck/util.h"
#include "banned.h"

struct prefix {
	unsigned char net[16];
	unsigned bits;
	enum mc_addr_class cls;
};

static const struct prefix v4[] = {
	{ { 0 }, 8, MC_ADDR_RESERVED },
	{ { 10 }, 8, MC_ADDR_PRIVATE },
	{ { 100, 64 }, 10, MC_ADDR_SHARED },
	{ { 127 }, 8, MC_ADDR_LOOPBACK },
	{ { 169, 254 }, 16, MC_ADDR_LINKLOCAL },
	{ { 172, 16 }, 12, MC_ADDR_PRIVATE },
	{ { 192, 0, 0 }, 24, MC_ADDR_RESERVED },
	{ { 192, 0, 2 }, 24, MC_ADDR_DOC },
	{ { 192, 168 }, 16, MC_ADDR_PRIVATE },
	{ { 198, 18 }, 15, MC_ADDR_RESERVED },
	{ { 198, 51, 100 }, 24, MC_ADDR_DOC },
	{ { 203, 0, 113 }, 24, MC_ADDR_DOC },
	{ { 224 }, 4, MC_ADDR_RESERVED },
	{ { 240 }, 4, MC_ADDR_RESERVED },
};

static const struct prefix v6[] = {
	{ { 0 }, 128, MC_ADDR_RESERVED },
	{ { [15] = 1 }, 128, MC_ADDR_LOOPBACK },
	{ { [10] = 0xff, [11] = 0xff }, 96, MC_ADDR_RESERVED }, /* v4-mapped */
	{ { 0x01 }, 64, MC_ADDR_RESERVED },                      /* discard */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, MC_ADDR_DOC },
	{ { 0xfc }, 7, MC_ADDR_PRIVATE },
	{ { 0xfe, 0x80 }, 10, MC_ADDR_LINKLOCAL },
	{ { 0xff }, 8, MC_ADDR_RESERVED },
};

static int
match(const unsigned char *addr, const struct prefix *p)
{
	unsigned full = p->bits / 8, rest = p->bits % 8;
	unsigned char mask;

	if (memcmp(addr, p->net, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (addr[full] & mask) == (p->net[full] & mask);
}

enum mc_addr_class
mc_addr_classify(const unsigned char *addr, size_t len)
{
	const struct prefix *tab = len == 4 ? v4 : v6;
	size_t n = len == 4 ? sizeof(v4) / sizeof(v4[0]) :
	    sizeof(v6) / sizeof(v6[0]);
	size_t i;

	for (i = 0; i < n; i++)
		if (match(addr, &tab[i]))
			return tab[i].cls;
	if (len == 4 && addr[0] == 255 && addr[1] == 255 && addr[2] == 255 &&
	    addr[3] == 255)
		return MC_ADDR_RESERVED;
	return MC_ADDR_PUBLIC;
}

const char *
mc_addr_class_str(enum mc_addr_class c)
{
	switch (c) {
	case MC_ADDR_PUBLIC:
		return "public";
	case MC_ADDR_PRIVATE:
		return "private";
	case MC_ADDR_LOOPBACK:
		return "loopback";
	case MC_ADDR_LINKLOCAL:
		return "link-local";
	case MC_ADDR_SHARED:
		return "shared (carrier-grade NAT)";
	case MC_ADDR_DOC:
		return "documentation";
	case MC_ADDR_RESERVED:
		return "reserved";
	}
	return "?";
}

int
mc_is_ip_literal(const char *s)
{
	unsigned char buf[16];
	char tmp[64];
	size_t len = strlen(s);

	/* "[1.2.3.4]" address literals as in RFC 5321 4.1.3 */
	if (len >= 2 && len < sizeof(tmp) && s[0] == '[' && s[len - 1] == ']') {
		memcpy(tmp, s + 1, len - 2);
		tmp[len - 2] = '\0';
		s = tmp;
	}
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}
