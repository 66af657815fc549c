/* services/net/unix/unix_proc.c: /proc/net/unix.
 *
 * Layer: services (safe C), net; procnet.c (net/link) calls it when the
 * file is opened. Linux's format (net/unix/af_unix.c unix_seq_show),
 * which `netstat -x` parses by column: the socket's kernel address (%pK:
 * zeros, as Linux shows it to a reader without CAP_SYSLOG), reference
 * count, protocol 0, flags (__SO_ACCEPTCON for a listener), type, state
 * (SS_CONNECTED, SS_UNCONNECTED; a connection not yet accepted, which
 * has no file, SS_CONNECTING), inode, then the bound name: a path as
 * is, an abstract name with '@' for its leading NUL and for every NUL
 * inside it. Every socket with a file is listed, then the connections
 * waiting in listeners' queues. */
#include "fs/procfs/procfs.h"
#include "net/unix/unix.h"

#define SO_ACCEPTCON (1u << 16)	/* __SO_ACCEPTCON */
#define SS_UNCONNECTED 1u
#define SS_CONNECTING 2u
#define SS_CONNECTED 3u

static bool unix_connected(const struct unix_sock *u)
{
	/* A connected datagram socket counts too (Linux sets
	 * TCP_ESTABLISHED in unix_dgram_connect). */
	return u->state == UNIX_CONNECTED || u->peer;
}

/* One line (unix_lock held). */
static void unix_line(struct procfs_seq *seq, const struct unix_sock *u,
		      bool embryo)
{
	const struct socket *s = u->sk;
	struct procfs_line name = { { 0 } };
	unsigned state, n = 0;

	if (embryo)
		state = SS_CONNECTING;
	else
		state = unix_connected(u) ? SS_CONNECTED : SS_UNCONNECTED;
	if (u->addr.len > UNIX_FAMILY_LEN) {
		unsigned i = UNIX_FAMILY_LEN, end = u->addr.len;

		name.s[n++] = ' ';
		if (u->addr.b[i] != 0)
			end--; /* a path: its stored NUL is not shown */
		for (; i < end && i < UNIX_ADDR_BYTES + 1 &&
		       n < sizeof(name.s) - 1;
		     i++)
			name.s[n++] = u->addr.b[i] ? (char)u->addr.b[i] : '@';
	}
	procfs_printf(seq, "%016X: %08X %08X %08X %04X %02X %5llu%s\n", 0u,
		      (unsigned)atomic_load(&s->refs), 0u,
		      u->state == UNIX_LISTEN ? SO_ACCEPTCON : 0u,
		      (unsigned)s->type, state,
		      (unsigned long long)atomic_load(&s->ino), name.s);
}

void unix_proc(struct procfs_seq *seq)
{
	struct unix_sock *u, *e;

	procfs_printf(seq, "Num       RefCount Protocol Flags    Type St "
			   "Inode Path\n");
	fw_mutex_lock(&unix_lock);
	FW_LIST_FOR_EACH(u, unix_all_list(), all_node)
		unix_line(seq, u, false);
	FW_LIST_FOR_EACH(u, unix_all_list(), all_node)
		if (u->state == UNIX_LISTEN)
			FW_LIST_FOR_EACH(e, &u->acceptq, accept_node)
				unix_line(seq, e, true);
	fw_mutex_unlock(&unix_lock);
}
