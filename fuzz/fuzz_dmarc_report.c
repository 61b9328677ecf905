/* SPDX-License-Identifier: ISC */
/*
 * fuzz/fuzz_dmarc_report.c - libFuzzer target for the DMARC aggregate
 * report reader
 *
 * The input is a file as users hand it over: XML, gzip, zip, a mail or an
 * mbox (mc_dmarc_read_buffer() sniffs which), read into a summary that is
 * then judged and rendered as JSON and text, the way `mailcheck
 * dmarc-report --no-dns` does.  Invariants checked: every report ends in
 * done() once, with an error or a policy domain or no record; the records
 * done() counts are the records delivered; every delivered record has a
 * source address; the reports read whole are what the reader returns.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mailcheck/dmarc_summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	struct mc_dmarc_sink inner;
	uint64_t delivered, done_records;
	size_t reports, good;
};

static int
on_record(void *arg, const struct mc_dmarc_meta *m,
    const struct mc_dmarc_row *r)
{
	struct tally *t = arg;

	if (r->source_ip[0] == '\0')
		abort();
	t->delivered++;
	return t->inner.record(t->inner.arg, m, r);
}

static void
on_done(void *arg, const char *name, const struct mc_dmarc_meta *m,
    uint64_t records, const char *error, int refused)
{
	struct tally *t = arg;

	if (name == NULL || (refused && error == NULL))
		abort();
	t->reports++;
	t->good += error == NULL;
	t->done_records += records;
	t->inner.done(t->inner.arg, name, m, records, error, refused);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct mc_dmarc_summary *s;
	struct tally t = { 0 };
	struct mc_dmarc_sink sink = { .arg = &t, .record = on_record,
	    .done = on_done };
	size_t ok;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	s = mc_dmarc_summary_new();
	if (s == NULL)
		return 0;
	mc_dmarc_summary_sink(s, &t.inner);
	ok = mc_dmarc_read_buffer("fuzz", data, size, &sink);
	if (ok != t.good || t.delivered != t.done_records)
		abort();
	mc_dmarc_summary_judge(s);
	if (devnull != NULL) {
		mc_dmarc_summary_write_json(s, devnull);
		mc_dmarc_summary_text(s, devnull);
	}
	mc_dmarc_summary_free(s);
	return 0;
}
