/* services/proc/proc.c: the process table, fork/clone, exit and wait.
 *
 * Layer: services (safe C). Lock order: proc_tree_lock (parent/child links,
 * pids, zombie state), then a proc's own lock. A process is created by
 * clone (fork, vfork and threads are all clone), becomes a zombie when its
 * last thread exits, and is freed when its parent reaps it with wait4 --
 * or at once if the parent ignores SIGCHLD, as Linux does. Orphans are
 * re-parented to init (pid 1). */
#include <fw/errno.h>
#include <fw/failinject.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/string.h>
#include <fw/time.h>
#include <fw/uaccess.h>
#include <fw/vmspace.h>
#include "fs/vfs/fdtable.h"
#include "mm/mm.h"
#include "proc/pidfd.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/hooks.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "sched/sched.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define PID_MAX 32768
#define PROC_LIMIT 4096 /* processes+threads: bounds a fork bomb */

struct fw_spinlock proc_tree_lock = FW_SPINLOCK_INIT("proc-tree");

/* pid/tid -> owner (proc_tree_lock). A thread's tid and a process's pid
 * share one space: the main thread's tid is the pid. */
struct pid_slot {
	struct proc *proc;     /* process with this pid (if a pid) */
	struct thread *thread; /* thread with this tid (if alive) */
};
static struct pid_slot pids[PID_MAX];
static int last_pid;
static unsigned nr_tasks;

static struct proc *init_proc;

struct thread *thread_current(void)
{
	struct fw_task_data *d = fw_task_current_data();
	return d ? d->thread : 0;
}

struct proc *proc_current(void)
{
	struct thread *t = thread_current();
	return t ? t->proc : 0;
}

/* A free id, or -EAGAIN. Caller holds proc_tree_lock. */
static int pid_alloc(void)
{
	if (nr_tasks >= PROC_LIMIT)
		return -EAGAIN;
	for (int i = 0; i < PID_MAX; i++) {
		int pid = (last_pid + 1 + i) % PID_MAX;
		if (pid < 1)
			continue;
		if (!pids[pid].proc && !pids[pid].thread) {
			last_pid = pid;
			nr_tasks++;
			return pid;
		}
	}
	return -EAGAIN;
}

struct proc *proc_find(int pid)
{
	if (pid <= 0 || pid >= PID_MAX)
		return 0;
	return pids[pid].proc;
}

struct thread *thread_find(int tid)
{
	if (tid <= 0 || tid >= PID_MAX)
		return 0;
	return pids[tid].thread;
}

static struct proc *proc_alloc(void)
{
	struct proc *p = FW_NEW(struct proc);

	if (!p)
		return 0;
	fw_list_init(&p->children);
	fw_list_init(&p->sem_undos);
	fw_list_init(&p->sibling);
	fw_list_init(&p->threads);
	fw_list_init(&p->trace.tracees);
	fw_spin_init(&p->lock, "proc");
	fw_mutex_init(&p->timers_mutex, "posix-timers");
	fw_waitq_init(&p->child_wait, "wait4");
	fw_waitq_init(&p->stop_wait, "stopped");
	fw_waitq_init(&p->vfork_wait, "vfork");
	p->exit_signal = SIGCHLD;
	p->start_ns = fw_time_ns();
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		p->rlimit_cur[i] = RLIM_INFINITY;
		p->rlimit_max[i] = RLIM_INFINITY;
	}
	p->rlimit_cur[RLIMIT_STACK] = 8ull << 20;
	/* Linux's MLOCK_LIMIT: 8 MiB locked without CAP_IPC_LOCK */
	p->rlimit_cur[RLIMIT_MEMLOCK] = p->rlimit_max[RLIMIT_MEMLOCK] = 8ull << 20;
	p->rlimit_cur[RLIMIT_NOFILE] = 1024;
	p->rlimit_max[RLIMIT_NOFILE] = 4096;
	p->rlimit_cur[RLIMIT_NPROC] = PROC_LIMIT;
	p->rlimit_max[RLIMIT_NPROC] = PROC_LIMIT;
	p->rlimit_cur[RLIMIT_CORE] = 0;
	/* Linux's: no nice below 0, no real-time priority, without
	 * CAP_SYS_NICE */
	p->rlimit_cur[RLIMIT_NICE] = p->rlimit_max[RLIMIT_NICE] = 0;
	p->rlimit_cur[RLIMIT_RTPRIO] = p->rlimit_max[RLIMIT_RTPRIO] = 0;
	/* Linux's MQ_BYTES_MAX: the bytes of POSIX message queues a user
	 * may create (services/ipc/mqueue.c counts them) */
	p->rlimit_cur[RLIMIT_MSGQUEUE] = p->rlimit_max[RLIMIT_MSGQUEUE] = 819200;
	return p;
}

static struct thread *thread_alloc(struct proc *p)
{
	struct thread *t = FW_NEW(struct thread);

	if (!t)
		return 0;
	t->td.thread = t;
	t->proc = p;
	t->restart_nr = ~0ull;
	t->trace.orig_rax = ~0ull;
	fw_list_init(&t->trace.node);
	fw_list_init(&t->proc_node);
	fw_waitq_init(&t->sig_wait, "sigsuspend");
	return t;
}

