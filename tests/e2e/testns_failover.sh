#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_failover.sh - retransmission rotates over the resolvers:
# when the first never answers, the second answers after the first
# retransmission interval; a late answer from the first still counts
. "$(dirname "$0")/lib.sh"

rogue_start --silent
silent=$ROGUE_PORT
rogue_start
good=$ROGUE_PORT
want="[('mx1.good.test', ['198.51.100.7'])]"
hosts='[(h["host"], h["addresses"]) for h in d["checks"][0]["data"]["hosts"]]'

bounded 1.5 "$MC_BIN" -f json -t 10 -r "127.0.0.1:$silent" -r "127.0.0.1:$good" --checks mx good.test > "$E2E_WORK/fo.json"
expect_eq "first resolver silent: the second one answers" \
  "$(json_get "$E2E_WORK/fo.json" "$hosts")" "$want"
expect_eq "first resolver silent: no DNS failure" \
  "$(json_get "$E2E_WORK/fo.json" '[f["code"] for f in d["checks"][0]["findings"] if f["code"].startswith("dns.")]')" "[]"
# the MX question waits one retransmission interval, far below the 5 s query
# timeout; the A/AAAA questions after it go straight to the server that
# answered, so the silent one saw the MX question only
expect_bounded "first resolver silent: answered after one retransmission interval (bound of 1.5 s)"
expect_eq "first resolver silent: later questions skip it" \
  "$(grep -c '^query' "$E2E_WORK/rogue.$silent.log")" 1

# nothing listening at all on the first address, and the other family
dead=$(free_port)
"$MC_BIN" -f json -t 10 -r "[::1]:$dead" -r "127.0.0.1:$good" --checks mx good.test > "$E2E_WORK/fo6.json"
expect_eq "first resolver down on ::1: the IPv4 one answers" \
  "$(json_get "$E2E_WORK/fo6.json" "$hosts")" "$want"

# a short --timeout still leaves room to ask the second resolver
"$MC_BIN" -f json -t 1.5 -r "127.0.0.1:$silent" -r "127.0.0.1:$good" --checks mx good.test > "$E2E_WORK/short.json"
expect_eq "short --timeout: the second resolver is still asked in time" \
  "$(json_get "$E2E_WORK/short.json" "$hosts")" "$want"

# the first resolver answers after 1.3 s, later than the first retransmission
# (which goes to the silent second resolver): its answer is still taken
rogue_start --delay-ms 1300
slow=$ROGUE_PORT
bounded 2.25 "$MC_BIN" -f json -t 10 -r "127.0.0.1:$slow" -r "127.0.0.1:$silent" --checks mx good.test > "$E2E_WORK/late.json"
expect_eq "late answer from the first resolver: accepted" \
  "$(json_get "$E2E_WORK/late.json" "$hosts")" "$want"
# MX and A/AAAA: two late answers of 1.3 s each, not a second full round
# of retransmissions
expect_bounded "late answer from the first resolver: taken when it comes (bound of 2 x 1.3 s)"
finish
