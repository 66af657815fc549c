/* services/net/inet/loopback.c: the loopback device "lo" and the net task.
 *
 * Layer: services (safe C), net/inet, after Linux drivers/net/loopback.c
 * and the NET_RX softirq. A packet sent over lo is queued (a bounded
 * queue: netdev_max_backlog, 1000 packets; past it the packet is dropped
 * and counted) and received later in task context, so a TCP send never
 * recurses into the receive path. Who drains the queue: the sending
 * thread itself at the end of its system call (inet_softirq, as Linux
 * runs the softirq when a sender re-enables bottom halves), or, when
 * that thread has done its share (a budget of packets) or a timer fired,
 * the kernel task "net" (Linux's ksoftirqd). One drainer at a time, so
 * packets of one connection are received in the order they were sent.
 * The net task also runs the TCP timers and expires fragment queues.
 * The lossy-link test knobs (netem.h) judge each packet as it is
 * received from the queue. */
#include <fw/task.h>
#include <fw/time.h>

#include "net/inet/inet.h"
#include "net/netem.h"

#define LO_QMAX 1000u		/* net.core.netdev_max_backlog */
#define DRAIN_BUDGET 256u	/* packets a caller of inet_softirq handles */
#define ACK_BATCH 16u		/* owed ACKs go out at least this often */

struct netdev loopback_dev;

static struct fw_spinlock lo_qlock = FW_SPINLOCK_INIT("lo-queue");
static struct fw_list lo_q = FW_LIST_HEAD_INIT(lo_q);
static unsigned lo_qlen;
static atomic_bool draining;
static atomic_bool net_kick;
static _Atomic uint64_t timer_next = UINT64_MAX;
static struct fw_waitq net_wq;

int loopback_xmit_skb(struct skb *s)
{
	struct netdev *d = &loopback_dev;

	fw_spin_lock(&lo_qlock);
	if (lo_qlen >= LO_QMAX) {
		fw_spin_unlock(&lo_qlock);
		atomic_fetch_add(&d->stats.tx_dropped, 1);
		return -ENOBUFS;
	}
	skb_get(s);
	fw_list_add_tail(&lo_q, &s->node);
	lo_qlen++;
	fw_spin_unlock(&lo_qlock);
	atomic_fetch_add(&d->stats.tx_packets, 1);
	atomic_fetch_add(&d->stats.tx_bytes, s->len);
	return 0;
}

/* The device's own xmit (netdev_ops): a bare IPv4 packet from outside
 * the stack, copied into a packet of its own. */
static int lo_xmit(struct netdev *d, struct fw_bytes frame)
{
	size_t n = fw_bytes_len(frame);
	struct skb *s;
	int err;

	if (!n || n > 65535)
		return -EINVAL;
	s = skb_alloc(n);
	if (!s) {
		atomic_fetch_add(&d->stats.tx_dropped, 1);
		return -ENOBUFS;
	}
	if (fw_buf_copy_from(s->buf, 0, frame)) {
		skb_put(s);
		return -EINVAL;
	}
	s->head = 0;
	s->len = (uint32_t)n;
	err = loopback_xmit_skb(s);
	skb_put(s);
	return err;
}

static const struct netdev_ops lo_ops = { .xmit = lo_xmit };

static struct skb *lo_pop(void)
{
	struct skb *s;

	fw_spin_lock(&lo_qlock);
	s = FW_LIST_FIRST(&lo_q, struct skb, node);
	if (s) {
		fw_list_del(&s->node);
		lo_qlen--;
	}
	fw_spin_unlock(&lo_qlock);
	return s;
}

static bool lo_pending(void)
{
	bool r;

	fw_spin_lock(&lo_qlock);
	r = lo_qlen != 0;
	fw_spin_unlock(&lo_qlock);
	return r;
}

static void lo_rcv(struct skb *s)
{
	struct netdev *d = &loopback_dev;

	atomic_fetch_add(&d->stats.rx_packets, 1);
	atomic_fetch_add(&d->stats.rx_bytes, s->len);
	s->dev = d;
	s->csum_ok = true;
	ip_rcv_skb(s);
}

/* The lossy-link knobs (netem.h), judged as lo receives a packet: the
 * packet to deliver now (NULL: dropped or held back). A held packet
 * (one at most, in *held) follows the next one delivered, or ends the
 * batch, so it never waits for traffic that may not come. */
