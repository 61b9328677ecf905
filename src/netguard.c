/* SPDX-License-Identifier: ISC */
/*
 * src/netguard.c - TEMPORARY stand-in for the coordinator's loopback guard
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/netguard.h"
#include "banned.h"

int
mc_net_guard_check(const struct sockaddr *sa, char *err, size_t errsize)
{
	const char *v = getenv("MAILCHECK_NET_LOOPBACK_ONLY");

	if (v == NULL || strcmp(v, "1") != 0)
		return 0;
	if (sa->sa_family == AF_INET &&
	    (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127)
		return 0;
	if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr))
		return 0;
	snprintf(err, errsize, "connection refused by MAILCHECK_NET_LOOPBACK_ONLY: "
	    "not a loopback address");
	return -1;
}
