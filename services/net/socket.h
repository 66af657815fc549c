/* services/net/socket.h: the generic socket layer.
 *
 * Layer: services (safe C), net. A socket is a file (sockfs inode,
 * S_IFSOCK) whose file->sock points to a struct socket; the syscalls in
 * sys_socket.c decode user arguments and call the family's struct
 * sock_ops. Families: AF_UNIX (unix*.c), AF_INET (inet/), AF_PACKET
 * and AF_NETLINK (link/); others are refused with EAFNOSUPPORT at
 * socket(2). The interface ioctls (link/ifioctl.c) answer on every
 * socket.
 *
 * Folder services/net: sockets. socket.c (files, waiting), sockopt.c
 * (SOL_SOCKET options), msg.c (iovecs, message headers), sys_socket.c
 * (the system calls), unix*.c and scm.c (AF_UNIX), netdev.c (network
 * interfaces); link/ the Ethernet link layer. Calls fs (the VFS, poll
 * heads, fd tables) and current/current.h; never proc. */
#ifndef SERVICES_NET_SOCKET_H
#define SERVICES_NET_SOCKET_H

#include <stdatomic.h>

#include <fw/sync.h>

#include "fs/event/poll.h"
#include "fs/vfs/vfs.h"
#include "net/sockaddr.h"
#include "net/uapi.h"

struct socket;
struct unix_sock;
struct inet_sock;
struct packet_sock;
struct netlink_sock;
struct sock_msg;

/* A user iovec array (or one buffer), walked as one byte stream. */
struct iov_cursor {
	fw_uptr_t uiov;			/* user struct iovec[], or the buffer */
	uint64_t cnt;			/* entries */
	bool single;			/* uiov is the data itself (send/recv) */
	uint64_t idx;			/* current entry */
	uint64_t off;			/* bytes used of the current entry */
	size_t left;			/* bytes left in all entries */
	/* splice: a kernel buffer instead of user memory (off is the
	 * position in it) */
	bool kernel;
	struct fw_buf kdst;		/* receiving into it */
	struct fw_bytes ksrc;		/* sending from it */
};

/* Credentials carried by a message (SCM_CREDENTIALS). */
struct scm_creds {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};

/* Files in flight (SCM_RIGHTS): one reference each. */
struct scm_files {
	unsigned count;
	struct file *f[SCM_MAX_FD];
};

/* One sendmsg/recvmsg, decoded. */
struct sock_msghdr {
	struct iov_cursor data;		/* the payload */
	bool has_name;			/* send: a destination was given */
	struct sock_addr name;		/* send: destination; recv: source */
	fw_uptr_t control;		/* user control buffer */
	size_t controllen;		/* its size */
	size_t control_used;		/* recv: bytes of control written */
	unsigned out_flags;		/* recv: MSG_TRUNC, MSG_CTRUNC */
	/* send: parsed control messages */
	struct scm_files *fp;		/* SCM_RIGHTS, or NULL */
	bool has_creds;			/* SCM_CREDENTIALS given */
	struct scm_creds creds;
	/* recv: what to deliver after the data */
	struct scm_files *rfp;		/* received files, or NULL */
	bool rcreds_valid;
	struct scm_creds rcreds;
};

