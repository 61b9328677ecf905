/* SPDX-License-Identifier: ISC */
/*
 * src/cli/mailcheck.c - main(): the command table
 *
 * As git's cmd_* table: a row names a command and its entry point, and
 * main() only picks the row.  `mailcheck DOMAIN...` without a command name
 * is the check command, and so is the program invoked as check_mailcheck
 * (a Nagios/Icinga plugin).  A reserved name whose command is not built
 * yet says so and exits 3, rather than being taken for a domain.  A new
 * command slots in by adding a row (and its mc_cli_<name> in cli.h).
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "banned.h"

static const struct mc_cli_command commands[] = {
	{ .name = "check", .run = mc_cli_check },
	{ .name = "spf", .run = mc_cli_spf },
	{ .name = "verify", .run = mc_cli_verify },
	{ .name = "dmarc-report", .run = mc_cli_dmarc_report },
	{ .name = "merge", .run = mc_cli_merge },
};

static int
is_plugin_name(const char *argv0)
{
	char buf[256];
	size_t len;

	len = strlen(argv0);
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, argv0, len + 1);
	return strcmp(basename(buf), "check_mailcheck") == 0;
}

int
main(int argc, char **argv)
{
	const struct mc_cli_command *cmd = NULL;
	size_t i;

	mc_cli_voice("mailcheck", argc > 0 && is_plugin_name(argv[0]));
	for (i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]);
	    i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		return mc_cli_check(argc, argv);
	if (cmd->run == NULL) {
		mc_cli_error("the '%s' command is not in this version yet",
		    cmd->name);
		return MC_CLI_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
