/* services/proc/time/time.c: clocks, sleeping and interval timers.
 *
 * Layer: services (safe C). CLOCK_REALTIME comes from the RTC read at boot
 * plus the monotonic clock; MONOTONIC and BOOTTIME are the TSC clock (the
 * machine never suspends, so they are equal); the CPU-time clocks count
 * what the scheduler accounted. Sleeps end early, with the time left,
 * when a signal arrives (nanosleep(2) EINTR).
 *
 * Folder services/proc/time: part of the process service (a subfolder, as
 * ptrace): clocks, sleeps, POSIX and interval timers (time.c) and the CPU
 * time they count and fire on (cputime.c). */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/uaccess.h>
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"
#include "proc/uapi.h"
#include "syscall/nr.h"
#include "syscall/syscall.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

/* Another process's or thread's CPU clock (clock_getcpuclockid(3),
 * pthread_getcpuclockid(3)): Linux encodes the pid as ~pid << 3, bit 2
 * for a thread, and the low two bits as PROF (user + system), VIRT (user)
 * or SCHED (the scheduler's run time). */
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD 4

static int cpu_clock_read(int clk, uint64_t *ns)
{
	int pid = ~(clk >> 3), which = clk & 3;

	if (which == 3)
		return -EINVAL;
	if (clk & CPUCLOCK_PERTHREAD) {
		struct thread *t = pid ? thread_find(pid) : thread_current();
		uint64_t utime, stime;

		if (!t || t->proc != proc_current())
			return -EINVAL; /* Linux: only threads of the caller */
		thread_times(t, &utime, &stime);
		*ns = which == CPUCLOCK_VIRT ? utime : utime + stime;
		return 0;
	} else {
		struct proc *p = pid ? proc_find(pid) : proc_current();
		struct proc_times pt;

		if (!p)
			return -EINVAL;
		proc_times(p, &pt);
		*ns = which == CPUCLOCK_VIRT ? pt.utime : pt.utime + pt.stime;
		return 0;
	}
}

/* The clock id of a thread's or process's CPU clock (user and system
 * time, CPUCLOCK_SCHED as Linux's CLOCK_*_CPUTIME_ID). */
static int cpu_clock_id(int id, bool thread)
{
	return (int)((~(uint32_t)id << 3) | CPUCLOCK_SCHED |
		     (thread ? CPUCLOCK_PERTHREAD : 0u));
}

static int clock_read(int clk, uint64_t *ns)
{
	if (clk < 0)
		return cpu_clock_read(clk, ns);
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = fw_time_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = fw_time_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID: {
		struct proc_times pt;

		proc_times(proc_current(), &pt);
		*ns = pt.utime + pt.stime; /* every thread's, live or exited */
		return 0;
	}
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = fw_task_runtime_ns(fw_task_current());
		return 0;
	}
	return -EINVAL;
}

static struct k_timespec to_ts(uint64_t ns)
{
	return (struct k_timespec){ (int64_t)(ns / FW_NSEC_PER_SEC),
				    (int64_t)(ns % FW_NSEC_PER_SEC) };
}

/* A user timespec as ns: 0, -EFAULT, or -EINVAL (out of range). */
static int from_user_ts(fw_uptr_t u, uint64_t *ns)
{
	struct k_timespec ts;

	if (FW_COPY_IN_OBJ(&ts, u))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > (~0ull - (uint64_t)ts.tv_nsec) / FW_NSEC_PER_SEC)
		*ns = ~0ull;
	else
		*ns = (uint64_t)ts.tv_sec * FW_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

static long sys_clock_gettime(const struct sys_args *a)
{
	uint64_t ns;
	struct k_timespec ts;
	int err = clock_read((int)a->arg[0], &ns);

	if (err)
		return err;
	ts = to_ts(ns);
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &ts) ? -EFAULT : 0;
}

static long sys_clock_getres(const struct sys_args *a)
{
	uint64_t ns;
	struct k_timespec ts = { 0, 1 };

	if (clock_read((int)a->arg[0], &ns))
		return -EINVAL;
	if (a->arg[1] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &ts))
		return -EFAULT;
	return 0;
}

