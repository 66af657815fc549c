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

int ptrace_tracee(int tid, bool need_stop, struct thread **out)
{
	struct proc *me = proc_current();
	struct thread *t;
	int err = -ESRCH;

	fw_spin_lock(&proc_tree_lock);
	t = tid > 0 ? thread_find(tid) : NULL;
	if (t && t->trace.tracer == me && !t->trace.gone) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&t->proc->lock);

		/* A listening tracee is not stopped for requests (Linux
		 * ptrace_check_attach). */
		if (!need_stop || (t->trace.stopped && !t->trace.listening))
			err = 0;
		fw_spin_unlock_irqrestore(&t->proc->lock, fl);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (!err)
		*out = t;
	return err;
}

struct proc *ptrace_lock_proc(struct thread *t, fw_irqflags_t *fl)
{
	fw_spin_lock(&proc_tree_lock);
	if (t->trace.gone) {
		fw_spin_unlock(&proc_tree_lock);
		return NULL;
	}
	*fl = fw_spin_lock_irqsave(&t->proc->lock);
	return t->proc;
}

void ptrace_unlock_proc(struct proc *p, fw_irqflags_t fl)
{
	fw_spin_unlock_irqrestore(&p->lock, fl);
	fw_spin_unlock(&proc_tree_lock);
}

static long traceme(void)
{
	struct proc *me = proc_current();
	struct thread *t = thread_current();
	long err = -EPERM;

	fw_spin_lock(&proc_tree_lock);
	if (!t->trace.tracer && me->parent && !me->parent->zombie) {
		ptrace_link_locked(me->parent, t);
		err = 0;
	}
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

/* PTRACE_ATTACH / PTRACE_SEIZE of thread `tid` (that one only, as on
 * Linux; a process's other threads are attached one by one or by
 * PTRACE_O_TRACECLONE). */
static long attach(int tid, bool seize, uint64_t addr, uint64_t data)
{
	struct proc *me = proc_current();
	struct thread *t;
	struct proc *c = NULL;
	long err;

	if (seize && (addr || (data & ~(uint64_t)PTRACE_O_MASK)))
		return -EIO;
	fw_spin_lock(&proc_tree_lock);
	t = tid > 0 ? thread_find(tid) : NULL;
	if (t)
		c = t->proc;
	if (!t) {
		err = -ESRCH;
	} else if (c == me || t->trace.tracer || t->trace.gone || c->zombie ||
		   c->exiting) {
		err = -EPERM; /* our own thread, traced already, or dying */
	} else {
		err = ptrace_may_access(c);
	}
	if (!err) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&c->lock);

		t->trace.seized = seize;
		t->trace.options = seize ? (unsigned)data : 0;
		t->trace.mode = 0;
		fw_spin_unlock_irqrestore(&c->lock, fl);
		ptrace_link_locked(me, t);
		/* PTRACE_ATTACH stops it with SIGSTOP: sent to the thread,
		 * so that the thread attached to is the one that stops (a
		 * process-wide one might be taken by another). */
		if (!seize)
			(void)signal_send_thread(t, SIGSTOP, 0);
	}
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

#define RFLAGS_TF 0x100ull

/* Resume stopped tracee t with `mode` (PTRACE_CONT/SYSCALL/SINGLESTEP)
 * and sig. A single step is the trap flag: the CPU raises #DB after one
 * instruction, which comes back as SIGTRAP (a signal-delivery-stop); the
 * flag is taken away again when it is resumed another way (Linux
 * user_disable_single_step). */
static long resume(struct thread *t, int mode, uint64_t sig)
{
	struct proc *p;
	fw_irqflags_t fl;

	if (sig > NSIG)
		return -EIO;
	p = ptrace_lock_proc(t, &fl);
	if (!p)
		return -ESRCH;
	if (!t->trace.stopped) {
		ptrace_unlock_proc(p, fl);
		return -ESRCH;
	}
	if (mode == PTRACE_SINGLESTEP)
		t->ctx.rflags |= RFLAGS_TF;
	else if (t->trace.mode == PTRACE_SINGLESTEP)
		t->ctx.rflags &= ~RFLAGS_TF;
	t->trace.mode = mode;
	t->trace.resume_sig = (int)sig;
	__atomic_store_n(&t->trace.stopped, false, __ATOMIC_RELEASE);
	fw_waitq_wake_all(&p->stop_wait);
	ptrace_unlock_proc(p, fl);
	return 0;
}

