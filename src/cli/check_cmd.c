/* SPDX-License-Identifier: ISC */
/*
 * src/cli/check_cmd.c - `mailcheck [check]`: the full health check
 *
 * Parses the command line, opens the DNS layer, sets the selected checks
 * up, hands the domains to the bulk runner (src/bulk.c: one domain or
 * many, rendered as they finish), and turns the worst status into the exit
 * code.  Invoked as check_mailcheck (or with --format nagios) it is a
 * Nagios/Icinga plugin.  A thin user of libmailcheck: it names no check.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <signal.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mailcheck/baseline.h"
#include "mailcheck/bulk.h"
#include "mailcheck/check.h"
#include "mailcheck/connect.h"
#include "mailcheck/dkim_selectors.h"
#include "mailcheck/domain.h"
#include "mailcheck/dqs.h"
#include "mailcheck/limits.h"
#include "mailcheck/resume.h"
#include "mailcheck/runner.h"
#include "mailcheck/shard.h"
#include "banned.h"

/* cli.selectors (a struct mc_cli_list) holds every -s */
_Static_assert(MC_DKIM_MAX_USER_SELECTORS <= MC_CLI_MAX_LIST,
    "struct mc_cli_list is too small for the --dkim-selector limit");

enum format { FMT_AUTO, FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_NAGIOS };
enum fail_on { FAIL_WARN, FAIL_CRIT };

struct cli {
	struct mc_cli_dns dns;
	struct mc_cli_list selectors, ips, dnsbl_zones, hosts, connect_to;
	struct mc_cli_list bimi_selectors;
	const char *dnsbl_config;
	const char *ca_file, *http_root, *helo_name, *trust_anchor;
	int smtp_port, smtp_all_addresses;
	/* --dkim-selector, normalised, each once (selectors.v points here) */
	char selbuf[MC_DKIM_MAX_USER_SELECTORS][MC_DNS_NAME_MAX + 2];
	enum format format;
	const char *checks;
	int verbose;
	struct mc_threshold thresholds[MC_CLI_MAX_LIST];
	size_t nthresholds;
	enum fail_on fail_on;
	int fail_on_change;
	const char *fail_on_arg;      /* --fail-on as given, or NULL */
	const char *baseline;
	const char *domains_file;
	int parallel;
	const char *shard_arg;        /* --shard I/N or auto, or NULL */
	int shards;                   /* --shards N, 0: not given */
	const char *resume;           /* --resume FILE, or NULL */
	int info_exit;                /* exit code of --help, --version */
	/* the Spamhaus DQS key (cli.dns.dqs_key points here when set): a
	   secret, never shown */
	char dqs_key[MC_DQS_KEY_MAX + 2];
	const char *dqs_key_file;
	int dqs_key_argv;             /* given with --dnsbl-dqs-key */
};

static const char usage_text[] =
"usage: mailcheck [OPTIONS] DOMAIN...       full health check (also: mailcheck check ...)\n"
"       mailcheck [OPTIONS] --domains-file FILE   bulk mode\n"
"       check_mailcheck -H DOMAIN [-w METRIC=RANGE] [-c METRIC=RANGE] [-t SECONDS]\n"
"                                          Nagios/Icinga plugin (also --format nagios)\n"
"       mailcheck spf --ip ADDR [--helo NAME] [--sender ADDR] [DOMAIN]\n"
"       mailcheck dmarc-report [--no-dns] [-r|-z ...] [-f FORMAT] FILE...\n"
"                                          summarise DMARC aggregate reports\n"
"       mailcheck verify [--ip ADDR [--helo NAME] [--mail-from ADDR]] [--explain]\n"
"                 [--authserv-id NAME] [--max-size BYTES] [--now SECONDS] FILE|-\n"
"       mailcheck merge [--domains-file FILE] OUT.jsonl...\n"
"                                          join the outputs of the shards of a run\n"
"\n"
"  -r, --resolver ADDR[:PORT]   DNS server to ask (repeatable; IPv6 as [::1]:5300);\n"
"                               default: the servers in /etc/resolv.conf\n"
"  -z, --zone-file FILE...      answer DNS from zone files (repeatable; several files\n"
"                               after one -z; a directory: its *.zone files); alone\n"
"                               no network: names outside the files' zones are not\n"
"                               checked (unknown); with --resolver an overlay: those\n"
"                               names through the resolver, the rest from the files\n"
"      --overlay                with --zone-file: the overlay over the servers in\n"
"                               /etc/resolv.conf\n"
"  -f, --format FORMAT          text (default on a terminal) | json (default otherwise)\n"
"                               | jsonl (one document a line, written as each domain\n"
"                               finishes) | nagios (plugin output)\n"
"  -t, --timeout SECONDS        deadline for the whole run (default 30); with\n"
"                               --domains-file, for each domain; in plugin mode a\n"
"                               hard deadline: UNKNOWN naming the unfinished checks\n"
"      --checks LIST            comma-separated subset of checks (see --list-checks)\n"
"  -s, --dkim-selector NAME     DKIM selector to check (repeatable, at most 64),\n"
"                               besides the shipped list of common selectors\n"
"      --bimi-selector NAME     BIMI selector to check besides default (repeatable,\n"
"                               at most 7)\n"
"  -i, --ip ADDR                outbound IP address of the domain's mail (repeatable)\n"
"      --dnsbl-zone ZONE        blocklist zone (repeatable; replaces the zone list;\n"
"                               any answer 127.0.0.2-127.0.0.254 means listed)\n"
"      --dnsbl-config FILE      blocklist zone list (default: data/dnsbl-zones)\n"
"      --dnsbl-dqs-key KEY      a Spamhaus DQS key: Spamhaus's zones are asked as\n"
"                               KEY.<list>.dq.spamhaus.net (prefer the environment,\n"
"                               MAILCHECK_DQS_KEY, or the next option: argv shows in\n"
"                               process listings until overwritten); never printed\n"
"      --dnsbl-dqs-key-file FILE  the DQS key: the first line of FILE\n";

