#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/dmarc_report.sh - dmarc-report on a report of a million records:
# peak memory and CPU time
#
# Usage: bench/dmarc_report.sh PATH-TO-mailcheck [RECORDS] [SOURCES]
#
# Writes one RFC 7489 aggregate report with RECORDS records (default
# 1,000,000; about 600 MB of XML) from SOURCES distinct addresses (default
# 10,000) spread over 30 days of reports, then runs `mailcheck
# dmarc-report --no-dns -f json` on it under /usr/bin/time -v and prints
# the records, the peak RSS and the CPU time (user+sys) per million
# records.  The report streams through the parser: memory grows with the
# sources, not the records (SOURCES=1000000 shows the sources' cost: past
# MC_DMARC_MAX_SOURCES they are counted, not kept).  Not a test: nothing
# is asserted.  No network at all.
set -eu
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export MAILCHECK_RESOLV_CONF="$(cd "$(dirname "$0")/.." && pwd)/tests/no-resolver.conf"
export MAILCHECK_NET_LOOPBACK_ONLY=1
N=${2:-1000000}
S=${3:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-dmarc.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 - "$N" "$S" "$WORK/big.xml" <<'PY'
import sys
n, s, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata>'
            '<org_name>bench.test</org_name><report_id>1</report_id><date_range>'
            '<begin>1700006400</begin><end>1700092799</end></date_range>'
            '</report_metadata><policy_published><domain>example.org</domain>'
            '<p>reject</p></policy_published>\n')
    for i in range(n):
        k = i % s
        ok = "pass" if k % 3 else "fail"
        f.write('<record><row><source_ip>10.%d.%d.%d</source_ip><count>%d</count>'
                '<policy_evaluated><disposition>none</disposition><dkim>%s</dkim>'
                '<spf>%s</spf></policy_evaluated></row><identifiers>'
                '<header_from>example.org</header_from></identifiers><auth_results>'
                '<dkim><domain>example.org</domain><result>%s</result><selector>s'
                '</selector></dkim><spf><domain>example.org</domain><result>%s</result>'
                '</spf></auth_results></record>\n'
                % (k >> 16 & 255, k >> 8 & 255, k & 255, 1 + i % 7, ok, ok, ok, ok))
    f.write("</feedback>\n")
PY
SIZE=$(wc -c <"$WORK/big.xml")
/usr/bin/time -v "$BIN" dmarc-report --no-dns -f json "$WORK/big.xml" \
  >"$WORK/out.json" 2>"$WORK/time.txt" || true
RECS=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["records"])' "$WORK/out.json")
RSS=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
USR=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
SYS=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
echo "report: $N records from $S sources, $SIZE bytes of XML"
echo "read: $RECS records"
echo "peak RSS: $RSS KiB ($((RSS / 1024)) MiB)"
echo "CPU: user $USR s, sys $SYS s"
