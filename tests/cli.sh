#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/cli.sh - the command line: bad input, exit codes, output, colours
#
# Bad input gives exit code 3 and one line on stderr, "mailcheck: ..." naming
# the problem, and nothing on stdout.  --help, --version and --list-checks
# exit 0; a report that cannot be written does not; colours only on a
# terminal and never with NO_COLOR.  Every run uses --zone-file or a server
# this script started on loopback: nothing else is ever asked.
MC_SOURCE_DIR=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
export MC_SOURCE_DIR
. "$MC_SOURCE_DIR/tests/e2e/lib.sh"

ZONE=$MC_SOURCE_DIR/fixtures/mx/single-host-ok.zone
W=$E2E_WORK

# bad NAME WANT ARGS...: exit 3, one line on stderr containing WANT, no stdout
bad() {
  name=$1 want=$2
  shift 2
  timeout 20 "$MC_BIN" "$@" < /dev/null > "$W/out" 2> "$W/err"
  rc=$?
  lines=$(wc -l < "$W/err")
  if [ "$rc" != 3 ]; then
    fail "$name" "exit $rc, want 3 (stderr: $(head -c 300 "$W/err"))"
  elif [ "$lines" != 1 ]; then
    fail "$name" "$lines lines on stderr, want 1: $(head -c 500 "$W/err")"
  elif ! head -c 30 "$W/err" | grep -q '^mailcheck\( [a-z-]*\)\{0,1\}:'; then
    fail "$name" "stderr does not start with 'mailcheck:' or 'mailcheck CMD:': $(cat "$W/err")"
  elif ! grep -qF -- "$want" "$W/err"; then
    fail "$name" "stderr lacks '$want': $(cat "$W/err")"
  elif [ -s "$W/out" ]; then
    fail "$name" "output on stdout: $(head -c 200 "$W/out")"
  elif LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177-\377]')" "$W/err"; then
    fail "$name" "a byte that is not printable ASCII in the message"
  else
    pass "$name"
  fi
}

# good NAME WANT ARGS...: exit 0, WANT on stdout, nothing on stderr
good() {
  name=$1 want=$2
  shift 2
  timeout 20 "$MC_BIN" "$@" < /dev/null > "$W/out" 2> "$W/err"
  rc=$?
  if [ "$rc" != 0 ]; then
    fail "$name" "exit $rc, want 0 ($(head -c 300 "$W/err"))"
  elif [ -s "$W/err" ]; then
    fail "$name" "stderr: $(head -c 300 "$W/err")"
  elif ! grep -qF -- "$want" "$W/out"; then
    fail "$name" "stdout lacks '$want'"
  else
    pass "$name"
  fi
}

# --- invalid domains
bad "empty label" "'a..example.org' has an empty label" -z "$ZONE" a..example.org
bad "empty first label" "has an empty label" -z "$ZONE" .example.org
bad "two final dots" "has an empty label" -z "$ZONE" example.org..
bad "empty domain" "empty domain name" -z "$ZONE" ""
bad "label over 63 octets" "is longer than 63 octets" -z "$ZONE" \
  "$(printf '%064d' 0).example.org"
bad "name over 253 octets" "domain name is longer than 253 octets" -z "$ZONE" \
  "$(printf '%063d' 0).$(printf '%063d' 0).$(printf '%063d' 0).$(printf '%062d' 0)"
bad "space in a name" "character not allowed in a host name: ' '" -z "$ZONE" "exa mple.org"
bad "at sign (an address, not a domain)" "not allowed in a host name: '@'" -z "$ZONE" user@example.org
bad "slash in a name" "'/'" -z "$ZONE" example.org/x
bad "terminal escape in a name is not echoed" "'a\\027[2Jb.org'" -z "$ZONE" "$(printf 'a\033[2Jb.org')"
bad "invalid UTF-8 is refused with the A-label hint" "is not a valid internationalised domain name" \
  -z "$ZONE" "$(printf 'b\377cher.de')"
good "IDN input is checked as its A-label" '"domain": "xn--bcher-kva.example"' \
  -f json --checks mx -z "$MC_SOURCE_DIR/fixtures/mx/idn-domain.zone" "$(printf 'b\303\274cher.example')"
