/* services/net/tcp/tcp_sock.c: TCP sockets, the calls.
 *
 * Layer: services (safe C), net/inet, after Linux af_inet.c
 * (inet_stream_connect, inet_accept, inet_shutdown) and tcp.c
 * (tcp_close, tcp_poll); send and receive are in tcp_data.c. A
 * connection lives past its file: from connect/listen (or, for a child,
 * its SYN) until it reaches CLOSE, the protocol holds a reference on the
 * socket. Closing
 * with unread data, or with SO_LINGER on and a zero time, resets the
 * connection (RST), as Linux; SO_LINGER with a time makes close wait for
 * the FIN's acknowledgment that long. TIME_WAIT lasts 2 s (Linux: 60 s);
 * an orphaned FIN_WAIT2 60 s (tcp_fin_timeout) or TCP_LINGER2. */
#include <fw/time.h>

#include "net/tcp/tcp.h"

#define SIOCOUTQNSD 0x894B

static const struct sock_ops tcp_ops;
static struct fw_list reap_list = FW_LIST_HEAD_INIT(reap_list);

void tcp_unlock(void)
{
	struct fw_list q;

	fw_list_init(&q);
	while (!fw_list_empty(&reap_list)) {
		struct inet_sock *in = FW_LIST_FIRST(&reap_list, struct inet_sock,
						     reap_node);

		fw_list_del(&in->reap_node);
		fw_list_add_tail(&q, &in->reap_node);
	}
	fw_spin_unlock(&inet_lock);
	while (!fw_list_empty(&q)) {
		struct inet_sock *in = FW_LIST_FIRST(&q, struct inet_sock,
						     reap_node);

		fw_list_del(&in->reap_node);
		socket_put(in->sk);
	}
}

/* Drop a reference on in's socket once inet_lock is released. A
 * socket is on the list at most once: its references are taken one at
 * a time (the protocol's, then a queue's), each dropped by tcp_unlock
 * before the next can be queued... so a second one waits here. */
static void reap(struct inet_sock *in)
{
	if (!fw_list_empty(&in->reap_node)) {
		/* already queued once: drop this one now; the queued one
		 * keeps the socket alive until tcp_unlock */
		atomic_fetch_sub(&in->sk->refs, 1);
		return;
	}
	fw_list_add_tail(&reap_list, &in->reap_node);
}

void tcp_set_state(struct inet_sock *in, enum tcp_state st)
{
	in->state = st;
}

static void purge_send(struct inet_sock *in)
{
	while (!fw_list_empty(&in->wq)) {
		struct skb *s = FW_LIST_FIRST(&in->wq, struct skb, snode);

		fw_list_del(&s->snode);
		skb_put(s);
	}
	while (!fw_list_empty(&in->rtxq)) {
		struct skb *s = FW_LIST_FIRST(&in->rtxq, struct skb, snode);

		fw_list_del(&s->snode);
		skb_put(s);
	}
	in->wq_bytes = 0;
}

void tcp_done(struct inet_sock *in)
{
	struct socket *parent = in->parent;

	in->state = TCP_CLOSE;
	in->shutdown = SHUTDOWN_MASK;
	in->connecting = false;
	inet_unhash_locked(&tcp_table, in);
	if (in->on_timer_list) {
		fw_list_del(&in->timer_node);
		in->on_timer_list = false;
	}
	in->rto_at = in->tw_at = in->keep_at = in->delack_at = 0;
	if (in->ack_pending) {
		fw_list_del(&in->ack_node);
		in->ack_pending = false;
	}
	purge_send(in);
	skb_list_purge(&in->oooq);
	if (parent && !in->in_acceptq) {
		/* an embryo: off the SYN queue, and its queue reference */
		fw_list_del(&in->child_node);
		inet_of(parent)->synq_len--;
		in->parent = NULL;
		reap(in);
	}
	if (in->proto_ref) {
		in->proto_ref = false;
		reap(in);
	}
	socket_wake(in->sk);
}

void tcp_abort(struct inet_sock *in, int err, bool rst)
{
	if (rst)
		tcp_send_rst_sock(in);
	if (err)
		in->err = err;
	tcp_done(in);
}

static void init_tcb(struct inet_sock *in)
{
	in->rto = TCP_RTO_INIT_NS;
	in->mss = TCP_MSS_DEFAULT;
	in->cwnd = 10 * TCP_MSS_DEFAULT;
	in->ssthresh = 0x7fffffffu;
	in->iss = (uint32_t)inet_random();
	in->snd_una = in->snd_nxt = in->write_seq = in->snd_sml = in->iss;
	in->rcv_wscale = TCP_RCV_WSCALE;
	in->ca_state = TCP_CA_OPEN;
	in->recover = in->iss;
	in->dupacks = 0;
	in->rcv_mss = TCP_MSS_DEFAULT;
	in->quick_acks = TCP_MAX_QUICKACKS;
	in->ts_ok = false;
	in->ts_offset = (uint32_t)inet_random();
}

