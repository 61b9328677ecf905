#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/verify_dkim.py - `mailcheck verify`: DKIM vectors written by others,
messages this test signs itself with OpenSSL, DMARC and SPF, through the real
binary and the zone backend (no network)

1. The seed's message (fixtures/demo/tarnbarford-2015-dkim-signed.eml) passes
   with the key of fixtures/demo/tarnbarford.net.zone; DMARC passes; exit 0.
2. Peer vectors from fixtures/peer-tests (vendored; MC_PEER_TESTS
   overrides): dkim-rfc-examples (RFC 6376 A.2 as printed: body hash mismatch;
   A.2 verifiable: pass; RFC 8463 A.3: both signatures pass) and dkim-dkimpy
   (cases.json, expectations as upstream states them).
3. Messages signed here: keys made with the openssl command (RSA 1024, 2048,
   4096 and Ed25519), canonicalization written in this file (independently of
   src/dkim_verify.c) and the signature made by `openssl dgst -sign` /
   `openssl pkeyutl -sign`; every case has an expected verdict and reason.
   Where the expected verdict is a matter of cryptography or RFC 6376 syntax,
   it is also checked with an independent verifier, dkimpy (Debian's
   python3-dkim; the case says 'dkimpy agrees'), when it is installed.
4. DMARC alignment (relaxed, strict, no policy), SPF with --ip and the exit
   codes; hostile messages (NUL bytes, 100,000 fields, over the size cap,
   1,000 signatures, b= of 1 MB) end in a clear error or a verdict, never a
   crash.

Usage: verify_dkim.py BINARY
"""
import base64, hashlib, json, os, re, subprocess, sys, tempfile

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the vendored copy (fixtures/peer-tests/README.md), or MC_PEER_TESTS
PEER = os.environ.get("MC_PEER_TESTS") or os.path.join(SRC, "fixtures", "peer-tests")
NOW = 1764000000  # --now: a fixed clock, so t= and x= cases do not age

try:
    import jsonschema
    SCHEMA = json.load(open(os.path.join(SRC, "docs", "verify.schema.json")))
except ImportError:
    jsonschema = None
try:
    import dkim as dkimpy  # Debian python3-dkim: the independent verifier
except ImportError:
    dkimpy = None

BIN = None
TMP = None
failures = []
passed = 0


def check(name, cond, detail=""):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(name)
        print("FAIL %s %s" % (name, detail))


def zone_txt(record):
    if isinstance(record, list):
        parts = record
    else:
        parts = [record[i:i + 200] for i in range(0, len(record), 200)] or [""]
    return "( " + " ".join('"%s"' % p.replace("\\", "\\\\").replace('"', '\\"') for p in parts) + " )"


def write_zone(records, extra="", tld_origins=True):
    """records: {name: txt or [strings] or [[strings], ...]}"""
    path = os.path.join(TMP, "z%d.zone" % len(os.listdir(TMP)))
    with open(path, "w") as f:
        for name, txt in records.items():
            rrs = txt if isinstance(txt, list) and txt and isinstance(txt[0], list) else [txt]
            for t in rrs:
                f.write("%s. 300 IN TXT %s\n" % (name, zone_txt(t)))
        f.write(extra)
        # The file speaks for each top-level domain it names, so that a
        # name below one without records (a From domain the case gives no
        # DMARC record, as dkimpy's unsigned message) is an authoritative
        # "no record", not "outside the zone files: not checked".
        for tld in sorted({n.rstrip(".").rsplit(".", 1)[-1].lower() for n in records} | {"test", "com", "org"}):
            if tld_origins:
                f.write("$ORIGIN %s.\n" % tld)
    return path


def verify(msg, zones, *args, expect_json=True):
    path = os.path.join(TMP, "msg.eml")
    with open(path, "wb") as f:
        f.write(msg)
    cmd = [BIN, "verify", "-f", "json", "--now", str(NOW)]
    for z in zones:
        cmd += ["-z", z]
    cmd += list(args) + [path]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    if "Sanitizer" in err or "runtime error:" in err or p.returncode not in (0, 1, 2, 3):
        raise SystemExit("mailcheck crashed (exit %d): %s" % (p.returncode, err[:2000]))
    if not expect_json:
        return p.returncode, None, err
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        raise SystemExit("no JSON (exit %d): %s %s" % (p.returncode, p.stdout[:500], err[:500]))
    if jsonschema is not None:
        jsonschema.validate(doc, SCHEMA)  # every document the test reads
    check("exit code in the document", doc["exit_code"] == p.returncode, (doc["exit_code"], p.returncode))
    return p.returncode, doc, err


def dkimpy_dns(records):
    """A dnsfunc for dkimpy answering from records."""
    def dnsfunc(name, timeout=5):
        n = name.decode() if isinstance(name, bytes) else name
        v = records.get(n.rstrip("."))
        if v is None:
            return None
        if isinstance(v, list):
            v = "".join(v[0] if isinstance(v[0], list) else v)
        return v.encode()
    return dnsfunc


def dkimpy_verdicts(msg, records):
    """dkimpy's verdict on every signature: True / False (None: no dkimpy)."""
    if dkimpy is None:
        return None
    dnsfunc = dkimpy_dns(records)
    d = dkimpy.DKIM(msg)
    out = []
    n = len(re.findall(rb"(?im)^dkim-signature:", msg))
    for i in range(n):
        try:
            out.append(bool(d.verify(idx=i, dnsfunc=dnsfunc)))
        except Exception:
            out.append(False)
    return out


