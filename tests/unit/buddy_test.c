/* tests/unit/buddy_test.c: host tests for the buddy frame allocator.
 *
 * Layer: host unit test of framework/mm/buddy.c (pure logic). The reference
 * model is a plain byte-per-frame map of who owns what; every allocation is
 * checked against it for overlap, alignment and zone bounds, and
 * buddy_check() verifies the allocator's own invariants after each phase.
 *
 * unit-sources: framework/mm/buddy.c */
#include <stdint.h>
#include <string.h>

#include <fw/errno.h>
#include "harness.h"
#include "mm/buddy.h"

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

struct zone {
	struct buddy b;
	struct buddy_frame *meta;
	uint8_t *ref; /* per frame: 0 reserved, 1 free, 2 allocated */
};

static void zone_make(struct zone *z, uint64_t base, uint64_t n)
{
	z->meta = calloc(n ? n : 1, sizeof(*z->meta));
	z->ref = calloc(n ? n : 1, 1);
	buddy_init(&z->b, z->meta, base, n);
}

static void zone_donate(struct zone *z, uint64_t pfn, uint64_t count)
{
	uint64_t i;

	buddy_free_range(&z->b, pfn, count);
	for (i = 0; i < count && pfn + i >= pfn; i++) {
		uint64_t p = pfn + i;

		if (buddy_contains(&z->b, p) && z->ref[p - z->b.base_pfn] == 0)
			z->ref[p - z->b.base_pfn] = 1;
	}
}

static void zone_drop(struct zone *z)
{
	free(z->meta);
	free(z->ref);
}

/* Model and allocator agree on every frame's freeness. */
static int zone_agrees(struct zone *z)
{
	uint64_t i, nfree = 0;

	for (i = 0; i < z->b.nframes; i++) {
		bool f = z->ref[i] == 1;

		if (f != buddy_is_free(&z->b, z->b.base_pfn + i))
			return 0;
		nfree += f;
	}
	return nfree == buddy_free_frames(&z->b) && buddy_check(&z->b) == 0;
}

static void test_init_all_reserved(void)
{
	struct zone z;

	zone_make(&z, 1000, 64);
	CHECK(buddy_free_frames(&z.b) == 0);
	CHECK(buddy_alloc(&z.b, 0) == -ENOMEM);
	CHECK(buddy_free(&z.b, 1000, 0) == -EINVAL); /* reserved, not allocated */
	CHECK(buddy_check(&z.b) == 0);
	zone_drop(&z);
}

static void test_single_block(void)
{
	struct zone z;
	int64_t p;

	zone_make(&z, 0, 1024);
	zone_donate(&z, 0, 1024);
	CHECK(buddy_free_frames(&z.b) == 1024);
	CHECK(z.b.free_count[BUDDY_MAX_ORDER] == 1);
	p = buddy_alloc(&z.b, 0);
	CHECK(p >= 0 && p < 1024);
	CHECK(buddy_free_frames(&z.b) == 1023);
	/* one block of each order 0..9 remains after the split */
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		CHECK(z.b.free_count[k] == 1);
	CHECK(buddy_check(&z.b) == 0);
	CHECK(buddy_alloc_order(&z.b, (uint64_t)p) == 0);
	CHECK(buddy_free(&z.b, (uint64_t)p, 0) == 0);
	CHECK(z.b.free_count[BUDDY_MAX_ORDER] == 1);
	CHECK(buddy_free_frames(&z.b) == 1024);
	CHECK(buddy_alloc(&z.b, BUDDY_MAX_ORDER + 1) == -EINVAL);
	p = buddy_alloc(&z.b, BUDDY_MAX_ORDER);
	CHECK(p == 0);
	CHECK(buddy_alloc(&z.b, 0) == -ENOMEM);
	CHECK(buddy_free(&z.b, 0, BUDDY_MAX_ORDER) == 0);
	CHECK(buddy_check(&z.b) == 0);
	zone_drop(&z);
}

/* Allocate every frame as order 0, free every other one: 50% is free, yet
 * no order-1 block exists until a neighbour comes back. */
static void test_fragmentation(void)
{
	struct zone z;
	int64_t pf[256];
	uint64_t i;

	zone_make(&z, 256, 256);
	zone_donate(&z, 256, 256);
	for (i = 0; i < 256; i++) {
		pf[i] = buddy_alloc(&z.b, 0);
		CHECK(pf[i] >= 256 && pf[i] < 512);
	}
	CHECK(buddy_alloc(&z.b, 0) == -ENOMEM);
	for (i = 0; i < 256; i++)
		if (pf[i] % 2 == 0)
			CHECK(buddy_free(&z.b, (uint64_t)pf[i], 0) == 0);
	CHECK(buddy_free_frames(&z.b) == 128);
	CHECK(buddy_alloc(&z.b, 1) == -ENOMEM);
	CHECK(buddy_check(&z.b) == 0);
	/* Free pfn 301: buddy of 300, so exactly one order-1 block appears. */
	CHECK(buddy_free(&z.b, 301, 0) == 0);
	CHECK(buddy_is_free(&z.b, 300) && buddy_is_free(&z.b, 301));
	CHECK(buddy_alloc(&z.b, 1) == 300);
	CHECK(buddy_alloc(&z.b, 1) == -ENOMEM);
	CHECK(buddy_free(&z.b, 300, 1) == 0);
	for (i = 0; i < 256; i++)
		if (pf[i] % 2 == 1 && pf[i] != 301)
			CHECK(buddy_free(&z.b, (uint64_t)pf[i], 0) == 0);
	CHECK(buddy_free_frames(&z.b) == 256);
	/* 256 frames at pfn 256: fully coalesced into one order-8 block. */
	CHECK(z.b.free_count[8] == 1);
	CHECK(buddy_check(&z.b) == 0);
	zone_drop(&z);
}

