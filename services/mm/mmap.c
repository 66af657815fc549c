/* services/mm/mmap.c: the memory syscalls: brk, mmap, munmap, mprotect,
 * mremap, madvise, msync, mincore and the mlock family.
 *
 * Layer: services (safe C). Each handler checks all of its arguments in
 * Linux's order before it changes anything (EINVAL for bad flags,
 * alignment or length; EBADF/EACCES/ENODEV for the file; ENOMEM when the
 * address space has no room or the range is not mapped), then does the
 * work under mm->lock (mm.h). */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/log.h>
#include <fw/uaccess.h>

#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/vfs.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/uapi.h"
#include "current/current.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"


static struct mm *cur_mm(void)
{
	return current_mm();
}

/* [addr, addr+len) as a page range: len rounded up; false if it wraps or
 * leaves user space. */
static bool user_range(uint64_t addr, uint64_t len, uint64_t *end)
{
	uint64_t l;

	if (!mm_page_up(len, &l) || addr > MM_TASK_SIZE ||
	    l > MM_TASK_SIZE - addr)
		return false;
	*end = addr + l;
	return true;
}

/* Fault in [start, end) now (MAP_POPULATE, MADV_POPULATE_*, mlock): best
 * effort, as Linux ignores population failures for MAP_POPULATE. */
static int populate(struct mm *mm, uint64_t start, uint64_t end, bool write)
{
	for (uint64_t va = start; va < end; va += MM_PAGE_SIZE) {
		int err = mm_fault(mm, va, write, false);

		if (err)
			return err;
	}
	return 0;
}

/* ---- brk ----------------------------------------------------------------- */

static long sys_brk(const struct sys_args *a)
{
	struct mm *mm = cur_mm();
	uint64_t want = a->arg[0];
	uint64_t old_end, new_end, ret;

	if (!mm)
		return -ENOMEM;
	fw_mutex_lock(&mm->lock);
	ret = mm->brk;
	if (want < mm->brk_start || !mm_page_up(mm->brk, &old_end) ||
	    !mm_page_up(want, &new_end) || new_end > MM_TASK_SIZE)
		goto out;
	if (new_end > old_end) {
		struct vma *heap = old_end > mm->brk_start ?
					   vma_find(&mm->vmas, old_end - 1) :
					   NULL;

		/* Keep a page of gap below the next mapping, as Linux
		 * keeps the stack guard gap. */
		if (!vma_range_free(&mm->vmas, old_end, new_end + MM_PAGE_SIZE) ||
		    !mm_may_expand(mm, new_end - old_end))
			goto out;
		if (heap && heap->name == VMA_NAME_HEAP && heap->end == old_end)
			vma_set_range(&mm->vmas, heap, heap->start, new_end);
		else if (mm_insert_vma(mm, old_end, new_end - old_end,
				       PROT_READ | PROT_WRITE, 0, NULL, 0, 0,
				       VMA_NAME_HEAP, NULL))
			goto out;
	} else if (new_end < old_end) {
		if (mm_unmap_range(mm, new_end, old_end))
			goto out;
	}
	mm->brk = want;
	ret = want;
out:
	fw_mutex_unlock(&mm->lock);
	return (long)ret;
}

/* ---- mmap ---------------------------------------------------------------- */

