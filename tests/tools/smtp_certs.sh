#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/tools/smtp_certs.sh - a test CA and server certificates, made with
# openssl during the test run (helper for tests/e2e/smtp.sh and bench/)
#
# Usage: smtp_certs.sh DIR.  Writes into DIR, each NAME.pem being the chain
# a server sends (leaf first) and NAME.key its key:
#   ca.pem             the test CA (give it to mailcheck with --ca-file)
#   good               CA-signed, SAN *.mx.test, 2048-bit RSA, 1 year
#   mismatch           CA-signed, SAN other.example
#   selfsigned         self-signed, SAN *.mx.test
#   expired            CA-signed, SAN *.mx.test, expired in 2020
#   expiring           CA-signed, SAN *.mx.test, expires in 5 days
#   weak               CA-signed, SAN *.mx.test, 1024-bit RSA
#   longchain          the good leaf followed by 100 copies of the CA
# and NAME.spki.sha256 (hex) for TLSA records "3 1 1", ca.spki.sha256 for
# "2 1 1".
set -eu
d=$1
mkdir -p "$d"
cd "$d"
q() { "$@" > /dev/null 2>&1; }

q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
  -days 3650 -subj "/CN=mailcheck test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"

ext() {
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n'
  printf 'extendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$1"
}

# leaf NAME SAN BITS DAYS
leaf() {
  q openssl req -new -newkey rsa:"$3" -nodes -keyout "$1.key" -out "$1.csr" \
    -subj "/CN=$1 test server"
  ext "$2" > "$1.ext"
  q openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days "$4" -extfile "$1.ext" -out "$1.leaf"
  cat "$1.leaf" ca.pem > "$1.pem"
}

leaf good "DNS:*.mx.test" 2048 365
leaf mismatch "DNS:other.example" 2048 365
leaf expiring "DNS:*.mx.test" 2048 5
leaf weak "DNS:*.mx.test" 1024 365

# expired: an openssl ca run with dates in the past
mkdir -p ca.db
: > ca.db/index.txt
printf '1000\n' > ca.db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = ca.db
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
CNF
q openssl req -new -newkey rsa:2048 -nodes -keyout expired.key \
  -out expired.csr -subj "/CN=expired test server"
ext "DNS:*.mx.test" > expired.ext
q openssl ca -batch -config ca.cnf -startdate 20190101000000Z \
  -enddate 20200101000000Z -extfile expired.ext -in expired.csr \
  -out expired.leaf -notext
cat expired.leaf ca.pem > expired.pem

q openssl req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key \
  -out selfsigned.pem -days 365 -subj "/CN=selfsigned test server" \
  -addext "subjectAltName=DNS:*.mx.test"

cp good.key longchain.key
cp good.leaf longchain.pem
i=0
while [ $i -lt 100 ]; do cat ca.pem >> longchain.pem; i=$((i + 1)); done

for n in ca good mismatch expiring weak expired selfsigned; do
  f=$n.leaf
  [ -f "$f" ] || f=$n.pem
  openssl x509 -in "$f" -pubkey -noout | openssl pkey -pubin -outform DER \
    | openssl dgst -sha256 -r | cut -d' ' -f1 > "$n.spki.sha256"
done
