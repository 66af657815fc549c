/* framework/dma/dma.c: DMA buffers as handles.
 *
 * Layer: framework. A buffer is 2^order contiguous kernel frames, so no
 * user mapping can ever alias it (frames of the kernel kind are refused
 * by the user mapping code) and the device address is simply the physical
 * one: QEMU's q35 has no IOMMU in our configuration, so bus addresses
 * equal physical addresses. With an IOMMU, fw_dma_alloc is where a device
 * mapping would be made. */
#include <fw/dma.h>
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/panic.h>
#include "internal/frame.h"
#include "internal/mem.h"
#include "internal/heap.h"

#define DMA_MAX_ORDER 10 /* 4 MiB */

struct fw_dma {
	uint64_t phys;   /* first byte */
	size_t len;      /* as asked */
	unsigned order;  /* 2^order frames */
};

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
	d->phys = kframe_alloc(order);
	if (!d->phys) {
		kheap_free(d);
		return -ENOMEM;
	}
	/* SAFETY: the frames were just allocated to us and are in the
	 * physical window. */
	__builtin_memset(phys_to_virt(d->phys), 0, PAGE_SIZE << order);
	d->len = len;
	d->order = order;
	*out = d;
	return 0;
}

void fw_dma_free(struct fw_dma *d)
{
	if (!d)
		return;
	kframe_free(d->phys, d->order);
	kheap_free(d);
}

size_t fw_dma_len(const struct fw_dma *d)
{
	return d->len;
}

uint64_t fw_dma_addr(const struct fw_dma *d, size_t off)
{
	if (off >= d->len)
		fw_panic("dma: device address of offset %zu in a %zu-byte "
			 "buffer, from %p",
			 off, d->len, __builtin_return_address(0));
	return d->phys + off;
}

struct fw_buf fw_dma_buf(struct fw_dma *d)
{
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
