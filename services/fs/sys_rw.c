/* services/fs/sys_rw.c: read/write family, lseek, ioctl, sync, truncate,
 * getdents, sendfile.
 *
 * Layer: services (safe C), syscall handlers (Linux fs/read_write.c,
 * fs/ioctl.c, fs/open.c semantics). */
#include <fw/heap.h>

#include "block/bcache.h"
#include "fs/vfs/blkdev_file.h"
#include "fs/sys_util.h"
#include "fs/notify/fsnotify.h"
#include "fs/pipe/pipe.h"
#include "fs/sys_calls.h"
#include "fs/tmpfs/tmpfs.h"

long sys_read(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_read(f, fw_uptr(a->arg[1]), a->arg[2]);
	file_put(f);
	return ret;
}

long sys_write(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_write(f, fw_uptr(a->arg[1]), a->arg[2]);
	file_put(f);
	return ret;
}

long sys_pread64(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_pread(f, fw_uptr(a->arg[1]), a->arg[2], a->arg[3]);
	file_put(f);
	return ret;
}

long sys_pwrite64(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_pwrite(f, fw_uptr(a->arg[1]), a->arg[2], a->arg[3]);
	file_put(f);
	return ret;
}

/* readv/writev/preadv/pwritev: one iovec at a time; a short transfer or
 * an error after some bytes ends the call with the count so far. */
static long do_iov(int fd, fw_uptr_t uiov, uint64_t cnt, bool write,
		   bool positioned, uint64_t off)
{
	struct file *f;
	uint64_t total = 0;
	long ret = 0;

	if (cnt > IOV_MAX)
		return -EINVAL;
	f = sys_fget(fd);
	if (!f)
		return -EBADF;
	if (!(f->fmode & (write ? FMODE_WRITE : FMODE_READ))) {
		file_put(f);
		return -EBADF;
	}
	/* Linux import_iovec: every vector is checked before any byte moves,
	 * so a bad one fails the call with nothing written. */
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec iov;

		if (FW_COPY_IN_OBJ(&iov, fw_uptr_add(uiov, i * sizeof(iov)))) {
			file_put(f);
			return -EFAULT;
		}
		if ((int64_t)iov.iov_len < 0) {
			file_put(f);
			return -EINVAL;
		}
		if (!fw_uptr_range_ok(fw_uptr(iov.iov_base), iov.iov_len)) {
			file_put(f);
			return -EFAULT;
		}
	}
	if (!positioned && (write ? f->ops->write_iov : f->ops->read_iov)) {
		ret = write ? f->ops->write_iov(f, uiov, cnt)
			    : f->ops->read_iov(f, uiov, cnt);
		if (ret > 0)
			fsnotify_file(f, write ? IN_MODIFY : IN_ACCESS);
		file_put(f);
		return ret;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec iov;

		if (FW_COPY_IN_OBJ(&iov, fw_uptr_add(uiov, i * sizeof(iov)))) {
			ret = -EFAULT;
			break;
		}
		if ((int64_t)iov.iov_len < 0) {
			ret = -EINVAL;
			break;
		}
		if (iov.iov_len == 0)
			continue;
		if (positioned)
			ret = write ? vfs_pwrite(f, fw_uptr(iov.iov_base), iov.iov_len, off + total)
				    : vfs_pread(f, fw_uptr(iov.iov_base), iov.iov_len, off + total);
		else
			ret = write ? vfs_write(f, fw_uptr(iov.iov_base), iov.iov_len)
				    : vfs_read(f, fw_uptr(iov.iov_base), iov.iov_len);
		if (ret < 0)
			break;
		total += (uint64_t)ret;
		if ((uint64_t)ret < iov.iov_len)
			break;
		ret = 0;
	}
	file_put(f);
	return total ? (long)total : ret;
}

long sys_readv(const struct sys_args *a)
{
	return do_iov((int)a->arg[0], fw_uptr(a->arg[1]), a->arg[2], false, false, 0);
}

long sys_writev(const struct sys_args *a)
{
	return do_iov((int)a->arg[0], fw_uptr(a->arg[1]), a->arg[2], true, false, 0);
}

long sys_preadv(const struct sys_args *a)
{
	return do_iov((int)a->arg[0], fw_uptr(a->arg[1]), a->arg[2], false, true, a->arg[3]);
}

long sys_pwritev(const struct sys_args *a)
{
	return do_iov((int)a->arg[0], fw_uptr(a->arg[1]), a->arg[2], true, true, a->arg[3]);
}

/* preadv2/pwritev2 flags (linux/fs.h). */
#define RWF_HIPRI 0x01	/* poll for completion: a hint, nothing to poll here */
#define RWF_DSYNC 0x02	/* this write as if O_DSYNC */
#define RWF_SYNC 0x04	/* this write as if O_SYNC */
#define RWF_NOWAIT 0x08	/* do not wait for data or locks */
#define RWF_APPEND 0x10	/* this write as if O_APPEND */

