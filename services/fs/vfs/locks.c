/* services/fs/vfs/locks.c: advisory file locks: fcntl(2) record locks
 * (POSIX and open-file-description), and flock(2).
 *
 * Layer: services (safe C), VFS. Linux's fs/locks.c semantics:
 * - A POSIX record lock (F_SETLK/F_SETLKW) is owned by the descriptor
 *   table that set it (Linux fl_owner = current->files): its locks on an
 *   inode merge and split by byte range, other owners' overlapping locks
 *   conflict when either is a write lock, and closing *any* descriptor of
 *   the inode in that table drops them all (POSIX's rule).
 * - An OFD lock (F_OFD_SETLK, F_OFD_SETLKW) is a record lock owned by the
 *   open file description, dropped when its last reference goes; OFD and
 *   POSIX locks conflict with each other.
 * - A flock(2) lock is one whole-file shared or exclusive lock per open
 *   file description, independent of record locks. Converting one drops
 *   it first (Linux), so a non-blocking conversion that fails leaves none.
 * F_SETLKW finds a deadlock between POSIX owners (the chain of owners
 * each waits for leads back to the caller) and returns EDEADLK.
 *
 * All locks of the system are on one list under one spinlock, searched by
 * inode: simple, and the number of locks a system holds is small. A
 * global counter lets close(2) skip the search when nothing is locked.
 * Waiters sleep on one wait queue, woken whenever any lock is dropped or
 * weakened, and look again. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/sync.h>

#include "current/current.h"
#include "fs/vfs/vfs.h"

#define OFFSET_MAX INT64_MAX
#define DEADLOCK_DEPTH 10 /* owners followed (Linux MAX_DEADLK_ITERATIONS) */

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct file_lock {
	struct fw_list node;	   /* all_locks */
	const struct inode *inode; /* what is locked (identity only) */
	enum lock_kind kind;
	/* The owner: the descriptor table (LK_POSIX) or the open file (LK_OFD,
	 * LK_FLOCK); the other is NULL. */
	const struct fdtable *table;
	const struct file *file;
	int type;		   /* F_RDLCK or F_WRLCK */
	int64_t start, end;	   /* bytes start..end, inclusive */
	int pid;		   /* l_pid: the setter's process (POSIX) */
};

/* A POSIX owner asleep in F_SETLKW, and the owner it waits for. */
struct lock_waiter {
	struct fw_list node;	   /* waiters */
	const struct fdtable *table;
	const struct fdtable *blocker;
};

static struct fw_spinlock locks_lock = FW_SPINLOCK_INIT("file-locks");
static struct fw_list all_locks = FW_LIST_HEAD_INIT(all_locks);	/* locks_lock */
static struct fw_list waiters = FW_LIST_HEAD_INIT(waiters);	/* locks_lock */
static _Atomic int nlocks;	/* length of all_locks */
static struct fw_waitq locks_wq = FW_WAITQ_INIT(locks_wq, "file-locks");

/* A request: the lock wanted (type F_UNLCK to unlock) and its owner. */
struct lock_req {
	const struct inode *inode;
	enum lock_kind kind;
	const struct fdtable *table;
	const struct file *file;
	int type;
	int64_t start, end;
};

static bool is_record(enum lock_kind k)
{
	return k != LK_FLOCK;
}

static bool same_owner(const struct file_lock *l, const struct lock_req *r)
{
	if (is_record(l->kind) != is_record(r->kind))
		return false;
	if (l->kind != r->kind)
		return false; /* a POSIX and an OFD lock never share an owner */
	return l->kind == LK_POSIX ? l->table == r->table : l->file == r->file;
}

/* The first lock of another owner that keeps r from being granted. */
static struct file_lock *conflict(const struct lock_req *r)
{
	struct file_lock *l;

	FW_LIST_FOR_EACH(l, &all_locks, node) {
		if (l->inode != r->inode || same_owner(l, r) ||
		    is_record(l->kind) != is_record(r->kind))
			continue;
		if (l->type != F_WRLCK && r->type != F_WRLCK)
			continue;
		if (l->end < r->start || l->start > r->end)
			continue;
		return l;
	}
	return NULL;
}

