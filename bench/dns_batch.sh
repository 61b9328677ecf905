#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/dns_batch.sh - throughput of the DNS engine on one big batch
#
# Usage: bench/dns_batch.sh [BUILD-DIR]          (default: build)
# Environment: N (questions, default 5000), RUNS (default 5), DELAY_MS
# (default 0: straight to Knot; more puts bench/delay_proxy.py in between)
#
# Knot on loopback serves batch.test with N names; the helper
# tests/mc-dnsq asks N distinct A questions in one mc_dns_lookup_batch()
# call, which is how a check fans out and how bulk mode will.  Printed: wall
# time per run, questions per second, peak memory of the process, and how
# many answers were not "ok".  With a delay, the engine's in-flight limit
# (MC_DNS_INFLIGHT_MAX) sets the pace: at best N / limit round trips.  A
# benchmark, not a test: it asserts nothing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
dnsq=$build/tests/mc-dnsq
[ -x "$dnsq" ] || { echo "dns_batch: no $dnsq (build first)" >&2; exit 1; }
N=${N:-5000}
RUNS=${RUNS:-5}
DELAY_MS=${DELAY_MS:-0}

MC_SOURCE_DIR=$root
export MC_SOURCE_DIR
set -- "$build/mailcheck"
. "$root/tests/e2e/lib.sh"
set +e

mkdir -p "$E2E_WORK/zones"
python3 - "$N" "$E2E_WORK/zones/batch.test.zone" "$E2E_WORK/questions" <<'PY'
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as z, open(sys.argv[3], "w") as q:
    z.write("$ORIGIN batch.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 10.255.255.53\n")
    for i in range(n):
        z.write("h%d A 10.%d.%d.%d\n" % (i, i >> 16, (i >> 8) & 255, i & 255))
        q.write("h%d.batch.test A\n" % i)
PY
knot_start "$E2E_WORK/zones"
port=$KNOT_PORT
if [ "$DELAY_MS" != 0 ]; then
  proxy_start "$KNOT_PORT" "$DELAY_MS"
  port=$PROXY_PORT
fi

python3 - "$dnsq" "$port" "$RUNS" "$N" "$E2E_WORK/questions" "$DELAY_MS" <<'PY'
import resource, statistics, subprocess, sys, time
dnsq, port, runs, n, questions, delay = sys.argv[1:7]
runs, n, delay = int(runs), int(n), float(delay)
walls, notok = [], []
for _ in range(runs):
    with open(questions) as f:
        t0 = time.monotonic()
        p = subprocess.run([dnsq, "-t", "60", "-r", "127.0.0.1:" + port], stdin=f,
                           capture_output=True, text=True)
        walls.append(time.monotonic() - t0)
    counts = dict(l.split() for l in p.stdout.splitlines() if l and not l.startswith("seconds"))
    notok.append(n - int(counts.get("ok", 0)))
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
med = statistics.median(walls)
print("runs (ms): " + " ".join("%.1f" % (w * 1000) for w in walls))
print("%d questions in one batch%s: median %.1f ms, %.0f questions/s" %
      (n, " via the proxy +%g ms" % delay if delay else " straight to Knot", med * 1000, n / med))
print("peak memory of mc-dnsq: %.1f MB; answers not ok per run: %s" % (rss / 1024.0, notok))
if delay:
    # the engine's window, as compiled in (include/mailcheck/limits.h)
    import os, re
    limits = open(os.path.join(os.environ["MC_SOURCE_DIR"], "include/mailcheck/limits.h")).read()
    w = int(re.search(r"#define MC_DNS_INFLIGHT_MAX (\d+)", limits).group(1))
    print("in-flight bound: %d questions / %d in flight x %g ms = %.0f ms" % (n, w, delay, -(-n // w) * delay))
PY
