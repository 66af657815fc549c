/* services/net/inet/udp.c: UDP sockets (RFC 768), and the datagram
 * receive path ICMP sockets share.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/udp.c and
 * datagram.c. A datagram is copied from the sender once, into the packet
 * that travels (over lo, the receiver queues that same packet), and once
 * more to the receiver. Receive queues are bounded by SO_RCVBUF, charged
 * with the payload plus Linux's per-packet overhead; a datagram arriving
 * at a full queue is dropped and counted. A datagram to a port nobody has
 * is answered with ICMP port unreachable, which a connected sender sees
 * as ECONNREFUSED on its next call (as Linux). Broadcasts (255.255.255.255,
 * a subnet's broadcast such as 127.255.255.255) need SO_BROADCAST, else
 * EACCES, and reach every socket bound to the port with a matching
 * address. SO_REUSEPORT groups: the first socket bound gets unicast. */
#include "net/inet/inet.h"

#define DGRAM_OVERHEAD 768u	/* Linux skb truesize over the payload */
#define UDP_MAX_PAYLOAD 65507u	/* 65535 - IP - UDP headers */
#define MSG_ERRQUEUE 0x2000u

static const struct sock_ops udp_ops;

static size_t charge_of(const struct skb *s)
{
	return s->dlen + DGRAM_OVERHEAD;
}

/* A copy of s for a second receiver: a packet is on one queue at a time
 * (its node), so a datagram delivered to several sockets (every raw
 * ICMP socket and a ping socket, a UDP broadcast to several) is copied
 * for each after the first (Linux skb_clone). NULL: out of memory. */
static struct skb *dgram_copy(const struct skb *s)
{
	struct skb *c = skb_alloc(fw_buf_len(s->buf));
	struct fw_buf buf;

	if (!c)
		return NULL;
	buf = c->buf;
	if (fw_buf_copy_from(buf, 0, fw_buf_as_bytes(s->buf))) {
		skb_put(c);
		return NULL;
	}
	*c = *s;
	atomic_init(&c->refs, 1);
	fw_list_init(&c->node);
	fw_list_init(&c->snode);
	c->buf = buf;
	return c;
}

bool dgram_queue_locked(struct inet_sock *in, struct skb *s)
{
	if (in->rcvq_mem > atomic_load(&in->sk->rcvbuf) ||
	    (in->shutdown & RCV_SHUTDOWN)) {
		in->drops++;
		return false;
	}
	if (fw_list_empty(&s->node)) {
		skb_get(s);
	} else {
		s = dgram_copy(s); /* already queued for another socket */
		if (!s) {
			in->drops++;
			return false;
		}
	}
	fw_list_add_tail(&in->rcvq, &s->node);
	in->rcvq_bytes += s->dlen;
	in->rcvq_mem += charge_of(s);
	socket_wake(in->sk);
	return true;
}

/* The head datagram, unlinked (or referenced, for MSG_PEEK), waiting for
 * one as the flags and timeouts say. */
static int dgram_take(struct socket *s, unsigned flags, bool nonblock,
		      struct skb **out)
{
	struct inet_sock *in = inet_of(s);
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));

	for (;;) {
		struct skb *skb;
		unsigned seen;
		int err;

		fw_spin_lock(&inet_lock);
		skb = FW_LIST_FIRST(&in->rcvq, struct skb, node);
		if (skb) {
			if (flags & MSG_PEEK) {
				skb_get(skb);
			} else {
				fw_list_del(&skb->node);
				in->rcvq_bytes -= skb->dlen;
				in->rcvq_mem -= charge_of(skb);
			}
			fw_spin_unlock(&inet_lock);
			*out = skb;
			return 0;
		}
		if (in->err) {
			err = -in->err;
			in->err = 0;
			fw_spin_unlock(&inet_lock);
			return err;
		}
		if (in->shutdown & RCV_SHUTDOWN) {
			fw_spin_unlock(&inet_lock);
			*out = NULL;
			return 0;
		}
		seen = atomic_load(&s->seq);
		fw_spin_unlock(&inet_lock);
		if (nonblock || (flags & MSG_DONTWAIT))
			return -EAGAIN;
		err = socket_wait(s, seen, deadline);
		if (err)
			return err;
	}
}

