/* services/proc/ptrace/hooks.h: where the rest of the process service
 * calls ptrace.
 *
 * Layer: services (safe C). Implemented by the files of this folder;
 * proc calls these hooks only for a traced thread, so an untraced one
 * pays a load per syscall. As on Linux a tracee is a thread: each one
 * is attached on its own (or auto-attached at clone), stops on its own
 * and is waited for by its tid. */
#ifndef SERVICES_PROC_PTRACE_HOOKS_H
#define SERVICES_PROC_PTRACE_HOOKS_H

#include "proc/proc.h"
#include "proc/uapi.h"

/* Some thread of p is traced: its tracer sees every signal. */
static inline bool proc_traced(const struct proc *p)
{
	return __atomic_load_n(&p->trace.ntraced, __ATOMIC_ACQUIRE) != 0;
}

static inline bool thread_traced(const struct thread *t)
{
	return __atomic_load_n(&t->trace.tracer, __ATOMIC_ACQUIRE) != NULL;
}

/* PTRACE_INTERRUPT is waiting for t, or a group stop it has not yet
 * taken part in (Linux JOBCTL_STOP_PENDING): either breaks into a sleep
 * as a signal does, and stops t on its way out of the kernel. */
static inline bool thread_interrupted(const struct thread *t)
{
	const struct proc *p = t->proc;

	return (__atomic_load_n(&t->trace.interrupt, __ATOMIC_ACQUIRE) ||
		(__atomic_load_n(&p->stopped, __ATOMIC_ACQUIRE) &&
		 t->trace.group_seq !=
			 __atomic_load_n(&p->stop_seq, __ATOMIC_ACQUIRE))) &&
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
/* do_clone, before the new thread starts: auto-attach it (a new
 * process's or a new thread of cur's). */
void ptrace_clone_child(struct thread *cur, struct thread *child,
			uint64_t flags);
void ptrace_exit_event(struct thread *t, int status); /* PTRACE_EVENT_EXIT */
/* p is a zombie: detach its tracees, tell its main thread's tracer. */
void ptrace_proc_exit(struct proc *p);
/* thread_exit (with the exit code), before its process may end: t can
 * no longer be attached; traced, it keeps what its tracer's wait reports
 * (status, its process's ids) and stops counting as traced. */
void ptrace_thread_exiting(struct thread *t, int code);
/* The last thing thread_exit does with t (its context released): a
 * traced t becomes a dead tracee, for its tracer's wait to report and
 * free, and the last of its process's exiting traced threads reaps the
 * process if it reaps itself. False if t is not traced (any more): the
 * caller frees it. */
bool ptrace_thread_dead(struct thread *t);
/* A group stop of t's process with sig: a traced thread takes part once
 * (a ptrace-stop); false if t is not traced. */
bool ptrace_group_stop_join(struct thread *t, int sig);

/* proc_exec_take_pid, proc_tree_lock held: t, a thread of p that
 * execve made p's main thread, becomes the traced main thread if it is
 * traced; the old one leaves its tracer unreported. Returns the old one
 * if it is to be freed (after the lock), else NULL. */
struct thread *ptrace_exec_leader(struct proc *p, struct thread *t);

/* For wait (proc.c). proc_tree_lock held for all. */
struct wait_result;
/* c's main thread is traced by someone other than me, or by me and
 * still alive: its parent may not reap it yet. */
bool ptrace_holds_proc(struct proc *c, struct proc *me);
/* The main thread of c is traced by me. */
bool ptrace_traces_leader(const struct proc *c, struct proc *me);
/* c is being reaped: its dead main thread, if traced, leaves its
 * tracer; the thread to free (after the lock), or NULL. */
struct thread *ptrace_release_leader(struct proc *c);
/* me's tracees: a stop or exit to report into *res (0, and *to_free a
 * thread to free after the lock, or NULL), -EAGAIN if none yet; *any
 * if some tracee matches. */
int ptrace_wait_tracees(struct proc *me, int idtype, int id, int options,
			struct wait_result *res, bool *any,
			struct thread **to_free);

#endif
