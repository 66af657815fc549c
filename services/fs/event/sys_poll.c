/* services/fs/event/sys_poll.c: poll, ppoll, select, pselect6.
 *
 * Layer: services (safe C), syscall handlers (Linux fs/select.c). One
 * poll_waiter per call (poll.h): the first pass registers on every
 * file's poll heads, later passes only re-read the masks. A temporary
 * signal mask (ppoll, pselect6) is installed on the thread for the call
 * and restored before returning. */
#include <fw/heap.h>
#include <fw/time.h>

#include "fs/event/poll.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET (POLLPRI)

static unsigned file_poll(struct file *f, struct poll_table *pt)
{
	if (!f->ops->poll || (f->fmode & FMODE_PATH))
		return DEFAULT_POLLMASK;
	pt->file = f;
	return f->ops->poll(f, pt);
}

struct pollfds {
	struct linux_pollfd p[FDTABLE_MAX];
};

/* Swap in a temporary signal mask (ppoll/pselect6). */
struct mask_swap {
	bool active;
	uint64_t saved;
};

static int mask_begin(struct mask_swap *ms, fw_uptr_t umask, uint64_t size)
{
	uint64_t m;

	ms->active = false;
	if (fw_uptr_is_null(umask))
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&m, umask))
		return -EFAULT;
	ms->active = current_sigmask_swap(m, &ms->saved);
	return 0;
}

/* Interrupted by a signal the temporary mask let through: keep that mask
 * until the signal is delivered, so its handler runs (Linux's
 * restore_saved_sigmask_unless); otherwise restore at once. Restoring
 * first would block the signal again and leave it pending for ever: a
 * loop around pselect6 (Debian's startpar waiting for SIGCHLD) spins. */
static void mask_end(struct mask_swap *ms, long ret)
{
	if (!ms->active)
		return;
	if (ret == -EINTR || ret == -ERESTARTNOHAND)
		current_sigmask_restore_after_signal(ms->saved);
	else
		current_sigmask_restore(ms->saved);
}

static uint64_t deadline_from_ts(fw_uptr_t uts, int *err)
{
	struct linux_timespec ts;

	*err = 0;
	if (fw_uptr_is_null(uts))
		return UINT64_MAX;
	if (FW_COPY_IN_OBJ(&ts, uts)) {
		*err = -EFAULT;
		return 0;
	}
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
		*err = -EINVAL;
		return 0;
	}
	return sys_deadline_from_ns(ts.tv_sec, ts.tv_nsec);
}

static long do_poll(fw_uptr_t ufds, uint64_t nfds, uint64_t deadline)
{
	struct pollfds *pf;
	struct poll_waiter w;
	struct poll_table pt = { &w, NULL };
	struct fw_buf kb;
	bool timed_out = false;
	long ret = 0;

	if (nfds > FDTABLE_MAX)
		return -EINVAL;
	pf = FW_NEW(struct pollfds);
	if (!pf)
		return -ENOMEM;
	if (fw_buf_sub(FW_BUF_OF_OBJ(pf), 0, nfds * sizeof(pf->p[0]), &kb) ||
	    (nfds && fw_copy_in(kb, ufds))) {
		fw_free(pf);
		return -EFAULT;
	}
	poll_waiter_init(&w);
	for (;;) {
		long count = 0;

		for (uint64_t i = 0; i < nfds; i++) {
			struct linux_pollfd *p = &pf->p[i];
			struct file *f;
			unsigned mask;

			p->revents = 0;
			if (p->fd < 0)
				continue;
			f = sys_fget(p->fd);
			if (!f) {
				p->revents = POLLNVAL;
				count++;
				continue;
			}
			mask = file_poll(f, &pt);
			file_put(f);
			p->revents = (int16_t)(mask & ((uint16_t)p->events | POLLERR | POLLHUP));
			if (p->revents)
				count++;
		}
		pt.w = NULL; /* registered once */
		if (count || timed_out || deadline <= fw_time_ns()) {
			ret = count;
			break;
		}
		if (signal_pending_current()) {
			ret = -EINTR;
			break;
		}
		if (poll_waiter_sleep(&w, deadline) == -ETIMEDOUT)
			timed_out = true;
	}
	poll_waiter_finish(&w);
	if (ret >= 0 && nfds && fw_copy_out(ufds, fw_buf_as_bytes(kb)))
		ret = -EFAULT;
	fw_free(pf);
	return ret;
}

