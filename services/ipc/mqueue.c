/* services/ipc/mqueue.c: POSIX message queues: mq_open, mq_unlink,
 * mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr (man 7
 * mq_overview; Linux ipc/mqueue.c), and /proc/sys/fs/mqueue.
 *
 * Layer: services (safe C), see ipc.h. A queue is named by a flat name
 * (the C library strips the leading '/'), and an open queue is a real
 * file descriptor: an S_IFREG inode of its own "mqueue" superblock, so
 * fstat, fchmod, fork, dup, close-on-exec (always set, as Linux), poll/select/epoll and read(2)
 * (a status line) work as on any file. The mqueue file system itself
 * (mount -t mqueue, the queues as files in /dev/mqueue) is not there:
 * the names live in one list here, and the calls are the only way in.
 *
 * One mutex (mq_lock) guards the name list, every queue and the per-user
 * byte counts; nothing sleeps holding it. As Linux does, a sender that
 * finds a receiver waiting hands it the message directly (the queue
 * stays empty, so no notification), and a receiver that frees a slot
 * moves the oldest waiting sender's message into the queue; each waiter
 * is an mq_waiter on its own stack, taken off the list and marked done
 * by whoever serves it, under mq_lock, before it is woken. Waiters are
 * served oldest first (Linux orders them by scheduling priority too).
 *
 * Lifetime: a queue has one reference for its name and one per open
 * file; the last goes with the messages, the inode reference and the
 * RLIMIT_MSGQUEUE bytes charged to its creator's user. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/list.h>
#include <fw/string.h>
#include <fw/sync.h>
#include <fw/time.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "fs/event/epoll.h"
#include "fs/event/poll.h"
#include "fs/procfs/procfs.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/mount.h"
#include "fs/vfs/vfs.h"
#include "ipc/ipc.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define MQ_NAME_MAX 255			/* NAME_MAX */
#define MQ_PRIO_MAX 32768
#define MQ_HARD_MSGMAX 65536		/* HARD_MSGMAX */
#define MQ_HARD_MSGSIZEMAX (16 << 20)	/* HARD_MSGSIZEMAX */
#define MQ_MIN_MSGSIZE 128		/* msgsize sysctls' floor */
#define MQUEUE_MAGIC 0x19800202
#define MQ_STATUS_LEN 80		/* Linux's FILENT_SIZE: st_size */
/* What RLIMIT_MSGQUEUE counts per message and per priority besides the
 * text: Linux's sizeof(struct msg_msg) and of struct
 * posix_msg_tree_node on x86-64 (mq_overview(7) gives the formula). */
#define MQ_MSG_OVERHEAD 48
#define MQ_PRIO_NODE 48

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2

/* struct mq_attr (x86-64) */
struct k_mq_attr {
	int64_t mq_flags;	/* O_NONBLOCK or 0 */
	int64_t mq_maxmsg;	/* messages it holds at most */
	int64_t mq_msgsize;	/* bytes a message holds at most */
	int64_t mq_curmsgs;	/* messages now queued */
	int64_t reserved[4];
};
FW_STATIC_ASSERT(sizeof(struct k_mq_attr) == 64, "mq_attr layout");

/* struct sigevent (x86-64): 64 bytes, the fields mq_notify reads. */
struct k_mq_sigevent {
	uint64_t sigev_value;	/* union sigval */
	int32_t sigev_signo;
	int32_t sigev_notify;	/* SIGEV_* */
	uint8_t rest[48];
};
FW_STATIC_ASSERT(sizeof(struct k_mq_sigevent) == 64, "sigevent layout");

struct mq_msg {
	struct fw_list node;	/* on mqueue.msgs, or a sender's waiter */
	unsigned prio;		/* 0 .. MQ_PRIO_MAX - 1 */
	size_t len;		/* bytes of text */
	struct fw_buf text;	/* len bytes (none when len is 0) */
};

/* A task blocked in send (it brings its message) or in receive. */
struct mq_waiter {
	struct fw_list node;	/* on mqueue.senders / receivers */
	struct fw_waitq wq;	/* it sleeps here */
	struct mq_msg *msg;	/* the sender's, or the one handed over */
	bool done;		/* served: off the list, msg moved */
};

