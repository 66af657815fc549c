/* services/fs/vfs/mount.h: the mount tree and boot-time set-up.
 *
 * Layer: services (safe C), VFS. */
#ifndef SERVICES_FS_MOUNT_H
#define SERVICES_FS_MOUNT_H

#include "fs/vfs/namei.h"

/* Attach sb on the directory at target (vfs_ns_lock held). 0, -ENOTDIR,
 * -ENOMEM. */
FW_MUST_CHECK int vfs_mount_sb(const struct vfs_path *target,
			       struct superblock *sb, unsigned long flags);
/* Detach the mount whose root is at target (vfs_ns_lock held). -EINVAL
 * (not a mount root), -EBUSY (in use and not MNT_DETACH). */
FW_MUST_CHECK int vfs_umount(const struct vfs_path *target, int flags);
/* Move the mount whose root is at src onto the directory target, as
 * mount(2) MS_MOVE does (switch_root moves a disk onto "/"). vfs_ns_lock
 * held. -EINVAL (src is not a mount root, or is the root mount),
 * -ENOTDIR, -EBUSY (src is covered or target has a mount), -ELOOP
 * (target is inside src). */
FW_MUST_CHECK int vfs_move_mount(const struct vfs_path *src,
				 const struct vfs_path *target);
/* A new superblock for mount(2)'s fstype: tmpfs (a fresh one), devtmpfs
 * (the shared /dev), proc (the one procfs), sysfs, devpts (the one
 * instance services/tty made, see vfs_devpts_sb). -ENODEV for anything
 * else. */
FW_MUST_CHECK int vfs_get_sb(const struct kname *fstype, uint32_t mode,
			     struct superblock **out);
/* Absolute path of p as seen from root ("/" joined names). */
FW_MUST_CHECK int vfs_path_name(const struct vfs_path *p,
				const struct vfs_path *root, struct kpath *out);
uint32_t vfs_anon_dev(void);
/* The pseudo-terminal file system (services/tty/devpts.c sets it once at
 * boot; it sits above fs). One shared instance, as with devtmpfs: every
 * "mount -t devpts" shows the same ptys (Linux's newinstance is not
 * modelled). NULL until set: mount -t devpts fails with -ENODEV. */
extern struct superblock *vfs_devpts_sb;
/* The mount after prev in mount order (NULL: the first), or NULL at the
 * end; vfs_ns_lock held (for /proc/mounts). */
struct mount *vfs_mount_next(struct mount *prev);

#endif
