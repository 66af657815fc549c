/* services/net/unix/unix.c: AF_UNIX sockets: life cycle and connections.
 *
 * Layer: services (safe C), net, after Linux net/unix/af_unix.c (see
 * unix.h for the lock). A stream or seqpacket connect makes the server's
 * socket at once (an "embryo" on the listener's accept queue, already
 * connected to the client, as Linux does), so the client may write before
 * accept. A full accept queue (more than backlog waiting) makes a
 * blocking connect wait and a non-blocking one fail with EAGAIN. Closing
 * a connected stream/seqpacket socket hangs up the peer (both directions
 * shut) and, if it left unread data or was never accepted, gives the peer
 * ECONNRESET once (Linux unix_release_sock). Data paths are in
 * unix_io.c, names in unix_bind.c, the collector in unix_gc.c. */
#include <fw/heap.h>

#include "current/current.h"
#include "net/unix/unix.h"

struct fw_mutex unix_lock; /* unix_init */
static struct fw_list unix_all = FW_LIST_HEAD_INIT(unix_all);

static const struct sock_ops unix_ops;

void unix_init(void)
{
	fw_mutex_init(&unix_lock, "unix");
}

void unix_msg_free(struct unix_msg *msg)
{
	if (!msg)
		return;
	if (msg->len)
		fw_buf_free(&msg->data);
	scm_files_put(msg->fp);
	socket_put(msg->sender);
	fw_free(msg);
}

void unix_msg_unlink(struct unix_sock *u, struct unix_msg *msg)
{
	struct socket *snd = msg->sender;

	fw_list_del(&msg->node);
	u->rcvq_len--;
	u->rcvq_bytes -= msg->len - msg->off;
	if (msg->fp)
		unix_inflight_sub(msg->fp);
	if (snd && snd->un) {
		snd->un->wmem -= msg->charge;
		msg->charge = 0;
		socket_wake(snd);
	}
	socket_wake(u->sk);
}

static struct socket *unix_new(int type)
{
	struct socket *s = socket_alloc(AF_UNIX, type, 0, &unix_ops);
	struct unix_sock *u;

	if (!s)
		return NULL;
	u = FW_NEW(struct unix_sock);
	if (!u) {
		socket_put(s); /* destroy sees no unix state */
		return NULL;
	}
	u->sk = s;
	fw_mutex_init(&u->iolock, "unix iolock");
	fw_list_init(&u->rcvq);
	fw_list_init(&u->acceptq);
	fw_list_init(&u->accept_node);
	fw_list_init(&u->bound_node);
	fw_list_init(&u->all_node);
	s->un = u;
	return s;
}

int unix_create(int type, int protocol, struct socket **out)
{
	struct socket *s;

	/* Linux unix_create: protocol 0 or PF_UNIX. */
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM &&
	    type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	s = unix_new(type);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

static void unix_attach(struct socket *s, struct file *f)
{
	fw_mutex_lock(&unix_lock);
	s->file = f;
	fw_list_add_tail(&unix_all, &s->un->all_node);
	fw_mutex_unlock(&unix_lock);
}

/* For the collector: every socket that has a file. */
struct fw_list *unix_all_list(void)
{
	return &unix_all;
}

static void peercred_here(struct unix_sock *u)
{
	scm_current_creds(&u->peercred);
	{
		const struct cred *c = fs_cred();

		/* SO_PEERCRED reports the effective ids (Linux
		 * init_peercred keeps the cred, read as euid/egid). */
		u->peercred.uid = c->euid;
		u->peercred.gid = c->egid;
	}
	u->has_peercred = true;
}

static int unix_pair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = a->un, *ub = b->un;

	fw_mutex_lock(&unix_lock);
	socket_get(b);
	ua->peer = b;
	socket_get(a);
	ub->peer = a;
	if (a->type != SOCK_DGRAM) {
		ua->state = UNIX_CONNECTED;
		ub->state = UNIX_CONNECTED;
	}
	peercred_here(ua);
	ub->peercred = ua->peercred;
	ub->has_peercred = true;
	fw_mutex_unlock(&unix_lock);
	return 0;
}

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = s->un;
	int err = 0;

	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	fw_mutex_lock(&unix_lock);
	if (!u->addr.len || (u->state != UNIX_CLOSE && u->state != UNIX_LISTEN))
		err = -EINVAL; /* unbound, or connected */
	if (!err) {
		if (backlog < 0 || backlog > UNIX_SOMAXCONN)
			backlog = UNIX_SOMAXCONN;
		u->backlog = backlog;
		u->state = UNIX_LISTEN;
		peercred_here(u); /* what connecting clients will see */
		socket_wake(s); /* connects waiting on a shorter queue */
	}
	fw_mutex_unlock(&unix_lock);
	return err;
}

