/* services/fs/pipe/pipe.c: pipe and FIFO files.
 *
 * Layer: services (safe C), after Linux fs/pipe.c. Data moves between the
 * ring frames and user memory with fw_frame_copy_in/out (one copy). The
 * pipe mutex serialises copies; the counters are atomics so the sleep
 * conditions can read them without it. Blocking waits end early on a
 * signal, returning -ERESTARTSYS if nothing was transferred, as Linux
 * does: the signal code turns it into -EINTR or a restart (SA_RESTART). */
#include <fw/heap.h>

#include "fs/pipe/pipe.h"
#include "current/current.h"

static struct superblock *pipefs_sb;

void pipe_put(struct pipe *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (unsigned i = 0; i < PIPE_RING_PAGES; i++)
		if (p->page[i])
			fw_frame_put(p->page[i]);
	fw_free(p);
}

static struct pipe *pipe_alloc(void)
{
	static _Atomic uint64_t next_id;
	struct pipe *p = FW_NEW(struct pipe);

	if (!p)
		return NULL;
	p->id = atomic_fetch_add(&next_id, 1);
	atomic_init(&p->refs, 1);
	fw_mutex_init(&p->lock, "pipe");
	fw_waitq_init(&p->rd_wait, "pipe_rd");
	fw_waitq_init(&p->wr_wait, "pipe_wr");
	poll_head_init(&p->poll);
	return p;
}

static void wake_all(struct pipe *p)
{
	fw_waitq_wake_all(&p->rd_wait);
	fw_waitq_wake_all(&p->wr_wait);
	poll_wake(&p->poll);
}

static bool pipe_readable(struct pipe *p)
{
	return atomic_load(&p->head) != atomic_load(&p->tail) ||
	       atomic_load(&p->writers) == 0;
}

static long pipe_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct pipe *p = f->pipe;
	size_t done = 0;
	long ret = 0;

	if (len == 0)
		return 0;
	fw_mutex_lock(&p->lock);
	for (;;) {
		uint64_t head = atomic_load(&p->head), tail = atomic_load(&p->tail);

		while (done < len && tail != head) {
			uint64_t used = pipe_ring_used(head, tail);
			size_t max = len - done < used ? len - done : (size_t)used;
			struct pipe_chunk c = pipe_ring_chunk(tail, max);

			if (fw_frame_copy_out(fw_uptr_add(buf, done),
					      p->page[c.page], c.off, c.len)) {
				if (!done)
					ret = -EFAULT;
				break;
			}
			done += c.len;
			tail += c.len;
			atomic_store(&p->tail, tail);
		}
		if (done || ret) {
			fw_waitq_wake_all(&p->wr_wait);
			poll_wake(&p->poll);
			break;
		}
		if (atomic_load(&p->writers) == 0)
			break; /* end of file */
		if (atomic_load(&f->flags) & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		fw_mutex_unlock(&p->lock);
		FW_WAIT_EVENT(&p->rd_wait,
			      pipe_readable(p) || signal_pending_current());
		if (!pipe_readable(p))
			return -ERESTARTSYS;
		fw_mutex_lock(&p->lock);
	}
	fw_mutex_unlock(&p->lock);
	if (done)
		inode_touch(f->path.inode, true, false, false);
	return done ? (long)done : ret;
}

static bool pipe_room(struct pipe *p, size_t total, size_t done)
{
	return atomic_load(&p->readers) == 0 ||
	       pipe_ring_writable(atomic_load(&p->head), atomic_load(&p->tail),
				  total, done) > 0;
}