/* Free what a process owns (mm, files, fs, handlers). */
static void proc_release_resources(struct proc *p)
{
	struct fdtable *files;
	struct fs_context *fs;
	struct sighand *sh;
	fw_irqflags_t fl;

	/* Detach under p->lock (readers such as procfs take their own
	 * references under it), then drop the references outside it. */
	fl = fw_spin_lock_irqsave(&p->lock);
	files = p->files, fs = p->fs, sh = p->sighand;
	p->files = 0;
	p->fs = 0;
	p->sighand = 0;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if (files)
		fdtable_put(files);
	if (fs)
		fs_context_put(fs);
	if (sh)
		sighand_put(sh);
}

/* Give task its creator's policy, priority and nice value; under
 * SCHED_RESET_ON_FORK a real-time creator's child is SCHED_OTHER at nice
 * 0 and any other's gets no negative nice (sched(7)); the child's flag
 * starts clear. */
static void inherit_sched(struct fw_task *task)
{
	struct thread *me = thread_current();
	int nice = fw_task_nice(fw_task_current());
	uint32_t policy, prio;

	fw_task_sched_class(fw_task_current(), &policy, &prio);
	if (me && me->sched_reset_on_fork) {
		if (policy == SCHED_FIFO || policy == SCHED_RR) {
			policy = SCHED_OTHER;
			prio = 0;
			nice = 0;
		} else if (nice < 0) {
			nice = 0;
		}
	}
	fw_task_set_nice(task, nice);
	fw_task_set_sched_class(task, policy, prio);
}

/* Make t's kernel task, not yet running: 0 or -ENOMEM. */
static int thread_create_task(struct thread *t, struct fw_task **out)
{
	struct fw_task *task;
	int err = FW_TASK_CREATE(t->proc->comm, thread_main, t, -1, &task);

	if (err)
		return err;
	/* A new thread or process starts with its creator's scheduling
	 * policy, priority, nice value and CPU affinity (fork(2)); the
	 * creator's mask holds online CPUs, so setting it cannot fail.
	 * make-it-fail is inherited too, as Linux copies it with the task. */
	inherit_sched(task);
	err = fw_task_set_affinity(task, fw_task_affinity(fw_task_current()));
	FW_ASSERT(err == 0);
	fw_task_set_make_it_fail(task, fw_task_make_it_fail(fw_task_current()));
	/* Set now, not when it first runs: from the moment its tid is
	 * visible, sched_setscheduler, setpriority and the like change the
	 * task itself. */
	t->task = task;
	*out = task;
	return 0;
}

static void thread_run_task(struct fw_task *task)
{
	fw_task_start(task);
	fw_task_detach(task);
}

/* --- init ----------------------------------------------------------- */

int proc_start_init(const struct kpath *path, struct fw_bytes argv0)
{
	struct proc *p = proc_alloc();
	struct fw_task *task;
	struct thread *t;
	int err;

	(void)argv0;
	if (!p)
		return -ENOMEM;
	t = thread_alloc(p);
	if (!t) {
		fw_free(p);
		return -ENOMEM;
	}
	p->cred.cap_eff = p->cred.cap_prm = CAP_FULL_SET; /* root */
	p->cred.cap_bset = CAP_FULL_SET;
	p->files = fdtable_create();
	p->fs = fs_context_create_root();
	if (!p->files || !p->fs || sighand_create(&p->sighand)) {
		proc_release_resources(p);
		fw_free(t);
		fw_free(p);
		return -ENOMEM;
	}
	err = vfs_open_console(p->files);
	if (err)
		fw_warn("init: cannot open /dev/console (%d); init runs without "
			"stdin/stdout",
			err);
	fw_spin_lock(&proc_tree_lock);
	p->pid = pid_alloc();
	t->tid = p->pid;
	pids[p->pid].proc = p;
	pids[p->pid].thread = t;
	fw_spin_unlock(&proc_tree_lock);
	p->pgid = p->sid = p->pid;
	init_proc = p;
	fw_list_add_tail(&p->threads, &t->proc_node);
	p->nthreads = 1;
	fw_user_context_init(&t->ctx);
	err = exec_initial(t, path);
	if (!err)
		err = thread_create_task(t, &task);
	if (err)
		return err;
	thread_run_task(task);
	return 0;
}

/* --- clone ----------------------------------------------------------- */

/* pidfd_at: where CLONE_PIDFD writes the child's pidfd (clone(2): the
 * parent_tid argument, clone3(2): its pidfd field). */
