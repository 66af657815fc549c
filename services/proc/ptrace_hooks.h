/* services/proc/ptrace_hooks.h: where the process service calls ptrace.
 *
 * Layer: services (safe C). Implemented by services/ptrace, which sits
 * above proc (it includes proc to find and stop tasks); proc calls these
 * few hooks, each only when p->trace.tracer is set, so an untraced
 * process pays one load per syscall. */
#ifndef SERVICES_PROC_PTRACE_HOOKS_H
#define SERVICES_PROC_PTRACE_HOOKS_H

#include "proc/proc.h"
#include "proc/uapi.h"

static inline bool proc_traced(const struct proc *p)
{
	return __atomic_load_n(&p->trace.tracer, __ATOMIC_ACQUIRE) != NULL;
}

/* Linux traces threads, one by one; here one thread per process is: the
 * one attached to (or the first of an auto-attached child). The others
 * run untraced, as the threads Linux's tracer did not attach to. */
static inline bool thread_traced(const struct thread *t)
{
	return proc_traced(t->proc) &&
	       __atomic_load_n(&t->proc->trace.tid, __ATOMIC_RELAXED) == t->tid;
}

/* PTRACE_INTERRUPT is waiting for t. */
static inline bool thread_interrupted(const struct thread *t)
{
	return __atomic_load_n(&t->proc->trace.interrupt, __ATOMIC_ACQUIRE) &&
	       thread_traced(t);
}

/* Syscall entry of a traced thread: the syscall-enter-stop if asked for.
 * *nr is the number to run (the tracer may change it); false if the call
 * is skipped (number -1), rax then holds its result. */
bool ptrace_syscall_enter(struct thread *t, uint64_t *nr);
/* After the call (rax holds the result): the event stops it caused
 * (exec, fork/vfork/clone) and the syscall-exit-stop if asked for. */
void ptrace_syscall_exit(struct thread *t, uint64_t nr);
/* Signal-delivery-stop for sig (not SIGKILL): the signal to deliver
 * instead (0: none; *si rewritten when it changed). */
int ptrace_signal(struct thread *t, int sig, struct k_siginfo *si);
/* A traced process takes a stop signal: a ptrace-stop instead of the
 * group stop. */
void ptrace_group_stop(struct thread *t, int sig);
void ptrace_interrupt_stop(struct thread *t); /* PTRACE_EVENT_STOP */
/* do_clone: the new process `child` of traced `parent` (flags of clone),
 * before its first thread starts: auto-attach it if the options say so. */
void ptrace_clone_child(struct proc *parent, struct proc *child,
			uint64_t flags);
/* Exiting (exit_group or a fatal signal): PTRACE_EVENT_EXIT if asked. */
void ptrace_exit_event(struct thread *t, int status);
/* p became a zombie: detach its tracees (SIGKILL with EXITKILL) and tell
 * its own tracer. Takes proc_tree_lock. */
void ptrace_proc_exit(struct proc *p);

#endif