/* Whether waiting for `blocker` closes a cycle back to r's owner. */
static bool would_deadlock(const struct lock_req *r,
			   const struct fdtable *blocker)
{
	for (int i = 0; i < DEADLOCK_DEPTH && blocker; i++) {
		const struct lock_waiter *w, *next = NULL;

		if (blocker == r->table)
			return true;
		FW_LIST_FOR_EACH(w, &waiters, node) {
			if (w->table == blocker) {
				next = w;
				break;
			}
		}
		blocker = next ? next->blocker : NULL;
	}
	return false;
}

static void lock_free(struct file_lock *l)
{
	fw_list_del(&l->node);
	atomic_fetch_sub(&nlocks, 1);
	fw_free(l);
}

static void lock_insert(struct file_lock *l)
{
	fw_list_add_tail(&all_locks, &l->node);
	atomic_fetch_add(&nlocks, 1);
}

/* Spare lock objects, allocated before locks_lock is taken: a request
 * needs at most two (the new lock, and the far part of a split one). */
struct spares {
	struct file_lock *l[2];
};

static struct file_lock *spare_take(struct spares *s)
{
	for (int i = 0; i < 2; i++) {
		struct file_lock *l = s->l[i];

		if (l) {
			s->l[i] = NULL;
			return l;
		}
	}
	return NULL; /* cannot happen: two suffice */
}

/* Apply r for its owner (no conflict left; locks_lock held): carve
 * r's range out of the owner's locks, then add the new lock merged with
 * the owner's adjacent locks of the same type. Returns whether a lock
 * was dropped or weakened (so waiters should look again). */
static bool apply(const struct lock_req *r, struct spares *sp, int pid)
{
	struct file_lock *l, *tmp, *nl;
	bool weakened = false;
	int64_t start = r->start, end = r->end;

	FW_LIST_FOR_EACH_SAFE(l, tmp, &all_locks, node) {
		if (l->inode != r->inode || !same_owner(l, r) ||
		    l->end < r->start || l->start > r->end)
			continue;
		if (l->type == F_WRLCK && r->type != F_WRLCK)
			weakened = true;
		if (r->kind != LK_FLOCK && l->type == r->type) {
			/* Same type: absorb it into the new lock. */
			start = l->start < start ? l->start : start;
			end = l->end > end ? l->end : end;
			lock_free(l);
			continue;
		}
		weakened = true; /* part of it goes */
		if (l->start < r->start && l->end > r->end) {
			struct file_lock *far = spare_take(sp);

			if (!far)
				continue;
			*far = *l;
			far->start = r->end + 1;
			l->end = r->start - 1;
			lock_insert(far);
		} else if (l->start < r->start) {
			l->end = r->start - 1;
		} else if (l->end > r->end) {
			l->start = r->end + 1;
		} else {
			lock_free(l);
		}
	}
	if (r->type == F_UNLCK)
		return weakened;
	/* Merge with the owner's adjacent locks of the same type. */
	FW_LIST_FOR_EACH_SAFE(l, tmp, &all_locks, node) {
		if (l->inode != r->inode || !same_owner(l, r) ||
		    l->type != r->type || r->kind == LK_FLOCK)
			continue;
		if ((end < OFFSET_MAX && l->start == end + 1) ||
		    (start > 0 && l->end == start - 1)) {
			start = l->start < start ? l->start : start;
			end = l->end > end ? l->end : end;
			lock_free(l);
		}
	}
	nl = spare_take(sp);
	if (!nl)
		return weakened;
	*nl = (struct file_lock){
		.inode = r->inode, .kind = r->kind, .table = r->table,
		.file = r->file, .type = r->type, .start = start, .end = end,
		.pid = r->kind == LK_POSIX ? pid : -1,
	};
	fw_list_init(&nl->node);
	lock_insert(nl);
	return weakened;
}

/* One attempt at r (locks_lock taken here): 0 granted, -EAGAIN on a
 * conflict (its owner in *blocker for POSIX requests), -EDEADLK if
 * waiting would close a cycle (when `waiting`). */
static int attempt(const struct lock_req *r, struct spares *sp,
		   struct lock_waiter *w, bool waiting)
{
	struct file_lock *c;
	bool wake = false;
	int err = 0;

