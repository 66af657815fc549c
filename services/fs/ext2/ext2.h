/* services/fs/ext2/ext2.h: the second extended file system: on-disk
 * layout and the private in-memory structures.
 *
 * Layer: services (safe C), a file system under the VFS. Disk blocks are
 * reached only through the block cache (block/bcache.h); every on-disk
 * structure is parsed and written with bounded byte views (fw/bytes.h).
 *
 * Files (one idea each):
 *   super.c  mount, superblock and group descriptors, statfs, sync, umount
 *   balloc.c block and inode bitmaps (allocation and freeing)
 *   inode.c  the inode cache, reading/writing inodes, eviction
 *   bmap.c   logical -> physical block map (direct, 1/2/3-indirect),
 *            allocation on write, truncation
 *   dir.c    directory records: find, add, delete, iterate
 *   namei.c  the inode_ops (lookup, create, unlink, rename, symlinks...)
 *   orphan.c the orphan list (open files without links, across a crash)
 *   file.c   regular-file read/write/llseek and the mmap page copy
 * ext4's own structures are in services/fs/ext4 (same driver, this
 * header): extent.c (extent trees, the block map of extent files),
 * htree.c (the hash index of dir_index directories), csum.c
 * (metadata_csum's crc32c and uninit_bg's crc16). The ext3/ext4 journal
 * is services/fs/jbd2: recovery.c replays it at mount, journal.c
 * journals every change while mounted read-write.
 *
 * Reference: Linux fs/ext2 and "The Second Extended File System" (Dave
 * Poirier), the layout described there is what the offsets below follow.
 *
 * Locking (outermost first):
 *   vfs_ns_lock: directory contents and inode metadata (every inode_op).
 *   inode->lock: a regular file's block map and size (read/write/truncate).
 *   ext2_sb.icache_lock: the inode cache (hash chains, last-reference drop).
 *   ext2_sb.lock: bitmaps, group descriptors, superblock counters, and the
 *     bytes of inode-table blocks.
 * Bytes of directory blocks are guarded by vfs_ns_lock, bytes of data and
 * indirect blocks of a file by its inode->lock (vfs_ns_lock for
 * directories and symlinks).
 *
 * Folder services/fs/ext2: the ext2 file system over the block cache
 * (services/block). Calls the VFS core and current/current.h. */
#ifndef SERVICES_FS_EXT2_EXT2_H
#define SERVICES_FS_EXT2_EXT2_H

#include <fw/bytes.h>
#include <fw/list.h>
#include <fw/sync.h>

#include "block/bcache.h"
#include "fs/cache/pagecache.h"
#include "fs/vfs/vfs.h"

/* ---- on-disk layout ------------------------------------------------------ */

#define EXT2_MAGIC 0xEF53
#define EXT2_SB_OFFSET 1024		/* the superblock's byte offset */
#define EXT2_SB_SIZE 1024
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GD_SIZE 32
#define EXT2_NDIR 12			/* direct blocks in i_block */
#define EXT2_IND 12			/* i_block slot of the indirect block */
#define EXT2_DIND 13
#define EXT2_TIND 14
#define EXT2_N_BLOCKS 15
#define EXT2_NAME_LEN 255
#define EXT2_FAST_LINK_MAX 59		/* target bytes kept in i_block */
#define EXT2_VALID_FS 1
#define EXT2_ERROR_FS 2

