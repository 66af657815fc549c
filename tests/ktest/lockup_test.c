/* tests/ktest/lockup_test.c: the soft-lockup detector and timer storms.
 *
 * Layer: kernel tests, with framework privileges (they lower the
 * detector's threshold for a moment). */
#include <fw/cpu.h>
#include <fw/ktest.h>
#include <fw/task.h>
#include <fw/time.h>
#include "internal/task.h"

static void waiter(int *ran)
{
	__atomic_store_n(ran, 1, __ATOMIC_RELEASE);
}

/* Spin for ns by the clock; preemption as the caller left it. */
static void spin_for(uint64_t ns)
{
	uint64_t t0 = fw_time_ns();

	while (fw_time_ns() - t0 < ns)
		fw_cpu_relax();
}

FW_KTEST(soft_lockup_reported_only_when_others_wait)
{
	uint64_t old = lockup_set_threshold(300 * FW_NSEC_PER_MSEC);
	uint64_t before = lockup_report_count();
	struct fw_task *t;
	int ran = 0, code;

	/* Preemptible: the tick switches to the waiter, nothing to report. */
	FW_KT_CHECK(FW_TASK_SPAWN("waiter", waiter, &ran, (int)fw_cpu_id(), &t) == 0);
	spin_for(600 * FW_NSEC_PER_MSEC);
	FW_KT_CHECK(fw_task_join(t, &code) == 0);
	FW_KT_CHECK(__atomic_load_n(&ran, __ATOMIC_ACQUIRE) == 1);
	FW_KT_CHECKF(lockup_report_count() == before,
		     "a preemptible spin was reported as a lockup");

	/* Not preemptible, a task waiting for this CPU: one report. */
	ran = 0;
	fw_preempt_disable();
	FW_KT_CHECK(FW_TASK_SPAWN("waiter", waiter, &ran, (int)fw_cpu_id(), &t) == 0);
	spin_for(900 * FW_NSEC_PER_MSEC);
	FW_KT_CHECK(__atomic_load_n(&ran, __ATOMIC_ACQUIRE) == 0);
	fw_preempt_enable();
	FW_KT_CHECK(fw_task_join(t, &code) == 0);
	FW_KT_CHECK(ran == 1);
	FW_KT_CHECKF(lockup_report_count() == before + 1,
		     "%llu reports of one lockup (expected 1)",
		     (unsigned long long)(lockup_report_count() - before));
	lockup_set_threshold(old);
}

/* A timer that re-arms itself in the past on every expiry must not hold
 * the CPU in interrupt context: the task beside it keeps running. */
struct storm {
	struct fw_timer *timer;
	uint64_t fires;
	bool stop;
};

static void storm_fire(struct storm *s)
{
	__atomic_add_fetch(&s->fires, 1, __ATOMIC_RELEASE);
	if (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		fw_timer_arm(s->timer, 0);
}

FW_KTEST(timer_rearming_in_the_past_leaves_time_for_tasks)
{
	static struct storm s;
	uint64_t sum = 0;

	s = (struct storm){ 0 };
	FW_KT_CHECK(FW_TIMER_CREATE(storm_fire, &s, &s.timer) == 0);
	fw_timer_arm(s.timer, 0);
	/* Wait for a state, not a time: the task does a fixed amount of
	 * work and goes on until the storm has fired many times (with
	 * expiries taken at the tick, that takes a few ticks; one interrupt
	 * may also run 64 of them before the loop starts). A CPU held by
	 * the storm in interrupt context never finishes, and the boot's
	 * deadline reports the hang. */
	for (int i = 0; i < 20000 || __atomic_load_n(&s.fires, __ATOMIC_ACQUIRE) < 50; i++)
		sum += fw_time_ns() & 1;
	__atomic_store_n(&s.stop, true, __ATOMIC_RELEASE);
	fw_timer_destroy(s.timer);
	FW_KT_CHECK(s.fires >= 50);
}
