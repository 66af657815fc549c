/* services/mm/mapping.c: which address spaces map a file, so truncation
 * can take the pages past the new end out of all of them.
 *
 * Layer: services (safe C), mm. Every file-backed VMA is on its inode's
 * i_mmap list from the moment it holds its file reference until it drops
 * it (vma_file_ref/vma_file_unref in mm.c), as Linux's address_space
 * i_mmap. mapping_lock, a spinlock, guards every such list; it is a leaf
 * (VMAs are added and removed under mm->lock, or by the last mm_put).
 *
 * Without this, a process that mapped a file kept its frames after the
 * file shrank: reads past the new end saw the old bytes and writes went
 * to pages no longer the file's. Now the next access faults, past the end
 * gets SIGBUS, and inside the file gets the file's current page. The page
 * cache's reclaimer uses the same lists to take one page out of every
 * process that maps it (vfs_unmap_page), so mapped pages can be reclaimed
 * too. */
#include <stdatomic.h>

#include <fw/sync.h>

#include "fs/vfs/vfs.h"
#include "mm/mm.h"
#include "mm/mm_internal.h"

static struct fw_spinlock mapping_lock = FW_SPINLOCK_INIT("i_mmap");

/* A shared mapping that may write: F_SEAL_WRITE waits for none. */
static bool maps_writable(const struct vma *v)
{
	return (v->flags & VMA_SHARED) && (v->flags & VMA_MAYWRITE);
}

void mapping_add(struct vma *v)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&mapping_lock);

	fw_list_add_tail(&v->file->path.inode->i_mmap, &v->fnode);
	if (maps_writable(v))
		atomic_fetch_add(&v->file->path.inode->mmap_writable, 1);
	fw_spin_unlock_irqrestore(&mapping_lock, fl);
}

void mapping_del(struct vma *v)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&mapping_lock);

	fw_list_del(&v->fnode);
	if (maps_writable(v))
		atomic_fetch_sub(&v->file->path.inode->mmap_writable, 1);
	fw_spin_unlock_irqrestore(&mapping_lock, fl);
}

/* A reference on mm unless its last one is already gone (then it is
 * being torn down, and its mappings with it). */
static bool mm_get_live(struct mm *mm)
{
	int r = atomic_load(&mm->refs);

	while (r > 0)
		if (atomic_compare_exchange_weak(&mm->refs, &r, r + 1))
			return true;
	return false;
}

/* Address spaces to visit, referenced, a batch at a time. */
#define BATCH 32u
struct mm_batch {
	struct mm *mm[BATCH];
	unsigned n;
};

/* Each truncation's number: a VMA it has visited carries it, so the
 * next batch is made of the address spaces not visited yet. */
static _Atomic uint64_t unmap_gen;

static void collect(struct inode *ino, uint64_t gen, struct mm_batch *b)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&mapping_lock);
	struct vma *v;

	b->n = 0;
	FW_LIST_FOR_EACH(v, &ino->i_mmap, fnode) {
		bool seen = false;

		if (atomic_load(&v->unmap_gen) == gen)
			continue;
		for (unsigned i = 0; i < b->n; i++)
			seen |= b->mm[i] == v->mm;
		if (seen)
			continue;
		if (b->n == BATCH)
			break;
		if (mm_get_live(v->mm))
			b->mm[b->n++] = v->mm;
	}
	fw_spin_unlock_irqrestore(&mapping_lock, fl);
}

/* Unmap ino's pages at file offsets >= from in one address space, and
 * mark its VMAs of ino visited by gen. */
static void unmap_in(struct mm *mm, struct inode *ino, uint64_t from,
		     uint64_t gen)
{
	fw_mutex_lock(&mm->lock);
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(&mm->vmas, v)) {
		uint64_t start = v->start;

		if (!v->file || v->file->path.inode != ino)
			continue;
		atomic_store(&v->unmap_gen, gen);
		if (from > v->pgoff) {
			if (from - v->pgoff >= v->end - v->start)
				continue;
			start = v->start + (from - v->pgoff);
		}
		mm_unmap_pages(mm, start, v->end);
	}
	fw_mutex_unlock(&mm->lock);
}

void vfs_unmap_mapping(struct inode *ino, uint64_t from)
{
	uint64_t gen = atomic_fetch_add(&unmap_gen, 1) + 1;
	struct mm_batch b;

	from = (from + MM_PAGE_SIZE - 1) & MM_PAGE_MASK;
	do {
		collect(ino, gen, &b);
		for (unsigned i = 0; i < b.n; i++) {
			unmap_in(b.mm[i], ino, from, gen);
			mm_put(b.mm[i]);
		}
	} while (b.n);
}

/* Unmap fr where it maps page idx of ino in one address space. */
static void unmap_page_in(struct mm *mm, struct inode *ino, uint64_t idx,
			  struct fw_frame *fr, uint64_t gen)
{
	uint64_t off = idx * MM_PAGE_SIZE;

	fw_mutex_lock(&mm->lock);
	for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(&mm->vmas, v)) {
		struct fw_frame *cur;
		uint64_t va;

		if (!v->file || v->file->path.inode != ino)
			continue;
		atomic_store(&v->unmap_gen, gen);
		if (off < v->pgoff || off - v->pgoff >= v->end - v->start)
			continue;
		va = v->start + (off - v->pgoff);
		/* A private page may be the process's own copy by now. */
		if (fw_vmspace_query(mm->vs, va, &cur, NULL) == 0 && cur == fr)
			mm_unmap_pages(mm, va, va + MM_PAGE_SIZE);
	}
	fw_mutex_unlock(&mm->lock);
}

void vfs_unmap_page(struct inode *ino, uint64_t idx, struct fw_frame *fr)
{
	uint64_t gen = atomic_fetch_add(&unmap_gen, 1) + 1;
	struct mm_batch b;

	do {
		collect(ino, gen, &b);
		for (unsigned i = 0; i < b.n; i++) {
			unmap_page_in(b.mm[i], ino, idx, fr, gen);
			mm_put(b.mm[i]);
		}
	} while (b.n);
}
