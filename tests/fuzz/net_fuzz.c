/* tests/fuzz/net_fuzz.c: libFuzzer target for the network stack's
 * receive path and NETLINK_ROUTE requests.
 *
 * Layer: host fuzzing of services/net (link/, inet/, the socket layer)
 * with the stand-ins of tests/unit/fw_host_net.c. One fake Ethernet
 * device eth0 (52:54:00:12:34:56, 10.0.2.15/24, default route via
 * 10.0.2.2) is registered once; each run opens a listening TCP socket
 * (port 80), a UDP socket (port 53), a ping socket, a raw ICMP socket,
 * an AF_PACKET socket with a BPF filter and a SOCK_DGRAM one bound to
 * eth0 for IPv4, all non-blocking, and teaches ARP the gateway. The
 * input is a script, one record after the other:
 *
 *   op & 7 == 0      LEN(2, big-endian) FRAME: netdev_rx of the bytes
 *   op & 7 == 1, 5, 7 the same, after fixing the IPv4 header checksum and
 *                    the TCP/UDP/ICMP checksum (so mutations get past
 *                    them)
 *   op & 7 == 2      the same, and the TCP ack field becomes the end of
 *                    the last TCP segment we sent plus (op >> 3) - 16
 *                    (our ISN is random: this is how a script answers a
 *                    SYN-ACK); a destination port 0 becomes the
 *                    source port of that segment (ours is random too)
 *   op & 7 == 6      the same with the ack field the first sequence
 *                    number of that segment plus (op >> 3) - 16 (so
 *                    duplicate ACKs can be sent)
 *   op & 7 == 3      T(1): time moves (T + 1) << (op >> 4) ms and the
 *                    timers run (TCP, ARP), as the net and arpd tasks
 *   op & 7 == 4      A(1): a socket call (accept, recv everything, send,
 *                    shutdown, close, UDP/ping sendto, connect out or to
 *                    ourselves over lo); with op bit 3, a socket option
 *                    (TCP_NODELAY, TCP_MAXSEG, SO_RCVBUF, keepalive,
 *                    SO_LINGER 0, TCP_USER_TIMEOUT, TCP_SYNCNT,
 *                    IP_PKTINFO...)
 *   op == 0x14       A(1): eth0's MTU becomes 68 + 6 * A (SIOCSIFMTU)
 *   op == 0x24       LEN(2) FRAME sent by the packet socket
 *   op == 0x34       LEN(2) INSNS: the packet socket's new BPF filter
 *                    (struct sock_filter[], little-endian)
 *
 * An input starting with 'N' is a NETLINK_ROUTE script instead: records
 * LEN(2) BYTES, each sent through sendmsg of a netlink socket, then
 * every reply read back (buffer size and MSG_PEEK/MSG_TRUNC from the
 * record's length bits; all three set: not read, so they pile up) and a
 * neighbour known for RTM_GETNEIGH; a record whose length is 0x1fff is an
 * interface ioctl instead (a command byte, then struct ifreq). Devices
 * are put back as they were after each run.
 *
 * Every frame the stack sends goes to a sink that checks it: a whole
 * Ethernet frame from eth0's address, an IPv4 header from our address
 * with a TTL, and IPv4, TCP, UDP and ICMP checksums right (frames a
 * packet socket built are sent as given), and no ICMP error where RFC
 * 1122 3.2.2 forbids one. At the
 * end everything is closed, time runs until every TCP connection is
 * gone, the neighbour cache is flushed, and no object or buffer may be
 * left: a leak aborts. Built and run by tests/fuzz/run-net.sh;
 * NET_FUZZ_VERBOSE=1 traces what one input does (frames sent, socket
 * calls, timers, the kernel log). */
#include "net/inet/inet.h"
#include "net/link/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fw_host_net.h"

#define MAX_CHILD 8
#define FRAME_MAX 2048

static struct netdev eth;
static const uint8_t eth_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
#define IP_OURS 0x0a00020fu	/* 10.0.2.15 */
#define IP_GW 0x0a000202u	/* 10.0.2.2 */
#define IP_MASK 0xffffff00u

static void restore_devs(void);

