/* services/net/link/arp.c: ARP (RFC 826) and the neighbour cache.
 *
 * Layer: services (safe C), net/link. One table of neighbours (an
 * Ethernet device and an IPv4 address each) under arp_lock, in Linux's
 * states, simplified:
 *
 *   INCOMPLETE  a request is out; up to ARP_PENDING packets wait for the
 *               answer. ARP_PROBES broadcasts a second apart; then FAILED.
 *   REACHABLE   confirmed by a reply within REACHABLE_NS: used as is.
 *   STALE       older; still used (Linux too), and the first use starts
 *               a check: PROBE.
 *   PROBE       a unicast request to the known address is out while the
 *               entry is still used; ARP_PROBES unanswered ones: FAILED.
 *   FAILED      resolution gave up; the packets waiting were dropped
 *               (counted in the device's tx_dropped). For FAILED_HOLD_NS
 *               a send answers -EHOSTUNREACH at once (what Linux reports
 *               to the sender through an ICMP host-unreachable); after
 *               that the next send asks again.
 *
 * Unused STALE entries and expired FAILED ones are forgotten. Time
 * passes in one kernel task (arpd) that sleeps until the earliest
 * deadline: retransmissions are sent from task context, never from a
 * timer interrupt. It starts when the first Ethernet device comes up,
 * so the send path, whatever context it runs in, only wakes it.
 * Packets are sent after arp_lock is dropped (lock order: arp_lock is
 * never held across a driver's xmit).
 *
 * Requests for our address are answered; the sender of a request for
 * us, and of any packet for an entry we have, is learnt (Linux
 * arp_process). A gratuitous ARP (sender address = target address)
 * updates an entry we have and creates none (net.ipv4.conf.arp_accept
 * 0, Linux's default). */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/task.h>
#include <fw/time.h>

#include "fs/procfs/procfs.h"
#include "net/link/arp_wire.h"
#include "net/link/link.h"

#define NEIGH_MAX 64
#define ARP_PENDING 3
#define ARP_PROBES 3
#define PROBE_INTERVAL_NS (1ull * FW_NSEC_PER_SEC)
#define REACHABLE_NS (30ull * FW_NSEC_PER_SEC)
#define STALE_GC_NS (60ull * FW_NSEC_PER_SEC)
#define FAILED_HOLD_NS (3ull * FW_NSEC_PER_SEC)

enum neigh_state {
	N_FREE = 0,
	N_INCOMPLETE,
	N_REACHABLE,
	N_STALE,
	N_PROBE,
	N_FAILED,
};

/* A packet waiting for its neighbour's address. */
struct arp_pending {
	struct fw_list node;
	size_t len;
	uint8_t data[ETH_DATA_LEN];
};

struct neigh {
	enum neigh_state state;
	struct netdev *dev;
	uint32_t ip;			/* network order */
	struct eth_addr ha;		/* valid unless INCOMPLETE */
	uint64_t deadline_ns;		/* next state change */
	unsigned probes;		/* requests sent in this state */
	struct fw_list pending;		/* struct arp_pending */
	unsigned npending;
};

static struct fw_spinlock arp_lock = FW_SPINLOCK_INIT("arp");
/* arp_lock */
static struct neigh neigh_tab[NEIGH_MAX];
static bool arpd_started;
static bool arpd_kick;
static struct fw_waitq arpd_wq = FW_WAITQ_INIT(arpd_wq, "arpd");

static const struct eth_addr eth_bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff } };

/* Send a request for ip on d: broadcast, or to ha (a PROBE). */
static void send_request(struct netdev *d, uint32_t ip,
			 const struct eth_addr *to)
{
	uint8_t buf[ARP_PKT_LEN];
	struct arp_pkt p = { .op = ARPOP_REQUEST, .tpa = ip };
	uint32_t mask;

	p.sha = eth_dev_addr(d);
	netdev_ipv4(d, &p.spa, &mask);
	/* A request that cannot go out (device down, queue full) is
	 * retried by the timer like a lost one; the driver counted it. */
	if (arp_build(&p, FW_BUF_OF_ARRAY(buf)) == 0 &&
	    eth_xmit(d, to ? to : &eth_bcast, ETH_P_ARP,
		     FW_BYTES_OF_ARRAY(buf), NULL))
		return;
}

