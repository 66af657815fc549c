/* services/fs/ext2/super.c: mounting ext2, the superblock and group
 * descriptors, statfs, sync and unmount.
 *
 * Layer: services (safe C), ext2. The superblock is read as the 1 KiB
 * block 1 whatever the file system's block size (the cache slices its
 * 4 KiB units), so its bytes are shared with the block-sized view of the
 * same disk area. Mount checks everything later code relies on (block
 * size, geometry, descriptor locations), so a corrupt image is refused
 * with a log line instead of being trusted. Feature policy follows Linux
 * ext2: unknown INCOMPAT features refuse the mount, unknown RO_COMPAT
 * features mount read-only. The superblock's free counts are recomputed
 * from the group descriptors at mount (as Linux's percpu counters are)
 * and written back on every change, so a sync leaves them exact. */
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>

#include "fs/ext2/ext2.h"
#include "fs/vfs/namei.h"

static struct fw_mutex ext2_list_lock;
static bool ext2_list_ready;
static struct fw_list ext2_list = FW_LIST_HEAD_INIT(ext2_list);

int ext2_corrupt(struct ext2_sb *s, uint64_t ino, const char *what,
		 uint64_t val)
{
	struct bref r;
	uint16_t state = 0;

	fw_warn("ext2 (%s): inode %llu: %s (%llu): file system corrupted",
		s->dev->name, (unsigned long long)ino, what,
		(unsigned long long)val);
	/* Linux ext2_error: mark the file system as having errors, so the
	 * next fsck checks it (errors=continue: carry on). Callers may hold
	 * s->lock, so this two-byte update does without it (the other
	 * writers of s_state, sync and unmount, do not run corruption
	 * checks while they write it). */
	s->mount_state |= EXT2_ERROR_FS;
	if (!s->rdonly && !ext2_sb_get(s, &r)) {
		if (!fw_bytes_get_u16_le(fw_buf_as_bytes(r.data), SB_STATE, &state) &&
		    !(state & EXT2_ERROR_FS) &&
		    !fw_buf_put_u16_le(r.data, SB_STATE, (uint16_t)(state | EXT2_ERROR_FS)))
			ext2_sb_dirty(s, &r);
		bref_put(&r);
	}
	return -EIO;
}

void ext2_sb_dirty(struct ext2_sb *s, struct bref *r)
{
	ext2_csum_super_set(s, r->data);
	bref_dirty(r);
}

/* Reference the block holding group g's descriptor; *off is its offset. */
int ext2_gd_get(struct ext2_sb *s, uint32_t g, bool write, struct bref *r,
		size_t *off)
{
	uint64_t byte = (uint64_t)g * s->desc_size;
	uint64_t blk = s->first_data_block + 1 + byte / s->bs;

	*off = (size_t)(byte % s->bs);
	if (write)
		return ext2_mget(s, (uint32_t)blk, true, r);
	return bcache_get(s->dev, blk, s->bs, true, r);
}

void ext2_sb_counts_dirty(struct ext2_sb *s)
{
	s->counts_stale = true;
}

void ext2_bitmap_stale(struct ext2_sb *s, uint32_t g)
{
	uint8_t v = 0;

	if (!s->has_csum || fw_bytes_get_u8(fw_buf_as_bytes(s->bm_stale), g / 8, &v))
		return;
	if (fw_buf_put_u8(s->bm_stale, g / 8, (uint8_t)(v | 1u << (g % 8))))
		return;
}

int ext2_meta_flush(struct ext2_sb *s)
{
	struct bref r;
	int err = 0;

	if (s->counts_stale) {
		err = ext2_sb_get(s, &r);
		if (err)
			return err;
		if (!fw_buf_put_u32_le(r.data, SB_FREE_BLOCKS, s->free_blocks) &&
		    !fw_buf_put_u32_le(r.data, SB_FREE_INODES, s->free_inodes))
			ext2_sb_dirty(s, &r);
		bref_put(&r);
		s->counts_stale = false;
	}
	for (uint32_t byte = 0; s->has_csum && byte < (s->groups + 7) / 8; byte++) {
		uint8_t v = 0;

		if (fw_bytes_get_u8(fw_buf_as_bytes(s->bm_stale), byte, &v) || !v)
			continue;
		for (uint32_t bit = 0; bit < 8; bit++)
			if (v & (1u << bit) && !err)
				err = ext2_bitmap_csums(s, byte * 8 + bit);
		if (!err && fw_buf_put_u8(s->bm_stale, byte, 0))
			err = -EIO;
	}
	return err;
}

/* Free a superblock that did not (or no longer does) mount. */
static void free_sb(struct ext2_sb *s)
{
	if (s->has_csum)
		fw_buf_free(&s->bm_stale);
	fw_free(s);
}

static bool is_power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

