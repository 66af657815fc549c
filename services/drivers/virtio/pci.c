/* services/drivers/virtio/pci.c: the virtio PCI transport, modern
 * interface (virtio 1.2, section 4.1).
 *
 * Layer: services (safe C), drivers. The device describes where its
 * register blocks are with vendor-specific PCI capabilities (4.1.4); each
 * block is acquired as its own fw_iomem slice of a BAR, so a device that
 * points a capability outside its BAR is refused by the framework. */
#include <fw/boot.h>
#include <fw/dma.h>
#include <fw/heap.h>
#include <fw/io.h>
#include <fw/irq.h>
#include <fw/log.h>
#include <fw/pci.h>
#include <fw/string.h>
#include <fw/time.h>

#include "drivers/virtio/virtq.h"

#define VIRTIO_VENDOR 0x1AF4u
#define PCI_CAP_VENDOR 0x09u
#define PCI_STATUS_CAPS 0x10u

/* virtio_pci_cap.cfg_type (4.1.4) */
#define CAP_COMMON 1u
#define CAP_NOTIFY 2u
#define CAP_ISR 3u
#define CAP_DEVICE 4u

/* struct virtio_pci_common_cfg offsets (4.1.4.3) */
#define CC_DFSELECT 0x00
#define CC_DF 0x04
#define CC_GFSELECT 0x08
#define CC_GF 0x0C
#define CC_MSIX_CONFIG 0x10
#define CC_NUM_QUEUES 0x12
#define CC_STATUS 0x14
#define CC_Q_SELECT 0x16
#define CC_Q_SIZE 0x18
#define CC_Q_MSIX 0x1A
#define CC_Q_ENABLE 0x1C
#define CC_Q_NOTIFY_OFF 0x1E
#define CC_Q_DESC 0x20
#define CC_Q_DRIVER 0x28
#define CC_Q_DEVICE 0x30
#define CC_LEN 0x38

#define NO_VECTOR 0xFFFFu

/* Transitional PCI device ids (4.1.2.3), by device type. */
static bool id_matches(uint16_t id, unsigned type)
{
	static const uint16_t transitional[] = { 0, 0x1000, 0x1001, 0x1003,
						 0x1005 };

	if (id == 0x1040 + type)
		return true;
	return type < 5 && transitional[type] && id == transitional[type];
}

static uint8_t status(const struct virtio_dev *vd)
{
	return fw_iomem_read8(vd->common, CC_STATUS);
}

static void set_status(struct virtio_dev *vd, uint8_t bits)
{
	fw_iomem_write8(vd->common, CC_STATUS, (uint8_t)(status(vd) | bits));
}

static void log_dev(const struct virtio_dev *vd, const char *what, int err)
{
	fw_warn("%s: %s (%d)", vd->name, what, err);
}

/* Acquire the register block a capability at config offset cap names. */
static int map_cap(struct virtio_dev *vd, unsigned cap, struct fw_iomem **out)
{
	unsigned bar = fw_pci_cfg_read8(vd->pci, cap + 4);
	uint32_t off = fw_pci_cfg_read32(vd->pci, cap + 8);
	uint32_t len = fw_pci_cfg_read32(vd->pci, cap + 12);

	if (*out)
		return 0; /* the first capability of a type wins (4.1.4.1) */
	return fw_pci_bar_iomem(vd->pci, bar, off, len, out);
}

