/* services/proc/sched_policy.c: scheduling policies and their
 * priorities: sched_getscheduler(2), sched_setscheduler(2),
 * sched_getparam(2), sched_setparam(2), sched_getattr(2),
 * sched_setattr(2), sched_get_priority_max(2), sched_get_priority_min(2)
 * and sched_rr_get_interval(2).
 *
 * Layer: services (safe C), proc. Every thread here runs under one
 * policy, Linux's SCHED_OTHER (time slices weighed by nice; prio.c), at
 * static priority 0. So these calls report SCHED_OTHER and 0, accept
 * setting exactly that, and refuse any other policy with EINVAL rather
 * than pretend to run it: there is no real-time (SCHED_FIFO, SCHED_RR,
 * SCHED_DEADLINE), batch or idle scheduling yet. The priority ranges
 * are Linux's, so programs can still ask for them. As on Linux, a pid is
 * a thread id, 0 the caller, and changing another user's thread needs
 * CAP_SYS_NICE or a matching uid. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/uaccess.h>
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/uapi.h"
#include "sched/sched.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000

struct sched_param {
	int32_t sched_priority;
};

/* struct sched_attr (include/uapi/linux/sched/types.h): 48 bytes in its
 * first version, 56 with the utilization clamps. */
struct sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};
#define SCHED_ATTR_SIZE_VER0 48u
#define SCHED_FLAG_RESET_ON_FORK 0x01u
#define SCHED_FLAG_KEEP_POLICY 0x08u
#define SCHED_FLAG_KEEP_PARAMS 0x10u
#define SCHED_FLAG_UTIL_CLAMP (0x20u | 0x40u)
#define SCHED_FLAG_ALL 0x7fu
#define NICE_MIN (-20)
#define NICE_MAX 19

/* The highest static priority of a policy, or -EINVAL. */
static long prio_max(int policy)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 99;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	}
	return -EINVAL;
}

static long sys_sched_get_priority_max(const struct sys_args *a)
{
	return prio_max((int)a->arg[0]);
}

static long sys_sched_get_priority_min(const struct sys_args *a)
{
	long max = prio_max((int)a->arg[0]);

	return max > 0 ? 1 : max;
}

/* The thread a pid names (0: the caller); NULL if none. */
static struct thread *target(int pid)
{
	return pid ? thread_find(pid) : thread_current();
}

static long sys_sched_getscheduler(const struct sys_args *a)
{
	if ((int)a->arg[0] < 0)
		return -EINVAL;
	return target((int)a->arg[0]) ? SCHED_OTHER : -ESRCH;
}

static long sys_sched_getparam(const struct sys_args *a)
{
	struct sched_param sp = { 0 };

	if ((int)a->arg[0] < 0 || !a->arg[1])
		return -EINVAL;
	if (!target((int)a->arg[0]))
		return -ESRCH;
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &sp) ? -EFAULT : 0;
}

/* Set policy (SCHED_OTHER only) and priority (0 only) of the thread
 * pid, in Linux's order of checks. */
static long set_policy(int pid, int policy, fw_uptr_t uparam)
{
	const struct cred *me = &proc_current()->cred;
	struct sched_param sp;
	struct thread *t;

	if (pid < 0 || !uparam.addr)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&sp, uparam))
		return -EFAULT;
	t = target(pid);
	if (!t)
		return -ESRCH;
	policy &= ~SCHED_RESET_ON_FORK;
	if (prio_max(policy) < 0)
		return -EINVAL; /* no such policy */
	if (sp.sched_priority != 0 && (policy == SCHED_OTHER ||
				       policy == SCHED_BATCH ||
				       policy == SCHED_IDLE))
		return -EINVAL;
	if (!cred_capable(me, CAP_SYS_NICE) && me->euid != t->proc->cred.uid &&
	    me->euid != t->proc->cred.euid)
		return -EPERM;
	return policy == SCHED_OTHER ? 0 : -EINVAL; /* the only one run */
}

static long sys_sched_setscheduler(const struct sys_args *a)
{
	return set_policy((int)a->arg[0], (int)a->arg[1], fw_uptr(a->arg[2]));
}

static long sys_sched_setparam(const struct sys_args *a)
{
	return set_policy((int)a->arg[0], SCHED_OTHER, fw_uptr(a->arg[1]));
}

/* sched_getattr(2): SCHED_OTHER, the thread's nice, the rest 0; the
 * structure is copied out up to the size the caller gave (Linux's
 * sched_attr_copy_to_user), with that size in it. */
static long sys_sched_getattr(const struct sys_args *a)
{
	struct sched_attr at = { 0 };
	uint32_t usize = (uint32_t)a->arg[2];
	struct fw_bytes out;
	struct thread *t;

	if (!a->arg[1] || (int)a->arg[0] < 0 || usize > FW_PAGE_SIZE ||
	    usize < SCHED_ATTR_SIZE_VER0 || a->arg[3])
		return -EINVAL;
	t = target((int)a->arg[0]);
	if (!t)
		return -ESRCH;
	at.size = usize < sizeof(at) ? usize : (uint32_t)sizeof(at);
	at.sched_policy = SCHED_OTHER;
	at.sched_nice = t->task ? fw_task_nice(t->task) : 0;
	at.sched_util_max = 1024; /* SCHED_CAPACITY_SCALE: no clamp */
	if (fw_bytes_sub(FW_BYTES_OF_OBJ(&at), 0, at.size, &out) ||
	    fw_copy_out(fw_uptr(a->arg[1]), out))
		return -EFAULT;
	return 0;
}

