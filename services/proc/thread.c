/* services/proc/thread.c: the life of a user thread.
 *
 * Layer: services (safe C). Each user thread is a kernel task running this
 * loop around fw_user_run (the OSTD pattern): run user code; when it comes
 * back, handle the reason -- a system call, a page fault for the memory
 * service, an exception that becomes a signal, or an interrupt -- then
 * deliver pending signals and go round again. */
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/uaccess.h>
#include <fw/user.h>
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/hooks.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "syscall/syscall.h"

static void handle_syscall(struct thread *t)
{
	uint64_t nr = t->ctx.rax;
	bool traced = thread_traced(t);
	long ret;

	/* Before ptrace sees it, as Linux's syscall_trace_enter. */
	if (FW_UNLIKELY(t->sud.on) && sud_intercept(t, nr)) {
		t->restart_nr = ~0ull;
		return;
	}
	if (FW_UNLIKELY(traced) && !ptrace_syscall_enter(t, &nr)) {
		ret = (long)t->ctx.rax; /* skipped by the tracer */
	} else {
		struct sys_args a = {
			.arg = { t->ctx.rdi, t->ctx.rsi, t->ctx.rdx,
				 t->ctx.r10, t->ctx.r8, t->ctx.r9 },
			.nr = nr,
		};
		__atomic_store_n(&t->in_syscall, true, __ATOMIC_RELAXED);
		ret = syscall_dispatch(&a);
		__atomic_store_n(&t->in_syscall, false, __ATOMIC_RELAXED);
	}
	t->ctx.rax = (uint64_t)ret;
	if (FW_UNLIKELY(traced || thread_traced(t)))
		ptrace_syscall_exit(t, nr);
	if (t->restart_pending_clear) { /* rt_sigreturn restored rax */
		t->restart_pending_clear = false;
		t->restart_nr = ~0ull;
		return;
	}
	/* A restartable call interrupted by a signal: signal_deliver decides
	 * whether it becomes -EINTR or runs again (SA_RESTART). Keep the
	 * number so the call can be re-issued. */
	t->restart_nr = nr;
}

/* At most 10 lines per 5 s, as Linux's printk_ratelimit: a program that
 * crashes in a loop does not flood the console. */
static bool report_ratelimit(void)
{
	static uint64_t window_ns;
	static unsigned printed;
	uint64_t now = fw_time_ns();

	if (now - __atomic_load_n(&window_ns, __ATOMIC_RELAXED) > 5000000000ull) {
		__atomic_store_n(&window_ns, now, __ATOMIC_RELAXED);
		__atomic_store_n(&printed, 0, __ATOMIC_RELAXED);
	}
	return __atomic_add_fetch(&printed, 1, __ATOMIC_RELAXED) <= 10;
}

/* A fault that kills its process (no handler, not traced) is logged as
 * Linux logs it (show_signal_msg, do_trap, do_general_protection): the
 * program, the address, where it ran and in which mapping, so the crash
 * can be placed in its binary (`addr2line -e PROG IP-START` for a PIE). */
static void report_fatal(struct thread *t, int sig, const struct fw_user_exit *why)
{
	struct mm_addr_desc where;
	const char *trap = NULL;

	if (thread_traced(t) || !signal_is_default(t->proc, sig) ||
	    !report_ratelimit())
		return;
	mm_describe_addr(t->proc->mm, t->ctx.rip, &where);
	switch (why->vector) {
	case FW_VEC_PAGE_FAULT:
		/* Linux's error code has the user-mode bit (4) set. */
		fw_info("%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx%s",
			t->proc->comm, t->proc->pid, why->addr, t->ctx.rip,
			t->ctx.rsp, why->error | 4, where.s);
		return;
	case FW_VEC_GP:
		fw_info("%s[%d] general protection fault ip:%lx sp:%lx error:%lx%s",
			t->proc->comm, t->proc->pid, t->ctx.rip, t->ctx.rsp,
			why->error, where.s);
		return;
	case FW_VEC_DIVIDE:
		trap = "divide error";
		break;
	case FW_VEC_INVALID_OPCODE:
		trap = "invalid opcode";
		break;
	case FW_VEC_STACK:
		trap = "stack segment";
		break;
	default:
		return;
	}
	fw_info("%s[%d] trap %s ip:%lx sp:%lx error:%lx%s", t->proc->comm,
		t->proc->pid, trap, t->ctx.rip, t->ctx.rsp, why->error, where.s);
}

