/* services/proc/proc.h: processes and threads.
 *
 * Layer: services (safe C). A process owns an address space (struct mm,
 * services/mm), a file-descriptor table and a file-system context (cwd,
 * root, umask; services/fs), credentials and signal handlers. A thread is
 * a kernel task running the user-mode loop (proc/thread.c) with its own
 * user register context. Each subsystem defines the structs it owns; this
 * header only names them.
 *
 * Folder services/proc: processes and threads, fork/exec/exit/wait,
 * signals, credentials, time, futexes, /proc/<pid> (procfs/pid.c), and
 * current.c, which answers services/current/current.h for the layers
 * below. May include fs, mm, exec, syscall, current, lib; tty sits above
 * (the two tty calls proc makes are declared here). */
#ifndef SERVICES_PROC_H
#define SERVICES_PROC_H

#include <fw/list.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/user.h>

#include "current/current.h" /* struct cred; what the layers below see of us */
#include "mm/vma.h"         /* struct mempolicy */

struct mm;        /* services/mm/mm.h */
struct fdtable;   /* services/fs/vfs/vfs.h */
struct fs_context; /* services/fs/vfs/vfs.h */
struct sighand;   /* services/proc/signal.h */
struct tty;       /* services/tty/tty.h */
struct ptimer;    /* services/proc/time/time.c */
struct key;       /* services/keys/keys.c */

/* The framework stores this per task (fw_task_set_data); services define
 * it, so finding the current thread needs no cast. */
#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

struct fw_task_data {
	struct thread *thread;
};

struct proc {
	int pid;
	int pgid;                 /* process group */
	int sid;                  /* session */
	struct proc *parent;      /* guarded by proc_tree_lock */
	struct fw_list children;  /* struct proc.sibling; proc_tree_lock */
	struct fw_list sibling;   /* on parent->children */
	struct fw_list threads;   /* struct thread.proc_node; proc->lock */
	unsigned nthreads;        /* live threads; proc->lock */
	struct fw_spinlock lock;  /* guards threads, state, exit fields */

	struct mm *mm;            /* the address space */
	struct fdtable *files;    /* open files */
	struct fs_context *fs;    /* cwd, root, umask */
	struct sighand *sighand;  /* signal actions */
	struct cred cred;
	struct tty *ctty;         /* controlling terminal, or NULL */
	struct fw_list sem_undos; /* SEM_UNDO records (services/ipc/sem.c,
				   * under its lock) */
	struct key *process_keyring, *session_keyring; /* services/keys */

	/* exit/wait (proc_tree_lock) */
	bool zombie;              /* exited, waiting to be reaped */
	bool exit_done;           /* its exit no longer reads it: wait may
				   * reap (free) it */
	bool exiting;             /* exit_group in progress: threads leave */
	int exit_status;          /* wait status word (W* encoding) */
	int exit_signal;          /* sent to the parent at exit (SIGCHLD) */
	uint32_t personality;     /* personality(2); kept by fork and exec */
	struct fw_waitq child_wait; /* parent sleeps here in wait4 */
	/* job control (proc->lock) */
	bool stopped;             /* stopped by SIGSTOP/SIGTSTP/... */
	int stop_sig;             /* which one */
	bool report_stop;         /* a stop not yet reported to wait4 */
	bool report_cont;         /* a continue not yet reported */
	unsigned stop_seq;        /* counts group stops (for tracees) */
	struct fw_waitq stop_wait; /* stopped threads sleep here */
	/* vfork: the parent sleeps until the child execs or exits */
	bool vfork_done;
	struct fw_waitq vfork_wait;
	uint64_t sigpending;      /* process-directed pending (atomic) */
	struct sig_info_lite {    /* siginfo of each pending signal (lock) */
		int32_t code;         /* si_code */
		uint64_t f0;          /* pid|uid<<32, si_addr, or tid|overrun<<32 */
		uint64_t f1;          /* si_status (SIGCHLD) or si_value (timers) */
	} siginfo[65];

	/* ITIMER_REAL / alarm(2): fires SIGALRM (proc->lock) */
	struct fw_timer *alarm_timer; /* made at the first alarm, destroyed
				       * when the process exits */
	uint64_t alarm_deadline_ns;  /* 0 if disarmed */
	uint64_t alarm_interval_ns;  /* re-arm period, 0 for one shot */

	/* POSIX timers (timer_create), by id (proc->lock for the slots; the
	 * timer_* calls of one process run one at a time under timers_mutex,
	 * so none frees a timer another is using) */
	struct ptimer *timers[32];
	struct fw_mutex timers_mutex;

	/* Timers on the process's CPU clock (services/proc/time/cputime.c):
	 * ITIMER_VIRTUAL (user time, SIGVTALRM) and ITIMER_PROF (user and
	 * system time, SIGPROF), in CPU-clock ns, 0 if off (proc->lock);
	 * cpu_timers counts those armed plus the POSIX timers that exist on
	 * a CPU clock (atomic): while it is 0 no thread looks at them. */
	uint64_t itimer_cpu_expires[2];
	uint64_t itimer_cpu_interval[2];
	uint32_t cpu_timers;

