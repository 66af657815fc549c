/* tests/ktest/sched_test.c: in-kernel tests of tasks, timers and locks.
 *
 * Layer: kernel tests, using only the public framework API (fw/...). */
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/ktest.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>

/* --- timers fire in deadline order, never early ------------------------ */
#define NTIMERS 6
struct timer_probe {
	struct fw_timer *timer;
	uint64_t deadline;
	uint64_t fired_at;
	int order;
};
static struct timer_probe probes[NTIMERS];
static int fired_count;

static void probe_fire(struct timer_probe *p)
{
	p->fired_at = fw_time_ns();
	p->order = __atomic_fetch_add(&fired_count, 1, __ATOMIC_RELAXED);
}

FW_KTEST(timers_fire_in_order)
{
	static const int delays_ms[NTIMERS] = { 25, 5, 15, 10, 30, 20 };
	uint64_t now = fw_time_ns();

	fired_count = 0;
	for (int i = 0; i < NTIMERS; i++) {
		FW_KT_CHECK(FW_TIMER_CREATE(probe_fire, &probes[i],
					    &probes[i].timer) == 0);
		probes[i].deadline = now + delays_ms[i] * FW_NSEC_PER_MSEC;
		fw_timer_arm(probes[i].timer, probes[i].deadline);
	}
	/* A cancelled timer never fires. */
	struct timer_probe never = { 0 };
	FW_KT_CHECK(FW_TIMER_CREATE(probe_fire, &never, &never.timer) == 0);
	fw_timer_arm(never.timer, now + 12 * FW_NSEC_PER_MSEC);
	FW_KT_CHECK(fw_timer_cancel(never.timer));
	/* Wait for the state, with a generous deadline (TCG is slow). */
	for (uint64_t end = fw_time_ns() + 10 * FW_NSEC_PER_SEC;
	     __atomic_load_n(&fired_count, __ATOMIC_ACQUIRE) < NTIMERS &&
	     fw_time_ns() < end;)
		fw_sleep_ns(5 * FW_NSEC_PER_MSEC);
	FW_KT_CHECKF(fired_count == NTIMERS, "%d of %d fired", fired_count, NTIMERS);
	FW_KT_CHECK(never.fired_at == 0);
	fw_timer_destroy(never.timer);
	for (int i = 0; i < NTIMERS; i++)
		fw_timer_destroy(probes[i].timer);
	for (int i = 0; i < NTIMERS; i++) {
		int expect = 0;
		for (int k = 0; k < NTIMERS; k++)
			expect += delays_ms[k] < delays_ms[i];
		FW_KT_CHECKF(probes[i].order == expect, "timer %d fired #%d, expected #%d",
			     i, probes[i].order, expect);
		FW_KT_CHECKF(probes[i].fired_at >= probes[i].deadline,
			     "timer %d fired %llu ns early", i,
			     (unsigned long long)(probes[i].deadline - probes[i].fired_at));
	}
}

FW_KTEST(sleep_is_at_least_requested)
{
	uint64_t t0 = fw_time_ns();
	fw_sleep_ns(20 * FW_NSEC_PER_MSEC);
	uint64_t dt = fw_time_ns() - t0;
	FW_KT_CHECKF(dt >= 20 * FW_NSEC_PER_MSEC, "slept only %llu ns",
		     (unsigned long long)dt);
	FW_KT_CHECKF(dt < 500 * FW_NSEC_PER_MSEC, "slept %llu ns",
		     (unsigned long long)dt);
}

/* --- 100 tasks, preempted, spread over every CPU, joined ---------------- */
#define NTASKS 100
struct spinner {
	int index;
	unsigned cpus_seen; /* bitmask of CPUs it ran on */
	uint64_t work;
};
static struct spinner spinners[NTASKS];

static void spin_task(struct spinner *s)
{
	/* Busy for ~30 ms without ever yielding: only preemption lets the
	 * other 99 tasks run. */
	uint64_t end = fw_time_ns() + 30 * FW_NSEC_PER_MSEC;
	/* do-while: a task preempted for the whole 30 ms right after
	 * computing `end` (a loaded host) still counts as having run. */
	do {
		s->cpus_seen |= 1u << (fw_cpu_id() & 31);
		s->work++;
	} while (fw_time_ns() < end);
	fw_task_exit(s->index + 1000);
}

