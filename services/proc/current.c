/* services/proc/current.c: services/current/current.h, implemented.
 *
 * Layer: services (safe C), process service. What the layers below
 * (fs, mm, exec, the syscall dispatcher) may know of the calling process,
 * read from its struct proc / struct thread, so that none of them
 * includes services/proc. */
#include "proc/proc.h"
#include "proc/uapi.h"

/* SIGKILL and SIGSTOP: no mask blocks them. */
#define SIGKILL_STOP_BITS ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

/* Kernel tasks act as root with every capability. */
static const struct cred root_cred = { .cap_eff = CAP_FULL_SET,
				       .cap_prm = CAP_FULL_SET,
				       .cap_bset = CAP_FULL_SET };

const struct cred *fs_cred(void)
{
	struct proc *p = proc_current();

	return p ? &p->cred : &root_cred;
}

struct fdtable *current_files(void)
{
	struct proc *p = proc_current();

	return p ? p->files : NULL;
}

struct fs_context *current_fs(void)
{
	struct proc *p = proc_current();

	return p ? p->fs : NULL;
}

struct mm *current_mm(void)
{
	struct proc *p = proc_current();

	return p ? p->mm : NULL;
}

int current_pid(void)
{
	struct proc *p = proc_current();

	return p ? p->pid : 0;
}

int current_tid(void)
{
	struct thread *t = thread_current();

	return t ? t->tid : 0;
}

int current_parent_pid(void)
{
	struct proc *p = proc_current();

	return p && p->parent ? p->parent->pid : -1;
}

const char *current_comm(void)
{
	struct proc *p = proc_current();

	return p ? p->comm : "?";
}

uint64_t current_rlimit(unsigned resource)
{
	struct proc *p = proc_current();

	if (!p || resource >= RLIM_NLIMITS)
		return RLIM_INFINITY;
	return p->rlimit_cur[resource];
}

bool current_sigmask_swap(uint64_t mask, uint64_t *saved)
{
	struct thread *t = thread_current();

	if (!t)
		return false;
	*saved = t->sigmask;
	t->sigmask = mask & ~SIGKILL_STOP_BITS;
	return true;
}

void current_sigmask_restore(uint64_t saved)
{
	thread_current()->sigmask = saved;
}

void current_sigmask_restore_after_signal(uint64_t saved)
{
	struct thread *t = thread_current();

	t->saved_sigmask = saved;
	t->restore_sigmask = true;
}
