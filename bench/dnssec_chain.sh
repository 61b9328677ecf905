#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/dnssec_chain.sh - what validating a chain of 3 zones costs
#
# Usage: bench/dnssec_chain.sh [PATH-TO-mailcheck]     (default build/mailcheck)
# Signs the test root and its cases (tests/tools/dnssec_zones.sh), then
# counts with callgrind the instructions spent inside the validator,
# mc_dnssec_name_state() and mc_dnssec_answer_state() (--toggle-collect: the
# walks, their lookups through the zone backend, every RRSIG verification),
# in one run of --checks dnssec, and the RRSIG verifications it made, for
# secure.test, a chain of 3 zones (the root,
# test., secure.test.: 3 DNSKEY RRsets and 2 DS RRsets verified), for
# manykeys.test (the same chain, a DNSKEY RRset of 500 keys) and for a name
# 3 labels below secure.test (3 more DS lookups with NSEC proofs).  It also
# prints the user+sys CPU time of RUNS whole runs of --checks dnssec against
# --checks mx on the same zones.  Instruction counts do not depend on the
# machine's load; CPU times do a little.  Offline: nothing leaves the process.
set -eu
MC=${1:-build/mailcheck}
RUNS=${RUNS:-20}
W=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-dnssec.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
export MAILCHECK_RESOLV_CONF="$(dirname "$0")/../tests/no-resolver.conf"
export MAILCHECK_NET_LOOPBACK_ONLY=1
sh "$(dirname "$0")/../tests/tools/dnssec_zones.sh" "$W" > "$W/sign.log" 2>&1
Z=""
for f in "$W"/zones/*.zone; do Z="$Z -z $f"; done

walk_ir() { # NAME: instructions inside the validator for one run of the dnssec check on NAME
  # shellcheck disable=SC2086
  valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" --compress-strings=no \
    --toggle-collect=mc_dnssec_name_state --toggle-collect=mc_dnssec_answer_state \
    "$MC" $Z --trust-anchor "$W/ta.ds" --checks dnssec -f json "$1" > "$W/out.json" 2> "$W/cg.log"
  ir=$(sed -n 's/^summary: //p' "$W/cg.out")
  # RRSIG verifications: the calls of ldns_verify_rrsig_keylist_time()
  nv=$(awk '/^cfn=.*ldns_verify_rrsig_keylist_time$/ { f = 1; next }
    f && /^calls=/ { split($1, a, "="); n += a[2] } { f = 0 } END { print n + 0 }' "$W/cg.out")
  echo "$1: $ir instructions in the validator, $nv RRSIG verifications"
}
walk_ir secure.test
walk_ir manykeys.test
walk_ir deep.a.b.secure.test

cpu() { # CHECKS: user+sys seconds of RUNS runs of secure.test
  /usr/bin/time -f "%U %S" sh -c "i=0; while [ \$i -lt $RUNS ]; do
    \"$MC\" $Z --trust-anchor \"$W/ta.ds\" --checks $1 -f json secure.test > /dev/null
    i=\$((i + 1)); done" 2>&1 | tail -1 | awk '{ print $1 + $2 }'
}
d=$(cpu dnssec)
m=$(cpu mx)
echo "CPU user+sys of $RUNS runs of secure.test: --checks dnssec ${d}s, --checks mx ${m}s"
awk -v d="$d" -v m="$m" -v n="$RUNS" 'BEGIN { printf "per run, the dnssec check less the mx check: %.1f ms\n", (d - m) * 1000 / n }'
