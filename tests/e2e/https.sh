#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/e2e/https.sh - mta-sts, tls-rpt and bimi against HTTPS servers on
# loopback (tests/e2e/https_server.py) with a test CA made now by openssl
# (tests/tools/https_ca.sh); DNS from a zone file, then through Knot.
# Every connection goes to loopback through --connect-to, and
# MAILCHECK_NET_LOOPBACK_ONLY=1 refuses any other.
. "$(dirname "$0")/lib.sh"
T0=$(now_ms)
step() { echo "# $1 at $(( $(now_ms) - T0 )) ms"; }
MAILCHECK_NET_LOOPBACK_ONLY=1
export MAILCHECK_NET_LOOPBACK_ONLY

W=$E2E_WORK
root=$W/root
sh "$MC_SOURCE_DIR/tests/tools/https_ca.sh" "$W/ca" knot.test ok.test redirect.test \
  notfound.test ctype.test big.test status.test plain.test guard.test mxflood.test \
  longline.test nul.test > "$W/ca.log" 2>&1 ||
  { cat "$W/ca.log"; exit 1; }
CA=$W/ca/ca.pem

# https_start VAR ARGS...: a server on a free loopback port; https_wait VAR
# then puts its port in VAR (start them all, then wait: they start at once)
https_start() {
  hsvar=$1
  shift
  python3 "$MC_SOURCE_DIR/tests/e2e/https_server.py" --root "$root" \
    --lifetime 280 "$@" > "$W/https.$hsvar.log" 2> "$W/https.$hsvar.err" &
  E2E_PIDS="$E2E_PIDS $!"
}
https_wait() {
  i=0
  until grep -q '^ready' "$W/https.$1.log" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 1500 ] || { echo "https server did not start" >&2; cat "$W/https.$1.err" >&2; exit 1; }
    sleep 0.02
  done
  eval "$1=$(awk '/^ready/ { print $2 }' "$W/https.$1.log")"
}

mkdir -p "$root"
https_start GOOD --cert "$W/ca/good.pem" --key "$W/ca/good.key"
https_start EXPIRED --cert "$W/ca/expired.pem" --key "$W/ca/expired.key"
https_start WRONG --cert "$W/ca/wrongname.pem" --key "$W/ca/wrongname.key"
https_start SILENT --silent
https_start PLAIN --plain

policy() { # DOMAIN TEXT (printf format)
  mkdir -p "$root/mta-sts.$1/.well-known"
  printf "$2" > "$root/mta-sts.$1/.well-known/mta-sts.txt"
}
good='version: STSv1\nmode: enforce\nmx: mx1.%s\nmax_age: 604800\n'
for d in ok redirect ctype big status expired wrongname hang plain guard; do
  policy $d.test "$(printf "$good" $d.test)"
done
echo "301 https://elsewhere.test/mta-sts.txt" > "$root/mta-sts.redirect.test/.well-known/mta-sts.txt.status"
echo "403" > "$root/mta-sts.status.test/.well-known/mta-sts.txt.status"
echo "text/html; charset=utf-8" > "$root/mta-sts.ctype.test/.well-known/mta-sts.txt.type"
python3 - "$root" <<'EOF'
import os, sys
r = sys.argv[1]
def put(d, body):
    os.makedirs(f"{r}/mta-sts.{d}/.well-known", exist_ok=True)
    open(f"{r}/mta-sts.{d}/.well-known/mta-sts.txt", "wb").write(body)
good = b"version: STSv1\nmode: enforce\nmx: mx1.%s\nmax_age: 604800\n"
put("big.test", good % b"big.test" + b"\n" * 71680)          # 70 KiB (blank lines)
put("mxflood.test", b"version: STSv1\nmode: enforce\nmax_age: 604800\nmx: mx1.mxflood.test\n"
    + b"".join(b"mx: h%d.mxflood.test\n" % i for i in range(10000)))   # 10,000 mx lines
put("longline.test", b"version: STSv1\nmode: enforce\nmx: " + b"a" * (1 << 20) + b"\n")
put("nul.test", b"version: STSv1\nmode: enforce\nmx: mx1.nul.test\x00evil\nmx: *.nul.test\nmax_age: 604800\n")
os.makedirs(f"{r}/images.example.test", exist_ok=True)
open(f"{r}/images.example.test/logo.svg", "w").write(
    '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" '
    'viewBox="0 0 10 10"><title>Example</title><rect width="10" height="10"/></svg>\n')