static struct skb *lo_netem(struct skb *s, struct skb **held)
{
	switch (netem_judge(&loopback_dev, false)) {
	case NETEM_DROP:
		skb_put(s);
		return NULL;
	case NETEM_HOLD:
		if (*held)
			return s;
		*held = s;
		return NULL;
	default:
		return s;
	}
}

/* Drain up to budget packets; true if the queue was left empty. */
static bool drain(unsigned budget)
{
	struct skb *held = NULL;
	unsigned done = 0;

	for (;;) {
		struct skb *s = lo_pop();

		if (!s) {
			if (held) {
				lo_rcv(held);
				held = NULL;
			}
			/* The batch is over: send the ACKs it owes (which
			 * may queue more). */
			tcp_flush_acks();
			if (!lo_pending())
				return true;
			continue;
		}
		if (netem_on && !(s = lo_netem(s, &held)))
			continue;
		lo_rcv(s);
		if (held) {
			lo_rcv(held);
			held = NULL;
		}
		if (++done >= budget) {
			if (held)
				lo_rcv(held);
			tcp_flush_acks();
			return !lo_pending();
		}
		/* A batch that does not end (traffic both ways keeps the
		 * queue full) still sends its ACKs every ACK_BATCH packets:
		 * a sender must not wait for them. */
		if (done % ACK_BATCH == 0)
			tcp_flush_acks();
	}
}

void inet_softirq(void)
{
	for (;;) {
		bool empty;

		if (atomic_exchange(&draining, true))
			return; /* the one draining sees our packets */
		empty = drain(DRAIN_BUDGET);
		atomic_store(&draining, false);
		if (!empty) {
			/* Our share is done: the net task takes the rest. */
			atomic_store(&net_kick, true);
			fw_waitq_wake_all(&net_wq);
			return;
		}
		/* A packet queued after our last look, while we still
		 * held the flag, is ours to take. */
		if (!lo_pending())
			return;
	}
}

/* Lower timer_next to deadline_ns; true if it was lowered. */
static bool timer_lower(uint64_t deadline_ns)
{
	uint64_t cur = atomic_load(&timer_next);

	while (deadline_ns < cur)
		if (atomic_compare_exchange_weak(&timer_next, &cur, deadline_ns))
			return true;
	return false;
}

void inet_timer_kick(uint64_t deadline_ns)
{
	if (timer_lower(deadline_ns)) {
		atomic_store(&net_kick, true);
		fw_waitq_wake_all(&net_wq);
	}
}

static void net_main(struct fw_waitq *wq)
{
	for (;;) {
		uint64_t next;
		int r = 0;

		/* A timer armed from here on lowers timer_next and kicks
		 * us; one armed before is seen by the scan. */
		atomic_store(&net_kick, false);
		atomic_store(&timer_next, UINT64_MAX);
		timer_lower(tcp_timers_run(fw_time_ns()));
		timer_lower(ipfrag_expire(fw_time_ns()));
		if (netem_on)
			timer_lower(netem_poll(fw_time_ns()));
		inet_softirq();
		next = atomic_load(&timer_next);
		if (next == UINT64_MAX)
			FW_WAIT_EVENT(wq, atomic_load(&net_kick));
		else
			FW_WAIT_EVENT_DEADLINE(wq, atomic_load(&net_kick), next, r);
		(void)r;
	}
}

void loopback_init(void)
{
	struct netdev *d = &loopback_dev;
	struct netdev_name name = { .s = "lo" };
	struct fw_task *t;

	fw_waitq_init(&net_wq, "net");
	netem_init();
	d->type = ARPHRD_LOOPBACK;
	atomic_init(&d->flags, IFF_UP | IFF_RUNNING | IFF_LOOPBACK);
	d->mtu = 65536;
	d->txqlen = 1000; /* Linux lo: qlen 1000 */
	d->hwaddr_len = 0;
	d->ops = &lo_ops;
	if (netdev_register(d, &name))
		return;
	netdev_set_ipv4(d, __builtin_bswap32(INADDR_LOOPBACK),
			__builtin_bswap32(0xff000000u));
	if (FW_TASK_SPAWN("net", net_main, &net_wq, -1, &t) == 0)
		fw_task_detach(t);
}
