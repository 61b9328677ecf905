#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/io_errors.sh - a run that could not read its domains or write
# its reports must not exit 0 (DESIGN.md: 3 is "could not reach a verdict")
. "$(dirname "$0")/lib.sh"

Z="$E2E_WORK/example.org.zone"
printf '$ORIGIN example.org.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ MX 10 mx\nmx A 93.184.216.34\n' > "$Z"

# a directory opens for reading but every read fails (EISDIR)
"$MC_BIN" --zone-file "$Z" --checks mx -f jsonl --domains-file "$E2E_WORK" \
  > "$E2E_WORK/out" 2> "$E2E_WORK/err"
rc=$?
expect_eq "unreadable domains file: exit 3" "$rc" 3
if grep -q "cannot read" "$E2E_WORK/err"; then
  pass "unreadable domains file: the error is reported"
else
  fail "unreadable domains file: the error is reported" "$(cat "$E2E_WORK/err")"
fi

# a full disk: the report is lost
"$MC_BIN" --zone-file "$Z" --checks mx -f json example.org > /dev/full 2> "$E2E_WORK/err"
expect_eq "report not written: exit 3" "$?" 3

# a sound run still exits 0
"$MC_BIN" --zone-file "$Z" --checks mx -f json example.org > "$E2E_WORK/out" 2> "$E2E_WORK/err"
expect_eq "report written: exit 0" "$?" 0
finish