bad "single label" "'localhost' is a single label" -z "$ZONE" localhost
bad "leading hyphen" "starts with a hyphen" -z "$ZONE" -- -example.org
bad "bad second domain stops the run before any output" "has an empty label" \
  -z "$ZONE" example.org a..b
bad "no domain" "no domain given" -z "$ZONE"

# --- options
bad "unknown long option" "unknown option '--bogus'" --bogus example.org
bad "unknown long option with a value" "unknown option '--bogus=1'" --bogus=1 example.org
bad "unknown short option" "unknown option '-x'" -x example.org
bad "unknown short option in a cluster" "unknown option '-x'" -vx example.org
bad "value given to a flag" "unknown option '--version=2'" --version=2
bad "--format without value" "option '--format' needs a value" --format
bad "-f without value" "option '-f' needs a value" -f
bad "--timeout without value" "option '--timeout' needs a value" --timeout
bad "--checks without value" "option '--checks' needs a value" --checks
bad "--resolver without value" "option '--resolver' needs a value" --resolver
bad "--zone-file without value" "option '--zone-file' needs a value" --zone-file
bad "-z without value" "option '-z' needs a value" -z
bad "unknown check" "unknown check 'bogus' (see --list-checks)" --checks bogus -z "$ZONE" example.org
bad "unknown check after a known one" "unknown check 'bogus'" --checks mx,bogus -z "$ZONE" example.org
bad "empty check list" "invalid check list ''" --checks= -z "$ZONE" example.org
bad "empty name in a check list" "invalid check list 'mx,,mx'" --checks mx,,mx -z "$ZONE" example.org
bad "unknown format" "unknown format 'xml'" --format xml -z "$ZONE" example.org
bad "format in upper case" "unknown format 'JSON'" -f JSON -z "$ZONE" example.org
# the suite's guard (tests/no-resolver.conf): without --resolver or
# --zone-file a run fails at once instead of asking the machine's resolver
MAILCHECK_RESOLV_CONF="$MC_SOURCE_DIR/tests/no-resolver.conf" bad "no resolver under the test guard" \
  "no nameserver in $MC_SOURCE_DIR/tests/no-resolver.conf (use --resolver)" --checks mx example.org
# a plain decimal number: no exponent, hex, sign or blank (strtod takes them)
for t in 0 -1 abc 1s nan inf 1e999 "" 86401 1e-9 1e2 0x10 +5 " 5" . 0.0001 0.0000000001; do
  bad "timeout '$t'" "invalid timeout '$t' (expected seconds, a decimal number from 0.001 to 86400)" \
    --timeout "$t" -z "$ZONE" example.org
done
# spf takes -t through the same parser
for t in 0 1e-9 0x10; do
  bad "spf: timeout '$t'" "invalid timeout '$t' (expected seconds, a decimal number from 0.001 to 86400)" \
    spf --ip 192.0.2.1 --timeout "$t" -z "$ZONE" example.org
done
for t in .5 86400; do
  good "timeout '$t'" '"status"' -f json --checks mx --timeout "$t" -z "$ZONE" example.org
done
"$MC_BIN" -f json --checks mx --timeout 0.001 -z "$ZONE" example.org > "$W/out" 2> "$W/err"
grep -q '"schema_version"' "$W/out" && ! grep -q "invalid timeout" "$W/err" &&
  pass "timeout '0.001' is taken" || fail "timeout '0.001' is taken" "$(cat "$W/err")"
for r in not-an-ip 300.1.1.1 1.2.3.4:99999 1.2.3.4: 1.2.3.4:0 "[::1" "[::1]:0" "[::1]x" ""; do
  bad "resolver '$r'" "invalid resolver '$r'" --resolver "$r" example.org
done
set -- 
i=0
while [ $i -le 64 ]; do set -- "$@" -z "$ZONE"; i=$((i + 1)); done
bad "65 zone files" "too many --zone-file options (at most 64)" "$@" example.org
bad "--overlay without --zone-file" "--overlay needs --zone-file" \
  --overlay example.org

# --- DKIM selectors (RFC 6376 3.1: DNS labels) and the selector list
DZ=$MC_SOURCE_DIR/fixtures/dkim/ok-2048.zone
bad "selector with a final dot" "invalid DKIM selector: 'mail.' ends with a dot" \
  --checks dkim -s mail. -z "$DZ" example.org