/* Options for connections other than DNS, and the rest. */
static const char usage_text2[] =
"      --connect-to HOST:PORT:ADDR:PORT\n"
"                               connect to ADDR:PORT instead of HOST:PORT for HTTPS\n"
"                               and SMTP (curl's meaning; repeatable; HOST or PORT\n"
"                               empty: any; ADDR an IP address); with --zone-file\n"
"                               the only hosts connected to\n"
"      --ca-file FILE           trust the CA certificates in FILE (PEM) instead of\n"
"                               the system's store, for HTTPS and SMTP\n"
"      --http-root DIR          with --zone-file, answer https://HOST/PATH from\n"
"                               DIR/HOST/PATH (check a policy before publishing it)\n"
"      --helo-name NAME         the name the SMTP probe gives in EHLO (default:\n"
"                               this machine's host name)\n"
"      --smtp-port PORT         the port of the SMTP probe (default 25)\n"
"      --smtp-addresses first|all\n"
"                               probe the first IPv4 and first IPv6 address of\n"
"                               each MX host (default), or all of them\n"
"      --trust-anchor FILE      DNSSEC trust anchors (DS/DNSKEY records in zone-file\n"
"                               syntax) instead of the built-in root keys\n"
"  -H, --host DOMAIN            the domain to check (plugin style; repeatable,\n"
"                               but plugin mode takes exactly one)\n"
"  -w, --warning METRIC=RANGE   warning threshold for a metric (repeatable); METRIC\n"
"                               is <check>_<metric> as in the perfdata (see\n"
"                               --list-metrics; time in plugin mode only), RANGE as\n"
"                               in the Monitoring Plugins guidelines: 10, 10:, ~:10,\n"
"                               10:20, @10:20; overrides the check's own severity\n"
"  -c, --critical METRIC=RANGE  critical threshold, likewise\n"
"      --fail-on LIST           what makes the exit code non-zero in text and JSON\n"
"                               modes: warn (default: the exit codes below), crit\n"
"                               (warnings exit 0), and/or change (with --baseline,\n"
"                               a change for the worse exits at least 1; changes\n"
"                               for the better are listed only), e.g. crit,change\n"
"      --baseline FILE          compare with an earlier JSON or JSON Lines report\n"
"                               and list the changes (JSON: a \"changes\" array)\n";

/* Bulk mode and the rest. */
static const char usage_text3[] =
"      --domains-file FILE      check the domains in FILE, one a line ('-': stdin;\n"
"                               '#' comments; invalid lines reported and skipped)\n"
"      --parallel N             domains in flight (default 32)\n"
"      --shard I/N              with --domains-file, check only shard I of N\n"
"                               (I from 0): the domains whose FNV-1a 64 hash of\n"
"                               the lower-case A-label, modulo N, is I\n"
"      --shard auto             the shard from JOB_COMPLETION_INDEX (Kubernetes\n"
"                               Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm array)\n"
"      --shards N               the shard count for --shard auto (needed with\n"
"                               Kubernetes; Slurm's SLURM_ARRAY_TASK_COUNT else)\n"
"      --resume FILE            with --domains-file: skip the domains FILE has a\n"
"                               report line for, cut a torn last line, append the\n"
"                               new JSON Lines to FILE (created if absent), none to\n"
"                               stdout; exit code: the worst over all of FILE\n"
"      --qps N                  at most N queries a second to each DNS server\n"
"                               (a token bucket: any T seconds see at most\n"
"                               N*T + max(1, N/10)); shown in the progress line\n"
"  -v, --verbose                text: the SPF include tree with each include's cost\n"
"                               and what to cut; -vv also every record seen; -vvv\n"
"                               also metrics; with several domains, full reports\n"
"                               instead of one line each\n"
"      --list-checks            list the checks and exit\n"
"      --list-metrics           list the metrics -w/-c take (perfdata labels) and exit\n"
"  -V, --version                print the version and exit\n"
"  -h, --help                   print this help and exit\n"
"\n"
"Exit codes: 0 all checks ok or info, 1 a warning, 2 a critical finding,\n"
"3 unknown (bad usage, or a check could not reach a verdict). A critical\n"
"finding outranks an unknown one, which outranks a warning. Bulk mode exits\n"
"with the worst over all domains; an invalid line counts as unknown. Plugin\n"
"mode: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. SIGINT or SIGTERM stops a\n"
"--domains-file run: no new domains, those in flight finish within --timeout,\n"
"the summary says \"interrupted\", exit 3 (2 if a critical finding was seen);\n"
"a second signal ends it at once.\n"
"Colours are used on a terminal unless NO_COLOR is set.\n"
"Shipped data (DKIM selector and DNSBL zone lists) is read from\n"
"$MAILCHECK_DATADIR alone if set, else from ../share/mailcheck or data/ beside\n"
"the executable, else from " MC_DATADIR ", else from the source\n"
"tree's data/.\n";

/* Set when invoked as check_mailcheck or given --format nagios. */
static int plugin_mode;

