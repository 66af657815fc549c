/* fw/dma.h: memory a device reads and writes, as handles.
 *
 * Layer: framework public API. A DMA buffer is physically contiguous,
 * zeroed, kernel-memory the framework keeps out of every user mapping.
 * A driver sees two things about it: the device (bus) address to put in
 * descriptors, and a bounded byte view for the CPU side. It never sees a
 * physical pointer or a raw virtual one. x86 DMA is cache-coherent, so a
 * buffer is both the "coherent" and the "streaming" kind of Linux's DMA
 * API; only ordering needs care, and the barriers below give it. */
#ifndef FW_DMA_H
#define FW_DMA_H

#include <fw/bytes.h>
#include <fw/compiler.h>

struct fw_dma;

/* fw_dma_alloc - a zeroed buffer of at least len bytes (rounded up to a
 * power-of-two number of pages), physically contiguous.
 * Returns 0 and *out, -EINVAL (len 0 or over 4 MiB), -ENOMEM. */
FW_MUST_CHECK int fw_dma_alloc(size_t len, struct fw_dma **out);
/* fw_dma_free - give the buffer back; the device must be done with it.
 * NULL is ignored. */
void fw_dma_free(struct fw_dma *d);
/* fw_dma_len - the usable length asked for at allocation. */
size_t fw_dma_len(const struct fw_dma *d);
/* fw_dma_addr - the device address of byte off (off < length; a bad
 * offset is a driver bug and panics naming the caller). */
uint64_t fw_dma_addr(const struct fw_dma *d, size_t off);
/* fw_dma_buf - the CPU's view of the whole buffer. */
struct fw_buf fw_dma_buf(struct fw_dma *d);

/* Ordering between CPU accesses to DMA memory and device-visible events:
 * wmb before publishing what was written (an avail index), rmb after
 * reading an index the device published and before reading what it
 * covers, mb where a store must be visible before a later load (virtio's
 * notification suppression, spec 2.7.7.2). */
void fw_dma_wmb(void);
void fw_dma_rmb(void);
void fw_dma_mb(void);

#endif