static long sys_gettimeofday(const struct sys_args *a)
{
	uint64_t ns = fw_time_realtime_ns();
	struct k_timeval tv = { (int64_t)(ns / FW_NSEC_PER_SEC),
				(int64_t)(ns % FW_NSEC_PER_SEC / 1000) };
	int32_t tz[2] = { 0, 0 };

	if (a->arg[0] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[0]), &tv))
		return -EFAULT;
	if (a->arg[1] && fw_copy_out(fw_uptr(a->arg[1]), FW_BYTES_OF_ARRAY(tz)))
		return -EFAULT;
	return 0;
}

static long sys_time(const struct sys_args *a)
{
	int64_t t = (int64_t)(fw_time_realtime_ns() / FW_NSEC_PER_SEC);
	if (a->arg[0] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[0]), &t))
		return -EFAULT;
	return t;
}

/* Sleep until the monotonic deadline or a signal: 0 or -EINTR. */
static long sleep_until(uint64_t deadline)
{
	struct thread *t = thread_current();
	int ret;

	FW_WAIT_EVENT_DEADLINE(&t->sig_wait, signal_pending_current(), deadline,
			       ret);
	if (ret == 0 && signal_pending_current())
		return -EINTR;
	return 0;
}

static long interrupted_sleep(uint64_t deadline, fw_uptr_t rem);

static long do_nanosleep(int clk, int flags, fw_uptr_t req, fw_uptr_t rem)
{
	uint64_t ns, now, deadline;
	long err;

	if ((err = from_user_ts(req, &ns)))
		return err;
	/* Sleeping on a CPU clock (Linux: EINVAL for a thread's) is not
	 * done here: EOPNOTSUPP. */
	if ((err = clock_read(clk, &now)) || clk < 0 ||
	    clk == CLOCK_THREAD_CPUTIME_ID || clk == CLOCK_PROCESS_CPUTIME_ID)
		return clk == CLOCK_THREAD_CPUTIME_ID || (clk < 0 && (clk & 4))
			       ? -EINVAL
			       : err ? err : -EOPNOTSUPP;
	if (flags & TIMER_ABSTIME)
		ns = ns > now ? ns - now : 0;
	now = fw_time_ns();
	deadline = ns > ~0ull - now ? ~0ull : now + ns;
	err = sleep_until(deadline);
	if (err != -EINTR)
		return err;
	/* Interrupted: an absolute sleep is simply issued again unless a
	 * handler runs; a relative one leaves its deadline for
	 * restart_syscall (Linux hrtimer_nanosleep's restart block). */
	if (flags & TIMER_ABSTIME)
		return -ERESTARTNOHAND;
	return interrupted_sleep(deadline, rem);
}

/* Report what is left of a relative sleep and leave the rest to
 * restart_syscall: -ERESTART_RESTARTBLOCK (-EINTR when a handler runs),
 * or -EFAULT. */
static long interrupted_sleep(uint64_t deadline, fw_uptr_t rem)
{
	struct thread *t = thread_current();

	if (!fw_uptr_is_null(rem)) {
		uint64_t now = fw_time_ns();
		struct k_timespec ts = to_ts(deadline > now ? deadline - now : 0);

		if (FW_COPY_OUT_OBJ(rem, &ts))
			return -EFAULT;
	}
	t->restart_block = true;
	t->restart_deadline = deadline;
	t->restart_rem = rem.addr;
	return -ERESTART_RESTARTBLOCK;
}

static long sys_restart_syscall(const struct sys_args *a)
{
	struct thread *t = thread_current();

	(void)a;
	if (!t->restart_block)
		return -EINTR; /* Linux do_no_restart_syscall */
	t->restart_block = false;
	if (sleep_until(t->restart_deadline) == 0)
		return 0;
	return interrupted_sleep(t->restart_deadline, fw_uptr(t->restart_rem));
}

static long sys_nanosleep(const struct sys_args *a)
{
	return do_nanosleep(CLOCK_MONOTONIC, 0, fw_uptr(a->arg[0]),
			    fw_uptr(a->arg[1]));
}

static long sys_clock_nanosleep(const struct sys_args *a)
{
	long err = do_nanosleep((int)a->arg[0], (int)a->arg[1],
				fw_uptr(a->arg[2]), fw_uptr(a->arg[3]));
	return err; /* returns the error directly, like the raw syscall */
}

/* --- alarm and the interval timers ------------------------------------- */

#define ITIMER_REAL 0