long dgram_recvmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		   bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	struct skb *skb;
	uint32_t n, off, len;
	int err;

	if (flags & MSG_ERRQUEUE)
		return -EAGAIN; /* no error queue: nothing in it */
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	err = dgram_take(s, flags, nonblock, &skb);
	if (err)
		return err;
	if (!skb)
		return 0; /* shut down for reading */
	off = skb->data;
	len = skb->dlen;
	if (s->type == SOCK_RAW) {
		/* raw sockets see the IP header too */
		off = skb->head;
		len = skb->len;
	}
	n = len < m->data.left ? len : (uint32_t)m->data.left;
	err = skb_copy_to_iov(skb, off, n, &m->data);
	if (!err) {
		inet_addr_make(&m->name, skb->saddr,
			       in->proto == IPPROTO_UDP ? skb->sport : 0);
		if (n < len)
			m->out_flags |= MSG_TRUNC;
		inet_put_cmsgs(in, skb, m);
	}
	skb_put(skb);
	if (err)
		return err;
	return (flags & MSG_TRUNC) ? (long)len : (long)n;
}

unsigned dgram_poll(struct socket *s)
{
	struct inet_sock *in = inet_of(s);
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	fw_spin_lock(&inet_lock);
	if (in->err)
		mask |= POLLERR;
	if (in->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (in->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (!fw_list_empty(&in->rcvq))
		mask |= POLLIN | POLLRDNORM;
	fw_spin_unlock(&inet_lock);
	return mask;
}

long dgram_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	struct inet_sock *in = inet_of(s);
	int32_t n = 0;

	if (cmd != SIOCINQ && cmd != SIOCOUTQ)
		return -ENOTTY;
	fw_spin_lock(&inet_lock);
	if (cmd == SIOCINQ) {
		struct skb *skb = FW_LIST_FIRST(&in->rcvq, struct skb, node);

		n = skb ? (int32_t)skb->dlen : 0; /* the next datagram */
	}
	fw_spin_unlock(&inet_lock);
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &n) ? -EFAULT : 0;
}

/* ---- UDP ---------------------------------------------------------------- */

static int udp_connect(struct socket *s, const struct sock_addr *a,
		       bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	uint32_t daddr = 0;
	uint16_t dport = 0;
	struct route rt;
	bool unspec;
	int err = inet_addr_parse(a, &daddr, &dport, true, &unspec);

	(void)nonblock;
	if (err)
		return err;
	if (unspec) {
		/* Disconnect: forget the peer, and a port or source the
		 * kernel picked (Linux __udp_disconnect). */
		fw_spin_lock(&inet_lock);
		in->connected = false;
		in->raddr = 0;
		in->rport = 0;
		if (!in->addr_bound)
			in->laddr = 0;
		if (in->autobound) {
			inet_unhash_locked(&udp_table, in);
			in->lport = 0;
			in->autobound = false;
		}
		fw_spin_unlock(&inet_lock);
		return 0;
	}
	if (daddr == INADDR_ANY)
		daddr = INADDR_LOOPBACK; /* Linux: "this host" */
	err = route_lookup(daddr, &rt);
	if (err)
		return err;
	if (rt.bcast && !((atomic_load(&s->bool_opts) >> SO_BROADCAST) & 1))
		return -EACCES;
	fw_spin_lock(&inet_lock);
	if (!in->lport)
		err = inet_bind_locked(&udp_table, in, INADDR_ANY, 0);
	if (!err) {
		if (!in->addr_bound)
			in->laddr = rt.src;
		in->raddr = daddr;
		in->rport = dport;
		in->connected = true;
		in->err = 0;
	}
	fw_spin_unlock(&inet_lock);
	return err == -EADDRINUSE ? -EAGAIN : err;
}