static struct socket *tcp_alloc(void)
{
	struct socket *s = inet_socket_new(SOCK_STREAM, IPPROTO_TCP, &tcp_ops);

	if (!s)
		return NULL;
	fw_list_init(&inet_of(s)->reap_node);
	return s;
}

int tcp_create(struct socket **out)
{
	struct socket *s = tcp_alloc();

	if (!s)
		return -ENOMEM;
	fw_spin_lock(&inet_lock);
	fw_list_add_tail(&tcp_table.all, &inet_of(s)->all_node);
	fw_spin_unlock(&inet_lock);
	*out = s;
	return 0;
}

struct inet_sock *tcp_child_new(struct inet_sock *lis, struct skb *syn)
{
	struct socket *ls = lis->sk, *s = tcp_alloc();
	struct inet_sock *c;

	if (!s)
		return NULL;
	c = inet_of(s);
	/* Options are inherited (Linux sk_clone_lock). */
	atomic_store(&s->bool_opts, atomic_load(&ls->bool_opts));
	atomic_store(&s->rcvbuf, atomic_load(&ls->rcvbuf));
	atomic_store(&s->sndbuf, atomic_load(&ls->sndbuf));
	atomic_store(&s->rcvtimeo_ns, atomic_load(&ls->rcvtimeo_ns));
	atomic_store(&s->sndtimeo_ns, atomic_load(&ls->sndtimeo_ns));
	atomic_store(&s->linger_onoff, atomic_load(&ls->linger_onoff));
	atomic_store(&s->linger_secs, atomic_load(&ls->linger_secs));
	c->ttl = lis->ttl;
	c->tos = lis->tos;
	c->nodelay = lis->nodelay;
	c->user_mss = lis->user_mss;
	c->keepalive = (atomic_load(&ls->bool_opts) >> SO_KEEPALIVE) & 1;
	c->keepidle = lis->keepidle;
	c->keepintvl = lis->keepintvl;
	c->keepcnt = lis->keepcnt;
	c->linger2 = lis->linger2;
	c->user_timeout_ms = lis->user_timeout_ms;
	init_tcb(c);
	c->laddr = syn->daddr;
	c->lport = syn->dport;
	c->raddr = syn->saddr;
	c->rport = syn->sport;
	c->irs = syn->seq;
	c->rcv_nxt = syn->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->state = TCP_SYN_RECV;
	c->parent = ls;
	/* two references: the SYN queue's (the allocation's) and the
	 * protocol's */
	socket_get(s);
	c->proto_ref = true;
	fw_list_add_tail(&lis->synq, &c->child_node);
	lis->synq_len++;
	fw_list_add_tail(&tcp_table.all, &c->all_node);
	inet_hash_locked(&tcp_table, c);
	return c;
}

void tcp_child_established(struct inet_sock *c)
{
	struct inet_sock *lis = inet_of(c->parent);

	fw_list_del(&c->child_node);
	lis->synq_len--;
	fw_list_add_tail(&lis->acceptq, &c->child_node);
	lis->acceptq_len++;
	c->in_acceptq = true;
	socket_wake(lis->sk);
}

/* ---- connect, listen, accept ---------------------------------------------- */

static int wait_state(struct socket *s, unsigned seen, uint64_t deadline)
{
	return socket_wait(s, seen, deadline);
}

static int tcp_disconnect_locked(struct inet_sock *in)
{
	if (in->state == TCP_LISTEN) {
		return -EINVAL; /* not used: listeners close in release */
	}
	if (in->state != TCP_CLOSE)
		tcp_abort(in, 0, true);
	skb_list_purge(&in->rcvq);
	in->rcvq_bytes = in->rcvq_mem = 0;
	in->shutdown = 0;
	in->fin_rcvd = in->fin_sent = in->fin_queued = false;
	in->err = 0;
	in->raddr = 0;
	in->rport = 0;
	if (in->autobound) {
		inet_unhash_locked(&tcp_table, in);
		in->lport = 0;
	}
	if (!in->addr_bound)
		in->laddr = 0;
	return 0;
}

