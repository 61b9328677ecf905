#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_tcp_failover.sh - a truncated answer whose TCP retry
# fails (refused, hung, closed early, short, damaged, another ID) sends the
# question on to the next resolver, which answers; with no resolver left
# the question fails on time (exit 3), never hangs
. "$(dirname "$0")/lib.sh"

# the good resolver lives past the 120 s default: on a loaded machine the
# cases below can take longer than that
rogue_start --lifetime 600
good=$ROGUE_PORT
codes='" ".join(f["code"] for f in d["checks"][0]["findings"] if f["code"].startswith("dns."))'
hosts='[(h["host"], h["addresses"]) for h in d["checks"][0]["data"].get("hosts", [])]'
want="[('mx1.tcgood.test', ['198.51.100.7']), ('mx2.tcgood.test', ['198.51.100.7']), ('mx3.tcgood.test', ['198.51.100.7'])]"

# how the first resolver's TCP side fails, and the seconds the run needs
# (lib.sh's bounded: twice that plus start-up, far below the 5 s a
# question waits when nothing sends it on): a hung connection is given up
# after two retransmission intervals
for c in "refused 1" "tcclose 1" "tcshort 1" "tcbad 1" \
    "tcforeign 1" "tchang 2"; do
  set -- $c
  if [ "$1" = refused ]; then
    rogue_start --no-tcp
  else
    rogue_start --tcp-fail "$1"
  fi
  first=$ROGUE_PORT
  bounded "$2" "$MC_BIN" -f json -t 10 -r "127.0.0.1:$first" -r "127.0.0.1:$good" \
    --checks mx tcgood.test > "$E2E_WORK/$1.json"
  expect_eq "TCP $1 at the first resolver: the second one's records" \
    "$(json_get "$E2E_WORK/$1.json" "$hosts")" "$want"
  expect_eq "TCP $1 at the first resolver: no DNS failure" \
    "$(json_get "$E2E_WORK/$1.json" "$codes")" ""
  expect_eq "TCP $1 at the first resolver: UDP then TCP at the second" \
    "$(grep -c '^query tcgood.test 15$' "$E2E_WORK/rogue.$good.log") $(grep -c '^tcp query tcgood.test 15$' "$E2E_WORK/rogue.$good.log")" \
    "1 1"
  expect_bounded "TCP $1 at the first resolver: answered in time (bound of $2 s)"
  : > "$E2E_WORK/rogue.$good.log"
done

# the only resolver refuses TCP: a temporary failure at once, not a wait
rogue_start --no-tcp
only=$ROGUE_PORT
bounded 0.75 "$MC_BIN" -f json -t 10 -r "127.0.0.1:$only" --checks mx tcgood.test > "$E2E_WORK/only.json"
expect_eq "TCP refused, no other resolver: exit 3" "$rc" 3
expect_eq "TCP refused, no other resolver: dns.tempfail" \
  "$(json_get "$E2E_WORK/only.json" "$codes")" dns.tempfail
expect_eq "TCP refused, no other resolver: the message names the server" \
  "$(json_get "$E2E_WORK/only.json" '"from 127.0.0.1:'"$only"'" in d["checks"][0]["findings"][0]["message"]')" True
expect_bounded "TCP refused, no other resolver: fails at once, not after the question's 5 s"

# every resolver's TCP side is broken: each asked once, then a failure
rogue_start --tcp-fail tcclose
other=$ROGUE_PORT
bounded 0.75 "$MC_BIN" -f json -t 10 -r "127.0.0.1:$only" -r "127.0.0.1:$other" --checks mx tcgood.test > "$E2E_WORK/all.json"
expect_eq "TCP broken at both resolvers: exit 3" "$rc" 3
expect_eq "TCP broken at both resolvers: dns.tempfail" \
  "$(json_get "$E2E_WORK/all.json" "$codes")" dns.tempfail
expect_eq "TCP broken at both resolvers: the second was asked over TCP" \
  "$(grep -c '^tcp query tcgood.test 15$' "$E2E_WORK/rogue.$other.log")" 1
expect_bounded "TCP broken at both resolvers: fails without a timeout"

# the only resolver's TCP connection hangs: unknown within --timeout
rogue_start --tcp-fail tchang
bounded 2 "$MC_BIN" -f json -t 2 -r "127.0.0.1:$ROGUE_PORT" --checks mx tcgood.test > "$E2E_WORK/hang.json"
expect_eq "TCP hangs, no other resolver: exit 3" "$rc" 3
expect_eq "TCP hangs, no other resolver: dns.tempfail" \
  "$(json_get "$E2E_WORK/hang.json" "$codes")" dns.tempfail
expect_bounded "TCP hangs, no other resolver: ends within 2 x --timeout 2"
finish
