#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/fixture_coverage.py - every finding code has a fixture

Item 4 of the checklist in include/mailcheck/check.h: each code in
include/mailcheck/findings.def appears in an `;@ expect:` line of some
fixtures/*/*.zone, or, for findings only a server can cause (the smtp and
dane probes), in an `expect_finding DOMAIN CODE SEVERITY` line of a
tests/e2e/*.sh script; except the few that neither can produce (listed
below with the reason).

Usage: fixture_coverage.py [BINARY]   (the binary is not used)
"""
import glob, os, re, sys

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# code: why no zone fixture can produce it
EXEMPT = {
    "internal-error": "a check failing internally: a bug, not DNS content (tests/unit/test_runner.c)",
    "check.timeout": "a check still running at the deadline; the zone backend never waits (tests/unit/test_runner.c)",
    "dns.permfail": "the zone backend's fault lines give SERVFAIL and TIMEOUT (TEMPFAIL) "
                    "only; REFUSED or a malformed reply needs a real server",
    # HTTPS behaviour --http-root cannot show: tests/e2e/https.sh serves it
    "mta-sts.fetch-tempfail": "a server that never answers: tests/e2e/https.sh",
    "mta-sts.policy-unreachable": "a server without TLS: tests/e2e/https.sh",
    "mta-sts.certificate": "expired, wrong-name and unknown-CA certificates: tests/e2e/https.sh",
    "mta-sts.redirect": "a 301 answer: tests/e2e/https.sh",
    "mta-sts.http-status": "a 403 answer: tests/e2e/https.sh",
    "mta-sts.content-type": "text/html served: tests/e2e/https.sh",
    "mta-sts.policy-too-large": "70 KiB, 10,000 mx lines and a 1 MB line, made at test time: tests/e2e/https.sh",
    "bimi.fetch-tempfail": "a logo server that never answers: tests/e2e/https.sh",
    "bimi.logo-too-large": "a 50 MB logo made at test time: tests/e2e/https.sh",
    "bimi.cert-expired": "certificates are made by openssl at test time (dates would rot in a fixture): tests/e2e/https.sh",
    "bimi.cert-expiring": "likewise: tests/e2e/https.sh",
    "bimi.cert-no-bimi-eku": "likewise: tests/e2e/https.sh",
    "bimi.cert-no-logotype": "likewise: tests/e2e/https.sh",
    "bimi.cert-name-mismatch": "likewise: tests/e2e/https.sh",
    "bimi.cert-issuer": "likewise: tests/e2e/https.sh",
    # made by `mailcheck dmarc-report` from reports, not by a check from DNS
    "dmarc-report.own-failing-dkim": "from aggregate reports: tests/dmarc_report_inputs.py, tests/e2e/dmarc_report.sh",
    "dmarc-report.own-volume-jump": "from aggregate reports: tests/dmarc_report_inputs.py",
    "dmarc-report.not-you-burst": "from aggregate reports: tests/dmarc_report_inputs.py",
    "dmarc-report.sources-capped": "past 100,000 sources: tests/dmarc_report_inputs.py",
    "dmarc-report.entity-refused": "billion laughs and an external entity: tests/dmarc_report_inputs.py",
    "smtp.connect-unreachable": "no route to a host: loopback always has one (the mapping from "
                                "ENETUNREACH/EHOSTUNREACH is in src/smtp.c)",
}

def main():
    with open(os.path.join(SRC, "include", "mailcheck", "findings.def")) as f:
        codes = re.findall(r'^MC_FINDING\(\s*\w+\s*,\s*"([^"]+)"', f.read(), re.M)
    expected = set()
    for path in glob.glob(os.path.join(SRC, "fixtures", "*", "*.zone")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(";@") and line[2:].strip().startswith("expect:"):
                    words = line[2:].strip()[len("expect:"):].split()
                    if words:
                        expected.add(words[0])
    for path in glob.glob(os.path.join(SRC, "tests", "e2e", "*.sh")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                words = line.split()
                if len(words) >= 3 and words[0] == "expect_finding":
                    expected.add(words[2])
    missing = [c for c in codes if c not in expected and c not in EXEMPT]
    for c in codes:
        if c in EXEMPT:
            print(f"skip {c}: {EXEMPT[c]}")
        elif c in expected:
            print(f"ok   {c}")
    for c in missing:
        print(f"FAIL {c}: no fixture expects it (add fixtures/<check>/<case>.zone)")
    print(f"{len(codes) - len(missing)}/{len(codes)} finding codes covered or exempt")
    return 1 if missing or not codes else 0

if __name__ == "__main__":
    sys.exit(main())
