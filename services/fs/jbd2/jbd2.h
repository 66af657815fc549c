/* services/fs/jbd2/jbd2.h: the on-disk format of the jbd2 journal
 * (Linux include/linux/jbd2.h, Documentation/filesystems/ext4/journal.rst),
 * shared by its replay (recovery.c) and its writer (journal.c). Every
 * field is big-endian.
 *
 * Folder services/fs/jbd2: the journal of ext3/ext4, a helper of
 * services/fs/ext2 (it sees only ext2.h). */
#ifndef SERVICES_FS_JBD2_JBD2_H
#define SERVICES_FS_JBD2_JBD2_H

#define JBD2_MAGIC 0xC03B3998u
#define JBD2_DESCRIPTOR_BLOCK 1
#define JBD2_COMMIT_BLOCK 2
#define JBD2_SUPERBLOCK_V1 3
#define JBD2_SUPERBLOCK_V2 4
#define JBD2_REVOKE_BLOCK 5

/* journal_header_t, at the start of every metadata block */
#define JH_MAGIC 0
#define JH_BLOCKTYPE 4
#define JH_SEQUENCE 8
#define JH_SIZE 12

/* journal_superblock_t (block 0 of the journal) */
#define JSB_BLOCKSIZE 0x0C
#define JSB_MAXLEN 0x10			/* journal length in blocks */
#define JSB_FIRST 0x14			/* first block of the log */
#define JSB_SEQUENCE 0x18		/* first transaction expected */
#define JSB_START 0x1C			/* first block of the log; 0: clean */
#define JSB_ERRNO 0x20
#define JSB_FEATURE_COMPAT 0x24
#define JSB_FEATURE_INCOMPAT 0x28
#define JSB_UUID 0x30
#define JSB_CHECKSUM_TYPE 0x50
#define JSB_CHECKSUM 0xFC
#define JSB_SIZE 1024			/* what s_checksum covers */

#define JBD2_FEATURE_COMPAT_CHECKSUM 0x1
#define JBD2_FEATURE_INCOMPAT_REVOKE 0x1
#define JBD2_FEATURE_INCOMPAT_64BIT 0x2
#define JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT 0x4
#define JBD2_FEATURE_INCOMPAT_CSUM_V2 0x8
#define JBD2_FEATURE_INCOMPAT_CSUM_V3 0x10
#define JBD2_FEATURE_INCOMPAT_FAST_COMMIT 0x20
#define JBD2_CRC32_CHKSUM 1		/* v1 commit checksum type */
#define JBD2_CRC32_CHKSUM_SIZE 4
#define JBD2_CRC32C_CHKSUM 4		/* s_checksum_type of v2/v3 */

/* Block tags after a descriptor's header. journal_block_tag_t is
 * {be32 blocknr; be16 checksum; be16 flags; be32 blocknr_high}, cut to 8
 * bytes without 64BIT and grown by 2 with CSUM_V2 (journal_tag_bytes);
 * journal_block_tag3_t (CSUM_V3) is {be32 blocknr; be32 flags; be32
 * blocknr_high; be32 checksum}. The low 16 bits of the flags are at byte
 * 6 in both, which is where Linux reads them. */
#define TAG_BLOCKNR 0
#define TAG_CSUM16 4
#define TAG_FLAGS 6
#define TAG_BLOCKNR_HIGH 8
#define TAG3_CSUM 12
#define TAG_UUID_SIZE 16		/* follows a tag without SAME_UUID */
#define JBD2_FLAG_ESCAPE 1		/* the block began with JBD2_MAGIC */
#define JBD2_FLAG_SAME_UUID 2
#define JBD2_FLAG_LAST_TAG 8
#define JBD2_TAIL_SIZE 4		/* v2/v3 block tail: be32 checksum */

/* struct commit_header */
#define JC_CHKSUM_TYPE 12
#define JC_CHKSUM_SIZE 13
#define JC_CHKSUM 16			/* h_chksum[0] */
#define JC_COMMIT_SEC 48
#define JC_SIZE 60			/* sizeof(struct commit_header) */

/* jbd2_journal_revoke_header_t: header, be32 r_count (bytes used,
 * header included), then 4- or 8-byte (64BIT) block numbers. */
#define JR_COUNT 12
#define JR_SIZE 16

#endif
