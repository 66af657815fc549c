/* services/fs/vfs/fdtable.c: file descriptor tables.
 *
 * Layer: services (safe C), VFS. A table is an array of 1024 file
 * pointers and a close-on-exec bitmap under a spinlock. Files are never
 * released under the lock (release may sleep): they are taken out first
 * and put afterwards. Lowest-free-descriptor allocation is POSIX. */
#include <fw/heap.h>

#include "fs/vfs/fdtable.h"
#include "current/current.h"

static bool cloexec_test(const struct fdtable *t, int fd)
{
	return (t->cloexec[fd / 64] >> (fd % 64)) & 1;
}

static void cloexec_set(struct fdtable *t, int fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = FW_NEW(struct fdtable);

	if (!t)
		return NULL;
	atomic_init(&t->refs, 1);
	fw_spin_init(&t->lock, "fdtable");
	return t;
}

int fdtable_fork(struct fdtable *src, struct fdtable **out)
{
	struct fdtable *t = fdtable_create();

	if (!t)
		return -ENOMEM;
	fw_spin_lock(&src->lock);
	for (int i = 0; i < FDTABLE_MAX; i++) {
		t->fd[i] = src->fd[i];
		if (t->fd[i])
			file_get(t->fd[i]);
	}
	for (unsigned i = 0; i < FW_ARRAY_LEN(t->cloexec); i++)
		t->cloexec[i] = src->cloexec[i];
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
	for (int i = 0; i < FDTABLE_MAX; i++)
		file_put(t->fd[i]);
	fw_free(t);
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (int i = 0; i < FDTABLE_MAX; i++) {
		struct file *f = NULL;

		fw_spin_lock(&t->lock);
		if (cloexec_test(t, i)) {
			f = t->fd[i];
			t->fd[i] = NULL;
			cloexec_set(t, i, false);
		}
		fw_spin_unlock(&t->lock);
		locks_remove_posix(t, f);
		file_put(f);
	}
}

/* Descriptors the caller may use: RLIMIT_NOFILE, at most the table. */
static int fd_limit(void)
{
	uint64_t lim = current_rlimit(RLIMIT_NOFILE);

	return lim < FDTABLE_MAX ? (int)lim : FDTABLE_MAX;
}

int fd_install_from(struct fdtable *t, struct file *f, unsigned flags, int min)
{
	int fd = -EMFILE, limit = fd_limit();

	if (min < 0)
		return -EINVAL;
	fw_spin_lock(&t->lock);
	for (int i = min; i < limit; i++) {
		if (!t->fd[i]) {
			t->fd[i] = f;
			cloexec_set(t, i, flags & O_CLOEXEC);
			fd = i;
			break;
		}
	}
	fw_spin_unlock(&t->lock);
	return fd;
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
	fw_spin_lock(&t->lock);
	old = t->fd[fd];
	t->fd[fd] = f;
	cloexec_set(t, fd, flags & O_CLOEXEC);
	fw_spin_unlock(&t->lock);
	if (old != f)
		locks_remove_posix(t, old);
	file_put(old);
	return 0;
}

struct file *fd_get(struct fdtable *t, int fd)
{
	struct file *f = NULL;

	if (!t || fd < 0 || fd >= FDTABLE_MAX)
		return NULL;
	fw_spin_lock(&t->lock);
	f = t->fd[fd];
	if (f)
		file_get(f);
	fw_spin_unlock(&t->lock);
	return f;
}

int fd_close(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	fw_spin_lock(&t->lock);
	f = t->fd[fd];
	t->fd[fd] = NULL;
	cloexec_set(t, fd, false);
	fw_spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	locks_remove_posix(t, f);
	file_put(f);
	return 0;
}

int fd_get_cloexec(struct fdtable *t, int fd, bool *on)
{
	int err = 0;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	fw_spin_lock(&t->lock);
	if (t->fd[fd])
		*on = cloexec_test(t, fd);
	else
		err = -EBADF;
	fw_spin_unlock(&t->lock);
	return err;
}

int fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	int err = 0;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	fw_spin_lock(&t->lock);
	if (t->fd[fd])
		cloexec_set(t, fd, on);
	else
		err = -EBADF;
	fw_spin_unlock(&t->lock);
	return err;
}