/* preadv2(fd, iov, cnt, pos_l, pos_h, flags): x86-64 passes the whole
 * offset in pos_l; -1 means the file position, as readv/writev. Flags we
 * cannot honour are refused with EOPNOTSUPP, as Linux does for a file
 * that lacks them: RWF_NOWAIT (a read here may wait for the disk) and
 * RWF_APPEND (the file systems take O_APPEND from the open file only). */
static long do_iov2(const struct sys_args *a, bool write)
{
	uint64_t flags = a->arg[5];
	int64_t off = (int64_t)a->arg[3];
	long ret;

	if (flags & ~(uint64_t)(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT |
				RWF_APPEND))
		return -EOPNOTSUPP;
	if (flags & (RWF_NOWAIT | RWF_APPEND))
		return -EOPNOTSUPP;
	if (off < -1)
		return -EINVAL;
	ret = do_iov((int)a->arg[0], fw_uptr(a->arg[1]), a->arg[2], write,
		     off != -1, (uint64_t)off);
	if (ret > 0 && write && (flags & (RWF_DSYNC | RWF_SYNC))) {
		struct file *f = sys_fget((int)a->arg[0]);
		long err = f ? vfs_fsync(f) : -EBADF;

		if (f)
			file_put(f);
		if (err < 0)
			return err;
	}
	return ret;
}

long sys_preadv2(const struct sys_args *a)
{
	return do_iov2(a, false);
}

long sys_pwritev2(const struct sys_args *a)
{
	return do_iov2(a, true);
}

long sys_lseek(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	int64_t ret;

	if (!f)
		return -EBADF;
	if (!f->ops->llseek || (f->fmode & FMODE_PATH)) {
		file_put(f);
		return (f->fmode & FMODE_PATH) ? -EBADF : -ESPIPE;
	}
	fw_mutex_lock(&f->pos_lock);
	ret = f->ops->llseek(f, (int64_t)a->arg[1], (int)a->arg[2]);
	if (ret >= 0)
		f->pos = (uint64_t)ret;
	fw_mutex_unlock(&f->pos_lock);
	file_put(f);
	return ret;
}

long sys_ioctl(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	unsigned cmd = (unsigned)a->arg[1];
	struct file *f = sys_fget(fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH) {
		file_put(f);
		return -EBADF;
	}
	switch (cmd) {
	case FIOCLEX:
		ret = fd_set_cloexec(sys_files(), fd, true);
		break;
	case FIONCLEX:
		ret = fd_set_cloexec(sys_files(), fd, false);
		break;
	case FIONBIO: {
		int32_t on;

		if (FW_COPY_IN_OBJ(&on, fw_uptr(a->arg[2]))) {
			ret = -EFAULT;
			break;
		}
		if (on)
			atomic_fetch_or(&f->flags, O_NONBLOCK);
		else
			atomic_fetch_and(&f->flags, ~(unsigned)O_NONBLOCK);
		break;
	}
	case FIOASYNC:
		ret = 0; /* O_ASYNC signals are not delivered (not supported) */
		break;
	default:
		if (f->ops->ioctl)
			ret = f->ops->ioctl(f, cmd, a->arg[2]);
		else if (cmd == FIONREAD && S_ISREG(f->path.inode->mode)) {
			uint64_t size;
			int32_t n = 0;

			if (vfs_file_size(f, &size) == 0 && size > f->pos)
				n = (int32_t)(size - f->pos);
			ret = FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &n) ? -EFAULT : 0;
		} else
			ret = -ENOTTY;
	}
	file_put(f);
	return ret;
}

long sys_fsync(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	/* fsync, fdatasync, syncfs: all write the file's cached pages and
	 * its file system (in-memory ones have nothing to write). */
	ret = vfs_fsync(f);
	file_put(f);
	return ret;
}

/* sync_file_range(2) with Linux's checks. Write-back here is per file
 * system, so a write or wait of any range does what fsync does: the range
 * reaches the disk, with the rest of the file and its metadata (more than
 * asked, never less). */
long sys_sync_file_range(const struct sys_args *a)
{
	int64_t off = (int64_t)a->arg[1], n = (int64_t)a->arg[2];
	unsigned flags = (unsigned)a->arg[3];
	struct file *f;
	uint32_t mode;
	long ret = 0;

	if (flags & ~(unsigned)(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER))
		return -EINVAL;
	if (off < 0 || n < 0 || n > INT64_MAX - off)
		return -EINVAL;
	f = sys_fget((int)a->arg[0]);
	if (!f)
		return -EBADF;
	mode = f->path.inode->mode;
	if (!S_ISREG(mode) && !S_ISBLK(mode) && !S_ISDIR(mode) && !S_ISLNK(mode))
		ret = -ESPIPE;
	else if (flags)
		ret = vfs_fsync(f);
	file_put(f);
	return ret;
}