	fw_spin_lock(&locks_lock);
	c = r->type == F_UNLCK ? NULL : conflict(r);
	if (c) {
		err = -EAGAIN;
		if (waiting && r->kind == LK_POSIX) {
			if (c->kind == LK_POSIX && would_deadlock(r, c->table))
				err = -EDEADLK;
			else
				w->blocker = c->kind == LK_POSIX ? c->table : NULL;
		}
	} else {
		wake = apply(r, sp, current_pid());
	}
	fw_spin_unlock(&locks_lock);
	if (wake)
		fw_waitq_wake_all(&locks_wq);
	return err;
}

/* Grant r, waiting for conflicts to go when `wait`: 0, -EAGAIN,
 * -EDEADLK, -ERESTARTSYS (a signal), -ENOLCK (no memory). */
static int lock_request(const struct lock_req *r, bool wait)
{
	struct spares sp = { { FW_NEW(struct file_lock), FW_NEW(struct file_lock) } };
	struct lock_waiter w = { .table = r->table };
	int err;

	if (!sp.l[0] || !sp.l[1]) {
		err = -ENOLCK;
		goto out_free;
	}
	err = attempt(r, &sp, &w, false);
	if (err != -EAGAIN || !wait)
		goto out_free;
	fw_list_init(&w.node);
	if (r->kind == LK_POSIX) {
		fw_spin_lock(&locks_lock);
		fw_list_add_tail(&waiters, &w.node);
		fw_spin_unlock(&locks_lock);
	}
	FW_WAIT_EVENT(&locks_wq, (err = attempt(r, &sp, &w, true)) != -EAGAIN ||
					 signal_pending_current());
	if (r->kind == LK_POSIX) {
		fw_spin_lock(&locks_lock);
		fw_list_del(&w.node);
		fw_spin_unlock(&locks_lock);
	}
	if (err == -EAGAIN)
		err = -ERESTARTSYS;
out_free:
	fw_free(sp.l[0]);
	fw_free(sp.l[1]);
	return err;
}

/* Drop every lock drop_it() picks (under locks_lock), waking the waiters
 * if any went. Each close path passes its own test. */
struct drop_what {
	const struct fdtable *table; /* POSIX locks of this table... */
	const struct inode *inode;   /* ...on this inode (NULL: any) */
	const struct file *file;     /* or OFD and flock locks of this file */
};

static bool drop_it(const struct file_lock *l, const struct drop_what *w)
{
	if (w->file)
		return l->kind != LK_POSIX && l->file == w->file;
	return l->kind == LK_POSIX && l->table == w->table &&
	       (!w->inode || l->inode == w->inode);
}

static void drop_locks(const struct drop_what *w)
{
	struct file_lock *l, *tmp;
	bool any = false;

	if (!atomic_load(&nlocks))
		return; /* close(2) with nothing locked anywhere */
	fw_spin_lock(&locks_lock);
	FW_LIST_FOR_EACH_SAFE(l, tmp, &all_locks, node) {
		if (drop_it(l, w)) {
			lock_free(l);
			any = true;
		}
	}
	fw_spin_unlock(&locks_lock);
	if (any)
		fw_waitq_wake_all(&locks_wq);
}

void locks_remove_posix(const struct fdtable *t, const struct file *f)
{
	if (f && f->path.inode)
		drop_locks(&(struct drop_what){ .table = t, .inode = f->path.inode });
}

void locks_remove_table(const struct fdtable *t)
{
	drop_locks(&(struct drop_what){ .table = t });
}

void locks_remove_file(const struct file *f)
{
	drop_locks(&(struct drop_what){ .file = f });
}

/* --- fcntl(2) record locks ------------------------------------------- */

/* struct flock's range, from whence, as [*start, *end] (Linux
 * flock_to_posix_lock): 0, -EINVAL or -EOVERFLOW. */
static int flock_range(struct file *f, const struct linux_flock *fl,
		       int64_t *start, int64_t *end)
{
	int64_t base, s;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->path.inode->size;
		break;
	default:
		return -EINVAL;
	}
	/* base is a size or an offset, never negative. */
	if (base < 0 || (fl->l_start > 0 && base > OFFSET_MAX - fl->l_start))
		return -EOVERFLOW;
	s = base + fl->l_start;
	if (s < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - s)
			return -EOVERFLOW;
		*start = s;
		*end = s + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (s + fl->l_len < 0)
			return -EINVAL;
		*start = s + fl->l_len;
		*end = s - 1;
	} else {
		*start = s;
		*end = OFFSET_MAX;
	}
	return 0;
}