static void send_reply(struct netdev *d, const struct arp_pkt *req,
		       uint32_t ours)
{
	uint8_t buf[ARP_PKT_LEN];
	struct arp_pkt p = { .op = ARPOP_REPLY, .spa = ours,
			     .tha = req->sha, .tpa = req->spa };

	p.sha = eth_dev_addr(d);
	if (arp_build(&p, FW_BUF_OF_ARRAY(buf)) == 0 &&
	    eth_xmit(d, &req->sha, ETH_P_ARP, FW_BYTES_OF_ARRAY(buf), NULL))
		return; /* the driver counted the drop */
}

static struct neigh *find_locked(struct netdev *d, uint32_t ip)
{
	for (unsigned i = 0; i < NEIGH_MAX; i++)
		if (neigh_tab[i].state != N_FREE && neigh_tab[i].dev == d &&
		    neigh_tab[i].ip == ip)
			return &neigh_tab[i];
	return NULL;
}

/* A free slot, or the least useful one reclaimed (FAILED, then STALE):
 * NULL when every entry is in use. */
static struct neigh *alloc_locked(void)
{
	static const enum neigh_state order[] = { N_FREE, N_FAILED, N_STALE };

	for (unsigned k = 0; k < FW_ARRAY_LEN(order); k++)
		for (unsigned i = 0; i < NEIGH_MAX; i++)
			if (neigh_tab[i].state == order[k] &&
			    !neigh_tab[i].npending) {
				neigh_tab[i] = (struct neigh){ 0 };
				fw_list_init(&neigh_tab[i].pending);
				return &neigh_tab[i];
			}
	return NULL;
}

/* Move n's waiting packets to out (the caller sends or frees them
 * after dropping arp_lock). */
static void take_pending_locked(struct neigh *n, struct fw_list *out)
{
	struct arp_pending *p;

	while ((p = FW_LIST_FIRST(&n->pending, struct arp_pending, node))) {
		fw_list_del(&p->node);
		fw_list_add_tail(out, &p->node);
	}
	n->npending = 0;
}

/* Send (ha non-NULL) or drop the packets on list. */
static void flush(struct netdev *d, struct fw_list *list,
		  const struct eth_addr *ha)
{
	struct arp_pending *p;

	while ((p = FW_LIST_FIRST(list, struct arp_pending, node))) {
		struct fw_bytes b;

		fw_list_del(&p->node);
		if (!ha)
			atomic_fetch_add(&d->stats.tx_dropped, 1);
		else if (fw_bytes_sub(FW_BYTES_OF_ARRAY(p->data), 0, p->len,
				      &b) == 0 &&
			 eth_xmit(d, ha, ETH_P_IP, b, NULL)) {
			/* the driver counted the drop */
		}
		fw_free(p);
	}
}

static void arpd_main(struct fw_waitq *wq);

/* Start the timer task, once: when the first Ethernet device comes up
 * (arp_dev_up, from the SIOCSIFFLAGS system call), so the send path,
 * which may run in any context, only ever wakes it. */
void arp_dev_up(struct netdev *d)
{
	struct fw_task *t;
	bool start;
	fw_irqflags_t fl;

	if (d->type != ARPHRD_ETHER)
		return;
	fl = fw_spin_lock_irqsave(&arp_lock);
	start = !arpd_started;
	arpd_started = true;
	fw_spin_unlock_irqrestore(&arp_lock, fl);
	if (!start)
		return;
	if (FW_TASK_SPAWN("arpd", arpd_main, &arpd_wq, -1, &t)) {
		fw_err("arp: no timer task: unanswered requests are not "
		       "retried and entries do not age");
		return;
	}
	fw_task_detach(t);
}

/* A new deadline: the timer task looks again. */
static void arpd_kick_now(void)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&arp_lock);

	arpd_kick = true;
	fw_spin_unlock_irqrestore(&arp_lock, fl);
	fw_waitq_wake_all(&arpd_wq);
}

/* Make n's state confirmed with address ha; its waiting packets go to
 * out. */
