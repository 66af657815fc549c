/* services/fs/ext4/extent.c: ext4's extent trees, the block map of files
 * with EXT4_EXTENTS_FL.
 *
 * Layer: services (safe C), the ext2/3/4 driver (fs/ext2/ext2.h). The 60
 * bytes of i_block hold the root node: a 12-byte header (magic 0xF30A,
 * entries, max, depth) and up to 4 entries of 12 bytes. In a leaf (depth
 * 0) an entry is an extent: logical start, length (over 32768: unwritten,
 * read as zeros) and a 48-bit physical start; in an index node it is a
 * logical start and the block of the child node, which is a whole block
 * with the same header (and, with metadata_csum, a crc32c after its last
 * possible entry). Keys grow left to right and an index entry's key is its
 * child's first key, as e2fsck checks.
 *
 * Same callers and locking as bmap.c (inode->lock or vfs_ns_lock), which
 * calls in here for extent-mapped inodes. Every node is checked when it is
 * read (header, sorted keys, blocks inside the file system): a bad tree
 * gives -EIO and a log line, never a walk off a block. Changes follow
 * Linux fs/ext4/extents.c in the simple form: a new block extends the
 * extent before it when both are adjacent on disk, else becomes its own
 * extent; a full node is split (an append opens a new empty node instead,
 * so a file written in order packs its leaves); a full root moves into a
 * new block and the tree grows one level. */
#include <fw/log.h>

#include "fs/ext2/ext2.h"

#define EXT4_EXT_MAGIC 0xF30A
#define EH_MAGIC 0
#define EH_ENTRIES 2
#define EH_MAX 4
#define EH_DEPTH 6
#define EH_SIZE 12
#define EE_SIZE 12			/* leaf and index entries alike */
#define EE_BLOCK 0			/* both: the first logical block */
#define EE_LEN 4			/* leaf: u16 length */
#define EE_START_HI 6			/* leaf: u16 */
#define EE_START 8			/* leaf: u32 */
#define EI_LEAF 4			/* index: u32 child block */
#define EI_LEAF_HI 8			/* index: u16 */
#define EXT_INIT_MAX_LEN 32768u		/* longer: unwritten */
#define EXT_MAX_DEPTH 5
#define ROOT_BYTES (EXT2_N_BLOCKS * 4)

/* One node on the path from the root: the root's bytes (a copy of
 * i_block) or a referenced block. */
struct enode {
	struct bref r;
	bool held;			/* r is referenced */
	struct fw_buf b;		/* the node's bytes */
	uint32_t blk;			/* its block (0: the root) */
	unsigned pos;			/* the entry followed / found */
};

/* The root node's bytes, copied out of i_block. */
struct eroot {
	uint8_t b[ROOT_BYTES];
};

struct epath {
	struct inode *ino;
	struct eroot root;
	unsigned depth;			/* of the tree: n[depth] is the leaf */
	struct enode n[EXT_MAX_DEPTH + 1];
};

struct ext {
	uint32_t lblk;
	uint32_t len;
	uint32_t pblk;
	bool unwritten;
};

static uint16_t u16at(struct fw_buf b, size_t off)
{
	uint16_t v = 0;

	if (fw_bytes_get_u16_le(fw_buf_as_bytes(b), off, &v))
		return 0;
	return v;
}

static uint32_t u32at(struct fw_buf b, size_t off)
{
	uint32_t v = 0;

	if (fw_bytes_get_u32_le(fw_buf_as_bytes(b), off, &v))
		return 0;
	return v;
}

static unsigned entries(struct fw_buf b) { return u16at(b, EH_ENTRIES); }
static unsigned max_entries(struct fw_buf b) { return u16at(b, EH_MAX); }
static size_t ent(unsigned i) { return EH_SIZE + (size_t)i * EE_SIZE; }
static uint32_t key(struct fw_buf b, unsigned i) { return u32at(b, ent(i) + EE_BLOCK); }
static uint32_t child(struct fw_buf b, unsigned i) { return u32at(b, ent(i) + EI_LEAF); }

