/* framework/task/lockup.c: the soft-lockup detector.
 *
 * Layer: framework. A CPU is locked up when a task waits for it and it
 * does not switch for many seconds: the code it runs holds a spinlock or
 * has preemption off and does not let go (with interrupts off, the tick
 * itself stops, and nothing here can tell). The tick notes when a switch
 * was first wanted; the switch clears it; past the threshold the tick
 * reports once, with the task, the interrupted code and its backtrace,
 * as Linux's "watchdog: BUG: soft lockup - CPU#n stuck for ns!". It
 * reports, never stops anything: the lock may yet be let go.
 *
 * The threshold is Linux's: twice `watchdog_thresh=` (seconds, 10 by
 * default); 0 turns the detector off. */
#include <fw/boot.h>
#include <fw/log.h>
#include <fw/time.h>
#include "internal/panic.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/trap.h"

static uint64_t lockup_ns = 20 * FW_NSEC_PER_SEC;
static uint64_t lockup_reports;

void lockup_init(void)
{
	const char *v = fw_boot_opt("watchdog_thresh");
	uint64_t secs;

	if (!v)
		return;
	if (fw_boot_opt_u64("watchdog_thresh", &secs) || secs > 60) {
		fw_warn("watchdog_thresh=%s: not 0..60 seconds; keeping %llu",
			v, (unsigned long long)(lockup_ns / FW_NSEC_PER_SEC / 2));
		return;
	}
	lockup_ns = 2 * secs * FW_NSEC_PER_SEC;
}

void lockup_tick(struct percpu *c, bool switch_wanted, uint64_t now)
{
	const struct trapframe *tf = c->irq_tf;

	if (!switch_wanted || !lockup_ns)
		return;
	if (!c->switch_wanted_ns) {
		c->switch_wanted_ns = now;
		return;
	}
	if (c->lockup_reported || now - c->switch_wanted_ns < lockup_ns)
		return;
	c->lockup_reported = true;
	__atomic_add_fetch(&lockup_reports, 1, __ATOMIC_RELAXED);
	fw_warn("watchdog: soft lockup: CPU %u stuck for %llu ms in task %s "
		"(others wait for it)", (unsigned)c->id,
		(unsigned long long)((now - c->switch_wanted_ns) / FW_NSEC_PER_MSEC),
		fw_task_name(c->current));
	if (tf && !(tf->cs & 3))
		backtrace_print(tf->rip, tf->rbp);
}

uint64_t lockup_set_threshold(uint64_t ns)
{
	uint64_t old = lockup_ns;

	lockup_ns = ns;
	return old;
}

uint64_t lockup_report_count(void)
{
	return __atomic_load_n(&lockup_reports, __ATOMIC_RELAXED);
}