static void confirm_locked(struct neigh *n, const struct eth_addr *ha,
			   bool reply, struct fw_list *out)
{
	n->ha = *ha;
	take_pending_locked(n, out);
	/* A reply to us confirms reachability; a request only tells us the
	 * address (Linux: neigh_update to REACHABLE vs. STALE). */
	n->state = reply ? N_REACHABLE : N_STALE;
	n->deadline_ns = fw_time_ns() + (reply ? REACHABLE_NS : STALE_GC_NS);
	n->probes = 0;
}

void arp_rcv(struct netdev *d, struct fw_bytes pkt)
{
	struct arp_pkt p;
	struct fw_list out = FW_LIST_HEAD_INIT(out);
	uint32_t ours, mask;
	struct neigh *n;
	bool for_us, gratuitous;
	fw_irqflags_t fl;

	if (arp_parse(pkt, &p))
		return;
	if (atomic_load(&d->flags) & IFF_NOARP)
		return;
	netdev_ipv4(d, &ours, &mask);
	for_us = ours && p.tpa == ours;
	gratuitous = p.spa == p.tpa;
	fl = fw_spin_lock_irqsave(&arp_lock);
	n = p.spa ? find_locked(d, p.spa) : NULL;
	if (!n && for_us && p.op == ARPOP_REQUEST && p.spa && !gratuitous &&
	    (n = alloc_locked())) {
		n->dev = d;
		n->ip = p.spa;
	}
	if (n && !(p.spa == ours))
		confirm_locked(n, &p.sha, p.op == ARPOP_REPLY && for_us, &out);
	fw_spin_unlock_irqrestore(&arp_lock, fl);
	if (n)
		flush(d, &out, &p.sha);
	if (for_us && p.op == ARPOP_REQUEST)
		send_reply(d, &p, ours);
}

/* The link address for an IPv4 broadcast or multicast next hop. */
static bool special_dest(struct netdev *d, uint32_t ip, struct eth_addr *out)
{
	uint8_t b0 = (uint8_t)ip, b1 = (uint8_t)(ip >> 8),
		b2 = (uint8_t)(ip >> 16), b3 = (uint8_t)(ip >> 24);

	if (ip == 0xffffffffu || (ip && ip == netdev_ipv4_bcast(d))) {
		*out = eth_bcast;
		return true;
	}
	if ((b0 & 0xf0) == 0xe0) { /* 224/4: RFC 1112 6.4 */
		*out = (struct eth_addr){ { 0x01, 0x00, 0x5e, b1 & 0x7f, b2,
					    b3 } };
		return true;
	}
	return false;
}

int netdev_xmit_ipv4(struct netdev *d, uint32_t next_hop,
		     struct fw_bytes packet)
{
	struct eth_addr ha;
	struct arp_pending *p;
	struct neigh *n;
	fw_irqflags_t fl;
	bool ask = false, probe = false;
	int err = 0;