static long do_clone(uint64_t flags, uint64_t stack, uint64_t ptid,
		     uint64_t ctid, uint64_t tls, uint64_t pidfd_at)
{
	struct thread *cur = thread_current();
	struct proc *parent = cur->proc, *p;
	struct thread *t;
	struct fw_task *task = NULL;
	struct file *pidfd = NULL;
	bool thread_only = flags & CLONE_THREAD;
	int err, id, pfd = -1;

	/* Argument checks first (clone(2) ERRORS). */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_THREAD | CLONE_DETACHED)))
		return -EINVAL;
	if (flags & (CLONE_NEWNS | 0x7E000000u) & ~(CLONE_CHILD_SETTID |
						     CLONE_CHILD_CLEARTID |
						     CLONE_SETTLS |
						     CLONE_PARENT_SETTID |
						     CLONE_DETACHED |
						     CLONE_SYSVSEM))
		return -EINVAL; /* namespaces are not supported */

	p = thread_only ? parent : proc_alloc();
	if (!p)
		return -ENOMEM;
	t = thread_alloc(p);
	if (!t) {
		if (!thread_only)
			fw_free(p);
		return -ENOMEM;
	}

	if (!thread_only) {
		fw_strlcpy(p->comm, parent->comm, sizeof p->comm);
		fw_strlcpy(p->exe_path, parent->exe_path, sizeof p->exe_path);
		p->cred = parent->cred;
		tty_ctty_get(parent->ctty);
		p->ctty = parent->ctty;
		for (int i = 0; i < RLIM_NLIMITS; i++) {
			p->rlimit_cur[i] = parent->rlimit_cur[i];
			p->rlimit_max[i] = parent->rlimit_max[i];
		}
		p->exit_signal = (int)(flags & CSIGNAL);
		p->personality = parent->personality;
		p->oom_score_adj = parent->oom_score_adj;
		p->oom_score_adj_min = parent->oom_score_adj_min;
		if (flags & CLONE_VM) {
			mm_get(parent->mm);
			p->mm = parent->mm;
			err = 0;
		} else {
			err = mm_fork(parent->mm, &p->mm);
		}
		if (!err && (flags & CLONE_FILES)) {
			fdtable_get(parent->files);
			p->files = parent->files;
		} else if (!err) {
			err = fdtable_fork(parent->files, &p->files);
		}
		if (!err && (flags & CLONE_FS)) {
			fs_context_get(parent->fs);
			p->fs = parent->fs;
		} else if (!err) {
			err = fs_context_fork(parent->fs, &p->fs);
		}
		if (!err && (flags & CLONE_SIGHAND)) {
			sighand_get(parent->sighand);
			p->sighand = parent->sighand;
		} else if (!err) {
			err = sighand_copy(parent->sighand, &p->sighand);
		}
		if (err)
			goto fail;
	}
	/* The child's pidfd, named before it can run (Linux writes it in
	 * copy_process; a fault there fails the fork). */
	if (flags & CLONE_PIDFD) {
		int32_t v;

		pfd = pidfd_for_clone(&pidfd);
		if (pfd < 0) {
			err = pfd;
			goto fail;
		}
		v = pfd;
		if (FW_COPY_OUT_OBJ(fw_uptr(pidfd_at), &v)) {
			err = -EFAULT;
			goto fail;
		}
	}
	/* The last thing that can fail, before anyone can see the child. */
	err = thread_create_task(t, &task);
	if (err)
		goto fail;

	fw_spin_lock(&proc_tree_lock);
	id = pid_alloc();
	if (id < 0) {
		fw_spin_unlock(&proc_tree_lock);
		err = id;
		goto fail;
	}
	t->tid = id;
	pids[id].thread = t;
	if (!thread_only) {
		p->pid = id;
		pids[id].proc = p;
		p->pgid = parent->pgid;
		p->sid = parent->sid;
		p->parent = (flags & CLONE_PARENT) && parent->parent
				    ? parent->parent
				    : parent;
		fw_list_add_tail(&p->parent->children, &p->sibling);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (pidfd) {
		pidfd_bind(pidfd, p);
		file_put(pidfd);
	}

	fw_user_context_copy(&t->ctx, &cur->ctx);
	t->ctx.rax = 0; /* the child sees 0 */
	if (stack)
		t->ctx.rsp = stack;
	if (flags & CLONE_SETTLS)
		t->ctx.fs_base = tls;
	t->sigmask = cur->sigmask;
	t->ioprio = cur->ioprio; /* Linux copies the I/O context's class */
	t->mpol = cur->mpol;
	/* Linux's rseq_fork: a copy of the memory keeps the registration;
	 * a thread or a vfork child (one memory) registers its own. */
	if (!(flags & CLONE_VM))
		t->rseq = cur->rseq;
	keys_clone(cur, t, !thread_only);
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (flags & CLONE_PARENT_SETTID) {
		int32_t v = id;
		if (FW_COPY_OUT_OBJ(fw_uptr(ptid), &v)) {
			/* Ignored, as Linux ignores it: the child exists. */
		}
	}
	if (flags & CLONE_CHILD_SETTID) {
		/* Written into the child's memory: with a copied mm, this
		 * is done by the child itself before it first runs. */
		t->set_child_tid = ctid;
	}

	fw_irqflags_t plfl = fw_spin_lock_irqsave(&p->lock);
	fw_list_add_tail(&p->threads, &t->proc_node);
	p->nthreads++;
	fw_spin_unlock_irqrestore(&p->lock, plfl);

	if (thread_traced(cur))
		ptrace_clone_child(cur, t, flags);
	thread_run_task(task);
	if (flags & CLONE_VFORK) {
		FW_WAIT_EVENT(&p->vfork_wait,
			      __atomic_load_n(&p->vfork_done, __ATOMIC_ACQUIRE));
	}
	return id;

fail:
	if (pidfd) {
		file_put(pidfd);
		if (fd_close(current_files(), pfd))
			fw_warn("clone: pidfd %d went early", pfd);
	}
	if (task)
		fw_task_discard(task);
	if (!thread_only) {
		tty_ctty_put(p->ctty);
		if (p->mm)
			mm_put(p->mm);
		proc_release_resources(p);
		fw_free(p);
	}
	fw_free(t);
	return err;
}

