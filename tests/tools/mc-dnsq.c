/* SPDX-License-Identifier: ISC */
/*
 * tests/tools/mc-dnsq.c - ask a batch of questions through libmailcheck
 *
 * A helper for end-to-end tests of the DNS layer, not a test itself:
 *
 *   mc-dnsq -r ADDR[:PORT] [-r ...] [-t SECONDS] [-v] < QUESTIONS
 *
 * reads one "NAME TYPE" a line, asks them all in one mc_dns_lookup_batch()
 * (so the engine has them all in flight at once, up to its limit), and
 * prints one line per status with its count ("ok 2000"), then with -v one
 * line per question: name, type, status, the records' data.  Exit 0 when
 * the batch ran, 3 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcheck/dns.h"
#include "banned.h"

#define MAX_RESOLVERS 8

static int
read_questions(struct mc_dns_query **out, size_t *n)
{
	struct mc_dns_query *q = NULL, *nq;
	char line[512], *sp, *name;
	size_t len, cap = 0;
	uint16_t type;

	*n = 0;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0)
			continue;
		sp = strchr(line, ' ');
		if (sp == NULL ||
		    (type = mc_rr_type_from_str(sp + 1)) == 0) {
			fprintf(stderr, "mc-dnsq: invalid question '%s' "
			    "(expected NAME TYPE)\n", line);
			goto fail;
		}
		*sp = '\0';
		if (*n == cap) {
			cap = cap > 0 ? 2 * cap : 64;
			nq = realloc(q, cap * sizeof(*q));
			if (nq == NULL)
				goto fail;
			q = nq;
		}
		if ((name = strdup(line)) == NULL)
			goto fail;
		q[*n] = (struct mc_dns_query){ .name = name, .type = type };
		(*n)++;
	}
	*out = q;
	return 0;
fail:
	while (*n > 0)
		free((char *)(uintptr_t)q[--*n].name);
	free(q);
	return -1;
}

int
main(int argc, char **argv)
{
	const char *resolvers[MAX_RESOLVERS];
	struct mc_dns_config cfg = { 0 };
	struct mc_dns_query *q = NULL;
	size_t counts[MC_DNS_PERMFAIL + 1] = { 0 };
	struct mc_dns *dns;
	struct mc_dns_session *session;
	char err[512], tbuf[16];
	double timeout = 10, now;
	size_t i, k, n = 0;
	int c, verbose = 0;
	char *end;

	while ((c = getopt(argc, argv, "r:t:v")) != -1) {
		switch (c) {
		case 'r':
			if (cfg.nresolvers == MAX_RESOLVERS)
				goto usage;
			resolvers[cfg.nresolvers++] = optarg;
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end != '\0' || timeout <= 0)
				goto usage;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			goto usage;
		}
	}
	if (cfg.nresolvers == 0 || optind != argc)
		goto usage;
	cfg.resolvers = resolvers;
	if (read_questions(&q, &n) == -1)
		return 3;

	now = mc_now();
	cfg.query_timeout = timeout < 5 ? timeout : 5;
	dns = mc_dns_new(&cfg, err, sizeof(err));
	if (dns == NULL) {
		fprintf(stderr, "mc-dnsq: %s\n", err);
		return 3;
	}
	session = mc_dns_session_begin(dns, now + timeout);
	if (session == NULL) {
		fprintf(stderr, "mc-dnsq: out of memory\n");
		return 3;
	}
	mc_dns_lookup_batch(session, q, n);
	for (i = 0; i < n; i++)
		counts[q[i].ans->status]++;
	for (i = 0; i <= MC_DNS_PERMFAIL; i++)
		if (counts[i] > 0)
			printf("%s %zu\n", mc_dns_status_str(i), counts[i]);
	printf("seconds %.3f\n", mc_now() - now);
	for (i = 0; verbose && i < n; i++) {
		printf("%s %s %s", q[i].name,
		    mc_rr_type_str(q[i].type, tbuf, sizeof(tbuf)),
		    mc_dns_status_str(q[i].ans->status));
		for (k = 0; k < q[i].ans->count; k++)
			printf(" %s", q[i].ans->rr[k].data);
		if (q[i].ans->why != NULL)
			printf(" (%s)", q[i].ans->why);
		putchar('\n');
	}
	mc_dns_session_end(session);
	mc_dns_free(dns);
	for (i = 0; i < n; i++)
		free((char *)(uintptr_t)q[i].name);
	free(q);
	return fflush(stdout) == 0 ? 0 : 3;
usage:
	fprintf(stderr, "usage: mc-dnsq -r ADDR[:PORT] [-r ...] [-t SECONDS] "
	    "[-v] < QUESTIONS\n");
	return 3;
}
