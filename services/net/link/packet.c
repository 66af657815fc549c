/* services/net/link/packet.c: AF_PACKET sockets (packet(7)).
 *
 * Layer: services (safe C), net/link, after Linux net/packet/af_packet.c.
 * SOCK_RAW sockets see and send whole Ethernet frames; SOCK_DGRAM ones
 * the payload, the link header described by a struct sockaddr_ll. A
 * socket receives the frames of its protocol (ETH_P_ALL: every frame,
 * and the ones this host sends, as PACKET_OUTGOING) from the device it
 * is bound to (ifindex 0: every device). Creating one needs CAP_NET_RAW
 * (root here): EPERM otherwise.
 *
 * Receiving runs in the driver's task (eth.c -> packet_rcv): each
 * matching socket's classic BPF filter (SO_ATTACH_FILTER, bpf.c) decides
 * how many bytes to keep, and a copy is queued, or dropped and counted
 * when the queue holds more than SO_RCVBUF bytes (each frame counted
 * with PK_OVERHEAD bytes of bookkeeping, as Linux counts skb truesize).
 *
 * Locking: pk_lock (a spinlock, irqsave: a send from interrupt context
 * may show its frame to the taps) guards the socket list, every queue
 * and filter. A receiver holds its socket's rx mutex while it copies
 * the frame at the head of the queue to user space with pk_lock
 * dropped: only receivers take frames off a queue (the receive path
 * drops new frames, never queued ones), so the head stays put. */
#include <stddef.h>

#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "net/link/bpf.h"
#include "net/link/link.h"
#include "net/socket.h"

#define PK_OVERHEAD 256u
#define TX_RETRY_NS (1ull * FW_NSEC_PER_MSEC)
#define SLL_LEN 20u			/* sizeof(struct sockaddr_ll) */
#define SLL_ADDR_OFF 12u		/* offsetof(struct sockaddr_ll, sll_addr) */


/* One frame as a socket holds it. */
struct pk_frame {
	struct fw_list node;
	size_t len;			/* bytes in data (kept by the filter) */
	int ifindex;
	uint16_t proto;			/* ethertype, host order */
	uint8_t pkttype;
	struct eth_addr src;		/* the frame's source address */
	uint8_t data[ETH_FRAME_MAX];
};

struct packet_sock {
	struct socket *s;		/* not a reference: s owns us */
	struct fw_mutex rx;		/* a receiver copying out the head */
	/* pk_lock */
	struct fw_list node;		/* on pk_socks */
	uint16_t proto;			/* host order; 0: receives nothing */
	int ifindex;			/* bound device; 0: all */
	struct fw_list rcvq;		/* struct pk_frame */
	size_t rcvq_bytes;		/* with PK_OVERHEAD per frame */
	uint32_t packets;		/* PACKET_STATISTICS: queued ... */
	uint32_t drops;			/* ... and dropped (queue full) */
	struct bpf_prog *filter;	/* NULL: everything passes */
	bool filter_locked;		/* SO_LOCK_FILTER */
	int err;			/* pending error (ENETDOWN), SO_ERROR */
};

static struct fw_spinlock pk_lock = FW_SPINLOCK_INIT("af_packet");
static struct fw_list pk_socks = FW_LIST_HEAD_INIT(pk_socks);

static bool wants(const struct packet_sock *pk, const struct netdev *d,
		  uint16_t type, unsigned pkttype)
{
	if (pk->ifindex && pk->ifindex != d->ifindex)
		return false;
	/* Outgoing frames go to the taps only (Linux ptype_all). */
	if (pkttype == PACKET_OUTGOING)
		return pk->proto == ETH_P_ALL;
	return pk->proto == ETH_P_ALL || (pk->proto && pk->proto == type);
}

