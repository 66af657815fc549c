/* services/net/tcp/tcp.h: TCP's internal interface between its files.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/tcp*.c.
 * tcp_sock.c: the socket calls (connect, listen, accept, shutdown, close,
 * poll); tcp_data.c: send and receive; tcp_in.c: segment arrival, the
 * state machine of RFC 9293 3.10.7, delayed ACKs, timestamps and PAWS;
 * tcp_out.c: building and sending segments, the send window, Nagle, the
 * RTT (RFC 6298); tcp_cong.c: congestion control (NewReno); tcp_timer.c:
 * the timers (retransmission, delayed ACK, keepalive, TIME_WAIT);
 * tcp_opt.c: the SOL_TCP options and TCP_INFO.
 * Everything here runs with inet_lock held unless it says otherwise. */
#ifndef SERVICES_NET_INET_TCP_H
#define SERVICES_NET_INET_TCP_H

#include "net/inet/inet.h"

#define TCP_MSS_DEFAULT 536u		/* RFC 9293: when the peer says none */
#define TCP_SEG_MAX (65536u - SKB_HEADROOM) /* payload per packet */
#define TCP_RTO_INIT_NS (1000ull * FW_NSEC_PER_MSEC)
#define TCP_RTO_MIN_NS (200ull * FW_NSEC_PER_MSEC)
#define TCP_RTO_MAX_NS (120ull * FW_NSEC_PER_SEC)
#define TCP_PERSIST_MAX_NS (2ull * FW_NSEC_PER_SEC) /* zero-window probes */
#define TCP_TIMEWAIT_NS (2ull * FW_NSEC_PER_SEC) /* Linux: 60 s */
#define TCP_FIN_TIMEOUT_NS (60ull * FW_NSEC_PER_SEC)
#define TCP_RETRIES2 15			/* data retransmissions */
#define TCP_SYN_RETRIES 6
#define TCP_SYNACK_RETRIES 5
#define TCP_KEEPIDLE_S 7200
#define TCP_KEEPINTVL_S 75
#define TCP_KEEPCNT_DEF 9
#define TCP_RCV_WSCALE 7
#define TCP_SOMAXCONN 4096
#define TCP_MAX_OOO 256u		/* out-of-order segments kept */
#define TCP_DELACK_NS (40ull * FW_NSEC_PER_MSEC) /* Linux TCP_DELACK_MIN */
#define TCP_MAX_QUICKACKS 16u		/* ACKed at once at the start */
#define TCP_TS_LEN 12u			/* NOP, NOP, kind 8, length 10 */
#define TCP_PAWS_IDLE_NS (24ull * 86400 * FW_NSEC_PER_SEC) /* RFC 7323 5.5 */

/* Congestion states (Linux's names and numbers, tcpi_ca_state). */
enum { TCP_CA_OPEN = 0, TCP_CA_RECOVERY = 3, TCP_CA_LOSS = 4 };

/* tcp_out.c */
/* Send what the window, Nagle and the queue allow. */
void tcp_output(struct inet_sock *in);
/* A segment with no data (ACK, window update). */
void tcp_send_ack(struct inet_sock *in);
/* A probe the peer must answer (zero window, keepalive): an ACK with
 * the sequence number one below snd_una (Linux tcp_xmit_probe_skb). */
void tcp_send_probe(struct inet_sock *in);
/* Owe an ACK, sent at the end of the current batch of packets. */
void tcp_ack_later(struct inet_sock *in);
void tcp_send_rst_sock(struct inet_sock *in);
/* Answer a segment no connection wants (RFC 9293 "reset generation"). */
void tcp_send_rst_reply(struct skb *s);
/* Queue a control segment (SYN, SYN|ACK as SYN, FIN) that takes a
 * sequence number. 0 or -ENOMEM. */
FW_MUST_CHECK int tcp_queue_ctl(struct inet_sock *in, uint8_t flags);
/* Queue data: the packet's payload is at SKB_HEADROOM. */
void tcp_queue_data(struct inet_sock *in, struct skb *s, uint32_t len);
/* An acknowledgment arrived: drop what it covers, sample the RTT
 * (tsecr: the echoed timestamp, 0 if none), tell congestion control. */
void tcp_clean_rtx(struct inet_sock *in, uint32_t ack, uint32_t tsecr);
/* Send the head of the retransmission queue again. */
void tcp_retransmit_head(struct inet_sock *in);
/* Our timestamp clock (RFC 7323): milliseconds, offset per connection. */
uint32_t tcp_ts_now(const struct inet_sock *in);
/* (Re)arm or stop the retransmission timer as the queues say. */
void tcp_rearm_rto(struct inet_sock *in);
void tcp_arm_timer(struct inet_sock *in, uint64_t *slot, uint64_t at);
/* The window we can advertise now, in bytes (before scaling). */
uint32_t tcp_rcv_space(struct inet_sock *in);
/* The MSS we announce for a route's device. */
uint32_t tcp_adv_mss(struct netdev *d);

/* tcp_cong.c: NewReno (RFC 5681, RFC 6582). */
/* acked new bytes were acknowledged (snd_una already moved); tsecr the
 * timestamp the ACK echoed (0: none). */
void tcp_cong_ack(struct inet_sock *in, uint32_t acked, uint32_t tsecr);
void tcp_cong_dupack(struct inet_sock *in);
/* The congestion window the sender may fill now. */
uint32_t tcp_cong_window(const struct inet_sock *in);
/* The retransmission timer fired (before the head is sent again). */
void tcp_cong_timeout(struct inet_sock *in);

/* tcp_data.c: the sendmsg and recvmsg entries of tcp_ops. */
long tcp_sendmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		 bool nonblock);
long tcp_recvmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		 bool nonblock);

/* tcp_sock.c / tcp_in.c */
void tcp_set_state(struct inet_sock *in, enum tcp_state st);
/* Into CLOSE: unhashed, timers off, the protocol's reference dropped
 * (later: see tcp_unlock). */
void tcp_done(struct inet_sock *in);
/* Abort with err (positive; 0: none) and a RST if synchronised. */
void tcp_abort(struct inet_sock *in, int err, bool rst);
/* Drop inet_lock, then the references tcp_done queued. */
void tcp_unlock(void);
struct inet_sock *tcp_child_new(struct inet_sock *lis, struct skb *syn);
void tcp_child_established(struct inet_sock *child);

extern struct fw_list tcp_timer_list;

#endif
