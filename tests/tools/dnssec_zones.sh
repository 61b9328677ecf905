#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/tools/dnssec_zones.sh - a signed test root and the DNSSEC cases under it
#
# Usage: dnssec_zones.sh OUTDIR
# Writes OUTDIR/zones/<zone>.zone (the root as root.zone), signed with
# ldns-signzone during the test run (signatures would rot in a fixture),
# OUTDIR/ta.ds, the test root's DS: a trust anchor file for
# --trust-anchor, OUTDIR/ta-test.ds, the DS of test. alone, and
# OUTDIR/zones-nsec3/test.zone, test. signed with NSEC3, and
# OUTDIR/zones-optout/test.zone, signed with NSEC3 opt-out.
# The cases, children of the signed zone "test.":
#   secure.test     signed, DS in test.: secure (MX host mx.secure.test)
#   unsigned.test   delegated without DS (NSEC proof): insecure
#   expired.test    signed with an RRSIG period in the past: bogus
#   mismatch.test   the DS in test. names another key: bogus
#   nosig.test      signed, then the RRSIG over its MX removed: bogus
#   txtbad.test     signed, then its DMARC TXT record changed: bogus
#   algo.test       its DS has algorithm 253 (private): insecure (RFC 6840 5.2)
#   absurd.test     RRSIGs expiring in 2020 with inception in 2030: bogus
#   manykeys.test   a DNSKEY RRset of 500 keys (499 of them junk): secure
#   deep.a.b.secure.test  names below secure.test, no cut: secure
#   bare.test       signed (NSEC), no TXT at the apex (NODATA) and no
#                   _dmarc (NXDOMAIN): secure through the denial proofs
#   bare3.test      the same signed with NSEC3
#   wild.test       its _dmarc TXT comes from a wildcard (NSEC): secure
#   wild3.test      the same signed with NSEC3
#   nodeny.test     like bare.test with its NSEC records removed: bogus
#   cname.test      _dmarc is a CNAME to _dmarc.secure.test: secure
#   cnameb.test     _dmarc is a CNAME to _dmarc.txtbad.test: bogus
#   bigtlsa.test    unsigned, a TLSA record of 65,000 bytes of data (bad
#                   input for dane: 64 KiB over TCP from Knot)
# Keys are ECDSA P-256 (fast to make).  Nothing here touches the network.
set -eu
OUT=${1:?usage: $0 OUTDIR}
mkdir -p "$OUT/keys" "$OUT/src" "$OUT/zones"
K="$OUT/keys"
now=$(date -u +%s)
past_i=$(date -u -d @$((now - 40 * 86400)) +%Y%m%d%H%M%S)
past_e=$(date -u -d @$((now - 10 * 86400)) +%Y%m%d%H%M%S)

key() { (cd "$K" && ldns-keygen -a ECDSAP256SHA256 -k "$1"); }

bare() { # NAME [WILDCARD-TXT]: a zone without TXT at the apex nor _dmarc
  cat > "$OUT/src/$1" <<EOF
\$ORIGIN $1.
\$TTL 300
@ SOA ns.$1. hostmaster.$1. 1 3600 900 604800 300
@ NS ns
ns A 127.0.0.1
@ MX 10 mx
mx A 127.0.0.1
EOF
  [ -z "${2:-}" ] || printf '* TXT "%s"\n' "$2" >> "$OUT/src/$1"
}

child() { # NAME: an ordinary mail domain zone
  bare "$1"
  cat >> "$OUT/src/$1" <<EOF
@ TXT "v=spf1 ip4:127.0.0.1" " -all"
_dmarc TXT "v=DMARC1; p=reject"
_25._tcp.mx TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
deep.a.b A 127.0.0.1
EOF
}

sign() { # NAME KEY [ARGS...]: sign src/NAME into zones/NAME.zone
  n=$1 k=$2
  shift 2
  ldns-signzone "$@" -f "$OUT/zones/$n.zone" -o "$n." "$OUT/src/$n" "$K/$k"
}

# the children
ds=""
for c in secure expired nosig txtbad absurd manykeys mismatch; do
  child "$c.test"
  eval "k_$c=\$(key $c.test)"
done
for c in unsigned algo; do child "$c.test"; done
bare bare.test; bare bare3.test; bare nodeny.test
bare wild.test "v=DMARC1; p=reject"; bare wild3.test "v=DMARC1; p=reject"
for c in cname cnameb; do child "$c.test"; done
sed -i '/^_dmarc/d' "$OUT/src/cname.test" "$OUT/src/cnameb.test"
echo '_dmarc CNAME _dmarc.secure.test.' >> "$OUT/src/cname.test"
echo '_dmarc CNAME _dmarc.txtbad.test.' >> "$OUT/src/cnameb.test"
for c in bare bare3 nodeny wild wild3 cname cnameb; do
  eval "k_$c=\$(key $c.test)"
