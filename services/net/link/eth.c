/* services/net/link/eth.c: Ethernet framing and the receive demux.
 *
 * Layer: services (safe C), net/link (see link.h for the folder). A
 * frame from a driver (netdev_rx, task context) is classified (to us,
 * broadcast, multicast, another host), shown to the packet sockets that
 * want it, then handed by ethertype to IPv4 (ipv4_rcv) or ARP; anything
 * else only packet sockets see (Linux's __netif_receive_skb: taps
 * first, then the protocol handler). A device that is down receives
 * nothing, as a closed Linux device. */
#include <fw/errno.h>
#include <fw/string.h>

#include "current/current.h"
#include "net/link/link.h"
#include "net/netem.h"

bool link_capable(unsigned cap)
{
	return cred_capable(fs_cred(), cap);
}

bool eth_dev_up(const struct netdev *d)
{
	return d->type == ARPHRD_ETHER && (atomic_load(&d->flags) & IFF_UP);
}

struct eth_addr eth_dev_addr(const struct netdev *d)
{
	struct eth_addr a = { { 0 } };

	for (unsigned i = 0; i < ETH_ALEN; i++)
		a.b[i] = d->hwaddr[i];
	return a;
}

static unsigned classify(const struct netdev *d, const struct eth_addr *dst)
{
	bool bcast = true, ours = true;

	for (unsigned i = 0; i < ETH_ALEN; i++) {
		bcast = bcast && dst->b[i] == 0xff;
		ours = ours && dst->b[i] == d->hwaddr[i];
	}
	if (ours)
		return PACKET_HOST;
	if (bcast)
		return PACKET_BROADCAST;
	if (dst->b[0] & 1)
		return PACKET_MULTICAST;
	return PACKET_OTHERHOST;
}

/* A frame received (0: netem_deliver_fn's shape; nothing to report). */
static int eth_rcv(struct netdev *d, struct fw_bytes frame)
{
	struct eth_addr dst;
	struct fw_bytes payload;
	uint16_t type;
	unsigned pkttype;

	if (d->type != ARPHRD_ETHER) {
		/* A device without a link header (the loopback device: its
		 * frames are bare IPv4 packets, netdev.h; its driver counts
		 * them) has nothing to demultiplex. */
		if (atomic_load(&d->flags) & IFF_UP)
			ipv4_rcv(d, frame);
		return 0;
	}
	if (!eth_dev_up(d))
		return 0;
	if (fw_bytes_len(frame) < ETH_HLEN ||
	    fw_bytes_get_u16_be(frame, 12, &type) ||
	    fw_bytes_sub(frame, 0, ETH_ALEN, &payload) ||
	    fw_buf_copy_from(FW_BUF_OF_ARRAY(dst.b), 0, payload) ||
	    fw_bytes_sub(frame, ETH_HLEN, fw_bytes_len(frame) - ETH_HLEN,
			 &payload)) {
		atomic_fetch_add(&d->stats.rx_errors, 1);
		return 0;
	}
	atomic_fetch_add(&d->stats.rx_packets, 1);
	atomic_fetch_add(&d->stats.rx_bytes, fw_bytes_len(frame));
	pkttype = classify(d, &dst);
	packet_rcv(d, frame, pkttype, NULL);
	if (pkttype == PACKET_OTHERHOST)
		return 0; /* not for us (promiscuous taps saw it above) */
	if (type == ETH_P_IP) {
		if (!ipconfig_rx(d, payload))
			ipv4_rcv(d, payload);
	}
	else if (type == ETH_P_ARP)
		arp_rcv(d, payload);
	return 0;
}

void netdev_rx(struct netdev *d, struct fw_bytes frame)
{
	if (netem_on && d->type == ARPHRD_ETHER)
		(void)netem_frame(d, false, frame, eth_rcv); /* test knobs */
	else
		(void)eth_rcv(d, frame);
}

int eth_xmit_frame(struct netdev *d, struct fw_bytes frame,
		   struct socket *from)
{
	int err;

	if (!eth_dev_up(d))
		return -ENETDOWN;
	if (fw_bytes_len(frame) < ETH_HLEN ||
	    fw_bytes_len(frame) > ETH_HLEN + d->mtu)
		return -EMSGSIZE;
	err = netdev_dev_xmit(d, frame);
	if (err)
		return err;
	packet_rcv(d, frame, PACKET_OUTGOING, from);
	return 0;
}

/* The frame is built on the heap-free path: a stack buffer of one
 * maximal frame (1514 bytes, within the 2 KiB frame budget). Frames
 * shorter than 60 bytes are padded with zeros, as Linux's drivers pad
 * them for the wire (eth_skb_pad). */
int eth_xmit(struct netdev *d, const struct eth_addr *dst, uint16_t type,
	     struct fw_bytes payload, struct socket *from)
{
	uint8_t buf[ETH_FRAME_MAX];
	struct eth_addr src = eth_dev_addr(d);
	struct fw_writer w;
	struct fw_bytes frame;
	size_t len;

	if (fw_bytes_len(payload) > d->mtu)
		return -EMSGSIZE;
	fw_writer_init(&w, FW_BUF_OF_ARRAY(buf));
	if (fw_writer_bytes(&w, FW_BYTES_OF_ARRAY(dst->b)) ||
	    fw_writer_bytes(&w, FW_BYTES_OF_ARRAY(src.b)) ||
	    fw_writer_u16_be(&w, type) || fw_writer_bytes(&w, payload))
		return -EMSGSIZE;
	len = fw_writer_pos(&w);
	if (len < ETH_ZLEN) {
		if (fw_writer_fill(&w, ETH_ZLEN - len, 0))
			return -EMSGSIZE;
		len = ETH_ZLEN;
	}
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(buf), 0, len, &frame))
		return -EMSGSIZE;
	return eth_xmit_frame(d, frame, from);
}