static struct ext ext_at(struct fw_buf b, unsigned i)
{
	struct ext e;
	uint32_t len = u16at(b, ent(i) + EE_LEN);

	e.lblk = key(b, i);
	e.unwritten = len > EXT_INIT_MAX_LEN;
	e.len = e.unwritten ? len - EXT_INIT_MAX_LEN : len;
	e.pblk = u32at(b, ent(i) + EE_START);
	return e;
}

static int put_ext(struct fw_buf b, unsigned i, const struct ext *e)
{
	return fw_buf_put_u32_le(b, ent(i) + EE_BLOCK, e->lblk) |
	       fw_buf_put_u16_le(b, ent(i) + EE_LEN,
				 (uint16_t)(e->unwritten ? e->len + EXT_INIT_MAX_LEN : e->len)) |
	       fw_buf_put_u16_le(b, ent(i) + EE_START_HI, 0) |
	       fw_buf_put_u32_le(b, ent(i) + EE_START, e->pblk);
}

static int put_index(struct fw_buf b, unsigned i, uint32_t k, uint32_t blk)
{
	return fw_buf_put_u32_le(b, ent(i) + EE_BLOCK, k) |
	       fw_buf_put_u32_le(b, ent(i) + EI_LEAF, blk) |
	       fw_buf_put_u32_le(b, ent(i) + EI_LEAF_HI, 0);
}

static int put_header(struct fw_buf b, unsigned n, unsigned max, unsigned depth)
{
	return fw_buf_put_u16_le(b, EH_MAGIC, EXT4_EXT_MAGIC) |
	       fw_buf_put_u16_le(b, EH_ENTRIES, (uint16_t)n) |
	       fw_buf_put_u16_le(b, EH_MAX, (uint16_t)max) |
	       fw_buf_put_u16_le(b, EH_DEPTH, (uint16_t)depth) |
	       fw_buf_put_u32_le(b, 8, 0);
}

static unsigned block_capacity(const struct ext2_sb *s)
{
	return (s->bs - EH_SIZE) / EE_SIZE;
}

/* Where a tree block's checksum lives (after its last possible entry). */
static size_t tail_off(struct fw_buf b)
{
	return ent(max_entries(b));
}

/* ---- the root in i_block ----------------------------------------------- */

static void root_load(const struct ext2_inode_info *ei, struct eroot *root)
{
	for (unsigned i = 0; i < ROOT_BYTES; i++)
		root->b[i] = (uint8_t)(ei->block[i / 4] >> (8 * (i % 4)));
}

static void root_store(struct ext2_inode_info *ei, const struct eroot *root)
{
	for (unsigned i = 0; i < EXT2_N_BLOCKS; i++)
		ei->block[i] = root->b[4 * i] | (uint32_t)root->b[4 * i + 1] << 8 |
			       (uint32_t)root->b[4 * i + 2] << 16 |
			       (uint32_t)root->b[4 * i + 3] << 24;
}

void ext2_ext_init(struct inode *ino)
{
	struct eroot root = { { 0 } };

	if (put_header(FW_BUF_OF_ARRAY(root.b), 0, (ROOT_BYTES - EH_SIZE) / EE_SIZE, 0))
		return;
	root_store(ino->ext2, &root);
	ino->ext2->flags |= EXT4_EXTENTS_FL;
}

/* ---- reading the tree -------------------------------------------------- */

static int bad(struct inode *ino, const char *what, uint64_t val)
{
	return ext2_corrupt(EXT2_SB(ino), ino->ino, what, val);
}

/* A tree block, checked whole once after it was read from the disk
 * (then its depth only: it may be reached from a wrong place). */
static int check_block(struct inode *ino, struct bref *r, unsigned depth,
		       uint32_t blk);

/* Check a node: header, entry count, sorted keys, and for a leaf extents
 * inside the file system that do not overlap. */