/* --fail-on warn|crit|change, comma-separated. */
static int
parse_fail_on(const char *s, struct cli *cli)
{
	const char *p, *end;
	size_t len;

	for (p = s;; p = end + 1) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 4 && strncmp(p, "warn", 4) == 0)
			cli->fail_on = FAIL_WARN;
		else if (len == 4 && strncmp(p, "crit", 4) == 0)
			cli->fail_on = FAIL_CRIT;
		else if (len == 6 && strncmp(p, "change", 6) == 0)
			cli->fail_on_change = 1;
		else
			return -1;
		if (*end == '\0')
			return 0;
	}
}

static int
add_threshold(struct cli *cli, const char *arg, enum mc_status sev)
{
	char err[256];

	if (cli->nthresholds == MC_CLI_MAX_LIST) {
		mc_cli_error("too many thresholds (at most %d)",
		    MC_CLI_MAX_LIST);
		return -1;
	}
	if (mc_threshold_parse(arg, sev, &cli->thresholds[cli->nthresholds],
	    err, sizeof(err)) == -1 ||
	    mc_threshold_known(&cli->thresholds[cli->nthresholds], err,
	    sizeof(err)) == -1) {
		mc_cli_usage_error("%s", err);
		return -1;
	}
	cli->nthresholds++;
	return 0;
}

static void
list_checks(void)
{
	size_t i;

	for (i = 0; mc_checks[i] != NULL; i++)
		printf("%-8s %s (%s)%s%s\n", mc_checks[i]->name,
		    mc_checks[i]->summary, mc_checks[i]->rfc,
		    mc_checks[i]->run == NULL ? " [not built]" : "",
		    mc_checks[i]->flags & MC_CHECK_DEFAULT ? "" :
		    " [only with --checks]");
}

/* The names -w/-c take: the perfdata labels, "time" first. */
static void
list_metrics(void)
{
	char label[MC_METRIC_NAME_MAX];
	size_t i, k;

	printf("time\n");
	for (i = 0; mc_checks[i] != NULL; i++)
		for (k = 0; mc_checks[i]->metrics != NULL &&
		    mc_checks[i]->metrics[k] != NULL; k++)
			if (mc_metric_label(mc_checks[i]->name,
			    mc_checks[i]->metrics[k], label, sizeof(label)) == 0)
				printf("%s\n", label);
}

static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* -s NAME: a valid selector, asked once however often it is given. */
static int
add_selector(struct cli *cli, const char *arg)
{
	char name[MC_DNS_NAME_MAX + 2], err[512];
	size_t i;

	if (mc_dkim_selector_normalise(arg, name, sizeof(name), err,
	    sizeof(err)) == -1) {
		mc_cli_usage_error("invalid DKIM selector: %s", err);
		return -1;
	}
	for (i = 0; i < cli->selectors.n; i++)
		if (strcmp(cli->selectors.v[i], name) == 0)
			return 0;
	if (cli->selectors.n == MC_DKIM_MAX_USER_SELECTORS) {
		mc_cli_error("too many --dkim-selector options (at most %d)",
		    MC_DKIM_MAX_USER_SELECTORS);
		return -1;
	}
	memcpy(cli->selbuf[cli->selectors.n], name, strlen(name) + 1);
	cli->selectors.v[cli->selectors.n] = cli->selbuf[cli->selectors.n];
	cli->selectors.n++;
	return 0;
}