# ---------------------------------------------------------------- signing

def canon_body(body, relaxed):
    if relaxed:
        lines = body.split(b"\r\n")
        lines = [re.sub(rb"[ \t]+", b" ", l).rstrip(b" \t") for l in lines]
        body = b"\r\n".join(lines)
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"
    while body.endswith(b"\r\n\r\n"):
        body = body[:-2]
    if relaxed and body == b"\r\n":
        body = b""
    if not relaxed and body == b"":
        body = b"\r\n"
    return body


def canon_header(name, value, relaxed):
    """name and value (raw, folded, with the final CRLF)"""
    if not relaxed:
        return name + b":" + value
    v = re.sub(rb"\r\n", b"", value)
    v = re.sub(rb"[ \t]+", b" ", v).strip(b" \t")
    return name.lower().strip() + b":" + v + b"\r\n"


def split_message(msg):
    head, _, body = msg.partition(b"\r\n\r\n")
    fields = []
    for line in (head + b"\r\n").split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t"):
            fields[-1][1] += line + b"\r\n"
        else:
            n, _, v = line.partition(b":")
            fields.append([n, v + b"\r\n"])
    return fields, body


def openssl_sign(keyfile, data, alg):
    dpath = os.path.join(TMP, "data.bin")
    with open(dpath, "wb") as f:
        f.write(hashlib.sha256(data).digest() if alg == "ed25519-sha256" else data)
    if alg == "ed25519-sha256":
        cmd = ["openssl", "pkeyutl", "-sign", "-inkey", keyfile, "-rawin", "-in", dpath]
    else:
        cmd = ["openssl", "dgst", "-sha1" if alg == "rsa-sha1" else "-sha256", "-sign", keyfile, dpath]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def sign(msg, key, d="example.test", s="sel", alg="rsa-sha256", c="relaxed/relaxed",
         h="from:to:subject:date", extra="", l=None):
    hc, _, bc = c.partition("/")
    fields, body = split_message(msg)
    cb = canon_body(body, bc == "relaxed")
    if l is not None:
        cb = cb[:l]
    bh = base64.b64encode((hashlib.sha1 if alg == "rsa-sha1" else hashlib.sha256)(cb).digest()).decode()
    tags = "v=1; a=%s; c=%s; d=%s; s=%s;%s%s\r\n\th=%s; bh=%s;\r\n\tb=" % (
        alg, c, d, s, extra, (" l=%d;" % l) if l is not None else "", h, bh)
    block = b""
    used = set()
    for name in h.split(":"):
        for i in range(len(fields) - 1, -1, -1):
            if i not in used and fields[i][0].strip().lower() == name.strip().lower().encode():
                used.add(i)
                block += canon_header(fields[i][0], fields[i][1], hc == "relaxed")
                break
    sigfield = canon_header(b"DKIM-Signature", b" " + tags.encode() + b"\r\n", hc == "relaxed")
    block += sigfield[:-2]
    b = base64.b64encode(openssl_sign(key["file"], block, alg)).decode()
    folded = "\r\n\t".join(b[i:i + 64] for i in range(0, len(b), 64))
    return b"DKIM-Signature: " + tags.encode() + folded.encode() + b"\r\n" + msg


