/* services/net/link/ifioctl.c: the network interface ioctls.
 *
 * Layer: services (safe C), net/link, after Linux net/core/dev_ioctl.c
 * (dev_ioctl, dev_ifconf) and the address part of net/ipv4/devinet.c
 * (devinet_ioctl). They take a struct ifreq naming a device and work on
 * any socket, as Linux's sock_ioctl falls back to dev_ioctl; the IPv4
 * address ones (SIOC[GS]IF{ADDR,NETMASK,BRDADDR,DSTADDR}) only on AF_INET
 * and AF_PACKET sockets (Linux: inet_ioctl, and packet_ioctl passing them
 * on), ENOTTY elsewhere. Setting needs CAP_NET_ADMIN (root): EPERM,
 * checked before the device is looked up, as Linux.
 *
 * Addresses: one IPv4 address per device (netdev.h). SIOCSIFADDR gives
 * the classful mask and the broadcast address with it (Linux
 * inet_abc_len); SIOCSIFNETMASK moves a default broadcast address with
 * the mask. */
#include <stddef.h>

#include <fw/errno.h>
#include <fw/uaccess.h>

#include "net/link/link.h"
#include "net/uapi.h"

#define SIOCGIFNAME 0x8910u
#define SIOCGIFCONF 0x8912u
#define SIOCGIFFLAGS 0x8913u
#define SIOCSIFFLAGS 0x8914u
#define SIOCGIFADDR 0x8915u
#define SIOCSIFADDR 0x8916u
#define SIOCGIFDSTADDR 0x8917u
#define SIOCGIFBRDADDR 0x8919u
#define SIOCSIFBRDADDR 0x891au
#define SIOCGIFNETMASK 0x891bu
#define SIOCSIFNETMASK 0x891cu
#define SIOCGIFMETRIC 0x891du
#define SIOCSIFMETRIC 0x891eu
#define SIOCGIFMTU 0x8921u
#define SIOCSIFMTU 0x8922u
#define SIOCSIFHWADDR 0x8924u
#define SIOCGIFHWADDR 0x8927u
#define SIOCGIFINDEX 0x8933u
#define SIOCGIFMAP 0x8970u
#define SIOCGIFTXQLEN 0x8942u
#define SIOCSIFTXQLEN 0x8943u

#define ETH_MIN_MTU 68u

/* struct ifreq: a name and a 24-byte union (sockaddr, short flags, int
 * index/mtu/metric/qlen). */
struct linux_ifreq {
	struct netdev_name name;
	uint8_t u[24];
};
FW_STATIC_ASSERT(sizeof(struct linux_ifreq) == 40, "struct ifreq layout");

/* struct ifconf. */
struct linux_ifconf {
	int32_t len;
	uint32_t pad;
	uint64_t buf;			/* user address of struct ifreq[] */
};

bool dev_ioctl_cmd(unsigned cmd)
{
	switch (cmd) {
	case SIOCGIFNAME: case SIOCGIFCONF: case SIOCGIFFLAGS:
	case SIOCSIFFLAGS: case SIOCGIFADDR: case SIOCSIFADDR:
	case SIOCGIFDSTADDR: case SIOCGIFBRDADDR: case SIOCSIFBRDADDR:
	case SIOCGIFNETMASK: case SIOCSIFNETMASK: case SIOCGIFMETRIC:
	case SIOCSIFMETRIC: case SIOCGIFMTU: case SIOCSIFMTU:
	case SIOCSIFHWADDR: case SIOCGIFHWADDR: case SIOCGIFINDEX:
	case SIOCGIFTXQLEN: case SIOCSIFTXQLEN: case SIOCGIFMAP:
		return true;
	default:
		return false;
	}
}

static bool is_set(unsigned cmd)
{
	return cmd == SIOCSIFFLAGS || cmd == SIOCSIFADDR ||
	       cmd == SIOCSIFBRDADDR || cmd == SIOCSIFNETMASK ||
	       cmd == SIOCSIFMETRIC || cmd == SIOCSIFMTU ||
	       cmd == SIOCSIFHWADDR || cmd == SIOCSIFTXQLEN;
}

