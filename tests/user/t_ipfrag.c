/* t_ipfrag.c: IPv4 fragmentation and reassembly (issue 13). UDP
 * datagrams of every size up to the largest (65507 bytes) round-trip
 * intact over lo with its MTU cut to 1500 (so the kernel fragments them
 * and reassembles them), to 127.0.0.1 and to an interface's own address;
 * 65508 bytes and, under IP_PMTUDISC_DO, anything over the MTU are
 * EMSGSIZE; and hand-made fragments sent from an IPPROTO_RAW socket are
 * reassembled as Linux does: in any order, duplicates ignored,
 * overlapping ones dropping the datagram, an oversized one dropped, and
 * a flood of incomplete ones bounded by ipfrag_high_thresh (4 MiB): past
 * it fragments are dropped until the queues expire (ipfrag_time, 30 s),
 * while whole datagrams still pass. (ICMP time exceeded after a timeout
 * is not sent about fragments from this host, on Linux neither, so lo
 * cannot show it.) Needs root (CAP_NET_ADMIN for lo's MTU,
 * CAP_NET_RAW). Passes on Linux as root; the flood makes fragment
 * reassembly on the host's lo drop for up to 30 s. */
#include "t.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#define MAXDG 65507

static unsigned char sbuf[70000], rbuf[70000];

static struct sockaddr_in sin_of(uint32_t addr, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(addr);
    return a;
}

/* A UDP socket bound to addr on an ephemeral port (in *port). */
static int bound(uint32_t addr, int *port)
{
    struct sockaddr_in a = sin_of(addr, 0);
    socklen_t l = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(fd, (struct sockaddr *)&a, &l))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static int get_mtu(const char *dev)
{
    struct ifreq r;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), m = -1;
    memset(&r, 0, sizeof r);
    strcpy(r.ifr_name, dev);
    if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &r) == 0)
        m = r.ifr_mtu;
    close(fd);
    return m;
}

static int set_mtu(const char *dev, int mtu)
{
    struct ifreq r;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), e;
    memset(&r, 0, sizeof r);
    strcpy(r.ifr_name, dev);
    r.ifr_mtu = mtu;
    e = fd >= 0 ? ioctl(fd, SIOCSIFMTU, &r) : -1;
    close(fd);
    return e;
}

/* The first interface address that is not 127/8, host order; 0: none. */
static uint32_t own_addr(void)
{
    struct ifreq rs[16];
    struct ifconf c = { .ifc_len = sizeof rs, .ifc_req = rs };
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    uint32_t a = 0;
    if (fd >= 0 && ioctl(fd, SIOCGIFCONF, &c) == 0)
        for (int i = 0; i < c.ifc_len / (int)sizeof rs[0]; i++) {
            struct sockaddr_in *s = (struct sockaddr_in *)&rs[i].ifr_addr;
            uint32_t x = ntohl(s->sin_addr.s_addr);
            if (x >> 24 != 127) {
                a = x;
                break;
            }
        }
    close(fd);
    return a;
}

static void fill(size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        sbuf[i] = (unsigned char)(i * 7 + seed + (i >> 8));
}

/* Send n bytes from tx to addr:port and read them back on rx: 0 if they
 * arrive intact, else a short description in t_msg style. */
static const char *roundtrip(int tx, int rx, uint32_t addr, int port, size_t n)
{
    static char why[96];
    struct sockaddr_in d = sin_of(addr, port);
    fill(n, (unsigned)n);
    if (sendto(tx, sbuf, n, 0, (struct sockaddr *)&d, sizeof d) != (ssize_t)n) {
        snprintf(why, sizeof why, "send %zu: %s", n, strerror(errno));
        return why;
    }
    ssize_t r = recv(rx, rbuf, sizeof rbuf, 0);
    if (r != (ssize_t)n || memcmp(sbuf, rbuf, n)) {
        snprintf(why, sizeof why, "recv %zu: got %zd (%s)", n, r,
                 r < 0 ? strerror(errno) : "bytes differ");
        return why;
    }
    return NULL;
}

static const size_t sizes[] = { 1472, 1473, 1480, 1481, 2952, 2953, 4000,
                                8192, 16385, 32768, 50000, 65000, 65506,
                                MAXDG };

