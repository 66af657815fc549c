/* services/fs/pipe/pipe_splice.c: splice, tee and vmsplice on a pipe's
 * ring.
 *
 * Layer: services (safe C), after Linux fs/splice.c. Bytes are copied,
 * never moved page by page: between the ring and a kernel bounce buffer
 * that the other file reads into or writes from (its read_kbuf and
 * write_kbuf ops), ring to ring for pipe to pipe, ring to user memory for
 * vmsplice. The pipe's mutex is held across the other file's I/O, as
 * Linux holds pipe_lock there: a splice into a pipe reads no more than
 * the room it found (nothing read from a stream is ever dropped), and a
 * splice out of one consumes exactly what the file took.
 *
 * Waits follow pipe_read/pipe_write: they end on a signal with
 * -ERESTARTSYS if nothing moved (the signal code makes it -EINTR or a
 * restart). */
#include <fw/heap.h>

#include "fs/pipe/pipe.h"
#include "current/current.h"

#define SPLICE_CHUNK 16384u		/* the bounce buffer */
#define MAX_RW_COUNT 0x7ffff000ul	/* Linux: INT_MAX & PAGE_MASK */

static uint64_t used(struct pipe *p)
{
	return pipe_ring_used(atomic_load(&p->head), atomic_load(&p->tail));
}

static uint64_t room(struct pipe *p)
{
	return pipe_ring_free(atomic_load(&p->head), atomic_load(&p->tail));
}

static bool has_data(struct pipe *p)
{
	return used(p) || atomic_load(&p->writers) == 0;
}

static bool has_room(struct pipe *p)
{
	return room(p) || atomic_load(&p->readers) == 0;
}

/* Lock p once it holds data (or has no writers: end of file). 0 with
 * the lock held, or -EAGAIN / -ERESTARTSYS without it (Linux
 * splice_from_pipe_next, ipipe_prep). */
static int lock_data(struct pipe *p, bool nonblock)
{
	for (;;) {
		fw_mutex_lock(&p->lock);
		if (has_data(p))
			return 0;
		fw_mutex_unlock(&p->lock);
		if (nonblock)
			return -EAGAIN;
		if (signal_pending_current())
			return -ERESTARTSYS;
		FW_WAIT_EVENT(&p->rd_wait, has_data(p) || signal_pending_current());
	}
}

/* Lock p once it has room. 0 with the lock held, or -EPIPE (with
 * SIGPIPE: no readers), -EAGAIN, -ERESTARTSYS without it (Linux
 * wait_for_space, opipe_prep). */
static int lock_room(struct pipe *p, bool nonblock)
{
	for (;;) {
		fw_mutex_lock(&p->lock);
		if (atomic_load(&p->readers) == 0) {
			fw_mutex_unlock(&p->lock);
			signal_send_current_thread(SIGPIPE);
			return -EPIPE;
		}
		if (room(p))
			return 0;
		fw_mutex_unlock(&p->lock);
		if (nonblock)
			return -EAGAIN;
		if (signal_pending_current())
			return -ERESTARTSYS;
		FW_WAIT_EVENT(&p->wr_wait, has_room(p) || signal_pending_current());
	}
}

/* Copy len bytes of the stream at pos (already written, not yet read)
 * into dst (kernel) or to the user at udst. p->lock held. */
static int ring_get(struct pipe *p, uint64_t pos, struct fw_buf dst,
		    fw_uptr_t udst, bool user, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct pipe_chunk c = pipe_ring_chunk(pos + done, len - done);
		struct fw_buf part;
		int err;

		if (user)
			err = fw_frame_copy_out(fw_uptr_add(udst, done),
						p->page[c.page], c.off, c.len);
		else
			err = fw_buf_sub(dst, done, c.len, &part) ? -EINVAL :
			      fw_frame_read(p->page[c.page], c.off, part);
		if (err)
			return -EFAULT;
		done += c.len;
	}
	return 0;
}

/* Append len bytes from src (kernel) or the user at usrc; the caller
 * found the room. Returns the bytes appended (short only on -EFAULT or
 * -ENOMEM part way) or -errno. p->lock held. */
