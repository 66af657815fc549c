/* services/net/inet/inet.h: IPv4, UDP, TCP and ICMP, the family's
 * private state.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4. Folder
 * services/net/inet: skb.c (packet buffers), csum.c (checksum, pure),
 * loopback.c (the "lo" device and the net task that drains its queue and
 * runs the TCP timers), ipv4.c (parse, output, fragmenting,
 * demultiplex), ipfrag.c (reassembly), route.c (the
 * route table, SIOCADDRT/SIOCDELRT), icmp.c, inet_sock.c (AF_INET sockets:
 * creation, ports, addresses, options), udp.c, tcp_*.c, inet_proc.c
 * (/proc/net/tcp, udp, raw).
 *
 * Addresses and ports are kept in host order (0x7f000001 is 127.0.0.1)
 * and converted where they meet user space (sockaddr_in) and netdev.h
 * (which keeps network order).
 *
 * Locking: one spinlock, inet_lock, guards every AF_INET socket's
 * protocol state, the port tables, the route table and the loopback
 * queue's consumers. It is never held while copying from or to user
 * memory (a copy may fault and sleep) nor while sleeping; user-side
 * callers serialise per socket on the sleeping mutexes rlock/wlock first
 * (released while they wait, as Linux's lock_sock). Packets are received
 * in task context only (the net task, or a sender draining the loopback
 * queue at the end of its system call): never in an interrupt handler. */
#ifndef SERVICES_NET_INET_INET_H
#define SERVICES_NET_INET_INET_H

#include <fw/heap.h>
#include <fw/sync.h>

#include "net/inet/csum.h"
#include "net/netdev.h"
#include "net/socket.h"

extern struct fw_spinlock inet_lock;

/* Protocols (IPPROTO_*) and options (linux/in.h, linux/tcp.h). */
#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_RAW 255
#define SOL_IP 0
#define SOL_TCP 6
#define SOL_UDP 17
#define IP_TOS 1
#define IP_TTL 2
#define IP_HDRINCL 3
#define IP_OPTIONS 4
#define IP_PKTINFO 8
#define IP_RECVERR 11
#define IP_RECVTTL 12
#define IP_RECVTOS 13
#define IP_MTU_DISCOVER 10
#define IP_MTU 14
#define IP_MULTICAST_TTL 33
#define IP_MULTICAST_LOOP 34
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_SYNCNT 7
#define TCP_LINGER2 8
#define TCP_DEFER_ACCEPT 9
#define TCP_WINDOW_CLAMP 10
#define TCP_INFO 11
#define TCP_QUICKACK 12
#define TCP_USER_TIMEOUT 18

#define INADDR_ANY 0u
#define INADDR_BROADCAST 0xffffffffu
#define INADDR_LOOPBACK 0x7f000001u
#define SOCKADDR_IN_LEN 16u

/* ip_local_port_range, Linux's default. */
#define INET_EPHEM_LO 32768u
#define INET_EPHEM_HI 60999u

#define IP_HLEN 20u
#define UDP_HLEN 8u
#define TCP_HLEN 20u
#define ICMP_HLEN 8u
/* Room kept before a locally built payload for the IP and TCP headers
 * (with options): 20 + 60 rounded up. */
#define SKB_HEADROOM 96u
#define IP_DEFAULT_TTL 64

/* One packet (Linux sk_buff). Reference-counted: a TCP segment is held
 * by its sender's retransmission queue and, once sent over the loopback
 * device, by the receiver's queue at the same time (one copy of the data
 * serves both, as Linux's skb_clone); the sender writes the header bytes
 * only while it holds the sole reference. Fields under inet_lock once the
 * packet is shared. */
