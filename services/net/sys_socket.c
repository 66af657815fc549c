/* services/net/sys_socket.c: socket calls on descriptors.
 *
 * Layer: services (safe C), syscall handlers. There are no sockets yet
 * (socket() and socketpair() stay -ENOSYS), so no descriptor is one: the
 * calls that take a socket descriptor answer EBADF for a closed one and
 * ENOTSOCK otherwise, as Linux does for a file. Programs probe with them
 * (bash asks getpeername whether stdin is a socket). */
#include <fw/errno.h>

#include "fs/sys_util.h"
#include "fs/vfs/vfs.h"
#include "net/net.h"
#include "syscall/nr.h"

static long not_a_socket(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);

	if (!f)
		return -EBADF;
	file_put(f);
	return -ENOTSOCK;
}

static long sys_connect(const struct sys_args *a) { return not_a_socket(a); }
static long sys_accept(const struct sys_args *a) { return not_a_socket(a); }
static long sys_accept4(const struct sys_args *a) { return not_a_socket(a); }
static long sys_sendto(const struct sys_args *a) { return not_a_socket(a); }
static long sys_recvfrom(const struct sys_args *a) { return not_a_socket(a); }
static long sys_sendmsg(const struct sys_args *a) { return not_a_socket(a); }
static long sys_recvmsg(const struct sys_args *a) { return not_a_socket(a); }
static long sys_sendmmsg(const struct sys_args *a) { return not_a_socket(a); }
static long sys_recvmmsg(const struct sys_args *a) { return not_a_socket(a); }
static long sys_shutdown(const struct sys_args *a) { return not_a_socket(a); }
static long sys_bind(const struct sys_args *a) { return not_a_socket(a); }
static long sys_listen(const struct sys_args *a) { return not_a_socket(a); }
static long sys_getsockname(const struct sys_args *a) { return not_a_socket(a); }
static long sys_getpeername(const struct sys_args *a) { return not_a_socket(a); }
static long sys_setsockopt(const struct sys_args *a) { return not_a_socket(a); }
static long sys_getsockopt(const struct sys_args *a) { return not_a_socket(a); }

#define E(name) { __NR_##name, #name, sys_##name }

static const struct sys_entry net_syscalls[] = {
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
	SYSCALL_REGISTER_TABLE(net_syscalls);
}
