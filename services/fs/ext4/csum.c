/* services/fs/ext4/csum.c: the checksums of ext4's metadata_csum and
 * uninit_bg features.
 *
 * Layer: services (safe C), the ext2/3/4 driver (fs/ext2/ext2.h). With
 * metadata_csum every metadata structure carries a crc32c: the superblock
 * (over its first 1020 bytes), each group descriptor (seeded with the
 * group number, 16 bits kept), the block and inode bitmaps (stored in the
 * descriptor), each inode (seeded with its number and generation), the
 * tail of each directory and extent block, and extended attribute blocks
 * (seeded with the block number). The seed of all but the superblock is
 * crc32c of the file system's UUID (or s_checksum_seed with the csum_seed
 * feature). Without metadata_csum but with uninit_bg (gdt_csum) only
 * descriptors carry a crc16. Formulas follow Linux fs/ext4 (ext4_chksum is
 * the raw crc32c: the caller's seed in, no final inversion). */
#include "fs/ext2/ext2.h"

/* crc32c (Castagnoli, reflected polynomial 0x82F63B78), eight bytes at a
 * time (the "slicing-by-8" tables: slice[k][b] is the crc of byte b
 * followed by k zero bytes), made once at boot by ext2_crc32c_init. */
static uint32_t slice[8][256];

void ext2_crc32c_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint32_t c = b;

		for (unsigned k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		slice[0][b] = c;
	}
	for (unsigned b = 0; b < 256; b++)
		for (unsigned k = 1; k < 8; k++)
			slice[k][b] = (slice[k - 1][b] >> 8) ^ slice[0][slice[k - 1][b] & 0xff];
}

uint32_t ext2_crc32c(uint32_t crc, struct fw_bytes b)
{
	size_t n = fw_bytes_len(b), i = 0;
	uint64_t v = 0;

	for (; n - i >= 8 && !fw_bytes_get_u64_le(b, i, &v); i += 8) {
		uint32_t lo = (uint32_t)v ^ crc, hi = (uint32_t)(v >> 32);

		crc = slice[7][lo & 0xff] ^ slice[6][(lo >> 8) & 0xff] ^
		      slice[5][(lo >> 16) & 0xff] ^ slice[4][lo >> 24] ^
		      slice[3][hi & 0xff] ^ slice[2][(hi >> 8) & 0xff] ^
		      slice[1][(hi >> 16) & 0xff] ^ slice[0][hi >> 24];
	}
	for (; i < n; i++) {
		uint8_t c = 0;

		if (fw_bytes_get_u8(b, i, &c))
			break;
		crc = slice[0][(crc ^ c) & 0xff] ^ (crc >> 8);
	}
	return crc;
}

/* crc16 (ANSI, reflected polynomial 0xA001), as Linux lib/crc16.c. */
static uint16_t crc16(uint16_t crc, struct fw_bytes b)
{
	size_t n = fw_bytes_len(b);

	for (size_t i = 0; i < n; i++) {
		uint8_t v = 0;

		if (fw_bytes_get_u8(b, i, &v))
			break;
		crc ^= v;
		for (unsigned k = 0; k < 8; k++)
			crc = (uint16_t)(crc & 1 ? (crc >> 1) ^ 0xA001 : crc >> 1);
	}
	return crc;
}

/* v's four little-endian bytes, as the formulas hash numbers. */
struct le32 {
	uint8_t b[4];
};

static struct le32 le32(uint32_t v)
{
	struct le32 r;

	for (unsigned i = 0; i < 4; i++)
		r.b[i] = (uint8_t)(v >> (8 * i));
	return r;
}

static uint32_t crc_u32(uint32_t crc, uint32_t v)
{
	struct le32 le = le32(v);

	return ext2_crc32c(crc, FW_BYTES_OF_ARRAY(le.b));
}

/* crc32c of b[from, to) (nothing if the range is empty or outside b). */
static uint32_t crc_range(uint32_t crc, struct fw_bytes b, size_t from, size_t to)
{
	struct fw_bytes sub;

	if (to <= from || fw_bytes_sub(b, from, to - from, &sub))
		return crc;
	return ext2_crc32c(crc, sub);
}

