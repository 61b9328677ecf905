/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_cli_inputs.c - libFuzzer target: what users type and files they
 * give (domain names, --warning/--critical thresholds, DNSBL zone lists)
 *
 * The first byte picks the parser; the rest is its input.  Invariants: a
 * normalised domain normalises to itself and is printable; an error always
 * comes with a reason; a parsed range's text is what was given; a parsed
 * zone list has at least one zone.  Build: scripts/fuzz (clang, libFuzzer).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/dnsbl_zones.h"
#include "mailcheck/threshold.h"
#include "mailcheck/util.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
domain(const char *s)
{
	char out[256], again[256], err[256];
	char *e;
	size_t i;

	err[0] = '\0';
	if (mc_domain_normalise(s, out, sizeof(out), 0, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return;
	}
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] <= 0x20 ||
		    (unsigned char)out[i] >= 0x7f)
			abort();
	if (mc_domain_normalise(out, again, sizeof(again), 0, err,
	    sizeof(err)) == -1 || strcmp(out, again) != 0)
		abort();
	e = mc_escape_dup(s, strlen(s));
	free(e);
}

static void
threshold(const char *s)
{
	struct mc_threshold t;
	struct mc_range r;
	char err[256];

	err[0] = '\0';
	if (mc_threshold_parse(s, MC_WARN, &t, err, sizeof(err)) == 0) {
		(void)mc_threshold_known(&t, err, sizeof(err));
		(void)mc_range_alert(&t.range, 0);
		(void)mc_range_alert(&t.range, 1e300);
	} else if (err[0] == '\0')
		abort();
	err[0] = '\0';
	if (mc_range_parse(s, &r, err, sizeof(err)) == 0) {
		if (strcmp(r.text, s) != 0)
			abort();
		(void)mc_range_alert(&r, -1);
	} else if (err[0] == '\0')
		abort();
}

static void
zone_list(const char *s, size_t len)
{
	struct mc_dnsbl_list *l;
	unsigned char a[4] = { 127, 0, 0, 2 };
	char err[512], buf[512];
	size_t i;

	err[0] = '\0';
	l = mc_dnsbl_list_parse(s, len, "fuzz", err, sizeof(err));
	if (l == NULL) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (l->nzones == 0)
		abort();
	for (i = 0; i < l->nzones; i++)
		(void)mc_dnsbl_classify(&l->zones[i], a, buf, sizeof(buf));
	mc_dnsbl_list_free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	/* the parsers take C strings: the input up to its first NUL */
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		domain(s);
		break;
	case 1:
		threshold(s);
		break;
	default:
		zone_list(s, strlen(s));
		break;
	}
	free(s);
	return 0;
}
