#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/https_fanout.sh - mta-sts, tls-rpt and bimi against an HTTPS server
# behind a TCP delay relay, as a multiple of the critical path
#
#   bench/https_fanout.sh [PATH-TO-mailcheck]       # default build/mailcheck
#   DELAY_MS=100 DOMAINS=20 RUNS=5 bench/https_fanout.sh
#   SELECTORS=8 DOMAINS=4 bench/https_fanout.sh  # BIMI selectors a domain
#
# Each domain publishes an MTA-STS record (its policy on the server) and a
# BIMI record whose logo and mark certificate are on the server: 3 HTTPS
# transfers a domain, independent of each other; with SELECTORS=N (1-8) the
# domain publishes N-1 more BIMI selectors (--bimi-selector), each with its
# own logo and certificate URL: 1 + 2N transfers a domain.  DNS comes from a zone file
# (no delay).  The relay (bench/tcp_delay_relay.py) holds every chunk back
# DELAY_MS in each direction, so a round trip costs 2 x DELAY_MS.  One
# transfer over a fresh connection needs 2 round trips after the TCP
# handshake (which the kernel answers at once): TLS 1.3 (ClientHello ->
# server Finished), then the request and its response.  All transfers are
# independent, so the critical path of the run is 2 round trips however
# many domains: 4 x DELAY_MS.  Loopback only.
set -u
BIN=${1:-build/mailcheck}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DELAY_MS=${DELAY_MS:-100}
DOMAINS=${DOMAINS:-20}
RUNS=${RUNS:-5}
SELECTORS=${SELECTORS:-1}
W=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-https.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT INT TERM
export MAILCHECK_NET_LOOPBACK_ONLY=1
export MAILCHECK_RESOLV_CONF="$SRC/tests/no-resolver.conf"

names=""
i=0
while [ $i -lt "$DOMAINS" ]; do names="$names d$i.test"; i=$((i + 1)); done
# shellcheck disable=SC2086
sh "$SRC/tests/tools/https_ca.sh" "$W/ca" $names example.test > /dev/null 2>&1 || exit 1
root=$W/root
mkdir -p "$root/images.example.test"
cp "$W/ca/mark.pem" "$root/images.example.test/mark.pem"
printf '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><title>x</title></svg>\n' \
  > "$root/images.example.test/logo.svg"
{
  echo '$ORIGIN test.'
  echo '$TTL 60'
  for d in $names; do
    l=${d%.test}
    mkdir -p "$root/mta-sts.$d/.well-known"
    printf 'version: STSv1\nmode: enforce\nmx: mx.%s\nmax_age: 604800\n' "$d" \
      > "$root/mta-sts.$d/.well-known/mta-sts.txt"
    printf '%s MX 10 mx.%s.\nmx.%s A 127.0.0.1\n_mta-sts.%s TXT "v=STSv1; id=1"\n' "$l" "$d" "$l" "$l"
    printf '_smtp._tls.%s TXT "v=TLSRPTv1; rua=mailto:r@%s"\n_dmarc.%s TXT "v=DMARC1; p=reject"\n' "$l" "$d" "$l"
    printf 'default._bimi.%s TXT "v=BIMI1; l=https://images.example.test/logo.svg?%s; a=https://images.example.test/mark.pem?%s"\n' "$l" "$l" "$l"
    s=1
    while [ $s -lt "$SELECTORS" ]; do
      printf 's%s._bimi.%s TXT "v=BIMI1; l=https://images.example.test/logo.svg?%s-%s; a=https://images.example.test/mark.pem?%s-%s"\n' \
        "$s" "$l" "$l" "$s" "$l" "$s"
      s=$((s + 1))
    done
  done
} > "$W/bench.zone"

python3 "$SRC/tests/e2e/https_server.py" --root "$root" --cert "$W/ca/good.pem" \
  --key "$W/ca/good.key" --lifetime 600 > "$W/server.log" 2>/dev/null &
PIDS="$PIDS $!"
until grep -q '^ready' "$W/server.log" 2>/dev/null; do sleep 0.05; done
up=$(awk '/^ready/ { print $2 }' "$W/server.log")

selopts=""
s=1
while [ $s -lt "$SELECTORS" ]; do selopts="$selopts --bimi-selector s$s"; s=$((s + 1)); done
per=$((1 + 2 * SELECTORS))

run() { # PORT LABEL: RUNS runs, wall ms each; leaves the last report
  ms=""
  r=0
  while [ $r -lt "$RUNS" ]; do
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    "$BIN" -f jsonl -z "$W/bench.zone" --ca-file "$W/ca/ca.pem" --parallel 64 \
      --connect-to "::127.0.0.1:$1" --checks mta-sts,tls-rpt,bimi $selopts $names > "$W/out.jsonl" 2>/dev/null
    ms="$ms $(( ($(date +%s%N) - t0) / 1000000 ))"
    r=$((r + 1))
  done
  echo "$2 runs (ms):$ms"
  RUN_MEDIAN=$(echo "$ms" | tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
}

run "$up" "direct to the server  "
direct=$RUN_MEDIAN
python3 "$SRC/bench/tcp_delay_relay.py" --upstream "$up" --delay-ms "$DELAY_MS" \
  --lifetime 600 > "$W/relay.log" 2>/dev/null &
relay=$!
PIDS="$PIDS $relay"
until grep -q '^ready' "$W/relay.log" 2>/dev/null; do sleep 0.05; done
rport=$(awk '/^ready/ { print $2 }' "$W/relay.log")
run "$rport" "via relay +${DELAY_MS} ms "
delayed=$RUN_MEDIAN
kill -TERM "$relay"
wait "$relay" 2>/dev/null
peak=$(awk '/^peak/ { print $2 }' "$W/relay.log")
conns=$(awk '/^connections/ { print $2 }' "$W/relay.log")
findings=$(python3 -c 'import json, sys
codes = {}
for line in open(sys.argv[1]):
    for c in json.loads(line)["checks"]:
        for f in c["findings"]:
            codes[f["code"]] = codes.get(f["code"], 0) + 1
print(codes or "none")' "$W/out.jsonl")
bound=$((4 * DELAY_MS))
echo
echo "https fan-out: $DOMAINS domains x $per transfers (policy, and a logo and certificate for each of $SELECTORS BIMI selectors); findings of the last run: $findings"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (a busy machine stretches every number)"
echo "transfers seen by the relay: $conns connections in $RUNS runs, at most $peak open at once"
echo "critical path: 2 round trips x $((2 * DELAY_MS)) ms = $bound ms; one transfer after another: $((per * DOMAINS)) x $bound ms = $((per * DOMAINS * bound)) ms"
echo "median wall time: $direct ms direct, $delayed ms via the relay"
awk -v d="$delayed" -v b="$bound" -v x="$direct" 'BEGIN {
  printf "ratio (median via relay / bound): %.2f\n", d / b
  printf "the same less the time seen direct (process start, TLS CPU, report): %.2f\n", (d - x) / b }'
