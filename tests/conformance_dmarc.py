#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/conformance_dmarc.py - DMARC record vectors and Public Suffix List
cases written by others, through the real binary and the zone backend

Sources (fixtures/peer-tests, vendored from the team collection; see its README):
  dmarc-opendmarc/vectors.json: OpenDMARC's record_parse and record_fetch
    tables and its organizational-domain cases (BSD-3-style license)
  psl-publicsuffix/tests.txt: the Public Suffix List's own test cases (CC0)

Each DMARC vector is published at _dmarc.abuse.net and the dmarc check's
findings are mapped to OpenDMARC's outcome:
  dmarc.missing / dmarc.version-invalid        ERROR_BAD_VERSION (ERROR_EMPTY
                                               for the empty record)
  dmarc.tag-invalid / dmarc.record-syntax      ERROR_BAD_VALUE
  dmarc.policy-missing                         ERROR_NO_REQUIRED_P
  none of these                                OKAY
Where mailcheck deliberately differs, DIFFERS names the vector and why; the
test asserts mailcheck's own verdict there.

The PSL cases run every valid input (U-labels converted to A-labels; inputs
the command rejects as domain names, such as single labels or a leading dot,
are skipped and counted) and compare the check's org_domain_psl, which comes
from libpsl's list, never the network.