long sys_sync(const struct sys_args *a)
{
	(void)a;
	(void)vfs_sync_all();
	return 0;
}

/* Growing past RLIMIT_FSIZE: SIGXFSZ and -EFBIG (vfs_grow_limits); the
 * file system checks its own maximum. */
static long grow_check(struct inode *ino, uint64_t new_size)
{
	uint64_t size;

	fw_mutex_lock(&ino->lock);
	size = ino->size;
	fw_mutex_unlock(&ino->lock);
	return vfs_grow_limits(size, new_size, UINT64_MAX);
}

static long do_truncate(struct inode *ino, int64_t len)
{
	long err;

	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	err = grow_check(ino, (uint64_t)len);
	if (!err)
		err = ino->iops->truncate(ino, (uint64_t)len);
	if (!err)
		fsnotify_inode_event(NULL, NULL, ino, IN_MODIFY);
	return err;
}

long sys_ftruncate(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_WRITE))
		ret = -EINVAL; /* Linux: -EINVAL when not open for writing */
	else if (!S_ISREG(f->path.inode->mode))
		ret = -EINVAL;
	else
		ret = do_truncate(f->path.inode, (int64_t)a->arg[1]);
	file_put(f);
	return ret;
}

long sys_truncate(const struct sys_args *a)
{
	struct vfs_path p;
	long ret = sys_lookup(AT_FDCWD, fw_uptr(a->arg[0]), LOOKUP_FOLLOW, false, &p);

	if (ret)
		return ret;
	if (S_ISDIR(p.inode->mode))
		ret = -EISDIR;
	else
		ret = inode_permission(p.inode, MAY_WRITE, fs_cred());
	if (!ret)
		ret = do_truncate(p.inode, (int64_t)a->arg[1]);
	vfs_path_put(&p);
	return ret;
}

/* A size it grows the file to is checked against RLIMIT_FSIZE first. */
static long fallocate_tmpfs(struct inode *ino, int mode, uint64_t off,
			    uint64_t len)
{
	long err = 0;

	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > off)
		err = grow_check(ino, off + len);
	return err ? err : tmpfs_fallocate(ino, mode, off, len);
}

/* posix_fadvise(2): Linux's checks (EBADF, ESPIPE for a pipe, EINVAL for
 * unknown advice or a negative length), then nothing to do: advice never
 * changes a result, the block cache reads ahead for sequential readers
 * by itself, and tmpfs keeps everything in memory anyway. */
long sys_fadvise64(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret = 0;

	if (!f)
		return -EBADF;
	if (f->path.inode && S_ISFIFO(f->path.inode->mode))
		ret = -ESPIPE;
	else if ((int64_t)a->arg[2] < 0 || a->arg[3] > 5) /* POSIX_FADV_* */
		ret = -EINVAL;
	else if (a->arg[3] == 3 || a->arg[3] == 4) /* WILLNEED, DONTNEED */
		ret = vfs_cache_advise(f, a->arg[1], a->arg[2], a->arg[3] == 3);
	/* NORMAL, RANDOM, SEQUENTIAL, NOREUSE: the read-ahead of the block
	 * cache adapts by itself; nothing to set. */
	file_put(f);
	return ret;
}

/* readahead(fd, offset, count): WILLNEED for a file open for reading;
 * EINVAL for anything but a regular file (Linux: no read-ahead there). */
long sys_readahead(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_READ))
		ret = -EBADF;
	else if (!f->path.inode || !S_ISREG(f->path.inode->mode))
		ret = -EINVAL;
	else
		ret = vfs_cache_advise(f, a->arg[1], a->arg[2], true);
	file_put(f);
	return ret;
}

long sys_fallocate(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	if ((int64_t)a->arg[2] < 0 || (int64_t)a->arg[3] <= 0)
		ret = -EINVAL;
	else if (!(f->fmode & FMODE_WRITE))
		ret = -EBADF;
	else if (S_ISDIR(f->path.inode->mode))
		ret = -EISDIR;
	else if (S_ISFIFO(f->path.inode->mode))
		ret = -ESPIPE;
	else if (!S_ISREG(f->path.inode->mode))
		ret = -ENODEV;
	else if (f->path.inode->sb->sops)
		ret = -EOPNOTSUPP; /* as Linux ext2 */
	else
		ret = fallocate_tmpfs(f->path.inode, (int)a->arg[1], a->arg[2],
				      a->arg[3]);
	file_put(f);
	return ret;
}

