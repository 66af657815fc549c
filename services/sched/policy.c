/* services/sched/policy.c: the scheduling policy: Linux's real-time
 * classes above a per-CPU fair queue of time-shared tasks.
 *
 * Layer: services (safe C). Each CPU has 99 FIFOs of real-time tasks, one
 * per priority (SCHED_FIFO and SCHED_RR, 1..99, higher first, as Linux's
 * rt_prio_array), and one queue of time-shared tasks (SCHED_OTHER, BATCH
 * and IDLE). The highest-priority real-time task runs; SCHED_FIFO until it
 * blocks, yields or a higher one comes, SCHED_RR for RR_SLICE_NS before
 * the next of its priority.
 *
 * Time-shared tasks are queued by virtual runtime, as Linux's CFS: the
 * CPU time a task used, scaled by 1024 / its nice value's weight, so the
 * one that had least of its share runs next. A task that slept comes back
 * at most SLEEP_CREDIT_NS behind the queue's minimum (a sleeper gets the
 * CPU soon, not a head start it could bank), a new one just ahead of it,
 * so a process that wakes or starts a task does not wait behind CPU hogs
 * for their slices; a running task keeps the CPU against a woken one until it
 * is WAKEUP_GRAN_NS ahead of it (Linux's wakeup granularity), and for at
 * most its slice (SLICE_NS scaled by its weight) while others wait.
 *
 * Real-time tasks may use at most RT_RUNTIME_NS of every RT_PERIOD_NS of
 * a CPU while time-shared tasks wait there (Linux's sched_rt_runtime_us,
 * 950 ms of each second): a real-time task that spins cannot take a CPU
 * from everything else for ever, the console and sshd keep answering.
 *
 * New and woken tasks go to the CPU with the shortest queue among those
 * their affinity allows (preferring the waker's CPU on a tie, for cache
 * warmth); a real-time task first to a CPU not running a real-time task
 * of its priority or higher. The framework calls every hook with the
 * CPU's run-queue lock held and interrupts off (fw/sched.h), so the queues
 * need no lock of their own; `queued` and `running_prio` are also read
 * racily by select_cpu, which only needs a hint. */
#include <fw/cpu.h>
#include <fw/list.h>
#include <fw/panic.h>
#include <fw/sched.h>
#include <fw/task.h>
#include <fw/time.h>
#include "sched.h"

#define SLICE_NS (10 * FW_NSEC_PER_MSEC)
#define RR_SLICE_NS (100 * FW_NSEC_PER_MSEC) /* Linux's sched_rr_timeslice */
#define RT_PERIOD_NS FW_NSEC_PER_SEC
#define RT_RUNTIME_NS (950 * FW_NSEC_PER_MSEC)
#define SLEEP_CREDIT_NS (SLICE_NS / 2)
#define WAKEUP_GRAN_NS FW_NSEC_PER_MSEC

/* Linux's CFS load weight of each nice value (sched_prio_to_weight):
 * nice 0 is 1024, and each step is about 1.25x. Here a task's slice is
 * SLICE_NS scaled by its weight, within [1 ms, 800 ms] (the range of the
 * O(1) scheduler's slices), so a nice task yields the CPU sooner and a
 * favoured one keeps it longer; with 4 ms ticks the shortest slices all
 * end at the first tick. SCHED_IDLE weighs 3 (WEIGHT_IDLEPRIO). */
static const uint32_t nice_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
	1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
	110,   87,    70,    56,    45,    36,    29,    23,    18,    15,
};
#define WEIGHT_IDLEPRIO 3

static uint64_t slice_of_weight(uint64_t weight)
{
	uint64_t ns = SLICE_NS * weight / 1024;

	return ns < FW_NSEC_PER_MSEC ? FW_NSEC_PER_MSEC
	       : ns > 800 * FW_NSEC_PER_MSEC ? 800 * FW_NSEC_PER_MSEC : ns;
}

static uint64_t weight_of(const struct fw_sched_entity *se)
{
	int nice = __atomic_load_n(&se->nice, __ATOMIC_RELAXED);

	if (__atomic_load_n(&se->klass, __ATOMIC_RELAXED) == SCHED_IDLE)
		return WEIGHT_IDLEPRIO;
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	return nice_weight[nice + 20];
}

uint64_t sched_slice_ns(int policy, int nice)
{
	if (policy == SCHED_RR)
		return RR_SLICE_NS;
	if (policy == SCHED_FIFO)
		return 0; /* no slice: runs until it blocks or yields */
	if (policy == SCHED_IDLE)
		return slice_of_weight(WEIGHT_IDLEPRIO);
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	return slice_of_weight(nice_weight[nice + 20]);
}