	if (!(atomic_load(&d->flags) & IFF_UP))
		return -ENETDOWN;
	if (fw_bytes_len(packet) > d->mtu)
		return -EMSGSIZE;
	if (d->type != ARPHRD_ETHER) {
		/* The loopback device: no link header, no neighbours. */
		err = netdev_dev_xmit(d, packet);
		return err;
	}
	if (special_dest(d, next_hop, &ha))
		return eth_xmit(d, &ha, ETH_P_IP, packet, NULL);
	/* Copy first: the packet may have to wait, and no allocation is
	 * made under arp_lock. */
	p = FW_NEW(struct arp_pending);
	if (!p)
		return -ENOBUFS;
	fl = fw_spin_lock_irqsave(&arp_lock);
	n = find_locked(d, next_hop);
	if (n && n->state == N_FAILED &&
	    fw_time_ns() >= n->deadline_ns) {
		n->state = N_FREE; /* held long enough: ask again */
		n = NULL;
	}
	if (!n) {
		n = alloc_locked();
		if (!n) {
			err = -ENOBUFS;
			goto out_unlock;
		}
		n->dev = d;
		n->ip = next_hop;
		n->state = N_INCOMPLETE;
		n->probes = 1;
		n->deadline_ns = fw_time_ns() + PROBE_INTERVAL_NS;
		ask = true;
	}
	switch (n->state) {
	case N_INCOMPLETE:
		if (n->npending >= ARP_PENDING) {
			/* Linux drops the oldest (neigh->arp_queue). */
			struct arp_pending *old = FW_LIST_FIRST(
				&n->pending, struct arp_pending, node);

			fw_list_del(&old->node);
			fw_free(old);
			n->npending--;
			atomic_fetch_add(&d->stats.tx_dropped, 1);
		}
		if (fw_buf_copy_from(FW_BUF_OF_ARRAY(p->data), 0, packet)) {
			err = -EMSGSIZE;
			break;
		}
		p->len = fw_bytes_len(packet);
		fw_list_add_tail(&n->pending, &p->node);
		n->npending++;
		p = NULL;
		break;
	case N_FAILED:
		err = -EHOSTUNREACH;
		break;
	default:
		ha = n->ha;
		if (n->state == N_STALE) {
			n->state = N_PROBE;
			n->probes = 1;
			n->deadline_ns = fw_time_ns() + PROBE_INTERVAL_NS;
			probe = true;
		}
		err = 1; /* send below */
		break;
	}
out_unlock:
	fw_spin_unlock_irqrestore(&arp_lock, fl);
	fw_free(p);
	if (ask || probe) {
		send_request(d, next_hop, probe ? &ha : NULL);
		arpd_kick_now();
	}
	if (err == 1)
		err = eth_xmit(d, &ha, ETH_P_IP, packet, NULL);
	return err;
}

/* One pass over the table at now: what to send and drop is collected
 * under the lock and done after. Returns the next deadline. */
struct arpd_work {
	struct netdev *dev[NEIGH_MAX];
	uint32_t ip[NEIGH_MAX];
	struct eth_addr to[NEIGH_MAX];
	bool unicast[NEIGH_MAX];
	unsigned n;
};

static uint64_t arpd_pass(struct arpd_work *w, struct fw_list *dropped,
			  struct netdev **drop_dev)
{
	uint64_t now = fw_time_ns(), next = UINT64_MAX;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&arp_lock);

	w->n = 0;
	*drop_dev = NULL;
	arpd_kick = false;
	for (unsigned i = 0; i < NEIGH_MAX; i++) {
		struct neigh *n = &neigh_tab[i];

		if (n->state == N_FREE)
			continue;
		if (n->deadline_ns <= now) {
			switch (n->state) {
			case N_INCOMPLETE:
			case N_PROBE:
				if (n->probes < ARP_PROBES) {
					n->probes++;
					w->dev[w->n] = n->dev;
					w->ip[w->n] = n->ip;
					w->to[w->n] = n->ha;
					w->unicast[w->n] =
						n->state == N_PROBE;
					w->n++;
					n->deadline_ns =
						now + PROBE_INTERVAL_NS;
					break;
				}
				/* Gave up: drop what waits (one device's
				 * packets per pass; the next pass, at once,
				 * takes the others). */
				if (n->npending && *drop_dev &&
				    *drop_dev != n->dev) {
					n->deadline_ns = now;
					break;
				}
				if (n->npending) {
					*drop_dev = n->dev;
					take_pending_locked(n, dropped);
				}
				n->state = N_FAILED;
				n->deadline_ns = now + FAILED_HOLD_NS;
				break;
			case N_REACHABLE:
				n->state = N_STALE;
				n->deadline_ns = now + STALE_GC_NS;
				break;
			default: /* STALE unused, FAILED held long enough */
				n->state = N_FREE;
				continue;
			}
		}
		if (n->deadline_ns < next)
			next = n->deadline_ns;
	}
	fw_spin_unlock_irqrestore(&arp_lock, fl);
	return next;
}

static bool arpd_kicked(void)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&arp_lock);
	bool k = arpd_kick;

	fw_spin_unlock_irqrestore(&arp_lock, fl);
	return k;
}

/* Only the arpd task (or a host test) runs passes: one work area. */
static struct arpd_work arpd_work_area;

