/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dmarc_summary.h - what DMARC aggregate reports add up to
 *
 * A summary takes the records of any number of reports (it is a sink for
 * mc_dmarc_read_path()) and keeps, per policy domain and the period its
 * reports cover, one entry per source IP: messages, DMARC, SPF and DKIM
 * results and alignment, dispositions, reporters, and messages per day;
 * and one row per report period (date_range): its reports, reporters,
 * messages, passed and failed.
 * Memory grows with the number of sources, not of records; past
 * MC_DMARC_MAX_SOURCES sources the rest is counted as "other sources".
 *
 * Then, optionally, mc_dmarc_summary_resolve() asks the DNS layer for the
 * PTR name of every source, at once, and runs check_host() (spf_eval.c)
 * for the failing sources to learn whether they are the domain's own
 * (SPF-authorised, which covers its MX hosts when its SPF says "mx").
 * mc_dmarc_summary_judge() gives each source its verdict and flags the
 * patterns of abuse; the renderers write text or the JSON document of
 * docs/dmarc-report.schema.json.
 */
#ifndef MAILCHECK_DMARC_SUMMARY_H
#define MAILCHECK_DMARC_SUMMARY_H

#include <stdio.h>

#include <jansson.h>

#include "mailcheck/dmarc_report.h"
#include "mailcheck/dns.h"

#define MC_DMARC_MAX_SOURCES 100000 /* sources kept, over all domains */
#define MC_DMARC_MAX_REPORTERS 64   /* reporters named per domain */
#define MC_DMARC_MAX_DAYS 400       /* days counted per source */
#define MC_DMARC_MAX_PERIODS 1000   /* report periods listed per domain */
#define MC_DMARC_MAX_PTR 2000       /* sources whose PTR is asked */
#define MC_DMARC_MAX_SPF 200        /* failing sources checked against SPF */
#define MC_DMARC_SPF_PARALLEL 16    /* check_host() runs at once */
#define MC_DMARC_TEXT_SOURCES 50    /* sources listed per domain in text */
#define MC_DMARC_TEXT_PERIODS 50    /* periods listed per domain in text */
#define MC_DMARC_BURST_MIN 100      /* "not you" messages that are a burst */
#define MC_DMARC_JUMP_MIN 100       /* a day's messages from an own address
                                       that can be a jump ... */
#define MC_DMARC_JUMP_FACTOR 10     /* ... when this many times its median */

/* The verdict on one source. */
enum mc_dmarc_verdict {
	MC_DMARC_PASSES,       /* aligned DKIM or SPF passes */
	MC_DMARC_FORWARDER,    /* SPF fails, DKIM passes */
	MC_DMARC_OWN_FAILING,  /* the domain's own address failing DMARC
	                          (its DKIM does not pass aligned) */
	MC_DMARC_NOT_YOU,      /* fails both: someone else using the name */
};

const char *mc_dmarc_verdict_str(enum mc_dmarc_verdict v);

struct mc_dmarc_summary;

/* A new, empty summary; NULL when out of memory. */
struct mc_dmarc_summary *mc_dmarc_summary_new(void);
void mc_dmarc_summary_free(struct mc_dmarc_summary *s);
/* The sink that adds reports to s. */
void mc_dmarc_summary_sink(struct mc_dmarc_summary *s,
    struct mc_dmarc_sink *out);
/*
 * PTR names of the sources (one batch: all at once) and check_host() for
 * the busiest failing sources (MC_DMARC_SPF_PARALLEL at a time, on a
 * pool of threads sharing the session), through dns.  Returns 0, or -1
 * when out of memory.
 */
int mc_dmarc_summary_resolve(struct mc_dmarc_summary *s,
    struct mc_dns_session *dns);
/* Verdicts and flags; call once, after the reading (and resolving). */
void mc_dmarc_summary_judge(struct mc_dmarc_summary *s);
/*
 * Write the document of docs/dmarc-report.schema.json to out, source by
 * source: a domain of 100,000 sources never sits in memory as one JSON
 * tree.  Returns 0, or -1 when out of memory or out could not be written.
 */
int mc_dmarc_summary_write_json(const struct mc_dmarc_summary *s,
    FILE *out);
/* The text report, every outside string escaped. */
void mc_dmarc_summary_text(const struct mc_dmarc_summary *s, FILE *out);
/*
 * The exit code: 3 when no report could be read, 1 when a source failed
 * DMARC, else 0.
 */
int mc_dmarc_summary_exit(const struct mc_dmarc_summary *s);

#endif
