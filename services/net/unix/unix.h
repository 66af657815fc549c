/* services/net/unix/unix.h: AF_UNIX sockets, the family's private state.
 *
 * Layer: services (safe C), net, after Linux net/unix/af_unix.c.
 *
 * Locking: one mutex, unix_lock, guards every Unix socket's state below,
 * the bound-name table and the list the collector walks. A single lock is
 * a deliberate simplification (Linux locks per socket and orders pairs);
 * it is never held while sleeping for data or room, nor while copying
 * payload to or from user memory, and never across a file_put (a last put
 * may release a socket and take unix_lock): messages and references that
 * must go are collected while locked and dropped after. A stream reader
 * also holds its socket's iolock (Linux u->iolock), which lets it copy a
 * queued message out without unix_lock. Lock order: iolock, then
 * vfs_ns_lock (path binds and lookups), then unix_lock. */
#ifndef SERVICES_NET_UNIX_H
#define SERVICES_NET_UNIX_H

#include "net/socket.h"
#include "net/unix/unix_addr.h"

extern struct fw_mutex unix_lock;

enum unix_state {
	UNIX_CLOSE,			/* unconnected (dgram: maybe a default peer) */
	UNIX_LISTEN,
	UNIX_CONNECTED,			/* stream/seqpacket */
};

/* One queued message (Linux sk_buff): a datagram, or a piece of a
 * stream. */
struct unix_msg {
	struct fw_list node;		/* on the receiver's rcvq */
	struct fw_buf data;		/* payload; unset when len is 0 */
	size_t len;			/* payload bytes */
	size_t off;			/* stream: bytes already read */
	struct socket *sender;		/* charged `charge` bytes (referenced) */
	size_t charge;
	struct unix_addr from;		/* sender's address when sent */
	struct scm_creds creds;		/* sender's credentials */
	struct scm_files *fp;		/* SCM_RIGHTS files, or NULL */
};

struct unix_sock {
	struct socket *sk;		/* back to the generic socket */
	enum unix_state state;
	struct socket *peer;		/* connected peer (referenced) */
	struct fw_mutex iolock;		/* one stream reader at a time: only
					 * it takes messages off rcvq while
					 * the socket is open */
	struct fw_list rcvq;		/* struct unix_msg.node */
	unsigned rcvq_len;		/* messages */
	size_t rcvq_bytes;		/* unread payload bytes */
	struct fw_list acceptq;		/* embryos: struct unix_sock.accept_node */
	unsigned acceptq_len;
	struct fw_list accept_node;	/* embryo: on the listener's acceptq */
	int backlog;			/* listen(2) */
	struct unix_addr addr;		/* own address (len 0: unbound) */
	struct vfs_path path;		/* bound path (referenced), or none */
	struct fw_list bound_node;	/* on unix_bound while the name is held */
	struct fw_list all_node;	/* on unix_all (collector) */
	unsigned shutdown;		/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;			/* pending error (ECONNRESET), positive */
	size_t wmem;			/* bytes charged to us in peers' queues */
	bool dead;			/* its file was released */
	bool has_peercred;
	struct scm_creds peercred;	/* SO_PEERCRED */
	/* The collector (unix_gc.c), under unix_lock. */
	unsigned inflight;		/* times our file sits in some queue */
	bool gc_candidate;
	bool gc_live;
};

#define UNIX_MSG_OVERHEAD 768u	/* what Linux's skb truesize adds */
#define UNIX_MAX_DGRAM_QLEN 10u	/* net.unix.max_dgram_qlen */
#define UNIX_SOMAXCONN 4096	/* net.core.somaxconn */

/* unix.c */
void unix_init(void);
struct fw_list *unix_all_list(void);
void unix_msg_free(struct unix_msg *msg);
/* Unlink msg from u's queue, uncharge and wake its sender (unix_lock). */
void unix_msg_unlink(struct unix_sock *u, struct unix_msg *msg);
/* An address for an unbound socket (Linux autobind): "\0" + 5 hex
 * digits. unix_lock held. 0 or -ENOSPC. */
FW_MUST_CHECK int unix_autobind(struct unix_sock *u);
/* The bound socket an address names, referenced: -ENOENT, -ECONNREFUSED,
 * -EACCES (path, no write permission), -EPROTOTYPE (other type), -EINVAL.
 * Takes vfs_ns_lock then unix_lock itself: call without unix_lock. */
FW_MUST_CHECK int unix_find(const struct unix_addr *a, int type,
			    struct socket **out);
long unix_sendmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		  bool nonblock);
long unix_recvmsg(struct socket *s, struct sock_msghdr *m, unsigned flags,
		  bool nonblock);

/* unix_addr.c: the name table. */
FW_MUST_CHECK int unix_bind(struct socket *s, const struct sock_addr *sa);
/* Drop u's name (release): the path reference goes to *path_out. */
void unix_unbind_locked(struct unix_sock *u, struct vfs_path *path_out);

/* unix_proc.c: /proc/net/unix, in Linux's format. */
struct procfs_seq;
void unix_proc(struct procfs_seq *s);

/* unix_gc.c */
extern unsigned unix_inflight_total;
void unix_inflight_add(struct scm_files *fp);
void unix_inflight_sub(struct scm_files *fp);
void unix_gc(void);

#endif
