/* SPDX-License-Identifier: ISC */
/*
 * src/connect.c - the loopback guard and --connect-to (see connect.h)
 *
 * Kept apart from the modules that connect so that HTTPS (libcurl) and
 * SMTP (OpenSSL) apply the same rules, and so that the CLI can validate
 * --connect-to before any check starts.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcheck/connect.h"
#include "banned.h"

static int
is_loopback(const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return 1;
		return memcmp(s6->sin6_addr.s6_addr, mapped, 12) == 0 &&
		    s6->sin6_addr.s6_addr[12] == 127;
	}
	return 0;
}

int
mc_net_guard_check(const struct sockaddr *sa, char *err, size_t errsize)
{
	char text[INET6_ADDRSTRLEN] = "?";
	const char *g = getenv(MC_NET_GUARD_ENV);
	const void *a;

	if (g == NULL || *g == '\0' || strcmp(g, "0") == 0 || is_loopback(sa))
		return 0;
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		a = NULL;
	if (a != NULL)
		inet_ntop(sa->sa_family, a, text, sizeof(text));
	snprintf(err, errsize, "refusing to connect to %s: %s is set (only "
	    "loopback addresses may be reached)", text, MC_NET_GUARD_ENV);
	return -1;
}

/* A port field: "" is 0 when empty_ok, else 1-65535; -1 when invalid. */
static int
parse_port(const char *s, size_t len, int empty_ok)
{
	long v = 0;
	size_t i;

	if (len == 0)
		return empty_ok ? 0 : -1;
	if (len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

int
mc_connect_to_parse(const char *spec, struct mc_connect_to *ct, char *err,
    size_t errsize)
{
	const char *p = spec, *c1, *c2, *a, *aend, *pp;
	unsigned char buf[16];
	size_t hl, al, i;

	memset(ct, 0, sizeof(*ct));
	c1 = strchr(p, ':');
	if (c1 == NULL)
		goto bad;
	hl = (size_t)(c1 - p);
	if (hl >= sizeof(ct->host))
		goto bad;
	for (i = 0; i < hl; i++)
		ct->host[i] = (char)tolower((unsigned char)p[i]);
	if (hl > 0 && ct->host[hl - 1] == '.')
		hl--;
	ct->host[hl] = '\0';
	c2 = strchr(c1 + 1, ':');
	if (c2 == NULL || (ct->port = parse_port(c1 + 1,
	    (size_t)(c2 - c1 - 1), 1)) == -1)
		goto bad;
	a = c2 + 1;
	if (*a == '[') {
		a++;
		aend = strchr(a, ']');
		if (aend == NULL || aend[1] != ':')
			goto bad;
		pp = aend + 2;
	} else {
		aend = strrchr(a, ':');
		if (aend == NULL)
			goto bad;
		pp = aend + 1;
	}
	al = (size_t)(aend - a);
	if (al == 0 || al >= sizeof(ct->addr))
		goto bad;
	memcpy(ct->addr, a, al);
	ct->addr[al] = '\0';
	if (a[-1] != '[' && strchr(ct->addr, ':') != NULL)
		goto bad; /* IPv6 needs its brackets */
	if (inet_pton(AF_INET, ct->addr, buf) != 1 &&
	    inet_pton(AF_INET6, ct->addr, buf) != 1) {
		snprintf(err, errsize, "invalid --connect-to '%s': the address "
		    "to connect to must be an IP address", spec);
		return -1;
	}
	if ((ct->addr_port = parse_port(pp, strlen(pp), 0)) == -1)
		goto bad;
	return 0;
bad:
	snprintf(err, errsize, "invalid --connect-to '%s' (expected "
	    "HOST:PORT:ADDR:PORT, HOST and PORT may be empty, ADDR an IP "
	    "address, IPv6 in brackets)", spec);
	return -1;
}

int
mc_connect_to_map(const char *const *specs, size_t n, const char *host,
    int port, char *addr, size_t addrsize, int *addr_port)
{
	struct mc_connect_to ct;
	char err[256];
	size_t i;

	for (i = 0; i < n; i++) {
		if (mc_connect_to_parse(specs[i], &ct, err, sizeof(err)) == -1)
			continue;
		if (ct.host[0] != '\0' && strcasecmp(ct.host, host) != 0)
			continue;
		if (ct.port != 0 && ct.port != port)
			continue;
		snprintf(addr, addrsize, "%s", ct.addr);
		*addr_port = ct.addr_port;
		return 1;
	}
	return 0;
}
