#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/dmarc_report_inputs.py - `mailcheck dmarc-report`: containers,
hostile reports, verdicts, DNS and exit codes

Every input is made here, at test time, with Python's standard library:
- containers: gzip (one member, two members, two and trailing zeros), zip
  (deflate and stored; with data descriptors), a mail with a base64 gzip
  attachment, a mail with a quoted-printable XML attachment inside a
  forwarded message/rfc822, an mbox of two such mails, a Maildir (cur/ and
  new/); the totals must be the sums of what was packed;
- hostile: billion laughs and an external entity (refused, flagged
  "refused"), a gzip and a zip bomb (over 100:1), 25 MiB of XML that
  compresses less than 100:1 (over the 20 MiB cap), a truncated gzip, a zip
  member named ../../x (never used as a path), terminal escapes in a
  reporter's name (escaped in the text), an empty file; each is reported
  with its name and the good file beside it is still read;
- verdicts: passes, forwarder, not-you with a burst flag, an own address
  (SPF pass in the reports) with a volume jump; the flags are findings of
  findings.def (severity, spec, hint); 100,002 sources: the cap's flag;
- periods: one row per report period (date_range), two reporters of one
  period in one row, oldest first whatever the order of the files;
- DNS through a zone file (-z): PTR names, and check_host() making a
  failing source "own-server-failing-dkim";
- exit codes 0, 1, 3 and usage errors.