static long sys_fork(const struct sys_args *a)
{
	(void)a;
	return do_clone(SIGCHLD, 0, 0, 0, 0, 0);
}

static long sys_vfork(const struct sys_args *a)
{
	(void)a;
	return do_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, 0);
}

/* x86-64 argument order: flags, stack, parent_tid, child_tid, tls. */
static long sys_clone(const struct sys_args *a)
{
	/* CLONE_PIDFD writes the pidfd where parent_tid points: not both */
	if ((a->arg[0] & CLONE_PIDFD) && (a->arg[0] & CLONE_PARENT_SETTID))
		return -EINVAL;
	return do_clone(a->arg[0], a->arg[1], a->arg[2], a->arg[3], a->arg[4],
			a->arg[2]);
}

/* Bytes of a user struct past the part the kernel knows must be zero
 * (Linux copy_struct_from_user): 0, -E2BIG, -EFAULT. */
static int check_zero_tail(fw_uptr_t u, uint64_t from, uint64_t size)
{
	uint8_t piece[64];

	while (from < size) {
		uint64_t n = size - from < sizeof piece ? size - from : sizeof piece;
		struct fw_buf b;

		if (fw_buf_sub(FW_BUF_OF_ARRAY(piece), 0, n, &b) ||
		    fw_copy_in(b, fw_uptr_add(u, from)))
			return -EFAULT;
		for (uint64_t i = 0; i < n; i++)
			if (piece[i])
				return -E2BIG;
		from += n;
	}
	return 0;
}

/* clone3(2): clone's flags and addresses in a versioned struct, checked as
 * Linux checks them (clone3_args_valid). Choosing the child's pid
 * (set_tid), a cgroup and clearing its handlers are not supported and
 * answer EINVAL; glibc uses clone3 for threads and posix_spawn and falls
 * back to clone on ENOSYS only. */
static long sys_clone3(const struct sys_args *a)
{
	struct k_clone_args ca = { 0 };
	uint64_t size = a->arg[1];
	uint64_t known = size < sizeof ca ? size : sizeof ca;
	struct fw_buf b;
	int err;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > FW_PAGE_SIZE)
		return -E2BIG;
	err = fw_buf_sub(FW_BUF_OF_OBJ(&ca), 0, known, &b);
	if (!err && fw_copy_in(b, fw_uptr(a->arg[0])))
		err = -EFAULT;
	if (!err)
		err = check_zero_tail(fw_uptr(a->arg[0]), known, size);
	if (err)
		return err;
	if ((ca.flags & ~(0xffffffffull | CLONE_CLEAR_SIGHAND |
			  CLONE_INTO_CGROUP)) ||
	    (ca.flags & CSIGNAL) || ca.exit_signal > NSIG ||
	    ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal) ||
	    !ca.stack != !ca.stack_size ||
	    (ca.set_tid && !ca.set_tid_size))
		return -EINVAL;
	if (ca.set_tid_size || (ca.flags & (CLONE_CLEAR_SIGHAND |
					    CLONE_INTO_CGROUP)))
		return -EINVAL;
	/* The stack grows down from the end of the area given. */
	return do_clone(ca.flags | ca.exit_signal,
			ca.stack ? ca.stack + ca.stack_size : 0, ca.parent_tid,
			ca.child_tid, ca.tls, ca.pidfd);
}

/* --- exit ------------------------------------------------------------ */

void proc_vfork_release(struct proc *p)
{
	__atomic_store_n(&p->vfork_done, true, __ATOMIC_RELEASE);
	fw_waitq_wake_all(&p->vfork_wait);
}