static struct socket *lis, *udp, *ping, *rawicmp, *pkt, *pkt_dgram, *nl;
static struct socket *child[MAX_CHILD];
static unsigned nchild;
static uint32_t last_tx_end;	/* end of the last TCP segment we sent */
static uint32_t last_tx_seq;	/* its first sequence number */
static uint16_t last_tx_sport;	/* and its source port */
static bool tx_raw;		/* a packet socket's frame: sent as given */
static bool no_icmp_error;	/* the frame being received may not be
				 * answered with an ICMP error */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t sum(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += get16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* The checksum of an L4 segment with the IPv4 pseudo-header (TCP, UDP)
 * or without (ICMP). */
static uint16_t l4_sum(const uint8_t *ip, const uint8_t *l4, size_t n)
{
	uint32_t acc = 0;

	if (ip[9] != IPPROTO_ICMP) {
		acc = sum(acc, ip + 12, 8);
		acc += ip[9];
		acc += (uint32_t)n;
	}
	return fold(sum(acc, l4, n));
}

static size_t csum_off(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
}

/* ---- the device ------------------------------------------------------------ */

static void bad_tx(const char *why, const uint8_t *f, size_t n)
{
	fprintf(stderr, "fuzz: bad frame sent (%s), %zu bytes:", why, n);
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, " %02x", f[i]);
	fprintf(stderr, "\n");
	abort();
}

/* What the stack sends: checked as a wire frame, and TCP's sequence
 * space noted for op 2. */
static int sink_xmit(struct netdev *d, struct fw_bytes frame)
{
	const uint8_t *f = fw__bytes_ptr(frame);
	size_t n = fw_bytes_len(frame);
	const uint8_t *ip;
	size_t ihl, total;

	(void)d;
	if (host_net_verbose)
		fprintf(stderr, "tx type %04x len %zu proto %u\n", get16(f + 12), n,
			n > 23 ? f[23] : 0);
	if (tx_raw)
		return 0; /* what the user built (padded by the NIC) */
	if (n < ETH_ZLEN || n > ETH_FRAME_MAX)
		bad_tx("length", f, n);
	if (memcmp(f + 6, eth_mac, 6))
		bad_tx("source address", f, n);
	if (get16(f + 12) != ETH_P_IP)
		return 0;
	ip = f + ETH_HLEN;
	ihl = (size_t)(ip[0] & 15) * 4;
	total = get16(ip + 2);
	if (ip[0] >> 4 != 4 || ihl < 20 || total < ihl || total > n - ETH_HLEN)
		bad_tx("IPv4 header", f, n);
	if (fold(sum(0, ip, ihl)) != 0)
		bad_tx("IPv4 header checksum", f, n);
	/* From our address only: never a broadcast or someone else's
	 * (what a reply to a packet to a broadcast address would be if
	 * it took its source from the packet's destination). */
	if (get32(ip + 12) != IP_OURS && get32(ip + 12) != 0)
		bad_tx("source address", f, n);
	if (ip[8] == 0)
		bad_tx("TTL 0", f, n);
	if ((get16(ip + 6) & 0x3fff) != 0)
		return 0; /* a fragment: its L4 checksum covers all of them */
	if (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP || ip[9] == IPPROTO_ICMP) {
		const uint8_t *l4 = ip + ihl;
		size_t l4n = total - ihl;

		if (l4n < csum_off(ip[9]) + 2)
			bad_tx("short transport header", f, n);
		if (!(ip[9] == IPPROTO_UDP && get16(l4 + 6) == 0) &&
		    l4_sum(ip, l4, l4n) != 0)
			bad_tx("transport checksum", f, n);
		if (ip[9] == IPPROTO_ICMP && no_icmp_error &&
		    (l4[0] == 3 || l4[0] == 11 || l4[0] == 12))
			bad_tx("ICMP error about a broadcast, a martian or an ICMP error", f, n);
		if (ip[9] == IPPROTO_TCP) {
			size_t doff = (size_t)(l4[12] >> 4) * 4;
			uint32_t end;

			if (l4n < 20 || doff < 20 || doff > l4n)
				bad_tx("TCP header", f, n);
			end = get32(l4 + 4) + (uint32_t)(l4n - doff) +
			      ((l4[13] & TCP_SYN) ? 1 : 0) + ((l4[13] & TCP_FIN) ? 1 : 0);
			last_tx_end = end;
			last_tx_seq = get32(l4 + 4);
			last_tx_sport = get16(l4);
			if (host_net_verbose)
				fprintf(stderr, "tx tcp %u->%u flags %02x seq %u ack %u len %zu\n",
					get16(l4), get16(l4 + 2), l4[13], get32(l4 + 4),
					get32(l4 + 8), l4n - doff);
			return 0;
		}
	}
	return 0;
}

