#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_tcp.sh - the TCP fallback when TCP goes wrong: a server
# that refuses TCP, hangs, closes early, sends a short or damaged message or
# one with another ID.  With this one resolver, each is a DNS failure of
# the question (exit 3), on time, never a crash; and the good case brings
# all records.  (With a second resolver the question goes on to it:
# testns_tcp_failover.sh.)
. "$(dirname "$0")/lib.sh"

rogue_start
r="127.0.0.1:$ROGUE_PORT"
codes='" ".join(f["code"] for f in d["checks"][0]["findings"] if f["code"].startswith("dns."))'

"$MC_BIN" -f json -t 5 -r "$r" --checks mx tcgood.test > "$E2E_WORK/good.json"
expect_eq "TC then a good TCP answer: three MX hosts with addresses" \
  "$(json_get "$E2E_WORK/good.json" '[(h["host"], h["addresses"]) for h in d["checks"][0]["data"]["hosts"]]')" \
  "[('mx1.tcgood.test', ['198.51.100.7']), ('mx2.tcgood.test', ['198.51.100.7']), ('mx3.tcgood.test', ['198.51.100.7'])]"
expect_eq "TC then a good TCP answer: asked over TCP once" \
  "$(grep -c '^tcp query tcgood.test 15$' "$E2E_WORK/rogue.$ROGUE_PORT.log")" 1

# name  timeout  expected finding
for c in "tchang 1 dns.tempfail" "tcclose 5 dns.tempfail" "tcshort 5 dns.tempfail" \
    "tcbad 5 dns.permfail" "tcforeign 5 dns.permfail"; do
  set -- $c
  t0=$(now_ms)
  "$MC_BIN" -f json -t "$2" -r "$r" --checks mx "$1.test" > "$E2E_WORK/$1.json" 2> "$E2E_WORK/$1.err"
  rc=$?
  ms=$(($(now_ms) - t0))
  expect_eq "$1: exit 3" "$rc" 3
  expect_eq "$1: reported as $3" "$(json_get "$E2E_WORK/$1.json" "$codes")" "$3"
  expect_le "$1: ends within --timeout $2 + 1.5 s (ms)" "$ms" $(($2 * 1000 + 1500))
done

# TCP refused: nothing listens on the TCP port
rogue_start --no-tcp
"$MC_BIN" -f json -t 5 -r "127.0.0.1:$ROGUE_PORT" --checks mx tcgood.test > "$E2E_WORK/refused.json"
expect_eq "TCP refused: exit 3" "$?" 3
expect_eq "TCP refused: reported as dns.tempfail" "$(json_get "$E2E_WORK/refused.json" "$codes")" dns.tempfail
finish
