#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/e2e/https_server.py - an HTTPS server on loopback for the tests

Serves https://HOST/PATH from ROOT/HOST/PATH (the Host header picks the
directory), like mailcheck's --http-root, with a certificate given on the
command line.  Beside a file, FILE.status holds "CODE [LOCATION]" to answer
with another status (a redirect, 500), and FILE.type the Content-Type
(default by extension: .txt text/plain, .svg image/svg+xml, .pem
application/x-pem-file).  --silent accepts connections and never answers
(no TLS handshake): a server that hangs; --plain speaks HTTP without TLS.  Prints "ready PORT" when
listening; logs "peak N" (most requests in flight at once) on exit.
Exits by itself after --lifetime seconds.  Loopback only.
"""
import argparse, http.server, os, socket, ssl, sys, threading, time

TYPES = {".txt": "text/plain", ".svg": "image/svg+xml", ".pem": "application/x-pem-file"}
lock = threading.Lock()
inflight = peak = 0

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.headers.get("Host", "-"), fmt % args))

    def do_GET(self):
        global inflight, peak
        with lock:
            inflight += 1
            peak = max(peak, inflight)
        try:
            self.answer()
        finally:
            with lock:
                inflight -= 1

    def answer(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = self.path.split("?")[0]
        if "/.." in path or "/" in host or host.startswith("."):
            return self.send(400, b"bad request\n", "text/plain")
        f = os.path.join(ARGS.root, host, path.lstrip("/"))
        if ARGS.delay_ms:
            time.sleep(ARGS.delay_ms / 1000.0)
        if os.path.exists(f + ".status"):
            words = open(f + ".status").read().split()
            extra = {"Location": words[1]} if len(words) > 1 else {}
            return self.send(int(words[0]), b"see elsewhere\n", "text/plain", extra)
        if not os.path.isfile(f):
            return self.send(404, b"not found\n", "text/plain")
        ctype = open(f + ".type").read().strip() if os.path.exists(f + ".type") \
            else TYPES.get(os.path.splitext(f)[1], "application/octet-stream")
        with open(f, "rb") as fh:
            self.send(200, fh.read(), ctype)

    def send(self, code, body, ctype, extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def get_request(self):
        conn, addr = self.socket.accept()
        if ARGS.silent:
            HELD.append(conn)  # never answered, closed at exit
            raise OSError("held")
        conn.settimeout(30)
        if CTX is None:
            return conn, addr
        # the handshake happens in the request's thread, on first read, so
        # one slow or aborted client never holds up the accept loop
        return CTX.wrap_socket(conn, server_side=True,
                               do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass

def main():
    global ARGS, CTX, HELD
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=120)
    ARGS = ap.parse_args()
    HELD = []
    CTX = None
    if not ARGS.silent and not ARGS.plain:
        CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        CTX.load_cert_chain(ARGS.cert, ARGS.key)
    srv = Server(("127.0.0.1", ARGS.port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("ready", srv.server_address[1], flush=True)
    time.sleep(ARGS.lifetime)
    print("peak", peak, flush=True)

if __name__ == "__main__":
    main()
