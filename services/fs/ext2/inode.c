/* services/fs/ext2/inode.c: the inode cache, reading and writing inodes,
 * and eviction.
 *
 * Layer: services (safe C), ext2. One on-disk inode has at most one
 * struct inode: ext2_iget looks in a per-superblock hash first. Directory
 * entries hold no references (unlike tmpfs): an inode lives while files,
 * cwds or path walks use it, and its last inode_put comes here (ext2_put)
 * and decides under icache_lock, so a concurrent iget can never pick up an
 * inode that is being evicted (Linux's atomic_dec_and_lock in iput). An
 * evicted inode with no links left loses its blocks and its number then,
 * so an unlinked file stays readable while open (POSIX).
 *
 * The VFS's path walk drops the reference lookup gave it and keeps using
 * the inode while it holds vfs_ns_lock (a tmpfs directory entry holds a
 * reference; an ext2 one does not). So an inode whose last reference goes
 * while it still has links stays cached, unreferenced (s->unused, Linux's
 * inode LRU), and is only evicted by ext2_prune, which runs with
 * vfs_ns_lock held, when no walk can be using it: when the cache grows
 * past EXT2_UNUSED_MAX (if vfs_ns_lock is free at that moment) and at
 * unmount. An inode without links goes at once (nothing can find it).
 * A cached inode may get a reference back through a plain inode_get (the
 * walk's result, a child's parent link) without leaving the unused list:
 * every such 0 -> 1 happens under vfs_ns_lock, so ext2_prune, holding it,
 * just drops those from the list instead of evicting them.
 *
 * An inode is written into its inode-table block in the cache whenever it
 * changes (the cache itself is write-back), under s->lock, which guards
 * the bytes of inode-table blocks. */
#include <fw/heap.h>
#include <fw/log.h>

#include "fs/ext2/ext2.h"
#include "fs/vfs/chardev.h"
#include "fs/vfs/namei.h"
#include "fs/tmpfs/tmpfs.h"

static struct fw_list *bucket(struct ext2_sb *s, uint32_t ino)
{
	return &s->icache[ino % EXT2_ICACHE_BUCKETS];
}

/* Block and offset of inode ino's record. */
static int locate(struct ext2_sb *s, uint32_t ino, uint32_t *blk, size_t *off)
{
	uint32_t g = (ino - 1) / s->ipg, idx = (ino - 1) % s->ipg;
	uint64_t byte = (uint64_t)idx * s->inode_size;
	struct ext2_gd d;
	int err = ext2_gd_read(s, g, &d);

	if (err)
		return err;
	*blk = d.inode_table + (uint32_t)(byte / s->bs);
	*off = (size_t)(byte % s->bs);
	if (!ext2_block_ok(s, *blk))
		return ext2_corrupt(s, ino, "inode table block out of range", *blk);
	return 0;
}

void ext2_set_ops(struct inode *ino)
{
	ino->iops = &ext2_iops;
	if (S_ISDIR(ino->mode))
		ino->fops = &tmpfs_dir_ops; /* getdents through iops->iterate */
	else if (S_ISREG(ino->mode))
		ino->fops = &ext2_file_ops;
	else
		ino->fops = NULL; /* chosen at open: chardev, FIFO */
}

static uint32_t get32(struct fw_bytes b, size_t off)
{
	uint32_t v = 0;

	if (fw_bytes_get_u32_le(b, off, &v))
		return 0;
	return v;
}

static uint16_t get16(struct fw_bytes b, size_t off)
{
	uint16_t v = 0;

	if (fw_bytes_get_u16_le(b, off, &v))
		return 0;
	return v;
}

/* Does the record's extra part (ext4's large inodes) reach field off? */
static bool has_extra(const struct ext2_inode_info *ei, size_t off)
{
	return EXT2_GOOD_OLD_INODE_SIZE + (uint32_t)ei->extra_isize >= off + 4;
}

