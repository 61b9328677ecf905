#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/icinga_run.sh - the shipped CheckCommand run by a real icinga2
#
# Validation alone (icinga.sh) passed a conf that made every service without
# mailcheck_checks UNKNOWN ("invalid check list ''").  Here icinga2 runs in
# the foreground with its paths in a temporary directory and one-second
# check intervals, executes check_mailcheck through the shipped conf against
# fixture zones (offline: --zone-file), and is stopped; the states and
# outputs it dumped are read back and must be OK, WARNING, CRITICAL and
# UNKNOWN for four fixture domains, and a service that sets no
# mailcheck_checks must run every check.
. "$(dirname "$0")/lib.sh"

if ! command -v icinga2 > /dev/null 2>&1; then
  fail "icinga2" "not installed: run scripts/deps"
  finish
  exit 1
fi
CONF="$MC_SOURCE_DIR/contrib/icinga2/mailcheck.conf"
I="$E2E_WORK/icinga"
mkdir -p "$I/plugins" "$I/run/icinga2" "$I/data" "$I/cache" "$I/log" "$I/spool"
ln -s "$MC_BIN" "$I/plugins/check_mailcheck"
DEMO=""
for f in "$MC_SOURCE_DIR"/fixtures/demo/*.zone; do
  DEMO="$DEMO \"$f\","
done
MX="$MC_SOURCE_DIR/fixtures/mx"

# service NAME DOMAIN ZONES CHECKS: one service of host "mail"
service() {
  cat <<ICINGA
object Service "$1" {
  host_name = "mail"
  check_command = "mailcheck"
  vars.mailcheck_domain = "$2"
  vars.mailcheck_zone_file = [ $3 ]
  $4
  check_interval = 1s
  retry_interval = 1s
}
ICINGA
}

{
  cat <<ICINGA
const PluginContribDir = "$I/plugins"
const NodeName = "localhost"
include "$CONF"
object CheckerComponent "checker" { }
object CheckCommand "nothing" { command = [ "/bin/true" ] }
object Host "mail" {
  check_command = "nothing"
  enable_active_checks = false
}
ICINGA
  service ok example.org "\"$MX/single-host-ok.zone\"" 'vars.mailcheck_checks = [ "mx" ]'
  service warning tarnbarford.net "$DEMO" 'vars.mailcheck_checks = "dkim"'
  service critical tarnbarford.net "$DEMO" 'vars.mailcheck_checks = [ "dnsbl" ]'
  service unknown example.org "\"$MX/servfail-mx.zone\"" 'vars.mailcheck_checks = [ "mx" ]'
  service default tarnbarford.net "$DEMO" ''
} > "$I/icinga2.conf"

run_icinga() {
  icinga2 daemon -c "$I/icinga2.conf" -DRunAsUser="$(id -un)" \
    -DRunAsGroup="$(id -gn)" -DInitRunDir="$I/run/icinga2" \
    -DDataDir="$I/data" -DCacheDir="$I/cache" -DLogDir="$I/log" \
    -DSpoolDir="$I/spool" -DPidPath="$I/run/icinga2/icinga2.pid" \
    -DStatePath="$I/data/icinga2.state" -DObjectsPath="$I/cache/objects" \
    -DVarsPath="$I/cache/vars" > "$I/daemon.log" 2>&1 &
  pid=$!
  sleep "$1"
  kill -TERM "$pid" 2> /dev/null
  # it dumps its state while shutting down; bounded wait
  n=0
  while kill -0 "$pid" 2> /dev/null && [ $n -lt 100 ]; do
    sleep 0.1
    n=$((n + 1))
  done
  kill -KILL "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
}

# the services' last results from the state file (netstrings of JSON):
# "NAME<TAB>EXIT<TAB>FIRST LINE" lines
results() {
  /usr/bin/python3 - "$I/data/icinga2.state" <<'PY'
import json, sys
try:
    data = open(sys.argv[1], "rb").read()
except OSError:
    sys.exit(0)
i = 0
while i < len(data):
    colon = data.index(b":", i)
    n = int(data[i:colon])
    obj = json.loads(data[colon + 1:colon + 1 + n])
    i = colon + 1 + n + 1
    if obj.get("type") != "Service":
        continue
    cr = obj["update"].get("last_check_result")
    if not cr:
        continue
    name = obj["name"].split("!", 1)[1]
    first = (cr.get("output") or "").split("\n", 1)[0]
    print(f"{name}\t{int(cr['exit_status'])}\t{first}")
PY
}

# one run is usually enough; a loaded machine gets longer ones
for wait in 6 12 24; do
  run_icinga "$wait"
  [ "$(results | wc -l)" -ge 5 ] && break
done
results > "$I/results"
if [ "$(wc -l < "$I/results")" -lt 5 ]; then
  fail "icinga2 ran every service" "results: $(cat "$I/results"); log: $(tail -5 "$I/daemon.log")"
fi

state() { awk -F '\t' -v s="$1" '$1 == s { print $2 }' "$I/results"; }
line() { awk -F '\t' -v s="$1" '$1 == s { print $3 }' "$I/results"; }

expect_eq "OK service exits 0" "$(state ok)" 0
expect_eq "OK service's first line" "$(line ok | cut -c1-30)" "MAILCHECK OK - example.org: 1 "
expect_eq "WARNING service exits 1" "$(state warning)" 1
case $(line warning) in
  "MAILCHECK WARNING - tarnbarford.net: "*1024*) pass "WARNING names the 1024-bit key" ;;
  *) fail "WARNING names the 1024-bit key" "$(line warning)" ;;
esac
expect_eq "CRITICAL service exits 2" "$(state critical)" 2
case $(line critical) in
  *"144.76.187.44 listed on zen.spamhaus.org"*) pass "CRITICAL names the listing" ;;
  *) fail "CRITICAL names the listing" "$(line critical)" ;;
esac
expect_eq "UNKNOWN service exits 3" "$(state unknown)" 3
case $(line unknown) in
  "MAILCHECK UNKNOWN - example.org: "*) pass "UNKNOWN is a verdict on the domain" ;;
  *) fail "UNKNOWN is a verdict on the domain" "$(line unknown)" ;;
esac
# no mailcheck_checks: every check runs (the listing makes it critical),
# never "invalid check list ''"
expect_eq "service without mailcheck_checks exits 2" "$(state default)" 2
case $(line default) in
  *"invalid check list"*) fail "no --checks when unset" "$(line default)" ;;
  *) pass "no --checks when unset" ;;
esac
finish
