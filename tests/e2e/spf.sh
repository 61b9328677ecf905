#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/spf.sh - `mailcheck spf` and the spf check against Knot on loopback
. "$(dirname "$0")/lib.sh"

knot_start "$MC_SOURCE_DIR/tests/e2e/spf-zones"
R="127.0.0.1:$KNOT_PORT"
field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("/"): d = d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$1"; }

out=$("$MC_BIN" spf -f json --resolver "$R" --ip 192.0.2.25 example.org)
expect_eq "MX address passes, exit 0" "$?" 0
expect_eq "MX address result" "$(printf '%s' "$out" | field result)" pass
expect_eq "MX address lookups" "$(printf '%s' "$out" | field lookups)" 1

out=$("$MC_BIN" spf -f json --resolver "$R" --ip 203.0.113.5 --sender a@example.org)
expect_eq "address two includes deep passes" "$(printf '%s' "$out" | field result)" pass
expect_eq "two includes deep: 4 lookups" "$(printf '%s' "$out" | field lookups)" 4
expect_eq "trace shows the include tree" \
  "$(printf '%s' "$out" | field trace/terms/1/include/terms/1/include/domain)" deep.example.net

out=$("$MC_BIN" spf -f json --resolver "[::1]:$KNOT_PORT" --ip 2001:db8::25 example.org)
expect_eq "IPv6 client over IPv6 transport passes" "$(printf '%s' "$out" | field result)" pass

out=$("$MC_BIN" spf -f json --resolver "$R" --ip 203.0.113.99 example.org)
expect_eq "other address fails, still exit 0" "$?" 0
expect_eq "other address result" "$(printf '%s' "$out" | field result)" fail

out=$("$MC_BIN" spf -f json --resolver "$R" --ip 203.0.113.99 strict.example.net)
expect_eq "explanation after fail" "$(printf '%s' "$out" | field explanation)" \
  "203.0.113.99 may not send for strict.example.net"

out=$("$MC_BIN" spf -f json --resolver "$R" --ip 192.0.2.1 loop.example.net)
expect_eq "include loop is a permerror" "$(printf '%s' "$out" | field result)" permerror
expect_eq "include loop stops at the limit" "$(printf '%s' "$out" | field lookups)" 11

txt=$("$MC_BIN" spf -f text --resolver "$R" --ip 192.0.2.25 --helo mail.example.org example.org)
expect_eq "text output names the result" "$(printf '%s\n' "$txt" | head -1)" "result:       pass"
txt=$("$MC_BIN" spf -f text --resolver "$R" --ip 192.0.2.25 --helo mail.example.org)
expect_eq "HELO name without a record: none" "$(printf '%s\n' "$txt" | head -1)" "result:       none"

"$MC_BIN" spf --resolver "$R" example.org > /dev/null 2>&1
expect_eq "no --ip is bad usage" "$?" 3
"$MC_BIN" spf --resolver "$R" --ip 300.1.1.1 example.org > /dev/null 2>&1
expect_eq "bad --ip is bad usage" "$?" 3

# network and zone backends agree
zoneout=$("$MC_BIN" spf -f json -z "$MC_SOURCE_DIR/tests/e2e/spf-zones/example.org.zone" \
  -z "$MC_SOURCE_DIR/tests/e2e/spf-zones/example.net.zone" --ip 203.0.113.5 example.org)
netout=$("$MC_BIN" spf -f json --resolver "$R" --ip 203.0.113.5 example.org)
expect_eq "network and zone backends agree" "$netout" "$zoneout"

# the spf check in the full report
out=$("$MC_BIN" -f json --resolver "$R" --checks spf example.org)
expect_eq "spf check ok" "$?" 0
expect_eq "spf check lookups metric" "$(printf '%s' "$out" | field checks/0/metrics/lookups)" 4
expect_eq "both MX addresses authorised" \
  "$(printf '%s' "$out" | python3 -c 'import json,sys; print(sorted((a["ip"], a["result"]) for a in json.load(sys.stdin)["checks"][0]["data"]["authorisation"]))')" \
  "[('192.0.2.25', 'pass'), ('2001:db8::25', 'pass')]"
"$MC_BIN" -f json --resolver "$R" --checks spf --ip 203.0.113.99 example.org > "$E2E_WORK/ip.json"
expect_eq "unauthorised --ip is critical" "$?" 2
expect_eq "unauthorised --ip finding" "$(field checks/0/findings/0/code < "$E2E_WORK/ip.json")" spf.ip-not-authorised

# the exp= explanation is asked with the second level of the tree, not after
# the walk: through a proxy that logs every query, why.example.net TXT comes
# before deep.example.net TXT (asked only once the second level answered)
qlog="$E2E_WORK/spf-exp.qlog"
proxy_start "$KNOT_PORT" 1 --log "$qlog"
"$MC_BIN" -f json --resolver "127.0.0.1:$PROXY_PORT" --checks spf explained.example.net > /dev/null
order=$(awk '$2 == "why.example.net" && $3 == 16 && !w { w = NR }
  $2 == "deep.example.net" && $3 == 16 && !d { d = NR }
  END { print (w && d && w < d) ? "exp first" : "exp at " w ", deep at " d }' "$qlog")
expect_eq "exp= TXT asked with the second level" "$order" "exp first"

# the demo: SPF passes for tarnbarford.net's MX address
knot_start "$MC_SOURCE_DIR/fixtures/demo"
out=$("$MC_BIN" -f json --resolver "127.0.0.1:$KNOT_PORT" --checks spf tarnbarford.net)
expect_eq "demo: MX address" "$(printf '%s' "$out" | field checks/0/data/authorisation/0/ip)" 144.76.187.44
expect_eq "demo: SPF passes for it" "$(printf '%s' "$out" | field checks/0/data/authorisation/0/result)" pass
expect_eq "demo: spf check ok" "$(printf '%s' "$out" | field checks/0/status)" ok
finish
