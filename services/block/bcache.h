/* services/block/bcache.h: the block cache, shared by every file system
 * and by the block device files.
 *
 * Layer: services (safe C), block layer. The cache holds 4 KiB units of a
 * device (BCACHE_UNIT, device offset a multiple of it); a file system
 * block of 1, 2 or 4 KiB is a slice of one unit, so ext2 metadata, file
 * data and reads of /dev/vda all see the same bytes whatever block size
 * each uses (Linux gets the same from the block device's page cache).
 *
 * File data passes through (bcache_get_data): the page cache keeps it,
 * so the block cache keeps only what no file's cache does: metadata and
 * what block device files read and write (Linux's block device page
 * cache). The journal's log blocks pass through too: written once, and
 * read again only by a replay.
 *
 * Write-back: a dirty unit stays in memory until bcache_sync (sync(2),
 * fsync, unmount, poweroff), until the flusher task finds it dirty for
 * over BCACHE_EXPIRE_NS (Linux's dirty_expire_centisecs, 30 s), or until
 * the cache is over its size limit. A unit whose write fails is logged
 * and kept, clean, with the new bytes (what the disk holds is then older:
 * Linux behaves the same, marking the page's error instead); the error is
 * reported once, by the next bcache_sync of that device.
 *
 * Concurrency: the cache's own index is locked internally. The bytes of a
 * block are the caller's to guard (ext2 uses its per-file-system lock for
 * metadata and inode->lock for file data). Writing back does not lock the
 * contents: the dirty mark is cleared before the write, so a change made
 * while the write is in flight marks the unit dirty again and is written
 * next time. */
#ifndef SERVICES_BLOCK_BCACHE_H
#define SERVICES_BLOCK_BCACHE_H

#include <fw/bytes.h>
#include <fw/compiler.h>

#include "block/blkdev.h"

#define BCACHE_UNIT 4096u
#define BCACHE_EXPIRE_NS (30ull * 1000000000ull)

struct bbuf;

/* A referenced block: the unit holding it and the block's bytes. */
struct bref {
	struct bbuf *b;
	struct fw_buf data;		/* exactly blksize bytes */
	uint32_t off;			/* of data in its unit */
};

/* bcache_get - reference block blockno (of blksize bytes: 512, 1024,
 * 2048 or 4096) of d.
 * @fill: read the unit from the device if it is not cached yet; pass false
 *        only for a block the caller will overwrite whole (a block just
 *        allocated), then an uncached block reads as zeros. With a block
 *        smaller than the unit, the rest of the unit is still read.
 * Returns 0 and *out, -EINVAL (bad size, block past the end of the
 * device), -EIO (the read failed; nothing is cached), -ENOMEM. */
FW_MUST_CHECK int bcache_get(struct blkdev *d, uint64_t blockno,
			     unsigned blksize, bool fill, struct bref *out);
/* bcache_get for a block of file data, whose bytes the page cache
 * keeps: a unit it brings in leaves the block cache soon after it is
 * clean and unreferenced (after the copy into the page, after its
 * write-back: the last BCACHE_PARKED such units stay, for the other
 * blocks of a unit read one by one), unless something other than file
 * data wants it meanwhile. Read-ahead units it brings in wait,
 * unreferenced, for their reader. */
#define BCACHE_PARKED 128u
FW_MUST_CHECK int bcache_get_data(struct blkdev *d, uint64_t blockno,
				  unsigned blksize, bool fill,
				  struct bref *out);
