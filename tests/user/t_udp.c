/* t_udp.c: AF_INET SOCK_DGRAM over 127.0.0.1 (and what an IPv4 stack with
 * only the loopback device answers): bind and ephemeral ports, port
 * conflicts and SO_REUSEADDR/SO_REUSEPORT, connect/disconnect,
 * sendto/recvfrom/sendmsg/recvmsg with the source address, MSG_PEEK,
 * MSG_DONTWAIT, MSG_TRUNC, ICMP port unreachable -> ECONNREFUSED on a
 * connected socket, broadcast needing SO_BROADCAST, receive-buffer
 * drops, FIONREAD, poll, IP_TTL/IP_PKTINFO, AF_INET6 refused, the route
 * ioctls, ping sockets, and bad arguments. Passes on Linux (run it in a
 * fresh network namespace with lo up, as the guest has it). */
#include "t.h"

#include <arpa/inet.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

static struct sockaddr_in lo(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int udp(void) { return socket(AF_INET, SOCK_DGRAM, 0); }

/* A socket bound to 127.0.0.1 on an ephemeral port; its port in *port. */
static int bound(int *port)
{
    struct sockaddr_in a = lo(0);
    socklen_t l = sizeof a;
    int fd = udp();
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(fd, (struct sockaddr *)&a, &l))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

T_CASE(socket_kinds)
{
    int fd;
    T_SYSOK(fd = udp());
    int v = 0; socklen_t l = sizeof v;
    T_SYSOK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l)); T_EQ(v, SOCK_DGRAM);
    T_SYSOK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l)); T_EQ(v, AF_INET);
    T_SYSOK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l)); T_EQ(v, IPPROTO_UDP);
    close(fd);
    /* AF_INET6: EAFNOSUPPORT here (programs fall back to IPv4); Linux
     * has it */
    int fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
    T_ASSERT(fd6 >= 0 || errno == EAFNOSUPPORT);
    if (fd6 >= 0)
        close(fd6);
    T_ERRNO(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    T_ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    T_ERRNO(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
}

T_CASE(bind_ephemeral)
{
    int fd, port;
    T_SYSOK(fd = bound(&port));
    T_ASSERT(port >= 32768 && port <= 60999);
    struct sockaddr_in a = lo(0);
    T_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof a), EINVAL); /* twice */
    close(fd);
    /* unbound: getsockname says 0.0.0.0:0 */
    T_SYSOK(fd = udp());
    socklen_t l = sizeof a;
    T_SYSOK(getsockname(fd, (struct sockaddr *)&a, &l));
    T_EQ(l, sizeof a); T_EQ(a.sin_port, 0); T_EQ(a.sin_addr.s_addr, 0);
    T_ERRNO(getpeername(fd, (struct sockaddr *)&a, &l), ENOTCONN);
    close(fd);
}

T_CASE(bind_bad)
{
    int fd;
    T_SYSOK(fd = udp());
    struct sockaddr_in a = lo(0);
    T_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    a.sin_family = AF_UNIX;
    T_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    a = lo(0);
    T_ERRNO(bind(fd, (struct sockaddr *)(void *)8, sizeof a), EFAULT);
    T_ERRNO(bind(fd, (struct sockaddr *)&a, 200), EINVAL);
    a.sin_addr.s_addr = inet_addr("10.1.2.3");
    T_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof a), EADDRNOTAVAIL);
    /* AF_UNSPEC with INADDR_ANY is taken as AF_INET (Linux) */
    a = lo(0); a.sin_family = AF_UNSPEC; a.sin_addr.s_addr = 0;
    T_SYSOK(bind(fd, (struct sockaddr *)&a, sizeof a));
    close(fd);
}

