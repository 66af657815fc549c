/* services/net/inet/ipfrag.c: IPv4 fragment reassembly (RFC 791, 815).
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/ip_fragment.c
 * and net/ipv4/inet_fragment.c. Fragments for this host wait in a queue
 * per (source, destination, identification, protocol), kept in payload
 * order, until the first (offset 0) and the last (MF clear) are in and
 * nothing is missing; then one packet is built with the first fragment's
 * header and handed back to ipv4.c for delivery.
 *
 * What Linux does, we do:
 * - a fragment that only repeats bytes the queue already holds in one
 *   contiguous stretch is a duplicate: it alone is dropped; any other
 *   overlap drops the whole datagram (RFC 5722 read for IPv4, as Linux
 *   has since 4.19: overlapping fragments are an attack, not a network
 *   accident). Linux counts a stretch as fragments that arrived in
 *   order; we count any adjacent fragments, a difference only a
 *   contrived sender can see;
 * - a last fragment ending before bytes already held, a second last
 *   fragment ending elsewhere, a non-last one past the known end, or an
 *   empty one drops the datagram; a non-last fragment is cut to a
 *   multiple of 8 bytes;
 * - a datagram of more than 65535 bytes, header included, is dropped
 *   when it completes (Linux "Oversized IP packet");
 * - a queue lives ipfrag_time (30 s) from its first fragment; then it is
 *   freed, and if its first fragment had come from another host, ICMP
 *   time exceeded (fragment reassembly) is sent about it (the net task's timer scan,
 *   loopback.c, calls ipfrag_expire);
 * - memory: every held fragment is charged its buffer plus the packet's
 *   bookkeeping; past ipfrag_high_thresh (4 MiB) every fragment is
 *   dropped until queues complete or expire, so a flood of fragments
 *   that never complete costs at most that.
 *
 * Locking: ipq_lock guards the queues and the memory count; it is a
 * leaf (nothing else is taken under it but the heap). Packets are built
 * and sent, and queues freed, after it is dropped. */
#include <fw/time.h>

#include "net/inet/inet.h"

#define IPFRAG_TIME_NS (30ull * 1000000000ull)	/* ipfrag_time */
#define IPFRAG_HIGH_THRESH (4u << 20)		/* ipfrag_high_thresh */
#define IPQ_HASH 64u
#define IPQ_CHARGE 256u		/* bookkeeping charged per fragment and
				 * per queue (Linux: skb truesize) */
#define IP_MF 0x2000u
#define IP_OFFMASK 0x1fffu
#define IP_MAX_LEN 65535u
#define ICMP_EXC_FRAGTIME 1

struct ipq {
	struct fw_list hnode;	/* on its hash bucket */
	struct fw_list lru;	/* on ipq_lru, oldest first */
	uint32_t saddr, daddr;	/* host order */
	uint16_t id;
	uint8_t proto;
	bool first_in;		/* the fragment at offset 0 is here */
	bool last_in;		/* the one with MF clear is here: len final */
	uint32_t len;		/* payload length, as far as known */
	uint32_t meat;		/* payload bytes held */
	size_t mem;		/* charged to ipq_mem */
	uint64_t expires_ns;
	struct fw_list frags;	/* struct skb.node, by offset, disjoint */
};

/* ipq_lock */
static struct fw_spinlock ipq_lock = FW_SPINLOCK_INIT("ipfrag");
static struct fw_list ipq_hash[IPQ_HASH];
static bool ipq_hash_ready;
static struct fw_list ipq_lru = FW_LIST_HEAD_INIT(ipq_lru); /* by expiry */
static size_t ipq_mem;

static struct fw_list *ipq_bucket(uint32_t saddr, uint32_t daddr,
				  uint16_t id, uint8_t proto)
{
	uint32_t h = saddr * 0x9e3779b1u ^ daddr * 0x85ebca6bu ^
		     (uint32_t)id * 0xc2b2ae35u ^ proto;

	if (!ipq_hash_ready) {
		for (unsigned i = 0; i < IPQ_HASH; i++)
			fw_list_init(&ipq_hash[i]);
		ipq_hash_ready = true;
	}
	return &ipq_hash[(h ^ (h >> 16)) % IPQ_HASH];
}

