/* t_pipe.c: pipes, FIFOs, poll and select. */
#include "t.h"

#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

static void msleep(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

T_CASE(pipe2_read_write)
{
    int p[2];
    T_SYSOK(pipe2(p, 0));
    T_ASSERT(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
    T_EQ(write(p[1], "abc", 3), 3);
    T_EQ(write(p[1], "def", 3), 3);
    char b[16] = { 0 };
    T_EQ(read(p[0], b, 2), 2);
    T_STREQ(b, "ab");
    memset(b, 0, sizeof b);
    T_EQ(read(p[0], b, sizeof b), 4); /* a short read returns what is there */
    T_STREQ(b, "cdef");
    /* ends are one-way */
    T_ERRNO(write(p[0], "x", 1), EBADF);
    T_ERRNO(read(p[1], b, 1), EBADF);
    close(p[0]);
    close(p[1]);
}

T_CASE(pipe2_flags)
{
    int p[2];
    T_SYSOK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
    T_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    T_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    T_ASSERT(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    T_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    T_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    close(p[0]);
    close(p[1]);
    T_ERRNO(pipe2(p, 0x12345678), EINVAL);
    struct stat st;
    T_SYSOK(pipe(p));
    T_SYSOK(fstat(p[0], &st));
    T_ASSERT(S_ISFIFO(st.st_mode));
    close(p[0]);
    close(p[1]);
}

T_CASE(eof_after_writer_closes)
{
    int p[2];
    T_SYSOK(pipe(p));
    T_EQ(write(p[1], "xy", 2), 2);
    close(p[1]);
    char b[4];
    T_EQ(read(p[0], b, 4), 2);
    T_EQ(read(p[0], b, 4), 0);
    T_EQ(read(p[0], b, 4), 0);
    close(p[0]);
}

T_CASE(eof_only_when_all_writers_close)
{
    int p[2];
    T_SYSOK(pipe(p));
    int w2 = dup(p[1]);
    T_SYSOK(w2);
    close(p[1]);
    T_SYSOK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    char b[4];
    T_ERRNO(read(p[0], b, 4), EAGAIN); /* a writer is still open */
    close(w2);
    T_EQ(read(p[0], b, 4), 0);
    close(p[0]);
}

T_CASE(blocking_read_wakes_on_write)
{
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        close(p[0]);
        msleep(100);
        _exit(write(p[1], "late", 4) == 4 ? 0 : 1);
    }
    close(p[1]);
    char b[8] = { 0 };
    T_EQ(read(p[0], b, sizeof b), 4);
    T_STREQ(b, "late");
    T_EXITED(c, 0);
    close(p[0]);
}

T_CASE(sigpipe_kills_by_default)
{
    int p[2];
    T_SYSOK(pipe(p));
    /* No reader anywhere before the child writes (see sigpipe_ignored). */
    close(p[0]);
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        signal(SIGPIPE, SIG_DFL);
        ssize_t r = write(p[1], "x", 1);
        (void)r;
        _exit(0);
    }
    close(p[1]);
    T_KILLED(c, SIGPIPE);
}

T_CASE(sigpipe_ignored_epipe)
{
    int p[2];
    T_SYSOK(pipe(p));
    /* Close the read end before forking: otherwise the child may write
     * before the parent has closed its copy, and the write succeeds. */
    close(p[0]);
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        signal(SIGPIPE, SIG_IGN);
        ssize_t r = write(p[1], "x", 1);
        _exit(r == -1 && errno == EPIPE ? 0 : 1);
    }
    close(p[1]);
    T_EXITED(c, 0);
}

static volatile sig_atomic_t pipe_sigs;
static void on_sigpipe(int s)
{
    (void)s;
    pipe_sigs++;
}

T_CASE(sigpipe_handled_epipe)
{
    pipe_sigs = 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, &old);
    int p[2];
    T_SYSOK(pipe(p));
    close(p[0]);
    errno = 0;
    ssize_t r = write(p[1], "x", 1);
    int e = errno;
    close(p[1]);
    sigaction(SIGPIPE, &old, NULL);
    T_EQ(r, -1);
    T_EQ(e, EPIPE);
    T_EQ(pipe_sigs, 1);
}