/* bcache_read_frames - read up to n whole pages of d from byte offset off
 * (a multiple of BLKDEV_SECTOR) straight into f->fr[0..n-1] (n <= f->n),
 * with one request, around the cache: a file's pages read from the disk
 * with no copy through a unit (Linux reads into the page cache's pages
 * too). The frames are mapped for the device meanwhile (fw_frame_dma_map:
 * none may be mapped into a process). The caller keeps the bytes coherent
 * with the cache's (ext2 holds inode->lock, under which its data units
 * are written); a unit over a page that is dirty, being written, pinned
 * or whose write failed is newer than the disk, so the read stops before
 * the first such page: the caller copies that one through the cache
 * (clean units hold what the disk holds).
 * Returns how many pages were read (1..n), -EAGAIN (such a unit is over
 * the first page), -EINVAL (n is 0, over f->n or over what the device
 * takes in one request, or the range is not on it), -EBUSY or -ENOMEM
 * (fw_frame_dma_map), -EIO (the frames then hold garbage). */
struct bcache_frames {
	struct fw_frame *fr[BLK_MAX_SEGS];
	unsigned n;			/* frames held in fr */
};
FW_MUST_CHECK int bcache_read_frames(struct blkdev *d, uint64_t off,
				     const struct bcache_frames *f, unsigned n);
/* How many pages one bcache_read_frames request can take on d. */
unsigned bcache_max_frames(const struct blkdev *d);
/* Is the unit holding the block cached right now? (A hint: it may go
 * the next moment unless someone holds it.) */
bool bcache_has(struct blkdev *d, uint64_t blockno, unsigned blksize);
/* The caller changed the block's bytes: write them back later. */
void bref_dirty(struct bref *r);
/* Drop the reference (r->b becomes NULL; NULL is ignored). */
void bref_put(struct bref *r);
/* A journal holds the unit's bytes back: write-back skips it until the
 * matching bref_unpin (the journal writes it after its commit). Pinning
 * waits for a write-back of the unit in flight, so the caller may change
 * the bytes once this returns. The caller keeps its reference meanwhile. */
void bref_pin(struct bref *r);
void bref_unpin(struct bref *r);
/* A file system checked the block's checksum since it was read from the
 * disk (Linux's buffer_verified): later users need not again. A block
 * the file system changes keeps the mark, as it sets the checksum too. */
bool bref_checked(const struct bref *r);
void bref_set_checked(struct bref *r);
void bref_clear_checked(struct bref *r);	/* a block given a new use */

/* Write r's block and the n - 1 after it in its unit (only their bytes,
 * not the rest of the unit) to the device now, pinned or not, without
 * flushing; the unit stays dirty if it was. For a journal, when its
 * commit has pinned other blocks of the unit: the log and the file data
 * must reach the disk before the commit block, the pinned blocks must
 * not. 0, -EINVAL (past the unit), -EIO (also kept for the next sync). */
FW_MUST_CHECK int bcache_write_blocks(struct bref *r, unsigned n);
/* Write every dirty unit of d (but pinned ones), then flush the device's
 * write cache.
 * 0, or the first error (-EIO) since the last sync of d: a failed write
 * is reported once, like Linux's errseq for a block device. */
FW_MUST_CHECK int bcache_sync(struct blkdev *d);
/* Write every dirty unit of d (but pinned ones) now, without flushing the
 * device's write cache (O_DIRECT: on the device when the call returns,
 * durable only after fsync). 0 or the first error (also kept for sync). */
FW_MUST_CHECK int bcache_write_out(struct blkdev *d);
/* Memory is short (the page cache's reclaimer): if over half of the
 * cache's limit is dirty, write every dirty unit now (no flush), so the
 * units can be given back. No lock may be held. */
void bcache_balance(void);
/* bcache_sync of every device (sync(2), poweroff); errors are logged. */
void bcache_sync_all(void);
/* Drop d's clean units nobody references (after unmount, so a later
 * mount reads what is on the disk, and to give memory back). */
void bcache_drop_clean(struct blkdev *d);

/* Statistics for /proc/meminfo "Buffers" and the tests, in units. */
uint64_t bcache_units(void);
uint64_t bcache_dirty_units(void);

/* Start the flusher task (boot). 0 or -errno. */
FW_MUST_CHECK int bcache_init(void);

#endif