/* A decimal integer option from min to max: 0, or -1 (told). */
static int
parse_int(const char *opt, const char *arg, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max) {
		mc_cli_usage_error("invalid %s '%s' (expected %ld to %ld)", opt,
		    arg, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* --connect-to: valid syntax, an IP address to connect to. */
static int
parse_connect_to(struct cli *cli, const char *arg)
{
	struct mc_connect_to ct;
	char err[512];

	if (mc_connect_to_parse(arg, &ct, err, sizeof(err)) == -1) {
		mc_cli_usage_error("%s", err);
		return -1;
	}
	return mc_cli_list_add(&cli->connect_to, arg, "--connect-to");
}

/*
 * --dnsbl-dqs-key KEY: keep a copy and overwrite argv's, so that process
 * listings (ps, /proc/PID/cmdline) show '*' from now on.  Checked later,
 * with the other ways to give it (dqs_key_ready()).
 */
static void
take_argv_key(struct cli *cli, char *arg)
{
	size_t len = strlen(arg);

	snprintf(cli->dqs_key, sizeof(cli->dqs_key), "%s", arg);
	memset(arg, '*', len);
	cli->dqs_key_argv = 1;
}

/*
 * The DQS key from --dnsbl-dqs-key, else --dnsbl-dqs-key-file (its first
 * line), else $MAILCHECK_DQS_KEY; valid, or none.  0, or -1 (told,
 * without the key).
 */
static int
dqs_key_ready(struct cli *cli)
{
	const char *from = "--dnsbl-dqs-key", *env;
	size_t len;
	FILE *fp;

	if (!cli->dqs_key_argv && cli->dqs_key_file != NULL) {
		from = "--dnsbl-dqs-key-file";
		fp = fopen(cli->dqs_key_file, "r");
		if (fp == NULL) {
			mc_cli_error("cannot read --dnsbl-dqs-key-file '%s': %s",
			    cli->dqs_key_file, strerror(errno));
			return -1;
		}
		if (fgets(cli->dqs_key, sizeof(cli->dqs_key), fp) == NULL)
			cli->dqs_key[0] = '\0';
		fclose(fp);
		len = strcspn(cli->dqs_key, "\r\n");
		cli->dqs_key[len] = '\0';
	} else if (!cli->dqs_key_argv) {
		from = "MAILCHECK_DQS_KEY";
		env = getenv("MAILCHECK_DQS_KEY");
		if (env == NULL || *env == '\0')
			return 0;
		snprintf(cli->dqs_key, sizeof(cli->dqs_key), "%s", env);
		/* longer than the buffer: too long, and so invalid */
		if (strlen(env) >= sizeof(cli->dqs_key))
			cli->dqs_key[0] = '\0';
	}
	if (!mc_dqs_key_valid(cli->dqs_key)) {
		/* the value is a secret: never shown */
		memset(cli->dqs_key, 0, sizeof(cli->dqs_key));
		mc_cli_usage_error("invalid Spamhaus DQS key from %s (expected "
		    "1 to %d letters and digits; the value is not shown)",
		    from, MC_DQS_KEY_MAX);
		return -1;
	}
	cli->dns.dqs_key = cli->dqs_key;
	return 0;
}

static int
parse_args(int argc, char **argv, struct cli *cli)
{
	enum { OPT_CHECKS = 256, OPT_LIST, OPT_LIST_METRICS, OPT_DNSBL_ZONE, OPT_DNSBL_CONFIG,
		OPT_FAIL_ON, OPT_BASELINE, OPT_DOMAINS_FILE, OPT_PARALLEL,
		OPT_CONNECT_TO, OPT_CA_FILE, OPT_HTTP_ROOT, OPT_HELO_NAME,
		OPT_SMTP_PORT, OPT_SMTP_ADDRESSES, OPT_TRUST_ANCHOR,
		OPT_BIMI_SELECTOR, OPT_SHARD, OPT_SHARDS, OPT_RESUME, OPT_QPS,
		OPT_DQS_KEY, OPT_DQS_KEY_FILE };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "checks", required_argument, NULL, OPT_CHECKS },
		{ "dkim-selector", required_argument, NULL, 's' },
		{ "bimi-selector", required_argument, NULL, OPT_BIMI_SELECTOR },
		{ "ip", required_argument, NULL, 'i' },
		{ "dnsbl-zone", required_argument, NULL, OPT_DNSBL_ZONE },
		{ "dnsbl-config", required_argument, NULL, OPT_DNSBL_CONFIG },
		{ "dnsbl-dqs-key", required_argument, NULL, OPT_DQS_KEY },
		{ "dnsbl-dqs-key-file", required_argument, NULL,
		    OPT_DQS_KEY_FILE },
		{ "host", required_argument, NULL, 'H' },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'c' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "domains-file", required_argument, NULL, OPT_DOMAINS_FILE },
		{ "parallel", required_argument, NULL, OPT_PARALLEL },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "shards", required_argument, NULL, OPT_SHARDS },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "qps", required_argument, NULL, OPT_QPS },
		{ "connect-to", required_argument, NULL, OPT_CONNECT_TO },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "http-root", required_argument, NULL, OPT_HTTP_ROOT },
		{ "helo-name", required_argument, NULL, OPT_HELO_NAME },
		{ "smtp-port", required_argument, NULL, OPT_SMTP_PORT },
		{ "smtp-addresses", required_argument, NULL, OPT_SMTP_ADDRESSES },
		{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list-checks", no_argument, NULL, OPT_LIST },
		{ "list-metrics", no_argument, NULL, OPT_LIST_METRICS },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char buf[16];
	char name[MC_DNS_NAME_MAX + 2], err[512];
	struct stat sb;
	struct mc_cli_getopt opts = {
		.argc = argc, .argv = argv, .shortopts = "f:s:i:H:w:c:vVh",
		.longopts = longopts, .dns = &cli->dns,
	};
	int c;

	while ((c = mc_cli_getopt(&opts)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") == 0)
				cli->format = FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				cli->format = FMT_JSON;
			else if (strcmp(optarg, "jsonl") == 0)
				cli->format = FMT_JSONL;
			else if (strcmp(optarg, "nagios") == 0) {
				cli->format = FMT_NAGIOS;
				plugin_mode = 1;
				mc_cli_voice("mailcheck", 1);
			} else {
				mc_cli_usage_error("unknown format '%s' "
				    "(expected text, json, jsonl or nagios)",
				    optarg);
				return -1;
			}
			break;
		case OPT_CHECKS:
			cli->checks = optarg;
			break;
		case 's':
			if (add_selector(cli, optarg) == -1)
				return -1;
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, buf) != 1 &&
			    inet_pton(AF_INET6, optarg, buf) != 1) {
				mc_cli_usage_error("invalid IP address '%s'",
				    optarg);
				return -1;
			}
			if (mc_cli_list_add(&cli->ips, optarg, "--ip") == -1)
				return -1;
			break;
		case OPT_DNSBL_ZONE:
			if (mc_cli_list_add(&cli->dnsbl_zones, optarg,
			    "--dnsbl-zone") == -1)
				return -1;
			break;
		case OPT_DNSBL_CONFIG:
			cli->dnsbl_config = optarg;
			break;
		case OPT_DQS_KEY:
			take_argv_key(cli, optarg);
			break;
		case OPT_DQS_KEY_FILE:
			cli->dqs_key_file = optarg;
			break;
		case OPT_BIMI_SELECTOR:
			/* checked by the bimi check's setup */
			if (mc_cli_list_add(&cli->bimi_selectors, optarg,
			    "--bimi-selector") == -1)
				return -1;
			break;
		case 'H':
			if (mc_cli_list_add(&cli->hosts, optarg,
			    "--host") == -1)
				return -1;
			break;
		case 'w':
		case 'c':
			if (add_threshold(cli, optarg, c == 'w' ? MC_WARN :
			    MC_CRIT) == -1)
				return -1;
			break;
		case OPT_FAIL_ON:
			cli->fail_on_arg = optarg;
			if (parse_fail_on(optarg, cli) == -1) {
				mc_cli_usage_error("invalid --fail-on '%s' "
				    "(expected warn, crit or change, "
				    "comma-separated)", optarg);
				return -1;
			}
			break;
		case OPT_BASELINE:
			cli->baseline = optarg;
			break;
		case OPT_DOMAINS_FILE:
			cli->domains_file = optarg;
			break;
		case OPT_PARALLEL:
			if (parse_int("--parallel", optarg, 1,
			    MC_BULK_PARALLEL_MAX, &cli->parallel) == -1)
				return -1;
			break;
		case OPT_SHARD:
			cli->shard_arg = optarg;
			break;
		case OPT_SHARDS:
			if (parse_int("--shards", optarg, 1, MC_SHARD_MAX,
			    &cli->shards) == -1)
				return -1;
			break;
		case OPT_RESUME:
			cli->resume = optarg;
			break;
		case OPT_QPS:
			if (mc_cli_parse_decimal(optarg, 0.1, MC_QPS_MAX,
			    &cli->dns.qps) == -1) {
				mc_cli_usage_error("invalid --qps '%s' (expected "
				    "queries a second, a decimal number from 0.1 "
				    "to %.0f)", optarg, MC_QPS_MAX);
				return -1;
			}
			break;
		case OPT_CONNECT_TO:
			if (parse_connect_to(cli, optarg) == -1)
				return -1;
			break;
		case OPT_CA_FILE:
		case OPT_TRUST_ANCHOR:
			if (access(optarg, R_OK) == -1) {
				mc_cli_error("cannot read %s '%s': %s",
				    c == OPT_CA_FILE ? "--ca-file" :
				    "--trust-anchor", optarg, strerror(errno));
				return -1;
			}
			if (c == OPT_CA_FILE)
				cli->ca_file = optarg;
			else
				cli->trust_anchor = optarg;
			break;
		case OPT_HTTP_ROOT:
			if (stat(optarg, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
				mc_cli_error("invalid --http-root '%s': not a "
				    "directory", optarg);
				return -1;
			}
			cli->http_root = optarg;
			break;
		case OPT_HELO_NAME:
			if (mc_domain_normalise(optarg, name, sizeof(name), 0,
			    err, sizeof(err)) == -1) {
				mc_cli_usage_error("invalid --helo-name: %s",
				    err);
				return -1;
			}
			cli->helo_name = optarg;
			break;
		case OPT_SMTP_PORT:
			if (parse_int("--smtp-port", optarg, 1, 65535,
			    &cli->smtp_port) == -1)
				return -1;
			break;
		case OPT_SMTP_ADDRESSES:
			if (strcmp(optarg, "first") == 0)
				cli->smtp_all_addresses = 0;
			else if (strcmp(optarg, "all") == 0)
				cli->smtp_all_addresses = 1;
			else {
				mc_cli_usage_error("invalid --smtp-addresses "
				    "'%s' (expected first or all)", optarg);
				return -1;
			}
			break;
		case 'v':
			if (cli->verbose < 3)
				cli->verbose++;
			break;
		case OPT_LIST:
			list_checks();
			return 1;
		case OPT_LIST_METRICS:
			list_metrics();
			return 1;
		case 'V':
			printf("mailcheck %s\n", MC_VERSION);
			cli->info_exit = mc_cli_plugin() ? MC_CLI_EXIT_USAGE : 0;
			return 1;
		case 'h':
			fputs(usage_text, stdout);
			fputs(usage_text2, stdout);
			fputs(usage_text3, stdout);
			cli->info_exit = mc_cli_plugin() ? MC_CLI_EXIT_USAGE : 0;
			return 1;
		default: /* MC_CLI_TOLD */
			return -1;
		}
	}
	return 0;
}