/* The zeroed checksum fields the formulas hash in their place. */
static const uint8_t zero16[2];
static const uint8_t zero32[4];

/* ---- superblock ---------------------------------------------------------- */

uint32_t ext2_csum_super(struct fw_bytes sb)
{
	return crc_range(~0u, sb, 0, SB_CHECKSUM);
}

int ext2_csum_super_set(const struct ext2_sb *s, struct fw_buf sb)
{
	if (!s->has_csum)
		return 0;
	return fw_buf_put_u32_le(sb, SB_CHECKSUM, ext2_csum_super(fw_buf_as_bytes(sb)));
}

/* ---- group descriptors --------------------------------------------------- */

/* The checksum of the descriptor at d[off, off + desc_size) of group g. */
static uint16_t gd_csum(const struct ext2_sb *s, uint32_t g, struct fw_bytes d,
			size_t off)
{
	size_t end = off + s->desc_size;
	struct le32 le = le32(g);
	uint32_t c;
	uint16_t c16;

	if (s->has_csum) {
		c = crc_u32(s->csum_seed, g);
		c = crc_range(c, d, off, off + GD_CHECKSUM);
		c = ext2_crc32c(c, FW_BYTES_OF_ARRAY(zero16));
		c = crc_range(c, d, off + GD_CHECKSUM + 2, end);
		return (uint16_t)(c & 0xffff);
	}
	c16 = crc16(0xffff, FW_BYTES_OF_ARRAY(s->uuid));
	c16 = crc16(c16, FW_BYTES_OF_ARRAY(le.b));
	{
		struct fw_bytes sub;

		if (!fw_bytes_sub(d, off, GD_CHECKSUM, &sub))
			c16 = crc16(c16, sub);
		if (s->desc_size > GD_CHECKSUM + 2 &&
		    !fw_bytes_sub(d, off + GD_CHECKSUM + 2,
				  s->desc_size - GD_CHECKSUM - 2, &sub))
			c16 = crc16(c16, sub);
	}
	return c16;
}

bool ext2_csum_gd_ok(const struct ext2_sb *s, uint32_t g, struct fw_bytes d,
		     size_t off)
{
	uint16_t have = 0;

	if (!s->has_csum && !s->has_gdt_csum)
		return true;
	if (fw_bytes_get_u16_le(d, off + GD_CHECKSUM, &have))
		return false;
	return have == gd_csum(s, g, d, off);
}

int ext2_csum_gd_set(const struct ext2_sb *s, uint32_t g, struct fw_buf d,
		      size_t off)
{
	if (!s->has_csum && !s->has_gdt_csum)
		return 0;
	return fw_buf_put_u16_le(d, off + GD_CHECKSUM, gd_csum(s, g, fw_buf_as_bytes(d), off));
}

/* ---- bitmaps (their checksums live in the descriptor) ---------------------- */

int ext2_csum_bitmap_set(const struct ext2_sb *s, bool inodes,
			  struct fw_bytes bitmap, struct fw_buf d, size_t off)
{
	uint32_t bits = inodes ? s->ipg : s->bpg;
	uint32_t c;
	int err;

	if (!s->has_csum)
		return 0;
	c = crc_range(s->csum_seed, bitmap, 0, bits / 8);
	err = fw_buf_put_u16_le(d, off + (inodes ? GD_IBITMAP_CSUM : GD_BBITMAP_CSUM),
				(uint16_t)c);
	if (s->desc_size >= GD_IBITMAP_CSUM_HI + 2)
		err |= fw_buf_put_u16_le(d, off + (inodes ? GD_IBITMAP_CSUM_HI
							  : GD_BBITMAP_CSUM_HI),
					 (uint16_t)(c >> 16));
	return err;
}

/* ---- inodes -------------------------------------------------------------- */

uint32_t ext2_csum_inode_seed(const struct ext2_sb *s, uint32_t ino, uint32_t gen)
{
	return crc_u32(crc_u32(s->csum_seed, ino), gen);
}

