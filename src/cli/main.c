/* SPDX-License-Identifier: ISC */
/*
 * src/cli/main.c - the mailcheck command: a thin user of libmailcheck
 *
 * Parses the command line, opens the DNS layer, runs the checks on each
 * domain, renders, and turns the worst status into the exit code.  Only
 * this file exits.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mailcheck/check.h"
#include "mailcheck/datafile.h"
#include "mailcheck/dnsbl_zones.h"
#include "mailcheck/limits.h"
#include "mailcheck/runner.h"
#include "mailcheck/util.h"
#include "banned.h"

#define EXIT_USAGE 3
#define MAX_LIST 64

enum format { FMT_AUTO, FMT_TEXT, FMT_JSON, FMT_JSONL };

struct list {
	const char *v[MAX_LIST];
	size_t n;
};

struct cli {
	struct list resolvers, zones, selectors, ips, dnsbl_zones;
	const char *dnsbl_config;
	enum format format;
	double timeout;
	const char *checks;
	int verbose;
};

static const char usage_text[] =
"usage: mailcheck [OPTIONS] DOMAIN...       full health check (also: mailcheck check ...)\n"
"       mailcheck spf --ip ADDR [--helo NAME] [--sender ADDR] [DOMAIN]\n"
"\n"
"  -r, --resolver ADDR[:PORT]   DNS server to ask (repeatable; IPv6 as [::1]:5300);\n"
"                               default: the servers in /etc/resolv.conf\n"
"  -z, --zone-file FILE         answer all DNS from zone files (repeatable); no network\n"
"  -f, --format FORMAT          text (default on a terminal) | json (default otherwise)\n"
"                               | jsonl (one document a line)\n"
"  -t, --timeout SECONDS        deadline for the whole run (default 30)\n"
"      --checks LIST            comma-separated subset of checks (see --list-checks)\n"
"  -s, --dkim-selector NAME     DKIM selector to check (repeatable), besides the\n"
"                               shipped list of common selectors\n"
"  -i, --ip ADDR                outbound IP address of the domain's mail (repeatable)\n"
"      --dnsbl-zone ZONE        blocklist zone (repeatable; replaces the zone list;\n"
"                               any answer 127.0.0.2-127.0.0.254 means listed)\n"
"      --dnsbl-config FILE      blocklist zone list (default: data/dnsbl-zones)\n"
"  -v, --verbose                more detail\n"
"      --list-checks            list the checks and exit\n"
"  -V, --version                print the version and exit\n"
"  -h, --help                   print this help and exit\n"
"\n"
"Exit codes: 0 all checks ok or info, 1 a warning, 2 a critical finding,\n"
"3 unknown (bad usage, or a check could not reach a verdict). A critical\n"
"finding outranks an unknown one, which outranks a warning.\n"
"Colours are used on a terminal unless NO_COLOR is set.\n"
"Shipped data (the DKIM selector list) is read from $MAILCHECK_DATADIR if set,\n"
"else from ../share/mailcheck or data/ beside the executable, else from\n"
MC_DATADIR ".\n";

/* One line on stderr: the problem first, then where to read more. */
static void
usage_error(const char *fmt, const char *arg)
{
	fputs("mailcheck: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see 'mailcheck --help')\n", stderr);
}

/* The option getopt stopped at: "--name[=value]", or "-c" from a cluster. */
static const char *
bad_option(char **argv)
{
	static char buf[8];
	const char *arg = argv[optind - 1];

	if (strncmp(arg, "--", 2) == 0 || optopt == 0)
		return arg;
	snprintf(buf, sizeof(buf), "-%c", optopt);
	return buf;
}

static int
list_add(struct list *l, const char *v, const char *opt)
{
	if (l->n == MAX_LIST) {
		fprintf(stderr, "mailcheck: too many %s options (at most %d)\n",
		    opt, MAX_LIST);
		return -1;
	}
	l->v[l->n++] = v;
	return 0;
}

static int
parse_timeout(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > 86400)
		return -1;
	*out = v;
	return 0;
}

static void
list_checks(void)
{
	size_t i;

	for (i = 0; mc_checks[i] != NULL; i++)
		printf("%-8s %s (%s)%s\n", mc_checks[i]->name,
		    mc_checks[i]->summary, mc_checks[i]->rfc,
		    mc_checks[i]->run == NULL ? " [not built]" : "");
}