static int check_node(struct inode *ino, struct fw_buf b, unsigned depth,
		      bool is_root, uint32_t blk)
{
	struct ext2_sb *s = EXT2_SB(ino);
	unsigned n = entries(b), max = max_entries(b);
	unsigned cap = (unsigned)((fw_buf_len(b) - EH_SIZE) / EE_SIZE);

	if (u16at(b, EH_MAGIC) != EXT4_EXT_MAGIC)
		return bad(ino, "extent node: bad magic, block", blk);
	if (u16at(b, EH_DEPTH) != depth || depth > EXT_MAX_DEPTH)
		return bad(ino, "extent node: bad depth", u16at(b, EH_DEPTH));
	if (max == 0 || max > cap || n > max)
		return bad(ino, "extent node: bad entry count, block", blk);
	if (!is_root && s->has_csum &&
	    !ext2_csum_tail_ok(ino->ext2->csum_seed, fw_buf_as_bytes(b), tail_off(b), tail_off(b)))
		return bad(ino, "extent block checksum invalid", blk);
	for (unsigned i = 0; i < n; i++) {
		if (i > 0 && key(b, i) <= key(b, i - 1))
			return bad(ino, "extent keys out of order, block", blk);
		if (depth > 0) {
			if (!ext2_block_ok(s, child(b, i)) || u16at(b, ent(i) + EI_LEAF_HI))
				return bad(ino, "extent index points outside the file system",
					   child(b, i));
			continue;
		}
		{
			struct ext e = ext_at(b, i);

			if (e.len == 0 || u16at(b, ent(i) + EE_START_HI) ||
			    !ext2_block_ok(s, e.pblk) || e.pblk + (uint64_t)e.len > s->blocks_count ||
			    (uint64_t)e.lblk + e.len > 0x100000000ull)
				return bad(ino, "extent outside the file system", e.pblk);
			if (i + 1 < n && (uint64_t)e.lblk + e.len > key(b, i + 1))
				return bad(ino, "extents overlap at logical block", e.lblk);
		}
	}
	return 0;
}

static int check_block(struct inode *ino, struct bref *r, unsigned depth,
		       uint32_t blk)
{
	int err;

	if (bref_checked(r))
		return u16at(r->data, EH_DEPTH) == depth ? 0
			: bad(ino, "extent node: bad depth", u16at(r->data, EH_DEPTH));
	err = check_node(ino, r->data, depth, false, blk);
	if (!err)
		bref_set_checked(r);
	return err;
}

static void path_put(struct epath *p)
{
	for (unsigned i = 0; i <= EXT_MAX_DEPTH; i++) {
		if (p->n[i].held)
			bref_put(&p->n[i].r);
		p->n[i].held = false;
	}
}

/* The entry to follow for lblk: the last whose key is <= lblk (0 if
 * lblk is before them all). */
