/* services/net/inet/route.c: the IPv4 route table.
 *
 * Layer: services (safe C), net/inet, after Linux's FIB as the old
 * route(8) ioctls see it. A look-up tries, in order: our own addresses
 * (127.0.0.0/8 and every interface's address: delivered over lo, from
 * 127.0.0.1 or that address, as Linux's local table), broadcasts
 * (255.255.255.255 out of the first interface that has an address, a
 * subnet's broadcast out of its interface), the subnets the interfaces'
 * addresses and masks make (next hop: the destination itself), then the
 * table that SIOCADDRT/SIOCDELRT edit (longest prefix, then lowest
 * metric; the default route is 0.0.0.0/0). The table is short (64
 * routes) and looked up linearly, under route_lock (lock order:
 * inet_lock, route_lock, netdev's lock). */
#include <fw/string.h>

#include "current/current.h"
#include "fs/procfs/procfs.h"
#include "net/inet/inet.h"

#define ROUTE_MAX 64
#define RTF_UP 0x0001u
#define RTF_GATEWAY 0x0002u
#define RTF_HOST 0x0004u
#define SIOCADDRT 0x890B
#define SIOCDELRT 0x890C

struct route_entry {
	bool used;
	uint32_t dst, mask, gw;		/* host order; gw 0: direct */
	struct netdev *dev;
	int metric;
};

static struct fw_spinlock route_lock = FW_SPINLOCK_INIT("route");
static struct route_entry routes[ROUTE_MAX];

static uint32_t dev_addr(struct netdev *d, uint32_t *mask)
{
	uint32_t a, m;

	netdev_ipv4(d, &a, &m);
	*mask = __builtin_bswap32(m);
	return __builtin_bswap32(a);
}

static bool dev_up(struct netdev *d)
{
	return atomic_load(&d->flags) & IFF_UP;
}

bool inet_addr_local(uint32_t addr)
{
	if ((addr >> 24) == 127)
		return true;
	return addr && netdev_by_ipv4(__builtin_bswap32(addr)) != NULL;
}

bool inet_addr_bcast(uint32_t addr)
{
	struct netdev *d = NULL;

	if (addr == INADDR_BROADCAST)
		return true;
	while ((d = netdev_next(d))) {
		uint32_t mask, a = dev_addr(d, &mask);

		if (a && mask != 0xffffffffu && addr == (a | ~mask))
			return true;
	}
	return false;
}

int route_lookup(uint32_t daddr, struct route *out)
{
	struct netdev *d = NULL;
	int best = -1;
	uint32_t mask, a;

	out->local = false;
	out->bcast = false;
	if (inet_addr_local(daddr)) {
		out->dev = &loopback_dev;
		out->next_hop = daddr;
		out->src = (daddr >> 24) == 127 ? INADDR_LOOPBACK : daddr;
		out->local = true;
		out->bcast = inet_addr_bcast(daddr); /* 127.255.255.255 */
		return 0;
	}
	while ((d = netdev_next(d))) {
		a = dev_addr(d, &mask);
		if (!a || !dev_up(d))
			continue;
		if (daddr == INADDR_BROADCAST && d != &loopback_dev) {
			out->dev = d;
			out->next_hop = daddr;
			out->src = a;
			out->bcast = true;
			return 0;
		}
		if ((daddr & mask) == (a & mask)) {
			out->dev = d;
			out->next_hop = daddr;
			out->src = a;
			out->bcast = mask != 0xffffffffu && daddr == (a | ~mask);
			/* lo's subnet broadcast stays on this host */
			out->local = d == &loopback_dev;
			return 0;
		}
	}
	fw_spin_lock(&route_lock);
	for (int i = 0; i < ROUTE_MAX; i++) {
		struct route_entry *e = &routes[i];

		if (!e->used || (daddr & e->mask) != e->dst || !dev_up(e->dev))
			continue;
		if (best < 0 || e->mask > routes[best].mask ||
		    (e->mask == routes[best].mask &&
		     e->metric < routes[best].metric))
			best = i;
	}
	if (best >= 0) {
		out->dev = routes[best].dev;
		out->next_hop = routes[best].gw ? routes[best].gw : daddr;
	}
	fw_spin_unlock(&route_lock);
	if (best < 0)
		return -ENETUNREACH;
	a = dev_addr(out->dev, &mask);
	out->src = a;
	out->local = out->dev == &loopback_dev;
	return 0;
}