/* Connect a stream/seqpacket socket (Linux unix_stream_connect). */
static int unix_stream_connect(struct socket *s, const struct unix_addr *a,
			       bool nonblock)
{
	struct unix_sock *u = s->un;
	uint64_t deadline = socket_deadline(atomic_load(&s->sndtimeo_ns));
	struct socket *other = NULL, *emb = NULL;
	int err;

	if (atomic_load(&s->passcred)) {
		fw_mutex_lock(&unix_lock);
		err = unix_autobind(u);
		fw_mutex_unlock(&unix_lock);
		if (err)
			return err;
	}
	for (;;) {
		struct unix_sock *ou;
		unsigned seen;

		err = unix_find(a, s->type, &other);
		if (err)
			break;
		if (!emb) {
			emb = unix_new(s->type);
			if (!emb) {
				err = -ENOMEM;
				break;
			}
		}
		fw_mutex_lock(&unix_lock);
		ou = other->un;
		if (u->state == UNIX_CONNECTED)
			err = -EISCONN;
		else if (u->state != UNIX_CLOSE)
			err = -EINVAL;
		else if (ou->dead || ou->state != UNIX_LISTEN)
			err = -ECONNREFUSED;
		else if (ou->acceptq_len > (unsigned)ou->backlog) {
			err = nonblock ? -EAGAIN : 1;
		}
		if (err) {
			seen = atomic_load(&other->seq);
			fw_mutex_unlock(&unix_lock);
			if (err != 1)
				break;
			err = socket_wait(other, seen, deadline);
			socket_put(other);
			other = NULL;
			if (err)
				break;
			continue;
		}
		/* Connect: emb is the server's end, on other's queue. */
		struct unix_sock *eu = emb->un;

		eu->state = UNIX_CONNECTED;
		eu->addr = ou->addr;
		socket_get(s);
		eu->peer = s;
		peercred_here(eu);
		u->state = UNIX_CONNECTED;
		socket_get(emb);
		u->peer = emb;
		u->peercred = ou->peercred;
		u->has_peercred = ou->has_peercred;
		fw_list_add_tail(&ou->acceptq, &eu->accept_node);
		ou->acceptq_len++;
		emb = NULL; /* the accept queue holds our reference */
		socket_wake(other);
		socket_wake(s);
		fw_mutex_unlock(&unix_lock);
		break;
	}
	socket_put(other);
	socket_put(emb);
	return err;
}

/* Datagram connect: set (or with AF_UNSPEC clear) the default peer. */
static int unix_dgram_connect(struct socket *s, const struct sock_addr *sa)
{
	struct unix_sock *u = s->un;
	struct socket *other = NULL, *old;
	enum unix_addr_kind kind;
	struct unix_addr a;
	int err;

	if (sa->len >= 2 && sa->b[0] == AF_UNSPEC && sa->b[1] == 0) {
		fw_mutex_lock(&unix_lock);
		old = u->peer;
		u->peer = NULL;
		socket_wake(s);
		fw_mutex_unlock(&unix_lock);
		socket_put(old);
		return 0;
	}
	err = unix_addr_parse(sa, &a, &kind);
	if (err || kind == UNIX_ADDR_AUTOBIND)
		return -EINVAL;
	if (atomic_load(&s->passcred)) {
		fw_mutex_lock(&unix_lock);
		err = unix_autobind(u);
		fw_mutex_unlock(&unix_lock);
		if (err)
			return err;
	}
	err = unix_find(&a, s->type, &other);
	if (err)
		return err;
	fw_mutex_lock(&unix_lock);
	if (other->un->dead) {
		fw_mutex_unlock(&unix_lock);
		socket_put(other);
		return -ECONNREFUSED;
	}
	old = u->peer;
	u->peer = other;
	socket_wake(s);
	fw_mutex_unlock(&unix_lock);
	socket_put(old);
	return 0;
}

static int unix_connect(struct socket *s, const struct sock_addr *sa,
			bool nonblock)
{
	enum unix_addr_kind kind;
	struct unix_addr a;
	int err;

	if (s->type == SOCK_DGRAM)
		return unix_dgram_connect(s, sa);
	err = unix_addr_parse(sa, &a, &kind);
	if (err || kind == UNIX_ADDR_AUTOBIND)
		return -EINVAL;
	return unix_stream_connect(s, &a, nonblock);
}

