/* tests/unit/vma_test.c: the address-space arithmetic of services/mm/vma.c
 * (insert, find, split, isolate/remove as munmap does, merge, top-down
 * free-range search).
 *
 * Layer: host unit test. VMAs come from calloc (fw_host_mm.c), so ASan
 * catches use-after-free in the list surgery; file references are counted
 * to check that splits and frees keep them balanced.
 *
 * unit-sources: services/mm/vma.c tests/unit/fw_host_mm.c */
#include <stdint.h>
#include <stdio.h>

#include <fw/errno.h>

#include "../../services/mm/vma.h"
#include "fw_host_mm.h"
#include "harness.h"

#define P 4096ull

/* A fake file: only its address matters to vma.c. */
static int fake_file_obj;
#define FAKE_FILE ((struct file *)(void *)&fake_file_obj)

static struct vma *mk(uint64_t s, uint64_t e, unsigned prot)
{
	struct vma *v = vma_alloc();

	v->start = s;
	v->end = e;
	v->prot = prot;
	return v;
}

static void clear(struct vma_list *l)
{
	struct vma *v;

	while ((v = vma_first(l))) {
		vma_unlink(l, v);
		vma_free(v);
	}
}

/* The subtree at n is an AVL tree in order over (lo, hi), whose heights
 * and gaps are right; returns its node count, or -1. */
static int tree_ok(struct vma_list *l, struct vma *n, uint64_t lo,
		   uint64_t hi)
{
	int a, b, hl, hr;
	uint64_t g;
	struct vma *p;

	if (!n)
		return 0;
	if (n->start < lo || n->end > hi)
		return -1;
	a = tree_ok(l, n->left, lo, n->start);
	b = tree_ok(l, n->right, n->end, hi);
	if (a < 0 || b < 0)
		return -1;
	hl = n->left ? n->left->height : 0;
	hr = n->right ? n->right->height : 0;
	if (hl - hr > 1 || hr - hl > 1 || n->height != (hl > hr ? hl : hr) + 1)
		return -1;
	p = vma_prev(l, n);
	if (n->gap != n->start - (p ? p->end : 0))
		return -1;
	g = n->gap;
	if (n->left && n->left->max_gap > g)
		g = n->left->max_gap;
	if (n->right && n->right->max_gap > g)
		g = n->right->max_gap;
	if (n->max_gap != g)
		return -1;
	return a + b + 1;
}

/* The list is sorted and non-overlapping, count matches, and the tree
 * holds the same VMAs with its balance and gaps right. */
static int well_formed(struct vma_list *l)
{
	unsigned n = 0;
	uint64_t prev = 0;

	for (struct vma *v = vma_first(l); v; v = vma_next(l, v)) {
		if (v->start >= v->end || v->start < prev)
			return 0;
		prev = v->end;
		n++;
	}
	return n == l->count && tree_ok(l, l->root, 0, ~0ull) == (int)n;
}

static void insert_find(void)
{
	struct vma_list l;
	struct vma *bad;

	vma_list_init(&l);
	CHECK(vma_insert(&l, mk(10 * P, 20 * P, 3)) == 0);
	CHECK(vma_insert(&l, mk(30 * P, 40 * P, 1)) == 0);
	CHECK(vma_insert(&l, mk(0 * P, 5 * P, 1)) == 0);
	CHECK(well_formed(&l) && l.count == 3);
	bad = mk(15 * P, 35 * P, 1);
	CHECK(vma_insert(&l, bad) == -EEXIST);
	vma_free(bad);
	bad = mk(20 * P, 20 * P, 1);
	CHECK(vma_insert(&l, bad) == -EINVAL);
	vma_free(bad);
	bad = mk(21 * P + 1, 22 * P, 1);
	CHECK(vma_insert(&l, bad) == -EINVAL);
	vma_free(bad);
	CHECK(vma_find(&l, 10 * P)->start == 10 * P);
	CHECK(vma_find(&l, 20 * P - 1)->start == 10 * P);
	CHECK(vma_find(&l, 20 * P) == NULL);
	CHECK(vma_find_from(&l, 20 * P)->start == 30 * P);
	CHECK(vma_find_from(&l, 40 * P) == NULL);
	CHECK(vma_range_free(&l, 20 * P, 30 * P));
	CHECK(!vma_range_free(&l, 20 * P, 30 * P + 1));
	CHECK(vma_range_covered(&l, 11 * P, 19 * P));
	CHECK(!vma_range_covered(&l, 11 * P, 31 * P));
	CHECK(vma_range_covered(&l, 0, 0));
	clear(&l);
}

