#!/usr/bin/python3
"""tests/integration/net-run/host.py: the host's side of net-run.sh.

Usage: host.py PORT DIR

Waits (up to 600 s) until the guest's busybox httpd, reached through
QEMU's forwarded 127.0.0.1:PORT, serves /blob; then, each a result line
`PASS name` or `FAIL name: why` on stdout:
  - fetches /blob and /big and compares their MD5 with DIR/blob and
    DIR/big (what the guest downloaded from the host and serves back);
  - opens 200 connections to the guest, each asking for /small, all
    connected before any reply is read, then checks every reply.
"""
import hashlib, socket, sys, time, urllib.request

port, d = int(sys.argv[1]), sys.argv[2]
base = f"http://127.0.0.1:{port}"


def fetch(name, timeout=600):
    with urllib.request.urlopen(f"{base}/{name}", timeout=timeout) as r:
        return r.read()


def wait_for_guest():
    end = time.time() + 600
    while time.time() < end:
        try:
            fetch("small", timeout=10)
            return True
        except OSError:
            time.sleep(1)
    return False


def check_file(name):
    want = hashlib.md5(open(f"{d}/{name}", "rb").read()).hexdigest()
    try:
        got = hashlib.md5(fetch(name)).hexdigest()
    except OSError as e:
        return f"FAIL net.run.host_fetched_{name}_intact: {e}"
    if got != want:
        return f"FAIL net.run.host_fetched_{name}_intact: md5 {got}, expected {want}"
    return f"PASS net.run.host_fetched_{name}_intact"


def concurrent(n=200):
    small = open(f"{d}/small", "rb").read()
    conns = []
    try:
        # Each asks at once (httpd gives a client 60 s to ask), and no
        # reply is read before all are connected.
        for _ in range(n):
            c = socket.create_connection(("127.0.0.1", port), timeout=300)
            conns.append(c)
            c.sendall(b"GET /small HTTP/1.0\r\nHost: guest\r\n\r\n")
        bad, first_bad = 0, b""
        for c in conns:
            reply = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                reply += chunk
            head, _, body = reply.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.") or b" 200 " not in head or body != small:
                bad += 1
                first_bad = first_bad or reply[:120] or b"(nothing: closed)"
    except OSError as e:
        return f"FAIL net.run.host_{n}_concurrent_connections: after {len(conns)} connected: {e}"
    finally:
        for c in conns:
            c.close()
    if bad:
        return (f"FAIL net.run.host_{n}_concurrent_connections: {bad} of {n} replies wrong;"
                f" the first: {first_bad!r}")
    return f"PASS net.run.host_{n}_concurrent_connections"


if not wait_for_guest():
    print("FAIL net.run.host_reached_the_guest: no answer from the guest's httpd in 600 s")
    sys.exit(0)
print("PASS net.run.host_reached_the_guest", flush=True)
for line in (check_file("blob"), check_file("big"), concurrent()):
    print(line, flush=True)
# The guest waits for this request in its httpd's log before it powers off.
try:
    fetch("host-done", timeout=60)
except OSError:
    pass
