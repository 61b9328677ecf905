/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/dmarc_report.h - read DMARC aggregate reports, streamed
 *
 * Two layers.  The parser takes the XML of one report in pieces of any
 * size (mc_dmarc_parser_feed()) and calls the sink once per <record>, with
 * the report's metadata and published policy, so a report of a million
 * records never sits in memory.  It reads the RFC 7489 Appendix C format
 * (no namespace), the pre-RFC drafts and the DMARCbis aggregate format
 * (urn:ietf:params:xml:ns:dmarc-2.0 and whatever namespace a reporter
 * gives: elements are matched by local name).  The XML goes through expat;
 * a DOCTYPE with an entity declaration stops the parse at once (billion
 * laughs, external entities): nothing is expanded or fetched.
 *
 * The input layer (mc_dmarc_read_path()) opens what users hand over: a
 * .xml, a gzip file, a zip archive, a mail (.eml) carrying reports as
 * attachments in base64 or quoted-printable, an mbox, or a Maildir (or any
 * directory: its files, and those of cur/ and new/).  It recognises a file
 * by its first bytes, never by its name.  Decompression (zlib) is capped at
 * MC_DMARC_MAX_INFLATE bytes of output and MC_DMARC_MAX_RATIO times the
 * compressed size, per file; zip member names are never used at all.
 * Each report found ends with a call of sink->done(), with an error when
 * it could not be read, and the next goes on.
 */
#ifndef MAILCHECK_DMARC_REPORT_H
#define MAILCHECK_DMARC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#define MC_DMARC_MAX_INFLATE (20u * 1024 * 1024) /* decompressed bytes per file */
#define MC_DMARC_MAX_RATIO 100          /* decompressed : compressed, per file */
#define MC_DMARC_MAX_MAIL (64u * 1024 * 1024) /* a mail or mbox message read */
#define MC_DMARC_MAX_MIME_DEPTH 8       /* nested multiparts and messages */
#define MC_DMARC_MAX_DIR_FILES 100000   /* files read from one directory */
#define MC_DMARC_FIELD_MAX 256          /* bytes kept of one text field */
#define MC_DMARC_MAX_AUTH 8             /* auth_results kept per record
                                           (more are read, not kept) */

/* One <auth_results> entry: dkim or spf. */
struct mc_dmarc_auth {
	char domain[MC_DMARC_FIELD_MAX];
	char result[16];        /* lower case ("Pass" is read as "pass") */
	char selector[64];      /* dkim only */
};

/* What the report says before its records. */
struct mc_dmarc_meta {
	char org_name[MC_DMARC_FIELD_MAX];
	char email[MC_DMARC_FIELD_MAX];
	char report_id[MC_DMARC_FIELD_MAX];
	char version[16];       /* <version> (DMARCbis: "1.0"), or "" */
	int dmarcbis;           /* the DMARCbis namespace was used */
	long long begin, end;   /* date_range, seconds since the epoch; -1 */
	char domain[MC_DMARC_FIELD_MAX]; /* policy_published */
	char adkim[8], aspf[8], p[16], sp[16], np[16], pct[8], testing[8];
};

/* One <record>. */
struct mc_dmarc_row {
	char source_ip[64];
	uint64_t count;
	char disposition[16];   /* policy_evaluated, lower case */
	char dkim[16];          /* policy_evaluated: aligned DKIM pass/fail */
	char spf[16];           /* policy_evaluated: aligned SPF pass/fail */
	char header_from[MC_DMARC_FIELD_MAX];
	char envelope_from[MC_DMARC_FIELD_MAX];
	struct mc_dmarc_auth dkim_auth[MC_DMARC_MAX_AUTH];
	size_t ndkim;
	struct mc_dmarc_auth spf_auth[MC_DMARC_MAX_AUTH];
	size_t nspf;
};

/* Where the parser and the input layer deliver. */
struct mc_dmarc_sink {
	void *arg;
	/*
	 * A record of the report being read.  Return 0 to go on, -1 to stop
	 * this report (it then ends with the error "stopped").
	 */
	int (*record)(void *arg, const struct mc_dmarc_meta *m,
	    const struct mc_dmarc_row *r);
	/*
	 * A report ended.  name: where it came from ("a.zip", "x.eml part 2");
	 * m: what was read of it; records: how many; error: NULL when the
	 * report was read whole, else why not (records already delivered
	 * stay delivered); refused: the report declared entities.  Every
	 * report the input layer finds ends here once.
	 */
	void (*done)(void *arg, const char *name, const struct mc_dmarc_meta *m,
	    uint64_t records, const char *error, int refused);
};

struct mc_dmarc_parser;

/* A parser for one report delivering to sink (copied).  NULL: no memory. */
struct mc_dmarc_parser *mc_dmarc_parser_new(const struct mc_dmarc_sink *sink);
/*
 * Feed the next len bytes of the report; final set on the last piece (len
 * may be 0).  Returns 0, or -1 once the report cannot be read (the error
 * sticks; later feeds do nothing and return -1).
 */
int mc_dmarc_parser_feed(struct mc_dmarc_parser *p, const char *buf,
    size_t len, int final);
/* The error ("line 3: not well-formed"), or NULL. */
const char *mc_dmarc_parser_error(const struct mc_dmarc_parser *p);
/* Was the report refused for declaring entities? */
int mc_dmarc_parser_refused(const struct mc_dmarc_parser *p);
/* Records delivered so far. */
uint64_t mc_dmarc_parser_records(const struct mc_dmarc_parser *p);
/* The metadata read so far (valid until the parser is freed). */
const struct mc_dmarc_meta *mc_dmarc_parser_meta(
    const struct mc_dmarc_parser *p);
/* Free the parser (NULL: nothing). */
void mc_dmarc_parser_free(struct mc_dmarc_parser *p);

/*
 * Read reports from memory: sniff gzip, zip, XML, an mbox or a mail and
 * read it, with the caps above; sink->done() is called for each report
 * found (a zip, a mail or an mbox may hold several), named name with
 * " member N" (zip), " attachment N" (mail) or " message N" (mbox)
 * appended.  Returns the number of reports read without error.
 */
size_t mc_dmarc_read_buffer(const char *name, const unsigned char *buf,
    size_t len, const struct mc_dmarc_sink *sink);
/*
 * Read everything at path (file, mail, mbox, directory), streaming plain
 * and gzip'ed XML from the file.  Returns the number of reports read
 * without error; 0 with sink->done() called with the reason when nothing
 * could be read.
 */
size_t mc_dmarc_read_path(const char *path, const struct mc_dmarc_sink *sink);

#endif