/* Called by the last thread: become a zombie and tell the parent. */
static void proc_become_zombie(struct proc *p)
{
	struct proc *parent, *child, *tmp, *reaper;
	bool moved_zombie = false;
	bool autoreap = false;
	struct mm *mm = p->mm;

	/* A session leader's exit hangs up its terminal (SIGHUP to the
	 * foreground group), as Linux's disassociate_ctty does. */
	tty_proc_exit(p);
	tty_ctty_put(proc_set_ctty(p, NULL));
	ipc_proc_exit(p);
	keys_proc_exit(p);
	proc_alarm_cancel(p);
	proc_timers_delete_all(p);
	/* Leave the address space before it can go. */
	fw_task_set_vmspace(fw_task_current(), 0);
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	p->mm = 0;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if (mm)
		mm_put(mm);
	proc_release_resources(p);
	proc_vfork_release(p);

	fw_spin_lock(&proc_tree_lock);
	/* Orphans go to the nearest live ancestor that asked for them
	 * (PR_SET_CHILD_SUBREAPER), else to init (Linux find_new_reaper);
	 * init's own stay: the machine powers off. */
	reaper = init_proc;
	for (struct proc *a = p->parent; a && a != init_proc; a = a->parent)
		if (a->child_subreaper && !a->zombie && !a->exiting) {
			reaper = a;
			break;
		}
	FW_LIST_FOR_EACH_SAFE(child, tmp, &p->children, sibling)
	{
		if (p == init_proc)
			break;
		fw_list_del(&child->sibling);
		child->parent = reaper;
		fw_list_add_tail(&reaper->children, &child->sibling);
		/* PR_SET_PDEATHSIG (lock order: the tree, then the child). */
		if (child->pdeathsig && !child->zombie)
			(void)signal_send_proc(child, child->pdeathsig, 0);
		moved_zombie |= child->zombie;
	}
	parent = p->parent;
	if (parent && parent->sighand) {
		const struct k_sigaction *sa =
			&parent->sighand->action[SIGCHLD];
		autoreap = p->exit_signal == SIGCHLD &&
			   (sa->handler == SIG_IGN ||
			    (sa->flags & SA_NOCLDWAIT));
	}
	/* One that reaps itself leaves its parent's list in the same hold
	 * of the lock that makes it a zombie, so no wait() can find and
	 * reap it as well (that was a double free). */
	if (autoreap)
		fw_list_del(&p->sibling);
	p->zombie = true;
	fw_spin_unlock(&proc_tree_lock);
	if (moved_zombie) /* the new parent's wait may reap them now */
		fw_waitq_wake_all(&reaper->child_wait);
	pidfd_notify();
	/* Now that wait can see the zombie: tell a tracer, free tracees. */
	ptrace_proc_exit(p);
	if (p == init_proc) {
		fw_err("init (pid 1) exited with status %#x; powering off",
		       p->exit_status);
		proc_init_exited(p->exit_status);
	}
	/* The parent's SIGCHLD, made while p may still be read. */
	struct k_siginfo si = { .si_signo = p->exit_signal };
	bool notify = p->exit_signal && !autoreap;

	si.si_code = (p->exit_status & 0x7f) ? CLD_KILLED : CLD_EXITED;
	si.f0 = (uint64_t)(uint32_t)p->pid | ((uint64_t)p->cred.uid << 32);
	si.f1 = (p->exit_status & 0x7f) ? (uint64_t)(p->exit_status & 0x7f)
					: (uint64_t)((p->exit_status >> 8) & 0xff);
	/* From here the parent's wait may reap p and free it: nothing below
	 * reads p unless it reaps itself. Set before the SIGCHLD, so that a
	 * handler's waitpid finds it (Linux: one hold of tasklist_lock). */
	fw_spin_lock(&proc_tree_lock);
	p->exit_done = true;
	if (p->trace.leader && p->trace.leader->trace.tracer)
		fw_waitq_wake_all(&p->trace.leader->trace.tracer->child_wait);
	/* Traced threads still on their way out read p: the last of them
	 * reaps it (ptrace_thread_dead). */
	if (autoreap && p->trace.exiting) {
		p->trace.reap_pending = true;
		autoreap = false;
	}
	parent = p->parent; /* its exit may have moved us meanwhile */
	if (parent) {
		if (notify)
			(void)signal_send_proc(parent, si.si_signo, &si);
		fw_waitq_wake_all(&parent->child_wait);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (autoreap)
		proc_reap(p);
}

bool proc_exec_take_pid(struct thread *t)
{
	struct proc *p = t->proc;
	struct thread *old;
	int tid = t->tid;

	if (tid == p->pid)
		return true;
	fw_spin_lock(&proc_tree_lock);
	if (pids[p->pid].thread) {
		fw_spin_unlock(&proc_tree_lock);
		return false;
	}
	pids[tid].thread = 0;
	nr_tasks--; /* the id was t's alone: a thread's is never a pid */
	pids[p->pid].thread = t;
	t->tid = p->pid;
	/* The old main thread's tracer hears no more of it (Linux
	 * releases it silently); a traced t is the main thread now. */
	old = ptrace_exec_leader(p, t);
	fw_spin_unlock(&proc_tree_lock);
	fw_free(old);
	return true;
}

void proc_reap(struct proc *p)
{
	struct thread *leader;

	fw_spin_lock(&proc_tree_lock);
	fw_list_del(&p->sibling);
	/* Its traced main thread goes with it (its tracer, our parent or
	 * one reaping itself, has had the exit). */
	leader = ptrace_release_leader(p);
	pids[p->pid].proc = 0;
	if (!pids[p->pid].thread)
		nr_tasks--;
	fw_spin_unlock(&proc_tree_lock);
	fw_free(leader);
	fw_free(p);
	pidfd_notify(); /* reaped: POLLHUP */
}

void thread_exit(struct thread *t, int code)
{
	struct proc *p = t->proc;
	uint64_t ut, st;
	bool last;

	if (t->clear_child_tid) {
		int32_t zero = 0;
		/* CLONE_CHILD_CLEARTID: zero the tid and wake a futex waiter
		 * (pthread_join sleeps on it). */
		if (FW_COPY_OUT_OBJ(fw_uptr(t->clear_child_tid), &zero) == 0)
			futex_wake_addr(t->clear_child_tid, 1);
	}
	keys_thread_exit(t);
	/* While p is sure to be there: once off its list, the last thread
	 * may end it and its parent reap it. */
	ptrace_thread_exiting(t, code);
	fw_irqflags_t plfl = fw_spin_lock_irqsave(&p->lock);
	fw_list_del(&t->proc_node);
	last = --p->nthreads == 0;
	/* Not the last: leave the address space inside this section. The
	 * last thread frees it once it sees nthreads reach 0 here, and a
	 * joiner woken above may already be that thread: dropping the
	 * space after the unlock raced with its mm_put ("destroying a
	 * space 1 task(s) would still load", seen on pc with 1 CPU). */
	if (!last)
		fw_task_set_vmspace(fw_task_current(), 0);
	if (last && !p->exiting)
		p->exit_status = (code & 0xff) << 8;
	thread_times(t, &ut, &st);
	p->utime_ns += ut;
	p->stime_ns += st;
	fw_spin_unlock_irqrestore(&p->lock, plfl);

	fw_spin_lock(&proc_tree_lock);
	pids[t->tid].thread = 0;
	if (!pids[t->tid].proc) /* an id is in use until both halves go */
		nr_tasks--;
	fw_spin_unlock(&proc_tree_lock);

	if (last)
		proc_become_zombie(p);
	fw_task_set_data(fw_task_current(), 0);
	fw_user_context_release(&t->ctx);
	/* Traced, t is its tracer's now (a dead tracee it frees). */
	if (!ptrace_thread_dead(t))
		fw_free(t);
	fw_task_exit(0);
}

/* exit_group / fatal signal: every thread leaves; status is kept. */
void proc_exit_group(struct proc *p, int status)
{
	struct thread *t;

	fw_irqflags_t plfl = fw_spin_lock_irqsave(&p->lock);
	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
	}
	FW_LIST_FOR_EACH(t, &p->threads, proc_node)
	{
		t->exiting = true;
		if (t->task)
			fw_task_wake(t->task);
	}
	fw_spin_unlock_irqrestore(&p->lock, plfl);
}

