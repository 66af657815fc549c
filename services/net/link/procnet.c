/* services/net/link/procnet.c: /proc/net/dev and arp, and the files the
 * IPv4 side (route: net/inet/route.c; tcp, tcp6, udp, udp6, raw:
 * net/inet/inet_proc.c), AF_UNIX (unix: net/unix_proc.c) and ip= (pnp:
 * ipconfig.c) write.
 *
 * Layer: services (safe C), net/link; procfs (services/fs/procfs)
 * declares procfs_gen_net and calls it when the file is opened. The
 * formats are Linux's (net/core/net-procfs.c dev_seq_printf_stats,
 * net/ipv4/arp.c arp_format_neigh_entry), which ifconfig and
 * `cat /proc/net/dev` readers parse by column. Columns this kernel does
 * not count (fifo, frame, compressed, multicast, collisions, carrier)
 * are 0. */
#include <fw/errno.h>

#include "fs/procfs/procfs.h"
#include "net/inet/inet.h"
#include "net/link/link.h"
#include "net/unix/unix.h"

static void gen_dev(struct procfs_seq *s)
{
	struct netdev *d = NULL;

	procfs_printf(s, "Inter-|   Receive                            "
			 "                    |  Transmit\n");
	procfs_printf(s, " face |bytes    packets errs drop fifo frame "
			 "compressed multicast|bytes    packets errs drop "
			 "fifo colls carrier compressed\n");
	while ((d = netdev_next(d))) {
		const struct netdev_stats *st = &d->stats;

		procfs_printf(s,
			      "%6s: %7llu %7llu %4llu %4llu %4u %5u %10u "
			      "%9u %8llu %7llu %4llu %4llu %4u %5u %7u "
			      "%10u\n",
			      d->name.s,
			      (unsigned long long)atomic_load(&st->rx_bytes),
			      (unsigned long long)atomic_load(&st->rx_packets),
			      (unsigned long long)atomic_load(&st->rx_errors),
			      (unsigned long long)atomic_load(&st->rx_dropped),
			      0u, 0u, 0u, 0u,
			      (unsigned long long)atomic_load(&st->tx_bytes),
			      (unsigned long long)atomic_load(&st->tx_packets),
			      (unsigned long long)atomic_load(&st->tx_errors),
			      (unsigned long long)atomic_load(&st->tx_dropped),
			      0u, 0u, 0u, 0u);
	}
}

int procfs_gen_net(struct procfs_seq *s, unsigned kind)
{
	if (kind == PK_NET_DEV)
		gen_dev(s);
	else if (kind == PK_NET_ARP)
		arp_proc(s);
	else if (kind == PK_NET_ROUTE)
		route_proc(s);
	else if (kind == PK_NET_TCP)
		tcp_proc(s);
	else if (kind == PK_NET_TCP6)
		tcp6_proc(s);
	else if (kind == PK_NET_UDP)
		udp_proc(s);
	else if (kind == PK_NET_UDP6)
		udp6_proc(s);
	else if (kind == PK_NET_UNIX)
		unix_proc(s);
	else if (kind == PK_NET_RAW)
		raw_proc(s);
	else if (kind == PK_NET_PNP)
		ipconfig_pnp_proc(s);
	else
		return -ENOENT;
	return 0;
}
