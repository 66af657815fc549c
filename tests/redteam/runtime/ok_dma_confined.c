/* redteam: as a hostile driver, write a descriptor by hand that tells the virtio-rng device to DMA 64 random bytes into a DMA buffer already freed (its frames wait in the pool for another driver), and ring the doorbell. expect: PASS */
#include <fw/dma.h>
#include <fw/io.h>
#include <fw/task.h>
#include "drivers/virtio/virtq.h"
#include "redteam.h"

#define VICTIM_BYTES 4096
#define PATTERN 0x5a
#define CC_STATUS 0x14
#define DESC_F_WRITE 2

static void ignore_done(struct virtio_dev *vd, unsigned token,
			uint32_t written, int err)
{
	(void)vd, (void)token, (void)written, (void)err;
}

/* The device either used the descriptor (wrote the bytes) or gave up on
 * it (its DMA was refused: it sets NEEDS_RESET). */
static bool device_done(struct virtio_dev *vd, struct fw_buf ring,
			size_t used_off)
{
	uint16_t used_idx = 0;

	if (fw_bytes_get_u16_le(fw_buf_as_bytes(ring), used_off + 2, &used_idx))
		return false;
	return used_idx != 0 ||
	       (fw_iomem_read8(vd->common, CC_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

FW_KTEST(redteam_ok_dma_confined)
{
	struct fw_dma *victim;
	struct virtio_dev *vd;
	struct fw_buf stale, ring;
	struct virtq *q;
	uint64_t target;
	uint8_t b;

	/* The device, set up as its driver would. */
	FW_KT_CHECKF(virtio_pci_find(VIRTIO_ID_RNG, 0, &vd) == 0,
		     "no virtio-rng device (the runner attaches one)");
	FW_KT_CHECK(virtio_negotiate(vd, 0) == 0);
	FW_KT_CHECK(virtio_setup_vq(vd, 0, 8, ignore_done) == 0);
	virtio_start(vd);
	q = vd->vq[0];
	ring = fw_dma_buf(q->ring);

	/* The victim, once the device's own buffers exist (a freed buffer's
	 * frames are reused for the next DMA buffer of its size, as the ring
	 * would have been): filled, freed, its address and a stale view kept
	 * to look at it afterwards. */
	FW_KT_CHECK(fw_dma_alloc(VICTIM_BYTES, &victim) == 0);
	stale = fw_dma_buf(victim);
	target = fw_dma_addr(victim, 0);
	FW_KT_CHECK(fw_buf_fill(stale, 0, VICTIM_BYTES, PATTERN) == 0);
	fw_dma_free(victim);

	/* The attack: descriptor 0 names the freed buffer, device-writable;
	 * make it available and notify. */
	FW_KT_CHECK(fw_buf_put_u64_le(ring, 0, target) == 0);
	FW_KT_CHECK(fw_buf_put_u32_le(ring, 8, 64) == 0);
	FW_KT_CHECK(fw_buf_put_u16_le(ring, 12, DESC_F_WRITE) == 0);
	FW_KT_CHECK(fw_buf_put_u16_le(ring, 14, 0) == 0);
	FW_KT_CHECK(fw_buf_put_u16_le(ring, q->avail_off + 4, 0) == 0);
	fw_dma_wmb();
	FW_KT_CHECK(fw_buf_put_u16_le(ring, q->avail_off + 2, 1) == 0);
	fw_dma_mb();
	fw_iomem_write16(vd->notify, (uint64_t)q->notify_off * vd->notify_mul, 0);

	/* Wait for the device's answer, with a generous deadline. */
	for (uint64_t end = fw_time_ns() + 10 * FW_NSEC_PER_SEC;
	     !device_done(vd, ring, q->used_off) && fw_time_ns() < end;)
		fw_sleep_ns(FW_NSEC_PER_MSEC);
	FW_KT_CHECKF(device_done(vd, ring, q->used_off),
		     "the device neither used nor refused the descriptor");

	/* Not one byte of the freed buffer may have changed (but its first
	 * 8: the framework's DMA pool keeps its free-list link there). */
	for (size_t i = 8; i < VICTIM_BYTES; i++) {
		FW_KT_CHECK(fw_bytes_get_u8(fw_buf_as_bytes(stale), i, &b) == 0);
		FW_KT_CHECKF(b == PATTERN, "the device wrote into a freed DMA "
			     "buffer (byte %zu is %#x): DMA is not confined", i, b);
	}
}