struct mqueue {
	/* all under mq_lock */
	struct fw_list node;		/* on mq_names while it has a name */
	bool linked;			/* named (not yet mq_unlink'ed) */
	unsigned refs;			/* the name's, one per open file */
	char name[MQ_NAME_MAX + 1];
	struct inode *ino;		/* owner, mode, times (fstat) */
	int64_t maxmsg, msgsize;	/* its mq_attr limits */
	int64_t curmsgs;		/* messages queued */
	uint64_t qsize;			/* bytes of text queued (QSIZE) */
	/* Highest priority first, oldest first within a priority. */
	struct fw_list msgs;
	struct fw_list senders;		/* struct mq_waiter, oldest first */
	struct fw_list receivers;
	struct poll_head poll;		/* readable/writable changes */
	/* The registered notification (mq_notify): none while
	 * notify_pid is 0. The owner is the process, named by pid and
	 * creation time so a pid used again is not taken for it. */
	int notify_pid;
	uint64_t notify_start;
	int notify_kind;		/* SIGEV_SIGNAL or SIGEV_NONE */
	int notify_signo;
	uint64_t notify_value;
	/* RLIMIT_MSGQUEUE: whose bytes and how many */
	uint32_t user;
	uint64_t charged;
};

/* Bytes of queues per user (real uid), as Linux's user_struct.mq_bytes:
 * an entry lives while the user has any. */
struct mq_user {
	struct fw_list node;	/* on mq_users */
	uint32_t uid;
	uint64_t bytes;
};

/* /proc/sys/fs/mqueue, Linux's defaults */
static struct {
	int64_t msg_max, msgsize_max, queues_max, msg_default, msgsize_default;
} mq_limits = { 10, 8192, 256, 10, 8192 };

static struct fw_mutex mq_lock;
static struct fw_list mq_names = FW_LIST_HEAD_INIT(mq_names);
static struct fw_list mq_users = FW_LIST_HEAD_INIT(mq_users);
static unsigned mq_nqueues;			/* named ones (queues_max) */
static struct superblock *mq_sb;		/* set at init */

static const struct file_ops mq_ops;

/* --- messages, accounting, queue lifetime ---------------------------- */

static void mq_msg_free(struct mq_msg *m)
{
	if (m->len)
		fw_buf_free(&m->text);
	fw_free(m);
}

/* Into q's list after every message of the same or higher priority. */
static void mq_msg_insert(struct mqueue *q, struct mq_msg *m)
{
	struct fw_list *pos = q->msgs.prev;

	/* From the tail: a run of one priority (the usual case) is O(1). */
	while (pos != &q->msgs &&
	       FW_LIST_ENTRY(pos, struct mq_msg, node)->prio < m->prio)
		pos = pos->prev;
	fw_list_add_head(pos, &m->node);
	q->curmsgs++;
	q->qsize += m->len;
}

static struct mq_msg *mq_msg_take(struct mqueue *q)
{
	struct mq_msg *m = FW_LIST_FIRST(&q->msgs, struct mq_msg, node);

	if (m) {
		fw_list_del(&m->node);
		q->curmsgs--;
		q->qsize -= m->len;
	}
	return m;
}

/* What RLIMIT_MSGQUEUE charges for a queue (Linux mqueue_get_inode). */
static uint64_t mq_bytes(int64_t maxmsg, int64_t msgsize)
{
	uint64_t n = (uint64_t)maxmsg;
	uint64_t nodes = n < MQ_PRIO_MAX ? n : MQ_PRIO_MAX;

	return n * MQ_MSG_OVERHEAD + nodes * MQ_PRIO_NODE + n * (uint64_t)msgsize;
}

static struct mq_user *mq_user_find(uint32_t uid)
{
	struct mq_user *u;

	FW_LIST_FOR_EACH(u, &mq_users, node)
		if (u->uid == uid)
			return u;
	return NULL;
}

/* Charge bytes to uid against limit: 0, -EMFILE past it, -ENOMEM. */
static int mq_charge(uint32_t uid, uint64_t bytes, uint64_t limit)
{
	struct mq_user *u = mq_user_find(uid);
	uint64_t have = u ? u->bytes : 0;

	if (have + bytes < have || have + bytes > limit)
		return -EMFILE;
	if (!u) {
		u = FW_NEW(struct mq_user);
		if (!u)
			return -ENOMEM;
		u->uid = uid;
		fw_list_add_tail(&mq_users, &u->node);
	}
	u->bytes += bytes;
	return 0;
}

