/* services/net/tcp/tcp_in.c: TCP segment arrival.
 *
 * Layer: services (safe C), net/inet, after RFC 9293 3.10.7 ("SEGMENT
 * ARRIVES") and Linux tcp_input.c/tcp_ipv4.c. The header is checked
 * (data offset inside the segment, the checksum off lo), the options
 * read (MSS, window scale, timestamps; others skipped), the connection
 * found (the exact four-tuple first, then a listener on the address or on
 * INADDR_ANY) and the segment run through the state machine. A segment
 * no connection wants is answered with RST. RST and SYN inside the
 * window but not at its left edge get a challenge ACK (RFC 5961).
 * Segments that arrive ahead of a gap are kept (up to 256 per connection,
 * within the receive window) and taken in when the gap fills. Received
 * data is charged to SO_RCVBUF; the window we advertise is what is left
 * of it. Its ACK may be delayed (ack_data). With timestamps (RFC 7323),
 * old segments are refused by PAWS and the echoed value is kept. */
#include <fw/time.h>

#include "net/tcp/tcp.h"

static int parse(struct skb *s)
{
	struct fw_bytes h = skb_bytes(s, s->l4, s->l4len);
	struct fw_reader r;
	uint8_t off = 0, flags = 0;
	uint16_t wnd = 0, sport = 0, dport = 0;
	uint32_t seq = 0, ack = 0, thl;
	int err = 0;

	if (s->l4len < TCP_HLEN)
		return -EINVAL;
	fw_reader_init(&r, h);
	err |= fw_reader_u16_be(&r, &sport);
	err |= fw_reader_u16_be(&r, &dport);
	err |= fw_reader_u32_be(&r, &seq);
	err |= fw_reader_u32_be(&r, &ack);
	err |= fw_reader_u8(&r, &off);
	err |= fw_reader_u8(&r, &flags);
	err |= fw_reader_u16_be(&r, &wnd);
	if (err)
		return -EINVAL;
	thl = (uint32_t)(off >> 4) * 4;
	if (thl < TCP_HLEN || thl > s->l4len)
		return -EINVAL;
	if (!s->csum_ok &&
	    inet_csum_fold(inet_csum_add(inet_csum_pseudo(s->saddr, s->daddr,
							  IPPROTO_TCP, s->l4len),
					 h)) != 0)
		return -EINVAL;
	s->sport = sport;
	s->dport = dport;
	s->seq = seq;
	s->ackn = ack;
	s->tflags = flags;
	s->wnd = wnd;
	s->data = s->l4 + thl;
	s->dlen = s->l4len - thl;
	s->opt_mss = 0;
	s->opt_wscale = -1;
	s->opt_ts = false;
	if (thl > TCP_HLEN && fw_reader_seek(&r, TCP_HLEN) == 0) {
		struct fw_reader o;

		if (fw_reader_limit(&r, thl - TCP_HLEN, &o))
			return 0;
		for (;;) {
			uint8_t kind, len;

			if (fw_reader_u8(&o, &kind) || kind == 0)
				break;
			if (kind == 1)
				continue;
			if (fw_reader_u8(&o, &len) || len < 2)
				break;
			if (kind == 2 && len == 4) {
				uint16_t mss;

				if (fw_reader_u16_be(&o, &mss))
					break;
				s->opt_mss = mss;
			} else if (kind == 3 && len == 3) {
				uint8_t ws;

				if (fw_reader_u8(&o, &ws))
					break;
				s->opt_wscale = (int8_t)(ws > 14 ? 14 : ws);
			} else if (kind == 8 && len == 10) {
				if (fw_reader_u32_be(&o, &s->tsval) ||
				    fw_reader_u32_be(&o, &s->tsecr))
					break;
				s->opt_ts = true;
			} else if (fw_reader_skip(&o, len - 2u)) {
				break;
			}
		}
	}
	return 0;
}

