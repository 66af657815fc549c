/* services/tty/devpts.c: the devpts file system (/dev/pts).
 *
 * Layer: services (safe C), a file system under the VFS. One instance,
 * made at boot and mounted by "mount -t devpts devpts /dev/pts" (every
 * mount shows the same pairs). The root lists "ptmx" (5:2, mode 0666:
 * Linux's default ptmxmode is 0000, here it opens like /dev/ptmx) and one
 * node N (136:N, mode 0620, owned by whoever opened the master) per pair
 * whose master is open. The root keeps the inodes it handed out in its
 * entry list (the path walk drops a lookup's reference and relies on the
 * directory to keep the inode while vfs_ns_lock is held, namei.c, as
 * procfs does); entries of pairs that are gone are dropped at the next
 * lookup or readdir (inode number 3 + N, so it stays the same). Nothing
 * can be created, removed or renamed (-EPERM/-EACCES, as Linux's
 * devpts). */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/mount.h"
#include "fs/vfs/vfs.h"
#include "lib/kdev.h"
#include "tty/pty.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1
#define DEVPTS_INO_ROOT 1
#define DEVPTS_INO_PTMX 2
#define DEVPTS_INO_BASE 3 /* + N for /dev/pts/N */

static const struct inode_ops devpts_iops;

static bool parse_index(const struct kname *name, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; name->s[i]; i++) {
		if (name->s[i] < '0' || name->s[i] > '9' || i > 4 ||
		    (i == 1 && name->s[0] == '0'))
			return false;
		v = v * 10 + (unsigned)(name->s[i] - '0');
	}
	*out = v;
	return i > 0;
}

/* Drop cached entries of pairs that are gone (or were reused by another
 * owner since). vfs_ns_lock held. */
static void prune(struct inode *dir)
{
	struct tmpfs_dirent *d, *tmp;

	FW_LIST_FOR_EACH_SAFE(d, tmp, &dir->dirents, node) {
		uint32_t uid, gid;
		unsigned idx;

		if (d->inode->ino == DEVPTS_INO_PTMX)
			continue;
		idx = (unsigned)(d->inode->ino - DEVPTS_INO_BASE);
		if (pty_devpts_node(idx, &uid, &gid) && uid == d->inode->uid &&
		    gid == d->inode->gid)
			continue;
		fw_list_del(&d->node);
		inode_put(d->inode);
		fw_free(d);
	}
}

static int devpts_lookup(struct inode *dir, const struct kname *name,
			 struct inode **out)
{
	struct inode *ino;
	uint32_t uid = 0, gid = 0;
	unsigned idx = 0;
	bool ptmx = strcmp(name->s, "ptmx") == 0;
	int err;

	prune(dir);
	if (!ptmx && (!parse_index(name, &idx) ||
		      !pty_devpts_node(idx, &uid, &gid)))
		return -ENOENT;
	if (tmpfs_dir_lookup(dir, name, out) == 0)
		return 0; /* cached, still the same pair */
	ino = inode_alloc(dir->sb, ptmx ? S_IFCHR | 0666 : S_IFCHR | 0620);
	if (!ino)
		return -ENOMEM;
	ino->iops = &devpts_iops;
	ino->nlink = 1;
	ino->uid = uid;
	ino->gid = gid;
	ino->ino = ptmx ? DEVPTS_INO_PTMX : DEVPTS_INO_BASE + idx;
	ino->rdev = ptmx ? dev_mkdev(5, 2) : dev_mkdev(PTY_SLAVE_MAJOR, idx);
	/* The directory's entry holds one reference, the caller the other. */
	err = tmpfs_dir_add(dir, name, ino);
	if (err) {
		inode_put(ino);
		return err;
	}
	*out = ino;
	return 0;
}

/* Positions: 0 ".", 1 "..", 2 "ptmx", 3 + N the pair N. */
static int devpts_iterate(struct inode *dir, uint64_t *pos,
			  struct dir_ctx *ctx)
{
	static const struct kname dot = { "." }, dotdot = { ".." },
				  ptmx = { "ptmx" };

	prune(dir);
	if (*pos == 0) {
		if (!ctx->emit(ctx, &dot, dir->ino, DT_DIR, 1))
			return ctx->err;
		*pos = 1;
	}
	if (*pos == 1) {
		if (!ctx->emit(ctx, &dotdot, dir->ino, DT_DIR, 2))
			return ctx->err;
		*pos = 2;
	}
	if (*pos == 2) {
		if (!ctx->emit(ctx, &ptmx, DEVPTS_INO_PTMX, DT_CHR, 3))
			return ctx->err;
		*pos = 3;
	}
	for (; *pos < DEVPTS_INO_BASE + PTY_MAX; ++*pos) {
		unsigned idx = (unsigned)(*pos - DEVPTS_INO_BASE);
		uint32_t uid, gid;
		struct kname name;

		if (!pty_devpts_node(idx, &uid, &gid))
			continue;
		snprintf(name.s, sizeof(name.s), "%u", idx);
		if (!ctx->emit(ctx, &name, *pos, DT_CHR, *pos + 1))
			return ctx->err;
	}
	return 0;
}

static int devpts_create(struct inode *dir, const struct kname *name,
			 uint32_t mode, uint32_t rdev, const struct cred *c,
			 struct inode **out)
{
	return S_ISREG(mode) ? -EACCES : -EPERM;
}

static int devpts_symlink(struct inode *dir, const struct kname *name,
			  const struct kpath *target, const struct cred *c,
			  struct inode **out)
{
	return -EPERM;
}

static int devpts_link(struct inode *dir, const struct kname *name,
		       struct inode *target)
{
	return -EPERM;
}

static int devpts_unlink(struct inode *dir, const struct kname *name)
{
	return -EPERM;
}

static int devpts_rename(struct inode *odir, const struct kname *oname,
			 struct inode *ndir, const struct kname *nname,
			 unsigned flags)
{
	return -EPERM;
}

static int devpts_truncate(struct inode *ino, uint64_t size)
{
	return -EACCES;
}

static bool devpts_dir_empty(struct inode *dir)
{
	return false;
}

static const struct inode_ops devpts_iops = {
	.lookup = devpts_lookup,
	.create = devpts_create,
	.symlink = devpts_symlink,
	.link = devpts_link,
	.unlink = devpts_unlink,
	.rename = devpts_rename,
	.truncate = devpts_truncate,
	.iterate = devpts_iterate,
	.dir_empty = devpts_dir_empty,
};

int devpts_init(void)
{
	struct superblock *sb = FW_NEW(struct superblock);
	struct inode *root;

	if (!sb)
		return -ENOMEM;
	sb->dev = vfs_anon_dev();
	sb->magic = DEVPTS_SUPER_MAGIC;
	sb->fstype = "devpts";
	atomic_init(&sb->next_ino, 1);
	root = inode_alloc(sb, S_IFDIR | 0755);
	if (!root) {
		fw_free(sb);
		return -ENOMEM;
	}
	root->ino = DEVPTS_INO_ROOT;
	root->iops = &devpts_iops;
	root->fops = &tmpfs_dir_ops; /* getdents through iops->iterate */
	root->nlink = 2;
	root->parent = root;
	sb->root = root;
	vfs_devpts_sb = sb;
	return 0;
}