static int parse_caps(struct virtio_dev *vd)
{
	unsigned cap, guard = 48;
	int err = 0;

	if (!(fw_pci_cfg_read16(vd->pci, 0x06) & PCI_STATUS_CAPS))
		return -ENODEV;
	cap = fw_pci_cfg_read8(vd->pci, 0x34) & 0xFCu;
	while (cap >= 0x40 && cap <= 0xF0 && guard-- && !err) {
		if (fw_pci_cfg_read8(vd->pci, cap) == PCI_CAP_VENDOR) {
			switch (fw_pci_cfg_read8(vd->pci, cap + 3)) {
			case CAP_COMMON:
				err = map_cap(vd, cap, &vd->common);
				break;
			case CAP_NOTIFY:
				if (!vd->notify)
					vd->notify_mul = fw_pci_cfg_read32(
						vd->pci, cap + 16);
				err = map_cap(vd, cap, &vd->notify);
				break;
			case CAP_ISR:
				err = map_cap(vd, cap, &vd->isr);
				break;
			case CAP_DEVICE:
				err = map_cap(vd, cap, &vd->device);
				break;
			default:
				break;
			}
		}
		cap = fw_pci_cfg_read8(vd->pci, cap + 1) & 0xFCu;
	}
	if (err)
		return err;
	if (!vd->common || !vd->notify || !vd->isr ||
	    fw_iomem_len(vd->common) < CC_LEN)
		return -ENODEV; /* a legacy-only device */
	return 0;
}

static void virtio_irq(struct virtio_dev *vd);

static int setup_irq(struct virtio_dev *vd)
{
	int err = fw_irq_line_alloc(&vd->irq);
	char opt[8] = "";

	if (err)
		return err;
	FW_IRQ_ATTACH(vd->irq, virtio_irq, vd);
	/* "pci=nomsi", as on Linux, forces the INTx fallback. */
	if ((fw_boot_opt_copy("pci", FW_BUF_OF_ARRAY(opt)) < 0 ||
	     strcmp(opt, "nomsi") != 0) &&
	    fw_pci_msix_route(vd->pci, 0, vd->irq) == 0) {
		vd->msix = true;
		return 0;
	}
	err = fw_pci_intx_route(vd->pci, vd->irq);
	if (!err)
		fw_irq_line_unmask(vd->irq);
	return err;
}

/* Reset (4.1.4.3.1: write 0, then wait until status reads 0). */
static int reset(struct virtio_dev *vd)
{
	uint64_t deadline = fw_time_ns() + FW_NSEC_PER_SEC;

	fw_iomem_write8(vd->common, CC_STATUS, 0);
	while (status(vd) != 0)
		if (fw_time_ns() > deadline)
			return -EIO;
	return 0;
}

int virtio_pci_find(unsigned type, unsigned index, struct virtio_dev **out)
{
	struct fw_pci_dev *d = NULL;
	struct virtio_dev *vd;
	uint16_t bdf;
	int err;

	while ((d = fw_pci_next(d)))
		if (fw_pci_vendor(d) == VIRTIO_VENDOR &&
		    id_matches(fw_pci_device(d), type) && index-- == 0)
			break;
	if (!d)
		return -ENODEV;
	vd = FW_NEW(struct virtio_dev);
	if (!vd)
		return -ENOMEM;
	vd->pci = d;
	vd->type = type;
	bdf = fw_pci_bdf(d);
	snprintf(vd->name, sizeof(vd->name), "virtio %02x:%02x.%u",
		    bdf >> 8, (bdf >> 3) & 31, bdf & 7);
	err = fw_pci_claim(d);
	if (!err)
		err = parse_caps(vd);
	if (!err)
		err = reset(vd);
	if (!err)
		err = setup_irq(vd);
	if (err) {
		log_dev(vd, "cannot use the device", err);
		return err; /* vd stays: its mappings belong to the device */
	}
	fw_iomem_write16(vd->common, CC_MSIX_CONFIG, NO_VECTOR);
	set_status(vd, VIRTIO_STATUS_ACK);
	set_status(vd, VIRTIO_STATUS_DRIVER);
	*out = vd;
	return 0;
}

