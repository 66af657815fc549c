/* services/net/sys_socket.c: the socket system calls.
 *
 * Layer: services (safe C), syscall handlers, after Linux net/socket.c.
 * Each call decodes and checks its user arguments (addresses with
 * sockaddr_in, iovecs with iov_cursor_user, control messages with
 * scm_parse), then calls the socket's family. A descriptor that is not
 * a socket answers ENOTSOCK, a closed one EBADF. AF_UNIX, AF_INET,
 * AF_PACKET and AF_NETLINK (net/link) exist: every other family
 * (AF_INET6 included, so programs fall back to IPv4) is EAFNOSUPPORT. */
#include <fw/errno.h>
#include <fw/time.h>

#include "fs/sys_util.h"
#include "net/link/link.h"
#include "net/net.h"
#include "net/socket.h"
#include "net/unix/unix.h"
#include "net/inet/inet.h"
#include "syscall/nr.h"

#define SOCK_MAX (SOCK_PACKET + 1)
#define MSG_WAITFORONE 0x10000u
#define UIO_MAXIOV 1024u

/* Split socket(2)'s type argument: EINVAL for unknown flag bits or a
 * type out of range (Linux __sys_socket_create, __sock_create). */
static int split_type(uint64_t arg, int *type, unsigned *flags)
{
	uint32_t t = (uint32_t)arg;

	*flags = t & ~(uint32_t)SOCK_TYPE_MASK;
	*type = (int)(t & SOCK_TYPE_MASK);
	if (*flags & ~(uint32_t)(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (*type >= SOCK_MAX)
		return -EINVAL;
	return 0;
}

static int create(int family, int type, int protocol, struct socket **out)
{
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (family == AF_INET)
		return inet_create(type, protocol, out);
	if (family == AF_PACKET)
		return packet_create(type, protocol, out);
	if (family == AF_NETLINK)
		return netlink_create(type, protocol, out);
	if (family != AF_UNIX)
		return -EAFNOSUPPORT; /* AF_INET6 etc.: not implemented */
	if (type == SOCK_RAW)
		type = SOCK_DGRAM; /* Linux unix_create does the same */
	return unix_create(type, protocol, out);
}

/* Make s a file and install it: the new fd, or -errno (s dropped). */
static long install(struct socket *s, unsigned flags)
{
	struct file *f;
	int err = socket_file(s, flags, &f);
	int fd;

	if (err)
		return err;
	fd = fd_install(sys_files(), f, flags & SOCK_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long sys_socket(const struct sys_args *a)
{
	struct socket *s;
	unsigned flags;
	int type, err = split_type(a->arg[1], &type, &flags);

	if (err)
		return err;
	err = create((int)a->arg[0], type, (int)a->arg[2], &s);
	if (err)
		return err;
	return install(s, flags);
}

static long sys_socketpair(const struct sys_args *a)
{
	struct socket *s1, *s2;
	struct file *f1, *f2;
	unsigned flags;
	int32_t fds[2];
	int type, err = split_type(a->arg[1], &type, &flags);
	struct fdtable *t = sys_files();

	if (err)
		return err;
	err = create((int)a->arg[0], type, (int)a->arg[2], &s1);
	if (err)
		return err;
	err = create((int)a->arg[0], type, (int)a->arg[2], &s2);
	if (err) {
		socket_discard(s1);
		return err;
	}
	/* Files first, so a failure leaves two unpaired sockets that their
	 * ordinary release frees. */
	err = socket_file(s1, flags, &f1);
	if (err) {
		socket_discard(s2);
		return err;
	}
	err = socket_file(s2, flags, &f2);
	if (err) {
		file_put(f1);
		return err;
	}
	err = s1->ops->pair(s1, s2);
	if (err) {
		file_put(f1);
		file_put(f2);
		return err;
	}
	fds[0] = fd_install(t, f1, flags & SOCK_CLOEXEC ? O_CLOEXEC : 0);
	if (fds[0] < 0) {
		file_put(f1);
		file_put(f2);
		return fds[0];
	}
	fds[1] = fd_install(t, f2, flags & SOCK_CLOEXEC ? O_CLOEXEC : 0);
	if (fds[1] < 0) {
		if (fd_close(t, fds[0])) { /* already closed by another thread */ }
		file_put(f2);
		return fds[1];
	}
	if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[3]), &fds)) {
		if (fd_close(t, fds[0])) { /* already closed by another thread */ }
		if (fd_close(t, fds[1])) { /* already closed by another thread */ }
		return -EFAULT;
	}
	return 0;
}

static long sys_bind(const struct sys_args *a)
{
	struct sock_addr addr;
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = sockaddr_in(&addr, fw_uptr(a->arg[1]), (uint32_t)a->arg[2]);
	if (!err)
		err = s->ops->bind(s, &addr);
	file_put(f);
	return err;
}

static long sys_connect(const struct sys_args *a)
{
	struct sock_addr addr;
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = sockaddr_in(&addr, fw_uptr(a->arg[1]), (uint32_t)a->arg[2]);
	if (!err)
		err = s->ops->connect(s, &addr,
				      atomic_load(&f->flags) & O_NONBLOCK);
	file_put(f);
	return err;
}

static long sys_listen(const struct sys_args *a)
{
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = s->ops->listen(s, (int)a->arg[1]);
	file_put(f);
	return err;
}

static long do_accept(int fd, fw_uptr_t uaddr, fw_uptr_t ulen, uint64_t fl)
{
	struct socket *s, *ns;
	struct sock_addr addr;
	struct file *f, *nf;
	unsigned flags = (unsigned)fl;
	long err;
	int nfd;

	if (fl & ~(uint64_t)(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	err = socket_from_fd(fd, &f, &s);
	if (err)
		return err;
	err = s->ops->accept(s, atomic_load(&f->flags) & O_NONBLOCK, &ns);
	file_put(f);
	if (err)
		return err;
	err = ns->ops->getname(ns, true, &addr);
	if (err)
		addr.len = 0; /* the client already left: Linux gives the family */
	err = socket_file(ns, flags, &nf);
	if (err)
		return err;
	if (!fw_uptr_is_null(uaddr)) {
		if (!addr.len) {
			addr.len = 2;
			addr.b[0] = AF_UNIX;
			addr.b[1] = 0;
		}
		err = sockaddr_out(&addr, uaddr, ulen);
		if (err) {
			file_put(nf);
			return err;
		}
	}
	nfd = fd_install(sys_files(), nf, flags & SOCK_CLOEXEC ? O_CLOEXEC : 0);
	if (nfd < 0)
		file_put(nf);
	return nfd;
}

static long sys_accept(const struct sys_args *a)
{
	return do_accept((int)a->arg[0], fw_uptr(a->arg[1]), fw_uptr(a->arg[2]), 0);
}

static long sys_accept4(const struct sys_args *a)
{
	return do_accept((int)a->arg[0], fw_uptr(a->arg[1]), fw_uptr(a->arg[2]),
			 a->arg[3]);
}

static long getname(const struct sys_args *a, bool peer)
{
	struct sock_addr addr;
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = s->ops->getname(s, peer, &addr);
	if (!err)
		err = sockaddr_out(&addr, fw_uptr(a->arg[1]), fw_uptr(a->arg[2]));
	file_put(f);
	return err;
}

static long sys_getsockname(const struct sys_args *a) { return getname(a, false); }
static long sys_getpeername(const struct sys_args *a) { return getname(a, true); }

static long sys_sendto(const struct sys_args *a)
{
	struct sock_msghdr m = { 0 };
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = iov_cursor_buf(&m.data, fw_uptr(a->arg[1]), a->arg[2]);
	if (!err && a->arg[4] && (uint32_t)a->arg[5]) {
		err = sockaddr_in(&m.name, fw_uptr(a->arg[4]), (uint32_t)a->arg[5]);
		m.has_name = true;
	}
	if (!err)
		err = s->ops->sendmsg(s, &m, (unsigned)a->arg[3],
				      atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	file_put(f);
	return err;
}

static long sys_recvfrom(const struct sys_args *a)
{
	struct sock_msghdr m = { 0 };
	struct socket *s;
	struct file *f;
	long ret = socket_from_fd((int)a->arg[0], &f, &s);

	if (ret)
		return ret;
	ret = iov_cursor_buf(&m.data, fw_uptr(a->arg[1]), a->arg[2]);
	if (!ret)
		ret = s->ops->recvmsg(s, &m, (unsigned)a->arg[3],
				      atomic_load(&f->flags) & O_NONBLOCK);
	if (ret >= 0 && a->arg[4]) {
		long err = sockaddr_out(&m.name, fw_uptr(a->arg[4]),
					fw_uptr(a->arg[5]));

		if (err)
			ret = err;
	}
	/* recvfrom has no control buffer: passed files are closed. */
	sock_msghdr_done(&m);
	file_put(f);
	return ret;
}

/* Read a user msghdr (Linux __copy_msghdr): a NULL name has length 0, a
 * longer one is cut to sockaddr_storage; too many vectors is EMSGSIZE,
 * an absurd control length ENOBUFS. */
static int msghdr_in(fw_uptr_t umsg, struct linux_msghdr *h,
		     struct sock_msghdr *m)
{
	int err;

	if (FW_COPY_IN_OBJ(h, umsg))
		return -EFAULT;
	if (!h->msg_name)
		h->msg_namelen = 0;
	if ((int32_t)h->msg_namelen < 0)
		return -EINVAL;
	if (h->msg_namelen > SOCKADDR_MAX)
		h->msg_namelen = SOCKADDR_MAX;
	if (h->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (h->msg_controllen > 0x7fffffffu)
		return -ENOBUFS;
	err = iov_cursor_user(&m->data, fw_uptr(h->msg_iov), h->msg_iovlen);
	if (err)
		return err;
	m->control = fw_uptr(h->msg_control);
	m->controllen = h->msg_controllen;
	return 0;
}

static long do_sendmsg(struct socket *s, struct file *f, fw_uptr_t umsg,
		       unsigned flags)
{
	struct sock_msghdr m = { 0 };
	struct linux_msghdr h;
	long err = msghdr_in(umsg, &h, &m);

	if (!err && h.msg_namelen) {
		err = sockaddr_in(&m.name, fw_uptr(h.msg_name), h.msg_namelen);
		m.has_name = true;
	}
	if (!err)
		err = scm_parse(&m);
	if (!err)
		err = s->ops->sendmsg(s, &m, flags,
				      atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	return err;
}

static long do_recvmsg(struct socket *s, struct file *f, fw_uptr_t umsg,
		       unsigned flags, bool nonblock)
{
	struct sock_msghdr m = { 0 };
	struct linux_msghdr h;
	uint64_t used;
	int32_t oflags;
	long ret = msghdr_in(umsg, &h, &m), err;

	if (ret)
		return ret;
	ret = s->ops->recvmsg(s, &m, flags,
			      nonblock || (atomic_load(&f->flags) & O_NONBLOCK));
	if (ret < 0)
		goto out;
	err = scm_deliver(&m, flags);
	if (!err && h.msg_name)
		err = sockaddr_out(&m.name, fw_uptr(h.msg_name),
				   fw_uptr_add(umsg, 8)); /* &msg_namelen */
	/* Linux starts msg_flags from the caller's MSG_CMSG_CLOEXEC. */
	oflags = (int32_t)(m.out_flags | (flags & MSG_CMSG_CLOEXEC));
	used = m.control_used;
	if (!err && (FW_COPY_OUT_OBJ(fw_uptr_add(umsg, 48), &oflags) ||
		     FW_COPY_OUT_OBJ(fw_uptr_add(umsg, 40), &used)))
		err = -EFAULT;
	if (err)
		ret = err;
out:
	sock_msghdr_done(&m);
	return ret;
}

static long sys_sendmsg(const struct sys_args *a)
{
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = do_sendmsg(s, f, fw_uptr(a->arg[1]), (unsigned)a->arg[2]);
	file_put(f);
	return err;
}

static long sys_recvmsg(const struct sys_args *a)
{
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = do_recvmsg(s, f, fw_uptr(a->arg[1]), (unsigned)a->arg[2], false);
	file_put(f);
	return err;
}

/* sendmmsg/recvmmsg: one sendmsg/recvmsg per entry, its byte count in
 * msg_len; an error after some entries ends the call with their number
 * (Linux __sys_sendmmsg/do_recvmmsg). */
static long sys_sendmmsg(const struct sys_args *a)
{
	fw_uptr_t vec = fw_uptr(a->arg[1]);
	uint64_t vlen = (uint32_t)a->arg[2], i;
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (i = 0; i < vlen; i++) {
		fw_uptr_t e = fw_uptr_add(vec, i * sizeof(struct linux_mmsghdr));
		uint32_t n;

		err = do_sendmsg(s, f, e, (unsigned)a->arg[3]);
		if (err < 0)
			break;
		n = (uint32_t)err;
		if (FW_COPY_OUT_OBJ(fw_uptr_add(e, sizeof(struct linux_msghdr)), &n)) {
			err = -EFAULT;
			break;
		}
	}
	file_put(f);
	return i ? (long)i : err;
}

static long sys_recvmmsg(const struct sys_args *a)
{
	fw_uptr_t vec = fw_uptr(a->arg[1]);
	uint64_t vlen = (uint32_t)a->arg[2], i, deadline = UINT64_MAX;
	unsigned flags = (unsigned)a->arg[3];
	struct socket *s;
	struct file *f;
	long err;

	if (a->arg[4]) {
		struct linux_timespec ts;

		if (FW_COPY_IN_OBJ(&ts, fw_uptr(a->arg[4])))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = sys_deadline_from_ns(ts.tv_sec, ts.tv_nsec);
	}
	err = socket_from_fd((int)a->arg[0], &f, &s);
	if (err)
		return err;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (i = 0; i < vlen; i++) {
		fw_uptr_t e = fw_uptr_add(vec, i * sizeof(struct linux_mmsghdr));
		uint32_t n;

		err = do_recvmsg(s, f, e, flags & ~MSG_WAITFORONE,
				 i > 0 && (flags & MSG_WAITFORONE));
		if (err < 0)
			break;
		n = (uint32_t)err;
		if (FW_COPY_OUT_OBJ(fw_uptr_add(e, sizeof(struct linux_msghdr)), &n)) {
			err = -EFAULT;
			break;
		}
		/* Linux checks the timeout only after each datagram. */
		if (deadline != UINT64_MAX && fw_time_ns() >= deadline) {
			i++;
			break;
		}
	}
	file_put(f);
	return i ? (long)i : err;
}

static long sys_shutdown(const struct sys_args *a)
{
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = s->ops->shutdown(s, (unsigned)a->arg[1]);
	file_put(f);
	return err;
}

static long sys_setsockopt(const struct sys_args *a)
{
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	if ((int32_t)a->arg[4] < 0)
		err = -EINVAL;
	else
		err = sock_setsockopt(s, (int)a->arg[1], (int)a->arg[2],
				      fw_uptr(a->arg[3]), (uint32_t)a->arg[4]);
	file_put(f);
	return err;
}

static long sys_getsockopt(const struct sys_args *a)
{
	struct socket *s;
	struct file *f;
	long err = socket_from_fd((int)a->arg[0], &f, &s);

	if (err)
		return err;
	err = sock_getsockopt(s, (int)a->arg[1], (int)a->arg[2],
			      fw_uptr(a->arg[3]), fw_uptr(a->arg[4]));
	file_put(f);
	return err;
}

/* ioctls any socket answers, whatever its family (Linux sock_ioctl and
 * the families' common cases): the route table for AF_INET sockets
 * (inet/route.c), the interface ioctls (SIOCGIFCONF, SIOCGIFFLAGS, ...:
 * link/ifioctl.c). -ENOIOCTLCMD: the family's own ioctl decides. */
#define SIOCADDRT 0x890B
#define SIOCDELRT 0x890C

long sock_generic_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	if ((cmd == SIOCADDRT || cmd == SIOCDELRT) && s->family == AF_INET)
		return route_ioctl(cmd, arg);
	if (dev_ioctl_cmd(cmd))
		return dev_ioctl(s->family, cmd, arg);
	return -ENOIOCTLCMD;
}

#define E(name) { __NR_##name, #name, sys_##name }

static const struct sys_entry net_syscalls[] = {
	E(socket),
	E(socketpair),
	E(connect),
	E(accept),
	E(accept4),
	E(sendto),
	E(recvfrom),
	E(sendmsg),
	E(recvmsg),
	E(sendmmsg),
	E(recvmmsg),
	E(shutdown),
	E(bind),
	E(listen),
	E(getsockname),
	E(getpeername),
	E(setsockopt),
	E(getsockopt),
};

void net_syscalls_init(void)
{
	unix_init();
	inet_init();
	netlink_init();
	SYSCALL_REGISTER_TABLE(net_syscalls);
}