struct skb {
	_Atomic int refs;
	struct fw_list node;	/* loopback queue, then a socket's receive or
				 * reassembly queue */
	struct fw_list snode;	/* TCP: the sender's write/retransmit queue */
	struct fw_buf buf;	/* the whole allocation */
	uint32_t head, len;	/* the IP packet: buf[head, head + len) */
	struct netdev *dev;	/* received on */
	/* Receive side, from the parser. */
	uint32_t saddr, daddr;	/* host order */
	uint8_t proto, ttl, tos;
	uint16_t ipid;		/* identification */
	uint16_t ipfrag;	/* flags and fragment offset, as sent */
	uint32_t foff;		/* a held fragment: its payload's offset */
	bool csum_ok;		/* came over lo: nothing to verify (Linux
				 * CHECKSUM_UNNECESSARY) */
	uint32_t l4, l4len;	/* the transport header and all that follows */
	uint32_t data, dlen;	/* the payload */
	uint16_t sport, dport;
	uint32_t seq, ackn;	/* TCP */
	uint32_t wnd;
	uint8_t tflags;
	uint16_t opt_mss;	/* 0: none */
	int8_t opt_wscale;	/* -1: none */
	bool opt_ts;		/* a timestamp option (RFC 7323) */
	uint32_t tsval, tsecr;
	uint32_t rd;		/* payload bytes already read */
	/* Send side (TCP: the sender's view of the segment). */
	uint32_t sseq;		/* first sequence number */
	uint32_t soff;		/* payload offset in buf */
	uint32_t slen;		/* payload bytes */
	uint8_t sflags;		/* TCP_SYN / TCP_FIN it carries */
	unsigned xmits;		/* times sent */
	uint64_t sent_ns;	/* last sent */
};

/* A new packet of size bytes (zeroed), one reference; NULL. */
struct skb *skb_alloc(size_t size);
/* A packet of headroom + n bytes whose headroom is zeroed and whose last
 * n bytes are not: for a sender that fills all n (from user memory)
 * before the packet goes anywhere, or drops it. Clearing 64 KiB of
 * payload first was an eighth of a loopback TCP stream's work. */
struct skb *skb_alloc_data(size_t headroom, size_t n);
void skb_get(struct skb *s);
void skb_put(struct skb *s);
/* The bytes buf[off, off + len): must lie inside (checked). */
struct fw_bytes skb_bytes(const struct skb *s, uint32_t off, uint32_t len);
struct fw_buf skb_buf(const struct skb *s, uint32_t off, uint32_t len);
/* Drop every packet on a list linked by node. */
void skb_list_purge(struct fw_list *l);

/* Routing (route.c). */
struct route {
	struct netdev *dev;
	uint32_t next_hop;	/* host order */
	uint32_t src;		/* preferred source, host order */
	bool local;		/* to this host: over lo */
	bool bcast;		/* a broadcast address */
};
/* Where a packet to daddr goes. -ENETUNREACH. inet_lock not needed. */
FW_MUST_CHECK int route_lookup(uint32_t daddr, struct route *out);
/* Is addr one of ours (an interface's address or 127/8)? */
bool inet_addr_local(uint32_t addr);
bool inet_addr_bcast(uint32_t addr);
long route_ioctl(unsigned cmd, uint64_t arg);
/* Add a default route through gw (host order) on dev, as `route add
 * default gw` would (ip= at boot): 0, -EEXIST, -ENOBUFS. */
FW_MUST_CHECK int route_add_default(uint32_t gw, struct netdev *dev);

/* A route of the main table as netlink shows and edits it: the subnets
 * of the interfaces' addresses and the routes added (host order). */
#define RTPROT_KERNEL 2
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
struct route_info {
	uint32_t dst, mask;
	uint32_t gw;			/* 0: on the link */
	uint32_t prefsrc;		/* 0: none */
	struct netdev *dev;
	int metric;			/* RTA_PRIORITY */
	uint8_t protocol;		/* RTPROT_KERNEL for a subnet, ... */
	uint8_t scope;			/* RT_SCOPE_UNIVERSE or _LINK */
};
#define ROUTE_SNAPSHOT_MAX 80
struct route_snapshot {
	struct route_info r[ROUTE_SNAPSHOT_MAX];
};
/* Copy the main table into out (subnets first); how many. */
unsigned route_snapshot(struct route_snapshot *out);
/* Add r (the caller checked CAP_NET_ADMIN). A route with the same
 * destination, mask and metric is -EEXIST with ROUTE_EXCL or when it
 * is the same route, replaced with ROUTE_REPLACE; without ROUTE_CREATE
 * only a replacement is allowed (-ENOENT). A gateway must be on a link
 * (of r->dev, if set): -ENETUNREACH; no device: -ENODEV; a mask that is
 * not a prefix or a destination with host bits: -EINVAL; -ENOBUFS. */
