/* services/net/tcp/tcp_opt.c: TCP's socket options (SOL_TCP).
 *
 * Layer: services (safe C), net/inet, after Linux tcp.c
 * (do_tcp_setsockopt, do_tcp_getsockopt, tcp_get_info). TCP_INFO gives
 * the first part of Linux's struct tcp_info, up to tcpi_total_retrans
 * (104 bytes; a longer buffer is told that length, as Linux does for
 * fields it does not know): state, congestion state, options agreed,
 * MSS both ways, RTO and RTT, cwnd and ssthresh in segments, and the
 * retransmission counters. TCP_CORK, TCP_DEFER_ACCEPT and
 * TCP_WINDOW_CLAMP are accepted without effect. */
#include <fw/time.h>

#include "net/tcp/tcp.h"

#define TCPI_OPT_TIMESTAMPS 1u
#define TCPI_OPT_WSCALE 4u

/* struct tcp_info (linux/tcp.h), its fields up to tcpi_total_retrans. */
struct linux_tcp_info {
	uint8_t state, ca_state, retransmits, probes, backoff, options;
	uint8_t wscale;			/* snd 4 bits, rcv 4 bits */
	uint8_t flags;
	uint32_t rto, ato, snd_mss, rcv_mss;
	uint32_t unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd,
		 advmss, reordering;
	uint32_t rcv_rtt, rcv_space;
	uint32_t total_retrans;
};

static uint32_t segs(uint32_t bytes, uint32_t mss)
{
	return mss ? bytes / mss : 0;
}

static int tcp_info(struct inet_sock *in, fw_uptr_t val, fw_uptr_t ulen)
{
	struct linux_tcp_info ti = { 0 };
	struct fw_bytes out = FW_BYTES_OF_OBJ(&ti), part;
	int32_t len;
	struct skb *p;

	if (FW_COPY_IN_OBJ(&len, ulen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	fw_spin_lock(&inet_lock);
	ti.state = (uint8_t)(in->state == TCP_NONE ? TCP_CLOSE : in->state);
	ti.ca_state = in->ca_state;
	ti.retransmits = (uint8_t)in->backoff;
	ti.probes = (uint8_t)in->keep_probes;
	ti.backoff = (uint8_t)in->backoff;
	if (in->ts_ok)
		ti.options |= TCPI_OPT_TIMESTAMPS;
	if (in->wscale_ok) {
		ti.options |= TCPI_OPT_WSCALE;
		ti.wscale = (uint8_t)((in->snd_wscale & 15) | (in->rcv_wscale << 4));
	}
	ti.rto = (uint32_t)(in->rto / 1000);
	ti.ato = (uint32_t)(TCP_DELACK_NS / 1000);
	ti.snd_mss = in->mss;
	ti.rcv_mss = in->rcv_mss;
	FW_LIST_FOR_EACH(p, &in->rtxq, snode) {
		ti.unacked++;
		if (p->xmits > 1)
			ti.retrans++;
	}
	ti.pmtu = in->mss + IP_HLEN + TCP_HLEN + (in->ts_ok ? TCP_TS_LEN : 0);
	ti.rtt = (uint32_t)(in->srtt / 1000);
	ti.rttvar = (uint32_t)(in->rttvar / 1000);
	ti.snd_ssthresh = in->ssthresh >= 0x7fffffffu ? 0x7fffffffu
						      : segs(in->ssthresh, in->mss);
	ti.snd_cwnd = segs(in->cwnd, in->mss);
	ti.advmss = in->mss;
	ti.reordering = 3;
	ti.rcv_space = tcp_rcv_space(in);
	ti.total_retrans = in->total_retrans;
	fw_spin_unlock(&inet_lock);
	if ((size_t)len > fw_bytes_len(out))
		len = (int32_t)fw_bytes_len(out);
	if (len && (fw_bytes_sub(out, 0, (size_t)len, &part) ||
		    fw_copy_out(val, part)))
		return -EFAULT;
	return FW_COPY_OUT_OBJ(ulen, &len) ? -EFAULT : 0;
}

int tcp_setsockopt(struct socket *s, int name, fw_uptr_t val, uint32_t len)
{
	struct inet_sock *in = inet_of(s);
	int32_t v;
	int err = 0;

	if (len < sizeof(v))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&v, val))
		return -EFAULT;
	fw_spin_lock(&inet_lock);
	switch (name) {
	case TCP_NODELAY:
		in->nodelay = v != 0;
		if (in->nodelay)
			tcp_output(in);
		break;
	case TCP_MAXSEG:
		if (v && (v < 88 || v > 65535 - 40))
			err = -EINVAL; /* Linux: TCP_MIN_MSS .. MAX_TCP_WINDOW */
		else
			in->user_mss = (uint32_t)v;
		break;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767) {
			err = -EINVAL;
			break;
		}
		if (name == TCP_KEEPIDLE)
			in->keepidle = v;
		else
			in->keepintvl = v;
		break;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			err = -EINVAL;
		else
			in->keepcnt = v;
		break;
	case TCP_SYNCNT:
		if (v < 1 || v > 127)
			err = -EINVAL;
		else
			in->syncnt = v;
		break;
	case TCP_LINGER2:
		in->linger2 = v;
		break;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			err = -EINVAL;
		else
			in->user_timeout_ms = (uint32_t)v;
		break;
	case TCP_QUICKACK:
		in->quickack = v != 0;
		break;
	case TCP_CORK:
	case TCP_DEFER_ACCEPT:
	case TCP_WINDOW_CLAMP:
		break; /* accepted, no effect */
	default:
		err = -ENOPROTOOPT;
	}
	tcp_unlock();
	inet_softirq();
	return err;
}

int tcp_getsockopt(struct socket *s, int name, fw_uptr_t val, fw_uptr_t ulen)
{
	struct inet_sock *in = inet_of(s);
	int32_t v;

	switch (name) {
	case TCP_NODELAY: v = in->nodelay; break;
	case TCP_MAXSEG:
		if (in->state == TCP_CLOSE || in->state == TCP_LISTEN)
			v = in->user_mss ? (int32_t)in->user_mss : (int32_t)TCP_MSS_DEFAULT;
		else
			v = (int32_t)in->mss;
		break;
	case TCP_KEEPIDLE: v = in->keepidle ? in->keepidle : TCP_KEEPIDLE_S; break;
	case TCP_KEEPINTVL: v = in->keepintvl ? in->keepintvl : TCP_KEEPINTVL_S; break;
	case TCP_KEEPCNT: v = in->keepcnt ? in->keepcnt : TCP_KEEPCNT_DEF; break;
	case TCP_SYNCNT: v = in->syncnt ? in->syncnt : TCP_SYN_RETRIES; break;
	case TCP_LINGER2: v = in->linger2 ? in->linger2 : 60; break;
	case TCP_USER_TIMEOUT: v = (int32_t)in->user_timeout_ms; break;
	case TCP_QUICKACK: v = 1; break;
	case TCP_CORK: v = 0; break;
	case TCP_INFO:
		return tcp_info(in, val, ulen);
	default:
		return -ENOPROTOOPT;
	}
	return inet_put_int(v, val, ulen);
}

