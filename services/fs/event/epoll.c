/* services/fs/event/epoll.c: epoll_create/ctl/wait (Linux fs/eventpoll.c), and
 * the anonymous inodes that eventfd and epoll files live on.
 *
 * Layer: services (safe C), VFS. An epoll instance (struct eventpoll)
 * holds one struct epitem per (file, fd) registered. Each item owns a
 * poll_waiter that stays registered on the file's poll heads for the
 * item's life, with forward = the instance's poll head: a wakeup of the
 * file sets the item's "triggered" flag (the item is on Linux's ready
 * list) and wakes whoever waits on the instance (epoll_wait callers, an
 * outer epoll, poll/select on the epoll fd). epoll_wait walks the items,
 * and for every triggered one clears the flag and asks the file's poll op
 * for the current mask: reported if it meets the item's events, then set
 * triggered again for level-triggered items (so they are looked at next
 * time too), left clear for EPOLLET, and disarmed for EPOLLONESHOT.
 * A reported item moves to the list's tail so a small maxevents still
 * visits every ready item in turn, as Linux's ready list does.
 *
 * Items hold no reference on their file. As Linux, the file's last
 * file_put calls epoll_file_release, which unhooks every item before the
 * file is released; until then the file is intact, so an item found under
 * ep->mtx may be polled.
 *
 * Locking (outermost first):
 *   epoll_global_lock (Linux epmutex): the item <-> file links (f->ep_links)
 *     and the shape of the epoll graph (adding epoll files to epolls).
 *   ep->mtx: the instance's items, their events/data. An outer instance's
 *     mtx is taken before an inner one's (polling a nested epoll file);
 *     epoll_ctl refuses cycles (-ELOOP), so this order is acyclic.
 *   poll head spinlocks (poll.c), inner file's head before the instance's.
 * No file_put is ever done under ep->mtx or epoll_global_lock, because a
 * last put re-enters epoll_file_release. */
#include <fw/heap.h>
#include <fw/time.h>

#include "fs/event/epoll.h"
#include "fs/vfs/mount.h"
#include "fs/event/poll.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

#define EP_MAX_NESTS 4
#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct linux_epoll_event))
/* Bits that steer the item and are never reported. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS                                                 \
	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |    \
	 EPOLLEXCLUSIVE)

FW_STATIC_ASSERT(sizeof(struct linux_epoll_event) == 12,
		 "struct epoll_event is packed on x86-64");

struct eventpoll {
	struct fw_mutex mtx;		/* guards items and their fields */
	struct fw_list items;		/* struct epitem.ep_node */
	unsigned nitems;
	struct poll_head poll;		/* epoll_wait sleepers, outer watchers */
};

struct epitem {
	struct fw_list ep_node;		/* on ep->items (ep->mtx) */
	struct fw_list file_node;	/* on file->ep_links (global lock) */
	struct eventpoll *ep;
	struct file *file;		/* not referenced (see above) */
	int fd;
	uint32_t events;		/* wanted, | EPOLLERR | EPOLLHUP */
	uint64_t data;
	struct poll_waiter pw;		/* on the file's heads; triggered */
};

static struct fw_mutex epoll_global_lock;
static struct superblock *anon_sb;

void epoll_init(void)
{
	fw_mutex_init(&epoll_global_lock, "epoll_global");
}

struct file *anon_file_create(const struct file_ops *ops, unsigned flags,
			      const char *name)
{
	struct vfs_path path = { 0 };
	struct inode *ino;
	struct file *f;

	if (!anon_sb) {
		/* Set once; a racing second allocation only leaks a
		 * superblock (as pipefs). */
		struct superblock *sb = FW_NEW(struct superblock);

		if (!sb)
			return NULL;
		sb->dev = vfs_anon_dev();
		sb->magic = 0x09041934; /* ANON_INODE_FS_MAGIC */
		sb->fstype = "anon_inodefs";
		atomic_init(&sb->next_ino, 1);
		anon_sb = sb;
	}
	ino = inode_alloc(anon_sb, 0600);
	if (!ino)
		return NULL;
	ino->nlink = 1;
	path.inode = ino;
	f = file_alloc(&path, ops, flags);
	inode_put(ino); /* the file holds it now */
	if (f)
		f->anon_name = name;
	return f;
}

/* The file's mask now, without registering. */
static unsigned item_poll(struct epitem *it)
{
	struct poll_table pt = { NULL, NULL };

	return it->file->ops->poll(it->file, &pt);
}

