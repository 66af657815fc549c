/* t_splice.c: splice(2), tee(2), vmsplice(2), copy_file_range(2).
 *
 * Every expectation is Linux's (the program passes on Linux first). Files
 * live under a scratch directory /tmp/t_splice.<pid>. No case depends on
 * timing: a blocking splice is woken by a child whose write may come
 * before or after the call, with the same result. */
#include "t.h"

#include <limits.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef SPLICE_F_MOVE
#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#endif

/* Raw system calls: no libc emulation in the way. */
static long xsplice(int in, int64_t *oi, int out, int64_t *oo, size_t len,
                    unsigned flags)
{
    return syscall(SYS_splice, in, oi, out, oo, len, flags);
}

static long xtee(int in, int out, size_t len, unsigned flags)
{
    return syscall(SYS_tee, in, out, len, flags);
}

static long xvmsplice(int fd, const struct iovec *iov, unsigned long n,
                      unsigned flags)
{
    return syscall(SYS_vmsplice, fd, iov, n, flags);
}

static long xcfr(int in, int64_t *oi, int out, int64_t *oo, size_t len,
                 unsigned flags)
{
    return syscall(SYS_copy_file_range, in, oi, out, oo, len, flags);
}

static char dir[64];

static void path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static unsigned char pat(size_t i)
{
    return (unsigned char)(i * 7 + i / 251);
}