/* The interface whose subnet holds addr (or lo for our own), or NULL. */
static struct netdev *dev_for(uint32_t addr)
{
	struct netdev *d = NULL;

	if (inet_addr_local(addr))
		return &loopback_dev;
	while ((d = netdev_next(d))) {
		uint32_t mask, a = dev_addr(d, &mask);

		if (a && (addr & mask) == (a & mask))
			return d;
	}
	return NULL;
}

/* struct rtentry (linux/route.h), x86-64 layout. */
struct linux_rtentry {
	uint64_t rt_pad1;
	uint8_t rt_dst[16];		/* struct sockaddr */
	uint8_t rt_gateway[16];
	uint8_t rt_genmask[16];
	uint16_t rt_flags;
	int16_t rt_pad2;
	uint64_t rt_pad3;
	uint64_t rt_pad4;
	int16_t rt_metric;
	uint16_t pad5[3];
	uint64_t rt_dev;		/* char *: the device name, or 0 */
	uint64_t rt_mtu;
	uint64_t rt_window;
	uint16_t rt_irtt;
	uint16_t pad6[3];
};

/* A struct sockaddr's IPv4 address: -EAFNOSUPPORT unless AF_INET. */
static int sa_addr(struct fw_bytes sa, uint32_t *addr, bool any_family)
{
	uint16_t fam = 0;

	if (fw_bytes_get_u16_le(sa, 0, &fam) || fw_bytes_get_u32_be(sa, 4, addr))
		return -EINVAL;
	if (fam != AF_INET && !(any_family && fam == AF_UNSPEC))
		return -EAFNOSUPPORT;
	return 0;
}

static bool mask_ok(uint32_t m)
{
	return (~m & (~m + 1)) == 0; /* ones then zeros */
}

long route_ioctl(unsigned cmd, uint64_t arg)
{
	struct linux_rtentry rt;
	struct route_entry e = { 0 };
	struct netdev *dev = NULL;
	int err, free_slot = -1;

	if (!cred_capable(fs_cred(), CAP_NET_ADMIN))
		return -EPERM; /* CAP_NET_ADMIN */
	if (FW_COPY_IN_OBJ(&rt, fw_uptr(arg)))
		return -EFAULT;
	err = sa_addr(FW_BYTES_OF_ARRAY(rt.rt_dst), &e.dst, false);
	if (err)
		return err;
	if (rt.rt_flags & RTF_HOST) {
		e.mask = 0xffffffffu;
	} else {
		err = sa_addr(FW_BYTES_OF_ARRAY(rt.rt_genmask), &e.mask, true);
		if (err)
			return err;
		if (!mask_ok(e.mask) || (e.dst & ~e.mask))
			return -EINVAL;
	}
	if (rt.rt_dev) {
		struct netdev_name name = { 0 };
		long n = fw_copy_in_str(FW_BUF_OF_ARRAY(name.s), fw_uptr(rt.rt_dev));

		if (n < 0)
			return n == -ENAMETOOLONG ? -ENODEV : (int)n;
		dev = netdev_by_name(&name);
		if (!dev)
			return -ENODEV;
	}
	if (rt.rt_flags & RTF_GATEWAY) {
		err = sa_addr(FW_BYTES_OF_ARRAY(rt.rt_gateway), &e.gw, false);
		if (err)
			return err;
		if (!dev)
			dev = dev_for(e.gw);
		if (!dev && cmd == SIOCADDRT)
			return -ENETUNREACH;
	}
	e.metric = rt.rt_metric;
	e.dev = dev;
	e.used = true;
	fw_spin_lock(&route_lock);
	err = cmd == SIOCADDRT ? 0 : -ESRCH;
	for (int i = 0; i < ROUTE_MAX; i++) {
		struct route_entry *r = &routes[i];

		if (!r->used) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (r->dst != e.dst || r->mask != e.mask)
			continue;
		if (cmd == SIOCADDRT) {
			if (r->metric == e.metric) {
				err = -EEXIST;
				break;
			}
			continue;
		}
		if ((e.gw && r->gw != e.gw) || (dev && r->dev != dev))
			continue;
		r->used = false;
		err = 0;
		break;
	}
	if (cmd == SIOCADDRT && !err) {
		if (!dev)
			err = -ENODEV;
		else if (free_slot < 0)
			err = -ENOBUFS;
		else
			routes[free_slot] = e;
	}
	fw_spin_unlock(&route_lock);
	return err;
}

