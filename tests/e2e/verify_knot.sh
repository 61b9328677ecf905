#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/verify_knot.sh - `mailcheck verify` asking Knot on loopback (-r):
# the seed's signed message gets its key, the SPF record and the DMARC policy
# from a real server, over IPv4 and IPv6, with the verdicts of the zone backend
. "$(dirname "$0")/lib.sh"

Z="$E2E_WORK/zones"
mkdir -p "$Z"
cp "$MC_SOURCE_DIR/fixtures/demo/tarnbarford.net.zone" "$Z/"
# the DMARC tree walk also asks _dmarc.net: the server speaks for net. too
cat > "$Z/net.zone" <<'ZONE'
$ORIGIN net.
$TTL 300
@    SOA ns.tarnbarford.net. hostmaster.tarnbarford.net. 1 3600 900 604800 300
@    NS  ns.tarnbarford.net.
ZONE
knot_start "$Z"
MSG="$MC_SOURCE_DIR/fixtures/demo/tarnbarford-2015-dkim-signed.eml"
verdicts='import json,sys; d=json.load(sys.stdin); print(d["dkim"][0]["result"], d["dkim"][0]["explain"]["key_bits"], (d["spf"] or {}).get("result"), d["dmarc"]["result"], d["dmarc"]["policy"], d["exit_code"])'

out=$("$MC_BIN" verify -f json --explain -r "127.0.0.1:$KNOT_PORT" --ip 144.76.187.44 \
  --mail-from android@tarnbarford.net "$MSG")
rc=$?
expect_eq "verify over the network: exit 0" "$rc" 0
expect_eq "verify over the network: dkim pass (1024-bit key), spf pass, dmarc pass (reject)" \
  "$(printf '%s' "$out" | python3 -c "$verdicts")" "pass 1024 pass pass reject 0"
out6=$("$MC_BIN" verify -f json --explain -r "[::1]:$KNOT_PORT" --ip 144.76.187.44 \
  --mail-from android@tarnbarford.net "$MSG")
expect_eq "verify over IPv6: the same verdicts" "$(printf '%s' "$out6" | python3 -c "$verdicts")" \
  "pass 1024 pass pass reject 0"
offline=$("$MC_BIN" verify -f json --explain -z "$Z/tarnbarford.net.zone" -z "$Z/net.zone" \
  --ip 144.76.187.44 --mail-from android@tarnbarford.net "$MSG")
expect_eq "network and zone backends agree" "$(printf '%s' "$offline" | python3 -c "$verdicts")" \
  "$(printf '%s' "$out" | python3 -c "$verdicts")"

# the key asked from a server that does not answer: temperror, exit 3
out=$("$MC_BIN" verify -f json -t 3 -r "127.0.0.1:1" "$MSG")
rc=$?
expect_eq "a silent server: dkim temperror, exit 3" \
  "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["dkim"][0]["result"], d["dmarc"]["result"])') $rc" \
  "temperror temperror 3"
finish