/* Check a file for mmap (Linux do_mmap's file checks). */
static int check_file(struct file *f, bool shared, unsigned prot,
		      unsigned *vma_flags)
{
	unsigned fl = atomic_load(&f->flags);

	if (!f->path.inode || !S_ISREG(f->path.inode->mode))
		return -ENODEV;
	if (!(f->fmode & FMODE_READ))
		return -EACCES;
	/* A file sealed against writing (memfd F_SEAL_WRITE or
	 * F_SEAL_FUTURE_WRITE) maps shared only read-only, and for good:
	 * no mprotect makes it writable (Linux memfd's VM_MAYWRITE). */
	if (shared && (f->path.inode->seals &
		       (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
		if (prot & PROT_WRITE)
			return -EPERM;
	} else if (shared && (f->fmode & FMODE_WRITE)) {
		*vma_flags |= VMA_MAYWRITE;
	}
	if (shared && (prot & PROT_WRITE)) {
		if (!(f->fmode & FMODE_WRITE))
			return -EACCES;
		if (fl & O_APPEND)
			return -EACCES;
	}
	return 0;
}

static long do_mmap(struct mm *mm, uint64_t addr, uint64_t len,
		    unsigned prot, unsigned flags, struct file *f,
		    uint64_t off)
{
	unsigned type = flags & MAP_TYPE;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	unsigned vma_flags = 0;
	uint64_t plen, start, end;
	struct file *shm = NULL; /* the file of shared anonymous memory */
	struct vma *v;
	long err;

	if (!len)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE &&
	    (flags & ~(unsigned)(MAP_LEGACY_MASK | MAP_SYNC |
				 MAP_FIXED_NOREPLACE)))
		return -EOPNOTSUPP;
	if (type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC))
		return -EOPNOTSUPP; /* no DAX here */
	if (!mm_page_up(len, &plen) || plen > MM_TASK_SIZE)
		return -ENOMEM;
	if (f && off + plen < off)
		return -EOVERFLOW;
	if (flags & MAP_HUGETLB)
		return -ENOMEM; /* no huge pages reserved, as a default Linux */
	if (fixed) {
		if (!mm_page_aligned(addr))
			return -EINVAL;
		if (addr > MM_TASK_SIZE - plen)
			return -ENOMEM;
		if (addr < MM_MMAP_MIN)
			return -EPERM;
	}
	if (f) {
		err = check_file(f, shared, prot, &vma_flags);
		if (err)
			return err;
	} else if (shared) {
		/* Linux's shmem_zero_setup: shared anonymous memory is a file
		 * of its own, so its pages are made on first touch and found
		 * again through the file after fork or mremap. */
		err = tmpfs_shmem_file(plen, &shm);
		if (err)
			return err;
		f = shm;
		off = 0;
		vma_flags |= VMA_MAYWRITE;
	}
	if (shared)
		vma_flags |= VMA_SHARED;
	if (flags & MAP_GROWSDOWN)
		vma_flags |= VMA_GROWSDOWN;
	if ((flags & MAP_LOCKED) || mm->lock_future)
		vma_flags |= VMA_LOCKED;

	fw_mutex_lock(&mm->lock);
	/* RLIMIT_AS, counting what a fixed mapping replaces as freed, and
	 * before anything is unmapped (Linux mmap_region). */
	err = -ENOMEM;
	if (!mm_may_expand(mm, plen - (fixed ? vma_bytes_in(&mm->vmas, addr,
							      addr + plen)
					      : 0)))
		goto out_unlock;
	if (fixed) {
		start = addr;
		if (!vma_range_free(&mm->vmas, start, start + plen)) {
			err = -EEXIST;
			if (flags & MAP_FIXED_NOREPLACE)
				goto out_unlock;
			err = mm_unmap_range(mm, start, start + plen);
			if (err)
				goto out_unlock;
		}
	} else {
		uint64_t hint;

		if (mm_page_up(addr, &hint) && hint >= MM_MMAP_MIN &&
		    hint <= MM_TASK_SIZE - plen &&
		    vma_range_free(&mm->vmas, hint, hint + plen)) {
			start = hint;
		} else if (flags & MAP_32BIT) {
			err = vma_find_free_topdown(&mm->vmas, plen,
						    0x40000000ull,
						    0x80000000ull, &start);
			if (err)
				goto out_unlock;
		} else {
			err = mm_find_free_locked(mm, plen, &start);
			if (err)
				goto out_unlock;
		}
	}
	end = start + plen;
	err = mm_insert_vma(mm, start, plen, prot, vma_flags, f,
			    f ? off : 0, ~0ull, VMA_NAME_NONE, &v);
	if (err)
		goto out_unlock;
	fw_mutex_unlock(&mm->lock);
	if (shm)
		file_put(shm); /* the VMA holds it */
	if (((flags & (MAP_POPULATE | MAP_LOCKED)) || mm->lock_future) &&
	    !(flags & MAP_NONBLOCK) && prot)
		(void)populate(mm, start, end,
			       (prot & PROT_WRITE) && !shared);
	return (long)start;
out_unlock:
	fw_mutex_unlock(&mm->lock);
	if (shm)
		file_put(shm);
	return err;
}