#define ROUTE_CREATE 0x1u
#define ROUTE_EXCL 0x2u
#define ROUTE_REPLACE 0x4u
FW_MUST_CHECK int route_add(const struct route_info *r, unsigned how);
/* Delete the first added route with r's destination and mask that also
 * matches r in the fields match names; -ESRCH. */
#define ROUTE_MATCH_GW 0x1u
#define ROUTE_MATCH_DEV 0x2u
#define ROUTE_MATCH_METRIC 0x4u
#define ROUTE_MATCH_PROTOCOL 0x8u
#define ROUTE_MATCH_SCOPE 0x10u
FW_MUST_CHECK int route_del(const struct route_info *r, unsigned match);
/* /proc/net/route, in Linux's format. */
struct procfs_seq;
void route_proc(struct procfs_seq *s);

/* IPv4 (ipv4.c). */
/* Prepend the IP header to the transport packet buf[head, head + len)
 * (head must leave IP_HLEN bytes of room) and send it along rt, as a
 * socket with IP_MTU_DISCOVER pmtudisc would (IP_PMTUDISC_*): over the
 * route's MTU it is sent in fragments, or refused with -EMSGSIZE when
 * pmtudisc forbids that (DO, PROBE, INTERFACE), as is anything over
 * 65535 bytes. The caller keeps its reference. 0, -EMSGSIZE, -ENOBUFS,
 * -ENETDOWN... ip_output is the IP_PMTUDISC_WANT default. */
#define IP_PMTUDISC_DONT 0
#define IP_PMTUDISC_WANT 1
#define IP_PMTUDISC_DO 2
#define IP_PMTUDISC_PROBE 3
#define IP_PMTUDISC_INTERFACE 4
#define IP_PMTUDISC_OMIT 5
FW_MUST_CHECK int ip_output_pmtu(struct skb *s, const struct route *rt,
				 uint32_t saddr, uint32_t daddr, uint8_t proto,
				 uint8_t ttl, uint8_t tos, int pmtudisc);
FW_MUST_CHECK int ip_output(struct skb *s, const struct route *rt,
			    uint32_t saddr, uint32_t daddr, uint8_t proto,
			    uint8_t ttl, uint8_t tos);
/* Send the whole IP packet buf[head, head + len), header included, along
 * rt (raw sockets with IP_HDRINCL). 0, -ENOBUFS, -ENETDOWN. */
FW_MUST_CHECK int ip_xmit(struct skb *s, const struct route *rt);
/* Process one received IP packet in s (already in buf[head, len)). Takes
 * over the caller's reference. */
void ip_rcv_skb(struct skb *s);
struct ip_stats {
	_Atomic uint64_t in_receives, in_hdr_errors, in_addr_errors,
		in_delivers, in_unknown_protos, out_requests, out_no_routes;
	/* RFC 2011 ipReasm* and ipFrag* */
	_Atomic uint64_t reasm_reqds, reasm_oks, reasm_fails, reasm_timeouts,
		reasm_overlaps, frag_oks, frag_fails, frag_creates;
};
extern struct ip_stats ip_stats;

/* Fragment reassembly (ipfrag.c). */
/* Queue the fragment s (parsed, for this host; takes over the caller's
 * reference): the whole datagram when s completed it (one reference,
 * header rebuilt, not yet parsed), else NULL. */
struct skb *ip_defrag(struct skb *s);
/* Free the queues that timed out by now; the next deadline (UINT64_MAX:
 * none). */
