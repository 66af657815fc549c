/* services/proc/ptrace/hooks.h: where the rest of the process service
 * calls ptrace.
 *
 * Layer: services (safe C). Implemented by the files of this folder;
 * proc calls these hooks only for a traced thread, so an untraced one
 * pays a load per syscall. Linux traces threads one by one; here one
 * thread per process is: the one attached to (or an auto-attached
 * child's first). Others run untraced, like threads Linux's tracer did
 * not attach to. */
#ifndef SERVICES_PROC_PTRACE_HOOKS_H
#define SERVICES_PROC_PTRACE_HOOKS_H

#include "proc/proc.h"
#include "proc/uapi.h"

static inline bool proc_traced(const struct proc *p)
{
	return __atomic_load_n(&p->trace.tracer, __ATOMIC_ACQUIRE) != NULL;
}

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

/* Syscall entry: the enter-stop if asked for; *nr may be changed by the
 * tracer; false if it skips the call (-1; rax holds the result). */
bool ptrace_syscall_enter(struct thread *t, uint64_t *nr);
/* After the call: its event stops (exec, fork...) and the exit-stop. */
void ptrace_syscall_exit(struct thread *t, uint64_t nr);
/* Signal-delivery-stop: the signal to deliver instead (0: none). */
int ptrace_signal(struct thread *t, int sig, struct k_siginfo *si);
void ptrace_group_stop(struct thread *t, int sig); /* instead of a job stop */
void ptrace_interrupt_stop(struct thread *t); /* PTRACE_EVENT_STOP */
/* do_clone, before child's first thread starts: auto-attach it. */
void ptrace_clone_child(struct proc *parent, struct proc *child,
			uint64_t flags);
void ptrace_exit_event(struct thread *t, int status); /* PTRACE_EVENT_EXIT */
/* p is a zombie: detach its tracees, tell its tracer (proc_tree_lock). */
void ptrace_proc_exit(struct proc *p);

#endif
