/* services/net/unix/unix_io.c: AF_UNIX data: sendmsg and recvmsg.
 *
 * Layer: services (safe C), net, after Linux unix_stream_sendmsg,
 * unix_dgram_sendmsg and their recvmsg. Every message is charged to its
 * sender (payload plus a fixed overhead, as Linux's skb truesize) until
 * the receiver consumes it; a sender waits (or gets EAGAIN) while its
 * charge is at SO_SNDBUF, so a socket's queue is bounded by its peer's
 * send buffer, and a datagram larger than the send buffer is EMSGSIZE. A
 * datagram receiver not connected back to the sender also bounds its
 * queue at max_dgram_qlen messages. Streams are cut into messages of at
 * most half the send buffer; a read joins them, but stops after one that
 * carried descriptors, and (with SO_PASSCRED) where the sender's
 * credentials change. Payload is copied from user memory before
 * unix_lock is taken. */
#include <fw/heap.h>

#include "current/current.h"
#include "net/unix/unix.h"

#define STREAM_CHUNK_MAX 65536u

/* A message of len bytes for msg_fill, which writes all of them or
 * fails (and the message is freed unread), so the payload is not cleared
 * first. */
static struct unix_msg *msg_alloc(size_t len)
{
	struct unix_msg *msg = FW_NEW(struct unix_msg);

	if (!msg)
		return NULL;
	fw_list_init(&msg->node);
	if (len && fw_buf_alloc_uninit(len, &msg->data)) {
		fw_free(msg);
		return NULL;
	}
	msg->len = len;
	return msg;
}

/* Fill msg from the cursor; 0 or -EFAULT. */
static int msg_fill(struct unix_msg *msg, struct iov_cursor *c)
{
	return msg->len ? iov_copy_in(c, msg->data) : 0;
}

/* Charge msg to s and queue it on peer (unix_lock held). The first
 * message of a send carries the descriptors. */
static void msg_queue(struct socket *s, struct socket *peer,
		      struct unix_msg *msg, struct sock_msghdr *m)
{
	struct unix_sock *u = s->un, *pu = peer->un;

	socket_get(s);
	msg->sender = s;
	msg->charge = msg->len + UNIX_MSG_OVERHEAD;
	u->wmem += msg->charge;
	msg->from = u->addr;
	if (m->has_creds)
		msg->creds = m->creds;
	else
		scm_current_creds(&msg->creds);
	if (m->fp) {
		msg->fp = m->fp;
		m->fp = NULL;
		unix_inflight_add(msg->fp);
	}
	fw_list_add_tail(&pu->rcvq, &msg->node);
	pu->rcvq_len++;
	pu->rcvq_bytes += msg->len;
	socket_wake(peer);
}

static bool stream_broken(struct unix_sock *u)
{
	struct socket *p = u->peer;

	return (u->shutdown & SEND_SHUTDOWN) || !p || p->un->dead ||
	       (p->un->shutdown & RCV_SHUTDOWN);
}

/* No room in the sender's buffer: wait once for the socket to change
 * (the caller then looks again); -EAGAIN when non-blocking, or the wait's
 * error. unix_lock held; dropped while asleep. */
static long wait_send_room(struct socket *s, bool nonblock, uint64_t deadline)
{
	unsigned seen = atomic_load(&s->seq);
	long err;

	if (nonblock)
		return -EAGAIN;
	fw_mutex_unlock(&unix_lock);
	err = socket_wait(s, seen, deadline);
	fw_mutex_lock(&unix_lock);
	return err;
}