bad "selector with an empty label" "invalid DKIM selector: 'a..b' has an empty label" \
  --checks dkim -s a..b -z "$DZ" example.org
bad "empty selector" "invalid DKIM selector: empty selector" --checks dkim -s "" -z "$DZ" example.org
bad "selector with a space" "invalid DKIM selector: 'my key' has a character not allowed" \
  --checks dkim -s "my key" -z "$DZ" example.org
bad "selector label ends with a hyphen" "invalid DKIM selector: a label of 'k1-' ends with a hyphen" \
  --checks dkim -s k1- -z "$DZ" example.org
bad "selector with a terminal escape is not echoed" "'a\\027[2Jb'" \
  --checks dkim -s "$(printf 'a\033[2Jb')" -z "$DZ" example.org
bad "selector label over 63 octets" "is longer than 63 octets" \
  --checks dkim -s "$(printf '%064d' 0)" -z "$DZ" example.org
L60=$(printf '%060d' 0)
bad "selector over 238 octets" "invalid DKIM selector: a selector is at most 238 octets" \
  --checks dkim -s "$L60.$L60.$L60.$(printf '%056d' 0)" -z "$DZ" example.org
set --
i=0
while [ $i -le 64 ]; do set -- "$@" -s "s$i"; i=$((i + 1)); done
bad "65 selectors" "too many --dkim-selector options (at most 64)" \
  --checks dkim "$@" -z "$DZ" example.org
# --bimi-selector: checked by the bimi check's setup, before anything is asked
BZ=$MC_SOURCE_DIR/fixtures/bimi/selectors.zone
bad "bimi selector with an empty label" "invalid --bimi-selector: 'a..b' has an empty label" \
  --checks bimi --bimi-selector a..b -z "$BZ" selectors.example
bad "bimi selector with a final dot" "invalid --bimi-selector: 'brand.' ends with a dot" \
  --checks bimi --bimi-selector brand. -z "$BZ" selectors.example
bad "empty bimi selector" "invalid --bimi-selector: empty selector" \
  --checks bimi --bimi-selector '' -z "$BZ" selectors.example
bad "bimi selector with a terminal escape is not echoed" "invalid --bimi-selector" \
  --checks bimi --bimi-selector "$(printf 'a\033[2Jb')" -z "$BZ" selectors.example
bad "bimi selector label over 63 octets" "is longer than 63 octets" \
  --bimi-selector "$(printf '%064d' 0)" -z "$BZ" selectors.example
bad "8 bimi selectors" "too many --bimi-selector options (at most 7 besides default)" \
  --checks bimi --bimi-selector s1 --bimi-selector s2 --bimi-selector s3 --bimi-selector s4 \
  --bimi-selector s5 --bimi-selector s6 --bimi-selector s7 --bimi-selector s8 -z "$BZ" selectors.example
bad "bimi selector without a value" "option '--bimi-selector' needs a value" \
  -z "$BZ" selectors.example --bimi-selector
# default and repeats (in any case) do not count against the limit
"$MC_BIN" -f json --checks bimi --bimi-selector default --bimi-selector S1 --bimi-selector s1 \
  --bimi-selector s2 --bimi-selector s3 --bimi-selector s4 --bimi-selector s5 --bimi-selector s6 \
  --bimi-selector s7 -z "$BZ" selectors.example > "$W/out" 2> "$W/err"
expect_eq "bimi selectors: default first, each asked once" \
  "$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["checks"][0]["data"]["selectors"]
print(" ".join(s["selector"] for s in d))' "$W/out")" "default s1 s2 s3 s4 s5 s6 s7"
# the same selector in any case, given 70 times, is one selector asked once
set --
i=0
while [ $i -le 69 ]; do set -- "$@" -s "S$((i % 2))"; i=$((i + 1)); done
"$MC_BIN" -f json --checks dkim "$@" -s Mail -s mail -z "$DZ" example.org > "$W/out" 2> "$W/err"
expect_eq "repeated selectors: asked once each, as the user's" \
  "$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["checks"][0]["data"]["selectors"]
