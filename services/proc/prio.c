/* services/proc/prio.c: nice values: getpriority(2) and setpriority(2).
 *
 * Layer: services (safe C), proc. A thread's nice value (-20..19) lives
 * in its task's scheduling entity, where the policy (services/sched)
 * turns it into a time slice. As on Linux, PRIO_PROCESS names one thread
 * (a tid), PRIO_PGRP every thread of a process group, PRIO_USER every
 * thread of a real user id; 0 means the caller's own. Raising priority
 * (a lower nice) needs CAP_SYS_NICE; changing another user's threads
 * needs it or a matching uid (set_one_prio). */
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

/* Linux set_one_prio: 0, -EPERM (not ours) or -EACCES (raising). */
static int set_one(struct thread *t, int nice)
{
	const struct cred *me = &proc_current()->cred;
	const struct cred *them = &t->proc->cred;

	if (!cred_capable(me, CAP_SYS_NICE) && me->euid != them->uid &&
	    me->euid != them->euid)
		return -EPERM;
	if (nice < thread_nice(t) && !cred_capable(me, CAP_SYS_NICE))
		return -EACCES;
	if (t->task)
		fw_task_set_nice(t->task, nice);
	return 0;
}

static bool matches(const struct proc *p, int which, int who)
{
	return which == PRIO_PGRP ? p->pgid == who : p->cred.uid == (uint32_t)who;
}

/* Apply (set) or collect (get: the lowest nice) over the threads named.
 * -ESRCH if none is named. */
static long walk(int which, int who, bool set, int nice, int *lowest)
{
	struct proc *me = proc_current();
	int cursor = 0, found = 0, err = 0;
	struct proc *p;

	if (which == PRIO_PROCESS) {
		struct thread *t = who ? thread_find(who) : thread_current();

		if (!t)
			return -ESRCH;
		*lowest = thread_nice(t);
		return set ? set_one(t, nice) : 0;
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
			int n = thread_nice(t), e;

			if (!found || n < *lowest)
				*lowest = n;
			found++;
			if (set && (e = set_one(t, nice)) != 0)
				err = e;
		}
		fw_spin_unlock_irqrestore(&p->lock, fl);
	}
	return found ? err : -ESRCH;
}

static long sys_getpriority(const struct sys_args *a)
{
	int which = (int)a->arg[0], lowest = 0;
	long err;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	err = walk(which, (int)a->arg[1], false, 0, &lowest);
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
	return walk(which, (int)a->arg[1], true, nice, &lowest);
}

static const struct sys_entry prio_syscalls[] = {
	{ __NR_getpriority, "getpriority", sys_getpriority },
	{ __NR_setpriority, "setpriority", sys_setpriority },
};

void prio_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(prio_syscalls);
}