/* A time: 32 bits of seconds, and with an extra field (ext4) two more
 * epoch bits and the nanoseconds (Linux ext4_decode_extra_time). */
static struct fs_time get_time(const struct ext2_inode_info *ei,
			       struct fw_bytes b, size_t off, size_t extra_off)
{
	struct fs_time t = { .sec = get32(b, off), .nsec = 0 };

	if (has_extra(ei, extra_off)) {
		uint32_t extra = get32(b, extra_off);

		t.sec = (int64_t)(int32_t)get32(b, off) + ((int64_t)(extra & 3) << 32);
		t.nsec = extra >> 2;
		if (t.nsec >= 1000000000u)
			t.nsec = 0;
	}
	return t;
}

static int put_time(const struct ext2_inode_info *ei, struct fw_buf b,
		    size_t off, size_t extra_off, struct fs_time t)
{
	int err = fw_buf_put_u32_le(b, off, (uint32_t)t.sec);

	if (has_extra(ei, extra_off))
		err |= fw_buf_put_u32_le(b, extra_off,
					 t.nsec << 2 |
					 (uint32_t)(((t.sec - (int32_t)t.sec) >> 32) & 3));
	return err;
}

/* Fill ino and ei from the raw record. */
static void parse_inode(struct ext2_sb *s, struct inode *ino,
			struct ext2_inode_info *ei, struct fw_bytes b)
{
	ino->mode = get16(b, I_MODE);
	ino->uid = get16(b, I_UID) | (uint32_t)get16(b, I_UID_HIGH) << 16;
	ino->gid = get16(b, I_GID) | (uint32_t)get16(b, I_GID_HIGH) << 16;
	ino->nlink = get16(b, I_LINKS);
	ino->size = get32(b, I_SIZE);
	if (S_ISREG(ino->mode))
		ino->size |= (uint64_t)get32(b, I_SIZE_HIGH) << 32;
	ei->extra_isize = 0;
	if (s->inode_size > EXT2_GOOD_OLD_INODE_SIZE) {
		ei->extra_isize = get16(b, I_EXTRA_ISIZE);
		if (EXT2_GOOD_OLD_INODE_SIZE + (uint32_t)ei->extra_isize > s->inode_size)
			ei->extra_isize = 0; /* iget refuses it */
	}
	ino->atime = get_time(ei, b, I_ATIME, I_ATIME_EXTRA);
	ino->ctime = get_time(ei, b, I_CTIME, I_CTIME_EXTRA);
	ino->mtime = get_time(ei, b, I_MTIME, I_MTIME_EXTRA);
	ei->dtime = get32(b, I_DTIME);
	ei->flags = get32(b, I_FLAGS);
	ei->blocks = get32(b, I_BLOCKS);
	if (s->huge_file) {
		ei->blocks |= (uint64_t)get16(b, I_BLOCKS_HI) << 32;
		/* counted in file system blocks: kept in sectors here, and
		 * written so (the flag goes) */
		if (ei->flags & EXT4_HUGE_FILE_FL)
			ei->blocks <<= s->log_bs - 9;
		ei->flags &= ~(uint32_t)EXT4_HUGE_FILE_FL;
	}
	for (unsigned i = 0; i < EXT2_N_BLOCKS; i++)
		ei->block[i] = get32(b, I_BLOCK + 4 * i);
	ei->generation = get32(b, I_GENERATION);
	ei->csum_seed = ext2_csum_inode_seed(s, (uint32_t)ino->ino, ei->generation);
	ei->file_acl = get32(b, I_FILE_ACL);
	ei->faddr = get32(b, I_FADDR);
	for (unsigned i = 0; i < 4; i++)
		if (fw_bytes_get_u8(b, 36 + i, &ei->osd1[i]))
			ei->osd1[i] = 0;
	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) {
		uint32_t old = ei->block[0];

		/* Linux old_decode_dev (8:8 bits) or new_decode_dev. */
		ino->rdev = old ? dev_mkdev((old >> 8) & 0xff, old & 0xff)
				: ei->block[1];
	}
}