print(sorted((s["selector"], s["source"]) for s in d if s["source"] == "user"))' "$W/out")" \
  "[('mail', 'user'), ('s0', 'user'), ('s1', 'user')]"
expect_eq "repeated selectors: nothing on stderr" "$(cat "$W/err")" ""
# the list is read at start, once: missing, unreadable, malformed
mkdir -p "$W/dk-none" "$W/dk-dir/dkim-selectors" "$W/dk-bad" "$W/dk-dup" "$W/dk-many" \
  "$W/dk-long" "$W/dk-empty"
MAILCHECK_DATADIR="$W/dk-none" bad "missing selector list" \
  "cannot find the DKIM selector list 'dkim-selectors' (looked in $W/dk-none)" \
  --checks dkim -z "$DZ" example.org
MAILCHECK_DATADIR="$W/dk-dir" bad "unreadable selector list" \
  "cannot read DKIM selector list '$W/dk-dir/dkim-selectors': Is a directory" \
  --checks dkim -z "$DZ" example.org
printf '# c\ngoogle  Google\nbad..sel  x\n' > "$W/dk-bad/dkim-selectors"
MAILCHECK_DATADIR="$W/dk-bad" bad "malformed selector list: file and line" \
  "$W/dk-bad/dkim-selectors:3: invalid selector: 'bad..sel' has an empty label" \
  --checks dkim -z "$DZ" example.org
printf 'k1\nsel\n\nK1 again\n' > "$W/dk-dup/dkim-selectors"
MAILCHECK_DATADIR="$W/dk-dup" bad "selector listed twice" \
  "$W/dk-dup/dkim-selectors:4: selector 'k1' is listed twice (first on line 1)" \
  --checks dkim -z "$DZ" example.org
i=0
while [ $i -le 128 ]; do echo "s$i"; i=$((i + 1)); done > "$W/dk-many/dkim-selectors"
MAILCHECK_DATADIR="$W/dk-many" bad "129 selectors in the list" \
  "$W/dk-many/dkim-selectors:129: more than 128 selectors" \
  --checks dkim -z "$DZ" example.org
printf 'mail %0600d\n' 0 > "$W/dk-long/dkim-selectors"
MAILCHECK_DATADIR="$W/dk-long" bad "long line in the selector list" \
  "$W/dk-long/dkim-selectors:1: line longer than 512 bytes" \
  --checks dkim -z "$DZ" example.org
MAILCHECK_DATADIR="$W/dk-none" good "no selector list needed without the dkim check" \
  '"status": "ok"' -f json --checks mx -z "$ZONE" example.org
: > "$W/dk-empty/dkim-selectors"
MAILCHECK_DATADIR="$W/dk-empty" "$MC_BIN" -f json --checks dkim -s mail -z "$DZ" example.org > "$W/out" 2> "$W/err"
expect_eq "empty selector list: only the user's selectors" \
  "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["checks"][0]["data"]["tried"])' "$W/out")" 1
MAILCHECK_DATADIR="$W/dk-empty" "$MC_BIN" -f json --checks dkim -z "$DZ" example.org > "$W/out" 2> "$W/err"
expect_eq "empty selector list, no -s: says nothing was tried" \
  "$(python3 -c 'import json, sys; print([f["message"] for f in json.load(open(sys.argv[1]))["checks"][0]["findings"]])' "$W/out")" \
  "['no DKIM selector was tried: the selector list is empty and none was given with --dkim-selector']"

# --- zone files
bad "missing zone file" "cannot read zone file '$W/no-such.zone': No such file or directory" \
  -z "$W/no-such.zone" example.org
mkdir "$W/zonedir"
bad "directory without zone files" "zone directory '$W/zonedir' holds no *.zone file" \
  -z "$W/zonedir" example.org
printf '$ORIGIN example.org.\n@ MX 10 mail\nmail A 300.1.2.3\n' > "$W/bad-record.zone"
bad "malformed record: file and line" "$W/bad-record.zone:3: " -z "$W/bad-record.zone" example.org
printf 'example.org. MX 10 mail.example.org.\n; fine\n;! SERVFAIL\n' > "$W/bad-fault.zone"
bad "malformed fault line: file and line" "$W/bad-fault.zone:3: fault line must read" \
  -z "$W/bad-fault.zone" example.org
