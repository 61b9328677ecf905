#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_edns.sh - EDNS fallback (RFC 6891 6.2.2, 7): a server
# that answers our EDNS query with FORMERR or NOTIMP and no OPT record (or
# with BADVERS, though we ask for version 0) is asked the same question
# again without EDNS, at once, and that answer counts; only that question
# drops EDNS.  A FORMERR that carries OPT, or one to the query without
# EDNS, is the server's verdict: the next resolver is asked, else the
# question fails (dns.permfail).
. "$(dirname "$0")/lib.sh"

# name MX without EDNS: the records; with EDNS: the failure named
mx_entries() {
  printf '%s\n' ENTRY_BEGIN 'MATCH opcode qtype qname noedns' 'ADJUST copy_id' \
    'REPLY QR RD RA NOERROR' SECTION\ QUESTION "$1. IN MX" SECTION\ ANSWER \
    "$1. 300 IN MX 10 mx1.old.test." ENTRY_END ''
}

{
  for n in formerr.old.test notimp.old.test noqd.old.test badvers.old.test \
      withopt.old.test; do
    mx_entries $n
  done
  cat <<'DATA'
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA FORMERR
SECTION QUESTION
formerr.old.test. IN MX
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOTIMPL
SECTION QUESTION
notimp.old.test. IN MX
ENTRY_END

; FORMERR with no question section (QDCOUNT 0)
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA FORMERR
SECTION QUESTION
noqd.old.test. IN MX
HEX_ANSWER_BEGIN
0000 8181 0000 0000 0000 0000
HEX_ANSWER_END
ENTRY_END

; BADVERS (extended RCODE 1 in the OPT record) to our version 0 query
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
badvers.old.test. IN MX
HEX_ANSWER_BEGIN
0000 8180 0001 0000 0000 0001
07 62616476657273 03 6f6c64 04 74657374 00 000f 0001
00 0029 04d0 01000000 0000
HEX_ANSWER_END
ENTRY_END

; FORMERR with an OPT record: the server knows EDNS, no fallback
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA FORMERR
SECTION QUESTION
withopt.old.test. IN MX
HEX_ANSWER_BEGIN
0000 8181 0001 0000 0000 0001
07 776974686f7074 03 6f6c64 04 74657374 00 000f 0001
00 0029 04d0 00000000 0000
HEX_ANSWER_END
ENTRY_END

; FORMERR with and without EDNS
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA FORMERR
SECTION QUESTION
always.test. IN MX
ENTRY_END

; NOTIMP with and without EDNS
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR RD RA NOTIMPL
SECTION QUESTION
notimpall.test. IN MX
ENTRY_END

; the MX host's address tells whether its question kept EDNS
ENTRY_BEGIN
MATCH opcode qtype qname noedns
ADJUST copy_id
REPLY QR RD RA NOERROR
SECTION QUESTION
mx1.old.test. IN A
SECTION ANSWER
mx1.old.test. 300 IN A 192.0.2.99
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
DATA
  testns_catchall
} > "$E2E_WORK/edns.data"
testns_start "$E2E_WORK/edns.data"
r="127.0.0.1:$TESTNS_PORT"
codes='" ".join(f["code"] for f in d["checks"][0]["findings"] if f["code"].startswith("dns."))'
hosts='[(h["host"], h["addresses"]) for h in d["checks"][0]["data"].get("hosts", [])]'
want="[('mx1.old.test', ['192.0.2.1'])]"

for n in formerr notimp noqd badvers; do
  bounded 10 "$MC_BIN" -f json -t 10 -r "$r" --checks mx "$n.old.test" > "$E2E_WORK/$n.json"
  # the MX records come from the query without EDNS; the host's A question
  # still carries EDNS (192.0.2.1, not the 192.0.2.99 of the plain query)
  expect_eq "$n to EDNS: answer without EDNS, other questions keep it" \
    "$(json_get "$E2E_WORK/$n.json" "$hosts")" "$want"
  expect_eq "$n to EDNS: no DNS failure" "$(json_get "$E2E_WORK/$n.json" "$codes")" ""
  # asked again at once, not after a retransmission interval (1 s)
  expect_prompt "$n to EDNS: asked again at once"
done

"$MC_BIN" -f json -t 10 -r "$r" --checks mx withopt.old.test > "$E2E_WORK/withopt.json"
expect_eq "FORMERR with OPT: exit 3" "$?" 3
expect_eq "FORMERR with OPT: no fallback, dns.permfail" \
  "$(json_get "$E2E_WORK/withopt.json" "$codes")" dns.permfail

bounded 10 "$MC_BIN" -f json -t 10 -r "$r" --checks mx always.test > "$E2E_WORK/always.json"
expect_eq "FORMERR without EDNS too: exit 3" "$rc" 3
expect_eq "FORMERR without EDNS too: dns.permfail" \
  "$(json_get "$E2E_WORK/always.json" "$codes")" dns.permfail
expect_eq "FORMERR without EDNS too: the message names FORMERR and the server" \
  "$(json_get "$E2E_WORK/always.json" '"FORMERR from '"$r"'" in d["checks"][0]["findings"][0]["message"]')" True
expect_prompt "FORMERR without EDNS too: no waiting"

# with a second resolver, a FORMERR to the plain query sends the question on
rogue_start
bounded 10 "$MC_BIN" -f json -t 10 -r "$r" -r "127.0.0.1:$ROGUE_PORT" --checks mx always.test > "$E2E_WORK/next.json"
expect_eq "FORMERR without EDNS, second resolver: its records" \
  "$(json_get "$E2E_WORK/next.json" "$hosts")" "[('mx1.always.test', ['198.51.100.7'])]"
expect_prompt "FORMERR without EDNS, second resolver: asked on at once"
"$MC_BIN" -f json -t 10 -r "$r" -r "127.0.0.1:$ROGUE_PORT" --checks mx notimpall.test > "$E2E_WORK/notimp2.json"
expect_eq "NOTIMP without EDNS, second resolver: its records" \
  "$(json_get "$E2E_WORK/notimp2.json" "$hosts")" "[('mx1.notimpall.test', ['198.51.100.7'])]"
"$MC_BIN" -f json -t 10 -r "$r" --checks mx notimpall.test > "$E2E_WORK/notimp1.json"
expect_eq "NOTIMP without EDNS, no other resolver: dns.permfail" \
  "$(json_get "$E2E_WORK/notimp1.json" "$codes")" dns.permfail
finish