static long udp_sendmsg(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	size_t len = m->data.left;
	uint32_t daddr, saddr;
	uint16_t dport;
	struct route rt;
	struct skb *skb;
	struct fw_writer w;
	int err = 0;

	(void)nonblock;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->has_name) {
		bool unspec;

		if (m->name.len < SOCKADDR_IN_LEN)
			return -EINVAL;
		err = inet_addr_parse(&m->name, &daddr, &dport, true, &unspec);
		if (err)
			return err;
		if (unspec) {
			/* Linux: AF_UNSPEC here is read as AF_INET */
			struct sock_addr a = m->name;

			a.b[0] = AF_INET;
			err = inet_addr_parse(&a, &daddr, &dport, false, NULL);
			if (err)
				return err;
		}
		if (dport == 0)
			return -EINVAL;
		if (daddr == INADDR_ANY)
			daddr = INADDR_LOOPBACK;
	} else {
		fw_spin_lock(&inet_lock);
		daddr = in->raddr;
		dport = in->rport;
		err = in->connected ? 0 : -EDESTADDRREQ;
		fw_spin_unlock(&inet_lock);
		if (err)
			return err;
	}
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	err = route_lookup(daddr, &rt);
	if (err)
		return err;
	if (rt.bcast && !((atomic_load(&s->bool_opts) >> SO_BROADCAST) & 1))
		return -EACCES;
	skb = skb_alloc_data(SKB_HEADROOM + UDP_HLEN, len);
	if (!skb)
		return -ENOBUFS;
	skb->head = SKB_HEADROOM;
	skb->len = UDP_HLEN + (uint32_t)len;
	if (len && iov_copy_in(&m->data, skb_buf(skb, SKB_HEADROOM + UDP_HLEN,
						   (uint32_t)len))) {
		skb_put(skb);
		return -EFAULT;
	}
	fw_spin_lock(&inet_lock);
	if (in->err) {
		/* an ICMP error for an earlier datagram (Linux sock_error) */
		err = -in->err;
		in->err = 0;
	} else if (!in->lport) {
		err = inet_bind_locked(&udp_table, in, INADDR_ANY, 0);
		if (err == -EADDRINUSE)
			err = -EAGAIN;
	}
	saddr = in->addr_bound ? in->laddr : rt.src;
	fw_writer_init(&w, skb_buf(skb, SKB_HEADROOM, UDP_HLEN));
	if (!err && (fw_writer_u16_be(&w, in->lport) ||
		     fw_writer_u16_be(&w, dport) ||
		     fw_writer_u16_be(&w, (uint16_t)(UDP_HLEN + len)) ||
		     fw_writer_u16_be(&w, 0)))
		err = -EINVAL;
	if (!err)
		err = ip_output_pmtu(skb, &rt, saddr, daddr, IPPROTO_UDP,
				     in->ttl ? in->ttl : IP_DEFAULT_TTL,
				     in->tos, in->pmtudisc);
	if (err == -ENOBUFS && !in->recverr)
		err = 0; /* Linux: a full device queue is a silent drop */
	fw_spin_unlock(&inet_lock);
	skb_put(skb);
	inet_softirq();
	return err ? err : (long)len;
}

/* The socket a unicast datagram is for: the most specific match. */
static struct inet_sock *udp_lookup(uint32_t saddr, uint16_t sport,
				    uint32_t daddr, uint16_t dport)
{
	struct inet_sock *o, *best = NULL;
	int best_score = -1;

	FW_LIST_FOR_EACH(o, inet_bucket(&udp_table, dport), hnode) {
		int score = 0;

		if (o->lport != dport)
			continue;
		if (o->laddr != INADDR_ANY) {
			if (o->laddr != daddr)
				continue;
			score += 2;
		}
		if (o->connected) {
			if (o->raddr != saddr || o->rport != sport)
				continue;
			score += 4;
		}
		if (score > best_score) {
			best = o;
			best_score = score;
		}
	}
	return best;
}

void udp_rcv(struct skb *s)
{
	struct fw_bytes h = skb_bytes(s, s->l4, UDP_HLEN);
	uint16_t sport, dport, ulen, csum;
	bool bcast = inet_addr_bcast(s->daddr), found = false;

	if (s->l4len < UDP_HLEN || fw_bytes_get_u16_be(h, 0, &sport) ||
	    fw_bytes_get_u16_be(h, 2, &dport) ||
	    fw_bytes_get_u16_be(h, 4, &ulen) || fw_bytes_get_u16_be(h, 6, &csum))
		return;
	if (ulen < UDP_HLEN || ulen > s->l4len)
		return;
	if (!s->csum_ok && csum &&
	    inet_csum_fold(inet_csum_add(inet_csum_pseudo(s->saddr, s->daddr,
							  IPPROTO_UDP, ulen),
					 skb_bytes(s, s->l4, ulen))) != 0)
		return;
	s->sport = sport;
	s->dport = dport;
	s->data = s->l4 + UDP_HLEN;
	s->dlen = ulen - UDP_HLEN;
	fw_spin_lock(&inet_lock);
	if (bcast) {
		struct inet_sock *o;

		FW_LIST_FOR_EACH(o, inet_bucket(&udp_table, dport), hnode) {
			if (o->lport != dport ||
			    (o->laddr != INADDR_ANY && o->laddr != s->daddr))
				continue;
			found = true;
			dgram_queue_locked(o, s);
		}
	} else {
		struct inet_sock *o = udp_lookup(s->saddr, sport, s->daddr, dport);

		if (o) {
			found = true;
			dgram_queue_locked(o, s);
		}
	}
	fw_spin_unlock(&inet_lock);
	if (!found && !bcast)
		icmp_send_unreach(s, ICMP_PORT_UNREACH);
}

