/* services/proc/unshare.c: unshare(2), the other half of clone's sharing
 * flags.
 *
 * Layer: services (safe C). A process stops sharing its descriptor table
 * (CLONE_FILES) or its root, working directory and umask (CLONE_FS) with
 * the processes it was cloned with: it gets a copy, as Linux's
 * unshare_fd/unshare_fs. CLONE_THREAD, CLONE_SIGHAND and CLONE_VM cannot
 * be undone, so they are accepted only when there is nothing to unshare
 * (one thread; handlers and memory not shared), else EINVAL. CLONE_SYSVSEM
 * has nothing to do: semaphore undo records are each process's own here.
 * There are no namespaces: asking for one is EPERM without CAP_SYS_ADMIN
 * (Linux checks that first) and EINVAL with it, which is what Linux says
 * when built without them. Descriptor tables and file-system contexts are
 * per process here, not per thread as on Linux: a thread of a
 * multi-threaded process that unshares them does so for its process. */
#include <fw/errno.h>

#include "fs/vfs/fdtable.h"
#include "mm/mm.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "current/current.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define UNSHARE_NS (CLONE_NEWNS | CLONE_NEWTIME | CLONE_NEWCGROUP | \
		    CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET)
#define UNSHARE_ALL (UNSHARE_NS | CLONE_NEWUSER | CLONE_THREAD | CLONE_FS | \
		     CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM)

/* Does a process other than p use p's address space (CLONE_VM without
 * CLONE_THREAD, or a vfork child and its parent)? */
static bool mm_shared(const struct proc *p)
{
	const struct proc *q;
	int cursor = 0;

	while ((q = proc_next(&cursor)))
		if (q != p && q->mm == p->mm)
			return true;
	return false;
}

static int check_flags(struct proc *p, uint32_t flags)
{
	unsigned nthreads;
	uint32_t sighand_refs;
	fw_irqflags_t fl;

	if (flags & ~(uint32_t)UNSHARE_ALL)
		return -EINVAL;
	fl = fw_spin_lock_irqsave(&p->lock);
	nthreads = p->nthreads;
	sighand_refs = __atomic_load_n(&p->sighand->refs, __ATOMIC_RELAXED);
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if ((flags & CLONE_THREAD) && nthreads > 1)
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && sighand_refs > 1)
		return -EINVAL;
	if ((flags & CLONE_VM) && (nthreads > 1 || mm_shared(p)))
		return -EINVAL;
	if (flags & CLONE_NEWUSER)
		return -EINVAL;
	if (flags & UNSHARE_NS)
		return cred_capable(&p->cred, CAP_SYS_ADMIN) ? -EINVAL : -EPERM;
	return 0;
}

/* Replace p's table and context by copies where asked and shared (the
 * copies first, so running out of memory changes nothing), swapped
 * under p->lock, where procfs takes its references. */
static int unshare_tables(struct proc *p, bool files_too, bool fs_too)
{
	struct fdtable *files = NULL;
	struct fs_context *fs = NULL;
	fw_irqflags_t fl;

	if (files_too && atomic_load(&p->files->refs) > 1 &&
	    fdtable_fork(p->files, &files))
		return -ENOMEM;
	if (fs_too && atomic_load(&p->fs->refs) > 1 &&
	    fs_context_fork(p->fs, &fs)) {
		if (files)
			fdtable_put(files);
		return -ENOMEM;
	}
	fl = fw_spin_lock_irqsave(&p->lock);
	if (files) {
		struct fdtable *old = p->files;

		p->files = files;
		files = old;
	}
	if (fs) {
		struct fs_context *old = p->fs;

		p->fs = fs;
		fs = old;
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if (files)
		fdtable_put(files);
	if (fs)
		fs_context_put(fs);
	return 0;
}

int current_unshare_files(void)
{
	return unshare_tables(proc_current(), true, false);
}

static long sys_unshare(const struct sys_args *a)
{
	struct proc *p = proc_current();
	uint32_t flags = (uint32_t)a->arg[0];
	int err;

	if (a->arg[0] > UINT32_MAX)
		return -EINVAL;
	/* What the flags imply, as Linux's ksys_unshare. */
	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	err = check_flags(p, flags);
	if (err)
		return err;
	return unshare_tables(p, flags & CLONE_FILES, flags & CLONE_FS);
}

static const struct sys_entry unshare_syscalls[] = {
	{ __NR_unshare, "unshare", sys_unshare },
};

void unshare_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(unshare_syscalls);
}