static struct inet_sock *lookup(struct skb *s)
{
	struct inet_sock *o, *lis = NULL;

	FW_LIST_FOR_EACH(o, inet_bucket(&tcp_table, s->dport), hnode) {
		if (o->lport != s->dport)
			continue;
		if (o->state == TCP_LISTEN) {
			if (o->laddr == s->daddr)
				lis = o;
			else if (o->laddr == INADDR_ANY && !lis)
				lis = o;
			continue;
		}
		if (o->state != TCP_CLOSE && o->rport == s->sport &&
		    o->raddr == s->saddr && o->laddr == s->daddr)
			return o;
	}
	return lis;
}

/* The peer's options from its SYN: the MSS we send with, scaling. */
static void apply_syn_options(struct inet_sock *in, struct skb *s)
{
	struct route rt;
	uint32_t mss = s->opt_mss ? s->opt_mss : TCP_MSS_DEFAULT;
	uint32_t own = TCP_MSS_DEFAULT;

	if (!route_lookup(in->raddr, &rt))
		own = tcp_adv_mss(rt.dev);
	if (mss > own)
		mss = own;
	if (in->user_mss && in->user_mss < mss)
		mss = in->user_mss;
	if (mss > TCP_SEG_MAX)
		mss = TCP_SEG_MAX;
	if (mss < 64)
		mss = 64;
	in->ts_ok = s->opt_ts;
	if (in->ts_ok) {
		/* the option takes room in every segment (Linux mss_cache) */
		mss -= TCP_TS_LEN;
		in->ts_recent = s->tsval;
		in->ts_recent_ns = fw_time_ns();
	}
	in->mss = mss;
	in->wscale_ok = s->opt_wscale >= 0;
	in->snd_wscale = in->wscale_ok ? (uint8_t)s->opt_wscale : 0;
	in->rcv_wscale = in->wscale_ok ? TCP_RCV_WSCALE : 0;
	in->cwnd = 10 * mss;
	in->ssthresh = 0x7fffffffu;
}

static void update_window(struct inet_sock *in, struct skb *s)
{
	uint32_t wnd = (uint32_t)s->wnd << in->snd_wscale;

	if (seq_lt(in->snd_wl1, s->seq) ||
	    (in->snd_wl1 == s->seq && seq_le(in->snd_wl2, s->ackn))) {
		in->snd_wnd = wnd;
		in->snd_wl1 = s->seq;
		in->snd_wl2 = s->ackn;
		if (wnd > in->max_wnd)
			in->max_wnd = wnd;
	}
}

static void established(struct inet_sock *in)
{
	tcp_set_state(in, TCP_ESTABLISHED);
	in->was_conn = true;
	in->last_rcv_ns = fw_time_ns();
	if (in->keepalive)
		tcp_arm_timer(in, &in->keep_at, in->last_rcv_ns +
				  (uint64_t)(in->keepidle ? in->keepidle : TCP_KEEPIDLE_S) *
					  FW_NSEC_PER_SEC);
}

static void syn_sent(struct inet_sock *in, struct skb *s)
{
	uint8_t f = s->tflags;

	if ((f & TCP_ACK) && (seq_le(s->ackn, in->iss) || seq_gt(s->ackn, in->snd_nxt))) {
		if (!(f & TCP_RST))
			tcp_send_rst_reply(s);
		return;
	}
	if (f & TCP_RST) {
		if (f & TCP_ACK)
			tcp_abort(in, ECONNREFUSED, false);
		return;
	}
	if (!(f & TCP_SYN))
		return;
	in->irs = s->seq;
	in->rcv_nxt = s->seq + 1;
	in->rcv_adv = in->rcv_nxt;
	apply_syn_options(in, s);
	if (f & TCP_ACK) {
		in->snd_una = s->ackn;
		tcp_clean_rtx(in, s->ackn, 0);
		in->snd_wnd = s->wnd; /* not scaled in a SYN */
		in->max_wnd = in->snd_wnd;
		in->snd_wl1 = s->seq;
		in->snd_wl2 = s->ackn;
		in->backoff = 0;
		established(in);
		tcp_send_ack(in);
		socket_wake(in->sk);
		tcp_output(in);
		return;
	}
	/* Simultaneous open: answer with SYN|ACK from SYN_RECV. */
	tcp_set_state(in, TCP_SYN_RECV);
	if (!fw_list_empty(&in->rtxq)) {
		struct skb *syn = FW_LIST_FIRST(&in->rtxq, struct skb, snode);

		fw_list_del(&syn->snode);
		fw_list_add_head(&in->wq, &syn->snode);
	}
	tcp_output(in);
}

