/* t_unix.c: Unix-domain sockets (AF_UNIX): socket/socketpair, bind
 * (paths, abstract names, autobind), listen/accept/connect, stream,
 * datagram and seqpacket data, control messages (SCM_RIGHTS,
 * SCM_CREDENTIALS), shutdown and close, options, readiness, and the
 * errors Linux gives for bad input. Every expectation was checked on
 * Linux. */
#include "t.h"

#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#ifndef SIOCOUTQ
#define SIOCOUTQ 0x5411
#endif

static void msleep(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A path address in a per-process temporary name. */
static socklen_t path_addr(struct sockaddr_un *a, const char *tag)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "/tmp/t_unix.%d.%s", (int)getpid(), tag);
    unlink(a->sun_path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

/* An abstract address "\0t_unix.<pid>.<tag>". */
static socklen_t abs_addr(struct sockaddr_un *a, const char *tag)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "t_unix.%d.%s", (int)getpid(), tag);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int listener(struct sockaddr_un *a, socklen_t len, int type, int backlog)
{
    int s = socket(AF_UNIX, type, 0);
    if (s < 0 || bind(s, (struct sockaddr *)a, len) < 0 || listen(s, backlog) < 0)
        return -1;
    return s;
}

T_CASE(socket_types_and_flags)
{
    int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    for (int i = 0; i < 3; i++) {
        int s, v;
        socklen_t l = sizeof v;
        T_SYSOK(s = socket(AF_UNIX, types[i], 0));
        T_SYSOK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
        T_EQ(v, types[i]);
        T_EQ(l, sizeof v);
        T_SYSOK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l));
        T_EQ(v, AF_UNIX);
        T_SYSOK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l));
        T_EQ(v, 0);
        T_EQ(fcntl(s, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
        T_EQ(fcntl(s, F_GETFD), 0);
        struct stat st;
        T_SYSOK(fstat(s, &st));
        T_ASSERT(S_ISSOCK(st.st_mode));
        close(s);
    }
    int s;
    T_SYSOK(s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    T_ASSERT(fcntl(s, F_GETFL) & O_NONBLOCK);
    T_EQ(fcntl(s, F_GETFD), FD_CLOEXEC);
    close(s);
    /* protocol PF_UNIX is accepted as 0 */
    T_SYSOK(s = socket(AF_UNIX, SOCK_DGRAM, PF_UNIX));
    close(s);
}

T_CASE(socket_bad_args)
{
    T_ERRNO(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
    T_ERRNO(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
    T_ERRNO(socket(AF_UNIX, 99, 0), EINVAL);
    T_ERRNO(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
    T_ERRNO(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
    T_ERRNO(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    int sv[2];
    T_ERRNO(socketpair(AF_UNIX, 99, 0, sv), EINVAL);
    T_ERRNO(socketpair(12345, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
    T_ERRNO(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, 8L), EFAULT);
    /* AF_INET is not part of this kernel yet; Linux has it. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    T_ASSERT(s >= 0 || errno == EAFNOSUPPORT);
    if (s >= 0)
        close(s);
}

T_CASE(not_a_socket)
{
    int p[2];
    char b[4];
    struct sockaddr_un a;
    socklen_t l = sizeof a;
    int v;
    T_SYSOK(pipe(p));
    T_ERRNO(bind(p[0], (struct sockaddr *)&a, sizeof a), ENOTSOCK);
    T_ERRNO(listen(p[0], 1), ENOTSOCK);
    T_ERRNO(accept(p[0], NULL, NULL), ENOTSOCK);
    T_ERRNO(connect(p[0], (struct sockaddr *)&a, sizeof a), ENOTSOCK);
    T_ERRNO(send(p[1], b, 1, 0), ENOTSOCK);
    T_ERRNO(recv(p[0], b, 1, 0), ENOTSOCK);
    T_ERRNO(getsockname(p[0], (struct sockaddr *)&a, &l), ENOTSOCK);
    T_ERRNO(getpeername(p[0], (struct sockaddr *)&a, &l), ENOTSOCK);
    T_ERRNO(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &l), ENOTSOCK);
    T_ERRNO(shutdown(p[0], SHUT_RD), ENOTSOCK);
    close(p[0]);
    close(p[1]);
    T_ERRNO(send(p[1], b, 1, 0), EBADF);
    T_ERRNO(listen(p[0], 1), EBADF);
    T_ERRNO(shutdown(p[0], SHUT_RD), EBADF);
}

T_CASE(socketpair_stream)
{
    int sv[2];
    char b[16] = { 0 };
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_EQ(write(sv[0], "abc", 3), 3);
    T_EQ(write(sv[0], "def", 3), 3);
    T_EQ(read(sv[1], b, sizeof b), 6); /* no boundaries in a stream */
    T_STREQ(b, "abcdef");
    T_EQ(send(sv[1], "xy", 2, 0), 2);
    memset(b, 0, sizeof b);
    T_EQ(recv(sv[0], b, sizeof b, 0), 2);
    T_STREQ(b, "xy");
    struct sockaddr_un a;
    socklen_t l = sizeof a;
    T_SYSOK(getsockname(sv[0], (struct sockaddr *)&a, &l));
    T_EQ(l, sizeof(sa_family_t));
    T_EQ(a.sun_family, AF_UNIX);
    l = sizeof a;
    T_SYSOK(getpeername(sv[0], (struct sockaddr *)&a, &l));
    T_EQ(l, sizeof(sa_family_t));
    T_EQ(read(sv[0], b, 0), 0);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(dgram_boundaries_and_trunc)
{
    int sv[2];
    char b[16];
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    T_EQ(send(sv[0], "one", 3, 0), 3);
    T_EQ(send(sv[0], "three", 5, 0), 5);
    T_EQ(send(sv[0], "", 0, 0), 0);
    T_EQ(send(sv[0], "truncated", 9, 0), 9);
    T_EQ(send(sv[0], "whole", 5, 0), 5);
    T_EQ(recv(sv[1], b, sizeof b, 0), 3);
    T_EQ(memcmp(b, "one", 3), 0);
    T_EQ(recv(sv[1], b, sizeof b, 0), 5);
    T_EQ(recv(sv[1], b, sizeof b, 0), 0); /* the empty datagram */
    struct iovec iov = { b, 4 };
    struct msghdr mh = { 0 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    T_EQ(recvmsg(sv[1], &mh, 0), 4);
    T_ASSERT(mh.msg_flags & MSG_TRUNC);
    T_EQ(memcmp(b, "trun", 4), 0);
    T_EQ(recv(sv[1], b, 2, MSG_TRUNC), 5); /* the real length */
    T_ERRNO(recv(sv[1], b, sizeof b, MSG_DONTWAIT), EAGAIN);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(seqpacket_boundaries)
{
    int sv[2];
    char b[16];
    T_SYSOK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    T_EQ(write(sv[0], "hello", 5), 5);
    T_EQ(write(sv[0], "world!", 6), 6);
    T_EQ(read(sv[1], b, 3), 3); /* the rest of "hello" is dropped */
    T_EQ(read(sv[1], b, sizeof b), 6);
    T_EQ(memcmp(b, "world!", 6), 0);
    close(sv[0]);
    T_EQ(read(sv[1], b, sizeof b), 0); /* hung up: end of file */
    close(sv[1]);
}

T_CASE(readv_writev_one_datagram)
{
    int sv[2];
    char a1[3], a2[8];
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    struct iovec w[2] = { { "abc", 3 }, { "defgh", 5 } };
    T_EQ(writev(sv[0], w, 2), 8);
    T_EQ(send(sv[0], "next", 4, 0), 4);
    struct iovec r[2] = { { a1, 3 }, { a2, 8 } };
    T_EQ(readv(sv[1], r, 2), 8);
    T_EQ(memcmp(a1, "abc", 3), 0);
    T_EQ(memcmp(a2, "defgh", 5), 0);
    T_EQ(readv(sv[1], r, 2), 4);
    T_EQ(memcmp(a1, "nex", 3), 0);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(bind_path)
{
    struct sockaddr_un a, g;
    socklen_t len = path_addr(&a, "bind"), l = sizeof g;
    int s, s2;
    mode_t old = umask(022);
    T_SYSOK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    T_SYSOK(bind(s, (struct sockaddr *)&a, len));
    umask(old);
    struct stat st;
    T_SYSOK(stat(a.sun_path, &st));
    T_ASSERT(S_ISSOCK(st.st_mode));
    T_EQ(st.st_mode & 0777, 0755);
    T_SYSOK(getsockname(s, (struct sockaddr *)&g, &l));
    T_EQ(l, len);
    T_STREQ(g.sun_path, a.sun_path);
    /* a too-long length still ends the path at its NUL */
    T_SYSOK(s2 = socket(AF_UNIX, SOCK_STREAM, 0));
    T_ERRNO(bind(s2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    /* Linux makes the node first: an existing name is EADDRINUSE even
     * for a bound socket, a new one EINVAL (and no node is left) */
    T_ERRNO(bind(s, (struct sockaddr *)&a, len), EADDRINUSE);
    struct sockaddr_un b2;
    socklen_t len2 = path_addr(&b2, "bind2");
    T_ERRNO(bind(s, (struct sockaddr *)&b2, len2), EINVAL);
    T_ERRNO(stat(b2.sun_path, &st), ENOENT);
    /* an existing file of another kind is in use too */
    int fd;
    T_SYSOK(fd = open(b2.sun_path, O_CREAT | O_WRONLY, 0600));
    close(fd);
    T_ERRNO(bind(s2, (struct sockaddr *)&b2, len2), EADDRINUSE);
    unlink(b2.sun_path);
    strcpy(b2.sun_path, "/nonexistent-dir/x.sock");
    T_ERRNO(bind(s2, (struct sockaddr *)&b2, sizeof b2), ENOENT);
    close(s);
    close(s2);
    /* the node stays after close; unlink frees the name */
    T_SYSOK(stat(a.sun_path, &st));
    T_SYSOK(unlink(a.sun_path));
}

T_CASE(bind_lengths_and_autobind)
{
    struct sockaddr_un a;
    int s;
    abs_addr(&a, "len");
    T_SYSOK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_ERRNO(bind(s, (struct sockaddr *)&a, 1), EINVAL);
    T_ERRNO(bind(s, (struct sockaddr *)&a, sizeof a + 1), EINVAL);
    T_ERRNO(bind(s, (struct sockaddr *)&a, 129), EINVAL);
    T_ERRNO(bind(s, (struct sockaddr *)&a, -1), EINVAL);
    T_ERRNO(bind(s, (struct sockaddr *)8, sizeof a), EFAULT);
    a.sun_family = AF_INET;
    T_ERRNO(bind(s, (struct sockaddr *)&a, sizeof a), EINVAL);
    /* only the family: the kernel picks an abstract name */
    a.sun_family = AF_UNIX;
    T_SYSOK(bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)));
    struct sockaddr_un g;
    socklen_t l = sizeof g;
    T_SYSOK(getsockname(s, (struct sockaddr *)&g, &l));
    T_EQ(l, offsetof(struct sockaddr_un, sun_path) + 6);
    T_EQ(g.sun_path[0], 0);
    for (int i = 1; i < 6; i++)
        T_ASSERT(strchr("0123456789abcdef", g.sun_path[i]) != NULL);
    /* a short buffer gets a prefix and the full length */
    l = 3;
    memset(&g, 0x55, sizeof g);
    T_SYSOK(getsockname(s, (struct sockaddr *)&g, &l));
    T_EQ(l, offsetof(struct sockaddr_un, sun_path) + 6);
    T_EQ(((unsigned char *)&g)[3], 0x55);
    T_ERRNO(getsockname(s, (struct sockaddr *)&g, (socklen_t *)8), EFAULT);
    close(s);
}

T_CASE(abstract_names)
{
    struct sockaddr_un a, g;
    socklen_t len = abs_addr(&a, "abs"), l = sizeof g;
    int s, s2, c;
    T_SYSOK(s = listener(&a, len, SOCK_STREAM, 5));
    T_SYSOK(s2 = socket(AF_UNIX, SOCK_STREAM, 0));
    T_ERRNO(bind(s2, (struct sockaddr *)&a, len), EADDRINUSE);
    T_SYSOK(getsockname(s, (struct sockaddr *)&g, &l));
    T_EQ(l, len);
    T_EQ(memcmp(&g, &a, len), 0);
    /* a different length is a different name */
    T_ERRNO(connect(s2, (struct sockaddr *)&a, len - 1), ECONNREFUSED);
    T_SYSOK(connect(s2, (struct sockaddr *)&a, len));
    T_SYSOK(c = accept(s, NULL, NULL));
    l = sizeof g;
    T_SYSOK(getpeername(s2, (struct sockaddr *)&g, &l));
    T_EQ(l, len);
    close(c);
    close(s2);
    close(s);
    /* the name is free again once its socket is closed */
    T_SYSOK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    T_SYSOK(bind(s, (struct sockaddr *)&a, len));
    close(s);
}

T_CASE(connect_accept_path)
{
    struct sockaddr_un a, p;
    socklen_t len = path_addr(&a, "srv"), l;
    int s, c, c2, x;
    char b[8] = { 0 };
    T_SYSOK(s = listener(&a, len, SOCK_STREAM, 4));
    int v;
    l = sizeof v;
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l));
    T_EQ(v, 1);
    T_SYSOK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    T_SYSOK(connect(c, (struct sockaddr *)&a, len));
    T_ERRNO(connect(c, (struct sockaddr *)&a, len), EISCONN);
    /* data written before accept waits in the new connection */
    T_EQ(write(c, "early", 5), 5);
    l = sizeof p;
    memset(&p, 0, sizeof p);
    T_SYSOK(x = accept(s, (struct sockaddr *)&p, &l));
    T_EQ(l, sizeof(sa_family_t)); /* the client is unbound */
    T_EQ(p.sun_family, AF_UNIX);
    T_EQ(read(x, b, sizeof b), 5);
    T_STREQ(b, "early");
    l = sizeof p;
    T_SYSOK(getsockname(x, (struct sockaddr *)&p, &l));
    T_STREQ(p.sun_path, a.sun_path); /* the listener's name */
    l = sizeof p;
    T_SYSOK(getpeername(c, (struct sockaddr *)&p, &l));
    T_EQ(l, len);
    T_STREQ(p.sun_path, a.sun_path);
    l = sizeof v;
    T_SYSOK(getsockopt(x, SOL_SOCKET, SO_ACCEPTCONN, &v, &l));
    T_EQ(v, 0);
    T_EQ(write(x, "back", 4), 4);
    T_EQ(read(c, b, sizeof b), 4);
    /* accept4 flags */
    T_SYSOK(c2 = socket(AF_UNIX, SOCK_STREAM, 0));
    T_SYSOK(connect(c2, (struct sockaddr *)&a, len));
    int y;
    T_SYSOK(y = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    T_ASSERT(fcntl(y, F_GETFL) & O_NONBLOCK);
    T_EQ(fcntl(y, F_GETFD), FD_CLOEXEC);
    T_ERRNO(read(y, b, 1), EAGAIN);
    close(y);
    close(c2);
    close(x);
    close(c);
    close(s);
    unlink(a.sun_path);
}

T_CASE(connect_errors)
{
    struct sockaddr_un a;
    socklen_t len = path_addr(&a, "cerr");
    int s, c, d;
    T_SYSOK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    T_ERRNO(connect(c, (struct sockaddr *)&a, len), ENOENT);
    T_ERRNO(connect(c, (struct sockaddr *)&a, 1), EINVAL);
    T_ERRNO(connect(c, (struct sockaddr *)&a, sizeof(sa_family_t)), EINVAL);
    T_ERRNO(connect(c, (struct sockaddr *)8, len), EFAULT);
    /* a file that is not a socket */
    int fd;
    T_SYSOK(fd = open(a.sun_path, O_CREAT | O_WRONLY, 0600));
    close(fd);
    T_ERRNO(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED);
    unlink(a.sun_path);
    /* bound but not listening */
    T_SYSOK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    T_SYSOK(bind(s, (struct sockaddr *)&a, len));
    T_ERRNO(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED);
    T_ERRNO(accept(s, NULL, NULL), EINVAL);
    /* another type */
    T_SYSOK(listen(s, 1));
    T_SYSOK(d = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_ERRNO(connect(d, (struct sockaddr *)&a, len), EPROTOTYPE);
    T_ERRNO(listen(d, 1), EOPNOTSUPP);
    T_ERRNO(accept(d, NULL, NULL), EOPNOTSUPP);
    close(d);
    /* the listener goes away: its name is dead */
    close(s);
    T_ERRNO(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED);
    unlink(a.sun_path);
    /* listen needs a name */
    T_ERRNO(listen(c, 1), EINVAL);
    /* stream operations need a connection */
    char b[4];
    T_ERRNO(send(c, "x", 1, MSG_NOSIGNAL), ENOTCONN);
    T_ERRNO(recv(c, b, 1, 0), EINVAL);
    struct sockaddr_un p;
    socklen_t l = sizeof p;
    T_ERRNO(getpeername(c, (struct sockaddr *)&p, &l), ENOTCONN);
    close(c);
}

T_CASE(connect_needs_write_permission)
{
    if (getuid() != 0)
        return; /* needs to become another user */
    struct sockaddr_un a;
    socklen_t len = path_addr(&a, "perm");
    int s;
    T_SYSOK(s = listener(&a, len, SOCK_STREAM, 1));
    T_SYSOK(chmod(a.sun_path, 0755));
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(2);
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        int r = connect(c, (struct sockaddr *)&a, len);
        _exit(r == -1 && errno == EACCES ? 0 : 1);
    }
    T_EXITED(pid, 0);
    close(s);
    unlink(a.sun_path);
}

static void *accept_later(void *arg)
{
    int s = *(int *)arg;
    msleep(200);
    int x = accept(s, NULL, NULL);
    return (void *)(intptr_t)x;
}

T_CASE(backlog_full)
{
    struct sockaddr_un a;
    socklen_t len = abs_addr(&a, "backlog");
    int s, c[3];
    T_SYSOK(s = listener(&a, len, SOCK_STREAM, 1));
    /* backlog 1 holds two waiting connections, as Linux */
    for (int i = 0; i < 3; i++)
        T_SYSOK(c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T_SYSOK(connect(c[0], (struct sockaddr *)&a, len));
    T_SYSOK(connect(c[1], (struct sockaddr *)&a, len));
    T_ERRNO(connect(c[2], (struct sockaddr *)&a, len), EAGAIN);
    /* a blocking connect waits until accept makes room */
    int b;
    T_SYSOK(b = socket(AF_UNIX, SOCK_STREAM, 0));
    pthread_t th;
    long t0 = now_ms();
    T_EQ(pthread_create(&th, NULL, accept_later, &s), 0);
    T_SYSOK(connect(b, (struct sockaddr *)&a, len));
    T_ASSERT(now_ms() - t0 >= 150);
    void *r;
    pthread_join(th, &r);
    T_ASSERT((intptr_t)r >= 0);
    close((int)(intptr_t)r);
    /* a connect timeout (SO_SNDTIMEO) gives EAGAIN */
    struct timeval tv = { 0, 200000 };
    T_SYSOK(setsockopt(c[2], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    T_SYSOK(fcntl(c[2], F_SETFL, 0));
    t0 = now_ms();
    T_ERRNO(connect(c[2], (struct sockaddr *)&a, len), EAGAIN);
    T_ASSERT(now_ms() - t0 >= 150);
    /* closing the listener resets the connections never accepted */
    close(s);
    char buf[4];
    T_ERRNO(read(c[1], buf, 1), ECONNRESET);
    T_EQ(read(c[1], buf, 1), 0);
    for (int i = 0; i < 3; i++)
        close(c[i]);
    close(b);
}

T_CASE(shutdown_semantics)
{
    int sv[2];
    char b[8];
    signal(SIGPIPE, SIG_IGN);
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_EQ(write(sv[0], "bye", 3), 3);
    T_SYSOK(shutdown(sv[0], SHUT_WR));
    T_ERRNO(write(sv[0], "x", 1), EPIPE);
    struct pollfd pf = { sv[1], POLLIN | POLLRDHUP, 0 };
    T_EQ(poll(&pf, 1, 0), 1);
    T_EQ(pf.revents & (POLLIN | POLLRDHUP | POLLHUP), POLLIN | POLLRDHUP);
    T_EQ(read(sv[1], b, sizeof b), 3);
    T_EQ(read(sv[1], b, sizeof b), 0);
    T_EQ(write(sv[1], "ok", 2), 2); /* the other way still works */
    T_EQ(read(sv[0], b, sizeof b), 2);
    T_SYSOK(shutdown(sv[1], SHUT_RD));
    T_EQ(read(sv[1], b, sizeof b), 0);
    T_ERRNO(shutdown(sv[1], 3), EINVAL);
    T_ERRNO(shutdown(sv[1], -1), EINVAL);
    T_SYSOK(shutdown(sv[1], SHUT_RDWR));
    pf.fd = sv[0];
    pf.events = POLLIN | POLLOUT;
    T_EQ(poll(&pf, 1, 0), 1);
    T_ASSERT(pf.revents & POLLHUP);
    close(sv[0]);
    close(sv[1]);
    signal(SIGPIPE, SIG_DFL);
}

T_CASE(sigpipe_and_nosignal)
{
    int sv[2];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    close(sv[1]);
    T_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    pid_t pid = t_fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        write(sv[0], "x", 1);
        _exit(0);
    }
    T_KILLED(pid, SIGPIPE);
    close(sv[0]);
}

T_CASE(close_eof_and_reset)
{
    int sv[2];
    char b[8];
    /* a clean close: the peer reads what was sent, then end of file */
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_EQ(write(sv[0], "data", 4), 4);
    close(sv[0]);
    struct pollfd pf = { sv[1], POLLIN, 0 };
    T_EQ(poll(&pf, 1, 0), 1);
    T_ASSERT(pf.revents & POLLHUP);
    T_EQ(read(sv[1], b, sizeof b), 4);
    T_EQ(read(sv[1], b, sizeof b), 0);
    close(sv[1]);
    /* closing with unread data resets the peer once */
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_EQ(write(sv[0], "unread", 6), 6);
    T_EQ(write(sv[1], "mine", 4), 4);
    close(sv[1]);
    T_EQ(read(sv[0], b, sizeof b), 4);
    T_ERRNO(read(sv[0], b, sizeof b), ECONNRESET);
    T_EQ(read(sv[0], b, sizeof b), 0);
    close(sv[0]);
    /* SO_ERROR reports (and clears) it too */
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_EQ(write(sv[0], "unread", 6), 6);
    close(sv[1]);
    int e;
    socklen_t l = sizeof e;
    T_SYSOK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &e, &l));
    T_EQ(e, ECONNRESET);
    T_SYSOK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &e, &l));
    T_EQ(e, 0);
    close(sv[0]);
}

T_CASE(nonblocking_and_full_buffers)
{
    int sv[2];
    char b[4096];
    memset(b, 'z', sizeof b);
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    T_ERRNO(read(sv[1], b, 1), EAGAIN);
    T_SYSOK(fcntl(sv[1], F_SETFL, 0));
    T_ERRNO(recv(sv[1], b, 1, MSG_DONTWAIT), EAGAIN);
    int v = 16384;
    T_SYSOK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    long total = 0, n;
    while ((n = write(sv[0], b, sizeof b)) > 0)
        total += n;
    T_ERRNO(write(sv[0], b, sizeof b), EAGAIN);
    T_ASSERT(total > 0 && total <= 4 * 32768);
    struct pollfd pf = { sv[0], POLLOUT, 0 };
    T_EQ(poll(&pf, 1, 0), 0);
    long got = 0;
    T_SYSOK(fcntl(sv[1], F_SETFL, O_NONBLOCK));
    while ((n = read(sv[1], b, sizeof b)) > 0)
        got += n;
    T_EQ(got, total);
    T_EQ(poll(&pf, 1, 0), 1);
    T_ASSERT(pf.revents & POLLOUT);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(dgram_emsgsize_and_sndbuf)
{
    int sv[2], v;
    socklen_t l = sizeof v;
    static char big[300000];
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    v = 8192;
    T_SYSOK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    T_SYSOK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l));
    T_EQ(v, 16384); /* doubled, as Linux */
    v = 1;
    T_SYSOK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    T_SYSOK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &l));
    T_ASSERT(v >= 2048 && v < 4096); /* a floor */
    T_ERRNO(send(sv[0], big, 20000, 0), EMSGSIZE);
    T_EQ(send(sv[0], big, 10000, 0), 10000);
    T_ERRNO(send(sv[1], big, sizeof big, 0), EMSGSIZE);
    T_ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(dgram_addresses)
{
    struct sockaddr_un ra, sa, g;
    socklen_t rlen = path_addr(&ra, "drecv"), slen = path_addr(&sa, "dsend"), l;
    int r, s, u;
    char b[16];
    T_SYSOK(r = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_SYSOK(bind(r, (struct sockaddr *)&ra, rlen));
    T_SYSOK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_SYSOK(bind(s, (struct sockaddr *)&sa, slen));
    T_SYSOK(u = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_ERRNO(send(u, "x", 1, 0), ENOTCONN);
    T_EQ(sendto(s, "from-s", 6, 0, (struct sockaddr *)&ra, rlen), 6);
    T_EQ(sendto(u, "from-u", 6, 0, (struct sockaddr *)&ra, rlen), 6);
    l = sizeof g;
    T_EQ(recvfrom(r, b, sizeof b, 0, (struct sockaddr *)&g, &l), 6);
    T_EQ(l, slen);
    T_STREQ(g.sun_path, sa.sun_path);
    l = sizeof g;
    T_EQ(recvfrom(r, b, sizeof b, 0, (struct sockaddr *)&g, &l), 6);
    T_EQ(l, 0); /* an unbound sender has no address */
    /* connect sets the default destination */
    T_SYSOK(connect(u, (struct sockaddr *)&ra, rlen));
    l = sizeof g;
    T_SYSOK(getpeername(u, (struct sockaddr *)&g, &l));
    T_STREQ(g.sun_path, ra.sun_path);
    T_EQ(send(u, "conn", 4, 0), 4);
    T_EQ(recv(r, b, sizeof b, 0), 4);
    /* r connected to s only hears s */
    T_SYSOK(connect(r, (struct sockaddr *)&sa, slen));
    T_ERRNO(send(u, "no", 2, 0), EPERM);
    T_EQ(sendto(s, "yes", 3, 0, (struct sockaddr *)&ra, rlen), 3);
    T_EQ(recv(r, b, sizeof b, 0), 3);
    /* AF_UNSPEC disconnects */
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    T_SYSOK(connect(u, &unspec, sizeof unspec));
    T_ERRNO(send(u, "x", 1, 0), ENOTCONN);
    /* the destination closes: ECONNREFUSED, and then not connected */
    T_SYSOK(connect(u, (struct sockaddr *)&sa, slen));
    close(s);
    T_ERRNO(send(u, "x", 1, 0), ECONNREFUSED);
    T_ERRNO(send(u, "x", 1, 0), ENOTCONN);
    T_ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&sa, slen), ECONNREFUSED);
    T_ERRNO(sendto(u, "x", 1, 0, (struct sockaddr *)&sa, 1), EINVAL);
    close(r);
    close(u);
    unlink(ra.sun_path);
    unlink(sa.sun_path);
}

T_CASE(dgram_queue_limit)
{
    struct sockaddr_un a;
    socklen_t len = abs_addr(&a, "dq");
    int r, s, n = 0;
    T_SYSOK(r = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_SYSOK(bind(r, (struct sockaddr *)&a, len));
    T_SYSOK(s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    while (n < 100000 && sendto(s, "m", 1, 0, (struct sockaddr *)&a, len) == 1)
        n++;
    T_EQ(errno, EAGAIN);
    T_ASSERT(n >= 10 && n < 100000);
    char b[4];
    T_EQ(recv(r, b, sizeof b, 0), 1);
    T_EQ(sendto(s, "m", 1, 0, (struct sockaddr *)&a, len), 1);
    close(r);
    close(s);
}

static int send_fds(int s, const int *fds, int n, const void *data, size_t dlen)
{
    char cbuf[CMSG_SPACE(sizeof(int) * 8)];
    struct iovec iov = { (void *)data, dlen };
    struct msghdr mh = { 0 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
    return (int)sendmsg(s, &mh, 0);
}

T_CASE(scm_rights)
{
    int sv[2], p[2];
    char b[16];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_SYSOK(pipe(p));
    T_EQ(send_fds(sv[0], &p[1], 1, "F", 1), 1);
    close(p[1]);
    char cbuf[CMSG_SPACE(sizeof(int) * 4)];
    struct iovec iov = { b, sizeof b };
    struct msghdr mh = { 0 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    T_EQ(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 1);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    T_ASSERT(cm != NULL);
    T_EQ(cm->cmsg_level, SOL_SOCKET);
    T_EQ(cm->cmsg_type, SCM_RIGHTS);
    T_EQ(cm->cmsg_len, CMSG_LEN(sizeof(int)));
    T_EQ(mh.msg_controllen, CMSG_SPACE(sizeof(int)));
    T_EQ(mh.msg_flags, MSG_CMSG_CLOEXEC); /* Linux echoes it */
    int nfd;
    memcpy(&nfd, CMSG_DATA(cm), sizeof nfd);
    T_ASSERT(nfd > 2 && nfd != p[0]);
    T_EQ(fcntl(nfd, F_GETFD), FD_CLOEXEC);
    T_EQ(write(nfd, "via", 3), 3);
    T_EQ(read(p[0], b, sizeof b), 3);
    close(nfd);
    T_EQ(read(p[0], b, sizeof b), 0); /* the last writer is gone */
    /* a control buffer with no room: the descriptor is closed */
    T_SYSOK(pipe(p));
    T_EQ(send_fds(sv[0], &p[1], 1, "G", 1), 1);
    close(p[1]);
    mh.msg_controllen = sizeof(struct cmsghdr) - 1;
    T_EQ(recvmsg(sv[1], &mh, 0), 1);
    T_ASSERT(mh.msg_flags & MSG_CTRUNC);
    T_EQ(read(p[0], b, sizeof b), 0);
    close(p[0]);
    /* room for one of two */
    int two[2];
    T_SYSOK(pipe(two));
    T_EQ(send_fds(sv[0], two, 2, "H", 1), 1);
    mh.msg_controllen = CMSG_LEN(sizeof(int));
    T_EQ(recvmsg(sv[1], &mh, 0), 1);
    T_ASSERT(mh.msg_flags & MSG_CTRUNC);
    T_EQ(mh.msg_controllen, CMSG_LEN(sizeof(int)));
    cm = CMSG_FIRSTHDR(&mh);
    T_ASSERT(cm != NULL);
    T_EQ(cm->cmsg_len, CMSG_LEN(sizeof(int)));
    memcpy(&nfd, CMSG_DATA(cm), sizeof nfd);
    close(nfd);
    close(two[0]);
    close(two[1]);
    /* errors: a closed descriptor, too many, a bad header */
    int bad = 1000;
    T_ERRNO(send_fds(sv[0], &bad, 1, "x", 1), EBADF);
    int many[300];
    for (int i = 0; i < 300; i++)
        many[i] = 0;
    {
        static char big[CMSG_SPACE(sizeof(int) * 300)];
        struct iovec io = { "x", 1 };
        struct msghdr m2 = { 0 };
        m2.msg_iov = &io;
        m2.msg_iovlen = 1;
        m2.msg_control = big;
        m2.msg_controllen = CMSG_SPACE(sizeof(int) * 254);
        struct cmsghdr *c2 = CMSG_FIRSTHDR(&m2);
        c2->cmsg_level = SOL_SOCKET;
        c2->cmsg_type = SCM_RIGHTS;
        c2->cmsg_len = CMSG_LEN(sizeof(int) * 254);
        memcpy(CMSG_DATA(c2), many, sizeof(int) * 254);
        T_ERRNO(syscall(SYS_sendmsg, sv[0], &m2, 0L), EINVAL);
        c2->cmsg_len = 8;
        T_ERRNO(syscall(SYS_sendmsg, sv[0], &m2, 0L), EINVAL);
        c2->cmsg_len = CMSG_LEN(4);
        c2->cmsg_type = 77;
        T_ERRNO(syscall(SYS_sendmsg, sv[0], &m2, 0L), EINVAL);
        /* another level is skipped */
        c2->cmsg_level = 6;
        m2.msg_controllen = CMSG_SPACE(4);
        T_EQ(syscall(SYS_sendmsg, sv[0], &m2, 0L), 1);
        T_EQ(recv(sv[1], b, sizeof b, 0), 1);
    }
    close(sv[0]);
    close(sv[1]);
}

T_CASE(scm_rights_socket_and_peek)
{
    int sv[2], inner[2];
    char b[8];
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, inner));
    T_EQ(send_fds(sv[0], &inner[1], 1, "S", 1), 1);
    close(inner[1]);
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { b, sizeof b };
    struct msghdr mh = { 0 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    /* MSG_PEEK gives a descriptor too, and leaves the message */
    T_EQ(recvmsg(sv[1], &mh, MSG_PEEK), 1);
    int nfd;
    memcpy(&nfd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof nfd);
    close(nfd);
    mh.msg_controllen = sizeof cbuf;
    T_EQ(recvmsg(sv[1], &mh, 0), 1);
    memcpy(&nfd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof nfd);
    T_EQ(write(nfd, "sock", 4), 4);
    T_EQ(read(inner[0], b, sizeof b), 4);
    close(nfd);
    T_EQ(read(inner[0], b, sizeof b), 0);
    close(inner[0]);
    /* a socket's own descriptor sent over itself, then everything
     * closed: nothing may be left (checked by the collector case) */
    T_EQ(send_fds(sv[0], &sv[0], 1, "A", 1), 1);
    T_EQ(send_fds(sv[1], &sv[1], 1, "B", 1), 1);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(garbage_collector)
{
    /* A bound socket whose only reference is its own descriptor in its
     * own queue is a cycle: the collector must free it, which frees the
     * name. Linux collects asynchronously, so allow a little time. */
    struct sockaddr_un a;
    socklen_t len = abs_addr(&a, "gc");
    int s, t;
    T_SYSOK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_SYSOK(bind(s, (struct sockaddr *)&a, len));
    T_SYSOK(connect(s, (struct sockaddr *)&a, len));
    T_EQ(send_fds(s, &s, 1, "self", 4), 4);
    close(s);
    /* another socket's close runs the collector */
    int sv[2];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    close(sv[0]);
    close(sv[1]);
    T_SYSOK(t = socket(AF_UNIX, SOCK_DGRAM, 0));
    int ok = 0;
    for (int i = 0; i < 100 && !ok; i++) {
        if (bind(t, (struct sockaddr *)&a, len) == 0)
            ok = 1;
        else
            msleep(20);
    }
    T_ASSERT(ok);
    close(t);
}

T_CASE(scm_credentials)
{
    int sv[2], on = 1;
    char b[8];
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    T_SYSOK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    int v;
    socklen_t l = sizeof v;
    T_SYSOK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l));
    T_EQ(v, 1);
    T_EQ(send(sv[0], "c", 1, 0), 1);
    char cbuf[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = { b, sizeof b };
    struct msghdr mh = { 0 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    T_EQ(recvmsg(sv[1], &mh, 0), 1);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    T_ASSERT(cm != NULL);
    T_EQ(cm->cmsg_type, SCM_CREDENTIALS);
    T_EQ(cm->cmsg_len, CMSG_LEN(sizeof(struct ucred)));
    struct ucred uc;
    memcpy(&uc, CMSG_DATA(cm), sizeof uc);
    T_EQ(uc.pid, getpid());
    T_EQ(uc.uid, getuid());
    T_EQ(uc.gid, getgid());
    /* explicit credentials: one's own are fine */
    struct msghdr sm = { 0 };
    struct iovec siov = { "e", 1 };
    char sbuf[CMSG_SPACE(sizeof(struct ucred))];
    sm.msg_iov = &siov;
    sm.msg_iovlen = 1;
    sm.msg_control = sbuf;
    sm.msg_controllen = sizeof sbuf;
    cm = CMSG_FIRSTHDR(&sm);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_CREDENTIALS;
    cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    memcpy(CMSG_DATA(cm), &uc, sizeof uc);
    T_EQ(sendmsg(sv[0], &sm, 0), 1);
    mh.msg_controllen = sizeof cbuf;
    T_EQ(recvmsg(sv[1], &mh, 0), 1);
    cm->cmsg_len = CMSG_LEN(sizeof(struct ucred) - 1);
    T_ERRNO(sendmsg(sv[0], &sm, 0), EINVAL);
    /* someone else's pid needs privilege */
    if (getuid() == 0) {
        pid_t pid = t_fork();
        if (pid == 0) {
            if (setgid(65534) || setuid(65534))
                _exit(2);
            struct ucred o = { getppid(), 65534, 65534 };
            cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
            memcpy(CMSG_DATA(cm), &o, sizeof o);
            _exit(sendmsg(sv[0], &sm, 0) == -1 && errno == EPERM ? 0 : 1);
        }
        T_EXITED(pid, 0);
    }
    close(sv[0]);
    close(sv[1]);
}

T_CASE(so_peercred)
{
    int sv[2];
    struct ucred uc;
    socklen_t l = sizeof uc;
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_SYSOK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l));
    T_EQ(l, sizeof uc);
    T_EQ(uc.pid, getpid());
    T_EQ(uc.uid, geteuid());
    T_EQ(uc.gid, getegid());
    close(sv[0]);
    close(sv[1]);
    /* a connection: each end sees the other's process */
    struct sockaddr_un a;
    socklen_t len = abs_addr(&a, "cred");
    int s, x;
    T_SYSOK(s = listener(&a, len, SOCK_STREAM, 1));
    pid_t pid = t_fork();
    if (pid == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        struct ucred u2;
        socklen_t l2 = sizeof u2;
        if (connect(c, (struct sockaddr *)&a, len) ||
            getsockopt(c, SOL_SOCKET, SO_PEERCRED, &u2, &l2) || u2.pid != getppid())
            _exit(1);
        char ch;
        _exit(read(c, &ch, 1) == 1 ? 0 : 3);
    }
    T_SYSOK(x = accept(s, NULL, NULL));
    l = sizeof uc;
    T_SYSOK(getsockopt(x, SOL_SOCKET, SO_PEERCRED, &uc, &l));
    T_EQ(uc.pid, pid);
    T_EQ(write(x, "k", 1), 1);
    T_EXITED(pid, 0);
    close(x);
    /* unconnected: no peer */
    l = sizeof uc;
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l));
    close(s);
    T_SYSOK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    l = sizeof uc;
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l));
    T_EQ(uc.pid, 0);
    T_EQ(uc.uid, (uid_t)-1);
    close(s);
}

T_CASE(socket_options)
{
    int s, v;
    socklen_t l;
    T_SYSOK(s = socket(AF_UNIX, SOCK_STREAM, 0));
    l = sizeof v;
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l));
    T_EQ(v, 0);
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
    T_ASSERT(v > 0);
    v = 1;
    T_SYSOK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &l));
    T_EQ(v, 1);
    v = 1;
    T_SYSOK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &l));
    T_EQ(v, 1);
    struct linger lg = { 1, 5 };
    T_SYSOK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    l = sizeof lg;
    memset(&lg, 0, sizeof lg);
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l));
    T_EQ(lg.l_onoff, 1);
    T_EQ(lg.l_linger, 5);
    T_ERRNO(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4), EINVAL);
    struct timeval tv = { 1, 200000 };
    T_SYSOK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    l = sizeof tv;
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
    T_EQ(tv.tv_sec, 1);
    T_EQ(tv.tv_usec, 200000);
    tv.tv_usec = 1000000;
    T_ERRNO(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    T_ERRNO(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
    /* short buffers get a prefix of an int */
    l = 2;
    v = -1;
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
    T_EQ(l, 2);
    l = (socklen_t)-1;
    T_ERRNO(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l), EINVAL);
    l = sizeof v;
    T_ERRNO(getsockopt(s, SOL_SOCKET, 12345, &v, &l), ENOPROTOOPT);
    T_ERRNO(setsockopt(s, SOL_SOCKET, 12345, &v, sizeof v), ENOPROTOOPT);
    T_ERRNO(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT);
    T_ERRNO(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 3), EINVAL);
    T_ERRNO(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (void *)8, sizeof v), EFAULT);
    T_ERRNO(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)8), EFAULT);
    T_ERRNO(getsockopt(s, 6 /* TCP */, 1, &v, &l), EOPNOTSUPP);
    close(s);
}

