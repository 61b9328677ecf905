#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/bulk.sh - bulk mode against Knot: domains files (comments,
# blanks, invalid lines, NUL bytes, overlong lines, stdin), JSON Lines as
# domains finish, one text line a domain, the summary, exit codes
. "$(dirname "$0")/lib.sh"

Z="$E2E_WORK/zones"
mkdir -p "$Z"
{
  printf '$ORIGIN bulk.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n'
  i=0
  while [ $i -lt 40 ]; do
    printf 'd%d MX 10 mx.d%d\nmx.d%d A 93.184.216.%d\n' $i $i $i $((i + 1))
    i=$((i + 1))
  done
  printf 'implicit A 93.184.216.200\n'
} > "$Z/bulk.test.zone"
knot_start "$Z"
R="--resolver 127.0.0.1:$KNOT_PORT --checks mx"

# a domains file with everything a real one has
{
  printf '# customers\n\n'
  i=0
  while [ $i -lt 40 ]; do printf 'd%d.bulk.test\n' $i; i=$((i + 1)); done
  printf '   implicit.bulk.test   # trailing comment\n'
  printf 'nx.bulk.test\n'
  printf 'not a domain\n'
  printf 'bad\000name.bulk.test\n'
  python3 -c 'print("x" * 1048576)'
  printf 'D1.BULK.TEST.\n'
  printf 'last.bulk.test'   # no final newline
} > "$E2E_WORK/domains.txt"

"$MC_BIN" $R -f jsonl --parallel 8 --domains-file "$E2E_WORK/domains.txt" \
  > "$E2E_WORK/out.jsonl" 2> "$E2E_WORK/err"
rc=$?
expect_eq "a critical domain outranks skipped lines: exit 2" "$rc" 2
expect_eq "one JSON document a line, valid lines only, repeats once" "$(wc -l < "$E2E_WORK/out.jsonl")" 43
python3 - "$E2E_WORK/out.jsonl" <<'PY' && pass "every line is a report" || fail "jsonl content" "$(head -3 "$E2E_WORK/out.jsonl")"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
doms = sorted(d["domain"] for d in docs)
want = sorted(["d%d.bulk.test" % i for i in range(40)] + ["implicit.bulk.test", "nx.bulk.test", "last.bulk.test"])
assert doms == want, doms
st = {d["domain"]: d["status"] for d in docs}
assert st["d0.bulk.test"] == "ok" and st["implicit.bulk.test"] == "warn" and st["nx.bulk.test"] == "crit", st
PY
grep -q "domains.txt:45: invalid domain 'not a domain'" "$E2E_WORK/err" && pass "invalid line reported with its number" || fail "invalid line" "$(cat "$E2E_WORK/err")"
grep -q "domains.txt:46: line holds a NUL byte" "$E2E_WORK/err" && pass "NUL byte reported" || fail "NUL byte" "$(cat "$E2E_WORK/err")"
grep -q "domains.txt:47: line longer than 1024 bytes" "$E2E_WORK/err" && pass "1 MB line reported" || fail "long line" "$(cat "$E2E_WORK/err")"
# D1.BULK.TEST. on line 48 is d1.bulk.test of line 4: checked once, noted
grep -q "^mailcheck: .*domains.txt:48: domain d1.bulk.test repeats line 4: checked once$" "$E2E_WORK/err" && pass "a repeated domain is noted with both lines" || fail "repeat note" "$(cat "$E2E_WORK/err")"
tail -1 "$E2E_WORK/err" | grep -q "^mailcheck: 43 domains in .*: 40 ok, 0 info, 1 warn, 2 crit, 0 unknown; 3 invalid lines skipped; 1 repeated domain checked once$" \
  && pass "summary on stderr" || fail "summary" "$(tail -1 "$E2E_WORK/err")"
grep -q $(printf '\r') "$E2E_WORK/err" && fail "no progress line off a terminal" "found" || pass "no progress line off a terminal"

# repeats are no error: an ok run with repeats exits 0, each checked once
printf 'd1.bulk.test\nd2.bulk.test\nD1.Bulk.Test.\n' > "$E2E_WORK/rep.txt"
"$MC_BIN" $R -f jsonl d2.bulk.test --domains-file "$E2E_WORK/rep.txt" > "$E2E_WORK/rep.jsonl" 2> "$E2E_WORK/rep.err"
expect_eq "repeats: exit 0" "$?" 0
expect_eq "repeats: each domain once" "$(python3 -c 'import json,sys; print(sorted(json.loads(l)["domain"] for l in open(sys.argv[1])))' "$E2E_WORK/rep.jsonl")" "['d1.bulk.test', 'd2.bulk.test']"
grep -q "rep.txt:2: domain d2.bulk.test is also given on the command line: checked once$" "$E2E_WORK/rep.err" && pass "repeat of a command-line name noted" || fail "command-line repeat" "$(cat "$E2E_WORK/rep.err")"
grep -q "rep.txt:3: domain d1.bulk.test repeats line 1: checked once$" "$E2E_WORK/rep.err" && pass "repeat in another case and with the final dot noted" || fail "case repeat" "$(cat "$E2E_WORK/rep.err")"
"$MC_BIN" $R -f jsonl d2.bulk.test D2.bulk.test > "$E2E_WORK/rep.jsonl" 2> "$E2E_WORK/rep.err"
expect_eq "a name given twice on the command line: one report" "$(wc -l < "$E2E_WORK/rep.jsonl")" 1
grep -q "^mailcheck: domain d2.bulk.test is given twice: checked once$" "$E2E_WORK/rep.err" && pass "command-line repeat noted" || fail "command-line repeat" "$(cat "$E2E_WORK/rep.err")"

