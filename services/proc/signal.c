/* services/proc/signal.c: sending and delivering signals.
 *
 * Layer: services (safe C). signal(7) semantics: standard signals do not
 * queue (one pending bit each), SIGKILL and SIGSTOP cannot be caught,
 * blocked or ignored, a signal whose action is "ignore" is discarded when
 * sent, SIGCONT resumes a stopped process whatever its action, and stop
 * signals are reported to the parent (wait4 WUNTRACED, SIGCHLD unless
 * SA_NOCLDSTOP). A handler runs on a Linux x86-64 rt_sigframe
 * (arch/x86/kernel/signal.c layout), returning through sa_restorer into
 * rt_sigreturn. p->lock is taken with interrupts off, because a timer
 * (alarm) may send a signal from interrupt context. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/time.h>
#include <fw/uaccess.h>
#include <fw/user.h>
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/hooks.h"
#include "proc/signal.h"
#include "fs/event/signalfd.h"
#include "proc/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define UNBLOCKABLE (sigbit(SIGKILL) | sigbit(SIGSTOP))
#define STOP_SIGS                                                              \
	(sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | sigbit(SIGTTOU))
/* Default action "ignore" (signal(7)). */
#define DFL_IGNORE                                                             \
	(sigbit(SIGCHLD) | sigbit(SIGURG) | sigbit(SIGWINCH) | sigbit(SIGCONT))
/* Default action "core" (terminate and dump). */
#define DFL_CORE                                                               \
	(sigbit(SIGQUIT) | sigbit(SIGILL) | sigbit(SIGTRAP) |                  \
	 sigbit(SIGABRT) | sigbit(SIGBUS) | sigbit(SIGFPE) |                   \
	 sigbit(SIGSEGV) | sigbit(SIGXCPU) | sigbit(SIGXFSZ) | sigbit(SIGSYS))

/* Signals a fault raises (signal_force_fault). */
#define FAULT_SIGS                                                             \
	(sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) | sigbit(SIGFPE) |  \
	 sigbit(SIGTRAP) | sigbit(SIGSYS))

/* --- handler tables --------------------------------------------------- */

int sighand_create(struct sighand **out)
{
	struct sighand *sh = FW_NEW(struct sighand);
	if (!sh)
		return -ENOMEM;
	sh->refs = 1;
	fw_spin_init(&sh->lock, "sighand");
	*out = sh;
	return 0;
}

int sighand_copy(struct sighand *src, struct sighand **out)
{
	int err = sighand_create(out);
	if (err)
		return err;
	fw_spin_lock(&src->lock);
	memcpy(&(*out)->action, &src->action, sizeof src->action);
	fw_spin_unlock(&src->lock);
	return 0;
}

void sighand_get(struct sighand *sh)
{
	__atomic_add_fetch(&sh->refs, 1, __ATOMIC_RELAXED);
}

void sighand_put(struct sighand *sh)
{
	if (__atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) == 0)
		fw_free(sh);
}

void sighand_reset_on_exec(struct sighand *sh)
{
	fw_spin_lock(&sh->lock);
	for (int sig = 1; sig <= NSIG; sig++) {
		struct k_sigaction *sa = &sh->action[sig];
		if (sa->handler != SIG_IGN)
			*sa = (struct k_sigaction){ 0 };
		sa->flags = 0;
		sa->restorer = 0;
		sa->mask = 0;
	}
	fw_spin_unlock(&sh->lock);
}

/* --- sending ---------------------------------------------------------- */

/* Is sig's action to ignore it (SIG_IGN, or SIG_DFL for a signal whose
 * default is to ignore)? */
static bool action_ignores(struct proc *p, int sig)
{
	uint64_t h = p->sighand ? p->sighand->action[sig].handler : SIG_DFL;
	if (sigbit(sig) & UNBLOCKABLE)
		return false;
	return h == SIG_IGN || (h == SIG_DFL && (sigbit(sig) & DFL_IGNORE));
}

/* t blocks sig, or did before a sigtimedwait unblocked it for the wait
 * (Linux's real_blocked). */
static bool blocked_by(const struct thread *t, int sig)
{
	return ((t->sigmask | t->real_blocked) & sigbit(sig)) != 0;
}

/* init (pid 1) is sent only the signals it has a handler for or blocks
 * to wait for (kill(2); busybox init blocks its signals and takes them
 * with sigtimedwait); the others, SIGKILL and SIGSTOP too, are dropped,
 * as Linux drops them for its SIGNAL_UNKILLABLE init. A fault still ends
 * it (a forced signal, signal_force_fault). */
static bool init_protected(struct proc *p, int sig)
{
	return p->pid == 1 &&
	       (!p->sighand || p->sighand->action[sig].handler == SIG_DFL);
}

/* Is a signal sent to p discarded at once? Only if its action ignores it
 * (or p is init, without a handler for it) and no thread blocks it: a
 * blocked signal stays pending for sigwait or a handler installed later
 * (Linux sig_ignored: "blocked signals are never ignored"). Caller holds
 * p->lock (the thread list). */
static bool sig_ignored(struct proc *p, int sig)
{
	struct thread *t;

	/* A tracee's tracer sees every signal (Linux sig_ignored). */
	if ((!action_ignores(p, sig) && !init_protected(p, sig)) ||
	    proc_traced(p))
		return false;
	FW_LIST_FOR_EACH(t, &p->threads, proc_node)
		if (blocked_by(t, sig))
			return false;
	return true;
}

