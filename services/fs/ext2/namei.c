/* services/fs/ext2/namei.c: the ext2 inode_ops: lookup, create (files,
 * directories, devices, FIFOs), symlinks, hard links, unlink/rmdir,
 * rename, readlink, truncate.
 *
 * Layer: services (safe C), ext2. Called by the VFS with vfs_ns_lock held
 * and permissions checked (truncate excepted, which takes inode->lock).
 * Directory entries hold no inode references; a directory inode in memory
 * holds one on its parent for ".." and getcwd (ino->parent), as tmpfs
 * does, kept right by rename. Link counts follow Linux ext2: a directory
 * has 2 + its subdirectories, EXT2_LINK_MAX at most. */
#include <fw/log.h>
#include <fw/string.h>

#include "fs/ext2/ext2.h"
#include "current/current.h" /* struct cred */

#define EXT2_LINK_MAX 32000

static int ro_check(struct inode *dir)
{
	return EXT2_SB(dir)->rdonly ? -EROFS : 0;
}

/* A removed directory takes no new entries (Linux IS_DEADDIR: its blocks
 * go when its last reference does). */
static bool dead_dir(const struct inode *dir)
{
	return dir->nlink == 0;
}

/* May name be added to dir? -ENOENT (dir was removed), -EEXIST (taken:
 * Linux says so even on a read-only mount), -EROFS, or 0. */
static int may_create(struct inode *dir, const struct kname *name)
{
	uint32_t nr;

	if (dead_dir(dir))
		return -ENOENT;
	if (ext2_dir_find(dir, name, &nr, NULL) == 0)
		return -EEXIST;
	return ro_check(dir);
}

static void set_parent(struct inode *ino, struct inode *dir)
{
	struct inode *old = ino->parent;

	if (old == dir)
		return;
	inode_get(dir);
	ino->parent = dir;
	if (old && old != ino)
		inode_put(old);
}

static int ext2_lookup(struct inode *dir, const struct kname *name,
		       struct inode **out)
{
	uint32_t nr;
	struct inode *ino;
	int err;

	if (dead_dir(dir))
		return -ENOENT;
	err = ext2_dir_find(dir, name, &nr, NULL);
	if (err)
		return err;
	err = ext2_iget(EXT2_SB(dir), nr, &ino);
	if (err)
		return err;
	if (S_ISDIR(ino->mode) && !ino->parent)
		set_parent(ino, dir);
	*out = ino;
	return 0;
}

static uint32_t group_of(const struct inode *dir)
{
	return (uint32_t)((dir->ino - 1) / EXT2_SB(dir)->ipg);
}

/* A new inode on disk and in memory, owned as Linux inode_init_owner. */
static int new_inode(struct inode *dir, uint32_t mode, const struct cred *c,
		     struct inode **out)
{
	struct ext2_sb *s = EXT2_SB(dir);
	struct inode *ino;
	uint32_t nr;
	int err = ext2_new_ino(s, group_of(dir), S_ISDIR(mode), &nr);

	if (err)
		return err;
	err = ext2_inew(s, nr, mode, &ino);
	if (err) {
		ext2_free_ino(s, nr, S_ISDIR(mode));
		return err;
	}
	ino->uid = c->fsuid;
	ino->gid = c->fsgid;
	if (dir->mode & S_ISGID) {
		ino->gid = dir->gid;
		if (S_ISDIR(mode))
			ino->mode |= S_ISGID;
	}
	*out = ino;
	return 0;
}

/* Undo new_inode: with no links the last put frees it. */
static void drop_new(struct inode *ino)
{
	ino->nlink = 0;
	inode_put(ino);
}

static int ext2_create(struct inode *dir, const struct kname *name,
		       uint32_t mode, uint32_t rdev, const struct cred *c,
		       struct inode **out)
{
	struct inode *ino;
	int err;

