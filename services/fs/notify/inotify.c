/* services/fs/notify/inotify.c: inotify(7).
 *
 * Layer: services (safe C), fs, after Linux fs/notify/inotify. An
 * instance is a file holding watches and a queue of events; a watch ties
 * an instance to an inode (one reference) with a mask. The VFS reports
 * events through fsnotify.h; each one goes to the watches of the inode it
 * happened to and, with the child's name, to those of the directory it
 * was reached through. As Linux: an event identical to the last one queued
 * is merged into it; past INOTIFY_MAX_EVENTS queued events one
 * IN_Q_OVERFLOW (wd -1) is queued and the rest dropped; IN_ONESHOT
 * watches end after their first event, and every watch that ends
 * (inotify_rm_watch, its inode's last name removed) queues IN_IGNORED.
 * Events of path-based attribute changes (chmod(2) on a path) go to the
 * inode's own watches only: this VFS has no dentries to find the name
 * the path used.
 *
 * Locking: notify_lock (a mutex) guards every instance, watch and
 * inode->watches; it is a leaf. Inode references are dropped after it
 * is released. */
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/event/epoll.h"
#include "fs/event/poll.h"
#include "fs/notify/fsnotify.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"
#include "fs/vfs/namei.h"

#define IN_ONLYDIR 0x01000000u
#define IN_DONT_FOLLOW 0x02000000u
#define IN_EXCL_UNLINK 0x04000000u
#define IN_MASK_CREATE 0x10000000u
#define IN_MASK_ADD 0x20000000u
#define IN_ONESHOT 0x80000000u
#define IN_CLOEXEC O_CLOEXEC
#define IN_NONBLOCK O_NONBLOCK
#define IN_WATCH_FLAGS (IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | \
			IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT)

#define INOTIFY_EVENT_SIZE 16u		/* struct inotify_event */
#define INOTIFY_MAX_EVENTS 16384u	/* fs.inotify.max_queued_events */
#define INOTIFY_MAX_WATCHES 8192u	/* fs.inotify.max_user_watches */

struct inotify_watch {
	struct inotify *in;
	struct inode *inode;		/* one reference */
	int32_t wd;
	uint32_t mask;			/* IN_* events and watch flags */
	struct inotify_watch *next_on_inode;	/* inode->watches */
	struct fw_list node;		/* on in->watches, or a dead list */
};

struct inotify_ev {
	struct fw_list node;
	int32_t wd;
	uint32_t mask, cookie;
	struct kname *name;		/* NULL: no name */
	uint32_t len;			/* the name's padded length */
};

struct inotify {
	struct fw_list watches;		/* struct inotify_watch.node */
	unsigned nwatches;
	struct fw_list events;		/* struct inotify_ev.node */
	struct inotify_ev *last;	/* the newest event, or NULL */
	unsigned nevents;
	size_t bytes;			/* FIONREAD */
	int32_t next_wd;
	struct fw_waitq wq;		/* blocked readers */
	struct poll_head poll;
};

_Atomic unsigned fsnotify_watches;
static struct fw_mutex notify_lock;
static _Atomic uint32_t next_cookie;

static size_t name_len(const struct kname *n)
{
	size_t len = 0;

	while (len < KNAME_MAX && n->s[len])
		len++;
	return len;
}

/* ---- the queue (notify_lock held) ------------------------------------- */

static bool same_event(const struct inotify_ev *e, int32_t wd, uint32_t mask,
		       uint32_t cookie, const struct kname *name)
{
	if (e->wd != wd || e->mask != mask || e->cookie != cookie ||
	    !e->name != !name)
		return false;
	return !name || strcmp(e->name->s, name->s) == 0;
}

static void append(struct inotify *in, struct inotify_ev *e)
{
	fw_list_add_tail(&in->events, &e->node);
	in->last = e;
	in->nevents++;
	in->bytes += INOTIFY_EVENT_SIZE + e->len;
	fw_waitq_wake_all(&in->wq);
	poll_wake(&in->poll);
}

static void queue_event(struct inotify *in, int32_t wd, uint32_t mask,
			uint32_t cookie, const struct kname *name)
{
	struct inotify_ev *last = in->last, *e;

	if (last && same_event(last, wd, mask, cookie, name))
		return; /* Linux inotify_merge */
	if (in->nevents >= INOTIFY_MAX_EVENTS) {
		if (last && last->mask == IN_Q_OVERFLOW)
			return;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		name = NULL;
	}
	e = FW_NEW(struct inotify_ev);
	if (!e)
		return;
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	if (name) {
		e->name = FW_NEW(struct kname);
		if (!e->name) {
			fw_free(e);
			return;
		}
		*e->name = *name;
		/* The name, NUL-padded to a multiple of the event size. */
		e->len = (uint32_t)((name_len(name) + INOTIFY_EVENT_SIZE) &
				    ~(size_t)(INOTIFY_EVENT_SIZE - 1));
	}
	append(in, e);
}

