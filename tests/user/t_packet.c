/* t_packet.c: network interfaces and AF_PACKET sockets: the interface
 * ioctls (SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFHWADDR,
 * SIOCGIFMTU, SIOCGIFCONF, setting the address and mask), their errors
 * (ENODEV, EFAULT, EPERM for a non-root caller), packet sockets (bind
 * and send checks, getsockname, a classic BPF filter) and a real ARP
 * exchange with the gateway: a request for it, sent on a SOCK_RAW
 * socket, and its reply, received on a SOCK_RAW socket and on a
 * SOCK_DGRAM one whose BPF filter passes only ARP replies. With two
 * NICs on one hub (our kernel only), an IPv4 first fragment injected
 * from eth1 that never completes gets ICMP time exceeded after 30 s.
 *
 * The interface is chosen at run time: the first Ethernet interface
 * that is up (eth0 in our guest with -device virtio-net-pci, whatever
 * the host has). Without one (a guest with no NIC) the cases that need
 * it say so on a "#" line and pass. Address changes are made only on
 * our kernel's eth0 (never on a host's interface). The gateway is the
 * default route's (/proc/net/route); in our guest, where routes do not
 * exist yet, QEMU's slirp gateway 10.0.2.2 and our address 10.0.2.15.
 * Every expectation was checked on Linux (as root). */
#include "t.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#ifndef SO_ATTACH_FILTER
#define SO_ATTACH_FILTER 26
#define SO_DETACH_FILTER 27
#endif
#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif

/* linux/netlink.h and linux/rtnetlink.h (musl has neither). */
#define NETLINK_ROUTE 0
struct sockaddr_nl { unsigned short nl_family, nl_pad; uint32_t nl_pid, nl_groups; };
struct nlmsghdr { uint32_t nlmsg_len; uint16_t nlmsg_type, nlmsg_flags; uint32_t nlmsg_seq, nlmsg_pid; };
struct nlmsgerr { int error; struct nlmsghdr msg; };
struct rtgenmsg { unsigned char rtgen_family; };
struct ifinfomsg { unsigned char ifi_family, pad; unsigned short ifi_type; int ifi_index; unsigned ifi_flags, ifi_change; };
struct ifaddrmsg { uint8_t ifa_family, ifa_prefixlen, ifa_flags, ifa_scope; uint32_t ifa_index; };
struct rtattr { unsigned short rta_len, rta_type; };
#define NLM_F_REQUEST 1
#define NLM_F_MULTI 2
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLMSG_ALIGN(len) (((len) + 3U) & ~3U)
#define NLMSG_HDRLEN ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_DATA(nlh) ((void *)(((char *)nlh) + NLMSG_HDRLEN))
#define NLMSG_NEXT(nlh, len) ((len) -= NLMSG_ALIGN((nlh)->nlmsg_len), \
    (struct nlmsghdr *)(((char *)(nlh)) + NLMSG_ALIGN((nlh)->nlmsg_len)))
#define NLMSG_OK(nlh, len) ((len) >= (int)sizeof(struct nlmsghdr) && \
    (nlh)->nlmsg_len >= sizeof(struct nlmsghdr) && (nlh)->nlmsg_len <= (len))
#define RTA_ALIGN(len) (((len) + 3U) & ~3U)
#define RTA_OK(rta, len) ((len) >= (int)sizeof(struct rtattr) && \
    (rta)->rta_len >= sizeof(struct rtattr) && (rta)->rta_len <= (len))
#define RTA_NEXT(rta, attrlen) ((attrlen) -= RTA_ALIGN((rta)->rta_len), \
    (struct rtattr *)(((char *)(rta)) + RTA_ALIGN((rta)->rta_len)))
#define RTA_DATA(rta) ((void *)(((char *)(rta)) + RTA_ALIGN(sizeof(struct rtattr))))
#define IFLA_RTA(r) ((struct rtattr *)(((char *)(r)) + NLMSG_ALIGN(sizeof(struct ifinfomsg))))
#define IFLA_PAYLOAD(n) ((int)((n)->nlmsg_len - NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(struct ifinfomsg))))
#define IFA_RTA(r) ((struct rtattr *)(((char *)(r)) + NLMSG_ALIGN(sizeof(struct ifaddrmsg))))
#define IFA_PAYLOAD(n) ((int)((n)->nlmsg_len - NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(struct ifaddrmsg))))
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_GETNEIGH 30
#define IFLA_ADDRESS 1
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFA_LOCAL 2
struct rtmsg { uint8_t rtm_family, rtm_dst_len, rtm_src_len, rtm_tos, rtm_table,
               rtm_protocol, rtm_scope, rtm_type; unsigned rtm_flags; };
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define RTM_GETROUTE 26
#define NLM_F_ACK 4
#define NLM_F_REPLACE 0x100
#define NLM_F_EXCL 0x200
#define NLM_F_CREATE 0x400
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RTPROT_STATIC 4
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_NOWHERE 255
#define RTN_UNICAST 1
#define RTN_LOCAL 2
#define RTN_BLACKHOLE 6

struct t_sock_filter {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};
struct t_sock_fprog {
    unsigned short len;
    struct t_sock_filter *filter;
};

static char ifname[IF_NAMESIZE];
static const char eth0_name[] = "eth0";
static int ifindex;
static unsigned char mac[6];
static int ours;          /* running on our kernel (not the host) */
static uint32_t gw, me;   /* gateway and our address, network order */

static int ctl(void)
{
    return socket(AF_PACKET, SOCK_DGRAM, 0);
}

static int get_ifr(int fd, unsigned long cmd, const char *name, struct ifreq *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->ifr_name, sizeof r->ifr_name, "%s", name);
    return ioctl(fd, cmd, r);
}

/* The first Ethernet interface that is up. */
static void find_iface(void)
{
    int fd = ctl();
    FILE *f;
    char line[256];

    if (fd < 0)
        return;
    for (int i = 1; i < 64 && !ifindex; i++) {
        struct ifreq r;

        memset(&r, 0, sizeof r);
        r.ifr_ifindex = i;
        if (ioctl(fd, SIOCGIFNAME, &r) < 0)
            continue;
        char name[IF_NAMESIZE];
        snprintf(name, sizeof name, "%s", r.ifr_name);
        if (get_ifr(fd, SIOCGIFHWADDR, name, &r) < 0 ||
            r.ifr_hwaddr.sa_family != ARPHRD_ETHER)
            continue;
        memcpy(mac, r.ifr_hwaddr.sa_data, 6);
        if (get_ifr(fd, SIOCGIFFLAGS, name, &r) < 0)
            continue;
        /* Our eth0 may still be down: the test brings it up. */
        if (!(r.ifr_flags & IFF_UP) && !(ours && !strcmp(name, "eth0")))
            continue;
        snprintf(ifname, sizeof ifname, "%s", name);
        ifindex = i;
    }
    if (ifindex && !ours && get_ifr(fd, SIOCGIFADDR, ifname, &(struct ifreq){0}) == 0) {
        struct ifreq r;
        get_ifr(fd, SIOCGIFADDR, ifname, &r);
        me = ((struct sockaddr_in *)&r.ifr_addr)->sin_addr.s_addr;
    }
    close(fd);
    if (ours) {
        gw = inet_addr("10.0.2.2");
        me = inet_addr("10.0.2.15");
        return;
    }
    f = fopen("/proc/net/route", "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char dev[32];
        unsigned dst, g;

        if (sscanf(line, "%31s %x %x", dev, &dst, &g) == 3 && dst == 0 &&
            !strcmp(dev, ifname))
            gw = g;
    }
    fclose(f);
}

static int skip(const char *why)
{
    t_emit("# %s.%s: skipped: %s", t_prog, t_case_name, why);
    return 1;
}

