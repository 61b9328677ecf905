#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""bench/delay_proxy.py - a DNS proxy on loopback that adds a fixed delay

Forwards UDP and TCP DNS messages from --listen to --upstream (both on
loopback, nothing else is accepted) and holds every reply back for
--delay-ms, so that one question costs one simulated round trip.  The kernel
here has no netem; this is how benchmarks get latency.  It stops by itself
after --lifetime seconds.  Modelled on ../shared/tools/dns-delay-proxy.py.

Usage: delay_proxy.py --listen PORT --upstream PORT [--delay-ms 20] [--lifetime 120]
"""
import argparse, asyncio, ipaddress, socket, sys

def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--upstream", type=int, required=True)
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--delay-ms", type=float, default=20.0)
    p.add_argument("--lifetime", type=float, default=120.0)
    a = p.parse_args()
    if not ipaddress.ip_address(a.addr).is_loopback:
        sys.exit("delay_proxy: refusing non-loopback address " + a.addr)
    return a

ARGS = parse()
DELAY = ARGS.delay_ms / 1000.0
QUERIES = 0

class UdpRelay(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, client):
        global QUERIES
        QUERIES += 1
        asyncio.ensure_future(self.forward(data, client))

    async def forward(self, data, client):
        loop = asyncio.get_running_loop()
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.setblocking(False)
        try:
            up.connect((ARGS.addr, ARGS.upstream))
            await loop.sock_sendall(up, data)
            reply = await asyncio.wait_for(loop.sock_recv(up, 65535), 5)
            await asyncio.sleep(DELAY)
            self.transport.sendto(reply, client)
        except (asyncio.TimeoutError, OSError):
            pass
        finally:
            up.close()

async def tcp_relay(reader, writer):
    try:
        ur, uw = await asyncio.open_connection(ARGS.addr, ARGS.upstream)
        while True:
            n = await reader.readexactly(2)
            msg = await reader.readexactly(int.from_bytes(n, "big"))
            uw.write(n + msg)
            await uw.drain()
            m = await ur.readexactly(2)
            reply = await ur.readexactly(int.from_bytes(m, "big"))
            await asyncio.sleep(DELAY)
            writer.write(m + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, OSError):
        pass
    finally:
        writer.close()

async def main():
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(UdpRelay, local_addr=(ARGS.addr, ARGS.listen))
    server = await asyncio.start_server(tcp_relay, ARGS.addr, ARGS.listen)
    print("delay_proxy %s:%d -> %d +%gms" % (ARGS.addr, ARGS.listen, ARGS.upstream,
                                             ARGS.delay_ms), flush=True)
    await asyncio.sleep(ARGS.lifetime)
    server.close()

asyncio.run(main())
