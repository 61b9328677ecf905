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
 * plugin's answer) and one option parser, mc_cli_getopt(), that takes the
 * DNS options -r, -z, --overlay and -t with their limits.  Nothing here
 * names a check.
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
/* mailcheck merge [--domains-file F] OUT.jsonl...: shard outputs joined */
int mc_cli_merge(int argc, char **argv);

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
 * and -t/--timeout.  mc_cli_getopt() parses them for the command;
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

/*
 * The help lines of -r, -z and --overlay for a command other than the
 * full check (whose --help tells the zone-file rules in full), and of -t
 * for one whose deadline bounds the whole run.
 */
#define MC_CLI_DNS_HELP \
"  -r, --resolver ADDR[:PORT]   DNS server to ask (repeatable)\n" \
"  -z, --zone-file FILE...      answer DNS from zone files (repeatable; see\n" \
"                               'mailcheck --help')\n" \
"      --overlay                with --zone-file: the other names through the\n" \
"                               servers in /etc/resolv.conf\n"
#define MC_CLI_TIMEOUT_HELP \
"  -t, --timeout SECONDS        deadline for the whole run (default 30)\n"

#define MC_CLI_MAX_OPTIONS 128 /* long options of one command */
#define MC_CLI_TOLD '?'        /* mc_cli_getopt(): a problem was told */

/*
 * A command's option parsing (getopt_long(3) with opterr off, from
 * argv[1]).  Set the public members with a designated initializer; the
 * rest is mc_cli_getopt()'s.  shortopts and longopts are the command's
 * own options, without the DNS ones and without the leading ':'; longopts
 * ends with a zero row.
 */
struct mc_cli_getopt {
	int argc;
	char **argv;
	const char *shortopts;
	const struct option *longopts;
	struct mc_cli_dns *dns;       /* NULL: the command asks no DNS and
	                                 takes no DNS option */
	/* private */
	int started;
	char optstring[64];
	struct option all[MC_CLI_MAX_OPTIONS];
};
/*
 * The next option of the command's own (its value in optarg), after
 * taking every DNS option on the way into g->dns; -1 at the first operand
 * (optind indexes it), or MC_CLI_TOLD when an option was unknown, lacked
 * its value or was refused (the usage error told: exit 3).
 */
int mc_cli_getopt(struct mc_cli_getopt *g);

void mc_cli_dns_init(struct mc_cli_dns *d);
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
