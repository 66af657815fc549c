/* services/fs/sysfs/sysfs.h: the sys file system (mount -t sysfs sysfs /sys).
 *
 * Layer: services (safe C), a file system under the VFS. Folder
 * services/fs/sysfs: the /sys tree, built once at the first mount from
 * what the framework reports about the machine, read-only. Calls the VFS
 * core, tmpfs (its directory entry lists) and procfs (its generated-file
 * operations). */
#ifndef SERVICES_FS_SYSFS_H
#define SERVICES_FS_SYSFS_H

#include <fw/compiler.h>

#include "fs/vfs/vfs.h"

#define SYSFS_MAGIC 0x62656572

/* The sysfs superblock, built on the first call and shared by every
 * mount, as Linux's (one per network namespace). 0 or -ENOMEM. */
FW_MUST_CHECK int sysfs_get_sb(struct superblock **out);

#endif
