/* services/fs/vfs/chardev.h: character devices by major/minor number.
 *
 * Layer: services (safe C). A driver (the tty service: 5:0 /dev/tty,
 * 5:1 /dev/console, 4:64 /dev/ttyS0; the mem devices in devmem.c: 1:3
 * null, 1:5 zero, 1:7 full, 1:8 random, 1:9 urandom) registers the file
 * operations for a range of minors; opening a S_IFCHR inode looks its
 * rdev up here (-ENXIO if nobody registered it, as Linux). The driver's
 * open op sees the inode (ino->rdev) and may set f->tty / f->priv. */
#ifndef SERVICES_FS_CHARDEV_H
#define SERVICES_FS_CHARDEV_H

#include <fw/compiler.h>

#include "fs/vfs/vfs.h"
#include "lib/kdev.h" /* dev_mkdev, dev_major, dev_minor */

/* Serve minors [minor_first, minor_first + count) of major with ops.
 * 0, -EBUSY (overlaps a registered range), -ENOSPC (table full), -EINVAL. */
FW_MUST_CHECK int chardev_register(unsigned major, unsigned minor_first,
				   unsigned count, const struct file_ops *ops);
/* The ops for device rdev, or NULL. */
const struct file_ops *chardev_lookup(uint32_t rdev);

#endif