/* The real-time priority of a task: 1..99, or 0 if time-shared. */
static unsigned rt_prio(const struct fw_sched_entity *se)
{
	uint32_t k = __atomic_load_n(&se->klass, __ATOMIC_RELAXED);

	if (k != SCHED_FIFO && k != SCHED_RR)
		return 0;
	return __atomic_load_n(&se->prio, __ATOMIC_RELAXED);
}

/* A new slice; SCHED_FIFO's never ends (the value only needs to be
 * non-zero: zero means "done, to the back of the queue"). */
static void refill(struct fw_sched_entity *se)
{
	int klass = (int)__atomic_load_n(&se->klass, __ATOMIC_RELAXED);

	se->slice_left_ns = klass == SCHED_FIFO ? ~0ull :
		sched_slice_ns(klass, __atomic_load_n(&se->nice,
						      __ATOMIC_RELAXED));
}

struct cpu_queue {
	struct fw_list tasks;          /* time-shared, by vruntime */
	uint64_t min_vruntime;         /* never goes back (Linux's) */
	struct fw_list rt[SCHED_RT_PRIO_MAX + 1]; /* rt[p]: priority p */
	uint64_t rt_map[2];            /* bit p: rt[p] is not empty */
	unsigned queued;               /* tasks on all the lists */
	unsigned rt_queued;            /* of which real-time */
	struct fw_task *running;       /* the last pick_next answer */
	unsigned running_prio;         /* its real-time priority, or 0 */
	uint64_t rt_period_start;      /* throttling: this period began */
	uint64_t rt_time;              /* real-time ran this long in it */
};

static struct cpu_queue queues[FW_MAX_CPUS];

static void count(struct cpu_queue *q, unsigned prio, int delta)
{
	__atomic_store_n(&q->queued, q->queued + (unsigned)delta,
			 __ATOMIC_RELAXED);
	if (prio)
		q->rt_queued += (unsigned)delta;
}

/* The highest priority with a real-time task queued, or 0. */
static unsigned top_rt(const struct cpu_queue *q)
{
	if (q->rt_map[1])
		return 64 + 63 - (unsigned)__builtin_clzll(q->rt_map[1]);
	if (q->rt_map[0])
		return 63 - (unsigned)__builtin_clzll(q->rt_map[0]);
	return 0;
}

static void rt_map_update(struct cpu_queue *q, unsigned prio)
{
	uint64_t bit = 1ull << (prio % 64);

	if (fw_list_empty(&q->rt[prio]))
		q->rt_map[prio / 64] &= ~bit;
	else
		q->rt_map[prio / 64] |= bit;
}

/* Real-time tasks have had their share of this period (see the top). */
static bool rt_throttled(struct cpu_queue *q)
{
	uint64_t now = fw_time_ns();

	if (now - q->rt_period_start >= RT_PERIOD_NS) {
		q->rt_period_start = now;
		q->rt_time = 0;
	}
	return q->rt_time >= RT_RUNTIME_NS;
}

/* ---- the fair queue ------------------------------------------------------ */

/* a is before b in virtual time (wrap-safe, as Linux's entity_before). */
static bool vr_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* Account the CPU time se used since last seen (the framework keeps
 * runtime_ns; extra_ns is what it has not added yet, at a tick). */
static void charge(struct fw_sched_entity *se, uint64_t extra_ns)
{
	uint64_t used = se->runtime_ns + extra_ns;

	se->vruntime += (used - se->charged_ns) * 1024 / weight_of(se);
	se->charged_ns = used;
}

static struct fw_sched_entity *leftmost(struct cpu_queue *q)
{
	return FW_LIST_FIRST(&q->tasks, struct fw_sched_entity, node);
}

/* The minimum moves up to the smallest vruntime still here (the running
 * task's or the first queued one's), never down. */
static void update_min(struct cpu_queue *q, const struct fw_sched_entity *curr)
{
	struct fw_sched_entity *first = leftmost(q);
	uint64_t vr;

	if (!curr && !first)
		return;
	vr = !curr ? first->vruntime
	     : !first || vr_before(curr->vruntime, first->vruntime)
		     ? curr->vruntime : first->vruntime;
	if (vr_before(q->min_vruntime, vr)) /* read by other CPUs' moves */
		__atomic_store_n(&q->min_vruntime, vr, __ATOMIC_RELAXED);
}