T_CASE(ifindex_name_flags)
{
    struct ifreq r;
    int fd;

    if (!ifindex && skip("no Ethernet interface"))
        return;
    T_SYSOK(fd = ctl());
    T_SYSOK(get_ifr(fd, SIOCGIFINDEX, ifname, &r));
    T_EQ(r.ifr_ifindex, ifindex);
    memset(&r, 0, sizeof r);
    r.ifr_ifindex = ifindex;
    T_SYSOK(ioctl(fd, SIOCGIFNAME, &r));
    T_STREQ(r.ifr_name, ifname);
    T_SYSOK(get_ifr(fd, SIOCGIFFLAGS, ifname, &r));
    T_EQ(r.ifr_flags & (IFF_BROADCAST | IFF_MULTICAST | IFF_LOOPBACK),
         IFF_BROADCAST | IFF_MULTICAST);
    T_SYSOK(get_ifr(fd, SIOCGIFHWADDR, ifname, &r));
    T_EQ(r.ifr_hwaddr.sa_family, ARPHRD_ETHER);
    if (ours) {
        static const unsigned char qemu[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
        T_EQ(memcmp(r.ifr_hwaddr.sa_data, qemu, 6), 0);
    }
    T_SYSOK(get_ifr(fd, SIOCGIFMTU, ifname, &r));
    T_ASSERT(r.ifr_mtu >= 68 && r.ifr_mtu <= 65536);
    if (ours)
        T_EQ(r.ifr_mtu, 1500);
    T_SYSOK(get_ifr(fd, SIOCGIFMETRIC, ifname, &r));
    T_EQ(r.ifr_metric, 0);
    T_SYSOK(get_ifr(fd, SIOCGIFTXQLEN, ifname, &r));
    T_ASSERT(r.ifr_qlen >= 0);
    if (ours)
        T_EQ(r.ifr_qlen, 1000);
    T_SYSOK(get_ifr(fd, SIOCGIFMAP, ifname, &r));
    if (ours)
        T_EQ(r.ifr_map.irq | r.ifr_map.base_addr | r.ifr_map.mem_start, 0);
    close(fd);
}

/* The loopback device's flags, where there is one (ours has none until
 * the IPv4 side brings lo). */
T_CASE(unix_socket_ioctls)
{
    struct ifreq r;
    int fd;

    if (!ifindex && skip("no Ethernet interface"))
        return;
    /* dev_ioctl answers on any socket; the address ones need an inet
     * or packet socket. */
    T_SYSOK(fd = socket(AF_UNIX, SOCK_DGRAM, 0));
    T_SYSOK(get_ifr(fd, SIOCGIFINDEX, ifname, &r));
    T_EQ(r.ifr_ifindex, ifindex);
    T_SYSOK(get_ifr(fd, SIOCGIFFLAGS, ifname, &r));
    T_ERRNO(get_ifr(fd, SIOCGIFADDR, ifname, &r), ENOTTY);
    close(fd);
}

T_CASE(ioctl_errors)
{
    struct ifreq r;
    int fd;

    T_SYSOK(fd = ctl());
    T_ERRNO(get_ifr(fd, SIOCGIFFLAGS, "nosuchif0", &r), ENODEV);
    T_ERRNO(get_ifr(fd, SIOCGIFINDEX, "nosuchif0", &r), ENODEV);
    T_ERRNO(get_ifr(fd, SIOCGIFADDR, "nosuchif0", &r), ENODEV);
    memset(&r, 0, sizeof r);
    r.ifr_ifindex = 12345;
    T_ERRNO(ioctl(fd, SIOCGIFNAME, &r), ENODEV);
    if (getuid() == 0) { /* the family is checked before the device */
        get_ifr(fd, 0, "nosuchif0", &r);
        r.ifr_addr.sa_family = AF_UNIX;
        T_ERRNO(ioctl(fd, SIOCSIFADDR, &r), EINVAL);
        r.ifr_addr.sa_family = AF_INET;
        T_ERRNO(ioctl(fd, SIOCSIFADDR, &r), ENODEV);
    }
    T_ERRNO(ioctl(fd, SIOCGIFFLAGS, (void *)8), EFAULT);
    T_ERRNO(ioctl(fd, SIOCGIFCONF, (void *)8), EFAULT);
    close(fd);
}

T_CASE(ifconf)
{
    struct ifreq reqs[16];
    struct ifconf c;
    int fd, need;

    T_SYSOK(fd = ctl());
    memset(&c, 0, sizeof c);
    T_SYSOK(ioctl(fd, SIOCGIFCONF, &c)); /* NULL buffer: the size */
    need = c.ifc_len;
    T_EQ(need % (int)sizeof(struct ifreq), 0);
    c.ifc_len = sizeof reqs;
    c.ifc_req = reqs;
    T_SYSOK(ioctl(fd, SIOCGIFCONF, &c));
    T_EQ(c.ifc_len, need < (int)sizeof reqs ? need : (int)sizeof reqs);
    for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++)
        T_EQ(reqs[i].ifr_addr.sa_family, AF_INET);
    /* Room for none: nothing written, length 0. */
    c.ifc_len = sizeof(struct ifreq) - 1;
    T_SYSOK(ioctl(fd, SIOCGIFCONF, &c));
    T_EQ(c.ifc_len, 0);
    close(fd);
}

static void set_sin(struct ifreq *r, const char *a)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)&r->ifr_addr;

    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = inet_addr(a);
}

static uint32_t sin_of(struct ifreq *r)
{
    return ((struct sockaddr_in *)&r->ifr_addr)->sin_addr.s_addr;
}

/* Only on our eth0: a host's interface is not ours to renumber (on a
 * host, T_PACKET_SETIF=<a spare interface> checks the expectations). */
T_CASE(set_address)
{
    const char *spare = getenv("T_PACKET_SETIF");
    const char *ifname = spare ? spare : ours ? eth0_name : NULL;
    struct ifreq r;
    int fd;

    if ((!ifname || !ifindex) && skip("only on our kernel's eth0"))
        return;
    T_SYSOK(fd = ctl());
    get_ifr(fd, SIOCGIFFLAGS, ifname, &r);
    r.ifr_flags |= IFF_UP;
    T_SYSOK(ioctl(fd, SIOCSIFFLAGS, &r));
    T_SYSOK(get_ifr(fd, SIOCGIFFLAGS, ifname, &r));
    T_EQ(r.ifr_flags & (IFF_UP | IFF_RUNNING), IFF_UP | IFF_RUNNING);
    r.ifr_flags |= IFF_PROMISC;
    T_SYSOK(ioctl(fd, SIOCSIFFLAGS, &r));
    T_SYSOK(get_ifr(fd, SIOCGIFFLAGS, ifname, &r));
    T_EQ(r.ifr_flags & IFF_PROMISC, IFF_PROMISC);
    r.ifr_flags &= ~IFF_PROMISC;
    T_SYSOK(ioctl(fd, SIOCSIFFLAGS, &r));
    T_SYSOK(get_ifr(fd, SIOCGIFFLAGS, ifname, &r));
    T_EQ(r.ifr_flags & IFF_PROMISC, 0);
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "10.0.2.15");
    T_SYSOK(ioctl(fd, SIOCSIFADDR, &r));
    T_SYSOK(get_ifr(fd, SIOCGIFADDR, ifname, &r));
    T_EQ(sin_of(&r), inet_addr("10.0.2.15"));
    T_SYSOK(get_ifr(fd, SIOCGIFNETMASK, ifname, &r));
    T_EQ(sin_of(&r), inet_addr("255.0.0.0")); /* classful, as Linux */
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "255.255.255.0");
    T_SYSOK(ioctl(fd, SIOCSIFNETMASK, &r));
    T_SYSOK(get_ifr(fd, SIOCGIFNETMASK, ifname, &r));
    T_EQ(sin_of(&r), inet_addr("255.255.255.0"));
    T_SYSOK(get_ifr(fd, SIOCGIFBRDADDR, ifname, &r));
    T_EQ(sin_of(&r), inet_addr("10.0.2.255"));
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "255.0.255.0"); /* not contiguous */
    T_ERRNO(ioctl(fd, SIOCSIFNETMASK, &r), EINVAL);
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "10.0.2.15");
    r.ifr_addr.sa_family = AF_UNIX;
    T_ERRNO(ioctl(fd, SIOCSIFADDR, &r), EINVAL);
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "224.0.0.1"); /* multicast */
    T_ERRNO(ioctl(fd, SIOCSIFADDR, &r), EINVAL);
    if (ours) { /* virtio-net's range: 68 (ETH_MIN_MTU) and up */
        get_ifr(fd, 0, ifname, &r);
        r.ifr_mtu = 20;
        T_ERRNO(ioctl(fd, SIOCSIFMTU, &r), EINVAL);
        T_SYSOK(get_ifr(fd, SIOCGIFMTU, ifname, &r));
        T_EQ(r.ifr_mtu, 1500);
    }
    /* A hand-set broadcast address stays when the mask changes. */
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "10.0.2.127");
    T_SYSOK(ioctl(fd, SIOCSIFBRDADDR, &r));
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "255.255.0.0");
    T_SYSOK(ioctl(fd, SIOCSIFNETMASK, &r));
    T_SYSOK(get_ifr(fd, SIOCGIFBRDADDR, ifname, &r));
    T_EQ(sin_of(&r), inet_addr("10.0.2.127"));
    /* Back to the /24 slirp gives (udhcpc sets it again anyway). */
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "255.255.255.0");
    T_SYSOK(ioctl(fd, SIOCSIFNETMASK, &r));
    get_ifr(fd, 0, ifname, &r);
    set_sin(&r, "10.0.2.255");
    T_SYSOK(ioctl(fd, SIOCSIFBRDADDR, &r));
    close(fd);
}

