/* services/proc/pidfd.c: process file descriptors: pidfd_open(2),
 * pidfd_send_signal(2), pidfd_getfd(2), clone's CLONE_PIDFD and
 * waitid(P_PIDFD), as Linux's kernel/pid.c, kernel/fork.c and
 * kernel/signal.c.
 *
 * Layer: services (safe C), proc. A pidfd names one process for good: it
 * keeps the pid and the process's creation time, so a pid used again by a
 * new process is never taken for it (Linux keeps a struct pid reference).
 * poll says POLLIN once the process has exited (a zombie, or reaped:
 * then also POLLHUP);
 * every exit wakes one poll head that all pidfd pollers wait on (as
 * signalfd's), and each looks at its own process again. A pidfd is
 * always close-on-exec; /proc/<pid>/fd names it anon_inode:[pidfd]. */
#include <fw/heap.h>

#include "fs/event/epoll.h"
#include "fs/event/poll.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/vfs.h"
#include "proc/pidfd.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/ptrace.h"
#include "proc/signal.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define PIDFD_NONBLOCK O_NONBLOCK

struct pidfd {
	int pid;           /* 0 until clone binds it */
	uint64_t start_ns; /* the process's creation time: its identity */
};

static struct poll_head pidfd_head = {
	FW_SPINLOCK_INIT("pidfd"), FW_LIST_HEAD_INIT(pidfd_head.entries)
};

void pidfd_notify(void)
{
	poll_wake(&pidfd_head);
}

static bool is_pidfd(const struct file *f);
/* The process f names, if it is still there (zombies included).
 * proc_tree_lock held. */
static struct proc *pidfd_proc_locked(const struct file *f)
{
	struct proc *p = proc_find(f->pidfd->pid);

	return p && p->start_ns == f->pidfd->start_ns ? p : NULL;
}

static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	unsigned mask = 0;
	struct proc *p;

	poll_wait(pt, &pidfd_head); /* before looking: no lost wake-up */
	fw_spin_lock(&proc_tree_lock);
	p = pidfd_proc_locked(f);
	if (!p) /* reaped (POLLHUP as Linux 6.9 and later add) */
		mask = POLLIN | POLLRDNORM | POLLHUP;
	else if (p->zombie)
		mask = POLLIN | POLLRDNORM;
	fw_spin_unlock(&proc_tree_lock);
	return mask;
}

static void pidfd_release(struct file *f)
{
	fw_free(f->pidfd);
	f->pidfd = NULL;
}

static const struct file_ops pidfd_ops = {
	.poll = pidfd_poll,
	.release = pidfd_release,
};

static bool is_pidfd(const struct file *f)
{
	return f->ops == &pidfd_ops;
}

/* A new pidfd file naming id (pid 0: nobody yet). */
static struct file *pidfd_new(unsigned flags, const struct pidfd *id)
{
	struct pidfd *pf = FW_NEW(struct pidfd);
	struct file *f;

	if (!pf)
		return NULL;
	*pf = *id;
	f = anon_file_create(&pidfd_ops, O_RDWR | (flags & PIDFD_NONBLOCK),
			     "[pidfd]");
	if (!f) {
		fw_free(pf);
		return NULL;
	}
	f->pidfd = pf;
	return f;
}

int pidfd_for_clone(struct file **out)
{
	static const struct pidfd nobody = { 0 };
	struct file *f = pidfd_new(0, &nobody);
	int fd;

	if (!f)
		return -ENOMEM;
	file_get(f); /* ours too: another thread may close the descriptor */
	fd = fd_install(current_files(), f, O_CLOEXEC);
	if (fd < 0) {
		file_put(f);
		file_put(f);
		return fd;
	}
	*out = f;
	return fd;
}

void pidfd_bind(struct file *f, const struct proc *p)
{
	f->pidfd->pid = p->pid;
	f->pidfd->start_ns = p->start_ns;
}

