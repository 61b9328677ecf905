#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/knot_load.sh - 2000 distinct questions in one batch against Knot
# on loopback: every one answered, and correctly, with the engine's
# in-flight limit (MC_DNS_INFLIGHT_MAX) and with a descriptor limit far
# below it (the engine then keeps fewer questions in flight, failing none),
# down to one UDP socket, which all 2500 questions then share, 32 at a
# time, told apart by ID and question alone
. "$(dirname "$0")/lib.sh"

DNSQ=${MC_BINARY_DIR:-$(dirname "$MC_BIN")}/tests/mc-dnsq
[ -x "$DNSQ" ] || { echo "no mc-dnsq helper at $DNSQ" >&2; exit 1; }

zones="$E2E_WORK/zones"
mkdir -p "$zones"
# h0 .. h1999: A 10.x.y.z and AAAA for the even ones; questions: A and AAAA
# of h0 .. h999 (1000 ok + 500 ok + 500 nodata) and A of n0 .. n499
# (nxdomain)
python3 - "$zones/load.test.zone" "$E2E_WORK/questions" "$E2E_WORK/want" <<'PY'
import ipaddress, sys
zone, questions, want = (open(p, "w") for p in sys.argv[1:])
zone.write("$ORIGIN load.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 10.255.255.53\n")
for i in range(2000):
    zone.write("h%d A 10.%d.%d.%d\n" % (i, i >> 16, (i >> 8) & 255, i & 255))
    if i % 2 == 0:
        zone.write("h%d AAAA 2001:db8::%x\n" % (i, i))
for i in range(1000):
    questions.write("h%d.load.test A\nh%d.load.test AAAA\n" % (i, i))
    want.write("h%d.load.test A ok 10.%d.%d.%d\n" % (i, i >> 16, (i >> 8) & 255, i & 255))
    want.write("h%d.load.test AAAA %s\n" % (i, "ok %s" % ipaddress.ip_address("2001:db8::%x" % i) if i % 2 == 0 else "nodata"))
for i in range(500):
    questions.write("n%d.load.test A\n" % i)
    want.write("n%d.load.test A nxdomain\n" % i)
PY
knot_start "$zones"
sort "$E2E_WORK/want" > "$E2E_WORK/want.sorted"

# check_run NAME FDLIMIT
check_run() {
  # (a hard limit below FDLIMIT leaves the hard limit)
  # (the shell's descriptors above stderr closed: FDLIMIT counts them all)
  (exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
   ulimit -n "$2" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
   exec "$DNSQ" -v -t 20 -r "127.0.0.1:$KNOT_PORT") \
    < "$E2E_WORK/questions" > "$E2E_WORK/$1.out" 2> "$E2E_WORK/$1.err"
  expect_eq "$1: the batch ran" "$?" 0
  expect_eq "$1: status counts" \
    "$(grep -E '^(ok|nodata|nxdomain|tempfail|permfail) [0-9]+$' "$E2E_WORK/$1.out" | sort | tr '\n' ' ')" \
    "nodata 500 nxdomain 500 ok 1500 "
  grep -E '^[hn][0-9]+\.load\.test ' "$E2E_WORK/$1.out" | sort > "$E2E_WORK/$1.got"
  if cmp -s "$E2E_WORK/$1.got" "$E2E_WORK/want.sorted"; then
    pass "$1: every answer is the right one"
  else
    fail "$1: every answer is the right one" \
      "$(diff "$E2E_WORK/want.sorted" "$E2E_WORK/$1.got" | head -5 | tr '\n' ' ')"
  fi
  echo "     ($1: $(grep '^seconds' "$E2E_WORK/$1.out"))"
}

check_run "2500 questions, 4096 descriptors" 4096
check_run "2500 questions, 64 descriptors" 64
check_run "2500 questions, 4 descriptors: one UDP socket" 4
finish