static long ring_put(struct pipe *p, struct fw_bytes src, fw_uptr_t usrc,
		     bool user, size_t len)
{
	uint64_t head = atomic_load(&p->head);
	size_t done = 0;
	int err = 0;

	while (done < len) {
		struct pipe_chunk c = pipe_ring_chunk(head, len - done);
		struct fw_bytes part;

		if (!p->page[c.page] && fw_frame_alloc(0, &p->page[c.page])) {
			err = -ENOMEM;
			break;
		}
		if (user)
			err = fw_frame_copy_in(p->page[c.page], c.off,
					       fw_uptr_add(usrc, done), c.len);
		else
			err = fw_bytes_sub(src, done, c.len, &part) ? -EINVAL :
			      fw_frame_write(p->page[c.page], c.off, part);
		if (err) {
			err = -EFAULT;
			break;
		}
		done += c.len;
		head += c.len;
		atomic_store(&p->head, head);
	}
	if (done) {
		fw_waitq_wake_all(&p->rd_wait);
		poll_wake(&p->poll);
	}
	return done ? (long)done : err;
}

static void ring_consume(struct pipe *p, size_t n)
{
	if (!n)
		return;
	atomic_fetch_add(&p->tail, n);
	fw_waitq_wake_all(&p->wr_wait);
	poll_wake(&p->poll);
}

static size_t min_sz(uint64_t a, uint64_t b)
{
	return (size_t)(a < b ? a : b);
}

long pipe_splice_in(struct pipe *p, struct file *in, uint64_t *off,
		    size_t len, bool nonblock)
{
	struct fw_buf bounce;
	size_t want, done = 0;
	long ret;

	if (!in->ops->read_kbuf)
		return -EINVAL; /* Linux warn_unsupported */
	ret = fw_buf_alloc_uninit(SPLICE_CHUNK, &bounce);
	if (ret)
		return ret;
	ret = lock_room(p, nonblock);
	if (ret) {
		fw_buf_free(&bounce);
		return ret;
	}
	/* Linux vfs_splice_read: no more than the pipe has room for. */
	want = min_sz(min_sz(len, room(p)), MAX_RW_COUNT);
	while (done < want) {
		struct fw_buf part;
		long r;

		if (fw_buf_sub(bounce, 0, min_sz(want - done, SPLICE_CHUNK), &part))
			break;
		r = vfs_read_kbuf(in, part, off);
		if (r <= 0) {
			if (!done)
				ret = r;
			break;
		}
		if (fw_buf_sub(bounce, 0, (size_t)r, &part))
			break;
		r = ring_put(p, fw_buf_as_bytes(part), fw_uptr(0), false, (size_t)r);
		if (r <= 0) {
			/* Read but not stored: only on -ENOMEM for a ring
			 * page (the bytes are lost, as a failed read's). */
			if (!done)
				ret = r;
			break;
		}
		done += (size_t)r;
		/* One read from anything but a regular file: a second one
		 * could block with bytes already in the pipe. */
		if ((size_t)r < fw_buf_len(part) ||
		    !S_ISREG(in->path.inode->mode))
			break;
	}
	fw_mutex_unlock(&p->lock);
	fw_buf_free(&bounce);
	return done ? (long)done : ret;
}

long pipe_splice_out(struct pipe *p, struct file *out, uint64_t *off,
		     size_t len, bool nonblock)
{
	struct fw_buf bounce;
	size_t want, done = 0;
	long ret;

	if (!out->ops->write_kbuf)
		return -EINVAL;
	ret = fw_buf_alloc_uninit(SPLICE_CHUNK, &bounce);
	if (ret)
		return ret;
	ret = lock_data(p, nonblock);
	if (ret) {
		fw_buf_free(&bounce);
		return ret;
	}
	want = min_sz(min_sz(len, used(p)), MAX_RW_COUNT);
	while (done < want) {
		struct fw_buf part;
		long w;

		if (fw_buf_sub(bounce, 0, min_sz(want - done, SPLICE_CHUNK), &part))
			break;
		ret = ring_get(p, atomic_load(&p->tail), part, fw_uptr(0), false,
			       fw_buf_len(part));
		if (ret)
			break;
		w = vfs_write_kbuf(out, fw_buf_as_bytes(part), off);
		if (w <= 0) {
			ret = w;
			break;
		}
		ring_consume(p, (size_t)w);
		done += (size_t)w;
		if ((size_t)w < fw_buf_len(part))
			break;
	}
	fw_mutex_unlock(&p->lock);
	fw_buf_free(&bounce);
	return done ? (long)done : ret;
}

/* Both pipes locked, in id order (Linux pipe_double_lock). */
static void lock_two(struct pipe *a, struct pipe *b)
{
	if (a->id < b->id) {
		fw_mutex_lock(&a->lock);
		fw_mutex_lock(&b->lock);
	} else {
		fw_mutex_lock(&b->lock);
		fw_mutex_lock(&a->lock);
	}
}

/* ip -> op under both locks: n bytes at ip's tail, page by page through
 * a kernel page. Returns the bytes appended. */
static long move_bytes(struct pipe *ip, struct pipe *op, size_t n,
		       struct fw_buf page)
{
	uint64_t from = atomic_load(&ip->tail);
	size_t done = 0;