static bool is_addr(unsigned cmd)
{
	return cmd == SIOCGIFADDR || cmd == SIOCSIFADDR ||
	       cmd == SIOCGIFDSTADDR || cmd == SIOCGIFBRDADDR ||
	       cmd == SIOCSIFBRDADDR || cmd == SIOCGIFNETMASK ||
	       cmd == SIOCSIFNETMASK;
}

/* The union as a sockaddr_in: family and address (network order). */
static void put_sin(struct linux_ifreq *r, uint32_t addr)
{
	struct fw_buf b = FW_BUF_OF_ARRAY(r->u);

	for (unsigned i = 0; i < sizeof(r->u); i++)
		r->u[i] = 0;
	if (fw_buf_put_u16_le(b, 0, AF_INET) || fw_buf_put_u32_le(b, 4, addr))
		return; /* cannot happen: 24 bytes */
}

static int get_sin(const struct linux_ifreq *r, uint32_t *addr)
{
	struct fw_bytes b = FW_BYTES_OF_ARRAY(r->u);
	uint16_t fam;

	if (fw_bytes_get_u16_le(b, 0, &fam) || fw_bytes_get_u32_le(b, 4, addr))
		return -EINVAL;
	return fam == AF_INET ? 0 : -EINVAL;
}

static int32_t get_int(const struct linux_ifreq *r)
{
	uint32_t v = 0;

	if (fw_bytes_get_u32_le(FW_BYTES_OF_ARRAY(r->u), 0, &v))
		return 0;
	return (int32_t)v;
}

static void put_int(struct linux_ifreq *r, int32_t v)
{
	if (fw_buf_put_u32_le(FW_BUF_OF_ARRAY(r->u), 0, (uint32_t)v))
		return;
}

/* Host-order helpers for the address class rules. */
static uint32_t ntoh32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/* Linux inet_abc_len: the classful prefix length, or -1 (multicast). */
static int abc_len(uint32_t addr)
{
	uint32_t h = ntoh32(addr);

	if ((h >> 24) == 0 || h == 0xffffffffu)
		return 0;
	if ((h & 0x80000000u) == 0)
		return 8;
	if ((h & 0xc0000000u) == 0x80000000u)
		return 16;
	if ((h & 0xe0000000u) == 0xc0000000u)
		return 24;
	if ((h & 0xf0000000u) == 0xf0000000u)
		return 32;
	return -1;
}

static uint32_t mask_of_len(int len)
{
	return len <= 0 ? 0 : __builtin_bswap32(~0u << (32 - len));
}

/* Linux bad_mask: the mask's ones must be contiguous from the top. */
static bool mask_ok(uint32_t mask)
{
	uint32_t inv = ~ntoh32(mask);

	return (inv & (inv + 1)) == 0;
}

static long addr_ioctl(struct netdev *d, unsigned cmd, struct linux_ifreq *r)
{
	uint32_t addr, mask, bcast, v = 0;
	int len;

	netdev_ipv4(d, &addr, &mask);
	bcast = netdev_ipv4_bcast(d);
	if (cmd != SIOCSIFADDR && !addr)
		return -EADDRNOTAVAIL;
	switch (cmd) {
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
		put_sin(r, addr);
		return 0;
	case SIOCGIFNETMASK:
		put_sin(r, mask);
		return 0;
	case SIOCGIFBRDADDR:
		put_sin(r, bcast);
		return 0;
	}
	if (get_sin(r, &v))
		return -EINVAL;
	switch (cmd) {
	case SIOCSIFADDR:
		len = abc_len(v);
		if (len < 0)
			return -EINVAL;
		netdev_set_ipv4(d, v, v ? mask_of_len(len) : 0);
		return 0;
	case SIOCSIFNETMASK:
		if (!mask_ok(v))
			return -EINVAL;
		netdev_set_ipv4(d, addr, v);
		/* A broadcast address set by hand stays. */
		if (bcast != (addr | ~mask))
			netdev_set_ipv4_bcast(d, bcast);
		return 0;
	default: /* SIOCSIFBRDADDR */
		netdev_set_ipv4_bcast(d, v);
		return 0;
	}
}

