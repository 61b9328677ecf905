/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/addr.h - IP addresses: literals and their special-purpose class
 */
#ifndef MAILCHECK_ADDR_H
#define MAILCHECK_ADDR_H

#include <stddef.h>

enum mc_addr_class {
	MC_ADDR_PUBLIC,
	MC_ADDR_PRIVATE,    /* RFC 1918, RFC 4193 */
	MC_ADDR_LOOPBACK,
	MC_ADDR_LINKLOCAL,
	MC_ADDR_SHARED,     /* RFC 6598 100.64/10 */
	MC_ADDR_DOC,        /* RFC 5737, RFC 3849 */
	MC_ADDR_RESERVED,   /* unspecified, multicast, 240/4, ... */
};
/* The class of an address: 4 or 16 bytes. */
enum mc_addr_class mc_addr_classify(const unsigned char *addr, size_t len);
/* "public", "private", "loopback", "link-local", ... */
const char *mc_addr_class_str(enum mc_addr_class c);

/* Is s an IPv4 or IPv6 address literal? */
int mc_is_ip_literal(const char *s);

#endif
