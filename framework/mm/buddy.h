/* framework/mm/buddy.h: binary buddy allocator for physical frame numbers.
 *
 * Layer: framework internal (mm). Pure logic: no hardware, no globals, no
 * locking. The caller (the frames module) owns one `struct buddy` per zone,
 * holds the zone lock around every call, and supplies the per-frame metadata
 * array, so the same code runs in the kernel and in tests/unit/buddy_test.c.
 *
 * Model. A zone is the pfn range [base_pfn, base_pfn + nframes). Blocks are
 * runs of 2^order frames whose first pfn is a multiple of 2^order in absolute
 * pfn terms (not relative to base_pfn), so an order-9 block is a 2 MiB-aligned
 * physical run and can back a huge page. A zone whose base is not aligned
 * simply has smaller blocks at its edges.
 *
 * Metadata. Every frame has one `struct buddy_frame` (12 bytes, 0.29% of the
 * memory it describes). Only the first frame ("head") of a block carries
 * state; the other frames of a block have flags == 0. Free blocks are linked
 * per order through 32-bit indices into the metadata array (intrusive, so no
 * allocation is ever needed to free), which caps a zone at 2^32 - 2 frames
 * (16 TiB); the frames module splits larger memories into several zones.
 *
 * Why state lives in the head: buddy_free() can then reject a double free,
 * a free of a tail frame, a free with the wrong order and a free of memory
 * never donated, all in O(1), before it touches a list. A corrupted free list
 * would otherwise hand the same frame to two owners much later, far from the
 * bug.
 */
#ifndef FW_MM_BUDDY_H
#define FW_MM_BUDDY_H

#include <fw/compiler.h>

/* Largest block: 2^10 frames = 4 MiB. */
#define BUDDY_MAX_ORDER 10
/* Number of free lists (orders 0..BUDDY_MAX_ORDER). */
#define BUDDY_NR_ORDERS (BUDDY_MAX_ORDER + 1)
/* "No frame" in the index-linked lists. */
#define BUDDY_NIL UINT32_MAX
/* Largest zone one `struct buddy` can describe (indices must stay < NIL). */
#define BUDDY_MAX_FRAMES ((uint64_t)UINT32_MAX - 1)

/* buddy_frame.flags values (exactly one set on a head, none on a tail). */
#define BUDDY_F_FREE 0x01     /* head of a free block, on free_head[order] */
#define BUDDY_F_ALLOC 0x02    /* head of a block returned by buddy_alloc() */
#define BUDDY_F_RESERVED 0x04 /* never donated: firmware, kernel image, hole */

/* Per-frame metadata: 12 bytes. Opaque to callers; exposed only so they can
 * size the array (nframes * sizeof(struct buddy_frame)). */
struct buddy_frame {
	uint32_t prev;  /* free list: previous head index, or BUDDY_NIL */
	uint32_t next;  /* free list: next head index, or BUDDY_NIL */
	uint8_t order;  /* head only: block order */
	uint8_t flags;  /* BUDDY_F_* on a head, 0 on a tail */
	uint16_t spare; /* padding, kept 0 (room for a future owner tag) */
};
FW_STATIC_ASSERT(sizeof(struct buddy_frame) == 12,
		 "buddy metadata must stay small: it is paid per 4 KiB frame");

/* One zone. All fields are guarded by the caller's zone lock. */
struct buddy {
	struct buddy_frame *meta;            /* meta[i] describes base_pfn + i */
	uint64_t base_pfn;                   /* first pfn of the zone */
	uint64_t nframes;                    /* frames in the zone */
	uint64_t nfree;                      /* frames on the free lists */
	uint32_t free_head[BUDDY_NR_ORDERS]; /* per-order list heads (index) */
	uint32_t free_count[BUDDY_NR_ORDERS]; /* blocks on each list */
};

/* buddy_init - set up an empty zone.
 * @b: the zone to initialise.
 * @meta: caller-provided array of @nframes entries; overwritten.
 * @base_pfn: first pfn of the zone (any alignment).
 * @nframes: frames in the zone; values above BUDDY_MAX_FRAMES are clamped
 *           (the caller should split larger memories into several zones).
 *
 * Every frame starts reserved: nothing can be allocated until
 * buddy_free_range() donates usable memory. O(nframes).
 */
void buddy_init(struct buddy *b, struct buddy_frame *meta, uint64_t base_pfn,
		uint64_t nframes);

/* buddy_free_range - donate usable frames (a memory-map entry) to the zone.
 * @b: the zone.
 * @pfn: first frame of the range.
 * @count: frames in the range.
 *
 * The range is clipped to the zone. Only frames still reserved are donated:
 * frames already free or allocated are skipped, so overlapping or repeated
 * memory-map entries cannot put a frame on a list twice. The donated frames
 * are cut into maximal aligned blocks which coalesce with free neighbours.
 * O(count + number of blocks * BUDDY_MAX_ORDER).
 */
void buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count);

/* buddy_alloc - allocate 2^@order contiguous frames.
 * @b: the zone.
 * @order: 0..BUDDY_MAX_ORDER.
 *
 * Returns the first pfn of the block, which is a multiple of 2^@order, or
 * -ENOMEM if no block of that order is free, or -EINVAL if @order is larger
 * than BUDDY_MAX_ORDER. O(BUDDY_MAX_ORDER).
 */
FW_MUST_CHECK int64_t buddy_alloc(struct buddy *b, unsigned order);

/* buddy_free - give back a block obtained from buddy_alloc().
 * @b: the zone.
 * @pfn: the value buddy_alloc() returned.
 * @order: the order it was allocated with.
 *
 * Coalesces the block with its free buddies. Returns 0, or -EINVAL (and
 * changes nothing) if @pfn is outside the zone, not aligned to @order,
 * @order is too large, or @pfn is not the head of a block currently
 * allocated with exactly @order: double free, a tail frame, a reserved
 * frame, or the wrong order. O(BUDDY_MAX_ORDER).
 */
FW_MUST_CHECK int buddy_free(struct buddy *b, uint64_t pfn, unsigned order);

/* buddy_alloc_order - order of the allocated block whose head is @pfn.
 * Returns 0..BUDDY_MAX_ORDER, or -EINVAL if @pfn is not the head of an
 * allocated block in this zone. Lets a caller free without storing orders.
 */
FW_MUST_CHECK int buddy_alloc_order(const struct buddy *b, uint64_t pfn);

/* buddy_free_frames - frames currently on the free lists. O(1). */
uint64_t buddy_free_frames(const struct buddy *b);

/* buddy_is_free - whether @pfn lies inside a free block (false outside the
 * zone). O(BUDDY_MAX_ORDER); meant for tests and assertions.
 */
bool buddy_is_free(const struct buddy *b, uint64_t pfn);

/* buddy_contains - whether @pfn belongs to this zone. O(1). */
static inline bool buddy_contains(const struct buddy *b, uint64_t pfn)
{
	return pfn >= b->base_pfn && pfn - b->base_pfn < b->nframes;
}

/* buddy_check - verify every invariant of the zone: list links, head/tail
 * flags, alignment, no free buddy pair left uncoalesced, counters.
 * Returns 0 or -EINVAL at the first violation. O(nframes): for tests and
 * debug-build self checks, never on a fast path.
 */
FW_MUST_CHECK int buddy_check(const struct buddy *b);

#endif
