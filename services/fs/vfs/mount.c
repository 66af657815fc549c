/* services/fs/vfs/mount.c: mounting, unmounting and path names.
 *
 * Layer: services (safe C), VFS. A mount covers a directory inode
 * (inode->mounted); the walk crosses it to the mounted root, and ".." at a
 * mount root goes back to the covered directory (namei.c). Mounting on a
 * mount's root stacks, as on Linux. Unmounting detaches the mount; the
 * superblock's tree is not freed (a tmpfs unmounted while files in it are
 * open must live on anyway, and tearing a deep tree down recursively on a
 * 16 KiB stack is not safe); this leaks the memory of unmounted tmpfs
 * instances, which is acceptable for the boot-time mounts a shell does. */
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/vfs/mount.h"
#include "fs/procfs/procfs.h"
#include "fs/sysfs/sysfs.h"
#include "fs/tmpfs/tmpfs.h"

static struct fw_list mount_list = FW_LIST_HEAD_INIT(mount_list);
static _Atomic uint32_t next_anon_minor = 1;
struct superblock *devtmpfs_sb;
struct superblock *vfs_devpts_sb;

uint32_t vfs_anon_dev(void)
{
	/* Linux anonymous devices: major 0 */
	return atomic_fetch_add(&next_anon_minor, 1) & 0xff;
}

/* Mount IDs count up from 21, about where Linux's first visible ones
 * are; vfs_ns_lock. */
static int next_mount_id = 21;

int vfs_mount_sb(const struct vfs_path *target, struct superblock *sb,
		 unsigned long flags)
{
	struct mount *m;

	if (target->inode && !S_ISDIR(target->inode->mode))
		return -ENOTDIR;
	/* The shared devtmpfs mounted again on its own root (an init script
	 * doing "mount -t devtmpfs devtmpfs /dev" after the kernel did): a
	 * mount of a root on itself would make the covered inode its own
	 * cover. Linux stacks a second, identical mount; the contents seen
	 * are the same, so succeed without one. */
	if (target->inode && target->inode == sb->root)
		return 0;
	if (target->inode && target->inode->mounted)
		return -EBUSY;
	m = FW_NEW(struct mount);
	if (!m)
		return -ENOMEM;
	m->sb = sb;
	m->flags = flags;
	m->id = next_mount_id++;
	m->parent = target->mnt;
	m->mountpoint = target->inode;
	if (target->inode) {
		inode_get(target->inode);
		target->inode->mounted = m;
	}
	fw_list_add_tail(&mount_list, &m->node);
	if (!target->inode)
		vfs_root_mount = m;
	return 0;
}

int vfs_umount(const struct vfs_path *target, int flags)
{
	struct mount *m = target->mnt;

	if (!m || target->inode != m->sb->root || !m->parent)
		return -EINVAL;
	if (m->mountpoint->mounted != m)
		return -EBUSY; /* something is mounted on top of it */
	if (atomic_load(&m->refs) > 0 && !(flags & MNT_DETACH))
		return -EBUSY;
	m->mountpoint->mounted = NULL;
	inode_put(m->mountpoint);
	fw_list_del(&m->node);
	/* The mount object stays allocated: files under it (MNT_DETACH)
	 * still point at it. */
	return 0;
}

int vfs_move_mount(const struct vfs_path *src, const struct vfs_path *target)
{
	struct mount *m = src->mnt;

	if (!m || src->inode != m->sb->root || !m->parent)
		return -EINVAL;
	if (!S_ISDIR(target->inode->mode))
		return -ENOTDIR;
	if (m->mountpoint->mounted != m || target->inode->mounted)
		return -EBUSY; /* covered, or the target is (no stacking) */
	for (struct mount *p = target->mnt; p; p = p->parent)
		if (p == m)
			return -ELOOP; /* into itself (Linux: ELOOP) */
	m->mountpoint->mounted = NULL;
	inode_put(m->mountpoint);
	inode_get(target->inode);
	target->inode->mounted = m;
	m->mountpoint = target->inode;
	m->parent = target->mnt;
	return 0;
}

int vfs_get_sb(const struct kname *fstype, uint32_t mode, struct superblock **out)
{
	if (strcmp(fstype->s, "tmpfs") == 0 || strcmp(fstype->s, "ramfs") == 0) {
		*out = tmpfs_create(vfs_anon_dev(), mode);
		return *out ? 0 : -ENOMEM;
	}
	if (strcmp(fstype->s, "devtmpfs") == 0 && devtmpfs_sb) {
		*out = devtmpfs_sb;
		return 0;
	}
	if (strcmp(fstype->s, "proc") == 0)
		return procfs_get_sb(out);
	if (strcmp(fstype->s, "sysfs") == 0)
		return sysfs_get_sb(out);
	if (strcmp(fstype->s, "devpts") == 0 && vfs_devpts_sb) {
		*out = vfs_devpts_sb;
		return 0;
	}
	return -ENODEV;
}

struct mount *vfs_mount_next(struct mount *prev)
{
	struct fw_list *n = prev ? prev->node.next : mount_list.next;

	if (n == &mount_list)
		return NULL;
	return FW_LIST_ENTRY(n, struct mount, node);
}

int vfs_path_name(const struct vfs_path *p, const struct vfs_path *root,
		  struct kpath *out)
{
	struct kpath *tmp = kpath_alloc();
	struct mount *mnt = p->mnt;
	struct inode *ino = p->inode;
	size_t pos = KPATH_MAX - 1;
	int err = 0;

	if (!tmp)
		return -ENOMEM;
	tmp->s[pos] = 0;
	for (unsigned depth = 0; depth < 4096; depth++) {
		struct kname name;
		size_t len;

		if (ino == root->inode && mnt == root->mnt)
			break;
		if (mnt && ino == mnt->sb->root) {
			if (!mnt->parent)
				break; /* the global root (outside a chroot) */
			ino = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		if (!ino->parent || ino->parent == ino) {
			err = -ENOENT;
			break;
		}
		if (ino->parent->iops && ino->parent->iops->name_of)
			err = ino->parent->iops->name_of(ino->parent, ino, &name);
		else
			err = tmpfs_name_of(ino->parent, ino, &name);
		if (err)
			break;
		len = strnlen(name.s, sizeof(name.s));
		if (len + 1 > pos) {
			err = -ENAMETOOLONG;
			break;
		}
		for (size_t i = len; i > 0; i--)
			tmp->s[--pos] = name.s[i - 1];
		tmp->s[--pos] = '/';
		ino = ino->parent;
	}
	if (!err) {
		if (pos == KPATH_MAX - 1)
			tmp->s[--pos] = '/';
		for (size_t i = 0; pos + i < KPATH_MAX; i++)
			out->s[i] = tmp->s[pos + i];
	}
	kpath_free(tmp);
	return err;
}
