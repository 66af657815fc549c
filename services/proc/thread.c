/* services/proc/thread.c: the life of a user thread.
 *
 * Layer: services (safe C). Each user thread is a kernel task running this
 * loop around fw_user_run (the OSTD pattern): run user code; when it comes
 * back, handle the reason -- a system call, a page fault for the memory
 * service, an exception that becomes a signal, or an interrupt -- then
 * deliver pending signals and go round again. */
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/task.h>
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

	if (FW_UNLIKELY(traced) && !ptrace_syscall_enter(t, &nr)) {
		ret = (long)t->ctx.rax; /* skipped by the tracer */
	} else {
		struct sys_args a = {
			.arg = { t->ctx.rdi, t->ctx.rsi, t->ctx.rdx,
				 t->ctx.r10, t->ctx.r8, t->ctx.r9 },
			.nr = nr,
		};
		ret = syscall_dispatch(&a);
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

static void handle_exception(struct thread *t, const struct fw_user_exit *why)
{
	switch (why->vector) {
	case FW_VEC_DIVIDE:
	case FW_VEC_X87:
	case FW_VEC_SIMD:
		signal_force_fault(t, SIGFPE, FPE_INTDIV, t->ctx.rip);
		break;
	case FW_VEC_INVALID_OPCODE:
		signal_force_fault(t, SIGILL, ILL_ILLOPN, t->ctx.rip);
		break;
	case FW_VEC_BREAKPOINT:
	case FW_VEC_DEBUG:
		signal_force_fault(t, SIGTRAP, TRAP_BRKPT, t->ctx.rip);
		break;
	case FW_VEC_ALIGNMENT:
		signal_force_fault(t, SIGBUS, BUS_ADRERR, t->ctx.rip);
		break;
	default: /* #GP, #SS, #BR, ...: Linux sends SIGSEGV (si_addr 0) */
		signal_force_fault(t, SIGSEGV, SI_KERNEL, 0);
		break;
	}
}

void thread_main(struct thread *t)
{
	struct fw_user_exit why;
	struct mm *mm;

	t->task = fw_task_current();
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
			if (err)
				/* -EIO: past the end of a mapped file. */
				signal_force_fault(t, err == -EFAULT ? SIGSEGV
								     : SIGBUS,
						   mm_addr_in_vma(t->proc->mm, why.addr)
							   ? SEGV_ACCERR
							   : SEGV_MAPERR,
						   why.addr);
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