/* Queue a copy for pk: true if it was queued. */
static bool deliver_locked(struct packet_sock *pk, struct netdev *d,
			   struct fw_bytes frame, uint16_t type,
			   unsigned pkttype)
{
	unsigned off = pk->s->type == SOCK_DGRAM ? ETH_HLEN : 0;
	struct bpf_ctx c = {
		.frame = frame, .data_off = off, .net_off = ETH_HLEN,
		.protocol = type, .pkttype = (uint8_t)pkttype,
		.ifindex = d->ifindex, .hatype = d->type,
	};
	size_t len = fw_bytes_len(frame) - off, keep = len;
	struct pk_frame *f;
	struct fw_bytes part;

	if (pk->filter) {
		uint32_t r = bpf_run(pk->filter, &c);

		if (r == 0)
			return false;
		if (r < keep)
			keep = r;
	}
	if (pk->rcvq_bytes + keep + PK_OVERHEAD > atomic_load(&pk->s->rcvbuf)) {
		pk->drops++; /* the socket's drop, not the device's */
		return false;
	}
	f = FW_NEW(struct pk_frame);
	if (!f) {
		pk->drops++;
		return false;
	}
	if (fw_bytes_sub(frame, off, keep, &part) ||
	    fw_buf_copy_from(FW_BUF_OF_ARRAY(f->data), 0, part) ||
	    fw_bytes_sub(frame, 6, ETH_ALEN, &part) ||
	    fw_buf_copy_from(FW_BUF_OF_ARRAY(f->src.b), 0, part)) {
		fw_free(f);
		return false;
	}
	f->len = keep;
	f->ifindex = d->ifindex;
	f->proto = type;
	f->pkttype = (uint8_t)pkttype;
	fw_list_add_tail(&pk->rcvq, &f->node);
	pk->rcvq_bytes += keep + PK_OVERHEAD;
	pk->packets++;
	return true;
}

#define PK_WAKE_BATCH 16u

void packet_rcv(struct netdev *d, struct fw_bytes frame, unsigned pkttype,
		struct socket *from)
{
	struct socket *wake[PK_WAKE_BATCH];
	unsigned nwake = 0;
	struct packet_sock *pk;
	uint16_t type;
	fw_irqflags_t fl;

	if (fw_bytes_get_u16_be(frame, 12, &type))
		return;
	fl = fw_spin_lock_irqsave(&pk_lock);
	FW_LIST_FOR_EACH(pk, &pk_socks, node) {
		if (pk->s == from || !wants(pk, d, type, pkttype))
			continue;
		if (!deliver_locked(pk, d, frame, type, pkttype))
			continue;
		if (nwake < PK_WAKE_BATCH) {
			socket_get(pk->s);
			wake[nwake++] = pk->s;
		} else {
			socket_wake(pk->s); /* rare: many taps */
		}
	}
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	for (unsigned i = 0; i < nwake; i++) {
		socket_wake(wake[i]);
		socket_put(wake[i]);
	}
}

void packet_dev_down(struct netdev *d)
{
	struct socket *wake[PK_WAKE_BATCH];
	unsigned nwake = 0;
	struct packet_sock *pk;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&pk_lock);

	/* Linux packet_notifier (NETDEV_DOWN): a socket bound to the
	 * device gets ENETDOWN at its next call. */
	FW_LIST_FOR_EACH(pk, &pk_socks, node) {
		if (pk->ifindex != d->ifindex || !pk->proto)
			continue;
		pk->err = ENETDOWN;
		if (nwake < PK_WAKE_BATCH) {
			socket_get(pk->s);
			wake[nwake++] = pk->s;
		}
	}
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	for (unsigned i = 0; i < nwake; i++) {
		socket_wake(wake[i]);
		socket_put(wake[i]);
	}
}

/* Read and clear the pending error (sock_error). */
static int take_err(struct packet_sock *pk)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&pk_lock);
	int err = pk->err;

	pk->err = 0;
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	return err;
}

/* ---- socket operations --------------------------------------------------- */

static void free_queue_locked(struct packet_sock *pk, struct fw_list *out)
{
	struct pk_frame *f;

	while ((f = FW_LIST_FIRST(&pk->rcvq, struct pk_frame, node))) {
		fw_list_del(&f->node);
		fw_list_add_tail(out, &f->node);
	}
	pk->rcvq_bytes = 0;
}

static void pk_release(struct socket *s)
{
	struct packet_sock *pk = s->pk;
	struct fw_list gone = FW_LIST_HEAD_INIT(gone);
	struct bpf_prog *filter;
	struct pk_frame *f;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&pk_lock);

	fw_list_del(&pk->node);
	fw_list_init(&pk->node);
	free_queue_locked(pk, &gone);
	filter = pk->filter;
	pk->filter = NULL;
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	while ((f = FW_LIST_FIRST(&gone, struct pk_frame, node))) {
		fw_list_del(&f->node);
		fw_free(f);
	}
	fw_free(filter);
}

static void pk_destroy(struct socket *s)
{
	fw_free(s->pk);
	s->pk = NULL;
}

static int pk_pair(struct socket *a, struct socket *b)
{
	(void)a, (void)b;
	return -EOPNOTSUPP;
}

