/* t_tcp.c: AF_INET SOCK_STREAM over 127.0.0.1: the handshake, listen and
 * accept (blocking, non-blocking, accept4 flags), connect (blocking,
 * non-blocking with EINPROGRESS then POLLOUT and SO_ERROR), ECONNREFUSED,
 * port conflicts and SO_REUSEADDR over TIME_WAIT, send/recv with
 * MSG_PEEK/MSG_WAITALL/MSG_DONTWAIT, FIONREAD/SIOCOUTQ, half-close, RST
 * on close with unread data, SO_LINGER, EPIPE/SIGPIPE, poll readiness
 * (POLLRDHUP, POLLHUP), options (TCP_NODELAY, TCP_MAXSEG, SO_KEEPALIVE,
 * SO_BINDTODEVICE read back),
 * EINTR, bad arguments, an 8 MiB transfer between two threads with its
 * content checked, and 200 connections one after another; TCP_INFO
 * (timestamps and window scaling agreed, the MSS less the timestamp
 * option), request/response exchanges of small messages with Nagle on
 * (the delayed ACK must not stall them for good), a transfer through a
 * small receive buffer with small segments, TCP_QUICKACK. Passes on Linux
 * (in a fresh network namespace with lo up, as the guest has it). */
#include "t.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

static struct sockaddr_in lo(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int tcp(void) { return socket(AF_INET, SOCK_STREAM, 0); }

/* A listener on 127.0.0.1, an ephemeral port (in *port). */
static int listener(int *port, int backlog)
{
    struct sockaddr_in a = lo(0);
    socklen_t l = sizeof a;
    int fd = tcp();
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        listen(fd, backlog) || getsockname(fd, (struct sockaddr *)&a, &l))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static int connect_to(int port)
{
    struct sockaddr_in a = lo(port);
    int fd = tcp();
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a))
        return -1;
    return fd;
}

/* A connected pair: *c the client, *s the accepted server end. */
static int pair(int *c, int *s)
{
    int port, l = listener(&port, 5);
    if (l < 0)
        return -1;
    *c = connect_to(port);
    *s = accept(l, NULL, NULL);
    close(l);
    return *c < 0 || *s < 0 ? -1 : 0;
}

T_CASE(handshake)
{
    int l, c, s, port;
    T_SYSOK(l = listener(&port, 5));
    int v = 0; socklen_t vl = sizeof v;
    T_SYSOK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl)); T_EQ(v, 1);
    T_SYSOK(getsockopt(l, SOL_SOCKET, SO_TYPE, &v, &vl)); T_EQ(v, SOCK_STREAM);
    T_SYSOK(getsockopt(l, SOL_SOCKET, SO_PROTOCOL, &v, &vl)); T_EQ(v, IPPROTO_TCP);
    T_SYSOK(c = connect_to(port));
    struct sockaddr_in pa, ca, sa;
    socklen_t al = sizeof pa;
    T_SYSOK(s = accept(l, (struct sockaddr *)&pa, &al));
    T_EQ(al, sizeof pa);
    al = sizeof ca;
    T_SYSOK(getsockname(c, (struct sockaddr *)&ca, &al));
    T_EQ(pa.sin_port, ca.sin_port);
    T_EQ(pa.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    al = sizeof sa;
    T_SYSOK(getpeername(c, (struct sockaddr *)&sa, &al));
    T_EQ(ntohs(sa.sin_port), port);
    T_SYSOK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl)); T_EQ(v, 0);
    char buf[8];
    T_EQ(write(c, "ping", 4), 4);
    T_EQ(read(s, buf, sizeof buf), 4);
    T_ASSERT(!memcmp(buf, "ping", 4));
    T_EQ(write(s, "pong", 4), 4);
    T_EQ(read(c, buf, sizeof buf), 4);
    T_ASSERT(!memcmp(buf, "pong", 4));
    close(c); close(s); close(l);
}

