/* framework/power/power.c: poweroff and reboot.
 *
 * Layer: framework. Poweroff: with `fw.exit=isa` (a test run) first write
 * the code to QEMU's isa-debug-exit port (QEMU then exits with status
 * code*2+1); then ACPI S5 through PM1a/PM1b control (SLP_TYP from \_S5,
 * SLP_EN); then QEMU's legacy shutdown ports; then halt with a message. */
#include <arch/x86.h>
#include <fw/boot.h>
#include <fw/log.h>
#include <fw/power.h>
#include <fw/string.h>
#include <fw/time.h>
#include "internal/acpi.h"

#define SLP_EN (1u << 13)

void fw_poweroff(int code)
{
	const char *exit = fw_boot_opt("fw.exit");

	x86_cli();
	if (exit && strcmp(exit, "isa") == 0)
		x86_outl(0xF4, (uint32_t)code);
	if (acpi.pm1a_cnt && acpi.s5_valid) {
		acpi_enable_mode();
		x86_outw(acpi.pm1a_cnt, (uint16_t)((acpi.slp_typa << 10) | SLP_EN));
		if (acpi.pm1b_cnt)
			x86_outw(acpi.pm1b_cnt,
				 (uint16_t)((acpi.slp_typb << 10) | SLP_EN));
	}
	x86_outw(0x604, 0x2000); /* QEMU q35/piix default PM1a */
	x86_outw(0xB004, 0x2000); /* Bochs/older QEMU */
	/* The emulator acts on the write when the CPU next exits, which may
	 * take a while (QEMU flushes its disks first): wait before saying
	 * it did not work. */
	for (uint64_t end = fw_time_ns() + FW_NSEC_PER_SEC; fw_time_ns() < end;)
		x86_pause();
	fw_printf("poweroff: the machine did not turn off; it is safe to "
		  "switch it off now\n");
	for (;;)
		x86_hlt();
}

void fw_reboot(void)
{
	x86_cli();
	if (acpi.reset_addr && acpi.reset_space == 1)
		x86_outb((uint16_t)acpi.reset_addr, acpi.reset_value);
	x86_outb(0xCF9, 0x06); /* PCI reset control: hard reset */
	for (int i = 0; i < 100000 && (x86_inb(0x64) & 2); i++)
		;
	x86_outb(0x64, 0xFE);    /* keyboard controller pulse */
	fw_printf("reboot: the machine did not restart\n");
	for (;;)
		x86_hlt();
}
