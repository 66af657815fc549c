/* framework/time/timer.c: per-CPU one-shot timers on the LAPIC timer.
 *
 * Layer: framework. Each CPU keeps its armed timers sorted by deadline and
 * programs the LAPIC for the earliest one, so timers fire when due rather
 * than on the next tick. The scheduler tick is itself such a timer,
 * re-armed every TICK_NS. Callbacks run with interrupts off and without the
 * list lock, so they may re-arm themselves. */
#include <fw/panic.h>
#include <fw/time.h>
#include "internal/lapic.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/time.h"

static struct fw_timer *running_timer[FW_MAX_CPUS];
static struct fw_timer tick_timer[FW_MAX_CPUS];

void fw__timer_init(struct fw_timer *t, fw__timer_fn fn, void *arg)
{
	fw_list_init(&t->node);
	t->fn = fn;
	t->arg = arg;
	t->cpu = 0;
	t->deadline_ns = 0;
}

/* Program this CPU's LAPIC for its earliest timer. Caller holds the lock. */
static void reprogram(struct percpu *c)
{
	struct fw_timer *first = FW_LIST_FIRST(&c->timers, struct fw_timer, node);
	uint64_t now = fw_time_ns();

	if (!first)
		return; /* the tick timer keeps the list non-empty when busy */
	lapic_timer_oneshot(first->deadline_ns > now ? first->deadline_ns - now
						     : 0);
}

/* Remove t from the list it is on; returns true if it was armed. */
static bool detach(struct fw_timer *t)
{
	for (;;) {
		int armed = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		if (armed == 0)
			return false;
		struct percpu *c = cpu_data((unsigned)(armed - 1));
		fw_irqflags_t fl = fw_spin_lock_irqsave(&c->timer_lock);
		if (t->cpu == armed) {
			fw_list_del(&t->node);
			t->cpu = 0;
			fw_spin_unlock_irqrestore(&c->timer_lock, fl);
			return true;
		}
		fw_spin_unlock_irqrestore(&c->timer_lock, fl);
	}
}

void fw_timer_arm(struct fw_timer *t, uint64_t deadline_ns)
{
	fw_irqflags_t fl;
	struct percpu *c;
	struct fw_timer *pos;

	(void)detach(t);
	fl = fw_irq_save();
	c = this_cpu();
	fw_spin_lock(&c->timer_lock);
	t->deadline_ns = deadline_ns;
	FW_LIST_FOR_EACH(pos, &c->timers, node)
		if (pos->deadline_ns > deadline_ns)
			break;
	fw_list_add_tail(&pos->node, &t->node); /* insert before pos */
	__atomic_store_n(&t->cpu, (int32_t)c->id + 1, __ATOMIC_RELEASE);
	if (c->timers.next == &t->node)
		reprogram(c);
	fw_spin_unlock(&c->timer_lock);
	fw_irq_restore(fl);
}

static bool running_elsewhere(const struct fw_timer *t)
{
	for (unsigned i = 0; i < FW_MAX_CPUS; i++)
		if (__atomic_load_n(&running_timer[i], __ATOMIC_ACQUIRE) == t &&
		    i != fw_cpu_id())
			return true;
	return false;
}

bool fw_timer_cancel(struct fw_timer *t)
{
	bool was = detach(t);

	/* Wait out a callback running on another CPU right now; it may
	 * re-arm itself (periodic timers), so detach again after it. */
	while (running_elsewhere(t)) {
		fw_cpu_relax();
		if (!running_elsewhere(t))
			was |= detach(t);
	}
	return was;
}

void timer_interrupt(void)
{
	struct percpu *c = this_cpu();
	uint64_t now = fw_time_ns();

	for (;;) {
		struct fw_timer *t;
		fw_spin_lock(&c->timer_lock);
		t = FW_LIST_FIRST(&c->timers, struct fw_timer, node);
		if (!t || t->deadline_ns > now) {
			reprogram(c);
			fw_spin_unlock(&c->timer_lock);
			return;
		}
		fw_list_del(&t->node);
		__atomic_store_n(&running_timer[c->id], t, __ATOMIC_RELEASE);
		__atomic_store_n(&t->cpu, 0, __ATOMIC_RELEASE);
		fw_spin_unlock(&c->timer_lock);
		t->fn(t->arg);
		__atomic_store_n(&running_timer[c->id], 0, __ATOMIC_RELEASE);
		now = fw_time_ns();
	}
}

static void tick(struct fw_timer *t)
{
	task_tick();
	fw_timer_arm(t, fw_time_ns() + TICK_NS);
}

void timer_start_tick(void)
{
	struct fw_timer *t = &tick_timer[fw_cpu_id()];
	FW_TIMER_INIT(t, tick, t);
	fw_timer_arm(t, fw_time_ns() + TICK_NS);
}