static long stream_send(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock)
{
	struct unix_sock *u = s->un;
	uint64_t deadline = socket_deadline(atomic_load(&s->sndtimeo_ns));
	size_t sent = 0, len = m->data.left;
	long err = 0;
	bool pipe = false;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	fw_mutex_lock(&unix_lock);
	if (m->has_name) {
		err = u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
		goto out_unlock;
	}
	if (!u->peer || u->state != UNIX_CONNECTED) {
		err = -ENOTCONN;
		goto out_unlock;
	}
	while (sent < len) {
		uint32_t sndbuf = atomic_load(&s->sndbuf);
		struct unix_msg *msg;
		size_t size;

		if (stream_broken(u)) {
			pipe = true;
			break;
		}
		if (u->wmem >= sndbuf) {
			err = wait_send_room(s, nonblock, deadline);
			if (err)
				break;
			continue;
		}
		size = len - sent;
		if (size > sndbuf / 2 - 64)
			size = sndbuf / 2 - 64;
		if (size > STREAM_CHUNK_MAX)
			size = STREAM_CHUNK_MAX;
		fw_mutex_unlock(&unix_lock);
		msg = msg_alloc(size);
		err = msg ? msg_fill(msg, &m->data) : -ENOBUFS;
		fw_mutex_lock(&unix_lock);
		if (err) {
			unix_msg_free(msg); /* no files, no sender yet */
			break;
		}
		if (stream_broken(u)) {
			unix_msg_free(msg);
			pipe = true;
			break;
		}
		msg_queue(s, u->peer, msg, m);
		sent += size;
	}
out_unlock:
	fw_mutex_unlock(&unix_lock);
	if (pipe && !sent) {
		if (!(flags & MSG_NOSIGNAL))
			signal_send_current_thread(SIGPIPE);
		err = -EPIPE;
	}
	return sent ? (long)sent : err;
}

static long dgram_send(struct socket *s, struct sock_msghdr *m,
		       unsigned flags, bool nonblock)
{
	struct unix_sock *u = s->un;
	uint64_t deadline = socket_deadline(atomic_load(&s->sndtimeo_ns));
	size_t len = m->data.left;
	struct socket *other = NULL;
	struct unix_msg *msg;
	struct unix_addr dest;
	bool have_dest = false;
	long err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->type == SOCK_SEQPACKET) {
		fw_mutex_lock(&unix_lock);
		err = u->state == UNIX_CONNECTED ? 0 : -ENOTCONN;
		fw_mutex_unlock(&unix_lock);
		if (err)
			return err;
	} else if (m->has_name) {
		enum unix_addr_kind kind;

		if (unix_addr_parse(&m->name, &dest, &kind) ||
		    kind == UNIX_ADDR_AUTOBIND)
			return -EINVAL;
		have_dest = true;
	} else {
		fw_mutex_lock(&unix_lock);
		err = u->peer ? 0 : -ENOTCONN;
		fw_mutex_unlock(&unix_lock);
		if (err)
			return err;
	}
	if (atomic_load(&s->passcred)) {
		fw_mutex_lock(&unix_lock);
		err = unix_autobind(u);
		fw_mutex_unlock(&unix_lock);
		if (err)
			return err;
	}
	if (len + 32 > atomic_load(&s->sndbuf))
		return -EMSGSIZE;
	/* Room in our send buffer (Linux sock_alloc_send_pskb). */
	fw_mutex_lock(&unix_lock);
	while (u->wmem >= atomic_load(&s->sndbuf)) {
		err = wait_send_room(s, nonblock, deadline);
		if (err)
			break;
	}
	fw_mutex_unlock(&unix_lock);
	if (err)
		return err;
	msg = msg_alloc(len);
	if (!msg)
		return -ENOBUFS;
	err = msg_fill(msg, &m->data);
	if (err)
		goto out_free;
	for (;;) {
		struct unix_sock *ou;
		unsigned seen;

		if (have_dest) {
			err = unix_find(&dest, s->type, &other);
			if (err)
				goto out_free;
		}
		fw_mutex_lock(&unix_lock);
		if (!have_dest) {
			other = u->peer;
			if (!other) {
				err = -ENOTCONN;
				break;
			}
			socket_get(other);
		}
		ou = other->un;
		if (ou->peer && ou->peer != s) {
			err = -EPERM; /* it only hears its own peer */
			break;
		}
		if (ou->dead) {
			if (s->type == SOCK_SEQPACKET) {
				err = -EPIPE;
			} else {
				/* Linux: our default peer is gone; forget it. */
				if (u->peer == other) {
					u->peer = NULL;
					socket_put(other); /* never the last */
				}
				err = -ECONNREFUSED;
			}
			break;
		}
		if (ou->shutdown & RCV_SHUTDOWN) {
			err = -EPIPE;
			break;
		}
		if (other != s && ou->peer != s &&
		    ou->rcvq_len > UNIX_MAX_DGRAM_QLEN) {
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			seen = atomic_load(&other->seq);
			fw_mutex_unlock(&unix_lock);
			err = socket_wait(other, seen, deadline);
			socket_put(other);
			other = NULL;
			if (err)
				goto out_free;
			continue;
		}
		msg_queue(s, other, msg, m);
		msg = NULL;
		err = (long)len;
		break;
	}
	fw_mutex_unlock(&unix_lock);
	socket_put(other);
