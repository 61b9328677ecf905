#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/knot_demo.sh - the real binary against Knot serving the demo zones
. "$(dirname "$0")/lib.sh"

knot_start "$MC_SOURCE_DIR/fixtures/demo"

out=$("$MC_BIN" -f json --resolver "127.0.0.1:$KNOT_PORT" --checks mx tarnbarford.net)
rc=$?
expect_eq "demo over the network exits 0" "$rc" 0
expect_eq "demo MX host" "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["checks"][0]["data"]["hosts"][0]["host"])')" tarnbarford.net
expect_eq "demo MX address" "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["checks"][0]["data"]["hosts"][0]["addresses"][0])')" 144.76.187.44

# the same over IPv6
out6=$("$MC_BIN" -f json --resolver "[::1]:$KNOT_PORT" --checks mx tarnbarford.net)
expect_eq "demo over IPv6 gives the same data" \
  "$(printf '%s' "$out6" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"][0]["data"])')" \
  "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"][0]["data"])')"

# the network and zone backends agree
offline=$("$MC_BIN" -f json -z "$MC_SOURCE_DIR/fixtures/demo/tarnbarford.net.zone" --checks mx tarnbarford.net)
expect_eq "network and zone backends agree" \
  "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"][0]["data"])')" \
  "$(printf '%s' "$offline" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"][0]["data"])')"

# a domain that does not exist under a served zone
"$MC_BIN" -f json --resolver "127.0.0.1:$KNOT_PORT" --checks mx nope.tarnbarford.net > "$E2E_WORK/nx.json"
expect_eq "NXDOMAIN domain is critical" "$?" 2
finish
