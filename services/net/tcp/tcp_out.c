/* services/net/tcp/tcp_out.c: sending TCP segments, retransmission and
 * the timers.
 *
 * Layer: services (safe C), net/inet, after Linux tcp_output.c and
 * tcp_timer.c. Queued data waits on wq as packets of at most one MSS
 * (what a send copied in, once); a packet is sent as it is, its headers
 * written into the room kept before the payload, and moves to rtxq until
 * acknowledged. Over lo the receiver queues that same packet (one copy of
 * the data for both ends); should it have to be sent again while the
 * receiver still holds it, a copy is sent instead.
 *
 * What limits sending: the peer's window (scaled, RFC 7323), the
 * congestion window (tcp_cong.c), and Nagle's rule unless TCP_NODELAY: a
 * segment short of the MSS waits while an earlier short one is
 * unacknowledged (Minshall's form, as Linux), and small queued packets
 * are merged when they go. PSH marks the segment that
 * ends what was queued (as Linux's tcp_push), which the receiver may
 * acknowledge at once. The RTT (RFC 6298: SRTT, RTTVAR, RTO from 1 s, at
 * least 200 ms as Linux, at most 120 s) is sampled from the first
 * segment acknowledged that was sent once (Karn), else, for data sent
 * again, from the echoed timestamp (RFC 7323 4, as Linux). Timestamps go
 * on every segment once both ends offered them in the SYNs.
 * An ACK owed (tcp_ack_later) is sent at the end of the batch of packets
 * that caused it, so a burst gets one; any segment we send carries it
 * and clears the delayed-ACK timer. */
#include <fw/time.h>

#include "net/tcp/tcp.h"

static struct fw_list ack_list = FW_LIST_HEAD_INIT(ack_list);

uint32_t tcp_adv_mss(struct netdev *d)
{
	uint32_t mtu = d->mtu > 65535 ? 65535 : d->mtu;

	return mtu - IP_HLEN - TCP_HLEN;
}

uint32_t tcp_ts_now(const struct inet_sock *in)
{
	return (uint32_t)(fw_time_ns() / FW_NSEC_PER_MSEC) + in->ts_offset;
}

uint32_t tcp_rcv_space(struct inet_sock *in)
{
	size_t buf = atomic_load(&in->sk->rcvbuf);

	return in->rcvq_mem >= buf ? 0 : (uint32_t)(buf - in->rcvq_mem);
}

void tcp_arm_timer(struct inet_sock *in, uint64_t *slot, uint64_t at)
{
	*slot = at;
	if (!in->on_timer_list) {
		fw_list_add_tail(&tcp_timer_list, &in->timer_node);
		in->on_timer_list = true;
	}
	if (at)
		inet_timer_kick(at);
}

void tcp_rearm_rto(struct inet_sock *in)
{
	/* backoff counts the timeouts (the give-up test compares it with
	 * the retry limit, up to 127 with TCP_SYNCNT); the interval stops
	 * doubling at the maximum (Linux inet_csk_rto_backoff). rto is at
	 * most TCP_RTO_MAX (< 2^37 ns): 20 doublings stay inside 64 bits. */
	uint64_t rto = in->backoff > 20 ? TCP_RTO_MAX_NS : in->rto << in->backoff;

	if (fw_list_empty(&in->rtxq) && fw_list_empty(&in->wq)) {
		in->rto_at = 0;
		return;
	}
	if (rto > TCP_RTO_MAX_NS)
		rto = TCP_RTO_MAX_NS;
	tcp_arm_timer(in, &in->rto_at, fw_time_ns() + rto);
}

/* The window field we send now, and remember its right edge. */
static uint16_t window_field(struct inet_sock *in, bool syn)
{
	uint32_t space = tcp_rcv_space(in), w;

	/* Never move the right edge back (RFC 9293 3.8.6.2.2). */
	if (seq_lt(in->rcv_nxt + space, in->rcv_adv))
		space = in->rcv_adv - in->rcv_nxt;
	if (syn) {
		w = space > 65535 ? 65535 : space;
	} else {
		uint32_t shift = in->wscale_ok ? in->rcv_wscale : 0;

		w = space >> shift;
		if (w > 65535)
			w = 65535;
		space = w << shift;
	}
	if (seq_gt(in->rcv_nxt + space, in->rcv_adv))
		in->rcv_adv = in->rcv_nxt + space;
	return (uint16_t)w;
}