out_free:
	unix_msg_free(msg);
	return err;
}

long unix_sendmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		  bool nonblock)
{
	nonblock = nonblock || (flags & MSG_DONTWAIT);
	if (s->type == SOCK_STREAM)
		return stream_send(s, m, flags, nonblock);
	return dgram_send(s, m, flags, nonblock);
}

static void from_addr(const struct unix_addr *a, struct sock_addr *out)
{
	/* Linux unix_copy_addr: an unbound sender gives no address. */
	out->len = a->len;
	for (unsigned i = 0; i < a->len && i < sizeof(out->b) &&
			     i < sizeof(a->b); i++)
		out->b[i] = a->b[i];
}

/* Take msg's files for the receiver (unix_lock held). */
static void take_files(struct unix_msg *msg, struct sock_msghdr *m,
		       bool peek)
{
	if (!msg->fp || m->rfp)
		return;
	if (peek) {
		m->rfp = scm_files_dup(msg->fp);
	} else {
		unix_inflight_sub(msg->fp);
		m->rfp = msg->fp;
		msg->fp = NULL;
	}
}

static long dgram_recv(struct socket *s, struct sock_msghdr *m,
		       unsigned flags, bool nonblock)
{
	struct unix_sock *u = s->un;
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));
	bool peek = flags & MSG_PEEK;
	struct unix_msg *msg, *gone = NULL;
	struct fw_bytes part;
	size_t n;
	long err = 0;

	fw_mutex_lock(&unix_lock);
	if (s->type == SOCK_SEQPACKET && u->state != UNIX_CONNECTED) {
		err = -ENOTCONN;
		goto out_unlock;
	}
	for (;;) {
		unsigned seen;

		msg = FW_LIST_FIRST(&u->rcvq, struct unix_msg, node);
		if (msg)
			break;
		if (u->err) {
			err = -u->err;
			u->err = 0;
			goto out_unlock;
		}
		if (u->shutdown & RCV_SHUTDOWN)
			goto out_unlock; /* end of file */
		if (nonblock) {
			err = -EAGAIN;
			goto out_unlock;
		}
		seen = atomic_load(&s->seq);
		fw_mutex_unlock(&unix_lock);
		err = socket_wait(s, seen, deadline);
		fw_mutex_lock(&unix_lock);
		if (err)
			goto out_unlock;
	}
	n = msg->len < m->data.left ? msg->len : m->data.left;
	if (n && (fw_bytes_sub(fw_buf_as_bytes(msg->data), 0, n, &part) ||
		  iov_copy_out(&m->data, part))) {
		err = -EFAULT;
		goto out_unlock;
	}
	if (msg->len > n)
		m->out_flags |= MSG_TRUNC;
	from_addr(&msg->from, &m->name);
	if (atomic_load(&s->passcred)) {
		m->rcreds = msg->creds;
		m->rcreds_valid = true;
	}
	take_files(msg, m, peek);
	err = (flags & MSG_TRUNC) ? (long)msg->len : (long)n;
	if (!peek) {
		unix_msg_unlink(u, msg);
		gone = msg;
	}
