#!/usr/bin/env python3
"""fs_check.py: the ext4 root's write paths, as Debian's programs use them.

Run in the Debian guest by the login session (tests/integration/debian.sh),
in a directory of the ext4 root (default /root/fs-check). Each check
prints "ok NAME" or "fail NAME: why" (the same on Linux); the host runs
e2fsck -fn on the disk after the session, which judges what was written
(extent trees, htree blocks, checksums of every kind, bitmaps, counts).

  bigdir     4000 entries in one directory (dir_index: the htree grows
             past one leaf; metadata_csum: every leaf and index block has
             its tail), read back, half removed, the rest renamed
  extents    two files written in turns, 4 KiB at a time, so each gets
             thousands of one-block extents (an extent tree with index
             blocks and many leaves), read back, truncated in the middle
             of a leaf, one removed
  sparse     a file written back to front in 4 KiB pieces with holes
             between (extents inserted before the others), read back
  xattr      user.* extended attributes, small (in the inode's extra
             space) and large (an attribute block), read back, removed
             (not in the session yet: the kernel answers EOPNOTSUPP)
"""
import os
import shutil
import sys

BS = 4096


def block(seed, i):
    """Block i of file seed: its numbers, then padding (cheap in TCG)."""
    return (b"%d:%d;" % (seed, i)).ljust(BS, bytes([(seed * 31 + i) & 0xFF or 1]))


def bigdir(top):
    d = os.path.join(top, "bigdir")
    os.mkdir(d)
    n = 4000
    for i in range(n):
        with open(os.path.join(d, "a_file_with_a_long_name_%05d" % i), "w") as f:
            f.write(str(i))
    names = set(os.listdir(d))
    if len(names) != n:
        return "listed %d of %d" % (len(names), n)
    for i in range(0, n, 2):
        os.unlink(os.path.join(d, "a_file_with_a_long_name_%05d" % i))
    for i in range(1, n, 2):
        os.rename(os.path.join(d, "a_file_with_a_long_name_%05d" % i),
                  os.path.join(d, "renamed_%05d" % i))
    for i in range(1, n, 2):
        with open(os.path.join(d, "renamed_%05d" % i)) as f:
            if f.read() != str(i):
                return "renamed_%05d has the wrong contents" % i
    if len(os.listdir(d)) != n // 2:
        return "%d entries left, expected %d" % (len(os.listdir(d)), n // 2)
    return None


def extents(top):
    nblk = 3000
    paths = [os.path.join(top, "ext_a"), os.path.join(top, "ext_b")]
    fds = [os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) for p in paths]
    for i in range(nblk):
        for s, fd in enumerate(fds):
            os.write(fd, block(s, i))
            if i % 256 == 255:
                os.fsync(fd)
    for fd in fds:
        os.fsync(fd)
        os.close(fd)
    for s, p in enumerate(paths):
        with open(p, "rb") as f:
            for i in range(nblk):
                if f.read(BS) != block(s, i):
                    return "%s: block %d reads back wrong" % (p, i)
    os.truncate(paths[0], 1234 * BS + 100)
    with open(paths[0], "rb") as f:
        data = f.read()
    if len(data) != 1234 * BS + 100 or data[1233 * BS:1234 * BS] != block(0, 1233):
        return "truncated file reads back wrong"
    os.unlink(paths[1])
    return None


def sparse(top):
    p = os.path.join(top, "sparse")
    fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    n = 600
    for i in reversed(range(n)):
        os.pwrite(fd, block(3, i), 3 * i * BS)
    os.fsync(fd)
    for i in range(n):
        if os.pread(fd, BS, 3 * i * BS) != block(3, i):
            return "block %d reads back wrong" % i
        if os.pread(fd, BS, (3 * i + 1) * BS) not in (bytes(BS), b""):
            return "hole after block %d is not zero" % i
    os.close(fd)
    return None


def xattr(top):
    p = os.path.join(top, "xattr")
    open(p, "w").close()
    try:
        os.setxattr(p, "user.small", b"s" * 20)
    except OSError as e:
        return "setxattr: %s" % e
    os.setxattr(p, "user.large", b"L" * 3000)
    if os.getxattr(p, "user.small") != b"s" * 20 or os.getxattr(p, "user.large") != b"L" * 3000:
        return "attributes read back wrong"
    os.removexattr(p, "user.large")
    if sorted(os.listxattr(p)) != ["user.small"]:
        return "listxattr after removexattr: %r" % os.listxattr(p)
    return None


CHECKS = {"bigdir": bigdir, "extents": extents, "sparse": sparse, "xattr": xattr}


def main():
    names = [sys.argv[1]] if len(sys.argv) > 1 and sys.argv[1] else list(CHECKS)
    top = sys.argv[2] if len(sys.argv) > 2 else "/root/fs-check"
    os.makedirs(top, exist_ok=True)
    for name in names:
        sub = os.path.join(top, name)
        shutil.rmtree(sub, ignore_errors=True)
        os.mkdir(sub)
        try:
            why = CHECKS[name](sub)
        except OSError as e:
            why = "%s: %s" % (type(e).__name__, e)
        print("ok %s" % name if why is None else "fail %s: %s" % (name, why))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
