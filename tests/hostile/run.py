#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/hostile/run.py - the one runner of the hostile-DNS scenarios

Every tests/hostile/scenarios/*.zone is a scenario: zone data and `;!` faults
that tests/hostile/server.py serves on a free loopback port (see its header),
and `;@` lines that say how to run the real binary and what must come out.
The binary runs twice against the server, -f json (the assertions) and
-f text (same exit code, nothing raw on the terminal).

    ;@ domain: example.org            the domain to check (required)
    ;@ checks: mx,spf                 --checks (default: the six DNS checks,
                                      mx,spf,dkim,dmarc,rdns,dnsbl)
    ;@ timeout: 2                     -t (default 5)
    ;@ args: --dnsbl-zone bl.test     more arguments (shell words; \\xHH is a
                                      byte; {server} is 127.0.0.1:PORT, {dead}
                                      a loopback port where nothing listens,
                                      {server2} a second server on the same
                                      data, whose own faults are `;!2` lines,
                                      {NAME} a file from a `file` line); -r
                                      {server} is added unless args give -r
    ;@ file NAME: TEXT                a file to write (\\n, \\xHH escapes)
    ;@ backend: zone                  no server: -z this file instead
    ;@ expect-exit: 3                 the exit code (required; 0|1: either)
    ;@ expect-check: mx unknown       a check's status (a|b: either)
    ;@ expect: [CHECK:]CODE [SUBJ]    a finding matching must appear (globs;
                                      CODE may be a|b)
    ;@ expect-not: [CHECK:]CODE [SUBJ]   no finding may match
    ;@ expect-message: [CHECK:]REGEX  a finding's message must match
    ;@ expect-no-message: [CHECK:]REGEX  no finding's message may match
    ;@ expect-data: CHECK /PTR VALUE  a JSON pointer into a check's data
    ;@ expect-stderr: REGEX           stderr (either run) must match
    ;@ expect-text: REGEX             the last format's stdout must match
    ;@ expect-no-text: REGEX          ... must not match
    ;@ repeat: 10                     run the first format up to 10 times, to
                                      the first failure (for races)
    ;@ formats: nagios                the formats to run (default: json text;
                                      the assertions on findings need json)
    ;@ expect-no-report               nothing on stdout (a usage error)
    ;@ expect-asked: NAME TYPE [udp|tcp [N]]  the servers were asked this
                                      (N times)
    ;@ listen: ::1                    the servers' address (default 127.0.0.1)
    ;@ allow: CODE...                 absence or listing claims that are true here

Every run also asserts, whatever the scenario says: the exit code; that
it ended within twice its --timeout (a bound on a hang or an ignored
deadline, the one time assertion; plus twice what starting and exiting
costs the binary, measured with --version, which sanitizers and a loaded
machine make longer); no sanitizer report, no internal-error; the JSON matches
docs/report.schema.json; no finding claims absence or a listing (codes
such as mx.none, dmarc.missing, dnsbl.listed; ABSENCE below) unless
`expect` or `allow` says the data makes it true, so a failed question is
never read as "missing"; no finding names a question without its name
(" TYPE0"); no raw control byte, C1 control or invalid UTF-8 on stdout or
stderr; both formats exit alike.

tests/hostile/expected-failures lists scenarios that show a known bug
(`NAME  the bug`): while one fails it is XFAIL; once it passes, it FAILS
until its line is removed (except a bug marked "racy:", which may pass
before its fix: XPASS).

Usage: run.py BINARY [SCENARIO...]     (default: every scenario)
HOSTILE_VERBOSE=1 in the environment prints every check's findings.
"""
import fnmatch
import glob
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import server  # noqa: E402
from fixtures import data_mismatches, load_schema  # noqa: E402

# a run ends within DEADLINE_FACTOR x its -t plus twice the binary's
# start-up cost measured here (what ASan or a loaded machine adds): a run
# that ignores its deadline or hangs goes far past that
DEADLINE_FACTOR = 2
# findings that claim something is absent, or listed: never on a failure
ABSENCE = re.compile(r"(^|\.)(none|missing|nxdomain|domain-nxdomain|target-nxdomain|"
                     r"target-no-address|unreachable|implicit|no-address|listed|"
                     r"listed-policy|not-authorised|not-confirmed|ptr-missing|"
                     r"cname-dangling|no-selector-found|domainkey-nxdomain|"
                     r"selector-missing|key-missing|target-none|too-many-void|inherited)$")
# the checks whose verdicts rest on DNS alone: the default --checks
DNS_CHECKS = "mx,spf,dkim,dmarc,rdns,dnsbl"
EXIT = {"ok": 0, "info": 0, "warn": 1, "crit": 2, "unknown": 3}


def unescape(text):
    """\\n and \\xHH escapes of a `file` or `args` line, to bytes."""
    return re.sub(rb"\\(n|x[0-9a-fA-F]{2}|\\)",
                  lambda m: {b"n": b"\n", b"\\": b"\\"}.get(m.group(1)) or bytes([int(m.group(1)[1:], 16)]),
                  text.encode())


def parse(path):
    spec = {"checks": DNS_CHECKS, "timeout": "5", "args": [], "files": {}, "exit": None,
            "check": [], "expect": [], "expect_not": [], "msg": [], "no_msg": [],
            "data": [], "stderr": [], "no_report": False, "asked": [], "allow": set(),
            "zone": False, "repeat": 1, "listen": "127.0.0.1", "formats": ["json", "text"], "text": [], "no_text": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith(";@"):
                continue
            k, _, v = line[2:].strip().partition(":")
            k, v = k.strip(), v.strip()
            if k == "domain": spec["domain"] = v
            elif k == "checks": spec["checks"] = v
            elif k == "timeout": spec["timeout"] = v
            elif k == "args": spec["args"] += [unescape(w) for w in shlex.split(v)]
            elif k.startswith("file "): spec["files"][k[5:].strip()] = unescape(v)
            elif k == "backend" and v == "zone": spec["zone"] = True
            elif k == "expect-exit": spec["exit"] = [int(x) for x in v.split("|")]
            elif k == "expect-check": spec["check"].append(v.split())
            elif k == "expect": spec["expect"].append(finding_pattern(v))
            elif k == "expect-not": spec["expect_not"].append(finding_pattern(v))
            elif k == "expect-message": spec["msg"].append(message_pattern(v))
            elif k == "expect-no-message": spec["no_msg"].append(message_pattern(v))
            elif k == "expect-data":
                check, ptr, value = v.split(None, 2)
                try: value = json.loads(value)
                except ValueError: pass
                spec["data"].append((check, ptr, value))
            elif k == "expect-stderr": spec["stderr"].append(v)
            elif k == "expect-no-report": spec["no_report"] = True
            elif k == "expect-asked": spec["asked"].append(v.lower().split())
            elif k == "allow": spec["allow"].update(v.split())
            elif k == "formats": spec["formats"] = v.split()
            elif k == "repeat": spec["repeat"] = int(v)
            elif k == "listen": spec["listen"] = v
            elif k == "expect-text": spec["text"].append(v)
            elif k == "expect-no-text": spec["no_text"].append(v)
            else:
                raise ValueError(f"unknown directive ';@ {k}'")
    if spec["exit"] is None:
        raise ValueError("no ';@ expect-exit:' line")
    if "domain" not in spec and not spec["no_report"] and b"--domains-file" not in spec["args"]:
        raise ValueError("no ';@ domain:' line")
    return spec


def finding_pattern(v):
    """([CHECK:]CODE [SUBJECT]) -> (check glob, code glob, subject glob or None)."""
    w = v.split(None, 1)
    check, _, code = w[0].rpartition(":")
    return (check or "*", code, w[1] if len(w) > 1 else None)


def message_pattern(v):
    m = re.match(r"([a-z]+):(.*)", v)
    return (m.group(1), m.group(2)) if m else ("*", v)


def findings(doc):
    return [(c["name"], f) for c in doc["checks"] for f in c["findings"]]


def glob_any(text, pattern):
    """fnmatch against any of the |-separated globs."""
    return any(fnmatch.fnmatchcase(text, g) for g in pattern.split("|"))


def matches(pat, check, f):
    cg, code, subj = pat
    return (fnmatch.fnmatchcase(check, cg) and glob_any(f["code"], code)
            and (subj is None or fnmatch.fnmatchcase(f.get("subject") or "", subj)))


def raw_bytes(data):
    """What a terminal would act on: C0 controls but \\t \\n, DEL, C1 controls,
    invalid UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"invalid UTF-8 at offset {e.start}: {data[max(e.start - 20, 0):e.start + 4]!r}"
    bad = [c for c in text if (ord(c) < 0x20 and c not in "\t\n") or 0x7f <= ord(c) < 0xa0]
    return f"raw control characters {sorted(set(bad))!r}" if bad else None


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def command(binary, spec, path, fmt, subst):
    args = []
    for a in spec["args"]:
        for k, v in subst.items():
            a = a.replace(b"{" + k.encode() + b"}", v.encode())
        args.append(a)
    cmd = [binary, "-f", fmt, "-t", spec["timeout"]]
    if spec["zone"]:
        cmd += ["-z", path]
    elif not any(a in (b"-r", b"--resolver") for a in args):
        cmd += ["-r", subst["server"]]
    if spec["checks"]:
        cmd += ["--checks", spec["checks"]]
    return cmd + args + ([spec["domain"]] if "domain" in spec else [])


def deadline(spec):
    """-t as a number; a value the binary must refuse is bounded by the default."""
    try:
        return min(float(spec["timeout"]), 30.0)
    except ValueError:
        return 5.0


def run_timed(cmd, limit):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, timeout=limit + 60)
    return p, time.monotonic() - t0


def startup_cost(binary):
    """Wall time of this binary starting and exiting with nothing to do
    (`--version`, the worse of two): what a sanitizer build or a loaded
    machine adds outside the run's deadline, which counts from its start."""
    return max(run_timed([binary, "--version"], 5)[1] for _ in range(2))


def check_run(p, secs, spec, errs, fmt):
    """The assertions every run makes, whatever its format."""
    limit = DEADLINE_FACTOR * deadline(spec) + 2 * spec["startup"]
    if secs > limit:
        errs.append(f"-f {fmt}: ran {secs:.2f} s, more than {DEADLINE_FACTOR} x --timeout {spec['timeout']}"
                    f" (+ 2 x {spec['startup']:.2f} s to start and exit)")
    err = p.stderr.decode("utf-8", "replace")
    if "Sanitizer" in err or "runtime error:" in err:
        errs.append(f"-f {fmt}: sanitizer report: {err[:2000]}")
    if p.returncode not in spec["exit"]:
        errs.append(f"-f {fmt}: exit {p.returncode}, expected {spec['exit']}; stderr: {err.strip()[:500]}")
    if fmt != "json" and b"TYPE0" in p.stdout:
        errs.append(f"-f {fmt}: a question without its name (TYPE0) on stdout")
    for stream, data in (("stdout", p.stdout if fmt != "json" else b""), ("stderr", p.stderr)):
        bad = raw_bytes(data)
        if bad:
            errs.append(f"-f {fmt} {stream}: {bad}")


def check_asked(servers, spec, errs, fmt):
    """The questions the servers saw during one run."""
    time.sleep(0.1)  # a TCP query's thread may still be logging it
    log = [q for srv in servers for q in list(srv.log)]
    for want in spec["asked"]:
        n = sum(1 for q in log if [q[1], q[2].lower()] == want[:2] and (len(want) < 3 or q[0] == want[2]))
        if n == 0 or (len(want) > 3 and n != int(want[3])):
            errs.append(f"-f {fmt}: the servers were asked {' '.join(want[:3])} {n} times")


def check_doc(doc, spec, schema, errs):
    for e in schema.iter_errors(doc):
        errs.append(f"schema: {e.message} at {list(e.absolute_path)}")
    got = findings(doc)
    if EXIT[doc["status"]] not in spec["exit"]:
        errs.append(f"report status {doc['status']} does not give exit {spec['exit']}")
    for pat in spec["expect"]:
        if not any(matches(pat, c, f) for c, f in got):
            errs.append("expected finding %s:%s%s not reported" % (pat[0], pat[1], f" about {pat[2]}" if pat[2] else ""))
    for pat in spec["expect_not"]:
        for c, f in got:
            if matches(pat, c, f):
                errs.append(f"forbidden finding {c}:{f['code']} about {f.get('subject')}: {f['message']}")
    for cg, rx in spec["msg"]:
        if not any(fnmatch.fnmatchcase(c, cg) and re.search(rx, f["message"]) for c, f in got):
            errs.append(f"no {cg} finding's message matches /{rx}/")
    for cg, rx in spec["no_msg"]:
        for c, f in got:
            if fnmatch.fnmatchcase(c, cg) and re.search(rx, f["message"]):
                errs.append(f"{c}:{f['code']} message matches /{rx}/: {f['message']}")
    for c, f in got:
        code, subj = f["code"], f.get("subject") or ""
        if ABSENCE.search(code) and code not in spec["allow"] and not any(
                matches(p, c, f) for p in spec["expect"]):
            errs.append(f"{c} claims {code} about {subj!r} on this data: {f['message']}")
        if code == "internal-error":
            errs.append(f"{c}: internal-error: {f['message']}")
        if "TYPE0" in subj or "TYPE0" in f["message"] or subj[:1].isspace():
            errs.append(f"{c}:{code} lost its question: subject {subj!r}, message {f['message']!r}")
    checks = {c["name"]: c for c in doc["checks"]}
    for name, status in spec["check"]:
        got_s = checks.get(name, {}).get("status")
        if got_s not in status.split("|"):
            errs.append(f"check {name}: status {got_s}, expected {status}")
    errs += data_mismatches(checks, spec["data"])


def run_one(binary, path, schema, tmp):
    spec = parse(path)
    spec["startup"] = startup_cost(binary)
    errs = []
    subst = {"dead": f"127.0.0.1:{free_port()}"}
    for name, content in spec["files"].items():
        fp = os.path.join(tmp, name)
        with open(fp, "wb") as f:
            f.write(content)
        subst[name] = fp
    servers = []
    if not spec["zone"]:
        sc = server.Scenario(path)
        servers.append(server.Server(sc, addr=spec["listen"]))
        if any(b"{server2}" in a for a in spec["args"]):
            servers.append(server.Server(sc, addr=spec["listen"], number=2))
    for i, srv in enumerate(servers):
        host = f"[{spec['listen']}]" if ":" in spec["listen"] else spec["listen"]
        subst["server" if i == 0 else f"server{i + 1}"] = f"{host}:{srv.port}"
    subst.setdefault("server", "127.0.0.1:0")
    try:
        runs = {}
        for i, fmt in enumerate(spec["formats"]):
            for _ in range(spec["repeat"] if i == 0 else 1):
                cmd = command(binary, spec, path, fmt, subst)
                for srv in servers:
                    with srv.lock:
                        srv.log.clear()
                p, secs = run_timed(cmd, deadline(spec))
                check_run(p, secs, spec, errs, fmt)
                check_asked(servers, spec, errs, fmt)
                runs[fmt] = p
                if fmt == "json" and not spec["no_report"]:
                    check_report(p, spec, schema, errs)
                if errs:
                    break
    finally:
        for srv in servers:
            srv.close()
    err = b"".join(r.stderr for r in runs.values()).decode("utf-8", "replace")
    out = runs[spec["formats"][-1]].stdout.decode("utf-8", "replace")
    for rx in spec["text"]:
        if not re.search(rx, out):
            errs.append(f"-f {spec['formats'][-1]} output does not match /{rx}/: {out[:300]!r}")
    for rx in spec["no_text"]:
        m = re.search(rx, out)
        if m:
            errs.append(f"-f {spec['formats'][-1]} output matches /{rx}/: ...{out[max(m.start() - 60, 0):m.end() + 60]!r}...")
    for rx in spec["stderr"]:
        if not re.search(rx, err):
            errs.append(f"stderr does not match /{rx}/: {err.strip()[:500]}")
    if spec["no_report"]:
        for fmt, p in runs.items():
            if p.stdout:
                errs.append(f"-f {fmt}: a report on stdout: {p.stdout[:200]!r}")
    return errs


def check_report(p, spec, schema, errs):
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        errs.append(f"output is not JSON ({e}): {p.stdout[:200]!r}")
        return
    check_doc(doc, spec, schema, errs)
    if os.environ.get("HOSTILE_VERBOSE"):
        for c in doc["checks"]:
            print(f"      {c['name']} {c['status']}: {c.get('summary', '')}")
            for f in c["findings"]:
                print(f"        {f['code']} {f.get('subject')!r}: {f['message']}")


def expected_failures():
    out = {}
    with open(os.path.join(HERE, "expected-failures"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, _, why = line.strip().partition(" ")
                out[name] = why.strip()
    return out


def main():
    binary = sys.argv[1]
    files = sys.argv[2:] or sorted(glob.glob(os.path.join(HERE, "scenarios", "*.zone")))
    schema = load_schema()
    xfail = expected_failures()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="mc-hostile.") as tmp:
        for path in files:
            name = os.path.splitext(os.path.basename(path))[0]
            try:
                errs = run_one(binary, path, schema, tmp)
            except (ValueError, OSError, subprocess.TimeoutExpired) as e:
                errs = [f"{type(e).__name__}: {e}"]
            if len(errs) > 12:
                errs[12:] = [f"... and {len(errs) - 12} more"]
            if name in xfail and errs:
                print(f"XFAIL {name} ({xfail[name]})")
                for e in errs:
                    print(f"      {e}")
            elif name in xfail and xfail[name].startswith("racy:"):
                print(f"XPASS {name}: the race did not show this time ({xfail[name]})")
            elif name in xfail:
                failed += 1
                print(f"FAIL  {name}: passes now: remove it from tests/hostile/expected-failures")
            elif errs:
                failed += 1
                print(f"FAIL  {name}")
                for e in errs:
                    print(f"      {e}")
            else:
                print(f"ok    {name}")
    unknown = set(xfail) - {os.path.splitext(os.path.basename(f))[0]
                            for f in glob.glob(os.path.join(HERE, "scenarios", "*.zone"))}
    for name in sorted(unknown):
        failed += 1
        print(f"FAIL  expected-failures names {name}, which is no scenario")
    print(f"{len(files) - failed}/{len(files)} scenarios as expected")
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main())
