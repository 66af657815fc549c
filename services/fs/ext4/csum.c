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

/* crc32c (Castagnoli, reflected polynomial 0x82F63B78), a byte at a time. */
static const uint32_t crc32c_table[256] = {
	0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4, 0xc79a971f, 0x35f1141c,
	0x26a1e7e8, 0xd4ca64eb, 0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b,
	0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24, 0x105ec76f, 0xe235446c,
	0xf165b798, 0x030e349b, 0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
	0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54, 0x5d1d08bf, 0xaf768bbc,
	0xbc267848, 0x4e4dfb4b, 0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a,
	0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35, 0xaa64d611, 0x580f5512,
	0x4b5fa6e6, 0xb93425e5, 0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
	0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45, 0xf779deae, 0x05125dad,
	0x1642ae59, 0xe4292d5a, 0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a,
	0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595, 0x417b1dbc, 0xb3109ebf,
	0xa0406d4b, 0x522bee48, 0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
	0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687, 0x0c38d26c, 0xfe53516f,
	0xed03a29b, 0x1f682198, 0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927,
	0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38, 0xdbfc821c, 0x2997011f,
	0x3ac7f2eb, 0xc8ac71e8, 0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
	0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096, 0xa65c047d, 0x5437877e,
	0x4767748a, 0xb50cf789, 0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859,
	0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46, 0x7198540d, 0x83f3d70e,
	0x90a324fa, 0x62c8a7f9, 0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
	0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36, 0x3cdb9bdd, 0xceb018de,
	0xdde0eb2a, 0x2f8b6829, 0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c,
	0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93, 0x082f63b7, 0xfa44e0b4,
	0xe9141340, 0x1b7f9043, 0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
	0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3, 0x55326b08, 0xa759e80b,
	0xb4091bff, 0x466298fc, 0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c,
	0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033, 0xa24bb5a6, 0x502036a5,
	0x4370c551, 0xb11b4652, 0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
	0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d, 0xef087a76, 0x1d63f975,
	0x0e330a81, 0xfc588982, 0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d,
	0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622, 0x38cc2a06, 0xcaa7a905,
	0xd9f75af1, 0x2b9cd9f2, 0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
	0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530, 0x0417b1db, 0xf67c32d8,
	0xe52cc12c, 0x1747422f, 0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff,
	0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0, 0xd3d3e1ab, 0x21b862a8,
	0x32e8915c, 0xc083125f, 0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
	0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90, 0x9e902e7b, 0x6cfbad78,
	0x7fab5e8c, 0x8dc0dd8f, 0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee,
	0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1, 0x69e9f0d5, 0x9b8273d6,
	0x88d28022, 0x7ab90321, 0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
	0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81, 0x34f4f86a, 0xc69f7b69,
	0xd5cf889d, 0x27a40b9e, 0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e,
	0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351,
};

uint32_t ext2_crc32c(uint32_t crc, struct fw_bytes b)
{
	size_t n = fw_bytes_len(b);

	for (size_t i = 0; i < n; i++) {
		uint8_t v = 0;

		if (fw_bytes_get_u8(b, i, &v))
			break;
		crc = crc32c_table[(crc ^ v) & 0xff] ^ (crc >> 8);
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
