/* services/proc/cputime.c: CPU time of threads and processes.
 *
 * Layer: services (safe C), processes. The framework measures each task's
 * CPU time and the part spent in user mode (fw_task_runtime_ns,
 * fw_task_user_ns); the rest is system time. A process adds up its live
 * threads and keeps the totals of the exited ones; when a child is reaped
 * its times, with its own reaped children's, go to the parent's children
 * totals (Linux's cutime/cstime, getrusage(RUSAGE_CHILDREN)). */
#include "proc/proc.h"
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
