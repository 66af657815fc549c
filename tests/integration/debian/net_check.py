#!/usr/bin/python3
"""net_check.py CHECK: Debian's Python judges the kernel's sockets.

Installed in the Debian test image as /root/tests/net_check.py by
tools/mkdebian.sh and run by tests/integration/debian/login.session, one
check per run: prints `ok CHECK` or `FAIL CHECK: why`.
  asyncio          20 concurrent clients send 64 KiB each to an asyncio
                   server that answers with its SHA-256; and a subprocess
                   through asyncio's pipes
  http_server      http.server in a thread serves a file to urllib
  socketserver     ThreadingTCPServer and UnixStreamServer echo servers
  multiprocessing  a Pool of 2 maps over 200 items, a Queue and a Pipe
"""
import asyncio, hashlib, http.server, multiprocessing, os, socket
import socketserver, sys, tempfile, threading, urllib.request


def check_asyncio():
    payload = os.urandom(65536)
    digest = hashlib.sha256(payload).digest()

    async def handle(r, w):
        data = await r.read()  # to end of file
        w.write(hashlib.sha256(data).digest())
        await w.drain()
        w.close()

    async def client(port):
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(payload)
        await w.drain()
        w.write_eof()
        answer = await r.read()
        w.close()
        return answer

    async def main():
        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        answers = await asyncio.gather(*[client(port) for _ in range(20)])
        srv.close()
        await srv.wait_closed()
        assert all(a == digest for a in answers), "a client got a wrong digest"
        proc = await asyncio.create_subprocess_exec(
            "sh", "-c", "echo from-child", stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        assert out == b"from-child\n" and proc.returncode == 0, (out, proc.returncode)

    asyncio.run(asyncio.wait_for(main(), 100))


def check_http_server():
    d = tempfile.mkdtemp()
    body = os.urandom(200000)
    with open(os.path.join(d, "f"), "wb") as f:
        f.write(body)
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=d)
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    got = urllib.request.urlopen(f"http://127.0.0.1:{srv.server_address[1]}/f", timeout=60).read()
    srv.shutdown()
    assert got == body, f"{len(got)} bytes back, {len(body)} sent"


class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline().upper())


def check_socketserver():
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) as srv:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        for _ in range(10):
            with socket.create_connection(srv.server_address, timeout=60) as c:
                c.sendall(b"tcp line\n")
                assert c.makefile("rb").readline() == b"TCP LINE\n"
        srv.shutdown()
    path = os.path.join(tempfile.mkdtemp(), "sock")
    with socketserver.ThreadingUnixStreamServer(path, Echo) as srv:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        with socket.socket(socket.AF_UNIX) as c:
            c.settimeout(60)
            c.connect(path)
            c.sendall(b"unix line\n")
            assert c.makefile("rb").readline() == b"UNIX LINE\n"
        srv.shutdown()


def square(x):
    return x * x


def child(q, conn):
    q.put(os.getpid())
    conn.send(conn.recv() + 1)


def check_multiprocessing():
    with multiprocessing.Pool(2) as pool:
        assert pool.map(square, range(200)) == [x * x for x in range(200)]
    q = multiprocessing.Queue()
    a, b = multiprocessing.Pipe()
    p = multiprocessing.Process(target=child, args=(q, b))
    p.start()
    a.send(41)
    assert a.recv() == 42
    assert q.get(timeout=60) == p.pid
    p.join(60)
    assert p.exitcode == 0, p.exitcode


name = sys.argv[1]
try:
    globals()["check_" + name]()
    print("ok", name)
except Exception as e:  # the line says what failed
    print(f"FAIL {name}: {e!r}")
