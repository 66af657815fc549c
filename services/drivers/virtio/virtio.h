/* services/drivers/virtio/virtio.h: virtio devices over PCI.
 *
 * Layer: services (safe C), drivers. The modern (virtio 1.0+) PCI
 * transport (virtio 1.2 spec, section 4.1) and split virtqueues (section
 * 2.7). A driver finds its device with virtio_pci_find, negotiates
 * features, sets up its queues and turns the device on; completions
 * arrive by interrupt (MSI-X, or INTx when MSI-X is unavailable), and the
 * driver's done callback runs in interrupt context for every used buffer.
 *
 * A device is not trusted: a used-ring index that runs ahead of what was
 * made available, an id that is not a chain in flight, or a written
 * length larger than the buffer marks the device broken. Every request in
 * flight then completes with an error and new ones are refused: the
 * driver reports -EIO, the kernel carries on. */
#ifndef SERVICES_DRIVERS_VIRTIO_H
#define SERVICES_DRIVERS_VIRTIO_H

#include <stdatomic.h>

#include <fw/compiler.h>
#include <fw/sync.h>

struct fw_pci_dev;
struct fw_iomem;
struct fw_irq_line;
struct fw_dma;
struct fw_frame;
struct virtq;

/* Device status bits (section 2.1). */
#define VIRTIO_STATUS_ACK 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

#define VIRTIO_F_VERSION_1 32u
/* The device's DMA goes through the platform's IOMMU (virtio 1.1, 6.1).
 * Always accepted: our buffers' device addresses are what the platform
 * translates (fw_dma), so this is right with an IOMMU and without one. */
#define VIRTIO_F_ACCESS_PLATFORM 33u

/* Device types (section 5): the PCI device id is 0x1040 + type (modern)
 * or a transitional id. */
#define VIRTIO_ID_NET 1u
#define VIRTIO_ID_BLOCK 2u
#define VIRTIO_ID_CONSOLE 3u
#define VIRTIO_ID_RNG 4u

#define VIRTQ_MAX_SIZE 256u

struct virtio_dev;
/* Called in interrupt context when the device configuration may have
 * changed (virtio-net's link status). */
typedef void (*virtio_config_fn)(struct virtio_dev *vd);

struct virtio_dev {
	struct fw_pci_dev *pci;
	unsigned type;			/* VIRTIO_ID_* */
	char name[16];			/* "virtio-blk 00:04.0", for logs */
	struct fw_iomem *common;	/* common configuration */
	struct fw_iomem *notify;	/* queue notification area */
	uint32_t notify_mul;		/* notify_off_multiplier */
	struct fw_iomem *isr;		/* ISR status (INTx) */
	struct fw_iomem *device;	/* device-specific configuration */
	struct fw_irq_line *irq;	/* one line for all queues */
	bool msix;			/* else INTx: read isr to ack */
	uint64_t features;		/* negotiated */
	struct virtq *vq[2];		/* set up queues */
	unsigned nvqs;
	_Atomic bool broken;		/* the device broke the protocol */
	virtio_config_fn config_changed; /* virtio_watch_config, or NULL */
	/* The driver's state, one typed pointer per driver (services
	 * cannot convert a void *). */
	struct blkdev_priv *blk;
	struct virtio_rng *rng;
	struct virtio_console *vcon;
	struct virtio_net *vnet;
};

/* One buffer of a request: a slice of a DMA buffer, or of a frame (a
 * page-cache page read straight from the disk) when frame is set. */
struct virtq_seg {
	struct fw_dma *dma;
	size_t off;
	uint32_t len;
	bool device_writes;		/* VIRTQ_DESC_F_WRITE */
	struct fw_frame *frame;		/* instead of dma, if not NULL */
};

/* A request: its buffers, device-readable ones first. */
/* A block request: header, up to 32 data slices, status. */
#define VIRTQ_MAX_SEGS 34u
struct virtq_chain {
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
	unsigned n;
};

/* Called in interrupt context for each completed request: token is what
 * virtq_add was given, written the bytes the device wrote (0 on error),
 * err 0 or -EIO (the device broke the protocol). */
typedef void (*virtq_done_fn)(struct virtio_dev *vd, unsigned token,
			      uint32_t written, int err);

/* The index-th device of the given type (0 is the first), claimed for
 * the caller, its capabilities mapped and its status reset; -ENODEV when
 * there is none, or another -errno (logged) when it cannot be used. */
FW_MUST_CHECK int virtio_pci_find(unsigned type, unsigned index,
				  struct virtio_dev **out);
/* Feature negotiation (section 3.1.1 steps 3-6): accept the wanted
 * device features plus VERSION_1. -EIO if the device refuses. */
FW_MUST_CHECK int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted);
/* Set up queue qi with at most max entries; done runs for completions. */
FW_MUST_CHECK int virtio_setup_vq(struct virtio_dev *vd, unsigned qi,
				  unsigned max, virtq_done_fn done);
/* Ask for configuration-change interrupts (before virtio_start): fn
 * runs on each (with MSI-X, whose one vector the queues share, on
 * every interrupt: fn re-reads what it watches). */
void virtio_watch_config(struct virtio_dev *vd, virtio_config_fn fn);
/* DRIVER_OK: the device is live. */
void virtio_start(struct virtio_dev *vd);
/* Give up on the device (FAILED), e.g. when setup went wrong. */
void virtio_fail(struct virtio_dev *vd);

/* Device configuration reads (little-endian fields, section 4.1.4.6). */
uint8_t virtio_cfg8(const struct virtio_dev *vd, unsigned off);
uint32_t virtio_cfg32(const struct virtio_dev *vd, unsigned off);
uint64_t virtio_cfg64(const struct virtio_dev *vd, unsigned off);

/* Queue a request and notify the device. 0, -EINVAL (an empty or too
 * long chain), -ENOSPC (not enough free descriptors: wait for a
 * completion and retry), -EIO (the device is broken). */
FW_MUST_CHECK int virtq_add(struct virtio_dev *vd, unsigned qi,
			    const struct virtq_chain *c, unsigned token);
/* Queue size (descriptors) of queue qi. */
unsigned virtq_size(const struct virtio_dev *vd, unsigned qi);
bool virtio_broken(const struct virtio_dev *vd);

/* Driver probes, run once at boot (drivers.c). */
void virtio_blk_probe(void);
void virtio_rng_probe(void);
void virtio_console_probe(void);
void virtio_net_probe(void);

#endif
