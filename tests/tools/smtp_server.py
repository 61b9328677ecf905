#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/tools/smtp_server.py - a scripted SMTP+STARTTLS server on loopback

Test helper, not a test.  Each argument NAME:BEHAVIOUR:CERT opens one
listener on 127.0.0.1 at a free port (CERT names CERTDIR/CERT.pem, the
chain to send, and CERTDIR/CERT.key; "-" for none).  It prints
"NAME PORT" per listener, then "ready", and exits after --lifetime seconds.

Behaviours (what the tests in tests/e2e/smtp.sh expect of them):
  ok           220 greeting, EHLO offers STARTTLS, TLS with CERT
  nostarttls   EHLO without STARTTLS
  starttls454  STARTTLS answered 454
  ehlo550      EHLO answered 550
  tlsfail      STARTTLS answered 220, then bytes that are not TLS
  greet554     a 554 greeting
  hugegreet    a greeting line of 1 MB
  silent       accepts and never says a word
  junk         binary junk instead of a greeting
  barelf       like ok, with LF line ends instead of CR LF
  endless      EHLO answered with endless 250- lines
  close        closes the connection after EHLO
  othername    like ok, greeting as "220 elsewhere.example"
  tls10        like ok, TLS 1.0 only
  backlog      a socket whose accept queue is full: connects never finish
  inject       sends a line right behind its 220 to STARTTLS (the plain
               text a client must not read as TLS, RFC 3207 5)
Every connection is counted; "--log FILE" appends "NAME connect" lines.
"""
import argparse, asyncio, os, socket, ssl, sys


def make_ctx(certdir, cert, tls10=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    if tls10:
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.load_cert_chain(os.path.join(certdir, cert + ".pem"),
                        os.path.join(certdir, cert + ".key"))
    return ctx


class Listener:
    def __init__(self, name, behaviour, ctx, log):
        self.name, self.b, self.ctx, self.log = name, behaviour, ctx, log

    def eol(self):
        return b"\n" if self.b == "barelf" else b"\r\n"

    async def handle(self, reader, writer):
        if self.log:
            with open(self.log, "a") as f:
                f.write(f"{self.name} connect\n")
        try:
            await self.dialogue(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def dialogue(self, reader, writer):
        b, e = self.b, self.eol()
        if b == "silent":
            await asyncio.sleep(3600)
            return
        if b == "junk":
            writer.write(bytes(range(256)) * 4)
            await writer.drain()
            await asyncio.sleep(5)
            return
        if b == "greet554":
            writer.write(b"554 5.7.1 no service for you" + e)
            await writer.drain()
            await reader.readline()
            return
        if b == "hugegreet":
            writer.write(b"220 " + b"x" * (1 << 20) + e)
            await writer.drain()
            await asyncio.sleep(5)
            return
        name = b"elsewhere.example" if b == "othername" else b"%s" % self.name.encode()
        writer.write(b"220-" + name + b" ESMTP test" + e + b"220 " + name + b" ready" + e)
        await writer.drain()
        while True:
            line = await reader.readline()
            if not line:
                return
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO"):
                if b == "ehlo550":
                    writer.write(b"550 go away" + e)
                elif b == "close":
                    return
                elif b == "endless":
                    while True:
                        writer.write(b"250-PIPELINING" + e)
                        await writer.drain()
                else:
                    ext = [b"PIPELINING", b"SIZE 10240000", b"8BITMIME"]
                    if b != "nostarttls":
                        ext.append(b"STARTTLS")
                    out = b"250-" + name + e
                    for i, x in enumerate(ext):
                        out += (b"250 " if i == len(ext) - 1 else b"250-") + x + e
                    writer.write(out)
                await writer.drain()
            elif cmd == b"STARTTLS":
                if b == "starttls454":
                    writer.write(b"454 4.7.0 TLS not available" + e)
                    await writer.drain()
                    continue
                writer.write(b"220 2.0.0 go ahead" + e +
                             (b"250 injected" + e if b == "inject" else b""))
                await writer.drain()
                if b == "tlsfail":
                    await reader.read(1)  # the ClientHello has begun
                    writer.write(b"this is not TLS\r\n" * 4)
                    await writer.drain()
                    await asyncio.sleep(1)
                    return
                await writer.start_tls(self.ctx)
                # the client QUITs and closes; answer what comes
                line = await reader.readline()
                if line:
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                return
            elif cmd == b"QUIT":
                writer.write(b"221 bye" + e)
                await writer.drain()
                return
            else:
                writer.write(b"502 not here" + e)
                await writer.drain()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--log")
    ap.add_argument("spec", nargs="+")
    a = ap.parse_args()
    servers, held = [], []
    for spec in a.spec:
        name, b, cert = spec.split(":")
        if b == "backlog":
            ls = socket.socket()
            ls.bind(("127.0.0.1", 0))
            ls.listen(0)
            held.append(ls)
            for _ in range(4):
                c = socket.socket()
                c.setblocking(False)
                c.connect_ex(ls.getsockname())
                held.append(c)
            print(name, ls.getsockname()[1], flush=True)
            continue
        ctx = make_ctx(a.dir, cert, b == "tls10") if cert != "-" else None
        lst = Listener(name, b, ctx, a.log)
        srv = await asyncio.start_server(lst.handle, "127.0.0.1", 0, limit=1 << 16)
        servers.append(srv)
        print(name, srv.sockets[0].getsockname()[1], flush=True)
    print("ready", flush=True)
    await asyncio.sleep(a.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
