/* services/proc/ptrace/wait.c: what a tracer's wait sees of its tracees.
 *
 * Layer: services (safe C). proc.c's wait scans the caller's children,
 * then calls here for the threads it traces (Linux wait_consider_task on
 * the ptraced list): a ptrace-stop not yet reported, or a thread's exit.
 * A tracee is waited for by its tid and whatever its kind (Linux 4.7 on:
 * "assume __WALL if the child is traced"). A thread other than the main
 * one reports its own exit; the main thread reports its process's, once
 * the process has ended (Linux delay_group_leader), and if the tracer is
 * the parent as well, the parent's reaping in proc.c reports it instead.
 * Everything here runs under proc_tree_lock. */
#include <fw/errno.h>
#include "proc/proc_internal.h"
#include "proc/ptrace/hooks.h"
#include "proc/ptrace/ptrace.h"
#include "proc/uapi.h"

bool ptrace_traces_leader(const struct proc *c, struct proc *me)
{
	return c->trace.leader && c->trace.leader->trace.tracer == me;
}

bool ptrace_holds_proc(struct proc *c, struct proc *me)
{
	const struct thread *l = c->trace.leader;
	const struct thread *t;

	if (c->trace.exiting || (l && (l->trace.tracer != me || !l->trace.dead)))
		return true;
	/* Its other threads' exits that we have not yet seen come first
	 * (Linux delay_group_leader). Only the address is compared: a dead
	 * one's process may be gone. */
	FW_LIST_FOR_EACH(t, &me->trace.tracees, trace.node)
		if (t->trace.dead && !t->trace.leader && t->proc == c)
			return true;
	return false;
}

struct thread *ptrace_release_leader(struct proc *c)
{
	struct thread *l = c->trace.leader;

	if (!l)
		return NULL;
	if (l->trace.dead) {
		ptrace_forget_dead_locked(l);
		return l;
	}
	ptrace_unlink_locked(l, 0); /* still exiting: it frees itself */
	return NULL;
}

struct thread *ptrace_exec_leader(struct proc *p, struct thread *t)
{
	struct thread *old = ptrace_release_leader(p);

	if (t->trace.tracer)
		p->trace.leader = t;
	return old;
}

static bool matches(const struct proc *me, const struct thread *t, int idtype,
		    int id)
{
	int pgid;

	switch (idtype) {
	case P_PID:
		return t->tid == id;
	case P_PGID:
		pgid = t->trace.gone ? t->trace.pgid : t->proc->pgid;
		return pgid == (id ? id : me->pgid);
	default:
		return true;
	}
}

/* A ptrace-stop of live t not yet reported: into *res (with or without
 * WUNTRACED, as Linux does). */
static bool stop_result(struct thread *t, int options, struct wait_result *res)
{
	struct proc *p = t->proc;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	bool found = t->trace.stopped && t->trace.report;

	if (found) {
		if (!(options & WNOWAIT))
			t->trace.report = false;
		res->pid = t->tid;
		res->status = t->trace.status;
		res->code = CLD_TRAPPED;
		res->si_status = (t->trace.status >> 8) & 0xff;
		res->uid = p->cred.uid;
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	return found;
}

/* The exit of dead t, if it is to be reported now. */
static bool exit_result(struct thread *t, struct wait_result *res)
{
	int st = t->trace.exit_status;

	if (t->trace.leader) {
		const struct proc *p = t->proc;

		if (!p->zombie || !p->exit_done || p->trace.exiting)
			return false; /* other threads still run */
		wait_exit_result(p, res);
		res->pid = t->tid;
		return true;
	}
	res->pid = t->tid;
	res->status = st;
	res->code = (st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED)
				: CLD_EXITED;
	res->si_status = (st & 0x7f) ? (st & 0x7f) : ((st >> 8) & 0xff);
	res->uid = t->trace.uid;
	return true;
}

/* One pass over me's tracees: with leaders false, all but dead main
 * threads; with leaders true, those only. 0 if one is reported. */
static int scan(struct proc *me, int idtype, int id, int options,
		struct wait_result *res, bool *any, struct thread **to_free,
		bool leaders)
{
	struct thread *t;

	FW_LIST_FOR_EACH(t, &me->trace.tracees, trace.node)
	{
		if (!matches(me, t, idtype, id))
			continue;
		*any = true;
		if ((t->trace.dead && t->trace.leader) != leaders)
			continue;
		if (!t->trace.gone) {
			if (stop_result(t, options, res))
				return 0;
			continue;
		}
		/* A main thread of our child: our reaping of the child
		 * reports it (proc.c wait_scan). */
		if (!t->trace.dead || !(options & WEXITED) ||
		    (t->trace.leader && t->proc->parent == me))
			continue;
		if (!exit_result(t, res))
			continue;
		if (!(options & WNOWAIT)) {
			ptrace_forget_dead_locked(t);
			*to_free = t;
		}
		return 0;
	}
	return -EAGAIN;
}

int ptrace_wait_tracees(struct proc *me, int idtype, int id, int options,
			struct wait_result *res, bool *any,
			struct thread **to_free)
{
	*to_free = NULL;
	/* Other threads' exits before a process's, as Linux reports a
	 * group leader only after its other threads are reaped. */
	if (!scan(me, idtype, id, options, res, any, to_free, false) ||
	    !scan(me, idtype, id, options, res, any, to_free, true))
		return 0;
	return -EAGAIN;
}