/* services/net/link/link.h: the Ethernet link layer, inside.
 *
 * Layer: services (safe C), net/link. What eth.c, arp.c, packet.c and
 * ifioctl.c share; the outside sees netdev.h (netdev_rx,
 * netdev_xmit_ipv4), packet_create and dev_ioctl below.
 *
 * Folder services/net/link: Ethernet demux and framing (eth.c), ARP
 * (arp.c, arp_wire.c), AF_PACKET sockets (packet.c), the classic BPF
 * interpreter they filter with (bpf.c), the interface ioctls (ifioctl.c),
 * /proc/net/dev and /proc/net/arp (procnet.c), NETLINK_ROUTE
 * (netlink.c), the ip= boot configuration and its DHCP client
 * (ipconfig.c, dhcp_wire.c). Calls the
 * generic socket layer (net/socket.h), the registry (net/netdev.h), fs
 * (procfs text), current (credentials). */
#ifndef SERVICES_NET_LINK_H
#define SERVICES_NET_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <fw/bytes.h>
#include <fw/compiler.h>

#include "current/current.h"
#include "net/netdev.h"

struct socket;
struct procfs_seq;

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_DATA_LEN 1500
#define ETH_FRAME_MAX (ETH_HLEN + ETH_DATA_LEN)
#define ETH_ZLEN 60			/* shortest frame, without FCS */

/* Ethertypes (host order here; on the wire and in sockaddr_ll they are
 * big-endian, as Linux's htons(ETH_P_IP)). */
#define ETH_P_ALL 0x0003
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806

#define SOL_PACKET 263

/* sll_pkttype (linux/if_packet.h). */
#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define PACKET_OUTGOING 4

struct eth_addr {
	uint8_t b[ETH_ALEN];
};

/* 1 if d is an Ethernet device with IFF_UP. */
bool eth_dev_up(const struct netdev *d);
/* The device's own address as an eth_addr. */
struct eth_addr eth_dev_addr(const struct netdev *d);
/* Send payload on d to dst with the given ethertype (host order): the
 * header is put in front and the frame is shown to ETH_P_ALL packet
 * sockets as PACKET_OUTGOING (not to from, the sender). 0 or -errno
 * (-EMSGSIZE, -ENETDOWN, the driver's -ENOBUFS). */
FW_MUST_CHECK int eth_xmit(struct netdev *d, const struct eth_addr *dst,
			   uint16_t type, struct fw_bytes payload,
			   struct socket *from);
/* Send a whole frame (header included) as built by a packet socket. */
FW_MUST_CHECK int eth_xmit_frame(struct netdev *d, struct fw_bytes frame,
				 struct socket *from);

/* ifioctl.c: bring d up or down, as SIOCSIFFLAGS with or without IFF_UP
 * would. */
void link_dev_set_up(struct netdev *d, bool up);

/* ipconfig.c: while the ip= DHCP client listens, take the replies meant
 * for it from the IPv4 packets d received (true: taken). */
bool ipconfig_rx(struct netdev *d, struct fw_bytes pkt);
/* /proc/net/pnp's text into seq. */
void ipconfig_pnp_proc(struct procfs_seq *seq);

/* arp.c: a received ARP packet (no link header). */
void arp_rcv(struct netdev *d, struct fw_bytes pkt);
/* An Ethernet device came up: ARP's timer task runs from then on. */
void arp_dev_up(struct netdev *d);
/* The device went down: forget its neighbours (arp.c), report
 * ENETDOWN to the packet sockets bound to it (packet.c). */
void arp_dev_down(struct netdev *d);
void packet_dev_down(struct netdev *d);

/* One pass of the neighbour timers at the current time (the arpd
 * task's loop body; host tests call it): retransmit, give up, age.
 * Returns the next deadline (UINT64_MAX: none). */
uint64_t arp_tick(void);
/* The neighbour cache as it is now (RTM_GETNEIGH). */
struct arp_entry {
	struct netdev *dev;
	uint32_t ip;			/* network order */
	struct eth_addr ha;		/* valid when known */
	uint16_t nud_state;		/* Linux NUD_* (NUD_REACHABLE ...) */
	bool known;			/* the link address is valid */
};
#define ARP_SNAPSHOT_MAX 64
struct arp_entry_info {
	struct arp_entry info[ARP_SNAPSHOT_MAX];
};
/* Copy up to max (<= ARP_SNAPSHOT_MAX) entries into out; how many. */
unsigned arp_snapshot(struct arp_entry_info *out, unsigned max);
/* /proc/net/arp's text into seq (procnet.c formats one line each). */
struct procfs_seq;
void arp_proc(struct procfs_seq *s);

/* packet.c: show a frame to the packet sockets (task context). */
void packet_rcv(struct netdev *d, struct fw_bytes frame, unsigned pkttype,
		struct socket *from);
/* socket(AF_PACKET, type, protocol). */
FW_MUST_CHECK int packet_create(int type, int protocol, struct socket **out);

/* netlink.c: socket(AF_NETLINK, type, NETLINK_ROUTE); netlink_init
 * once at boot, before the first socket. */
void netlink_init(void);
FW_MUST_CHECK int netlink_create(int type, int protocol, struct socket **out);

/* rtnl_route.c: routes over NETLINK_ROUTE (nl_lock held). A dump's
 * RTM_NEWROUTE messages into o; one destination's route into o (0 or
 * -errno, nothing written then); add or delete a route (0 or -errno). */
struct nl_out;
void rtnl_route_dump(struct nl_out *o, uint8_t family, uint32_t seq,
		     int32_t portid);
FW_MUST_CHECK int rtnl_route_get(struct nl_out *o, struct fw_bytes msg,
				 uint32_t seq, int32_t portid);
FW_MUST_CHECK int rtnl_route_change(uint16_t type, uint16_t flags,
				    struct fw_bytes msg);

/* ifioctl.c: the interface ioctls (SIOCGIFFLAGS ...) on a socket of
 * the given family. true if cmd is one of them. */
bool dev_ioctl_cmd(unsigned cmd);
long dev_ioctl(int family, unsigned cmd, uint64_t arg);

/* CAP_NET_RAW / CAP_NET_ADMIN: root (the kernel has no capability sets
 * beyond euid 0). */
bool link_capable(unsigned cap);

#endif
