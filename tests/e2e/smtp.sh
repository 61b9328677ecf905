#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/smtp.sh - the smtp and dane checks against scripted SMTP servers
#
# A test CA and certificates are made with openssl (tests/tools/
# smtp_certs.sh), TLSA records are computed from them into a zone file, and
# tests/tools/smtp_server.py serves one scripted behaviour per MX host on
# 127.0.0.1; --connect-to maps each host's port 25 to its listener.  Every
# finding code of both checks that a server can cause is asserted here by
# name (tests/fixture_coverage.py reads them from the expect_finding lines).
# MAILCHECK_NET_LOOPBACK_ONLY=1: nothing leaves loopback.
. "$(dirname "$0")/lib.sh"
MAILCHECK_NET_LOOPBACK_ONLY=1
export MAILCHECK_NET_LOOPBACK_ONLY

C="$E2E_WORK/certs"
"$MC_SOURCE_DIR/tests/tools/smtp_certs.sh" "$C" || { echo "cannot make certificates"; exit 1; }

# name:behaviour:cert, the MX host being NAME.mx.test
SPECS="good:ok:good nostarttls:nostarttls:- starttls454:starttls454:-
ehlo550:ehlo550:- tlsfail:tlsfail:good greet554:greet554:- hugegreet:hugegreet:-
silent:silent:- junk:junk:- barelf:barelf:good endless:endless:- close:close:-
othername:othername:good tls10:tls10:good mismatch:ok:mismatch
selfsigned:ok:selfsigned expired:ok:expired expiring:ok:expiring weak:ok:weak
longchain:ok:longchain backlog:backlog:- dane-ee:ok:good dane-ta:ok:good
dane-mismatch:ok:good dane-notls:nostarttls:- dane-expired:ok:expired
dane-selfsigned:ok:selfsigned dane-silent:silent:- dane-ta-name:ok:mismatch
inject:inject:good"
args=""
for s in $SPECS; do
  args="$args ${s%%:*}.mx.test:${s#*:}"
done
SLOG="$E2E_WORK/smtp.log"
# shellcheck disable=SC2086
/usr/bin/python3 "$MC_SOURCE_DIR/tests/tools/smtp_server.py" --dir "$C" \
  --lifetime 280 --log "$E2E_WORK/connects.log" $args > "$SLOG" 2>&1 &
E2E_PIDS="$E2E_PIDS $!"
i=0
until grep -q '^ready' "$SLOG" 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 500 ] || { echo "smtp_server.py did not start"; cat "$SLOG"; exit 1; }
  sleep 0.02
done

CONNECT=""
ZONE="$E2E_WORK/mx.test.zone"
{
  printf '$ORIGIN test.\n$TTL 300\n'
  for s in $SPECS; do
    n=${s%%:*}
    port=$(awk -v h="$n.mx.test" '$1 == h { print $2 }' "$SLOG")
    CONNECT="$CONNECT --connect-to $n.mx.test:25:127.0.0.1:$port"
    printf '%s MX 10 %s.mx.test.\n%s.mx A 127.0.0.1\n' "$n" "$n" "$n"
  done
  # a host nothing listens for: its port is closed
  printf 'refused MX 10 refused.mx.test.\nrefused.mx A 127.0.0.1\n'
  printf 'guarded MX 10 guarded.mx.test.\nguarded.mx A 127.0.0.1\n'
  printf 'offline MX 10 offline.mx.test.\noffline.mx A 127.0.0.1\n'
  # MTA-STS: the self-signed host under an enforce and a testing policy
  for m in enforce testing; do
    printf 'sts-%s MX 10 selfsigned.mx.test.\n' "$m"
    printf '_mta-sts.sts-%s TXT "v=STSv1; id=1"\n' "$m"
    mkdir -p "$E2E_WORK/sts-root/mta-sts.sts-$m.test/.well-known"
    printf 'version: STSv1\nmode: %s\nmx: *.mx.test\nmax_age: 86400\n' "$m" \
      > "$E2E_WORK/sts-root/mta-sts.sts-$m.test/.well-known/mta-sts.txt"
  done
  printf '_25._tcp.dane-ee.mx TLSA 3 1 1 %s\n' "$(cat "$C/good.spki.sha256")"
  printf '_25._tcp.dane-ee.mx TLSA 3 1 1 %s\n' "$(cat "$C/expiring.spki.sha256")"
  printf '_25._tcp.dane-ta.mx TLSA 2 1 1 %s\n' "$(cat "$C/ca.spki.sha256")"
  printf '_25._tcp.dane-ta-name.mx TLSA 2 1 1 %s\n' "$(cat "$C/ca.spki.sha256")"
  printf '_25._tcp.dane-mismatch.mx TLSA 3 1 1 %s\n' "$(cat "$C/mismatch.spki.sha256")"
  printf '_25._tcp.dane-notls.mx TLSA 3 1 1 %s\n' "$(cat "$C/good.spki.sha256")"
  printf '_25._tcp.dane-expired.mx TLSA 3 1 1 %s\n' "$(cat "$C/expired.spki.sha256")"
  printf '_25._tcp.dane-selfsigned.mx TLSA 3 1 1 %s\n' "$(cat "$C/selfsigned.spki.sha256")"
  printf '_25._tcp.dane-silent.mx TLSA 3 1 1 %s\n' "$(cat "$C/good.spki.sha256")"
} > "$ZONE"
CLOSED=$(free_port)
CONNECT="$CONNECT --connect-to refused.mx.test:25:127.0.0.1:$CLOSED"
# a non-loopback address: the guard refuses it before any packet is sent
CONNECT="$CONNECT --connect-to guarded.mx.test:25:192.0.2.1:25"