/* superblock field offsets */
#define SB_INODES_COUNT 0
#define SB_BLOCKS_COUNT 4
#define SB_R_BLOCKS_COUNT 8
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_FIRST_DATA_BLOCK 20
#define SB_LOG_BLOCK_SIZE 24
#define SB_BLOCKS_PER_GROUP 32
#define SB_INODES_PER_GROUP 40
#define SB_MTIME 44
#define SB_WTIME 48
#define SB_MNT_COUNT 52
#define SB_MAGIC 56
#define SB_STATE 58
#define SB_REV_LEVEL 76
#define SB_DEF_RESUID 80
#define SB_DEF_RESGID 82
#define SB_FIRST_INO 84
#define SB_INODE_SIZE 88
#define SB_FEATURE_COMPAT 92
#define SB_FEATURE_INCOMPAT 96
#define SB_FEATURE_RO_COMPAT 100
#define SB_UUID 104
#define SB_LAST_ORPHAN 232		/* first inode of the orphan list */
#define SB_RESERVED_GDT 206		/* u16: GDT blocks kept for growth */
#define SB_HASH_SEED 236		/* 4 x u32: s_hash_seed */
#define SB_DEF_HASH 252			/* u8: s_def_hash_version */
#define SB_FLAGS 352			/* u32: EXT2_FLAGS_* */
#define EXT2_FLAGS_UNSIGNED_HASH 0x2	/* htree hashes use unsigned chars */
#define SB_DESC_SIZE 254		/* u16, with 64bit */
#define SB_BLOCKS_HI 336
#define SB_R_BLOCKS_HI 340
#define SB_FREE_BLOCKS_HI 344
#define SB_WANT_EXTRA_ISIZE 350		/* u16 */
#define SB_CHECKSUM_TYPE 373		/* u8: 1 = crc32c */
#define SB_CHECKSUM_SEED 624
#define SB_CHECKSUM 1020
#define SB_JOURNAL_INUM 224		/* s_journal_inum */

#define EXT3_FEATURE_COMPAT_HAS_JOURNAL 0x0004
#define EXT3_FEATURE_INCOMPAT_RECOVER 0x0004	/* journal needs replay */
#define EXT2_FEATURE_COMPAT_EXT_ATTR 0x0008
#define EXT2_FEATURE_COMPAT_DIR_INDEX 0x0020
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_FEATURE_INCOMPAT_META_BG 0x0010
#define EXT4_FEATURE_INCOMPAT_EXTENTS 0x0040
#define EXT4_FEATURE_INCOMPAT_64BIT 0x0080
#define EXT4_FEATURE_INCOMPAT_FLEX_BG 0x0200
#define EXT4_FEATURE_INCOMPAT_CSUM_SEED 0x2000
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_FEATURE_RO_COMPAT_BTREE_DIR 0x0004
#define EXT4_FEATURE_RO_COMPAT_HUGE_FILE 0x0008
#define EXT4_FEATURE_RO_COMPAT_GDT_CSUM 0x0010
#define EXT4_FEATURE_RO_COMPAT_DIR_NLINK 0x0020
#define EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE 0x0040
#define EXT4_FEATURE_RO_COMPAT_METADATA_CSUM 0x0400
/* What this driver understands: Linux ext2's features plus the ext4 ones
 * Debian's mkfs.ext4 sets (not META_BG, bigalloc, inline data, quota,
 * encryption, casefolding). The journal (COMPAT has_journal) is not
 * used for writes: a dirty one (INCOMPAT recover) is replayed at mount,
 * which clears the flag (fs/jbd2/recovery.c). */
#define EXT2_INCOMPAT_SUPP                                                    \
	(EXT2_FEATURE_INCOMPAT_FILETYPE | EXT4_FEATURE_INCOMPAT_EXTENTS |    \
	 EXT4_FEATURE_INCOMPAT_64BIT | EXT4_FEATURE_INCOMPAT_FLEX_BG |       \
	 EXT4_FEATURE_INCOMPAT_CSUM_SEED | EXT3_FEATURE_INCOMPAT_RECOVER)
#define EXT2_RO_COMPAT_SUPP                                                   \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |                               \
	 EXT2_FEATURE_RO_COMPAT_LARGE_FILE | EXT2_FEATURE_RO_COMPAT_BTREE_DIR | \
	 EXT4_FEATURE_RO_COMPAT_HUGE_FILE | EXT4_FEATURE_RO_COMPAT_GDT_CSUM | \
	 EXT4_FEATURE_RO_COMPAT_DIR_NLINK | EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE | \
	 EXT4_FEATURE_RO_COMPAT_METADATA_CSUM)