static long sys_exit(const struct sys_args *a)
{
	thread_exit(thread_current(), (int)a->arg[0]);
	return 0;
}

static long sys_exit_group(const struct sys_args *a)
{
	struct thread *t = thread_current();
	if (thread_traced(t))
		ptrace_exit_event(t, ((int)a->arg[0] & 0xff) << 8);
	proc_exit_group(t->proc, ((int)a->arg[0] & 0xff) << 8);
	thread_exit(t, (int)a->arg[0]);
	return 0;
}

/* --- wait ------------------------------------------------------------ */

static bool wait_matches(struct proc *parent, const struct proc *c,
			 int idtype, int id, int options)
{
	bool clone_child = c->exit_signal != SIGCHLD;

	/* Tracees are waited for whatever their exit signal (Linux
	 * eligible_child: "__WALL or traced by us"). */
	if (!(options & __WALL) && !ptrace_traces_leader(c, parent) &&
	    clone_child != !!(options & __WCLONE))
		return false;
	switch (idtype) {
	case P_PID:
		return c->pid == id;
	case P_PGID:
		return c->pgid == (id ? id : parent->pgid);
	default:
		return true;
	}
}

void wait_exit_result(const struct proc *c, struct wait_result *res)
{
	res->pid = c->pid;
	res->status = c->exit_status;
	res->code = (c->exit_status & 0x7f)
			    ? ((c->exit_status & 0x80) ? CLD_DUMPED : CLD_KILLED)
			    : CLD_EXITED;
	res->si_status = (c->exit_status & 0x7f) ? (c->exit_status & 0x7f)
						 : ((c->exit_status >> 8) & 0xff);
	res->uid = c->cred.uid;
	res->utime_ns = c->utime_ns + c->cutime_ns;
	res->stime_ns = c->stime_ns + c->cstime_ns;
}

/* One scan of the children: 0 and *res if one is ready, -ECHILD if none
 * can ever match, -EAGAIN if some may later. */
static int wait_scan(struct proc *me, int idtype, int id, int options,
		     struct wait_result *res)
{
	struct thread *dead = NULL;
	struct proc *c;
	bool any = false;
	int err;

