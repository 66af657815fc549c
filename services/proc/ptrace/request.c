/* services/proc/ptrace/request.c: ptrace(2), the tracer's side.
 *
 * Layer: services (safe C). Attaching (TRACEME, ATTACH, SEIZE), letting
 * go (DETACH, and the tracer's exit in stop.c), resuming (CONT, SYSCALL,
 * KILL), PTRACE_INTERRUPT, options, event messages and siginfo; register
 * requests go to regs.c, memory to vm.c. Errors as ptrace(2) says: ESRCH
 * for a process that does not exist, is not traced by the caller or is
 * not stopped when the request needs it; EPERM for one the caller may not
 * trace; EIO for an unknown request or a bad signal number. */
#include <fw/errno.h>
#include <fw/task.h>
#include <fw/uaccess.h>
#include "current/current.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/hooks.h"
#include "proc/signal.h"
#include "proc/ptrace/ptrace.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

/* The process of a pid or a thread id; proc_tree_lock held. */
static struct proc *find_locked(int pid)
{
	struct thread *t;

	if (pid <= 0)
		return NULL;
	t = thread_find(pid);
	return t ? t->proc : proc_find(pid);
}

int ptrace_may_access(const struct proc *p)
{
	const struct cred *me = &proc_current()->cred;

	/* Linux __ptrace_may_access with PTRACE_MODE_REALCREDS: the
	 * target's user and group ids all equal the caller's real ones,
	 * or the caller has CAP_SYS_PTRACE. */
	if (cred_capable(me, CAP_SYS_PTRACE) || cred_ids_are_mine(me, &p->cred))
		return 0;
	return -EPERM;
}

int ptrace_tracee(int pid, bool need_stop, struct proc **out)
{
	struct proc *me = proc_current();
	struct proc *c;
	int err = -ESRCH;

	fw_spin_lock(&proc_tree_lock);
	c = find_locked(pid);
	if (c && c->trace.tracer == me && !c->zombie) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&c->lock);

		if (!need_stop || (c->trace.stopped && c->trace.thread))
			err = 0;
		fw_spin_unlock_irqrestore(&c->lock, fl);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (!err)
		*out = c;
	return err;
}

static long traceme(void)
{
	struct proc *me = proc_current();
	long err = -EPERM;

	fw_spin_lock(&proc_tree_lock);
	if (!me->trace.tracer && me->parent && !me->parent->zombie) {
		me->trace.tracer = me->parent;
		me->trace.tid = thread_current()->tid;
		fw_list_add_tail(&me->parent->trace.tracees, &me->trace.node);
		err = 0;
	}
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

static long attach(int pid, bool seize, uint64_t addr, uint64_t data)
{
	struct proc *me = proc_current();
	struct proc *c;
	long err;

	if (seize && (addr || (data & ~(uint64_t)PTRACE_O_MASK)))
		return -EIO;
	fw_spin_lock(&proc_tree_lock);
	c = find_locked(pid);
	if (!c) {
		err = -ESRCH;
	} else if (c == me || c->trace.tracer || c->zombie || c->exiting) {
		err = -EPERM; /* ourselves, traced already, or dying */
	} else {
		err = ptrace_may_access(c);
	}
	if (!err) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&c->lock);

		c->trace.seized = seize;
		c->trace.tid = pid; /* a thread id, or the main thread's */
		c->trace.options = seize ? (unsigned)data : 0;
		c->trace.mode = 0;
		fw_spin_unlock_irqrestore(&c->lock, fl);
		__atomic_store_n(&c->trace.tracer, me, __ATOMIC_RELEASE);
		fw_list_add_tail(&me->trace.tracees, &c->trace.node);
		if (!seize) /* PTRACE_ATTACH stops it with SIGSTOP */
			(void)signal_send_proc(c, SIGSTOP, 0);
	}
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

#define RFLAGS_TF 0x100ull