static unsigned find_pos(struct fw_buf b, uint32_t lblk)
{
	unsigned n = entries(b), lo = 0, hi = n;

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (key(b, mid) <= lblk)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Walk from the root to the leaf that holds (or would hold) lblk (write:
 * its blocks join the journal's transaction, to be changed). */
static int walk(struct inode *ino, uint32_t lblk, bool write, struct epath *p)
{
	struct ext2_sb *s = EXT2_SB(ino);
	int err;

	p->ino = ino;
	for (unsigned i = 0; i <= EXT_MAX_DEPTH; i++)
		p->n[i].held = false;
	root_load(ino->ext2, &p->root);
	p->n[0].b = FW_BUF_OF_ARRAY(p->root.b);
	p->n[0].blk = 0;
	p->depth = u16at(p->n[0].b, EH_DEPTH);
	err = check_node(ino, p->n[0].b, p->depth, true, 0);
	if (err)
		return err;
	for (unsigned lvl = 0; lvl < p->depth; lvl++) {
		struct enode *n = &p->n[lvl];
		uint32_t blk;

		if (entries(n->b) == 0) {
			path_put(p);
			return bad(ino, "empty extent index node at level", lvl);
		}
		n->pos = find_pos(n->b, lblk);
		blk = child(n->b, n->pos);
		err = write ? ext2_mget(s, blk, true, &p->n[lvl + 1].r)
			    : bcache_get(s->dev, blk, s->bs, true, &p->n[lvl + 1].r);
		if (err) {
			path_put(p);
			return err;
		}
		p->n[lvl + 1].held = true;
		p->n[lvl + 1].b = p->n[lvl + 1].r.data;
		p->n[lvl + 1].blk = blk;
		err = check_block(ino, &p->n[lvl + 1].r, p->depth - lvl - 1, blk);
		if (err) {
			path_put(p);
			return err;
		}
	}
	p->n[p->depth].pos = entries(p->n[p->depth].b) ? find_pos(p->n[p->depth].b, lblk) : 0;
	return 0;
}

int ext2_ext_map(struct inode *ino, uint64_t lblk, unsigned max, uint32_t *out,
		 unsigned *count)
{
	struct epath p;
	struct fw_buf leaf;
	int err;

	*out = 0;
	*count = 1;
	if (lblk >= 0xffffffffull)
		return -EFBIG;
	err = walk(ino, (uint32_t)lblk, false, &p);
	if (err)
		return err;
	leaf = p.n[p.depth].b;
	if (entries(leaf)) {
		struct ext e = ext_at(leaf, p.n[p.depth].pos);

		/* an unwritten extent reads as a hole */
		if (!e.unwritten && e.lblk <= lblk && lblk < (uint64_t)e.lblk + e.len) {
			uint64_t left = (uint64_t)e.lblk + e.len - lblk;

			*out = e.pblk + (uint32_t)(lblk - e.lblk);
			*count = (unsigned)(left < max ? left : max);
			if (*count == 0)
				*count = 1;
		}
	}
	path_put(&p);
	return 0;
}

/* ---- changing the tree ------------------------------------------------- */

/* A node changed: its checksum (blocks) or i_block (the root). */
static void node_dirty(struct epath *p, unsigned lvl)
{
	struct enode *n = &p->n[lvl];

	if (lvl == 0) {
		root_store(p->ino->ext2, &p->root);
		return;
	}
	if (EXT2_SB(p->ino)->has_csum)
		(void)ext2_csum_tail_set(p->ino->ext2->csum_seed, n->b, tail_off(n->b), tail_off(n->b));
	bref_dirty(&n->r);
}

static int copy_entry(struct fw_buf to, unsigned ti, struct fw_buf from, unsigned fi)
{
	struct fw_bytes src;

	if (fw_bytes_sub(fw_buf_as_bytes(from), ent(fi), EE_SIZE, &src))
		return -EIO;
	return fw_buf_copy_from(to, ent(ti), src) ? -EIO : 0;
}

/* Open a gap at entry i of node b (the caller checked there is room). */
static int open_gap(struct fw_buf b, unsigned i)
{
	unsigned n = entries(b);

	for (unsigned j = n; j > i; j--)
		if (copy_entry(b, j, b, j - 1))
			return -EIO;
	return fw_buf_put_u16_le(b, EH_ENTRIES, (uint16_t)(n + 1)) ? -EIO : 0;
}

static int close_gap(struct fw_buf b, unsigned i)
{
	unsigned n = entries(b);

	for (unsigned j = i; j + 1 < n; j++)
		if (copy_entry(b, j, b, j + 1))
			return -EIO;
	return fw_buf_put_u16_le(b, EH_ENTRIES, (uint16_t)(n - 1)) ? -EIO : 0;
}

/* The first key of node lvl changed: so do the keys above that point at
 * it, as long as it is their first entry too (ext4_ext_correct_indexes). */
static void fix_keys(struct epath *p, unsigned lvl)
{
	uint32_t k = key(p->n[lvl].b, 0);

	while (lvl > 0) {
		struct enode *up = &p->n[lvl - 1];

		if (fw_buf_put_u32_le(up->b, ent(up->pos) + EE_BLOCK, k))
			return;
		node_dirty(p, lvl - 1);
		if (up->pos != 0)
			return;
		lvl--;
	}
}

/* A new zeroed tree block with an empty node header. */
static int new_node(struct inode *ino, uint32_t goal, unsigned depth,
		    uint32_t *blk, struct bref *r)
{
	struct ext2_sb *s = EXT2_SB(ino);
	int err = ext2_alloc_zeroed(ino, goal, false, blk);

	if (err)
		return err;
	err = ext2_mget(s, *blk, true, r);
	if (err)
		return err;
	if (put_header(r->data, 0, block_capacity(s), depth)) {
		bref_put(r);
		return -EIO;
	}
	return 0;
}

/* The root is full: move its entries into a new block below it. */
static int grow(struct epath *p)
{
	struct fw_buf root = p->n[0].b;
	unsigned n = entries(root);
	uint32_t blk;
	struct bref r;
	int err;

	if (p->depth >= EXT_MAX_DEPTH)
		return -EFBIG;
	err = new_node(p->ino, ext2_goal(p->ino), p->depth, &blk, &r);
	if (err)
		return err;
	for (unsigned i = 0; i < n && !err; i++)
		err = copy_entry(r.data, i, root, i);
	if (!err)
		err = fw_buf_put_u16_le(r.data, EH_ENTRIES, (uint16_t)n);
	if (!err) {
		if (EXT2_SB(p->ino)->has_csum)
			(void)ext2_csum_tail_set(p->ino->ext2->csum_seed, r.data,
						 tail_off(r.data), tail_off(r.data));
		bref_dirty(&r);
		err = put_header(root, 1, max_entries(root), p->depth + 1) |
		      put_index(root, 0, n ? key(r.data, 0) : 0, blk);
	}
	bref_put(&r);
	if (err)
		return -EIO;
	node_dirty(p, 0);
	return 0;
}

/* Make room in node lvl for need more entries at its position pos (k is
 * the key that will go there): split it, making room in its parent
 * first. Returns 1 when the tree changed and the caller must walk again. */
static int make_room(struct epath *p, unsigned lvl, unsigned pos, uint32_t k,
		     unsigned need)
{
	struct enode *n = &p->n[lvl], *up;
	unsigned cnt = entries(n->b), from;
	uint32_t blk;
	struct bref r;
	int err;

	if (cnt + need <= max_entries(n->b))
		return 0;
	if (lvl == 0) {
		err = grow(p);
		return err ? err : 1;
	}
	up = &p->n[lvl - 1];
	err = make_room(p, lvl - 1, up->pos + 1, k, 1);
	if (err)
		return err;
	/* An append opens an empty node, a middle insert moves the upper
	 * half out. */
	from = pos >= cnt && need == 1 ? cnt : cnt / 2;
	err = new_node(p->ino, n->blk + 1, p->depth - lvl, &blk, &r);
	if (err)
		return err;
	for (unsigned i = from; i < cnt && !err; i++)
		err = copy_entry(r.data, i - from, n->b, i);
	if (!err)
		err = fw_buf_put_u16_le(r.data, EH_ENTRIES, (uint16_t)(cnt - from)) |
		      fw_buf_put_u16_le(n->b, EH_ENTRIES, (uint16_t)from);
	if (!err) {
		if (EXT2_SB(p->ino)->has_csum)
			(void)ext2_csum_tail_set(p->ino->ext2->csum_seed, r.data,
						 tail_off(r.data), tail_off(r.data));
		bref_dirty(&r);
		node_dirty(p, lvl);
		err = open_gap(up->b, up->pos + 1);
		if (!err)
			err = put_index(up->b, up->pos + 1,
					from < cnt ? key(r.data, 0) : k, blk) ? -EIO : 0;
		if (!err)
			node_dirty(p, lvl - 1);
	}
	bref_put(&r);
	return err ? -EIO : 1;
}

/* Put extent e at position pos of the leaf (making room). 1: walk again. */
static int insert(struct epath *p, unsigned pos, const struct ext *e)
{
	struct fw_buf leaf = p->n[p->depth].b;
	int err = make_room(p, p->depth, pos, e->lblk, 1);

	if (err)
		return err;
	if (open_gap(leaf, pos) || put_ext(leaf, pos, e))
		return -EIO;
	node_dirty(p, p->depth);
	if (pos == 0)
		fix_keys(p, p->depth);
	return 0;
}

/* Block lblk of the unwritten extent at pos of the leaf is being written:
 * zero its block and split the extent around it (or hand the block to a
 * written extent that ends just before it). 1: walk again. */
static int convert(struct epath *p, unsigned pos, uint32_t lblk, uint32_t *out)
{
	struct ext2_sb *s = EXT2_SB(p->ino);
	struct fw_buf leaf = p->n[p->depth].b;
	struct ext u = ext_at(leaf, pos), piece[3];
	uint32_t pblk = u.pblk + (lblk - u.lblk);
	unsigned np = 0;
	struct bref r;
	int err = bcache_get_data(s->dev, pblk, s->bs, false, &r);

	if (err)
		return err;
	if (fw_buf_fill(r.data, 0, s->bs, 0) == 0)
		bref_dirty(&r);
	bref_put(&r);
	*out = pblk;
	if (lblk == u.lblk && pos > 0) {
		struct ext prev = ext_at(leaf, pos - 1);

		if (!prev.unwritten && prev.lblk + prev.len == lblk &&
		    prev.pblk + prev.len == pblk && prev.len < EXT_INIT_MAX_LEN) {
			prev.len++;
			u.lblk++;
			u.pblk++;
			u.len--;
			err = put_ext(leaf, pos - 1, &prev);
			if (!err)
				err = u.len ? put_ext(leaf, pos, &u) : close_gap(leaf, pos);
			if (err)
				return -EIO;
			node_dirty(p, p->depth);
			return 0;
		}
	}
	if (lblk > u.lblk)
		piece[np++] = (struct ext){ u.lblk, lblk - u.lblk, u.pblk, true };
	piece[np++] = (struct ext){ lblk, 1, pblk, false };
	if (lblk + 1 < u.lblk + u.len)
		piece[np++] = (struct ext){ lblk + 1, u.lblk + u.len - lblk - 1, pblk + 1, true };
	err = make_room(p, p->depth, pos, u.lblk, np - 1);
	if (err)
		return err;
	for (unsigned i = 0; i < np && !err; i++) {
		if (i > 0)
			err = open_gap(leaf, pos + i);
		if (!err)
			err = put_ext(leaf, pos + i, &piece[i]) ? -EIO : 0;
	}
	if (err)
		return -EIO;
	node_dirty(p, p->depth);
	return 0;
}

/* Give a hole at lblk the block newblk, in the leaf walked to. */
static int map_hole(struct epath *p, uint32_t lblk, uint32_t newblk, uint32_t len)
{
	struct fw_buf leaf = p->n[p->depth].b;
	unsigned n = entries(leaf), pos = p->n[p->depth].pos;
	struct ext e = { lblk, len, newblk, false };

	if (n && key(leaf, pos) < lblk) {
		struct ext prev = ext_at(leaf, pos);

		if (!prev.unwritten && prev.lblk + prev.len == lblk &&
		    prev.pblk + prev.len == newblk && prev.len + len <= EXT_INIT_MAX_LEN) {
			prev.len += len;
			if (put_ext(leaf, pos, &prev))
				return -EIO;
			node_dirty(p, p->depth);
			return 0;
		}
		pos++;
	}
	return insert(p, pos, &e);
}

int ext2_ext_alloc(struct inode *ino, uint64_t lblk64, uint32_t *out, bool *fresh)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint32_t lblk = (uint32_t)lblk64, newblk = 0;
	int err = 0;

	if (lblk64 >= 0xffffffffull)
		return -EFBIG;
	/* Each pass either finishes or makes the tree roomier. */
	for (unsigned tries = 0; tries < 4 * EXT_MAX_DEPTH; tries++) {
		struct epath p;
		struct fw_buf leaf;
		unsigned pos;

		err = walk(ino, lblk, true, &p);
		if (err)
			break;
		leaf = p.n[p.depth].b;
		pos = p.n[p.depth].pos;
		if (entries(leaf)) {
			struct ext e = ext_at(leaf, pos);

			if (e.lblk <= lblk && lblk < (uint64_t)e.lblk + e.len) {
				if (!e.unwritten) {
					*out = e.pblk + (lblk - e.lblk);
					path_put(&p);
					return 0;
				}
				err = convert(&p, pos, lblk, out);
				path_put(&p);
				if (err == 1)
					continue;
				if (!err && fresh)
					*fresh = true;
				break;
			}
		}
		if (!newblk) {
			uint32_t goal = ext2_goal(ino);

			if (entries(leaf) && key(leaf, pos) < lblk) {
				struct ext prev = ext_at(leaf, pos);

				goal = prev.pblk + (lblk - prev.lblk);
			}
			err = ext2_alloc_zeroed(ino, goal, true, &newblk);
			if (err) {
				path_put(&p);
				return err;
			}
		}
		err = map_hole(&p, lblk, newblk, 1);
		path_put(&p);
		if (err == 1)
			continue;
		if (!err) {
			*out = newblk;
			if (fresh)
				*fresh = true;
			return 0;
		}
		break;
	}
	if (err == 1)
		err = -EIO; /* the tree kept changing: cannot happen */
	if (newblk) {
		ext2_free_block(s, newblk);
		ino->ext2->blocks -= s->bs / 512;
	}
	return err;
}

/* The first logical block after lblk that the tree maps, as far as the
 * walked path shows (the next entry at the deepest level that has one),
 * or 2^32. */
static uint64_t next_mapped(const struct epath *p, uint32_t lblk)
{
	for (unsigned lvl = p->depth + 1; lvl-- > 0;) {
		const struct enode *n = &p->n[lvl];
		unsigned cnt = entries(n->b);

		if (cnt == 0)
			continue;
		if (key(n->b, n->pos) > lblk)
			return key(n->b, n->pos);
		if (n->pos + 1 < cnt)
			return key(n->b, n->pos + 1);
	}
	return 1ull << 32;
}

int ext2_ext_alloc_run(struct inode *ino, uint64_t lblk64, unsigned want,
		       unsigned *got)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint32_t lblk = (uint32_t)lblk64, newblk = 0;
	unsigned ngot = 0;
	int err = 0;

	*got = 0;
	if (want == 0 || lblk64 >= 0xffffffffull)
		return lblk64 >= 0xffffffffull ? -EFBIG : 0;
	for (unsigned tries = 0; tries < 4 * EXT_MAX_DEPTH; tries++) {
		struct epath p;
		struct fw_buf leaf;
		uint64_t room;

		err = walk(ino, lblk, true, &p);
		if (err)
			break;
		leaf = p.n[p.depth].b;
		if (entries(leaf)) {
			struct ext e = ext_at(leaf, p.n[p.depth].pos);

			if (e.lblk <= lblk && lblk < (uint64_t)e.lblk + e.len) {
				uint64_t left = (uint64_t)e.lblk + e.len - lblk;

				path_put(&p);
				if (e.unwritten) { /* converted a block at a time */
					uint32_t blk;

					err = ext2_ext_alloc(ino, lblk, &blk, NULL);
					*got = err ? 0 : 1;
					return err;
				}
				*got = (unsigned)(left < want ? left : want);
				return 0;
			}
		}
		if (!newblk) {
			uint32_t goal = ext2_goal(ino);

			room = next_mapped(&p, lblk) - lblk;
			if (room > want)
				room = want;
			if (room > EXT_INIT_MAX_LEN)
				room = EXT_INIT_MAX_LEN;
			if (entries(leaf) && key(leaf, p.n[p.depth].pos) < lblk) {
				struct ext prev = ext_at(leaf, p.n[p.depth].pos);

				goal = prev.pblk + (lblk - prev.lblk);
			}
			err = ext2_new_blocks(s, goal, (unsigned)room, &newblk, &ngot);
			for (unsigned k = 0; !err && k < ngot; k++)
				err = ext2_zero_block(s, newblk + k,
						      S_ISREG(ino->mode));
			if (err) {
				path_put(&p);
				break;
			}
			ino->ext2->blocks += (uint64_t)ngot * (s->bs / 512);
		}
		err = map_hole(&p, lblk, newblk, ngot);
		path_put(&p);
		if (err == 1)
			continue;
		if (!err) {
			*got = ngot;
			return 0;
		}
		break;
	}
	if (err == 1)
		err = -EIO;
	if (newblk && ngot) {
		for (unsigned k = 0; k < ngot; k++)
			ext2_free_block(s, newblk + k);
		ino->ext2->blocks -= (uint64_t)ngot * (s->bs / 512);
	}
	return err;
}