	fw_spin_lock(&proc_tree_lock);
	FW_LIST_FOR_EACH(c, &me->children, sibling)
	{
		if (!wait_matches(me, c, idtype, id, options))
			continue;
		any = true;
		/* Traced: its tracer sees it first, and its stops are found
		 * among the tracees below. */
		if (ptrace_holds_proc(c, me))
			continue;
		/* A zombie whose exit is still under way is not ready yet:
		 * it wakes us when it is (exit_done). */
		if (c->zombie && c->exit_done && (options & WEXITED)) {
			wait_exit_result(c, res);
			res->reaped = !(options & WNOWAIT);
			if (res->reaped) {
				fw_irqflags_t fl = fw_spin_lock_irqsave(&me->lock);

				me->cutime_ns += res->utime_ns;
				me->cstime_ns += res->stime_ns;
				fw_spin_unlock_irqrestore(&me->lock, fl);
				/* Off the list in this hold of the lock: another
				 * waiter (a thread of ours) or our own exit moving
				 * children to init must not find it any more, or
				 * it is reaped twice or freed on init's list. */
				fw_list_del(&c->sibling);
			}
			fw_spin_unlock(&proc_tree_lock);
			if (res->reaped)
				proc_reap(c);
			return 0;
		}
		if (c->report_stop && (options & WUNTRACED)) {
			if (!(options & WNOWAIT))
				c->report_stop = false;
			res->pid = c->pid;
			res->status = (c->stop_sig << 8) | 0x7f;
			res->code = CLD_STOPPED;
			res->si_status = c->stop_sig;
			res->uid = c->cred.uid;
			fw_spin_unlock(&proc_tree_lock);
			return 0;
		}
		if (c->report_cont && (options & WCONTINUED)) {
			if (!(options & WNOWAIT))
				c->report_cont = false;
			res->pid = c->pid;
			res->status = 0xffff;
			res->code = CLD_CONTINUED;
			res->si_status = SIGCONT;
			res->uid = c->cred.uid;
			fw_spin_unlock(&proc_tree_lock);
			return 0;
		}
	}
	err = ptrace_wait_tracees(me, idtype, id, options, res, &any, &dead);
	fw_spin_unlock(&proc_tree_lock);
	fw_free(dead); /* a dead tracee reported */
	if (!err)
		return 0;
	return any ? -EAGAIN : -ECHILD;
}

static long do_wait(int idtype, int id, int options, struct wait_result *res)
{
	struct proc *me = proc_current();
	int err;

	for (;;) {
		FW_WAIT_EVENT(&me->child_wait,
			      (err = wait_scan(me, idtype, id, options, res)) !=
					      -EAGAIN ||
				      (options & WNOHANG) ||
				      signal_pending_current());
		if (err != -EAGAIN)
			return err;
		if (options & WNOHANG)
			return 1; /* nothing yet */
		return -ERESTARTSYS;
	}
}

static long sys_wait4(const struct sys_args *a)
{
	int pid = (int)a->arg[0];
	int options = (int)a->arg[2];
	struct wait_result res = { 0 };
	int idtype = P_ALL, id = 0;
	long err;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	if (pid > 0)
		idtype = P_PID, id = pid;
	else if (pid == 0)
		idtype = P_PGID, id = 0;
	else if (pid < -1)
		idtype = P_PGID, id = -pid;
	err = do_wait(idtype, id, options | WEXITED, &res);
	if (err == 1)
		return 0;
	if (err)
		return err;
	if (a->arg[1]) {
		int32_t st = res.status;
		if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &st))
			return -EFAULT;
	}
	if (a->arg[3]) {
		struct k_rusage ru;

		rusage_times(&ru, res.utime_ns, res.stime_ns);
		if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[3]), &ru))
			return -EFAULT;
	}
	return res.pid;
}

static long sys_waitid(const struct sys_args *a)
{
	int idtype = (int)a->arg[0], id = (int)a->arg[1];
	int options = (int)a->arg[3];
	struct wait_result res = { 0 };
	struct k_siginfo si = { 0 };
	bool nonblock = false;
	long err;

	if (idtype < P_ALL || idtype > P_PIDFD ||
	    !(options & (WEXITED | WSTOPPED | WCONTINUED)) ||
	    (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT |
			 __WALL | __WCLONE)))
		return -EINVAL;
	if (idtype == P_PIDFD) {
		/* its process, which must be a child; a non-blocking pidfd
		 * makes the wait WNOHANG, EAGAIN if nothing is ready (5.10) */
		err = pidfd_wait_target(id, &id, &nonblock);
		if (err)
			return err;
		idtype = P_PID;
		if (nonblock && !(options & WNOHANG))
			options |= WNOHANG;
		else
			nonblock = false;
	}
	err = do_wait(idtype, id, options, &res);
	if (err < 0)
		return err;
	if (err == 1 && nonblock)
		return -EAGAIN;
	if (err == 0) {
		si.si_signo = SIGCHLD;
		si.si_code = res.code;
		si.f0 = (uint64_t)(uint32_t)res.pid | ((uint64_t)res.uid << 32);
		si.f1 = (uint64_t)(uint32_t)res.si_status;
	}
	if (a->arg[2] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &si))
		return -EFAULT;
	return 0;
}

/* --- ids, groups, sessions ------------------------------------------- */

static long sys_getpid(const struct sys_args *a)
{
	(void)a;
	return proc_current()->pid;
}

static long sys_gettid(const struct sys_args *a)
{
	(void)a;
	return thread_current()->tid;
}

static long sys_getppid(const struct sys_args *a)
{
	struct proc *p = proc_current();
	(void)a;
	return p->parent ? p->parent->pid : 0;
}

static long sys_getpgid(const struct sys_args *a)
{
	struct proc *p = a->arg[0] ? proc_find((int)a->arg[0]) : proc_current();
	return p && !p->zombie ? p->pgid : -ESRCH;
}

