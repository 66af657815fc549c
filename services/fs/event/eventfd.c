/* services/fs/event/eventfd.c: eventfd(2), a 64-bit counter as a file.
 *
 * Layer: services (safe C), after Linux fs/eventfd.c. A read takes the
 * whole counter (or 1 with EFD_SEMAPHORE) and blocks while it is 0; a
 * write adds to it and blocks while the sum would pass 0xfffffffffffffffe.
 * The counter is changed under the mutex and read by wait conditions
 * without it. Blocking waits end on a signal with -ERESTARTSYS. */
#include <fw/heap.h>

#include "fs/event/epoll.h"
#include "fs/event/poll.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

#define EVENTFD_MAX (UINT64_MAX - 1)

struct eventfd {
	struct fw_mutex lock;		/* serialises changes of count */
	_Atomic uint64_t count;
	bool semaphore;			/* EFD_SEMAPHORE */
	struct fw_waitq wq;		/* blocked readers and writers */
	struct poll_head poll;
};

static void eventfd_changed(struct eventfd *e)
{
	fw_waitq_wake_all(&e->wq);
	poll_wake(&e->poll);
}

static long eventfd_read(struct file *f, fw_uptr_t buf, size_t len,
			 uint64_t *pos)
{
	struct eventfd *e = f->efd;
	uint64_t c, v;

	(void)pos;
	if (len < sizeof(uint64_t))
		return -EINVAL;
	fw_mutex_lock(&e->lock);
	for (;;) {
		c = atomic_load(&e->count);
		if (c)
			break;
		fw_mutex_unlock(&e->lock);
		if (atomic_load(&f->flags) & O_NONBLOCK)
			return -EAGAIN;
		FW_WAIT_EVENT(&e->wq, atomic_load(&e->count) ||
					      signal_pending_current());
		if (!atomic_load(&e->count) && signal_pending_current())
			return -ERESTARTSYS;
		fw_mutex_lock(&e->lock);
	}
	v = e->semaphore ? 1 : c;
	atomic_store(&e->count, c - v);
	fw_mutex_unlock(&e->lock);
	eventfd_changed(e);
	/* As Linux: the value is consumed even if the copy then faults. */
	return FW_COPY_OUT_OBJ(buf, &v) ? -EFAULT : (long)sizeof(v);
}

static long eventfd_write(struct file *f, fw_uptr_t buf, size_t len,
			  uint64_t *pos)
{
	struct eventfd *e = f->efd;
	uint64_t c, v;

	(void)pos;
	/* Exactly 8 bytes, as current Linux (older kernels took more). */
	if (len != sizeof(uint64_t))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&v, buf))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	fw_mutex_lock(&e->lock);
	for (;;) {
		c = atomic_load(&e->count);
		if (UINT64_MAX - c > v)
			break;
		fw_mutex_unlock(&e->lock);
		if (atomic_load(&f->flags) & O_NONBLOCK)
			return -EAGAIN;
		FW_WAIT_EVENT(&e->wq, UINT64_MAX - atomic_load(&e->count) > v ||
					      signal_pending_current());
		if (UINT64_MAX - atomic_load(&e->count) <= v &&
		    signal_pending_current())
			return -ERESTARTSYS;
		fw_mutex_lock(&e->lock);
	}
	atomic_store(&e->count, c + v);
	fw_mutex_unlock(&e->lock);
	eventfd_changed(e);
	return (long)sizeof(v);
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->efd;
	unsigned mask = 0;
	uint64_t c;

	poll_wait(pt, &e->poll);
	c = atomic_load(&e->count);
	if (c)
		mask |= POLLIN | POLLRDNORM;
	if (c == UINT64_MAX)
		mask |= POLLERR;
	if (c < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void eventfd_release(struct file *f)
{
	fw_free(f->efd);
	f->efd = NULL;
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

static long do_eventfd2(uint32_t initval, unsigned flags)
{
	struct eventfd *e;
	struct file *f;
	int fd;

	if (flags & ~(unsigned)(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	e = FW_NEW(struct eventfd);
	if (!e)
		return -ENOMEM;
	fw_mutex_init(&e->lock, "eventfd");
	atomic_init(&e->count, initval);
	e->semaphore = flags & EFD_SEMAPHORE;
	fw_waitq_init(&e->wq, "eventfd");
	poll_head_init(&e->poll);
	f = anon_file_create(&eventfd_ops, O_RDWR | (flags & O_NONBLOCK),
			     "[eventfd]");
	if (!f) {
		fw_free(e);
		return -ENOMEM;
	}
	f->efd = e;
	fd = fd_install(sys_files(), f, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_eventfd(const struct sys_args *a)
{
	return do_eventfd2((uint32_t)a->arg[0], 0);
}

long sys_eventfd2(const struct sys_args *a)
{
	return do_eventfd2((uint32_t)a->arg[0], (unsigned)a->arg[1]);
}
