/* services/net/inet/tcp.h: TCP's internal interface between its files.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/tcp*.c.
 * tcp_sock.c: the socket calls (connect, listen, accept, send, receive,
 * shutdown, close, poll, options); tcp_in.c: segment arrival, the state
 * machine of RFC 9293 3.10.7; tcp_out.c: building and sending segments,
 * the send window, Nagle, retransmission (RFC 6298) and the timers.
 * Everything here runs with inet_lock held unless it says otherwise. */
#ifndef SERVICES_NET_INET_TCP_H
#define SERVICES_NET_INET_TCP_H

#include "net/inet/inet.h"

#define TCP_MSS_DEFAULT 536u		/* RFC 9293: when the peer says none */
#define TCP_SEG_MAX (65536u - SKB_HEADROOM) /* payload per packet */
#define TCP_RTO_INIT_NS (1000ull * FW_NSEC_PER_MSEC)
#define TCP_RTO_MIN_NS (200ull * FW_NSEC_PER_MSEC)
#define TCP_RTO_MAX_NS (120ull * FW_NSEC_PER_SEC)
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
#define TCP_MAX_OOO 64u			/* out-of-order segments kept */

/* tcp_out.c */
/* Send what the window, Nagle and the queue allow. */
void tcp_output(struct inet_sock *in);
/* A segment with no data (ACK, window update, probe). */
void tcp_send_ack(struct inet_sock *in);
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
/* An acknowledgment arrived: drop what it covers, sample the RTT. */
void tcp_clean_rtx(struct inet_sock *in, uint32_t ack);
/* (Re)arm or stop the retransmission timer as the queues say. */
void tcp_rearm_rto(struct inet_sock *in);
void tcp_arm_timer(struct inet_sock *in, uint64_t *slot, uint64_t at);
/* The window we can advertise now, in bytes (before scaling). */
uint32_t tcp_rcv_space(struct inet_sock *in);
/* The MSS we announce for a route's device. */
uint32_t tcp_adv_mss(struct netdev *d);

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
