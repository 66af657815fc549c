/* services/fs/ext2/file.c: regular-file data: read, write, llseek,
 * truncate, kernel reads (exec) and page copies for mmap.
 *
 * Layer: services (safe C), ext2. File bytes live in the block cache;
 * unallocated blocks (holes) read as zeros. Invariant: the bytes of the
 * last block past i_size are zero (new blocks are zeroed, truncate clears
 * the tail), so extending a file exposes zeros.
 *
 * Neither read nor write holds inode->lock while touching user memory: a
 * copy may fault on a mapping of this very file, and that fault takes
 * inode->lock in ext2_get_page. So both go through a 16 KiB kernel
 * bounce buffer: a read copies the blocks' bytes into it under the lock
 * (a block freed by a concurrent truncate and reused by another file can
 * never leak into this reader) and to the user after dropping it; a write
 * copies the user's bytes in first, then takes the lock to allocate and
 * fill the blocks. So a write is atomic per 16 KiB, not per call (Linux
 * holds i_rwsem across the call; its page-cache copy can fault under it
 * because its fault path does not take i_rwsem).
 *
 * mmap gets a private copy of the page (ext2_get_page): fine for
 * MAP_PRIVATE and read-only MAP_SHARED (exec), not coherent with later
 * writes; see vfs_mmap_check for shared writable mappings. */
#include <fw/frame.h>
#include <fw/heap.h>
#include <fw/log.h>

#include "fs/ext2/ext2.h"

#define MAX_RW_COUNT 0x7ffff000ul

/* Under inode->lock: the bytes at off (n of them, inside one block) as a
 * referenced block, or r->b NULL for a hole. */
static int map_read(struct inode *ino, uint64_t off, struct bref *r)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint32_t blk;
	int err = ext2_bmap(ino, off / s->bs, false, &blk, NULL);

	r->b = NULL;
	if (err || !blk)
		return err;
	return bcache_get(s->dev, blk, s->bs, true, r);
}

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

/* Bytes moved per lock hold: several blocks, so a large read or write
 * takes the lock, looks up the block map and copies to or from the user
 * once per 16 KiB, not once per block. */
#define RW_CHUNK 16384u

/* A mapped run of consecutive blocks (ext2_bmap_run). */
struct map_run {
	uint64_t lblk;			/* first logical block */
	uint32_t pblk;			/* its physical block, 0: a hole */
	unsigned n;			/* blocks in the run */
};

/* Copy the file's bytes at o into dst at `at`: at most max, from one
 * block, or from a whole 4 KiB cache unit where the run covers one, so
 * a 1 KiB-block file is read a unit at a time. Returns the bytes copied
 * or -errno. inode->lock held. */
static long read_piece(struct inode *ino, uint64_t o, size_t max,
		       struct map_run *run, struct fw_buf dst, size_t at)
{
	struct ext2_sb *s = EXT2_SB(ino);
	uint64_t lb = o / s->bs, pb;
	unsigned per = BCACHE_UNIT / s->bs;
	size_t ps = s->bs, boff = (size_t)(o % s->bs), n;
	struct bref r;
	struct fw_bytes part;
	int err;

	if (lb < run->lblk || lb >= run->lblk + run->n) {
		run->lblk = lb;
		err = ext2_bmap_run(ino, lb, RW_CHUNK / s->bs + 1, &run->pblk,
				    &run->n);
		if (err)
			return err;
	}
	pb = run->pblk ? run->pblk + (lb - run->lblk) : 0;
	if (pb && per > 1 && boff == 0 && pb % per == 0 &&
	    lb + per <= run->lblk + run->n && max >= BCACHE_UNIT)
		ps = BCACHE_UNIT;
	n = ps - boff < max ? ps - boff : max;
	if (!pb)
		return fw_buf_fill(dst, at, n, 0) ? -EIO : (long)n; /* hole */
	err = bcache_get(s->dev, ps == s->bs ? pb : pb / per, (unsigned)ps,
			 true, &r);
	if (err)
		return err;
	err = fw_bytes_sub(fw_buf_as_bytes(r.data), boff, n, &part);
	if (!err)
		err = fw_buf_copy_from(dst, at, part);
	bref_put(&r);
	return err ? err : (long)n;
}

static long ext2_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct inode *ino = f->path.inode;
	uint64_t off = *pos;
	size_t done = 0;
	struct fw_buf bounce;
	struct map_run run = { 0, 0, 0 };
	int err = fw_buf_alloc(RW_CHUNK, &bounce);

	if (err)
		return err;
	while (done < len && !err) {
		size_t got = 0;
		struct fw_buf kpart;

		/* The blocks' bytes go to the bounce buffer under the lock:
		 * once it drops, a truncate may free a block and another
		 * file may get it, whose data must not reach this reader. */
		fw_mutex_lock(&ino->lock);
		while (got < RW_CHUNK && done + got < len &&
		       off + got < ino->size) {
			uint64_t o = off + got;
			size_t max = len - done - got;
			long n;

			if (max > ino->size - o)
				max = (size_t)(ino->size - o);
			if (max > RW_CHUNK - got)
				max = RW_CHUNK - got;
			n = read_piece(ino, o, max, &run, bounce, got);
			if (n < 0) {
				err = (int)n;
				break;
			}
			got += (size_t)n;
		}
		fw_mutex_unlock(&ino->lock);
		if (got == 0)
			break;
		if (fw_buf_sub(bounce, 0, got, &kpart) ||
		    fw_copy_out(fw_uptr_add(buf, done), fw_buf_as_bytes(kpart))) {
			err = -EFAULT;
			break;
		}
		done += got;
		off += got;
	}
	fw_buf_free(&bounce);
	if (err && !done)
		return err;
	*pos = off;
	if (done)
		touch_atime(ino);
	return (long)done;
}