static long pipe_write(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	struct pipe *p = f->pipe;
	size_t done = 0;
	long ret = 0;

	if (len == 0)
		return 0;
	fw_mutex_lock(&p->lock);
	for (;;) {
		uint64_t head = atomic_load(&p->head);
		size_t can;

		if (atomic_load(&p->readers) == 0) {
			if (!done) {
				signal_send_current_thread(SIGPIPE);
				ret = -EPIPE;
			}
			break;
		}
		can = pipe_ring_writable(head, atomic_load(&p->tail), len, done);
		while (can) {
			struct pipe_chunk c = pipe_ring_chunk(head, can);

			if (!p->page[c.page] &&
			    fw_frame_alloc(0, &p->page[c.page])) {
				ret = -ENOMEM;
				break;
			}
			if (fw_frame_copy_in(p->page[c.page], c.off,
					     fw_uptr_add(buf, done), c.len)) {
				ret = -EFAULT;
				break;
			}
			done += c.len;
			can -= c.len;
			head += c.len;
			atomic_store(&p->head, head);
		}
		if (done) {
			fw_waitq_wake_all(&p->rd_wait);
			poll_wake(&p->poll);
		}
		if (ret || done == len)
			break;
		if (atomic_load(&f->flags) & O_NONBLOCK) {
			if (!done)
				ret = -EAGAIN;
			break;
		}
		if (signal_pending_current()) {
			if (!done)
				ret = -ERESTARTSYS;
			break;
		}
		fw_mutex_unlock(&p->lock);
		FW_WAIT_EVENT(&p->wr_wait,
			      pipe_room(p, len, done) || signal_pending_current());
		fw_mutex_lock(&p->lock);
	}
	fw_mutex_unlock(&p->lock);
	if (done) {
		inode_touch(f->path.inode, false, true, true);
		return (long)done;
	}
	return ret;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->pipe;
	unsigned mask = 0;
	uint64_t head, tail;

	poll_wait(pt, &p->poll);
	head = atomic_load(&p->head);
	tail = atomic_load(&p->tail);
	if (f->fmode & FMODE_READ) {
		if (head != tail)
			mask |= POLLIN | POLLRDNORM;
		/* A FIFO reader opened before any writer is not hung up
		 * (Linux compares f_version with w_counter). */
		if (atomic_load(&p->writers) == 0 &&
		    f->priv != atomic_load(&p->w_counter))
			mask |= POLLHUP;
	}
	if (f->fmode & FMODE_WRITE) {
		if (pipe_ring_free(head, tail) >= PIPE_ATOMIC_MAX)
			mask |= POLLOUT | POLLWRNORM;
		if (atomic_load(&p->readers) == 0)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	if (cmd == FIONREAD) {
		int32_t n = (int32_t)pipe_ring_used(atomic_load(&f->pipe->head),
						   atomic_load(&f->pipe->tail));

		return FW_COPY_OUT_OBJ(fw_uptr(arg), &n) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->pipe;

	if (!p)
		return;
	fw_mutex_lock(&p->lock);
	if (f->fmode & FMODE_READ)
		atomic_fetch_sub(&p->readers, 1);
	if (f->fmode & FMODE_WRITE)
		atomic_fetch_sub(&p->writers, 1);
	fw_mutex_unlock(&p->lock);
	wake_all(p);
	f->pipe = NULL;
	pipe_put(p);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	struct vfs_path path = { 0 };
	struct inode *ino;
	struct pipe *p;

	if (!pipefs_sb) {
		/* Anonymous pipes' inodes (fstat shows S_IFIFO, 0600). Set
		 * once; a racing second allocation only leaks a superblock. */
		struct superblock *sb = FW_NEW(struct superblock);

		if (!sb)
			return -ENOMEM;
		sb->dev = 12; /* Linux's pipefs is an anonymous device too */
		sb->magic = 0x50495045; /* PIPEFS_MAGIC */
		sb->fstype = "pipefs";
		atomic_init(&sb->next_ino, 1);
		pipefs_sb = sb;
	}
	p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	ino = inode_alloc(pipefs_sb, S_IFIFO | 0600);
	if (!ino) {
		pipe_put(p);
		return -ENOMEM;
	}
	ino->nlink = 1;
	/* The creator's, as Linux's get_pipe_inode: fstat shows it, and
	 * it may reopen the pipe through /proc/<pid>/fd (0600). */
	ino->uid = fs_cred()->fsuid;
	ino->gid = fs_cred()->fsgid;
	ino->pipe = p; /* the inode's reference */
	path.inode = ino;
	*rd = file_alloc(&path, &pipe_ops, O_RDONLY | (flags & O_NONBLOCK));
	*wr = file_alloc(&path, &pipe_ops, O_WRONLY | (flags & O_NONBLOCK));
	inode_put(ino); /* the files hold it now */
	if (!*rd || !*wr) {
		if (*rd)
			file_put(*rd);
		if (*wr)
			file_put(*wr);
		return -ENOMEM;
	}
	atomic_fetch_add(&p->refs, 2);
	(*rd)->pipe = p;
	(*wr)->pipe = p;
	atomic_store(&p->readers, 1);
	atomic_store(&p->writers, 1);
	atomic_store(&p->r_counter, 1);
	atomic_store(&p->w_counter, 1);
	return 0;
}

/* FIFO open, as Linux fifo_open: a reader waits for a writer and a writer
 * for a reader unless O_NONBLOCK (a non-blocking writer without readers
 * gets -ENXIO); O_RDWR never waits. Called without vfs_ns_lock. */
static int fifo_open(struct inode *ino, struct file *f)
{
	struct pipe *p = ino->pipe;
	bool nonblock = atomic_load(&f->flags) & O_NONBLOCK;
	/* A pipe(2) pipe reopened through /proc/<pid>/fd waits for no
	 * partner (Linux fifo_open's is_pipe): bash's <(cmd) opens
	 * /dev/fd/63 after cmd may have finished and closed its end. */
	bool anon = ino->sb == pipefs_sb;
	unsigned seen;

	atomic_fetch_add(&p->refs, 1);
	f->pipe = p;
	fw_mutex_lock(&p->lock);
	if ((f->fmode & (FMODE_READ | FMODE_WRITE)) == (FMODE_READ | FMODE_WRITE)) {
		atomic_fetch_add(&p->readers, 1);
		atomic_fetch_add(&p->writers, 1);
		atomic_fetch_add(&p->r_counter, 1);
		atomic_fetch_add(&p->w_counter, 1);
		fw_mutex_unlock(&p->lock);
		wake_all(p);
		return 0;
	}
	if (f->fmode & FMODE_READ) {
		bool writer_present;

		atomic_fetch_add(&p->readers, 1);
		atomic_fetch_add(&p->r_counter, 1);
		seen = atomic_load(&p->w_counter);
		/* Look for a writer under the lock: one that opened before us
		 * may write, close and be gone by the time we look again, and
		 * its w_counter bump is already behind seen. */
		writer_present = atomic_load(&p->writers) > 0;
		/* Linux's f_version: POLLHUP is held back only for a FIFO
		 * opened non-blocking while no writer had it, until one
		 * comes; any other reader sees it once the writers are gone
		 * (one opened while a writer had it never did). */
		f->priv = !anon && !writer_present && nonblock ? seen : 0;
		fw_mutex_unlock(&p->lock);
		wake_all(p);
		if (writer_present || nonblock || anon)
			return 0;
		FW_WAIT_EVENT(&p->rd_wait, atomic_load(&p->w_counter) != seen ||
						   signal_pending_current());
		if (atomic_load(&p->w_counter) != seen)
			return 0;
		/* Interrupted: the release op undoes the count. */
		return -ERESTARTSYS;
	}
	if (!anon && nonblock && atomic_load(&p->readers) == 0) {
		fw_mutex_unlock(&p->lock);
		f->fmode &= ~FMODE_WRITE; /* nothing to undo on release */
		return -ENXIO;
	}
	atomic_fetch_add(&p->writers, 1);
	seen = atomic_fetch_add(&p->w_counter, 1) + 1;
	(void)seen;
	seen = atomic_load(&p->r_counter);
	fw_mutex_unlock(&p->lock);
	wake_all(p);
	if (anon || atomic_load(&p->readers))
		return 0;
	FW_WAIT_EVENT(&p->wr_wait, atomic_load(&p->r_counter) != seen ||
					   signal_pending_current());
	return atomic_load(&p->r_counter) != seen ? 0 : -ERESTARTSYS;
}

const struct file_ops fifo_ops = {
	.open = fifo_open,
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

/* The FIFO inode's pipe, made on first open (vfs_ns_lock held). */
int fifo_prepare(struct inode *ino);
int fifo_prepare(struct inode *ino)
{
	if (!ino->pipe) {
		ino->pipe = pipe_alloc();
		if (!ino->pipe)
			return -ENOMEM;
	}
	return 0;
}
