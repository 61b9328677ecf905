#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/baseline.sh - CI mode: --baseline changes in JSON and text,
# --fail-on warn|crit|change, pre-deploy checks of zone files, bad baselines
. "$(dirname "$0")/lib.sh"

W=$E2E_WORK
cat > "$W/before.zone" <<'ZONE'
$ORIGIN example.org.
@    MX 10 mx1
mx1  A  93.184.216.34
ZONE
cat > "$W/after.zone" <<'ZONE'
$ORIGIN example.org.
@    MX 10 mx1
@    MX 20 mx2
mx1  A  93.184.216.99
mx2  CNAME mx1
ZONE
schema() {
  /usr/bin/python3 - "$MC_SOURCE_DIR/docs/report.schema.json" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
for line in open(sys.argv[2]).read().split("\n\n"):
    pass
text = open(sys.argv[2]).read()
dec, i, docs = json.JSONDecoder(), 0, []
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i == len(text): break
    d, i = dec.raw_decode(text, i); docs.append(d)
for d in docs:
    jsonschema.validate(d, schema)
PY
}

"$MC_BIN" --checks mx -z "$W/before.zone" -f json example.org > "$W/base.json"
expect_eq "baseline run exits 0" "$?" 0

"$MC_BIN" --checks mx -z "$W/after.zone" -f json --baseline "$W/base.json" example.org > "$W/now.json"
expect_eq "a new warning exits 1 by default" "$?" 1
python3 - "$W/now.json" <<'PY' && pass "changes array lists what changed" || fail "changes" "$(cat "$W/now.json")"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = {(c["kind"], c.get("code"), c.get("key")) for c in d["changes"]}
assert ("status", None, None) in kinds, kinds
assert ("finding-new", "mx.target-cname", None) in kinds, kinds
assert ("data-changed", None, "hosts") in kinds, kinds
assert ("metric-changed", None, "hosts") in kinds, kinds
st = [c for c in d["changes"] if c["kind"] == "status"][0]
assert (st["before"], st["after"]) == ("ok", "warn"), st
PY
schema "$W/now.json" && pass "document with changes validates" || fail "schema" "see above"

"$MC_BIN" --checks mx -z "$W/after.zone" -f json --fail-on crit --baseline "$W/base.json" example.org > /dev/null
expect_eq "--fail-on crit: a warning alone exits 0" "$?" 0
"$MC_BIN" --checks mx -z "$W/after.zone" -f json --fail-on crit,change --baseline "$W/base.json" example.org > /dev/null
expect_eq "--fail-on crit,change: a change exits 1" "$?" 1
"$MC_BIN" --checks mx -z "$W/before.zone" -f json --fail-on crit,change --baseline "$W/base.json" example.org > "$W/same.json"
expect_eq "--fail-on change without a change exits 0" "$?" 0
expect_eq "no change: empty changes array" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["changes"])' "$W/same.json")" "[]"

# resolved findings, in text
"$MC_BIN" --checks mx -z "$W/after.zone" -f json example.org > "$W/base2.json"
"$MC_BIN" --checks mx -z "$W/before.zone" -f text --baseline "$W/base2.json" example.org > "$W/out.txt"
expect_eq "text: back to ok exits 0" "$?" 0
grep -q "^  resolved mx mx.target-cname at mx2.example.org: " "$W/out.txt" && pass "text lists a resolved finding" || fail "text resolved" "$(cat "$W/out.txt")"
grep -qF '  changed  mx data hosts[0].addresses: removed "93.184.216.99"' "$W/out.txt" && pass "text lists changed data leaf by leaf" || fail "text data" "$(cat "$W/out.txt")"
grep -qF '  changed  mx data hosts[1]: removed {"preference":20,' "$W/out.txt" && pass "text lists a removed host" || fail "text removed host" "$(cat "$W/out.txt")"
grep -q "^Changes since the baseline (.*, 0 for the worse):" "$W/out.txt" && pass "text: an improvement is not for the worse" || fail "text worse count" "$(cat "$W/out.txt")"

# --fail-on change fails only on changes for the worse
"$MC_BIN" --checks mx -z "$W/before.zone" -f json --fail-on crit,change --baseline "$W/base2.json" example.org > "$W/better.json"
expect_eq "--fail-on change: an improvement exits 0" "$?" 0
python3 - "$W/better.json" <<'PY' && pass "improvements are listed, none worse" || fail "improvements listed" "$(cat "$W/better.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["changes"], d
assert all(c["worse"] is False for c in d["changes"]), d["changes"]
assert any(c["kind"] == "finding-resolved" for c in d["changes"]), d["changes"]
PY
schema "$W/better.json" && pass "improvements validate" || fail "schema improvements" "see above"

