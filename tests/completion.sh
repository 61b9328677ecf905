#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/completion.sh - the bash completion offers exactly the long options
# of `mailcheck --help` (main command), `mailcheck spf --help`,
# `mailcheck verify --help`, `mailcheck dmarc-report --help` and
# `mailcheck merge --help`
set -u
bin=${1:?binary}
src=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
comp=$src/contrib/bash-completion/mailcheck
rc=0
opts() { grep -o -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u; }
# the completion's word lists, by variable
list() { sed -n "/local $1=\"/,/\"/p" "$comp" | opts; }

want_main=$("$bin" --help | sed '/^       mailcheck spf/d; /^       mailcheck verify/,/FILE|-$/d; /^       mailcheck dmarc-report/d; /^       mailcheck merge/d' | opts)
want_spf=$("$bin" spf --help | opts)
want_verify=$("$bin" verify --help | opts)
want_dmarc=$("$bin" dmarc-report --help | opts)
want_merge=$("$bin" merge --help | opts)
for pair in "opts:$want_main" "spf_opts:$want_spf" "verify_opts:$want_verify" "dmarc_report_opts:$want_dmarc" "merge_opts:$want_merge"; do
  var=${pair%%:*}
  want=${pair#*:}
  got=$(list "$var")
  if [ "$got" != "$want" ]; then
    echo "FAIL completion list '$var' differs from --help:"
    printf '%s\n' "$want" > /tmp/mc-comp-want.$$; printf '%s\n' "$got" > /tmp/mc-comp-got.$$
    diff /tmp/mc-comp-want.$$ /tmp/mc-comp-got.$$ | sed 's/^/     /'
    rm -f /tmp/mc-comp-want.$$ /tmp/mc-comp-got.$$
    rc=1
  else
    echo "ok   completion list '$var' matches --help ($(printf '%s\n' "$got" | wc -l) options)"
  fi
done
# the file is valid bash
if bash -n "$comp"; then echo "ok   bash -n"; else echo "FAIL bash -n"; rc=1; fi
# and it completes, with the real bash-completion library
lib=/usr/share/bash-completion/bash_completion
if [ ! -r "$lib" ]; then
  echo "FAIL $lib missing (package bash-completion)"; exit 1
fi
complete_words() {
  # complete_words WORD... : what bash offers for the last word
  bash -c '. "$1"; . "$2"; shift 2
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _mailcheck mailcheck "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' sh "$lib" "$comp" "$@"
}
t() {
  name=$1 want=$2; shift 2
  got=$(complete_words "$@" | sort | tr '\n' ' ')
  if [ "$got" = "$want" ]; then echo "ok   $name"; else echo "FAIL $name: got '$got', want '$want'"; rc=1; fi
}
t "option prefix" "--zone-file " mailcheck --zone
t "formats" "json jsonl " mailcheck -f js
t "subcommands" "check " mailcheck ch
t "spf options" "--sender " mailcheck spf --se
t "dmarc-report options" "--no-dns " mailcheck dmarc-report --no
t "dmarc-report as a subcommand" "dmarc-report " mailcheck dm
t "merge as a subcommand" "merge " mailcheck me
t "merge options" "--domains-file " mailcheck merge --do
t "--shard auto" "auto " mailcheck --shard a
t "check names after a comma" "mx,spf " "$bin" --checks mx,sp
t "metric names for thresholds" "rdns_addresses= rdns_confirmed= rdns_missing= rdns_with_ptr= " "$bin" -c rdns_
t "no completion of a range" " " "$bin" -w spf_lookups=
exit $rc
