/* arch/x86_64/lapic.c: the local APIC (SDM vol. 3, chapter 10) and the
 * legacy 8259 PIC, which is remapped and masked so it can never raise a
 * stray interrupt on an exception vector.
 *
 * Layer: arch (framework TCB). xAPIC MMIO mode, on every CPU (every x86-64
 * CPU has it; cpu_features_init() refuses one without a local APIC, and a
 * CPU left in x2APIC mode is switched back); x2APIC is not used, which
 * caps APIC ids at 255. The register page is mapped uncached in the MMIO
 * window and never handed to services. */
#include <arch/x86.h>
#include <fw/log.h>
#include <fw/panic.h>
#include <fw/time.h>
#include "internal/acpi.h"
#include "internal/lapic.h"
#include "internal/mem.h"
#include "internal/paging.h"
#include "internal/trap.h"

#define LAPIC_VA MMIO_AREA
#define REG_ID 0x020
#define REG_TPR 0x080
#define REG_EOI 0x0B0
#define REG_SVR 0x0F0
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3E0
#define LVT_MASKED (1u << 16)
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)   /* APIC globally enabled */

static uint64_t lapic_ticks_per_ms;

static inline uint32_t rd(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(LAPIC_VA + reg);
}
static inline void wr(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(LAPIC_VA + reg) = v;
}

void pic_disable(void)
{
	/* ICW1-4: remap to vectors 32..47, then mask everything. */
	x86_outb(0x20, 0x11);
	x86_outb(0xA0, 0x11);
	x86_outb(0x21, 32);
	x86_outb(0xA1, 40);
	x86_outb(0x21, 4);
	x86_outb(0xA1, 2);
	x86_outb(0x21, 1);
	x86_outb(0xA1, 1);
	x86_outb(0x21, 0xFF);
	x86_outb(0xA1, 0xFF);
}

void lapic_init(void)
{
	static bool mapped;
	uint64_t phys = acpi.lapic_phys ? acpi.lapic_phys
					: x86_rdmsr(MSR_APIC_BASE) & ~0xFFFull;

	if (!mapped) {
		if (kmap_page(LAPIC_VA, phys, KMAP_MMIO))
			fw_panic("lapic: cannot map the local APIC at %#llx",
				 (unsigned long long)phys);
		mapped = true;
	}
	/* This code speaks xAPIC (MMIO). Firmware that handed over the APIC
	 * in x2APIC mode must be undone through the disabled state: x2APIC
	 * to xAPIC directly is an illegal transition (SDM vol. 3, 10.12.5). */
	uint64_t base = x86_rdmsr(MSR_APIC_BASE);
	if (base & APIC_BASE_EXTD) {
		x86_wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EXTD | APIC_BASE_EN));
		base &= ~APIC_BASE_EXTD;
	}
	x86_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	wr(REG_TPR, 0);
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_LVT_ERROR, LVT_MASKED);
	wr(REG_SVR, 0x100 | VEC_SPURIOUS); /* software enable */
	wr(REG_TIMER_DIV, 0x3);           /* divide by 16 */
}

uint32_t lapic_id(void)
{
	return rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

static void icr_wait(void)
{
	for (int i = 0; i < 1000000 && (rd(REG_ICR_LO) & (1u << 12)); i++)
		x86_pause();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_wait();
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, vector);
}

void lapic_send_ipi_all_others(uint8_t vector)
{
	icr_wait();
	wr(REG_ICR_HI, 0);
	wr(REG_ICR_LO, (3u << 18) | (1u << 14) | vector); /* all excl. self */
}

void lapic_send_init(uint32_t apic_id)
{
	icr_wait();
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, 0x4500); /* INIT, assert */
	icr_wait();
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	icr_wait();
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, 0x4600 | page); /* start-up at page * 4 KiB */
	icr_wait();
}

void lapic_timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t left;

	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_TIMER_INIT, 0xFFFFFFFF);
	t0 = fw_time_ns();
	do
		t1 = fw_time_ns();
	while (t1 - t0 < 10 * FW_NSEC_PER_MSEC);
	left = rd(REG_TIMER_CUR);
	wr(REG_TIMER_INIT, 0);
	lapic_ticks_per_ms = (0xFFFFFFFFull - left) * FW_NSEC_PER_MSEC /
			     (t1 - t0);
	if (lapic_ticks_per_ms == 0)
		fw_panic("lapic: the timer does not count");
	fw_info("lapic: timer %llu kHz (divided by 16)",
		(unsigned long long)lapic_ticks_per_ms);
}

void lapic_timer_oneshot(uint64_t ns)
{
	uint64_t ticks = ns * lapic_ticks_per_ms / FW_NSEC_PER_MSEC;

	if (ns > 1000 * FW_NSEC_PER_SEC)
		ticks = 0xFFFFFFFF;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xFFFFFFFF)
		ticks = 0xFFFFFFFF;
	wr(REG_LVT_TIMER, VEC_TIMER); /* one-shot mode */
	wr(REG_TIMER_INIT, (uint32_t)ticks);
}
