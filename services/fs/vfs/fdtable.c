/* services/fs/vfs/fdtable.c: file descriptor tables.
 *
 * Layer: services (safe C), VFS. A table is a row of chunks of FD_CHUNK
 * file pointers with their close-on-exec bits, under a spinlock; a chunk
 * is allocated when a descriptor in it is first used, so a process may
 * raise RLIMIT_NOFILE to its hard limit (4096 by default) and use them
 * all. Files are never released under the lock (release may sleep): they
 * are taken out first and put afterwards. Lowest-free-descriptor
 * allocation is POSIX; a bitmap of the open descriptors and a hint below
 * which all are open (as Linux's) keep it from walking every slot, which
 * made each open of a process with thousands of descriptors cost as much
 * as the rest of the call. */
#include <fw/heap.h>

#include "fs/vfs/fdtable.h"
#include "current/current.h"

#define NCHUNKS (FD_NR_OPEN / FD_CHUNK)

/* The file at fd (lock held; fd in range), or NULL. */
static struct file *slot(const struct fdtable *t, int fd)
{
	const struct fd_chunk *c = t->chunk[fd / FD_CHUNK];

	return c ? c->fd[fd % FD_CHUNK] : NULL;
}

static bool cloexec_test(const struct fdtable *t, int fd)
{
	const struct fd_chunk *c = t->chunk[fd / FD_CHUNK];
	int i = fd % FD_CHUNK;

	return c && ((c->cloexec[i / 64] >> (i % 64)) & 1);
}

/* Set fd's file and close-on-exec bit (lock held; its chunk exists). */
static void slot_set(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	struct fd_chunk *c = t->chunk[fd / FD_CHUNK];
	int i = fd % FD_CHUNK;
	uint64_t bit = 1ull << (i % 64);

	c->fd[i] = f;
	if (cloexec)
		c->cloexec[i / 64] |= bit;
	else
		c->cloexec[i / 64] &= ~bit;
	if (f) {
		c->open[i / 64] |= bit;
	} else {
		c->open[i / 64] &= ~bit;
		if (fd < t->next_fd)
			t->next_fd = fd;
	}
}

/* The lowest free descriptor in [from, limit), or -1 (lock held).
 * *unallocated: it lies in a chunk not allocated yet. */
static int lowest_free(const struct fdtable *t, int from, int limit,
		       bool *unallocated)
{
	*unallocated = false;
	for (int fd = from; fd < limit;) {
		const struct fd_chunk *c = t->chunk[fd / FD_CHUNK];
		int i = fd % FD_CHUNK;
		uint64_t free_bits;

		if (!c) {
			*unallocated = true;
			return fd;
		}
		free_bits = ~c->open[i / 64] & (~0ull << (i % 64));
		if (free_bits) {
			int found = fd - i % 64 + __builtin_ctzll(free_bits);

			return found < limit ? found : -1;
		}
		fd += 64 - i % 64;
	}
	return -1;
}

/* Make sure the chunk holding fd exists: 0 or -ENOMEM. The allocation
 * happens without the lock. */
static int chunk_ensure(struct fdtable *t, int fd)
{
	int k = fd / FD_CHUNK;
	struct fd_chunk *c;

	fw_spin_lock(&t->lock);
	c = t->chunk[k];
	fw_spin_unlock(&t->lock);
	if (c)
		return 0;
	c = FW_NEW(struct fd_chunk);
	if (!c)
		return -ENOMEM;
	fw_spin_lock(&t->lock);
	if (!t->chunk[k]) {
		t->chunk[k] = c;
		c = NULL;
	}
	fw_spin_unlock(&t->lock);
	fw_free(c); /* another thread was first */
	return 0;
}

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = FW_NEW(struct fdtable);

	if (!t)
		return NULL;
	t->chunk[0] = FW_NEW(struct fd_chunk);
	if (!t->chunk[0]) {
		fw_free(t);
		return NULL;
	}
	atomic_init(&t->refs, 1);
	fw_spin_init(&t->lock, "fdtable");
	return t;
}

static void chunks_free(struct fdtable *t)
{
	for (int k = 0; k < NCHUNKS; k++)
		fw_free(t->chunk[k]);
	fw_free(t);
}

int fdtable_fork(struct fdtable *src, struct fdtable **out)
{
	struct fdtable *t = fdtable_create();
	bool short_of_memory = false;

	if (!t)
		return -ENOMEM;
	/* The chunks first, without the lock; src may grow meanwhile, so
	 * the copy below takes what it finds and misses nothing. */
	for (int k = 1; k < NCHUNKS; k++) {
		bool used;

		fw_spin_lock(&src->lock);
		used = src->chunk[k] != NULL;
		fw_spin_unlock(&src->lock);
		if (used && !(t->chunk[k] = FW_NEW(struct fd_chunk)))
			short_of_memory = true;
	}
	if (short_of_memory) {
		chunks_free(t);
		return -ENOMEM;
	}
	fw_spin_lock(&src->lock);
	for (int k = 0; k < NCHUNKS; k++) {
		const struct fd_chunk *from = src->chunk[k];
		struct fd_chunk *to = t->chunk[k];

		if (!from || !to)
			continue; /* a chunk src grew since holds nothing yet */
		*to = *from;
		for (int i = 0; i < FD_CHUNK; i++)
			if (to->fd[i])
				file_get(to->fd[i]);
	}
	fw_spin_unlock(&src->lock);
	*out = t;
	return 0;
}

