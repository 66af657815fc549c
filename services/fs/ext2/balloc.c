/* services/fs/ext2/balloc.c: block and inode allocation (the bitmaps).
 *
 * Layer: services (safe C), ext2. Each group has one block bitmap and one
 * inode bitmap block; a set bit is in use. Every allocation and free
 * updates the bitmap, the group descriptor's free counts (and used_dirs)
 * and the superblock counters together under s->lock, so a sync at any
 * time leaves them consistent (what e2fsck's pass 5 compares).
 *
 * Policy (simplified from Linux ext2): a block goes to the first free one
 * at or after the goal (the previous block of the file, or the inode's
 * group); a directory inode goes to the group with the most free inodes,
 * another inode to its parent directory's group, else the next group with
 * room. A bitmap that claims a group's own metadata block is free is
 * corruption: that block is never handed out. */
#include <fw/log.h>

#include "fs/ext2/ext2.h"
#include "current/current.h"

/* May the caller dig into the blocks reserved for root (Linux
 * ext2_has_free_blocks: root, the resuid user or the resgid group)? */
static bool may_use_reserve(const struct ext2_sb *s)
{
	const struct cred *c = fs_cred();

	return cred_capable(c, CAP_SYS_RESOURCE) || c->fsuid == s->resuid ||
	       (s->resgid != 0 && cred_in_group(c, s->resgid));
}

/* A change to a group's descriptor (see gd_adjust). */
struct gd_delta {
	int dblocks, dinodes, ddirs;	/* added to the free counts, used_dirs */
	uint32_t used_ino;		/* index in the group of a new inode + 1 */
	uint16_t clear_flags;		/* EXT4_BG_* now initialized */
	const struct bref *bitmap;	/* changed bitmap (its checksum) */
	bool ibitmap;			/* ... is the inode bitmap */
};

static int put_split16(const struct ext2_sb *s, struct fw_buf b, size_t off,
		       size_t lo, size_t hi, uint32_t v)
{
	int err = fw_buf_put_u16_le(b, off + lo, (uint16_t)v);

	if (s->desc_size >= hi + 2)
		err |= fw_buf_put_u16_le(b, off + hi, (uint16_t)(v >> 16));
	return err;
}

/* Apply c to group g's descriptor, checksums included. s->lock held. */
static int gd_adjust(struct ext2_sb *s, uint32_t g, const struct gd_delta *c)
{
	struct ext2_gd d;
	struct bref r;
	size_t off;
	int err = ext2_gd_read(s, g, &d);

	if (err)
		return err;
	err = ext2_gd_get(s, g, true, &r, &off);
	if (err)
		return err;
	if (c->used_ino && c->used_ino > s->ipg - d.itable_unused)
		d.itable_unused = s->ipg - c->used_ino;
	err = put_split16(s, r.data, off, GD_FREE_BLOCKS, GD_FREE_BLOCKS_HI,
			  (uint32_t)((int64_t)d.free_blocks + c->dblocks)) |
	      put_split16(s, r.data, off, GD_FREE_INODES, GD_FREE_INODES_HI,
			  (uint32_t)((int64_t)d.free_inodes + c->dinodes)) |
	      put_split16(s, r.data, off, GD_USED_DIRS, GD_USED_DIRS_HI,
			  (uint32_t)((int64_t)d.used_dirs + c->ddirs));
	if (s->has_csum || s->has_gdt_csum)
		err |= put_split16(s, r.data, off, GD_ITABLE_UNUSED, GD_ITABLE_UNUSED_HI,
				   d.itable_unused) |
		       fw_buf_put_u16_le(r.data, off + GD_FLAGS,
					 (uint16_t)(d.flags & ~c->clear_flags));
	if (c->bitmap)
		ext2_bitmap_stale(s, g);
	ext2_csum_gd_set(s, g, r.data, off);
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err ? -EIO : 0;
}

static bool bit_test(struct fw_bytes b, uint32_t bit)
{
	uint8_t v = 0xff;

	if (fw_bytes_get_u8(b, bit / 8, &v))
		return true;
	return v & (1u << (bit % 8));
}

static void bit_set(struct fw_buf b, uint32_t bit, bool on)
{
	uint8_t v = 0;

	if (fw_bytes_get_u8(fw_buf_as_bytes(b), bit / 8, &v))
		return;
	if (on)
		v = (uint8_t)(v | (1u << (bit % 8)));
	else
		v = (uint8_t)(v & ~(1u << (bit % 8)));
	if (fw_buf_put_u8(b, bit / 8, v))
		return;
}