/* Does the record's extra part reach i_checksum_hi? */
static bool has_csum_hi(const struct ext2_sb *s, struct fw_bytes raw)
{
	uint16_t extra = 0;

	if (s->inode_size <= EXT2_GOOD_OLD_INODE_SIZE ||
	    fw_bytes_get_u16_le(raw, I_EXTRA_ISIZE, &extra))
		return false;
	return EXT2_GOOD_OLD_INODE_SIZE + (uint32_t)extra >= I_CHECKSUM_HI + 2;
}

static uint32_t inode_csum(const struct ext2_sb *s, uint32_t seed,
			   struct fw_bytes raw)
{
	struct fw_bytes z2 = FW_BYTES_OF_ARRAY(zero16);
	uint32_t c = crc_range(seed, raw, 0, I_CHECKSUM_LO);

	c = ext2_crc32c(c, z2);
	c = crc_range(c, raw, I_CHECKSUM_LO + 2, EXT2_GOOD_OLD_INODE_SIZE);
	if (s->inode_size > EXT2_GOOD_OLD_INODE_SIZE) {
		size_t from = I_CHECKSUM_HI;

		c = crc_range(c, raw, EXT2_GOOD_OLD_INODE_SIZE, I_CHECKSUM_HI);
		if (has_csum_hi(s, raw)) {
			c = ext2_crc32c(c, z2);
			from += 2;
		}
		c = crc_range(c, raw, from, s->inode_size);
	}
	return c;
}

bool ext2_csum_inode_ok(const struct ext2_sb *s, uint32_t seed,
			struct fw_bytes raw)
{
	uint16_t lo = 0, hi = 0;
	uint32_t want, have;

	if (!s->has_csum)
		return true;
	want = inode_csum(s, seed, raw);
	if (fw_bytes_get_u16_le(raw, I_CHECKSUM_LO, &lo))
		return false;
	have = lo;
	if (has_csum_hi(s, raw)) {
		if (fw_bytes_get_u16_le(raw, I_CHECKSUM_HI, &hi))
			return false;
		have |= (uint32_t)hi << 16;
	} else {
		want &= 0xffff;
	}
	return have == want;
}

int ext2_csum_inode_set(const struct ext2_sb *s, uint32_t seed,
			 struct fw_buf raw)
{
	uint32_t c;
	int err;

	if (!s->has_csum)
		return 0;
	c = inode_csum(s, seed, fw_buf_as_bytes(raw));
	err = fw_buf_put_u16_le(raw, I_CHECKSUM_LO, (uint16_t)c);
	if (has_csum_hi(s, fw_buf_as_bytes(raw)))
		err |= fw_buf_put_u16_le(raw, I_CHECKSUM_HI, (uint16_t)(c >> 16));
	return err;
}

/* ---- directory and extent blocks, attribute blocks ----------------------- */

bool ext2_csum_tail_ok(uint32_t seed, struct fw_bytes b, size_t len, size_t at)
{
	uint32_t have = 0;

	if (fw_bytes_get_u32_le(b, at, &have))
		return false;
	return have == crc_range(seed, b, 0, len);
}

int ext2_csum_tail_set(uint32_t seed, struct fw_buf b, size_t len, size_t at)
{
	return fw_buf_put_u32_le(b, at, crc_range(seed, fw_buf_as_bytes(b), 0, len));
}

int ext2_csum_xattr_set(const struct ext2_sb *s, uint64_t blk, struct fw_buf b)
{
	uint32_t c;

	if (!s->has_csum)
		return 0;
	c = crc_u32(crc_u32(s->csum_seed, (uint32_t)blk), (uint32_t)(blk >> 32));
	c = crc_range(c, fw_buf_as_bytes(b), 0, EXT2_XATTR_CSUM);
	c = ext2_crc32c(c, FW_BYTES_OF_ARRAY(zero32));
	c = crc_range(c, fw_buf_as_bytes(b), EXT2_XATTR_CSUM + 4, fw_buf_len(b));
	return fw_buf_put_u32_le(b, EXT2_XATTR_CSUM, c);
}
