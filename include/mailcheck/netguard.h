/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/netguard.h - TEMPORARY stand-in for the coordinator's seam
 */
#ifndef MAILCHECK_NETGUARD_H
#define MAILCHECK_NETGUARD_H

#include <stddef.h>
#include <sys/socket.h>

int mc_net_guard_check(const struct sockaddr *sa, char *err, size_t errsize);

#endif
