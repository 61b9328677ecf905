#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/spf_tree.sh - wall time of the spf check over a delayed network
#
# Knot serves bench/spf-tree-zones on loopback behind bench/delay_proxy.py
# (20 ms added to every answer).  The domain's SPF policy has 3 levels of
# records and 9 lookups.  Fetched breadth-first, one batch per level, the
# spf check should cost about 3 round trips; the script prints the wall
# time of each run as a multiple of 3 x 20 ms (target: below 1.5).  A
# second domain, exp.bench.example, has the same tree and an exp=
# explanation: its TXT is asked with the second level, so the bound is
# still 3 round trips (it was 4 when the check asked it after the walk).
#
# Usage: bench/spf_tree.sh PATH-TO-mailcheck [RUNS]
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
MC_SOURCE_DIR=$(cd "$BENCH_DIR/.." && pwd)
export MC_SOURCE_DIR
RUNS=${2:-7}
DELAY_MS=20
. "$MC_SOURCE_DIR/tests/e2e/lib.sh"

knot_start "$BENCH_DIR/spf-tree-zones"
proxy_start "$KNOT_PORT" "$DELAY_MS"

python3 - "$MC_BIN" "$PROXY_PORT" "$RUNS" "$DELAY_MS" <<'PY'
import json, statistics, subprocess, sys, time
binary, port, runs, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
bound = 3 * delay / 1000.0
for domain in ("bench.example", "exp.bench.example"):
    cmd = [binary, "-f", "json", "--resolver", "127.0.0.1:" + port, "--checks", "spf", domain]
    walls = []
    for i in range(runs):
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        walls.append(time.monotonic() - t0)
        doc = json.loads(p.stdout)
        chk = doc["checks"][0]
        if i == 0:
            print("%s: status %s, findings %s, lookups %s, void %s, questions %s, authorisation %s" % (
                  domain, chk["status"], [f["code"] for f in chk["findings"]],
                  chk["metrics"]["lookups"], chk["metrics"]["void_lookups"],
                  chk["data"]["questions"],
                  [(a["ip"], a["result"]) for a in chk["data"]["authorisation"]]))
            if chk["metrics"]["lookups"] != 9:
                sys.exit("bench domain should need 9 lookups")
    for w in walls:
        print("  run: %.1f ms = %.2f x (3 x %g ms)" % (w * 1000, w / bound, delay))
    med = statistics.median(walls)
    print("%s: median wall %.1f ms; ratio to 3 round trips: %.2f (target < 1.5)" % (
          domain, med * 1000, med / bound))
PY
rc=$?
exit $rc
