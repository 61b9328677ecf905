#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/testns_timeout.sh - a server that answers too late, and a port
# where nothing listens: exit 3, and the run ends by its deadline (the
# deadline contract).  The bounds are relative (2 x --timeout plus twice
# the binary's start-up cost here, lib.sh's bounded), set well below what a
# run that ignored its deadline would take (the question's own 5 s, or the
# server's 4 s); this is not a benchmark (bench/ measures speed)
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
  bounded "$2" "$MC_BIN" -f json -t "$2" -r "$3" --checks mx "$4" > "$E2E_WORK/$1.json" 2> "$E2E_WORK/$1.err"
}

run_timed slow 1 "127.0.0.1:$TESTNS_PORT" slow.test
expect_eq "late answer: exit 3" "$rc" 3
expect_bounded "late answer: ends within 2 x --timeout 1"
expect_eq "late answer: reported as dns.tempfail" \
  "$(json_get "$E2E_WORK/slow.json" 'd["checks"][0]["findings"][0]["code"]')" dns.tempfail
expect_eq "late answer: still a complete JSON report" \
  "$(json_get "$E2E_WORK/slow.json" 'd["status"]')" unknown

dead=$(free_port)
run_timed dead 1.5 "127.0.0.1:$dead" example.test
expect_eq "nothing listens: exit 3" "$rc" 3
expect_bounded "nothing listens: ends within 2 x --timeout 1.5"
# it did wait for an answer rather than give up at once: the question's
# own budget, half the time left (src/dns_net.c), not less (a lower bound:
# a loaded machine only adds to it)
expect_le "nothing listens: waited for the question's budget (ms)" 700 "$ms"
expect_eq "nothing listens: reported as dns.tempfail" \
  "$(json_get "$E2E_WORK/dead.json" 'd["checks"][0]["findings"][0]["code"]')" dns.tempfail

# the same over IPv6, and with a fractional timeout
run_timed dead6 0.7 "[::1]:$dead" example.test
expect_eq "nothing listens on ::1: exit 3" "$rc" 3
expect_bounded "nothing listens on ::1: ends within 2 x --timeout 0.7"

# per-query timeout below the deadline: the query gives up after its own
# 5 s ("timeout", not "deadline reached"), and the run ends within twice
# that, well before --timeout 20
bounded 5 "$MC_BIN" -f json -t 20 -r "127.0.0.1:$dead" --checks mx example.test \
  > "$E2E_WORK/dead20.json" 2> "$E2E_WORK/dead20.err"
expect_eq "per-query timeout: exit 3" "$rc" 3
expect_bounded "per-query timeout: ends within 2 x the query's 5 s, not at 20"
expect_eq "per-query timeout: the message says timeout, not the deadline" \
  "$(json_get "$E2E_WORK/dead20.json" '"timeout" in d["checks"][0]["findings"][0]["message"] and "deadline" not in d["checks"][0]["findings"][0]["message"]')" True

# a batch of 500 questions to a silent server, with descriptors for one
# UDP socket: stdin, stdout, stderr and one more (the shell's others
# closed, ulimit -n 4), so 32 questions at a time (NET_PER_SOCKET,
# dns_net.c).  The sockets are shared and long-lived: a question that
# ends frees its place on the socket for one that waits.  Each question has
# its own budget (half the time left, at least 0.25 s), so a few rounds of
# 32 go out before the deadline of 1 s (two or three here, unloaded):
# every question of a finished round timed out ("timeout"), the round in
# flight at the deadline and every question still waiting for a place fail
# there ("deadline reached"), and the waiting ones are never sent.  The
# cap holds: questions were held back (without it all 500 go out at once);
# nothing is sent past the deadline: the server saw every question that
# timed out, and besides them at most the one round (32) the deadline cut.
DNSQ=${MC_BINARY_DIR:-$(dirname "$MC_BIN")}/tests/mc-dnsq
rogue_start --silent
i=0
while [ $i -lt 500 ]; do echo "q$i.example.test A"; i=$((i + 1)); done > "$E2E_WORK/q500"
bounded 1 sh -c 'exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; ulimit -n 4 && exec "$0" -v -t 1 -r "$1"' \
  "$DNSQ" "127.0.0.1:$ROGUE_PORT" < "$E2E_WORK/q500" > "$E2E_WORK/q500.out"
expect_eq "500 questions, silent server: all tempfail" "$(grep -E '^[a-z]+ [0-9]+$' "$E2E_WORK/q500.out")" "tempfail 500"
expect_bounded "500 questions, silent server: ends within 2 x --timeout 1"
grep ' tempfail (timeout)$' "$E2E_WORK/q500.out" | cut -d' ' -f1 | sort > "$E2E_WORK/q500.timeout"
sed -n 's/^query \([^ ]*\) .*/\1/p' "$E2E_WORK/rogue.$ROGUE_PORT.log" | sort -u > "$E2E_WORK/q500.seen"
timedout=$(wc -l < "$E2E_WORK/q500.timeout")
seen=$(wc -l < "$E2E_WORK/q500.seen")
echo "     (questions timed out: $timedout, seen by the server: $seen)"
[ "$timedout" -ge 32 ] && [ "$seen" -lt 500 ] &&
  pass "500 questions: 32 or more asked, the rest held back by the 4-descriptor cap" ||
  fail "500 questions: the cap" "timed out $timedout, seen $seen"
expect_eq "500 questions: every question that timed out was asked" \
  "$(comm -23 "$E2E_WORK/q500.timeout" "$E2E_WORK/q500.seen" | wc -l)" 0
expect_le "500 questions: besides them, at most the round the deadline cut (none sent past it)" \
  "$((seen - timedout))" 32
finish
