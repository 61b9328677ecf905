#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/golden.sh - golden outputs of each renderer
#
#   tests/golden.sh BINARY             compare (a test: exit 1 on any difference)
#   tests/golden.sh --update BINARY    regenerate tests/golden/*.{txt,json,nagios}
#
# Every case in tests/golden/cases runs through the zone backend with
# -f text, -f json and -f nagios (or the formats its formats= word names);
# run time (duration_ms, "N ms", the 'time' perfdata) and the version are
# normalised away.  Every JSON file is also validated against
# docs/report.schema.json.  See tests/golden/README.md.
set -u

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
BIN=${1:?usage: golden.sh [--update] PATH-TO-mailcheck}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
SRC=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
GOLDEN=$SRC/tests/golden
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mc-golden.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
PY=/usr/bin/python3

normalise() {
  sed -e 's/"duration_ms": [0-9][0-9]*/"duration_ms": 0/g' \
      -e 's/"duration_ms":[0-9][0-9]*/"duration_ms":0/g' \
      -e 's/"mailcheck_version": "[^"]*"/"mailcheck_version": "0.0.0"/g' \
      -e 's/^\(.*  [A-Z]* *([0-9]* checks*, \)[0-9][0-9]* ms)$/\10 ms)/' \
      -e "s/^| 'time'=[0-9.]*s;/| 'time'=0.000s;/" \
      -e 's|"zone_list": "[^"]*/dnsbl-zones"|"zone_list": "DATADIR/dnsbl-zones"|' \
      -e 's/^\(\[[A-Z]*\] .*\) ([0-9][0-9]* ms)$/\1 (0 ms)/'
}

failed=0
passed=0
cd "$SRC" || exit 1
# run by hand too (--update): the suite's guards, as ctest sets them
export MAILCHECK_RESOLV_CONF="$SRC/tests/no-resolver.conf" MAILCHECK_NET_LOOPBACK_ONLY=1
grep -v '^#' "$GOLDEN/cases" | grep -v '^[[:space:]]*$' > "$WORK/cases"
while read -r name args; do
  formats="text json nagios"
  case $args in
    formats=*)
      formats=$(echo "${args%% *}" | sed 's/^formats=//; s/,/ /g')
      args=${args#* }
      ;;
  esac
  for fmt in $formats; do
    ext=$fmt
    [ "$fmt" = text ] && ext=txt
    out=$WORK/$name.$ext
    # shellcheck disable=SC2086
    "$BIN" -f "$fmt" $args < /dev/null > "$out.raw" 2> "$WORK/$name.$ext.err"
    rc=$?
    # bulk mode (several domains) ends with its summary on stderr; any
    # other line there is a failure
    grep -v '^mailcheck: [0-9]* domains in [0-9.]* s (' \
      "$WORK/$name.$ext.err" > "$WORK/$name.$ext.err2"
    if [ "$rc" -gt 3 ] || [ -s "$WORK/$name.$ext.err2" ]; then
      echo "FAIL $name ($fmt): exit $rc: $(cat "$WORK/$name.$ext.err")"
      failed=$((failed + 1))
      continue
    fi
    normalise < "$out.raw" > "$out"
    if [ $update = 1 ]; then
      cp "$out" "$GOLDEN/$name.$ext"
      echo "updated tests/golden/$name.$ext"
    elif ! [ -f "$GOLDEN/$name.$ext" ]; then
      echo "FAIL $name ($fmt): no tests/golden/$name.$ext (run golden.sh --update)"
      failed=$((failed + 1))
      continue
    elif ! diff -u "$GOLDEN/$name.$ext" "$out"; then
      echo "FAIL $name ($fmt): output differs from tests/golden/$name.$ext"
      failed=$((failed + 1))
      continue
    fi
    passed=$((passed + 1))
  done
done < "$WORK/cases"

# every JSON golden file follows the published schema
if ! "$PY" - "$SRC/docs/report.schema.json" "$GOLDEN"/*.json <<'PYEOF'
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit("cannot import jsonschema (python3-jsonschema): the schema would go unchecked")
with open(sys.argv[1]) as f:
    schema = json.load(f)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema)
bad = 0
for path in sys.argv[2:]:
    with open(path) as f:
        text = f.read()
    dec = json.JSONDecoder()
    pos, n = 0, 0
    while pos < len(text.rstrip()):
        while text[pos].isspace():
            pos += 1
        doc, pos = dec.raw_decode(text, pos)
        n += 1
        for e in v.iter_errors(doc):
            print(f"FAIL schema {path} document {n}: {e.message} at {list(e.absolute_path)}")
            bad += 1
sys.exit(1 if bad else 0)
PYEOF
then
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