/* Does a segment with these flags carry a timestamp? Our SYN offers
 * one; later segments carry it when both sides agreed. */
static bool with_ts(struct inet_sock *in, uint8_t flags)
{
	if (flags & TCP_RST)
		return false;
	return in->ts_ok || ((flags & TCP_SYN) && in->state == TCP_SYN_SENT);
}

/* The header length for a segment with these flags. */
static uint32_t header_len(struct inet_sock *in, uint8_t flags)
{
	return TCP_HLEN + ((flags & TCP_SYN) ? 8u : 0u) +
	       (with_ts(in, flags) ? TCP_TS_LEN : 0u);
}

/* Write the TCP header for a segment [seq, seq + len) at buf[off, ...):
 * returns its length (with options), header_len(in, flags). */
static uint32_t write_header(struct inet_sock *in, struct skb *s, uint32_t off,
			     uint32_t seq, uint8_t flags)
{
	struct fw_writer w;
	bool syn_opts = flags & TCP_SYN;
	uint32_t thl = header_len(in, flags);
	int err = 0;

	fw_writer_init(&w, skb_buf(s, off, thl));
	err |= fw_writer_u16_be(&w, in->lport);
	err |= fw_writer_u16_be(&w, in->rport);
	err |= fw_writer_u32_be(&w, seq);
	err |= fw_writer_u32_be(&w, (flags & TCP_ACK) ? in->rcv_nxt : 0);
	err |= fw_writer_u8(&w, (uint8_t)((thl / 4) << 4));
	err |= fw_writer_u8(&w, flags);
	err |= fw_writer_u16_be(&w, (flags & TCP_RST) ? 0
						       : window_field(in, flags & TCP_SYN));
	err |= fw_writer_u16_be(&w, 0); /* checksum: ip_output, off lo */
	err |= fw_writer_u16_be(&w, 0);
	if (syn_opts) {
		struct route rt;
		uint32_t mss = TCP_MSS_DEFAULT;

		if (!route_lookup(in->raddr, &rt))
			mss = tcp_adv_mss(rt.dev);
		if (in->user_mss && in->user_mss < mss)
			mss = in->user_mss;
		err |= fw_writer_u8(&w, 2);	/* MSS */
		err |= fw_writer_u8(&w, 4);
		err |= fw_writer_u16_be(&w, (uint16_t)mss);
		err |= fw_writer_u8(&w, 1);	/* NOP */
		err |= fw_writer_u8(&w, 3);	/* window scale */
		err |= fw_writer_u8(&w, 3);
		err |= fw_writer_u8(&w, TCP_RCV_WSCALE);
	}
	if (with_ts(in, flags)) {
		err |= fw_writer_u8(&w, 1);	/* NOP, NOP: aligned */
		err |= fw_writer_u8(&w, 1);
		err |= fw_writer_u8(&w, 8);	/* timestamps */
		err |= fw_writer_u8(&w, 10);
		err |= fw_writer_u32_be(&w, tcp_ts_now(in));
		err |= fw_writer_u32_be(&w, (flags & TCP_ACK) ? in->ts_recent : 0);
	}
	if (flags & TCP_ACK)
		in->last_ack_sent = in->rcv_nxt;
	return err ? 0 : thl;
}

static int send_packet(struct inet_sock *in, struct skb *s)
{
	struct route rt;
	int err = route_lookup(in->raddr, &rt);

	if (err)
		return err;
	return ip_output(s, &rt, in->laddr, in->raddr, IPPROTO_TCP,
			 in->ttl ? in->ttl : IP_DEFAULT_TTL, in->tos);
}

static void ack_sent(struct inet_sock *in)
{
	in->delack_at = 0;
	if (in->ack_pending) {
		in->ack_pending = false;
		fw_list_del(&in->ack_node);
	}
}

/* Send the queued packet s (on rtxq or about to be): a copy if someone
 * else still holds it. 0 or -errno. */
