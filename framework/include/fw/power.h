/* fw/power.h: turning the machine off.
 *
 * Layer: framework public API. fw_poweroff uses ACPI S5 (the FADT's PM1
 * control ports and the DSDT's \_S5 values). When the command line has
 * `fw.exit=isa` (the test runner's request), it first writes the exit code
 * to QEMU's isa-debug-exit port, so QEMU's own exit status reports it. */
#ifndef FW_POWER_H
#define FW_POWER_H

#include <fw/compiler.h>

FW_NORETURN void fw_poweroff(int code);
FW_NORETURN void fw_reboot(void);

#endif
