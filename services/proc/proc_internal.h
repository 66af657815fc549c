/* services/proc/proc_internal.h: shared between the files of services/proc.
 *
 * Layer: services (safe C). Not for other subsystems: they use proc.h and
 * signal.h. */
#ifndef SERVICES_PROC_INTERNAL_H
#define SERVICES_PROC_INTERNAL_H

#include <fw/bytes.h>
#include <fw/sync.h>
#include "lib/kpath.h"
#include "proc/proc.h"

extern struct fw_spinlock proc_tree_lock;

struct proc *proc_find(int pid);
struct thread *thread_find(int tid);
/* Next live process after *cursor (start with 0), or NULL. */
struct proc *proc_next(int *cursor);
bool pgrp_exists(int pgid);

/* Create pid 1 running path. */
FW_MUST_CHECK int proc_start_init(const struct kpath *path, struct fw_bytes argv0);
/* Called when pid 1 exits: the machine powers off. */
void proc_init_exited(int status);

/* A user page fault of t found no memory (oom.c): kill the process that
 * frees the most, or wait for the last one killed to go. True if the
 * access should run again, false if nobody can be killed. */
bool oom_fault(struct thread *t);
/* Linux's oom_badness: resident pages plus oom_score_adj thousandths of
 * memory (may be negative), or OOM_UNKILLABLE for a process never chosen
 * (init, exiting, OOM_SCORE_ADJ_MIN). proc_tree_lock held. */
#define OOM_UNKILLABLE INT64_MIN
int64_t oom_badness(struct proc *p);

/* The kernel task body of every user thread (thread.c). */
void thread_main(struct thread *t);
FW_NORETURN void thread_exit(struct thread *t, int code);
void proc_exit_group(struct proc *p, int status);

/* What wait4/waitid report. */
struct wait_result {
	int pid;
	int status;   /* wait4 status word */
	int code;     /* CLD_* for waitid */
	int si_status;
	uint32_t uid;
	bool reaped;
	uint64_t utime_ns, stime_ns; /* the child's, its children's included */
};
/* The exit of zombie c into *res (proc_tree_lock held). */
void wait_exit_result(const struct proc *c, struct wait_result *res);
void proc_reap(struct proc *p);
void proc_vfork_release(struct proc *p);
/* execve by t, the only thread left: t becomes the main thread, with the
 * process's id for its tid (Linux de_thread). False while the old main
 * thread still holds the id (it is leaving: try again). */
bool proc_exec_take_pid(struct thread *t);

/* Load the first program into a thread with no previous image. */
FW_MUST_CHECK int exec_initial(struct thread *t, const struct kpath *path);

/* futex.c: wake up to n waiters on a user address (CLONE_CHILD_CLEARTID). */
int futex_wake_addr(uint64_t uaddr, int n);

/* Delete a process's POSIX timers (exit, exec). */
void proc_timers_delete_all(struct proc *p);
/* A POSIX timer's signal (SI_TIMER, timer id in si->f0) was taken from
 * p's pending set: re-arm the timer if periodic and put the periods
 * missed meanwhile into si's overrun field. */
struct k_siginfo;
void ptimer_delivered(struct proc *p, struct k_siginfo *si);
/* CPU-time timers (cputime.c). ITIMER_VIRTUAL (0) or ITIMER_PROF (1) of
 * p: *left and *interval of the old setting, then the new one (value 0:
 * off). */
void cpu_itimer_set(struct proc *p, int which, uint64_t value,
		    uint64_t interval, uint64_t *left, uint64_t *old_interval);
void cpu_itimer_get(struct proc *p, int which, uint64_t *left,
		    uint64_t *interval);
/* Fire the CPU-time timers of t's process that are due; called as t
 * passes through the kernel while p->cpu_timers is set. */
void cputimers_check(struct thread *t);
/* time.c: the same for its POSIX timers on CPU clocks. */
void ptimers_cpu_check(struct proc *p);
/* Stop the alarm timer of a dying process. */
void proc_alarm_cancel(struct proc *p);
/* Write back every file system's dirty data (reboot, poweroff). */
void proc_sync_all(void);

void proc_syscalls_init(void);
void time_syscalls_init(void);
void prio_syscalls_init(void);
/* Syscall user dispatch (sud.c): prctl's PR_SET_SYSCALL_USER_DISPATCH
 * for the caller; and at a system call of t (sud.on), whether it was
 * taken from the kernel (true: SIGSYS or a fatal signal is pending, the
 * call must not run and rax keeps its number). */
long sud_prctl(uint64_t mode, uint64_t offset, uint64_t len,
	       uint64_t selector);
bool sud_intercept(struct thread *t, uint64_t nr);
/* Linux's can_nice: t may have its nice value lowered to nice by the
 * caller (CAP_SYS_NICE, or within t's RLIMIT_NICE, which counts from
 * 20 - nice: the default 0 allows nothing). */
bool thread_can_nice(const struct thread *t, int nice);
void unshare_syscalls_init(void);
void affinity_syscalls_init(void);
void sched_policy_syscalls_init(void);
void numa_syscalls_init(void);
void rseq_syscalls_init(void);
/* Before t goes back to user mode with a struct rseq registered: keep its
 * CPU ids right and restart a critical section it may have been stopped
 * in (maybe_stopped: it was interrupted, or a signal may be delivered). */
void rseq_resume(struct thread *t, bool maybe_stopped);
void exec_syscalls_init(void);
void misc_syscalls_init(void);
void futex_syscalls_init(void);

#endif
