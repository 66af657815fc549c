/* tests/unit/virtq_test.c: split virtqueue rings against a model device
 * (services/drivers/virtio/virtq.c), including devices that lie.
 *
 * Layer: host unit test for services/drivers. The test plays the device:
 * it reads the descriptor table and available ring the driver wrote, and
 * writes used-ring entries, correct ones and wrong ones (an index that
 * runs ahead, an id that is not in flight, a length over the writable
 * buffers), which must give -EIO rather than a bad token or a crash.
 * DMA buffers are malloc'd here, with "device addresses" that are
 * offsets into a fake bus space.
 * unit-sources: services/drivers/virtio/virtq.c */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <fw/dma.h>
#include <fw/heap.h>
#include <fw/panic.h>
#include <fw/sync.h>

#include "harness.h"
#include "drivers/virtio/virtq.h"

/* ---- host stand-ins for the framework ---------------------------------- */

struct fw_dma {
	uint8_t *mem;
	size_t len;
	uint64_t bus;		/* fake device address of byte 0 */
};

static uint64_t next_bus = 0x100000;

int fw_dma_alloc(size_t len, struct fw_dma **out)
{
	struct fw_dma *d = calloc(1, sizeof(*d));

	if (!d || !len)
		return -22;
	d->mem = calloc(1, len);
	d->len = len;
	d->bus = next_bus;
	next_bus += (len + 0xFFF) & ~0xFFFull;
	*out = d;
	return 0;
}

void fw_dma_free(struct fw_dma *d)
{
	if (d) {
		free(d->mem);
		free(d);
	}
}

/* virtq.c takes a frame's address for a page read from a disk; these
 * tests queue only DMA buffers. */
uint64_t fw_frame_dma_addr(const struct fw_frame *f, size_t off)
{
	(void)f;
	(void)off;
	abort();
}

uint64_t fw_dma_addr(const struct fw_dma *d, size_t off)
{
	if (off >= d->len)
		abort();
	return d->bus + off;
}

struct fw_buf fw_dma_buf(struct fw_dma *d)
{
	return fw__buf_make(d->mem, d->len);
}

void fw_dma_wmb(void) {}
void fw_dma_rmb(void) {}
void fw_spin_init(struct fw_spinlock *l, const char *name) { (void)l; (void)name; }
void *fw__alloc_typed(struct fw__type_key *key) { return calloc(1, key->size); }
void fw_free(void *p) { free(p); }

void fw_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

/* ---- the model device -------------------------------------------------- */

static uint16_t rd16(struct virtq *q, size_t off)
{
	uint16_t v;

	memcpy(&v, q->ring->mem + off, 2);
	return v;
}

static uint32_t rd32(struct virtq *q, size_t off)
{
	uint32_t v;

	memcpy(&v, q->ring->mem + off, 4);
	return v;
}

static uint64_t rd64(struct virtq *q, size_t off)
{
	uint64_t v;

	memcpy(&v, q->ring->mem + off, 8);
	return v;
}

static void wr16(struct virtq *q, size_t off, uint16_t v)
{
	memcpy(q->ring->mem + off, &v, 2);
}

static void wr32(struct virtq *q, size_t off, uint32_t v)
{
	memcpy(q->ring->mem + off, &v, 4);
}

/* The head descriptor of avail slot i. */
static uint16_t avail_head(struct virtq *q, unsigned i)
{
	return rd16(q, q->avail_off + 4 + 2 * (i % q->size));
}

/* Put {id, len} in used slot i and publish idx. */
static void device_use(struct virtq *q, unsigned slot, uint32_t id,
		       uint32_t len, uint16_t idx)
{
	wr32(q, q->used_off + 4 + 8 * (slot % q->size), id);
	wr32(q, q->used_off + 4 + 8 * (slot % q->size) + 4, len);
	wr16(q, q->used_off + 2, idx);
}

static struct fw_dma *data;

static struct virtq *new_queue(unsigned size)
{
	struct virtq *q = NULL;

