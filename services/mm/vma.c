/* services/mm/vma.c: VMA list arithmetic (find, insert, split, merge,
 * free-range search).
 *
 * Layer: services (safe C), pure logic: no page tables, no locks (the
 * caller holds mm->lock). See vma.h for the design. Host-tested by
 * tests/unit/vma_test.c. */
#include <fw/errno.h>
#include <fw/heap.h>

#include "vma.h"

void vma_list_init(struct vma_list *l)
{
	fw_list_init(&l->head);
	l->count = 0;
}

struct vma *vma_alloc(void)
{
	struct vma *v = FW_NEW(struct vma);

	if (!v)
		return NULL;
	fw_list_init(&v->node);
	fw_list_init(&v->fnode);
	v->file_limit = ~0ull;
	return v;
}

void vma_free(struct vma *v)
{
	if (!v)
		return;
	if (v->file)
		vma_file_unref(v);
	fw_free(v);
}

static struct vma *entry(struct vma_list *l, struct fw_list *n)
{
	if (n == &l->head)
		return NULL;
	return FW_LIST_ENTRY(n, struct vma, node);
}

struct vma *vma_first(struct vma_list *l)
{
	return entry(l, l->head.next);
}

struct vma *vma_next(struct vma_list *l, struct vma *v)
{
	return entry(l, v->node.next);
}

struct vma *vma_prev(struct vma_list *l, struct vma *v)
{
	return entry(l, v->node.prev);
}

struct vma *vma_find_from(struct vma_list *l, uint64_t addr)
{
	struct vma *v;

	FW_LIST_FOR_EACH(v, &l->head, node) {
		if (v->end > addr)
			return v;
	}
	return NULL;
}

struct vma *vma_find(struct vma_list *l, uint64_t addr)
{
	struct vma *v = vma_find_from(l, addr);

	return v && v->start <= addr ? v : NULL;
}

bool vma_range_free(struct vma_list *l, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find_from(l, start);

	return !v || v->start >= end;
}

uint64_t vma_bytes_in(struct vma_list *l, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	for (struct vma *v = vma_find_from(l, start); v && v->start < end;
	     v = vma_next(l, v))
		n += (v->end < end ? v->end : end) -
		     (v->start > start ? v->start : start);
	return n;
}

bool vma_range_covered(struct vma_list *l, uint64_t start, uint64_t end)
{
	uint64_t at = start;
	struct vma *v = vma_find_from(l, start);

	while (at < end) {
		if (!v || v->start > at)
			return false;
		at = v->end;
		v = vma_next(l, v);
	}
	return true;
}

int vma_insert(struct vma_list *l, struct vma *v)
{
	struct vma *next;

	if (v->start >= v->end || !mm_page_aligned(v->start) ||
	    !mm_page_aligned(v->end))
		return -EINVAL;
	next = vma_find_from(l, v->start);
	if (next && next->start < v->end)
		return -EEXIST;
	if (l->count >= VMA_MAX_COUNT)
		return -ENOMEM;
	/* Insert before next (or at the tail): keeps the list sorted. */
	if (next)
		fw_list_add_tail(&next->node, &v->node);
	else
		fw_list_add_tail(&l->head, &v->node);
	l->count++;
	return 0;
}

void vma_unlink(struct vma_list *l, struct vma *v)
{
	fw_list_del(&v->node);
	l->count--;
}

int vma_split(struct vma_list *l, struct vma *v, uint64_t at,
	      struct vma **tail)
{
	struct vma *t;

	if (at <= v->start || at >= v->end || !mm_page_aligned(at))
		return -EINVAL;
	if (l->count >= VMA_MAX_COUNT)
		return -ENOMEM; /* Linux's __split_vma: munmap too may fail */
	t = vma_alloc();
	if (!t)
		return -ENOMEM;
	t->start = at;
	t->end = v->end;
	t->prot = v->prot;
	t->flags = v->flags;
	t->file = v->file;
	t->pgoff = v->file ? v->pgoff + (at - v->start) : 0;
	t->file_limit = v->file_limit;
	t->name = v->name;
	t->mm = v->mm;
	if (t->file)
		vma_file_ref(t);
	v->end = at;
	fw_list_add_head(&v->node, &t->node);
	l->count++;
	if (tail)
		*tail = t;
	return 0;
}

int vma_isolate(struct vma_list *l, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(l, start);
	int err;

	if (v && v->start < start) {
		err = vma_split(l, v, start, NULL);
		if (err)
			return err;
	}
	v = end ? vma_find(l, end - 1) : NULL;
	if (v && v->end > end) {
		err = vma_split(l, v, end, NULL);
		if (err)
			return err;
	}
	return 0;
}

void vma_remove_range(struct vma_list *l, uint64_t start, uint64_t end)
{
	struct vma *v, *tmp;

	FW_LIST_FOR_EACH_SAFE(v, tmp, &l->head, node) {
		if (v->start >= end)
			break;
		if (v->start >= start && v->end <= end) {
			vma_unlink(l, v);
			vma_free(v);
		}
	}
}

bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot ||
	    a->flags != b->flags || a->file != b->file ||
	    a->file_limit != b->file_limit)
		return false;
	if (a->file && a->pgoff + (a->end - a->start) != b->pgoff)
		return false;
	return a->name == b->name;
}

struct vma *vma_merge_around(struct vma_list *l, struct vma *v)
{
	struct vma *p = vma_prev(l, v);
	struct vma *n = vma_next(l, v);

	if (n && vma_mergeable(v, n)) {
		v->end = n->end;
		vma_unlink(l, n);
		vma_free(n);
	}
	if (p && vma_mergeable(p, v)) {
		p->end = v->end;
		vma_unlink(l, v);
		vma_free(v);
		v = p;
	}
	return v;
}

int vma_find_free_topdown(struct vma_list *l, uint64_t len, uint64_t lo,
			  uint64_t hi, uint64_t *out)
{
	struct vma *v;
	uint64_t gap_end = hi;

	if (!len || !mm_page_aligned(len) || lo >= hi || hi - lo < len)
		return -ENOMEM;
	/* Walk from the highest VMA down; each gap is [prev end, gap_end). */
	for (v = entry(l, l->head.prev); ; v = vma_prev(l, v)) {
		uint64_t gap_start = v ? v->end : lo;

		if (!v || v->start < hi) {
			if (gap_start < lo)
				gap_start = lo;
			if (v && v->end > gap_end) {
				/* v straddles the current gap top */
			} else if (gap_end >= gap_start &&
				   gap_end - gap_start >= len) {
				*out = mm_page_down(gap_end - len);
				return 0;
			}
			if (!v || v->start <= lo)
				return -ENOMEM;
			if (v->start < gap_end)
				gap_end = v->start;
		}
	}
}
