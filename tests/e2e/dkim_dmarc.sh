#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/dkim_dmarc.sh - the dkim and dmarc checks against Knot on loopback
#
# Knot serves tests/e2e/dkim_dmarc/ (example.com: a 1024-bit key at selector
# mail, a CNAME'd selector1, DMARC with reports to example.net, which
# consents) and, in a second instance, the demo zones.  The network and zone
# backends must agree on the checks' data.
. "$(dirname "$0")/lib.sh"

zones="$MC_SOURCE_DIR/tests/e2e/dkim_dmarc"
knot_start "$zones"
port=$KNOT_PORT

j() { python3 -c "import json,sys; d=json.load(sys.stdin); c={x['name']: x for x in d['checks']}; print($1)"; }

out=$("$MC_BIN" -f json --resolver "127.0.0.1:$port" --checks dkim,dmarc example.com)
rc=$?
expect_eq "example.com exits 1 (a warning)" "$rc" 1
expect_eq "dkim status" "$(printf '%s' "$out" | j "c['dkim']['status']")" warn
expect_eq "dkim findings" "$(printf '%s' "$out" | j "sorted(f['code'] for f in c['dkim']['findings'])")" \
  "['dkim.key-weak', 'dkim.selector-cname']"
expect_eq "dkim selectors found" "$(printf '%s' "$out" | j "c['dkim']['metrics']['selectors_found']")" 2
expect_eq "dkim min key bits" "$(printf '%s' "$out" | j "c['dkim']['metrics']['min_key_bits']")" 1024
expect_eq "dkim CNAME reported" "$(printf '%s' "$out" | j "[s.get('cname') for s in c['dkim']['data']['selectors'] if s['selector'] == 'selector1'][0]")" \
  selector1.keys.example.com
expect_eq "dmarc status" "$(printf '%s' "$out" | j "c['dmarc']['status']")" ok
expect_eq "dmarc policy metric" "$(printf '%s' "$out" | j "c['dmarc']['metrics']['policy']")" 1
expect_eq "dmarc walk asked _dmarc.com too" "$(printf '%s' "$out" | j "[w['name'] for w in c['dmarc']['data']['walk']]")" \
  "['_dmarc.example.com', '_dmarc.com']"

offline=$("$MC_BIN" -f json -z "$zones/example.com.zone" -z "$zones/example.net.zone" --checks dkim,dmarc example.com)
expect_eq "network and zone backends agree on dkim" \
  "$(printf '%s' "$out" | j "c['dkim']['data']")" "$(printf '%s' "$offline" | j "c['dkim']['data']")"
expect_eq "network and zone backends agree on dmarc findings" \
  "$(printf '%s' "$out" | j "c['dmarc']['findings']")" "$(printf '%s' "$offline" | j "c['dmarc']['findings']")"

# the report destination withdraws its consent: reports are lost, mail is
# not, so a warning (docs/findings.md)
mkdir -p "$E2E_WORK/z2"
cp "$zones/example.com.zone" "$E2E_WORK/z2/"
grep -v '_report._dmarc' "$zones/example.net.zone" > "$E2E_WORK/z2/example.net.zone"
knot_start "$E2E_WORK/z2"
out2=$("$MC_BIN" -f json --resolver "127.0.0.1:$KNOT_PORT" --checks dmarc example.com)
expect_eq "unauthorised report destination is a warning" "$?" 1
expect_eq "unauthorised report destination finding" "$(printf '%s' "$out2" | j "[f['code'] for f in c['dmarc']['findings']]")" \
  "['dmarc.report-unauthorized']"

# the demo: the 1024-bit key is a warning with the fix, p=reject is ok
knot_start "$MC_SOURCE_DIR/fixtures/demo"
demo=$("$MC_BIN" -f json --resolver "127.0.0.1:$KNOT_PORT" --checks dkim,dmarc tarnbarford.net)
expect_eq "demo dkim warns" "$(printf '%s' "$demo" | j "[(f['code'], f['severity']) for f in c['dkim']['findings']]")" \
  "[('dkim.key-weak', 'warn')]"
expect_eq "demo dkim hint is the fix" "$(printf '%s' "$demo" | j "c['dkim']['findings'][0]['hint']")" \
  "publish a 2048-bit key under a new selector, sign with it, then retire this one"
expect_eq "demo dmarc ok" "$(printf '%s' "$demo" | j "(c['dmarc']['status'], c['dmarc']['metrics'])")" \
  "('ok', {'policy': 2, 'pct': 100})"

# the shipped selector list is found through MAILCHECK_DATADIR; without it
# the run stops before asking anything: exit 3, the file named
MAILCHECK_DATADIR="$E2E_WORK/none" "$MC_BIN" -f json --resolver "127.0.0.1:$KNOT_PORT" \
  --checks dkim -s mail tarnbarford.net > "$E2E_WORK/nolist.json" 2> "$E2E_WORK/nolist.err"
expect_eq "missing selector list: exit 3" "$?" 3
expect_eq "missing selector list: the file named" \
  "$(cat "$E2E_WORK/nolist.err")" \
  "mailcheck: cannot find the DKIM selector list 'dkim-selectors' (looked in $E2E_WORK/none): set MAILCHECK_DATADIR"
expect_eq "missing selector list: no report" "$(wc -c < "$E2E_WORK/nolist.json")" 0
mkdir -p "$E2E_WORK/data"
echo "mail  test provider" > "$E2E_WORK/data/dkim-selectors"
MAILCHECK_DATADIR="$E2E_WORK/data" "$MC_BIN" -f json --resolver "127.0.0.1:$KNOT_PORT" \
  --checks dkim tarnbarford.net > "$E2E_WORK/list.json"
expect_eq "MAILCHECK_DATADIR selects the list" \
  "$(j "(c['dkim']['data']['tried'], c['dkim']['data']['selectors'][0]['provider'])" < "$E2E_WORK/list.json")" \
  "(1, 'test provider')"
finish
