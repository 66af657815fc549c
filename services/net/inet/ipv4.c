/* services/net/inet/ipv4.c: IPv4 input and output.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/ip_input.c
 * and ip_output.c. Input checks the header as Linux ip_rcv_core does
 * (version 4, IHL at least 5 and inside the packet, total length at
 * least the header and at most what arrived, the header checksum) and
 * drops what fails, counting it. This host does not forward: a packet
 * for an address that is not ours is dropped (counted as an address
 * error). Fragments for us are reassembled (ipfrag.c) before delivery;
 * output fragments a datagram over the route's MTU unless the socket's
 * IP_MTU_DISCOVER forbids it (then EMSGSIZE, as Linux). The TTL matters only to routers (RFC 1122 3.2.1.7: a host
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

/* The header fields every fragment of one datagram shares. */
struct ip_hdr_args {
	uint32_t saddr, daddr;	/* host order */
	uint16_t id;
	uint8_t proto, ttl, tos;
};

/* Write a 20-byte header, checksum included, at buf[at]. */
static int ip_header(struct skb *s, uint32_t at, uint32_t total,
		     uint16_t frag, const struct ip_hdr_args *h)
{
	struct fw_writer w;
	uint16_t csum;
	int err = 0;

	fw_writer_init(&w, skb_buf(s, at, IP_HLEN));
	err |= fw_writer_u8(&w, 0x45);
	err |= fw_writer_u8(&w, h->tos);
	err |= fw_writer_u16_be(&w, (uint16_t)total);
	err |= fw_writer_u16_be(&w, h->id);
	err |= fw_writer_u16_be(&w, frag);
	err |= fw_writer_u8(&w, h->ttl ? h->ttl : 1);
	err |= fw_writer_u8(&w, h->proto);
	err |= fw_writer_u16_be(&w, 0);
	err |= fw_writer_u32_be(&w, h->saddr);
	err |= fw_writer_u32_be(&w, h->daddr);
	if (err)
		return -EINVAL;
	csum = inet_csum_fold(inet_csum_add(0, skb_bytes(s, at, IP_HLEN)));
	return fw_buf_put_u16_be(s->buf, at + 10, csum) ? -EINVAL : 0;
}

int ip_xmit(struct skb *s, const struct route *rt)
{
	if (!(atomic_load(&rt->dev->flags) & IFF_UP))
		return -ENETDOWN;
	atomic_fetch_add(&ip_stats.out_requests, 1);
	if (rt->local || rt->dev == &loopback_dev)
		return loopback_xmit_skb(s);
	return netdev_xmit_ipv4(rt->dev, __builtin_bswap32(rt->next_hop),
				skb_bytes(s, s->head, s->len));
}

/* Send the transport packet buf[head, head + len) in fragments that fit
 * rt's MTU (Linux ip_do_fragment, the slow path: each fragment a packet
 * of its own, so lo can queue them). Every fragment but the last carries
 * a multiple of 8 bytes and MF; none carries DF. */
static int ip_fragment(struct skb *s, const struct route *rt,
		       const struct ip_hdr_args *h)
{
	uint32_t step = (rt->dev->mtu - IP_HLEN) & ~7u;
	int err = 0;

	for (uint32_t off = 0; off < s->len && !err; off += step) {
		uint32_t n = s->len - off < step ? s->len - off : step;
		bool more = off + n < s->len;
		struct skb *f = skb_alloc(IP_HLEN + n);

		if (!f) {
			err = -ENOBUFS;
			break;
		}
		f->head = 0;
		f->len = IP_HLEN + n;
		if (fw_buf_copy_from(f->buf, IP_HLEN,
				     skb_bytes(s, s->head + off, n)))
			err = -EINVAL;
		if (!err)
			err = ip_header(f, 0, IP_HLEN + n,
					(uint16_t)((off / 8u) |
						   (more ? IP_MF : 0u)),
					h);
		if (!err)
			err = ip_xmit(f, rt);
		skb_put(f);
		if (!err)
			atomic_fetch_add(&ip_stats.frag_creates, 1);
	}
	atomic_fetch_add(err ? &ip_stats.frag_fails : &ip_stats.frag_oks, 1);
	return err;
}

int ip_output_pmtu(struct skb *s, const struct route *rt, uint32_t saddr,
		   uint32_t daddr, uint8_t proto, uint8_t ttl, uint8_t tos,
		   int pmtudisc)
{
	struct ip_hdr_args h = { .saddr = saddr, .daddr = daddr, .proto = proto,
				 .ttl = ttl, .tos = tos };
	uint32_t total = s->len + IP_HLEN;
	/* Linux ip_sk_ignore_df and __ip_make_skb: DONT and OMIT let the
	 * kernel fragment, WANT too (DF only on packets that fit); DO,
	 * PROBE and INTERFACE never send more than the MTU. */
	bool may_frag = pmtudisc == IP_PMTUDISC_DONT ||
			pmtudisc == IP_PMTUDISC_WANT ||
			pmtudisc == IP_PMTUDISC_OMIT;
	bool df = pmtudisc == IP_PMTUDISC_WANT || pmtudisc == IP_PMTUDISC_DO ||
		  pmtudisc == IP_PMTUDISC_PROBE;
	int err;

	if (s->head < IP_HLEN)
		return -EINVAL;
	if (total > 65535 || (total > rt->dev->mtu && !may_frag))
		return -EMSGSIZE;
	if (!(atomic_load(&rt->dev->flags) & IFF_UP))
		return -ENETDOWN;
	if (!rt->local && rt->dev != &loopback_dev)
		l4_csum_fill(s, saddr, daddr, proto, s->head, s->len);
	h.id = (uint16_t)atomic_fetch_add(&ip_ident, 1);
	if (total > rt->dev->mtu)
		return ip_fragment(s, rt, &h);
	s->head -= IP_HLEN;
	s->len = total;
	err = ip_header(s, s->head, total, df ? IP_DF : 0, &h);
	return err ? err : ip_xmit(s, rt);
}

int ip_output(struct skb *s, const struct route *rt, uint32_t saddr,
	      uint32_t daddr, uint8_t proto, uint8_t ttl, uint8_t tos)
{
	return ip_output_pmtu(s, rt, saddr, daddr, proto, ttl, tos,
			      IP_PMTUDISC_WANT);
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
	s->ipid = id;
	s->ipfrag = frag;
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
	if (s->ipfrag & (IP_MF | IP_OFFMASK)) {
		/* A fragment: delivered, if at all, as the whole datagram
		 * (Linux ip_local_deliver). */
		s = ip_defrag(s);
		if (!s)
			return;
		if (ip_parse(s)) {
			skb_put(s);
			return;
		}
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