bool signal_is_ignored(struct proc *p, int sig)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	bool ignored = sig_ignored(p, sig);

	fw_spin_unlock_irqrestore(&p->lock, fl);
	return ignored;
}

bool signal_is_default(struct proc *p, int sig)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	bool dfl = p->sighand->action[sig].handler == SIG_DFL;

	fw_spin_unlock_irqrestore(&p->lock, fl);
	return dfl;
}

/* Wake every thread of p that could take sig. Caller holds p->lock. */
static void wake_takers(struct proc *p, int sig)
{
	struct thread *t;
	FW_LIST_FOR_EACH(t, &p->threads, proc_node)
		if (!(t->sigmask & sigbit(sig)) && t->task)
			fw_task_wake(t->task);
}

/* Wake every thread of p. Caller holds p->lock. */
static void wake_all_threads(struct proc *p)
{
	struct thread *t;
	FW_LIST_FOR_EACH(t, &p->threads, proc_node)
		if (t->task)
			fw_task_wake(t->task);
}

static void notify_parent_stop(struct proc *p, int code, int sig)
{
	struct proc *parent = p->parent;
	struct k_siginfo si = { 0 };

	if (!parent || !parent->sighand)
		return;
	if (!(parent->sighand->action[SIGCHLD].flags & SA_NOCLDSTOP)) {
		si.si_signo = SIGCHLD;
		si.si_code = code;
		si.f0 = (uint64_t)(uint32_t)p->pid;
		si.f1 = (uint64_t)sig;
		(void)signal_send_proc(parent, SIGCHLD, &si);
	}
	fw_waitq_wake_all(&parent->child_wait);
}

void signal_notify_parent_stop(struct proc *p, int sig)
{
	notify_parent_stop(p, CLD_STOPPED, sig);
}

int signal_send_proc(struct proc *p, int sig, const struct k_siginfo *info)
{
	struct proc *me = proc_current();
	fw_irqflags_t fl;
	bool continued = false;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!p || p->zombie)
		return -ESRCH;
	if (sig == 0)
		return 0;
	fl = fw_spin_lock_irqsave(&p->lock);
	if (sig == SIGCONT || sig == SIGKILL) {
		struct thread *t;

		p->sigpending &= ~STOP_SIGS;
		FW_LIST_FOR_EACH(t, &p->threads, proc_node)
			__atomic_and_fetch(&t->sigpending, ~STOP_SIGS,
					   __ATOMIC_SEQ_CST);
		if (p->stopped) {
			p->stopped = false;
			p->report_cont = true;
			continued = true;
			fw_waitq_wake_all(&p->stop_wait);
		}
	}
	if (sigbit(sig) & STOP_SIGS)
		p->sigpending &= ~sigbit(SIGCONT);
	if (!sig_ignored(p, sig)) {
		struct sig_info_lite *li = &p->siginfo[sig];
		__atomic_or_fetch(&p->sigpending, sigbit(sig), __ATOMIC_SEQ_CST);
		if (info) {
			li->code = info->si_code;
			li->f0 = info->f0;
			li->f1 = info->f1;
		} else {
			li->code = SI_USER;
			li->f0 = me ? (uint64_t)(uint32_t)me->pid |
					      ((uint64_t)me->cred.uid << 32)
				    : 0;
			li->f1 = 0;
		}
		wake_takers(p, sig);
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	signalfd_notify();
	if (continued)
		notify_parent_stop(p, CLD_CONTINUED, SIGCONT);
	return 0;
}

/* si_pid | si_uid << 32 of the calling process (0 from kernel tasks). */
static uint64_t sender_word(void)
{
	struct proc *me = proc_current();
	return me ? (uint64_t)(uint32_t)me->pid | ((uint64_t)me->cred.uid << 32)
		  : 0;
}

int signal_send_thread(struct thread *t, int sig, const struct k_siginfo *info)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0 || (init_protected(t->proc, sig) && !blocked_by(t, sig)))
		return 0;
	if ((sigbit(sig) & (sigbit(SIGKILL) | sigbit(SIGCONT))) ||
	    (action_ignores(t->proc, sig) && !blocked_by(t, sig)))
		return signal_send_proc(t->proc, sig, info);
	/* A stop signal stays the thread's, as on Linux (the stop is the
	 * whole group's anyway, but a tracer of this thread must see it
	 * here), and discards a pending SIGCONT (Linux prepare_signal). */
	if (sigbit(sig) & STOP_SIGS)
		__atomic_and_fetch(&t->proc->sigpending, ~sigbit(SIGCONT),
				   __ATOMIC_SEQ_CST);
	/* Thread-directed signals keep one record (code, sender) in the
	 * thread, like faults do. */
	t->fault_code = info ? info->si_code : SI_TKILL;
	t->fault_addr = info ? info->f0 : sender_word();
	t->tinfo_f1 = info ? info->f1 : 0;
	__atomic_or_fetch(&t->sigpending, sigbit(sig), __ATOMIC_SEQ_CST);
	if (t->task)
		fw_task_wake(t->task);
	signalfd_notify();
	return 0;
}

