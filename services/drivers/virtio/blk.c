/* services/drivers/virtio/blk.c: the virtio block driver (virtio 1.2,
 * section 5.2).
 *
 * Layer: services (safe C), drivers. Each request is three buffers: a
 * 16-byte header (type, reserved, sector), the data, and a status byte
 * the device writes. Headers and status bytes of all request slots live
 * in one DMA buffer; the data is the caller's DMA buffer (a block-cache
 * unit), so reads and writes move no extra copy. A caller takes a free
 * slot, queues its request and sleeps; the interrupt handler marks the
 * slot done and wakes the sleepers. As many requests are in flight as
 * there are slots (a third of the queue: three descriptors each).
 *
 * Locking: vb->lock (irqsave) guards the slots. */
#include <fw/dma.h>
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/time.h>

#include "block/blkdev.h"
#include "drivers/virtio/virtio.h"

#define VIRTIO_BLK_F_SEG_MAX 2u
#define VIRTIO_BLK_F_RO 5u
#define VIRTIO_BLK_F_FLUSH 9u

#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u

#define VIRTIO_BLK_S_OK 0u

#define CFG_CAPACITY 0x00
#define CFG_SEG_MAX 0x0C

#define SLOT_BYTES 32u  /* header at 0, status at 16 */
#define MAX_SLOTS 64u
/* A request that the device has not completed after this long means the
 * device is stuck: it is treated as broken. */
#define REQ_TIMEOUT_NS (30ull * FW_NSEC_PER_SEC)

struct blk_slot {
	bool busy;			/* taken by a caller */
	bool done;			/* the device completed it */
	int err;			/* from the transport */
	uint32_t written;		/* bytes the device wrote */
};

struct blkdev_priv {
	struct virtio_dev *vd;
	struct blkdev bd;
	struct fw_dma *hdr;		/* SLOT_BYTES per slot */
	unsigned nslots;
	struct fw_spinlock lock;
	struct blk_slot slot[MAX_SLOTS]; /* lock */
	struct fw_waitq wq;		/* slot freed or completed */
	unsigned seg_max;		/* data slices per request */
	uint64_t requests;		/* statistics */
};

static void blk_done(struct virtio_dev *vd, unsigned token, uint32_t written,
		     int err)
{
	struct blkdev_priv *vb = vd->blk;

	if (token >= vb->nslots)
		return; /* never handed out: the transport checked the id */
	fw_spin_lock(&vb->lock);
	vb->slot[token].done = true;
	vb->slot[token].err = err;
	vb->slot[token].written = written;
	fw_spin_unlock(&vb->lock);
	fw_waitq_wake_all(&vb->wq);
}

static bool slot_take(struct blkdev_priv *vb, unsigned *out)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vb->lock);
	bool ok = false;

	for (unsigned i = 0; i < vb->nslots; i++)
		if (!vb->slot[i].busy) {
			vb->slot[i] = (struct blk_slot){ .busy = true };
			*out = i;
			ok = true;
			break;
		}
	fw_spin_unlock_irqrestore(&vb->lock, fl);
	return ok;
}

static bool slot_done(struct blkdev_priv *vb, unsigned i)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vb->lock);
	bool done = vb->slot[i].done;

	fw_spin_unlock_irqrestore(&vb->lock, fl);
	return done;
}

static void slot_free(struct blkdev_priv *vb, unsigned i)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&vb->lock);

	vb->slot[i].busy = false;
	fw_spin_unlock_irqrestore(&vb->lock, fl);
	fw_waitq_wake_all(&vb->wq);
}

/* Queue the chain; while the ring lacks free descriptors (large
 * requests in flight), wait for a completion and try again. */
static int queue(struct blkdev_priv *vb, const struct virtq_chain *c,
		 unsigned slot)
{
	int err;

	FW_WAIT_EVENT(&vb->wq,
		      (err = virtq_add(vb->vd, 0, c, slot)) != -ENOSPC);
	return err;
}

/* Run one request: type, sector, and the data slices (none: flush). */
static int blk_request(struct blkdev_priv *vb, uint32_t type, uint64_t sector,
		       const struct blk_req *req)
{
	struct fw_buf hb = fw_dma_buf(vb->hdr);
	struct virtq_chain c = { .n = 0 };
	unsigned s = 0, nseg = req ? req->n : 0;
	uint8_t status = 0xFF;
	size_t len = 0;
	int err, tmo;

	if (nseg > vb->seg_max)
		return -EIO; /* the block cache keeps to BLK_MAX_SEGS */
	FW_WAIT_EVENT(&vb->wq, slot_take(vb, &s));
	if (fw_buf_put_u32_le(hb, s * SLOT_BYTES, type) ||
	    fw_buf_put_u32_le(hb, s * SLOT_BYTES + 4, 0) ||
	    fw_buf_put_u64_le(hb, s * SLOT_BYTES + 8, sector) ||
	    fw_buf_put_u8(hb, s * SLOT_BYTES + 16, 0xFF)) {
		slot_free(vb, s);
		return -EIO;
	}
	c.seg[c.n++] = (struct virtq_seg){ vb->hdr, s * SLOT_BYTES, 16, false, NULL };
	for (unsigned i = 0; i < nseg; i++) {
		c.seg[c.n++] = (struct virtq_seg){
			req->seg[i].dma, req->seg[i].off,
			(uint32_t)req->seg[i].len, type == VIRTIO_BLK_T_IN,
			req->seg[i].frame
		};
		len += req->seg[i].len;
	}
	c.seg[c.n++] = (struct virtq_seg){ vb->hdr, s * SLOT_BYTES + 16, 1,
					   true, NULL };
	err = queue(vb, &c, s);
	if (err) {
		slot_free(vb, s);
		return -EIO;
	}
	FW_WAIT_EVENT_DEADLINE(&vb->wq, slot_done(vb, s),
			       fw_time_ns() + REQ_TIMEOUT_NS, tmo);
	if (tmo) {
		/* The slot stays busy: the device may still write into it. */
		fw_err("%s: request to sector %llu timed out", vb->bd.name,
		       (unsigned long long)sector);
		return -EIO;
	}
	vb->requests++;
	err = vb->slot[s].err;
	if (!err && fw_bytes_get_u8(fw_buf_as_bytes(hb), s * SLOT_BYTES + 16,
				    &status))
		err = -EIO;
	if (!err && status != VIRTIO_BLK_S_OK)
		err = -EIO;
	/* A read must have filled the buffers and the status byte. */
	if (!err && type == VIRTIO_BLK_T_IN && vb->slot[s].written < len + 1)
		err = -EIO;
	slot_free(vb, s);
	if (err)
		fw_warn("%s: I/O error, type %u sector %llu len %zu (status "
			"%u)",
			vb->bd.name, type, (unsigned long long)sector, len,
			status);
	return err;
}

