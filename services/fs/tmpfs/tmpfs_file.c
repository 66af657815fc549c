/* services/fs/tmpfs/tmpfs_file.c: tmpfs regular-file data.
 *
 * Layer: services (safe C), tmpfs. A file's bytes live in frames found
 * through a two-level table (struct tmpfs_pages). Absent pages are holes
 * and read as zeros; writes allocate them. Invariant: the bytes of the last
 * page beyond i_size are zero (truncate clears them), so growing a file by
 * truncate or by writing further on exposes zeros, as POSIX requires.
 *
 * Reads take a reference on one page at a time under inode->lock and copy
 * with the lock dropped, so a read into a user buffer that faults on a
 * mapping of the same file cannot deadlock. Writes hold inode->lock for the
 * whole call, which makes O_APPEND and concurrent writes atomic per call
 * (Linux holds i_rwsem the same way). */
#include <fw/heap.h>
#include <fw/log.h>

#include "fs/tmpfs/tmpfs.h"

#define MAX_RW_COUNT 0x7ffff000ul /* Linux: INT_MAX & PAGE_MASK */

static struct fw_frame *page_lookup(struct inode *ino, uint64_t idx)
{
	uint64_t li = idx / TMPFS_LEAF_PAGES;
	struct tmpfs_leaf *leaf;

	if (!ino->pages || li >= TMPFS_LEAVES)
		return NULL;
	leaf = ino->pages->leaf[li];
	return leaf ? leaf->pg[idx % TMPFS_LEAF_PAGES] : NULL;
}

/* The page at idx, allocated (zeroed) if absent. inode->lock held.
 * no_frame is what a frame the allocator cannot give says: -ENOSPC for
 * writes (a full tmpfs, which programs take in their stride: stress-ng's
 * hdd stressor does, ENOMEM it counts as a failure), -ENOMEM for a page
 * fault, where the OOM killer then makes room (services/proc/oom.c). */
static int page_get_alloc(struct inode *ino, uint64_t idx, int no_frame,
			  struct fw_frame **out)
{
	uint64_t li = idx / TMPFS_LEAF_PAGES;
	struct tmpfs_leaf *leaf;
	struct fw_frame *fr;
	int err;

	if (li >= TMPFS_LEAVES)
		return -EFBIG;
	if (!ino->pages) {
		ino->pages = FW_NEW(struct tmpfs_pages);
		if (!ino->pages)
			return -ENOMEM;
	}
	leaf = ino->pages->leaf[li];
	if (!leaf) {
		leaf = FW_NEW(struct tmpfs_leaf);
		if (!leaf)
			return -ENOMEM;
		ino->pages->leaf[li] = leaf;
	}
	fr = leaf->pg[idx % TMPFS_LEAF_PAGES];
	if (!fr) {
		uint64_t max = atomic_load(&ino->sb->max_pages);

		/* The size= limit (half of RAM by default): a full tmpfs
		 * says ENOSPC long before memory runs out for everyone. */
		if (atomic_fetch_add(&ino->sb->nr_pages, 1) >= max && max) {
			atomic_fetch_sub(&ino->sb->nr_pages, 1);
			return -ENOSPC;
		}
		err = fw_frame_alloc(FW_FRAME_ZERO, &fr);
		if (err) {
			atomic_fetch_sub(&ino->sb->nr_pages, 1);
			return no_frame;
		}
		leaf->pg[idx % TMPFS_LEAF_PAGES] = fr;
	}
	*out = fr;
	return 0;
}

/* Drop every page at index >= first. inode->lock held (or last ref). */
static void pages_free_from(struct inode *ino, uint64_t first)
{
	if (!ino->pages)
		return;
	for (uint64_t li = first / TMPFS_LEAF_PAGES; li < TMPFS_LEAVES; li++) {
		struct tmpfs_leaf *leaf = ino->pages->leaf[li];
		uint64_t from = 0;

		if (!leaf)
			continue;
		if (li == first / TMPFS_LEAF_PAGES)
			from = first % TMPFS_LEAF_PAGES;
		for (uint64_t i = from; i < TMPFS_LEAF_PAGES; i++) {
			if (leaf->pg[i]) {
				fw_frame_put(leaf->pg[i]);
				leaf->pg[i] = NULL;
				atomic_fetch_sub(&ino->sb->nr_pages, 1);
			}
		}
		if (from == 0) {
			fw_free(leaf);
			ino->pages->leaf[li] = NULL;
		}
	}
	if (first == 0) {
		fw_free(ino->pages);
		ino->pages = NULL;
	}
}