long sys_poll(const struct sys_args *a)
{
	int64_t ms = (int32_t)a->arg[2];
	uint64_t deadline = ms < 0 ? UINT64_MAX
				   : sys_deadline_from_ns(ms / 1000, (ms % 1000) * 1000000);

	return do_poll(fw_uptr(a->arg[0]), a->arg[1], deadline);
}

long sys_ppoll(const struct sys_args *a)
{
	struct mask_swap ms;
	int err;
	uint64_t deadline = deadline_from_ts(fw_uptr(a->arg[2]), &err);
	long ret;

	if (err)
		return err;
	err = mask_begin(&ms, fw_uptr(a->arg[3]), a->arg[4]);
	if (err)
		return err;
	ret = do_poll(fw_uptr(a->arg[0]), a->arg[1], deadline);
	mask_end(&ms, ret);
	return ret;
}

struct fdsets {
	uint64_t in[FDTABLE_MAX / 64], out[FDTABLE_MAX / 64], ex[FDTABLE_MAX / 64];
	uint64_t rin[FDTABLE_MAX / 64], rout[FDTABLE_MAX / 64], rex[FDTABLE_MAX / 64];
};


static bool bit(const uint64_t (*set)[FDTABLE_MAX / 64], int fd)
{
	return ((*set)[fd / 64] >> (fd % 64)) & 1;
}

static int copy_set_in(fw_uptr_t u, uint64_t (*set)[FDTABLE_MAX / 64], size_t nbytes)
{
	struct fw_buf b;

	if (fw_uptr_is_null(u))
		return 0;
	if (fw_buf_sub(FW_BUF_OF_ARRAY(*set), 0, nbytes, &b) || fw_copy_in(b, u))
		return -EFAULT;
	return 0;
}

static int copy_set_out(fw_uptr_t u, uint64_t (*set)[FDTABLE_MAX / 64], size_t nbytes)
{
	struct fw_bytes b;

	if (fw_uptr_is_null(u))
		return 0;
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(*set), 0, nbytes, &b) || fw_copy_out(u, b))
		return -EFAULT;
	return 0;
}

static long do_select(int n, fw_uptr_t uin, fw_uptr_t uout, fw_uptr_t uex,
		      uint64_t deadline)
{
	struct fdsets *s;
	struct poll_waiter w;
	struct poll_table pt = { &w, NULL };
	size_t nbytes;
	bool timed_out = false;
	long ret = 0;

	if (n < 0)
		return -EINVAL;
	if (n > FDTABLE_MAX)
		n = FDTABLE_MAX;
	/* Linux copies whole longs: (n + 63) / 64 * 8 bytes. */
	nbytes = ((size_t)n + 63) / 64 * 8;
	s = FW_NEW(struct fdsets);
	if (!s)
		return -ENOMEM;
	if (copy_set_in(uin, &s->in, nbytes) || copy_set_in(uout, &s->out, nbytes) ||
	    copy_set_in(uex, &s->ex, nbytes)) {
		fw_free(s);
		return -EFAULT;
	}
	poll_waiter_init(&w);
	for (;;) {
		long count = 0;

		for (unsigned i = 0; i < FW_ARRAY_LEN(s->rin); i++) {
			s->rin[i] = 0;
			s->rout[i] = 0;
			s->rex[i] = 0;
		}
		for (int fd = 0; fd < n; fd++) {
			bool r = bit(&s->in, fd), wr = bit(&s->out, fd), e = bit(&s->ex, fd);
			struct file *f;
			unsigned mask;

			if (!r && !wr && !e)
				continue;
			f = sys_fget(fd);
			if (!f) {
				ret = -EBADF;
				goto out;
			}
			mask = file_poll(f, &pt);
			file_put(f);
			if (r && (mask & POLLIN_SET)) {
				s->rin[fd / 64] |= 1ull << (fd % 64);
				count++;
			}
			if (wr && (mask & POLLOUT_SET)) {
				s->rout[fd / 64] |= 1ull << (fd % 64);
				count++;
			}
			if (e && (mask & POLLEX_SET)) {
				s->rex[fd / 64] |= 1ull << (fd % 64);
				count++;
			}
		}
		pt.w = NULL;
		if (count || timed_out || deadline <= fw_time_ns()) {
			ret = count;
			break;
		}
		if (signal_pending_current()) {
			ret = -EINTR;
			break;
		}
		if (poll_waiter_sleep(&w, deadline) == -ETIMEDOUT)
			timed_out = true;
	}
	if (copy_set_out(uin, &s->rin, nbytes) || copy_set_out(uout, &s->rout, nbytes) ||
	    copy_set_out(uex, &s->rex, nbytes))
		ret = -EFAULT;
out:
	poll_waiter_finish(&w);
	fw_free(s);
	return ret;
}