/* The queue s belongs to, made if new: NULL when memory is over the
 * bound (Linux inet_frag_find) or exhausted. ipq_lock held. */
static struct ipq *ipq_find(const struct skb *s)
{
	struct fw_list *b = ipq_bucket(s->saddr, s->daddr, s->ipid, s->proto);
	struct ipq *q;

	if (ipq_mem > IPFRAG_HIGH_THRESH)
		return NULL;
	FW_LIST_FOR_EACH(q, b, hnode)
		if (q->saddr == s->saddr && q->daddr == s->daddr &&
		    q->id == s->ipid && q->proto == s->proto)
			return q;
	q = FW_NEW(struct ipq);
	if (!q)
		return NULL;
	q->saddr = s->saddr;
	q->daddr = s->daddr;
	q->id = s->ipid;
	q->proto = s->proto;
	q->mem = IPQ_CHARGE;
	q->expires_ns = fw_time_ns() + IPFRAG_TIME_NS;
	fw_list_init(&q->frags);
	fw_list_add_tail(b, &q->hnode);
	fw_list_add_tail(&ipq_lru, &q->lru);
	ipq_mem += q->mem;
	inet_timer_kick(q->expires_ns);
	return q;
}

/* Take q out of the table (ipq_lock held); the caller frees it. */
static void ipq_unlink(struct ipq *q)
{
	fw_list_del(&q->hnode);
	fw_list_del(&q->lru);
	ipq_mem -= q->mem;
}

static void ipq_free(struct ipq *q)
{
	skb_list_purge(&q->frags);
	fw_free(q);
}

enum { IPQ_INSERTED, IPQ_DUP, IPQ_OVERLAP };

/* Put s, carrying payload [off, end), in its place in q (ipq_lock
 * held). */
static int ipq_insert(struct ipq *q, struct skb *s, uint32_t off,
		      uint32_t end)
{
	uint32_t run_lo = 0, run_hi = 0;
	struct skb *f, *next = NULL;

	/* First the stretches of adjacent fragments: inside one is a
	 * duplicate, even if it straddles two of the fragments. */
	FW_LIST_FOR_EACH(f, &q->frags, node) {
		if (f->foff != run_hi)
			run_lo = f->foff; /* a gap: a new stretch starts */
		run_hi = f->foff + f->dlen;
		if (run_lo <= off && end <= run_hi)
			return IPQ_DUP;
	}
	FW_LIST_FOR_EACH(f, &q->frags, node) {
		if (f->foff < end && off < f->foff + f->dlen)
			return IPQ_OVERLAP;
		if (!next && f->foff >= end)
			next = f;
	}
	if (next)
		fw_list_add_tail(&next->node, &s->node); /* before next */
	else
		fw_list_add_tail(&q->frags, &s->node);
	return IPQ_INSERTED;
}

/* The whole datagram of a complete queue (unlinked), or NULL. */
static struct skb *ipq_reasm(struct ipq *q)
{
	struct skb *head = FW_LIST_FIRST(&q->frags, struct skb, node);
	uint32_t ihl = head->l4 - head->head, total = ihl + q->len;
	bool csum_ok = true;
	struct skb *s, *f;
	uint16_t csum;

	if (total > IP_MAX_LEN) {
		atomic_fetch_add(&ip_stats.reasm_fails, 1);
		return NULL;
	}
	s = skb_alloc(total);
	if (!s) {
		atomic_fetch_add(&ip_stats.reasm_fails, 1);
		return NULL;
	}
	if (fw_buf_copy_from(s->buf, 0, skb_bytes(head, head->head, ihl)))
		goto out_put;
	FW_LIST_FOR_EACH(f, &q->frags, node) {
		if (fw_buf_copy_from(s->buf, ihl + f->foff,
				     skb_bytes(f, f->data, f->dlen)))
			goto out_put;
		csum_ok = csum_ok && f->csum_ok;
		s->dev = f->dev;
	}
	/* The header now says one whole datagram: its length, no
	 * fragment bits, and a checksum to match (ip_parse checks it). */
	if (fw_buf_put_u16_be(s->buf, 2, (uint16_t)total) ||
	    fw_buf_put_u16_be(s->buf, 6, 0) ||
	    fw_buf_put_u16_be(s->buf, 10, 0))
		goto out_put;
	csum = inet_csum_fold(inet_csum_add(0, skb_bytes(s, 0, ihl)));
	if (fw_buf_put_u16_be(s->buf, 10, csum))
		goto out_put;
	s->head = 0;
	s->len = total;
	s->csum_ok = csum_ok;
	atomic_fetch_add(&ip_stats.reasm_oks, 1);
	return s;
out_put:
	skb_put(s);
	atomic_fetch_add(&ip_stats.reasm_fails, 1);
	return NULL;
}