/* Every size to addr, both as given and with lo's MTU cut to 1500. */
static const char *sizes_to(uint32_t addr)
{
    int port, rx = bound(INADDR_ANY, &port), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct timeval tv = { .tv_sec = 20 };
    const char *why = NULL;
    if (rx < 0 || tx < 0)
        return "socket";
    setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && !why; i++)
        why = roundtrip(tx, rx, addr, port, sizes[i]);
    close(rx);
    close(tx);
    return why;
}

/* lo's MTU as set by the caller, restored afterwards whatever happens. */
static int saved_mtu;

static const char *with_lo_mtu(int mtu, const char *(*fn)(uint32_t), uint32_t addr)
{
    const char *why;
    saved_mtu = get_mtu("lo");
    if (saved_mtu < 0 || set_mtu("lo", mtu))
        return "SIOCSIFMTU lo";
    why = fn(addr);
    set_mtu("lo", saved_mtu);
    return why;
}

T_CASE(udp_sizes_lo)
{
    const char *why = sizes_to(INADDR_LOOPBACK);
    if (why)
        T_FAIL("lo mtu as is: %s", why);
    why = with_lo_mtu(1500, sizes_to, INADDR_LOOPBACK);
    if (why)
        T_FAIL("lo mtu 1500: %s", why);
    T_EQ(get_mtu("lo"), saved_mtu);
}

T_CASE(udp_sizes_own_addr)
{
    uint32_t a = own_addr();
    if (!a)
        return; /* only lo here: covered by udp_sizes_lo */
    const char *why = with_lo_mtu(1500, sizes_to, a);
    if (why)
        T_FAIL("own address, lo mtu 1500: %s", why);
}

static const char *emsgsize(uint32_t addr)
{
    static char why[64];
    int port, rx = bound(INADDR_ANY, &port), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in d = sin_of(addr, port);
    int v = IP_PMTUDISC_DO;
    const char *r = NULL;
    ssize_t n;

    if ((n = sendto(tx, sbuf, MAXDG + 1, 0, (struct sockaddr *)&d, sizeof d)) != -1 ||
        errno != EMSGSIZE)
        r = "65508 not EMSGSIZE";
    else if (setsockopt(tx, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof v))
        r = "IP_MTU_DISCOVER";
    else if ((n = sendto(tx, sbuf, 1473, 0, (struct sockaddr *)&d, sizeof d)) != -1 ||
             errno != EMSGSIZE)
        r = "DO: 1473 not EMSGSIZE";
    else if ((n = sendto(tx, sbuf, 1472, 0, (struct sockaddr *)&d, sizeof d)) != 1472 ||
             recv(rx, rbuf, sizeof rbuf, 0) != 1472)
        r = "DO: 1472 did not pass";
    if (r) {
        snprintf(why, sizeof why, "%s (%zd, %s)", r, n, strerror(errno));
        r = why;
    }
    close(tx);
    close(rx);
    return r;
}

T_CASE(emsgsize)
{
    int fd, v = -1;
    socklen_t l = sizeof v;
    T_SYSOK(fd = socket(AF_INET, SOCK_DGRAM, 0));
    T_SYSOK(getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, &l));
    T_EQ(v, IP_PMTUDISC_WANT);
    v = 6;
    T_ERRNO(setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof v), EINVAL);
    close(fd);
    const char *why = with_lo_mtu(1500, emsgsize, INADDR_LOOPBACK);
    if (why)
        T_FAIL("%s", why);
}

/* ---- hand-made fragments --------------------------------------------- */

static int raw_fd = -1;
static uint16_t next_id = 0x4100;

/* Send bytes [off, off + n) of the UDP datagram dg as one fragment of
 * datagram id (more: MF set) from and to 127.0.0.1. */
static int frag(uint16_t id, const unsigned char *dg, unsigned off,
                unsigned n, int more)
{
    unsigned char p[1600];
    struct sockaddr_in d = sin_of(INADDR_LOOPBACK, 0);
    uint16_t fo = (uint16_t)((off / 8) | (more ? 0x2000 : 0));
    if (n > sizeof p - 20)
        return -1;
    memset(p, 0, 20);
    p[0] = 0x45;
    p[2] = (uint8_t)((20 + n) >> 8);
    p[3] = (uint8_t)(20 + n);
    p[4] = (uint8_t)(id >> 8);
    p[5] = (uint8_t)id;
    p[6] = (uint8_t)(fo >> 8);
    p[7] = (uint8_t)fo;
    p[8] = 64;
    p[9] = IPPROTO_UDP;
    uint32_t a = htonl(INADDR_LOOPBACK);
    memcpy(p + 12, &a, 4);
    memcpy(p + 16, &a, 4);
    memcpy(p + 20, dg + off, n);
    return sendto(raw_fd, p, 20 + n, 0, (struct sockaddr *)&d, sizeof d) ==
                   (ssize_t)(20 + n) ? 0 : -1;
}

