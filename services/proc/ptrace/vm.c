/* services/proc/ptrace/vm.c: another process's memory.
 *
 * Layer: services (safe C) on mm_remote_page (services/mm/access.c, Linux's
 * access_process_vm): PTRACE_PEEKDATA/POKEDATA (one word; POKE writes
 * read-only text through a private copy, as FOLL_FORCE does) and
 * process_vm_readv/process_vm_writev (no force: the remote mapping must
 * allow the access). The remote mm is held by a reference taken under
 * p->lock, so an exiting process cannot free it under us. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/uaccess.h>
#include "current/current.h"
#include "mm/mm.h"
#include "proc/proc_internal.h"
#include "proc/ptrace/ptrace.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define UIO_MAXIOV 1024

/* A reference on p's mm, or NULL if it has none (exiting). */
static struct mm *mm_of(struct proc *p)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	struct mm *mm = p->mm;

	if (mm)
		mm_get(mm);
	fw_spin_unlock_irqrestore(&p->lock, fl);
	return mm;
}

int ptrace_access_mm(int pid, struct mm **out)
{
	struct proc *p;
	int err;

	fw_spin_lock(&proc_tree_lock);
	p = pid > 0 ? proc_find(pid) : NULL;
	err = p ? ptrace_may_access(p) : -ESRCH;
	if (!err) {
		*out = mm_of(p);
		if (!*out)
			err = -ESRCH;
	}
	fw_spin_unlock(&proc_tree_lock);
	return err;
}

/* Copy between remote [addr, addr+len) and the kernel view `k` (read:
 * into it; write: from it). 0 or the error of the first page that failed. */
static int remote_copy(struct mm *mm, uint64_t addr, struct fw_buf k,
		       bool write)
{
	size_t done = 0, len = fw_buf_len(k);

	while (done < len) {
		uint64_t at = addr + done;
		size_t off = at % FW_PAGE_SIZE;
		size_t n = FW_PAGE_SIZE - off;
		struct fw_frame *fr;
		struct fw_buf part;
		int err;

		if (n > len - done)
			n = len - done;
		err = fw_buf_sub(k, done, n, &part);
		if (!err)
			err = mm_remote_page(mm, at, write, write, &fr);
		if (err)
			return err;
		err = write ? fw_frame_write(fr, off, fw_buf_as_bytes(part))
			    : fw_frame_read(fr, off, part);
		fw_frame_put(fr);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

/* The address space of tracee t, referenced, or NULL. */
static struct mm *tracee_mm(struct thread *t)
{
	fw_irqflags_t fl;
	struct proc *p = ptrace_lock_proc(t, &fl);
	struct mm *mm = p ? p->mm : NULL;

	if (mm)
		mm_get(mm);
	if (p)
		ptrace_unlock_proc(p, fl);
	return mm;
}

long ptrace_peek(struct thread *t, uint64_t addr, uint64_t data)
{
	struct mm *mm = tracee_mm(t);
	uint64_t word = 0;
	int err;

	if (!mm)
		return -ESRCH;
	err = remote_copy(mm, addr, FW_BUF_OF_OBJ(&word), false);
	mm_put(mm);
	if (err)
		return -EIO; /* Linux: a short access_process_vm is EIO */
	return FW_COPY_OUT_OBJ(fw_uptr(data), &word) ? -EFAULT : 0;
}

long ptrace_poke(struct thread *t, uint64_t addr, uint64_t data)
{
	struct mm *mm = tracee_mm(t);
	uint64_t word = data;
	int err;

	if (!mm)
		return -ESRCH;
	err = remote_copy(mm, addr, FW_BUF_OF_OBJ(&word), true);
	mm_put(mm);
	return err ? -EIO : 0;
}

struct k_iovec {
	uint64_t base, len;
};

/* One cursor over an iovec array in the caller's memory. */
struct rvm_cursor {
	uint64_t arr;   /* user address of the array */
	uint64_t cnt;   /* elements */
	uint64_t idx;   /* current element */
	struct k_iovec cur; /* what is left of it */
};

/* Load the next non-empty element: 0, 1 at the end, -EFAULT. */
static int iov_next(struct rvm_cursor *c)
{
	while (c->cur.len == 0) {
		if (c->idx >= c->cnt)
			return 1;
		if (FW_COPY_IN_OBJ(&c->cur,
				   fw_uptr(c->arr + c->idx * sizeof c->cur)))
			return -EFAULT;
		c->idx++;
	}
	return 0;
}

/* The largest piece both cursors can take now, within one remote page. */
static size_t piece(const struct rvm_cursor *l, const struct rvm_cursor *r)
{
	uint64_t n = FW_PAGE_SIZE - r->cur.base % FW_PAGE_SIZE;

	if (n > l->cur.len)
		n = l->cur.len;
	if (n > r->cur.len)
		n = r->cur.len;
	return (size_t)n;
}

static long vm_rw(const struct sys_args *a, bool write)
{
	struct rvm_cursor l = { .arr = a->arg[1], .cnt = a->arg[2] };
	struct rvm_cursor r = { .arr = a->arg[3], .cnt = a->arg[4] };
	struct mm *mm = NULL;
	long done = 0;
	int err;

	if (a->arg[5] || l.cnt > UIO_MAXIOV || r.cnt > UIO_MAXIOV)
		return -EINVAL;
	err = ptrace_access_mm((int)a->arg[0], &mm);
	if (err)
		return err;
	for (;;) {
		struct fw_frame *fr;
		size_t n;
		int end_l = iov_next(&l), end_r;

		if (end_l)
			break;
		end_r = iov_next(&r);
		if (end_r) {
			err = end_r < 0 ? end_r : 0;
			break;
		}
		n = piece(&l, &r);
		err = mm_remote_page(mm, r.cur.base, write, false, &fr);
		if (err) {
			err = -EFAULT;
			break;
		}
		if (write)
			err = fw_frame_copy_in(fr, r.cur.base % FW_PAGE_SIZE,
					       fw_uptr(l.cur.base), n);
		else
			err = fw_frame_copy_out(fw_uptr(l.cur.base), fr,
						r.cur.base % FW_PAGE_SIZE, n);
		fw_frame_put(fr);
		if (err)
			break;
		done += (long)n;
		l.cur.base += n, l.cur.len -= n;
		r.cur.base += n, r.cur.len -= n;
	}
	mm_put(mm);
	/* A fault after some bytes moved is a short count (Linux returns
	 * what was transferred). */
	return done ? done : err;
}

static long sys_process_vm_readv(const struct sys_args *a)
{
	return vm_rw(a, false);
}

static long sys_process_vm_writev(const struct sys_args *a)
{
	return vm_rw(a, true);
}

static const struct sys_entry vm_syscalls[] = {
	{ __NR_process_vm_readv, "process_vm_readv", sys_process_vm_readv },
	{ __NR_process_vm_writev, "process_vm_writev", sys_process_vm_writev },
};

void ptrace_vm_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(vm_syscalls);
}
