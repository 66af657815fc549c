/* tests/unit/neigh_test.c: ARP resolution and the neighbour cache
 * (services/net/link/arp.c) against a stub device.
 *
 * Layer: host unit test for services/net/link. Until the IPv4 side is
 * merged nothing in the kernel calls netdev_xmit_ipv4, so this is where
 * its states are checked: a packet waits while ARP asks, the answer
 * sends it, retries come a second apart and give up after three with
 * -EHOSTUNREACH, entries age from REACHABLE to STALE and are checked
 * again when used, requests for our address are answered and teach us
 * the asker, gratuitous ARP updates but never creates. Time is the
 * stub clock; arp_tick runs the timer pass the arpd task would.
 * unit-sources: services/net/link/arp.c services/net/link/arp_wire.c framework/bytes/bytes.c */
/* procfs.h (for the procfs_put_line stub) first: the VFS's FD_SETSIZE
 * and the host's must not meet. */
#include "fs/procfs/procfs.h"
#undef FD_SETSIZE
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fw/errno.h"
#include "fw/heap.h"
#include "fw/log.h"
#include "fw/sync.h"
#include "fw/task.h"
#include "fw/time.h"
#include "net/link/arp_wire.h"
#include "net/link/link.h"

/* ---- stubs ---------------------------------------------------------------- */

static uint64_t now_ns = 1000 * FW_NSEC_PER_SEC;
uint64_t fw_time_ns(void) { return now_ns; }
void *fw__alloc_typed(struct fw__type_key *key) { return calloc(1, key->size); }
void fw_free(void *p) { free(p); }
fw_irqflags_t fw_spin_lock_irqsave(struct fw_spinlock *l) { (void)l; return 0; }
void fw_spin_unlock_irqrestore(struct fw_spinlock *l, fw_irqflags_t f) { (void)l; (void)f; }
unsigned fw_waitq_wake_all(struct fw_waitq *wq) { (void)wq; return 0; }
void fw__waitq_prepare(struct fw_waitq *wq, struct fw__waiter *w) { (void)wq; (void)w; }
void fw__waitq_sleep(struct fw_waitq *wq, struct fw__waiter *w) { (void)wq; (void)w; }
int fw__waitq_sleep_timeout(struct fw_waitq *wq, struct fw__waiter *w, uint64_t d)
{
	(void)wq; (void)w; (void)d;
	return 0;
}
void fw__waitq_finish(struct fw_waitq *wq, struct fw__waiter *w) { (void)wq; (void)w; }
static int spawned;
int fw__task_spawn(const char *name, fw__task_fn fn, void *arg, int cpu,
		   struct fw_task **out)
{
	(void)name; (void)fn; (void)arg; (void)cpu;
	spawned++;
	*out = NULL; /* never run: the test calls arp_tick itself */
	return 0;
}
void fw_task_detach(struct fw_task *t) { (void)t; }
void fw_task_exit(int code) { (void)code; abort(); }
void fw_log(enum fw_log_level level, const char *fmt, ...) { (void)level; (void)fmt; }

static char proc_text[8192];
void procfs_put_line(struct procfs_seq *s, const struct procfs_line *l, int n)
{
	(void)s; (void)n;
	strncat(proc_text, l->s, sizeof proc_text - strlen(proc_text) - 1);
}

static struct netdev dev;
static const uint8_t our_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static uint32_t our_ip, our_mask;

void netdev_ipv4(struct netdev *d, uint32_t *addr, uint32_t *mask)
{
	(void)d;
	*addr = our_ip;
	*mask = our_mask;
}
uint32_t netdev_ipv4_bcast(struct netdev *d) { (void)d; return our_ip | ~our_mask; }
struct eth_addr eth_dev_addr(const struct netdev *d)
{
	struct eth_addr a;
	(void)d;
	memcpy(a.b, our_mac, 6);
	return a;
}

/* Frames "sent": destination, type, payload. */
struct sent {
	uint8_t dst[6];
	uint16_t type;
	uint8_t data[1500];
	size_t len;
};
static struct sent sent[64];
static unsigned nsent;
static int xmit_err;