	if (!data && fw_dma_alloc(8192, &data))
		abort();
	if (virtq_create(size, &q))
		return NULL;
	return q;
}

static void free_queue(struct virtq *q)
{
	fw_dma_free(q->ring);
	free(q);
}

/* A request like virtio-blk's: header (read), data, status (written). */
static struct virtq_chain blk_chain(uint32_t data_len, bool dev_writes)
{
	struct virtq_chain c = { .n = 3 };

	c.seg[0] = (struct virtq_seg){ data, 0, 16, false, NULL };
	c.seg[1] = (struct virtq_seg){ data, 512, data_len, dev_writes, NULL };
	c.seg[2] = (struct virtq_seg){ data, 16, 1, true, NULL };
	return c;
}

/* ---- cases --------------------------------------------------------------- */

static void descriptors_describe_the_chain(void)
{
	struct virtq *q = new_queue(8);
	struct virtq_chain c = blk_chain(4096, true);
	uint16_t d;

	CHECK(q);
	CHECK(virtq_push(q, &c, 5) == 0);
	CHECK(rd16(q, q->avail_off + 2) == 1);	/* avail idx published */
	d = avail_head(q, 0);
	CHECK(rd64(q, 16 * d) == fw_dma_addr(data, 0));
	CHECK(rd32(q, 16 * d + 8) == 16);
	CHECK(rd16(q, 16 * d + 12) == 1);	/* NEXT, device reads */
	d = rd16(q, 16 * d + 14);
	CHECK(rd64(q, 16 * d) == fw_dma_addr(data, 512));
	CHECK(rd32(q, 16 * d + 8) == 4096);
	CHECK(rd16(q, 16 * d + 12) == 3);	/* NEXT | WRITE */
	d = rd16(q, 16 * d + 14);
	CHECK(rd32(q, 16 * d + 8) == 1);
	CHECK(rd16(q, 16 * d + 12) == 2);	/* WRITE, last */
	free_queue(q);
}

static void completions_return_tokens(void)
{
	struct virtq *q = new_queue(8);
	struct virtq_chain c = blk_chain(4096, true);
	unsigned token = 0;
	uint32_t written = 0;

	CHECK(q);
	CHECK(virtq_push(q, &c, 7) == 0);
	CHECK(virtq_push(q, &c, 9) == 0);
	CHECK(virtq_pop(q, &token, &written) == -EAGAIN);
	/* The device finishes the second request first. */
	device_use(q, 0, avail_head(q, 1), 4097, 1);
	CHECK(virtq_pop(q, &token, &written) == 0);
	CHECK(token == 9 && written == 4097);
	CHECK(virtq_pop(q, &token, &written) == -EAGAIN);
	device_use(q, 1, avail_head(q, 0), 1, 2);
	CHECK(virtq_pop(q, &token, &written) == 0);
	CHECK(token == 7 && written == 1);
	CHECK(q->nfree == 8);
	free_queue(q);
}

static void full_queue_then_reuse(void)
{
	struct virtq *q = new_queue(8);
	struct virtq_chain c = blk_chain(512, false);
	unsigned token;
	uint32_t written;

	CHECK(q);
	CHECK(virtq_push(q, &c, 0) == 0);
	CHECK(virtq_push(q, &c, 1) == 0);
	CHECK(virtq_push(q, &c, 2) == -ENOSPC);	/* 6 of 8 used, 3 wanted */
	/* Many rounds: the free-running indices wrap past 65535. */
	for (unsigned round = 0; round < 70000; round++) {
		unsigned slot = q->last_used;

		device_use(q, slot, avail_head(q, slot), 1,
			   (uint16_t)(slot + 1));
		CHECK(virtq_pop(q, &token, &written) == 0);
		CHECK(token == round % 1000);
		CHECK(virtq_push(q, &c, (round + 2) % 1000) == 0);
	}
	free_queue(q);
}