static struct ext2_inode_info *cache_find(struct ext2_sb *s, uint32_t ino)
{
	struct ext2_inode_info *ei;

	FW_LIST_FOR_EACH(ei, bucket(s, ino), hnode)
		if (ei->vfs->ino == ino)
			return ei;
	return NULL;
}

static struct inode *make_inode(struct ext2_sb *s, uint32_t ino, uint32_t mode)
{
	struct inode *vi = inode_alloc(s->vsb, mode);
	struct ext2_inode_info *ei = FW_NEW(struct ext2_inode_info);

	if (!vi || !ei) {
		fw_free(ei);
		if (vi)
			inode_release(vi);
		return NULL;
	}
	vi->ino = ino;
	vi->ext2 = ei;
	ei->vfs = vi;
	fw_list_init(&ei->orphan);
	return vi;
}

int ext2_iget(struct ext2_sb *s, uint32_t ino, struct inode **out)
{
	struct ext2_inode_info *ei;
	struct inode *vi;
	uint32_t blk;
	size_t off;
	struct bref r;
	struct fw_bytes raw;
	bool csum_ok = true, acl_hi = false;
	int err;

	if ((ino != EXT2_ROOT_INO && ino != s->journal_ino && ino < s->first_ino) ||
	    ino > s->inodes_count)
		return ext2_corrupt(s, ino, "inode number out of range", ino);
	fw_mutex_lock(&s->icache_lock);
	ei = cache_find(s, ino);
	if (ei) {
		if (ei->on_lru) {
			fw_list_del(&ei->lru);
			ei->on_lru = false;
			s->nr_unused--;
		}
		inode_get(ei->vfs);
		*out = ei->vfs;
		fw_mutex_unlock(&s->icache_lock);
		return 0;
	}
	err = locate(s, ino, &blk, &off);
	if (err)
		goto out_unlock;
	vi = make_inode(s, ino, 0);
	if (!vi) {
		err = -ENOMEM;
		goto out_unlock;
	}
	fw_mutex_lock(&s->lock);
	err = bcache_get(s->dev, blk, s->bs, true, &r);
	if (!err) {
		err = fw_bytes_sub(fw_buf_as_bytes(r.data), off, s->inode_size, &raw);
		if (!err) {
			parse_inode(s, vi, vi->ext2, raw);
			csum_ok = ext2_csum_inode_ok(s, vi->ext2->csum_seed, raw);
			acl_hi = get16(raw, I_FILE_ACL_HI) != 0;
		}
		bref_put(&r);
	}
	fw_mutex_unlock(&s->lock);
	if (!err && !csum_ok)
		err = ext2_corrupt(s, ino, "inode checksum invalid", 0);
	if (!err && s->inode_size > EXT2_GOOD_OLD_INODE_SIZE &&
	    (EXT2_GOOD_OLD_INODE_SIZE + (uint32_t)vi->ext2->extra_isize > s->inode_size ||
	     vi->ext2->extra_isize % 4))
		err = ext2_corrupt(s, ino, "bad extra_isize", vi->ext2->extra_isize);
	if (!err && acl_hi)
		err = ext2_corrupt(s, ino, "attribute block beyond 2^32", 0);
	if (!err && vi->nlink == 0 && !s->orphan_cleanup)
		err = ext2_corrupt(s, ino, "deleted inode referenced", 0);
	if (!err && (vi->mode & S_IFMT) == 0)
		err = ext2_corrupt(s, ino, "inode has no file type", vi->mode);
	if (!err && (S_ISDIR(vi->mode) && (vi->size % s->bs || vi->size == 0)))
		err = ext2_corrupt(s, ino, "directory size not a multiple of the block size",
				   vi->size);
	/* Sizes no block map of this file system can reach (keeps the size
	 * arithmetic of reads, mmap and readdir far from overflow). */
	if (!err && S_ISDIR(vi->mode) && vi->size / s->bs > s->blocks_count)
		err = ext2_corrupt(s, ino, "directory larger than the file system", vi->size);
	if (!err && S_ISREG(vi->mode) && vi->size > s->max_size)
		err = ext2_corrupt(s, ino, "i_size beyond the largest file", vi->size);
	if (err) {
		fw_free(vi->ext2);
		vi->ext2 = NULL;
		inode_release(vi);
		goto out_unlock;
	}
	ext2_set_ops(vi);
	fw_list_add_tail(bucket(s, ino), &vi->ext2->hnode);
	*out = vi;
out_unlock:
	fw_mutex_unlock(&s->icache_lock);
	return err;
}

