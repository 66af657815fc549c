/* services/net/netdev.c: the registry of network interfaces.
 *
 * Layer: services (safe C), net. A short list under one spinlock: hosts
 * have a handful of interfaces and look-ups by name or index come from
 * configuration calls, not per packet (the packet paths hold their
 * struct netdev). See netdev.h for who implements the rest. */
#include <fw/errno.h>
#include <fw/string.h>
#include <fw/sync.h>

#include "net/netdev.h"
#include "net/netem.h"

#define NETDEV_MAX 64

static struct fw_spinlock netdev_lock = FW_SPINLOCK_INIT("netdev");
static struct fw_list netdevs = FW_LIST_HEAD_INIT(netdevs);
static int netdev_last_index;

static struct netdev *find_name_locked(const struct netdev_name *name)
{
	struct netdev *d;

	FW_LIST_FOR_EACH(d, &netdevs, node)
		if (!strcmp(d->name.s, name->s))
			return d;
	return NULL;
}

/* pattern "eth%d" -> "eth0", "eth1", ...: the first number not in use;
 * a pattern without "%d" is the name itself. */
static int pick_name_locked(const struct netdev_name *pattern,
			    struct netdev_name *out)
{
	struct netdev_name prefix = *pattern;
	size_t i;

	prefix.s[NETDEV_NAME_MAX - 1] = 0;
	for (i = 0; prefix.s[i] && prefix.s[i] != '%'; i++)
		;
	if (!prefix.s[i]) {
		*out = prefix;
		return find_name_locked(out) ? -EEXIST : 0;
	}
	prefix.s[i] = 0;
	for (int n = 0; n < NETDEV_MAX; n++) {
		struct netdev_name name = { 0 };

		snprintf(name.s, sizeof name.s, "%s%d", prefix.s, n);
		if (!find_name_locked(&name)) {
			*out = name;
			return 0;
		}
	}
	return -ENFILE;
}

int netdev_register(struct netdev *d, const struct netdev_name *pattern)
{
	int err;

	fw_spin_lock(&netdev_lock);
	err = netdev_last_index >= NETDEV_MAX ? -ENFILE
					       : pick_name_locked(pattern, &d->name);
	if (!err) {
		d->ifindex = ++netdev_last_index;
		fw_list_add_tail(&netdevs, &d->node);
	}
	fw_spin_unlock(&netdev_lock);
	return err;
}

struct netdev *netdev_by_index(int ifindex)
{
	struct netdev *d, *found = NULL;

	fw_spin_lock(&netdev_lock);
	FW_LIST_FOR_EACH(d, &netdevs, node)
		if (d->ifindex == ifindex) {
			found = d;
			break;
		}
	fw_spin_unlock(&netdev_lock);
	return found;
}

struct netdev *netdev_by_name(const struct netdev_name *name)
{
	struct netdev *d;

	fw_spin_lock(&netdev_lock);
	d = find_name_locked(name);
	fw_spin_unlock(&netdev_lock);
	return d;
}

struct netdev *netdev_by_ipv4(uint32_t addr)
{
	struct netdev *d, *found = NULL;

	fw_spin_lock(&netdev_lock);
	FW_LIST_FOR_EACH(d, &netdevs, node)
		if (d->ipv4_addr && d->ipv4_addr == addr) {
			found = d;
			break;
		}
	fw_spin_unlock(&netdev_lock);
	return found;
}

struct netdev *netdev_next(struct netdev *prev)
{
	struct netdev *d, *found = NULL;

	fw_spin_lock(&netdev_lock);
	FW_LIST_FOR_EACH(d, &netdevs, node)
		if (d->ifindex > (prev ? prev->ifindex : 0)) {
			found = d;
			break;
		}
	fw_spin_unlock(&netdev_lock);
	return found;
}

void netdev_ipv4(struct netdev *d, uint32_t *addr, uint32_t *mask)
{
	fw_spin_lock(&netdev_lock);
	*addr = d->ipv4_addr;
	*mask = d->ipv4_mask;
	fw_spin_unlock(&netdev_lock);
}

void netdev_set_ipv4(struct netdev *d, uint32_t addr, uint32_t mask)
{
	fw_spin_lock(&netdev_lock);
	d->ipv4_addr = addr;
	d->ipv4_mask = mask;
	d->ipv4_bcast = addr && (atomic_load(&d->flags) & IFF_BROADCAST)
				? addr | ~mask
				: 0;
	fw_spin_unlock(&netdev_lock);
}

uint32_t netdev_ipv4_bcast(struct netdev *d)
{
	uint32_t b;

	fw_spin_lock(&netdev_lock);
	b = d->ipv4_bcast;
	fw_spin_unlock(&netdev_lock);
	return b;
}

void netdev_set_ipv4_bcast(struct netdev *d, uint32_t bcast)
{
	fw_spin_lock(&netdev_lock);
	d->ipv4_bcast = bcast;
	fw_spin_unlock(&netdev_lock);
}

int netdev_dev_xmit(struct netdev *d, struct fw_bytes frame)
{
	/* The loopback device judges its packets where it receives them. */
	if (netem_on && d->type == ARPHRD_ETHER)
		return netem_frame(d, true, frame, d->ops->xmit);
	return d->ops->xmit(d, frame);
}