/* First clear bit in [from, n), or n. */
static uint32_t find_zero(struct fw_bytes b, uint32_t from, uint32_t n)
{
	for (uint32_t bit = from; bit < n;) {
		uint8_t v = 0xff;

		if (bit % 8 == 0 && n - bit >= 8) {
			if (fw_bytes_get_u8(b, bit / 8, &v))
				return n;
			if (v == 0xff) {
				bit += 8;
				continue;
			}
		}
		if (!bit_test(b, bit))
			return bit;
		bit++;
	}
	return n;
}

bool ext2_block_ok(const struct ext2_sb *s, uint32_t blk)
{
	return blk >= s->first_data_block && blk < s->blocks_count;
}

static uint32_t group_blocks(const struct ext2_sb *s, uint32_t g)
{
	if (g == s->groups - 1)
		return s->blocks_count - s->first_data_block - g * s->bpg;
	return s->bpg;
}

static bool is_group_meta(const struct ext2_sb *s, const struct ext2_gd *d,
			  uint32_t blk)
{
	return blk == d->block_bitmap || blk == d->inode_bitmap ||
	       (blk >= d->inode_table && blk - d->inode_table < s->itb_per_group);
}

int ext2_bitmap_csums(struct ext2_sb *s, uint32_t g)
{
	struct ext2_gd d;
	struct bref r, bm;
	size_t off;
	int err = ext2_gd_read(s, g, &d);

	if (err)
		return err;
	err = ext2_gd_get(s, g, true, &r, &off);
	if (err)
		return err;
	/* a bitmap still uninitialized has no checksum to keep */
	if (!(d.flags & EXT4_BG_BLOCK_UNINIT) &&
	    !(err = bcache_get(s->dev, d.block_bitmap, s->bs, true, &bm))) {
		err = ext2_csum_bitmap_set(s, false, fw_buf_as_bytes(bm.data), r.data, off);
		bref_put(&bm);
	}
	if (!err && !(d.flags & EXT4_BG_INODE_UNINIT) &&
	    !(err = bcache_get(s->dev, d.inode_bitmap, s->bs, true, &bm))) {
		err = ext2_csum_bitmap_set(s, true, fw_buf_as_bytes(bm.data), r.data, off);
		bref_put(&bm);
	}
	if (!err)
		err = ext2_csum_gd_set(s, g, r.data, off);
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err;
}

static void set_bits(struct fw_buf b, uint32_t from, uint32_t to)
{
	for (uint32_t bit = from; bit < to; bit++)
		bit_set(b, bit, true);
}

/* Reference group g's bitmap (inode or block) for a change, writing it
 * out first if the group says it was never initialized (uninit_bg:
 * mkfs leaves such bitmaps unwritten; Linux ext4_init_block_bitmap and
 * ext4_init_inode_bitmap). s->lock held. */
static int bitmap_get(struct ext2_sb *s, uint32_t g, const struct ext2_gd *d,
		      bool inodes, struct bref *r)
{
	uint16_t flag = inodes ? EXT4_BG_INODE_UNINIT : EXT4_BG_BLOCK_UNINIT;
	uint32_t blk = inodes ? d->inode_bitmap : d->block_bitmap;
	uint32_t start = s->first_data_block + g * s->bpg;
	struct gd_delta c = { .clear_flags = flag, .bitmap = r, .ibitmap = inodes };
	int err;

	if (!(d->flags & flag))
		return ext2_mget(s, blk, true, r);
	err = ext2_mget(s, blk, false, r);
	if (err)
		return err;
	if (fw_buf_fill(r->data, 0, s->bs, 0)) {
		bref_put(r);
		return -EIO;
	}
	if (inodes) {
		set_bits(r->data, s->ipg, s->bs * 8);
	} else {
		/* The superblock copy, descriptors and reserved descriptor
		 * blocks, and the group's own bitmaps and table if they
		 * live in it; the bits past the group's end are set. */
		if (ext2_bg_has_super(s, g))
			set_bits(r->data, 0, 1 + s->gdb_count + s->reserved_gdt);
		for (uint32_t b = start; b < start + group_blocks(s, g); b++)
			if (is_group_meta(s, d, b))
				bit_set(r->data, b - start, true);
		set_bits(r->data, group_blocks(s, g), s->bs * 8);
	}
	bref_dirty(r);
	err = gd_adjust(s, g, &c);
	if (err)
		bref_put(r);
	return err;
}