/* select and pselect6 write the time left back (Linux does, unless the
 * personality has STICKY_TIMEOUTS). */
static uint64_t remaining_ns(uint64_t deadline)
{
	uint64_t now = fw_time_ns();

	return deadline > now ? deadline - now : 0;
}

long sys_select(const struct sys_args *a)
{
	fw_uptr_t utv = fw_uptr(a->arg[4]);
	uint64_t deadline = UINT64_MAX;
	struct linux_timeval tv;
	long ret;

	if (!fw_uptr_is_null(utv)) {
		if (FW_COPY_IN_OBJ(&tv, utv))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises tv_usec >= 1000000 instead of failing. */
		deadline = sys_deadline_from_ns(tv.tv_sec + tv.tv_usec / 1000000,
						(tv.tv_usec % 1000000) * 1000);
	}
	ret = do_select((int)a->arg[0], fw_uptr(a->arg[1]), fw_uptr(a->arg[2]),
			fw_uptr(a->arg[3]), deadline);
	if (!fw_uptr_is_null(utv) && deadline != UINT64_MAX) {
		uint64_t left = remaining_ns(deadline);

		tv.tv_sec = (int64_t)(left / FW_NSEC_PER_SEC);
		tv.tv_usec = (int64_t)(left % FW_NSEC_PER_SEC / 1000);
		if (FW_COPY_OUT_OBJ(utv, &tv))
			ret += 0; /* Linux ignores a fault here too */
	}
	return ret;
}

struct sigset_arg {
	uint64_t ss;	/* user address of the sigset */
	uint64_t ss_len;
};

long sys_pselect6(const struct sys_args *a)
{
	fw_uptr_t uts = fw_uptr(a->arg[4]);
	struct sigset_arg sa = { 0, 0 };
	struct mask_swap ms = { false, 0 };
	int err;
	uint64_t deadline = deadline_from_ts(uts, &err);
	long ret;

	if (err)
		return err;
	if (a->arg[5]) {
		if (FW_COPY_IN_OBJ(&sa, fw_uptr(a->arg[5])))
			return -EFAULT;
		err = mask_begin(&ms, fw_uptr(sa.ss), sa.ss_len);
		if (err)
			return err;
	}
	ret = do_select((int)a->arg[0], fw_uptr(a->arg[1]), fw_uptr(a->arg[2]),
			fw_uptr(a->arg[3]), deadline);
	mask_end(&ms, ret);
	if (!fw_uptr_is_null(uts) && deadline != UINT64_MAX) {
		uint64_t left = remaining_ns(deadline);
		struct linux_timespec ts = {
			(int64_t)(left / FW_NSEC_PER_SEC),
			(int64_t)(left % FW_NSEC_PER_SEC),
		};

		if (FW_COPY_OUT_OBJ(uts, &ts))
			ret += 0; /* Linux ignores a fault here too */
	}
	return ret;
}
