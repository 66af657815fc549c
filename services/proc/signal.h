/* services/proc/signal.h: POSIX signals, Linux semantics.
 *
 * Layer: services (safe C). Per-process actions (struct sighand, shared by
 * CLONE_SIGHAND threads), per-process and per-thread pending sets, per-
 * thread masks. Delivery happens on the way back to user mode: a handler
 * gets the Linux x86-64 rt_sigframe; the default actions terminate (with
 * or without "core"), stop, continue or ignore, as signal(7) says. */
#ifndef SERVICES_PROC_SIGNAL_H
#define SERVICES_PROC_SIGNAL_H

#include <fw/compiler.h>
#include <fw/uaccess.h>
#include "proc/proc.h"
#include "proc/uapi.h"

struct sighand {
	uint32_t refs;                     /* CLONE_SIGHAND sharers */
	struct fw_spinlock lock;           /* guards action */
	struct k_sigaction action[NSIG + 1]; /* [1..64] */
};

static inline uint64_t sigbit(int sig)
{
	return 1ull << (sig - 1);
}

FW_MUST_CHECK int sighand_create(struct sighand **out);
FW_MUST_CHECK int sighand_copy(struct sighand *src, struct sighand **out);
void sighand_get(struct sighand *sh);
void sighand_put(struct sighand *sh);
/* execve: handled signals go back to SIG_DFL (ignored stay ignored). */
void sighand_reset_on_exec(struct sighand *sh);

/* signal_pending_current, signal_send_current_thread and
 * signal_min_stack_size: declared in services/current/current.h (the file
 * layer and exec call them too). */

/* Send to a process (any thread may take it) / one thread / a process
 * group. 0, -ESRCH, -EINVAL. info may be NULL (SI_USER from current). */
int signal_send_proc(struct proc *p, int sig, const struct k_siginfo *info);
/* p stopped with sig: SIGCHLD (CLD_STOPPED) to its parent, and its wait
 * woken (ptrace's group stop starts one as do_stop does). */
void signal_notify_parent_stop(struct proc *p, int sig);
int signal_send_thread(struct thread *t, int sig, const struct k_siginfo *info);
/* Would a signal sent to p now be discarded (ignored and blocked by no
 * thread)? A snapshot, for timers deciding whether to send at all. */
bool signal_is_ignored(struct proc *p, int sig);
int signal_send_pgrp(int pgid, int sig);
/* Send sig with info to process pid if it is still the one created at
 * start_ns (a pid used again is someone else), bypassing the kill(2)
 * permission check: a kernel notification such as mq_notify's. sig 0
 * only asks whether it is there. 0 or -ESRCH (also for a zombie). */
int signal_send_pid(int pid, uint64_t start_ns, int sig,
		    const struct k_siginfo *info);
/* sig to p as kill(2) sends it (may the caller signal p? EPERM), or with
 * the caller's siginfo at uinfo if not null, checked as rt_sigqueueinfo
 * (and its si_signo must be sig: EINVAL). For pidfd_send_signal. */
long signal_send_checked(struct proc *p, int sig, fw_uptr_t uinfo);

/* Has t a signal it would take now (pending and not blocked)? */
bool signal_deliverable(struct thread *t);
/* Before returning to user mode: deliver one pending signal (set up a
 * handler frame, or take the default action -- which may not return). */
void signal_deliver(struct thread *t);
/* A fault in user mode: force sig with si_addr = addr (SIGSEGV, ...). */
void signal_force_fault(struct thread *t, int sig, int code, uint64_t addr);
/* The same with the siginfo's code, f0 and f1 (SIGSYS's _sigsys). */
void signal_force_info(struct thread *t, const struct k_siginfo *si);
/* Linux's force_exit_sig: sig with its default action whatever the
 * process's handler or mask, so it dies of it. */
void signal_force_exit(struct thread *t, int sig);
/* The index-th signal pending for thread t (or, shared, for its whole
 * process), by signal number, with what was recorded for it, left
 * pending: 0, or -ENOENT past the last (PTRACE_PEEKSIGINFO). */
FW_MUST_CHECK int signal_peek_pending(struct thread *t, bool shared,
				      unsigned index, struct k_siginfo *si);
/* Will sig kill p when delivered (its action is the default)? */
bool signal_is_default(struct proc *p, int sig);

void signal_syscalls_init(void);

#endif