	err = may_create(dir, name);
	if (err)
		return err;
	if (S_ISDIR(mode) && dir->nlink >= EXT2_LINK_MAX)
		return -EMLINK;
	err = new_inode(dir, mode, c, &ino);
	if (err)
		return err;
	ino->rdev = rdev;
	if (S_ISDIR(mode)) {
		ino->nlink = 2;
		err = ext2_dir_init(ino, (uint32_t)dir->ino);
	} else {
		ino->nlink = 1;
		err = ext2_write_inode(ino);
	}
	if (!err)
		err = ext2_dir_add(dir, name, (uint32_t)ino->ino, ino->mode);
	if (err) {
		drop_new(ino);
		return err;
	}
	if (S_ISDIR(mode)) {
		dir->nlink++;
		err = ext2_write_inode(dir);
		set_parent(ino, dir);
	}
	*out = ino;
	return err;
}

static int ext2_symlink(struct inode *dir, const struct kname *name,
			const struct kpath *target, const struct cred *c,
			struct inode **out)
{
	struct ext2_sb *s = EXT2_SB(dir);
	size_t len = strnlen(target->s, sizeof(target->s));
	struct inode *ino;
	int err;

	err = may_create(dir, name);
	if (err)
		return err;
	if (len + 1 > s->bs)
		return -ENAMETOOLONG;
	err = new_inode(dir, S_IFLNK | 0777, c, &ino);
	if (err)
		return err;
	ino->nlink = 1;
	ino->size = len;
	if (len <= EXT2_FAST_LINK_MAX) {
		/* fast symlink: the target lives in i_block */
		for (size_t i = 0; i < len; i++)
			ino->ext2->block[i / 4] |= (uint32_t)(uint8_t)target->s[i] << (8 * (i % 4));
		err = ext2_write_inode(ino);
	} else {
		uint32_t blk;
		struct bref r;
		struct fw_bytes t;

		if (s->extents)
			ext2_ext_init(ino);
		err = ext2_bmap(ino, 0, true, &blk, NULL);
		if (!err)
			err = ext2_mget(s, blk, true, &r);
		if (!err) {
			err = fw_buf_fill(r.data, 0, s->bs, 0);
			if (!err)
				err = fw_bytes_sub(FW_BYTES_OF_ARRAY(target->s), 0, len, &t);
			if (!err)
				err = fw_buf_copy_from(r.data, 0, t);
			bref_dirty(&r);
			bref_put(&r);
		}
		if (!err)
			err = ext2_write_inode(ino);
	}
	if (!err)
		err = ext2_dir_add(dir, name, (uint32_t)ino->ino, ino->mode);
	if (err) {
		drop_new(ino);
		return err;
	}
	*out = ino;
	return 0;
}

static int ext2_link(struct inode *dir, const struct kname *name,
		     struct inode *target)
{
	int err;