/* Resume stopped tracee c with `mode` (PTRACE_CONT/SYSCALL/SINGLESTEP)
 * and sig. A single step is the trap flag: the CPU raises #DB after one
 * instruction, which comes back as SIGTRAP (a signal-delivery-stop); the
 * flag is taken away again when it is resumed another way (Linux
 * user_disable_single_step). */
static long resume(struct proc *c, int mode, uint64_t sig)
{
	fw_irqflags_t fl;

	if (sig > NSIG)
		return -EIO;
	fl = fw_spin_lock_irqsave(&c->lock);
	if (!c->trace.stopped || !c->trace.thread) {
		fw_spin_unlock_irqrestore(&c->lock, fl);
		return -ESRCH;
	}
	if (mode == PTRACE_SINGLESTEP)
		c->trace.thread->ctx.rflags |= RFLAGS_TF;
	else if (c->trace.mode == PTRACE_SINGLESTEP)
		c->trace.thread->ctx.rflags &= ~RFLAGS_TF;
	c->trace.mode = mode;
	c->trace.resume_sig = (int)sig;
	__atomic_store_n(&c->trace.stopped, false, __ATOMIC_RELEASE);
	fw_spin_unlock_irqrestore(&c->lock, fl);
	fw_waitq_wake_all(&c->stop_wait);
	return 0;
}

static long detach(struct proc *c, uint64_t sig)
{
	if (sig > NSIG)
		return -EIO;
	fw_spin_lock(&proc_tree_lock);
	if (c->trace.tracer == proc_current())
		ptrace_unlink_locked(c, (int)sig);
	fw_spin_unlock(&proc_tree_lock);
	return 0;
}

/* PTRACE_INTERRUPT: the tracee stops with PTRACE_EVENT_STOP at its next
 * way out of the kernel; a thread asleep in a system call is woken, and
 * the call restarts after the stop as after a signal. */
static long interrupt(struct proc *c)
{
	struct thread *t;
	fw_irqflags_t fl;

	if (!c->trace.seized)
		return -EIO;
	fl = fw_spin_lock_irqsave(&c->lock);
	if (!c->trace.stopped) {
		__atomic_store_n(&c->trace.interrupt, true, __ATOMIC_RELEASE);
		FW_LIST_FOR_EACH(t, &c->threads, proc_node)
			if (t->task)
				fw_task_wake(t->task);
	}
	fw_spin_unlock_irqrestore(&c->lock, fl);
	return 0;
}

static long getsiginfo(struct proc *c, uint64_t data)
{
	struct k_siginfo si = { 0 };
	fw_irqflags_t fl = fw_spin_lock_irqsave(&c->lock);

	si.si_signo = c->trace.si_signo;
	si.si_code = c->trace.si_code;
	si.f0 = c->trace.si_f0;
	si.f1 = c->trace.si_f1;
	fw_spin_unlock_irqrestore(&c->lock, fl);
	if (!si.si_signo)
		return -EINVAL; /* a group-stop has none */
	return FW_COPY_OUT_OBJ(fw_uptr(data), &si) ? -EFAULT : 0;
}

static long setsiginfo(struct proc *c, uint64_t data)
{
	struct k_siginfo si;
	fw_irqflags_t fl;

	if (FW_COPY_IN_OBJ(&si, fw_uptr(data)))
		return -EFAULT;
	fl = fw_spin_lock_irqsave(&c->lock);
	if (!c->trace.si_signo) {
		fw_spin_unlock_irqrestore(&c->lock, fl);
		return -EINVAL;
	}
	c->trace.si_signo = si.si_signo;
	c->trace.si_code = si.si_code;
	c->trace.si_f0 = si.f0;
	c->trace.si_f1 = si.f1;
	fw_spin_unlock_irqrestore(&c->lock, fl);
	return 0;
}

/* PTRACE_GETSIGMASK/SETSIGMASK: the stopped thread's blocked set, in a
 * sigset of exactly 8 bytes (addr); SIGKILL and SIGSTOP stay unblocked. */