Usage: dmarc_report_inputs.py BINARY
"""
import email.message, gzip, io, json, os, random, subprocess, sys, tempfile, time, zipfile, zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dmarc_report_conformance import check, failures  # noqa: E402


def record(ip, count, dkim="pass", spf="pass", disp="none", auth_dkim=None, auth_spf=None,
           domain="example.org"):
    auth = ""
    if auth_dkim:
        auth += "<dkim><domain>%s</domain><result>%s</result></dkim>" % auth_dkim
    if auth_spf:
        auth += "<spf><domain>%s</domain><result>%s</result></spf>" % auth_spf
    return ("<record><row><source_ip>%s</source_ip><count>%d</count><policy_evaluated>"
            "<disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row>"
            "<identifiers><header_from>%s</header_from></identifiers>"
            "<auth_results>%s</auth_results></record>\n" % (ip, count, disp, dkim, spf, domain, auth))


def report(records, org="receiver.test", begin=1700000000, domain="example.org", rid="r1",
           prolog=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n%s<feedback><report_metadata><org_name>%s</org_name>'
            "<email>dmarc@receiver.test</email><report_id>%s</report_id><date_range><begin>%d</begin>"
            "<end>%d</end></date_range></report_metadata><policy_published><domain>%s</domain>"
            "<adkim>r</adkim><aspf>r</aspf><p>reject</p><sp>reject</sp><pct>100</pct>"
            "</policy_published>\n%s</feedback>\n" % (prolog, org, rid, begin, begin + 86399, domain,
                                                       "".join(records))).encode()


def run(binary, *args, fmt="json"):
    p = subprocess.run([binary, "dmarc-report", "-f", fmt] + list(args),
                       capture_output=True, timeout=300)
    doc = None
    if fmt == "json" and p.stdout:
        doc = json.loads(p.stdout)
    return p.returncode, doc, p.stdout, p.stderr.decode(errors="replace")


def mail(parts, subject="Report domain: example.org"):
    m = email.message.EmailMessage()
    m["From"] = "dmarc@receiver.test"
    m["To"] = "rua@example.org"
    m["Subject"] = subject
    m.set_content("A DMARC aggregate report.\n")
    for data, maintype, subtype, fname, cte in parts:
        if maintype == "message":
            m.add_attachment(data)
            continue
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=fname, cte=cte)
    return m


def main():
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="mc-dmarc-")
    old = os.getcwd()
    os.chdir(tmp)

    def w(name, data):
        with open(name, "wb") as f:
            f.write(data)
        return os.path.join(tmp, name)

    good = report([record("192.0.2.1", 3), record("192.0.2.2", 4)])
    one = report([record("192.0.2.9", 5)], rid="r2")

    # --- containers ---
    gz = w("r.xml.gz", gzip.compress(good))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", good)
        z.writestr(zipfile.ZipInfo("b.xml"), one)   # stored
    zp = w("r.zip", zbuf.getvalue())

    class Unseekable(io.RawIOBase):
        """zipfile writes data descriptors (flag bit 3) to a stream it cannot seek"""
        def __init__(self):
            self.buf = io.BytesIO()

        def writable(self):
            return True

        def write(self, b):
            return self.buf.write(b)
    us = Unseekable()
    with zipfile.ZipFile(us, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("a.xml", good), ("b.xml", one)):
            with z.open(name, "w") as f:
                f.write(data)
    zdd = w("dd.zip", us.buf.getvalue())
    m1 = mail([(gzip.compress(good), "application", "gzip", "r.xml.gz", "base64")])
    eml = w("gz.eml", bytes(m1))
    inner = mail([(one, "text", "xml", "r.xml", "quoted-printable")])
    m2 = mail([(inner, "message", None, None, None)], subject="Fwd: report")
    eml2 = w("fwd.eml", bytes(m2))
    mbox = w("box.mbox", b"From dmarc@receiver.test Mon Jan  1 00:00:00 2024\n" + bytes(m1) +
             b"\nFrom dmarc@receiver.test Mon Jan  1 00:00:01 2024\n" + bytes(m2))
    os.makedirs("Maildir/cur")
    os.makedirs("Maildir/new")
    os.makedirs("Maildir/tmp")
    w("Maildir/cur/1.eml", bytes(m1))
    w("Maildir/new/2.eml", bytes(m2))
    w("Maildir/tmp/3.eml", bytes(m1))  # tmp/ is not delivered mail
    # a multi-member gzip (RFC 1952 2.2; `cat a.gz b.gz`): one report cut in
    # two, each half its own member, and trailing zeros as tape tools leave
    cut = len(good) // 2
    gz2 = w("two.xml.gz", gzip.compress(good[:cut]) + gzip.compress(good[cut:]))
    gz2z = w("two0.xml.gz", gzip.compress(good[:cut]) + gzip.compress(good[cut:]) + b"\0" * 512)
    m3 = mail([(gzip.compress(good[:cut]) + gzip.compress(good[cut:]), "application", "gzip", "r.xml.gz",
                "base64")])
    eml3 = w("gz2.eml", bytes(m3))
    # the caps hold over all members: the second one is the bomb
    bomb2 = w("bomb2.xml.gz", gzip.compress(good[:-12]) + gzip.compress(b" " * (30 << 20) + good[-12:]))
    rc, doc, _, err = run(binary, "--no-dns", bomb2, gz)
    check("multi-member gzip: the 100:1 cap counts every member", doc["files"][0]["error"] is not None and
          "100 times" in doc["files"][0]["error"] and doc["files"][1]["error"] is None, doc["files"])
    for name, path, reports, msgs in (("gzip", gz, 1, 7), ("gzip of two members", gz2, 1, 7),
                                      ("gzip of two members and trailing zeros", gz2z, 1, 7),
                                      ("mail, base64 gzip of two members", eml3, 1, 7),
                                      ("zip deflate and stored", zp, 2, 12),
                                      ("zip with data descriptors", zdd, 2, 12),
                                      ("mail, base64 gzip", eml, 1, 7),
                                      ("forwarded mail, quoted-printable xml", eml2, 1, 5),
                                      ("mbox of two mails", mbox, 2, 12),
                                      ("Maildir cur and new", os.path.join(tmp, "Maildir"), 2, 12)):
        rc, doc, _, err = run(binary, "--no-dns", path)
        ok = [f for f in doc["files"] if f["error"] is None]
        check("container %s: %d reports, %d messages" % (name, reports, msgs),
              len(ok) == reports == len(doc["files"]) and doc["totals"]["messages"] == msgs,
              "%r %s" % (doc["files"], err))

    # --- hostile ---
    laughs = ('<!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa">' +
              "".join('<!ENTITY %s "%s">' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10) for i in range(9)) +
              "]>\n")
    bl = w("laughs.xml", report([record("192.0.2.1", 1, domain="&j;")], prolog=laughs))
    xxe = w("xxe.xml", report([record("192.0.2.1", 1, domain="&x;")],
                              prolog='<!DOCTYPE feedback [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'))
    bomb = w("bomb.xml.gz", gzip.compress(good[:-12] + b" " * (30 << 20) + good[-12:]))
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.xml", good[:-12] + b" " * (30 << 20) + good[-12:])
    zbomb = w("bomb.zip", zb.getvalue())
    rnd = random.Random(7)
    big = report([record("10.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)),
                         rnd.randrange(1, 10 ** 6)) for _ in range(160000)])
    bigz = gzip.compress(big)
    large = w("large.xml.gz", bigz)
    trunc = w("trunc.xml.gz", gzip.compress(good)[:-30])
    eb = io.BytesIO()
    with zipfile.ZipFile(eb, "w") as z:
        z.writestr("../../mc-evil-member.xml", one)
    evil = w("evil.zip", eb.getvalue())
    esc = w("esc.xml", report([record("192.0.2.1", 1)], org="evil\u009b31mred\u0085"))
    empty = w("empty.xml", b"")
    notxml = w("notes.txt", b"Subject: hello\n\njust text\n")
    wrongroot = w("root.xml", b"<html><body>no</body></html>")
    for name, path, want, refused in (
            ("billion laughs", bl, "entity", True), ("external entity", xxe, "external entity", True),
            ("gzip bomb", bomb, "100 times", False), ("zip bomb", zbomb, "100 times", False),
            ("25 MiB at %d:1" % (len(big) // len(bigz)), large, "over 20 MiB", False),
            ("truncated gzip", trunc, "truncated", False), ("empty file", empty, "empty file", False),
            ("a mail without a report", notxml, "not a DMARC report", False),
            ("another root element", wrongroot, "not <feedback>", False)):
        rc, doc, _, err = run(binary, "--no-dns", path, gz)
        f = doc["files"][0]
        check("hostile %s: refused with its name, the good file still read" % name,
              f["name"].startswith(path) and f["error"] is not None and want in f["error"] and
              f["refused"] is refused and doc["files"][1]["error"] is None and
              doc["totals"]["messages"] == 7 + f["messages"] and rc == 0,
              "rc=%d %r %s" % (rc, f, err))
        want_finding = "dmarc-report.entity-refused" if refused else None
        check("hostile %s: finding %s" % (name, want_finding),
              (f["finding"] or {}).get("code") == want_finding and
              (not refused or (f["finding"]["severity"] == "warn" and f["finding"]["subject"] == f["name"])),
              f["finding"])
    rc, _, out, _ = run(binary, "--no-dns", bl, fmt="text")
    check("text: a refused report is the finding, with its fix",
          ("warn: dmarc-report.entity-refused %s: " % bl).encode() in out and b"  fix: the report format has no"
          in out, out.decode(errors="replace"))
    check("hostile: the 25 MiB report really is under 100:1", len(big) // len(bigz) < 100)
    rc, doc, _, err = run(binary, "--no-dns", evil)
    check("zip member ../../x: read, its name never used", doc["files"][0]["error"] is None and
          doc["files"][0]["name"] == evil + " member 1" and
          not os.path.exists(os.path.join(tmp, "..", "..", "mc-evil-member.xml")), doc["files"])
    rc, _, out, _ = run(binary, "--no-dns", esc, fmt="text")
    check("C1 controls (CSI) in a report are escaped in text", b"\xc2\x9b" not in out and
          b"\xc2\x85" not in out and b"evil\\194\\15531mred\\194\\133" in out, out[:300])
    rc, doc, _, _ = run(binary, "--no-dns", esc)
    check("JSON carries them escaped", doc["domains"][0]["reporters"] == ["evil\\194\\15531mred\\194\\133"],
          doc["domains"][0]["reporters"])

    # --- verdicts and flags ---
    day = 1700006400  # a UTC midnight
    recs = [report([record("192.0.2.10", 5, auth_spf=("example.org", "pass"),
                           auth_dkim=("example.org", "pass"))], begin=day + 86400 * i, rid="d%d" % i)
            for i in range(4)]
    recs.append(report([record("192.0.2.10", 5000, auth_spf=("example.org", "pass"),
                               auth_dkim=("example.org", "pass")),
                        record("198.51.100.7", 30, spf="fail", auth_spf=("list.test", "pass"),
                               auth_dkim=("example.org", "pass")),
                        record("203.0.113.5", 400, dkim="fail", spf="fail", disp="reject",
                               auth_spf=("spoof.test", "pass")),
                        record("203.0.113.6", 2, dkim="fail", spf="fail",
                               auth_dkim=("example.org", "pass"), auth_spf=("fwd.test", "fail"))],
                       begin=day + 86400 * 4, rid="d4", org="other.test"))
    paths = [w("day%d.xml" % i, r) for i, r in enumerate(recs)]
    rc, doc, _, err = run(binary, "--no-dns", *paths)
    d = doc["domains"][0]
    v = {s["ip"]: s["verdict"] for s in d["sources"]}
    check("verdicts", v == {"192.0.2.10": "passes", "198.51.100.7": "forwarder",
                            "203.0.113.5": "not-you", "203.0.113.6": "forwarder"}, v)
    codes = sorted(f["code"] for f in d["flags"])
    check("flags: a not-you burst and a jump from an own address",
          codes == ["dmarc-report.not-you-burst", "dmarc-report.own-volume-jump"], d["flags"])
    # the flags are findings of findings.def: its severity, spec and hint
    f = {x["code"]: x for x in d["flags"]}
    check("flags carry findings.def's severity, spec and hint",
          f["dmarc-report.own-volume-jump"]["severity"] == "crit" and
          f["dmarc-report.own-volume-jump"]["spec"] == "RFC 7489 7.2" and
          "outgoing queue" in f["dmarc-report.own-volume-jump"]["hint"] and
          f["dmarc-report.not-you-burst"]["severity"] == "warn", d["flags"])
    check("exit 1 when a source fails", rc == 1, rc)
    check("totals", (d["totals"]["messages"], d["totals"]["passed"], d["totals"]["failed"],
                     d["totals"]["disposition"]["reject"], d["reports"], len(d["reporters"])) ==
          (5452, 5050, 402, 400, 5, 2), d["totals"])
    per = [(x["begin"], x["end"], x["reports"], x["reporters"], x["messages"], x["passed"], x["failed"])
           for x in d["periods"]]
    check("periods: one row per report period, oldest first",
          per == [(day + 86400 * i, day + 86400 * i + 86399, 1, ["receiver.test"], 5, 5, 0) for i in range(4)] +
          [(day + 86400 * 4, day + 86400 * 4 + 86399, 1, ["other.test"], 5432, 5030, 402)] and
          (d["begin"], d["end"]) == (day, day + 86400 * 4 + 86399) and d["other_periods_reports"] == 0, per)
    # two reporters for the same day share its row; given newest first,
    # the rows still come oldest first
    same = w("same.xml", report([record("192.0.2.10", 3), record("203.0.113.5", 1, dkim="fail", spf="fail")],
                                begin=day, rid="s0", org="third.test"))
    rc, doc, _, _ = run(binary, "--no-dns", paths[1], same, paths[0])
    per = [(x["begin"], x["reports"], x["reporters"], x["records"], x["messages"], x["passed"], x["failed"])
           for x in doc["domains"][0]["periods"]]
    check("periods: two reports of one date_range share a row", per ==
          [(day, 2, ["receiver.test", "third.test"], 3, 9, 8, 1), (day + 86400, 1, ["receiver.test"], 1, 5, 5, 0)],
          per)
    rc, _, out, _ = run(binary, "--no-dns", paths[1], same, paths[0], fmt="text")
    first = time.strftime("%Y-%m-%d", time.gmtime(day))
    check("text: one line per period", ("  period %s 00:00 - %s 23:59 UTC: 2 reports (receiver.test, third.test), "
                                        "9 messages: 8 passed, 1 failed\n" % (first, first)).encode() in out and
          out.count(b"  period ") == 2, out.decode(errors="replace"))
    rc, _, out, _ = run(binary, "--no-dns", *paths, fmt="text")
    check("text: totals line and the flags", b"totals: 5452 messages in 8 records from 4 sources: "
          b"5050 passed DMARC, 402 failed; 5052 delivered, 0 quarantined, 400 rejected" in out and
          b"crit: dmarc-report.own-volume-jump 192.0.2.10" in out, out.decode(errors="replace"))

    # past MC_DMARC_MAX_SOURCES (100,000) sources: counted, not listed, flagged
    recs = "".join("<record><row><source_ip>10.%d.%d.%d</source_ip><count>1</count><policy_evaluated>"
                   "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>"
                   "<identifiers><header_from>example.org</header_from></identifiers></record>\n"
                   % (i >> 16, (i >> 8) & 255, i & 255) for i in range(100002))
    capped = w("capped.xml", report([recs]))
    rc, _, out, err = run(binary, "--no-dns", capped, fmt="text")
    check("100,002 sources: 2 counted past the cap, flagged info",
          b"info: dmarc-report.sources-capped example.org: 2 messages from sources past the first 100000" in out and
          b"totals: 100002 messages in 100002 records from 100000 sources" in out and rc == 0,
          out[-600:].decode(errors="replace") + err)
    os.unlink(capped)

    # --- DNS: PTR names and check_host() through a zone file ---
    zone = w("example.org.zone", b"""$ORIGIN example.org.
