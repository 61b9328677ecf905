/* SPDX-License-Identifier: ISC */
/*
 * src/cli/dmarc_report_cmd.c - `mailcheck dmarc-report`: what receivers saw
 *
 * Reads every FILE (report, archive, mail, mbox, Maildir) into one
 * summary (src/dmarc_input.c, src/dmarc_summary.c), asks the PTR names and
 * the SPF authorisation of the sources through the DNS layer unless
 * --no-dns, and prints text or the JSON document of
 * docs/dmarc-report.schema.json.  Exit 0 when every source passes DMARC,
 * 1 when some fail, 3 when no report could be read or on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mailcheck/dmarc_summary.h"
#include "banned.h"

static const char dmarc_report_usage[] =
"usage: mailcheck dmarc-report [OPTIONS] FILE...\n"
"\n"
"Summarises DMARC aggregate reports (RFC 7489 Appendix C, DMARCbis): .xml,\n"
".xml.gz, .zip, mails (.eml) with reports attached, mbox files and Maildir\n"
"directories.  Per domain and period: messages per source IP, its PTR name,\n"
"DMARC, SPF and DKIM results, the disposition applied, the reporters, and a\n"
"verdict: passes, forwarder, own-server-failing-dkim or not-you.\n"
"\n"
"      --no-dns                 ask no DNS (no PTR names, no SPF check of\n"
"                               failing sources)\n"
MC_CLI_DNS_HELP
"  -f, --format FORMAT          text (default on a terminal) | json\n"
"  -t, --timeout SECONDS        deadline for the DNS questions (default 30)\n"
"  -h, --help                   print this help and exit\n"
"\n"
"Exit codes: 0 every source passes, 1 some source fails DMARC, 3 no report\n"
"could be read, or bad usage.\n";

int
mc_cli_dmarc_report(int argc, char **argv)
{
	enum { OPT_NO_DNS = 256 };
	static const struct option longopts[] = {
		{ "no-dns", no_argument, NULL, OPT_NO_DNS },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mc_dmarc_summary *sum = NULL;
	struct mc_dmarc_sink sink;
	struct mc_cli_dns dopts;
	struct mc_cli_getopt opts = {
		.argc = argc, .argv = argv, .shortopts = "f:h",
		.longopts = longopts, .dns = &dopts,
	};
	struct mc_dns *dns = NULL;
	struct mc_dns_session *session = NULL;
	double start;
	int c, i, nodns = 0, json = !isatty(STDOUT_FILENO);
	int rc = MC_CLI_EXIT_USAGE;

	start = mc_now();
	mc_cli_voice("mailcheck dmarc-report", 0);
	mc_cli_dns_init(&dopts);
	while ((c = mc_cli_getopt(&opts)) != -1) {
		switch (c) {
		case OPT_NO_DNS:
			nodns = 1;
			break;
		case 'f':
			if (mc_cli_text_or_json(optarg, &json) == -1)
				return MC_CLI_EXIT_USAGE;
			break;
		case 'h':
			fputs(dmarc_report_usage, stdout);
			return mc_cli_finish(0);
		default: /* MC_CLI_TOLD */
			return MC_CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return mc_cli_usage_error("%s", "no report file given");
	if (nodns && (dopts.resolvers.n > 0 || dopts.zones.n > 0))
		return mc_cli_usage_error("%s", "--no-dns does not go with "
		    "--resolver or --zone-file");
	if (mc_cli_dns_ready(&dopts) == -1)
		return MC_CLI_EXIT_USAGE;

	sum = mc_dmarc_summary_new();
	if (sum == NULL) {
		mc_cli_error("out of memory");
		goto out;
	}
	mc_dmarc_summary_sink(sum, &sink);
	for (i = optind; i < argc; i++)
		mc_dmarc_read_path(argv[i], &sink);
	if (!nodns) {
		dns = mc_cli_dns_open(&dopts);
		if (dns == NULL)
			goto out;
		session = mc_dns_session_begin(dns, start + dopts.timeout);
		if (session == NULL ||
		    mc_dmarc_summary_resolve(sum, session) == -1) {
			mc_cli_error("out of memory");
			goto out;
		}
	}
	mc_dmarc_summary_judge(sum);
	if (json) {
		if (mc_dmarc_summary_write_json(sum, stdout) == -1) {
			mc_cli_error("cannot write JSON");
			goto out;
		}
	} else
		mc_dmarc_summary_text(sum, stdout);
	rc = mc_dmarc_summary_exit(sum);
out:
	mc_dns_session_end(session);
	mc_dns_free(dns);
	mc_dmarc_summary_free(sum);
	return mc_cli_finish(rc);
}