static void alarm_fire(struct proc *p)
{
	/* Interrupt context: signal sending is IRQ-safe (signal.c). */
	(void)signal_send_proc(p, SIGALRM, 0);
	if (p->alarm_interval_ns) {
		p->alarm_deadline_ns = fw_time_ns() + p->alarm_interval_ns;
		fw_timer_arm(p->alarm_timer, p->alarm_deadline_ns);
	} else {
		p->alarm_deadline_ns = 0;
	}
}

/* Arm or disarm; *left gets the time that was left on the old timer.
 * 0, or -ENOMEM if the process has no timer yet and none can be made. */
static int alarm_set(struct proc *p, uint64_t value_ns, uint64_t interval_ns,
		     uint64_t *left)
{
	uint64_t now = fw_time_ns();

	if (value_ns && !p->alarm_timer &&
	    FW_TIMER_CREATE(alarm_fire, p, &p->alarm_timer))
		return -ENOMEM;
	if (p->alarm_timer)
		(void)fw_timer_cancel(p->alarm_timer);
	*left = p->alarm_deadline_ns > now ? p->alarm_deadline_ns - now : 0;
	p->alarm_interval_ns = interval_ns;
	p->alarm_deadline_ns = value_ns ? now + value_ns : 0;
	if (value_ns)
		fw_timer_arm(p->alarm_timer, p->alarm_deadline_ns);
	return 0;
}

void proc_alarm_cancel(struct proc *p)
{
	fw_timer_destroy(p->alarm_timer);
	p->alarm_timer = 0;
	p->alarm_deadline_ns = 0;
}

static long sys_alarm(const struct sys_args *a)
{
	uint64_t left;

	if (alarm_set(proc_current(),
		      (uint64_t)(uint32_t)a->arg[0] * FW_NSEC_PER_SEC, 0, &left))
		return -ENOMEM;
	/* Rounded to the nearest second, at least 1 if any time was left. */
	return left ? (long)((left + FW_NSEC_PER_SEC / 2) / FW_NSEC_PER_SEC) ?: 1
		    : 0;
}

struct k_itimerval {
	struct k_timeval interval, value;
};

static uint64_t tv_ns(const struct k_timeval *tv)
{
	return (uint64_t)tv->tv_sec * FW_NSEC_PER_SEC +
	       (uint64_t)tv->tv_usec * 1000;
}

static struct k_timeval ns_tv(uint64_t ns)
{
	return (struct k_timeval){ (int64_t)(ns / FW_NSEC_PER_SEC),
				   (int64_t)(ns % FW_NSEC_PER_SEC / 1000) };
}

static long sys_getitimer(const struct sys_args *a)
{
	struct proc *p = proc_current();
	struct k_itimerval v;
	uint64_t now = fw_time_ns();

	if (a->arg[0] > 2)
		return -EINVAL;
	if (a->arg[0] == ITIMER_REAL) {
		v.interval = ns_tv(p->alarm_interval_ns);
		v.value = ns_tv(p->alarm_deadline_ns > now
					? p->alarm_deadline_ns - now
					: 0);
	} else {
		uint64_t left, interval;

		cpu_itimer_get(p, (int)a->arg[0] - 1, &left, &interval);
		v.interval = ns_tv(interval);
		v.value = ns_tv(left);
	}
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &v) ? -EFAULT : 0;
}

static long sys_setitimer(const struct sys_args *a)
{
	struct proc *p = proc_current();
	struct k_itimerval nv, ov;
	uint64_t left, old_interval = p->alarm_interval_ns;

	if (a->arg[0] > 2)
		return -EINVAL;
	if (a->arg[1] && FW_COPY_IN_OBJ(&nv, fw_uptr(a->arg[1])))
		return -EFAULT;
	if (a->arg[1] && (nv.value.tv_usec < 0 || nv.value.tv_usec >= 1000000 ||
			  nv.interval.tv_usec < 0 || nv.interval.tv_usec >= 1000000 ||
			  nv.value.tv_sec < 0 || nv.interval.tv_sec < 0))
		return -EINVAL;
	if (a->arg[0] != ITIMER_REAL) {
		/* ITIMER_VIRTUAL, ITIMER_PROF: on the process's CPU clock. */
		cpu_itimer_set(p, (int)a->arg[0] - 1,
			       a->arg[1] ? tv_ns(&nv.value) : 0,
			       a->arg[1] ? tv_ns(&nv.interval) : 0, &left,
			       &old_interval);
	} else if (alarm_set(p, a->arg[1] ? tv_ns(&nv.value) : 0,
			     a->arg[1] ? tv_ns(&nv.interval) : 0, &left)) {
		return -ENOMEM;
	}
	ov.value = ns_tv(left);
	ov.interval = ns_tv(old_interval);
	if (a->arg[2] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &ov))
		return -EFAULT;
	return 0;
}