/* A non-root child: EPERM for every change and for packet sockets. */
T_CASE(eperm)
{
    pid_t p;

    if (getuid() != 0 && skip("not root"))
        return;
    if (!ifindex && skip("no Ethernet interface"))
        return;
    T_SYSOK(p = t_fork());
    if (p == 0) {
        struct ifreq r;
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

        if (setuid(65534) != 0)
            _exit(10);
        if (socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) != -1 || errno != EPERM)
            _exit(11);
        if (get_ifr(fd, SIOCGIFFLAGS, ifname, &r) != 0)
            _exit(12);
        if (ioctl(fd, SIOCSIFFLAGS, &r) != -1 || errno != EPERM)
            _exit(13);
        r.ifr_mtu = 1500;
        if (ioctl(fd, SIOCSIFMTU, &r) != -1 || errno != EPERM)
            _exit(14);
        _exit(0);
    }
    T_EXITED(p, 0);
}

static void sll_to(struct sockaddr_ll *a, int idx, uint16_t proto)
{
    memset(a, 0, sizeof *a);
    a->sll_family = AF_PACKET;
    a->sll_protocol = htons(proto);
    a->sll_ifindex = idx;
    a->sll_halen = 6;
    memset(a->sll_addr, 0xff, 6);
}

T_CASE(packet_bad_input)
{
    struct sockaddr_ll a;
    socklen_t len = sizeof a;
    char frame[64] = { 0 };
    int fd;

    T_ERRNO(socket(AF_PACKET, SOCK_STREAM, 0), ESOCKTNOSUPPORT);
    T_SYSOK(fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP)));
    sll_to(&a, ifindex ? ifindex : 1, ETH_P_ARP);
    T_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    a.sll_family = AF_UNIX;
    T_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof a), EINVAL);
    sll_to(&a, 9999, ETH_P_ARP);
    T_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof a), ENODEV);
    T_ERRNO(sendto(fd, frame, sizeof frame, 0, (struct sockaddr *)&a, sizeof a), ENXIO);
    T_ERRNO(sendto(fd, frame, sizeof frame, 0, (struct sockaddr *)&a, 8), EINVAL);
    /* Not bound and no address: no device. */
    T_ERRNO(send(fd, frame, sizeof frame, 0), ENXIO);
    T_ERRNO(bind(fd, (struct sockaddr *)8, sizeof a), EFAULT);
    T_SYSOK(getsockname(fd, (struct sockaddr *)&a, &len));
    T_EQ(a.sll_family, AF_PACKET);
    T_EQ(a.sll_protocol, htons(ETH_P_ARP));
    T_EQ(a.sll_ifindex, 0);
    if (ifindex) {
        sll_to(&a, ifindex, ETH_P_ARP);
        T_SYSOK(bind(fd, (struct sockaddr *)&a, sizeof a));
        len = sizeof a;
        memset(&a, 0, sizeof a);
        T_SYSOK(getsockname(fd, (struct sockaddr *)&a, &len));
        T_EQ(len, 18); /* offsetof(sll_addr) + halen, as Linux */
        T_EQ(a.sll_ifindex, ifindex);
        T_EQ(a.sll_hatype, ARPHRD_ETHER);
        T_EQ(a.sll_halen, 6);
        T_EQ(memcmp(a.sll_addr, mac, 6), 0);
        T_ERRNO(send(fd, (void *)8, 60, 0), EFAULT);
        T_ERRNO(send(fd, frame, 10, 0), EINVAL); /* shorter than a header */
    }
    /* A filter that jumps out of the program, and one with no return. */
    struct t_sock_filter bad[] = { { 0x15, 5, 0, 0 }, { 0x06, 0, 0, 0 } };
    struct t_sock_fprog fp = { 2, bad };
    T_ERRNO(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp), EINVAL);
    struct t_sock_filter noret[] = { { 0x28, 0, 0, 12 } };
    fp = (struct t_sock_fprog){ 1, noret };
    T_ERRNO(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp), EINVAL);
    fp = (struct t_sock_fprog){ 1, (void *)8 };
    T_ERRNO(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp), EFAULT);
    T_ERRNO(setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &fp, sizeof fp), ENOENT);
    close(fd);
}

/* An ARP request for gw, as our address me. */
static size_t arp_request(unsigned char *f)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08; f[13] = 0x06;
    f[14] = 0; f[15] = 1;       /* Ethernet */
    f[16] = 0x08; f[17] = 0;    /* IPv4 */
    f[18] = 6; f[19] = 4;
    f[20] = 0; f[21] = 1;       /* request */
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, &me, 4);
    memcpy(f + 38, &gw, 4);
    return 60;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait (at most 10 s, never a fixed sleep) for the gateway's reply on
 * fd; off is where the ARP packet starts (14 raw, 0 dgram). */
static int wait_reply(int fd, int off, struct sockaddr_ll *from, socklen_t *fromlen,
                      unsigned char *buf, long long deadline)
{
    while (now_ms() < deadline) {
        struct pollfd p = { fd, POLLIN, 0 };
        int n = poll(&p, 1, (int)(deadline - now_ms()));

        if (n <= 0)
            continue;
        *fromlen = sizeof *from;
        n = recvfrom(fd, buf, 1600, MSG_DONTWAIT, (struct sockaddr *)from, fromlen);
        if (n < off + 28)
            continue;
        if (buf[off + 7] == 2 && !memcmp(buf + off + 14, &gw, 4))
            return n;
    }
    return -1;
}

