# SPDX-License-Identifier: ISC
# tests/e2e/lib.sh - start real DNS servers on loopback for end-to-end tests
#
# Source it from a test script:  . "$(dirname "$0")/lib.sh"
#   knot_start ZONEDIR     serve every ZONEDIR/<zone>.zone with Knot on
#                          127.0.0.1 and ::1; sets KNOT_PORT
#                          (KNOT_UDP_WORKERS: UDP threads, default 1)
#   testns_start DATAFILE  run ldns-testns on DATAFILE; sets TESTNS_PORT
#   free_port              print a free loopback port
#   pass NAME / fail NAME MSG / expect_eq NAME GOT WANT / finish
# Servers are killed when the script exits.  Nothing leaves loopback.
set -u

MC_BIN=${1:?usage: $0 PATH-TO-mailcheck}
MC_SOURCE_DIR=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/mc-e2e.XXXXXX")
E2E_PIDS=""
E2E_FAILED=0
E2E_PASSED=0

e2e_cleanup() {
  for p in $E2E_PIDS; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$E2E_WORK"
}
trap e2e_cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket
for _ in range(50):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close(); t.close()'
}

# wait_dns PORT NAME TYPE: until the server on PORT answers (up to 6 s)
wait_dns() {
  i=0
  until kdig @127.0.0.1 -p "$1" "$2" "$3" +timeout=1 +retry=0 2>/dev/null | grep -q 'status:'; do
    i=$((i + 1))
    [ $i -lt 300 ] || return 1
    sleep 0.02
  done
}

knot_start() {
  zonedir=$(cd "$1" && pwd)
  KNOT_PORT=$(free_port)
  kw="$E2E_WORK/knot.$KNOT_PORT"
  mkdir -p "$kw/run" "$kw/db"
  {
    printf 'server:\n    rundir: "%s/run"\n    listen: [ 127.0.0.1@%s, ::1@%s ]\n' "$kw" "$KNOT_PORT" "$KNOT_PORT"
    printf '    udp-workers: %s\n    tcp-workers: 1\n    background-workers: 1\n' "${KNOT_UDP_WORKERS:-1}"
    printf 'log:\n  - target: stderr\n    any: warning\n'
    printf 'database:\n    storage: "%s/db"\n' "$kw"
    printf 'template:\n  - id: default\n    storage: "%s"\n    file: "%%s.zone"\n' "$zonedir"
    printf '    zonefile-sync: -1\n    journal-content: none\n    semantic-checks: off\n'
    printf 'zone:\n'
    for f in "$zonedir"/*.zone; do printf '  - domain: "%s"\n' "$(basename "$f" .zone)"; done
  } > "$kw/knot.conf"
  knotd -c "$kw/knot.conf" > "$kw/knotd.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  first=$(basename "$(ls "$zonedir"/*.zone | head -1)" .zone)
  if ! wait_dns "$KNOT_PORT" "$first" SOA; then
    echo "knotd did not answer on port $KNOT_PORT" >&2
    cat "$kw/knotd.log" >&2
    exit 1
  fi
}

testns_start() {
  TESTNS_PORT=$(free_port)
  ldns-testns -p "$TESTNS_PORT" "$1" > "$E2E_WORK/testns.$TESTNS_PORT.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  if ! wait_dns "$TESTNS_PORT" ready.test A; then
    echo "ldns-testns did not answer on port $TESTNS_PORT" >&2
    cat "$E2E_WORK/testns.$TESTNS_PORT.log" >&2
    exit 1
  fi
}

pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok   $1"; }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "FAIL $1: $2"; }
expect_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
finish() {
  echo "$E2E_PASSED passed, $E2E_FAILED failed"
  [ "$E2E_FAILED" -eq 0 ]
}
