/* services/proc/procfs/pid.c: /proc/<pid>/...: one process seen from the
 * outside (stat, status, cmdline, environ, comm, limits, maps, statm, the
 * exe / cwd / root links and fd/).
 *
 * Layer: services (safe C), procfs contents. The process table belongs to
 * services/proc, which gives no references on a struct proc: a proc is
 * freed when its parent reaps it, and that takes proc_tree_lock first. So
 * every look at a proc happens under proc_tree_lock (and p->lock for its
 * threads: lock order proc_tree_lock, p->lock, as proc.c says), copying
 * what is needed into a struct pinfo and taking references on the mm,
 * fdtable and fs context, which are then used after the locks are gone.
 *
 * Another process's memory (cmdline, environ) is not reachable with
 * fw_copy_in, which acts on the current address space: the pages are
 * looked up in its vmspace under mm->lock and copied with fw_frame_read.
 * A page that is not present ends the text there (Linux would fault it
 * in; argv and envp are written by exec, so they are present). */
#include <fw/cpu.h>
#include <fw/failinject.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/string.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/vmspace.h>

#include "fs/vfs/fdtable.h"
#include "fs/vfs/mount.h"
#include "proc/signal.h"
#include "fs/procfs/procfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "mm/mm.h"
#include "mm/uapi.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/ptrace.h"

#define USER_HZ 100ull
#define NS_PER_TICK (FW_NSEC_PER_SEC / USER_HZ)
#define ARGS_MAX (256u << 10) /* cmdline/environ shown at most */

extern struct superblock *devtmpfs_sb;

/* The process of a pid, or of a thread id; proc_tree_lock held. */
static struct proc *find_locked(int id, bool thread)
{
	if (thread) {
		struct thread *t = thread_find(id);

		return t ? t->proc : NULL;
	}
	return proc_find(id);
}

bool procfs_pid_exists(int id, bool thread)
{
	bool found;

	fw_spin_lock(&proc_tree_lock);
	found = find_locked(id, thread) != NULL;
	fw_spin_unlock(&proc_tree_lock);
	return found;
}

bool procfs_tid_of(int pid, int tid)
{
	struct thread *t;
	bool ok;

	fw_spin_lock(&proc_tree_lock);
	t = thread_find(tid);
	ok = t && t->proc && t->proc->pid == pid;
	fw_spin_unlock(&proc_tree_lock);
	return ok;
}

int procfs_next_pid(int from, int *pid)
{
	int cursor = from > 0 ? from - 1 : 0;
	struct proc *p;

	fw_spin_lock(&proc_tree_lock);
	p = proc_next(&cursor);
	if (p)
		*pid = p->pid;
	fw_spin_unlock(&proc_tree_lock);
	return p ? 0 : -ENOENT;
}

int procfs_next_tid(int pid, int after, int *tid)
{
	struct proc *p;
	struct thread *t;
	int best = 0;

	fw_spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);

		FW_LIST_FOR_EACH(t, &p->threads, proc_node)
			if (t->tid > after && (!best || t->tid < best))
				best = t->tid;
		fw_spin_unlock_irqrestore(&p->lock, fl);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (!best)
		return -ENOENT;
	*tid = best;
	return 0;
}

int procfs_pid_owner(int id, bool thread, uint32_t mode, uint32_t *uid,
		     uint32_t *gid)
{
	/* The 0555 directories keep the euid even then: stat of /proc/<pid>
	 * is how procps reads a process's user (Linux task_dump_owner). */
	bool root = mode != (S_IFDIR | 0555);
	struct proc *p;

	fw_spin_lock(&proc_tree_lock);
	p = find_locked(id, thread);
	if (p) {
		root = root && p->cred.not_dumpable;
		*uid = root ? 0 : p->cred.euid;
		*gid = root ? 0 : p->cred.egid;
	}
	fw_spin_unlock(&proc_tree_lock);
	return p ? 0 : -ENOENT;
}

/* The task /proc/<pid> or task/<tid> stands for: the thread of that id
 * (a process's first thread once its leader is gone), if it runs. */
static struct fw_task *task_of_locked(struct proc *p, int id)
{
	struct thread *t;

	FW_LIST_FOR_EACH(t, &p->threads, proc_node)
		if (t->tid == id)
			return t->task;
	if (p->pid != id || fw_list_empty(&p->threads))
		return NULL;
	return FW_LIST_FIRST(&p->threads, struct thread, proc_node)->task;
}

int procfs_pid_set_fault(unsigned kind, int id, bool thread, uint64_t v)
{
	struct fw_task *task = NULL;
	struct proc *p;

	if (kind == PK_PID_MAKE_IT_FAIL) {
		if (!cred_capable(&proc_current()->cred, CAP_SYS_RESOURCE))
			return -EPERM;
		if (v > 1)
			return -EINVAL;
	}
	fw_spin_lock(&proc_tree_lock);
	p = find_locked(id, thread);
	if (p) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);

		task = task_of_locked(p, id);
		if (task && kind == PK_PID_MAKE_IT_FAIL)
			fw_task_set_make_it_fail(task, v == 1);
		else if (task)
			fw_task_set_fail_nth(task, (uint32_t)v);
		fw_spin_unlock_irqrestore(&p->lock, fl);
	}
	fw_spin_unlock(&proc_tree_lock);
	return task ? 0 : -ESRCH;
}

int procfs_pid_mem_get(int id, bool thread, struct mm **out)
{
	struct mm *mm = NULL;
	struct proc *p;
	int err = -ENOENT;

	fw_spin_lock(&proc_tree_lock);
	p = find_locked(id, thread);
	if (p && p != proc_current() && ptrace_may_access(p)) {
		err = -EACCES;
	} else if (p) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);

		mm = p->mm;
		if (mm)
			mm_get(mm);
		fw_spin_unlock_irqrestore(&p->lock, fl);
		err = mm ? 0 : -ENOENT;
	}
	fw_spin_unlock(&proc_tree_lock);
	*out = mm;
	return err;
}

