#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/conformance_dkim.py - DKIM key records written by others, and keys
generated with OpenSSL, through the real binary and the zone backend

Sources (fixtures/peer-tests, vendored from the team collection; see its README):
  dkim-dkimpy/data/*.txt, *.dns and the keys in dkim-dkimpy/cases.json
    (dkimpy 1.1.5, zlib-style license)
  dkim-rfc-examples/rfc6376/C-dns.zone (RFC 6376 Appendix C, IETF Trust)
  dkim-rfc-examples/rfc8463/dns.json (RFC 8463 Appendix A via mailauth, MIT)
Every record is served at a selector named with --dkim-selector; the test
asserts the exact set of dkim findings, the key type, size and encoding.

Then RSA keys of 512, 1024, 2048 and 4096 bits are generated with the
openssl command in a temporary directory (nothing committed), published in
both encodings (SubjectPublicKeyInfo and bare RSAPublicKey), and must grade
crit / warn / ok / ok with the right size.

Usage: conformance_dkim.py BINARY
"""
import json, os, subprocess, sys, tempfile

SRC = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the vendored copy (fixtures/peer-tests/README.md), or MC_PEER_TESTS
PEER = os.environ.get("MC_PEER_TESTS") or os.path.join(SRC, "fixtures", "peer-tests")

# file -> (findings, key_type, bits, encoding)
DKIMPY = {
    "1024_testkey_wo_markers.pub.txt": (["dkim.key-weak"], "rsa", 1024, "spki"),
    "1024_testkey_wo_markers.pub.rsa.txt": (["dkim.key-weak"], "rsa", 1024, "pkcs1"),
    "2048_testkey_PKCS8.key.pub.txt": ([], "rsa", 2048, "spki"),
    "2048_testkey_wo_markers.pub.txt": ([], "rsa", 2048, "spki"),
    "2048_testkey_wo_markers.pub.rsa.txt": ([], "rsa", 2048, "pkcs1"),
    "test.txt": (["dkim.key-weak"], "rsa", 1024, "spki"),
    "test2.txt": (["dkim.key-weak"], "rsa", 1024, "spki"),  # k= defaults to rsa
    "badk.txt": (["dkim.key-type-unknown"], None, None, None),  # k=ed25519-sha256
    "badversion.txt": (["dkim.version-invalid"], None, None, None),  # v=DKIM1:
    "test_bad.txt": (["dkim.key-invalid"], None, None, None),  # corrupted exponent
    "test_tlsrpt.txt": (["dkim.service-not-email", "dkim.key-weak"], "rsa", 1024, "spki"),
    "ed25519test.dns": (["dkim.ed25519-only"], "ed25519", 256, "raw"),
    "eximtest.dns": (["dkim.ed25519-only"], "ed25519", 256, "raw"),
}

def zone_txt(record):
    parts = [record[i:i + 200] for i in range(0, len(record), 200)] or [""]
    return "( " + " ".join('"%s"' % p.replace("\\", "\\\\").replace('"', '\\"') for p in parts) + " )"

def run(binary, tmp, domain, records):
    """records: {selector: [txt, ...]} -> the dkim result"""
    path = os.path.join(tmp, "z.zone")
    with open(path, "w") as f:
        f.write("_domainkey.%s. TXT \"\"\n" % domain)
        for sel, txts in records.items():
            for t in txts:
                f.write("%s._domainkey.%s. TXT %s\n" % (sel, domain, zone_txt(t)))
    cmd = [binary, "-f", "json", "-z", path, "--checks", "dkim"]
    for sel in records:
        cmd += ["-s", sel]
    p = subprocess.run(cmd + [domain], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, MAILCHECK_DATADIR=os.path.join(tmp, "data")))
    if p.returncode not in (0, 1, 2, 3) or "Sanitizer" in p.stderr or "runtime error:" in p.stderr:
        raise SystemExit("mailcheck failed (exit %d): %s" % (p.returncode, p.stderr[:2000]))
    doc = json.loads(p.stdout)
    return doc["checks"][0]

def findings(res):
    return sorted(f["code"] for f in res["findings"])

def sel_data(res, sel):
    return next((s for s in res["data"]["selectors"] if s["selector"] == sel), {})

class Tally:
    def __init__(self):
        self.ok = self.bad = 0
    def check(self, name, errs):
        if errs:
            self.bad += 1
            print("FAIL %s" % name)
            for e in errs:
                print("     %s" % e)
        else:
            self.ok += 1
            print("ok   %s" % name)

def expect_key(res, sel, want, ktype, bits, enc):
    errs = []
    if findings(res) != sorted(want):
        errs.append("findings %s, want %s" % (findings(res), sorted(want)))
    d = sel_data(res, sel)
    if ktype is not None:
        got = (d.get("key_type"), d.get("bits"), d.get("encoding"))
        if got != (ktype, bits, enc):
            errs.append("key %s, want %s" % (got, (ktype, bits, enc)))
    return errs

def peer_cases(binary, tmp, t):
    data = os.path.join(PEER, "dkim-dkimpy", "data")
    for fname, (want, ktype, bits, enc) in sorted(DKIMPY.items()):
        with open(os.path.join(data, fname)) as f:
            rec = f.read().rstrip("\n")
        res = run(binary, tmp, "example.com", {"test": [rec]})
        t.check("dkimpy %s" % fname, expect_key(res, "test", want, ktype, bits, enc))
    with open(os.path.join(PEER, "dkim-dkimpy", "cases.json")) as f:
        cases = json.load(f)
    # the corrupt key of test_catch_bad_key, and the 512-bit canonical.com key
    corrupt = next(c for c in cases["verify_cases"] if c["id"] == "dkimpy-corrupt-public-key")
    rec = corrupt["dns_txt"]["test._domainkey.football.example.com"]
    res = run(binary, tmp, "football.example.com", {"test": [rec]})
    got = findings(res)
    t.check("dkimpy corrupt public key", [] if got in (["dkim.key-invalid"], ["dkim.key-base64"])
            else ["findings %s, want key-invalid or key-base64" % got])
    rec = cases["roundtrip_cases"]["dns_txt_default"]["example._domainkey.canonical.com"]
    res = run(binary, tmp, "canonical.com", {"example": [rec]})
    t.check("dkimpy 512-bit key", expect_key(res, "example", ["dkim.key-too-short"], "rsa", 512, "spki"))

    # RFC 6376 Appendix C: the zone fragment, 1024 bits
    with open(os.path.join(PEER, "dkim-rfc-examples", "rfc6376", "C-dns.zone")) as f:
        text = f.read()
    rec = "".join(s for s in text.split('"')[1::2])
    res = run(binary, tmp, "example.org", {"brisbane": [rec]})
    t.check("RFC 6376 C brisbane", expect_key(res, "brisbane", ["dkim.key-weak"], "rsa", 1024, "spki"))
    # the key in the zone is the key of C-rsa.public.pem
    pem = subprocess.run(["openssl", "pkey", "-pubin", "-in",
                          os.path.join(PEER, "dkim-rfc-examples", "rfc6376", "C-rsa.public.pem"),
                          "-outform", "DER"], capture_output=True, check=True).stdout
    import base64
    t.check("RFC 6376 C key matches its PEM",
            [] if base64.b64encode(pem).decode() == rec.split("p=")[1] else ["p= differs from C-rsa.public.pem"])

    # RFC 8463 Appendix A: ed25519 and RSA side by side, RSA in 4 strings
    with open(os.path.join(PEER, "dkim-rfc-examples", "rfc8463", "dns.json")) as f:
        dns = json.load(f)
    recs = {}
    for name, v in dns.items():
        if "._domainkey." in name:
            recs[name.split(".")[0]] = ["".join(strings) for strings in v["TXT"]]
    res = run(binary, tmp, "football.example.com", recs)
    errs = expect_key(res, "brisbane", ["dkim.key-weak"], "ed25519", 256, "raw")
    errs += expect_key(res, "test", ["dkim.key-weak"], "rsa", 1024, "spki")
    if res["metrics"].get("selectors_found") != 2 or res["metrics"].get("min_key_bits") != 1024:
        errs.append("metrics %s" % res["metrics"])
    t.check("RFC 8463 A brisbane + test", errs)

def generated(binary, tmp, t):
    grades = {512: ("dkim.key-too-short", "crit"), 1024: ("dkim.key-weak", "warn"),
              2048: (None, "ok"), 4096: (None, "ok")}
    for bits, (code, status) in grades.items():
        key = os.path.join(tmp, "k%d.pem" % bits)
        subprocess.run(["openssl", "genrsa", "-out", key, str(bits)], check=True,
                       capture_output=True)
        for enc, flag in (("spki", "-pubout"), ("pkcs1", "-RSAPublicKey_out")):
            der = subprocess.run(["openssl", "rsa", "-in", key, flag, "-outform", "DER"],
                                 check=True, capture_output=True).stdout
            import base64
            rec = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
            res = run(binary, tmp, "example.net", {"gen": [rec]})
            errs = expect_key(res, "gen", [code] if code else [], "rsa", bits, enc)
            if res["status"] != status:
                errs.append("status %s, want %s" % (res["status"], status))
            if res["metrics"].get("min_key_bits") != bits:
                errs.append("min_key_bits %s" % res["metrics"].get("min_key_bits"))
            t.check("generated %d-bit RSA key, %s" % (bits, enc), errs)

def main():
    binary = sys.argv[1]
    t = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        # an empty selector list: only the selectors named are asked
        os.mkdir(os.path.join(tmp, "data"))
        open(os.path.join(tmp, "data", "dkim-selectors"), "w").close()
        if os.path.isdir(PEER):
            peer_cases(binary, tmp, t)
        else:
            print("skip peer vectors: %s not found" % PEER)
        generated(binary, tmp, t)
    print("%d passed, %d failed" % (t.ok, t.bad))
    return 1 if t.bad or t.ok == 0 else 0

if __name__ == "__main__":
    sys.exit(main())