/* --- POSIX per-process timers (timer_create(2)) -------------------------- */

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4
#define NTIMERS 32

struct k_sigevent {
	uint64_t value;  /* sigev_value */
	int32_t signo;
	int32_t notify;
	int32_t tid;     /* SIGEV_THREAD_ID */
	int32_t pad[11];
};
FW_STATIC_ASSERT(sizeof(struct k_sigevent) == 64, "struct sigevent");

struct k_itimerspec {
	struct k_timespec interval, value;
};

struct ptimer {
	struct fw_timer *timer;  /* armed while value != 0 (not cpu) */
	struct proc *proc;
	int id;
	int clock;               /* CLOCK_REALTIME, a monotonic one, or a CPU
				  * clock naming its thread or process */
	bool cpu;                /* on a CPU clock: no fw_timer, deadline on
				  * that clock, checked by ptimers_cpu_check */
	int notify, signo, tid;
	uint64_t value;          /* si_value */
	uint64_t deadline_ns;    /* monotonic; 0 = disarmed */
	uint64_t interval_ns;
	uint32_t overrun;        /* periods missed before the last delivery */
	bool pending;            /* its signal is queued and not yet taken
				  * (under proc->lock) */
};

/* The shortest period a timer whose signal is ignored re-arms with: it
 * keeps running (the signal may be wanted later) at a cost the CPU can
 * bear, as Linux clamps such timers to a tick. */
#define IGNORED_MIN_PERIOD_NS (4 * FW_NSEC_PER_MSEC)

/* Interrupt context. A periodic timer is not re-armed here but when its
 * signal is taken (ptimer_delivered): while the signal waits (blocked,
 * or its process not yet run) the timer costs nothing, and the periods
 * that passed meanwhile become the overrun count. So a 1 ns period costs
 * one expiry per signal the process handles (Linux re-arms from
 * dequeue_signal the same way). Called with no lock; p->lock orders it
 * against delivery and timer_delete. */
static void ptimer_send(struct ptimer *pt);

static void ptimer_fire(struct ptimer *pt)
{
	struct proc *p = pt->proc;
	fw_irqflags_t fl;

	if (pt->notify == SIGEV_NONE) {
		/* Nothing to deliver: timer_gettime works the next
		 * expiry out from deadline and interval. */
		if (!pt->interval_ns)
			pt->deadline_ns = 0;
		return;
	}
	if (signal_is_ignored(p, pt->signo)) {
		uint64_t period = pt->interval_ns > IGNORED_MIN_PERIOD_NS
					  ? pt->interval_ns
					  : IGNORED_MIN_PERIOD_NS;
		if (pt->interval_ns) {
			/* The deadline stays on the timer's own period (what
			 * timer_gettime shows); only the wake-up is clamped. */
			uint64_t now = fw_time_ns();
			uint64_t missed = now > pt->deadline_ns
						  ? (now - pt->deadline_ns) / pt->interval_ns
						  : 0;
			pt->deadline_ns += (missed + 1) * pt->interval_ns;
			fw_timer_arm(pt->timer, pt->deadline_ns > now + period
							? pt->deadline_ns
							: now + period);
		} else {
			pt->deadline_ns = 0;
		}
		return;
	}
	fl = fw_spin_lock_irqsave(&p->lock);
	pt->pending = true;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	ptimer_send(pt);
}

/* Queue pt's signal (pt->pending already set). */
static void ptimer_send(struct ptimer *pt)
{
	struct proc *p = pt->proc;
	struct k_siginfo si = { 0 };

	si.si_signo = pt->signo;
	si.si_code = SI_TIMER;
	si.f0 = (uint64_t)(uint32_t)pt->id;
	si.f1 = pt->value;
	if (pt->notify == SIGEV_THREAD_ID) {
		struct thread *t = thread_find(pt->tid);
		if (t && t->proc == p)
			(void)signal_send_thread(t, pt->signo, &si);
	} else {
		(void)signal_send_proc(p, pt->signo, &si);
	}
}