bad "bad second zone file" "$W/bad-record.zone:3: " -z "$ZONE" -z "$W/bad-record.zone" example.org
bad "fail-on change without a baseline" "--fail-on change needs --baseline" -z "$ZONE" --fail-on change example.org
bad "connect-to without ports" "invalid --connect-to 'mx.example.org'" -z "$ZONE" --connect-to mx.example.org example.org
bad "connect-to to a name" "must be an IP address" -z "$ZONE" --connect-to mx.example.org:25:localhost:2525 example.org
bad "connect-to port out of range" "invalid --connect-to" -z "$ZONE" --connect-to ::127.0.0.1:70000 example.org
bad "http-root without zone files" "--http-root needs --zone-file" --resolver 127.0.0.1:9 --http-root "$W" example.org
bad "http-root not a directory" "invalid --http-root" -z "$ZONE" --http-root "$ZONE" example.org
bad "smtp-port zero" "invalid --smtp-port '0'" -z "$ZONE" --smtp-port 0 example.org
bad "smtp-addresses unknown" "invalid --smtp-addresses 'some'" -z "$ZONE" --smtp-addresses some example.org
bad "ca-file missing" "cannot read --ca-file '$W/no-such-ca.pem'" -z "$ZONE" --ca-file "$W/no-such-ca.pem" example.org
bad "helo-name invalid" "invalid --helo-name" -z "$ZONE" --helo-name "a..b" example.org

# --- every byte of a message that is not printable ASCII is escaped,
# whatever it quotes (issue 17 item 7); bad() refuses any such byte
E=$(printf '\033')
bad "IP address as a domain" "invalid domain: '127.0.0.1' is an IP address, not a mail domain" \
  -z "$ZONE" 127.0.0.1
bad "IPv6 address as a domain" "'2001:db8::1' is an IP address" -z "$ZONE" 2001:db8::1
bad "spf: IP address as the domain" "invalid domain: '192.0.2.1' is an IP address" \
  spf --ip 192.0.2.1 -z "$ZONE" 192.0.2.1
bad "terminal escape in --checks" "unknown check 'a\027[2Jb'" --checks "a${E}[2Jb" -z "$ZONE" example.org
bad "terminal escape in a -z path" "cannot read zone file '$W/a\027[2Jb.zone'" \
  -z "$W/a${E}[2Jb.zone" example.org
bad "terminal escape in --dnsbl-zone" "'bl\027[2J.example'" --checks dnsbl \
  --dnsbl-zone "bl${E}[2J.example" -z "$ZONE" example.org
printf 'bl%s[2J.example ip\n    listed 127.0.0.2 listed\n' "$E" > "$W/esc-zones.conf"
bad "terminal escape in a --dnsbl-config zone name" "'bl\027[2J.example'" --checks dnsbl \
  --dnsbl-config "$W/esc-zones.conf" -z "$ZONE" example.org
bad "C1 control (0x9b) in --checks" "unknown check 'a\155" --checks "$(printf 'a\2332Jb')" \
  -z "$ZONE" example.org
bad "invalid UTF-8 in an option value" "'b\255r'" -f "$(printf 'b\377r')" -z "$ZONE" example.org
# a domains-file line with invalid UTF-8: reported escaped, skipped
printf 'ex\23331m\377.org\nexample.org\n' > "$W/utf8-domains"
timeout 20 "$MC_BIN" -f jsonl --checks mx -z "$ZONE" --domains-file "$W/utf8-domains" > "$W/out" 2> "$W/err"
expect_eq "domains file, invalid UTF-8 line: one report" "$(wc -l < "$W/out")" 1
grep -qF 'ex\15531m\255.org' "$W/err" && pass "domains file, invalid UTF-8 line: named escaped" ||
  fail "domains file, invalid UTF-8 line: named escaped" "$(od -c "$W/err" | head -5)"
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177-\377]')" "$W/err" &&
  fail "domains file, invalid UTF-8 line: stderr is printable ASCII" "$(od -c "$W/err" | head -5)" ||
  pass "domains file, invalid UTF-8 line: stderr is printable ASCII"

# --- the command table: merge is a command, not a domain
bad "merge: unknown option" "mailcheck merge: unknown option '-z' (see 'mailcheck merge --help')" \
  merge -z "$ZONE" example.org