/* ---- truncation -------------------------------------------------------- */

static void free_run(struct inode *ino, uint32_t pblk, uint32_t len)
{
	struct ext2_sb *s = EXT2_SB(ino);

	for (uint32_t i = 0; i < len; i++) {
		ext2_free_block(s, pblk + i);
		if (ino->ext2->blocks >= s->bs / 512)
			ino->ext2->blocks -= s->bs / 512;
	}
}

/* Drop every block at logical keep or later from node b (depth levels
 * above the leaves); *changed says b needs writing. */
static int trunc_node(struct inode *ino, struct fw_buf b, unsigned depth,
		      uint64_t keep, bool *changed)
{
	struct ext2_sb *s = EXT2_SB(ino);
	unsigned n = entries(b), i = n;
	int err = 0;

	*changed = false;
	while (i > 0 && !err) {
		uint64_t upper = i == n ? 0x100000000ull : key(b, i);

		if (upper <= keep)
			break;
		if (depth == 0) {
			struct ext e = ext_at(b, i - 1);

			if (e.lblk >= keep) {
				free_run(ino, e.pblk, e.len);
			} else {
				uint32_t cut = (uint32_t)(keep - e.lblk);

				if (cut < e.len) {
					free_run(ino, e.pblk + cut, e.len - cut);
					e.len = cut;
					err = put_ext(b, i - 1, &e) ? -EIO : 0;
					*changed = true;
				}
				break;
			}
		} else {
			uint32_t blk = child(b, i - 1);
			struct bref r;
			bool sub;

			err = ext2_mget(s, blk, true, &r);
			if (err)
				break;
			err = check_block(ino, &r, depth - 1, blk);
			if (!err)
				err = trunc_node(ino, r.data, depth - 1, keep, &sub);
			if (!err && entries(r.data) > 0) {
				if (sub) {
					if (s->has_csum)
						(void)ext2_csum_tail_set(ino->ext2->csum_seed,
									 r.data, tail_off(r.data),
									 tail_off(r.data));
					bref_dirty(&r);
				}
				bref_put(&r);
				break;
			}
			bref_put(&r);
			if (err)
				break;
			free_run(ino, blk, 1);
		}
		i--;
		*changed = true;
		if (fw_buf_put_u16_le(b, EH_ENTRIES, (uint16_t)i))
			err = -EIO;
	}
	return err;
}

int ext2_ext_trunc(struct inode *ino, uint64_t keep)
{
	struct eroot root;
	struct fw_buf b = FW_BUF_OF_ARRAY(root.b);
	unsigned depth;
	bool changed;
	int err;

	root_load(ino->ext2, &root);
	depth = u16at(b, EH_DEPTH);
	err = check_node(ino, b, depth, true, 0);
	if (!err)
		err = trunc_node(ino, b, depth, keep, &changed);
	if (err)
		return err;
	/* An empty tree is a leaf again (e2fsck's shape for empty files). */
	if (entries(b) == 0 && depth > 0 &&
	    put_header(b, 0, (ROOT_BYTES - EH_SIZE) / EE_SIZE, 0))
		return -EIO;
	root_store(ino->ext2, &root);
	return 0;
}