void udp_err_locked(uint32_t saddr, uint32_t daddr, uint16_t sport,
		    uint16_t dport, int err)
{
	struct inet_sock *o;

	FW_LIST_FOR_EACH(o, inet_bucket(&udp_table, sport), hnode) {
		if (o->lport != sport ||
		    (o->laddr != INADDR_ANY && o->laddr != saddr))
			continue;
		/* Linux: only a connected socket (or one with IP_RECVERR)
		 * hears of it. */
		if (!o->connected || o->raddr != daddr || o->rport != dport)
			continue;
		o->err = err;
		socket_wake(o->sk);
		return;
	}
}

int dgram_shutdown(struct socket *s, unsigned how)
{
	struct inet_sock *in = inet_of(s);
	int err = 0;

	if (how > SHUT_RDWR)
		return -EINVAL;
	fw_spin_lock(&inet_lock);
	if (!in->connected)
		err = -ENOTCONN; /* Linux still records it */
	in->shutdown |= how + 1;
	fw_spin_unlock(&inet_lock);
	socket_wake(s);
	return err;
}

void dgram_release(struct socket *s)
{
	struct inet_sock *in = inet_of(s);
	struct fw_list q;

	fw_list_init(&q);
	fw_spin_lock(&inet_lock);
	s->file = NULL;
	in->dead = true;
	inet_unhash_locked(in->proto == IPPROTO_UDP ? &udp_table : &icmp_table,
			   in);
	fw_list_del(&in->all_node);
	while (!fw_list_empty(&in->rcvq)) {
		struct skb *skb = FW_LIST_FIRST(&in->rcvq, struct skb, node);

		fw_list_del(&skb->node);
		fw_list_add_tail(&q, &skb->node);
	}
	in->rcvq_bytes = 0;
	in->rcvq_mem = 0;
	fw_spin_unlock(&inet_lock);
	skb_list_purge(&q);
}

void inet_sock_destroy(struct socket *s)
{
	inet_sock_free(inet_of(s));
}

int dgram_error(struct socket *s)
{
	struct inet_sock *in = inet_of(s);
	int e;

	fw_spin_lock(&inet_lock);
	e = in->err;
	in->err = 0;
	fw_spin_unlock(&inet_lock);
	return -e;
}

bool inet_never_listening(struct socket *s)
{
	(void)s;
	return false;
}

int inet_no_peercred(struct socket *s, struct linux_ucred *out)
{
	(void)s;
	out->pid = 0;
	out->uid = ~0u;
	out->gid = ~0u;
	return 0;
}

int inet_no_listen(struct socket *s, int backlog)
{
	(void)s;
	(void)backlog;
	return -EOPNOTSUPP;
}

int inet_no_accept(struct socket *s, bool nonblock, struct socket **out)
{
	(void)s;
	(void)nonblock;
	(void)out;
	return -EOPNOTSUPP;
}

int inet_no_pair(struct socket *a, struct socket *b)
{
	(void)a;
	(void)b;
	return -EOPNOTSUPP;
}

static const struct sock_ops udp_ops = {
	.release = dgram_release,
	.destroy = inet_sock_destroy,
	.pair = inet_no_pair,
	.bind = inet_bind,
	.connect = udp_connect,
	.listen = inet_no_listen,
	.accept = inet_no_accept,
	.getname = inet_getname,
	.sendmsg = udp_sendmsg,
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

int udp_create(struct socket **out)
{
	struct socket *s = inet_socket_new(SOCK_DGRAM, IPPROTO_UDP, &udp_ops);

	if (!s)
		return -ENOMEM;
	fw_spin_lock(&inet_lock);
	fw_list_add_tail(&udp_table.all, &inet_of(s)->all_node);
	fw_spin_unlock(&inet_lock);
	*out = s;
	return 0;
}

