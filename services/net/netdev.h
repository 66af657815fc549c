/* services/net/netdev.h: network interfaces, and the seam between the
 * link layer and IPv4.
 *
 * Layer: services (safe C), net. A driver (virtio-net, the loopback
 * device) fills a struct netdev it owns and registers it; from then on
 * the device lives until shutdown (Linux too never frees a registered
 * physical device while it is in use; we never unregister).
 *
 * Who implements what:
 *  - netdev.c: the registry (names, indexes, addresses).
 *  - the link layer (services/net/link/): netdev_rx (Ethernet demux,
 *    ARP, packet sockets) and netdev_xmit_ipv4 (ARP resolution, the
 *    Ethernet header).
 *  - IPv4 (services/net/inet/): ipv4_rcv, and the loopback device.
 * Both run netdev_rx/ipv4_rcv in task context (never in an interrupt
 * handler): they may take spinlocks and wake waiters, but not sleep. */
#ifndef SERVICES_NET_NETDEV_H
#define SERVICES_NET_NETDEV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <fw/bytes.h>
#include <fw/list.h>

struct netdev;

struct netdev_ops {
	/* Send one frame as the device frames it: an Ethernet frame with
	 * its header for ARPHRD_ETHER, a bare IPv4 packet for the loopback
	 * device. The device copies what it needs before returning. 0, or
	 * -ENOBUFS (queue full: dropped, counted), -ENETDOWN. */
	int (*xmit)(struct netdev *d, struct fw_bytes frame);
	/* Optional: the link (carrier) is there. NULL: always. While up,
	 * IFF_RUNNING follows it. */
	bool (*carrier)(struct netdev *d);
};

/* Counters, as /proc/net/dev and SIOCGIFSTATS-style tools show them. */
struct netdev_stats {
	_Atomic uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	_Atomic uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

/* Interface flags (linux/if.h) and hardware types (linux/if_arp.h). */
#define IFF_UP 0x1u
#define IFF_BROADCAST 0x2u
#define IFF_DEBUG 0x4u
#define IFF_LOOPBACK 0x8u
#define IFF_POINTOPOINT 0x10u
#define IFF_NOTRAILERS 0x20u
#define IFF_RUNNING 0x40u
#define IFF_NOARP 0x80u
#define IFF_PROMISC 0x100u
#define IFF_ALLMULTI 0x200u
#define IFF_MULTICAST 0x1000u
#define IFF_PORTSEL 0x2000u
#define IFF_AUTOMEDIA 0x4000u
#define IFF_DYNAMIC 0x8000u
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

#define NETDEV_NAME_MAX 16 /* IFNAMSIZ */
/* An interface name, NUL-terminated (a struct, so it is passed whole
 * and bounded: services hold no raw char pointers). */
struct netdev_name {
	char s[NETDEV_NAME_MAX];
};
#define NETDEV_HWADDR_MAX 6

struct netdev {
	struct netdev_name name;	/* "lo", "eth0": set by netdev_register */
	int ifindex;			/* from 1, in registration order */
	unsigned short type;		/* ARPHRD_ETHER, ARPHRD_LOOPBACK */
	_Atomic unsigned flags;		/* IFF_UP, IFF_RUNNING, IFF_LOOPBACK, ... */
	uint8_t hwaddr[NETDEV_HWADDR_MAX];
	unsigned hwaddr_len;		/* 6 for Ethernet, 0 for lo */
	unsigned mtu;			/* payload bytes past the link header */
	/* The IPv4 address and netmask, network byte order as in
	 * sockaddr_in; 0: none. Written under netdev_lock (netdev.c);
	 * read with netdev_ipv4(). */
	uint32_t ipv4_addr, ipv4_mask;
	/* The broadcast address (SIOCSIFBRDADDR); netdev_set_ipv4 sets
	 * Linux's default, addr | ~mask, on IFF_BROADCAST devices. */
	uint32_t ipv4_bcast;
	unsigned txqlen;		/* SIOCGIFTXQLEN: 1000 as Linux */
	const struct netdev_ops *ops;
	struct netdev_stats stats;
	struct fw_list node;		/* on the registry's list */
};

/* Register d (ops, type, flags, hwaddr, mtu filled in): name it from
 * pattern ("eth%d": the first free number; "lo": as is) and give it the
 * next index. 0, -EEXIST (a fixed name taken), -ENFILE (too many). */
int netdev_register(struct netdev *d, const struct netdev_name *pattern);
/* Look-ups; NULL if there is none. Devices are never freed. */
struct netdev *netdev_by_index(int ifindex);
struct netdev *netdev_by_name(const struct netdev_name *name);
/* The device whose address is addr (network order), or NULL. */
struct netdev *netdev_by_ipv4(uint32_t addr);
/* The device after prev in index order (prev NULL: the first), or NULL. */
struct netdev *netdev_next(struct netdev *prev);
/* Read or set a device's address and mask together. */
void netdev_ipv4(struct netdev *d, uint32_t *addr, uint32_t *mask);
void netdev_set_ipv4(struct netdev *d, uint32_t addr, uint32_t mask);
uint32_t netdev_ipv4_bcast(struct netdev *d);
void netdev_set_ipv4_bcast(struct netdev *d, uint32_t bcast);

/* Hand a frame to d's driver (ops->xmit), through the lossy-link test
 * knobs (netem.h) when they are on. */
int netdev_dev_xmit(struct netdev *d, struct fw_bytes frame);

/* Link layer: the driver saw its carrier come or go (task context):
 * IFF_RUNNING is set again from ops->carrier. */
void netdev_carrier_changed(struct netdev *d);
/* Link layer: a received frame, from the device's driver. */
void netdev_rx(struct netdev *d, struct fw_bytes frame);
/* Link layer: send an IPv4 packet (header included) on d to the
 * neighbour next_hop (network order), resolving its link address first
 * (the packet waits in a short queue while ARP asks). 0 or -errno
 * (-EHOSTUNREACH once ARP gave up, -ENOBUFS, -ENETDOWN). */
int netdev_xmit_ipv4(struct netdev *d, uint32_t next_hop,
		     struct fw_bytes packet);

/* IPv4: a received IPv4 packet (the link header removed). */
void ipv4_rcv(struct netdev *d, struct fw_bytes packet);

#endif
