/* services/fs/ext4/htree.c: hash-indexed directories (dir_index).
 *
 * Layer: services (safe C), the ext2/3/4 driver (fs/ext2/ext2.h), called
 * by dir.c with vfs_ns_lock held.
 * Linux's htree (fs/ext4/namei.c, hash.c; ext4 directory.rst):
 *   block 0, the root: "." (rec_len 12), ".." (rec_len bs - 12), at 24 the
 *     dx_root_info {0 u32, hash_version u8, info_length u8 = 8,
 *     indirect_levels u8, flags u8}, at 32 the entries;
 *   a node: one empty record (inode 0, rec_len bs), the entries at 8;
 *   entries {hash u32, block u32} sorted by hash, but entry 0 holds
 *     {limit u16, count u16} in place of its hash (it takes all hashes
 *     below entry 1); the blocks are logical blocks of the directory;
 *   leaves: directory blocks with the names hashing into their range.
 *     Bit 0 of an entry's hash: the leaf before ends with this hash too.
 *   metadata_csum: the last entry slot of root and nodes is a dx_tail
 *     {reserved u32, crc32c u32}; leaves keep dir.c's dirent tail.
 * Every index block is checked before it is followed (records and info
 * of the root, depth, limit, 1 <= count <= limit, sorted hashes, checksum,
 * block numbers inside the directory and off the path): a bad index is
 * -EIO and a log line, as Linux's dx_probe, not a linear fallback that
 * would hide the damage or, on a write, add to it. Inserts split a full
 * leaf by hash, a full node in two, a full root into a new level; a delete
 * only clears the record (dir.c): Linux never shrinks the index either. */
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>

#include "fs/ext2/ext2.h"

#define DX_INFO 24			/* dx_root_info in block 0 */
#define DX_ROOT_CL 32			/* root's countlimit (entry 0) */
#define DX_NODE_CL 8			/* node's, after its empty record */
#define DX_LEVELS 2			/* index levels without largedir */
#define DX_BLOCK_MASK 0x0fffffffu	/* Linux dx_get_block */
#define DX_HALF_MD4 1
#define DX_HTREE_EOF 0x7fffffffu	/* EXT4_HTREE_EOF_32BIT */

/* ---- hashes (Linux fs/ext4/hash.c) ---------------------------------------- */

/* MD4/TEA state and the name words fed to it. */
struct hctx {
	uint32_t b[4];
	uint32_t w[8];
};

static uint32_t rol32(uint32_t x, unsigned s)
{
	return x << s | x >> (32 - s);
}

/* Byte i of the name as a (signed or unsigned) char widened to 32 bits:
 * the two variants exist because Linux once hashed plain chars. */
static uint32_t hchar(struct fw_bytes nm, size_t i, bool uns)
{
	uint8_t c = 0;

	return fw_bytes_get_u8(nm, i, &c) || uns || c < 0x80 ? c : c - 256u;
}

static uint32_t dx_hack_hash(struct fw_bytes nm, bool uns)
{
	uint32_t hash, hash0 = 0x12a3fe2d, hash1 = 0x37abe8f9;

	for (size_t i = 0; i < fw_bytes_len(nm); i++) {
		hash = hash1 + (hash0 ^ (hchar(nm, i, uns) * 7152373u));
		if (hash & 0x80000000u)
			hash -= 0x7fffffff;
		hash1 = hash0;
		hash0 = hash;
	}
	return hash0 << 1;
}

/* Linux str2hashbuf: num words from name[off, off + len), padded. */
static void str2hashbuf(struct fw_bytes nm, size_t off, size_t len, bool uns,
			struct hctx *in, unsigned num)
{
	uint32_t pad = (uint32_t)len | (uint32_t)len << 8, val;
	unsigned n = 0;

	pad |= pad << 16;
	val = pad;
	if (len > num * 4)
		len = num * 4;
	for (size_t i = 0; i < len; i++) {
		val = hchar(nm, off + i, uns) + (val << 8);
		if (i % 4 == 3) {
			in->w[n++] = val;
			val = pad;
		}
	}
	if (n < num)
		in->w[n++] = val;
	while (n < num)
		in->w[n++] = pad;
}