static void split_keeps_file_refs(void)
{
	struct vma_list l;
	struct vma *v = mk(10 * P, 20 * P, 1), *t = NULL;

	vma_list_init(&l);
	host_file_refs = 0;
	v->file = FAKE_FILE;
	v->pgoff = 100 * P;
	host_file_refs = 1; /* the reference v was created with */
	CHECK(vma_insert(&l, v) == 0);
	CHECK(vma_split(&l, v, 10 * P, &t) == -EINVAL);
	CHECK(vma_split(&l, v, 20 * P, &t) == -EINVAL);
	CHECK(vma_split(&l, v, 13 * P + 5, &t) == -EINVAL);
	CHECK(vma_split(&l, v, 13 * P, &t) == 0);
	CHECK(v->end == 13 * P && t->start == 13 * P && t->end == 20 * P);
	CHECK(t->pgoff == 103 * P && t->file == FAKE_FILE);
	CHECK(host_file_refs == 2 && well_formed(&l) && l.count == 2);
	clear(&l);
	CHECK(host_file_refs == 0);
}

/* munmap of the middle of one VMA leaves two. */
static void isolate_remove_middle(void)
{
	struct vma_list l;

	vma_list_init(&l);
	CHECK(vma_insert(&l, mk(10 * P, 20 * P, 3)) == 0);
	CHECK(vma_isolate(&l, 12 * P, 15 * P) == 0);
	CHECK(l.count == 3 && well_formed(&l));
	vma_remove_range(&l, 12 * P, 15 * P);
	CHECK(l.count == 2 && well_formed(&l));
	CHECK(vma_find(&l, 12 * P) == NULL && vma_find(&l, 14 * P) == NULL);
	CHECK(vma_find(&l, 11 * P)->end == 12 * P);
	CHECK(vma_find(&l, 15 * P)->start == 15 * P);
	clear(&l);
}

/* munmap across several VMAs and holes. */
static void isolate_remove_span(void)
{
	struct vma_list l;

	vma_list_init(&l);
	CHECK(vma_insert(&l, mk(10 * P, 20 * P, 3)) == 0);
	CHECK(vma_insert(&l, mk(25 * P, 30 * P, 1)) == 0);
	CHECK(vma_insert(&l, mk(30 * P, 40 * P, 5)) == 0);
	CHECK(vma_isolate(&l, 15 * P, 35 * P) == 0);
	vma_remove_range(&l, 15 * P, 35 * P);
	CHECK(l.count == 2 && well_formed(&l));
	CHECK(vma_find(&l, 14 * P)->end == 15 * P);
	CHECK(vma_find(&l, 35 * P)->start == 35 * P);
	CHECK(vma_range_free(&l, 15 * P, 35 * P));
	/* Removing a range with nothing in it is harmless. */
	CHECK(vma_isolate(&l, 50 * P, 60 * P) == 0);
	vma_remove_range(&l, 50 * P, 60 * P);
	CHECK(l.count == 2);
	clear(&l);
}

static void merge(void)
{
	struct vma_list l;
	struct vma *a = mk(10 * P, 20 * P, 3), *b = mk(20 * P, 30 * P, 3);
	struct vma *c = mk(30 * P, 40 * P, 1), *m;

	vma_list_init(&l);
	CHECK(vma_insert(&l, a) == 0);
	CHECK(vma_insert(&l, c) == 0);
	CHECK(vma_insert(&l, b) == 0);
	m = vma_merge_around(&l, b);
	CHECK(m == a && a->end == 30 * P && l.count == 2); /* b freed */
	/* Different prot: no merge; same prot after "mprotect": merge. */
	CHECK(vma_merge_around(&l, c) == c && l.count == 2);
	c->prot = 3;
	m = vma_merge_around(&l, c);
	CHECK(m == a && a->end == 40 * P && l.count == 1);
	clear(&l);

	/* File VMAs merge only when the offsets continue. */
	host_file_refs = 2;
	a = mk(10 * P, 20 * P, 1);
	b = mk(20 * P, 30 * P, 1);
	a->file = b->file = FAKE_FILE;
	a->pgoff = 0;
	b->pgoff = 11 * P;
	vma_list_init(&l);
	CHECK(vma_insert(&l, a) == 0 && vma_insert(&l, b) == 0);
	CHECK(!vma_mergeable(a, b));
	b->pgoff = 10 * P;
	CHECK(vma_mergeable(a, b));
	CHECK(vma_merge_around(&l, a) == a && l.count == 1);
	CHECK(host_file_refs == 1);
	clear(&l);
	CHECK(host_file_refs == 0);
}