/* Insert se in vruntime order, after those with the same key. From the
 * end nearer its key: requeued hogs go near the back, sleepers near the
 * front. */
static void fair_insert(struct cpu_queue *q, struct fw_sched_entity *se)
{
	struct fw_sched_entity *first = leftmost(q), *pos;

	if (!first || vr_before(se->vruntime, first->vruntime)) {
		fw_list_add_head(&q->tasks, &se->node);
		return;
	}
	FW_LIST_FOR_EACH_REVERSE(pos, &q->tasks, node)
		if (!vr_before(se->vruntime, pos->vruntime)) {
			fw_list_add_head(&pos->node, &se->node); /* after pos */
			return;
		}
	fw_list_add_head(&q->tasks, &se->node);
}

/* Where a time-shared task joins the queue (Linux's place_entity). */
static void fair_enqueue(unsigned cpu, struct cpu_queue *q, struct fw_task *t,
			 struct fw_sched_entity *se)
{
	charge(se, 0);
	if (se->vruntime_cpu != cpu) {
		/* Moved here: as far from this queue's minimum as it was
		 * from its old one's (Linux renormalizes on migration). */
		se->vruntime = se->vruntime -
			       __atomic_load_n(&queues[se->vruntime_cpu].min_vruntime,
					       __ATOMIC_RELAXED) +
			       q->min_vruntime;
		se->vruntime_cpu = cpu;
	}
	if (t == q->running) {
		/* Back from the CPU: preempted with slice left, it keeps its
		 * place; a used-up or yielded slice goes behind its peers. */
		if (!se->slice_left_ns) {
			struct fw_sched_entity *last = FW_LIST_LAST(
				&q->tasks, struct fw_sched_entity, node);
			if (last && vr_before(se->vruntime, last->vruntime))
				se->vruntime = last->vruntime;
			refill(se);
		}
	} else if (!se->runtime_ns) {
		/* New: just ahead of the minimum by more than the wakeup
		 * granularity, so it runs before the tasks there instead of
		 * waiting for the next tick (a thread or a child its parent
		 * waits for); no further, or a fork loop could crowd out the
		 * rest. */
		se->vruntime = q->min_vruntime - WAKEUP_GRAN_NS - 1;
		refill(se);
	} else {
		/* Woken: no further back than a sleeper's credit behind the
		 * minimum (its earlier lead, if any, it keeps). */
		uint64_t floor = q->min_vruntime - SLEEP_CREDIT_NS;
		if (vr_before(se->vruntime, floor))
			se->vruntime = floor;
		refill(se);
	}
	fair_insert(q, se);
}

/* The next time-shared task: the first in virtual time, unless the one
 * just preempted (still with slice left) is within the wakeup
 * granularity of it. */
static struct fw_sched_entity *fair_pick(struct cpu_queue *q)
{
	struct fw_sched_entity *first = leftmost(q), *prev;

	if (!first)
		return NULL;
	if (q->running && !q->running_prio) {
		prev = fw_task_sched(q->running);
		if (prev != first && !fw_list_empty(&prev->node) &&
		    !rt_prio(prev) && prev->slice_left_ns &&
		    !vr_before(first->vruntime + WAKEUP_GRAN_NS, prev->vruntime))
			return prev;
	}
	return first;
}