/* group descriptor field offsets */
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE 8
#define GD_FREE_BLOCKS 12
#define GD_FREE_INODES 14
#define GD_USED_DIRS 16
#define GD_FLAGS 18			/* u16: EXT4_BG_* */
#define GD_BBITMAP_CSUM 24		/* u16 */
#define GD_IBITMAP_CSUM 26		/* u16 */
#define GD_ITABLE_UNUSED 28		/* u16: never-used inodes at the end */
#define GD_CHECKSUM 30			/* u16 */
/* the high halves of a 64-byte (64bit) descriptor */
#define GD_BLOCK_BITMAP_HI 32
#define GD_INODE_BITMAP_HI 36
#define GD_INODE_TABLE_HI 40
#define GD_FREE_BLOCKS_HI 44		/* u16 */
#define GD_FREE_INODES_HI 46
#define GD_USED_DIRS_HI 48
#define GD_ITABLE_UNUSED_HI 50
#define GD_BBITMAP_CSUM_HI 56
#define GD_IBITMAP_CSUM_HI 58
#define EXT4_BG_INODE_UNINIT 0x1	/* inode bitmap not initialized */
#define EXT4_BG_BLOCK_UNINIT 0x2	/* block bitmap not initialized */
#define EXT4_BG_INODE_ZEROED 0x4	/* inode table zeroed */

/* inode field offsets */
#define I_MODE 0
#define I_UID 2
#define I_SIZE 4
#define I_ATIME 8
#define I_CTIME 12
#define I_MTIME 16
#define I_DTIME 20
#define I_GID 24
#define I_LINKS 26
#define I_BLOCKS 28
#define I_FLAGS 32
#define I_BLOCK 40
#define I_GENERATION 100
#define I_FILE_ACL 104
#define I_SIZE_HIGH 108
#define I_FADDR 112
#define I_BLOCKS_HI 116		/* u16 (huge_file) */
#define I_FILE_ACL_HI 118		/* u16 (64bit) */
#define I_UID_HIGH 120
#define I_GID_HIGH 122
#define I_CHECKSUM_LO 124		/* u16 */
#define I_EXTRA_ISIZE 128		/* u16: bytes used past 128 */
#define I_CHECKSUM_HI 130		/* u16 */
#define I_CTIME_EXTRA 132		/* nanoseconds << 2 | epoch bits */
#define I_MTIME_EXTRA 136
#define I_ATIME_EXTRA 140
#define I_CRTIME 144
#define I_CRTIME_EXTRA 148
#define EXT4_INODE_EXTRA 32		/* i_extra_isize of new inodes */

#define EXT2_INDEX_FL 0x00001000	/* hash-indexed directory */
#define EXT4_HUGE_FILE_FL 0x00040000	/* i_blocks counts fs blocks */
#define EXT4_EXTENTS_FL 0x00080000	/* i_block holds an extent tree */

/* directory record: inode u32, rec_len u16, name_len u8, file_type u8 */
#define EXT2_DIRENT_HDR 8
#define EXT2_DIR_REC_LEN(n) (((n) + EXT2_DIRENT_HDR + 3) & ~3u)
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHR 3
#define EXT2_FT_BLK 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_LNK 7
/* metadata_csum: the last 12 bytes of a directory block are a record
 * (inode 0, rec_len 12, name_len 0, type 0xDE) holding the crc32c */
#define EXT2_DIR_TAIL 12
#define EXT2_DIR_TAIL_FT 0xDE

/* extended attribute block header (only the reference count is used: a
 * deleted inode releases its attribute block) */
#define EXT2_XATTR_MAGIC 0xEA020000
#define EXT2_XATTR_REFCOUNT 4
#define EXT2_XATTR_CSUM 16

/* ---- in-memory structures ------------------------------------------------ */

struct ext2_dx_seed {
	uint32_t w[4];			/* s_hash_seed (all 0: none) */
};

#define EXT2_ICACHE_BUCKETS 256
/* Unreferenced inodes kept cached (see inode.c) before pruning. */
#define EXT2_UNUSED_MAX 1024

/* One mounted ext2 file system. */
struct ext2_sb {
	struct superblock *vsb;		/* the VFS superblock */
	struct blkdev *dev;		/* the disk */
	struct fw_list node;		/* on the list of ext2 mounts */
	int mounts;			/* mounts of it (ext2_list_lock) */
	bool rdonly;			/* MS_RDONLY or unknown RO_COMPAT */