static long detach(struct thread *t, uint64_t sig)
{
	if (sig > NSIG)
		return -EIO;
	fw_spin_lock(&proc_tree_lock);
	if (t->trace.tracer == proc_current() && !t->trace.gone)
		ptrace_unlink_locked(t, (int)sig);
	fw_spin_unlock(&proc_tree_lock);
	return 0;
}

/* PTRACE_INTERRUPT: the tracee stops with PTRACE_EVENT_STOP at its next
 * way out of the kernel; a thread asleep in a system call is woken, and
 * the call restarts after the stop as after a signal. */
static long interrupt(struct thread *t)
{
	struct proc *p;
	fw_irqflags_t fl;

	if (!t->trace.seized)
		return -EIO;
	p = ptrace_lock_proc(t, &fl);
	if (!p)
		return -ESRCH;
	if (!t->trace.stopped || t->trace.listening) {
		__atomic_store_n(&t->trace.interrupt, true, __ATOMIC_RELEASE);
		if (t->task)
			fw_task_wake(t->task);
	}
	ptrace_unlock_proc(p, fl);
	return 0;
}

/* PTRACE_LISTEN: a seized tracee in a PTRACE_EVENT_STOP stays stopped,
 * but its tracer's wait hears of its next stop, such as the end of its
 * group stop (Linux ptrace_listen). EIO otherwise. */
static long listen(struct thread *t)
{
	struct proc *p;
	fw_irqflags_t fl;
	long err = -EIO;

	p = ptrace_lock_proc(t, &fl);
	if (!p)
		return -ESRCH;
	if (t->trace.seized && t->trace.stopped &&
	    (t->trace.status >> 16) == PTRACE_EVENT_STOP) {
		__atomic_store_n(&t->trace.listening, true, __ATOMIC_RELEASE);
		t->trace.report = false;
		fw_waitq_wake_all(&p->stop_wait); /* perhaps over already */
		err = 0;
	}
	ptrace_unlock_proc(p, fl);
	return err;
}

/* PTRACE_KILL: SIGKILL to t's process, if t is not leaving already. */
static long kill_req(struct thread *t)
{
	fw_spin_lock(&proc_tree_lock);
	if (!t->trace.gone)
		(void)signal_send_proc(t->proc, SIGKILL, 0);
	fw_spin_unlock(&proc_tree_lock);
	return 0;
}

static long getsiginfo(struct thread *t, uint64_t data)
{
	struct k_siginfo si = { 0 };
	fw_irqflags_t fl;
	struct proc *p = ptrace_lock_proc(t, &fl);

	if (!p)
		return -ESRCH;
	si.si_signo = t->trace.si_signo;
	si.si_code = t->trace.si_code;
	si.f0 = t->trace.si_f0;
	si.f1 = t->trace.si_f1;
	ptrace_unlock_proc(p, fl);
	if (!si.si_signo)
		return -EINVAL; /* a group-stop has none */
	return FW_COPY_OUT_OBJ(fw_uptr(data), &si) ? -EFAULT : 0;
}

static long setsiginfo(struct thread *t, uint64_t data)
{
	struct k_siginfo si;
	fw_irqflags_t fl;
	struct proc *p;

	if (FW_COPY_IN_OBJ(&si, fw_uptr(data)))
		return -EFAULT;
	p = ptrace_lock_proc(t, &fl);
	if (!p)
		return -ESRCH;
	if (!t->trace.si_signo) {
		ptrace_unlock_proc(p, fl);
		return -EINVAL;
	}
	t->trace.si_signo = si.si_signo;
	t->trace.si_code = si.si_code;
	t->trace.si_f0 = si.f0;
	t->trace.si_f1 = si.f1;
	ptrace_unlock_proc(p, fl);
	return 0;
}