static int xmit(struct inet_sock *in, struct skb *s)
{
	uint8_t flags = s->sflags;
	bool syn = flags & TCP_SYN;
	uint32_t thl, hdr_at;
	int err;

	if (atomic_load(&s->refs) > 1) {
		struct skb *c = skb_alloc(SKB_HEADROOM + s->slen);

		if (!c)
			return -ENOBUFS;
		if (s->slen && fw_buf_copy_from(c->buf, SKB_HEADROOM,
						skb_bytes(s, s->soff, s->slen))) {
			skb_put(c);
			return -EINVAL;
		}
		c->sseq = s->sseq;
		c->slen = s->slen;
		c->sflags = s->sflags;
		c->soff = SKB_HEADROOM;
		c->xmits = s->xmits;
		c->sent_ns = s->sent_ns;
		fw_list_add_tail(&s->snode, &c->snode); /* before s */
		fw_list_del(&s->snode);
		skb_put(s);
		s = c;
	}
	/* A SYN of a passive open is our SYN|ACK. */
	if (!syn || in->state != TCP_SYN_SENT)
		flags |= TCP_ACK;
	if (s->slen && s->sseq + s->slen == in->write_seq)
		flags |= TCP_PSH;
	thl = header_len(in, flags);
	if (s->soff < thl + IP_HLEN)
		return -EINVAL;
	hdr_at = s->soff - thl;
	if (!write_header(in, s, hdr_at, s->sseq, flags))
		return -EINVAL;
	s->head = hdr_at;
	s->len = thl + s->slen;
	if (++s->xmits > 1)
		in->total_retrans++;
	s->sent_ns = fw_time_ns();
	err = send_packet(in, s);
	if (flags & TCP_ACK)
		ack_sent(in);
	return err;
}

/* A segment with no payload and no sequence space, built fresh. */
static void send_bare(struct inet_sock *in, uint32_t seq, uint8_t flags)
{
	struct skb *s = skb_alloc(SKB_HEADROOM);
	uint32_t thl = header_len(in, flags);

	if (!s)
		return;
	if (write_header(in, s, SKB_HEADROOM - thl, seq, flags)) {
		s->head = SKB_HEADROOM - thl;
		s->len = thl;
		if (send_packet(in, s)) {
			/* lost: the peer retransmits */
		}
	}
	skb_put(s);
	if (flags & TCP_ACK)
		ack_sent(in);
}

void tcp_send_ack(struct inet_sock *in)
{
	if (in->state == TCP_CLOSE || in->state == TCP_LISTEN ||
	    in->state == TCP_SYN_SENT)
		return;
	send_bare(in, in->snd_nxt, TCP_ACK);
}

void tcp_send_probe(struct inet_sock *in)
{
	send_bare(in, in->snd_una - 1, TCP_ACK);
}

void tcp_ack_later(struct inet_sock *in)
{
	if (in->ack_pending)
		return;
	in->ack_pending = true;
	fw_list_add_tail(&ack_list, &in->ack_node);
}

void tcp_flush_acks(void)
{
	fw_spin_lock(&inet_lock);
	while (!fw_list_empty(&ack_list)) {
		struct inet_sock *in = FW_LIST_FIRST(&ack_list, struct inet_sock,
						     ack_node);

		ack_sent(in);
		tcp_send_ack(in);
	}
	tcp_unlock();
}

void tcp_send_rst_sock(struct inet_sock *in)
{
	if (in->state == TCP_CLOSE || in->state == TCP_LISTEN ||
	    in->state == TCP_SYN_SENT)
		return;
	send_bare(in, in->snd_nxt, TCP_RST | TCP_ACK);
}

void tcp_send_rst_reply(struct skb *in)
{
	struct skb *s;
	struct fw_writer w;
	struct route rt;
	uint32_t seq = 0, ack = 0;
	uint8_t flags = TCP_RST;
	int err = 0;

	if (in->tflags & TCP_RST)
		return;
	if (in->tflags & TCP_ACK) {
		seq = in->ackn;
	} else {
		ack = in->seq + in->dlen + ((in->tflags & TCP_SYN) ? 1 : 0) +
		      ((in->tflags & TCP_FIN) ? 1 : 0);
		flags |= TCP_ACK;
	}
	if (inet_addr_bcast(in->daddr) || route_lookup(in->saddr, &rt))
		return;
	s = skb_alloc(SKB_HEADROOM);
	if (!s)
		return;
	s->head = SKB_HEADROOM - TCP_HLEN;
	s->len = TCP_HLEN;
	fw_writer_init(&w, skb_buf(s, s->head, TCP_HLEN));
	err |= fw_writer_u16_be(&w, in->dport);
	err |= fw_writer_u16_be(&w, in->sport);
	err |= fw_writer_u32_be(&w, seq);
	err |= fw_writer_u32_be(&w, ack);
	err |= fw_writer_u8(&w, (TCP_HLEN / 4) << 4);
	err |= fw_writer_u8(&w, flags);
	err |= fw_writer_u16_be(&w, 0);
	err |= fw_writer_u16_be(&w, 0);
	err |= fw_writer_u16_be(&w, 0);
	if (!err && ip_output(s, &rt, in->daddr, in->saddr, IPPROTO_TCP,
			      IP_DEFAULT_TTL, 0)) {
		/* lost */
	}
	skb_put(s);
}

