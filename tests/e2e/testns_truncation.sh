#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_truncation.sh - a truncated UDP answer (TC, no records)
# is asked again over TCP and the full answer's records arrive; over IPv4
# and over IPv6 ([::1]:PORT)
. "$(dirname "$0")/lib.sh"

{ cat <<'DATA'
; big.test MX: over UDP only TC and no records, over TCP the whole set
ENTRY_BEGIN
MATCH opcode qtype qname UDP
ADJUST copy_id
REPLY QR RD RA TC NOERROR
SECTION QUESTION
big.test. IN MX
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname TCP
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
big.test. IN MX
SECTION ANSWER
big.test. 300 IN MX 10 mx1.big.test.
big.test. 300 IN MX 20 mx2.big.test.
big.test. 300 IN MX 30 mx3.big.test.
ENTRY_END

; mx2's A answer is truncated as well
ENTRY_BEGIN
MATCH opcode qtype qname UDP
ADJUST copy_id
REPLY QR RD RA TC NOERROR
SECTION QUESTION
mx2.big.test. IN A
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname TCP
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
mx2.big.test. IN A
SECTION ANSWER
mx2.big.test. 300 IN A 192.0.2.2
mx2.big.test. 300 IN A 192.0.2.22
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
mx1.big.test. IN A
SECTION ANSWER
mx1.big.test. 300 IN A 192.0.2.1
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
mx3.big.test. IN AAAA
SECTION ANSWER
mx3.big.test. 300 IN AAAA 2001:db8::3
ENTRY_END
DATA
  testns_catchall
} > "$E2E_WORK/tc.data"

want="[(10, 'mx1.big.test', ['192.0.2.1']), (20, 'mx2.big.test', ['192.0.2.2', '192.0.2.22']), (30, 'mx3.big.test', ['2001:db8::3'])]"
hosts='[(h["preference"], h["host"], sorted(h["addresses"])) for h in d["checks"][0]["data"]["hosts"]]'

for fam in 4 6; do
  if [ $fam = 6 ]; then
    testns_start "$E2E_WORK/tc.data" -6
    resolver="[::1]:$TESTNS_PORT"
  else
    testns_start "$E2E_WORK/tc.data"
    resolver="127.0.0.1:$TESTNS_PORT"
  fi
  "$MC_BIN" -f json -t 10 -r "$resolver" --checks mx big.test > "$E2E_WORK/tc$fam.json"
  expect_eq "IPv$fam: MX and A records arrive over TCP after TC" \
    "$(json_get "$E2E_WORK/tc$fam.json" "$hosts")" "$want"
  expect_eq "IPv$fam: no DNS failure reported" \
    "$(json_get "$E2E_WORK/tc$fam.json" '[f["code"] for f in d["checks"][0]["findings"] if f["code"].startswith("dns.")]')" "[]"
done
finish