int route_add_default(uint32_t gw, struct netdev *dev)
{
	int err = -ENOBUFS, free_slot = -1;

	fw_spin_lock(&route_lock);
	for (int i = 0; i < ROUTE_MAX; i++) {
		if (!routes[i].used) {
			if (free_slot < 0)
				free_slot = i;
		} else if (routes[i].mask == 0 && routes[i].metric == 0) {
			err = -EEXIST;
		}
	}
	if (err != -EEXIST && free_slot >= 0) {
		routes[free_slot] = (struct route_entry){ .used = true, .gw = gw,
							  .dev = dev };
		err = 0;
	}
	fw_spin_unlock(&route_lock);
	return err;
}

/* One /proc/net/route line: addresses as the raw network-order words
 * Linux prints with %08X (so 10.0.2.2 reads 0202000A on x86), each line
 * padded to 127 columns (net/ipv4/fib_trie.c fib_route_seq_show). */
static void route_line(struct procfs_seq *s, const struct netdev *d,
		       uint32_t dst, uint32_t gw, unsigned flags, int metric,
		       uint32_t mask)
{
	char line[128];

	snprintf(line, sizeof line, "%s\t%08X\t%08X\t%04X\t0\t0\t%d\t%08X\t0\t0\t0",
		 d->name.s, __builtin_bswap32(dst), __builtin_bswap32(gw), flags,
		 metric, __builtin_bswap32(mask));
	procfs_printf(s, "%-127s\n", line);
}

/* /proc/net/route: the main table, as `route -n` and `netstat -r` read
 * it: each up interface's subnet, then the routes SIOCADDRT added. The
 * local routes (our addresses, 127/8) are in Linux's local table, which
 * this file does not show. */
void route_proc(struct procfs_seq *s)
{
	struct netdev *d = NULL;

	procfs_printf(s, "%-127s\n",
		      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\t"
		      "Metric\tMask\t\tMTU\tWindow\tIRTT");
	while ((d = netdev_next(d))) {
		uint32_t mask, a = dev_addr(d, &mask);

		if (a && dev_up(d) && !(atomic_load(&d->flags) & IFF_LOOPBACK))
			route_line(s, d, a & mask, 0, RTF_UP, 0, mask);
	}
	fw_spin_lock(&route_lock);
	for (unsigned i = 0; i < ROUTE_MAX; i++) {
		const struct route_entry *r = &routes[i];

		if (!r->used || !r->dev)
			continue;
		route_line(s, r->dev, r->dst, r->gw,
			   RTF_UP | (r->gw ? RTF_GATEWAY : 0u) |
				   (r->mask == 0xffffffffu ? RTF_HOST : 0u),
			   r->metric, r->mask);
	}
	fw_spin_unlock(&route_lock);
}