/* A UDP datagram to port with len payload bytes (checksum 0: none). */
static unsigned char dgram[70000];
static unsigned make_dgram(int port, unsigned len, unsigned seed)
{
    unsigned ulen = 8 + len;
    dgram[0] = 0x30; dgram[1] = 0x39; /* source port 12345 */
    dgram[2] = (uint8_t)(port >> 8); dgram[3] = (uint8_t)port;
    dgram[4] = (uint8_t)(ulen >> 8); dgram[5] = (uint8_t)ulen;
    dgram[6] = dgram[7] = 0;
    for (unsigned i = 0; i < len; i++)
        dgram[8 + i] = (unsigned char)(seed + i * 13);
    return ulen;
}

/* Receive one datagram on fd: its length, and whether it is the payload
 * make_dgram(.., len, seed) built. */
static int got(int fd, unsigned len, unsigned seed)
{
    ssize_t r = recv(fd, rbuf, sizeof rbuf, 0);
    if (r != (ssize_t)len)
        return 0;
    for (unsigned i = 0; i < len; i++)
        if (rbuf[i] != (unsigned char)(seed + i * 13))
            return 0;
    return 1;
}

/* A whole (unfragmented) datagram with payload seed, then the next
 * datagram read on fd must be it: whatever was sent before and not
 * delivered really was dropped (lo delivers in order). */
static int only_sentinel(int fd, int port, unsigned seed)
{
    unsigned n = make_dgram(port, 4, seed);
    if (frag(next_id++, dgram, 0, n, 0))
        return 0;
    return got(fd, 4, seed);
}

