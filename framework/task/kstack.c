/* framework/task/kstack.c: kernel stacks with guard pages.
 *
 * Layer: framework. Each stack lives in its own 32 KiB slot of the stack
 * area: one unmapped guard page, then 4 mapped pages (16 KiB), then unmapped
 * space. Running off the bottom hits the guard page and faults on the
 * double-fault stack with a clear report, instead of silently overwriting
 * the neighbour. Freed slots keep their pages and are reused, so freeing a
 * stack never needs a TLB shootdown. */
#include <fw/errno.h>
#include <fw/string.h>
#include <fw/sync.h>
#include "internal/frame.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/task.h"

#define KSTACK_PAGES 4
#define KSTACK_SLOT KSTACK_SLOT_SIZE
#define KSTACK_MAX_SLOTS 8192

static struct fw_spinlock kstack_lock = FW_SPINLOCK_INIT("kstack");
static uint64_t next_slot;                 /* slots ever created */
static uint64_t free_slots[KSTACK_MAX_SLOTS];
static unsigned nfree;

static uint64_t slot_va(uint64_t slot)
{
	return KSTACK_AREA + slot * KSTACK_SLOT;
}

/* Map whatever pages of the slot are not mapped yet (all of them for a
 * new slot, none for a reused one, some after an earlier failure). */
static int slot_populate(uint64_t va)
{
	for (unsigned i = 1; i <= KSTACK_PAGES; i++) {
		uint64_t pa;
		if (kpte_lookup(va + i * PAGE_SIZE) & PTE_P)
			continue;
		pa = kframe_alloc(0);
		if (!pa)
			return -ENOMEM;
		if (kmap_page(va + i * PAGE_SIZE, pa, KMAP_RW)) {
			kframe_free(pa, 0);
			return -ENOMEM;
		}
	}
	return 0;
}

int kstack_alloc(uint64_t *slot_out, uint64_t *top)
{
	uint64_t slot;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&kstack_lock);

	if (nfree) {
		slot = free_slots[--nfree];
	} else if (next_slot < KSTACK_MAX_SLOTS) {
		slot = next_slot++;
	} else {
		fw_spin_unlock_irqrestore(&kstack_lock, fl);
		return -ENOMEM;
	}
	fw_spin_unlock_irqrestore(&kstack_lock, fl);

	if (slot_populate(slot_va(slot))) {
		kstack_free(slot); /* keep what was mapped for the next try */
		return -ENOMEM;
	}
	*slot_out = slot;
	*top = slot_va(slot) + (1 + KSTACK_PAGES) * PAGE_SIZE;
	return 0;
}

void kstack_free(uint64_t slot)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&kstack_lock);
	free_slots[nfree++] = slot;
	fw_spin_unlock_irqrestore(&kstack_lock, fl);
}