/*
 * Plugin mode's backstop: the DNS deadline normally ends every check in
 * time and the report names the unfinished ones; this fires only if
 * something still runs a second later.
 */
static void
on_alarm(int sig)
{
	static const char msg[] = "MAILCHECK UNKNOWN - hard deadline passed "
	    "with checks still running\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) == -1)
		_exit(MC_CLI_EXIT_USAGE);
	_exit(MC_CLI_EXIT_USAGE);
}

/* The exit code of a finished run. */
static int
exit_code(const struct cli *cli, const struct mc_bulk_stats *st)
{
	enum mc_status worst = st->worst;
	int code;

	/* a report not written or domains not read or not checked (a
	   signal stopped the run): no verdict */
	if ((st->invalid > 0 || st->write_error || st->interrupted != 0) &&
	    worst < MC_UNKNOWN)
		worst = MC_UNKNOWN;
	code = mc_status_exit(worst);
	if (cli->format == FMT_NAGIOS)
		return code;
	if (cli->fail_on == FAIL_CRIT && worst == MC_WARN)
		code = 0;
	if (cli->fail_on_change && st->worse > 0 && code == 0)
		code = 1;
	return code;
}

/* Options that do not go together, or no domain: -1, told. */
static int
usage_conflicts(const struct cli *cli, size_t nnames)
{
	size_t i;

	if (nnames == 0 && cli->domains_file == NULL) {
		mc_cli_usage_error("%s", "no domain given");
		return -1;
	}
	if (cli->format == FMT_NAGIOS && (nnames != 1 ||
	    cli->domains_file != NULL)) {
		mc_cli_usage_error("%s", "plugin mode checks exactly one "
		    "domain");
		return -1;
	}
	/* the plugin's state follows the guidelines, not the CI options */
	if (cli->format == FMT_NAGIOS && (cli->baseline != NULL ||
	    cli->fail_on_arg != NULL)) {
		mc_cli_usage_error("%s does not apply in plugin mode",
		    cli->baseline != NULL ? "--baseline" : "--fail-on");
		return -1;
	}
	for (i = 0; i < cli->nthresholds; i++) {
		if (cli->format != FMT_NAGIOS &&
		    strcmp(cli->thresholds[i].metric, "time") == 0) {
			mc_cli_usage_error("%s", "a threshold on 'time' needs "
			    "plugin mode (--format nagios): the report has no "
			    "place for it");
			return -1;
		}
	}
	if (mc_cli_dns_ready(&cli->dns) == -1)
		return -1;
	if (cli->dqs_key_argv && cli->dqs_key_file != NULL) {
		mc_cli_usage_error("%s", "--dnsbl-dqs-key and "
		    "--dnsbl-dqs-key-file exclude each other");
		return -1;
	}
	if (cli->fail_on_change && cli->baseline == NULL) {
		mc_cli_usage_error("%s", "--fail-on change needs --baseline "
		    "(there is nothing to compare with)");
		return -1;
	}
	if (cli->http_root != NULL && cli->dns.zones.n == 0) {
		mc_cli_usage_error("%s", "--http-root needs --zone-file (it "
		    "answers HTTPS in offline runs)");
		return -1;
	}
	if ((cli->shard_arg != NULL || cli->resume != NULL) &&
	    cli->domains_file == NULL) {
		mc_cli_usage_error("%s needs --domains-file",
		    cli->shard_arg != NULL ? "--shard" : "--resume");
		return -1;
	}
	if (cli->shards != 0 && (cli->shard_arg == NULL ||
	    strcmp(cli->shard_arg, "auto") != 0)) {
		mc_cli_usage_error("%s", "--shards goes with --shard auto "
		    "(--shard I/N names its count)");
		return -1;
	}
	if (cli->resume != NULL && cli->format != FMT_AUTO &&
	    cli->format != FMT_JSONL) {
		mc_cli_usage_error("%s", "--resume writes JSON Lines: drop "
		    "--format or give --format jsonl");
		return -1;
	}
	if (cli->dnsbl_zones.n > 0 && cli->dnsbl_config != NULL) {
		mc_cli_usage_error("%s", "--dnsbl-zone and --dnsbl-config "
		    "exclude each other");
		return -1;
	}
	return 0;
}