def make_key(kind):
    path = os.path.join(TMP, "%s.pem" % kind)
    if kind == "ed25519":
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", path], check=True,
                       capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                             capture_output=True, check=True).stdout
        p = base64.b64encode(der[-32:]).decode()
        return {"file": path, "record": "v=DKIM1; k=ed25519; p=" + p}
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%s" % kind,
                    "-out", path], check=True, capture_output=True)
    der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    return {"file": path, "record": "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()}


def arc_seal(msg, key, inst, cv, d="forwarder.test", s="arc", srv="mx.forwarder.test",
             said="dkim=pass header.d=example.test"):
    """Add ARC set inst (RFC 8617 5.1) to msg, signed with key; said: what
    its ARC-Authentication-Results reports."""
    fields, body = split_message(msg)
    aar = [b"ARC-Authentication-Results", (" i=%d; %s; %s\r\n" % (inst, srv, said)).encode()]
    bh = base64.b64encode(hashlib.sha256(canon_body(body, True)).digest()).decode()
    h = "from:to:subject:date"
    tags = " i=%d; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=%s; h=%s; bh=%s; b=" % (inst, d, s, h, bh)
    block = b""
    used = set()
    for name in h.split(":"):
        for i in range(len(fields) - 1, -1, -1):
            if i not in used and fields[i][0].strip().lower() == name.encode():
                used.add(i)
                block += canon_header(fields[i][0], fields[i][1], True)
                break
    block += canon_header(b"ARC-Message-Signature", tags.encode() + b"\r\n", True)[:-2]
    ams = [b"ARC-Message-Signature", (tags + base64.b64encode(openssl_sign(key["file"], block, "rsa-sha256")).decode() + "\r\n").encode()]
    seal_tags = " i=%d; cv=%s; a=rsa-sha256; d=%s; s=%s; b=" % (inst, cv, d, s)
    block = b""
    for j in range(1, inst):
        for kind in (b"arc-authentication-results", b"arc-message-signature", b"arc-seal"):
            for n, v in fields:
                if n.strip().lower() == kind and re.match(rb"\s*i=%d\s*;" % j, v):
                    block += canon_header(n, v, True)
    block += canon_header(*aar, True) + canon_header(*ams, True)
    block += canon_header(b"ARC-Seal", seal_tags.encode() + b"\r\n", True)[:-2]
    seal = b"ARC-Seal:" + seal_tags.encode() + base64.b64encode(openssl_sign(key["file"], block, "rsa-sha256")) + b"\r\n"
    return seal + ams[0] + b":" + ams[1] + aar[0] + b":" + aar[1] + msg


def dkimpy_arc(msg, records):
    if dkimpy is None:
        return None
    try:
        cv, _, _ = dkimpy.arc_verify(msg, dnsfunc=dkimpy_dns(records))
        return cv.decode() if isinstance(cv, bytes) else cv
    except Exception as e:
        return "error: %s" % e


def arc():
    k = make_key("2048")
    fw = make_key("1024")
    recs = {"sel._domainkey.example.test": k["record"], "arc._domainkey.forwarder.test": fw["record"],
            "_dmarc.example.test": "v=DMARC1; p=reject"}
    z = write_zone(recs)
    if os.path.isdir(PEER):
        base = os.path.join(PEER, "dkim-dkimpy")
        for c in json.load(open(os.path.join(base, "cases.json")))["arc_cases"]:
            rr = {n: open(os.path.join(base, v)).read().rstrip("\n") for n, v in c["dns_txt"].items()}
            msg = open(os.path.join(base, c["message"]), "rb").read()
            rc, doc, _ = verify(msg, [write_zone(rr)])
            check("peer %s: arc %s" % (c["id"], c["expect_cv"]), doc["arc"]["result"] == c["expect_cv"], doc["arc"])
    signed = sign(MSG, k)
    one = arc_seal(signed, fw, 1, "none")
    two = arc_seal(one, fw, 2, "pass", srv="mx2.forwarder.test")

    def run(name, msg, expect, reason=None, agree=True):
        rc, doc, _ = verify(msg, [z])
        got = doc["arc"]
        ok = got["result"] == expect and (reason is None or reason in (got["reason"] or ""))
        indep = ""
        if agree and dkimpy is not None:
            dv = dkimpy_arc(msg, recs)
            ok = ok and dv == expect
            indep = " dkimpy=%s" % dv
        check("arc %s: %s%s" % (name, expect, " (dkimpy agrees)" if agree and dkimpy else ""), ok,
              "%s %s%s" % (got["result"], got["reason"], indep))
        return doc
    doc = run("one set", one, "pass")
    check("arc one set: the sealer's word", doc["arc"]["sets"][0]["authserv_id"] == "mx.forwarder.test" and
          doc["arc"]["sets"][0]["results"].startswith("dkim=pass"), doc["arc"])
    doc = run("two sets", two, "pass")
    check("arc two sets: reported in order, every AMS verified", [x["instance"] for x in doc["arc"]["sets"]] ==
          [1, 2] and doc["arc"]["sets"][1]["message_signature"] == "pass" and
          doc["arc"]["sets"][0]["message_signature"] == "pass" and doc["arc"]["oldest_pass"] == 0, doc["arc"])
    check("arc in Authentication-Results", "arc=pass (2 sets) header.oldest-pass=0" in doc["authentication_results"],
          doc["authentication_results"])
    check("arc pass, dmarc pass: no note", doc["dmarc"]["arc_note"] is None, doc["dmarc"])
    # RFC 8617 5.2 step 5: a list that changes the body after set 1 breaks
    # AMS i=1 (reported), not the chain; oldest-pass says where it held
    listed = arc_seal(one.replace(b"second", b"[list] second"), fw, 2, "pass", srv="lists.forwarder.test")
    doc = run("body changed between the sealers", listed, "pass")
    sets = doc["arc"]["sets"]
    check("arc: AMS i=1 broken by the change, i=2 verifies, oldest-pass 2",
          sets[0]["message_signature"] == "fail" and "body hash mismatch" in sets[0]["message_signature_reason"]
          and sets[1]["message_signature"] == "pass" and doc["arc"]["oldest_pass"] == 2 and
          "header.oldest-pass=2" in doc["authentication_results"], doc["arc"])
    # DMARC fails (the list broke the author's DKIM signature); ARC passes:
    # mailcheck keeps dmarc=fail and says what a receiver trusting the
    # sealers could do (RFC 8617 7.2)
    check("arc pass, dmarc fail: DMARC unchanged, the sealer did not see dmarc=pass",
          doc["dmarc"]["result"] == "fail" and doc["exit_code"] == 2 and
          "did not see DMARC pass" in (doc["dmarc"]["arc_note"] or ""), doc["dmarc"])
    one_dm = arc_seal(signed, fw, 1, "none", said="dkim=pass header.d=example.test; dmarc=pass header.from=example.test")
    listed = arc_seal(one_dm.replace(b"second", b"[list] second"), fw, 2, "pass", d="lists.test",
                      srv="lists.test")
    recs_l = dict(recs, **{"arc._domainkey.lists.test": fw["record"]})
    rc, doc, _ = verify(listed, [write_zone(recs_l)])
    check("arc pass, dmarc fail, first sealer saw dmarc=pass: 'a receiver that trusts lists.test, forwarder.test "
          "would deliver'", doc["arc"]["result"] == "pass" and doc["dmarc"]["result"] == "fail" and rc == 2 and
          "a receiver that trusts lists.test, forwarder.test would deliver" in (doc["dmarc"]["arc_note"] or ""),
          (doc["arc"], doc["dmarc"]))
    path = os.path.join(TMP, "arc.eml")
    open(path, "wb").write(listed)
    p = subprocess.run([BIN, "verify", "-f", "text", "--now", str(NOW), "-z", write_zone(recs_l), path],
                       capture_output=True, text=True, timeout=60)
    check("arc text: every message signature and the note", p.stdout.count(", message signature ") == 2 and
          "i=1 seal pass cv=none d=forwarder.test, message signature fail" in p.stdout and
          "oldest-pass: 2" in p.stdout and "  arc:     dmarc fail, arc pass: a receiver" in p.stdout, p.stdout)
    run("no ARC", signed, "none")
    run("body changed after sealing", two.replace(b"second", b"Second"), "fail",
        "ARC-Message-Signature i=2: body hash mismatch")
    run("first seal's cv= not none", arc_seal(arc_seal(signed, fw, 1, "pass"), fw, 2, "pass"), "fail",
        "ARC-Seal i=1 has cv=pass")
    # dkimpy answers None here (it stops at cv=fail without a verdict)
    run("newest seal says cv=fail", arc_seal(one, fw, 2, "fail"), "fail", "cv=fail", agree=False)
    run("a set missing", arc_seal(signed, fw, 2, "pass"), "fail", "ARC set i=1 has 0", agree=False)
    tampered = two.replace(b"mx.forwarder.test; dkim=pass", b"mx.forwarder.test; dkim=fail", 1)
    run("an older sealer's results changed", tampered, "fail", "ARC-Seal i=", agree=False)
    run("a set given twice", arc_seal(one, fw, 1, "none"), "fail", "ARC set i=1 has 2", agree=False)
    big = b"".join(b"ARC-Seal: i=%d; cv=pass; a=rsa-sha256; d=f.test; s=a; b=AAAA\r\n" % i
                   for i in range(1000, 0, -1)) + signed
    rc, doc, _ = verify(big, [z])
    check("1,000 ARC sets: fail, clear reason", doc["arc"]["result"] == "fail" and
          "is not 1-50" in doc["arc"]["reason"], doc["arc"])


MSG = (b"From: Alice <alice@example.test>\r\nTo: bob@example.org\r\n"
       b"Subject: a  test\r\n  folded   subject\r\nDate: Thu, 3 Dec 2026 20:00:00 +0000\r\n"
       b"Message-ID: <1@example.test>\r\n\r\n"
       b"Hello  Bob, \r\nsecond\tline\r\n\r\n\r\n")


def sigs(doc):
    return [(s["result"], s["reason"]) for s in doc["dkim"]]


# ---------------------------------------------------------------- the cases

def seed():
    zone = os.path.join(SRC, "fixtures", "demo", "tarnbarford.net.zone")
    with open(os.path.join(SRC, "fixtures", "demo", "tarnbarford-2015-dkim-signed.eml"), "rb") as f:
        msg = f.read()
    rc, doc, _ = verify(msg, [zone], "--explain")
    check("seed: dkim pass", sigs(doc) == [("pass", None)], sigs(doc))
    ex = doc["dkim"][0]["explain"]
    check("seed: body hash", ex["body_hash"] == "YocFhtTgjr2exNi9eb3SUWb8spcRxFH1Tqh/0OcRcfA=", ex)
    check("seed: key bits", ex["key_bits"] == 1024 and ex["key_type"] == "rsa", ex)
    check("seed: header block", ex["signed_headers"].startswith("date:Thu, 28 May 2015") and
          ex["signed_headers"].endswith("h=Date:From:To:Subject:From; b="), ex["signed_headers"])
    check("seed: dmarc pass, exit 0", doc["dmarc"]["result"] == "pass" and rc == 0 and
          doc["dmarc"]["policy"] == "reject", (rc, doc["dmarc"]))
    rc, doc, _ = verify(msg, [zone], "--ip", "144.76.187.44", "--mail-from", "android@tarnbarford.net",
                        "--authserv-id", "mx.example")
    check("seed: spf pass", doc["spf"]["result"] == "pass", doc["spf"])
    ar = doc["authentication_results"]
    check("seed: Authentication-Results", ar.startswith("Authentication-Results: mx.example;") and
          "dkim=pass header.d=tarnbarford.net header.s=mail header.b=PAy0Lzlm" in ar and
          "spf=pass smtp.mailfrom=android@tarnbarford.net" in ar and
          "dmarc=pass (p=reject dis=none) header.from=tarnbarford.net" in ar, ar)
    # LF-only copy and an mbox From line: the same verdict
    lf = b"From tarn@tarnbarford.net Thu May 28 12:34:24 2015\n" + msg.replace(b"\r\n", b"\n")
    rc, doc, _ = verify(lf, [zone])
    check("seed: LF-only mbox copy passes", sigs(doc) == [("pass", None)] and
          doc["message"]["mbox_from_line"] and doc["message"]["bare_lf_fixed"] > 0, sigs(doc))
    # a DNS timeout at the key is temperror, exit 3
    z2 = write_zone({}, open(zone).read().replace("mail._domainkey", "old._domainkey") +
                    "\n;! TIMEOUT mail._domainkey.tarnbarford.net. TXT\n")
    rc, doc, _ = verify(msg, [z2], "-t", "5")
    check("seed: key timeout is temperror", doc["dkim"][0]["result"] == "temperror" and rc == 3 and
          doc["dmarc"]["result"] == "temperror", (rc, sigs(doc), doc["dmarc"]))


def peer():
    if not os.path.isdir(PEER):
        print("skip peer vectors: %s not found" % PEER)
        return
    base = os.path.join(PEER, "dkim-rfc-examples")
    cases = json.load(open(os.path.join(base, "cases.json")))["verify_cases"]
    expect = {"rfc6376-A2-as-printed": [("fail", "body hash mismatch")],
              "rfc6376-A2-verifiable": [("pass", None)],
              "rfc8463-A3": [("pass", None), ("pass", None)]}
    for c in cases:
        recs = c.get("dns_txt", {})
        if "dns" in c:
            recs = {n: v["TXT"] for n, v in json.load(open(os.path.join(base, "rfc8463", "dns.json"))).items()}
        msg = open(os.path.join(base, c["message"]), "rb").read()
        rc, doc, _ = verify(msg, [write_zone(recs)])
        check("peer %s: %s" % (c["id"], c["expect"]), sigs(doc) == expect[c["id"]], sigs(doc))
    base = os.path.join(PEER, "dkim-dkimpy")
    cases = json.load(open(os.path.join(base, "cases.json")))["verify_cases"]
    expect = {"dkimpy-degenerate-folding": ["pass"],
              "dkimpy-rfc8463-pair-simple": ["pass", "pass"],
              "dkimpy-corrupt-public-key": ["permerror"],
              "dkimpy-invalid-d-syntax": ["permerror"],
              "dkimpy-exim-ed25519": ["pass"],
              "dkimpy-unsigned": []}
    for c in cases:
        recs = {}
        for n, v in c.get("dns_txt", {}).items():
            if "(" in n:
                continue  # not a DNS name: the verifier must not ask it
            if v.startswith("data/"):
                v = open(os.path.join(base, v)).read().rstrip("\n")
            recs[n] = v
        msg = open(os.path.join(base, c["message"]), "rb").read()
        rc, doc, _ = verify(msg, [write_zone(recs)])
        got = [s["result"] for s in doc["dkim"]]
        check("peer %s: %s" % (c["id"], c["expect"][:40]), got == expect[c["id"]], sigs(doc))
        if c["id"] == "dkimpy-unsigned":
            check("peer unsigned: exit 1", rc == 1, rc)


def signed():
    keys = {k: make_key(k) for k in ("1024", "2048", "4096", "ed25519")}
    dom = "example.test"
    base = {"_dmarc.example.test": "v=DMARC1; p=reject"}

    def run(name, msg, records, expect, reason=None, agree=True, args=()):
        rc, doc, _ = verify(msg, [write_zone(dict(base, **records))], *args)
        got = doc["dkim"][0]
        ok = got["result"] == expect and (reason is None or (got["reason"] or "").startswith(reason))
        indep = ""
        if agree and dkimpy is not None:
            dv = dkimpy_verdicts(msg, records)[0]
            ok = ok and dv == (expect == "pass")
            indep = " dkimpy=%s" % dv
        check("signed %s: %s%s" % (name, expect, " (dkimpy agrees)" if agree and dkimpy else ""), ok,
              "%s %s%s" % (got["result"], got["reason"], indep))
        return rc, doc

    for k in ("1024", "2048", "4096", "ed25519"):
        alg = "ed25519-sha256" if k == "ed25519" else "rsa-sha256"
        for c in ("simple/simple", "relaxed/relaxed", "relaxed/simple", "simple/relaxed"):
            rec = {"sel._domainkey." + dom: keys[k]["record"]}
            m = sign(MSG, keys[k], alg=alg, c=c)
            rc, doc = run("%s %s" % (k, c), m, rec, "pass")
            if c == "relaxed/relaxed":
                check("signed %s: dmarc pass exit 0" % k, doc["dmarc"]["result"] == "pass" and rc == 0)
            # the body changed after signing
            run("%s %s body changed" % (k, c), m.replace(b"second", b"Second"), rec, "fail",
                "body hash mismatch")
            # a signed header changed after signing
            run("%s %s subject changed" % (k, c), m.replace(b"a  test", b"a  tesT"), rec, "fail",
                "signature did not verify")
    rec = {"sel._domainkey." + dom: keys["2048"]["record"]}
    k = keys["2048"]
    # whitespace changes: relaxed survives, simple does not
    m = sign(MSG, k, c="relaxed/relaxed")
    run("relaxed refolded", m.replace(b"Subject: a  test", b"Subject:  a test"), rec, "pass")
    m = sign(MSG, k, c="simple/simple")
    run("simple refolded", m.replace(b"Subject: a  test", b"Subject:  a test"), rec, "fail",
        "signature did not verify")
    # oversigning: To signed twice (once absent): adding a To breaks it
    m = sign(MSG, k, h="from:to:to:subject:subject:date")
    run("oversigned", m, rec, "pass")
    run("oversigned, To added", m + b"", rec, "pass")
    added = m.replace(b"Message-ID:", b"To: mallory@example.net\r\nMessage-ID:")
    run("oversigned, second To added after signing", added, rec, "fail", "signature did not verify")
    # a header not signed at all may be added; one named in h= may not
    m = sign(MSG, k, h="from:subject:date")
    run("unsigned header added", m.replace(b"Message-ID:", b"X-Added: 1\r\nMessage-ID:"), rec, "pass")
    m = sign(MSG, k, h="from:subject:date:reply-to")
    run("header added after signing", m.replace(b"Message-ID:", b"Reply-To: x@evil.example\r\nMessage-ID:"),
        rec, "fail", "signature did not verify")
    # l=: the signed part passes with a warning; appended text stays unsigned
    m = sign(MSG, k, l=10, c="simple/simple")
    rc, doc = run("l=10", m + b"appended\r\n", rec, "pass")
    check("l= warning", (doc["dkim"][0]["warning"] or "").startswith("l= signs only part"),
          doc["dkim"][0]["warning"])
    check("l= reported", doc["dkim"][0]["body_length_limit"] == 10)
    m = sign(MSG, k, l=100000)
    run("l= longer than the body", m, rec, "permerror", "l= is longer than the body", agree=False)
    # rsa-sha1: the signature verifies, then RFC 8301 refuses it
    m = sign(MSG, keys["1024"], alg="rsa-sha1")
    run("rsa-sha1", m, {"sel._domainkey." + dom: keys["1024"]["record"]}, "fail",
        "rsa-sha1 verified, but RFC 8301", agree=False)
    if dkimpy is not None:
        check("rsa-sha1: dkimpy verifies the crypto",
              dkimpy_verdicts(m, {"sel._domainkey." + dom: keys["1024"]["record"]}) == [True])
    # time: x= passed, t= in the future
    m = sign(MSG, k, extra=" t=%d; x=%d;" % (NOW - 7200, NOW - 3600))
    run("expired", m, rec, "permerror", "signature expired", agree=False)
    m = sign(MSG, k, extra=" t=%d;" % (NOW + 86400))
    run("t= in the future", m, rec, "permerror", "signature timestamp", agree=False)
    # key constraints
    run("key revoked", sign(MSG, k), {"sel._domainkey." + dom: "v=DKIM1; p="}, "permerror", "key revoked")
    run("no key", sign(MSG, k), {}, "permerror", "no key at sel._domainkey.example.test")
    run("key h=sha1 only", sign(MSG, k), {"sel._domainkey." + dom: k["record"].replace("k=rsa;", "k=rsa; h=sha1;")},
        "permerror", "key does not allow the hash", agree=False)
    run("key k=ed25519 for rsa", sign(MSG, k),
        {"sel._domainkey." + dom: keys["ed25519"]["record"]}, "permerror", "key type")
    run("key s=tlsrpt", sign(MSG, k), {"sel._domainkey." + dom: k["record"] + "; s=tlsrpt"},
        "permerror", "key is not for email")
    m = sign(MSG, k, extra=" i=@sub.example.test;")
    run("t=s with i= in a subdomain", m, {"sel._domainkey." + dom: k["record"] + "; t=s"}, "permerror",
        "key has t=s", agree=False)
    run("i= outside d=", sign(MSG, k, extra=" i=@other.test;"), rec, "permerror", "i= is not in")
    run("From not signed", sign(MSG, k, h="to:subject"), rec, "permerror", "From is not among", agree=False)
    k512 = make_key("512")
    run("RSA 512 refused", sign(MSG, k512), {"sel._domainkey." + dom: k512["record"]}, "permerror",
        "RSA key of 512 bits", agree=False)

    # DMARC alignment
    r_other = {"sel._domainkey.other.test": k["record"]}
    rc, doc = run("signed by another domain", sign(MSG, k, d="other.test"), r_other, "pass")
    check("dmarc fail unaligned, exit 2", doc["dmarc"]["result"] == "fail" and rc == 2 and
          doc["dmarc"]["disposition"] == "reject", (rc, doc["dmarc"]))
    r_sub = {"sel._domainkey.mail.example.test": k["record"]}
    rc, doc = run("signed by a subdomain", sign(MSG, k, d="mail.example.test"), r_sub, "pass")
    check("dmarc relaxed pass", doc["dmarc"]["result"] == "pass" and rc == 0, doc["dmarc"])
    rc, doc, _ = verify(sign(MSG, k, d="mail.example.test"),
                        [write_zone(dict(r_sub, **{"_dmarc.example.test": "v=DMARC1; p=quarantine; adkim=s; t=y"}))])
    check("dmarc strict fail, t=y lowers quarantine to none", doc["dmarc"]["result"] == "fail" and
          doc["dmarc"]["adkim"] == "s" and doc["dmarc"]["disposition"] == "none" and rc == 2, doc["dmarc"])
    rc, doc, _ = verify(sign(MSG, k), [write_zone(rec)])
    check("no DMARC record, DKIM pass: exit 0", doc["dmarc"]["result"] == "none" and rc == 0, (rc, doc["dmarc"]))
    # no file speaks for the TLD: _dmarc.test, a public suffix outside the
    # zone files, is taken as no record by the walk (not temperror)
    rc, doc, _ = verify(sign(MSG, k), [write_zone(rec, tld_origins=False)])
    check("no DMARC record, no zone for the TLD: none, not temperror",
          doc["dmarc"]["result"] == "none" and rc == 0, (rc, doc["dmarc"]))
    rc, doc, _ = verify(MSG, [write_zone(rec)])
    check("no DMARC record, no signature: exit 1", doc["dmarc"]["result"] == "none" and rc == 1, rc)
    # SPF aligned pass rescues an unaligned DKIM signature
    spf = {"example.test": "v=spf1 ip4:192.0.2.1 -all"}
    rc, doc, _ = verify(sign(MSG, k, d="other.test"), [write_zone(dict(base, **r_other, **spf))],
                        "--ip", "192.0.2.1", "--mail-from", "bounce@example.test")
    check("spf aligned pass: dmarc pass", doc["spf"]["result"] == "pass" and doc["dmarc"]["result"] == "pass"
          and doc["dmarc"]["spf_aligned"] == "example.test" and rc == 0, (doc["spf"], doc["dmarc"]))
    rc, doc, _ = verify(sign(MSG, k, d="other.test"), [write_zone(dict(base, **r_other, **spf))],
                        "--ip", "192.0.2.9", "--mail-from", "bounce@example.test")
    check("spf fail: dmarc fail", doc["spf"]["result"] == "fail" and doc["dmarc"]["result"] == "fail" and rc == 2)
    # From: none, several
    two = MSG.replace(b"To:", b"From: eve@example.net\r\nTo:")
    rc, doc, _ = verify(two, [write_zone(rec)])
    check("two From fields: dmarc permerror", doc["dmarc"]["result"] == "permerror" and rc == 2, doc["dmarc"])
    many = MSG.replace(b"From: Alice <alice@example.test>", b"From: a@example.test, \"x, y\" <b@example.net>")
    rc, doc, _ = verify(many, [write_zone(rec)])
    check("two From addresses: dmarc permerror", doc["dmarc"]["result"] == "permerror", doc["dmarc"])
    # text output and --explain
    path = os.path.join(TMP, "t.eml")
    open(path, "wb").write(sign(MSG, keys["ed25519"], alg="ed25519-sha256"))
    p = subprocess.run([BIN, "verify", "-f", "text", "--explain", "--now", str(NOW), "-z",
                        write_zone(dict(base, **{"sel._domainkey." + dom: keys["ed25519"]["record"]})), path],
                       capture_output=True, text=True, timeout=60)
    check("text --explain", p.returncode == 0 and "dkim:    pass d=example.test s=sel a=ed25519-sha256" in p.stdout
          and "2. body hash computed: " in p.stdout and "key: ed25519, 256 bits" in p.stdout and
          "dmarc:   pass" in p.stdout, p.stdout + p.stderr)


def dmarc_policy():
    """pct=, and RFC 9989 np=: a From domain below the policy domain that does not
    exist (no A, AAAA or MX) gets np=, one that exists gets sp="""
    npz = {"_dmarc.example.test": "v=DMARC1; p=none; sp=quarantine; np=reject"}
    ghost = MSG.replace(b"alice@example.test", b"alice@ghost.example.test")
    rc, doc, _ = verify(ghost, [write_zone(npz)])
    check("np=: a non-existent subdomain gets np=reject", doc["dmarc"]["result"] == "fail" and
          doc["dmarc"]["policy"] == "reject" and doc["dmarc"]["policy_tag"] == "np" and
          doc["dmarc"]["from_exists"] is False and doc["dmarc"]["disposition"] == "reject" and
          "np=reject applies" in doc["dmarc"]["reason"] and rc == 2, doc["dmarc"])
    rc, doc, _ = verify(ghost, [write_zone(npz, "ghost.example.test. 300 IN MX 10 mx.example.test.\n")])
    check("np=: a subdomain with an MX exists: sp=quarantine", doc["dmarc"]["policy"] == "quarantine" and
          doc["dmarc"]["policy_tag"] == "sp" and doc["dmarc"]["from_exists"] is True and
          doc["dmarc"]["disposition"] == "quarantine", doc["dmarc"])
    rc, doc, _ = verify(ghost, [write_zone(npz, "ghost.example.test. 300 IN AAAA 2001:db8::1\n")])
    check("np=: a subdomain with only AAAA exists", doc["dmarc"]["policy_tag"] == "sp", doc["dmarc"])
    rc, doc, _ = verify(ghost, [write_zone(npz, ";! SERVFAIL ghost.example.test MX\n")])
    check("np=: existence unknown (SERVFAIL): sp= stays, said so", doc["dmarc"]["policy"] == "quarantine" and
          doc["dmarc"]["from_exists"] is None and "np=reject not applied" in doc["dmarc"]["reason"],
          doc["dmarc"])
    rc, doc, _ = verify(ghost, [write_zone({"_dmarc.example.test": "v=DMARC1; p=reject; sp=quarantine"})])
    check("np= absent: sp= for a non-existent subdomain, existence not asked",
          doc["dmarc"]["policy"] == "quarantine" and doc["dmarc"]["policy_tag"] == "sp" and
          doc["dmarc"]["from_exists"] is None, doc["dmarc"])
    rc, doc, _ = verify(MSG, [write_zone({"_dmarc.example.test": "v=DMARC1; p=quarantine; pct=20"})])
    check("pct=20: quarantine, the reason says the rest gets the next lower policy",
          doc["dmarc"]["result"] == "fail" and doc["dmarc"]["pct"] == 20 and
          doc["dmarc"]["disposition"] == "quarantine" and "pct=20" in doc["dmarc"]["reason"] and
          "20% of failing mail" in doc["dmarc"]["reason"], doc["dmarc"])
    # SPF's MAIL FROM defaults to the Return-Path field
    rp = b"Return-Path: <bounce@example.test>\r\n" + MSG
    rc, doc, _ = verify(rp, [write_zone({"_dmarc.example.test": "v=DMARC1; p=reject",
                                          "example.test": "v=spf1 ip4:192.0.2.1 -all"})], "--ip", "192.0.2.1")
    check("--mail-from defaults to the Return-Path: spf pass, aligned, dmarc pass",
          doc["spf"]["mail_from"] == "bounce@example.test" and doc["spf"]["result"] == "pass" and
          doc["dmarc"]["spf_aligned"] == "example.test" and rc == 0, (doc["spf"], doc["dmarc"]))
    rc, doc, _ = verify(MSG, [write_zone(npz)])
    check("np=: the policy domain itself gets p=", doc["dmarc"]["policy"] == "none" and
          doc["dmarc"]["policy_tag"] == "p", doc["dmarc"])


def hostile():
    k = make_key("2048")
    rec = {"sel._domainkey.example.test": k["record"]}
    z = write_zone(rec)
    rc, _, err = verify(b"From: a@example.test\r\nSub\0ject: x\r\n\r\nbody\r\n", [z], expect_json=False)
    check("NUL in the header: clear error", rc == 3 and "NUL byte" in err, err)
    rc, doc, _ = verify(sign(MSG, k) + b"", [z])
    body_nul = sign(MSG.replace(b"second", b"sec\0ond"), k)
    rc, doc, _ = verify(body_nul, [z])
    check("NUL in the body: verified", doc["dkim"][0]["result"] == "pass", sigs(doc))
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(100000)) + MSG
    rc, _, err = verify(many, [z], expect_json=False)
    check("100,000 fields: clear error", rc == 3 and "more than 10000 header fields" in err, err)
    rc, _, err = verify(MSG + b"x" * 5000, [z], "--max-size", "4096", expect_json=False)
    check("over the size cap: clear error", rc == 3 and "larger than the size cap" in err, err)
    huge = b"X-Huge: " + b"a" * (5 << 20) + b"\r\n" + MSG
    rc, _, err = verify(huge, [z], expect_json=False)
    check("a 5 MB field: clear error", rc == 3 and "longer than" in err, err)
    m = sign(MSG, k)
    one = m.split(b"\r\nFrom:")[0] + b"\r\n"
    rc, doc, _ = verify(one * 1000 + MSG, [z])
    res = [s["result"] for s in doc["dkim"]]
    # the rest are not processed, which RFC 8601 2.7.1 calls neutral
    check("1,000 signatures: 32 verified, the rest neutral", len(res) == 1000 and res[:32] == ["pass"] * 32 and
          all(r == "neutral" for r in res[32:]) and doc["dkim"][999]["reason"].startswith("not verified"),
          res[:3] + res[30:34])
    bigb = m.replace(b"\r\n\tb=", b"\r\n\tb=" + b"A" * (1 << 20) + b"\r\n\t", 1)
    rc, doc, _ = verify(bigb, [z])
    check("b= of 1 MB: permerror", doc["dkim"][0]["result"] == "permerror" and
          doc["dkim"][0]["reason"] == "b= is too long", sigs(doc))


def main():
    global BIN, TMP
    BIN = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        TMP = tmp
        seed()
        peer()
        signed()
        arc()
        dmarc_policy()
        hostile()
    print("%d passed, %d failed%s" % (passed, len(failures),
          "" if dkimpy else " (dkimpy not installed: no independent check)"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