static long do_getdents(const struct sys_args *a, bool is64)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH)
		ret = -EBADF;
	else if (!f->ops->getdents)
		ret = -ENOTDIR;
	else
		ret = f->ops->getdents(f, fw_uptr(a->arg[1]),
				       a->arg[2] > 0x7fffffff ? 0x7fffffff : a->arg[2], is64);
	file_put(f);
	return ret;
}

long sys_getdents64(const struct sys_args *a)
{
	return do_getdents(a, true);
}

long sys_getdents(const struct sys_args *a)
{
	return do_getdents(a, false);
}

/* sendfile(out, in, offset*, count): through a bounce page, as Linux's
 * splice fallback does for non-splicing files. */
/* sendfile(2): in's bytes, from *offset (left where it was) or its file
 * position, to out at its position, through a kernel buffer and the
 * files' kbuf operations (splice.c's): any readable file or socket to any
 * writable one that has them, as Linux since 5.12; others are EINVAL,
 * which makes callers (busybox bb_copyfd, coreutils) fall back to
 * read/write. */
#define SENDFILE_CHUNK (64u << 10)

long sys_sendfile(const struct sys_args *a)
{
	struct file *out = sys_fget((int)a->arg[0]);
	struct file *in = sys_fget((int)a->arg[1]);
	fw_uptr_t uoff = fw_uptr(a->arg[2]);
	size_t count = a->arg[3], done = 0;
	struct fw_buf bounce = { 0 };
	uint64_t off = 0;
	long ret = 0;

	if (!out || !in) {
		ret = -EBADF;
		goto out_put;
	}
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE)) {
		ret = -EBADF;
		goto out_put;
	}
	if (atomic_load(&out->flags) & O_APPEND) {
		ret = -EINVAL; /* Linux do_splice_direct */
		goto out_put;
	}
	if (!fw_uptr_is_null(uoff)) {
		if (!file_is_seekable(in)) {
			ret = -ESPIPE; /* Linux: no pread on the input */
			goto out_put;
		}
		if (FW_COPY_IN_OBJ(&off, uoff)) {
			ret = -EFAULT;
			goto out_put;
		}
		if ((int64_t)off < 0) {
			ret = -EINVAL;
			goto out_put;
		}
	}
	if (count > 0x7ffff000)
		count = 0x7ffff000;
	if (!count)
		goto out_put;
	if (out->pipe) {
		/* Into a pipe: splice's file-to-pipe move, which waits for
		 * room as a write would (Linux sendfile is splice too). */
		ret = pipe_splice_in(out->pipe, in,
				     fw_uptr_is_null(uoff) ? NULL : &off, count,
				     atomic_load(&out->flags) & O_NONBLOCK);
		if (ret > 0)
			fsnotify_file(in, IN_ACCESS);
		if (ret >= 0 && !fw_uptr_is_null(uoff) &&
		    FW_COPY_OUT_OBJ(uoff, &off))
			ret = -EFAULT;
		goto out_put;
	}
	ret = fw_buf_alloc_uninit(count < SENDFILE_CHUNK ? count : SENDFILE_CHUNK,
				  &bounce);
	if (ret)
		goto out_put;
	while (done < count) {
		size_t n = count - done < fw_buf_len(bounce) ? count - done
							      : fw_buf_len(bounce);
		struct fw_buf part;
		long r, w;

		if (fw_buf_sub(bounce, 0, n, &part))
			break;
		r = vfs_read_kbuf(in, part, fw_uptr_is_null(uoff) ? NULL : &off);
		if (r <= 0) {
			if (r < 0 && !done)
				ret = r;
			break;
		}
		if (fw_buf_sub(bounce, 0, (size_t)r, &part))
			break;
		w = vfs_write_kbuf(out, fw_buf_as_bytes(part), NULL);
		if (w < 0 && !done)
			ret = w;
		if (w < r) {
			/* What was read and not written is read again next
			 * time: put the input's offset back. */
			uint64_t back = (uint64_t)(r - (w > 0 ? w : 0));

			if (!fw_uptr_is_null(uoff)) {
				off -= back;
			} else if (file_is_seekable(in)) {
				fw_mutex_lock(&in->pos_lock);
				in->pos -= back;
				fw_mutex_unlock(&in->pos_lock);
			}
		}
		if (w <= 0)
			break;
		done += (size_t)w;
		if (w < r || signal_pending_current())
			break;
	}
	if (done) {
		ret = (long)done;
		fsnotify_file(in, IN_ACCESS);
		fsnotify_file(out, IN_MODIFY);
	}
	if (!fw_uptr_is_null(uoff) && FW_COPY_OUT_OBJ(uoff, &off))
		ret = -EFAULT;
	fw_buf_free(&bounce);
out_put:
	file_put(in);
	file_put(out);
	return ret;
}
