#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_malformed.sh - malformed reply bytes never crash the
# engine.  With our ID and QR set they are a permanent failure,
# dns.permfail: from rogue_dns.py (five kinds of damage) and from
# ldns-testns (HEX_ANSWER_BEGIN with ADJUST copy_id, which patches the ID
# into the raw bytes).  Without our ID they are ignored like any other
# foreign packet.  A malformed reply speaks for its server only: with a
# second resolver, that one is asked at once and its answer counts.
. "$(dirname "$0")/lib.sh"

rogue_start
for kind in hdronly ptrloop rdlen label garbage; do
  "$MC_BIN" -f json -t 5 -r "127.0.0.1:$ROGUE_PORT" --checks mx "$kind.test" \
    > "$E2E_WORK/$kind.json" 2> "$E2E_WORK/$kind.err"
  rc=$?
  expect_eq "$kind: exit 3 (no crash)" "$rc" 3
  expect_eq "$kind: reported as dns.permfail" \
    "$(json_get "$E2E_WORK/$kind.json" '" ".join(f["code"] for f in d["checks"][0]["findings"])')" dns.permfail
  expect_eq "$kind: nothing on stderr" "$(cat "$E2E_WORK/$kind.err")" ""
done

{ cat <<'DATA'
; hex.test: a header claiming one question and three answers, then a name
; whose label runs past the end of the packet
ENTRY_BEGIN
MATCH opcode qname
ADJUST copy_id
SECTION QUESTION
hex.test. IN MX
HEX_ANSWER_BEGIN
 00 00 81 80 00 01 00 03 00 00 00 00
 03 68 65 78 04 74 65 73 74 00 00 0f 00 01
 c0 0c 00 0f 00 01 00 00 01 2c 00 ff 00 0a 3f 6d
HEX_ANSWER_END
ENTRY_END

; hexnoid.test: the same bytes, ID left at 0
ENTRY_BEGIN
MATCH opcode qname
SECTION QUESTION
hexnoid.test. IN MX
HEX_ANSWER_BEGIN
 00 00 81 80 00 01 00 03 00 00 00 00
 03 68 65 78 04 74 65 73 74 00 00 0f 00 01
 c0 0c 00 0f 00 01 00 00 01 2c 00 ff 00 0a 3f 6d
HEX_ANSWER_END
ENTRY_END
DATA
  testns_catchall
} > "$E2E_WORK/hex.data"
testns_start "$E2E_WORK/hex.data"
"$MC_BIN" -f json -t 5 -r "127.0.0.1:$TESTNS_PORT" --checks mx hex.test \
  > "$E2E_WORK/hex.json" 2> "$E2E_WORK/hex.err"
expect_eq "raw bytes with our ID: exit 3 (no crash)" "$?" 3
expect_eq "raw bytes with our ID: reported as dns.permfail" \
  "$(json_get "$E2E_WORK/hex.json" '" ".join(f["code"] for f in d["checks"][0]["findings"])')" dns.permfail

good=$ROGUE_PORT
bounded 10 "$MC_BIN" -f json -t 10 -r "127.0.0.1:$TESTNS_PORT" -r "127.0.0.1:$good" \
  --checks mx hex.test > "$E2E_WORK/next.json"
expect_eq "raw bytes from the first resolver: the second one's records" \
  "$(json_get "$E2E_WORK/next.json" '[(h["host"], h["addresses"]) for h in d["checks"][0]["data"].get("hosts", [])]')" \
  "[('mx1.hex.test', ['198.51.100.7'])]"
expect_prompt "raw bytes from the first resolver: asked on at once"

bounded 1 "$MC_BIN" -f json -t 1 -r "127.0.0.1:$TESTNS_PORT" --checks mx hexnoid.test \
  > "$E2E_WORK/hexnoid.json" 2> "$E2E_WORK/hexnoid.err"
expect_eq "raw bytes, another ID: exit 3 (no crash)" "$rc" 3
expect_eq "raw bytes, another ID: ignored, the question times out" \
  "$(json_get "$E2E_WORK/hexnoid.json" 'd["checks"][0]["findings"][0]["code"]')" dns.tempfail
expect_bounded "raw bytes, another ID: ends within 2 x --timeout 1"
finish