/* Unhook and free it. epoll_global_lock and ep->mtx held. */
static void ep_remove(struct eventpoll *ep, struct epitem *it)
{
	poll_waiter_finish(&it->pw); /* entries hold no file reference */
	fw_list_del(&it->file_node);
	atomic_fetch_sub(&it->file->ep_count, 1);
	fw_list_del(&it->ep_node);
	ep->nitems--;
	fw_free(it);
}

void epoll_file_release(struct file *f)
{
	struct epitem *it, *tmp;

	fw_mutex_lock(&epoll_global_lock);
	FW_LIST_FOR_EACH_SAFE(it, tmp, &f->ep_links, file_node) {
		struct eventpoll *ep = it->ep;

		fw_mutex_lock(&ep->mtx);
		ep_remove(ep, it);
		fw_mutex_unlock(&ep->mtx);
	}
	fw_mutex_unlock(&epoll_global_lock);
}

/* Is some item ready? (ep->mtx held.) Leaves the flags as they are. */
static bool ep_any_ready(struct eventpoll *ep)
{
	struct epitem *it;

	FW_LIST_FOR_EACH(it, &ep->items, ep_node)
		if (atomic_load(&it->pw.triggered) &&
		    (item_poll(it) & it->events & ~EP_PRIVATE_BITS))
			return true;
	return false;
}

/* An epoll fd is readable when it has events to report. */
static unsigned ep_file_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->ep;
	bool ready;

	poll_wait(pt, &ep->poll);
	fw_mutex_lock(&ep->mtx);
	ready = ep_any_ready(ep);
	fw_mutex_unlock(&ep->mtx);
	return ready ? POLLIN | POLLRDNORM : 0;
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->ep;
	struct epitem *it, *tmp;

	if (!ep)
		return;
	fw_mutex_lock(&epoll_global_lock);
	fw_mutex_lock(&ep->mtx);
	FW_LIST_FOR_EACH_SAFE(it, tmp, &ep->items, ep_node)
		ep_remove(ep, it);
	fw_mutex_unlock(&ep->mtx);
	fw_mutex_unlock(&epoll_global_lock);
	f->ep = NULL;
	fw_free(ep);
}

static const struct file_ops epoll_ops = {
	.poll = ep_file_poll,
	.release = ep_release,
};

