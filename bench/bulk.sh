#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/bulk.sh - bulk mode throughput and peak memory
#
# Usage: bench/bulk.sh PATH-TO-mailcheck [DOMAINS] [PARALLEL]
#
# Generates DOMAINS (default 10000) domains with full mail records (two MX
# hosts with A/AAAA and PTR records, SPF, DMARC, a 2048-bit DKIM key under
# selector "mail") served by Knot on loopback, with a blocklist zone of its
# own (--dnsbl-zone bl.test), then runs every check (mailcheck -f jsonl
# --domains-file; BENCH_ARGS adds options, e.g. "--checks mx") on them.
# The checks are the six DNS checks by default: the zones publish public
# addresses, and checks that connect (smtp, mta-sts, bimi, ...) must reach
# loopback only (the guard lib.sh sets would refuse them anyway)
# twice under /usr/bin/time -v: once straight to Knot, once through a
# proxy adding 20 ms to every query (the build tree's tests/mc-delayproxy,
# or BENCH_PROXY=delay_proxy.py).  Prints domains per
# second and peak RSS for both (BENCH_DIRECT_ONLY=1: the first only).
# Also prints mailcheck's own CPU time (user+sys) per domain, the figure
# that matters on a shared machine, and Knot's CPU time over the same run
# (/proc/PID/stat), with the domains per second that the machine's cores
# could give at best for that CPU (cores / (mailcheck + Knot CPU a domain)).
# BENCH_SYSCALLS=1 counts mailcheck's system calls with perf stat
# (tracepoints syscalls:sys_enter_*; strace -c -f slows every call so much
# that the threads contend differently and the futex count means little)
# and prints them a domain.  BENCH_REPEAT=N repeats each run N
# times; BENCH_COMPARE="BIN2 ..." runs other binaries against the same
# servers after BIN, turn about (to compare builds under the same load).
# BENCH_ZONE=shared generates another zone set: DOMAINS domains of one mail
# provider (MX mx1/mx2.provider.test, SPF include:_spf.provider.test, which
# includes three netblock records), each with its own DMARC record and DKIM
# key.  BENCH_QUESTIONS=1 counts questions instead of timing: the
# questions per domain that reach the server (through delay_proxy.py with
# no delay and --log) with the shared cache (one bulk run) and without it
# (one mailcheck process per domain, each with an empty cache; the first
# BENCH_SAMPLE, default 100, domains), and the distinct questions of the
# bulk run.
# Not a test: nothing is asserted.
# Nothing leaves loopback; every server started here is killed on exit.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
N=${2:-10000}
PAR=${3:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
export MC_SOURCE_DIR=$(cd "$HERE/.." && pwd)
# two UDP threads: one drops queries when a hundred domains are in flight
export KNOT_UDP_WORKERS=${KNOT_UDP_WORKERS:-2}
. "$MC_SOURCE_DIR/tests/e2e/lib.sh" "$BIN"

Z="$E2E_WORK/zones"
mkdir -p "$Z"
# one zone "test." holds every domain, a blocklist zone bl.test (empty but
# for its self-test entry) and _dmarc.test; reverse zones hold the PTRs
python3 - "$N" "$Z" "$E2E_WORK/domains.txt" "${BENCH_ZONE:-own}" <<'PY'
import base64, subprocess, sys
n, zdir, lst, kind = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
pem = subprocess.run(["openssl", "genrsa", "2048"], capture_output=True, check=True).stdout
der = subprocess.run(["openssl", "rsa", "-pubout", "-outform", "DER"], input=pem,
                     capture_output=True, check=True).stdout
key = base64.b64encode(der).decode()
dkim = " ".join('"%s"' % key[k:k + 250] for k in range(0, len(key), 250))
dkim = '"v=DKIM1; k=rsa; p=" ' + dkim
soa = "@ SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n@ NS ns.test.\n"
rev = {81: [], 82: []}
v6 = []
with open(zdir + "/test.zone", "w") as z, open(lst, "w") as l:
    z.write("$ORIGIN test.\n$TTL 3600\n" + soa + "ns A 192.0.2.53\n"
            "2.0.0.127.bl A 127.0.0.2\n2.0.0.127.bl TXT \"test entry\"\n")
    if kind == "shared":
        # one provider: its hosts, PTRs and SPF tree, shared by every domain
        z.write("mx1.provider A 81.0.0.1\nmx1.provider AAAA 2a01:4f8::1\n"
                "mx2.provider A 82.0.0.1\n"
                '_spf.provider TXT "v=spf1 include:_nb1.provider include:_nb2.provider include:_nb3.provider -all"\n')
        for k in range(1, 4):
            z.write(f'_nb{k}.provider TXT "v=spf1 ip4:81.{k}.0.0/16 ip4:82.{k}.0.0/16 ~all"\n')
        rev[81].append(((0, 0, 1), "mx1.provider.test."))
        rev[82].append(((0, 0, 1), "mx2.provider.test."))
        v6.append((".".join(reversed("%04x" % 0 * 5 + "0001")), "mx1.provider.test."))
    for i in range(n if kind == "shared" else 0):
        d = "s%05d.shared" % i
        z.write(f"{d} MX 10 mx1.provider.test.\n{d} MX 20 mx2.provider.test.\n"
                f'{d} TXT "v=spf1 include:_spf.provider.test -all"\n'
                f'_dmarc.{d} TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{d}.test"\n'
                f"mail._domainkey.{d} TXT {dkim}\n")
        l.write(f"{d}.test\n")
    for i in range(n if kind != "shared" else 0):
        d = "d%05d.bench" % i
        o = (i // 62500 + 1, i // 250 % 250, i % 250 + 1)  # public-looking; never contacted
        b = "%d.%d.%d" % o
        h6 = (i >> 16, i & 0xffff)
        z.write(f"{d} MX 10 mx1.{d}\n{d} MX 20 mx2.{d}\n"
                f"mx1.{d} A 81.{b}\nmx1.{d} AAAA 2a01:4f8::{h6[0]:x}:{h6[1]:x}:1\nmx2.{d} A 82.{b}\n"
                f'{d} TXT "v=spf1 mx ip4:81.{b} -all"\n'
                f'_dmarc.{d} TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{d}.test"\n'
                f"mail._domainkey.{d} TXT {dkim}\n")
        rev[81].append((o, f"mx1.{d}.test."))
        rev[82].append((o, f"mx2.{d}.test."))
        nib = "".join("%04x" % x for x in (0, 0, 0, h6[0], h6[1], 1))
        v6.append((".".join(reversed(nib)), f"mx1.{d}.test."))
        l.write(f"{d}.test\n")
for first, names in rev.items():
    with open(f"{zdir}/{first}.in-addr.arpa.zone", "w") as z:
        z.write(f"$ORIGIN {first}.in-addr.arpa.\n$TTL 3600\n" + soa)
        for (a, b, c), name in names:
            z.write(f"{c}.{b}.{a} PTR {name}\n")
with open(zdir + "/8.f.4.0.1.0.a.2.ip6.arpa.zone", "w") as z:
    z.write("$ORIGIN 8.f.4.0.1.0.a.2.ip6.arpa.\n$TTL 3600\n" + soa)
    for nib, name in v6:
        z.write(f"{nib} PTR {name}\n")
PY
knot_start "$Z"
KNOT_PID=${E2E_PIDS##* }
# a big zone takes Knot a while to load: until then it answers SERVFAIL
last=$(tail -1 "$E2E_WORK/domains.txt")
i=0
until kdig @127.0.0.1 -p "$KNOT_PORT" "$last" MX +timeout=1 +retry=0 2>/dev/null | grep -q 'status: NOERROR'; do
  i=$((i + 1))
  [ $i -lt 600 ] || { echo "knotd did not load the zone" >&2; cat "$E2E_WORK"/knot.*/knotd.log >&2; exit 1; }
  sleep 0.1
done

# Every HTTPS and SMTP connection a selected check may make (BENCH_ARGS
# with smtp, dane, mta-sts or bimi) goes to a loopback port nobody listens
# on, whatever address the bench zone publishes: refused at once, never
# sent off the machine (and MAILCHECK_NET_LOOPBACK_ONLY is set by lib.sh).
NOWHERE="--connect-to ::127.0.0.1:$(free_port)"

run() {
  label=$1 port=$2 bin=${3:-$BIN}
  k0=$(knot_cpu)
  /usr/bin/time -v $STRACE "$bin" -r "127.0.0.1:$port" -f jsonl --parallel "$PAR" \
    --dnsbl-zone bl.test $NOWHERE ${BENCH_ARGS:---checks mx,spf,dkim,dmarc,rdns,dnsbl} --domains-file "$E2E_WORK/domains.txt" > "$E2E_WORK/out.jsonl" 2> "$E2E_WORK/time.$label"
  k1=$(knot_cpu)
  python3 - "$label" "$N" "$PAR" "$E2E_WORK/time.$label" "$E2E_WORK/out.jsonl" "$k0" "$k1" <<'PY'
import json, os, re, sys
label, n, par, tf, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
knot = (int(sys.argv[7]) - int(sys.argv[6])) / os.sysconf("SC_CLK_TCK")
t = open(tf).read()
m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
wall = (int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
cpu = sum(float(re.search(r"%s time \(seconds\): ([\d.]+)" % k, t).group(1))
          for k in ("User", "System"))
usr = float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1))
docs = [json.loads(l) for l in open(out)]
st = {}
for d in docs:
    st[d["status"]] = st.get(d["status"], 0) + 1
summary = [l for l in t.splitlines() if l.startswith("mailcheck: ")]
why = {}
for d in docs:
    for c in d["checks"]:
        for f in c["findings"]:
            if f["severity"] == "unknown":
                k = f["message"].split(": ")[-1]
                why[k] = why.get(k, 0) + 1
            elif f["severity"] in ("warn", "crit"):
                why[f["code"]] = why.get(f["code"], 0) + 1
print(f"{label:8s} {n} domains, --parallel {par}: {wall:.2f} s, {n / wall:.0f} domains/s, "
      f"peak RSS {rss / 1024:.1f} MiB, reports {len(docs)} {st}")
print(f"         mailcheck CPU {cpu:.2f} s (user {usr:.2f} + sys {cpu - usr:.2f}): "
      f"{cpu * 1000 / n:.3f} ms a domain")
print(f"         Knot CPU {knot:.2f} s: {knot * 1000 / n:.3f} ms a domain; "
      f"bound on {os.cpu_count()} cores: {os.cpu_count() * n / (cpu + knot):.0f} domains/s")
if os.environ.get("BENCH_SYSCALLS") == "1":
    sc = {}
    for l in open(os.path.dirname(tf) + "/syscalls.out"):
        f = l.strip().split(",")
        if len(f) > 2 and f[0].isdigit() and "sys_enter_" in f[2]:
            sc[f[2].split("sys_enter_")[1]] = int(f[0])
    top = sorted(sc.items(), key=lambda kv: -kv[1])
    print("         system calls a domain (perf stat):",
          ", ".join(f"{k} {v / n:.1f}" for k, v in top))
for l in summary: print("         " + l)
if why: print("         findings (unknown by cause, others by code):", why)
PY
}

# Knot's CPU time so far (utime + stime, clock ticks)
knot_cpu() {
  awk '{ print $14 + $15 }' "/proc/$KNOT_PID/stat" 2>/dev/null || echo 0
}
# BENCH_SYSCALLS=1: count system calls (perf stat, tracepoints)
# BENCH_WRAP="CMD ARGS": run mailcheck under CMD (perf, valgrind)
STRACE=${BENCH_WRAP:-}
SYSCALLS="futex recvfrom recvmmsg sendto sendmmsg poll getrandom write mprotect madvise"
[ "${BENCH_SYSCALLS:-0}" = 1 ] && STRACE="perf stat -x , -o $E2E_WORK/syscalls.out \
  $(for c in $SYSCALLS; do printf -- '-e syscalls:sys_enter_%s ' "$c"; done)"

# every binary (BIN, then BENCH_COMPARE's), BENCH_REPEAT times, in turn
runs() {
  k=0
  while [ $k -lt "${BENCH_REPEAT:-1}" ]; do
    run "$1" "$2"
    for other in ${BENCH_COMPARE:-}; do run "$1:$(basename "$other")" "$2" "$other"; done
    k=$((k + 1))
  done
}

# BENCH_QUESTIONS=1: questions per domain, with and without the shared cache
if [ "${BENCH_QUESTIONS:-0}" = 1 ]; then
  LOG="$E2E_WORK/questions.log"
  PROXY_PORT=$(free_port)
  python3 "$HERE/delay_proxy.py" --listen "$PROXY_PORT" --upstream "$KNOT_PORT" \
    --delay-ms 0 --lifetime 3600 --log "$LOG" > /dev/null &
  E2E_PIDS="$E2E_PIDS $!"
  wait_dns "$PROXY_PORT" bench.test SOA || { echo "proxy did not answer" >&2; exit 1; }
  CHECKS="$NOWHERE ${BENCH_ARGS:---checks mx,spf,dkim,dmarc,rdns,dnsbl}"
  : > "$LOG"
  "$BIN" -r "127.0.0.1:$PROXY_PORT" -f jsonl --parallel "$PAR" --dnsbl-zone bl.test \
    $CHECKS --domains-file "$E2E_WORK/domains.txt" > /dev/null 2>&1
  cp "$LOG" "$E2E_WORK/shared.log"
  SAMPLE=${BENCH_SAMPLE:-100}
  [ "$SAMPLE" -le "$N" ] || SAMPLE=$N
  : > "$LOG"
  head -n "$SAMPLE" "$E2E_WORK/domains.txt" | while read -r d; do
    "$BIN" -r "127.0.0.1:$PROXY_PORT" -f json --dnsbl-zone bl.test $CHECKS "$d" > /dev/null 2>&1
  done
  python3 - "$N" "$SAMPLE" "$E2E_WORK/shared.log" "$LOG" "${BENCH_ZONE:-own}" <<'PY'
import sys
n, sample, shared, alone, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
q = [l.split()[1:3] for l in open(shared) if l.strip()]
a = [l for l in open(alone) if l.strip()]
distinct = len(set(map(tuple, q)))
print(f"zone set '{kind}', {n} domains: questions that reached the server")
print(f"  shared cache (one bulk run):       {len(q)} = {len(q) / n:.1f} a domain "
      f"({distinct} distinct name/type pairs)")
print(f"  no sharing (a process a domain):   {len(a)} for {sample} = {len(a) / sample:.1f} a domain")
PY
  exit 0
fi

runs direct "$KNOT_PORT"
[ "${BENCH_DIRECT_ONLY:-0}" = 1 ] && exit 0
PROXY_PORT=$(free_port)
# the C proxy of the build tree (tests/tools/mc-delayproxy.c) keeps up with
# bulk mode; the Python ones top out at a few thousand queries a second
cproxy=$(dirname "$BIN")/tests/mc-delayproxy
if [ -z "${BENCH_PROXY:-}" ] && [ -x "$cproxy" ]; then
  "$cproxy" --listen "$PROXY_PORT" --upstream "$KNOT_PORT" --delay-ms 20 --lifetime 900 > /dev/null &
else
  python3 "$HERE/${BENCH_PROXY:-delay_proxy.py}" --listen "$PROXY_PORT" --upstream "$KNOT_PORT" --delay-ms 20 --lifetime 900 > /dev/null &
fi
E2E_PIDS="$E2E_PIDS $!"
wait_dns "$PROXY_PORT" bench.test SOA || { echo "proxy did not answer" >&2; exit 1; }
runs delay20 "$PROXY_PORT"