/* A file handle's inode (Linux ext4_nfs_get_inode with EXT4_IGET_HANDLE):
 * numbers outside the file's range and deleted or reused inodes are
 * -ESTALE, quietly: a handle is a user's guess, not a corruption. A
 * generation of 0 matches any (as Linux). Called with vfs_ns_lock held, so
 * no unlink runs between the look at the record and ext2_iget. */
int ext2_iget_handle(struct ext2_sb *s, uint32_t ino, uint32_t gen,
		     struct inode **out)
{
	struct ext2_inode_info *ei;
	struct inode *vi = NULL;
	uint16_t links = 0, mode = 0;
	uint32_t blk, rgen = 0;
	size_t off;
	struct bref r;
	struct fw_bytes raw;
	int err;

	if ((ino != EXT2_ROOT_INO && ino < s->first_ino) || ino > s->inodes_count ||
	    ino == 0)
		return -ESTALE;
	fw_mutex_lock(&s->icache_lock);
	ei = cache_find(s, ino);
	if (ei)
		rgen = ei->generation;
	fw_mutex_unlock(&s->icache_lock);
	if (!ei) {
		/* Not in memory: is the record a live inode at all? */
		err = locate(s, ino, &blk, &off);
		if (err)
			return err == -EIO ? -ESTALE : err;
		fw_mutex_lock(&s->lock);
		err = bcache_get(s->dev, blk, s->bs, true, &r);
		if (!err) {
			err = fw_bytes_sub(fw_buf_as_bytes(r.data), off,
					   s->inode_size, &raw);
			if (!err) {
				links = get16(raw, I_LINKS);
				mode = get16(raw, I_MODE);
				rgen = get32(raw, I_GENERATION);
			}
			bref_put(&r);
		}
		fw_mutex_unlock(&s->lock);
		if (err)
			return err;
		if (links == 0 || (mode & S_IFMT) == 0)
			return -ESTALE;
	}
	if (gen && rgen != gen)
		return -ESTALE;
	err = ext2_iget(s, ino, &vi);
	if (err)
		return err;
	if (gen && vi->ext2->generation != gen) {
		inode_put(vi);
		return -ESTALE;
	}
	*out = vi;
	return 0;
}

int ext2_inew(struct ext2_sb *s, uint32_t ino, uint32_t mode,
	      struct inode **out)
{
	struct inode *vi;

	fw_mutex_lock(&s->icache_lock);
	if (cache_find(s, ino)) {
		fw_mutex_unlock(&s->icache_lock);
		return ext2_corrupt(s, ino, "allocated inode is in use", ino);
	}
	vi = make_inode(s, ino, mode);
	if (!vi) {
		fw_mutex_unlock(&s->icache_lock);
		return -ENOMEM;
	}
	vi->ext2->is_new = true;
	if (s->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + EXT4_INODE_EXTRA)
		vi->ext2->extra_isize = EXT4_INODE_EXTRA;
	fw_mutex_lock(&s->lock);
	vi->ext2->generation = s->next_generation++;
	fw_mutex_unlock(&s->lock);
	vi->ext2->csum_seed = ext2_csum_inode_seed(s, ino, vi->ext2->generation);
	/* ext4 maps new files and directories with extents (a slow
	 * symlink gets its tree when it gets its block) */
	if (s->extents && (S_ISREG(mode) || S_ISDIR(mode)))
		ext2_ext_init(vi);
	ext2_set_ops(vi);
	fw_list_add_tail(bucket(s, ino), &vi->ext2->hnode);
	fw_mutex_unlock(&s->icache_lock);
	*out = vi;
	return 0;
}

