/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/connect.h - rules for connections other than DNS (HTTPS, SMTP)
 *
 * Two rules every module that connects (src/http.c, src/smtp.c) applies:
 *   - the loopback guard: with MAILCHECK_NET_LOOPBACK_ONLY=1 in the
 *     environment (ctest and the e2e scripts set it) any connection to an
 *     address outside loopback fails at once, so a test that forgets
 *     --connect-to cannot reach the network;
 *   - --connect-to HOST:PORT:ADDR:PORT, curl's syntax and meaning: a
 *     connection to HOST:PORT goes to ADDR:PORT instead.  HOST or PORT may
 *     be empty (any); ADDR is an IP address literal (IPv6 in brackets), so
 *     that mailcheck never asks the system's resolver for it.
 */
#ifndef MAILCHECK_CONNECT_H
#define MAILCHECK_CONNECT_H

#include <stddef.h>

#include <sys/socket.h>

#define MC_NET_GUARD_ENV "MAILCHECK_NET_LOOPBACK_ONLY"

/*
 * 0 when a connection to sa is allowed; -1 with "refusing to connect to
 * ADDR: MAILCHECK_NET_LOOPBACK_ONLY is set" in err when the guard is on
 * and sa is not a loopback address (127/8, ::1, ::ffff:127/104).
 */
int mc_net_guard_check(const struct sockaddr *sa, char *err, size_t errsize);

struct mc_connect_to {
	char host[256];      /* lower case, no final dot; "" any */
	int port;            /* 0: any */
	char addr[64];       /* the IP address literal, without brackets */
	int addr_port;       /* 1-65535 */
};

/* Parse one --connect-to value; 0, or -1 with the problem in err. */
int mc_connect_to_parse(const char *spec, struct mc_connect_to *ct,
    char *err, size_t errsize);

/*
 * Where a connection to host:port goes under the --connect-to specs
 * (already valid): the first that matches fills addr (room for 64) and
 * *addr_port and returns 1; 0 when none matches.
 */
int mc_connect_to_map(const char *const *specs, size_t n, const char *host,
    int port, char *addr, size_t addrsize, int *addr_port);

#endif
