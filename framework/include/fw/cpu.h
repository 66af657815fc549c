/* fw/cpu.h: which CPU am I on, and how many are there.
 *
 * Layer: framework public API. CPUs are numbered 0..fw_cpu_count()-1 in the
 * order they were brought up (0 is the boot CPU); services keep per-CPU
 * state in arrays of FW_MAX_CPUS indexed by this number. */
#ifndef FW_CPU_H
#define FW_CPU_H

#include <fw/compiler.h>

#define FW_MAX_CPUS 64

/* The current CPU. Only stable while preemption is disabled (a spinlock is
 * held or interrupts are off); otherwise the task may migrate right after. */
unsigned fw_cpu_id(void);
unsigned fw_cpu_count(void);

/* Preemption control: nests; a task is not preempted while the count > 0. */
void fw_preempt_disable(void);
void fw_preempt_enable(void);

/* Interrupt state, for the IRQ-safe locking helpers. */
typedef unsigned long fw_irqflags_t;
fw_irqflags_t fw_irq_save(void);
void fw_irq_restore(fw_irqflags_t flags);

/* Spin-wait hint for busy loops. */
void fw_cpu_relax(void);

/* CPU identity, for /proc/cpuinfo and the auxiliary vector. fw_cpuid is
 * the CPUID instruction's answer on this CPU: read-only facts any user
 * program can read itself with the same instruction. */
struct fw_cpuid {
	uint32_t eax, ebx, ecx, edx;
};
struct fw_cpuid fw_cpuid(uint32_t leaf, uint32_t subleaf);
/* What the kernel turned on for user mode, as Linux's AT_HWCAP2 bits
 * (bit 1, HWCAP2_FSGSBASE: rd/wr{fs,gs}base work in user mode). */
uint64_t fw_cpu_hwcap2(void);
/* The TSC's calibrated frequency, in kHz ("cpu MHz" in /proc/cpuinfo). */
uint64_t fw_cpu_tsc_khz(void);
/* 64 bits from the CPU's random number generator (RDSEED where the CPU
 * has it, else RDRAND; each retried as Intel advises). 0 and *out,
 * -ENODEV (neither instruction), -EAGAIN (the generator gave nothing). */
FW_MUST_CHECK int fw_cpu_random(uint64_t *out);

#endif