static void tea_transform(struct hctx *st)
{
	uint32_t sum = 0, b0 = st->b[0], b1 = st->b[1];
	uint32_t a = st->w[0], b = st->w[1], c = st->w[2], d = st->w[3];

	for (int n = 0; n < 16; n++) {
		sum += 0x9E3779B9u;
		b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >> 5) + b);
		b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >> 5) + d);
	}
	st->b[0] += b0;
	st->b[1] += b1;
}

#define F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define G(x, y, z) (((x) & (y)) + (((x) ^ (y)) & (z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))

/* MD4's three rounds of 8 steps (Linux half_md4_transform): step i adds
 * word idx[i] and rotates by sh[i / 8][i % 4]; the registers rotate too. */
static void half_md4_transform(struct hctx *st)
{
	static const uint8_t idx[24] = { 0, 1, 2, 3, 4, 5, 6, 7, 1, 3, 5, 7,
					 0, 2, 4, 6, 3, 7, 2, 6, 1, 5, 0, 4 };
	static const uint8_t sh[3][4] = { { 3, 7, 11, 19 }, { 3, 5, 9, 13 },
					  { 3, 9, 11, 15 } };
	uint32_t a = st->b[0], b = st->b[1], c = st->b[2], d = st->b[3];

	for (int i = 0; i < 24; i++) {
		uint32_t f = i < 8 ? F(b, c, d) : i < 16 ? G(b, c, d) + 0x5A827999u :
			     H(b, c, d) + 0x6ED9EBA1u;
		uint32_t t = rol32(a + f + st->w[idx[i]], sh[i / 8][i % 4]);

		a = d;
		d = c;
		c = b;
		b = t;
	}
	st->b[0] += a;
	st->b[1] += b;
	st->b[2] += c;
	st->b[3] += d;
}

uint32_t ext2_dx_hash(unsigned version, const struct ext2_dx_seed *seed,
		      struct fw_bytes nm)
{
	struct hctx st = { { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 }, { 0 } };
	size_t len = fw_bytes_len(nm);
	bool uns = version >= 3, tea = version % 3 == 2;
	uint32_t hash = 0;

	/* an all-zero seed means "none": the MD4 constants stay */
	if (seed->w[0] | seed->w[1] | seed->w[2] | seed->w[3])
		for (int i = 0; i < 4; i++)
			st.b[i] = seed->w[i];
	if (version % 3 == 0)
		hash = dx_hack_hash(nm, uns);
	for (size_t off = 0; version % 3 && off < len; off += tea ? 16 : 32) {
		str2hashbuf(nm, off, len - off, uns, &st, tea ? 4 : 8);
		if (tea)
			tea_transform(&st);
		else
			half_md4_transform(&st);
	}
	if (version % 3)
		hash = tea ? st.b[0] : st.b[1];
	/* bit 0 is the collision flag of index entries; the largest value
	 * is readdir's end-of-directory cookie */
	hash &= ~1u;
	if (hash == DX_HTREE_EOF << 1)
		hash = (DX_HTREE_EOF - 1) << 1;
	return hash;
}

/* ---- the index ------------------------------------------------------------ */

/* One index block on the path from the root to a leaf. */
struct dx_frame {
	uint32_t lblk;			/* directory block */
	uint32_t cl;			/* offset of its countlimit */
	uint32_t count;
	uint32_t limit;
	uint32_t at;			/* the entry followed */
};

struct dx_path {
	struct dx_frame f[DX_LEVELS];
	unsigned depth;			/* indirect_levels: f[depth] -> leaves */
	unsigned version;		/* hash version, unsigned variants resolved */
	uint32_t hash;			/* of the name */
	uint32_t leaf;			/* the leaf block reached */
};

#define dx_bad(dir, what, val) ext2_corrupt(EXT2_SB(dir), (dir)->ino, what, val)

bool ext2_dx_active(struct inode *dir)
{
	return (EXT2_SB(dir)->feat_compat & EXT2_FEATURE_COMPAT_DIR_INDEX) &&
	       (dir->ext2->flags & EXT2_INDEX_FL);
}

/* Entries that fit after cl, less the dx_tail's slot with checksums. */
static uint32_t dx_limit(const struct ext2_sb *s, uint32_t cl)
{
	return (s->bs - cl) / 8 - (s->has_csum ? 1 : 0);
}

