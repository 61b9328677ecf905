#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/rdns_dnsbl.sh - wall time of the rdns and dnsbl checks over a
# delayed network
#
# Knot serves the demo zones (fixtures/demo: tarnbarford.net, its reverse
# zone, the eight default blocklist zones) on loopback behind
# bench/delay_proxy.py (20 ms added to every answer).  The critical path of
# each check is 4 round trips: MX and TXT; the hosts' A/AAAA; then PTR (rdns)
# or every blocklist question with the self-tests, 24 at once (dnsbl); then
# the forward lookups (rdns) or the TXT reasons of listed entries (dnsbl).
# (In the demo the PTR name is the MX host, whose address the cache already
# holds, so rdns needs only 3.)
# The script prints the wall time of each run as a multiple of 4 x 20 ms
# (target: below 1.5).
#
# Usage: bench/rdns_dnsbl.sh PATH-TO-mailcheck [RUNS]
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
MC_SOURCE_DIR=$(cd "$BENCH_DIR/.." && pwd)
export MC_SOURCE_DIR
RUNS=${2:-5}
DELAY_MS=20
. "$MC_SOURCE_DIR/tests/e2e/lib.sh"

knot_start "$MC_SOURCE_DIR/fixtures/demo"
proxy_start "$KNOT_PORT" "$DELAY_MS"

python3 - "$MC_BIN" "$PROXY_PORT" "$RUNS" "$DELAY_MS" <<'PY'
import json, statistics, subprocess, sys, time
binary, port, runs, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
bound = 4 * delay / 1000.0
for checks in ("rdns", "dnsbl", "mx,spf,rdns,dnsbl"):
    cmd = [binary, "-f", "json", "--resolver", "127.0.0.1:" + port,
           "--checks", checks, "tarnbarford.net"]
    walls = []
    for i in range(runs):
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        walls.append(time.monotonic() - t0)
        doc = json.loads(p.stdout)
        if i == 0:
            print("%s: status %s; %s" % (checks, doc["status"], ", ".join(
                "%s %s" % (c["name"], c.get("summary", "")) for c in doc["checks"])))
    med = statistics.median(walls)
    print("%s: median wall %.1f ms; ratio to 4 round trips: %.2f (target < 1.5)"
          % (checks, med * 1000, med / bound))
PY
rc=$?
exit $rc
