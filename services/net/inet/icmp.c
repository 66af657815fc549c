/* services/net/inet/icmp.c: ICMP (RFC 792) and ICMP sockets.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/icmp.c,
 * ping.c and raw.c. Echo requests are answered (not ones sent to a
 * broadcast address: icmp_echo_ignore_broadcasts); a destination or port
 * unreachable, or time exceeded, about a packet we sent is handed to the
 * UDP or TCP socket it came from; a datagram to a closed UDP port, or
 * one of a protocol we do not have, is answered with one, and a
 * datagram whose reassembly timed out with time exceeded (never about an
 * ICMP error, a broadcast or a non-first fragment, RFC 1122 3.2.2). No
 * rate limit.
 *
 * Sockets: SOCK_DGRAM/IPPROTO_ICMP "ping sockets" (anyone may open one,
 * as with systemd's ping_group_range): send an echo request header and
 * data, the kernel puts the socket's identifier and the checksum in,
 * and receives the matching replies without the IP header. SOCK_RAW/
 * IPPROTO_ICMP (root): sends the ICMP message as given (the sender
 * computes the checksum, as busybox ping does) and receives a copy of
 * every ICMP packet, IP header first. */
#include "net/inet/inet.h"


/* Checksum over the ICMP message at buf[off, off + len). */
static uint16_t icmp_csum(struct skb *s, uint32_t off, uint32_t len)
{
	return inet_csum_fold(inet_csum_add(0, skb_bytes(s, off, len)));
}

static void icmp_reply(struct skb *in)
{
	struct route rt;
	struct skb *s;
	uint32_t n = in->l4len;

	if (route_lookup(in->saddr, &rt))
		return;
	s = skb_alloc(SKB_HEADROOM + n);
	if (!s)
		return;
	s->head = SKB_HEADROOM;
	s->len = n;
	if (fw_buf_copy_from(s->buf, SKB_HEADROOM, skb_bytes(in, in->l4, n)) ||
	    fw_buf_put_u8(s->buf, SKB_HEADROOM, ICMP_ECHOREPLY) ||
	    fw_buf_put_u16_be(s->buf, SKB_HEADROOM + 2, 0) ||
	    fw_buf_put_u16_be(s->buf, SKB_HEADROOM + 2,
			      icmp_csum(s, SKB_HEADROOM, n))) {
		skb_put(s);
		return;
	}
	if (ip_output(s, &rt, in->daddr, in->saddr, IPPROTO_ICMP,
		      IP_DEFAULT_TTL, in->tos)) {
		/* dropped: nothing to tell */
	}
	skb_put(s);
}

void icmp_send_error(struct skb *in, uint8_t type_out, uint8_t code)
{
	uint32_t ihl = in->l4 - in->head;
	uint32_t quote = ihl + (in->l4len < 8 ? in->l4len : 8);
	struct route rt;
	struct skb *s;
	uint8_t type = 0;

	if (in->proto == IPPROTO_ICMP &&
	    (fw_bytes_get_u8(skb_bytes(in, in->l4, 1), 0, &type) ||
	     (type != ICMP_ECHO && type != ICMP_ECHOREPLY)))
		return; /* never an error about an error */
	if (inet_addr_bcast(in->daddr) || route_lookup(in->saddr, &rt))
		return;
	s = skb_alloc(SKB_HEADROOM + ICMP_HLEN + quote);
	if (!s)
		return;
	s->head = SKB_HEADROOM;
	s->len = ICMP_HLEN + quote;
	if (fw_buf_put_u8(s->buf, SKB_HEADROOM, type_out) ||
	    fw_buf_put_u8(s->buf, SKB_HEADROOM + 1, code) ||
	    fw_buf_copy_from(s->buf, SKB_HEADROOM + ICMP_HLEN,
			     skb_bytes(in, in->head, quote)) ||
	    fw_buf_put_u16_be(s->buf, SKB_HEADROOM + 2,
			      icmp_csum(s, SKB_HEADROOM, s->len))) {
		skb_put(s);
		return;
	}
	if (ip_output(s, &rt, in->daddr, in->saddr, IPPROTO_ICMP,
		      IP_DEFAULT_TTL, 0)) {
		/* dropped */
	}
	skb_put(s);
}

void icmp_send_unreach(struct skb *in, uint8_t code)
{
	icmp_send_error(in, ICMP_DEST_UNREACH, code);
}

