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

/* The list is sorted and non-overlapping, and count matches. */
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
	return n == l->count;
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

int main(void)
{
	TEST_SUITE("vma");
	RUN(insert_find);
	RUN(split_keeps_file_refs);
	RUN(isolate_remove_middle);
	RUN(isolate_remove_span);
	RUN(merge);
	RUN(find_free);
	HARNESS_EXIT();
}
