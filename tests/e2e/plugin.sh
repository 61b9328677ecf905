#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/plugin.sh - the real binary as a Nagios/Icinga plugin: first
# line, perfdata syntax and exit code for OK, WARNING, CRITICAL, UNKNOWN,
# thresholds, the check_mailcheck name and the hard deadline (-t)
. "$(dirname "$0")/lib.sh"

Z="$E2E_WORK/zones"
mkdir -p "$Z"
cat > "$Z/example.org.zone" <<'ZONE'
$ORIGIN example.org.
$TTL 300
@        SOA ns hostmaster 1 3600 600 86400 300
@        NS  ns
ns       A   192.0.2.53
ok       MX  10 mx.ok
mx.ok    A   93.184.216.34
two      MX  10 mx1.two
two      MX  20 mx2.two
mx1.two  A   93.184.216.35
mx2.two  A   93.184.216.36
warn     MX  10 alias.warn
alias.warn CNAME real
real     A   93.184.216.37
crit     TXT "no mail here"
; the reverse zone too: an address without PTR is missing, not unchecked
$ORIGIN 93.in-addr.arpa.
ZONE
# the zone backend can fail a question on purpose
cp "$Z/example.org.zone" "$E2E_WORK/faults.zone"
printf ';! SERVFAIL unknown.example.org. MX\nunknown A 93.184.216.38\n' >> "$E2E_WORK/faults.zone"

knot_start "$Z"
R="--resolver 127.0.0.1:$KNOT_PORT --checks mx"

# plugin DOMAIN EXPECTED-EXIT STATE [ARGS...]: run, check the first line,
# its length, the perfdata syntax and the exit code
plugin() {
  dom=$1 want=$2 state=$3
  shift 3
  "$MC_BIN" -f nagios "$@" "$dom" > "$E2E_WORK/out" 2> "$E2E_WORK/err"
  rc=$?
  expect_eq "$dom: exit code" "$rc" "$want"
  first=$(head -1 "$E2E_WORK/out")
  case "$first" in
    "MAILCHECK $state - $dom: "*) pass "$dom: first line says $state" ;;
    *) fail "$dom: first line" "'$first'" ;;
  esac
  [ "${#first}" -le 100 ] && pass "$dom: first line at most 100" || fail "$dom: first line length" "${#first}"
  python3 - "$E2E_WORK/out" <<'PY' && pass "$dom: perfdata syntax" || fail "$dom: perfdata syntax" "$(tail -1 "$E2E_WORK/out")"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
last = lines[-1]
assert last.startswith("| "), last
assert sum(l.count("|") for l in lines) == 1
item = re.compile(r"'([a-z0-9_]+)'=-?[0-9]+(\.[0-9]+)?(s|%|B|KB|MB|TB|c)?(;[@~0-9.:-]*){0,4}$")
labels = []
for tok in last[2:].split(" "):
    m = item.match(tok)
    assert m, tok
    labels.append(m.group(1))
assert labels[0] == "time", labels
assert len({l[:19] for l in labels}) == len(labels), labels
PY
}

plugin ok.example.org 0 OK $R
grep -q "^\[OK\] mx" "$E2E_WORK/out" && pass "ok: long output names the check" || fail "ok: long output" "$(cat "$E2E_WORK/out")"
grep -q "'mx_hosts'=1" "$E2E_WORK/out" && pass "ok: mx_hosts perfdata" || fail "ok: perfdata" "$(tail -1 "$E2E_WORK/out")"

plugin warn.example.org 1 WARNING $R
grep -q "^\[WARNING\] mx: .*(mx.target-cname at " "$E2E_WORK/out" && pass "warn: one line per finding" || fail "warn: long output" "$(cat "$E2E_WORK/out")"

plugin crit.example.org 2 CRITICAL $R
plugin unknown.example.org 3 UNKNOWN -z "$E2E_WORK/faults.zone" --checks mx
grep -q "dns.tempfail" "$E2E_WORK/out" && pass "unknown: the failed lookup is named" || fail "unknown: long output" "$(cat "$E2E_WORK/out")"

