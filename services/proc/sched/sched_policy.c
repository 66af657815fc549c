/* services/proc/sched/sched_policy.c: scheduling policies and their
 * priorities: sched_getscheduler(2), sched_setscheduler(2),
 * sched_getparam(2), sched_setparam(2), sched_getattr(2),
 * sched_setattr(2), sched_get_priority_max(2), sched_get_priority_min(2)
 * and sched_rr_get_interval(2).
 *
 * Layer: services (safe C), proc. The scheduler (services/sched) runs
 * Linux's policies: SCHED_FIFO and SCHED_RR at real-time priorities
 * 1..99 above everything else, SCHED_OTHER and SCHED_BATCH in time slices
 * weighed by nice (prio.c), SCHED_IDLE with the smallest weight. A
 * thread's policy and priority live in its task's scheduling entity
 * (fw_task_set_sched_class). SCHED_DEADLINE is refused with EINVAL: there
 * is no deadline scheduler to honour its runtime. As on Linux, a pid is a
 * thread id, 0 the caller; without CAP_SYS_NICE a thread may change only
 * its own user's threads, enter a real-time policy only up to its
 * RLIMIT_RTPRIO, raise no nice value, and not clear
 * SCHED_RESET_ON_FORK (Linux's __sched_setscheduler). */
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
		return SCHED_RT_PRIO_MAX;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	}
	return -EINVAL;
}

static bool rt_policy(uint32_t policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
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

/* t's policy, real-time priority and nice value. */
struct sched_state {
	uint32_t policy, prio;
	int nice;
};

static struct sched_state state_of(const struct thread *t)
{
	struct sched_state st = { 0 };

	if (t->task) {
		fw_task_sched_class(t->task, &st.policy, &st.prio);
		st.nice = fw_task_nice(t->task);
	}
	return st;
}

/* A change asked of __sched_setscheduler. */
struct sched_change {
	uint32_t policy;    /* validated by the caller: prio_max() >= 0 */
	uint32_t prio;
	int nice;           /* for the time-shared policies, if set_nice */
	bool set_nice;
	bool reset_on_fork;
	bool keep_params;   /* SCHED_FLAG_KEEP_PARAMS: check, change nothing
			     * but the fork flag */
};

/* Linux's __sched_setscheduler: the checks in its order, then the
 * change. */
static long sched_change(struct thread *t, const struct sched_change *c)
{
	const struct cred *me = &proc_current()->cred;
	struct sched_state st = state_of(t);

	if (c->policy == SCHED_DEADLINE)
		return -EINVAL; /* no deadline scheduler (see the top) */
	if (c->prio > SCHED_RT_PRIO_MAX || rt_policy(c->policy) != (c->prio != 0))
		return -EINVAL;
	if (!cred_capable(me, CAP_SYS_NICE)) {
		uint64_t rtprio = t->proc->rlimit_cur[RLIMIT_RTPRIO];

		if (!rt_policy(c->policy) && c->set_nice &&
		    c->nice < st.nice && !thread_can_nice(t, c->nice))
			return -EPERM;
		if (rt_policy(c->policy) &&
		    ((c->policy != st.policy && !rtprio) ||
		     (c->prio > st.prio && c->prio > rtprio)))
			return -EPERM;
		if (st.policy == SCHED_IDLE && c->policy != SCHED_IDLE &&
		    !thread_can_nice(t, st.nice))
			return -EPERM;
		if (me->euid != t->proc->cred.uid &&
		    me->euid != t->proc->cred.euid)
			return -EPERM;
		if (t->sched_reset_on_fork && !c->reset_on_fork)
			return -EPERM;
	}
	t->sched_reset_on_fork = c->reset_on_fork;
	if (c->keep_params || !t->task)
		return 0;
	if (!rt_policy(c->policy) && c->set_nice)
		fw_task_set_nice(t->task, c->nice);
	fw_task_set_sched_class(t->task, c->policy, c->prio);
	return 0;
}

static long sys_sched_getscheduler(const struct sys_args *a)
{
	struct thread *t;

	if ((int)a->arg[0] < 0)
		return -EINVAL;
	t = target((int)a->arg[0]);
	if (!t)
		return -ESRCH;
	return (long)state_of(t).policy |
	       (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

static long sys_sched_getparam(const struct sys_args *a)
{
	struct sched_param sp = { 0 };
	struct thread *t;

	if ((int)a->arg[0] < 0 || !a->arg[1])
		return -EINVAL;
	t = target((int)a->arg[0]);
	if (!t)
		return -ESRCH;
	sp.sched_priority = (int32_t)state_of(t).prio;
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &sp) ? -EFAULT : 0;
}

/* sched_setscheduler(2) and, with policy -1 (keep it), sched_setparam(2). */
static long set_policy(int pid, int policy, fw_uptr_t uparam)
{
	struct sched_change c = { 0 };
	struct sched_param sp;
	struct thread *t;

	if (pid < 0 || !uparam.addr)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&sp, uparam))
		return -EFAULT;
	t = target(pid);
	if (!t)
		return -ESRCH;
	if (policy == -1) {
		policy = (int)state_of(t).policy;
		c.reset_on_fork = t->sched_reset_on_fork;
	} else if (policy < 0) {
		return -EINVAL;
	} else {
		c.reset_on_fork = policy & SCHED_RESET_ON_FORK;
		policy &= ~SCHED_RESET_ON_FORK;
	}
	if (prio_max(policy) < 0 || sp.sched_priority < 0)
		return -EINVAL; /* no such policy, or a negative priority */
	c.policy = (uint32_t)policy;
	c.prio = (uint32_t)sp.sched_priority;
	return sched_change(t, &c);
}