static void mq_uncharge(uint32_t uid, uint64_t bytes)
{
	struct mq_user *u = mq_user_find(uid);

	if (!u)
		return;
	u->bytes -= bytes < u->bytes ? bytes : u->bytes;
	if (!u->bytes) {
		fw_list_del(&u->node);
		fw_free(u);
	}
}

/* Drop a reference; the last frees q. mq_lock held. */
static void mq_put(struct mqueue *q)
{
	struct mq_msg *m;

	if (--q->refs)
		return;
	while ((m = mq_msg_take(q)) != NULL)
		mq_msg_free(m);
	mq_uncharge(q->user, q->charged);
	inode_put(q->ino);
	fw_free(q);
}

/* --- the descriptor --------------------------------------------------- */

static bool mq_file(const struct file *f)
{
	return f->ops == &mq_ops;
}

/* The queue behind descriptor fd, with a file reference the caller
 * drops: 0 or -EBADF (not open, or not a message queue). */
static int mq_fd_get(int fd, struct file **out)
{
	struct file *f = fd_get(current_files(), fd);

	if (!f)
		return -EBADF;
	if (!mq_file(f) || !f->mq) {
		file_put(f);
		return -EBADF;
	}
	*out = f;
	return 0;
}

static bool mq_notify_owner_is_current(const struct mqueue *q)
{
	return q->notify_pid && q->notify_pid == current_pid() &&
	       q->notify_start == proc_current()->start_ns;
}

/* mq_lock held */
static void mq_changed(struct mqueue *q)
{
	poll_wake(&q->poll);
}

/* Linux's mqueue_read_file: one status line, read like a small file. */
static long mq_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct mqueue *q = f->mq;
	char text[MQ_STATUS_LEN];
	struct fw_bytes part;
	size_t n;

	fw_mutex_lock(&mq_lock);
	snprintf(text, sizeof(text),
		 "QSIZE:%-10llu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		 (unsigned long long)q->qsize,
		 q->notify_pid ? q->notify_kind : 0,
		 q->notify_pid && q->notify_kind == SIGEV_SIGNAL ?
			 q->notify_signo : 0,
		 q->notify_pid);
	fw_mutex_unlock(&mq_lock);
	n = strnlen(text, sizeof(text));
	if (*pos >= n || !len)
		return 0;
	if (len > n - *pos)
		len = n - (size_t)*pos;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(text), (size_t)*pos, len, &part) ||
	    fw_copy_out(buf, part))
		return -EFAULT;
	*pos += len;
	return (long)len;
}

/* default_llseek over the status line's size, as Linux's mqueue files. */
static int64_t mq_llseek(struct file *f, int64_t off, int whence)
{
	return vfs_llseek_size(f, off, whence, MQ_STATUS_LEN);
}

static unsigned mq_poll(struct file *f, struct poll_table *pt)
{
	struct mqueue *q = f->mq;
	unsigned mask = 0;

	poll_wait(pt, &q->poll);
	fw_mutex_lock(&mq_lock);
	if (q->curmsgs)
		mask |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		mask |= POLLOUT | POLLWRNORM;
	fw_mutex_unlock(&mq_lock);
	return mask;
}

/* A close by the process that registered drops its notification
 * (Linux mqueue_flush_file). */
static void mq_flush(struct file *f)
{
	struct mqueue *q = f->mq;

	fw_mutex_lock(&mq_lock);
	if (mq_notify_owner_is_current(q))
		q->notify_pid = 0;
	fw_mutex_unlock(&mq_lock);
}

static void mq_release(struct file *f)
{
	fw_mutex_lock(&mq_lock);
	mq_put(f->mq);
	fw_mutex_unlock(&mq_lock);
	f->mq = NULL;
}

static const struct file_ops mq_ops = {
	.read = mq_read,
	.llseek = mq_llseek,
	.poll = mq_poll,
	.flush = mq_flush,
	.release = mq_release,
};

/* --- mq_open, mq_unlink ----------------------------------------------- */

/* Copy a queue name in: its length, -EFAULT, -ENOENT (empty),
 * -ENAMETOOLONG, or -EACCES for names the mqueue file system cannot hold
 * as one directory entry ('/' in it, ".", ".."), as Linux's lookup. */
static long mq_name_in(fw_uptr_t uname, char (*name)[MQ_NAME_MAX + 1])
{
	long len = fw_copy_in_str(FW_BUF_OF_ARRAY(*name), uname);

	if (len < 0)
		return len;
	if (len == 0)
		return -ENOENT;
	for (long i = 0; i < len; i++)
		if ((*name)[i] == '/')
			return -EACCES;
	if (!strcmp(*name, ".") || !strcmp(*name, ".."))
		return -EACCES;
	return len;
}