/* PTRACE_GETSIGMASK/SETSIGMASK: the stopped thread's blocked set, in a
 * sigset of exactly 8 bytes (addr); SIGKILL and SIGSTOP stay unblocked. */
static long sigmask_req(struct thread *t, bool set, uint64_t addr,
			uint64_t data)
{
	uint64_t mask;

	if (addr != sizeof(mask))
		return -EINVAL;
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
static long peeksiginfo(struct thread *t, uint64_t addr, uint64_t data)
{
	struct {
		uint64_t off;
		uint32_t flags;
		int32_t nr;
	} args;
	long n = 0;

	if (FW_COPY_IN_OBJ(&args, fw_uptr(addr)))
		return -EFAULT;
	if ((args.flags & ~1u) || args.nr < 0)
		return -EINVAL;
	for (; n < args.nr; n++) {
		struct k_siginfo si;
		int err = -ESRCH;

		if (args.off + (uint64_t)n > NSIG)
			break;
		/* Its process is read: under proc_tree_lock, not gone. */
		fw_spin_lock(&proc_tree_lock);
		if (!t->trace.gone)
			err = signal_peek_pending(t, args.flags & 1u,
				(unsigned)(args.off + (uint64_t)n), &si);
		fw_spin_unlock(&proc_tree_lock);
		if (err)
			break;
		if (FW_COPY_OUT_OBJ(fw_uptr_add(fw_uptr(data),
						(uint64_t)n * sizeof(si)), &si))
			return n ? n : -EFAULT;
	}
	return n;
}

static long on_stopped(struct thread *t, long req, uint64_t addr,
		       uint64_t data)
{
	uint64_t msg;

	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		return ptrace_peek(t, addr, data);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return ptrace_poke(t, addr, data);
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
		return resume(t, (int)req, data);
	case PTRACE_DETACH:
		return detach(t, data);
	case PTRACE_LISTEN:
		return listen(t);
	case PTRACE_SETOPTIONS:
		if (data & ~(uint64_t)PTRACE_O_MASK)
			return -EINVAL;
		t->trace.options = (unsigned)data;
		return 0;
	case PTRACE_GETEVENTMSG:
		msg = t->trace.msg;
		return FW_COPY_OUT_OBJ(fw_uptr(data), &msg) ? -EFAULT : 0;
	case PTRACE_GETSIGINFO:
		return getsiginfo(t, data);
	case PTRACE_SETSIGINFO:
		return setsiginfo(t, data);
	case PTRACE_GETSIGMASK:
	case PTRACE_SETSIGMASK:
		return sigmask_req(t, req == PTRACE_SETSIGMASK, addr, data);
	case PTRACE_PEEKSIGINFO:
		return peeksiginfo(t, addr, data);
	default:
		return ptrace_regs_request(t, req, addr, data);
	}
}

static long sys_ptrace(const struct sys_args *a)
{
	long req = (long)a->arg[0];
	int tid = (int)a->arg[1];
	uint64_t addr = a->arg[2], data = a->arg[3];
	struct thread *t;
	long err;

	switch (req) {
	case PTRACE_TRACEME:
		return traceme();
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
		return attach(tid, req == PTRACE_SEIZE, addr, data);
	case PTRACE_KILL:
	case PTRACE_INTERRUPT:
		err = ptrace_tracee(tid, false, &t);
		if (err)
			return err;
		if (req == PTRACE_INTERRUPT)
			return interrupt(t);
		return kill_req(t);
	}
	err = ptrace_tracee(tid, true, &t);
	return err ? err : on_stopped(t, req, addr, data);
}

static const struct sys_entry ptrace_syscalls[] = {
	{ __NR_ptrace, "ptrace", sys_ptrace },
};

void ptrace_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(ptrace_syscalls);
	ptrace_vm_syscalls_init();
}