	/* fixed at mount */
	uint32_t bs;			/* block size in bytes */
	uint32_t log_bs;		/* log2(bs) */
	uint32_t apb;			/* block addresses per block */
	uint32_t inodes_count;
	uint32_t blocks_count;
	uint32_t r_blocks;		/* reserved for root */
	uint32_t resuid;		/* who may use them (and root) */
	uint32_t resgid;
	uint32_t first_data_block;
	uint32_t bpg;			/* blocks per group */
	uint32_t ipg;			/* inodes per group */
	uint32_t first_ino;		/* first non-reserved inode */
	uint32_t inode_size;
	uint32_t groups;
	uint32_t gdb_count;		/* group descriptor blocks */
	uint32_t itb_per_group;		/* inode table blocks per group */
	uint32_t rev;
	uint32_t feat_compat;
	uint32_t feat_incompat;
	uint32_t feat_ro;
	uint64_t max_size;		/* largest file size */
	uint32_t desc_size;		/* group descriptor bytes (32, 64) */
	uint32_t reserved_gdt;		/* s_reserved_gdt_blocks */
	bool extents;			/* new files get extent trees */
	bool has_csum;			/* metadata_csum */
	bool has_gdt_csum;		/* uninit_bg's crc16 of descriptors */
	bool huge_file;			/* i_blocks may pass 2^32 sectors */
	uint32_t csum_seed;		/* crc32c of the UUID (or s_checksum_seed) */
	uint8_t uuid[16];
	struct ext2_dx_seed hash_seed;	/* htree: seed, */
	uint8_t def_hash;		/* hash of new indexes, */
	bool hash_unsigned;		/* unsigned-char variants */
	uint32_t journal_inum;		/* s_journal_inum (0: no internal journal) */
	uint32_t journal_ino;		/* ext2_iget may read this reserved
					   inode (jbd2 recovery, during replay) */
	struct ext2_journal *journal;	/* journaling (fs/jbd2/journal.c), or NULL */

	/* lock */
	struct fw_mutex lock;
	uint32_t free_blocks;		/* superblock counters */
	uint32_t free_inodes;
	bool counts_stale;		/* ...not yet in the superblock's bytes */
	struct fw_buf bm_stale;		/* metadata_csum: a bit per group whose
					   bitmap checksums are not yet set */
	uint32_t next_generation;
	uint16_t mount_state;		/* s_state at mount (+ERROR_FS) */

	/* orphan_lock (orphan.c) */
	struct fw_mutex orphan_lock;
	struct fw_list orphans;		/* open inodes without links */
	bool orphan_cleanup;		/* mount: iget may read unlinked inodes */

	/* icache_lock */
	struct fw_mutex icache_lock;
	struct fw_list icache[EXT2_ICACHE_BUCKETS];
	struct fw_list unused;		/* refs == 0, oldest first */
	unsigned nr_unused;
	bool pruning;			/* a prune is running */
	bool dying;			/* unmounted: cache nothing more */
};

/* The ext2 part of an in-memory inode (struct inode.ext2). */
struct ext2_inode_info {
	struct fw_list hnode;		/* icache chain (icache_lock) */
	struct fw_list lru;		/* on ext2_sb.unused (icache_lock) */
	bool on_lru;			/* (icache_lock) */
	struct inode *vfs;		/* the VFS inode */
	uint32_t block[EXT2_N_BLOCKS];	/* i_block (see ext2.h locking) */
	uint64_t blocks;		/* i_blocks, 512-byte units */
	uint32_t flags;			/* i_flags */
	uint32_t dtime;
	uint32_t generation;
	uint32_t file_acl;		/* extended attribute block */
	uint32_t faddr;
	uint8_t osd1[4];		/* kept as found */
	uint16_t extra_isize;		/* i_extra_isize (0: 128-byte record) */
	uint32_t csum_seed;		/* metadata_csum seed of its blocks */
	struct fw_list orphan;		/* on ext2_sb.orphans (orphan_lock) */
	bool on_orphan;			/* ... and i_dtime is the next one */
	bool is_new;			/* zero the whole record when written */
	bool bad;			/* failed a check: refuse I/O */
	uint64_t ra_next;		/* page after the last one read() took,
					   + 1 (0: none): a read missing there
					   is sequential (inode->lock) */
};

