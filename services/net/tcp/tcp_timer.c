/* services/net/tcp/tcp_timer.c: TCP's timers.
 *
 * Layer: services (safe C), net/inet, after Linux tcp_timer.c. One list
 * of timed connections (tcp_timer_list), each with its deadlines, run by
 * the net task (loopback.c): retransmission (RFC 6298 5: the head again,
 * the timeout doubled; a connection gives up with ETIMEDOUT after 6 SYN,
 * 5 SYN|ACK or 15 data retransmissions, or TCP_USER_TIMEOUT), the
 * zero-window probe on the same timer with its backoff (up to 2 s apart,
 * where Linux goes to 120 s: the window update that ends a zero window
 * is a bare ACK, and on a lossy link its loss should cost seconds, not
 * minutes), the delayed ACK,
 * keepalive probes, and the end of TIME_WAIT and of an orphaned
 * FIN_WAIT2. */
#include <fw/time.h>

#include "net/tcp/tcp.h"

struct fw_list tcp_timer_list = FW_LIST_HEAD_INIT(tcp_timer_list);

static void retransmit_timeout(struct inet_sock *in, uint64_t now)
{
	struct skb *s = FW_LIST_FIRST(&in->rtxq, struct skb, snode);
	unsigned limit = TCP_RETRIES2;

	if (!s) {
		/* Zero window: probe with a segment the receiver must
		 * answer (Linux tcp_probe_timer: seq one below). */
		if (!fw_list_empty(&in->wq) && in->state != TCP_CLOSE) {
			/* A closed socket the peer keeps at a zero window
			 * is given up (Linux tcp_probe_timer, orphans). */
			if (in->dead && in->zwp_probes >= limit) {
				tcp_abort(in, ETIMEDOUT, false);
				return;
			}
			in->zwp_probes++;
			tcp_send_probe(in);
			if ((in->rto << (in->backoff + 1)) <= TCP_PERSIST_MAX_NS)
				in->backoff++;
			tcp_rearm_rto(in);
		} else {
			in->rto_at = 0;
		}
		return;
	}
	if (in->state == TCP_SYN_SENT)
		limit = in->syncnt ? (unsigned)in->syncnt : TCP_SYN_RETRIES;
	else if (in->state == TCP_SYN_RECV)
		limit = TCP_SYNACK_RETRIES;
	if (!in->first_rtx_ns)
		in->first_rtx_ns = now;
	if (in->backoff >= limit ||
	    (in->user_timeout_ms &&
	     now - in->first_rtx_ns >= in->user_timeout_ms * FW_NSEC_PER_MSEC)) {
		tcp_abort(in, ETIMEDOUT, false);
		return;
	}
	tcp_cong_timeout(in);
	/* backoff counts every timeout, for the give-up test above;
	 * tcp_rearm_rto stops the interval at TCP_RTO_MAX. */
	in->backoff++;
	tcp_retransmit_head(in);
	tcp_rearm_rto(in);
}

/* The delayed ACK is due (RFC 1122 4.2.3.2: at most 500 ms; 40 ms here,
 * Linux's least). */
static void delack_timeout(struct inet_sock *in)
{
	in->delack_at = 0;
	if (in->state == TCP_ESTABLISHED || in->state == TCP_FIN_WAIT1 ||
	    in->state == TCP_FIN_WAIT2)
		tcp_send_ack(in);
}

static void keepalive_timeout(struct inet_sock *in, uint64_t now)
{
	uint64_t idle = (uint64_t)(in->keepidle ? in->keepidle : TCP_KEEPIDLE_S) *
			FW_NSEC_PER_SEC;
	uint64_t intvl = (uint64_t)(in->keepintvl ? in->keepintvl
						  : TCP_KEEPINTVL_S) * FW_NSEC_PER_SEC;
	int cnt = in->keepcnt ? in->keepcnt : TCP_KEEPCNT_DEF;

	in->keep_at = 0;
	if (!in->keepalive || (in->state != TCP_ESTABLISHED &&
			       in->state != TCP_CLOSE_WAIT &&
			       in->state != TCP_FIN_WAIT2))
		return;
	if (!fw_list_empty(&in->rtxq)) {
		tcp_arm_timer(in, &in->keep_at, now + idle);
		return;
	}
	if (now - in->last_rcv_ns < idle) {
		in->keep_probes = 0;
		tcp_arm_timer(in, &in->keep_at, in->last_rcv_ns + idle);
		return;
	}
	if (in->keep_probes >= (unsigned)cnt) {
		tcp_abort(in, ETIMEDOUT, true);
		return;
	}
	in->keep_probes++;
	tcp_send_probe(in);
	tcp_arm_timer(in, &in->keep_at, now + intvl);
}

uint64_t tcp_timers_run(uint64_t now)
{
	struct inet_sock *in, *tmp;
	uint64_t next = UINT64_MAX;

	fw_spin_lock(&inet_lock);
	FW_LIST_FOR_EACH_SAFE(in, tmp, &tcp_timer_list, timer_node) {
		if (in->tw_at && in->tw_at <= now) {
			in->tw_at = 0;
			if (in->state == TCP_TIME_WAIT || in->state == TCP_FIN_WAIT2) {
				tcp_done(in);
				continue;
			}
		}
		if (in->rto_at && in->rto_at <= now)
			retransmit_timeout(in, now);
		if (in->delack_at && in->delack_at <= now && in->state != TCP_CLOSE)
			delack_timeout(in);
		if (in->keep_at && in->keep_at <= now)
			keepalive_timeout(in, now);
		if (!in->on_timer_list)
			continue; /* done above */
		if (!in->rto_at && !in->tw_at && !in->keep_at && !in->delack_at) {
			fw_list_del(&in->timer_node);
			in->on_timer_list = false;
			continue;
		}
		if (in->rto_at && in->rto_at < next)
			next = in->rto_at;
		if (in->tw_at && in->tw_at < next)
			next = in->tw_at;
		if (in->keep_at && in->keep_at < next)
			next = in->keep_at;
		if (in->delack_at && in->delack_at < next)
			next = in->delack_at;
	}
	tcp_unlock();
	return next;
}
