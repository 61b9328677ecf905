/* SPDX-License-Identifier: ISC */
/*
 * src/cli/spf_cmd.c - `mailcheck spf`: RFC 7208 check_host() for one client
 *
 * Prints the result, the explanation, the reason, and the numbers of DNS
 * lookups and void lookups; with --format json a document that also holds
 * the evaluation trace.  Exit 0 whenever a result was computed (whatever
 * it is), 3 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mailcheck/limits.h"
#include "mailcheck/report.h"
#include "mailcheck/spf.h"
#include "mailcheck/addr.h"
#include "mailcheck/domain.h"
#include "mailcheck/escape.h"
#include "banned.h"

static const char spf_usage[] =
"usage: mailcheck spf --ip ADDR [--helo NAME] [--sender ADDR] [DOMAIN]\n"
"\n"
"Runs RFC 7208 check_host() for a client address.  DOMAIN defaults to the\n"
"sender's domain, or the HELO name if there is no sender.\n"
"\n"
"  -i, --ip ADDR                the client's IPv4 or IPv6 address (required)\n"
"      --helo NAME              the HELO/EHLO name\n"
"      --sender ADDR            the MAIL FROM address\n"
MC_CLI_DNS_HELP
"  -f, --format FORMAT          text (default on a terminal) | json\n"
MC_CLI_TIMEOUT_HELP
"  -h, --help                   print this help and exit\n"
"\n"
"Exit codes: 0 a result was computed (it is in the output), 3 bad usage.\n";

/*
 * Print s escaped: raw content (shown == 0) with mc_escape_dup(), report
 * text that holds escapes already (the reason) with mc_safe_dup().
 */
static void
print_escaped(const char *label, const char *s, int shown)
{
	char *e;

	if (s == NULL)
		return;
	e = shown ? mc_safe_dup(s, strlen(s)) : mc_escape_dup(s, strlen(s));
	printf("%-13s %s\n", label, e != NULL ? e : "?");
	free(e);
}

int
mc_cli_spf(int argc, char **argv)
{
	enum { OPT_HELO = 256, OPT_SENDER };
	static const struct option longopts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, OPT_HELO },
		{ "sender", required_argument, NULL, OPT_SENDER },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mc_spf_request req = { 0 };
	struct mc_spf_outcome out;
	struct mc_cli_dns dopts;
	struct mc_cli_getopt opts = {
		.argc = argc, .argv = argv, .shortopts = "i:f:h",
		.longopts = longopts, .dns = &dopts,
	};
	struct mc_arena *arena = NULL;
	struct mc_dns *dns = NULL;
	struct mc_dns_session *session = NULL;
	char err[512], dom[MC_DNS_NAME_MAX + 2];
	double start;
	json_t *doc;
	int c, json = !isatty(STDOUT_FILENO), rc = MC_CLI_EXIT_USAGE;

	start = mc_now();
	mc_cli_voice("mailcheck spf", 0);
	mc_cli_dns_init(&dopts);
	while ((c = mc_cli_getopt(&opts)) != -1) {
		switch (c) {
		case 'i':
			req.ip = optarg;
			break;
		case OPT_HELO:
			req.helo = optarg;
			break;
		case OPT_SENDER:
			req.sender = optarg;
			break;
		case 'f':
			if (mc_cli_text_or_json(optarg, &json) == -1)
				return MC_CLI_EXIT_USAGE;
			break;
		case 'h':
			fputs(spf_usage, stdout);
			return mc_cli_finish(0);
		default: /* MC_CLI_TOLD */
			return MC_CLI_EXIT_USAGE;
		}
	}
	if (req.ip == NULL)
		return mc_cli_usage_error("%s", "--ip is required");
	if (!mc_is_ip_literal(req.ip) || req.ip[0] == '[')
		return mc_cli_usage_error("invalid IP address '%s'", req.ip);
	if (optind < argc - 1)
		return mc_cli_usage_error("%s", "more than one domain given");
	if (optind == argc - 1) {
		if (mc_is_ip_literal(argv[optind]))
			return mc_cli_usage_error("invalid domain: '%s' is "
			    "an IP address (the client's address goes in "
			    "--ip)", argv[optind]);
		if (mc_domain_normalise(argv[optind], dom, sizeof(dom), 1, err,
		    sizeof(err)) == -1)
			return mc_cli_usage_error("invalid domain: %s", err);
		req.domain = dom;
	} else if ((req.sender == NULL || strchr(req.sender, '@') == NULL ||
	    strrchr(req.sender, '@')[1] == '\0') &&
	    (req.helo == NULL || *req.helo == '\0'))
		return mc_cli_usage_error("%s", "no domain: give DOMAIN, "
		    "--sender or --helo");
	if (mc_cli_dns_ready(&dopts) == -1)
		return MC_CLI_EXIT_USAGE;

	dns = mc_cli_dns_open(&dopts);
	if (dns == NULL)
		goto out;
	session = mc_dns_session_begin(dns, start + dopts.timeout);
	arena = mc_arena_new();
	if (arena == NULL || session == NULL) {
		mc_cli_error("out of memory");
		goto out;
	}
	if (mc_spf_check_host(session, arena, &req, &out, err,
	    sizeof(err)) == -1) {
		mc_cli_error("%s", err);
		goto out;
	}
	if (json) {
		doc = json_pack("{s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:o}",
		    "result", mc_spf_result_str(out.result),
		    "domain", mc_json_dns_string(out.domain, strlen(out.domain)),
		    "explanation", out.explanation != NULL ?
		    mc_json_dns_string(out.explanation, strlen(out.explanation)) :
		    json_null(),
		    "reason", out.reason != NULL ? mc_json_shown(out.reason) :
		    json_null(),
		    "lookups", (json_int_t)out.lookups,
		    "void_lookups", (json_int_t)out.void_lookups,
		    "queries", (json_int_t)out.queries,
		    "trace", out.trace);
		if (doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER) == -1) {
			json_decref(doc);
			mc_cli_error("cannot write JSON");
			goto out;
		}
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		printf("%-13s %s\n", "result:", mc_spf_result_str(out.result));
		print_escaped("domain:", out.domain, 0);
		print_escaped("explanation:", out.explanation, 0);
		print_escaped("reason:", out.reason, 1);
		printf("%-13s %zu\n", "lookups:", out.lookups);
		printf("%-13s %zu\n", "void_lookups:", out.void_lookups);
		json_decref(out.trace);
	}
	rc = 0;
out:
	mc_arena_free(arena);
	mc_dns_session_end(session);
	mc_dns_free(dns);
	return mc_cli_finish(rc);
}