done
k_other=$(key mismatch.test)
python3 - "$OUT/src/manykeys.test" <<'EOF'
import base64, random, sys
random.seed(500)
with open(sys.argv[1], "a") as f:
    for i in range(499):
        f.write("@ DNSKEY 256 3 13 %s\n" % base64.b64encode(bytes(random.getrandbits(8) for _ in range(64))).decode())
EOF
sign secure.test "$k_secure"
sign manykeys.test "$k_manykeys"
sign mismatch.test "$k_mismatch"
sign expired.test "$k_expired" -i "$past_i" -e "$past_e"
sign absurd.test "$k_absurd" -i 20300101000000 -e 20200101000000
sign nosig.test "$k_nosig"
sign txtbad.test "$k_txtbad"
sign bare.test "$k_bare"
sign bare3.test "$k_bare3" -n
sign wild.test "$k_wild"
sign wild3.test "$k_wild3" -n
sign cname.test "$k_cname"
sign cnameb.test "$k_cnameb"
sign nodeny.test "$k_nodeny"
grep -v "$(printf '\tNSEC\t')" "$OUT/zones/nodeny.test.zone" | grep -v "$(printf '\tRRSIG\tNSEC ')" > "$OUT/zones/nodeny.tmp"
mv "$OUT/zones/nodeny.tmp" "$OUT/zones/nodeny.test.zone"
sed 's/p=reject/p=none/' "$OUT/zones/txtbad.test.zone" > "$OUT/zones/txtbad.tmp"
mv "$OUT/zones/txtbad.tmp" "$OUT/zones/txtbad.test.zone"
grep -v "$(printf '\tRRSIG\tMX ')" "$OUT/zones/nosig.test.zone" > "$OUT/zones/nosig.tmp"
mv "$OUT/zones/nosig.tmp" "$OUT/zones/nosig.test.zone"
cp "$OUT/src/unsigned.test" "$OUT/zones/unsigned.test.zone"
cp "$OUT/src/algo.test" "$OUT/zones/algo.test.zone"

# test.: delegations, with the DS records the cases need
k_test=$(key test)
{
  printf '$ORIGIN test.\n$TTL 300\n@ SOA ns.test. hostmaster.test. 1 3600 900 604800 300\n'
  printf '@ NS ns\nns A 127.0.0.1\n'
  for c in secure expired nosig txtbad absurd manykeys mismatch unsigned algo \
    bare bare3 nodeny wild wild3 cname cnameb; do
    printf '%s NS ns.%s.test.\n' "$c" "$c"
  done
  for c in secure expired nosig txtbad absurd manykeys bare bare3 nodeny wild wild3 \
    cname cnameb; do
    eval "ldns-key2ds -n -2 \"\$K/\$k_$c.key\""
  done
  ldns-key2ds -n -2 "$K/$k_other.key"   # mismatch.test: a key it does not use
  printf 'algo.test. 300 IN DS 4242 253 2 %s\n' \
    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
} > "$OUT/src/test"
sign test "$k_test"
# the same test. with NSEC3 (RFC 5155) instead of NSEC, for Knot to serve
mkdir -p "$OUT/zones-nsec3"
ldns-signzone -n -f "$OUT/zones-nsec3/test.zone" -o test. "$OUT/src/test" "$K/$k_test"
# and with NSEC3 opt-out: unsigned delegations get no NSEC3 of their own
mkdir -p "$OUT/zones-optout"
ldns-signzone -n -p -f "$OUT/zones-optout/test.zone" -o test. "$OUT/src/test" "$K/$k_test"

# bad input for dane: 65,000 bytes of TLSA data (a zone of its own)
python3 - "$OUT/zones/bigtlsa.test.zone" <<'EOF'
import random, sys
random.seed(64)
h = "".join("%02x" % random.getrandbits(8) for _ in range(65000))
with open(sys.argv[1], "w") as f:
    f.write("$ORIGIN bigtlsa.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 900 604800 300\n"
            "@ NS ns\nns A 127.0.0.1\n@ MX 10 mx\nmx A 127.0.0.1\n_25._tcp.mx TLSA 3 1 1 (\n")
    f.write("\n".join(h[i:i + 100] for i in range(0, len(h), 100)) + " )\n")
EOF

# the root
k_root=$(key .)
{
  printf '$ORIGIN .\n$TTL 300\n@ SOA ns.test. hostmaster.test. 1 3600 900 604800 300\n'
  printf '@ NS ns.test.\ntest. NS ns.test.\n'
  ldns-key2ds -n -2 "$K/$k_test.key"
} > "$OUT/src/root"
ldns-signzone -f "$OUT/zones/root.zone" -o . "$OUT/src/root" "$K/$k_root"
ldns-key2ds -n -2 "$K/$k_root.key" > "$OUT/ta.ds"
# an anchor for test. alone: names elsewhere have none
ldns-key2ds -n -2 "$K/$k_test.key" > "$OUT/ta-test.ds"
