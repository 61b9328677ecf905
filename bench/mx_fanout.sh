#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/mx_fanout.sh - MX fan-out wall time against the critical-path bound
#
# Usage: bench/mx_fanout.sh [PATH-TO-mailcheck]   (default: build/mailcheck)
# Environment: RUNS (default 10), DELAY_MS (default 20), HOSTS (default 10)
#
# Knot on loopback serves fanout.test with HOSTS MX hosts, each with an A and
# an AAAA record; bench/delay_proxy.py in front of it holds every reply back
# DELAY_MS.  `mailcheck --checks mx` then needs 1 + 2 * HOSTS queries in two
# dependent rounds (MX, then every A and AAAA at once), so its critical path
# is 2 round trips.  Printed: the wall time of each run, the median divided
# by the bound (target below 1.5; one query after another would be about
# 1 + 2 * HOSTS round trips, 10.5 bounds for 10 hosts), and the queries the
# proxy saw per run.  A benchmark, not a test: it asserts nothing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/mailcheck}
[ -x "$bin" ] || { echo "mx_fanout: no mailcheck binary at $bin (build first)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
RUNS=${RUNS:-10}
DELAY_MS=${DELAY_MS:-20}
HOSTS=${HOSTS:-10}

# the e2e helpers start and kill Knot on loopback
MC_SOURCE_DIR=$root
set -- "$bin"
. "$root/tests/e2e/lib.sh"
set +e

zones="$E2E_WORK/zones"
mkdir -p "$zones"
{
  printf '$ORIGIN fanout.test.\n$TTL 300\n'
  printf '@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n'
  i=0
  while [ $i -lt "$HOSTS" ]; do
    printf '@ MX %d mx%d\nmx%d A 192.0.2.%d\nmx%d AAAA 2001:db8::%d\n' \
      $((10 + i)) $i $i $((i + 1)) $i $((i + 1))
    i=$((i + 1))
  done
} > "$zones/fanout.test.zone"
knot_start "$zones"

qlog="$E2E_WORK/queries.log"
: > "$qlog"
proxy_start "$KNOT_PORT" "$DELAY_MS" --log "$qlog"
proxy_port=$PROXY_PORT

now_us() { echo $(($(date +%s%N) / 1000)); }

# run_series LABEL RESOLVER: RUNS timed runs; prints them, sets med_us
run_series() {
  "$bin" -f json -t 10 -r "$2" --checks mx fanout.test > "$E2E_WORK/out.json" || true
  times=""
  r=0
  while [ $r -lt "$RUNS" ]; do
    before=$(wc -l < "$qlog")
    t0=$(now_us)
    "$bin" -f json -t 10 -r "$2" --checks mx fanout.test > "$E2E_WORK/out.json"
    rc=$?
    t1=$(now_us)
    nq=$(($(wc -l < "$qlog") - before))
    times="$times $((t1 - t0))"
    r=$((r + 1))
  done
  med_us=$(printf '%s\n' $times | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }')
  printf '%-22s runs (ms):' "$1"
  for t in $times; do printf ' %.1f' "$(echo "$t" | awk '{ print $1 / 1000 }')"; done
  printf '\n'
}

run_series "direct to Knot" "127.0.0.1:$KNOT_PORT"
direct_us=$med_us
run_series "via proxy +${DELAY_MS} ms" "127.0.0.1:$proxy_port"
proxy_us=$med_us
hosts=$(json_get "$E2E_WORK/out.json" 'len(d["checks"][0]["data"]["hosts"])')
bound_us=$((2 * DELAY_MS * 1000))

echo
types=$(tail -n "$nq" "$qlog" | awk '{ t = $3 == 1 ? "A" : $3 == 28 ? "AAAA" : $3 == 15 ? "MX" : "type " $3; print $1 " " t }' |
  sort | uniq -c | awk '{ printf "%s%d %s %s", s, $1, $2, $3; s = ", " }')
echo "mx fan-out: $hosts MX hosts (mailcheck exit code $rc), $nq queries per run seen by the proxy: $types"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (a busy machine stretches every number)"
echo "critical path: 2 round trips x $DELAY_MS ms = $((bound_us / 1000)) ms; one query after another: $nq x $DELAY_MS ms = $((nq * DELAY_MS)) ms"
awk -v d="$direct_us" -v p="$proxy_us" -v b="$bound_us" -v n="$nq" -v ms="$DELAY_MS" 'BEGIN {
  printf "median wall time: %.1f ms direct, %.1f ms via the proxy\n", d / 1000, p / 1000
  printf "ratio (median via proxy / bound): %.2f   (target < 1.5; sequential would be %.1f)\n", p / b, n * ms * 1000 / b
  printf "the same less the fixed cost seen direct (process start, report): %.2f\n", (p - d) / b
}'
