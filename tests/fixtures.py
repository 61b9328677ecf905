#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/fixtures.py - the one generic fixture runner

Every fixtures/<topic>/*.zone file (except fixtures/demo) is a scenario: a
zone file whose `;@` comment lines say what to run and what must come out.
The runner runs the real binary on it through the zone backend and compares.

    ;@ domain: example.org                 the domain to check (required)
    ;@ checks: mx                          --checks (default: all)
    ;@ args: --ip 192.0.2.1                more command-line arguments ({dir}:
                                           the fixture's directory, e.g.
                                           --http-root {dir}/http)
    ;@ expect-exit: 2                      exit code (default: from status)
    ;@ expect-status: crit                 the report's status
    ;@ expect-check: mx warn               one check's status
    ;@ expect: mx.target-cname mx.example.org     a finding: code [subject]
    ;@ expect-metric: mx hosts 2           check, metric, value
    ;@ expect-data: mx /hosts/0/host mx1.example.org   JSON pointer, value (JSON or string)

The findings must match exactly: every `expect` line one finding, and no
finding without a line (as a multiset of codes; the subject is compared when
given).  Each JSON document is also validated against docs/report.schema.json
(jsonschema must import: a missing validator fails the run), and the same
run in -f text and -f jsonl must give the same exit code, text without raw
control bytes, jsonl the same document on one line.

Usage: fixtures.py BINARY [FIXTURE...]
"""
import glob, json, os, shlex, subprocess, sys

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXIT = {"ok": 0, "info": 0, "warn": 1, "crit": 2, "unknown": 3}

def load_schema():
    """The report schema's validator; a missing jsonschema is an error, never
    a silent skip (Debian's python3-jsonschema, under /usr/bin/python3)."""
    try:
        import jsonschema
    except ImportError:
        sys.exit("fixtures.py: cannot import jsonschema (install python3-jsonschema "
                 "and run me with /usr/bin/python3): the schema would go unchecked")
    with open(os.path.join(SRC, "docs", "report.schema.json")) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)

def pointer(doc, ptr):
    cur = doc
    for part in ptr.lstrip("/").split("/"):
        if part == "":
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        cur = cur[int(part)] if isinstance(cur, list) else cur[part]
    return cur

def parse(path):
    spec = {"expect": [], "checks": None, "args": [], "metrics": [], "data": [],
            "check_status": []}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith(";@"):
                continue
            key, _, val = line[2:].strip().partition(":")
            key, val = key.strip(), val.strip()
            if key == "domain": spec["domain"] = val
            elif key == "checks": spec["checks"] = val
            elif key == "args":
                here = os.path.dirname(os.path.abspath(path))
                spec["args"] += [a.replace("{dir}", here) for a in shlex.split(val)]
            elif key == "expect-exit": spec["exit"] = int(val)
            elif key == "expect-status": spec["status"] = val
            elif key == "expect-check": spec["check_status"].append(val.split())
            elif key == "expect":
                w = val.split(None, 1)
                spec["expect"].append((w[0], w[1] if len(w) > 1 else None))
            elif key == "expect-metric": spec["metrics"].append(val.split())
            elif key == "expect-data":
                check, ptr, value = val.split(None, 2)
                try: value = json.loads(value)
                except ValueError: pass
                spec["data"].append((check, ptr, value))
            else:
                raise ValueError(f"unknown directive ';@ {key}'")
    if "domain" not in spec:
        raise ValueError("no ';@ domain:' line")
    return spec

def hang_guard(args):
    """Seconds after which a run counts as hung: twice its -t (default 30),
    never a speed bound (a zone-file run asks no server)."""
    t = 30.0
    for i, a in enumerate(args[:-1]):
        if a in ("-t", "--timeout"):
            try: t = float(args[i + 1])
            except ValueError: pass
    return 2 * t


def run_one(binary, path, schema):
    spec = parse(path)
    cmd = [binary, "--format", "json", "--zone-file", path] + spec["args"]
    if spec["checks"]:
        cmd += ["--checks", spec["checks"]]
    cmd.append(spec["domain"])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=hang_guard(cmd))
    errs = []
    if "Sanitizer" in p.stderr or "runtime error:" in p.stderr:
        return [f"sanitizer report: {p.stderr.strip()[:2000]}"]
    if p.returncode not in (0, 1, 2, 3) or (p.returncode == 3 and not p.stdout):
        return [f"exit {p.returncode}, stderr: {p.stderr.strip()}"]
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return [f"output is not JSON ({e}): {p.stdout[:200]!r} stderr: {p.stderr.strip()}"]
    for e in schema.iter_errors(doc):
        errs.append(f"schema: {e.message} at {list(e.absolute_path)}")
    # the other renderers agree on the exit code; text is escaped, jsonl one line
    for fmt in ("text", "jsonl"):
        q = subprocess.run([binary, "--format", fmt] + cmd[3:], capture_output=True,
                           timeout=hang_guard(cmd))
        if q.returncode != p.returncode:
            errs.append(f"-f {fmt} exits {q.returncode}, -f json {p.returncode}")
        if fmt == "text":
            bad = sorted({b for b in q.stdout if (b < 0x20 and b != 0x0a) or b >= 0x7f})
            if bad:
                errs.append(f"-f text writes raw bytes {bad}")
        else:
            lines = q.stdout.decode("utf-8", "replace").splitlines()
            timeless = lambda d: [{k: v for k, v in c.items() if k != "duration_ms"}
                                  for c in d["checks"]]
            if len(lines) != 1 or timeless(json.loads(lines[0])) != timeless(doc):
                errs.append("-f jsonl is not the JSON document on one line")
    got = [(f["code"], f.get("subject")) for c in doc["checks"] for f in c["findings"]]
    unmatched = list(got)
    for code, subject in spec["expect"]:
        hit = next((g for g in unmatched if g[0] == code and (subject is None or g[1] == subject)), None)
        if hit is None:
            errs.append(f"expected finding {code}" + (f" about {subject}" if subject else "") + " not reported")
        else:
            unmatched.remove(hit)
    for code, subject in unmatched:
        errs.append(f"unexpected finding {code} about {subject}")
    if "status" in spec and doc["status"] != spec["status"]:
        errs.append(f"status {doc['status']}, expected {spec['status']}")
    want_exit = spec.get("exit", EXIT.get(spec.get("status", doc["status"])))
    if p.returncode != want_exit:
        errs.append(f"exit code {p.returncode}, expected {want_exit}")
    checks = {c["name"]: c for c in doc["checks"]}
    for name, status in spec["check_status"]:
        if name not in checks or checks[name]["status"] != status:
            errs.append(f"check {name}: status {checks.get(name, {}).get('status')}, expected {status}")
    for name, metric, value in spec["metrics"]:
        got_v = checks.get(name, {}).get("metrics", {}).get(metric)
        if got_v is None or float(got_v) != float(value):
            errs.append(f"metric {name}.{metric} = {got_v}, expected {value}")
    return errs + data_mismatches(checks, spec["data"])

def data_mismatches(checks, expected):
    """Errors for the (check, JSON pointer, value) triples that the checks'
    data (name -> check object) does not hold; an absent value is "<absent>"."""
    errs = []
    for name, ptr, value in expected:
        try:
            got_v = pointer(checks[name]["data"], ptr)
        except (KeyError, IndexError, ValueError, TypeError):
            got_v = "<absent>"
        if got_v != value:
            errs.append(f"data {name}{ptr} = {got_v!r}, expected {value!r}")
    return errs

def main():
    binary = sys.argv[1]
    files = sys.argv[2:] or sorted(
        f for f in glob.glob(os.path.join(SRC, "fixtures", "*", "*.zone"))
        if os.path.basename(os.path.dirname(f)) != "demo")
    schema = load_schema()
    failed = 0
    for path in files:
        rel = os.path.relpath(path, SRC)
        try:
            errs = run_one(binary, path, schema)
        except (ValueError, subprocess.TimeoutExpired) as e:
            errs = [str(e)]
        if errs:
            failed += 1
            print(f"FAIL {rel}")
            for e in errs:
                print(f"     {e}")
        else:
            print(f"ok   {rel}")
    print(f"{len(files) - failed}/{len(files)} fixtures passed")
    if not files:
        print("no fixtures found")
        return 1
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
