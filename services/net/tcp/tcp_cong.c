/* services/net/tcp/tcp_cong.c: TCP congestion control, NewReno.
 *
 * Layer: services (safe C), net/inet, after RFC 5681 and RFC 6582 (and
 * Linux's tcp_input.c states Open, Recovery and Loss). Slow start from
 * ten segments up to ssthresh, then about one segment per RTT. The third
 * duplicate ACK starts fast recovery, unless the ACK does not pass
 * `recover` (the data that was in flight when the last recovery began:
 * that loss was already handled): ssthresh is half the flight, the head
 * is sent again, and cwnd is ssthresh plus the segments the
 * duplicates say have left the network; each further duplicate inflates
 * it by a segment, so new data keeps the ACK clock going. A partial ACK
 * (new data acknowledged, short of `recover`) means the next segment
 * was lost too: it is sent at once and recovery goes on, the window
 * deflated by what was acknowledged (plus a segment when that was a
 * segment or more). The full ACK ends recovery with cwnd at ssthresh, or
 * at the flight plus one segment if that is less (RFC 6582 3.2 4.1).
 * Before that, the first two duplicates each let one new segment go
 * (limited transmit, RFC 3042), and with fewer than four segments in
 * flight fewer duplicates suffice (early retransmit, RFC 5827).
 * A retransmission timeout drops cwnd to one segment (Loss); every ACK
 * short of what was in flight then sends the next missing segment, in
 * slow start, instead of waiting for a timeout per lost segment. With
 * timestamps, an ACK that answers the first send of what was sent again
 * undoes all this (undo_spurious). */
#include "net/tcp/tcp.h"

#define CWND_MAX 0x3fffffffu

static uint32_t flight(const struct inet_sock *in)
{
	return in->snd_nxt - in->snd_una;
}

/* RFC 5681 (4): half the flight, at least two segments. */
static void halve(struct inet_sock *in)
{
	in->ssthresh = flight(in) / 2;
	if (in->ssthresh < 2 * in->mss)
		in->ssthresh = 2 * in->mss;
}

static void grow(struct inet_sock *in, uint32_t acked)
{
	if (in->cwnd < in->ssthresh)
		in->cwnd += acked;
	else
		in->cwnd += (uint32_t)((uint64_t)in->mss * in->mss / in->cwnd) + 1;
	if (in->cwnd > CWND_MAX)
		in->cwnd = CWND_MAX;
}

/* Leaving Open: remember the window to restore should the loss prove
 * not to be one, and when the retransmission went. */
static void enter(struct inet_sock *in, uint8_t state)
{
	if (in->ca_state == TCP_CA_OPEN) {
		in->prior_cwnd = in->cwnd;
		in->prior_ssthresh = in->ssthresh;
	}
	in->retrans_ts = tcp_ts_now(in);
	in->ca_state = state;
}

/* Eifel detection (RFC 3522, Linux tcp_packet_delayed): the ACK echoes
 * a timestamp older than our retransmission, so it answers the first
 * send; nothing was lost (a late ACK, or reordering). Undo (RFC 4015):
 * the window is as before, and nothing more is sent again. Without it a
 * spurious timeout would send the whole flight again, one segment per
 * ACK, and each needless copy would draw a duplicate ACK. */
static bool undo_spurious(struct inet_sock *in, uint32_t tsecr)
{
	if (!in->ts_ok || !tsecr || (int32_t)(tsecr - in->retrans_ts) >= 0)
		return false;
	if (in->cwnd < in->prior_cwnd)
		in->cwnd = in->prior_cwnd;
	if (in->ssthresh < in->prior_ssthresh)
		in->ssthresh = in->prior_ssthresh;
	in->ca_state = TCP_CA_OPEN;
	return true;
}

void tcp_cong_ack(struct inet_sock *in, uint32_t acked, uint32_t tsecr)
{
	bool full = !seq_lt(in->snd_una, in->recover);

	in->dupacks = 0;
	if (in->ca_state != TCP_CA_OPEN && undo_spurious(in, tsecr))
		return;
	switch (in->ca_state) {
	case TCP_CA_RECOVERY:
		if (full) {
			uint32_t f = flight(in) + in->mss;

			in->cwnd = f < in->ssthresh ? f : in->ssthresh;
			in->ca_state = TCP_CA_OPEN;
			return;
		}
		/* Partial ACK: the next hole. */
		in->cwnd = in->cwnd > acked ? in->cwnd - acked : 0;
		if (acked >= in->mss)
			in->cwnd += in->mss;
		if (in->cwnd < in->mss)
			in->cwnd = in->mss;
		tcp_retransmit_head(in);
		return;
	case TCP_CA_LOSS:
		grow(in, acked);
		if (full)
			in->ca_state = TCP_CA_OPEN;
		else
			tcp_retransmit_head(in);
		return;
	default:
		grow(in, acked);
	}
}

/* Duplicate ACKs that start fast retransmit: three, or (early
 * retransmit, RFC 5827 3.1) one less than the segments in flight when
 * fewer than four are and no new one may go (none queued, or the peer's
 * window is full), which could not bring three. */
static unsigned dupthresh(struct inet_sock *in)
{
	struct skb *p;
	unsigned n = 0;

	if (!fw_list_empty(&in->wq) &&
	    seq_lt(in->snd_nxt + in->mss, in->snd_una + in->snd_wnd + 1))
		return 3;
	FW_LIST_FOR_EACH(p, &in->rtxq, snode)
		if (++n >= 4)
			return 3;
	return n > 1 ? n - 1 : 1;
}

uint32_t tcp_cong_window(const struct inet_sock *in)
{
	/* Limited transmit (RFC 3042): each of the first two duplicates
	 * lets a new segment go, to bring more duplicates. */
	if (in->ca_state == TCP_CA_OPEN && in->dupacks && in->dupacks < 3)
		return in->cwnd + in->dupacks * in->mss;
	return in->cwnd;
}

void tcp_cong_dupack(struct inet_sock *in)
{
	if (in->ca_state == TCP_CA_RECOVERY) {
		if (in->cwnd < CWND_MAX)
			in->cwnd += in->mss; /* one more left the network */
		return;
	}
	if (in->ca_state != TCP_CA_OPEN || ++in->dupacks > 3 ||
	    (in->dupacks < 3 && in->dupacks != dupthresh(in)))
		return;
	if (!seq_gt(in->snd_una, in->recover))
		return; /* RFC 6582 3.2 1: that window's loss is handled */
	in->recover = in->snd_nxt;
	enter(in, TCP_CA_RECOVERY);
	halve(in);
	in->cwnd = in->ssthresh + in->dupacks * in->mss;
	tcp_retransmit_head(in);
}

void tcp_cong_timeout(struct inet_sock *in)
{
	/* RFC 5681 3.1: ssthresh from the first timeout of a loss only
	 * (later ones see a flight of one segment). */
	if (in->ca_state != TCP_CA_LOSS || in->backoff == 0)
		halve(in);
	enter(in, TCP_CA_LOSS);
	in->cwnd = in->mss;
	in->dupacks = 0;
	in->recover = in->snd_nxt; /* RFC 6582 3.2 after a timeout */
}