/* sched_setattr(2) for the one policy run here: SCHED_OTHER and its nice
 * (clamped to -20..19, lowering it needs CAP_SYS_NICE: EPERM, as Linux's
 * user_check_sched_setscheduler); other policies EINVAL, utilization
 * clamps EOPNOTSUPP (Linux without CONFIG_UCLAMP_TASK). A size Linux
 * does not know is E2BIG with the size it knows written back, unless the
 * bytes past it are zero (copy_struct_from_user). */
static long sys_sched_setattr(const struct sys_args *a)
{
	const struct cred *me = &proc_current()->cred;
	fw_uptr_t u = fw_uptr(a->arg[1]);
	struct sched_attr at = { 0 };
	uint32_t size, known = (uint32_t)sizeof(at);
	struct fw_buf in;
	struct thread *t;

	if (!a->arg[1] || (int)a->arg[0] < 0 || a->arg[2])
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&size, u))
		return -EFAULT;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > FW_PAGE_SIZE)
		goto too_big;
	for (uint32_t off = known; off < size; off++) {
		uint8_t b;

		if (FW_COPY_IN_OBJ(&b, fw_uptr_add(u, off)))
			return -EFAULT;
		if (b)
			goto too_big;
	}
	if (fw_buf_sub(FW_BUF_OF_OBJ(&at), 0, size < known ? size : known,
		       &in) || fw_copy_in(in, u))
		return -EFAULT;
	if ((int32_t)at.sched_policy < 0 || (at.sched_flags & ~(uint64_t)SCHED_FLAG_ALL))
		return -EINVAL;
	t = target((int)a->arg[0]);
	if (!t)
		return -ESRCH;
	if (at.sched_flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP;
	if (!(at.sched_flags & SCHED_FLAG_KEEP_POLICY) &&
	    at.sched_policy != SCHED_OTHER)
		return -EINVAL; /* unknown, or not run here (see above) */
	if (at.sched_priority != 0)
		return -EINVAL;
	if (at.sched_nice < NICE_MIN)
		at.sched_nice = NICE_MIN;
	if (at.sched_nice > NICE_MAX)
		at.sched_nice = NICE_MAX;
	if (!cred_capable(me, CAP_SYS_NICE) && me->euid != t->proc->cred.uid &&
	    me->euid != t->proc->cred.euid)
		return -EPERM;
	if (at.sched_flags & SCHED_FLAG_KEEP_PARAMS || !t->task)
		return 0;
	if (at.sched_nice < fw_task_nice(t->task) &&
	    !cred_capable(me, CAP_SYS_NICE))
		return -EPERM;
	fw_task_set_nice(t->task, at.sched_nice);
	return 0;
too_big:
	return FW_COPY_OUT_OBJ(u, &known) ? -EFAULT : -E2BIG;
}

/* The thread's time slice: under SCHED_OTHER Linux reports CFS's slice
 * for it, here the round-robin slice its nice value gives. */
static long sys_sched_rr_get_interval(const struct sys_args *a)
{
	struct k_timespec ts;
	struct thread *t;
	uint64_t ns;

	if ((int)a->arg[0] < 0)
		return -EINVAL;
	t = target((int)a->arg[0]);
	if (!t)
		return -ESRCH;
	ns = sched_slice_ns(t->task ? fw_task_nice(t->task) : 0);
	ts.tv_sec = (int64_t)(ns / FW_NSEC_PER_SEC);
	ts.tv_nsec = (int64_t)(ns % FW_NSEC_PER_SEC);
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &ts) ? -EFAULT : 0;
}

static const struct sys_entry sched_policy_syscalls[] = {
	{ __NR_sched_rr_get_interval, "sched_rr_get_interval", sys_sched_rr_get_interval },
	{ __NR_sched_setparam, "sched_setparam", sys_sched_setparam },
	{ __NR_sched_getparam, "sched_getparam", sys_sched_getparam },
	{ __NR_sched_setscheduler, "sched_setscheduler", sys_sched_setscheduler },
	{ __NR_sched_getscheduler, "sched_getscheduler", sys_sched_getscheduler },
	{ __NR_sched_get_priority_max, "sched_get_priority_max", sys_sched_get_priority_max },
	{ __NR_sched_get_priority_min, "sched_get_priority_min", sys_sched_get_priority_min },
	{ __NR_sched_setattr, "sched_setattr", sys_sched_setattr },
	{ __NR_sched_getattr, "sched_getattr", sys_sched_getattr },
};

void sched_policy_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(sched_policy_syscalls);
}