void ptimer_delivered(struct proc *p, struct k_siginfo *si)
{
	int id = (int)(uint32_t)si->f0;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	struct ptimer *pt = id >= 0 && id < NTIMERS ? p->timers[id] : 0;

	if (pt && pt->pending && pt->cpu) {
		/* ptimers_cpu_check moved the deadline on and counted the
		 * periods that passed while the signal waited. */
		pt->pending = false;
		si->f0 = (uint64_t)(uint32_t)id | ((uint64_t)pt->overrun << 32);
		pt->overrun = 0;
	} else if (pt && pt->pending) {
		pt->pending = false;
		pt->overrun = 0;
		if (pt->interval_ns) {
			uint64_t now = fw_time_ns();
			uint64_t missed = now > pt->deadline_ns
						  ? (now - pt->deadline_ns) / pt->interval_ns
						  : 0;
			/* DELAYTIMER_MAX is INT_MAX, as Linux. */
			pt->overrun = missed > 0x7fffffff ? 0x7fffffff
							  : (uint32_t)missed;
			pt->deadline_ns += (missed + 1) * pt->interval_ns;
			fw_timer_arm(pt->timer, pt->deadline_ns);
		} else {
			pt->deadline_ns = 0;
		}
		si->f0 = (uint64_t)(uint32_t)id | ((uint64_t)pt->overrun << 32);
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
}

static struct ptimer *ptimer_get(int id)
{
	struct proc *p = proc_current();
	return id >= 0 && id < NTIMERS ? p->timers[id] : 0;
}

static long timer_create_locked(const struct sys_args *a)
{
	struct proc *p = proc_current();
	struct k_sigevent ev = { .notify = SIGEV_SIGNAL, .signo = SIGALRM };
	int clk = (int)a->arg[0], id = -1;
	uint64_t dummy;
	struct ptimer *pt;

	if (clock_read(clk, &dummy))
		return -EINVAL;
	/* The caller's CPU clocks, named so that any thread of the process
	 * can read them: this thread's, or the process's. */
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		clk = cpu_clock_id(thread_current()->tid, true);
	else if (clk == CLOCK_PROCESS_CPUTIME_ID)
		clk = cpu_clock_id(p->pid, false);
	if (a->arg[1] && FW_COPY_IN_OBJ(&ev, fw_uptr(a->arg[1])))
		return -EFAULT;
	if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE &&
	    ev.notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > NSIG))
		return -EINVAL;
	if (ev.notify == SIGEV_THREAD_ID) {
		struct thread *t = thread_find(ev.tid);
		if (!t || t->proc != p)
			return -EINVAL;
	}
	pt = FW_NEW(struct ptimer);
	if (!pt)
		return -EAGAIN;
	pt->cpu = clk < 0;
	if (!pt->cpu && FW_TIMER_CREATE(ptimer_fire, pt, &pt->timer)) {
		fw_free(pt);
		return -EAGAIN;
	}
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	for (int i = 0; i < NTIMERS; i++)
		if (!p->timers[i]) {
			id = i;
			p->timers[i] = pt;
			break;
		}
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if (id < 0) {
		fw_timer_destroy(pt->timer);
		fw_free(pt);
		return -EAGAIN;
	}
	pt->proc = p;
	pt->id = id;
	pt->clock = clk;
	pt->notify = ev.notify;
	pt->signo = ev.signo;
	pt->tid = ev.tid;
	pt->value = a->arg[1] ? ev.value : (uint64_t)id;
	int32_t out = id;
	if (FW_COPY_OUT_OBJ(fw_uptr(a->arg[2]), &out)) {
		fl = fw_spin_lock_irqsave(&p->lock);
		p->timers[id] = 0;
		fw_spin_unlock_irqrestore(&p->lock, fl);
		fw_timer_destroy(pt->timer);
		fw_free(pt);
		return -EFAULT;
	}
	if (pt->cpu)
		__atomic_add_fetch(&p->cpu_timers, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Now on pt's clock: monotonic, or its CPU clock (0 if that thread or
 * process is gone). */
static uint64_t ptimer_now(const struct ptimer *pt)
{
	uint64_t now = 0;

	if (!pt->cpu)
		return fw_time_ns();
	(void)clock_read(pt->clock, &now);
	return now;
}

