/* services/net/socket.c: sockets as files.
 *
 * Layer: services (safe C), net, after Linux net/socket.c. A socket file
 * has a sockfs inode (S_IFSOCK | 0777, so fstat and /proc/<pid>/fd say
 * "socket:[ino]") and file->sock; read/write/readv/writev become
 * recvmsg/sendmsg with no flags, so a datagram is one message however
 * many vectors carry it. Waiting is one wait queue per socket with a
 * sequence number: a sleeper notes seq under the family's lock, drops the
 * lock and sleeps until seq moves, so no wakeup is lost. */
#include <fw/heap.h>
#include <fw/time.h>

#include "current/current.h"
#include "fs/sys_util.h"
#include "net/socket.h"

static struct superblock *sockfs_sb;

struct socket *socket_alloc(int family, int type, int protocol,
			    const struct sock_ops *ops)
{
	struct socket *s = FW_NEW(struct socket);

	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->ops = ops;
	atomic_init(&s->sndbuf, SOCK_DEF_BUF);
	atomic_init(&s->rcvbuf, SOCK_DEF_BUF);
	atomic_init(&s->rcvlowat, 1);
	fw_waitq_init(&s->wq, "socket");
	poll_head_init(&s->poll);
	return s;
}

void socket_get(struct socket *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void socket_put(struct socket *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	if (s->ops->destroy)
		s->ops->destroy(s);
	fw_free(s);
}

/* A socket that never had a file goes as a closed one does: its family
 * takes it out of its tables (a /proc/net listing, a port) first, as
 * Linux's sock_release after a failed sock_map_fd. */
void socket_discard(struct socket *s)
{
	s->ops->release(s);
	socket_put(s);
}

void socket_wake(struct socket *s)
{
	atomic_fetch_add(&s->seq, 1);
	fw_waitq_wake_all(&s->wq);
	poll_wake(&s->poll);
}

uint64_t socket_deadline(uint64_t timeout_ns)
{
	uint64_t now;

	if (!timeout_ns)
		return UINT64_MAX; /* the common case: no clock read */
	now = fw_time_ns();
	return now + timeout_ns < now ? UINT64_MAX : now + timeout_ns;
}

int socket_wait(struct socket *s, unsigned seen, uint64_t deadline_ns)
{
	int r = 0;

	if (deadline_ns == UINT64_MAX)
		FW_WAIT_EVENT(&s->wq, atomic_load(&s->seq) != seen ||
					      signal_pending_current());
	else
		FW_WAIT_EVENT_DEADLINE(&s->wq,
				       atomic_load(&s->seq) != seen ||
					       signal_pending_current(),
				       deadline_ns, r);
	if (atomic_load(&s->seq) != seen)
		return 0;
	if (signal_pending_current())
		return deadline_ns == UINT64_MAX ? -ERESTARTSYS : -EINTR;
	return r ? -EAGAIN : 0;
}

static long sock_file_read(struct file *f, fw_uptr_t buf, size_t len,
			   uint64_t *pos)
{
	struct sock_msghdr m = { 0 };
	long ret;

	(void)pos;
	if (len == 0)
		return 0; /* Linux sock_read_iter: nothing asked, nothing taken */
	ret = iov_cursor_buf(&m.data, buf, len);
	if (ret)
		return ret;
	ret = f->sock->ops->recvmsg(f->sock, &m, 0,
				    atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	return ret;
}

static long sock_file_write(struct file *f, fw_uptr_t buf, size_t len,
			    uint64_t *pos)
{
	struct sock_msghdr m = { 0 };
	long ret;

	(void)pos;
	ret = iov_cursor_buf(&m.data, buf, len);
	if (ret)
		return ret;
	ret = f->sock->ops->sendmsg(f->sock, &m, 0,
				    atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	return ret;
}

static long sock_file_read_iov(struct file *f, fw_uptr_t uiov, uint64_t cnt)
{
	struct sock_msghdr m = { 0 };
	long ret = iov_cursor_user(&m.data, uiov, cnt);

	if (ret)
		return ret;
	if (m.data.left == 0)
		return 0;
	ret = f->sock->ops->recvmsg(f->sock, &m, 0,
				    atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	return ret;
}

static long sock_file_write_iov(struct file *f, fw_uptr_t uiov, uint64_t cnt)
{
	struct sock_msghdr m = { 0 };
	long ret = iov_cursor_user(&m.data, uiov, cnt);

	if (ret)
		return ret;
	ret = f->sock->ops->sendmsg(f->sock, &m, 0,
				    atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	return ret;
}

/* splice: recv/send with a kernel buffer, as read/write. */
static long sock_file_read_kbuf(struct file *f, struct fw_buf dst,
				uint64_t *pos)
{
	struct sock_msghdr m = { 0 };
	long ret;

	(void)pos;
	if (fw_buf_len(dst) == 0)
		return 0;
	iov_cursor_kernel_dst(&m.data, dst);
	ret = f->sock->ops->recvmsg(f->sock, &m, 0,
				    atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	return ret;
}

static long sock_file_write_kbuf(struct file *f, struct fw_bytes src,
				 uint64_t *pos)
{
	struct sock_msghdr m = { 0 };
	long ret;

	(void)pos;
	iov_cursor_kernel_src(&m.data, src);
	ret = f->sock->ops->sendmsg(f->sock, &m, 0,
				    atomic_load(&f->flags) & O_NONBLOCK);
	sock_msghdr_done(&m);
	return ret;
}

static unsigned sock_file_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &f->sock->poll);
	return f->sock->ops->poll(f->sock);
}

static long sock_file_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	long r = sock_generic_ioctl(f->sock, cmd, arg);

	if (r != -ENOIOCTLCMD)
		return r;
	return f->sock->ops->ioctl(f->sock, cmd, arg);
}

static void sock_file_release(struct file *f)
{
	struct socket *s = f->sock;

	if (!s)
		return;
	f->sock = NULL;
	s->ops->release(s);
	socket_put(s);
}

static const struct file_ops sock_file_ops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.read_iov = sock_file_read_iov,
	.write_iov = sock_file_write_iov,
	.read_kbuf = sock_file_read_kbuf,
	.write_kbuf = sock_file_write_kbuf,
	.poll = sock_file_poll,
	.ioctl = sock_file_ioctl,
	.release = sock_file_release,
};

static int sockfs_init(void)
{
	struct superblock *sb;

	if (sockfs_sb)
		return 0;
	/* Set once; a racing second allocation only leaks a superblock
	 * (as pipefs). */
	sb = FW_NEW(struct superblock);
	if (!sb)
		return -ENOMEM;
	sb->dev = 8; /* an anonymous device, as Linux's sockfs */
	sb->magic = 0x534F434B; /* SOCKFS_MAGIC */
	sb->fstype = "sockfs";
	atomic_init(&sb->next_ino, 1);
	sockfs_sb = sb;
	return 0;
}

int socket_file(struct socket *s, unsigned flags, struct file **out)
{
	struct vfs_path path = { 0 };
	struct inode *ino;
	struct file *f;
	int err = sockfs_init();

	if (err)
		goto out_put;
	ino = inode_alloc(sockfs_sb, S_IFSOCK | 0777);
	if (!ino) {
		err = -ENOMEM;
		goto out_put;
	}
	ino->nlink = 1;
	ino->uid = fs_cred()->fsuid;
	ino->gid = fs_cred()->fsgid;
	path.inode = ino;
	f = file_alloc(&path, &sock_file_ops, O_RDWR | (flags & O_NONBLOCK));
	inode_put(ino); /* the file holds it now */
	if (!f) {
		err = -ENOMEM;
		goto out_put;
	}
	f->sock = s;
	atomic_store(&s->uid, ino->uid);
	atomic_store(&s->ino, ino->ino);
	if (s->ops->attach)
		s->ops->attach(s, f);
	*out = f;
	return 0;
out_put:
	socket_discard(s);
	return err;
}

int socket_from_fd(int fd, struct file **fp, struct socket **out)
{
	struct file *f = sys_fget(fd);

	if (!f)
		return -EBADF;
	if (!f->sock) {
		file_put(f);
		return -ENOTSOCK;
	}
	*fp = f;
	*out = f->sock;
	return 0;
}