void tmpfs_free_pages(struct inode *ino);
void tmpfs_free_pages(struct inode *ino)
{
	pages_free_from(ino, 0);
}

/* Zero bytes [from, end of page) of the page holding from. */
static void zero_page_tail(struct inode *ino, uint64_t from)
{
	static const uint8_t zeros[256];
	struct fw_frame *fr = page_lookup(ino, from / FW_PAGE_SIZE);
	size_t off = from % FW_PAGE_SIZE;

	if (!fr || off == 0)
		return;
	while (off < FW_PAGE_SIZE) {
		size_t n = FW_PAGE_SIZE - off;
		struct fw_bytes z;

		if (n > sizeof(zeros))
			n = sizeof(zeros);
		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(zeros), 0, n, &z) ||
		    fw_frame_write(fr, off, z))
			return;
		off += n;
	}
}

/* inode->lock held. */
static int truncate_locked(struct inode *ino, uint64_t size)
{
	if (size > TMPFS_MAX_FILE_SIZE)
		return -EFBIG;
	if (size < ino->size) {
		pages_free_from(ino, (size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE);
		zero_page_tail(ino, size);
	}
	ino->size = size;
	return 0;
}

/* What the seals forbid of a write or size change to [off, end) (Linux
 * shmem): -EPERM, or 0. inode->lock held. */
static int seals_forbid(const struct inode *ino, uint64_t end, bool write)
{
	if (write && (ino->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	if ((ino->seals & F_SEAL_GROW) && end > ino->size)
		return -EPERM;
	if ((ino->seals & F_SEAL_SHRINK) && !write && end < ino->size)
		return -EPERM;
	return 0;
}

int tmpfs_truncate(struct inode *ino, uint64_t size)
{
	bool shrink;
	int err;

	fw_mutex_lock(&ino->lock);
	shrink = size < ino->size;
	err = seals_forbid(ino, size, false);
	if (!err)
		err = truncate_locked(ino, size);
	fw_mutex_unlock(&ino->lock);
	if (err)
		return err;
	/* Mappings lose the freed pages: the next access is SIGBUS. */
	if (shrink)
		vfs_unmap_mapping(ino, size);
	inode_touch(ino, false, true, true);
	return 0;
}

int tmpfs_fallocate(struct inode *ino, int mode, uint64_t off, uint64_t len)
{
	struct fw_frame *fr;
	uint64_t end;
	int err = 0;

	if (len == 0 || off > TMPFS_MAX_FILE_SIZE ||
	    len > TMPFS_MAX_FILE_SIZE - off)
		return len == 0 ? -EINVAL : -EFBIG;
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP; /* punching holes is not supported yet */
	end = off + len;
	fw_mutex_lock(&ino->lock);
	if (!(mode & FALLOC_FL_KEEP_SIZE))
		err = seals_forbid(ino, end > ino->size ? end : ino->size, false);
	for (uint64_t i = off / FW_PAGE_SIZE; !err && i < (end + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE; i++) {
		err = page_get_alloc(ino, i, -ENOSPC, &fr);
		if (err)
			break;
	}
	if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size)
		ino->size = end;
	fw_mutex_unlock(&ino->lock);
	return err;
}

int tmpfs_get_page(struct inode *ino, uint64_t pgoff, bool alloc,
		   struct fw_frame **out)
{
	struct fw_frame *fr;
	int err = 0;

	fw_mutex_lock(&ino->lock);
	if (pgoff >= (ino->size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE) {
		err = -ENXIO;
		goto out_unlock;
	}
	fr = page_lookup(ino, pgoff);
	if (!fr) {
		if (!alloc) {
			err = -ENOENT;
			goto out_unlock;
		}
		err = page_get_alloc(ino, pgoff, -ENOMEM, &fr);
		if (err)
			goto out_unlock;
	}
	fw_frame_get(fr);
	*out = fr;
out_unlock:
	fw_mutex_unlock(&ino->lock);
	return err;
}

int tmpfs_page_peek(struct inode *ino, uint64_t pgoff, struct fw_frame **out)
{
	struct fw_frame *fr = NULL;

	if (!fw_mutex_trylock(&ino->lock))
		return -ENOENT;
	if (pgoff < (ino->size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE)
		fr = page_lookup(ino, pgoff);
	if (fr)
		fw_frame_get(fr);
	fw_mutex_unlock(&ino->lock);
	if (!fr)
		return -ENOENT;
	*out = fr;
	return 0;
}

long tmpfs_read_kernel(struct inode *ino, uint64_t off, struct fw_buf dst)
{
	size_t len = fw_buf_len(dst), done = 0;

	fw_mutex_lock(&ino->lock);
	while (done < len && off < ino->size) {
		size_t pgoff = off % FW_PAGE_SIZE;
		size_t n = FW_PAGE_SIZE - pgoff;
		struct fw_frame *fr = page_lookup(ino, off / FW_PAGE_SIZE);
		struct fw_buf part;
		int err;

		if (n > len - done)
			n = len - done;
		if (n > ino->size - off)
			n = (size_t)(ino->size - off);
		err = fw_buf_sub(dst, done, n, &part);
		if (!err)
			err = fr ? fw_frame_read(fr, pgoff, part)
				 : fw_buf_fill(part, 0, n, 0);
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

int tmpfs_write_kernel(struct inode *ino, uint64_t off, struct fw_bytes src)
{
	size_t len = fw_bytes_len(src), done = 0;
	int err = 0;

	if (off > TMPFS_MAX_FILE_SIZE || len > TMPFS_MAX_FILE_SIZE - off)
		return -EFBIG;
	fw_mutex_lock(&ino->lock);
	err = seals_forbid(ino, off + len, true);
	while (!err && done < len) {
		size_t pgoff = off % FW_PAGE_SIZE;
		size_t n = FW_PAGE_SIZE - pgoff;
		struct fw_frame *fr;
		struct fw_bytes part;

		if (n > len - done)
			n = len - done;
		err = page_get_alloc(ino, off / FW_PAGE_SIZE, -ENOSPC, &fr);
		if (!err)
			err = fw_bytes_sub(src, done, n, &part);
		if (!err)
			err = fw_frame_write(fr, pgoff, part);
		if (err)
			break;
		done += n;
		off += n;
		if (off > ino->size)
			ino->size = off;
	}
	fw_mutex_unlock(&ino->lock);
	return err;
}

static long tmpfs_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct inode *ino = f->path.inode;
	uint64_t off = *pos;
	size_t done = 0;

	while (done < len) {
		struct fw_frame *fr;
		size_t pgoff = off % FW_PAGE_SIZE, n = FW_PAGE_SIZE - pgoff;
		int err;

		fw_mutex_lock(&ino->lock);
		if (off >= ino->size) {
			fw_mutex_unlock(&ino->lock);
			break;
		}
		if (n > len - done)
			n = len - done;
		if (n > ino->size - off)
			n = (size_t)(ino->size - off);
		fr = page_lookup(ino, off / FW_PAGE_SIZE);
		if (fr)
			fw_frame_get(fr);
		fw_mutex_unlock(&ino->lock);
		if (fr) {
			err = fw_frame_copy_out(fw_uptr_add(buf, done), fr, pgoff, n);
			fw_frame_put(fr);
		} else {
			err = fw_clear_user(fw_uptr_add(buf, done), n);
		}
		if (err) {
			if (!done)
				return -EFAULT;
			break;
		}
		done += n;
		off += n;
	}
	*pos = off;
	return (long)done;
}

/* A write copies the user's bytes into a kernel buffer first, with no lock
 * held, 16 KiB at a time, and then takes ino->lock to put them in the
 * pages: the copy may fault on a mapping of this very file, and that
 * fault takes ino->lock (tmpfs_get_page). So a write is atomic per 16 KiB,
 * as ext2's (Linux holds i_rwsem across the call; its shmem fault does not
 * take it). Found by trinity: write(fd, a mapping of fd's file) was a
 * recursive-lock panic. */
#define TMPFS_RW_CHUNK 16384u

/* Put src at off (ino->lock held); the bytes put, or -errno if none. */
static long put_bytes(struct inode *ino, uint64_t off, struct fw_bytes src)
{
	size_t put = 0, len = fw_bytes_len(src);

	while (put < len) {
		size_t pgoff = (off + put) % FW_PAGE_SIZE, n = FW_PAGE_SIZE - pgoff;
		struct fw_bytes piece;
		struct fw_frame *fr;
		int err;

		if (n > len - put)
			n = len - put;
		err = page_get_alloc(ino, (off + put) / FW_PAGE_SIZE, -ENOSPC,
				     &fr);
		if (!err)
			err = fw_bytes_sub(src, put, n, &piece);
		if (!err)
			err = fw_frame_write(fr, pgoff, piece);
		if (err)
			return put ? (long)put : err;
		put += n;
		if (off + put > ino->size)
			ino->size = off + put;
	}
	return (long)put;
}

/* A read into a kernel buffer (splice, copy_file_range). */
static long tmpfs_read_kbuf(struct file *f, struct fw_buf dst, uint64_t *pos)
{
	long n = tmpfs_read_kernel(f->path.inode, *pos, dst);

	if (n > 0)
		*pos += (uint64_t)n;
	return n;
}

static long tmpfs_write_src(struct file *f, const struct vfs_wsrc *src,
			    size_t len, uint64_t *pos)
{
	struct inode *ino = f->path.inode;
	bool append = atomic_load(&f->flags) & O_APPEND;
	struct fw_buf bounce;
	uint64_t off = *pos;
	size_t done = 0;
	long ret;

	fw_mutex_lock(&ino->lock);
	ret = vfs_write_limits(append ? ino->size : off, TMPFS_MAX_FILE_SIZE, &len);
	fw_mutex_unlock(&ino->lock);
	if (ret || len == 0)
		return ret;
	ret = vfs_bounce_alloc(len < TMPFS_RW_CHUNK ? len : TMPFS_RW_CHUNK, &bounce);
	if (ret)
		return ret;
	while (done < len) {
		size_t chunk = fw_buf_len(bounce);
		size_t want = len - done < chunk ? len - done : chunk;
		struct fw_buf part;
		long put;

		if (fw_buf_sub(bounce, 0, want, &part) ||
		    vfs_wsrc_copy(src, done, part)) {
			ret = -EFAULT;
			break;
		}
		fw_mutex_lock(&ino->lock);
		if (append)
			off = ino->size;
		/* Sealed against growth, a write stops at the end (Linux
		 * writes page by page and stops at the first that would
		 * grow the file). */
		put = 0;
		if ((ino->seals & F_SEAL_GROW) && off < ino->size &&
		    off + want > ino->size) {
			want = (size_t)(ino->size - off);
			put = fw_buf_sub(part, 0, want, &part);
		}
		if (!put)
			put = seals_forbid(ino, off + want, true);
		if (!put)
			put = put_bytes(ino, off, fw_buf_as_bytes(part));
		fw_mutex_unlock(&ino->lock);
		if (put < 0) {
			ret = put;
			break;
		}
		done += (size_t)put;
		off += (uint64_t)put;
		if ((size_t)put < want)
			break;
	}
	fw_buf_free(&bounce);
	if (done) {
		inode_touch(ino, false, true, true);
		/* Writing drops set-user-ID (Linux file_remove_privs). */
		if (ino->mode & (S_ISUID | S_ISGID))
			ino->mode &= ~(uint32_t)S_ISUID;
	}
	*pos = off;
	return done ? (long)done : ret;
}

static long tmpfs_write(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct vfs_wsrc src = { .user = buf };

	return tmpfs_write_src(f, &src, len, pos);
}

static long tmpfs_write_kbuf(struct file *f, struct fw_bytes b, uint64_t *pos)
{
	struct vfs_wsrc src = { .kernel = true, .kbuf = b };

	return tmpfs_write_src(f, &src, fw_bytes_len(b), pos);
}

const struct file_ops tmpfs_file_ops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.read_kbuf = tmpfs_read_kbuf,
	.write_kbuf = tmpfs_write_kbuf,
	.llseek = vfs_file_llseek,
};