/* struct sockaddr_ll's fields. */
struct sll {
	uint16_t family;
	uint16_t proto;			/* host order */
	int32_t ifindex;
	uint16_t hatype;
	uint8_t pkttype;
	uint8_t halen;
	struct eth_addr addr;		/* first 6 of sll_addr[8] */
};

static void sll_parse(const struct sock_addr *a, struct sll *out)
{
	uint16_t fam = 0, proto = 0, hatype = 0;
	uint32_t ifindex = 0;
	struct fw_bytes b = FW_BYTES_OF_ARRAY(a->b), part;

	*out = (struct sll){ 0 };
	if (fw_bytes_get_u16_le(b, 0, &fam) ||
	    fw_bytes_get_u16_be(b, 2, &proto) ||
	    fw_bytes_get_u32_le(b, 4, &ifindex) ||
	    fw_bytes_get_u16_le(b, 8, &hatype) ||
	    fw_bytes_get_u8(b, 10, &out->pkttype) ||
	    fw_bytes_get_u8(b, 11, &out->halen) ||
	    fw_bytes_sub(b, SLL_ADDR_OFF, ETH_ALEN, &part) ||
	    fw_buf_copy_from(FW_BUF_OF_ARRAY(out->addr.b), 0, part))
		return; /* cannot happen: a->b has 128 bytes */
	out->family = fam;
	out->proto = proto;
	out->ifindex = (int32_t)ifindex;
	out->hatype = hatype;
}

/* Fill out as Linux: len bytes of address (SLL_LEN on receive,
 * SLL_ADDR_OFF + halen from getsockname). */
static void sll_put(struct sock_addr *out, const struct sll *s, unsigned len)
{
	struct fw_buf b = FW_BUF_OF_ARRAY(out->b);

	*out = (struct sock_addr){ .len = len };
	if (fw_buf_put_u16_le(b, 0, AF_PACKET) ||
	    fw_buf_put_u16_be(b, 2, s->proto) ||
	    fw_buf_put_u32_le(b, 4, (uint32_t)s->ifindex) ||
	    fw_buf_put_u16_le(b, 8, s->hatype) ||
	    fw_buf_put_u8(b, 10, s->pkttype) ||
	    fw_buf_put_u8(b, 11, s->halen) ||
	    fw_buf_copy_from(b, SLL_ADDR_OFF, FW_BYTES_OF_ARRAY(s->addr.b)))
		out->len = 0; /* cannot happen: out->b has 128 bytes */
}

static int pk_bind(struct socket *s, const struct sock_addr *a)
{
	struct packet_sock *pk = s->pk;
	struct sll sll;
	fw_irqflags_t fl;

	if (a->len < SLL_LEN)
		return -EINVAL;
	sll_parse(a, &sll);
	if (sll.family != AF_PACKET)
		return -EINVAL;
	if (sll.ifindex && !netdev_by_index(sll.ifindex))
		return -ENODEV;
	fl = fw_spin_lock_irqsave(&pk_lock);
	pk->ifindex = sll.ifindex;
	if (sll.proto)
		pk->proto = sll.proto;
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	return 0;
}

static int pk_connect(struct socket *s, const struct sock_addr *a,
		      bool nonblock)
{
	(void)s, (void)a, (void)nonblock;
	return -EOPNOTSUPP;
}

static int pk_listen(struct socket *s, int backlog)
{
	(void)s, (void)backlog;
	return -EOPNOTSUPP;
}

static int pk_accept(struct socket *s, bool nonblock, struct socket **out)
{
	(void)s, (void)nonblock, (void)out;
	return -EOPNOTSUPP;
}

static int pk_getname(struct socket *s, bool peer, struct sock_addr *out)
{
	struct packet_sock *pk = s->pk;
	struct sll sll = { .family = AF_PACKET };
	struct netdev *d;
	fw_irqflags_t fl;

	if (peer)
		return -EOPNOTSUPP;
	fl = fw_spin_lock_irqsave(&pk_lock);
	sll.ifindex = pk->ifindex;
	sll.proto = pk->proto;
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	d = sll.ifindex ? netdev_by_index(sll.ifindex) : NULL;
	if (d) {
		sll.hatype = d->type;
		sll.halen = (uint8_t)d->hwaddr_len;
		sll.addr = eth_dev_addr(d);
	}
	sll_put(out, &sll, SLL_ADDR_OFF + sll.halen);
	return 0;
}

