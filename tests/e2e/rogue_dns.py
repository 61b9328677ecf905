#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/e2e/rogue_dns.py - a UDP DNS responder on loopback that misbehaves on purpose

Usage: rogue_dns.py --port PORT [--addr 127.0.0.1|::1] [--lifetime S] [--silent]
                   [--delay-ms MS] [--no-tcp] [--tcp-fail KIND] [--stamp]

Prints "ready" once it listens and "query NAME TYPE" for every query it
reads, answers until --lifetime seconds have passed, then exits by itself.  Only loopback addresses are accepted.  --silent: read
every query and never answer (a server that is down without an ICMP error).
--delay-ms: send every real answer that many milliseconds late.  It also
listens on TCP on the same port (not with --no-tcp: then a TCP connection is
refused).  --tcp-fail KIND: every TCP query is answered as the tc* name
KIND below would be (tchang, tcclose, tcshort, tcbad, tcforeign), whatever
its name: a server whose TCP side is broken.  --stamp: each "query" line
ends with the time the query arrived (seconds since the epoch: the kernel's
receive time for UDP, the time its read ended for TCP).

What it does with a query depends on the first label of the question name:

  spoof.*      first a burst of forged replies, each carrying the "evil"
               records (MX evil.invalid, A 6.6.6.6): wrong ID; right ID but
               another name in the question; right ID but another type;
               right ID and question but from another source port; right
               ID and question but QR clear; then, 50 ms later, the real
               answer
  spoofonly.*  the forged burst only, never the real answer
  hdronly.*    a 12-octet header with the right ID, QR set, QDCOUNT=1 and
               ANCOUNT=1, and nothing after it
  ptrloop.*    right header and question, then an answer whose owner name is
               a compression pointer to itself
  rdlen.*      right header and question, then an A record whose RDLENGTH
               (500) runs past the end of the packet
  label.*      right ID, QR set, a question whose first label length octet is
               0x50 (a reserved label type)
  garbage.*    right ID, QR set, then 200 octets of junk
  silent.*     no answer
  tc*.*        over UDP a reply with TC set and no records; over TCP, by
               the first label: tcgood the real answer, tchang nothing (the
               connection stays open), tcclose the connection closed after
               the query, tcshort a length prefix of 200 and 20 octets, then
               close, tcbad junk after our ID, tcforeign the real answer
               with another ID
  anything else  the real answer: MX 10 mx1.<name>, A 198.51.100.7 for
               names starting with mx1., no AAAA (NODATA)
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time
import select
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--addr", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--lifetime", type=float, default=60.0)
ap.add_argument("--silent", action="store_true")
ap.add_argument("--delay-ms", type=float, default=0.0)
ap.add_argument("--no-tcp", action="store_true")
ap.add_argument("--stamp", action="store_true")
ap.add_argument("--tcp-fail", choices=["tchang", "tcclose", "tcshort", "tcbad", "tcforeign"])
a = ap.parse_args()
if not ipaddress.ip_address(a.addr).is_loopback:
    sys.exit("refusing non-loopback address " + a.addr)