static long sigmask_req(struct proc *c, bool set, uint64_t addr, uint64_t data)
{
	struct thread *t = c->trace.thread;
	uint64_t mask;

	if (addr != sizeof(mask))
		return -EINVAL;
	if (!t)
		return -ESRCH;
	if (!set)
		return FW_COPY_OUT_OBJ(fw_uptr(data), &t->sigmask) ? -EFAULT : 0;
	if (FW_COPY_IN_OBJ(&mask, fw_uptr(data)))
		return -EFAULT;
	t->sigmask = mask & ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
	return 0;
}

/* PTRACE_PEEKSIGINFO (struct ptrace_peeksiginfo_args at addr): up to nr
 * pending signals' siginfo from the off-th on, the thread's or with
 * PTRACE_PEEKSIGINFO_SHARED the process's, left pending; how many. */
static long peeksiginfo(struct proc *c, uint64_t addr, uint64_t data)
{
	struct {
		uint64_t off;
		uint32_t flags;
		int32_t nr;
	} args;
	struct thread *t = c->trace.thread;
	long n = 0;

	if (FW_COPY_IN_OBJ(&args, fw_uptr(addr)))
		return -EFAULT;
	if ((args.flags & ~1u) || args.nr < 0)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	for (; n < args.nr; n++) {
		struct k_siginfo si;

		if (args.off + (uint64_t)n > NSIG ||
		    signal_peek_pending(t, args.flags & 1u,
				        (unsigned)(args.off + (uint64_t)n), &si))
			break;
		if (FW_COPY_OUT_OBJ(fw_uptr_add(fw_uptr(data),
						(uint64_t)n * sizeof(si)), &si))
			return n ? n : -EFAULT;
	}
	return n;
}

static long on_stopped(struct proc *c, long req, uint64_t addr, uint64_t data)
{
	uint64_t msg;

	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		return ptrace_peek(c, addr, data);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return ptrace_poke(c, addr, data);
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
		return resume(c, (int)req, data);
	case PTRACE_DETACH:
		return detach(c, data);
	case PTRACE_SETOPTIONS:
		if (data & ~(uint64_t)PTRACE_O_MASK)
			return -EINVAL;
		c->trace.options = (unsigned)data;
		return 0;
	case PTRACE_GETEVENTMSG:
		msg = c->trace.msg;
		return FW_COPY_OUT_OBJ(fw_uptr(data), &msg) ? -EFAULT : 0;
	case PTRACE_GETSIGINFO:
		return getsiginfo(c, data);
	case PTRACE_SETSIGINFO:
		return setsiginfo(c, data);
	case PTRACE_GETSIGMASK:
	case PTRACE_SETSIGMASK:
		return sigmask_req(c, req == PTRACE_SETSIGMASK, addr, data);
	case PTRACE_PEEKSIGINFO:
		return peeksiginfo(c, addr, data);
	default:
		return ptrace_regs_request(c, req, addr, data);
	}
}

static long sys_ptrace(const struct sys_args *a)
{
	long req = (long)a->arg[0];
	int pid = (int)a->arg[1];
	uint64_t addr = a->arg[2], data = a->arg[3];
	struct proc *c;
	long err;

	switch (req) {
	case PTRACE_TRACEME:
		return traceme();
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
		return attach(pid, req == PTRACE_SEIZE, addr, data);
	case PTRACE_KILL:
	case PTRACE_INTERRUPT:
		err = ptrace_tracee(pid, false, &c);
		if (err)
			return err;
		if (req == PTRACE_INTERRUPT)
			return interrupt(c);
		(void)signal_send_proc(c, SIGKILL, 0);
		return 0;
	}
	err = ptrace_tracee(pid, true, &c);
	return err ? err : on_stopped(c, req, addr, data);
}

static const struct sys_entry ptrace_syscalls[] = {
	{ __NR_ptrace, "ptrace", sys_ptrace },
};

void ptrace_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(ptrace_syscalls);
	ptrace_vm_syscalls_init();
}