/* A file over 2 GiB needs the large_file feature (Linux sets it). */
static void need_large_file(struct ext2_sb *s)
{
	struct bref r;

	if ((s->feat_ro & EXT2_FEATURE_RO_COMPAT_LARGE_FILE) || s->rev == 0)
		return;
	if (ext2_sb_get(s, &r))
		return;
	s->feat_ro |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	if (!fw_buf_put_u32_le(r.data, SB_FEATURE_RO_COMPAT, s->feat_ro))
		ext2_sb_dirty(s, &r);
	bref_put(&r);
}

static int serialize(struct ext2_sb *s, struct inode *ino, struct fw_buf b)
{
	struct ext2_inode_info *ei = ino->ext2;
	uint32_t blk[EXT2_N_BLOCKS];
	int err = 0;

	for (unsigned i = 0; i < EXT2_N_BLOCKS; i++)
		blk[i] = ei->block[i];
	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) {
		unsigned maj = dev_major(ino->rdev), min = dev_minor(ino->rdev);

		for (unsigned i = 0; i < EXT2_N_BLOCKS; i++)
			blk[i] = 0;
		if (maj < 256 && min < 256)
			blk[0] = ino->rdev;
		else
			blk[1] = ino->rdev;
	}
	if (S_ISREG(ino->mode) && ino->size > 0x7fffffffull)
		need_large_file(s);
	err |= fw_buf_put_u16_le(b, I_MODE, (uint16_t)ino->mode);
	err |= fw_buf_put_u16_le(b, I_UID, (uint16_t)ino->uid);
	err |= fw_buf_put_u16_le(b, I_UID_HIGH, (uint16_t)(ino->uid >> 16));
	err |= fw_buf_put_u16_le(b, I_GID, (uint16_t)ino->gid);
	err |= fw_buf_put_u16_le(b, I_GID_HIGH, (uint16_t)(ino->gid >> 16));
	err |= fw_buf_put_u16_le(b, I_LINKS, (uint16_t)ino->nlink);
	err |= fw_buf_put_u32_le(b, I_SIZE, (uint32_t)ino->size);
	err |= fw_buf_put_u32_le(b, I_SIZE_HIGH,
				 S_ISREG(ino->mode) ? (uint32_t)(ino->size >> 32) : 0);
	if (s->inode_size > EXT2_GOOD_OLD_INODE_SIZE)
		err |= fw_buf_put_u16_le(b, I_EXTRA_ISIZE, ei->extra_isize);
	err |= put_time(ei, b, I_ATIME, I_ATIME_EXTRA, ino->atime);
	err |= put_time(ei, b, I_CTIME, I_CTIME_EXTRA, ino->ctime);
	err |= put_time(ei, b, I_MTIME, I_MTIME_EXTRA, ino->mtime);
	if (ei->is_new && has_extra(ei, I_CRTIME_EXTRA))
		err |= put_time(ei, b, I_CRTIME, I_CRTIME_EXTRA, ino->ctime);
	err |= fw_buf_put_u32_le(b, I_DTIME, ei->dtime);
	err |= fw_buf_put_u32_le(b, I_BLOCKS, (uint32_t)ei->blocks);
	err |= fw_buf_put_u16_le(b, I_BLOCKS_HI,
				 s->huge_file ? (uint16_t)(ei->blocks >> 32) : 0);
	err |= fw_buf_put_u32_le(b, I_FLAGS, ei->flags);
	for (unsigned i = 0; i < EXT2_N_BLOCKS; i++)
		err |= fw_buf_put_u32_le(b, I_BLOCK + 4 * i, blk[i]);
	err |= fw_buf_put_u32_le(b, I_GENERATION, ei->generation);
	err |= fw_buf_put_u32_le(b, I_FILE_ACL, ei->file_acl);
	err |= fw_buf_put_u32_le(b, I_FADDR, ei->faddr);
	for (unsigned i = 0; i < 4; i++)
		err |= fw_buf_put_u8(b, 36 + i, ei->osd1[i]);
	return err ? -EIO : 0;
}