T_CASE(arp_gateway)
{
    unsigned char f[60], buf[1600];
    struct sockaddr_ll a, from;
    socklen_t fromlen;
    int raw, dg, n;
    /* SOCK_DGRAM sees the ARP packet itself: pass op == reply only. */
    struct t_sock_filter prog[] = {
        { 0x28, 0, 0, 6 },          /* ldh [6] (ar_op) */
        { 0x15, 0, 1, 2 },          /* jeq #2, accept, drop */
        { 0x06, 0, 0, 0xffff },     /* ret #65535 */
        { 0x06, 0, 0, 0 },          /* ret #0 */
    };
    struct t_sock_fprog fp = { 4, prog };

    if (!ifindex && skip("no Ethernet interface"))
        return;
    if ((!gw || !me) && skip("no default gateway or address"))
        return;
    if (ours) { /* bring eth0 up (set_address did, unless it was skipped) */
        struct ifreq r;
        int fd = ctl();
        get_ifr(fd, SIOCGIFFLAGS, ifname, &r);
        r.ifr_flags |= IFF_UP;
        T_SYSOK(ioctl(fd, SIOCSIFFLAGS, &r));
        close(fd);
    }
    T_SYSOK(raw = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP)));
    T_SYSOK(dg = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP)));
    sll_to(&a, ifindex, ETH_P_ARP);
    T_SYSOK(bind(raw, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(bind(dg, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(setsockopt(dg, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp));
    T_EQ(send(raw, f, arp_request(f), 0), 60);
    long long deadline = now_ms() + 10000;
    T_ASSERT((n = wait_reply(raw, 14, &from, &fromlen, buf, deadline)) >= 42);
    T_EQ(fromlen, sizeof(struct sockaddr_ll));
    T_EQ(from.sll_family, AF_PACKET);
    T_EQ(from.sll_protocol, htons(ETH_P_ARP));
    T_EQ(from.sll_ifindex, ifindex);
    T_EQ(from.sll_hatype, ARPHRD_ETHER);
    T_EQ(from.sll_pkttype, PACKET_HOST);
    T_EQ(from.sll_halen, 6);
    T_EQ(memcmp(from.sll_addr, buf + 6, 6), 0); /* the reply's source */
    T_EQ(memcmp(buf, mac, 6), 0);               /* sent to us */
    T_EQ(memcmp(buf + 14 + 18, mac, 6), 0);     /* target hardware: us */
    /* The same reply on the filtered datagram socket, header gone; the
     * filter dropped our own request (outgoing frames reach only
     * ETH_P_ALL sockets anyway). */
    T_ASSERT((n = wait_reply(dg, 0, &from, &fromlen, buf, now_ms() + 10000)) >= 28);
    T_EQ(buf[7], 2);
    T_EQ(from.sll_pkttype, PACKET_HOST);
    /* Everything queued on dg passed the filter: replies only. */
    while ((n = recv(dg, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        T_EQ(buf[7], 2);
    T_ERRNO(recv(dg, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* A datagram send: the request without its header, to broadcast. */
    T_EQ(sendto(dg, f + 14, 28, 0, (struct sockaddr *)&a, sizeof a), 28);
    T_ASSERT(wait_reply(dg, 0, &from, &fromlen, buf, now_ms() + 10000) >= 28);
    close(raw);
    close(dg);
}

/* A tap (ETH_P_ALL) sees what this host sends, as PACKET_OUTGOING. */
T_CASE(tap_outgoing)
{
    unsigned char f[60], buf[1600];
    struct sockaddr_ll a, from;
    socklen_t fromlen;
    int tap, raw, n, seen = 0;

    if (!ifindex && skip("no Ethernet interface"))
        return;
    if ((!gw || !me) && skip("no default gateway or address"))
        return;
    T_SYSOK(tap = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
    T_SYSOK(raw = socket(AF_PACKET, SOCK_RAW, 0));
    sll_to(&a, ifindex, ETH_P_ALL);
    T_SYSOK(bind(tap, (struct sockaddr *)&a, sizeof a));
    arp_request(f);
    f[59] = 0x5a; /* a mark in the padding */
    T_EQ(sendto(raw, f, 60, 0, (struct sockaddr *)&a, sizeof a), 60);
    long long deadline = now_ms() + 10000;
    while (!seen && now_ms() < deadline) {
        struct pollfd p = { tap, POLLIN, 0 };
        if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
            continue;
        fromlen = sizeof from;
        n = recvfrom(tap, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
        if (n == 60 && from.sll_pkttype == PACKET_OUTGOING && buf[59] == 0x5a &&
            !memcmp(buf, f, 60))
            seen = 1;
    }
    T_ASSERT(seen);
    close(tap);
    close(raw);
}


/* The receive queue is bounded by SO_RCVBUF: a tap with the smallest
 * buffer keeps some of 200 frames this host sends and drops the rest
 * (to a made-up unicast address, an unused ethertype: no one answers). */
T_CASE(rcvbuf_limit)
{
    unsigned char f[60] = { 0x02, 0, 0, 0, 0, 1 }, buf[1600];
    struct sockaddr_ll a;
    int tap, raw, small = 1, got = 0, n;

    if (!ifindex && skip("no Ethernet interface"))
        return;
    memcpy(f + 6, mac, 6);
    f[12] = 0x88; f[13] = 0xb5; /* IEEE local experimental ethertype */
    T_SYSOK(tap = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
    T_SYSOK(setsockopt(tap, SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
    T_SYSOK(raw = socket(AF_PACKET, SOCK_RAW, 0));
    sll_to(&a, ifindex, ETH_P_ALL);
    T_SYSOK(bind(tap, (struct sockaddr *)&a, sizeof a));
    for (int i = 0; i < 200; i++) {
        f[14] = (unsigned char)i;
        T_EQ(sendto(raw, f, 60, 0, (struct sockaddr *)&a, sizeof a), 60);
    }
    struct pollfd p = { tap, POLLIN, 0 };
    T_EQ(poll(&p, 1, 10000), 1);
    while ((n = recv(tap, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        if (n == 60 && buf[12] == 0x88 && buf[13] == 0xb5)
            got++;
    T_ERRNO(recv(tap, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    T_ASSERT(got > 0 && got < 200);
    /* PACKET_STATISTICS counts what was dropped, then starts again. */
    struct { unsigned packets, drops; } st;
    socklen_t sl = sizeof st;
    T_SYSOK(getsockopt(tap, SOL_PACKET, 6 /* PACKET_STATISTICS */, &st, &sl));
    T_EQ(sl, sizeof st);
    T_ASSERT(st.drops > 0 && st.packets >= (unsigned)got + st.drops);
    T_SYSOK(getsockopt(tap, SOL_PACKET, 6, &st, &sl));
    T_EQ(st.drops, 0);
    /* Nothing queued: not readable. */
    T_EQ(poll(&p, 1, 0), 0);
    close(tap);
    close(raw);
}

static int proc_arp_has(const char *ip, const char *hw, const char *dev)
{
    FILE *f = fopen("/proc/net/arp", "r");
    char line[256], want_ip[32], got_hw[32], got_dev[32];
    unsigned type, flags;
    int found = 0;

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%31s 0x%x 0x%x %31s %*s %31s", want_ip, &type, &flags,
                   got_hw, got_dev) == 5 &&
            !strcmp(want_ip, ip) && !strcmp(got_dev, dev) && flags == 2 &&
            (!hw || !strcasecmp(got_hw, hw)))
            found = 1;
    fclose(f);
    return found;
}

static void set_addr(int fd, const char *dev, const char *ip)
{
    struct ifreq r;

    get_ifr(fd, SIOCGIFFLAGS, dev, &r);
    r.ifr_flags |= IFF_UP;
    ioctl(fd, SIOCSIFFLAGS, &r);
    get_ifr(fd, 0, dev, &r);
    set_sin(&r, ip);
    ioctl(fd, SIOCSIFADDR, &r);
}

/* Our kernel's ARP, between two NICs on one QEMU hub (net.sh's third
 * boot): eth1 (10.0.3.2) answers a request that a packet socket sends
 * on eth0 (10.0.3.1), and learns the asker (Linux arp_process); a
 * gratuitous ARP updates that entry, and creates none for an address
 * it has not seen. */
T_CASE(kernel_arp_two_nics)
{
    unsigned char f[60], buf[1600], mac1[6];
    struct sockaddr_ll a, from;
    socklen_t fromlen;
    struct ifreq r;
    int fd, raw, n;
    uint32_t save_gw = gw, save_me = me;

    T_SYSOK(fd = ctl());
    if ((!ours || get_ifr(fd, SIOCGIFHWADDR, "eth1", &r) != 0) &&
        skip("needs our kernel with eth0 and eth1 on one hub")) {
        close(fd);
        return;
    }
    memcpy(mac1, r.ifr_hwaddr.sa_data, 6);
    set_addr(fd, "eth0", "10.0.3.1");
    set_addr(fd, "eth1", "10.0.3.2");
    me = inet_addr("10.0.3.1");
    gw = inet_addr("10.0.3.2");
    T_SYSOK(raw = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP)));
    sll_to(&a, ifindex, ETH_P_ARP);
    T_SYSOK(bind(raw, (struct sockaddr *)&a, sizeof a));
    T_EQ(send(raw, f, arp_request(f), 0), 60);
    n = wait_reply(raw, 14, &from, &fromlen, buf, now_ms() + 10000);
    gw = save_gw;
    me = save_me;
    T_ASSERT(n >= 42);
    T_EQ(memcmp(buf + 6, mac1, 6), 0);       /* from eth1 */
    T_EQ(memcmp(buf + 14 + 8, mac1, 6), 0);  /* sender hardware: eth1 */
    T_EQ(memcmp(buf + 14 + 18, mac, 6), 0);  /* target: eth0, the asker */
    char mac0s[32];
    snprintf(mac0s, sizeof mac0s, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
             mac[2], mac[3], mac[4], mac[5]);
    T_EQ(proc_arp_has("10.0.3.1", mac0s, "eth1"), 1);
    /* Gratuitous: 10.0.3.1 is now at 02:00:00:00:00:99; and 10.0.3.9,
     * unknown to eth1, announces itself. */
    arp_request(f);
    static const unsigned char moved[6] = { 2, 0, 0, 0, 0, 0x99 };
    uint32_t a1 = inet_addr("10.0.3.1"), a9 = inet_addr("10.0.3.9");
    memcpy(f + 22, moved, 6);
    memcpy(f + 28, &a9, 4);
    memcpy(f + 38, &a9, 4);
    T_EQ(send(raw, f, 60, 0), 60);
    memcpy(f + 28, &a1, 4); /* after the first: seen means both seen */
    memcpy(f + 38, &a1, 4);
    T_EQ(send(raw, f, 60, 0), 60);
    long long deadline = now_ms() + 10000;
    while (proc_arp_has("10.0.3.1", "02:00:00:00:00:99", "eth1") != 1 && now_ms() < deadline)
        poll(NULL, 0, 10);
    T_EQ(proc_arp_has("10.0.3.1", "02:00:00:00:00:99", "eth1"), 1);
    T_EQ(proc_arp_has("10.0.3.9", NULL, "eth1"), 0);
    close(raw);
    close(fd);
}


/* The IPv4 header checksum of the 20 bytes at h. */
static uint16_t ip_csum(const unsigned char *h)
{
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Fragment reassembly's timeout (issue 13): a first fragment from a
 * foreign host that is never completed is answered after ipfrag_time
 * (30 s) with ICMP time exceeded, code 1, quoting it. It comes in on
 * eth0 from a packet socket on eth1 (one hub); when eth0 asks ARP for
 * the sender, eth1's socket answers for it, and a tap on eth0 sees the
 * ICMP error go out. Takes 30 s. */
T_CASE(frag_timeout_icmp_two_nics)
{
    static const unsigned char peer[6] = { 2, 0, 0, 0, 0, 0x77 };
    unsigned char f[60], buf[1600];
    struct sockaddr_ll a0, a1, from;
    socklen_t fromlen;
    struct ifreq r;
    int fd, tap, inj, n, seen = 0, idx1;
    uint32_t src = inet_addr("10.0.4.9"), dst = inet_addr("10.0.4.1");

    alarm(0); /* waits longer than the watchdog allows */
    T_SYSOK(fd = ctl());
    if ((!ours || get_ifr(fd, SIOCGIFINDEX, "eth1", &r) != 0) &&
        skip("needs our kernel with eth0 and eth1 on one hub")) {
        close(fd);
        return;
    }
    idx1 = r.ifr_ifindex;
    set_addr(fd, "eth1", "10.0.5.2");
    set_addr(fd, "eth0", "10.0.4.1");
    T_SYSOK(tap = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
    sll_to(&a0, ifindex, ETH_P_ALL);
    T_SYSOK(bind(tap, (struct sockaddr *)&a0, sizeof a0));
    T_SYSOK(inj = socket(AF_PACKET, SOCK_RAW, 0));
    sll_to(&a1, idx1, ETH_P_IP);
    memset(f, 0, sizeof f);
    memcpy(f, mac, 6);
    memcpy(f + 6, peer, 6);
    f[12] = 0x08;
    unsigned char *h = f + 14;
    h[0] = 0x45; h[3] = 20 + 16;
    h[4] = 0x51; h[5] = 0x51;   /* identification */
    h[6] = 0x20;                /* MF, offset 0 */
    h[8] = 64; h[9] = IPPROTO_UDP;
    memcpy(h + 12, &src, 4);
    memcpy(h + 16, &dst, 4);
    uint16_t c = ip_csum(h);
    h[10] = (uint8_t)(c >> 8); h[11] = (uint8_t)c;
    long long t0 = now_ms(), deadline = t0 + 120000;
    T_EQ(sendto(inj, f, 60, 0, (struct sockaddr *)&a1, sizeof a1), 60);
    while (!seen && now_ms() < deadline) {
        struct pollfd p = { tap, POLLIN, 0 };
        if (poll(&p, 1, 1000) <= 0)
            continue;
        fromlen = sizeof from;
        n = recvfrom(tap, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 42 || from.sll_pkttype != PACKET_OUTGOING)
            continue;
        if (buf[12] == 0x08 && buf[13] == 0x06 && buf[21] == 1 &&
            !memcmp(buf + 38, &src, 4)) {
            /* eth0 asks for the sender: answer for it from eth1 */
            unsigned char a[60] = { 0 };
            struct sockaddr_ll aa;
            memcpy(a, mac, 6);
            memcpy(a + 6, peer, 6);
            a[12] = 0x08; a[13] = 0x06;
            a[15] = 1; a[16] = 0x08; a[18] = 6; a[19] = 4; a[21] = 2;
            memcpy(a + 22, peer, 6);
            memcpy(a + 28, &src, 4);
            memcpy(a + 32, mac, 6);
            memcpy(a + 38, &dst, 4);
            sll_to(&aa, idx1, ETH_P_ARP);
            T_EQ(sendto(inj, a, 60, 0, (struct sockaddr *)&aa, sizeof aa), 60);
            continue;
        }
        /* IPv4, ICMP, to the sender: type 11 code 1 quoting our header */
        if (n >= 14 + 20 + 8 + 20 && buf[12] == 0x08 && buf[13] == 0 &&
            buf[14 + 9] == IPPROTO_ICMP && !memcmp(buf + 14 + 16, &src, 4) &&
            buf[34] == 11 && buf[35] == 1 && buf[42 + 4] == 0x51 &&
            buf[42 + 5] == 0x51 && !memcmp(buf + 42 + 12, &src, 4))
            seen = 1;
    }
    T_ASSERT(seen);
    T_ASSERT(now_ms() - t0 >= 25000); /* not before ipfrag_time */
    set_addr(fd, "eth0", "10.0.2.15");
    close(inj);
    close(tap);
    close(fd);
}


static int blocked_fd;

static void *blocked_reader(void *arg)
{
    char b[64];

    (void)arg;
    return (void *)(long)(recv(blocked_fd, b, sizeof b, 0) == -1 ? errno : 0);
}

/* A reader blocked in recv (until SO_RCVTIMEO) does not hold up a
 * non-blocking one on the same socket. */
T_CASE(blocked_reader)
{
    struct timeval tv = { 0, 400000 };
    pthread_t th;
    void *ret;
    char b[64];

    /* Protocol 0 and unbound: this socket receives nothing. */
    T_SYSOK(blocked_fd = socket(AF_PACKET, SOCK_RAW, 0));
    T_SYSOK(setsockopt(blocked_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    T_EQ(pthread_create(&th, NULL, blocked_reader, NULL), 0);
    long long t0 = now_ms();
    for (int i = 0; i < 20; i++) {
        T_ERRNO(recv(blocked_fd, b, sizeof b, MSG_DONTWAIT), EAGAIN);
        poll(NULL, 0, 5);
    }
    T_ASSERT(now_ms() - t0 < 390); /* all answered while the reader waits */
    T_EQ(pthread_join(th, &ret), 0);
    T_EQ((long)ret, EAGAIN);
    T_ASSERT(now_ms() - t0 >= 350);
    close(blocked_fd);
}


/* NETLINK_ROUTE, as busybox ip uses it: RTM_GETLINK and RTM_GETADDR
 * dumps, an unknown request answered with NLMSG_ERROR. */
struct nl_req {
    struct nlmsghdr h;
    struct rtgenmsg g;
    unsigned char pad[3];
};

static int nl_dump(int fd, int type, unsigned seq, unsigned char *buf, size_t cap, int *err)
{
    struct nl_req r = { { sizeof r, (unsigned short)type, NLM_F_REQUEST | NLM_F_DUMP, seq, 0 },
                        { AF_UNSPEC }, { 0 } };
    struct sockaddr_nl k = { .nl_family = AF_NETLINK };
    int got = 0, done = 0;

    *err = 0;
    if (sendto(fd, &r, sizeof r, 0, (struct sockaddr *)&k, sizeof k) != sizeof r)
        return -1;
    while (!done) {
        unsigned char chunk[16384];
        struct sockaddr_nl from;
        socklen_t fl = sizeof from;
        int n = recvfrom(fd, chunk, sizeof chunk, 0, (struct sockaddr *)&from, &fl);

        if (n <= 0 || fl != sizeof from || from.nl_pid != 0)
            return -1;
        for (struct nlmsghdr *h = (struct nlmsghdr *)chunk; NLMSG_OK(h, (unsigned)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != seq)
                return -1;
            if (h->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                *err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
                done = 1;
                break;
            }
            if ((size_t)got + h->nlmsg_len > cap)
                return -1;
            memcpy(buf + got, h, h->nlmsg_len);
            got += NLMSG_ALIGN(h->nlmsg_len);
        }
    }
    return got;
}

/* Flood fd with requests whose replies (errors: no such link) are never
 * read; returns the errno of the first receive after, or 0. */
static int nl_flood_then_recv(int fd)
{
    struct {
        struct nlmsghdr h;
        struct ifinfomsg i;
    } r = { { sizeof r, RTM_GETLINK, NLM_F_REQUEST, 1, 0 }, { 0 } };
    struct sockaddr_nl k = { .nl_family = AF_NETLINK };
    unsigned char buf[4096];

    r.i.ifi_index = 0x7fffff;
    for (int i = 0; i < 2000; i++)
        if (sendto(fd, &r, sizeof r, 0, (struct sockaddr *)&k, sizeof k) != sizeof r)
            return -1;
    return recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0 ? errno : 0;
}

/* Replies the reader has no room for are dropped and its next receive
 * says ENOBUFS (then the queued ones come), SO_ERROR takes it too, and
 * NETLINK_NO_ENOBUFS drops them silently (Linux's netlink_overrun). */
T_CASE(netlink_overrun_is_enobufs)
{
    unsigned char buf[4096];
    int one = 1, e = -1;
    socklen_t el = sizeof e;
    int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

    T_SYSOK(fd);
    T_EQ(nl_flood_then_recv(fd), ENOBUFS);
    T_ASSERT(recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0); /* the queued ones */
    close(fd);
    fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    T_SYSOK(fd);
    struct sockaddr_nl k = { .nl_family = AF_NETLINK };
    struct {
        struct nlmsghdr h;
        struct ifinfomsg i;
    } r = { { sizeof r, RTM_GETLINK, NLM_F_REQUEST, 1, 0 }, { 0 } };
    r.i.ifi_index = 0x7fffff;
    for (int i = 0; i < 2000; i++)
        T_EQ(sendto(fd, &r, sizeof r, 0, (struct sockaddr *)&k, sizeof k), sizeof r);
    T_SYSOK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el));
    T_EQ(e, ENOBUFS);
    T_ASSERT(recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0); /* taken: data */
    close(fd);
    fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    T_SYSOK(fd);
    T_SYSOK(setsockopt(fd, 270 /* SOL_NETLINK */, 5 /* NETLINK_NO_ENOBUFS */,
                       &one, sizeof one));
    T_EQ(nl_flood_then_recv(fd), 0);
    close(fd);
}

T_CASE(netlink_route)
{
    static unsigned char buf[65536];
    struct sockaddr_nl me_nl = { .nl_family = AF_NETLINK };
    socklen_t len = sizeof me_nl;
    int fd, n, err, seen_link = 0, seen_addr = 0;

    T_ERRNO(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
    T_SYSOK(fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    T_ERRNO(bind(fd, (struct sockaddr *)&me_nl, 8), EINVAL);
    T_SYSOK(bind(fd, (struct sockaddr *)&me_nl, sizeof me_nl));
    T_SYSOK(getsockname(fd, (struct sockaddr *)&me_nl, &len));
    T_EQ(len, sizeof me_nl);
    T_EQ(me_nl.nl_family, AF_NETLINK);
    T_ASSERT(me_nl.nl_pid != 0); /* bound: the pid, or a unique number */
    /* Linux always has lo; our kernel without a NIC (and before the
     * IPv4 side brings lo) has no interface at all: an empty dump. */
    T_ASSERT((n = nl_dump(fd, RTM_GETLINK, 7, buf, sizeof buf, &err)) >= 0);
    T_ASSERT(n > 0 || ours);
    T_EQ(err, 0);
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
         h = NLMSG_NEXT(h, n)) {
        struct ifinfomsg *ifi = NLMSG_DATA(h);
        int alen = IFLA_PAYLOAD(h);
        const char *name = NULL;
        unsigned mtu = 0;
        unsigned char *hw = NULL;

        T_EQ(h->nlmsg_type, RTM_NEWLINK);
        T_EQ(h->nlmsg_flags & NLM_F_MULTI, NLM_F_MULTI);
        T_EQ(h->nlmsg_pid, me_nl.nl_pid);
        for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
            if (a->rta_type == IFLA_IFNAME)
                name = RTA_DATA(a);
            if (a->rta_type == IFLA_MTU)
                memcpy(&mtu, RTA_DATA(a), 4);
            if (a->rta_type == IFLA_ADDRESS)
                hw = RTA_DATA(a);
        }
        T_ASSERT(name != NULL);
        if (ifindex && ifi->ifi_index == ifindex) {
            struct ifreq r;
            int c = ctl();

            T_STREQ(name, ifname);
            T_EQ(ifi->ifi_type, ARPHRD_ETHER);
            T_ASSERT(hw && !memcmp(hw, mac, 6));
            T_SYSOK(get_ifr(c, SIOCGIFMTU, ifname, &r));
            T_EQ(mtu, (unsigned)r.ifr_mtu);
            T_SYSOK(get_ifr(c, SIOCGIFFLAGS, ifname, &r));
            T_EQ(ifi->ifi_flags & 0xffff & ~IFF_RUNNING, (unsigned short)r.ifr_flags & ~IFF_RUNNING);
            close(c);
            seen_link = 1;
        }
    }
    if (ifindex)
        T_ASSERT(seen_link);
    T_ASSERT((n = nl_dump(fd, RTM_GETADDR, 8, buf, sizeof buf, &err)) >= 0);
    T_EQ(err, 0);
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
         h = NLMSG_NEXT(h, n)) {
        struct ifaddrmsg *ifa = NLMSG_DATA(h);

        T_EQ(h->nlmsg_type, RTM_NEWADDR);
        if (ifa->ifa_family == AF_INET && (int)ifa->ifa_index == ifindex && me) {
            int alen = IFA_PAYLOAD(h);
            for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
                if (a->rta_type == IFA_LOCAL && !memcmp(RTA_DATA(a), &me, 4))
                    seen_addr = 1;
        }
    }
    if (ifindex && me && !ours) /* ours: set_address/udhcpc change it */
        T_ASSERT(seen_addr);
    /* A request this kernel does not serve: NLMSG_ERROR, not silence. */
    T_ASSERT(nl_dump(fd, RTM_GETNEIGH + 100, 9, buf, sizeof buf, &err) == 0);
    T_EQ(err, -EOPNOTSUPP);
    close(fd);
}

/* One route request (RTM_NEWROUTE/DELROUTE/GETROUTE) with the given
 * rtmsg and up to three u32 attributes (type 0: none); the answer
 * (RTM_GETROUTE: the route message) lands in buf. Returns the error of
 * the NLMSG_ERROR acknowledgement (0 for success), 1 if a route came
 * back, or -9999 if the exchange itself went wrong. */
static int rt_req(int fd, int type, int flags, struct rtmsg rm,
                  const unsigned short at[3], const uint32_t av[3],
                  unsigned char *buf, size_t cap)
{
    struct { struct nlmsghdr h; struct rtmsg r; unsigned char a[3 * 8]; } q;
    struct sockaddr_nl k = { .nl_family = AF_NETLINK };
    static unsigned seq = 500;
    size_t alen = 0;
    int n;

    memset(&q, 0, sizeof q);
    q.r = rm;
    for (int i = 0; i < 3; i++) {
        if (!at[i])
            continue;
        struct rtattr a = { 8, at[i] };
        memcpy(q.a + alen, &a, 4);
        memcpy(q.a + alen + 4, &av[i], 4);
        alen += 8;
    }
    q.h = (struct nlmsghdr){ (uint32_t)(sizeof q.h + sizeof q.r + alen),
                             (uint16_t)type, (uint16_t)(NLM_F_REQUEST | flags), ++seq, 0 };
    if (sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof k) != (ssize_t)q.h.nlmsg_len)
        return -9999;
    n = (int)recv(fd, buf, cap, 0);
    if (n < (int)sizeof(struct nlmsghdr))
        return -9999;
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (h->nlmsg_seq != seq)
        return -9999;
    if (h->nlmsg_type == NLMSG_ERROR)
        return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    return h->nlmsg_type == RTM_NEWROUTE ? 1 : -9999;
}

/* A route message's attribute as a u32, or def. */
static uint32_t rt_attr(struct nlmsghdr *h, int type, uint32_t def)
{
    struct rtmsg *r = NLMSG_DATA(h);
    int alen = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)sizeof *r;

    for (struct rtattr *a = (struct rtattr *)(r + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
        if (a->rta_type == type && a->rta_len == 8) {
            uint32_t v;
            memcpy(&v, RTA_DATA(a), 4);
            return v;
        }
    return def;
}

/* The dumped main-table route to dst/len, copied to out; 0 if none. */
static int rt_find(int fd, const char *dst, int len, unsigned char *buf, size_t cap,
                   struct nlmsghdr **out)
{
    int err, n = nl_dump(fd, RTM_GETROUTE, 77, buf, (int)cap, &err);
    uint32_t want = inet_addr(dst);

    if (n < 0 || err)
        return 0;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
        struct rtmsg *r = NLMSG_DATA(h);
        if (h->nlmsg_type == RTM_NEWROUTE && r->rtm_table == RT_TABLE_MAIN &&
            r->rtm_dst_len == len && rt_attr(h, RTA_DST, 0) == (len ? want : 0)) {
            *out = h;
            return 1;
        }
    }
    return 0;
}

/* ip route over netlink (Linux fib_frontend.c): the subnet route of an
 * address, add/replace/delete with their flags, ip route get, and the
 * errors. Only on our eth0 (set_address gave it 10.0.2.15/24): a host's
 * routes are not ours to change. */
T_CASE(netlink_routes)
{
    static unsigned char buf[65536], ack[4096];
    const unsigned short none[3] = { 0 };
    const uint32_t zero[3] = { 0 };
    struct rtmsg add = { AF_INET, 16, 0, 0, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST, 0 };
    struct rtmsg del = { AF_INET, 16, 0, 0, RT_TABLE_MAIN, 0, RT_SCOPE_NOWHERE, 0, 0 };
    struct nlmsghdr *h;
    struct rtmsg *r;
    int fd, cflags = NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;

    if ((!ours || !ifindex) && skip("only on our kernel's eth0"))
        return;
    T_SYSOK(fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    /* The address's subnet: proto kernel scope link src 10.0.2.15. */
    T_ASSERT(rt_find(fd, "10.0.2.0", 24, buf, sizeof buf, &h));
    r = NLMSG_DATA(h);
    T_EQ(r->rtm_protocol, RTPROT_KERNEL);
    T_EQ(r->rtm_scope, RT_SCOPE_LINK);
    T_EQ(r->rtm_type, RTN_UNICAST);
    T_EQ(rt_attr(h, RTA_PREFSRC, 0), inet_addr("10.0.2.15"));
    T_EQ(rt_attr(h, RTA_OIF, 0), (uint32_t)ifindex);
    T_EQ(rt_attr(h, RTA_TABLE, 0), RT_TABLE_MAIN);

    /* ip route add 10.7.0.0/16 via 10.0.2.2 */
    const unsigned short dst_gw[3] = { RTA_DST, RTA_GATEWAY, 0 };
    uint32_t v[3] = { inet_addr("10.7.0.0"), inet_addr("10.0.2.2"), 0 };
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, add, dst_gw, v, ack, sizeof ack), 0);
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, add, dst_gw, v, ack, sizeof ack), -EEXIST);
    T_ASSERT(rt_find(fd, "10.7.0.0", 16, buf, sizeof buf, &h));
    r = NLMSG_DATA(h);
    T_EQ(r->rtm_protocol, RTPROT_STATIC);
    T_EQ(rt_attr(h, RTA_GATEWAY, 0), inet_addr("10.0.2.2"));
    T_EQ(rt_attr(h, RTA_OIF, 0), (uint32_t)ifindex);
    /* ... and route(8) sees it in /proc/net/route (destination and
     * gateway as raw network-order words). */
    {
        char text[8192] = { 0 };
        int pf = open("/proc/net/route", O_RDONLY);
        T_ASSERT(pf >= 0);
        T_ASSERT(read(pf, text, sizeof text - 1) > 0);
        close(pf);
        T_ASSERT(strstr(text, "eth0\t0000070A\t0202000A\t0003") != NULL);
    }

    /* ip route get 10.7.1.1: through the gateway, from our address. */
    const unsigned short dst_only[3] = { RTA_DST, 0, 0 };
    uint32_t g[3] = { inet_addr("10.7.1.1"), 0, 0 };
    struct rtmsg get = { AF_INET, 32, 0, 0, 0, 0, 0, 0, 0 };
    T_EQ(rt_req(fd, RTM_GETROUTE, 0, get, dst_only, g, ack, sizeof ack), 1);
    h = (struct nlmsghdr *)ack;
    T_EQ(rt_attr(h, RTA_GATEWAY, 0), inet_addr("10.0.2.2"));
    T_EQ(rt_attr(h, RTA_OIF, 0), (uint32_t)ifindex);
    T_EQ(rt_attr(h, RTA_PREFSRC, 0), inet_addr("10.0.2.15"));
    T_EQ(rt_attr(h, RTA_DST, 0), inet_addr("10.7.1.1"));
    /* ... and to ourselves: the local table. */
    g[0] = inet_addr("127.0.0.1");
    T_EQ(rt_req(fd, RTM_GETROUTE, 0, get, dst_only, g, ack, sizeof ack), 1);
    r = NLMSG_DATA((struct nlmsghdr *)ack);
    T_EQ(r->rtm_table, RT_TABLE_LOCAL);
    T_EQ(r->rtm_type, RTN_LOCAL);

    /* The longest prefix wins, also over an address's own subnet. */
    struct rtmsg add25 = add;
    add25.rtm_dst_len = 25;
    uint32_t half[3] = { inet_addr("10.0.2.128"), inet_addr("10.0.2.2"), 0 };
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, add25, dst_gw, half, ack, sizeof ack), 0);
    g[0] = inet_addr("10.0.2.200");
    T_EQ(rt_req(fd, RTM_GETROUTE, 0, get, dst_only, g, ack, sizeof ack), 1);
    T_EQ(rt_attr((struct nlmsghdr *)ack, RTA_GATEWAY, 0), inet_addr("10.0.2.2"));
    g[0] = inet_addr("10.0.2.100");
    T_EQ(rt_req(fd, RTM_GETROUTE, 0, get, dst_only, g, ack, sizeof ack), 1);
    T_EQ(rt_attr((struct nlmsghdr *)ack, RTA_GATEWAY, 0), 0);
    struct rtmsg del25 = del;
    del25.rtm_dst_len = 25;
    T_EQ(rt_req(fd, RTM_DELROUTE, NLM_F_ACK, del25, dst_only, half, ack, sizeof ack), 0);

    /* ip route replace: the same destination, another gateway. */
    v[1] = inet_addr("10.0.2.3");
    T_EQ(rt_req(fd, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, add, dst_gw, v, ack, sizeof ack), 0);
    T_ASSERT(rt_find(fd, "10.7.0.0", 16, buf, sizeof buf, &h));
    T_EQ(rt_attr(h, RTA_GATEWAY, 0), inet_addr("10.0.2.3"));
    /* ip route change of a route that is not there: ENOENT. */
    uint32_t v8[3] = { inet_addr("10.8.0.0"), inet_addr("10.0.2.2"), 0 };
    T_EQ(rt_req(fd, RTM_NEWROUTE, NLM_F_REPLACE | NLM_F_ACK, add, dst_gw, v8, ack, sizeof ack), -ENOENT);

    /* Refused: a gateway on no link, host bits under the prefix, another
     * table, a blackhole route, a family without routes here. */
    uint32_t off[3] = { inet_addr("10.9.0.0"), inet_addr("192.168.99.1"), 0 };
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, add, dst_gw, off, ack, sizeof ack), -ENETUNREACH);
    uint32_t hb[3] = { inet_addr("10.9.0.1"), inet_addr("10.0.2.2"), 0 };
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, add, dst_gw, hb, ack, sizeof ack), -EINVAL);
    struct rtmsg other = add;
    other.rtm_table = 100;
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, other, dst_gw, v8, ack, sizeof ack), -EOPNOTSUPP);
    other = add;
    other.rtm_type = RTN_BLACKHOLE;
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, other, dst_only, v8, ack, sizeof ack), -EOPNOTSUPP);
    T_EQ(rt_req(fd, RTM_NEWROUTE, cflags, add, none, zero, ack, sizeof ack), -ENODEV);
    /* Not root: EPERM, and nothing changes. */
    pid_t pid = t_fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        _exit(rt_req(fd, RTM_NEWROUTE, cflags, add, dst_gw, v8, ack, sizeof ack) == -EPERM ? 0 : 1);
    }
    T_EXITED(pid, 0);
    T_ASSERT(!rt_find(fd, "10.8.0.0", 16, buf, sizeof buf, &h));

    /* ip route del: what the request names must match. */
    uint32_t wrong[3] = { inet_addr("10.7.0.0"), inet_addr("10.0.2.9"), 0 };
    T_EQ(rt_req(fd, RTM_DELROUTE, NLM_F_ACK, del, dst_gw, wrong, ack, sizeof ack), -ESRCH);
    T_EQ(rt_req(fd, RTM_DELROUTE, NLM_F_ACK, del, dst_only, v, ack, sizeof ack), 0);
    T_EQ(rt_req(fd, RTM_DELROUTE, NLM_F_ACK, del, dst_only, v, ack, sizeof ack), -ESRCH);
    T_ASSERT(!rt_find(fd, "10.7.0.0", 16, buf, sizeof buf, &h));
    close(fd);
}