uint64_t arp_tick(void)
{
	struct arpd_work *w = &arpd_work_area;
	struct fw_list dropped = FW_LIST_HEAD_INIT(dropped);
	struct netdev *drop_dev;
	uint64_t next = arpd_pass(w, &dropped, &drop_dev);

	for (unsigned i = 0; i < w->n; i++)
		send_request(w->dev[i], w->ip[i],
			     w->unicast[i] ? &w->to[i] : NULL);
	if (drop_dev)
		flush(drop_dev, &dropped, NULL);
	return next;
}

static void arpd_main(struct fw_waitq *wq)
{
	for (;;) {
		uint64_t next = arp_tick();
		int tmo;

		if (next == UINT64_MAX)
			FW_WAIT_EVENT(wq, arpd_kicked());
		else
			FW_WAIT_EVENT_DEADLINE(wq, arpd_kicked(), next, tmo);
		(void)tmo;
	}
}

void arp_dev_down(struct netdev *d)
{
	struct fw_list dropped = FW_LIST_HEAD_INIT(dropped);
	fw_irqflags_t fl = fw_spin_lock_irqsave(&arp_lock);

	/* Linux neigh_ifdown: the device's entries go, their waiting
	 * packets with them. */
	for (unsigned i = 0; i < NEIGH_MAX; i++) {
		struct neigh *n = &neigh_tab[i];

		if (n->state == N_FREE || n->dev != d)
			continue;
		take_pending_locked(n, &dropped);
		n->state = N_FREE;
	}
	fw_spin_unlock_irqrestore(&arp_lock, fl);
	flush(d, &dropped, NULL);
}

unsigned arp_snapshot(struct arp_entry_info *out, unsigned max)
{
	/* Linux's NUD_* bits for our states. */
	static const uint16_t nud[] = {
		[N_FREE] = 0,
		[N_INCOMPLETE] = 0x01,
		[N_REACHABLE] = 0x02,
		[N_STALE] = 0x04,
		[N_PROBE] = 0x10,
		[N_FAILED] = 0x20,
	};
	fw_irqflags_t fl = fw_spin_lock_irqsave(&arp_lock);
	unsigned n = 0;

	for (unsigned i = 0; i < NEIGH_MAX && n < max; i++) {
		const struct neigh *e = &neigh_tab[i];

		if (e->state == N_FREE)
			continue;
		out->info[n] = (struct arp_entry){
			.dev = e->dev, .ip = e->ip, .ha = e->ha,
			.nud_state = nud[e->state],
			.known = e->state != N_INCOMPLETE &&
				 e->state != N_FAILED,
		};
		n++;
	}
	fw_spin_unlock_irqrestore(&arp_lock, fl);
	return n;
}

/* Text of an address, for one line of /proc/net/arp. */
struct arp_text {
	char s[24];
};

void arp_proc(struct procfs_seq *s)
{
	fw_irqflags_t fl;

	procfs_printf(s, "IP address       HW type     Flags       "
			 "HW address            Mask     Device\n");
	fl = fw_spin_lock_irqsave(&arp_lock);
	for (unsigned i = 0; i < NEIGH_MAX; i++) {
		const struct neigh *n = &neigh_tab[i];
		struct arp_text ip;
		struct arp_text hw;
		unsigned flags;
		uint32_t a = n->ip;

		if (n->state == N_FREE)
			continue;
		/* ATF_COM (0x2) once the address is known (NUD_VALID). */
		flags = n->state == N_INCOMPLETE || n->state == N_FAILED ? 0
									: 2;
		snprintf(ip.s, sizeof(ip.s), "%u.%u.%u.%u", a & 0xff,
			 (a >> 8) & 0xff, (a >> 16) & 0xff, a >> 24);
		snprintf(hw.s, sizeof(hw.s), "%02x:%02x:%02x:%02x:%02x:%02x",
			 flags ? n->ha.b[0] : 0, flags ? n->ha.b[1] : 0,
			 flags ? n->ha.b[2] : 0, flags ? n->ha.b[3] : 0,
			 flags ? n->ha.b[4] : 0, flags ? n->ha.b[5] : 0);
		procfs_printf(s, "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n",
			      ip.s, 1u, flags, hw.s, "*", n->dev->name.s);
	}
	fw_spin_unlock_irqrestore(&arp_lock, fl);
}