static int raw_setup(int *rx, int *port)
{
    struct timeval tv = { .tv_sec = 20 };
    if (raw_fd < 0)
        raw_fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    *rx = bound(INADDR_LOOPBACK, port);
    if (raw_fd < 0 || *rx < 0)
        return -1;
    setsockopt(*rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return 0;
}

T_CASE(raw_in_order)
{
    int rx, port;
    T_SYSOK(raw_setup(&rx, &port));
    unsigned n = make_dgram(port, 40, 1); /* 48 bytes: 16 + 16 + 16 */
    uint16_t id = next_id++;
    T_SYSOK(frag(id, dgram, 0, 16, 1));
    T_SYSOK(frag(id, dgram, 16, 16, 1));
    T_SYSOK(frag(id, dgram, 32, n - 32, 0));
    T_ASSERT(got(rx, 40, 1));
    close(rx);
}

T_CASE(raw_out_of_order)
{
    int rx, port;
    T_SYSOK(raw_setup(&rx, &port));
    unsigned n = make_dgram(port, 40, 2);
    uint16_t id = next_id++;
    T_SYSOK(frag(id, dgram, 32, n - 32, 0)); /* last first */
    T_SYSOK(frag(id, dgram, 0, 16, 1));
    T_SYSOK(frag(id, dgram, 16, 16, 1));
    T_ASSERT(got(rx, 40, 2));
    n = make_dgram(port, 40, 3);
    id = next_id++;
    T_SYSOK(frag(id, dgram, 16, 16, 1)); /* middle, last, first */
    T_SYSOK(frag(id, dgram, 32, n - 32, 0));
    T_SYSOK(frag(id, dgram, 0, 16, 1));
    T_ASSERT(got(rx, 40, 3));
    close(rx);
}

T_CASE(raw_duplicates)
{
    int rx, port;
    T_SYSOK(raw_setup(&rx, &port));
    unsigned n = make_dgram(port, 40, 4);
    uint16_t id = next_id++;
    T_SYSOK(frag(id, dgram, 0, 16, 1));
    T_SYSOK(frag(id, dgram, 0, 16, 1));  /* exact duplicate */
    T_SYSOK(frag(id, dgram, 16, 16, 1));
    T_SYSOK(frag(id, dgram, 8, 16, 1));  /* inside what is held */
    T_SYSOK(frag(id, dgram, 32, n - 32, 0));
    T_ASSERT(got(rx, 40, 4));
    /* a duplicate of a finished datagram starts a new queue that never
     * completes: nothing more is delivered */
    T_SYSOK(frag(id, dgram, 16, 16, 1));
    T_ASSERT(only_sentinel(rx, port, 5));
    close(rx);
}

T_CASE(raw_overlap_drops)
{
    int rx, port;
    T_SYSOK(raw_setup(&rx, &port));
    unsigned n = make_dgram(port, 40, 6);
    uint16_t id = next_id++;
    /* [0,24) then [16,32): a partial overlap */
    T_SYSOK(frag(id, dgram, 0, 24, 1));
    T_SYSOK(frag(id, dgram, 16, 16, 1));
    T_SYSOK(frag(id, dgram, 32, n - 32, 0));
    T_ASSERT(only_sentinel(rx, port, 7));
    /* a fragment covering one already held and more */
    id = next_id++;
    T_SYSOK(frag(id, dgram, 8, 8, 1));
    T_SYSOK(frag(id, dgram, 0, 24, 1));
    T_SYSOK(frag(id, dgram, 24, n - 24, 0));
    T_ASSERT(only_sentinel(rx, port, 8));
    /* two last fragments that disagree on the end */
    id = next_id++;
    T_SYSOK(frag(id, dgram, 32, n - 32, 0));
    T_SYSOK(frag(id, dgram, 32, n - 40, 0));
    T_SYSOK(frag(id, dgram, 0, 32, 1));
    T_ASSERT(only_sentinel(rx, port, 9));
    close(rx);
}

T_CASE(raw_oversize)
{
    int rx, port;
    T_SYSOK(raw_setup(&rx, &port));
    /* 65520 payload bytes + 20 of header: one more than an IP packet
     * holds. Every piece arrives; the datagram is still dropped. */
    make_dgram(port, 0, 10);
    for (unsigned i = 8; i < 65520; i++)
        dgram[i] = (unsigned char)i;
    uint16_t id = next_id++;
    for (unsigned off = 0; off < 65520; off += 1480) {
        unsigned n = 65520 - off < 1480 ? 65520 - off : 1480;
        T_SYSOK(frag(id, dgram, off, n, off + n < 65520));
    }
    T_ASSERT(only_sentinel(rx, port, 11));
    close(rx);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* 4 MiB of fragments that never complete: then fragments are dropped
 * (a fragmented datagram does not arrive) but whole datagrams pass, and
 * once the queues expire fragments are reassembled again. */
T_CASE(raw_flood_bounded)
{
    int rx, port;
    alarm(0);
    T_SYSOK(raw_setup(&rx, &port));
    make_dgram(port, 1400, 13);
    for (int i = 0; i < 5000; i++) /* second fragments only: no ICMP */
        T_SYSOK(frag(next_id++, dgram, 8, 1400, 1));
    unsigned n = make_dgram(port, 40, 14);
    uint16_t id = next_id++;
    T_SYSOK(frag(id, dgram, 0, 24, 1));
    T_SYSOK(frag(id, dgram, 24, n - 24, 0));
    T_ASSERT(only_sentinel(rx, port, 15));
    double t0 = now_s();
    int ok = 0;
    while (!ok && now_s() - t0 < 120) {
        struct pollfd p = { .fd = rx, .events = POLLIN };
        n = make_dgram(port, 40, 16);
        id = next_id++;
        T_SYSOK(frag(id, dgram, 0, 24, 1));
        T_SYSOK(frag(id, dgram, 24, n - 24, 0));
        if (poll(&p, 1, 2000) > 0)
            ok = got(rx, 40, 16);
    }
    T_ASSERT(ok);
    close(rx);
}

int main(void)
{
    t_init("t_ipfrag");
    T_RUN(udp_sizes_lo);
    T_RUN(udp_sizes_own_addr);
    T_RUN(emsgsize);
    T_RUN(raw_in_order);
    T_RUN(raw_out_of_order);
    T_RUN(raw_duplicates);
    T_RUN(raw_overlap_drops);
    T_RUN(raw_oversize);
    T_RUN(raw_flood_bounded);
    return t_done();
}
