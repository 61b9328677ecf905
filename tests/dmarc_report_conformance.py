#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/dmarc_report_conformance.py - `mailcheck dmarc-report` against the
parsedmarc samples and the seed's Google report, summed independently

fixtures/dmarc-report/parsedmarc/ (Apache-2.0, see ORIGIN.md there) holds
parsedmarc's aggregate samples: plain XML, gzip, zip, mails carrying them,
malformed ones, RFC 7489, draft and DMARCbis formats.  For every file this
test finds the report XML itself with Python's standard library (gzip,
zipfile, email) and sums the <record> elements and their <count> with
xml.etree, never with mailcheck's code; mailcheck's JSON must give the
same records and messages per file.  A file Python cannot parse must be
reported unreadable, with its name, while the others are read.  The
expectations parsedmarc's own tests hold (expectations.json) are checked
too, and the JSON documents are validated against
docs/dmarc-report.schema.json.

Usage: dmarc_report_conformance.py BINARY
"""
import email, email.policy, io, json, os, subprocess, sys, zipfile, zlib
import xml.etree.ElementTree as ET

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(SRC, "fixtures", "dmarc-report", "parsedmarc")
SEED = os.path.join(SRC, "fixtures", "dmarc-report", "seed",
                    "google.com!tarnbarford.net!1432684800!1432771199.xml")
failures = []


def check(name, ok, msg=""):
    if ok:
        print("ok   %s" % name)
    else:
        print("FAIL %s %s" % (name, msg))
        failures.append(name)


def xml_docs(data):
    """The report XML documents inside data, found without mailcheck."""
    if data[:2] == b"\x1f\x8b":
        # one gzip member; trailing bytes (mimecast-weird-gzip.eml ends its
        # attachment with CRLF) are ignored, as zlib and parsedmarc do
        return [zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [z.read(i) for i in z.infolist()]
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return [data]
    docs = []
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        fname = part.get_filename() or ""
        payload = part.get_payload(decode=True) or b""
        if payload[:2] in (b"\x1f\x8b", b"PK") or (
                payload.lstrip()[:1] == b"<" and ("xml" in ctype or fname.lower().endswith(".xml"))):
            docs.extend(xml_docs(payload))
    return docs


def local(tag):
    return tag.rsplit("}", 1)[-1]


def sums(doc):
    """(records, messages) of one report, or None when it is not well-formed."""
    try:
        root = ET.fromstring(doc)
    except ET.ParseError:
        return None
    if local(root.tag) != "feedback":
        return None
    records = messages = 0
    for rec in root:
        if local(rec.tag) != "record":
            continue
        records += 1
        for row in rec:
            if local(row.tag) == "row":
                for c in row:
                    if local(c.tag) == "count":
                        messages += int(c.text.strip())
    return records, messages


def run(binary, *args):
    p = subprocess.run([binary, "dmarc-report", "--no-dns", "-f", "json"] + list(args),
                       capture_output=True, timeout=120)
    doc = json.loads(p.stdout) if p.stdout else None
    return p.returncode, doc, p.stderr.decode(errors="replace")


def validator():
    try:
        import jsonschema
    except ImportError:
        return None
    with open(os.path.join(SRC, "docs", "dmarc-report.schema.json")) as f:
        schema = json.load(f)
    return jsonschema.Draft202012Validator(schema)


def main():
    binary = sys.argv[1]
    with open(os.path.join(SAMPLES, "expectations.json")) as f:
        expect = json.load(f)["files"]
    val = validator()
    check("schema validator available", val is not None, "python3-jsonschema missing")
    total_rec = total_msg = bad = 0
    paths = []
    for rel in sorted(expect):
        path = os.path.join(SAMPLES, rel)
        paths.append(path)
        with open(path, "rb") as f:
            data = f.read()
        try:
            docs = xml_docs(data)
        except Exception:
            docs = []
        mine = [sums(d) for d in docs]
        rc, doc, err = run(binary, path)
        check(rel + ": a JSON document", doc is not None, err)
        if doc is None:
            continue
        if val is not None:
            errs = list(val.iter_errors(doc))
            check(rel + ": valid against the schema", not errs, errs[:1])
        files = doc["files"]
        good = [f for f in files if f["error"] is None]
        if not docs or any(m is None for m in mine):
            bad += 1
            check(rel + ": unreadable, with its name",
                  files and all(f["error"] and f["name"].startswith(path) for f in files)
                  and rc == 3, "rc=%d %r" % (rc, files))
            if "well_formed" in expect[rel]:
                check(rel + ": parsedmarc calls it malformed too", expect[rel]["well_formed"] is False)
            continue
        want = (sum(m[0] for m in mine), sum(m[1] for m in mine))
        got = (sum(f["records"] for f in good), sum(f["messages"] for f in good))
        check(rel + ": records and messages %r" % (want,), got == want and len(good) == len(docs),
              "mailcheck %r in %d reports" % (got, len(good)))
        if "records" in expect[rel]:
            check(rel + ": parsedmarc's record count", want[0] == expect[rel]["records"])
        total_rec += want[0]
        total_msg += want[1]
        e = expect[rel].get("expect")
        if isinstance(e, dict):
            d = doc["domains"][0] if doc["domains"] else {}
            for key, value in e.items():
                if key == "report_metadata.org_name":
                    got_v = good[0]["org_name"]
                    value = value.split(" (")[0]
                    if rel.startswith("aggregate/protection.outlook.com"):
                        # parsedmarc normalises the reporter's name; mailcheck keeps it
                        value = "Outlook.com"
                elif key == "report_metadata.report_id":
                    got_v = good[0]["report_id"]
                elif key == "policy_published.domain":
                    got_v = good[0]["domain"]
                elif key == "policy_published.p":
                    got_v = d.get("policy")
                elif key.startswith("policy_evaluated.") or key.startswith("auth_results."):
                    # 'Pass' is read as pass: the one source passes everywhere
                    s = d["sources"][0]
                    got_v = value if s["dmarc_pass"] == s["messages"] and \
                        s["spf_aligned_pass"] == s["messages"] and \
                        s["dkim_aligned_pass"] == s["messages"] and \
                        s["disposition"]["none"] == s["messages"] else "not " + value
                else:
                    continue
                check(rel + ": " + key, got_v == value, "got %r want %r" % (got_v, value))

    # all at once: the malformed files are named, the others go on
    rc, doc, err = run(binary, *paths)
    check("all samples: exit 1 (some sources fail DMARC)", rc == 1, "rc=%d %s" % (rc, err))
    check("all samples: unreadable counted", doc["totals"]["unreadable"] == bad,
          doc["totals"])
    check("all samples: totals", (doc["totals"]["records"], doc["totals"]["messages"]) ==
          (total_rec, total_msg), "%r want %r" % (doc["totals"], (total_rec, total_msg)))
    check("all samples: the DMARCbis sample is recognised", any(
        f["report_id"] == "3v98abbp8ya9n3va8yr8oa3ya" and f["error"] is None for f in doc["files"]))

    # the seed's Google report (../shared/tarnbarford-2015.md)
    rc, doc, err = run(binary, SEED)
    d = doc["domains"][0]
    s = d["sources"][0]
    check("seed: exit 0, every source passes", rc == 0, rc)
    check("seed: reporter, domain, period", (d["reporters"], d["domain"], d["begin"], d["end"],
          d["policy"]) == (["google.com"], "tarnbarford.net", 1432684800, 1432771199, "reject"), d)
    check("seed: one message from 144.76.187.44 passing SPF and DKIM", (
        s["ip"], s["messages"], s["spf_aligned_pass"], s["dkim_aligned_pass"],
        s["disposition"]["none"], s["own"], s["verdict"]) ==
        ("144.76.187.44", 1, 1, 1, 1, True, "passes"), s)
    check("seed: the report id", doc["files"][0]["report_id"] == "12005498305772839030")
    out = subprocess.run([binary, "dmarc-report", "--no-dns", "-f", "text", SEED],
                         capture_output=True, text=True).stdout
    check("seed: text totals", "totals: 1 messages in 1 records from 1 sources: 1 passed DMARC, "
          "0 failed; 1 delivered, 0 quarantined, 0 rejected" in out, out)
    if failures:
        print("%d failed" % len(failures))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
