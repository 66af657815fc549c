/* services/mm/vma.c: VMA list and tree arithmetic (find, insert, split,
 * merge, free-range search).
 *
 * Layer: services (safe C), pure logic: no page tables, no locks (the
 * caller holds mm->lock). See vma.h for the design. Host-tested by
 * tests/unit/vma_test.c. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/panic.h>

#include "vma.h"

void vma_list_init(struct vma_list *l)
{
	fw_list_init(&l->head);
	l->root = NULL;
	l->count = 0;
}

/* ---- the tree: AVL by start, augmented with the largest free gap ------- */

static int height(const struct vma *n)
{
	return n ? n->height : 0;
}

static uint64_t max_gap(const struct vma *n)
{
	return n ? n->max_gap : 0;
}

/* Recompute n's height and max_gap from its children. */
static void pull(struct vma *n)
{
	int hl = height(n->left), hr = height(n->right);
	uint64_t g = n->gap;

	n->height = (hl > hr ? hl : hr) + 1;
	if (max_gap(n->left) > g)
		g = max_gap(n->left);
	if (max_gap(n->right) > g)
		g = max_gap(n->right);
	n->max_gap = g;
}

static struct vma *rotate_right(struct vma *n)
{
	struct vma *l = n->left;

	n->left = l->right;
	l->right = n;
	pull(n);
	pull(l);
	return l;
}

static struct vma *rotate_left(struct vma *n)
{
	struct vma *r = n->right;

	n->right = r->left;
	r->left = n;
	pull(n);
	pull(r);
	return r;
}

/* n's subtrees are AVL trees whose heights differ by at most 2: restore
 * the balance at n; returns the subtree's new root. */
static struct vma *balance(struct vma *n)
{
	int b = height(n->left) - height(n->right);

	if (b > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (b < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	pull(n);
	return n;
}

static struct vma *tree_insert(struct vma *n, struct vma *v)
{
	if (!n) {
		v->left = v->right = NULL;
		pull(v);
		return v;
	}
	if (v->start < n->start)
		n->left = tree_insert(n->left, v);
	else
		n->right = tree_insert(n->right, v);
	return balance(n);
}

/* Detach the leftmost node of n's subtree into *min. */
static struct vma *take_min(struct vma *n, struct vma **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = take_min(n->left, min);
	return balance(n);
}

static struct vma *tree_remove(struct vma *n, struct vma *v)
{
	struct vma *m = NULL, *r;

	FW_ASSERT(n);
	if (n != v) {
		if (v->start < n->start)
			n->left = tree_remove(n->left, v);
		else
			n->right = tree_remove(n->right, v);
		return balance(n);
	}
	if (!n->left)
		return n->right;
	if (!n->right)
		return n->left;
	r = take_min(n->right, &m);
	m->left = n->left;
	m->right = r;
	return balance(m);
}

/* v->gap changed: recompute max_gap on the path from n down to v. */
static void refresh(struct vma *n, struct vma *v)
{
	FW_ASSERT(n);
	if (n != v)
		refresh(v->start < n->start ? n->left : n->right, v);
	pull(n);
}

/* Recompute v's gap from the VMA now before it on the list. */
static void update_gap(struct vma_list *l, struct vma *v)
{
	struct vma *p = vma_prev(l, v);

	v->gap = v->start - (p ? p->end : 0);
	refresh(l->root, v);
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

struct vma *vma_last(struct vma_list *l)
{
	return entry(l, l->head.prev);
}

struct vma *vma_find_from(struct vma_list *l, uint64_t addr)
{
	struct vma *best = NULL;

	/* Ends grow with starts (no overlap): the leftmost end above addr. */
	for (struct vma *n = l->root; n;) {
		if (n->end > addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
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

/* Put v (a free, valid range) on the list before next (NULL: at the
 * tail) and in the tree; the gap of the VMA after it shrinks. */
static void link(struct vma_list *l, struct vma *v, struct vma *next)
{
	struct vma *prev = next ? vma_prev(l, next) : vma_last(l);

	fw_list_add_tail(next ? &next->node : &l->head, &v->node);
	l->count++;
	v->gap = v->start - (prev ? prev->end : 0);
	l->root = tree_insert(l->root, v);
	if (next)
		update_gap(l, next);
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
	link(l, v, next);
	return 0;
}

void vma_unlink(struct vma_list *l, struct vma *v)
{
	struct vma *next = vma_next(l, v);

	l->root = tree_remove(l->root, v);
	fw_list_del(&v->node);
	l->count--;
	if (next)
		update_gap(l, next);
}

void vma_set_range(struct vma_list *l, struct vma *v, uint64_t start,
		   uint64_t end)
{
	struct vma *next = vma_next(l, v);

	v->start = start;
	v->end = end;
	update_gap(l, v);
	if (next)
		update_gap(l, next);
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
	t->pol = v->pol;
	t->mm = v->mm;
	if (t->file)
		vma_file_ref(t);
	v->end = at;
	link(l, t, vma_next(l, v));
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
	struct vma *v = vma_find_from(l, start);

	while (v && v->start < end) {
		struct vma *next = vma_next(l, v);

		if (v->start >= start && v->end <= end) {
			vma_unlink(l, v);
			vma_free(v);
		}
		v = next;
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
	return a->name == b->name && a->pol.mode == b->pol.mode &&
	       a->pol.flags == b->pol.flags && a->pol.nodes == b->pol.nodes;
}

struct vma *vma_merge_around(struct vma_list *l, struct vma *v)
{
	struct vma *p = vma_prev(l, v);
	struct vma *n = vma_next(l, v);

	if (n && vma_mergeable(v, n)) {
		uint64_t end = n->end;

		vma_unlink(l, n);
		vma_free(n);
		vma_set_range(l, v, v->start, end);
	}
	if (p && vma_mergeable(p, v)) {
		uint64_t end = v->end;

		vma_unlink(l, v);
		vma_free(v);
		vma_set_range(l, p, p->start, end);
		v = p;
	}
	return v;
}

/* The highest fit of len bytes inside [lo, hi) among the gaps of n's
 * subtree (each node's gap is the free range just below it). */
static bool topdown(const struct vma *n, uint64_t len, uint64_t lo,
		    uint64_t hi, uint64_t *out)
{
	uint64_t below, top, bottom;

	if (!n || n->max_gap < len)
		return false;
	below = n->start - n->gap; /* the end of the VMA before n */
	/* Gaps to the right start at or above n->end: none below hi. */
	if (n->end < hi && topdown(n->right, len, lo, hi, out))
		return true;
	top = n->start < hi ? n->start : hi;
	bottom = below > lo ? below : lo;
	if (top > bottom && top - bottom >= len) {
		*out = mm_page_down(top - len);
		return true;
	}
	/* Gaps to the left end below `below`: none fits if it is that low. */
	if (below <= lo || below - lo <= len)
		return false;
	return topdown(n->left, len, lo, hi, out);
}

int vma_find_free_topdown(struct vma_list *l, uint64_t len, uint64_t lo,
			  uint64_t hi, uint64_t *out)
{
	struct vma *last = vma_last(l);
	uint64_t bottom;

	if (!len || !mm_page_aligned(len) || lo >= hi || hi - lo < len)
		return -ENOMEM;
	/* The gap above the last VMA is no node's: try it first. */
	bottom = last && last->end > lo ? last->end : lo;
	if (bottom < hi && hi - bottom >= len) {
		*out = mm_page_down(hi - len);
		return 0;
	}
	return topdown(l->root, len, lo, hi, out) ? 0 : -ENOMEM;
}
