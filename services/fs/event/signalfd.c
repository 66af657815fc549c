/* services/fs/event/signalfd.c: signalfd(2), signals read as a file.
 *
 * Layer: services (safe C), after Linux fs/signalfd.c. A signalfd holds a
 * signal mask; a read takes pending signals in the mask off the reading
 * thread's pending sets (its own, then its process's), as a handler's
 * delivery would, and returns one struct signalfd_siginfo each; it
 * blocks while none is pending. poll reports POLLIN while one is. The
 * signals are those of the reader, not of the creator, as on Linux.
 *
 * Wake-ups: every signal sent anywhere wakes one global poll head that
 * all signalfd pollers and readers wait on, and each looks at its own
 * pending set again. A head per process would wake fewer, but its
 * lifetime would then have to outlive every epoll registration of a
 * signalfd polled from it (Linux's POLLFREE dance); one head that lives
 * for ever needs none, at the cost of spurious wake-ups only where
 * signalfds are waited on. */
#include <fw/heap.h>

#include "fs/event/epoll.h"
#include "fs/event/poll.h"
#include "fs/event/signalfd.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

#define SFD_CLOEXEC O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK
#define SIGKILL_STOP ((1ull << (9 - 1)) | (1ull << (19 - 1)))
/* si_code values and the signals whose siginfo is a fault's. */
#define SI_TIMER (-2)
#define SIGCHLD 17

/* struct signalfd_siginfo (linux/signalfd.h): 128 bytes. */
struct k_signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};
FW_STATIC_ASSERT(sizeof(struct k_signalfd_siginfo) == 128, "signalfd_siginfo");

struct signalfd {
	_Atomic uint64_t mask;
};

static struct poll_head signalfd_head = {
	FW_SPINLOCK_INIT("signalfd"), FW_LIST_HEAD_INIT(signalfd_head.entries)
};

static struct poll_head *head(void)
{
	return &signalfd_head;
}

void signalfd_notify(void)
{
	poll_wake(&signalfd_head);
}

/* Linux signalfd_copyinfo: which fields mean what depends on the kind
 * of siginfo. */
static struct k_signalfd_siginfo to_ssi(const struct taken_signal *ts)
{
	struct k_signalfd_siginfo o = { 0 };
	bool fault = ts->code > 0 && (ts->signo == 4 || ts->signo == 5 ||
				      ts->signo == 7 || ts->signo == 8 ||
				      ts->signo == 11);

	o.ssi_signo = (uint32_t)ts->signo;
	o.ssi_code = ts->code;
	if (fault) {
		o.ssi_addr = ts->f0;
	} else if (ts->code == SI_TIMER) {
		o.ssi_tid = (uint32_t)ts->f0;
		o.ssi_overrun = (uint32_t)(ts->f0 >> 32);
		o.ssi_ptr = ts->f1;
		o.ssi_int = (int32_t)ts->f1;
	} else {
		o.ssi_pid = (uint32_t)ts->f0;
		o.ssi_uid = (uint32_t)(ts->f0 >> 32);
		if (ts->signo == SIGCHLD && ts->code > 0) {
			o.ssi_status = (int32_t)ts->f1;
			o.ssi_utime = ts->f2;
			o.ssi_stime = ts->f3;
		} else {
			o.ssi_ptr = ts->f1;
			o.ssi_int = (int32_t)ts->f1;
		}
	}
	return o;
}

static long signalfd_read(struct file *f, fw_uptr_t buf, size_t len,
			  uint64_t *pos)
{
	struct signalfd *s = f->sfd;
	size_t done = 0;

	(void)pos;
	if (len < sizeof(struct k_signalfd_siginfo))
		return -EINVAL;
	while (done + sizeof(struct k_signalfd_siginfo) <= len) {
		uint64_t mask = atomic_load(&s->mask);
		struct taken_signal ts;
		struct k_signalfd_siginfo o;

		if (!current_signal_take(mask, &ts)) {
			struct poll_waiter w;
			struct poll_table pt;
			int err = 0;

			if (done)
				break;
			if (atomic_load(&f->flags) & O_NONBLOCK)
				return -EAGAIN;
			/* Register, then look: no wake-up is lost. */
			poll_waiter_init(&w);
			pt = (struct poll_table){ &w, f };
			poll_wait(&pt, head());
			while (!(current_signals_pending() & mask) &&
			       !signal_pending_current() && !err)
				err = poll_waiter_sleep(&w, UINT64_MAX);
			poll_waiter_finish(&w);
			if (!(current_signals_pending() & mask))
				return -ERESTARTSYS;
			continue;
		}
		o = to_ssi(&ts);
		/* As Linux: the signal is consumed even if the copy faults. */
		if (FW_COPY_OUT_OBJ(fw_uptr_add(buf, done), &o))
			return done ? (long)done : -EFAULT;
		done += sizeof o;
	}
	return (long)done;
}

static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, head());
	return current_signals_pending() & atomic_load(&f->sfd->mask)
		       ? POLLIN | POLLRDNORM
		       : 0;
}

static void signalfd_release(struct file *f)
{
	fw_free(f->sfd);
	f->sfd = NULL;
}

static const struct file_ops signalfd_ops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.release = signalfd_release,
};

/* signalfd4(fd, mask, sizemask, flags): a new signalfd (fd -1) or a new
 * mask for an existing one. SIGKILL and SIGSTOP are silently dropped
 * from the mask, as Linux. */
static long do_signalfd4(int fd, fw_uptr_t umask, uint64_t size, unsigned flags)
{
	uint64_t mask;
	struct signalfd *s;
	struct file *f;
	int nfd;

	if (flags & ~(unsigned)(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&mask, umask))
		return -EFAULT;
	mask &= ~SIGKILL_STOP;
	if (fd != -1) {
		f = sys_fget(fd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_ops) {
			file_put(f);
			return -EINVAL;
		}
		atomic_store(&f->sfd->mask, mask);
		file_put(f);
		signalfd_notify(); /* pollers re-check against the new mask */
		return fd;
	}
	s = FW_NEW(struct signalfd);
	if (!s)
		return -ENOMEM;
	atomic_init(&s->mask, mask);
	f = anon_file_create(&signalfd_ops, O_RDONLY | (flags & SFD_NONBLOCK),
			     "[signalfd]");
	if (!f) {
		fw_free(s);
		return -ENOMEM;
	}
	f->sfd = s;
	nfd = fd_install(sys_files(), f, flags & SFD_CLOEXEC);
	if (nfd < 0)
		file_put(f);
	return nfd;
}

long sys_signalfd4(const struct sys_args *a)
{
	return do_signalfd4((int)a->arg[0], fw_uptr(a->arg[1]), a->arg[2],
			    (unsigned)a->arg[3]);
}

long sys_signalfd(const struct sys_args *a)
{
	return do_signalfd4((int)a->arg[0], fw_uptr(a->arg[1]), a->arg[2], 0);
}