static long pk_sendmsg(struct socket *s, struct sock_msghdr *m,
		       unsigned flags, bool nonblock)
{
	struct packet_sock *pk = s->pk;
	struct sll to = { 0 };
	struct netdev *d;
	size_t len = m->data.left;
	struct fw_buf buf = { 0 };
	struct fw_bytes frame;
	uint64_t deadline;
	fw_irqflags_t fl;
	long err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->has_name) {
		if (m->name.len < SLL_LEN)
			return -EINVAL;
		sll_parse(&m->name, &to);
		if (m->name.len < SLL_ADDR_OFF + (unsigned)to.halen)
			return -EINVAL;
	} else {
		fl = fw_spin_lock_irqsave(&pk_lock);
		to.ifindex = pk->ifindex;
		to.proto = pk->proto;
		fw_spin_unlock_irqrestore(&pk_lock, fl);
	}
	d = to.ifindex ? netdev_by_index(to.ifindex) : NULL;
	if (!d)
		return -ENXIO;
	if (!(atomic_load(&d->flags) & IFF_UP))
		return -ENETDOWN;
	if (d->type != ARPHRD_ETHER)
		return -EOPNOTSUPP; /* the loopback device: not yet */
	if (s->type == SOCK_DGRAM) {
		/* The destination is sll_addr (Linux checks the address
		 * length given, SLL_LEN here, not sll_halen). */
		if (len > d->mtu)
			return -EMSGSIZE;
	} else {
		if (len > d->mtu + ETH_HLEN)
			return -EMSGSIZE;
		if (len < ETH_HLEN)
			return -EINVAL;
	}
	err = fw_buf_alloc(len ? len : 1, &buf);
	if (err)
		return err;
	err = iov_copy_in(&m->data, buf);
	if (err || fw_bytes_sub(fw_buf_as_bytes(buf), 0, len, &frame)) {
		err = err ? err : -EFAULT;
		goto out_free;
	}
	deadline = socket_deadline(atomic_load(&s->sndtimeo_ns));
	for (;;) {
		if (s->type == SOCK_DGRAM)
			err = eth_xmit(d, &to.addr, to.proto, frame, s);
		else
			err = eth_xmit_frame(d, frame, s);
		/* The device's queue is full. Linux blocks a sender on
		 * SO_SNDBUF while its frames wait in the device; we keep
		 * no count of a socket's frames in flight, so a blocking
		 * sender waits a little and tries again (until
		 * SO_SNDTIMEO or a signal), a non-blocking one gets
		 * ENOBUFS. */
		if (err != -ENOBUFS || nonblock || (flags & MSG_DONTWAIT))
			break;
		if (signal_pending_current()) {
			err = deadline == UINT64_MAX ? -ERESTARTSYS : -EINTR;
			break;
		}
		if (fw_time_ns() >= deadline) {
			err = -EAGAIN;
			break;
		}
		/* Not dropped after all: the driver counted it. */
		atomic_fetch_sub(&d->stats.tx_dropped, 1);
		fw_sleep_ns(TX_RETRY_NS);
	}
	if (!err)
		err = (long)len;
out_free:
	fw_buf_free(&buf);
	return err;
}

/* The frame at the head of the queue, with pk->rx held; NULL if none. */
static struct pk_frame *head(struct packet_sock *pk)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&pk_lock);
	struct pk_frame *f = FW_LIST_FIRST(&pk->rcvq, struct pk_frame, node);

	fw_spin_unlock_irqrestore(&pk_lock, fl);
	return f;
}