static long do_epoll_create(unsigned flags)
{
	struct eventpoll *ep;
	struct file *f;
	int fd;

	if (flags & ~(unsigned)EPOLL_CLOEXEC)
		return -EINVAL;
	ep = FW_NEW(struct eventpoll);
	if (!ep)
		return -ENOMEM;
	fw_mutex_init(&ep->mtx, "epoll");
	fw_list_init(&ep->items);
	poll_head_init(&ep->poll);
	f = anon_file_create(&epoll_ops, O_RDWR, "[eventpoll]");
	if (!f) {
		fw_free(ep);
		return -ENOMEM;
	}
	f->ep = ep;
	fd = fd_install(sys_files(), f, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create(const struct sys_args *a)
{
	if ((int)a->arg[0] <= 0)
		return -EINVAL;
	return do_epoll_create(0);
}

long sys_epoll_create1(const struct sys_args *a)
{
	return do_epoll_create((unsigned)a->arg[0]);
}

/* Would putting t inside ep close a cycle or nest too deep? Walks t's
 * nested instances, parent's mtx before child's (epoll_global_lock held,
 * ep->mtx not). */
static bool ep_loop_check(struct eventpoll *ep, struct eventpoll *t, int depth)
{
	struct epitem *it;
	bool loop = false;

	if (t == ep || depth >= EP_MAX_NESTS)
		return true;
	fw_mutex_lock(&t->mtx);
	FW_LIST_FOR_EACH(it, &t->items, ep_node) {
		if (it->file->ep &&
		    ep_loop_check(ep, it->file->ep, depth + 1)) {
			loop = true;
			break;
		}
	}
	fw_mutex_unlock(&t->mtx);
	return loop;
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *it;

	FW_LIST_FOR_EACH(it, &ep->items, ep_node)
		if (it->file == f && it->fd == fd)
			return it;
	return NULL;
}

/* The item's state changed behind the waiter's back (add, mod): if it is
 * ready, put it on the ready list and wake the instance's waiters. */
static void ep_check_ready(struct eventpoll *ep, struct epitem *it, unsigned mask)
{
	if (mask & it->events & ~EP_PRIVATE_BITS) {
		atomic_store(&it->pw.triggered, true);
		poll_wake(&ep->poll);
	}
}

/* epoll_global_lock and ep->mtx held; tf referenced by the caller. */
static int ep_insert(struct eventpoll *ep, const struct linux_epoll_event *ev,
		     struct file *tf, int fd)
{
	struct epitem *it = FW_NEW(struct epitem);
	struct poll_table pt;
	unsigned mask;

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = tf;
	it->fd = fd;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	poll_waiter_init(&it->pw);
	it->pw.forward = &ep->poll;
	fw_list_add_tail(&tf->ep_links, &it->file_node);
	atomic_fetch_add(&tf->ep_count, 1);
	fw_list_add_tail(&ep->items, &it->ep_node);
	ep->nitems++;
	/* Register for good (no file reference: the item goes before the
	 * file does), then read the state. */
	pt.w = &it->pw;
	pt.file = NULL;
	mask = tf->ops->poll(tf, &pt);
	if (it->pw.err) {
		ep_remove(ep, it);
		return -ENOMEM;
	}
	ep_check_ready(ep, it, mask);
	return 0;
}

long sys_epoll_ctl(const struct sys_args *a)
{
	int epfd = (int)a->arg[0], op = (int)a->arg[1], fd = (int)a->arg[2];
	struct linux_epoll_event ev = { 0, 0 };
	struct file *f, *tf;
	struct eventpoll *ep;
	struct epitem *it;
	long err = 0;

	if (op != EPOLL_CTL_DEL && FW_COPY_IN_OBJ(&ev, fw_uptr(a->arg[3])))
		return -EFAULT;
	f = sys_fget(epfd);
	if (!f)
		return -EBADF;
	tf = sys_fget(fd);
	if (!tf) {
		err = -EBADF;
		goto out_put_f;
	}
	if ((f->fmode & FMODE_PATH) || (tf->fmode & FMODE_PATH)) {
		err = -EBADF;
		goto out_put_tf;
	}
	/* Files that cannot be polled (regular files, directories). */
	if (!tf->ops->poll) {
		err = -EPERM;
		goto out_put_tf;
	}
	if (f == tf || !f->ep) {
		err = -EINVAL;
		goto out_put_tf;
	}
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD ||
		    (op == EPOLL_CTL_ADD &&
		     (tf->ep || (ev.events & ~EPOLLEXCLUSIVE_OK_BITS)))) {
			err = -EINVAL;
			goto out_put_tf;
		}
	}
	ep = f->ep;
	fw_mutex_lock(&epoll_global_lock);
	if (op == EPOLL_CTL_ADD && tf->ep && ep_loop_check(ep, tf->ep, 0)) {
		err = -ELOOP;
		goto out_unlock_global;
	}
	fw_mutex_lock(&ep->mtx);
	it = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		err = it ? -EEXIST : ep_insert(ep, &ev, tf, fd);
		break;
	case EPOLL_CTL_DEL:
		if (!it)
			err = -ENOENT;
		else
			ep_remove(ep, it);
		break;
	case EPOLL_CTL_MOD:
		if (!it) {
			err = -ENOENT;
		} else if (it->events & EPOLLEXCLUSIVE) {
			err = -EINVAL;
		} else {
			it->events = ev.events | EPOLLERR | EPOLLHUP;
			it->data = ev.data;
			ep_check_ready(ep, it, item_poll(it));
		}
		break;
	default:
		err = -EINVAL;
		break;
	}
	fw_mutex_unlock(&ep->mtx);
out_unlock_global:
	fw_mutex_unlock(&epoll_global_lock);
out_put_tf:
	file_put(tf);
out_put_f:
	file_put(f);
	return err;
}

/* Report up to maxevents ready items to uev (Linux ep_send_events).
 * Returns the count, or -EFAULT if the first copy failed. */
