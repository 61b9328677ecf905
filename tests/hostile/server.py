#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/hostile/server.py - a scriptable hostile DNS server on loopback

It answers like a recursive resolver from a scenario file's zone data and
misbehaves where the scenario's `;!` lines say so.  Python standard library
only, raw sockets, UDP and TCP on one free port of 127.0.0.1 (or ::1).  The runner
(tests/hostile/run.py) imports it and starts one server per scenario; run
alone it prints "ready PORT" and serves until --lifetime has passed:

    server.py SCENARIO [--port PORT] [--addr 127.0.0.1|::1] [--number N] [--lifetime S]

The zone data (a subset of RFC 1035 master files) ---------------------------
  $ORIGIN name.   $TTL n   $INCLUDE file (beside this one; the records of a
  file replace the same name's and type's records from the files it includes,
  and a CNAME replaces every record of its name there)
  $GENERATE a-b owner TYPE rdata  ('$' is the number)
  owner [ttl] [IN] TYPE rdata       owner '@' is the origin, blank the last one
  types A AAAA MX TXT CNAME PTR NS, and any type in RFC 3597 form:
  `owner TYPE16 \\# 0` (a TXT whose RDATA has zero length) or `\\# 3 01ff00`.
  Names take `\\DDD` and `\\X` escapes, so a label may hold NUL or ESC.
  No parentheses, no wildcards.

How it answers (a resolver that has every record) ---------------------------
  records of the asked type: NOERROR with them; else a CNAME at the name: the
  CNAME, then the same for its target, up to 64 hops or until a name repeats
  (a loop is answered with its records, NOERROR, as some resolvers do); a
  name that owns records or has names below it: NODATA; else NXDOMAIN.
  Over UDP an answer longer than the client's EDNS size (512 without EDNS,
  at most 1232) is cut to a header and question with TC set.

The faults (`;! KIND [ARG] NAME [TYPE]`) --------------------------------------
  `;!N KIND ...` applies to the Nth server of the scenario only (the runner
  starts a second server on the same data for {server2}).
  NAME is a name (relative names are not expanded: write it in full, with or
  without the final dot), `*.NAME` for every name below NAME, or `*` for
  every name; TYPE (a mnemonic or `*`) may
  be left out for every type.  The lines that match a question apply in
  file order: DELAY and CNAME-HOPS combine with what follows, the first
  other line decides the reply.
  SERVFAIL | REFUSED | FORMERR | NOTIMP | NXDOMAIN   that rcode, no records
  TIMEOUT            never answered, over UDP or TCP
  DELAY MS           the true answer, MS milliseconds late
  FLAKY N            the first N queries of the question go unanswered
  TRUNCATE           over UDP: TC and no records; over TCP the true answer
  TCP KIND           how TCP answers the question: refuse (close at once),
                     hang, short (a length prefix longer than what follows),
                     garbage, wrongid
  MALFORMED KIND     our ID and QR set, then damage: hdronly (a header
                     announcing a record, nothing after it), ptrloop (an owner
                     name pointing at itself), rdlen (RDLENGTH past the end),
                     label (a reserved label type in the question), garbage,
                     count (ANCOUNT 5, one record)
  FORGE              only forgeries: wrong ID; another name in the question;
                     another type; from another source port; QR clear; each
                     carrying an MX evil.invalid and an A 6.6.6.6
  SPOOF              the forgeries, then the true answer 50 ms later
  CNAME-HOPS N       a CNAME chain in an answer stops after N CNAMEs (the
                     client must ask again for the last target)
  NO-TCP             (no NAME) nothing listens on TCP: connections are refused