static long pk_recvmsg(struct socket *s, struct sock_msghdr *m,
		       unsigned flags, bool nonblock)
{
	struct packet_sock *pk = s->pk;
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));
	struct pk_frame *f;
	struct fw_bytes part;
	struct sll from;
	size_t n;
	long err = 0;
	fw_irqflags_t fl;

	nonblock = nonblock || (flags & MSG_DONTWAIT);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	/* The rx mutex is held only while a frame is there to copy, never
	 * across the wait: a blocked reader must not hold up a
	 * non-blocking one. */
	for (;;) {
		unsigned seen = atomic_load(&s->seq);

		/* A pending error first (Linux __skb_try_recv_datagram). */
		err = take_err(pk);
		if (err)
			return -err;
		fw_mutex_lock(&pk->rx);
		f = head(pk);
		if (f)
			break;
		fw_mutex_unlock(&pk->rx);
		if (nonblock)
			return -EAGAIN;
		err = socket_wait(s, seen, deadline);
		if (err)
			return err;
	}
	n = f->len < m->data.left ? f->len : m->data.left;
	if (n && (fw_bytes_sub(FW_BYTES_OF_ARRAY(f->data), 0, n, &part) ||
		  iov_copy_out(&m->data, part))) {
		err = -EFAULT;
		goto out_unlock;
	}
	if (f->len > n)
		m->out_flags |= MSG_TRUNC;
	from = (struct sll){ .family = AF_PACKET, .proto = f->proto,
			     .ifindex = f->ifindex, .hatype = ARPHRD_ETHER,
			     .pkttype = f->pkttype, .halen = ETH_ALEN,
			     .addr = f->src };
	sll_put(&m->name, &from, SLL_LEN);
	/* Linux: MSG_TRUNC asks for the real length of the datagram. */
	err = (flags & MSG_TRUNC) ? (long)f->len : (long)n;
	if (!(flags & MSG_PEEK)) {
		fl = fw_spin_lock_irqsave(&pk_lock);
		fw_list_del(&f->node);
		pk->rcvq_bytes -= f->len + PK_OVERHEAD;
		fw_spin_unlock_irqrestore(&pk_lock, fl);
		fw_free(f);
	}
out_unlock:
	fw_mutex_unlock(&pk->rx);
	return err;
}

static int pk_shutdown(struct socket *s, unsigned how)
{
	(void)s, (void)how;
	return -EOPNOTSUPP;
}

static unsigned pk_poll(struct socket *s)
{
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	fw_irqflags_t fl;

	if (head(s->pk))
		mask |= POLLIN | POLLRDNORM;
	fl = fw_spin_lock_irqsave(&pk_lock);
	if (s->pk->err)
		mask |= POLLERR;
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	return mask;
}

static long pk_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	struct packet_sock *pk = s->pk;
	int32_t n = 0;
	struct pk_frame *f;
	fw_irqflags_t fl;

	if (cmd == SIOCOUTQ)
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &n) ? -EFAULT : 0;
	if (cmd != SIOCINQ)
		return -ENOTTY;
	fl = fw_spin_lock_irqsave(&pk_lock);
	f = FW_LIST_FIRST(&pk->rcvq, struct pk_frame, node);
	n = f ? (int32_t)f->len : 0; /* the next frame, as Linux */
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &n) ? -EFAULT : 0;
}

static int pk_sock_error(struct socket *s)
{
	return take_err(s->pk);
}

static bool pk_listening(struct socket *s)
{
	(void)s;
	return false;
}

static int pk_peercred(struct socket *s, struct linux_ucred *out)
{
	(void)s;
	*out = (struct linux_ucred){ .pid = 0, .uid = (uint32_t)-1,
				     .gid = (uint32_t)-1 };
	return 0;
}

/* struct sock_fprog, as user space lays it out. */
struct linux_sock_fprog {
	uint16_t len;
	uint16_t pad0;
	uint32_t pad1;
	uint64_t filter;		/* user address of sock_filter[len] */
};

static int attach_filter(struct packet_sock *pk, fw_uptr_t val, uint32_t len)
{
	struct linux_sock_fprog fp;
	struct bpf_prog *prog, *old;
	struct fw_buf insns;
	fw_irqflags_t fl;
	int err;

	if (len < sizeof(fp))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&fp, val))
		return -EFAULT;
	if (fp.len == 0 || fp.len > BPF_MAXINSNS)
		return -EINVAL;
	prog = FW_NEW(struct bpf_prog);
	if (!prog)
		return -ENOMEM;
	prog->len = fp.len;
	err = -EINVAL;
	if (fw_buf_sub(FW_BUF_OF_OBJ(prog), offsetof(struct bpf_prog, insn),
		       (size_t)fp.len * sizeof(struct bpf_insn), &insns))
		goto out_free;
	FW_STATIC_ASSERT(sizeof(struct bpf_insn) == 8, "sock_filter layout");
	err = fw_copy_in(insns, fw_uptr(fp.filter));
	if (err)
		goto out_free;
	err = bpf_check(prog);
	if (err)
		goto out_free;
	fl = fw_spin_lock_irqsave(&pk_lock);
	if (pk->filter_locked) {
		fw_spin_unlock_irqrestore(&pk_lock, fl);
		err = -EPERM;
		goto out_free;
	}
	old = pk->filter;
	pk->filter = prog;
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	fw_free(old);
	return 0;
out_free:
	fw_free(prog);
	return err;
}

