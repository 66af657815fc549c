/* services/mm/access.c: reaching another process's memory (ptrace's
 * PEEKDATA/POKEDATA, process_vm_readv/writev), Linux's access_process_vm.
 *
 * Layer: services (safe C) on fw/vmspace.h and fw/frame.h. fw_copy_in and
 * fw_copy_out act on the current address space only; here the page is
 * looked up in the other space's page tables under mm->lock and handed
 * back as a referenced frame, which the caller copies with fw_frame_read /
 * fw_frame_write / fw_frame_copy_out / fw_frame_copy_in. No framework code
 * is needed: the frame handles are the safe way in.
 *
 * A page that is not present is faulted in (mm_fault on that mm, as Linux's
 * get_user_pages does), so an address outside every VMA is -EFAULT. With
 * `force` (ptrace, Linux's FOLL_FORCE) a write to a read-only page of a
 * private mapping -- program text, where a debugger puts its breakpoints
 * -- is done on a private copy of the page (copy-on-write), left mapped
 * read-only, so the file and other processes never see it. A read-only
 * shared mapping is not written (-EFAULT), as Linux refuses it too. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/vmspace.h>

#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/uapi.h"

/* The forced write to a present read-only page at `page`: the frame to
 * write (referenced) in *out. mm->lock held. */
static int force_cow_locked(struct mm *mm, uint64_t page, struct fw_frame *cur,
			    unsigned prot, struct fw_frame **out)
{
	struct vma *v = vma_find(&mm->vmas, page);
	struct fw_frame *fr;
	int err;

	if (!v || (v->flags & VMA_SHARED))
		return -EFAULT;
	if (fw_frame_refcount(cur) == 1) {
		/* Ours alone (an anonymous page, or an earlier private copy):
		 * write it in place; the PTE stays read-only. */
		fw_frame_get(cur);
		*out = cur;
		return 0;
	}
	err = fw_frame_alloc(0, &fr);
	if (err)
		return err;
	fw_frame_copy(fr, cur);
	err = fw_vmspace_unmap(mm->vs, page);
	if (!err)
		err = mm_map_page(mm, page, fr, prot);
	if (err) {
		fw_frame_put(fr);
		return err;
	}
	*out = fr; /* our allocation reference becomes the caller's */
	return 0;
}

int mm_remote_page(struct mm *mm, uint64_t addr, bool write, bool force,
		   struct fw_frame **out)
{
	uint64_t page = addr & ~(uint64_t)(FW_PAGE_SIZE - 1);
	int err = -EFAULT;

	if (addr >= MM_TASK_SIZE)
		return -EFAULT;
	/* A fault can be undone by another thread before we look again;
	 * a few rounds settle it, as mm_fault's own retries do. */
	for (int tries = 0; tries < 8; tries++) {
		struct fw_frame *fr;
		unsigned cur;

		fw_mutex_lock(&mm->lock);
		err = fw_vmspace_query(mm->vs, page, &fr, &cur);
		if (!err && cur && (!write || (cur & FW_PROT_WRITE))) {
			fw_frame_get(fr);
			fw_mutex_unlock(&mm->lock);
			*out = fr;
			return 0;
		}
		if (!err && cur && write && force) {
			err = force_cow_locked(mm, page, fr, cur, out);
			fw_mutex_unlock(&mm->lock);
			return err;
		}
		fw_mutex_unlock(&mm->lock);
		err = mm_fault(mm, page, write, false);
		if (err == -EFAULT && write && force)
			/* A read-only VMA: bring the page in for reading, then
			 * the next round copies it. */
			err = mm_fault(mm, page, false, false);
		if (err)
			return err;
	}
	return err ? err : -EFAULT;
}
