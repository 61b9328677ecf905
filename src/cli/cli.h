/* SPDX-License-Identifier: ISC */
/*
 * src/cli/cli.h - subcommands of the mailcheck command
 *
 * Each takes the arguments after its name (argv[0] is the subcommand) and
 * returns the process exit code; only main() exits.
 */
#ifndef MAILCHECK_CLI_H
#define MAILCHECK_CLI_H

/*
 * Close stdout and return code, or 3 with a message when the output could
 * not be written: a truncated report must not exit 0.  (git run_builtin)
 */
int mc_cli_finish(int code);

/* Parse --timeout: seconds, more than 0, at most a day; 0 or -1. */
int mc_cli_parse_timeout(const char *s, double *out);

/* mailcheck spf --ip ADDR [--helo NAME] [--sender ADDR] [DOMAIN] */
int mc_cli_spf(int argc, char **argv);

#endif