static uint32_t u32_at(struct fw_bytes b, size_t off)
{
	uint32_t v = 0;

	return fw_bytes_get_u32_le(b, off, &v) ? 0 : v;
}

/* Word field (0 hash, 4 block) of entry i. */
#define ent_u32(b, f, i, field) u32_at(b, (f)->cl + 8 * (size_t)(i) + (field))

/* ext4_dx_csum: the block up to the last entry in use, then the tail's
 * reserved word and a zero where the checksum goes. */
static uint32_t dx_csum(struct inode *dir, struct fw_bytes b,
			const struct dx_frame *f)
{
	static const uint8_t zero[4];
	struct fw_bytes head = { 0 }, res = { 0 };
	uint32_t c = dir->ext2->csum_seed;

	if (fw_bytes_sub(b, 0, f->cl + 8 * f->count, &head) ||
	    fw_bytes_sub(b, f->cl + 8 * f->limit, 4, &res))
		return ~c;
	c = ext2_crc32c(ext2_crc32c(c, head), res);
	return ext2_crc32c(c, FW_BYTES_OF_ARRAY(zero));
}

/* Parse and check the index block lblk (countlimit at cl) into f. */
static int dx_load(struct inode *dir, struct fw_bytes b, uint32_t lblk,
		   uint32_t cl, struct dx_frame *f)
{
	struct ext2_sb *s = EXT2_SB(dir);
	uint16_t lim = 0, cnt = 0, rl = 0;
	uint32_t ino = 1, have = 0, prev = 0;

	if (cl == DX_NODE_CL &&
	    (fw_bytes_get_u32_le(b, 0, &ino) || fw_bytes_get_u16_le(b, 4, &rl) ||
	     ino != 0 || rl != s->bs))
		return dx_bad(dir, "dx_probe: leaf block found instead of index block", lblk);
	if (fw_bytes_get_u16_le(b, cl, &lim) || fw_bytes_get_u16_le(b, cl + 2, &cnt) ||
	    lim != dx_limit(s, cl))
		return dx_bad(dir, "dx_probe: dx entry: bad limit, block", lblk);
	if (cnt == 0 || cnt > lim)
		return dx_bad(dir, "dx_probe: dx entry: count beyond limit, block", lblk);
	*f = (struct dx_frame){ lblk, cl, cnt, lim, 0 };
	for (uint32_t i = 1; i < cnt; prev = ent_u32(b, f, i, 0), i++)
		if (ent_u32(b, f, i, 0) < prev)
			return dx_bad(dir, "dx_probe: hashes out of order, block", lblk);
	if (s->has_csum &&
	    (fw_bytes_get_u32_le(b, cl + 8 * lim + 4, &have) || have != dx_csum(dir, b, f)))
		return dx_bad(dir, "dx_probe: dx block checksum invalid, block", lblk);
	return 0;
}

/* The last entry whose hash is <= hash (entry 0 takes all below entry 1). */
static uint32_t dx_search(struct fw_bytes b, const struct dx_frame *f,
			  uint32_t hash)
{
	uint32_t lo = 1, hi = f->count - 1;

	while (lo <= hi) {
		uint32_t m = lo + (hi - lo) / 2;

		if (ent_u32(b, f, m, 0) > hash)
			hi = m - 1;
		else
			lo = m + 1;
	}
	return lo - 1;
}

/* The block entry f[l].at points at: inside the directory, and not an
 * index block of the path (a cycle). */
static int dx_child(struct inode *dir, const struct dx_path *p, unsigned l,
		    struct fw_bytes b, uint32_t *blk)
{
	*blk = ent_u32(b, &p->f[l], p->f[l].at, 4) & DX_BLOCK_MASK;
	if (*blk >= dir->size / EXT2_SB(dir)->bs)
		return dx_bad(dir, "dx_probe: block past the end of the directory", *blk);
	for (unsigned i = 0; i <= l; i++)
		if (*blk == p->f[i].lblk)
			return dx_bad(dir, "dx_probe: tree cycle at block", *blk);
	return 0;
}

/* From level l (its block in *r, f[l].at chosen) down to the leaf; lower
 * levels follow the hash (search) or their first entry. Drops *r. */