static void ev_free(struct inotify_ev *e)
{
	fw_free(e->name);
	fw_free(e);
}

/* ---- watches (notify_lock held) --------------------------------------- */

/* End w: off its inode and instance, IN_IGNORED queued, onto dead (the
 * caller drops its inode reference and frees it, unlocked). */
static void watch_end(struct inotify_watch *w, struct fw_list *dead)
{
	struct inotify_watch **pp = &w->inode->watches;

	while (*pp && *pp != w)
		pp = &(*pp)->next_on_inode;
	if (*pp)
		*pp = w->next_on_inode;
	fw_list_del(&w->node);
	w->in->nwatches--;
	queue_event(w->in, w->wd, IN_IGNORED, 0, NULL);
	fw_list_add_tail(dead, &w->node);
	atomic_fetch_sub(&fsnotify_watches, 1);
}

static void dead_free(struct fw_list *dead)
{
	while (!fw_list_empty(dead)) {
		struct inotify_watch *w = FW_LIST_FIRST(dead, struct inotify_watch,
							node);

		fw_list_del(&w->node);
		inode_put(w->inode);
		fw_free(w);
	}
}

/* Queue mask for every watch of ino that wants it. */
static void deliver(struct inode *ino, uint32_t mask, uint32_t cookie,
		    const struct kname *name, const struct inode *child,
		    struct fw_list *dead)
{
	struct inotify_watch *w = ino->watches, *next;

	for (; w; w = next) {
		next = w->next_on_inode;
		if (!(w->mask & mask & IN_ALL_EVENTS))
			continue;
		if (name && (w->mask & IN_EXCL_UNLINK) && child &&
		    child->nlink == 0)
			continue;
		queue_event(w->in, w->wd, mask, cookie, name);
		if (w->mask & IN_ONESHOT)
			watch_end(w, dead);
	}
}

static uint32_t isdir(const struct inode *ino)
{
	return ino && S_ISDIR(ino->mode) ? IN_ISDIR : 0;
}

/* ---- the hooks ---------------------------------------------------------- */

void fsnotify_inode_event(struct inode *dir, const struct kname *name,
			  struct inode *ino, uint32_t mask)
{
	struct fw_list dead;

	if (!fsnotify_active() || !ino)
		return;
	fw_list_init(&dead);
	mask |= isdir(ino);
	fw_mutex_lock(&notify_lock);
	if (dir && name && dir != ino)
		deliver(dir, mask, 0, name, ino, &dead);
	deliver(ino, mask, 0, NULL, NULL, &dead);
	fw_mutex_unlock(&notify_lock);
	dead_free(&dead);
}

void fsnotify_name(struct inode *dir, const struct kname *name,
		   struct inode *child, uint32_t mask)
{
	struct fw_list dead;

	if (!fsnotify_active())
		return;
	fw_list_init(&dead);
	fw_mutex_lock(&notify_lock);
	deliver(dir, mask | isdir(child), 0, name, NULL, &dead);
	fw_mutex_unlock(&notify_lock);
	dead_free(&dead);
}

void fsnotify_unlinked(struct inode *ino)
{
	struct fw_list dead;

	if (!fsnotify_active())
		return;
	fw_list_init(&dead);
	fw_mutex_lock(&notify_lock);
	if (ino->nlink) {
		deliver(ino, IN_ATTRIB | isdir(ino), 0, NULL, NULL, &dead);
	} else {
		deliver(ino, IN_DELETE_SELF, 0, NULL, NULL, &dead);
		while (ino->watches)
			watch_end(ino->watches, &dead);
	}
	fw_mutex_unlock(&notify_lock);
	dead_free(&dead);
}

void fsnotify_move(struct inode *odir, const struct kname *oname,
		   struct inode *ndir, const struct kname *nname,
		   struct inode *moved)
{
	struct fw_list dead;
	uint32_t cookie, d;

	if (!fsnotify_active())
		return;
	fw_list_init(&dead);
	cookie = atomic_fetch_add(&next_cookie, 1) + 1;
	d = isdir(moved);
	fw_mutex_lock(&notify_lock);
	deliver(odir, IN_MOVED_FROM | d, cookie, oname, NULL, &dead);
	deliver(ndir, IN_MOVED_TO | d, cookie, nname, NULL, &dead);
	deliver(moved, IN_MOVE_SELF | d, 0, NULL, NULL, &dead);
	fw_mutex_unlock(&notify_lock);
	dead_free(&dead);
}

