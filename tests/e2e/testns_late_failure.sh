#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_late_failure.sh - a failure that speaks for one server
# (SERVFAIL) arriving from a server asked earlier, while the question waits
# for another server it was sent on to, does not end the question: the
# other server's answer counts.  When nothing else comes, the failure is the
# verdict (not a timeout).
. "$(dirname "$0")/lib.sh"

cat > "$E2E_WORK/sf.data" <<'DATA'
ENTRY_BEGIN
MATCH opcode
ADJUST copy_id copy_query
REPLY QR RD RA SERVFAIL
SECTION QUESTION
placeholder.test. IN A
ENTRY_END
DATA
testns_start "$E2E_WORK/sf.data"
codes='" ".join(f["code"] for f in d["checks"][0]["findings"] if f["code"].startswith("dns."))'
hosts='[h["host"] for h in d["checks"][0]["data"].get("hosts", [])]'

# the first resolver's SERVFAIL takes 1.5 s, after the retransmission (1 s)
# to the second, which answers after 1.5 s
proxy_start "$TESTNS_PORT" 1500
sfport=$PROXY_PORT
rogue_start --delay-ms 1500
"$MC_BIN" -f json -t 10 -r "127.0.0.1:$sfport" -r "127.0.0.1:$ROGUE_PORT" \
  --checks mx late.test > "$E2E_WORK/late.json"
expect_eq "late SERVFAIL from the first resolver: the second one's records" \
  "$(json_get "$E2E_WORK/late.json" "$hosts")" "['mx1.late.test']"
expect_eq "late SERVFAIL from the first resolver: no DNS failure" \
  "$(json_get "$E2E_WORK/late.json" "$codes")" ""

# the second resolver never answers: the first one's SERVFAIL is the verdict
# when the question's time (4 s) runs out, not a timeout
rogue_start --silent
"$MC_BIN" -f json -t 4 -r "127.0.0.1:$sfport" -r "127.0.0.1:$ROGUE_PORT" \
  --checks mx late.test > "$E2E_WORK/silent.json"
expect_eq "late SERVFAIL, the other resolver silent: dns.tempfail" \
  "$(json_get "$E2E_WORK/silent.json" "$codes")" dns.tempfail
expect_eq "late SERVFAIL, the other resolver silent: the message names the SERVFAIL" \
  "$(json_get "$E2E_WORK/silent.json" '"SERVFAIL from 127.0.0.1:'"$sfport"'" in d["checks"][0]["findings"][0]["message"]')" True
finish