with open(f"{r}/images.example.test/huge.svg", "wb") as f:  # 50 MB
    f.write(b'<svg xmlns="http://www.w3.org/2000/svg">')
    for _ in range(50):
        f.write(b"<!-- " + b"x" * (1 << 20) + b" -->")
    f.write(b"</svg>\n")
EOF
cp "$W/ca/mark.pem" "$root/images.example.test/mark.pem"
cp "$W/ca/plain-cert.pem" "$root/images.example.test/plain.pem"
cp "$W/ca/expired.pem" "$root/images.example.test/expired.pem"
cp "$W/ca/expiring.pem" "$root/images.example.test/expiring.pem"
cp "$W/ca/future.pem" "$root/images.example.test/future.pem"
cp "$W/ca/not-a-cert.pem" "$root/images.example.test/key.pem"
# redirects of the logo and the certificate: receivers do not follow them
cp "$root/images.example.test/logo.svg" "$root/images.example.test/moved.svg"
cp "$W/ca/mark.pem" "$root/images.example.test/moved.pem"
echo "302 https://images.example.test/logo.svg" > "$root/images.example.test/moved.svg.status"
echo "301 https://images.example.test/mark.pem" > "$root/images.example.test/moved.pem.status"
mkdir -p "$root/images.knot.test"
cp "$root/images.example.test/logo.svg" "$root/images.knot.test/logo.svg"

for s in GOOD EXPIRED WRONG SILENT PLAIN; do https_wait $s; done
closed=$(free_port)

zone=$W/test.zone
{
  echo '$ORIGIN test.'
  echo '$TTL 60'
  for d in ok redirect notfound ctype big status expired wrongname hang plain guard \
      mxflood longline nul; do
    printf '%s MX 10 mx1.%s.test.\nmx1.%s A 127.0.0.1\n' $d $d $d
    printf '_mta-sts.%s TXT "v=STSv1; id=1"\n' $d
  done
  printf 'ok MX 20 mx2.ok.test.\nmx2.ok A 127.0.0.1\n'
} > "$zone"
# BIMI cases: one domain each, a= (or l=) naming the file to serve
bimi_zone() { # DOMAIN L A
  printf '$ORIGIN %s.\n$TTL 60\n@ MX 10 mx1.example.test.\n_dmarc TXT "v=DMARC1; p=reject"\n' "$1"
  printf 'default._bimi TXT "v=BIMI1; l=https://images.example.test/%s; a=https://images.example.test/%s"\n' "$2" "$3"
}
bimi_zone example.test logo.svg mark.pem > "$W/example.zone"
bimi_zone plain.example logo.svg plain.pem > "$W/plain.zone"
bimi_zone expired.example logo.svg expired.pem > "$W/expired.zone"
bimi_zone expiring.example logo.svg expiring.pem > "$W/expiring.zone"
bimi_zone future.example logo.svg future.pem > "$W/future.zone"
bimi_zone key.example logo.svg key.pem > "$W/key.zone"
bimi_zone huge.example huge.svg mark.pem > "$W/huge.zone"
bimi_zone moved.example moved.svg moved.pem > "$W/moved.zone"
printf '$ORIGIN hang.example.\n$TTL 60\n_dmarc TXT "v=DMARC1; p=reject"\ndefault._bimi TXT "v=BIMI1; l=https://slow.example/logo.svg"\n' > "$W/hang.zone"

to() { printf -- '--connect-to mta-sts.%s.test:443:127.0.0.1:%s ' "$1" "$2"; }
CT="$(to ok $GOOD)$(to redirect $GOOD)$(to notfound $GOOD)$(to ctype $GOOD)$(to big $GOOD)"
CT="$CT$(to status $GOOD)$(to expired $EXPIRED)$(to wrongname $WRONG)$(to plain $PLAIN)"
CT="$CT$(to mxflood $GOOD)$(to longline $GOOD)$(to nul $GOOD)$(to guard $GOOD | sed 's/127.0.0.1/192.0.2.1/')"
CT="$CT --connect-to images.example.test:443:127.0.0.1:$GOOD --connect-to slow.example:443:127.0.0.1:$SILENT"