/* The flags user space sees: IFF_RUNNING only while up (Linux
 * dev_get_flags). */
static unsigned shown_flags(const struct netdev *d)
{
	unsigned f = atomic_load(&d->flags);

	return f & IFF_UP ? f : f & ~IFF_RUNNING;
}

/* Linux __dev_change_flags: these a user may change; IFF_UP opens or
 * closes the device. PROMISC and ALLMULTI are kept and shown (Linux's
 * gflags); the device needs no telling: virtio-net without a control
 * queue hands us every frame already, and what is not ours reaches
 * only packet sockets. IFF_RUNNING is up and carrier (Linux's
 * netif_oper_up), the carrier from the driver (ops->carrier). */
#define IFF_CHANGEABLE                                                         \
	(IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | IFF_DYNAMIC |                \
	 IFF_MULTICAST | IFF_PORTSEL | IFF_AUTOMEDIA | IFF_UP | IFF_PROMISC |  \
	 IFF_ALLMULTI)

static bool carrier_ok(struct netdev *d)
{
	return !d->ops->carrier || d->ops->carrier(d);
}

static void set_flags(struct netdev *d, unsigned want)
{
	unsigned old = atomic_load(&d->flags), nf;
	bool carrier = carrier_ok(d);

	do {
		nf = (old & ~(unsigned)IFF_CHANGEABLE) | (want & IFF_CHANGEABLE);
		if ((nf & IFF_UP) && carrier)
			nf |= IFF_RUNNING;
		else
			nf &= ~(unsigned)IFF_RUNNING;
	} while (!atomic_compare_exchange_weak(&d->flags, &old, nf));
	if ((old & IFF_UP) && !(nf & IFF_UP)) {
		arp_dev_down(d);
		packet_dev_down(d);
	}
	if (!(old & IFF_UP) && (nf & IFF_UP))
		arp_dev_up(d);
}

void link_dev_set_up(struct netdev *d, bool up)
{
	unsigned f = atomic_load(&d->flags);

	set_flags(d, up ? f | IFF_UP : f & ~(unsigned)IFF_UP);
}

static long dev_ifsioc(struct netdev *d, unsigned cmd, struct linux_ifreq *r)
{
	int32_t v;

	switch (cmd) {
	case SIOCGIFFLAGS:
		for (unsigned i = 0; i < sizeof(r->u); i++)
			r->u[i] = 0;
		put_int(r, (int32_t)(uint16_t)shown_flags(d));
		return 0;
	case SIOCSIFFLAGS:
		/* ifr_flags is a short: the high flags are not settable. */
		set_flags(d, (atomic_load(&d->flags) & 0xffff0000u) |
				     (uint16_t)get_int(r));
		return 0;
	case SIOCGIFMETRIC:
		put_int(r, 0);
		return 0;
	case SIOCSIFMETRIC:
		return -EOPNOTSUPP; /* Linux too */
	case SIOCGIFMTU:
		put_int(r, (int32_t)d->mtu);
		return 0;
	case SIOCSIFMTU:
		v = get_int(r);
		/* Our receive buffers hold 1500-byte payloads (virtio-net
		 * without mergeable buffers): no jumbo frames. */
		if (v < (int32_t)ETH_MIN_MTU ||
		    (d->type == ARPHRD_ETHER && v > ETH_DATA_LEN) || v > 65536)
			return -EINVAL;
		d->mtu = (unsigned)v;
		return 0;
	case SIOCGIFHWADDR: {
		struct fw_buf b = FW_BUF_OF_ARRAY(r->u);

		for (unsigned i = 0; i < sizeof(r->u); i++)
			r->u[i] = 0;
		if (fw_buf_put_u16_le(b, 0, d->type))
			return -EINVAL;
		for (unsigned i = 0; i < d->hwaddr_len && i < ETH_ALEN; i++)
			r->u[2 + i] = d->hwaddr[i];
		return 0;
	}
	case SIOCSIFHWADDR:
		return -EOPNOTSUPP; /* changing the MAC: not implemented */
	case SIOCGIFINDEX:
		put_int(r, d->ifindex);
		return 0;
	case SIOCGIFMAP:
		/* struct ifmap: no ISA-style memory, port, IRQ or DMA to
		 * show (Linux shows zeros for PCI devices too). */
		for (unsigned i = 0; i < sizeof(r->u); i++)
			r->u[i] = 0;
		return 0;
	case SIOCGIFTXQLEN:
		put_int(r, (int32_t)d->txqlen);
		return 0;
	default: /* SIOCSIFTXQLEN */
		v = get_int(r);
		if (v < 0)
			return -EINVAL;
		d->txqlen = (unsigned)v; /* stored and shown only */
		return 0;
	}
}