T_CASE(receive_timeout)
{
    int sv[2];
    char b[4];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct timeval tv = { 0, 200000 };
    T_SYSOK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    long t0 = now_ms();
    T_ERRNO(read(sv[1], b, 1), EAGAIN);
    long dt = now_ms() - t0;
    T_ASSERT(dt >= 150 && dt < 5000);
    close(sv[0]);
    close(sv[1]);
}

static void on_usr1(int sig) { (void)sig; }

T_CASE(eintr_and_restart)
{
    int sv[2];
    char b[4];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t parent = getpid();
    pid_t pid = t_fork();
    if (pid == 0) {
        msleep(150);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    T_ERRNO(read(sv[1], b, 1), EINTR);
    T_EXITED(pid, 0);
    /* SA_RESTART: the read goes on and gets the data sent later */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pid = t_fork();
    if (pid == 0) {
        msleep(100);
        kill(parent, SIGUSR1);
        msleep(100);
        write(sv[0], "r", 1);
        _exit(0);
    }
    T_EQ(read(sv[1], b, 1), 1);
    T_EXITED(pid, 0);
    signal(SIGUSR1, SIG_DFL);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(peek_and_waitall)
{
    int sv[2];
    char b[16] = { 0 };
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_EQ(write(sv[0], "abc", 3), 3);
    T_EQ(write(sv[0], "def", 3), 3);
    T_EQ(recv(sv[1], b, sizeof b, MSG_PEEK), 6);
    T_STREQ(b, "abcdef");
    memset(b, 0, sizeof b);
    T_EQ(recv(sv[1], b, 4, 0), 4);
    T_EQ(recv(sv[1], b, sizeof b, MSG_PEEK), 2);
    T_EQ(recv(sv[1], b, sizeof b, 0), 2);
    pid_t pid = t_fork();
    if (pid == 0) {
        write(sv[0], "12", 2);
        msleep(100);
        write(sv[0], "345", 3);
        _exit(0);
    }
    memset(b, 0, sizeof b);
    T_EQ(recv(sv[1], b, 5, MSG_WAITALL), 5);
    T_STREQ(b, "12345");
    T_EXITED(pid, 0);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(ioctl_queues)
{
    int sv[2], n;
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_EQ(write(sv[0], "12345", 5), 5);
    T_EQ(write(sv[0], "678", 3), 3);
    T_SYSOK(ioctl(sv[1], FIONREAD, &n));
    T_EQ(n, 8);
    T_SYSOK(ioctl(sv[0], SIOCOUTQ, &n));
    T_ASSERT(n >= 8);
    char b[8];
    T_EQ(read(sv[1], b, 8), 8);
    T_SYSOK(ioctl(sv[0], SIOCOUTQ, &n));
    T_EQ(n, 0);
    T_ERRNO(ioctl(sv[1], FIONREAD, (int *)8), EFAULT);
    close(sv[0]);
    close(sv[1]);
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    T_EQ(send(sv[0], "12345", 5, 0), 5);
    T_EQ(send(sv[0], "678", 3, 0), 3);
    T_SYSOK(ioctl(sv[1], FIONREAD, &n));
    T_EQ(n, 5); /* the next datagram */
    close(sv[0]);
    close(sv[1]);
}

T_CASE(poll_and_epoll)
{
    int sv[2], ep;
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct pollfd pf = { sv[1], POLLIN | POLLOUT, 0 };
    T_EQ(poll(&pf, 1, 0), 1);
    T_EQ(pf.revents, POLLOUT);
    T_SYSOK(ep = epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = sv[1] };
    T_SYSOK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0);
    T_EQ(write(sv[0], "a", 1), 1);
    T_EQ(epoll_wait(ep, &ev, 1, 1000), 1);
    T_ASSERT(ev.events & EPOLLIN);
    T_EQ(epoll_wait(ep, &ev, 1, 0), 0); /* edge-triggered: once */
    T_EQ(write(sv[0], "b", 1), 1);
    T_EQ(epoll_wait(ep, &ev, 1, 1000), 1);
    /* a wakeup from another process */
    char b[4];
    T_EQ(read(sv[1], b, sizeof b), 2);
    pid_t pid = t_fork();
    if (pid == 0) {
        msleep(100);
        write(sv[0], "c", 1);
        _exit(0);
    }
    pf.events = POLLIN;
    T_EQ(poll(&pf, 1, 5000), 1);
    T_EQ(pf.revents, POLLIN);
    T_EXITED(pid, 0);
    close(ep);
    /* a listener is readable when a connection waits */
    struct sockaddr_un a;
    socklen_t len = abs_addr(&a, "poll");
    int s, c;
    T_SYSOK(s = listener(&a, len, SOCK_STREAM, 1));
    pf.fd = s;
    pf.events = POLLIN | POLLOUT;
    T_EQ(poll(&pf, 1, 0), 0);
    T_SYSOK(c = socket(AF_UNIX, SOCK_STREAM, 0));
    pf.fd = c;
    T_EQ(poll(&pf, 1, 0), 1);
    T_EQ(pf.revents, POLLOUT | POLLHUP); /* unconnected stream */
    T_SYSOK(connect(c, (struct sockaddr *)&a, len));
    pf.fd = s;
    T_EQ(poll(&pf, 1, 0), 1);
    T_EQ(pf.revents, POLLIN);
    close(c);
    close(s);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(proc_fd_link)
{
    int s;
    char link[64], want[64];
    struct stat st;
    T_SYSOK(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_SYSOK(fstat(s, &st));
    snprintf(link, sizeof link, "/proc/self/fd/%d", s);
    ssize_t n = readlink(link, want, sizeof want - 1);
    T_ASSERT(n > 0);
    want[n] = 0;
    snprintf(link, sizeof link, "socket:[%lu]", (unsigned long)st.st_ino);
    T_STREQ(want, link);
    close(s);
}

T_CASE(bad_user_pointers)
{
    int sv[2];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    T_ERRNO(send(sv[0], (void *)8, 4, 0), EFAULT);
    T_ERRNO(write(sv[0], (void *)8, 4), EFAULT);
    T_EQ(write(sv[0], "abcd", 4), 4);
    T_ERRNO(recv(sv[1], (void *)8, 4, 0), EFAULT);
    char b[4];
    T_EQ(recv(sv[1], b, 4, 0), 4); /* nothing was lost */
    T_ERRNO(syscall(SYS_sendmsg, sv[0], 8L, 0L), EFAULT);
    T_ERRNO(syscall(SYS_recvmsg, sv[1], 8L, 0L), EFAULT);
    struct msghdr mh = { 0 };
    mh.msg_iov = (struct iovec *)8;
    mh.msg_iovlen = 1;
    T_ERRNO(syscall(SYS_sendmsg, sv[0], &mh, 0L), EFAULT);
    struct iovec iov = { b, (size_t)-1 };
    mh.msg_iov = &iov;
    T_ERRNO(syscall(SYS_sendmsg, sv[0], &mh, 0L), EINVAL);
    mh.msg_iovlen = 2000;
    T_ERRNO(syscall(SYS_sendmsg, sv[0], &mh, 0L), EMSGSIZE);
    iov.iov_len = 1;
    mh.msg_iovlen = 1;
    mh.msg_control = (void *)8;
    mh.msg_controllen = 32;
    T_ERRNO(syscall(SYS_sendmsg, sv[0], &mh, 0L), EFAULT);
    T_ERRNO(sendto(sv[0], "x", 1, 0, (struct sockaddr *)8, 10), EFAULT);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(mmsg)
{
    int sv[2];
    T_SYSOK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    struct iovec w[3] = { { "a", 1 }, { "bb", 2 }, { "ccc", 3 } };
    struct mmsghdr mm[3];
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = &w[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    T_EQ(sendmmsg(sv[0], mm, 3, 0), 3);
    T_EQ(mm[2].msg_len, 3);
    char b[3][8];
    struct iovec r[3] = { { b[0], 8 }, { b[1], 8 }, { b[2], 8 } };
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = &r[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    T_EQ(recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), 3);
    T_EQ(mm[0].msg_len, 1);
    T_EQ(mm[1].msg_len, 2);
    T_EQ(mm[2].msg_len, 3);
    T_ERRNO(recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), EAGAIN);
    close(sv[0]);
    close(sv[1]);
}

T_CASE(bulk_transfer)
{
    int sv[2];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t pid = t_fork();
    if (pid == 0) {
        close(sv[1]);
        static unsigned char buf[10000];
        unsigned x = 1;
        for (int k = 0; k < 100; k++) {
            for (size_t i = 0; i < sizeof buf; i++) {
                x = x * 1103515245u + 12345u;
                buf[i] = (unsigned char)(x >> 16);
            }
            if (write(sv[0], buf, sizeof buf) != (ssize_t)sizeof buf)
                _exit(1);
        }
        _exit(0);
    }
    close(sv[0]);
    static unsigned char in[7777];
    unsigned x = 1;
    long total = 0, bad = 0;
    ssize_t n;
    while ((n = read(sv[1], in, sizeof in)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            if (in[i] != (unsigned char)(x >> 16))
                bad++;
        }
        total += n;
    }
    T_EQ(n, 0);
    T_EQ(total, 1000000);
    T_EQ(bad, 0);
    T_EXITED(pid, 0);
    close(sv[1]);
}

/* Two threads read one stream while a child writes it in 64 KiB pieces:
 * every byte arrives exactly once (the byte sums match), however the
 * readers' copies interleave with each other and with the writer. */
struct sum_reader { int fd; long bytes; unsigned long sum; };

static void *sum_read(void *arg)
{
    struct sum_reader *r = arg;
    static __thread unsigned char in[3000];
    ssize_t n;

    while ((n = read(r->fd, in, sizeof in)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            r->sum += in[i];
        r->bytes += n;
    }
    return NULL;
}

T_CASE(concurrent_readers)
{
    int sv[2];
    T_SYSOK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t pid = t_fork();
    if (pid == 0) {
        close(sv[1]);
        static unsigned char buf[65536];
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (unsigned char)(i % 251);
        for (int k = 0; k < 64; k++)
            if (write(sv[0], buf, sizeof buf) != (ssize_t)sizeof buf)
                _exit(1);
        _exit(0);
    }
    close(sv[0]);
    struct sum_reader r[2] = { { sv[1], 0, 0 }, { sv[1], 0, 0 } };
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        T_EQ(pthread_create(&th[i], NULL, sum_read, &r[i]), 0);
    for (int i = 0; i < 2; i++)
        T_EQ(pthread_join(th[i], NULL), 0);
    unsigned long want = 0;
    for (size_t i = 0; i < 65536; i++)
        want += i % 251;
    T_EQ(r[0].bytes + r[1].bytes, 64L * 65536);
    T_EQ(r[0].sum + r[1].sum, want * 64);
    T_EXITED(pid, 0);
    close(sv[1]);
}

int main(void)
{
    t_init("t_unix");
    T_RUN(socket_types_and_flags);
    T_RUN(socket_bad_args);
    T_RUN(not_a_socket);
    T_RUN(socketpair_stream);
    T_RUN(dgram_boundaries_and_trunc);
    T_RUN(seqpacket_boundaries);
    T_RUN(readv_writev_one_datagram);
    T_RUN(bind_path);
    T_RUN(bind_lengths_and_autobind);
    T_RUN(abstract_names);
    T_RUN(connect_accept_path);
    T_RUN(connect_errors);
    T_RUN(connect_needs_write_permission);
    T_RUN(backlog_full);
    T_RUN(shutdown_semantics);
    T_RUN(sigpipe_and_nosignal);
    T_RUN(close_eof_and_reset);
    T_RUN(nonblocking_and_full_buffers);
    T_RUN(dgram_emsgsize_and_sndbuf);
    T_RUN(dgram_addresses);
    T_RUN(dgram_queue_limit);
    T_RUN(scm_rights);
    T_RUN(scm_rights_socket_and_peek);
    T_RUN(garbage_collector);
    T_RUN(scm_credentials);
    T_RUN(so_peercred);
    T_RUN(socket_options);
    T_RUN(receive_timeout);
    T_RUN(eintr_and_restart);
    T_RUN(peek_and_waitall);
    T_RUN(ioctl_queues);
    T_RUN(poll_and_epoll);
    T_RUN(proc_fd_link);
    T_RUN(bad_user_pointers);
    T_RUN(mmsg);
    T_RUN(bulk_transfer);
    T_RUN(concurrent_readers);
    return t_done();
}
