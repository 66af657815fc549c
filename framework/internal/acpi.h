/* internal/acpi.h: what the framework needs from the ACPI tables. */
#ifndef INTERNAL_ACPI_H
#define INTERNAL_ACPI_H

#include <fw/cpu.h>
#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_DMAR_SCOPE 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISO 16

struct acpi_info {
	bool found;                        /* RSDP and MADT were read */
	uint64_t lapic_phys;               /* local APIC base */
	unsigned ncpus;                    /* usable CPUs in the MADT */
	uint32_t cpu_apic_id[FW_MAX_CPUS]; /* their APIC ids, BSP first */
	unsigned nioapics;
	struct {
		uint32_t id, phys, gsi_base;
	} ioapic[ACPI_MAX_IOAPICS];
	/* ISA IRQ -> GSI with polarity/trigger (MADT interrupt overrides) */
	uint32_t isa_gsi[16];
	uint16_t isa_flags[16];
	/* Power management (FADT + DSDT \_S5) */
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t smi_cmd;
	uint8_t acpi_enable;
	bool s5_valid;
	uint8_t slp_typa, slp_typb;
	uint8_t reset_space;               /* reset register: 1 = I/O port */
	uint64_t reset_addr;
	uint8_t reset_value;
	uint8_t rtc_century;               /* CMOS index of the century, 0 if none */
	uint64_t hpet_phys;
	uint16_t pm_tmr_port;              /* ACPI PM timer (FADT), 0 if none */
	bool pm_tmr_32bit;                 /* TMR_VAL_EXT: 32 bits, else 24 */
	/* DMAR: the first VT-d unit on PCI segment 0 (0 if none), the host
	 * address width, and the devices behind it: all of them, or the
	 * endpoints listed (bus << 8 | device << 3 | function). */
	uint64_t dmar_unit;
	uint8_t dmar_haw;
	bool dmar_all;
	unsigned dmar_nscope;
	uint16_t dmar_scope[ACPI_MAX_DMAR_SCOPE];
};

extern struct acpi_info acpi;

/* Parse the tables, starting from the RSDP copy Multiboot2 gave us (or a
 * BIOS-area scan). Missing or corrupt tables leave acpi.found false and the
 * machine runs on one CPU with legacy defaults. */
void acpi_init(const uint8_t *rsdp, uint32_t rsdp_len);
/* Switch the chipset to ACPI mode if the firmware left it in legacy mode. */
void acpi_enable_mode(void);

#endif
