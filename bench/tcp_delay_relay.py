#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""bench/tcp_delay_relay.py - TCP relays on loopback that add latency

Usage: tcp_delay_relay.py --upstream PORT [--upstream PORT ...] [--listen PORT]
                          [--delay-ms 50] [--request-delay-ms MS]
                          [--connect-delay-ms 0] [--lifetime 120]

For each upstream port on 127.0.0.1 it listens on a loopback port (a free
one; --listen, with one upstream only, names it) and prints
"UPSTREAM LISTEN", then "ready LISTEN" (the first relay's port).  Each
connection is connected to its upstream after --connect-delay-ms (the TCP
handshake's round trip, when wanted), and the bytes are forwarded both
ways, every chunk held back: towards the client --delay-ms, towards the
server --request-delay-ms (default: --delay-ms).  Order is kept, and a
chunk's delay starts when it arrives, so chunks in flight overlap: the
delay is per direction, however many connections are open.  The kernel
here has no netem.  On exit (after --lifetime seconds, or SIGTERM) prints
"peak N" (most connections open at once) and "connections N".  Loopback
only.

The two benchmarks use it so:
  https_fanout.sh  --delay-ms D: a round trip costs 2 x D
  smtp_probe.sh    --delay-ms D --request-delay-ms 0 --connect-delay-ms D:
                   the connect and each answer cost one round trip of D
"""
import argparse, asyncio, signal, time

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", type=int, action="append", required=True)
ap.add_argument("--listen", type=int, default=0)
ap.add_argument("--delay-ms", type=float, default=50.0)
ap.add_argument("--request-delay-ms", type=float, default=None)
ap.add_argument("--connect-delay-ms", type=float, default=0.0)
ap.add_argument("--lifetime", type=float, default=120.0)
args = ap.parse_args()
if args.listen and len(args.upstream) > 1:
    ap.error("--listen goes with one --upstream only")
answer_delay = args.delay_ms / 1000.0
request_delay = (args.delay_ms if args.request_delay_ms is None else args.request_delay_ms) / 1000.0
connect_delay = args.connect_delay_ms / 1000.0
state = {"open": 0, "peak": 0, "total": 0}


async def pump(reader, writer, delay):
    q = asyncio.Queue()

    async def send():
        while True:
            t, data = await q.get()
            wait = t + delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass

    sender = asyncio.ensure_future(send())
    try:
        while True:
            data = await reader.read(65536)
            q.put_nowait((time.monotonic(), data or None))
            if not data:
                break
    except OSError:
        q.put_nowait((time.monotonic(), None))
    try:
        await sender
    except OSError:
        pass


def handler(upstream):
    async def handle(cr, cw):
        state["open"] += 1
        state["total"] += 1
        state["peak"] = max(state["peak"], state["open"])
        if connect_delay > 0:
            await asyncio.sleep(connect_delay)
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            cw.close()
            state["open"] -= 1
            return
        await asyncio.gather(pump(cr, uw, request_delay), pump(ur, cw, answer_delay),
                             return_exceptions=True)
        for w in (cw, uw):
            w.close()
        state["open"] -= 1
    return handle


async def main():
    first = None
    for up in args.upstream:
        srv = await asyncio.start_server(handler(up), "127.0.0.1", args.listen, backlog=512)
        port = srv.sockets[0].getsockname()[1]
        first = first or port
        print(up, port, flush=True)
    print("ready", first, flush=True)
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    try:
        await asyncio.wait_for(stop, args.lifetime)
    except asyncio.TimeoutError:
        pass
    print("peak", state["peak"], flush=True)
    print("connections", state["total"], flush=True)

asyncio.run(main())
