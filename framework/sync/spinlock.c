/* framework/sync/spinlock.c: ticket spinlocks.
 *
 * Layer: framework. On real hardware the lock is a FIFO ticket lock. Under
 * a hypervisor (CPUID says so, as under QEMU) waiters instead grab the lock
 * whenever it is free, as Linux's virt_spin_lock does: a fair lock hands the
 * lock to the next ticket even when that waiter's vCPU is not running, and
 * everyone else then spins for a whole host time slice. With 4 vCPUs on 2
 * host cores that made a contended test 50x slower. Both modes share the
 * same two ticket counters, so release and trylock are common.
 *
 * A held spinlock disables preemption on its CPU; the
 * irqsave form also disables interrupts. Every build (not only debug ones:
 * a double unlock would hand the lock to two CPUs at once) catches taking
 * a lock this CPU already holds (a self-deadlock) and unlocking one it
 * does not hold, and reports a lock spun on for far too long. The cost is
 * one per-CPU load and compare each way. */
#include <arch/x86.h>
#include <fw/panic.h>
#include <fw/sync.h>
#include <fw/time.h>
#include "internal/lockstat.h"
#include "internal/percpu.h"
#include "internal/spinlock.h"
#include "internal/task.h"

static bool spin_unfair; /* set once at boot, before a second CPU runs */

void spinlock_detect_mode(void)
{
	uint32_t r[4];
	x86_cpuid(1, 0, r);
	spin_unfair = r[2] & (1u << 31); /* the hypervisor-present bit */
}

void fw_spin_init(struct fw_spinlock *l, const char *name)
{
	l->next = 0;
	l->owner = 0;
	l->cpu = -1;
	l->name = name;
}

/* The lock is free when every ticket handed out has been served; take the
 * next ticket only then. */
static bool try_take(struct fw_spinlock *l)
{
	uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t next = owner;

	return __atomic_compare_exchange_n(&l->next, &next, (uint16_t)(owner + 1),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static void stuck(const struct fw_spinlock *l)
{
	fw_panic("spinlock '%s': stuck (held by cpu %d)", l->name, l->cpu);
}

static inline void acquire(struct fw_spinlock *l)
{
	uint64_t spins = 0;

	if (FW_UNLIKELY(__atomic_load_n(&l->cpu, __ATOMIC_RELAXED) ==
			(int32_t)this_cpu_id()))
		fw_panic("spinlock '%s': recursive lock on cpu %u", l->name,
			 this_cpu_id());
	if (spin_unfair) {
		while (!try_take(l)) {
			do {
				x86_pause();
				if (FW_UNLIKELY(++spins == (1ull << 34)))
					stuck(l);
			} while (__atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
				 __atomic_load_n(&l->owner, __ATOMIC_RELAXED));
		}
	} else {
		uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
		while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me) {
			x86_pause();
			if (FW_UNLIKELY(++spins == (1ull << 34)))
				stuck(l);
		}
	}
	l->cpu = (int32_t)this_cpu_id();
}

static inline void release(struct fw_spinlock *l)
{
	if (FW_UNLIKELY(l->cpu != (int32_t)this_cpu_id()))
		fw_panic("spinlock '%s': unlocked by cpu %u, held by cpu %d",
			 l->name, this_cpu_id(), l->cpu);
	l->cpu = -1;
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

/* acquire() with lock statistics on: a take that finds the lock free is
 * counted; one that waits is counted with how long. */
static void acquire_counted(struct fw_spinlock *l)
{
	uint64_t t0;

	if (try_take(l)) {
		l->cpu = (int32_t)this_cpu_id();
		lockstat_record(l->name, false, false, 0);
		return;
	}
	t0 = fw_time_ns();
	acquire(l);
	lockstat_record(l->name, false, true, fw_time_ns() - t0);
}

void fw_spin_lock(struct fw_spinlock *l)
{
	fw_preempt_disable();
	if (lockstat_enabled())
		acquire_counted(l);
	else
		acquire(l);
}

void fw_spin_unlock(struct fw_spinlock *l)
{
	release(l);
	fw_preempt_enable();
}

bool fw_spin_trylock(struct fw_spinlock *l)
{
	fw_preempt_disable();
	if (!try_take(l)) {
		fw_preempt_enable();
		return false;
	}
	l->cpu = (int32_t)this_cpu_id();
	return true;
}

fw_irqflags_t fw_spin_lock_irqsave(struct fw_spinlock *l)
{
	fw_irqflags_t f = fw_irq_save();
	fw_preempt_disable();
	if (lockstat_enabled())
		acquire_counted(l);
	else
		acquire(l);
	return f;
}

void fw_spin_unlock_irqrestore(struct fw_spinlock *l, fw_irqflags_t flags)
{
	release(l);
	fw_irq_restore(flags);
	fw_preempt_enable();
}

bool fw_spin_held(const struct fw_spinlock *l)
{
	return __atomic_load_n(&l->cpu, __ATOMIC_RELAXED) == (int32_t)this_cpu_id();
}