static int blk_rw(struct blkdev *d, bool write, const struct blk_req *req)
{
	uint64_t nsect = 0;

	if (req->n == 0 || req->n > BLK_MAX_SEGS)
		return -EIO;
	for (unsigned i = 0; i < req->n; i++) {
		if (req->seg[i].len == 0 || req->seg[i].len % BLKDEV_SECTOR)
			return -EIO;
		nsect += req->seg[i].len / BLKDEV_SECTOR;
	}
	if (req->sector > d->nr_sectors || nsect > d->nr_sectors - req->sector)
		return -EIO;
	if (write && d->read_only)
		return -EROFS;
	return blk_request(d->priv, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
			   req->sector, req);
}

static int blk_flush(struct blkdev *d)
{
	if (!(d->priv->vd->features & (1ull << VIRTIO_BLK_F_FLUSH)))
		return 0; /* no volatile cache: writes are durable already */
	return blk_request(d->priv, VIRTIO_BLK_T_FLUSH, 0, NULL);
}

static const struct blkdev_ops virtio_blk_ops = {
	.rw = blk_rw,
	.flush = blk_flush,
};

static int blk_attach(struct virtio_dev *vd)
{
	struct blkdev_priv *vb = FW_NEW(struct blkdev_priv);
	int err;

	if (!vb)
		return -ENOMEM;
	vb->vd = vd;
	vd->blk = vb;
	fw_spin_init(&vb->lock, "virtio-blk");
	fw_waitq_init(&vb->wq, "virtio-blk");
	err = virtio_negotiate(vd, 1ull << VIRTIO_BLK_F_RO |
					   1ull << VIRTIO_BLK_F_FLUSH |
					   1ull << VIRTIO_BLK_F_SEG_MAX);
	if (!err)
		err = virtio_setup_vq(vd, 0, 128, blk_done);
	if (err)
		return err;
	vb->nslots = virtq_size(vd, 0) / 3;
	if (vb->nslots > MAX_SLOTS)
		vb->nslots = MAX_SLOTS;
	err = fw_dma_alloc(SLOT_BYTES * vb->nslots, &vb->hdr);
	if (err)
		return err;
	vb->bd.nr_sectors = virtio_cfg64(vd, CFG_CAPACITY);
	/* Data slices per request: the device's seg_max (5.2.4), within
	 * what the queue can hold beside the header and status. */
	vb->seg_max = BLK_MAX_SEGS;
	if (vd->features & (1ull << VIRTIO_BLK_F_SEG_MAX) &&
	    virtio_cfg32(vd, CFG_SEG_MAX) < vb->seg_max)
		vb->seg_max = virtio_cfg32(vd, CFG_SEG_MAX);
	if (vb->seg_max + 2 > virtq_size(vd, 0))
		vb->seg_max = virtq_size(vd, 0) - 2;
	if (vb->seg_max == 0)
		return -EIO;
	vb->bd.max_segs = vb->seg_max;
	vb->bd.read_only = vd->features & (1ull << VIRTIO_BLK_F_RO);
	vb->bd.ops = &virtio_blk_ops;
	vb->bd.priv = vb;
	virtio_start(vd);
	err = blkdev_register(&vb->bd);
	if (err)
		return err;
	fw_info("%s: %s, %llu sectors (%llu MiB)%s, %s, %u requests in "
		"flight",
		vd->name, vb->bd.name, (unsigned long long)vb->bd.nr_sectors,
		(unsigned long long)(vb->bd.nr_sectors >> 11),
		vb->bd.read_only ? ", read-only" : "",
		vd->msix ? "MSI-X" : "INTx", vb->nslots);
	return 0;
}

void virtio_blk_probe(void)
{
	struct virtio_dev *vd;
	int err;

	for (unsigned i = 0;
	     (err = virtio_pci_find(VIRTIO_ID_BLOCK, i, &vd)) != -ENODEV; i++)
		if (!err && blk_attach(vd)) {
			fw_warn("%s: block device setup failed", vd->name);
			virtio_fail(vd);
		}
}