# codes FILE DOMAIN: the sorted finding codes of DOMAIN's report in a JSON Lines file
codes() {
  python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["domain"] == sys.argv[2]:
        print(" ".join(sorted(f["code"] for c in d["checks"] for f in c["findings"])))' "$1" "$2"
}
message() { # FILE DOMAIN CODE: the first message with that code
  python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["domain"] == sys.argv[2]:
        print(next((f["message"] for c in d["checks"] for f in c["findings"]
                    if f["code"] == sys.argv[3]), "(no such finding)"))' "$1" "$2" "$3"
}

step servers
# 1. MTA-STS policy fetches, all domains in one run (transfers at once)
# shellcheck disable=SC2086
"$MC_BIN" -f jsonl -z "$W/test.zone" --ca-file "$CA" $CT --checks mta-sts \
  ok.test redirect.test notfound.test ctype.test big.test status.test \
  expired.test wrongname.test plain.test guard.test mxflood.test longline.test \
  nul.test > "$W/sts.jsonl" 2> "$W/sts.err"
expect_eq "mta-sts run exits 2 (crit outranks the guard's unknown)" "$?" 2
expect_eq "valid enforce policy" "$(codes "$W/sts.jsonl" ok.test)" "mta-sts.mx-not-covered"
expect_eq "redirect" "$(codes "$W/sts.jsonl" redirect.test)" "mta-sts.redirect"
expect_eq "redirect names the target" \
  "$(message "$W/sts.jsonl" redirect.test mta-sts.redirect | grep -c 'to https://elsewhere.test/mta-sts.txt')" 1
expect_eq "404" "$(codes "$W/sts.jsonl" notfound.test)" "mta-sts.policy-not-found"
expect_eq "wrong content type" "$(codes "$W/sts.jsonl" ctype.test)" "mta-sts.content-type"
expect_eq "70 KiB body" "$(codes "$W/sts.jsonl" big.test)" "mta-sts.policy-too-large"
expect_eq "status 403" "$(codes "$W/sts.jsonl" status.test)" "mta-sts.http-status"
expect_eq "expired certificate" "$(codes "$W/sts.jsonl" expired.test)" "mta-sts.certificate"
expect_eq "expired certificate says so" \
  "$(message "$W/sts.jsonl" expired.test mta-sts.certificate | grep -c 'expired')" 1
expect_eq "wrong-name certificate" "$(codes "$W/sts.jsonl" wrongname.test)" "mta-sts.certificate"
expect_eq "no TLS at all" "$(codes "$W/sts.jsonl" plain.test)" "mta-sts.policy-unreachable"
expect_eq "a non-loopback address is refused by the guard" "$(codes "$W/sts.jsonl" guard.test)" \
  "mta-sts.fetch-tempfail"
expect_eq "the guard names itself" \
  "$(message "$W/sts.jsonl" guard.test mta-sts.fetch-tempfail | grep -c MAILCHECK_NET_LOOPBACK_ONLY)" 1
expect_eq "10,000 mx lines: cut at 64 KiB, the first 64 kept" \
  "$(codes "$W/sts.jsonl" mxflood.test | tr ' ' '\n' | sort -u | tr '\n' ' ')" \
  "mta-sts.policy-too-large mta-sts.too-many-mx "
expect_eq "1 MB line" "$(codes "$W/sts.jsonl" longline.test | tr ' ' '\n' | sort -u | tr '\n' ' ')" \
  "mta-sts.max-age-invalid mta-sts.mx-missing mta-sts.policy-syntax mta-sts.policy-too-large "
expect_eq "NUL byte" "$(codes "$W/sts.jsonl" nul.test)" "mta-sts.policy-syntax"
expect_eq "no sanitizer or crash report" "$(grep -c -i 'sanitizer\|runtime error' "$W/sts.err")" 0

step sts
# 2. a server that accepts and never answers: bounded by the deadline (the
# runner adds check.timeout to a check still running at the deadline: the
# exact list of codes below says there is none)
# shellcheck disable=SC2086
"$MC_BIN" -f jsonl -z "$W/test.zone" --ca-file "$CA" -t 3 \
  --connect-to "mta-sts.hang.test:443:127.0.0.1:$SILENT" --checks mta-sts hang.test > "$W/hang.jsonl"