	/* ptrace, the process's side (services/proc/ptrace): the threads it
	 * traces, and which of its own are traced (proc_tree_lock). The state
	 * of a tracee is its thread's (struct thread_trace). */
	struct proc_trace {
		struct fw_list tracees;   /* threads we trace, by trace.node */
		struct thread *leader;    /* our main thread while it is traced,
					   * alive or dead: we are not reaped
					   * before its tracer let it go */
		unsigned ntraced;         /* our threads that are traced */
		unsigned exiting;         /* traced threads of ours between
					   * ptrace_thread_exiting and _dead:
					   * we are neither reaped nor our
					   * exit reported before they are
					   * dead (Linux delay_group_leader) */
		bool reap_pending;        /* reaping itself, once they are */
	} trace;

	char comm[16];            /* executable name, as in /proc/<pid>/comm */
	int16_t oom_score_adj;    /* -1000 (never) .. 1000 (first) for the
				   * OOM killer (services/proc/oom.c) */
	int16_t oom_score_adj_min; /* lowest an unprivileged write may set:
				    * the last privileged writer's value */
	bool child_subreaper;     /* PR_SET_CHILD_SUBREAPER: orphans below
				   * come here, not to init (not inherited) */
	int pdeathsig;            /* sent when the parent exits (PR_SET_PDEATHSIG;
				   * per process here, per thread on Linux) */
	char exe_path[256];       /* path it was executed from */
	uint64_t start_ns;        /* creation time (monotonic) */
	uint64_t utime_ns, stime_ns; /* CPU time of exited threads (p->lock) */
	uint64_t cutime_ns, cstime_ns; /* of reaped children, theirs included */
	uint64_t rlimit_cur[16], rlimit_max[16]; /* RLIMIT_* */
};

/* Syscall user dispatch (sud.c): on, the range whose calls always run,
 * and the selector byte's address (0: none). */
struct sud {
	bool on;
	uint64_t offset, len, selector;
};

/* A registered struct rseq (sched/rseq.c): its address (0: none), the
 * signature, the CPU last written to it, the preemptions seen. */
struct rseq_reg {
	uint64_t addr;
	uint32_t sig, cpu;
	uint64_t preemptions;
};

/* ptrace, a thread's side as a tracee (services/proc/ptrace). A traced
 * thread that exits stays allocated, dead, on its tracer's list until
 * the tracer's wait reports it (or the tracer lets go): its tracer frees
 * it then. A dead thread's proc is read only if it was the main thread
 * (proc.trace.leader keeps the process from being reaped). */
struct thread_trace {
	/* proc_tree_lock */
	struct proc *tracer;      /* NULL: not traced (read atomically) */
	struct fw_list node;      /* on tracer->trace.tracees */
	bool gone;                /* exiting: the fields below are kept,
				   * its process is no longer read (it may
				   * be freed) unless `leader` */
	bool dead;                /* exited, its tracer's to report and free */
	bool leader;              /* gone as its process's main thread */
	bool counted;             /* in its process's trace.exiting */
	int exit_status;          /* wait status word of a gone one */
	int pgid;                 /* its process's, kept at exit */
	uint32_t uid;             /* its process's real uid, kept at exit */
	/* proc->lock */
	unsigned options;         /* PTRACE_O_* */
	bool seized;              /* by PTRACE_SEIZE */
	bool stopped;             /* in a ptrace-stop */
	bool report;              /* the stop is not yet seen by wait */
	bool interrupt;           /* PTRACE_INTERRUPT to take */
	bool listening;           /* stopped, but PTRACE_LISTEN let it go
				   * on to its next report */
	int status;               /* wait status word of the stop */
	int mode;                 /* resumed by PTRACE_CONT/SYSCALL/... */
	int resume_sig;           /* signal the tracer resumed with */
	int syscall_op;           /* PTRACE_SYSCALL_INFO_* of the stop */
	int event;                /* PTRACE_EVENT_* due at syscall exit */
	unsigned group_seq;       /* the last group stop taken part in */
	uint64_t orig_rax;        /* syscall number, ~0 outside one */
	uint64_t msg;             /* PTRACE_GETEVENTMSG */
	int32_t si_signo, si_code; /* siginfo of the stop */
	uint64_t si_f0, si_f1;
};