# a long record edited in the middle: the text shows the part that differs
long="v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 ip4:192.0.2.3 ip4:192.0.2.4 include:_spf.a.example"
printf '$ORIGIN example.org.\n@ TXT "%s ~all"\n' "$long" > "$W/spf1.zone"
printf '$ORIGIN example.org.\n@ TXT "%s -all"\n' "$long" > "$W/spf2.zone"
"$MC_BIN" --checks spf -z "$W/spf1.zone" -f json example.org > "$W/spf1.json"
"$MC_BIN" --checks spf -z "$W/spf2.zone" -f text --baseline "$W/spf1.json" example.org > "$W/spf.txt"
grep -qE '^  changed  spf data record: "\.\.\.[^"]{8,40} ~all" -> "\.\.\.[^"]{8,40} -all"$' "$W/spf.txt" \
  && pass "text: a long record shows the edit, not a shared prefix" || fail "long record diff" "$(cat "$W/spf.txt")"

# a finding whose severity rose is a change for the worse
printf '$ORIGIN example.org.\n@ MX 10 mx1\n@ MX 20 mx2\nmx1 A 93.184.216.34\nmx2 A 93.184.216.35\n' > "$W/two.zone"
"$MC_BIN" --checks mx -z "$W/two.zone" -f json example.org > "$W/two.json"
"$MC_BIN" --checks mx -z "$W/two.zone" -f json -w mx_hosts=3: --fail-on crit,change --baseline "$W/two.json" example.org > "$W/rose.json"
python3 - "$W/rose.json" <<'PY' && pass "a threshold made worse shows as status for the worse" || fail "status worse" "$(cat "$W/rose.json")"
import json, sys
d = json.load(open(sys.argv[1]))
st = [c for c in d["changes"] if c["kind"] == "status"]
assert st and st[0]["worse"] is True, d["changes"]
PY

# a JSON Lines baseline from bulk mode, matched by domain
"$MC_BIN" --checks mx -z "$W/before.zone" -f jsonl --baseline "$W/base.json" example.org mx1.example.org > "$W/bulk.jsonl" 2>/dev/null
"$MC_BIN" --checks mx -z "$W/before.zone" -f jsonl --fail-on crit,change --baseline "$W/bulk.jsonl" mx1.example.org example.org > "$W/bulk2.jsonl" 2>/dev/null
expect_eq "JSON Lines baseline: nothing changed" "$?" 0
expect_eq "bulk: no domain-new against its own output" "$(grep -c domain-new "$W/bulk2.jsonl")" 0
expect_eq "bulk: a domain missing from the baseline is new" "$(grep -c domain-new "$W/bulk.jsonl")" 1

# bad baselines: clear error naming the file, exit 3, no output
printf '{"schema_version": 2, "domain": "example.org", "checks": []}\n' > "$W/v2.json"
printf '{"schema_version": 1, "domain": "example.org", "checks": [' > "$W/cut.json"
printf '\000\001binary' > "$W/bin.json"
for b in "$W/missing.json:cannot read baseline" "$W/v2.json:not a mailcheck report of schema version 1" \
         "$W/cut.json:cannot parse baseline" "$W/bin.json:cannot parse baseline"; do
  f=${b%%:*} msg=${b#*:}
  "$MC_BIN" --checks mx -z "$W/before.zone" -f json --baseline "$f" example.org > "$W/out" 2> "$W/err"
  rc=$?
  expect_eq "bad baseline $(basename "$f"): exit 3" "$rc" 3
  grep -q "$msg.*$(basename "$f")\|$(basename "$f").*$msg\|$msg" "$W/err" && grep -q "$(basename "$f")" "$W/err" && [ ! -s "$W/out" ] \
    && pass "bad baseline $(basename "$f"): explained" || fail "bad baseline $(basename "$f")" "$(cat "$W/err")"
done
"$MC_BIN" --checks mx -z "$W/before.zone" --fail-on sometimes example.org > /dev/null 2>&1
expect_eq "bad --fail-on: exit 3" "$?" 3
finish