	err = may_create(dir, name);
	if (err)
		return err;
	if (target->nlink >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_dir_add(dir, name, (uint32_t)target->ino, target->mode);
	if (err)
		return err;
	target->nlink++;
	inode_touch(target, false, false, true);
	return ext2_write_inode(target);
}

static int ext2_unlink(struct inode *dir, const struct kname *name)
{
	struct ext2_dirloc loc;
	struct inode *ino;
	uint32_t nr;
	int err = ext2_dir_find(dir, name, &nr, &loc);

	if (err)
		return err;
	err = ro_check(dir);
	if (err)
		return err;
	err = ext2_iget(EXT2_SB(dir), nr, &ino);
	if (err)
		return err;
	if (S_ISDIR(ino->mode) && !ext2_dir_empty(ino)) {
		err = -ENOTEMPTY;
		goto out_put;
	}
	err = ext2_dir_del(dir, &loc);
	if (err)
		goto out_put;
	if (S_ISDIR(ino->mode)) {
		ino->nlink = 0;
		if (dir->nlink > 2)
			dir->nlink--;
		err = ext2_write_inode(dir);
	} else if (ino->nlink > 0) {
		ino->nlink--;
	}
	ext2_orphan_add(ino);
	inode_touch(ino, false, false, true);
	if (ext2_write_inode(ino) && !err)
		err = -EIO;
out_put:
	inode_put(ino);
	return err;
}

/* True if dir is anc or lies below it (parents of walked-to directories
 * are all in memory). */
static bool is_ancestor(struct inode *anc, struct inode *dir)
{
	for (unsigned depth = 0; dir && depth < 4096; depth++) {
		if (dir == anc)
			return true;
		if (dir->parent == dir)
			break;
		dir = dir->parent;
	}
	return false;
}

static int ext2_rename(struct inode *odir, const struct kname *oname,
		       struct inode *ndir, const struct kname *nname,
		       unsigned flags)
{
	struct ext2_sb *s = EXT2_SB(odir);
	struct ext2_dirloc oloc, nloc;
	struct inode *src = NULL, *dst = NULL;
	uint32_t snr, dnr;
	bool have_dst;
	int err;

	/* Linux ext2 supports RENAME_NOREPLACE only. */
	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	if (dead_dir(odir) || dead_dir(ndir))
		return -ENOENT;
	err = ext2_dir_find(odir, oname, &snr, &oloc);
	if (err)
		return err;
	err = ro_check(odir);
	if (err)
		return err;
	have_dst = ext2_dir_find(ndir, nname, &dnr, &nloc) == 0;
	if (have_dst && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (have_dst && dnr == snr)
		return 0; /* hard links to one inode: POSIX says do nothing */
	err = ext2_iget(s, snr, &src);
	if (err)
		return err;
	if (S_ISDIR(src->mode) && !src->parent)
		set_parent(src, odir);
	if (S_ISDIR(src->mode) && is_ancestor(src, ndir)) {
		err = -EINVAL;
		goto out_put;
	}
	if (have_dst) {
		err = ext2_iget(s, dnr, &dst);
		if (err)
			goto out_put;
		if (S_ISDIR(src->mode) && !S_ISDIR(dst->mode))
			err = -ENOTDIR;
		else if (!S_ISDIR(src->mode) && S_ISDIR(dst->mode))
			err = -EISDIR;
		else if (S_ISDIR(dst->mode) && !ext2_dir_empty(dst))
			err = -ENOTEMPTY;
		if (err)
			goto out_put;
		err = ext2_dir_set(ndir, &nloc, snr, src->mode);
		if (err)
			goto out_put;
		if (S_ISDIR(dst->mode)) {
			dst->nlink = 0;
			if (ndir->nlink > 2)
				ndir->nlink--;
		} else if (dst->nlink > 0) {
			dst->nlink--;
		}
		ext2_orphan_add(dst);
		inode_touch(dst, false, false, true);
		err = ext2_write_inode(dst);
		if (err)
			goto out_put;
	} else {
		if (S_ISDIR(src->mode) && odir != ndir && ndir->nlink >= EXT2_LINK_MAX) {
			err = -EMLINK;
			goto out_put;
		}
		err = ext2_dir_add(ndir, nname, snr, src->mode);
		if (err)
			goto out_put;
	}
	/* Adding may have split records of odir: find the old one again. */
	err = ext2_dir_find(odir, oname, &snr, &oloc);
	if (!err)
		err = ext2_dir_del(odir, &oloc);
	if (err)
		goto out_put;
	if (S_ISDIR(src->mode) && odir != ndir) {
		err = ext2_dir_set_dotdot(src, (uint32_t)ndir->ino);
		if (odir->nlink > 2)
			odir->nlink--;
		ndir->nlink++;
		set_parent(src, ndir);
	}
	if (!err && S_ISDIR(src->mode)) {
		err = ext2_write_inode(odir);
		if (!err)
			err = ext2_write_inode(ndir);
	}
	inode_touch(src, false, false, true);
	if (!err)
		err = ext2_write_inode(src);
out_put:
	inode_put(dst);
	inode_put(src);
	return err;
}

static int ext2_readlink(struct inode *ino, struct kpath *out)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2;
	uint64_t ea = ei->file_acl ? s->bs / 512 : 0;
	size_t len = (size_t)ino->size;

	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	if (ei->blocks <= ea) {
		if (len > EXT2_FAST_LINK_MAX || len == 0)
			return ext2_corrupt(s, ino->ino, "bad fast symlink size", len);
		for (size_t i = 0; i < len; i++)
			out->s[i] = (char)(ei->block[i / 4] >> (8 * (i % 4)));
		out->s[len] = 0;
	} else {
		uint32_t blk;
		struct bref r;
		struct fw_bytes t;
		int err;

		if (len == 0 || len >= s->bs || len >= sizeof(out->s))
			return ext2_corrupt(s, ino->ino, "bad symlink size", len);
		err = ext2_bmap(ino, 0, false, &blk, NULL);
		if (!err && !blk)
			err = ext2_corrupt(s, ino->ino, "symlink without a block", 0);
		if (err)
			return err;
		err = bcache_get(s->dev, blk, s->bs, true, &r);
		if (err)
			return err;
		err = fw_bytes_sub(fw_buf_as_bytes(r.data), 0, len, &t);
		if (!err)
			err = fw_buf_copy_from(FW_BUF_OF_ARRAY(out->s), 0, t);
		bref_put(&r);
		if (err)
			return -EIO;
		out->s[len] = 0;
	}
	/* A NUL inside the target would make it shorter: Linux shows it so. */
	return 0;
}

static int ext2_iterate_op(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx)
{
	return ext2_iterate(dir, pos, ctx);
}

/* Each change runs inside one journal handle, so a commit holds whole
 * operations (fs/jbd2/journal.c; nothing without a journal). */
static int create_op(struct inode *dir, const struct kname *name, uint32_t mode,
		     uint32_t rdev, const struct cred *c, struct inode **out)
{
	int err;

	ext2_jstart(EXT2_SB(dir));
	err = ext2_create(dir, name, mode, rdev, c, out);
	ext2_jstop(EXT2_SB(dir));
	return err;
}

static int symlink_op(struct inode *dir, const struct kname *name,
		      const struct kpath *target, const struct cred *c,
		      struct inode **out)
{
	int err;

