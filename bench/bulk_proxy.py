#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""bench/bulk_proxy.py - a DNS proxy on loopback that adds a fixed delay

Usage: bulk_proxy.py --listen PORT --upstream PORT [--delay-ms 20] [--lifetime 300]

Every UDP query is held for --delay-ms, then forwarded to the upstream
server over one socket with its ID rewritten (so thousands of queries in
flight cost no socket each); replies go back with the client's ID.  TCP
connections are piped to the upstream, each message delayed likewise.
Loopback only; exits by itself after --lifetime seconds.  Written for
bench/bulk.sh (bench/delay_proxy.py from another branch may replace it).
"""
import argparse, asyncio, ipaddress, struct, sys

ap = argparse.ArgumentParser()
ap.add_argument("--listen", type=int, required=True)
ap.add_argument("--upstream", type=int, required=True)
ap.add_argument("--addr", default="127.0.0.1")
ap.add_argument("--delay-ms", type=float, default=20.0)
ap.add_argument("--lifetime", type=float, default=300.0)
a = ap.parse_args()
if not ipaddress.ip_address(a.addr).is_loopback:
    sys.exit("refusing non-loopback address " + a.addr)
DELAY = a.delay_ms / 1000.0
UP = (a.addr, a.upstream)


class Upstream(asyncio.DatagramProtocol):
    def __init__(self):
        self.pending = {}  # our id -> (client transport, client addr, client id)
        self.next = 0

    def connection_made(self, t):
        self.t = t

    def send(self, data, front, client):
        if len(data) < 12:
            return
        for _ in range(65536):
            self.next = (self.next + 1) & 0xFFFF
            if self.next not in self.pending:
                break
        else:
            return  # 65536 in flight: drop, the client retries
        cid = data[:2]
        self.pending[self.next] = (front, client, cid)
        self.t.sendto(struct.pack("!H", self.next) + data[2:], UP)

    def datagram_received(self, data, _addr):
        if len(data) < 12:
            return
        (qid,) = struct.unpack("!H", data[:2])
        p = self.pending.pop(qid, None)
        if p is not None:
            front, client, cid = p
            front.sendto(cid + data[2:], client)


class Front(asyncio.DatagramProtocol):
    def __init__(self, up):
        self.up = up

    def connection_made(self, t):
        self.t = t

    def datagram_received(self, data, client):
        asyncio.get_running_loop().call_later(DELAY, self.up.send, data, self.t, client)


async def tcp_pipe(r, w):
    try:
        while True:
            hdr = await r.readexactly(2)
            msg = await r.readexactly(struct.unpack("!H", hdr)[0])
            await asyncio.sleep(DELAY)
            w.write(hdr + msg)
            await w.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        w.close()


async def tcp_handler(r, w):
    try:
        ur, uw = await asyncio.open_connection(*UP)
    except OSError:
        w.close()
        return
    await asyncio.gather(tcp_pipe(r, uw), tcp_pipe(ur, w))


async def main():
    loop = asyncio.get_running_loop()
    up_t, up = await loop.create_datagram_endpoint(Upstream, local_addr=(a.addr, 0))
    await loop.create_datagram_endpoint(lambda: Front(up), local_addr=(a.addr, a.listen))
    await asyncio.start_server(tcp_handler, a.addr, a.listen)
    await asyncio.sleep(a.lifetime)


asyncio.run(main())