/* A new file holding n pattern bytes, open O_RDWR at position 0. */
static int make_file(const char *name, size_t n)
{
    char p[128];
    static unsigned char buf[8192];
    size_t done = 0;
    int fd;

    path(p, sizeof p, name);
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    while (done < n) {
        size_t k = n - done < sizeof buf ? n - done : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = pat(done + i);
        if (write(fd, buf, k) != (ssize_t)k)
            return -1;
        done += k;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* Do bytes [off, off+n) of fd hold the pattern from pattern index from? */
static int check_pat(int fd, off_t off, size_t n, size_t from)
{
    static unsigned char buf[8192];
    size_t done = 0;

    while (done < n) {
        size_t k = n - done < sizeof buf ? n - done : sizeof buf;
        if (pread(fd, buf, k, off + (off_t)done) != (ssize_t)k)
            return 0;
        for (size_t i = 0; i < k; i++)
            if (buf[i] != pat(from + done + i))
                return 0;
        done += k;
    }
    return 1;
}

static off_t pos_of(int fd)
{
    return lseek(fd, 0, SEEK_CUR);
}

T_CASE(file_pipe_file)
{
    int p[2], a, b;
    T_SYSOK(a = make_file("a", 10000));
    T_SYSOK(b = make_file("b", 0));
    T_SYSOK(pipe(p));
    /* NULL offsets: the file positions move. */
    T_EQ(xsplice(a, NULL, p[1], NULL, 5000, SPLICE_F_MOVE), 5000);
    T_EQ(pos_of(a), 5000);
    T_EQ(xsplice(p[0], NULL, b, NULL, 5000, SPLICE_F_MORE), 5000);
    T_EQ(pos_of(b), 5000);
    T_ASSERT(check_pat(b, 0, 5000, 0));
    /* Offsets: read and written back; the positions stay. */
    int64_t oi = 6000, oo = 100;
    T_EQ(xsplice(a, &oi, p[1], NULL, 3000, 0), 3000);
    T_EQ(oi, 9000);
    T_EQ(pos_of(a), 5000);
    T_EQ(xsplice(p[0], NULL, b, &oo, 3000, 0), 3000);
    T_EQ(oo, 3100);
    T_EQ(pos_of(b), 5000);
    T_ASSERT(check_pat(b, 100, 3000, 6000));
    /* Short at the end of the input, then 0. */
    oi = 9900;
    T_EQ(xsplice(a, &oi, p[1], NULL, 1000, 0), 100);
    T_EQ(oi, 10000);
    T_EQ(xsplice(a, &oi, p[1], NULL, 1000, 0), 0);
    T_EQ(oi, 10000);
    char buf[200];
    T_EQ(read(p[0], buf, sizeof buf), 100);
    /* A huge length from a file: bounded by the file and the pipe;
     * one that is negative as ssize_t: EINVAL (rw_verify_area). */
    T_EQ(lseek(a, 0, SEEK_SET), 0);
    T_ERRNO(xsplice(a, NULL, p[1], NULL, SIZE_MAX, 0), EINVAL);
    T_EQ(xsplice(a, NULL, p[1], NULL, 1ull << 62, 0), 10000);
    T_EQ(pos_of(a), 10000);
    close(p[0]);
    close(p[1]);
    close(a);
    close(b);
}

T_CASE(big_transfer_through_pipe)
{
    enum { N = 300000 };
    int p[2], a, b;
    size_t moved = 0;
    T_SYSOK(a = make_file("big_a", N));
    T_SYSOK(b = make_file("big_b", 0));
    T_SYSOK(pipe(p));
    for (;;) {
        long n = xsplice(a, NULL, p[1], NULL, 100000, 0);
        T_ASSERT(n >= 0);
        if (n == 0)
            break;
        while (n > 0) {
            long m = xsplice(p[0], NULL, b, NULL, (size_t)n, 0);
            T_ASSERT(m > 0);
            n -= m;
            moved += (size_t)m;
        }
    }
    T_EQ(moved, N);
    T_EQ(pos_of(b), N);
    T_ASSERT(check_pat(b, 0, N, 0));
    close(p[0]);
    close(p[1]);
    close(a);
    close(b);
}

T_CASE(socketpair_both_ways)
{
    int s[2], p[2];
    char buf[16] = { 0 };
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
    T_SYSOK(pipe(p));
    T_EQ(write(s[1], "hello", 5), 5);
    T_EQ(xsplice(s[0], NULL, p[1], NULL, 100, 0), 5);
    T_EQ(read(p[0], buf, sizeof buf), 5);
    T_ASSERT(memcmp(buf, "hello", 5) == 0);
    T_EQ(write(p[1], "world", 5), 5);
    T_EQ(xsplice(p[0], NULL, s[1], NULL, 100, 0), 5);
    memset(buf, 0, sizeof buf);
    T_EQ(read(s[0], buf, sizeof buf), 5);
    T_ASSERT(memcmp(buf, "world", 5) == 0);
    /* An offset on a socket: EINVAL (no pwrite), not ESPIPE. */
    int64_t off = 0;
    T_EQ(write(p[1], "x", 1), 1);
    T_ERRNO(xsplice(p[0], NULL, s[1], &off, 1, 0), EINVAL);
    /* The peer gone: the socket side reads end of file. */
    close(s[1]);
    T_EQ(xsplice(s[0], NULL, p[1], NULL, 100, 0), 0);
    close(s[0]);
    close(p[0]);
    close(p[1]);
}

/* stress-ng's splice stressor: /dev/zero -> pipe -> pipe -> /dev/null. */
T_CASE(dev_zero_to_dev_null)
{
    int z, n, f, p[2], q[2];
    char buf[4096];
    T_SYSOK(z = open("/dev/zero", O_RDONLY));
    T_SYSOK(n = open("/dev/null", O_WRONLY));
    T_SYSOK(f = open("/dev/full", O_WRONLY));
    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    T_EQ(xsplice(z, NULL, p[1], NULL, 4096, SPLICE_F_MOVE), 4096);
    T_EQ(xsplice(p[0], NULL, q[1], NULL, 4096, SPLICE_F_MOVE), 4096);
    T_EQ(xsplice(q[0], NULL, n, NULL, 1000, SPLICE_F_MOVE), 1000);
    memset(buf, 1, sizeof buf);
    T_EQ(read(q[0], buf, sizeof buf), 3096);
    for (int i = 0; i < 3096; i++)
        T_ASSERT(buf[i] == 0);
    T_EQ(write(p[1], "abc", 3), 3);
    /* Linux's /dev/full has no splice_write. */
    T_ERRNO(xsplice(p[0], NULL, f, NULL, 3, 0), EINVAL);
    T_EQ(read(p[0], buf, sizeof buf), 3);
    int r;
    T_SYSOK(r = open("/dev/urandom", O_RDWR));
    T_EQ(xsplice(r, NULL, p[1], NULL, 100, 0), 100);
    T_EQ(xsplice(p[0], NULL, r, NULL, 100, 0), 100);
    close(r);
    close(z);
    close(n);
    close(f);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
}

T_CASE(nonblock_eagain)
{
    int p[2], q[2], a, b;
    T_SYSOK(a = make_file("nb_a", 100));
    T_SYSOK(b = make_file("nb_b", 0));
    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    /* Empty pipe with writers: EAGAIN instead of a wait. */
    T_ERRNO(xsplice(p[0], NULL, b, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    T_ERRNO(xsplice(p[0], NULL, q[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    T_ERRNO(xtee(p[0], q[1], 10, SPLICE_F_NONBLOCK), EAGAIN);
    /* The pipe's own O_NONBLOCK counts too. */
    T_SYSOK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    T_ERRNO(xsplice(p[0], NULL, b, NULL, 10, 0), EAGAIN);
    T_SYSOK(fcntl(p[0], F_SETFL, 0));
    /* A full pipe: no room for a file's bytes. */
    static char junk[4096];
    T_SYSOK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    while (write(p[1], junk, sizeof junk) > 0)
        ;
    T_EQ(errno, EAGAIN);
    T_SYSOK(fcntl(p[1], F_SETFL, 0));
    T_ERRNO(xsplice(a, NULL, p[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    T_EQ(pos_of(a), 0);
    struct iovec iov = { junk, 10 };
    T_ERRNO(xvmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK), EAGAIN);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    close(a);
    close(b);
}

T_CASE(blocking_splice_woken_by_writer)
{
    int p[2], b;
    T_SYSOK(b = make_file("blk_b", 0));
    T_SYSOK(pipe(p));
    pid_t pid = t_fork();
    if (pid == 0) {
        close(p[0]);
        _exit(write(p[1], "xyz", 3) == 3 ? 0 : 1);
    }
    T_ASSERT(pid > 0);
    close(p[1]);
    T_EQ(xsplice(p[0], NULL, b, NULL, 100, 0), 3);
    T_EXITED(pid, 0);
    /* Every writer gone: end of file. */
    T_EQ(xsplice(p[0], NULL, b, NULL, 100, 0), 0);
    T_ASSERT(check_pat(b, 0, 0, 0));
    char buf[4] = { 0 };
    T_EQ(pread(b, buf, 3, 0), 3);
    T_STREQ(buf, "xyz");
    close(p[0]);
    close(b);
}

T_CASE(splice_errors)
{
    int p[2], a, b, c, d;
    char pc[128];
    int64_t off = 0;
    T_SYSOK(a = make_file("e_a", 100));
    T_SYSOK(b = make_file("e_b", 0));
    T_SYSOK(pipe(p));
    /* Length 0 is 0 before anything else is looked at. */
    T_EQ(xsplice(-1, NULL, -1, NULL, 0, 0xffff), 0);
    T_ERRNO(xsplice(a, NULL, p[1], NULL, 10, 0x100), EINVAL);
    T_ERRNO(xsplice(-1, NULL, p[1], NULL, 10, 0), EBADF);
    T_ERRNO(xsplice(a, NULL, -5, NULL, 10, 0), EBADF);
    T_ERRNO(xsplice(a, NULL, 1000, NULL, 10, 0), EBADF);
    /* Wrong ends of the pipe. */
    T_ERRNO(xsplice(p[1], NULL, b, NULL, 10, 0), EBADF);
    T_ERRNO(xsplice(a, NULL, p[0], NULL, 10, 0), EBADF);
    /* An offset on the pipe side. */
    T_ERRNO(xsplice(p[0], &off, b, NULL, 10, 0), ESPIPE);
    T_ERRNO(xsplice(a, NULL, p[1], &off, 10, 0), ESPIPE);
    /* No pipe at all; the same pipe on both sides. */
    T_ERRNO(xsplice(a, NULL, b, NULL, 10, 0), EINVAL);
    T_ERRNO(xsplice(p[0], NULL, p[1], NULL, 10, 0), EINVAL);
    /* Bad offset pointers. */
    T_ERRNO(xsplice(a, (int64_t *)1, p[1], NULL, 10, 0), EFAULT);
    T_ERRNO(xsplice(a, (int64_t *)0xffff800000000000ull, p[1], NULL, 10, 0), EFAULT);
    T_EQ(write(p[1], "abc", 3), 3);
    T_ERRNO(xsplice(p[0], NULL, b, (int64_t *)8, 10, 0), EFAULT);
    /* A negative offset. */
    off = -1;
    T_ERRNO(xsplice(a, &off, p[1], NULL, 10, 0), EINVAL);
    T_ERRNO(xsplice(p[0], NULL, b, &off, 10, 0), EINVAL);
    /* A length that is negative as ssize_t, into a file. */
    T_ERRNO(xsplice(p[0], NULL, b, NULL, SIZE_MAX, 0), EINVAL);
    /* Appending output. */
    path(pc, sizeof pc, "e_c");
    T_SYSOK(c = open(pc, O_WRONLY | O_CREAT | O_APPEND, 0600));
    T_ERRNO(xsplice(p[0], NULL, c, NULL, 10, 0), EINVAL);
    /* A directory does not splice. */
    T_SYSOK(d = open(dir, O_RDONLY | O_DIRECTORY));
    T_ERRNO(xsplice(d, NULL, p[1], NULL, 10, 0), EINVAL);
    /* Still all there. */
    char buf[8];
    T_EQ(read(p[0], buf, sizeof buf), 3);
    /* No reader: EPIPE (SIGPIPE ignored here). */
    signal(SIGPIPE, SIG_IGN);
    close(p[0]);
    T_ERRNO(xsplice(a, NULL, p[1], NULL, 10, 0), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);
    close(a);
    close(b);
    close(c);
    close(d);
}

T_CASE(pipe_to_pipe)
{
    int p[2], q[2];
    char buf[16] = { 0 };
    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    T_EQ(write(p[1], "abcdef", 6), 6);
    T_EQ(xsplice(p[0], NULL, q[1], NULL, 4, 0), 4);
    T_EQ(read(q[0], buf, sizeof buf), 4);
    T_ASSERT(memcmp(buf, "abcd", 4) == 0);
    T_EQ(read(p[0], buf, sizeof buf), 2);
    T_ASSERT(memcmp(buf, "ef", 2) == 0);
    close(p[1]);
    T_EQ(xsplice(p[0], NULL, q[1], NULL, 4, 0), 0);
    close(p[0]);
    close(q[0]);
    close(q[1]);
}

T_CASE(tee_copies_without_consuming)
{
    int p[2], q[2], a;
    char buf[16] = { 0 };
    T_SYSOK(a = make_file("tee_a", 10));
    T_SYSOK(pipe(p));
    T_SYSOK(pipe(q));
    T_EQ(write(p[1], "abcdef", 6), 6);
    T_EQ(xtee(p[0], q[1], 100, 0), 6);
    T_EQ(xtee(p[0], q[1], 2, 0), 2);
    T_EQ(read(q[0], buf, sizeof buf), 8);
    T_ASSERT(memcmp(buf, "abcdefab", 8) == 0);
    memset(buf, 0, sizeof buf);
    T_EQ(read(p[0], buf, sizeof buf), 6);
    T_ASSERT(memcmp(buf, "abcdef", 6) == 0);
    T_EQ(xtee(p[0], q[1], 0, 0), 0);
    T_ERRNO(xtee(p[0], q[1], 10, 0x40), EINVAL);
    T_ERRNO(xtee(p[0], p[1], 10, 0), EINVAL);
    T_ERRNO(xtee(a, q[1], 10, 0), EINVAL);
    T_ERRNO(xtee(p[0], a, 10, 0), EINVAL);
    T_ERRNO(xtee(-1, q[1], 10, 0), EBADF);
    T_ERRNO(xtee(p[0], -1, 10, 0), EBADF);
    T_ERRNO(xtee(p[1], q[1], 10, 0), EBADF);
    T_ERRNO(xtee(p[0], q[0], 10, 0), EBADF);
    /* No writers and empty: 0. */
    close(p[1]);
    T_EQ(xtee(p[0], q[1], 10, 0), 0);
    close(p[0]);
    close(q[0]);
    close(q[1]);
    close(a);
}

T_CASE(vmsplice_both_ways)
{
    int p[2], a;
    char x[16] = { 0 }, y[16] = { 0 };
    struct iovec in[2] = { { "hello", 5 }, { " world", 6 } };
    T_SYSOK(a = make_file("vm_a", 10));
    T_SYSOK(pipe(p));
    T_EQ(xvmsplice(p[1], in, 2, SPLICE_F_GIFT), 11);
    char buf[16] = { 0 };
    T_EQ(read(p[0], buf, sizeof buf), 11);
    T_STREQ(buf, "hello world");
    T_EQ(write(p[1], "abcdefgh", 8), 8);
    struct iovec out[2] = { { x, 3 }, { y, 10 } };
    T_EQ(xvmsplice(p[0], out, 2, 0), 8);
    T_STREQ(x, "abc");
    T_STREQ(y, "defgh");
    /* Nothing to move. */
    T_EQ(xvmsplice(p[1], in, 0, 0), 0);
    /* Errors. */
    T_ERRNO(xvmsplice(-1, in, 1, 0), EBADF);
    T_ERRNO(xvmsplice(p[1], in, 1, 0x10), EINVAL);
    T_ERRNO(xvmsplice(a, in, 1, 0), EBADF);
    T_ERRNO(xvmsplice(p[1], NULL, 1, 0), EFAULT);
    T_ERRNO(xvmsplice(p[1], (struct iovec *)1, 1, 0), EFAULT);
    T_ERRNO(xvmsplice(p[1], in, 1025, 0), EINVAL);
    /* Linux takes the count as 32 bits (import_iovec's unsigned). */
    T_ERRNO(xvmsplice(p[1], in, (1ul << 32) + 1025, 0), EINVAL);
    T_EQ(xvmsplice(p[1], in, 1ul << 40, 0), 0);
    struct iovec bad = { (void *)0xffff800000000000ull, 10 };
    T_ERRNO(xvmsplice(p[1], &bad, 1, 0), EFAULT);
    struct iovec neg = { x, (size_t)-1 };
    T_ERRNO(xvmsplice(p[1], &neg, 1, 0), EINVAL);
    struct iovec unmapped = { (void *)4096, 10 };
    T_ERRNO(xvmsplice(p[1], &unmapped, 1, 0), EFAULT);
    T_EQ(write(p[1], "q", 1), 1);
    T_ERRNO(xvmsplice(p[0], &unmapped, 1, 0), EFAULT);
    /* Read end, empty, SPLICE_F_NONBLOCK. */
    T_EQ(read(p[0], buf, sizeof buf), 1);
    T_ERRNO(xvmsplice(p[0], out, 2, SPLICE_F_NONBLOCK), EAGAIN);
    close(p[1]);
    T_EQ(xvmsplice(p[0], out, 2, 0), 0);
    close(p[0]);
    close(a);
}

T_CASE(copy_file_range_basic)
{
    int a, b, c;
    T_SYSOK(a = make_file("cfr_a", 10000));
    T_SYSOK(b = make_file("cfr_b", 0));
    T_SYSOK(c = make_file("cfr_c", 0));
    /* The whole file: the positions move. */
    T_EQ(xcfr(a, NULL, b, NULL, 20000, 0), 10000);
    T_EQ(pos_of(a), 10000);
    T_EQ(pos_of(b), 10000);
    T_ASSERT(check_pat(b, 0, 10000, 0));
    T_EQ(xcfr(a, NULL, b, NULL, 20000, 0), 0);
    /* Offsets: written back; the positions stay. */
    int64_t oi = 100, oo = 0;
    T_EQ(xcfr(a, &oi, c, &oo, 500, 0), 500);
    T_EQ(oi, 600);
    T_EQ(oo, 500);
    T_EQ(pos_of(a), 10000);
    T_EQ(pos_of(c), 0);
    T_ASSERT(check_pat(c, 0, 500, 100));
    /* Ends at the end of the input, 0 at and past it. */
    oi = 9990;
    T_EQ(xcfr(a, &oi, c, &oo, 500, 0), 10);
    T_EQ(oi, 10000);
    T_EQ(oo, 510);
    T_EQ(xcfr(a, &oi, c, &oo, 500, 0), 0);
    oi = 50000;
    T_EQ(xcfr(a, &oi, c, &oo, 500, 0), 0);
    T_EQ(oi, 50000);
    /* Length 0. */
    oi = 0;
    T_EQ(xcfr(a, &oi, c, &oo, 0, 0), 0);
    /* A huge length is cut to the end of the input. */
    oi = 0;
    oo = 0;
    T_EQ(xcfr(a, &oi, c, &oo, SIZE_MAX, 0), 10000);
    /* Same file, ranges apart: fine; overlapping: EINVAL. */
    oi = 0;
    oo = 10000;
    T_EQ(xcfr(a, &oi, a, &oo, 100, 0), 100);
    T_ASSERT(check_pat(a, 10000, 100, 0));
    oi = 0;
    oo = 50;
    T_ERRNO(xcfr(a, &oi, a, &oo, 100, 0), EINVAL);
    T_EQ(oi, 0);
    close(a);
    close(b);
    close(c);
}

T_CASE(copy_file_range_errors)
{
    int a, b, p[2], ap, ro, wo, d;
    char pc[128];
    int64_t oi = 0, oo = 0;
    T_SYSOK(a = make_file("cfe_a", 1000));
    T_SYSOK(b = make_file("cfe_b", 0));
    T_SYSOK(pipe(p));
    T_ERRNO(xcfr(a, NULL, b, NULL, 10, 1), EINVAL);
    T_ERRNO(xcfr(-1, NULL, b, NULL, 10, 0), EBADF);
    T_ERRNO(xcfr(a, NULL, -1, NULL, 10, 0), EBADF);
    T_ERRNO(xcfr(-1, NULL, -1, NULL, 0, 0), EBADF);
    path(pc, sizeof pc, "cfe_b");
    T_SYSOK(ap = open(pc, O_WRONLY | O_APPEND));
    T_ERRNO(xcfr(a, NULL, ap, NULL, 10, 0), EBADF);
    T_SYSOK(ro = open(pc, O_RDONLY));
    T_ERRNO(xcfr(a, NULL, ro, NULL, 10, 0), EBADF);
    path(pc, sizeof pc, "cfe_a");
    T_SYSOK(wo = open(pc, O_WRONLY));
    T_ERRNO(xcfr(wo, NULL, b, NULL, 10, 0), EBADF);
    T_SYSOK(d = open(dir, O_RDONLY | O_DIRECTORY));
    T_ERRNO(xcfr(d, NULL, b, NULL, 10, 0), EISDIR);
    T_ERRNO(xcfr(a, NULL, d, NULL, 10, 0), EISDIR);
    T_ERRNO(xcfr(p[0], NULL, b, NULL, 10, 0), EINVAL);
    T_ERRNO(xcfr(a, NULL, p[1], NULL, 10, 0), EINVAL);
    T_ERRNO(xcfr(a, (int64_t *)1, b, NULL, 10, 0), EFAULT);
    T_ERRNO(xcfr(a, NULL, b, (int64_t *)0xffff800000000000ull, 10, 0), EFAULT);
    /* Offsets that wrap with the length. */
    oi = 1;
    T_ERRNO(xcfr(a, &oi, b, &oo, SIZE_MAX, 0), EOVERFLOW);
    oi = -1;
    T_ERRNO(xcfr(a, &oi, b, &oo, 10, 0), EOVERFLOW);
    oi = 0;
    oo = -5;
    T_ERRNO(xcfr(a, &oi, b, &oo, 1, 0), EINVAL);
    close(a);
    close(b);
    close(p[0]);
    close(p[1]);
    close(ap);
    close(ro);
    close(wo);
    close(d);
}

/* Across file systems: EXDEV since Linux 5.19 for file systems without
 * their own copy_file_range (tmpfs, ext4). Needs /dev/shm on another
 * file system than /tmp; skipped (passes) without one. */
T_CASE(copy_file_range_cross_fs)
{
    struct stat s1, s2;
    char p2[64];
    int a, b;
    T_SYSOK(a = make_file("xfs_a", 100));
    snprintf(p2, sizeof p2, "/dev/shm/t_splice.%d", (int)getpid());
    b = open(p2, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (b < 0) {
        close(a);
        return;
    }
    unlink(p2);
    T_SYSOK(fstat(a, &s1));
    T_SYSOK(fstat(b, &s2));
    if (s1.st_dev != s2.st_dev)
        T_ERRNO(xcfr(a, NULL, b, NULL, 100, 0), EXDEV);
    close(a);
    close(b);
}

static void cleanup(void)
{
    static const char *names[] = { "a", "b", "big_a", "big_b", "nb_a", "nb_b",
        "blk_b", "e_a", "e_b", "e_c", "tee_a", "vm_a", "cfr_a", "cfr_b",
        "cfr_c", "cfe_a", "cfe_b", "xfs_a" };
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path(p, sizeof p, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* sendfile(2): from a file (at an offset it updates, leaving the file
 * position alone, or at the position it advances) to a file, a pipe, a
 * socket or /dev/null; Linux's errors. */
T_CASE(sendfile_to_anything)
{
    int in, out, p[2], sv[2], nul;
    off_t o = 2;
    char buf[32] = { 0 };

    T_SYSOK(in = open("/tmp/t_splice_sf_in", O_RDWR | O_CREAT | O_TRUNC, 0600));
    T_EQ(write(in, "0123456789", 10), 10);
    T_SYSOK(lseek(in, 0, SEEK_SET));
    T_SYSOK(out = open("/tmp/t_splice_sf_out", O_RDWR | O_CREAT | O_TRUNC, 0600));
    T_EQ(sendfile(out, in, &o, 4), 4);
    T_EQ(o, 6);
    T_EQ(lseek(in, 0, SEEK_CUR), 0);
    T_EQ(sendfile(out, in, NULL, 3), 3);
    T_EQ(lseek(in, 0, SEEK_CUR), 3);
    T_EQ(pread(out, buf, sizeof buf, 0), 7);
    T_ASSERT(memcmp(buf, "2345012", 7) == 0);
    /* To a pipe, a socket, /dev/null. */
    T_SYSOK(pipe(p));
    o = 0;
    T_EQ(sendfile(p[1], in, &o, 10), 10);
    T_EQ(read(p[0], buf, sizeof buf), 10);
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    o = 5;
    T_EQ(sendfile(sv[0], in, &o, 100), 5);
    T_EQ(read(sv[1], buf, sizeof buf), 5);
    T_ASSERT(memcmp(buf, "56789", 5) == 0);
    T_SYSOK(nul = open("/dev/null", O_WRONLY));
    o = 0;
    T_EQ(sendfile(nul, in, &o, 10), 10);
    /* At the end: 0. Count 0: 0. */
    o = 10;
    T_EQ(sendfile(out, in, &o, 10), 0);
    T_EQ(sendfile(out, in, NULL, 0), 0);
    /* Errors. */
    o = 0;
    T_ERRNO(sendfile(out, p[0], &o, 1), ESPIPE);   /* an offset on a pipe */
    T_ERRNO(sendfile(-1, in, NULL, 1), EBADF);
    T_ERRNO(sendfile(out, nul, NULL, 1), EBADF);   /* not readable */
    T_ERRNO(sendfile(in, out, (off_t *)8, 1), EFAULT);
    int app;
    T_SYSOK(app = open("/tmp/t_splice_sf_out", O_WRONLY | O_APPEND));
    T_ERRNO(sendfile(app, in, NULL, 1), EINVAL);
    close(app);
    close(nul);
    close(sv[0]);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);
    unlink("/tmp/t_splice_sf_in");
    unlink("/tmp/t_splice_sf_out");
}

int main(void)
{
    t_init("splice");
    snprintf(dir, sizeof dir, "/tmp/t_splice.%d", (int)getpid());
    if (mkdir(dir, 0700) != 0) {
        perror("mkdir");
        return 1;
    }
    T_RUN(file_pipe_file);
    T_RUN(big_transfer_through_pipe);
    T_RUN(socketpair_both_ways);
    T_RUN(dev_zero_to_dev_null);
    T_RUN(nonblock_eagain);
    T_RUN(blocking_splice_woken_by_writer);
    T_RUN(splice_errors);
    T_RUN(pipe_to_pipe);
    T_RUN(tee_copies_without_consuming);
    T_RUN(vmsplice_both_ways);
    T_RUN(copy_file_range_basic);
    T_RUN(copy_file_range_errors);
    T_RUN(copy_file_range_cross_fs);
    T_RUN(sendfile_to_anything);
    cleanup();
    return t_done();
}