T_CASE(nonblock_empty_eagain)
{
    int p[2];
    T_SYSOK(pipe2(p, O_NONBLOCK));
    char b[4];
    T_ERRNO(read(p[0], b, sizeof b), EAGAIN);
    /* fill the pipe: a non-blocking writer eventually gets EAGAIN */
    static char chunk[4096];
    long total = 0;
    for (;;) {
        ssize_t n = write(p[1], chunk, sizeof chunk);
        if (n < 0) {
            T_EQ(errno, EAGAIN);
            break;
        }
        total += n;
        T_ASSERT(total <= (16L << 20));
    }
    T_ASSERT(total >= 4096); /* POSIX: at least PIPE_BUF; Linux default 64 KiB */
    close(p[0]);
    close(p[1]);
}

T_CASE(pipe_buf_atomic_writes)
{
    /* writes of <= PIPE_BUF bytes from several writers are not interleaved */
    int p[2];
    T_SYSOK(pipe(p));
    enum { W = 4, K = 50, SZ = 512 };
    pid_t kids[W];
    for (int w = 0; w < W; w++) {
        kids[w] = t_fork();
        T_SYSOK(kids[w]);
        if (kids[w] == 0) {
            close(p[0]);
            char rec[SZ];
            memset(rec, 'A' + w, sizeof rec);
            for (int k = 0; k < K; k++)
                if (write(p[1], rec, sizeof rec) != SZ)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    char rec[SZ];
    int counts[W] = { 0 };
    for (int i = 0; i < W * K; i++) {
        size_t got = 0;
        while (got < SZ) {
            ssize_t n = read(p[0], rec + got, SZ - got);
            T_ASSERT(n > 0);
            got += (size_t)n;
        }
        for (int j = 1; j < SZ; j++)
            if (rec[j] != rec[0])
                T_FAIL("record %d interleaved at byte %d", i, j);
        T_ASSERT(rec[0] >= 'A' && rec[0] < 'A' + W);
        counts[rec[0] - 'A']++;
    }
    char b;
    T_EQ(read(p[0], &b, 1), 0);
    close(p[0]);
    for (int w = 0; w < W; w++) {
        T_EQ(counts[w], K);
        T_EXITED(kids[w], 0);
    }
}

static uint32_t sum_update(uint32_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

T_CASE(transfer_1mib_checksum)
{
    enum { TOTAL = 1 << 20 };
    int p[2], r[2];
    T_SYSOK(pipe(p));
    T_SYSOK(pipe(r));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        /* the child reads everything and sends back its checksum */
        close(p[1]);
        close(r[0]);
        static unsigned char buf[3001];
        uint32_t h = 2166136261u;
        size_t total = 0;
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0) {
            h = sum_update(h, buf, (size_t)n);
            total += (size_t)n;
        }
        uint32_t res[2] = { h, (uint32_t)total };
        _exit(write(r[1], res, sizeof res) == sizeof res ? 0 : 1);
    }
    close(p[0]);
    close(r[1]);
    static unsigned char data[TOTAL];
    uint32_t x = 12345;
    for (size_t i = 0; i < TOTAL; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 16);
    }
    uint32_t h = sum_update(2166136261u, data, TOTAL);
    /* odd-sized writes */
    size_t off = 0;
    while (off < TOTAL) {
        size_t n = TOTAL - off < 10007 ? TOTAL - off : 10007;
        ssize_t w = write(p[1], data + off, n);
        T_ASSERT(w > 0);
        off += (size_t)w;
    }
    close(p[1]);
    uint32_t res[2];
    T_EQ(read(r[0], res, sizeof res), sizeof res);
    close(r[0]);
    T_EQ(res[1], TOTAL);
    T_EQ(res[0], h);
    T_EXITED(c, 0);
}

T_CASE(poll_pollin_pollhup)
{
    int p[2];
    T_SYSOK(pipe(p));
    struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
    T_EQ(poll(fds, 1, 0), 0);
    T_EQ(fds[0].revents, 0);
    T_EQ(poll(&fds[1], 1, 0), 1);
    T_EQ(fds[1].revents, POLLOUT);
    T_EQ(write(p[1], "x", 1), 1);
    T_EQ(poll(fds, 1, 0), 1);
    T_EQ(fds[0].revents, POLLIN);
    close(p[1]);
    T_EQ(poll(fds, 1, 0), 1);
    T_EQ(fds[0].revents, POLLIN | POLLHUP);
    char b;
    T_EQ(read(p[0], &b, 1), 1);
    T_EQ(poll(fds, 1, 1000), 1);
    T_EQ(fds[0].revents, POLLHUP);
    close(p[0]);
}