int ext2_new_block(struct ext2_sb *s, uint32_t goal, uint32_t *out)
{
	unsigned got;

	return ext2_new_blocks(s, goal, 1, out, &got);
}

int ext2_new_blocks(struct ext2_sb *s, uint32_t goal, unsigned max,
		    uint32_t *out, unsigned *got)
{
	uint32_t g0, avail;
	int err = -ENOSPC;

	if (!ext2_block_ok(s, goal))
		goal = s->first_data_block;
	g0 = (goal - s->first_data_block) / s->bpg;
	fw_mutex_lock(&s->lock);
	avail = may_use_reserve(s) ? s->free_blocks
		: s->free_blocks > s->r_blocks ? s->free_blocks - s->r_blocks : 0;
	if (avail == 0 || max == 0)
		goto out_unlock;
	if (max > avail)
		max = avail;
	for (uint32_t i = 0; i <= s->groups; i++) {
		uint32_t g = (g0 + i) % s->groups;
		uint32_t n = group_blocks(s, g);
		uint32_t from = i == 0 ? (goal - s->first_data_block) % s->bpg : 0;
		struct ext2_gd d;
		struct bref r;

		if (i == s->groups) /* back in the goal's group, before goal */
			from = 0;
		err = ext2_gd_read(s, g, &d);
		if (err)
			goto out_unlock;
		if (d.free_blocks == 0)
			continue;
		err = bitmap_get(s, g, &d, false, &r);
		if (err)
			goto out_unlock;
		for (uint32_t bit = find_zero(fw_buf_as_bytes(r.data), from, n);
		     bit < n; bit = find_zero(fw_buf_as_bytes(r.data), bit + 1, n)) {
			uint32_t blk = s->first_data_block + g * s->bpg + bit;

			if (is_group_meta(s, &d, blk)) {
				ext2_corrupt(s, 0, "block bitmap marks metadata block free", blk);
				continue;
			}
			struct gd_delta c = { .bitmap = &r };
			unsigned n_run = 1;

			/* and the free blocks right after it, up to max */
			while (n_run < max && bit + n_run < n &&
			       !bit_test(fw_buf_as_bytes(r.data), bit + n_run) &&
			       !is_group_meta(s, &d, blk + n_run))
				n_run++;
			for (unsigned k = 0; k < n_run; k++)
				bit_set(r.data, bit + k, true);
			c.dblocks = -(int)n_run;
			bref_dirty(&r);
			err = gd_adjust(s, g, &c);
			bref_put(&r);
			if (err)
				goto out_unlock;
			s->free_blocks -= n_run;
			ext2_sb_counts_dirty(s);
			*out = blk;
			*got = n_run;
			fw_mutex_unlock(&s->lock);
			return 0;
		}
		bref_put(&r);
		err = -ENOSPC;
	}
out_unlock:
	fw_mutex_unlock(&s->lock);
	return err;
}

void ext2_free_block(struct ext2_sb *s, uint32_t blk)
{
	uint32_t g, bit;
	struct ext2_gd d;
	struct bref r;

	if (!ext2_block_ok(s, blk)) {
		ext2_corrupt(s, 0, "freeing block not in data zone", blk);
		return;
	}
	g = (blk - s->first_data_block) / s->bpg;
	bit = (blk - s->first_data_block) % s->bpg;
	fw_mutex_lock(&s->lock);
	if (ext2_gd_read(s, g, &d) || is_group_meta(s, &d, blk) ||
	    bitmap_get(s, g, &d, false, &r)) {
		ext2_corrupt(s, 0, "freeing metadata block", blk);
		goto out_unlock;
	}
	if (!bit_test(fw_buf_as_bytes(r.data), bit)) {
		ext2_corrupt(s, 0, "bit already cleared for block", blk);
	} else {
		struct gd_delta c = { .dblocks = 1, .bitmap = &r };

		bit_set(r.data, bit, false);
		bref_dirty(&r);
		ext2_jrevoke(s, blk);
		if (gd_adjust(s, g, &c) == 0) {
			s->free_blocks++;
			ext2_sb_counts_dirty(s);
		}
	}
	bref_put(&r);
out_unlock:
	fw_mutex_unlock(&s->lock);
}

