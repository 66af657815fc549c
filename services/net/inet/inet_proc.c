/* services/net/inet/inet_proc.c: /proc/net/tcp, udp and raw.
 *
 * Layer: services (safe C), net/inet; procnet.c (net/link) calls these
 * when the file is opened. The formats are Linux's, column for column,
 * because netstat, ss-like tools and scripts parse them by position:
 * net/ipv4/tcp_ipv4.c (tcp4_seq_show, get_tcp4_sock, get_openreq4,
 * get_timewait4_sock), net/ipv4/udp.c (udp4_format_sock) and
 * net/ipv4/raw.c (raw_sock_seq_show). Addresses are the network-order
 * words printed with %08X (so 127.0.0.1 reads 0100007F on x86), ports in
 * host order; times are clock ticks (USER_HZ, 100 a second) from now;
 * kernel pointers (%pK) read as zeros, as Linux shows them to a reader
 * without CAP_SYSLOG under kptr_restrict. Lines are padded as Linux pads
 * them (tcp to 149 columns, udp to 127; raw not at all).
 *
 * What Linux shows and this stack does not keep reads 0: the delayed-ACK
 * timeout (ato) and the quick-ACK count, the send queue of datagram
 * sockets (sent at once). TCP sockets that are closed, or only bound,
 * are not listed (Linux lists the listening and the established hash
 * tables); UDP sockets are listed once bound. */
#include <fw/string.h>
#include <fw/time.h>

#include "fs/procfs/procfs.h"
#include "net/inet/inet.h"

#define TCP_LINE_W 149		/* TMPSZ - 1 */
#define UDP_LINE_W 127
#define NS_PER_TICK 10000000ull	/* USER_HZ 100 */

struct fw_list raw_all = FW_LIST_HEAD_INIT(raw_all);

/* A network-order word as Linux prints a __be32 with %08X on x86. */
static unsigned be_word(uint32_t host_order)
{
	return __builtin_bswap32(host_order);
}

/* Ticks from now until at, never negative (jiffies_delta_to_clock_t). */
static unsigned long ticks_until(uint64_t at, uint64_t now)
{
	return at > now ? (unsigned long)((at - now) / NS_PER_TICK) : 0ul;
}

static unsigned sock_uid(const struct inet_sock *in)
{
	/* A connection not yet accepted has no file: the listener's
	 * owner (Linux sock_i_uid of the request's listener). */
	if (!atomic_load(&in->sk->ino) && in->parent)
		return atomic_load(&in->parent->uid);
	return atomic_load(&in->sk->uid);
}

struct proc_line {
	char s[256];
};

/* One TCP line for in, numbered sl (inet_lock held). */
static void tcp_line(struct procfs_seq *seq, int sl, const struct inet_sock *in,
		     uint64_t now)
{
	struct proc_line l;
	unsigned long when = 0;
	unsigned tr = 0, rx, tx, cwnd;
	int ssthresh;
	uint32_t mss = in->mss ? in->mss : 536;

	if (in->state == TCP_TIME_WAIT) {
		snprintf(l.s, sizeof l.s,
			 "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX "
			 "%08X %5d %8d %d %d %016X",
			 sl, be_word(in->laddr), in->lport, be_word(in->raddr),
			 in->rport, in->state, 0u, 0u, 3u,
			 ticks_until(in->tw_at, now), 0u, 0, 0, 0,
			 atomic_load(&in->sk->refs), 0u);
		procfs_printf(seq, "%-*s\n", TCP_LINE_W, l.s);
		return;
	}
	if (in->state == TCP_SYN_RECV) {
		snprintf(l.s, sizeof l.s,
			 "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX "
			 "%08X %5u %8d %u %d %016X",
			 sl, be_word(in->laddr), in->lport, be_word(in->raddr),
			 in->rport, in->state, 0u, 0u, 1u,
			 ticks_until(in->rto_at, now), in->backoff,
			 sock_uid(in), 0, 0u, 0, 0u);
		procfs_printf(seq, "%-*s\n", TCP_LINE_W, l.s);
		return;
	}
	if (in->state == TCP_LISTEN) {
		tx = 0;
		rx = in->acceptq_len;
		cwnd = 10;	/* TCP_INIT_CWND, what a listener shows */
		ssthresh = 0;	/* Linux: the fast-open queue length */
	} else {
		tx = in->write_seq - in->snd_una;
		rx = (unsigned)in->rcvq_bytes;
		cwnd = in->cwnd / mss;
		/* -1: still in the initial slow start */
		ssthresh = in->ssthresh >= 0x7fffffffu ? -1 :
			   (int)(in->ssthresh / mss);
		if (in->rto_at) {
			tr = 1;
			when = ticks_until(in->rto_at, now);
		} else if (in->keepalive && in->keep_at) {
			tr = 2;
			when = ticks_until(in->keep_at, now);
		}
	}
	snprintf(l.s, sizeof l.s,
		 "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X "
		 "%5u %8d %llu %d %016X %lu %lu %u %u %d",
		 sl, be_word(in->laddr), in->lport, be_word(in->raddr),
		 in->rport, in->state, tx, rx, tr, when, in->backoff,
		 sock_uid(in), in->keep_probes,
		 (unsigned long long)atomic_load(&in->sk->ino),
		 atomic_load(&in->sk->refs), 0u,
		 (unsigned long)((in->rto ? in->rto : 1000000000ull) /
				 NS_PER_TICK),
		 0ul, 0u, cwnd, ssthresh);
	procfs_printf(seq, "%-*s\n", TCP_LINE_W, l.s);
}