struct skb *ip_defrag(struct skb *s)
{
	uint32_t off = (s->ipfrag & IP_OFFMASK) * 8u;
	uint32_t end = off + s->l4len;
	bool more = s->ipfrag & IP_MF;
	struct skb *out = NULL;
	struct ipq *q;
	int r;

	atomic_fetch_add(&ip_stats.reasm_reqds, 1);
	fw_spin_lock(&ipq_lock);
	q = ipq_find(s);
	if (!q) {
		fw_spin_unlock(&ipq_lock);
		atomic_fetch_add(&ip_stats.reasm_fails, 1);
		skb_put(s);
		return NULL;
	}
	if (!more) {
		/* Bytes already past this end, or another end: corrupt. */
		if (end < q->len || (q->last_in && end != q->len))
			goto out_kill;
		q->last_in = true;
		q->len = end;
	} else {
		end &= ~7u;
		if (end > q->len) {
			if (q->last_in)
				goto out_kill;
			q->len = end;
		}
	}
	if (end <= off)
		goto out_kill;
	s->data = s->l4;
	s->dlen = end - off;
	s->foff = off;
	r = ipq_insert(q, s, off, end);
	if (r == IPQ_DUP) {
		fw_spin_unlock(&ipq_lock);
		skb_put(s);
		return NULL;
	}
	if (r == IPQ_OVERLAP) {
		atomic_fetch_add(&ip_stats.reasm_overlaps, 1);
		goto out_kill;
	}
	q->meat += s->dlen;
	q->mem += fw_buf_len(s->buf) + IPQ_CHARGE;
	ipq_mem += fw_buf_len(s->buf) + IPQ_CHARGE;
	if (off == 0)
		q->first_in = true;
	if (!(q->first_in && q->last_in && q->meat == q->len)) {
		fw_spin_unlock(&ipq_lock);
		return NULL; /* s is the queue's now */
	}
	ipq_unlink(q);
	fw_spin_unlock(&ipq_lock);
	out = ipq_reasm(q);
	ipq_free(q);
	return out;
out_kill:
	ipq_unlink(q);
	fw_spin_unlock(&ipq_lock);
	ipq_free(q);
	atomic_fetch_add(&ip_stats.reasm_fails, 1);
	skb_put(s);
	return NULL;
}

uint64_t ipfrag_expire(uint64_t now)
{
	for (;;) {
		struct ipq *q;
		struct skb *head;

		fw_spin_lock(&ipq_lock);
		q = FW_LIST_FIRST(&ipq_lru, struct ipq, lru);
		if (!q || q->expires_ns > now) {
			uint64_t next = q ? q->expires_ns : UINT64_MAX;

			fw_spin_unlock(&ipq_lock);
			return next;
		}
		ipq_unlink(q);
		fw_spin_unlock(&ipq_lock);
		atomic_fetch_add(&ip_stats.reasm_timeouts, 1);
		atomic_fetch_add(&ip_stats.reasm_fails, 1);
		head = FW_LIST_FIRST(&q->frags, struct skb, node);
		/* Only about a datagram whose start we saw: the error
		 * quotes its header (RFC 792, RFC 1122 3.2.2). And not
		 * about one this host sent itself (over lo): Linux routes
		 * the first fragment again before answering, and a local
		 * or loopback source is a martian there, so no ICMP. */
		if (q->first_in && head && head->foff == 0 &&
		    head->dev != &loopback_dev)
			icmp_send_error(head, ICMP_TIME_EXCEEDED,
					ICMP_EXC_FRAGTIME);
		ipq_free(q);
	}
}