/* For devices without a link header (the loopback): not exercised here. */
int netdev_dev_xmit(struct netdev *d, struct fw_bytes frame)
{
	(void)d; (void)frame;
	abort();
}

int eth_xmit(struct netdev *d, const struct eth_addr *dst, uint16_t type,
	     struct fw_bytes payload, struct socket *from)
{
	(void)d; (void)from;
	if (xmit_err)
		return xmit_err;
	if (nsent < 64) {
		memcpy(sent[nsent].dst, dst->b, 6);
		sent[nsent].type = type;
		sent[nsent].len = fw_bytes_len(payload);
		if (fw_buf_copy_from(FW_BUF_OF_ARRAY(sent[nsent].data), 0, payload))
			abort();
	}
	nsent++;
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t v[4] = { a, b, c, d };
	uint32_t r;
	memcpy(&r, v, 4);
	return r;
}

static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void reset(void)
{
	memset(&dev, 0, sizeof dev);
	dev.type = ARPHRD_ETHER;
	dev.mtu = 1500;
	memcpy(dev.hwaddr, our_mac, 6);
	dev.hwaddr_len = 6;
	snprintf(dev.name.s, sizeof dev.name.s, "eth0");
	atomic_store(&dev.flags, IFF_UP | IFF_RUNNING | IFF_BROADCAST);
	our_ip = ip(10, 0, 2, 15);
	our_mask = ip(255, 255, 255, 0);
	nsent = 0;
	xmit_err = 0;
	/* Forget every entry: age them all out. */
	for (int i = 0; i < 6; i++) {
		now_ns += 100 * FW_NSEC_PER_SEC;
		arp_tick();
	}
	nsent = 0;
}

/* A packet of n bytes whose first byte is tag. */
static int send_ip(uint32_t nh, uint8_t tag, size_t n)
{
	uint8_t pkt[1600] = { tag };
	struct fw_bytes b;

	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(pkt), 0, n, &b))
		abort();
	return netdev_xmit_ipv4(&dev, nh, b);
}

static bool is_request(const struct sent *s, uint32_t target, const uint8_t *to)
{
	struct arp_pkt p;
	struct fw_bytes b;

	if (s->type != ETH_P_ARP || memcmp(s->dst, to, 6))
		return false;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(s->data), 0, s->len, &b) || arp_parse(b, &p))
		return false;
	return p.op == ARPOP_REQUEST && p.tpa == target && p.spa == our_ip &&
	       !memcmp(p.sha.b, our_mac, 6);
}

static void rcv(uint16_t op, const uint8_t *sha, uint32_t spa, uint32_t tpa)
{
	struct arp_pkt p = { .op = op, .spa = spa, .tpa = tpa };
	uint8_t buf[46] = { 0 };

	memcpy(p.sha.b, sha, 6);
	if (op == ARPOP_REPLY)
		memcpy(p.tha.b, our_mac, 6);
	if (arp_build(&p, FW_BUF_OF_ARRAY(buf)))
		abort();
	arp_rcv(&dev, FW_BYTES_OF_ARRAY(buf));
}

/* ---- cases ---------------------------------------------------------------- */