struct thread {
	struct fw_task_data td;          /* td.thread == this */
	int tid;
	uint16_t ioprio;                 /* ioprio_set(2) value, 0: none set */
	bool sched_reset_on_fork;        /* SCHED_RESET_ON_FORK (sched(7)) */
	struct sud sud;                  /* PR_SET_SYSCALL_USER_DISPATCH */
	struct rseq_reg rseq;            /* rseq(2); kept by fork only */
	struct mempolicy mpol;           /* set_mempolicy(2); kept by clone,
					  * fork and execve */
	struct key *thread_keyring;      /* services/keys (its lock) */
	int8_t reqkey_defl;              /* KEYCTL_SET_REQKEY_KEYRING */
	struct proc *proc;
	struct fw_task *task;            /* the kernel task running it */
	struct fw_list proc_node;        /* on proc->threads */
	struct fw_user_context ctx;      /* user registers */
	uint64_t clear_child_tid;        /* set_tid_address / CLONE_CHILD_CLEARTID */
	uint64_t robust_list;            /* set_robust_list head */
	uint64_t set_child_tid;          /* CLONE_CHILD_SETTID, written at start */
	uint64_t sigmask;                /* blocked signals */
	uint64_t real_blocked;           /* the mask a sigtimedwait replaced */
	uint64_t sigpending;             /* thread-directed pending signals */
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
	bool exiting;                    /* leave at the next kernel entry */
	bool in_syscall;                 /* ctx.rax is the call being run
					  * (/proc/<pid>/syscall) */
	uint64_t saved_sigmask;          /* sigsuspend: restore after delivery */
	bool restore_sigmask;
	struct fw_waitq sig_wait;        /* sigsuspend/pause sleep here */
	uint64_t fault_addr;             /* for the SIGSEGV siginfo */
	uint64_t tinfo_f1;               /* si_value of a thread-directed timer */
	uint64_t restart_nr;             /* syscall to re-issue, or ~0 */
	bool restart_pending_clear;      /* rt_sigreturn: rax is not a code */
	/* restart_syscall(2) (Linux's restart_block): a relative nanosleep
	 * stopped by a signal that ran no handler goes on to its deadline
	 * (monotonic) and reports what is left at restart_rem (0: nowhere). */
	bool restart_block;
	uint64_t restart_deadline;
	uint64_t restart_rem;
	int fault_code;
	struct thread_trace trace;       /* as a tracee */
};

/* Implemented by services/tty, which sits above proc (it sends the
 * job-control signals, so it includes proc); proc calls them. */
/* The process service calls this when process p exits, before it drops
 * p->ctty: if p leads the tty's session, the session loses its terminal
 * and the foreground group gets SIGHUP and SIGCONT (Linux
 * disassociate_ctty). Other members' ctty pointers stay the caller's to
 * clear (Linux clears them in proc_clear_tty for the whole session). */
void tty_proc_exit(struct proc *p);
/* The foreground process group of t (0 if none), for /proc/<pid>/stat. */
int tty_foreground_pgrp(struct tty *t);
/* Linux's tty_nr of t (major << 8 | minor: 4:64 ttyS0, 136:N pts/N). */
unsigned tty_devnum(struct tty *t);
/* A pseudo-terminal lives while anything refers to it, and p->ctty is such
 * a reference: whoever stores a tty in p->ctty takes one with
 * tty_ctty_get, whoever clears it drops it with tty_ctty_put (never with a
 * spinlock held: the last put frees the pty). Both are no-ops for the
 * console and other permanent terminals, and accept NULL. */
void tty_ctty_get(struct tty *t);
void tty_ctty_put(struct tty *t);

/* Set p->ctty to t under proc_tree_lock (so /proc readers see one or the
 * other) and return the old value; the references are the caller's. */
struct tty *proc_set_ctty(struct proc *p, struct tty *t);
/* Terminal hangup (Linux tty_signal_session_leader): every process of
 * session sid whose controlling tty is t loses it, and the session leader
 * gets SIGHUP and SIGCONT. Returns how many ctty references were dropped
 * from processes; the caller puts them (tty_ctty_put) with no lock held. */
int proc_session_hangup(int sid, struct tty *t);

/* Implemented by services/ipc (above proc): when process p exits, apply
 * and drop its SEM_UNDO adjustments (Linux exit_sem). */
void ipc_proc_exit(struct proc *p);
/* Implemented by services/keys (above proc): keyrings at clone (a new
 * process keeps the session keyring only), execve (thread and process
 * keyrings go), thread exit and process exit. */
void keys_clone(struct thread *parent, struct thread *child, bool new_proc);
void keys_exec(struct thread *t);
void keys_thread_exit(struct thread *t);
void keys_proc_exit(struct proc *p);

/* The calling thread / process (NULL for pure kernel tasks). */
struct thread *thread_current(void);
struct proc *proc_current(void);

/* CPU time in ns (time/cputime.c): one thread's user and system time; a
 * process's, live and exited threads, and its reaped children's. */
struct proc_times {
	uint64_t utime, stime, cutime, cstime;
};
void thread_times(const struct thread *t, uint64_t *utime, uint64_t *stime);
void proc_times(struct proc *p, struct proc_times *out);
/* A struct rusage (proc/uapi.h) with these times and nothing else. */
struct k_rusage;
void rusage_times(struct k_rusage *ru, uint64_t utime, uint64_t stime);

#endif