struct sock_ops {
	/* The file's last reference went: disconnect, free the queues. */
	void (*release)(struct socket *s);
	/* The socket's last reference went: free the family state. */
	void (*destroy)(struct socket *s);
	/* The socket got its file (socket_file): note it under the
	 * family's lock (the collector of in-flight sockets reads it). */
	void (*attach)(struct socket *s, struct file *f);
	int (*pair)(struct socket *a, struct socket *b);
	int (*bind)(struct socket *s, const struct sock_addr *a);
	int (*connect)(struct socket *s, const struct sock_addr *a,
		       bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* A connected socket (referenced, no file yet) into *out. */
	int (*accept)(struct socket *s, bool nonblock, struct socket **out);
	/* Own (peer false) or peer address. -ENOTCONN. */
	int (*getname)(struct socket *s, bool peer, struct sock_addr *out);
	long (*sendmsg)(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock);
	long (*recvmsg)(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock);
	int (*shutdown)(struct socket *s, unsigned how);
	unsigned (*poll)(struct socket *s);
	long (*ioctl)(struct socket *s, unsigned cmd, uint64_t arg);
	/* SO_ERROR (read and clear), SO_ACCEPTCONN, SO_PEERCRED. */
	int (*sock_error)(struct socket *s);
	bool (*listening)(struct socket *s);
	int (*peercred)(struct socket *s, struct linux_ucred *out);
	/* Options of other levels than SOL_SOCKET (IPPROTO_IP, _TCP,
	 * SOL_PACKET...), and SO_ATTACH_FILTER/SO_DETACH_FILTER/
	 * SO_LOCK_FILTER, which the family applies (AF_PACKET); NULL:
	 * EOPNOTSUPP (ENOPROTOOPT for the filter options). */
	int (*setsockopt)(struct socket *s, int level, int name,
			  fw_uptr_t val, uint32_t len);
	int (*getsockopt)(struct socket *s, int level, int name,
			  fw_uptr_t val, fw_uptr_t ulen);
};

struct socket {
	_Atomic int refs;		/* file, peers, queued messages, waiters */
	int family;			/* AF_* */
	int type;			/* SOCK_* */
	int protocol;
	const struct sock_ops *ops;
	struct unix_sock *un;		/* AF_UNIX state */
	struct inet_sock *in;		/* AF_INET state */
	struct packet_sock *pk;		/* AF_PACKET state */
	struct netlink_sock *nl;	/* AF_NETLINK state */
	/* The socket's file, or NULL (not yet accepted, or released). Not a
	 * reference: the file holds the socket. Under the family's lock. */
	struct file *file;
	/* The file's inode number and owner, for /proc/net's tables (which
	 * read them under the family's lock, where the file itself may be
	 * going away); ino 0 until the socket has a file, as Linux shows a
	 * connection not yet accepted. */
	_Atomic uint64_t ino;
	_Atomic uint32_t uid;
	/* Options (sockopt.c); atomics, so the data paths read them
	 * without a lock. */
	_Atomic uint32_t sndbuf;	/* bytes (doubled, as Linux) */
	_Atomic uint32_t rcvbuf;
	_Atomic uint64_t rcvtimeo_ns;	/* 0: wait for ever */
	_Atomic uint64_t sndtimeo_ns;
	atomic_bool passcred;		/* SO_PASSCRED */
	_Atomic unsigned bool_opts;	/* 1 << SO_REUSEADDR etc., stored only */
	_Atomic int priority;
	_Atomic int rcvlowat;
	_Atomic int linger_onoff;
	_Atomic int linger_secs;
	/* Waiting: every state change bumps seq and wakes both. */
	_Atomic unsigned seq;
	struct fw_waitq wq;
	struct poll_head poll;
};

/* Linux defaults: net.core.wmem_default/rmem_default, the *_max caps
 * for SO_SNDBUF/SO_RCVBUF and the floor a set may not go below. */
#define SOCK_DEF_BUF 212992u
#define SOCK_MAX_BUF 212992u
#define SOCK_MIN_SNDBUF 4608u
#define SOCK_MIN_RCVBUF 2304u

/* A new socket with one reference (no file yet), or NULL. */
struct socket *socket_alloc(int family, int type, int protocol,
			    const struct sock_ops *ops);
void socket_get(struct socket *s);
void socket_put(struct socket *s);
/* Release and drop a socket that never got a file (ops->release, then
 * the caller's reference). */
void socket_discard(struct socket *s);
/* A file for s (O_RDWR plus O_NONBLOCK from flags), taking over the
 * caller's reference on s. -ENOMEM (the socket is discarded). */
FW_MUST_CHECK int socket_file(struct socket *s, unsigned flags,
			      struct file **out);
/* The socket behind an fd, with a reference on its file in *fp.
 * -EBADF, -ENOTSOCK. */
FW_MUST_CHECK int socket_from_fd(int fd, struct file **fp,
				 struct socket **out);
/* State changed: bump seq, wake sleepers and pollers. */
void socket_wake(struct socket *s);

/* Sleep on s until its seq moves past seen, a signal, or the deadline
 * (UINT64_MAX: none). 0 (look again), -EAGAIN (deadline passed),
 * -ERESTARTSYS (signal, no timeout set) or -EINTR (signal with a
 * timeout set, as Linux sock_intr_errno). */
FW_MUST_CHECK int socket_wait(struct socket *s, unsigned seen,
			      uint64_t deadline_ns);
/* now + timeout, or UINT64_MAX for timeout 0 (none). */
uint64_t socket_deadline(uint64_t timeout_ns);

/* sockopt.c */
FW_MUST_CHECK int sock_setsockopt(struct socket *s, int level, int name,
				  fw_uptr_t val, uint32_t len);
FW_MUST_CHECK int sock_getsockopt(struct socket *s, int level, int name,
				  fw_uptr_t val, fw_uptr_t ulen);

/* msg.c: iovecs. */
/* A user iovec array: every entry checked as Linux import_iovec (-EINVAL
 * for cnt > IOV_MAX or a negative length, -EFAULT for a bad array or
 * buffer); the total is clamped to MAX_RW_COUNT. */
FW_MUST_CHECK int iov_cursor_user(struct iov_cursor *c, fw_uptr_t uiov,
				  uint64_t cnt);
/* One user buffer. -EFAULT if it is not in user space. */
FW_MUST_CHECK int iov_cursor_buf(struct iov_cursor *c, fw_uptr_t buf,
				 size_t len);
/* A kernel buffer (splice): to receive into (kdst) or send from (ksrc). */
void iov_cursor_kernel_dst(struct iov_cursor *c, struct fw_buf dst);
void iov_cursor_kernel_src(struct iov_cursor *c, struct fw_bytes src);
/* Copy fw_buf_len(dst) bytes from the cursor into dst / src to the
 * cursor, advancing it. 0 or -EFAULT. */
FW_MUST_CHECK int iov_copy_in(struct iov_cursor *c, struct fw_buf dst);
FW_MUST_CHECK int iov_copy_out(struct iov_cursor *c, struct fw_bytes src);
/* Skip n bytes (recv of a truncated datagram needs none; stream peek
 * does). */
void iov_skip(struct iov_cursor *c, size_t n);

/* Socket addresses from and to user space (Linux move_addr_to_kernel /
 * move_addr_to_user). */
FW_MUST_CHECK int sockaddr_in(struct sock_addr *a, fw_uptr_t u, uint32_t len);
FW_MUST_CHECK int sockaddr_out(const struct sock_addr *a, fw_uptr_t u,
			       fw_uptr_t ulen);

/* scm.c: control messages of sendmsg, and their delivery at recvmsg. */
FW_MUST_CHECK int scm_parse(struct sock_msghdr *m);
void scm_files_put(struct scm_files *fp);
struct scm_files *scm_files_dup(const struct scm_files *fp);
/* Write the received credentials and files to the control buffer
 * (installing the files as descriptors); sets m->control_used and
 * MSG_CTRUNC. flags: MSG_CMSG_CLOEXEC. Takes over m->rfp. */
FW_MUST_CHECK int scm_deliver(struct sock_msghdr *m, unsigned flags);
void scm_current_creds(struct scm_creds *out);
/* Append one control message (level, type, data) to m's control buffer
 * (MSG_CTRUNC when it does not fit). 0 or -EFAULT. */
FW_MUST_CHECK int scm_put_cmsg(struct sock_msghdr *m, int level, int type,
			       struct fw_bytes data);
void sock_msghdr_done(struct sock_msghdr *m);

/* The AF_UNIX family (unix.c). */
FW_MUST_CHECK int unix_create(int type, int protocol, struct socket **out);
/* The AF_INET family (inet/inet_sock.c). */
FW_MUST_CHECK int inet_create(int type, int protocol, struct socket **out);
void inet_init(void);
/* ioctls every socket answers before its family (sys_socket.c): the
 * route table (SIOCADDRT, SIOCDELRT); -ENOIOCTLCMD for the rest. */
long sock_generic_ioctl(struct socket *s, unsigned cmd, uint64_t arg);
#define ENOIOCTLCMD 515

#endif