# run DOMAIN [ARGS...]: both checks, JSON in $E2E_WORK/DOMAIN.json
run() {
  d=$1
  shift
  ca="--ca-file $C/ca.pem"
  dom=$d
  if [ "$d" = nocafile ]; then ca="" dom=good; fi
  # shellcheck disable=SC2086
  "$MC_BIN" -z "$ZONE" --checks smtp,dane $ca -t 10 \
    -f json $CONNECT "$@" "$dom.test" > "$E2E_WORK/$d.json" 2> "$E2E_WORK/$d.err"
  echo $? > "$E2E_WORK/$d.rc"
}

# flatten every run's JSON once (one Python start, not one per assertion):
# DOMAIN.flat holds "finding CODE SEVERITY" lines and "CHECK/PATH VALUE"
# lines for every metric and data leaf (PATH as a JSON pointer)
flatten() {
  /usr/bin/python3 - "$E2E_WORK" "$@" <<'PY'
import json, os, sys
import jsonschema
work = sys.argv[1]
schema = json.load(open(os.path.join(os.environ["MC_SOURCE_DIR"], "docs", "report.schema.json")))
validator = jsonschema.validators.validator_for(schema)(schema)
def walk(prefix, v, out):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(prefix + "/" + str(k), x, out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(prefix + "/" + str(i), x, out)
    else:
        out.append(prefix + " " + (json.dumps(v) if not isinstance(v, str) else v))
for d in sys.argv[2:]:
    out = []
    try:
        doc = json.load(open(f"{work}/{d}.json"))
    except Exception as e:
        out.append(f"unparsable {e}")
        doc = {"checks": []}
    for e in validator.iter_errors(doc):
        out.append("schema-error " + e.message[:200])
    for c in doc["checks"]:
        out.append(c["name"] + "/status " + c["status"])
        for f in c["findings"]:
            out.append("finding " + f["code"] + " " + f["severity"])
            out.append("message " + f["message"])
        walk(c["name"] + "/metrics", c["metrics"], out)
        walk(c["name"] + "/data", c["data"], out)
    with open(f"{work}/{d}.flat", "w") as f:
        f.write("\n".join(out) + "\n")
PY
}

findings() { sed -n 's/^finding //p' "$E2E_WORK/$1.flat"; }

# expect_finding DOMAIN CODE SEVERITY
expect_finding() {
  if grep -qx "finding $2 $3" "$E2E_WORK/$1.flat"; then
    pass "$1: $2 $3"
  else
    fail "$1: $2 $3" "findings: $(findings "$1" | tr '\n' ',')"
  fi
}
no_finding() {
  if grep -q "^finding $2 " "$E2E_WORK/$1.flat"; then
    fail "$1: no $2" "findings: $(findings "$1" | tr '\n' ',')"
  else
    pass "$1: no $2"
  fi
}
# value DOMAIN CHECK/PATH: one metric or data leaf ("" if absent)
value() { awk -v k="$2" '$1 == k { sub(/^[^ ]* /, ""); print; exit }' "$E2E_WORK/$1.flat"; }
metric() { value "$1" "$2/metrics/$3"; }
message_has() {
  if grep "^message " "$E2E_WORK/$1.flat" | grep -q "$2"; then
    pass "$1: a message says '$2'"
  else
    fail "$1: a message says '$2'" "$(grep '^message ' "$E2E_WORK/$1.flat")"
  fi
}

runs=""
for d in good nostarttls starttls454 ehlo550 tlsfail greet554 hugegreet junk \
    barelf endless close othername tls10 mismatch selfsigned expired expiring \
    weak longchain refused guarded offline dane-ee dane-ta dane-mismatch \
    dane-notls dane-expired dane-selfsigned dane-ta-name inject; do
  run "$d" &
  runs="$runs $!"
done
run silent -t 3 &
runs="$runs $!"
run dane-silent -t 3 &
runs="$runs $!"
run backlog -t 3 &
runs="$runs $!"
# not a bare wait: that would wait for the server too
# shellcheck disable=SC2086
wait $runs
run nocafile
run sts-enforce --http-root "$E2E_WORK/sts-root"
run sts-testing --http-root "$E2E_WORK/sts-root"
# shellcheck disable=SC2086
"$MC_BIN" -z "$ZONE" --checks smtp -f text $CONNECT junk.test > "$E2E_WORK/junk.txt" 2>&1
flatten good nostarttls starttls454 ehlo550 tlsfail greet554 hugegreet junk \
  barelf endless close othername tls10 mismatch selfsigned expired expiring \
  weak longchain refused guarded offline dane-ee dane-ta dane-mismatch \
  dane-notls dane-expired dane-selfsigned dane-ta-name silent dane-silent \
  backlog nocafile inject sts-enforce sts-testing

if cat "$E2E_WORK"/*.flat | grep -q '^schema-error\|^unparsable'; then
  fail "every report valid against docs/report.schema.json" "$(grep -h '^schema-error\|^unparsable' "$E2E_WORK"/*.flat | head -3)"
else
  pass "every report valid against docs/report.schema.json"
fi

# a good server: TLS, verified chain, the wildcard name matches
expect_eq "good: exit" "$(cat "$E2E_WORK/good.rc")" 0
expect_eq "good: smtp ok" "$(value good smtp/status)" ok
expect_eq "good: tls_hosts" "$(metric good smtp tls_hosts)" 1
expect_eq "good: starttls_missing" "$(metric good smtp starttls_missing)" 0
expect_le "good: cert_days_left about a year" 360 "$(metric good smtp cert_days_left)"
expect_eq "good: chain verified" "$(value good smtp/data/hosts/0/addresses/0/chain_verified)" true
expect_eq "good: STARTTLS recorded" "$(value good smtp/data/hosts/0/addresses/0/extensions/3)" STARTTLS
expect_eq "good: TLS 1.3" "$(value good smtp/data/hosts/0/addresses/0/tls_version)" TLSv1.3
expect_finding good dane.none info
expect_finding nocafile smtp.cert-untrusted warn
expect_eq "nocafile: nothing else" "$(findings nocafile | grep -c '^smtp')" 1

# the dialogue
# no STARTTLS on an MX host is critical (issue 11), even without MTA-STS
# or DANE: senders that require TLS bounce its mail (exit 2)
expect_finding nostarttls smtp.no-starttls crit
message_has nostarttls "senders that require TLS refuse it"
expect_eq "nostarttls: starttls_missing" "$(metric nostarttls smtp starttls_missing)" 1
expect_eq "nostarttls: exit" "$(cat "$E2E_WORK/nostarttls.rc")" 2
expect_finding starttls454 smtp.starttls-rejected crit
expect_finding ehlo550 smtp.ehlo-rejected warn
expect_finding tlsfail smtp.tls-failed crit
expect_finding greet554 smtp.greeting-rejected warn
expect_finding close smtp.closed unknown
expect_finding othername smtp.greeting-name info
no_finding good smtp.greeting-name
expect_finding barelf smtp.bare-lf warn
expect_eq "barelf: TLS still completes" "$(metric barelf smtp tls_hosts)" 1

# hostile servers: findings, never a crash, never a hang
expect_finding hugegreet smtp.reply-oversize warn
expect_finding endless smtp.reply-oversize warn
expect_finding junk smtp.reply-malformed warn
expect_finding inject smtp.reply-malformed warn
message_has inject "data after its reply to STARTTLS"
expect_finding silent smtp.timeout unknown
expect_eq "silent: the run ends by its deadline (exit 3)" "$(cat "$E2E_WORK/silent.rc")" 3
no_finding silent check.timeout
expect_finding longchain smtp.chain-long warn
expect_eq "longchain: the whole chain counted" "$(value longchain smtp/data/hosts/0/addresses/0/chain_length)" 101

# connections that cannot be made are unknown, never "no TLS"
expect_finding refused smtp.connect-refused unknown
expect_finding backlog smtp.connect-timeout unknown
expect_finding guarded smtp.connect-failed unknown
message_has guarded MAILCHECK_NET_LOOPBACK_ONLY
expect_finding offline smtp.skipped-offline info

# TLS version and certificates, under the opportunistic rule (no DANE, no
# MTA-STS): PKIX failures are warnings and say so
if [ "$(value tls10 smtp/data/hosts/0/addresses/0/result)" = tls-ok ]; then
  expect_finding tls10 smtp.tls-old warn
else
  echo "skip tls10: the local OpenSSL cannot serve TLS 1.0 ($(value tls10 smtp/data/hosts/0/addresses/0/result))"
fi
expect_finding mismatch smtp.cert-name-mismatch warn
expect_finding selfsigned smtp.cert-untrusted warn
message_has selfsigned "opportunistic TLS (RFC 7435)"
# the same host under the domain's MTA-STS policy (--http-root serves it)
expect_finding sts-enforce smtp.cert-untrusted crit
message_has sts-enforce "MTA-STS policy is in enforce mode"
expect_finding sts-testing smtp.cert-untrusted warn
message_has sts-testing "opportunistic TLS (RFC 7435)"
message_has dane-selfsigned "DANE senders go by the TLSA match"
message_has dane-expired "DANE senders ignore its dates"
# expiry is the exception to the opportunistic rule: crit (issue 11)
expect_finding expired smtp.cert-expired crit
message_has expired "every sender that checks certificates refuses it"
expect_finding expiring smtp.cert-expiring warn
expect_le "expiring: cert_days_left" "$(metric expiring smtp cert_days_left)" 5
expect_finding weak smtp.cert-key-weak warn

# DANE: matches, mismatches, the DANE rule for PKIX and dates
expect_eq "dane-ee: tlsa_hosts" "$(metric dane-ee dane tlsa_hosts)" 1
expect_eq "dane-ee: tlsa_mismatch" "$(metric dane-ee dane tlsa_mismatch)" 0
expect_eq "dane-ee: matched" "$(value dane-ee dane/data/hosts/0/addresses/0/result)" match
expect_finding dane-ee dane.dnssec-unverified info
no_finding dane-ee dane.single-record
expect_eq "dane-ta: matched at depth 1" "$(value dane-ta dane/data/hosts/0/addresses/0/matched/depth)" 1
expect_finding dane-ta dane.single-record info
expect_finding dane-ta-name dane.mismatch crit
expect_finding dane-mismatch dane.mismatch crit
expect_eq "dane-mismatch: tlsa_mismatch" "$(metric dane-mismatch dane tlsa_mismatch)" 1
expect_eq "dane-mismatch: exit" "$(cat "$E2E_WORK/dane-mismatch.rc")" 2
expect_finding dane-notls dane.no-tls crit
expect_finding dane-expired smtp.cert-expired info
expect_eq "dane-expired: DANE-EE matches" "$(value dane-expired dane/data/hosts/0/addresses/0/result)" match
expect_finding dane-selfsigned smtp.cert-untrusted info
expect_finding dane-silent dane.not-matched unknown

# one probe per host although both checks need it
n=$(grep -c '^dane-mismatch.mx.test connect' "$E2E_WORK/connects.log")
expect_eq "smtp and dane share one connection" "$n" 1

# the text renderer escapes what servers send
if LC_ALL=C grep -q "$(printf '\033')" "$E2E_WORK/junk.txt"; then
  fail "junk: text output escaped" "raw escape byte in output"
else
  pass "junk: text output escaped"
fi
finish