/* Taking an interface down: a packet socket bound to it gets ENETDOWN
 * once (poll says POLLERR), sending on it ENETDOWN. Only where the
 * interface may be toggled (our eth0; T_PACKET_SETIF on a host). */
T_CASE(down_gives_enetdown)
{
    const char *spare = getenv("T_PACKET_SETIF");
    const char *dev = spare ? spare : ours && ifindex ? eth0_name : NULL;
    unsigned char f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    struct sockaddr_ll a;
    struct ifreq r;
    int fd, c, idx;
    char b[64];

    if (!dev && skip("only on our kernel's eth0"))
        return;
    T_SYSOK(c = ctl());
    T_SYSOK(get_ifr(c, SIOCGIFINDEX, dev, &r));
    idx = r.ifr_ifindex;
    T_SYSOK(get_ifr(c, SIOCGIFFLAGS, dev, &r));
    r.ifr_flags |= IFF_UP;
    T_SYSOK(ioctl(c, SIOCSIFFLAGS, &r));
    T_SYSOK(fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
    sll_to(&a, idx, ETH_P_ALL);
    T_SYSOK(bind(fd, (struct sockaddr *)&a, sizeof a));
    r.ifr_flags &= ~IFF_UP;
    T_SYSOK(ioctl(c, SIOCSIFFLAGS, &r));
    struct pollfd p = { fd, POLLIN, 0 };
    T_EQ(poll(&p, 1, 0), 1);
    T_EQ(p.revents & POLLERR, POLLERR);
    T_ERRNO(recv(fd, b, sizeof b, MSG_DONTWAIT), ENETDOWN);
    T_ERRNO(recv(fd, b, sizeof b, MSG_DONTWAIT), EAGAIN); /* reported once */
    T_ERRNO(send(fd, f, sizeof f, 0), ENETDOWN);
    r.ifr_flags |= IFF_UP;
    T_SYSOK(ioctl(c, SIOCSIFFLAGS, &r));
    if (spare) {
        r.ifr_flags &= ~IFF_UP;
        T_SYSOK(ioctl(c, SIOCSIFFLAGS, &r));
    }
    close(fd);
    close(c);
}

static volatile int flood_got, flood_stop;
static int flood_fd;

static void *flood_reader(void *arg)
{
    unsigned char b[1600];

    (void)arg;
    while (!flood_stop) {
        struct pollfd p = { flood_fd, POLLIN, 0 };
        if (poll(&p, 1, 100) <= 0)
            continue;
        int n;
        while ((n = recv(flood_fd, b, sizeof b, MSG_DONTWAIT)) > 0)
            if (n == 60 && b[12] == 0x88 && b[13] == 0xb5)
                flood_got++;
    }
    return NULL;
}

/* 2000 frames from eth0 to eth1 through the hub, more than either
 * ring holds: every one arrives at eth1's tap or is counted as dropped
 * there (PACKET_STATISTICS); a blocking sender is never refused. */
T_CASE(hub_flood)
{
    unsigned char f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    struct sockaddr_ll a;
    struct ifreq r;
    int c, raw, idx1, big = 1 << 22;
    pthread_t th;

    T_SYSOK(c = ctl());
    if ((!ours || get_ifr(c, SIOCGIFINDEX, "eth1", &r) != 0) &&
        skip("needs our kernel with eth0 and eth1 on one hub")) {
        close(c);
        return;
    }
    idx1 = r.ifr_ifindex;
    set_addr(c, "eth1", "10.0.3.2"); /* up */
    T_SYSOK(flood_fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
    T_SYSOK(setsockopt(flood_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big));
    sll_to(&a, idx1, ETH_P_ALL);
    T_SYSOK(bind(flood_fd, (struct sockaddr *)&a, sizeof a));
    flood_got = 0;
    flood_stop = 0;
    T_EQ(pthread_create(&th, NULL, flood_reader, NULL), 0);
    T_SYSOK(raw = socket(AF_PACKET, SOCK_RAW, 0));
    sll_to(&a, ifindex, 0);
    memcpy(f + 6, mac, 6);
    f[12] = 0x88; f[13] = 0xb5;
    for (int i = 0; i < 2000; i++) {
        f[14] = (unsigned char)(i >> 8);
        f[15] = (unsigned char)i;
        T_EQ(sendto(raw, f, 60, 0, (struct sockaddr *)&a, sizeof a), 60);
    }
    struct { unsigned packets, drops; } st = { 0, 0 };
    unsigned drops = 0;
    socklen_t sl = sizeof st;
    long long deadline = now_ms() + 20000;
    while (flood_got + (int)drops < 2000 && now_ms() < deadline) {
        poll(NULL, 0, 20);
        T_SYSOK(getsockopt(flood_fd, SOL_PACKET, 6, &st, &sl));
        drops += st.drops;
    }
    flood_stop = 1;
    pthread_join(th, NULL);
    t_emit("# %s.%s: %d received, %u dropped at the socket", t_prog, t_case_name,
           flood_got, drops);
    T_EQ(flood_got + (int)drops, 2000);
    T_ASSERT(flood_got > 0);
    close(raw);
    close(flood_fd);
    close(c);
}

/* recv flags on a tap that a filter limits to one ethertype: MSG_PEEK
 * leaves the frame, a short buffer gets MSG_TRUNC, MSG_TRUNC asks for
 * the whole length, SIOCINQ tells the next frame's size; a locked
 * filter cannot be replaced or removed. */
T_CASE(recv_flags_and_filter_lock)
{
    unsigned char f[60] = { 0x02, 0, 0, 0, 0, 1 }, b[1600];
    struct t_sock_filter only[] = {
        { 0x28, 0, 0, 12 }, { 0x15, 0, 1, 0x88b5 }, { 0x06, 0, 0, 0xffff }, { 0x06, 0, 0, 0 },
    };
    struct t_sock_fprog fp = { 4, only };
    struct sockaddr_ll a;
    struct iovec iov = { b, 10 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    int tap, raw, one = 1, inq = 0;

    if (!ifindex && skip("no Ethernet interface"))
        return;
    memcpy(f + 6, mac, 6);
    f[12] = 0x88; f[13] = 0xb5; f[20] = 0x77;
    T_SYSOK(tap = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
    T_SYSOK(setsockopt(tap, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp));
    sll_to(&a, ifindex, ETH_P_ALL);
    T_SYSOK(bind(tap, (struct sockaddr *)&a, sizeof a));
    T_SYSOK(raw = socket(AF_PACKET, SOCK_RAW, 0));
    T_EQ(sendto(raw, f, 60, 0, (struct sockaddr *)&a, sizeof a), 60);
    struct pollfd p = { tap, POLLIN, 0 };
    T_EQ(poll(&p, 1, 10000), 1);
    T_SYSOK(ioctl(tap, FIONREAD, &inq));
    T_EQ(inq, 60);
    T_EQ(recv(tap, b, sizeof b, MSG_PEEK), 60);
    T_EQ(recv(tap, b, 10, MSG_PEEK | MSG_TRUNC), 60);
    T_EQ(recvmsg(tap, &mh, 0), 10);
    T_EQ(mh.msg_flags & MSG_TRUNC, MSG_TRUNC);
    T_ERRNO(recv(tap, b, sizeof b, MSG_DONTWAIT), EAGAIN); /* consumed */
    T_SYSOK(setsockopt(tap, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof one));
    T_ERRNO(setsockopt(tap, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp), EPERM);
    T_ERRNO(setsockopt(tap, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof one), EPERM);
    close(tap);
    /* Unlocked, detaching works once. */
    T_SYSOK(tap = socket(AF_PACKET, SOCK_RAW, 0));
    T_SYSOK(setsockopt(tap, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp));
    T_SYSOK(setsockopt(tap, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof one));
    T_ERRNO(setsockopt(tap, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof one), ENOENT);
    close(tap);
    close(raw);
}

int main(void)
{
    FILE *v = fopen("/proc/version", "r");
    char line[256] = "";

    if (v) {
        if (!fgets(line, sizeof line, v))
            line[0] = 0;
        fclose(v);
    }
    ours = strstr(line, "framekernel") != NULL;
    t_init("t_packet");
    find_iface();
    t_emit("# t_packet: interface %s (index %d), gateway %s", ifindex ? ifname : "none",
           ifindex, gw ? inet_ntoa((struct in_addr){ gw }) : "none");
    T_RUN(ifindex_name_flags);
    T_RUN(unix_socket_ioctls);
    T_RUN(ioctl_errors);
    T_RUN(ifconf);
    T_RUN(set_address);
    T_RUN(eperm);
    T_RUN(packet_bad_input);
    T_RUN(arp_gateway);
    T_RUN(tap_outgoing);
    T_RUN(recv_flags_and_filter_lock);
    T_RUN(rcvbuf_limit);
    T_RUN(blocked_reader);
    T_RUN(netlink_route);
    T_RUN(netlink_routes);
    T_RUN(netlink_overrun_is_enobufs);
    T_RUN(down_gives_enetdown);
    T_RUN(frag_timeout_icmp_two_nics);
    T_RUN(kernel_arp_two_nics);
    T_RUN(hub_flood);
    return t_done();
}
