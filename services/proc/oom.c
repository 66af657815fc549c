/* services/proc/oom.c: the out-of-memory killer (Linux's mm/oom_kill.c).
 *
 * Layer: services (safe C), proc. A user page fault that gets no frame,
 * after the frame allocator has had the reclaimer drop what it could, is
 * where Linux gives up on memory (pagefault_out_of_memory): it kills the
 * process whose death frees the most, and the faulting access runs again.
 * Failing the fault instead (SIGBUS) kills whoever was unlucky, most often
 * a small program beside the one that ate the memory.
 *
 * The victim is the live process with the most resident pages, weighted
 * by its oom_score_adj as Linux's oom_badness; init, a process already
 * exiting and one at OOM_SCORE_ADJ_MIN are never chosen. One victim at a
 * time: while the last one still holds its address space, a fault waits
 * for it instead of killing more (Linux's oom_evaluate_task aborts so);
 * one that has not let go after OOM_GRACE_NS is passed over, as Linux's
 * oom_reaper gives up on a victim it cannot reap. */
#include <fw/frame.h>
#include <fw/log.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/vmspace.h>
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/proc_internal.h"
#include "proc/signal.h"

#define OOM_GRACE_NS 2000000000ull /* 2 s for a victim to exit */
#define OOM_WAIT_NS 10000000ull    /* a fault's wait before it retries */

/* The last victim (proc_tree_lock): pid and creation time, so a pid used
 * again by a new process is not mistaken for it. */
static int victim_pid;
static uint64_t victim_start_ns;
static uint64_t victim_since_ns;

/* Resident pages of p, or -1 if it has no address space. */
static int64_t rss_pages(struct proc *p)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&p->lock);
	int64_t n = p->mm ? (int64_t)fw_vmspace_mapped_pages(p->mm->vs) : -1;

	fw_spin_unlock_irqrestore(&p->lock, fl);
	return n;
}

int64_t oom_badness(struct proc *p)
{
	int64_t rss;

	if (p->pid == 1 || p->zombie || p->exiting ||
	    p->oom_score_adj == OOM_SCORE_ADJ_MIN)
		return OOM_UNKILLABLE;
	rss = rss_pages(p);
	if (rss < 0)
		return OOM_UNKILLABLE;
	return rss + (int64_t)p->oom_score_adj * (int64_t)fw_frames_total() /
			     1000;
}

/* Is the last victim still holding memory, inside its grace time? */
static bool victim_pending(uint64_t now)
{
	struct proc *p = proc_find(victim_pid);

	return p && p->start_ns == victim_start_ns && !p->zombie &&
	       now - victim_since_ns < OOM_GRACE_NS;
}

bool oom_fault(struct thread *t)
{
	uint64_t now = fw_time_ns();
	struct proc *victim = NULL, *p;
	int64_t best = OOM_UNKILLABLE, rss;
	bool waiting;
	int cursor = 0;

	fw_spin_lock(&proc_tree_lock);
	waiting = victim_pending(now);
	while (!waiting && (p = proc_next(&cursor)) != NULL) {
		int64_t points = oom_badness(p);

		if (points != OOM_UNKILLABLE && points > best) {
			best = points;
			victim = p;
		}
	}
	if (victim) {
		rss = rss_pages(victim);
		victim_pid = victim->pid;
		victim_start_ns = victim->start_ns;
		victim_since_ns = now;
		fw_warn("Out of memory: Killed process %d (%s) rss:%llukB "
			"UID:%u oom_score_adj:%d (on a page fault of %s[%d])",
			victim->pid, victim->comm,
			(unsigned long long)(rss > 0 ? rss : 0) * (FW_PAGE_SIZE / 1024),
			victim->cred.uid, victim->oom_score_adj, t->proc->comm,
			t->proc->pid);
		(void)signal_send_proc(victim, SIGKILL, 0);
	}
	fw_spin_unlock(&proc_tree_lock);
	if (!waiting && !victim)
		return false; /* nobody to kill: the fault fails */
	/* Let the victim run and free its memory; the access then runs
	 * again (at once if the victim was this process: it dies first). */
	if (victim != t->proc)
		fw_sleep_ns(OOM_WAIT_NS);
	return true;
}