int tcp_queue_ctl(struct inet_sock *in, uint8_t flags)
{
	struct skb *s = skb_alloc(SKB_HEADROOM);

	if (!s)
		return -ENOMEM;
	s->soff = SKB_HEADROOM;
	s->sseq = in->write_seq;
	s->sflags = flags;
	in->write_seq++;
	if (flags & TCP_FIN) {
		in->fin_queued = true;
		in->fin_seq = s->sseq;
	}
	fw_list_add_tail(&in->wq, &s->snode);
	return 0;
}

void tcp_queue_data(struct inet_sock *in, struct skb *s, uint32_t len)
{
	s->soff = SKB_HEADROOM;
	s->slen = len;
	s->sseq = in->write_seq;
	in->write_seq += len;
	in->wq_bytes += len;
	fw_list_add_tail(&in->wq, &s->snode);
}

/* Replace the head of wq by a packet holding its first n bytes and
 * (merge) the small packets after it, up to n bytes in all. */
static struct skb *rebuild_head(struct inet_sock *in, uint32_t n)
{
	struct skb *h = FW_LIST_FIRST(&in->wq, struct skb, snode);
	struct skb *c = skb_alloc(SKB_HEADROOM + n);
	uint32_t got = 0;

	if (!c)
		return NULL;
	c->soff = SKB_HEADROOM;
	c->sseq = h->sseq;
	while (got < n) {
		struct skb *p = FW_LIST_FIRST(&in->wq, struct skb, snode);
		uint32_t take;

		if (!p || p->sflags)
			break;
		take = p->slen < n - got ? p->slen : n - got;
		if (fw_buf_copy_from(c->buf, SKB_HEADROOM + got,
				     skb_bytes(p, p->soff, take)))
			break;
		got += take;
		if (take == p->slen) {
			fw_list_del(&p->snode);
			skb_put(p);
		} else {
			p->soff += take;
			p->slen -= take;
			p->sseq += take;
		}
	}
	c->slen = got;
	fw_list_add_head(&in->wq, &c->snode);
	return c;
}

void tcp_output(struct inet_sock *in)
{
	int err;

	if (in->state == TCP_CLOSE || in->state == TCP_LISTEN)
		return;
	while (!fw_list_empty(&in->wq)) {
		struct skb *s = FW_LIST_FIRST(&in->wq, struct skb, snode);
		uint32_t cwnd = tcp_cong_window(in);
		uint32_t wnd = in->snd_wnd < cwnd ? in->snd_wnd : cwnd;
		uint32_t end = in->snd_una + wnd, avail;
		bool last = s->snode.next == &in->wq;

		if (s->sflags) {
			/* SYN and FIN need no window; SYN only in SYN_SENT
			 * or SYN_RECV, the FIN after all data. */
			fw_list_del(&s->snode);
			fw_list_add_tail(&in->rtxq, &s->snode);
			in->snd_nxt = s->sseq + 1;
			if (s->sflags & TCP_FIN)
				in->fin_sent = true;
			if (xmit(in, s)) {
				/* the timer sends it again */
			}
			if (!in->rto_at)
				tcp_rearm_rto(in); /* a lost SYN or FIN is sent again */
			continue;
		}
		if (in->state == TCP_SYN_SENT || in->state == TCP_SYN_RECV)
			break;
		avail = seq_gt(end, in->snd_nxt) ? end - in->snd_nxt : 0;
		if (!avail) {
			if (fw_list_empty(&in->rtxq) && !in->rto_at)
				tcp_rearm_rto(in); /* the persist timer */
			break;
		}
		if (s->slen > avail) {
			/* Sender SWS avoidance: a piece of a segment only
			 * when it is half the largest window seen, or
			 * nothing else is in flight. */
			if (!fw_list_empty(&in->rtxq) && avail < in->max_wnd / 2)
				break;
		}
		if (s->slen < in->mss && !last) {
			/* small packets queued: merge them */
			uint32_t n = in->mss < avail ? in->mss : avail;

			s = rebuild_head(in, n < in->wq_bytes ? n : (uint32_t)in->wq_bytes);
			if (!s)
				goto out_of_memory;
			last = s->snode.next == &in->wq;
		} else if (s->slen > avail) {
			s = rebuild_head(in, avail);
			if (!s)
				goto out_of_memory;
			last = false;
		}
		/* Nagle (RFC 896) with Minshall's change, as Linux: a
		 * short segment waits while an earlier short one is
		 * unacknowledged (so the short tail of each write does not
		 * wait for a delayed ACK of full segments). */
		if (s->slen < in->mss && last && !in->nodelay &&
		    seq_gt(in->snd_sml, in->snd_una) && !in->fin_queued)
			break;
		fw_list_del(&s->snode);
		fw_list_add_tail(&in->rtxq, &s->snode);
		in->snd_nxt = s->sseq + s->slen;
		if (s->slen < in->mss)
			in->snd_sml = in->snd_nxt;
		/* On rtxq now, sent or not (ARP gave up, the device
		 * queue was full): the timer sends it again. */
		err = xmit(in, s);
		if (!in->rto_at)
			tcp_rearm_rto(in);
		if (err)
			break;
	}
	return;
out_of_memory:
	/* The next ACK tries again; with nothing in flight none is coming,
	 * so the timer probes the peer for one (Linux's probe timer). */
	if (fw_list_empty(&in->rtxq) && !in->rto_at)
		tcp_rearm_rto(in);
}