/* --shard I/N or auto into s: 0, or -1 (told as a usage error). */
static int
resolve_shard(const struct cli *cli, struct mc_shard *s)
{
	char err[512];
	int rc;

	if (strcmp(cli->shard_arg, "auto") == 0)
		rc = mc_shard_auto(getenv, (unsigned long)cli->shards, s, err,
		    sizeof(err));
	else
		rc = mc_shard_parse(cli->shard_arg, s, err, sizeof(err));
	if (rc == -1) {
		mc_cli_usage_error("invalid --shard '%s': %s", cli->shard_arg,
		    err);
		return -1;
	}
	return 0;
}

/* The lines of a --resume file, read before the run. */
struct resumed {
	struct mc_domain_source *src;
	enum mc_status worst;
	size_t n;
};

static int
resumed_line(void *arg, const struct mc_report_line *l)
{
	struct resumed *r = arg;

	if (l->status > r->worst)
		r->worst = l->status;
	r->n++;
	return mc_domain_source_done(r->src, l->domain);
}

/*
 * SIGINT and SIGTERM during a --domains-file run: every thread blocks
 * them and one thread takes them with sigwait(), so no DNS or HTTP wait
 * anywhere is cut short by EINTR.  The first sets stop (the bulk runner
 * takes no more domains); a second one ends the process as if unhandled,
 * which loses nothing written: each report line went out whole.
 */
struct sigwatch {
	sigset_t set;
	int stop;       /* the first signal; __atomic */
	pthread_t thread;
	int running;
};

static void *
sigwatch_main(void *arg)
{
	static const char msg[] = "mailcheck: stopping: no new domains, "
	    "those in flight finish within --timeout (a second signal ends "
	    "at once)\n";
	struct sigwatch *w = arg;
	int sig;

	for (;;) {
		if (sigwait(&w->set, &sig) != 0)
			continue;
		if (__atomic_load_n(&w->stop, __ATOMIC_SEQ_CST) == 0) {
			__atomic_store_n(&w->stop, sig, __ATOMIC_SEQ_CST);
			if (write(STDERR_FILENO, msg, sizeof(msg) - 1) == -1)
				continue;
			continue;
		}
		signal(sig, SIG_DFL);
		pthread_sigmask(SIG_UNBLOCK, &w->set, NULL);
		pthread_kill(pthread_self(), sig);
	}
	return NULL;
}

/* Block the signals in this thread and every thread it starts after. */
static void
sigwatch_block(struct sigwatch *w)
{
	sigemptyset(&w->set);
	sigaddset(&w->set, SIGINT);
	sigaddset(&w->set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &w->set, NULL);
}

