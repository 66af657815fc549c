/* arch/x86_64/smp.c: bringing up the other CPUs.
 *
 * Layer: arch (framework TCB). For each enabled CPU in the ACPI MADT other
 * than ourselves: give it a kernel stack, send INIT, wait 10 ms, send
 * STARTUP (twice if it does not answer, as the SDM's MP start-up algorithm
 * says), and wait for it to report online. CPUs are numbered in start-up
 * order; a CPU that does not come up within a second is reported and
 * skipped. */
#include <arch/x86.h>
#include <fw/log.h>
#include <fw/string.h>
#include <fw/time.h>
#include "internal/acpi.h"
#include "internal/lapic.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/percpu.h"
#include "internal/smp.h"
#include "internal/task.h"
#include "internal/time.h"
#include "internal/trap.h"
#include "internal/user.h"

extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern uint64_t ap_tramp_cr3[], ap_tramp_stack[], ap_tramp_entry[],
	ap_tramp_cpu[];

#define TRAMP_PHYS 0x8000ull

unsigned percpu_online;

static void delay_ns(uint64_t ns)
{
	uint64_t end = fw_time_ns() + ns;
	while (fw_time_ns() < end)
		x86_pause();
}

/* Where a trampoline data slot lives in the copy at 0x8000. */
static uint64_t *slot(const uint64_t *sym)
{
	uint64_t off = (uint64_t)(uintptr_t)sym -
		       (uint64_t)(uintptr_t)ap_trampoline_start;
	return phys_to_virt(TRAMP_PHYS + off);
}

static FW_NORETURN void ap_main(uint64_t cpu)
{
	percpu_init((unsigned)cpu, 0);
	this_cpu()->apic_id = 0;
	idt_load();
	paging_init_ap();
	lapic_init();
	this_cpu()->apic_id = lapic_id();
	user_cpu_init();
	task_init_ap((unsigned)cpu);
	clock_tsc_sync_ap();
	timer_start_tick();
	__atomic_store_n(&this_cpu()->online, true, __ATOMIC_RELEASE);
	x86_sti();
	task_idle_loop();
}

void smp_init(void)
{
	uint32_t me = lapic_id();
	uint64_t slot_id, top;

	if (!acpi.found || acpi.ncpus <= 1) {
		/* The same line as below, so logs and tests read one format. */
		fw_info("smp: %u CPUs online", percpu_online);
		return;
	}
	memcpy(phys_to_virt(TRAMP_PHYS), ap_trampoline_start,
	       (size_t)(ap_trampoline_end - ap_trampoline_start));
	paging_identity_low(true);

	for (unsigned i = 0; i < acpi.ncpus && percpu_online < FW_MAX_CPUS; i++) {
		uint32_t apic = acpi.cpu_apic_id[i];
		unsigned cpu = percpu_online;
		struct percpu *c = cpu_data(cpu);

		if (apic == me)
			continue;
		if (kstack_alloc(&slot_id, &top)) {
			fw_warn("smp: no memory for cpu %u's stack", cpu);
			break;
		}
		*slot(ap_tramp_cr3) = paging_kernel_cr3();
		*slot(ap_tramp_stack) = top;
		*slot(ap_tramp_entry) = (uint64_t)(uintptr_t)ap_main;
		*slot(ap_tramp_cpu) = cpu;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);

		lapic_send_init(apic);
		delay_ns(10 * FW_NSEC_PER_MSEC);
		for (int sipi = 0; sipi < 2 && !c->online; sipi++) {
			lapic_send_sipi(apic, TRAMP_PHYS >> 12);
			uint64_t end = fw_time_ns() + (sipi ? 1000 : 200) * FW_NSEC_PER_MSEC;
			while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) &&
			       fw_time_ns() < end) {
				clock_tsc_sync_poll(); /* the AP's TSC check */
				x86_pause();
			}
		}
		if (!c->online) {
			fw_warn("smp: cpu with APIC id %u did not start", apic);
			kstack_free(slot_id);
			continue;
		}
		__atomic_store_n(&percpu_online, cpu + 1, __ATOMIC_RELEASE);
	}
	paging_identity_low(false);
	tlb_flush_range(0, 0x200000);
	fw_info("smp: %u CPUs online", percpu_online);
}
