/* services/fs/ext2/bmap.c: the block map of an inode: logical to
 * physical blocks through i_block's 12 direct pointers and its single,
 * double and triple indirect blocks; allocation on write; truncation.
 *
 * Layer: services (safe C), ext2. Callers hold inode->lock (regular
 * files) or vfs_ns_lock (directories, symlinks); that guards i_block and
 * the bytes of the inode's indirect blocks. A pointer past the end of the
 * file system is corruption: the lookup fails with -EIO and a log line
 * naming the inode, and nothing is allocated or freed through it.
 * i_blocks counts every data and indirect block in 512-byte units, as
 * e2fsck checks. */
#include <fw/log.h>

#include "fs/ext2/ext2.h"

/* The path to logical block lblk: the i_block slot and the index at each
 * indirect level below it. depth is the number of indirect levels (0-3). */
struct bpath {
	unsigned slot;
	unsigned depth;
	uint32_t idx[3];
};

static int block_path(const struct ext2_sb *s, uint64_t lblk, struct bpath *p)
{
	uint64_t apb = s->apb;

	if (lblk < EXT2_NDIR) {
		p->slot = (unsigned)lblk;
		p->depth = 0;
		return 0;
	}
	lblk -= EXT2_NDIR;
	if (lblk < apb) {
		p->slot = EXT2_IND;
		p->depth = 1;
		p->idx[0] = (uint32_t)lblk;
		return 0;
	}
	lblk -= apb;
	if (lblk < apb * apb) {
		p->slot = EXT2_DIND;
		p->depth = 2;
		p->idx[0] = (uint32_t)(lblk / apb);
		p->idx[1] = (uint32_t)(lblk % apb);
		return 0;
	}
	lblk -= apb * apb;
	if (lblk < apb * apb * apb) {
		p->slot = EXT2_TIND;
		p->depth = 3;
		p->idx[0] = (uint32_t)(lblk / (apb * apb));
		p->idx[1] = (uint32_t)(lblk / apb % apb);
		p->idx[2] = (uint32_t)(lblk % apb);
		return 0;
	}
	return -EFBIG;
}

int ext2_bmap_run(struct inode *ino, uint64_t lblk, unsigned max,
		  uint32_t *out, unsigned *count)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2;
	struct bpath p;
	uint32_t cur;
	int err = block_path(s, lblk, &p);

	if (ei->bad)
		return -EIO;
	if (ei->flags & EXT4_EXTENTS_FL)
		return ext2_ext_map(ino, lblk, max, out, count);
	*out = 0;
	*count = 1;
	if (err)
		return err;
	cur = ei->block[p.slot];
	if (cur && !ext2_block_ok(s, cur))
		return ext2_corrupt(s, ino->ino, "block pointer out of range", cur);
	if (p.depth == 0) {
		/* Direct blocks: extend while the next slots follow on. */
		*out = cur;
		while (cur && *count < max && p.slot + *count < EXT2_NDIR &&
		       ei->block[p.slot + *count] == cur + *count &&
		       ext2_block_ok(s, cur + *count))
			(*count)++;
		return 0;
	}
	for (unsigned lvl = 0; lvl < p.depth && cur; lvl++) {
		struct bref r;
		size_t off = (size_t)p.idx[lvl] * 4;
		uint32_t next = 0;

		err = bcache_get(s->dev, cur, s->bs, true, &r);
		if (err)
			return err;
		if (fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), off, &next))
			err = -EIO;
		else if (next && !ext2_block_ok(s, next))
			err = ext2_corrupt(s, ino->ino,
					   "block pointer out of range", next);
		/* The leaf: extend while the next entries follow on. */
		while (!err && next && lvl + 1 == p.depth && *count < max &&
		       p.idx[lvl] + *count < s->apb) {
			uint32_t v = 0;

			if (fw_bytes_get_u32_le(fw_buf_as_bytes(r.data),
						off + 4 * *count, &v) ||
			    v != next + *count || !ext2_block_ok(s, v))
				break;
			(*count)++;
		}
		bref_put(&r);
		if (err)
			return err;
		cur = next;
	}
	*out = cur;
	return 0;
}

