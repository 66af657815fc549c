/* services/proc/exec.c: execve and execveat, the process side.
 *
 * Layer: services (safe C). services/exec builds the new image (ELF,
 * scripts, stack); this swaps it into the calling process, as Linux's
 * begin_new_exec does: other threads are ended, the old address space is
 * dropped, close-on-exec files are closed, caught signals reset to the
 * default, and the registers start clean at the entry point. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/task.h>
#include <fw/uaccess.h>
#include "exec/exec.h"
#include "fs/sys_util.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/uapi.h"
#include "lib/kpath.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/hooks.h"
#include "proc/signal.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

/* The last path component, for comm (16 bytes, as Linux truncates). */
static void set_comm(struct proc *p, const struct kpath *path)
{
	size_t start = 0, i;

	for (i = 0; i < KPATH_MAX && path->s[i]; i++)
		if (path->s[i] == '/')
			start = i + 1;
	size_t n = 0;
	for (i = start; i < KPATH_MAX && path->s[i] && n + 1 < sizeof p->comm; i++)
		p->comm[n++] = path->s[i];
	p->comm[n] = 0;
}

/* Install the prepared image in the calling thread's process. */
static void commit_image(struct thread *t, struct mm *new_mm, uint64_t entry,
			 uint64_t sp, const struct kpath *path,
			 const struct kpath *exe, const struct exec_ids *ids)
{
	struct proc *p = t->proc;
	struct mm *old;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);

	old = p->mm; /* swapped under p->lock: procfs reads it there */
	p->mm = new_mm;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	fw_task_set_vmspace(fw_task_current(), new_mm->vs);
	if (old)
		mm_put(old);
	if (p->files)
		fdtable_close_on_exec(p->files);
	if (p->sighand)
		sighand_reset_on_exec(p->sighand);
	proc_timers_delete_all(p);
	keys_exec(t);
	t->altstack_sp = t->altstack_size = 0;
	t->sud = (struct sud){ 0 }; /* not kept across execve */
	t->rseq = (struct rseq_reg){ 0 };
	t->clear_child_tid = 0;
	/* A set-id program's effective ids, also saved and fs ones (Linux
	 * bprm_fill_uid, then commit_creds); capabilities follow them. */
	p->cred.euid = p->cred.suid = p->cred.fsuid = ids->euid;
	p->cred.egid = p->cred.sgid = p->cred.fsgid = ids->egid;
	cred_caps_exec(&p->cred);
	/* Dumpable again unless the ids differ (Linux begin_new_exec; it
	 * also keeps an unreadable program's image non-dumpable, which is
	 * not followed here). */
	p->cred.not_dumpable = p->cred.euid != p->cred.uid ||
			       p->cred.egid != p->cred.gid;
	set_comm(p, path); /* comm: the name it was run by (Linux) */
	fw_task_set_name(fw_task_current(), p->comm);
	fw_strlcpy(p->exe_path, exe->s, sizeof p->exe_path);
	fw_user_context_init(&t->ctx);
	t->ctx.rip = entry;
	t->ctx.rsp = sp;
	proc_vfork_release(p);
}

/* What Linux hands the first process: argv = { path }, and a minimal
 * environment (init/main.c: "HOME=/", "TERM=linux"). */
static int init_strings(struct exec_strings *args, const struct kpath *path)
{
	struct fw_bytes name;
	int err = exec_strings_init(args);

	if (err)
		return err;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(path->s), 0,
			 strnlen(path->s, sizeof path->s), &name))
		return -EINVAL;
	if ((err = exec_strings_add_arg(args, name)) ||
	    (err = exec_strings_add_env(args, FW_BYTES_OF_LITERAL("HOME=/"))) ||
	    (err = exec_strings_add_env(args, FW_BYTES_OF_LITERAL("TERM=linux"))))
		return err;
	return exec_strings_set_execfn(args, path);
}

int exec_initial(struct thread *t, const struct kpath *path)
{
	struct exec_strings *args = FW_NEW(struct exec_strings);
	struct kpath *exe = kpath_alloc();
	struct mm *mm = 0;
	uint64_t entry, sp;
	int err = -ENOMEM;

	if (!args || !exe)
		goto out;
	err = init_strings(args, path);
	if (!err)
		err = exec_prepare(t->proc->fs, path, NULL, args, &mm, &entry,
				   &sp, exe, NULL);
	if (!err) {
		t->proc->mm = mm;
		set_comm(t->proc, path);
		fw_strlcpy(t->proc->exe_path, exe->s, sizeof t->proc->exe_path);
		fw_user_context_init(&t->ctx);
		t->ctx.rip = entry;
		t->ctx.rsp = sp;
	}
out:
	if (args)
		exec_strings_free(args);
	fw_free(args);
	kpath_free(exe);
	return err;
}

