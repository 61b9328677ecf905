#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""bench/smtp_delay_relay.py - TCP relays on loopback that add latency, one per upstream port (the connect and each answer delayed once: one round trip each; bench/tcp_delay_relay.py delays both directions of one upstream)

Usage: smtp_delay_relay.py --delay-ms 20 --lifetime 120 UPSTREAM_PORT...

For each upstream port on 127.0.0.1 it listens on a free loopback port and
prints "UPSTREAM_PORT LISTEN_PORT", then "ready".  Every connection waits
DELAY_MS before it is connected upstream (the TCP handshake's round trip),
and every chunk the server sends is held back DELAY_MS before the client
gets it (one round trip per request and answer; the kernel here has no
netem).  Chunks keep their order.  Loopback only; exits after --lifetime.
"""
import argparse, asyncio, sys


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    q = asyncio.Queue()

    async def send():
        while True:
            due, data = await q.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    task = asyncio.create_task(send())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            q.put_nowait((loop.time() + delay, data))
    except (ConnectionError, OSError):
        pass
    q.put_nowait((0, None))
    try:
        await task
    except (ConnectionError, OSError):
        pass


def handler(up, delay):
    async def handle(creader, cwriter):
        await asyncio.sleep(delay)
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", up)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pump(creader, swriter, 0), pump(sreader, cwriter, delay),
                             return_exceptions=True)
    return handle


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay-ms", type=float, default=20)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("ports", nargs="+", type=int)
    a = ap.parse_args()
    for up in a.ports:
        srv = await asyncio.start_server(handler(up, a.delay_ms / 1000), "127.0.0.1", 0)
        print(up, srv.sockets[0].getsockname()[1], flush=True)
    print("ready", flush=True)
    await asyncio.sleep(a.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
