/* services/proc/ptrace/stop.c: the tracee's side of ptrace.
 *
 * Layer: services (safe C). A traced thread stops (ptrace(2), "Stopped
 * states") on its way through the kernel: at syscall entry and exit when
 * resumed with PTRACE_SYSCALL, before a signal is delivered, on the events
 * the options ask for (exec, fork/vfork/clone, exit) and on
 * PTRACE_INTERRUPT. It records what the tracer's wait will report, wakes
 * the tracer, and sleeps on p->stop_wait until the tracer resumes it (or
 * SIGKILL comes: a stop never outlasts SIGKILL). Each thread stops on its
 * own (t->trace), as on Linux. These are the hooks of
 * proc/ptrace/hooks.h. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/sync.h>
#include "proc/proc_internal.h"
#include "proc/ptrace/hooks.h"
#include "proc/signal.h"
#include "proc/ptrace/ptrace.h"
#include "syscall/nr.h"

static bool killed(const struct thread *t)
{
	const struct proc *p = t->proc;
	uint64_t pend = __atomic_load_n(&t->sigpending, __ATOMIC_ACQUIRE) |
			__atomic_load_n(&p->sigpending, __ATOMIC_ACQUIRE);

	return (pend & sigbit(SIGKILL)) || t->exiting || p->exiting;
}

/* PTRACE_LISTEN: a listening tracee stays in its stop until its group
 * stop ends (SIGCONT), a signal it may take comes, or PTRACE_INTERRUPT;
 * then it leaves the stop to report that (Linux JOBCTL_LISTENING). */
static bool listen_over(const struct thread *t)
{
	const struct proc *p = t->proc;
	uint64_t pend = __atomic_load_n(&t->sigpending, __ATOMIC_ACQUIRE) |
			__atomic_load_n(&p->sigpending, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&t->trace.listening, __ATOMIC_ACQUIRE) &&
	       (!__atomic_load_n(&p->stopped, __ATOMIC_ACQUIRE) ||
		(pend & ~t->sigmask) ||
		__atomic_load_n(&t->trace.interrupt, __ATOMIC_ACQUIRE));
}

static bool stop_over(struct thread *t)
{
	return !__atomic_load_n(&t->trace.stopped, __ATOMIC_ACQUIRE) ||
	       killed(t) || listen_over(t);
}

/* What the tracer is told: SIGCHLD (CLD_TRAPPED) and a wake-up of its
 * wait. proc_tree_lock held (lock order: the tree, then the tracer). */
static void notify_tracer(struct proc *tracer, int tid, uint32_t uid,
			  int code, int status)
{
	struct k_siginfo si = { 0 };

	si.si_signo = SIGCHLD;
	si.si_code = code;
	si.f0 = (uint64_t)(uint32_t)tid | ((uint64_t)uid << 32);
	si.f1 = (uint64_t)(uint32_t)status;
	if (tracer->sighand &&
	    !(tracer->sighand->action[SIGCHLD].flags & SA_NOCLDSTOP))
		(void)signal_send_proc(tracer, SIGCHLD, &si);
	fw_waitq_wake_all(&tracer->child_wait);
}

/* Enter a ptrace-stop reported as `status`, with siginfo *si (si_signo 0:
 * none, a group-stop) and syscall_op for PTRACE_GET_SYSCALL_INFO. Returns
 * the signal the tracer resumed with; 0 if it did not stop (no longer
 * traced) or was killed. */