int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted)
{
	uint64_t dev, drv;

	fw_iomem_write32(vd->common, CC_DFSELECT, 0);
	dev = fw_iomem_read32(vd->common, CC_DF);
	fw_iomem_write32(vd->common, CC_DFSELECT, 1);
	dev |= (uint64_t)fw_iomem_read32(vd->common, CC_DF) << 32;
	if (!(dev & (1ull << VIRTIO_F_VERSION_1))) {
		log_dev(vd, "no VIRTIO_F_VERSION_1: legacy devices are not "
			    "supported", -EIO);
		return -EIO;
	}
	drv = (dev & (wanted | 1ull << VIRTIO_F_ACCESS_PLATFORM)) |
	      1ull << VIRTIO_F_VERSION_1;
	fw_iomem_write32(vd->common, CC_GFSELECT, 0);
	fw_iomem_write32(vd->common, CC_GF, (uint32_t)drv);
	fw_iomem_write32(vd->common, CC_GFSELECT, 1);
	fw_iomem_write32(vd->common, CC_GF, (uint32_t)(drv >> 32));
	set_status(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
		log_dev(vd, "the device refused our features", -EIO);
		return -EIO;
	}
	vd->features = drv;
	return 0;
}

static void write_addr(struct virtio_dev *vd, unsigned off, uint64_t a)
{
	/* 64-bit fields as two 32-bit writes, low first (4.1.3.1). */
	fw_iomem_write32(vd->common, off, (uint32_t)a);
	fw_iomem_write32(vd->common, off + 4, (uint32_t)(a >> 32));
}

int virtio_setup_vq(struct virtio_dev *vd, unsigned qi, unsigned max,
		    virtq_done_fn done)
{
	struct virtq *q;
	unsigned size;
	int err;

	if (qi >= 2 || qi != vd->nvqs)
		return -EINVAL;
	if (qi >= fw_iomem_read16(vd->common, CC_NUM_QUEUES))
		return -ENOENT;
	fw_iomem_write16(vd->common, CC_Q_SELECT, (uint16_t)qi);
	size = fw_iomem_read16(vd->common, CC_Q_SIZE);
	if (size == 0)
		return -ENOENT;
	if (size > max)
		size = max;
	while (size & (size - 1))
		size &= size - 1; /* a power of two for the free-running index */
	err = virtq_create(size, &q);
	if (err)
		return err;
	q->qi = qi;
	q->done = done;
	fw_iomem_write16(vd->common, CC_Q_SIZE, (uint16_t)size);
	write_addr(vd, CC_Q_DESC, virtq_desc_addr(q));
	write_addr(vd, CC_Q_DRIVER, virtq_avail_addr(q));
	write_addr(vd, CC_Q_DEVICE, virtq_used_addr(q));
	if (vd->msix) {
		fw_iomem_write16(vd->common, CC_Q_MSIX, 0);
		if (fw_iomem_read16(vd->common, CC_Q_MSIX) != 0)
			return -EIO; /* q is kept: the device may know it */
	}
	q->notify_off = fw_iomem_read16(vd->common, CC_Q_NOTIFY_OFF);
	if ((uint64_t)q->notify_off * vd->notify_mul + 2 >
	    fw_iomem_len(vd->notify))
		return -EIO;
	fw_iomem_write16(vd->common, CC_Q_ENABLE, 1);
	vd->vq[qi] = q;
	vd->nvqs++;
	return 0;
}

void virtio_watch_config(struct virtio_dev *vd, virtio_config_fn fn)
{
	vd->config_changed = fn;
	/* MSI-X: configuration changes on vector 0 too (4.1.4.3); a
	 * device that refuses reads back NO_VECTOR and stays silent. */
	if (vd->msix) {
		fw_iomem_write16(vd->common, CC_MSIX_CONFIG, 0);
		if (fw_iomem_read16(vd->common, CC_MSIX_CONFIG) != 0)
			log_dev(vd, "no configuration-change interrupts",
				-EIO);
	}
}

void virtio_start(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_STATUS_DRIVER_OK);
	if (vd->msix)
		fw_irq_line_unmask(vd->irq);
}

void virtio_fail(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_STATUS_FAILED);
}

bool virtio_broken(const struct virtio_dev *vd)
{
	return atomic_load(&vd->broken);
}

uint8_t virtio_cfg8(const struct virtio_dev *vd, unsigned off)
{
	return fw_iomem_read8(vd->device, off);
}

uint32_t virtio_cfg32(const struct virtio_dev *vd, unsigned off)
{
	return fw_iomem_read32(vd->device, off);
}