static int req_from_flock(struct file *f, const struct linux_flock *fl,
			  bool ofd, struct lock_req *r)
{
	int err;

	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK &&
	    fl->l_type != F_UNLCK)
		return -EINVAL;
	if (ofd && fl->l_pid != 0)
		return -EINVAL;
	*r = (struct lock_req){
		.inode = f->path.inode,
		.kind = ofd ? LK_OFD : LK_POSIX,
		.table = ofd ? NULL : current_files(),
		.file = ofd ? f : NULL,
		.type = fl->l_type,
	};
	err = flock_range(f, fl, &r->start, &r->end);
	return err;
}

long locks_fcntl_getlk(struct file *f, fw_uptr_t arg, bool ofd)
{
	struct linux_flock fl;
	struct lock_req r;
	struct file_lock *c;
	int err;

	if (FW_COPY_IN_OBJ(&fl, arg))
		return -EFAULT;
	err = req_from_flock(f, &fl, ofd, &r);
	if (err)
		return err;
	if (fl.l_type == F_UNLCK)
		return -EINVAL;
	fw_spin_lock(&locks_lock);
	c = conflict(&r);
	if (c) {
		fl.l_type = (int16_t)c->type;
		fl.l_whence = SEEK_SET;
		fl.l_start = c->start;
		fl.l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
		fl.l_pid = c->kind == LK_POSIX ? c->pid : -1;
	} else {
		fl.l_type = F_UNLCK;
	}
	fw_spin_unlock(&locks_lock);
	return FW_COPY_OUT_OBJ(arg, &fl) ? -EFAULT : 0;
}

long locks_fcntl_setlk(struct file *f, fw_uptr_t arg, bool ofd, bool wait)
{
	struct linux_flock fl;
	struct lock_req r;
	int err;

	if (FW_COPY_IN_OBJ(&fl, arg))
		return -EFAULT;
	err = req_from_flock(f, &fl, ofd, &r);
	if (err)
		return err;
	/* A read lock needs the file open for reading, a write lock for
	 * writing (Linux: EBADF). */
	if ((fl.l_type == F_RDLCK && !(f->fmode & FMODE_READ)) ||
	    (fl.l_type == F_WRLCK && !(f->fmode & FMODE_WRITE)))
		return -EBADF;
	return lock_request(&r, wait);
}

/* --- flock(2) ---------------------------------------------------------- */

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/* Whether f holds a flock lock of this type (locks_lock held). */
static bool holds_flock(const struct file *f, int type)
{
	const struct file_lock *l;

	FW_LIST_FOR_EACH(l, &all_locks, node)
		if (l->kind == LK_FLOCK && l->file == f && l->type == type)
			return true;
	return false;
}

long locks_flock(struct file *f, unsigned op)
{
	struct lock_req r = {
		.inode = f->path.inode, .kind = LK_FLOCK, .file = f,
		.start = 0, .end = OFFSET_MAX,
	};
	struct lock_req un = r;
	struct spares none = { { NULL, NULL } };
	bool wake;

	switch (op & ~(unsigned)LOCK_NB) {
	case LOCK_SH:
		r.type = F_RDLCK;
		break;
	case LOCK_EX:
		r.type = F_WRLCK;
		break;
	case LOCK_UN:
		r.type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	/* A lock of the type asked for is kept; any other goes first, as on
	 * Linux: a conversion is an unlock and a new request. */
	un.type = F_UNLCK;
	fw_spin_lock(&locks_lock);
	if (r.type != F_UNLCK && holds_flock(f, r.type)) {
		fw_spin_unlock(&locks_lock);
		return 0;
	}
	wake = apply(&un, &none, 0);
	fw_spin_unlock(&locks_lock);
	if (wake)
		fw_waitq_wake_all(&locks_wq);
	if (r.type == F_UNLCK)
		return 0;
	return lock_request(&r, !(op & LOCK_NB));
}
