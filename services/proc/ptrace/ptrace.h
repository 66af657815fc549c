/* services/proc/ptrace/ptrace.h: process tracing, shared by the files here.
 *
 * Layer: services (safe C). Linux's ptrace(2) and process_vm_readv(2):
 *   stop.c     the tracee's side: the ptrace-stops (syscall enter/exit,
 *              signal delivery, events, PTRACE_INTERRUPT) and the hooks
 *              the rest of services/proc calls (hooks.h);
 *   request.c  the tracer's side: ptrace(2) itself, attach, detach,
 *              resume, options, siginfo;
 *   regs.c     registers as struct user / user_regs_struct, regsets and
 *              PTRACE_GET_SYSCALL_INFO;
 *   vm.c       the tracee's memory: PEEK/POKE and process_vm_readv/writev;
 *   wait.c     what wait4/waitid report of tracees.
 *
 * A tracee is a thread, as on Linux: its state is struct thread_trace in
 * struct thread, its tracer's list of tracees is struct proc_trace
 * (proc/proc.h). Locking: the links (tracer, tracees, a thread's exit)
 * under proc_tree_lock, a stop under the tracee's p->lock, in that order.
 * A traced thread stays allocated after its exit until its tracer has
 * reported it by wait (or let go), and its process is not reaped before
 * its main thread's tracer let go nor while a traced thread of it is on
 * its way out (proc.trace.exiting; proc.c wait_scan), so a tracer finds
 * what it traces under proc_tree_lock; a thread in a stop cannot leave
 * it before it is resumed or killed, and even killed it stays allocated
 * (a dead tracee), so ptrace(2) may use it after the lock.
 *
 * Folder services/proc/ptrace: part of the process service (a subfolder,
 * so that services/proc itself stays readable); may include what proc may. */
#ifndef SERVICES_PTRACE_H
#define SERVICES_PTRACE_H

#include <fw/compiler.h>
#include "proc/proc.h"
#include "proc/uapi.h"

/* <linux/ptrace.h> */
#define PTRACE_TRACEME 0
#define PTRACE_PEEKTEXT 1
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSR 3
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSR 6
#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_SINGLESTEP 9
#define PTRACE_GETREGS 12
#define PTRACE_SETREGS 13
#define PTRACE_GETFPREGS 14
#define PTRACE_SETFPREGS 15
#define PTRACE_ATTACH 16
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_SETOPTIONS 0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO 0x4202
#define PTRACE_SETSIGINFO 0x4203
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_INTERRUPT 0x4207
#define PTRACE_LISTEN 0x4208
#define PTRACE_PEEKSIGINFO 0x4209
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#define PTRACE_GET_SYSCALL_INFO 0x420e

#define PTRACE_EVENT_FORK 1
#define PTRACE_EVENT_VFORK 2
#define PTRACE_EVENT_CLONE 3
#define PTRACE_EVENT_EXEC 4
#define PTRACE_EVENT_EXIT 6
#define PTRACE_EVENT_STOP 128

#define PTRACE_O_TRACESYSGOOD 1u
#define PTRACE_O_TRACEEXEC (1u << PTRACE_EVENT_EXEC)
#define PTRACE_O_TRACEEXIT (1u << PTRACE_EVENT_EXIT)
#define PTRACE_O_EXITKILL (1u << 20)
/* Every option Linux knows (PTRACE_O_MASK): the ones not acted on here
 * (VFORKDONE, SECCOMP, SUSPEND_SECCOMP) concern stops that never happen
 * without seccomp filters or are only reported. */
#define PTRACE_O_MASK (0x000000ffu | PTRACE_O_EXITKILL | (1u << 21))

#define PTRACE_SYSCALL_INFO_NONE 0
#define PTRACE_SYSCALL_INFO_ENTRY 1
#define PTRACE_SYSCALL_INFO_EXIT 2
#define PTRACE_EVENTMSG_SYSCALL_ENTRY 1
#define PTRACE_EVENTMSG_SYSCALL_EXIT 2

#define NT_PRSTATUS 1
#define NT_PRFPREG 2
#define NT_X86_XSTATE 0x202
#define AUDIT_ARCH_X86_64 0xc000003eu

/* struct user_regs_struct (<sys/user.h>), the order of struct pt_regs as
 * user space sees it. */
struct user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};
FW_STATIC_ASSERT(sizeof(struct user_regs) == 216, "user_regs_struct");
#define USER_AREA_SIZE 912u     /* sizeof(struct user) */
#define USER_DEBUGREG_OFF 848u  /* offsetof(struct user, u_debugreg) */

/* The wait status word of a stop: sig, and an event in bits 16..23. */
static inline int ptrace_status(int sig, int event)
{
	return (event << 16) | (sig << 8) | 0x7f;
}

/* stop.c, proc_tree_lock held: t becomes a tracee of tracer; t leaves
 * its tracer, resumed with sig if it is in a stop; a dead t leaves its
 * tracer's list (the caller frees it after the lock). */
void ptrace_link_locked(struct proc *tracer, struct thread *t);
void ptrace_unlink_locked(struct thread *t, int sig);
void ptrace_forget_dead_locked(struct thread *t);

/* request.c: the tracee thread `tid` of the caller: 0 and *out if the
 * caller traces it, it has not exited and (if need_stop) it is in a
 * ptrace-stop; -ESRCH else. */
FW_MUST_CHECK int ptrace_tracee(int tid, bool need_stop, struct thread **out);
/* The process of the caller's tracee t, locked (proc_tree_lock, then
 * its lock), or NULL if t has begun to exit: from then on its process
 * may be freed, while t stays allocated (only its tracer frees it). */
struct proc *ptrace_lock_proc(struct thread *t, fw_irqflags_t *fl);
void ptrace_unlock_proc(struct proc *p, fw_irqflags_t fl);
/* May the caller trace (or read the memory of) p? 0 or -EPERM. */
FW_MUST_CHECK int ptrace_may_access(const struct proc *p);
/* vm.c: the address space of process pid (> 0), referenced (mm_put it),
 * for a caller that may ptrace it: 0, -ESRCH (none, or exiting) or
 * -EPERM (process_vm_readv, move_pages, migrate_pages). */
FW_MUST_CHECK int ptrace_access_mm(int pid, struct mm **out);

/* regs.c: requests on the registers of stopped tracee t. */
long ptrace_regs_request(struct thread *t, long req, uint64_t addr,
			 uint64_t data);
/* vm.c */
long ptrace_peek(struct thread *t, uint64_t addr, uint64_t data);
long ptrace_poke(struct thread *t, uint64_t addr, uint64_t data);
void ptrace_vm_syscalls_init(void);

/* The ptrace and process_vm_* system calls. */
void ptrace_syscalls_init(void);

#endif