static int ptrace_stop(struct thread *t, int status, const struct k_siginfo *si,
		       int syscall_op)
{
	struct proc *p = t->proc;
	struct proc *tracer;
	fw_irqflags_t fl;
	int sig;

	if (killed(t))
		return 0;
	fw_spin_lock(&proc_tree_lock);
	tracer = t->trace.tracer;
	if (!tracer) {
		fw_spin_unlock(&proc_tree_lock);
		return 0;
	}
	fl = fw_spin_lock_irqsave(&p->lock);
	t->trace.stopped = true;
	t->trace.report = true;
	t->trace.status = status;
	t->trace.resume_sig = 0;
	t->trace.syscall_op = syscall_op;
	t->trace.si_signo = si->si_signo;
	t->trace.si_code = si->si_code;
	t->trace.si_f0 = si->f0;
	t->trace.si_f1 = si->f1;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	notify_tracer(tracer, t->tid, p->cred.uid, CLD_TRAPPED,
		      (status >> 8) & 0xff);
	fw_spin_unlock(&proc_tree_lock);

	FW_WAIT_EVENT(&p->stop_wait, stop_over(t));

	fl = fw_spin_lock_irqsave(&p->lock);
	if (t->trace.listening) {
		/* The group stop ended: it stops again to say so, with
		 * PTRACE_EVENT_STOP (Linux JOBCTL_TRAP_NOTIFY). */
		t->trace.listening = false;
		if (!p->stopped)
			__atomic_store_n(&t->trace.interrupt, true,
					 __ATOMIC_RELEASE);
	}
	sig = t->trace.stopped ? 0 : t->trace.resume_sig;
	t->trace.stopped = false;
	t->trace.report = false;
	t->trace.syscall_op = PTRACE_SYSCALL_INFO_NONE;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	return killed(t) ? 0 : sig;
}

/* A stop reported as SIGTRAP with an event (or 0x80 for syscalls). */
static int trap_stop(struct thread *t, int code, int event, int op)
{
	struct k_siginfo si = { .si_signo = SIGTRAP, .si_code = code };

	return ptrace_stop(t, ptrace_status(SIGTRAP | (code & 0x80), event), &si,
			   op);
}

/* The signal passed when resuming from a stop other than a signal-
 * delivery-stop is sent to the thread (Linux ptrace_report_syscall). */
static void inject(struct thread *t, int sig)
{
	if (sig > 0 && sig <= NSIG)
		(void)signal_send_thread(t, sig, 0);
}

