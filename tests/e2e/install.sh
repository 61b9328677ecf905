#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/install.sh - cmake --install puts every shipped file in place:
# the binary and its check_mailcheck links (bin/ and the plugin directory),
# both man pages, the data, the completions, and under the doc dir the JSON
# schema, docs/findings.md and docs/checks/.  The installed binary finds its
# data and runs the demo offline.
. "$(dirname "$0")/lib.sh"

BUILD=$(dirname "$MC_BIN")
D="$E2E_WORK/destdir"
# install into DESTDIR (never the real prefix)
DESTDIR="$D" cmake --install "$BUILD" --prefix /opt/mc > "$E2E_WORK/install.log" 2>&1
expect_eq "cmake --install succeeds" "$?" 0
P="$D/opt/mc"
for f in bin/mailcheck share/man/man1/mailcheck.1 share/man/man1/check_mailcheck.1 \
    share/mailcheck/dnsbl-zones share/mailcheck/dkim-selectors \
    share/doc/mailcheck/report.schema.json share/doc/mailcheck/findings.md \
    share/doc/mailcheck/checks/spf.md share/doc/mailcheck/checks/dmarc.md \
    share/bash-completion/completions/mailcheck \
    share/bash-completion/completions/check_mailcheck; do
  if [ -f "$P/$f" ]; then pass "installs $f"; else fail "installs $f" "missing"; fi
done
expect_eq "bin/check_mailcheck links to mailcheck" "$(readlink "$P/bin/check_mailcheck")" mailcheck
expect_eq "the plugin directory's check_mailcheck links to the binary" \
  "$(readlink "$P/lib/nagios/plugins/check_mailcheck")" ../../../bin/mailcheck
expect_eq "the check_mailcheck man page is the main one" \
  "$(cat "$P/share/man/man1/check_mailcheck.1")" ".so man1/mailcheck.1"
# the installed plugin link runs, and finds the installed data
zones=""
for f in "$MC_SOURCE_DIR"/fixtures/demo/*.zone; do zones="$zones -z $f"; done
# shellcheck disable=SC2086
out=$(env -u MAILCHECK_DATADIR "$P/lib/nagios/plugins/check_mailcheck" $zones \
  -H tarnbarford.net --checks dnsbl)
expect_eq "the installed plugin exits 2 on the demo listing" "$?" 2
case $out in
  "MAILCHECK CRITICAL - tarnbarford.net: 144.76.187.44 listed"*) pass "the installed plugin's first line" ;;
  *) fail "the installed plugin's first line" "$out" ;;
esac
finish