static void resolves_then_sends_waiting_packets(void)
{
	uint32_t gw = ip(10, 0, 2, 2);

	reset();
	CHECK(send_ip(gw, 1, 100) == 0);
	CHECK(nsent == 1 && is_request(&sent[0], gw, bcast));
	CHECK(spawned == 0); /* the send path never starts the task */
	arp_dev_up(&dev);
	arp_dev_up(&dev);
	CHECK(spawned == 1); /* the first device up does, once */
	CHECK(send_ip(gw, 2, 100) == 0);
	CHECK(send_ip(gw, 3, 100) == 0);
	CHECK(nsent == 1); /* waiting, no second request */
	CHECK(send_ip(gw, 4, 100) == 0); /* the oldest (1) is dropped */
	CHECK(atomic_load(&dev.stats.tx_dropped) == 1);
	rcv(ARPOP_REPLY, gw_mac, gw, our_ip);
	CHECK(nsent == 4);
	for (unsigned i = 1; i < 4; i++) {
		CHECKF(sent[i].type == ETH_P_IP && !memcmp(sent[i].dst, gw_mac, 6) &&
			       sent[i].data[0] == i + 1 && sent[i].len == 100,
		       "frame %u: type %x tag %u", i, sent[i].type, sent[i].data[0]);
	}
	CHECK(send_ip(gw, 9, 100) == 0); /* known: at once */
	CHECK(nsent == 5 && sent[4].data[0] == 9 && !memcmp(sent[4].dst, gw_mac, 6));
	proc_text[0] = 0;
	arp_proc(NULL);
	CHECKF(strstr(proc_text, "10.0.2.2         0x1         0x2         "
				 "52:55:0a:00:02:02     *        eth0\n") != NULL,
	       "/proc/net/arp: %.400s", proc_text);
}

static void retries_then_gives_up(void)
{
	uint32_t nh = ip(10, 0, 2, 99);

	reset();
	CHECK(send_ip(nh, 1, 60) == 0);
	CHECK(nsent == 1);
	CHECK(arp_tick() == now_ns + FW_NSEC_PER_SEC); /* nothing due yet */
	now_ns += FW_NSEC_PER_SEC;
	arp_tick();
	CHECK(nsent == 2 && is_request(&sent[1], nh, bcast));
	now_ns += FW_NSEC_PER_SEC;
	arp_tick();
	CHECK(nsent == 3 && is_request(&sent[2], nh, bcast));
	now_ns += FW_NSEC_PER_SEC;
	arp_tick(); /* three asked, none answered: FAILED */
	CHECK(nsent == 3);
	CHECK(atomic_load(&dev.stats.tx_dropped) == 1);
	CHECK(send_ip(nh, 2, 60) == -EHOSTUNREACH);
	proc_text[0] = 0;
	arp_proc(NULL);
	CHECKF(strstr(proc_text, "10.0.2.99        0x1         0x0         "
				 "00:00:00:00:00:00     *        eth0\n") != NULL,
	       "/proc/net/arp: %.400s", proc_text);
	now_ns += 3 * FW_NSEC_PER_SEC; /* held long enough: ask again */
	CHECK(send_ip(nh, 3, 60) == 0);
	CHECK(nsent == 4 && is_request(&sent[3], nh, bcast));
}

static void stale_entries_are_checked_when_used(void)
{
	uint32_t gw = ip(10, 0, 2, 2);

	reset();
	CHECK(send_ip(gw, 1, 60) == 0);
	rcv(ARPOP_REPLY, gw_mac, gw, our_ip);
	CHECK(nsent == 2);
	now_ns += 31 * FW_NSEC_PER_SEC;
	arp_tick(); /* REACHABLE -> STALE */
	CHECK(send_ip(gw, 2, 60) == 0);
	/* Sent at once, and a unicast request checks the address. */
	CHECK(nsent == 4);
	CHECK(is_request(&sent[2], gw, gw_mac));
	CHECK(sent[3].type == ETH_P_IP && sent[3].data[0] == 2);
	rcv(ARPOP_REPLY, gw_mac, gw, our_ip);
	now_ns += 5 * FW_NSEC_PER_SEC;
	arp_tick();
	CHECK(nsent == 4); /* confirmed: no more probes */
}

