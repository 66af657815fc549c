/* services/proc/time/cputime.c: CPU time of threads and processes.
 *
 * Layer: services (safe C), processes. The framework measures each task's
 * CPU time and the part spent in user mode (fw_task_runtime_ns,
 * fw_task_user_ns); the rest is system time. A process adds up its live
 * threads and keeps the totals of the exited ones; when a child is reaped
 * its times, with its own reaped children's, go to the parent's children
 * totals (Linux's cutime/cstime, getrusage(RUSAGE_CHILDREN)).
 *
 * Timers on the CPU clocks (ITIMER_VIRTUAL, ITIMER_PROF, POSIX timers on
 * CPU clocks) are checked, as Linux checks them at the tick, whenever a
 * thread of their process passes through the kernel: every system call
 * and every tick (4 ms) of a thread running in user mode. */
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"
#include "proc/uapi.h"

void thread_times(const struct thread *t, uint64_t *utime, uint64_t *stime)
{
	uint64_t run = t->task ? fw_task_runtime_ns(t->task) : 0;
	uint64_t user = t->task ? fw_task_user_ns(t->task) : 0;

	/* Each is measured on its own clock reading: keep them consistent. */
	if (user > run)
		user = run;
	*utime = user;
	*stime = run - user;
}

void proc_times(struct proc *p, struct proc_times *out)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	struct thread *t;

	out->utime = p->utime_ns;
	out->stime = p->stime_ns;
	out->cutime = p->cutime_ns;
	out->cstime = p->cstime_ns;
	FW_LIST_FOR_EACH(t, &p->threads, proc_node) {
		uint64_t u, s;

		thread_times(t, &u, &s);
		out->utime += u;
		out->stime += s;
	}
	fw_spin_unlock_irqrestore(&p->lock, fl);
}

void rusage_times(struct k_rusage *ru, uint64_t utime, uint64_t stime)
{
	*ru = (struct k_rusage){ 0 };
	ru->utime.tv_sec = (int64_t)(utime / FW_NSEC_PER_SEC);
	ru->utime.tv_usec = (int64_t)(utime % FW_NSEC_PER_SEC / 1000);
	ru->stime.tv_sec = (int64_t)(stime / FW_NSEC_PER_SEC);
	ru->stime.tv_usec = (int64_t)(stime % FW_NSEC_PER_SEC / 1000);
}

/* --- ITIMER_VIRTUAL and ITIMER_PROF ----------------------------------- */

static const int itimer_signal[2] = { SIGVTALRM, SIGPROF };
/* Linux arms them one tick (4 ms at Debian's HZ=250) later than asked,
 * which getitimer shows: the check runs at ticks, so it is never early. */
#define ITIMER_TICK_NS 4000000ull

/* The clock itimer `which` runs on: user time, or user and system. */
static uint64_t itimer_clock(const struct proc_times *pt, int which)
{
	return which == 0 ? pt->utime : pt->utime + pt->stime;
}

void cpu_itimer_get(struct proc *p, int which, uint64_t *left,
		    uint64_t *interval)
{
	struct proc_times pt;
	fw_irqflags_t fl;
	uint64_t now;

	proc_times(p, &pt);
	now = itimer_clock(&pt, which);
	fl = fw_spin_lock_irqsave(&p->lock);
	*left = p->itimer_cpu_expires[which] > now
			? p->itimer_cpu_expires[which] - now
			: p->itimer_cpu_expires[which] ? 1 : 0;
	*interval = p->itimer_cpu_interval[which];
	fw_spin_unlock_irqrestore(&p->lock, fl);
}

void cpu_itimer_set(struct proc *p, int which, uint64_t value,
		    uint64_t interval, uint64_t *left, uint64_t *old_interval)
{
	struct proc_times pt;
	fw_irqflags_t fl;
	bool was, now_on = value != 0;

	cpu_itimer_get(p, which, left, old_interval);
	proc_times(p, &pt);
	fl = fw_spin_lock_irqsave(&p->lock);
	was = p->itimer_cpu_expires[which] != 0;
	p->itimer_cpu_expires[which] =
		value ? itimer_clock(&pt, which) + value + ITIMER_TICK_NS : 0;
	p->itimer_cpu_interval[which] = interval;
	fw_spin_unlock_irqrestore(&p->lock, fl);
	if (now_on != was)
		__atomic_add_fetch(&p->cpu_timers, now_on ? 1u : (uint32_t)-1,
				   __ATOMIC_RELAXED);
}

/* Due itimers: the signal, and the next expiry one interval on (Linux
 * adds the interval once; a timer far behind fires at each check). */
static void itimers_check(struct proc *p, const struct proc_times *pt)
{
	for (int which = 0; which < 2; which++) {
		uint64_t now = itimer_clock(pt, which);
		fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
		uint64_t exp = p->itimer_cpu_expires[which];
		bool fire = exp && now >= exp, off = false;

		if (fire) {
			uint64_t iv = p->itimer_cpu_interval[which];
			p->itimer_cpu_expires[which] = iv ? exp + iv : 0;
			off = !iv;
		}
		fw_spin_unlock_irqrestore(&p->lock, fl);
		if (off)
			__atomic_sub_fetch(&p->cpu_timers, 1, __ATOMIC_RELAXED);
		if (fire)
			(void)signal_send_proc(p, itimer_signal[which], 0);
	}
}

void cputimers_check(struct thread *t)
{
	struct proc *p = t->proc;
	struct proc_times pt;

	proc_times(p, &pt);
	itimers_check(p, &pt);
	ptimers_cpu_check(p);
}