static int pk_setsockopt(struct socket *s, int level, int name,
			 fw_uptr_t val, uint32_t len)
{
	struct packet_sock *pk = s->pk;
	struct bpf_prog *old = NULL;
	int32_t v = 0;
	fw_irqflags_t fl;
	int err = 0;

	if (level == SOL_PACKET)
		return -ENOPROTOOPT; /* PACKET_AUXDATA, membership, rings: none
				      * yet (udhcpc goes on without AUXDATA) */
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SO_ATTACH_FILTER:
		return attach_filter(pk, val, len);
	case SO_DETACH_FILTER:
		fl = fw_spin_lock_irqsave(&pk_lock);
		if (pk->filter_locked)
			err = -EPERM;
		else if (!pk->filter)
			err = -ENOENT;
		else
			old = pk->filter, pk->filter = NULL;
		fw_spin_unlock_irqrestore(&pk_lock, fl);
		fw_free(old);
		return err;
	case SO_LOCK_FILTER:
		if (len < sizeof(v))
			return -EINVAL;
		if (FW_COPY_IN_OBJ(&v, val))
			return -EFAULT;
		fl = fw_spin_lock_irqsave(&pk_lock);
		if (pk->filter_locked && !v)
			err = -EPERM;
		else
			pk->filter_locked = v != 0;
		fw_spin_unlock_irqrestore(&pk_lock, fl);
		return err;
	default:
		return -ENOPROTOOPT;
	}
}

#define PACKET_STATISTICS 6

/* struct tpacket_stats. */
struct linux_tpacket_stats {
	uint32_t tp_packets;		/* seen: queued and dropped */
	uint32_t tp_drops;
};

static int pk_getsockopt(struct socket *s, int level, int name,
			 fw_uptr_t val, fw_uptr_t ulen)
{
	struct packet_sock *pk = s->pk;
	struct linux_tpacket_stats st;
	struct fw_bytes out;
	int32_t len;
	fw_irqflags_t fl;

	if (level != SOL_PACKET || name != PACKET_STATISTICS)
		return -ENOPROTOOPT;
	if (FW_COPY_IN_OBJ(&len, ulen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	/* Linux packet_getsockopt: read and reset. */
	fl = fw_spin_lock_irqsave(&pk_lock);
	st.tp_packets = pk->packets + pk->drops;
	st.tp_drops = pk->drops;
	pk->packets = 0;
	pk->drops = 0;
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	if ((size_t)len > sizeof(st))
		len = (int32_t)sizeof(st);
	if (fw_bytes_sub(FW_BYTES_OF_OBJ(&st), 0, (size_t)len, &out) ||
	    fw_copy_out(val, out) || FW_COPY_OUT_OBJ(ulen, &len))
		return -EFAULT;
	return 0;
}

static const struct sock_ops packet_ops = {
	.release = pk_release,
	.destroy = pk_destroy,
	.pair = pk_pair,
	.bind = pk_bind,
	.connect = pk_connect,
	.listen = pk_listen,
	.accept = pk_accept,
	.getname = pk_getname,
	.sendmsg = pk_sendmsg,
	.recvmsg = pk_recvmsg,
	.shutdown = pk_shutdown,
	.poll = pk_poll,
	.ioctl = pk_ioctl,
	.sock_error = pk_sock_error,
	.listening = pk_listening,
	.peercred = pk_peercred,
	.setsockopt = pk_setsockopt,
	.getsockopt = pk_getsockopt,
};

int packet_create(int type, int protocol, struct socket **out)
{
	struct packet_sock *pk;
	struct socket *s;
	uint16_t be = (uint16_t)protocol; /* htons(ETH_P_*), as Linux */
	fw_irqflags_t fl;

	if (!link_capable(CAP_NET_RAW))
		return -EPERM;
	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	pk = FW_NEW(struct packet_sock);
	if (!pk)
		return -ENOMEM;
	s = socket_alloc(AF_PACKET, type, protocol, &packet_ops);
	if (!s) {
		fw_free(pk);
		return -ENOMEM;
	}
	pk->s = s;
	s->pk = pk;
	fw_mutex_init(&pk->rx, "af_packet rx");
	fw_list_init(&pk->rcvq);
	pk->proto = (uint16_t)(be << 8 | be >> 8);
	fl = fw_spin_lock_irqsave(&pk_lock);
	fw_list_add_tail(&pk_socks, &pk->node);
	fw_spin_unlock_irqrestore(&pk_lock, fl);
	*out = s;
	return 0;
}
