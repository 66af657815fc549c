/* framework/sync/waitq.c: wait queues and mutexes.
 *
 * Layer: framework. See FW_WAIT_EVENT in fw/sync.h for the sleeping
 * protocol: the waiter is queued and marked sleeping before it checks its
 * condition, so a wakeup racing with the check is never lost. */
#include <arch/x86.h>
#include <fw/errno.h>
#include <fw/panic.h>
#include <fw/sync.h>
#include <fw/time.h>
#include "internal/lockstat.h"
#include "internal/percpu.h"
#include "internal/task.h"
#include "internal/time.h"

void fw_waitq_init(struct fw_waitq *wq, const char *name)
{
	fw_spin_init(&wq->lock, name);
	fw_list_init(&wq->waiters);
}

void fw__waitq_prepare(struct fw_waitq *wq, struct fw__waiter *w)
{
	fw_irqflags_t fl = fw_spin_lock_irqsave(&wq->lock);
	w->task = fw_task_current();
	if (!w->node.next || fw_list_empty(&w->node))
		fw_list_add_tail(&wq->waiters, &w->node);
	task_set_sleeping();
	fw_spin_unlock_irqrestore(&wq->lock, fl);
}

void fw__waitq_sleep(struct fw_waitq *wq, struct fw__waiter *w)
{
	(void)wq;
	(void)w;
	task_schedule();
}

static void timeout_wake(struct fw_task *t)
{
	task_wake(t);
}

int fw__waitq_sleep_timeout(struct fw_waitq *wq, struct fw__waiter *w,
			    uint64_t deadline_ns)
{
	struct ktimer timer;

	(void)wq;
	if (fw_time_ns() >= deadline_ns)
		return -ETIMEDOUT;
	KTIMER_INIT(&timer, timeout_wake, w->task);
	ktimer_arm(&timer, deadline_ns);
	task_schedule();
	(void)ktimer_cancel(&timer);
	return fw_time_ns() >= deadline_ns ? -ETIMEDOUT : 0;
}

void fw__waitq_finish(struct fw_waitq *wq, struct fw__waiter *w)
{
	fw_irqflags_t fl;

	__atomic_store_n(&fw_task_current()->state, TASK_RUNNABLE,
			 __ATOMIC_RELEASE);
	fl = fw_spin_lock_irqsave(&wq->lock);
	if (w->node.next)
		fw_list_del(&w->node);
	fw_spin_unlock_irqrestore(&wq->lock, fl);
}

static unsigned wake(struct fw_waitq *wq, bool all)
{
	unsigned n = 0;
	fw_irqflags_t fl = fw_spin_lock_irqsave(&wq->lock);

	while (!fw_list_empty(&wq->waiters)) {
		struct fw__waiter *w =
			FW_LIST_FIRST(&wq->waiters, struct fw__waiter, node);
		fw_list_del(&w->node);
		if (task_wake(w->task))
			n++;
		if (!all && n)
			break;
	}
	fw_spin_unlock_irqrestore(&wq->lock, fl);
	return n;
}

unsigned fw_waitq_wake_one(struct fw_waitq *wq)
{
	return wake(wq, false);
}

unsigned fw_waitq_wake_all(struct fw_waitq *wq)
{
	return wake(wq, true);
}

void fw_mutex_init(struct fw_mutex *m, const char *name)
{
	m->owner = NULL;
	fw_waitq_init(&m->waitq, name);
}

bool fw_mutex_trylock(struct fw_mutex *m)
{
	struct fw_task *none = NULL;

	return __atomic_compare_exchange_n(&m->owner, &none, fw_task_current(),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* How long a waiter spins on a mutex whose holder runs on another CPU
 * before it goes to sleep. */
#define MUTEX_SPIN_NS 30000ull

/* Is t the task running on some CPU? Pointers are only compared: t may
 * be gone by now. */
static bool running_on_a_cpu(const struct fw_task *t)
{
	for (unsigned cpu = 0; cpu < percpu_online; cpu++)
		if (__atomic_load_n(&cpu_data(cpu)->current, __ATOMIC_RELAXED) == t)
			return true;
	return false;
}

/* Linux's optimistic spinning (mutex_optimistic_spin): a holder that runs
 * on another CPU will likely let go within microseconds, while sleeping
 * costs two task switches and an IPI and, under contention, a convoy (the
 * releaser takes the mutex back before the woken waiter runs, so the
 * waiter sleeps again). Spin while the holder runs, for at most
 * MUTEX_SPIN_NS, and not when this CPU should switch. */
static bool spin_for(struct fw_mutex *m)
{
	uint64_t until = 0;

	for (unsigned i = 0;; i++) {
		struct fw_task *owner = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);

		if (!owner) {
			if (fw_mutex_trylock(m))
				return true;
		} else if (i % 32 == 0) {
			uint64_t now = fw_time_ns();

			if (!until)
				until = now + MUTEX_SPIN_NS;
			if (now >= until || this_cpu()->need_resched ||
			    !running_on_a_cpu(owner))
				return false;
		}
		x86_pause();
	}
}

static void lock_slow(struct fw_mutex *m)
{
	if (!spin_for(m))
		FW_WAIT_EVENT(&m->waitq, fw_mutex_trylock(m));
}

void fw_mutex_lock(struct fw_mutex *m)
{
	uint64_t t0;

	if (FW_UNLIKELY(__atomic_load_n(&m->owner, __ATOMIC_RELAXED) ==
			fw_task_current()))
		fw_panic("mutex '%s': recursive lock", m->waitq.lock.name);
	if (FW_LIKELY(fw_mutex_trylock(m))) {
		if (lockstat_enabled())
			lockstat_record(m->waitq.lock.name, true, false, 0);
		return;
	}
	if (!lockstat_enabled()) {
		lock_slow(m);
		return;
	}
	t0 = fw_time_ns();
	lock_slow(m);
	lockstat_record(m->waitq.lock.name, true, true, fw_time_ns() - t0);
}

/* Whether anyone is queued on wq, read without its lock. */
static bool has_waiters(struct fw_waitq *wq)
{
	return __atomic_load_n(&wq->waiters.next, __ATOMIC_RELAXED) !=
	       &wq->waiters;
}

/* The release is an exchange, a full barrier, before the look at the wait
 * queue: a waiter queues itself before its own atomic try (in
 * FW_WAIT_EVENT), so either that try sees the mutex free or this look sees
 * the waiter. */
void fw_mutex_unlock(struct fw_mutex *m)
{
	struct fw_task *was = __atomic_exchange_n(&m->owner, NULL,
						  __ATOMIC_SEQ_CST);

	if (FW_UNLIKELY(was != fw_task_current()))
		fw_panic("mutex '%s': unlocked by a task that does not hold it",
			 m->waitq.lock.name);
	if (has_waiters(&m->waitq))
		fw_waitq_wake_one(&m->waitq);
}