int signal_send_pgrp(int pgid, int sig)
{
	int cursor = 0, sent = 0, err = -ESRCH;
	struct proc *p;

	if (pgid <= 0)
		return -EINVAL;
	while ((p = proc_next(&cursor))) {
		if (p->pgid != pgid)
			continue;
		err = signal_send_proc(p, sig, 0);
		sent++;
	}
	return sent ? 0 : err;
}

void signal_send_current_thread(int sig)
{
	struct thread *t = thread_current();
	if (t)
		(void)signal_send_thread(t, sig, 0);
}

static void force(struct thread *t, const struct k_siginfo *si, bool fatal)
{
	struct proc *p = t->proc;
	int sig = si->si_signo;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);

	/* A fault cannot be blocked or ignored: if it is, the process dies
	 * (Linux force_sig_fault resets the action to SIG_DFL). */
	if (fatal || (t->sigmask & sigbit(sig)) ||
	    p->sighand->action[sig].handler == SIG_IGN) {
		t->sigmask &= ~sigbit(sig);
		p->sighand->action[sig].handler = SIG_DFL;
	}
	t->fault_addr = si->f0;
	t->fault_code = si->si_code;
	t->tinfo_f1 = si->f1;
	__atomic_or_fetch(&t->sigpending, sigbit(sig), __ATOMIC_SEQ_CST);
	fw_spin_unlock_irqrestore(&p->lock, fl);
}

void signal_force_info(struct thread *t, const struct k_siginfo *si)
{
	force(t, si, false);
}

void signal_force_fault(struct thread *t, int sig, int code, uint64_t addr)
{
	struct k_siginfo si = { .si_signo = sig, .si_code = code, .f0 = addr };

	force(t, &si, false);
}

void signal_force_exit(struct thread *t, int sig)
{
	struct k_siginfo si = { .si_signo = sig, .si_code = SI_KERNEL };

	force(t, &si, true);
}

static uint64_t deliverable(struct thread *t)
{
	return (__atomic_load_n(&t->sigpending, __ATOMIC_ACQUIRE) |
		__atomic_load_n(&t->proc->sigpending, __ATOMIC_ACQUIRE)) &
	       (~t->sigmask | UNBLOCKABLE);
}

bool signal_deliverable(struct thread *t)
{
	return deliverable(t) != 0;
}

bool signal_pending_current(void)
{
	struct thread *t = thread_current();
	return t && (deliverable(t) || t->exiting || t->proc->exiting ||
		     thread_interrupted(t));
}

/* --- delivery --------------------------------------------------------- */

static bool is_restart(int64_t rax)
{
	return rax == -ERESTARTSYS || rax == -ERESTARTNOINTR ||
	       rax == -ERESTARTNOHAND || rax == -ERESTART_RESTARTBLOCK;
}

/* The interrupted syscall runs again: back up over `syscall` (2 bytes). */
static void restart_syscall(struct thread *t)
{
	t->ctx.rax = t->restart_nr;
	t->ctx.rip -= 2;
}

/* The process stops here until SIGCONT or SIGKILL. */
static void do_stop(struct thread *t, int sig)
{
	struct proc *p = t->proc;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);

	if (!p->stopped) {
		p->stopped = true;
		p->stop_sig = sig;
		p->report_stop = true;
		p->stop_seq++; /* traced threads take part once each */
		if (proc_traced(p)) /* and may be asleep in a system call */
			wake_all_threads(p);
		fw_spin_unlock_irqrestore(&p->lock, fl);
		notify_parent_stop(p, CLD_STOPPED, sig);
	} else {
		fw_spin_unlock_irqrestore(&p->lock, fl);
	}
	FW_WAIT_EVENT(&p->stop_wait,
		      !__atomic_load_n(&p->stopped, __ATOMIC_ACQUIRE) ||
			      (deliverable(t) & sigbit(SIGKILL)) ||
			      p->exiting || thread_interrupted(t));
}

/* A job stop that PTRACE_INTERRUPT breaks into (then it goes on), or
 * an attach: a thread attached while stopped reports the group stop. */
static void stop_traced(struct thread *t, int sig)
{
	do {
		do_stop(t, sig);
		if (ptrace_group_stop_join(t, sig))
			return;
		if (!thread_interrupted(t))
			return;
		ptrace_interrupt_stop(t);
	} while (__atomic_load_n(&t->proc->stopped, __ATOMIC_ACQUIRE));
}

/* Take the lowest signal in `ready` off the pending sets (SIGKILL and
 * SIGSTOP first); 0 if none. *si gets what was recorded for it. */