printf 'd1.bulk.test\n-bad-\n' > "$E2E_WORK/small.txt"
"$MC_BIN" $R -f jsonl --domains-file "$E2E_WORK/small.txt" > /dev/null 2>&1
expect_eq "an invalid line makes an ok run exit 3" "$?" 3

# a progress line on stderr only when it is a terminal (script(1) makes one)
if command -v script > /dev/null 2>&1; then
  printf 'd1.bulk.test\nd2.bulk.test\n' > "$E2E_WORK/tty.txt"
  script -qec "'$MC_BIN' $R -f jsonl --domains-file '$E2E_WORK/tty.txt' 2>&1 >/dev/null" /dev/null > "$E2E_WORK/tty" 2>&1
  grep -q "$(printf '\r')$(printf '\033')\[K2/2 domains, " "$E2E_WORK/tty" && pass "progress line on a terminal" || fail "progress line" "$(od -c "$E2E_WORK/tty" | head -5)"
fi

# stdin, text: one line a domain, worst problem named
printf 'd1.bulk.test\nimplicit.bulk.test\n' | "$MC_BIN" $R -f text --domains-file - > "$E2E_WORK/out.txt" 2> "$E2E_WORK/err"
expect_eq "stdin: worst status wins" "$?" 1
expect_eq "text: one line a domain" "$(wc -l < "$E2E_WORK/out.txt")" 2
grep -q "^warn    implicit.bulk.test  mx: .*(mx.implicit)$" "$E2E_WORK/out.txt" && pass "text line names the problem" || fail "text line" "$(cat "$E2E_WORK/out.txt")"

# many domains on the command line, fail-on crit ignores warnings
"$MC_BIN" $R -f jsonl --fail-on crit d2.bulk.test implicit.bulk.test > "$E2E_WORK/out.jsonl" 2>/dev/null
expect_eq "--fail-on crit: a warning exits 0" "$?" 0
expect_eq "command-line domains: two lines" "$(wc -l < "$E2E_WORK/out.jsonl")" 2

# command-line names are bulk mode too: in their order, a line a domain in
# text, a summary on stderr; -v gives full reports
"$MC_BIN" $R -f jsonl --parallel 8 d7.bulk.test d3.bulk.test d1.bulk.test d2.bulk.test d0.bulk.test 2> "$E2E_WORK/err" \
  | python3 -c 'import json,sys; print(" ".join(json.loads(l)["domain"] for l in sys.stdin))' > "$E2E_WORK/order"
expect_eq "command-line names: input order" "$(cat "$E2E_WORK/order")" "d7.bulk.test d3.bulk.test d1.bulk.test d2.bulk.test d0.bulk.test"
grep -q "^mailcheck: 5 domains in .*: 5 ok, 0 info, 0 warn, 0 crit, 0 unknown$" "$E2E_WORK/err" && pass "command-line names: summary on stderr" || fail "command-line summary" "$(cat "$E2E_WORK/err")"
"$MC_BIN" $R -f text d1.bulk.test implicit.bulk.test > "$E2E_WORK/out.txt" 2>/dev/null
expect_eq "command-line names: a line a domain" "$(cut -c1-30 "$E2E_WORK/out.txt" | tr -s ' ' | tr '\n' '|')" "ok d1.bulk.test|warn implicit.bulk.test mx|"
"$MC_BIN" $R -f text -v d1.bulk.test implicit.bulk.test > "$E2E_WORK/out.txt" 2>/dev/null
grep -q "^  WARN    .*implicit" "$E2E_WORK/out.txt" && grep -q "^d1.bulk.test  " "$E2E_WORK/out.txt" && pass "command-line names, -v: full text reports" || fail "command-line -v text" "$(cat "$E2E_WORK/out.txt")"
"$MC_BIN" $R -f text implicit.bulk.test > "$E2E_WORK/out.txt" 2> "$E2E_WORK/err"
grep -q "^  WARN    .*implicit" "$E2E_WORK/out.txt" && [ ! -s "$E2E_WORK/err" ] && pass "one name: full report, no summary" || fail "one name" "$(cat "$E2E_WORK/out.txt" "$E2E_WORK/err")"

# parallel 1 keeps file order
printf 'd3.bulk.test\nd1.bulk.test\nd2.bulk.test\n' | "$MC_BIN" $R -f jsonl --parallel 1 --domains-file - 2>/dev/null \
  | python3 -c 'import json,sys; print(" ".join(json.loads(l)["domain"] for l in sys.stdin))' > "$E2E_WORK/order"
expect_eq "--parallel 1: input order" "$(cat "$E2E_WORK/order")" "d3.bulk.test d1.bulk.test d2.bulk.test"

# bad input: clear errors, exit 3, no output
"$MC_BIN" $R --domains-file "$E2E_WORK/missing.txt" > "$E2E_WORK/out" 2> "$E2E_WORK/err"
expect_eq "missing domains file: exit 3" "$?" 3
grep -q "cannot open domains file '.*missing.txt'" "$E2E_WORK/err" && [ ! -s "$E2E_WORK/out" ] && pass "missing file named" || fail "missing file" "$(cat "$E2E_WORK/err")"
for p in 0 x 1025; do
  "$MC_BIN" $R --parallel $p d1.bulk.test > /dev/null 2>&1
  expect_eq "--parallel $p rejected" "$?" 3
done
finish