static void
sigwatch_start(struct sigwatch *w)
{
	w->running = pthread_create(&w->thread, NULL, sigwatch_main, w) == 0;
}

static void
sigwatch_stop(struct sigwatch *w)
{
	if (!w->running)
		return;
	pthread_cancel(w->thread);
	pthread_join(w->thread, NULL);
	w->running = 0;
}

/* A check's setup tells the user something before the run. */
static void
notice(const char *line)
{
	fprintf(stderr, "mailcheck: %s\n", line);
}

/*
 * The domains a bulk run will check, for the checks' setup: the names
 * given and the domain lines of a domains file that can be read twice
 * (not stdin); 0 when not bulk mode.
 */
static size_t
count_domains(const struct cli *cli, size_t nnames)
{
	size_t n = nnames;
	FILE *fp;

	if (cli->domains_file != NULL && strcmp(cli->domains_file, "-") != 0 &&
	    (fp = fopen(cli->domains_file, "r")) != NULL) {
		n += mc_domain_file_count(fp);
		fclose(fp);
	}
	return n > 1 || cli->domains_file != NULL ? n : 0;
}

/* The user's options as the checks' setup() and run() see them. */
static void
raw_options(const struct cli *cli, struct mc_options *opts)
{
	opts->ips = cli->ips.v;
	opts->nips = cli->ips.n;
	opts->selectors = cli->selectors.v;
	opts->nselectors = cli->selectors.n;
	opts->dnsbl_zones = cli->dnsbl_zones.v;
	opts->ndnsbl_zones = cli->dnsbl_zones.n;
	opts->dnsbl_config = cli->dnsbl_config;
	opts->bimi_selectors = cli->bimi_selectors.v;
	opts->nbimi_selectors = cli->bimi_selectors.n;
	opts->connect_to = cli->connect_to.v;
	opts->nconnect_to = cli->connect_to.n;
	opts->ca_file = cli->ca_file;
	opts->http_root = cli->http_root;
	opts->helo_name = cli->helo_name;
	opts->smtp_port = cli->smtp_port;
	opts->smtp_all_addresses = cli->smtp_all_addresses;
	opts->trust_anchor = cli->trust_anchor;
	opts->offline = cli->dns.zones.n > 0;
	opts->dqs_key = cli->dns.dqs_key != NULL;
	opts->notice = notice;
}

