#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/dnsbl_knot.sh - rdns and dnsbl against Knot serving the domain
# and several blocklist zones on loopback
. "$(dirname "$0")/lib.sh"

zones="$E2E_WORK/zones"
mkdir -p "$zones"
cp "$MC_SOURCE_DIR"/fixtures/demo/*.zone "$zones/"
soa='@ SOA ns1.tarnbarford.net. postmaster.tarnbarford.net. 1 3600 900 604800 300
@ NS ns1.tarnbarford.net.'
# a zone that refuses us the way Spamhaus refuses public resolvers
printf '$ORIGIN bl.refusing.test.\n$TTL 60\n%s\n* A 127.255.255.254\n' "$soa" \
  > "$zones/bl.refusing.test.zone"
# RFC 5782 5: the IPv6 test entries ::FFFF:7F00:2 (listed) and
# ::FFFF:7F00:1 (not), in nibble form
t6=2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0
# a generic zone listing the address with 127.0.0.5, and its IPv6 test entry
printf '$ORIGIN bl.generic.test.\n$TTL 60\n%s\n2.0.0.127 A 127.0.0.2\n%s A 127.0.0.2\n44.187.76.144 A 127.0.0.5\n44.187.76.144 TXT "generic listing"\n' \
  "$soa" "$t6" > "$zones/bl.generic.test.zone"
# a zone that lists the address but has no IPv6 test entry
printf '$ORIGIN bl.nov6.test.\n$TTL 60\n%s\n2.0.0.127 A 127.0.0.2\n44.187.76.144 A 127.0.0.2\n' \
  "$soa" > "$zones/bl.nov6.test.zone"
knot_start "$zones"
R="127.0.0.1:$KNOT_PORT"

jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); c={x['name']: x for x in d['checks']}; print($1)"; }

# 1. the demo over the network: the listing is critical, with its meaning
out=$("$MC_BIN" -f json --resolver "$R" --checks mx,rdns,dnsbl tarnbarford.net)
expect_eq "demo exits 2 (critical)" "$?" 2
expect_eq "demo dnsbl status" "$(printf '%s' "$out" | jq_py "c['dnsbl']['status']")" crit
expect_eq "demo listing" "$(printf '%s' "$out" | jq_py "[(f['code'], f['subject']) for f in c['dnsbl']['findings']]")" \
  "[('dnsbl.listed', '144.76.187.44')]"
expect_eq "demo listing meaning and reason" \
  "$(printf '%s' "$out" | jq_py "c['dnsbl']['findings'][0]['message']")" \
  '144.76.187.44 listed on zen.spamhaus.org (127.0.0.2: SBL: Spamhaus Block List, a verified spam source or spam operation); reason: "Listed by SBL (demonstration entry), see https://check.spamhaus.org/"'
expect_eq "demo zones checked" "$(printf '%s' "$out" | jq_py "int(c['dnsbl']['metrics']['zones_checked'])")" 8
expect_eq "demo rdns ok" "$(printf '%s' "$out" | jq_py "(c['rdns']['status'], c['rdns']['data']['addresses'][0]['ptr'])")" \
  "('ok', ['tarnbarford.net'])"

# 2. IPv6 transport gives the same data; the zone backend agrees
out6=$("$MC_BIN" -f json --resolver "[::1]:$KNOT_PORT" --checks dnsbl,rdns tarnbarford.net)
expect_eq "IPv6 resolver gives the same dnsbl data" \
  "$(printf '%s' "$out6" | jq_py "c['dnsbl']['data']")" "$(printf '%s' "$out" | jq_py "c['dnsbl']['data']")"
zargs=""
for f in "$MC_SOURCE_DIR"/fixtures/demo/*.zone; do zargs="$zargs -z $f"; done
# shellcheck disable=SC2086
off=$("$MC_BIN" -f json $zargs --checks dnsbl,rdns tarnbarford.net)
expect_eq "network and zone backends agree (dnsbl)" \
  "$(printf '%s' "$off" | jq_py "c['dnsbl']['data']['zones']")" "$(printf '%s' "$out" | jq_py "c['dnsbl']['data']['zones']")"
expect_eq "network and zone backends agree (rdns)" \
  "$(printf '%s' "$off" | jq_py "c['rdns']['data']")" "$(printf '%s' "$out" | jq_py "c['rdns']['data']")"

# 3. a zone list of our own: an error code is never a listing; a zone the
#    server does not serve (REFUSED) is unknown, never clean
cat > "$E2E_WORK/zones.conf" <<'CONF'
# e2e zone list
zen.spamhaus.org ip ; listed 127.0.0.2 SBL: spam source
bl.refusing.test ip
    listed 127.0.0.2 listed
    ; error 127.255.255.254 refuses this resolver: use your own recursive resolver
bl.unserved.test ip ; listed 127.0.0.2 listed
CONF
out=$("$MC_BIN" -f json --resolver "$R" --checks dnsbl --dnsbl-config "$E2E_WORK/zones.conf" tarnbarford.net)
expect_eq "own list: crit outranks unknown" "$?" 2
expect_eq "own list: findings" \
  "$(printf '%s' "$out" | jq_py "sorted((f['code'], f['subject']) for f in c['dnsbl']['findings'])")" \
  "[('dnsbl.listed', '144.76.187.44'), ('dnsbl.zone-tempfail', 'bl.unserved.test'), ('dnsbl.zone-unusable', 'bl.refusing.test')]"
expect_eq "own list: refusing zone's reason" \
  "$(printf '%s' "$out" | jq_py "c['dnsbl']['data']['zones'][1]['reason']")" \
  "it answered 127.255.255.254 for 2.0.0.127.bl.refusing.test: refuses this resolver: use your own recursive resolver"
expect_eq "own list: metrics" \
  "$(printf '%s' "$out" | jq_py "[int(c['dnsbl']['metrics'][k]) for k in ('listed', 'zones_checked', 'zones_unusable', 'zones_tempfail')]")" \
  "[1, 1, 1, 1]"

# 4. generic zones with --dnsbl-zone, and --ip
out=$("$MC_BIN" -f json --resolver "$R" --checks dnsbl --dnsbl-zone bl.generic.test \
  --ip 2a01:4f8:200:1::2 tarnbarford.net)
expect_eq "generic zone: listed" \
  "$(printf '%s' "$out" | jq_py "[(f['code'], f['subject']) for f in c['dnsbl']['findings']]")" \
  "[('dnsbl.listed', '144.76.187.44')]"
# the MX address first, then --ip (the order of the address budget)
expect_eq "generic zone: the --ip address asked, clean" \
  "$(printf '%s' "$out" | jq_py "[(r['subject'], r['status']) for r in c['dnsbl']['data']['zones'][0]['results']]")" \
  "[('144.76.187.44', 'listed'), ('2a01:4f8:200:1::2', 'clean')]"
expect_eq "generic zone: IPv6 self-test asked and passed" \
  "$(printf '%s' "$out" | jq_py "(c['dnsbl']['data']['zones'][0]['status'], c['dnsbl']['data']['zones'][0]['self_test_ipv6'])")" \
  "('usable', True)"

# 4b. an IPv6 address: a zone without IPv6 test entries cannot be tested
#     for IPv6 (info; its IPv6 answers count as given, its IPv4 listing
#     counts); the same zone flagged ipv4-only is not asked for IPv6 at all
printf 'bl.nov6.test ip ; listed 127.0.0.2 listed\n' > "$E2E_WORK/v6.conf"
printf 'bl.nov6.test ip ipv4-only ; listed 127.0.0.2 listed\n' > "$E2E_WORK/v4only.conf"
out=$("$MC_BIN" -f json --resolver "$R" --checks dnsbl --dnsbl-config "$E2E_WORK/v6.conf" \
  --ip 2a01:4f8:200:1::2 tarnbarford.net)
expect_eq "no IPv6 test entry: the IPv4 listing decides, exit 2" "$?" 2
expect_eq "no IPv6 test entry: IPv6 untested, IPv4 listing counted" \
  "$(printf '%s' "$out" | jq_py "([(f['code'], f['subject']) for f in c['dnsbl']['findings']], c['dnsbl']['data']['zones'][0]['ipv6_reason'])")" \
  "([('dnsbl.ipv6-untested', 'bl.nov6.test'), ('dnsbl.listed', '144.76.187.44')], 'its IPv6 test entry ::ffff:127.0.0.2 is not listed (nxdomain): the zone may list no IPv6 addresses')"
out=$("$MC_BIN" -f json --resolver "$R" --checks dnsbl --dnsbl-config "$E2E_WORK/v4only.conf" \
  --ip 2a01:4f8:200:1::2 tarnbarford.net)
expect_eq "ipv4-only zone: exit 2" "$?" 2
expect_eq "ipv4-only zone: not asked for IPv6, listing counted" \
  "$(printf '%s' "$out" | jq_py "([(f['code'], f['subject']) for f in c['dnsbl']['findings']], c['dnsbl']['data']['zones'][0]['self_test_ipv6'], [r['subject'] for r in c['dnsbl']['data']['zones'][0]['results']])")" \
  "([('dnsbl.listed', '144.76.187.44')], False, ['144.76.187.44'])"

# 5. bad input: a zone list with a syntax error names file and line; a zone
#    that is not a domain name; both before any question is asked
printf 'zen.spamhaus.org ip ; listed 127.0.0.2 SBL\nbad.example ip ; listed 127.0.0.999 oops\n' > "$E2E_WORK/bad.conf"
err=$("$MC_BIN" -f json --resolver "$R" --dnsbl-config "$E2E_WORK/bad.conf" tarnbarford.net 2>&1 >/dev/null)
expect_eq "bad config exits 3" "$?" 3
case $err in
*"bad.conf:2: invalid answer code '127.0.0.999'"*) pass "bad config names file and line" ;;
*) fail "bad config names file and line" "$err" ;;
esac
err=$("$MC_BIN" -f json --resolver "$R" --dnsbl-zone 'not a zone' tarnbarford.net 2>&1 >/dev/null)
expect_eq "bad --dnsbl-zone exits 3" "$?" 3
case $err in
*"invalid --dnsbl-zone 'not a zone'"*) pass "bad --dnsbl-zone is named" ;;
*) fail "bad --dnsbl-zone is named" "$err" ;;
esac
"$MC_BIN" --resolver "$R" --dnsbl-config "$E2E_WORK/missing.conf" tarnbarford.net 2>/dev/null >/dev/null
expect_eq "missing config exits 3" "$?" 3
finish