T_CASE(addr_in_use)
{
    int a, b, port, one = 1;
    T_SYSOK(a = bound(&port));
    T_SYSOK(b = udp());
    struct sockaddr_in s = lo(port);
    T_ERRNO(bind(b, (struct sockaddr *)&s, sizeof s), EADDRINUSE);
    s.sin_addr.s_addr = htonl(INADDR_ANY); /* overlaps 127.0.0.1 */
    T_ERRNO(bind(b, (struct sockaddr *)&s, sizeof s), EADDRINUSE);
    /* SO_REUSEADDR on only one side is not enough */
    T_SYSOK(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    T_ERRNO(bind(b, (struct sockaddr *)&s, sizeof s), EADDRINUSE);
    close(a); close(b);
    /* both: they share it */
    T_SYSOK(a = udp()); T_SYSOK(b = udp());
    T_SYSOK(setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    T_SYSOK(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    s = lo(port);
    T_SYSOK(bind(a, (struct sockaddr *)&s, sizeof s));
    T_SYSOK(bind(b, (struct sockaddr *)&s, sizeof s));
    close(a); close(b);
    /* SO_REUSEPORT on both */
    T_SYSOK(a = udp()); T_SYSOK(b = udp());
    T_SYSOK(setsockopt(a, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
    T_SYSOK(setsockopt(b, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
    T_SYSOK(bind(a, (struct sockaddr *)&s, sizeof s));
    T_SYSOK(bind(b, (struct sockaddr *)&s, sizeof s));
    int v = 0; socklen_t l = sizeof v;
    T_SYSOK(getsockopt(a, SOL_SOCKET, SO_REUSEPORT, &v, &l)); T_EQ(v, 1);
    close(a); close(b);
    /* after close the port is free again */
    T_SYSOK(a = udp());
    T_SYSOK(bind(a, (struct sockaddr *)&s, sizeof s));
    close(a);
}

T_CASE(sendto_recvfrom)
{
    int a, b, pa, pb;
    T_SYSOK(a = bound(&pa));
    T_SYSOK(b = bound(&pb));
    struct sockaddr_in to = lo(pb), from;
    socklen_t fl = sizeof from;
    char buf[64];
    T_EQ(sendto(a, "hello", 5, 0, (struct sockaddr *)&to, sizeof to), 5);
    T_EQ(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 5);
    T_ASSERT(!memcmp(buf, "hello", 5));
    T_EQ(fl, sizeof from); T_EQ(from.sin_family, AF_INET);
    T_EQ(ntohs(from.sin_port), pa);
    T_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    /* empty datagram */
    T_EQ(sendto(a, "", 0, 0, (struct sockaddr *)&to, sizeof to), 0);
    T_EQ(recv(b, buf, sizeof buf, 0), 0);
    /* a short address buffer is cut, the full length reported */
    T_EQ(sendto(a, "x", 1, 0, (struct sockaddr *)&to, sizeof to), 1);
    fl = 4;
    memset(&from, 0, sizeof from);
    T_EQ(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 1);
    T_EQ(fl, sizeof from); T_EQ(from.sin_addr.s_addr, 0);
    /* unbound sender gets an ephemeral port */
    int c; T_SYSOK(c = udp());
    T_EQ(sendto(c, "y", 1, 0, (struct sockaddr *)&to, sizeof to), 1);
    fl = sizeof from;
    T_EQ(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 1);
    T_ASSERT(ntohs(from.sin_port) >= 32768);
    close(a); close(b); close(c);
}

T_CASE(send_bad)
{
    int a, pa;
    T_SYSOK(a = bound(&pa));
    struct sockaddr_in to = lo(pa);
    char buf[8] = { 0 };
    T_ERRNO(send(a, "x", 1, 0), EDESTADDRREQ);
    T_ERRNO(sendto(a, "x", 1, 0, (struct sockaddr *)&to, sizeof to - 1), EINVAL);
    to.sin_family = AF_UNIX;
    T_ERRNO(sendto(a, "x", 1, 0, (struct sockaddr *)&to, sizeof to), EAFNOSUPPORT);
    to = lo(0);
    T_ERRNO(sendto(a, "x", 1, 0, (struct sockaddr *)&to, sizeof to), EINVAL);
    to = lo(pa);
    T_ERRNO(sendto(a, (void *)8, 1, 0, (struct sockaddr *)&to, sizeof to), EFAULT);
    T_ERRNO(sendto(a, buf, 1, 0, (struct sockaddr *)(void *)8, sizeof to), EFAULT);
    T_ERRNO(recv(a, (void *)8, 1, MSG_DONTWAIT), EAGAIN); /* nothing queued */
    static char big[70000];
    T_ERRNO(sendto(a, big, sizeof big, 0, (struct sockaddr *)&to, sizeof to), EMSGSIZE);
    T_EQ(sendto(a, big, 65507, 0, (struct sockaddr *)&to, sizeof to), 65507);
    T_EQ(recv(a, big, sizeof big, 0), 65507);
    /* a huge iovec count */
    struct iovec iov[1] = { { buf, 1 } };
    struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof to,
                        .msg_iov = iov, .msg_iovlen = 5000 };
    T_ERRNO(sendmsg(a, &m, 0), EMSGSIZE);
    /* a bad iovec entry */
    struct iovec bad[2] = { { buf, 1 }, { (void *)8, 4 } };
    m.msg_iov = bad; m.msg_iovlen = 2;
    T_ERRNO(sendmsg(a, &m, 0), EFAULT);
    close(a);
}

T_CASE(peek_trunc_dontwait)
{
    int a, b, pa, pb;
    T_SYSOK(a = bound(&pa));
    T_SYSOK(b = bound(&pb));
    struct sockaddr_in to = lo(pb);
    char buf[64];
    T_ERRNO(recv(b, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    T_EQ(sendto(a, "abcdef", 6, 0, (struct sockaddr *)&to, sizeof to), 6);
    T_EQ(sendto(a, "XY", 2, 0, (struct sockaddr *)&to, sizeof to), 2);
    int n = -1;
    T_SYSOK(ioctl(b, FIONREAD, &n)); T_EQ(n, 6);
    T_EQ(recv(b, buf, sizeof buf, MSG_PEEK), 6);
    T_EQ(recv(b, buf, 3, MSG_PEEK | MSG_TRUNC), 6);
    /* recvmsg: MSG_TRUNC in msg_flags, the rest of the datagram gone */
    struct iovec iov = { buf, 4 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    T_EQ(recvmsg(b, &m, 0), 4);
    T_ASSERT(m.msg_flags & MSG_TRUNC);
    T_ASSERT(!memcmp(buf, "abcd", 4));
    T_EQ(recv(b, buf, sizeof buf, 0), 2);
    T_ASSERT(!memcmp(buf, "XY", 2));
    T_SYSOK(ioctl(b, FIONREAD, &n)); T_EQ(n, 0);
    close(a); close(b);
}

T_CASE(connect_and_refused)
{
    int a, b, pa, pb;
    T_SYSOK(a = bound(&pa));
    T_SYSOK(b = bound(&pb));
    struct sockaddr_in to = lo(pb), peer;
    socklen_t l = sizeof peer;
    char buf[16];
    T_SYSOK(connect(a, (struct sockaddr *)&to, sizeof to));
    T_SYSOK(getpeername(a, (struct sockaddr *)&peer, &l));
    T_EQ(ntohs(peer.sin_port), pb);
    T_EQ(send(a, "hi", 2, 0), 2);
    T_EQ(recv(b, buf, sizeof buf, 0), 2);
    /* a connected socket only hears from its peer */
    int c, pc;
    T_SYSOK(c = bound(&pc));
    struct sockaddr_in ta = lo(pa);
    T_EQ(sendto(c, "zz", 2, 0, (struct sockaddr *)&ta, sizeof ta), 2);
    T_EQ(sendto(b, "ok", 2, 0, (struct sockaddr *)&ta, sizeof ta), 2);
    T_EQ(recv(a, buf, sizeof buf, 0), 2);
    T_ASSERT(!memcmp(buf, "ok", 2));
    /* the peer goes away: ICMP port unreachable -> ECONNREFUSED */
    close(b);
    T_EQ(send(a, "x", 1, 0), 1);
    usleep(20000);
    T_ERRNO(recv(a, buf, sizeof buf, MSG_DONTWAIT), ECONNREFUSED);
    T_ERRNO(recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN); /* reported once */
    T_EQ(send(a, "x", 1, 0), 1);
    usleep(20000);
    int e = 0; l = sizeof e;
    T_SYSOK(getsockopt(a, SOL_SOCKET, SO_ERROR, &e, &l)); T_EQ(e, ECONNREFUSED);
    T_SYSOK(getsockopt(a, SOL_SOCKET, SO_ERROR, &e, &l)); T_EQ(e, 0);
    /* disconnect with AF_UNSPEC */
    struct sockaddr un = { .sa_family = AF_UNSPEC };
    T_SYSOK(connect(a, &un, sizeof un));
    l = sizeof peer;
    T_ERRNO(getpeername(a, (struct sockaddr *)&peer, &l), ENOTCONN);
    T_ERRNO(send(a, "x", 1, 0), EDESTADDRREQ);
    to.sin_family = AF_INET6;
    T_ERRNO(connect(a, (struct sockaddr *)&to, sizeof to), EAFNOSUPPORT);
    T_ERRNO(connect(a, (struct sockaddr *)&to, 3), EINVAL);
    close(a); close(c);
}

T_CASE(connect_autobinds)
{
    int a;
    T_SYSOK(a = udp());
    struct sockaddr_in to = lo(9), me;
    socklen_t l = sizeof me;
    T_SYSOK(connect(a, (struct sockaddr *)&to, sizeof to));
    T_SYSOK(getsockname(a, (struct sockaddr *)&me, &l));
    T_ASSERT(ntohs(me.sin_port) >= 32768);
    T_EQ(me.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    close(a);
}

T_CASE(broadcast)
{
    int a, b, pb, one = 1;
    T_SYSOK(b = udp());
    struct sockaddr_in any = lo(0);
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    T_SYSOK(bind(b, (struct sockaddr *)&any, sizeof any));
    socklen_t l = sizeof any;
    T_SYSOK(getsockname(b, (struct sockaddr *)&any, &l));
    pb = ntohs(any.sin_port);
    T_SYSOK(a = udp());
    struct sockaddr_in bc = lo(pb);
    bc.sin_addr.s_addr = inet_addr("127.255.255.255");
    T_ERRNO(sendto(a, "b", 1, 0, (struct sockaddr *)&bc, sizeof bc), EACCES);
    T_ERRNO(connect(a, (struct sockaddr *)&bc, sizeof bc), EACCES);
    T_SYSOK(setsockopt(a, SOL_SOCKET, SO_BROADCAST, &one, sizeof one));
    T_EQ(sendto(a, "b", 1, 0, (struct sockaddr *)&bc, sizeof bc), 1);
    char c;
    struct pollfd p = { b, POLLIN, 0 };
    T_EQ(poll(&p, 1, 2000), 1);
    T_EQ(recv(b, &c, 1, 0), 1); T_EQ(c, 'b');
    close(a); close(b);
}

T_CASE(rcvbuf_drops)
{
    int a, b, pb, small = 4096;
    T_SYSOK(a = udp());
    T_SYSOK(b = bound(&pb));
    T_SYSOK(setsockopt(b, SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
    struct sockaddr_in to = lo(pb);
    char buf[1000] = { 0 };
    for (int i = 0; i < 100; i++)
        T_EQ(sendto(a, buf, sizeof buf, 0, (struct sockaddr *)&to, sizeof to), 1000);
    int got = 0;
    while (recv(b, buf, sizeof buf, MSG_DONTWAIT) == 1000)
        got++;
    T_ASSERT(got >= 1 && got < 100);
    close(a); close(b);
}

T_CASE(poll_ready)
{
    int a, b, pb;
    T_SYSOK(a = udp());
    T_SYSOK(b = bound(&pb));
    struct pollfd p = { b, POLLIN | POLLOUT, 0 };
    T_EQ(poll(&p, 1, 0), 1); T_EQ(p.revents, POLLOUT);
    struct sockaddr_in to = lo(pb);
    T_EQ(sendto(a, "p", 1, 0, (struct sockaddr *)&to, sizeof to), 1);
    T_EQ(poll(&p, 1, 1000), 1); T_EQ(p.revents, POLLIN | POLLOUT);
    close(a); close(b);
}

T_CASE(ip_options)
{
    int a, b, pb, v = 0;
    socklen_t l = sizeof v;
    T_SYSOK(a = udp());
    T_SYSOK(getsockopt(a, IPPROTO_IP, IP_TTL, &v, &l)); T_EQ(v, 64);
    v = 7;
    T_SYSOK(setsockopt(a, IPPROTO_IP, IP_TTL, &v, sizeof v));
    T_SYSOK(getsockopt(a, IPPROTO_IP, IP_TTL, &v, &l)); T_EQ(v, 7);
    v = 0;
    T_ERRNO(setsockopt(a, IPPROTO_IP, IP_TTL, &v, sizeof v), EINVAL);
    v = 256;
    T_ERRNO(setsockopt(a, IPPROTO_IP, IP_TTL, &v, sizeof v), EINVAL);
    T_ERRNO(setsockopt(a, IPPROTO_IP, 9999, &v, sizeof v), ENOPROTOOPT);
    T_SYSOK(b = bound(&pb));
    int one = 1;
    T_SYSOK(setsockopt(b, IPPROTO_IP, IP_PKTINFO, &one, sizeof one));
    T_SYSOK(setsockopt(b, IPPROTO_IP, IP_RECVTTL, &one, sizeof one));
    struct sockaddr_in to = lo(pb);
    T_EQ(sendto(a, "t", 1, 0, (struct sockaddr *)&to, sizeof to), 1);
    char buf[8], cbuf[256];
    struct iovec iov = { buf, sizeof buf };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = cbuf, .msg_controllen = sizeof cbuf };
    T_EQ(recvmsg(b, &m, 0), 1);
    int seen_pi = 0, seen_ttl = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            T_EQ(pi.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
            T_EQ(pi.ipi_ifindex, 1);
            seen_pi = 1;
        }
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            int t; memcpy(&t, CMSG_DATA(c), sizeof t);
            T_EQ(t, 7);
            seen_ttl = 1;
        }
    }
    T_ASSERT(seen_pi && seen_ttl);
    close(a); close(b);
}

T_CASE(shutdown_dgram)
{
    int a, pa;
    T_SYSOK(a = bound(&pa));
    T_ERRNO(shutdown(a, SHUT_RD), ENOTCONN);
    char c;
    T_EQ(recv(a, &c, 1, 0), 0); /* shut down for reading: no wait */
    T_ERRNO(shutdown(a, 7), EINVAL);
    close(a);
}

T_CASE(route_ioctls)
{
    if (geteuid() != 0) {
        t_emit("PASS udp.route_ioctls (skipped: not root)");
        return;
    }
    int fd;
    T_SYSOK(fd = udp());
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst;
    struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
    struct sockaddr_in *mask = (struct sockaddr_in *)&rt.rt_genmask;
    dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
    dst->sin_addr.s_addr = inet_addr("10.99.0.0");
    mask->sin_addr.s_addr = inet_addr("255.255.0.0");
    gw->sin_addr.s_addr = inet_addr("127.0.0.2");
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    /* not reachable before */
    int u; T_SYSOK(u = udp());
    struct sockaddr_in far = lo(53);
    far.sin_addr.s_addr = inet_addr("10.99.1.1");
    T_ERRNO(connect(u, (struct sockaddr *)&far, sizeof far), ENETUNREACH);
    T_SYSOK(ioctl(fd, SIOCADDRT, &rt));
    T_ERRNO(ioctl(fd, SIOCADDRT, &rt), EEXIST);
    T_SYSOK(connect(u, (struct sockaddr *)&far, sizeof far));
    T_SYSOK(ioctl(fd, SIOCDELRT, &rt));
    T_ERRNO(ioctl(fd, SIOCDELRT, &rt), ESRCH);
    mask->sin_addr.s_addr = inet_addr("255.0.255.0"); /* not contiguous */
    T_ERRNO(ioctl(fd, SIOCADDRT, &rt), EINVAL);
    T_ERRNO(ioctl(fd, SIOCADDRT, (void *)8), EFAULT);
    /* not root: EPERM */
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534))
            _exit(3);
        mask->sin_addr.s_addr = inet_addr("255.255.0.0");
        _exit(ioctl(fd, SIOCADDRT, &rt) == -1 && errno == EPERM ? 0 : 1);
    }
    T_EXITED(pid, 0);
    close(fd); close(u);
}

T_CASE(ping_socket)
{
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) {
        t_emit("PASS udp.ping_socket (skipped: ping_group_range)");
        return;
    }
    T_SYSOK(fd);
    struct icmphdr h;
    memset(&h, 0, sizeof h);
    h.type = ICMP_ECHO;
    h.un.echo.sequence = htons(7);
    char pkt[sizeof h + 4];
    memcpy(pkt, &h, sizeof h);
    memcpy(pkt + sizeof h, "ping", 4);
    struct sockaddr_in to = lo(0), from;
    T_EQ(sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to), sizeof pkt);
    char buf[64];
    socklen_t l = sizeof from;
    struct pollfd p = { fd, POLLIN, 0 };
    T_EQ(poll(&p, 1, 2000), 1);
    T_EQ(recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &l), sizeof pkt);
    struct icmphdr r;
    memcpy(&r, buf, sizeof r);
    T_EQ(r.type, ICMP_ECHOREPLY);
    T_EQ(ntohs(r.un.echo.sequence), 7);
    T_ASSERT(!memcmp(buf + sizeof r, "ping", 4));
    T_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    /* only echo requests may be sent */
    pkt[0] = 13;
    T_ERRNO(sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to), EINVAL);
    close(fd);
}

static void on_alarm(int sig) { (void)sig; }

T_CASE(recv_eintr)
{
    int a, pa;
    T_SYSOK(a = bound(&pa));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    T_SYSOK(sigaction(SIGALRM, &sa, NULL));
    alarm(0);
    struct itimerval it = { { 0, 0 }, { 0, 100000 } };
    T_SYSOK(setitimer(ITIMER_REAL, &it, NULL));
    char c;
    T_ERRNO(recv(a, &c, 1, 0), EINTR);
    close(a);
}

T_CASE(rcvtimeo)
{
    int a, pa;
    T_SYSOK(a = bound(&pa));
    struct timeval tv = { 0, 50000 };
    T_SYSOK(setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    char c;
    T_ERRNO(recv(a, &c, 1, 0), EAGAIN);
    close(a);
}

int main(void)
{
    t_init("udp");
    T_RUN(socket_kinds);
    T_RUN(bind_ephemeral);
    T_RUN(bind_bad);
    T_RUN(addr_in_use);
    T_RUN(sendto_recvfrom);
    T_RUN(send_bad);
    T_RUN(peek_trunc_dontwait);
    T_RUN(connect_and_refused);
    T_RUN(connect_autobinds);
    T_RUN(broadcast);
    T_RUN(rcvbuf_drops);
    T_RUN(poll_ready);
    T_RUN(ip_options);
    T_RUN(shutdown_dgram);
    T_RUN(route_ioctls);
    T_RUN(ping_socket);
    T_RUN(recv_eintr);
    T_RUN(rcvtimeo);
    return t_done();
}
