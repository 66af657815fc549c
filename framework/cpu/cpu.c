/* framework/cpu/cpu.c: CPU identity, preemption and interrupt control.
 *
 * Layer: framework. The preemption count is per CPU and changed with one
 * gs-relative instruction, so a migration cannot split its read from its
 * write; dropping it to zero with a reschedule pending preempts at once. */
#include <arch/x86.h>
#include <fw/cpu.h>
#include <fw/errno.h>
#include <fw/panic.h>
#include "internal/cpufeature.h"
#include "internal/percpu.h"
#include "internal/task.h"

#define PCOUNT_OFF __builtin_offsetof(struct percpu, preempt_count)

void fw_preempt_disable(void)
{
	/* One instruction on this CPU's count, so a migration cannot split
	 * the read from the write. */
	__asm__ volatile("incl %%gs:%c0" : : "i"(PCOUNT_OFF) : "memory");
}

void fw_preempt_enable(void)
{
	int left;
	__asm__ volatile("decl %%gs:%c1\n\t"
			 "movl %%gs:%c1, %0"
			 : "=r"(left)
			 : "i"(PCOUNT_OFF)
			 : "memory");
	/* One enable too many would let a later spinlock holder be
	 * preempted (and another task spin on its lock forever). */
	if (FW_UNLIKELY(left < 0))
		fw_panic("fw_preempt_enable without a matching disable");
	if (left == 0 && this_cpu()->need_resched &&
	    (x86_read_rflags() & X86_RFLAGS_IF) && task_sched_ready())
		task_preempt();
}

fw_irqflags_t fw_irq_save(void)
{
	fw_irqflags_t f = x86_read_rflags();
	x86_cli();
	return f;
}

void fw_irq_restore(fw_irqflags_t flags)
{
	if (flags & X86_RFLAGS_IF)
		x86_sti();
}

void fw_cpu_relax(void)
{
	x86_pause();
}

unsigned fw_cpu_id(void)
{
	uint64_t id;
	__asm__ volatile("mov %%gs:%c1, %0"
			 : "=r"(id)
			 : "i"(__builtin_offsetof(struct percpu, id)));
	return (unsigned)id;
}

unsigned fw_cpu_count(void)
{
	return percpu_online;
}


struct fw_cpuid fw_cpuid(uint32_t leaf, uint32_t subleaf)
{
	uint32_t r[4];

	x86_cpuid(leaf, subleaf, r);
	return (struct fw_cpuid){ r[0], r[1], r[2], r[3] };
}

uint64_t fw_cpu_hwcap2(void)
{
	return cpu_features.fsgsbase ? 1u << 1 : 0;
}

/* One RDSEED or RDRAND: CF says whether a value was delivered. */
static bool rdseed64(uint64_t *v)
{
	bool ok;
	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool rdrand64(uint64_t *v)
{
	bool ok;
	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

int fw_cpu_random(uint64_t *out)
{
	uint64_t v;

	if (!cpu_features.rdseed && !cpu_features.rdrand)
		return -ENODEV;
	/* RDSEED may run dry under load: a few tries, then RDRAND (whose
	 * DRBG Intel says fails only on a broken part after 10 tries). */
	for (unsigned i = 0; cpu_features.rdseed && i < 8; i++)
		if (rdseed64(&v)) {
			*out = v;
			return 0;
		}
	for (unsigned i = 0; cpu_features.rdrand && i < 10; i++)
		if (rdrand64(&v)) {
			*out = v;
			return 0;
		}
	return -EAGAIN;
}
