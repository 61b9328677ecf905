/* SPDX-License-Identifier: ISC */
/*
 * src/dqs.c - Spamhaus DQS names: which public zones have a DQS twin
 *
 * The lists and their DQS names are Spamhaus's (the DQS documentation and
 * its SpamAssassin and rspamd configurations): LIST.spamhaus.org is asked
 * as KEY.LIST.dq.spamhaus.net with the same entries and answer codes.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mailcheck/dqs.h"
#include "mailcheck/limits.h"
#include "banned.h"

static const char *const dqs_lists[] = {
	"zen", "sbl", "xbl", "pbl", "sbl-xbl", "dbl", "zrd", "authbl", NULL,
};

#define DQS_PUBLIC ".spamhaus.org"
#define DQS_SUFFIX "dq.spamhaus.net"

int
mc_dqs_key_valid(const char *key)
{
	size_t i;

	for (i = 0; key[i] != '\0'; i++)
		if (!isalnum((unsigned char)key[i]) || i == MC_DQS_KEY_MAX)
			return 0;
	return i > 0;
}

int
mc_dqs_wire_name(const char *key, const char *name, char *out, size_t size)
{
	size_t len = strlen(name), plen = strlen(DQS_PUBLIC), llen, pre;
	const char *list;
	size_t i;
	int n;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len <= plen || memcmp(name + len - plen, DQS_PUBLIC, plen) != 0)
		return 0;
	for (i = 0; dqs_lists[i] != NULL; i++) {
		llen = strlen(dqs_lists[i]);
		if (len - plen < llen)
			continue;
		pre = len - plen - llen;
		list = name + pre;
		if (memcmp(list, dqs_lists[i], llen) != 0)
			continue;
		if (pre == 0 || name[pre - 1] == '.')
			break;
	}
	if (dqs_lists[i] == NULL)
		return 0;
	/* PREFIX. (with its dot, or nothing), KEY, LIST, the DQS suffix */
	n = snprintf(out, size, "%.*s%s.%s." DQS_SUFFIX, (int)pre, name, key,
	    dqs_lists[i]);
	if (n < 0 || (size_t)n >= size || (size_t)n > MC_DNS_NAME_MAX)
		return -1;
	return 1;
}
