/* services/proc/sched/rseq.c: restartable sequences, rseq(2) (Linux's
 * kernel/rseq.c, include/uapi/linux/rseq.h).
 *
 * Layer: services (safe C), proc. A thread registers a struct rseq in its
 * memory; the kernel keeps its cpu_id_start and cpu_id (and node_id, 0)
 * right whenever the thread goes back to user mode on another CPU, so
 * glibc's sched_getcpu and per-CPU allocators read the CPU without a
 * system call. A critical section the thread marks (rseq_cs: start, the
 * length to the commit, an abort address preceded by the registered
 * signature) that is preempted, moved, or interrupted by a signal
 * restarts at its abort address, as Linux does before the thread runs
 * again (and before a signal frame is made, so the handler returns
 * there). A descriptor that lies (outside user space, abort inside the
 * section, wrong signature) is SIGSEGV. Registration is per thread:
 * fork keeps it, a new thread and execve do not. */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/task.h>
#include <fw/uaccess.h>
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define RSEQ_FLAG_UNREGISTER 1u
#define RSEQ_LEN 32u                 /* struct rseq, ORIG_RSEQ_SIZE */
#define RSEQ_CPU_ID_UNINITIALIZED (-1)
#define OFF_CPU_ID_START 0
#define OFF_CPU_ID 4
#define OFF_RSEQ_CS 8
#define OFF_NODE_ID 20

struct k_rseq_cs {
	uint32_t version, flags;
	uint64_t start_ip, post_commit_offset, abort_ip;
};

static int put_ids(fw_uptr_t rs, int32_t start, int32_t cpu)
{
	uint32_t node = 0;

	if (FW_COPY_OUT_OBJ(fw_uptr_add(rs, OFF_CPU_ID_START), &start) ||
	    FW_COPY_OUT_OBJ(fw_uptr_add(rs, OFF_CPU_ID), &cpu) ||
	    FW_COPY_OUT_OBJ(fw_uptr_add(rs, OFF_NODE_ID), &node))
		return -EFAULT;
	return 0;
}

/* Linux's rseq_ip_fixup: restart a critical section the thread was
 * stopped in. 0, or -EFAULT / -EINVAL for a descriptor that lies. */
static int ip_fixup(struct thread *t, fw_uptr_t rs)
{
	uint64_t csp, ip = t->ctx.rip, zero = 0;
	struct k_rseq_cs cs;
	uint32_t sig;

	if (FW_COPY_IN_OBJ(&csp, fw_uptr_add(rs, OFF_RSEQ_CS)))
		return -EFAULT;
	if (!csp)
		return 0;
	if (csp >= MM_TASK_SIZE || FW_COPY_IN_OBJ(&cs, fw_uptr(csp)))
		return -EFAULT;
	if (cs.version > 0 || cs.flags || cs.start_ip >= MM_TASK_SIZE ||
	    cs.start_ip + cs.post_commit_offset >= MM_TASK_SIZE ||
	    cs.start_ip + cs.post_commit_offset < cs.start_ip ||
	    cs.abort_ip >= MM_TASK_SIZE ||
	    cs.abort_ip - cs.start_ip < cs.post_commit_offset)
		return -EINVAL;
	/* Outside the section: the descriptor is stale, clear it. */
	if (ip - cs.start_ip >= cs.post_commit_offset)
		return FW_COPY_OUT_OBJ(fw_uptr_add(rs, OFF_RSEQ_CS), &zero) ?
			       -EFAULT : 0;
	if (cs.abort_ip < 4 || FW_COPY_IN_OBJ(&sig, fw_uptr(cs.abort_ip - 4)))
		return -EFAULT;
	if (sig != t->rseq.sig)
		return -EINVAL;
	if (FW_COPY_OUT_OBJ(fw_uptr_add(rs, OFF_RSEQ_CS), &zero))
		return -EFAULT;
	t->ctx.rip = cs.abort_ip;
	return 0;
}

void rseq_resume(struct thread *t, bool maybe_stopped)
{
	fw_uptr_t rs = fw_uptr(t->rseq.addr);
	unsigned cpu = fw_cpu_id();
	uint64_t preempted = fw_task_preemptions(t->task);
	bool moved = cpu != t->rseq.cpu;

	/* Only after a preemption, a move or with a signal to deliver:
	 * those are when a section may have lost its CPU. */
	if (moved || preempted != t->rseq.preemptions || maybe_stopped) {
		t->rseq.preemptions = preempted;
		if (ip_fixup(t, rs)) {
			signal_force_fault(t, SIGSEGV, SI_KERNEL, 0);
			return;
		}
	}
	if (moved) {
		t->rseq.cpu = cpu;
		if (put_ids(rs, (int32_t)cpu, (int32_t)cpu))
			signal_force_fault(t, SIGSEGV, SI_KERNEL, 0);
	}
}

static long sys_rseq(const struct sys_args *a)
{
	struct thread *t = thread_current();
	uint64_t addr = a->arg[0];
	uint32_t len = (uint32_t)a->arg[1], flags = (uint32_t)a->arg[2];
	uint32_t sig = (uint32_t)a->arg[3];

	if (flags & RSEQ_FLAG_UNREGISTER) {
		if (flags & ~RSEQ_FLAG_UNREGISTER)
			return -EINVAL;
		if (!t->rseq.addr || t->rseq.addr != addr || len != RSEQ_LEN)
			return -EINVAL;
		if (t->rseq.sig != sig)
			return -EPERM;
		if (put_ids(fw_uptr(addr), 0, RSEQ_CPU_ID_UNINITIALIZED))
			return -EFAULT;
		t->rseq = (struct rseq_reg){ 0 };
		return 0;
	}
	if (flags)
		return -EINVAL;
	if (t->rseq.addr) {
		if (t->rseq.addr != addr || len != RSEQ_LEN)
			return -EINVAL;
		return t->rseq.sig != sig ? -EPERM : -EBUSY;
	}
	if (addr % RSEQ_LEN || len != RSEQ_LEN)
		return -EINVAL;
	if (!fw_uptr_range_ok(fw_uptr(addr), len))
		return -EFAULT;
	t->rseq = (struct rseq_reg){ .addr = addr, .sig = sig,
				     .cpu = ~0u, /* written on the way out */
				     .preemptions = fw_task_preemptions(t->task) };
	return 0;
}

static const struct sys_entry rseq_syscalls[] = {
	{ __NR_rseq, "rseq", sys_rseq },
};

void rseq_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(rseq_syscalls);
}