static const struct netdev_ops sink_ops = { .xmit = sink_xmit };

/* Fix the checksums of the IPv4 packet in f (and its ack field, ack
 * set), so a mutated frame is not dropped by them. */
static void fixup(uint8_t *f, size_t n, int ack, int delta)
{
	uint8_t *ip = f + ETH_HLEN;
	size_t ihl, total, l4n;
	uint8_t *l4;

	if (n < ETH_HLEN + 20 || get16(f + 12) != ETH_P_IP)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	total = get16(ip + 2);
	if (ihl < 20 || ihl > n - ETH_HLEN)
		return;
	ip[10] = ip[11] = 0;
	put16(ip + 10, fold(sum(0, ip, ihl)));
	if (total > n - ETH_HLEN)
		total = n - ETH_HLEN;
	if (total < ihl || (get16(ip + 6) & 0x1fff))
		return; /* a later fragment has no transport header */
	l4 = ip + ihl;
	l4n = total - ihl;
	if (ip[9] != IPPROTO_TCP && ip[9] != IPPROTO_UDP && ip[9] != IPPROTO_ICMP)
		return;
	if (l4n < csum_off(ip[9]) + 2)
		return;
	if (ip[9] == IPPROTO_TCP && ack && l4n >= 12) {
		uint32_t a = (ack == 2 ? last_tx_seq : last_tx_end) + (uint32_t)delta;

		l4[8] = (uint8_t)(a >> 24);
		l4[9] = (uint8_t)(a >> 16);
		l4[10] = (uint8_t)(a >> 8);
		l4[11] = (uint8_t)a;
		if (get16(l4 + 2) == 0)
			put16(l4 + 2, last_tx_sport);
	}
	if (get16(ip + 6) & 0x2000)
		return; /* a first fragment: the sum is over the whole */
	l4[csum_off(ip[9])] = l4[csum_off(ip[9]) + 1] = 0;
	put16(l4 + csum_off(ip[9]), l4_sum(ip, l4, l4n));
}

/* RFC 1122 3.2.2: no ICMP error about an ICMP error, a datagram to a
 * broadcast or multicast address, or one whose source is not a single
 * host (0, broadcast, multicast, loopback; class E too says the RFC, but
 * Linux answers those). */
static bool icmp_error_forbidden(const uint8_t *f, size_t n)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t ihl;
	uint32_t src, dst;

	if (n < ETH_HLEN + 20 || get16(f + 12) != ETH_P_IP)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	src = get32(ip + 12);
	dst = get32(ip + 16);
	if (dst == 0xffffffffu || dst == (IP_OURS | ~IP_MASK) || dst >> 28 >= 14)
		return true;
	if (src == 0 || src == 0xffffffffu || src >> 28 == 14 || src >> 24 == 127)
		return true;
	return ip[9] == IPPROTO_ICMP && n > ETH_HLEN + ihl &&
	       f[ETH_HLEN + ihl] != 0 && f[ETH_HLEN + ihl] != 8;
}

/* ---- sockets ----------------------------------------------------------------- */

static struct sock_addr sin(uint32_t addr, uint16_t port)
{
	struct sock_addr a = { .len = SOCKADDR_IN_LEN };

	a.b[0] = AF_INET;
	put16(a.b + 2, port);
	a.b[4] = (uint8_t)(addr >> 24);
	a.b[5] = (uint8_t)(addr >> 16);
	a.b[6] = (uint8_t)(addr >> 8);
	a.b[7] = (uint8_t)addr;
	return a;
}

static void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "fuzz: setup: %s: %d\n", what, err);
		abort();
	}
}

static void sock_close(struct socket **sp)
{
	struct socket *s = *sp;

	if (!s)
		return;
	*sp = NULL;
	s->ops->release(s);
	socket_put(s);
}

static long sock_send(struct socket *s, const void *buf, size_t n,
		      const struct sock_addr *to)
{
	struct sock_msghdr m = { 0 };
	long r;

	if (iov_cursor_buf(&m.data, fw_uptr((uint64_t)(uintptr_t)buf), n))
		abort();
	if (to) {
		m.has_name = true;
		m.name = *to;
	}
	r = s->ops->sendmsg(s, &m, 0, true);
	sock_msghdr_done(&m);
	return r;
}