static struct k_itimerspec ptimer_read(const struct ptimer *pt)
{
	uint64_t now = ptimer_now(pt), left = 0;
	struct k_itimerspec v;

	if (pt->deadline_ns > now)
		left = pt->deadline_ns - now;
	else if (pt->deadline_ns && pt->interval_ns)
		/* Expired, not yet re-armed (its signal waits, or
		 * SIGEV_NONE): the next period's end. */
		left = pt->interval_ns - (now - pt->deadline_ns) % pt->interval_ns;
	else if (pt->deadline_ns)
		left = 1;
	v.interval = to_ts(pt->interval_ns);
	v.value = to_ts(left);
	return v;
}

static long timer_settime_locked(const struct sys_args *a)
{
	struct ptimer *pt = ptimer_get((int)a->arg[0]);
	struct k_itimerspec nv, ov;
	uint64_t value, interval, now;

	if (!pt)
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&nv, fw_uptr(a->arg[2])))
		return -EFAULT;
	if (nv.value.tv_sec < 0 || nv.value.tv_nsec < 0 ||
	    nv.value.tv_nsec >= 1000000000 || nv.interval.tv_sec < 0 ||
	    nv.interval.tv_nsec < 0 || nv.interval.tv_nsec >= 1000000000)
		return -EINVAL;
	ov = ptimer_read(pt);
	if (pt->timer)
		(void)fw_timer_cancel(pt->timer);
	value = (uint64_t)nv.value.tv_sec * FW_NSEC_PER_SEC +
		(uint64_t)nv.value.tv_nsec;
	interval = (uint64_t)nv.interval.tv_sec * FW_NSEC_PER_SEC +
		   (uint64_t)nv.interval.tv_nsec;
	if (value && (a->arg[1] & TIMER_ABSTIME)) {
		/* An absolute time on the timer's clock, as a monotonic
		 * deadline (the realtime clock runs at the same rate). */
		uint64_t clock_now;
		(void)clock_read(pt->clock, &clock_now);
		value = value > clock_now ? value - clock_now : 1;
	}
	/* Read after the timer's clock, so the deadline is never early. A
	 * CPU-clock timer's deadline is on its own clock. */
	now = ptimer_now(pt);
	fw_irqflags_t fl = fw_spin_lock_irqsave(&pt->proc->lock);
	pt->pending = false; /* a queued signal of the old setting re-arms nothing */
	pt->interval_ns = interval;
	pt->overrun = 0;
	pt->deadline_ns = value ? now + value : 0;
	fw_spin_unlock_irqrestore(&pt->proc->lock, fl);
	if (value && pt->timer)
		fw_timer_arm(pt->timer, pt->deadline_ns);
	if (a->arg[3] && FW_COPY_OUT_OBJ(fw_uptr(a->arg[3]), &ov))
		return -EFAULT;
	return 0;
}

static long timer_gettime_locked(const struct sys_args *a)
{
	struct ptimer *pt = ptimer_get((int)a->arg[0]);
	struct k_itimerspec v;

	if (!pt)
		return -EINVAL;
	v = ptimer_read(pt);
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[1]), &v) ? -EFAULT : 0;
}

static long timer_getoverrun_locked(const struct sys_args *a)
{
	struct ptimer *pt = ptimer_get((int)a->arg[0]);
	return pt ? (long)pt->overrun : -EINVAL;
}

/* Free a timer already out of p's table. */
static void ptimer_free(struct proc *p, struct ptimer *pt)
{
	if (pt->cpu)
		__atomic_sub_fetch(&p->cpu_timers, 1, __ATOMIC_RELAXED);
	fw_timer_destroy(pt->timer);
	fw_free(pt);
}

static long timer_delete_locked(const struct sys_args *a)
{
	struct proc *p = proc_current();
	struct ptimer *pt = ptimer_get((int)a->arg[0]);
	fw_irqflags_t fl;

	if (!pt)
		return -EINVAL;
	fl = fw_spin_lock_irqsave(&p->lock);
	p->timers[pt->id] = 0;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	ptimer_free(p, pt);
	return 0;
}

/* The timer_* calls of one process, one at a time: two threads must not
 * have one delete a timer the other is setting. */