void fsnotify_file(struct file *f, uint32_t mask)
{
	if (!fsnotify_active() || !f->path.inode)
		return;
	fsnotify_inode_event(f->dir.inode, f->name, f->path.inode, mask);
}

void fsnotify_close(struct file *f)
{
	if (!fsnotify_active() || !f->path.inode || (f->fmode & FMODE_PATH))
		return;
	fsnotify_file(f, (f->fmode & FMODE_WRITE) ? IN_CLOSE_WRITE
						  : IN_CLOSE_NOWRITE);
}

/* ---- the instance file -------------------------------------------------- */

static bool has_events(struct inotify *in)
{
	bool r;

	fw_mutex_lock(&notify_lock);
	r = in->nevents != 0;
	fw_mutex_unlock(&notify_lock);
	return r;
}

/* Copy e out at *off: header, then the padded name. */
static int put_event(fw_uptr_t buf, size_t off, const struct inotify_ev *e)
{
	struct {
		int32_t wd;
		uint32_t mask, cookie, len;
	} h = { e->wd, e->mask, e->cookie, e->len };
	uint8_t pad[KNAME_MAX + 1 + INOTIFY_EVENT_SIZE] = { 0 };
	struct fw_bytes name;

	if (FW_COPY_OUT_OBJ(fw_uptr_add(buf, off), &h))
		return -EFAULT;
	if (!e->len)
		return 0;
	for (size_t i = 0; i < sizeof(e->name->s) && e->name->s[i]; i++)
		pad[i] = (uint8_t)e->name->s[i];
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(pad), 0, e->len, &name))
		return -EFAULT;
	return fw_copy_out(fw_uptr_add(buf, off + INOTIFY_EVENT_SIZE), name);
}

static long inotify_read(struct file *f, fw_uptr_t buf, size_t len,
			 uint64_t *pos)
{
	struct inotify *in = f->inotify;
	size_t done = 0;
	long err = 0;

	(void)pos;
	for (;;) {
		fw_mutex_lock(&notify_lock);
		if (in->nevents)
			break;
		fw_mutex_unlock(&notify_lock);
		if (atomic_load(&f->flags) & O_NONBLOCK)
			return -EAGAIN;
		FW_WAIT_EVENT(&in->wq, has_events(in) || signal_pending_current());
		if (!has_events(in) && signal_pending_current())
			return -ERESTARTSYS;
	}
	/* As many whole events as fit; EINVAL if not even the first. */
	while (in->nevents) {
		struct inotify_ev *e = FW_LIST_FIRST(&in->events,
						     struct inotify_ev, node);
		size_t size = INOTIFY_EVENT_SIZE + e->len;

		if (size > len - done) {
			if (!done)
				err = -EINVAL;
			break;
		}
		/* Taken off the queue before the copy: one that faults is
		 * lost, as Linux's inotify_read. */
		fw_list_del(&e->node);
		if (in->last == e)
			in->last = NULL;
		in->nevents--;
		in->bytes -= size;
		err = put_event(buf, done, e);
		ev_free(e);
		if (err)
			break;
		done += size;
	}
	fw_mutex_unlock(&notify_lock);
	return done ? (long)done : err;
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &f->inotify->poll);
	return has_events(f->inotify) ? POLLIN | POLLRDNORM : 0;
}

static long inotify_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	int32_t n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	fw_mutex_lock(&notify_lock);
	n = (int32_t)f->inotify->bytes;
	fw_mutex_unlock(&notify_lock);
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &n) ? -EFAULT : 0;
}

static void inotify_release(struct file *f)
{
	struct inotify *in = f->inotify;
	struct fw_list dead;

	fw_list_init(&dead);
	fw_mutex_lock(&notify_lock);
	while (!fw_list_empty(&in->watches))
		watch_end(FW_LIST_FIRST(&in->watches, struct inotify_watch, node),
			  &dead);
	while (!fw_list_empty(&in->events)) {
		struct inotify_ev *e = FW_LIST_FIRST(&in->events,
						     struct inotify_ev, node);

		fw_list_del(&e->node);
		ev_free(e);
	}
	fw_mutex_unlock(&notify_lock);
	dead_free(&dead);
	fw_free(in);
	f->inotify = NULL;
}

static const struct file_ops inotify_ops = {
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.release = inotify_release,
};