FW_KTEST(hundred_tasks_preempted_and_joined)
{
	struct fw_task *tasks[NTASKS];
	unsigned cpus = 0;
	uint64_t preempted = 0;

	for (int i = 0; i < NTASKS; i++) {
		spinners[i] = (struct spinner){ .index = i };
		FW_KT_CHECK(FW_TASK_SPAWN("spinner", spin_task, &spinners[i], -1,
					  &tasks[i]) == 0);
	}
	for (int i = 0; i < NTASKS; i++) {
		int code = -1;
		preempted += fw_task_preemptions(tasks[i]);
		FW_KT_CHECK(fw_task_join(tasks[i], &code) == 0);
		FW_KT_CHECKF(code == i + 1000, "task %d exit code %d", i, code);
		FW_KT_CHECK(spinners[i].work > 0);
		cpus |= spinners[i].cpus_seen;
	}
	FW_KT_CHECKF(preempted > 0, "no task was ever preempted");
	FW_KT_CHECKF(__builtin_popcount(cpus) == (int)fw_cpu_count(),
		     "tasks ran on CPU mask %#x, expected all %u CPUs", cpus,
		     fw_cpu_count());
}

/* --- a counter under a spinlock from every CPU ends exact --------------- */
#define INCREMENTS 50000
static struct fw_spinlock counter_lock = FW_SPINLOCK_INIT("ktest-counter");
static uint64_t counter;

static void count_task(struct fw_spinlock *l)
{
	for (int i = 0; i < INCREMENTS; i++) {
		fw_spin_lock(l);
		uint64_t v = counter; /* a non-atomic read-modify-write */
		fw_cpu_relax();
		counter = v + 1;
		fw_spin_unlock(l);
	}
}

FW_KTEST(spinlock_counter_exact_on_all_cpus)
{
	struct fw_task *t[FW_MAX_CPUS * 2];
	unsigned n = fw_cpu_count() * 2;

	counter = 0;
	for (unsigned i = 0; i < n; i++)
		FW_KT_CHECK(FW_TASK_SPAWN("counter", count_task, &counter_lock,
					  (int)(i % fw_cpu_count()), &t[i]) == 0);
	for (unsigned i = 0; i < n; i++)
		FW_KT_CHECK(fw_task_join(t[i], 0) == 0);
	FW_KT_CHECKF(counter == (uint64_t)n * INCREMENTS, "counter %llu, expected %llu",
		     (unsigned long long)counter,
		     (unsigned long long)n * INCREMENTS);
}

/* --- wait queues: wake_one wakes one, wake_all wakes the rest ----------- */
#define NWAITERS 8
struct gate {
	struct fw_waitq wq;
	int tickets; /* how many waiters may pass */
	int passed;
	struct fw_spinlock lock;
};
static struct gate gate;

static bool take_ticket(struct gate *g)
{
	bool ok = false;
	fw_spin_lock(&g->lock);
	if (g->tickets > 0) {
		g->tickets--;
		g->passed++;
		ok = true;
	}
	fw_spin_unlock(&g->lock);
	return ok;
}

static void waiter_task(struct gate *g)
{
	FW_WAIT_EVENT(&g->wq, take_ticket(g));
}

static int passed(struct gate *g)
{
	return __atomic_load_n(&g->passed, __ATOMIC_ACQUIRE);
}

