#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/spf_suite.py - the RFC 7208 conformance suite through `mailcheck spf`

Runs every case of fixtures/spf-suite/cases.json (converted from the
openspf/pyspf rfc7208-tests.yml by fixtures/spf-suite/convert.py) through
the real binary with --zone-file, compares the result (a case may accept
several) and, where the case gives one, the explanation ("DEFAULT": any).
Prints every failure with its reason and the pass count out of the total.
Cases listed in KNOWN_FAILURES must fail (with the reason given); any other
failure, or a known failure that starts passing, fails the test.

Usage: spf_suite.py BINARY [CASE-NAME...]
"""
import json, os, subprocess, sys

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = os.path.join(SRC, "fixtures", "spf-suite")

# name -> why mailcheck does not give the suite's answer
KNOWN_FAILURES = {
}

def run_case(binary, c):
    cmd = [binary, "spf", "--format", "json", "--zone-file",
           os.path.join(SUITE, c["zone"]), "--ip", c["ip"]]
    if c["helo"]:
        cmd += ["--helo", c["helo"]]
    if c["sender"]:
        cmd += ["--sender", c["sender"]]
    p = subprocess.run(cmd, capture_output=True, timeout=30)
    if b"Sanitizer" in p.stderr or b"runtime error:" in p.stderr:
        return "sanitizer report: " + p.stderr.decode("utf-8", "replace")[:1500]
    if p.returncode != 0:
        return "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace").strip())
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return "output is not JSON (%s)" % e
    if doc["result"] not in c["results"]:
        return "result %s, expected %s (%s)" % (doc["result"], "|".join(c["results"]),
                                                 doc.get("reason"))
    exp = c.get("explanation")
    if exp is not None and exp != "DEFAULT" and doc.get("explanation") != exp:
        return "explanation %r, expected %r" % (doc.get("explanation"), exp)
    return None

def main():
    binary = sys.argv[1]
    with open(os.path.join(SUITE, "cases.json")) as f:
        cases = json.load(f)
    if len(sys.argv) > 2:
        cases = [c for c in cases if c["name"] in sys.argv[2:]]
    passed, bad = 0, 0
    for c in cases:
        why = run_case(binary, c)
        if why is None:
            passed += 1
            if c["name"] in KNOWN_FAILURES:
                bad += 1
                print("UNEXPECTED PASS %s (listed as known failure)" % c["name"])
            continue
        known = KNOWN_FAILURES.get(c["name"])
        print("%s %s [%s, RFC 7208 %s]: %s" % ("known-fail" if known else "FAIL",
              c["name"], c["scenario"], c["spec"], why))
        if known:
            print("     known: %s" % known)
        else:
            bad += 1
    print("RFC 7208 suite: %d/%d cases pass" % (passed, len(cases)))
    return 1 if bad or not cases else 0

if __name__ == "__main__":
    sys.exit(main())