/* execveat's file, when a directory fd or AT_EMPTY_PATH names it: opened
 * here, and path becomes the name Linux gives it, "/dev/fd/N" or
 * "/dev/fd/N/path" (what a script's interpreter is handed). */
static long open_at(int dirfd, fw_uptr_t upath, int flags, struct kpath *path,
		    struct file **out)
{
	unsigned lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	struct vfs_path res;
	struct kpath *rel;
	long err = sys_lookup(dirfd, upath, lookup, flags & AT_EMPTY_PATH, &res);

	if (err)
		return err;
	err = vfs_open_exec_path(&res, out);
	vfs_path_put(&res);
	if (err || path->s[0] == '/' || dirfd == AT_FDCWD)
		return err;
	rel = kpath_alloc();
	if (!rel) {
		file_put(*out);
		*out = NULL;
		return -ENOMEM;
	}
	*rel = *path;
	if (rel->s[0])
		snprintf(path->s, sizeof(path->s), "/dev/fd/%d/%s", dirfd, rel->s);
	else
		snprintf(path->s, sizeof(path->s), "/dev/fd/%d", dirfd);
	kpath_free(rel);
	return 0;
}

static long do_execve(int dirfd, fw_uptr_t upath, fw_uptr_t argv,
		      fw_uptr_t envp, int flags)
{
	struct thread *t = thread_current();
	struct kpath *path = kpath_alloc(), *exe = kpath_alloc();
	struct exec_strings *args = FW_NEW(struct exec_strings);
	struct file *first = NULL;
	struct exec_ids ids = { 0 };
	struct mm *mm = 0;
	uint64_t entry, sp;
	long err = -ENOMEM;

	if (!path || !exe || !args)
		goto out;
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		err = -EINVAL;
		goto out;
	}
	err = (flags & AT_EMPTY_PATH) ? kpath_from_user_empty_ok(path, upath)
				      : kpath_from_user(path, upath);
	if (err)
		goto out;
	if ((dirfd != AT_FDCWD && path->s[0] != '/') || flags) {
		err = open_at(dirfd, upath, flags, path, &first);
		if (err)
			goto out;
	}
	err = exec_strings_init(args);
	if (!err)
		err = exec_strings_from_user(args, argv, envp);
	if (!err)
		err = exec_strings_set_execfn(args, path);
	if (err)
		goto out;
	/* Set-id bits apply unless no_new_privs is set or the caller is
	 * traced (Linux also lets a tracer with CAP_SYS_PTRACE through). */
	ids.allow_setid = !t->proc->cred.no_new_privs && !thread_traced(t);
	err = exec_prepare(t->proc->fs, path, first, args, &mm, &entry, &sp,
			   exe, &ids);
	if (err)
		goto out;
	/* Point of no return. Other threads go (Linux de_thread). */
	if (t->proc->nthreads > 1) {
		struct thread *o;
		fw_irqflags_t plfl = fw_spin_lock_irqsave(&t->proc->lock);
		FW_LIST_FOR_EACH(o, &t->proc->threads, proc_node)
			if (o != t) {
				o->exiting = true;
				if (o->task)
					fw_task_wake(o->task);
			}
		fw_spin_unlock_irqrestore(&t->proc->lock, plfl);
		while (__atomic_load_n(&t->proc->nthreads, __ATOMIC_ACQUIRE) > 1)
			fw_sleep_ns(1000000);
	}
	/* A tracer's PTRACE_EVENT_EXEC message: the tid before the exec. */
	t->trace.msg = (uint64_t)t->tid;
	/* A thread other than the main one takes the process's id, as on
	 * Linux (de_thread), once the old main thread has let it go. */
	while (!proc_exec_take_pid(t))
		fw_sleep_ns(1000000);
	commit_image(t, mm, entry, sp, path, exe, &ids);
	err = 0;
out:
	if (first)
		file_put(first);
	if (args)
		exec_strings_free(args);
	fw_free(args);
	kpath_free(path);
	kpath_free(exe);
	return err;
}

static long sys_execve(const struct sys_args *a)
{
	long err = do_execve(AT_FDCWD, fw_uptr(a->arg[0]), fw_uptr(a->arg[1]),
			     fw_uptr(a->arg[2]), 0);
	/* On success the registers are the new program's: keep its rax 0. */
	return err ? err : 0;
}

static long sys_execveat(const struct sys_args *a)
{
	return do_execve((int)a->arg[0], fw_uptr(a->arg[1]), fw_uptr(a->arg[2]),
			 fw_uptr(a->arg[3]), (int)a->arg[4]);
}

static const struct sys_entry exec_syscalls[] = {
	{ __NR_execve, "execve", sys_execve },
	{ __NR_execveat, "execveat", sys_execveat },
};

void exec_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(exec_syscalls);
}
