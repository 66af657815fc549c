/* services/fs/vfs/blkdev_file.h: open block device files.
 *
 * Layer: services (safe C), block layer; used by the VFS for S_IFBLK. */
#ifndef SERVICES_BLOCK_BLKDEV_FILE_H
#define SERVICES_BLOCK_BLKDEV_FILE_H

#include "fs/vfs/vfs.h"

extern const struct file_ops blkdev_file_ops;
/* fsync/fdatasync of a block device file: write its dirty units back and
 * flush the device. */
FW_MUST_CHECK int blkdev_fsync(struct file *f);

#endif