static int dx_descend(struct inode *dir, struct dx_path *p, unsigned l,
		      struct bref *r, bool search)
{
	for (;;) {
		uint32_t blk;
		int err = dx_child(dir, p, l, fw_buf_as_bytes(r->data), &blk);

		bref_put(r);
		if (err || l == p->depth) {
			p->leaf = blk;
			return err;
		}
		err = ext2_dir_get(dir, blk, false, r);
		if (err)
			return err;
		l++;
		err = dx_load(dir, fw_buf_as_bytes(r->data), blk, DX_NODE_CL, &p->f[l]);
		if (err) {
			bref_put(r);
			return err;
		}
		if (search)
			p->f[l].at = dx_search(fw_buf_as_bytes(r->data), &p->f[l], p->hash);
	}
}

/* Linux dx_probe: the path to the leaf for name nm. */
static int dx_probe(struct inode *dir, struct fw_bytes nm, struct dx_path *p)
{
	struct ext2_sb *s = EXT2_SB(dir);
	uint16_t dot = 0, dotdot = 0;
	uint8_t hv = 0, ilen = 0, depth = 0, fl = 0;
	struct fw_bytes b;
	struct bref r;
	int err = ext2_dir_get(dir, 0, false, &r);

	if (err)
		return err;
	b = fw_buf_as_bytes(r.data);
	if (fw_bytes_get_u16_le(b, 4, &dot) || fw_bytes_get_u16_le(b, 16, &dotdot) ||
	    fw_bytes_get_u8(b, DX_INFO + 4, &hv) || fw_bytes_get_u8(b, DX_INFO + 5, &ilen) ||
	    fw_bytes_get_u8(b, DX_INFO + 6, &depth) || fw_bytes_get_u8(b, DX_INFO + 7, &fl) ||
	    dot != 12 || dotdot != s->bs - 12)
		err = dx_bad(dir, "dx_probe: bad root block records", 0);
	else if (hv > 2)
		err = dx_bad(dir, "dx_probe: unrecognised inode hash code", hv);
	else if (ilen != 8)
		err = dx_bad(dir, "dx_probe: bad root info length", ilen);
	else if (depth >= DX_LEVELS)
		err = dx_bad(dir, "dx_probe: htree depth exceeds supported value", depth);
	else if (fl & 1)
		err = dx_bad(dir, "dx_probe: unimplemented hash flags", fl);
	if (!err)
		err = dx_load(dir, b, 0, DX_ROOT_CL, &p->f[0]);
	if (err) {
		bref_put(&r);
		return err;
	}
	p->depth = depth;
	p->version = hv + (s->hash_unsigned ? 3 : 0);
	p->hash = ext2_dx_hash(p->version, &s->hash_seed, nm);
	p->f[0].at = dx_search(b, &p->f[0], p->hash);
	return dx_descend(dir, p, 0, &r, true);
}

/* Linux ext4_htree_next_block: move to the next leaf if the next entry
 * continues the name's hash (collision bit): 0, -ENOENT (it does not). */
static int dx_next(struct inode *dir, struct dx_path *p)
{
	unsigned l = p->depth;
	struct bref r;
	uint32_t h;
	int err;

	while (++p->f[l].at >= p->f[l].count) {
		if (l == 0)
			return -ENOENT;
		l--;
	}
	err = ext2_dir_get(dir, p->f[l].lblk, false, &r);
	if (err)
		return err;
	h = ent_u32(fw_buf_as_bytes(r.data), &p->f[l], p->f[l].at, 0);
	if ((h & ~1u) != p->hash) {
		bref_put(&r);
		return -ENOENT;
	}
	return dx_descend(dir, p, l, &r, false);
}

static int name_view(const struct kname *name, struct fw_bytes *nm)
{
	return fw_bytes_sub(FW_BYTES_OF_ARRAY(name->s), 0,
			    strnlen(name->s, sizeof(name->s)), nm) ? -EINVAL : 0;
}

int ext2_dx_find(struct inode *dir, const struct kname *name, uint32_t *ino,
		 struct ext2_dirloc *loc)
{
	struct dx_path p;
	struct fw_bytes nm;
	int err = name_view(name, &nm);

	if (!err)
		err = dx_probe(dir, nm, &p);
	while (!err && (err = ext2_dir_find_in(dir, p.leaf, name, ino, loc)) == -ENOENT)
		err = dx_next(dir, &p);
	return err;
}