static int unix_accept(struct socket *s, bool nonblock, struct socket **out)
{
	struct unix_sock *u = s->un;
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));
	int err = 0;

	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	fw_mutex_lock(&unix_lock);
	for (;;) {
		unsigned seen;

		if (u->state != UNIX_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (!fw_list_empty(&u->acceptq)) {
			struct unix_sock *eu = FW_LIST_FIRST(&u->acceptq,
							     struct unix_sock,
							     accept_node);

			fw_list_del(&eu->accept_node);
			u->acceptq_len--;
			/* Linux unix_sock_inherit_flags. */
			atomic_store(&eu->sk->passcred,
				     atomic_load(&s->passcred));
			*out = eu->sk; /* the queue's reference */
			socket_wake(s);
			break;
		}
		if (nonblock) {
			err = -EAGAIN;
			break;
		}
		seen = atomic_load(&s->seq);
		fw_mutex_unlock(&unix_lock);
		err = socket_wait(s, seen, deadline);
		fw_mutex_lock(&unix_lock);
		if (err)
			break;
	}
	fw_mutex_unlock(&unix_lock);
	return err;
}

static void addr_out(const struct unix_addr *a, struct sock_addr *out)
{
	out->len = a->len ? a->len : UNIX_FAMILY_LEN;
	for (unsigned i = 0; i < out->len && i < sizeof(out->b) &&
			     i < sizeof(a->b); i++)
		out->b[i] = a->b[i];
	out->b[0] = AF_UNIX;
	out->b[1] = 0;
}

static int unix_getname(struct socket *s, bool peer, struct sock_addr *out)
{
	struct unix_sock *u = s->un;
	int err = 0;

	fw_mutex_lock(&unix_lock);
	if (!peer)
		addr_out(&u->addr, out);
	else if (!u->peer || (s->type != SOCK_DGRAM &&
			      u->state != UNIX_CONNECTED))
		err = -ENOTCONN;
	else
		addr_out(&u->peer->un->addr, out);
	fw_mutex_unlock(&unix_lock);
	return err;
}

static int unix_shutdown(struct socket *s, unsigned how)
{
	struct unix_sock *u = s->un;
	unsigned mode;
	struct socket *peer;

	if (how > SHUT_RDWR)
		return -EINVAL;
	/* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN, RDWR both. */
	mode = (how + 1) & SHUTDOWN_MASK;
	fw_mutex_lock(&unix_lock);
	u->shutdown |= mode;
	socket_wake(s);
	peer = u->peer;
	if (peer && s->type != SOCK_DGRAM) {
		unsigned pm = 0;

		if (mode & RCV_SHUTDOWN)
			pm |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			pm |= RCV_SHUTDOWN;
		peer->un->shutdown |= pm;
		socket_wake(peer);
	}
	fw_mutex_unlock(&unix_lock);
	return 0;
}

static bool unix_writable(struct socket *s)
{
	struct unix_sock *u = s->un;

	return u->state != UNIX_LISTEN &&
	       u->wmem * 4 <= atomic_load(&s->sndbuf);
}

static unsigned unix_poll(struct socket *s)
{
	struct unix_sock *u = s->un;
	unsigned mask = 0;

	fw_mutex_lock(&unix_lock);
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!fw_list_empty(&u->rcvq) || !fw_list_empty(&u->acceptq))
		mask |= POLLIN | POLLRDNORM;
	if (s->type == SOCK_STREAM) {
		if (u->state == UNIX_CLOSE)
			mask |= POLLHUP;
		if (unix_writable(s))
			mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	} else {
		bool writable = true;

		if (s->type == SOCK_SEQPACKET && u->state == UNIX_CLOSE)
			mask |= POLLHUP;
		writable = unix_writable(s);
		/* Linux unix_dgram_poll: not writable while the peer's
		 * queue is full (unless it is connected back to us). */
		if (writable && u->peer && u->peer->un->peer != s &&
		    u->peer->un->rcvq_len > UNIX_MAX_DGRAM_QLEN)
			writable = false;
		if (writable)
			mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	}
	fw_mutex_unlock(&unix_lock);
	return mask;
}

static long unix_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	struct unix_sock *u = s->un;
	int32_t n = 0;
	long err = 0;

	if (cmd != SIOCINQ && cmd != SIOCOUTQ)
		return -ENOTTY;
	fw_mutex_lock(&unix_lock);
	if (cmd == SIOCOUTQ) {
		n = (int32_t)u->wmem;
	} else if (u->state == UNIX_LISTEN) {
		err = -EINVAL;
	} else if (s->type == SOCK_DGRAM) {
		struct unix_msg *m = FW_LIST_FIRST(&u->rcvq, struct unix_msg,
						   node);

		n = m ? (int32_t)m->len : 0; /* the next datagram */
	} else {
		n = (int32_t)u->rcvq_bytes;
	}
	fw_mutex_unlock(&unix_lock);
	if (err)
		return err;
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &n) ? -EFAULT : 0;
}