int
mc_cli_check(int argc, char **argv)
{
	const struct mc_check *selected[MC_CLI_MAX_LIST];
	struct mc_options opts = { 0 };
	struct cli cli = {
		.parallel = MC_BULK_PARALLEL,
	};
	struct mc_bulk_config bcfg = { 0 };
	struct mc_domain_source src = { 0 };
	struct mc_bulk_stats st;
	struct mc_shard shard;
	struct resumed resumed = { .src = &src, .worst = MC_OK };
	struct sigwatch sw = { 0 };
	size_t torn;
	int resume_fd = -1;
	struct mc_dns *dns;
	struct mc_checkset set = { 0 };
	json_t *baseline = NULL;
	const char **names = NULL;
	FILE *dfile = NULL;
	char err[512];
	const char *nc;
	size_t nnames = 0;
	int i, n, rc, bulk, code = MC_CLI_EXIT_USAGE;

	mc_cli_dns_init(&cli.dns);
	if (mc_cli_plugin()) {
		cli.format = FMT_NAGIOS;
		plugin_mode = 1;
	}
	rc = parse_args(argc, argv, &cli);
	/*
	 * --help, --version, --list-checks: 0, except that a plugin (invoked
	 * as check_mailcheck, or -f nagios before them) answers --help and
	 * --version with 3, UNKNOWN,
	 * as the Monitoring Plugins guidelines have it: a service pointed at
	 * them by mistake must not show OK.
	 */
	if (rc != 0)
		return rc == 1 ? mc_cli_finish(cli.info_exit) :
		    MC_CLI_EXIT_USAGE;
	names = calloc(cli.hosts.n + (size_t)(argc - optind) + 1,
	    sizeof(*names));
	if (names == NULL) {
		mc_cli_error("out of memory");
		return MC_CLI_EXIT_USAGE;
	}
	for (i = 0; i < (int)cli.hosts.n; i++)
		names[nnames++] = cli.hosts.v[i];
	for (i = optind; i < argc; i++)
		names[nnames++] = argv[i];
	if (usage_conflicts(&cli, nnames) == -1 || dqs_key_ready(&cli) == -1)
		goto out;
	if (cli.shard_arg != NULL) {
		if (resolve_shard(&cli, &shard) == -1)
			goto out;
		src.shard = &shard;
	}
	/* before any thread starts, so that every thread blocks them */
	if (cli.domains_file != NULL)
		sigwatch_block(&sw);
	if (cli.checks != NULL) {
		n = mc_checks_select(cli.checks, selected, MC_CLI_MAX_LIST, err,
		    sizeof(err));
		if (n == -1) {
			mc_cli_error("%s", err);
			goto out;
		}
	} else {
		/* the full check: every check flagged MC_CHECK_DEFAULT */
		for (i = n = 0; mc_checks[i] != NULL && n < MC_CLI_MAX_LIST;
		    i++)
			if (mc_checks[i]->flags & MC_CHECK_DEFAULT)
				selected[n++] = mc_checks[i];
	}
	raw_options(&cli, &opts);
	opts.ndomains = count_domains(&cli, nnames);
	if (mc_checkset_setup(&set, selected, (size_t)n, &opts, err,
	    sizeof(err)) == -1) {
		mc_cli_error("%s", err);
		goto out;
	}
	/* validate every domain before asking anything */
	for (i = 0; i < (int)nnames; i++) {
		char name[MC_DNS_NAME_MAX + 2];

		if (mc_domain_normalise(names[i], name, sizeof(name), 0, err,
		    sizeof(err)) == -1) {
			mc_cli_error("invalid domain: %s", err);
			goto out;
		}
	}
	if (cli.baseline != NULL) {
		baseline = mc_baseline_load(cli.baseline, err, sizeof(err));
		if (baseline == NULL) {
			mc_cli_error("%s", err);
			goto out;
		}
	}
	if (cli.domains_file != NULL) {
		dfile = strcmp(cli.domains_file, "-") == 0 ? stdin :
		    fopen(cli.domains_file, "r");
		if (dfile == NULL) {
			mc_cli_error("cannot open domains file "
			    "'%s': %s", cli.domains_file, strerror(errno));
			goto out;
		}
	}
	if (cli.resume != NULL) {
		resume_fd = mc_resume_open(cli.resume, resumed_line, &resumed,
		    &torn, err, sizeof(err));
		if (resume_fd == -1) {
			mc_cli_error("%s", err);
			goto out;
		}
		if (torn > 0)
			mc_cli_error("%s: cut a torn last line (%zu bytes): its "
			    "domain is checked again", cli.resume, torn);
		cli.format = FMT_JSONL;
	}

	if (cli.format == FMT_AUTO)
		cli.format = isatty(STDOUT_FILENO) ? FMT_TEXT : FMT_JSON;
	nc = getenv("NO_COLOR");
	bcfg.render.color = cli.format == FMT_TEXT && isatty(STDOUT_FILENO) &&
	    (nc == NULL || *nc == '\0');
	bcfg.render.verbose = cli.verbose;

	raise_fd_limit();
	/*
	 * The deadline is each domain's (the runner gives the DNS layer the
	 * same instant it judges the checks by); with one domain, the run's.
	 */
	dns = mc_cli_dns_open(&cli.dns);
	if (dns == NULL)
		goto out;
	if (cli.format == FMT_NAGIOS) {
		signal(SIGALRM, on_alarm);
		alarm((unsigned)ceil(cli.dns.timeout) + 1);
	}

	bcfg.run.set = &set;
	bcfg.run.opts = &opts;
	bcfg.run.dns = dns;
	bcfg.timeout = cli.dns.timeout;
	bcfg.parallel = cli.parallel;
	/* the cap holds for the network only: zone files ask nobody */
	if (strcmp(mc_dns_backend_name(dns), "zone") != 0)
		bcfg.qps = cli.dns.qps;
	bcfg.format = cli.format == FMT_NAGIOS ? MC_FORMAT_NAGIOS :
	    cli.format == FMT_JSONL ? MC_FORMAT_JSONL :
	    cli.format == FMT_JSON ? MC_FORMAT_JSON : MC_FORMAT_TEXT;
	/*
	 * Bulk mode is a domains file or more than one name: a line a domain
	 * (full reports with -v), a summary, a progress line on a terminal.
	 * Names on the command line are reported in their order, and
	 * --timeout bounds the whole run for them.
	 */
	bulk = dfile != NULL || nnames > 1;
	bcfg.one_line = bulk && cli.verbose == 0;
	bcfg.ordered = dfile == NULL;
	if (dfile == NULL)
		bcfg.run_deadline = mc_now() + cli.dns.timeout;
	bcfg.thresholds = cli.thresholds;
	bcfg.nthresholds = cli.nthresholds;
	bcfg.baseline = baseline;
	bcfg.verbose = cli.verbose;
	bcfg.progress = bulk && cli.format != FMT_NAGIOS &&
	    isatty(STDERR_FILENO);
	bcfg.summary = bulk;
	bcfg.out = stdout;
	bcfg.err = stderr;
	bcfg.append = resume_fd != -1;
	bcfg.append_fd = resume_fd;
	bcfg.append_path = cli.resume;
	bcfg.stop = &sw.stop;
	src.names = names;
	src.nnames = nnames;
	src.file = dfile;
	src.path = cli.domains_file;
	src.total = nnames + (dfile != NULL && bcfg.progress ?
	    mc_domain_file_count(dfile) : 0);
	if (dfile != NULL && !bcfg.progress)
		src.total = 0;

	if (dfile != NULL)
		sigwatch_start(&sw);
	rc = mc_bulk_run(&bcfg, &src, &st);
	sigwatch_stop(&sw);
	if (rc == -1) {
		mc_cli_error("out of memory");
		code = MC_CLI_EXIT_USAGE;
	} else {
		/* --resume: the verdict of the whole file */
		if (resumed.worst > st.worst)
			st.worst = resumed.worst;
		code = exit_code(&cli, &st);
	}
	mc_domain_source_release(&src);
	if (cli.format == FMT_NAGIOS)
		alarm(0);
	mc_dns_free(dns);
	code = mc_cli_finish(code);
out:
	if (resume_fd != -1 && close(resume_fd) == -1) {
		mc_cli_error("cannot write '%s': %s", cli.resume,
		    strerror(errno));
		code = MC_CLI_EXIT_USAGE;
	}
	if (dfile != NULL && dfile != stdin)
		fclose(dfile);
	json_decref(baseline);
	mc_checkset_release(&set);
	free(names);
	explicit_bzero(cli.dqs_key, sizeof(cli.dqs_key));
	return code;
}
