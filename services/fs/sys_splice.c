/* services/fs/sys_splice.c: splice, tee, vmsplice, copy_file_range.
 *
 * Layer: services (safe C), syscall handlers with Linux's argument checks
 * and their order (fs/splice.c, fs/read_write.c). The pipe side of the
 * first three is pipe/pipe_splice.c; the other file reads into or writes
 * from a kernel buffer through its read_kbuf/write_kbuf ops, so a file
 * without them (a terminal, eventfd, procfs) cannot be spliced: -EINVAL,
 * as Linux for a file without splice_read/splice_write. No page is ever
 * moved or shared: every splice copies, which only costs speed. */
#include <fw/heap.h>

#include "fs/notify/fsnotify.h"
#include "fs/pipe/pipe.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

#define SPLICE_F_MOVE 0x01	/* a hint: pages are copied anyway */
#define SPLICE_F_NONBLOCK 0x02	/* do not wait on the pipe */
#define SPLICE_F_MORE 0x04	/* a hint for sockets: more is coming */
#define SPLICE_F_GIFT 0x08	/* vmsplice: a hint, the pages are copied */
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | \
		      SPLICE_F_GIFT)

#define CFR_CHUNK 65536u		/* copy_file_range's bounce buffer */
#define MAX_RW_COUNT 0x7ffff000ul	/* Linux: INT_MAX & PAGE_MASK */

/* The pipe behind f (a pipe or FIFO end), or NULL (Linux get_pipe_info). */
static struct pipe *file_pipe(struct file *f)
{
	return (f->fmode & FMODE_PATH) ? NULL : f->pipe;
}

static bool nonblocking(const struct file *f)
{
	return atomic_load(&f->flags) & O_NONBLOCK;
}

/* Linux rw_verify_area for a transfer of len bytes at pos. */
static long verify_area(uint64_t pos, uint64_t len)
{
	if ((int64_t)len < 0 || (int64_t)pos < 0 ||
	    (int64_t)(pos + len) < 0)
		return -EINVAL;
	return 0;
}

static long read_off(fw_uptr_t u, uint64_t *off)
{
	return FW_COPY_IN_OBJ(off, u) ? -EFAULT : 0;
}

/* The file half of splice: pipe ip into out, or in into pipe op, at *off
 * (NULL: the file position) (Linux do_splice). */
static long splice_file(struct file *in, struct pipe *ip, struct file *out,
			struct pipe *op, uint64_t *off, size_t len,
			unsigned flags)
{
	bool nonblock = flags & SPLICE_F_NONBLOCK;

	if (ip) {
		/* Linux: an offset needs a file with pwrite (a seekable
		 * one), and appending cannot take an offset at all. */
		if (off && !out->ops->llseek)
			return -EINVAL;
		if (atomic_load(&out->flags) & O_APPEND)
			return -EINVAL;
		if (verify_area(off ? *off : out->pos, len))
			return -EINVAL;
		return pipe_splice_out(ip, out, off, len,
				       nonblock || nonblocking(in));
	}
	if (off && !in->ops->llseek)
		return -EINVAL;
	if (verify_area(off ? *off : in->pos, len))
		return -EINVAL;
	return pipe_splice_in(op, in, off, len, nonblock || nonblocking(out));
}

long sys_splice(const struct sys_args *a)
{
	fw_uptr_t uoff_in = fw_uptr(a->arg[1]), uoff_out = fw_uptr(a->arg[3]);
	size_t len = a->arg[4];
	unsigned flags = (unsigned)a->arg[5];
	struct file *in, *out = NULL;
	struct pipe *ip, *op;
	uint64_t off_in = 0, off_out = 0;
	long ret = 0;

	if (len == 0)
		return 0;
	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	in = sys_fget((int)a->arg[0]);
	if (!in)
		return -EBADF;
	out = sys_fget((int)a->arg[2]);
	if (!out) {
		ret = -EBADF;
		goto out_put;
	}
	ip = file_pipe(in);
	op = file_pipe(out);
	if ((ip && !fw_uptr_is_null(uoff_in)) || (op && !fw_uptr_is_null(uoff_out))) {
		ret = -ESPIPE;
		goto out_put;
	}
	if (!fw_uptr_is_null(uoff_out))
		ret = read_off(uoff_out, &off_out);
	if (!ret && !fw_uptr_is_null(uoff_in))
		ret = read_off(uoff_in, &off_in);
	if (ret)
		goto out_put;
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE)) {
		ret = -EBADF;
		goto out_put;
	}
	if (ip && op) {
		if (ip == op)
			ret = -EINVAL;
		else
			ret = pipe_splice_pipe(ip, op, len,
					       (flags & SPLICE_F_NONBLOCK) ||
						       nonblocking(in) || nonblocking(out),
					       false);
	} else if (ip) {
		ret = splice_file(in, ip, out, op,
				  fw_uptr_is_null(uoff_out) ? NULL : &off_out, len, flags);
	} else if (op) {
		ret = splice_file(in, ip, out, op,
				  fw_uptr_is_null(uoff_in) ? NULL : &off_in, len, flags);
	} else {
		ret = -EINVAL;
	}
	if (ret > 0) {
		fsnotify_file(out, IN_MODIFY);
		fsnotify_file(in, IN_ACCESS);
	}
	if (ret >= 0 && !fw_uptr_is_null(uoff_out) && FW_COPY_OUT_OBJ(uoff_out, &off_out))
		ret = -EFAULT;
	if (ret >= 0 && !fw_uptr_is_null(uoff_in) && FW_COPY_OUT_OBJ(uoff_in, &off_in))
		ret = -EFAULT;