uint64_t ipfrag_expire(uint64_t now);

/* The loopback device (loopback.c). */
extern struct netdev loopback_dev;
/* Queue a packet (the queue takes a reference): 0 or -ENOBUFS. */
int loopback_xmit_skb(struct skb *s);
/* Process queued packets now, unless another CPU is already doing it
 * (call without locks, at the end of a system call). */
void inet_softirq(void);
/* Wake the net task to run the timers soonest at deadline_ns. */
void inet_timer_kick(uint64_t deadline_ns);
void loopback_init(void);

/* ICMP (icmp.c). */
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PORT_UNREACH 3
#define ICMP_PROT_UNREACH 2
void icmp_rcv(struct skb *s);
/* Answer the packet s (IP header at head) with an ICMP error. */
void icmp_send_error(struct skb *s, uint8_t type, uint8_t code);
void icmp_send_unreach(struct skb *s, uint8_t code);
FW_MUST_CHECK int icmp_create(int type, struct socket **out);
/* raw.c: SOCK_RAW/IPPROTO_RAW: sends header-included packets. */
FW_MUST_CHECK int raw_create(struct socket **out);
/* Every IPPROTO_RAW socket (all_node; inet_lock). */
extern struct fw_list raw_all;

/* /proc/net/tcp, tcp6, udp, udp6 and raw in Linux's formats
 * (inet_proc.c). */
void tcp_proc(struct procfs_seq *s);
void tcp6_proc(struct procfs_seq *s);
void udp_proc(struct procfs_seq *s);
void udp6_proc(struct procfs_seq *s);
void raw_proc(struct procfs_seq *s);

/* AF_INET sockets (inet_sock.c). */
enum tcp_state {			/* Linux's numbers (/proc/net/tcp) */
	TCP_NONE = 0,
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
};

/* TCP header flags. */
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u