static int dequeue_from(struct thread *t, uint64_t ready, struct k_siginfo *si)
{
	struct proc *p = t->proc;
	fw_irqflags_t fl;
	int sig;

	if (!ready)
		return 0;
	if (ready & UNBLOCKABLE)
		ready &= UNBLOCKABLE;
	sig = __builtin_ctzll(ready) + 1;
	*si = (struct k_siginfo){ .si_signo = sig };
	fl = fw_spin_lock_irqsave(&p->lock);
	if (t->sigpending & sigbit(sig)) {
		__atomic_and_fetch(&t->sigpending, ~sigbit(sig), __ATOMIC_SEQ_CST);
		si->si_code = t->fault_code;
		si->f0 = t->fault_addr;
		si->f1 = t->tinfo_f1;
	} else {
		const struct sig_info_lite *li = &p->siginfo[sig];
		__atomic_and_fetch(&p->sigpending, ~sigbit(sig), __ATOMIC_SEQ_CST);
		si->si_code = li->code;
		si->f0 = li->f0;
		si->f1 = li->f1;
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if (si->si_code == SI_TIMER)
		ptimer_delivered(p, si);
	return sig;
}

int signal_peek_pending(struct thread *t, bool shared, unsigned index,
			struct k_siginfo *si)
{
	struct proc *p = t->proc;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	uint64_t set = shared ? p->sigpending : t->sigpending;
	int sig = 0;

	for (int s = 1; s <= NSIG && !sig; s++)
		if ((set & sigbit(s)) && index-- == 0)
			sig = s;
	if (sig) {
		*si = (struct k_siginfo){ .si_signo = sig };
		if (shared) {
			si->si_code = p->siginfo[sig].code;
			si->f0 = p->siginfo[sig].f0;
			si->f1 = p->siginfo[sig].f1;
		} else {
			si->si_code = t->fault_code;
			si->f0 = t->fault_addr;
			si->f1 = t->tinfo_f1;
		}
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	return sig ? 0 : -ENOENT;
}

static int dequeue(struct thread *t, struct k_siginfo *si)
{
	return dequeue_from(t, deliverable(t), si);
}

static uint64_t pending_of(struct thread *t)
{
	return __atomic_load_n(&t->sigpending, __ATOMIC_ACQUIRE) |
	       __atomic_load_n(&t->proc->sigpending, __ATOMIC_ACQUIRE);
}

uint64_t current_signals_pending(void)
{
	struct thread *t = thread_current();

	return t ? pending_of(t) : 0;
}

int current_signal_take(uint64_t mask, struct taken_signal *out)
{
	struct thread *t = thread_current();
	struct k_siginfo si;
	int sig;

	if (!t)
		return 0;
	sig = dequeue_from(t, pending_of(t) & mask & ~UNBLOCKABLE, &si);
	if (sig)
		*out = (struct taken_signal){ sig, si.si_code, si.f0, si.f1,
					      si.f2, si.f3 };
	return sig;
}

static bool on_altstack(const struct thread *t, uint64_t sp)
{
	return t->altstack_size && sp - t->altstack_sp <= t->altstack_size;
}

/* Bytes the FPU image takes in a handler frame: the image and, with XSAVE,
 * FP_XSTATE_MAGIC2 after it. */
static uint64_t fpstate_size(void)
{
	uint64_t n = fw_user_fpu_size();
	return n > 512 ? n + FP_XSTATE_MAGIC2_SIZE : n;
}

uint64_t signal_min_stack_size(void)
{
	/* The frame, the FPU image, and the alignment of both (64 for the
	 * image, 16 for the frame): Linux's AT_MINSIGSTKSZ. */
	return (sizeof(struct k_rt_sigframe) + fpstate_size() + 63 + 15 + 15) &
	       ~15ull;
}

/* Write the FPU image at fp_addr as Linux lays it out for a handler. */
static bool save_fpstate(struct thread *t, uint64_t fp_addr)
{
	uint64_t size = fw_user_fpu_size();
	struct k_fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = (uint32_t)(size + FP_XSTATE_MAGIC2_SIZE),
		.xfeatures = fw_user_fpu_features(),
		.xstate_size = (uint32_t)size,
	};
	uint32_t magic2 = FP_XSTATE_MAGIC2;

	if (fw_user_fpu_save(&t->ctx, fw_uptr(fp_addr)))
		return false;
	if (size == 512) /* FXSAVE: no software bytes, as on Linux */
		return true;
	return !FW_COPY_OUT_OBJ(fw_uptr(fp_addr + FPX_SW_BYTES_OFFSET), &sw) &&
	       !FW_COPY_OUT_OBJ(fw_uptr(fp_addr + size), &magic2);
}

/* Load the FPU image a handler's frame holds at fp_addr: the whole XSAVE
 * image when its software bytes and FP_XSTATE_MAGIC2 say it is one this
 * kernel wrote (size and all), else the FXSAVE part only, with the rest
 * reset, as Linux does for a frame without them. */
static int restore_fpstate(struct thread *t, uint64_t fp_addr)
{
	uint64_t size = fw_user_fpu_size();
	struct k_fpx_sw_bytes sw;
	uint32_t magic2;

	if (size > 512 &&
	    !FW_COPY_IN_OBJ(&sw, fw_uptr(fp_addr + FPX_SW_BYTES_OFFSET)) &&
	    sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size == size &&
	    sw.extended_size == size + FP_XSTATE_MAGIC2_SIZE &&
	    !FW_COPY_IN_OBJ(&magic2, fw_uptr(fp_addr + size)) &&
	    magic2 == FP_XSTATE_MAGIC2)
		return fw_user_fpu_restore(&t->ctx, fw_uptr(fp_addr), size,
					   sw.xfeatures);
	return fw_user_fpu_restore(&t->ctx, fw_uptr(fp_addr), 512, 0);
}

/* Build the handler frame; false if user memory would not take it. The
 * layout is Linux's (arch/x86/kernel/signal.c get_sigframe): below the
 * interrupted stack's red zone, or at the top of the alternate stack,
 * the FPU image 64-byte aligned, then the frame, 16-byte aligned less
 * the return address slot. */
static bool setup_frame(struct thread *t, int sig, const struct k_sigaction *sa,
			const struct k_siginfo *si, uint64_t old_mask)
{
	struct k_rt_sigframe f;
	uint64_t sp = t->ctx.rsp - 128, fp_addr, frame;

	if ((sa->flags & SA_ONSTACK) && t->altstack_size &&
	    !(t->altstack_flags & SS_DISABLE) && !on_altstack(t, t->ctx.rsp))
		sp = t->altstack_sp + t->altstack_size;
	fp_addr = (sp - fpstate_size()) & ~63ull;
	frame = ((fp_addr - sizeof f) & ~15ull) - 8;

	memset(&f, 0, sizeof f);
	f.pretcode = sa->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS |
			(fw_user_fpu_size() > 512 ? UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = t->altstack_sp;
	f.uc.uc_stack.ss_size = t->altstack_size;
	f.uc.uc_stack.ss_flags = on_altstack(t, t->ctx.rsp) ? SS_ONSTACK
			       : t->altstack_size ? 0
						  : SS_DISABLE;
	struct k_sigcontext *m = &f.uc.uc_mcontext;
	m->r8 = t->ctx.r8, m->r9 = t->ctx.r9, m->r10 = t->ctx.r10;
	m->r11 = t->ctx.r11, m->r12 = t->ctx.r12, m->r13 = t->ctx.r13;
	m->r14 = t->ctx.r14, m->r15 = t->ctx.r15, m->rdi = t->ctx.rdi;
	m->rsi = t->ctx.rsi, m->rbp = t->ctx.rbp, m->rbx = t->ctx.rbx;
	m->rdx = t->ctx.rdx, m->rax = t->ctx.rax, m->rcx = t->ctx.rcx;
	m->rsp = t->ctx.rsp, m->rip = t->ctx.rip, m->eflags = t->ctx.rflags;
	m->cs = 0x23, m->ss = 0x1b;
	m->oldmask = old_mask;
	m->cr2 = (sig == SIGSEGV || sig == SIGBUS) ? si->f0 : 0;
	m->trapno = sig == SIGSEGV ? 14 : 0;
	m->fpstate = fp_addr;
	f.uc.uc_sigmask = old_mask;
	f.info = *si;

	if (!save_fpstate(t, fp_addr) || FW_COPY_OUT_OBJ(fw_uptr(frame), &f))
		return false;

	t->ctx.rip = sa->handler;
	t->ctx.rsp = frame;
	t->ctx.rdi = (uint64_t)sig;
	t->ctx.rsi = frame + __builtin_offsetof(struct k_rt_sigframe, info);
	t->ctx.rdx = frame + __builtin_offsetof(struct k_rt_sigframe, uc);
	t->ctx.rax = 0;
	t->ctx.rflags &= ~(0x400ull | 0x100ull); /* DF, TF */
	return true;
}

static FW_NORETURN void die(struct thread *t, int sig, bool core)
{
	if (thread_traced(t))
		ptrace_exit_event(t, sig | (core ? 0x80 : 0));
	proc_exit_group(t->proc, sig | (core ? 0x80 : 0));
	thread_exit(t, 0);
}

static void deliver(struct thread *t)
{
	struct proc *p = t->proc;
	struct k_siginfo si;
	int sig;

	/* A group stop: a traced thread reports it to its tracer (once),
	 * the others stop until SIGCONT. */
	if (__atomic_load_n(&p->stopped, __ATOMIC_ACQUIRE) &&
	    !ptrace_group_stop_join(t, p->stop_sig))
		stop_traced(t, p->stop_sig);
	if (thread_interrupted(t))
		ptrace_interrupt_stop(t);
	while ((sig = dequeue(t, &si))) {
		struct k_sigaction sa;
		uint64_t old_mask;
		fw_irqflags_t fl;

		/* A tracee shows the signal to its tracer first, which
		 * may change or cancel it (ptrace(2), signal-delivery-stop). */
		if (sig != SIGKILL && thread_traced(t) &&
		    !(sig = ptrace_signal(t, sig, &si)))
			continue;

		fw_spin_lock(&p->sighand->lock);
		sa = p->sighand->action[sig];
		if (sa.handler > SIG_IGN && (sa.flags & SA_RESETHAND))
			p->sighand->action[sig] = (struct k_sigaction){ 0 };
		fw_spin_unlock(&p->sighand->lock);

		if (sig == SIGKILL)
			die(t, sig, false);
		if (sa.handler == SIG_IGN)
			continue;
		if (sa.handler == SIG_DFL) {
			uint64_t b = sigbit(sig);
			if (b & DFL_IGNORE)
				continue;
			/* init takes no default action but a fault's (one it
			 * blocked, then unblocked, is dropped here: Linux
			 * get_signal's SIGNAL_UNKILLABLE check). */
			if (p->pid == 1 && !(si.si_code > 0 && (b & FAULT_SIGS)))
				continue;
			if (b & STOP_SIGS) {
				if (thread_traced(t))
					ptrace_group_stop(t, sig);
				else
					stop_traced(t, sig);
				continue;
			}
			die(t, sig, b & DFL_CORE);
		}
		/* A handler: first settle an interrupted system call. */
		if (t->restart_nr != ~0ull && is_restart((int64_t)t->ctx.rax)) {
			int64_t r = (int64_t)t->ctx.rax;
			if (r == -ERESTARTNOINTR ||
			    (r == -ERESTARTSYS && (sa.flags & SA_RESTART)))
				restart_syscall(t);
			else
				t->ctx.rax = (uint64_t)-EINTR;
			t->restart_nr = ~0ull;
			t->restart_block = false;
		}
		old_mask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
		t->restore_sigmask = false;
		if (!(sa.flags & SA_RESTORER) ||
		    !setup_frame(t, sig, &sa, &si, old_mask)) {
			/* No way back from the handler, or no room for the
			 * frame: Linux kills with SIGSEGV. */
			die(t, SIGSEGV, true);
		}
		fl = fw_spin_lock_irqsave(&p->lock);
		t->sigmask |= sa.mask | ((sa.flags & SA_NODEFER) ? 0 : sigbit(sig));
		t->sigmask &= ~UNBLOCKABLE;
		fw_spin_unlock_irqrestore(&p->lock, fl);
		return; /* one handler at a time; the next on the next entry */
	}
	/* No handler ran: an interrupted call restarts transparently. */
	if (t->restart_nr != ~0ull && is_restart((int64_t)t->ctx.rax)) {
		/* A call that keeps its state in the thread goes on through
		 * restart_syscall(2), as Linux's restart_block. */
		if ((int64_t)t->ctx.rax == -ERESTART_RESTARTBLOCK)
			t->restart_nr = __NR_restart_syscall;
		restart_syscall(t);
		t->restart_nr = ~0ull;
	}
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
}

/* --- system calls ----------------------------------------------------- */

static long sys_rt_sigaction(const struct sys_args *a)
{
	int sig = (int)a->arg[0];
	struct k_sigaction act, old;
	struct sighand *sh = proc_current()->sighand;

	if (a->arg[3] != 8 || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (a->arg[1] && FW_COPY_IN_OBJ(&act, fw_uptr(a->arg[1])))
		return -EFAULT;
	if (a->arg[1] && (sigbit(sig) & UNBLOCKABLE))
		return -EINVAL;
	fw_spin_lock(&sh->lock);
	old = sh->action[sig];
	if (a->arg[1]) {
		act.mask &= ~UNBLOCKABLE;
		sh->action[sig] = act;
	}
	fw_spin_unlock(&sh->lock);
	/* Setting SIG_IGN discards a pending instance (POSIX), blocked or
	 * not, as Linux does. */
	if (a->arg[1] && action_ignores(proc_current(), sig))
		__atomic_and_fetch(&proc_current()->sigpending, ~sigbit(sig),
				   __ATOMIC_SEQ_CST);
	if (a->arg[2] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &old))
		return -EFAULT;
	return 0;
}

static long sys_rt_sigprocmask(const struct sys_args *a)
{
	struct thread *t = thread_current();
	uint64_t set, old = t->sigmask;

	if (a->arg[3] != 8)
		return -EINVAL;
	if (a->arg[1]) {
		if (FW_COPY_IN_OBJ(&set, fw_uptr(a->arg[1])))
			return -EFAULT;
		switch (a->arg[0]) {
		case SIG_BLOCK:
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a->arg[2] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &old))
		return -EFAULT;
	return 0;
}

static long sys_rt_sigpending(const struct sys_args *a)
{
	struct thread *t = thread_current();
	uint64_t set = (t->sigpending | t->proc->sigpending) & t->sigmask;

	if (a->arg[1] != 8)
		return -EINVAL;
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[0]), &set) ? -EFAULT : 0;
}