static long do_inotify_init(unsigned flags)
{
	struct inotify *in;
	struct file *f;
	int fd;

	if (flags & ~(unsigned)(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	in = FW_NEW(struct inotify);
	if (!in)
		return -ENOMEM;
	fw_list_init(&in->watches);
	fw_list_init(&in->events);
	in->next_wd = 1;
	fw_waitq_init(&in->wq, "inotify");
	poll_head_init(&in->poll);
	f = anon_file_create(&inotify_ops, O_RDONLY | (flags & IN_NONBLOCK),
			     "inotify");
	if (!f) {
		fw_free(in);
		return -ENOMEM;
	}
	f->inotify = in;
	fd = fd_install(sys_files(), f, flags & IN_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_inotify_init(const struct sys_args *a)
{
	(void)a;
	return do_inotify_init(0);
}

long sys_inotify_init1(const struct sys_args *a)
{
	return do_inotify_init((unsigned)a->arg[0]);
}

/* The instance behind fd: a referenced file, or NULL (-EBADF/-EINVAL in
 * *err). */
static struct file *instance(int fd, long *err)
{
	struct file *f = sys_fget(fd);

	*err = -EBADF;
	if (f && f->inotify)
		return f;
	if (f)
		*err = -EINVAL;
	file_put(f);
	return NULL;
}

long sys_inotify_add_watch(const struct sys_args *a)
{
	uint32_t mask = (uint32_t)a->arg[2];
	struct inotify_watch *w, *nw = NULL;
	struct inotify *in;
	struct vfs_path p;
	struct file *f;
	long err;

	/* Linux inotify_add_watch: some event, not both MASK_ADD and
	 * MASK_CREATE, nothing unknown. */
	if (!(mask & IN_ALL_EVENTS) ||
	    (mask & ~(IN_ALL_EVENTS | IN_WATCH_FLAGS)) ||
	    ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)))
		return -EINVAL;
	f = instance((int)a->arg[0], &err);
	if (!f)
		return err;
	in = f->inotify;
	err = sys_lookup(AT_FDCWD, fw_uptr(a->arg[1]),
			 (mask & IN_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW, false, &p);
	if (err)
		goto out_file;
	if ((mask & IN_ONLYDIR) && !S_ISDIR(p.inode->mode))
		err = -ENOTDIR;
	else
		err = inode_permission(p.inode, MAY_READ, fs_cred());
	if (err)
		goto out_path;
	nw = FW_NEW(struct inotify_watch);
	if (!nw) {
		err = -ENOMEM;
		goto out_path;
	}
	fw_mutex_lock(&notify_lock);
	for (w = p.inode->watches; w && w->in != in; w = w->next_on_inode)
		;
	if (w) {
		/* One watch per inode and instance: its mask changes. */
		if (mask & IN_MASK_CREATE) {
			err = -EEXIST;
		} else {
			w->mask = (mask & IN_MASK_ADD) ? w->mask | mask : mask;
			w->mask &= ~(uint32_t)(IN_MASK_ADD | IN_MASK_CREATE);
			err = w->wd;
		}
	} else if (in->nwatches >= INOTIFY_MAX_WATCHES) {
		err = -ENOSPC;
	} else {
		nw->in = in;
		nw->inode = p.inode;
		inode_get(p.inode);
		nw->wd = in->next_wd++;
		nw->mask = mask & ~(uint32_t)(IN_MASK_ADD | IN_MASK_CREATE);
		nw->next_on_inode = p.inode->watches;
		p.inode->watches = nw;
		fw_list_add_tail(&in->watches, &nw->node);
		in->nwatches++;
		atomic_fetch_add(&fsnotify_watches, 1);
		err = nw->wd;
		nw = NULL;
	}
	fw_mutex_unlock(&notify_lock);
	fw_free(nw);
out_path:
	vfs_path_put(&p);
out_file:
	file_put(f);
	return err;
}

long sys_inotify_rm_watch(const struct sys_args *a)
{
	int32_t wd = (int32_t)a->arg[1];
	struct inotify_watch *w, *found = NULL;
	struct fw_list dead;
	struct file *f;
	long err;

	f = instance((int)a->arg[0], &err);
	if (!f)
		return err;
	fw_list_init(&dead);
	fw_mutex_lock(&notify_lock);
	FW_LIST_FOR_EACH(w, &f->inotify->watches, node)
		if (w->wd == wd) {
			found = w;
			break;
		}
	if (found)
		watch_end(found, &dead);
	fw_mutex_unlock(&notify_lock);
	dead_free(&dead);
	file_put(f);
	return found ? 0 : -EINVAL;
}

void inotify_init(void)
{
	fw_mutex_init(&notify_lock, "notify");
}