/* RFC 6298 2.2-2.3, in nanoseconds. */
static void rtt_sample(struct inet_sock *in, uint64_t r)
{
	uint64_t rto;

	if (!in->rtt_valid) {
		in->srtt = r;
		in->rttvar = r / 2;
		in->rtt_valid = true;
	} else {
		uint64_t d = in->srtt > r ? in->srtt - r : r - in->srtt;

		in->rttvar = (3 * in->rttvar + d) / 4;
		in->srtt = (7 * in->srtt + r) / 8;
	}
	rto = in->srtt + (4 * in->rttvar > FW_NSEC_PER_MSEC ? 4 * in->rttvar
							    : FW_NSEC_PER_MSEC);
	if (rto < TCP_RTO_MIN_NS)
		rto = TCP_RTO_MIN_NS;
	if (rto > TCP_RTO_MAX_NS)
		rto = TCP_RTO_MAX_NS;
	in->rto = rto;
}

void tcp_clean_rtx(struct inet_sock *in, uint32_t ack, uint32_t tsecr)
{
	uint64_t now = fw_time_ns();
	uint32_t acked = 0;
	bool sampled = false, resent = false;

	while (!fw_list_empty(&in->rtxq)) {
		struct skb *s = FW_LIST_FIRST(&in->rtxq, struct skb, snode);
		uint32_t end = s->sseq + s->slen + (s->sflags ? 1 : 0);

		if (seq_le(end, ack)) {
			if (!sampled && s->xmits == 1) {
				rtt_sample(in, now - s->sent_ns);
				sampled = true; /* Karn: first sends only */
			}
			resent = resent || s->xmits > 1;
			acked += s->slen;
			fw_list_del(&s->snode);
			skb_put(s);
			continue;
		}
		if (seq_gt(ack, s->sseq) && s->slen && !s->sflags) {
			/* part of it: the rest stays queued */
			uint32_t n = ack - s->sseq;

			s->sseq += n;
			s->soff += n;
			s->slen -= n;
			acked += n;
		}
		break;
	}
	if (!sampled && resent && tsecr && in->ts_ok) {
		/* Data sent again: the echo tells which send it answers. */
		uint32_t ms = tcp_ts_now(in) - tsecr;

		if (ms < 0x80000000u)
			rtt_sample(in, (uint64_t)(ms ? ms : 1) * FW_NSEC_PER_MSEC);
	}
	in->wq_bytes -= acked < in->wq_bytes ? acked : in->wq_bytes;
	if (acked) {
		in->backoff = 0;
		in->zwp_probes = 0;
		in->first_rtx_ns = 0;
		tcp_cong_ack(in, acked, in->ts_ok ? tsecr : 0);
	}
	if (fw_list_empty(&in->rtxq))
		in->rto_at = 0;
	else if (acked)
		tcp_rearm_rto(in);
}


void tcp_retransmit_head(struct inet_sock *in)
{
	struct skb *s = FW_LIST_FIRST(&in->rtxq, struct skb, snode);

	if (s && xmit(in, s)) {
		/* the retransmission timer tries again */
	}
}