static long suspend_with(struct thread *t, uint64_t mask)
{
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~UNBLOCKABLE;
	FW_WAIT_EVENT(&t->sig_wait, signal_pending_current());
	return -ERESTARTNOHAND;
}

static long sys_rt_sigsuspend(const struct sys_args *a)
{
	uint64_t mask;

	if (a->arg[1] != 8)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&mask, fw_uptr(a->arg[0])))
		return -EFAULT;
	return suspend_with(thread_current(), mask);
}

static long sys_pause(const struct sys_args *a)
{
	struct thread *t = thread_current();
	(void)a;
	FW_WAIT_EVENT(&t->sig_wait, signal_pending_current());
	return -ERESTARTNOHAND;
}

static long sys_rt_sigreturn(const struct sys_args *a)
{
	struct thread *t = thread_current();
	struct k_rt_sigframe f;
	uint64_t frame = t->ctx.rsp - 8;
	const struct k_sigcontext *m = &f.uc.uc_mcontext;

	(void)a;
	if (FW_COPY_IN_OBJ(&f, fw_uptr(frame)) ||
	    (m->fpstate && restore_fpstate(t, m->fpstate))) {
		signal_force_fault(t, SIGSEGV, SI_KERNEL, 0);
		return 0;
	}
	t->ctx.r8 = m->r8, t->ctx.r9 = m->r9, t->ctx.r10 = m->r10;
	t->ctx.r11 = m->r11, t->ctx.r12 = m->r12, t->ctx.r13 = m->r13;
	t->ctx.r14 = m->r14, t->ctx.r15 = m->r15, t->ctx.rdi = m->rdi;
	t->ctx.rsi = m->rsi, t->ctx.rbp = m->rbp, t->ctx.rbx = m->rbx;
	t->ctx.rdx = m->rdx, t->ctx.rcx = m->rcx;
	t->ctx.rsp = m->rsp, t->ctx.rip = m->rip;
	t->ctx.rflags = m->eflags; /* fw_user_run masks what user may set */
	t->sigmask = f.uc.uc_sigmask & ~UNBLOCKABLE;
	t->restart_pending_clear = true;
	return (long)m->rax;
}