	ext2_jstart(EXT2_SB(dir));
	err = ext2_symlink(dir, name, target, c, out);
	ext2_jstop(EXT2_SB(dir));
	return err;
}

static int link_op(struct inode *dir, const struct kname *name,
		   struct inode *target)
{
	int err;

	ext2_jstart(EXT2_SB(dir));
	err = ext2_link(dir, name, target);
	ext2_jstop(EXT2_SB(dir));
	return err;
}

static int unlink_op(struct inode *dir, const struct kname *name)
{
	int err;

	ext2_jstart(EXT2_SB(dir));
	err = ext2_unlink(dir, name);
	ext2_jstop(EXT2_SB(dir));
	return err;
}

static int rename_op(struct inode *odir, const struct kname *oname,
		     struct inode *ndir, const struct kname *nname,
		     unsigned flags)
{
	int err;

	ext2_jstart(EXT2_SB(odir));
	err = ext2_rename(odir, oname, ndir, nname, flags);
	ext2_jstop(EXT2_SB(odir));
	return err;
}

const struct inode_ops ext2_iops = {
	.lookup = ext2_lookup,
	.create = create_op,
	.symlink = symlink_op,
	.link = link_op,
	.unlink = unlink_op,
	.rename = rename_op,
	.readlink = ext2_readlink,
	.truncate = ext2_truncate,
	.iterate = ext2_iterate_op,
	.dir_empty = ext2_dir_empty,
	.name_of = ext2_name_of,
	.read_kernel = ext2_read_kernel,
	.get_page = ext2_get_page,
	.writepage = ext2_writepage,
};