/* The process behind descriptor fd, for a call that then acts on it:
 * -EBADF (no descriptor, or not a pidfd), else 0 and *p with the
 * tree lock held (the caller unlocks); *p NULL if it is gone. nonblock
 * (may be NULL) gets whether fd is non-blocking. */
static int pidfd_target(int fd, struct proc **p, bool *nonblock)
{
	struct file *f = fd_get(current_files(), fd);

	if (!f)
		return -EBADF;
	if (!is_pidfd(f)) {
		file_put(f);
		return -EBADF;
	}
	if (nonblock)
		*nonblock = atomic_load(&f->flags) & O_NONBLOCK;
	fw_spin_lock(&proc_tree_lock);
	*p = pidfd_proc_locked(f);
	file_put(f);
	return 0;
}

int pidfd_wait_target(int fd, int *pid, bool *nonblock)
{
	struct proc *p;
	int err = pidfd_target(fd, &p, nonblock);

	if (err)
		return err;
	if (p)
		*pid = p->pid;
	fw_spin_unlock(&proc_tree_lock);
	return p ? 0 : -ECHILD;
}

/* pidfd_open(2): a pidfd of process pid (a thread group: the id of a
 * thread that does not lead one is EINVAL, as Linux). */
static long sys_pidfd_open(const struct sys_args *a)
{
	int pid = (int)a->arg[0];
	unsigned flags = (unsigned)a->arg[1];
	struct pidfd id = { 0 };
	struct proc *p;
	struct file *f;
	int fd;

	if ((flags & ~(unsigned)PIDFD_NONBLOCK) || pid <= 0)
		return -EINVAL;
	fw_spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p) {
		id.pid = p->pid;
		id.start_ns = p->start_ns;
	}
	fw_spin_unlock(&proc_tree_lock);
	if (!p)
		return thread_find(pid) ? -EINVAL : -ESRCH;
	f = pidfd_new(flags, &id);
	if (!f)
		return -ENOMEM;
	fd = fd_install(current_files(), f, O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long sys_pidfd_send_signal(const struct sys_args *a)
{
	struct proc *p;
	long err;

	if (a->arg[3])
		return -EINVAL; /* no flags defined */
	err = pidfd_target((int)a->arg[0], &p, NULL);
	if (err)
		return err;
	err = p ? signal_send_checked(p, (int)a->arg[1], fw_uptr(a->arg[2]))
		: -ESRCH;
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

/* pidfd_getfd(2): a duplicate of another process's descriptor, for a
 * caller that may ptrace it (Linux: PTRACE_MODE_ATTACH_REALCREDS), new
 * in the caller's table with close-on-exec. */
static long sys_pidfd_getfd(const struct sys_args *a)
{
	struct fdtable *files = NULL;
	struct file *f = NULL;
	struct proc *p;
	long err;
	int fd;

	if (a->arg[2])
		return -EINVAL;
	err = pidfd_target((int)a->arg[0], &p, NULL);
	if (err)
		return err;
	if (!p) {
		err = -ESRCH;
	} else if (ptrace_may_access(p)) {
		err = -EPERM;
	} else {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);

		files = p->files;
		if (files)
			fdtable_get(files);
		fw_spin_unlock_irqrestore(&p->lock, fl);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (err)
		return err;
	if (files) {
		f = fd_get(files, (int)a->arg[1]);
		fdtable_put(files);
	}
	if (!f)
		return -EBADF;
	fd = fd_install(current_files(), f, O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

static const struct sys_entry pidfd_syscalls[] = {
	{ __NR_pidfd_open, "pidfd_open", sys_pidfd_open },
	{ __NR_pidfd_send_signal, "pidfd_send_signal", sys_pidfd_send_signal },
	{ __NR_pidfd_getfd, "pidfd_getfd", sys_pidfd_getfd },
};

void pidfd_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(pidfd_syscalls);
}