static long sys_sched_setscheduler(const struct sys_args *a)
{
	if ((int)a->arg[1] < 0)
		return -EINVAL;
	return set_policy((int)a->arg[0], (int)a->arg[1], fw_uptr(a->arg[2]));
}

static long sys_sched_setparam(const struct sys_args *a)
{
	return set_policy((int)a->arg[0], -1, fw_uptr(a->arg[1]));
}

/* sched_getattr(2): the structure is copied out up to the size the
 * caller gave (Linux's sched_attr_copy_to_user), with that size in it. */
static long sys_sched_getattr(const struct sys_args *a)
{
	struct sched_attr at = { 0 };
	uint32_t usize = (uint32_t)a->arg[2];
	struct sched_state st;
	struct fw_bytes out;
	struct thread *t;

	if (!a->arg[1] || (int)a->arg[0] < 0 || usize > FW_PAGE_SIZE ||
	    usize < SCHED_ATTR_SIZE_VER0 || a->arg[3])
		return -EINVAL;
	t = target((int)a->arg[0]);
	if (!t)
		return -ESRCH;
	st = state_of(t);
	at.size = usize < sizeof(at) ? usize : (uint32_t)sizeof(at);
	at.sched_policy = st.policy;
	at.sched_flags = t->sched_reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
	at.sched_nice = rt_policy(st.policy) ? 0 : st.nice;
	at.sched_priority = st.prio;
	at.sched_util_max = 1024; /* SCHED_CAPACITY_SCALE: no clamp */
	if (fw_bytes_sub(FW_BYTES_OF_OBJ(&at), 0, at.size, &out) ||
	    fw_copy_out(fw_uptr(a->arg[1]), out))
		return -EFAULT;
	return 0;
}

/* sched_setattr(2): the policies above with their priority or nice
 * (clamped to -20..19); utilization clamps EOPNOTSUPP (Linux without
 * CONFIG_UCLAMP_TASK). A size Linux does not know is E2BIG with the size
 * it knows written back, unless the bytes past it are zero
 * (copy_struct_from_user). */
static long sys_sched_setattr(const struct sys_args *a)
{
	fw_uptr_t u = fw_uptr(a->arg[1]);
	struct sched_attr at = { 0 };
	uint32_t size, known = (uint32_t)sizeof(at);
	struct sched_change c = { 0 };
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
	if (at.sched_flags & SCHED_FLAG_KEEP_POLICY)
		at.sched_policy = state_of(t).policy;
	if (prio_max((int)at.sched_policy) < 0)
		return -EINVAL;
	c.policy = at.sched_policy;
	c.prio = at.sched_priority;
	c.nice = at.sched_nice < NICE_MIN ? NICE_MIN :
		 at.sched_nice > NICE_MAX ? NICE_MAX : at.sched_nice;
	c.set_nice = true;
	c.reset_on_fork = at.sched_flags & SCHED_FLAG_RESET_ON_FORK;
	c.keep_params = at.sched_flags & SCHED_FLAG_KEEP_PARAMS;
	return sched_change(t, &c);
too_big:
	return FW_COPY_OUT_OBJ(u, &known) ? -EFAULT : -E2BIG;
}

/* The thread's time slice: SCHED_RR's 100 ms, 0 for SCHED_FIFO, and for
 * the time-shared policies the round-robin slice its nice value gives
 * (Linux reports CFS's slice there). */
static long sys_sched_rr_get_interval(const struct sys_args *a)
{
	struct k_timespec ts;
	struct sched_state st;
	struct thread *t;
	uint64_t ns;

	if ((int)a->arg[0] < 0)
		return -EINVAL;
	t = target((int)a->arg[0]);
	if (!t)
		return -ESRCH;
	st = state_of(t);
	ns = sched_slice_ns((int)st.policy, st.nice);
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