T_CASE(refused)
{
    int port, l;
    T_SYSOK(l = listener(&port, 1));
    close(l); /* nobody there now */
    int c; T_SYSOK(c = tcp());
    struct sockaddr_in a = lo(port);
    T_ERRNO(connect(c, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
    close(c);
    /* non-blocking: EINPROGRESS, then POLLOUT|POLLERR and SO_ERROR */
    T_SYSOK(c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    T_ASSERT(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
    if (r == -1 && errno == EINPROGRESS) {
        struct pollfd p = { c, POLLOUT, 0 };
        T_EQ(poll(&p, 1, 2000), 1);
        T_ASSERT(p.revents & (POLLERR | POLLHUP));
        int e = 0; socklen_t el = sizeof e;
        T_SYSOK(getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &el));
        T_EQ(e, ECONNREFUSED);
    }
    close(c);
}

T_CASE(nonblocking_connect_accept)
{
    int l, port;
    T_SYSOK(l = listener(&port, 5));
    T_SYSOK(fcntl(l, F_SETFL, O_NONBLOCK));
    T_ERRNO(accept(l, NULL, NULL), EAGAIN);
    int c; T_SYSOK(c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in a = lo(port);
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    T_ASSERT(r == 0 || errno == EINPROGRESS);
    struct pollfd p = { c, POLLOUT, 0 };
    T_EQ(poll(&p, 1, 2000), 1);
    T_EQ(p.revents & (POLLOUT | POLLERR), POLLOUT);
    int e = -1; socklen_t el = sizeof e;
    T_SYSOK(getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &el)); T_EQ(e, 0);
    /* Linux: the first connect after completion says 0, then EISCONN */
    r = connect(c, (struct sockaddr *)&a, sizeof a);
    T_ASSERT(r == 0 || errno == EISCONN);
    T_ERRNO(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN);
    struct pollfd lp = { l, POLLIN, 0 };
    T_EQ(poll(&lp, 1, 2000), 1);
    int s; T_SYSOK(s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    T_ASSERT(fcntl(s, F_GETFL) & O_NONBLOCK);
    T_ASSERT(fcntl(s, F_GETFD) & FD_CLOEXEC);
    char b;
    T_ERRNO(read(s, &b, 1), EAGAIN);
    close(c); close(s); close(l);
}

T_CASE(bad_args)
{
    int c; T_SYSOK(c = tcp());
    struct sockaddr_in a = lo(1);
    T_ERRNO(connect(c, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    a.sin_family = AF_INET6;
    T_ERRNO(connect(c, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    T_ERRNO(connect(c, (struct sockaddr *)(void *)8, sizeof a), EFAULT);
    T_ERRNO(accept(c, NULL, NULL), EINVAL); /* not listening */
    T_ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE); /* never connected */
    char b;
    T_ERRNO(recv(c, &b, 1, 0), ENOTCONN);
    T_ERRNO(shutdown(c, SHUT_WR), ENOTCONN);
    struct sockaddr_in p; socklen_t pl = sizeof p;
    T_ERRNO(getpeername(c, (struct sockaddr *)&p, &pl), ENOTCONN);
    T_ERRNO(listen(-1, 1), EBADF);
    T_ERRNO(listen(0, 1), ENOTSOCK);
    int l, port;
    T_SYSOK(l = listener(&port, 1));
    int c2; T_SYSOK(c2 = connect_to(port));
    struct sockaddr_in aa;
    T_ERRNO(accept(l, (struct sockaddr *)&aa, (socklen_t *)(void *)8), EFAULT);
    close(c2);
    /* the state is checked before the address (Linux) */
    T_ERRNO(connect(l, (struct sockaddr *)&a, sizeof a), EISCONN);
    a = lo(port);
    T_ERRNO(connect(l, (struct sockaddr *)&a, sizeof a), EISCONN);
    close(c); close(l);
}

T_CASE(addr_in_use_and_timewait)
{
    int l, port, one = 1;
    T_SYSOK(l = listener(&port, 5));
    int b; T_SYSOK(b = tcp());
    struct sockaddr_in a = lo(port);
    T_ERRNO(bind(b, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    T_SYSOK(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    T_ERRNO(bind(b, (struct sockaddr *)&a, sizeof a), EADDRINUSE); /* listener */
    close(b); close(l);
    /* a server that closes first leaves TIME_WAIT on its port */
    T_SYSOK(l = tcp());
    T_SYSOK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    T_SYSOK(bind(l, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(listen(l, 5));
    int c, s;
    T_SYSOK(c = connect_to(port));
    T_SYSOK(s = accept(l, NULL, NULL));
    close(l);
    close(s); /* server: FIN first -> TIME_WAIT */
    char x;
    T_EQ(read(c, &x, 1), 0);
    close(c);
    usleep(50000);
    T_SYSOK(b = tcp());
    T_ERRNO(bind(b, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    close(b);
    T_SYSOK(b = tcp());
    T_SYSOK(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    T_SYSOK(bind(b, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(listen(b, 5));
    close(b);
}

T_CASE(peek_waitall_fionread)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    char buf[16];
    T_ERRNO(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    T_EQ(send(c, "hello", 5, 0), 5);
    T_EQ(send(c, "world", 5, 0), 5);
    struct pollfd p = { s, POLLIN, 0 };
    T_EQ(poll(&p, 1, 2000), 1);
    /* Both sends arrive (each may come on its own): wait for 10. */
    int n = -1;
    for (int i = 0; i < 10000; i++) {
        T_SYSOK(ioctl(s, FIONREAD, &n));
        if (n == 10)
            break;
        usleep(1000);
    }
    T_EQ(n, 10);
    T_EQ(recv(s, buf, 7, MSG_PEEK), 7);
    T_ASSERT(!memcmp(buf, "hellowo", 7));
    T_EQ(recv(s, buf, 3, 0), 3);
    T_EQ(recv(s, buf, sizeof buf, MSG_PEEK), 7);
    T_ASSERT(!memcmp(buf, "lowor", 5));
    T_EQ(recv(s, buf, 7, 0), 7);
    T_SYSOK(ioctl(s, FIONREAD, &n)); T_EQ(n, 0);
    T_SYSOK(ioctl(c, SIOCOUTQ, &n)); T_EQ(n, 0);
    /* MSG_WAITALL gathers two sends */
    pid_t pid = t_fork();
    if (pid == 0) {
        usleep(50000);
        if (send(c, "abc", 3, 0) != 3) _exit(1);
        usleep(50000);
        _exit(send(c, "def", 3, 0) == 3 ? 0 : 1);
    }
    T_EQ(recv(s, buf, 6, MSG_WAITALL), 6);
    T_ASSERT(!memcmp(buf, "abcdef", 6));
    T_EXITED(pid, 0);
    close(c); close(s);
}

T_CASE(half_close_and_poll)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    struct pollfd p = { s, POLLIN | POLLOUT | POLLRDHUP, 0 };
    T_EQ(poll(&p, 1, 0), 1); T_EQ(p.revents, POLLOUT);
    T_SYSOK(shutdown(c, SHUT_WR));
    /* Wait for the FIN alone (POLLOUT is ready at once). */
    struct pollfd r = { s, POLLIN | POLLRDHUP, 0 };
    T_EQ(poll(&r, 1, 10000), 1);
    T_EQ(r.revents & (POLLIN | POLLRDHUP | POLLHUP), POLLIN | POLLRDHUP);
    char buf[8];
    T_EQ(read(s, buf, sizeof buf), 0);
    T_ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    /* the other direction still works */
    T_EQ(write(s, "back", 4), 4);
    T_EQ(read(c, buf, sizeof buf), 4);
    T_SYSOK(shutdown(s, SHUT_WR));
    T_EQ(read(c, buf, sizeof buf), 0);
    /* Both directions shut: POLLHUP (reported whatever is asked). */
    struct pollfd q = { c, 0, 0 };
    T_EQ(poll(&q, 1, 10000), 1);
    T_ASSERT(q.revents & POLLHUP);
    T_ERRNO(shutdown(c, 9), EINVAL);
    close(c); close(s);
}

T_CASE(rst_on_unread_close)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    T_EQ(write(c, "unread", 6), 6);
    struct pollfd in = { s, POLLIN, 0 };
    T_EQ(poll(&in, 1, 10000), 1); /* it has arrived, unread */
    close(s); /* unread data: RST, as Linux */
    struct pollfd rst = { c, POLLIN, 0 };
    T_EQ(poll(&rst, 1, 10000), 1); /* the RST has arrived */
    char b;
    T_ERRNO(read(c, &b, 1), ECONNRESET);
    T_EQ(read(c, &b, 1), 0); /* reported once */
    close(c);
}

T_CASE(epipe_sigpipe)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    close(s);
    usleep(20000);
    char b;
    T_EQ(read(c, &b, 1), 0); /* FIN */
    /* the first write draws a RST, later ones fail */
    signal(SIGPIPE, SIG_IGN);
    write(c, "a", 1);
    /* Wait for the RST: it sets an error (POLLERR, asked or not). */
    struct pollfd e = { c, 0, 0 };
    T_EQ(poll(&e, 1, 10000), 1);
    T_ERRNO2(write(c, "a", 1), EPIPE, ECONNRESET);
    T_ERRNO(send(c, "a", 1, MSG_NOSIGNAL), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    pid_t pid = t_fork();
    if (pid == 0) {
        write(c, "a", 1);
        _exit(0);
    }
    T_KILLED(pid, SIGPIPE);
    close(c);
}

T_CASE(linger_zero_resets)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    struct linger lg = { 1, 0 };
    T_SYSOK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    close(s);
    usleep(20000);
    char b;
    T_ERRNO(read(c, &b, 1), ECONNRESET);
    close(c);
    /* a linger time: close waits for the FIN's ACK, here at once */
    T_SYSOK(pair(&c, &s));
    lg.l_linger = 5;
    T_SYSOK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    T_EQ(write(s, "bye", 3), 3);
    T_SYSOK(close(s));
    char buf[8];
    T_EQ(read(c, buf, sizeof buf), 3);
    T_EQ(read(c, buf, sizeof buf), 0);
    close(c);
}

T_CASE(options)
{
    int c, s, v = 0;
    socklen_t vl = sizeof v;
    T_SYSOK(c = tcp());
    T_SYSOK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl)); T_EQ(v, 0);
    v = 1;
    T_SYSOK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    T_SYSOK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl)); T_EQ(v, 1);
    T_SYSOK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    T_SYSOK(getsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, &vl)); T_EQ(v, 1);
    v = 10;
    T_ERRNO(setsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof v), EINVAL);
    T_ERRNO(setsockopt(c, IPPROTO_TCP, 9999, &v, sizeof v), ENOPROTOOPT);
    T_ERRNO(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, 2), EINVAL);
    T_ERRNO(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, (void *)8, &vl), EFAULT);
    /* issue 13: sshd reads SO_BINDTODEVICE for its routing domain: a
     * socket bound to no device has an empty name, whatever the
     * buffer's size (Linux sock_getbindtodevice). */
    char dev[17] = "x";
    socklen_t dl = 16;
    T_SYSOK(getsockopt(c, SOL_SOCKET, SO_BINDTODEVICE, dev, &dl));
    T_EQ(dl, 0);
    dl = 4;
    T_SYSOK(getsockopt(c, SOL_SOCKET, SO_BINDTODEVICE, dev, &dl));
    T_EQ(dl, 0);
    T_EQ(dev[0], 'x');
    close(c);
    T_SYSOK(pair(&c, &s));
    T_SYSOK(getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, &vl));
    /* lo: Linux bounds it by half the first window and takes its
     * timestamp option off (32741); here the route's 65495, capped at
     * what one packet buffer holds */
    T_ASSERT(v >= 1000 && v <= 65495);
    close(c); close(s);
    /* TCP_MAXSEG before connect caps the segments */
    int l, port;
    T_SYSOK(l = listener(&port, 5));
    T_SYSOK(c = tcp());
    v = 1000;
    T_SYSOK(setsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof v));
    struct sockaddr_in a = lo(port);
    T_SYSOK(connect(c, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(s = accept(l, NULL, NULL));
    T_SYSOK(getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, &vl));
    T_ASSERT(v <= 1000 && v >= 900);
    static char big[100000];
    memset(big, 'm', sizeof big);
    T_EQ(write(c, big, sizeof big), sizeof big);
    size_t got = 0; ssize_t r;
    while (got < sizeof big && (r = read(s, big, sizeof big)) > 0)
        got += r;
    T_EQ(got, sizeof big);
    close(c); close(s); close(l);
}

static void on_alarm(int sig) { (void)sig; }

T_CASE(eintr)
{
    int l, port;
    T_SYSOK(l = listener(&port, 5));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    T_SYSOK(sigaction(SIGALRM, &sa, NULL));
    alarm(0);
    struct itimerval it = { { 0, 0 }, { 0, 100000 } };
    T_SYSOK(setitimer(ITIMER_REAL, &it, NULL));
    T_ERRNO(accept(l, NULL, NULL), EINTR);
    int c, s;
    T_SYSOK(c = connect_to(port));
    T_SYSOK(s = accept(l, NULL, NULL));
    T_SYSOK(setitimer(ITIMER_REAL, &it, NULL));
    char b;
    T_ERRNO(recv(s, &b, 1, 0), EINTR);
    struct timeval tv = { 0, 50000 };
    T_SYSOK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    T_ERRNO(recv(s, &b, 1, 0), EAGAIN);
    close(c); close(s); close(l);
}

T_CASE(backlog_and_listener_close)
{
    int l, port;
    T_SYSOK(l = listener(&port, 2));
    int c; T_SYSOK(c = connect_to(port));
    usleep(20000);
    close(l); /* the unaccepted connection is reset */
    usleep(20000);
    char b;
    T_ERRNO(read(c, &b, 1), ECONNRESET);
    close(c);
}

#define BULK (8u << 20)
static int bulk_fd;
static void *bulk_writer(void *arg)
{
    (void)arg;
    static unsigned char buf[65536];
    size_t off = 0;
    while (off < BULK) {
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (unsigned char)((off + i) * 7 + ((off + i) >> 12));
        size_t n = sizeof buf, done = 0;
        while (done < n) {
            ssize_t w = write(bulk_fd, buf + done, n - done);
            if (w <= 0)
                return (void *)1;
            done += w;
        }
        off += n;
    }
    close(bulk_fd);
    return NULL;
}

T_CASE(bulk_8mib)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    bulk_fd = c;
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, bulk_writer, NULL), 0);
    static unsigned char buf[50000];
    size_t got = 0;
    int bad = 0;
    for (;;) {
        ssize_t r = read(s, buf, sizeof buf);
        if (r < 0) { bad = errno; break; }
        if (r == 0) break;
        for (ssize_t i = 0; i < r; i++) {
            size_t k = got + i;
            if (buf[i] != (unsigned char)(k * 7 + (k >> 12))) { bad = -1; break; }
        }
        got += r;
        if (bad) break;
    }
    void *ret;
    pthread_join(t, &ret);
    T_EQ(bad, 0);
    T_EQ(got, BULK);
    T_ASSERT(ret == NULL);
    close(s);
}

T_CASE(many_connections)
{
    int l, port, one = 1;
    T_SYSOK(l = listener(&port, 16));
    T_SYSOK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    for (int i = 0; i < 200; i++) {
        int c = connect_to(port);
        T_ASSERT(c >= 0);
        int s = accept(l, NULL, NULL);
        T_ASSERT(s >= 0);
        char b = (char)i, r = 0;
        T_EQ(write(c, &b, 1), 1);
        T_EQ(read(s, &r, 1), 1);
        T_EQ(r, b);
        if (i & 1) { close(c); close(s); } else { close(s); close(c); }
    }
    close(l);
    /* the listening port can be taken again at once (SO_REUSEADDR) */
    T_SYSOK(l = tcp());
    T_SYSOK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    struct sockaddr_in a = lo(port);
    T_SYSOK(bind(l, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(listen(l, 1));
    close(l);
}

T_CASE(epoll_rdhup)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    struct pollfd p = { s, POLLIN | POLLRDHUP, 0 };
    T_EQ(poll(&p, 1, 0), 0);
    T_EQ(write(c, "x", 1), 1);
    T_EQ(poll(&p, 1, 2000), 1); T_EQ(p.revents, POLLIN);
    close(c);
    usleep(20000);
    T_EQ(poll(&p, 1, 2000), 1);
    T_EQ(p.revents & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
    close(s);
}

T_CASE(tcp_info_timestamps)
{
    int l, port, c, s, v = 1000;
    socklen_t vl = sizeof v;
    struct tcp_info ti;
    socklen_t tl = sizeof ti;
    T_SYSOK(l = listener(&port, 5));
    T_SYSOK(c = tcp());
    T_SYSOK(setsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof v));
    struct sockaddr_in a = lo(port);
    T_SYSOK(connect(c, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(s = accept(l, NULL, NULL));
    memset(&ti, 0, sizeof ti);
    T_SYSOK(getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &tl));
    T_ASSERT(tl >= 104);
    T_EQ(ti.tcpi_state, 1); /* TCP_ESTABLISHED */
    T_ASSERT(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
    T_ASSERT(ti.tcpi_options & TCPI_OPT_WSCALE);
    /* the timestamp option takes 12 bytes of every segment */
    T_EQ(ti.tcpi_snd_mss, 1000 - 12);
    T_SYSOK(getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, &vl));
    T_EQ(v, 1000 - 12);
    T_ASSERT(ti.tcpi_rto >= 200000); /* at least 200 ms, in us */
    T_ASSERT(ti.tcpi_snd_cwnd >= 2);
    /* the server end agreed too */
    tl = sizeof ti;
    T_SYSOK(getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &tl));
    T_EQ(ti.tcpi_state, 1);
    T_ASSERT(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
    /* a short buffer gets what fits */
    unsigned char first[8];
    tl = sizeof first;
    T_SYSOK(getsockopt(s, IPPROTO_TCP, TCP_INFO, first, &tl));
    T_EQ(tl, sizeof first);
    T_EQ(first[0], 1);
    close(c); close(s); close(l);
    /* a listener reports its state */
    T_SYSOK(l = listener(&port, 5));
    tl = sizeof ti;
    T_SYSOK(getsockopt(l, IPPROTO_TCP, TCP_INFO, &ti, &tl));
    T_EQ(ti.tcpi_state, 10); /* TCP_LISTEN */
    close(l);
}

/* Request/response with Nagle on and small messages: every answer needs
 * the request's ACK or a piggybacked one; a delayed ACK may slow this,
 * never stop it. */
T_CASE(pingpong_small_messages)
{
    int c, s;
    T_SYSOK(pair(&c, &s));
    for (int i = 0; i < 300; i++) {
        char q[128], r[128];
        int n = 1 + i % 100;
        for (int k = 0; k < n; k++)
            q[k] = (char)(i + k);
        T_EQ(write(c, q, n), n);
        int got = 0;
        while (got < n) {
            ssize_t k = read(s, r + got, n - got);
            T_ASSERT(k > 0);
            got += k;
        }
        T_ASSERT(!memcmp(q, r, n));
        /* the answer, in two writes (the second waits for Nagle) */
        T_EQ(write(s, r, 1), 1);
        if (n > 1)
            T_EQ(write(s, r + 1, n - 1), n - 1);
        got = 0;
        while (got < n) {
            ssize_t k = read(c, q + got, n - got);
            T_ASSERT(k > 0);
            got += k;
        }
        T_ASSERT(!memcmp(q, r, n));
    }
    close(c); close(s);
}

#define SMALL_LEN (1u << 20)
static int small_fd;
static void *small_writer(void *arg)
{
    (void)arg;
    static unsigned char buf[3000];
    size_t off = 0;
    while (off < SMALL_LEN) {
        size_t n = SMALL_LEN - off < sizeof buf ? SMALL_LEN - off : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = (unsigned char)((off + i) * 13 + 5);
        ssize_t w = write(small_fd, buf, n);
        if (w <= 0)
            return (void *)1;
        off += w;
    }
    close(small_fd);
    return NULL;
}

/* Small segments through a small receive window: the receiver's ACKs
 * and window updates keep it going. */
T_CASE(small_window_small_segments)
{
    int l, port, c, s, v = 536, rb = 4096;
    T_SYSOK(l = tcp());
    T_SYSOK(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb));
    struct sockaddr_in a = lo(0);
    socklen_t al = sizeof a;
    T_SYSOK(bind(l, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(listen(l, 5));
    T_SYSOK(getsockname(l, (struct sockaddr *)&a, &al));
    port = ntohs(a.sin_port);
    T_SYSOK(c = tcp());
    T_SYSOK(setsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof v));
    a = lo(port);
    T_SYSOK(connect(c, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(s = accept(l, NULL, NULL));
    close(l);
    small_fd = c;
    pthread_t t;
    T_EQ(pthread_create(&t, NULL, small_writer, NULL), 0);
    static unsigned char buf[777];
    size_t got = 0;
    int bad = 0;
    for (;;) {
        ssize_t r = read(s, buf, sizeof buf);
        if (r <= 0) { bad = r < 0 ? errno : 0; break; }
        for (ssize_t i = 0; i < r && !bad; i++)
            if (buf[i] != (unsigned char)((got + i) * 13 + 5))
                bad = -1;
        got += r;
        if (bad) break;
    }
    void *ret;
    pthread_join(t, &ret);
    T_EQ(bad, 0);
    T_EQ(got, SMALL_LEN);
    T_ASSERT(ret == NULL);
    close(s);
}

T_CASE(quickack_option)
{
    int c, s, v = 1;
    socklen_t vl = sizeof v;
    T_SYSOK(pair(&c, &s));
    T_SYSOK(setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &v, sizeof v));
    T_SYSOK(getsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &v, &vl));
    T_EQ(vl, sizeof v);
    T_ASSERT(v == 0 || v == 1);
    v = 0;
    T_SYSOK(setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &v, sizeof v));
    T_EQ(write(c, "q", 1), 1);
    char b;
    T_EQ(read(s, &b, 1), 1);
    close(c); close(s);
}

int main(void)
{
    t_init("tcp");
    T_RUN(handshake);
    T_RUN(refused);
    T_RUN(nonblocking_connect_accept);
    T_RUN(bad_args);
    T_RUN(addr_in_use_and_timewait);
    T_RUN(peek_waitall_fionread);
    T_RUN(half_close_and_poll);
    T_RUN(rst_on_unread_close);
    T_RUN(epipe_sigpipe);
    T_RUN(linger_zero_resets);
    T_RUN(options);
    T_RUN(eintr);
    T_RUN(backlog_and_listener_close);
    T_RUN(bulk_8mib);
    T_RUN(many_connections);
    T_RUN(epoll_rdhup);
    T_RUN(tcp_info_timestamps);
    T_RUN(pingpong_small_messages);
    T_RUN(small_window_small_segments);
    T_RUN(quickack_option);
    return t_done();
}