/* linux icmp_err_convert */
static int unreach_errno(uint8_t code)
{
	switch (code) {
	case 0: return ENETUNREACH;
	case 1: return EHOSTUNREACH;
	case ICMP_PROT_UNREACH: return ENOPROTOOPT;
	case ICMP_PORT_UNREACH: return ECONNREFUSED;
	case 4: return EMSGSIZE;
	case 5: return EOPNOTSUPP;
	default: return EHOSTUNREACH;
	}
}

/* An error about a packet we sent: the quoted header names the socket. */
static void icmp_error(struct skb *s, int err)
{
	struct fw_bytes q = skb_bytes(s, s->l4 + ICMP_HLEN, s->l4len - ICMP_HLEN);
	uint8_t vihl = 0, proto = 0;
	uint32_t saddr = 0, daddr = 0, ihl;
	uint16_t sport = 0, dport = 0;

	if (s->l4len < ICMP_HLEN + IP_HLEN + 4 || fw_bytes_get_u8(q, 0, &vihl) ||
	    fw_bytes_get_u8(q, 9, &proto) || fw_bytes_get_u32_be(q, 12, &saddr) ||
	    fw_bytes_get_u32_be(q, 16, &daddr))
		return;
	ihl = (vihl & 0xfu) * 4u;
	if (ihl < IP_HLEN || fw_bytes_get_u16_be(q, ihl, &sport) ||
	    fw_bytes_get_u16_be(q, ihl + 2, &dport))
		return;
	inet_icmp_error(proto, saddr, daddr, sport, dport, err);
}

void icmp_rcv(struct skb *s)
{
	struct inet_sock *o;
	uint8_t type = 0, code = 0;
	uint16_t id = 0;

	if (s->l4len < ICMP_HLEN || fw_bytes_get_u8(skb_bytes(s, s->l4, 2), 0, &type) ||
	    fw_bytes_get_u8(skb_bytes(s, s->l4, 2), 1, &code) ||
	    fw_bytes_get_u16_be(skb_bytes(s, s->l4, ICMP_HLEN), 4, &id))
		return;
	if (!s->csum_ok && icmp_csum(s, s->l4, s->l4len) != 0)
		return;
	s->data = s->l4;
	s->dlen = s->l4len;
	s->sport = 0;
	fw_spin_lock(&inet_lock);
	/* raw sockets get every ICMP packet */
	FW_LIST_FOR_EACH(o, &icmp_table.all, all_node) {
		if (o->sk->type != SOCK_RAW)
			continue;
		if (o->laddr != INADDR_ANY && o->laddr != s->daddr)
			continue;
		dgram_queue_locked(o, s);
	}
	if (type == ICMP_ECHOREPLY) {
		FW_LIST_FOR_EACH(o, inet_bucket(&icmp_table, id), hnode) {
			if (o->icmp_id != id || o->sk->type != SOCK_DGRAM)
				continue;
			if (o->connected && o->raddr != s->saddr)
				continue;
			dgram_queue_locked(o, s);
			break;
		}
	}
	fw_spin_unlock(&inet_lock);
	if (type == ICMP_ECHO && !inet_addr_bcast(s->daddr))
		icmp_reply(s);
	else if (type == ICMP_DEST_UNREACH)
		icmp_error(s, unreach_errno(code));
	else if (type == ICMP_TIME_EXCEEDED)
		icmp_error(s, EHOSTUNREACH);
}

/* ---- sockets -------------------------------------------------------------- */

/* Give a ping socket its identifier (inet_lock held). */
static int ping_autobind(struct inet_sock *in)
{
	for (unsigned tries = 0; tries < 65536; tries++) {
		uint16_t id = (uint16_t)inet_random();
		struct inet_sock *o;
		bool used = false;

		if (!id)
			continue;
		FW_LIST_FOR_EACH(o, inet_bucket(&icmp_table, id), hnode)
			if (o->icmp_id == id)
				used = true;
		if (used)
			continue;
		in->icmp_id = id;
		in->lport = id;
		inet_hash_locked(&icmp_table, in);
		return 0;
	}
	return -EAGAIN;
}

static int ping_connect(struct socket *s, const struct sock_addr *a,
			bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	uint32_t daddr = 0;
	uint16_t port = 0;
	bool unspec;
	struct route rt;
	int err = inet_addr_parse(a, &daddr, &port, true, &unspec);

	(void)nonblock;
	if (err)
		return err;
	fw_spin_lock(&inet_lock);
	if (unspec) {
		in->connected = false;
		in->raddr = 0;
		fw_spin_unlock(&inet_lock);
		return 0;
	}
	fw_spin_unlock(&inet_lock);
	if (daddr == INADDR_ANY)
		daddr = INADDR_LOOPBACK;
	err = route_lookup(daddr, &rt);
	if (err)
		return err;
	fw_spin_lock(&inet_lock);
	if (!in->icmp_id && s->type == SOCK_DGRAM)
		err = ping_autobind(in);
	if (!err) {
		in->raddr = daddr;
		in->connected = true;
		if (!in->addr_bound)
			in->laddr = rt.src;
	}
	fw_spin_unlock(&inet_lock);
	return err;
}

