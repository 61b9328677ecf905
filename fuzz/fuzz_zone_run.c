/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_zone_run.c - libFuzzer target: every check over a hostile zone
 *
 * The input is a zone file for example.org (with $ORIGIN example.org.
 * put in front).  It is loaded through the zone backend, every registered
 * check runs on example.org with --ip 192.0.2.1 and 2001:db8::1 and one
 * generic blocklist zone, and the report is rendered as text, JSON and
 * plugin output (to /dev/null).  This is the path hostile DNS content
 * takes in production, from the parser of the records to the escaping of
 * what is printed.  Invariants: the run gives a report; each renderer
 * succeeds.  Build: scripts/fuzz (clang, libFuzzer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "mailcheck/check.h"
#include "mailcheck/dns.h"
#include "mailcheck/dnsbl_zones.h"
#include "mailcheck/plugin.h"
#include "mailcheck/report.h"
#include "mailcheck/runner.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char zpath[64];
static FILE *devnull;

static int
setup(void)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (snprintf(zpath, sizeof(zpath), "%s/mc-fuzz-zone.XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp") >=
	    (int)sizeof(zpath))
		return -1;
	if ((fd = mkstemp(zpath)) == -1)
		return -1;
	close(fd);
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		return -1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ips[] = { "192.0.2.1", "2001:db8::1" };
	static const char *const bl[] = { "bl.example.net" };
	static int ready;
	const struct mc_check *checks[32];
	const char *files[1] = { zpath };
	struct mc_dns_config dcfg = { .zone_files = files, .nzone_files = 1 };
	struct mc_nagios_opts no = { .timeout = 10 };
	struct mc_render_opts ro = { .verbose = 1 };
	static struct mc_options opts = { .ips = ips, .nips = 2,
		.dnsbl_zones = bl, .ndnsbl_zones = 1 };
	static struct mc_checkset set;
	struct mc_run_config rc = { .set = &set, .opts = &opts };
	struct mc_report rep;
	struct mc_dns *dns;
	char err[512];
	FILE *f;
	size_t n = 0;

	if (!ready) {
		if (setup() == -1)
			abort();
		while (mc_checks[n] != NULL &&
		    n < sizeof(checks) / sizeof(checks[0]))
			checks[n] = mc_checks[n], n++;
		if (mc_checkset_setup(&set, checks, n, &opts, err,
		    sizeof(err)) == -1)
			abort();
		ready = 1;
	}
	if ((f = fopen(zpath, "w")) == NULL)
		abort();
	fputs("$ORIGIN example.org.\n$TTL 300\n", f);
	fwrite(data, 1, size, f);
	fputc('\n', f);
	if (fclose(f) != 0)
		abort();
	/* a zone file ldns refuses is an error, as at the command line */
	if ((dns = mc_dns_new(&dcfg, err, sizeof(err))) == NULL) {
		if (getenv("MC_FUZZ_DEBUG") != NULL)
			fprintf(stderr, "zone refused: %s\n", err);
		return 0;
	}
	rc.dns = dns;
	memset(&rep, 0, sizeof(rep));
	if (mc_run_domain(&rc, "example.org", &rep, err, sizeof(err)) == -1)
		abort();
	if (mc_render_text(devnull, &rep, &ro) == -1 ||
	    mc_render_json(devnull, &rep, 1) == -1 ||
	    mc_render_nagios(devnull, &rep, &no) == -1)
		abort();
	if (getenv("MC_FUZZ_DEBUG") != NULL)
		fprintf(stderr, "status %s\n", mc_status_str(rep.status));
	mc_report_release(&rep);
	mc_dns_free(dns);
	return 0;
}
