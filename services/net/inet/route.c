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
#define RTPROT_BOOT 3
#define RTF_UP 0x0001u
#define RTF_GATEWAY 0x0002u
#define RTF_HOST 0x0004u
#define SIOCADDRT 0x890B
#define SIOCDELRT 0x890C

struct route_entry {
	bool used;
	struct route_info r;
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
	uint32_t mask, a, best_mask = 0;
	int best = -1;
	bool found = false;

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
	/* Broadcasts first: Linux's local table holds them, ahead of any
	 * route of the main table. */
	while ((d = netdev_next(d))) {
		a = dev_addr(d, &mask);
		if (!a || !dev_up(d))
			continue;
		if ((daddr == INADDR_BROADCAST && d != &loopback_dev) ||
		    (mask != 0xffffffffu && daddr == (a | ~mask))) {
			out->dev = d;
			out->next_hop = daddr;
			out->src = a;
			out->bcast = true;
			/* lo's subnet broadcast stays on this host */
			out->local = d == &loopback_dev;
			return 0;
		}
	}
	/* Then the main table, longest prefix first: the interfaces'
	 * subnets (metric 0, so they win a tie) and the routes added. */
	while ((d = netdev_next(d))) {
		a = dev_addr(d, &mask);
		if (!a || !dev_up(d) || (daddr & mask) != (a & mask) ||
		    (found && mask <= best_mask))
			continue;
		out->dev = d;
		out->next_hop = daddr;
		out->src = a;
		out->local = d == &loopback_dev;
		best_mask = mask;
		found = true;
	}
	fw_spin_lock(&route_lock);
	for (int i = 0; i < ROUTE_MAX; i++) {
		const struct route_info *e = &routes[i].r;

		if (!routes[i].used || (daddr & e->mask) != e->dst ||
		    !dev_up(e->dev))
			continue;
		if (found && e->mask <= best_mask &&
		    !(e->mask == best_mask && best >= 0 &&
		      e->metric < routes[best].r.metric))
			continue;
		best = i;
		best_mask = e->mask;
		found = true;
	}
	if (best >= 0) {
		out->dev = routes[best].r.dev;
		out->next_hop = routes[best].r.gw ? routes[best].r.gw : daddr;
	}
	fw_spin_unlock(&route_lock);
	if (!found)
		return -ENETUNREACH;
	if (best >= 0) {
		out->src = dev_addr(out->dev, &mask);
		out->local = out->dev == &loopback_dev;
	}
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

/* Is there room, and does r clash with a route already there?
 * route_lock held. The slot to use, or -errno. */
static int add_slot(const struct route_info *r, unsigned how)
{
	int free_slot = -1, same = -1;

	for (int i = 0; i < ROUTE_MAX; i++) {
		const struct route_info *e = &routes[i].r;

		if (!routes[i].used) {
			if (free_slot < 0)
				free_slot = i;
		} else if (e->dst == r->dst && e->mask == r->mask &&
			   e->metric == r->metric) {
			/* Linux fib_table_insert: one destination, prefix
			 * and priority is one route unless told to replace
			 * or (not here: multipath) append. */
			if ((how & ROUTE_EXCL) ||
			    (!(how & ROUTE_REPLACE) && e->gw == r->gw &&
			     e->dev == r->dev))
				return -EEXIST;
			if (how & ROUTE_REPLACE)
				same = i;
		}
	}
	if (same >= 0)
		return same;
	if (!(how & ROUTE_CREATE))
		return -ENOENT;
	return free_slot >= 0 ? free_slot : -ENOBUFS;
}

int route_add(const struct route_info *r, unsigned how)
{
	struct route_info e = *r;
	int slot;

	if (!mask_ok(e.mask) || (e.dst & ~e.mask))
		return -EINVAL;
	if (e.gw) {
		/* Linux fib_check_nh: the gateway must be on a link (of the
		 * device named, if one is), or one of our own addresses. */
		struct netdev *via = dev_for(e.gw);

		if (!via || (e.dev && via != e.dev))
			return -ENETUNREACH;
		e.dev = via;
	}
	if (!e.dev)
		return -ENODEV;
	fw_spin_lock(&route_lock);
	slot = add_slot(&e, how);
	if (slot >= 0) {
		routes[slot].used = true;
		routes[slot].r = e;
	}
	fw_spin_unlock(&route_lock);
	return slot < 0 ? slot : 0;
}

int route_del(const struct route_info *r, unsigned match)
{
	int err = -ESRCH;

	fw_spin_lock(&route_lock);
	for (int i = 0; i < ROUTE_MAX; i++) {
		const struct route_info *e = &routes[i].r;

		if (!routes[i].used || e->dst != r->dst || e->mask != r->mask)
			continue;
		if (((match & ROUTE_MATCH_GW) && e->gw != r->gw) ||
		    ((match & ROUTE_MATCH_DEV) && e->dev != r->dev) ||
		    ((match & ROUTE_MATCH_METRIC) && e->metric != r->metric) ||
		    ((match & ROUTE_MATCH_PROTOCOL) &&
		     e->protocol != r->protocol) ||
		    ((match & ROUTE_MATCH_SCOPE) && e->scope != r->scope))
			continue;
		routes[i].used = false;
		err = 0;
		break;
	}
	fw_spin_unlock(&route_lock);
	return err;
}

unsigned route_snapshot(struct route_snapshot *out)
{
	struct netdev *d = NULL;
	unsigned n = 0;

	while ((d = netdev_next(d)) && n < ROUTE_SNAPSHOT_MAX) {
		uint32_t mask, a = dev_addr(d, &mask);

		if (!a || !dev_up(d) || (atomic_load(&d->flags) & IFF_LOOPBACK))
			continue;
		out->r[n++] = (struct route_info){
			.dst = a & mask, .mask = mask, .prefsrc = a, .dev = d,
			.protocol = RTPROT_KERNEL, .scope = RT_SCOPE_LINK,
		};
	}
	fw_spin_lock(&route_lock);
	for (unsigned i = 0; i < ROUTE_MAX && n < ROUTE_SNAPSHOT_MAX; i++)
		if (routes[i].used)
			out->r[n++] = routes[i].r;
	fw_spin_unlock(&route_lock);
	return n;
}

long route_ioctl(unsigned cmd, uint64_t arg)
{
	struct linux_rtentry rt;
	struct route_info e = { .protocol = RTPROT_BOOT };
	unsigned match = 0;
	int err;

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
		e.dev = netdev_by_name(&name);
		if (!e.dev)
			return -ENODEV;
		match |= ROUTE_MATCH_DEV;
	}
	if (rt.rt_flags & RTF_GATEWAY) {
		err = sa_addr(FW_BYTES_OF_ARRAY(rt.rt_gateway), &e.gw, false);
		if (err)
			return err;
		match |= ROUTE_MATCH_GW;
	}
	e.metric = rt.rt_metric;
	e.scope = e.gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (cmd == SIOCADDRT)
		return route_add(&e, ROUTE_CREATE | ROUTE_EXCL);
	return route_del(&e, match);
}

int route_add_default(uint32_t gw, struct netdev *dev)
{
	struct route_info e = { .gw = gw, .dev = dev, .protocol = RTPROT_BOOT,
				.scope = RT_SCOPE_UNIVERSE };

	return route_add(&e, ROUTE_CREATE | ROUTE_EXCL);
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
	struct route_snapshot *snap = FW_NEW(struct route_snapshot);
	unsigned n;

	procfs_printf(s, "%-127s\n",
		      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\t"
		      "Metric\tMask\t\tMTU\tWindow\tIRTT");
	if (!snap)
		return;
	n = route_snapshot(snap);
	for (unsigned i = 0; i < n; i++) {
		const struct route_info *r = &snap->r[i];

		route_line(s, r->dev, r->dst, r->gw,
			   RTF_UP | (r->gw ? RTF_GATEWAY : 0u) |
				   (r->mask == 0xffffffffu ? RTF_HOST : 0u),
			   r->metric, r->mask);
	}
	fw_free(snap);
}
