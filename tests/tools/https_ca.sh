#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/tools/https_ca.sh DIR - a test CA and certificates, made at test time
#
# DIR/ca.pem                      the CA (give it to mailcheck --ca-file)
# DIR/good.{pem,key}              server: mta-sts.example.test, example.test,
#                                 *.example.test (and the other test domains
#                                 given as arguments, with mta-sts. names)
# DIR/wrongname.{pem,key}         server: only other.invalid
# DIR/expired.{pem,key}           server: the good names, expired in 2020
# DIR/mark.pem                    a mark certificate for example.test with the
#                                 BIMI EKU and a logotype extension, + CA
# DIR/expiring.pem                the same, valid for 5 more days
# DIR/future.pem                  the same, valid only from 2099 on
# DIR/plain-cert.pem              an ordinary certificate for example.test
# DIR/not-a-cert.pem              a PEM that holds a private key only
set -eu
d=$1
shift
mkdir -p "$d"
cd "$d"
names="DNS:example.test,DNS:*.example.test,DNS:mta-sts.example.test"
for dom in "$@"; do names="$names,DNS:$dom,DNS:mta-sts.$dom,DNS:*.$dom"; done
q=""
openssl req $q -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
  -subj "/CN=mailcheck test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
leaf() { # NAME SUBJECT EXTFILE [DAYS]
  openssl req $q -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" \
    -days "${4:-30}" -extfile "$3" 2>/dev/null
}
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$names" > good.ext
leaf good "/CN=mta-sts.example.test" good.ext
printf 'subjectAltName=DNS:other.invalid\nextendedKeyUsage=serverAuth\n' > wrong.ext
leaf wrongname "/CN=other.invalid" wrong.ext
# expired: an openssl ca run with explicit dates (OpenSSL 3.0 has no -not_after)
mkdir -p cadb
: > cadb/index.txt
echo 1000 > cadb/serial
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
CNF
openssl req $q -new -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr \
  -subj "/CN=mta-sts.example.test" 2>/dev/null
openssl ca -batch -config ca.cnf -in expired.csr -out expired.pem -notext \
  -startdate 20200101000000Z -enddate 20200201000000Z -extfile good.ext 2>/dev/null
# mark certificates: BIMI EKU 1.3.6.1.5.5.7.3.31, logotype 1.3.6.1.5.5.7.1.12
# (an empty SEQUENCE: present is what is checked)
printf 'subjectAltName=DNS:example.test\nextendedKeyUsage=1.3.6.1.5.5.7.3.31\n1.3.6.1.5.5.7.1.12=DER:3000\n' > mark.ext
leaf markleaf "/CN=Example Brand/O=Example" mark.ext 365
cat markleaf.pem ca.pem > mark.pem
leaf expiring "/CN=Example Brand/O=Example" mark.ext 5
openssl req $q -new -newkey rsa:2048 -nodes -keyout future.key -out future.csr \
  -subj "/CN=Example Brand/O=Example" 2>/dev/null
openssl ca -batch -config ca.cnf -in future.csr -out future.pem -notext \
  -startdate 20990101000000Z -enddate 21000101000000Z -extfile mark.ext 2>/dev/null
printf 'subjectAltName=DNS:www.example.test\nextendedKeyUsage=serverAuth\n' > plain.ext
leaf plain "/CN=www.example.test" plain.ext
cp plain.pem plain-cert.pem
cp ca.key not-a-cert.pem