static long timers_serialized(long (*call)(const struct sys_args *),
			      const struct sys_args *a)
{
	struct proc *p = proc_current();
	long r;

	fw_mutex_lock(&p->timers_mutex);
	r = call(a);
	fw_mutex_unlock(&p->timers_mutex);
	return r;
}

static long sys_timer_create(const struct sys_args *a)
{
	return timers_serialized(timer_create_locked, a);
}

static long sys_timer_settime(const struct sys_args *a)
{
	return timers_serialized(timer_settime_locked, a);
}

static long sys_timer_gettime(const struct sys_args *a)
{
	return timers_serialized(timer_gettime_locked, a);
}

static long sys_timer_getoverrun(const struct sys_args *a)
{
	return timers_serialized(timer_getoverrun_locked, a);
}

static long sys_timer_delete(const struct sys_args *a)
{
	return timers_serialized(timer_delete_locked, a);
}

/* At exit and exec: POSIX timers do not survive (timer_create(2)). */
void proc_timers_delete_all(struct proc *p)
{
	fw_mutex_lock(&p->timers_mutex);
	for (int i = 0; i < NTIMERS; i++) {
		struct ptimer *pt = p->timers[i];
		fw_irqflags_t fl;

		if (!pt)
			continue;
		/* Out of the table first, so a delivery cannot re-arm it. */
		fl = fw_spin_lock_irqsave(&p->lock);
		p->timers[i] = 0;
		fw_spin_unlock_irqrestore(&p->lock, fl);
		ptimer_free(p, pt);
	}
	fw_mutex_unlock(&p->timers_mutex);
}

/* Due timers on CPU clocks: the signal (or, while the last one still
 * waits, one more overrun), and the deadline a period on, or off. */
void ptimers_cpu_check(struct proc *p)
{
	fw_mutex_lock(&p->timers_mutex);
	for (int i = 0; i < NTIMERS; i++) {
		struct ptimer *pt = p->timers[i];
		uint64_t now, missed;
		bool send;
		fw_irqflags_t fl;

		if (!pt || !pt->cpu || !pt->deadline_ns ||
		    clock_read(pt->clock, &now))
			continue;
		send = pt->notify != SIGEV_NONE &&
		       !signal_is_ignored(p, pt->signo);
		fl = fw_spin_lock_irqsave(&p->lock);
		if (!pt->deadline_ns || now < pt->deadline_ns) {
			fw_spin_unlock_irqrestore(&p->lock, fl);
			continue;
		}
		missed = pt->interval_ns ? (now - pt->deadline_ns) / pt->interval_ns : 0;
		pt->deadline_ns = pt->interval_ns
					  ? pt->deadline_ns + (missed + 1) * pt->interval_ns
					  : 0;
		if (pt->pending) {
			missed += 1 + pt->overrun;
			send = false;
		}
		/* DELAYTIMER_MAX is INT_MAX, as Linux. */
		pt->overrun = missed > 0x7fffffff ? 0x7fffffff : (uint32_t)missed;
		if (send)
			pt->pending = true;
		fw_spin_unlock_irqrestore(&p->lock, fl);
		if (send)
			ptimer_send(pt);
	}
	fw_mutex_unlock(&p->timers_mutex);
}

/* --- adjtimex(2): the kernel clock's discipline, read only --------------- */

/* struct timex, x86-64 layout. */
struct k_timex {
	uint32_t modes;
	int32_t pad0;
	int64_t offset, freq, maxerror, esterror;
	int32_t status, pad1;
	int64_t constant, precision, tolerance;
	struct k_timeval time;
	int64_t tick, ppsfreq, jitter;
	int32_t shift, pad2;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t pad3[11];
};
FW_STATIC_ASSERT(sizeof(struct k_timex) == 208, "struct timex");

#define ADJ_OFFSET_SINGLESHOT 0x0001
#define ADJ_TICK 0x4000
#define ADJ_ADJTIME 0x8000 /* adjtime(3): with SINGLESHOT */
#define ADJ_OFFSET_READONLY 0x2000
#define STA_UNSYNC 0x0040
#define TIME_ERROR 5
#define NTP_PHASE_LIMIT_US 16000000 /* maxerror and esterror, unsynced */
#define MAXFREQ_SCALED (500ll << 16) /* 500 ppm, 16-bit fraction */