static int tcp_connect(struct socket *s, const struct sock_addr *a,
		       bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	uint64_t deadline = socket_deadline(atomic_load(&s->sndtimeo_ns));
	uint32_t daddr = 0;
	uint16_t dport = 0, fam = 0;
	struct route rt;
	int err;

	/* Linux inet_stream_connect: the family, then the state, then the
	 * rest of the address. */
	if (a->len < 2 || fw_bytes_get_u16_le(FW_BYTES_OF_ARRAY(a->b), 0, &fam))
		return -EINVAL;
	if (fam == AF_UNSPEC) {
		fw_spin_lock(&inet_lock);
		err = tcp_disconnect_locked(in);
		in->connecting = false;
		tcp_unlock();
		inet_softirq();
		return err;
	}
	fw_spin_lock(&inet_lock);
	if (in->connecting) {
		if (in->state == TCP_SYN_SENT || in->state == TCP_SYN_RECV) {
			err = -EALREADY;
			if (nonblock)
				goto out;
			goto wait;
		}
		goto result;
	}
	if (in->state != TCP_CLOSE) {
		err = -EISCONN;
		goto out;
	}
	if (in->was_conn && (in->shutdown || in->rport)) {
		err = -EISCONN; /* Linux: a finished connection stays */
		goto out;
	}
	fw_spin_unlock(&inet_lock);
	err = inet_addr_parse(a, &daddr, &dport, false, NULL);
	if (err)
		return err;
	if (daddr == INADDR_ANY)
		daddr = INADDR_LOOPBACK;
	err = route_lookup(daddr, &rt);
	if (!err && rt.bcast)
		err = -ENETUNREACH;
	if (err)
		return err;
	fw_spin_lock(&inet_lock);
	if (in->state != TCP_CLOSE || in->connecting) {
		err = -EALREADY;
		goto out;
	}
	if (!in->lport) {
		err = inet_bind_locked(&tcp_table, in, INADDR_ANY, 0);
		if (err) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
	}
	/* the four-tuple must be free (a SO_REUSEADDR bind may share
	 * the port) */
	{
		struct inet_sock *o;
		uint32_t src = in->addr_bound ? in->laddr : rt.src;

		FW_LIST_FOR_EACH(o, inet_bucket(&tcp_table, in->lport), hnode)
			if (o != in && o->lport == in->lport && o->raddr == daddr &&
			    o->rport == dport && o->laddr == src &&
			    o->state != TCP_CLOSE) {
				err = -EADDRNOTAVAIL;
				goto out;
			}
		in->laddr = src;
	}
	in->raddr = daddr;
	in->rport = dport;
	init_tcb(in);
	in->err = 0;
	in->shutdown = 0;
	if (tcp_queue_ctl(in, TCP_SYN)) {
		err = -ENOBUFS;
		goto out;
	}
	tcp_set_state(in, TCP_SYN_SENT);
	in->connecting = true;
	socket_get(s);
	in->proto_ref = true;
	tcp_output(in);
	if (nonblock) {
		err = -EINPROGRESS;
		goto out;
	}
	err = -EINPROGRESS;
wait:
	for (;;) {
		unsigned seen;
		int w;

		if (in->state != TCP_SYN_SENT && in->state != TCP_SYN_RECV)
			break;
		seen = atomic_load(&s->seq);
		tcp_unlock();
		inet_softirq();
		w = wait_state(s, seen, deadline);
		fw_spin_lock(&inet_lock);
		if (w == -EAGAIN) {
			err = -EINPROGRESS; /* SO_SNDTIMEO ran out */
			goto out;
		}
		if (w) {
			err = w;
			goto out;
		}
	}
result:
	in->connecting = false;
	if (in->state == TCP_CLOSE) {
		err = in->err ? -in->err : -ECONNABORTED;
		in->err = 0;
	} else {
		err = 0;
	}
out:
	tcp_unlock();
	inet_softirq();
	return err;
}

static int tcp_listen(struct socket *s, int backlog)
{
	struct inet_sock *in = inet_of(s);
	int err = 0;

	if ((unsigned)backlog > TCP_SOMAXCONN)
		backlog = TCP_SOMAXCONN;
	fw_spin_lock(&inet_lock);
	if (in->state == TCP_LISTEN) {
		in->backlog = backlog;
		goto out;
	}
	if (in->state != TCP_CLOSE || in->connecting) {
		err = -EINVAL;
		goto out;
	}
	if (!in->lport) {
		err = inet_bind_locked(&tcp_table, in, INADDR_ANY, 0);
		if (err)
			goto out;
	} else {
		/* Two sockets may share a port through SO_REUSEADDR, but
		 * only one may listen on it (without SO_REUSEPORT). */
		struct inet_sock *o;

		FW_LIST_FOR_EACH(o, inet_bucket(&tcp_table, in->lport), hnode) {
			if (o == in || o->lport != in->lport)
				continue;
			if (o->laddr != INADDR_ANY && in->laddr != INADDR_ANY &&
			    o->laddr != in->laddr)
				continue;
			if (inet_reuseport(o) && inet_reuseport(in))
				continue;
			if (o->state == TCP_LISTEN ||
			    !(inet_reuseaddr(o) && inet_reuseaddr(in))) {
				err = -EADDRINUSE;
				goto out;
			}
		}
	}
	in->backlog = backlog;
	tcp_set_state(in, TCP_LISTEN);
	socket_get(s);
	in->proto_ref = true;
out:
	tcp_unlock();
	return err;
}