static bool tcp_listed(const struct inet_sock *in)
{
	return in->state != TCP_CLOSE && in->state != TCP_NONE;
}

void tcp_proc(struct procfs_seq *seq)
{
	uint64_t now = fw_time_ns();
	struct inet_sock *in;
	int sl = 0;

	procfs_printf(seq, "%-*s\n", TCP_LINE_W,
		      "  sl  local_address rem_address   st tx_queue "
		      "rx_queue tr tm->when retrnsmt   uid  timeout inode");
	fw_spin_lock(&inet_lock);
	/* Listeners first, then the rest, as Linux walks its listening
	 * hash table before the established one. */
	FW_LIST_FOR_EACH(in, &tcp_table.all, all_node)
		if (in->state == TCP_LISTEN)
			tcp_line(seq, sl++, in, now);
	FW_LIST_FOR_EACH(in, &tcp_table.all, all_node)
		if (in->state != TCP_LISTEN && tcp_listed(in))
			tcp_line(seq, sl++, in, now);
	fw_spin_unlock(&inet_lock);
}

/* udp4_format_sock: sl is the hash bucket, as Linux prints it. */
static void udp_line(struct procfs_seq *seq, const struct inet_sock *in)
{
	struct proc_line l;

	snprintf(l.s, sizeof l.s,
		 "%5u: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X "
		 "%5u %8d %llu %d %016X %u",
		 (unsigned)in->lport % INET_HASH, be_word(in->laddr), in->lport,
		 be_word(in->connected ? in->raddr : 0),
		 in->connected ? in->rport : 0u,
		 in->connected ? TCP_ESTABLISHED : TCP_CLOSE, 0u,
		 (unsigned)in->rcvq_mem, 0u, 0ul, 0u, sock_uid(in), 0,
		 (unsigned long long)atomic_load(&in->sk->ino),
		 atomic_load(&in->sk->refs), 0u, (unsigned)in->drops);
	procfs_printf(seq, "%-*s\n", UDP_LINE_W, l.s);
}

void udp_proc(struct procfs_seq *seq)
{
	struct inet_sock *in;

	procfs_printf(seq, "%-*s\n", UDP_LINE_W,
		      "   sl  local_address rem_address   st tx_queue "
		      "rx_queue tr tm->when retrnsmt   uid  timeout inode "
		      "ref pointer drops");
	fw_spin_lock(&inet_lock);
	FW_LIST_FOR_EACH(in, &udp_table.all, all_node)
		if (in->lport)
			udp_line(seq, in);
	fw_spin_unlock(&inet_lock);
}

/* raw_sock_seq_show: the "port" is the protocol (inet_num), and so is
 * the bucket. */
static void raw_line(struct procfs_seq *seq, const struct inet_sock *in)
{
	procfs_printf(seq,
		      "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX "
		      "%08X %5u %8d %llu %d %016X %u\n",
		      in->proto, be_word(in->laddr), (unsigned)in->proto,
		      be_word(in->connected ? in->raddr : 0), 0u,
		      in->connected ? TCP_ESTABLISHED : TCP_CLOSE, 0u,
		      (unsigned)in->rcvq_mem, 0u, 0ul, 0u, sock_uid(in), 0,
		      (unsigned long long)atomic_load(&in->sk->ino),
		      atomic_load(&in->sk->refs), 0u, (unsigned)in->drops);
}

void raw_proc(struct procfs_seq *seq)
{
	struct inet_sock *in;

	procfs_printf(seq, "  sl  local_address rem_address   st tx_queue "
			   "rx_queue tr tm->when retrnsmt   uid  timeout "
			   "inode ref pointer drops\n");
	fw_spin_lock(&inet_lock);
	FW_LIST_FOR_EACH(in, &icmp_table.all, all_node)
		if (in->sk->type == SOCK_RAW)
			raw_line(seq, in);
	FW_LIST_FOR_EACH(in, &raw_all, all_node)
		raw_line(seq, in);
	fw_spin_unlock(&inet_lock);
}

/* /proc/net/tcp6 and udp6: no IPv6 here, so the header alone, as
 * Linux's with no IPv6 socket open. */
void tcp6_proc(struct procfs_seq *seq)
{
	procfs_printf(seq, "  sl  local_address                         "
			   "remote_address                        st tx_queue "
			   "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
}

void udp6_proc(struct procfs_seq *seq)
{
	procfs_printf(seq, "  sl  local_address                         "
			   "remote_address                        st tx_queue "
			   "rx_queue tr tm->when retrnsmt   uid  timeout inode "
			   "ref pointer drops\n");
}
