/* framework/mm/buddy.c: binary buddy allocator for physical frame numbers.
 *
 * Layer: framework internal (mm). Pure logic over a caller-owned metadata
 * array; see buddy.h for the model. The caller holds the zone lock.
 *
 * Invariants (checked by buddy_check()):
 *  - a free block of order k starts at a pfn that is a multiple of 2^k, lies
 *    wholly inside the zone, has BUDDY_F_FREE and order k on its head, flags
 *    0 on its other frames, and is on free_head[k];
 *  - no two free blocks of the same order are buddies (coalescing is eager),
 *    except at BUDDY_MAX_ORDER where blocks never merge;
 *  - nfree is the sum of the sizes of all free blocks.
 */
#include <fw/errno.h>
#include "mm/buddy.h"

static inline uint32_t pfn_idx(const struct buddy *b, uint64_t pfn)
{
	return (uint32_t)(pfn - b->base_pfn);
}

static inline uint64_t idx_pfn(const struct buddy *b, uint32_t idx)
{
	return b->base_pfn + idx;
}

/* Push the head @idx of a free block of @order on its list (LIFO: the most
 * recently freed block is the most likely to be cache-warm). */
static void list_push(struct buddy *b, uint32_t idx, unsigned order)
{
	struct buddy_frame *f = &b->meta[idx];
	uint32_t head = b->free_head[order];

	f->prev = BUDDY_NIL;
	f->next = head;
	f->order = (uint8_t)order;
	f->flags = BUDDY_F_FREE;
	if (head != BUDDY_NIL)
		b->meta[head].prev = idx;
	b->free_head[order] = idx;
	b->free_count[order]++;
}

/* Unlink the free block headed by @idx from its list. The caller changes
 * its flags next (to ALLOC, or 0 when it becomes a tail of a merged block). */
static void list_del(struct buddy *b, uint32_t idx)
{
	struct buddy_frame *f = &b->meta[idx];
	unsigned order = f->order;

	if (f->prev != BUDDY_NIL)
		b->meta[f->prev].next = f->next;
	else
		b->free_head[order] = f->next;
	if (f->next != BUDDY_NIL)
		b->meta[f->next].prev = f->prev;
	f->prev = BUDDY_NIL;
	f->next = BUDDY_NIL;
	f->flags = 0;
	b->free_count[order]--;
}

void buddy_init(struct buddy *b, struct buddy_frame *meta, uint64_t base_pfn,
		uint64_t nframes)
{
	uint64_t i;
	unsigned k;

	if (nframes > BUDDY_MAX_FRAMES)
		nframes = BUDDY_MAX_FRAMES;
	/* Keep base + nframes representable so range arithmetic never wraps. */
	if (nframes > UINT64_MAX - base_pfn)
		nframes = UINT64_MAX - base_pfn;
	b->meta = meta;
	b->base_pfn = base_pfn;
	b->nframes = nframes;
	b->nfree = 0;
	for (k = 0; k < BUDDY_NR_ORDERS; k++) {
		b->free_head[k] = BUDDY_NIL;
		b->free_count[k] = 0;
	}
	for (i = 0; i < nframes; i++) {
		meta[i].prev = BUDDY_NIL;
		meta[i].next = BUDDY_NIL;
		meta[i].order = 0;
		meta[i].flags = BUDDY_F_RESERVED;
		meta[i].spare = 0;
	}
}

/* Put the block of @order at @pfn (already validated, head not on a list)
 * back on the free lists, merging with its buddy while the buddy is a free
 * block of the same order. */
static void free_block(struct buddy *b, uint64_t pfn, unsigned order)
{
	b->nfree += (uint64_t)1 << order;
	while (order < BUDDY_MAX_ORDER) {
		uint64_t bpfn = pfn ^ ((uint64_t)1 << order);
		struct buddy_frame *bf;

		if (!buddy_contains(b, bpfn))
			break;
		bf = &b->meta[pfn_idx(b, bpfn)];
		/* A free head of the same order: the whole buddy block is free
		 * and inside the zone (it got on the list only that way). */
		if (bf->flags != BUDDY_F_FREE || bf->order != order)
			break;
		list_del(b, pfn_idx(b, bpfn));
		/* The higher of the two heads becomes a tail: list_del and the
		 * line below leave it with flags 0. */
		b->meta[pfn_idx(b, pfn)].flags = 0;
		pfn &= ~((uint64_t)1 << order);
		order++;
	}
	list_push(b, pfn_idx(b, pfn), order);
}

void buddy_free_range(struct buddy *b, uint64_t pfn, uint64_t count)
{
	uint64_t end, zone_end = b->base_pfn + b->nframes;

	/* Clip to the zone, guarding against pfn + count wrapping. */
	end = count > UINT64_MAX - pfn ? UINT64_MAX : pfn + count;
	if (pfn < b->base_pfn)
		pfn = b->base_pfn;
	if (end > zone_end)
		end = zone_end;

	while (pfn < end) {
		uint64_t run = 0, n, i;
		unsigned order;

		/* Skip frames that are not reserved: already donated. */
		if (b->meta[pfn_idx(b, pfn)].flags != BUDDY_F_RESERVED) {
			pfn++;
			continue;
		}
		/* Largest order allowed by alignment and the range end... */
		order = 0;
		while (order < BUDDY_MAX_ORDER &&
		       !(pfn & ((uint64_t)1 << order)) &&
		       end - pfn >= ((uint64_t)2 << order))
			order++;
		/* ...then by the run of still-reserved frames. */
		n = (uint64_t)1 << order;
		while (run < n &&
		       b->meta[pfn_idx(b, pfn + run)].flags == BUDDY_F_RESERVED)
			run++;
		while (((uint64_t)1 << order) > run)
			order--;
		n = (uint64_t)1 << order;
		for (i = 0; i < n; i++)
			b->meta[pfn_idx(b, pfn + i)].flags = 0;
		free_block(b, pfn, order);
		pfn += n;
	}
}

