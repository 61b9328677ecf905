#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/bulk_progress.sh - the progress line on a terminal (a pty from
# script(1)) is erased before anything else is written to stderr: a message
# about a skipped line must not be glued to the end of the progress line
. "$(dirname "$0")/lib.sh"

command -v script > /dev/null || { echo "skip: no script(1)"; exit 0; }
Z="$E2E_WORK/bulk.test.zone"
{
  printf '$ORIGIN bulk.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n'
  printf 'd1 MX 10 mx.d1\nmx.d1 A 93.184.216.1\nd2 MX 10 mx.d2\nmx.d2 A 93.184.216.2\n'
} > "$Z"
printf 'd1.bulk.test\nbad..one\nd2.bulk.test\nbad..two\n' > "$E2E_WORK/domains.txt"

# one worker: the first domain draws the line, then the bad line is read
script -qc "'$MC_BIN' --zone-file '$Z' --checks mx --parallel 1 -f jsonl \
  --domains-file '$E2E_WORK/domains.txt' > '$E2E_WORK/out.jsonl'" /dev/null \
  > "$E2E_WORK/tty" 2>&1
expect_eq "reports written" "$(wc -l < "$E2E_WORK/out.jsonl")" 2
if grep -q "domains," "$E2E_WORK/tty"; then
  pass "a progress line is drawn on a terminal"
else
  fail "a progress line is drawn on a terminal" "$(od -c "$E2E_WORK/tty" | head)"
fi
# the total counts every non-blank line; skipped ones count as seen, so the
# last drawn line reaches it
last=$(tr '\r' '\n' < "$E2E_WORK/tty" | grep -a -o '[0-9]*/[0-9]* domains,' | tail -1)
expect_eq "progress reaches the total with skipped lines" "$last" "4/4 domains,"
# a line holding a NUL byte is skipped as invalid: the total counts it too,
# even when the NUL comes first (nothing before it to call a domain)
printf 'd1.bulk.test\n\000bad\n  \000\nd2.bulk.test\n' > "$E2E_WORK/nul.txt"
script -qc "'$MC_BIN' --zone-file '$Z' --checks mx --parallel 1 -f jsonl \
  --domains-file '$E2E_WORK/nul.txt' > '$E2E_WORK/nul.jsonl'" /dev/null \
  > "$E2E_WORK/nul.tty" 2>&1
last=$(tr '\r' '\n' < "$E2E_WORK/nul.tty" | grep -a -o '[0-9]*/[0-9]* domains,' | tail -1)
expect_eq "progress reaches the total with NUL lines" "$last" "4/4 domains,"
# every message starts a line of its own: after an erase or a newline
python3 - "$E2E_WORK/tty" <<'PY'
import sys
t = open(sys.argv[1], "rb").read()
bad = [i for i in range(len(t)) if t.startswith(b"mailcheck: ", i)
       and not (i == 0 or t[:i].endswith(b"\r\033[K") or t[:i].endswith(b"\n"))]
if bad:
    print("glued:", t[max(0, bad[0] - 40):bad[0] + 20])
    sys.exit(1)
PY
if [ $? -eq 0 ]; then
  pass "stderr messages erase the progress line first"
else
  fail "stderr messages erase the progress line first" "see above"
fi
finish