int ext2_zero_block(struct ext2_sb *s, uint32_t blk, bool data)
{
	struct bref r;
	int err = data ? bcache_get_data(s->dev, blk, s->bs, false, &r)
		       : bcache_get(s->dev, blk, s->bs, false, &r);

	if (err)
		return err;
	if (fw_buf_fill(r.data, 0, s->bs, 0) == 0)
		bref_dirty(&r);
	/* whatever it was before, it is checked afresh as what it becomes */
	bref_clear_checked(&r);
	bref_put(&r);
	return 0;
}

int ext2_alloc_zeroed(struct inode *ino, uint32_t goal, bool leaf,
		      uint32_t *out)
{
	struct ext2_sb *s = EXT2_SB(ino);
	int err = ext2_new_block(s, goal, out);

	if (err)
		return err;
	err = ext2_zero_block(s, *out, leaf && S_ISREG(ino->mode));
	if (err) {
		ext2_free_block(s, *out);
		return err;
	}
	ino->ext2->blocks += s->bs / 512;
	return 0;
}

uint32_t ext2_goal(struct inode *ino)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint32_t g = (uint32_t)((ino->ino - 1) / s->ipg);

	return s->first_data_block + g * s->bpg;
}

int ext2_bmap(struct inode *ino, uint64_t lblk, bool alloc, uint32_t *out,
	      bool *fresh)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2;
	struct bpath p;
	uint32_t cur, goal;
	int err = block_path(s, lblk, &p);

	if (fresh)
		*fresh = false;
	if (ei->bad)
		return -EIO;
	if (ei->flags & EXT4_EXTENTS_FL) {
		unsigned n;

		if (alloc)
			return ext2_ext_alloc(ino, lblk, out, fresh);
		return ext2_ext_map(ino, lblk, 1, out, &n);
	}
	if (err)
		return err;
	cur = ei->block[p.slot];
	goal = p.slot > 0 && ei->block[p.slot - 1] && p.slot <= EXT2_NDIR
		       ? ei->block[p.slot - 1] + 1 : ext2_goal(ino);
	if (cur && !ext2_block_ok(s, cur))
		return ext2_corrupt(s, ino->ino, "block pointer out of range", cur);
	if (!cur) {
		if (!alloc) {
			*out = 0;
			return 0;
		}
		err = ext2_alloc_zeroed(ino, goal, p.depth == 0, &cur);
		if (err)
			return err;
		ei->block[p.slot] = cur;
		if (p.depth == 0 && fresh)
			*fresh = true;
	}
	for (unsigned lvl = 0; lvl < p.depth; lvl++) {
		struct bref r;
		uint32_t next = 0;
		size_t off = (size_t)p.idx[lvl] * 4;

		err = alloc ? ext2_mget(s, cur, true, &r)
			    : bcache_get(s->dev, cur, s->bs, true, &r);
		if (err)
			break;
		if (fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), off, &next)) {
			bref_put(&r);
			err = -EIO;
			break;
		}
		if (next && !ext2_block_ok(s, next)) {
			bref_put(&r);
			err = ext2_corrupt(s, ino->ino, "block pointer out of range", next);
			break;
		}
		if (!next) {
			if (!alloc) {
				bref_put(&r);
				cur = 0;
				break;
			}
			err = ext2_alloc_zeroed(ino, cur + 1, lvl + 1 == p.depth,
						&next);
			if (err) {
				bref_put(&r);
				break;
			}
			if (fw_buf_put_u32_le(r.data, off, next) == 0)
				bref_dirty(&r);
			if (lvl + 1 == p.depth && fresh)
				*fresh = true;
		}
		bref_put(&r);
		cur = next;
	}
	if (err)
		return err;
	*out = cur;
	return 0;
}

/* Free everything at logical blocks >= cut below blk, an indirect block
 * depth levels above the data, whose first logical block is base. Frees
 * blk itself (and sets *gone) when all of it goes. */