static long sock_recv(struct socket *s, size_t n, unsigned flags)
{
	static uint8_t buf[70000];
	uint8_t control[256];
	struct sock_msghdr m = { 0 };
	long r;

	if (iov_cursor_buf(&m.data, fw_uptr((uint64_t)(uintptr_t)buf),
			   n < sizeof(buf) ? n : sizeof(buf)))
		abort();
	m.control = fw_uptr((uint64_t)(uintptr_t)control);
	m.controllen = sizeof(control);
	r = s->ops->recvmsg(s, &m, flags, true);
	if (host_net_verbose)
		fprintf(stderr, "recv family %d: %ld\n", s->family, r);
	sock_msghdr_done(&m);
	return r;
}

/* Read until nothing is left (or 64 reads); one peek first if asked. */
static void drain(struct socket *s, size_t n, unsigned flags)
{
	if (!s)
		return;
	if (flags & MSG_PEEK)
		(void)sock_recv(s, n, flags);
	flags &= ~MSG_PEEK;
	for (int i = 0; i < 64; i++)
		if (sock_recv(s, n, flags) <= 0)
			break;
}

static void open_sockets(void)
{
	/* ip, or arp, or tcp port 80 (tcpdump -dd 'ip or arp'): a real
	 * filter, so bpf_run sees every frame. */
	static const struct { uint16_t code; uint8_t jt, jf; uint32_t k; } filt[] = {
		{ 0x28, 0, 0, 12 },		/* ldh [12] */
		{ 0x15, 1, 0, 0x0800 },		/* jeq #ip */
		{ 0x15, 0, 3, 0x0806 },		/* jeq #arp */
		{ 0x30, 0, 0, 23 },		/* ldb [23] */
		{ 0x15, 0, 1, 6 },		/* jeq #tcp */
		{ 0x06, 0, 0, 0x40000 },	/* ret #262144 */
		{ 0x06, 0, 0, 0 },		/* ret #0 */
	};
	struct { uint16_t len, pad0; uint32_t pad1; uint64_t filter; } prog = {
		sizeof(filt) / sizeof(filt[0]), 0, 0, (uint64_t)(uintptr_t)filt
	};
	struct sock_addr a;

	must(tcp_create(&lis), "tcp");
	a = sin(0, 80);
	must(lis->ops->bind(lis, &a), "tcp bind");
	must(lis->ops->listen(lis, 4), "listen");
	must(udp_create(&udp), "udp");
	a = sin(0, 53);
	must(udp->ops->bind(udp, &a), "udp bind");
	must(icmp_create(SOCK_DGRAM, &ping), "ping");
	must(icmp_create(SOCK_RAW, &rawicmp), "raw icmp");
	must(packet_create(SOCK_RAW, 0x0300 /* htons(ETH_P_ALL) */, &pkt), "packet");
	/* SOCK_DGRAM, IPv4 only, bound to eth0: frames without their
	 * link header */
	must(packet_create(SOCK_DGRAM, 0x0008 /* htons(ETH_P_IP) */, &pkt_dgram),
	     "packet dgram");
	a = (struct sock_addr){ .len = 20 };
	a.b[0] = AF_PACKET;
	a.b[2] = 0x08;
	memcpy(a.b + 4, &eth.ifindex, 4);
	must(pkt_dgram->ops->bind(pkt_dgram, &a), "packet bind");
	must(pkt->ops->setsockopt(pkt, SOL_SOCKET, SO_ATTACH_FILTER,
				  fw_uptr((uint64_t)(uintptr_t)&prog), sizeof(prog)),
	     "SO_ATTACH_FILTER");
}