bad "merge: no file" "no output file given" merge
bad "verify: unknown option" "mailcheck verify: unknown option '--bogus' (see 'mailcheck verify --help')" \
  verify --bogus
bad "verify: no message" "no message given" verify -z "$ZONE"
bad "verify: two messages" "more than one message given" verify -z "$ZONE" a b
bad "verify: file not found" "cannot open '$W/none.eml'" verify -z "$ZONE" "$W/none.eml"
bad "verify: --helo needs --ip" "--helo and --mail-from need --ip" verify --helo x -z "$ZONE" -
bad "verify: bad --max-size" "invalid size '10k'" verify --max-size 10k -z "$ZONE" -
good "'check' is the default command" '"status": "ok"' check -f json --checks mx -z "$ZONE" example.org
bad "dmarc-report: unknown option" \
  "mailcheck dmarc-report: unknown option '--bogus' (see 'mailcheck dmarc-report --help')" \
  dmarc-report --bogus
bad "dmarc-report: no file" "no report file given" dmarc-report --no-dns
bad "dmarc-report: unknown format" "unknown format 'xml'" dmarc-report -f xml x.xml
bad "spf: unknown option" "mailcheck spf: unknown option '--bogus' (see 'mailcheck spf --help')" \
  spf --bogus
bad "spf: -z without value" "option '-z' needs a value" spf --ip 192.0.2.1 -z
bad "spf: --overlay without --zone-file" "--overlay needs --zone-file" \
  spf --ip 192.0.2.1 --overlay example.org
set --
i=0
while [ $i -le 64 ]; do set -- "$@" -z "$ZONE"; i=$((i + 1)); done
bad "spf: 65 zone files" "too many --zone-file options (at most 64)" spf --ip 192.0.2.1 "$@" example.org

# --- what exits 0
good "--help" "usage: mailcheck" --help
good "-h" "usage: mailcheck" -h
good "--version" "mailcheck " --version
good "-V" "mailcheck " -V
good "--list-checks" "mx " --list-checks
good "a healthy domain exits 0" '"status": "ok"' -z "$ZONE" --checks mx example.org
expect_eq "--version prints one line" "$("$MC_BIN" --version | wc -l)" 1
"$MC_BIN" --version | grep -Eq '^mailcheck [0-9]+\.[0-9]+\.[0-9]+$' &&
  pass "--version format" || fail "--version format" "$("$MC_BIN" --version)"

# --- a report that cannot be written is not a success
if [ -w /dev/full ]; then
  for f in json text jsonl; do
    timeout 20 "$MC_BIN" -f $f -z "$ZONE" example.org > /dev/full 2> "$W/err"
    rc=$?
    if [ "$rc" = 0 ]; then
      fail "write error with -f $f" "exit 0"
    elif ! grep -q "cannot write" "$W/err"; then
      fail "write error with -f $f" "stderr: $(cat "$W/err")"
    else
      pass "write error with -f $f exits $rc"
    fi
  done
  timeout 20 "$MC_BIN" --version > /dev/full 2> /dev/null
  rc=$?
  [ "$rc" != 0 ] && pass "--version to /dev/full exits $rc" || fail "--version to /dev/full" "exit 0"
  timeout 20 "$MC_BIN" --help > /dev/full 2> /dev/null
  rc=$?
  [ "$rc" != 0 ] && pass "--help to /dev/full exits $rc" || fail "--help to /dev/full" "exit 0"
else
  fail "write error" "/dev/full is not writable here"
fi

# --- a resolver that does not answer: unknown, within --timeout
PORT=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(30)' "$PORT" &
E2E_PIDS="$E2E_PIDS $!"
sleep 0.2
# (bounded: a run that ignored -t 1.5 would wait for a question's own
# budget, 5 s, or the server's 30 s; the bound is 3 s plus start-up)
bounded 1.5 "$MC_BIN" -f json --timeout 1.5 --resolver "127.0.0.1:$PORT" --checks mx example.org > "$W/out" 2> "$W/err"
expect_eq "silent resolver: exit 3" "$rc" 3
grep -q '"code": "dns.tempfail"' "$W/out" && pass "silent resolver: dns.tempfail" ||
  fail "silent resolver: dns.tempfail" "$(head -c 300 "$W/out")"