out_unlock:
	fw_mutex_unlock(&unix_lock);
	unix_msg_free(gone);
	return err;
}

static bool creds_eq(const struct scm_creds *a, const struct scm_creds *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

static long stream_recv(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock)
{
	struct unix_sock *u = s->un;
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));
	bool peek = flags & MSG_PEEK, passcred = atomic_load(&s->passcred);
	bool have_creds = false;
	size_t copied = 0, target = 1;
	struct fw_list gone;
	struct unix_msg *msg, *tmp;
	long err = 0;

	fw_list_init(&gone);
	if (flags & MSG_WAITALL)
		target = m->data.left;
	else if ((size_t)atomic_load(&s->rcvlowat) > target)
		target = (size_t)atomic_load(&s->rcvlowat);
	if (target > m->data.left)
		target = m->data.left;
	fw_mutex_lock(&u->iolock);
	fw_mutex_lock(&unix_lock);
	if (u->state != UNIX_CONNECTED) {
		err = -EINVAL;
		goto out_unlock;
	}
	while (m->data.left) {
		size_t skip = peek ? copied : 0, moff = 0, n;
		struct fw_bytes part;
		bool stop, cerr;

		msg = NULL;
		FW_LIST_FOR_EACH(tmp, &u->rcvq, node) {
			size_t avail = tmp->len - tmp->off;

			if (skip < avail) {
				msg = tmp;
				moff = tmp->off + skip;
				break;
			}
			skip -= avail;
		}
		if (!msg) {
			unsigned seen;

			if (copied >= target)
				break;
			if (u->err) {
				err = -u->err;
				u->err = 0;
				break;
			}
			if (u->shutdown & RCV_SHUTDOWN)
				break;
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			seen = atomic_load(&s->seq);
			fw_mutex_unlock(&unix_lock);
			fw_mutex_unlock(&u->iolock);
			err = socket_wait(s, seen, deadline);
			fw_mutex_lock(&u->iolock);
			fw_mutex_lock(&unix_lock);
			if (err)
				break;
			continue;
		}
		if (!copied)
			from_addr(&msg->from, &m->name);
		if (passcred) {
			if (have_creds && !creds_eq(&m->rcreds, &msg->creds))
				break;
			m->rcreds = msg->creds;
			have_creds = true;
		}
		n = msg->len - moff;
		if (n > m->data.left)
			n = m->data.left;
		/* The copy runs without unix_lock, so the sender keeps
		 * queueing meanwhile: msg stays on the queue (only a reader,
		 * and we hold iolock, takes it off while our file is open)
		 * and its payload does not change once queued. */
		fw_mutex_unlock(&unix_lock);
		cerr = n && (fw_bytes_sub(fw_buf_as_bytes(msg->data), moff, n,
					  &part) ||
			     iov_copy_out(&m->data, part));
		fw_mutex_lock(&unix_lock);
		if (cerr) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += n;
		stop = msg->fp != NULL;
		take_files(msg, m, peek);
		if (!peek) {
			msg->off += n;
			u->rcvq_bytes -= n;
			if (msg->off == msg->len) {
				unix_msg_unlink(u, msg);
				fw_list_add_tail(&gone, &msg->node);
			}
		}
		if (stop)
			break;
	}
out_unlock:
	fw_mutex_unlock(&unix_lock);
	fw_mutex_unlock(&u->iolock);
	m->rcreds_valid = have_creds;
	FW_LIST_FOR_EACH_SAFE(msg, tmp, &gone, node) {
		fw_list_del(&msg->node);
		unix_msg_free(msg);
	}
	return copied ? (long)copied : err;
}

long unix_recvmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		  bool nonblock)
{
	nonblock = nonblock || (flags & MSG_DONTWAIT);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->type == SOCK_STREAM)
		return stream_recv(s, m, flags, nonblock);
	return dgram_recv(s, m, flags, nonblock);
}
