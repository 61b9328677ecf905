/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_check_bounds.c - checks stay within their question
 * budgets whatever the DNS content, and share questions through the DNS
 * cache (counted with mc_dns_queries_sent())
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/runner.h"

extern const struct mc_check mc_check_spf;
extern const struct mc_check mc_check_dmarc;
extern const struct mc_check mc_check_bimi;

#define NMX 200

/* Run checks on domain over a zone file written by fill() (offline). */
static size_t
queries_of(const struct mc_check *const *checks, size_t nchecks,
    const char *domain, void (*fill)(FILE *))
{
	char path[] = "/tmp/mc-bounds.XXXXXX", err[256];
	const char *files[1] = { path };
	struct mc_dns_config dcfg = { .zone_files = files, .nzone_files = 1 };
	struct mc_options opts = { .offline = 1 };
	struct mc_checkset set;
	struct mc_run_config cfg = { .set = &set, .opts = &opts };
	struct mc_report rep;
	struct mc_dns *dns;
	size_t n;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd != -1);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fill(fp);
	fclose(fp);
	dns = mc_dns_new(&dcfg, err, sizeof(err));
	unlink(path);
	if (dns == NULL)
		fail_msg("zone: %s", err);
	cfg.dns = dns;
	assert_int_equal(mc_checkset_setup(&set, checks, nchecks, &opts, err,
	    sizeof(err)), 0);
	assert_int_equal(mc_run_domain(&cfg, domain, &rep, err,
	    sizeof(err)), 0);
	mc_checkset_release(&set);
	mc_report_release(&rep);
	n = mc_dns_queries_sent(dns);
	mc_dns_free(dns);
	return n;
}

/* One check on example.org. */
static size_t
queries_for(const struct mc_check *check, void (*fill)(FILE *))
{
	const struct mc_check *checks[1] = { check };

	return queries_of(checks, 1, "example.org", fill);
}

static void
many_mx(FILE *fp)
{
	int i;

	fputs("example.org. TXT \"v=spf1 ip4:192.0.2.1 -all\"\n", fp);
	for (i = 0; i < NMX; i++)
		fprintf(fp, "example.org. MX 10 mx%d.example.org.\n"
		    "mx%d.example.org. A 198.51.100.%d\n", i, i, i % 250 + 1);
}

/*
 * The spf check authorises at most 32 MX addresses; a domain with 200 MX
 * hosts must not cost a question for each of them (asked one at a time).
 */
static void
test_spf_many_mx(void **state)
{
	size_t n;

	(void)state;
	n = queries_for(&mc_check_spf, many_mx);
	if (n > 80)
		fail_msg("the spf check asked %zu questions for %d MX hosts",
		    n, NMX);
}

static void
brand_subdomain(FILE *fp)
{
	fputs("_dmarc.example.org. TXT \"v=DMARC1; p=reject\"\n"
	    "default._bimi.news.example.org. TXT \"v=BIMI1; "
	    "l=https://images.example.org/logo.svg; a=\"\n", fp);
}

/*
 * The bimi check reads the DMARC policy through the dmarc check's
 * questions (the RFC 9989 tree walk, the organizational domain's walk
 * within it): run beside the dmarc check it costs one question more, its
 * own default._bimi name.
 */
static void
test_bimi_shares_dmarc_questions(void **state)
{
	const struct mc_check *dmarc[1] = { &mc_check_dmarc };
	const struct mc_check *both[2] = { &mc_check_dmarc, &mc_check_bimi };
	const struct mc_check *bimi[1] = { &mc_check_bimi };
	size_t nd, nb, n2;

	(void)state;
	nd = queries_of(dmarc, 1, "news.example.org", brand_subdomain);
	nb = queries_of(bimi, 1, "news.example.org", brand_subdomain);
	n2 = queries_of(both, 2, "news.example.org", brand_subdomain);
	/* the walk: _dmarc.news.example.org, _dmarc.example.org, _dmarc.org */
	if (nb != 4)
		fail_msg("the bimi check alone asked %zu questions, want 4", nb);
	if (n2 != nd + 1)
		fail_msg("dmarc asked %zu, dmarc and bimi %zu: want one more",
		    nd, n2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spf_many_mx),
		cmocka_unit_test(test_bimi_shares_dmarc_questions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