static int trunc_tree(struct inode *ino, uint32_t blk, unsigned depth,
		      uint64_t base, uint64_t cut, bool *gone)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint64_t span = 1;
	uint64_t first_i = 0;
	struct bref r;
	bool dirty = false;
	int err = 0;

	*gone = false;
	if (!ext2_block_ok(s, blk))
		return ext2_corrupt(s, ino->ino, "block pointer out of range", blk);
	if (depth == 0) {
		if (base >= cut) {
			ext2_free_block(s, blk);
			ino->ext2->blocks -= ino->ext2->blocks >= s->bs / 512 ? s->bs / 512 : 0;
			*gone = true;
		}
		return 0;
	}
	for (unsigned i = 1; i < depth; i++)
		span *= s->apb;
	if (base + span * s->apb <= cut)
		return 0; /* all of it stays */
	if (cut > base)
		first_i = (cut - base) / span;
	err = ext2_mget(s, blk, true, &r);
	if (err)
		return err;
	for (uint64_t i = first_i; i < s->apb; i++) {
		uint32_t child = 0;
		bool child_gone;

		if (fw_bytes_get_u32_le(fw_buf_as_bytes(r.data), (size_t)i * 4, &child)) {
			err = -EIO;
			break;
		}
		if (!child)
			continue;
		err = trunc_tree(ino, child, depth - 1, base + i * span, cut, &child_gone);
		if (err)
			break;
		if (child_gone && base < cut) {
			if (fw_buf_put_u32_le(r.data, (size_t)i * 4, 0) == 0)
				dirty = true;
		}
	}
	if (dirty)
		bref_dirty(&r);
	bref_put(&r);
	if (!err && base >= cut) {
		ext2_free_block(s, blk);
		ino->ext2->blocks -= ino->ext2->blocks >= s->bs / 512 ? s->bs / 512 : 0;
		*gone = true;
	}
	return err;
}

int ext2_trunc_blocks(struct inode *ino, uint64_t keep)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct ext2_inode_info *ei = ino->ext2;
	uint64_t apb = s->apb;
	uint64_t base[EXT2_N_BLOCKS];
	unsigned depth[EXT2_N_BLOCKS];
	int err = 0;

	if (ei->bad)
		return -EIO;
	if (ei->flags & EXT4_EXTENTS_FL) {
		err = ext2_ext_trunc(ino, keep);
		goto out;
	}
	for (unsigned i = 0; i < EXT2_NDIR; i++) {
		base[i] = i;
		depth[i] = 0;
	}
	base[EXT2_IND] = EXT2_NDIR;
	depth[EXT2_IND] = 1;
	base[EXT2_DIND] = EXT2_NDIR + apb;
	depth[EXT2_DIND] = 2;
	base[EXT2_TIND] = EXT2_NDIR + apb + apb * apb;
	depth[EXT2_TIND] = 3;
	for (unsigned i = 0; i < EXT2_N_BLOCKS; i++) {
		bool gone = false;

		if (!ei->block[i])
			continue;
		err = trunc_tree(ino, ei->block[i], depth[i], base[i], keep, &gone);
		if (err)
			break;
		if (gone)
			ei->block[i] = 0;
	}
out:
	if (err)
		ei->bad = true; /* stop before freeing anything twice */
	{
		int werr = ext2_write_inode(ino);

		if (!err)
			err = werr;
	}
	return err;
}

int ext2_zero_tail(struct inode *ino, uint64_t from)
{
	struct ext2_sb *s = EXT2_SB(ino);
	size_t off = (size_t)(from % s->bs);
	uint32_t blk;
	struct bref r;
	int err;

	if (off == 0)
		return 0;
	err = ext2_bmap(ino, from / s->bs, false, &blk, NULL);
	if (err || !blk)
		return err;
	err = bcache_get_data(s->dev, blk, s->bs, true, &r);
	if (err)
		return err;
	if (fw_buf_fill(r.data, off, s->bs - off, 0) == 0)
		bref_dirty(&r);
	bref_put(&r);
	return 0;
}