/* ---- shared between the files -------------------------------------------- */

/* Log a corruption ("ext2 (vda): inode 12: ...") and return -EIO. */
int ext2_corrupt(struct ext2_sb *s, uint64_t ino, const char *what,
		 uint64_t val);

/* csum.c (nothing happens without the features; the setters return 0 or
 * -EIO when the field is outside the view) */
/* Make the crc32c tables (ext2_init, before any mount). */
void ext2_crc32c_init(void);
uint32_t ext2_crc32c(uint32_t crc, struct fw_bytes b);
uint32_t ext2_csum_super(struct fw_bytes sb);
int ext2_csum_super_set(const struct ext2_sb *s, struct fw_buf sb);
bool ext2_csum_gd_ok(const struct ext2_sb *s, uint32_t g, struct fw_bytes d,
		     size_t off);
int ext2_csum_gd_set(const struct ext2_sb *s, uint32_t g, struct fw_buf d,
		      size_t off);
/* Store the checksum of a group's block or inode bitmap in its descriptor
 * d[off...] (the caller then sets the descriptor's own checksum). */
int ext2_csum_bitmap_set(const struct ext2_sb *s, bool inodes,
			  struct fw_bytes bitmap, struct fw_buf d, size_t off);
uint32_t ext2_csum_inode_seed(const struct ext2_sb *s, uint32_t ino,
			      uint32_t gen);
bool ext2_csum_inode_ok(const struct ext2_sb *s, uint32_t seed,
			struct fw_bytes raw);
int ext2_csum_inode_set(const struct ext2_sb *s, uint32_t seed,
			 struct fw_buf raw);
/* A directory or extent block: crc32c of b[0, len) stored at at. */
bool ext2_csum_tail_ok(uint32_t seed, struct fw_bytes b, size_t len, size_t at);
int ext2_csum_tail_set(uint32_t seed, struct fw_buf b, size_t len, size_t at);
int ext2_csum_xattr_set(const struct ext2_sb *s, uint64_t blk,
			 struct fw_buf b);

/* super.c */
/* A group descriptor, parsed (either size, high halves included). */
struct ext2_gd {
	uint32_t block_bitmap;
	uint32_t inode_bitmap;
	uint32_t inode_table;
	uint32_t free_blocks;
	uint32_t free_inodes;
	uint32_t used_dirs;
	uint32_t itable_unused;		/* uninit_bg/metadata_csum only */
	uint16_t flags;			/* EXT4_BG_* (same) */
};
FW_MUST_CHECK int ext2_gd_read(struct ext2_sb *s, uint32_t g,
			       struct ext2_gd *d);
/* Does group g hold a superblock backup (and descriptor copies)? */
bool ext2_bg_has_super(const struct ext2_sb *s, uint32_t g);
/* Dirty the superblock's block r after a change (checksum first). */
void ext2_sb_dirty(struct ext2_sb *s, struct bref *r);
/* write: the block joins the journal's transaction (ext2_mget) */
int ext2_gd_get(struct ext2_sb *s, uint32_t group, bool write, struct bref *r,
		size_t *off);
/* The free counts changed (s->lock held): they reach the superblock at
 * the next ext2_meta_flush, as Linux writes its counters at commit and
 * sync rather than at each allocation. */
void ext2_sb_counts_dirty(struct ext2_sb *s);
/* Group g's bitmaps changed (s->lock held): their checksums are set at the
 * next ext2_meta_flush (a crc32c of a whole bitmap per allocation would
 * cost more than the allocation). */
void ext2_bitmap_stale(struct ext2_sb *s, uint32_t g);
/* Put the deferred counts and bitmap checksums into their blocks: before
 * a journal commit, a sync, an unmount. s->lock held. */
int ext2_meta_flush(struct ext2_sb *s);
extern const struct super_ops ext2_super_ops;

/* balloc.c (take s->lock themselves) */
FW_MUST_CHECK int ext2_new_block(struct ext2_sb *s, uint32_t goal,
				 uint32_t *out);
/* Up to max blocks in a row (at least 1): the first free block at or
 * after goal and the free ones right after it; *out the first, *got how
 * many. */