/* rt_sigtimedwait(2): wait for one of `set` (normally blocked) and take
 * it without running a handler. While waiting the set is unblocked, as
 * Linux does, so senders wake us; any other signal interrupts (-EINTR). */
static long sys_rt_sigtimedwait(const struct sys_args *a)
{
	struct thread *t = thread_current();
	uint64_t set, saved, deadline = ~0ull;
	struct k_siginfo si;
	int sig, ret = 0;

	if (a->arg[3] != 8)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&set, fw_uptr(a->arg[0])))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	if (a->arg[2]) {
		struct k_timespec ts;
		if (FW_COPY_IN_OBJ(&ts, fw_uptr(a->arg[2])))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = fw_time_ns() + (uint64_t)ts.tv_sec * FW_NSEC_PER_SEC +
			   (uint64_t)ts.tv_nsec;
	}
	saved = t->sigmask;
	t->real_blocked = saved; /* still "blocked" for sig_ignored */
	t->sigmask &= ~set;
	FW_WAIT_EVENT_DEADLINE(&t->sig_wait,
			       (pending_of(t) & set) || signal_pending_current(),
			       deadline, ret);
	t->sigmask = saved;
	t->real_blocked = 0;
	sig = dequeue_from(t, pending_of(t) & set, &si);
	if (!sig)
		return ret ? -EAGAIN : -EINTR;
	if (a->arg[1] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &si))
		return -EFAULT;
	return sig;
}

