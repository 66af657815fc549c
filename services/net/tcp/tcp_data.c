/* services/net/tcp/tcp_data.c: TCP's send and receive calls.
 *
 * Layer: services (safe C), net/inet, after Linux tcp.c (tcp_sendmsg,
 * tcp_recvmsg, tcp_cleanup_rbuf). A send copies the user's bytes into
 * packets of at most one MSS on the write queue, up to SO_SNDBUF, and
 * lets tcp_output send what it may; a receive copies from the in-order
 * queue (MSG_PEEK, MSG_WAITALL, MSG_TRUNC, SO_RCVLOWAT) and, as it makes
 * room, tells the peer about the window or sends an ACK being delayed.
 * No urgent data: MSG_OOB is EOPNOTSUPP on send, EINVAL on receive. */
#include <fw/time.h>
#include "current/current.h"
#include "net/tcp/tcp.h"

#define MSG_ERRQUEUE 0x2000u

/* How long a sender waits when a packet could not be had though its
 * buffer has room (Linux's vm_wait: up to HZ/5). */
#define TCP_VM_WAIT_NS (20 * FW_NSEC_PER_MSEC)

/* Out of memory with room in the send buffer: Linux's
 * sk_stream_wait_memory waits a moment and tries again; a non-blocking
 * sender hears EAGAIN. 0 to try again, or the error to end with. */
static int wait_for_memory(struct socket *s, bool nonblock, uint64_t deadline)
{
	uint64_t until = fw_time_ns() + TCP_VM_WAIT_NS;
	int err;

	if (nonblock)
		return -EAGAIN;
	err = socket_wait(s, atomic_load(&s->seq),
			  until < deadline ? until : deadline);
	if (err == -EAGAIN && until < deadline)
		return 0; /* the moment is over, not SO_SNDTIMEO */
	if (err == -EINTR && deadline == UINT64_MAX)
		return -ERESTARTSYS; /* no timeout set: restartable */
	return err;
}

long tcp_sendmsg(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	uint64_t deadline = socket_deadline(atomic_load(&s->sndtimeo_ns));
	size_t sent = 0;
	long err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock = nonblock || (flags & MSG_DONTWAIT);
	fw_mutex_lock(&in->wlock);
	while (sent < m->data.left + sent || sent == 0) {
		size_t left = m->data.left, room, sndbuf;
		uint32_t n;
		struct skb *skb;
		unsigned seen;

		fw_spin_lock(&inet_lock);
		if (in->err) {
			err = -in->err;
			in->err = 0;
			break;
		}
		if (in->shutdown & SEND_SHUTDOWN) {
			err = -EPIPE;
			break;
		}
		if (in->state == TCP_SYN_SENT || in->state == TCP_SYN_RECV) {
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			goto wait;
		}
		if (in->state != TCP_ESTABLISHED && in->state != TCP_CLOSE_WAIT) {
			err = -EPIPE;
			break;
		}
		if (!left)
			break;
		sndbuf = atomic_load(&s->sndbuf);
		room = in->wq_bytes < sndbuf ? sndbuf - in->wq_bytes : 0;
		if (!room)
			goto wait;
		n = (uint32_t)(left < room ? left : room);
		if (n > in->mss)
			n = in->mss;
		fw_spin_unlock(&inet_lock);
		skb = skb_alloc_data(SKB_HEADROOM, n);
		if (!skb) {
			err = wait_for_memory(s, nonblock, deadline);
			if (err) {
				fw_spin_lock(&inet_lock);
				break;
			}
			continue;
		}
		if (iov_copy_in(&m->data, skb_buf(skb, SKB_HEADROOM, n))) {
			skb_put(skb);
			err = -EFAULT;
			fw_spin_lock(&inet_lock);
			break;
		}
		fw_spin_lock(&inet_lock);
		if ((in->shutdown & SEND_SHUTDOWN) ||
		    (in->state != TCP_ESTABLISHED && in->state != TCP_CLOSE_WAIT)) {
			skb_put(skb);
			err = in->err ? -in->err : -EPIPE;
			in->err = 0;
			break;
		}
		tcp_queue_data(in, skb, n);
		sent += n;
		tcp_output(in);
		tcp_unlock();
		inet_softirq();
		if (!m->data.left) {
			fw_spin_lock(&inet_lock);
			break;
		}
		continue;
wait:
		if (nonblock) {
			err = -EAGAIN;
			break;
		}
		seen = atomic_load(&s->seq);
		tcp_unlock();
		inet_softirq();
		err = socket_wait(s, seen, deadline);
		if (err) {
			fw_spin_lock(&inet_lock);
			break;
		}
	}
	tcp_unlock();
	fw_mutex_unlock(&in->wlock);
	inet_softirq();
	if (sent)
		return (long)sent;
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		signal_send_current_thread(SIGPIPE);
	return err;
}