FW_MUST_CHECK int ext2_new_blocks(struct ext2_sb *s, uint32_t goal, unsigned max,
				  uint32_t *out, unsigned *got);
void ext2_free_block(struct ext2_sb *s, uint32_t blk);
FW_MUST_CHECK int ext2_new_ino(struct ext2_sb *s, uint32_t parent_group,
			       bool dir, uint32_t *out);
void ext2_free_ino(struct ext2_sb *s, uint32_t ino, bool dir);
bool ext2_block_ok(const struct ext2_sb *s, uint32_t blk);
/* Set group g's bitmap checksums in its descriptor (s->lock held). */
FW_MUST_CHECK int ext2_bitmap_csums(struct ext2_sb *s, uint32_t g);

/* orphan.c */
/* ino lost its last link but is still in use (refs > 1): on the orphan
 * list, so a crash before its last close still deletes it. Call in the
 * unlinking handle, before the inode is written. */
void ext2_orphan_add(struct inode *ino);
/* Its last user is gone (eviction): off the list. */
void ext2_orphan_del(struct inode *ino);
/* Read-write mount: delete what the list holds (Linux
 * ext4_orphan_cleanup). 0 or -errno (logged). */
FW_MUST_CHECK int ext2_orphan_cleanup(struct ext2_sb *s);

/* inode.c */
FW_MUST_CHECK int ext2_iget(struct ext2_sb *s, uint32_t ino,
			    struct inode **out);
/* The inode a file handle names (number and generation, 0: any),
 * referenced: 0, -ESTALE (out of range, deleted, other generation), -EIO.
 * vfs_ns_lock held. */
FW_MUST_CHECK int ext2_iget_handle(struct ext2_sb *s, uint32_t ino,
				   uint32_t gen, struct inode **out);
/* A fresh in-memory inode for a newly allocated number (not read). */
FW_MUST_CHECK int ext2_inew(struct ext2_sb *s, uint32_t ino, uint32_t mode,
			    struct inode **out);
int ext2_write_inode(struct inode *ino);
void ext2_put(struct inode *ino);
/* Evict cached unreferenced inodes down to keep (takes vfs_ns_lock if
 * wait, else only if it is free). */
void ext2_prune(struct ext2_sb *s, unsigned keep, bool wait);
void ext2_prune_locked(struct ext2_sb *s, unsigned keep); /* vfs_ns_lock held */
void ext2_set_ops(struct inode *ino);
int ext2_release_xattr(struct ext2_sb *s, struct inode *ino);

/* bmap.c */
/* Read-only lookup of a run: the physical block of lblk in *out (0: a
 * hole) and in *count how many logical blocks from lblk on (at most max)
 * map to consecutive physical blocks (1 for a hole). Same locking and
 * errors as ext2_bmap. */
FW_MUST_CHECK int ext2_bmap_run(struct inode *ino, uint64_t lblk, unsigned max,
				uint32_t *out, unsigned *count);
/* The physical block of lblk (0: a hole), allocated (zeroed, *fresh) if
 * alloc. The block map and i_blocks change in memory: the caller writes
 * the inode (every caller does once per operation, not per block). */
FW_MUST_CHECK int ext2_bmap(struct inode *ino, uint64_t lblk, bool alloc,
			    uint32_t *out, bool *fresh);
FW_MUST_CHECK int ext2_trunc_blocks(struct inode *ino, uint64_t keep);
/* Zero bytes [from, end of its block) of the block holding from. */
int ext2_zero_tail(struct inode *ino, uint64_t from);
/* Zero block blk in the cache (a new block: it is written back later);
 * data: a regular file's data block (bcache_get_data), not metadata. */
FW_MUST_CHECK int ext2_zero_block(struct ext2_sb *s, uint32_t blk, bool data);
/* A new zeroed block near goal, counted in the inode's i_blocks; leaf:
 * one of the file's own blocks, not a block of its map. */
FW_MUST_CHECK int ext2_alloc_zeroed(struct inode *ino, uint32_t goal,
				    bool leaf, uint32_t *out);
/* Where a file's first block goes: the start of its inode's group. */
uint32_t ext2_goal(struct inode *ino);

