/* services/fs/event/timerfd.c: timerfd_create(2), a timer read as a file.
 *
 * Layer: services (safe C), after Linux fs/timerfd.c. A read returns the
 * number of expirations since the last read (8 bytes) and blocks while
 * there are none. As Linux, the timer's interrupt only counts the
 * expiry; a periodic timer is moved on (its missed periods added to the
 * count) and re-armed by the next read or timerfd_gettime, so a period of
 * one nanosecond costs one expiry per read, not an interrupt storm.
 * Deadlines are kept on the monotonic clock: an absolute CLOCK_REALTIME
 * time is converted when set (the wall clock is never stepped here, so
 * TFD_TIMER_CANCEL_ON_SET is accepted and never fires; Linux ignores it
 * too unless the time is absolute on a wall clock). */
#include <fw/heap.h>
#include <fw/time.h>

#include "fs/event/epoll.h"
#include "fs/event/poll.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CAP_WAKE_ALARM 35

#define TFD_TIMER_ABSTIME 1u
#define TFD_TIMER_CANCEL_ON_SET 2u
#define TFD_CLOEXEC O_CLOEXEC
#define TFD_NONBLOCK O_NONBLOCK

/* struct itimerspec, flattened (its timespecs as two fields each). */
struct tfd_itimerspec {
	int64_t interval_sec, interval_nsec;
	int64_t value_sec, value_nsec;
};

struct timerfd {
	struct fw_mutex set_lock;	/* one timerfd_settime at a time */
	struct fw_spinlock lock;	/* below; the interrupt takes it */
	int clock;
	struct fw_timer *timer;
	uint64_t deadline_ns;		/* monotonic; 0: disarmed */
	uint64_t interval_ns;
	uint64_t ticks;			/* expirations not yet read */
	bool expired;			/* fired, periodic, not yet moved on */
	struct fw_waitq wq;		/* blocked readers */
	struct poll_head poll;
};

/* Interrupt context. */
static void timerfd_fire(struct timerfd *t)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->lock);

	if (t->deadline_ns) {
		t->ticks++;
		if (t->interval_ns)
			t->expired = true;
		else
			t->deadline_ns = 0;
	}
	fw_spin_unlock_irqrestore(&t->lock, fl);
	fw_waitq_wake_all(&t->wq);
	poll_wake(&t->poll);
}

/* A periodic timer that fired: count the periods that passed since and
 * arm it for the next (Linux hrtimer_forward_now). t->lock held. */
static void forward_locked(struct timerfd *t)
{
	uint64_t now, missed;

	if (!t->expired)
		return;
	now = fw_time_ns();
	missed = now > t->deadline_ns ? (now - t->deadline_ns) / t->interval_ns
				      : 0;
	t->ticks += missed;
	t->deadline_ns += (missed + 1) * t->interval_ns;
	t->expired = false;
	fw_timer_arm(t->timer, t->deadline_ns);
}

static uint64_t ticks_now(struct timerfd *t)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->lock);
	uint64_t n = t->ticks;

	fw_spin_unlock_irqrestore(&t->lock, fl);
	return n;
}

static long timerfd_read(struct file *f, fw_uptr_t buf, size_t len,
			 uint64_t *pos)
{
	struct timerfd *t = f->tfd;
	fw_irqflags_t fl;
	uint64_t n;

	(void)pos;
	if (len < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		fl = fw_spin_lock_irqsave(&t->lock);
		forward_locked(t);
		n = t->ticks;
		t->ticks = 0;
		fw_spin_unlock_irqrestore(&t->lock, fl);
		if (n)
			break;
		if (atomic_load(&f->flags) & O_NONBLOCK)
			return -EAGAIN;
		FW_WAIT_EVENT(&t->wq, ticks_now(t) || signal_pending_current());
		if (!ticks_now(t) && signal_pending_current())
			return -ERESTARTSYS;
	}
	/* As Linux: the count is consumed even if the copy then faults. */
	return FW_COPY_OUT_OBJ(buf, &n) ? -EFAULT : (long)sizeof(n);
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &f->tfd->poll);
	return ticks_now(f->tfd) ? POLLIN | POLLRDNORM : 0;
}

static void timerfd_release(struct file *f)
{
	fw_timer_destroy(f->tfd->timer);
	fw_free(f->tfd);
	f->tfd = NULL;
}

static const struct file_ops timerfd_ops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