static int tcp_accept(struct socket *s, bool nonblock, struct socket **out)
{
	struct inet_sock *in = inet_of(s);
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));

	for (;;) {
		struct inet_sock *c;
		unsigned seen;
		int err;

		fw_spin_lock(&inet_lock);
		if (in->state != TCP_LISTEN) {
			fw_spin_unlock(&inet_lock);
			return -EINVAL;
		}
		c = FW_LIST_FIRST(&in->acceptq, struct inet_sock, child_node);
		if (c) {
			fw_list_del(&c->child_node);
			in->acceptq_len--;
			c->in_acceptq = false;
			c->parent = NULL;
			fw_spin_unlock(&inet_lock);
			*out = c->sk; /* the queue's reference */
			return 0;
		}
		seen = atomic_load(&s->seq);
		fw_spin_unlock(&inet_lock);
		if (nonblock)
			return -EAGAIN;
		err = socket_wait(s, seen, deadline);
		if (err)
			return err;
	}
}

/* ---- shutdown, close -------------------------------------------------------- */

/* Queue our FIN: ESTABLISHED -> FIN_WAIT1, CLOSE_WAIT -> LAST_ACK. */
static void send_fin(struct inet_sock *in)
{
	if (in->fin_queued)
		return;
	if (in->state == TCP_ESTABLISHED)
		tcp_set_state(in, TCP_FIN_WAIT1);
	else if (in->state == TCP_CLOSE_WAIT)
		tcp_set_state(in, TCP_LAST_ACK);
	else
		return;
	if (tcp_queue_ctl(in, TCP_FIN)) {
		tcp_abort(in, 0, true);
		return;
	}
	tcp_output(in);
}

/* Close a listener's children (they get RST), then the listener. */
static void close_listener(struct inet_sock *in)
{
	struct fw_list *qs[2] = { &in->synq, &in->acceptq };

	for (int i = 0; i < 2; i++) {
		while (!fw_list_empty(qs[i])) {
			struct inet_sock *c = FW_LIST_FIRST(qs[i], struct inet_sock,
							    child_node);

			fw_list_del(&c->child_node);
			fw_list_init(&c->child_node);
			c->parent = NULL;
			c->in_acceptq = false;
			if (c->state != TCP_CLOSE)
				tcp_abort(c, 0, true);
			reap(c); /* the queue's reference */
		}
	}
	in->synq_len = in->acceptq_len = 0;
	tcp_done(in);
}

static int tcp_shutdown(struct socket *s, unsigned how)
{
	struct inet_sock *in = inet_of(s);
	int err = 0;

	if (how > SHUT_RDWR)
		return -EINVAL;
	how++;
	fw_spin_lock(&inet_lock);
	switch (in->state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		in->shutdown |= how;
		break;
	case TCP_LISTEN:
		if (how & RCV_SHUTDOWN)
			close_listener(in);
		else
			err = -ENOTCONN;
		break;
	case TCP_SYN_SENT:
		tcp_done(in);
		in->shutdown = how;
		break;
	default:
		in->shutdown |= how;
		if (how & SEND_SHUTDOWN)
			send_fin(in);
		break;
	}
	socket_wake(s);
	tcp_unlock();
	inet_softirq();
	return err;
}