out_put:
	if (out)
		file_put(out);
	file_put(in);
	return ret;
}

long sys_tee(const struct sys_args *a)
{
	size_t len = a->arg[2];
	unsigned flags = (unsigned)a->arg[3];
	struct file *in, *out;
	long ret = -EINVAL;

	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	if (len == 0)
		return 0;
	in = sys_fget((int)a->arg[0]);
	if (!in)
		return -EBADF;
	out = sys_fget((int)a->arg[1]);
	if (!out) {
		file_put(in);
		return -EBADF;
	}
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE))
		ret = -EBADF;
	else if (file_pipe(in) && file_pipe(out) && file_pipe(in) != file_pipe(out))
		ret = pipe_splice_pipe(file_pipe(in), file_pipe(out), len,
				       (flags & SPLICE_F_NONBLOCK) ||
					       nonblocking(in) || nonblocking(out),
				       true);
	if (ret > 0) {
		fsnotify_file(in, IN_ACCESS);
		fsnotify_file(out, IN_MODIFY);
	}
	file_put(out);
	file_put(in);
	return ret;
}

/* Linux import_iovec: -EINVAL for too many vectors or a negative length,
 * -EFAULT for an unreadable array or a buffer outside user space; the
 * total length (clamped to MAX_RW_COUNT) in *total. */
static long check_iov(fw_uptr_t uiov, uint64_t cnt, size_t *total)
{
	*total = 0;
	if (cnt > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec iov;

		if (FW_COPY_IN_OBJ(&iov, fw_uptr_add(uiov, i * sizeof(iov))))
			return -EFAULT;
		if ((int64_t)iov.iov_len < 0)
			return -EINVAL;
		if (!fw_uptr_range_ok(fw_uptr(iov.iov_base), iov.iov_len))
			return -EFAULT;
		if (iov.iov_len > MAX_RW_COUNT - *total)
			iov.iov_len = MAX_RW_COUNT - *total;
		*total += iov.iov_len;
	}
	return 0;
}

long sys_vmsplice(const struct sys_args *a)
{
	fw_uptr_t uiov = fw_uptr(a->arg[1]);
	uint64_t cnt = (uint32_t)a->arg[2]; /* Linux import_iovec: unsigned */
	unsigned flags = (unsigned)a->arg[3];
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	struct file *f;
	size_t total;
	long ret;

	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	f = sys_fget((int)a->arg[0]);
	if (!f)
		return -EBADF;
	if (!(f->fmode & (FMODE_READ | FMODE_WRITE)) || (f->fmode & FMODE_PATH)) {
		file_put(f);
		return -EBADF;
	}
	ret = check_iov(uiov, cnt, &total);
	if (!ret && total) {
		struct pipe *p = file_pipe(f);

		/* Linux: a write end (O_RDWR counts) fills the pipe from
		 * the vectors, a read end empties it into them. */
		if (!p)
			ret = -EBADF;
		else if (f->fmode & FMODE_WRITE)
			ret = pipe_vmsplice_in(p, uiov, cnt, nonblock);
		else
			ret = pipe_vmsplice_out(p, uiov, cnt, nonblock);
		if (ret > 0)
			fsnotify_file(f, (f->fmode & FMODE_WRITE) ? IN_MODIFY : IN_ACCESS);
	}
	file_put(f);
	return ret;
}

/* Linux generic_copy_file_checks, then rw_verify_area on both sides:
 * *count cut to the input's end and the output's size limits. */
