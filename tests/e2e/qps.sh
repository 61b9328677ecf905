#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/qps.sh - --qps N caps the queries a second to a server: a bulk
# run against a responder on loopback that stamps every query with the
# kernel's receive time (rogue_dns.py --stamp) may put at most
# N + MC_QPS_BURST(N) (N/10) of them into any one-second window, over UDP
# and TCP (tcgood.*: a truncated answer, then TCP), and ends with the same
# verdicts as the run without the cap.  A count of what arrived, not a
# timing assertion: the run is long enough (many windows' worth of
# queries) that the cap must have held the sender back.
. "$(dirname "$0")/lib.sh"

N=100
BURST=10
printf 'd%d.qps.test\n' 1 2 3 4 5 6 > "$E2E_WORK/domains.txt"
echo tcgood.qps.test >> "$E2E_WORK/domains.txt"

# run NAME ARGS...: a bulk run against a fresh stamping responder
run() {
  name=$1
  shift
  rogue_start --stamp
  "$MC_BIN" -r "127.0.0.1:$ROGUE_PORT" -f jsonl --domains-file \
    "$E2E_WORK/domains.txt" "$@" > "$E2E_WORK/$name.jsonl" 2> "$E2E_WORK/$name.err"
  grep 'query ' "$E2E_WORK/rogue.$ROGUE_PORT.log" > "$E2E_WORK/$name.log"
  python3 -c 'import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    print(d["domain"], d["status"], " ".join("%s=%s" % (c["name"], c["status"]) for c in d["checks"]))' \
    "$E2E_WORK/$name.jsonl" | sort > "$E2E_WORK/$name.verdicts"
}

run capped --qps "$N"
run free
# the largest number of queries whose arrival times fit in one second
read -r total udp tcp most <<EOF
$(python3 -c 'import sys
lines = open(sys.argv[1]).read().split("\n")
ts = sorted(float(l.split()[-1]) for l in lines if l)
tcp = sum(1 for l in lines if l.startswith("tcp query"))
j = most = 0
for i, t in enumerate(ts):
    while ts[j] <= t - 1.0:
        j += 1
    most = max(most, i - j + 1)
print(len(ts), len(ts) - tcp, tcp, most)' "$E2E_WORK/capped.log")
EOF
echo "     (capped: $total queries, $tcp over TCP; at most $most in one second)"
expect_le "no second holds more than N + burst queries" "$most" $((N + BURST))
if [ "$total" -ge $((3 * (N + BURST))) ] && [ "$tcp" -ge 1 ]; then
  pass "the run needed several seconds' worth of queries, TCP ones too"
else
  fail "the run needed several seconds' worth of queries, TCP ones too" \
    "$total queries, $tcp over TCP"
fi
expect_eq "every domain reported under the cap" \
  "$(wc -l < "$E2E_WORK/capped.verdicts")" 7
if cmp -s "$E2E_WORK/capped.verdicts" "$E2E_WORK/free.verdicts"; then
  pass "the cap changes no verdict"
else
  fail "the cap changes no verdict" \
    "$(diff "$E2E_WORK/free.verdicts" "$E2E_WORK/capped.verdicts" | head -4 | tr '\n' ' ')"
fi

# the progress line on a terminal shows the cap
if command -v script > /dev/null; then
  rogue_start
  head -2 "$E2E_WORK/domains.txt" > "$E2E_WORK/two.txt"
  script -qc "'$MC_BIN' -r 127.0.0.1:$ROGUE_PORT --checks mx --qps 50 -f jsonl \
    --domains-file '$E2E_WORK/two.txt' > /dev/null" /dev/null > "$E2E_WORK/tty" 2>&1
  if grep -q "at most 50 queries/s a server" "$E2E_WORK/tty"; then
    pass "the progress line shows the cap"
  else
    fail "the progress line shows the cap" "$(tr '\r' '\n' < "$E2E_WORK/tty" | tail -3)"
  fi
fi

# bad values are usage errors that name the option
for bad in 0 -5 abc 1e3 2000000 ''; do
  "$MC_BIN" -z "$E2E_WORK/two.txt" --qps "$bad" example.org > /dev/null 2> "$E2E_WORK/bad.err"
  rc=$?
  if [ $rc -eq 3 ] && grep -q "invalid --qps" "$E2E_WORK/bad.err"; then
    pass "--qps '$bad' is refused"
  else
    fail "--qps '$bad' is refused" "exit $rc: $(cat "$E2E_WORK/bad.err")"
  fi
done
finish