FW_KTEST(waitqueue_wakeups)
{
	struct fw_task *t[NWAITERS];

	fw_waitq_init(&gate.wq, "ktest-gate");
	fw_spin_init(&gate.lock, "ktest-gate");
	gate.tickets = 0;
	gate.passed = 0;
	for (int i = 0; i < NWAITERS; i++)
		FW_KT_CHECK(FW_TASK_SPAWN("waiter", waiter_task, &gate, -1, &t[i]) == 0);
	fw_sleep_ns(20 * FW_NSEC_PER_MSEC);
	FW_KT_CHECK(passed(&gate) == 0); /* nobody passes without a ticket */

	fw_spin_lock(&gate.lock);
	gate.tickets = 1;
	fw_spin_unlock(&gate.lock);
	fw_waitq_wake_one(&gate.wq);
	for (int i = 0; i < 100 && passed(&gate) < 1; i++)
		fw_sleep_ns(FW_NSEC_PER_MSEC);
	fw_sleep_ns(10 * FW_NSEC_PER_MSEC);
	FW_KT_CHECKF(passed(&gate) == 1, "%d passed after one ticket", passed(&gate));

	fw_spin_lock(&gate.lock);
	gate.tickets = NWAITERS - 1;
	fw_spin_unlock(&gate.lock);
	fw_waitq_wake_all(&gate.wq);
	for (int i = 0; i < NWAITERS; i++)
		FW_KT_CHECK(fw_task_join(t[i], 0) == 0);
	FW_KT_CHECK(passed(&gate) == NWAITERS);
}

FW_KTEST(waitqueue_deadline_times_out)
{
	struct fw_waitq wq;
	int ret = 1;
	uint64_t t0 = fw_time_ns();

	fw_waitq_init(&wq, "ktest-timeout");
	FW_WAIT_EVENT_DEADLINE(&wq, false, t0 + 15 * FW_NSEC_PER_MSEC, ret);
	FW_KT_CHECK(ret == -ETIMEDOUT);
	FW_KT_CHECK(fw_time_ns() - t0 >= 15 * FW_NSEC_PER_MSEC);
}

/* --- a mutex serializes tasks that sleep inside it ---------------------- */
static struct fw_mutex mtx;
static int inside, max_inside;

static void mutex_task(struct fw_mutex *m)
{
	for (int i = 0; i < 5; i++) {
		fw_mutex_lock(m);
		int now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		if (now > max_inside)
			max_inside = now;
		fw_sleep_ns(FW_NSEC_PER_MSEC); /* sleeping with a mutex is fine */
		__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		fw_mutex_unlock(m);
	}
}

FW_KTEST(mutex_excludes)
{
	struct fw_task *t[4];

	fw_mutex_init(&mtx, "ktest-mutex");
	inside = max_inside = 0;
	for (int i = 0; i < 4; i++)
		FW_KT_CHECK(FW_TASK_SPAWN("mutex", mutex_task, &mtx, -1, &t[i]) == 0);
	for (int i = 0; i < 4; i++)
		FW_KT_CHECK(fw_task_join(t[i], 0) == 0);
	FW_KT_CHECKF(max_inside == 1, "%d tasks inside at once", max_inside);
}

/* --- a created task runs only once started; one discarded never runs -- */
static int created_ran;

static void created_task(int *ran)
{
	__atomic_add_fetch(ran, 1, __ATOMIC_SEQ_CST);
}

FW_KTEST(created_task_runs_only_when_started)
{
	struct fw_task *a, *b;

	created_ran = 0;
	FW_KT_CHECK(FW_TASK_CREATE("created", created_task, &created_ran, -1, &a) == 0);
	FW_KT_CHECK(FW_TASK_CREATE("discarded", created_task, &created_ran, -1, &b) == 0);
	fw_sleep_ns(10 * FW_NSEC_PER_MSEC); /* time it would have had to run */
	FW_KT_CHECKF(created_ran == 0, "ran %d times before start", created_ran);
	fw_task_discard(b);
	fw_task_start(a);
	FW_KT_CHECK(fw_task_join(a, 0) == 0);
	FW_KT_CHECKF(created_ran == 1, "ran %d times", created_ran);
}

FW_KTEST(monotonic_clock_advances)
{
	uint64_t a = fw_time_ns(), b;
	for (int i = 0; i < 1000; i++) {
		b = fw_time_ns();
		FW_KT_CHECK(b >= a);
		a = b;
	}
	/* The wall clock is after 2024-01-01 (the RTC was read). */
	FW_KT_CHECK(fw_time_realtime_ns() / FW_NSEC_PER_SEC > 1704067200ull);
}