struct inet_sock {
	struct socket *sk;
	int proto;			/* IPPROTO_UDP/TCP/ICMP */
	uint32_t laddr;			/* bound (or chosen) local address */
	uint32_t raddr;			/* peer, when connected */
	uint16_t lport, rport;
	bool hashed;			/* on its protocol's port table */
	bool autobound;			/* port picked by the kernel */
	bool addr_bound;		/* bind(2) gave a specific address */
	struct fw_list hnode;		/* on the port table */
	struct fw_list all_node;	/* on the protocol's list */
	unsigned shutdown;		/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;			/* pending error, positive (SO_ERROR) */
	bool dead;			/* file released */
	/* IP options */
	uint8_t ttl, tos;
	bool pktinfo, recvttl, recvtos, recverr, hdrincl;
	uint8_t pmtudisc;		/* IP_MTU_DISCOVER, IP_PMTUDISC_* */
	/* Waiting: user-side callers of one socket, one at a time each
	 * way (the lock is dropped while they sleep). */
	struct fw_mutex rlock, wlock;
	/* Datagrams (UDP, ICMP) and TCP's in-order data: struct skb.node. */
	struct fw_list rcvq;
	size_t rcvq_bytes;		/* payload bytes (TCP: unread) */
	size_t rcvq_mem;		/* charged against SO_RCVBUF */
	bool connected;			/* UDP: a default peer */
	uint64_t drops;
	uint16_t icmp_id;		/* ping sockets: the echo identifier */
	/* TCP (tcp*.c). */
	enum tcp_state state;
	struct socket *parent;		/* embryo or unaccepted child: the
					 * listener (not referenced) */
	struct fw_list synq;		/* listener: children in SYN_RECV */
	struct fw_list acceptq;		/* listener: established children */
	struct fw_list child_node;	/* child: on the parent's queue */
	unsigned synq_len, acceptq_len;
	int backlog;
	bool in_acceptq;
	uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2, max_wnd;
	uint32_t write_seq;		/* sequence number of the next byte queued */
	uint32_t snd_sml;		/* end of the last short segment sent */
	uint32_t irs, rcv_nxt, rcv_adv;	/* rcv_adv: right edge advertised */
	bool connecting;		/* connect(2) under way (SS_CONNECTING) */
	bool was_conn;			/* reached ESTABLISHED once */
	uint64_t first_rtx_ns;		/* when the head was first retransmitted */
	struct fw_list reap_node;	/* on the list of references to drop */
	uint8_t snd_wscale, rcv_wscale;
	bool wscale_ok;
	uint32_t mss;			/* what we send in */
	uint32_t user_mss;		/* TCP_MAXSEG, 0: none */
	uint32_t cwnd, ssthresh;
	unsigned dupacks;
	uint8_t ca_state;		/* TCP_CA_* (tcp_cong.c) */
	uint32_t recover;		/* RFC 6582: snd_nxt when recovery began */
	uint32_t prior_cwnd, prior_ssthresh, retrans_ts; /* for an undo */
	uint32_t total_retrans;		/* segments sent again (TCP_INFO) */
	struct fw_list wq;		/* queued, unsent: struct skb.snode */
	struct fw_list rtxq;		/* sent, unacknowledged */
	size_t wq_bytes;		/* payload bytes queued and unacked */
	struct fw_list oooq;		/* out-of-order segments (skb.node) */
	bool fin_queued;		/* shutdown(SHUT_WR) or close: FIN to go */
	bool fin_sent;
	uint32_t fin_seq;		/* the FIN's sequence number */
	bool fin_rcvd;
	bool ack_pending;		/* an ACK is owed (sent at batch end) */
	struct fw_list ack_node;	/* on the owed-ACK list */
	/* Delayed ACK (tcp_in.c): what we acknowledged last, the largest
	 * segment seen, the quick ACKs left, readers asleep in recv. */
	uint32_t last_ack_sent, rcv_mss;
	unsigned quick_acks, rcv_waiting;
	uint64_t delack_at;		/* the delayed-ACK deadline, 0: off */
	/* Timestamps (RFC 7323): agreed on, the value to echo (and when
	 * it was taken, for PAWS), our clock's offset. */
	bool ts_ok;
	uint32_t ts_recent, ts_offset;
	uint64_t ts_recent_ns;
	/* RTT and the retransmission timer (RFC 6298), nanoseconds. */
	uint64_t srtt, rttvar, rto;
	bool rtt_valid;
	unsigned backoff;		/* consecutive timeouts */
	uint64_t rto_at;		/* deadline, 0: off */
	uint64_t tw_at;			/* TIME_WAIT / FIN_WAIT2 end */
	uint64_t keep_at;		/* next keepalive probe */
	unsigned keep_probes;
	unsigned zwp_probes;	/* zero-window probes since data was last acknowledged */
	uint64_t last_rcv_ns;
	bool nodelay, keepalive, quickack;
	int keepidle, keepintvl, keepcnt, syncnt, linger2;
	uint32_t user_timeout_ms;
	bool syn_retrans;		/* SYN was sent again: no RTT sample */
	bool proto_ref;			/* we hold a reference for the protocol */
	struct fw_list timer_node;	/* on tcp_timer_list while timed */
	bool on_timer_list;
};

static inline struct inet_sock *inet_of(struct socket *s)
{
	return s->in;
}

/* Port tables: per protocol, hashed by local port. */
#define INET_HASH 256u
struct inet_table {
	struct fw_list h[INET_HASH];
	struct fw_list all;		/* every socket of the protocol */
	uint32_t next_ephem;
	int proto;
};
extern struct inet_table udp_table, tcp_table, icmp_table;

/* A new AF_INET socket with its common inet state (one reference, no
 * file yet), or NULL. */
struct socket *inet_socket_new(int type, int proto, const struct sock_ops *ops);
void inet_sock_free(struct inet_sock *in);
/* sockaddr_in from user bytes: -EINVAL (short), -EAFNOSUPPORT (family),
 * allow_unspec lets AF_UNSPEC through (*unspec set). */
