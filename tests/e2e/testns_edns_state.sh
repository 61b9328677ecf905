#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_edns_state.sh - the EDNS fallback's state after more
# than one event: a question that fell back to a query without EDNS and was
# then truncated goes to TCP without EDNS too (the server rejected EDNS);
# a slow server's FORMERR to an earlier EDNS copy of the question, arriving
# after the fallback, is not taken for its verdict on the query without EDNS.
. "$(dirname "$0")/lib.sh"

{
  cat <<'DATA'
; trunc.old.test: EDNS rejected; without EDNS truncated over UDP; over TCP
; the answer says whether the query carried EDNS
ENTRY_BEGIN
MATCH opcode qtype qname noedns UDP
ADJUST copy_id
REPLY QR RD RA TC NOERROR
SECTION QUESTION
trunc.old.test. IN MX
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname noedns TCP
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
trunc.old.test. IN MX
SECTION ANSWER
trunc.old.test. 300 IN MX 10 plain.old.test.
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname TCP
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
trunc.old.test. IN MX
SECTION ANSWER
trunc.old.test. 300 IN MX 10 edns.old.test.
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA FORMERR
SECTION QUESTION
trunc.old.test. IN MX
ENTRY_END

; slow.old.test: EDNS rejected, the answer without EDNS (behind a proxy
; that delays every reply past the first retransmission)
ENTRY_BEGIN
MATCH opcode qtype qname noedns
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
slow.old.test. IN MX
SECTION ANSWER
slow.old.test. 300 IN MX 10 mx1.old.test.
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA FORMERR
SECTION QUESTION
slow.old.test. IN MX
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
plain.old.test. IN A
SECTION ANSWER
plain.old.test. 300 IN A 192.0.2.1
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
mx1.old.test. IN A
SECTION ANSWER
mx1.old.test. 300 IN A 192.0.2.1
ENTRY_END

; tcpedns.old.test: truncated over UDP; over TCP EDNS rejected
ENTRY_BEGIN
MATCH opcode qtype qname noedns TCP
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
tcpedns.old.test. IN MX
SECTION ANSWER
tcpedns.old.test. 300 IN MX 10 plain.old.test.
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname TCP
ADJUST copy_id
REPLY QR RD RA FORMERR
SECTION QUESTION
tcpedns.old.test. IN MX
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname UDP
ADJUST copy_id
REPLY QR RD RA TC NOERROR
SECTION QUESTION
tcpedns.old.test. IN MX
ENTRY_END

; BADVERS whether the query has EDNS or not
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
badall.test. IN MX
HEX_ANSWER_BEGIN
0000 8180 0001 0000 0000 0001
06 626164616c6c 04 74657374 00 000f 0001
00 0029 04d0 01000000 0000
HEX_ANSWER_END
ENTRY_END
DATA
  testns_catchall
} > "$E2E_WORK/state.data"
testns_start "$E2E_WORK/state.data"
r="127.0.0.1:$TESTNS_PORT"
codes='" ".join(f["code"] for f in d["checks"][0]["findings"] if f["code"].startswith("dns."))'
hosts='[h["host"] for h in d["checks"][0]["data"].get("hosts", [])]'

"$MC_BIN" -f json -t 10 -r "$r" --checks mx trunc.old.test > "$E2E_WORK/trunc.json"
expect_eq "fell back, then truncated: TCP asked without EDNS" \
  "$(json_get "$E2E_WORK/trunc.json" "$hosts")" "['plain.old.test']"
expect_eq "fell back, then truncated: no DNS failure" \
  "$(json_get "$E2E_WORK/trunc.json" "$codes")" ""

"$MC_BIN" -f json -t 10 -r "$r" --checks mx tcpedns.old.test > "$E2E_WORK/tcpedns.json"
expect_eq "EDNS rejected over TCP only: asked again over TCP without it" \
  "$(json_get "$E2E_WORK/tcpedns.json" "$hosts")" "['plain.old.test']"
expect_eq "EDNS rejected over TCP only: no DNS failure" \
  "$(json_get "$E2E_WORK/tcpedns.json" "$codes")" ""

# every reply 1.5 s late, the retransmission interval 1 s: the FORMERR to
# the retransmitted EDNS query comes after the fallback
proxy_start "$TESTNS_PORT" 1500
"$MC_BIN" -f json -t 10 -r "127.0.0.1:$PROXY_PORT" --checks mx slow.old.test \
  > "$E2E_WORK/slow.json"
expect_eq "late FORMERR to an EDNS copy after the fallback: the answer" \
  "$(json_get "$E2E_WORK/slow.json" "$hosts")" "['mx1.old.test']"
expect_eq "late FORMERR to an EDNS copy after the fallback: no DNS failure" \
  "$(json_get "$E2E_WORK/slow.json" "$codes")" ""

rogue_start
"$MC_BIN" -f json -t 10 -r "$r" -r "127.0.0.1:$ROGUE_PORT" --checks mx badall.test \
  > "$E2E_WORK/badall.json"
expect_eq "BADVERS without EDNS too, second resolver: its records" \
  "$(json_get "$E2E_WORK/badall.json" "$hosts")" "['mx1.badall.test']"
finish
