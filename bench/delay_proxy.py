#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""bench/delay_proxy.py - a DNS proxy on loopback that adds a fixed delay

Usage: delay_proxy.py --listen PORT --upstream PORT [--delay-ms 20]
                      [--lifetime 120] [--log FILE]

Relays DNS over UDP and TCP from 127.0.0.1:LISTEN (or ::1 with --addr ::1)
to the server at the same address and port UPSTREAM, and holds every reply
back for --delay-ms milliseconds: one added round trip per query, however
many are in flight at once (the kernel here has no netem).  Only loopback
addresses are accepted.  Prints "ready" when it listens and exits by itself
after --lifetime seconds.  --log FILE gets one line per query received
("udp" or "tcp", the query name and type), so a caller counts queries by
counting lines.  Modelled on ../shared/tools/dns-delay-proxy.py, written
for this project.
"""
import argparse
import asyncio
import ipaddress
import socket
import struct
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--addr", default="127.0.0.1")
ap.add_argument("--listen", type=int, required=True)
ap.add_argument("--upstream", type=int, required=True)
ap.add_argument("--delay-ms", type=float, default=20.0)
ap.add_argument("--lifetime", type=float, default=120.0)
ap.add_argument("--log")
a = ap.parse_args()
if not ipaddress.ip_address(a.addr).is_loopback:
    sys.exit("delay_proxy: refusing non-loopback address " + a.addr)
FAMILY = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
DELAY = a.delay_ms / 1000.0
log = open(a.log, "a", buffering=1) if a.log else None


def note(proto, msg):
    if log is None:
        return
    name, i = [], 12
    try:
        while msg[i] != 0 and msg[i] < 64:
            name.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace"))
            i += 1 + msg[i]
        qtype, = struct.unpack("!H", msg[i + 1:i + 3])
    except (IndexError, struct.error):
        name, qtype = ["?"], 0
    log.write("%s %s %d\n" % (proto, ".".join(name) or ".", qtype))


class Udp(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, client):
        note("udp", data)
        asyncio.ensure_future(self.relay(data, client))

    async def relay(self, data, client):
        loop = asyncio.get_running_loop()
        s = socket.socket(FAMILY, socket.SOCK_DGRAM)
        s.setblocking(False)
        try:
            s.connect((a.addr, a.upstream))
            await loop.sock_sendall(s, data)
            reply = await asyncio.wait_for(loop.sock_recv(s, 65535), 5)
            await asyncio.sleep(DELAY)
            self.transport.sendto(reply, client)
        except (asyncio.TimeoutError, OSError):
            pass
        finally:
            s.close()


async def tcp_client(reader, writer):
    try:
        ur, uw = await asyncio.open_connection(a.addr, a.upstream)
    except OSError:
        writer.close()
        return
    try:
        while True:
            hdr = await reader.readexactly(2)
            msg = await reader.readexactly(int.from_bytes(hdr, "big"))
            note("tcp", msg)
            uw.write(hdr + msg)
            await uw.drain()
            rhdr = await ur.readexactly(2)
            rep = await ur.readexactly(int.from_bytes(rhdr, "big"))
            await asyncio.sleep(DELAY)
            writer.write(rhdr + rep)
            await writer.drain()
    except (asyncio.IncompleteReadError, OSError):
        pass
    finally:
        uw.close()
        writer.close()


async def main():
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(Udp, local_addr=(a.addr, a.listen))
    srv = await asyncio.start_server(tcp_client, a.addr, a.listen)
    print("ready %s:%d -> %s:%d +%g ms" % (a.addr, a.listen, a.addr,
          a.upstream, a.delay_ms), flush=True)
    await asyncio.sleep(a.lifetime)
    srv.close()


asyncio.run(main())
