/* framework/time/timer.c: per-CPU one-shot timers on the LAPIC timer.
 *
 * Layer: framework. Each CPU keeps its armed timers sorted by deadline and
 * programs the LAPIC for the earliest one, so timers fire when due rather
 * than on the next tick. The scheduler tick is itself such a timer,
 * re-armed every TICK_NS. Callbacks run with interrupts off and without the
 * list lock, so they may re-arm themselves.
 *
 * The lists link struct ktimer nodes, which only the framework places:
 * services hold struct fw_timer handles (framework heap objects with a
 * ktimer inside, checked on every call), so no service memory is ever on
 * a timer list. */
#include <fw/errno.h>
#include <fw/panic.h>
#include <fw/time.h>
#include "internal/handle.h"
#include "internal/heap.h"
#include "internal/lapic.h"
#include "internal/log.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/time.h"

static struct ktimer *running_timer[FW_MAX_CPUS];
static struct ktimer tick_timer[FW_MAX_CPUS];

void ktimer__init(struct ktimer *t, fw__timer_fn fn, void *arg)
{
	fw_list_init(&t->node);
	t->fn = fn;
	t->arg = arg;
	t->cpu = 0;
	t->deadline_ns = 0;
}

/* Program this CPU's LAPIC for its earliest timer, but not sooner than
 * min_ns from now. Caller holds the lock. */
static void reprogram(struct percpu *c, uint64_t min_ns)
{
	struct ktimer *first = FW_LIST_FIRST(&c->timers, struct ktimer, node);
	uint64_t now = fw_time_ns(), delta;

	if (!first)
		return; /* the tick timer keeps the list non-empty when busy */
	delta = first->deadline_ns > now ? first->deadline_ns - now : 0;
	lapic_timer_oneshot(delta > min_ns ? delta : min_ns);
}

/* Remove t from the list it is on; returns true if it was armed. */
static bool detach(struct ktimer *t)
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

void ktimer_arm(struct ktimer *t, uint64_t deadline_ns)
{
	fw_irqflags_t fl;
	struct percpu *c;
	struct ktimer *pos;

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
	/* Not from a callback: the interrupt programs the LAPIC when its
	 * callbacks are done, and a count programmed now could already
	 * have raised the next interrupt by then (pending, it would fire
	 * the moment the handler returns, whatever gap it then asks for). */
	if (c->timers.next == &t->node && !c->in_timer_interrupt)
		reprogram(c, 0);
	fw_spin_unlock(&c->timer_lock);
	fw_irq_restore(fl);
}

static bool running_elsewhere(const struct ktimer *t)
{
	for (unsigned i = 0; i < FW_MAX_CPUS; i++)
		if (__atomic_load_n(&running_timer[i], __ATOMIC_ACQUIRE) == t &&
		    i != fw_cpu_id())
			return true;
	return false;
}

bool ktimer_cancel(struct ktimer *t)
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

/* One interrupt runs the timers due when it began, at most TIMER_BUDGET
 * of them, and the next comes no sooner than this one took (and no
 * sooner than TIMER_STORM_GAP_NS after a storm): a callback
 * that re-arms itself in the past (a periodic timer of 1 ns) or a flood
 * of due timers leaves the CPU to tasks at least half the time instead
 * of holding it in interrupt context for ever (Linux's hrtimer_interrupt
 * backs off the same way when it finds itself "hanging"). */
#define TIMER_BUDGET 64
#define TIMER_MIN_GAP_NS 2000ull
/* After an interrupt that ran out of budget with timers still due (a
 * storm), the next waits at least this long: where taking an interrupt
 * costs far more than the handler measures (under an emulator, entering
 * and leaving it), a gap of the handler's own time left the interrupted
 * task almost nothing, and a ktest of exactly this starved in CI. */
#define TIMER_STORM_GAP_NS (1000ull * 1000)

void timer_interrupt(void)
{
	struct percpu *c = this_cpu();
	uint64_t start = fw_time_ns();

	c->in_timer_interrupt = true;
	for (unsigned n = 0;; n++) {
		struct ktimer *t;
		fw_spin_lock(&c->timer_lock);
		t = FW_LIST_FIRST(&c->timers, struct ktimer, node);
		if (!t || t->deadline_ns > start || n == TIMER_BUDGET) {
			uint64_t spent = fw_time_ns() - start;
			uint64_t gap = n == TIMER_BUDGET ? TIMER_STORM_GAP_NS
							 : TIMER_MIN_GAP_NS;

			reprogram(c, spent > gap ? spent : gap);
			c->in_timer_interrupt = false;
			fw_spin_unlock(&c->timer_lock);
			return;
		}
		fw_list_del(&t->node);
		__atomic_store_n(&running_timer[c->id], t, __ATOMIC_RELEASE);
		__atomic_store_n(&t->cpu, 0, __ATOMIC_RELEASE);
		fw_spin_unlock(&c->timer_lock);
		t->fn(t->arg);
		__atomic_store_n(&running_timer[c->id], 0, __ATOMIC_RELEASE);
	}
}

static void tick(struct ktimer *t)
{
	if (fw_cpu_id() == 0) {
		clock_tick();
		log_tick();
	}
	task_tick();
	ktimer_arm(t, fw_time_ns() + TICK_NS);
}

void timer_start_tick(void)
{
	struct ktimer *t = &tick_timer[fw_cpu_id()];
	KTIMER_INIT(t, tick, t);
	ktimer_arm(t, fw_time_ns() + TICK_NS);
}

/* ---- fw_timer: the services' handles ----------------------------------- */

struct fw_timer {
	struct handle hdl; /* HANDLE_TIMER until destroyed */
	struct ktimer kt;
	struct heap_ref arg_ref; /* the callback's argument, if a service
				  * object: it must outlive the timer */
};
FW_STATIC_ASSERT(__builtin_offsetof(struct fw_timer, hdl) == 0,
		 "handles start with their struct handle");
static uint32_t timer_gens; /* generations handed out */

int fw__timer_create(fw__timer_fn fn, void *arg, struct fw_timer **out)
{
	struct fw_timer *t = KHEAP_NEW(struct fw_timer);

	if (!t)
		return -ENOMEM;
	handle_init_gen(&t->hdl, HANDLE_TIMER, &timer_gens);
	ktimer__init(&t->kt, fn, arg);
	heap_ref_add(&t->arg_ref, arg, "a timer's callback argument");
	*out = HANDLE_OUT(t);
	return 0;
}

void fw_timer_arm(struct fw_timer *t, uint64_t deadline_ns)
{
	t = HANDLE_IN(t, HANDLE_TIMER, "fw_timer");
	ktimer_arm(&t->kt, deadline_ns);
}

bool fw_timer_cancel(struct fw_timer *t)
{
	t = HANDLE_IN(t, HANDLE_TIMER, "fw_timer");
	return ktimer_cancel(&t->kt);
}

void fw_timer_destroy(struct fw_timer *t)
{
	if (!t)
		return;
	t = HANDLE_IN(t, HANDLE_TIMER, "fw_timer");
	(void)ktimer_cancel(&t->kt);
	heap_ref_del(&t->arg_ref);
	handle_kill(&t->hdl);
	kheap_free_typed(t);
}