void netdev_carrier_changed(struct netdev *d)
{
	set_flags(d, atomic_load(&d->flags));
}

/* SIOCGIFCONF: an ifreq (name, AF_INET address) per device with an
 * IPv4 address; with a NULL buffer only the length needed. */
static long ifconf(uint64_t arg)
{
	struct linux_ifconf c;
	struct netdev *d = NULL;
	int32_t done = 0;
	fw_uptr_t u = fw_uptr(arg);

	if (FW_COPY_IN_OBJ(&c, u))
		return -EFAULT;
	while ((d = netdev_next(d))) {
		struct linux_ifreq r = { .name = d->name };
		uint32_t addr, mask;

		netdev_ipv4(d, &addr, &mask);
		if (!addr)
			continue;
		if (c.buf) {
			if (c.len - done < (int32_t)sizeof(r))
				break;
			put_sin(&r, addr);
			if (FW_COPY_OUT_OBJ(fw_uptr(c.buf + (uint64_t)done),
					    &r))
				return -EFAULT;
		}
		done += (int32_t)sizeof(r);
	}
	c.len = done;
	return FW_COPY_OUT_OBJ(u, &c) ? -EFAULT : 0;
}

long dev_ioctl(int family, unsigned cmd, uint64_t arg)
{
	struct linux_ifreq r;
	struct netdev *d;
	fw_uptr_t u = fw_uptr(arg);
	long err;

	if (cmd == SIOCGIFCONF)
		return ifconf(arg);
	if (is_addr(cmd) && family != AF_INET && family != AF_PACKET)
		return -ENOTTY;
	if (FW_COPY_IN_OBJ(&r, u))
		return -EFAULT;
	r.name.s[NETDEV_NAME_MAX - 1] = 0;
	if (cmd == SIOCGIFNAME) {
		d = netdev_by_index(get_int(&r));
		if (!d)
			return -ENODEV;
		r.name = d->name;
		return FW_COPY_OUT_OBJ(u, &r) ? -EFAULT : 0;
	}
	if (is_set(cmd) && !link_capable(CAP_NET_ADMIN))
		return -EPERM;
	/* Linux devinet_ioctl: a set address of another family is EINVAL
	 * before the device is looked up. */
	if (is_set(cmd) && is_addr(cmd)) {
		uint32_t v;

		if (get_sin(&r, &v))
			return -EINVAL;
	}
	d = netdev_by_name(&r.name);
	if (!d)
		return -ENODEV;
	err = is_addr(cmd) ? addr_ioctl(d, cmd, &r) : dev_ifsioc(d, cmd, &r);
	if (err || is_set(cmd))
		return err;
	return FW_COPY_OUT_OBJ(u, &r) ? -EFAULT : 0;
}
