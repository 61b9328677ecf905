#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/shard_resume.sh - the kill-and-resume test (issue 15): 2000
# generated domains served by Knot, 4 shards each writing with --resume;
# two are killed with SIGKILL after a random number of lines, resumed,
# and merged; every domain must appear exactly once, with the verdict of
# one unsharded run.  Then the same with SIGTERM: exit 3 and a summary
# that says so.  A torn last line is cut and its domain redone.
#
# The runs to be killed go through the delay proxy (40 ms a question), so
# they are still running when their output reaches the random line count;
# the resumes ask Knot directly.  Nothing is timed: the test waits for
# lines, never for a duration.
. "$(dirname "$0")/lib.sh"
# the system's interpreter starts in a tenth of the time of a version
# manager's shim; the helpers need only the standard library
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

N=2000
Z="$E2E_WORK/zones"
mkdir -p "$Z"
# ok (SPF and a DMARC record with rua), warn (no SPF, or DMARC without
# rua), and some without MX (warn or crit-free implicit MX): varied
# verdicts, none critical, so the SIGTERM exit code is 3 whatever the
# moment
"$PY" - "$Z/shard.test.zone" "$E2E_WORK/domains.txt" "$N" <<'PY'
import sys
zone, lst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(zone, "w") as f:
    f.write("$ORIGIN shard.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n"
            "@ NS ns\nns A 192.0.2.53\n_dmarc TXT \"v=DMARC1; p=none\"\n")
    for i in range(n):
        f.write("d%d MX 10 mx.d%d\nmx.d%d A 93.184.%d.%d\n" % (i, i, i, i // 250, i % 250 + 1))
        if i % 3:
            f.write("d%d TXT \"v=spf1 mx -all\"\n" % i)
        if i % 5 == 0:
            f.write("_dmarc.d%d TXT \"v=DMARC1; p=reject; rua=mailto:r@d%d.shard.test\"\n" % (i, i))
with open(lst, "w") as f:
    f.write("# generated\n")
    for i in range(n):
        f.write("d%d.shard.test\n" % i)
PY
knot_start "$Z"
proxy_start "$KNOT_PORT" 40
C="--checks mx,spf,dmarc -t 20"
D="$E2E_WORK/domains.txt"
W="$E2E_WORK"

# the reference: one unsharded run
"$MC_BIN" $C -r "127.0.0.1:$KNOT_PORT" -f jsonl --domains-file "$D" > "$W/all.jsonl" 2> "$W/all.err"
ref_rc=$?
expect_eq "the unsharded run reports every domain" "$(wc -l < "$W/all.jsonl")" "$N"
"$PY" - "$W/all.jsonl" <<'PY' && pass "the fixture has ok and warn domains, none critical" || fail "fixture verdicts" "$(tail -1 "$W/all.err")"
import json, sys
st = {json.loads(l)["status"] for l in open(sys.argv[1])}
assert {"ok", "warn"} <= st and "crit" not in st, st
PY

# lines LINE_COUNT FILE: the lines of FILE, 0 if absent
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
# rand LO HI
rand() { echo $(($1 + $(od -An -N2 -tu2 /dev/urandom) % ($2 - $1 + 1))); }
# interrupt SHARD SIGNAL OUT: start the shard through the proxy, wait for
# a random number of whole lines, send SIGNAL; sets run_rc
interrupt() {
  k=$(rand 3 40)
  "$MC_BIN" $C -r "127.0.0.1:$PROXY_PORT" --parallel 4 --shard "$1/4" --resume "$3" \
    --domains-file "$D" > "$3.stdout" 2> "$3.err" &
  pid=$!
  i=0
  while [ "$(lines "$3")" -lt "$k" ] && [ $i -lt 1200 ] && kill -0 $pid 2>/dev/null; do
    i=$((i + 1))
    sleep 0.05
  done
  kill -"$2" $pid
  wait $pid
  run_rc=$?
}
# resume SHARD OUT: complete the shard against Knot directly; sets run_rc
resume() {
  "$MC_BIN" $C -r "127.0.0.1:$KNOT_PORT" --shard "$1/4" --resume "$2" \
    --domains-file "$D" > "$2.stdout2" 2> "$2.err2"
  run_rc=$?
}
# check_merge LABEL OUT...: merge, then every domain exactly once with the
# reference's verdict
check_merge() {
  label=$1
  shift
  "$MC_BIN" merge --domains-file "$D" "$@" > "$W/merged.jsonl" 2> "$W/merge.err"
  expect_eq "$label: merge exits as the unsharded run did" "$?" "$ref_rc"
  tail -1 "$W/merge.err" | grep -q "^mailcheck merge: $N domains from 4 files: .*; 0 missing, 0 not in .*domains.txt; complete$" \
    && pass "$label: merge summary: complete" || fail "$label: merge summary" "$(tail -3 "$W/merge.err")"
  "$PY" - "$W/all.jsonl" "$W/merged.jsonl" "$@" <<'PY' && pass "$label: every domain exactly once, verdicts as unsharded" || fail "$label: merged content" "see above"
import json, sys
def verdict(d):
    return (d["status"], [(c["name"], c["status"], [f["code"] for f in c["findings"]]) for c in d["checks"]])
ref = {}
for l in open(sys.argv[1]):
    d = json.loads(l); ref[d["domain"]] = verdict(d)
seen = {}
for path in sys.argv[3:]:
    for l in open(path):
        assert l.endswith("\n"), path
        d = json.loads(l)
        assert d["domain"] not in seen, (d["domain"], path, seen.get(d["domain"]))
        seen[d["domain"]] = path
        assert verdict(d) == ref[d["domain"]], (d["domain"], verdict(d), ref[d["domain"]])
assert set(seen) == set(ref), (len(seen), len(ref))
merged = [json.loads(l)["domain"] for l in open(sys.argv[2])]
assert sorted(merged) == sorted(ref), len(merged)
PY
}

# --- kill -9 two shards at random moments, resume them, merge
for s in 0 2; do
  "$MC_BIN" $C -r "127.0.0.1:$KNOT_PORT" --shard "$s/4" --resume "$W/k$s.jsonl" \
    --domains-file "$D" > "$W/k$s.stdout" 2> "$W/k$s.err"
done
for s in 1 3; do
  interrupt $s KILL "$W/k$s.jsonl"
  expect_eq "shard $s: killed by SIGKILL" "$run_rc" 137
  before=$(lines "$W/k$s.jsonl")
  resume $s "$W/k$s.jsonl"
  grep -q "; $before domains already in .*k$s.jsonl skipped" "$W/k$s.jsonl.err2" && pass "shard $s: the resume skips the $before domains done" \
    || fail "shard $s: resume summary" "$(tail -1 "$W/k$s.jsonl.err2")"
  grep -q "^mailcheck: 0 domains in" "$W/k$s.jsonl.err2" && fail "shard $s: the kill left work to resume" "nothing was checked" \
    || pass "shard $s: the resume checks the rest"
  expect_eq "shard $s: no report lines on stdout with --resume" "$(wc -c < "$W/k$s.jsonl.stdout2")" 0
done
check_merge "SIGKILL" "$W/k0.jsonl" "$W/k1.jsonl" "$W/k2.jsonl" "$W/k3.jsonl"

# a resume of a complete shard checks nothing and exits with the file's verdict
resume 0 "$W/k0.jsonl"
grep -q "^mailcheck: 0 domains in .*; [0-9]* domains already in .*k0.jsonl skipped" "$W/k0.jsonl.err2" \
  && pass "a complete shard: nothing checked again" || fail "complete shard resume" "$(tail -1 "$W/k0.jsonl.err2")"
want=$("$PY" -c 'import json,sys; r={"ok":0,"info":0,"warn":1,"unknown":3,"crit":2}; o=["ok","info","warn","unknown","crit"]; print(r[max((json.loads(l)["status"] for l in open(sys.argv[1])), key=o.index)])' "$W/k0.jsonl")
expect_eq "a complete shard's resume exits with the worst line of its file" "$run_rc" "$want"

# --- a torn last line (a kill in the middle of a write): cut, redone
cp "$W/k2.jsonl" "$W/torn.jsonl"
total=$(wc -l < "$W/torn.jsonl")
"$PY" - "$W/torn.jsonl" <<'PY'
import os, sys
p = sys.argv[1]
data = open(p, "rb").read()
last = data.rstrip(b"\n").rfind(b"\n") + 1
open(p, "wb").write(data[:last + (len(data) - last) // 2])
PY
resume 2 "$W/torn.jsonl"
grep -q "torn.jsonl: cut a torn last line ([0-9]* bytes): its domain is checked again" "$W/torn.jsonl.err2" \
  && pass "torn last line cut and reported" || fail "torn line" "$(cat "$W/torn.jsonl.err2")"
grep -q "^mailcheck: 1 domain in .*; $((total - 1)) domains already in" "$W/torn.jsonl.err2" \
  && pass "the torn line's domain is checked again, the rest skipped" || fail "torn resume summary" "$(tail -1 "$W/torn.jsonl.err2")"
cmp -s "$W/k2.jsonl" "$W/torn.jsonl" >/dev/null; "$PY" - "$W/k2.jsonl" "$W/torn.jsonl" <<'PY' && pass "after the resume the file holds every domain of the shard once" || fail "torn resume content" "differs"
import json, sys
a = sorted(json.loads(l)["domain"] for l in open(sys.argv[1]))
b = sorted(json.loads(l)["domain"] for l in open(sys.argv[2]))
assert a == b, (len(a), len(b))
PY
# merge reports a torn line and does not merge it
head -c 100 "$W/k3.jsonl" > "$W/torn3.jsonl"
"$MC_BIN" merge "$W/k0.jsonl" "$W/k1.jsonl" "$W/k2.jsonl" "$W/torn3.jsonl" > "$W/m.jsonl" 2> "$W/m.err"
expect_eq "merge: a torn last line makes the merge incomplete: exit 3" "$?" 3
grep -q "torn3.jsonl: torn last line (100 bytes) not merged: resume that shard" "$W/m.err" \
  && pass "merge: the torn line is reported" || fail "merge torn" "$(cat "$W/m.err")"
"$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$W/m.jsonl" \
  && pass "merge: only whole report lines out" || fail "merge output" "not JSON Lines"

# --- SIGTERM: the run stops, exits 3, says so; the resume completes it
for s in 0 2; do
  "$MC_BIN" $C -r "127.0.0.1:$KNOT_PORT" --shard "$s/4" --resume "$W/t$s.jsonl" \
    --domains-file "$D" > /dev/null 2>&1
done
for s in 1 3; do
  interrupt $s TERM "$W/t$s.jsonl"
  expect_eq "shard $s: SIGTERM exits 3 (no verdict for the rest)" "$run_rc" 3
  tail -1 "$W/t$s.jsonl.err" | grep -q "^mailcheck: [0-9]* domains in .*; shard $s/4: [0-9]* domains of other shards skipped; 0 domains already in .*; interrupted by SIGTERM: the rest not checked$" \
    && pass "shard $s: the summary says it was interrupted" || fail "shard $s: SIGTERM summary" "$(tail -2 "$W/t$s.jsonl.err")"
  grep -q "^mailcheck: stopping: no new domains" "$W/t$s.jsonl.err" && pass "shard $s: the signal is acknowledged" \
    || fail "shard $s: stopping note" "$(cat "$W/t$s.jsonl.err")"
  "$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$W/t$s.jsonl" \
    && pass "shard $s: after SIGTERM every line is whole" || fail "shard $s: lines after SIGTERM" "torn"
  resume $s "$W/t$s.jsonl"
  grep -q "torn last line" "$W/t$s.jsonl.err2" && fail "shard $s: SIGTERM leaves no torn line" "$(cat "$W/t$s.jsonl.err2")" \
    || pass "shard $s: SIGTERM leaves no torn line"
done
check_merge "SIGTERM" "$W/t0.jsonl" "$W/t1.jsonl" "$W/t2.jsonl" "$W/t3.jsonl"

# --- merge: duplicates, conflicts, missing domains
"$MC_BIN" merge "$W/t0.jsonl" "$W/k0.jsonl" > "$W/dup.jsonl" 2> "$W/dup.err"
expect_eq "merge: same-verdict duplicates are kept once" "$(wc -l < "$W/dup.jsonl")" "$(wc -l < "$W/t0.jsonl")"
grep -q "with the same verdict: kept once" "$W/dup.err" && pass "merge: duplicates noted" || fail "merge dup" "$(tail -2 "$W/dup.err")"
"$PY" - "$W/k0.jsonl" "$W/conflict.jsonl" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
d["status"] = "crit" if d["status"] != "crit" else "ok"
open(sys.argv[2], "w").write(json.dumps(d) + "\n")
PY
"$MC_BIN" merge "$W/k0.jsonl" "$W/conflict.jsonl" > /dev/null 2> "$W/conflict.err"
expect_eq "merge: a conflicting duplicate exits 3" "$?" 3
grep -q "conflict.jsonl:1: domain .* repeats .*k0.jsonl:1 with another verdict" "$W/conflict.err" \
  && pass "merge: the conflict names both lines" || fail "merge conflict" "$(cat "$W/conflict.err")"
"$MC_BIN" merge --domains-file "$D" "$W/k0.jsonl" "$W/k1.jsonl" "$W/k2.jsonl" > /dev/null 2> "$W/missing.err"
expect_eq "merge: missing domains exit 3" "$?" 3
expect_eq "merge: every missing domain is listed" "$(grep -c '^mailcheck merge: missing: ' "$W/missing.err")" "$(wc -l < "$W/k3.jsonl")"

# --- usage errors name what is wrong
"$MC_BIN" $C -z "$Z/shard.test.zone" --shard 4/4 --domains-file "$D" > /dev/null 2> "$W/u.err"
expect_eq "--shard 4/4: usage error" "$?" 3
"$MC_BIN" $C -z "$Z/shard.test.zone" --shard auto --domains-file "$D" > /dev/null 2> "$W/u.err"
grep -q "JOB_COMPLETION_INDEX .* or SLURM_ARRAY_TASK_ID .*: neither is set" "$W/u.err" && pass "--shard auto without a scheduler names the variables" || fail "auto" "$(cat "$W/u.err")"
JOB_COMPLETION_INDEX=1 "$MC_BIN" $C -z "$Z/shard.test.zone" --shard auto --shards 4 -f jsonl --domains-file "$D" > "$W/auto.jsonl" 2> /dev/null
"$MC_BIN" $C -z "$Z/shard.test.zone" --shard 1/4 -f jsonl --domains-file "$D" > "$W/one.jsonl" 2> /dev/null
expect_eq "--shard auto with JOB_COMPLETION_INDEX=1 --shards 4 is --shard 1/4" \
  "$("$PY" -c 'import json,sys; print(sorted(json.loads(l)["domain"] for l in open(sys.argv[1])) == sorted(json.loads(l)["domain"] for l in open(sys.argv[2])))' "$W/auto.jsonl" "$W/one.jsonl")" True
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=3 "$MC_BIN" $C -z "$Z/shard.test.zone" --shard auto --shards 4 --domains-file "$D" > /dev/null 2> "$W/u.err"
grep -q "(SLURM_ARRAY_TASK_COUNT)" "$W/u.err" && pass "--shards against SLURM_ARRAY_TASK_COUNT names the variable" || fail "slurm count" "$(cat "$W/u.err")"
"$MC_BIN" $C -z "$Z/shard.test.zone" --resume "$W/x.jsonl" d1.shard.test > /dev/null 2> "$W/u.err"
grep -q "resume needs --domains-file" "$W/u.err" && pass "--resume needs --domains-file" || fail "resume usage" "$(cat "$W/u.err")"
"$MC_BIN" $C -z "$Z/shard.test.zone" --resume "$W/x.jsonl" -f json --domains-file "$D" > /dev/null 2> "$W/u.err"
grep -q "resume writes JSON Lines" "$W/u.err" && pass "--resume refuses another format" || fail "resume format" "$(cat "$W/u.err")"
printf 'not json\n' > "$W/foreign.jsonl"
"$MC_BIN" $C -z "$Z/shard.test.zone" --resume "$W/foreign.jsonl" --domains-file "$D" > /dev/null 2> "$W/u.err"
expect_eq "--resume on a file that is no report: exit 3" "$?" 3
grep -q "foreign.jsonl:1: not a mailcheck report line" "$W/u.err" && pass "--resume names the foreign line" || fail "foreign" "$(cat "$W/u.err")"
expect_eq "--resume leaves a foreign file alone" "$(cat "$W/foreign.jsonl")" "not json"
finish
