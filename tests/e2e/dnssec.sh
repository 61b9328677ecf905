#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/dnssec.sh - the dnssec check (and dane's use of it) on signed zones
#
# tests/tools/dnssec_zones.sh signs a test root and the cases under it with
# ldns-signzone during the run; its DS is the trust anchor (--trust-anchor).
# Every case runs twice: from the zone backend (--zone-file) and through
# Knot serving the same signed files on loopback (--resolver).  Every
# finding code of the check is asserted by name here
# (tests/fixture_coverage.py reads the expect_finding lines).
. "$(dirname "$0")/lib.sh"

D="$E2E_WORK/dnssec"
sh "$MC_SOURCE_DIR/tests/tools/dnssec_zones.sh" "$D" > "$D.log" 2>&1 ||
  { cat "$D.log"; echo "cannot sign the test zones"; exit 1; }

# a Knot of our own: the root zone needs its file named explicitly
# knot_dnssec DIR [OVERRIDE]: serve DIR/*.zone (OVERRIDE/NAME.zone instead
# where it exists); sets kport
knot_dnssec() {
  kport=$(free_port)
  kw="$E2E_WORK/knot.$kport"
  mkdir -p "$kw/run" "$kw/db"
  {
    printf 'server:\n    rundir: "%s/run"\n    listen: [ 127.0.0.1@%s ]\n' "$kw" "$kport"
    printf '    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n'
    printf 'log:\n  - target: stderr\n    any: warning\n'
    printf 'database:\n    storage: "%s/db"\n' "$kw"
    printf 'template:\n  - id: default\n    zonefile-sync: -1\n    journal-content: none\n'
    printf '    semantic-checks: off\n'
    printf 'zone:\n'
    for f in "$1"/*.zone; do
      z=$(basename "$f" .zone)
      [ -n "${2:-}" ] && [ -f "$2/$z.zone" ] && f="$2/$z.zone"
      [ "$z" = root ] && z=.
      printf '  - domain: "%s"\n    file: "%s"\n' "$z" "$f"
    done
  } > "$kw/knot.conf"
  knotd -c "$kw/knot.conf" > "$kw/knotd.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  if ! wait_dns "$kport" secure.test SOA; then
    cat "$kw/knotd.log"
    echo "knotd did not answer"
    exit 1
  fi
}
knot_dnssec "$D/zones"

zargs=""
for f in "$D"/zones/*.zone; do zargs="$zargs -z $f"; done

MODE=zone
# run NAME [CHECKS]: the check's findings as "code severity" lines in NAME.<mode>
run() {
  if [ "$MODE" = zone ]; then
    # shellcheck disable=SC2086
    "$MC_BIN" $zargs --trust-anchor "$D/${TA:-ta.ds}" --checks "${2:-dnssec}" -f json "$1" > "$E2E_WORK/$1.json"
  else
    "$MC_BIN" --resolver "127.0.0.1:$kport" --trust-anchor "$D/${TA:-ta.ds}" \
      --checks "${2:-dnssec}" -f json "$1" > "$E2E_WORK/$1.json"
  fi
  python3 - "$E2E_WORK/$1.json" > "$E2E_WORK/$1.$MODE" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["checks"]:
    print("status", c["name"], c["status"])
    for f in c["findings"]:
        print("finding", f["code"], f["severity"])
        print("message", f["message"])
    for k, v in c.get("metrics", {}).items():
        print("metric", k, int(v) if isinstance(v, (int, float)) else v)
    for k, v in c.get("data", {}).items():
        if k == "domain":
            print("state", v["state"])
PY
}
expect_finding() {
  if grep -qx "finding $2 $3" "$E2E_WORK/$1.$MODE"; then pass "$MODE $1: $2 $3"
  else fail "$MODE $1: $2 $3" "$(grep '^finding' "$E2E_WORK/$1.$MODE" | tr '\n' ,)"; fi
}
expect_state() {
  expect_eq "$MODE $1: state" "$(sed -n 's/^state //p' "$E2E_WORK/$1.$MODE")" "$2"
}
message_has() {
  if grep '^message' "$E2E_WORK/$1.$MODE" | grep -q "$2"; then pass "$MODE $1: says '$2'"
  else fail "$MODE $1: says '$2'" "$(grep '^message' "$E2E_WORK/$1.$MODE")"; fi
}
expect_none() {
  expect_eq "$MODE $1: findings" "$(grep -c '^finding' "$E2E_WORK/$1.$MODE")" 0
}

for MODE in zone knot; do
  run secure.test; expect_state secure.test secure; expect_none secure.test
  run deep.a.b.secure.test; expect_state deep.a.b.secure.test secure
  run unsigned.test; expect_state unsigned.test insecure
  expect_finding unsigned.test dnssec.unsigned info
  expect_finding unsigned.test dnssec.mx-unsigned info
  run expired.test; expect_state expired.test bogus
  expect_finding expired.test dnssec.rrsig-expired crit
  run mismatch.test; expect_state mismatch.test bogus
  expect_finding mismatch.test dnssec.ds-mismatch crit
  run nosig.test; expect_state nosig.test bogus
  expect_finding nosig.test dnssec.rrsig-missing crit
  # TXT answers are validated (their strings rebuilt as they came: the
  # SPF record of secure.test is two strings): a changed DMARC record is
  # caught
  run txtbad.test; expect_state txtbad.test bogus
  expect_finding txtbad.test dnssec.bogus crit
  message_has txtbad.test "the TXT RRset of _dmarc.txtbad.test."
  # denial proofs (NODATA, NXDOMAIN: the TXT and _dmarc answers),
  # wildcard answers, CNAME chains; NSEC and NSEC3
  for z in bare.test bare3.test wild.test wild3.test cname.test; do
    run $z; expect_state $z secure; expect_none $z
  done
  run nodeny.test; expect_state nodeny.test bogus
  expect_finding nodeny.test dnssec.bogus crit
  message_has nodeny.test "has no valid NSEC or NSEC3 proof"
  run cnameb.test; expect_state cnameb.test bogus
  expect_finding cnameb.test dnssec.bogus crit
  message_has cnameb.test "the TXT RRset of _dmarc.txtbad.test."
  run algo.test; expect_state algo.test insecure
  expect_finding algo.test dnssec.algorithm-unsupported info
  run absurd.test; expect_state absurd.test bogus
  expect_finding absurd.test dnssec.bogus crit
  run manykeys.test; expect_state manykeys.test secure; expect_none manykeys.test
  # no anchor covers the name: no verdict
  TA=ta-test.ds; run example.org; TA=ta.ds
  expect_finding example.org dnssec.indeterminate unknown
  # dane: TLSA records of an unsigned zone are ignored by senders
  run unsigned.test dane
  expect_finding unsigned.test dane.tlsa-insecure warn
  # bad input: a TLSA record of 65,000 bytes (Knot sends it over TCP)
  run bigtlsa.test dane
  expect_finding bigtlsa.test dane.tlsa-malformed warn
  # the metrics
  run secure.test
  expect_eq "$MODE secure.test: secure" "$(sed -n 's/^metric secure //p' "$E2E_WORK/secure.test.$MODE")" 1
  run unsigned.test
  expect_eq "$MODE unsigned.test: secure" "$(sed -n 's/^metric secure //p' "$E2E_WORK/unsigned.test.$MODE")" 0
  expect_eq "$MODE unsigned.test: mx_hosts_not_secure" "$(sed -n 's/^metric mx_hosts_not_secure //p' "$E2E_WORK/unsigned.test.$MODE")" 1
  run absurd.test
  message_has absurd.test "expires before its inception"
  run secure.test dane
  if grep -q '^finding dane.tlsa-insecure' "$E2E_WORK/secure.test.$MODE"; then
    fail "$MODE secure.test: dane" "secure TLSA records called insecure"
  else pass "$MODE secure.test: dane takes secure TLSA records"; fi
done

# test. signed with NSEC3: the proof that unsigned.test has no DS is an
# NSEC3 record matching its hash
knot_dnssec "$D/zones" "$D/zones-nsec3"
MODE=knot
run unsigned.test; expect_state unsigned.test insecure
message_has unsigned.test "delegated from test. without DS"
run secure.test; expect_state secure.test secure
run nosig.test; expect_state nosig.test bogus

# test. signed with NSEC3 opt-out: unsigned.test has no NSEC3 of its own;
# the closest encloser (test.) and an opt-out span over the next closer
# name prove it insecure (RFC 5155 8.6, 9.2)
knot_dnssec "$D/zones" "$D/zones-optout"
run unsigned.test; expect_state unsigned.test insecure
message_has unsigned.test "delegated from test. without DS"
run secure.test; expect_state secure.test secure

# bad input: a trust anchor file that is not one
printf 'example. IN A 192.0.2.1\n' > "$E2E_WORK/bad.ta"
"$MC_BIN" $zargs --trust-anchor "$E2E_WORK/bad.ta" --checks dnssec secure.test > "$E2E_WORK/bad.out" 2>&1
expect_eq "bad trust anchor: exit" "$?" 3
grep -q "DS or DNSKEY" "$E2E_WORK/bad.out" && pass "bad trust anchor: message" ||
  fail "bad trust anchor: message" "$(cat "$E2E_WORK/bad.out")"
"$MC_BIN" $zargs --trust-anchor "$E2E_WORK/missing.ta" --checks dnssec secure.test > "$E2E_WORK/bad.out" 2>&1
expect_eq "missing trust anchor: exit" "$?" 3
finish
