# SPDX-License-Identifier: ISC
# tests/e2e/lib.sh - start real DNS servers on loopback for end-to-end tests
#
# Source it from a test script:  . "$(dirname "$0")/lib.sh"
#   knot_start ZONEDIR     serve every ZONEDIR/<zone>.zone with Knot on
#                          127.0.0.1 and ::1; sets KNOT_PORT
#                          (KNOT_UDP_WORKERS: UDP threads, default 1)
#   testns_start DATAFILE [-6]  run ldns-testns on DATAFILE (-6: on ::1, to be
#                          asked as [::1]:PORT); sets TESTNS_PORT.  A catch-all
#                          entry needs ADJUST copy_id copy_query and a
#                          placeholder SECTION QUESTION line, else the reply's
#                          QDCOUNT is 0 and clients rightly ignore it
#   rogue_start ARGS...    run tests/e2e/rogue_dns.py (a responder that
#                          misbehaves on purpose) with ARGS; sets ROGUE_PORT
#   free_port              print a free loopback port
#   testns_catchall        print an entry answering every other question NODATA
#   proxy_start UP DELAY   the delay proxy in front of port UP; sets PROXY_PORT
#                          (PROXY_LISTEN: that port instead of a free one)
#   now_ms                 milliseconds on a monotonic-enough clock
#   bounded T CMD...       run CMD (its output redirected by the caller),
#                          which needs T seconds by design (its -t, or the
#                          engine's intervals it must wait); sets rc and ms.
#                          CMD is killed (rc 124) at its bound: 2 x T s plus
#                          twice what this binary takes to start and exit
#                          here (startup_ms), so a loaded machine or ASan
#                          moves the bound; pick T so that a hang or an
#                          ignored deadline takes far longer
#   expect_bounded NAME    after bounded: CMD ended within its bound
#   expect_prompt NAME     after bounded: CMD waited for no retransmission
#                          interval (1 s): it took under 0.7 s plus twice the
#                          start-up cost
#   json_get FILE EXPR     print the Python expression EXPR over the JSON
#                          document d read from FILE
#   pass NAME / fail NAME MSG / expect_eq NAME GOT WANT /
#   expect_le NAME GOT MAX (numbers) / finish
# Servers are killed when the script exits.  Nothing leaves loopback.
set -u