static unsigned rr_select_cpu(struct fw_task *t, unsigned waker_cpu)
{
	uint64_t allowed = fw_task_affinity(t);
	unsigned best = FW_MAX_CPUS, best_load = ~0u;
	uint32_t klass, prio;

	/* No run-queue lock here: the class through its getter. */
	fw_task_sched_class(t, &klass, &prio);
	if (klass != SCHED_FIFO && klass != SCHED_RR)
		prio = 0;

	/* The waker's CPU first, so it wins a tie. A real-time task counts
	 * a CPU running real-time work of its priority or higher as full. */
	for (unsigned i = 0; i <= fw_cpu_count(); i++) {
		unsigned cpu = i == 0 ? waker_cpu : i - 1;
		struct cpu_queue *q = &queues[cpu];
		unsigned load;

		if (cpu >= fw_cpu_count() || !((allowed >> cpu) & 1))
			continue;
		load = __atomic_load_n(&q->queued, __ATOMIC_RELAXED);
		if (prio && __atomic_load_n(&q->running_prio,
					    __ATOMIC_RELAXED) >= prio)
			load += 1u << 16;
		if (load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	return best; /* FW_MAX_CPUS if none: the framework picks one */
}

static void rr_enqueue(unsigned cpu, struct fw_task *t)
{
	struct fw_sched_entity *se = fw_task_sched(t);
	struct cpu_queue *q = &queues[cpu];
	unsigned prio = rt_prio(se);

	FW_ASSERT(fw_list_empty(&se->node));
	if (prio)
		se->charged_ns = se->runtime_ns; /* real-time: not in fair time */
	if (!prio) {
		fair_enqueue(cpu, q, t, se);
	} else if (t == q->running && se->slice_left_ns) {
		/* Preempted with its slice not used up: first of its
		 * priority again, as Linux keeps it at the head. */
		fw_list_add_head(&q->rt[prio], &se->node);
	} else {
		refill(se);
		fw_list_add_tail(&q->rt[prio], &se->node);
	}
	if (prio)
		rt_map_update(q, prio);
	count(q, prio, 1);
}

/* t's class is the one it was queued with: fw_task_set_sched_class
 * dequeues before it changes it. */
static void rr_dequeue(unsigned cpu, struct fw_task *t)
{
	struct fw_sched_entity *se = fw_task_sched(t);
	struct cpu_queue *q = &queues[cpu];
	unsigned prio = rt_prio(se);

	fw_list_del(&se->node);
	if (prio)
		rt_map_update(q, prio);
	count(q, prio, -1);
}

static struct fw_task *rr_pick_next(unsigned cpu)
{
	struct cpu_queue *q = &queues[cpu];
	unsigned prio = top_rt(q);
	struct fw_sched_entity *se;

	/* Time-shared tasks first only while real-time ones are throttled. */
	if (prio && !(rt_throttled(q) && !fw_list_empty(&q->tasks))) {
		se = FW_LIST_FIRST(&q->rt[prio], struct fw_sched_entity, node);
	} else {
		prio = 0;
		se = fair_pick(q);
	}
	q->running = se ? fw_sched_entity_task(se) : NULL;
	__atomic_store_n(&q->running_prio, prio, __ATOMIC_RELAXED);
	if (!se)
		return NULL;
	fw_list_del(&se->node);
	if (prio)
		rt_map_update(q, prio);
	else
		update_min(q, se);
	count(q, prio, -1);
	return q->running;
}

static bool rr_tick(unsigned cpu, struct fw_task *curr, uint64_t ran_ns)
{
	struct fw_sched_entity *se = fw_task_sched(curr);
	struct cpu_queue *q = &queues[cpu];
	unsigned prio = rt_prio(se);

	if (!prio) {
		/* Any real-time task waiting preempts a time-shared one. */
		if (q->rt_queued && !rt_throttled(q))
			return true;
		struct fw_sched_entity *first = leftmost(q);

		charge(se, ran_ns);
		update_min(q, se);
		if (ran_ns >= se->slice_left_ns) {
			se->slice_left_ns = 0;
			/* Preempt only if someone else is waiting here. */
			return q->queued > 0;
		}
		se->slice_left_ns -= ran_ns;
		/* A waiting task a granularity behind in virtual time. */
		return first && vr_before(first->vruntime + WAKEUP_GRAN_NS,
					  se->vruntime);
	}
	rt_throttled(q); /* starts a new period if one is over */
	q->rt_time += ran_ns;
	if (rt_throttled(q) && !fw_list_empty(&q->tasks))
		return true;
	if (top_rt(q) > prio)
		return true;
	if (se->klass != SCHED_RR)
		return false;
	if (ran_ns >= se->slice_left_ns) {
		se->slice_left_ns = 0; /* to the back of its priority */
		return top_rt(q) == prio;
	}
	se->slice_left_ns -= ran_ns;
	return false;
}

static unsigned rr_nr_queued(unsigned cpu)
{
	return queues[cpu].queued;
}

static const struct fw_sched_ops policy_ops = {
	.select_cpu = rr_select_cpu,
	.dequeue = rr_dequeue,
	.enqueue = rr_enqueue,
	.pick_next = rr_pick_next,
	.tick = rr_tick,
	.nr_queued = rr_nr_queued,
};

int sched_init(void)
{
	for (unsigned cpu = 0; cpu < FW_MAX_CPUS; cpu++) {
		fw_list_init(&queues[cpu].tasks);
		for (unsigned p = 0; p <= SCHED_RT_PRIO_MAX; p++)
			fw_list_init(&queues[cpu].rt[p]);
	}
	return fw_sched_register(&policy_ops);
}
