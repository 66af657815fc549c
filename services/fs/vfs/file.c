/* services/fs/vfs/file.c: open files: creation, reference counting, and the
 * generic read/write paths.
 *
 * Layer: services (safe C), VFS. */
#include <fw/heap.h>

#include "fs/vfs/vfs.h"
#include "fs/vfs/blkdev_file.h"
#include "fs/cache/pagecache.h"
#include "fs/vfs/chardev.h"
#include "fs/event/epoll.h"
#include "fs/notify/fsnotify.h"
#include "fs/vfs/namei.h"
#include "fs/pipe/pipe.h"
#include "fs/tmpfs/tmpfs.h"

#define MAX_RW_COUNT 0x7ffff000ul /* Linux: INT_MAX & PAGE_MASK */

int fifo_prepare(struct inode *ino);

/* O_PATH files: a handle on a place in the tree, no I/O. */
static const struct file_ops path_ops;

struct file *file_alloc(const struct vfs_path *p, const struct file_ops *ops,
			unsigned flags)
{
	struct file *f = FW_NEW(struct file);
	unsigned acc = flags & O_ACCMODE;

	if (!f)
		return NULL;
	atomic_init(&f->refs, 1);
	f->ops = ops;
	f->path = *p;
	vfs_path_get(&f->path);
	/* O_NOCTTY stays until the open method has seen it (a terminal
	 * opened by a session leader becomes its controlling terminal
	 * unless asked not to); vfs_open_path drops it after, as Linux's
	 * do_dentry_open does. */
	atomic_init(&f->flags, flags & ~(unsigned)(O_CREAT | O_EXCL |
						   O_TRUNC | O_CLOEXEC));
	if (flags & O_PATH)
		f->fmode = FMODE_PATH;
	else if (acc == O_RDONLY)
		f->fmode = FMODE_READ;
	else if (acc == O_WRONLY)
		f->fmode = FMODE_WRITE;
	else if (acc == O_RDWR)
		f->fmode = FMODE_READ | FMODE_WRITE;
	fw_mutex_init(&f->pos_lock, "file_pos");
	fw_list_init(&f->ep_links);
	atomic_init(&f->ep_count, 0);
	return f;
}

void file_get(struct file *f)
{
	atomic_fetch_add(&f->refs, 1);
}