/* A socket call chosen by a. */
static void act(uint8_t a)
{
	static const uint8_t data[4096];
	struct socket *c = nchild ? child[(a >> 3) % nchild] : NULL;
	struct sock_addr to;
	unsigned k = a >> 3;

	if (host_net_verbose)
		fprintf(stderr, "act %u (%u)\n", a & 7, k);
	switch (a & 7) {
	case 0:
		if (nchild < MAX_CHILD &&
		    lis->ops->accept(lis, true, &child[nchild]) == 0)
			nchild++;
		break;
	case 1: {
		/* flags from k: MSG_PEEK first, MSG_TRUNC, MSG_WAITALL,
		 * MSG_OOB (TCP) */
		unsigned fl = (k & 4 ? MSG_PEEK : 0) | (k & 8 ? MSG_TRUNC : 0);

		for (unsigned i = 0; i < nchild; i++)
			drain(child[i], k & 1 ? 7 : 4096,
			      fl | (k & 16 ? MSG_WAITALL | MSG_OOB : 0));
		drain(udp, k & 2 ? 5 : 2000, fl);
		drain(ping, 2000, fl);
		drain(rawicmp, 2000, fl);
		drain(pkt, k & 2 ? 10 : 2000, fl);
		drain(pkt_dgram, k & 2 ? 10 : 2000, fl);
		break;
	}
	case 2:
		if (c)
			(void)sock_send(c, data, (size_t)k * 97 + 1, NULL);
		break;
	case 3:
		if (c) {
			unsigned i = (a >> 3) % nchild;

			sock_close(&child[i]);
			child[i] = child[--nchild];
		}
		break;
	case 4:
		if (c)
			(void)c->ops->shutdown(c, k & 1 ? SHUT_WR : SHUT_RDWR);
		break;
	case 5:
		to = sin(k & 1 ? IP_GW : 0x0a000263u /* 10.0.2.99, unknown */,
			 (uint16_t)(1000 + k));
		(void)sock_send(udp, data, (size_t)k * 50, &to);
		break;
	case 6:
		if (nchild < MAX_CHILD && tcp_create(&child[nchild]) == 0) {
			/* the gateway, a host behind it, or ourselves (over
			 * lo, to the listener) */
			to = (k & 3) == 2 ? sin(IP_OURS, 80)
					  : sin(k & 1 ? IP_GW : 0x01020304u, 8080);
			(void)child[nchild]->ops->connect(child[nchild], &to, true);
			nchild++;
		}
		break;
	case 7: {
		/* An echo request: type 8, code 0, checksum, id, seq. */
		uint8_t echo[64] = { 8, 0, 0, 0, 0, 1, 0, (uint8_t)k };

		to = sin(k & 4 ? IP_OURS : k & 1 ? IP_GW : 0x08080808u, 0);
		/* A raw socket sends the checksum it is given (Linux too);
		 * a ping socket computes it. */
		put16(echo + 2, fold(sum(0, echo, 8 + k)));
		(void)sock_send(k & 2 ? rawicmp : ping, echo, 8 + k, &to);
		break;
	}
	}
}

/* A socket option chosen by a on a connection (or the listener, the
 * UDP socket): the ones that change what the stack sends or when. */
static void opt(uint8_t a)
{
	struct socket *c = nchild ? child[(a >> 3) % nchild] : lis;
	int32_t v[2] = { 1, 0 };
	int level = SOL_TCP, name;

	switch (a & 7) {
	case 0:
		name = TCP_NODELAY;
		v[0] = a >> 6;
		break;
	case 1:
		name = TCP_MAXSEG;
		v[0] = 8 + (a >> 3) * 37;
		break;
	case 2:
		level = SOL_SOCKET;
		name = SO_RCVBUF; /* small: window updates, pruning */
		v[0] = 1 + (a >> 3) * 150;
		break;
	case 3:
		level = SOL_SOCKET;
		name = SO_KEEPALIVE;
		break;
	case 4:
		name = TCP_KEEPIDLE;
		v[0] = 1 + (a >> 5);
		break;
	case 5:
		level = SOL_SOCKET;
		name = SO_LINGER; /* on, 0 s: close resets (never waits) */
		break;
	case 6:
		/* TCP_SYNCNT up to 127 retries, or a user timeout */
		name = (a >> 3) & 1 ? TCP_SYNCNT : TCP_USER_TIMEOUT;
		v[0] = (a >> 3) & 1 ? (a >> 4) * 9 : (a >> 3) * 500;
		break;
	default:
		c = udp;
		level = SOL_IP;
		name = (a >> 3) & 1 ? IP_PKTINFO : IP_RECVTTL;
		break;
	}
	(void)sock_setsockopt(c, level, name, fw_uptr((uint64_t)(uintptr_t)v),
			      sizeof(v[0]) * (name == SO_LINGER ? 2 : 1));
}

/* A frame sent by the packet socket (sockaddr_ll: eth0). */
static void pk_send(const uint8_t *frame, size_t n)
{
	struct sock_addr to = { .len = 20 };
	int32_t ifindex = eth.ifindex;

	to.b[0] = AF_PACKET;
	memcpy(to.b + 4, &ifindex, 4);
	tx_raw = true;
	(void)sock_send(pkt, frame, n, &to);
	tx_raw = false;
}

