/* SPDX-License-Identifier: ISC */
/*
 * src/domain.c - validating and normalising domain names from users
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mailcheck/limits.h"
#include "mailcheck/util.h"
#include "banned.h"

int
mc_domain_normalise(const char *in, char *out, size_t outsize,
    int allow_single, char *err, size_t errsize)
{
	size_t len, i, label = 0, labels = 1;
	unsigned char c;

	len = strlen(in);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(err, errsize, "empty domain name");
		return -1;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c >= 0x80) {
			snprintf(err, errsize, "'%.*s' is not an ASCII domain name: "
			    "give its A-label form (xn--...)", (int)len, in);
			return -1;
		}
		if (c == '.') {
			if (label == 0) {
				snprintf(err, errsize, "'%.*s' has an empty label",
				    (int)len, in);
				return -1;
			}
			if (in[i - 1] == '-') {
				snprintf(err, errsize, "a label of '%.*s' ends with "
				    "a hyphen", (int)len, in);
				return -1;
			}
			label = 0;
			labels++;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_') {
			snprintf(err, errsize, "'%.*s' has a character not allowed "
			    "in a host name: '%s%c'", (int)len, in,
			    isprint(c) ? "" : "\\", isprint(c) ? c : '?');
			return -1;
		}
		if (c == '-' && label == 0) {
			snprintf(err, errsize, "a label of '%.*s' starts with a "
			    "hyphen", (int)len, in);
			return -1;
		}
		if (++label > MC_DNS_LABEL_MAX) {
			snprintf(err, errsize, "a label of '%.*s' is longer than "
			    "%d octets", (int)len, in, MC_DNS_LABEL_MAX);
			return -1;
		}
	}
	if (in[len - 1] == '-') {
		snprintf(err, errsize, "a label of '%.*s' ends with a hyphen",
		    (int)len, in);
		return -1;
	}
	if (len > MC_DNS_NAME_MAX) {
		snprintf(err, errsize, "domain name is longer than %d octets",
		    MC_DNS_NAME_MAX);
		return -1;
	}
	if (labels < 2 && !allow_single) {
		snprintf(err, errsize, "'%.*s' is a single label, not a mail "
		    "domain", (int)len, in);
		return -1;
	}
	if (len >= outsize) {
		snprintf(err, errsize, "domain name too long");
		return -1;
	}
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[len] = '\0';
	return 0;
}
