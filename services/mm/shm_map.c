/* services/mm/shm_map.c: pages that outlive their mappings (System V
 * shared memory): a frame list, and attaching it to an address space.
 *
 * Layer: services (safe C), mm. A System V segment (services/ipc/shm.c)
 * owns its pages as a frame list, allocated zeroed when the segment is
 * made (not on first touch, as Linux's shm files do); shmat maps
 * them as one shared VMA named VMA_NAME_SHM, each mapping holding its own
 * frame references, so fork shares them as any shared mapping and a
 * segment removed while attached lives on in its mappings. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/vmspace.h>

#include "mm/mm.h"
#include "mm/mm_internal.h"
#include "mm/uapi.h"

int frame_list_alloc(uint64_t npages, struct frame_list **out)
{
	struct frame_list *fl;

	if (!npages || npages > FRAME_LIST_MAX)
		return -EINVAL;
	fl = FW_NEW(struct frame_list);
	if (!fl)
		return -ENOMEM;
	fl->npages = npages;
	for (uint64_t i = 0; i < npages; i++) {
		struct frame_chunk *c = fl->chunk[i / FRAME_CHUNK];

		if (!c) {
			c = FW_NEW(struct frame_chunk);
			if (!c)
				goto out_free;
			fl->chunk[i / FRAME_CHUNK] = c;
		}
		if (fw_frame_alloc(FW_FRAME_ZERO, &c->fr[i % FRAME_CHUNK]))
			goto out_free;
	}
	*out = fl;
	return 0;
out_free:
	frame_list_free(fl);
	return -ENOMEM;
}

struct fw_frame *frame_list_get(const struct frame_list *fl, uint64_t i)
{
	const struct frame_chunk *c;

	if (i >= fl->npages)
		return NULL;
	c = fl->chunk[i / FRAME_CHUNK];
	return c ? c->fr[i % FRAME_CHUNK] : NULL;
}

void frame_list_free(struct frame_list *fl)
{
	if (!fl)
		return;
	for (unsigned k = 0; k < FW_ARRAY_LEN(fl->chunk); k++) {
		struct frame_chunk *c = fl->chunk[k];

		for (unsigned i = 0; c && i < FRAME_CHUNK; i++)
			if (c->fr[i])
				fw_frame_put(c->fr[i]);
		fw_free(c);
	}
	fw_free(fl);
}

int mm_shm_attach(struct mm *mm, const struct frame_list *fl, uint64_t addr,
		  bool fixed, unsigned prot, uint64_t *out)
{
	uint64_t len = fl->npages * FW_PAGE_SIZE, start = addr;
	struct vma *v;
	int err;

	fw_mutex_lock(&mm->lock);
	if (fixed) {
		err = -EINVAL;
		if (addr < MM_MMAP_MIN || addr > MM_TASK_SIZE - len)
			goto out_unlock;
		if (!vma_range_free(&mm->vmas, start, start + len)) {
			err = mm_unmap_range(mm, start, start + len);
			if (err)
				goto out_unlock;
		}
	} else {
		err = mm_find_free_locked(mm, len, &start);
		if (err)
			goto out_unlock;
	}
	err = mm_insert_vma(mm, start, len, prot,
			    VMA_SHARED | ((prot & PROT_WRITE) ? VMA_MAYWRITE : 0u),
			    NULL, 0, ~0ull, VMA_NAME_SHM, &v);
	if (err)
		goto out_unlock;
	for (uint64_t i = 0; i < fl->npages && !err; i++)
		err = mm_map_page(mm, start + i * FW_PAGE_SIZE,
				  frame_list_get(fl, i), mm_fw_prot(prot));
	if (err) {
		if (mm_unmap_range(mm, start, start + len))
			err = -ENOMEM;
		goto out_unlock;
	}
	*out = start;
out_unlock:
	fw_mutex_unlock(&mm->lock);
	return err;
}

int mm_shm_detach(struct mm *mm, uint64_t addr, struct fw_frame **first)
{
	struct vma *v;
	int err = -EINVAL;

	*first = NULL;
	fw_mutex_lock(&mm->lock);
	v = vma_find(&mm->vmas, addr);
	if (v && v->start == addr && v->name == VMA_NAME_SHM) {
		unsigned prot;

		if (fw_vmspace_query(mm->vs, addr, first, &prot) == 0 && *first)
			fw_frame_get(*first);
		else
			*first = NULL;
		err = mm_unmap_range(mm, v->start, v->end);
	}
	fw_mutex_unlock(&mm->lock);
	return err;
}