/* ---- changing the index --------------------------------------------------- */

/* A new zeroed block at the end of the directory, referenced in *r. */
static int dx_append(struct inode *dir, uint32_t *lblk, struct bref *r)
{
	struct ext2_sb *s = EXT2_SB(dir);
	uint64_t lb = dir->size / s->bs;
	uint32_t blk;
	int err;

	if (lb > DX_BLOCK_MASK)
		return -ENOSPC;
	err = ext2_bmap(dir, lb, true, &blk, NULL);
	if (!err)
		err = ext2_mget(s, blk, false, r);
	if (err)
		return err;
	if (fw_buf_fill(r->data, 0, s->bs, 0)) {
		bref_put(r);
		return -EIO;
	}
	dir->size += s->bs;
	*lblk = (uint32_t)lb;
	return 0;
}

/* Write f's count and limit and the checksum into its block; dirty it. */
static int dx_seal(struct inode *dir, struct bref *r, const struct dx_frame *f)
{
	int err = fw_buf_put_u16_le(r->data, f->cl, (uint16_t)f->limit) |
		  fw_buf_put_u16_le(r->data, f->cl + 2, (uint16_t)f->count);

	if (!err && EXT2_SB(dir)->has_csum)
		err = fw_buf_put_u32_le(r->data, f->cl + 8 * f->limit + 4,
					dx_csum(dir, fw_buf_as_bytes(r->data), f));
	bref_dirty(r);
	return err ? -EIO : 0;
}

/* Linux dx_insert_block: (hash, blk) into index block f after f->at
 * (count < limit), sealed. */
static int dx_insert(struct inode *dir, struct dx_frame *f, uint32_t hash,
		     uint32_t blk)
{
	size_t at = f->cl + 8 * (f->at + 1);
	struct fw_bytes mv;
	struct bref r;
	int err = ext2_dir_get(dir, f->lblk, true, &r);

	if (err)
		return err;
	err = fw_bytes_sub(fw_buf_as_bytes(r.data), at, 8 * (f->count - f->at - 1), &mv);
	if (!err)
		err = fw_buf_copy_from(r.data, at + 8, mv) |
		      fw_buf_put_u32_le(r.data, at, hash) | fw_buf_put_u32_le(r.data, at + 4, blk);
	f->count += !err;
	err = err ? -EIO : dx_seal(dir, &r, f);
	bref_put(&r);
	return err;
}

/* The deepest index block on the path is full (ext4_dx_add_entry): a full
 * root without nodes moves its entries into a new node below it; a full
 * node gives its upper half to a new node indexed by the root; with the
 * root full as well the index is full, -ENOSPC as Linux without largedir. */
static int dx_grow(struct inode *dir, struct dx_path *p)
{
	struct ext2_sb *s = EXT2_SB(dir);
	struct dx_frame *f = &p->f[p->depth];
	uint32_t move = p->depth ? f->count - f->count / 2 : f->count, hash2;
	struct dx_frame nf = { 0, DX_NODE_CL, move, dx_limit(s, DX_NODE_CL), 0 };
	struct bref r, nr;
	struct fw_bytes src;
	int err;

	if (p->depth && p->f[0].count == p->f[0].limit) {
		fw_warn("ext2 (%s): directory #%llu: index full, reached max htree level %u",
			s->dev->name, (unsigned long long)dir->ino, DX_LEVELS);
		return -ENOSPC;
	}
	err = ext2_dir_get(dir, f->lblk, true, &r);
	if (err)
		return err;
	err = dx_append(dir, &nf.lblk, &nr);
	if (err) {
		bref_put(&r);
		return err;
	}
	hash2 = ent_u32(fw_buf_as_bytes(r.data), f, f->count - move, 0);
	err = fw_buf_put_u16_le(nr.data, 4, (uint16_t)s->bs) |
	      fw_bytes_sub(fw_buf_as_bytes(r.data), f->cl + 8 * (f->count - move), 8 * move, &src);
	if (!err)
		err = fw_buf_copy_from(nr.data, DX_NODE_CL, src);
	f->count = p->depth ? f->count - move : 1;
	if (!err && !p->depth) /* the root keeps one entry, to the new level */
		err = fw_buf_put_u32_le(r.data, f->cl + 4, nf.lblk) |
		      fw_buf_put_u8(r.data, DX_INFO + 6, 1);
	err = err ? -EIO : dx_seal(dir, &nr, &nf) | dx_seal(dir, &r, f);
	bref_put(&nr);
	bref_put(&r);
	return err || !p->depth ? err : dx_insert(dir, &p->f[0], hash2, nf.lblk);
}