expect_eq "hanging server exits 3" "$?" 3
expect_eq "hanging server: no verdict, never 'no policy'" "$(codes "$W/hang.jsonl" hang.test)" \
  "mta-sts.fetch-tempfail"
# a closed port: connection refused is a temporary failure too
"$MC_BIN" -f jsonl -z "$W/test.zone" --ca-file "$CA" \
  --connect-to "mta-sts.hang.test:443:127.0.0.1:$closed" --checks mta-sts hang.test > "$W/closed.jsonl"
expect_eq "refused connection" "$(codes "$W/closed.jsonl" hang.test)" "mta-sts.fetch-tempfail"
# without --ca-file the test CA is unknown: the system store is not the test's
"$MC_BIN" -f jsonl -z "$W/test.zone" --connect-to "mta-sts.ok.test:443:127.0.0.1:$GOOD" \
  --checks mta-sts ok.test > "$W/noca.jsonl"
expect_eq "unknown CA" "$(codes "$W/noca.jsonl" ok.test)" "mta-sts.certificate"

step hang
# 3. BIMI: logo and mark certificates over HTTPS
for z in example plain expired expiring future key huge hang moved; do
  case $z in example) dom=example.test ;; *) dom=$z.example ;; esac
  # shellcheck disable=SC2086
  "$MC_BIN" -f jsonl -z "$W/$z.zone" --ca-file "$CA" -t 5 $CT --checks bimi "$dom" \
    > "$W/bimi.$z.jsonl" 2>> "$W/bimi.err"
done
expect_eq "mark certificate with both extensions" "$(codes "$W/bimi.example.jsonl" example.test)" \
  "bimi.cert-issuer"
expect_eq "issuer named, chain not verified" \
  "$(message "$W/bimi.example.jsonl" example.test bimi.cert-issuer | grep -c 'CN=mailcheck test CA.*not verified: the chain')" 1
expect_eq "ordinary certificate" "$(codes "$W/bimi.plain.jsonl" plain.example)" \
  "bimi.cert-issuer bimi.cert-name-mismatch bimi.cert-no-bimi-eku bimi.cert-no-logotype"
expect_eq "expired certificate" "$(codes "$W/bimi.expired.jsonl" expired.example)" \
  "bimi.cert-expired bimi.cert-issuer bimi.cert-name-mismatch bimi.cert-no-bimi-eku bimi.cert-no-logotype"
expect_eq "expiring mark certificate" "$(codes "$W/bimi.expiring.jsonl" expiring.example)" \
  "bimi.cert-expiring bimi.cert-issuer bimi.cert-name-mismatch"
expect_eq "mark certificate not yet valid" "$(codes "$W/bimi.future.jsonl" future.example)" \
  "bimi.cert-expired bimi.cert-issuer bimi.cert-name-mismatch"
expect_eq "not yet valid, said so" \
  "$(message "$W/bimi.future.jsonl" future.example bimi.cert-expired | grep -c 'not yet valid')" 1
expect_eq "a PEM that is not a certificate" "$(codes "$W/bimi.key.jsonl" key.example)" \
  "bimi.cert-invalid"
expect_eq "50 MB logo" "$(codes "$W/bimi.huge.jsonl" huge.example)" \
  "bimi.cert-issuer bimi.cert-name-mismatch bimi.logo-too-large"
expect_eq "hanging logo server" "$(codes "$W/bimi.hang.jsonl" hang.example)" \
  "bimi.fetch-tempfail bimi.no-certificate"
expect_eq "redirected logo and certificate: not followed" "$(codes "$W/bimi.moved.jsonl" moved.example)" \
  "bimi.cert-unavailable bimi.logo-unavailable"
expect_eq "the redirect's target is named" \
  "$(message "$W/bimi.moved.jsonl" moved.example bimi.logo-unavailable | grep -c 'redirect.*to https://images.example.test/logo.svg')" 1
expect_eq "bimi: no sanitizer or crash report" "$(grep -c -i 'sanitizer\|runtime error' "$W/bimi.err")" 0