static long sys_sigaltstack(const struct sys_args *a)
{
	struct thread *t = thread_current();
	struct k_stack ss, old = {
		.ss_sp = t->altstack_sp,
		.ss_size = t->altstack_size,
		.ss_flags = on_altstack(t, t->ctx.rsp) ? SS_ONSTACK
			    : t->altstack_size	       ? 0
						       : SS_DISABLE,
	};

	if (a->arg[0]) {
		if (FW_COPY_IN_OBJ(&ss, fw_uptr(a->arg[0])))
			return -EFAULT;
		if (on_altstack(t, t->ctx.rsp))
			return -EPERM;
		if (ss.ss_flags & ~SS_DISABLE)
			return -EINVAL;
		if (ss.ss_flags & SS_DISABLE) {
			t->altstack_sp = t->altstack_size = 0;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = ss.ss_sp;
			t->altstack_size = ss.ss_size;
		}
		t->altstack_flags = (uint32_t)ss.ss_flags;
	}
	if (a->arg[1] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &old))
		return -EFAULT;
	return 0;
}

/* Linux check_kill_permission: the sender's real or effective uid is
 * the target's real or saved uid (kill_ok_by_cred), or it has CAP_KILL;
 * and SIGCONT reaches any process of the sender's session (a shell
 * continues a job that changed its ids, as su and sudo do). */
static bool may_signal(const struct proc *from, const struct proc *to, int sig)
{
	const struct cred *c = &from->cred, *t = &to->cred;

	return c->euid == t->suid || c->euid == t->uid || c->uid == t->suid ||
	       c->uid == t->uid || cred_capable(c, CAP_KILL) ||
	       (sig == SIGCONT && from->sid == to->sid);
}

static long sys_kill(const struct sys_args *a)
{
	int pid = (int)a->arg[0], sig = (int)a->arg[1];
	struct proc *me = proc_current(), *p;
	int cursor = 0, found = 0, sent = 0;
	long err = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		p = proc_find(pid);
		if (!p || p->zombie)
			return -ESRCH;
		if (!may_signal(me, p, sig))
			return -EPERM;
		return signal_send_proc(p, sig, 0);
	}
	/* 0: my group; -1: everyone but init and me; < -1: group -pid.
	 * As Linux: a group none of which may be signalled is EPERM; -1
	 * just skips the ones it may not signal. */
	while ((p = proc_next(&cursor))) {
		if (pid == 0 ? p->pgid != me->pgid
		    : pid == -1 ? (p->pid == 1 || p == me)
				: p->pgid != -pid)
			continue;
		found++;
		if (may_signal(me, p, sig)) {
			err = signal_send_proc(p, sig, 0);
			sent++;
		}
	}
	if (!found)
		return -ESRCH;
	return pid != -1 && !sent ? -EPERM : err;
}

static long sys_tgkill(const struct sys_args *a)
{
	int tgid = (int)a->arg[0], tid = (int)a->arg[1], sig = (int)a->arg[2];
	struct thread *t = thread_find(tid);

	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!t || t->proc->pid != tgid)
		return -ESRCH;
	if (!may_signal(proc_current(), t->proc, sig))
		return -EPERM;
	return signal_send_thread(t, sig, 0);
}

