#!/usr/bin/env python3
"""db_check.py: SQLite in WAL mode on the ext2 root, as a database uses it.

Run in the Debian guest by the login session (tests/integration/debian.sh).
WAL mode maps the database's -shm file shared and writable (the readers'
and writers' shared index), and mmap_size makes readers map the database
itself while writers write(2) to it: both need the page cache's coherence.
Four writer processes insert rows in transactions of their own while a
reader counts them; at the end every row is there, the count only ever
grew, and PRAGMA integrity_check says ok. Prints "ok wal ROWS" or
"fail ..." (the same on Linux).
"""
import multiprocessing as mp
import os
import sqlite3
import sys

DB = sys.argv[1] if len(sys.argv) > 1 else "/root/wal-check.db"
WRITERS = 4
ROWS = 50


def connect():
    c = sqlite3.connect(DB, timeout=120)
    c.execute("PRAGMA mmap_size=4194304")
    return c


def writer(n):
    c = connect()
    for i in range(ROWS):
        with c:
            c.execute("INSERT INTO t(w, i, pad) VALUES (?, ?, ?)",
                      (n, i, os.urandom(300).hex()))
    c.close()


def reader(stop):
    c = connect()
    last = 0
    while not stop.is_set():
        n = c.execute("SELECT count(*) FROM t").fetchone()[0]
        if n < last:
            sys.exit(f"the count went down from {last} to {n}")
        last = n
    c.close()


def main():
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(DB + suffix):
            os.unlink(DB + suffix)
    c = connect()
    mode = c.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        print("fail journal_mode", mode)
        return 1
    c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, w, i, pad)")
    c.commit()
    stop = mp.Event()
    r = mp.Process(target=reader, args=(stop,))
    r.start()
    ws = [mp.Process(target=writer, args=(n,)) for n in range(WRITERS)]
    for w in ws:
        w.start()
    for w in ws:
        w.join()
    stop.set()
    r.join()
    codes = [w.exitcode for w in ws] + [r.exitcode]
    if any(codes):
        print("fail exit codes", codes)
        return 1
    check = c.execute("PRAGMA integrity_check").fetchone()[0]
    n = c.execute("SELECT count(*) FROM t").fetchone()[0]
    each = c.execute("SELECT count(*) FROM t GROUP BY w").fetchall()
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    if check != "ok" or n != WRITERS * ROWS or each != [(ROWS,)] * WRITERS:
        print("fail", check, n, each)
        return 1
    print("ok wal", n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