step bimi
# 4. through Knot over the network: addresses of hosts without --connect-to
# come from the DNS layer (a logo URL with a port, A 127.0.0.1 in the zone)
zones=$W/zones
mkdir -p "$zones"
{
  printf '$ORIGIN knot.test.\n$TTL 60\n@ SOA ns.knot.test. h.knot.test. 1 3600 900 604800 60\n@ NS ns\nns A 127.0.0.1\n'
  printf '@ MX 10 mx1\nmx1 A 127.0.0.1\nimages A 127.0.0.1\noutside A 192.0.2.7\n'
  printf '_mta-sts TXT "v=STSv1; id=knot1"\n_smtp._tls TXT "v=TLSRPTv1; rua=https://images.knot.test/tlsrpt"\n'
  printf '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@knot.test"\n'
  printf 'default._bimi TXT "v=BIMI1; l=https://images.knot.test:%s/logo.svg; a=https://outside.knot.test:%s/mark.pem"\n' "$GOOD" "$GOOD"
  printf 'default._bimi.news TXT "v=BIMI1; l=; a="\n'
  printf 'brand._bimi.news TXT "v=BIMI1; l=https://images.knot.test:%s/logo.svg; a="\n' "$GOOD"
} > "$zones/knot.test.zone"
# the parent zone, so that the DMARC tree walk's last name (_dmarc.test) is
# NXDOMAIN as on the Internet, not REFUSED (which leaves the organizational
# domain unknown)
printf '$ORIGIN test.\n$TTL 60\n@ SOA ns.test. h.test. 1 3600 900 604800 60\n@ NS ns.test.\nns A 127.0.0.1\n' > "$zones/test.zone"
policy knot.test 'version: STSv1\nmode: testing\nmx: *.knot.test\nmax_age: 86400\n'
knot_start "$zones"
"$MC_BIN" -f jsonl -r "127.0.0.1:$KNOT_PORT" --ca-file "$CA" \
  --connect-to "mta-sts.knot.test:443:127.0.0.1:$GOOD" --checks mta-sts,tls-rpt,bimi knot.test \
  > "$W/knot.jsonl" 2> "$W/knot.err"
expect_eq "knot: testing policy, report URI, logo by the DNS layer's address; the outside address refused" \
  "$(codes "$W/knot.jsonl" knot.test)" "bimi.fetch-tempfail mta-sts.testing"
expect_eq "knot: the policy's mode metric" \
  "$(json_get "$W/knot.jsonl" "[(int(c['metrics']['mode']), int(c['metrics']['max_age'])) for c in d['checks'] if c['name'] == 'mta-sts'][0]")" \
  "(1, 86400)"
expect_eq "knot: the logo came over the network" \
  "$(json_get "$W/knot.jsonl" "[c['data']['selectors'][0]['logo']['source'] for c in d['checks'] if c['name'] == 'bimi'][0]")" \
  network
# a subdomain with its own BIMI records (default and --bimi-selector brand)
# and no DMARC record: both checks read the policy inherited from knot.test
# through the DNS layer (one walk, shared by the cache), and agree on it
"$MC_BIN" -f jsonl -r "127.0.0.1:$KNOT_PORT" --ca-file "$CA" --bimi-selector brand \
  --checks dmarc,bimi news.knot.test > "$W/knot-news.jsonl" 2> "$W/knot-news.err"
expect_eq "knot: the policy inherited from the organizational domain, in both checks" \
  "$(json_get "$W/knot-news.jsonl" "[(c['data']['applied']['policy'], c['data']['applied']['source']) if c['name'] == 'dmarc' else (c['data']['dmarc']['applied']['policy'], c['data']['dmarc']['applied']['source'], c['data']['dmarc']['org_domain'], c['data']['dmarc']['prerequisite_met']) for c in d['checks']]")" \
  "[('quarantine', 'inherited'), ('quarantine', 'inherited', 'knot.test', True)]"
expect_eq "knot: each selector graded, the data naming it" \
  "$(json_get "$W/knot-news.jsonl" "[(s['selector'], s['record']) for c in d['checks'] if c['name'] == 'bimi' for s in c['data']['selectors']]")" \
  "[('default', 'v=BIMI1; l=; a='), ('brand', 'v=BIMI1; l=https://images.knot.test:$GOOD/logo.svg; a=')]"
expect_eq "knot: the findings of both selectors" "$(codes "$W/knot-news.jsonl" news.knot.test)" \
  "bimi.declined bimi.no-certificate dmarc.inherited"
step knot
finish
