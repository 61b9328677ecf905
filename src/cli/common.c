/* SPDX-License-Identifier: ISC */
/*
 * src/cli/common.c - what the commands share: telling problems, the DNS
 * options, finishing the output
 *
 * A problem is one line on stderr, problem first, and every byte of it
 * that is not printable ASCII is shown as \DDD: messages quote what users
 * typed (a --dnsbl-zone, a -z path, a domains-file line) and what files
 * hold (zone names in a --dnsbl-config), and none of it may put a terminal
 * escape or a C1 control on the user's screen.  Every command parses its
 * options through mc_cli_getopt(), which takes the DNS options -r, -z,
 * --overlay and -t (with their limits) ahead of the command's own and
 * tells unknown options and missing values, so that two commands cannot
 * disagree about them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "mailcheck/limits.h"
#include "mailcheck/plugin.h"
#include "banned.h"

/* The plugin's first line: "MAILCHECK UNKNOWN - <problem>" */
#define PLUGIN_PREFIX "MAILCHECK UNKNOWN - "

static struct {
	const char *prog;
	int plugin;
} voice = { .prog = "mailcheck" };

void
mc_cli_voice(const char *prog, int plugin)
{
	voice.prog = prog;
	voice.plugin = plugin;
}

int
mc_cli_plugin(void)
{
	return voice.plugin;
}

/*
 * fmt formatted into out (size bytes), every byte outside printable ASCII
 * as \DDD; a text too long is cut at a whole character with "...".
 */
static void
format_shown(char *out, size_t size, const char *fmt, va_list ap)
{
	char raw[1024];
	size_t i, o = 0;
	unsigned char c;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	for (i = 0; raw[i] != '\0'; i++) {
		c = (unsigned char)raw[i];
		if (o + 4 + 4 >= size) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\%03u", c);
	}
	out[o] = '\0';
}

/*
 * Tell msg (already shown safe) with suffix on stderr; in plugin mode
 * instead the plugin's answer on stdout, and nothing on stderr: Icinga
 * merges it into the output, ahead of the plugin's first line.
 */
static void
tell(const char *msg, const char *suffix)
{
	size_t room = MC_NAGIOS_LINE_MAX - (sizeof(PLUGIN_PREFIX) - 1);

	if (!voice.plugin) {
		fprintf(stderr, "%s: %s%s\n", voice.prog, msg, suffix);
		return;
	}
	if (strlen(msg) <= room)
		printf(PLUGIN_PREFIX "%s\n", msg);
	else
		printf(PLUGIN_PREFIX "%.*s...\n%s\n", (int)(room - 3), msg,
		    msg);
}