static int unix_sock_error(struct socket *s)
{
	int e;

	fw_mutex_lock(&unix_lock);
	e = s->un->err;
	s->un->err = 0;
	fw_mutex_unlock(&unix_lock);
	return -e;
}

static bool unix_listening(struct socket *s)
{
	return s->un->state == UNIX_LISTEN;
}

static int unix_peercred(struct socket *s, struct linux_ucred *out)
{
	struct unix_sock *u = s->un;

	fw_mutex_lock(&unix_lock);
	if (u->has_peercred) {
		out->pid = u->peercred.pid;
		out->uid = u->peercred.uid;
		out->gid = u->peercred.gid;
	} else {
		/* Linux cred_to_ucred without a peer: pid 0, ids -1. */
		out->pid = 0;
		out->uid = ~0u;
		out->gid = ~0u;
	}
	fw_mutex_unlock(&unix_lock);
	return 0;
}

/* Take everything out of u (unix_lock held): queued messages go to
 * *msgs, embryos to *embryos, the peer reference to *peer. */
static void unix_strip(struct unix_sock *u, bool embryo, struct fw_list *msgs,
		       struct fw_list *embryos, struct socket **peer)
{
	struct unix_msg *m, *tm;
	struct socket *p = u->peer;

	u->dead = true;
	u->state = UNIX_CLOSE;
	u->shutdown = SHUTDOWN_MASK;
	if (p && u->sk->type != SOCK_DGRAM) {
		struct unix_sock *pu = p->un;

		pu->shutdown = SHUTDOWN_MASK;
		if (!fw_list_empty(&u->rcvq) || embryo)
			pu->err = ECONNRESET;
	}
	if (p)
		socket_wake(p);
	u->peer = NULL;
	*peer = p;
	FW_LIST_FOR_EACH_SAFE(m, tm, &u->rcvq, node) {
		unix_msg_unlink(u, m);
		fw_list_add_tail(msgs, &m->node);
	}
	while (!fw_list_empty(&u->acceptq)) {
		struct unix_sock *eu = FW_LIST_FIRST(&u->acceptq,
						     struct unix_sock,
						     accept_node);

		fw_list_del(&eu->accept_node);
		u->acceptq_len--;
		fw_list_add_tail(embryos, &eu->accept_node);
	}
	socket_wake(u->sk);
}

static void unix_release(struct socket *s)
{
	struct unix_sock *u = s->un;
	struct fw_list msgs, embryos;
	struct vfs_path path = { 0 };
	struct socket *peer = NULL;
	struct unix_msg *m, *tm;
	bool gc;

	fw_list_init(&msgs);
	fw_list_init(&embryos);
	fw_mutex_lock(&unix_lock);
	s->file = NULL;
	fw_list_del(&u->all_node);
	unix_unbind_locked(u, &path);
	unix_strip(u, false, &msgs, &embryos, &peer);
	gc = unix_inflight_total > 0;
	fw_mutex_unlock(&unix_lock);

	/* Never-accepted connections are closed as their own sockets
	 * (their clients see ECONNRESET). */
	while (!fw_list_empty(&embryos)) {
		struct unix_sock *eu = FW_LIST_FIRST(&embryos, struct unix_sock,
						     accept_node);
		struct socket *ep = NULL;

		fw_list_del(&eu->accept_node);
		fw_mutex_lock(&unix_lock);
		unix_strip(eu, true, &msgs, &embryos, &ep);
		fw_mutex_unlock(&unix_lock);
		socket_put(ep);
		socket_put(eu->sk);
	}
	FW_LIST_FOR_EACH_SAFE(m, tm, &msgs, node) {
		fw_list_del(&m->node);
		unix_msg_free(m);
	}
	socket_put(peer);
	vfs_path_put(&path);
	if (gc)
		unix_gc();
}

static void unix_destroy(struct socket *s)
{
	struct unix_sock *u = s->un;

	if (!u)
		return;
	/* Release emptied it; an embryo dropped before it had a file has
	 * nothing queued either (its strip ran at the listener's release). */
	fw_free(u);
	s->un = NULL;
}

static const struct sock_ops unix_ops = {
	.release = unix_release,
	.destroy = unix_destroy,
	.attach = unix_attach,
	.pair = unix_pair,
	.bind = unix_bind,
	.connect = unix_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.getname = unix_getname,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.shutdown = unix_shutdown,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.sock_error = unix_sock_error,
	.listening = unix_listening,
	.peercred = unix_peercred,
};