expect_bounded "silent resolver: done within 2 x --timeout 1.5"
# eight names, two at a time: --timeout still bounds the whole run
bounded 1.5 "$MC_BIN" -f jsonl --timeout 1.5 --parallel 2 --resolver "127.0.0.1:$PORT" --checks mx \
  a.example.org b.example.org c.example.org d.example.org e.example.org \
  f.example.org g.example.org h.example.org > "$W/out" 2> "$W/err"
expect_eq "silent resolver, eight names: exit 3" "$rc" 3
expect_eq "silent resolver, eight names: eight reports" "$(wc -l < "$W/out")" 8
expect_bounded "silent resolver, eight names: the whole run within 2 x --timeout 1.5"

# spf shares the DNS options: its query timeout is clamped to -t as well
bounded 1.5 "$MC_BIN" spf -f json --timeout 1.5 --resolver "127.0.0.1:$PORT" --ip 192.0.2.1 \
  example.org > "$W/out" 2> "$W/err"
grep -q '"result": "temperror"' "$W/out" && pass "spf, silent resolver: temperror" ||
  fail "spf, silent resolver: temperror" "$(head -c 300 "$W/out") $(cat "$W/err")"
expect_bounded "spf, silent resolver: done within 2 x --timeout 1.5"

# --- colours: only on a terminal, never with NO_COLOR
ESC=$(printf '\033')
if command -v script > /dev/null; then
  # script(1) runs the binary on a pseudo-terminal; q quotes for its -c
  q() { printf "'%s' " "$@"; }
  env -u NO_COLOR sh -c "$(q script -qec "$(q "$MC_BIN" -z "$ZONE" --checks mx example.org)" /dev/null) > '$W/tty' 2>&1 < /dev/null"
  if grep -q "$ESC\[" "$W/tty" && grep -q "example.org" "$W/tty" && ! grep -q '"schema_version"' "$W/tty"; then
    pass "terminal: text with colours by default"
  else
    fail "terminal: text with colours by default" "$(head -c 300 "$W/tty" | od -c | head -5)"
  fi
  NO_COLOR=1 sh -c "$(q script -qec "$(q "$MC_BIN" -z "$ZONE" --checks mx example.org)" /dev/null) > '$W/tty' 2>&1 < /dev/null"
  if ! grep -q "$ESC" "$W/tty" && grep -q "OK      mx" "$W/tty"; then
    pass "terminal with NO_COLOR=1: text without colours"
  else
    fail "terminal with NO_COLOR=1" "$(head -c 300 "$W/tty" | od -c | head -5)"
  fi
  NO_COLOR=1 sh -c "$(q script -qec "$(q "$MC_BIN" -f text -z "$ZONE" --checks mx example.org)" /dev/null) > '$W/tty' 2>&1 < /dev/null"
  ! grep -q "$ESC" "$W/tty" && pass "terminal with NO_COLOR=1 and -f text: no colours" ||
    fail "terminal, NO_COLOR=1, -f text" "colours"
  env -u NO_COLOR sh -c "$(q script -qec "$(q "$MC_BIN" -f json -z "$ZONE" --checks mx example.org)" /dev/null) > '$W/tty' 2>&1 < /dev/null"
  ! grep -q "$ESC" "$W/tty" && grep -q '"schema_version"' "$W/tty" &&
    pass "terminal with -f json: JSON, no colours" || fail "terminal with -f json" "$(head -c 200 "$W/tty")"
else
  fail "colours" "script(1) is missing (package bsdutils)"
fi
env -u NO_COLOR "$MC_BIN" -f text -z "$ZONE" --checks mx example.org > "$W/out" 2>&1
! grep -q "$ESC" "$W/out" && grep -q "OK      mx" "$W/out" &&
  pass "pipe with -f text: no colours" || fail "pipe with -f text" "colours"
env -u NO_COLOR "$MC_BIN" -z "$ZONE" --checks mx example.org > "$W/out" 2>&1
grep -q '"schema_version": 1' "$W/out" && pass "pipe: JSON by default" || fail "pipe: JSON by default" "$(head -c 200 "$W/out")"

finish