static struct mqueue *mq_lookup(const char (*name)[MQ_NAME_MAX + 1])
{
	struct mqueue *q;

	FW_LIST_FOR_EACH(q, &mq_names, node)
		if (!strcmp(q->name, *name))
			return q;
	return NULL;
}

/* Linux's mq_attr_ok: the limits a new queue may ask for. */
static int mq_attr_ok(const struct k_mq_attr *attr)
{
	if (attr->mq_maxmsg <= 0 || attr->mq_msgsize <= 0)
		return -EINVAL;
	if (cred_capable(fs_cred(), CAP_SYS_RESOURCE)) {
		if (attr->mq_maxmsg > MQ_HARD_MSGMAX ||
		    attr->mq_msgsize > MQ_HARD_MSGSIZEMAX)
			return -EINVAL;
	} else if (attr->mq_maxmsg > mq_limits.msg_max ||
		   attr->mq_msgsize > mq_limits.msgsize_max) {
		return -EINVAL;
	}
	return 0;
}

/* A new named queue (mq_lock held): its limits, owner = the caller's fs
 * ids, mode less the umask. */
static int mq_create(const char (*name)[MQ_NAME_MAX + 1], uint32_t mode,
		     const struct k_mq_attr *attr, struct mqueue **out)
{
	const struct cred *c = fs_cred();
	struct k_mq_attr def = { 0 };
	struct fs_context *fs = current_fs();
	struct mqueue *q;
	int err;

	if (!attr) {
		def.mq_maxmsg = mq_limits.msg_default < mq_limits.msg_max ?
					mq_limits.msg_default : mq_limits.msg_max;
		def.mq_msgsize = mq_limits.msgsize_default <
						 mq_limits.msgsize_max ?
					 mq_limits.msgsize_default :
					 mq_limits.msgsize_max;
		attr = &def;
	} else if ((err = mq_attr_ok(attr))) {
		return err;
	}
	if (mq_nqueues >= (uint64_t)mq_limits.queues_max &&
	    !cred_capable(c, CAP_SYS_RESOURCE))
		return -ENOSPC;
	q = FW_NEW(struct mqueue);
	if (!q)
		return -ENOMEM;
	if (fs) {
		fw_spin_lock(&fs->lock);
		mode &= ~fs->umask;
		fw_spin_unlock(&fs->lock);
	}
	q->ino = inode_alloc(mq_sb, S_IFREG | (mode & 0777));
	if (!q->ino) {
		fw_free(q);
		return -ENOMEM;
	}
	q->ino->uid = c->fsuid;
	q->ino->gid = c->fsgid;
	q->ino->nlink = 1;
	q->ino->size = MQ_STATUS_LEN;
	q->user = c->uid;
	q->charged = mq_bytes(attr->mq_maxmsg, attr->mq_msgsize);
	err = mq_charge(q->user, q->charged, current_rlimit(RLIMIT_MSGQUEUE));
	if (err) {
		inode_put(q->ino);
		fw_free(q);
		return err;
	}
	fw_strlcpy(q->name, *name, sizeof(q->name));
	q->maxmsg = attr->mq_maxmsg;
	q->msgsize = attr->mq_msgsize;
	fw_list_init(&q->msgs);
	fw_list_init(&q->senders);
	fw_list_init(&q->receivers);
	poll_head_init(&q->poll);
	q->refs = 1;
	q->linked = true;
	fw_list_add_tail(&mq_names, &q->node);
	mq_nqueues++;
	*out = q;
	return 0;
}