static long cfr_checks(struct file *in, uint64_t pos_in, struct file *out,
		       uint64_t pos_out, uint64_t *count)
{
	struct inode *ii = in->path.inode, *io = out->path.inode;
	uint64_t size_in;
	size_t n;
	long ret;

	if (!ii || !io || (in->fmode & FMODE_PATH) || (out->fmode & FMODE_PATH))
		return -EBADF;
	if (S_ISDIR(ii->mode) || S_ISDIR(io->mode))
		return -EISDIR;
	if (!S_ISREG(ii->mode) || !S_ISREG(io->mode))
		return -EINVAL;
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE) ||
	    (atomic_load(&out->flags) & O_APPEND))
		return -EBADF;
	/* Linux 5.19 on: across file systems only where both sides have
	 * their own copy_file_range (nfs, cifs...); none here has. */
	if (ii->sb != io->sb)
		return -EXDEV;
	if (pos_in + *count < pos_in || pos_out + *count < pos_out)
		return -EOVERFLOW;
	ret = vfs_file_size(in, &size_in);
	if (ret)
		return ret;
	if ((int64_t)pos_in >= (int64_t)size_in)
		*count = 0;
	else if (*count > size_in - pos_in)
		*count = size_in - pos_in;
	n = *count > MAX_RW_COUNT ? MAX_RW_COUNT : (size_t)*count;
	if ((int64_t)pos_out >= 0) {
		ret = vfs_write_limits(pos_out, INT64_MAX, &n);
		if (ret)
			return ret;
		if (n < *count)
			*count = n;
	}
	/* No overlapping copy within one file. */
	if (ii == io && pos_out + *count > pos_in && pos_out < pos_in + *count)
		return -EINVAL;
	if (verify_area(pos_in, *count) || verify_area(pos_out, *count))
		return -EINVAL;
	return 0;
}

/* The copy: through a kernel buffer, chunk by chunk; a short read (end
 * of file) or write ends it, as does a signal once something moved. */
static long cfr_copy(struct file *in, uint64_t *pos_in, struct file *out,
		     uint64_t *pos_out, uint64_t count)
{
	struct fw_buf bounce;
	size_t done = 0;
	long ret;

	if (!in->ops->read_kbuf || !out->ops->write_kbuf)
		return -EINVAL;
	ret = fw_buf_alloc_uninit(count < CFR_CHUNK ? (size_t)count : CFR_CHUNK,
				  &bounce);
	if (ret)
		return ret;
	while (done < count) {
		size_t want = count - done < fw_buf_len(bounce) ?
				      (size_t)(count - done) : fw_buf_len(bounce);
		struct fw_buf part;
		uint64_t rpos = *pos_in, wpos = *pos_out;
		long r, w;

		if (fw_buf_sub(bounce, 0, want, &part))
			break;
		r = vfs_read_kbuf(in, part, &rpos);
		if (r <= 0) {
			ret = r;
			break;
		}
		if (fw_buf_sub(bounce, 0, (size_t)r, &part))
			break;
		w = vfs_write_kbuf(out, fw_buf_as_bytes(part), &wpos);
		if (w <= 0) {
			ret = w;
			break;
		}
		done += (size_t)w;
		*pos_in += (uint64_t)w;
		*pos_out += (uint64_t)w;
		if (w < r || signal_pending_current())
			break;
	}
	fw_buf_free(&bounce);
	return done ? (long)done : ret;
}

long sys_copy_file_range(const struct sys_args *a)
{
	fw_uptr_t uoff_in = fw_uptr(a->arg[1]), uoff_out = fw_uptr(a->arg[3]);
	uint64_t count = a->arg[4], pos_in, pos_out;
	struct file *in, *out = NULL;
	long ret;

	in = sys_fget((int)a->arg[0]);
	if (!in)
		return -EBADF;
	out = sys_fget((int)a->arg[2]);
	if (!out) {
		ret = -EBADF;
		goto out_put;
	}
	pos_in = in->pos;
	pos_out = out->pos;
	ret = 0;
	if (!fw_uptr_is_null(uoff_in))
		ret = read_off(uoff_in, &pos_in);
	if (!ret && !fw_uptr_is_null(uoff_out))
		ret = read_off(uoff_out, &pos_out);
	if (ret)
		goto out_put;
	if (a->arg[5] != 0) {
		ret = -EINVAL;
		goto out_put;
	}
	ret = cfr_checks(in, pos_in, out, pos_out, &count);
	if (ret || count == 0)
		goto out_put;
	ret = cfr_copy(in, &pos_in, out, &pos_out, count);
	if (ret <= 0)
		goto out_put;
	fsnotify_file(in, IN_ACCESS);
	fsnotify_file(out, IN_MODIFY);
	if (!fw_uptr_is_null(uoff_in)) {
		if (FW_COPY_OUT_OBJ(uoff_in, &pos_in))
			ret = -EFAULT;
	} else {
		fw_mutex_lock(&in->pos_lock);
		in->pos = pos_in;
		fw_mutex_unlock(&in->pos_lock);
	}
	if (!fw_uptr_is_null(uoff_out)) {
		if (FW_COPY_OUT_OBJ(uoff_out, &pos_out))
			ret = -EFAULT;
	} else {
		fw_mutex_lock(&out->pos_lock);
		out->pos = pos_out;
		fw_mutex_unlock(&out->pos_lock);
	}
out_put:
	if (out)
		file_put(out);
	file_put(in);
	return ret;
}
