/* arch/x86_64/ioapic.c: I/O APIC routing of legacy and PCI interrupts.
 *
 * Layer: arch (framework TCB). 82093AA datasheet: IOREGSEL at +0, IOWIN at
 * +0x10; redirection entry n at registers 0x10+2n (low) and 0x11+2n (high).
 * All pins start masked; routes are made on request by fw_irq. Each IOAPIC
 * gets an uncached page in the MMIO window after the LAPIC's. */
#include <fw/errno.h>
#include <fw/log.h>
#include <fw/sync.h>
#include "internal/acpi.h"
#include "internal/lapic.h"
#include "internal/mem.h"
#include "internal/paging.h"

static struct {
	uint64_t va;
	uint32_t gsi_base, npins;
} ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;
static struct fw_spinlock ioapic_lock = FW_SPINLOCK_INIT("ioapic");

static uint32_t io_rd(uint64_t va, uint32_t reg)
{
	*(volatile uint32_t *)(uintptr_t)va = reg;
	return *(volatile uint32_t *)(uintptr_t)(va + 0x10);
}

static void io_wr(uint64_t va, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)va = reg;
	*(volatile uint32_t *)(uintptr_t)(va + 0x10) = v;
}

void ioapic_init(void)
{
	if (!acpi.found || acpi.nioapics == 0) {
		/* Fall back to the standard PC address. */
		acpi.ioapic[0].phys = 0xFEC00000;
		acpi.ioapic[0].gsi_base = 0;
		acpi.nioapics = 1;
	}
	for (unsigned i = 0; i < acpi.nioapics; i++) {
		uint64_t va = MMIO_AREA + (1 + i) * PAGE_SIZE;
		if (kmap_page(va, acpi.ioapic[i].phys, KMAP_MMIO)) {
			fw_warn("ioapic: cannot map %#x", acpi.ioapic[i].phys);
			continue;
		}
		ioapics[nioapics].va = va;
		ioapics[nioapics].gsi_base = acpi.ioapic[i].gsi_base;
		ioapics[nioapics].npins = ((io_rd(va, 1) >> 16) & 0xFF) + 1;
		for (uint32_t p = 0; p < ioapics[nioapics].npins; p++)
			io_wr(va, 0x10 + 2 * p, 1u << 16); /* masked */
		nioapics++;
	}
}

static int find(uint32_t gsi, uint64_t *va, uint32_t *pin)
{
	for (unsigned i = 0; i < nioapics; i++)
		if (gsi >= ioapics[i].gsi_base &&
		    gsi < ioapics[i].gsi_base + ioapics[i].npins) {
			*va = ioapics[i].va;
			*pin = gsi - ioapics[i].gsi_base;
			return 0;
		}
	return -ENOENT;
}

int ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low)
{
	uint64_t va;
	uint32_t pin;
	fw_irqflags_t fl;

	if (find(gsi, &va, &pin))
		return -ENOENT;
	fl = fw_spin_lock_irqsave(&ioapic_lock);
	/* Fixed delivery to the boot CPU's APIC id, masked until unmasked. */
	io_wr(va, 0x11 + 2 * pin, acpi.found ? acpi.cpu_apic_id[0] << 24 : 0);
	io_wr(va, 0x10 + 2 * pin, vector | (1u << 16) |
					  (level ? 1u << 15 : 0) |
					  (active_low ? 1u << 13 : 0));
	fw_spin_unlock_irqrestore(&ioapic_lock, fl);
	return 0;
}

void ioapic_mask(uint32_t gsi, bool masked)
{
	uint64_t va;
	uint32_t pin, lo;
	fw_irqflags_t fl;

	if (find(gsi, &va, &pin))
		return;
	fl = fw_spin_lock_irqsave(&ioapic_lock);
	lo = io_rd(va, 0x10 + 2 * pin);
	io_wr(va, 0x10 + 2 * pin, masked ? lo | (1u << 16) : lo & ~(1u << 16));
	fw_spin_unlock_irqrestore(&ioapic_lock, fl);
}
