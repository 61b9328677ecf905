/* SPDX-License-Identifier: ISC */
/*
 * include/mailcheck/dqs.h - Spamhaus's Data Query Service (DQS) names
 *
 * Spamhaus's public zones (zen.spamhaus.org and the others below) refuse
 * queries through public resolvers and cap free volume; with a DQS key the
 * same lists are asked as <key>.<list>.dq.spamhaus.net.  The key is a
 * secret: only the network backend (src/dns_net.c) rewrites a name, when
 * it builds the query, so the key is in no name the cache, the checks or
 * the reports ever see.
 */
#ifndef MAILCHECK_DQS_H
#define MAILCHECK_DQS_H

#include <stddef.h>

#define MC_DQS_KEY_MAX 63 /* one DNS label */

/*
 * Is key usable as a DQS key: 1 to MC_DQS_KEY_MAX letters and digits?
 * 1 or 0.
 */
int mc_dqs_key_valid(const char *key);

/*
 * The name to send for name (lower case, a final dot or none) with key:
 * when name is at or under LIST.spamhaus.org, LIST one of zen, sbl, xbl,
 * pbl, sbl-xbl, dbl, zrd, authbl, writes PREFIX.KEY.LIST.dq.spamhaus.net
 * to out and returns 1; 0 when name is under none of them (out
 * untouched); -1 when the result does not fit out or a DNS name.
 */
int mc_dqs_wire_name(const char *key, const char *name, char *out,
    size_t size);

#endif
