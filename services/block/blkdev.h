/* services/block/blkdev.h: block devices.
 *
 * Layer: services (safe C), block layer. A driver (virtio-blk) fills a
 * struct blkdev and registers it; it then appears as /dev/<name> (S_IFBLK)
 * and can be mounted. Everything above the driver reads and writes through
 * the block cache (bcache.h), which calls the driver's rw op.
 *
 * Folder services/block: block devices and the block cache. May include
 * lib only; the files for /dev/vda live in the VFS (fs/vfs/blkdev_file.c). */
#ifndef SERVICES_BLOCK_BLKDEV_H
#define SERVICES_BLOCK_BLKDEV_H

#include <fw/compiler.h>
#include <fw/list.h>

struct fw_dma;
struct fw_frame;
struct blkdev;
/* The driver's own state: each driver build defines it (virtio-blk; the
 * host tests' image-file disk). Services cannot convert a void *. */
struct blkdev_priv;

#define BLKDEV_SECTOR 512u
/* Linux's virtio-blk major (dynamically assigned there; 254 on a typical
 * system) and minors per disk (partitions 1..15, unused here). */
#define BLKDEV_MAJOR 254u
#define BLKDEV_MINORS 16u

/* One request: consecutive sectors from sector on, gathered from (or
 * scattered to) up to BLK_MAX_SEGS buffer slices, each a multiple of
 * BLKDEV_SECTOR long. The block cache merges neighbouring units into one
 * request this way (read-ahead, write-back). */
#define BLK_MAX_SEGS 32u

struct blk_seg {
	struct fw_dma *dma;
	uint32_t off;
	uint32_t len;
	struct fw_frame *frame;		/* instead of dma, if not NULL: a page
					   read straight from the disk */
};

struct blk_req {
	uint64_t sector;
	struct blk_seg seg[BLK_MAX_SEGS];
	unsigned n;
};

struct blkdev_ops {
	/* Run req; sleeps until the device completed it. 0, or -EIO
	 * (device error, a request past the end, or the device broke the
	 * protocol). */
	int (*rw)(struct blkdev *d, bool write, const struct blk_req *req);
	/* Make completed writes durable (a volatile write cache). */
	int (*flush)(struct blkdev *d);
};

struct blkdev {
	char name[8];			/* "vda" */
	uint32_t rdev;			/* set by blkdev_register */
	uint64_t nr_sectors;		/* capacity */
	bool read_only;			/* the device refuses writes */
	unsigned max_segs;		/* slices per request, 1..BLK_MAX_SEGS */
	const struct blkdev_ops *ops;
	struct blkdev_priv *priv;	/* the driver's */
	struct fw_list node;		/* on the registry, under its lock */
	/* bcache_lock */
	int wb_err;			/* first write-back error since the
					   last bcache_sync reported it */
	bool unflushed;			/* a write ended since the last flush */
	uint64_t ra_next;		/* unit a sequential reader wants next */
	unsigned ra_win;		/* read-ahead window, in units */
};

/* Give d the next name ("vda", "vdb", ...) and device number and list it.
 * 0, or -ENOSPC (26 disks). */
FW_MUST_CHECK int blkdev_register(struct blkdev *d);
/* The device with number rdev, or NULL. Devices are never unregistered
 * (no hot-unplug), so the pointer stays valid. */
struct blkdev *blkdev_lookup(uint32_t rdev);
/* The i-th registered device, or NULL past the last. */
struct blkdev *blkdev_nth(unsigned i);
uint64_t blkdev_bytes(const struct blkdev *d);

#endif