int
mc_cli_error(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	format_shown(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tell(msg, "");
	return MC_CLI_EXIT_USAGE;
}

int
mc_cli_usage_error(const char *fmt, ...)
{
	char msg[2048], suffix[128];
	va_list ap;

	va_start(ap, fmt);
	format_shown(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(suffix, sizeof(suffix), " (see '%s --help')", voice.prog);
	tell(msg, suffix);
	return MC_CLI_EXIT_USAGE;
}

/*
 * The option getopt_long() stopped at (after '?' or ':'): "--name[=value]",
 * or "-c" from a cluster.  Static storage.
 */
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

/*
 * Tell the usage error for getopt_long()'s answer c, ':' (a value missing)
 * or anything else (an unknown option).
 */
static void
option_error(int c, char **argv)
{
	if (c == ':')
		mc_cli_usage_error("option '%s' needs a value",
		    bad_option(argv));
	else
		mc_cli_usage_error("unknown option '%s'", bad_option(argv));
}

int
mc_cli_finish(int code)
{
	if (fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF) {
		mc_cli_error("cannot write the output: %s", strerror(errno));
		return MC_CLI_EXIT_USAGE;
	}
	return code;
}

int
mc_cli_parse_timeout(const char *s, double *out)
{
	return mc_cli_parse_decimal(s, 0.001, 86400, out);
}

int
mc_cli_parse_decimal(const char *s, double min, double max, double *out)
{
	const char *p = s;
	char *end;
	double v;

	/* digits, then at most one point and digits: strtod alone takes
	   "1e-9", "0x10", "inf" and leading blanks */
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p != '\0' || p == s || (p == s + 1 && *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
mc_cli_dns_init(struct mc_cli_dns *d)
{
	memset(d, 0, sizeof(*d));
	d->timeout = MC_DEFAULT_TIMEOUT;
}

int
mc_cli_list_add(struct mc_cli_list *l, const char *v, const char *opt)
{
	if (l->n == MC_CLI_MAX_LIST) {
		mc_cli_error("too many %s options (at most %d)", opt,
		    MC_CLI_MAX_LIST);
		return -1;
	}
	l->v[l->n++] = v;
	return 0;
}

/*
 * Does an argument after -z's value name a zone file too (the files a
 * shell glob such as "-z zones/NAME.zone" expands to)?  It must be an existing
 * regular file whose name ends in ".zone": a message or report file after
 * -z (verify, dmarc-report) is never taken, and a domain in the .zone TLD
 * is taken for a file only when a file has its name (then write the domain
 * before -z, or after another option).
 */
static int
zone_arg(const char *a)
{
	struct stat sb;
	size_t len = strlen(a);

	if (a[0] == '-' || len <= 5 || strcmp(a + len - 5, ".zone") != 0)
		return 0;
	return stat(a, &sb) == 0 && S_ISREG(sb.st_mode);
}

/*
 * Take option c with its value arg when it is a DNS option: 1 taken, 0 not
 * a DNS option, -1 refused (the problem told).
 */
static int
dns_option(struct mc_cli_dns *d, int c, const char *arg, int argc,
    char **argv)
{
	switch (c) {
	case 'r':
		return mc_cli_list_add(&d->resolvers, arg, "--resolver") == -1 ?
		    -1 : 1;
	case 'z':
		if (mc_cli_list_add(&d->zones, arg, "--zone-file") == -1)
			return -1;
		/* the shell's expansion of a -z glob */
		while (optind < argc && zone_arg(argv[optind]))
			if (mc_cli_list_add(&d->zones, argv[optind++],
			    "--zone-file") == -1)
				return -1;
		return 1;
	case MC_CLI_OPT_OVERLAY:
		d->overlay = 1;
		return 1;
	case 't':
		if (mc_cli_parse_timeout(arg, &d->timeout) == -1) {
			mc_cli_usage_error("invalid timeout '%s' (expected "
			    "seconds, a decimal number from 0.001 to 86400)",
			    arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

/* The DNS options, offered to getopt_long() ahead of a command's own. */
#define DNS_SHORTOPTS "r:z:t:"
static const struct option dns_longopts[] = {
	{ "resolver", required_argument, NULL, 'r' },
	{ "zone-file", required_argument, NULL, 'z' },
	{ "overlay", no_argument, NULL, MC_CLI_OPT_OVERLAY },
	{ "timeout", required_argument, NULL, 't' },
};
#define NDNS_LONGOPTS (sizeof(dns_longopts) / sizeof(dns_longopts[0]))

/*
 * The getopt string and option table: the DNS options (unless the command
 * asks no DNS), then the command's.
 */
static int
getopt_start(struct mc_cli_getopt *g)
{
	const struct option *o;
	size_t n = g->dns != NULL ? NDNS_LONGOPTS : 0, len;

	memcpy(g->all, dns_longopts, n * sizeof(dns_longopts[0]));
	for (o = g->longopts; o->name != NULL; o++) {
		if (n == MC_CLI_MAX_OPTIONS - 1)
			return -1;
		g->all[n++] = *o;
	}
	memset(&g->all[n], 0, sizeof(g->all[n]));
	len = (size_t)snprintf(g->optstring, sizeof(g->optstring), ":%s%s",
	    g->dns != NULL ? DNS_SHORTOPTS : "", g->shortopts);
	if (len >= sizeof(g->optstring))
		return -1;
	g->started = 1;
	optind = 1;
	opterr = 0;
	return 0;
}

int
mc_cli_getopt(struct mc_cli_getopt *g)
{
	int c, taken;

	if (!g->started && getopt_start(g) == -1) {
		mc_cli_error("%s", "internal error: too many options");
		return MC_CLI_TOLD;
	}
	for (;;) {
		c = getopt_long(g->argc, g->argv, g->optstring, g->all, NULL);
		if (c == -1)
			return -1;
		if (c == '?' || c == ':') {
			option_error(c, g->argv);
			return MC_CLI_TOLD;
		}
		taken = g->dns == NULL ? 0 : dns_option(g->dns, c, optarg,
		    g->argc, g->argv);
		if (taken == -1)
			return MC_CLI_TOLD;
		if (taken == 0)
			return c;
	}
}

int
mc_cli_dns_ready(const struct mc_cli_dns *d)
{
	if (d->overlay && d->zones.n == 0) {
		mc_cli_usage_error("--overlay needs --zone-file (it answers "
		    "the names outside the zone files through the resolver)");
		return -1;
	}
	return 0;
}

struct mc_dns *
mc_cli_dns_open(const struct mc_cli_dns *d)
{
	struct mc_dns_config cfg = {
		.resolvers = d->resolvers.v,
		.nresolvers = d->resolvers.n,
		.zone_files = d->zones.v,
		.nzone_files = d->zones.n,
		.overlay = d->overlay,
		.qps = d->qps,
		.dqs_key = d->dqs_key,
		/* one question never outlives the run */
		.query_timeout = d->timeout < MC_QUERY_TIMEOUT ? d->timeout :
		    MC_QUERY_TIMEOUT,
	};
	struct mc_dns *dns;
	char err[1024];

	if (mc_cli_dns_ready(d) == -1)
		return NULL;
	dns = mc_dns_new(&cfg, err, sizeof(err));
	if (dns == NULL)
		mc_cli_error("%s", err);
	return dns;
}

int
mc_cli_text_or_json(const char *arg, int *json)
{
	if (strcmp(arg, "json") == 0)
		*json = 1;
	else if (strcmp(arg, "text") == 0)
		*json = 0;
	else {
		mc_cli_usage_error("unknown format '%s' (expected text or "
		    "json)", arg);
		return -1;
	}
	return 0;
}