static long ping_sendmsg(struct socket *s, struct sock_msghdr *m,
			 unsigned flags, bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	size_t len = m->data.left;
	uint32_t daddr = 0, saddr;
	uint16_t port;
	struct route rt;
	struct skb *skb;
	uint8_t type = 0, code = 0;
	int err = 0;

	(void)nonblock;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->has_name) {
		if (m->name.len < SOCKADDR_IN_LEN)
			return -EINVAL;
		err = inet_addr_parse(&m->name, &daddr, &port, false, NULL);
		if (err)
			return err;
		if (daddr == INADDR_ANY)
			daddr = INADDR_LOOPBACK;
	} else {
		fw_spin_lock(&inet_lock);
		daddr = in->raddr;
		err = in->connected ? 0 : -EDESTADDRREQ;
		fw_spin_unlock(&inet_lock);
		if (err)
			return err;
	}
	if (len < ICMP_HLEN || len > 65535 - IP_HLEN)
		return len < ICMP_HLEN ? -EINVAL : -EMSGSIZE;
	err = route_lookup(daddr, &rt);
	if (err)
		return err;
	if (rt.bcast && !((atomic_load(&s->bool_opts) >> SO_BROADCAST) & 1))
		return -EACCES;
	skb = skb_alloc(SKB_HEADROOM + len);
	if (!skb)
		return -ENOBUFS;
	skb->head = SKB_HEADROOM;
	skb->len = (uint32_t)len;
	if (iov_copy_in(&m->data, skb_buf(skb, SKB_HEADROOM, (uint32_t)len))) {
		skb_put(skb);
		return -EFAULT;
	}
	if (fw_bytes_get_u8(skb_bytes(skb, SKB_HEADROOM, 2), 0, &type) ||
	    fw_bytes_get_u8(skb_bytes(skb, SKB_HEADROOM, 2), 1, &code))
		err = -EINVAL;
	fw_spin_lock(&inet_lock);
	if (!err && s->type == SOCK_DGRAM) {
		/* Linux ping_v4_sendmsg: echo requests only */
		if (type != ICMP_ECHO || code != 0)
			err = -EINVAL;
		if (!err && !in->icmp_id)
			err = ping_autobind(in);
		if (!err && (fw_buf_put_u16_be(skb->buf, SKB_HEADROOM + 4,
					       in->icmp_id) ||
			     fw_buf_put_u16_be(skb->buf, SKB_HEADROOM + 2, 0) ||
			     fw_buf_put_u16_be(skb->buf, SKB_HEADROOM + 2,
					       icmp_csum(skb, SKB_HEADROOM,
							 (uint32_t)len))))
			err = -EINVAL;
	}
	saddr = in->addr_bound ? in->laddr : rt.src;
	if (!err)
		err = ip_output_pmtu(skb, &rt, saddr, daddr, IPPROTO_ICMP,
				     in->ttl ? in->ttl : IP_DEFAULT_TTL,
				     in->tos, in->pmtudisc);
	if (err == -ENOBUFS && !in->recverr)
		err = 0;
	fw_spin_unlock(&inet_lock);
	skb_put(skb);
	inet_softirq();
	return err ? err : (long)len;
}

static const struct sock_ops ping_ops = {
	.release = dgram_release,
	.destroy = inet_sock_destroy,
	.pair = inet_no_pair,
	.bind = inet_bind,
	.connect = ping_connect,
	.listen = inet_no_listen,
	.accept = inet_no_accept,
	.getname = inet_getname,
	.sendmsg = ping_sendmsg,
	.recvmsg = dgram_recvmsg,
	.shutdown = dgram_shutdown,
	.poll = dgram_poll,
	.ioctl = dgram_ioctl,
	.sock_error = dgram_error,
	.listening = inet_never_listening,
	.peercred = inet_no_peercred,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
};

int icmp_create(int type, struct socket **out)
{
	struct socket *s = inet_socket_new(type, IPPROTO_ICMP, &ping_ops);

	if (!s)
		return -ENOMEM;
	fw_spin_lock(&inet_lock);
	fw_list_add_tail(&icmp_table.all, &inet_of(s)->all_node);
	fw_spin_unlock(&inet_lock);
	*out = s;
	return 0;
}
