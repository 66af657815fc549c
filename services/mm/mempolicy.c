/* services/mm/mempolicy.c: the memory policies of address ranges
 * (mbind(2)) and the node of a page (move_pages(2), get_mempolicy(2)'s
 * MPOL_F_NODE), for the NUMA calls of services/proc/sched/numa.c.
 *
 * Layer: services (safe C), mm. This machine model has one memory node,
 * node 0, where every page is: a policy changes no placement, so it is
 * only kept (on the VMAs, which split and merge by it as Linux's do) and
 * reported back. */
#include <fw/errno.h>
#include <fw/vmspace.h>
#include "mm/mm.h"
#include "mm/vma.h"

int mm_set_policy(struct mm *mm, uint64_t start, uint64_t end,
		  const struct mempolicy *pol)
{
	struct vma *v;
	int err;

	fw_mutex_lock(&mm->lock);
	/* Linux's queue_pages_range: a hole in the range is EFAULT. */
	err = -EFAULT;
	if (!vma_range_covered(&mm->vmas, start, end))
		goto out;
	err = vma_isolate(&mm->vmas, start, end);
	if (err)
		goto out;
	for (v = vma_find(&mm->vmas, start); v && v->start < end;) {
		v->pol = *pol;
		v = vma_merge_around(&mm->vmas, v);
		v = vma_next(&mm->vmas, v);
	}
out:
	fw_mutex_unlock(&mm->lock);
	return err;
}

int mm_get_policy(struct mm *mm, uint64_t addr, struct mempolicy *out)
{
	struct vma *v;

	fw_mutex_lock(&mm->lock);
	v = vma_find(&mm->vmas, addr);
	if (v)
		*out = v->pol;
	fw_mutex_unlock(&mm->lock);
	return v ? 0 : -EFAULT;
}

int mm_page_node(struct mm *mm, uint64_t addr)
{
	int node = -EFAULT;

	fw_mutex_lock(&mm->lock);
	if (vma_find(&mm->vmas, addr))
		node = fw_vmspace_query(mm->vs, addr, NULL, NULL) ? -ENOENT : 0;
	fw_mutex_unlock(&mm->lock);
	return node;
}
