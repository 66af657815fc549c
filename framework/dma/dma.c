/* framework/dma/dma.c: DMA buffers as handles.
 *
 * Layer: framework. A buffer is 2^order contiguous kernel frames, so no
 * user mapping can ever alias it (frames of the kernel kind are refused
 * by the user mapping code) and the device address is simply the physical
 * one. With an IOMMU (arch/x86_64/vtd.c) a buffer's frames are mapped for
 * devices at those same addresses while it lives, and unmapped before it
 * is freed, so devices reach nothing else; without one they reach all RAM.
 *
 * Freed buffers' frames never go back to the frame allocator: they wait
 * in a pool for the next DMA buffer of their size. A device still writing
 * into a buffer its driver freed too early (nothing in C or in the CPU
 * stops a device) then hits another DMA buffer, never a page table, a
 * kernel stack or a framework object. Every call checks that the handle is
 * live (internal/handle.h). */
#include <fw/dma.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/panic.h>
#include "internal/frame.h"
#include "internal/mem.h"
#include "internal/handle.h"
#include "internal/heap.h"
#include "internal/iommu.h"
#include <fw/sync.h>

#define DMA_MAX_ORDER 10 /* 4 MiB */

struct fw_dma {
	struct handle hdl; /* HANDLE_DMA while allocated */
	uint64_t phys;     /* first byte */
	size_t len;        /* as asked */
	unsigned order;    /* 2^order frames */
};

/* Runs of freed buffers, by order, linked through their first 8 bytes.
 * A device (or a stale CPU view) may scribble on a freed run, so a link is
 * trusted only if its frame is tagged as a DMA run of that order: DMA
 * frames are heap-partition frames with an owner tag no heap partition
 * uses (internal/frame.h). */
#define DMA_OWNER(order) (0x80000000u | (order))

FW_STATIC_ASSERT(__builtin_offsetof(struct fw_dma, hdl) == 0,
		 "handles start with their struct handle");
static uint32_t dma_gens; /* generations handed out */
static struct fw_spinlock pool_lock = FW_SPINLOCK_INIT("dma-pool");
static uint64_t pool[DMA_MAX_ORDER + 1]; /* phys of the first free run */
static uint64_t pool_runs[DMA_MAX_ORDER + 1]; /* how many runs each */

static uint64_t dma_frames_alloc(unsigned order)
{
	uint64_t phys = 0;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&pool_lock);
	if (pool_runs[order]) {
		phys = pool[order];
		/* SAFETY: phys is a run we put on the pool (below). */
		pool[order] = *(uint64_t *)phys_to_virt(phys);
		pool_runs[order]--;
		uint32_t owner;
		if (pool_runs[order] &&
		    (pool[order] & (PAGE_SIZE - 1) ||
		     !kframe_heap_owner(pool[order], &owner) ||
		     owner != DMA_OWNER(order)))
			fw_panic("dma: the free-buffer pool was overwritten "
				 "(a device wrote into a freed DMA buffer)");
	}
	fw_spin_unlock_irqrestore(&pool_lock, fl);
	return phys ? phys : kframe_alloc_heap(order, DMA_OWNER(order));
}

static void dma_frames_free(uint64_t phys, unsigned order)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&pool_lock);
	*(uint64_t *)phys_to_virt(phys) = pool[order];
	pool[order] = phys;
	pool_runs[order]++;
	fw_spin_unlock_irqrestore(&pool_lock, fl);
}

int fw_dma_alloc(size_t len, struct fw_dma **out)
{
	struct fw_dma *d;
	unsigned order = 0;

	if (len == 0 || len > (PAGE_SIZE << DMA_MAX_ORDER))
		return -EINVAL;
	while ((PAGE_SIZE << order) < len)
		order++;
	d = KHEAP_NEW(struct fw_dma);
	if (!d)
		return -ENOMEM;
	d->phys = dma_frames_alloc(order);
	if (!d->phys) {
		kheap_free_typed(d);
		return -ENOMEM;
	}
	/* SAFETY: the frames were just allocated to us and are in the
	 * physical window. */
	__builtin_memset(phys_to_virt(d->phys), 0, PAGE_SIZE << order);
	/* Only now may devices reach them (with an IOMMU: vtd.c). */
	if (iommu_map(d->phys, 1ull << order)) {
		dma_frames_free(d->phys, order);
		kheap_free_typed(d);
		return -ENOMEM;
	}
	handle_init_gen(&d->hdl, HANDLE_DMA, &dma_gens);
	d->len = len;
	d->order = order;
	*out = HANDLE_OUT(d);
	return 0;
}

void fw_dma_free(struct fw_dma *d)
{
	if (!d)
		return;
	d = HANDLE_IN(d, HANDLE_DMA, "fw_dma");
	iommu_unmap(d->phys, 1ull << d->order);
	dma_frames_free(d->phys, d->order);
	handle_kill(&d->hdl);
	kheap_free_typed(d);
}

size_t fw_dma_len(const struct fw_dma *d)
{
	d = HANDLE_IN(d, HANDLE_DMA, "fw_dma");
	return d->len;
}

uint64_t fw_dma_addr(const struct fw_dma *d, size_t off)
{
	d = HANDLE_IN(d, HANDLE_DMA, "fw_dma");
	if (off >= d->len)
		fw_panic("dma: device address of offset %zu in a %zu-byte "
			 "buffer, from %p",
			 off, d->len, __builtin_return_address(0));
	return d->phys + off;
}

struct fw_buf fw_dma_buf(struct fw_dma *d)
{
	d = HANDLE_IN(d, HANDLE_DMA, "fw_dma");
	/* SAFETY: the buffer's frames stay ours until fw_dma_free; the view
	 * is bounded to the length asked for. */
	return fw__buf_make(phys_to_virt(d->phys), d->len);
}

/* x86 (TSO): stores are not reordered with stores nor loads with loads,
 * so wmb and rmb only need to stop the compiler; a store followed by a
 * load needs a real fence. */
void fw_dma_wmb(void)
{
	__asm__ volatile("" ::: "memory");
}

void fw_dma_rmb(void)
{
	__asm__ volatile("" ::: "memory");
}

void fw_dma_mb(void)
{
	__asm__ volatile("mfence" ::: "memory");
}
