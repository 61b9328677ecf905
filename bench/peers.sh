#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/peers.sh - mailcheck beside the peers that do a slice of its work,
# on the same zones behind the same delay
#
#   check_rbl 1.7.0 (Debian monitoring-plugins-contrib): the demo's mail
#     address 144.76.187.44 on the five IP blocklists of the demo, once with
#     one worker (its default) and once with --workers 5; mailcheck's dnsbl
#     check does more (the MX and SPF lookups that find the address, the
#     three domain lists, the RFC 5782 self-tests, the TXT reasons).
#   pyspf 2.0.14 (Debian python3-spf): check_host() for an address that
#     fails bench.example's SPF policy (3 levels, 9 lookups: every term is
#     evaluated), beside `mailcheck spf` (check_host(), serial by nature)
#     and the spf check (the tree fetched breadth-first, one batch a level).
#   Correctness: Spamhaus answers 127.255.255.254 to queries that come
#     through a public resolver (every query; the zone below does the same).
#     check_rbl counts that answer as a listing; mailcheck calls the zone
#     unusable, says why, and exits UNKNOWN.
#
# The peers can only ask the system resolver on port 53, so everything runs
# in a network namespace that has only loopback, with a private
# /etc/resolv.conf saying 127.0.0.1 (ENVIRONMENT.md, "Sandbox"): Knot on a
# free port, bench/delay_proxy.py (+20 ms an answer) on 127.0.0.1:53.
# Nothing leaves the namespace.  Needs root; installs the peers with
# scripts/deps --peers.  Prints median wall times and their ratio to the
# critical-path bound (round trips x 20 ms).
#
# Usage: bench/peers.sh PATH-TO-mailcheck [RUNS]
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
MC_SOURCE_DIR=$(cd "$BENCH_DIR/.." && pwd)
export MC_SOURCE_DIR

if [ "${MC_PEERS_INSIDE:-}" != 1 ]; then
  bin=${1:?usage: bench/peers.sh PATH-TO-mailcheck [RUNS]}
  case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
  [ "$(id -u)" = 0 ] || { echo "bench/peers.sh: needs root (ip netns)" >&2; exit 3; }
  "$MC_SOURCE_DIR/scripts/deps" --peers || exit 3
  ns=mcpeers$$
  resolv=$(mktemp "${TMPDIR:-/tmp}/mc-peers-resolv.XXXXXX")
  echo "nameserver 127.0.0.1" > "$resolv"
  ip netns add "$ns" || exit 3
  ip netns exec "$ns" ip link set lo up
  # shellcheck disable=SC2016
  MC_PEERS_INSIDE=1 ip netns exec "$ns" unshare -m sh -c \
    'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
    sh "$resolv" "$0" "$bin" "${2:-7}"
  rc=$?
  ip netns del "$ns"
  rm -f "$resolv"
  exit $rc
fi

# inside the namespace
RUNS=${2:-7}
DELAY_MS=20
. "$MC_SOURCE_DIR/tests/e2e/lib.sh"
if ip route get 192.0.2.1 > /dev/null 2>&1; then
  echo "bench/peers.sh: the namespace has a route out; refusing" >&2
  exit 3
fi
CHECK_RBL=/usr/lib/nagios/plugins/check_rbl
ZONES="zen.spamhaus.org bl.spamcop.net b.barracudacentral.org psbl.surriel.com bl.mailspike.net"

