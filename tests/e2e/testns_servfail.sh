#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_servfail.sh - SERVFAIL is a temporary failure, REFUSED a
# permanent one; both make the mx check unknown (exit 3), never "no MX"
. "$(dirname "$0")/lib.sh"

cat > "$E2E_WORK/servfail.data" <<'DATA'
ENTRY_BEGIN
MATCH opcode qname
ADJUST copy_id copy_query
REPLY QR RD RA REFUSED
SECTION QUESTION
refused.test. IN MX
ENTRY_END

; everything else: SERVFAIL (the QUESTION line is a placeholder that
; copy_query replaces; without it the reply's QDCOUNT would be 0)
ENTRY_BEGIN
MATCH opcode
ADJUST copy_id copy_query
REPLY QR RD RA SERVFAIL
SECTION QUESTION
placeholder.test. IN A
ENTRY_END
DATA
testns_start "$E2E_WORK/servfail.data"

t0=$(now_ms)
"$MC_BIN" -f json -t 10 -r "127.0.0.1:$TESTNS_PORT" --checks mx example.test > "$E2E_WORK/sf.json"
rc=$?
t1=$(now_ms)
expect_eq "SERVFAIL: exit 3" "$rc" 3
expect_eq "SERVFAIL: the mx check is unknown" "$(json_get "$E2E_WORK/sf.json" 'd["checks"][0]["status"]')" unknown
expect_eq "SERVFAIL: reported as dns.tempfail" \
  "$(json_get "$E2E_WORK/sf.json" '" ".join(f["code"] for f in d["checks"][0]["findings"])')" dns.tempfail
expect_eq "SERVFAIL: the message says SERVFAIL and from which server" \
  "$(json_get "$E2E_WORK/sf.json" '"SERVFAIL from 127.0.0.1:'"$TESTNS_PORT"'" in d["checks"][0]["findings"][0]["message"]')" True
expect_eq "SERVFAIL: no implicit-MX guess from a failed lookup" \
  "$(json_get "$E2E_WORK/sf.json" '"hosts" in d["checks"][0]["data"]')" False
# a SERVFAIL is an answer: no waiting for the 5 s query timeout
expect_le "SERVFAIL: answered without waiting for a timeout (ms)" $((t1 - t0)) 2000

"$MC_BIN" -f json -t 10 -r "127.0.0.1:$TESTNS_PORT" --checks mx refused.test > "$E2E_WORK/ref.json"
expect_eq "REFUSED: exit 3" "$?" 3
expect_eq "REFUSED: reported as dns.permfail" \
  "$(json_get "$E2E_WORK/ref.json" '" ".join(f["code"] for f in d["checks"][0]["findings"])')" dns.permfail
expect_eq "REFUSED: the message says REFUSED" \
  "$(json_get "$E2E_WORK/ref.json" '"REFUSED from" in d["checks"][0]["findings"][0]["message"]')" True

# the text report names the failure too and exits the same way
"$MC_BIN" -f text -t 10 -r "127.0.0.1:$TESTNS_PORT" --checks mx example.test > "$E2E_WORK/sf.txt"
expect_eq "SERVFAIL, text format: exit 3" "$?" 3
expect_eq "SERVFAIL, text format: names dns.tempfail" \
  "$(grep -c 'dns.tempfail' "$E2E_WORK/sf.txt" | awk '{print ($1 > 0)}')" 1

# with a second resolver, SERVFAIL and REFUSED from the first send the
# question on to it at once: the records arrive, without a retransmission
# wait
rogue_start
t0=$(now_ms)
"$MC_BIN" -f json -t 10 -r "127.0.0.1:$TESTNS_PORT" -r "127.0.0.1:$ROGUE_PORT" --checks mx good.test > "$E2E_WORK/next.json"
ms=$(($(now_ms) - t0))
expect_eq "SERVFAIL from the first resolver: the second one answers" \
  "$(json_get "$E2E_WORK/next.json" '[(h["host"], h["addresses"]) for h in d["checks"][0]["data"]["hosts"]]')" \
  "[('mx1.good.test', ['198.51.100.7'])]"
expect_le "SERVFAIL from the first resolver: asked on at once (ms)" "$ms" 900
"$MC_BIN" -f json -t 10 -r "127.0.0.1:$TESTNS_PORT" -r "127.0.0.1:$ROGUE_PORT" --checks mx refused.test > "$E2E_WORK/next2.json"
expect_eq "REFUSED from the first resolver: the second one answers" \
  "$(json_get "$E2E_WORK/next2.json" '[h["host"] for h in d["checks"][0]["data"]["hosts"]]')" \
  "['mx1.refused.test']"
# both fail: the last one's verdict stands, each asked once
"$MC_BIN" -f json -t 10 -r "127.0.0.1:$TESTNS_PORT" -r "127.0.0.1:$TESTNS_PORT" --checks mx example.test > "$E2E_WORK/both.json"
expect_eq "SERVFAIL from both resolvers: dns.tempfail" \
  "$(json_get "$E2E_WORK/both.json" '" ".join(f["code"] for f in d["checks"][0]["findings"])')" dns.tempfail
finish