static void test_bad_frees(void)
{
	struct zone z;
	struct buddy snap;
	struct buddy_frame *msnap;
	int64_t p, q;

	zone_make(&z, 64, 128);
	zone_donate(&z, 64, 128);
	p = buddy_alloc(&z.b, 2);
	q = buddy_alloc(&z.b, 0);
	CHECK(p >= 0 && q >= 0 && p % 4 == 0);

	snap = z.b;
	msnap = malloc(128 * sizeof(*msnap));
	memcpy(msnap, z.meta, 128 * sizeof(*msnap));

	CHECK(buddy_free(&z.b, 63, 0) == -EINVAL);           /* below zone */
	CHECK(buddy_free(&z.b, 64 + 128, 0) == -EINVAL);     /* above zone */
	CHECK(buddy_free(&z.b, UINT64_MAX, 0) == -EINVAL);
	CHECK(buddy_free(&z.b, (uint64_t)p + 1, 0) == -EINVAL); /* tail frame */
	CHECK(buddy_free(&z.b, (uint64_t)p + 2, 1) == -EINVAL); /* tail, aligned */
	CHECK(buddy_free(&z.b, (uint64_t)p, 1) == -EINVAL);  /* wrong order */
	CHECK(buddy_free(&z.b, (uint64_t)p, 3) == -EINVAL);  /* wrong order */
	CHECK(buddy_free(&z.b, (uint64_t)p, 11) == -EINVAL); /* bad order */
	CHECK(buddy_free(&z.b, (uint64_t)q | 1, 1) == -EINVAL);
	CHECK(buddy_alloc_order(&z.b, (uint64_t)p + 1) == -EINVAL);
	/* Nothing changed. */
	CHECK(memcmp(&snap, &z.b, sizeof(snap)) == 0);
	CHECK(memcmp(msnap, z.meta, 128 * sizeof(*msnap)) == 0);

	CHECK(buddy_alloc_order(&z.b, (uint64_t)p) == 2);
	CHECK(buddy_free(&z.b, (uint64_t)p, 2) == 0);
	snap = z.b;
	memcpy(msnap, z.meta, 128 * sizeof(*msnap));
	/* Double free: rejected, state intact, whether or not it merged. */
	CHECK(buddy_free(&z.b, (uint64_t)p, 2) == -EINVAL);
	CHECK(buddy_free(&z.b, (uint64_t)p, 0) == -EINVAL);
	CHECK(memcmp(&snap, &z.b, sizeof(snap)) == 0);
	CHECK(memcmp(msnap, z.meta, 128 * sizeof(*msnap)) == 0);
	CHECK(buddy_free(&z.b, (uint64_t)q, 0) == 0);
	CHECK(buddy_free(&z.b, (uint64_t)q, 0) == -EINVAL);
	CHECK(buddy_free_frames(&z.b) == 128);
	CHECK(buddy_check(&z.b) == 0);
	free(msnap);
	zone_drop(&z);
}

/* A memory map with holes, an unaligned zone base, overlapping and repeated
 * entries and entries reaching outside the zone. */
static void test_holes_and_unaligned(void)
{
	struct zone z;
	uint64_t base = 3, n = 5000, i;
	int64_t p;

	zone_make(&z, base, n);
	zone_donate(&z, 0, 100);       /* starts below the zone */
	zone_donate(&z, 150, 1000);
	zone_donate(&z, 500, 300);     /* overlaps the previous entry */
	zone_donate(&z, 150, 1000);    /* repeated */
	zone_donate(&z, 1200, 1);
	zone_donate(&z, 1202, 3);
	zone_donate(&z, 3001, 4000);   /* runs past the zone end */
	zone_donate(&z, UINT64_MAX - 5, 100); /* wraps: ignored */
	CHECK(zone_agrees(&z));
	CHECK(buddy_free_frames(&z.b) == 97 + 1000 + 1 + 3 + (base + n - 3001));
	/* Holes stay reserved. */
	CHECK(!buddy_is_free(&z.b, 100) && !buddy_is_free(&z.b, 149));
	CHECK(!buddy_is_free(&z.b, 1201) && !buddy_is_free(&z.b, 2000));
	CHECK(!buddy_is_free(&z.b, 2) && !buddy_is_free(&z.b, base + n));
	/* Drain everything, order 0, checking each frame is donated memory. */
	for (i = 0;; i++) {
		p = buddy_alloc(&z.b, 0);
		if (p < 0)
			break;
		CHECKF(z.ref[p - base] == 1, "pfn %lld not donated", (long long)p);
		z.ref[p - base] = 2;
	}
	CHECK(p == -ENOMEM);
	CHECK(buddy_free_frames(&z.b) == 0);
	CHECK(zone_agrees(&z));
	/* Give it all back: must re-coalesce to the initial block shape. */
	for (i = 0; i < n; i++)
		if (z.ref[i] == 2) {
			CHECK(buddy_free(&z.b, base + i, 0) == 0);
			z.ref[i] = 1;
		}
	CHECK(zone_agrees(&z));
	/* 150..1149: largest aligned block inside is 512 @ 512 → order 9. */
	CHECK(z.b.free_count[9] >= 1);
	zone_drop(&z);
}

