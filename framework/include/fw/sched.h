/* fw/sched.h: the scheduler hook. Policy lives in services/sched.
 *
 * Layer: framework public API. The framework calls these with the target
 * CPU's run-queue lock held and interrupts off, so a policy needs no locking
 * of its own for per-CPU state, and must not sleep or take other locks.
 * A task is handed to the policy by enqueue() when it becomes runnable and
 * taken back by pick_next(); the running task is not in the policy's queue. */
#ifndef FW_SCHED_H
#define FW_SCHED_H

#include <fw/compiler.h>
#include <fw/list.h>

struct fw_task;

/* Per-task data the policy owns, embedded in every task. */
struct fw_sched_entity {
	struct fw_list node;     /* the policy's run-queue link */
	uint64_t slice_left_ns;  /* time left in the current slice */
	uint64_t runtime_ns;     /* total CPU time consumed */
	int32_t nice;            /* -20..19 priority hint */
	uint32_t klass;          /* the policy's class for the task and the */
	uint32_t prio;           /* priority in it (fw_task_set_sched_class) */
	uint64_t vruntime;       /* the policy's fair-queue key, */
	uint32_t vruntime_cpu;   /* relative to this CPU's queue */
	uint64_t charged_ns;     /* runtime_ns the policy has accounted */
};

struct fw_sched_ops {
	/* Pick the CPU a newly runnable task should run on, among those its
	 * affinity allows (fw_task_affinity). Called without any run-queue
	 * lock; the answer is a hint and may be racy (the framework falls back
	 * to an allowed CPU if it names another). */
	unsigned (*select_cpu)(struct fw_task *t, unsigned waker_cpu);
	/* t became runnable on cpu. */
	void (*enqueue)(unsigned cpu, struct fw_task *t);
	/* Take t, queued on cpu and not running, out of the queue: its
	 * affinity no longer allows cpu (fw_task_set_affinity). */
	void (*dequeue)(unsigned cpu, struct fw_task *t);
	/* Remove and return the next task to run on cpu, or NULL (idle). */
	struct fw_task *(*pick_next)(unsigned cpu);
	/* curr ran for ran_ns more; return true to preempt it. */
	bool (*tick)(unsigned cpu, struct fw_task *curr, uint64_t ran_ns);
	/* Number of tasks queued on cpu (for load balancing and stats). */
	unsigned (*nr_queued)(unsigned cpu);
};

/* Install the policy; must be called once before the first task is
 * spawned. Returns -EBUSY if a policy is already installed. */
FW_MUST_CHECK int fw_sched_register(const struct fw_sched_ops *ops);

struct fw_sched_entity *fw_task_sched(struct fw_task *t);
struct fw_task *fw_sched_entity_task(struct fw_sched_entity *se);

#endif
