#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/resolver_args.sh - a --resolver the engine cannot use is a
# one-line error naming it, exit 3, before any question is asked (no server
# is needed: nothing is sent)
. "$(dirname "$0")/lib.sh"

for spec in foo 127.0.0.1:0 127.0.0.1:65536 127.0.0.1: 127.0.0.1:x53 \
    '[::1' '[::1]x' '[::1]:' '[127.0.0.1]:53' 1.2.3.4.5 '' 'fe80::1%lo'; do
  "$MC_BIN" -f json -t 1 -r "$spec" --checks mx example.test \
    > "$E2E_WORK/out" 2> "$E2E_WORK/err"
  rc=$?
  expect_eq "resolver '$spec': exit 3" "$rc" 3
  expect_eq "resolver '$spec': one line on stderr naming it" \
    "$(wc -l < "$E2E_WORK/err") $(grep -c -F "invalid resolver '$spec'" "$E2E_WORK/err")" "1 1"
  expect_eq "resolver '$spec': no report" "$(wc -c < "$E2E_WORK/out")" 0
done

set -- 
i=0
while [ $i -lt 9 ]; do set -- "$@" -r "127.0.0.1:$((5301 + i))"; i=$((i + 1)); done
"$MC_BIN" -f json -t 1 "$@" --checks mx example.test > "$E2E_WORK/out" 2> "$E2E_WORK/err"
expect_eq "nine resolvers: exit 3" "$?" 3
expect_eq "nine resolvers: one line on stderr" \
  "$(wc -l < "$E2E_WORK/err") $(grep -c 'too many resolvers' "$E2E_WORK/err")" "1 1"
finish
