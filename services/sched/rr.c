/* services/sched/rr.c: the scheduling policy: per-CPU round robin.
 *
 * Layer: services (safe C). Each CPU has a FIFO of runnable tasks; a task
 * runs for a slice of SLICE_NS, then goes to the back of its queue. New and
 * woken tasks go to the CPU with the shortest queue (preferring the waker's
 * CPU on a tie, for cache warmth). The framework calls every hook with the
 * CPU's run-queue lock held and interrupts off (fw/sched.h), so the queues
 * need no lock of their own; `queued` is also read racily by select_cpu,
 * which only needs a hint. */
#include <fw/cpu.h>
#include <fw/list.h>
#include <fw/panic.h>
#include <fw/sched.h>
#include <fw/time.h>
#include "sched.h"

#define SLICE_NS (10 * FW_NSEC_PER_MSEC)

struct rr_queue {
	struct fw_list tasks; /* fw_sched_entity.node, FIFO */
	unsigned queued;      /* length of tasks */
};

static struct rr_queue queues[FW_MAX_CPUS];

static unsigned rr_select_cpu(struct fw_task *t, unsigned waker_cpu)
{
	unsigned best = waker_cpu;
	unsigned best_load = __atomic_load_n(&queues[waker_cpu].queued,
					     __ATOMIC_RELAXED);
	(void)t;
	for (unsigned cpu = 0; cpu < fw_cpu_count(); cpu++) {
		unsigned load = __atomic_load_n(&queues[cpu].queued,
						__ATOMIC_RELAXED);
		if (load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	return best;
}

static void rr_enqueue(unsigned cpu, struct fw_task *t)
{
	struct fw_sched_entity *se = fw_task_sched(t);

	FW_ASSERT(fw_list_empty(&se->node));
	se->slice_left_ns = SLICE_NS;
	fw_list_add_tail(&queues[cpu].tasks, &se->node);
	__atomic_store_n(&queues[cpu].queued, queues[cpu].queued + 1,
			 __ATOMIC_RELAXED);
}

static struct fw_task *rr_pick_next(unsigned cpu)
{
	struct fw_sched_entity *se =
		FW_LIST_FIRST(&queues[cpu].tasks, struct fw_sched_entity, node);

	if (!se)
		return 0;
	fw_list_del(&se->node);
	__atomic_store_n(&queues[cpu].queued, queues[cpu].queued - 1,
			 __ATOMIC_RELAXED);
	return fw_sched_entity_task(se);
}

static bool rr_tick(unsigned cpu, struct fw_task *curr, uint64_t ran_ns)
{
	struct fw_sched_entity *se = fw_task_sched(curr);

	if (ran_ns >= se->slice_left_ns) {
		se->slice_left_ns = 0;
		/* Preempt only if someone else is waiting for this CPU. */
		return queues[cpu].queued > 0;
	}
	se->slice_left_ns -= ran_ns;
	return false;
}

static unsigned rr_nr_queued(unsigned cpu)
{
	return queues[cpu].queued;
}

static const struct fw_sched_ops rr_ops = {
	.select_cpu = rr_select_cpu,
	.enqueue = rr_enqueue,
	.pick_next = rr_pick_next,
	.tick = rr_tick,
	.nr_queued = rr_nr_queued,
};

int sched_init(void)
{
	for (unsigned cpu = 0; cpu < FW_MAX_CPUS; cpu++)
		fw_list_init(&queues[cpu].tasks);
	return fw_sched_register(&rr_ops);
}