int ext2_write_inode(struct inode *ino)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2;
	uint32_t blk;
	size_t off;
	struct bref r;
	struct fw_buf raw;
	int err;

	if (!ei)
		return 0;
	if (s->rdonly)
		return -EROFS;
	err = locate(s, (uint32_t)ino->ino, &blk, &off);
	if (err)
		return err;
	fw_mutex_lock(&s->lock);
	err = ext2_mget(s, blk, true, &r);
	if (!err) {
		err = fw_buf_sub(r.data, off, s->inode_size, &raw);
		if (!err && ei->is_new)
			err = fw_buf_fill(raw, 0, s->inode_size, 0);
		if (!err)
			err = serialize(s, ino, raw);
		if (!err) {
			ext2_csum_inode_set(s, ei->csum_seed, raw);
			ei->is_new = false;
			bref_dirty(&r);
		}
		bref_put(&r);
	}
	fw_mutex_unlock(&s->lock);
	return err;
}

int ext2_release_xattr(struct ext2_sb *s, struct inode *ino)
{
	struct ext2_inode_info *ei = ino->ext2;
	uint32_t blk = ei->file_acl, magic = 0, refs = 0;
	struct bref r;
	bool free_it = false;
	int err;

	if (!blk)
		return 0;
	ei->file_acl = 0;
	if (ei->blocks >= s->bs / 512)
		ei->blocks -= s->bs / 512;
	if (!ext2_block_ok(s, blk))
		return ext2_corrupt(s, ino->ino, "bad extended attribute block", blk);
	fw_mutex_lock(&s->lock);
	err = ext2_mget(s, blk, true, &r);
	if (!err) {
		if (fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), 0, &magic) ||
		    fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), EXT2_XATTR_REFCOUNT, &refs) ||
		    magic != EXT2_XATTR_MAGIC) {
			err = -EIO;
		} else if (refs <= 1) {
			free_it = true;
		} else if (!fw_buf_put_u32_le(r.data, EXT2_XATTR_REFCOUNT, refs - 1)) {
			ext2_csum_xattr_set(s, blk, r.data);
			bref_dirty(&r);
		}
		bref_put(&r);
	}
	fw_mutex_unlock(&s->lock);
	if (err)
		return ext2_corrupt(s, ino->ino, "bad extended attribute block", blk);
	if (free_it)
		ext2_free_block(s, blk);
	return 0;
}

/* Does the inode keep data in blocks (not a fast symlink or device)? */
static bool has_blocks(const struct ext2_sb *s, const struct inode *ino)
{
	uint64_t ea = ino->ext2->file_acl ? s->bs / 512 : 0;

	if (S_ISLNK(ino->mode))
		return ino->ext2->blocks > ea;
	return S_ISREG(ino->mode) || S_ISDIR(ino->mode);
}

