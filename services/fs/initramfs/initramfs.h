/* services/fs/initramfs/initramfs.h: unpacking the boot archive.
 *
 * Layer: services (safe C).
 *
 * Folder services/fs/initramfs: the newc cpio parser (cpio.c,
 * host-tested) and unpacking it into the root tmpfs at boot. Calls the
 * VFS core and tmpfs. */
#ifndef SERVICES_FS_INITRAMFS_H
#define SERVICES_FS_INITRAMFS_H

#include <fw/bytes.h>

/* Unpack a newc cpio archive into the root file system (vfs_init calls
 * it). 0, -ENOMEM, or -EINVAL for a malformed archive (logged once with
 * fw_err; what was unpacked before the problem is kept). */
FW_MUST_CHECK int initramfs_unpack(struct fw_bytes cpio);

#endif