static long sys_getpgrp(const struct sys_args *a)
{
	(void)a;
	return proc_current()->pgid;
}

static long sys_getsid(const struct sys_args *a)
{
	struct proc *p = a->arg[0] ? proc_find((int)a->arg[0]) : proc_current();
	return p && !p->zombie ? p->sid : -ESRCH;
}

static bool pgrp_in_session(int pgid, int sid)
{
	for (int i = 1; i < PID_MAX; i++)
		if (pids[i].proc && pids[i].proc->pgid == pgid &&
		    pids[i].proc->sid == sid)
			return true;
	return false;
}

/* setpgid(2): ESRCH, EPERM, EACCES (child already exec'd: not tracked),
 * EINVAL for a negative pgid. */
static long sys_setpgid(const struct sys_args *a)
{
	struct proc *me = proc_current(), *p;
	int pid = (int)a->arg[0], pgid = (int)a->arg[1];
	long err = 0;

	if (pgid < 0)
		return -EINVAL;
	fw_spin_lock(&proc_tree_lock);
	p = pid ? proc_find(pid) : me;
	if (!p || (p != me && p->parent != me))
		err = -ESRCH;
	else if (p->sid != me->sid || p->pid == p->sid)
		err = -EPERM;
	else {
		if (!pgid)
			pgid = p->pid;
		if (pgid != p->pid && !pgrp_in_session(pgid, me->sid))
			err = -EPERM;
		else
			p->pgid = pgid;
	}
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

static long sys_setsid(const struct sys_args *a)
{
	struct proc *me = proc_current();
	struct tty *old = NULL;
	long err;

	(void)a;
	fw_spin_lock(&proc_tree_lock);
	if (me->pgid == me->pid || pgrp_in_session(me->pid, me->sid) ||
	    pgrp_exists(me->pid)) {
		err = -EPERM;
	} else {
		me->sid = me->pgid = me->pid;
		old = me->ctty;
		me->ctty = 0;
		err = me->pid;
	}
	fw_spin_unlock(&proc_tree_lock);
	tty_ctty_put(old);
	return err;
}

bool pgrp_exists(int pgid)
{
	for (int i = 1; i < PID_MAX; i++)
		if (pids[i].proc && !pids[i].proc->zombie &&
		    pids[i].proc->pgid == pgid)
			return true;
	return false;
}

struct tty *proc_set_ctty(struct proc *p, struct tty *t)
{
	struct tty *old;

	fw_spin_lock(&proc_tree_lock);
	old = p->ctty;
	p->ctty = t;
	fw_spin_unlock(&proc_tree_lock);
	return old;
}

int proc_session_hangup(int sid, struct tty *t)
{
	struct proc *p;
	bool leader = false;
	int cursor = 0, dropped = 0;

	if (sid <= 0)
		return 0;
	fw_spin_lock(&proc_tree_lock);
	for (int i = 1; i < PID_MAX; i++) {
		p = pids[i].proc;
		if (!p || p->sid != sid)
			continue;
		if (p->ctty == t) {
			p->ctty = NULL;
			dropped++;
		}
		if (p->pid == sid && !p->zombie)
			leader = true;
	}
	fw_spin_unlock(&proc_tree_lock);
	/* As signal_send_pgrp: the walk itself takes no lock. */
	while (leader && (p = proc_next(&cursor))) {
		if (p->pid != sid)
			continue;
		(void)signal_send_proc(p, SIGHUP, 0);
		(void)signal_send_proc(p, SIGCONT, 0);
		break;
	}
	return dropped;
}

/* Iterate over live processes (for kill(-1), process groups, /proc). */
struct proc *proc_next(int *cursor)
{
	while (++*cursor < PID_MAX)
		if (pids[*cursor].proc && !pids[*cursor].proc->zombie)
			return pids[*cursor].proc;
	return 0;
}

static long sys_set_tid_address(const struct sys_args *a)
{
	struct thread *t = thread_current();
	t->clear_child_tid = a->arg[0];
	return t->tid;
}

static const struct sys_entry proc_syscalls[] = {
	{ __NR_fork, "fork", sys_fork },
	{ __NR_vfork, "vfork", sys_vfork },
	{ __NR_clone, "clone", sys_clone },
	{ __NR_clone3, "clone3", sys_clone3 },
	{ __NR_exit, "exit", sys_exit },
	{ __NR_exit_group, "exit_group", sys_exit_group },
	{ __NR_wait4, "wait4", sys_wait4 },
	{ __NR_waitid, "waitid", sys_waitid },
	{ __NR_getpid, "getpid", sys_getpid },
	{ __NR_gettid, "gettid", sys_gettid },
	{ __NR_getppid, "getppid", sys_getppid },
	{ __NR_getpgid, "getpgid", sys_getpgid },
	{ __NR_getpgrp, "getpgrp", sys_getpgrp },
	{ __NR_getsid, "getsid", sys_getsid },
	{ __NR_setpgid, "setpgid", sys_setpgid },
	{ __NR_setsid, "setsid", sys_setsid },
	{ __NR_set_tid_address, "set_tid_address", sys_set_tid_address },
};

void proc_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(proc_syscalls);
}