static long sys_mq_open(const struct sys_args *a)
{
	char name[MQ_NAME_MAX + 1];
	int oflag = (int)a->arg[1];
	uint32_t mode = (uint32_t)a->arg[2];
	fw_uptr_t uattr = fw_uptr(a->arg[3]);
	unsigned acc = (unsigned)oflag & O_ACCMODE;
	struct k_mq_attr attr;
	struct mqueue *q;
	struct file *f;
	long err;
	int fd;

	if (!fw_uptr_is_null(uattr) && FW_COPY_IN_OBJ(&attr, uattr))
		return -EFAULT;
	err = mq_name_in(fw_uptr(a->arg[0]), &name);
	if (err < 0)
		return err;
	if (!fd_available(current_files()))
		return -EMFILE; /* Linux takes the descriptor first */
	err = 0;
	fw_mutex_lock(&mq_lock);
	q = mq_lookup(&name);
	if (q) {
		static const int want[4] = { MAY_READ, MAY_WRITE,
					     MAY_READ | MAY_WRITE, 0 };

		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			err = -EEXIST;
		else if (acc == O_ACCMODE)
			err = -EINVAL;
		else if (inode_permission(q->ino, want[acc], fs_cred()))
			err = -EACCES;
		else
			q->refs++;
	} else if (!(oflag & O_CREAT)) {
		err = -ENOENT;
	} else {
		err = mq_create(&name, mode,
				fw_uptr_is_null(uattr) ? NULL : &attr, &q);
		if (!err)
			q->refs++; /* the file's */
	}
	fw_mutex_unlock(&mq_lock);
	if (err)
		return err;
	/* As Linux's dentry_open: O_ACCMODE 3 on a new queue opens it for
	 * neither sending nor receiving. */
	f = file_alloc(&(struct vfs_path){ .inode = q->ino }, &mq_ops,
		       (unsigned)oflag & (O_ACCMODE | O_NONBLOCK));
	if (!f) {
		fw_mutex_lock(&mq_lock);
		mq_put(q);
		fw_mutex_unlock(&mq_lock);
		return -ENOMEM;
	}
	if (acc == O_ACCMODE)
		f->fmode = 0;
	f->mq = q;
	f->anon_name = NULL;
	/* Close-on-exec whatever oflag says: Linux's do_mq_open takes the
	 * descriptor with get_unused_fd_flags(O_CLOEXEC). */
	fd = fd_install(current_files(), f, O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long sys_mq_unlink(const struct sys_args *a)
{
	char name[MQ_NAME_MAX + 1];
	const struct cred *c = fs_cred();
	struct mqueue *q;
	long err;

	err = mq_name_in(fw_uptr(a->arg[0]), &name);
	if (err < 0)
		return err;
	err = 0;
	fw_mutex_lock(&mq_lock);
	q = mq_lookup(&name);
	if (!q) {
		err = -ENOENT;
	} else if (c->fsuid != q->ino->uid && c->fsuid != 0 &&
		   !cred_capable(c, CAP_FOWNER)) {
		/* The mqueue root is sticky (01777) and root's: only the
		 * queue's owner, root or CAP_FOWNER removes it. Linux 6.x
		 * says EACCES (as the man page), not may_delete's EPERM. */
		err = -EACCES;
	} else {
		fw_list_del(&q->node);
		q->linked = false;
		mq_nqueues--;
		mq_put(q);
	}
	fw_mutex_unlock(&mq_lock);
	return err;
}

/* --- sending and receiving -------------------------------------------- */

/* An absolute CLOCK_REALTIME timeout as a monotonic deadline: 0 (none
 * given: *deadline UINT64_MAX), -EFAULT, -EINVAL (Linux checks it before
 * looking at the queue). */
static int mq_timeout_in(fw_uptr_t uts, uint64_t *deadline)
{
	struct k_timespec ts;
	uint64_t abs_ns, now;

	*deadline = UINT64_MAX;
	if (fw_uptr_is_null(uts))
		return 0;
	if (FW_COPY_IN_OBJ(&ts, uts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec >= UINT64_MAX / FW_NSEC_PER_SEC - 1)
		return 0; /* beyond any clock: no deadline */
	abs_ns = (uint64_t)ts.tv_sec * FW_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	now = fw_time_realtime_ns();
	*deadline = fw_time_ns() + (abs_ns > now ? abs_ns - now : 0);
	return 0;
}

/* Queue w on list and sleep until served, a signal or the deadline:
 * 0 (served), -ERESTARTSYS, -ETIMEDOUT. mq_lock held (dropped while
 * asleep); an unserved waiter is off the list again on return. */
static int mq_wait(struct fw_list *list, struct mq_waiter *w,
		   uint64_t deadline)
{
	int ret = 0;

	fw_waitq_init(&w->wq, "mqueue");
	w->done = false;
	fw_list_add_tail(list, &w->node);
	for (;;) {
		fw_mutex_unlock(&mq_lock);
		if (deadline == UINT64_MAX)
			FW_WAIT_EVENT(&w->wq, __atomic_load_n(&w->done, __ATOMIC_ACQUIRE) ||
						      signal_pending_current());
		else
			FW_WAIT_EVENT_DEADLINE(&w->wq,
					       __atomic_load_n(&w->done, __ATOMIC_ACQUIRE) ||
						       signal_pending_current(),
					       deadline, ret);
		fw_mutex_lock(&mq_lock);
		if (w->done)
			return 0;
		if (signal_pending_current()) {
			ret = -ERESTARTSYS; /* SA_RESTART restarts it (signal(7)) */
			break;
		}
		if (ret)
			break;
	}
	fw_list_del(&w->node);
	return ret;
}

/* Serve the oldest waiter on list (mq_lock held): off the list, msg
 * handed over, woken. */
static void mq_serve(struct fw_list *list, struct mq_msg *m)
{
	struct mq_waiter *w = FW_LIST_FIRST(list, struct mq_waiter, node);

	fw_list_del(&w->node);
	if (m)
		w->msg = m;
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	fw_waitq_wake_all(&w->wq);
}

/* The queue went from empty to one message with no receiver waiting:
 * tell the registered process, once (Linux __do_notify). mq_lock held. */
static void mq_do_notify(struct mqueue *q)
{
	struct k_siginfo si = { 0 };
	const struct cred *c = fs_cred();

	if (!q->notify_pid || q->curmsgs != 1)
		return;
	if (q->notify_kind == SIGEV_SIGNAL && q->notify_signo) {
		si.si_signo = q->notify_signo;
		si.si_code = SI_MESGQ;
		si.f0 = (uint64_t)(uint32_t)current_pid() |
			((uint64_t)c->uid << 32);
		si.f1 = q->notify_value;
		(void)signal_send_pid(q->notify_pid, q->notify_start,
				      q->notify_signo, &si);
	}
	q->notify_pid = 0;
}

static long sys_mq_timedsend(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	fw_uptr_t ubuf = fw_uptr(a->arg[1]);
	uint64_t len = a->arg[2], prio = (uint32_t)a->arg[3], deadline;
	struct mq_waiter w = { 0 };
	struct mqueue *q;
	struct mq_msg *m;
	struct file *f;
	long ret;

	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	ret = mq_timeout_in(fw_uptr(a->arg[4]), &deadline);
	if (ret)
		return ret;
	ret = mq_fd_get(fd, &f);
	if (ret)
		return ret;
	q = f->mq;
	if (!(f->fmode & FMODE_WRITE)) {
		ret = -EBADF;
		goto out_put_file;
	}
	if (len > (uint64_t)q->msgsize) {
		ret = -EMSGSIZE;
		goto out_put_file;
	}
	/* The message is made before the queue is looked at, as Linux. */
	m = FW_NEW(struct mq_msg);
	if (!m) {
		ret = -ENOMEM;
		goto out_put_file;
	}
	m->prio = (unsigned)prio;
	m->len = (size_t)len;
	if (len && fw_buf_alloc_uninit((size_t)len, &m->text)) {
		fw_free(m);
		ret = -ENOMEM;
		goto out_put_file;
	}
	if (len && fw_copy_in(m->text, ubuf)) {
		mq_msg_free(m);
		ret = -EFAULT;
		goto out_put_file;
	}
	fw_mutex_lock(&mq_lock);
	if (q->curmsgs < q->maxmsg) {
		if (!fw_list_empty(&q->receivers)) {
			mq_serve(&q->receivers, m); /* straight to a receiver */
		} else {
			mq_msg_insert(q, m);
			mq_do_notify(q);
			mq_changed(q);
		}
		m = NULL;
	} else if (atomic_load(&f->flags) & O_NONBLOCK) {
		ret = -EAGAIN;
	} else {
		/* Wait with the message: a receiver that frees a slot puts
		 * it in the queue for us. */
		w.msg = m;
		ret = mq_wait(&q->senders, &w, deadline);
		if (!ret)
			m = NULL;
	}
	if (!ret)
		inode_touch(q->ino, true, true, true);
	fw_mutex_unlock(&mq_lock);
	if (m)
		mq_msg_free(m);
out_put_file:
	file_put(f);
	return ret;
}

static long sys_mq_timedreceive(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	fw_uptr_t ubuf = fw_uptr(a->arg[1]), uprio = fw_uptr(a->arg[3]);
	uint64_t len = a->arg[2], deadline;
	struct mq_waiter w = { 0 };
	struct mq_msg *m = NULL;
	struct mqueue *q;
	struct file *f;
	long ret;

	ret = mq_timeout_in(fw_uptr(a->arg[4]), &deadline);
	if (ret)
		return ret;
	ret = mq_fd_get(fd, &f);
	if (ret)
		return ret;
	q = f->mq;
	if (!(f->fmode & FMODE_READ)) {
		ret = -EBADF;
		goto out_put_file;
	}
	if (len < (uint64_t)q->msgsize) {
		ret = -EMSGSIZE;
		goto out_put_file;
	}
	fw_mutex_lock(&mq_lock);
	if (q->curmsgs) {
		m = mq_msg_take(q);
		/* A slot is free: the oldest waiting sender's message
		 * takes it (Linux pipelined_receive). */
		if (!fw_list_empty(&q->senders)) {
			struct mq_waiter *s =
				FW_LIST_FIRST(&q->senders, struct mq_waiter, node);

			mq_msg_insert(q, s->msg);
			mq_serve(&q->senders, NULL);
		}
		mq_changed(q);
	} else if (atomic_load(&f->flags) & O_NONBLOCK) {
		ret = -EAGAIN;
	} else {
		ret = mq_wait(&q->receivers, &w, deadline);
		if (!ret)
			m = w.msg;
	}
	if (m)
		inode_touch(q->ino, true, true, true);
	fw_mutex_unlock(&mq_lock);
	if (!m)
		goto out_put_file;
	/* Copied out after dequeuing, as Linux: a bad buffer loses it. */
	ret = (long)m->len;
	if (!fw_uptr_is_null(uprio) && FW_COPY_OUT_OBJ(uprio, &m->prio))
		ret = -EFAULT;
	else if (m->len && fw_copy_out(ubuf, fw_buf_as_bytes(m->text)))
		ret = -EFAULT;
	mq_msg_free(m);
out_put_file:
	file_put(f);
	return ret;
}

/* --- mq_notify, mq_getsetattr ----------------------------------------- */

static long sys_mq_notify(const struct sys_args *a)
{
	fw_uptr_t usev = fw_uptr(a->arg[1]);
	struct k_mq_sigevent sev = { 0 };
	struct mqueue *q;
	struct file *f;
	long ret;

	if (!fw_uptr_is_null(usev)) {
		if (FW_COPY_IN_OBJ(&sev, usev))
			return -EFAULT;
		if (sev.sigev_notify != SIGEV_NONE &&
		    sev.sigev_notify != SIGEV_SIGNAL &&
		    sev.sigev_notify != SIGEV_THREAD)
			return -EINVAL;
		if (sev.sigev_notify == SIGEV_SIGNAL &&
		    (sev.sigev_signo < 0 || sev.sigev_signo > NSIG))
			return -EINVAL;
		/* SIGEV_THREAD: the C library's netlink cookie protocol
		 * (a NETLINK_ROUTE socket the kernel writes a cookie to) is
		 * not implemented here. */
		if (sev.sigev_notify == SIGEV_THREAD)
			return -ENOSYS;
	}
	ret = mq_fd_get((int)a->arg[0], &f);
	if (ret)
		return ret;
	q = f->mq;
	fw_mutex_lock(&mq_lock);
	/* An owner that is gone without closing (a shared file table)
	 * holds nothing. */
	if (q->notify_pid &&
	    signal_send_pid(q->notify_pid, q->notify_start, 0, NULL))
		q->notify_pid = 0;
	if (fw_uptr_is_null(usev)) {
		if (mq_notify_owner_is_current(q))
			q->notify_pid = 0;
	} else if (q->notify_pid) {
		ret = -EBUSY;
	} else {
		q->notify_pid = current_pid();
		q->notify_start = proc_current()->start_ns;
		q->notify_kind = sev.sigev_notify;
		q->notify_signo = sev.sigev_signo;
		q->notify_value = sev.sigev_value;
	}
	if (!ret)
		inode_touch(q->ino, true, false, true);
	fw_mutex_unlock(&mq_lock);
	file_put(f);
	return ret;
}

static long sys_mq_getsetattr(const struct sys_args *a)
{
	fw_uptr_t unew = fw_uptr(a->arg[1]), uold = fw_uptr(a->arg[2]);
	struct k_mq_attr nattr, old = { 0 };
	struct mqueue *q;
	struct file *f;
	long ret;

	if (!fw_uptr_is_null(unew)) {
		if (FW_COPY_IN_OBJ(&nattr, unew))
			return -EFAULT;
		if (nattr.mq_flags & ~(int64_t)O_NONBLOCK)
			return -EINVAL;
	}
	ret = mq_fd_get((int)a->arg[0], &f);
	if (ret)
		return ret;
	q = f->mq;
	fw_mutex_lock(&mq_lock);
	old.mq_flags = atomic_load(&f->flags) & O_NONBLOCK;
	old.mq_maxmsg = q->maxmsg;
	old.mq_msgsize = q->msgsize;
	old.mq_curmsgs = q->curmsgs;
	if (!fw_uptr_is_null(unew)) {
		if (nattr.mq_flags & O_NONBLOCK)
			atomic_fetch_or(&f->flags, (unsigned)O_NONBLOCK);
		else
			atomic_fetch_and(&f->flags, ~(unsigned)O_NONBLOCK);
		inode_touch(q->ino, true, false, true);
	}
	fw_mutex_unlock(&mq_lock);
	file_put(f);
	if (!fw_uptr_is_null(uold) && FW_COPY_OUT_OBJ(uold, &old))
		return -EFAULT;
	return 0;
}

/* --- /proc/sys/fs/mqueue ---------------------------------------------- */

static int64_t *mq_limit_of(unsigned kind)
{
	switch (kind) {
	case PK_SYS_MQ_MSG_MAX:
		return &mq_limits.msg_max;
	case PK_SYS_MQ_MSGSIZE_MAX:
		return &mq_limits.msgsize_max;
	case PK_SYS_MQ_QUEUES_MAX:
		return &mq_limits.queues_max;
	case PK_SYS_MQ_MSG_DEFAULT:
		return &mq_limits.msg_default;
	case PK_SYS_MQ_MSGSIZE_DEFAULT:
		return &mq_limits.msgsize_default;
	}
	return NULL;
}

void procfs_gen_mqueue(struct procfs_seq *s, unsigned kind)
{
	int64_t *v = mq_limit_of(kind);

	if (v)
		procfs_printf(s, "%lld\n", (long long)__atomic_load_n(v, __ATOMIC_RELAXED));
}

/* Linux's ranges (ipc/mq_sysctl.c): counts 1..HARD_MSGMAX, sizes
 * 128..HARD_MSGSIZEMAX, queues 0..INT_MAX. The file is root's 0644. */
int procfs_mqueue_write(unsigned kind, uint64_t v)
{
	int64_t *p = mq_limit_of(kind);
	uint64_t lo = 1, hi = MQ_HARD_MSGMAX;

	if (!p)
		return -EINVAL;
	if (kind == PK_SYS_MQ_MSGSIZE_MAX || kind == PK_SYS_MQ_MSGSIZE_DEFAULT) {
		lo = MQ_MIN_MSGSIZE;
		hi = MQ_HARD_MSGSIZEMAX;
	} else if (kind == PK_SYS_MQ_QUEUES_MAX) {
		lo = 0;
		hi = 0x7fffffff;
	}
	if (v < lo || v > hi)
		return -EINVAL;
	fw_mutex_lock(&mq_lock);
	*p = (int64_t)v;
	fw_mutex_unlock(&mq_lock);
	return 0;
}

/* --- start-up ---------------------------------------------------------- */

static const struct sys_entry mq_syscalls[] = {
	{ __NR_mq_open, "mq_open", sys_mq_open },
	{ __NR_mq_unlink, "mq_unlink", sys_mq_unlink },
	{ __NR_mq_timedsend, "mq_timedsend", sys_mq_timedsend },
	{ __NR_mq_timedreceive, "mq_timedreceive", sys_mq_timedreceive },
	{ __NR_mq_notify, "mq_notify", sys_mq_notify },
	{ __NR_mq_getsetattr, "mq_getsetattr", sys_mq_getsetattr },
};

void ipc_mqueue_init(void)
{
	struct superblock *sb = FW_NEW(struct superblock);

	fw_mutex_init(&mq_lock, "mqueue");
	if (sb) {
		sb->dev = vfs_anon_dev();
		sb->magic = MQUEUE_MAGIC;
		sb->fstype = "mqueue";
		atomic_init(&sb->next_ino, 1);
		mq_sb = sb;
	}
	if (!mq_sb)
		return; /* no memory at boot: the calls stay ENOSYS */
	SYSCALL_REGISTER_TABLE(mq_syscalls);
}