static long sys_tkill(const struct sys_args *a)
{
	int tid = (int)a->arg[0], sig = (int)a->arg[1];
	struct thread *t = thread_find(tid);

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	if (!may_signal(proc_current(), t->proc, sig))
		return -EPERM;
	return signal_send_thread(t, sig, 0);
}

/* The siginfo a sigqueue caller supplies, checked as Linux's
 * do_rt_sigqueueinfo: only a process signalling itself (self_id, the
 * pid or tid it names) may use the codes the kernel and kill(2) use,
 * so nobody can pose as them to another process. */
static long queueinfo_in(uint64_t uaddr, int sig, int self_id,
			 struct k_siginfo *info)
{
	if (FW_COPY_IN_OBJ(info, fw_uptr(uaddr)))
		return -EFAULT;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) &&
	    self_id != proc_current()->pid &&
	    self_id != thread_current()->tid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

long signal_send_checked(struct proc *p, int sig, fw_uptr_t uinfo)
{
	struct k_siginfo info;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!fw_uptr_is_null(uinfo)) {
		if (FW_COPY_IN_OBJ(&info, uinfo))
			return -EFAULT;
		if (info.si_signo != sig)
			return -EINVAL;
		/* the codes of the kernel and kill(2): the caller's own only */
		if ((info.si_code >= 0 || info.si_code == SI_TKILL) &&
		    p != proc_current())
			return -EPERM;
	}
	if (!p || p->zombie)
		return -ESRCH;
	if (!may_signal(proc_current(), p, sig))
		return -EPERM;
	return signal_send_proc(p, sig, fw_uptr_is_null(uinfo) ? 0 : &info);
}

int signal_send_pid(int pid, uint64_t start_ns, int sig,
		    const struct k_siginfo *info)
{
	struct proc *p;
	int ret = -ESRCH;

	fw_spin_lock(&proc_tree_lock);
	p = pid > 0 ? proc_find(pid) : NULL;
	if (p && p->start_ns == start_ns)
		ret = signal_send_proc(p, sig, info);
	fw_spin_unlock(&proc_tree_lock);
	return ret;
}

/* rt_sigqueueinfo(2): a signal with the caller's siginfo (sigqueue(3)
 * sends SI_QUEUE with a value) to a process. */
static long sys_rt_sigqueueinfo(const struct sys_args *a)
{
	int pid = (int)a->arg[0], sig = (int)a->arg[1];
	struct k_siginfo info;
	struct proc *p;
	long err;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	err = queueinfo_in(a->arg[2], sig, pid, &info);
	if (err)
		return err;
	p = pid > 0 ? proc_find(pid) : NULL;
	if (!p || p->zombie)
		return -ESRCH;
	if (!may_signal(proc_current(), p, sig))
		return -EPERM;
	return signal_send_proc(p, sig, &info);
}

/* rt_tgsigqueueinfo(2): the same to one thread of a process. */
static long sys_rt_tgsigqueueinfo(const struct sys_args *a)
{
	int tgid = (int)a->arg[0], tid = (int)a->arg[1], sig = (int)a->arg[2];
	struct k_siginfo info;
	struct thread *t;
	long err;

	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	err = queueinfo_in(a->arg[3], sig, tid, &info);
	if (err)
		return err;
	t = thread_find(tid);
	if (!t || t->proc->pid != tgid)
		return -ESRCH;
	if (!may_signal(proc_current(), t->proc, sig))
		return -EPERM;
	return signal_send_thread(t, sig, &info);
}

static const struct sys_entry signal_syscalls[] = {
	{ __NR_rt_sigaction, "rt_sigaction", sys_rt_sigaction },
	{ __NR_rt_sigprocmask, "rt_sigprocmask", sys_rt_sigprocmask },
	{ __NR_rt_sigpending, "rt_sigpending", sys_rt_sigpending },
	{ __NR_rt_sigsuspend, "rt_sigsuspend", sys_rt_sigsuspend },
	{ __NR_rt_sigreturn, "rt_sigreturn", sys_rt_sigreturn },
	{ __NR_pause, "pause", sys_pause },
	{ __NR_sigaltstack, "sigaltstack", sys_sigaltstack },
	{ __NR_rt_sigtimedwait, "rt_sigtimedwait", sys_rt_sigtimedwait },
	{ __NR_kill, "kill", sys_kill },
	{ __NR_tgkill, "tgkill", sys_tgkill },
	{ __NR_tkill, "tkill", sys_tkill },
	{ __NR_rt_sigqueueinfo, "rt_sigqueueinfo", sys_rt_sigqueueinfo },
	{ __NR_rt_tgsigqueueinfo, "rt_tgsigqueueinfo", sys_rt_tgsigqueueinfo },
};

void signal_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(signal_syscalls);
}

/* Called before every return to user space, so the usual case (nothing
 * pending, nothing to restart or restore) is a few loads. */
void signal_deliver(struct thread *t)
{
	if (deliverable(t) || t->restore_sigmask ||
	    (t->restart_nr != ~0ull && is_restart((int64_t)t->ctx.rax)) ||
	    __atomic_load_n(&t->proc->stopped, __ATOMIC_ACQUIRE) ||
	    thread_interrupted(t))
		deliver(t);
}