void fdtable_get(struct fdtable *t)
{
	atomic_fetch_add(&t->refs, 1);
}

void fdtable_put(struct fdtable *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	locks_remove_table(t);
	for (int k = 0; k < NCHUNKS; k++)
		for (int i = 0; t->chunk[k] && i < FD_CHUNK; i++) {
			struct file *f = t->chunk[k]->fd[i];

			if (f && f->ops && f->ops->flush)
				f->ops->flush(f);
			file_put(f);
		}
	chunks_free(t);
}

/* A descriptor of f in t is going away: its POSIX locks, and whatever
 * the file keeps for the closing process (file_ops.flush). f may be
 * NULL. */
static void fd_closing(const struct fdtable *t, struct file *f)
{
	locks_remove_posix(t, f);
	if (f && f->ops && f->ops->flush)
		f->ops->flush(f);
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (int fd = fdtable_next_fd(t, 0); fd >= 0;
	     fd = fdtable_next_fd(t, fd + 1)) {
		struct file *f = NULL;

		fw_spin_lock(&t->lock);
		if (cloexec_test(t, fd)) {
			f = slot(t, fd);
			slot_set(t, fd, NULL, false);
		}
		fw_spin_unlock(&t->lock);
		fd_closing(t, f);
		file_put(f);
	}
}

int fd_limit(void)
{
	uint64_t lim = current_rlimit(RLIMIT_NOFILE);

	return lim < FD_NR_OPEN ? (int)lim : FD_NR_OPEN;
}

int fdtable_next_fd(struct fdtable *t, int from)
{
	int fd = -1;

	if (from < 0)
		from = 0;
	fw_spin_lock(&t->lock);
	for (int i = from; i < FD_NR_OPEN && fd < 0;) {
		const struct fd_chunk *c = t->chunk[i / FD_CHUNK];
		int j = i % FD_CHUNK;
		uint64_t open_bits;

		if (!c) {
			i = (i | (FD_CHUNK - 1)) + 1; /* skip the whole chunk */
			continue;
		}
		open_bits = c->open[j / 64] & (~0ull << (j % 64));
		if (open_bits)
			fd = i - j % 64 + __builtin_ctzll(open_bits);
		else
			i += 64 - j % 64;
	}
	fw_spin_unlock(&t->lock);
	return fd;
}

bool fd_available(struct fdtable *t)
{
	bool unallocated;
	int fd;

	fw_spin_lock(&t->lock);
	fd = lowest_free(t, t->next_fd, fd_limit(), &unallocated);
	fw_spin_unlock(&t->lock);
	return fd >= 0;
}

int fd_install_from(struct fdtable *t, struct file *f, unsigned flags, int min)
{
	int limit = fd_limit();

	if (min < 0)
		return -EINVAL;
	for (;;) {
		bool unallocated, lowest;
		int fd;

		fw_spin_lock(&t->lock);
		lowest = min <= t->next_fd;
		fd = lowest_free(t, lowest ? t->next_fd : min, limit,
				 &unallocated);
		if (fd >= 0 && !unallocated) {
			slot_set(t, fd, f, flags & O_CLOEXEC);
			if (lowest)
				t->next_fd = fd + 1;
		}
		fw_spin_unlock(&t->lock);
		if (fd < 0)
			return -EMFILE;
		if (!unallocated)
			return fd;
		if (chunk_ensure(t, fd))
			return -ENOMEM;
	}
}

int fd_install(struct fdtable *t, struct file *f, unsigned flags)
{
	return fd_install_from(t, f, flags, 0);
}

int fd_install_at(struct fdtable *t, int fd, struct file *f, unsigned flags)
{
	struct file *old;

	if (fd < 0 || fd >= fd_limit())
		return -EBADF;
	if (chunk_ensure(t, fd))
		return -ENOMEM;
	fw_spin_lock(&t->lock);
	old = slot(t, fd);
	slot_set(t, fd, f, flags & O_CLOEXEC);
	fw_spin_unlock(&t->lock);
	if (old != f)
		fd_closing(t, old);
	file_put(old);
	return 0;
}

struct file *fd_get(struct fdtable *t, int fd)
{
	struct file *f = NULL;

	if (!t || fd < 0 || fd >= FD_NR_OPEN)
		return NULL;
	fw_spin_lock(&t->lock);
	f = slot(t, fd);
	if (f)
		file_get(f);
	fw_spin_unlock(&t->lock);
	return f;
}

int fd_close(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= FD_NR_OPEN)
		return -EBADF;
	fw_spin_lock(&t->lock);
	f = slot(t, fd);
	if (f)
		slot_set(t, fd, NULL, false);
	fw_spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	fd_closing(t, f);
	file_put(f);
	return 0;
}

int fd_get_cloexec(struct fdtable *t, int fd, bool *on)
{
	int err = 0;

	if (fd < 0 || fd >= FD_NR_OPEN)
		return -EBADF;
	fw_spin_lock(&t->lock);
	if (slot(t, fd))
		*on = cloexec_test(t, fd);
	else
		err = -EBADF;
	fw_spin_unlock(&t->lock);
	return err;
}

int fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	struct file *f;
	int err = 0;

	if (fd < 0 || fd >= FD_NR_OPEN)
		return -EBADF;
	fw_spin_lock(&t->lock);
	f = slot(t, fd);
	if (f)
		slot_set(t, fd, f, on);
	else
		err = -EBADF;
	fw_spin_unlock(&t->lock);
	return err;
}