/* Random orders, random frees, checked against the model for overlap and
 * alignment; at the end everything is freed and the zone must look exactly
 * as freshly donated. */
static void test_random_stress(void)
{
	enum { N = 1 << 14, LIVE = 4096 };
	struct zone z;
	uint32_t fresh[BUDDY_NR_ORDERS];
	struct { int64_t pfn; unsigned order; } live[LIVE];
	unsigned nlive = 0, iter;
	uint64_t base = 777, donated;

	zone_make(&z, base, N);
	zone_donate(&z, base, 5000);
	zone_donate(&z, base + 6000, N - 6000 - 17);
	donated = buddy_free_frames(&z.b);
	memcpy(fresh, z.b.free_count, sizeof(fresh));
	CHECK(zone_agrees(&z));

	for (iter = 0; iter < 200000; iter++) {
		bool do_alloc = nlive == 0 ||
				(nlive < LIVE && (rng() % 100) < 55);

		if (do_alloc) {
			/* Small orders are the common case. */
			unsigned order = (unsigned)(rng() % 100);
			int64_t p;
			uint64_t k, size;

			order = order < 60 ? 0 : order < 80 ? 1 :
				order < 90 ? (unsigned)(rng() % 4) + 2 :
					     (unsigned)(rng() % 11);
			p = buddy_alloc(&z.b, order);
			if (p == -ENOMEM)
				continue;
			size = 1ull << order;
			CHECKF(p >= 0, "alloc returned %lld", (long long)p);
			CHECKF((uint64_t)p % size == 0, "pfn %lld order %u",
			       (long long)p, order);
			CHECK((uint64_t)p >= base && (uint64_t)p + size <= base + N);
			for (k = 0; k < size; k++) {
				CHECKF(z.ref[p - base + k] == 1,
				       "pfn %llu handed out twice or reserved",
				       (unsigned long long)(p + k));
				z.ref[p - base + k] = 2;
			}
			live[nlive].pfn = p;
			live[nlive].order = order;
			nlive++;
		} else {
			unsigned i = (unsigned)(rng() % nlive), k;

			CHECK(buddy_free(&z.b, (uint64_t)live[i].pfn,
					 live[i].order) == 0);
			for (k = 0; k < (1u << live[i].order); k++)
				z.ref[live[i].pfn - base + k] = 1;
			/* every so often, a double free must bounce */
			if (rng() % 64 == 0)
				CHECK(buddy_free(&z.b, (uint64_t)live[i].pfn,
						 live[i].order) == -EINVAL);
			live[i] = live[--nlive];
		}
		if (iter % 20000 == 0)
			CHECK(zone_agrees(&z));
	}
	CHECK(zone_agrees(&z));
	while (nlive) {
		nlive--;
		CHECK(buddy_free(&z.b, (uint64_t)live[nlive].pfn,
				 live[nlive].order) == 0);
		for (unsigned k = 0; k < (1u << live[nlive].order); k++)
			z.ref[live[nlive].pfn - base + k] = 1;
	}
	CHECK(buddy_free_frames(&z.b) == donated);
	CHECK(memcmp(fresh, z.b.free_count, sizeof(fresh)) == 0);
	CHECK(zone_agrees(&z));
	zone_drop(&z);
}

static void test_check_catches_corruption(void)
{
	struct zone z;

	zone_make(&z, 0, 64);
	zone_donate(&z, 0, 64);
	CHECK(buddy_check(&z.b) == 0);
	z.meta[32].flags = BUDDY_F_FREE; /* a tail claims to be a free head */
	CHECK(buddy_check(&z.b) == -EINVAL);
	zone_drop(&z);
}

int main(void)
{
	TEST_SUITE("buddy");
	RUN(test_init_all_reserved);
	RUN(test_single_block);
	RUN(test_fragmentation);
	RUN(test_bad_frees);
	RUN(test_holes_and_unaligned);
	RUN(test_random_stress);
	RUN(test_check_catches_corruption);
	HARNESS_EXIT();
}