static long ep_send_events(struct eventpoll *ep, fw_uptr_t uev, int maxevents)
{
	struct epitem *it, *tmp;
	unsigned todo;
	long n = 0;

	fw_mutex_lock(&ep->mtx);
	todo = ep->nitems;
	FW_LIST_FOR_EACH_SAFE(it, tmp, &ep->items, ep_node) {
		struct linux_epoll_event ev;
		unsigned mask;

		if (!todo || n >= maxevents)
			break;
		todo--;
		if (!atomic_exchange(&it->pw.triggered, false))
			continue;
		mask = item_poll(it) & it->events & ~EP_PRIVATE_BITS;
		if (!mask)
			continue; /* not ready after all: off the ready list */
		ev.events = mask;
		ev.data = it->data;
		if (FW_COPY_OUT_OBJ(fw_uptr_add(uev, (uint64_t)n * sizeof(ev)),
				    &ev)) {
			atomic_store(&it->pw.triggered, true);
			if (!n)
				n = -EFAULT;
			break;
		}
		n++;
		if (it->events & EPOLLONESHOT)
			it->events &= EP_PRIVATE_BITS;
		else if (!(it->events & EPOLLET))
			atomic_store(&it->pw.triggered, true);
		fw_list_del(&it->ep_node);
		fw_list_add_tail(&ep->items, &it->ep_node);
	}
	fw_mutex_unlock(&ep->mtx);
	return n;
}

static long do_epoll_wait(int epfd, fw_uptr_t uev, int maxevents,
			  uint64_t deadline)
{
	struct poll_waiter w;
	struct poll_table pt = { &w, NULL };
	struct file *f;
	bool timed_out = false;
	long ret;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!fw_uptr_range_ok(uev, (uint64_t)maxevents *
					   sizeof(struct linux_epoll_event)))
		return -EFAULT;
	f = sys_fget(epfd);
	if (!f)
		return -EBADF;
	if (!f->ep) {
		file_put(f);
		return -EINVAL;
	}
	poll_waiter_init(&w);
	/* Register before looking, so no wakeup is lost in between. Our
	 * reference on f keeps the instance alive. */
	poll_wait(&pt, &f->ep->poll);
	for (;;) {
		ret = ep_send_events(f->ep, uev, maxevents);
		if (ret)
			break;
		if (timed_out || deadline <= fw_time_ns())
			break;
		if (signal_pending_current()) {
			ret = -EINTR;
			break;
		}
		if (poll_waiter_sleep(&w, deadline) == -ETIMEDOUT)
			timed_out = true;
	}
	poll_waiter_finish(&w);
	file_put(f);
	return ret;
}

static uint64_t deadline_from_ms(int ms)
{
	if (ms < 0)
		return UINT64_MAX;
	return sys_deadline_from_ns(ms / 1000, (int64_t)(ms % 1000) * 1000000);
}

long sys_epoll_wait(const struct sys_args *a)
{
	return do_epoll_wait((int)a->arg[0], fw_uptr(a->arg[1]),
			     (int)a->arg[2], deadline_from_ms((int)a->arg[3]));
}

/* epoll_pwait/epoll_pwait2: run with a temporary signal mask. As Linux
 * (set_restore_sigmask), when the call is interrupted the mask stays
 * until the signal has been delivered, so a signal it unblocks is the one
 * that interrupts it. */
static long do_epoll_pwait(const struct sys_args *a, uint64_t deadline)
{
	fw_uptr_t umask = fw_uptr(a->arg[4]);
	uint64_t m, saved = 0;
	bool swapped = false;
	long ret;

	if (!fw_uptr_is_null(umask)) {
		if (a->arg[5] != sizeof(uint64_t))
			return -EINVAL;
		if (FW_COPY_IN_OBJ(&m, umask))
			return -EFAULT;
		swapped = current_sigmask_swap(m, &saved);
	}
	ret = do_epoll_wait((int)a->arg[0], fw_uptr(a->arg[1]), (int)a->arg[2],
			    deadline);
	if (swapped) {
		if (ret == -EINTR)
			current_sigmask_restore_after_signal(saved);
		else
			current_sigmask_restore(saved);
	}
	return ret;
}

long sys_epoll_pwait(const struct sys_args *a)
{
	return do_epoll_pwait(a, deadline_from_ms((int)a->arg[3]));
}

long sys_epoll_pwait2(const struct sys_args *a)
{
	fw_uptr_t uts = fw_uptr(a->arg[3]);
	struct linux_timespec ts;
	uint64_t deadline = UINT64_MAX;

	if (!fw_uptr_is_null(uts)) {
		if (FW_COPY_IN_OBJ(&ts, uts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = sys_deadline_from_ns(ts.tv_sec, ts.tv_nsec);
	}
	return do_epoll_pwait(a, deadline);
}