static void lying_index_runs_ahead(void)
{
	struct virtq *q = new_queue(8);
	struct virtq_chain c = blk_chain(512, true);
	unsigned token;
	uint32_t written;

	CHECK(q);
	CHECK(virtq_push(q, &c, 1) == 0);
	/* One request in flight, the device claims three are done. */
	device_use(q, 0, avail_head(q, 0), 513, 3);
	CHECK(virtq_pop(q, &token, &written) == -EIO);
	free_queue(q);
}

static void lying_id_not_in_flight(void)
{
	struct virtq *q = new_queue(8);
	struct virtq_chain c = blk_chain(512, true);
	unsigned token;
	uint32_t written;
	uint16_t head;

	CHECK(q);
	CHECK(virtq_push(q, &c, 1) == 0);
	head = avail_head(q, 0);
	device_use(q, 0, 9999, 1, 1);			/* out of range */
	CHECK(virtq_pop(q, &token, &written) == -EIO);
	device_use(q, 0, (head + 1) % 8, 1, 1);	/* inside a chain */
	CHECK(virtq_pop(q, &token, &written) == -EIO);
	device_use(q, 0, (head + 5) % 8, 1, 1);	/* a free descriptor */
	CHECK(virtq_pop(q, &token, &written) == -EIO);
	device_use(q, 0, head, 1, 1);			/* the truth */
	CHECK(virtq_pop(q, &token, &written) == 0 && token == 1);
	/* The same id again: no longer in flight. */
	device_use(q, 1, head, 1, 2);
	CHECK(virtq_pop(q, &token, &written) == -EIO);
	free_queue(q);
}

static void lying_length(void)
{
	struct virtq *q = new_queue(8);
	struct virtq_chain c = blk_chain(512, true);
	struct virtq_chain w = blk_chain(512, false);
	unsigned token;
	uint32_t written;

	CHECK(q);
	CHECK(virtq_push(q, &c, 1) == 0);
	device_use(q, 0, avail_head(q, 0), 514, 1);	/* 512 + 1 writable */
	CHECK(virtq_pop(q, &token, &written) == -EIO);
	device_use(q, 0, avail_head(q, 0), 513, 1);
	CHECK(virtq_pop(q, &token, &written) == 0 && written == 513);
	/* A write request: only the status byte is the device's. */
	CHECK(virtq_push(q, &w, 2) == 0);
	device_use(q, 1, avail_head(q, 1), 512, 2);
	CHECK(virtq_pop(q, &token, &written) == -EIO);
	free_queue(q);
}

static void broken_device_reclaims_everything(void)
{
	struct virtq *q = new_queue(16);
	struct virtq_chain c = blk_chain(512, true);
	unsigned token, seen = 0;

	CHECK(q);
	for (unsigned i = 0; i < 5; i++)
		CHECK(virtq_push(q, &c, 10 + i) == 0);
	while (virtq_next_inflight(q, &token) == 0)
		seen |= 1u << (token - 10);
	CHECK(seen == 0x1F);
	CHECK(q->nfree == 16);
	free_queue(q);
}

static void bad_sizes_refused(void)
{
	struct virtq *q = NULL;
	struct virtq_chain empty = { .n = 0 };

	CHECK(virtq_create(0, &q) == -EINVAL);
	CHECK(virtq_create(12, &q) == -EINVAL);	/* not a power of two */
	CHECK(virtq_create(VIRTQ_MAX_SIZE * 2, &q) == -EINVAL);
	q = new_queue(4);
	CHECK(q);
	CHECK(virtq_push(q, &empty, 0) == -EINVAL);
	free_queue(q);
}

int main(void)
{
	TEST_SUITE("virtq");
	RUN(descriptors_describe_the_chain);
	RUN(completions_return_tokens);
	RUN(full_queue_then_reuse);
	RUN(lying_index_runs_ahead);
	RUN(lying_id_not_in_flight);
	RUN(lying_length);
	RUN(broken_device_reclaims_everything);
	RUN(bad_sizes_refused);
	fw_dma_free(data);
	HARNESS_EXIT();
}