T_CASE(poll_pollerr_no_reader)
{
    int p[2];
    T_SYSOK(pipe(p));
    close(p[0]);
    struct pollfd f = { p[1], POLLOUT, 0 };
    T_EQ(poll(&f, 1, 0), 1);
    T_ASSERT(f.revents & POLLERR);
    close(p[1]);
}

T_CASE(poll_nval_and_negative_fd)
{
    struct pollfd f[2] = { { 9999, POLLIN, 0 }, { -1, POLLIN, 0 } };
    T_EQ(poll(f, 2, 0), 1);
    T_EQ(f[0].revents, POLLNVAL);
    T_EQ(f[1].revents, 0); /* negative fds are ignored */
}

T_CASE(poll_timeout_and_wakeup)
{
    int p[2];
    T_SYSOK(pipe(p));
    struct pollfd f = { p[0], POLLIN, 0 };
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    T_EQ(poll(&f, 1, 100), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    T_ASSERT(ms >= 99 && ms < 2000);
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        msleep(50);
        _exit(write(p[1], "w", 1) == 1 ? 0 : 1);
    }
    T_EQ(poll(&f, 1, 5000), 1);
    T_EQ(f.revents, POLLIN);
    T_EXITED(c, 0);
    close(p[0]);
    close(p[1]);
}

T_CASE(select_cases)
{
    int p[2];
    T_SYSOK(pipe(p));
    fd_set r, w;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = { 0, 0 };
    T_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
    T_ASSERT(!FD_ISSET(p[0], &r));
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    T_EQ(select(p[1] + 1, NULL, &w, NULL, &tv), 1);
    T_ASSERT(FD_ISSET(p[1], &w));
    T_EQ(write(p[1], "x", 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    int maxfd = p[0] > p[1] ? p[0] : p[1];
    tv.tv_sec = 1;
    tv.tv_usec = 0;
    T_EQ(select(maxfd + 1, &r, &w, NULL, &tv), 2);
    T_ASSERT(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
    /* timeout: waits, then returns 0 */
    char b;
    T_EQ(read(p[0], &b, 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    struct timespec a, z;
    clock_gettime(CLOCK_MONOTONIC, &a);
    T_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
    clock_gettime(CLOCK_MONOTONIC, &z);
    long ms = (z.tv_sec - a.tv_sec) * 1000 + (z.tv_nsec - a.tv_nsec) / 1000000;
    T_ASSERT(ms >= 99 && ms < 2000);
    /* errors */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    T_ERRNO(select(-1, &r, NULL, NULL, &tv), EINVAL);
    close(p[1]);
    int bad = p[1];
    FD_ZERO(&r);
    FD_SET(bad, &r);
    T_ERRNO(select(bad + 1, &r, NULL, NULL, &tv), EBADF);
    tv.tv_usec = -1;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    T_ERRNO(select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL);
    close(p[0]);
}

T_CASE(fifo_between_processes)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/t_pipe.fifo.%d", (int)getpid());
    unlink(path);
    T_SYSOK(mkfifo(path, 0600));
    struct stat st;
    T_SYSOK(stat(path, &st));
    T_ASSERT(S_ISFIFO(st.st_mode));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        int fd = open(path, O_WRONLY); /* blocks until a reader opens */
        if (fd < 0)
            _exit(1);
        _exit(write(fd, "via fifo", 8) == 8 ? 0 : 2);
    }
    int fd = open(path, O_RDONLY);
    T_SYSOK(fd);
    char b[16] = { 0 };
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, b + got, sizeof b - 1 - got)) > 0)
        got += (size_t)n;
    T_STREQ(b, "via fifo");
    close(fd);
    T_EXITED(c, 0);
    /* O_NONBLOCK writer without a reader: ENXIO */
    T_ERRNO(open(path, O_WRONLY | O_NONBLOCK), ENXIO);
    /* O_NONBLOCK reader without a writer opens at once */
    fd = open(path, O_RDONLY | O_NONBLOCK);
    T_SYSOK(fd);
    T_EQ(read(fd, b, 1), 0);
    close(fd);
    T_ERRNO(mkfifo(path, 0600), EEXIST);
    T_SYSOK(unlink(path));
}