/* extent.c (called by bmap.c for inodes with EXT4_EXTENTS_FL) */
/* Make i_block an empty extent tree and set the flag. */
void ext2_ext_init(struct inode *ino);
FW_MUST_CHECK int ext2_ext_map(struct inode *ino, uint64_t lblk, unsigned max,
			       uint32_t *out, unsigned *count);
FW_MUST_CHECK int ext2_ext_alloc(struct inode *ino, uint64_t lblk,
				 uint32_t *out, bool *fresh);
/* Map up to want blocks from lblk on with one extent (contiguous blocks,
 * zeroed, when lblk is a hole; as many as are mapped already when it is
 * not): *got >= 1 on success. The inode is not written. */
FW_MUST_CHECK int ext2_ext_alloc_run(struct inode *ino, uint64_t lblk,
				     unsigned want, unsigned *got);
/* Free the blocks at logical keep and later (the inode is not written). */
FW_MUST_CHECK int ext2_ext_trunc(struct inode *ino, uint64_t keep);

/* dir.c (vfs_ns_lock held) */
struct ext2_dirloc {
	uint64_t lblk;			/* directory block */
	uint32_t off;			/* record offset in it */
	uint32_t prev;			/* previous record's offset, or off */
};
FW_MUST_CHECK int ext2_dir_find(struct inode *dir, const struct kname *name,
				uint32_t *ino, struct ext2_dirloc *loc);
/* One block: find (-ENOENT), add (-ENOSPC: no room); the checked read
 * and the write (leaf checksum tail) of a directory block. */
FW_MUST_CHECK int ext2_dir_find_in(struct inode *dir, uint64_t lb,
				   const struct kname *name, uint32_t *ino,
				   struct ext2_dirloc *loc);
FW_MUST_CHECK int ext2_dir_add_in(struct inode *dir, uint64_t lb,
				  const struct kname *name, uint32_t ino,
				  uint32_t mode);
FW_MUST_CHECK int ext2_dir_get(struct inode *dir, uint64_t lblk, bool write,
			       struct bref *r);
void ext2_dir_dirty(struct inode *dir, struct bref *r);
FW_MUST_CHECK int ext2_dir_add(struct inode *dir, const struct kname *name,
			       uint32_t ino, uint32_t mode);
FW_MUST_CHECK int ext2_dir_del(struct inode *dir,
			       const struct ext2_dirloc *loc);
FW_MUST_CHECK int ext2_dir_set(struct inode *dir,
			       const struct ext2_dirloc *loc, uint32_t ino,
			       uint32_t mode);
FW_MUST_CHECK int ext2_dir_init(struct inode *dir, uint32_t parent);
FW_MUST_CHECK int ext2_dir_set_dotdot(struct inode *dir, uint32_t parent);
bool ext2_dir_empty(struct inode *dir);
int ext2_iterate(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx);
int ext2_name_of(struct inode *dir, struct inode *child, struct kname *out);

/* htree.c (vfs_ns_lock held). Hash version 0-2 legacy, half_md4, tea;
 * 3-5 the same with unsigned chars. The rest return 0 or -errno; a bad
 * index is -EIO, logged. */
uint32_t ext2_dx_hash(unsigned version, const struct ext2_dx_seed *seed,
		      struct fw_bytes name);
bool ext2_dx_active(struct inode *dir);		/* use the index? */
FW_MUST_CHECK int ext2_dx_find(struct inode *dir, const struct kname *name,
			       uint32_t *ino, struct ext2_dirloc *loc);
FW_MUST_CHECK int ext2_dx_add(struct inode *dir, const struct kname *name,
			      uint32_t ino, uint32_t mode);
/* Index a full one-block directory (the next ext2_dx_add splits it). */
FW_MUST_CHECK int ext2_dx_make(struct inode *dir);

/* file.c */
extern const struct file_ops ext2_file_ops;
long ext2_read_kernel(struct inode *ino, uint64_t off, struct fw_buf dst);
FW_MUST_CHECK int ext2_get_page(struct inode *ino, uint64_t pgoff,
			       bool mapwrite, struct fw_frame **out);
/* Write cached page idx to the file's blocks (allocating holes); the page
 * cache's write-back calls it with inode->lock held. */