Every query is logged (transport, name, type) for the runner's assertions.
"""
import argparse
import ipaddress
import re
import os
import select
import socket
import struct
import sys
import threading
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16,
         "AAAA": 28, "OPT": 41, "ANY": 255}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4,
          "REFUSED": 5}
MAX_CHAIN = 64
FAULTS_WITH_ARG = {"DELAY", "FLAKY", "TCP", "MALFORMED", "CNAME-HOPS"}
FAULTS = set(RCODES) | {"TIMEOUT", "TRUNCATE", "FORGE", "SPOOF"} | FAULTS_WITH_ARG


def type_code(word):
    w = word.upper()
    if w in TYPES:
        return TYPES[w]
    if w.startswith("TYPE") and w[4:].isdigit():
        return int(w[4:])
    raise ValueError("unknown type '%s'" % word)


def type_name(code):
    return TYPE_NAMES.get(code, "TYPE%d" % code)


# ---- names: a name is a tuple of labels (bytes), compared lowercased ----

def parse_name(text, origin=()):
    """A master-file name (escapes \\DDD and \\X) relative to origin."""
    if text == "@":
        return origin
    labels, cur, i, absolute = [], bytearray(), 0, False
    while i < len(text):
        c = text[i]
        if c == "\\" and len(text[i + 1:i + 4]) == 3 and text[i + 1:i + 4].isdigit():
            cur.append(int(text[i + 1:i + 4]))
            i += 4
            continue
        if c == "\\" and i + 1 < len(text):
            cur += text[i + 1].encode()
            i += 2
            continue
        if c == ".":
            if i == len(text) - 1:
                absolute = True
            else:
                labels.append(bytes(cur))
                cur = bytearray()
            i += 1
            continue
        cur += c.encode()
        i += 1
    if cur:
        labels.append(bytes(cur))
    if text == ".":
        return ()
    return tuple(labels) if absolute else tuple(labels) + tuple(origin)


def key(name):
    return tuple(l.lower() for l in name)


def show(name):
    return ".".join(l.decode("latin-1") for l in name) or "."


def wire_name(name):
    return b"".join(bytes([len(l)]) + l for l in name) + b"\0"


def read_name(pkt, i):
    """(labels, index after the name) of an uncompressed name, else None."""
    labels = []
    while i < len(pkt):
        n = pkt[i]
        if n == 0:
            return tuple(labels), i + 1
        if n > 63 or i + 1 + n > len(pkt):
            return None
        labels.append(pkt[i + 1:i + 1 + n])
        i += 1 + n
    return None


# ---- the scenario's data and faults ----

def split_fields(line):
    """Whitespace-separated fields; a quoted string is one field (quotes kept)."""
    out, i = [], 0
    while i < len(line):
        if line[i].isspace():
            i += 1
            continue
        if line[i] == ";":
            break
        j = i
        if line[i] == '"':
            j += 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            j += 1
        else:
            while j < len(line) and not line[j].isspace():
                j += 1
        out.append(line[i:j])
        i = j
    return out


def txt_string(field):
    """One character-string: a quoted field (escapes \\DDD, \\X) or a bare one."""
    body = field[1:-1] if field.startswith('"') else field
    out, i = bytearray(), 0
    while i < len(body):
        if body[i] == "\\" and len(body[i + 1:i + 4]) == 3 and body[i + 1:i + 4].isdigit():
            out.append(int(body[i + 1:i + 4]))
            i += 4
        elif body[i] == "\\" and i + 1 < len(body):
            out += body[i + 1].encode()
            i += 2
        else:
            out += body[i].encode()
            i += 1
    return bytes(out)


def rdata(rtype, fields, origin):
    if fields and fields[0] == "\\#":
        n = int(fields[1])
        raw = bytes.fromhex("".join(fields[2:]))
        if len(raw) != n:
            raise ValueError("RFC 3597 length %d, %d octets given" % (n, len(raw)))
        return raw
    if rtype == 1:
        return socket.inet_pton(socket.AF_INET, fields[0])
    if rtype == 28:
        return socket.inet_pton(socket.AF_INET6, fields[0])
    if rtype == 15:
        return struct.pack("!H", int(fields[0])) + wire_name(parse_name(fields[1], origin))
    if rtype in (2, 5, 12):
        return wire_name(parse_name(fields[0], origin))
    if rtype == 16:
        out = b""
        for f in fields:
            s = txt_string(f)
            out += bytes([len(s)]) + s
        return out
    raise ValueError("no presentation form for %s: use \\# LENGTH HEX" % type_name(rtype))


class Scenario:
    """The zone data and the faults of one scenario file."""

    def __init__(self, path):
        self.rrsets = {}          # (key(name), type) -> [(name, ttl, rdata)]
        self.names = set()        # key(name) of every owner and its ancestors
        self.faults = []          # (KIND, arg, key(name) or None, type or None)
        self.no_tcp = False
        self.source = {}          # (key(name), type) -> the file that gave it
        self.load(path)

    def load(self, path):
        """Reads a file; $INCLUDE names a file beside it, whose $ORIGIN ends
        with it (RFC 1035 5.1)."""
        origin, ttl, last = (), 300, ()
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for lineno, line in enumerate(text.splitlines(), 1):
            try:
                if line.startswith("$INCLUDE"):
                    self.load(os.path.join(os.path.dirname(path), line.split()[1]))
                    continue
                last = self.line(line, origin, ttl, last, path)
                if line.startswith("$ORIGIN"):
                    origin = parse_name(line.split()[1])
                elif line.startswith("$TTL"):
                    ttl = int(line.split()[1])
            except (ValueError, IndexError, OSError) as e:
                raise ValueError("%s:%d: %s: %r" % (path, lineno, e, line)) from None

    def line(self, line, origin, ttl, last, path):
        m = re.match(r";!([0-9]*)\s", line)
        if m:
            self.fault(line[m.end():].split(), int(m.group(1)) if m.group(1) else None)
            return last
        if line.startswith("$GENERATE"):
            w = line.split(None, 2)
            lo, hi = (int(x) for x in w[1].split("-"))
            for n in range(lo, hi + 1):
                self.record(w[2].replace("$", str(n)), origin, ttl, last, path)
            return last
        if line.startswith("$") or not split_fields(line):
            return last
        return self.record(line, origin, ttl, last, path)

    def record(self, line, origin, ttl, last, path):
        f = split_fields(line)
        owner = last if line[0].isspace() else parse_name(f.pop(0), origin)
        if f[0].isdigit():
            ttl = int(f.pop(0))
        if f[0].upper() == "IN":
            f.pop(0)
        rtype = type_code(f.pop(0))
        k = (key(owner), rtype)
        for old in [o for o in self.rrsets if o[0] == k[0] and self.source[o] != path
                    and (o[1] == rtype or 5 in (rtype, o[1]))]:
            del self.rrsets[old]
        self.source[k] = path
        self.rrsets.setdefault(k, []).append((owner, ttl, rdata(rtype, f, origin)))
        for i in range(len(k[0]) + 1):
            self.names.add(k[0][i:])
        return owner

    def fault(self, w, server):
        kind = w[0].upper()
        if kind == "NO-TCP":
            self.no_tcp = True
            return
        if kind not in FAULTS:
            raise ValueError("unknown fault '%s'" % kind)
        arg = None
        if kind in FAULTS_WITH_ARG:
            arg = w[1]
            w = w[1:]
        name = None if w[1] == "*" else key(parse_name(w[1].rstrip(".") + "."))
        if name and name[0] == b"*":
            name = ("*",) + name[1:]
        rtype = None if len(w) < 3 or w[2] == "*" else type_code(w[2])
        self.faults.append((kind, arg, name, rtype, server))

    def faults_for(self, qname, qtype, server=1):
        k = key(qname)
        return [(kind, arg) for kind, arg, name, rtype, only in self.faults
                if only in (None, server) and (name is None or name == k or (name[0] == "*" and len(k) >= len(name)
                                                  and k[len(k) - len(name) + 1:] == name[1:]))
                and (rtype is None or rtype == qtype)]

    def resolve(self, qname, qtype, hops_limit):
        """(rcode, [(owner, type, ttl, rdata)]) as a resolver would answer."""
        answers, seen, name = [], set(), qname
        while True:
            k = key(name)
            got = self.rrsets.get((k, qtype))
            if got:
                return 0, answers + [(o, qtype, t, r) for o, t, r in got]
            cname = self.rrsets.get((k, 5)) if qtype != 5 else None
            if not cname:
                return (0 if k in self.names else 3), answers
            o, t, r = cname[0]
            answers.append((o, 5, t, r))
            seen.add(k)
            name = read_name(r, 0)[0]
            if key(name) in seen or len(answers) >= min(hops_limit, MAX_CHAIN):
                return 0, answers


# ---- packets ----

def parse_query(pkt):
    """(id, qname, qtype, question octets, EDNS payload size or 0) or None."""
    if len(pkt) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", pkt[:12])
    if qd != 1 or flags & 0x8000:
        return None
    got = read_name(pkt, 12)
    if got is None or got[1] + 4 > len(pkt):
        return None
    qname, i = got
    qtype, = struct.unpack("!H", pkt[i:i + 2])
    question = pkt[12:i + 4]
    edns = 0
    j = i + 4
    if ar and j + 11 <= len(pkt) and pkt[j] == 0 and struct.unpack("!H", pkt[j + 1:j + 3])[0] == 41:
        edns = struct.unpack("!H", pkt[j + 3:j + 5])[0]
    return qid, qname, qtype, question, edns


def rr(owner, rtype, ttl, data):
    return wire_name(owner) + struct.pack("!HHIH", rtype, 1, ttl, len(data)) + data


def message(qid, question, records=(), rcode=0, flags=0x8180, edns=0):
    """A reply: QR RD RA, the question, the answers; an OPT if the query had one."""
    opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0) if edns else b""
    hdr = struct.pack("!HHHHHH", qid, flags | rcode, 1, len(records), 0, 1 if edns else 0)
    return hdr + question + b"".join(rr(*r) for r in records) + opt


def question_of(name, qtype):
    return wire_name(name) + struct.pack("!HH", qtype, 1)


EVIL = [((b"evil", b"invalid"), 15, 300, b"\0\x0a" + wire_name((b"evil", b"invalid"))),
        ((b"evil", b"invalid"), 1, 300, bytes([6, 6, 6, 6]))]


def forgeries(qid, qname, qtype, question):
    """(packet, send from another port?) for each kind of forgery."""
    other = 16 if qtype != 16 else 1
    return [(message(qid ^ 0x5a5a, question, EVIL), False),
            (message(qid, question_of((b"evil",) + qname, qtype), EVIL), False),
            (message(qid, question_of(qname, other), EVIL), False),
            (message(qid, question, EVIL), True),
            (message(qid, question, EVIL, flags=0x0100), False)]


def malformed(kind, qid, question):
    hdr = lambda an: struct.pack("!HHHHHH", qid, 0x8180, 1, an, 0, 0)
    if kind == "hdronly":
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    if kind == "ptrloop":
        off = 12 + len(question)
        return hdr(1) + question + struct.pack("!HHHIH", 0xC000 | off, 1, 1, 300, 4) + b"\1\2\3\4"
    if kind == "rdlen":
        return hdr(1) + question + b"\0" + struct.pack("!HHIH", 1, 1, 300, 500) + b"\1\2\3\4"
    if kind == "label":
        return hdr(0) + b"\x50abc\0" + question[-4:]
    if kind == "garbage":
        return struct.pack("!HH", qid, 0x8180) + bytes((i * 37 + 11) % 256 for i in range(200))
    if kind == "count":
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 5, 0, 0) + question + rr((), 1, 300, b"\1\2\3\4")
    raise ValueError("unknown MALFORMED kind '%s'" % kind)


# ---- the server ----

class Server:
    """Serves one Scenario on 127.0.0.1:port (UDP and, unless NO-TCP, TCP)."""

    def __init__(self, scenario, port=0, addr="127.0.0.1", number=1):
        if not ipaddress.ip_address(addr).is_loopback:
            raise ValueError("refusing non-loopback address " + addr)
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        self.sc = scenario
        self.number = number
        self.log = []             # (transport, name text, type name)
        self.counts = {}
        self.lock = threading.Lock()
        self.stopping = False
        for attempt in range(50):
            self.udp = socket.socket(family, socket.SOCK_DGRAM)
            self.udp.bind((addr, port))
            self.port = self.udp.getsockname()[1]
            if scenario.no_tcp:
                self.tcp = None
                break
            self.tcp = socket.socket(family, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind((addr, self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
                if port:
                    raise
        self.other = socket.socket(family, socket.SOCK_DGRAM)
        self.other.bind((addr, 0))
        self.pending = []         # (due time, packet, client)
        self.threads = [threading.Thread(target=self.serve_udp, daemon=True)]
        if self.tcp:
            self.tcp.listen(64)
            self.threads.append(threading.Thread(target=self.serve_tcp, daemon=True))
        for t in self.threads:
            t.start()

    def close(self):
        self.stopping = True
        for t in self.threads:
            t.join(2)
        for s in (self.udp, self.tcp, self.other):
            if s:
                s.close()

    def asked(self, transport, qname, qtype):
        with self.lock:
            self.log.append((transport, show(qname).lower(), type_name(qtype)))
            k = (key(qname), qtype)
            self.counts[k] = self.counts.get(k, 0) + 1
            return self.counts[k]

    def answer(self, q, tcp):
        """[(packet, from the other socket?, delay s)] for one query."""
        qid, qname, qtype, question, edns = q
        n = self.asked("tcp" if tcp else "udp", qname, qtype)
        hops = MAX_CHAIN
        delay = 0.0
        for kind, arg in self.sc.faults_for(qname, qtype, self.number):
            if kind == "CNAME-HOPS":
                hops = int(arg)
                continue
            if kind in RCODES:
                return [(message(qid, question, rcode=RCODES[kind], edns=edns), False, 0)]
            if kind == "TIMEOUT" or (kind == "FLAKY" and n <= int(arg)):
                return []
            if kind == "DELAY":
                delay = int(arg) / 1000.0
            if kind == "TRUNCATE" and not tcp:
                return [(message(qid, question, flags=0x8380, edns=edns), False, 0)]
            if kind == "MALFORMED":
                return [(malformed(arg, qid, question), False, 0)]
            if kind in ("FORGE", "SPOOF"):
                out = [(p, o, 0) for p, o in forgeries(qid, qname, qtype, question)]
                if kind == "FORGE":
                    return out
                delay = 0.05
                rcode, recs = self.sc.resolve(qname, qtype, hops)
                return out + [(message(qid, question, recs, rcode, edns=edns), False, delay)]
        rcode, recs = self.sc.resolve(qname, qtype, hops)
        msg = message(qid, question, recs, rcode, edns=edns)
        limit = min(max(edns, 512), 1232)
        if not tcp and len(msg) > limit:
            msg = message(qid, question, flags=0x8380, edns=edns)
        return [(msg, False, delay)]

    def serve_udp(self):
        while not self.stopping:
            now = time.monotonic()
            wait = min([0.05] + [t - now for t, _, _ in self.pending])
            r, _, _ = select.select([self.udp], [], [], max(wait, 0))
            now = time.monotonic()
            for item in [p for p in self.pending if p[0] <= now]:
                self.pending.remove(item)
                self.send(item[1], item[2], False)
            if not r:
                continue
            try:
                pkt, client = self.udp.recvfrom(65535)
            except OSError:
                continue
            q = parse_query(pkt)
            if q is None:
                continue
            for msg, from_other, delay in self.answer(q, False):
                if delay > 0:
                    self.pending.append((now + delay, msg, client))
                else:
                    self.send(msg, client, from_other)

    def send(self, msg, client, from_other):
        try:
            (self.other if from_other else self.udp).sendto(msg, client)
        except OSError:
            pass

    def serve_tcp(self):
        while not self.stopping:
            r, _, _ = select.select([self.tcp], [], [], 0.05)
            if not r:
                continue
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                continue
            threading.Thread(target=self.tcp_conn, args=(conn,), daemon=True).start()

    def tcp_conn(self, conn):
        try:
            conn.settimeout(30)
            while not self.stopping:
                hdr = conn.recv(2, socket.MSG_WAITALL)
                if len(hdr) < 2:
                    return
                pkt = conn.recv(int.from_bytes(hdr, "big"), socket.MSG_WAITALL)
                q = parse_query(pkt)
                if q is None:
                    return
                kind = next((arg for k, arg in self.sc.faults_for(q[1], q[2], self.number)
                             if k == "TCP"), None)
                if kind == "refuse":
                    return
                if kind == "hang":
                    self.asked("tcp", q[1], q[2])
                    while not self.stopping:
                        time.sleep(0.05)
                    return
                if kind == "short":
                    conn.sendall(struct.pack("!HH", 200, q[0]) + bytes(18))
                    return
                if kind == "garbage":
                    msg = malformed("garbage", q[0], q[3])
                    conn.sendall(struct.pack("!H", len(msg)) + msg)
                    continue
                for msg, _, delay in self.answer(q, True):
                    time.sleep(delay)
                    if kind == "wrongid":
                        msg = struct.pack("!H", q[0] ^ 0x5a5a) + msg[2:]
                    conn.sendall(struct.pack("!H", len(msg)) + msg)
        except OSError:
            pass
        finally:
            conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--number", type=int, default=1)
    ap.add_argument("--lifetime", type=float, default=60.0)
    a = ap.parse_args()
    srv = Server(Scenario(a.scenario), a.port, a.addr, a.number)
    print("ready %d" % srv.port, flush=True)
    end = time.monotonic() + a.lifetime
    seen = 0
    while time.monotonic() < end:
        time.sleep(0.1)
        while seen < len(srv.log):
            print("query %s %s %s" % srv.log[seen], flush=True)
            seen += 1
    srv.close()


if __name__ == "__main__":
    main()