uint64_t virtio_cfg64(const struct virtio_dev *vd, unsigned off)
{
	/* Two reads; retried while config_generation changes (4.1.4.3.1). */
	uint8_t gen;
	uint64_t v;

	do {
		gen = fw_iomem_read8(vd->common, 0x15);
		v = fw_iomem_read32(vd->device, off) |
		    (uint64_t)fw_iomem_read32(vd->device, off + 4) << 32;
	} while (gen != fw_iomem_read8(vd->common, 0x15));
	return v;
}

unsigned virtq_size(const struct virtio_dev *vd, unsigned qi)
{
	return qi < vd->nvqs ? vd->vq[qi]->size : 0;
}

int virtq_add(struct virtio_dev *vd, unsigned qi, const struct virtq_chain *c,
	      unsigned token)
{
	struct virtq *q;
	fw_irqflags_t fl;
	int err;

	if (qi >= vd->nvqs)
		return -EINVAL;
	q = vd->vq[qi];
	fl = fw_spin_lock_irqsave(&q->lock);
	err = virtio_broken(vd) ? -EIO : virtq_push(q, c, token);
	fw_spin_unlock_irqrestore(&q->lock, fl);
	if (!err) {
		/* The avail index must be visible before the notification. */
		fw_dma_wmb();
		fw_iomem_write16(vd->notify,
				 (uint64_t)q->notify_off * vd->notify_mul,
				 (uint16_t)qi);
	}
	return err;
}

/* Completions are collected under the queue lock and reported after it
 * is dropped, so a done callback may queue the next request (virtio-rng,
 * the console's receive buffers). */
#define DONE_BATCH 32u

struct done_batch {
	unsigned token[DONE_BATCH];
	uint32_t written[DONE_BATCH];
	unsigned n;
	int err;			/* -EIO: these are failed requests */
};

/* The device broke the protocol: stop trusting it. Resetting it first
 * stops it from writing into buffers that are then handed back. */
static void mark_broken(struct virtio_dev *vd)
{
	if (!atomic_exchange(&vd->broken, true)) {
		fw_err("%s: the device broke the virtqueue protocol; it is "
		       "reset and every request to it fails with EIO",
		       vd->name);
		fw_iomem_write8(vd->common, CC_STATUS, 0);
	}
}

/* Fill b from q: used entries, or (device broken) chains in flight. */
static void collect(struct virtio_dev *vd, struct virtq *q,
		    struct done_batch *b)
{
	int err = 0;

	b->n = 0;
	b->err = 0;
	fw_spin_lock(&q->lock);
	if (!virtio_broken(vd)) {
		while (b->n < DONE_BATCH &&
		       (err = virtq_pop(q, &b->token[b->n],
					&b->written[b->n])) == 0)
			b->n++;
		if (err == -EIO)
			mark_broken(vd);
	}
	if (b->n == 0 && virtio_broken(vd)) {
		b->err = -EIO;
		while (b->n < DONE_BATCH &&
		       virtq_next_inflight(q, &b->token[b->n]) == 0)
			b->written[b->n++] = 0;
	}
	fw_spin_unlock(&q->lock);
}

static void virtio_irq(struct virtio_dev *vd)
{
	/* INTx: the ISR says which (bit 0 queues, bit 1 configuration);
	 * reading it acknowledges both (4.1.4.5). */
	uint8_t isr = vd->msix ? 1 : fw_iomem_read8(vd->isr, 0);

	if (vd->config_changed && (vd->msix || (isr & 2)))
		vd->config_changed(vd);
	if (!(isr & 1))
		return; /* a shared line, or only a configuration change */
	for (unsigned i = 0; i < vd->nvqs; i++) {
		struct virtq *q = vd->vq[i];
		struct done_batch b;

		do {
			collect(vd, q, &b);
			for (unsigned k = 0; k < b.n; k++)
				q->done(vd, b.token[k], b.written[k], b.err);
		} while (b.n > 0 &&
			 (b.n == DONE_BATCH || virtio_broken(vd)));
	}
}