	while (done < n) {
		struct fw_buf part;
		long w;

		if (fw_buf_sub(page, 0, min_sz(n - done, fw_buf_len(page)), &part) ||
		    ring_get(ip, from + done, part, fw_uptr(0), false,
			     fw_buf_len(part)))
			break;
		w = ring_put(op, fw_buf_as_bytes(part), fw_uptr(0), false,
			     fw_buf_len(part));
		if (w <= 0)
			return done ? (long)done : w;
		done += (size_t)w;
	}
	return (long)done;
}

long pipe_splice_pipe(struct pipe *ip, struct pipe *op, size_t len,
		      bool nonblock, bool tee)
{
	struct fw_buf page;
	long ret;

	ret = fw_buf_alloc_uninit(PIPE_RING_PAGE, &page);
	if (ret)
		return ret;
	for (;;) {
		bool eof = false;
		size_t n = 0;

		/* Linux ipipe_prep and opipe_prep: wait for each side
		 * alone, then lock both and look again. */
		ret = lock_data(ip, nonblock);
		if (ret)
			break;
		fw_mutex_unlock(&ip->lock);
		ret = lock_room(op, nonblock);
		if (ret)
			break;
		fw_mutex_unlock(&op->lock);
		lock_two(ip, op);
		if (atomic_load(&op->readers) == 0) {
			fw_mutex_unlock(&ip->lock);
			fw_mutex_unlock(&op->lock);
			signal_send_current_thread(SIGPIPE);
			ret = -EPIPE;
			break;
		}
		if (!used(ip) && atomic_load(&ip->writers) == 0)
			eof = true;
		else
			n = min_sz(min_sz(len, used(ip)), room(op));
		if (n) {
			ret = move_bytes(ip, op, n, page);
			if (ret > 0 && !tee)
				ring_consume(ip, (size_t)ret);
		}
		fw_mutex_unlock(&ip->lock);
		fw_mutex_unlock(&op->lock);
		if (n || eof)
			break;
		/* Another reader or writer got in between: wait again. */
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
	}
	fw_buf_free(&page);
	return ret;
}

/* The iovec at index i of the user array. 0 or -EFAULT. */
static int iov_at(fw_uptr_t uiov, uint64_t i, struct linux_iovec *iov)
{
	return FW_COPY_IN_OBJ(iov, fw_uptr_add(uiov, i * sizeof(*iov))) ?
		       -EFAULT : 0;
}

long pipe_vmsplice_in(struct pipe *p, fw_uptr_t uiov, uint64_t cnt,
		      bool nonblock)
{
	size_t done = 0;
	long ret = lock_room(p, nonblock);

	if (ret)
		return ret;
	/* Linux vmsplice_to_pipe: one wait for room, then what fits. */
	for (uint64_t i = 0; i < cnt && done < MAX_RW_COUNT; i++) {
		struct linux_iovec iov;
		size_t n;
		long w;

		ret = iov_at(uiov, i, &iov);
		if (ret)
			break;
		n = min_sz(min_sz(iov.iov_len, room(p)), MAX_RW_COUNT - done);
		if (!n) {
			if (iov.iov_len)
				break; /* full */
			continue;
		}
		w = ring_put(p, (struct fw_bytes){ 0 }, fw_uptr(iov.iov_base),
			     true, n);
		if (w < 0) {
			ret = w;
			break;
		}
		done += (size_t)w;
		if ((size_t)w < iov.iov_len)
			break;
	}
	fw_mutex_unlock(&p->lock);
	return done ? (long)done : ret;
}

long pipe_vmsplice_out(struct pipe *p, fw_uptr_t uiov, uint64_t cnt,
		       bool nonblock)
{
	size_t done = 0;
	long ret = lock_data(p, nonblock);

	if (ret)
		return ret;
	/* Linux vmsplice_to_user: what the pipe holds now, up to the
	 * vectors' length (no second wait once bytes moved). */
	for (uint64_t i = 0; i < cnt && used(p); i++) {
		struct linux_iovec iov;
		size_t n;

		ret = iov_at(uiov, i, &iov);
		if (ret)
			break;
		n = min_sz(min_sz(iov.iov_len, used(p)), MAX_RW_COUNT - done);
		if (!n)
			continue;
		ret = ring_get(p, atomic_load(&p->tail), (struct fw_buf){ 0 },
			       fw_uptr(iov.iov_base), true, n);
		if (ret)
			break;
		ring_consume(p, n);
		done += n;
		if (n < iov.iov_len)
			break;
	}
	fw_mutex_unlock(&p->lock);
	return done ? (long)done : ret;
}
