/* services/fs/ext2/file.c: regular-file data: read, write, truncate,
 * kernel reads (exec), and the page cache's fill and write-back.
 *
 * Layer: services (safe C), ext2. A file's bytes are read into the page
 * cache (fs/cache/pagecache.h) through the block cache, which lets them
 * go once copied (bcache_get_data), and read() copies from the cached
 * frames; unallocated blocks (holes) read as zeros. Invariant: the bytes
 * of the last block past i_size are zero (new blocks are zeroed, truncate
 * clears the tail), so extending a file exposes zeros; the page cache
 * keeps the same rule for its last page.
 *
 * A write stores its bytes in the file's blocks in the block cache (which
 * writes them back, then lets them go) and in the pages, which it brings
 * into the cache if they were not: the page cache holds a file's data,
 * the block cache only until it is on the disk. Pages written through a
 * shared mapping are written back to the blocks by ext2_writepage.
 *
 * No user memory is touched with inode->lock held: a copy may fault on a
 * mapping of this very file, and that fault takes inode->lock in
 * ext2_get_page. A read takes the lock to find (or fill) one page and
 * copies from the referenced frame without it; a write copies the user's
 * bytes into a 16 KiB kernel bounce buffer first, then takes the lock to
 * allocate and fill the blocks. So a write is atomic per 16 KiB, not per
 * call (Linux holds i_rwsem across the call; its page-cache copy can
 * fault under it because its fault path does not take i_rwsem). */
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/log.h>

#include "fs/ext2/ext2.h"

#define MAX_RW_COUNT 0x7ffff000ul

/* Linux's default relatime: a read updates atime only if it is not newer
 * than mtime or ctime, or a day old, so a file read over and over costs
 * one inode write per change, not one per read. */
static void touch_atime(struct inode *ino)
{
	struct fs_time now = fs_now();

	if (EXT2_SB(ino)->rdonly)
		return;
	if (ino->atime.sec > ino->mtime.sec && ino->atime.sec > ino->ctime.sec &&
	    now.sec - ino->atime.sec < 24 * 3600)
		return;
	ino->atime = now;
	(void)ext2_write_inode(ino);
}

/* Bytes a write copies in per lock hold: several blocks, so a large write
 * takes the lock and looks up the block map once per 16 KiB. */
#define RW_CHUNK 16384u

/* Copy n bytes of the file from block (or 4 KiB unit, by blksize) blk
 * into fr at off. */
static int copy_block(struct ext2_sb *s, uint32_t blk, unsigned blksize,
		      size_t n, struct fw_frame *fr, size_t off)
{
	struct bref r;
	struct fw_bytes part;
	int err = bcache_get_data(s->dev, blk, blksize, true, &r);

	if (err)
		return err;
	err = fw_bytes_sub(fw_buf_as_bytes(r.data), 0, n, &part);
	if (!err)
		err = fw_frame_write(fr, off, part);
	bref_put(&r);
	return err;
}

/* Under inode->lock: read page idx's bytes from the blocks into fr (a
 * zeroed frame: holes and the part past i_size stay zero). The block map
 * is looked up a run of blocks at a time, and a page whose blocks are
 * one aligned 4 KiB unit of the disk (usual with 1 and 2 KiB blocks) is
 * copied from the block cache in one go. Only the file's bytes are
 * copied: blocks past its end in a unit are someone else's. */
