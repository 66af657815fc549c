/* services/fs/vfs/fs_context.c: per-process root, cwd and umask.
 *
 * Layer: services (safe C), VFS. */
#include <fw/heap.h>

#include "fs/vfs/fdtable.h"
#include "fs/vfs/namei.h"

struct fs_context *fs_context_create_root(void)
{
	struct fs_context *fs;

	if (!vfs_root_mount)
		return NULL;
	fs = FW_NEW(struct fs_context);
	if (!fs)
		return NULL;
	atomic_init(&fs->refs, 1);
	fw_spin_init(&fs->lock, "fs_context");
	fs->root.mnt = vfs_root_mount;
	fs->root.inode = vfs_root_mount->sb->root;
	fs->cwd = fs->root;
	vfs_path_get(&fs->root);
	vfs_path_get(&fs->cwd);
	fs->umask = 022;
	return fs;
}

int fs_context_fork(struct fs_context *src, struct fs_context **out)
{
	struct fs_context *fs = FW_NEW(struct fs_context);

	if (!fs)
		return -ENOMEM;
	atomic_init(&fs->refs, 1);
	fw_spin_init(&fs->lock, "fs_context");
	fw_spin_lock(&src->lock);
	fs->root = src->root;
	fs->cwd = src->cwd;
	fs->umask = src->umask;
	vfs_path_get(&fs->root);
	vfs_path_get(&fs->cwd);
	fw_spin_unlock(&src->lock);
	*out = fs;
	return 0;
}

void fs_context_get(struct fs_context *fs)
{
	atomic_fetch_add(&fs->refs, 1);
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || atomic_fetch_sub(&fs->refs, 1) != 1)
		return;
	vfs_path_put(&fs->root);
	vfs_path_put(&fs->cwd);
	fw_free(fs);
}

void fs_context_root(struct fs_context *fs, struct vfs_path *out)
{
	fw_spin_lock(&fs->lock);
	*out = fs->root;
	vfs_path_get(out);
	fw_spin_unlock(&fs->lock);
}

void fs_context_cwd(struct fs_context *fs, struct vfs_path *out)
{
	fw_spin_lock(&fs->lock);
	*out = fs->cwd;
	vfs_path_get(out);
	fw_spin_unlock(&fs->lock);
}
