/* services/proc/sched/prio.c: nice values (getpriority(2), setpriority(2)) and
 * I/O priorities (ioprio_get(2), ioprio_set(2)).
 *
 * Layer: services (safe C), proc. A thread's nice value (-20..19) lives
 * in its task's scheduling entity, where the policy (services/sched)
 * turns it into a time slice. As on Linux, PRIO_PROCESS names one thread
 * (a tid), PRIO_PGRP every thread of a process group, PRIO_USER every
 * thread of a real user id; 0 means the caller's own. Raising priority
 * (a lower nice) needs CAP_SYS_NICE; changing another user's threads
 * needs it or a matching uid (set_one_prio).
 *
 * An I/O priority is kept per thread and inherited on clone, as Linux
 * keeps it in the I/O context; the block layer here has one queue per
 * disk and does not order requests by it (as Linux's "none" scheduler,
 * which virtio disks get). */
#include <fw/errno.h>
#include <fw/task.h>
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
#define NICE_MIN (-20)
#define NICE_MAX 19

static int thread_nice(const struct thread *t)
{
	return t->task ? fw_task_nice(t->task) : 0;
}

bool thread_can_nice(const struct thread *t, int nice)
{
	return (uint64_t)(20 - nice) <= t->proc->rlimit_cur[RLIMIT_NICE] ||
	       cred_capable(&proc_current()->cred, CAP_SYS_NICE);
}

/* Linux set_one_prio: 0, -EPERM (not ours) or -EACCES (raising). */
static int set_one(struct thread *t, int nice)
{
	const struct cred *me = &proc_current()->cred;
	const struct cred *them = &t->proc->cred;

	if (!cred_capable(me, CAP_SYS_NICE) && me->euid != them->uid &&
	    me->euid != them->euid)
		return -EPERM;
	if (nice < thread_nice(t) && !thread_can_nice(t, nice))
		return -EACCES;
	if (t->task)
		fw_task_set_nice(t->task, nice);
	return 0;
}

static bool matches(const struct proc *p, int which, int who)
{
	return which == PRIO_PGRP ? p->pgid == who : p->cred.uid == (uint32_t)who;
}

/* What walk() reads and sets: the value of one thread as reported, as
 * compared (lower is more urgent) and a setter. */
struct prio_kind {
	int (*value)(const struct thread *t);
	int (*rank)(const struct thread *t);
	int (*set)(struct thread *t, int v);
};

/* Apply (set) or collect (get: the most urgent) over the threads named.
 * -ESRCH if none is named. */
static long walk(const struct prio_kind *k, int which, int who, bool set,
		 int v, int *best)
{
	struct proc *me = proc_current();
	int cursor = 0, found = 0, err = 0, best_rank = 0;
	struct proc *p;

	if (which == PRIO_PROCESS) {
		struct thread *t = who ? thread_find(who) : thread_current();

		if (!t)
			return -ESRCH;
		*best = k->value(t);
		return set ? k->set(t, v) : 0;
	}
	if (!who)
		who = which == PRIO_PGRP ? me->pgid : (int)me->cred.uid;
	while ((p = proc_next(&cursor))) {
		struct thread *t;
		fw_irqflags_t fl;

		if (p->zombie || !matches(p, which, who))
			continue;
		fl = fw_spin_lock_irqsave(&p->lock); /* the thread list */
		FW_LIST_FOR_EACH(t, &p->threads, proc_node) {
			int r = k->rank(t), e;

			if (!found || r < best_rank) {
				best_rank = r;
				*best = r;
			}
			found++;
			if (set && (e = k->set(t, v)) != 0)
				err = e;
		}
		fw_spin_unlock_irqrestore(&p->lock, fl);
	}
	return found ? err : -ESRCH;
}

static const struct prio_kind nice_kind = { thread_nice, thread_nice, set_one };

static long sys_getpriority(const struct sys_args *a)
{
	int which = (int)a->arg[0], lowest = 0;
	long err;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	err = walk(&nice_kind, which, (int)a->arg[1], false, 0, &lowest);
	/* The raw call returns 20 - nice (1..40), never negative; the C
	 * library turns it back. */
	return err ? err : 20 - lowest;
}

static long sys_setpriority(const struct sys_args *a)
{
	int which = (int)a->arg[0], nice = (int)a->arg[2], lowest;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	return walk(&nice_kind, which, (int)a->arg[1], true, nice, &lowest);
}

/* --- I/O priorities ------------------------------------------------------ */

#define IOPRIO_WHO_PROCESS 1 /* then PGRP, USER: PRIO_* + 1 */
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_NR_LEVELS 8
#define IOPRIO_BE_NORM 4

static int thread_ioprio(const struct thread *t)
{
	return t->ioprio;
}

/* For comparing (Linux ioprio_best): one never set counts as best
 * effort at the normal level. */
static int thread_ioprio_rank(const struct thread *t)
{
	return t->ioprio ? t->ioprio
			 : (IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT) | IOPRIO_BE_NORM;
}

/* Linux set_task_ioprio: the caller's euid must be the target's uid or
 * euid, or it has CAP_SYS_NICE. */
static int set_ioprio(struct thread *t, int v)
{
	const struct cred *me = &proc_current()->cred;
	const struct cred *them = &t->proc->cred;

	if (!cred_capable(me, CAP_SYS_NICE) && me->euid != them->uid &&
	    me->euid != them->euid)
		return -EPERM;
	t->ioprio = (uint16_t)v;
	return 0;
}

static const struct prio_kind ioprio_kind = { thread_ioprio,
					      thread_ioprio_rank, set_ioprio };

static long sys_ioprio_get(const struct sys_args *a)
{
	int which = (int)a->arg[0], best = 0;
	long err;

	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_PROCESS + PRIO_USER)
		return -EINVAL;
	err = walk(&ioprio_kind, which - IOPRIO_WHO_PROCESS, (int)a->arg[1],
		   false, 0, &best);
	return err ? err : best;
}

/* Linux ioprio_check_cap: a known class; RT needs CAP_SYS_NICE (or
 * CAP_SYS_ADMIN); RT and BE take a level below 8; NONE takes none. */
static long sys_ioprio_set(const struct sys_args *a)
{
	int which = (int)a->arg[0], v = (int)a->arg[2], best;
	int class = (v >> IOPRIO_CLASS_SHIFT) & 7;
	int data = v & ((1 << IOPRIO_CLASS_SHIFT) - 1);
	const struct cred *me = &proc_current()->cred;

	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_PROCESS + PRIO_USER ||
	    v < 0 || v >> 16)
		return -EINVAL;
	switch (class) {
	case IOPRIO_CLASS_RT:
		if (!cred_capable(me, CAP_SYS_NICE) &&
		    !cred_capable(me, CAP_SYS_ADMIN))
			return -EPERM;
		/* fall through */
	case IOPRIO_CLASS_BE:
		if (data >= IOPRIO_NR_LEVELS)
			return -EINVAL;
		break;
	case IOPRIO_CLASS_IDLE:
		break;
	case IOPRIO_CLASS_NONE:
		if (data)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return walk(&ioprio_kind, which - IOPRIO_WHO_PROCESS, (int)a->arg[1],
		    true, v, &best);
}

static const struct sys_entry prio_syscalls[] = {
	{ __NR_getpriority, "getpriority", sys_getpriority },
	{ __NR_setpriority, "setpriority", sys_setpriority },
	{ __NR_ioprio_get, "ioprio_get", sys_ioprio_get },
	{ __NR_ioprio_set, "ioprio_set", sys_ioprio_set },
};

void prio_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(prio_syscalls);
}