static int fill_page(struct inode *ino, uint64_t idx, struct fw_frame *fr)
{
	struct ext2_sb *s = EXT2_SB(ino);
	unsigned per = BCACHE_UNIT / s->bs, i = 0;
	uint64_t start = idx * FW_PAGE_SIZE, lb = start / s->bs;

	while (i < per && start + (uint64_t)i * s->bs < ino->size) {
		uint32_t pb;
		unsigned n;
		int err = ext2_bmap_run(ino, lb + i, per - i, &pb, &n);

		if (!err && n == 0)
			err = -EIO; /* cannot happen: a run has a block */
		if (err)
			return err;
		if (i == 0 && pb && n == per && per > 1 && pb % per == 0) {
			uint64_t left = ino->size - start;

			return copy_block(s, pb / per, BCACHE_UNIT,
					  left < FW_PAGE_SIZE ? (size_t)left :
								FW_PAGE_SIZE,
					  fr, 0);
		}
		for (unsigned k = 0; k < n && i < per; k++, i++) {
			uint64_t at = start + (uint64_t)i * s->bs;
			uint64_t left = at < ino->size ? ino->size - at : 0;

			if (!left)
				return 0;
			if (!pb)
				continue; /* a hole reads as zeros */
			err = copy_block(s, pb + k, s->bs,
					 left < s->bs ? (size_t)left : s->bs, fr,
					 (size_t)i * s->bs);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Under inode->lock: page idx (inside the file), referenced, from the
 * page cache, or read in first into *spare (which it then takes). With no
 * spare, -EAGAIN: the caller drops the lock, allocates one (the
 * reclaimer may then take pages of this very file) and comes back. */
static int cached_page(struct inode *ino, uint64_t idx,
		       struct fw_frame **spare, struct fw_frame **out)
{
	struct fw_frame *fr = pcache_lookup(ino, idx);
	int err;

	if (fr) {
		*out = fr;
		return 0;
	}
	if (!*spare)
		return -EAGAIN;
	fr = *spare;
	*spare = NULL;
	err = fill_page(ino, idx, fr);
	if (!err)
		err = pcache_add(ino, idx, fr);
	if (err) {
		fw_frame_put(fr);
		return err;
	}
	*out = fr;
	return 0;
}

/* A zeroed frame for cached_page, with inode->lock not held. */
static int new_spare(struct fw_frame **spare)
{
	pcache_balance();
	return fw_frame_alloc(FW_FRAME_ZERO, spare);
}

/* Pages a read() that misses reads at once: a request's worth at most. */
#define BATCH_MAX BLK_MAX_SEGS

/* Under inode->lock: the pages from idx on that a read() still wants (n
 * at most) read straight from the disk into b's frames with one request,
 * and cached: those wholly below i_size, not cached, whose blocks are one
 * run on the disk. The frames used leave b (the rest move to its
 * front). How many pages
 * were cached (0: the caller goes page by page, through the block cache,
 * which also meets and reports any error; a unit of the range that is
 * cached, maybe newer than the disk, sends it there too). */
static unsigned read_batch(struct inode *ino, uint64_t idx, unsigned n,
			   struct bcache_frames *b)
{
	struct ext2_sb *s = EXT2_SB(ino);
	unsigned per = FW_PAGE_SIZE / s->bs, m = 0, run = 0, added = 0;
	uint32_t pb = 0;
	int got;

	if (n > b->n)
		n = b->n;
	if (n > bcache_max_frames(s->dev))
		n = bcache_max_frames(s->dev);
	while (m < n && (idx + m + 1) * FW_PAGE_SIZE <= ino->size) {
		struct fw_frame *fr = pcache_lookup(ino, idx + m);

		if (fr) {
			fw_frame_put(fr);
			break;
		}
		m++;
	}
	if (!m || ext2_bmap_run(ino, idx * per, m * per, &pb, &run) || !pb)
		return 0;
	m = run / per < m ? run / per : m;
	got = m ? bcache_read_frames(s->dev, (uint64_t)pb * s->bs, b, m) : 0;
	if (got <= 0)
		return 0;
	m = (unsigned)got;
	for (unsigned i = 0; i < m; i++) {
		/* Fails only for memory: the page is then just not cached
		 * (the cache keeps its own reference when it is). */
		if (pcache_add(ino, idx + i, b->fr[i]) == 0)
			added++;
		fw_frame_put(b->fr[i]);
		b->fr[i] = NULL;
	}
	/* The frames left, to the front. */
	for (unsigned i = m; i < b->n; i++)
		b->fr[i - m] = b->fr[i];
	b->n -= m;
	return added;
}

/* Up to want frames in b for read_batch, with no lock held: not zeroed,
 * the disk fills them whole. */
static void batch_fill(struct bcache_frames *b, unsigned want)
{
	if (want > BATCH_MAX)
		want = BATCH_MAX;
	if (b->n < want)
		pcache_balance();
	while (b->n < want && fw_frame_alloc(0, &b->fr[b->n]) == 0)
		b->n++;
}

static void batch_free(struct bcache_frames *b)
{
	while (b->n)
		fw_frame_put(b->fr[--b->n]);
}

/* Where read_pages puts the file's bytes. */
struct read_sink {
	fw_uptr_t ubuf;			/* user destination, or */
	struct fw_buf kbuf;		/* kernel destination (kernel) */
	bool kernel;
};

/* Of the n bytes a read wants at off, those below i_size (0 at or past
 * it). inode->lock held. */
static size_t below_eof(const struct inode *ino, uint64_t off, size_t n)
{
	if (off >= ino->size)
		return 0;
	return n < ino->size - off ? n : (size_t)(ino->size - off);
}

/* The pages from off's on to read at a miss there: those a read of len
 * more bytes at off covers, or, right after the last page read() took
 * from the file (a sequential reader), a request's worth: the next reads
 * find them cached (Linux's synchronous read-ahead; its window starts
 * smaller and grows, here it is the largest one request takes).
 * inode->lock held. */
static unsigned pages_wanted(struct inode *ino, uint64_t off, size_t len)
{
	uint64_t n = (off % FW_PAGE_SIZE + len + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE;

	if (ino->ext2->ra_next == off / FW_PAGE_SIZE + 1)
		return BATCH_MAX;
	return n < BATCH_MAX ? (unsigned)n : BATCH_MAX;
}

static long read_pages(struct inode *ino, uint64_t off, size_t len,
		       struct read_sink *to)
{
	struct fw_frame *spare = NULL;
	struct bcache_frames batch = { .n = 0 };
	bool batched = false;
	size_t done = 0;
	int err = 0;

	while (done < len) {
		size_t in = (size_t)(off % FW_PAGE_SIZE), n = FW_PAGE_SIZE - in;
		struct fw_frame *fr;
		unsigned want;

		fw_mutex_lock(&ino->lock);
		n = below_eof(ino, off, n < len - done ? n : len - done);
		if (!n) {
			fw_mutex_unlock(&ino->lock);
			break;
		}
		err = cached_page(ino, off / FW_PAGE_SIZE, &spare, &fr);
		want = pages_wanted(ino, off, len - done);
		/* A miss: the pages wanted from here, read with one request
		 * (frames for them allocated once per call: the rest is
		 * cached then, or not to be had that way). */
		if (err == -EAGAIN && batch.n &&
		    read_batch(ino, off / FW_PAGE_SIZE, want, &batch))
			err = cached_page(ino, off / FW_PAGE_SIZE, &spare, &fr);
		if (!err)
			ino->ext2->ra_next = off / FW_PAGE_SIZE + 2;
		fw_mutex_unlock(&ino->lock);
		if (err == -EAGAIN && !batched && want > 1) {
			batched = true;
			batch_fill(&batch, want);
			continue;
		}
		if (err == -EAGAIN) {
			err = new_spare(&spare);
			if (err)
				break;
			continue;
		}
		if (err)
			break;
		if (to->kernel) {
			struct fw_buf part;

			err = fw_buf_sub(to->kbuf, done, n, &part);
			if (!err)
				err = fw_frame_read(fr, in, part);
		} else if (fw_frame_copy_out(fw_uptr_add(to->ubuf, done), fr,
					     in, n)) {
			err = -EFAULT;
		}
		fw_frame_put(fr);
		if (err)
			break;
		done += n;
		off += n;
	}
	if (spare)
		fw_frame_put(spare);
	batch_free(&batch);
	return done ? (long)done : err;
}

/* O_DIRECT (Linux's direct I/O): the file offset, the length and the
 * user buffer must be multiples of the disk's sector, 512 bytes (open(2):
 * "alignment to 512-byte boundaries suffices"), else EINVAL. */
static bool direct_aligned(fw_uptr_t buf, size_t len, uint64_t off)
{
	return ((buf.addr | len | off) % BLKDEV_SECTOR) == 0;
}

/* An O_DIRECT read: from the file's blocks, block by block, around the
 * page cache (the block cache lets the blocks go once copied). Pages
 * written through mappings are written to the blocks first, and blocks
 * buffered writes changed are read from the block cache, not the disk:
 * what Linux's write-back before a direct read makes the same. */
static long direct_read(struct inode *ino, fw_uptr_t buf, size_t len,
			uint64_t off)
{
	struct ext2_sb *s = EXT2_SB(ino);
	size_t done = 0;
	int err = pcache_writeback(ino);

	while (!err && done < len) {
		size_t in = (size_t)(off % s->bs), n = s->bs - in;
		fw_uptr_t to = fw_uptr_add(buf, done);
		uint32_t blk = 0;
		struct bref r;

		fw_mutex_lock(&ino->lock);
		n = below_eof(ino, off, n < len - done ? n : len - done);
		if (!n) {
			fw_mutex_unlock(&ino->lock);
			break;
		}
		err = ext2_bmap(ino, off / s->bs, false, &blk, NULL);
		if (!err && blk)
			err = bcache_get_data(s->dev, blk, s->bs, true, &r);
		fw_mutex_unlock(&ino->lock);
		if (err)
			break;
		/* The copy may fault on a mapping of this file: no lock. */
		if (!blk) {
			err = fw_clear_user(to, n) ? -EFAULT : 0;
		} else {
			struct fw_bytes part;

			err = fw_bytes_sub(fw_buf_as_bytes(r.data), in, n, &part);
			if (!err && fw_copy_out(to, part))
				err = -EFAULT;
			bref_put(&r);
		}
		if (!err) {
			done += n;
			off += n;
		}
	}
	return done ? (long)done : err;
}

static long ext2_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct inode *ino = f->path.inode;
	struct read_sink to = { .ubuf = buf };
	long n;

	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (atomic_load(&f->flags) & O_DIRECT) {
		if (!direct_aligned(buf, len, *pos))
			return -EINVAL;
		n = direct_read(ino, buf, len, *pos);
	} else {
		n = read_pages(ino, *pos, len, &to);
	}
	if (n > 0) {
		*pos += (uint64_t)n;
		touch_atime(ino);
	}
	return n;
}

long ext2_read_kernel(struct inode *ino, uint64_t off, struct fw_buf dst)
{
	struct read_sink to = { .kbuf = dst, .kernel = true };

	return read_pages(ino, off, fw_buf_len(dst), &to);
}

int ext2_get_page(struct inode *ino, uint64_t pgoff, bool mapwrite,
		  struct fw_frame **out)
{
	struct fw_frame *spare = NULL;
	int err;

	do {
		fw_mutex_lock(&ino->lock);
		if (pgoff >= (ino->size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE) {
			fw_mutex_unlock(&ino->lock);
			err = -ENXIO;
			break;
		}
		err = cached_page(ino, pgoff, &spare, out);
		if (!err && mapwrite)
			pcache_mark_mapped_write(ino, pgoff);
		fw_mutex_unlock(&ino->lock);
	} while (err == -EAGAIN && (err = new_spare(&spare)) == 0);
	if (spare)
		fw_frame_put(spare);
	if (!err && mapwrite)
		pcache_throttle();
	/* Linux's page_mkwrite updates the times when a page becomes
	 * writable through a mapping; the write-back stores them. */
	if (!err && mapwrite)
		inode_touch(ino, false, true, true);
	return err;
}

/* The block cache's unit holding the file's block lb (disk block blk),
 * filled from the cached pages without reading the disk, when the unit's
 * blocks are all the file's, in order, and the pages holding those below
 * i_size are cached (always with 4 KiB blocks and a cached page; usual
 * with smaller blocks): the block cache lets file data go, the pages
 * stay, and they are never older than the blocks. Bytes past i_size are
 * zero (the invariant). 1 and *unit referenced (so it stays cached), 0
 * if not possible, or -errno. inode->lock held. */
static int unit_from_pages(struct inode *ino, uint64_t lb, uint32_t blk,
			   struct bref *unit)
{
	struct ext2_sb *s = EXT2_SB(ino);
	unsigned per = BCACHE_UNIT / s->bs, k0 = blk % per, n = 0;
	struct fw_frame *pages[2] = { NULL, NULL };
	uint64_t first = lb - k0, first_page = first * s->bs / FW_PAGE_SIZE;
	uint32_t pb = 0;
	int err = 0;

	if (lb < k0)
		return 0;
	err = ext2_bmap_run(ino, first, per, &pb, &n);
	if (err || pb != blk - k0 || n != per)
		return err;
	/* The unit's blocks lie in two pages at most; take them first: a
	 * unit created without them would hold zeros. */
	for (unsigned i = 0; i < 2; i++) {
		uint64_t at = (first_page + i) * FW_PAGE_SIZE;

		if (at >= (first + per) * s->bs || at >= ino->size)
			break;
		pages[i] = pcache_lookup(ino, first_page + i);
		if (!pages[i])
			goto out;
	}
	err = bcache_get_data(s->dev, pb / per, BCACHE_UNIT, false, unit);
	for (unsigned k = 0; !err && k < per; k++) {
		uint64_t off = (first + k) * s->bs;
		size_t keep = off >= ino->size ? 0
			      : ino->size - off < s->bs ? (size_t)(ino->size - off)
							: s->bs;
		struct fw_buf part;

		err = fw_buf_sub(unit->data, k * s->bs, keep, &part);
		if (!err && keep)
			err = fw_frame_read(pages[off / FW_PAGE_SIZE - first_page],
					    (size_t)(off % FW_PAGE_SIZE), part);
		if (!err)
			err = fw_buf_fill(unit->data, k * s->bs + keep,
					  s->bs - keep, 0);
	}
	if (!err) {
		bref_dirty(unit);
		err = 1;
	} else if (unit->b) {
		bref_put(unit);
	}
out:
	for (unsigned i = 0; i < 2; i++)
		if (pages[i])
			fw_frame_put(pages[i]);
	return err;
}

/* The file's block holding off, allocated if it was a hole, referenced
 * and ready for n bytes at off to be written into it: zeroed if it is new
 * (so the rest of it reads as zeros), else holding the file's bytes
 * unless they cover it whole (and with blocks smaller than a unit, its
 * unit holding the other blocks' bytes): if the unit is not cached, from
 * the cached pages when it can (unit_from_pages), else read. inode->lock
 * held. */
static int block_for_write(struct inode *ino, uint64_t off, size_t n,
			   struct bref *r)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct bref unit = { .b = NULL };
	bool have = false;
	uint32_t blk;
	bool fresh;
	int err = ext2_bmap(ino, off / s->bs, true, &blk, &fresh);

	if (err)
		return err;
	if (!fresh && (n < s->bs || s->bs < BCACHE_UNIT) &&
	    !bcache_has(s->dev, blk, s->bs)) {
		err = unit_from_pages(ino, off / s->bs, blk, &unit);
		if (err < 0)
			return err;
		have = err == 1;
	}
	/* Not read when have: the unit is held, so still cached. */
	err = bcache_get_data(s->dev, blk, s->bs, !(fresh || n == s->bs || have), r);
	bref_put(&unit);
	if (!err && fresh && n < s->bs) {
		err = fw_buf_fill(r->data, 0, s->bs, 0);
		if (err)
			bref_put(r);
	}
	return err;
}

/* Write the bounce buffer's n bytes at off (inside one block).
 * inode->lock held. */
static int write_block(struct inode *ino, uint64_t off, struct fw_bytes src)
{
	struct bref r;
	int err = block_for_write(ino, off, fw_bytes_len(src), &r);

	if (err)
		return err;
	err = fw_buf_copy_from(r.data, (size_t)(off % EXT2_SB(ino)->bs), src);
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err;
}

/* The pages a write brings into the cache: those it writes in part
 * (the next write there needs their other bytes, an appender's last page
 * above all), not those it overwrites whole (a writer seldom reads them
 * back soon; until they are written back, their blocks in the block
 * cache serve a reader). Zeroed frames for them, allocated with no lock
 * held (as cached_page's spare): a 16 KiB chunk spans five pages at
 * most. */
#define SPARES_MAX (RW_CHUNK / FW_PAGE_SIZE + 1)

struct write_spares {
	struct fw_frame *fr[SPARES_MAX];
	unsigned n;
	uint64_t from, to;	/* the bytes the write chunk covers */
};

static bool covered_whole(const struct write_spares *sp, uint64_t idx)
{
	return idx * FW_PAGE_SIZE >= sp->from && (idx + 1) * FW_PAGE_SIZE <= sp->to;
}

/* How many pages of the chunk to bring in are not cached. inode->lock
 * held. */
static unsigned pages_missing(struct inode *ino, const struct write_spares *sp)
{
	unsigned missing = 0;

	for (uint64_t idx = sp->from / FW_PAGE_SIZE;
	     idx <= (sp->to - 1) / FW_PAGE_SIZE; idx++) {
		struct fw_frame *fr;

		if (covered_whole(sp, idx))
			continue;
		fr = pcache_lookup(ino, idx);
		if (fr)
			fw_frame_put(fr);
		else
			missing++;
	}
	return missing;
}

static void spares_fill(struct write_spares *sp, unsigned want)
{
	while (sp->n < want && sp->n < SPARES_MAX &&
	       new_spare(&sp->fr[sp->n]) == 0)
		sp->n++;
}

static void spares_free(struct write_spares *sp)
{
	while (sp->n)
		fw_frame_put(sp->fr[--sp->n]);
}

/* The bytes just written at off (inside one block, so inside one page,
 * and below i_size now) into the file's cached page; a page not cached
 * yet that the chunk writes in part is read in from the blocks, with
 * them, if a spare frame is left (the cache is only a cache: no frame,
 * no page). inode->lock held. */
static int cache_update(struct inode *ino, uint64_t off, struct fw_bytes src,
			struct write_spares *sp)
{
	uint64_t idx = off / FW_PAGE_SIZE;
	struct fw_frame *fr = pcache_lookup(ino, idx);
	int err;

	if (!fr) {
		struct fw_frame *spare;

		if (!sp->n || covered_whole(sp, idx))
			return 0;
		/* The bytes are in the blocks already: a page that cannot
		 * be read in (no memory, a read error) is just not cached. */
		spare = sp->fr[--sp->n];
		if (!cached_page(ino, idx, &spare, &fr))
			fw_frame_put(fr);
		if (spare)
			fw_frame_put(spare);
		return 0;
	}
	err = fw_frame_write(fr, (size_t)(off % FW_PAGE_SIZE), src);
	fw_frame_put(fr);
	return err;
}

/* Copy n bytes of the page at off (a block's start) into the file's
 * block there. inode->lock held. */
static int write_block_from(struct inode *ino, uint64_t off, size_t n,
			    struct fw_frame *fr, size_t in)
{
	struct bref r;
	struct fw_buf dst;
	int err = block_for_write(ino, off, n, &r);

	if (err)
		return err;
	err = fw_buf_sub(r.data, 0, n, &dst);
	if (!err)
		err = fw_frame_read(fr, in, dst);
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err;
}

int ext2_writepage(struct inode *ino, uint64_t idx, struct fw_frame *fr)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint64_t start = idx * FW_PAGE_SIZE;
	int err = 0;

	if (s->rdonly)
		return -EROFS;
	/* Only the part below i_size (none if truncated meanwhile): what a
	 * mapping wrote past the end of the file is not the file's (Linux
	 * zeroes it when it writes). Straight from the frame to the block
	 * cache: write-back runs when memory is short. */
	ext2_jstart(s);
	for (uint32_t in = 0; !err && in < FW_PAGE_SIZE && start + in < ino->size;
	     in += s->bs) {
		uint64_t left = ino->size - (start + in);

		err = write_block_from(ino, start + in,
				       left < s->bs ? (size_t)left : s->bs, fr, in);
	}
	/* New blocks for holes change i_blocks; the times changed when
	 * the page was mapped writable. */
	if (!err && start < ino->size)
		err = ext2_write_inode(ino);
	ext2_jstop(s);
	return err;
}

/* An extent file's holes among the blocks of [off, off + len) get their
 * blocks in runs first (one extent, one bitmap change, for what the
 * block-at-a-time path below would allocate one by one). Failures are
 * left to that path to meet and report. inode->lock held. */
static void prealloc(struct inode *ino, uint64_t off, size_t len)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint64_t lb, last;

	if (!(ino->ext2->flags & EXT4_EXTENTS_FL) || len == 0 || off >= s->max_size)
		return;
	if (len > s->max_size - off)
		len = (size_t)(s->max_size - off);
	last = (off + len - 1) / s->bs;
	for (lb = off / s->bs; lb <= last;) {
		unsigned got = 0;

		if (ext2_ext_alloc_run(ino, lb, (unsigned)(last - lb + 1), &got) || got == 0)
			return;
		lb += got;
	}
}

/* A write from user memory or (splice, copy_file_range) a kernel buffer.
 * The latter is always buffered: O_DIRECT's alignment rules are about
 * the user's buffer, and the page cache keeps the bytes coherent. */
static long ext2_write_src(struct file *f, const struct vfs_wsrc *src,
			   size_t len, uint64_t *pos)
{
	struct inode *ino = f->path.inode;
	struct ext2_sb *s = EXT2_SB(ino);
	bool append = atomic_load(&f->flags) & O_APPEND;
	bool direct = !src->kernel && (atomic_load(&f->flags) & O_DIRECT);
	fw_uptr_t buf = src->user;
	struct fw_buf bounce;
	struct write_spares spares = { .n = 0 };
	uint64_t off = *pos;
	size_t done = 0;
	long ret = 0;
	int err;

	if (s->rdonly)
		return -EROFS;
	if (direct && !direct_aligned(buf, len, append ? 0 : off))
		return -EINVAL;
	/* The limits cut len once, at the offset the write starts from (an
	 * appender racing another sees the size at this moment); the loop
	 * still stops at the file system's maximum. */
	fw_mutex_lock(&ino->lock);
	err = vfs_write_limits(append ? ino->size : off, s->max_size, &len);
	fw_mutex_unlock(&ino->lock);
	if (err)
		return err;
	if (len == 0)
		return 0;
	err = vfs_bounce_alloc(RW_CHUNK, &bounce);
	if (err)
		return err;
	while (done < len && !ret) {
		size_t chunk = fw_buf_len(bounce);
		size_t want = len - done < chunk ? len - done : chunk;
		size_t put = 0;
		unsigned missing;
		struct fw_buf part;

		/* The user's bytes first, with no lock held (the copy may
		 * fault on a mapping of this file). */
		err = fw_buf_sub(bounce, 0, want, &part);
		if (!err)
			err = vfs_wsrc_copy(src, done, part);
		if (err) {
			ret = err;
			break;
		}
		fw_mutex_lock(&ino->lock);
		if (append)
			off = ino->size;
		/* Pages written in part stay cached (not with O_DIRECT):
		 * frames for those that are not, allocated without the lock
		 * (reclaim may want it). */
		spares.from = off;
		spares.to = off + want;
		missing = direct ? 0 : pages_missing(ino, &spares);
		if (missing > spares.n) {
			fw_mutex_unlock(&ino->lock);
			spares_fill(&spares, missing);
			fw_mutex_lock(&ino->lock);
			if (append)
				off = ino->size;
			spares.from = off;
			spares.to = off + want;
		}
		if (direct && off % BLKDEV_SECTOR) { /* appending at an odd size */
			fw_mutex_unlock(&ino->lock);
			ret = -EINVAL;
			break;
		}
		/* One journal handle per chunk: its new blocks, the data
		 * they get and the size that covers them commit together. */
		ext2_jstart(s);
		prealloc(ino, off, want);
		while (put < want) {
			size_t boff = (size_t)(off % s->bs), n = s->bs - boff;
			struct fw_bytes piece;

			if (off >= s->max_size) {
				ret = -EFBIG;
				break;
			}
			if (n > want - put)
				n = want - put;
			if (n > s->max_size - off)
				n = (size_t)(s->max_size - off);
			err = fw_bytes_sub(fw_buf_as_bytes(bounce), put, n, &piece);
			if (!err)
				err = write_block(ino, off, piece);
			if (!err && off + n > ino->size)
				ino->size = off + n;
			if (!err)
				err = cache_update(ino, off, piece, &spares);
			if (err) {
				ret = err;
				break;
			}
			put += n;
			off += n;
		}
		/* The chunk's new blocks and size, in the inode record (and,
		 * with a journal, in the handle that allocated them). */
		if (put || ret) {
			err = ext2_write_inode(ino);
			if (err && !ret)
				ret = err;
		}
		ext2_jstop(s);
		fw_mutex_unlock(&ino->lock);
		done += put;
	}
	fw_buf_free(&bounce);
	spares_free(&spares);
	if (direct && done) {
		/* On the device before the call returns, and out of the
		 * page cache (cached pages got the bytes too, for mappings
		 * that hold them; those nobody maps go). */
		err = bcache_write_out(s->dev);
		if (err && !ret)
			ret = err;
		pcache_drop_range(ino, (off - done) / FW_PAGE_SIZE,
				  (off - 1) / FW_PAGE_SIZE);
	}
	if (done) {
		inode_touch(ino, false, true, true);
		/* Writing drops set-user-ID (Linux file_remove_privs). */
		if (ino->mode & (S_ISUID | S_ISGID))
			ino->mode &= ~(uint32_t)S_ISUID;
		err = ext2_write_inode(ino);
		if (err && !ret)
			ret = err;
	}
	*pos = off;
	return done ? (long)done : ret;
}

int ext2_truncate(struct inode *ino, uint64_t size)
{
	struct ext2_sb *s = EXT2_SB(ino);
	bool shrink;
	int err = 0;

	if (s->rdonly)
		return -EROFS;
	if (size > s->max_size)
		return -EFBIG;
	fw_mutex_lock(&ino->lock);
	ext2_jstart(s);
	shrink = size < ino->size;
	pcache_resize(ino, ino->size, size);
	if (size < ino->size) {
		err = ext2_trunc_blocks(ino, (size + s->bs - 1) / s->bs);
		if (!err)
			err = ext2_zero_tail(ino, size);
	} else if (size > ino->size) {
		err = ext2_zero_tail(ino, ino->size);
	}
	if (!err) {
		ino->size = size;
		inode_touch(ino, false, true, true);
		err = ext2_write_inode(ino);
	}
	ext2_jstop(s);
	fw_mutex_unlock(&ino->lock);
	/* Mappings lose the pages past the end (they were dropped from the
	 * cache above): the next access there is SIGBUS. */
	if (shrink)
		vfs_unmap_mapping(ino, size);
	return err;
}

static long ext2_write(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct vfs_wsrc src = { .user = buf };

	return ext2_write_src(f, &src, len, pos);
}

static long ext2_write_kbuf(struct file *f, struct fw_bytes b, uint64_t *pos)
{
	struct vfs_wsrc src = { .kernel = true, .kbuf = b };

	return ext2_write_src(f, &src, fw_bytes_len(b), pos);
}

static long ext2_read_kbuf(struct file *f, struct fw_buf dst, uint64_t *pos)
{
	long n = ext2_read_kernel(f->path.inode, *pos, dst);

	if (n > 0) {
		*pos += (uint64_t)n;
		touch_atime(f->path.inode);
	}
	return n;
}

const struct file_ops ext2_file_ops = {
	.read = ext2_read,
	.write = ext2_write,
	.read_kbuf = ext2_read_kbuf,
	.write_kbuf = ext2_write_kbuf,
	.llseek = vfs_file_llseek,
};