static long sys_mmap(const struct sys_args *a)
{
	uint64_t addr = a->arg[0], len = a->arg[1], off = a->arg[5];
	unsigned prot = (unsigned)a->arg[2], flags = (unsigned)a->arg[3];
	int fd = (int)a->arg[4];
	struct mm *mm = current_mm();
	struct fdtable *files = current_files();
	struct file *f = NULL;
	long ret;

	if (!mm)
		return -ENOMEM;
	if (off & (MM_PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = files ? fd_get(files, fd) : NULL;
		if (!f)
			return -EBADF;
	}
	ret = do_mmap(mm, addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
		      flags, f, off);
	if (f)
		file_put(f);
	return ret;
}

/* remap_file_pages(2), deprecated since Linux 3.16, which emulates it
 * the same way: the pages of a shared file mapping from start on are
 * mapped again (fixed, populated) from file page pgoff, with the
 * mapping's own protection. prot must be 0; flags but MAP_NONBLOCK are
 * ignored. The range may cover adjoining mappings of the file with the
 * same flags. */
static long sys_remap_file_pages(const struct sys_args *a)
{
	uint64_t start = a->arg[0] & ~(MM_PAGE_SIZE - 1);
	uint64_t size = a->arg[1] & ~(MM_PAGE_SIZE - 1), pgoff = a->arg[3];
	uint64_t flags = a->arg[4] & MAP_NONBLOCK;
	struct mm *mm = cur_mm();
	struct vma *v, *w;
	struct file *f;
	unsigned prot, mflags = MAP_SHARED | MAP_FIXED | MAP_POPULATE;
	long ret = -EINVAL;

	if (a->arg[2] || !mm)
		return -EINVAL;
	if (start + size <= start || pgoff + size / MM_PAGE_SIZE < pgoff ||
	    pgoff > UINT64_MAX / MM_PAGE_SIZE)
		return -EINVAL;
	fw_mutex_lock(&mm->lock);
	v = vma_find(&mm->vmas, start);
	if (!v || !v->file || !(v->flags & VMA_SHARED))
		goto out_unlock;
	for (w = v; w->end < start + size;) {
		struct vma *next = vma_next(&mm->vmas, w);

		if (!next || next->start != w->end || next->file != v->file ||
		    next->flags != v->flags)
			goto out_unlock;
		w = next;
	}
	f = v->file;
	file_get(f);
	prot = v->prot;
	if (v->flags & VMA_LOCKED)
		mflags |= MAP_LOCKED;
	fw_mutex_unlock(&mm->lock);
	ret = do_mmap(mm, start, size, prot, mflags | (unsigned)flags, f,
		      pgoff * MM_PAGE_SIZE);
	file_put(f);
	return ret < 0 ? ret : 0;
out_unlock:
	fw_mutex_unlock(&mm->lock);
	return ret;
}

/* ---- munmap, mprotect ---------------------------------------------------- */

static long sys_munmap(const struct sys_args *a)
{
	struct mm *mm = cur_mm();
	uint64_t addr = a->arg[0], end;
	long err;

	if (!mm)
		return -EINVAL;
	if (!mm_page_aligned(addr) || !a->arg[1] ||
	    !user_range(addr, a->arg[1], &end))
		return -EINVAL;
	fw_mutex_lock(&mm->lock);
	err = mm_unmap_range(mm, addr, end);
	fw_mutex_unlock(&mm->lock);
	return err;
}

static long sys_mprotect(const struct sys_args *a)
{
	struct mm *mm = cur_mm();
	uint64_t addr = a->arg[0], end;
	unsigned prot = (unsigned)a->arg[2];
	struct vma *v;
	long err;

	if (!mm)
		return -ENOMEM;
	if (!mm_page_aligned(addr))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	prot &= ~(unsigned)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (prot & ~(unsigned)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	prot &= ~(unsigned)PROT_SEM;
	if (!a->arg[1])
		return 0;
	if (!user_range(addr, a->arg[1], &end))
		return -ENOMEM;

	fw_mutex_lock(&mm->lock);
	err = -ENOMEM;
	if (!vma_range_covered(&mm->vmas, addr, end))
		goto out;
	/* A shared file mapping may become writable only if the file was
	 * opened for writing, a System V attachment only if it was not
	 * attached SHM_RDONLY (Linux VM_MAYWRITE). */
	for (v = vma_find(&mm->vmas, addr); v && v->start < end;
	     v = vma_next(&mm->vmas, v)) {
		err = -EACCES;
		if ((prot & PROT_WRITE) && (v->file || v->name == VMA_NAME_SHM) &&
		    (v->flags & VMA_SHARED) && !(v->flags & VMA_MAYWRITE))
			goto out;
	}
	err = vma_isolate(&mm->vmas, addr, end);
	if (err)
		goto out;
	for (v = vma_find(&mm->vmas, addr); v && v->start < end;) {
		bool gains_write = (prot & PROT_WRITE) && !(v->prot & PROT_WRITE);

		v->prot = prot;
		/* A shared file page becomes writable only through a fault,
		 * which tells the page cache to write it back. */
		if (gains_write && v->file && (v->flags & VMA_SHARED))
			mm_unmap_pages(mm, v->start, v->end);
		else
			mm_reprotect_pages(mm, v);
		v = vma_merge_around(&mm->vmas, v);
		v = vma_next(&mm->vmas, v);
	}
	err = 0;
out:
	fw_mutex_unlock(&mm->lock);
	return err;
}

/* ---- mremap -------------------------------------------------------------- */

/* Move the pages of [old, old+len) to new_start, keeping each frame and
 * its permissions (no copy: mremap of a big buffer is cheap). */
static int move_pages(struct mm *mm, uint64_t old, uint64_t len,
		      uint64_t new_start)
{
	uint64_t va = old, found;

	while (va < old + len &&
	       fw_vmspace_next_mapped(mm->vs, va, old + len, &found) == 0) {
		struct fw_frame *fr;
		unsigned p;
		int err;

		va = found + MM_PAGE_SIZE;
		if (fw_vmspace_query(mm->vs, found, &fr, &p))
			continue;
		fw_frame_get(fr);
		err = fw_vmspace_unmap(mm->vs, found);
		if (!err)
			err = mm_map_page(mm, new_start + (found - old), fr, p);
		fw_frame_put(fr);
		if (err)
			return err;
	}
	return 0;
}

static long do_mremap(struct mm *mm, uint64_t old, uint64_t old_len,
		      uint64_t new_len, unsigned flags, uint64_t new_addr)
{
	struct vma *v, *nv;
	uint64_t dst;
	int err;

	v = vma_find(&mm->vmas, old);
	if (!v || old_len > v->end - old)
		return -EFAULT;
	if (new_len > old_len && !mm_may_expand(mm, new_len - old_len))
		return -ENOMEM; /* RLIMIT_AS (Linux vma_to_resize) */
	if (new_len <= old_len) {
		if (new_len < old_len) {
			err = mm_unmap_range(mm, old + new_len, old + old_len);
			if (err)
				return err;
		}
		if (!(flags & MREMAP_FIXED) || new_addr == old)
			return (long)old;
		old_len = new_len;
		v = vma_find(&mm->vmas, old);
	}
	/* Grow in place if the VMA ends here and the space after is free. */
	if (!(flags & MREMAP_FIXED) && v->end == old + old_len &&
	    old + new_len <= MM_TASK_SIZE &&
	    vma_range_free(&mm->vmas, v->end, old + new_len)) {
		vma_set_range(&mm->vmas, v, v->start, old + new_len);
		return (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		dst = new_addr;
		err = mm_unmap_range(mm, dst, dst + new_len);
		if (err)
			return err;
		v = vma_find(&mm->vmas, old);
		if (!v)
			return -EFAULT;
	} else {
		err = mm_find_free_locked(mm, new_len, &dst);
		if (err)
			return err;
	}
	/* The new VMA is the old one's [old, old+old_len) piece, then
	 * extended to new_len. */
	err = vma_isolate(&mm->vmas, old, old + old_len);
	if (err)
		return err;
	v = vma_find(&mm->vmas, old);
	err = mm_insert_vma(mm, dst, new_len, v->prot, v->flags, v->file,
			    v->pgoff, v->file_limit, v->name, &nv);
	if (err)
		return err;
	err = move_pages(mm, old, old_len, dst);
	if (err) {
		/* Leave the pages where they are now; drop what failed. */
		if (mm_unmap_range(mm, dst, dst + new_len))
			fw_warn("mremap: cleanup of %lx failed", dst);
		return err;
	}
	/* The new VMA may have merged with the old piece if they touch:
	 * cut the old range out again (its pages have moved already). */
	if (vma_isolate(&mm->vmas, old, old + old_len))
		fw_warn("mremap: old range %lx left in place", old);
	else
		vma_remove_range(&mm->vmas, old, old + old_len);
	return (long)dst;
}

static long sys_mremap(const struct sys_args *a)
{
	struct mm *mm = cur_mm();
	uint64_t old = a->arg[0], old_len, new_len, new_addr = a->arg[4];
	unsigned flags = (unsigned)a->arg[3];
	long ret;

	if (!mm)
		return -ENOMEM;
	if (flags & ~(unsigned)(MREMAP_MAYMOVE | MREMAP_FIXED |
				MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* not supported (rare: userfaultfd users) */
	if (!mm_page_aligned(old))
		return -EINVAL;
	if (!mm_page_up(a->arg[1], &old_len) || !mm_page_up(a->arg[2], &new_len))
		return -EINVAL;
	if (!new_len)
		return -EINVAL;
	if (!old_len)
		return -EINVAL; /* duplicating a shared mapping: unsupported */
	/* An old range outside user space is simply not mapped: Linux's
	 * vma lookup fails with -EFAULT. */
	if (old > MM_TASK_SIZE || old_len > MM_TASK_SIZE - old)
		return -EFAULT;
	if (flags & MREMAP_FIXED) {
		if (!mm_page_aligned(new_addr))
			return -EINVAL;
		if (new_addr > MM_TASK_SIZE || new_len > MM_TASK_SIZE - new_addr)
			return -EINVAL;
		/* The ranges may not overlap. */
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
	}
	fw_mutex_lock(&mm->lock);
	ret = do_mremap(mm, old, old_len, new_len, flags, new_addr);
	fw_mutex_unlock(&mm->lock);
	return ret;
}

/* ---- madvise, msync, mincore, mlock -------------------------------------- */

static bool advice_known(int adv)
{
	switch (adv) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD:
	case MADV_PAGEOUT: case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
	case MADV_DONTNEED_LOCKED: case MADV_COLLAPSE:
		return true;
	default:
		return false;
	}
}

/* Set or clear a VMA flag over [start, end) (splitting at the edges). */
static int set_vma_flag(struct mm *mm, uint64_t start, uint64_t end,
			unsigned flag, bool on)
{
	struct vma *v;
	int err = vma_isolate(&mm->vmas, start, end);

	if (err)
		return err;
	for (v = vma_find_from(&mm->vmas, start); v && v->start < end;
	     v = vma_next(&mm->vmas, v)) {
		if (on)
			v->flags |= flag;
		else
			v->flags &= ~flag;
	}
	return 0;
}

static long sys_madvise(const struct sys_args *a)
{
	struct mm *mm = cur_mm();
	uint64_t start = a->arg[0], end;
	int adv = (int)a->arg[2];
	struct vma *v;
	long err = 0;

	if (!mm)
		return -ENOMEM;
	if (!mm_page_aligned(start) || !advice_known(adv))
		return -EINVAL;
	if (a->arg[1] > ~0ull - start)
		return -EINVAL;
	/* Beyond user space is simply "not mapped" for madvise: -ENOMEM. */
	if (!user_range(start, a->arg[1], &end))
		return -ENOMEM;
	if (end == start)
		return 0;

	if (adv == MADV_POPULATE_READ || adv == MADV_POPULATE_WRITE)
		return populate(mm, start, end, adv == MADV_POPULATE_WRITE) ?
			       -ENOMEM : 0;

	fw_mutex_lock(&mm->lock);
	if (!vma_range_covered(&mm->vmas, start, end))
		err = -ENOMEM; /* Linux applies it to what is mapped, too */
	switch (adv) {
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_REMOVE:
		/* Drop private pages: the next touch gets zeros (anonymous)
		 * or the file's data again. Shared pages keep their data, as
		 * Linux's shmem would give it back on the next fault. */
		for (v = vma_find_from(&mm->vmas, start); v && v->start < end;
		     v = vma_next(&mm->vmas, v)) {
			uint64_t s = v->start > start ? v->start : start;
			uint64_t e = v->end < end ? v->end : end;

			if (!(v->flags & VMA_SHARED))
				mm_unmap_pages(mm, s, e);
		}
		break;
	case MADV_DONTFORK:
	case MADV_DOFORK:
		if (!err)
			err = set_vma_flag(mm, start, end, VMA_DONTCOPY,
					   adv == MADV_DONTFORK);
		break;
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		if (!err)
			err = set_vma_flag(mm, start, end, VMA_WIPEONFORK,
					   adv == MADV_WIPEONFORK);
		break;
	default:
		break; /* hints */
	}
	fw_mutex_unlock(&mm->lock);
	return err;
}

static long check_mapped(uint64_t start, uint64_t len, bool align)
{
	struct mm *mm = cur_mm();
	uint64_t end;
	bool ok;

	if (!mm)
		return -ENOMEM;
	if (align && !mm_page_aligned(start))
		return -EINVAL;
	if (!user_range(mm_page_down(start), len + (start & (MM_PAGE_SIZE - 1)),
			&end))
		return -ENOMEM;
	fw_mutex_lock(&mm->lock);
	ok = vma_range_covered(&mm->vmas, mm_page_down(start), end);
	fw_mutex_unlock(&mm->lock);
	return ok ? 0 : -ENOMEM;
}

static long sys_msync(const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[2];
	uint64_t start = a->arg[0], end = 0;
	struct mm *mm = cur_mm();
	long err;

	if (flags & ~(unsigned)(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	err = check_mapped(start, a->arg[1], true);
	/* Shared file pages are the file's own cached frames, so MS_ASYNC
	 * has nothing to start (as Linux since 2.6.19); MS_SYNC is fsync of
	 * each file mapped shared in the range (Linux vfs_fsync_range). */
	if (err || !(flags & MS_SYNC) || !mm)
		return err;
	(void)user_range(start, a->arg[1], &end);
	while (start < end) {
		struct file *f = NULL;
		struct vma *v;
		int e;

		fw_mutex_lock(&mm->lock);
		for (v = vma_find_from(&mm->vmas, start); v && v->start < end;
		     v = vma_next(&mm->vmas, v)) {
			start = v->end;
			if (v->file && (v->flags & VMA_SHARED)) {
				f = v->file;
				file_get(f);
				break;
			}
		}
		fw_mutex_unlock(&mm->lock);
		if (!f)
			break;
		e = vfs_fsync(f);
		file_put(f);
		if (e && !err)
			err = e;
	}
	return err;
}

/* Is the page at addr in memory (mm->lock held)? Mapped, or (Linux's
 * mincore) a file page in the page cache, mapped by this process or not. */
static uint8_t resident(struct mm *mm, uint64_t addr)
{
	struct vma *v;
	struct fw_frame *fr;

	if (fw_vmspace_query(mm->vs, addr, NULL, NULL) == 0)
		return 1;
	v = vma_find(&mm->vmas, addr);
	if (!v || !v->file ||
	    vfs_file_page_peek(v->file, (v->pgoff + (addr - v->start)) / MM_PAGE_SIZE, &fr))
		return 0;
	fw_frame_put(fr);
	return 1;
}

static long sys_mincore(const struct sys_args *a)
{
	struct mm *mm = cur_mm();
	uint64_t start = a->arg[0], end;
	fw_uptr_t vec = fw_uptr(a->arg[2]);

	if (!mm)
		return -ENOMEM;
	if (!mm_page_aligned(start))
		return -EINVAL;
	if (!user_range(start, a->arg[1], &end))
		return -ENOMEM;
	while (start < end) {
		uint8_t buf[64];
		size_t n = 0;
		struct fw_bytes b;
		bool ok;

		/* Fill a chunk under the lock, copy it out without it. */
		fw_mutex_lock(&mm->lock);
		ok = vma_range_covered(&mm->vmas, start,
				       end - start > sizeof(buf) * MM_PAGE_SIZE ?
					       start + sizeof(buf) * MM_PAGE_SIZE :
					       end);
		for (; ok && n < sizeof(buf) && start + n * MM_PAGE_SIZE < end;
		     n++)
			buf[n] = resident(mm, start + n * MM_PAGE_SIZE);
		fw_mutex_unlock(&mm->lock);
		if (!ok)
			return -ENOMEM;
		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(buf), 0, n, &b) ||
		    fw_copy_out(vec, b))
			return -EFAULT;
		vec = fw_uptr_add(vec, n);
		start += n * MM_PAGE_SIZE;
	}
	return 0;
}

/* ---- the mlock family (Linux's mm/mlock.c) ------------------------------ */

/* Bytes of mm in locked VMAs (/proc/<pid>/status VmLck). mm->lock. */
static uint64_t locked_bytes(struct mm *mm)
{
	uint64_t n = 0;

	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(&mm->vmas, v))
		if (v->flags & VMA_LOCKED)
			n += v->end - v->start;
	return n;
}

/* Bytes of [start, end) in locked VMAs. mm->lock. */
static uint64_t locked_in(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	for (struct vma *v = vma_find_from(&mm->vmas, start); v && v->start < end;
	     v = vma_next(&mm->vmas, v))
		if (v->flags & VMA_LOCKED)
			n += (v->end < end ? v->end : end) -
			     (v->start > start ? v->start : start);
	return n;
}

/* Fault in every locked VMA (mlockall), with mm->lock dropped between
 * them as populate needs; inaccessible ones are left as they are. */
static void populate_locked(struct mm *mm)
{
	uint64_t at = 0;

	for (;;) {
		uint64_t s = 0, e = 0;
		bool found = false;

		fw_mutex_lock(&mm->lock);
		for (struct vma *v = vma_find_from(&mm->vmas, at); v;
		     v = vma_next(&mm->vmas, v)) {
			if ((v->flags & VMA_LOCKED) && v->prot) {
				s = v->start > at ? v->start : at;
				e = v->end;
				found = true;
				break;
			}
		}
		fw_mutex_unlock(&mm->lock);
		if (!found)
			return;
		(void)populate(mm, s, e, false);
		at = e;
	}
}

/* May `more` bytes be locked beside what is? Linux's can_do_mlock and
 * the RLIMIT_MEMLOCK check: CAP_IPC_LOCK has no limit, a limit of 0 is
 * EPERM, going past it ENOMEM. mm->lock. */
static int may_lock(struct mm *mm, uint64_t more)
{
	uint64_t lim = current_rlimit(RLIMIT_MEMLOCK);

	if (cred_capable(fs_cred(), CAP_IPC_LOCK))
		return 0;
	if (lim == 0)
		return -EPERM;
	if (lim != RLIM_INFINITY && locked_bytes(mm) + more > lim)
		return -ENOMEM;
	return 0;
}

/* Lock or unlock [start, start+len): the VMAs are marked (split where
 * needed) and, unless on_fault, the pages faulted in now. */
static long do_mlock(uint64_t start, uint64_t len, bool lock, bool on_fault)
{
	struct mm *mm = cur_mm();
	uint64_t page = mm_page_down(start), end = 0;
	long err;

	if (lock && !cred_capable(fs_cred(), CAP_IPC_LOCK) &&
	    current_rlimit(RLIMIT_MEMLOCK) == 0)
		return -EPERM; /* Linux's can_do_mlock, checked first */
	err = check_mapped(start, len, false);
	if (err || !mm)
		return err ? err : -ENOMEM;
	(void)user_range(page, len + (start - page), &end);
	fw_mutex_lock(&mm->lock);
	err = lock ? may_lock(mm, end - page - locked_in(mm, page, end)) : 0;
	if (!err)
		err = set_vma_flag(mm, page, end, VMA_LOCKED, lock);
	fw_mutex_unlock(&mm->lock);
	if (!err && lock && !on_fault)
		(void)populate(mm, page, end, false);
	return err;
}

static long sys_mlock(const struct sys_args *a)
{
	return do_mlock(a->arg[0], a->arg[1], true, false);
}

static long sys_mlock2(const struct sys_args *a)
{
	if (a->arg[2] & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(a->arg[0], a->arg[1], true, a->arg[2] & MLOCK_ONFAULT);
}

static long sys_munlock(const struct sys_args *a)
{
	return do_mlock(a->arg[0], a->arg[1], false, false);
}

/* mlockall: MCL_CURRENT locks every mapping now (all of it counted
 * against the limit), MCL_FUTURE every later one (mm->lock_future). */
static long sys_mlockall(const struct sys_args *a)
{
	uint64_t fl = a->arg[0];
	struct mm *mm = cur_mm();
	long err = 0;

	if (!fl || (fl & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    fl == MCL_ONFAULT)
		return -EINVAL;
	if (!mm)
		return -ENOMEM;
	fw_mutex_lock(&mm->lock);
	if (fl & MCL_CURRENT) {
		uint64_t all = vma_bytes_in(&mm->vmas, 0, ~0ull);

		err = may_lock(mm, all - locked_bytes(mm));
		for (struct vma *v = vma_first(&mm->vmas); !err && v;
		     v = vma_next(&mm->vmas, v))
			v->flags |= VMA_LOCKED;
	} else {
		err = may_lock(mm, 0);
	}
	if (!err)
		mm->lock_future = fl & MCL_FUTURE;
	fw_mutex_unlock(&mm->lock);
	if (!err && (fl & MCL_CURRENT) && !(fl & MCL_ONFAULT))
		populate_locked(mm);
	return err;
}

static long sys_munlockall(const struct sys_args *a)
{
	struct mm *mm = cur_mm();

	if (!mm)
		return -ENOMEM;
	fw_mutex_lock(&mm->lock);
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(&mm->vmas, v))
		v->flags &= ~VMA_LOCKED;
	mm->lock_future = false;
	fw_mutex_unlock(&mm->lock);
	return 0;
}

static const struct sys_entry mm_syscalls[] = {
	{ __NR_brk, "brk", sys_brk },
	{ __NR_mmap, "mmap", sys_mmap },
	{ __NR_munmap, "munmap", sys_munmap },
	{ __NR_mprotect, "mprotect", sys_mprotect },
	{ __NR_mremap, "mremap", sys_mremap },
	{ __NR_madvise, "madvise", sys_madvise },
	{ __NR_msync, "msync", sys_msync },
	{ __NR_mincore, "mincore", sys_mincore },
	{ __NR_mlock, "mlock", sys_mlock },
	{ __NR_munlock, "munlock", sys_munlock },
	{ __NR_mlockall, "mlockall", sys_mlockall },
	{ __NR_munlockall, "munlockall", sys_munlockall },
	{ __NR_mlock2, "mlock2", sys_mlock2 },
	{ __NR_remap_file_pages, "remap_file_pages", sys_remap_file_pages },
};

void mm_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(mm_syscalls);
}