void procfs_pid_mem_put(struct mm *mm)
{
	if (mm)
		mm_put(mm);
}

long procfs_pid_mem_rw(struct mm *mm, fw_uptr_t buf, size_t len,
		       uint64_t *pos, bool write)
{
	size_t done = 0;

	while (mm && done < len) {
		uint64_t addr = *pos + done;
		size_t off = (size_t)(addr % FW_PAGE_SIZE);
		size_t n = FW_PAGE_SIZE - off;
		struct fw_frame *fr;
		int err;

		if (n > len - done)
			n = len - done;
		if (addr < *pos || mm_remote_page(mm, addr, write, true, &fr))
			break;
		err = write ? fw_frame_copy_in(fr, off, fw_uptr_add(buf, done), n)
			    : fw_frame_copy_out(fw_uptr_add(buf, done), fr, off, n);
		fw_frame_put(fr);
		if (err)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	if (!done)
		return len ? -EIO : 0;
	*pos += done;
	return (long)done;
}

long procfs_pid_pagemap_read(struct mm *mm, fw_uptr_t buf, size_t len,
			     uint64_t *pos, bool show_pfn)
{
	return mm_pagemap_read(mm, buf, len, pos, show_pfn);
}

bool procfs_may_see_pfn(void)
{
	return cred_capable(&proc_current()->cred, CAP_SYS_ADMIN);
}

int procfs_pid_set_oom_score_adj(int id, bool thread, int v)
{
	bool privileged = cred_capable(&proc_current()->cred, CAP_SYS_RESOURCE);
	struct proc *p;
	int err = -ESRCH;

	if (v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	fw_spin_lock(&proc_tree_lock);
	p = find_locked(id, thread);
	if (p && v < p->oom_score_adj_min && !privileged) {
		err = -EACCES;
	} else if (p) {
		p->oom_score_adj = (int16_t)v;
		if (privileged) /* the floor an unprivileged writer keeps */
			p->oom_score_adj_min = (int16_t)v;
		err = 0;
	}
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

/* Linux's proc_oom_score: the badness scaled to 0..2000 (0 for a process
 * never chosen). proc_tree_lock held. */
static int oom_score(struct proc *p)
{
	int64_t total = (int64_t)fw_frames_total();
	int64_t b = oom_badness(p);

	if (b == OOM_UNKILLABLE || total <= 0)
		return 0;
	b = (1000 + b * 1000 / total) * 2 / 3;
	return b < 0 ? 0 : (int)b;
}

void procfs_task_stats(struct procfs_task_stats *st)
{
	struct proc *p;
	int cursor = 0;

	*st = (struct procfs_task_stats){ 0 };
	fw_spin_lock(&proc_tree_lock);
	while ((p = proc_next(&cursor)) != NULL) {
		fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
		struct thread *t;

		st->nprocs++;
		st->max_pid = p->pid;
		st->nthreads += p->nthreads;
		st->busy_ns += p->utime_ns + p->stime_ns;
		FW_LIST_FOR_EACH(t, &p->threads, proc_node)
			if (t->task)
				st->busy_ns += fw_task_runtime_ns(t->task);
		fw_spin_unlock_irqrestore(&p->lock, fl);
	}
	fw_spin_unlock(&proc_tree_lock);
}

/* ---- a snapshot of one process ------------------------------------------ */

enum {
	WANT_MM = 1u << 0,
	WANT_FS = 1u << 1,
	WANT_FILES = 1u << 2,
	WANT_SIGHAND = 1u << 3,
	WANT_TTY = 1u << 4, /* ctty referenced, else NULL */
};

struct pinfo {
	int pid;			/* the process (tgid) */
	int tid;			/* the thread shown (main thread: pid) */
	int ppid, pgid, sid;
	int exit_signal;
	char comm[16];
	char state;			/* R S T t Z */
	int tracer_pid;			/* 0 if not traced */
	unsigned nthreads;
	unsigned cpu;			/* where the shown thread last ran */
	int nice;			/* the shown thread's, -20..19 */
	uint32_t policy, rt_prio;	/* its scheduling policy, priority */
	uint64_t cpus_allowed;		/* its affinity (bit n: CPU n) */
	uint64_t utime_ns, stime_ns;	/* CPU time, user and kernel */
	uint64_t cutime_ns, cstime_ns;	/* of reaped children */
	uint64_t start_ns;		/* creation, monotonic */
	uint64_t preemptions;		/* involuntary switches */
	struct cred cred;
	uint64_t sigpnd;		/* thread-directed pending */
	uint64_t shdpnd;		/* process-directed pending */
	uint64_t sigblk;		/* blocked */
	uint64_t rlim_sigpending;
	int oom_score_adj;
	int oom_score;			/* Linux's 0..2000 scale */
	bool make_it_fail;		/* the shown thread's fault injection */
	uint32_t fail_nth;
	bool in_syscall;		/* the shown thread's, and then: */
	uint64_t syscall[9];		/* nr, 6 arguments, sp, pc */
	uint64_t rlim_cur[RLIM_NLIMITS], rlim_max[RLIM_NLIMITS];
	struct tty *ctty;		/* WANT_TTY: referenced (tty_ctty_get) */
	char exe[256];
	/* References taken for WANT_*; pinfo_put drops them. */
	struct mm *mm;
	struct fs_context *fs;
	struct fdtable *files;
	struct sighand *sighand;
};

/* Fill pi for process id (or the process of thread id). -ENOENT if gone.
 *
 * p->mm, p->files, p->fs and p->sighand are read under p->lock. The
 * process service does not yet swap them under that lock (exec's
 * commit_image, exit's proc_release_resources), so a reader racing with
 * an exec or exit of the same process could take its reference just as
 * the last one is dropped; see the note in the report. */
static int pinfo_get(int id, bool thread, unsigned want, struct pinfo *pi)
{
	struct thread *t, *sel = NULL, *me = thread_current();
	struct proc *p;
	fw_irqflags_t fl;

	*pi = (struct pinfo){ 0 };
	fw_spin_lock(&proc_tree_lock);
	p = find_locked(id, thread);
	if (!p) {
		fw_spin_unlock(&proc_tree_lock);
		return -ENOENT;
	}
	pi->pid = p->pid;
	pi->tid = thread ? id : p->pid;
	pi->ppid = p->parent ? p->parent->pid : 0;
	pi->pgid = p->pgid;
	pi->sid = p->sid;
	pi->exit_signal = p->exit_signal;
	memcpy(pi->comm, p->comm, sizeof(pi->comm));
	pi->comm[sizeof(pi->comm) - 1] = 0;
	fw_strlcpy(pi->exe, p->exe_path, sizeof(pi->exe));
	pi->cred = p->cred;
	if (want & WANT_TTY) {
		pi->ctty = p->ctty;
		tty_ctty_get(pi->ctty);
	}
	pi->start_ns = p->start_ns;
	pi->oom_score_adj = p->oom_score_adj;
	pi->oom_score = oom_score(p);
	pi->rlim_sigpending = p->rlimit_cur[11]; /* RLIMIT_SIGPENDING */
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		pi->rlim_cur[i] = p->rlimit_cur[i];
		pi->rlim_max[i] = p->rlimit_max[i];
	}

	fl = fw_spin_lock_irqsave(&p->lock);
	pi->nthreads = p->nthreads;
	if (!thread) {
		pi->utime_ns = p->utime_ns;
		pi->stime_ns = p->stime_ns;
	}
	pi->cutime_ns = p->cutime_ns;
	pi->cstime_ns = p->cstime_ns;
	FW_LIST_FOR_EACH(t, &p->threads, proc_node) {
		bool shown = t->tid == pi->tid;

		if (shown)
			sel = t;
		if (shown || !thread) {
			uint64_t u, st;

			thread_times(t, &u, &st);
			pi->utime_ns += u;
			pi->stime_ns += st;
		}
		if (t->task && (shown || !thread))
			pi->preemptions += fw_task_preemptions(t->task);
	}
	if (!sel && !thread && !fw_list_empty(&p->threads))
		sel = FW_LIST_FIRST(&p->threads, struct thread, proc_node);
	if (sel) {
		pi->sigblk = sel->sigmask;
		pi->sigpnd = sel->sigpending;
		pi->in_syscall = __atomic_load_n(&sel->in_syscall, __ATOMIC_RELAXED);
		pi->syscall[0] = sel->ctx.rax;
		pi->syscall[1] = sel->ctx.rdi;
		pi->syscall[2] = sel->ctx.rsi;
		pi->syscall[3] = sel->ctx.rdx;
		pi->syscall[4] = sel->ctx.r10;
		pi->syscall[5] = sel->ctx.r8;
		pi->syscall[6] = sel->ctx.r9;
		pi->syscall[7] = sel->ctx.rsp;
		pi->syscall[8] = sel->ctx.rip;
		if (sel->task) {
			pi->cpu = fw_task_cpu(sel->task);
			pi->nice = fw_task_nice(sel->task);
			fw_task_sched_class(sel->task, &pi->policy,
					    &pi->rt_prio);
			pi->cpus_allowed = fw_task_affinity(sel->task);
			pi->make_it_fail = fw_task_make_it_fail(sel->task);
			pi->fail_nth = fw_task_fail_nth(sel->task);
		}
	}
	pi->shdpnd = __atomic_load_n(&p->sigpending, __ATOMIC_RELAXED);
	/* Per thread, as ptrace is: the one shown (the main thread for
	 * /proc/<pid>), under proc_tree_lock, which the links are under. */
	if (sel && sel->trace.tracer)
		pi->tracer_pid = sel->trace.tracer->pid;
	/* Whether a thread is on a run queue is the scheduler's secret: the
	 * caller is running, everything else is shown sleeping. */
	if (p->zombie || p->nthreads == 0)
		pi->state = 'Z';
	else if (sel && __atomic_load_n(&sel->trace.stopped, __ATOMIC_RELAXED))
		pi->state = 't';
	else if (p->stopped)
		pi->state = 'T';
	else if (me && me->proc == p && (!thread || me == sel))
		pi->state = 'R';
	else
		pi->state = 'S';
	if ((want & WANT_MM) && p->mm) {
		pi->mm = p->mm;
		mm_get(pi->mm);
	}
	if ((want & WANT_FS) && p->fs) {
		pi->fs = p->fs;
		fs_context_get(pi->fs);
	}
	if ((want & WANT_FILES) && p->files) {
		pi->files = p->files;
		fdtable_get(pi->files);
	}
	if ((want & WANT_SIGHAND) && p->sighand) {
		pi->sighand = p->sighand;
		sighand_get(pi->sighand);
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	fw_spin_unlock(&proc_tree_lock);
	return 0;
}

static void pinfo_put(struct pinfo *pi)
{
	tty_ctty_put(pi->ctty);
	pi->ctty = NULL;
	if (pi->mm)
		mm_put(pi->mm);
	if (pi->fs)
		fs_context_put(pi->fs);
	if (pi->files)
		fdtable_put(pi->files);
	if (pi->sighand)
		sighand_put(pi->sighand);
	pi->mm = NULL;
	pi->fs = NULL;
	pi->files = NULL;
	pi->sighand = NULL;
}

int procfs_next_fd(int id, bool thread, unsigned from, unsigned *fd)
{
	struct pinfo pi;
	int err = -ENOENT;

	if (pinfo_get(id, thread, WANT_FILES, &pi))
		return -ENOENT;
	if (pi.files && from < FD_NR_OPEN) {
		int next = fdtable_next_fd(pi.files, (int)from);

		if (next >= 0) {
			*fd = (unsigned)next;
			err = 0;
		}
	}
	pinfo_put(&pi);
	return err;
}

/* ---- address-space facts -------------------------------------------------- */

struct mminfo {
	uint64_t vsize;			/* bytes in VMAs */
	uint64_t rss_pages;		/* pages mapped */
	uint64_t locked_bytes;		/* in mlock'ed VMAs (VmLck) */
	uint64_t exe_bytes;		/* executable file mappings */
	uint64_t data_bytes;		/* private writable, not the stack */
	uint64_t stack_bytes;		/* the main stack */
	uint64_t start_code, end_code;
	uint64_t start_stack;
	uint64_t start_data, end_data;
	uint64_t start_brk;
	uint64_t arg_start, arg_end, env_start, env_end;
};

static void mm_info(struct mm *mm, struct mminfo *mi)
{
	struct vma *v;

	*mi = (struct mminfo){ 0 };
	if (!mm)
		return;
	fw_mutex_lock(&mm->lock);
	for (v = vma_first(&mm->vmas); v; v = vma_next(&mm->vmas, v)) {
		uint64_t len = v->end - v->start;

		mi->vsize += len;
		if (v->flags & VMA_LOCKED)
			mi->locked_bytes += len;
		if (v->name == VMA_NAME_STACK) {
			mi->stack_bytes += len;
		} else if ((v->prot & PROT_EXEC) && v->file) {
			mi->exe_bytes += len;
			if (!mi->start_code) {
				mi->start_code = v->start;
				mi->end_code = v->end;
			}
		} else if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED)) {
			mi->data_bytes += len;
			if (v->file && !mi->start_data) {
				mi->start_data = v->start;
				mi->end_data = v->end;
			}
		}
	}
	mi->rss_pages = fw_vmspace_mapped_pages(mm->vs);
	mi->start_stack = mm->start_stack;
	mi->start_brk = mm->brk_start;
	mi->arg_start = mm->arg_start;
	mi->arg_end = mm->arg_end;
	mi->env_start = mm->env_start;
	mi->env_end = mm->env_end;
	fw_mutex_unlock(&mm->lock);
}

/* Copy the target's user bytes [start, end) into s, page by page from
 * its frames (see the file comment). */
static void copy_user_range(struct procfs_seq *s, struct mm *mm, uint64_t start,
			    uint64_t end)
{
	if (!mm || end <= start || start >= MM_TASK_SIZE)
		return;
	if (end - start > ARGS_MAX)
		end = start + ARGS_MAX;
	fw_mutex_lock(&mm->lock);
	for (uint64_t va = start; va < end;) {
		uint64_t page = va & ~(uint64_t)(FW_PAGE_SIZE - 1);
		size_t off = (size_t)(va - page);
		size_t n = FW_PAGE_SIZE - off;
		struct fw_frame *fr;
		struct fw_buf dst;

		if (n > end - va)
			n = (size_t)(end - va);
		if (fw_vmspace_query(mm->vs, page, &fr, NULL) || !fr)
			break;
		if (procfs_reserve(s, n, &dst))
			break;
		if (fw_frame_read(fr, off, dst)) {
			s->len -= n;
			break;
		}
		va += n;
	}
	fw_mutex_unlock(&mm->lock);
}

/* ---- the files ------------------------------------------------------------ */

static const char *state_name(char st)
{
	switch (st) {
	case 'R':
		return "R (running)";
	case 'T':
		return "T (stopped)";
	case 't':
		return "t (tracing stop)";
	case 'Z':
		return "Z (zombie)";
	}
	return "S (sleeping)";
}

/* Linux's tty_nr (ttyS0 is 4:64, pts/N 136:N) and tpgid. */
static void tty_ids(const struct pinfo *pi, unsigned *tty_nr, int *tpgid)
{
	int fg;

	*tty_nr = 0;
	*tpgid = -1;
	if (!pi->ctty)
		return;
	*tty_nr = tty_devnum(pi->ctty);
	fg = tty_foreground_pgrp(pi->ctty);
	*tpgid = fg ? fg : -1;
}

static void sig_sets(struct sighand *sh, uint64_t *ign, uint64_t *cgt)
{
	*ign = 0;
	*cgt = 0;
	if (!sh)
		return;
	fw_spin_lock(&sh->lock);
	for (int sig = 1; sig <= NSIG; sig++) {
		uint64_t h = sh->action[sig].handler;

		if (h == SIG_IGN)
			*ign |= sigbit(sig);
		else if (h != SIG_DFL)
			*cgt |= sigbit(sig);
	}
	fw_spin_unlock(&sh->lock);
}

/* A bitmap of nbits bits as Linux's %*pb: hex, in 32-bit groups from the
 * highest, comma-separated, the first as wide as its bits need. Only the
 * low 64 bits can be set. */
static void print_mask(struct procfs_seq *s, uint64_t mask, unsigned nbits)
{
	for (unsigned g = (nbits + 31) / 32; g-- > 0;) {
		unsigned bits = nbits - g * 32 < 32 ? nbits - g * 32 : 32;
		uint64_t v = g < 2 ? (mask >> (g * 32)) & 0xffffffffu : 0;

		procfs_printf(s, "%0*llx%s", (int)((bits + 3) / 4),
			      (unsigned long long)v, g ? "," : "");
	}
}

/* A bitmap as Linux's %*pbl: ranges, "0-1,4". */
static void print_list(struct procfs_seq *s, uint64_t mask)
{
	const char *sep = "";

	for (unsigned i = 0; i < 64; i++) {
		unsigned j = i;

		if (!((mask >> i) & 1))
			continue;
		while (j + 1 < 64 && ((mask >> (j + 1)) & 1))
			j++;
		if (j > i)
			procfs_printf(s, "%s%u-%u", sep, i, j);
		else
			procfs_printf(s, "%s%u", sep, i);
		sep = ",";
		i = j;
	}
}

/* proc(5) /proc/pid/stat: 52 fields. What is not tracked is 0: fault
 * counts, children's times, kernel stack/ip, wchan, I/O delay. utime holds
 * all CPU time (the framework does not split user and kernel time). */
static void gen_stat(struct procfs_seq *s, const struct pinfo *pi)
{
	struct mminfo mi;
	uint64_t ign, cgt;
	unsigned tty_nr;
	int tpgid;

	mm_info(pi->mm, &mi);
	sig_sets(pi->sighand, &ign, &cgt);
	tty_ids(pi, &tty_nr, &tpgid);
	procfs_printf(s, "%d (%s) %c %d %d %d %u %d %u %u %u %u %u ",
		      pi->tid, pi->comm, pi->state, pi->ppid, pi->pgid, pi->sid,
		      tty_nr, tpgid, 0u /* flags: no PF_* */, 0u, 0u, 0u, 0u);
	procfs_printf(s, "%llu %llu %lld %lld %d %d %u %d %llu %llu %llu %llu ",
		      (unsigned long long)(pi->utime_ns / NS_PER_TICK),
		      (unsigned long long)(pi->stime_ns / NS_PER_TICK),
		      (long long)(pi->cutime_ns / NS_PER_TICK),
		      (long long)(pi->cstime_ns / NS_PER_TICK),
		      /* priority as Linux shows it: real-time -1..-99 */
		      pi->rt_prio ? -1 - (int)pi->rt_prio : 20 + pi->nice,
		      pi->nice,
		      pi->nthreads, 0,
		      (unsigned long long)(pi->start_ns / NS_PER_TICK),
		      (unsigned long long)mi.vsize,
		      (unsigned long long)mi.rss_pages,
		      (unsigned long long)~0ull /* rsslim: RLIM_INFINITY */);
	procfs_printf(s, "%llu %llu %llu 0 0 %llu %llu %llu %llu 0 0 0 %d %u %u %u 0 0 0 ",
		      (unsigned long long)mi.start_code,
		      (unsigned long long)mi.end_code,
		      (unsigned long long)mi.start_stack,
		      (unsigned long long)((pi->sigpnd | pi->shdpnd) & 0x7fffffffffffffffull),
		      (unsigned long long)pi->sigblk, (unsigned long long)ign,
		      (unsigned long long)cgt, pi->exit_signal, pi->cpu,
		      pi->rt_prio, pi->policy);
	procfs_printf(s, "%llu %llu %llu %llu %llu %llu %llu 0\n",
		      (unsigned long long)mi.start_data,
		      (unsigned long long)mi.end_data,
		      (unsigned long long)mi.start_brk,
		      (unsigned long long)mi.arg_start,
		      (unsigned long long)mi.arg_end,
		      (unsigned long long)mi.env_start,
		      (unsigned long long)mi.env_end);
}

static void vm_kb(struct procfs_seq *s, const char *label, uint64_t bytes)
{
	procfs_printf(s, "%s\t%8llu kB\n", label,
		      (unsigned long long)(bytes / 1024));
}

static void gen_status(struct procfs_seq *s, const struct pinfo *pi)
{
	uint64_t ign, cgt;
	uint32_t umask = 022;
	struct mminfo mi;

	if (pi->fs) {
		fw_spin_lock(&pi->fs->lock);
		umask = pi->fs->umask;
		fw_spin_unlock(&pi->fs->lock);
	}
	sig_sets(pi->sighand, &ign, &cgt);
	procfs_printf(s,
		      "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\n"
		      "Pid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n"
		      "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		      "FDSize:\t%u\nGroups:\t",
		      pi->comm, umask, state_name(pi->state), pi->pid, pi->tid,
		      pi->ppid, pi->tracer_pid, pi->cred.uid, pi->cred.euid, pi->cred.suid,
		      pi->cred.fsuid, pi->cred.gid, pi->cred.egid, pi->cred.sgid,
		      pi->cred.fsgid, (unsigned)FDTABLE_MAX);
	for (uint32_t i = 0; i < pi->cred.ngroups && i < FW_ARRAY_LEN(pi->cred.groups); i++)
		procfs_printf(s, "%u ", pi->cred.groups[i]);
	procfs_printf(s, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		      pi->pid, pi->tid, pi->pgid, pi->sid);
	if (pi->mm) {
		mm_info(pi->mm, &mi);
		vm_kb(s, "VmPeak:", mi.vsize);
		vm_kb(s, "VmSize:", mi.vsize);
		vm_kb(s, "VmLck:", mi.locked_bytes);
		vm_kb(s, "VmPin:", 0);
		vm_kb(s, "VmHWM:", mi.rss_pages * FW_PAGE_SIZE);
		vm_kb(s, "VmRSS:", mi.rss_pages * FW_PAGE_SIZE);
		vm_kb(s, "RssAnon:", mi.rss_pages * FW_PAGE_SIZE);
		vm_kb(s, "RssFile:", 0);
		vm_kb(s, "RssShmem:", 0);
		vm_kb(s, "VmData:", mi.data_bytes);
		vm_kb(s, "VmStk:", mi.stack_bytes);
		vm_kb(s, "VmExe:", mi.exe_bytes);
		vm_kb(s, "VmLib:", 0);
		vm_kb(s, "VmPTE:", 0);
		vm_kb(s, "VmSwap:", 0);
	}
	procfs_printf(s,
		      "Threads:\t%u\nSigQ:\t0/%llu\nSigPnd:\t%016llx\n"
		      "ShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
		      "SigCgt:\t%016llx\n",
		      pi->nthreads, (unsigned long long)pi->rlim_sigpending,
		      (unsigned long long)pi->sigpnd,
		      (unsigned long long)pi->shdpnd,
		      (unsigned long long)pi->sigblk, (unsigned long long)ign,
		      (unsigned long long)cgt);
	procfs_printf(s,
		      "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		      "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n"
		      "NoNewPrivs:\t%d\nSeccomp:\t0\n",
		      (unsigned long long)pi->cred.cap_inh,
		      (unsigned long long)pi->cred.cap_prm,
		      (unsigned long long)pi->cred.cap_eff,
		      pi->cred.no_new_privs ? 1 : 0);
	/* The CPUs it may run on; the memory nodes (one, of Linux's
	 * MAX_NUMNODES, 1024) it may allocate on. */
	procfs_printf(s, "Cpus_allowed:\t");
	print_mask(s, pi->cpus_allowed, fw_cpu_count());
	procfs_printf(s, "\nCpus_allowed_list:\t");
	print_list(s, pi->cpus_allowed);
	procfs_printf(s, "\nMems_allowed:\t");
	print_mask(s, 1, 1024);
	procfs_printf(s, "\nMems_allowed_list:\t0\n"
		      "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t%llu\n",
		      (unsigned long long)pi->preemptions);
}

/* statm: size resident shared text lib data dt, in pages. */
static void gen_statm(struct procfs_seq *s, const struct pinfo *pi)
{
	struct mminfo mi;

	mm_info(pi->mm, &mi);
	procfs_printf(s, "%llu %llu 0 %llu 0 %llu 0\n",
		      (unsigned long long)(mi.vsize / FW_PAGE_SIZE),
		      (unsigned long long)mi.rss_pages,
		      (unsigned long long)(mi.exe_bytes / FW_PAGE_SIZE),
		      (unsigned long long)((mi.data_bytes + mi.stack_bytes) /
					   FW_PAGE_SIZE));
}

static int gen_maps(struct procfs_seq *s, const struct pinfo *pi)
{
	size_t room = fw_buf_len(s->buf) - s->len, len = 0;
	struct fw_buf out;
	int err;

	if (!pi->mm)
		return 0;
	if (room == 0 || fw_buf_sub(s->buf, s->len, room, &out)) {
		s->overflow = true;
		return 0;
	}
	err = mm_format_maps(pi->mm, out, &len);
	if (err)
		return err;
	if (len > room)
		s->overflow = true;
	else
		s->len += len;
	return 0;
}

/* /proc/<pid>/limits, in Linux's layout (fs/proc/base.c
 * proc_pid_limits): prlimit(1) and pam_limits read it. */
static void gen_limits(struct procfs_seq *s, const struct pinfo *pi)
{
	static const struct {
		const char *name, *unit;
	} lim[RLIM_NLIMITS] = {
		{ "Max cpu time", "seconds" },	{ "Max file size", "bytes" },
		{ "Max data size", "bytes" },	{ "Max stack size", "bytes" },
		{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
		{ "Max processes", "processes" }, { "Max open files", "files" },
		{ "Max locked memory", "bytes" }, { "Max address space", "bytes" },
		{ "Max file locks", "locks" },	{ "Max pending signals", "signals" },
		{ "Max msgqueue size", "bytes" }, { "Max nice priority", NULL },
		{ "Max realtime priority", NULL }, { "Max realtime timeout", "us" },
	};

	procfs_printf(s, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		      "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		char cur[24] = "unlimited", max[24] = "unlimited";

		if (pi->rlim_cur[i] != RLIM_INFINITY)
			snprintf(cur, sizeof cur, "%llu",
				 (unsigned long long)pi->rlim_cur[i]);
		if (pi->rlim_max[i] != RLIM_INFINITY)
			snprintf(max, sizeof max, "%llu",
				 (unsigned long long)pi->rlim_max[i]);
		procfs_printf(s, "%-25s %-20s %-20s ", lim[i].name, cur, max);
		if (lim[i].unit)
			procfs_printf(s, "%-10s", lim[i].unit);
		procfs_printf(s, "\n");
	}
}

/* /proc/<pid>/syscall, as Linux's proc_pid_syscall: the number, the six
 * arguments, the stack pointer and the program counter of the call the
 * thread is in (for the reader itself, its open: procfs makes a file's
 * text when it is opened, Linux when it is read); "-1 sp pc" outside
 * one. (Linux says "running" for a thread on a CPU in user mode; which
 * threads are on a CPU is the scheduler's, so this shows where it last
 * entered the kernel.) */
static void gen_syscall(struct procfs_seq *s, const struct pinfo *pi)
{
	if (pi->in_syscall)
		procfs_printf(s, "%ld 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx\n",
			      (long)pi->syscall[0], pi->syscall[1], pi->syscall[2],
			      pi->syscall[3], pi->syscall[4], pi->syscall[5],
			      pi->syscall[6], pi->syscall[7], pi->syscall[8]);
	else
		procfs_printf(s, "-1 0x%lx 0x%lx\n", pi->syscall[7], pi->syscall[8]);
}

int procfs_gen_pid(struct procfs_seq *s, unsigned kind, int id, bool thread)
{
	struct pinfo pi;
	struct mminfo mi;
	int err = 0;

	switch (kind) {
	case PK_PID_STAT:
		err = pinfo_get(id, thread, WANT_MM | WANT_SIGHAND | WANT_TTY,
				&pi);
		if (!err)
			gen_stat(s, &pi);
		break;
	case PK_PID_STATUS:
		err = pinfo_get(id, thread, WANT_MM | WANT_SIGHAND | WANT_FS, &pi);
		if (!err)
			gen_status(s, &pi);
		break;
	case PK_PID_STATM:
		err = pinfo_get(id, thread, WANT_MM, &pi);
		if (!err)
			gen_statm(s, &pi);
		break;
	case PK_PID_LIMITS:
		err = pinfo_get(id, thread, 0, &pi);
		if (!err)
			gen_limits(s, &pi);
		break;
	case PK_PID_SYSCALL:
		err = pinfo_get(id, thread, 0, &pi);
		if (!err)
			gen_syscall(s, &pi);
		break;
	case PK_PID_COMM:
		err = pinfo_get(id, thread, 0, &pi);
		if (!err)
			procfs_printf(s, "%s\n", pi.comm);
		break;
	case PK_PID_AUXV: /* binary: (type, value) words to AT_NULL */
		err = pinfo_get(id, thread, WANT_MM, &pi);
		if (!err && pi.mm) {
			struct fw_bytes b;

			fw_mutex_lock(&pi.mm->lock);
			if (!fw_bytes_sub(FW_BYTES_OF_ARRAY(pi.mm->saved_auxv), 0,
					  pi.mm->auxv_words * sizeof(uint64_t),
					  &b))
				procfs_write(s, b);
			fw_mutex_unlock(&pi.mm->lock);
		}
		break;
	case PK_PID_OOM_SCORE:
		err = pinfo_get(id, thread, 0, &pi);
		if (!err)
			procfs_printf(s, "%d\n", pi.oom_score);
		break;
	case PK_PID_OOM_SCORE_ADJ:
		err = pinfo_get(id, thread, 0, &pi);
		if (!err)
			procfs_printf(s, "%d\n", pi.oom_score_adj);
		break;
	case PK_PID_MAKE_IT_FAIL:
		err = pinfo_get(id, thread, 0, &pi);
		if (!err)
			procfs_printf(s, "%d\n", pi.make_it_fail ? 1 : 0);
		break;
	case PK_PID_FAIL_NTH:
		err = pinfo_get(id, thread, 0, &pi);
		if (!err)
			procfs_printf(s, "%u\n", pi.fail_nth);
		break;
	case PK_PID_CMDLINE:
	case PK_PID_ENVIRON:
		err = pinfo_get(id, thread, WANT_MM, &pi);
		if (err)
			break;
		mm_info(pi.mm, &mi);
		if (kind == PK_PID_CMDLINE)
			copy_user_range(s, pi.mm, mi.arg_start, mi.arg_end);
		else
			copy_user_range(s, pi.mm, mi.env_start, mi.env_end);
		break;
	case PK_PID_MAPS:
		err = pinfo_get(id, thread, WANT_MM, &pi);
		if (!err)
			err = gen_maps(s, &pi);
		break;
	default:
		return -EINVAL;
	}
	if (err == -ENOENT)
		return err;
	pinfo_put(&pi);
	return err;
}

/* ---- links --------------------------------------------------------------- */

/* Append text to out at *len (NUL-terminated); -ENAMETOOLONG if full. */
static int path_append(struct kpath *out, size_t *len, struct fw_bytes text)
{
	for (size_t i = 0; i < fw_bytes_len(text); i++) {
		uint8_t c;

		if (fw_bytes_get_u8(text, i, &c) || c == 0)
			break;
		if (*len + 1 >= sizeof(out->s))
			return -ENAMETOOLONG;
		out->s[(*len)++] = (char)c;
	}
	out->s[*len] = 0;
	return 0;
}

/* What /proc/<pid>/fd/<n> points at (vfs_ns_lock held): the file's path
 * seen from root, as vfs_get_path makes it (which takes the lock itself,
 * so it is repeated here), else the names Linux gives objects without
 * one. */
static int file_target(struct file *f, const struct vfs_path *root,
		       struct kpath *out)
{
	struct inode *ino = f->path.inode;
	size_t len;
	int err;

	if (!ino) {
		fw_strlcpy(out->s, "anon_inode:[unknown]", sizeof(out->s));
		return 0;
	}
	if (S_ISDIR(ino->mode))
		return vfs_path_name(&f->path, root, out);
	if (f->name && f->dir.inode) {
		err = vfs_path_name(&f->dir, root, out);
		if (err)
			return err;
		len = strnlen(out->s, sizeof(out->s));
		if (len > 1)
			err = path_append(out, &len, FW_BYTES_OF_LITERAL("/"));
		if (!err)
			err = path_append(out, &len,
					  FW_BYTES_OF_ARRAY(f->name->s));
		if (!err && ino->nlink == 0)
			err = path_append(out, &len,
					  FW_BYTES_OF_LITERAL(" (deleted)"));
		return err;
	}
	if (f->name && S_ISREG(ino->mode)) {
		/* A memfd: its name, and never linked anywhere. */
		snprintf(out->s, sizeof(out->s), "/%s (deleted)", f->name->s);
		return 0;
	}
	if (S_ISFIFO(ino->mode)) {
		snprintf(out->s, sizeof(out->s), "pipe:[%llu]",
			 (unsigned long long)ino->ino);
		return 0;
	}
	if (S_ISSOCK(ino->mode)) {
		snprintf(out->s, sizeof(out->s), "socket:[%llu]",
			 (unsigned long long)ino->ino);
		return 0;
	}
	if ((S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) && devtmpfs_sb) {
		struct kname name;

		/* Opened without a remembered name (the console of init):
		 * the device node of that inode in /dev. */
		if (tmpfs_name_of(devtmpfs_sb->root, ino, &name) == 0) {
			snprintf(out->s, sizeof(out->s), "/dev/%s", name.s);
			return 0;
		}
	}
	if (f->anon_name) /* Linux's anon_inode_getfile names */
		snprintf(out->s, sizeof(out->s), "anon_inode:%s", f->anon_name);
	else
		snprintf(out->s, sizeof(out->s), "anon_inode:[%llu]",
			 (unsigned long long)ino->ino);
	return 0;
}

int procfs_pid_root(int id, bool thread, struct vfs_path *out)
{
	struct pinfo pi;
	int err = pinfo_get(id, thread, WANT_FS, &pi);

	if (err)
		return err;
	if (pi.fs)
		fs_context_root(pi.fs, out);
	else
		err = -ENOENT; /* a zombie */
	pinfo_put(&pi);
	return err;
}

/* Following a magic link reaches what path permissions may not let one
 * reach: only for a process one could ptrace (Linux proc_fd_access_allowed,
 * PTRACE_MODE_READ). */
static bool may_follow(const struct pinfo *pi)
{
	const struct cred *me = fs_cred();

	return cred_capable(me, CAP_SYS_PTRACE) || cred_ids_are_mine(me, &pi->cred);
}

int procfs_pid_link_path(unsigned kind, int id, bool thread, unsigned fd,
			 struct vfs_path *out)
{
	struct pinfo pi;
	struct file *f;
	int err;

	err = pinfo_get(id, thread, kind == PK_PID_FD_LINK ? WANT_FILES : WANT_FS,
			&pi);
	if (err)
		return err;
	if (!may_follow(&pi)) {
		pinfo_put(&pi);
		return -EACCES;
	}
	if (kind == PK_PID_FD_LINK) {
		f = pi.files ? fd_get(pi.files, (int)fd) : NULL;
		pinfo_put(&pi);
		if (!f)
			return -ENOENT;
		err = f->path.inode ? 0 : -ENOENT;
		if (!err) {
			*out = f->path;
			vfs_path_get(out);
		}
		file_put(f);
		return err;
	}
	if (!pi.fs)
		err = -ENOENT; /* a zombie */
	else if (kind == PK_PID_CWD)
		fs_context_cwd(pi.fs, out);
	else
		fs_context_root(pi.fs, out);
	pinfo_put(&pi);
	return err;
}

/* The reader's root (a reference): a link's target is named from it, as
 * Linux's d_path names it from the caller's root, so a chrooted process
 * reads /tmp, not /mnt/tmp. */
static void reader_root(struct vfs_path *out)
{
	struct fs_context *fs = current_fs();

	if (fs) {
		fs_context_root(fs, out);
	} else {
		*out = (struct vfs_path){ vfs_root_mount, vfs_root_mount->sb->root };
		vfs_path_get(out);
	}
}

/* exe is kept as a path from the real root: drop the reader's root from
 * its front when it lies below it. */
static int exe_from(const struct vfs_path *root, const struct pinfo *pi,
		    struct kpath *out)
{
	struct vfs_path real = { vfs_root_mount, vfs_root_mount->sb->root };
	size_t n, from = 0, i;
	int err = vfs_path_name(root, &real, out);

	if (err)
		return err;
	n = strnlen(out->s, sizeof(out->s));
	if (n > 1 && n < sizeof(pi->exe) &&
	    memcmp(pi->exe, out->s, n) == 0 && pi->exe[n] == '/')
		from = n;
	for (i = 0; from + i < sizeof(pi->exe) && pi->exe[from + i]; i++)
		out->s[i] = pi->exe[from + i];
	out->s[i] = 0;
	return 0;
}

int procfs_pid_readlink(unsigned kind, int id, bool thread, unsigned fd,
			struct kpath *out)
{
	struct vfs_path root, where;
	struct pinfo pi;
	struct file *f;
	int err;

	switch (kind) {
	case PK_PID_EXE:
		err = pinfo_get(id, thread, 0, &pi);
		if (err)
			return err;
		if (!pi.exe[0])
			return -ENOENT;
		reader_root(&root);
		err = exe_from(&root, &pi, out);
		vfs_path_put(&root);
		return err;
	case PK_PID_CWD:
	case PK_PID_ROOT:
		err = pinfo_get(id, thread, WANT_FS, &pi);
		if (err)
			return err;
		if (!pi.fs) {
			err = -ENOENT; /* a zombie */
		} else {
			if (kind == PK_PID_CWD)
				fs_context_cwd(pi.fs, &where);
			else
				fs_context_root(pi.fs, &where);
			reader_root(&root);
			err = vfs_path_name(&where, &root, out);
			vfs_path_put(&root);
			vfs_path_put(&where);
		}
		pinfo_put(&pi);
		return err;
	case PK_PID_FD_LINK:
		err = pinfo_get(id, thread, WANT_FILES, &pi);
		if (err)
			return err;
		f = pi.files ? fd_get(pi.files, (int)fd) : NULL;
		pinfo_put(&pi);
		if (!f)
			return -ENOENT;
		reader_root(&root);
		err = file_target(f, &root, out);
		vfs_path_put(&root);
		file_put(f);
		return err;
	}
	return -EINVAL;
}
