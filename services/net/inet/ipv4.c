/* services/net/inet/ipv4.c: IPv4 input and output.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/ip_input.c
 * and ip_output.c. Input checks the header as Linux ip_rcv_core does
 * (version 4, IHL at least 5 and inside the packet, total length at
 * least the header and at most what arrived, the header checksum) and
 * drops what fails, counting it. This host does not forward: a packet
 * for an address that is not ours is dropped (counted as an address
 * error). Fragments are dropped and counted (no reassembly yet); output
 * never fragments either, so a datagram over the route's MTU is
 * EMSGSIZE. The TTL matters only to routers (RFC 1122 3.2.1.7: a host
 * accepts any TTL); we never send one of 0. Options in received headers
 * are skipped; we send none.
 *
 * Checksums: over lo the transport checksum is neither computed nor
 * checked (Linux marks lo's packets CHECKSUM_UNNECESSARY and offloads
 * it); packets to and from another device get it in full. */
#include "net/inet/inet.h"

struct ip_stats ip_stats;
static _Atomic uint32_t ip_ident;

#define IP_DF 0x4000u
#define IP_MF 0x2000u
#define IP_OFFMASK 0x1fffu

static void l4_csum_fill(struct skb *s, uint32_t saddr, uint32_t daddr,
			 uint8_t proto, uint32_t l4, uint32_t l4len)
{
	uint32_t off;
	uint16_t c;

	if (proto == IPPROTO_UDP)
		off = 6;
	else if (proto == IPPROTO_TCP)
		off = 16;
	else
		return; /* ICMP fills its own (no pseudo-header) */
	if (fw_buf_put_u16_be(s->buf, l4 + off, 0))
		return;
	c = inet_csum_fold(inet_csum_add(inet_csum_pseudo(saddr, daddr, proto,
							   l4len),
					 skb_bytes(s, l4, l4len)));
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff; /* 0 means "no checksum" in UDP */
	if (fw_buf_put_u16_be(s->buf, l4 + off, c)) {
		/* in range: written above */
	}
}

int ip_output(struct skb *s, const struct route *rt, uint32_t saddr,
	      uint32_t daddr, uint8_t proto, uint8_t ttl, uint8_t tos)
{
	struct fw_writer w;
	uint32_t l4 = s->head, l4len = s->len;
	uint16_t csum;
	int err = 0;

	if (s->head < IP_HLEN)
		return -EINVAL;
	if (l4len + IP_HLEN > 65535 || l4len + IP_HLEN > rt->dev->mtu) {
		atomic_fetch_add(&ip_stats.out_requests, 1);
		return -EMSGSIZE;
	}
	if (!(atomic_load(&rt->dev->flags) & IFF_UP))
		return -ENETDOWN;
	if (!rt->local && rt->dev != &loopback_dev)
		l4_csum_fill(s, saddr, daddr, proto, l4, l4len);
	s->head -= IP_HLEN;
	s->len += IP_HLEN;
	fw_writer_init(&w, skb_buf(s, s->head, IP_HLEN));
	err |= fw_writer_u8(&w, 0x45);
	err |= fw_writer_u8(&w, tos);
	err |= fw_writer_u16_be(&w, (uint16_t)s->len);
	err |= fw_writer_u16_be(&w, (uint16_t)atomic_fetch_add(&ip_ident, 1));
	err |= fw_writer_u16_be(&w, IP_DF);
	err |= fw_writer_u8(&w, ttl ? ttl : 1);
	err |= fw_writer_u8(&w, proto);
	err |= fw_writer_u16_be(&w, 0);
	err |= fw_writer_u32_be(&w, saddr);
	err |= fw_writer_u32_be(&w, daddr);
	if (err)
		return -EINVAL;
	csum = inet_csum_fold(inet_csum_add(0, skb_bytes(s, s->head, IP_HLEN)));
	if (fw_buf_put_u16_be(s->buf, s->head + 10, csum))
		return -EINVAL;
	atomic_fetch_add(&ip_stats.out_requests, 1);
	if (rt->local || rt->dev == &loopback_dev)
		return loopback_xmit_skb(s);
	return netdev_xmit_ipv4(rt->dev, __builtin_bswap32(rt->next_hop),
				skb_bytes(s, s->head, s->len));
}