int64_t buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned k;
	uint32_t idx;

	if (FW_UNLIKELY(order > BUDDY_MAX_ORDER))
		return -EINVAL;
	for (k = order; k < BUDDY_NR_ORDERS; k++)
		if (b->free_head[k] != BUDDY_NIL)
			break;
	if (k == BUDDY_NR_ORDERS)
		return -ENOMEM;

	idx = b->free_head[k];
	list_del(b, idx);
	/* Split: keep the low half, return the high half to the lists. The
	 * high half's buddy (our low half) is in use, so no merge is possible
	 * and a plain push suffices. */
	while (k > order) {
		k--;
		list_push(b, idx + ((uint32_t)1 << k), k);
	}
	b->meta[idx].order = (uint8_t)order;
	b->meta[idx].flags = BUDDY_F_ALLOC;
	b->nfree -= (uint64_t)1 << order;
	return (int64_t)idx_pfn(b, idx);
}

int buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	struct buddy_frame *f;

	if (FW_UNLIKELY(order > BUDDY_MAX_ORDER || !buddy_contains(b, pfn) ||
			(pfn & (((uint64_t)1 << order) - 1))))
		return -EINVAL;
	f = &b->meta[pfn_idx(b, pfn)];
	/* The head must say "allocated with this order"; anything else is a
	 * double free, a tail, a reserved frame or a wrong order. */
	if (FW_UNLIKELY(f->flags != BUDDY_F_ALLOC || f->order != order))
		return -EINVAL;
	f->flags = 0;
	free_block(b, pfn, order);
	return 0;
}

int buddy_alloc_order(const struct buddy *b, uint64_t pfn)
{
	const struct buddy_frame *f;

	if (!buddy_contains(b, pfn))
		return -EINVAL;
	f = &b->meta[pfn_idx(b, pfn)];
	if (f->flags != BUDDY_F_ALLOC)
		return -EINVAL;
	return f->order;
}

uint64_t buddy_free_frames(const struct buddy *b)
{
	return b->nfree;
}

bool buddy_is_free(const struct buddy *b, uint64_t pfn)
{
	unsigned k;

	if (!buddy_contains(b, pfn))
		return false;
	/* The block holding pfn, if free, has its head at pfn rounded down to
	 * some order k with order field >= k. The first head found going up
	 * decides: a non-zero flag marks the block that covers pfn, unless
	 * that block is too small to reach pfn. */
	for (k = 0; k < BUDDY_NR_ORDERS; k++) {
		uint64_t head = pfn & ~(((uint64_t)1 << k) - 1);
		const struct buddy_frame *f;

		if (!buddy_contains(b, head))
			return false;
		f = &b->meta[pfn_idx(b, head)];
		if (f->flags == 0)
			continue;
		if (pfn - head >= ((uint64_t)1 << f->order))
			return false;
		return f->flags == BUDDY_F_FREE;
	}
	return false;
}

int buddy_check(const struct buddy *b)
{
	uint64_t total = 0, heads = 0, i;
	unsigned k;

	for (k = 0; k < BUDDY_NR_ORDERS; k++) {
		uint32_t idx = b->free_head[k], prev = BUDDY_NIL, n = 0;

		while (idx != BUDDY_NIL) {
			const struct buddy_frame *f;
			uint64_t pfn, j, size = (uint64_t)1 << k;

			if (idx >= b->nframes || n > b->nframes)
				return -EINVAL; /* wild link or a cycle */
			f = &b->meta[idx];
			pfn = idx_pfn(b, idx);
			if (f->flags != BUDDY_F_FREE || f->order != k ||
			    f->prev != prev || (pfn & (size - 1)) ||
			    idx + size > b->nframes)
				return -EINVAL;
			for (j = 1; j < size; j++)
				if (b->meta[idx + j].flags != 0)
					return -EINVAL;
			if (k < BUDDY_MAX_ORDER) {
				uint64_t bp = pfn ^ size;

				if (buddy_contains(b, bp) &&
				    b->meta[pfn_idx(b, bp)].flags ==
					    BUDDY_F_FREE &&
				    b->meta[pfn_idx(b, bp)].order == k)
					return -EINVAL; /* missed a merge */
			}
			total += size;
			prev = idx;
			idx = f->next;
			n++;
		}
		if (n != b->free_count[k])
			return -EINVAL;
	}
	if (total != b->nfree)
		return -EINVAL;
	/* Every FREE head must have been reached from a list. */
	for (i = 0; i < b->nframes; i++)
		if (b->meta[i].flags == BUDDY_F_FREE)
			heads++;
	for (k = 0; k < BUDDY_NR_ORDERS; k++)
		heads -= b->free_count[k];
	return heads == 0 ? 0 : -EINVAL;
}