/* Exit code after closing stdout: a truncated report must not exit 0. */
static int
finish(int code)
{
	if (fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF) {
		fprintf(stderr, "mailcheck: cannot write the report: %s\n",
		    strerror(errno));
		return EXIT_USAGE;
	}
	return code;
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

/*
 * The blocklist zone list: --dnsbl-zone, --dnsbl-config, or the shipped
 * data/dnsbl-zones when the dnsbl check runs.  Errors name file and line.
 */
static int
load_dnsbl(const struct cli *cli, const struct mc_check *const *selected,
    size_t n, struct mc_dnsbl_list **out)
{
	char path[1024], err[1024];
	size_t i;

	*out = NULL;
	if (cli->dnsbl_zones.n > 0)
		*out = mc_dnsbl_list_generic(cli->dnsbl_zones.v,
		    cli->dnsbl_zones.n, err, sizeof(err));
	else if (cli->dnsbl_config != NULL)
		*out = mc_dnsbl_list_load(cli->dnsbl_config, err, sizeof(err));
	else {
		for (i = 0; i < n; i++)
			if (strcmp(selected[i]->name, "dnsbl") == 0)
				break;
		if (i == n)
			return 0;
		if (mc_datafile_path("dnsbl-zones", path, sizeof(path)) != 1) {
			fprintf(stderr, "mailcheck: cannot find the blocklist "
			    "zone list 'dnsbl-zones' (looked in %s): set "
			    "MAILCHECK_DATADIR or use --dnsbl-config\n", path);
			return -1;
		}
		*out = mc_dnsbl_list_load(path, err, sizeof(err));
	}
	if (*out == NULL) {
		fprintf(stderr, "mailcheck: %s\n", err);
		return -1;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct cli *cli)
{
	enum { OPT_CHECKS = 256, OPT_LIST, OPT_DNSBL_ZONE, OPT_DNSBL_CONFIG };
	static const struct option longopts[] = {
		{ "resolver", required_argument, NULL, 'r' },
		{ "zone-file", required_argument, NULL, 'z' },
		{ "format", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "checks", required_argument, NULL, OPT_CHECKS },
		{ "dkim-selector", required_argument, NULL, 's' },
		{ "ip", required_argument, NULL, 'i' },
		{ "dnsbl-zone", required_argument, NULL, OPT_DNSBL_ZONE },
		{ "dnsbl-config", required_argument, NULL, OPT_DNSBL_CONFIG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list-checks", no_argument, NULL, OPT_LIST },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char buf[16];
	char name[MC_DNS_NAME_MAX + 2], err[128];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:z:f:t:s:i:vVh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'r':
			if (list_add(&cli->resolvers, optarg, "--resolver") == -1)
				return -1;
			break;
		case 'z':
			if (list_add(&cli->zones, optarg, "--zone-file") == -1)
				return -1;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				cli->format = FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				cli->format = FMT_JSON;
			else if (strcmp(optarg, "jsonl") == 0)
				cli->format = FMT_JSONL;
			else {
				usage_error("unknown format '%s' (expected text, "
				    "json or jsonl)", optarg);
				return -1;
			}
			break;
		case 't':
			if (parse_timeout(optarg, &cli->timeout) == -1) {
				usage_error("invalid timeout '%s' (expected seconds, "
				    "more than 0)", optarg);
				return -1;
			}
			break;
		case OPT_CHECKS:
			cli->checks = optarg;
			break;
		case 's':
			if (mc_domain_normalise(optarg, name, sizeof(name), 1,
			    err, sizeof(err)) == -1) {
				usage_error("invalid DKIM selector '%s'", optarg);
				return -1;
			}
			if (list_add(&cli->selectors, optarg, "--dkim-selector") == -1)
				return -1;
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, buf) != 1 &&
			    inet_pton(AF_INET6, optarg, buf) != 1) {
				usage_error("invalid IP address '%s'", optarg);
				return -1;
			}
			if (list_add(&cli->ips, optarg, "--ip") == -1)
				return -1;
			break;
		case OPT_DNSBL_ZONE:
			if (list_add(&cli->dnsbl_zones, optarg,
			    "--dnsbl-zone") == -1)
				return -1;
			break;
		case OPT_DNSBL_CONFIG:
			cli->dnsbl_config = optarg;
			break;
		case 'v':
			cli->verbose++;
			break;
		case OPT_LIST:
			list_checks();
			return 1;
		case 'V':
			printf("mailcheck %s\n", MC_VERSION);
			return 1;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case ':':
			usage_error("option '%s' needs a value",
			    bad_option(argv));
			return -1;
		default:
			usage_error("unknown option '%s'",
			    bad_option(argv));
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct mc_check *selected[MAX_LIST];
	struct mc_dns_config dcfg = { 0 };
	struct mc_run_config rcfg = { 0 };
	struct mc_options opts = { 0 };
	struct mc_render_opts ropts = { 0 };
	struct cli cli = { .timeout = MC_DEFAULT_TIMEOUT };
	struct mc_report rep;
	struct mc_dns *dns;
	struct mc_dnsbl_list *dnsbl = NULL;
	enum mc_status worst = MC_OK;
	char err[512];
	const char *nc;
	double start;
	int i, n, rc, first = 1;

	start = mc_now();
	if (argc > 1 && strcmp(argv[1], "check") == 0) {
		argv++;
		argc--;
	} else if (argc > 1 && strcmp(argv[1], "spf") == 0) {
		return mc_cli_spf(argc - 1, argv + 1);
	} else if (argc > 1 && (strcmp(argv[1], "dkim-verify") == 0 ||
	    strcmp(argv[1], "dmarc-report") == 0)) {
		fprintf(stderr, "mailcheck: the '%s' command is not in this "
		    "version yet\n", argv[1]);
		return EXIT_USAGE;
	}
	rc = parse_args(argc, argv, &cli);
	if (rc != 0)
		return rc == 1 ? finish(0) : EXIT_USAGE;
	if (optind >= argc) {
		usage_error("%s", "no domain given");
		return EXIT_USAGE;
	}
	if (cli.resolvers.n > 0 && cli.zones.n > 0) {
		usage_error("%s", "--resolver and --zone-file exclude each other");
		return EXIT_USAGE;
	}
	if (cli.dnsbl_zones.n > 0 && cli.dnsbl_config != NULL) {
		usage_error("%s", "--dnsbl-zone and --dnsbl-config exclude each "
		    "other");
		return EXIT_USAGE;
	}

	if (cli.checks != NULL) {
		n = mc_checks_select(cli.checks, selected, MAX_LIST, err,
		    sizeof(err));
		if (n == -1) {
			fprintf(stderr, "mailcheck: %s\n", err);
			return EXIT_USAGE;
		}
	} else {
		for (n = 0; mc_checks[n] != NULL && n < MAX_LIST; n++)
			selected[n] = mc_checks[n];
	}
	if (load_dnsbl(&cli, selected, (size_t)n, &dnsbl) == -1)
		return EXIT_USAGE;
	/* validate every domain before asking anything */
	for (i = optind; i < argc; i++) {
		char name[MC_DNS_NAME_MAX + 2];

		if (mc_domain_normalise(argv[i], name, sizeof(name), 0, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "mailcheck: invalid domain: %s\n", err);
			mc_dnsbl_list_free(dnsbl);
			return EXIT_USAGE;
		}
	}

	if (cli.format == FMT_AUTO)
		cli.format = isatty(STDOUT_FILENO) ? FMT_TEXT : FMT_JSON;
	nc = getenv("NO_COLOR");
	ropts.color = cli.format == FMT_TEXT && isatty(STDOUT_FILENO) &&
	    (nc == NULL || *nc == '\0');
	ropts.verbose = cli.verbose;

	raise_fd_limit();
	dcfg.resolvers = cli.resolvers.v;
	dcfg.nresolvers = cli.resolvers.n;
	dcfg.zone_files = cli.zones.v;
	dcfg.nzone_files = cli.zones.n;
	dcfg.query_timeout = cli.timeout < MC_QUERY_TIMEOUT ? cli.timeout :
	    MC_QUERY_TIMEOUT;
	dns = mc_dns_new(&dcfg, start + cli.timeout, err, sizeof(err));
	if (dns == NULL) {
		fprintf(stderr, "mailcheck: %s\n", err);
		mc_dnsbl_list_free(dnsbl);
		return EXIT_USAGE;
	}

	opts.ips = cli.ips.v;
	opts.nips = cli.ips.n;
	opts.selectors = cli.selectors.v;
	opts.nselectors = cli.selectors.n;
	opts.dnsbl = dnsbl;
	rcfg.checks = selected;
	rcfg.nchecks = (size_t)n;
	rcfg.opts = &opts;
	rcfg.dns = dns;
	rcfg.deadline = start + cli.timeout;

	for (i = optind; i < argc; i++) {
		if (mc_run_domain(&rcfg, argv[i], &rep, err, sizeof(err)) == -1) {
			fprintf(stderr, "mailcheck: %s\n", err);
			if (worst < MC_UNKNOWN)
				worst = MC_UNKNOWN;
			continue;
		}
		if (cli.format == FMT_TEXT) {
			if (!first)
				fputc('\n', stdout);
			rc = mc_render_text(stdout, &rep, &ropts);
		} else
			rc = mc_render_json(stdout, &rep, cli.format == FMT_JSONL);
		first = 0;
		if (cli.format == FMT_JSONL)
			fflush(stdout);
		if (rep.status > worst)
			worst = rep.status;
		mc_report_release(&rep);
		if (rc == -1)
			break;
	}
	mc_dns_free(dns);
	mc_dnsbl_list_free(dnsbl);
	return finish(mc_status_exit(worst));
}