long sys_timerfd_create(const struct sys_args *a)
{
	int clock = (int)a->arg[0];
	unsigned flags = (unsigned)a->arg[1];
	struct timerfd *t;
	struct file *f;
	int fd;

	if (flags & ~(unsigned)(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_BOOTTIME && clock != CLOCK_REALTIME_ALARM &&
	    clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) &&
	    !cred_capable(fs_cred(), CAP_WAKE_ALARM))
		return -EPERM;
	t = FW_NEW(struct timerfd);
	if (!t)
		return -ENOMEM;
	if (FW_TIMER_CREATE(timerfd_fire, t, &t->timer)) {
		fw_free(t);
		return -ENOMEM;
	}
	fw_mutex_init(&t->set_lock, "timerfd");
	fw_spin_init(&t->lock, "timerfd");
	t->clock = clock;
	fw_waitq_init(&t->wq, "timerfd");
	poll_head_init(&t->poll);
	f = anon_file_create(&timerfd_ops, O_RDWR | (flags & TFD_NONBLOCK),
			     "[timerfd]");
	if (!f) {
		fw_timer_destroy(t->timer);
		fw_free(t);
		return -ENOMEM;
	}
	f->tfd = t;
	fd = fd_install(sys_files(), f, flags & TFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* The timerfd behind fd, referenced; NULL with -EBADF or -EINVAL. */
static struct file *timerfd_get(int fd, long *err)
{
	struct file *f = sys_fget(fd);

	*err = -EBADF;
	if (f && f->tfd)
		return f;
	if (f)
		*err = -EINVAL;
	file_put(f);
	return NULL;
}

/* What timerfd_gettime shows: the time to the next expiry and the
 * period. */
static struct tfd_itimerspec current_setting(struct timerfd *t)
{
	struct tfd_itimerspec v = { 0 };
	fw_irqflags_t fl = fw_spin_lock_irqsave(&t->lock);
	uint64_t now = fw_time_ns(), left;

	forward_locked(t);
	v.interval_sec = (int64_t)(t->interval_ns / FW_NSEC_PER_SEC);
	v.interval_nsec = (int64_t)(t->interval_ns % FW_NSEC_PER_SEC);
	if (t->deadline_ns) {
		/* Due but not yet fired: Linux shows 1 ns, not 0 (disarmed). */
		left = t->deadline_ns > now ? t->deadline_ns - now : 1;
		v.value_sec = (int64_t)(left / FW_NSEC_PER_SEC);
		v.value_nsec = (int64_t)(left % FW_NSEC_PER_SEC);
	}
	fw_spin_unlock_irqrestore(&t->lock, fl);
	return v;
}

static bool ts_ok(int64_t sec, int64_t nsec)
{
	return sec >= 0 && nsec >= 0 && (uint64_t)nsec < FW_NSEC_PER_SEC;
}

static uint64_t ts_ns(int64_t sec, int64_t nsec)
{
	uint64_t s = (uint64_t)sec;

	/* Far enough in the future to be never, without overflowing. */
	if (s > (UINT64_MAX / 2) / FW_NSEC_PER_SEC)
		return UINT64_MAX / 2;
	return s * FW_NSEC_PER_SEC + (uint64_t)nsec;
}

long sys_timerfd_settime(const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[1];
	struct tfd_itimerspec nv, old;
	uint64_t value, deadline = 0;
	struct timerfd *t;
	fw_irqflags_t fl;
	struct file *f;
	long err;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&nv, fw_uptr(a->arg[2])))
		return -EFAULT;
	if (!ts_ok(nv.value_sec, nv.value_nsec) ||
	    !ts_ok(nv.interval_sec, nv.interval_nsec))
		return -EINVAL;
	f = timerfd_get((int)a->arg[0], &err);
	if (!f)
		return err;
	t = f->tfd;
	fw_mutex_lock(&t->set_lock);
	old = current_setting(t);
	/* Disarmed first, outside the lock the interrupt takes: cancel
	 * waits for a callback running on another CPU. */
	(void)fw_timer_cancel(t->timer);
	value = ts_ns(nv.value_sec, nv.value_nsec);
	if (value) {
		uint64_t now = fw_time_ns();

		if (!(flags & TFD_TIMER_ABSTIME)) {
			deadline = now + value;
		} else if (t->clock == CLOCK_REALTIME ||
			   t->clock == CLOCK_REALTIME_ALARM) {
			uint64_t wall = fw_time_realtime_ns();

			/* Monotonic time when the wall clock reads value;
			 * `now` read after `wall`, so it is never early. */
			now = fw_time_ns();
			deadline = value > wall ? now + (value - wall) : now;
		} else {
			deadline = value;
		}
		if (!deadline)
			deadline = 1; /* 0 means disarmed */
	}
	fl = fw_spin_lock_irqsave(&t->lock);
	t->deadline_ns = deadline;
	t->interval_ns = ts_ns(nv.interval_sec, nv.interval_nsec);
	t->ticks = 0;
	t->expired = false;
	if (deadline)
		fw_timer_arm(t->timer, deadline);
	fw_spin_unlock_irqrestore(&t->lock, fl);
	fw_mutex_unlock(&t->set_lock);
	file_put(f);
	if (a->arg[3] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[3]), &old))
		return -EFAULT;
	return 0;
}

long sys_timerfd_gettime(const struct sys_args *a)
{
	struct tfd_itimerspec v;
	struct file *f;
	long err;

	f = timerfd_get((int)a->arg[0], &err);
	if (!f)
		return err;
	v = current_setting(f->tfd);
	file_put(f);
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &v) ? -EFAULT : 0;
}