/* The last reference is gone and the inode is out of the cache. */
static void evict(struct inode *ino)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2;
	bool delete;

	pcache_evict(ino);
	delete = ino->nlink == 0 && !s->rdonly && !ei->bad;
	if (!delete && !ei->on_orphan)
		goto out_free;
	/* One handle: off the orphan list together with the deletion. */
	ext2_jstart(s);
	ext2_orphan_del(ino);
	if (delete) {
		bool ok = true;

		ei->dtime = (uint32_t)fs_now().sec;
		if (has_blocks(s, ino) && ext2_trunc_blocks(ino, 0)) {
			/* A corrupt block map: leave the inode allocated
			 * (e2fsck will find it) rather than free blocks
			 * that may belong to others. */
			fw_warn("ext2 (%s): inode %llu: blocks not freed",
				s->dev->name, (unsigned long long)ino->ino);
			ok = false;
		}
		if (ok) {
			ino->size = 0;
			if (ext2_release_xattr(s, ino))
				fw_warn("ext2 (%s): inode %llu: attribute block not freed",
					s->dev->name, (unsigned long long)ino->ino);
		}
		if (ext2_write_inode(ino) == 0 && ok)
			ext2_free_ino(s, (uint32_t)ino->ino, S_ISDIR(ino->mode));
	}
	ext2_jstop(s);
out_free:
	fw_free(ei);
	ino->ext2 = NULL;
	inode_release(ino);
}

void ext2_put(struct inode *ino)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2;
	int r = atomic_load(&ino->refs);
	bool prune;

	/* Not the last reference: no lock needed. */
	while (r > 1) {
		if (atomic_compare_exchange_weak(&ino->refs, &r, r - 1))
			return;
	}
	fw_mutex_lock(&s->icache_lock);
	if (atomic_fetch_sub(&ino->refs, 1) != 1) {
		fw_mutex_unlock(&s->icache_lock);
		return;
	}
	if (ei && ino->nlink > 0 && !ei->bad && !s->dying) {
		/* still named: keep it for the walk that may be using it */
		if (ei->on_lru) {
			/* taken again by a plain inode_get meanwhile */
			fw_list_del(&ei->lru);
		} else {
			ei->on_lru = true;
			s->nr_unused++;
		}
		fw_list_add_tail(&s->unused, &ei->lru);
		prune = s->nr_unused > EXT2_UNUSED_MAX && !s->pruning;
		fw_mutex_unlock(&s->icache_lock);
		if (prune)
			ext2_prune(s, EXT2_UNUSED_MAX / 2, false);
		return;
	}
	if (ei) {
		fw_list_del(&ei->hnode);
		/* Found bad, or the file system going, while on the unused
		 * list where a plain inode_get left it: off it too, or the
		 * next prune would find the freed entry there. */
		if (ei->on_lru) {
			fw_list_del(&ei->lru);
			ei->on_lru = false;
			s->nr_unused--;
		}
	}
	fw_mutex_unlock(&s->icache_lock);
	if (ei)
		evict(ino);
	else
		inode_release(ino);
}

void ext2_prune(struct ext2_sb *s, unsigned keep, bool wait)
{
	if (wait)
		fw_mutex_lock(&vfs_ns_lock);
	else if (!fw_mutex_trylock(&vfs_ns_lock))
		return; /* a walk (maybe ours) is running: next time */
	ext2_prune_locked(s, keep);
	fw_mutex_unlock(&vfs_ns_lock);
}

void ext2_prune_locked(struct ext2_sb *s, unsigned keep)
{
	fw_mutex_lock(&s->icache_lock);
	if (s->pruning) {
		fw_mutex_unlock(&s->icache_lock);
		return;
	}
	s->pruning = true;
	while (s->nr_unused > keep) {
		struct ext2_inode_info *ei =
			FW_LIST_FIRST(&s->unused, struct ext2_inode_info, lru);

		fw_list_del(&ei->lru);
		ei->on_lru = false;
		s->nr_unused--;
		/* In use again: the path walk and the parent links take
		 * references with plain inode_get, always under vfs_ns_lock,
		 * which we hold, so this cannot change under us. */
		if (atomic_load(&ei->vfs->refs) > 0)
			continue;
		fw_list_del(&ei->hnode);
		fw_mutex_unlock(&s->icache_lock);
		/* Its parent reference goes too, which may queue the parent
		 * (pruning is set: no nested prune). */
		evict(ei->vfs);
		fw_mutex_lock(&s->icache_lock);
	}
	s->pruning = false;
	fw_mutex_unlock(&s->icache_lock);
}
