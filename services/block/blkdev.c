/* services/block/blkdev.c: the registry of block devices.
 *
 * Layer: services (safe C), block layer. Disks are named in probe order,
 * vda, vdb, ... with minors 0, 16, 32, ... of BLKDEV_MAJOR, as Linux's
 * virtio-blk names them. */
#include <fw/errno.h>
#include <fw/string.h>
#include <fw/sync.h>

#include "block/blkdev.h"
#include "lib/kdev.h"

static struct fw_spinlock blkdev_lock = FW_SPINLOCK_INIT("blkdev");
static struct fw_list blkdevs = FW_LIST_HEAD_INIT(blkdevs); /* blkdev_lock */
static unsigned nr_blkdevs;					/* blkdev_lock */

int blkdev_register(struct blkdev *d)
{
	int err = 0;

	fw_spin_lock(&blkdev_lock);
	if (nr_blkdevs >= 26) {
		err = -ENOSPC;
	} else {
		snprintf(d->name, sizeof(d->name), "vd%c",
			    (char)('a' + nr_blkdevs));
		d->rdev = dev_mkdev(BLKDEV_MAJOR, nr_blkdevs * BLKDEV_MINORS);
		fw_list_add_tail(&blkdevs, &d->node);
		nr_blkdevs++;
	}
	fw_spin_unlock(&blkdev_lock);
	return err;
}

struct blkdev *blkdev_lookup(uint32_t rdev)
{
	struct blkdev *found = NULL, *d;

	fw_spin_lock(&blkdev_lock);
	FW_LIST_FOR_EACH(d, &blkdevs, node)
		if (d->rdev == rdev) {
			found = d;
			break;
		}
	fw_spin_unlock(&blkdev_lock);
	return found;
}

struct blkdev *blkdev_nth(unsigned i)
{
	struct blkdev *found = NULL, *d;

	fw_spin_lock(&blkdev_lock);
	FW_LIST_FOR_EACH(d, &blkdevs, node)
		if (i-- == 0) {
			found = d;
			break;
		}
	fw_spin_unlock(&blkdev_lock);
	return found;
}

uint64_t blkdev_bytes(const struct blkdev *d)
{
	return d->nr_sectors * BLKDEV_SECTOR;
}