/* Check the header and fill in the parsed fields: 0, or -EINVAL (drop). */
static int ip_parse(struct skb *s)
{
	struct fw_reader r;
	uint8_t vihl = 0, tos = 0, ttl = 0, proto = 0;
	uint16_t total = 0, id = 0, frag = 0, csum = 0;
	uint32_t saddr = 0, daddr = 0, ihl;
	int err = 0;

	if (s->len < IP_HLEN)
		return -EINVAL;
	fw_reader_init(&r, skb_bytes(s, s->head, s->len));
	err |= fw_reader_u8(&r, &vihl);
	err |= fw_reader_u8(&r, &tos);
	err |= fw_reader_u16_be(&r, &total);
	err |= fw_reader_u16_be(&r, &id);
	err |= fw_reader_u16_be(&r, &frag);
	err |= fw_reader_u8(&r, &ttl);
	err |= fw_reader_u8(&r, &proto);
	err |= fw_reader_u16_be(&r, &csum);
	err |= fw_reader_u32_be(&r, &saddr);
	err |= fw_reader_u32_be(&r, &daddr);
	if (err)
		return -EINVAL;
	ihl = (vihl & 0xfu) * 4u;
	if (vihl >> 4 != 4 || ihl < IP_HLEN || ihl > s->len)
		return -EINVAL;
	if (total < ihl || total > s->len)
		return -EINVAL;
	if (inet_csum_fold(inet_csum_add(0, skb_bytes(s, s->head, ihl))) != 0)
		return -EINVAL;
	s->len = total; /* Ethernet pads short frames: trim */
	s->saddr = saddr;
	s->daddr = daddr;
	s->proto = proto;
	s->ttl = ttl;
	s->tos = tos;
	s->l4 = s->head + ihl;
	s->l4len = total - ihl;
	if ((frag & IP_MF) || (frag & IP_OFFMASK)) {
		atomic_fetch_add(&ip_stats.frag_drops, 1);
		return -EAGAIN;
	}
	return 0;
}

void ip_rcv_skb(struct skb *s)
{
	int err;

	atomic_fetch_add(&ip_stats.in_receives, 1);
	err = ip_parse(s);
	if (err) {
		if (err == -EINVAL)
			atomic_fetch_add(&ip_stats.in_hdr_errors, 1);
		if (s->dev)
			atomic_fetch_add(&s->dev->stats.rx_errors, 1);
		skb_put(s);
		return;
	}
	/* A host, not a router: ours, or a broadcast, or dropped. A source
	 * that is a broadcast or multicast address is a martian, and on a
	 * device other than lo so is 127/8 either way and a 0/8 source
	 * unless to 255.255.255.255 (Linux ip_route_input_slow): answers
	 * would leave with a loopback source or to no single host. */
	if ((!inet_addr_local(s->daddr) && !inet_addr_bcast(s->daddr)) ||
	    s->saddr == INADDR_BROADCAST || (s->saddr >> 28) == 14 ||
	    (s->dev && !(atomic_load(&s->dev->flags) & IFF_LOOPBACK) &&
	     ((s->daddr >> 24) == 127 || (s->saddr >> 24) == 127 ||
	      ((s->saddr >> 24) == 0 && s->daddr != INADDR_BROADCAST)))) {
		atomic_fetch_add(&ip_stats.in_addr_errors, 1);
		skb_put(s);
		return;
	}
	atomic_fetch_add(&ip_stats.in_delivers, 1);
	switch (s->proto) {
	case IPPROTO_ICMP:
		icmp_rcv(s);
		break;
	case IPPROTO_UDP:
		udp_rcv(s);
		break;
	case IPPROTO_TCP:
		tcp_rcv(s);
		break;
	default:
		atomic_fetch_add(&ip_stats.in_unknown_protos, 1);
		if (!inet_addr_bcast(s->daddr))
			icmp_send_unreach(s, ICMP_PROT_UNREACH);
		break;
	}
	skb_put(s);
}

/* netdev.h: a packet from a link-layer driver. It is copied, so the
 * driver can reuse its buffer at once. */
void ipv4_rcv(struct netdev *d, struct fw_bytes packet)
{
	size_t n = fw_bytes_len(packet);
	struct skb *s;

	if (n < IP_HLEN || n > 65535) {
		atomic_fetch_add(&ip_stats.in_hdr_errors, 1);
		return;
	}
	s = skb_alloc(n);
	if (!s) {
		atomic_fetch_add(&d->stats.rx_dropped, 1);
		return;
	}
	if (fw_buf_copy_from(s->buf, 0, packet)) {
		skb_put(s);
		return;
	}
	s->head = 0;
	s->len = (uint32_t)n;
	s->dev = d;
	ip_rcv_skb(s);
	inet_softirq();
}
