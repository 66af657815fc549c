/* services/drivers/virtio/virtq.c: split virtqueues (virtio 1.2, 2.7).
 *
 * Layer: services (safe C), drivers. One DMA buffer holds a queue's three
 * parts: the descriptor table (16 bytes per entry, 16-byte aligned), the
 * available ring (flags, idx, ring[size], used_event) and the used ring
 * (flags, idx, ring[size] of {id, len}, avail_event, 4-byte aligned).
 * Free descriptors are chained through next[]; a request's token is kept
 * by its head descriptor, which is also the id the device gives back.
 *
 * Locking: vq->lock (a spinlock, taken irqsave) guards the rings, the free
 * list and the tokens; the interrupt handler takes it too. */
#include <fw/dma.h>
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/panic.h>

#include "drivers/virtio/virtq.h"

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u

/* Offsets inside the ring buffer. */
static size_t desc_off(unsigned i)
{
	return 16u * i;
}

static size_t avail_ring_off(const struct virtq *q, unsigned i)
{
	return q->avail_off + 4 + 2u * i;
}

static size_t used_ring_off(const struct virtq *q, unsigned i)
{
	return q->used_off + 4 + 8u * i;
}

/* The ring layout is computed so every access is in bounds: a failure
 * here is a bug in this file, not something a device can cause. */
static void put16(struct virtq *q, size_t off, uint16_t v)
{
	if (fw_buf_put_u16_le(fw_dma_buf(q->ring), off, v))
		fw_panic("virtq: ring store at %zu out of bounds", off);
}

static void put32(struct virtq *q, size_t off, uint32_t v)
{
	if (fw_buf_put_u32_le(fw_dma_buf(q->ring), off, v))
		fw_panic("virtq: ring store at %zu out of bounds", off);
}

static void put64(struct virtq *q, size_t off, uint64_t v)
{
	if (fw_buf_put_u64_le(fw_dma_buf(q->ring), off, v))
		fw_panic("virtq: ring store at %zu out of bounds", off);
}

static uint16_t get16(struct virtq *q, size_t off)
{
	uint16_t v = 0;

	if (fw_bytes_get_u16_le(fw_buf_as_bytes(fw_dma_buf(q->ring)), off, &v))
		fw_panic("virtq: ring load at %zu out of bounds", off);
	return v;
}

static uint32_t get32(struct virtq *q, size_t off)
{
	uint32_t v = 0;

	if (fw_bytes_get_u32_le(fw_buf_as_bytes(fw_dma_buf(q->ring)), off, &v))
		fw_panic("virtq: ring load at %zu out of bounds", off);
	return v;
}

int virtq_create(unsigned size, struct virtq **out)
{
	struct virtq *q;
	size_t used_off, total;
	int err;

	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	q = FW_NEW(struct virtq);
	if (!q)
		return -ENOMEM;
	used_off = (16u * size + 6 + 2u * size + 3) & ~(size_t)3;
	total = used_off + 6 + 8u * size;
	err = fw_dma_alloc(total, &q->ring);
	if (err) {
		fw_free(q);
		return err;
	}
	fw_spin_init(&q->lock, "virtq");
	q->size = (uint16_t)size;
	q->avail_off = 16u * size;
	q->used_off = used_off;
	for (unsigned i = 0; i < size; i++) {
		q->next[i] = (uint16_t)(i + 1);
		q->token[i] = -1;
	}
	q->free_head = 0;
	q->nfree = (uint16_t)size;
	*out = q;
	return 0;
}

uint64_t virtq_desc_addr(const struct virtq *q)
{
	return fw_dma_addr(q->ring, 0);
}

uint64_t virtq_avail_addr(const struct virtq *q)
{
	return fw_dma_addr(q->ring, q->avail_off);
}

uint64_t virtq_used_addr(const struct virtq *q)
{
	return fw_dma_addr(q->ring, q->used_off);
}

int virtq_push(struct virtq *q, const struct virtq_chain *c, unsigned token)
{
	unsigned head, d, prev = 0, nseg = c->n;
	uint32_t maxw = 0;

	if (nseg == 0 || nseg > VIRTQ_MAX_SEGS || nseg > q->size)
		return -EINVAL;
	if (q->nfree < nseg)
		return -ENOSPC;
	head = q->free_head;
	d = head;
	for (unsigned i = 0; i < nseg; i++) {
		const struct virtq_seg *sg = &c->seg[i];
		uint16_t flags = sg->device_writes ? DESC_F_WRITE : 0;

		if (i + 1 < nseg)
			flags |= DESC_F_NEXT;
		put64(q, desc_off(d), sg->frame ? fw_frame_dma_addr(sg->frame, sg->off)
					       : fw_dma_addr(sg->dma, sg->off));
		put32(q, desc_off(d) + 8, sg->len);
		put16(q, desc_off(d) + 12, flags);
		put16(q, desc_off(d) + 14, q->next[d]);
		if (sg->device_writes)
			maxw += sg->len;
		prev = d;
		d = q->next[d];
	}
	q->free_head = (uint16_t)d;
	q->nfree = (uint16_t)(q->nfree - nseg);
	q->inflight++;
	q->token[head] = (int32_t)token;
	q->chain_len[head] = (uint16_t)nseg;
	q->chain_tail[head] = (uint16_t)prev;
	q->maxwrite[head] = maxw;
	/* The descriptors must be visible before the ring entry, and the
	 * entry before the index (section 2.7.13). */
	put16(q, avail_ring_off(q, q->avail_idx % q->size), (uint16_t)head);
	fw_dma_wmb();
	q->avail_idx++;
	put16(q, q->avail_off + 2, q->avail_idx);
	return 0;
}

/* Return head's chain to the free list. */
static void chain_free(struct virtq *q, unsigned head)
{
	q->next[q->chain_tail[head]] = q->free_head;
	q->free_head = (uint16_t)head;
	q->nfree = (uint16_t)(q->nfree + q->chain_len[head]);
	q->token[head] = -1;
	q->inflight--;
}

int virtq_pop(struct virtq *q, unsigned *token, uint32_t *written)
{
	uint16_t used_idx = get16(q, q->used_off + 2);
	uint32_t id, len;

	if (used_idx == q->last_used)
		return -EAGAIN;
	/* The device may not claim more than it was given. */
	if ((uint16_t)(used_idx - q->last_used) > q->inflight)
		return -EIO;
	fw_dma_rmb();
	id = get32(q, used_ring_off(q, q->last_used % q->size));
	len = get32(q, used_ring_off(q, q->last_used % q->size) + 4);
	if (id >= q->size || q->token[id] < 0 || len > q->maxwrite[id])
		return -EIO;
	q->last_used++;
	*token = (unsigned)q->token[id];
	*written = len;
	chain_free(q, id);
	return 0;
}

int virtq_next_inflight(struct virtq *q, unsigned *token)
{
	for (unsigned i = 0; i < q->size; i++)
		if (q->token[i] >= 0) {
			*token = (unsigned)q->token[i];
			chain_free(q, i);
			return 0;
		}
	return -ENOENT;
}