# thresholds override the default verdict, in both directions
plugin two.example.org 0 OK $R -w mx_hosts=2 -c mx_hosts=3
plugin two.example.org 1 WARNING $R -w mx_hosts=1 -c mx_hosts=3
grep -q "'mx_hosts'=2;1;3" "$E2E_WORK/out" && pass "thresholds in perfdata" || fail "thresholds in perfdata" "$(tail -1 "$E2E_WORK/out")"
plugin two.example.org 2 CRITICAL $R -w mx_hosts=1 -c mx_hosts=@2:2
plugin ok.example.org 2 CRITICAL $R --critical mx_addresses=2:

# the demo's two problems both fit the first line: the DKIM one by its
# brief form (the issue's own example)
dz=""
for f in "$MC_SOURCE_DIR"/fixtures/demo/*.zone; do dz="$dz -z $f"; done
# shellcheck disable=SC2086
"$MC_BIN" -f nagios $dz tarnbarford.net > "$E2E_WORK/out" 2>&1
expect_eq "demo: first line names both problems" "$(head -1 "$E2E_WORK/out")" \
  "MAILCHECK CRITICAL - tarnbarford.net: 144.76.187.44 listed on zen.spamhaus.org; DKIM mail 1024 bit"

# a threshold on the run's time (plugin mode only)
plugin ok.example.org 2 CRITICAL $R -c time=@0:60
grep -q "^\[CRITICAL\] time: the run took [0-9.]* s: critical threshold @0:60" "$E2E_WORK/out" &&
  grep -q "^| 'time'=[0-9.]*s;;@0:60;0 " "$E2E_WORK/out" && pass "time threshold: finding and perfdata" ||
  fail "time threshold" "$(cat "$E2E_WORK/out")"
plugin ok.example.org 0 OK $R -w time=60
"$MC_BIN" -f json $R -w time=5 ok.example.org > "$E2E_WORK/out" 2> "$E2E_WORK/err"
expect_eq "time threshold outside plugin mode exits 3" "$?" 3
grep -q "threshold on 'time' needs plugin mode" "$E2E_WORK/err" && [ ! -s "$E2E_WORK/out" ] &&
  pass "time threshold outside plugin mode explained" || fail "time threshold in json" "$(cat "$E2E_WORK/err")"

# rdns_missing: an MX address without PTR (not named as sending) is a
# warning, unless a threshold says otherwise
plugin ok.example.org 1 WARNING -z "$Z/example.org.zone" --checks mx,rdns
grep -q "'rdns_missing'=1" "$E2E_WORK/out" && pass "rdns_missing perfdata" || fail "rdns_missing perfdata" "$(tail -1 "$E2E_WORK/out")"
plugin ok.example.org 0 OK -z "$Z/example.org.zone" --checks mx,rdns -w rdns_missing=1
plugin ok.example.org 2 CRITICAL -z "$Z/example.org.zone" --checks mx,rdns -c rdns_missing=0

# the plugin name: check_mailcheck chooses nagios output, -H the domain
case $MC_BIN in /*) bin=$MC_BIN ;; *) bin=$(pwd)/$MC_BIN ;; esac
ln -s "$bin" "$E2E_WORK/check_mailcheck"
"$E2E_WORK/check_mailcheck" $R -H ok.example.org > "$E2E_WORK/out"
expect_eq "check_mailcheck exits 0" "$?" 0
expect_eq "check_mailcheck prints plugin output" "$(head -1 "$E2E_WORK/out" | cut -c1-14)" "MAILCHECK OK -"
"$E2E_WORK/check_mailcheck" $R -H crit.example.org -vvv > "$E2E_WORK/out"
expect_eq "check_mailcheck -vvv exits 2" "$?" 2
grep -q "^    fix: " "$E2E_WORK/out" && grep -q "^    data: " "$E2E_WORK/out" && pass "-vvv adds fixes and data" || fail "-vvv" "$(cat "$E2E_WORK/out")"
# a dangling DKIM CNAME: the first line keeps what makes it bad
plugin example.org 2 CRITICAL -z "$MC_SOURCE_DIR/fixtures/dkim/cname-dangling-user.zone" --checks dkim -s selector2
expect_eq "dangling CNAME: the first line says no key record" "$(head -1 "$E2E_WORK/out")" \
  "MAILCHECK CRITICAL - example.org: no key record for DKIM selector selector2"
plugin example.org 1 WARNING -z "$MC_SOURCE_DIR/fixtures/dkim/cname-dangling.zone" --checks dkim
expect_eq "guessed dangling CNAME: a warning saying no key record" "$(head -1 "$E2E_WORK/out")" \
  "MAILCHECK WARNING - example.org: no key record for DKIM selector selector2"

# plugins answer --help and --version with UNKNOWN (3); mailcheck with 0
"$E2E_WORK/check_mailcheck" --help > "$E2E_WORK/out"
expect_eq "check_mailcheck --help exits 3" "$?" 3
grep -q "check_mailcheck -H DOMAIN" "$E2E_WORK/out" && pass "check_mailcheck --help prints the usage" || fail "check_mailcheck --help" "$(head -3 "$E2E_WORK/out")"
"$E2E_WORK/check_mailcheck" -h > /dev/null
expect_eq "check_mailcheck -h exits 3" "$?" 3
"$E2E_WORK/check_mailcheck" --version > /dev/null
expect_eq "check_mailcheck --version exits 3" "$?" 3
"$MC_BIN" --help > /dev/null
expect_eq "mailcheck --help still exits 0" "$?" 0
"$MC_BIN" -f nagios --help > /dev/null
expect_eq "mailcheck -f nagios --help is a plugin's: exits 3" "$?" 3

# the install step puts check_mailcheck next to the binary
if [ -n "${MC_BINARY_DIR:-}" ]; then
  cmake --install "$MC_BINARY_DIR" --prefix "$E2E_WORK/inst" > /dev/null 2>&1
  expect_eq "installed check_mailcheck links to mailcheck" "$(readlink "$E2E_WORK/inst/bin/check_mailcheck")" mailcheck
  "$E2E_WORK/inst/bin/check_mailcheck" $R -H warn.example.org > /dev/null
  expect_eq "installed check_mailcheck runs as a plugin" "$?" 1
fi

# bad usage: exit 3, a clear message naming the input, no plugin output
for bad in "-w spf_lookups=20:10" "-c lookups=1" "-w spf_lookups" "-c spf_lookups=ten"; do
  "$E2E_WORK/check_mailcheck" $R -H ok.example.org $bad > "$E2E_WORK/out" 2> "$E2E_WORK/err"
  rc=$?
  expect_eq "bad threshold '$bad' exits 3" "$rc" 3
  # Nagios shows only stdout: an UNKNOWN first line within the limit (the
  # whole problem on the next line when it was cut); nothing on stderr,
  # which Icinga would merge in front of it
  first=$(head -1 "$E2E_WORK/out")
  [ "${#first}" -le 100 ] && [ "$(wc -l < "$E2E_WORK/out")" -le 2 ] &&
    [ ! -s "$E2E_WORK/err" ] &&
    case "$first" in "MAILCHECK UNKNOWN - "*threshold*) true ;; *) false ;; esac &&
    pass "bad threshold '$bad' explained on stdout only" ||
    fail "bad threshold '$bad'" "stdout: $(cat "$E2E_WORK/out") stderr: $(cat "$E2E_WORK/err")"
done
"$E2E_WORK/check_mailcheck" $R -H ok.example.org -w nosuch_hosts=1 > "$E2E_WORK/out" 2> "$E2E_WORK/err"
expect_eq "threshold for an unknown check exits 3" "$?" 3
grep -q "threshold for 'nosuch_hosts': no check of that name" "$E2E_WORK/out" &&
  grep -q "^MAILCHECK UNKNOWN - threshold for 'nosuch_hosts'" "$E2E_WORK/out" && pass "unknown check explained" ||
  fail "unknown check" "$(cat "$E2E_WORK/out" "$E2E_WORK/err")"
# CI options have no say over the plugin's state: refused, not ignored
for opt in "--baseline $E2E_WORK/faults.zone" "--fail-on crit"; do
  # shellcheck disable=SC2086
  "$E2E_WORK/check_mailcheck" $R -H ok.example.org $opt > "$E2E_WORK/out" 2> "$E2E_WORK/err"
  expect_eq "$opt in plugin mode exits 3" "$?" 3
  expect_eq "$opt in plugin mode: UNKNOWN line" "$(cat "$E2E_WORK/out")" \
    "MAILCHECK UNKNOWN - ${opt%% *} does not apply in plugin mode"
done
"$E2E_WORK/check_mailcheck" $R -H ok.example.org -w mx_hostz=1 > "$E2E_WORK/out" 2> "$E2E_WORK/err"
expect_eq "threshold for a metric the check lacks exits 3" "$?" 3
grep -q "threshold for 'mx_hostz': the mx check has no such metric (it has mx_hosts, mx_addresses)" "$E2E_WORK/out" &&
  pass "unknown metric explained with the check's metrics" || fail "unknown metric" "$(cat "$E2E_WORK/out")"
expect_eq "plugin-mode errors write nothing to stderr" "$(wc -c < "$E2E_WORK/err")" 0
"$E2E_WORK/check_mailcheck" -H 'bad..name' > "$E2E_WORK/out" 2> /dev/null
expect_eq "invalid domain in plugin mode: exit 3" "$?" 3
expect_eq "invalid domain in plugin mode: UNKNOWN line on stdout" "$(cat "$E2E_WORK/out")" \
  "MAILCHECK UNKNOWN - invalid domain: 'bad..name' has an empty label"
"$E2E_WORK/check_mailcheck" $R -H ok.example.org -H two.example.org > /dev/null 2>&1
expect_eq "two domains in plugin mode: exit 3" "$?" 3

# -t is a hard deadline: a server that answers after 3 s.  A question has
# its own budget (half the time left: src/dns_net.c), so with -t 1 the MX
# question fails on its own after 0.5 s and the check ends unknown with the
# DNS failure, not unfinished; the rendering of unfinished checks is
# tests/unit/test_nagios.c's
cat > "$E2E_WORK/slow.data" <<'DATA'
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
ready.test. IN A
SECTION ANSWER
ready.test. IN A 127.0.0.1
ENTRY_END

ENTRY_BEGIN
MATCH opcode
ADJUST copy_id copy_query sleep=3
REPLY QR RD RA SERVFAIL
ENTRY_END
DATA
testns_start "$E2E_WORK/slow.data"
# (bounded: 2 x -t 1 plus start-up, before the server's 3 s)
bounded 1 "$E2E_WORK/check_mailcheck" -r "127.0.0.1:$TESTNS_PORT" --checks mx -H slow.example.org -t 1 > "$E2E_WORK/out"
expect_eq "timeout: exit 3" "$rc" 3
expect_eq "timeout: first line names the failed question" "$(head -1 "$E2E_WORK/out")" "MAILCHECK UNKNOWN - slow.example.org: cannot look up the MX records of slow.example.org"
expect_bounded "timeout: ends by the deadline"

# every check at once: each ends by its questions' budgets, before the
# deadline, and none is unfinished
"$E2E_WORK/check_mailcheck" -r "127.0.0.1:$TESTNS_PORT" -H slow.example.org -t 1 > "$E2E_WORK/out"
expect_eq "timeout, all checks: exit 3" "$?" 3
first=$(head -1 "$E2E_WORK/out")
case "$first" in
  *unfinished*) fail "timeout, all checks: first line" "'$first'" ;;
  "MAILCHECK UNKNOWN - slow.example.org: "*) pass "timeout, all checks: first line" ;;
  *) fail "timeout, all checks: first line" "'$first'" ;;
esac
[ "${#first}" -le 100 ] && pass "timeout, all checks: at most 100" || fail "timeout line length" "${#first}"
finish