FW_MUST_CHECK int inet_addr_parse(const struct sock_addr *a, uint32_t *addr,
				  uint16_t *port, bool allow_unspec,
				  bool *unspec);
void inet_addr_make(struct sock_addr *a, uint32_t addr, uint16_t port);
/* Bind in to (addr, port); port 0 picks an ephemeral one (inet_lock
 * held). -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL (already bound). */
FW_MUST_CHECK int inet_bind_locked(struct inet_table *t, struct inet_sock *in,
				   uint32_t addr, uint16_t port);
FW_MUST_CHECK int inet_bind(struct socket *s, const struct sock_addr *a);
void inet_unhash_locked(struct inet_table *t, struct inet_sock *in);
void inet_hash_locked(struct inet_table *t, struct inet_sock *in);
struct fw_list *inet_bucket(struct inet_table *t, uint16_t port);
int inet_getname(struct socket *s, bool peer, struct sock_addr *out);
int inet_setsockopt(struct socket *s, int level, int name, fw_uptr_t val,
		    uint32_t len);
int inet_getsockopt(struct socket *s, int level, int name, fw_uptr_t val,
		    fw_uptr_t ulen);
/* Write an int option for getsockopt. */
FW_MUST_CHECK int inet_put_int(int32_t v, fw_uptr_t val, fw_uptr_t ulen);
bool inet_reuseaddr(const struct inet_sock *in);
bool inet_reuseport(const struct inet_sock *in);
uint64_t inet_random(void);
/* Copy the payload of s from offset off, n bytes, to the cursor. */
FW_MUST_CHECK int skb_copy_to_iov(struct skb *s, uint32_t off, uint32_t n,
				  struct iov_cursor *c);
/* Control messages for a received datagram (IP_PKTINFO, IP_TTL, IP_TOS). */
void inet_put_cmsgs(struct inet_sock *in, struct skb *s,
		    struct sock_msghdr *m);
/* An ICMP error for a packet we sent: the socket learns err. */
void inet_icmp_error(int proto, uint32_t saddr, uint32_t daddr,
		     uint16_t sport, uint16_t dport, int err);

/* UDP (udp.c). */
FW_MUST_CHECK int udp_create(struct socket **out);
void udp_rcv(struct skb *s);
void udp_err_locked(uint32_t saddr, uint32_t daddr, uint16_t sport,
		    uint16_t dport, int err);
/* Datagram receive shared by UDP and ICMP sockets. */
long dgram_recvmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		   bool nonblock);
unsigned dgram_poll(struct socket *s);
long dgram_ioctl(struct socket *s, unsigned cmd, uint64_t arg);
void dgram_release(struct socket *s);
int dgram_shutdown(struct socket *s, unsigned how);
int dgram_error(struct socket *s);
/* Entries shared by every AF_INET socket type. */
void inet_sock_destroy(struct socket *s);
bool inet_never_listening(struct socket *s);
int inet_no_peercred(struct socket *s, struct linux_ucred *out);
int inet_no_listen(struct socket *s, int backlog);
int inet_no_accept(struct socket *s, bool nonblock, struct socket **out);
int inet_no_pair(struct socket *a, struct socket *b);
/* Queue a datagram on in (inet_lock held); false if dropped. */
bool dgram_queue_locked(struct inet_sock *in, struct skb *s);

/* TCP (tcp_*.c). */
FW_MUST_CHECK int tcp_create(struct socket **out);
void tcp_rcv(struct skb *s);
void tcp_err_locked(uint32_t saddr, uint32_t daddr, uint16_t sport,
		    uint16_t dport, int err);
/* Run due timers; the next deadline (UINT64_MAX: none). */
uint64_t tcp_timers_run(uint64_t now);
/* Send the ACKs owed at the end of a batch of received packets. */
void tcp_flush_acks(void);
int tcp_setsockopt(struct socket *s, int name, fw_uptr_t val, uint32_t len);
int tcp_getsockopt(struct socket *s, int name, fw_uptr_t val, fw_uptr_t ulen);

#endif
