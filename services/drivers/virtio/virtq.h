/* services/drivers/virtio/virtq.h: a split virtqueue's rings.
 *
 * Layer: services (safe C), drivers; used by the transport (pci.c). The
 * caller holds q->lock around push and pop. */
#ifndef SERVICES_DRIVERS_VIRTQ_H
#define SERVICES_DRIVERS_VIRTQ_H

#include <fw/sync.h>

#include "drivers/virtio/virtio.h"

struct virtq {
	struct fw_spinlock lock;
	/* lock */
	struct fw_dma *ring;		/* descriptors, avail, used */
	size_t avail_off;
	size_t used_off;
	uint16_t size;			/* entries, a power of two */
	uint16_t free_head;		/* first free descriptor */
	uint16_t nfree;
	uint16_t inflight;		/* chains the device holds */
	uint16_t avail_idx;		/* next avail slot (free-running) */
	uint16_t last_used;		/* next used slot to read */
	uint16_t notify_off;		/* queue_notify_off */
	unsigned qi;			/* queue index */
	virtq_done_fn done;
	uint16_t next[VIRTQ_MAX_SIZE];	/* free chain / chain links */
	int32_t token[VIRTQ_MAX_SIZE];	/* by head descriptor; -1: free */
	uint16_t chain_len[VIRTQ_MAX_SIZE];
	uint16_t chain_tail[VIRTQ_MAX_SIZE];
	uint32_t maxwrite[VIRTQ_MAX_SIZE]; /* device-writable bytes */
};

/* A queue of size entries (a power of two up to VIRTQ_MAX_SIZE). */
FW_MUST_CHECK int virtq_create(unsigned size, struct virtq **out);
uint64_t virtq_desc_addr(const struct virtq *q);
uint64_t virtq_avail_addr(const struct virtq *q);
uint64_t virtq_used_addr(const struct virtq *q);
/* Make a chain available. 0, -ENOSPC, -EINVAL. */
FW_MUST_CHECK int virtq_push(struct virtq *q, const struct virtq_chain *c,
			     unsigned token);
/* Take the next used entry: 0, -EAGAIN (none), -EIO (the device broke
 * the protocol: index ahead of what is in flight, unknown id, length
 * over the writable bytes). */
FW_MUST_CHECK int virtq_pop(struct virtq *q, unsigned *token,
			    uint32_t *written);
/* Reclaim any chain still in flight (device broken): 0 and its token,
 * or -ENOENT when none is left. */
FW_MUST_CHECK int virtq_next_inflight(struct virtq *q, unsigned *token);

#endif