void file_put(struct file *f)
{
	if (!f || atomic_fetch_sub(&f->refs, 1) != 1)
		return;
	/* Linux eventpoll_release: the last reference drops every epoll
	 * registration of this file before it goes. */
	if (atomic_load(&f->ep_count))
		epoll_file_release(f);
	locks_remove_file(f);
	fsnotify_close(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	vfs_path_put(&f->path);
	vfs_path_put(&f->dir);
	fw_free(f->name);
	fw_free(f);
}

void file_set_name(struct file *f, const struct vfs_path *dir,
		   const struct kname *name)
{
	if (f->name || S_ISDIR(f->path.inode->mode))
		return;
	f->name = FW_NEW(struct kname);
	if (!f->name)
		return; /* best effort: vfs_get_path says -ENOENT */
	*f->name = *name;
	f->dir = *dir;
	vfs_path_get(&f->dir);
}

bool file_is_seekable(const struct file *f)
{
	uint32_t mode = f->path.inode ? f->path.inode->mode : 0;

	return S_ISREG(mode) || S_ISDIR(mode) || S_ISBLK(mode);
}

int vfs_open_path(const struct vfs_path *p, unsigned flags, struct file **out)
{
	struct inode *ino = p->inode;
	const struct file_ops *ops = ino->fops;
	struct file *f;
	int err;

	if (flags & O_PATH) {
		f = file_alloc(p, &path_ops, O_PATH | (flags & O_NOFOLLOW));
		if (!f)
			return -ENOMEM;
		*out = f;
		return 0;
	}
	switch (ino->mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
			return -EISDIR;
		break;
	case S_IFREG:
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		break;
	case S_IFCHR:
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		ops = chardev_lookup(ino->rdev);
		if (!ops)
			return -ENXIO;
		break;
	case S_IFBLK:
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		ops = &blkdev_file_ops;
		break;
	case S_IFIFO:
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		fw_mutex_lock(&vfs_ns_lock);
		err = fifo_prepare(ino);
		fw_mutex_unlock(&vfs_ns_lock);
		if (err)
			return err;
		ops = &fifo_ops;
		break;
	default:
		return (flags & O_DIRECTORY) ? -ENOTDIR : -ENXIO;
	}
	if (!ops)
		return -ENXIO;
	/* Linux may_open: no writing on a read-only file system. */
	if (((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) &&
	    (S_ISREG(ino->mode) || S_ISDIR(ino->mode)) && ino->sb->rdonly)
		return -EROFS;
	if ((flags & O_TRUNC) && S_ISREG(ino->mode) &&
	    (flags & O_ACCMODE) != O_RDONLY) {
		err = ino->iops->truncate(ino, 0);
		if (err)
			return err;
	}
	f = file_alloc(p, ops, flags);
	if (!f)
		return -ENOMEM;
	if (ops->open) {
		err = ops->open(ino, f);
		if (err) {
			file_put(f);
			return err;
		}
	}
	atomic_fetch_and(&f->flags, ~(unsigned)O_NOCTTY);
	*out = f;
	return 0;
}

/* Linux rw_verify_area + access_ok: the count is clamped to MAX_RW_COUNT
 * and the whole buffer must lie in user space before anything is copied,
 * so a wild length fails with -EFAULT instead of scribbling over memory
 * after the buffer. */
static long rw_check(struct file *f, unsigned need, fw_uptr_t buf, size_t *len)
{
	if (!(f->fmode & need))
		return -EBADF;
	if (*len > MAX_RW_COUNT)
		*len = MAX_RW_COUNT;
	if (!fw_uptr_range_ok(buf, *len))
		return -EFAULT;
	return 0;
}

static long read_file(struct file *f, fw_uptr_t buf, size_t len)
{
	long ret = rw_check(f, FMODE_READ, buf, &len);
	uint64_t pos = 0;

	if (ret)
		return ret;
	if (S_ISDIR(f->path.inode->mode))
		return -EISDIR;
	if (!f->ops->read)
		return -EINVAL;
	if (!file_is_seekable(f))
		return f->ops->read(f, buf, len, &pos);
	fw_mutex_lock(&f->pos_lock);
	pos = f->pos;
	ret = f->ops->read(f, buf, len, &pos);
	if (ret >= 0)
		f->pos = pos;
	fw_mutex_unlock(&f->pos_lock);
	return ret;
}

static long write_file(struct file *f, fw_uptr_t buf, size_t len)
{
	long ret = rw_check(f, FMODE_WRITE, buf, &len);
	uint64_t pos = 0;

	if (ret)
		return ret;
	if (!f->ops->write)
		return -EINVAL;
	if (!file_is_seekable(f))
		return f->ops->write(f, buf, len, &pos);
	fw_mutex_lock(&f->pos_lock);
	pos = f->pos;
	ret = f->ops->write(f, buf, len, &pos);
	if (ret >= 0)
		f->pos = pos;
	fw_mutex_unlock(&f->pos_lock);
	return ret;
}

static long pread_file(struct file *f, fw_uptr_t buf, size_t len, uint64_t off)
{
	long ret = rw_check(f, FMODE_READ, buf, &len);

	if (ret)
		return ret;
	if (!f->ops->llseek)
		return -ESPIPE;
	if (S_ISDIR(f->path.inode->mode))
		return -EISDIR;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, buf, len, &off);
}

static long pwrite_file(struct file *f, fw_uptr_t buf, size_t len, uint64_t off)
{
	long ret = rw_check(f, FMODE_WRITE, buf, &len);

	if (ret)
		return ret;
	if (!f->ops->llseek)
		return -ESPIPE;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (!f->ops->write)
		return -EINVAL;
	return f->ops->write(f, buf, len, &off);
}

long vfs_read_kbuf(struct file *f, struct fw_buf dst, uint64_t *off)
{
	uint64_t pos = 0;
	long ret;

	if (!(f->fmode & FMODE_READ))
		return -EBADF;
	if (!f->ops->read_kbuf)
		return -EINVAL;
	if (fw_buf_len(dst) > MAX_RW_COUNT)
		return -EINVAL;
	if (off) {
		if (!f->ops->llseek)
			return -ESPIPE;
		if ((int64_t)*off < 0)
			return -EINVAL;
		return f->ops->read_kbuf(f, dst, off);
	}
	if (!file_is_seekable(f))
		return f->ops->read_kbuf(f, dst, &pos);
	fw_mutex_lock(&f->pos_lock);
	pos = f->pos;
	ret = f->ops->read_kbuf(f, dst, &pos);
	if (ret >= 0)
		f->pos = pos;
	fw_mutex_unlock(&f->pos_lock);
	return ret;
}

long vfs_write_kbuf(struct file *f, struct fw_bytes src, uint64_t *off)
{
	uint64_t pos = 0;
	long ret;

	if (!(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (!f->ops->write_kbuf)
		return -EINVAL;
	if (fw_bytes_len(src) > MAX_RW_COUNT)
		return -EINVAL;
	if (off) {
		if (!f->ops->llseek)
			return -ESPIPE;
		if ((int64_t)*off < 0)
			return -EINVAL;
		return f->ops->write_kbuf(f, src, off);
	}
	if (!file_is_seekable(f))
		return f->ops->write_kbuf(f, src, &pos);
	fw_mutex_lock(&f->pos_lock);
	pos = f->pos;
	ret = f->ops->write_kbuf(f, src, &pos);
	if (ret >= 0)
		f->pos = pos;
	fw_mutex_unlock(&f->pos_lock);
	return ret;
}

/* The read and write system calls' entry points: the file's operation,
 * then the inotify event (Linux fsnotify_access/fsnotify_modify: only
 * when bytes moved). */
long vfs_read(struct file *f, fw_uptr_t buf, size_t len)
{
	long ret = read_file(f, buf, len);

	if (ret > 0)
		fsnotify_file(f, IN_ACCESS);
	return ret;
}

long vfs_write(struct file *f, fw_uptr_t buf, size_t len)
{
	long ret = write_file(f, buf, len);

	if (ret > 0)
		fsnotify_file(f, IN_MODIFY);
	return ret;
}

long vfs_pread(struct file *f, fw_uptr_t buf, size_t len, uint64_t off)
{
	long ret = pread_file(f, buf, len, off);

	if (ret > 0)
		fsnotify_file(f, IN_ACCESS);
	return ret;
}

long vfs_pwrite(struct file *f, fw_uptr_t buf, size_t len, uint64_t off)
{
	long ret = pwrite_file(f, buf, len, off);

	if (ret > 0)
		fsnotify_file(f, IN_MODIFY);
	return ret;
}

long vfs_read_at(struct file *f, uint64_t off, struct fw_buf dst)
{
	struct inode *ino = f->path.inode;

	if (!ino || !S_ISREG(ino->mode))
		return -EINVAL;
	if (ino->iops && ino->iops->read_kernel)
		return ino->iops->read_kernel(ino, off, dst);
	return tmpfs_read_kernel(ino, off, dst);
}

int vfs_file_size(struct file *f, uint64_t *size)
{
	struct inode *ino = f->path.inode;

	if (!ino)
		return -EINVAL;
	fw_mutex_lock(&ino->lock);
	*size = ino->size;
	fw_mutex_unlock(&ino->lock);
	return 0;
}

int vfs_file_page(struct file *f, uint64_t pgoff, bool mapwrite,
		  struct fw_frame **out)
{
	struct inode *ino = f->path.inode;

	if (!ino || !S_ISREG(ino->mode))
		return -EACCES;
	if (ino->iops && ino->iops->get_page)
		return ino->iops->get_page(ino, pgoff, mapwrite, out);
	return tmpfs_get_page(ino, pgoff, true, out);
}

int vfs_file_page_peek(struct file *f, uint64_t pgoff, struct fw_frame **out)
{
	struct inode *ino = f->path.inode;
	struct fw_frame *fr = NULL;

	/* Disk files only: tmpfs holds its inode lock across user copies,
	 * which fault and take mm->lock, the lock our caller holds. */
	if (!ino || !S_ISREG(ino->mode) || !ino->iops || !ino->iops->get_page ||
	    !fw_mutex_trylock(&ino->lock))
		return -ENOENT;
	if (pgoff < (ino->size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE)
		fr = pcache_lookup(ino, pgoff);
	fw_mutex_unlock(&ino->lock);
	if (!fr)
		return -ENOENT;
	*out = fr;
	return 0;
}

int vfs_file_page_cached(struct file *f, uint64_t pgoff,
			 struct fw_frame **out)
{
	struct inode *ino = f->path.inode;

	if (ino && S_ISREG(ino->mode) && !(ino->iops && ino->iops->get_page))
		return tmpfs_page_peek(ino, pgoff, out);
	return vfs_file_page_peek(f, pgoff, out);
}

bool vfs_file_tracks_writes(struct file *f)
{
	struct inode *ino = f->path.inode;

	return ino && ino->iops && ino->iops->writepage;
}

bool vfs_file_page_current(struct file *f, uint64_t pgoff,
			   struct fw_frame *fr)
{
	struct inode *ino = f->path.inode;
	struct fw_frame *cur;

	if (!ino || !ino->iops || !ino->iops->get_page)
		return true;
	if (!fw_mutex_trylock(&ino->lock))
		return false;
	cur = pcache_lookup(ino, pgoff);
	fw_mutex_unlock(&ino->lock);
	if (cur)
		fw_frame_put(cur);
	return cur == fr;
}

#define ADVISE_MAX_PAGES 16384u	/* 64 MiB read ahead per call */

int vfs_cache_advise(struct file *f, uint64_t off, uint64_t len, bool willneed)
{
	struct inode *ino = f->path.inode;
	uint64_t first = off / FW_PAGE_SIZE, last, size;

	if (!ino || !S_ISREG(ino->mode) || !ino->iops || !ino->iops->get_page)
		return 0;
	last = len && off + len > off ? (off + len - 1) / FW_PAGE_SIZE : UINT64_MAX;
	if (!willneed) {
		pcache_drop_range(ino, first, last);
		return 0;
	}
	fw_mutex_lock(&ino->lock);
	size = ino->size;
	fw_mutex_unlock(&ino->lock);
	for (uint64_t i = first; i <= last && i < (size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE &&
				 i - first < ADVISE_MAX_PAGES; i++) {
		struct fw_frame *fr;
		int err = ino->iops->get_page(ino, i, false, &fr);

		if (err == -ENXIO)
			break; /* truncated meanwhile */
		if (err)
			return err;
		fw_frame_put(fr);
	}
	return 0;
}

int vfs_fsync(struct file *f)
{
	struct inode *ino = f->path.inode;
	int err = 0, e;

	if (S_ISBLK(ino->mode))
		return blkdev_fsync(f);
	if (S_ISREG(ino->mode))
		err = pcache_writeback(ino);
	if (ino->sb->sops && ino->sb->sops->sync) {
		e = ino->sb->sops->sync(ino->sb);
		if (e && !err)
			err = e;
	}
	return err;
}
