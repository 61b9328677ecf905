/* SPDX-License-Identifier: ISC */
/*
 * src/cli/cli.h - the commands of the mailcheck program and what they share
 *
 * src/cli/mailcheck.c holds main() and the command table (git's cmd_*
 * table): a row names a command and its entry point.  Each command takes
 * the arguments after its name (argv[0] is the command's name, or the
 * program's for the default command) and returns the exit code; only
 * main() exits.  The commands share, from src/cli/common.c, the way a
 * problem is told (escaped, one line on stderr; in plugin mode also the
 * plugin's answer) and one parser for the DNS options -r, -z and -t with
 * their limits.  Nothing here names a check.
 */
#ifndef MAILCHECK_CLI_H
#define MAILCHECK_CLI_H

#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>

#include "mailcheck/dns.h"

#define MC_CLI_EXIT_USAGE 3
#define MC_CLI_MAX_LIST 64 /* values of one repeatable option */

/* A command of the table. */
struct mc_cli_command {
	const char *name;
	/* the command, or NULL: reserved, not in this version yet (exit 3) */
	int (*run)(int argc, char **argv);
};

/* mailcheck [check] [OPTIONS] DOMAIN...: the full health check */
int mc_cli_check(int argc, char **argv);
/* mailcheck spf --ip ADDR [--helo NAME] [--sender ADDR] [DOMAIN] */
int mc_cli_spf(int argc, char **argv);
/* mailcheck dmarc-report [OPTIONS] FILE... (src/cli/dmarc_report_cmd.c) */
int mc_cli_dmarc_report(int argc, char **argv);
/* mailcheck verify [OPTIONS] FILE|-: DKIM, SPF and DMARC of one message */
int mc_cli_verify(int argc, char **argv);

/*
 * How the running command tells problems: "<prog>: <problem>" on stderr
 * (prog: "mailcheck", "mailcheck spf", static), usage errors followed by
 * " (see '<prog> --help')"; when plugin is set, also "MAILCHECK UNKNOWN -
 * <problem>" on stdout, within the plugin's first-line limit.  A command
 * sets it before it parses; the default is "mailcheck", no plugin.
 */
void mc_cli_voice(const char *prog, int plugin);
/* Is the voice the plugin's (main() sets it for check_mailcheck)? */
int mc_cli_plugin(void);

/*
 * Tell a problem.  The formatted text is shown with every byte that is not
 * printable ASCII as \DDD, whatever it quotes (user input, file contents).
 * Returns MC_CLI_EXIT_USAGE, for `return mc_cli_error(...)`.
 */
int mc_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for bad usage: the problem, then where to read more. */
int mc_cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/*
 * The option getopt_long() stopped at (after '?' or ':'): "--name[=value]",
 * or "-c" from a cluster.  Static storage.
 */
const char *mc_cli_bad_option(char **argv);
/*
 * Tell the usage error for getopt_long()'s answer c, ':' (a value missing)
 * or anything else (an unknown option); returns MC_CLI_EXIT_USAGE.
 */
int mc_cli_option_error(int c, char **argv);
/*
 * Close stdout and return code, or 3 with a message when the output could
 * not be written: a truncated report must not exit 0.  (git run_builtin)
 */
int mc_cli_finish(int code);

/*
 * The value of -f/--format for a command that writes text or JSON: sets
 * *json and returns 0, or -1 (told as a usage error).
 */
int mc_cli_text_or_json(const char *arg, int *json);

/* The values of a repeatable option. */
struct mc_cli_list {
	const char *v[MC_CLI_MAX_LIST];
	size_t n;
};
/* Append v, given as option opt; -1 (told) when the list is full. */
int mc_cli_list_add(struct mc_cli_list *l, const char *v, const char *opt);

/*
 * The DNS options every command that asks DNS takes: -r/--resolver,
 * -z/--zone-file (each repeatable, at most MC_CLI_MAX_LIST), --overlay
 * and -t/--timeout.  Splice MC_CLI_DNS_SHORTOPTS into the command's getopt
 * string and MC_CLI_DNS_LONGOPTS into its option table, and offer each
 * option character to mc_cli_dns_option() first, with argc and argv:
 * -z takes the arguments after its value that name zone files too
 * (the files a shell glob after -z expands to), moving optind past them.
 */
struct mc_cli_dns {
	struct mc_cli_list resolvers, zones;
	int overlay;    /* --overlay: zone files over resolv.conf's servers */
	double timeout; /* seconds; MC_DEFAULT_TIMEOUT unless -t */
	double qps;     /* queries a second to each server; 0: no cap (a
	                   command that offers --qps sets it) */
	const char *dqs_key; /* a Spamhaus DQS key, or NULL: never shown */
};
#define MC_CLI_OPT_OVERLAY 1000 /* above every command's own codes */
#define MC_CLI_DNS_SHORTOPTS "r:z:t:"
#define MC_CLI_DNS_LONGOPTS \
	{ "resolver", required_argument, NULL, 'r' }, \
	{ "zone-file", required_argument, NULL, 'z' }, \
	{ "overlay", no_argument, NULL, MC_CLI_OPT_OVERLAY }, \
	{ "timeout", required_argument, NULL, 't' }

void mc_cli_dns_init(struct mc_cli_dns *d);
/*
 * Take option c with its value arg when it is a DNS option: 1 taken, 0 not
 * a DNS option, -1 refused (the problem told).
 */
int mc_cli_dns_option(struct mc_cli_dns *d, int c, const char *arg,
    int argc, char **argv);
/* After parsing: 0 when the options go together, else -1 (told). */
int mc_cli_dns_ready(const struct mc_cli_dns *d);
/*
 * After parsing: the DNS layer for these options, with the query timeout
 * clamped to the run's (the run's deadline goes to its session,
 * mc_dns_session_begin()).  NULL when the options do not go together or
 * the layer cannot start (the problem told).
 */
struct mc_dns *mc_cli_dns_open(const struct mc_cli_dns *d);
/*
 * Parse a timeout: a plain decimal number of seconds ("30", "2.5", ".5"),
 * from 0.001 to 86400; no sign, exponent, hex, blank or "inf".  0, or -1.
 */
int mc_cli_parse_timeout(const char *s, double *out);
/* The same syntax for any decimal number from min to max: 0, or -1. */
int mc_cli_parse_decimal(const char *s, double min, double max, double *out);

#endif