# time CMD...: run RUNS times, print the median wall time in ms; the first
# run's output is left in $E2E_WORK/first
median_ms() {
  python3 - "$RUNS" "$E2E_WORK/first" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, first, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
walls = []
for i in range(runs):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    walls.append((time.monotonic() - t0) * 1000)
    if i == 0:
        open(first, "w").write("exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
print("%.1f" % statistics.median(walls))
PY
}
# row NAME MS ROUNDS: mailcheck's line: its time over its critical path
row() {
  printf '  %-46s %8s ms  %5.2f x its bound (%s round trips)\n' "$1" "$2" \
    "$(python3 -c "print($2 / ($3 * $DELAY_MS))")" "$3"
}
# peer NAME MS MAILCHECK-MS: a peer's line: its time over mailcheck's
peer() {
  printf '  %-46s %8s ms  %5.2f x mailcheck\n' "$1" "$2" \
    "$(python3 -c "print($2 / $3)")"
}

# 1. the demo's address on five blocklists
zd="$E2E_WORK/zones-demo"
mkdir -p "$zd"
cp "$MC_SOURCE_DIR"/fixtures/demo/*.zone "$zd/"
knot_start "$zd"
PROXY_LISTEN=53 proxy_start "$KNOT_PORT" "$DELAY_MS"
rbl_args=""
for z in $ZONES; do rbl_args="$rbl_args -s $z"; done
echo "blocklists: 144.76.187.44 on $(echo $ZONES | wc -w) IP zones, +${DELAY_MS} ms a query, median of $RUNS"
mc=$(median_ms "$MC_BIN" -f nagios -r 127.0.0.1:53 --checks dnsbl --ip 144.76.187.44 tarnbarford.net)
row "mailcheck --checks dnsbl (8 zones, 24 queries)" "$mc" 4
echo "    $(sed -n 2p "$E2E_WORK/first" | cut -c1-100)"
# shellcheck disable=SC2086
ms=$(median_ms "$CHECK_RBL" -H 144.76.187.44 -n 127.0.0.1 -t 60 $rbl_args)
peer "check_rbl (1 worker, its default)" "$ms" "$mc"
echo "    $(sed -n 2p "$E2E_WORK/first" | cut -c1-100)"
# shellcheck disable=SC2086
ms=$(median_ms "$CHECK_RBL" -H 144.76.187.44 -n 127.0.0.1 -t 60 --workers 5 $rbl_args)
peer "check_rbl --workers 5" "$ms" "$mc"

# 2. SPF: check_host() for an address the policy does not authorise
echo "spf: check_host(198.51.100.1, bench.example), 3 levels, 9 lookups, 11 serial queries"
for p in $E2E_PIDS; do kill -KILL "$p" 2>/dev/null; done
wait 2>/dev/null
E2E_PIDS=""
knot_start "$BENCH_DIR/spf-tree-zones"
PROXY_LISTEN=53 proxy_start "$KNOT_PORT" "$DELAY_MS"
mc=$(median_ms "$MC_BIN" spf -f text -r 127.0.0.1:53 --ip 198.51.100.1 bench.example)
row "mailcheck spf (check_host(), serial)" "$mc" 11
echo "    $(sed -n 2p "$E2E_WORK/first")"
ms=$(median_ms /usr/bin/python3 -c 'import spf; print(spf.check2(i="198.51.100.1", s="postmaster@bench.example", h="bench.example"))')
peer "pyspf check2()" "$ms" "$mc"
echo "    $(sed -n 2p "$E2E_WORK/first")"
ms=$(median_ms "$MC_BIN" -f json -r 127.0.0.1:53 --checks spf --ip 198.51.100.1 bench.example)
row "mailcheck --checks spf --ip (tree by levels)" "$ms" 3
python3 -c '
import json, sys
t = open(sys.argv[1]).read().split("\n", 1)[1]
d = json.loads(t)
print("    " + ", ".join(f["code"] + " " + f["subject"] for f in d["checks"][0]["findings"]))' "$E2E_WORK/first"

# 3. correctness: a zone that answers 127.255.255.254 (Spamhaus's "you
#    asked through a public resolver") to every query
for p in $E2E_PIDS; do kill -KILL "$p" 2>/dev/null; done
wait 2>/dev/null
E2E_PIDS=""
zp="$E2E_WORK/zones-public"
mkdir -p "$zp"
cp "$MC_SOURCE_DIR/fixtures/demo/tarnbarford.net.zone" "$zp/"
cat > "$zp/zen.spamhaus.org.zone" <<'ZONE'
$ORIGIN zen.spamhaus.org.
$TTL 60
@  SOA ns hostmaster 1 3600 600 86400 60
@  NS  ns
ns A   127.0.0.1
*  A   127.255.255.254
ZONE
knot_start "$zp"
PROXY_LISTEN=53 proxy_start "$KNOT_PORT" 0
echo "correctness: zen.spamhaus.org answering 127.255.255.254 (public resolver) to everything"
"$CHECK_RBL" -H 192.0.2.1 -n 127.0.0.1 -s zen.spamhaus.org > "$E2E_WORK/out" 2>&1
echo "  check_rbl: exit $?: $(head -1 "$E2E_WORK/out" | cut -c1-110)"
# the shipped entry for ZEN alone (the other zones are not served here)
awk '/^zen\.spamhaus\.org /{on=1} on&&/^$/{exit} on' "$MC_SOURCE_DIR/data/dnsbl-zones" > "$E2E_WORK/zen.conf"
"$MC_BIN" -f nagios -r "127.0.0.1:$KNOT_PORT" --checks dnsbl --dnsbl-config "$E2E_WORK/zen.conf" \
  --ip 192.0.2.1 tarnbarford.net > "$E2E_WORK/out" 2>&1
rc=$?
echo "  mailcheck: exit $rc: $(head -1 "$E2E_WORK/out" | cut -c1-110)"
grep "zen.spamhaus.org" "$E2E_WORK/out" | grep -v "^MAILCHECK" | head -1 | cut -c1-160 | sed 's/^/    /'
exit 0
