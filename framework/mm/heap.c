/* framework/mm/heap.c: the kernel heap, slab.c on kernel frames.
 *
 * Layer: framework. One heap behind one IRQ-safe lock (per-CPU caches are a
 * later optimisation, to be measured first). Pages come from kframe_alloc
 * and are reached through the physical window. Corruption found by the
 * slab checks is a panic naming the object. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/panic.h>
#include <fw/sync.h>
#include "internal/frame.h"
#include "internal/heap.h"
#include "internal/mem.h"
#include "mm/slab.h"

static struct slab_heap kheap;
static struct fw_spinlock heap_lock = FW_SPINLOCK_INIT("heap");

static unsigned order_for(size_t npages)
{
	unsigned order = 0;
	while ((1ull << order) < npages)
		order++;
	return order;
}

static void *heap_alloc_pages(void *ctx, size_t npages)
{
	uint64_t phys = kframe_alloc(order_for(npages));
	(void)ctx;
	return phys ? phys_to_virt(phys) : 0;
}

static void heap_free_pages(void *ctx, void *p, size_t npages)
{
	(void)ctx;
	kframe_free(virt_to_phys(p), order_for(npages));
}

static void heap_corruption(void *ctx, const char *what, const void *addr)
{
	(void)ctx;
	fw_panic("heap: %s at %p", what, addr);
}

static const struct slab_page_ops heap_ops = {
	.alloc_pages = heap_alloc_pages,
	.free_pages = heap_free_pages,
	.corruption = heap_corruption,
};

void heap_init(void)
{
	slab_heap_init(&kheap, &heap_ops, 0, FW_DEBUG);
}

void *fw__alloc(size_t size)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	void *p = slab_zalloc(&kheap, size);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
	return p;
}

void fw_free(void *obj)
{
	if (!obj)
		return;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	slab_free(&kheap, obj);
	fw_spin_unlock_irqrestore(&heap_lock, fl);
}

int fw_buf_alloc(size_t len, struct fw_buf *out)
{
	void *p;

	if (len == 0 || len > (64u << 20))
		return -EINVAL;
	p = fw__alloc(len);
	if (!p)
		return -ENOMEM;
	*out = fw__buf_make(p, len);
	return 0;
}

void fw_buf_free(struct fw_buf *buf)
{
	fw_free(fw__buf_ptr(*buf));
	*buf = fw__buf_make(0, 0);
}

size_t fw_heap_used(void)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&heap_lock);
	size_t n = slab_heap_stats(&kheap).bytes_in_use;
	fw_spin_unlock_irqrestore(&heap_lock, fl);
	return n;
}