/* Pick the group for a new inode. s->lock held. */
static int pick_group(struct ext2_sb *s, uint32_t parent_group, bool dir,
		      uint32_t *out)
{
	uint32_t best = s->groups, best_free = 0;
	uint32_t avg = s->free_inodes / s->groups;
	struct ext2_gd d;
	int err;

	if (dir) {
		for (uint32_t g = 0; g < s->groups; g++) {
			err = ext2_gd_read(s, g, &d);
			if (err)
				return err;
			if (d.free_inodes && d.free_inodes >= avg &&
			    d.free_blocks >= best_free) {
				best = g;
				best_free = d.free_blocks;
			}
		}
		if (best < s->groups) {
			*out = best;
			return 0;
		}
	}
	for (uint32_t i = 0; i < s->groups; i++) {
		uint32_t g = (parent_group + i) % s->groups;

		err = ext2_gd_read(s, g, &d);
		if (err)
			return err;
		if (d.free_inodes) {
			*out = g;
			return 0;
		}
	}
	return -ENOSPC;
}

int ext2_new_ino(struct ext2_sb *s, uint32_t parent_group, bool dir,
		 uint32_t *out)
{
	uint32_t g0;
	int err;

	fw_mutex_lock(&s->lock);
	err = -ENOSPC;
	if (s->free_inodes == 0)
		goto out_unlock;
	err = pick_group(s, parent_group % s->groups, dir, &g0);
	if (err)
		goto out_unlock;
	for (uint32_t i = 0; i < s->groups; i++) {
		uint32_t g = (g0 + i) % s->groups;
		uint32_t from = 0, n = s->ipg;
		struct ext2_gd d;
		struct bref r;
		struct gd_delta c = { .dinodes = -1, .bitmap = &r, .ibitmap = true };
		uint32_t bit;

		if (g == 0)
			from = s->first_ino - 1;
		if ((uint64_t)g * s->ipg + n > s->inodes_count)
			n = s->inodes_count - g * s->ipg;
		err = ext2_gd_read(s, g, &d);
		if (err)
			goto out_unlock;
		if (d.free_inodes == 0 || from >= n)
			continue;
		/* Linux ext4_new_inode: the group's block bitmap is made
		 * real too once it has inodes. */
		if (d.flags & EXT4_BG_BLOCK_UNINIT) {
			err = bitmap_get(s, g, &d, false, &r);
			if (err)
				goto out_unlock;
			bref_put(&r);
			err = ext2_gd_read(s, g, &d);
			if (err)
				goto out_unlock;
		}
		err = bitmap_get(s, g, &d, true, &r);
		if (err)
			goto out_unlock;
		bit = find_zero(fw_buf_as_bytes(r.data), from, n);
		if (bit >= n) {
			bref_put(&r);
			continue;
		}
		bit_set(r.data, bit, true);
		bref_dirty(&r);
		c.ddirs = dir ? 1 : 0;
		c.used_ino = bit + 1;
		err = gd_adjust(s, g, &c);
		bref_put(&r);
		if (err)
			goto out_unlock;
		s->free_inodes--;
		ext2_sb_counts_dirty(s);
		*out = g * s->ipg + bit + 1;
		fw_mutex_unlock(&s->lock);
		return 0;
	}
	err = -ENOSPC;
out_unlock:
	fw_mutex_unlock(&s->lock);
	return err;
}

void ext2_free_ino(struct ext2_sb *s, uint32_t ino, bool dir)
{
	uint32_t g, bit;
	struct ext2_gd d;
	struct bref r;

	if (ino < s->first_ino || ino > s->inodes_count) {
		ext2_corrupt(s, ino, "freeing reserved or nonexistent inode", ino);
		return;
	}
	g = (ino - 1) / s->ipg;
	bit = (ino - 1) % s->ipg;
	fw_mutex_lock(&s->lock);
	if (ext2_gd_read(s, g, &d) || bitmap_get(s, g, &d, true, &r))
		goto out_unlock;
	if (!bit_test(fw_buf_as_bytes(r.data), bit)) {
		ext2_corrupt(s, ino, "bit already cleared for inode", ino);
	} else {
		struct gd_delta c = { .dinodes = 1, .ddirs = dir ? -1 : 0,
				      .bitmap = &r, .ibitmap = true };

		bit_set(r.data, bit, false);
		bref_dirty(&r);
		if (gd_adjust(s, g, &c) == 0) {
			s->free_inodes++;
			ext2_sb_counts_dirty(s);
		}
	}
	bref_put(&r);
out_unlock:
	fw_mutex_unlock(&s->lock);
}
