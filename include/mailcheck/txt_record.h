/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/txt_record.h - picking versioned tag=value records out of TXT
 *
 * MTA-STS, TLS-RPT and BIMI records are TXT records that begin with a
 * version tag ("v=STSv1", "v=TLSRPTv1", "v=BIMI1"); the other TXT records
 * at the same name are not theirs and are ignored (RFC 8461 3.1, RFC 8460
 * 3).  The tags themselves go through the tag=value tokenizer
 * (mailcheck/tagvalue.h).
 */
#ifndef MAILCHECK_TXT_RECORD_H
#define MAILCHECK_TXT_RECORD_H

#include <stddef.h>

/*
 * Does the TXT string (len bytes, may hold NULs) begin with vtag, e.g.
 * "v=STSv1", optionally after whitespace and followed by whitespace, then
 * ';' or the end?  1 or 0.  Case-sensitive, as the RFCs' ABNF says.
 */
int mc_txt_has_version(const char *txt, size_t len, const char *vtag);

#endif