/* After the reader made room: tell the peer if the window grew enough
 * (receiver-side SWS avoidance, RFC 9293 3.8.6.2.2), or if an ACK is
 * being delayed for data now all read. */
static void maybe_window_update(struct inet_sock *in)
{
	uint32_t space = tcp_rcv_space(in);
	uint32_t adv = seq_gt(in->rcv_adv, in->rcv_nxt) ? in->rcv_adv - in->rcv_nxt : 0;
	uint32_t buf = (uint32_t)atomic_load(&in->sk->rcvbuf);
	uint32_t step = in->mss < buf / 2 ? in->mss : buf / 2;

	if (in->state != TCP_ESTABLISHED && in->state != TCP_FIN_WAIT1 &&
	    in->state != TCP_FIN_WAIT2)
		return;
	/* A delayed ACK owed for data the reader has now taken all of goes
	 * at once (Linux tcp_cleanup_rbuf): holding it saves nothing. */
	if ((space > adv && space - adv >= step) ||
	    (in->delack_at && !in->rcvq_bytes))
		tcp_send_ack(in);
}

long tcp_recvmsg(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock)
{
	struct inet_sock *in = inet_of(s);
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));
	size_t len = m->data.left, copied = 0, target;
	long err = 0;

	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	if (flags & MSG_OOB)
		return -EINVAL;
	nonblock = nonblock || (flags & MSG_DONTWAIT);
	target = (flags & MSG_WAITALL) ? len : 1;
	if (target > (size_t)atomic_load(&s->rcvlowat) && !(flags & MSG_WAITALL))
		target = (size_t)atomic_load(&s->rcvlowat);
	if (target > len)
		target = len;
	fw_mutex_lock(&in->rlock);
	fw_spin_lock(&inet_lock);
	if (in->state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	while (copied < len) {
		struct skb *skb = NULL, *p;
		size_t skip = (flags & MSG_PEEK) ? copied : 0;
		uint32_t off = 0, n;
		unsigned seen;

		FW_LIST_FOR_EACH(p, &in->rcvq, node) {
			uint32_t avail = p->dlen - p->rd;

			if (skip < avail) {
				skb = p;
				off = p->rd + (uint32_t)skip;
				break;
			}
			skip -= avail;
		}
		if (skb) {
			n = skb->dlen - off;
			if (n > len - copied)
				n = (uint32_t)(len - copied);
			skb_get(skb);
			fw_spin_unlock(&inet_lock);
			if (!(flags & MSG_TRUNC))
				err = skb_copy_to_iov(skb, skb->data + off, n, &m->data);
			fw_spin_lock(&inet_lock);
			skb_put(skb);
			if (err)
				break;
			copied += n;
			if (!(flags & MSG_PEEK)) {
				skb->rd += n;
				in->rcvq_bytes -= n;
				in->rcvq_mem -= n;
				if (skb->rd == skb->dlen) {
					fw_list_del(&skb->node);
					skb_put(skb);
				}
				maybe_window_update(in);
			}
			continue;
		}
		if (copied >= target)
			break;
		if (in->err) {
			if (!copied) {
				err = -in->err;
				in->err = 0;
			}
			break;
		}
		if (in->shutdown & RCV_SHUTDOWN)
			break;
		if (in->state == TCP_CLOSE) {
			if (!in->was_conn)
				err = -ENOTCONN;
			break;
		}
		if (nonblock) {
			err = -EAGAIN;
			break;
		}
		seen = atomic_load(&s->seq);
		in->rcv_waiting++; /* a pushed segment is ACKed at once */
		tcp_unlock();
		inet_softirq();
		err = socket_wait(s, seen, deadline);
		fw_spin_lock(&inet_lock);
		in->rcv_waiting--;
		if (err)
			break;
	}
out:
	tcp_unlock();
	fw_mutex_unlock(&in->rlock);
	inet_softirq();
	if (copied)
		return (flags & MSG_TRUNC) && !(flags & MSG_PEEK) ? (long)copied
								  : (long)copied;
	if (err == -EAGAIN && copied)
		return (long)copied;
	return err;
}

