#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/dqs.sh - a Spamhaus DQS key: Spamhaus's zones are asked as
# <key>.<list>.dq.spamhaus.net (Knot on loopback serves the demo's ZEN and
# DBL only under those names), the key comes from the environment, a file
# or argv (then overwritten in the process listing), and it appears in no
# output: reports in every format, -vvv, failures, errors, usage errors.
# Also the terms warning: a bulk run of more than 10000 domains warns once,
# at the start, about the zones flagged terms, except Spamhaus's with a key.
. "$(dirname "$0")/lib.sh"

KEY=k3ysecret0x9q
zones="$E2E_WORK/zones"
mkdir -p "$zones"
for f in "$MC_SOURCE_DIR"/fixtures/demo/*.zone; do
  case $f in
    */zen.spamhaus.org.zone|*/dbl.spamhaus.org.zone) ;;
    *) cp "$f" "$zones/" ;;
  esac
done
# one zone dq.spamhaus.net holding both lists under the key
{
  printf '$ORIGIN dq.spamhaus.net.\n$TTL 300\n@ SOA ns1.tarnbarford.net. postmaster.tarnbarford.net. 1 3600 900 604800 300\n@ NS ns1.tarnbarford.net.\n'
  for list in zen dbl; do
    printf '$ORIGIN %s.%s.dq.spamhaus.net.\n' "$KEY" "$list"
    grep -v -e '^\$ORIGIN' -e '^\$TTL' -e ' SOA ' -e ' NS ' \
      "$MC_SOURCE_DIR/fixtures/demo/$list.spamhaus.org.zone"
  done
} > "$zones/dq.spamhaus.net.zone"
knot_start "$zones"
R="127.0.0.1:$KNOT_PORT"
spamhaus() {
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in d["checks"]}
z = {x["zone"]: x["status"] for x in c["dnsbl"]["data"]["zones"]}
print(z.get("zen.spamhaus.org"), z.get("dbl.spamhaus.org"), sorted(f["code"] for f in c["dnsbl"]["findings"] if f["subject"] == "144.76.187.44"))' "$1"
}

# every output of every run goes to one file, which must not hold the key
ALL="$E2E_WORK/all-output"
: > "$ALL"
# mc NAME ARGS...: run mailcheck, keep stdout in NAME.out, stderr in NAME.err
mc() {
  name=$1
  shift
  "$MC_BIN" "$@" > "$E2E_WORK/$name.out" 2> "$E2E_WORK/$name.err"
  rc=$?
  cat "$E2E_WORK/$name.out" "$E2E_WORK/$name.err" >> "$ALL"
  return $rc
}

# 1. no key: Knot serves no zen.spamhaus.org, so ZEN is unknown
mc nokey -f json -r "$R" --checks mx,dnsbl tarnbarford.net
expect_eq "without a key ZEN and DBL are not answered" \
  "$(spamhaus "$E2E_WORK/nokey.out")" "tempfail tempfail []"
# 2. the key from the environment: ZEN's listing is found through DQS; the
#    report names the public zone, never the name sent
MAILCHECK_DQS_KEY=$KEY mc env -f json -r "$R" --checks mx,dnsbl tarnbarford.net
expect_eq "environment key: asked through DQS, reported as the public zone" \
  "$(spamhaus "$E2E_WORK/env.out")" "usable usable ['dnsbl.listed']"
# 3. a key file, upper case too (DNS names are case-blind)
printf '%s\n' "$(printf %s "$KEY" | tr a-z A-Z)" > "$E2E_WORK/key.txt"
mc file -f json -r "$R" --checks mx,dnsbl --dnsbl-dqs-key-file "$E2E_WORK/key.txt" tarnbarford.net
expect_eq "key file: asked through DQS" "$(spamhaus "$E2E_WORK/file.out")" "usable usable ['dnsbl.listed']"
# 4. every other format and verbosity, bulk mode, the overlay
MAILCHECK_DQS_KEY=$KEY mc text -f text -vvv -r "$R" tarnbarford.net
MAILCHECK_DQS_KEY=$KEY mc jsonl -f jsonl -vvv -r "$R" tarnbarford.net zen.spamhaus.org
MAILCHECK_DQS_KEY=$KEY mc nagios -f nagios -v -r "$R" -H tarnbarford.net
MAILCHECK_DQS_KEY=$KEY mc overlay -f json -vvv -z "$MC_SOURCE_DIR/fixtures/demo/tarnbarford.net.zone" \
  -r "$R" --checks mx,dnsbl tarnbarford.net
