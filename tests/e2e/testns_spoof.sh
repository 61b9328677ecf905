#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_spoof.sh - replies that are not the answer to our
# question are ignored: wrong ID, another question, another source port, QR
# clear.  The rogue responder (rogue_dns.py) sends such forgeries first, and
# for spoof.test the real answer 50 ms later.
. "$(dirname "$0")/lib.sh"

rogue_start
r="127.0.0.1:$ROGUE_PORT"

"$MC_BIN" -f json -t 5 -r "$r" --checks mx spoof.test > "$E2E_WORK/spoof.json"
expect_eq "forgeries first: the real MX host and address are kept" \
  "$(json_get "$E2E_WORK/spoof.json" '[(h["host"], h["addresses"]) for h in d["checks"][0]["data"]["hosts"]]')" \
  "[('mx1.spoof.test', ['198.51.100.7'])]"
expect_eq "forgeries first: nothing forged anywhere in the report" \
  "$(grep -c -e evil -e 6.6.6.6 "$E2E_WORK/spoof.json")" 0

t0=$(now_ms)
"$MC_BIN" -f json -t 1 -r "$r" --checks mx spoofonly.test > "$E2E_WORK/only.json"
rc=$?
ms=$(($(now_ms) - t0))
expect_eq "forgeries only: exit 3" "$rc" 3
expect_eq "forgeries only: no answer accepted, dns.tempfail" \
  "$(json_get "$E2E_WORK/only.json" 'd["checks"][0]["findings"][0]["code"]')" dns.tempfail
expect_eq "forgeries only: nothing forged anywhere in the report" \
  "$(grep -c -e evil -e 6.6.6.6 "$E2E_WORK/only.json")" 0
expect_le "forgeries only: ends within --timeout 1 + 1.5 s (ms)" "$ms" 2500

# the same over IPv6
rogue_start --addr ::1
"$MC_BIN" -f json -t 5 -r "[::1]:$ROGUE_PORT" --checks mx spoof.test > "$E2E_WORK/spoof6.json"
expect_eq "forgeries first, over IPv6: the real MX host and address are kept" \
  "$(json_get "$E2E_WORK/spoof6.json" '[(h["host"], h["addresses"]) for h in d["checks"][0]["data"]["hosts"]]')" \
  "[('mx1.spoof.test', ['198.51.100.7'])]"

# ldns-testns without copy_id: every reply carries ID 0 and a fixed record
{ cat <<'DATA'
ENTRY_BEGIN
MATCH opcode qname
REPLY QR RD RA NOERROR
SECTION QUESTION
noid.test. IN MX
SECTION ANSWER
noid.test. IN MX 10 evil.invalid.
ENTRY_END
DATA
  testns_catchall
} > "$E2E_WORK/noid.data"
testns_start "$E2E_WORK/noid.data"
"$MC_BIN" -f json -t 1 -r "127.0.0.1:$TESTNS_PORT" --checks mx noid.test > "$E2E_WORK/noid.json"
expect_eq "reply with the wrong ID: exit 3" "$?" 3
expect_eq "reply with the wrong ID: ignored, dns.tempfail" \
  "$(json_get "$E2E_WORK/noid.json" 'd["checks"][0]["findings"][0]["code"]')" dns.tempfail
expect_eq "reply with the wrong ID: its record is not used" \
  "$(grep -c evil "$E2E_WORK/noid.json")" 0
finish
