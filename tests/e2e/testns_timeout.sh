#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_timeout.sh - a server that answers too late, and a port
# where nothing listens: exit 3, and the run ends within --timeout plus a
# fraction of a second (the deadline contract; bounds are generous, this is
# not a benchmark)
. "$(dirname "$0")/lib.sh"

{ cat <<'DATA'
; slow.test: the answer comes after 4 s, far past the deadline
ENTRY_BEGIN
MATCH opcode qname
ADJUST copy_id copy_query sleep=4
REPLY QR RD RA NOERROR
SECTION QUESTION
slow.test. IN MX
SECTION ANSWER
slow.test. IN MX 10 mx.slow.test.
ENTRY_END
DATA
  testns_catchall
} > "$E2E_WORK/slow.data"
testns_start "$E2E_WORK/slow.data"

# run_timed NAME TIMEOUT RESOLVER DOMAIN: runs the mx check, sets rc and ms
run_timed() {
  t0=$(now_ms)
  "$MC_BIN" -f json -t "$2" -r "$3" --checks mx "$4" > "$E2E_WORK/$1.json" 2> "$E2E_WORK/$1.err"
  rc=$?
  ms=$(($(now_ms) - t0))
}

run_timed slow 1 "127.0.0.1:$TESTNS_PORT" slow.test
expect_eq "late answer: exit 3" "$rc" 3
expect_le "late answer: ends within --timeout 1 + 1.5 s (ms)" "$ms" 2500
expect_eq "late answer: reported as dns.tempfail" \
  "$(json_get "$E2E_WORK/slow.json" 'd["checks"][0]["findings"][0]["code"]')" dns.tempfail
expect_eq "late answer: still a complete JSON report" \
  "$(json_get "$E2E_WORK/slow.json" 'd["status"]')" unknown

dead=$(free_port)
run_timed dead 1.5 "127.0.0.1:$dead" example.test
expect_eq "nothing listens: exit 3" "$rc" 3
expect_le "nothing listens: ends within --timeout 1.5 + 1.5 s (ms)" "$ms" 3000
# it did wait for an answer rather than give up at once: the question's
# own budget, half the time left (src/dns_net.c), not less
expect_le "nothing listens: waited for the question's budget (ms)" 700 "$ms"
expect_eq "nothing listens: reported as dns.tempfail" \
  "$(json_get "$E2E_WORK/dead.json" 'd["checks"][0]["findings"][0]["code"]')" dns.tempfail

# the same over IPv6, and with a fractional timeout
run_timed dead6 0.7 "[::1]:$dead" example.test
expect_eq "nothing listens on ::1: exit 3" "$rc" 3
expect_le "nothing listens on ::1: ends within --timeout 0.7 + 1.5 s (ms)" "$ms" 2200

# per-query timeout below the deadline: the query gives up after its own
# 5 s, the run goes on until its checks are done, well before --timeout 20
run_timed dead20 20 "127.0.0.1:$dead" example.test
expect_eq "per-query timeout: exit 3" "$rc" 3
expect_le "per-query timeout: ends after about 5 s, not 20 (ms)" "$ms" 6500
expect_eq "per-query timeout: the message says timeout" \
  "$(json_get "$E2E_WORK/dead20.json" '"timeout" in d["checks"][0]["findings"][0]["message"]')" True

# a batch of 500 questions to a silent server, with descriptors for one
# UDP socket (stdin, stdout, stderr and one more, the shell's others
# closed), that is 32 questions at
# a time (NET_PER_SOCKET, dns_net.c): all fail by the deadline, on time,
# and the ones that never got a place on a socket before it are not sent
# afterwards.  Each question has its own budget (half the time left, at
# least 0.25 s: dns_net.c), so about three rounds of 32 questions, two or
# three sends each, go out before the deadline of 1 s; the rest never do.
DNSQ=${MC_BINARY_DIR:-$(dirname "$MC_BIN")}/tests/mc-dnsq
rogue_start --silent
i=0
while [ $i -lt 500 ]; do echo "q$i.example.test A"; i=$((i + 1)); done > "$E2E_WORK/q500"
t0=$(now_ms)
(exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; ulimit -n 4 && exec "$DNSQ" -t 1 -r "127.0.0.1:$ROGUE_PORT") < "$E2E_WORK/q500" > "$E2E_WORK/q500.out"
ms=$(($(now_ms) - t0))
expect_eq "500 questions, silent server: all tempfail" "$(grep -E '^[a-z]+ [0-9]+$' "$E2E_WORK/q500.out")" "tempfail 500"
expect_le "500 questions, silent server: ends within --timeout 1 + 1.5 s (ms)" "$ms" 2500
sent=$(grep -c '^query' "$E2E_WORK/rogue.$ROGUE_PORT.log")
echo "     (queries seen: $sent)"
expect_le "500 questions, silent server: nothing sent past the deadline (queries seen)" "$sent" 450
finish