/* The packet socket's filter becomes the n / 8 instructions at insns
 * (bpf_check must refuse what bpf_run cannot run). */
static void pk_filter(const uint8_t *insns, size_t n)
{
	static uint8_t copy[FRAME_MAX];
	struct { uint16_t len, pad0; uint32_t pad1; uint64_t filter; } prog = {
		(uint16_t)(n / 8), 0, 0, (uint64_t)(uintptr_t)copy
	};

	int r;

	memcpy(copy, insns, n);
	r = sock_setsockopt(pkt, SOL_SOCKET, SO_ATTACH_FILTER,
			    fw_uptr((uint64_t)(uintptr_t)&prog), sizeof(prog));
	if (host_net_verbose)
		fprintf(stderr, "filter of %zu instructions: %d\n", n / 8, r);
}

/* Time passes: the timers the net and arpd tasks would run. */
static uint64_t tick(uint64_t ns)
{
	uint64_t next, frag_next;

	host_now_ns += ns;
	if (host_net_verbose) {
		struct inet_sock *in;

		FW_LIST_FOR_EACH(in, &tcp_table.all, all_node)
			fprintf(stderr, "  tcp %u->%u state %d rto_at %lld timed %d "
				"una %u nxt %u wnd %u cwnd %u queued %zu rtx %d\n",
				in->lport, in->rport, in->state,
				in->rto_at ? (long long)(in->rto_at - host_now_ns) : -1ll,
				in->on_timer_list, in->snd_una, in->snd_nxt, in->snd_wnd,
				in->cwnd, in->wq_bytes, !fw_list_empty(&in->rtxq));
	}
	next = tcp_timers_run(host_now_ns);
	/* Fragment queues time out too (the net task runs both). */
	frag_next = ipfrag_expire(host_now_ns);
	if (frag_next < next)
		next = frag_next;
	if (host_net_verbose)
		fprintf(stderr, "time +%llu ms: next TCP timer in %lld ms\n",
			(unsigned long long)(ns / 1000000),
			next == UINT64_MAX ? -1ll : (long long)(next - host_now_ns) / 1000000);
	(void)arp_tick();
	inet_softirq();
	return next;
}

static void close_all(void)
{
	while (nchild)
		sock_close(&child[--nchild]);
	sock_close(&lis);
	sock_close(&udp);
	sock_close(&ping);
	sock_close(&rawicmp);
	sock_close(&pkt);
	sock_close(&pkt_dgram);
	/* Closed connections finish (FIN_WAIT, TIME_WAIT, retransmissions
	 * giving up) and fragment queues time out as time passes. */
	for (int i = 0; i < 1000; i++) {
		uint64_t next = tick(0);

		if (next == UINT64_MAX)
			break;
		if (next > host_now_ns)
			host_now_ns = next;
	}
	if (!fw_list_empty(&tcp_table.all)) {
		struct inet_sock *in = FW_LIST_FIRST(&tcp_table.all,
						     struct inet_sock, all_node);

		fprintf(stderr, "fuzz: a closed TCP socket never went away "
			"(state %d, timers %d)\n", in->state, in->on_timer_list);
		abort();
	}
	tick(1); /* ARP's timers once more */
	arp_dev_down(&eth);
}

static void check_leaks(void)
{
	if (host_live_objs || host_live_bufs) {
		fprintf(stderr, "fuzz: %ld objects and %ld buffers left after "
			"closing everything\n", host_live_objs, host_live_bufs);
		abort();
	}
}

static void setup_once(void)
{
	struct netdev_name name = { .s = "eth%d" };
	struct {
		uint64_t pad1;
		uint8_t dst[16], gw[16], mask[16];
		uint16_t flags;
		int16_t pad2;
		uint64_t pad3, pad4;
		int16_t metric;
		uint16_t pad5[3];
		uint64_t dev, mtu, window;
		uint16_t irtt, pad6[3];
	} rt = { 0 };

	inet_init();
	netlink_init();
	eth.type = ARPHRD_ETHER;
	atomic_init(&eth.flags, IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST);
	memcpy(eth.hwaddr, eth_mac, 6);
	eth.hwaddr_len = 6;
	eth.mtu = ETH_DATA_LEN;
	eth.txqlen = 1000;
	eth.ops = &sink_ops;
	must(netdev_register(&eth, &name), "register");
	netdev_set_ipv4(&eth, __builtin_bswap32(IP_OURS), __builtin_bswap32(IP_MASK));
	arp_dev_up(&eth);
	/* route add default gw 10.0.2.2 */
	rt.dst[0] = rt.gw[0] = rt.mask[0] = AF_INET;
	rt.gw[4] = 10, rt.gw[5] = 0, rt.gw[6] = 2, rt.gw[7] = 2;
	rt.flags = 0x0003; /* RTF_UP | RTF_GATEWAY */
	must((int)route_ioctl(0x890B /* SIOCADDRT */, (uint64_t)(uintptr_t)&rt),
	     "route");
	/* What stays allocated for good (lo's state, tables) is not a leak. */
	host_live_objs = host_live_bufs = 0;
}