Usage: conformance_dmarc.py BINARY
"""
import json, os, subprocess, sys, tempfile

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the vendored copy (fixtures/peer-tests/README.md), or MC_PEER_TESTS
PEER = os.environ.get("MC_PEER_TESTS") or os.path.join(SRC, "fixtures", "peer-tests")

# vector n -> (mailcheck's outcome, the finding that shows it, why)
LEGACY = ("RFC 9989 dropped pct=, ri= and rf= (issue 16 class 7): an invalid value "
          "no longer invalidates the record and p= applies; mailcheck warns that it is "
          "invalid under RFC 7489 (dmarc.legacy-tag-invalid)")
DIFFERS = {
    5: ("ERROR_BAD_VALUE", "dmarc.tag-invalid",
        "p=n: RFC 7489 6.4 grammar has no abbreviations; OpenDMARC accepts a prefix"),
    12: ("OKAY", "dmarc.legacy-tag-invalid", LEGACY),
    13: ("OKAY", "dmarc.legacy-tag-invalid", LEGACY),
    14: ("OKAY", "dmarc.legacy-tag-invalid", LEGACY),
    15: ("NO_REQUIRED_P", "dmarc.policy-missing",
         "RFC 9989 changed the verdict: a record without p= is read as p=none, "
         "so mailcheck warns instead of rejecting the record"),
    16: ("OKAY", "dmarc.uri-unsupported",
         "rua=ftp://...: a valid URI of a scheme receivers skip; mailcheck agrees the "
         "record is fine and warns that no report arrives (issue 16 class 7)"),
    17: ("OKAY", "dmarc.uri-invalid",
         "ruf=mailto://abuse.com has no user@domain; mailcheck reports the URI (crit)"),
    18: ("OKAY", "dmarc.uri-invalid",
         "the same ruf=mailto://abuse.com, beside unknown tags (reported as info)"),
    19: ("OKAY", "dmarc.legacy-tag-invalid", LEGACY),
}
# record_fetch 1 (a missing ';' after fo=1:s swallows rua=) agreed with
# OpenDMARC's OKAY once fo= problems stopped invalidating the record
# (dmarc.fo-invalid, a warning there: fo= is invalid under RFC 7489 too).
FETCH_DIFFERS = {}

def outcome(codes, record):
    if "dmarc.missing" in codes or "dmarc.version-invalid" in codes:
        return "ERROR_EMPTY" if record == "" else "ERROR_BAD_VERSION"
    if "dmarc.tag-invalid" in codes or "dmarc.record-syntax" in codes:
        return "ERROR_BAD_VALUE"
    if "dmarc.policy-missing" in codes:
        return "ERROR_NO_REQUIRED_P"
    return "OKAY"

def run(binary, tmp, record):
    path = os.path.join(tmp, "z.zone")
    with open(path, "w") as f:
        f.write("abuse.net. A 192.0.2.1\n")
        f.write('_dmarc.abuse.net. TXT "%s"\n' % record.replace("\\", "\\\\").replace('"', '\\"'))
    p = subprocess.run([binary, "-f", "json", "-z", path, "--checks", "dmarc", "abuse.net"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode not in (0, 1, 2, 3) or "Sanitizer" in p.stderr or "runtime error:" in p.stderr:
        raise SystemExit("mailcheck failed (exit %d): %s" % (p.returncode, p.stderr[:2000]))
    return json.loads(p.stdout)["checks"][0]

def main():
    binary = sys.argv[1]
    ok = bad = 0
    def report(name, errs):
        nonlocal ok, bad
        if errs:
            bad += 1
            print("FAIL %s" % name)
            for e in errs:
                print("     %s" % e)
        else:
            ok += 1
            print("ok   %s" % name)
    if not os.path.isdir(PEER):
        print("skip: %s not found" % PEER)
        return 0
    with open(os.path.join(PEER, "dmarc-opendmarc", "vectors.json")) as f:
        vec = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        for v in vec["record_parse"]:
            res = run(binary, tmp, v["record"])
            codes = [x["code"] for x in res["findings"]]
            got = outcome(codes, v["record"])
            want, note = v["outcome"], ""
            errs = []
            if v["n"] in DIFFERS:
                want_ours, code, why = DIFFERS[v["n"]]
                want = want_ours.replace("NO_REQUIRED_P", "ERROR_NO_REQUIRED_P")
                note = " (differs from OpenDMARC %s: %s)" % (v["outcome"], why)
                if code not in codes:
                    errs.append("expected %s among %s" % (code, codes))
            if got != want:
                errs.append("outcome %s, want %s; findings %s" % (got, want, codes))
            report("opendmarc record_parse %d%s" % (v["n"], note), errs)
        for i, v in enumerate(vec["record_fetch"]):
            res = run(binary, tmp, v["record"])
            codes = [x["code"] for x in res["findings"]]
            got = outcome(codes, v["record"])
            want = v["expect"]["parse"]
            errs, note = [], ""
            if i in FETCH_DIFFERS:
                want, code, why = FETCH_DIFFERS[i]
                note = " (differs from OpenDMARC OKAY: %s)" % why
                if code not in codes:
                    errs.append("expected %s among %s" % (code, codes))
            if got != want:
                errs.append("outcome %s, want %s; findings %s" % (got, want, codes))
            if "pct" in v["expect"] and res["metrics"].get("pct") != v["expect"]["pct"]:
                errs.append("pct %s, want %s" % (res["metrics"].get("pct"), v["expect"]["pct"]))
            report("opendmarc record_fetch %d%s" % (i, note), errs)

        # organizational domains through libpsl
        cases = []
        for c in vec["org_domain_with_psl_snapshot"]["cases"]:
            cases.append(("opendmarc org domain", c["domain"], c["org_domain"]))
        with open(os.path.join(PEER, "psl-publicsuffix", "tests.txt"), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("//"):
                    continue
                inp, exp = line.split()
                cases.append(("psl", inp, None if exp == "null" else exp))
        skipped = 0
        runnable = []
        for src, inp, exp in cases:
            if inp == "null" or inp.startswith(".") or "." not in inp:
                skipped += 1
                continue
            a = inp.encode("idna").decode().lower()
            e = exp.encode("idna").decode().lower() if exp else None
            runnable.append((src, inp, a, e))
        path = os.path.join(tmp, "psl.zone")
        with open(path, "w") as f:
            f.write("example.org. A 192.0.2.1\n")
            # the whole DNS: every other name does not exist
            f.write("$ORIGIN .\n")
        # a handful of domains per run keeps command lines short
        for i in range(0, len(runnable), 20):
            chunk = runnable[i:i + 20]
            p = subprocess.run([binary, "-f", "jsonl", "-z", path, "--checks", "dmarc"] +
                               [c[2] for c in chunk], capture_output=True, text=True, timeout=60)
            if p.returncode not in (0, 1, 2, 3) or "Sanitizer" in p.stderr:
                raise SystemExit("mailcheck failed (exit %d): %s" % (p.returncode, p.stderr[:2000]))
            docs = [json.loads(l) for l in p.stdout.splitlines()]
            bydomain = {d["domain"]: d for d in docs}
            for src, inp, a, e in chunk:
                d = bydomain.get(a)
                got = d["checks"][0]["data"].get("org_domain_psl") if d else "<no report>"
                report("%s %s -> %s" % (src, inp, e), [] if got == e else ["got %s" % got])
        print("skipped %d PSL inputs that are not valid domain names for the command" % skipped)
    print("%d passed, %d failed" % (ok, bad))
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