static void find_free(void)
{
	struct vma_list l;
	uint64_t at = 0;

	vma_list_init(&l);
	CHECK(vma_find_free_topdown(&l, 4 * P, 16 * P, 100 * P, &at) == 0);
	CHECK(at == 96 * P);
	CHECK(vma_insert(&l, mk(90 * P, 100 * P, 3)) == 0);
	CHECK(vma_insert(&l, mk(80 * P, 88 * P, 3)) == 0);
	/* The 2-page gap [88, 90) fits 2 pages, not 3. */
	CHECK(vma_find_free_topdown(&l, 2 * P, 16 * P, 100 * P, &at) == 0);
	CHECK(at == 88 * P);
	CHECK(vma_find_free_topdown(&l, 3 * P, 16 * P, 100 * P, &at) == 0);
	CHECK(at == 77 * P);
	/* A VMA straddling hi is no gap. */
	CHECK(vma_find_free_topdown(&l, 1 * P, 16 * P, 95 * P, &at) == 0);
	CHECK(at == 89 * P);
	/* VMAs above hi are ignored. */
	CHECK(vma_insert(&l, mk(200 * P, 210 * P, 3)) == 0);
	CHECK(vma_find_free_topdown(&l, 10 * P, 100 * P, 150 * P, &at) == 0);
	CHECK(at == 140 * P);
	/* Respect lo, and fail when nothing fits. */
	CHECK(vma_find_free_topdown(&l, 65 * P, 16 * P, 100 * P, &at) == -ENOMEM);
	CHECK(vma_find_free_topdown(&l, 64 * P, 16 * P, 100 * P, &at) == 0);
	CHECK(at == 16 * P);
	CHECK(vma_find_free_topdown(&l, 0, 16 * P, 100 * P, &at) == -ENOMEM);
	CHECK(vma_find_free_topdown(&l, P, 100 * P, 100 * P, &at) == -ENOMEM);
	clear(&l);
}

/* The highest fit by a walk of the whole list: the reference the tree's
 * search must agree with. */
static int naive_topdown(struct vma_list *l, uint64_t len, uint64_t lo,
			 uint64_t hi, uint64_t *out)
{
	uint64_t gap_end = ~0ull;

	if (!len || lo >= hi || hi - lo < len)
		return -ENOMEM;
	/* Each gap is [the end of v, gap_end), from the top down. */
	for (struct vma *v = vma_last(l);; v = vma_prev(l, v)) {
		uint64_t top = gap_end < hi ? gap_end : hi;
		uint64_t bottom = v && v->end > lo ? v->end : lo;

		if (top > bottom && top - bottom >= len) {
			*out = top - len;
			return 0;
		}
		if (!v)
			return -ENOMEM;
		gap_end = v->start;
	}
}

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

/* Thousands of random inserts, splits, merges, unmaps and resizes, the
 * tree checked after each against the list, and every free-range search
 * against the naive walk. */
static void random_against_list(void)
{
	struct vma_list l;
	int bad_tree = 0, bad_search = 0;

	vma_list_init(&l);
	for (int i = 0; i < 20000; i++) {
		uint64_t a = rnd(4096) * P, len = (1 + rnd(16)) * P;
		uint64_t at1 = 0, at2 = 0, lo, hi;
		struct vma *v;
		int r1, r2;

		switch (rnd(6)) {
		case 0:
		case 1:
			if (vma_range_free(&l, a, a + len)) {
				v = mk(a, a + len, (unsigned)rnd(2));
				CHECK(vma_insert(&l, v) == 0);
				vma_merge_around(&l, v);
			}
			break;
		case 2:
			if (vma_isolate(&l, a, a + len) == 0)
				vma_remove_range(&l, a, a + len);
			break;
		case 3:
			v = vma_find(&l, a);
			if (v && v->end - v->start > P)
				CHECK(vma_split(&l, v, v->start + P, NULL) == 0);
			break;
		case 4: /* grow in place, as brk and mremap do */
			v = vma_find(&l, a);
			if (v && vma_range_free(&l, v->end, v->end + len))
				vma_set_range(&l, v, v->start, v->end + len);
			break;
		default:
			lo = rnd(4096) * P;
			hi = lo + rnd(4096) * P;
			r1 = vma_find_free_topdown(&l, len, lo, hi, &at1);
			r2 = naive_topdown(&l, len, lo, hi, &at2);
			if (r1 != r2 || at1 != at2)
				bad_search++;
			break;
		}
		if (i % 97 == 0 && !well_formed(&l))
			bad_tree++;
	}
	CHECK(bad_tree == 0 && bad_search == 0 && well_formed(&l));
	CHECK(l.count > 50); /* the run built a real tree */
	clear(&l);
}

/* 60,000 one-page mappings placed top-down, as a program that maps page
 * after page does: each search must be quick (the list walk made this
 * quadratic); the harness's time limit is the check. */
static void many_mappings(void)
{
	struct vma_list l;
	uint64_t at = 0;
	int fails = 0;

	vma_list_init(&l);
	for (unsigned i = 0; i < 60000; i++) {
		if (vma_find_free_topdown(&l, P, 16 * P, 1ull << 40, &at) ||
		    vma_insert(&l, mk(at, at + P, i & 1)))
			fails++;
	}
	CHECK(fails == 0 && l.count == 60000 && well_formed(&l));
	CHECK(l.root->height <= 23); /* 1.44 log2(60000) */
	CHECK(vma_find(&l, (1ull << 40) - 30000 * P)->start ==
	      (1ull << 40) - 30000 * P);
	clear(&l);
}

int main(void)
{
	TEST_SUITE("vma");
	RUN(insert_find);
	RUN(split_keeps_file_refs);
	RUN(isolate_remove_middle);
	RUN(isolate_remove_span);
	RUN(merge);
	RUN(find_free);
	RUN(random_against_list);
	RUN(many_mappings);
	HARNESS_EXIT();
}
