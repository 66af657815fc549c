/* services/proc/sud.c: syscall user dispatch (prctl
 * PR_SET_SYSCALL_USER_DISPATCH; Linux's kernel/entry/syscall_user_dispatch.c,
 * Documentation/admin-guide/syscall-user-dispatch.rst).
 *
 * Layer: services (safe C), proc. A thread that turns it on names a range
 * of its code whose system calls always run, and a selector byte in its
 * memory. A system call made from anywhere else, while the selector says
 * BLOCK, is not run: the thread gets SIGSYS (si_code SYS_USER_DISPATCH,
 * the call's number and address in the siginfo) with rax still holding
 * the number, and its handler emulates the call (Wine runs Windows
 * programs' system calls this way). A selector that cannot be read kills
 * the thread's process with SIGSEGV, any value but ALLOW or BLOCK with
 * SIGSYS. The setting belongs to the thread: fork, clone and execve do
 * not carry it over. */
#include <fw/errno.h>
#include <fw/uaccess.h>
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/ptrace.h"
#include "proc/signal.h"
#include "proc/uapi.h"

#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#define SYS_USER_DISPATCH 2 /* SIGSYS si_code */

long sud_prctl(uint64_t mode, uint64_t offset, uint64_t len,
	       uint64_t selector)
{
	struct thread *t = thread_current();

	switch (mode) {
	case PR_SYS_DISPATCH_OFF:
		if (offset || len || selector)
			return -EINVAL;
		t->sud = (struct sud){ 0 };
		return 0;
	case PR_SYS_DISPATCH_ON:
		/* The range may not wrap; where a call can come from needs
		 * no check (it ran), the selector only a user address. */
		if (offset && offset + len <= offset)
			return -EINVAL;
		if (selector && !fw_uptr_range_ok(fw_uptr(selector), 1))
			return -EFAULT;
		t->sud = (struct sud){ .on = true, .offset = offset, .len = len,
				       .selector = selector };
		return 0;
	}
	return -EINVAL;
}

bool sud_intercept(struct thread *t, uint64_t nr)
{
	struct k_siginfo si = { .si_signo = SIGSYS, .si_code = SYS_USER_DISPATCH };
	uint64_t ip = t->ctx.rip; /* after the syscall instruction */
	uint8_t state;

	if (ip - t->sud.offset < t->sud.len)
		return false;
	if (t->sud.selector) {
		if (FW_COPY_IN_OBJ(&state, fw_uptr(t->sud.selector))) {
			signal_force_exit(t, SIGSEGV);
			return true;
		}
		if (state == SYSCALL_DISPATCH_FILTER_ALLOW)
			return false;
		if (state != SYSCALL_DISPATCH_FILTER_BLOCK) {
			signal_force_exit(t, SIGSYS);
			return true;
		}
	}
	/* si_call_addr, then si_syscall and si_arch (the _sigsys layout). */
	si.f0 = ip;
	si.f1 = (uint32_t)nr | (uint64_t)AUDIT_ARCH_X86_64 << 32;
	signal_force_info(t, &si);
	return true;
}