/* Does group g hold a superblock backup (and group descriptors)? */
bool ext2_bg_has_super(const struct ext2_sb *s, uint32_t g)
{
	if (!(s->feat_ro & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	return g <= 1 || is_power_of(g, 3) || is_power_of(g, 5) ||
	       is_power_of(g, 7);
}

static uint32_t sb_u32(struct fw_bytes b, size_t off)
{
	uint32_t v = 0;

	if (fw_bytes_get_u32_le(b, off, &v))
		return 0;
	return v;
}

static uint16_t sb_u16(struct fw_bytes b, size_t off)
{
	uint16_t v = 0;

	if (fw_bytes_get_u16_le(b, off, &v))
		return 0;
	return v;
}

static uint64_t max_file_size(const struct ext2_sb *s)
{
	uint64_t apb = s->apb;
	uint64_t blocks = EXT2_NDIR + apb + apb * apb + apb * apb * apb;
	/* i_blocks is 32 bits of 512-byte sectors (no huge_file): keep
	 * data plus indirect blocks below 2^32 sectors (Linux
	 * ext2_max_size). */
	uint64_t sect_limit = ((1ull << 32) - 1) >> (s->log_bs - 9);
	uint64_t meta = 1 + 1 + apb + 1 + apb + apb * apb;

	/* An extent maps 32-bit logical block numbers (Linux
	 * ext4_max_size); an indirect-mapped file of the same file system
	 * stops at its own limit with -EFBIG. */
	if (s->extents)
		blocks = (1ull << 32) - 1;
	if (!s->huge_file && sect_limit > meta && blocks > sect_limit - meta)
		blocks = sect_limit - meta;
	return blocks << s->log_bs;
}

/* The ext4 parts of the superblock: descriptor size, checksums. */
static int parse_ext4(struct ext2_sb *s, struct fw_bytes b)
{
	const char *dn = s->dev->name;
	struct fw_bytes uuid;
	uint8_t csum_type = 0;

	s->desc_size = EXT2_GD_SIZE;
	if (s->feat_incompat & EXT4_FEATURE_INCOMPAT_64BIT) {
		s->desc_size = sb_u16(b, SB_DESC_SIZE);
		if (s->desc_size < 64 || s->desc_size > 1024 ||
		    (s->desc_size & (s->desc_size - 1))) {
			fw_warn("ext4 (%s): unsupported descriptor size %u", dn, s->desc_size);
			return -EINVAL;
		}
		if (sb_u32(b, SB_BLOCKS_HI) || sb_u32(b, SB_R_BLOCKS_HI)) {
			fw_warn("ext4 (%s): more than 2^32 blocks are not supported", dn);
			return -EINVAL;
		}
	}
	s->reserved_gdt = sb_u16(b, SB_RESERVED_GDT);
	s->journal_inum = sb_u32(b, SB_JOURNAL_INUM);
	s->extents = s->feat_incompat & EXT4_FEATURE_INCOMPAT_EXTENTS;
	s->huge_file = s->feat_ro & EXT4_FEATURE_RO_COMPAT_HUGE_FILE;
	s->has_csum = s->feat_ro & EXT4_FEATURE_RO_COMPAT_METADATA_CSUM;
	s->has_gdt_csum = !s->has_csum && (s->feat_ro & EXT4_FEATURE_RO_COMPAT_GDT_CSUM);
	if (fw_bytes_sub(b, SB_UUID, sizeof(s->uuid), &uuid) ||
	    fw_buf_copy_from(FW_BUF_OF_ARRAY(s->uuid), 0, uuid))
		return -EINVAL;
	/* htree.c: x86 hashes with signed chars unless the flag says not */
	for (unsigned i = 0; i < 4; i++)
		s->hash_seed.w[i] = sb_u32(b, SB_HASH_SEED + 4 * i);
	s->def_hash = (uint8_t)sb_u16(b, SB_DEF_HASH);
	s->hash_unsigned = sb_u32(b, SB_FLAGS) & EXT2_FLAGS_UNSIGNED_HASH;
	if (!s->has_csum)
		return 0;
	if (fw_bytes_get_u8(b, SB_CHECKSUM_TYPE, &csum_type) || csum_type != 1) {
		fw_warn("ext4 (%s): unknown checksum algorithm", dn);
		return -EINVAL;
	}
	if (sb_u32(b, SB_CHECKSUM) != ext2_csum_super(b)) {
		fw_warn("ext4 (%s): superblock checksum does not match superblock", dn);
		return -EINVAL;
	}
	if (s->feat_incompat & EXT4_FEATURE_INCOMPAT_CSUM_SEED)
		s->csum_seed = sb_u32(b, SB_CHECKSUM_SEED);
	else
		s->csum_seed = ext2_crc32c(~0u, FW_BYTES_OF_ARRAY(s->uuid));
	return 0;
}

/* Parse and check the superblock bytes. 0 or -EINVAL (logged). */
static int parse_super(struct ext2_sb *s, struct fw_bytes b)
{
	const char *dn = s->dev->name;
	uint32_t log = sb_u32(b, SB_LOG_BLOCK_SIZE);

	if (sb_u16(b, SB_MAGIC) != EXT2_MAGIC) {
		fw_warn("ext2 (%s): bad magic number in superblock", dn);
		return -EINVAL;
	}
	s->rev = sb_u32(b, SB_REV_LEVEL);
	if (s->rev == 0) {
		s->first_ino = EXT2_GOOD_OLD_FIRST_INO;
		s->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
	} else {
		s->first_ino = sb_u32(b, SB_FIRST_INO);
		s->inode_size = sb_u16(b, SB_INODE_SIZE);
		s->feat_compat = sb_u32(b, SB_FEATURE_COMPAT);
		s->feat_incompat = sb_u32(b, SB_FEATURE_INCOMPAT);
		s->feat_ro = sb_u32(b, SB_FEATURE_RO_COMPAT);
	}
	if (s->feat_incompat & ~(uint32_t)EXT2_INCOMPAT_SUPP) {
		fw_warn("ext2 (%s): couldn't mount because of unsupported optional features (%x)",
			dn, s->feat_incompat & ~(uint32_t)EXT2_INCOMPAT_SUPP);
		return -EINVAL;
	}
	if (s->feat_ro & ~(uint32_t)EXT2_RO_COMPAT_SUPP) {
		fw_warn("ext2 (%s): unsupported optional features (%x): mounting read-only",
			dn, s->feat_ro & ~(uint32_t)EXT2_RO_COMPAT_SUPP);
		s->rdonly = true;
	}
	if (s->rev > 1) {
		fw_warn("ext2 (%s): revision level too high, forcing read-only mode", dn);
		s->rdonly = true;
	}
	if (parse_ext4(s, b))
		return -EINVAL;
	if (log > 2) {
		fw_warn("ext2 (%s): unsupported block size %u", dn, 1024u << (log & 15));
		return -EINVAL;
	}
	s->log_bs = 10 + log;
	s->bs = 1024u << log;
	s->apb = s->bs / 4;
	s->inodes_count = sb_u32(b, SB_INODES_COUNT);
	s->blocks_count = sb_u32(b, SB_BLOCKS_COUNT);
	s->r_blocks = sb_u32(b, SB_R_BLOCKS_COUNT);
	s->resuid = sb_u16(b, SB_DEF_RESUID);
	s->resgid = sb_u16(b, SB_DEF_RESGID);
	s->first_data_block = sb_u32(b, SB_FIRST_DATA_BLOCK);
	s->bpg = sb_u32(b, SB_BLOCKS_PER_GROUP);
	s->ipg = sb_u32(b, SB_INODES_PER_GROUP);
	if (s->inode_size < EXT2_GOOD_OLD_INODE_SIZE || s->inode_size > s->bs ||
	    (s->inode_size & (s->inode_size - 1))) {
		fw_warn("ext2 (%s): unsupported inode size %u", dn, s->inode_size);
		return -EINVAL;
	}
	if (s->bpg == 0 || s->bpg > 8 * s->bs || s->ipg == 0 ||
	    s->ipg > 8 * s->bs || s->first_data_block != (s->bs == 1024 ? 1u : 0u) ||
	    s->blocks_count <= s->first_data_block + 1 || s->r_blocks > s->blocks_count ||
	    s->first_ino < EXT2_GOOD_OLD_FIRST_INO || s->inodes_count < s->first_ino) {
		fw_warn("ext2 (%s): bad geometry in superblock", dn);
		return -EINVAL;
	}
	s->groups = (s->blocks_count - s->first_data_block + s->bpg - 1) / s->bpg;
	if ((uint64_t)s->groups * s->ipg < s->inodes_count) {
		fw_warn("ext2 (%s): inodes count %u exceeds the groups' %llu", dn,
			s->inodes_count, (unsigned long long)s->groups * s->ipg);
		return -EINVAL;
	}
	if ((uint64_t)s->blocks_count * s->bs > blkdev_bytes(s->dev)) {
		fw_warn("ext2 (%s): bad geometry: block count %u exceeds size of device",
			dn, s->blocks_count);
		return -EINVAL;
	}
	s->gdb_count = (uint32_t)(((uint64_t)s->groups * s->desc_size + s->bs - 1) / s->bs);
	s->itb_per_group = (s->ipg * s->inode_size + s->bs - 1) / s->bs;
	s->max_size = max_file_size(s);
	/* Revision 0 has no large_file feature to set (Linux would upgrade
	 * the revision): stay below 2 GiB. */
	if (s->rev == 0 && s->max_size > 0x7fffffffull)
		s->max_size = 0x7fffffffull;
	return 0;
}

/* A field of a descriptor split into a low half and, in a 64-byte
 * descriptor, a high half (either 16 or 32 bits wide). */
static uint32_t gd_field(const struct ext2_sb *s, struct fw_bytes b, size_t off,
			 size_t lo, size_t hi, bool wide, int *err)
{
	uint32_t v = 0, h = 0;
	uint16_t v16 = 0, h16 = 0;

	if (wide) {
		*err |= fw_bytes_get_u32_le(b, off + lo, &v);
		if (s->desc_size >= hi + 4)
			*err |= fw_bytes_get_u32_le(b, off + hi, &h);
		/* Block numbers are 32 bits here (mount refuses larger
		 * file systems): a high half is corruption. */
		if (h)
			*err |= -EIO;
		return v;
	}
	*err |= fw_bytes_get_u16_le(b, off + lo, &v16);
	if (s->desc_size >= hi + 2)
		*err |= fw_bytes_get_u16_le(b, off + hi, &h16);
	return v16 | (uint32_t)h16 << 16;
}

int ext2_gd_read(struct ext2_sb *s, uint32_t g, struct ext2_gd *d)
{
	struct bref r;
	size_t off;
	struct fw_bytes b;
	int err = ext2_gd_get(s, g, false, &r, &off);

	if (err)
		return err;
	b = fw_buf_as_bytes(r.data);
	d->block_bitmap = gd_field(s, b, off, GD_BLOCK_BITMAP, GD_BLOCK_BITMAP_HI, true, &err);
	d->inode_bitmap = gd_field(s, b, off, GD_INODE_BITMAP, GD_INODE_BITMAP_HI, true, &err);
	d->inode_table = gd_field(s, b, off, GD_INODE_TABLE, GD_INODE_TABLE_HI, true, &err);
	d->free_blocks = gd_field(s, b, off, GD_FREE_BLOCKS, GD_FREE_BLOCKS_HI, false, &err);
	d->free_inodes = gd_field(s, b, off, GD_FREE_INODES, GD_FREE_INODES_HI, false, &err);
	d->used_dirs = gd_field(s, b, off, GD_USED_DIRS, GD_USED_DIRS_HI, false, &err);
	d->itable_unused = 0;
	d->flags = 0;
	if (s->has_csum || s->has_gdt_csum) {
		d->itable_unused = gd_field(s, b, off, GD_ITABLE_UNUSED,
					    GD_ITABLE_UNUSED_HI, false, &err);
		err |= fw_bytes_get_u16_le(b, off + GD_FLAGS, &d->flags);
	}
	bref_put(&r);
	return err ? -EIO : 0;
}

/* Check every group descriptor's locations and checksum and sum the free
 * counts. */
static int check_descriptors(struct ext2_sb *s)
{
	uint64_t fb = 0, fi = 0;

	for (uint32_t g = 0; g < s->groups; g++) {
		uint32_t first = s->first_data_block + g * s->bpg;
		uint32_t last = g == s->groups - 1 ? s->blocks_count - 1
						   : first + s->bpg - 1;
		struct ext2_gd d;
		struct bref r;
		size_t off;
		bool csum_ok;
		int err = ext2_gd_get(s, g, false, &r, &off);

		if (err)
			return err;
		csum_ok = ext2_csum_gd_ok(s, g, fw_buf_as_bytes(r.data), off);
		bref_put(&r);
		if (!csum_ok) {
			/* Linux: refuse to write through a bad descriptor */
			fw_warn("ext2 (%s): group descriptor %u: checksum invalid%s",
				s->dev->name, g, s->rdonly ? "" : ": not mounting read-write");
			if (!s->rdonly)
				return -EINVAL;
		}
		err = ext2_gd_read(s, g, &d);
		/* flex_bg packs the bitmaps and inode tables of several
		 * groups together: anywhere in the file system then. */
		if (s->feat_incompat & EXT4_FEATURE_INCOMPAT_FLEX_BG) {
			first = s->first_data_block;
			last = s->blocks_count - 1;
		}
		if (err || d.block_bitmap < first || d.block_bitmap > last ||
		    d.inode_bitmap < first || d.inode_bitmap > last ||
		    d.inode_table < first || d.inode_table > last ||
		    last - d.inode_table + 1 < s->itb_per_group ||
		    d.itable_unused > s->ipg) {
			fw_warn("ext2 (%s): group descriptor %u: bitmap or inode table not in group",
				s->dev->name, g);
			return -EINVAL;
		}
		fb += d.free_blocks;
		fi += d.free_inodes;
	}
	if (fb > s->blocks_count || fi > s->inodes_count) {
		fw_warn("ext2 (%s): free counts in group descriptors exceed totals",
			s->dev->name);
		return -EINVAL;
	}
	s->free_blocks = (uint32_t)fb;
	s->free_inodes = (uint32_t)fi;
	return 0;
}

/* Set s_state (s->lock held or no other user). */
static void put_state(struct ext2_sb *s, uint16_t state)
{
	struct bref r;
	uint16_t old = 0;
	bool same;

	/* Look before taking the superblock for writing: with a journal
	 * that joins it to the running transaction, and a sync(2) that
	 * changes nothing would commit it each time. */
	if (bcache_get(s->dev, 1, EXT2_SB_SIZE, true, &r))
		return;
	same = !fw_bytes_get_u16_le(fw_buf_as_bytes(r.data), SB_STATE, &old) &&
	       old == state;
	bref_put(&r);
	if (same || ext2_sb_get(s, &r))
		return;
	if (!fw_buf_put_u16_le(r.data, SB_STATE, state))
		ext2_sb_dirty(s, &r);
	bref_put(&r);
}

/* A mount of a read-write file system: count it, stamp the time. */
static void stamp_mount(struct ext2_sb *s)
{
	struct bref r;
	uint16_t cnt = 0;

	if (s->mount_state & EXT2_ERROR_FS)
		fw_warn("ext2 (%s): warning: mounting fs with errors, running e2fsck is recommended",
			s->dev->name);
	else if (!(s->mount_state & EXT2_VALID_FS))
		fw_warn("ext2 (%s): warning: mounting unchecked fs, running e2fsck is recommended",
			s->dev->name);
	if (ext2_sb_get(s, &r))
		return;
	if (!fw_bytes_get_u16_le(fw_buf_as_bytes(r.data), SB_MNT_COUNT, &cnt) &&
	    !fw_buf_put_u16_le(r.data, SB_MNT_COUNT, (uint16_t)(cnt + 1)) &&
	    !fw_buf_put_u32_le(r.data, SB_MTIME, (uint32_t)fs_now().sec))
		ext2_sb_dirty(s, &r);
	bref_put(&r);
}

static int read_super(struct blkdev *d, bool rdonly, struct ext2_sb **out)
{
	struct ext2_sb *s = FW_NEW(struct ext2_sb);
	struct bref r;
	int err;

	if (!s)
		return -ENOMEM;
	s->dev = d;
	s->rdonly = rdonly || d->read_only;
	fw_mutex_init(&s->lock, "ext2_sb");
	fw_mutex_init(&s->icache_lock, "ext2_icache");
	fw_mutex_init(&s->orphan_lock, "ext2_orphan");
	fw_list_init(&s->orphans);
	for (unsigned i = 0; i < EXT2_ICACHE_BUCKETS; i++)
		fw_list_init(&s->icache[i]);
	fw_list_init(&s->unused);
	if (blkdev_bytes(d) < EXT2_SB_OFFSET + EXT2_SB_SIZE) {
		fw_warn("ext2 (%s): device too small", d->name);
		err = -EINVAL;
		goto out_free;
	}
	err = bcache_get(d, 1, EXT2_SB_SIZE, true, &r);
	if (err)
		goto out_free;
	err = parse_super(s, fw_buf_as_bytes(r.data));
	s->next_generation = sb_u32(fw_buf_as_bytes(r.data), SB_WTIME);
	s->mount_state = sb_u16(fw_buf_as_bytes(r.data), SB_STATE);
	bref_put(&r);
	if (err)
		goto out_free;
	err = check_descriptors(s);
	if (err)
		goto out_free;
	if (s->feat_incompat & EXT3_FEATURE_INCOMPAT_RECOVER) {
		/* ext3/ext4 not unmounted cleanly: replay its journal
		 * (fs/jbd2/recovery.c), then read everything again, as the replay may
		 * have rewritten the superblock and descriptors. Recovery
		 * succeeds only once needs_recovery is cleared, so the second
		 * read does not come back here. */
		err = ext2_journal_recover(s);
		fw_free(s);
		return err ? err : read_super(d, rdonly, out);
	}
	if (s->has_csum) {
		err = fw_buf_alloc((s->groups + 7) / 8, &s->bm_stale);
		if (err)
			goto out_free;
	}
	*out = s;
	return 0;
out_free:
	fw_free(s);
	return err;
}

/* What /proc/mounts calls it: ext4 with any ext4-only feature, ext3 with
 * a journal, else ext2 (the names mkfs.ext2/3/4 made it with). */
static const char *fs_name(const struct ext2_sb *s)
{
	if ((s->feat_incompat & ~(uint32_t)EXT2_FEATURE_INCOMPAT_FILETYPE) ||
	    (s->feat_ro & ~(uint32_t)(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |
				      EXT2_FEATURE_RO_COMPAT_LARGE_FILE |
				      EXT2_FEATURE_RO_COMPAT_BTREE_DIR)))
		return "ext4";
	if (s->feat_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL)
		return "ext3";
	return "ext2";
}

int ext2_check_type(struct blkdev *d, bool rdonly, const struct kname *type)
{
	uint32_t ext2_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
	uint32_t ext2_ro = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |
			   EXT2_FEATURE_RO_COMPAT_LARGE_FILE |
			   EXT2_FEATURE_RO_COMPAT_BTREE_DIR;
	uint32_t compat, incompat, ro;
	struct bref r;
	struct fw_bytes b;
	int err;

	if (strcmp(type->s, "ext4") == 0)
		return 0;
	if (blkdev_bytes(d) < EXT2_SB_OFFSET + EXT2_SB_SIZE)
		return -EINVAL;
	err = bcache_get(d, 1, EXT2_SB_SIZE, true, &r);
	if (err)
		return err;
	b = fw_buf_as_bytes(r.data);
	if (sb_u16(b, SB_MAGIC) != EXT2_MAGIC) {
		bref_put(&r);
		return 0; /* the mount says what is wrong */
	}
	compat = sb_u32(b, SB_REV_LEVEL) ? sb_u32(b, SB_FEATURE_COMPAT) : 0;
	incompat = sb_u32(b, SB_REV_LEVEL) ? sb_u32(b, SB_FEATURE_INCOMPAT) : 0;
	ro = sb_u32(b, SB_REV_LEVEL) ? sb_u32(b, SB_FEATURE_RO_COMPAT) : 0;
	bref_put(&r);
	/* Linux ext4_feature_set_ok for the ext2 and ext3 names: the
	 * features those drivers had (ext2 ignores a journal; ext3 wants
	 * one and may find it needing recovery). */
	if (strcmp(type->s, "ext3") == 0)
		ext2_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER;
	if ((incompat & ~ext2_incompat) || (!rdonly && (ro & ~ext2_ro)) ||
	    (strcmp(type->s, "ext3") == 0 && !(compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL))) {
		fw_warn("ext4 (%s): couldn't mount as %s due to feature incompatibilities",
			d->name, type->s);
		return -EINVAL;
	}
	return 0;
}

void ext2_init(void)
{
	if (!ext2_list_ready) {
		ext2_crc32c_init();
		fw_mutex_init(&ext2_list_lock, "ext2_list");
		ext2_list_ready = true;
	}
}

int ext2_mount(struct blkdev *d, bool rdonly, struct superblock **out)
{
	struct superblock *vsb;
	struct ext2_sb *s;
	struct inode *root;
	int err;

	ext2_init();
	fw_mutex_lock(&ext2_list_lock);
	FW_LIST_FOR_EACH(s, &ext2_list, node) {
		if (s->dev == d) {
			/* Linux shares one superblock between mounts of a
			 * device; mixing ro and rw would need per-mount
			 * checks the VFS does not make yet. */
			if (s->rdonly != (rdonly || d->read_only)) {
				fw_mutex_unlock(&ext2_list_lock);
				return -EBUSY;
			}
			s->mounts++;
			*out = s->vsb;
			fw_mutex_unlock(&ext2_list_lock);
			return 0;
		}
	}
	err = read_super(d, rdonly, &s);
	if (err)
		goto out_unlock;
	vsb = FW_NEW(struct superblock);
	if (!vsb) {
		err = -ENOMEM;
		goto out_free;
	}
	vsb->dev = d->rdev;
	vsb->magic = EXT2_MAGIC;
	vsb->fstype = fs_name(s);
	snprintf(vsb->source, sizeof(vsb->source), "/dev/%s", d->name);
	vsb->sops = &ext2_super_ops;
	vsb->ext2 = s;
	vsb->rdonly = s->rdonly;
	s->vsb = vsb;
	err = ext2_iget(s, EXT2_ROOT_INO, &root);
	if (!err && !S_ISDIR(root->mode)) {
		fw_warn("ext2 (%s): root inode is not a directory", d->name);
		root->ext2->bad = true; /* not kept cached */
		inode_put(root);
		err = -EINVAL;
	}
	if (err) {
		fw_free(vsb);
		goto out_free;
	}
	root->parent = root; /* ".." of a root is itself (no reference) */
	vsb->root = root;
	s->mounts = 1;
	if (!s->rdonly) {
		fw_mutex_lock(&s->lock);
		ext2_sb_counts_dirty(s);
		fw_mutex_unlock(&s->lock);
		stamp_mount(s);
		err = ext2_journal_open(s);
		if (!err)
			err = ext2_orphan_cleanup(s);
		if (err) {
			root->parent = NULL;
			root->ext2->bad = true; /* not kept cached */
			inode_put(root);
			fw_free(vsb);
			goto out_free;
		}
	}
	fw_list_add_tail(&ext2_list, &s->node);
	fw_info("%s (%s): mounted %s, %u-byte blocks, %u groups", vsb->fstype, d->name,
		s->rdonly ? "read-only" : "read-write", s->bs, s->groups);
	*out = vsb;
	fw_mutex_unlock(&ext2_list_lock);
	return 0;
out_free:
	free_sb(s);
out_unlock:
	fw_mutex_unlock(&ext2_list_lock);
	return err;
}

/* Unmount, remount read-only, poweroff: the mount-time state back. */
static int mark_clean(struct ext2_sb *s)
{
	int err;

	if (s->rdonly)
		return 0;
	/* The journal's last commit, and needs_recovery cleared. */
	err = ext2_journal_close(s);
	if (err)
		fw_warn("ext2 (%s): jbd2: closing the journal failed: %d", s->dev->name, err);
	fw_mutex_lock(&s->lock);
	put_state(s, s->mount_state);
	fw_mutex_unlock(&s->lock);
	return bcache_sync(s->dev);
}

/* fsync and syncfs commit the journal; sync(2), poweroff and unmount also
 * checkpoint it (`checkpoint`), leaving every block home and the log
 * empty. */
static int sync_fs(struct ext2_sb *s, bool checkpoint)
{
	struct bref r;

	if (!s->rdonly) {
		fw_mutex_lock(&s->lock);
		if (ext2_meta_flush(s))
			fw_warn("ext2 (%s): superblock counts or bitmap checksums not written",
				s->dev->name);
		/* Linux ext2_sync_fs: while mounted read-write the disk says
		 * "not clean" (a crash then gets checked); unmount puts the
		 * mount-time state back. */
		put_state(s, (uint16_t)(s->mount_state & ~EXT2_VALID_FS));
		/* ext2 stamps the write time at every sync (Linux's
		 * ext2_write_super); ext4 with a journal only commits it, so
		 * a sync with nothing changed writes nothing (ext4_sync_fs). */
		if (!s->journal && !ext2_sb_get(s, &r)) {
			if (!fw_buf_put_u32_le(r.data, SB_WTIME, (uint32_t)fs_now().sec))
				ext2_sb_dirty(s, &r);
			bref_put(&r);
		}
		fw_mutex_unlock(&s->lock);
		if (checkpoint ? ext2_jcheckpoint(s) : ext2_jcommit(s))
			return -EIO;
		/* The commit flushed the file data with the log; writing
		 * the committed metadata home too would cost a flush per
		 * fsync (Linux's ext4_sync_file waits for the commit only). */
		if (s->journal && !checkpoint)
			return 0;
	}
	return bcache_sync(s->dev);
}

static int ext2_sync_fs(struct superblock *vsb)
{
	return sync_fs(vsb->ext2, false);
}

int ext2_sync_all(void)
{
	struct ext2_sb *s;
	int first = 0;

	if (!ext2_list_ready)
		return 0;
	fw_mutex_lock(&ext2_list_lock);
	FW_LIST_FOR_EACH(s, &ext2_list, node) {
		int err = sync_fs(s, true);

		if (err && !first)
			first = err;
	}
	fw_mutex_unlock(&ext2_list_lock);
	return first;
}

void ext2_prune_all(void)
{
	struct ext2_sb *s;

	if (!ext2_list_ready)
		return;
	/* Lock order: vfs_ns_lock before ext2_list_lock. */
	fw_mutex_lock(&vfs_ns_lock);
	fw_mutex_lock(&ext2_list_lock);
	FW_LIST_FOR_EACH(s, &ext2_list, node)
		ext2_prune_locked(s, 0);
	fw_mutex_unlock(&ext2_list_lock);
	fw_mutex_unlock(&vfs_ns_lock);
}

int ext2_shutdown_all(void)
{
	struct ext2_sb *s;
	int first = 0;

	if (!ext2_list_ready)
		return 0;
	fw_mutex_lock(&ext2_list_lock);
	FW_LIST_FOR_EACH(s, &ext2_list, node) {
		int err = sync_fs(s, true);

		if (!err)
			err = mark_clean(s);
		if (err && !first)
			first = err;
	}
	fw_mutex_unlock(&ext2_list_lock);
	return first;
}

/* Inodes in the cache (icache_lock taken here). */
static unsigned cached_inodes(struct ext2_sb *s)
{
	struct ext2_inode_info *ei;
	unsigned n = 0;

	fw_mutex_lock(&s->icache_lock);
	for (unsigned i = 0; i < EXT2_ICACHE_BUCKETS; i++)
		FW_LIST_FOR_EACH(ei, &s->icache[i], hnode)
			n++;
	fw_mutex_unlock(&s->icache_lock);
	return n;
}

static void ext2_umount(struct superblock *vsb)
{
	struct ext2_sb *s = vsb->ext2;
	int err;

	fw_mutex_lock(&ext2_list_lock);
	if (--s->mounts > 0) {
		fw_mutex_unlock(&ext2_list_lock);
		return;
	}
	fw_mutex_unlock(&ext2_list_lock);
	/* Pages written through mappings now unmapped go to the disk, and
	 * their inodes lose the write-back list's reference. */
	err = pcache_sync_all();
	if (ext2_sync_fs(vsb))
		err = -EIO;
	if (err)
		fw_warn("ext2 (%s): write-back at unmount failed: %d", s->dev->name, err);
	/* Lock order: vfs_ns_lock before ext2_list_lock. */
	ext2_prune(s, 0, true);
	fw_mutex_lock(&ext2_list_lock);
	if (s->mounts > 0) { /* mounted again meanwhile */
		fw_mutex_unlock(&ext2_list_lock);
		return;
	}
	/* Nothing but the root in use: forget the file system, so the next
	 * mount reads the disk afresh, and free it (the detached mount
	 * object still names the superblock, but nothing reaches that mount
	 * any more: no file, cwd or inode of it is left). Otherwise (a lazy
	 * unmount with files open) it stays listed and a new mount shares
	 * it. */
	if (cached_inodes(s) == 1 && atomic_load(&vsb->root->refs) == 1) {
		fw_list_del(&s->node);
		s->dying = true;
		vsb->root->parent = NULL;
		inode_put(vsb->root);
		vsb->root = NULL;
		err = mark_clean(s);
		if (err)
			fw_warn("ext2 (%s): write-back at unmount failed: %d",
				s->dev->name, err);
		bcache_drop_clean(s->dev);
		fw_info("%s (%s): unmounted", vsb->fstype, s->dev->name);
		fw_free(vsb);
		free_sb(s);
	}
	fw_mutex_unlock(&ext2_list_lock);
}

static int ext2_statfs(struct superblock *vsb, struct linux_statfs *st)
{
	struct ext2_sb *s = vsb->ext2;
	uint64_t overhead = s->first_data_block;
	struct bref r;

	/* Linux ext2_statfs without minix_df: superblock copies and
	 * descriptor blocks, bitmaps and inode tables are overhead. */
	for (uint32_t g = 0; g < s->groups; g++)
		if (ext2_bg_has_super(s, g))
			overhead += 1 + s->gdb_count;
	overhead += (uint64_t)s->groups * (2 + s->itb_per_group);
	st->f_type = EXT2_MAGIC;
	st->f_bsize = s->bs;
	st->f_frsize = s->bs;
	st->f_blocks = s->blocks_count - overhead;
	fw_mutex_lock(&s->lock);
	st->f_bfree = s->free_blocks;
	st->f_ffree = s->free_inodes;
	fw_mutex_unlock(&s->lock);
	st->f_bavail = st->f_bfree > s->r_blocks ? st->f_bfree - s->r_blocks : 0;
	st->f_files = s->inodes_count;
	st->f_namelen = EXT2_NAME_LEN;
	if (!bcache_get(s->dev, 1, EXT2_SB_SIZE, true, &r)) {
		uint64_t a = 0, b = 0, id;

		if (!fw_bytes_get_u64_le(fw_buf_as_bytes(r.data), SB_UUID, &a) &&
		    !fw_bytes_get_u64_le(fw_buf_as_bytes(r.data), SB_UUID + 8, &b)) {
			id = a ^ b;
			st->f_fsid[0] = (int32_t)(uint32_t)id;
			st->f_fsid[1] = (int32_t)(uint32_t)(id >> 32);
		}
		bref_put(&r);
	}
	return 0;
}

static void ext2_getattr(struct inode *ino, struct linux_stat *st)
{
	struct ext2_sb *s = EXT2_SB(ino);

	st->st_size = (int64_t)ino->size;
	st->st_blocks = ino->ext2 ? (int64_t)ino->ext2->blocks : 0;
	st->st_blksize = s->bs;
	/* A 128-byte inode keeps whole seconds (Linux: s_time_gran 1 s); a
	 * large one nanoseconds, in its extra fields (atime's is last). */
	if (!ino->ext2 || ino->ext2->extra_isize < I_ATIME_EXTRA + 4 - EXT2_GOOD_OLD_INODE_SIZE) {
		st->st_atime_nsec = 0;
		st->st_mtime_nsec = 0;
		st->st_ctime_nsec = 0;
	}
}

static int ext2_remount(struct superblock *vsb, bool rdonly)
{
	struct ext2_sb *s = vsb->ext2;
	int err;

	if (rdonly == s->rdonly)
		return 0;
	if (rdonly) {
		/* Writes in flight finish first: they hold inode->lock, not
		 * vfs_ns_lock, so a write racing this may still land; the
		 * sync after it writes it back anyway. */
		err = ext2_sync_fs(vsb);
		if (!err)
			err = mark_clean(s);
		s->rdonly = true;
		vsb->rdonly = true;
		return err;
	}
	if ((s->feat_ro & ~(uint32_t)EXT2_RO_COMPAT_SUPP) || s->rev > 1 ||
	    s->dev->read_only) {
		fw_warn("ext2 (%s): couldn't remount RDWR because of unsupported optional features",
			s->dev->name);
		return -EROFS;
	}
	s->rdonly = false;
	vsb->rdonly = false;
	err = ext2_journal_open(s);
	return err ? err : ext2_orphan_cleanup(s);
}

static int ext2_write_inode_op(struct inode *ino)
{
	int err;

	ext2_jstart(EXT2_SB(ino));
	err = ext2_write_inode(ino);
	ext2_jstop(EXT2_SB(ino));
	return err;
}

const struct super_ops ext2_super_ops = {
	.put = ext2_put,
	.write_inode = ext2_write_inode_op,
	.statfs = ext2_statfs,
	.getattr = ext2_getattr,
	.remount = ext2_remount,
	.sync = ext2_sync_fs,
	.umount = ext2_umount,
};
