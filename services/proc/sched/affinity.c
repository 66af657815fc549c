/* services/proc/sched/affinity.c: sched_setaffinity(2) and
 * sched_getaffinity(2).
 *
 * Layer: services (safe C), proc. A thread's CPU affinity is its task's
 * mask in the framework (fw_task_set_affinity), which the scheduling
 * policy chooses within and the framework enforces; threads and
 * processes inherit their creator's (proc.c). As on Linux, the pid names
 * one thread (a tid), 0 the caller; a mask is one bit per CPU in unsigned
 * longs, of any length (bits past the last CPU are ignored, missing ones
 * are 0); one with no online CPU is EINVAL; changing another user's
 * thread needs CAP_SYS_NICE or a matching uid (Linux
 * check_same_owner). */
#include <fw/bytes.h>
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/task.h>
#include <fw/uaccess.h>
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

/* The kernel's mask size (Linux cpumask_size()): 64 CPUs, one long. */
#define MASK_BYTES 8u

static struct thread *target(int tid)
{
	return tid ? thread_find(tid) : thread_current();
}

static long sys_sched_setaffinity(const struct sys_args *a)
{
	struct thread *t = target((int)a->arg[0]);
	uint64_t len = a->arg[1], mask = 0;
	const struct cred *me = &proc_current()->cred;

	if ((int)a->arg[0] < 0)
		return -ESRCH;
	/* The mask is read before the thread is looked at, as Linux does. */
	if (len > MASK_BYTES)
		len = MASK_BYTES;
	if (len) {
		struct fw_buf part;

		if (fw_buf_sub(FW_BUF_OF_OBJ(&mask), 0, len, &part) ||
		    fw_copy_in(part, fw_uptr(a->arg[2])))
			return -EFAULT;
	}
	if (!t || !t->task)
		return -ESRCH;
	if (!cred_capable(me, CAP_SYS_NICE) && me->euid != t->proc->cred.uid &&
	    me->euid != t->proc->cred.euid)
		return -EPERM;
	return fw_task_set_affinity(t->task, mask);
}

static long sys_sched_getaffinity(const struct sys_args *a)
{
	struct thread *t = target((int)a->arg[0]);
	uint64_t len = a->arg[1], mask;

	if ((int)a->arg[0] < 0)
		return -ESRCH;
	/* Room for every CPU, in whole longs (Linux's two EINVAL checks). */
	if (len * 8 < fw_cpu_count() || (len & 7))
		return -EINVAL;
	if (!t || !t->task)
		return -ESRCH;
	mask = fw_task_affinity(t->task) &
	       (fw_cpu_count() >= 64 ? ~0ull : (1ull << fw_cpu_count()) - 1);
	if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &mask))
		return -EFAULT;
	return MASK_BYTES; /* bytes written, as the raw system call returns */
}

static const struct sys_entry affinity_syscalls[] = {
	{ __NR_sched_setaffinity, "sched_setaffinity", sys_sched_setaffinity },
	{ __NR_sched_getaffinity, "sched_getaffinity", sys_sched_getaffinity },
};

void affinity_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(affinity_syscalls);
}
