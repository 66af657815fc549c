/* services/net/inet/raw.c: SOCK_RAW/IPPROTO_RAW sockets.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/raw.c. Linux's
 * IPPROTO_RAW socket is send-only: each send carries its own IP header
 * (IP_HDRINCL is implied), and it receives nothing. One can be created
 * by root (CAP_NET_RAW, as Linux); busybox udhcpc and ifconfig-like
 * tools open it for the interface ioctls (sys_socket.c answers them for
 * every socket) and socket options, and senders of hand-made packets
 * (fragments, odd headers) for sendto(2). Binding and connecting are
 * not implemented: EOPNOTSUPP. */
#include "net/inet/inet.h"

static int raw_bind(struct socket *s, const struct sock_addr *a)
{
	(void)s, (void)a;
	return -EOPNOTSUPP;
}

static int raw_connect(struct socket *s, const struct sock_addr *a, bool nb)
{
	(void)s, (void)a, (void)nb;
	return -EOPNOTSUPP;
}

/* Linux raw_send_hdrinc: the header goes out as given, but for what the
 * kernel always fills in (total length, header checksum) and what it
 * fills in when zero (source address, identification), after checking
 * that the header length lies inside the packet. Routed by the address
 * sendto(2) names; over the MTU is EMSGSIZE (no fragmenting a packet
 * that already has its header). */
static long raw_sendmsg(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	size_t len = m->data.left;
	uint32_t daddr = 0, saddr = 0, ihl;
	uint16_t port, id = 0;
	uint8_t vihl = 0;
	struct route rt;
	struct skb *skb;
	int err;

	(void)nonblock;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (!m->has_name)
		return -EDESTADDRREQ; /* never connected */
	if (m->name.len < SOCKADDR_IN_LEN)
		return -EINVAL;
	err = inet_addr_parse(&m->name, &daddr, &port, false, NULL);
	if (err)
		return err;
	if (len > 65535)
		return -EMSGSIZE;
	err = route_lookup(daddr, &rt);
	if (err)
		return err;
	if (rt.bcast && !((atomic_load(&s->bool_opts) >> SO_BROADCAST) & 1))
		return -EACCES;
	if (len > rt.dev->mtu)
		return -EMSGSIZE;
	if (len < IP_HLEN)
		return -EINVAL;
	skb = skb_alloc(len);
	if (!skb)
		return -ENOBUFS;
	skb->head = 0;
	skb->len = (uint32_t)len;
	if (iov_copy_in(&m->data, skb_buf(skb, 0, (uint32_t)len))) {
		skb_put(skb);
		return -EFAULT;
	}
	err = -EINVAL;
	if (fw_bytes_get_u8(skb_bytes(skb, 0, IP_HLEN), 0, &vihl) ||
	    fw_bytes_get_u16_be(skb_bytes(skb, 0, IP_HLEN), 4, &id) ||
	    fw_bytes_get_u32_be(skb_bytes(skb, 0, IP_HLEN), 12, &saddr))
		goto out_put;
	ihl = (vihl & 0xfu) * 4u;
	if (ihl > len)
		goto out_put;
	if (ihl >= IP_HLEN) {
		if (!saddr && fw_buf_put_u32_be(skb->buf, 12, rt.src))
			goto out_put;
		if (!id && fw_buf_put_u16_be(skb->buf, 4,
					     (uint16_t)inet_random()))
			goto out_put;
		if (fw_buf_put_u16_be(skb->buf, 2, (uint16_t)len) ||
		    fw_buf_put_u16_be(skb->buf, 10, 0) ||
		    fw_buf_put_u16_be(skb->buf, 10,
				      inet_csum_fold(inet_csum_add(
					      0, skb_bytes(skb, 0, ihl)))))
			goto out_put;
	}
	fw_spin_lock(&inet_lock);
	err = ip_xmit(skb, &rt);
	if (err == -ENOBUFS && !in->recverr)
		err = 0; /* as UDP: a full queue is a silent drop */
	fw_spin_unlock(&inet_lock);
out_put:
	skb_put(skb);
	inet_softirq();
	return err ? err : (long)len;
}

static const struct sock_ops raw_ops = {
	.release = dgram_release,
	.destroy = inet_sock_destroy,
	.pair = inet_no_pair,
	.bind = raw_bind,
	.connect = raw_connect,
	.listen = inet_no_listen,
	.accept = inet_no_accept,
	.getname = inet_getname,
	.sendmsg = raw_sendmsg,
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

int raw_create(struct socket **out)
{
	struct socket *s = inet_socket_new(SOCK_RAW, IPPROTO_RAW, &raw_ops);

	if (!s)
		return -ENOMEM;
	fw_spin_lock(&inet_lock);
	fw_list_add_tail(&raw_all, &inet_of(s)->all_node);
	fw_spin_unlock(&inet_lock);
	*out = s;
	return 0;
}