/* An ARP request from the gateway for us: it becomes a neighbour. */
static void learn_gateway(void)
{
	uint8_t f[60] = { 0 };

	memset(f, 0xff, 6);
	memcpy(f + 6, gw_mac, 6);
	put16(f + 12, ETH_P_ARP);
	put16(f + 14, 1);
	put16(f + 16, ETH_P_IP);
	f[18] = 6, f[19] = 4;
	put16(f + 20, 1);
	memcpy(f + 22, gw_mac, 6);
	f[28] = 10, f[29] = 0, f[30] = 2, f[31] = 2;
	f[38] = 10, f[39] = 0, f[40] = 2, f[41] = 15;
	netdev_rx(&eth, FW_BYTES_OF_ARRAY(f));
}

static void run_frames(const uint8_t *d, size_t len)
{
	static uint8_t f[FRAME_MAX];
	size_t pos = 0;

	open_sockets();
	learn_gateway();
	while (pos < len) {
		uint8_t op = d[pos++];
		size_t n;

		switch (op == (4 | (4 << 3)) || op == (4 | (6 << 3)) ? op : op & 7) {
		case 3:
			if (pos < len)
				tick(((uint64_t)d[pos++] + 1) * 1000000ull << (op >> 4));
			break;
		case 4:
			if (pos < len && (op >> 3) == 2) {
				/* SIOCSIFMTU eth0: small MTUs, small MSS */
				uint8_t r[40] = { 'e', 't', 'h', '0' };
				int32_t mtu = 68 + d[pos++] * 6;

				memcpy(r + 16, &mtu, 4);
				(void)dev_ioctl(AF_INET, 0x8922, (uint64_t)(uintptr_t)r);
			} else if (pos < len && (op >> 3) & 1)
				opt(d[pos++]);
			else if (pos < len)
				act(d[pos++]);
			break;
		case 4 | (6 << 3):
			/* LEN(2) INSNS: the packet socket's filter becomes
			 * these instructions (struct sock_filter[]) */
			if (len - pos < 2) {
				pos = len;
				break;
			}
			n = get16(d + pos) % (FRAME_MAX + 1);
			pos += 2;
			if (n > len - pos)
				n = len - pos;
			pk_filter(d + pos, n);
			pos += n;
			break;
		case 4 | (4 << 3):
			/* LEN(2) FRAME: sent by the packet socket to eth0 */
			if (len - pos < 2) {
				pos = len;
				break;
			}
			n = get16(d + pos) % FRAME_MAX;
			pos += 2;
			if (n > len - pos)
				n = len - pos;
			pk_send(d + pos, n);
			pos += n;
			break;
		default:
			if (len - pos < 2) {
				pos = len;
				break;
			}
			n = get16(d + pos) % FRAME_MAX;
			pos += 2;
			if (n > len - pos)
				n = len - pos;
			memcpy(f, d + pos, n);
			pos += n;
			if ((op & 7) != 0)
				fixup(f, n, (op & 7) == 2 ? 1 : (op & 7) == 6 ? 2 : 0,
				      (int)(op >> 3) - 16);
			if (host_net_verbose && n >= 54 && get16(f + 12) == ETH_P_IP &&
			    f[23] == IPPROTO_TCP && (f[14] & 15) == 5)
				fprintf(stderr, "rx tcp %u->%u flags %02x seq %u ack %u win %u len %zu\n",
					get16(f + 34), get16(f + 36), f[47], get32(f + 38),
					get32(f + 42), get16(f + 48), n);
			no_icmp_error = icmp_error_forbidden(f, n);
			netdev_rx(&eth, fw__bytes_make(f, n));
			no_icmp_error = false;
			break;
		}
	}
	close_all();
	restore_devs();
}

