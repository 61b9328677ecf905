#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""bench/tcp_delay_relay.py - a TCP relay on loopback that adds a fixed delay

Usage: tcp_delay_relay.py --upstream PORT [--listen PORT] [--delay-ms 50]
                          [--lifetime 120]

Accepts connections on 127.0.0.1:LISTEN (a free port when 0; printed as
"ready PORT"), connects each to 127.0.0.1:UPSTREAM, and forwards the bytes
both ways, every chunk held back --delay-ms milliseconds (order kept; a
chunk's delay starts when it arrives, so chunks in flight overlap: the
delay is per direction, a round trip costs 2 x delay, however many
connections are open).  The kernel here has no netem.  On exit (after
--lifetime seconds, or SIGTERM) prints "peak N" (most connections open at
once) and "connections N".  Loopback only.
"""
import argparse, asyncio, signal, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--listen", type=int, default=0)
ap.add_argument("--upstream", type=int, required=True)
ap.add_argument("--delay-ms", type=float, default=50.0)
ap.add_argument("--lifetime", type=float, default=120.0)
args = ap.parse_args()
delay = args.delay_ms / 1000.0
state = {"open": 0, "peak": 0, "total": 0}

async def pump(reader, writer):
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

async def handle(cr, cw):
    state["open"] += 1
    state["total"] += 1
    state["peak"] = max(state["peak"], state["open"])
    try:
        ur, uw = await asyncio.open_connection("127.0.0.1", args.upstream)
    except OSError:
        cw.close()
        state["open"] -= 1
        return
    await asyncio.gather(pump(cr, uw), pump(ur, cw), return_exceptions=True)
    for w in (cw, uw):
        w.close()
    state["open"] -= 1

async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", args.listen, backlog=512)
    print("ready", srv.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    try:
        await asyncio.wait_for(stop, args.lifetime)
    except asyncio.TimeoutError:
        pass
    print("peak", state["peak"], flush=True)
    print("connections", state["total"], flush=True)

asyncio.run(main())