static void handle_exception(struct thread *t, const struct fw_user_exit *why)
{
	int sig;

	switch (why->vector) {
	case FW_VEC_DIVIDE:
	case FW_VEC_X87:
	case FW_VEC_SIMD:
		sig = SIGFPE;
		signal_force_fault(t, sig, FPE_INTDIV, t->ctx.rip);
		break;
	case FW_VEC_INVALID_OPCODE:
		sig = SIGILL;
		signal_force_fault(t, sig, ILL_ILLOPN, t->ctx.rip);
		break;
	case FW_VEC_BREAKPOINT:
		/* int3: Linux's do_int3_user is force_sig(SIGTRAP), si_code
		 * SI_KERNEL, which is how gdb tells its breakpoints from
		 * other traps (GDB_ARCH_IS_TRAP_BRKPT on x86) */
		sig = SIGTRAP;
		signal_force_fault(t, sig, SI_KERNEL, 0);
		break;
	case FW_VEC_DEBUG:
		/* the trap flag (single-step): Linux's send_sigtrap with
		 * TRAP_TRACE and the address of the next instruction */
		sig = SIGTRAP;
		signal_force_fault(t, sig, TRAP_TRACE, t->ctx.rip);
		break;
	case FW_VEC_ALIGNMENT:
		sig = SIGBUS;
		signal_force_fault(t, sig, BUS_ADRERR, t->ctx.rip);
		break;
	default: /* #GP, #SS, #BR, ...: Linux sends SIGSEGV (si_addr 0) */
		sig = SIGSEGV;
		signal_force_fault(t, sig, SI_KERNEL, 0);
		break;
	}
	report_fatal(t, sig, why); /* it names the vectors Linux logs */
}

void thread_main(struct thread *t)
{
	struct fw_user_exit why = { 0 };
	struct mm *mm;

	FW_ASSERT(t->task == fw_task_current()); /* thread_create_task */
	fw_task_set_data(t->task, &t->td);
	mm = t->proc->mm;
	fw_task_set_vmspace(t->task, mm->vs);
	if (t->set_child_tid) {
		int32_t tid = t->tid;
		if (FW_COPY_OUT_OBJ(fw_uptr(t->set_child_tid), &tid)) {
			/* A bad address only loses the tid (as in Linux). */
		}
	}
	for (;;) {
		if (t->exiting || t->proc->exiting)
			thread_exit(t, 0);
		if (__atomic_load_n(&t->proc->cpu_timers, __ATOMIC_RELAXED))
			cputimers_check(t);
		/* Before a signal frame takes the registers. */
		if (t->rseq.addr)
			rseq_resume(t, why.reason == FW_USER_INTERRUPT ||
					       signal_deliverable(t));
		signal_deliver(t);
		if (t->exiting || t->proc->exiting)
			thread_exit(t, 0);
		fw_user_run(&t->ctx, &why);
		t->restart_nr = ~0ull;
		switch (why.reason) {
		case FW_USER_SYSCALL:
			handle_syscall(t);
			break;
		case FW_USER_PAGE_FAULT: {
			int err = mm_fault(t->proc->mm, why.addr,
					   why.error & FW_FAULT_WRITE,
					   why.error & FW_FAULT_EXEC);
			if (err == -EFAULT) {
				signal_force_fault(t, SIGSEGV,
						   mm_addr_in_vma(t->proc->mm, why.addr)
							   ? SEGV_ACCERR
							   : SEGV_MAPERR,
						   why.addr);
				report_fatal(t, SIGSEGV, &why);
			} else if (err == -ENOMEM && oom_fault(t)) {
				/* room is being made: the access runs again */
			} else if (err) {
				/* -EIO: past the end of a mapped file. */
				signal_force_fault(t, SIGBUS, BUS_ADRERR, why.addr);
			}
			break;
		}
		case FW_USER_EXCEPTION:
			handle_exception(t, &why);
			break;
		case FW_USER_INTERRUPT:
			break;
		}
	}
}