/* PAWS (RFC 7323 5): a segment whose timestamp is older than the last
 * one echoed is a duplicate from a wrapped sequence space; dropped,
 * unless ts_recent is too old to trust (24 days idle) or it is a
 * reordered pure duplicate ACK within the RTO (Linux
 * tcp_disordered_ack: dropping it would hide a loss signal). */
static bool paws_reject(struct inet_sock *in, struct skb *s)
{
	uint32_t behind = in->ts_recent - s->tsval;

	if ((int32_t)behind <= 0 ||
	    fw_time_ns() - in->ts_recent_ns > TCP_PAWS_IDLE_NS)
		return false;
	if (!s->dlen && (s->tflags & (TCP_SYN | TCP_FIN | TCP_ACK)) == TCP_ACK &&
	    s->seq == in->rcv_nxt && s->ackn == in->snd_una &&
	    (uint64_t)behind * FW_NSEC_PER_MSEC <= in->rto)
		return false;
	return true;
}

/* Is the segment inside the receive window (RFC 9293 3.10.7.4)? */
static bool acceptable(struct inet_sock *in, struct skb *s, uint32_t seglen)
{
	uint32_t wnd = in->rcv_adv - in->rcv_nxt;

	if (seq_lt(in->rcv_adv, in->rcv_nxt))
		wnd = 0;
	if (seglen == 0) {
		if (wnd == 0)
			return s->seq == in->rcv_nxt;
		return seq_in(s->seq, in->rcv_nxt, in->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	return seq_in(s->seq, in->rcv_nxt, in->rcv_nxt + wnd) ||
	       seq_in(s->seq + seglen - 1, in->rcv_nxt, in->rcv_nxt + wnd);
}

/* Take in our FIN's acknowledgment. */
static void fin_acked(struct inet_sock *in)
{
	switch (in->state) {
	case TCP_FIN_WAIT1:
		tcp_set_state(in, TCP_FIN_WAIT2);
		if (in->dead) /* orphaned: do not wait for ever */
			tcp_arm_timer(in, &in->tw_at, fw_time_ns() +
					  (in->linger2 > 0 ? (uint64_t)in->linger2 *
								     FW_NSEC_PER_SEC
							   : TCP_FIN_TIMEOUT_NS));
		socket_wake(in->sk);
		break;
	case TCP_CLOSING:
		tcp_set_state(in, TCP_TIME_WAIT);
		tcp_arm_timer(in, &in->tw_at, fw_time_ns() + TCP_TIMEWAIT_NS);
		break;
	case TCP_LAST_ACK:
		tcp_done(in);
		break;
	default:
		break;
	}
}

static void got_fin(struct inet_sock *in)
{
	in->rcv_nxt++;
	in->fin_rcvd = true;
	in->shutdown |= RCV_SHUTDOWN;
	switch (in->state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(in, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* our FIN not yet acknowledged (else we were in FIN_WAIT2) */
		tcp_set_state(in, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_set_state(in, TCP_TIME_WAIT);
		in->tw_at = 0;
		tcp_arm_timer(in, &in->tw_at, fw_time_ns() + TCP_TIMEWAIT_NS);
		break;
	default:
		break;
	}
	tcp_send_ack(in);
	socket_wake(in->sk);
}

/* Queue in-order data (trimmed to start at rcv_nxt). */
static void take_data(struct inet_sock *in, struct skb *s)
{
	skb_get(s);
	s->rd = 0;
	fw_list_add_tail(&in->rcvq, &s->node);
	in->rcv_nxt += s->dlen;
	in->rcvq_bytes += s->dlen;
	in->rcvq_mem += s->dlen;
}

/* Segments kept ahead of a gap that the gap's filling made in order. */
static void ooo_pull(struct inet_sock *in)
{
	while (!fw_list_empty(&in->oooq)) {
		struct skb *s = FW_LIST_FIRST(&in->oooq, struct skb, node);
		uint32_t end = s->seq + s->dlen;

		if (seq_gt(s->seq, in->rcv_nxt))
			return;
		fw_list_del(&s->node);
		in->rcvq_mem -= s->dlen;
		if (seq_gt(end, in->rcv_nxt) ||
		    (end == in->rcv_nxt && (s->tflags & TCP_FIN))) {
			uint32_t skip = in->rcv_nxt - s->seq;

			s->data += skip;
			s->dlen -= skip;
			s->seq = in->rcv_nxt;
			if (s->dlen)
				take_data(in, s);
			if ((s->tflags & TCP_FIN) && !in->fin_rcvd)
				got_fin(in);
		}
		skb_put(s);
	}
}

static void ooo_insert(struct inet_sock *in, struct skb *s)
{
	struct skb *p;
	unsigned n = 0;

	FW_LIST_FOR_EACH(p, &in->oooq, node)
		n++;
	if (n >= TCP_MAX_OOO || s->dlen > tcp_rcv_space(in))
		return; /* dropped: the sender retransmits */
	FW_LIST_FOR_EACH(p, &in->oooq, node) {
		if (p->seq == s->seq && p->dlen >= s->dlen)
			return; /* a duplicate */
		if (seq_gt(p->seq, s->seq))
			break;
	}
	skb_get(s);
	fw_list_add_tail(&p->node, &s->node); /* before p (or at the end) */
	in->rcvq_mem += s->dlen;
}

/* In-order data arrived: acknowledge it now (at the end of this batch
 * of packets) or delay the ACK (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2, as
 * Linux's __tcp_ack_snd_check): at once while in quick-ACK mode (the
 * first segments of a connection, to open the peer's congestion window
 * fast, and TCP_QUICKACK), for a segment that fills a hole (the sender
 * waits to learn it arrived), for a pushed segment a reader is waiting
 * for, when more than one full segment is unacknowledged, and when what
 * is left of the window we advertised is less than a segment (the sender
 * can send nothing more: waiting would only stall it); else after
 * TCP_DELACK_NS, unless a segment we send carries the ACK first. */
static void ack_data(struct inet_sock *in, struct skb *s, bool hole)
{
	if (s->dlen > in->rcv_mss)
		in->rcv_mss = s->dlen; /* the peer's segment size, as seen */
	if (in->quick_acks || in->quickack || hole ||
	    ((s->tflags & TCP_PSH) && in->rcv_waiting) ||
	    in->rcv_nxt - in->last_ack_sent > in->rcv_mss ||
	    !seq_lt(in->rcv_nxt + in->rcv_mss, in->rcv_adv)) {
		if (in->quick_acks)
			in->quick_acks--;
		tcp_ack_later(in);
		return;
	}
	if (!in->delack_at)
		tcp_arm_timer(in, &in->delack_at, fw_time_ns() + TCP_DELACK_NS);
}

static void data_and_fin(struct inet_sock *in, struct skb *s)
{
	bool fin = s->tflags & TCP_FIN;

	if (in->state != TCP_ESTABLISHED && in->state != TCP_FIN_WAIT1 &&
	    in->state != TCP_FIN_WAIT2 && in->state != TCP_SYN_RECV)
		return; /* the peer's FIN came already: ignore */
	if (s->dlen && in->dead && (in->shutdown & RCV_SHUTDOWN)) {
		/* data for a closed socket nobody will read (Linux) */
		tcp_abort(in, 0, true);
		return;
	}
	if (seq_lt(s->seq, in->rcv_nxt)) {
		uint32_t skip = in->rcv_nxt - s->seq;

		if (skip > s->dlen) {
			skip = s->dlen;
			fin = fin && false; /* an old FIN */
		}
		s->data += skip;
		s->dlen -= skip;
		s->seq += skip;
	}
	/* Trim to the window we advertised. */
	if (s->dlen && seq_gt(s->seq + s->dlen, in->rcv_adv)) {
		uint32_t keep = seq_gt(in->rcv_adv, s->seq) ? in->rcv_adv - s->seq : 0;

		s->dlen = keep;
		fin = false;
	}
	if (s->seq != in->rcv_nxt) {
		if (s->dlen || fin) {
			if (!fin)
				s->tflags &= (uint8_t)~TCP_FIN;
			ooo_insert(in, s);
		}
		tcp_send_ack(in); /* a duplicate ACK tells the sender */
		return;
	}
	if (s->dlen) {
		bool hole = !fw_list_empty(&in->oooq);

		take_data(in, s);
		ooo_pull(in);
		ack_data(in, s, hole);
		socket_wake(in->sk);
	}
	if (fin && !in->fin_rcvd)
		got_fin(in);
}

static void process(struct inet_sock *in, struct skb *s)
{
	uint8_t f = s->tflags;
	uint32_t seglen = s->dlen + ((f & TCP_SYN) ? 1 : 0) + ((f & TCP_FIN) ? 1 : 0);

	if (in->state == TCP_SYN_SENT) {
		syn_sent(in, s);
		return;
	}
	if (in->ts_ok && s->opt_ts && !(f & TCP_RST) && paws_reject(in, s)) {
		if (seglen)
			tcp_send_ack(in); /* Linux tcp_send_dupack */
		return;
	}
	if (!acceptable(in, s, seglen)) {
		if (!(f & TCP_RST))
			tcp_send_ack(in);
		return;
	}
	/* RFC 7323 4.3: the timestamp to echo is the one of the segment at
	 * the left edge of what we last acknowledged. */
	if (in->ts_ok && s->opt_ts && seq_le(s->seq, in->last_ack_sent) &&
	    (int32_t)(s->tsval - in->ts_recent) >= 0) {
		in->ts_recent = s->tsval;
		in->ts_recent_ns = fw_time_ns();
	}
	in->last_rcv_ns = fw_time_ns();
	in->keep_probes = 0;
	if (f & TCP_RST) {
		if (s->seq != in->rcv_nxt) {
			tcp_send_ack(in); /* challenge ACK */
			return;
		}
		if (in->state == TCP_SYN_RECV && in->parent) {
			tcp_abort(in, 0, false);
			return;
		}
		/* In TIME_WAIT both FINs were seen and the data is in: a
		 * RST (the peer already gone, answering our last ACK) only
		 * ends the wait early, as it kills Linux's timewait socket;
		 * it is no error for a reader still holding the socket. */
		tcp_abort(in, in->state == TCP_TIME_WAIT    ? 0
			      : in->state == TCP_CLOSE_WAIT ? EPIPE
							    : ECONNRESET,
			  false);
		return;
	}
	if (f & TCP_SYN) {
		tcp_send_ack(in); /* challenge ACK (RFC 5961 4.2) */
		return;
	}
	if (!(f & TCP_ACK))
		return;
	if (in->state == TCP_SYN_RECV) {
		if (!seq_gt(s->ackn, in->snd_una) || seq_gt(s->ackn, in->snd_nxt)) {
			tcp_send_rst_reply(s);
			return;
		}
		in->snd_una = s->ackn;
		tcp_clean_rtx(in, s->ackn, 0);
		in->snd_wnd = (uint32_t)s->wnd << in->snd_wscale;
		in->max_wnd = in->snd_wnd;
		in->snd_wl1 = s->seq;
		in->snd_wl2 = s->ackn;
		established(in);
		if (in->parent)
			tcp_child_established(in);
		socket_wake(in->sk);
	}
	if (seq_gt(s->ackn, in->snd_nxt)) {
		tcp_send_ack(in); /* acknowledges what we never sent */
		return;
	}
	if (seq_ge(s->ackn, in->snd_una)) {
		bool dup = s->ackn == in->snd_una && !s->dlen && !(f & TCP_FIN) &&
			   ((uint32_t)s->wnd << in->snd_wscale) == in->snd_wnd &&
			   !fw_list_empty(&in->rtxq);

		if (seq_gt(s->ackn, in->snd_una)) {
			in->snd_una = s->ackn;
			tcp_clean_rtx(in, s->ackn, s->opt_ts ? s->tsecr : 0);
			socket_wake(in->sk); /* room to write */
		} else if (dup) {
			tcp_cong_dupack(in);
		}
		update_window(in, s);
		if (in->fin_sent && seq_gt(in->snd_una, in->fin_seq))
			fin_acked(in);
		if (in->state == TCP_CLOSE)
			return;
	}
	if (in->state == TCP_TIME_WAIT) {
		if (f & TCP_FIN) {
			tcp_send_ack(in);
			tcp_arm_timer(in, &in->tw_at, fw_time_ns() + TCP_TIMEWAIT_NS);
		}
		return;
	}
	if (s->dlen || (f & TCP_FIN))
		data_and_fin(in, s);
	if (in->state != TCP_CLOSE)
		tcp_output(in);
}

static void listen_rcv(struct inet_sock *lis, struct skb *s)
{
	struct inet_sock *c;

	if (s->tflags & TCP_RST)
		return;
	if (s->tflags & TCP_ACK) {
		tcp_send_rst_reply(s);
		return;
	}
	if (!(s->tflags & TCP_SYN))
		return;
	/* Linux: a full accept queue drops the SYN (the client tries
	 * again); so does a full SYN queue. */
	if ((int)lis->acceptq_len > lis->backlog ||
	    (int)lis->synq_len > (lis->backlog > 128 ? lis->backlog : 128))
		return;
	c = tcp_child_new(lis, s);
	if (!c)
		return;
	apply_syn_options(c, s);
	c->snd_wnd = s->wnd;
	c->max_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	if (tcp_queue_ctl(c, TCP_SYN)) {
		tcp_abort(c, 0, false);
		return;
	}
	tcp_output(c);
}

void tcp_rcv(struct skb *s)
{
	struct inet_sock *in;

	if (parse(s))
		return;
	if (inet_addr_bcast(s->daddr))
		return;
	fw_spin_lock(&inet_lock);
	in = lookup(s);
	if (!in)
		tcp_send_rst_reply(s);
	else if (in->state == TCP_LISTEN)
		listen_rcv(in, s);
	else
		process(in, s);
	tcp_unlock();
}

void tcp_err_locked(uint32_t saddr, uint32_t daddr, uint16_t sport,
		    uint16_t dport, int err)
{
	struct inet_sock *o;

	FW_LIST_FOR_EACH(o, inet_bucket(&tcp_table, sport), hnode) {
		if (o->lport != sport || o->rport != dport || o->raddr != daddr ||
		    o->laddr != saddr || o->state == TCP_LISTEN)
			continue;
		/* Hard errors end a connection being set up (Linux
		 * tcp_v4_err); later they are only remembered. */
		if (o->state == TCP_SYN_SENT && err == ECONNREFUSED)
			tcp_abort(o, err, false);
		else if (o->state == TCP_SYN_SENT)
			o->err = err;
		socket_wake(o->sk);
		return;
	}
}