static short revents(int fd)
{
    struct pollfd pf = { fd, POLLIN, 0 };
    return poll(&pf, 1, 0) < 0 ? -1 : pf.revents;
}

/* POLLHUP on a reader once no writer is left (Linux's pipe_poll and its
 * f_version): held back only for a FIFO opened non-blocking before any
 * writer came; a reader opened while a writer had it, and a pipe(2)
 * pipe reopened through /proc, see it. */
T_CASE(pollhup_when_writers_are_gone)
{
    char path[64], procpath[64];
    snprintf(path, sizeof path, "/tmp/t_pipe_hup.%d", (int)getpid());
    unlink(path);
    T_SYSOK(mkfifo(path, 0600));
    int r1 = open(path, O_RDONLY | O_NONBLOCK);
    T_SYSOK(r1);
    T_EQ(revents(r1), 0); /* no writer yet: not hung up */
    int w = open(path, O_WRONLY | O_NONBLOCK);
    T_SYSOK(w);
    int r2 = open(path, O_RDONLY | O_NONBLOCK); /* while a writer has it */
    T_SYSOK(r2);
    T_EQ(revents(r2), 0);
    close(w);
    T_EQ(revents(r1), POLLHUP);
    T_EQ(revents(r2), POLLHUP);
    close(r1);
    close(r2);
    unlink(path);

    int p[2];
    T_SYSOK(pipe(p));
    T_EQ(write(p[1], "x", 1), 1);
    close(p[1]);
    snprintf(procpath, sizeof procpath, "/proc/self/fd/%d", p[0]);
    int r3 = open(procpath, O_RDONLY | O_NONBLOCK);
    T_SYSOK(r3);
    T_EQ(revents(r3), POLLIN | POLLHUP);
    T_EQ(revents(p[0]), POLLIN | POLLHUP);
    close(r3);
    close(p[0]);
}

T_CASE(dup2_pipe_onto_stdout_in_child)
{
    int p[2];
    T_SYSOK(pipe(p));
    pid_t c = t_fork();
    T_SYSOK(c);
    if (c == 0) {
        if (dup2(p[1], 1) != 1)
            _exit(1);
        close(p[0]);
        close(p[1]);
        printf("printed to stdout %d\n", 42);
        fflush(stdout);
        _exit(0);
    }
    close(p[1]);
    char b[64] = { 0 };
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], b + got, sizeof b - 1 - got)) > 0)
        got += (size_t)n;
    close(p[0]);
    T_STREQ(b, "printed to stdout 42\n");
    T_EXITED(c, 0);
}

T_CASE(many_pipes)
{
    enum { N = 100 };
    int fds[N][2];
    for (int i = 0; i < N; i++) {
        T_SYSOK(pipe(fds[i]));
        T_EQ(write(fds[i][1], &i, sizeof i), sizeof i);
    }
    for (int i = 0; i < N; i++) {
        int v;
        T_EQ(read(fds[i][0], &v, sizeof v), sizeof v);
        T_EQ(v, i);
        close(fds[i][0]);
        close(fds[i][1]);
    }
}

int main(void)
{
    t_init("pipe");
    T_RUN(pipe2_read_write);
    T_RUN(pipe2_flags);
    T_RUN(eof_after_writer_closes);
    T_RUN(eof_only_when_all_writers_close);
    T_RUN(blocking_read_wakes_on_write);
    T_RUN(sigpipe_kills_by_default);
    T_RUN(sigpipe_ignored_epipe);
    T_RUN(sigpipe_handled_epipe);
    T_RUN(nonblock_empty_eagain);
    T_RUN(pipe_buf_atomic_writes);
    T_RUN(transfer_1mib_checksum);
    T_RUN(poll_pollin_pollhup);
    T_RUN(poll_pollerr_no_reader);
    T_RUN(poll_nval_and_negative_fd);
    T_RUN(poll_timeout_and_wakeup);
    T_RUN(select_cases);
    T_RUN(fifo_between_processes);
    T_RUN(dup2_pipe_onto_stdout_in_child);
    T_RUN(many_pipes);
    T_RUN(pollhup_when_writers_are_gone);
    return t_done();
}