/* A scratch buffer: a copy of the leaf, then at MAP its live records
 * sorted by hash, each hash << 32 | size << 16 | offset (u64). */
#define MAP(s, i) ((s)->bs + 8 * (size_t)(i))

static uint64_t map_at(struct fw_buf t, size_t off)
{
	uint64_t v = 0;

	return fw_bytes_get_u64_le(fw_buf_as_bytes(t), off, &v) ? 0 : v;
}

static int leaf_map(struct inode *dir, const struct dx_path *p, struct fw_buf t,
		    uint32_t *n)
{
	struct ext2_sb *s = EXT2_SB(dir);
	struct fw_bytes b = fw_buf_as_bytes(t), nm;
	uint16_t rl = 0;
	uint8_t nl = 0;
	uint32_t ino = 0, i;
	uint64_t v;

	*n = 0;
	for (size_t off = 0; off < s->bs - (s->has_csum ? EXT2_DIR_TAIL : 0); off += rl) {
		if (fw_bytes_get_u32_le(b, off, &ino) || fw_bytes_get_u16_le(b, off + 4, &rl) ||
		    fw_bytes_get_u8(b, off + 6, &nl) || rl < EXT2_DIR_REC_LEN(1) ||
		    fw_bytes_sub(b, off + EXT2_DIRENT_HDR, nl, &nm))
			return -EIO;
		if (!ino)
			continue;
		v = (uint64_t)ext2_dx_hash(p->version, &s->hash_seed, nm) << 32 |
		    EXT2_DIR_REC_LEN(nl) << 16 | off;
		/* insertion sort: a leaf holds at most bs / 12 names */
		for (i = (*n)++; i > 0 && map_at(t, MAP(s, i - 1)) > v; i--)
			if (fw_buf_put_u64_le(t, MAP(s, i), map_at(t, MAP(s, i - 1))))
				return -EIO;
		if (fw_buf_put_u64_le(t, MAP(s, i), v))
			return -EIO;
	}
	return 0;
}

/* Rebuild a leaf from map entries [from, to) of t. */
static int leaf_pack(struct inode *dir, struct bref *r, struct fw_buf t,
		     uint32_t from, uint32_t to)
{
	struct ext2_sb *s = EXT2_SB(dir);
	size_t off = 0, last = 0;
	struct fw_bytes rec;
	int err = fw_buf_fill(r->data, 0, s->bs, 0);

	for (uint32_t i = from; !err && i < to; i++) {
		uint32_t m = (uint32_t)map_at(t, MAP(s, i));

		err = fw_bytes_sub(fw_buf_as_bytes(t), m & 0xffff, m >> 16, &rec);
		if (!err)
			err = fw_buf_copy_from(r->data, off, rec) |
			      fw_buf_put_u16_le(r->data, off + 4, (uint16_t)(m >> 16));
		last = off;
		off += m >> 16;
	}
	if (!err)
		err = fw_buf_put_u16_le(r->data, last + 4, (uint16_t)(s->bs - last -
				       (s->has_csum ? EXT2_DIR_TAIL : 0)));
	ext2_dir_dirty(dir, r);
	return err ? -EIO : 0;
}

/* Linux do_split: the full leaf keeps its lower hashes, the upper half
 * by size moves to a new block, indexed after it. Its hash gets the
 * collision bit when the split falls between equal hashes. */
