/* services/sched/rr.c: the scheduling policy: per-CPU round robin.
 *
 * Layer: services (safe C). Each CPU has a FIFO of runnable tasks; a task
 * runs for a slice (SLICE_NS scaled by its nice value's weight), then
 * goes to the back of its queue. New and
 * woken tasks go to the CPU with the shortest queue among those their
 * affinity allows (preferring the waker's CPU on a tie, for cache
 * warmth). The framework calls every hook with the
 * CPU's run-queue lock held and interrupts off (fw/sched.h), so the queues
 * need no lock of their own; `queued` is also read racily by select_cpu,
 * which only needs a hint. */
#include <fw/cpu.h>
#include <fw/list.h>
#include <fw/panic.h>
#include <fw/sched.h>
#include <fw/task.h>
#include <fw/time.h>
#include "sched.h"

#define SLICE_NS (10 * FW_NSEC_PER_MSEC)

/* Linux's CFS load weight of each nice value (sched_prio_to_weight):
 * nice 0 is 1024, and each step is about 1.25x. Here a task's slice is
 * SLICE_NS scaled by its weight, within [1 ms, 800 ms] (the range of the
 * O(1) scheduler's slices), so a nice task yields the CPU sooner and a
 * favoured one keeps it longer; with 4 ms ticks the shortest slices all
 * end at the first tick. */
static const uint32_t nice_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
	1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
	110,   87,    70,    56,    45,    36,    29,    23,    18,    15,
};

uint64_t sched_slice_ns(int nice)
{
	uint64_t ns;

	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	ns = SLICE_NS * nice_weight[nice + 20] / 1024;
	return ns < FW_NSEC_PER_MSEC ? FW_NSEC_PER_MSEC
	       : ns > 800 * FW_NSEC_PER_MSEC ? 800 * FW_NSEC_PER_MSEC : ns;
}

static uint64_t slice_for(const struct fw_sched_entity *se)
{
	return sched_slice_ns(__atomic_load_n(&se->nice, __ATOMIC_RELAXED));
}

struct rr_queue {
	struct fw_list tasks; /* fw_sched_entity.node, FIFO */
	unsigned queued;      /* length of tasks */
};

static struct rr_queue queues[FW_MAX_CPUS];

static unsigned rr_select_cpu(struct fw_task *t, unsigned waker_cpu)
{
	uint64_t allowed = fw_task_affinity(t);
	unsigned best = FW_MAX_CPUS, best_load = ~0u;

	/* The waker's CPU first, so it wins a tie. */
	if ((allowed >> waker_cpu) & 1) {
		best = waker_cpu;
		best_load = __atomic_load_n(&queues[waker_cpu].queued,
					    __ATOMIC_RELAXED);
	}
	for (unsigned cpu = 0; cpu < fw_cpu_count(); cpu++) {
		unsigned load = __atomic_load_n(&queues[cpu].queued,
						__ATOMIC_RELAXED);
		if (((allowed >> cpu) & 1) && load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	return best; /* FW_MAX_CPUS if none: the framework picks one */
}

static void rr_enqueue(unsigned cpu, struct fw_task *t)
{
	struct fw_sched_entity *se = fw_task_sched(t);

	FW_ASSERT(fw_list_empty(&se->node));
	se->slice_left_ns = slice_for(se);
	fw_list_add_tail(&queues[cpu].tasks, &se->node);
	__atomic_store_n(&queues[cpu].queued, queues[cpu].queued + 1,
			 __ATOMIC_RELAXED);
}

static void rr_dequeue(unsigned cpu, struct fw_task *t)
{
	fw_list_del(&fw_task_sched(t)->node);
	__atomic_store_n(&queues[cpu].queued, queues[cpu].queued - 1,
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
	.dequeue = rr_dequeue,
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