$TTL 300
@ SOA ns.example.org. h.example.org. 1 3600 900 604800 300
@ NS ns.example.org.
@ MX 10 mail.example.org.
@ TXT "v=spf1 mx -all"
mail A 192.0.2.25
""")
    rzone = w("rev.zone", b"""$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@ SOA ns.example.org. h.example.org. 1 3600 900 604800 300
25 PTR mail.example.org.
$ORIGIN 113.0.203.in-addr.arpa.
""")  # the second $ORIGIN: the file speaks for 203.0.113.5's zone, no PTR
    dns = w("dns.xml", report([record("192.0.2.25", 9, dkim="fail", spf="fail",
                                      auth_spf=("bounce.example.net", "pass")),
                               record("203.0.113.5", 1, dkim="fail", spf="fail")]))
    rc, doc, _, err = run(binary, "-z", zone, "-z", rzone, dns)
    s = {x["ip"]: x for x in doc["domains"][0]["sources"]}
    check("DNS: the MX address failing DKIM is the domain's own",
          s["192.0.2.25"]["verdict"] == "own-server-failing-dkim" and s["192.0.2.25"]["own"], s)
    check("DNS: PTR names asked through the zone", s["192.0.2.25"]["ptr"] == "mail.example.org" and
          s["203.0.113.5"]["ptr"] is None and s["203.0.113.5"]["ptr_status"] == "none" and
          s["203.0.113.5"]["verdict"] == "not-you", s)
    rc, doc, _, err = run(binary, "--no-dns", dns)
    s = {x["ip"]: x for x in doc["domains"][0]["sources"]}
    check("--no-dns: nothing asked", s["192.0.2.25"]["ptr_status"] is None and
          s["192.0.2.25"]["verdict"] == "not-you", s)

    # --- exit codes ---
    ok_only = w("ok.xml", good)
    check("exit 0 when every source passes", run(binary, "--no-dns", ok_only)[0] == 0)
    check("exit 3 when nothing could be read", run(binary, "--no-dns", empty, bl)[0] == 3)
    check("exit 3 for a missing file", run(binary, "--no-dns", os.path.join(tmp, "nope"))[0] == 3)
    rc, _, _, err = run(binary)
    check("usage: no file", rc == 3 and "no report file given" in err, err)
    rc, _, _, err = run(binary, "--no-dns", "-z", zone, ok_only)
    check("usage: --no-dns with -z", rc == 3 and "--no-dns" in err, err)
    os.chdir(old)
    if failures:
        print("%d failed" % len(failures))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
