/* services/fs/vfs/inode.c: inode lifetime, timestamps and permission checks.
 *
 * Layer: services (safe C), VFS core. Inodes are reference counted; every
 * directory entry, open file, cwd and mount holds one, so the inode (and
 * its data pages) goes away only when nothing names or uses it. */
#include <fw/heap.h>
#include <fw/time.h>

#include "fs/vfs/vfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "current/current.h"

struct fs_time fs_now(void)
{
	uint64_t ns = fw_time_realtime_ns();
	struct fs_time t = {
		.sec = (int64_t)(ns / FW_NSEC_PER_SEC),
		.nsec = (uint32_t)(ns % FW_NSEC_PER_SEC),
	};

	return t;
}

struct inode *inode_alloc(struct superblock *sb, uint32_t mode)
{
	struct inode *ino = FW_NEW(struct inode);
	struct fs_time now = fs_now();

	if (!ino)
		return NULL;
	atomic_init(&ino->refs, 1);
	ino->sb = sb;
	ino->ino = atomic_fetch_add(&sb->next_ino, 1);
	atomic_fetch_add(&sb->nr_inodes, 1);
	ino->mode = mode;
	ino->atime = now;
	ino->mtime = now;
	ino->ctime = now;
	fw_mutex_init(&ino->lock, "inode");
	fw_list_init(&ino->i_mmap);
	fw_list_init(&ino->dirents);
	fw_list_init(&ino->export_node);
	ino->next_cookie = 2; /* 0 and 1 are "." and ".." */
	return ino;
}

void inode_get(struct inode *ino)
{
	atomic_fetch_add(&ino->refs, 1);
}

void inode_put(struct inode *ino)
{
	if (!ino)
		return;
	/* A disk file system keeps an inode cache: it must decide under its
	 * cache lock whether this was the last reference (ext2_put). */
	if (ino->sb->sops && ino->sb->sops->put) {
		ino->sb->sops->put(ino);
		return;
	}
	if (atomic_fetch_sub(&ino->refs, 1) != 1)
		return;
	/* Last reference: no directory entry names it and no file, cwd or
	 * mount uses it, so nothing else can reach it. */
	inode_release(ino);
}

void inode_release(struct inode *ino)
{
	tmpfs_evict(ino);
	atomic_fetch_sub(&ino->sb->nr_inodes, 1);
	fw_free(ino);
}

int inode_mark_dirty(struct inode *ino)
{
	if (ino->sb->sops && ino->sb->sops->write_inode)
		return ino->sb->sops->write_inode(ino);
	return 0;
}

int inode_check_writable(const struct inode *ino)
{
	return ino->sb->rdonly ? -EROFS : 0;
}

void inode_touch(struct inode *ino, bool a, bool m, bool c)
{
	struct fs_time now = fs_now();

	if (a)
		ino->atime = now;
	if (m)
		ino->mtime = now;
	if (c)
		ino->ctime = now;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups && i < FW_ARRAY_LEN(c->groups); i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool inode_owner_or_root(const struct inode *ino, const struct cred *c)
{
	return c->fsuid == ino->uid || cred_capable(c, CAP_FOWNER);
}

/* Linux generic_permission(): the owner, group or other bits, then the
 * capabilities: CAP_DAC_OVERRIDE reads and writes anything and searches
 * any directory, but executes a non-directory only if some x bit is
 * set; CAP_DAC_READ_SEARCH reads anything and searches directories. */
int inode_permission(const struct inode *ino, int mask, const struct cred *c)
{
	uint32_t mode = ino->mode;
	uint32_t bits;

	if (c->fsuid == ino->uid)
		bits = (mode >> 6) & 7;
	else if (cred_in_group(c, ino->gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	if (!((uint32_t)mask & ~bits))
		return 0;
	if (cred_capable(c, CAP_DAC_OVERRIDE) &&
	    (!(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111)))
		return 0;
	if (cred_capable(c, CAP_DAC_READ_SEARCH) && !(mask & MAY_WRITE) &&
	    (!(mask & MAY_EXEC) || S_ISDIR(mode)))
		return 0;
	if (ino->iops && ino->iops->may_access && ino->iops->may_access(ino, mask))
		return 0;
	return -EACCES;
}

unsigned inode_dtype(uint32_t mode)
{
	return (mode & S_IFMT) >> 12;
}

void vfs_path_get(const struct vfs_path *p)
{
	if (p->inode)
		inode_get(p->inode);
	if (p->mnt)
		atomic_fetch_add(&p->mnt->refs, 1);
}

void vfs_path_put(struct vfs_path *p)
{
	if (p->inode)
		inode_put(p->inode);
	if (p->mnt)
		atomic_fetch_sub(&p->mnt->refs, 1);
	p->inode = NULL;
	p->mnt = NULL;
}