/* An interface ioctl (link/ifioctl.c) on an AF_INET socket: the
 * command picked by c, struct ifreq from the input. The only pointer in
 * the arguments (SIOCGIFCONF's buffer) is ours, so the kernel's copies
 * stay in bounds. */
static void ifioctl(uint8_t c, const uint8_t *req, size_t n)
{
	static const unsigned cmds[] = {
		0x8910, 0x8912, 0x8913, 0x8914, 0x8915, 0x8916, 0x8917,
		0x8919, 0x891a, 0x891b, 0x891c, 0x891d, 0x891e, 0x8921,
		0x8922, 0x8924, 0x8927, 0x8933, 0x8970, 0x8942, 0x8943,
	};
	static uint8_t ifr[400];
	uint8_t arg[40] = { 0 };
	unsigned cmd = cmds[c % (sizeof(cmds) / sizeof(cmds[0]))];

	memcpy(arg, req, n < sizeof(arg) ? n : sizeof(arg));
	if (cmd == 0x8912) { /* struct ifconf { int len; char *buf; } */
		uint64_t buf = (c & 0x80) ? 0 : (uint64_t)(uintptr_t)ifr;
		int32_t l = (int32_t)(get16(arg) % (sizeof(ifr) + 1));

		memcpy(arg, &l, 4);
		memcpy(arg + 8, &buf, 8);
	}
	(void)dev_ioctl(AF_INET, cmd, (uint64_t)(uintptr_t)arg);
}

/* The route table as setup_once left it: only its default route. */
static void restore_routes(void)
{
	static struct route_snapshot snap;
	unsigned n = route_snapshot(&snap);

	for (unsigned i = 0; i < n; i++)
		if (snap.r[i].protocol != RTPROT_KERNEL)
			(void)route_del(&snap.r[i], ROUTE_MATCH_GW | ROUTE_MATCH_DEV |
							ROUTE_MATCH_METRIC);
	must(route_add_default(0x0a000202u, &eth), "default route");
}

/* What ioctls and netlink requests may have changed on eth0 and lo, put
 * back so every run starts alike. */
static void restore_devs(void)
{
	atomic_store(&eth.flags, IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST);
	eth.mtu = ETH_DATA_LEN;
	eth.txqlen = 1000;
	netdev_set_ipv4(&eth, __builtin_bswap32(IP_OURS), __builtin_bswap32(IP_MASK));
	atomic_store(&loopback_dev.flags, IFF_UP | IFF_RUNNING | IFF_LOOPBACK);
	loopback_dev.mtu = 65536;
	loopback_dev.txqlen = 1000;
	netdev_set_ipv4(&loopback_dev, __builtin_bswap32(INADDR_LOOPBACK),
			__builtin_bswap32(0xff000000u));
	restore_routes();
}

static void run_netlink(const uint8_t *d, size_t len)
{
	size_t pos = 0;

	must(netlink_create(SOCK_RAW, 0, &nl), "netlink");
	learn_gateway(); /* a neighbour for RTM_GETNEIGH */
	while (len - pos >= 2) {
		uint16_t hdr = get16(d + pos);
		size_t n = hdr & 0x1fff;

		pos += 2;
		if (n == 0x1fff) {
			/* an interface ioctl: command byte, struct ifreq */
			if (pos < len) {
				n = len - pos - 1 < 40 ? len - pos - 1 : 40;
				ifioctl(d[pos], d + pos + 1, n);
				pos += 1 + n;
			}
			continue;
		}
		if (n > len - pos)
			n = len - pos;
		(void)sock_send(nl, d + pos, n, NULL);
		pos += n;
		if ((hdr & 0xe000) == 0xe000)
			continue; /* replies pile up (the queue's limit) */
		for (int i = 0; i < 200; i++)
			if (sock_recv(nl, hdr & 0x8000 ? 64 : 32768,
				      (hdr & 0x4000 ? MSG_TRUNC : 0) |
					      (hdr & 0x2000 && i == 0 ? MSG_PEEK : 0)) < 0)
				break;
	}
	sock_close(&nl);
	arp_dev_down(&eth);
	restore_devs();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static bool ready;

	if (!ready) {
		host_net_verbose = getenv("NET_FUZZ_VERBOSE") != NULL;
		setup_once();
		ready = true;
	}
	if (len && data[0] == 'N')
		run_netlink(data + 1, len - 1);
	else
		run_frames(data, len);
	check_leaks();
	return 0;
}