static void tcp_release(struct socket *s)
{
	struct inet_sock *in = inet_of(s);
	bool linger = atomic_load(&s->linger_onoff);
	int secs = atomic_load(&s->linger_secs);

	fw_spin_lock(&inet_lock);
	s->file = NULL;
	in->dead = true;
	switch (in->state) {
	case TCP_LISTEN:
		close_listener(in);
		break;
	case TCP_CLOSE:
		inet_unhash_locked(&tcp_table, in);
		break;
	case TCP_SYN_SENT:
		tcp_done(in);
		break;
	default:
		if (in->rcvq_bytes || (linger && secs == 0)) {
			/* unread data, or an abortive close: RST */
			tcp_abort(in, 0, true);
			break;
		}
		in->shutdown = SHUTDOWN_MASK;
		send_fin(in);
		if (in->state == TCP_FIN_WAIT2 && !in->tw_at)
			tcp_arm_timer(in, &in->tw_at, fw_time_ns() + TCP_FIN_TIMEOUT_NS);
		break;
	}
	skb_list_purge(&in->rcvq);
	in->rcvq_bytes = in->rcvq_mem = 0;
	if (linger && secs > 0) {
		uint64_t deadline = fw_time_ns() + (uint64_t)secs * FW_NSEC_PER_SEC;

		while (in->state == TCP_FIN_WAIT1 || in->state == TCP_CLOSING ||
		       in->state == TCP_LAST_ACK) {
			unsigned seen = atomic_load(&s->seq);

			tcp_unlock();
			inet_softirq();
			if (socket_wait(s, seen, deadline) == -EAGAIN) {
				fw_spin_lock(&inet_lock);
				break;
			}
			fw_spin_lock(&inet_lock);
		}
	}
	tcp_unlock();
	inet_softirq();
}

static void tcp_destroy(struct socket *s)
{
	struct inet_sock *in = inet_of(s);

	if (!in)
		return;
	fw_spin_lock(&inet_lock);
	fw_list_del(&in->all_node);
	fw_spin_unlock(&inet_lock);
	inet_sock_free(in);
}

/* ---- poll, ioctl, errors ------------------------------------------------------ */

static unsigned tcp_poll(struct socket *s)
{
	struct inet_sock *in = inet_of(s);
	unsigned mask = 0;

	fw_spin_lock(&inet_lock);
	if (in->state == TCP_LISTEN) {
		if (!fw_list_empty(&in->acceptq))
			mask |= POLLIN | POLLRDNORM;
		fw_spin_unlock(&inet_lock);
		return mask;
	}
	if (in->err)
		mask |= POLLERR;
	if (in->shutdown == SHUTDOWN_MASK || in->state == TCP_CLOSE)
		mask |= POLLHUP;
	if (in->shutdown & RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (in->state != TCP_SYN_SENT && in->state != TCP_SYN_RECV) {
		if (in->rcvq_bytes >= (size_t)atomic_load(&s->rcvlowat) ||
		    (in->rcvq_bytes && in->fin_rcvd))
			mask |= POLLIN | POLLRDNORM;
		if (in->shutdown & SEND_SHUTDOWN) {
			mask |= POLLOUT | POLLWRNORM;
		} else {
			size_t sndbuf = atomic_load(&s->sndbuf);

			if (in->wq_bytes < sndbuf &&
			    sndbuf - in->wq_bytes >= in->wq_bytes / 2)
				mask |= POLLOUT | POLLWRNORM;
		}
	}
	fw_spin_unlock(&inet_lock);
	return mask;
}

static long tcp_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	struct inet_sock *in = inet_of(s);
	int32_t n = 0;
	long err = 0;

	fw_spin_lock(&inet_lock);
	switch (cmd) {
	case SIOCINQ:
		if (in->state == TCP_LISTEN)
			err = -EINVAL;
		else
			n = (int32_t)in->rcvq_bytes;
		break;
	case SIOCOUTQ:
		if (in->state == TCP_LISTEN)
			err = -EINVAL;
		else
			n = (int32_t)in->wq_bytes;
		break;
	case SIOCOUTQNSD: {
		struct skb *p;

		if (in->state == TCP_LISTEN) {
			err = -EINVAL;
			break;
		}
		FW_LIST_FOR_EACH(p, &in->wq, snode)
			n += (int32_t)p->slen;
		break;
	}
	default:
		err = -ENOTTY;
	}
	fw_spin_unlock(&inet_lock);
	if (err)
		return err;
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &n) ? -EFAULT : 0;
}

static int tcp_sock_error(struct socket *s)
{
	struct inet_sock *in = inet_of(s);
	int e;

	fw_spin_lock(&inet_lock);
	e = in->err;
	in->err = 0;
	fw_spin_unlock(&inet_lock);
	return -e;
}

static bool tcp_listening(struct socket *s)
{
	return inet_of(s)->state == TCP_LISTEN;
}

static const struct sock_ops tcp_ops = {
	.release = tcp_release,
	.destroy = tcp_destroy,
	.pair = inet_no_pair,
	.bind = inet_bind,
	.connect = tcp_connect,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.getname = inet_getname,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.shutdown = tcp_shutdown,
	.poll = tcp_poll,
	.ioctl = tcp_ioctl,
	.sock_error = tcp_sock_error,
	.listening = tcp_listening,
	.peercred = inet_no_peercred,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
};