T_A, T_MX, T_TXT, T_AAAA = 1, 15, 16, 28


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_query(pkt):
    """(id, flags, qname, qtype, question bytes) or None."""
    if len(pkt) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", pkt[:6])
    if qd != 1:
        return None
    i, labels = 12, []
    while i < len(pkt) and pkt[i] != 0:
        n = pkt[i]
        if n > 63:
            return None
        labels.append(pkt[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    i += 1
    if i + 4 > len(pkt):
        return None
    qtype, = struct.unpack("!H", pkt[i:i + 2])
    return qid, flags, ".".join(labels).lower(), qtype, pkt[12:i + 4]


def rr(name, rtype, rdata, ttl=300):
    return encode_name(name) + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def reply(qid, question, answers, flags=0x8180, qd=1):
    hdr = struct.pack("!HHHHHH", qid, flags, qd, len(answers), 0, 0)
    return hdr + question + b"".join(answers)


def question_of(name, qtype):
    return encode_name(name) + struct.pack("!HH", qtype, 1)


def records(name, qtype, evil):
    if qtype == T_MX and name.startswith("tc"):
        return [rr(name, T_MX, struct.pack("!H", 10 + i) + encode_name("mx%d.%s" % (i, name)))
                for i in range(1, 4)]
    if qtype == T_MX:
        target = "evil.invalid" if evil else "mx1." + name
        return [rr(name, T_MX, struct.pack("!H", 10) + encode_name(target))]
    if qtype == T_A and (evil or name.startswith("mx")):
        addr = "6.6.6.6" if evil else "198.51.100.7"
        return [rr(name, T_A, socket.inet_aton(addr))]
    return []


def forged(qid, name, qtype, question):
    """(packet, send from the other socket?) for every kind of forgery."""
    evil = records(name, qtype, True)
    other_type = T_TXT if qtype != T_TXT else T_A
    return [
        (reply(qid ^ 0x5a5a, question, evil), False),
        (reply(qid, question_of("evil." + name, qtype),
               records("evil." + name, qtype, True) + evil), False),
        (reply(qid, question_of(name, other_type), evil), False),
        (reply(qid, question, evil), True),
        (reply(qid, question, evil, flags=0x0100), False),
    ]


def malformed(kind, qid, question):
    if kind == "hdronly":
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    if kind == "ptrloop":
        off = 12 + len(question)
        owner = struct.pack("!H", 0xC000 | off)
        return reply(qid, question, [owner + struct.pack("!HHIH", T_A, 1, 300, 4) + b"\1\2\3\4"])
    if kind == "rdlen":
        return reply(qid, question, [b"\0" + struct.pack("!HHIH", T_A, 1, 300, 500) + b"\1\2\3\4"])
    if kind == "label":
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 0, 0, 0) + b"\x50abc\0" + struct.pack("!HH", T_MX, 1)
    if kind == "garbage":
        junk = bytes((i * 37 + 11) % 256 for i in range(200))
        return struct.pack("!HH", qid, 0x8180) + junk
    return None


family = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
sock = socket.socket(family, socket.SOCK_DGRAM)
sock.bind((a.addr, a.port))
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
if a.stamp:
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
other = socket.socket(family, socket.SOCK_DGRAM)
other.bind((a.addr, 0))


def tcp_conn(conn):
    try:
        conn.settimeout(a.lifetime)
        hdr = conn.recv(2, socket.MSG_WAITALL)
        if len(hdr) < 2:
            return
        pkt = conn.recv(int.from_bytes(hdr, "big"), socket.MSG_WAITALL)
        q = parse_query(pkt)
        if q is None:
            return
        qid, _, name, qtype, question = q
        print("tcp query %s %d%s" % (name, qtype, " %.6f" % time.time() if a.stamp else ""),
              flush=True)
        kind = a.tcp_fail or name.split(".")[0]
        if kind == "tchang":
            time.sleep(a.lifetime)
            return
        if kind == "tcclose":
            return
        if kind == "tcshort":
            conn.sendall(struct.pack("!H", 200) + struct.pack("!H", qid) + bytes(18))
            return
        if kind == "tcbad":
            msg = malformed("garbage", qid, question)
        elif kind == "tcforeign":
            msg = reply(qid ^ 0x5a5a, question, records(name, qtype, False))
        else:
            msg = reply(qid, question, records(name, qtype, False))
        conn.sendall(struct.pack("!H", len(msg)) + msg)
        conn.recv(1)  # until the client closes
    except OSError:
        pass
    finally:
        conn.close()


def tcp_accept(lsock):
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=tcp_conn, args=(conn,), daemon=True).start()


if not a.no_tcp:
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((a.addr, a.port))
    lsock.listen(16)
    threading.Thread(target=tcp_accept, args=(lsock,), daemon=True).start()
print("ready", flush=True)

pending = []  # (time, packet, client)
end = time.monotonic() + a.lifetime
while time.monotonic() < end:
    now = time.monotonic()
    wait = min([end - now] + [t - now for t, _, _ in pending])
    r, _, _ = select.select([sock], [], [], max(wait, 0))
    now = time.monotonic()
    for item in [p for p in pending if p[0] <= now]:
        pending.remove(item)
        sock.sendto(item[1], item[2])
    if not r:
        continue
    pkt, anc, _, client = sock.recvmsg(65535, 256)
    q = parse_query(pkt)
    if q is None:
        continue
    qid, _, name, qtype, question = q
    stamp = ""
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack("qq", data[:16])
            stamp = " %d.%09d" % (sec, nsec)
    print("query %s %d%s" % (name, qtype, stamp), flush=True)
    if a.silent:
        continue
    kind = name.split(".")[0]
    if kind == "silent":
        continue
    if kind in ("spoof", "spoofonly"):
        for p, from_other in forged(qid, name, qtype, question):
            (other if from_other else sock).sendto(p, client)
        if kind == "spoof":
            pending.append((now + 0.05, reply(qid, question, records(name, qtype, False)), client))
        continue
    if kind.startswith("tc"):
        sock.sendto(reply(qid, question, [], flags=0x8380), client)
        continue
    bad = malformed(kind, qid, question)
    if bad is not None:
        sock.sendto(bad, client)
        continue
    good = reply(qid, question, records(name, qtype, False))
    if a.delay_ms > 0:
        pending.append((now + a.delay_ms / 1000.0, good, client))
    else:
        sock.sendto(good, client)