static int syscall_code(const struct thread *t)
{
	return SIGTRAP | ((t->trace.options & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
}

bool ptrace_syscall_enter(struct thread *t, uint64_t *nr)
{
	t->trace.orig_rax = *nr;
	if (t->trace.mode != PTRACE_SYSCALL)
		return true;
	t->ctx.rax = (uint64_t)-ENOSYS; /* what a tracer sees at entry */
	t->trace.msg = PTRACE_EVENTMSG_SYSCALL_ENTRY;
	inject(t, trap_stop(t, syscall_code(t), 0, PTRACE_SYSCALL_INFO_ENTRY));
	if (killed(t))
		return false;
	*nr = t->trace.orig_rax; /* the tracer may have changed it */
	return *nr != ~0ull;     /* -1: skip the call */
}

static void event_stop(struct thread *t, int event, uint64_t msg)
{
	t->trace.msg = msg;
	inject(t, trap_stop(t, SIGTRAP | (event << 8), event,
			    PTRACE_SYSCALL_INFO_NONE));
}

void ptrace_syscall_exit(struct thread *t, uint64_t nr)
{
	int event = t->trace.event;

	if (!thread_traced(t))
		return; /* detached during the call */

	if ((nr == __NR_execve || nr == __NR_execveat) && t->ctx.rax == 0) {
		/* The message is the tid the thread had before the exec
		 * (exec.c put it there: a thread other than the main one
		 * has the process's id now). */
		if (t->trace.options & PTRACE_O_TRACEEXEC)
			event_stop(t, PTRACE_EVENT_EXEC, t->trace.msg);
		else if (!t->trace.seized)
			/* The traditional exec stop: a plain SIGTRAP. */
			(void)signal_send_thread(t, SIGTRAP, 0);
	}
	if (event) {
		t->trace.event = 0;
		event_stop(t, event, t->trace.msg);
	}
	if (t->trace.mode == PTRACE_SYSCALL && thread_traced(t)) {
		t->trace.msg = PTRACE_EVENTMSG_SYSCALL_EXIT;
		inject(t, trap_stop(t, syscall_code(t), 0,
				    PTRACE_SYSCALL_INFO_EXIT));
	}
}

int ptrace_signal(struct thread *t, int sig, struct k_siginfo *si)
{
	int nsig = ptrace_stop(t, ptrace_status(sig, 0), si,
			       PTRACE_SYSCALL_INFO_NONE);

	if (!nsig || nsig > NSIG)
		return 0; /* cancelled by the tracer (or killed) */
	if (nsig == t->trace.si_signo) {
		/* The same signal, with the siginfo PTRACE_SETSIGINFO may
		 * have changed. */
		si->si_signo = nsig;
		si->si_code = t->trace.si_code;
		si->f0 = t->trace.si_f0;
		si->f1 = t->trace.si_f1;
	} else {
		/* Another signal: it comes from the tracer (Linux
		 * ptrace_signal: SI_USER with the tracer's pid and uid). */
		struct proc *tracer;

		*si = (struct k_siginfo){ .si_signo = nsig, .si_code = SI_USER };
		fw_spin_lock(&proc_tree_lock);
		tracer = t->trace.tracer;
		if (tracer)
			si->f0 = (uint64_t)(uint32_t)tracer->pid |
				 ((uint64_t)tracer->cred.uid << 32);
		fw_spin_unlock(&proc_tree_lock);
	}
	if (t->sigmask & sigbit(nsig)) {
		/* Blocked now: it waits in the pending set, as on Linux. */
		(void)signal_send_thread(t, nsig, si);
		return 0;
	}
	return nsig;
}

void ptrace_group_stop(struct thread *t, int sig)
{
	struct proc *p = t->proc;
	struct thread *o;
	fw_irqflags_t fl;
	bool first;

	/* A stop signal delivered to a tracee stops its whole process, as
	 * on Linux: a new group stop the other threads join on their way
	 * out of the kernel (signal.c), traced ones in a ptrace-stop each,
	 * and its parent hears of it when it starts. */
	fl = fw_spin_lock_irqsave(&p->lock);
	first = !p->stopped;
	p->stopped = true;
	p->stop_sig = sig;
	p->report_stop = true;
	p->stop_seq++;
	FW_LIST_FOR_EACH(o, &p->threads, proc_node)
		if (o != t && o->task)
			fw_task_wake(o->task);
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if (first)
		signal_notify_parent_stop(p, sig);
	(void)ptrace_group_stop_join(t, sig);
}

bool ptrace_group_stop_join(struct thread *t, int sig)
{
	struct k_siginfo si = { 0 };
	unsigned seq = __atomic_load_n(&t->proc->stop_seq, __ATOMIC_ACQUIRE);
	int event;

	if (!thread_traced(t))
		return false;
	if (t->trace.group_seq == seq)
		return true; /* reported already: resumed by the tracer */
	t->trace.group_seq = seq;
	event = t->trace.seized ? PTRACE_EVENT_STOP : 0;
	/* Linux ptrace_do_notify: a seized tracee's group-stop has a
	 * siginfo naming the stop; PTRACE_ATTACH's has none (EINVAL). */
	if (event) {
		si.si_signo = sig;
		si.si_code = sig | (event << 8);
	}
	inject(t, ptrace_stop(t, ptrace_status(sig, event), &si,
			      PTRACE_SYSCALL_INFO_NONE));
	/* Left by PTRACE_LISTEN's end: that stop comes first. */
	if (__atomic_load_n(&t->trace.interrupt, __ATOMIC_ACQUIRE))
		ptrace_interrupt_stop(t);
	return true;
}

void ptrace_interrupt_stop(struct thread *t)
{
	__atomic_store_n(&t->trace.interrupt, false, __ATOMIC_RELEASE);
	inject(t, trap_stop(t, SIGTRAP | (PTRACE_EVENT_STOP << 8),
			    PTRACE_EVENT_STOP, PTRACE_SYSCALL_INFO_NONE));
}

/* Which event a clone is (Linux kernel_clone), or 0 for none. */
static int clone_event(uint64_t flags)
{
	if (flags & CLONE_UNTRACED)
		return 0;
	if (flags & CLONE_VFORK)
		return PTRACE_EVENT_VFORK;
	if ((flags & CSIGNAL) != SIGCHLD)
		return PTRACE_EVENT_CLONE;
	return PTRACE_EVENT_FORK;
}

void ptrace_clone_child(struct thread *cur, struct thread *child,
			uint64_t flags)
{
	int event = clone_event(flags);
	struct proc *tracer;

	if (!event || !(cur->trace.options & (1u << event)))
		return;
	fw_spin_lock(&proc_tree_lock);
	tracer = cur->trace.tracer;
	if (tracer) {
		ptrace_link_locked(tracer, child);
		child->trace.options = cur->trace.options;
		child->trace.seized = cur->trace.seized;
	}
	fw_spin_unlock(&proc_tree_lock);
	if (!tracer)
		return;
	cur->trace.event = event;
	cur->trace.msg = (uint64_t)child->tid;
	/* The child starts in a stop: PTRACE_EVENT_STOP when seized, else
	 * the SIGSTOP Linux queues for it (ptrace_init_task). */
	if (child->trace.seized)
		__atomic_store_n(&child->trace.interrupt, true, __ATOMIC_RELEASE);
	else
		(void)signal_send_thread(child, SIGSTOP, 0);
}

void ptrace_exit_event(struct thread *t, int status)
{
	if (t->trace.options & PTRACE_O_TRACEEXIT)
		event_stop(t, PTRACE_EVENT_EXIT, (uint64_t)(uint32_t)status);
}

void ptrace_link_locked(struct proc *tracer, struct thread *t)
{
	struct proc *p = t->proc;

	fw_list_add_tail(&tracer->trace.tracees, &t->trace.node);
	if (t->tid == p->pid)
		p->trace.leader = t;
	__atomic_add_fetch(&p->trace.ntraced, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&t->trace.tracer, tracer, __ATOMIC_RELEASE);
}

void ptrace_unlink_locked(struct thread *t, int sig)
{
	struct proc *p = t->proc;
	fw_irqflags_t fl;

	fw_list_del(&t->trace.node);
	fw_list_init(&t->trace.node);
	__atomic_store_n(&t->trace.tracer, NULL, __ATOMIC_RELEASE);
	if (t->trace.gone) {
		/* Exiting: its process may be gone unless it is the main
		 * thread, which kept it (proc.trace.leader). The thread
		 * frees itself (ptrace_thread_dead finds no tracer). */
		if (t->trace.leader) {
			p->trace.leader = NULL;
			if (p->parent)
				fw_waitq_wake_all(&p->parent->child_wait);
		}
		return;
	}
	if (p->trace.leader == t)
		p->trace.leader = NULL;
	__atomic_sub_fetch(&p->trace.ntraced, 1, __ATOMIC_RELEASE);
	fl = fw_spin_lock_irqsave(&p->lock);
	if (t->trace.mode == PTRACE_SINGLESTEP && t->trace.stopped)
		t->ctx.rflags &= ~0x100ull; /* TF: no more steps */
	t->trace.options = 0;
	t->trace.seized = false;
	t->trace.mode = 0;
	t->trace.event = 0;
	t->trace.listening = false;
	__atomic_store_n(&t->trace.interrupt, false, __ATOMIC_RELEASE);
	if (t->trace.stopped) {
		t->trace.resume_sig = sig;
		__atomic_store_n(&t->trace.stopped, false, __ATOMIC_RELEASE);
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	fw_waitq_wake_all(&p->stop_wait);
}

/* A dead tracee leaves its tracer's list; the caller frees it (after
 * proc_tree_lock). Its process's parent may reap it now if it was the
 * main thread. */
void ptrace_forget_dead_locked(struct thread *t)
{
	fw_list_del(&t->trace.node);
	fw_list_init(&t->trace.node);
	t->trace.tracer = NULL;
	if (t->trace.leader) {
		struct proc *p = t->proc;

		p->trace.leader = NULL;
		if (p->parent)
			fw_waitq_wake_all(&p->parent->child_wait);
	}
}

void ptrace_proc_exit(struct proc *p)
{
	struct thread *t, *tmp;
	struct fw_list dead;
	struct proc *tracer;

	fw_list_init(&dead);
	fw_spin_lock(&proc_tree_lock);
	FW_LIST_FOR_EACH_SAFE(t, tmp, &p->trace.tracees, trace.node)
	{
		if (t->trace.dead) {
			ptrace_forget_dead_locked(t);
			fw_list_add_tail(&dead, &t->trace.node);
			continue;
		}
		/* One already exiting needs no SIGKILL, and its process
		 * may be gone: ptrace_unlink_locked does not read it. */
		struct proc *victim = !t->trace.gone &&
				      (t->trace.options & PTRACE_O_EXITKILL)
					      ? t->proc
					      : NULL;

		ptrace_unlink_locked(t, 0);
		if (victim)
			(void)signal_send_proc(victim, SIGKILL, 0);
	}
	/* Our main thread's tracer, if not our parent, hears of our exit
	 * (its wait reports it once the exit is done, proc.c). */
	tracer = p->trace.leader ? p->trace.leader->trace.tracer : NULL;
	if (tracer && tracer != p->parent) {
		int st = p->exit_status;

		notify_tracer(tracer, p->pid, p->cred.uid,
			      (st & 0x7f) ? CLD_KILLED : CLD_EXITED,
			      (st & 0x7f) ? (st & 0x7f) : ((st >> 8) & 0xff));
	}
	fw_spin_unlock(&proc_tree_lock);
	FW_LIST_FOR_EACH_SAFE(t, tmp, &dead, trace.node)
		fw_free(t);
}

void ptrace_thread_exiting(struct thread *t, int code)
{
	struct proc *p = t->proc;
	fw_irqflags_t fl;

	fw_spin_lock(&proc_tree_lock);
	t->trace.gone = true; /* no PTRACE_ATTACH from now on */
	if (t->trace.tracer) {
		t->trace.leader = p->trace.leader == t;
		/* Linux: the group's exit code once exit_group or a fatal
		 * signal began, else the thread's own. */
		fl = fw_spin_lock_irqsave(&p->lock);
		t->trace.exit_status = p->exiting ? p->exit_status
						  : (code & 0xff) << 8;
		t->trace.stopped = false;
		fw_spin_unlock_irqrestore(&p->lock, fl);
		t->trace.pgid = p->pgid;
		t->trace.uid = p->cred.uid;
		t->trace.counted = true;
		p->trace.exiting++;
		__atomic_sub_fetch(&p->trace.ntraced, 1, __ATOMIC_RELEASE);
	}
	fw_spin_unlock(&proc_tree_lock);
}

bool ptrace_thread_dead(struct thread *t)
{
	struct proc *tracer, *p = t->proc;
	int st = t->trace.exit_status;
	bool reap = false;

	fw_spin_lock(&proc_tree_lock);
	/* p is still there: it is not reaped while we count in
	 * p->trace.exiting (wait.c ptrace_holds_proc, proc_become_zombie). */
	if (t->trace.counted) {
		t->trace.counted = false;
		if (--p->trace.exiting == 0) {
			reap = p->trace.reap_pending;
			if (p->parent)
				fw_waitq_wake_all(&p->parent->child_wait);
			if (p->trace.leader && p->trace.leader->trace.tracer)
				fw_waitq_wake_all(
					&p->trace.leader->trace.tracer->child_wait);
		}
	}
	tracer = t->trace.tracer;
	if (tracer) {
		t->trace.dead = true;
		/* Linux exit_notify: a traced thread's exit is SIGCHLD to
		 * the tracer; a main thread's is its process's exit, told
		 * by ptrace_proc_exit when the process ends. */
		if (!t->trace.leader)
			notify_tracer(tracer, t->tid, t->trace.uid,
				      (st & 0x7f) ? CLD_KILLED : CLD_EXITED,
				      (st & 0x7f) ? (st & 0x7f)
						  : ((st >> 8) & 0xff));
		fw_waitq_wake_all(&tracer->child_wait);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (reap) /* it reaps itself (proc_become_zombie left it to us) */
		proc_reap(p);
	return tracer != NULL;
}
