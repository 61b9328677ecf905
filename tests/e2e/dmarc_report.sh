#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/dmarc_report.sh - `mailcheck dmarc-report` asking Knot on
# loopback: PTR names of the sources (one batch) and check_host() of the
# failing ones, over UDP to a real server (-r), IPv4 and IPv6 sources
. "$(dirname "$0")/lib.sh"

Z="$E2E_WORK/zones"
mkdir -p "$Z"
cat > "$Z/example.org.zone" <<'ZONE'
$ORIGIN example.org.
$TTL 300
@    SOA ns.example.org. hostmaster.example.org. 1 3600 900 604800 300
@    NS  ns.example.org.
ns   A   127.0.0.1
@    MX  10 mail.example.org.
@    TXT "v=spf1 mx ip6:2001:db8::25 -all"
mail A   192.0.2.25
ZONE
cat > "$Z/2.0.192.in-addr.arpa.zone" <<'ZONE'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@    SOA ns.example.org. hostmaster.example.org. 1 3600 900 604800 300
@    NS  ns.example.org.
25   PTR mail.example.org.
ZONE
cat > "$Z/8.b.d.0.1.0.0.2.ip6.arpa.zone" <<'ZONE'
$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
$TTL 300
@    SOA ns.example.org. hostmaster.example.org. 1 3600 900 604800 300
@    NS  ns.example.org.
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR mail6.example.org.
ZONE
knot_start "$Z"
R="127.0.0.1:$KNOT_PORT"

rec() { # ip count dkim spf
  printf '<record><row><source_ip>%s</source_ip><count>%s</count><policy_evaluated><disposition>none</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row><identifiers><header_from>example.org</header_from></identifiers></record>\n' "$@"
}
{
  printf '<?xml version="1.0"?>\n<feedback><report_metadata><org_name>receiver.test</org_name><report_id>1</report_id><date_range><begin>1700006400</begin><end>1700092799</end></date_range></report_metadata><policy_published><domain>example.org</domain><p>reject</p></policy_published>\n'
  rec 192.0.2.25 10 fail fail
  rec 2001:db8::25 4 fail fail
  rec 198.51.100.9 2 fail fail
  rec 192.0.2.25 5 pass pass
  printf '</feedback>\n'
} > "$E2E_WORK/r.xml"

"$MC_BIN" dmarc-report -f json -r "$R" "$E2E_WORK/r.xml" > "$E2E_WORK/out.json"
expect_eq "some source fails: exit 1" "$?" 1
src() { json_get "$E2E_WORK/out.json" "[s for s in d['domains'][0]['sources'] if s['ip'] == '$1'][0]$2"; }
expect_eq "PTR of an IPv4 source" "$(src 192.0.2.25 "['ptr']")" mail.example.org
expect_eq "PTR of an IPv6 source" "$(src 2001:db8::25 "['ptr']")" mail6.example.org
# Knot refuses names outside its zones: REFUSED is a permanent failure
expect_eq "no PTR: Knot refuses, permfail" "$(src 198.51.100.9 "['ptr_status']")" permfail
expect_eq "the MX address failing DKIM is the domain's own (check_host: mx)" \
  "$(src 192.0.2.25 "['verdict']")" own-server-failing-dkim
expect_eq "an ip6: address of the SPF record is the domain's own" \
  "$(src 2001:db8::25 "['verdict']")" own-server-failing-dkim
expect_eq "an address SPF does not authorise is not you" \
  "$(src 198.51.100.9 "['verdict']")" not-you
expect_eq "flags: own failing DKIM, twice" \
  "$(json_get "$E2E_WORK/out.json" "sorted(f['subject'] for f in d['domains'][0]['flags'] if f['code'] == 'dmarc-report.own-failing-dkim')")" \
  "['192.0.2.25', '2001:db8::25']"

txt=$("$MC_BIN" dmarc-report -f text -r "[::1]:$KNOT_PORT" "$E2E_WORK/r.xml")
case $txt in
  *"192.0.2.25                              mail.example.org"*) pass "text: PTR over IPv6 transport" ;;
  *) fail "text: PTR over IPv6 transport" "$txt" ;;
esac

# a resolver that does not answer: the run ends within its deadline, the
# PTR names are tempfail, the report is still written
port=$(free_port)
"$MC_BIN" dmarc-report -f json -t 2 -r "127.0.0.1:$port" "$E2E_WORK/r.xml" > "$E2E_WORK/dead.json"
expect_eq "silent resolver: the report is still written (exit 1)" "$?" 1
expect_eq "silent resolver: PTR tempfail" \
  "$(json_get "$E2E_WORK/dead.json" "d['domains'][0]['sources'][0]['ptr_status']")" tempfail
finish
