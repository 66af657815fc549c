/* services/fs/vfs/chardev.c: the character-device registry.
 *
 * Layer: services (safe C), VFS. A small fixed table: a handful of
 * drivers register at boot, lookups happen on every open of a device. */
#include <fw/sync.h>

#include "fs/vfs/chardev.h"

#define CHARDEV_MAX 32

struct chardev_range {
	unsigned major;
	unsigned first;
	unsigned count;			/* 0: free slot */
	const struct file_ops *ops;
};

static struct fw_spinlock chardev_lock = FW_SPINLOCK_INIT("chardev");
static struct chardev_range chardevs[CHARDEV_MAX]; /* chardev_lock */

int chardev_register(unsigned major, unsigned minor_first, unsigned count,
		     const struct file_ops *ops)
{
	int err = -ENOSPC;

	if (!ops || count == 0 || major > 0xfff || minor_first > 0xfffff ||
	    count > 0x100000 - minor_first)
		return -EINVAL;
	fw_spin_lock(&chardev_lock);
	for (unsigned i = 0; i < CHARDEV_MAX; i++) {
		struct chardev_range *r = &chardevs[i];

		if (r->count && r->major == major &&
		    minor_first < r->first + r->count &&
		    r->first < minor_first + count) {
			err = -EBUSY;
			goto out;
		}
	}
	for (unsigned i = 0; i < CHARDEV_MAX; i++) {
		if (chardevs[i].count == 0) {
			chardevs[i].major = major;
			chardevs[i].first = minor_first;
			chardevs[i].count = count;
			chardevs[i].ops = ops;
			err = 0;
			break;
		}
	}
out:
	fw_spin_unlock(&chardev_lock);
	return err;
}

const struct file_ops *chardev_lookup(uint32_t rdev)
{
	unsigned major = dev_major(rdev), minor = dev_minor(rdev);
	const struct file_ops *ops = NULL;

	fw_spin_lock(&chardev_lock);
	for (unsigned i = 0; i < CHARDEV_MAX; i++) {
		struct chardev_range *r = &chardevs[i];

		if (r->count && r->major == major && minor >= r->first &&
		    minor - r->first < r->count) {
			ops = r->ops;
			break;
		}
	}
	fw_spin_unlock(&chardev_lock);
	return ops;
}
