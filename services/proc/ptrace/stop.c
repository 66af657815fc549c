/* services/proc/ptrace/stop.c: the tracee's side of ptrace.
 *
 * Layer: services (safe C). A traced thread stops (ptrace(2), "Stopped
 * states") on its way through the kernel: at syscall entry and exit when
 * resumed with PTRACE_SYSCALL, before a signal is delivered, on the events
 * the options ask for (exec, fork/vfork/clone, exit) and on
 * PTRACE_INTERRUPT. It records what the tracer's wait will report, wakes
 * the tracer, and sleeps on p->stop_wait until the tracer resumes it (or
 * SIGKILL comes: a stop never outlasts SIGKILL). These are the hooks of
 * proc/ptrace/hooks.h. */
#include <fw/errno.h>
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

static bool stop_over(struct thread *t)
{
	return !__atomic_load_n(&t->proc->trace.stopped, __ATOMIC_ACQUIRE) ||
	       killed(t);
}

/* What the tracer is told: SIGCHLD (CLD_TRAPPED) and a wake-up of its
 * wait. proc_tree_lock held (lock order: the tree, then the tracer). */
static void notify_tracer(struct proc *tracer, struct proc *p, int status)
{
	struct k_siginfo si = { 0 };

	si.si_signo = SIGCHLD;
	si.si_code = CLD_TRAPPED;
	si.f0 = (uint64_t)(uint32_t)p->pid | ((uint64_t)p->cred.uid << 32);
	si.f1 = (uint64_t)((status >> 8) & 0xff);
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

	for (;;) {
		if (killed(t))
			return 0;
		fw_spin_lock(&proc_tree_lock);
		tracer = p->trace.tracer;
		if (!tracer) {
			fw_spin_unlock(&proc_tree_lock);
			return 0;
		}
		fl = fw_spin_lock_irqsave(&p->lock);
		if (!p->trace.stopped)
			break;
		/* Another thread is in a stop: its turn first. */
		fw_spin_unlock_irqrestore(&p->lock, fl);
		fw_spin_unlock(&proc_tree_lock);
		FW_WAIT_EVENT(&p->stop_wait, stop_over(t));
	}
	p->trace.stopped = true;
	p->trace.report = true;
	p->trace.status = status;
	p->trace.thread = t;
	p->trace.resume_sig = 0;
	p->trace.syscall_op = syscall_op;
	p->trace.si_signo = si->si_signo;
	p->trace.si_code = si->si_code;
	p->trace.si_f0 = si->f0;
	p->trace.si_f1 = si->f1;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	notify_tracer(tracer, p, status);
	fw_spin_unlock(&proc_tree_lock);

	FW_WAIT_EVENT(&p->stop_wait, stop_over(t));

	fl = fw_spin_lock_irqsave(&p->lock);
	sig = p->trace.stopped ? 0 : p->trace.resume_sig;
	p->trace.stopped = false;
	p->trace.report = false;
	p->trace.thread = NULL;
	p->trace.syscall_op = PTRACE_SYSCALL_INFO_NONE;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	fw_waitq_wake_all(&p->stop_wait); /* threads waiting for their turn */
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

static int syscall_code(const struct proc *p)
{
	return SIGTRAP | ((p->trace.options & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
}

bool ptrace_syscall_enter(struct thread *t, uint64_t *nr)
{
	struct proc *p = t->proc;

	p->trace.orig_rax = *nr;
	if (p->trace.mode != PTRACE_SYSCALL)
		return true;
	t->ctx.rax = (uint64_t)-ENOSYS; /* what a tracer sees at entry */
	p->trace.msg = PTRACE_EVENTMSG_SYSCALL_ENTRY;
	inject(t, trap_stop(t, syscall_code(p), 0, PTRACE_SYSCALL_INFO_ENTRY));
	if (killed(t))
		return false;
	*nr = p->trace.orig_rax; /* the tracer may have changed it */
	return *nr != ~0ull;     /* -1: skip the call */
}

static void event_stop(struct thread *t, int event, uint64_t msg)
{
	t->proc->trace.msg = msg;
	inject(t, trap_stop(t, SIGTRAP | (event << 8), event,
			    PTRACE_SYSCALL_INFO_NONE));
}

void ptrace_syscall_exit(struct thread *t, uint64_t nr)
{
	struct proc *p = t->proc;
	int event = p->trace.event;

	if (!thread_traced(t))
		return; /* detached during the call */

	if ((nr == __NR_execve || nr == __NR_execveat) && t->ctx.rax == 0) {
		if (p->trace.options & PTRACE_O_TRACEEXEC)
			event_stop(t, PTRACE_EVENT_EXEC, (uint64_t)p->pid);
		else if (!p->trace.seized)
			/* The traditional exec stop: a plain SIGTRAP. */
			(void)signal_send_thread(t, SIGTRAP, 0);
	}
	if (event) {
		p->trace.event = 0;
		event_stop(t, event, p->trace.msg);
	}
	if (p->trace.mode == PTRACE_SYSCALL && thread_traced(t)) {
		p->trace.msg = PTRACE_EVENTMSG_SYSCALL_EXIT;
		inject(t, trap_stop(t, syscall_code(p), 0,
				    PTRACE_SYSCALL_INFO_EXIT));
	}
}

int ptrace_signal(struct thread *t, int sig, struct k_siginfo *si)
{
	struct proc *p = t->proc;
	int nsig = ptrace_stop(t, ptrace_status(sig, 0), si,
			       PTRACE_SYSCALL_INFO_NONE);

	if (!nsig || nsig > NSIG)
		return 0; /* cancelled by the tracer (or killed) */
	if (nsig == p->trace.si_signo) {
		/* The same signal, with the siginfo PTRACE_SETSIGINFO may
		 * have changed. */
		si->si_signo = nsig;
		si->si_code = p->trace.si_code;
		si->f0 = p->trace.si_f0;
		si->f1 = p->trace.si_f1;
	} else {
		/* Another signal: it comes from the tracer (Linux
		 * ptrace_signal: SI_USER with the tracer's pid and uid). */
		struct proc *tracer;

		*si = (struct k_siginfo){ .si_signo = nsig, .si_code = SI_USER };
		fw_spin_lock(&proc_tree_lock);
		tracer = p->trace.tracer;
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
	struct k_siginfo none = { 0 };
	int event = t->proc->trace.seized ? PTRACE_EVENT_STOP : 0;

	inject(t, ptrace_stop(t, ptrace_status(sig, event), &none,
			      PTRACE_SYSCALL_INFO_NONE));
}

void ptrace_interrupt_stop(struct thread *t)
{
	__atomic_store_n(&t->proc->trace.interrupt, false, __ATOMIC_RELEASE);
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

void ptrace_clone_child(struct proc *parent, struct proc *child,
			uint64_t flags)
{
	int event = clone_event(flags);
	struct proc *tracer;
	bool seized;

	if (!event || !(parent->trace.options & (1u << event)))
		return;
	fw_spin_lock(&proc_tree_lock);
	tracer = parent->trace.tracer;
	if (tracer) {
		child->trace.tracer = tracer;
		child->trace.tid = child->pid;
		fw_list_add_tail(&tracer->trace.tracees, &child->trace.node);
		child->trace.options = parent->trace.options;
		child->trace.seized = parent->trace.seized;
	}
	seized = parent->trace.seized;
	fw_spin_unlock(&proc_tree_lock);
	if (!tracer)
		return;
	parent->trace.event = event;
	parent->trace.msg = (uint64_t)child->pid;
	/* The child starts in a stop: PTRACE_EVENT_STOP when seized, else
	 * the SIGSTOP Linux queues for it (ptrace_init_task). */
	if (seized)
		__atomic_store_n(&child->trace.interrupt, true, __ATOMIC_RELEASE);
	else
		(void)signal_send_proc(child, SIGSTOP, 0);
}

void ptrace_exit_event(struct thread *t, int status)
{
	if (t->proc->trace.options & PTRACE_O_TRACEEXIT)
		event_stop(t, PTRACE_EVENT_EXIT, (uint64_t)(uint32_t)status);
}

void ptrace_unlink_locked(struct proc *c, int sig)
{
	fw_irqflags_t fl;

	fw_list_del(&c->trace.node);
	fw_list_init(&c->trace.node);
	__atomic_store_n(&c->trace.tracer, NULL, __ATOMIC_RELEASE);
	fl = fw_spin_lock_irqsave(&c->lock);
	if (c->trace.mode == PTRACE_SINGLESTEP && c->trace.stopped &&
	    c->trace.thread)
		c->trace.thread->ctx.rflags &= ~0x100ull; /* TF: no more steps */
	c->trace.options = 0;
	c->trace.seized = false;
	c->trace.mode = 0;
	c->trace.event = 0;
	__atomic_store_n(&c->trace.interrupt, false, __ATOMIC_RELEASE);
	if (c->trace.stopped) {
		c->trace.resume_sig = sig;
		__atomic_store_n(&c->trace.stopped, false, __ATOMIC_RELEASE);
	}
	fw_spin_unlock_irqrestore(&c->lock, fl);
	fw_waitq_wake_all(&c->stop_wait);
}

void ptrace_proc_exit(struct proc *p)
{
	struct proc *c, *tmp;

	fw_spin_lock(&proc_tree_lock);
	FW_LIST_FOR_EACH_SAFE(c, tmp, &p->trace.tracees, trace.node)
	{
		bool kill = c->trace.options & PTRACE_O_EXITKILL;

		ptrace_unlink_locked(c, 0);
		if (kill && !c->zombie)
			(void)signal_send_proc(c, SIGKILL, 0);
		else if (c->zombie && c->parent)
			fw_waitq_wake_all(&c->parent->child_wait);
	}
	if (p->trace.tracer && p->trace.tracer != p->parent) {
		struct k_siginfo si = { .si_signo = SIGCHLD };

		si.si_code = (p->exit_status & 0x7f) ? CLD_KILLED : CLD_EXITED;
		si.f0 = (uint64_t)(uint32_t)p->pid | ((uint64_t)p->cred.uid << 32);
		(void)signal_send_proc(p->trace.tracer, SIGCHLD, &si);
		fw_waitq_wake_all(&p->trace.tracer->child_wait);
	}
	fw_spin_unlock(&proc_tree_lock);
}
