#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/review_messages.sh - what findings say about hostile DNS content
#
# Zone backend only (no server).  Findings store raw text and the renderers
# escape it once; a message escaped by its check as well shows every
# backslash doubled.
. "$(dirname "$0")/lib.sh"

# has_msg CODE TEXT: a finding CODE whose message is exactly TEXT (printf %s)
has_msg() {
  printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); want=sys.argv[2]; got=[f['message'] for c in d['checks'] for f in c['findings'] if f['code'] == sys.argv[1]]; print('yes' if want in got else 'no: %r' % got)" "$1" "$2"
}

# dmarc.not-dmarc quotes the foreign record, escaped once
cat > "$E2E_WORK/notdmarc.zone" <<'ZONE'
_dmarc.example.org. TXT "v=DMARC1; p=reject; rua=mailto:d@example.org"
_dmarc.example.org. TXT "verify caf\195\169 a\\b"
ZONE
out=$("$MC_BIN" -f json -z "$E2E_WORK/notdmarc.zone" --checks dmarc example.org)
expect_eq "dmarc.not-dmarc quotes the record escaped once" "$(has_msg dmarc.not-dmarc \
  '_dmarc.example.org holds a TXT record that is not DMARC: "verify caf\195\169 a\\b"')" yes

# dnsbl.no-address with IP zones only: nothing at all was asked
cat > "$E2E_WORK/noaddr.zone" <<'ZONE'
example.org. MX 0 .
2.0.0.127.bl.example.net. A 127.0.0.2
ZONE
out=$("$MC_BIN" -f json -z "$E2E_WORK/noaddr.zone" --checks dnsbl --dnsbl-zone bl.example.net example.org)
expect_eq "dnsbl.no-address does not claim domain lists were asked" "$(has_msg dnsbl.no-address \
  "no public address of example.org's mail to look up (no MX address and no --ip)")" yes

# a DMARC record that is present but unusable (no ";" after v=DMARC1) still
# gets a summary line; v=DMARC2 would be no DMARC record at all (RFC 7489 6.6.3)
cat > "$E2E_WORK/badv.zone" <<'ZONE'
_dmarc.example.org. TXT "v=DMARC1 p=reject"
ZONE
out=$("$MC_BIN" -f json -z "$E2E_WORK/badv.zone" --checks dmarc example.org)
expect_eq "dmarc summary of an unusable record" "$(printf '%s' "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)['checks'][0].get('summary'))")" \
  "no usable DMARC policy at _dmarc.example.org"

finish