MC_BIN=${1:?usage: $0 PATH-TO-mailcheck}
MC_SOURCE_DIR=${MC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# no run may reach the machine's resolver, even one that forgets --resolver
MAILCHECK_RESOLV_CONF=${MAILCHECK_RESOLV_CONF:-$MC_SOURCE_DIR/tests/no-resolver.conf}
export MAILCHECK_RESOLV_CONF
# any HTTPS or SMTP connection outside loopback fails at once
MAILCHECK_NET_LOOPBACK_ONLY=1
export MAILCHECK_NET_LOOPBACK_ONLY
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

# a port free for UDP and TCP on both 127.0.0.1 and ::1
free_port() {
  python3 -c 'import socket
for _ in range(50):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    held = [s]
    try:
        for fam, typ, addr in ((socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1"),
                               (socket.AF_INET6, socket.SOCK_DGRAM, "::1"),
                               (socket.AF_INET6, socket.SOCK_STREAM, "::1")):
            t = socket.socket(fam, typ); held.append(t); t.bind((addr, p))
        print(p); break
    except OSError: pass
    finally:
        for t in held: t.close()'
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

json_get() {
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# wait_dns PORT NAME TYPE [ADDR]: until the server on ADDR (default
# 127.0.0.1) and PORT answers (up to 6 s)
wait_dns() {
  i=0
  until kdig @"${4:-127.0.0.1}" -p "$1" "$2" "$3" +timeout=1 +retry=0 2>/dev/null | grep -q 'status:'; do
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

# started_on PID LOG PORT ADDR: 0 once the server answers, 1 if it died
# (its port was taken after free_port chose it: a race with parallel tests)
started_on() {
  i=0
  while kill -0 "$1" 2>/dev/null; do
    if [ -n "$2" ]; then
      grep -q '^ready' "$2" 2>/dev/null && return 0
    elif kdig @"$4" -p "$3" ready.test A +timeout=1 +retry=0 2>/dev/null | grep -q 'status:'; then
      return 0
    fi
    i=$((i + 1))
    [ $i -lt 300 ] || return 1
    sleep 0.02
  done
  return 1
}

testns_start() {
  if [ "${2:-}" = -6 ]; then tsaddr=::1; else tsaddr=127.0.0.1; fi
  for attempt in 1 2 3 4 5; do
    TESTNS_PORT=$(free_port)
    tslog="$E2E_WORK/testns.$TESTNS_PORT.log"
    if [ "${2:-}" = -6 ]; then
      ldns-testns -6 -p "$TESTNS_PORT" "$1" > "$tslog" 2>&1 &
    else
      ldns-testns -p "$TESTNS_PORT" "$1" > "$tslog" 2>&1 &
    fi
    tspid=$!
    E2E_PIDS="$E2E_PIDS $tspid"
    started_on "$tspid" "" "$TESTNS_PORT" "$tsaddr" && return 0
    kill -KILL "$tspid" 2>/dev/null
  done
  echo "ldns-testns did not answer on port $TESTNS_PORT" >&2
  cat "$tslog" >&2
  exit 1
}

rogue_start() {
  for attempt in 1 2 3 4 5; do
    ROGUE_PORT=$(free_port)
    python3 "$MC_SOURCE_DIR/tests/e2e/rogue_dns.py" --port "$ROGUE_PORT" \
      --lifetime 120 "$@" > "$E2E_WORK/rogue.$ROGUE_PORT.log" 2>&1 &
    rgpid=$!
    E2E_PIDS="$E2E_PIDS $rgpid"
    started_on "$rgpid" "$E2E_WORK/rogue.$ROGUE_PORT.log" && return 0
    kill -KILL "$rgpid" 2>/dev/null
  done
  echo "rogue_dns.py did not start on port $ROGUE_PORT" >&2
  cat "$E2E_WORK/rogue.$ROGUE_PORT.log" >&2
  exit 1
}

# testns_catchall: an ldns-testns entry answering every other question
# NODATA (ldns-testns takes the first entry that matches, so append it last);
# testns_start's readiness probe needs an answer
testns_catchall() {
  printf '%s\n' ENTRY_BEGIN 'MATCH opcode' 'ADJUST copy_id copy_query' \
    'REPLY QR RD RA NOERROR' 'SECTION QUESTION' 'placeholder.test. IN A' ENTRY_END
}

# proxy_start UPSTREAM_PORT DELAY_MS [ARGS...]: bench/delay_proxy.py on
# loopback in front of UPSTREAM_PORT, adding DELAY_MS to every answer;
# sets PROXY_PORT once it listens (it prints "ready")
proxy_start() {
  PROXY_PORT=${PROXY_LISTEN:-$(free_port)}
  pxlog="$E2E_WORK/proxy.$PROXY_PORT.out"
  pxup=$1 pxdelay=$2
  shift 2
  python3 "$MC_SOURCE_DIR/bench/delay_proxy.py" --listen "$PROXY_PORT" \
    --upstream "$pxup" --delay-ms "$pxdelay" --lifetime 300 "$@" > "$pxlog" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  i=0
  until grep -q '^ready' "$pxlog" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 300 ] || { echo "delay proxy did not start" >&2; cat "$pxlog" >&2; exit 1; }
    sleep 0.02
  done
}

pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok   $1"; }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "FAIL $1: $2"; }
expect_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
expect_le() {
  if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g + 0 <= m + 0) }'; then
    pass "$1"
  else
    fail "$1" "got $2, want at most $3"
  fi
}
# the binary's start and exit with nothing to do, the worse of two (ms):
# what ASan or a loaded machine adds to every run
startup_ms() {
  if [ -z "${E2E_STARTUP_MS:-}" ]; then
    E2E_STARTUP_MS=0
    for _ in 1 2; do
      _t0=$(now_ms)
      "$MC_BIN" --version > /dev/null 2>&1
      _t=$(($(now_ms) - _t0))
      [ "$_t" -le "$E2E_STARTUP_MS" ] || E2E_STARTUP_MS=$_t
    done
  fi
  echo "$E2E_STARTUP_MS"
}
bounded() {
  _start=$(startup_ms)
  bound_ms=$(awk -v t="$1" -v s="$_start" 'BEGIN { printf "%d", 2000 * t + 2 * s }')
  shift
  _t0=$(now_ms)
  timeout -k 1 "$(awk -v b="$bound_ms" 'BEGIN { printf "%.3f", b / 1000 }')" "$@"
  rc=$?
  ms=$(($(now_ms) - _t0))
}
expect_bounded() {
  if [ "$rc" -ne 124 ] && [ "$ms" -le "$bound_ms" ]; then
    pass "$1"
  else
    fail "$1" "ran $ms ms, more than 2 x -t + 2 x start-up ($bound_ms ms)"
  fi
}
expect_prompt() {
  _lim=$((700 + 2 * $(startup_ms)))
  if [ "$ms" -le "$_lim" ]; then
    pass "$1"
  else
    fail "$1" "took $ms ms, more than 0.7 s + 2 x start-up ($_lim ms)"
  fi
}
finish() {
  echo "$E2E_PASSED passed, $E2E_FAILED failed"
  [ "$E2E_FAILED" -eq 0 ]
}