static void answers_requests_and_learns(void)
{
	static const uint8_t peer[6] = { 2, 0, 0, 0, 0, 7 };
	uint32_t pip = ip(10, 0, 2, 7);
	struct arp_pkt p;
	struct fw_bytes b;

	reset();
	rcv(ARPOP_REQUEST, peer, pip, ip(10, 0, 2, 8)); /* not for us */
	CHECK(nsent == 0);
	rcv(ARPOP_REQUEST, peer, pip, our_ip);
	CHECK(nsent == 1);
	CHECK(sent[0].type == ETH_P_ARP && !memcmp(sent[0].dst, peer, 6));
	CHECK(fw_bytes_sub(FW_BYTES_OF_ARRAY(sent[0].data), 0, sent[0].len, &b) == 0);
	CHECK(arp_parse(b, &p) == 0);
	CHECK(p.op == ARPOP_REPLY && p.spa == our_ip && p.tpa == pip);
	CHECK(!memcmp(p.sha.b, our_mac, 6) && !memcmp(p.tha.b, peer, 6));
	/* Learnt (STALE): a packet goes at once, with a check. */
	CHECK(send_ip(pip, 5, 60) == 0);
	CHECK(nsent == 3 && sent[2].type == ETH_P_IP && !memcmp(sent[2].dst, peer, 6));
}

static void gratuitous_updates_but_never_creates(void)
{
	static const uint8_t moved[6] = { 2, 0, 0, 0, 0, 0x99 };
	uint32_t gw = ip(10, 0, 2, 2), other = ip(10, 0, 2, 50);

	reset();
	rcv(ARPOP_REQUEST, moved, other, other);
	CHECK(send_ip(other, 1, 60) == 0);
	CHECK(nsent == 1 && is_request(&sent[0], other, bcast)); /* unknown */
	CHECK(send_ip(gw, 2, 60) == 0);
	rcv(ARPOP_REPLY, gw_mac, gw, our_ip);
	rcv(ARPOP_REQUEST, moved, gw, gw); /* the gateway moved */
	nsent = 0;
	CHECK(send_ip(gw, 3, 60) == 0);
	CHECK(nsent >= 1 && !memcmp(sent[nsent - 1].dst, moved, 6));
}

static void special_destinations_and_errors(void)
{
	reset();
	CHECK(send_ip(ip(255, 255, 255, 255), 1, 60) == 0);
	CHECK(nsent == 1 && !memcmp(sent[0].dst, bcast, 6));
	CHECK(send_ip(ip(10, 0, 2, 255), 2, 60) == 0); /* the subnet's */
	CHECK(nsent == 2 && !memcmp(sent[1].dst, bcast, 6));
	CHECK(send_ip(ip(224, 0, 0, 251), 3, 60) == 0);
	static const uint8_t mdns[6] = { 1, 0, 0x5e, 0, 0, 0xfb };
	CHECK(nsent == 3 && !memcmp(sent[2].dst, mdns, 6));
	CHECK(send_ip(ip(10, 0, 2, 2), 4, 1501) == -EMSGSIZE);
	atomic_store(&dev.flags, IFF_BROADCAST);
	CHECK(send_ip(ip(10, 0, 2, 2), 5, 60) == -ENETDOWN);
	CHECK(nsent == 3);
}

static void full_table_refuses(void)
{
	int err = 0;
	unsigned i;

	reset();
	/* Each unanswered neighbour holds a packet: nothing to reclaim. */
	for (i = 0; i < 200 && !err; i++)
		err = send_ip(ip(10, 0, 3, (uint8_t)i), 1, 60);
	CHECK(err == -ENOBUFS);
	CHECK(i == 65); /* 64 entries */
	for (int k = 0; k < 3; k++) { /* two more requests each, then FAILED */
		now_ns += FW_NSEC_PER_SEC;
		arp_tick();
	}
	CHECK(atomic_load(&dev.stats.tx_dropped) == 64);
	CHECK(send_ip(ip(10, 0, 3, 0), 1, 60) == -EHOSTUNREACH);
	/* FAILED entries are reclaimed for new neighbours. */
	CHECK(send_ip(ip(10, 0, 4, 1), 1, 60) == 0);
}

int main(void)
{
	TEST_SUITE("neigh");
	RUN(resolves_then_sends_waiting_packets);
	RUN(retries_then_gives_up);
	RUN(stale_entries_are_checked_when_used);
	RUN(answers_requests_and_learns);
	RUN(gratuitous_updates_but_never_creates);
	RUN(special_destinations_and_errors);
	RUN(full_table_refuses);
	HARNESS_EXIT();
}
