/* SPDX-License-Identifier: ISC */
/*
 * src/domain.c - validating and normalising domain names from users
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "mailcheck/limits.h"
#include "mailcheck/addr.h"
#include "mailcheck/domain.h"
#include "banned.h"

/*
 * The name as it may appear in a message: every byte that is not printable
 * ASCII, and backslashes, escaped as in DNS presentation format (a name
 * with invalid UTF-8 must not put a C1 control such as 0x9b, a CSI on many
 * terminals, on stderr), cut after a few hundred bytes.
 */
static void
shown(const char *in, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len && o + 8 < size; i++) {
		c = (unsigned char)in[i];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\%03u", c);
		else
			buf[o++] = (char)c;
	}
	if (i < len)
		o += (size_t)snprintf(buf + o, size - o, "...");
	buf[o] = '\0';
}

static int validate(const char *, char *, size_t, int, char *, size_t);

/* Is in, without a final dot, an IPv4 or IPv6 address? */
static int
ip_address(const char *in)
{
	char buf[64];
	size_t len = strlen(in);

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, in, len);
	buf[len] = '\0';
	return mc_is_ip_literal(buf);
}

/*
 * Internationalised names (UTF-8) are converted to their A-labels (IDNA
 * 2008, non-transitional, as browsers and mail software do) and then
 * validated like any other name.
 */
int
mc_domain_normalise(const char *in, char *out, size_t outsize,
    int allow_single, char *err, size_t errsize)
{
	char name[4 * (MC_DNS_NAME_MAX + 1) + 8];
	char *alabel = NULL;
	const char *p;
	int rc;

	if (!allow_single && ip_address(in)) {
		shown(in, strlen(in), name, sizeof(name));
		snprintf(err, errsize, "'%s' is an IP address, not a mail "
		    "domain", name);
		return -1;
	}
	for (p = in; *p != '\0' && (unsigned char)*p < 0x80; p++)
		;
	if (*p == '\0')
		return validate(in, out, outsize, allow_single, err, errsize);
	rc = idn2_to_ascii_8z(in, &alabel, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		shown(in, strlen(in), name, sizeof(name));
		snprintf(err, errsize, "'%s' is not a valid internationalised "
		    "domain name (%s): give its A-label form (xn--...)", name,
		    idn2_strerror(rc));
		return -1;
	}
	rc = validate(alabel, out, outsize, allow_single, err, errsize);
	idn2_free(alabel);
	return rc;
}

static int
validate(const char *in, char *out, size_t outsize, int allow_single,
    char *err, size_t errsize)
{
	size_t len, i, label = 0, labels = 1;
	unsigned char c;
	char name[4 * (MC_DNS_NAME_MAX + 1) + 8];

	len = strlen(in);
	shown(in, len, name, sizeof(name));
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(err, errsize, "empty domain name");
		return -1;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c == '.') {
			if (label == 0) {
				snprintf(err, errsize, "'%s' has an empty label",
				    name);
				return -1;
			}
			if (in[i - 1] == '-') {
				snprintf(err, errsize, "a label of '%s' ends with "
				    "a hyphen", name);
				return -1;
			}
			label = 0;
			labels++;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_') {
			if (isprint(c))
				snprintf(err, errsize, "'%s' has a character not "
				    "allowed in a host name: '%c'", name, c);
			else
				snprintf(err, errsize, "'%s' has a character not "
				    "allowed in a host name: '\\%03u'", name, c);
			return -1;
		}
		if (c == '-' && label == 0) {
			snprintf(err, errsize, "a label of '%s' starts with a "
			    "hyphen", name);
			return -1;
		}
		if (++label > MC_DNS_LABEL_MAX) {
			snprintf(err, errsize, "a label of '%s' is longer than "
			    "%d octets", name, MC_DNS_LABEL_MAX);
			return -1;
		}
	}
	if (label == 0) {
		snprintf(err, errsize, "'%s' has an empty label", name);
		return -1;
	}
	if (in[len - 1] == '-') {
		snprintf(err, errsize, "a label of '%s' ends with a hyphen",
		    name);
		return -1;
	}
	if (len > MC_DNS_NAME_MAX) {
		snprintf(err, errsize, "domain name is longer than %d octets",
		    MC_DNS_NAME_MAX);
		return -1;
	}
	if (labels < 2 && !allow_single) {
		snprintf(err, errsize, "'%s' is a single label, not a mail "
		    "domain", name);
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
