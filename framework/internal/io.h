/* internal/io.h: the framework's own way to device registers.
 *
 * Services get fw_iomem / fw_ioport handles only as PCI BAR slices
 * (fw/pci.h); the PCI code and the framework's tests acquire ranges by
 * address with these. */
#ifndef INTERNAL_IO_H
#define INTERNAL_IO_H

#include <fw/io.h>

/* 0 and *out, -EINVAL (empty or wrapping range), -EPERM (RAM or a
 * framework-owned device: LAPIC, IOAPIC, PIC, PIT, RTC, COM1, PCI
 * configuration ports, ACPI power ports), -EBUSY (already acquired),
 * -ENOMEM. */
FW_MUST_CHECK int iomem_acquire(uint64_t phys, uint64_t len,
				struct fw_iomem **out);
/* Same errors. */
FW_MUST_CHECK int ioport_acquire(uint16_t base, uint16_t len,
				 struct fw_ioport **out);

#endif