expect_eq "overlay: asked through DQS" "$(spamhaus "$E2E_WORK/overlay.out")" "usable usable ['dnsbl.listed']"
# 5. failures: a server that never answers (timeouts name the question)
rogue_start --silent
MAILCHECK_DQS_KEY=$KEY mc silent -f text -vvv -t 2 -r "127.0.0.1:$ROGUE_PORT" --checks dnsbl --ip 192.0.2.1 tarnbarford.net
MAILCHECK_DQS_KEY=$KEY mc silentj -f json -t 2 -r "127.0.0.1:$ROGUE_PORT" --checks dnsbl --ip 192.0.2.1 tarnbarford.net
grep -q 'zen.spamhaus.org' "$E2E_WORK/silentj.out" && pass "a timeout names the public zone" ||
  fail "a timeout names the public zone" "$(head -c 300 "$E2E_WORK/silentj.out")"
# 6. bad keys are usage errors that do not show the value
MAILCHECK_DQS_KEY="${KEY}.bad" mc badenv -r "$R" tarnbarford.net
expect_eq "an invalid key in the environment is a usage error" "$?" 3
grep -q "invalid Spamhaus DQS key from MAILCHECK_DQS_KEY" "$E2E_WORK/badenv.err" &&
  pass "the error names where the key came from" ||
  fail "the error names where the key came from" "$(cat "$E2E_WORK/badenv.err")"
mc badarg -r "$R" --dnsbl-dqs-key "$KEY-bad" tarnbarford.net
expect_eq "an invalid key on argv is a usage error" "$?" 3
mc both -r "$R" --dnsbl-dqs-key "$KEY" --dnsbl-dqs-key-file "$E2E_WORK/key.txt" tarnbarford.net
expect_eq "--dnsbl-dqs-key and --dnsbl-dqs-key-file exclude each other" "$?" 3
mc nofile -r "$R" --dnsbl-dqs-key-file "$E2E_WORK/absent" tarnbarford.net
expect_eq "an unreadable key file is an error" "$?" 3

if grep -qi "$KEY" "$ALL"; then
  fail "the key appears in no output" "$(grep -i -m 3 "$KEY" "$ALL")"
else
  pass "the key appears in no output ($(wc -c < "$ALL") bytes of reports and messages)"
fi

# 7. on argv the key is overwritten: the process listing no longer shows it
# (a silent server keeps the run alive long enough to look)
"$MC_BIN" -f json -t 3 -r "127.0.0.1:$ROGUE_PORT" --checks dnsbl --ip 192.0.2.1 \
  --dnsbl-dqs-key "$KEY" tarnbarford.net > "$E2E_WORK/argv.out" 2>&1 &
pid=$!
sleep 1
if [ -r "/proc/$pid/cmdline" ]; then
  cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline")
  case $cmdline in
    *"$KEY"*) fail "argv's copy of the key is overwritten" "$cmdline" ;;
    *--dnsbl-dqs-key*) pass "argv's copy of the key is overwritten" ;;
    *) fail "argv's copy of the key is overwritten" "no such process: $cmdline" ;;
  esac
fi
wait "$pid"

# 8. the terms warning: 10001 domains without a key name the zones flagged
#    terms; with a key only the ones a key does not lift; 10000: none.  The
#    resolver is silent and the timeout short: the warning comes first.
cat > "$E2E_WORK/terms.conf" <<'CONF'
zen.spamhaus.org ip terms dqs ; listed 127.0.0.2 SBL
bl.terms.test ip terms ; listed 127.0.0.2 listed
bl.free.test ip ; listed 127.0.0.2 listed
CONF
python3 -c 'import sys
with open(sys.argv[1], "w") as f:
    for i in range(10001):
        f.write("d%d.example\n" % i)' "$E2E_WORK/many.txt"
head -10000 "$E2E_WORK/many.txt" > "$E2E_WORK/10000.txt"
terms() {
  "$MC_BIN" -f jsonl -t 0.05 --parallel 1024 -r "127.0.0.1:$ROGUE_PORT" --checks dnsbl \
    --dnsbl-config "$E2E_WORK/terms.conf" --domains-file "$@" 2>&1 > /dev/null | grep 'warning:'
}
w=$(terms "$E2E_WORK/many.txt")
expect_eq "10001 domains without a key: one warning" "$(printf '%s\n' "$w" | grep -c .)" 1
case $w in
  *"zen.spamhaus.org, bl.terms.test ("*) pass "the warning names the zones with terms" ;;
  *) fail "the warning names the zones with terms" "$w" ;;
esac
w=$(MAILCHECK_DQS_KEY=$KEY terms "$E2E_WORK/many.txt")
case $w in
  *"at bl.terms.test ("*) pass "with a key the Spamhaus zone is not named" ;;
  *) fail "with a key the Spamhaus zone is not named" "$w" ;;
esac
expect_eq "10000 domains: no warning" "$(terms "$E2E_WORK/10000.txt")" ""
finish