static int dx_split(struct inode *dir, struct dx_path *p)
{
	struct ext2_sb *s = EXT2_SB(dir);
	uint32_t n = 0, split, move = 0, size = 0, nb, hash2;
	struct bref r, nr;
	struct fw_buf t;
	int i, err = fw_buf_alloc(MAP(s, s->bs / 12 + 1), &t);

	if (err)
		return err;
	err = ext2_dir_get(dir, p->leaf, true, &r);
	if (err)
		goto out_free;
	err = fw_buf_copy_from(t, 0, fw_buf_as_bytes(r.data)) ? -EIO : leaf_map(dir, p, t, &n);
	if (!err && n < 2)
		err = -ENOSPC;
	if (err)
		goto out_put;
	for (i = (int)n - 1; i >= 0; i--) {
		uint32_t sz = (uint32_t)map_at(t, MAP(s, i)) >> 16;

		if (size + sz / 2 > s->bs / 2)
			break;
		size += sz;
		move++;
	}
	split = i > 0 ? n - move : n / 2;
	hash2 = (uint32_t)(map_at(t, MAP(s, split)) >> 32);
	hash2 |= hash2 == map_at(t, MAP(s, split - 1)) >> 32;
	err = dx_append(dir, &nb, &nr);
	if (err)
		goto out_put;
	err = leaf_pack(dir, &nr, t, split, n);
	if (!err)
		err = leaf_pack(dir, &r, t, 0, split);
	bref_put(&nr);
	if (!err)
		err = dx_insert(dir, &p->f[p->depth], hash2, nb);
out_put:
	bref_put(&r);
out_free:
	fw_buf_free(&t);
	return err;
}

int ext2_dx_add(struct inode *dir, const struct kname *name, uint32_t ino,
		uint32_t mode)
{
	struct dx_path p;
	struct fw_bytes nm;
	int err = name_view(name, &nm);

	/* Each pass adds the name or makes room (a level, a node split, a
	 * leaf split; a leaf of long names may take two), then looks again. */
	for (int pass = 0; !err && pass < 6; pass++) {
		err = dx_probe(dir, nm, &p);
		if (!err)
			err = ext2_dir_add_in(dir, p.leaf, name, ino, mode);
		if (err != -ENOSPC)
			return err;
		if (p.f[p.depth].count == p.f[p.depth].limit)
			err = dx_grow(dir, &p);
		else
			err = dx_split(dir, &p);
	}
	return err ? err : -ENOSPC;
}

/* Linux make_indexed_dir: the one full block of dir becomes the root;
 * its records move to block 1, the only leaf, which the caller's
 * ext2_dx_add then splits. The copy keeps the bytes of "." and "..",
 * made one unused record (inode 0), as a block's first record may be. */
int ext2_dx_make(struct inode *dir)
{
	struct ext2_sb *s = EXT2_SB(dir);
	struct dx_frame f = { 0, DX_ROOT_CL, 1, dx_limit(s, DX_ROOT_CL), 0 };
	uint16_t dot = 0, dotdot = 0;
	struct bref r, nr;
	uint32_t nb;
	int err = ext2_dir_get(dir, 0, true, &r);

	if (err)
		return err;
	if (fw_bytes_get_u16_le(fw_buf_as_bytes(r.data), 4, &dot) ||
	    fw_bytes_get_u16_le(fw_buf_as_bytes(r.data), 16, &dotdot) ||
	    dot != 12 || dotdot > s->bs - 24) {
		bref_put(&r);
		return dx_bad(dir, "invalid rec_len for '..'", dotdot);
	}
	err = dx_append(dir, &nb, &nr);
	if (err) {
		bref_put(&r);
		return err;
	}
	err = fw_buf_copy_from(nr.data, 0, fw_buf_as_bytes(r.data)) |
	      fw_buf_put_u32_le(nr.data, 0, 0) | fw_buf_put_u16_le(nr.data, 6, 0) |
	      fw_buf_put_u16_le(nr.data, 4, (uint16_t)(12 + dotdot));
	ext2_dir_dirty(dir, &nr);
	bref_put(&nr);
	if (!err)
		err = fw_buf_put_u16_le(r.data, 16, (uint16_t)(s->bs - 12)) |
		      fw_buf_fill(r.data, DX_INFO, s->bs - DX_INFO, 0) |
		      fw_buf_put_u8(r.data, DX_INFO + 4, s->def_hash <= 2 ? s->def_hash : DX_HALF_MD4) |
		      fw_buf_put_u8(r.data, DX_INFO + 5, 8) |
		      fw_buf_put_u32_le(r.data, DX_ROOT_CL + 4, nb);
	err = err ? -EIO : dx_seal(dir, &r, &f);
	bref_put(&r);
	if (!err)
		dir->ext2->flags |= EXT2_INDEX_FL;
	return err;
}
