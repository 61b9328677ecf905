#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/schema.py - docs/report.schema.json accepts reports and rejects the rest

A real document from the binary must validate; each named mutation of it
must not (so the schema is not vacuous).  jsonschema must import.

Usage: schema.py BINARY
"""
import copy, json, os, subprocess, sys

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import jsonschema
except ImportError:
    sys.exit("schema.py: cannot import jsonschema (python3-jsonschema, /usr/bin/python3)")

def drop(path):
    def f(d):
        cur = d
        for p in path[:-1]:
            cur = cur[p]
        del cur[path[-1]]
    return f

def put(path, value):
    def f(d):
        cur = d
        for p in path[:-1]:
            cur = cur[p]
        cur[path[-1]] = value
    return f

C = ["checks", 0]
F = C + ["findings", 0]
MUTATIONS = [
    ("schema_version 2", put(["schema_version"], 2)),
    ("schema_version as a string", put(["schema_version"], "1")),
    ("no schema_version", drop(["schema_version"])),
    ("no mailcheck_version", drop(["mailcheck_version"])),
    ("mailcheck_version not a version", put(["mailcheck_version"], "latest")),
    ("no domain", drop(["domain"])),
    ("empty domain", put(["domain"], "")),
    ("unknown status", put(["status"], "critical")),
    ("negative duration", put(["duration_ms"], -1)),
    ("real duration", put(["duration_ms"], 1.5)),
    ("no checks", drop(["checks"])),
    ("extra top-level member", put(["extra"], 1)),
    ("check without name", drop(C + ["name"])),
    ("check name in upper case", put(C + ["name"], "MX")),
    ("check with unknown status", put(C + ["status"], "fine")),
    ("check without findings", drop(C + ["findings"])),
    ("check without metrics", drop(C + ["metrics"])),
    ("check without data", drop(C + ["data"])),
    ("check data an array", put(C + ["data"], [])),
    ("metric not a number", put(C + ["metrics", "hosts"], "1")),
    ("summary not a string", put(C + ["summary"], 1)),
    ("extra check member", put(C + ["extra"], 1)),
    ("finding code without dot", put(F + ["code"], "mxnull")),
    ("finding code in upper case", put(F + ["code"], "MX.null")),
    ("finding severity unknown", put(F + ["severity"], "error")),
    ("finding without subject", drop(F + ["subject"])),
    ("finding subject a number", put(F + ["subject"], 1)),
    ("finding without message", drop(F + ["message"])),
    ("finding without spec", drop(F + ["spec"])),
    ("finding hint null", put(F + ["hint"], None)),
    ("extra finding member", put(F + ["extra"], 1)),
]

ACCEPTED = [
    ("finding subject null", put(F + ["subject"], None)),
    ("finding without hint", drop(F + ["hint"])),
    ("check without summary", drop(C + ["summary"])),
    ("open data", put(C + ["data", "anything"], {"x": [1, None]})),
    ("real metric", put(C + ["metrics", "ratio"], 0.25)),
    ("internal-error code", put(F + ["code"], "internal-error")),
]

def main():
    binary = sys.argv[1]
    with open(os.path.join(SRC, "docs", "report.schema.json")) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if cls is not jsonschema.Draft202012Validator:
        print(f"FAIL the schema is not draft 2020-12 ({cls.__name__})")
        return 1
    if not schema.get("$id", "").endswith(":1"):
        print("FAIL the schema's $id does not carry version 1")
        return 1
    v = cls(schema)
    p = subprocess.run([binary, "-f", "json", "--checks", "mx", "-z",
                        os.path.join(SRC, "fixtures", "mx", "target-cname.zone"),
                        "example.org"], capture_output=True, text=True, timeout=60)
    base = json.loads(p.stdout)
    failed = 0
    errs = [e.message for e in v.iter_errors(base)]
    if errs:
        print(f"FAIL a real report is rejected: {errs}")
        failed += 1
    else:
        print("ok   a real report is accepted")
    assert base["checks"][0]["findings"][0].get("hint") and base["checks"][0].get("summary")
    for name, mutate in MUTATIONS + ACCEPTED:
        doc = copy.deepcopy(base)
        mutate(doc)
        ok = v.is_valid(doc)
        want = (name, mutate) in ACCEPTED
        if ok != want:
            print(f"FAIL {name}: {'accepted' if ok else 'rejected'}")
            failed += 1
        else:
            print(f"ok   {name}: {'accepted' if ok else 'rejected'}")
    print(f"{len(MUTATIONS) + len(ACCEPTED) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