long ext2_read_kernel(struct inode *ino, uint64_t off, struct fw_buf dst)
{
	struct ext2_sb *s = EXT2_SB(ino);
	size_t len = fw_buf_len(dst), done = 0;

	fw_mutex_lock(&ino->lock);
	while (done < len && off < ino->size) {
		size_t boff = (size_t)(off % s->bs), n = s->bs - boff;
		struct bref r;
		struct fw_buf out;
		struct fw_bytes part;
		int err;

		if (n > len - done)
			n = len - done;
		if (n > ino->size - off)
			n = (size_t)(ino->size - off);
		err = map_read(ino, off, &r);
		if (!err)
			err = fw_buf_sub(dst, done, n, &out);
		if (!err && r.b) {
			err = fw_bytes_sub(fw_buf_as_bytes(r.data), boff, n, &part);
			if (!err)
				err = fw_buf_copy_from(out, 0, part);
		} else if (!err) {
			err = fw_buf_fill(out, 0, n, 0);
		}
		bref_put(&r);
		if (err) {
			fw_mutex_unlock(&ino->lock);
			return done ? (long)done : err;
		}
		done += n;
		off += n;
	}
	fw_mutex_unlock(&ino->lock);
	return (long)done;
}

int ext2_get_page(struct inode *ino, uint64_t pgoff, struct fw_frame **out)
{
	struct ext2_sb *s = EXT2_SB(ino);
	struct fw_frame *fr;
	uint64_t start = pgoff * FW_PAGE_SIZE;
	int err = fw_frame_alloc(FW_FRAME_ZERO, &fr);

	if (err)
		return err;
	fw_mutex_lock(&ino->lock);
	if (pgoff >= (ino->size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE) {
		err = -ENXIO;
		goto out_unlock;
	}
	for (uint32_t in = 0; in < FW_PAGE_SIZE && start + in < ino->size; in += s->bs) {
		uint64_t left = ino->size - (start + in);
		size_t n = left < s->bs ? (size_t)left : s->bs;
		struct bref r;
		struct fw_bytes part;

		err = map_read(ino, start + in, &r);
		if (err)
			break;
		if (!r.b)
			continue; /* hole: the frame is zeroed */
		err = fw_bytes_sub(fw_buf_as_bytes(r.data), 0, n, &part);
		if (!err)
			err = fw_frame_write(fr, in, part);
		bref_put(&r);
		if (err)
			break;
	}
out_unlock:
	fw_mutex_unlock(&ino->lock);
	if (err) {
		fw_frame_put(fr);
		return err;
	}
	*out = fr;
	return 0;
}

/* Write the bounce buffer's n bytes at off (inside one block).
 * inode->lock held. */
static int write_block(struct inode *ino, uint64_t off, struct fw_bytes src)
{
	struct ext2_sb *s = EXT2_SB(ino);
	size_t boff = (size_t)(off % s->bs), n = fw_bytes_len(src);
	uint32_t blk;
	bool fresh;
	struct bref r;
	int err = ext2_bmap(ino, off / s->bs, true, &blk, &fresh);

	if (err)
		return err;
	/* A block being overwritten whole need not be read first. */
	err = bcache_get(s->dev, blk, s->bs, !(fresh || n == s->bs), &r);
	if (err)
		return err;
	if (fresh && n != s->bs)
		err = fw_buf_fill(r.data, 0, s->bs, 0);
	if (!err)
		err = fw_buf_copy_from(r.data, boff, src);
	if (!err)
		bref_dirty(&r);
	bref_put(&r);
	return err;
}

static long ext2_write(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct inode *ino = f->path.inode;
	struct ext2_sb *s = EXT2_SB(ino);
	bool append = atomic_load(&f->flags) & O_APPEND;
	struct fw_buf bounce;
	uint64_t off = *pos;
	size_t done = 0;
	long ret = 0;
	int err;

	if (s->rdonly)
		return -EROFS;
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
	err = fw_buf_alloc(RW_CHUNK, &bounce);
	if (err)
		return err;
	while (done < len && !ret) {
		size_t want = len - done < RW_CHUNK ? len - done : RW_CHUNK;
		size_t put = 0;
		struct fw_buf part;

		/* The user's bytes first, with no lock held (the copy may
		 * fault on a mapping of this file). */
		err = fw_buf_sub(bounce, 0, want, &part);
		if (!err && fw_copy_in(part, fw_uptr_add(buf, done)))
			err = -EFAULT;
		if (err) {
			ret = err;
			break;
		}
		fw_mutex_lock(&ino->lock);
		if (append)
			off = ino->size;
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
			if (err) {
				ret = err;
				break;
			}
			if (off + n > ino->size)
				ino->size = off + n;
			put += n;
			off += n;
		}
		fw_mutex_unlock(&ino->lock);
		done += put;
	}
	fw_buf_free(&bounce);
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
	int err = 0;

	if (s->rdonly)
		return -EROFS;
	if (size > s->max_size)
		return -EFBIG;
	fw_mutex_lock(&ino->lock);
	if (size < ino->size) {
		err = ext2_trunc_blocks(ino, (size + s->bs - 1) / s->bs);
		if (!err)
			err = ext2_zero_tail(ino, size);
	} else if (size > ino->size) {
		err = ext2_zero_tail(ino, ino->size);
	}
	if (!err)
		ino->size = size;
	fw_mutex_unlock(&ino->lock);
	if (err)
		return err;
	inode_touch(ino, false, true, true);
	return ext2_write_inode(ino);
}

const struct file_ops ext2_file_ops = {
	.read = ext2_read,
	.write = ext2_write,
	.llseek = vfs_file_llseek,
};
