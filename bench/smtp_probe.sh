#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/smtp_probe.sh - the STARTTLS probe of 4 MX hosts against its bound
#
# Usage: bench/smtp_probe.sh [PATH-TO-mailcheck]   (default: build/mailcheck)
# Environment: RUNS (default 10), DELAY_MS (default 20), HOSTS (default 4)
#
# tests/tools/smtp_server.py serves HOSTS MX hosts (STARTTLS, a certificate
# from a test CA made with openssl); bench/tcp_delay_relay.py sits in front
# of each and adds DELAY_MS to the connection and to every answer.  A
# zone-file run of `mailcheck --checks smtp` maps each host to its relay
# with --connect-to.  One probe needs 5 exchanges one after another
# (connect, greeting, EHLO, STARTTLS, the TLS 1.3 handshake's one round
# trip), so its critical path is 5 x DELAY_MS however many hosts there
# are; probing one host after another would take HOSTS times that.
# Printed: the wall time of each run, the medians direct and via the
# relays, the ratio to the bound, and the CPU time (user+sys) of a run.
# A benchmark, not a test: it asserts nothing.  Loopback only.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/mailcheck}
[ -x "$bin" ] || { echo "smtp_probe: no mailcheck binary at $bin (build first)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
RUNS=${RUNS:-10}
DELAY_MS=${DELAY_MS:-20}
HOSTS=${HOSTS:-4}
export MAILCHECK_NET_LOOPBACK_ONLY=1
export MAILCHECK_RESOLV_CONF="$root/tests/no-resolver.conf"

work=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-smtp.XXXXXX")
pids=""
cleanup() {
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

waitready() {
  i=0
  until grep -q '^ready' "$1" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 1000 ] || { echo "smtp_probe: $1 did not start" >&2; cat "$1" >&2; exit 1; }
    sleep 0.02
  done
}

"$root/tests/tools/smtp_certs.sh" "$work/certs"
specs="" i=1
while [ $i -le "$HOSTS" ]; do specs="$specs mx$i.mx.test:ok:good"; i=$((i + 1)); done
# shellcheck disable=SC2086
/usr/bin/python3 "$root/tests/tools/smtp_server.py" --dir "$work/certs" \
  --lifetime 600 $specs > "$work/server.out" 2>&1 &
pids="$pids $!"
waitready "$work/server.out"
ups=$(awk '$1 != "ready" { print $2 }' "$work/server.out")
# shellcheck disable=SC2086
/usr/bin/python3 "$root/bench/tcp_delay_relay.py" --delay-ms "$DELAY_MS" \
  --request-delay-ms 0 --connect-delay-ms "$DELAY_MS" --lifetime 600 \
  $(printf -- '--upstream %s ' $ups) > "$work/relay.out" 2>&1 &
pids="$pids $!"
waitready "$work/relay.out"

direct="" relayed="" i=1
{ printf '$ORIGIN test.\n'; } > "$work/bench.zone"
while [ $i -le "$HOSTS" ]; do
  up=$(awk -v h="mx$i.mx.test" '$1 == h { print $2 }' "$work/server.out")
  rp=$(awk -v u="$up" '$1 == u { print $2 }' "$work/relay.out")
  printf 'bench MX %d mx%d.mx.test.\nmx%d.mx A 127.0.0.1\n' "$((i * 10))" "$i" "$i" >> "$work/bench.zone"
  direct="$direct --connect-to mx$i.mx.test:25:127.0.0.1:$up"
  relayed="$relayed --connect-to mx$i.mx.test:25:127.0.0.1:$rp"
  i=$((i + 1))
done

# run MAPPING: one run, prints its wall time in ms
run() {
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  "$bin" -z "$work/bench.zone" --checks smtp --ca-file "$work/certs/ca.pem" \
    -f json $1 bench.test > "$work/last.json" 2>&1 || true
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{ printf "%.1f", $1 / 1000 }'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

dr="" rr="" n=0
run "$direct" > /dev/null   # warm up (page cache, CA file)
while [ $n -lt "$RUNS" ]; do
  dr="$dr $(run "$direct")"
  rr="$rr $(run "$relayed")"
  n=$((n + 1))
done
tls=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checks"][0]["metrics"]["tls_hosts"])' "$work/last.json")
cpu=$( { /usr/bin/time -f '%U %S' "$bin" -z "$work/bench.zone" --checks smtp \
  --ca-file "$work/certs/ca.pem" -f json $relayed bench.test > /dev/null; } 2>&1 | tail -1)
md=$(echo "$dr" | median)
mr=$(echo "$rr" | median)
bound=$((5 * DELAY_MS))
echo "direct to the servers  runs (ms):$dr"
echo "via relays +$DELAY_MS ms     runs (ms):$rr"
echo
echo "smtp probe: $HOSTS MX hosts, $tls completed TLS in the last run"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (a busy machine stretches every number)"
echo "critical path: 5 exchanges (connect, greeting, EHLO, STARTTLS, TLS 1.3 handshake) x $DELAY_MS ms = $bound ms; one host after another: $((HOSTS * bound)) ms"
echo "median wall time: $md ms direct, $mr ms via the relays"
awk -v m="$mr" -v b="$bound" -v d="$md" -v h="$HOSTS" 'BEGIN {
  printf "ratio (median via relays / bound): %.2f   (one host after another would be %d)\n", m / b, h
  printf "the same less the fixed cost seen direct (process start, TLS, report): %.2f\n", (m - d) / b }'
echo "CPU time of one relayed run (user sys, s): $cpu"