/* Nothing disciplines this kernel's clock (no NTP in the kernel, and the
 * wall clock is the RTC read at boot plus the TSC): adjtimex reports
 * what Linux reports for a clock never synchronized, TIME_ERROR with
 * STA_UNSYNC, and changing it is not supported (EOPNOTSUPP, after
 * Linux's own permission and argument checks). */
static long adjtimex_common(fw_uptr_t u)
{
	struct k_timex tx;
	uint64_t now;
	uint32_t m;

	if (FW_COPY_IN_OBJ(&tx, u))
		return -EFAULT;
	m = tx.modes;
	if (m & ADJ_ADJTIME) {
		if (!(m & ADJ_OFFSET_SINGLESHOT))
			return -EINVAL;
		if (!(m & ADJ_OFFSET_READONLY) &&
		    !cred_capable(&proc_current()->cred, CAP_SYS_TIME))
			return -EPERM;
	} else {
		if (m && !cred_capable(&proc_current()->cred, CAP_SYS_TIME))
			return -EPERM;
		if ((m & ADJ_TICK) && (tx.tick < 9000 || tx.tick > 11000))
			return -EINVAL; /* 900000/USER_HZ..1100000/USER_HZ */
	}
	/* Reading, or adjtime(3) cancelling an adjustment (a zero offset:
	 * none is ever in progress here), is all that can be done. */
	if (m && !((m & ADJ_ADJTIME) &&
		   ((m & ADJ_OFFSET_READONLY) || tx.offset == 0)))
		return -EOPNOTSUPP;
	now = fw_time_realtime_ns();
	tx = (struct k_timex){ 0 };
	tx.maxerror = NTP_PHASE_LIMIT_US;
	tx.esterror = NTP_PHASE_LIMIT_US;
	tx.status = STA_UNSYNC;
	tx.constant = 2;
	tx.precision = 1;
	tx.tolerance = MAXFREQ_SCALED;
	tx.time.tv_sec = (int64_t)(now / FW_NSEC_PER_SEC);
	tx.time.tv_usec = (int64_t)(now % FW_NSEC_PER_SEC / 1000);
	tx.tick = 10000; /* microseconds per USER_HZ tick */
	tx.modes = m;
	if (FW_COPY_OUT_OBJ(u, &tx))
		return -EFAULT;
	return TIME_ERROR;
}

static long sys_adjtimex(const struct sys_args *a)
{
	return adjtimex_common(fw_uptr(a->arg[0]));
}

/* Only the wall clock has a discipline (Linux: EOPNOTSUPP for the others,
 * EINVAL for a clock that does not exist). */
static long sys_clock_adjtime(const struct sys_args *a)
{
	int clk = (int)a->arg[0];
	uint64_t ns;

	if (clock_read(clk, &ns))
		return -EINVAL;
	if (clk != CLOCK_REALTIME)
		return -EOPNOTSUPP;
	return adjtimex_common(fw_uptr(a->arg[1]));
}

static const struct sys_entry time_syscalls[] = {
	{ __NR_restart_syscall, "restart_syscall", sys_restart_syscall },
	{ __NR_timer_create, "timer_create", sys_timer_create },
	{ __NR_timer_settime, "timer_settime", sys_timer_settime },
	{ __NR_timer_gettime, "timer_gettime", sys_timer_gettime },
	{ __NR_timer_getoverrun, "timer_getoverrun", sys_timer_getoverrun },
	{ __NR_timer_delete, "timer_delete", sys_timer_delete },
	{ __NR_clock_gettime, "clock_gettime", sys_clock_gettime },
	{ __NR_clock_getres, "clock_getres", sys_clock_getres },
	{ __NR_gettimeofday, "gettimeofday", sys_gettimeofday },
	{ __NR_adjtimex, "adjtimex", sys_adjtimex },
	{ __NR_clock_adjtime, "clock_adjtime", sys_clock_adjtime },
	{ __NR_time, "time", sys_time },
	{ __NR_nanosleep, "nanosleep", sys_nanosleep },
	{ __NR_clock_nanosleep, "clock_nanosleep", sys_clock_nanosleep },
	{ __NR_alarm, "alarm", sys_alarm },
	{ __NR_getitimer, "getitimer", sys_getitimer },
	{ __NR_setitimer, "setitimer", sys_setitimer },
};

void time_syscalls_init(void)
{
	SYSCALL_REGISTER_TABLE(time_syscalls);
}
