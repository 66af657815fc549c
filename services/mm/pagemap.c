/* services/mm/pagemap.c: /proc/<pid>/pagemap, one 64-bit entry per
 * virtual page saying whether and how it is in memory (Linux's
 * fs/proc/task_mmu.c pagemap_read; Documentation/admin-guide/mm/pagemap.rst).
 *
 * Layer: services (safe C), mm. An entry has bit 63 set when the page is
 * present, bits 0-54 its frame number (only for a reader with
 * CAP_SYS_ADMIN, as since Linux 4.2; 0 for others), bit 56 when one
 * mapping holds it, bit 61 when it is a page of a file (or of shared
 * anonymous memory, a file here as on Linux) rather than private
 * anonymous memory, and bit 55, soft-dirty, for every page of a VMA:
 * Linux marks new VMAs soft-dirty until /proc/<pid>/clear_refs clears
 * them, which this kernel does not have, so "maybe written" is the true
 * answer. Nothing is swapped (bit 62). */
#include <fw/bytes.h>
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/uaccess.h>
#include <fw/vmspace.h>
#include "fs/vfs/vfs.h"
#include "mm/mm.h"
#include "mm/vma.h"

#define PM_ENTRY_BYTES 8u
#define PM_PFN_MASK ((1ull << 55) - 1)
#define PM_SOFT_DIRTY (1ull << 55)
#define PM_MMAP_EXCLUSIVE (1ull << 56)
#define PM_FILE (1ull << 61)
#define PM_PRESENT (1ull << 63)

/* The entry of the page at addr (mm->lock held). */
static uint64_t entry(struct mm *mm, uint64_t addr, bool show_pfn)
{
	struct vma *v = vma_find(&mm->vmas, addr);
	struct fw_frame *fr, *cached;
	uint64_t e;

	if (!v)
		return 0;
	e = PM_SOFT_DIRTY;
	if (fw_vmspace_query(mm->vs, addr, &fr, NULL))
		return e;
	e |= PM_PRESENT;
	if (show_pfn)
		e |= fw_frame_pfn(fr) & PM_PFN_MASK;
	if (fw_frame_mapcount(fr) == 1)
		e |= PM_MMAP_EXCLUSIVE;
	/* A shared mapping maps its file's pages; in a private one a page is
	 * the file's while it is the cached page, anonymous once copied. */
	if (v->file && (v->flags & VMA_SHARED)) {
		e |= PM_FILE;
	} else if (v->file &&
		   !vfs_file_page_cached(v->file,
				       (v->pgoff + (addr - v->start)) /
					       MM_PAGE_SIZE,
				       &cached)) {
		if (cached == fr)
			e |= PM_FILE;
		fw_frame_put(cached);
	}
	return e;
}

long mm_pagemap_read(struct mm *mm, fw_uptr_t buf, size_t len,
		     uint64_t *pos, bool show_pfn)
{
	uint64_t page = *pos / PM_ENTRY_BYTES;
	size_t done = 0;

	if (*pos % PM_ENTRY_BYTES || len % PM_ENTRY_BYTES)
		return -EINVAL;
	/* Fill a chunk under the lock, copy it out without it. */
	while (mm && done < len && page < MM_TASK_SIZE / MM_PAGE_SIZE) {
		uint64_t chunk[64];
		size_t n = 0;
		struct fw_bytes b;

		fw_mutex_lock(&mm->lock);
		for (; n < 64 && done + n * PM_ENTRY_BYTES < len &&
		       page + n < MM_TASK_SIZE / MM_PAGE_SIZE; n++)
			chunk[n] = entry(mm, (page + n) * MM_PAGE_SIZE, show_pfn);
		fw_mutex_unlock(&mm->lock);
		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(chunk), 0,
				 n * PM_ENTRY_BYTES, &b) ||
		    fw_copy_out(fw_uptr_add(buf, done), b))
			return done ? (long)done : -EFAULT;
		done += n * PM_ENTRY_BYTES;
		page += n;
	}
	*pos += done;
	return (long)done;
}
