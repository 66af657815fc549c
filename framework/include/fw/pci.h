/* fw/pci.h: PCI devices for drivers.
 *
 * Layer: framework public API. The framework enumerates the PCI buses at
 * boot (configuration mechanism #1, ports 0xCF8/0xCFC, which q35 and
 * i440fx both provide) and sizes every BAR. A driver walks the devices,
 * claims the one it drives, and then gets its registers only as fw_iomem
 * / fw_ioport handles bounded to a BAR, and its interrupts as fw_irq
 * lines. Configuration space is readable by anyone; the only writes are
 * the framework's own (command register, MSI-X capability), so a driver
 * cannot move a BAR over RAM. */
#ifndef FW_PCI_H
#define FW_PCI_H

#include <fw/compiler.h>

struct fw_pci_dev;
struct fw_iomem;
struct fw_ioport;
struct fw_irq_line;

/* fw_pci_next - the device after prev in bus order (prev NULL: the
 * first), or NULL after the last. Devices live for the whole run. */
struct fw_pci_dev *fw_pci_next(const struct fw_pci_dev *prev);
uint16_t fw_pci_vendor(const struct fw_pci_dev *d);
uint16_t fw_pci_device(const struct fw_pci_dev *d);
/* Base class << 16 | subclass << 8 | programming interface. */
uint32_t fw_pci_class(const struct fw_pci_dev *d);
/* bus << 8 | device << 3 | function, for log lines ("00:03.0"). */
uint16_t fw_pci_bdf(const struct fw_pci_dev *d);

/* fw_pci_cfg_read<N> - read configuration space at off (off + N/8 <= 256,
 * naturally aligned; anything else is a driver bug and panics). */
uint8_t fw_pci_cfg_read8(const struct fw_pci_dev *d, unsigned off);
uint16_t fw_pci_cfg_read16(const struct fw_pci_dev *d, unsigned off);
uint32_t fw_pci_cfg_read32(const struct fw_pci_dev *d, unsigned off);

/* fw_pci_bar_size - the size in bytes of BAR bar (0..5), or of the
 * expansion ROM (bar FW_PCI_ROM), as sized at enumeration (which needs
 * writes only the framework makes). 0 for a BAR the device does not
 * implement, the upper half of a 64-bit BAR, a bridge's BARs (not
 * sized) and any other bar. The base and the type bits are in
 * configuration space. For sysfs's resource file. */
#define FW_PCI_ROM 6
uint64_t fw_pci_bar_size(const struct fw_pci_dev *d, unsigned bar);
/* fw_pci_claimed - a driver has claimed the device (fw_pci_claim). */
bool fw_pci_claimed(const struct fw_pci_dev *d);

/* fw_pci_claim - become the device's driver: enables memory and I/O
 * decoding and bus mastering. 0, or -EBUSY if it has a driver already. */
FW_MUST_CHECK int fw_pci_claim(struct fw_pci_dev *d);

/* fw_pci_bar_iomem - acquire [off, off + len) of memory BAR bar (0..5)
 * of a claimed device. Errors: -EPERM (not claimed), -ENODEV (no such
 * memory BAR), -EINVAL (range outside the BAR), and those of
 * acquiring the range (-EPERM, -EBUSY, -ENOMEM). */
FW_MUST_CHECK int fw_pci_bar_iomem(struct fw_pci_dev *d, unsigned bar,
				   uint64_t off, uint64_t len,
				   struct fw_iomem **out);
/* fw_pci_bar_ioport - the same for an I/O-space BAR. */
FW_MUST_CHECK int fw_pci_bar_ioport(struct fw_pci_dev *d, unsigned bar,
				    uint16_t off, uint16_t len,
				    struct fw_ioport **out);

/* fw_pci_msix_count - how many MSI-X vectors the device has, or -ENODEV
 * if it has no MSI-X capability. */
int fw_pci_msix_count(const struct fw_pci_dev *d);
/* fw_pci_msix_route - deliver MSI-X vector idx of a claimed device to
 * line (to the boot CPU), unmasked, and turn MSI-X on (INTx off).
 * fw_irq_line_mask/unmask then mask the vector in the device's table.
 * Errors: -EPERM (not claimed), -ENODEV (no MSI-X), -EINVAL (idx out of
 * range), -EBUSY (the line is routed elsewhere already), and those of
 * mapping the table. */
FW_MUST_CHECK int fw_pci_msix_route(struct fw_pci_dev *d, unsigned idx,
				    struct fw_irq_line *line);
/* fw_pci_intx_route - the fallback: deliver the device's legacy INTx pin
 * to line through the IOAPIC (level-triggered, shared lines allowed only
 * for one driver here). -EPERM, -ENODEV (no pin, or no routing known for
 * it), -EBUSY. */
FW_MUST_CHECK int fw_pci_intx_route(struct fw_pci_dev *d,
				    struct fw_irq_line *line);

#endif