FW_MUST_CHECK int ext2_writepage(struct inode *ino, uint64_t idx,
				struct fw_frame *fr);
int ext2_truncate(struct inode *ino, uint64_t size);

/* namei.c */
extern const struct inode_ops ext2_iops;

/* fs/jbd2/recovery.c: replay the jbd2 journal of a file system with needs_recovery
 * set and clear the flag (in the cached superblock: read it again after).
 * 0; -EROFS (read-only device), -EINVAL (no internal journal, bad or
 * unsupported journal superblock), -EIO (corrupt log, read or write
 * error), -ENOMEM; each logged. Called before the VFS superblock exists. */
FW_MUST_CHECK int ext2_journal_recover(struct ext2_sb *s);

/* fs/jbd2/journal.c: journaling while mounted read-write (nothing happens
 * on a file system without a journal, or read-only). */
/* Start journaling (mount, remount rw): sets needs_recovery. 0 or -errno;
 * an unusable journal is logged and the file system mounts unjournaled. */
FW_MUST_CHECK int ext2_journal_open(struct ext2_sb *s);
/* Commit, stop, and clear needs_recovery (unmount, remount ro, poweroff). */
int ext2_journal_close(struct ext2_sb *s);
/* A handle around every operation that changes metadata, so a commit
 * sees whole operations; nestable. Start it after taking vfs_ns_lock or
 * inode->lock, never before (a commit waits for open handles). */
void ext2_jstart(struct ext2_sb *s);
void ext2_jstop(struct ext2_sb *s);
/* Commit the running transaction (fsync, syncfs): durable in the log,
 * written home later; with nothing to commit, the dirty blocks (file
 * data) are written and flushed. Within a handle it does nothing (its
 * changes go with the next commit). */
int ext2_jcommit(struct ext2_sb *s);
/* Commit, then checkpoint: every logged block home and the log empty
 * (sync(2), unmount). As ext2_jcommit within a handle. */
int ext2_jcheckpoint(struct ext2_sb *s);
/* Block blk is being freed (s->lock held): if the log or the running
 * transaction holds a copy of it, the transaction revokes it, so a
 * replay never writes that copy over what the block becomes. */
void ext2_jrevoke(struct ext2_sb *s, uint32_t blk);
/* Reference metadata block blk (fs block size) to change it: it joins the
 * running transaction, pinned in the cache until committed. As bcache_get
 * otherwise. */
FW_MUST_CHECK int ext2_mget(struct ext2_sb *s, uint32_t blk, bool fill,
			    struct bref *r);
/* The superblock's 1 KiB for a change (through ext2_mget's block). */
FW_MUST_CHECK int ext2_sb_get(struct ext2_sb *s, struct bref *r);


/* ---- for the VFS -------------------------------------------------------- */

/* Mount the ext2 file system on d (or share the superblock if it is
 * mounted already). 0 and *out; -EINVAL (not ext2, unsupported feature,
 * bad geometry: logged), -EIO, -ENOMEM, -EBUSY (mounted read-write and
 * read-only at once is not supported). */
FW_MUST_CHECK int ext2_mount(struct blkdev *d, bool rdonly,
			     struct superblock **out);
/* May a mount ask for the file system on d as type ("ext2", "ext3",
 * "ext4")? As Linux, before anything is written: ext2 and ext3 refuse the
 * features their drivers lacked, ext3 wants a journal. 0, -EINVAL (logged)
 * or -EIO. */
FW_MUST_CHECK int ext2_check_type(struct blkdev *d, bool rdonly,
				  const struct kname *type);
/* Set up the list of mounts (boot, before any mount). */
void ext2_init(void);
/* Write back every mounted ext2 file system; the first error. */
int ext2_sync_all(void);
/* Evict every cached inode nobody uses, on every mounted file system
 * (drop_caches 2). */
void ext2_prune_all(void);
/* Poweroff/reboot: write back and mark every file system clean (as
 * unmounting would); nothing may write to them afterwards. */
int ext2_shutdown_all(void);

static inline struct ext2_sb *EXT2_SB(const struct inode *ino)
{
	return ino->sb->ext2;
}

#endif
